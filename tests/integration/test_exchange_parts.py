"""An export too large for one bundle goes in parts, and HQ puts them together.

The limits are lowered here (``PART_FILE_BYTES``) so that a few attachments need parts; the
real ones split a mission's documents into bundles of some 3 GiB.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, select

from app.db.engine import SCAN_CACHE_KIB
from app.db.models import Attachment, ExchangeLog, Letter
from app.errors import ValidationError
from app.exchange import merge, parts
from app.exchange.package import BundleRefused
from app.exchange.parts import PartOf, file_parts
from app.exchange.records import BY_NAME
from app.services import exchange
from app.services.exchange import ExchangeService, ExportSummary
from app.services.records import CaseChanges
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site, count, first_case_id, table_dump

pytestmark = pytest.mark.both_engines(slow=True)

sites, hq, sel, dxb = shared.sites, shared.hq, shared.sel, shared.dxb

SCAN = 20_000  # bytes of each attachment: two go in a part of 50,000


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "PART_FILE_BYTES", 50_000)


def attach_scans(site: Site, how_many: int) -> dict[str, bytes]:
    """``how_many`` attachments of random bytes on the mission's first case: id → content."""
    case_id = first_case_id(site)
    scans = {}
    for n in range(how_many):
        content = os.urandom(SCAN)
        info = site.cases.add_attachment(case_id, f"scan-{n}.pdf", content, "application/pdf")
        scans[info.id] = content
    return scans


def every_part(summary: ExportSummary) -> list[ExportSummary]:
    return [summary, *summary.parts]


def file_records(site: Site) -> int:
    return count(site, Attachment) + count(site, Letter)


def test_an_export_larger_than_a_bundle_goes_in_parts_that_hq_puts_together(
    sel: Site, hq: Site, tmp_path: Path, small_parts: None
) -> None:
    scans = attach_scans(sel, 5)
    out = tmp_path / "SEL.qbundle"

    summary = sel.exchange.export_cases(out, [hq.recipient])

    bundles = every_part(summary)
    total = len(bundles)
    assert total >= 4  # the records, then the files two or fewer at a time
    assert not out.exists()
    assert [b.path.name for b in bundles] == [
        f"SEL-{n}-of-{total}.qbundle" for n in range(1, total + 1)
    ]
    assert [b.part for b in bundles] == [
        PartOf(summary.bundle_id, n, total) for n in range(1, total + 1)
    ]
    assert "attachment" not in summary.counts and "letter" not in summary.counts
    assert summary.counts["case"] == 6 and summary.files == 0
    later = bundles[1:]
    assert all(set(b.counts) <= {"attachment", "letter"} for b in later)
    assert sum(b.counts.get("attachment", 0) + b.counts.get("letter", 0) for b in later) == (
        file_records(sel)
    )
    assert len({b.bundle_id for b in bundles}) == total
    assert all(b.change_from == 0 and b.change_to == summary.change_to for b in bundles)

    # A later part before the first is refused, and nothing changes at HQ.
    before = table_dump(hq)
    with pytest.raises(BundleRefused, match="import part 1 first"):
        hq.exchange.import_bundle(later[0].path)
    assert table_dump(hq) == before

    first = hq.exchange.import_bundle(summary.path)
    assert first.per_entity["case"]["new"] == 6
    assert any(f"part 1 of {total}" in note and "still to import" in note for note in first.notes)
    for bundle in later[:-1]:
        report = hq.exchange.import_bundle(bundle.path)
        assert not report.warnings, report.warnings

    # A bundle of later changes while the last part is still missing: HQ says so.
    sel.cases.update_case(first_case_id(sel), CaseChanges(description="Seen again."))
    following = sel.exchange.export_cases(tmp_path / "next.qbundle", [hq.recipient])
    assert not following.parts and following.path.exists()
    report = hq.exchange.import_bundle(following.path)
    missing = [w for w in report.warnings if f"came in {total} parts" in w]
    assert missing and f"part {total} has not been imported" in missing[0]
    assert summary.bundle_id[:8] in missing[0]

    last = hq.exchange.import_bundle(later[-1].path)
    assert any(f"All {total} parts" in note for note in last.notes)
    assert file_records(hq) == file_records(sel)
    with hq.ws.read() as session:
        held = dict(session.execute(select(Attachment.id, Attachment.content)).all())
    assert {key: held[key] for key in scans} == scans
    labels = [e.kind_label for e in sel.exchange.exchange_log()]
    assert f"Cases, part 2 of {total}" in labels


def test_hq_no_longer_warns_once_every_part_is_in(
    sel: Site, hq: Site, tmp_path: Path, small_parts: None
) -> None:
    attach_scans(sel, 3)
    summary = sel.exchange.export_cases(tmp_path / "SEL.qbundle", [hq.recipient])
    for bundle in every_part(summary):
        hq.exchange.import_bundle(bundle.path)
    sel.cases.update_case(first_case_id(sel), CaseChanges(description="Later."))
    following = sel.exchange.export_cases(tmp_path / "next.qbundle", [hq.recipient])

    report = hq.exchange.import_bundle(following.path)

    assert not report.warnings and not report.notes


def test_sending_again_after_a_part_sends_its_whole_export_again(
    sel: Site, hq: Site, tmp_path: Path, small_parts: None
) -> None:
    attach_scans(sel, 3)
    summary = sel.exchange.export_cases(tmp_path / "SEL.qbundle", [hq.recipient])
    *before_last, last = every_part(summary)

    again = sel.exchange.export_cases(
        tmp_path / "again.qbundle", [hq.recipient], after_bundle=before_last[-1].bundle_id
    )
    after_last = sel.exchange.export_cases(
        tmp_path / "after.qbundle", [hq.recipient], after_bundle=last.bundle_id
    )

    assert (again.change_from, again.change_to) == (0, summary.change_to)
    assert sum(b.records for b in every_part(again)) == sum(b.records for b in every_part(summary))
    assert after_last.change_from == summary.change_to


def test_an_export_whose_part_cannot_be_written_leaves_no_part_and_no_log(
    sel: Site, hq: Site, tmp_path: Path, small_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    attach_scans(sel, 5)
    pack = ExchangeService._pack
    calls = []

    def failing_third(self, prepared, collected, recipients, out, progress):  # noqa: ANN001
        calls.append(out)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return pack(self, prepared, collected, recipients, out, progress)

    monkeypatch.setattr(ExchangeService, "_pack", failing_third)

    with pytest.raises(ValidationError, match="no space left on the disk"):
        sel.exchange.export_cases(tmp_path / "SEL.qbundle", [hq.recipient])

    assert len(calls) == 3
    assert list(tmp_path.glob("SEL*")) == []
    with sel.ws.read() as session:
        assert session.execute(select(ExchangeLog)).first() is None


def test_a_bundle_whose_files_fit_is_one_bundle_as_before(sel: Site, hq: Site, tmp_path):
    attach_scans(sel, 2)
    out = tmp_path / "SEL.qbundle"

    summary = sel.exchange.export_cases(out, [hq.recipient])

    assert summary.path == out and summary.part is None and not summary.parts
    assert summary.counts["attachment"] == 2
    report = hq.exchange.import_bundle(out)
    assert not report.notes


def test_parts_are_cut_by_the_number_of_files_too(
    sel: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    attach_scans(sel, 5)
    monkeypatch.setattr(parts, "PART_FILES", 2)
    attachment = BY_NAME["attachment"]
    everything = attachment.model.__table__.c.id.is_not(None)  # type: ignore[attr-defined]

    with sel.ws.read() as session:
        cut = file_parts(session.connection(), [(attachment, everything)])
        ids = [
            [
                row
                for entity, where in part
                for row in session.execute(
                    select(entity.model.__table__.c.id).where(where)  # type: ignore[attr-defined]
                ).scalars()
            ]
            for part in cut
        ]

    assert [len(part) for part in ids] == [2, 2, 1]
    assert sorted(i for part in ids for i in part) == [i for part in ids for i in part]


def test_an_export_reads_files_through_a_small_page_cache(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's pages are read once: they must not fill the cache sized for the case list
    (an export of 1.4 GB of scans peaked at 612 MB so, 250 MB without)."""
    attach_scans(sel, 2)
    seen: dict[str, int] = {}
    real = exchange._collect_files

    def collecting(session, entity, where):  # type: ignore[no-untyped-def]
        cache = session.connection().exec_driver_sql("PRAGMA cache_size").scalar_one()
        seen[entity.name] = int(cache)
        yield from real(session, entity, where)

    monkeypatch.setattr(exchange, "_collect_files", collecting)

    sel.exchange.export_cases(tmp_path / "SEL.qbundle", [hq.recipient])

    assert seen["attachment"] == seen["letter"] == -SCAN_CACHE_KIB
    assert seen["case"] != -SCAN_CACHE_KIB  # the records' reads keep the large cache


def test_hq_writes_the_files_a_few_megabytes_at_a_time(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scans are up to 25 MB: twenty at once held 500 MB while HQ wrote them."""
    attach_scans(sel, 3)
    out = tmp_path / "SEL.qbundle"
    sel.exchange.export_cases(out, [hq.recipient])
    monkeypatch.setattr(merge, "FILE_BYTES_AT_ONCE", SCAN + SCAN // 2)
    written: list[int] = []

    def counting(_conn, _cursor, statement, parameters, _context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE attachment SET content"):
            written.append(len(parameters) if executemany else 1)

    event.listen(Engine, "before_cursor_execute", counting)
    try:
        hq.exchange.import_bundle(out)
    finally:
        event.remove(Engine, "before_cursor_execute", counting)

    assert written == [2, 1]


def signed_as_part(monkeypatch: pytest.MonkeyPatch, place: dict[str, object]) -> None:
    """The next export in parts signs ``place`` in its later parts' manifests: what a
    compromised mission, which holds its own signing key, can put there."""
    real = exchange._as_parts

    def forged(first, collected):  # type: ignore[no-untyped-def]
        every = real(first, collected)
        return [every[0], *(replace(p, manifest={**p.manifest, "part": place}) for p in every[1:])]

    monkeypatch.setattr(exchange, "_as_parts", forged)


def test_a_part_naming_another_missions_export_is_refused_as_a_part_without_its_first(
    sel: Site, dxb: Site, hq: Site, tmp_path: Path, small_parts: None, monkeypatch
) -> None:
    attach_scans(sel, 3)
    theirs = sel.exchange.export_cases(tmp_path / "SEL.qbundle", [hq.recipient])
    hq.exchange.import_bundle(theirs.path)  # SEL's part 1 is at HQ
    attach_scans(dxb, 3)
    signed_as_part(monkeypatch, {"set": theirs.bundle_id, "number": 2, "count": 2})
    forged = dxb.exchange.export_cases(tmp_path / "DXB.qbundle", [hq.recipient])
    before = table_dump(hq)

    with pytest.raises(BundleRefused, match="import part 1 first"):
        hq.exchange.import_bundle(forged.parts[0].path)

    assert table_dump(hq) == before


def test_a_part_numbered_beyond_its_count_is_refused(
    sel: Site, hq: Site, tmp_path: Path, small_parts: None, monkeypatch
) -> None:
    attach_scans(sel, 3)
    signed_as_part(
        monkeypatch, {"set": "3f2a9c1e-0000-4000-8000-000000000001", "number": 9, "count": 3}
    )
    forged = sel.exchange.export_cases(tmp_path / "SEL.qbundle", [hq.recipient])
    hq.exchange.import_bundle(forged.path)
    before = table_dump(hq)

    with pytest.raises(BundleRefused, match="larger than its count"):
        hq.exchange.import_bundle(forged.parts[0].path)

    assert table_dump(hq) == before
