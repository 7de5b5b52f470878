"""A revoked officer's copy of the mission's age identity (it decrypts what the mission sends,
which is encrypted to its own recipient too, and what HQ sends it).

Revocation replaces the identity with the signing key: the mission's next bundles, and HQ's
once it registers the new recipient, open for her copy no more; HQ's bundles to the old
recipient still open at the mission meanwhile; a restore keeps the new identity.
"""

from __future__ import annotations

from pathlib import Path

import pyrage
from sqlalchemy import select

from app.db.models import AuditEntry, LocalSecret
from app.exchange.package import parse_identities
from app.services.backup import create_backup, restore_backup
from app.services.installation import AGE_IDENTITY, unlock
from app.services.keys import KEPT_IDENTITIES, KeyService, fingerprint
from app.services.users import UserService
from tests.conftest import PASSWORD
from tests.integration.test_exchange import (  # noqa: F401 - fixtures
    Site,
    hq,
    sel,
    sites,
)


def _her_copy(site: Site) -> list[pyrage.x25519.Identity]:
    """What any officer reads from the database while she is one."""
    with site.ws.read() as session:
        row = session.get(LocalSecret, AGE_IDENTITY)
        assert row is not None
        return parse_identities(bytes(row.value).decode("ascii"))


def _opens(identities: list[pyrage.x25519.Identity], bundle: Path) -> bool:
    try:
        pyrage.decrypt(bundle.read_bytes(), identities)
    except pyrage.DecryptError:
        return False
    return True


def test_a_revoked_officers_copy_of_the_age_identity_opens_no_later_bundle(
    sel: Site,  # noqa: F811 - the fixture
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    UserService(sel.ws).add("aigul", "attache", PASSWORD)
    stolen = _her_copy(sel)
    old_recipient = sel.recipient
    before = tmp_path / "before.qbundle"
    sel.exchange.export_cases(before, [hq.recipient])
    assert _opens(stolen, before)  # the mission's bundles are encrypted to itself too

    rotation = UserService(sel.ws).revoke("aigul").key_rotation
    assert rotation is not None
    assert rotation.old_recipient == old_recipient != rotation.new_recipient == sel.recipient
    assert rotation.recipient_fingerprint == fingerprint(rotation.new_recipient)
    with sel.ws.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "keys.rotate")
        ).scalar_one()
    assert entry.details["age_recipient"] == rotation.new_recipient
    assert entry.details["age_recipient_replaced"] == old_recipient

    # What the mission sends from now on: HQ opens it, her copy does not.
    after = tmp_path / "after.qbundle"
    sel.exchange.export_cases(after, [hq.recipient])
    assert not _opens(stolen, after)
    # (HQ trusts the new signing key first, as the administrator was told.)
    KeyService(hq.ws).trust("SEL", rotation.new_key)
    assert hq.exchange.import_bundle(after).source_mission == "SEL"

    # HQ, not yet told the new recipient, still encrypts to the old one: the mission opens it.
    library_old = tmp_path / "library-old.qbundle"
    hq.exchange.export_agreements(library_old, all_changes=True)
    assert _opens(stolen, library_old)  # what HQ's delay leaves open to her, documented
    sel.exchange.import_bundle(library_old)

    # HQ registers the new recipient: its bundles open at the mission, not with her copy.
    KeyService(hq.ws).trust("SEL", rotation.new_key, rotation.new_recipient)
    library_new = tmp_path / "library-new.qbundle"
    hq.exchange.export_agreements(library_new, all_changes=True)
    assert not _opens(stolen, library_new)
    sel.exchange.import_bundle(library_new)


def test_old_identities_are_kept_a_few_rotations_then_dropped(
    sel: Site,  # noqa: F811 - the fixture
) -> None:
    first = _her_copy(sel)[0]
    for _round in range(KEPT_IDENTITIES):
        KeyService(sel.ws).rotate()
    kept = [str(i) for i in _her_copy(sel)]
    assert len(kept) == KEPT_IDENTITIES and str(first) not in kept
    assert str(_her_copy(sel)[0].to_public()) == sel.recipient  # the newest first


def test_a_restore_of_a_backup_from_before_the_revocation_keeps_the_new_identity(
    sel: Site,  # noqa: F811 - the fixture
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    UserService(sel.ws).add("aigul", "attache", PASSWORD)
    stolen = _her_copy(sel)
    out = tmp_path / "before.qbackup"
    create_backup(sel.ws, out)
    rotation = UserService(sel.ws).revoke("aigul").key_rotation
    assert rotation is not None
    sel.ws.close()
    restore_backup(sel.paths, out, "admin", PASSWORD, confirmed=True)
    ws = unlock(sel.paths, "admin", PASSWORD)
    try:
        assert KeyService(ws).own_keys().age_recipient == rotation.new_recipient
        with ws.read() as session:
            row = session.get(LocalSecret, AGE_IDENTITY)
            assert row is not None
            kept = parse_identities(bytes(row.value).decode("ascii"))
            entry = session.execute(
                select(AuditEntry).where(AuditEntry.action == "backup.restore")
            ).scalar_one()
        assert str(kept[0].to_public()) == rotation.new_recipient
        assert entry.details["kept_current_keys"]["age_recipient"] == rotation.new_recipient
    finally:
        ws.close()
    assert str(stolen[0]) in [str(i) for i in kept]  # kept to open HQ's older bundles
