"""The history and the transactions say what was signed and at whose request in the
customer's words: no protocol name or internal code (CSC, API, SP769, signHash, signDoc) in a
receipt's line or a transaction's name."""

from __future__ import annotations

import re

from kyso.history.service import _RECEIPT_KINDS
from kyso.vocabulary import TRANSACTION_KINDS

INTERNAL = re.compile(r"CSC|API|SP769|signHash|signDoc|sp769|multisign")


def test_receipt_lines_name_no_protocol() -> None:
    for kind, said in _RECEIPT_KINDS.items():
        for text in (said.vi, said.en):
            assert not INTERNAL.search(text), (kind, text)


def test_transaction_names_name_no_protocol() -> None:
    for kind, said in TRANSACTION_KINDS.items():
        for text in (said.vi, said.en):
            assert not INTERNAL.search(text), (kind, text)
