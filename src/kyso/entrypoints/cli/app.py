"""``kyso app``: the customer's SmartOTP app on the command line.

It talks to a kyso server over HTTP and keeps the token on this device (``KYSO_APP_HOME``).
Each command is a thin shell over one flow in :mod:`kyso.app`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel
from rich.table import Table

from kyso.app import account, billing, codes, consents, enrol, onboard, support, transactions
from kyso.app import messages as m
from kyso.app import recovery as app_recovery
from kyso.app import requests as sign_requests
from kyso.app import signup as app_signup
from kyso.app.console import ConsoleUi
from kyso.app.context import AppContext
from kyso.app.errors import ApiError, AppError
from kyso.app.i18n import Lang, Msg, resolve_lang
from kyso.app.signing import Level, SignRequest, sign_file
from kyso.app.token import SoftToken
from kyso.app.views import code_json, code_line, live_codes, status_table, transactions_table

__all__ = ["app"]

app = typer.Typer(
    help="Ứng dụng SmartOTP của khách hàng / the customer's SmartOTP app. Cần hỗ trợ? "
         "kyso app about cho biết số tổng đài và email hỗ trợ / need help? kyso app about "
         "gives the support desk's phone and email.",
    epilog="Environment: KYSO_APP_HOME (state; default ~/.config/kyso-app), KYSO_APP_SERVER, "
           "KYSO_APP_LANG; KYSO_APP_KDF_MEMORY_KIB lowers the device KDF's memory (tests only).",
    no_args_is_help=True)


class Method(StrEnum):
    sms = "sms"
    smartotp = "smartotp"


class Language(StrEnum):
    vi = "vi"
    en = "en"
    both = "both"


PinStdin = Annotated[bool, typer.Option(
    "--pin-stdin", help="Đọc PIN từ stdin, không hiện lời nhắc / read PINs from stdin, no prompt.")]
Once = Annotated[bool, typer.Option("--once", help="In mã một lần rồi thoát / print once, exit.")]
AsJson = Annotated[bool, typer.Option("--json", help="Kết quả dạng JSON / output JSON.")]
Otp = Annotated[str | None, typer.Option(help="Mã OTP đã nhận qua SMS / the OTP received by SMS.")]


_HINTS = {"invalid_token": m.SESSION_EXPIRED, "expired_token": m.SESSION_EXPIRED,
          "unauthorized": m.SESSION_EXPIRED, "invalid_otp": m.HINT_INVALID_OTP}

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class _Options:
    server: str | None = None
    lang: str | None = None


@app.callback()
def options(
    ctx: typer.Context,
    server: Annotated[str | None, typer.Option(
        help="Máy chủ kyso / kyso server URL (else KYSO_APP_SERVER, the stored one, "
             "http://127.0.0.1:8000).")] = None,
    lang: Annotated[Language | None, typer.Option(
        help="Ngôn ngữ / language (else KYSO_APP_LANG, then LANG; default both).")] = None,
) -> None:
    ctx.obj = _Options(server, lang.value if lang else None)


@dataclass(frozen=True)
class _Command:
    app: AppContext
    ui: ConsoleUi


@contextmanager
def _run(ctx: typer.Context, *, pin_stdin: bool = False,
         server: str | None = None) -> Iterator[_Command]:
    """One command's context; every AppError ends as a red line and exit 1."""
    opts = ctx.find_object(_Options) or _Options()
    try:
        lang = resolve_lang(opts.lang, os.environ)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--lang") from None
    ui = ConsoleUi(lang, secrets_from_stdin=pin_stdin)
    made: AppContext | None = None
    try:
        made = AppContext.create(ui, server=server or opts.server)
        yield _Command(made, ui)
    except AppError as exc:
        ui.error(exc.describe(lang))
        hint = _HINTS.get(exc.code) if isinstance(exc, ApiError) else None
        if hint is not None:
            ui.say(hint)
        if made is not None:
            support.after_error(made, exc)  # a lock-out: the desk's number
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        ui.err.print()
        raise typer.Exit(130) from None


def _show_code(c: _Command, token: SoftToken, *, once: bool, as_json: bool) -> None:
    if as_json:
        c.ui.out.print_json(code_json(token.code_at(c.app.now())))
    elif once:
        c.ui.out.print(code_line(token.code_at(c.app.now()), c.ui.lang), markup=False)
    else:
        try:
            live_codes(c.ui.out, token, c.app.now, c.ui.lang)
        except KeyboardInterrupt:
            return


@app.command()
def login(
    ctx: typer.Context,
    server: Annotated[str | None, typer.Option(help="Máy chủ kyso / kyso server URL.")] = None,
    name: Annotated[str | None, typer.Option("--login", help="Tên đăng nhập / login name.")] = None,
) -> None:
    """Đăng nhập / log in (login name + password); keeps the session on this device."""
    with _run(ctx, server=server) as c:
        account.login(c.app, name)


@app.command()
def signup(
    ctx: typer.Context,
    server: Annotated[str | None, typer.Option(help="Máy chủ kyso / kyso server URL.")] = None,
    pin_stdin: PinStdin = False,
) -> None:
    """Đăng ký tài khoản / sign up: name, phone, email, password, account PIN; the codes sent
    to the phone and the email activate the account; then logged in on this device."""
    with _run(ctx, pin_stdin=pin_stdin, server=server) as c:
        app_signup.signup(c.app)


@app.command("forgot-password")
def forgot_password(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--login", help="Tên đăng nhập, số điện thoại "
                                             "hoặc email / login name, phone or email.")] = None,
    email: Annotated[bool, typer.Option("--email", help="Nhận mã qua email / the code by "
                                        "email (else by SMS).")] = False,
    pin_stdin: PinStdin = False,
) -> None:
    """Quên mật khẩu / forgot the password: a code to the registered phone or email and the
    account PIN set a new password; every session ends."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        app_recovery.forgot_password(c.app, name, by_email=email)


@app.command("recover-identity")
def recover_identity(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--login", help="Tên đăng nhập, số điện thoại "
                                             "hoặc email / login name, phone or email.")] = None,
    complete: Annotated[bool, typer.Option("--complete", help="Đã có mã khôi phục: đặt mật "
                                           "khẩu và mã PIN mới / the recovery code sets a new "
                                           "password and account PIN.")] = False,
    pin_stdin: PinStdin = False,
) -> None:
    """Quên cả mật khẩu và mã PIN / both lost: the phone's code and the ID images go to an
    officer; with --complete, the recovery code sets a new password and account PIN."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        app_recovery.recover_identity(c.app, name, complete=complete)


@app.command("account-pin")
def account_pin(
    ctx: typer.Context,
    forgot: Annotated[bool, typer.Option("--forgot", help="Quên mã PIN tài khoản: dùng mật "
                                         "khẩu / forgot it: use the password.")] = False,
    pin_stdin: PinStdin = False,
) -> None:
    """Đổi mã PIN tài khoản / change the account PIN (the old PIN, or --forgot the password,
    and an SMS code)."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        app_recovery.account_pin(c.app, forgot=forgot)


@app.command()
def about(ctx: typer.Context) -> None:
    """Giới thiệu và liên hệ hỗ trợ / about this app and the support desk (phone, email)."""
    with _run(ctx) as c:
        support.about(c.app)


@app.command()
def logout(ctx: typer.Context) -> None:
    """Đăng xuất / log out."""
    with _run(ctx) as c:
        account.logout(c.app)


@app.command()
def status(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Trạng thái / the token on the server (status, method, locks) and on this device."""
    with _run(ctx) as c:
        report = account.status(c.app)
        if as_json:
            c.ui.out.print_json(data=report.to_json())
        else:
            words = None
            if report.remote is not None:  # the server answered: its words for its codes
                with c.app.client() as client:
                    words = transactions.words_of(client)
            c.ui.out.print(status_table(report, c.ui.lang, words))
            if report.locked:
                support.tell_locked(c.app)


@app.command()
def register(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option(
        "--out-dir", help="Nơi lưu hợp đồng và biên bản / where the contract and the "
                          "acceptance record are saved.")] = Path(),
    device_name: Annotated[str | None, typer.Option(help="Tên thiết bị / device name.")] = None,
    pin_stdin: PinStdin = False,
) -> None:
    """Đăng ký chứng thư số / register for a certificate: the ID card's data, payment,
    activation, eKYC, contract, appraisal, acceptance record. Run again to resume."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        onboard.register(c.app, out_dir, device_name or _device())


@app.command("smartotp-register")
def smartotp_register(
    ctx: typer.Context,
    accept_terms: Annotated[bool, typer.Option(
        "--accept-terms", help="Đồng ý với Điều khoản / accept the terms.")] = False,
    device_name: Annotated[str | None, typer.Option(help="Tên thiết bị / device name.")] = None,
    pin_stdin: PinStdin = False,
) -> None:
    """Đăng ký SmartOTP / register SmartOTP on this device."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        enrol.register(c.app, accept_terms=accept_terms, device_name=device_name or _device())


@app.command()
def authenticator(ctx: typer.Context, pin_stdin: PinStdin = False) -> None:
    """Dùng ứng dụng xác thực khác (mã QR) / enrol an authenticator app with a QR code
    (only where the service allows it)."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        enrol.authenticator(c.app)


@app.command()
def otp(ctx: typer.Context, once: Once = False, as_json: AsJson = False,
        pin_stdin: PinStdin = False) -> None:
    """Giải pháp 1: lấy mã OTP không cần đăng nhập / a code without logging in (offline)."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        _show_code(c, codes.offline_token(c.app), once=once, as_json=as_json)


@app.command()
def code(ctx: typer.Context, once: Once = False, as_json: AsJson = False,
         pin_stdin: PinStdin = False,
         transaction: Annotated[str | None, typer.Option(
             "--for", help="Mã cho giao dịch này, để nhập trên trang web / the code for this "
                           "transaction, to type in the web app.")] = None) -> None:
    """Giải pháp 2: lấy mã OTP cho kênh giao dịch khác / a code for another channel."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        if transaction is None:
            _show_code(c, codes.logged_in_token(c.app), once=once, as_json=as_json)
            return
        value = transactions.code_for(c.app, transaction)
        if as_json:
            c.ui.out.print_json(data={"transaction": transaction, "code": value})
        else:
            c.ui.result(m.TX_CODE, id=transaction, code=value)


@app.command("transactions")
def list_transactions(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Giao dịch chờ xác nhận / transactions waiting for confirmation."""
    with _run(ctx) as c, c.app.client() as client:
        table = partial(transactions_table, words=transactions.words_of(client))
        _listing(c, transactions.pending(c.app), table, as_json, m.TX_NONE)


@app.command("requests")
def list_requests(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Yêu cầu ký số chờ xác nhận / signing requests from relying parties (SP769)."""
    with _run(ctx) as c:
        pending = sign_requests.pending(c.app)
        if as_json:
            c.ui.out.print_json(data=[r.to_json() for r in pending])
        elif not pending:
            c.ui.result(sign_requests.NONE)
        else:
            c.ui.out.print(sign_requests.requests_table(pending, c.ui.lang))
            c.ui.say(sign_requests.HINT)


@app.command("parties")
def list_parties(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Các bên tin cậy (SP769) / relying parties you may let in."""
    with _run(ctx) as c:
        _listing(c, consents.parties(c.app), consents.table, as_json, consents.NO_PARTIES)


@app.command("consents")
def list_consents(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Các bên tin cậy Quý khách đã cho phép / relying parties you have let in."""
    with _run(ctx) as c:
        _listing(c, consents.consents(c.app), consents.table, as_json, consents.NONE)


@app.command()
def allow(ctx: typer.Context, sp_id: Annotated[str, typer.Argument(metavar="SP_ID")],
          pin_stdin: PinStdin = False) -> None:
    """Cho phép bên tin cậy xem chứng thư số và gửi yêu cầu ký (cần mã PIN tài khoản) / let a
    relying party in (asks the account PIN)."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        consents.grant(c.app, sp_id)


@app.command()
def disallow(ctx: typer.Context, sp_id: Annotated[str, typer.Argument(metavar="SP_ID")]) -> None:
    """Thu hồi quyền của bên tin cậy / revoke a relying party's access."""
    with _run(ctx) as c:
        consents.revoke(c.app, sp_id)


@app.command()
def confirm(ctx: typer.Context, transaction_id: Annotated[str, typer.Argument(metavar="ID")],
            otp: Otp = None, pin_stdin: PinStdin = False) -> None:
    """Giải pháp 3: xác nhận giao dịch, mã OTP tự động ghi nhận / confirm; the code fills in."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        transactions.confirm(c.app, transaction_id, otp)


@app.command()
def reject(ctx: typer.Context,
           transaction_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Từ chối giao dịch / reject a transaction."""
    with _run(ctx) as c:
        transactions.reject(c.app, transaction_id)


@app.command("contact-change")
def contact_change(
    ctx: typer.Context,
    phone: Annotated[str | None, typer.Option(help="Số điện thoại mới / new phone.")] = None,
    email: Annotated[str | None, typer.Option(help="Email mới / new email.")] = None,
    otp: Otp = None,
    pin_stdin: PinStdin = False,
) -> None:
    """Thay đổi thông tin liên hệ / change phone or email, confirmed as a transaction."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        transactions.contact_change(c.app, phone=phone, email=email, otp=otp)


@app.command()
def method(ctx: typer.Context, chosen: Annotated[Method, typer.Argument(metavar="sms|smartotp")],
           pin_stdin: PinStdin = False) -> None:
    """Thay đổi phương thức nhận OTP / choose SMS or SmartOTP (account PIN)."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        account.set_method(c.app, chosen.value)


@app.command()
def lock(ctx: typer.Context, chosen: Annotated[Method, typer.Argument(metavar="sms|smartotp")],
         pin_stdin: PinStdin = False) -> None:
    """Tạm khóa phương thức nhận OTP / lock a method temporarily (account PIN)."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        account.lock_method(c.app, chosen.value)


@app.command("change-pin")
def change_pin(ctx: typer.Context, pin_stdin: PinStdin = False) -> None:
    """Thay đổi PIN SmartOTP / change the SmartOTP PIN (the old one is checked online)."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        codes.change_pin(c.app)


@app.command("forgot-pin")
def forgot_pin(ctx: typer.Context, pin_stdin: PinStdin = False) -> None:
    """Quên PIN SmartOTP / forgot the PIN: revoke the token, then register again."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        if enrol.forgot_pin(c.app):
            enrol.register(c.app, device_name=_device())


@app.command()
def sync(ctx: typer.Context) -> None:
    """Đồng bộ thời gian / sync this device's clock offset with the server."""
    with _run(ctx) as c:
        codes.sync(c.app)


@app.command()
def resync(ctx: typer.Context, pin_stdin: PinStdin = False) -> None:
    """Đồng bộ lại SmartOTP / send two consecutive codes so the server learns this clock."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        codes.resync(c.app)


@app.command()
def sign(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Tệp cần ký / the file to sign.")],
    visible: Annotated[bool, typer.Option(help="Hiện hình chữ ký / a visible stamp.")] = False,
    level: Annotated[Level, typer.Option(help="Mức PAdES / the PAdES level.")] = Level.B_B,
    cades: Annotated[bool, typer.Option(help="Chữ ký CAdES tách rời (.p7s) cho mọi tệp / a "
                                             "detached CAdES signature of any file.")] = False,
    xades: Annotated[bool, typer.Option(help="Chữ ký XAdES trong tệp XML (hóa đơn điện tử) / "
                                             "an XAdES signature inside an XML file.")] = False,
    reason: Annotated[str | None, typer.Option(help="Lý do ký / reason.")] = None,
    location: Annotated[str | None, typer.Option(help="Nơi ký / location.")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Tệp kết quả / output.")] = None,
    otp: Otp = None,
    pin_stdin: PinStdin = False,
) -> None:
    """Ký số tài liệu / sign a PDF (or, with --cades, any file; with --xades, an XML file)."""
    with _run(ctx, pin_stdin=pin_stdin) as c:
        sign_file(c.app, SignRequest(file, level, visible, cades, reason, location, out,
                                     xades=xades), otp)


def _listing(c: _Command, items: Sequence[T], table: Callable[[list[T], Lang], Table],
             as_json: bool, empty: Msg | None = None) -> None:
    """A list the server gave: JSON, the empty message, or a table in the person's language."""
    if as_json:
        c.ui.out.print_json(data=[item.model_dump(mode="json") for item in items])
    elif not items and empty is not None:
        c.ui.result(empty)
    else:
        c.ui.out.print(table(list(items), c.ui.lang))


def _device() -> str:
    return f"kyso app ({socket.gethostname()})"[:64]


@app.command("catalog")
def catalog(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Danh mục gói cước / the packages and signature packs on sale."""
    with _run(ctx) as c, c.app.client() as client:
        _listing(c, client.catalog(), billing.products_table, as_json)


@app.command("buy")
def buy(
    ctx: typer.Context,
    product: Annotated[str, typer.Argument(help="Mã gói / product code (kyso app catalog).")],
    cert: Annotated[str | None, typer.Option(
        "--cert", help="Chứng thư số nhận gói / the certificate it is for (kyso app certs).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Mua gói lượt ký / order a package; prints the link to pay at (sandbox or VNPay)."""
    with _run(ctx) as c, c.app.client() as client:
        order = client.order(product, cert)
        if as_json:
            c.ui.out.print_json(data=order.model_dump(mode="json"))
        elif order.payment_url:
            c.ui.say(billing.PAY_AT, id=order.id, amount=billing.vnd(order.amount))
            c.ui.out.print(order.payment_url, markup=False, soft_wrap=True)
        else:
            c.ui.out.print(billing.orders_table([order], c.ui.lang,
                                                transactions.words_of(client)))


@app.command("renew")
def renew(
    ctx: typer.Context,
    cert: Annotated[str, typer.Argument(metavar="CREDENTIAL",
                                        help="Chứng thư số cần gia hạn / the certificate.")],
    order: Annotated[str, typer.Argument(metavar="ORDER", help=(
        "Gói chứng thư số đã thanh toán / a paid certificate package (kyso app buy, orders)."))],
    pin_stdin: PinStdin = False,
) -> None:
    """Gia hạn chứng thư số: khóa và chứng thư số mới, xác nhận bằng SmartOTP / renew a
    certificate with a paid package (a new key; confirmed with SmartOTP)."""
    with _run(ctx, pin_stdin=pin_stdin) as c, c.app.client() as client:
        transactions.confirm_open(c.app, client, client.renew(cert, order))
        c.ui.result(billing.RENEWED)


@app.command("orders")
def orders(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Đơn hàng của Quý khách / your orders."""
    with _run(ctx) as c, c.app.client() as client:
        table = partial(billing.orders_table, words=transactions.words_of(client))
        _listing(c, client.orders(), table, as_json)


@app.command("certs")
def certs(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Chứng thư số: gói, hạn, lượt ký khả dụng / certificates, packages, signatures left."""
    with _run(ctx) as c, c.app.client() as client:
        table = partial(billing.certificates_table, words=transactions.words_of(client))
        _listing(c, client.certificates(), table, as_json)
