"""The app's HQ roles agree with the database grants: an analyst reads and reports, imports
nothing; the import operator imports. Replayed through the services on an HQ installation."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import Case, ExchangeLog, User
from app.db.sync import ANY_HOLDER
from app.errors import PermissionDenied
from app.exchange.package import KeyToRegister, UnknownSigner
from app.security.keyslots import KeySlotStore
from app.services.agreements import AgreementService
from app.services.consolidation import ConsolidationService
from app.services.exchange import ExchangeService
from app.services.installation import unlock
from app.services.keys import KeyService
from app.services.stats import StatsService
from app.services.users import UserService
from tests.conftest import PASSWORD, date_trusted
from tests.integration.test_exchange import Site, hq, link, sel, sites  # noqa: F401


def _as(site: Site, username: str, role: str):
    """A user of a server HQ's role on this HQ file: the app's own checks are under test
    here (the server's grants: test_grants.py; adding such users: test_server_users.py)."""
    with site.ws.write() as session:
        session.add(User(username=username, role=role, full_name=""))
        site.ws.audit(session, "user.add", "user", username, {"role": role})
    KeySlotStore(site.paths.keyslots).set_slot(username, PASSWORD, site.ws.db.key)
    return unlock(site.paths, username, PASSWORD)


def _counts(site: Site) -> tuple[int, int]:
    with site.ws.read() as session:
        return (
            session.execute(select(func.count()).select_from(Case)).scalar_one(),
            session.execute(select(func.count()).select_from(ExchangeLog)).scalar_one(),
        )


def test_analyst_reads_and_reports_but_cannot_import(sel: Site, hq: Site, tmp_path: Path):  # noqa: F811
    bundle = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(bundle, [hq.recipient])
    analyst = _as(hq, "dana", "hq_analyst")
    try:
        before = _counts(hq)
        with pytest.raises(PermissionDenied):
            ExchangeService(analyst).import_bundle(bundle)
        with pytest.raises(PermissionDenied):
            UserService(analyst).add("intruder", "hq_admin", PASSWORD)
        assert _counts(hq) == before
        StatsService(analyst).indicators()  # reading and reporting are allowed
        ConsolidationService(analyst).missions()
    finally:
        analyst.close()


def test_import_operator_imports(sel: Site, hq: Site, tmp_path: Path):  # noqa: F811
    bundle = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(bundle, [hq.recipient])
    importer = _as(hq, "erlan", "hq_importer")
    try:
        report = ExchangeService(importer).import_bundle(bundle)
        assert report.new > 0
        with pytest.raises(PermissionDenied):
            UserService(importer).add("intruder", "hq_admin", PASSWORD)
    finally:
        importer.close()
    assert _counts(hq)[0] == 6


def test_an_unknown_missions_bundle_tells_the_import_operator_who_registers_its_key(
    sites,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
):
    """Told to register the key themself, the import operator met "your role does not allow
    this action" at the trust dialog: the refusal now says an administrator registers it."""
    dxb = sites("DXB", "AE", "Dubai")  # its keys are registered nowhere
    bundle = tmp_path / "dxb.qbundle"
    dxb.exchange.export_cases(bundle, [hq.recipient])
    importer = _as(hq, "erlan", "hq_importer")
    try:
        before = _counts(hq)
        with pytest.raises(UnknownSigner) as refused:
            ExchangeService(importer).import_bundle(bundle)
        assert str(refused.value).startswith(
            "The bundle comes from DXB, whose signing key is not registered here. Only an "
            "administrator may register it: ask yours to confirm the key's fingerprint with DXB"
        )
        with pytest.raises(PermissionDenied):  # what the operator met at the button
            KeyService(importer).trust("DXB", KeyService(dxb.ws).own_keys().signing_key)
        assert _counts(hq) == before
    finally:
        importer.close()
    # HQ's administrator, who may register it, is told to do so.
    with pytest.raises(UnknownSigner, match="Confirm the key's fingerprint with DXB"):
        ExchangeService(hq.ws).import_bundle(bundle)


def test_a_replaced_key_tells_the_import_operator_who_registers_the_new_one(
    sites,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
):
    """The same for a signature that no longer matches: the refusal's remedy is a key to
    register, which only an administrator may do."""
    dxb = sites("DXB", "AE", "Dubai")
    bundle = tmp_path / "dxb.qbundle"
    dxb.exchange.export_cases(bundle, [hq.recipient])
    other = sites("OSL", "NO", "Oslo")
    KeyService(hq.ws).trust("DXB", KeyService(other.ws).own_keys().signing_key)  # not DXB's
    importer = _as(hq, "erlan", "hq_importer")
    try:
        with pytest.raises(KeyToRegister) as refused:
            ExchangeService(importer).import_bundle(bundle)
    finally:
        importer.close()
    said = str(refused.value)
    assert said.startswith("The bundle's signature does not match the registered key of DXB")
    assert said.endswith("Only an administrator may register a key: ask yours.")
    with pytest.raises(KeyToRegister) as refused:
        ExchangeService(hq.ws).import_bundle(bundle)
    assert "Only an administrator" not in str(refused.value)


def test_hq_administrator_manages_users(hq: Site):  # noqa: F811
    admin = _as(hq, "gulnar", "hq_admin")
    try:
        UserService(admin).add("dana", "hq", PASSWORD)
    finally:
        admin.close()
    assert {u.username: u.role for u in UserService(hq.ws).list()}["dana"] == "hq"


def test_an_analysts_start_leaves_retention_to_those_who_may_change_records(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """On a server an analyst's account may change no case: the policy applied at their start
    failed on the server's refusal (and, on the GUI thread, ended the start). It waits for the
    import operator's start, which applies it."""
    from datetime import date

    from app.services import retention

    bundle = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(bundle, [hq.recipient])
    ExchangeService(hq.ws).import_bundle(bundle)
    with hq.ws.write() as session:
        session.info[ANY_HOLDER] = True  # as SEL would have sent it
        closed = session.scalars(select(Case).limit(1)).one()
        closed.status = "closed"
        closed.closed_at = closed.updated_at
    later = date.today().replace(year=date.today().year + retention.DEFAULT_YEARS + 1)
    analyst = _as(hq, "dana", "hq_analyst")
    try:
        report = retention.run_on_start(analyst, today=later)
        assert report.anonymised_cases == [] and report.candidates == []
    finally:
        analyst.close()
    importer = _as(hq, "erlan", "hq_importer")
    try:
        date_trusted(importer, later)
        assert retention.run_on_start(importer, today=later).anonymised_cases != []
    finally:
        importer.close()


def test_hqs_administrator_writes_the_notes_on_an_agreement(hq: Site) -> None:  # noqa: F811
    """The department head, HQ's administrator on a server, was refused ("only a consul or an
    administrator can edit these notes") where HQ's first administrator was not; an analyst
    still only reads them."""
    head, analyst = _as(hq, "bolat", "hq_admin"), _as(hq, "dana", "hq_analyst")
    try:
        notes = AgreementService(head)
        saved = notes.set_mission_notes(
            "ilo-c029", "Ask MFA first.", expected_version=notes.get("ilo-c029").version
        )
        assert saved.mission_notes == "Ask MFA first."
        with pytest.raises(PermissionDenied):
            AgreementService(analyst).set_mission_notes("ilo-c029", "x")
        assert AgreementService(analyst).get("ilo-c029").mission_notes == "Ask MFA first."
    finally:
        head.close()
        analyst.close()
