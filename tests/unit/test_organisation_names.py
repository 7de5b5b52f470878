"""An employer or agency written another way is the one on file.

The faults: "ООО «Ромашка»" typed again as it was became a second employer (SQLite's
``lower()`` folds ASCII only, so a Cyrillic name with a capital never matched itself); "HANIL
CO., LTD" beside "Hanil Co., Ltd." was a second employer, so the watchlist's warning did not
show for it; and an employer added by hand under a name on file was silently the one on file,
the address and contacts typed for it dropped.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app.db.models import AuditEntry, Case, Employer, RecruitmentAgency
from app.db.sync import ANY_HOLDER
from app.domain.matching import organisation_key
from app.errors import DatabaseBusy, PermissionDenied, ValidationError
from app.services import csv_import, index_later
from app.services.cases import CaseService
from app.services.organisations import OrganisationService
from app.services.records import CaseFilter, OrganisationInput, PersonInput
from app.services.workspace import Workspace
from tests.builders import wage_case
from tests.conftest import OpenWs


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Hanil Co., Ltd.", "HANIL CO LTD"),
        ("Hanil Co., Ltd.", "Hanil"),
        ("ТОО «Алем»", "Алем ТОО"),
        ('ООО "Ромашка"', "ооо ромашка"),
        ("Құрылыс Сервис ЖШС", "КУРЫЛЫС СЕРВИС"),  # typed without the Kazakh letters
        ("㈜한일", "한일 주식회사"),
        ("Al Futtaim W.L.L.", "AL FUTTAIM WLL"),
        ("Yapı A.Ş.", "YAPI"),
        ("Yıldız İnşaat San. ve Tic. Ltd. Şti.", "Yildiz Insaat Sanayi ve Ticaret Limited Sirketi"),
        ("YILDIZ İNŞAAT SAN. TİC. A.Ş.", "Yıldız İnşaat Anonim Şirketi"),
        ("Yıldız İnşaat Sanayi Ticaret Ltd. Şti.", "Yıldız İnşaat"),
        ("Yıldız İnş. Tur. Paz. Ltd. Şti.", "YILDIZ INSAAT TURIZM PAZARLAMA LIMITED SIRKETI"),
        ("Ｔｏｙｏ Ｋ．Ｋ．", "Toyo"),  # full-width Latin
    ],
)
def test_one_name_written_two_ways_is_one_key(one: str, other: str) -> None:
    assert organisation_key(one) == organisation_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Hanil Steel", "Hanil Agro"),
        ("Emirates Spa", "Emirates"),  # a word of the name, not a legal form
        ("Ақ Жол", "Жол"),  # «ақ» is a word here, not «акционерлік қоғам»
        ("Co., Ltd.", "Ltd."),  # nothing but a legal form keeps it
        ("Yıldız İnşaat San. ve Tic. Ltd. Şti.", "Yıldız Tekstil San. ve Tic. Ltd. Şti."),
        ("San. ve Tic. Ltd. Şti.", "Ltd. Şti."),
        ("Tur Group", "Turizm Group"),  # "Tur." is turizm only with its dot
    ],
)
def test_names_that_differ_keep_apart(one: str, other: str) -> None:
    assert organisation_key(one) != organisation_key(other)


def employer_of_new_case(ws: Workspace, name: str, country: str = "RU") -> str | None:
    worker = PersonInput(surname="Абенов", given_names="Нурлан", birth_date=date(1990, 1, 2))
    case = wage_case(
        ws,
        worker,
        date(2026, 11, 2),
        host_country=country,
        allow_duplicate_person=True,
        employer=OrganisationInput(name, country),  # a detail given differently is refused
    )
    return case.employer.id if case.employer else None


def test_a_turkish_trade_title_written_short_is_the_employer_on_file(ws: Workspace) -> None:
    full = OrganisationInput("Yıldız İnşaat Sanayi ve Ticaret Limited Şirketi", "TR", "İstanbul")
    on_file = OrganisationService(ws).create(full)
    for typed in ("Yıldız İnşaat San. ve Tic. Ltd. Şti.", "YILDIZ INSAAT SAN. TIC. A.S."):
        assert employer_of_new_case(ws, typed, country="TR") == on_file.id, typed


def test_a_cyrillic_employer_typed_again_is_the_one_on_file(ws: Workspace) -> None:
    on_file = OrganisationService(ws).create(OrganisationInput("ООО «Ромашка»", "RU", "Москва"))
    for typed in ("ООО «Ромашка»", "ООО РОМАШКА", "Ромашка"):
        assert employer_of_new_case(ws, typed) == on_file.id, typed
    with ws.read() as session:
        count = select(func.count()).where(Employer.country == "RU")
        assert session.execute(count).scalar_one() == 1
    # The same name in another country is another employer.
    assert employer_of_new_case(ws, "ООО «Ромашка»", "KZ") != on_file.id


def test_an_employer_added_under_a_name_on_file_is_refused_and_nothing_changes(
    ws: Workspace,
) -> None:
    service = OrganisationService(ws)
    held = service.create(OrganisationInput("Hanil Co., Ltd.", "KR", "Seoul"))
    before = service.list()
    with pytest.raises(ValidationError) as refused:
        service.create(OrganisationInput("HANIL CO LTD", "KR", "Seoul", address="1 Main St"))
    assert refused.value.field == "name"
    assert "Hanil Co., Ltd. (Seoul) is already on file" in str(refused.value)
    assert service.list() == before and service.get(held.id).address == ""
    # Renaming another employer to it is refused too; its own name may change its writing.
    other = service.create(OrganisationInput("Daesung", "KR", "Busan"))
    with pytest.raises(ValidationError):
        service.update(other.id, OrganisationInput("Hanil Co Ltd", "KR", "Busan"))
    assert service.get(other.id).name == "Daesung"
    renamed = service.update(held.id, OrganisationInput("HANIL CO., LTD.", "KR", "Seoul"))
    assert renamed.name == "HANIL CO., LTD."
    # In another country the name is free.
    assert service.create(OrganisationInput("Hanil Co., Ltd.", "VN", "Hanoi")).id != held.id


def test_of_a_name_on_file_twice_the_watchlisted_one_is_taken(ws: Workspace) -> None:
    """Names kept apart before they were matched so: a new case goes to the watchlisted one,
    whose warning then shows."""
    first = OrganisationService(ws).create(OrganisationInput("Hanil", "KR", "Seoul"))
    with ws.write() as session:  # the second, as an older version let it in
        session.add(Employer(name="HANIL CO., LTD.", country="KR", city="Seoul", watchlist=True))
    with ws.read() as session:
        flagged = session.execute(select(Employer.id).where(Employer.watchlist)).scalar_one()
    assert flagged != first.id
    assert employer_of_new_case(ws, "Hanil Co Ltd", "KR") == flagged


def test_an_import_matches_the_employers_on_file_and_its_own_rows(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_import, "BATCH_ROWS", 2)  # the rows' employers across batches
    held = OrganisationService(ws).create(OrganisationInput("ТОО «Алем»", "KZ", "Алматы"))
    rows = (
        "surname;given_names;birth_date;host_country;categories;received_at;employer\n"
        "Әбенов;Нұрлан;1990-01-02;KR;unpaid_wages;2026-05-04;Hanil Co., Ltd.\n"
        "Сейтов;Бауыржан;1991-01-02;KR;unpaid_wages;2026-05-04;HANIL CO LTD\n"
        "Қасымова;Сәуле;1992-01-02;KR;unpaid_wages;2026-05-05;Hanil\n"
        "Петров;Иван;1985-03-04;KZ;other;2026-05-06;АЛЕМ ТОО\n"
        "Ким;Ольга;1986-03-04;KZ;other;2026-05-06;ТОО Алем\n"
    )
    report = csv_import.import_csv(ws, rows.encode())
    assert report.imported == 5
    with ws.read() as session:
        employers = dict(
            session.execute(
                select(Case.number, Case.employer_id).where(Case.number.in_(report.numbers))
            ).all()
        )
    korean = {employers[n] for n in report.numbers[:3]}
    assert len(korean) == 1
    assert {employers[n] for n in report.numbers[3:]} == {held.id}


def test_every_way_of_writing_an_employer_keeps_its_key(ws: Workspace) -> None:
    """The key is set on insert (the form, a case, an import, the demo's bulk rows) and again
    when the name changes: an organisation whose key lags behind its name is never found."""
    service = OrganisationService(ws)
    held = service.create(OrganisationInput("Hanil Co., Ltd.", "KR", "Seoul"))
    employer_of_new_case(ws, "ООО «Ромашка»")
    csv_import.import_csv(
        ws,
        "surname;given_names;host_country;categories;received_at;employer\n"
        "Сейтов;Бауыржан;TR;other;2026-05-04;Yapı Ltd. Şti.\n".encode(),
    )
    service.update(held.id, OrganisationInput("Daehan Steel", "KR", "Seoul"))
    OrganisationService(ws, "agency").create(OrganisationInput("Jol Recruitment LLP", "KZ"))
    with ws.read() as session:
        for model in (Employer, RecruitmentAgency):
            rows = session.execute(select(model.name, model.name_key)).all()
            assert rows and all(key == organisation_key(name) for name, key in rows), model
        keys = set(session.execute(select(Employer.name_key)).scalars())
    assert {"daehan steel", "ромашка", "yapi"} <= keys and "hanil" not in keys


def test_a_renamed_organisations_cases_are_found_by_its_new_name(ws: Workspace) -> None:
    """The officer corrects an employer's (or an agency's) name: the search finds its cases by
    the name it has now, no longer by the one it had."""
    cases = CaseService(ws)
    worker = PersonInput(surname="Ахметов", given_names="Бауыржан", birth_date=date(1990, 3, 4))
    case = wage_case(
        ws,
        worker,
        date(2026, 11, 2),
        employer=OrganisationInput("Daesung Metl", "KR", "Ansan"),
        agency=OrganisationInput("Jol Recrutment", "KZ", "Almaty"),
    )
    assert case.employer is not None and case.agency is not None
    OrganisationService(ws).update(
        case.employer.id, OrganisationInput("Hanbit Metal", "KR", "Ansan")
    )
    OrganisationService(ws, "agency").update(
        case.agency.id, OrganisationInput("Sapar Recruitment", "KZ", "Almaty")
    )

    def found(text: str) -> list[str]:
        return [row.number for row in cases.list_cases(CaseFilter(text=text))]

    assert found("Hanbit") == found("Sapar") == [case.number]
    assert found("Metl") == found("Recrutment") == []


def test_a_rename_writes_the_cases_rows_in_batches_and_a_busy_database_leaves_them_pending(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An employer with thousands of cases: its cases' rows are written after the rename, a
    batch per transaction; the database busy meanwhile, the rename stays and the rows wait for
    the index's catch-up (an import, or the next sign-in)."""
    employer = OrganisationService(ws).create(OrganisationInput("Daesung Metl", "KR", "Ansan"))
    numbers = {employer_case(ws, employer.id) for _ in range(3)}
    written: list[int] = []
    index_cases = index_later.index_cases

    def noted(session: Any, case_ids: Any) -> None:
        written.append(len(case_ids))
        index_cases(session, case_ids)

    monkeypatch.setattr(index_later, "INDEX_BATCH", 2)
    monkeypatch.setattr(index_later, "index_cases", noted)
    OrganisationService(ws).update(employer.id, OrganisationInput("Hanbit Metal", "KR", "Ansan"))
    assert written == [2, 1]

    def busy(session: Any, case_ids: Any) -> None:
        raise DatabaseBusy("busy")

    monkeypatch.setattr(index_later, "index_cases", busy)
    OrganisationService(ws).update(employer.id, OrganisationInput("Sapar Metal", "KR", "Ansan"))
    assert OrganisationService(ws).get(employer.id).name == "Sapar Metal"
    cases = CaseService(ws)
    assert not {r.number for r in cases.list_cases(CaseFilter(text="Sapar"))}
    monkeypatch.setattr(index_later, "index_cases", index_cases)
    assert index_later.write_pending(ws) == 3
    assert {r.number for r in cases.list_cases(CaseFilter(text="Sapar"))} == numbers


def _entered_twice(ws: Workspace, *names: str, **details: object) -> list[str]:
    """Employers of Korea entered as an older version let them in: one per writing."""
    with ws.write() as session:
        rows = [Employer(name=n, country="KR", city="", **details) for n in names]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def test_employers_entered_twice_are_combined_into_the_one_chosen(open_ws: OpenWs) -> None:
    consul = open_ws("serik")
    kept, twin, other = _entered_twice(consul, "Hanil Co., Ltd.", "HANIL CO LTD", "Hanil")
    with consul.write() as session:  # what only the twins know, and a watchlist entry
        row = session.get(Employer, twin)
        assert row is not None
        row.address, row.phone = "45 Gajwa-ro", "+82 32 000 0000"
        row.watchlist, row.watchlist_reason = True, "Kept passports in 2025."
    cases = [employer_case(consul, employer_id) for employer_id in (kept, twin, twin, other)]
    service = OrganisationService(consul)
    assert {t.id for t in service.twins(kept)} == {twin, other}
    with consul.read() as session:
        before = dict(session.execute(select(Case.number, Case.version)).all())

    result = service.combine(kept)
    assert (result.combined, result.cases_moved, result.kept_apart) == (2, 3, 0)
    assert result.kept.address == "45 Gajwa-ro" and result.kept.phone == "+82 32 000 0000"
    assert result.kept.watchlist and result.kept.watchlist_reason == "Kept passports in 2025."
    assert result.kept.complaint_count == 4 and service.twins(kept) == ()
    with consul.read() as session:
        held = {c.employer_id for c in session.execute(select(Case)).scalars()}
        assert held >= {kept} and not held & {twin, other}
        after = dict(session.execute(select(Case.number, Case.version)).all())
        # A moved case is a changed case: the next bundle carries it to HQ.
        assert [n for n in cases if after[n] > before[n]] == cases[1:]
        removed = session.execute(
            select(Employer.deleted_at).where(Employer.id.in_([twin, other]))
        ).scalars()
        assert all(when is not None for when in removed)
        entry = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "employer.combine")
        ).scalar_one()
        assert entry["cases_moved"] == 3 and set(entry["others"]) == {twin, other}
    # The moved cases are found by the name kept, the choices list it once.
    found = CaseService(consul).list_cases(CaseFilter(text="Hanil"))
    assert {c.number for c in found} >= set(cases)
    assert [c.name for c in service.choices("KR") if c.key == "hanil"] == ["Hanil Co., Ltd."]


def test_combining_is_refused_to_an_attache_at_hq_and_with_nothing_to_combine(
    open_ws: OpenWs,
) -> None:
    attache, consul = open_ws("aigul"), open_ws("serik")
    kept, twin = _entered_twice(consul, "Mirae Co.", "MIRAE")
    employer_case(consul, twin)
    with pytest.raises(PermissionDenied):
        OrganisationService(attache).combine(kept)
    single = OrganisationService(consul).create(OrganisationInput("Jeil Foods", "KR"))
    with pytest.raises(ValidationError):
        OrganisationService(consul).combine(single.id)
    with consul.read() as session:
        assert session.get(Employer, twin).deleted_at is None  # type: ignore[union-attr]
        assert session.execute(select(func.count()).where(Case.employer_id == twin)).scalar() == 1


def test_a_twin_a_case_held_elsewhere_refers_to_stays(open_ws: OpenWs) -> None:
    """A copy of a case HQ transferred away is read only here: its employer stays. So does one
    another installation made (a bundle's removal of it would be refused as not ours)."""
    consul = open_ws("serik")
    kept, twin, foreign = _entered_twice(
        consul, "Seoyeon Fisheries", "SEOYEON FISHERIES", "Seoyeon Fisheries Co."
    )
    away, here = employer_case(consul, twin), employer_case(consul, twin)
    with consul.write() as session:
        session.info[ANY_HOLDER] = True
        session.execute(update(Case).where(Case.number == away).values(holder_mission="BSN"))
        session.execute(update(Employer).where(Employer.id == foreign).values(origin_mission="HQ"))
    result = OrganisationService(consul).combine(kept)
    assert (result.combined, result.cases_moved, result.kept_apart) == (0, 1, 2)
    with consul.read() as session:
        owners = dict(session.execute(select(Case.number, Case.employer_id)).all())
        assert owners[here] == kept and owners[away] == twin
        left = session.execute(
            select(Employer.deleted_at).where(Employer.id.in_([twin, foreign]))
        ).scalars()
        assert all(when is None for when in left)


def employer_case(ws: Workspace, employer_id: str) -> str:
    worker = PersonInput(surname="Сейтов", given_names="Бауыржан", birth_date=date(1991, 1, 2))
    case = wage_case(
        ws, worker, date(2026, 11, 2), allow_duplicate_person=True, employer_id=employer_id
    )
    return case.number
