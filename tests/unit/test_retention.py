"""Retention: after the policy's years a closed case keeps its statistics and loses its person.

The proof reads the file itself: every page of qorgau.db and of its WAL is decrypted
(tests/reliability/sqlcipher_pages.py) and searched for each personal value, so freed pages,
slack space and old page images count too; a dump of every table (FTS shadow tables
included) and a search through the index are checked as well.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db.models import Attachment, AuditEntry, Case, CaseEvent, Letter, Person
from app.domain import events
from app.errors import PermissionDenied, ValidationError
from app.security import audit
from app.services import search
from app.services.cases import CaseService
from app.services.records import CaseDetail, CaseInput, OrganisationInput, PersonInput
from app.services.retention import (
    DEFAULT_YEARS,
    add_years,
    retention_years,
    run_manually,
    run_on_start,
    run_retention,
    set_retention_years,
)
from app.services.workspace import Workspace
from tests.conftest import date_trusted
from tests.reliability.sqlcipher_pages import decrypted_bytes

TODAY = date.today()
LATER = add_years(TODAY, DEFAULT_YEARS) + timedelta(days=1)
SECRETS = {
    "surname": "Құрманғалиқызы",
    "given_names": "Әселхан",
    "patronymic": "Бақытжанқызы",
    "surname_latin": "KURMANGALIKYZY",
    "given_names_latin": "ASSELKHAN",
    "iin": "940315400123",
    "passport_no": "N99887766",
    "phone_abroad": "+82 10 9876 5432",
    "email": "assel.k.private@example.kz",
    "address_abroad": "Ansan, Wongok-dong 77-12",
    "next_of_kin": "Бақытжан Құрманғали, әкесі",
    "consent_note": "Келісімін ауызша берді",
}
DESCRIPTION = "Жұмыс беруші Әселханның төлқұжатын ұстап отыр, Ansan зауыты"
NOTE = "Әселхан телефон арқылы хабарласты, мекенжайы Wongok-dong"
ATTACHMENT = b"%PDF scan of passport N99887766 KURMANGALIKYZY ASSELKHAN"
LETTER_PDF = b"%PDF letter to the employer about KURMANGALIKYZY ASSELKHAN N99887766"
LETTER_SUBJECT = "Құрманғалиқызы Әселхан туралы"


def personal_values() -> list[str]:
    """Each value as typed, lower-cased, and as a JSON column stores it (non-ASCII escaped)."""
    values = [*SECRETS.values(), DESCRIPTION, NOTE, LETTER_SUBJECT, "passport-scan.pdf"]
    cased = values + [v.lower() for v in values]
    return cased + [json.dumps(v)[1:-1] for v in cased if not v.isascii()]


def make_case(ws: Workspace, person: PersonInput, **extra: Any) -> CaseDetail:
    return CaseService(ws).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages", "documents_withheld"),
            received_at=TODAY - timedelta(days=3),
            person=person,
            employer=OrganisationInput(name="Daesung Metal Co", country="KR", city="Ansan"),
            **extra,
        ),
        allow_duplicate_person=True,
    )


def close(ws: Workspace, case_id: str) -> None:
    service = CaseService(ws)
    service.set_status(case_id, "in_progress", "Statement taken")
    service.set_status(case_id, "resolved", "Wages paid")
    service.set_status(case_id, "closed", "Confirmed")


@pytest.fixture
def closed_case(ws: Workspace) -> CaseDetail:
    case = make_case(ws, PersonInput(**SECRETS), description=DESCRIPTION)
    service = CaseService(ws)
    service.add_event(case.id, "note", NOTE)
    service.add_attachment(case.id, "passport-scan.pdf", ATTACHMENT, "application/pdf")
    with ws.write() as session:
        session.add(
            Letter(
                case_id=case.id,
                mission_code="SEL",
                kind="employer_letter",
                lang="kk",
                status="issued",
                subject=LETTER_SUBJECT,
                free_text=NOTE,
                addressee={"name": SECRETS["surname"]},
                pdf=LETTER_PDF,
                pdf_sha256="0" * 64,
                outgoing_number="SEL-2026/0001",
            )
        )
    close(ws, case.id)
    return case


def table_dump(ws: Workspace) -> str:
    """Every row of every table, FTS shadow tables included, as text."""
    parts = []
    with ws.read() as session:
        names = session.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table'")
        ).scalars()
        for name in list(names):
            for row in session.execute(text(f'SELECT * FROM "{name}"')):
                for value in row:
                    if isinstance(value, bytes):
                        parts.append(value.decode("utf-8", "replace"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


def test_a_closed_case_loses_its_personal_data_everywhere(
    ws: Workspace, closed_case: CaseDetail
) -> None:
    open_case = make_case(
        ws, PersonInput(surname="Сейітов", given_names="Ерлан", iin="850101300015")
    )
    plain = decrypted_bytes(ws.db.path, ws.db.key)
    # The check can see: before the run, the values are there in the decrypted pages.
    for value in (SECRETS["surname"], SECRETS["passport_no"], NOTE):
        assert value.encode() in plain
    assert ATTACHMENT in plain

    report = run_manually(ws, today=LATER, date_is_right=True)

    assert report.anonymised_cases == [closed_case.number]
    assert report.anonymised_persons == 1
    assert report.wal_checkpointed
    plain = decrypted_bytes(ws.db.path, ws.db.key)
    dump = table_dump(ws)
    for value in personal_values():
        assert value.encode() not in plain, value
        assert value not in dump, value
    assert ATTACHMENT not in plain and LETTER_PDF not in plain
    assert ws.db.path.with_name("qorgau.db-wal").stat().st_size == 0
    # The index no longer finds the person; the other case is untouched.
    cases = CaseService(ws)
    for query in ("Құрманғалиқызы", "kurmangalikyzy", "940315400123", "N99887766"):
        assert cases.search(query) == []
    assert [r.number for r in cases.search("Сейітов")] == [open_case.number]
    assert [r.number for r in cases.search(closed_case.number)] == [closed_case.number]
    assert "Ерлан".encode() in plain


def _steps_of(pages: int, calls: list[int], cut_after: int | None = None) -> Any:
    """``merge_index_step`` merging ``pages`` pages a step, noting each call in ``calls``;
    with ``cut_after``, the app switched off before the step after that many."""
    real = search.merge_index_step

    def step(session: Session, _pages: int = search.MERGE_PAGES) -> bool:
        if cut_after is not None and len(calls) == cut_after:
            raise OSError("the laptop was switched off")
        calls.append(1)
        return real(session, pages)

    return step


def _gone_from_the_file(ws: Workspace) -> list[str]:
    plain = decrypted_bytes(ws.db.path, ws.db.key)
    return [value for value in personal_values() if value.encode() in plain]


def test_the_index_is_merged_a_step_per_write_so_that_others_save_between(
    ws: Workspace, closed_case: CaseDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[str] = []
    original = ws.db.write

    @contextmanager
    def noted_write() -> Iterator[Session]:
        writes.append("write")
        with original() as session:
            yield session

    for number in range(40):  # an index of several pages, each case its own segment
        make_case(
            ws,
            PersonInput(surname=f"Сейітов{number}", given_names="Ерлан"),
            description=" ".join(f"сөз{number}x{word}" for word in range(60)),
        )
    page_a_step = _steps_of(1, [])

    def step(session: Session, _pages: int = search.MERGE_PAGES) -> bool:
        writes.append("merge")
        return bool(page_a_step(session))

    monkeypatch.setattr(search, "merge_index_step", step)
    monkeypatch.setattr(ws.db, "write", noted_write)
    report = run_manually(ws, today=LATER, date_is_right=True)

    assert report.anonymised_cases == [closed_case.number] and report.wal_checkpointed
    steps = [at for at, what in enumerate(writes) if what == "merge"]
    assert len(steps) > 2  # a page a step: several steps
    assert all(writes[at - 1] == "write" for at in steps)  # each in a write of its own
    assert _gone_from_the_file(ws) == []
    with original() as session:  # merged to the end: nothing left
        assert not search.merge_index_step(session)


def test_a_merge_cut_short_is_finished_by_the_next_start(
    ws: Workspace, closed_case: CaseDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(search, "merge_index_step", _steps_of(1, calls, cut_after=1))
    with pytest.raises(OSError):
        run_manually(ws, today=LATER, date_is_right=True)
    assert CaseService(ws).get_case(closed_case.id).person.surname == ""
    # The check can see: the old terms are still in the index's pages.
    assert SECRETS["passport_no"] in _gone_from_the_file(ws)
    monkeypatch.undo()

    report = run_on_start(ws, today=LATER, date_is_right=True)

    assert report.anonymised_cases == [] and report.wal_checkpointed
    assert _gone_from_the_file(ws) == []


def _stop_at(call: int) -> Callable[[], bool]:
    """A ``stop`` that says so from its ``call``-th question on (the app closing then)."""
    asked = iter(range(1, 1_000))
    return lambda: next(asked) >= call


def test_a_run_stopped_between_two_cases_leaves_the_rest_to_the_next(
    ws: Workspace, closed_case: CaseDetail
) -> None:
    second = make_case(ws, PersonInput(surname="Досжанов", given_names="Ерболат"))
    close(ws, second.id)

    first = run_retention(
        ws, today=LATER, stop=_stop_at(2), date_is_right=True
    )  # asked before each case

    assert len(first.anonymised_cases) == 1 and not first.wal_checkpointed
    then = run_on_start(ws, today=LATER, date_is_right=True)
    assert len(then.anonymised_cases) == 1
    assert {*first.anonymised_cases, *then.anonymised_cases} == {closed_case.number, second.number}
    assert then.wal_checkpointed and _gone_from_the_file(ws) == []


def test_a_merge_stopped_between_two_steps_is_finished_by_the_next_start(
    ws: Workspace, closed_case: CaseDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(search, "merge_index_step", _steps_of(1, calls))

    # Asked before the case, before the merge, then after each step: the third says stop.
    first = run_retention(ws, today=LATER, stop=_stop_at(3), date_is_right=True)

    assert first.anonymised_cases == [closed_case.number] and not first.wal_checkpointed
    assert len(calls) == 1
    assert SECRETS["passport_no"] in _gone_from_the_file(ws)  # the check can see
    monkeypatch.undo()
    then = run_on_start(ws, today=LATER, date_is_right=True)
    assert then.anonymised_cases == [] and then.wal_checkpointed
    assert _gone_from_the_file(ws) == []


def test_a_start_with_nothing_to_anonymise_does_not_merge_the_index(
    ws: Workspace, closed_case: CaseDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_on_start(ws, today=LATER, date_is_right=True)
    calls: list[int] = []
    monkeypatch.setattr(search, "merge_index_step", _steps_of(search.MERGE_PAGES, calls))
    make_case(ws, PersonInput(surname="Сейітов", given_names="Ерлан"))  # a segment of its own

    report = run_on_start(ws, today=LATER, date_is_right=True)

    assert calls == [] and not report.wal_checkpointed


def test_statistics_and_the_register_survive(ws: Workspace, closed_case: CaseDetail) -> None:
    date_trusted(ws, LATER)
    run_manually(ws, today=LATER)
    with ws.read() as session:
        row = session.get(Case, closed_case.id)
        assert row is not None
        assert row.number == closed_case.number
        assert [c.code for c in row.categories] == ["documents_withheld", "unpaid_wages"]
        assert (row.host_country, row.status) == ("KR", "closed")
        assert row.received_at == closed_case.received_at
        assert row.closed_at is not None and row.anonymised_at is not None
        assert row.description == ""
        person = session.get(Person, row.person_id)
        assert person is not None and person.anonymised_at is not None
        assert (person.surname, person.iin, person.passport_no, person.birth_date) == (
            "",
            None,
            None,
            None,
        )
        assert person.citizenship == "KZ"
        letter = session.execute(select(Letter).where(Letter.case_id == row.id)).scalar_one()
        assert letter.outgoing_number == "SEL-2026/0001" and letter.pdf_sha256 == "0" * 64
        assert letter.pdf is None and letter.subject == "" and letter.addressee == {}
        attachment = session.execute(
            select(Attachment).where(Attachment.case_id == row.id)
        ).scalar_one()
        assert attachment.content is None and attachment.deleted_at is not None
        events = session.execute(select(CaseEvent).where(CaseEvent.case_id == row.id)).scalars()
        kinds = [(e.kind, e.status_to, e.text) for e in events]
        assert ("status_change", "closed", "") in kinds
        assert all(t == "" for _k, _s, t in kinds)
        actions = [
            (e.action, e.entity_id)
            for e in session.execute(
                select(AuditEntry).where(AuditEntry.action.like("retention.%"))
            ).scalars()
        ]
        assert actions == [
            ("retention.anonymise", closed_case.number),
            ("retention.run", "SEL"),
        ]
        assert audit.verify(session)[1] == []


def test_not_before_the_period_and_only_once(ws: Workspace, closed_case: CaseDetail) -> None:
    early = add_years(TODAY, DEFAULT_YEARS) - timedelta(days=1)
    assert run_manually(ws, today=early, date_is_right=True).anonymised_cases == []
    dry = run_manually(ws, today=LATER, dry_run=True)
    assert [c.number for c in dry.candidates] == [closed_case.number]
    assert dry.anonymised_cases == []
    assert CaseService(ws).get_case(closed_case.id).person.surname == SECRETS["surname"]
    assert run_on_start(ws, today=LATER, date_is_right=True).anonymised_cases == [
        closed_case.number
    ]
    again = run_on_start(ws, today=LATER, date_is_right=True)
    assert again.candidates == [] and again.anonymised_cases == []


def test_a_person_with_an_open_case_keeps_their_name(
    ws: Workspace, closed_case: CaseDetail
) -> None:
    with ws.read() as session:
        person_id = session.get(Case, closed_case.id).person_id  # type: ignore[union-attr]
    service = CaseService(ws)
    still_open = service.create_case(
        CaseInput(
            host_country="KR",
            categories=("violence",),
            received_at=TODAY,
            person_id=person_id,
        )
    )
    run_manually(ws, today=LATER, date_is_right=True)
    assert service.get_case(closed_case.id).description == ""
    assert service.get_case(still_open.id).person.surname == SECRETS["surname"]
    # Once the last case is closed and its years have passed, the person goes too.
    close(ws, still_open.id)
    report = run_manually(ws, today=add_years(LATER, DEFAULT_YEARS), date_is_right=True)
    assert report.anonymised_persons == 1
    assert service.get_case(still_open.id).person.surname == ""


def test_the_policy_is_a_setting_for_administrators(
    ws: Workspace, open_ws: Any, closed_case: CaseDetail
) -> None:
    assert retention_years(ws) == DEFAULT_YEARS
    set_retention_years(ws, 10)
    assert retention_years(ws) == 10
    assert run_manually(ws, today=LATER, date_is_right=True).anonymised_cases == []
    with pytest.raises(ValidationError) as bad:
        set_retention_years(ws, 0)
    assert str(bad.value) == "The retention period is 1 to 100 years."
    attache = open_ws("aigul")
    with pytest.raises(PermissionDenied):
        set_retention_years(attache, 3)
    with pytest.raises(PermissionDenied):
        run_manually(attache, today=LATER, date_is_right=True)
    assert retention_years(ws) == 10


@pytest.mark.both_engines  # HQ on a server runs retention at every start too
def test_a_rejected_case_counts_from_its_rejection_not_its_last_touch(ws: Workspace) -> None:
    """A rejected case has no closing date: its period runs from its last change to
    "rejected" (the timeline), to the day; a later touch does not move it."""
    case = make_case(ws, PersonInput(surname="Omarov", given_names="Erlan"))
    CaseService(ws).set_status(case.id, "rejected", "Not a labour matter")
    rejected_on = TODAY - timedelta(days=400)
    with ws.write() as session:
        event = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.status_to == "rejected")
        ).one()
        event.occurred_at = datetime.combine(rejected_on, time(23, 30), UTC)
    due = add_years(rejected_on, DEFAULT_YEARS)
    assert run_manually(ws, today=due - timedelta(days=1), dry_run=True).candidates == []
    (found,) = run_manually(ws, today=due, dry_run=True).candidates
    assert (found.number, found.status, found.closed_on, found.due_on) == (
        case.number,
        "rejected",
        rejected_on,
        due,
    )
    # Without a recorded change, the last time it was touched.
    with ws.write() as session:
        session.execute(text("DELETE FROM case_event WHERE status_to = 'rejected'"))
    assert run_manually(ws, today=due, dry_run=True).candidates == []
    today = date.today()  # the case's last touch was today's, even after midnight
    (found,) = run_manually(ws, today=add_years(today, DEFAULT_YEARS), dry_run=True).candidates
    assert found.closed_on == today


def test_the_timeline_keeps_what_the_app_recorded(ws: Workspace, closed_case: CaseDetail) -> None:
    """The fault: the entries' event codes went with their texts, so every entry the app wrote
    ("Case registered", "Letter issued", "Case transferred by headquarters") read "System" on
    the anonymised case's timeline, at the mission and at HQ."""

    def headings() -> list[str]:
        detail = CaseService(ws).get_case(closed_case.id)
        return [events.heading(e.kind, e.event, "en") for e in detail.events]

    before = headings()
    assert "Case registered" in before
    run_manually(ws, today=LATER, date_is_right=True)
    assert headings() == before
    assert all(e.typed == "" for e in CaseService(ws).get_case(closed_case.id).events)
