"""KYSO_SUPPORT_PHONE / KYSO_SUPPORT_EMAIL: what GET /api/v1/contact hands the web app."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from fastapi import Response
from pydantic import ValidationError

from kyso.config import Settings
from kyso.entrypoints.api.routes.contact import ContactOut, contact, dialable


def _answer(**settings: Any) -> ContactOut:
    container = SimpleNamespace(settings=Settings(**settings))
    return contact(cast(Any, container), Response())


def test_the_desk_is_shown_as_written_and_dialled_as_digits() -> None:
    got = _answer(support_phone="1900 54 54 54", support_email="hotro@ca.example.vn")
    assert got == ContactOut(phone="1900 54 54 54", tel="1900545454",
                             email="hotro@ca.example.vn")
    assert dialable("+84 (24) 3.936-8888") == "+842439368888"


def test_nothing_set_says_nothing() -> None:
    assert _answer() == ContactOut()


@pytest.mark.parametrize("bad", [{"support_phone": "javascript:alert(1)"},
                                 {"support_phone": "12"}, {"support_email": "not an address"}])
def test_what_is_no_phone_or_email_is_refused(bad: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings(**bad)
