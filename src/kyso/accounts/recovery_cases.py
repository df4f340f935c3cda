"""Identity-recovery cases: both the password and the account PIN lost.

A case is opened for a login (the answer never tells whether it exists), the registered phone
is proven by an SMS code, the ID card (front, back) and a portrait are uploaded, an officer
compares them with the customer's approved registration and decides; an approved case sends a
one-time code with which the customer sets a new password and a new account PIN.

    awaiting_phone ─phone─▶ awaiting_images ─images─▶ under_review ─approve─▶ approved
      ─complete─▶ completed
    under_review ─reject─▶ rejected
    awaiting_images ─3 refused uploads─▶ failed;  approved ─5 wrong codes─▶ failed
    any open state ─its time is up─▶ expired;  ─another case approved─▶ superseded
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

__all__ = ["Case", "CaseState", "RecoveryCaseRepository", "RecoveryPolicy"]


class CaseState(StrEnum):
    AWAITING_PHONE = "awaiting_phone"
    AWAITING_IMAGES = "awaiting_images"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    COMPLETED = "completed"
    REJECTED = "rejected"
    FAILED = "failed"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"

    @property
    def open(self) -> bool:
        return self in _OPEN

    @property
    def vi(self) -> str:
        return _VI[self]

    @property
    def en(self) -> str:
        return _EN[self]


_OPEN = frozenset({CaseState.AWAITING_PHONE, CaseState.AWAITING_IMAGES,
                   CaseState.UNDER_REVIEW, CaseState.APPROVED})
_VI = {
    CaseState.AWAITING_PHONE: "Chờ xác minh số điện thoại",
    CaseState.AWAITING_IMAGES: "Chờ ảnh giấy tờ",
    CaseState.UNDER_REVIEW: "Chờ cán bộ kiểm tra",
    CaseState.APPROVED: "Đã duyệt, chờ đặt lại mật khẩu và mã PIN",
    CaseState.COMPLETED: "Đã hoàn tất",
    CaseState.REJECTED: "Bị từ chối",
    CaseState.FAILED: "Không đạt (hết số lần thử)",
    CaseState.EXPIRED: "Đã hết hạn",
    CaseState.SUPERSEDED: "Đã được thay bằng yêu cầu khác",
}
_EN = {
    CaseState.AWAITING_PHONE: "Waiting for the phone check",
    CaseState.AWAITING_IMAGES: "Waiting for the ID images",
    CaseState.UNDER_REVIEW: "Waiting for an officer",
    CaseState.APPROVED: "Approved, waiting for the new password and PIN",
    CaseState.COMPLETED: "Completed",
    CaseState.REJECTED: "Rejected",
    CaseState.FAILED: "Failed (no attempts left)",
    CaseState.EXPIRED: "Expired",
    CaseState.SUPERSEDED: "Replaced by another request",
}


@dataclass(frozen=True)
class RecoveryPolicy:
    phone_minutes: int = 10  # to type the SMS code
    images_minutes: int = 30  # to upload the images once the phone is proven
    review_days: int = 7  # for an officer to decide
    code_hours: int = 24  # for the customer to use the approval's code
    image_attempts: int = 3
    code_attempts: int = 5
    cases_per_month: int = 3  # cases one account may send for review in 30 days

    def lifetime(self, state: CaseState) -> timedelta:
        return {CaseState.AWAITING_PHONE: timedelta(minutes=self.phone_minutes),
                CaseState.AWAITING_IMAGES: timedelta(minutes=self.images_minutes),
                CaseState.UNDER_REVIEW: timedelta(days=self.review_days),
                CaseState.APPROVED: timedelta(hours=self.code_hours)}.get(state, timedelta())


@dataclass(frozen=True)
class Case:
    id: str
    account_id: str  # "" for a phantom case (opened for an unknown login; stored as NULL)
    state: CaseState
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    token_hash: str | None = None  # SHA-256 of the case token, once the phone is proven
    image_attempts: int = 0
    front: str | None = None  # SHA-256 of the sealed images (the onboarding blob store)
    back: str | None = None
    portrait: str | None = None
    submitted_at: datetime | None = None
    officer: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    code_hash: str | None = None  # argon2id of the approval's one-time code
    code_attempts: int = 0
    completed_at: datetime | None = None

    def moved(self, state: CaseState, at: datetime, policy: RecoveryPolicy,
              **changes: Any) -> Case:
        return replace(self, state=state, updated_at=at,
                       expires_at=at + policy.lifetime(state) if state.open else at, **changes)

    def lapsed(self, now: datetime) -> bool:
        return self.state.open and now >= self.expires_at


class RecoveryCaseRepository(Protocol):
    def add(self, case: Case) -> None: ...

    def get(self, case_id: str, *, for_update: bool = False) -> Case | None: ...

    def save(self, case: Case) -> None: ...

    def for_account(self, account_id: str, limit: int = 20) -> list[Case]:
        """The account's cases, newest first."""
        ...

    def in_states(self, states: tuple[CaseState, ...], limit: int) -> list[Case]:
        """Cases in these states, oldest submission first."""
        ...

    def lapsed(self, now: datetime, limit: int) -> list[Case]:
        """Open cases whose time is up."""
        ...

    def submitted_since(self, account_id: str, since: datetime) -> int: ...

    def forget_phantoms(self, before: datetime, limit: int) -> int:
        """Delete closed phantom cases (no account) last changed before ``before``; how
        many."""
        ...
