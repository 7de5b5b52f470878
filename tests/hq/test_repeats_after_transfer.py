"""HQ's repeats after a transfer: the employer (and worker) of a case HQ moved from SEL to DXB
is not "at DXB, SEL" with all its cases; a transferred case is one complaint, made at SEL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.db.models import Case, Employer
from app.services.consolidation import ConsolidationService
from app.services.demo import fill_demo
from tests.integration.test_exchange import hq_sel_dxb


def test_a_transferred_case_makes_no_repeat(tmp_path: Path) -> None:
    with hq_sel_dxb(tmp_path) as (hq, sel, _dxb):
        fill_demo(sel.ws, 30, seed=7)
        sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
        hq.exchange.import_bundle(tmp_path / "sel.qbundle")
        consolidation = ConsolidationService(hq.ws)
        assert consolidation.repeats() == []  # one mission's cases only
        with hq.ws.read() as session:
            key = (Employer.country, Employer.name_key)
            shared = (
                select(*key)
                .join(Case, Case.employer_id == Employer.id)
                .group_by(*key)
                .having(func.count() > 1)
                .limit(1)
            ).subquery()
            number = session.execute(
                select(Case.number)
                .join(Employer, Case.employer_id == Employer.id)
                .join(
                    shared,
                    (shared.c.country == Employer.country)
                    & (shared.c.name_key == Employer.name_key),
                )
                .limit(1)
            ).scalar_one()

        hq.exchange.transfer_cases([number], "DXB", tmp_path / "t.qbundle")

        assert consolidation.repeats() == []
