"""What can go wrong in the app, as one small tree::

    AppError                  told to the person in their language, never as a traceback
    ├── ApiError              the server said no: {"error", "error_description"} (code + text)
    ├── ServerUnreachable     no answer at all: refused, DNS, TLS, timeout
    ├── BadResponse           an answer the app cannot read
    ├── NotLoggedIn           the command needs ``kyso app login`` first
    ├── NoToken               this device holds no SmartOTP token
    └── Cancelled             the person said no, or their input ended
"""

from __future__ import annotations

from kyso.app import messages as m
from kyso.app.i18n import Lang, Msg

__all__ = [
    "ApiError",
    "AppError",
    "BadResponse",
    "Cancelled",
    "NoToken",
    "NotLoggedIn",
    "ServerUnreachable",
]


class AppError(Exception):
    """A failure with a message for the person; ``params`` fill the message's fields."""

    def __init__(self, message: Msg, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message.render("en", **params))

    def describe(self, lang: Lang) -> str:
        return self.message.render(lang, **self.params)


class ApiError(AppError):
    """The server refused: ``code`` is its ``error``, ``description`` its text (already in the
    language the app asked for)."""

    def __init__(self, status: int, code: str, description: str,
                 retry_after: int | None = None) -> None:
        self.status = status
        self.code = code
        self.description = description
        self.retry_after = retry_after  # seconds, from Retry-After on a 429
        super().__init__(Msg(description, description))

    def __repr__(self) -> str:
        return f"ApiError({self.status}, {self.code!r}, {self.description!r})"


class ServerUnreachable(AppError):
    def __init__(self, server: str, reason: str) -> None:
        super().__init__(m.UNREACHABLE, server=server, reason=reason)


class BadResponse(AppError):
    def __init__(self, what: str) -> None:
        super().__init__(m.BAD_RESPONSE, what=what)


class NotLoggedIn(AppError):
    def __init__(self) -> None:
        super().__init__(m.NOT_LOGGED_IN)


class NoToken(AppError):
    def __init__(self) -> None:
        super().__init__(m.NO_TOKEN)


class Cancelled(AppError):
    def __init__(self, message: Msg = m.CANCELLED) -> None:
        super().__init__(message)
