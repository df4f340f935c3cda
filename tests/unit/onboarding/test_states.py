"""The registration's state machine: no step skipped, none replayed, finals are final."""

from __future__ import annotations

import pytest

from kyso.onboarding.errors import WrongState
from kyso.onboarding.states import TRANSITIONS, Event, State, next_state

HAPPY = [Event.SUBMIT, Event.PAID, Event.ACTIVATE, Event.EKYC, Event.SIGN_CONTRACT,
         Event.APPROVE, Event.ACCEPT]


def test_the_happy_path_reaches_active() -> None:
    state = State.DRAFT
    for event in HAPPY:
        state = next_state(state, event)
    assert state is State.ACTIVE


@pytest.mark.parametrize("event", list(Event))
@pytest.mark.parametrize("state", list(State))
def test_only_listed_transitions_are_allowed(state: State, event: Event) -> None:
    sources, target = TRANSITIONS[event]
    if state in sources:
        assert next_state(state, event) is target
    else:
        with pytest.raises(WrongState):
            next_state(state, event)


def test_no_step_of_the_happy_path_can_be_skipped_or_replayed() -> None:
    state = State.DRAFT
    for i, event in enumerate(HAPPY):
        for other in HAPPY[i + 1:]:  # skipping ahead
            with pytest.raises(WrongState):
                next_state(state, other)
        state = next_state(state, event)
        with pytest.raises(WrongState):  # replaying
            next_state(state, event)


def test_final_states_accept_nothing() -> None:
    for state in (s for s in State if s.final):
        for event in Event:
            with pytest.raises(WrongState):
                next_state(state, event)


def test_an_approved_registration_cannot_be_cancelled_only_accepted() -> None:
    with pytest.raises(WrongState):
        next_state(State.APPROVED, Event.CANCEL)
    assert next_state(State.REJECTED, Event.RESUBMIT) is State.AWAITING_EKYC


def test_a_refused_step_says_the_state_in_words_and_what_to_do() -> None:
    """A double tap, a second tab or the back button: the customer reads where the application
    stands and what to do, never ``awaiting_payment`` or ``activate``."""
    with pytest.raises(WrongState) as caught:
        next_state(State.AWAITING_PAYMENT, Event.ACTIVATE)
    said = caught.value.describe("vi")
    assert said == ("Hồ sơ đang ở trạng thái «chờ thanh toán» nên không thực hiện được bước "
                    "này. Vui lòng tải lại trang để xem bước tiếp theo.")
    assert caught.value.describe("en").startswith("The application is awaiting payment, so")
    assert (caught.value.params["state_code"], caught.value.params["event"]) == (
        "awaiting_payment", "activate")
