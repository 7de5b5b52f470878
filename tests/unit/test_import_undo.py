"""Undoing a spreadsheet import: its unused cases go, with the people and organisations only
they named; whatever was used, sent to headquarters or was there before stays."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import pyrage
import pytest
from sqlalchemy import func, select

from app.db.models import AuditEntry, Case, CaseEvent, Employer, Person
from app.errors import PermissionDenied, ValidationError
from app.security import audit
from app.services import csv_import, import_undo, retention
from app.services.cases import CaseService
from app.services.exchange import ExchangeService
from app.services.import_undo import KeptReason, check_undo, list_imports, undo_import
from app.services.records import CaseInput, OrganisationInput, PersonInput
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.unit.test_day_stats import assert_counts_match_a_recount

ROWS = (
    "surname;given_names;passport_no;birth_date;host_country;categories;received_at;status;"
    "employer\n"
    "Әбенов;Нұрлан;N1234567;1990-01-02;KR;unpaid_wages;2026-05-04;new;Daesung\n"
    "Әбенов;Нұрлан;N1234567;1990-01-02;KR;violence;2026-05-05;in_progress;Daesung\n"
    "Қасымова;Сәуле;;;AE;documents_withheld, other;2026-06-10;resolved;\n"
    "Петров;Иван;;1985-03-04;TR;other;2025-12-31;closed;Yapı Ltd\n"
    "Ли;Мария;M7654321;1992-07-08;KR;violence;2026-07-01;new;Hanil\n"
)


def _received_in(year: str) -> str:
    """The same rows received in another year: other cases, not repeats."""
    return ROWS.replace("2026-", f"{year}-").replace("2025-12", f"{year}-12")


def _totals(ws: Workspace) -> dict[str, int]:
    with ws.read() as session:
        return {
            model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Case, CaseEvent, Person, Employer)
        }


def _import(ws: Workspace, raw: str = ROWS) -> csv_import.ImportReport:
    report = csv_import.import_csv(ws, raw.encode(), file_name="register.csv")
    assert report.imported == raw.count("\n") - 1
    return report


def _case_id(ws: Workspace, number: str) -> str:
    return CaseService(ws).get_by_number(number).id


def test_an_untouched_import_goes_whole_and_leaves_the_mission_as_it_was(ws: Workspace) -> None:
    before = _totals(ws)
    report = _import(ws)
    [record] = list_imports(ws)
    assert (record.file_name, record.imported, record.actor) == ("register.csv", 5, "admin")
    assert record.import_id == report.import_id and record.can_undo
    plan = check_undo(ws, record)
    assert plan.removable == report.numbers and plan.kept == []
    assert _totals(ws) != before  # checking changed nothing

    done = undo_import(ws, record)
    assert done.removable == report.numbers
    assert (done.people, done.organisations) == (4, 3)  # Daesung, Yapı Ltd, Hanil
    assert _totals(ws) == before
    with ws.read() as session:
        assert session.execute(select(Case).where(Case.number.in_(report.numbers))).first() is None
        entry = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "import.undo")
        ).scalar_one()
        assert entry["removed"] == 5 and entry["numbers"] == [
            f"{report.numbers[0]}…{report.numbers[-1]}"
        ]
        assert audit.verify(session)[1] == []
    [again] = list_imports(ws)
    assert not again.can_undo and again.undone_by == "admin" and again.removed == 5
    with pytest.raises(ValidationError, match="undone on"):
        undo_import(ws, again)
    # The same file, imported again with the right columns, is not taken for a repeat, and
    # its check says the earlier import was undone.
    checked = csv_import.import_csv(ws, ROWS.encode(), dry_run=True)
    assert checked.accepted == 5
    said = csv_import.earlier_imports_message(checked)
    assert said.startswith("This file was imported before: ")
    assert " by admin, 5 cases (undone " in said and said.endswith(" by admin).")


def test_cases_used_since_stay_with_their_people(ws: Workspace) -> None:
    report = _import(ws)
    first, second, third, fourth, fifth = report.numbers
    service = CaseService(ws)
    service.add_event(_case_id(ws, first), "note", "Called the employer.")
    service.add_attachment(_case_id(ws, fourth), "contract.pdf", b"%PDF-1.4 contract")
    [record] = list_imports(ws)
    plan = undo_import(ws, record)
    assert plan.removable == [second, third, fifth]
    assert plan.kept == [(first, KeptReason.CHANGED), (fourth, KeptReason.LINKED)]
    with ws.read() as session:
        left = session.execute(select(Case.number).where(Case.number.in_(report.numbers)))
        assert sorted(left.scalars()) == [first, fourth]
        # Әбенов's second case went; he stays for his first, and Daesung with him.
        surnames = set(session.execute(select(Person.surname)).scalars())
        assert {"Әбенов", "Петров"} <= surnames and not {"Қасымова", "Ли"} & surnames
        employers = set(session.execute(select(Employer.name)).scalars())
        assert {"Daesung", "Yapı Ltd"} <= employers and "Hanil" not in employers
    assert "2 cases stay" in import_undo.done_message(plan)


def test_people_and_employers_known_before_the_import_stay(ws: Workspace) -> None:
    earlier = CaseService(ws).create_case(
        CaseInput(
            host_country="KR",
            categories=("violence",),
            received_at=date(2026, 3, 1),
            person=PersonInput(surname="Ли", given_names="Мария", passport_no="M7654321"),
            employer=OrganisationInput(name="Hanil", country="KR"),
        )
    )
    before = _totals(ws)
    _import(ws)
    [record] = list_imports(ws)
    undo_import(ws, record)
    assert _totals(ws) == before
    assert CaseService(ws).get_by_number(earlier.number).person.surname == "Ли"


def test_cases_sent_to_headquarters_stay(ws: Workspace, tmp_path: Path) -> None:
    report = _import(ws)
    hq = str(pyrage.x25519.Identity.generate().to_public())
    ExchangeService(ws).export_cases(tmp_path / "out.qbundle", [hq])
    later = _import(ws, _received_in("2024"))
    records = list_imports(ws)
    assert [r.import_id for r in records] == [later.import_id, report.import_id]
    sent = check_undo(ws, records[1])
    assert sent.removable == [] and {r for _n, r in sent.kept} == {KeptReason.SENT}
    with pytest.raises(ValidationError, match="used since"):
        undo_import(ws, records[1])
    assert len(undo_import(ws, records[0]).removable) == 5


def test_only_the_importer_or_a_consul_undoes_an_import(open_ws: OpenWs) -> None:
    attache, other = open_ws("aigul"), open_ws("serik")
    _import(attache)
    [record] = list_imports(attache)
    before = _totals(attache)
    consul_import = _import(other, _received_in("2023"))
    with pytest.raises(PermissionDenied):
        undo_import(attache, list_imports(attache)[0])  # the consul's
    forged = replace(list_imports(attache)[0], actor="aigul")  # the audit says who made it
    with pytest.raises(PermissionDenied):
        undo_import(attache, forged)
    assert _totals(attache)["Case"] == before["Case"] + 5
    assert len(undo_import(other, record).removable) == 5  # a consul undoes the attaché's
    assert list_imports(attache)[0].import_id == consul_import.import_id
    astana = open_ws("astana")
    with pytest.raises(PermissionDenied):
        list_imports(astana)


def test_a_part_import_stopped_midway_can_be_undone(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_import, "BATCH_ROWS", 2)
    before = _totals(ws)
    stop = threading.Event()
    with pytest.raises(csv_import.PartlyImported):
        csv_import.import_csv(ws, ROWS.encode(), stop=stop, progress=lambda done, total: stop.set())
    [record] = list_imports(ws)
    assert record.imported == 2 and record.can_undo
    assert len(undo_import(ws, record).removable) == 2
    assert _totals(ws) == before


def test_cases_the_retention_policy_anonymised_are_still_the_import_s(ws: Workspace) -> None:
    """A wrong date column made the cases old: the next sign-in anonymised them (and their
    entries' data with the import's id). They are no one's work: the undo finds and removes
    them, their blanked people with them."""
    before = _totals(ws)
    old = (
        "surname;given_names;birth_date;categories;received_at;ended_on\n"
        "Әбенов;Нұрлан;1990-01-02;unpaid_wages;2012-05-04;2012-06-01\n"
        "Қасымова;Сәуле;1991-02-03;violence;2013-06-10;2013-07-01\n"
    )
    _import(ws, old)
    report = retention.run_retention(ws)
    assert len(report.anonymised_cases) == 2
    [record] = list_imports(ws)
    plan = undo_import(ws, record)
    assert (len(plan.removable), plan.kept, plan.people) == (2, [], 2)
    assert _totals(ws) == before


def test_an_import_made_before_undo_existed_is_listed_and_refused(ws: Workspace) -> None:
    with ws.write() as session:
        ws.audit(session, "import.csv", "case", "", {"rows": 3, "imported": 3})
    [record] = list_imports(ws)
    assert not record.can_undo
    with pytest.raises(ValidationError, match="before Qorgau could undo"):
        check_undo(ws, record)


def test_an_import_is_named_by_the_start_of_its_id(ws: Workspace) -> None:
    report = _import(ws)
    other = _import(ws, _received_in("2024"))  # a minute later: the names still differ
    assert report.import_id[:8] != other.import_id[:8]
    assert import_undo.find_import(ws, report.import_id[:8]).import_id == report.import_id
    with pytest.raises(ValidationError, match="at least"):
        import_undo.find_import(ws, report.import_id[:3])
    with pytest.raises(Exception, match="No import"):
        import_undo.find_import(ws, "ffffffffff")


@pytest.mark.both_engines
def test_the_dashboard_counts_follow_an_undo(ws: Workspace) -> None:
    _import(ws)
    [record] = list_imports(ws)
    before = _totals(ws)
    assert len(undo_import(ws, record).removable) == 5
    assert _totals(ws)["Case"] == before["Case"] - 5
    assert_counts_match_a_recount(ws)


def test_number_ranges() -> None:
    numbers = ["SEL-2026-0009", "SEL-2026-0010", "SEL-2026-0011", "SEL-2026-0014", "X"]
    assert import_undo.number_ranges(numbers) == [
        "SEL-2026-0009…SEL-2026-0011",
        "SEL-2026-0014",
        "X",
    ]


def test_one_case_undone_is_spoken_of_as_one(ws: Workspace) -> None:
    """Russian said «Вместе с ними удалены…» after a single case went with its person."""
    from app.i18n import set_language

    one = ROWS.splitlines()[0] + "\n" + ROWS.splitlines()[3] + "\n"
    _import(ws, one)
    [record] = list_imports(ws)
    plan = undo_import(ws, record)
    assert len(plan.removable) == 1 and plan.people == 1
    set_language("ru")
    try:
        said = import_undo.done_message(plan)
    finally:
        set_language("en")
    assert said.endswith("Вместе с ним удалены записанные только для него: 1 человек."), said
