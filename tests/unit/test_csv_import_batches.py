"""CSV import in batches: the same cases, people, timeline and audit entries as one by one."""

from __future__ import annotations

import re
import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.models import AuditEntry, Case, CaseEvent, Employer, Person
from app.errors import StorageFull, ValidationError
from app.i18n import say_again, set_language
from app.security import audit
from app.services import csv_import
from app.services.cases import CaseService
from app.services.records import CaseChanges, CaseFilter
from app.services.workspace import Workspace
from tests.builders import disk_full_at_batch

ROWS = (
    "surname;given_names;passport_no;birth_date;host_country;categories;received_at;status;"
    "employer\n"
    "Әбенов;Нұрлан;N1234567;1990-01-02;KR;unpaid_wages;2026-05-04;new;Daesung\n"
    "Әбенов;Нұрлан;N1234567;1990-01-02;KR;violence;2026-05-05;in_progress;daesung\n"
    "Қасымова;Сәуле;;;AE;documents_withheld, other;2026-06-10;resolved;\n"
    "Петров;Иван;;1985-03-04;TR;other;2025-12-31;closed;Yapı Ltd\n"
    "Әбенов;Нұрлан;N1234567;1990-01-02;KR;other;2026-07-01;new;Daesung\n"
)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_import, "BATCH_ROWS", 2)  # three batches for five rows


def test_batches_write_every_row_with_its_timeline_and_audit(ws: Workspace) -> None:
    with ws.read() as session:
        cases_before = session.execute(select(func.count(Case.id))).scalar_one()
    report = csv_import.import_csv(ws, ROWS.encode())
    assert report.imported == 5
    assert len(set(report.numbers)) == 5
    with ws.read() as session:
        assert session.execute(select(func.count(Case.id))).scalar_one() == cases_before + 5
        created = session.execute(
            select(AuditEntry.entity_id).where(AuditEntry.action == "case.create")
        ).scalars()
        assert set(report.numbers) <= set(created)
        summary = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "import.csv")
        ).scalar_one()
        assert summary["imported"] == 5
        checked, problems = audit.verify(session)
        assert checked > 5 and problems == []
        ids = session.execute(select(Case.id).where(Case.number.in_(report.numbers))).scalars()
        ids = list(ids)
        events = session.execute(
            select(func.count(CaseEvent.id)).where(CaseEvent.case_id.in_(ids))
        ).scalar_one()
        assert events == 5


def test_a_person_repeated_in_the_file_is_one_person_across_batches(ws: Workspace) -> None:
    report = csv_import.import_csv(ws, ROWS.encode())
    with ws.read() as session:
        people = session.execute(
            select(Case.person_id).where(Case.number.in_(report.numbers))
        ).scalars()
        assert len(set(people)) == 3  # Әбенов three times, Қасымова, Петров
        names = session.execute(select(Person.surname).where(Person.surname == "Әбенов"))
        assert len(names.all()) == 1
        employers = session.execute(
            select(Employer.id).where(func.lower(Employer.name) == "daesung")
        ).all()
        assert len(employers) == 1


def test_rows_find_the_people_already_in_the_database(ws: Workspace) -> None:
    """By IIN, by passport, or by name and birth date in any letter case; a name born on
    another day is someone else."""
    header = "surname;given_names;iin;passport_no;birth_date;host_country;categories;received_at\n"
    first = csv_import.import_csv(
        ws,
        (
            header + "Құрманғалиқызы;Әсел;940315400123;;;KR;other;2026-05-04\n"
            "Омарова;Айгүл;;N7654321;;KR;other;2026-05-04\n"
            "Әбенов;Нұрлан;;;1990-01-02;KR;other;2026-05-04\n"
        ).encode(),
    )
    second = csv_import.import_csv(
        ws,
        (
            header + "Kurmangalikyzy;Assel;940315400123;;;KR;other;2026-06-01\n"
            "Omarova;Aigul;;N7654321;;KR;other;2026-06-01\n"
            "ӘБЕНОВ;НҰРЛАН;;;1990-01-02;KR;other;2026-06-01\n"
            "Әбенов;Нұрлан;;;1990-01-03;KR;other;2026-06-01\n"
        ).encode(),
    )
    with ws.read() as session:
        person = dict(
            session.execute(
                select(Case.number, Case.person_id).where(
                    Case.number.in_([*first.numbers, *second.numbers])
                )
            ).all()
        )
    before = [person[number] for number in first.numbers]
    after = [person[number] for number in second.numbers]
    assert after[:3] == before
    assert after[3] not in before


def test_imported_cases_are_listed_and_found(ws: Workspace) -> None:
    report = csv_import.import_csv(ws, ROWS.encode())
    service = CaseService(ws)
    found = service.list_cases(CaseFilter(text="Нұрлан"), limit=50)
    assert {row.number for row in found} >= set(report.numbers[:2])
    statuses = {row.number: row.status for row in service.list_cases(limit=500)}
    assert statuses[report.numbers[3]] == "closed"


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("2026-05-04", date(2026, 5, 4)),
        ("2026-5-4", date(2026, 5, 4)),
        ("04.05.2026", date(2026, 5, 4)),
        ("04/05/2026", date(2026, 5, 4)),
        ("04.05.26", date(2026, 5, 4)),
        ("04.05.2026 10:30", date(2026, 5, 4)),  # Excel's date with a time, saved as CSV
        ("2026-05-04 10:30:15", date(2026, 5, 4)),
        ("04.05.2026 г.", date(2026, 5, 4)),  # the word for year, as Russian registers write
        ("04.05.2026ж.", date(2026, 5, 4)),  # and Kazakh ones
        ("45356", date(2024, 3, 5)),  # Excel's day number, the cell's date format lost
        ("20260504", date(2026, 5, 4)),
        ("04-05-2026", date(2026, 5, 4)),
        # A year of two digits, day first, as registers type dates as text
        ("4/5/26", date(2026, 5, 4)),
        ("04/05/26", date(2026, 5, 4)),
        ("4-5-26", date(2026, 5, 4)),
        ("04.05.26", date(2026, 5, 4)),
        ("12.04.62", date(1962, 4, 12)),  # a birth date: 1962, not 2062
        ("7/3/85", date(1985, 3, 7)),
        ("2026.05.04", date(2026, 5, 4)),
        ("2026/05/04", date(2026, 5, 4)),
        # A month written out, as registers typed as text have it, in the three languages
        ("4 мая 2026", date(2026, 5, 4)),
        ("4 мая 2026 года", date(2026, 5, 4)),
        ("04 Марта 2026 г.", date(2026, 3, 4)),
        ("4 сент. 2026", date(2026, 9, 4)),
        ("2026 жылғы 4 мамыр", date(2026, 5, 4)),
        ("4 маусым 2026 ж.", date(2026, 6, 4)),
        ("4 May 2026", date(2026, 5, 4)),
        ("May 4, 2026", date(2026, 5, 4)),
        ("  ", None),
    ],
)
def test_dates_in_the_forms_a_spreadsheet_has(typed: str, parsed: date | None) -> None:
    assert csv_import.parse_date(typed, "received_at") == parsed


@pytest.mark.parametrize(
    "typed",
    [
        "2026-02-30",
        "2026-13-01",
        "30.02.2026",
        "yesterday",
        "30 февраля 2026",  # no such day
        "4 мая",  # no year
        "4 ма 2026",  # «ма»: May or June (мамыр, маусым)?
        "05/13/2026",  # month first: the day-first reading has no 13th month
        "5/13/26",
    ],
)
def test_a_date_that_is_no_date_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="is not a date"):
        csv_import.parse_date(typed, "received_at")


def test_a_failure_midway_says_which_rows_were_imported(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack on trust: the disk fills in the second batch. The first batch stays (it was
    committed), and the message says so, with the line to go on from, not "nothing was saved"
    alone; the failed batch left nothing behind."""
    with ws.read() as session:
        before = session.execute(select(func.count(Case.id))).scalar_one()
    disk_full_at_batch(monkeypatch, failing=2)
    with pytest.raises(csv_import.PartlyImported) as stopped:
        csv_import.import_csv(ws, ROWS.encode())
    report = stopped.value.report
    assert stopped.value.last_line == 3 and report.imported == 2
    message = str(stopped.value)
    assert "line 3" in message and "The disk is full" in message
    assert report.numbers[0] in message and report.numbers[-1] in message
    with ws.read() as session:
        assert session.execute(select(func.count(Case.id))).scalar_one() == before + 2
        imported = session.execute(select(Case.number).where(Case.number.in_(report.numbers)))
        assert len(imported.all()) == 2


def test_a_failure_in_the_first_batch_keeps_its_own_words(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ws.read() as session:
        before = session.execute(select(func.count(Case.id))).scalar_one()
    disk_full_at_batch(monkeypatch, failing=1)
    with pytest.raises(StorageFull, match="nothing was saved"):
        csv_import.import_csv(ws, ROWS.encode())
    with ws.read() as session:
        assert session.execute(select(func.count(Case.id))).scalar_one() == before


def _stop_after_batch(monkeypatch: pytest.MonkeyPatch, stop: threading.Event, n: int) -> None:
    """The person asks to stop while the ``n``-th batch is being written."""
    write_batch = csv_import._write_batch
    calls = {"n": 0}

    def writing(*args: Any, **kwargs: Any) -> list[str]:
        calls["n"] += 1
        if calls["n"] == n:
            stop.set()
        return write_batch(*args, **kwargs)

    monkeypatch.setattr(csv_import, "_write_batch", writing)


def test_a_stop_asked_for_midway_ends_after_the_batch_under_way(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while the first batch is written: that batch is finished, no later one starts,
    and the message and the file's audit entry say exactly which cases were imported."""
    with ws.read() as session:
        before = session.execute(select(func.count(Case.id))).scalar_one()
    stop = threading.Event()
    _stop_after_batch(monkeypatch, stop, n=1)
    with pytest.raises(csv_import.PartlyImported) as stopped:
        csv_import.import_csv(ws, ROWS.encode(), stop=stop)
    report = stopped.value.report
    assert stopped.value.last_line == 3 and report.imported == 2
    assert "stopped at your request" in str(stopped.value)
    assert report.numbers[0] in str(stopped.value) and report.numbers[1] in str(stopped.value)
    with ws.read() as session:
        assert session.execute(select(func.count(Case.id))).scalar_one() == before + 2
        summary = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "import.csv")
        ).scalar_one()
        assert summary["imported"] == 2 and summary["stopped_after_line"] == 3
        assert audit.verify(session)[1] == []


def test_a_stop_before_writing_imports_nothing(ws: Workspace) -> None:
    with ws.read() as session:
        before = session.execute(select(func.count(Case.id))).scalar_one()
    stop = threading.Event()
    stop.set()
    with pytest.raises(csv_import.ImportStopped, match="nothing was imported"):
        csv_import.import_csv(ws, ROWS.encode(), stop=stop)
    with ws.read() as session:
        assert session.execute(select(func.count(Case.id))).scalar_one() == before
        assert not session.execute(
            select(AuditEntry.action).where(AuditEntry.action == "import.csv")
        ).all()


def test_a_defect_midway_still_says_which_rows_were_imported(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a QorgauError (a bug, an unmapped driver error) in the second batch: the first
    batch was committed, and the message names it instead of a bare "internal error"."""
    index_cases = csv_import.search.index_cases
    calls = {"n": 0}

    def indexing(session: Any, ids: list[str]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("unexpected state.")
        index_cases(session, ids)

    monkeypatch.setattr(csv_import.search, "index_cases", indexing)
    with pytest.raises(csv_import.PartlyImported) as stopped:
        csv_import.import_csv(ws, ROWS.encode())
    message = str(stopped.value)
    assert "line 3: An internal error occurred: unexpected state. Cases imported" in message
    assert stopped.value.report.imported == 2
    assert isinstance(stopped.value.__cause__, RuntimeError)


def test_the_same_file_imported_again_registers_nothing_twice(ws: Workspace) -> None:
    """The attack on trust: the officer, unsure whether it went in, imports the file again.
    Every row registered every case a second time (with its own number, timeline and place
    in every list). Now each row that repeats a case held here (the worker's names, the
    country, the day received, the complaint) is rejected with that case's number."""
    first = csv_import.import_csv(ws, ROWS.encode())
    again = csv_import.import_csv(ws, ROWS.encode(), skip_rejected=True)
    assert (again.rows, again.accepted, again.imported) == (5, 0, 0)
    assert [row.line for row in again.rejected] == [2, 3, 4, 5, 6]
    assert first.numbers[0] in again.rejected[0].reason
    assert "Already in Qorgau as case" in again.rejected[0].reason
    assert CaseService(ws).count_cases(CaseFilter()) == 5


def test_after_a_stop_midway_the_file_again_imports_only_the_rest(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk filled in the second batch; the officer frees space and imports the whole
    file again, as the message says: the first batch's rows are recognised, the rest go in."""
    disk_full_at_batch(monkeypatch, failing=2)
    with pytest.raises(csv_import.PartlyImported) as stopped:
        csv_import.import_csv(ws, ROWS.encode())
    assert "import the file again" in str(stopped.value)
    monkeypatch.undo()
    monkeypatch.setattr(csv_import, "BATCH_ROWS", 2)
    rest = csv_import.import_csv(ws, ROWS.encode(), skip_rejected=True)
    assert [row.line for row in rest.rejected] == [2, 3]
    assert rest.imported == 3
    assert CaseService(ws).count_cases(CaseFilter()) == 5


def test_a_row_repeated_in_the_file_is_rejected_but_not_another_complaint_that_day(
    ws: Workspace,
) -> None:
    rows = (
        "surname;given_names;host_country;categories;received_at\n"
        "Әбенов;Нұрлан;KR;unpaid_wages;2026-05-04\n"
        "Әбенов;Нұрлан;KR;violence;2026-05-04\n"  # another complaint the same day
        "Әбенов;Нұрлан;AE;unpaid_wages;2026-05-04\n"  # another country
        "Әбенов;Нұрлан;KR;unpaid_wages;2026-05-04\n"  # the first row again
    )
    report = csv_import.import_csv(ws, rows.encode(), dry_run=True)
    assert [(row.line, row.reason) for row in report.rejected] == [
        (
            5,
            "The same case as line 2: the same person, date received, country, complaint "
            "and notes.",
        )
    ]
    assert report.accepted == 3


def test_namesakes_the_same_day_are_told_apart_by_their_numbers_or_birth_dates(
    ws: Workspace,
) -> None:
    """Two workers of one name came on one day with one complaint: their passports or birth
    dates differ, so neither repeats the other; a row that lacks them repeats one of them."""
    header = "surname;given_names;passport_no;birth_date;host_country;categories;received_at\n"
    first = csv_import.import_csv(
        ws,
        (
            header
            + "Әбенов;Нұрлан;N1111111;1990-01-02;KR;unpaid_wages;2026-05-04\n"
            + "Әбенов;Нұрлан;N2222222;1985-05-05;KR;unpaid_wages;2026-05-04\n"
        ).encode(),
    )
    assert first.imported == 2
    again = csv_import.import_csv(
        ws,
        (
            header
            + "Әбенов;Нұрлан;N3333333;;KR;unpaid_wages;2026-05-04\n"  # a third namesake
            + "Әбенов;Нұрлан;;1985-05-05;KR;unpaid_wages;2026-05-04\n"  # the second
            + "Әбенов;Нұрлан;;;KR;unpaid_wages;2026-05-04\n"  # nothing tells them apart
        ).encode(),
        dry_run=True,
    )
    assert [(row.line, row.held_as) for row in again.rejected[:1]] == [(3, first.numbers[1])]
    assert again.rejected[1].line == 4 and again.rejected[1].held_as in first.numbers
    assert again.accepted == 1


def test_the_sex_as_registers_write_it(ws: Workspace) -> None:
    """Registers keep a «Пол» column (М/Ж, муж./жен., Е/Ә): it had no field, so every
    imported worker's sex was unknown (to the statistics and the HTCDS export too)."""
    rows = (
        "Фамилия;Имя;Пол;ИИН;Страна;Категория;Дата обращения\n"
        "Әбенов;Нұрлан;М;;KR;other;2026-05-04\n"
        "Қасымова;Сәуле;жен.;;KR;other;2026-05-04\n"
        "Серікова;Айгүл;Әйел;;KR;other;2026-05-04\n"
        "Оспанов;Ерлан;;900504300127;KR;other;2026-05-04\n"  # from the IIN
        "Петров;Иван;?;;KR;other;2026-05-04\n"
    )
    report = csv_import.import_csv(ws, rows.encode(), skip_rejected=True)
    assert report.mapping["Пол"] == "sex"
    assert [(row.line, row.reason) for row in report.rejected] == [
        (6, "Unknown sex “?”: write male or female (М, Ж, M, F).")
    ]
    service = CaseService(ws)
    with ws.read() as session:
        ids = session.execute(select(Case.id).where(Case.number.in_(report.numbers))).scalars()
        sexes = {
            (case.person.surname, case.person.sex)
            for case in map(service.get_case, list(ids))
            if case.person is not None
        }
    assert sexes == {
        ("Әбенов", "male"),
        ("Қасымова", "female"),
        ("Серікова", "female"),
        ("Оспанов", "male"),
    }


def test_a_register_without_a_country_column_is_taken_as_the_missions(ws: Workspace) -> None:
    """A mission's register rarely names the country (every case is in the host country): the
    whole file was refused, "No column for Host country". Its rows, and a row that leaves the
    country empty, are now the mission's host country, and the report says how many."""
    assert ws.mission.country == "KR" and not ws.mission.is_hq
    rows = (
        "ФИО;Жалоба;Дата обращения\n"
        "Әбенов Нұрлан;unpaid_wages;05.03.2026\n"
        "Иванова Мария;other;06.03.2026\n"
    )
    report = csv_import.import_csv(ws, rows.encode())
    assert (report.imported, report.country_taken) == (2, 2)
    assert csv_import.country_taken_message(report) == (
        "2 rows name no country: they are taken as South Korea, the mission's host country."
    )
    cases = CaseService(ws).list_cases(CaseFilter(), limit=10)
    assert {case.host_country for case in cases} == {"KR"}
    with_column = csv_import.import_csv(
        ws, "ФИО;Страна;Жалоба;Дата\nОспанов Ерлан;;other;07.03.2026\n".encode()
    )
    assert (with_column.imported, with_column.country_taken) == (1, 1)


def test_an_iin_that_lost_its_leading_zero_in_a_number_cell_gets_it_back(ws: Workspace) -> None:
    """Workers born in 2000–2009 have IINs starting with 0; a register keeping IINs as numbers
    shows 11 digits, and every such row was rejected. The zero is put back when the twelve
    digits pass the check digit; other eleven-digit numbers are no IIN (kept as written)."""
    rows = (
        "ФИО;ИИН;Жалоба;Дата обращения\n"
        "Әбенов Нұрлан;10203500127;other;05.03.2026\n"
        "Оспанов Ерлан;10203500128;other;05.03.2026\n"
    )
    report = csv_import.import_csv(ws, rows.encode())
    assert [warning.line for warning in report.warnings] == [3]
    people = [CaseService(ws).get_by_number(number).person for number in report.numbers]
    assert [person.iin for person in people] == ["010203500127", None]


def test_a_register_of_free_text_only_comes_in_as_other_and_says_so(ws: Workspace) -> None:
    """A register with «ФИО заявителя» and «Суть жалобы» (free text) and no category column
    was refused whole: neither header was recognised and no column held the complaint. The
    names are found, the text is the description, and the rows are "Other", said so."""
    rows = (
        "№ п/п;ФИО заявителя;Суть жалобы;Примечание;Дата обращения\n"
        "1;Әбенов Нұрлан;Работодатель не платит три месяца;звонил 2 раза;05.03.2026\n"
    )
    assert csv_import.auto_mapping(rows.split("\n")[0].split(";")) == {
        "ФИО заявителя": "full_name",
        "Суть жалобы": "description",
        "Примечание": "description",
        "Дата обращения": "received_at",
    }
    report = csv_import.import_csv(ws, rows.encode())
    assert (report.imported, report.category_taken) == (1, 1)
    assert csv_import.category_taken_message(report) == (
        "1 row names no complaint: its category is Other, to be chosen in the case later."
    )
    (row,) = CaseService(ws).list_cases(limit=5)
    case = CaseService(ws).get_case(row.id)
    assert list(case.categories) == ["other"]
    assert case.description == "Работодатель не платит три месяца\nПримечание: звонил 2 раза"


def test_every_column_of_notes_comes_into_the_description(ws: Workspace) -> None:
    """Only the first column of notes was imported: a register's «Принятые меры» and
    «Примечание» beside «Суть жалобы» were dropped, unsaid. Each comes in after its name; an
    empty cell adds nothing. A field two columns are taken as (but the description) is
    refused, naming both, rather than one of them dropped."""
    rows = (
        "Фамилия;Имя;Дата обращения;Суть жалобы;Принятые меры;Примечание\n"
        "Әбенов;Нұрлан;05.03.2026;Не платят;Нота в Минтруда;\n"
        "Оспанова;Сәуле;06.03.2026;;;Паспорт вернули\n"
    )
    report = csv_import.import_csv(ws, rows.encode())
    assert list(report.mapping.values()).count("description") == 3
    service = CaseService(ws)
    described = {
        service.get_by_number(n).person.surname: service.get_by_number(n).description
        for n in report.numbers
    }
    assert described == {
        "Әбенов": "Не платят\nПринятые меры: Нота в Минтруда",
        "Оспанова": "Примечание: Паспорт вернули",
    }
    with pytest.raises(ValidationError, match="Two columns hold Surname: “Фамилия”, “Имя”"):
        csv_import.import_csv(
            ws,
            rows.encode(),
            dry_run=True,
            mapping={"Фамилия": "surname", "Имя": "surname", "Дата обращения": "received_at"},
        )


def test_a_registers_closing_date_is_when_the_case_ended(ws: Workspace) -> None:
    """Legacy cases imported as closed had no closing moment: the statistics never counted
    them as closed or resolved, and retention counted their years from the import. A «Дата
    закрытия» column now gives it; a row with one and no status is closed; an open status or
    a date outside received…today is refused."""
    from app.services import retention

    rows = (
        "ФИО;Жалоба;Дата обращения;Статус;Дата закрытия\n"
        "Әбенов Нұрлан;other;05.03.2020;Закрыто;20.04.2020\n"
        "Оспанов Ерлан;other;05.03.2020;;01.05.2020\n"  # closed, the register says
        "Иванова Мария;other;05.03.2024;Решено;10.03.2024\n"
        "Петров Иван;other;05.03.2024;В работе;10.03.2024\n"
        "Серікова Айгүл;other;05.03.2024;Закрыто;01.01.2024\n"
    )
    report = csv_import.import_csv(ws, rows.encode(), skip_rejected=True)
    assert [(row.line, row.field) for row in report.rejected] == [
        (5, "ended_on"),
        (6, "ended_on"),
    ]
    assert "status is “In progress”" in report.rejected[0].reason
    with ws.read() as session:
        ended = {
            number: (status, closed, resolved)
            for number, status, closed, resolved in session.execute(
                select(Case.number, Case.status, Case.closed_at, Case.resolved_at).where(
                    Case.number.in_(report.numbers)
                )
            )
        }
        due = {c.number for c in retention.find_candidates(session, 5, date.today())}
    first, second, third = (ended[number] for number in report.numbers)
    assert first[0] == "closed" and first[1] is not None and first[1].date() == date(2020, 4, 20)
    assert second[0] == "closed" and second[1].date() == date(2020, 5, 1)
    assert third[0] == "resolved" and third[2].date() == date(2024, 3, 10)
    # Five years after their closing dates, the cases of 2020 are due for anonymisation, and
    # the check said so before the import.
    assert set(report.numbers[:2]) <= due and report.numbers[2] not in due
    assert report.past_retention == 2 and csv_import.past_retention_message(report) == (
        "2 cases were closed more than 5 years ago: the retention policy anonymises them at "
        "the next sign-in."
    )


def test_two_columns_of_one_name_are_mapped_each_by_its_letter(ws: Workspace) -> None:
    rows = "ФИО;Жалоба;Дата;Дата\nӘбенов Нұрлан;other;05.03.2020;20.04.2020\n"
    report = csv_import.import_csv(
        ws,
        rows.encode(),
        mapping={
            "ФИО": "full_name",
            "Жалоба": "categories",
            "Дата [C]": "received_at",
            "Дата [D]": "ended_on",
        },
    )
    assert report.imported == 1
    with ws.read() as session:
        received, closed = session.execute(
            select(Case.received_at, Case.closed_at).where(Case.number == report.numbers[0])
        ).one()
    assert received == date(2020, 3, 5) and closed.date() == date(2020, 4, 20)


def test_rows_without_a_status_come_in_as_the_status_chosen_and_the_report_says_so(
    ws: Workspace,
) -> None:
    """A register without a status column made every legacy case a New one, all of them
    overdue on the Start page, unsaid. The report says how many rows name no status and how
    many cases come in open past their deadline; the officer may have such rows closed."""
    rows = (
        "ФИО;Жалоба;Дата обращения;Статус\n"
        "Әбенов Нұрлан;other;05.03.2024;\n"
        "Оспанов Ерлан;other;06.03.2024;В работе\n"
        "Иванова Мария;other;07.03.2024;Закрыто\n"
    )
    checked = csv_import.import_csv(ws, rows.encode(), dry_run=True)
    assert (checked.status_taken, checked.open_overdue) == (1, 2)
    assert csv_import.status_taken_message(checked) == (
        "1 row names no status: it comes in as “New”. 2 cases come in open and past their "
        "deadline: the Start page will list them as overdue."
    )
    closed = csv_import.import_csv(ws, rows.encode(), default_status="closed")
    assert (closed.status_taken, closed.open_overdue) == (1, 1)
    with ws.read() as session:
        status = session.execute(
            select(Case.status).where(Case.number == closed.numbers[0])
        ).scalar_one()
    assert status == "closed"
    with pytest.raises(ValidationError, match="Unknown status “flying”"):
        csv_import.import_csv(ws, rows.encode(), dry_run=True, default_status="flying")


def test_the_audit_names_the_file_and_its_next_check_says_it_was_imported_before(
    ws: Workspace,
) -> None:
    """Whatever was done to its cases since (a person corrected, a complaint changed), the same
    file checked again is said to have been imported: when, by whom, how many cases. The
    audit entry of an import names the file by its SHA-256 (and sheet)."""
    import hashlib

    first = csv_import.import_csv(ws, ROWS.encode())
    with ws.read() as session:
        details = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "import.csv")
        ).scalar_one()
    assert details["sha256"] == hashlib.sha256(ROWS.encode()).hexdigest()
    again = csv_import.import_csv(ws, ROWS.encode(), dry_run=True)
    (earlier,) = again.imported_earlier
    assert (earlier.actor, earlier.imported) == (ws.actor.username, first.imported)
    message = csv_import.earlier_imports_message(again)
    assert message.startswith("This file was imported before: ")
    assert message.endswith(f"by {ws.actor.username}, 5 cases.")
    other = csv_import.import_csv(ws, (ROWS + "\n").encode(), dry_run=True)
    assert other.imported_earlier == []  # other bytes: another file …
    assert other.imported_before  # … whose every row repeats a case held here


def test_every_field_is_recognised_by_its_own_code() -> None:
    """A file written by another tool names its columns by the fields' codes: «ended_on» and
    «legacy_number» were not recognised (their closing dates and old numbers dropped)."""
    for fld in csv_import.FIELDS:
        assert csv_import.auto_mapping([fld]) == {fld: fld}


def test_names_typed_in_capitals_come_in_written_as_names(ws: Workspace) -> None:
    """Registers type surnames (or whole names) in capitals: the letters printed «гражданин
    Республики Казахстан АБЕНОВ НУРЛАН». A name all in capitals or all in small letters is
    written as a name; one in mixed case, initials and «ұлы» stay as typed."""
    rows = (
        "ФИО;Дата обращения\n"
        "АБЕНОВ НҰРЛАН СЕРІКҰЛЫ;05.03.2026\n"
        "сейтова-ким айгүл;06.03.2026\n"
        "МакДональд Н.С.;07.03.2026\n"
        "ОСПАНОВ Ерлан Серік ұлы;08.03.2026\n"
    )
    report = csv_import.import_csv(ws, rows.encode())
    service = CaseService(ws)
    people = [service.get_by_number(n).person for n in report.numbers]
    assert [(p.surname, p.given_names, p.patronymic) for p in people] == [
        ("Абенов", "Нұрлан", "Серікұлы"),
        ("Сейтова-Ким", "Айгүл", ""),
        ("МакДональд", "Н.С.", ""),
        ("Оспанов", "Ерлан", "Серік ұлы"),
    ]


def test_a_register_without_a_sex_column_takes_it_from_the_names(ws: Workspace) -> None:
    """Without a «Пол» column or an IIN every imported woman was a man to the letters
    («обратился гражданин …»), each to be corrected by hand. The patronymic says it, else the
    surname's ending; a written sex or a valid IIN comes first; a name that says nothing
    leaves it unknown. The report counts the rows."""
    rows = (
        "ФИО;ИИН;Пол;Дата обращения\n"
        "Әбенова Айгүл Серікқызы;;;05.03.2026\n"
        "Оспанов Ерлан;;;06.03.2026\n"
        "Ким Ольга;;;07.03.2026\n"  # the name says nothing
        "Петрова Анна;;М;08.03.2026\n"  # written: it wins
        "Сейтова Дана;900504300127;;09.03.2026\n"  # the IIN's (a man's): it wins
    )
    report = csv_import.import_csv(ws, rows.encode())
    service = CaseService(ws)
    sexes = [service.get_by_number(n).person.sex for n in report.numbers]
    assert sexes == ["female", "male", None, "male", "male"]
    assert report.sex_taken == 2
    assert csv_import.sex_taken_message(report).startswith("2 rows name no sex")


def test_a_workbook_with_group_names_above_its_header_is_imported(ws: Workspace) -> None:
    """A register with a merged band of group names above the header was refused whole ("No
    column for Surname, Given names, Received"): the band was taken for the header."""
    from tests.unit.test_table_file import register_with_group_band, workbook_bytes

    report = csv_import.import_csv(ws, workbook_bytes(register_with_group_band()))
    assert report.mapping == {
        "ФИО": "full_name",
        "ИИН": "iin",
        "Дата обращения": "received_at",
        "Страна": "host_country",
    }
    assert (report.rejected, report.imported) == ([], 1)
    case = CaseService(ws).get_by_number(report.numbers[0])
    assert case.person is not None and case.person.surname == "Әбенов"


def test_a_row_of_totals_under_the_cases_is_left_out_and_said(ws: Workspace) -> None:
    """A register ends in a row of totals («Итого: 2», «Барлығы»): it was rejected as a case
    with no date received, and with it the whole file. It is left out, and the report names
    its line; a surname beginning with the same letters («Итогова») is still a case."""
    rows = (
        "№;ФИО;Дата обращения\n"
        "1;Әбенов Нұрлан;05.03.2026\n"
        "2;Итогова Анна;06.03.2026\n"
        ";Итого: 2;\n"
        "Барлығы;2;\n"
    )
    report = csv_import.import_csv(ws, rows.encode())
    assert (report.rejected, report.rows, report.imported) == ([], 2, 2)
    assert report.totals == [4, 5]
    assert csv_import.totals_message(report) == (
        "Lines 4, 5 hold totals, not cases: they are left out."
    )
    assert csv_import.totals_message(report) in csv_import.report_notes(report)
    names = [CaseService(ws).get_by_number(n).person.surname for n in report.numbers]
    assert names == ["Әбенов", "Итогова"]


def test_a_register_saved_in_windows_1251_is_said_to_have_lost_its_kazakh_letters(
    ws: Workspace,
) -> None:
    """«Бауыржанұлы» reaches such a file as «Бауыржанулы»: a worker held here under the
    right spelling is then not recognised, so the report says why and what to do."""
    text = "Фамилия;Имя;Дата обращения;Страна\nБауыржанулы;Ерлан;01.03.2026;KR\n"
    legacy = csv_import.import_csv(ws, text.encode("cp1251"), dry_run=True)
    assert legacy.encoding == "cp1251"
    assert any("Windows-1251" in note for note in csv_import.report_notes(legacy))
    utf8 = csv_import.import_csv(ws, text.encode("utf-8"), dry_run=True)
    assert not any("Windows-1251" in note for note in csv_import.report_notes(utf8))


def test_a_registers_line_numbers_are_left_out_and_its_case_numbers_kept(ws: Workspace) -> None:
    """«№ дела», «Іс №» and "Case No." were not recognised (the number sign read as nothing),
    so the old case numbers were dropped; "No.", a register's line count, was taken as the
    case's old number and wrote «[Legacy number: 1]» into every description. A line count
    («№», «№ п/п», "#", "No.", "Nr") is left out quietly; a case's number comes in."""
    ordinals = ["№", "№ п/п", "#", "No.", "Nr", "Nº", "п/п", "Р/с"]
    assert csv_import.auto_mapping(ordinals) == {}
    for case_number in ("№ дела", "Іс №", "Case No.", "Case #", "Рег. №", "Іс нөмірі"):
        assert csv_import.auto_mapping(["No.", case_number]) == {case_number: "legacy_number"}
    rows = (
        "No.;№ дела;ФИО;Дата обращения\n"
        "1;17/2024;Әбенов Нұрлан;05.03.2026\n"
        "2;;Оспанов Ерлан;06.03.2026\n"
    )
    report = csv_import.import_csv(ws, rows.encode())
    assert report.mapping == {
        "№ дела": "legacy_number",
        "ФИО": "full_name",
        "Дата обращения": "received_at",
    }
    descriptions = [CaseService(ws).get_by_number(n).description for n in report.numbers]
    assert descriptions == ["[Legacy number: 17/2024]", ""]


def test_a_register_imported_again_is_recognised_after_its_cases_were_corrected(
    ws: Workspace,
) -> None:
    """A register that writes its complaints in notes comes in as "Other", to be chosen in
    each case; once the officer had chosen them (and corrected a country), importing the file
    again registered those cases a second time: the complaint was part of the repeat's key.
    The worker and the day received are the key now. A worker's two complaints of one day
    both come in, and each finds its own case the next time; a third that day is new."""
    header = "ФИО;Дата рождения;Дата обращения;Страна;Суть жалобы\n"
    two_complaints = (
        "Әбенов Нұрлан;02.01.1990;05.03.2026;KR;Не платят три месяца\n"
        "Әбенов Нұрлан;02.01.1990;05.03.2026;KR;Забрали паспорт\n"
        "Қасымова Сәуле;;06.03.2026;KR;Не платят\n"
    )
    first = csv_import.import_csv(ws, (header + two_complaints).encode())
    assert (first.imported, first.rejected) == (3, [])
    service = CaseService(ws)
    for number, corrected in zip(
        first.numbers,
        [("KR", ("unpaid_wages",)), ("KR", ("documents_withheld",)), ("AE", ("unpaid_wages",))],
        strict=True,
    ):
        case = service.get_by_number(number)
        country, categories = corrected
        service.update_case(case.id, CaseChanges(host_country=country, categories=categories))

    again = csv_import.import_csv(
        ws,
        (header + two_complaints + "Әбенов Нұрлан;02.01.1990;05.03.2026;KR;Бьют\n").encode(),
        dry_run=True,
    )
    assert [(row.line, row.held_as) for row in again.rejected] == [
        (2, first.numbers[0]),
        (3, first.numbers[1]),
        (4, first.numbers[2]),
    ]
    assert again.rejected[0].reason == (
        f"Already in Qorgau as case {first.numbers[0]}: the same person and date received."
    )
    assert again.accepted == 1  # the third complaint of that day
    # Another worker of the name (another birth date) the same day is someone else.
    namesake = csv_import.import_csv(
        ws, (header + "Әбенов Нұрлан;03.04.1985;05.03.2026;KR;Не платят\n").encode(), dry_run=True
    )
    assert (namesake.rejected, namesake.accepted) == ([], 1)


def test_a_mistyped_iin_is_left_out_and_its_row_comes_in(ws: Workspace) -> None:
    """A register's IIN with a wrong check digit (or another birth date than the row's) had
    the whole row refused: the worker's complaint was lost, or the file not imported at all.
    The case comes in without the IIN, the IIN as written is kept in its description, and the
    report names the row and why; the check and the import say the same."""
    rows = (
        "ФИО;ИИН;Дата рождения;Дата обращения;Суть жалобы\n"
        "Әбенов Нұрлан;900504300127;;05.03.2026;Не платят\n"
        "Әбенова Сәуле;900504300120;;05.03.2026;Забрали паспорт\n"  # check digit
        "Оспанов Ерлан;900504300127;01.01.1991;06.03.2026;\n"  # another birth date
    )
    checked = csv_import.import_csv(ws, rows.encode(), dry_run=True)
    report = csv_import.import_csv(ws, rows.encode())
    for said in (checked, report):
        assert (said.rejected, said.accepted) == ([], 3)
        assert [(w.line, w.field) for w in said.warnings] == [(3, "iin"), (4, "iin")]
    assert report.warnings[0].message == (
        "The IIN's check digit does not match; check the number for a typing error. The case "
        "comes in without the IIN; “900504300120” is kept in its description."
    )
    assert report.warnings[1].message.startswith(
        "The date of birth does not match the IIN (4 May 1990)."
    )
    assert csv_import.iin_left_out_message(report) in csv_import.report_notes(report)
    assert csv_import.iin_left_out_message(report).startswith("Lines 3, 4: the IINs are mistyped")
    cases = [CaseService(ws).get_by_number(number) for number in report.numbers]
    assert [case.person.iin for case in cases] == ["900504300127", None, None]
    assert cases[1].description == (
        "Забрали паспорт\n[IIN as written in the register: 900504300120]"
    )
    assert cases[2].person.birth_date == date(1991, 1, 1)
    assert cases[2].description == "[IIN as written in the register: 900504300127]"


def test_a_journal_with_two_header_rows_and_merged_cells_is_imported(ws: Workspace) -> None:
    """Refused whole ("No column for Surname, Given names"): «ФИО заявителя», merged over the
    two header rows, was read in the first of them only."""
    from tests.unit.test_table_file import register_with_two_header_rows, workbook_bytes

    report = csv_import.import_csv(ws, workbook_bytes(register_with_two_header_rows()))
    assert (report.rejected, report.imported) == ([], 3)
    last = CaseService(ws).get_by_number(report.numbers[2])
    assert (last.received_at, last.host_country) == (date(2024, 3, 6), "KR")


def test_formulas_without_saved_values_are_said_in_the_report(ws: Workspace) -> None:
    """The row was refused as "The column for Received is empty" under a date Excel shows:
    the report says the workbook's formulas have no saved values and what to do."""
    from openpyxl import Workbook

    from tests.unit.test_table_file import workbook_bytes

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ФИО", "Дата обращения"])
    sheet.append(["Әбенов Нұрлан", "=DATE(2024,3,7)"])
    report = csv_import.import_csv(ws, workbook_bytes(book), dry_run=True)
    assert report.unsaved_formulas == 1
    assert csv_import.report_notes(report)[0] == (
        "1 cell of the sheet holds a formula whose value was never saved (a program wrote the "
        "workbook, Excel did not save it): it reads as empty. Open the workbook in Excel, save "
        "it, and import it again."
    )


def test_case_numbers_in_a_column_headed_only_with_the_number_sign_are_kept(
    ws: Workspace,
) -> None:
    """A register numbering its cases in a column headed «№» («17/2024», "KR-015") lost every
    old number: «№» was always taken as a line count. Its values decide now; a line count
    ("1", "2.", "3)") is still left out."""
    header = "№;ФИО;Дата обращения\n"
    numbered = "17/2024;Әбенов Нұрлан;05.03.2026\nKR-015;Оспанов Ерлан;06.03.2026\n"
    report = csv_import.import_csv(ws, (header + numbered).encode())
    assert report.mapping["№"] == "legacy_number"
    descriptions = [CaseService(ws).get_by_number(n).description for n in report.numbers]
    assert descriptions == ["[Legacy number: 17/2024]", "[Legacy number: KR-015]"]
    counted = "1.;Қасымова Сәуле;07.03.2026\n2.;Серікова Айгүл;08.03.2026\n"
    report = csv_import.import_csv(ws, (header + counted).encode(), dry_run=True)
    assert "№" not in report.mapping


def test_rejected_rows_are_said_again_in_the_language_chosen_later(ws: Workspace) -> None:
    """The fault: a rejected row's reason was the refusal's text as composed during the
    check, so a report kept for later still gave it in the language of the check after the
    language was switched. Each reason is said again, the row checked anew if need be."""
    rows = (
        "surname;given_names;host_country;categories;received_at;status\n"
        "Әбенов;Нұрлан;KR;unpaid_wages;2026-05-04;new\n"
        "Әбенов;Нұрлан;KR;unpaid_wages;2026-05-04;new\n"  # the first row again
        "Қасымова;Сәуле;AE;other;2026-06-10;lost\n"  # a status nobody knows
        "Петров;Иван;TR\n"  # cut short
    )
    report = csv_import.import_csv(ws, rows.encode(), dry_run=True)
    reasons = {row.line: row.reason for row in report.rejected}
    assert reasons[3].startswith("The same case as line 2:")
    assert reasons[4] == "Unknown status “lost”."
    assert reasons[5] == "3 cells where the header has 6."
    set_language("ru")
    try:
        again = {line: say_again(reason) for line, reason in reasons.items()}
    finally:
        set_language("en")
    assert again == {
        3: "То же дело, что в строке 2: то же лицо, та же дата обращения, страна, жалоба и "
        "примечания.",
        4: "Неизвестный статус «lost».",
        5: "Ячеек: 3, а в заголовке: 6.",
    }
    assert reasons[4] == "Unknown status “lost”."  # the text itself, as the command line prints


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
@pytest.mark.parametrize("sheet", ["", "Лист1"])
def test_a_list_of_21_lines_is_said_as_a_list_not_as_one_line(language: str, sheet: str) -> None:
    """Russian's plural form for 21 is its "one": the lines of totals (or of mistyped IINs)
    were listed as «Строка 1, 2, …, 21 — итоговая». A list of lines is said as a list
    whatever its length; one line as one line."""

    def said(lines: list[int]) -> tuple[str, str]:
        report = csv_import.ImportReport(encoding="utf-8", delimiter=";", mapping={}, sheet=sheet)
        report.totals = lines
        report.warnings = [csv_import.RowWarning(line, "", "iin") for line in lines]
        return csv_import.totals_message(report), csv_import.iin_left_out_message(report)

    set_language(language)
    try:
        one, two, many = said([7]), said([7, 8]), said(list(range(1, 22)))
    finally:
        set_language("en")

    def words(text: str) -> str:  # the text without its list of lines
        return re.sub(r"\d+(, \d+)*(, …)?", "#", text)

    for one_text, two_text, many_text in zip(one, two, many, strict=True):
        assert words(many_text) == words(two_text)  # «Строки # — итоговые», not «Строка #»
        assert words(one_text) != words(two_text)
    if language == "en":
        assert one[0].startswith("Row 7 holds" if sheet else "Line 7 holds")
