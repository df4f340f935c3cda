"""The flows on a scripted person and a fake server behind httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kyso.app import codes, enrol, transactions
from kyso.app.context import AppContext
from kyso.app.errors import ApiError, AppError, Cancelled
from kyso.app.i18n import Lang, Msg
from kyso.app.models import Terms, Transaction, Vocabulary
from kyso.app.state import Session
from kyso.app.token import SoftToken
from kyso.otp.oath import b32encode_seed, totp
from kyso.otp.ocra import OcraSuite, ocra, transaction_challenge
from kyso.secrets import Secret

SEED = bytes(range(32))
SUITE = "OCRA-1:HOTP-SHA256-8:QH64"
SERVER = "http://kyso.test"
LOCAL, SERVER_NOW = 1_800_000_000.0, 1_800_000_100.0


_PC_DETAILS = {"description": "Đổi PIN SmartOTP trên thiết bị này"}
PIN_CHANGE_TX: dict[str, Any] = {
    "id": "pc-1", "kind": "smartotp_pin_change", "details": _PC_DETAILS, "method": "smartotp",
    "question": transaction_challenge({"transaction_id": "pc-1", "kind": "smartotp_pin_change",
                                       **_PC_DETAILS}, length=64, fmt="H"),
    "ocra_suite": SUITE, "status": "pending", "created_at": "2027-01-15T08:01:40Z",
    "expires_at": "2027-01-15T08:06:40Z"}


class ScriptedUi:
    lang: Lang = "en"

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[Msg] = []
        self.said: list[str] = []

    def ask(self, msg: Msg, *, secret: bool = False, **params: object) -> str:
        self.asked.append(msg)
        if not self.answers:
            raise Cancelled()
        return self.answers.pop(0)

    def confirm(self, msg: Msg, **params: object) -> bool:
        return self.ask(msg) == "y"

    def say(self, msg: Msg, **params: object) -> None:
        self.said.append(msg.render("en", **params))

    result = say

    def show_terms(self, terms: Terms) -> None:
        self.said.append(terms.text_en)

    def show_transaction(self, tx: Transaction, words: Vocabulary) -> None:
        self.said.append(json.dumps(tx.details))


class FakeKyso:
    """Just enough of the API, with a clock 100 s ahead of the device."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.verified: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        self.calls.append(f"{request.method} {path}")
        body = json.loads(request.content) if request.content else {}
        handler = getattr(self, "_" + path.strip("/").replace("/", "_").replace("-", "_"),
                          None)
        if handler is None:
            return httpx.Response(404, json={"error": "not_found", "error_description": path})
        status, answer = handler(body)
        headers = {"Retry-After": str(answer.pop("_retry_after"))} \
            if isinstance(answer, dict) and "_retry_after" in answer else None
        return httpx.Response(status, json=answer, headers=headers)

    def _time(self, _: dict[str, Any]) -> tuple[int, Any]:
        return 200, {"time": "2027-01-15T08:01:40Z", "unix": SERVER_NOW}

    def _smartotp(self, _: dict[str, Any]) -> tuple[int, Any]:
        return 200, {"status": "active", "device_id": "dev", "otp_method": "smartotp"}

    def _smartotp_terms(self, _: dict[str, Any]) -> tuple[int, Any]:
        return 200, {"version": "v1", "text_vi": "Điều khoản", "text_en": "Terms"}

    def _otp_send(self, body: dict[str, Any]) -> tuple[int, Any]:
        return 202, {"purpose": body["purpose"], "destination": "+849***11", "expires_in": 300,
                     "resend_after": 60}

    def _smartotp_registrations(self, body: dict[str, Any]) -> tuple[int, Any]:
        assert body == {"terms_version": "v1", "pin": "246813", "otp": "111222"}
        return 201, {"token_id": "tok", "activation_expires_at": "2027-01-15T08:10:00Z",
                     "destination": "+849***11"}

    def _smartotp_activate(self, body: dict[str, Any]) -> tuple[int, Any]:
        return 200, {"token_id": "tok", "seed_b32": b32encode_seed(SEED), "algorithm": "sha256",
                     "digits": 6, "period": 30, "ocra_suite": SUITE,
                     "server_time": "2027-01-15T08:01:40Z"}

    def _smartotp_verify(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.verified.append(body["code"])
        if body["code"] == totp(SEED, SERVER_NOW, algorithm="sha256"):
            return 204, None
        return 400, {"error": "invalid_otp", "error_description": "The OTP is wrong."}

    def _smartotp_pin_change(self, _: dict[str, Any]) -> tuple[int, Any]:
        return 201, PIN_CHANGE_TX

    def _transactions_pc_1_confirm(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.verified.append(body["otp"])
        expected = ocra(OcraSuite.parse(SUITE), SEED, question=PIN_CHANGE_TX["question"])
        if body["otp"] == expected:
            return 200, PIN_CHANGE_TX | {"status": "confirmed"}
        return 400, {"error": "invalid_otp", "error_description": "The OTP is wrong."}

    def _transactions_tx_1_confirm(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.verified.append(body["otp"])
        return 200, {"id": "tx-1", "status": "confirmed"}


@pytest.fixture
def fake() -> FakeKyso:
    return FakeKyso()


def _ctx(tmp_path: Path, fake: FakeKyso, ui: ScriptedUi, *, logged_in: bool = True) -> AppContext:
    env = {"KYSO_APP_HOME": str(tmp_path), "KYSO_APP_SERVER": SERVER,
           "KYSO_APP_KDF_MEMORY_KIB": "1024"}
    ctx = AppContext.create(ui, environ=env, transport=httpx.MockTransport(fake),
                            clock=lambda: LOCAL)
    if logged_in:
        ctx.save(session=Session(SERVER, "khach1", Secret("t"), "2027-01-16"),
                 device_id="dev")
    return ctx


@pytest.fixture
def registered(tmp_path: Path, fake: FakeKyso) -> Iterator[AppContext]:
    ui = ScriptedUi("y", "246813", "111222", "12345678", "135792", "135792")
    ctx = _ctx(tmp_path, fake, ui)
    enrol.register(ctx, device_name="test")
    yield ctx


def test_register_sets_the_pin_before_the_seed_is_handed_over(registered: AppContext,
                                                              fake: FakeKyso) -> None:
    assert fake.calls.index("POST /smartotp/activate") == len(fake.calls) - 1
    state_file = registered.store.path.read_text()
    assert "135792" not in state_file and b32encode_seed(SEED) not in state_file
    assert registered.state.clock_offset == pytest.approx(SERVER_NOW - LOCAL)
    token = SoftToken.open(registered.require_token(), "135792")
    assert token.code_at(registered.now()).value == totp(SEED, SERVER_NOW, algorithm="sha256")


def test_a_mismatched_new_pin_is_asked_again_before_activation(tmp_path: Path,
                                                               fake: FakeKyso) -> None:
    ui = ScriptedUi("y", "246813", "111222", "12345678", "135792", "975318")
    with pytest.raises(Cancelled):
        enrol.register(_ctx(tmp_path, fake, ui), device_name="test")
    assert "POST /smartotp/activate" not in fake.calls
    assert any("do not match" in s for s in ui.said)


def test_resend_waits_for_the_server_cool_down(tmp_path: Path, fake: FakeKyso) -> None:
    ticks = iter([0.0, 10.0, 61.0, 61.0])
    ui = ScriptedUi("r", "r", "111 222")
    ctx = _ctx(tmp_path, fake, ui)
    with ctx.client() as api:
        code = enrol.ask_sms_code(ui, api, "PIN_RESET", monotonic=lambda: next(ticks))
    assert code == "111222"
    assert fake.calls.count("POST /otp/send") == 2
    assert any("Wait 50 seconds" in s for s in ui.said)


def test_a_first_send_waits_out_a_cool_down_once(tmp_path: Path, fake: FakeKyso) -> None:
    """A code for the same purpose went out a moment ago (register right after a reset):
    the app waits what the server says, once, then sends."""
    answers = iter([(429, {"error": "resend_too_soon", "_retry_after": 2,
                           "error_description": "Vui lòng đợi 2 giây."})])
    normal = fake._otp_send
    fake._otp_send = lambda body: next(answers, None) or normal(body)  # type: ignore[method-assign]
    slept: list[float] = []
    ui = ScriptedUi("111 222")
    ctx = _ctx(tmp_path, fake, ui)
    with ctx.client() as api:
        code = enrol.ask_sms_code(ui, api, "SMARTOTP_REGISTER", sleep=slept.append)
    assert code == "111222" and slept == [2]
    assert fake.calls.count("POST /otp/send") == 2
    assert any("Wait 2 seconds" in s for s in ui.said)


def test_a_long_cool_down_is_not_waited_for(tmp_path: Path, fake: FakeKyso) -> None:
    fake._otp_send = lambda body: (429, {  # type: ignore[method-assign]
        "error": "otp_send_limit", "_retry_after": 3600, "error_description": "Quá số lần."})
    ui = ScriptedUi("111 222")
    ctx = _ctx(tmp_path, fake, ui)
    with ctx.client() as api, pytest.raises(ApiError) as caught:
        enrol.ask_sms_code(ui, api, "SMARTOTP_REGISTER", sleep=lambda s: None)
    assert caught.value.status == 429 and caught.value.retry_after == 3600


def test_sync_stores_server_minus_local(tmp_path: Path, fake: FakeKyso) -> None:
    ctx = _ctx(tmp_path, fake, ScriptedUi(), logged_in=False)
    codes.sync(ctx)
    assert ctx.store.load().clock_offset == pytest.approx(100.0)


def test_change_pin_with_a_wrong_old_pin_changes_nothing(registered: AppContext,
                                                        fake: FakeKyso) -> None:
    before = registered.require_token()
    registered.ui = ScriptedUi("975318", "864209", "864209")
    with pytest.raises(AppError) as caught:
        codes.change_pin(registered)
    assert "old SmartOTP PIN is wrong" in caught.value.describe("en")
    assert registered.store.load().token == before and len(fake.verified) == 1


def test_change_pin_relocks_the_same_seed(registered: AppContext, fake: FakeKyso) -> None:
    registered.ui = ScriptedUi("135792", "864209", "864209")
    codes.change_pin(registered)
    stored = registered.store.load().token
    assert stored is not None
    token = SoftToken.open(stored, "864209")
    assert token.code_at(SERVER_NOW).value == totp(SEED, SERVER_NOW, algorithm="sha256")


def _tx(method: str) -> dict[str, Any]:
    details = {"email": "moi@example.vn"}
    q = transaction_challenge({"transaction_id": "tx-1", "kind": "contact_change", **details},
                              length=64, fmt="H")
    return {"id": "tx-1", "kind": "contact_change", "details": details, "method": method,
            "question": q if method == "smartotp" else None,
            "ocra_suite": SUITE if method == "smartotp" else None, "status": "pending",
            "created_at": "2027-01-15T08:00:00Z", "expires_at": "2027-01-15T08:05:00Z"}


@pytest.mark.parametrize("method", ["smartotp", "sms"])
def test_confirm_fills_in_the_code(registered: AppContext, fake: FakeKyso, method: str) -> None:
    fake._transactions_tx_1 = lambda body: (200, _tx(method))  # type: ignore[attr-defined]
    registered.ui = ScriptedUi("135792" if method == "smartotp" else "445566")
    transactions.confirm(registered, "tx-1")
    expected = ocra(SUITE, SEED, question=_tx(method)["question"]) if method == "smartotp" \
        else "445566"
    assert fake.verified == [expected]


def test_code_for_a_transaction_confirmed_elsewhere(registered: AppContext,
                                                    fake: FakeKyso) -> None:
    """`kyso app code --for ID`: the OCRA answer to type in the web app; nothing confirmed."""
    fake._transactions_tx_1 = lambda body: (200, _tx("smartotp"))  # type: ignore[attr-defined]
    registered.ui = ScriptedUi("135792")
    code = transactions.code_for(registered, "tx-1")
    assert code == ocra(SUITE, SEED, question=_tx("smartotp")["question"])
    assert fake.verified == [] and "POST /transactions/tx-1/confirm" not in fake.calls


def test_code_for_refuses_a_tampered_question(registered: AppContext, fake: FakeKyso) -> None:
    tampered = _tx("smartotp") | {"details": {"email": "ke-gian@example.vn"}}
    fake._transactions_tx_1 = lambda body: (200, tampered)  # type: ignore[attr-defined]
    registered.ui = ScriptedUi("135792")
    with pytest.raises(AppError) as caught:
        transactions.code_for(registered, "tx-1")
    assert "challenge" in caught.value.describe("en")
