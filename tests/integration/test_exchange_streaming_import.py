"""An import holds a batch of records at a time and stages its merge outside the write lock:
the bundle's records are read again from the encrypted spool at each pass, the rows to write
wait in an encrypted staging database attached for the import, and only the final transaction
takes the write lock. A refusal at any point leaves the data folder as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, true

from app.db.models import Case, Person
from app.errors import DatabaseBusy, PermissionDenied
from app.exchange import merge, ownership, staging
from app.exchange.package import BundleRefused, RecordStream
from app.services import exchange as exchange_service
from app.services import index_later
from app.services.cases import CaseService
from app.services.installation import unlock
from app.services.records import CaseChanges
from app.services.users import UserService
from tests.builders import new_case
from tests.conftest import PASSWORD
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site
from tests.security.forge import Forger, new_id, records_of, unchanged

sites, hq, sel = shared.sites, shared.hq, shared.sel
pytestmark = pytest.mark.both_engines(slow=True)


def _stage_files(site: Site) -> list[Path]:
    return sorted(site.paths.data_dir.glob(".qorgau-stage-*"))


def _records_reachable(root: object, limit: int = 200_000) -> int:
    """How many bundle records (dicts with a version and an origin) ``root`` keeps alive."""
    seen: set[int] = set()
    found = 0
    todo: list[Any] = [root]
    while todo and len(seen) < limit:
        item = todo.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen.add(id(item))
        if isinstance(item, dict) and "origin_mission" in item and "version" in item:
            found += 1
        todo.extend(gc.get_referents(item))
    return found


def test_the_read_bundle_keeps_no_records_and_reads_them_again_each_pass(
    sel: Site, hq: Site, tmp_path: Path
) -> None:
    bundle_path = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    bundle = hq.exchange.read(bundle_path)
    try:
        cases = bundle.records["case"]
        assert isinstance(cases, RecordStream) and len(cases) > 0
        assert _records_reachable(bundle) == 0  # nothing parsed is held between passes
        first, second = list(cases), list(cases)
        assert first == second and len(first) == len(cases)
        assert first[0] is not second[0]  # parsed again, not kept
        batches = list(bundle.records["person"].batches(2))
        assert all(len(b) <= 2 for b in batches)
    finally:
        bundle.close()


@pytest.mark.sqlcipher_only
def test_others_save_while_the_plan_stages_its_rows(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staged rows are written before the write transaction, on the import's connection,
    and take no lock on the database: a second connection saves in between."""
    with sel.ws.read() as session:
        case_ids = list(session.execute(select(Case.id).order_by(Case.number)).scalars())
    first = sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(first.path)
    sel.cases.update_case(case_ids[0], CaseChanges(description="Changed at the mission."))
    bundle = sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient]).path
    officer = unlock(hq.paths, "admin", PASSWORD)
    original = merge.Planner.add
    observed: list[tuple[bool, int, int]] = []
    plans: list[merge.MergePlan] = []
    saved: list[str] = []

    def plan_then_save(planner: merge.Planner, entity: Any, *args: Any) -> None:
        original(planner, entity, *args)
        plans.append(planner.plan)
        if entity.name == "case":
            planned = planner.plan.entities[-1]
            staged = planner.session.execute(select(planned.changed.c.id)).scalars().all()
            observed.append((hq.write_lock_is_free(), len(staged), len(_stage_files(hq))))
            # A save at HQ (its own case: the missions' it does not change).
            saved.append(CaseService(officer).create_case(new_case()).id)

    monkeypatch.setattr(merge.Planner, "add", plan_then_save)
    try:
        report = hq.exchange.import_bundle(bundle)
    finally:
        officer.close()
    assert observed == [(True, 1, 1)]  # lock free, the changed case staged, in its own file
    assert report.updated >= 1 and report.conflicts == 0
    assert hq.cases.get_case(case_ids[0]).description == "Changed at the mission."
    assert hq.cases.get_case(saved[0]).number.startswith("AST-")
    assert _stage_files(hq) == []  # detached and deleted
    assert all(_records_reachable(p) == 0 for p in plans)  # the plan holds no column values


@pytest.mark.sqlcipher_only
def test_the_staging_file_is_encrypted(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = "Distinctive-staging-marker-4417"
    with sel.ws.read() as session:
        case_id = session.execute(select(Case.id).limit(1)).scalar_one()
    sel.cases.update_case(case_id, CaseChanges(description=marker * 200))
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    original = exchange_service.ExchangeService._write_import
    contents: list[bytes] = []

    def look_before_writing(self: Any, work: Any, *args: Any) -> Any:
        contents.extend(path.read_bytes() for path in _stage_files(hq))
        return original(self, work, *args)

    monkeypatch.setattr(exchange_service.ExchangeService, "_write_import", look_before_writing)
    hq.exchange.import_bundle(bundle)
    assert len(contents) == 1 and len(contents[0]) > 0
    assert marker.encode() not in contents[0] and b"SQLite format" not in contents[0]
    assert hq.cases.get_case(case_id).description == marker * 200


def _all_records(site: Site) -> dict[str, list[dict[str, Any]]]:
    names = ("mission", "person", "employer", "recruitment_agency", "case", "case_event")
    return {name: records_of(site, name, true()) for name in names}


def test_a_record_refused_late_in_the_stream_changes_nothing(
    sel: Site, hq: Site, tmp_path: Path
) -> None:
    """Every record but the very last is good; the last event points at a case that exists
    nowhere. The refusal comes after every earlier record was checked, and nothing stays."""
    records = _all_records(sel)
    records["mission"] = [r for r in records["mission"] if r["code"] == sel.ws.mission_code]
    last = dict(records["case_event"][-1], id=new_id(), case_id=new_id())
    records["case_event"].append(last)
    bundle = Forger(sel).bundle(tmp_path / "late.qbundle", records, [hq.recipient])
    with unchanged(hq), pytest.raises(BundleRefused, match="neither in the bundle nor"):
        hq.exchange.import_bundle(bundle)
    assert _stage_files(hq) == []
    del records["case_event"][-1]
    good = Forger(sel).bundle(tmp_path / "good.qbundle", records, [hq.recipient])
    assert hq.exchange.import_bundle(good).new > 0


def test_a_failure_while_staging_rows_changes_nothing(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    original = merge.Planner.add
    planned: list[str] = []

    def fail_after_the_cases(planner: merge.Planner, entity: Any, *args: Any) -> None:
        planned.append(entity.name)
        if entity.name == "case_event":
            raise BundleRefused("refused while staging")
        original(planner, entity, *args)

    monkeypatch.setattr(merge.Planner, "add", fail_after_the_cases)
    with unchanged(hq), pytest.raises(BundleRefused, match="refused while staging"):
        hq.exchange.import_bundle(bundle)
    assert "case" in planned  # the cases' rows were staged before the failure
    monkeypatch.setattr(merge.Planner, "add", original)
    assert hq.exchange.import_bundle(bundle).new > 0


def _batches_seen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    original = RecordStream.batches

    def counted(self: RecordStream, size: int) -> Iterator[list[dict[str, Any]]]:
        for batch in original(self, size):
            sizes.append(len(batch))
            yield batch

    monkeypatch.setattr(RecordStream, "batches", counted)
    return sizes


def test_the_plan_reads_records_a_batch_at_a_time(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(merge, "CHUNK", 3)
    monkeypatch.setattr(ownership, "CHUNK", 3)
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    sizes = _batches_seen(monkeypatch)
    report = hq.exchange.import_bundle(bundle)
    assert report.new > 3 and sizes and max(sizes) == 3
    with hq.ws.read() as session:
        assert session.execute(select(Case.id)).first() is not None


def _a_case(site: Site) -> Any:
    with site.ws.read() as session:
        case_id = session.execute(select(Case.id).order_by(Case.number).limit(1)).scalar_one()
    return site.cases.get_case(case_id)


def _found(site: Site, case: Any) -> bool:
    return case.number in [r.number for r in site.cases.search(case.number)]


def test_the_search_index_is_written_after_the_records_a_batch_at_a_time(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records' write transaction does not index them; the index follows in batches, each
    its own transaction, and another connection saves between two batches."""
    monkeypatch.setattr(index_later, "INDEX_BATCH", 2)
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    original = index_later.index_cases
    free: list[bool] = []

    on_file = hq.ws.db.dialect == "sqlite"
    # Looked at as each write transaction begins: inside it the batch holds its own lock (the
    # session's first statement, the account's check, takes it).
    begin_write, at_begin = hq.ws.write, [True]

    def look_then_write() -> Any:
        at_begin[0] = hq.write_lock_is_free() if on_file else True
        return begin_write()

    def index_then_look(session: Any, case_ids: Any) -> None:
        free.append(at_begin[0])
        original(session, case_ids)

    monkeypatch.setattr(hq.ws, "write", look_then_write)
    monkeypatch.setattr(index_later, "index_cases", index_then_look)
    hq.exchange.import_bundle(bundle)
    with sel.ws.read() as session:
        cases = len(session.execute(select(Case.id)).all())
    assert len(free) == (cases + 1) // 2  # one transaction per two cases
    assert all(free)  # no lock held before each batch's own write
    assert _found(hq, _a_case(sel))


@contextmanager
def _indexing_fails(monkeypatch: pytest.MonkeyPatch, error: Exception) -> Iterator[None]:
    """``index_cases`` raises ``error`` inside the block."""
    original = index_later.index_cases

    def failing(session: Any, case_ids: Any) -> None:
        raise error

    monkeypatch.setattr(index_later, "index_cases", failing)
    try:
        yield
    finally:
        monkeypatch.setattr(index_later, "index_cases", original)


def test_an_import_cut_short_before_its_index_is_indexed_by_the_next(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    case = _a_case(sel)
    with _indexing_fails(monkeypatch, RuntimeError("the process died here")):
        with pytest.raises(RuntimeError):
            hq.exchange.import_bundle(bundle)
    assert hq.cases.get_case(case.id).number == case.number  # the records are in
    assert not _found(hq, case)  # not searchable yet
    again = hq.exchange.import_bundle(bundle)  # already imported: the range is indexed anyway
    assert again.already_imported
    assert _found(hq, case)


def test_a_busy_database_after_the_records_leaves_them_imported_with_a_warning(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Busy while indexing: the import is not reported as failed (its records are in), it
    says the cases are not searchable yet, and the next import indexes them."""
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    case = _a_case(sel)
    with _indexing_fails(monkeypatch, DatabaseBusy("busy")):
        report = hq.exchange.import_bundle(bundle)
    assert report.new > 0 and any("not yet found by search" in w for w in report.warnings)
    assert not _found(hq, case)
    assert hq.exchange.import_bundle(bundle).already_imported
    assert _found(hq, case)


def test_a_catch_up_told_to_stop_leaves_the_rest_for_the_next(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped between two batches (the app closing), the catch-up keeps the range pending:
    the next one indexes it whole."""
    monkeypatch.setattr(index_later, "INDEX_BATCH", 2)
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    with _indexing_fails(monkeypatch, DatabaseBusy("busy")):
        hq.exchange.import_bundle(bundle)
    asked: list[int] = []

    def closing() -> bool:
        asked.append(1)
        return True

    assert hq.exchange.index_pending(stop=closing) == 2  # one batch, then asked
    assert asked == [1]
    with sel.ws.read() as session:
        cases = len(session.execute(select(Case.id)).all())
    assert hq.exchange.index_pending() == cases
    assert all(_found(hq, case) for case in sel.cases.list_cases())
    assert hq.exchange.index_pending() == 0


def test_what_a_busy_import_left_unindexed_is_indexed_without_another_import(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desktop's catch-up after sign-in (``index_pending``): no import needed; once done,
    nothing is left pending; a role that imports nothing may not run it."""
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    case = _a_case(sel)
    with _indexing_fails(monkeypatch, DatabaseBusy("busy")):
        hq.exchange.import_bundle(bundle)
    assert not _found(hq, case)
    with sel.ws.read() as session:
        cases = len(session.execute(select(Case.id)).all())
    assert hq.exchange.index_pending() == cases
    assert _found(hq, case)
    assert hq.exchange.index_pending() == 0
    UserService(sel.ws).add("aigul", "attache", PASSWORD)
    attache = unlock(sel.paths, "aigul", PASSWORD)  # imports nothing
    try:
        with pytest.raises(PermissionDenied):
            exchange_service.ExchangeService(attache).index_pending()
    finally:
        attache.close()


def test_the_checks_and_the_plan_read_each_member_once(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the bundle is read and checked, ownership, references and the merge plan take its
    records in one pass: each member is parsed from the spool once more (it was four passes,
    and two more over the cases and the records others refer to)."""
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    passes: dict[str, int] = {}
    original = RecordStream.__iter__

    def counted(self: RecordStream) -> Iterator[dict[str, Any]]:
        passes[self.entity] = passes.get(self.entity, 0) + 1
        yield from original(self)

    monkeypatch.setattr(RecordStream, "__iter__", counted)
    report = hq.exchange.import_bundle(bundle)
    assert report.new > 0
    assert {"person", "case", "case_event"} <= set(passes)
    assert set(passes.values()) == {1}


def test_ownership_is_refused_before_a_reference_found_missing_earlier_in_the_pass(
    sel: Site, hq: Site, tmp_path: Path
) -> None:
    """A case points at a person that exists nowhere, and a later event claims to come from
    another mission: the pass meets the dangling reference first, but the refusal names the
    record the signer may not write, as when ownership had a pass of its own before."""
    records = _all_records(sel)
    records["mission"] = [r for r in records["mission"] if r["code"] == sel.ws.mission_code]
    records["case"][0] = dict(records["case"][0], person_id=new_id())
    records["case_event"].append(dict(records["case_event"][-1], id=new_id(), origin_mission="DXB"))
    bundle = Forger(sel).bundle(tmp_path / "both.qbundle", records, [hq.recipient])
    with unchanged(hq), pytest.raises(BundleRefused, match="claims to come from DXB"):
        hq.exchange.import_bundle(bundle)
    del records["case_event"][-1]
    dangling = Forger(sel).bundle(tmp_path / "dangling.qbundle", records, [hq.recipient])
    with unchanged(hq), pytest.raises(BundleRefused, match="neither in the bundle nor"):
        hq.exchange.import_bundle(dangling)


def test_a_first_bundle_asks_for_each_of_its_records_once(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ownership check looks up each record of the bundle in its own batch; what refers
    to one this database did not hold (a first bundle's persons and cases) does not ask for
    it again, batch after batch."""
    monkeypatch.setattr(merge, "CHUNK", 3)
    monkeypatch.setattr(ownership, "CHUNK", 3)
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    asked: dict[str, list[str]] = {}
    load, cases = ownership.OwnershipCheck._load, ownership.OwnershipCheck._cases

    def counted_load(check: Any, entity: str, ids: list[str]) -> Any:
        asked.setdefault(entity, []).extend(ids)
        return load(check, entity, ids)

    def counted_cases(check: Any, case_ids: Any) -> Any:
        wanted = list(case_ids)
        asked.setdefault("case", []).extend(wanted)
        return cases(check, wanted)

    # The pass reads each batch's copies once for the ownership check and the plan.
    read_in_pass = staging.local_records

    def counted_pass(session: Any, codec: Any, ids: Any) -> Any:
        wanted = list(ids)
        asked.setdefault(codec.entity.name, []).extend(wanted)
        return read_in_pass(session, codec, wanted)

    monkeypatch.setattr(ownership.OwnershipCheck, "_load", counted_load)
    monkeypatch.setattr(ownership.OwnershipCheck, "_cases", counted_cases)
    monkeypatch.setattr(staging, "local_records", counted_pass)
    report = hq.exchange.import_bundle(bundle)
    with hq.ws.read() as session:
        case_ids = set(session.execute(select(Case.id)).scalars())
        person_ids = set(session.execute(select(Person.id)).scalars())
    assert report.new > 3 and len(case_ids) == 6
    assert sorted(asked["case"]) == sorted(case_ids)  # each once, in the cases' own batches
    assert sorted(asked["person"]) == sorted(person_ids)
