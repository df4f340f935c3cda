"""The built-in stand-ins for billing and face matching.

:class:`OfficerFaceMatch` decides nothing: every case goes to the RA officer, who compares
the portrait with the card. :class:`FreeOfferPackages` knows only the free 1-year citizen
certificate (paid when ordered) until billing's order service is connected
(``BillingPackages``, see docs/ONBOARDING.md); any other package is refused clearly.
"""

from __future__ import annotations

import uuid

from kyso.errors import Text
from kyso.onboarding.errors import PackageUnavailable
from kyso.onboarding.ports import FaceVerdict, PackageOrder

__all__ = ["FREE_PACKAGE", "FreeOfferPackages", "OfficerFaceMatch"]

FREE_PACKAGE = "citizen-free-1y"


class OfficerFaceMatch:
    def compare(self, card_front: bytes, portrait: bytes) -> FaceVerdict:
        return FaceVerdict.REFERRED


class FreeOfferPackages:
    def order(self, account_id: str, package: str, id_number: str) -> PackageOrder:
        if package != FREE_PACKAGE:
            raise PackageUnavailable(reason=Text(
                f"chưa kết nối thanh toán; hãy chọn {FREE_PACKAGE}",
                f"payment is not connected; choose {FREE_PACKAGE}"))
        return PackageOrder(f"FREE-{uuid.uuid4().hex[:12].upper()}",
                            "Miễn phí chứng thư số 1 năm cho công dân", 0, paid=True)

    def is_paid(self, account_id: str, order_id: str) -> bool:
        return order_id.startswith("FREE-")

    def payable(self, account_id: str, order_id: str, package: str,
                id_number: str) -> PackageOrder:
        return self.order(account_id, package, id_number)

    def issued(self, account_id: str, order_id: str, credential_id: str) -> None:
        return None
