"""Import stages outside the write lock: while it checks the bundle and plans the merge, other
users save as usual; the plan it then applies is the one a sequential import would make."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import Case
from app.db.sync import ANY_HOLDER
from app.exchange import merge
from app.services import exchange as exchange_service
from app.services.exchange import ImportReport
from app.services.installation import unlock
from app.services.records import CaseChanges
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site

sites, hq, sel = shared.sites, shared.hq, shared.sel
# PostgreSQL asks its staged rows, not a table of keys, whether a save touched the plan.
pytestmark = pytest.mark.both_engines(slow=True)


def _case_ids(site: Site) -> list[str]:
    with site.ws.read() as session:
        return list(session.execute(select(Case.id).order_by(Case.number)).scalars())


def _second_bundle(sel: Site, hq: Site, tmp_path: Path, case_id: str) -> Path:
    """HQ holds SEL's cases; SEL then changes one case and exports that change."""
    first = sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(first.path)
    sel.cases.update_case(case_id, CaseChanges(description="Changed at the mission."))
    return sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient]).path


def _during_planning(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> list[str]:
    """Run ``action`` once the import has planned its merge, before it writes (staging, or
    planning again). After the plan, not before: PostgreSQL's read (read committed) would
    otherwise see the save already and plan with it."""
    phases: list[str] = []
    original = exchange_service.check_and_plan

    def planning(*args: Any) -> tuple[Any, merge.MergePlan | None]:
        phases.append("planned")
        planned = original(*args)
        if len(phases) == 1:
            action()
        return planned

    monkeypatch.setattr(exchange_service, "check_and_plan", planning)
    return phases


def _changed_at_hq(officer: Workspace, case_id: str, description: str) -> None:
    """A write at HQ to one of SEL's cases: HQ's services refuse that (``app.db.sync``), but a
    conflict's resolution or retention writes one, and meets the import like any save."""
    with officer.write() as session:
        session.info[ANY_HOLDER] = True
        row = session.get(Case, case_id)
        assert row is not None
        row.description = description


def _import_while_hq_saves(
    monkeypatch: pytest.MonkeyPatch, hq: Site, bundle: Path, save: Callable[[Workspace], None]
) -> tuple[list[str], ImportReport]:
    """Import ``bundle`` at HQ while another user of HQ's data folder saves (``save``, given
    that user's workspace) as the import plans; returns the planning passes and the report."""
    officer = unlock(hq.paths, "admin", PASSWORD)
    try:
        phases = _during_planning(monkeypatch, lambda: save(officer))
        return phases, hq.exchange.import_bundle(bundle)
    finally:
        officer.close()


def test_others_save_while_the_import_stages(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed_at_mission, other_case = _case_ids(sel)[:2]
    bundle = _second_bundle(sel, hq, tmp_path, changed_at_mission)
    free: list[bool] = []

    def save(officer: Workspace) -> None:
        # A server has no one write lock; its writers wait on the rows they share only.
        free.append(hq.write_lock_is_free() if hq.ws.db.dialect == "sqlite" else True)
        _changed_at_hq(officer, other_case, "Saved at HQ.")

    phases, report = _import_while_hq_saves(monkeypatch, hq, bundle, save)

    assert free == [True]
    # The save touched a case the bundle does not carry: the staged plan was applied as is.
    assert phases == ["planned"]
    assert report.updated >= 1 and report.conflicts == 0
    assert hq.cases.get_case(changed_at_mission).description == "Changed at the mission."
    assert hq.cases.get_case(other_case).description == "Saved at HQ."


def test_a_save_to_a_record_the_bundle_carries_is_planned_again_under_the_lock(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _case_ids(sel)[0]
    bundle = _second_bundle(sel, hq, tmp_path, case_id)

    def save_the_same_case(officer: Workspace) -> None:
        _changed_at_hq(officer, case_id, "Changed at HQ.")

    phases, report = _import_while_hq_saves(monkeypatch, hq, bundle, save_the_same_case)

    # Both sides made the same version: a conflict, as if HQ's save had come first. A plan
    # from before the save would have overwritten it.
    assert phases == ["planned", "planned"]
    assert report.conflicts == 1 and report.updated == 0
    assert hq.cases.get_case(case_id).description == "Changed at HQ."
    (conflict,) = hq.exchange.conflicts()
    assert conflict.record_id == case_id
