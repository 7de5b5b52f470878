"""Account changes signed by the administrator who made them.

Aigul, an attaché, holds the database key like every signed-in user (and, once revoked, while
her re-key waits). With it she writes ``user`` rows and audit entries straight into the file,
chain and all. An entry in an administrator's name now counts only with the signature of that
administrator's account key, which only her password unwraps (``app.security.user_ledger``):
Aigul's forgeries are refused at sign-in and named to the administrator. Entries an older
version wrote, unsigned, are judged as before until their account's next sign-in publishes
its key; a history rewritten from setup with another key for the administrator is told at her
next sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select

from app.config import Paths
from app.db.engine import Database
from app.db.models import AuditEntry, Counter
from app.db.raw import open_raw
from app.errors import AuthError, PermissionDenied
from app.security import audit
from app.security.keyring_store import SecretStore, unlock_entry_name
from app.security.keyslots import KeySlotStore, signing_public
from app.security.user_ledger import SIGNED_ACTIONS, SIGNING_KEY, signer
from app.services.audit_log import AuditLogService
from app.services.installation import (
    open_workspace,
    remember_unlock,
    unlock,
    unlock_with_keyring,
)
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.security.folder import folder_bytes
from tests.security.test_rekey_waits import revoke_beside_open_window

NEW_PASSWORD = "a brand new password"
REFUSED = (
    "This account was not set up by an administrator through Qorgau, or its role was "
    "changed outside Qorgau, so it cannot sign in. Ask the administrator to look at "
    "Settings → Users."
)
FORGED = (
    "The account ghost was added in the audit log in the name of admin, but without admin's "
    "signature: someone holding the database key wrote the entry. It cannot sign in; revoke it."
)

Entry = tuple[str, str, str, str, dict[str, Any]]  # actor, action, entity, entity_id, details


def _her_signing_key(paths: Paths, username: str = "aigul") -> Ed25519PrivateKey:
    key = KeySlotStore(paths.keyslots).open_slot(username, PASSWORD).signing_key()
    assert key is not None
    return key


def _her_key(paths: Paths) -> bytes:
    return KeySlotStore(paths.keyslots).unlock("aigul", PASSWORD)


def _sql(paths: Paths, key: bytes, statement: str) -> None:
    conn = open_raw(paths.db, key)
    try:
        conn.execute(statement)
    finally:
        conn.close()


def _append(paths: Paths, key: bytes, entry: Entry, sign: Ed25519PrivateKey | None) -> None:
    """An entry appended with the key, chain-consistent, as Qorgau's own code writes one."""
    actor, action, entity, entity_id, details = entry
    db = Database(paths.db, key)
    try:
        with db.write() as session:
            audit.record(
                session, actor, action, entity, entity_id, details, signer(sign) if sign else None
            )
    finally:
        db.dispose()


def aigul_forges_a_recovery(installation: Paths) -> None:
    """Aigul makes herself administrator in the database and records it as a recovery she
    took, signed with her own account key (not the recovery slot's)."""
    key = _her_key(installation)
    _sql(installation, key, "UPDATE user SET role = 'admin' WHERE username = 'aigul'")
    mine = signing_public(_her_signing_key(installation))
    taken = {"method": "recovery_key", "existing_user": True, SIGNING_KEY: mine}
    _append(
        installation,
        key,
        ("aigul", "installation.recover", "user", "aigul", taken),
        _her_signing_key(installation),
    )


def _rewrite_history(
    paths: Paths,
    key: bytes,
    change: Callable[[Entry], Entry | None],
    sign_as: tuple[str, Ed25519PrivateKey] | None = None,
) -> None:
    """The whole log written again from setup, each entry through ``change`` (None: left
    out), the chain and its counter recomputed, the entries of ``sign_as``'s user signed with
    the key given: what a key holder can do, and what an older version's log looks like once
    its signing keys and signatures are taken out."""
    db = Database(paths.db, key)
    try:
        with db.write() as session:
            rows = session.execute(
                select(
                    AuditEntry.actor,
                    AuditEntry.action,
                    AuditEntry.entity,
                    AuditEntry.entity_id,
                    AuditEntry.details,
                ).order_by(AuditEntry.seq)
            ).all()
            session.execute(delete(AuditEntry))
            counter = session.get(Counter, audit.AUDIT_COUNTER)
            assert counter is not None
            counter.value = 0
            session.flush()
            for row in rows:
                changed = change((row[0], row[1], row[2], row[3], dict(row[4] or {})))
                if changed is None:
                    continue
                sign = None
                if sign_as is not None and changed[0] == sign_as[0]:
                    sign = signer(sign_as[1]) if changed[1] in SIGNED_ACTIONS else None
                audit.record(session, *changed, sign=sign)
    finally:
        db.dispose()


def _unsigned(entry: Entry) -> Entry | None:
    """As an older version wrote it: no account keys, no signatures."""
    actor, action, entity, entity_id, details = entry
    if action == "user.signing_key":
        return None
    details = {k: v for k, v in details.items() if k not in (SIGNING_KEY, audit.SIGNATURE)}
    return actor, action, entity, entity_id, details


def _insert_ghost(paths: Paths, key: bytes) -> None:
    _sql(
        paths,
        key,
        "INSERT INTO user (id, username, full_name, full_name_latin, position_kk, position_ru,"
        " position_en, role, phone, active, created_at, failed_attempts)"
        " VALUES ('00000000-0000-4000-8000-00000000beef', 'ghost', '', '', '', '', '',"
        " 'admin', '', 1, '2026-12-01 09:00:00.000000', 0)",
    )
    KeySlotStore(paths.keyslots).set_slot("ghost", PASSWORD, key)


def _ghost_added_in_the_admins_name(paths: Paths, sign: Ed25519PrivateKey | None) -> None:
    """The entry, with the ghost's own signing key, as this version writes one (without it
    when unsigned, as an older version wrote it)."""
    ghost_key = KeySlotStore(paths.keyslots).open_slot("ghost", PASSWORD).signing_key()
    assert ghost_key is not None
    details = {"role": "admin"} | ({SIGNING_KEY: signing_public(ghost_key)} if sign else {})
    _append(paths, _her_key(paths), ("admin", "user.add", "user", "ghost", details), sign)


def _refused(paths: Paths, username: str, folder_unchanged: bool = True) -> None:
    before = folder_bytes(paths.data_dir)
    with pytest.raises(AuthError) as refused:
        unlock(paths, username, PASSWORD)
    assert str(refused.value) == REFUSED
    if folder_unchanged:  # else the open folds her raw writes' log into the file
        assert folder_bytes(paths.data_dir) == before


@pytest.mark.parametrize("signed_with_her_key", [False, True])
def test_a_user_added_in_the_administrators_name_by_an_officer_is_refused_and_flagged(
    installation: Paths, open_ws: OpenWs, signed_with_her_key: bool
) -> None:
    """The attack the limit used to let through: the ghost row, its slot and a chain-consistent
    ``user.add`` naming the administrator, unsigned or signed with Aigul's own key."""
    _insert_ghost(installation, _her_key(installation))
    sign = _her_signing_key(installation) if signed_with_her_key else None
    _ghost_added_in_the_admins_name(installation, sign)

    _refused(installation, "ghost")
    admin = open_ws("admin")
    assert {u.username: u.finding for u in UserService(admin).list()}["ghost"] == FORGED
    assert [p.message for p in AuditLogService(admin).verify().problems] == [FORGED]


def test_a_role_raised_with_an_entry_forged_in_the_administrators_name_is_refused(
    installation: Paths, open_ws: OpenWs
) -> None:
    key = _her_key(installation)
    _sql(installation, key, "UPDATE user SET role = 'admin' WHERE username = 'aigul'")
    details = {"from": "attache", "to": "admin", "unapproved": []}
    entry = ("admin", "user.role", "user", "aigul", details)
    _append(installation, key, entry, _her_signing_key(installation))

    _refused(installation, "aigul")
    admin = open_ws("admin")
    assert (
        "the role was changed in the database directly"
        in ({u.username: u.finding for u in UserService(admin).list()}["aigul"])
    )


def test_a_revoked_officer_bringing_herself_back_with_a_forged_entry_stays_out(
    installation: Paths, open_ws: OpenWs
) -> None:
    """Revoked while Serik's window is open, so the file keeps the key she held. With it she
    sets her row active again and appends a ``user.add`` and a ``user.role`` in the
    administrator's name giving her the administrator's role; then signs in with that key."""
    her_signing_key = _her_signing_key(installation)
    her_old_key, _serik, admin = revoke_beside_open_window(open_ws, installation)
    _sql(
        installation,
        her_old_key,
        "UPDATE user SET active = 1, role = 'admin' WHERE username = 'aigul'",
    )
    again = {"role": "admin", SIGNING_KEY: signing_public(her_signing_key)}
    _append(installation, her_old_key, ("admin", "user.add", "user", "aigul", again), None)
    raised = {"from": "attache", "to": "admin", "unapproved": []}
    _append(
        installation,
        her_old_key,
        ("admin", "user.role", "user", "aigul", raised),
        her_signing_key,
    )

    database_id = KeySlotStore(installation.keyslots).database_id()
    with pytest.raises(AuthError) as refused:
        open_workspace(installation, "aigul", her_old_key, database_id)
    assert str(refused.value) == REFUSED
    assert {u.username: u.finding for u in UserService(admin).list()}["aigul"] == (
        "The account aigul is active, but the audit log shows it revoked: it was brought back "
        "in the database directly. It cannot sign in; revoke it again."
    )


def test_an_older_installations_unsigned_entries_pass_as_before_until_keys_are_published(
    installation: Paths, open_ws: OpenWs
) -> None:
    """Entries written before this version carry no keys: the accounts they made pass as
    before, and so does an entry forged in the name of an administrator who has not signed
    in since (the migration's window, documented). Her sign-in publishes her key; from then
    on an entry in her name needs her signature."""
    key = _her_key(installation)
    _rewrite_history(installation, key, _unsigned)
    _insert_ghost(installation, key)
    _ghost_added_in_the_admins_name(installation, None)  # before her first sign-in: passes
    ghost = open_ws("ghost")
    assert ghost.actor.role == "admin"
    ghost.close()

    admin = open_ws("admin")  # publishes her key, signed by itself
    with admin.read() as session:
        published = session.execute(
            select(AuditEntry.actor).where(AuditEntry.action == "user.signing_key")
        ).all()
    assert published == [("ghost",), ("admin",)]  # each at its first sign-in
    assert [u.finding for u in UserService(admin).list()] == [""] * 5  # the ghost too
    assert AuditLogService(admin).verify().problems == []
    admin.close()

    # Now the same forgery for another ghost is refused.
    _sql(
        installation,
        key,
        "UPDATE user SET id = '00000000-0000-4000-8000-00000000dead', username = 'ghost2'"
        " WHERE username = 'ghost'",
    )
    ghost_key = signing_public(Ed25519PrivateKey.generate())
    forged = ("admin", "user.add", "user", "ghost2", {"role": "admin", SIGNING_KEY: ghost_key})
    _append(installation, key, forged, _her_signing_key(installation))
    KeySlotStore(installation.keyslots).set_slot("ghost2", PASSWORD, key)
    _refused(installation, "ghost2", folder_unchanged=False)


def test_new_passwords_keep_account_changes_signed(installation: Paths, open_ws: OpenWs) -> None:
    """The administrator changes her own password, resets Aigul's, and Aigul changes hers:
    each new password's key goes on record, signed by the key before it, and what each signs
    afterwards counts."""
    admin = open_ws("admin")
    UserService(admin).change_password("admin", NEW_PASSWORD)
    UserService(admin).add("dana", "attache", PASSWORD)  # signed with the new key
    UserService(admin).change_password("aigul", NEW_PASSWORD)
    admin.close()

    again = unlock(installation, "admin", NEW_PASSWORD)
    UserService(again).set_role("dana", "consul")
    again.close()
    aigul = unlock(installation, "aigul", NEW_PASSWORD)
    UserService(aigul).change_password("aigul", PASSWORD)
    aigul.close()
    assert unlock(installation, "dana", PASSWORD).actor.role == "consul"
    aigul = open_ws("aigul")

    with aigul.read() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert "user.signing_key_differs" not in actions
    assert AuditLogService(aigul).verify().problems == []


def test_a_history_rewritten_from_setup_with_her_own_key_is_told_at_the_administrators_sign_in(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The limit, stated: Aigul rewrites the whole log from setup, giving the administrator
    her own key instead. Her forged entries then check out. The administrator's next sign-in
    unlocks another key than the one the history gives her: recorded, and ``audit verify``
    names it (and HQ holds the mission's earlier head: tests/security/test_audit_anchor.py)."""
    key = _her_key(installation)
    hers = _her_signing_key(installation)

    def admin_gets_her_key(entry: Entry) -> Entry | None:
        actor, action, entity, entity_id, details = entry
        details = {k: v for k, v in details.items() if k != audit.SIGNATURE}
        if action == "installation.init":
            details[SIGNING_KEY] = signing_public(hers)
        return actor, action, entity, entity_id, details

    _rewrite_history(installation, key, admin_gets_her_key, sign_as=("admin", hers))
    _insert_ghost(installation, key)
    _ghost_added_in_the_admins_name(installation, hers)
    assert open_ws("ghost").actor.role == "admin"  # what a whole rewrite buys her

    admin = open_ws("admin")
    problems = [p.message for p in AuditLogService(admin).verify().problems]
    assert problems == [
        "The audit log gives the account admin a signing key that its password does not "
        "unlock: someone holding the database key rewrote the account's history, or a backup "
        "from before its new password was restored. Compare the log with headquarters' copy, "
        "then reset the account's password."
    ]


def test_unlock_on_this_computer_keeps_signing_and_an_older_entry_asks_for_the_password(
    installation: Paths, open_ws: OpenWs
) -> None:
    memory_keyring = SecretStore()  # the test's own file-backed keyring (tests/conftest.py)
    admin = open_ws("admin")
    assert remember_unlock(admin, memory_keyring)
    admin.close()
    kept = unlock_with_keyring(installation, "admin", memory_keyring)
    assert kept is not None
    UserService(kept).add("dana", "attache", PASSWORD)
    kept.close()
    assert open_ws("dana").actor.role == "attache"

    # An entry an older version kept: the database key and the public key, no signing key.
    entry = unlock_entry_name(KeySlotStore(installation.keyslots).database_id(), "admin")
    value = memory_keyring.get(entry)
    assert value is not None
    memory_keyring.set(entry, value[:64])
    older = unlock_with_keyring(installation, "admin", memory_keyring)
    assert older is not None
    with pytest.raises(PermissionDenied) as refused:
        UserService(older).add("erlan", "attache", PASSWORD)
    assert str(refused.value) == (
        "Changes to accounts are signed with your own key, which only your password unlocks. "
        "Sign out, sign in with your password, and try again."
    )
    older.close()


def test_a_recovery_forged_by_an_officer_makes_her_no_administrator(
    installation: Paths, open_ws: OpenWs
) -> None:
    """``installation.recover`` makes whoever holds the recovery key an administrator; it is
    signed by the recovery slot's key, put on record at setup, which Aigul cannot make."""
    aigul_forges_a_recovery(installation)

    _refused(installation, "aigul")
    admin = open_ws("admin")
    assert (
        "the role was changed in the database directly"
        in ({u.username: u.finding for u in UserService(admin).list()}["aigul"])
    )
