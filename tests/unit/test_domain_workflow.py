from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from app.domain.codes import CaseStatus, Role, Urgency
from app.domain.workflow import (
    DEFAULT_DUE_DAYS,
    allowed_transitions,
    check_transition,
    deadline_state,
    default_due_date,
    is_open,
    reason_required,
)
from app.errors import PermissionDenied, ValidationError
from app.i18n import set_language

S = CaseStatus
ALL = frozenset({Role.ATTACHE, Role.CONSUL, Role.ADMIN})
SENIOR = frozenset({Role.CONSUL, Role.ADMIN})

# Written out independently of workflow.TRANSITIONS: this is the specification.
EXPECTED: dict[tuple[CaseStatus, CaseStatus], frozenset[Role]] = {
    (S.NEW, S.IN_PROGRESS): ALL,
    (S.NEW, S.REFERRED): ALL,
    (S.NEW, S.RESOLVED): ALL,
    (S.NEW, S.REJECTED): SENIOR,
    (S.IN_PROGRESS, S.AWAITING_RESPONSE): ALL,
    (S.IN_PROGRESS, S.REFERRED): ALL,
    (S.IN_PROGRESS, S.RESOLVED): ALL,
    (S.IN_PROGRESS, S.REJECTED): SENIOR,
    (S.AWAITING_RESPONSE, S.IN_PROGRESS): ALL,
    (S.AWAITING_RESPONSE, S.REFERRED): ALL,
    (S.AWAITING_RESPONSE, S.RESOLVED): ALL,
    (S.REFERRED, S.IN_PROGRESS): ALL,
    (S.REFERRED, S.AWAITING_RESPONSE): ALL,
    (S.REFERRED, S.RESOLVED): ALL,
    (S.RESOLVED, S.CLOSED): SENIOR,
    (S.RESOLVED, S.IN_PROGRESS): SENIOR,
    (S.CLOSED, S.IN_PROGRESS): SENIOR,
    (S.REJECTED, S.IN_PROGRESS): SENIOR,
}
NEEDS_REASON = {
    (S.NEW, S.REJECTED),
    (S.IN_PROGRESS, S.REJECTED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.CLOSED, S.IN_PROGRESS),
    (S.REJECTED, S.IN_PROGRESS),
}

ALL_MOVES = [(c, t, r) for c in CaseStatus for t in CaseStatus for r in Role]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield


@pytest.mark.parametrize(
    ("current", "target", "role"),
    [m for m in ALL_MOVES if m[2] in EXPECTED.get((m[0], m[1]), frozenset())],
)
def test_allowed_move_passes(current: CaseStatus, target: CaseStatus, role: Role) -> None:
    check_transition(current, target, role, "The worker asked for it in writing.")
    assert target in allowed_transitions(current, role)


@pytest.mark.parametrize(
    ("current", "target", "role"),
    [m for m in ALL_MOVES if (m[0], m[1]) in EXPECTED and m[2] not in EXPECTED[(m[0], m[1])]],
)
def test_move_refused_for_role(current: CaseStatus, target: CaseStatus, role: Role) -> None:
    with pytest.raises(PermissionDenied) as caught:
        check_transition(current, target, role, "reason")
    assert "may not move a case from" in str(caught.value)
    assert target not in allowed_transitions(current, role)


@pytest.mark.parametrize(
    ("current", "target", "role"),
    [m for m in ALL_MOVES if m[0] != m[1] and (m[0], m[1]) not in EXPECTED],
)
def test_move_not_in_workflow(current: CaseStatus, target: CaseStatus, role: Role) -> None:
    with pytest.raises(ValidationError) as caught:
        check_transition(current, target, role, "reason")
    assert caught.value.field == "status"
    assert str(caught.value).startswith("A case cannot move from")
    assert target not in allowed_transitions(current, role)


@pytest.mark.parametrize("status", list(CaseStatus))
def test_same_status_is_refused(status: CaseStatus) -> None:
    with pytest.raises(ValidationError, match="already has the status"):
        check_transition(status, status, Role.ADMIN, "reason")


def test_refusal_messages_name_the_status_labels() -> None:
    with pytest.raises(ValidationError) as refused:
        check_transition(S.CLOSED, S.REFERRED, Role.ADMIN)
    assert str(refused.value) == "A case cannot move from “Closed” to “Referred”."
    with pytest.raises(PermissionDenied) as denied:
        check_transition(S.RESOLVED, S.CLOSED, Role.ATTACHE)
    assert str(denied.value) == (
        "The role “Labour attaché” may not move a case from “Resolved” to “Closed”; "
        "ask the consul or the mission administrator."
    )


def test_allowed_transitions_lists_in_workflow_order() -> None:
    assert allowed_transitions(S.NEW, Role.ATTACHE) == [S.IN_PROGRESS, S.REFERRED, S.RESOLVED]
    assert allowed_transitions(S.NEW, Role.CONSUL) == [
        S.IN_PROGRESS,
        S.REFERRED,
        S.RESOLVED,
        S.REJECTED,
    ]
    assert allowed_transitions(S.CLOSED, Role.ATTACHE) == []
    assert allowed_transitions(S.CLOSED, Role.ADMIN) == [S.IN_PROGRESS]
    for status in CaseStatus:
        assert allowed_transitions(status, Role.HQ) == []


@pytest.mark.parametrize(("current", "target"), sorted(NEEDS_REASON))
@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_reason_required(current: CaseStatus, target: CaseStatus, reason: str | None) -> None:
    assert reason_required(current, target)
    with pytest.raises(ValidationError) as caught:
        check_transition(current, target, Role.CONSUL, reason)
    assert caught.value.field == "reason"
    assert str(caught.value).startswith("Give a reason for moving the case from")


@pytest.mark.parametrize(("current", "target"), sorted(set(EXPECTED) - NEEDS_REASON))
def test_reason_optional(current: CaseStatus, target: CaseStatus) -> None:
    assert not reason_required(current, target)
    check_transition(current, target, Role.ADMIN, None)


def test_is_open() -> None:
    assert {s for s in CaseStatus if is_open(s)} == {
        S.NEW,
        S.IN_PROGRESS,
        S.AWAITING_RESPONSE,
        S.REFERRED,
    }


def test_default_due_days() -> None:
    assert DEFAULT_DUE_DAYS == {
        Urgency.CRITICAL: 2,
        Urgency.HIGH: 7,
        Urgency.NORMAL: 14,
        Urgency.LOW: 30,
    }
    assert default_due_date(date(2026, 11, 20), Urgency.CRITICAL) == date(2026, 11, 22)
    assert default_due_date(date(2026, 12, 20), Urgency.LOW) == date(2027, 1, 19)


TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (-30, "red"),
        (-1, "red"),
        (0, "amber"),
        (1, "amber"),
        (3, "amber"),
        (4, "green"),
        (60, "green"),
    ],
)
def test_deadline_state_of_open_case(days_left: int, expected: str) -> None:
    due = TODAY + timedelta(days=days_left)
    for status in (S.NEW, S.IN_PROGRESS, S.AWAITING_RESPONSE, S.REFERRED):
        assert deadline_state(due, TODAY, status) == expected


@pytest.mark.parametrize("status", [S.RESOLVED, S.CLOSED, S.REJECTED])
def test_deadline_state_of_finished_case_is_none(status: CaseStatus) -> None:
    assert deadline_state(TODAY - timedelta(days=10), TODAY, status) == "none"


def test_deadline_state_without_due_date() -> None:
    assert deadline_state(None, TODAY, S.IN_PROGRESS) == "none"
