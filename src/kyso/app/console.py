"""The terminal adapter of :class:`~kyso.app.ui.Ui`: rich output, prompts that also read
piped stdin.

Prompts, notices and errors go to stderr; results (codes, tables, JSON) to stdout. On a
terminal, secrets are typed without echo; when stdin is a pipe, each answer is one line of it
(``--pin-stdin`` also drops the prompt text for secrets).
"""

from __future__ import annotations

import io
import sys
from typing import TextIO

import segno
from rich.console import Console

from kyso.app import messages as m
from kyso.app.errors import Cancelled
from kyso.app.i18n import Lang, Msg
from kyso.app.models import Terms, Transaction, Vocabulary
from kyso.app.ui import is_yes
from kyso.app.views import transaction_table

__all__ = ["ConsoleUi"]


class ConsoleUi:
    def __init__(self, lang: Lang, *, out: Console | None = None, err: Console | None = None,
                 stdin: TextIO | None = None, secrets_from_stdin: bool = False) -> None:
        self.lang = lang
        self.out = out or Console(highlight=False)
        self.err = err or Console(stderr=True, highlight=False)
        self._stdin = stdin or sys.stdin
        self._quiet_secrets = secrets_from_stdin

    def _text(self, msg: Msg, params: dict[str, object]) -> str:
        return msg.render(self.lang, **params)

    def ask(self, msg: Msg, *, secret: bool = False, **params: object) -> str:
        prompt = f"{self._text(msg, params)}: "
        if secret and self._quiet_secrets:
            return self._read_line()
        if self._stdin.isatty():
            try:
                return self.err.input(prompt, password=secret, markup=False).strip()
            except EOFError:
                raise Cancelled(m.INPUT_ENDED) from None
        self.err.print(prompt, end="", markup=False, soft_wrap=True)
        self.err.file.flush()
        line = self._read_line()
        self.err.print()
        return line

    def _read_line(self) -> str:
        line = self._stdin.readline()
        if not line:
            raise Cancelled(m.INPUT_ENDED)
        return line.strip()

    def confirm(self, msg: Msg, **params: object) -> bool:
        try:
            return is_yes(self.ask(msg, secret=False, **params))
        except Cancelled:
            return False

    def say(self, msg: Msg, **params: object) -> None:
        self.err.print(self._text(msg, params), markup=False, soft_wrap=True)

    def result(self, msg: Msg, **params: object) -> None:
        self.out.print(self._text(msg, params), style="green", markup=False, soft_wrap=True)

    def error(self, text: str) -> None:
        prefix = m.ERROR_PREFIX.render(self.lang)
        self.err.print(f"{prefix}: {text}", style="bold red", markup=False, soft_wrap=True)

    def show_terms(self, terms: Terms) -> None:
        self.out.rule(m.TERMS_TITLE.render(self.lang, version=terms.version))
        texts = {"vi": [terms.text_vi], "en": [terms.text_en],
                 "both": [terms.text_vi, terms.text_en]}[self.lang]
        for text in texts:
            self.out.print(text, markup=False)
            self.out.print()

    def show_transaction(self, tx: Transaction, words: Vocabulary) -> None:
        self.out.print(transaction_table(tx, self.lang, words))

    def show_qr(self, data: str) -> None:
        """Half-block characters, two modules per line: scannable from a terminal."""
        drawn = io.StringIO()
        segno.make(data, error="m").terminal(out=drawn, compact=True)
        self.out.file.write(drawn.getvalue())
        self.out.file.flush()
