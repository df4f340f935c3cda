"""Bounded integers for every query parameter and body field of the HTTP APIs.

An unbounded ``int`` lets a client send 2^63 (a 500 from SQLite's and PostgreSQL's 64-bit
integers) or 10^30; every integer a client sends is one of these types instead, so pydantic
refuses it with a 400 before any handler runs. ``tests/security/test_integer_bounds.py``
walks the OpenAPI and fails on any integer input without a minimum and a maximum.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

__all__ = ["INT32_MAX", "Limit", "NumSignatures", "Offset", "PageNumber"]

INT32_MAX = 2**31 - 1  # fits every integer column and every page of every list

Offset = Annotated[int, Interval(ge=0, le=INT32_MAX)]  # rows to skip in a list
Limit = Annotated[int, Interval(ge=1, le=200)]  # rows of a list page
NumSignatures = Annotated[int, Interval(ge=1, le=INT32_MAX)]  # CSC credentials/authorize
PageNumber = Annotated[int, Interval(ge=1, le=INT32_MAX)]  # a page of a document (1-based)
