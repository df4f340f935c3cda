"""Optional per deployment: an authenticator app enrolled by QR code, through the API and
through ``kyso app authenticator`` (the app talking to the real server in process)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import segno
from fastapi.testclient import TestClient
from rich.console import Console

from kyso.app import enrol
from kyso.app.console import ConsoleUi
from kyso.app.context import AppContext
from kyso.app.errors import Cancelled
from kyso.app.i18n import Lang, Msg
from kyso.app.models import Terms, Transaction, Vocabulary
from kyso.app.state import Session
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.secrets import Secret
from tests.integration.api.conftest import PIN, auth, login, sign_up
from tests.integration.api.smartotp_helpers import Device, sms_code
from tests.integration.api.smartotp_helpers import enrol as enrol_device

SERVER = "http://testserver"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url,
                    smartotp_authenticator_apps=True)


@pytest.fixture
def customer(client: TestClient, clock: ManualClock) -> tuple[str, str]:
    clock.set(clock.now().replace(second=1))  # start of a time step
    return str(sign_up(client)["id"]), login(client)


def _oathtool(uri: str, when: ManualClock) -> str:
    tool = shutil.which("oathtool")
    if tool is None:
        pytest.fail("oathtool is missing; the project needs it: apt-get install -y oathtool")
    query = parse_qs(urlsplit(uri).query)
    args = [tool, "--totp=" + query["algorithm"][0].lower(), "--digits=" + query["digits"][0],
            "--time-step-size=" + query["period"][0] + "s", "-b", query["secret"][0],
            "--now=" + when.now().strftime("%Y-%m-%d %H:%M:%S UTC")]
    return subprocess.run(args, check=True, capture_output=True, text=True,
                          timeout=30).stdout.strip()


def _enrol(client: TestClient, container: Container, customer: tuple[str, str]) -> str:
    account_id, token = customer
    client.post("/api/v1/otp/send", headers=auth(token), json={"purpose": "SMARTOTP_REGISTER"})
    r = client.post("/api/v1/smartotp/authenticator", headers=auth(token),
                    json={"pin": PIN, "otp": sms_code(container, account_id,
                                                      "SMARTOTP_REGISTER")})
    assert r.status_code == 200, r.text
    return str(r.json()["otpauth_uri"])


def test_the_uri_names_the_account_and_its_codes_verify(
        client: TestClient, container: Container, clock: ManualClock,
        customer: tuple[str, str]) -> None:
    uri = _enrol(client, container, customer)
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert unquote(parts.path) == "/kyso:khach1"
    query = parse_qs(parts.query)
    assert query["issuer"] == ["kyso"] and len(query["secret"][0]) >= 32  # >= 160 bits
    code = _oathtool(uri, clock)  # an independent TOTP implementation
    r = client.post("/api/v1/smartotp/verify", headers=auth(customer[1]), json={"code": code})
    assert r.status_code == 204, r.text
    status = client.get("/api/v1/smartotp", headers=auth(customer[1])).json()
    assert status["status"] == "active"


def test_enrolling_an_authenticator_revokes_the_app_device(
        client: TestClient, container: Container, clock: ManualClock,
        customer: tuple[str, str]) -> None:
    device: Device = enrol_device(client, container, customer[1], customer[0], clock)
    clock.advance(61)  # past the SMS resend cool-down
    _enrol(client, container, customer)
    r = client.post("/api/v1/smartotp/verify", headers=auth(customer[1]),
                    json={"code": device.code()})
    assert r.status_code == 400 and r.json()["error"] == "invalid_otp"


def test_a_wrong_account_pin_enrols_nothing(client: TestClient, container: Container,
                                            customer: tuple[str, str]) -> None:
    account_id, token = customer
    client.post("/api/v1/otp/send", headers=auth(token), json={"purpose": "SMARTOTP_REGISTER"})
    otp = sms_code(container, account_id, "SMARTOTP_REGISTER")
    r = client.post("/api/v1/smartotp/authenticator", headers=auth(token),
                    json={"pin": "975310", "otp": otp})
    assert r.status_code == 401 and r.json()["error"] == "invalid_pin"
    assert client.get("/api/v1/smartotp", headers=auth(token)).json()["status"] == "none"


# -- kyso app authenticator ----------------------------------------------------------------


class LiveUi:
    """Answers computed when asked (the SMS code exists only once it was sent)."""

    lang: Lang = "en"

    def __init__(self, *answers: str | Callable[[], str]) -> None:
        self.answers = list(answers)
        self.said: list[str] = []
        self.qr: list[str] = []

    def ask(self, msg: Msg, *, secret: bool = False, **params: object) -> str:
        if not self.answers:
            raise Cancelled()
        answer = self.answers.pop(0)
        return answer() if callable(answer) else answer

    def confirm(self, msg: Msg, **params: object) -> bool:
        return self.ask(msg) == "y"

    def say(self, msg: Msg, **params: object) -> None:
        self.said.append(msg.render("en", **params))

    result = say

    def show_terms(self, terms: Terms) -> None:
        raise AssertionError("no terms in this flow")

    def show_transaction(self, tx: Transaction, words: Vocabulary) -> None:
        raise AssertionError("no transaction in this flow")

    def show_qr(self, data: str) -> None:
        self.qr.append(data)


@pytest.fixture
def app_ctx(client: TestClient, tmp_path: Path,
            customer: tuple[str, str]) -> Iterator[Callable[[LiveUi], AppContext]]:
    def make(ui: LiveUi) -> AppContext:
        env = {"KYSO_APP_HOME": str(tmp_path / "phone"), "KYSO_APP_SERVER": SERVER}
        ctx = AppContext.create(ui, environ=env,
                                transport=client._transport)  # the real app, in process
        ctx.save(session=Session(SERVER, "khach1", Secret(customer[1]), "2099-01-01"),
                 device_id="dev-1")
        return ctx

    yield make


def test_the_app_shows_the_uri_once_as_a_qr_code(
        app_ctx: Callable[[LiveUi], AppContext], container: Container, clock: ManualClock,
        client: TestClient, customer: tuple[str, str]) -> None:
    ui = LiveUi(PIN, lambda: sms_code(container, customer[0], "SMARTOTP_REGISTER"))
    ctx = app_ctx(ui)
    enrol.authenticator(ctx)
    [uri] = ui.qr
    assert uri.startswith("otpauth://totp/kyso:khach1?")
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    assert any(secret in line for line in ui.said)  # typed by hand if the camera fails
    assert ctx.state.token is None and secret not in ctx.store.path.read_text()
    code = _oathtool(uri, clock)
    r = client.post("/api/v1/smartotp/verify", headers=auth(customer[1]), json={"code": code})
    assert r.status_code == 204, r.text


def test_the_app_reports_a_disabled_deployment(app_ctx: Callable[[LiveUi], AppContext],
                                               container: Container,
                                               customer: tuple[str, str]) -> None:
    container.enrolment.policy = type(container.enrolment.policy)(authenticator_apps=False)
    ui = LiveUi(PIN, lambda: sms_code(container, customer[0], "SMARTOTP_REGISTER"))
    with pytest.raises(Exception, match="authenticator") as caught:
        enrol.authenticator(app_ctx(ui))
    assert getattr(caught.value, "status", None) == 403
    assert ui.qr == []


def test_the_console_draws_a_scannable_symbol() -> None:
    uri = "otpauth://totp/kyso:khach1?secret=" + "A" * 32 + "&issuer=kyso"
    out = io.StringIO()
    ConsoleUi("vi", out=Console(file=out, width=120)).show_qr(uri)
    lines = out.getvalue().splitlines()
    symbol = segno.make(uri, error="m")
    width, height = symbol.symbol_size(border=4)
    assert len(lines) == (height + 1) // 2  # two modules per line
    assert {len(line) for line in lines} == {width}
    assert set("".join(lines)) <= {" ", "█", "▀", "▄"}
