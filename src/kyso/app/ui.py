"""The port through which flows talk to the person: ask, confirm, tell, show.

``kyso.app.console.ConsoleUi`` is the terminal adapter; tests use a scripted fake.
"""

from __future__ import annotations

from typing import Protocol

from kyso.app.i18n import Lang, Msg
from kyso.app.models import Terms, Transaction, Vocabulary

__all__ = ["YES", "Ui", "is_yes"]

YES = frozenset({"c", "co", "có", "đồng ý", "dong y", "y", "yes"})


def is_yes(answer: str) -> bool:
    return answer.strip().lower() in YES


class Ui(Protocol):
    lang: Lang

    def ask(self, msg: Msg, *, secret: bool = False, **params: object) -> str:
        """One answer; secrets are read without echo. Raises Cancelled when input ends."""
        ...

    def confirm(self, msg: Msg, **params: object) -> bool:
        """Yes or no; the end of input means no."""
        ...

    def say(self, msg: Msg, **params: object) -> None:
        """A notice along the way (stderr)."""
        ...

    def result(self, msg: Msg, **params: object) -> None:
        """The outcome of the command (stdout)."""
        ...

    def show_terms(self, terms: Terms) -> None: ...

    def show_transaction(self, tx: Transaction, words: Vocabulary) -> None: ...

    def show_qr(self, data: str) -> None:
        """A QR code of ``data`` (an otpauth:// URI) for a phone to scan."""
        ...
