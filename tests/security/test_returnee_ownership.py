"""The returnees' register in bundles (issue 24 part 2): a record travels from the mission that
started it to HQ, and a hostile mission with a real, trusted key cannot forge, rewrite or
re-parent another installation's record. Each refused bundle leaves HQ's data folder byte for
byte the same (``unchanged``), and names the record and the rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.db.models import Returnee
from app.exchange.package import BundleRefused
from app.services.exchange import ExchangeService
from app.services.installation import unlock
from app.services.records import PersonInput
from app.services.returnees import ReturneeInput, ReturneeService
from tests.builders import closed_with_worker_home
from tests.conftest import PASSWORD
from tests.integration.test_exchange import Site, hq_sel_dxb
from tests.security.forge import Forger, changed, new_id, record_of, unchanged

TODAY = date.today()


def _returnee(case_number: str = "", **values: Any) -> ReturneeInput:
    return ReturneeInput(
        occupation=values.pop("occupation", "7112"),
        work_country=values.pop("work_country", "KR"),
        region="KZ-19",
        consent_reference="form 7/2026",
        consent_date=TODAY - timedelta(days=1),
        certificates=("Bricklayer, level 3",),
        languages=("ko",),
        returned_on=TODAY - timedelta(days=1),
        case_number=case_number,
        **values,
    )


def _closed_case_with_returnee(site: Site, surname: str, country: str) -> str:
    worker = PersonInput(surname=surname, given_names="Test")
    case = closed_with_worker_home(site.ws, worker, TODAY - timedelta(days=20), country)
    return ReturneeService(site.ws).add(_returnee(case.number, work_country=country)).id


def _send(site: Site, hq: Site, out: Path) -> None:
    ExchangeService(site.ws).export_cases(out, [hq.recipient])
    ExchangeService(hq.ws).import_bundle(out)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("returnee-ownership")
    with hq_sel_dxb(root) as (hq, sel, dxb):
        yield _world(root, hq, sel, dxb)


def _world(root: Path, hq: Site, sel: Site, dxb: Site) -> dict[str, Any]:
    """A returnee of each mission's at HQ, and one HQ's analyst recorded."""
    ids = {
        "sel": _closed_case_with_returnee(sel, "Сейітов", "KR"),
        "dxb": _closed_case_with_returnee(dxb, "Дүйсенов", "AE"),
    }
    for mission in (sel, dxb):
        _send(mission, hq, root / f"{mission.ws.mission_code}.qbundle")
    analyst = unlock(hq.paths, "astana", PASSWORD)
    try:
        ids["hq"] = (
            ReturneeService(analyst)
            .add(_returnee(person=PersonInput(surname="Омарова", given_names="Айжан")))
            .id
        )
    finally:
        analyst.close()
    return {"hq": hq, "sel": sel, "dxb": dxb, "ids": ids, "root": root}


def _hq_copy(world: dict[str, Any], key: str) -> dict[str, Any]:
    return record_of(world["hq"], "returnee", Returnee.id == world["ids"][key])


def _refused(world: dict[str, Any], records: list[dict[str, Any]], message: str) -> None:
    hq: Site = world["hq"]
    out = world["root"] / f"forged-{new_id()}.qbundle"
    bundle = Forger(world["dxb"]).bundle(out, {"returnee": records}, [hq.recipient])
    with unchanged(hq), pytest.raises(BundleRefused, match=message):
        ExchangeService(hq.ws).import_bundle(bundle)


def test_records_travel_from_the_missions_to_hq(world: dict[str, Any]) -> None:
    sel = _hq_copy(world, "sel")
    assert sel["origin_mission"] == "SEL" and sel["occupation"] == "7112"
    assert sel["languages"] == ["ko"] and sel["certificates"] == ["Bricklayer, level 3"]
    rows = ReturneeService(world["hq"].ws).list()
    assert {r.origin_mission for r in rows} == {"SEL", "DXB", "AST"}


def test_a_mission_cannot_rewrite_another_missions_record(world: dict[str, Any]) -> None:
    record = _hq_copy(world, "sel")
    forged = changed(record, occupation="9629", certificates=[])
    _refused(world, [forged], f"returnee {record['id']} hangs off a case held by SEL")


def test_a_mission_cannot_forge_a_record_in_another_missions_name(
    world: dict[str, Any],
) -> None:
    forged = dict(_hq_copy(world, "sel"), id=new_id(), version=1, occupation="9629")
    _refused(world, [forged], "is new here and claims to come from SEL")


def test_a_mission_cannot_hang_its_record_on_another_missions_case(
    world: dict[str, Any],
) -> None:
    sel = _hq_copy(world, "sel")
    own = _hq_copy(world, "dxb")
    moved = changed(own, case_id=sel["case_id"], person_id=sel["person_id"])
    _refused(world, [moved], f"returnee {own['id']} hangs off a case held by SEL")
    new = dict(own, id=new_id(), version=1, case_id=sel["case_id"])
    _refused(world, [new], f"returnee {new['id']} hangs off a case held by SEL")


def test_a_mission_cannot_point_its_record_at_another_missions_worker(
    world: dict[str, Any],
) -> None:
    """The fault: DXB's own returnee without a case, pointed at SEL's worker, was accepted and
    made DXB one of the worker's owners, free to rewrite the person in its next bundle."""
    sel = _hq_copy(world, "sel")
    new = dict(_hq_copy(world, "dxb"), id=new_id(), version=1, case_id=None)
    new["person_id"] = sel["person_id"]
    _refused(world, [new], f"refers to person {sel['person_id']}, which belongs to SEL")


def test_a_mission_cannot_change_a_record_hq_made(world: dict[str, Any]) -> None:
    record = _hq_copy(world, "hq")
    forged = changed(record, region="KZ-79", wants_referral=False)
    _refused(world, [forged], f"returnee {record['id']} was made by AST")


def test_a_mission_cannot_take_a_record_over_by_hanging_it_on_its_own_case(
    world: dict[str, Any],
) -> None:
    """The fault: a record without a case was judged by its maker only while it stayed without
    one; DXB hanging HQ's record on a case of DXB's own was refused only for the person it
    names (a review naming none went through: test_ownership). Its maker is the reason."""
    record = _hq_copy(world, "hq")
    own_case = _hq_copy(world, "dxb")["case_id"]
    forged = changed(record, case_id=own_case, region="KZ-79")
    _refused(world, [forged], f"returnee {record['id']} was made by AST")


def test_the_owner_updates_its_record_after_the_attacks(world: dict[str, Any]) -> None:
    sel: Site = world["sel"]
    service = ReturneeService(sel.ws)
    service.update(world["ids"]["sel"], _returnee(occupation="7114", work_country="KR"))
    _send(sel, world["hq"], world["root"] / "sel-2.qbundle")
    assert _hq_copy(world, "sel")["occupation"] == "7114"
