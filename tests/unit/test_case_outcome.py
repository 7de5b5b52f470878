"""The case's outcome recorded by the officer: checks, audit, version, timeline, statistics."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Case, CaseEvent
from app.domain.events import compose
from app.domain.outcome import LargeRecoveryWarning
from app.errors import ConflictError, ValidationError
from app.i18n import language_override
from app.services.cases import CaseService
from app.services.records import CaseChanges
from app.services.stats import StatsFilter, StatsService
from app.services.workspace import Workspace
from tests.builders import TODAY, new_case
from tests.conftest import OpenWs

pytestmark = pytest.mark.both_engines

CLAIMED = ({"amount": "1500", "currency": "USD", "what": "wages"},)


def _case_row(ws: Workspace, case_id: str) -> Case:
    with ws.read() as session:
        row = session.get(Case, case_id)
        assert row is not None
        session.expunge(row)
        return row


def test_outcome_is_saved_with_its_dates_audited_and_on_the_timeline(ws: Workspace) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case(claims=CLAIMED))
    returned_on = TODAY - timedelta(days=1)
    saved = service.update_case(
        case.id,
        CaseChanges(
            documents_returned=True,
            documents_returned_on=returned_on,
            wages_recovered_amount=Decimal("1200"),
            wages_recovered_currency="usd",
        ),
        expected_version=case.version,
    )
    assert saved.documents_returned and saved.documents_returned_on == returned_on
    assert not saved.repatriated and saved.repatriated_on is None
    assert (saved.wages_recovered_amount, saved.wages_recovered_currency) == (
        Decimal("1200"),
        "USD",
    )
    assert saved.has_outcome and saved.version > case.version
    assert service.get_case(case.id).documents_returned_on == returned_on
    # The day travels in the case's outcome JSON, which bundles carry already.
    assert _case_row(ws, case.id).outcome == {"documents_returned_on": returned_on.isoformat()}
    with ws.read() as session:
        audit = session.execute(
            select(AuditEntry.action, AuditEntry.details).where(AuditEntry.entity_id == case.number)
        ).all()
        entry = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.change_seq)
        ).all()[-1]
    assert ("case.update", {"fields": ["outcome"]}) in [(a, d) for a, d in audit]
    with language_override("en"):
        text = compose(entry.data, entry.text, "en")
    assert text.startswith("Outcome recorded: documents returned on ")
    assert text.endswith("wages recovered: 1,200\u00a0USD.")
    # Composed in the reader's language when shown: Kazakh digits and dates.
    assert "1\u00a0200\u00a0USD" in compose(entry.data, entry.text, "kk")


def test_taking_an_outcome_back_clears_its_date_and_says_so(ws: Workspace) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case())
    home = service.update_case(
        case.id, CaseChanges(repatriated=True, repatriated_on=TODAY), case.version
    )
    back = service.update_case(
        case.id, CaseChanges(repatriated=False, clear_wages_recovered=True), home.version
    )
    assert not back.repatriated and back.repatriated_on is None
    assert _case_row(ws, case.id).outcome == {}
    last = back.events[-1]
    assert compose(last.data, last.text, "en") == "Outcome recorded: nothing achieved yet."


def test_the_same_outcome_again_writes_nothing(ws: Workspace) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case())
    once = service.update_case(case.id, CaseChanges(documents_returned=True))
    again = service.update_case(case.id, CaseChanges(documents_returned=True))
    assert again.version == once.version and len(again.events) == len(once.events)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            CaseChanges(wages_recovered_amount=Decimal("-5"), wages_recovered_currency="USD"),
            "wages_recovered_amount",
            "cannot be negative",
        ),
        (
            CaseChanges(wages_recovered_amount=Decimal("5")),
            "wages_recovered_currency",
            "Give the currency",
        ),
        (
            CaseChanges(
                wages_recovered_amount=Decimal("1234567.50"), wages_recovered_currency="KRW"
            ),
            "wages_recovered_amount",
            "KRW has no minor unit",
        ),
        (
            # Two days ahead: TODAY is read at collection, and a run that crosses midnight
            # made tomorrow today.
            CaseChanges(documents_returned=True, documents_returned_on=TODAY + timedelta(days=2)),
            "documents_returned_on",
            "in the future",
        ),
        (
            CaseChanges(repatriated=True, repatriated_on=TODAY - timedelta(days=30)),
            "repatriated_on",
            "before the case was received",
        ),
        (
            CaseChanges(repatriated=False, repatriated_on=TODAY),
            "repatriated_on",
            "needs its box ticked",
        ),
    ],
)
def test_a_bad_outcome_is_refused_and_nothing_written(
    ws: Workspace, changes: CaseChanges, field: str, message: str
) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case())
    with pytest.raises(ValidationError, match=message) as refused:
        service.update_case(case.id, changes, case.version)
    assert refused.value.field == field
    after = service.get_case(case.id)
    assert after.version == case.version and not after.has_outcome
    assert _case_row(ws, case.id).outcome == {}


def test_a_recovery_ten_times_the_claims_needs_the_officers_word(ws: Workspace) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case(claims=CLAIMED))
    typo = CaseChanges(wages_recovered_amount=Decimal("150000"), wages_recovered_currency="USD")
    with pytest.raises(LargeRecoveryWarning, match="more than 10 times"):
        service.update_case(case.id, typo, case.version)
    assert service.get_case(case.id).wages_recovered_amount is None
    # Another currency than the claims' has nothing to compare with.
    service.update_case(
        case.id,
        CaseChanges(wages_recovered_amount=Decimal("150000"), wages_recovered_currency="TRY"),
    )
    confirmed = service.update_case(
        case.id,
        CaseChanges(
            wages_recovered_amount=Decimal("150000"),
            wages_recovered_currency="USD",
            confirm_large_recovery=True,
        ),
    )
    assert confirmed.wages_recovered_amount == Decimal("150000")


def test_an_outcome_over_a_newer_version_is_refused(open_ws: OpenWs) -> None:
    case = CaseService(open_ws("admin")).create_case(new_case())
    CaseService(open_ws("aigul")).update_case(case.id, CaseChanges(description="x"), case.version)
    service = CaseService(open_ws("serik"))
    with pytest.raises(ConflictError):
        service.update_case(case.id, CaseChanges(repatriated=True), case.version)
    assert not service.get_case(case.id).repatriated


def test_an_outcome_recorded_through_the_service_counts_in_the_statistics(
    open_ws: OpenWs,
) -> None:
    """Recorded before the case is resolved, or afterwards (as the resolve step offers)."""
    aigul = open_ws("aigul")
    service = CaseService(aigul)
    before = service.create_case(new_case(claims=CLAIMED))
    service.set_status(before.id, "in_progress", "")
    service.update_case(
        before.id,
        CaseChanges(
            documents_returned=True,
            documents_returned_on=TODAY,
            wages_recovered_amount=Decimal("900"),
            wages_recovered_currency="USD",
        ),
    )
    service.set_status(before.id, "resolved", "Paid.")
    after = service.create_case(
        new_case(claims=CLAIMED, employer=None), allow_duplicate_person=True
    )
    service.set_status(after.id, "in_progress", "")
    service.set_status(after.id, "resolved", "Home.")
    service.update_case(
        after.id,
        CaseChanges(
            repatriated=True,
            wages_recovered_amount=Decimal("100"),
            wages_recovered_currency="USD",
        ),
    )
    figures = StatsService(aigul).indicators(StatsFilter(date_from=TODAY - timedelta(days=30)))
    assert figures.documents_returned == 1 and figures.repatriated == 1
    assert [(m.currency, m.amount, m.cases) for m in figures.wages_recovered] == [
        ("USD", Decimal("1000"), 2)
    ]
