"""A revoked officer who copied her mission's signing key, replaying it against HQ.

Every user who signs in can read the mission's Ed25519 signing key out of the database. A
revocation re-keys the database and also replaces that key pair, so the copy she took before
signs nothing HQ accepts once HQ trusts the new key (``keys trust``, after the administrator
read its fingerprint out by a separate channel). Until then the genuine new bundles are
refused too, with words that say why and what to do. HQ runs on both engines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.db.models import AuditEntry, Case, ExchangeLog, LocalSecret, Mission
from app.errors import PermissionDenied
from app.exchange.package import BundleRefused
from app.i18n import say_again, set_language
from app.services.audit_log import AuditLogService
from app.services.exchange import ExchangeService
from app.services.installation import SIGNING_KEY, unlock
from app.services.key_review import imports_under_current_key, key_review_message
from app.services.keys import KeyService, fingerprint
from app.services.records import CaseChanges
from app.services.users import UserService
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.integration.test_exchange import (  # noqa: F401 - fixtures
    Site,
    first_case_id,
    hq,
    sel,
    sites,
)
from tests.security.forge import Forger, changed, record_of, unchanged

pytestmark = pytest.mark.both_engines(slow=True)

REPLACED_KEY = "may have replaced its signing key"


def signing_pem(site: Site) -> bytes:
    with site.ws.read() as session:
        row = session.get(LocalSecret, SIGNING_KEY)
        assert row is not None
        return bytes(row.value)


def hq_case(site: Site, case_id: str) -> Case:
    with site.ws.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        session.expunge(case)
        return case


def refused_at_hq(site: Site, bundle: Path) -> str:
    with unchanged(site), pytest.raises(BundleRefused) as refused:
        ExchangeService(site.ws).import_bundle(bundle)
    return str(refused.value)


def test_a_revoked_officers_copy_of_the_signing_key_signs_nothing_hq_accepts(
    sel: Site,  # noqa: F811 - the fixture
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    sel.exchange.export_cases(tmp_path / "first.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "first.qbundle")
    UserService(sel.ws).add("aigul", "attache", PASSWORD)
    # Aigul, signed in as any officer may, copies the signing key out of the database.
    aigul = unlock(sel.paths, "aigul", PASSWORD)
    try:
        with aigul.read() as session:
            stolen = bytes(session.get(LocalSecret, SIGNING_KEY).value)  # type: ignore[union-attr]
    finally:
        aigul.close()
    copied_at = datetime.now(UTC)
    old_key = KeyService(sel.ws).own_keys().signing_key

    revocation = UserService(sel.ws).revoke("aigul")

    rotation = revocation.key_rotation
    assert rotation is not None and revocation.rotation_error == ""
    assert rotation.old_key == old_key and rotation.new_key != old_key
    assert signing_pem(sel) != stolen  # the old private key is gone from the database
    keys = KeyService(sel.ws).own_keys()
    assert keys.signing_key == rotation.new_key
    assert keys.signing_key_fingerprint == rotation.fingerprint == fingerprint(rotation.new_key)
    with sel.ws.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "keys.rotate")
        ).scalar_one()
        assert entry.details["replaced"] == old_key
        assert entry.details["signing_key"] == rotation.new_key
        assert entry.details["revoked"] == "aigul"
    # The mission's audit chain still checks against the head signed with the old key.
    assert AuditLogService(sel.ws).verify().ok

    case_id = first_case_id(hq)
    sel.cases.update_case(case_id, CaseChanges(description="Employer paid the wages."))
    genuine = tmp_path / "genuine.qbundle"
    sel.exchange.export_cases(genuine, [hq.recipient])
    before = hq_case(hq, case_id)

    # Before HQ trusts the new key: the genuine bundle is refused, with what to do.
    message = refused_at_hq(hq, genuine)
    assert "does not match the registered key of SEL" in message
    assert REPLACED_KEY in message
    assert "qorgau keys trust SEL KEY" in message
    assert "forged" in message

    # HQ confirmed the fingerprint by telephone and trusts the new key.
    KeyService(hq.ws).trust("SEL", rotation.new_key)

    # Her bundle, signed with the copy she kept, overwriting SEL's case at HQ: refused, though
    # it says it was made before the revocation (HQ trusts one key per mission, whatever time a
    # bundle states).
    hq_copy = record_of(hq, "case", Case.id == case_id)
    forged = Forger(sel, signing_pem=stolen).bundle(
        tmp_path / "forged.qbundle",
        {"case": [changed(hq_copy, step=5, description="Case closed, nothing owed.")]},
        [hq.recipient],
        created_at=copied_at,
    )
    assert "does not match the registered key of SEL" in refused_at_hq(hq, forged)
    assert hq_case(hq, case_id).description == before.description

    # The mission's genuine bundle, signed with the new key, goes in.
    report = hq.exchange.import_bundle(genuine)
    assert report.source_mission == "SEL"
    assert hq_case(hq, case_id).description == "Employer paid the wages."


def test_a_failed_key_replacement_is_said_in_the_language_shown(
    sel: Site,  # noqa: F811
) -> None:
    """The fault: why the replacement failed was kept as the text of the moment it failed,
    so the revocation's notice gave it in that language whatever the language shown."""
    UserService(sel.ws).add("aigul", "attache", PASSWORD)
    with sel.ws.write() as session:
        session.delete(session.get(LocalSecret, SIGNING_KEY))
    revocation = UserService(sel.ws).revoke("aigul")
    assert revocation.key_rotation is None
    assert revocation.rotation_error == "This installation has no signing key."
    set_language("ru")
    try:
        assert say_again(revocation.rotation_error) == (
            "У этого экземпляра Qorgau нет ключа подписи."
        )
    finally:
        set_language("en")


def test_keys_rotate_on_demand_is_for_the_missions_administrator(
    sites: Callable[..., Site],  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mission = sites("DXB", "AE", "Dubai")
    UserService(mission.ws).add("serik", "consul", PASSWORD)
    serik = unlock(mission.paths, "serik", PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            KeyService(serik).rotate()
    finally:
        serik.close()
    old = KeyService(mission.ws).own_keys()
    mission.ws.close()  # the command signs in on its own

    data_dir = str(mission.paths.data_dir)
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    rotated = run_cli(capsys, "--data-dir", data_dir, "keys", "rotate")
    shown = run_cli(capsys, "--data-dir", data_dir, "keys", "show", "--json")
    assert rotated.code == 0, rotated.err
    keys = json.loads(shown.out)
    assert set(keys) == {"mission_code", "signing_key", "age_recipient"}  # DESIGN.md's contract
    assert keys["signing_key"] != old.signing_key
    assert keys["age_recipient"] != old.age_recipient  # replaced with it (docs/security.md)
    assert keys["signing_key"] in rotated.out and keys["age_recipient"] in rotated.out
    assert fingerprint(keys["signing_key"]) in rotated.out
    assert fingerprint(keys["age_recipient"]) in rotated.out
    assert "qorgau keys trust DXB KEY --age-recipient RECIPIENT" in rotated.out
    mission.ws = unlock(mission.paths, "admin", PASSWORD)  # closed again by the fixture
    with mission.ws.read() as session:
        own = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        assert own.signing_public_key == keys["signing_key"]


def test_a_fingerprint_is_six_groups_of_four_digits_and_tells_keys_apart() -> None:
    first, second = "A" * 43 + "=", "B" * 43 + "="
    assert len(fingerprint(first).split()) == 6
    assert all(len(group) == 4 and group.isdigit() for group in fingerprint(first).split())
    assert fingerprint(first) == fingerprint(first) != fingerprint(second)
    assert fingerprint("") == ""


def test_a_genuine_change_left_out_after_a_forged_higher_version_is_named(
    sel: Site,  # noqa: F811 - the fixture
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The attack the trust rule cannot stop: HQ imports her forged +5 before it trusts the
    new key; SEL's genuine +1 is then older than HQ's copy. It is still left out (nothing
    imports differently), but the report and the audit name it, with the forged bundle."""
    sel.exchange.export_cases(tmp_path / "first.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "first.qbundle")
    stolen = signing_pem(sel)  # the copy a revoked officer took
    UserService(sel.ws).add("aigul", "attache", PASSWORD)
    rotation = UserService(sel.ws).revoke("aigul").key_rotation
    assert rotation is not None
    case_id = first_case_id(hq)
    hq_copy = record_of(hq, "case", Case.id == case_id)
    forged_id = "0b7c4d2e-1f3a-4c5b-9d6e-7f8a9b0c1d2e"
    forged = Forger(sel, signing_pem=stolen).bundle(
        tmp_path / "forged.qbundle",
        {"case": [changed(hq_copy, step=5, description="Case closed, nothing owed.")]},
        [hq.recipient],
        bundle_id=forged_id,
    )
    assert hq.exchange.import_bundle(forged).updated == 1  # before HQ trusts the new key
    # The first bundle came long ago; the operator reviews what came since she could copy it.
    with hq.ws.write() as session:
        session.execute(
            update(ExchangeLog)
            .where(ExchangeLog.bundle_id != forged_id)
            .values(created_at=datetime.now(UTC) - timedelta(days=30))
        )
        session.execute(
            update(Mission)
            .where(Mission.code == "SEL")
            .values(trusted_at=datetime.now(UTC) - timedelta(days=60))
        )
    with hq.ws.read() as session:
        review = imports_under_current_key(session, "SEL", date.today() - timedelta(days=7))
    KeyService(hq.ws).trust("SEL", rotation.new_key)
    forged_number = hq_case(hq, case_id).number
    assert review.bundles == 1 and review.cases == (forged_number,)
    said = key_review_message(review)
    assert said.startswith("Since ") and "HQ imported 1 bundle from SEL," in said
    assert f"it holds 1 of SEL's cases as they wrote them: {forged_number}." in said
    assert "review these cases with SEL" in said

    sel.cases.update_case(case_id, CaseChanges(description="Employer paid the wages."))
    number = hq_case(hq, case_id).number
    genuine = tmp_path / "genuine.qbundle"
    sel.exchange.export_cases(genuine, [hq.recipient])
    report = hq.exchange.import_bundle(genuine)

    forged_version, sent = hq_copy["version"] + 5, hq_copy["version"] + 1
    assert report.local_newer >= 1
    [warning] = [w for w in report.warnings if number in w]
    assert f"{number} (version {forged_version} here, from bundle {forged_id} received" in warning
    assert f"version {sent} sent)" in warning
    assert "forged bundle" in warning and "old backup" in warning
    # What is imported is as before: HQ keeps the higher version.
    assert hq_case(hq, case_id).description == "Case closed, nothing owed."
    with hq.ws.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "bundle.older_than_here")
        ).scalar_one()
    assert entry.entity_id == report.bundle_id and entry.details["source"] == "SEL"
    older = entry.details["older"]
    assert list(older) == [number]
    assert older[number]["here"] == forged_version and older[number]["sent"] == sent
    assert older[number]["bundle"] == forged_id and older[number]["received"]


def test_a_bundle_that_reaches_hq_after_a_later_one_names_its_older_cases_too(
    sel: Site,  # noqa: F811 - the fixture
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A bundle imported after a newer one of the same mission (sent out of order) leaves its
    older copies out as before, and names them too: HQ cannot tell it from the attack (the time
    a bundle states is the forger's to choose), so the warning says both."""
    sel.exchange.export_cases(tmp_path / "first.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "first.qbundle")
    case_id = first_case_id(hq)
    sel.cases.update_case(case_id, CaseChanges(description="First."))
    sel.exchange.export_cases(tmp_path / "older.qbundle", [hq.recipient])
    sel.cases.update_case(case_id, CaseChanges(description="Second."))
    sel.exchange.export_cases(tmp_path / "newer.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "newer.qbundle")
    report = hq.exchange.import_bundle(tmp_path / "older.qbundle")
    assert hq_case(hq, case_id).description == "Second."
    number = hq_case(hq, case_id).number
    [warning] = [w for w in report.warnings if number in w]
    assert "reached HQ after a later one" in warning and "forged bundle" in warning


def case_ids(site: Site) -> list[str]:
    with site.ws.read() as session:
        return list(session.execute(select(Case.id)).scalars())


@pytest.mark.sqlcipher_only  # the command signs in to HQ as its SQLCipher installation does
def test_keys_trust_replacing_a_key_says_what_came_signed_with_the_old_one(
    sel: Site,  # noqa: F811 - the fixture
    hq: Site,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sel.exchange.export_cases(tmp_path / "first.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "first.qbundle")
    new_key = KeyService(sel.ws).rotate().new_key

    numbers = sorted(hq_case(sel, c).number for c in case_ids(sel))
    hq.ws.close()  # the command signs in on its own
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    data_dir = str(hq.paths.data_dir)
    trust = ("--data-dir", data_dir, "keys", "trust", "SEL", new_key)

    wrong = run_cli(capsys, *trust, "--review-since", "2026-13-01")
    assert wrong.code == 2 and "is not a date (YYYY-MM-DD)" in wrong.err
    trusted = run_cli(capsys, *trust)
    assert trusted.code == 0, trusted.err
    assert "HQ imported 1 bundle from SEL, signed with the replaced key" in trusted.out
    assert f"it holds 6 of SEL's cases as they wrote them: {', '.join(numbers)}." in trusted.out
    assert "review these cases with SEL" in trusted.out
    hq.ws = unlock(hq.paths, "admin", PASSWORD)  # closed again by the fixture
