"""``kyso support``: the support desk locks and unlocks a customer's OTP method."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from kyso.accounts.identifiers import normalize_login
from kyso.accounts.model import Role
from kyso.entrypoints.cli.context import console, fail, open_container
from kyso.otp.methods import Staff
from kyso.otp.token import Method

app = typer.Typer(help="Tổng đài hỗ trợ / support desk.", no_args_is_help=True)

Customer = Annotated[str, typer.Argument(help="Login name, phone, email or ID number.")]
MethodArg = Annotated[Method, typer.Argument(help="sms or smartotp.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")]


def _change(login: str, method: Method, reason: str, *, lock: bool) -> None:
    staff = Staff(f"cli:{getpass.getuser()}", Role.SUPPORT)
    with open_container() as container:
        with container.uow() as uow:
            account = uow.accounts.find_by_login(normalize_login(login))
        if account is None:
            raise fail(f"không tìm thấy khách hàng / no such customer: {login}")
        if lock:
            container.otp_methods.support_lock(staff, account.id, method, reason)
        else:
            container.otp_methods.support_unlock(staff, account.id, method, reason)
    verb = "đã khóa / locked" if lock else "đã mở khóa / unlocked"
    console.print(f"[green]{method.value} {verb}[/] — {account.username}")


@app.command()
def lock(customer: Customer, method: MethodArg, reason: Reason) -> None:
    """Tạm khóa phương thức nhận OTP (e.g. suspected impersonation)."""
    _change(customer, method, reason, lock=True)


@app.command()
def unlock(customer: Customer, method: MethodArg, reason: Reason) -> None:
    """Mở khóa phương thức nhận OTP (also clears a SmartOTP failure lock)."""
    _change(customer, method, reason, lock=False)
