"""Accounts as the audit log made them, compared with the ``user`` rows.

Anyone holding the database key (every signed-in user, or a revoked one while her re-key
waits) can write a ``user`` row of her own, or raise her role, straight into the file. Every
account Qorgau makes or changes has an audit entry written in the same transaction (setup,
``user.add`` by an administrator, ``user.role``, ``user.revoke``, a recovery, a restore), so
the log, replayed in order, says which accounts should be active and with which role. An
active row the replay does not give, or gives another role, was written outside Qorgau: it
may not sign in, a re-key seals it no key, and the administrator is told.

The chain itself is not keyed, so the same key holder could append a ``user.add`` naming an
administrator. Hence each account has a signing key (Ed25519, derived from the X25519 key its
slot wraps under the password: ``keyslots.account_signing_key``), and the entries of
``SIGNED_ACTIONS`` carry the acting user's signature over the entry and its place in the
chain (``audit.signed_message``). The replay gives each account the key the history
established: the administrator's in ``installation.init`` (the root), a new user's in her
``user.add`` (signed by an administrator), a new password's in ``user.passwd`` (signed by
the key before it) or ``user.reset_password`` (by an administrator), a recovered one's in
``installation.recover``; or the keys a restore re-publishes (``backup.restore``, a migration
copy put back), signed by the restoring administrator: the restored history is older than the
key file kept and knows none of the passwords set since. An entry in the name of an account
with a key counts only with that key's signature. A recovery is signed by the recovery or
escrow slot that opened the file, whose keys (derived alike) are on record from setup,
``recovery.rotate`` and ``escrow.slot``.

Migration: entries an older version wrote carry no keys and are judged as before; such an
account gets a key at its next sign-in with its password (``user.signing_key``, signed by the
new key itself: first come, first kept). Until the administrator has signed in once with this
version, an entry forged in her name still passes.

Limits. The root is the setup entry, pinned nowhere but in the log: a key holder who writes
the whole history again from setup can give the administrator a key of her own and sign as
her. That is told, not stopped: the administrator's next sign-in unlocks another key than the
history gives her (``user.signing_key_differs``, named by ``audit verify``), and HQ, holding
the head of the mission's earlier bundles, refuses a history that drops them
(``audit_anchor``). A recovery through a slot an older version made (no key on record) is
judged as before, so a key holder can forge one until the recovery key is replaced (the
recovery slot's key cannot be put on record without the recovery key: its X25519 private key,
from which the signing key is derived, only the recovery key unwraps). A restore entry that is
not signed by an administrator (an older version's, or forged) only deactivates accounts.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditEntry, User
from app.domain.codes import Role, label
from app.domain.roles import USER_MANAGERS
from app.i18n import _
from app.security.audit import SIGNATURE, Signer, _details, signed_message

# The details' key under which an entry gives an account its signing key (base64), and those
# giving the recovery and escrow slots theirs (``installation.recover`` is signed by one).
SIGNING_KEY = "signing_key"
RECOVERY_KEY = "recovery_signing_key"
ESCROW_KEY = "escrow_signing_key"
_SLOT_KEYS = {"recovery_key": RECOVERY_KEY, "escrow": ESCROW_KEY}  # by recovery method
# A restore's (``backup.restore``, or a migration copy put back) keys of the history it
# replaced: {user name: key, RECOVERY_KEY: key, ESCROW_KEY: key}.
SIGNING_KEYS = "signing_keys"
RESTORE_ACTIONS = ("backup.restore", "backup.restore_migration_copy")
# A restore's account entries of the history it replaced, after the restored copy's last one
# (each as [seq, prev_hash, actor, action, entity_id, details]): they tell the key the
# restoring administrator signs with when her password changed after the backup.
SINCE = "account_entries_since"
# The entries a signed-in user signs with her account key (``Workspace.audit``).
SIGNED_ACTIONS = frozenset(
    {
        "user.add",
        "user.role",
        "user.revoke",
        "user.passwd",
        "user.reset_password",
        "user.signing_key",
        "recovery.rotate",
        "escrow.slot",
        *RESTORE_ACTIONS,
    }
)
# Written at a sign-in whose unlocked key is not the one the history gives her (unsigned).
KEY_DIFFERS = "user.signing_key_differs"
# The actions that make an account, change its role, its signing key or end it.
_ACCOUNT_ACTIONS = (
    "installation.init",
    "installation.recover",
    *RESTORE_ACTIONS,
    KEY_DIFFERS,
    *sorted(SIGNED_ACTIONS),
)


def signer(key: Ed25519PrivateKey) -> Signer:
    return lambda message: base64.b64encode(key.sign(message)).decode("ascii")


@dataclass
class _Audited:
    role: str
    active: bool = True
    added_by: str = ""  # set when the account was added by someone not an administrator
    key: str = ""  # its signing key as the history gave it; "" for one from before signing
    forged_by: str = ""  # added in this name, without this name's signature
    key_differs: bool = False  # her password unlocked another key than ``key`` at a sign-in


@dataclass(frozen=True)
class AccountFinding:
    """An active account its audit history does not account for, in words."""

    username: str
    kind: str  # not_audited | not_by_admin | forged | role | revoked
    message: str


def _signed_by(key: str, entry: Any, details: dict[str, Any]) -> bool:
    """Whether ``details`` carry a signature of the entry by the account key ``key``."""
    seq, prev_hash, actor, action, name, _raw = entry
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key, validate=True))
        signature = base64.b64decode(str(details.get(SIGNATURE, "")), validate=True)
        public.verify(signature, signed_message(seq, prev_hash, actor, action, name, details))
    except (InvalidSignature, TypeError, ValueError):
        return False
    return True


def audited_accounts(session: Session) -> dict[str, _Audited]:
    """Each account as the audit log made it, replayed in order.

    An entry in the name of an account the history gave a signing key counts only with that
    key's signature; one in the name of an account from before signing is judged as before
    (it has no key until its first sign-in with this version publishes one)."""
    return _replay(session)[0]


def _replay(session: Session) -> tuple[dict[str, _Audited], dict[str, str]]:
    """The accounts, and the recovery and escrow slots' keys, as the log gives them."""
    replay = _Replay()
    for entry in _account_entries(session):
        replay.step(entry)
    return replay.accounts, replay.slot_keys


@dataclass
class _Replay:
    """The account entries' effect so far, one entry at a time."""

    accounts: dict[str, _Audited] = field(default_factory=dict)
    # The recovery and escrow slots' signing keys, once given.
    slot_keys: dict[str, str] = field(default_factory=dict)
    set_up_signed: bool = False  # by this version: every slot's key is on record from the start
    carried: bool = False  # replaying a restore's ``SINCE`` entries

    def step(self, entry: Any) -> None:
        _seq, _prev, actor, action, name, details = entry
        details = _details(details)
        details = details if isinstance(details, dict) else {}
        accounts, slot_keys = self.accounts, self.slot_keys
        new_key = details.get(SIGNING_KEY)
        new_key = new_key if isinstance(new_key, str) else ""
        by = accounts.get(actor)
        signed = by is None or not by.key or _signed_by(by.key, entry, details)
        by_admin = by is not None and by.active and by.role in USER_MANAGERS
        if action == "installation.init":
            accounts[actor] = _Audited(Role.ADMIN, key=new_key)  # the root: see docs/security.md
            self.slot_keys = {RECOVERY_KEY: str(details.get(RECOVERY_KEY) or "")}
            self.set_up_signed = bool(self.slot_keys[RECOVERY_KEY])
        elif action == KEY_DIFFERS:
            if by is not None and actor == name and by.key and details.get("history") == by.key:
                by.key_differs = True
        elif action == "installation.recover":  # whoever holds the recovery key, by design
            # Signed by the slot it names, whose key is on record; a slot an older version
            # made, whose key is not, is judged as before.
            method_key = slot_keys.get(_SLOT_KEYS.get(str(details.get("method")), ""), "")
            if (not method_key and not self.set_up_signed) or _signed_by(
                method_key, entry, details
            ):
                accounts[name] = _Audited(Role.ADMIN, key=new_key)
        elif action in ("recovery.rotate", "escrow.slot"):
            for detail in (RECOVERY_KEY, ESCROW_KEY):
                given = details.get(detail)
                if signed and by_admin and by is not None and by.key and isinstance(given, str):
                    slot_keys[detail] = given
        elif action in RESTORE_ACTIONS:
            for gone in details.get("deactivated") or []:  # shutting out needs no signature
                if gone in accounts:
                    accounts[gone].active = False
            # The keys the history replaced by the restore had given: taken only from an
            # administrator's signed entry, else a key holder could hand herself any account.
            if self._restored_by_admin(entry, details):
                _take_keys(accounts, slot_keys, details)
        elif action == "user.add" and not signed and by_admin:  # her name, not her hand
            if name not in accounts:
                accounts[name] = _Audited(str(details.get("role", "")), forged_by=actor)
        elif action == "user.add":
            role = str(details.get("role", ""))
            accounts[name] = _Audited(role, True, "" if by_admin else actor, new_key)
        elif not signed or name not in accounts:
            return
        elif action == "user.role" and by_admin:
            accounts[name].role = str(details.get("to", ""))
        elif action == "user.revoke":
            accounts[name].active = False
        elif action == "user.reset_password" and by_admin and new_key:
            accounts[name].key, accounts[name].key_differs = new_key, False
        elif action in ("user.passwd", "user.signing_key") and actor == name and new_key:
            # Her own new key: signed by the key she had, or, for her first, by the new one
            # (so it is hers to use; who got in first is told at the next sign-in).
            if by is not None and (by.key or _signed_by(new_key, entry, details)):
                accounts[name].key, accounts[name].key_differs = new_key, False

    def _restored_by_admin(self, entry: Any, details: dict[str, Any]) -> bool:
        """Whether a restore entry is signed by an active administrator with a key: by the
        key this history gives her, or, when her password changed after the backup, by the
        one the replaced history's entries since then (``SINCE``, each checked at its own
        place in that history) gave her."""
        if self._signed_by_admin(entry, details):
            return True
        trial = self._with_entries_since(details)
        return trial is not None and trial._signed_by_admin(entry, details)

    def _signed_by_admin(self, entry: Any, details: dict[str, Any]) -> bool:
        by = self.accounts.get(entry[2])
        if by is None or not by.active or by.role not in USER_MANAGERS or not by.key:
            return False
        return _signed_by(by.key, entry, details)

    def _with_entries_since(self, details: dict[str, Any]) -> _Replay | None:
        since = details.get(SINCE)
        # One level: a restore among the entries carried is judged without its own.
        if self.carried or not isinstance(since, list) or not since:
            return None
        trial = copy.deepcopy(self)
        trial.carried = True
        for carried in since:
            if (
                isinstance(carried, list)
                and len(carried) == 6
                and isinstance(carried[0], int)
                and all(isinstance(part, str) for part in carried[1:5])
            ):
                trial.step(tuple(carried))
        return trial


def _take_keys(
    accounts: dict[str, _Audited], slot_keys: dict[str, str], details: dict[str, Any]
) -> None:
    """A restore's ``SIGNING_KEYS``: each account's and slot's key as the history it replaced
    gave them (the key file kept holds those passwords, not the backup's)."""
    given = details.get(SIGNING_KEYS)
    if not isinstance(given, dict):
        return
    for name, key in given.items():
        if name in accounts and isinstance(key, str) and key:
            accounts[name].key, accounts[name].key_differs = key, False
    for detail in (RECOVERY_KEY, ESCROW_KEY):
        key = given.get(detail)
        if isinstance(key, str) and key:
            slot_keys[detail] = key


def current_keys(session: Session, usernames: list[str]) -> dict[str, str]:
    """What a restore re-publishes (``SIGNING_KEYS``): the keys this history gives the
    accounts named (those with a key slot now) and the recovery and escrow slots."""
    accounts, slot_keys = _replay(session)
    keys = {n: accounts[n].key for n in usernames if n in accounts and accounts[n].key}
    return keys | {detail: key for detail, key in slot_keys.items() if key}


def slot_signing_keys(session: Session) -> dict[str, str]:
    """The recovery and escrow slots' keys the history gives (by ``RECOVERY_KEY`` and
    ``ESCROW_KEY``; "" or absent for a slot an older version made)."""
    return _replay(session)[1]


def entries_since(session: Session, after: int) -> list[list[Any]]:
    """The account entries after ``seq`` ``after``, as a restore carries them (``SINCE``)."""
    return [
        [seq, prev_hash, actor, action, name, _details(details)]
        for seq, prev_hash, actor, action, name, details in _account_entries(session)
        if seq > after
    ]


def signing_key_of(session: Session, username: str) -> tuple[str, bool]:
    """The account signing key the history gives ``username`` ("" for none yet), and whether
    a sign-in found it not hers since it was given."""
    audited = audited_accounts(session).get(username)
    return (audited.key, audited.key_differs) if audited is not None else ("", False)


def _account_entries(session: Session) -> list[Any]:
    """The entries of ``_ACCOUNT_ACTIONS`` in ``seq`` order (a few among millions)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        query = select(
            AuditEntry.seq,
            AuditEntry.prev_hash,
            AuditEntry.actor,
            AuditEntry.action,
            AuditEntry.entity_id,
            AuditEntry.details,
        ).where(AuditEntry.action.in_(_ACCOUNT_ACTIONS))
        return sorted(session.execute(query).all())
    # The action index named, and the rows sorted here: statistics taken while the log was
    # small (or of a log of sign-ins) make SQLite walk the whole log for these few rows,
    # 0.2–0.4 s at a million entries, at every sign-in.
    marks = ", ".join("?" * len(_ACCOUNT_ACTIONS))
    return sorted(
        connection.exec_driver_sql(
            "SELECT seq, prev_hash, actor, action, entity_id, details FROM audit_entry "
            f"INDEXED BY ix_audit_entry_action WHERE action IN ({marks})",
            _ACCOUNT_ACTIONS,
        ).all()
    )


def account_findings(session: Session, username: str | None = None) -> list[AccountFinding]:
    """Active accounts (or the one named) whose row the audit history does not give."""
    query = select(User.username, User.role).where(User.active.is_(True))
    if username is not None:
        query = query.where(User.username == username)
    rows = session.execute(query.order_by(User.username)).all()
    if not rows:
        return []
    audited = audited_accounts(session)
    found = []
    for name, role in rows:
        finding = _finding(name, role, audited.get(name))
        if finding is not None:
            found.append(finding)
    return found


def key_findings(session: Session) -> list[AccountFinding]:
    """Accounts whose password, at a sign-in since their key last changed, unlocked another
    signing key than the history gives them (``audit verify``)."""
    found = []
    for name, audited in sorted(audited_accounts(session).items()):
        if audited.active and audited.key_differs:
            message = _(
                "The audit log gives the account {user} a signing key that its password does "
                "not unlock: someone holding the database key rewrote the account's history, "
                "or a backup from before its new password was restored. Compare the log with "
                "headquarters' copy, then reset the account's password."
            ).format(user=name)
            found.append(AccountFinding(name, "key", message))
    return found


def account_messages(session: Session) -> dict[str, str]:
    """The findings by user name (Settings → Users)."""
    return {f.username: f.message for f in account_findings(session)}


def _finding(name: str, role: str, audited: _Audited | None) -> AccountFinding | None:
    if audited is None:
        return AccountFinding(
            name,
            "not_audited",
            _(
                "The account {user} has no entry in the audit log: no administrator added it "
                "through Qorgau, it was written into the database directly. It cannot sign in; "
                "revoke it."
            ).format(user=name),
        )
    if audited.forged_by:
        return AccountFinding(
            name,
            "forged",
            _(
                "The account {user} was added in the audit log in the name of {actor}, but "
                "without {actor}'s signature: someone holding the database key wrote the "
                "entry. It cannot sign in; revoke it."
            ).format(user=name, actor=audited.forged_by),
        )
    if audited.added_by:
        return AccountFinding(
            name,
            "not_by_admin",
            _(
                "The account {user} was added by {actor}, who was not an administrator then. "
                "It cannot sign in; revoke it."
            ).format(user=name, actor=audited.added_by),
        )
    if not audited.active:
        return AccountFinding(
            name,
            "revoked",
            _(
                "The account {user} is active, but the audit log shows it revoked: it was "
                "brought back in the database directly. It cannot sign in; revoke it again."
            ).format(user=name),
        )
    if role != audited.role:
        return AccountFinding(
            name,
            "role",
            _(
                "The account {user} has the role “{role}”, but the audit log gives it "
                "“{audited}”: the role was changed in the database directly. It cannot sign "
                "in until an administrator gives it a role again, or revokes it."
            ).format(user=name, role=_role_label(role), audited=_role_label(audited.role)),
        )
    return None


def _role_label(role: str) -> str:
    try:
        return label(Role(role))
    except ValueError:
        return role
