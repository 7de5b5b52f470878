"""Bundles end to end: mission -> HQ, two missions consolidated, conflicts, transfers, library."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyrage
import pytest
from sqlalchemy import func, select

from app.config import Paths
from app.db.models import (
    Agreement,
    AgreementProvision,
    Attachment,
    AuditEntry,
    Case,
    CaseEvent,
    Employer,
    ExchangeLog,
    LocalSecret,
    Mission,
    Person,
)
from app.db.raw import open_raw
from app.db.sync import ANY_HOLDER
from app.domain.codes import Role
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.exchange import package, records
from app.exchange.package import BundleRefused, NotAnIdentityFile
from app.i18n import format_date
from app.security.hq_secrets import AGE_IDENTITY, entry_name, secrets_file, workstation_secret
from app.services.agreements import ensure_library
from app.services.cases import CaseService
from app.services.demo import fill_demo
from app.services.exchange import ExchangeService
from app.services.installation import MissionSetup, unlock
from app.services.keys import KeyService
from app.services.letters import LetterFilter, LetterService
from app.services.records import CaseChanges, CaseFilter
from app.services.users import UserService
from app.services.workspace import Actor, Workspace
from tests.conftest import MISSION, PASSWORD, install_site
from tests.pg_cluster import server_installation  # noqa: E402
from tests.unit.test_day_stats import assert_counts_match_a_recount

# The PostgreSQL run is `slow` (long: demo missions, age, letters as PDF); CI runs it.
pytestmark = pytest.mark.both_engines(slow=True)


@dataclass
class Site:
    paths: Paths
    ws: Workspace

    @property
    def exchange(self) -> ExchangeService:
        return ExchangeService(self.ws)

    @property
    def cases(self) -> CaseService:
        return CaseService(self.ws)

    @property
    def recipient(self) -> str:
        return KeyService(self.ws).own_keys().age_recipient

    def write_lock_is_free(self) -> bool:
        """Whether another connection takes the write lock at once (busy_timeout 0: no
        waiting). A site in a SQLCipher file only."""
        connection = open_raw(self.ws.db.path, self.ws.db.key)
        try:
            connection.execute("PRAGMA busy_timeout = 0")
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return True
        except Exception:  # noqa: BLE001 - "database is locked" is the answer, not an error
            return False
        finally:
            connection.close()


def make_site(
    root: Path, code: str, country: str, city: str, is_hq: bool = False, server: Any = None
) -> Site:
    """A mission, or HQ; with ``server`` (a test cluster), HQ keeps its data on PostgreSQL."""
    paths = Paths(root / code.lower())
    setup = MissionSetup(code, country, city, is_hq=is_hq)
    if is_hq and server is not None:
        server_installation(server, paths.data_dir, setup, {"astana": "hq"}, PASSWORD)
        return Site(paths, unlock(paths, "admin", PASSWORD))
    install_site(paths, setup)
    ws = unlock(paths, "admin", PASSWORD)
    if is_hq:
        UserService(ws).add("astana", "hq", PASSWORD)
    return Site(paths, ws)


def link(hq: Site, mission: Site) -> None:
    """HQ and the mission register each other's keys (done once, out of band); the mission
    marks HQ's key as headquarters' (``keys trust --hq``), which its transfers and library need."""
    for here, there in ((hq, mission), (mission, hq)):
        keys = KeyService(there.ws).own_keys()
        KeyService(here.ws).trust(
            keys.mission_code, keys.signing_key, keys.age_recipient, is_hq=there is hq
        )


@contextmanager
def hq_and_sel(root: Path, cases: int = 0, seed: int = 0) -> Iterator[tuple[Site, Site]]:
    """HQ (AST) and SEL, each trusting the other's keys; SEL holds ``cases`` demo cases.
    Both close when the block ends."""
    hq = make_site(root, "AST", "KZ", "Astana", True)
    sel = make_site(root, "SEL", "KR", "Seoul")
    try:
        yield hq, linked_with_cases(hq, sel, cases, seed)
    finally:
        hq.ws.close()
        sel.ws.close()


@contextmanager
def hq_sel_dxb(root: Path) -> Iterator[tuple[Site, Site, Site]]:
    """HQ (AST) with two missions, SEL and DXB, each trusting HQ's keys and HQ theirs.
    All three close when the block ends."""
    hq = make_site(root, "AST", "KZ", "Astana", True)
    sel = make_site(root, "SEL", "KR", "Seoul")
    dxb = make_site(root, "DXB", "AE", "Dubai")
    try:
        for mission in (sel, dxb):
            link(hq, mission)
        yield hq, sel, dxb
    finally:
        for site in (hq, sel, dxb):
            site.ws.close()


def secret(site: Site, name: str) -> bytes:
    """One of the installation's own secrets (``signing_key``, ``age_identity``)."""
    with site.ws.read() as session:
        row = session.get(LocalSecret, name)
        assert row is not None, f"the installation has no {name}"
        return bytes(row.value)


def opened(bundle: Path, reader: Site) -> bytes:
    """The bundle's ZIP, decrypted with ``reader``'s age identity as its import does."""
    identity = pyrage.x25519.Identity.from_str(secret(reader, "age_identity").decode())
    return pyrage.decrypt(bundle.read_bytes(), [identity])


@pytest.fixture
def sites(
    tmp_path: Path, engine: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Site]]:
    """Missions on SQLCipher; HQ on the engine under test."""
    opened: list[Site] = []
    server = None
    if engine == "postgresql":
        request.getfixturevalue("pg_template")  # its roles (admin, astana) sign in here
        server = request.getfixturevalue("pg_cluster")

    def _make(code: str, country: str, city: str, is_hq: bool = False) -> Site:
        site = make_site(tmp_path, code, country, city, is_hq, server)
        opened.append(site)
        return site

    yield _make
    for site in opened:
        site.ws.close()


@pytest.fixture
def hq(sites: Callable[..., Site]) -> Site:
    return sites("AST", "KZ", "Astana", True)


def linked_with_cases(hq: Site, mission: Site, cases: int, seed: int) -> Site:
    """``mission``, its keys and HQ's exchanged, holding ``cases`` demo cases."""
    link(hq, mission)
    if cases:
        fill_demo(mission.ws, cases, seed=seed)
    return mission


@pytest.fixture
def sel(sites: Callable[..., Site], hq: Site) -> Site:
    return linked_with_cases(hq, sites("SEL", "KR", "Seoul"), 6, seed=11)


@pytest.fixture
def dxb(sites: Callable[..., Site], hq: Site) -> Site:
    return linked_with_cases(hq, sites("DXB", "AE", "Dubai"), 4, seed=23)


def first_case_id(site: Site) -> str:
    with site.ws.read() as session:
        return session.execute(select(Case.id).order_by(Case.number).limit(1)).scalar_one()


def count(site: Site, model: type, *where: object) -> int:
    with site.ws.read() as session:
        return int(session.execute(select(func.count()).select_from(model).where(*where)).scalar())


def table_dump(site: Site) -> dict[str, list[tuple]]:
    from app.db.models import Base

    with site.ws.read() as session:
        return {
            name: [tuple(r) for r in session.execute(table.select()).all()]
            for name, table in Base.metadata.tables.items()
        }


def test_mission_to_hq_round_trip_with_attachments_and_search(sel: Site, hq: Site, tmp_path):
    case_id = first_case_id(sel)
    scan = b"%PDF-1.4 contract scan " * 100
    sel.cases.add_attachment(case_id, "contract.pdf", scan, "application/pdf")
    out = tmp_path / "sel.qbundle"

    summary = sel.exchange.export_cases(out, [hq.recipient])

    assert summary.counts["case"] == 6
    assert summary.counts["mission"] == 1
    assert summary.files == 1
    assert out.read_bytes().startswith(b"age-encryption.org/v1")
    report = hq.exchange.import_bundle(out)
    assert report.source_mission == "SEL"
    assert report.per_entity["case"]["new"] == 6
    assert report.files == 1
    assert report.conflicts == 0
    with hq.ws.read() as session:
        origins = session.execute(
            select(Case.origin_mission, func.count()).group_by(Case.origin_mission)
        ).all()
        assert origins == [("SEL", 6)]
        attachment = session.execute(select(Attachment)).scalar_one()
        assert attachment.content == scan
        mission = session.execute(select(Mission).where(Mission.code == "SEL")).scalar_one()
        assert (mission.country, mission.city) == ("KR", "Seoul")
        assert mission.signing_public_key  # keys are never taken from a bundle
    sel_case = sel.cases.get_case(case_id)
    hq_case = hq.cases.get_case(case_id)
    assert (hq_case.number, hq_case.version, hq_case.categories) == (
        sel_case.number,
        sel_case.version,
        sel_case.categories,
    )
    assert sel_case.number in [r.number for r in hq.cases.search(sel_case.person.iin or "")]
    with hq.ws.read() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
        assert "bundle.import" in actions
    with sel.ws.read() as session:
        log = session.execute(select(ExchangeLog)).scalar_one()
        assert (log.direction, log.kind, log.bundle_id) == ("out", "cases", summary.bundle_id)
        assert "bundle.export" in session.execute(select(AuditEntry.action)).scalars().all()


def test_reimport_changes_nothing(sel: Site, hq: Site, tmp_path):
    out = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(out, [hq.recipient])
    hq.exchange.import_bundle(out)
    before = table_dump(hq)

    again = hq.exchange.import_bundle(out)

    assert again.already_imported
    assert table_dump(hq) == before


def test_incremental_export_sends_only_changes(sel: Site, hq: Site, tmp_path):
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    empty = sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])
    assert empty.counts == {"mission": 1}
    case_id = first_case_id(sel)
    sel.cases.update_case(case_id, CaseChanges(description="Employer paid two months."))

    summary = sel.exchange.export_cases(tmp_path / "3.qbundle", [hq.recipient])

    assert summary.counts["case"] == 1
    assert summary.change_from == empty.change_to
    report = hq.exchange.import_bundle(tmp_path / "3.qbundle")
    assert report.per_entity["case"] == {
        "new": 0,
        "updated": 1,
        "unchanged": 0,
        "local_newer": 0,
        "conflicts": 0,
    }
    assert hq.cases.get_case(case_id).description == "Employer paid two months."
    full = sel.exchange.export_cases(tmp_path / "4.qbundle", [hq.recipient], all_changes=True)
    assert full.counts["case"] == 6


def test_an_update_bundle_rewrites_only_the_codes_a_case_changed(sel: Site, hq: Site, tmp_path):
    case_id = first_case_id(sel)
    sel.cases.update_case(
        case_id,
        CaseChanges(
            categories=("unpaid_wages", "documents_withheld"),
            ilo_indicators=("withholding_of_wages", "retention_of_identity_documents"),
        ),
    )
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    # One category and one indicator kept, one of each lost, one category gained.
    sel.cases.update_case(
        case_id,
        CaseChanges(
            categories=("unpaid_wages", "violence"), ilo_indicators=("withholding_of_wages",)
        ),
    )
    with hq.ws.read() as session:
        kept_before = _code_rows(session, case_id)

    sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "2.qbundle")

    sent, held = sel.cases.get_case(case_id), hq.cases.get_case(case_id)
    assert (held.categories, held.ilo_indicators) == (sent.categories, sent.ilo_indicators)
    with hq.ws.read() as session:
        kept_after = _code_rows(session, case_id)
    # A code the case kept is the same row (not deleted and written again), one it gained is new.
    for code, row in kept_after.items():
        if code in kept_before:
            assert row == kept_before[code], code
    assert set(kept_after) == {("categories", c) for c in sent.categories} | {
        ("ilo_indicators", c) for c in sent.ilo_indicators
    }
    assert_counts_match_a_recount(hq.ws)


def _code_rows(session: Any, case_id: str) -> dict[tuple[str, str], object]:
    """Each code row of a case, with what tells one stored row from another written again in
    its place (PostgreSQL's row version, SQLite's rowid)."""
    connection = session.connection()
    identity = "xmin::text" if connection.dialect.name == "postgresql" else "rowid"
    found: dict[tuple[str, str], object] = {}
    for table, key in (("case_category", "categories"), ("case_ilo_indicator", "ilo_indicators")):
        rows = connection.exec_driver_sql(
            f"SELECT code, {identity} FROM {table} WHERE case_id = '{case_id}'"
        )
        found.update(((key, code), row) for code, row in rows)
    return found


def test_two_missions_consolidate_at_hq(sel: Site, dxb: Site, hq: Site, tmp_path):
    sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    dxb.exchange.export_cases(tmp_path / "dxb.qbundle", [hq.recipient])

    hq.exchange.import_bundle(tmp_path / "dxb.qbundle")
    hq.exchange.import_bundle(tmp_path / "sel.qbundle")

    with hq.ws.read() as session:
        origins = dict(
            session.execute(
                select(Case.origin_mission, func.count()).group_by(Case.origin_mission)
            ).all()
        )
        numbers = session.execute(select(Case.number)).scalars().all()
    assert origins == {"SEL": 6, "DXB": 4}
    assert {n.split("-")[0] for n in numbers} == {"SEL", "DXB"}
    assert len(hq.exchange.exchange_log()) == 2


def edited_on_both_sides(sel: Site, hq: Site, folder: Path) -> str:
    """SEL's first case, sent to HQ; then HQ's copy and SEL's each reach the next version with
    other content; returns its id."""
    sel.exchange.export_cases(folder / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(folder / "1.qbundle")
    case_id = first_case_id(sel)
    sel.cases.update_case(case_id, CaseChanges(description="Seoul's version"))
    changed_at_hq(hq, case_id, "Astana's version")
    return case_id


def changed_at_hq(hq: Site, case_id: str, description: str) -> None:
    """HQ's copy of a mission's case one version on, with other content. HQ never changes a
    mission's case (refused, ``app.db.sync``); a mission restored from an older backup that
    saves again sends HQ such a version, which HQ already holds with other content."""
    with hq.ws.write() as session:
        session.info[ANY_HOLDER] = True
        row = session.get(Case, case_id)
        assert row is not None
        row.description = description


def test_hq_does_not_change_a_missions_case(sel: Site, hq: Site, tmp_path):
    """HQ's change would be overwritten by the mission's next bundle, or meet it as a
    conflict: HQ keeps the case as the mission sends it."""
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    case_id = first_case_id(sel)
    number = hq.cases.get_case(case_id).number
    before = hq.cases.get_case(case_id)

    for attempt in (
        lambda: hq.cases.update_case(case_id, CaseChanges(description="Astana's version")),
        lambda: hq.cases.add_event(case_id, "call", "Called from Astana."),
    ):
        with pytest.raises(PermissionDenied, match=f"{number} is held by SEL: headquarters"):
            attempt()

    after = hq.cases.get_case(case_id)
    assert (after.version, after.description, after.events) == (
        before.version,
        before.description,
        before.events,
    )
    assert not hq.cases.can_change(after) and sel.cases.can_change(sel.cases.get_case(case_id))


def test_equal_versions_with_different_content_become_conflicts(sel: Site, hq: Site, tmp_path):
    case_id = edited_on_both_sides(sel, hq, tmp_path)
    hq_version = hq.cases.get_case(case_id).version
    sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])

    report = hq.exchange.import_bundle(tmp_path / "2.qbundle")

    assert report.conflicts == 1
    assert hq.cases.get_case(case_id).description == "Astana's version"  # not overwritten
    (conflict,) = hq.exchange.conflicts()
    assert conflict.entity == "case"
    assert conflict.label == hq.cases.get_case(case_id).number
    assert conflict.source == "SEL"  # whose bundle brought the other version
    fields = {f.name: (f.local, f.remote) for f in conflict.fields}
    assert fields["description"] == ("Astana's version", "Seoul's version")

    resolved = hq.exchange.resolve_conflict(conflict.id, "remote")

    assert resolved.resolution == "remote"
    assert resolved.resolved_by == "admin"
    after = hq.cases.get_case(case_id)
    assert after.description == "Seoul's version"
    assert after.version == hq_version + 1  # newer than both, so the decision travels
    assert hq.exchange.conflicts() == []
    assert len(hq.exchange.conflicts(include_resolved=True)) == 1


def test_a_conflict_on_a_person_resolved_leaves_their_cases_found_by_the_name_taken(
    sel: Site, hq: Site, tmp_path
):
    """The person's name is in their cases' search rows: taking the mission's version of a
    person (or an employer) makes HQ's search find the cases by that name."""
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    case_id = first_case_id(sel)
    person_id = sel.cases.get_case(case_id).person.id
    for site, surname in ((sel, "Оразбеков"), (hq, "Тұрсынов")):
        with site.ws.write() as session:  # each side one version on, with another spelling
            session.info[ANY_HOLDER] = True
            person = session.get(Person, person_id)
            assert person is not None
            person.surname = surname
    sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "2.qbundle")
    (conflict,) = hq.exchange.conflicts()
    assert conflict.entity == "person"

    hq.exchange.resolve_conflict(conflict.id, "remote")

    number = hq.cases.get_case(case_id).number
    assert number in [row.number for row in hq.cases.search("Оразбеков")]
    assert number not in [row.number for row in hq.cases.search("Тұрсынов")]


def test_a_conflicts_values_read_as_the_forms_show_them(sel: Site, hq: Site, tmp_path):
    """The consul deciding between two versions saw ``in_progress``, ``2026-12-10`` and an
    employer's id; now the words, the dates and the names the case form shows."""
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    case_id = sel.cases.list_cases(CaseFilter(open_only=True), 0, 1)[0].id
    with sel.ws.read() as session:
        employers = dict(session.execute(select(Employer.id, Employer.name)).all())
        current = session.get(Case, case_id).employer_id
    other = next(e for e in employers if e != current)
    claim = {"amount": "1250000", "currency": "KRW", "what": "wages"}
    sel.cases.update_case(
        case_id,
        CaseChanges(
            urgency="high", due_date=date(2030, 1, 15), documents_returned=True, claims=(claim,)
        ),
    )
    with hq.ws.write() as session:  # HQ's side as a restored mission's would come
        session.info[ANY_HOLDER] = True
        row = session.get(Case, case_id)
        row.urgency, row.due_date, row.employer_id = "normal", date(2030, 2, 1), other
    sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "2.qbundle")

    (conflict,) = hq.exchange.conflicts()
    shown = {f.name: (f.local_text, f.remote_text) for f in conflict.fields}
    assert shown["urgency"] == ("Normal", "High")
    assert shown["due_date"] == (format_date(date(2030, 2, 1)), format_date(date(2030, 1, 15)))
    assert shown["documents_returned"] == ("no", "yes")
    assert shown["employer_id"] == (employers[other], employers[current] if current else "—")
    assert shown["claims"][0] == "—" and "1,250,000 KRW (unpaid wages)" in shown["claims"][1]
    raw = {f.name: (f.local, f.remote) for f in conflict.fields}
    assert raw["urgency"] == ("normal", "high")  # the record's values stay for scripts


def test_keeping_the_local_version_wins_at_the_next_exchange(sel: Site, hq: Site, tmp_path):
    case_id = edited_on_both_sides(sel, hq, tmp_path)
    sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "2.qbundle")
    (conflict,) = hq.exchange.conflicts()

    hq.exchange.resolve_conflict(conflict.id, "local")

    assert hq.cases.get_case(case_id).description == "Astana's version"
    # Said with who resolved it, and which way.
    with pytest.raises(ConflictError, match=r"^\w+ has already resolved this conflict and kept"):
        hq.exchange.resolve_conflict(conflict.id, "remote")


def test_a_transfer_finds_a_case_number_typed_in_lower_case(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    """The fault: "sel-2026-0001", typed in the transfer dialog, was "No case sel-2026-0001."
    while the case list's search found it."""
    sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "sel.qbundle")
    number = hq.cases.get_case(first_case_id(sel)).number

    summary = hq.exchange.transfer_cases([f" {number.lower()} "], "DXB", tmp_path / "t.qbundle")

    assert summary.counts["case"] == 1
    assert hq.cases.get_by_number(number).holder_mission == "DXB"


def test_transfer_from_one_mission_to_another_via_hq(sel: Site, dxb: Site, hq: Site, tmp_path):
    case_id = first_case_id(sel)
    sel.cases.add_attachment(case_id, "passport-page.jpg", b"\xff\xd8 scan" * 50, "image/jpeg")
    sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "sel.qbundle")
    number = hq.cases.get_case(case_id).number

    summary = hq.exchange.transfer_cases([number], "DXB", tmp_path / "transfer.qbundle")

    assert summary.kind == "transfer"
    assert summary.target_mission == "DXB"
    assert summary.counts["case"] == 1
    assert summary.counts["person"] == 1
    assert summary.files == 1
    with pytest.raises(Exception, match="not encrypted for this installation"):
        sel.exchange.import_bundle(tmp_path / "transfer.qbundle")
    report = dxb.exchange.import_bundle(tmp_path / "transfer.qbundle")
    assert report.per_entity["case"]["new"] == 1
    moved = dxb.cases.get_case(case_id)
    # It arrives assigned to SEL's officer (or to nobody), not one of DXB's: nobody here had it
    # among their cases until the import said so.
    assert moved.assigned_to not in {u.username for u in UserService(dxb.ws).list()}
    assert report.notes == (
        f"Headquarters has transferred case {number} from SEL to this mission: assign it "
        "to one of this mission's officers (the case list finds it under “Not assigned”).",
    )
    assert moved.number == number
    with dxb.ws.read() as session:
        row = session.get(Case, case_id)
        assert row.transferred_from == "SEL"
        assert row.origin_mission == "SEL"
    assert any("transferred from SEL to DXB" in e.text for e in moved.events)

    dxb.cases.update_case(case_id, CaseChanges(description="Now handled in Dubai."))
    dxb.exchange.export_cases(tmp_path / "dxb.qbundle", [hq.recipient])
    back = hq.exchange.import_bundle(tmp_path / "dxb.qbundle")
    assert back.per_entity["case"]["updated"] == 1
    assert hq.cases.get_case(case_id).description == "Now handled in Dubai."


def test_a_transferred_case_is_nobodys_at_the_mission_it_reaches(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    """Usernames are each installation's own: SEL's case assigned to SEL's "admin" arrived at
    DXB as the case of DXB's "admin", among her open cases, and the import asked nobody to
    assign it. HQ's transfer now leaves the case unassigned; its timeline keeps the officer."""
    case_id = sel.cases.list_cases(CaseFilter(open_only=True), 0, 1)[0].id
    sel.cases.assign(case_id, "admin")
    sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "sel.qbundle")
    number = hq.cases.get_case(case_id).number

    hq.exchange.transfer_cases([number], "DXB", tmp_path / "transfer.qbundle")
    report = dxb.exchange.import_bundle(tmp_path / "transfer.qbundle")

    assert dxb.cases.get_case(case_id).assigned_to is None
    mine = dxb.cases.list_cases(CaseFilter(assigned_to="admin", open_only=True), 0, 100)
    assert case_id not in {row.id for row in mine}
    assert report.notes == (
        f"Headquarters has transferred case {number} from SEL to this mission: assign it "
        "to one of this mission's officers (the case list finds it under “Not assigned”).",
    )
    assert hq.cases.get_case(case_id).assigned_to is None
    notice = tmp_path / "transfer.notice-SEL.qbundle"
    sel.exchange.import_bundle(notice)
    assert sel.cases.get_case(case_id).assigned_to is None  # off SEL's officer's list too


def test_a_mission_not_told_of_a_transfer_still_sends_the_rest_of_its_work(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    """HQ moved SEL's case to DXB; SEL, not told, went on writing on it. Its next bundle was
    refused whole ("case … is held by DXB"): the day's work on its other cases never reached
    HQ, and no later bundle could carry it (a full export met the same refusal)."""
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    moved, other = sorted(sel.cases.list_cases(CaseFilter(), 0, 2), key=lambda c: c.number)
    hq.exchange.transfer_cases([moved.number], "DXB", tmp_path / "t.qbundle")
    dxb.exchange.import_bundle(tmp_path / "t.qbundle")

    sel.cases.add_event(moved.id, "call", "Called the employer again.")
    sel.cases.update_case(other.id, CaseChanges(description="New facts from the worker."))
    sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])
    report = hq.exchange.import_bundle(tmp_path / "2.qbundle")

    assert hq.cases.get_case(other.id).description == "New facts from the worker."
    at_hq = hq.cases.get_case(moved.id)
    assert "Called the employer again." not in [e.text for e in at_hq.events]
    (warning,) = report.warnings
    assert f"{moved.number} (now held by DXB)" in warning
    assert "Tell SEL that it is handled elsewhere now" in warning
    # SEL's full export, its way to send everything again, goes in too.
    sel.exchange.export_cases(tmp_path / "all.qbundle", [hq.recipient], True)
    again = hq.exchange.import_bundle(tmp_path / "all.qbundle")
    assert again.warnings and moved.number in again.warnings[0]
    assert hq.cases.get_case(moved.id).version == at_hq.version


def test_the_former_holder_is_told_and_its_copy_then_reads_only(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    """With the transfer HQ writes a notice for the mission that held the case; imported
    there, the copy names its new holder and refuses every change, so the officer stops
    writing on it instead of learning of the transfer when HQ leaves the work out."""
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    working = sel.cases.list_cases(CaseFilter(statuses=("in_progress",)), 0, 50)
    moved = working[0]  # open: it leaves SEL's open cases too
    other = next(c for c in sel.cases.list_cases(CaseFilter(), 0, 50) if c.id != moved.id)

    summary = hq.exchange.transfer_cases([moved.number], "DXB", tmp_path / "t.qbundle")

    (notice,) = summary.notices
    assert (notice.target_mission, notice.kind) == ("SEL", "transfer")
    assert notice.path == tmp_path / "t.notice-SEL.qbundle"
    assert notice.counts == {"case": 1, "case_event": 1}  # the case itself, not its file
    assert summary.warnings == ()
    with pytest.raises(Exception, match="not encrypted for this installation"):
        dxb.exchange.import_bundle(notice.path)
    dxb.exchange.import_bundle(tmp_path / "t.qbundle")
    report = sel.exchange.import_bundle(notice.path)

    assert report.notes == (
        f"Headquarters has transferred case {moved.number} from SEL to DXB: DXB handles it "
        "from now on, and the copy here can be read but no longer changed.",
    )
    assert report.warnings == ()
    copy = sel.cases.get_case(moved.id)
    assert any("transferred from SEL to DXB" in e.text for e in copy.events)
    with sel.ws.read() as session:
        row = session.get(Case, moved.id)
        assert (row.holder_mission, row.transferred_from) == ("DXB", "SEL")
    before = copy.version
    refusals = (
        lambda: sel.cases.add_event(moved.id, "call", "Called the employer again."),
        lambda: sel.cases.update_case(moved.id, CaseChanges(description="New facts.")),
        lambda: sel.cases.set_status(moved.id, "resolved", "Wages paid in full."),
        lambda: sel.cases.add_attachment(moved.id, "scan.pdf", b"%PDF-1.4 x", "application/pdf"),
    )
    for attempt in refusals:
        with pytest.raises(PermissionDenied, match=f"{moved.number} is handled by DXB now"):
            attempt()
    assert sel.cases.get_case(moved.id).version == before
    assert len(sel.cases.get_case(moved.id).events) == len(copy.events)
    sel.cases.update_case(other.id, CaseChanges(description="New facts from the worker."))

    # Reports count it among SEL's open cases no more, as the case list does not.
    from app.services.stats import Drilldown, StatsFilter, StatsService

    stats = StatsService(sel.ws)
    figures = stats.indicators(StatsFilter())
    open_here = sel.cases.count_cases(CaseFilter(open_only=True))
    assert sum(c.count for c in figures.open_by_status) == open_here
    assert len(stats.ids_behind(Drilldown(StatsFilter(), "open"))) == open_here

    # At HQ the case is listed under the mission that handles it now.
    assert moved.id in {c.id for c in hq.cases.list_cases(CaseFilter(mission="DXB"), 0, 500)}
    assert moved.id not in {c.id for c in hq.cases.list_cases(CaseFilter(mission="SEL"), 0, 500)}
    assert hq.cases.count_cases(CaseFilter(mission="DXB")) == 1

    # SEL's next bundle carries only work HQ takes: nothing is left out, nothing to tell.
    sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])
    back = hq.exchange.import_bundle(tmp_path / "2.qbundle")
    assert back.warnings == ()
    assert hq.cases.get_case(other.id).description == "New facts from the worker."
    with sel.ws.write() as session:  # overdue here: still not SEL's to escalate
        session.execute(
            Case.__table__.update()
            .where(Case.id == moved.id)
            .values(status="in_progress", due_date=date(2026, 1, 5), escalated_at=None)
        )
    sel.cases.escalate_overdue()
    assert moved.id not in _escalated(sel)


def _escalated(site: Site) -> set[str]:
    with site.ws.read() as session:
        return set(session.scalars(select(Case.id).where(Case.escalated_at.is_not(None))))


def test_a_copy_held_elsewhere_is_anonymised_when_its_period_is_over(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    """The copy stays at the status it had when it left (open, as a rule), so retention,
    which waits for a final status, kept the worker's data at SEL for good. Its period runs
    from the transfer; DXB's and HQ's cases are untouched."""
    from app.services.retention import DEFAULT_YEARS, add_years, run_manually

    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    moved = next(c for c in sel.cases.list_cases(CaseFilter(open_only=True), 0, 50))
    summary = hq.exchange.transfer_cases([moved.number], "DXB", tmp_path / "t.qbundle")
    dxb.exchange.import_bundle(tmp_path / "t.qbundle")
    sel.exchange.import_bundle(summary.notices[0].path)
    transferred_on = datetime.now(UTC).date()
    due = add_years(transferred_on, DEFAULT_YEARS)
    elsewhere = {site.ws.mission_code: site.cases.get_case(moved.id) for site in (dxb, hq)}

    early = run_manually(sel.ws, today=due - timedelta(days=1), dry_run=True)
    assert moved.number not in [c.number for c in early.candidates]
    (copy,) = [c for c in run_manually(sel.ws, today=due, dry_run=True).candidates if c.held_by]
    assert (copy.number, copy.held_by, copy.closed_on) == (moved.number, "DXB", transferred_on)
    done = run_manually(sel.ws, today=due, date_is_right=True)

    assert moved.number in done.anonymised_cases
    with sel.ws.read() as session:
        assert session.get(Case, moved.id).anonymised_at is not None
    for site in (dxb, hq):  # retention at SEL reaches nobody else's copy
        assert site.cases.get_case(moved.id) == elsewhere[site.ws.mission_code]
    # Nor does SEL's next bundle carry it: HQ would leave it out, warning that SEL was not told.
    sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])
    back = hq.exchange.import_bundle(tmp_path / "2.qbundle")
    assert back.warnings == () and "left_out" not in back.per_entity.get("case", {})
    assert hq.cases.get_case(moved.id) == elsewhere["AST"]


def test_a_notice_moves_a_copy_changed_after_its_last_bundle(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    """SEL wrote on the case after its last bundle, so its copy is newer than HQ's: the
    notice still moves it (the holder is HQ's to say) and keeps SEL's unsent text here."""
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    moved = sel.cases.list_cases(CaseFilter(), 0, 1)[0]
    for text in ("Late facts.", "Later facts."):  # two versions ahead of HQ's transfer
        sel.cases.update_case(moved.id, CaseChanges(description=text))

    summary = hq.exchange.transfer_cases([moved.number], "DXB", tmp_path / "t.qbundle")
    sel.exchange.import_bundle(summary.notices[0].path)

    with sel.ws.read() as session:
        row = session.get(Case, moved.id)
        assert (row.holder_mission, row.description) == ("DXB", "Later facts.")
    with pytest.raises(PermissionDenied):
        sel.cases.update_case(moved.id, CaseChanges(description="Even later."))


def test_a_notice_arriving_after_a_later_transfer_does_not_undo_it(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    """Files travel out of order: HQ moved SEL's case to DXB and back; SEL gets the case back
    before the first notice. Its latest transfer decides, so SEL still holds it."""
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    moved = sel.cases.list_cases(CaseFilter(), 0, 1)[0]
    away = hq.exchange.transfer_cases([moved.number], "DXB", tmp_path / "away.qbundle")
    dxb.exchange.import_bundle(tmp_path / "away.qbundle")
    back = hq.exchange.transfer_cases([moved.number], "SEL", tmp_path / "back.qbundle")
    assert [n.target_mission for n in back.notices] == ["DXB"]

    sel.exchange.import_bundle(tmp_path / "back.qbundle")
    late = sel.exchange.import_bundle(away.notices[0].path)

    assert late.warnings == () and late.notes == ()
    copy = sel.cases.get_case(moved.id)
    assert sel.cases.can_change(copy) and sel.cases.held_elsewhere(copy) == ""
    sel.cases.add_event(moved.id, "call", "Back in Seoul.")  # writable again


def test_a_missions_own_transfer_entry_moves_nothing(sel: Site, dxb: Site, hq: Site, tmp_path):
    """SEL writes a timeline entry that looks like HQ's transfer (to TUR, dated years ahead)
    on its own case. When HQ really transfers the case to DXB, DXB holds it: only HQ's
    entries say who holds a case."""
    case_id = first_case_id(sel)
    with sel.ws.write() as session:
        session.add(
            CaseEvent(
                case_id=case_id,
                kind="system",
                author="admin",
                text="",
                occurred_at=datetime(2030, 1, 1, tzinfo=UTC),
                data={"transfer": {"from": "SEL", "to": "TUR"}},
            )
        )
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    number = hq.cases.get_case(case_id).number

    summary = hq.exchange.transfer_cases([number], "DXB", tmp_path / "t.qbundle")
    dxb.exchange.import_bundle(tmp_path / "t.qbundle")
    sel.exchange.import_bundle(summary.notices[0].path)

    for site in (dxb, sel):
        with site.ws.read() as session:
            assert session.get(Case, case_id).holder_mission == "DXB"
    dxb.cases.add_event(case_id, "call", "Handled in Dubai.")


def test_a_second_transfer_under_the_same_name_keeps_the_first_notice(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    """The save dialog asks before the transfer's own file is replaced, never about the
    notice beside it, which may not have been sent yet."""
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    first, second = sorted(sel.cases.list_cases(CaseFilter(), 0, 2), key=lambda c: c.number)

    one = hq.exchange.transfer_cases([first.number], "DXB", tmp_path / "t.qbundle")
    two = hq.exchange.transfer_cases([second.number], "DXB", tmp_path / "t.qbundle")

    assert [n.path.name for n in (*one.notices, *two.notices)] == [
        "t.notice-SEL.qbundle",
        "t.notice-SEL-2.qbundle",
    ]
    for notice in (*one.notices, *two.notices):
        sel.exchange.import_bundle(notice.path)
    assert all(not sel.cases.can_change(sel.cases.get_case(c.id)) for c in (first, second))


def test_a_mission_whose_key_is_unknown_is_named_for_the_operator_to_tell(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    moved = sel.cases.list_cases(CaseFilter(), 0, 1)[0]
    with hq.ws.write() as session:
        session.execute(
            Mission.__table__.update().where(Mission.code == "SEL").values(age_recipient="")
        )

    summary = hq.exchange.transfer_cases([moved.number], "DXB", tmp_path / "t.qbundle")

    assert summary.notices == ()
    (warning,) = summary.warnings
    assert "SEL was not told" in warning and moved.number in warning
    assert sorted(p.name for p in tmp_path.glob("t*.qbundle")) == ["t.qbundle"]


def test_a_case_is_not_transferred_to_the_mission_holding_it(sel: Site, hq: Site, tmp_path):
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    number = sel.cases.list_cases(CaseFilter(), 0, 1)[0].number

    with pytest.raises(ValidationError, match="already handled by SEL"):
        hq.exchange.transfer_cases([number], "SEL", tmp_path / "t.qbundle")

    assert not list(tmp_path.glob("t*.qbundle"))


def test_agreement_library_goes_to_every_mission(sel: Site, dxb: Site, hq: Site, tmp_path):
    ensure_library(hq.ws)  # the shipped library, sent once: what follows is a change to it
    hq.exchange.export_agreements(tmp_path / "shipped.qbundle")
    with hq.ws.write() as session:
        agreement = Agreement(
            slug="kz-uz-2019",
            kind="agreement",
            title_en="Agreement on labour activity (Uzbekistan)",
            status="in_force",
            parties=["KZ", "UZ"],
            verified=True,
        )
        session.add(agreement)
        session.flush()
        session.add(
            AgreementProvision(
                agreement_id=agreement.id, slug="art-5", article="5", summary_en="Equal pay."
            )
        )

    summary = hq.exchange.export_agreements(tmp_path / "lib.qbundle")

    assert summary.counts == {"agreement": 1, "agreement_provision": 1}
    for mission in (sel, dxb):
        report = mission.exchange.import_bundle(tmp_path / "lib.qbundle")
        assert report.new == 2
        assert count(mission, AgreementProvision, AgreementProvision.slug == "art-5") == 1
    again = hq.exchange.export_agreements(tmp_path / "lib2.qbundle")
    assert again.counts == {}


def test_hqs_first_library_bundle_carries_the_library_and_conflicts_with_no_copy(
    sel: Site, dxb: Site, hq: Site, tmp_path
):
    """The faults: an HQ whose library nobody had opened sent an empty bundle ("0 records"),
    which the missions imported as a success; and a mission that had opened its own library
    (seeded from the same shipped file, the same ids and versions) met every row as a conflict,
    58 of them, differing only in the mission that seeded it."""
    # An HQ in a file seeds its library when first needed (nobody had opened it here); an HQ
    # on a server at init, for its analysts may write nothing.
    assert (count(hq, Agreement) > 0) == hq.ws.on_server
    ensure_library(sel.ws)  # SEL's officers had opened the Agreements area; DXB's had not
    summary = hq.exchange.export_agreements(tmp_path / "lib.qbundle", all_changes=True)
    shipped = count(hq, Agreement)
    assert shipped > 10 and summary.counts["agreement"] == shipped
    seen = sel.exchange.import_bundle(tmp_path / "lib.qbundle")
    assert (seen.conflicts, seen.new, seen.updated) == (0, 0, 0)
    assert seen.unchanged == sum(summary.counts.values())
    fresh = dxb.exchange.import_bundle(tmp_path / "lib.qbundle")
    assert fresh.conflicts == 0 and fresh.new == sum(summary.counts.values())
    assert count(dxb, Agreement) == shipped


def test_only_hq_transfers_and_sends_the_library(sel: Site, tmp_path):
    with pytest.raises(Exception, match="headquarters"):
        sel.exchange.export_agreements(tmp_path / "x.qbundle")


def _take_hq_identity(hq: Site, remove: bool) -> bytes:
    """HQ's age identity where HQ keeps it: in its database file, or on the workstation (an HQ
    on a server never puts it in the database); ``remove`` takes it away from there."""
    data_dir, database_id = hq.paths.data_dir, hq.ws.database_id
    kept = workstation_secret(data_dir, database_id, AGE_IDENTITY, hq.exchange.store)
    if kept is not None:
        if remove:
            hq.exchange.store.delete(entry_name(database_id, AGE_IDENTITY))
            secrets_file(data_dir).unlink(missing_ok=True)
        return kept
    with hq.ws.write() as session:
        row = session.get(LocalSecret, AGE_IDENTITY)
        assert row is not None
        if remove:
            session.delete(row)
        return bytes(row.value)


@pytest.mark.skipif(shutil.which("age") is None, reason="the age command-line tool is absent")
def test_hq_decrypts_a_bundle_with_the_age_tool(sel: Site, hq: Site, tmp_path):
    out = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(out, [hq.recipient])
    identity = _take_hq_identity(hq, remove=False)
    key_file = tmp_path / "key.txt"
    key_file.write_bytes(identity + b"\n")

    result = subprocess.run(
        ["age", "-d", "-i", str(key_file), str(out)], capture_output=True, check=True, timeout=30
    )

    with zipfile.ZipFile(io.BytesIO(result.stdout)) as archive:
        names = archive.namelist()
    assert names[:2] == ["manifest.json", "manifest.sig"]
    assert "records/case.jsonl" in names


def test_import_with_an_identity_file(sel: Site, hq: Site, tmp_path):
    out = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(out, [hq.recipient])
    identity = _take_hq_identity(hq, remove=True)  # as if HQ kept its identity elsewhere
    key_file = tmp_path / "key.txt"
    key_file.write_bytes(b"# HQ identity\n" + identity + b"\n")

    report = hq.exchange.import_bundle(out, identity_file=key_file)

    assert report.per_entity["case"]["new"] == 6


def test_an_identity_file_that_is_not_one_is_refused_without_quoting_it(
    sel: Site, hq: Site, tmp_path
):
    """The fault: a binary file given as ``--identity`` was refused with Python's decoding
    error, which quotes the file's bytes ("can't decode byte 0xff in position 0"), and a
    file of any size was read whole first."""
    out = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(out, [hq.recipient])
    for content in (b"\xff\xfe secret", b"secret" * 20_000):
        key_file = tmp_path / "key.txt"
        key_file.write_bytes(content)
        with pytest.raises(NotAnIdentityFile) as refused:
            hq.exchange.import_bundle(out, identity_file=key_file)
        assert str(refused.value).startswith("This file is not an age identity file")
        assert "secret" not in str(refused.value) and "0xff" not in str(refused.value)
    assert hq.exchange.exchange_log() == []


def test_library_update_keeps_the_missions_own_notes(sel: Site, hq: Site, tmp_path):
    def add_library(site: Site, title: str) -> None:
        with site.ws.write() as session:
            session.add(
                Agreement(
                    id="00000000-0000-4000-8000-00000000a001",
                    slug="kz-qa-2024",
                    kind="agreement",
                    title_en=title,
                    status="in_force",
                    parties=["KZ", "QA"],
                    verified=False,
                )
            )

    add_library(hq, "Agreement with Qatar")
    hq.exchange.export_agreements(tmp_path / "lib1.qbundle")
    sel.exchange.import_bundle(tmp_path / "lib1.qbundle")
    with sel.ws.write() as session:
        mine = session.get(Agreement, "00000000-0000-4000-8000-00000000a001")
        mine.mission_notes = "Doha labour court accepts this agreement in filings."
    with hq.ws.write() as session:
        theirs = session.get(Agreement, "00000000-0000-4000-8000-00000000a001")
        theirs.title_en = "Agreement on the employment of Kazakhstani workers (Qatar)"
        theirs.version = 10  # HQ's edit is clearly newer than the mission's note
    hq.exchange.export_agreements(tmp_path / "lib2.qbundle")
    report = sel.exchange.import_bundle(tmp_path / "lib2.qbundle")
    assert report.per_entity["agreement"]["updated"] == 1
    with sel.ws.read() as session:
        row = session.get(Agreement, "00000000-0000-4000-8000-00000000a001")
        assert row.title_en.startswith("Agreement on the employment")
        assert row.mission_notes == "Doha labour court accepts this agreement in filings."


def replied_letter(sel: Site) -> str:
    """An employer letter issued at ``sel`` today, answered with a scan; its id."""
    case_id = first_case_id(sel)
    ws = sel.ws
    with ws.write() as session:  # a letterhead to print
        mission = session.execute(select(Mission).where(Mission.code == "SEL")).scalar_one()
        mission.name_en = MISSION.name_en
    consul = Workspace(
        ws.paths,
        ws.db,
        Actor("consul", Role.CONSUL, "Consul"),
        ws.mission,
        ws.database_id,
        check_account=False,
    )
    sent = date.today()
    letters = LetterService(ws, today=sent)
    draft = letters.draft(case_id, "employer_letter", "en")
    LetterService(consul, today=sent).approve(draft.id)
    letter = letters.issue(draft.id)
    letters.record_reply(
        letter.id, sent, "Employer's lawyer", "Disputes the claim.", ("reply.pdf", b"%PDF scan")
    )
    return letter.id


def test_a_reply_and_its_scan_reach_hq_and_show_in_its_register(
    sel: Site, hq: Site, tmp_path: Path
) -> None:
    letter_id = replied_letter(sel)
    case_id = first_case_id(sel)
    sent = date.today()
    out = tmp_path / "sel.qbundle"

    sel.exchange.export_cases(out, [hq.recipient])
    report = hq.exchange.import_bundle(out)

    assert report.conflicts == 0
    with hq.ws.read() as session:
        entry = session.execute(
            select(CaseEvent).where(CaseEvent.kind == "reply_received")
        ).scalar_one()
        scan = session.get(Attachment, entry.data["attachment_id"])
        assert scan is not None and scan.content == b"%PDF scan"
    assert (entry.case_id, entry.origin_mission, entry.text) == (
        case_id,
        "SEL",
        "Disputes the claim.",
    )
    at_hq = LetterService(hq.ws).list_letters(LetterFilter(case_id=case_id))
    replied = next(info for info in at_hq if info.id == letter_id)
    assert replied.reply is not None
    assert (replied.reply.sender, replied.reply.received_on) == ("Employer's lawyer", sent)
    assert not replied.awaits_reply


def test_an_hq_older_than_reply_entries_refuses_the_bundle_and_writes_nothing(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As docs/bundle-format.md says: a code the reader's schema lacks refuses the bundle,
    naming the field; the format version stays 1."""
    replied_letter(sel)
    out = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(out, [hq.recipient])
    known = records.code_columns()
    older = {**known, "case_event": {**known["case_event"]}}
    older["case_event"]["kind"] = tuple(
        k for k in known["case_event"]["kind"] if k != "reply_received"
    )
    monkeypatch.setattr(records, "code_columns", lambda: older)
    package._record_validator.cache_clear()
    package._record_check.cache_clear()
    before = table_dump(hq)
    try:
        with pytest.raises(BundleRefused, match=r"records/case_event\.jsonl .*kind: not one of"):
            hq.exchange.import_bundle(out)
    finally:
        package._record_validator.cache_clear()
        package._record_check.cache_clear()
    assert table_dump(hq) == before
