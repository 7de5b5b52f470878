"""The case status workflow and follow-up deadlines.

Every allowed status change is one row of ``TRANSITIONS``; nothing else in the code decides
which moves exist. Closing, rejecting and reopening a case are decisions of the head of
section, so only ``consul`` and ``admin`` may make them. HQ analysts work on imported copies
of missions' cases and change no status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from app.domain.codes import CaseStatus, Role, Urgency, label
from app.domain.roles import CASE_WORKERS, SENIOR_ROLES
from app.errors import PermissionDenied, ValidationError
from app.i18n import _

S = CaseStatus

# How long the author of a status change may take it back (an undo, recorded, not an erasure).
UNDO_WINDOW = timedelta(minutes=10)
# Cases from which a mission may start a returnee's record: the work on them is over.
RETURNEE_FROM_STATUSES = (S.RESOLVED.value, S.CLOSED.value)


@dataclass(frozen=True)
class Transition:
    source: CaseStatus
    target: CaseStatus
    roles: frozenset[Role]
    # A reason goes on the case's timeline; required where the decision must be explained.
    needs_reason: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.NEW, S.IN_PROGRESS, CASE_WORKERS),
    Transition(S.NEW, S.REFERRED, CASE_WORKERS),
    Transition(S.NEW, S.RESOLVED, CASE_WORKERS),
    Transition(S.NEW, S.REJECTED, SENIOR_ROLES, needs_reason=True),
    Transition(S.IN_PROGRESS, S.AWAITING_RESPONSE, CASE_WORKERS),
    Transition(S.IN_PROGRESS, S.REFERRED, CASE_WORKERS),
    Transition(S.IN_PROGRESS, S.RESOLVED, CASE_WORKERS),
    Transition(S.IN_PROGRESS, S.REJECTED, SENIOR_ROLES, needs_reason=True),
    Transition(S.AWAITING_RESPONSE, S.IN_PROGRESS, CASE_WORKERS),
    Transition(S.AWAITING_RESPONSE, S.REFERRED, CASE_WORKERS),
    Transition(S.AWAITING_RESPONSE, S.RESOLVED, CASE_WORKERS),
    Transition(S.REFERRED, S.IN_PROGRESS, CASE_WORKERS),
    Transition(S.REFERRED, S.AWAITING_RESPONSE, CASE_WORKERS),
    Transition(S.REFERRED, S.RESOLVED, CASE_WORKERS),
    Transition(S.RESOLVED, S.CLOSED, SENIOR_ROLES),
    # Reopening: the worker came back, or the outcome did not hold.
    Transition(S.RESOLVED, S.IN_PROGRESS, SENIOR_ROLES, needs_reason=True),
    Transition(S.CLOSED, S.IN_PROGRESS, SENIOR_ROLES, needs_reason=True),
    Transition(S.REJECTED, S.IN_PROGRESS, SENIOR_ROLES, needs_reason=True),
)

_BY_MOVE: dict[tuple[CaseStatus, CaseStatus], Transition] = {
    (t.source, t.target): t for t in TRANSITIONS
}

OPEN_STATUSES: frozenset[CaseStatus] = frozenset(
    {S.NEW, S.IN_PROGRESS, S.AWAITING_RESPONSE, S.REFERRED}
)


def is_open(status: CaseStatus) -> bool:
    """True while the mission still has work to do on the case."""
    return status in OPEN_STATUSES


def find_transition(current: CaseStatus, target: CaseStatus) -> Transition | None:
    return _BY_MOVE.get((current, target))


def allowed_transitions(status: CaseStatus, role: Role) -> list[CaseStatus]:
    """Statuses that ``role`` may move a case in ``status`` to, in workflow order."""
    return [t.target for t in TRANSITIONS if t.source == status and role in t.roles]


def may_move(status: str, target: CaseStatus, role: str) -> bool:
    """Whether ``role`` may move a case in ``status`` to ``target`` (what to offer)."""
    return target in allowed_transitions(CaseStatus(status), Role(role))


def reason_required(current: CaseStatus, target: CaseStatus) -> bool:
    transition = find_transition(current, target)
    return transition is not None and transition.needs_reason


def check_transition(
    current: CaseStatus, target: CaseStatus, role: Role, reason: str | None = None
) -> None:
    """Raise unless ``role`` may move a case from ``current`` to ``target`` with ``reason``."""
    if current == target:
        raise ValidationError(
            _("The case already has the status “{status}”.").format(status=label(current)),
            field="status",
        )
    transition = find_transition(current, target)
    if transition is None:
        raise ValidationError(
            _("A case cannot move from “{current}” to “{target}”.").format(
                current=label(current), target=label(target)
            ),
            field="status",
        )
    if role not in transition.roles:
        raise PermissionDenied(
            _(
                "The role “{role}” may not move a case from “{current}” to “{target}”; "
                "ask the consul or the mission administrator."
            ).format(role=label(role), current=label(current), target=label(target))
        )
    if transition.needs_reason and not (reason or "").strip():
        raise ValidationError(
            _("Give a reason for moving the case from “{current}” to “{target}”.").format(
                current=label(current), target=label(target)
            ),
            field="reason",
        )


DeadlineState = Literal["green", "amber", "red", "none"]

DEFAULT_DUE_DAYS: dict[Urgency, int] = {
    Urgency.CRITICAL: 2,
    Urgency.HIGH: 7,
    Urgency.NORMAL: 14,
    Urgency.LOW: 30,
}

# A case due within this many days shows amber, so that it is chased before it is late.
AMBER_DAYS = 3


def default_due_date(received: date, urgency: Urgency) -> date:
    return received + timedelta(days=DEFAULT_DUE_DAYS[urgency])


def deadline_state(due: date | None, today: date, status: CaseStatus) -> DeadlineState:
    """Traffic light for follow-up: red overdue, amber due within 3 days, else green."""
    if due is None or not is_open(status):
        return "none"
    if due < today:
        return "red"
    if (due - today).days <= AMBER_DAYS:
        return "amber"
    return "green"
