"""The root of kyso's error tree.

Every error a person or a program may see is a :class:`KysoError`. Each carries a stable
``code`` (the ``error`` field of the API) and a description in Vietnamese and English.
The classes below name the *kind* of failure; the HTTP layer maps kinds to status codes once::

    KysoError
    ├── InvalidInput        400  the request is malformed or breaks a rule
    ├── AuthenticationFailed 401 who you are could not be established
    ├── PermissionDenied    403  you may not do this
    ├── NotFound            404
    ├── Conflict            409  the state does not allow it (already done, wrong state)
    ├── Gone                410  expired or used up
    ├── Locked              423  locked after too many failures, or by an operator
    ├── TooManyRequests     429  sent too often; retry later
    └── Unavailable         503  a dependency is down

Area errors (``kyso.accounts.errors`` …) subclass these kinds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

if TYPE_CHECKING:
    from kyso.support import SupportDesk

__all__ = [
    "AuthenticationFailed",
    "Conflict",
    "Gone",
    "InvalidInput",
    "KysoError",
    "Locked",
    "NotFound",
    "PermissionDenied",
    "Text",
    "TooManyRequests",
    "Unavailable",
    "said",
    "waiting",
]


class Text(NamedTuple):
    """A phrase in both languages, for a parameter of an error's description (a reason shown
    to a customer must be Vietnamese in Vietnamese); ``str()`` gives the English, for logs."""

    vi: str
    en: str

    def __str__(self) -> str:
        return self.en

    def pick(self, lang: str | None) -> str:
        """The phrase in ``lang``: English for ``"en"``, else Vietnamese (the default)."""
        return self.en if lang == "en" else self.vi


def waiting(seconds: int) -> Text:
    """A wait as a watch says it: 45 → "45 giây", 900 → "15 phút", 1161 → "19 phút 21 giây",
    7260 → "2 giờ 1 phút" (a customer told to wait "900 giây" has to do the sum)."""
    seconds = max(1, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        parts = [(hours, "giờ", "hour"), (minutes, "phút", "minute")]
    else:
        parts = [(minutes, "phút", "minute"), (secs, "giây", "second")]
    shown = [(n, vi, en) for n, vi, en in parts if n]
    return Text(" ".join(f"{n} {vi}" for n, vi, _ in shown),
                " ".join(f"{n} {en}{'s' if n > 1 else ''}" for n, _, en in shown))


def said(exc: Exception) -> str | Text:
    """What a model's ``ValueError`` says, for an error's detail: the Text it was raised with
    (said in the customer's language), else its string."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, Text) else str(exc)


class KysoError(Exception):
    """Base class. ``vi`` and ``en`` are templates formatted with the keyword arguments;
    ``{desk}`` in a template names the support desk (:mod:`kyso.support`)."""

    code: ClassVar[str] = "server_error"
    vi: ClassVar[str] = "Đã xảy ra lỗi."
    en: ClassVar[str] = "An error occurred."
    # parameters that hold a code said with kyso.vocabulary: {"status": "order_statuses"}
    worded: ClassVar[dict[str, str]] = {}
    # the detail follows the description in parentheses, unless it is only for the log (a
    # parser's own words, such as "PdfReadError", which a customer cannot act on). A detail a
    # customer may read is a Text, said in the customer's language; a plain string is a
    # developer's (an integrator's protocol error, an operator's command), said as it is
    detail_shown: ClassVar[bool] = True

    def __init__(self, detail: str | Text | None = None, /, **params: Any) -> None:
        self.params = params
        self.detail = detail
        text = self.describe("en")
        super().__init__(f"{text} ({detail})" if detail and not self.detail_shown else text)

    def describe(self, lang: str = "vi", desk: SupportDesk | None = None) -> str:
        """The description in ``lang``, naming ``desk`` where the template sends the customer
        to the support desk (none given: the words for a desk without a number)."""
        template = self.vi if lang == "vi" else self.en
        params = {k: (v.vi if lang == "vi" else v.en) if isinstance(v, Text) else v
                  for k, v in self.params.items()}
        if self.worded:  # a status is read in words ("Tạm dừng"), never as its code
            from kyso.vocabulary import word  # the words know the errors, not the reverse
            params |= {k: word(group, str(params[k]), lang).lower()
                       for k, group in self.worded.items() if k in params}
        if self.retry_after is not None and "wait" not in params:
            params["wait"] = waiting(self.retry_after).pick(lang)
        if "{desk}" in template:
            from kyso.support import SupportDesk  # the desk's words know Text, not the reverse
            params.setdefault("desk", (desk or SupportDesk()).named.pick(lang))
        try:
            text = template.format(**params)
        except (KeyError, IndexError):
            text = template.replace("{desk}", str(params.get("desk", "{desk}")))
        if not self.detail or not self.detail_shown:
            return text
        detail = self.detail.pick(lang) if isinstance(self.detail, Text) else self.detail
        return f"{text} ({detail})"

    @property
    def retry_after(self) -> int | None:
        value = self.params.get("retry_after")
        return int(value) if value is not None else None


class InvalidInput(KysoError):
    code = "invalid_request"
    vi = "Yêu cầu không hợp lệ."
    en = "The request is invalid."


class AuthenticationFailed(KysoError):
    code = "unauthorized"
    vi = "Chưa xác thực hoặc phiên đăng nhập không hợp lệ."
    en = "Not authenticated, or the session is not valid."


class PermissionDenied(KysoError):
    code = "forbidden"
    vi = "Không có quyền thực hiện thao tác này."
    en = "You are not allowed to do this."


class NotFound(KysoError):
    code = "not_found"
    vi = "Không tìm thấy."
    en = "Not found."


class Conflict(KysoError):
    code = "conflict"
    vi = "Thao tác không phù hợp với trạng thái hiện tại."
    en = "This is not possible in the current state."


class Gone(KysoError):
    code = "expired"
    vi = "Đã hết hạn hoặc đã được sử dụng."
    en = "Expired or already used."


class Locked(KysoError):
    code = "locked"
    vi = "Đã bị tạm khóa. Vui lòng thử lại sau {wait}."
    en = "Temporarily locked. Try again in {wait}."


class TooManyRequests(KysoError):
    code = "too_many_requests"
    vi = "Thao tác quá nhiều lần. Vui lòng thử lại sau {wait}."
    en = "Too many requests. Try again in {wait}."


class Unavailable(KysoError):
    code = "temporarily_unavailable"
    vi = "Dịch vụ tạm thời không khả dụng."
    en = "The service is temporarily unavailable."
