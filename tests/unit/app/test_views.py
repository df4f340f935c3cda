"""The app names every kind of transaction the server can ask the customer to confirm."""

from __future__ import annotations

import pytest

from kyso.accounts import contact
from kyso.app.views import KINDS
from kyso.otp import pin_change
from kyso.relying import completion
from kyso.signing import documents


@pytest.mark.parametrize("kind", [contact.KIND, pin_change.KIND, documents.KIND, completion.KIND])
def test_every_server_kind_has_a_label(kind: str) -> None:
    label = KINDS[kind]
    vi, en = label.render("vi"), label.render("en")
    assert vi and en and vi != en


def test_labels_are_vietnamese_first_with_diacritics() -> None:
    assert KINDS[documents.KIND].render("vi") == "Ký tài liệu"
