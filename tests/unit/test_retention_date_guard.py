"""Retention's date guard: a clock set ahead anonymises nothing until an administrator confirms.

Qorgau has no trusted time and an anonymisation cannot be undone: a laptop whose date was set a
year ahead anonymised, at the next sign-in, every case due within that year.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Case, Person, Setting
from app.errors import PermissionDenied
from app.security import audit
from app.services.records import PersonInput
from app.services.retention import (
    DATE_JUMP_LIMIT,
    DEFAULT_YEARS,
    TRUSTED_ON,
    DateInDoubt,
    add_years,
    run_manually,
    run_on_start,
    trusted_on,
)
from app.services.workspace import Workspace
from tests.builders import closed_days_ago
from tests.conftest import PASSWORD, OpenWs
from tests.integration.cli_helpers import run_cli

TODAY = date.today()
A_YEAR_AHEAD = TODAY + timedelta(days=365)


def closed_case(ws: Workspace, days_ago: int) -> str:
    return closed_days_ago(ws, PersonInput(surname="Жақсылықова", given_names="Гүлназ"), days_ago)


def due_within_the_year(ws: Workspace) -> str:
    return closed_case(ws, (add_years(TODAY, DEFAULT_YEARS) - TODAY).days - 200)


def surname(ws: Workspace, case_id: str) -> str:
    with ws.read() as session:
        row = session.get(Case, case_id)
        assert row is not None
        person = session.get(Person, row.person_id)
        assert person is not None
        return person.surname


def entries(ws: Workspace, action: str) -> list[dict[str, object]]:
    with ws.read() as session:
        rows = session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()
        return [dict(row.details) for row in rows]


def stored_reference(ws: Workspace) -> object:
    with ws.read() as session:
        row = session.get(Setting, TRUSTED_ON)
        return row.value if row is not None else None


def test_a_clock_set_a_year_ahead_anonymises_nothing_and_is_audited(open_ws: OpenWs) -> None:
    ws = open_ws("admin")
    case_id = due_within_the_year(ws)
    run_on_start(ws)  # a sign-in with the clock right: nothing due, today trusted
    assert stored_reference(ws) == TODAY.isoformat()

    with pytest.raises(DateInDoubt) as refused:
        run_on_start(ws, today=A_YEAR_AHEAD)

    assert (refused.value.today, refused.value.trusted_on) == (A_YEAR_AHEAD, TODAY)
    assert "an administrator confirms it" in str(refused.value)
    assert surname(ws, case_id) == "Жақсылықова"
    assert entries(ws, "retention.anonymise") == [] and entries(ws, "retention.run") == []
    assert entries(ws, "retention.date_doubted") == [
        {
            "computer_date": A_YEAR_AHEAD.isoformat(),
            "trusted_date": TODAY.isoformat(),
            "trigger": "start",
        }
    ]
    assert stored_reference(ws) == TODAY.isoformat()


class ClockAhead(datetime):
    """The office laptop's clock, set a year ahead: what the audit log stamps its entries with."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> ClockAhead:
        real = datetime.now(tz) + timedelta(days=365)
        return cls.combine(real.date(), real.timetz())


def test_without_a_trusted_date_the_log_before_the_sign_in_is_the_reference(
    open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run since the guard came, at a sign-in under the clock set ahead: the sign-in
    was audited with that clock, so the reference is the newest entry before it; and the next
    session's, whose log now holds the first one's entries, keeps that reference."""
    case_id = due_within_the_year(open_ws("admin"))
    monkeypatch.setattr(audit, "datetime", ClockAhead)
    ws = open_ws("admin")
    assert stored_reference(ws) is None and trusted_on(ws) == TODAY

    with pytest.raises(DateInDoubt):
        run_on_start(ws, today=A_YEAR_AHEAD)
    assert stored_reference(ws) == TODAY.isoformat()
    with pytest.raises(DateInDoubt):
        run_on_start(open_ws("admin"), today=A_YEAR_AHEAD)
    assert surname(ws, case_id) == "Жақсылықова"
    assert entries(ws, "retention.anonymise") == []
    assert len(entries(ws, "retention.date_doubted")) == 2


def test_an_administrator_who_confirms_the_date_lets_it_run(open_ws: OpenWs) -> None:
    ws = open_ws("admin")
    case_id = due_within_the_year(ws)
    run_on_start(ws)
    consul = open_ws("serik")
    with pytest.raises(PermissionDenied, match="an administrator confirms it"):
        run_manually(consul, today=A_YEAR_AHEAD, date_is_right=True)
    assert surname(ws, case_id) == "Жақсылықова"
    assert entries(ws, "retention.date_confirmed") == []

    report = run_manually(ws, today=A_YEAR_AHEAD, date_is_right=True)

    assert surname(ws, case_id) == "" and len(report.anonymised_cases) == 1
    assert entries(ws, "retention.date_confirmed") == [
        {
            "computer_date": A_YEAR_AHEAD.isoformat(),
            "trusted_date": TODAY.isoformat(),
            "trigger": "manual",
        }
    ]
    assert stored_reference(ws) == A_YEAR_AHEAD.isoformat()


def test_a_month_of_leave_still_runs_and_a_longer_pause_asks(ws: Workspace) -> None:
    run_on_start(ws)
    back = TODAY + timedelta(days=38)  # five weeks away, the weekends around them
    assert run_on_start(ws, today=back).anonymised_cases == []
    assert stored_reference(ws) == back.isoformat()
    with pytest.raises(DateInDoubt):
        run_on_start(ws, today=back + DATE_JUMP_LIMIT + timedelta(days=1))
    assert entries(ws, "retention.date_doubted") != []


def test_a_clock_run_behind_and_set_right_is_not_doubted(ws: Workspace) -> None:
    """A dead CMOS battery: the laptop starts in a year long past, and is set right later."""
    run_on_start(ws)
    assert run_on_start(ws, today=date(2000, 1, 1)).anonymised_cases == []
    assert stored_reference(ws) == TODAY.isoformat()
    run_on_start(ws)
    assert entries(ws, "retention.date_doubted") == []


def test_a_dry_run_lists_without_asking(ws: Workspace) -> None:
    """It changes nothing, so the date it is given does no harm."""
    due_within_the_year(ws)
    run_on_start(ws)
    assert len(run_manually(ws, today=A_YEAR_AHEAD, dry_run=True).candidates) == 1
    assert entries(ws, "retention.date_doubted") == []


def test_the_cli_says_what_to_do_and_confirms_with_date_is_right(
    open_ws: OpenWs,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = open_ws("admin")
    case_id = closed_case(ws, 366 * (DEFAULT_YEARS + 1))
    long_ago = TODAY - timedelta(days=200)  # the last run trusted then: today looks far ahead
    with ws.write() as session:
        session.merge(Setting(key=TRUSTED_ON, value=long_ago.isoformat()))
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    base = ("--data-dir", str(ws.paths.data_dir))

    refused = run_cli(capsys, *base, "retention", "run")

    assert refused.code == 1
    assert "Retention anonymised nothing." in refused.err
    assert "qorgau retention run --date-is-right" in refused.err
    assert surname(ws, case_id) == "Жақсылықова"
    confirmed = run_cli(capsys, *base, "retention", "run", "--date-is-right")
    assert confirmed.code == 0, confirmed.err
    assert confirmed.out.startswith("Anonymised 1 case")
    assert surname(ws, case_id) == ""
