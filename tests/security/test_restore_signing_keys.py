"""Account signing keys after a restore, and a restore entry forged to reset them.

A restore under the kept key file brings back an older history: one that gives an account the
key of the password it had then, while her slot holds the one she chose since. The restore's
entry, signed by the restoring administrator, re-publishes the keys the replaced history gave
(``user_ledger.SIGNING_KEYS``), so her next sign-in finds nothing amiss. Aigul, an attaché
holding the database key, writes such an entry herself to hand the administrator her own key:
unsigned, or signed by her, it resets nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.engine import Database
from app.db.migrate import MIGRATION_COPY_PREFIX
from app.db.models import AuditEntry
from app.security import audit
from app.security.keyslots import KeySlotStore, signing_public
from app.security.user_ledger import (
    KEY_DIFFERS,
    SIGNING_KEY,
    SIGNING_KEYS,
    SINCE,
    signer,
    signing_key_of,
)
from app.services.audit_log import AuditLogService
from app.services.backup import backup_database, create_backup, restore_backup
from app.services.installation import unlock
from app.services.migration_copies import migration_copies, restore_migration_copy
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, OpenWs
from tests.security.test_signed_account_changes import (
    FORGED,
    _append,
    _ghost_added_in_the_admins_name,
    _her_key,
    _her_signing_key,
    _insert_ghost,
    _refused,
)

NEW_PASSWORD = "a brand new password"


def _key_differs(ws: Workspace) -> list[tuple[str, str]]:
    with ws.read() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.action).where(AuditEntry.action == KEY_DIFFERS)
        ).all()
    return [(actor, action) for actor, action in rows]


def _backup(installation: Paths, tmp_path: Path) -> Path:
    ws = unlock(installation, "admin", PASSWORD)
    try:
        return create_backup(ws, tmp_path / "before.qbackup").path
    finally:
        ws.close()


def _aigul_changes_her_password(installation: Paths) -> None:
    aigul = unlock(installation, "aigul", PASSWORD)
    try:
        UserService(aigul).change_password("aigul", NEW_PASSWORD)
    finally:
        aigul.close()


def _no_finding_at_her_sign_in(installation: Paths) -> None:
    aigul = unlock(installation, "aigul", NEW_PASSWORD)
    try:
        assert _key_differs(aigul) == []
        with aigul.read() as session:
            given, flagged = signing_key_of(session, "aigul")
        assert aigul.signing_key is not None
        assert (given, flagged) == (signing_public(aigul.signing_key), False)
    finally:
        aigul.close()
    admin = unlock(installation, "admin", PASSWORD)
    try:
        assert _key_differs(admin) == []
        assert AuditLogService(admin).verify().problems == []
    finally:
        admin.close()


def test_a_backup_from_before_her_new_password_restored_raises_no_false_finding(
    installation: Paths, tmp_path: Path
) -> None:
    """The false alarm the unsigned restore raised: Aigul changes her password after the
    backup; the administrator restores it; Aigul signs in with her new password."""
    backup = _backup(installation, tmp_path)
    _aigul_changes_her_password(installation)

    restore_backup(installation, backup, "admin", PASSWORD, confirmed=True)

    _no_finding_at_her_sign_in(installation)


def test_a_restore_by_an_administrator_whose_own_password_is_newer_than_the_backup(
    installation: Paths, tmp_path: Path
) -> None:
    """The restored history gives the administrator the key of her password then; she signs
    the restore with her new one, and the entries since (her ``user.passwd``, signed by the
    old key) tell the restored history how she got it."""
    backup = _backup(installation, tmp_path)
    _aigul_changes_her_password(installation)
    admin = unlock(installation, "admin", PASSWORD)
    try:
        UserService(admin).change_password("admin", NEW_PASSWORD)
    finally:
        admin.close()

    restore_backup(installation, backup, "admin", NEW_PASSWORD, confirmed=True)

    for username in ("aigul", "admin"):
        ws = unlock(installation, username, NEW_PASSWORD)
        try:
            assert _key_differs(ws) == []
            assert AuditLogService(ws).verify().problems == []
        finally:
            ws.close()
    # And what she signs afterwards counts: an account she adds may sign in.
    admin = unlock(installation, "admin", NEW_PASSWORD)
    try:
        UserService(admin).add("dana", "attache", PASSWORD)
    finally:
        admin.close()
    assert unlock(installation, "dana", PASSWORD).actor.role == "attache"


def test_a_migration_copy_from_before_her_new_password_raises_no_false_finding(
    installation: Paths,
) -> None:
    """Settings → Backups puts back a copy taken before an update (here of this database
    version, under the same key): the same re-publication as a restore."""
    admin = unlock(installation, "admin", PASSWORD)
    try:
        with admin.read() as session:
            version = (
                session.connection()
                .exec_driver_sql("SELECT version_num FROM alembic_version")
                .scalar_one()
            )
        name = f"{MIGRATION_COPY_PREFIX}{version}-20261201-090000.db"
        backup_database(admin.db, installation.backups / name)
    finally:
        admin.close()
    _aigul_changes_her_password(installation)

    (copy,) = migration_copies(installation)
    restore_migration_copy(installation, copy, "admin", PASSWORD)

    _no_finding_at_her_sign_in(installation)


def test_a_restore_on_a_new_laptop_keeps_each_key_with_its_password(
    installation: Paths, tmp_path: Path
) -> None:
    """The wizard's restore into an empty folder takes the backup's key file with it: each
    password of then opens the key the restored history gives it."""
    backup = _backup(installation, tmp_path)
    laptop = Paths(tmp_path / "laptop")
    restore_backup(laptop, backup, "admin", PASSWORD)
    for username in ("admin", "aigul"):
        ws = unlock(laptop, username, PASSWORD)
        try:
            assert _key_differs(ws) == []
            assert AuditLogService(ws).verify().problems == []
        finally:
            ws.close()


def _forged_restore(
    installation: Paths, actor: str, signed_by_her: bool, since: bool = False
) -> None:
    """Aigul's entry giving the administrator her own key, as a restore would; ``since``:
    with a ``user.passwd`` of the administrator's to that key among the entries it carries,
    signed by Aigul, as if the administrator had changed her password."""
    mine = signing_public(_her_signing_key(installation))
    details: dict[str, Any] = {"created_at": None, "deactivated": [], SIGNING_KEYS: {"admin": mine}}
    if since:
        passwd = {SIGNING_KEY: mine}
        message = audit.signed_message(9999, "0" * 64, "admin", "user.passwd", "admin", passwd)
        passwd[audit.SIGNATURE] = signer(_her_signing_key(installation))(message)
        details[SINCE] = [[9999, "0" * 64, "admin", "user.passwd", "admin", passwd]]
    sign = _her_signing_key(installation) if signed_by_her else None
    entry = (actor, "backup.restore", "installation", "KZ-TEST", details)
    _append(installation, _her_key(installation), entry, sign)


@pytest.mark.parametrize(
    ("actor", "signed_by_her", "since"),
    [
        ("admin", False, False),
        ("admin", True, False),
        ("aigul", True, False),
        ("admin", True, True),
    ],
    ids=[
        "unsigned-in-the-admins-name",
        "signed-by-her-in-the-admins-name",
        "her-own",
        "with-a-password-change-of-the-admins-forged-among-those-since",
    ],
)
def test_a_restore_entry_forged_by_an_officer_resets_no_key(
    installation: Paths, open_ws: OpenWs, actor: str, signed_by_her: bool, since: bool
) -> None:
    """With her key in the administrator's place, Aigul's ghost added in the administrator's
    name, signed by her, would pass: the forged restore gives her nothing."""
    admin_key = signing_public(_her_signing_key(installation, "admin"))
    _forged_restore(installation, actor, signed_by_her, since)
    _insert_ghost(installation, _her_key(installation))
    _ghost_added_in_the_admins_name(installation, _her_signing_key(installation))

    _refused(installation, "ghost")
    admin = open_ws("admin")
    with admin.read() as session:
        assert signing_key_of(session, "admin") == (admin_key, False)
    assert _key_differs(admin) == []
    assert {u.username: u.finding for u in UserService(admin).list()}["ghost"] == FORGED


def test_a_genuine_restore_entry_is_signed_by_the_restoring_administrator(
    installation: Paths, tmp_path: Path
) -> None:
    backup = _backup(installation, tmp_path)
    restore_backup(installation, backup, "admin", PASSWORD, confirmed=True)
    key = KeySlotStore(installation.keyslots).unlock("admin", PASSWORD)
    db = Database(installation.db, key)
    try:
        with db.read() as session:
            details = session.execute(
                select(AuditEntry.details).where(AuditEntry.action == "backup.restore")
            ).scalar_one()
    finally:
        db.dispose()
    assert set(details[SIGNING_KEYS]) >= {"admin", "aigul", "serik", "recovery_signing_key"}
    assert details["signature"]
