"""An import whose records are all new here: the merge plan takes the ownership check's word
that none is held here and looks none up again. Ownership still refuses a mission's record
for another mission, and a record written here after that check makes the plan stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.models import Case
from app.exchange import merge, staging
from app.exchange.package import BundleRefused
from app.services import exchange as exchange_service
from app.services.demo import fill_demo
from app.services.exchange import ExchangeService
from app.services.records import CaseChanges
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site
from tests.security.forge import Forger, new_id, records_of, unchanged

pytestmark = pytest.mark.both_engines(slow=True)

sites, hq, sel, dxb = shared.sites, shared.hq, shared.sel, shared.dxb


def _looked_up(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """The entities whose records the merge plan looks up again (after the pass that checks
    ownership read them), and every record id that pass read."""
    again: list[str] = []
    read: list[str] = []
    planned, passed = merge.local_records, staging.local_records

    def looking_up_again(session: Any, codec: Any, ids: Any) -> dict[str, dict[str, Any]]:
        again.append(codec.entity.name)
        return planned(session, codec, ids)

    def reading(session: Any, codec: Any, ids: Any) -> dict[str, dict[str, Any]]:
        read.extend(ids)
        return passed(session, codec, ids)

    monkeypatch.setattr(merge, "local_records", looking_up_again)
    monkeypatch.setattr(staging, "local_records", reading)
    return again, read


def _case_count(site: Site) -> int:
    with site.ws.read() as session:
        return int(session.execute(select(func.count()).select_from(Case)).scalar_one())


def test_a_first_bundle_is_planned_without_looking_its_records_up_again(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient]).path
    looked_up, read = _looked_up(monkeypatch)

    report = hq.exchange.import_bundle(bundle)

    assert looked_up == []
    assert len(read) == len(set(read))  # each record read once, for ownership and the plan
    # The one record updated is the mission's own details (HQ holds them since it trusted
    # the mission's key); every other record is new.
    assert report.new > 0 and report.conflicts == 0
    assert report.updated == report.per_entity["mission"]["updated"] == 1
    assert _case_count(hq) == _case_count(sel)
    # The next bundle carries records HQ holds: those are looked up and compared.
    case_id = records_of(sel, "case", Case.id.is_not(None))[0]["id"]
    sel.cases.update_case(case_id, CaseChanges(description="Changed at the mission."))
    again = sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient]).path
    read.clear()
    assert hq.exchange.import_bundle(again).updated >= 1
    assert case_id in read and len(read) == len(set(read))


def test_a_new_case_forged_for_another_mission_is_still_refused(
    sel: Site, dxb: Site, hq: Site, tmp_path: Path
) -> None:
    """DXB's bundle of records all new at HQ, one of them a case claiming SEL as its origin:
    refused by name, nothing written (the fast plan never runs)."""
    fill_demo(dxb.ws, 2, seed=3)
    template = records_of(sel, "case", Case.id.is_not(None))[0]
    forged = dict(
        template,
        id=new_id(),
        number="SEL-2026-9999",
        mission_code="SEL",
        origin_mission="SEL",
        holder_mission="SEL",
        year=2026,
        seq=9999,
        version=1,
    )
    bundle = Forger(dxb).bundle(tmp_path / "f.qbundle", {"case": [forged]}, [hq.recipient])

    with unchanged(hq), pytest.raises(BundleRefused, match="claims to come from SEL"):
        hq.exchange.import_bundle(bundle)
    assert _case_count(hq) == 0


def test_a_record_written_here_after_the_ownership_check_makes_the_plan_stale(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same records arrive meanwhile (another analyst imports the same cases in another
    bundle): the plan, which took them for new, is made again under the write lock, and the
    cases are there once, unchanged."""
    first = sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient]).path
    second = sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient], all_changes=True)
    phases: list[str] = []
    original, add = exchange_service.check_and_plan, merge.Planner.add

    def planning(*args: Any) -> tuple[Any, merge.MergePlan | None]:
        phases.append("planned")
        return original(*args)

    def adding(planner: merge.Planner, entity: Any, *args: Any) -> None:
        if entity.name == "case" and len(phases) == 1 and "other" not in phases:
            phases.append("other")  # after ownership found none of this batch's cases here
            ExchangeService(hq.ws).import_bundle(first)
        add(planner, entity, *args)

    monkeypatch.setattr(exchange_service, "check_and_plan", planning)
    monkeypatch.setattr(merge.Planner, "add", adding)
    report = hq.exchange.import_bundle(second.path)

    # ours, the other's (which ends before ours plans that batch), ours again
    assert phases == ["planned", "other", "planned", "planned"]
    assert report.new == 0 and report.conflicts == 0
    assert _case_count(hq) == _case_count(sel)
