"""The reliability tests drive kyso as its clients do: the CSC world (a real app on SQLite
or PostgreSQL, a customer with SmartOTP and a credential)."""

from __future__ import annotations

from tests.integration.csc.conftest import world

__all__ = ["world"]
