"""An anonymised case whose worker another, live case keeps on file, replayed as someone who
wants to know whose it was: at the mission and at HQ (after the mission's bundle), no list
order, search, person's case list, subject access export, case list report, bundle record,
repeated-IIN row or case view leads from it to the worker. The fault: the anonymised case kept
its link to the worker, so a list sorted by person put it among her surnames, and each view
had to read a flag to hide her."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from app.db.models import Base, Case, ContractReview, Person
from app.domain.persons import own_person_id
from app.reports.tables import case_list_row
from app.services.cases import SORT_KEYS
from app.services.consolidation import ConsolidationService
from app.services.contracts import ContractReviewService
from app.services.installation import unlock
from app.services.people import PersonService
from app.services.records import CaseDetail, CaseFilter, CaseInput, PersonInput
from app.services.retention import run_manually
from app.services.subject_access import collect, to_json
from tests.conftest import PASSWORD
from tests.integration.test_exchange import Site, dxb, hq, opened, sel, sites  # noqa: F401
from tests.unit.test_retention import LATER, SECRETS, TODAY, close, make_case

NAME = SECRETS["surname"]
TYPED = (NAME, SECRETS["surname_latin"], SECRETS["iin"], SECRETS["passport_no"])
TERMS = {"position": "welder", "passport_held_by": "employer", "rest_days_per_week": 1}


def _records(bundle: Path, reader: Site) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every record the bundle carries, with its entity."""
    with zipfile.ZipFile(io.BytesIO(opened(bundle, reader))) as archive:
        for name in archive.namelist():
            if name.startswith("records/") and name.endswith(".jsonl"):
                entity = name.removeprefix("records/").removesuffix(".jsonl")
                for line in archive.read(name).decode().splitlines():
                    yield entity, json.loads(line)


def _refers_to(site: Site, case_id: str, person_id: str) -> list[str]:
    """The rows of the case, and those hanging off it, that refer to the person."""
    found = []
    with site.ws.read() as session:
        for table in Base.metadata.sorted_tables:
            to_person = [
                c for c in table.c if any(k.column.table.name == "person" for k in c.foreign_keys)
            ]
            of_case = table.c.id if table.name == "case" else table.c.get("case_id")
            if of_case is None:
                continue
            for column in to_person:
                query = select(table.c.id).where(of_case == case_id, column == person_id)
                found += [f"{table.name}.{column.name}" for _ in session.execute(query)]
    return found


def _worker_and_cases(sel: Site, dxb: Site) -> tuple[CaseDetail, CaseDetail, str]:  # noqa: F811
    """At SEL the worker's old case, closed with a contract review, and her new, live one; at
    DXB a case of hers (her IIN), so that HQ lists her IIN among those of several missions."""
    gone = make_case(sel.ws, PersonInput(**SECRETS))
    ContractReviewService(sel.ws).save(TERMS, case_id=gone.id)
    close(sel.ws, gone.id)
    worker = sel.cases.get_case(gone.id).person.id
    live = sel.cases.create_case(
        CaseInput(host_country="KR", categories=("violence",), received_at=TODAY, person_id=worker)
    )
    make_case(dxb.ws, PersonInput(surname=NAME, given_names="Әсел", iin=SECRETS["iin"]))
    return gone, live, worker


def _nothing_leads_to_her(site: Site, gone: CaseDetail, live: CaseDetail, worker: str) -> None:
    assert _refers_to(site, gone.id, worker) == []
    cases = site.cases
    for sort in SORT_KEYS:
        for descending in (False, True):
            rows = cases.list_cases(CaseFilter(sort=sort, descending=descending))
            (row,) = [r for r in rows if r.number == gone.number]
            assert (row.person_name, row.person_name_latin, row.anonymised) == ("", "", True)
    # Sorted by person the anonymised cases stand before every named one: their place tells
    # no surname (or after, in the reverse order).
    for descending in (False, True):
        order = CaseFilter(sort="person", descending=descending)
        by_person = [r.person_name for r in cases.list_cases(order)]
        assert by_person == sorted(by_person, key=bool, reverse=descending), by_person
    assert case_list_row(next(r for r in rows if r.number == gone.number), "en", False)[4] == (
        "(anonymised)"
    )
    for typed in TYPED:
        assert gone.number not in [r.number for r in cases.search(typed)], typed
        assert gone.number not in [r.number for r in cases.list_cases(CaseFilter(text=typed))]
    mine = [r.number for r in cases.list_cases(CaseFilter(person_id=worker))]
    assert mine == [live.number]
    assert PersonService(site.ws).get(worker).case_count == 1
    assert ContractReviewService(site.ws).list_reviews(person_id=worker) == []
    view = cases.get_case(gone.id)
    assert (view.person.full_name, view.person.iin, view.person.id) == ("", None, "")
    # Her export, made at HQ by its operator (HQ's administrator keeps no records).
    reader = unlock(site.paths, "astana", PASSWORD) if site.ws.mission.is_hq else site.ws
    try:
        export = to_json(collect(reader, iin=SECRETS["iin"])).decode()
    finally:
        if reader is not site.ws:
            reader.close()
    assert live.number in export and gone.number not in export


def test_nothing_leads_from_an_anonymised_case_to_the_worker_another_case_keeps(
    sel: Site,  # noqa: F811
    dxb: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    gone, live, worker = _worker_and_cases(sel, dxb)
    for mission in (sel, dxb):
        mission.exchange.export_cases(
            tmp_path / f"{mission.ws.mission_code}.qbundle", [hq.recipient]
        )
        hq.exchange.import_bundle(tmp_path / f"{mission.ws.mission_code}.qbundle")

    assert gone.number in run_manually(sel.ws, today=LATER, date_is_right=True).anonymised_cases
    sel.exchange.export_cases(tmp_path / "after.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "after.qbundle")

    # The bundle: the case and its review name a person of the case's own, sent with it.
    own = own_person_id(gone.id)
    carried = list(_records(tmp_path / "after.qbundle", hq))
    of_case = [r for e, r in carried if gone.id in (r.get("id"), r.get("case_id"))]
    assert of_case and all(r.get("person_id") in (None, own) for r in of_case)
    (stub,) = [r for e, r in carried if e == "person" and r["id"] == own]
    assert (stub["surname"], stub["iin"], stub["birth_date"], stub["sex"]) == (
        "",
        None,
        None,
        "female",
    )

    for site in (sel, hq):
        _nothing_leads_to_her(site, gone, live, worker)
        with site.ws.read() as session:
            assert session.get(Person, worker).surname == NAME  # kept for her live case
            assert session.execute(select(Case.person_id).where(Case.id == gone.id)).scalar() == own
    (repeat,) = [r for r in ConsolidationService(hq.ws).repeats() if r.kind == "person"]
    assert repeat.key == SECRETS["iin"] and gone.number not in repeat.case_numbers
    assert live.number in repeat.case_numbers


def test_the_case_s_own_person_made_at_hq_and_at_the_mission_is_one_record(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """HQ's retention ran on its copy before the mission's bundle came: each made the case's
    own person, alike but for the moment, which the merge takes for the same record."""
    gone = make_case(sel.ws, PersonInput(**SECRETS))
    close(sel.ws, gone.id)
    sel.exchange.export_cases(tmp_path / "before.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "before.qbundle")
    for site in (hq, sel):
        assert (
            gone.number in run_manually(site.ws, today=LATER, date_is_right=True).anonymised_cases
        )
    sel.exchange.export_cases(tmp_path / "after.qbundle", [hq.recipient])
    report = hq.exchange.import_bundle(tmp_path / "after.qbundle")
    assert report.per_entity["person"].get("conflicts", 0) == 0, report.per_entity
    with hq.ws.read() as session:
        assert session.execute(select(Case.person_id).where(Case.id == gone.id)).scalar() == (
            own_person_id(gone.id)
        )


def test_hq_gives_its_own_person_to_an_anonymised_case_a_mission_sends_linked(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A mission still on an earlier version anonymises a case and keeps it linked to the
    worker, as retention did then: HQ's copy is given its own person on import all the same,
    and keeps the version the mission sent."""
    gone = make_case(sel.ws, PersonInput(**SECRETS))
    ContractReviewService(sel.ws).save(TERMS, case_id=gone.id)
    close(sel.ws, gone.id)
    worker = sel.cases.get_case(gone.id).person.id
    sel.exchange.export_cases(tmp_path / "before.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "before.qbundle")
    run_manually(sel.ws, today=LATER, date_is_right=True)
    own = own_person_id(gone.id)
    with sel.ws.write() as session:  # as the earlier version left it
        session.execute(update(Case).where(Case.id == gone.id).values(person_id=worker))
        session.execute(
            update(ContractReview).where(ContractReview.case_id == gone.id).values(person_id=worker)
        )
        session.execute(delete(Person).where(Person.id == own))
        sent = session.execute(select(Case.version).where(Case.id == gone.id)).scalar_one()
    sel.exchange.export_cases(tmp_path / "after.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "after.qbundle")

    with hq.ws.read() as session:
        row = session.get(Case, gone.id)
        assert row is not None and (row.person_id, row.version) == (own, sent)
        reviews = select(ContractReview.person_id).where(ContractReview.case_id == gone.id)
        assert session.execute(reviews).scalars().all() == [own]
        stub = session.get(Person, own)
        assert stub is not None and (stub.surname, stub.iin, stub.origin_mission) == (
            "",
            None,
            "SEL",
        )
    assert _refers_to(hq, gone.id, worker) == []
