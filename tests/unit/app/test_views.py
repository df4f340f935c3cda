"""The app keeps no words of its own for the server's codes: the server names every kind of
transaction it can ask the customer to confirm, and the tables show those words and whole
IDs."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from rich.console import Console

from kyso.accounts import contact
from kyso.app.models import Transaction, Vocabulary
from kyso.app.views import transactions_table
from kyso.onboarding.acceptance import ACCEPTANCE_KIND
from kyso.onboarding.contract import CONTRACT_KIND
from kyso.otp import pin_change
from kyso.relying import completion
from kyso.signing import documents
from kyso.vocabulary import TRANSACTION_KINDS

KINDS = [contact.KIND, pin_change.KIND, documents.KIND, completion.KIND, CONTRACT_KIND,
         ACCEPTANCE_KIND]


@pytest.mark.parametrize("kind", KINDS)
def test_the_server_names_every_kind_it_can_ask_for(kind: str) -> None:
    label = TRANSACTION_KINDS[kind]
    assert label.vi and label.en and label.vi != label.en


def test_a_narrow_terminal_shows_the_words_and_the_whole_id() -> None:
    tx = Transaction.model_validate({
        "id": "3f2b9c1e-7a44-4b0e-9d7c-0c5e2f8a1b6d", "kind": "sign_document",
        "details": {"description": "Ký số tài liệu hopdong.pdf"}, "method": "smartotp",
        "status": "pending", "created_at": datetime.now(UTC),
        "expires_at": datetime.now(UTC)})
    words = Vocabulary({"transaction_kinds": {"sign_document": "Ký tài liệu"},
                        "detail_labels": {"description": "Nội dung"}})
    out = io.StringIO()
    Console(file=out, width=60).print(transactions_table([tx], "vi", words))
    shown = out.getvalue()
    assert tx.id in shown  # whole, on one line, though the terminal is narrow
    assert "sign_document" not in shown and "description" not in shown
    assert "Ký" in shown and "Nội" in shown
