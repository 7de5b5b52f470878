"""A bundle import tells the change signal what it wrote, though it writes in bulk (no ORM
flush sees those rows): a case open at HQ refreshes when the mission's update arrives."""

from __future__ import annotations

from pathlib import Path

from app.services.changes import DataChanged
from app.services.demo import fill_demo
from tests.integration.test_exchange import link, make_site


def test_an_import_publishes_the_cases_it_wrote(tmp_path: Path) -> None:
    hq = make_site(tmp_path, "AST", "KZ", "Astana", True)
    sel = make_site(tmp_path, "SEL", "KR", "Seoul")
    try:
        link(hq, sel)
        fill_demo(sel.ws, 3, seed=4)
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
    finally:
        hq.ws.close()
        sel.ws.close()
