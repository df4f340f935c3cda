"""``kyso ra``: the RA officer's review queue — list, show, approve, reject.

The officer names their staff account (``--officer``, made with ``kyso admin create-user
--role ra_officer``) and types its password; every decision is
audited under that account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kyso.entrypoints.cli.context import console, fail, open_container
from kyso.errors import KysoError
from kyso.onboarding.model import Registration
from kyso.onboarding.states import State

if TYPE_CHECKING:
    from kyso.bootstrap import Container  # the composition root loads only when used

app = typer.Typer(help="Thẩm định hồ sơ đăng ký / RA appraisal.", no_args_is_help=True)

Officer = Annotated[str, typer.Option("--officer", help="The RA officer's login name.")]
Case = Annotated[str, typer.Argument(help="The registration id.")]


def _officer(container: Container, login: str) -> str:
    password = typer.prompt("Mật khẩu / password", hide_input=True)
    session, _ = container.accounts.login(login, password)
    return session.account_id


def _run(login: str, action: str, *args: object, **kwargs: object) -> object:
    with open_container() as container:
        try:
            officer = _officer(container, login)
            return getattr(container.review, action)(officer, *args, **kwargs)
        except KysoError as exc:
            raise fail(exc.describe("vi")) from None


def _print(r: Registration) -> None:
    o, c, d = r.owner, r.contact, r.owner.document
    console.print(f"[bold]{r.id}[/] — {r.state.vi} ({r.state.value})")
    console.print(f"  Họ tên: {o.full_name}   Ngày sinh: {o.birth_date:%d/%m/%Y}   "
                  f"Giới tính: {o.sex.value}")
    console.print(f"  Giấy tờ: {d.uid}, cấp {d.issued:%d/%m/%Y}, hạn "
                  f"{d.expires:%d/%m/%Y}" if d.expires else f"  Giấy tờ: {d.uid}")
    console.print(f"  Liên hệ: {c.email}, {c.phone}; {c.address}, {c.locality}, {c.province}")
    console.print(f"  Gói: {r.package}   Đơn hàng: {r.order_id}   eKYC: {r.checks}")
    if r.images:
        console.print(f"  Ảnh: {r.images.front[:12]}… {r.images.back[:12]}… "
                      f"{r.images.portrait[:12]}… (GET /api/v1/ra/registrations/{r.id}/images/…)")
    if r.review:
        console.print(f"  Quyết định: {'duyệt' if r.review.approved else 'từ chối'} bởi "
                      f"{r.review.officer}; {r.review.reason or ''}")


@app.command("list")
def list_(officer: Officer, state: State = State.UNDER_REVIEW) -> None:
    """Hồ sơ chờ thẩm định (or in another state)."""
    found = _run(officer, "queue", state)
    assert isinstance(found, list)
    table = Table("id", "họ tên", "giấy tờ", "trạng thái", "cập nhật")
    for r in found:
        table.add_row(r.id, r.owner.full_name, r.owner.document.uid, r.state.value,
                      f"{r.updated_at:%Y-%m-%d %H:%M}")
    console.print(table)


@app.command()
def show(case: Case, officer: Officer) -> None:
    """Một hồ sơ: dữ liệu, kết quả kiểm tra, ảnh."""
    found = _run(officer, "show", case)
    assert isinstance(found, Registration)
    _print(found)


@app.command()
def approve(case: Case, officer: Officer) -> None:
    """Duyệt: tạo khóa, cấp chứng thư số, báo cho khách hàng."""
    found = _run(officer, "approve", case)
    assert isinstance(found, Registration)
    console.print(f"[green]đã duyệt / approved[/] — {found.credential_id}")


@app.command()
def reject(case: Case, officer: Officer,
           reason: Annotated[str, typer.Option("--reason", help="Shown to the customer.")],
           resubmittable: Annotated[bool, typer.Option(
               "--resubmittable", help="The customer may correct and resubmit.")] = False,
           ) -> None:
    """Từ chối với lý do khách hàng nhìn thấy."""
    _run(officer, "reject", case, reason, resubmittable=resubmittable)
    console.print("[yellow]đã từ chối / rejected[/]")
