"""What results look like: codes (once, as JSON, or live with a countdown), tables."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Column, Table

from kyso.app import messages as m
from kyso.app.account import StatusReport
from kyso.app.i18n import Lang, Msg
from kyso.app.models import Transaction, Vocabulary
from kyso.app.token import Code, SoftToken

__all__ = ["code_json", "code_line", "id_column", "live_codes", "status_table",
           "transaction_table", "transactions_table"]


def code_line(code: Code, lang: Lang) -> str:
    return m.CODE_LINE.render(lang, code=code.value, seconds=int(code.expires_in))


def code_json(code: Code) -> str:
    return json.dumps({"code": code.value, "counter": code.counter,
                       "expires_in": round(code.expires_in, 3), "period": code.period})


def live_codes(console: Console, token: SoftToken, now: Callable[[], float], lang: Lang,
               tick: float = 0.25) -> None:
    """The OTP screen: the code and a bar that empties over its step, until Ctrl+C."""
    columns = (TextColumn("{task.description}"), BarColumn(bar_width=30))
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("", total=token.params.step)
        while True:
            code = token.code_at(now())
            text = m.CODE_LIVE.render(lang, code=code.value, seconds=int(code.expires_in))
            progress.update(task, description=text, completed=code.expires_in)
            time.sleep(tick)


def _label(msg: Msg, lang: Lang) -> str:
    return msg.render(lang)


def status_table(report: StatusReport, lang: Lang, words: Vocabulary | None = None) -> Table:
    """The device and the server's view of the token; statuses and methods in the server's
    words (``GET /vocabulary``), never their codes."""
    words = words or Vocabulary()
    table = Table(show_header=False, box=None)
    none = _label(m.L_NONE, lang)
    rows = [(m.L_SERVER, report.server), (m.L_DEVICE, report.device_id),
            (m.L_LOGIN, report.login or none),
            (m.L_LOCAL_TOKEN, report.token_id or none),
            (m.L_CLOCK, f"{report.clock_offset:+.1f} s")]
    remote = report.remote
    if remote is not None:
        rows += [(m.L_STATUS, words.word("token_statuses", remote.status)),
                 (m.L_METHOD, words.word("otp_methods", remote.otp_method))]
    labelled = [(_label(label, lang), value) for label, value in rows]
    for name, state in sorted(remote.methods.items() if remote else ()):
        lock = _label(m.L_LOCKED if state.locked else m.L_OPEN, lang)
        reason = f" ({state.reason})" if state.reason else ""
        named = m.L_METHOD_NAMED.render(lang, name=words.word("otp_methods", name))
        labelled.append((named, lock + reason))
    for label, value in labelled:
        table.add_row(label, value)
    return table


def transaction_table(tx: Transaction, lang: Lang, words: Vocabulary) -> Table:
    """One transaction; its kind in the server's words (``GET /vocabulary``)."""
    table = Table(show_header=False, title=f"{_label(m.L_TRANSACTION, lang)} {tx.id}")
    table.add_row(_label(m.L_KIND, lang), words.word("transaction_kinds", tx.kind))
    for key, value in tx.details.items():
        table.add_row(words.word("detail_labels", key), value)
    table.add_row(_label(m.L_EXPIRES, lang), tx.expires_at.astimezone().strftime("%d/%m/%Y %H:%M"))
    return table


def id_column(header: str, ids: list[str]) -> Column:
    """A column of IDs shown whole (the next command takes them), never cut by the width."""
    return Column(header, no_wrap=True, min_width=max((len(i) for i in ids), default=0))


def transactions_table(txs: list[Transaction], lang: Lang, words: Vocabulary) -> Table:
    table = Table(id_column(_label(m.L_TRANSACTION, lang), [tx.id for tx in txs]),
                  *(_label(x, lang) for x in (m.L_KIND, m.L_DETAILS, m.L_EXPIRES)))
    for tx in txs:
        details = "\n".join(f"{words.word('detail_labels', k)}: {v}"
                            for k, v in tx.details.items())
        table.add_row(tx.id, words.word("transaction_kinds", tx.kind), details,
                      tx.expires_at.astimezone().strftime("%d/%m/%Y %H:%M"))
    return table
