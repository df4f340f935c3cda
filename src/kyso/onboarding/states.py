"""The registration's states and the only transitions between them.

::

    draft ─submit─▶ awaiting_payment ─paid─▶ awaiting_activation ─activate─▶ awaiting_ekyc
      ─ekyc─▶ awaiting_contract ─sign_contract─▶ under_review ─approve─▶ approved
      ─accept─▶ active

    under_review ─reject─▶ rejected ─resubmit─▶ awaiting_ekyc   (when the reason allows it)
    awaiting_ekyc ─exhaust─▶ rejected                            (no eKYC attempt left)
    any state before approved ─cancel─▶ cancelled;  ─expire─▶ expired

A transition names the state it leaves: applying it from any other state is refused, so no
step is skipped and none is replayed. ``active``, ``cancelled`` and ``expired`` are final.
"""

from __future__ import annotations

from enum import StrEnum

from kyso.errors import Text
from kyso.onboarding.errors import WrongState

__all__ = ["TRANSITIONS", "Event", "State", "next_state", "wrong_state"]


class State(StrEnum):
    DRAFT = "draft"
    AWAITING_PAYMENT = "awaiting_payment"
    AWAITING_ACTIVATION = "awaiting_activation"
    AWAITING_EKYC = "awaiting_ekyc"
    AWAITING_CONTRACT = "awaiting_contract"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"  # the certificate is issued and awaits the acceptance record
    ACTIVE = "active"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def vi(self) -> str:
        return _VI[self]

    @property
    def final(self) -> bool:
        return self in (State.ACTIVE, State.CANCELLED, State.EXPIRED)

    @property
    def open(self) -> bool:
        """Still on its way to a certificate (rejected may be corrected)."""
        return not self.final


class Event(StrEnum):
    SUBMIT = "submit"
    PAID = "paid"
    ACTIVATE = "activate"
    EKYC = "ekyc"
    SIGN_CONTRACT = "sign_contract"
    APPROVE = "approve"
    REJECT = "reject"
    RESUBMIT = "resubmit"
    EXHAUST = "exhaust"
    ACCEPT = "accept"
    CANCEL = "cancel"
    EXPIRE = "expire"


_BEFORE_APPROVAL = (State.DRAFT, State.AWAITING_PAYMENT, State.AWAITING_ACTIVATION,
                    State.AWAITING_EKYC, State.AWAITING_CONTRACT, State.UNDER_REVIEW,
                    State.REJECTED)

TRANSITIONS: dict[Event, tuple[tuple[State, ...], State]] = {
    Event.SUBMIT: ((State.DRAFT,), State.AWAITING_PAYMENT),
    Event.PAID: ((State.AWAITING_PAYMENT,), State.AWAITING_ACTIVATION),
    Event.ACTIVATE: ((State.AWAITING_ACTIVATION,), State.AWAITING_EKYC),
    Event.EKYC: ((State.AWAITING_EKYC,), State.AWAITING_CONTRACT),
    Event.SIGN_CONTRACT: ((State.AWAITING_CONTRACT,), State.UNDER_REVIEW),
    Event.APPROVE: ((State.UNDER_REVIEW,), State.APPROVED),
    Event.REJECT: ((State.UNDER_REVIEW,), State.REJECTED),
    Event.RESUBMIT: ((State.REJECTED,), State.AWAITING_EKYC),
    Event.EXHAUST: ((State.AWAITING_EKYC,), State.REJECTED),
    Event.ACCEPT: ((State.APPROVED,), State.ACTIVE),
    Event.CANCEL: (_BEFORE_APPROVAL, State.CANCELLED),
    Event.EXPIRE: (_BEFORE_APPROVAL, State.EXPIRED),
}


def next_state(current: State, event: Event) -> State:
    sources, target = TRANSITIONS[event]
    if current not in sources:
        raise wrong_state(current, event)
    return target


_VI = {
    State.DRAFT: "nháp",
    State.AWAITING_PAYMENT: "chờ thanh toán",
    State.AWAITING_ACTIVATION: "chờ kích hoạt",
    State.AWAITING_EKYC: "chờ xác thực giấy tờ (eKYC)",
    State.AWAITING_CONTRACT: "chờ ký hợp đồng",
    State.UNDER_REVIEW: "chờ thẩm định",
    State.APPROVED: "đã duyệt, chờ ký biên bản nghiệm thu",
    State.ACTIVE: "đã kích hoạt chứng thư số",
    State.REJECTED: "bị từ chối",
    State.CANCELLED: "đã hủy",
    State.EXPIRED: "đã hết hạn",
}


def wrong_state(current: State, event: Event) -> WrongState:
    """The refusal of ``event``: the customer reads the state in words (``«chờ thanh toán»``),
    a program finds the codes in ``params`` (``state_code``, ``event``)."""
    return WrongState(state=Text(current.vi, current.value.replace("_", " ")),
                      state_code=current.value, event=event.value)
