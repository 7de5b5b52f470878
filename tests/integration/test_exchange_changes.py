"""A bundle import tells the change signal what it wrote, though it writes in bulk (no ORM
flush sees those rows): a case open at HQ refreshes when the mission's update arrives."""

from __future__ import annotations

from pathlib import Path

from app.services.changes import DataChanged
from tests.integration.test_exchange import hq_and_sel


def test_an_import_publishes_the_cases_it_wrote(tmp_path: Path) -> None:
    with hq_and_sel(tmp_path, 3, seed=4) as (hq, sel):
        out = tmp_path / "sel.qbundle"
        sel.exchange.export_cases(out, [hq.recipient], hq_key_only=True)
        seen: list[DataChanged] = []
        hq.ws.changes.subscribe(seen.append)
        hq.exchange.import_bundle(out)
        imported = {row.id for row in hq.cases.list_cases(None, 0, 100)}
        assert len(imported) == 3
        touched = set().union(*(c.case_ids for c in seen))
        assert imported <= touched
        assert any(c.touches("case", "case_event") for c in seen)
        # A bundle imported before changes nothing, and says nothing.
        seen.clear()
        hq.exchange.import_bundle(out)
        assert not any(c.case_ids for c in seen)
