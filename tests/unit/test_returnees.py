"""The returnees' skills register (issue 24 part 2): who may record, consent, filters, exports."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.db.models import AuditEntry, Person, Returnee
from app.domain import occupations as isco
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.i18n import translator
from app.letters.renderer import date_long
from app.services.cases import CaseService
from app.services.records import CaseChanges, CaseInput, PersonInput
from app.services.returnee_json import returnee_from_json
from app.services.returnees import (
    CONSENTED_ONLY,
    SCOPE,
    ReturneeFilter,
    ReturneeInput,
    ReturneeService,
)
from app.services.workspace import Workspace
from tests.conftest import MISSION_NAME, OpenWs, count, date_trusted
from tests.integration.test_exchange import Site, make_site

TODAY = date.today()
WORKER = PersonInput(
    surname="Сейітова",
    given_names="Гүлнар",
    iin="900504400123",
    phone_home="+7 701 000 0000",
    passport_no="N1234567",
)


def closed_case(ws_attache: Workspace, ws_consul: Workspace, repatriated: bool = True) -> str:
    """A case of SEL's resolved and closed with the worker home; returns its number."""
    attache = CaseService(ws_attache)
    case = attache.create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=TODAY - timedelta(days=40),
            person=WORKER,
            description="Wages unpaid.",
        ),
        allow_duplicate_person=True,
    )
    attache.set_status(case.id, "in_progress", "Statement taken")
    attache.set_status(case.id, "resolved", "Wages paid")
    if repatriated:
        attache.update_case(case.id, CaseChanges(repatriated=True))
    CaseService(ws_consul).set_status(case.id, "closed", "The worker flew home")
    return case.number


def record(case_number: str = "", **values: object) -> ReturneeInput:
    base = ReturneeInput(
        occupation="7212",
        work_country="KR",
        region="KZ-71",
        consent_reference="form 14/2026",
        consent_date=TODAY - timedelta(days=1),
        years_abroad=3,
        certificates=("Сварщик, 2-й разряд (HRD Korea)",),
        languages=("ko", "ru"),
        wants_referral=True,
        returned_on=TODAY - timedelta(days=2),
        case_number=case_number,
    )
    return replace(base, **values)  # type: ignore[arg-type]


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[Site]:
    site = make_site(tmp_path, "AST", "KZ", "Astana", True)
    yield site
    site.ws.close()


def test_reference_lists_are_complete_and_checked() -> None:
    assert len(isco.unit_groups()) == 436
    assert {o.code for o in isco.occupations().values() if len(o.code) == 1} == set("0123456789")
    assert len(isco.regions()) == 20
    assert {"KZ-10", "KZ-33", "KZ-62"} <= set(isco.regions())  # Abai, Jetisu, Ulytau (2022)
    for region in isco.regions().values():
        assert set(region.titles) == {"kk", "ru", "en"}
    assert isco.occupation("8332").title("kk") == "Жүк көлігінің жүргізушілері"
    assert isco.occupation("1111").title("ru") == "Законодатели"
    untitled = isco.Occupation("1111", {"en": "Legislators"})
    assert untitled.title("kk") == "Legislators"  # a group without our title shows English
    with pytest.raises(ValidationError, match="“7” is not an ISCO-08 occupation code"):
        isco.occupation("7")
    with pytest.raises(ValidationError, match="“9999” is not an ISCO-08 occupation code"):
        isco.occupation("9999")
    with pytest.raises(ValidationError, match="“KZ-AST” is not a region of Kazakhstan"):
        isco.region("KZ-AST")
    with pytest.raises(ValidationError, match="“xx” is not an ISO 639-1"):
        isco.language_code("xx")


def test_every_occupation_group_has_a_russian_and_a_kazakh_title() -> None:
    # A kk or ru officer must never meet an English title in the register's combo or column.
    for group in isco.occupations().values():
        assert set(group.titles) == {"kk", "ru", "en"}, group.code
        for language in ("kk", "ru"):
            title = group.title(language)
            assert title != group.title("en"), group.code
            assert not re.search("[A-Za-z]", title), (group.code, title)
        # Letters only Russian has betray a Russian word where a Kazakh one is meant.
        assert not re.search("[ёъщ]", group.title("kk")), group.code


def test_mission_records_from_a_closed_case_with_consent_and_audit(open_ws: OpenWs) -> None:
    number = closed_case(open_ws("aigul"), open_ws("serik"))
    ws = open_ws("aigul")
    service = ReturneeService(ws)
    row = service.add(record(number))
    assert row.case_number == number and row.origin_mission == "SEL"
    assert row.languages == ("ko", "ru") and row.region == "KZ-71"
    with ws.read() as session:
        person = session.get(Person, row.person_id)
        assert person is not None and SCOPE in person.consent_scope
        actions = session.execute(
            select(AuditEntry.action, AuditEntry.entity_id).where(
                AuditEntry.action.like("returnee.%")
            )
        ).all()
    assert actions == [("returnee.add", row.id)]
    assert [r.id for r in service.list()] == [row.id] and service.count() == 1
    assert service.for_case(service.get(row.id).case_id or "") == row


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"occupation": "7"}, "“7” is not an ISCO-08 occupation code"),
        ({"region": "Astana"}, "“ASTANA” is not a region of Kazakhstan"),
        ({"languages": ("korean",)}, "“korean” is not an ISO 639-1"),
        ({"consent_date": None}, "no record without that consent"),
        ({"consent_reference": " "}, "Consent reference must not be empty"),
        ({"years_abroad": -1}, "between 0 and 70"),
        ({"work_country": "Korea"}, "not a two-letter ISO country code"),
        ({"returned_on": TODAY + timedelta(days=30)}, "date of return cannot be in the future"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    open_ws: OpenWs, values: dict[str, object], message: str
) -> None:
    number = closed_case(open_ws("aigul"), open_ws("serik"))
    ws = open_ws("aigul")
    with pytest.raises(ValidationError, match=message):
        ReturneeService(ws).add(record(number, **values))
    assert count(ws, Returnee) == 0


def test_case_must_be_over_with_the_worker_home(open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    open_case = CaseService(ws).create_case(
        CaseInput(host_country="KR", categories=("violence",), received_at=TODAY, person=WORKER),
        allow_duplicate_person=True,
    )
    service = ReturneeService(ws)
    with pytest.raises(ValidationError, match="is not resolved or closed"):
        service.add(record(open_case.number))
    not_home = closed_case(open_ws("aigul"), open_ws("serik"), repatriated=False)
    with pytest.raises(ValidationError, match="does not record the worker's return home"):
        service.add(record(not_home, returned_on=None))
    with pytest.raises(ValidationError, match="give the case number"):
        service.add(record(""))
    with pytest.raises(NotFound):
        service.add(record("SEL-2026-9999"))
    assert count(ws, Returnee) == 0
    # The day of return, given, is the worker's return.
    assert service.add(record(not_home)).case_number == not_home


def test_a_return_before_the_case_was_received_is_refused(open_ws: OpenWs) -> None:
    """The fault: a day of return a year too early (typed 2025 for 2026) was taken, and the
    worker counted among the returnees of a year in which their case did not exist."""
    number = closed_case(open_ws("aigul"), open_ws("serik"))  # received 40 days ago
    ws = open_ws("aigul")
    service = ReturneeService(ws)
    too_early = TODAY - timedelta(days=41)
    with pytest.raises(ValidationError, match=f"is before case {number} was received") as refused:
        service.add(record(number, returned_on=too_early))
    assert refused.value.field == "returned_on"
    assert count(ws, Returnee) == 0
    row = service.add(record(number, returned_on=TODAY - timedelta(days=40)))  # the same day
    with pytest.raises(ValidationError, match="was received"):
        service.update(row.id, record(number, returned_on=too_early), row.version)
    assert service.get(row.id).returned_on == TODAY - timedelta(days=40)


def test_roles_are_checked_in_the_service(open_ws: OpenWs) -> None:
    number = closed_case(open_ws("aigul"), open_ws("serik"))
    with pytest.raises(PermissionDenied):
        ReturneeService(open_ws("astana")).add(record(number))  # an HQ analyst at a mission


def test_filters_in_sql(open_ws: OpenWs) -> None:
    service = ReturneeService(open_ws("aigul"))
    welder = service.add(record(closed_case(open_ws("aigul"), open_ws("serik"))))
    other = PersonInput(surname="Омаров", given_names="Ерлан", phone_home="+7 702 000 0000")
    attache = CaseService(open_ws("aigul"))
    case = attache.create_case(
        CaseInput(
            host_country="TR",
            categories=("unpaid_wages",),
            received_at=TODAY - timedelta(days=5),  # before the return, two days ago
            person=other,
        )
    )
    attache.set_status(case.id, "resolved", "Paid")
    driver = service.add(
        record(
            case.number,
            occupation="8332",
            region="KZ-33",
            work_country="TR",
            certificates=("Водительское удостоверение категории CE",),
            languages=("tr",),
        )
    )

    def ids(**flt: str) -> set[str]:
        return {r.id for r in service.list(ReturneeFilter(**flt))}

    assert ids(occupation="7") == {welder.id}
    assert ids(occupation="83") == {driver.id}
    assert ids(occupation="8332") == {driver.id}
    assert ids(region="kz-33") == {driver.id}
    assert ids(skill="СВАРЩИК") == {welder.id}  # case-blind in Cyrillic too
    assert ids(skill="категории ce") == {driver.id}
    assert ids(skill="100%") == set()
    assert ids(language="ko") == {welder.id}
    assert service.count(ReturneeFilter(language="tr")) == 1
    assert len(service.list(limit=1)) == 1 and len(service.list(offset=1, limit=1)) == 1
    with pytest.raises(ValidationError, match="is not an ISCO-08 group"):
        service.list(ReturneeFilter(occupation="99"))
    stats = service.statistics()
    assert stats.total == 2
    assert {(c.key, c.n) for c in stats.by_country} == {("KR", 1), ("TR", 1)}
    assert {(c.key, c.n) for c in stats.by_major_group} == {("7", 1), ("8", 1)}


def test_withdrawn_consent_leaves_register_stats_and_exports(
    open_ws: OpenWs, tmp_path: Path
) -> None:
    ws = open_ws("aigul")
    service = ReturneeService(ws)
    row = service.add(record(closed_case(open_ws("aigul"), open_ws("serik"))))
    service.withdraw_consent(row.id)
    assert service.list() == [] and service.count() == 0
    assert service.statistics().total == 0
    out = tmp_path / "register.csv"
    assert service.export(out) == 0
    assert "Сейітова" not in out.read_text(encoding="utf-8-sig")
    with ws.read() as session:
        person = session.get(Person, row.person_id)
        assert person is not None and SCOPE not in person.consent_scope
        assert (
            session.execute(
                select(func.count()).where(AuditEntry.action == "returnee.consent_withdrawn")
            ).scalar_one()
            == 1
        )
    # The fault: withdrawing again said it was done and audited a second withdrawal.
    with pytest.raises(ConflictError, match="has already withdrawn their consent"):
        service.withdraw_consent(row.id)
    with ws.read() as session:
        withdrawals = select(func.count()).where(AuditEntry.action == "returnee.consent_withdrawn")
        assert session.execute(withdrawals).scalar_one() == 1
    # Updating with a new consent puts it back.
    service.update(row.id, record(consent_reference="form 15/2026"))
    assert [r.consent_reference for r in service.list()] == ["form 15/2026"]


def test_saving_a_withdrawn_record_again_needs_a_new_consent(open_ws: OpenWs) -> None:
    """The fault: the worker withdrew consent (on the person's form, at the mission); the
    case's "Record skills on return…" still opened the record with its old consent, and saving
    it (to correct the region, say) put the worker back into the register and its exports."""
    ws = open_ws("aigul")
    service = ReturneeService(ws)
    row = service.add(record(closed_case(open_ws("aigul"), open_ws("serik"))))
    service.withdraw_consent(row.id)
    found = service.for_case(row.case_id or "")
    assert found is not None
    with pytest.raises(ValidationError) as refused:
        service.update(row.id, record(region="KZ-75"), found.version)
    assert refused.value.field == "consent_reference"
    assert "withdrew their consent" in str(refused.value)
    assert service.count() == 0
    with ws.read() as session:
        person = session.get(Person, row.person_id)
        assert person is not None and SCOPE not in person.consent_scope
        assert session.get(Returnee, row.id).region == "KZ-71"  # type: ignore[union-attr]
    # A later consent (the same form's number, a new date) is a new consent.
    service.update(row.id, record(consent_date=TODAY), found.version)
    assert [r.consent_date for r in service.list()] == [TODAY]


def register_name(lang: str) -> str:
    """The register's one name in ``lang``'s document words."""
    return translator("documents", lang).gettext("Returnees' register")


def test_export_carries_only_the_consented_fields(open_ws: OpenWs, tmp_path: Path) -> None:
    ws = open_ws("aigul")
    service = ReturneeService(ws)
    service.add(record(closed_case(open_ws("aigul"), open_ws("serik")), note="=HYPERLINK(x)"))
    out = tmp_path / "register.csv"
    assert service.export(out, lang="ru") == 1
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert len(rows) == 2
    # The phone starts with "+": written with the apostrophe that keeps spreadsheets from
    # reading it as a formula.
    text = out.read_text(encoding="utf-8-sig")
    for secret in ("900504400123", "N1234567", "Wages unpaid", "HYPERLINK", "form 14/2026"):
        assert secret not in text
    assert (
        "Сейітова" in rows[1] and "7212" in rows[1] and "'+7 701 000 0000" in rows[1]
    )  # formula guard
    assert "город Астана" in rows[1]
    # The fault: the country of work was its code ("KR") among words in the file's language.
    assert "Республика Корея" in rows[1] and "KR" not in rows[1]
    workbook = tmp_path / "register.xlsx"
    assert service.export(workbook, lang="kk") == 1
    sheet = load_workbook(workbook)[register_name("kk")]
    values = [c.value for c in sheet[3]]
    assert "Сейітова" in values and "Астана қаласы" in values and "Корея Республикасы" in values
    # The fault: the CSV's apostrophe went into the workbook ("'+7 701 000 0000"); a
    # workbook's text cell holds the phone as typed.
    assert "+7 701 000 0000" in values and "'+7 701 000 0000" not in values
    # The table's sheet named by the register's whole name: the long name it had
    # («Оралған жұмыскерлердің біліктілік тізілімі») was cut to Excel's 31 characters. A
    # first sheet says whose register it is and what it never holds.
    words = translator("documents", "kk").gettext
    assert load_workbook(workbook).sheetnames == [words("About this file"), register_name("kk")]
    # A part of the register says which: a first sheet with its conditions.
    part = tmp_path / "welders.xlsx"
    flt = ReturneeFilter(occupation="72", region="KZ-71", wants_referral=True)
    assert service.export(part, flt, lang="ru") == 1
    book = load_workbook(part)
    assert book.sheetnames == ["Условия отбора", register_name("ru")]
    about = book.worksheets[0]
    assert [row[0] for row in about.iter_rows(values_only=True)][::2] == [
        register_name("ru"),
        "Условия отбора: Профессия (ISCO-08): 72 Рабочие металлообработки, машиностроения и "
        "родственных профессий; Регион возвращения: город Астана; Хочет получить направление "
        "в центр занятости: да.",
    ]
    with pytest.raises(ValidationError, match="Export to a .csv or .xlsx file"):
        service.export(tmp_path / "register.pdf")
    with ws.read() as session:
        exports = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "returnee.export")
        ).scalars()
        assert [(d["format"], d["rows"]) for d in exports] == [("csv", 1), ("xlsx", 1), ("xlsx", 1)]


def test_hq_adds_a_returnee_who_contacted_hq(hq: Site) -> None:
    from app.services.installation import unlock
    from tests.conftest import PASSWORD

    ws = unlock(hq.paths, "astana", PASSWORD)
    try:
        service = ReturneeService(ws)
        with pytest.raises(ValidationError, match="Give the returnee's name"):
            service.add(record())
        with pytest.raises(ValidationError, match="started by the mission that holds the case"):
            service.add(record("SEL-2026-0001", person=WORKER))
        row = service.add(record(person=WORKER, occupation="5322", region="KZ-10"))
        assert row.case_number == "" and row.origin_mission == "AST"
        assert [r.region for r in service.list(ReturneeFilter(occupation="5"))] == ["KZ-10"]
        changed = service.update(row.id, record(occupation="5321", region="KZ-10"), row.version)
        assert changed.occupation == "5321" and changed.version == row.version + 1
    finally:
        ws.close()


def test_json_refuses_unknown_fields_and_wrong_types() -> None:
    good = {
        "case_number": "SEL-2026-0001",
        "occupation": "7212",
        "work_country": "KR",
        "region": "KZ-71",
        "consent_reference": "form 1",
        "consent_date": "2026-11-20",
        "languages": ["ko"],
        "wants_referral": True,
    }
    parsed = returnee_from_json(good)
    assert parsed.languages == ("ko",) and parsed.wants_referral is True
    with pytest.raises(ValidationError, match="Unknown field “iin” in returnee"):
        returnee_from_json({**good, "iin": "900504400123"})
    with pytest.raises(ValidationError, match="“region” is required"):
        returnee_from_json({k: v for k, v in good.items() if k != "region"})
    with pytest.raises(ValidationError, match="“years_abroad” must be a whole number"):
        returnee_from_json({**good, "years_abroad": "3"})
    with pytest.raises(ValidationError, match="“wants_referral” must be true or false"):
        returnee_from_json({**good, "wants_referral": "yes"})


def test_retention_anonymises_register_records(open_ws: OpenWs, hq: Site) -> None:
    from app.services.installation import unlock
    from app.services.retention import run_retention
    from tests.conftest import PASSWORD

    ws = open_ws("serik")
    row = ReturneeService(ws).add(record(closed_case(open_ws("aigul"), ws)))
    later = TODAY + timedelta(days=366 * 6)
    date_trusted(ws, later)
    report = run_retention(ws, today=later)
    assert report.anonymised_cases and report.anonymised_persons == 1
    with ws.read() as session:
        kept = session.get(Returnee, row.id)
        assert kept is not None and kept.anonymised_at is not None
        assert kept.certificates == [] and kept.skills_text == "" and kept.consent_reference == ""
        assert kept.occupation == "7212" and kept.region == "KZ-71"  # statistics stay
    assert ReturneeService(ws).list() == []

    at_hq = unlock(hq.paths, "astana", PASSWORD)
    try:
        caseless = ReturneeService(at_hq).add(record(person=WORKER, returned_on=TODAY))
        date_trusted(at_hq, TODAY + timedelta(days=366))
        assert run_retention(at_hq, today=TODAY + timedelta(days=366)).anonymised_returnees == 0
        date_trusted(at_hq, TODAY + timedelta(days=366 * 6))
        report = run_retention(at_hq, today=TODAY + timedelta(days=366 * 6))
        assert report.anonymised_returnees == 1 and report.anonymised_persons == 1
        with at_hq.read() as session:
            person = session.get(Person, caseless.person_id)
            assert person is not None and person.surname == "" and person.iin is None
            actions = session.execute(
                select(AuditEntry.entity).where(AuditEntry.action == "retention.anonymise")
            ).scalars()
            assert list(actions) == ["returnee"]
    finally:
        at_hq.close()


def test_subject_access_shows_the_register(open_ws: OpenWs, hq: Site) -> None:
    import io

    from pypdf import PdfReader

    from app.services.installation import unlock
    from app.services.subject_access import collect, to_pdf
    from tests.conftest import PASSWORD

    ws = open_ws("aigul")
    ReturneeService(ws).add(record(closed_case(ws, open_ws("serik"))))
    export = collect(ws, iin=WORKER.iin)
    entries = export.persons[0]["returnee_register"]
    assert [(e["occupation"], e["region"]) for e in entries] == [("7212", "KZ-71")]
    assert "returnee.add" in {a["action"] for a in export.persons[0]["audit"]}
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(to_pdf(ws, export, "ru"))).pages)
    assert "Сварщики и газорезчики" in text and "город Астана" in text

    at_hq = unlock(hq.paths, "astana", PASSWORD)
    try:
        ReturneeService(at_hq).add(record(person=WORKER))
        found = collect(at_hq, iin=WORKER.iin).persons[0]["returnee_register"]
        assert [e["case_number"] for e in found] == [None]
    finally:
        at_hq.close()


def test_subject_access_leaves_out_a_register_record_retention_anonymised(
    open_ws: OpenWs,
) -> None:
    """The fault: once retention had anonymised a closed case and its register record, the
    worker's export (found by IIN, her record kept by a live case) still listed the record,
    its occupation, region and dates hers again, as the anonymised case's are not."""
    from app.services.retention import run_retention
    from app.services.subject_access import collect, to_json

    ws, attache = open_ws("serik"), open_ws("aigul")
    number = closed_case(attache, ws)
    row = ReturneeService(ws).add(record(number))
    live = CaseService(attache).create_case(
        CaseInput(
            host_country="KR",
            categories=("violence",),
            received_at=TODAY,
            person_id=row.person_id,
        )
    )
    assert collect(ws, iin=WORKER.iin).persons[0]["returnee_register"]  # hers until then
    date_trusted(ws, TODAY + timedelta(days=366 * 6))
    report = run_retention(ws, today=TODAY + timedelta(days=366 * 6))
    assert report.anonymised_cases == [number] and report.anonymised_persons == 0
    export = collect(ws, iin=WORKER.iin)
    (person,) = export.persons
    assert person["returnee_register"] == []
    assert [c["number"] for c in person["cases"]] == [live.number]
    assert row.id not in to_json(export).decode()  # nor its audit entries


def test_a_csv_of_part_of_the_register_says_which_part(open_ws: OpenWs, tmp_path: Path) -> None:
    """The fault: a workbook of part of the register said its conditions on a first sheet,
    but the CSV of the same part said nothing: one region's welders read as the whole
    register. Now NAME-about.csv says them; the whole register's export says no conditions
    under the same name."""
    service = ReturneeService(open_ws("aigul"))
    service.add(record(closed_case(open_ws("aigul"), open_ws("serik"))))
    out = tmp_path / "register.csv"
    flt = ReturneeFilter(occupation="72", region="KZ-71")
    assert service.export(out, flt, lang="ru") == 1
    text = (tmp_path / "register-about.csv").read_text(encoding="utf-8-sig")
    about = [line for (line,) in csv.reader(text.splitlines(), delimiter=";")]
    assert about[0] == "Реестр вернувшихся работников"
    assert about[2].startswith("Условия отбора: Профессия (ISCO-08): 72 ")
    assert "Регион возвращения: город Астана" in about[2]
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][0] == "Фамилия" and len(rows) == 2  # the register's file as before
    assert service.export(out, lang="ru") == 1
    assert "Условия отбора" not in (tmp_path / "register-about.csv").read_text("utf-8-sig")


def test_every_file_of_the_register_says_whose_it_is_and_what_it_never_holds(
    open_ws: OpenWs, tmp_path: Path
) -> None:
    """The fault: the whole register's CSV, nobody left out, came with no note at all, and
    no file said whose register it was or of which day: an employment centre holding two
    missions' files, or one mission's of two months, could not tell them apart, nor what
    the register never gives."""
    service = ReturneeService(open_ws("aigul"))
    service.add(record(closed_case(open_ws("aigul"), open_ws("serik"))))
    out = tmp_path / "register.csv"
    assert service.export(out, lang="ru") == 1
    lines = (tmp_path / "register-about.csv").read_text(encoding="utf-8-sig").splitlines()
    consented = translator("documents", "ru").gettext(CONSENTED_ONLY)
    assert lines[0] == register_name("ru") and lines[2] == consented
    assert MISSION_NAME["ru"] in lines[1] and date_long(TODAY, "ru") in lines[1]
    workbook = tmp_path / "register.xlsx"
    assert service.export(workbook, lang="ru") == 1
    first = load_workbook(workbook).worksheets[0]
    assert [row[0] for row in first.iter_rows(values_only=True)] == lines


def test_the_employment_centres_file_leaves_out_who_declined_a_referral(
    hq: Site, tmp_path: Path
) -> None:
    """The fault: the file for employment centres listed workers who answered "no" to a
    referral. A centre gets only whom it is to act on; the file says how many were left out.
    And an armed forces' code (0110) reaches a program reading the CSV as "0110", the CSV's
    note saying that Excel drops the 0; the workbook keeps it as text."""
    from app.services.installation import unlock
    from tests.conftest import PASSWORD

    ws = unlock(hq.paths, "astana", PASSWORD)
    try:
        service = ReturneeService(ws)
        service.add(record(person=WORKER, occupation="0110"))
        declined = PersonInput(surname="Омаров", given_names="Ерлан", phone_home="+7 702 1")
        service.add(record(person=declined, occupation="7212", wants_referral=False))
        assert service.count() == 2  # both stay in the register itself
        out = tmp_path / "centres.csv"
        assert service.export(out, lang="en") == 1
        text = out.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(text.splitlines(), delimiter=";"))
        assert len(rows) == 2 and rows[1][0] == "Сейітова" and "Омаров" not in text
        assert rows[1][6] == "0110" and "'0110" not in text  # plain for a program
        about = (tmp_path / "centres-about.csv").read_text(encoding="utf-8-sig")
        assert "1 worker who declined a referral" in about
        assert "0110" in about and "Excel" in about
        workbook = tmp_path / "centres.xlsx"
        assert service.export(workbook, lang="en") == 1
        book = load_workbook(workbook)
        notes = [row[0] for row in book.worksheets[0].iter_rows(values_only=True)]
        assert notes[-1] == (
            "1 worker who declined a referral to an employment centre is left out: a centre "
            "receives only those it is to act on."
        )
        assert not any("Excel" in str(note) for note in notes)  # the workbook keeps the 0
        sheet = book.worksheets[1]
        assert [c.value for c in sheet[3]][6] == "0110" and "Омаров" not in str(list(sheet.values))
        with ws.read() as session:
            details = session.execute(
                select(AuditEntry.details).where(AuditEntry.action == "returnee.export")
            ).scalars()
            assert [d["declined_left_out"] for d in details] == [1, 1]
        # Only those who want one: nothing is said of anyone left out.
        assert service.export(out, ReturneeFilter(wants_referral=True), lang="en") == 1
        about = (tmp_path / "centres-about.csv").read_text(encoding="utf-8-sig")
        assert "declined" not in about and "0110" in about
    finally:
        ws.close()
