"""HQ's transfer of a closed case: one whose personal data retention took is refused (the
receiving mission would get a blank case); a closed case that still holds its data goes,
closed, and may be reopened there."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Case
from app.errors import ValidationError
from app.services.demo import fill_demo
from app.services.records import CaseFilter
from app.services.retention import anonymise_case
from tests.integration.test_exchange import Site, hq_sel_dxb


def _closed_at_hq(hq: Site, sel: Site, tmp_path: Path) -> str:
    """One of SEL's cases, closed at SEL and imported at HQ."""
    number = sel.cases.list_cases(CaseFilter(), 0, 1)[0].number
    with sel.ws.write() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        case.status = "closed"
        case.closed_at = datetime.now(UTC)
    sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "1.qbundle")
    return number


def test_an_anonymised_case_is_not_transferred(tmp_path: Path) -> None:
    with hq_sel_dxb(tmp_path) as (hq, sel, _dxb):
        fill_demo(sel.ws, 3, seed=11)
        number = _closed_at_hq(hq, sel, tmp_path)
        with hq.ws.write() as session:
            case_id = session.execute(select(Case.id).where(Case.number == number)).scalar_one()
            anonymise_case(session, case_id, datetime.now(UTC))
        out = tmp_path / "t.qbundle"

        with pytest.raises(ValidationError, match="anonymised") as refused:
            hq.exchange.transfer_cases([number], "DXB", out)

        assert number in str(refused.value)
        assert not out.exists() and not list(tmp_path.glob("t.notice-*"))
        assert hq.cases.get_case(case_id).holder_mission == "SEL"


def test_a_closed_case_with_its_data_is_transferred_closed(tmp_path: Path) -> None:
    with hq_sel_dxb(tmp_path) as (hq, sel, dxb):
        fill_demo(sel.ws, 3, seed=11)
        number = _closed_at_hq(hq, sel, tmp_path)
        hq.exchange.transfer_cases([number], "DXB", tmp_path / "t.qbundle")
        dxb.exchange.import_bundle(tmp_path / "t.qbundle")
        _check_closed_with_data(dxb, number)


def _check_closed_with_data(dxb: Site, number: str) -> None:

    with dxb.ws.read() as session:
        case_id = session.execute(select(Case.id).where(Case.number == number)).scalar_one()
    case = dxb.cases.get_case(case_id)
    assert (case.status, case.holder_mission) == ("closed", "DXB")
    assert case.description  # the worker's story came with it
