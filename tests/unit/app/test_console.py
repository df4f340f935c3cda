"""The terminal adapter: piped answers one line each, prompts on stderr, results on stdout."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from kyso.app import messages as m
from kyso.app.console import ConsoleUi
from kyso.app.errors import Cancelled


def _ui(stdin: str, **kwargs: bool) -> tuple[ConsoleUi, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    ui = ConsoleUi("both", out=Console(file=out, width=200), err=Console(file=err, width=200),
                   stdin=io.StringIO(stdin), **kwargs)
    return ui, out, err


def test_piped_answers_are_read_line_by_line_with_the_prompt_on_stderr() -> None:
    ui, out, err = _ui(" khach1 \n135792\n")
    assert ui.ask(m.ASK_SERVER_LOGIN) == "khach1"
    assert ui.ask(m.ASK_SMARTOTP_PIN, secret=True) == "135792"
    assert "Tên đăng nhập / Login name: " in err.getvalue() and out.getvalue() == ""
    assert "135792" not in err.getvalue()


def test_pin_stdin_reads_secrets_without_a_prompt() -> None:
    ui, _, err = _ui("135792\n", secrets_from_stdin=True)
    assert ui.ask(m.ASK_SMARTOTP_PIN, secret=True) == "135792"
    assert err.getvalue() == ""


def test_the_end_of_input_cancels_an_ask_and_means_no_to_a_question() -> None:
    ui, _, _ = _ui("")
    with pytest.raises(Cancelled):
        ui.ask(m.ASK_PASSWORD, secret=True)
    assert ui.confirm(m.ASK_ACCEPT_TERMS) is False
    for answer, expected in (("c\n", True), ("có\n", True), ("y\n", True), ("k\n", False)):
        assert _ui(answer)[0].confirm(m.ASK_ACCEPT_TERMS) is expected


def test_results_go_to_stdout_and_errors_to_stderr_without_markup() -> None:
    ui, out, err = _ui("")
    ui.result(m.TX_CONFIRMED, id="[bold]x[/]")
    ui.error("Mã OTP không đúng. [c/k]")
    assert "[bold]x[/]" in out.getvalue()
    assert "Lỗi / Error: Mã OTP không đúng. [c/k]" in err.getvalue()
