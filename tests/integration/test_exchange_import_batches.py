"""A large import on SQLCipher writes its new rows in bounded batches before its final
transaction, so that another user's save or sign-in never waits for all of it: the same
records as one transaction, the write lock free between two batches, nothing left behind when
it fails, and one import of a mission's bundles written at a time."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db.models import AuditEntry, Base, Case, Counter, Mission
from app.exchange.package import BundleRefused
from app.exchange.records import ENTITIES
from app.services import exchange as exchange_service
from app.services.changes import DataChanged
from app.services.exchange import CLAIM_STALE_MS, IMPORT_CLAIM
from app.services.installation import unlock
from app.services.workspace import Staged
from tests.conftest import PASSWORD
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site

sites, hq, sel = shared.sites, shared.hq, shared.sel

ROWS = 4  # rows per batch: SEL's six demo cases are some sixty rows


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pause between two batches is for other users; here it would only wait."""
    monkeypatch.setattr(exchange_service, "BETWEEN_WRITES_S", 0.0)


def write_in_small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every import written in batches of ``ROWS`` rows, however small and fast."""
    monkeypatch.setattr(exchange_service, "BATCHED_FROM", 1)
    monkeypatch.setattr(exchange_service, "ROWS_PER_WRITE", ROWS)
    monkeypatch.setattr(exchange_service, "MAX_ROWS_PER_WRITE", ROWS)


@pytest.fixture
def in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    write_in_small_batches(monkeypatch)


# What an import writes, as another installation holds it: the records and what follows
# them (case lists, per-day counts, the search index), not the change numbers, which are each
# installation's own; the log, the audit trail and the sign-ins name their moment.
_WRITTEN = [e.name for e in ENTITIES if e.name != "mission"] + [
    "case_category",
    "case_ilo_indicator",
    "case_day_stat",
    "sync_conflict",
]


def records(site: Site) -> dict[str, list[tuple[Any, ...]]]:
    tables = Base.metadata.tables
    with site.ws.read() as session:
        found = {
            name: sorted(
                (
                    tuple(row)
                    for row in session.execute(
                        select(*(c for c in tables[name].columns if c.name != "change_seq"))
                    )
                ),
                key=repr,
            )
            for name in _WRITTEN
        }
        found["search_index"] = sorted(
            tuple(row) for row in session.execute(text("SELECT ref_id, body FROM search_index"))
        )
    # A day's count taken away again stays as a row of zeros: the same figures.
    at = list(tables["case_day_stat"].c.keys()).index("n")
    found["case_day_stat"] = [row for row in found["case_day_stat"] if row[at]]
    return found


def copy_of(site: Site, folder: Path) -> Site:
    """Another installation with the same data as ``site`` now (its file copied)."""
    site.ws.db.checkpoint()
    shutil.copytree(site.paths.data_dir, folder / "data")
    paths = type(site.paths)(folder / "data")
    return Site(paths, unlock(paths, "admin", PASSWORD))


@contextmanager
def before_each_write(
    monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]
) -> Iterator[list[int]]:
    """Run ``action`` before each write transaction the import opens (each batch, then the
    final one); yields the list of how many such transactions began."""
    original = Staged.write
    began: list[int] = []

    def write(self: Staged) -> AbstractContextManager[Session]:
        action()
        began.append(len(began) + 1)
        return original(self)

    monkeypatch.setattr(Staged, "write", write)
    yield began


def _cases(site: Site) -> int:
    return shared.count(site, Case)


def test_an_import_in_batches_writes_what_one_transaction_writes(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = shared.first_case_id(sel)
    sel.cases.add_attachment(case_id, "contract.pdf", b"%PDF-1.4 scan " * 50, "application/pdf")
    bundle = sel.exchange.export_cases(tmp_path / "b.qbundle", [hq.recipient]).path
    whole = copy_of(hq, tmp_path / "whole")
    try:
        at_once = whole.exchange.import_bundle(bundle)
        expected = records(whole)
    finally:
        whole.ws.close()

    write_in_small_batches(monkeypatch)
    heard: list[DataChanged] = []
    hq.ws.changes.subscribe(heard.append)
    with before_each_write(monkeypatch, lambda: None) as began:
        report = hq.exchange.import_bundle(bundle)

    # A write transaction per batch of the rows the bundle adds, then the final one.
    assert len(began) >= at_once.new // ROWS + 1 > 10
    assert report.per_entity == at_once.per_entity and report.new == at_once.new
    assert records(hq) == expected  # cases, their lists, files, day counts, search index
    # The window's views hear of it once, when it is all in: not at each batch.
    (arrived,) = [change for change in heard if change.touches("case")]
    assert len(arrived.case_ids) == 6
    assert {"person", "case_event", "attachment"} <= arrived.tables
    assert shared.count(hq, Counter, Counter.name.startswith(IMPORT_CLAIM)) == 0
    assert hq.cases.get_case(case_id).attachments[0].filename == "contract.pdf"
    # Imported again: already there, nothing written.
    assert hq.exchange.import_bundle(bundle).already_imported


def test_another_user_saves_between_two_batches(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_batches: None
) -> None:
    bundle = sel.exchange.export_cases(tmp_path / "b.qbundle", [hq.recipient]).path
    officer = unlock(hq.paths, "admin", PASSWORD)
    seen: list[tuple[bool, int]] = []

    def save() -> None:
        # The lock taken at once (no waiting), and a save written, while the import is under way.
        free = hq.write_lock_is_free()
        with officer.write() as session:
            session.merge(Counter(name="saved_during_import", value=len(seen) + 1))
        with officer.read() as session:
            cases = session.execute(select(Case.id)).all()
        seen.append((free, len(cases)))

    try:
        with before_each_write(monkeypatch, save):
            hq.exchange.import_bundle(bundle)
    finally:
        officer.close()

    assert all(free for free, _cases_seen in seen)
    # Saves before the cases arrived, while they arrived, and after all of them had.
    arriving = [n for _free, n in seen]
    assert arriving[0] == 0 and arriving[-1] == 6 and any(0 < n < 6 for n in arriving)
    assert _cases(hq) == 6


def test_an_import_that_fails_after_its_batches_leaves_nothing_behind(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_batches: None
) -> None:
    bundle = sel.exchange.export_cases(tmp_path / "b.qbundle", [hq.recipient]).path
    before = records(hq)

    def failing(*args: Any) -> Any:
        raise OSError("disk full")

    with monkeypatch.context() as failure, pytest.raises(OSError):
        failure.setattr(exchange_service, "apply_plan", failing)
        hq.exchange.import_bundle(bundle)
    assert records(hq) == before  # cases, people, day counts, search index as they were
    assert shared.count(hq, Counter, Counter.name.startswith("import_")) == 0

    report = hq.exchange.import_bundle(bundle)
    assert report.new > 0 and _cases(hq) == 6


def test_one_import_of_a_missions_bundles_is_written_at_a_time(
    sel: Site, hq: Site, tmp_path: Path, in_batches: None
) -> None:
    """While one bundle of SEL's is being written in batches (its claim fresh), another of
    SEL's bundles is refused, naming why; a claim an import cut short left (stale) is not."""
    bundle = sel.exchange.export_cases(tmp_path / "b.qbundle", [hq.recipient]).path
    now = int(datetime.now(UTC).timestamp() * 1000)
    with hq.ws.write() as session:
        session.add(Counter(name=IMPORT_CLAIM + "SEL", value=now))
    before = records(hq)
    with pytest.raises(BundleRefused, match="being imported right now"):
        hq.exchange.import_bundle(bundle)
    assert records(hq) == before

    with hq.ws.write() as session:
        session.merge(Counter(name=IMPORT_CLAIM + "SEL", value=now - CLAIM_STALE_MS - 1))
    assert hq.exchange.import_bundle(bundle).new > 0
    assert shared.count(hq, Counter, Counter.name.startswith(IMPORT_CLAIM)) == 0


def test_a_change_between_batches_to_what_the_plan_relied_on_plans_again(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_batches: None
) -> None:
    """Any mission's record changed meanwhile makes the final transaction plan again; the
    batches' rows are then on file, and still counted as the bundle's new records."""
    bundle = sel.exchange.export_cases(tmp_path / "b.qbundle", [hq.recipient]).path
    officer = unlock(hq.paths, "admin", PASSWORD)
    planned: list[int] = []
    original = exchange_service.check_and_plan

    def planning(*args: Any, **kwargs: Any) -> Any:
        planned.append(1)
        return original(*args, **kwargs)

    def change_a_mission() -> None:
        if len(began) == 2:
            with officer.write() as session:
                row = session.execute(select(Mission).where(Mission.code == "AST")).scalar_one()
                row.phone = "+7 7172 00 00 00"

    monkeypatch.setattr(exchange_service, "check_and_plan", planning)
    try:
        with before_each_write(monkeypatch, change_a_mission) as began:
            report = hq.exchange.import_bundle(bundle)
    finally:
        officer.close()
    assert len(planned) == 2  # planned again under the lock
    assert report.new > 0 and report.unchanged == 0 and _cases(hq) == 6


def test_a_batch_is_filled_from_what_each_entitys_rows_cost() -> None:
    """Fewer, larger batches write less (each commit writes again the index pages its rows
    touch), so each is filled to about ``BATCH_SECONDS`` from how long each entity's rows
    took; an entity not yet seen is taken to cost as much as the dearest seen, and a write is
    at most twice the entity's last."""
    pace = exchange_service._Pace()
    first = exchange_service.ROWS_PER_WRITE
    assert pace.rows("person", 0.6) == first  # nothing known yet
    pace.took("person", first, 0.06)  # 30 µs a person
    assert pace.rows("person", 0.6) == 2 * first  # at most twice the last
    pace.took("person", 2 * first, 0.12)
    assert pace.rows("person", 0.15) == 5_000
    assert pace.rows("person", 0.6) == 8_000  # 20,000 would fit: twice the last
    assert pace.rows("case", 0.6) == first  # unseen: as dear as a person, no more than the first
    pace.took("case", first, 0.2)  # 100 µs a case
    assert pace.rows("employer", 0.6) == first  # unseen: as dear as a case
    assert pace.rows("case", 0.1) == 1_000
    assert pace.rows("case", 0.0) == 1


def test_an_import_cut_short_between_batches_is_taken_back_after_the_next_sign_in(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_batches: None
) -> None:
    """The laptop switched off after some batches: nothing took them back then. For two
    minutes another import of SEL's bundles is refused (the first may still be writing); then
    the next import, or an importer's sign-in, takes them out, and the bundle imports whole."""
    bundle = sel.exchange.export_cases(tmp_path / "b.qbundle", [hq.recipient]).path
    before = records(hq)

    def cut_short(*args: Any) -> Any:
        raise OSError("power lost")

    with monkeypatch.context() as crash:
        crash.setattr(exchange_service.ExchangeService, "_take_back", lambda *args: None)
        crash.setattr(exchange_service, "apply_plan", cut_short)
        with pytest.raises(OSError):
            hq.exchange.import_bundle(bundle)
    assert 0 < _cases(hq) and shared.count(hq, Counter, Counter.name.startswith(IMPORT_CLAIM))
    with pytest.raises(BundleRefused, match="being imported right now"):
        hq.exchange.import_bundle(bundle)

    with hq.ws.write() as session:  # two minutes on
        claim = session.execute(
            select(Counter).where(Counter.name == IMPORT_CLAIM + "SEL")
        ).scalar_one()
        claim.value -= CLAIM_STALE_MS
    hq.exchange.index_pending()  # what the desktop runs after an importer signs in
    assert records(hq) == before
    taken_back = AuditEntry.action == "bundle.import_taken_back"
    assert shared.count(hq, AuditEntry, taken_back, AuditEntry.entity_id == "SEL") == 1
    assert shared.count(hq, Counter, Counter.name.startswith("import_")) == 0
    assert hq.exchange.import_bundle(bundle).new > 0 and _cases(hq) == 6


def test_an_import_whose_batches_were_taken_back_meanwhile_stops(hq: Site) -> None:
    """Taken back as cut short while it was only slow (the laptop asleep two minutes): its
    next batch finds its claim gone, and stops, rather than finish without them."""
    with hq.ws.write() as session, pytest.raises(BundleRefused, match="interrupted"):
        exchange_service._claim(session, "SEL", 1_733_000_000_000)
