"""A record sent again and again at one version, each time with other content.

Threat: a compromised or buggy mission (or one restored from a backup, whose versions repeat)
sends its own case at the version HQ holds with different content, three times. Each becomes
a conflict for HQ to resolve; the third import crashed (two unresolved conflicts were found for
one record where the import expected one at most) and every later import carrying that record
crashed too, until someone resolved the conflicts by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db.models import Case
from tests.integration.test_exchange import Site, hq_and_sel
from tests.security.forge import Forger, changed, record_of


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    with hq_and_sel(tmp_path, 1, seed=2) as (hq, sel):
        sel.exchange.export_cases(tmp_path / "first.qbundle", [hq.recipient])
        hq.exchange.import_bundle(tmp_path / "first.qbundle")
        yield hq, sel


def test_a_third_version_of_one_record_is_a_third_conflict_not_a_crash(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    hq, sel = sites
    case = record_of(sel, "case", Case.id.is_not(None))
    forger = Forger(sel)
    for n in (1, 2, 3):
        sent = changed(case, step=0, description=f"Version {n} of the same case")
        out = forger.bundle(tmp_path / f"{n}.qbundle", {"case": [sent]}, [hq.recipient])
        assert hq.exchange.import_bundle(out).conflicts == 1
    assert hq.cases.get_case(case["id"]).description == case["description"]  # HQ's copy stays
    remote = sorted(
        field.remote
        for conflict in hq.exchange.conflicts()
        for field in conflict.fields
        if field.name == "description"
    )
    assert remote == [f"Version {n} of the same case" for n in (1, 2, 3)]

    # The second content sent again is the conflict already on file, not a fourth.
    again = changed(case, step=0, description="Version 2 of the same case")
    out = forger.bundle(tmp_path / "again.qbundle", {"case": [again]}, [hq.recipient])
    assert hq.exchange.import_bundle(out).conflicts == 1
    assert len(hq.exchange.conflicts()) == 3
