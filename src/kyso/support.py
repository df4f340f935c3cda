"""The support desk a customer is sent to, as the operator set it (``KYSO_SUPPORT_PHONE``,
``KYSO_SUPPORT_EMAIL``).

A text that sends the customer to the desk says :data:`DESK` (``{desk}``) where the desk is
named, after the verb "liên hệ" / "contact". The seam that delivers the text fills it in — the
API's error mapping for an ``error_description``, the :class:`~kyso.notify.service.Notifier`
for a notice, the terms route for the SmartOTP terms — so a customer reads the number to call
("liên hệ tổng đài hỗ trợ 1900 54 54 54"), never "gọi tổng đài" with no number. With no
contact set, the words send the customer to the provider without promising a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from kyso.errors import Text

__all__ = ["DESK", "SupportDesk"]

DESK = "{desk}"


@dataclass(frozen=True)
class SupportDesk:
    phone: str | None = None
    email: str | None = None

    @property
    def named(self) -> Text:
        """The desk as the object of "liên hệ" / "contact", with what the operator set."""
        phone, email = self.phone, self.email
        if phone and email:
            return Text(f"tổng đài hỗ trợ {phone} (email {email})",
                        f"the support desk on {phone} (email {email})")
        if phone:
            return Text(f"tổng đài hỗ trợ {phone}", f"the support desk on {phone}")
        if email:
            return Text(f"bộ phận hỗ trợ qua email {email}", f"the support desk at {email}")
        return Text("bộ phận hỗ trợ khách hàng của nhà cung cấp dịch vụ",
                    "your service provider's support desk")

    def fill(self, text: Text) -> Text:
        """``text`` with :data:`DESK` replaced by the desk, in each language."""
        if DESK not in text.vi and DESK not in text.en:
            return text
        named = self.named
        return Text(text.vi.replace(DESK, named.vi), text.en.replace(DESK, named.en))
