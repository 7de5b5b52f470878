"""An officer holding the database key writes accounts straight into the file.

Aigul, an attaché, holds the file's key like every signed-in user (and a revoked officer
while her re-key waits). With it she opens ``qorgau.db`` with SQLCipher directly, bypassing
the services, and

- inserts an administrator "ghost" with a key slot of its own, to sign in as, and to be sealed
  the new key when she is revoked;
- raises her own role to administrator;
- brings a revoked colleague back.

None of these has the audit entry Qorgau writes with every account it makes or changes (nor
can she forge one in the administrator's name, which needs the administrator's signature), so
each account is refused at sign-in (nothing written), named to the administrator in Settings →
Users and by ``audit verify``, and sealed no key by a re-key.
"""

from __future__ import annotations

import pytest

from app.config import Paths
from app.db.raw import open_raw
from app.errors import AuthError
from app.security import audit
from app.security.keyslots import KeySlotStore
from app.security.rekey import key_opens
from app.services.audit_log import AuditLogService
from app.services.installation import unlock
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.security.folder import cli_as, folder_bytes

REFUSED = (
    "This account was not set up by an administrator through Qorgau, or its role was "
    "changed outside Qorgau, so it cannot sign in. Ask the administrator to look at "
    "Settings → Users."
)
GHOST = (
    "The account ghost has no entry in the audit log: no administrator added it through "
    "Qorgau, it was written into the database directly. It cannot sign in; revoke it."
)
RAISED = (
    "The account aigul has the role “Administrator”, but the audit log gives it “Labour attaché”: "
    "the role was changed in the database directly. It cannot sign in until an "
    "administrator gives it a role again, or revokes it."
)


def _her_key(paths: Paths) -> bytes:
    return KeySlotStore(paths.keyslots).unlock("aigul", PASSWORD)


def _sql(paths: Paths, statement: str, *params: object) -> None:
    """What she runs with the key, outside Qorgau."""
    conn = open_raw(paths.db, _her_key(paths))
    try:
        conn.execute(statement, params)
    finally:
        conn.close()


def _insert_ghost(paths: Paths) -> None:
    _sql(
        paths,
        "INSERT INTO user (id, username, full_name, full_name_latin, position_kk, position_ru,"
        " position_en, role, phone, active, created_at, failed_attempts)"
        " VALUES ('00000000-0000-4000-8000-00000000beef', 'ghost', '', '', '', '', '',"
        " 'admin', '', 1, '2026-12-01 09:00:00.000000', 0)",
    )
    KeySlotStore(paths.keyslots).set_slot("ghost", PASSWORD, _her_key(paths))


def _refused_and_nothing_changed(paths: Paths, username: str) -> None:
    before = folder_bytes(paths.data_dir)
    with pytest.raises(AuthError) as refused:
        unlock(paths, username, PASSWORD)
    assert str(refused.value) == REFUSED
    assert folder_bytes(paths.data_dir) == before


def test_an_account_inserted_with_the_key_is_refused_flagged_and_sealed_no_key(
    installation: Paths,
    open_ws: OpenWs,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _insert_ghost(installation)

    _refused_and_nothing_changed(installation, "ghost")

    admin = open_ws("admin")
    listed = {u.username: u for u in UserService(admin).list()}
    assert listed["ghost"].finding == GHOST
    assert [u.finding for u in listed.values() if u.username != "ghost"] == ["", "", "", ""]
    check = AuditLogService(admin).verify()
    assert [(p.kind, p.message) for p in check.problems] == [("account", GHOST)]
    admin.close()
    verified = cli_as(
        capsys, monkeypatch, installation.data_dir, "admin", PASSWORD, "audit", "verify"
    )
    assert verified.code == 1
    assert GHOST in verified.out

    # Her revocation re-keys the file: the new key is sealed to no slot of the ghost.
    old_key = _her_key(installation)
    admin = open_ws("admin")
    UserService(admin).revoke("aigul")
    admin.close()
    assert "ghost" not in KeySlotStore(installation.keyslots).usernames()
    assert not key_opens(installation.db, old_key)
    with pytest.raises(AuthError):
        unlock(installation, "ghost", PASSWORD)


def test_a_role_raised_with_the_key_is_refused_until_an_administrator_sets_it(
    installation: Paths, open_ws: OpenWs
) -> None:
    _sql(installation, "UPDATE user SET role = 'admin' WHERE username = 'aigul'")

    _refused_and_nothing_changed(installation, "aigul")
    admin = open_ws("admin")
    assert {u.username: u.finding for u in UserService(admin).list()}["aigul"] == RAISED
    assert [p.message for p in AuditLogService(admin).verify().problems] == [RAISED]

    # The administrator gives her the role she had, through Qorgau, audited: she is back.
    UserService(admin).set_role("aigul", "attache")
    assert AuditLogService(admin).verify().problems == []
    aigul = open_ws("aigul")
    assert aigul.actor.role == "attache"


def test_a_revoked_account_brought_back_with_the_key_stays_out(
    installation: Paths, open_ws: OpenWs
) -> None:
    admin = open_ws("admin")
    UserService(admin).revoke("serik")
    admin.close()
    # Aigul sets serik active again and gives him a slot under the file's present key.
    _sql(installation, "UPDATE user SET active = 1 WHERE username = 'serik'")
    KeySlotStore(installation.keyslots).set_slot("serik", PASSWORD, _her_key(installation))

    _refused_and_nothing_changed(installation, "serik")
    admin = open_ws("admin")
    assert {u.username: u.finding for u in UserService(admin).list()}["serik"] == (
        "The account serik is active, but the audit log shows it revoked: it was brought back "
        "in the database directly. It cannot sign in; revoke it again."
    )


def test_an_account_added_in_the_log_by_someone_not_an_administrator_is_refused(
    installation: Paths, open_ws: OpenWs
) -> None:
    """She writes the row and a chain-consistent ``user.add`` entry in her own name."""
    _insert_ghost(installation)
    aigul = open_ws("aigul")
    with aigul.write() as session:
        audit.record(session, "aigul", "user.add", "user", "ghost", {"role": "admin"})
    aigul.close()

    _refused_and_nothing_changed(installation, "ghost")
    admin = open_ws("admin")
    assert [p.message for p in AuditLogService(admin).verify().problems] == [
        "The account ghost was added by aigul, who was not an administrator then. "
        "It cannot sign in; revoke it."
    ]


def test_an_entry_forged_in_the_administrators_name_is_refused(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The administrator's entries carry her account key's signature, which Aigul cannot
    make: one she appends in the administrator's name makes no account (more in
    tests/security/test_signed_account_changes.py)."""
    _insert_ghost(installation)
    aigul = open_ws("aigul")
    with aigul.write() as session:
        audit.record(session, "admin", "user.add", "user", "ghost", {"role": "admin"})
    aigul.close()

    _refused_and_nothing_changed(installation, "ghost")
    admin = open_ws("admin")
    assert [p.message for p in AuditLogService(admin).verify().problems] == [
        "The account ghost was added in the audit log in the name of admin, but without "
        "admin's signature: someone holding the database key wrote the entry. It cannot sign "
        "in; revoke it."
    ]


def test_genuine_accounts_and_their_history_are_not_flagged(
    installation: Paths, open_ws: OpenWs
) -> None:
    admin = open_ws("admin")
    users = UserService(admin)
    users.add("dana", "attache", PASSWORD)
    users.set_role("dana", "consul")
    users.revoke("serik")
    assert [u.finding for u in users.list()] == ["", "", "", "", ""]
    assert AuditLogService(admin).verify().problems == []
    admin.close()
    assert open_ws("dana").actor.role == "consul"
