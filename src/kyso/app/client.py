"""A typed HTTP client for the kyso API, as the customer app uses it.

Every failure is translated here, once: an ``{"error", "error_description"}`` answer (or any
other HTTP error) becomes :class:`ApiError`; no answer becomes :class:`ServerUnreachable`; an
answer that does not parse becomes :class:`BadResponse`. Calls that need a session raise
:class:`NotLoggedIn` before anything is sent.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from kyso import __version__
from kyso.app import messages as m
from kyso.app.errors import ApiError, AppError, BadResponse, NotLoggedIn, ServerUnreachable
from kyso.app.i18n import Lang
from kyso.app.models import (
    Acceptance,
    Account,
    Activation,
    Certificate,
    Consent,
    Contact,
    Login,
    Onboarding,
    Order,
    Party,
    PendingSignUp,
    Product,
    Registration,
    SentCode,
    ServerTime,
    Terms,
    TokenStatus,
    Transaction,
    Vocabulary,
)
from kyso.secrets import Secret

__all__ = ["KysoClient"]

M = TypeVar("M", bound=BaseModel)
_TRANSACTIONS = TypeAdapter(list[Transaction])
_PRODUCTS = TypeAdapter(list[Product])
_ORDERS = TypeAdapter(list[Order])
_CERTIFICATES = TypeAdapter(list[Certificate])
_PARTIES = TypeAdapter(list[Party])
_CONSENTS = TypeAdapter(list[Consent])


class KysoClient:
    """One server, one optional session. Use as a context manager, or call :meth:`close`."""

    def __init__(self, server: str, *, session: Secret | None = None, lang: Lang = "vi",
                 transport: httpx.BaseTransport | None = None, timeout: float = 15.0) -> None:
        self.server = server.rstrip("/")
        self._session = session
        headers = {"Accept-Language": "en" if lang == "en" else "vi",
                   "User-Agent": f"kyso-app/{__version__}"}
        self._http = httpx.Client(base_url=f"{self.server}/api/v1", headers=headers,
                                  timeout=timeout, transport=transport)

    def __enter__(self) -> KysoClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- the seam ------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, auth: bool = True,
              json: dict[str, Any] | None = None,
              params: dict[str, str] | None = None,
              files: dict[str, tuple[str, bytes, str]] | None = None,
              timeout: float | None = None,
              headers: dict[str, str] | None = None) -> httpx.Response:
        """The one place where httpx's errors become the app's: unreachable server, API
        error with its code and description."""
        headers = dict(headers or {})
        if auth:
            if self._session is None:
                raise NotLoggedIn()
            headers["Authorization"] = f"Bearer {self._session.reveal()}"
        try:
            response = self._http.request(
                method, path, json=json, params=params, files=files, headers=headers,
                timeout=timeout if timeout is not None else self._http.timeout)
        except httpx.TimeoutException:
            raise ServerUnreachable(self.server, "timeout") from None
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise ServerUnreachable(self.server, type(exc).__name__) from None
        if response.is_error:
            raise _api_error(response)
        return response

    def _upload(self, path: str, files: dict[str, tuple[str, bytes, str]]) -> httpx.Response:
        return self._send("POST", path, files=files)

    def _model(self, model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError):
            raise BadResponse(f"{response.request.method} {response.request.url.path}") from None

    # -- time and sessions ---------------------------------------------------------------

    def time(self) -> ServerTime:
        return self._model(ServerTime, self._send("GET", "/time", auth=False))

    def contact(self) -> Contact:
        """The support desk (public: a customer locked out can still ask)."""
        return self._model(Contact, self._send("GET", "/contact", auth=False))

    def login(self, login: str, password: str) -> Login:
        body = {"login": login, "password": password}
        return self._model(Login, self._send("POST", "/auth/login", auth=False, json=body))

    def signup(self, form: dict[str, str]) -> PendingSignUp:
        return self._model(PendingSignUp, self._send("POST", "/signup", auth=False, json=form))

    def signup_verify(self, signup_id: str, phone_code: str, email_code: str) -> Account:
        body = {"phone_code": phone_code, "email_code": email_code}
        return self._model(Account, self._send("POST", f"/signup/{quote(signup_id, safe='')}"
                                                "/verify", auth=False, json=body))

    def password_code(self, login: str, channel: str) -> None:
        self._send("POST", "/recovery/password/code", auth=False,
                   json={"login": login, "channel": channel})

    def reset_password(self, login: str, code: str, pin: str, new_password: str) -> None:
        self._send("POST", "/recovery/password", auth=False, json={
            "login": login, "code": code, "pin": pin, "new_password": new_password})

    # both secrets lost: the identity re-check (docs/ACCOUNTS.md); the case token goes in a
    # header, never in a URL
    def identity_open(self, login: str) -> str:
        opened = self._send("POST", "/recovery/identity", auth=False, json={"login": login})
        return str(opened.json()["id"])

    def identity_phone(self, case_id: str, code: str) -> str:
        proven = self._send("POST", f"/recovery/identity/{quote(case_id, safe='')}/phone",
                            auth=False, json={"code": code})
        return str(proven.json()["token"])

    def identity_images(self, case_id: str, token: str,
                        files: dict[str, tuple[str, bytes, str]]) -> dict[str, Any]:
        sent = self._send("POST", "/recovery/identity/images", auth=False, files=files,
                          headers={"X-Recovery-Case": case_id, "X-Recovery-Token": token})
        return dict(sent.json())

    def identity_complete(self, login: str, code: str, new_password: str, new_pin: str) -> None:
        self._send("POST", "/recovery/identity/complete", auth=False, json={
            "login": login, "code": code, "new_password": new_password, "new_pin": new_pin})

    def change_account_pin(self, old_pin: str, new_pin: str, otp: str) -> None:
        self._send("POST", "/me/pin", json={"old_pin": old_pin, "new_pin": new_pin, "otp": otp})

    def reset_account_pin(self, password: str, otp: str, new_pin: str) -> None:
        self._send("POST", "/me/pin/reset",
                   json={"password": password, "otp": otp, "new_pin": new_pin})

    def logout(self) -> None:
        self._send("POST", "/auth/logout")

    def send_code(self, purpose: str) -> SentCode:
        return self._model(SentCode, self._send("POST", "/otp/send", json={"purpose": purpose}))

    # -- SmartOTP ------------------------------------------------------------------------

    def terms(self) -> Terms:
        return self._model(Terms, self._send("GET", "/smartotp/terms"))

    def register(self, terms_version: str, pin: str, otp: str) -> Registration:
        body = {"terms_version": terms_version, "pin": pin, "otp": otp}
        return self._model(Registration, self._send("POST", "/smartotp/registrations", json=body))

    def activate(self, activation_code: str, device_id: str, device_name: str) -> Activation:
        body = {"activation_code": activation_code, "device_id": device_id,
                "device_name": device_name}
        return self._model(Activation, self._send("POST", "/smartotp/activate", json=body))

    def enrol_authenticator(self, pin: str, otp: str) -> Activation:
        body = {"pin": pin, "otp": otp}
        return self._model(Activation,
                           self._send("POST", "/smartotp/authenticator", json=body))

    def status(self) -> TokenStatus:
        return self._model(TokenStatus, self._send("GET", "/smartotp"))

    def verify(self, code: str) -> None:
        self._send("POST", "/smartotp/verify", json={"code": code})

    def resync(self, code1: str, code2: str) -> None:
        self._send("POST", "/smartotp/resync", json={"code1": code1, "code2": code2})

    def reset(self, pin: str, otp: str) -> None:
        self._send("POST", "/smartotp/reset", json={"pin": pin, "otp": otp})

    def set_method(self, method: str, pin: str) -> str:
        response = self._send("PUT", "/me/otp-method", json={"method": method, "pin": pin})
        try:
            return str(response.json()["otp_method"])
        except (ValueError, KeyError, TypeError):
            raise BadResponse("PUT /me/otp-method") from None

    def lock_method(self, method: str, pin: str) -> None:
        self._send("POST", f"/me/otp-methods/{method}/lock", json={"pin": pin})

    # -- transactions --------------------------------------------------------------------

    def contact_change(self, phone: str | None, email: str | None) -> Transaction:
        body = {k: v for k, v in (("phone", phone), ("email", email)) if v is not None}
        return self._model(Transaction, self._send("POST", "/me/contact-change", json=body))

    def pin_change(self) -> Transaction:
        return self._model(Transaction, self._send("POST", "/smartotp/pin-change"))

    def transactions(self, status: str = "pending") -> list[Transaction]:
        response = self._send("GET", "/transactions", params={"status": status})
        try:
            return _TRANSACTIONS.validate_python(response.json())
        except (ValueError, ValidationError):
            raise BadResponse("GET /transactions") from None

    def transaction(self, transaction_id: str) -> Transaction:
        return self._model(Transaction, self._send("GET", f"/transactions/{_seg(transaction_id)}"))

    def confirm(self, transaction_id: str, otp: str) -> None:
        self._send("POST", f"/transactions/{_seg(transaction_id)}/confirm", json={"otp": otp})

    def reject(self, transaction_id: str) -> None:
        self._send("POST", f"/transactions/{_seg(transaction_id)}/reject")

    # -- billing -------------------------------------------------------------------------

    def catalog(self) -> list[Product]:
        return self._list(_PRODUCTS, self._send("GET", "/billing/catalog", auth=False))

    def order(self, product: str, credential_id: str | None) -> Order:
        body = {"product": product, "credential_id": credential_id}
        return self._model(Order, self._send("POST", "/billing/orders", json=body))

    def orders(self) -> list[Order]:
        return self._list(_ORDERS, self._send("GET", "/billing/orders"))

    def certificates(self) -> list[Certificate]:
        return self._list(_CERTIFICATES, self._send("GET", "/billing/certificates"))

    def renew(self, credential_id: str, order_id: str) -> Transaction:
        path = f"/billing/certificates/{_seg(credential_id)}/renew"
        return self._model(Transaction, self._send("POST", path, json={"order_id": order_id}))

    # -- consents to relying parties -------------------------------------------------------

    def parties(self) -> list[Party]:
        return self._list(_PARTIES, self._send("GET", "/relying-parties"))

    def consents(self) -> list[Consent]:
        return self._list(_CONSENTS, self._send("GET", "/consents"))

    def grant(self, sp_id: str, pin: str) -> Consent:
        return self._model(Consent, self._send("PUT", f"/consents/{_seg(sp_id)}",
                                               json={"pin": pin}))

    def revoke_consent(self, sp_id: str) -> None:
        self._send("DELETE", f"/consents/{_seg(sp_id)}")

    # -- documents and words -------------------------------------------------------------

    def upload_document(self, name: str, data: bytes, params: dict[str, str]) -> dict[str, Any]:
        """``POST /documents``: the document and its transaction (signing may take long)."""
        files = {"file": (name, data, "application/octet-stream")}
        response = self._send("POST", "/documents", files=files, params=params,
                              timeout=_DOCUMENT_TIMEOUT)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "transaction" not in body:
            raise BadResponse("POST /documents")
        return body

    def download_document(self, document_id: str) -> bytes:
        return self._send("GET", f"/documents/{_seg(document_id)}/download",
                          timeout=_DOCUMENT_TIMEOUT).content

    def vocabulary(self) -> Vocabulary:
        """The server's words for its codes, in this client's language."""
        response = self._send("GET", "/vocabulary", auth=False)
        try:
            return Vocabulary(_WORDS.validate_python(response.json()))
        except (ValueError, ValidationError):
            raise BadResponse("GET /vocabulary") from None

    def _list(self, adapter: TypeAdapter[list[M]], response: httpx.Response) -> list[M]:
        try:
            return adapter.validate_python(response.json())
        except (ValueError, ValidationError):
            raise BadResponse(f"GET {response.request.url.path}") from None
    # -- onboarding (registration for a certificate) -----------------------------------

    def onboarding(self) -> Onboarding | None:
        """The newest registration, or None if there is none."""
        try:
            return self._model(Onboarding, self._send("GET", _ONBOARDING))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def onboarding_start(self, form: dict[str, Any]) -> Onboarding:
        return self._model(Onboarding, self._send("POST", _ONBOARDING, json=form))

    def onboarding_step(self, step: str, json: dict[str, Any] | None = None) -> Onboarding:
        return self._model(Onboarding, self._send("POST", f"{_ONBOARDING}/{step}", json=json))

    def onboarding_ekyc(self, files: dict[str, tuple[str, bytes, str]]) -> Onboarding:
        return self._model(Onboarding, self._upload(f"{_ONBOARDING}/ekyc", files))

    def onboarding_pdf(self, which: str) -> bytes:
        return self._send("GET", f"{_ONBOARDING}/{which}").content

    def onboarding_contract(self) -> Transaction:
        return self._model(Transaction, self._send("POST", f"{_ONBOARDING}/contract/accept"))

    def payment_url(self, order_id: str) -> str:
        response = self._send("POST", f"/billing/orders/{_seg(order_id)}/payment")
        try:
            return str(response.json()["payment_url"])
        except (ValueError, KeyError, TypeError):
            raise BadResponse("POST /billing/orders/…/payment") from None

    def onboarding_acceptance(self) -> Acceptance:
        return self._model(Acceptance, self._send("POST", f"{_ONBOARDING}/acceptance"))


_ONBOARDING = "/onboarding/registration"
_DOCUMENT_TIMEOUT = 120.0
_WORDS: TypeAdapter[dict[str, dict[str, str]]] = TypeAdapter(dict[str, dict[str, str]])


def _seg(value: str) -> str:
    """One path segment: an id typed by a person never walks the URL."""
    if not value.strip(".") or len(value) > 200:
        raise AppError(m.BAD_ID, id=value[:40])
    return quote(value, safe="")


def _api_error(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
        wait = response.headers.get("Retry-After", "")
        return ApiError(response.status_code, str(body["error"]),
                        str(body.get("error_description") or body["error"]),
                        int(wait) if wait.isdigit() else None)
    except (ValueError, KeyError, TypeError):
        text = response.reason_phrase or "error"
        return ApiError(response.status_code, f"http_{response.status_code}",
                        f"HTTP {response.status_code} {text}")
