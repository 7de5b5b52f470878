"""A bundle refused in the middle of applying its plan changes nothing: the plan is written in
one transaction, so records of the entities already written are rolled back with it. A later
import of the same bundle then goes through whole (its id was not recorded as imported)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.exchange import merge
from app.exchange.package import BundleRefused
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site, table_dump

sites, hq, sel = shared.sites, shared.hq, shared.sel


def test_a_failure_part_way_through_applying_leaves_nothing_half_merged(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient]).path
    before = table_dump(hq)
    written: list[str] = []
    original = merge.note_changes

    def fail_on_the_third_entity(session: object, table: str, case_ids: object) -> None:
        written.append(table)
        if len(written) == 3:
            raise BundleRefused("refused while applying")
        original(session, table, case_ids)  # type: ignore[arg-type]

    monkeypatch.setattr(merge, "note_changes", fail_on_the_third_entity)
    with pytest.raises(BundleRefused, match="refused while applying"):
        hq.exchange.import_bundle(bundle)

    assert len(written) == 3  # two entities' rows were written before the failure
    assert table_dump(hq) == before
    monkeypatch.setattr(merge, "note_changes", original)
    report = hq.exchange.import_bundle(bundle)
    assert not report.already_imported and report.new > 0
