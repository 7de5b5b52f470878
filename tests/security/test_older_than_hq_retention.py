"""A mission's change left out because HQ's own retention anonymised the case (which raised
its version here) is told apart from one left out below a version an import wrote: the first
is a note, not the alarm that names it as possibly forged; the second is still the alarm, also
when the case is anonymised here, so the note cannot hide a forged bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Case
from app.services.records import CaseChanges, CaseDetail, PersonInput
from app.services.retention import run_manually
from tests.conftest import date_trusted
from tests.integration.test_exchange import Site, dxb, hq, sel, sites  # noqa: F401
from tests.security.forge import Forger, changed, record_of
from tests.security.test_key_rotation import hq_case
from tests.unit.test_retention import LATER, SECRETS, close, make_case

pytestmark = pytest.mark.both_engines(slow=True)


def _anonymised_at_hq(sel: Site, hq: Site, tmp_path: Path) -> CaseDetail:  # noqa: F811
    """A case SEL closed and sent, which HQ's retention then anonymised on its copy."""
    case = make_case(sel.ws, PersonInput(**SECRETS))
    close(sel.ws, case.id)
    sel.exchange.export_cases(tmp_path / "closed.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "closed.qbundle")
    date_trusted(hq.ws, LATER)  # the years between, not a clock set ahead
    assert case.number in run_manually(hq.ws, today=LATER).anonymised_cases
    return case


def _older_audited(hq: Site) -> list[AuditEntry]:  # noqa: F811
    with hq.ws.read() as session:
        query = select(AuditEntry).where(AuditEntry.action == "bundle.older_than_here")
        return list(session.execute(query).scalars())


def test_a_change_below_hqs_own_anonymisation_is_a_note_not_a_forgery_alarm(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """It named SEL's genuine change as possibly forged. Still left out: HQ's copy stays
    anonymised, the worker's data does not come back into it."""
    case = _anonymised_at_hq(sel, hq, tmp_path)
    sel.cases.update_case(case.id, CaseChanges(description="Employer paid the wages."))
    sel.exchange.export_cases(tmp_path / "genuine.qbundle", [hq.recipient])
    report = hq.exchange.import_bundle(tmp_path / "genuine.qbundle")

    assert report.local_newer >= 1
    assert not [w for w in report.warnings if case.number in w]
    [note] = [n for n in report.notes if case.number in n]
    assert "HQ's retention anonymised" in note and "not a sign of a forged bundle" in note
    assert _older_audited(hq) == []
    kept = hq_case(hq, case.id)
    assert kept.anonymised_at is not None and kept.description == ""


def test_a_version_an_import_wrote_on_an_anonymised_case_is_still_the_alarm(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The attack the note must not cover: after HQ's retention ran, a bundle signed with
    SEL's key puts a higher version of the anonymised case at HQ; SEL's genuine change is
    then left out below it and named as before, with that bundle."""
    case = _anonymised_at_hq(sel, hq, tmp_path)
    hq_copy = record_of(hq, "case", Case.id == case.id)
    forged_id = "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
    forged = Forger(sel).bundle(
        tmp_path / "forged.qbundle",
        {"case": [changed(hq_copy, step=5, status="in_progress")]},
        [hq.recipient],
        bundle_id=forged_id,
    )
    assert hq.exchange.import_bundle(forged).updated == 1
    sel.cases.update_case(case.id, CaseChanges(description="Employer paid the wages."))
    sel.exchange.export_cases(tmp_path / "genuine.qbundle", [hq.recipient])
    report = hq.exchange.import_bundle(tmp_path / "genuine.qbundle")

    [warning] = [w for w in report.warnings if case.number in w]
    assert f"from bundle {forged_id} received" in warning and "forged bundle" in warning
    assert not [n for n in report.notes if case.number in n]
    [entry] = _older_audited(hq)
    assert entry.details["older"][case.number]["bundle"] == forged_id
    assert hq_case(hq, case.id).status == "in_progress"  # imported as before: HQ's version kept
