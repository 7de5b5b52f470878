"""Accounts as the audit log made them, compared with the ``user`` rows.

Anyone holding the database key (every signed-in user, or a revoked one while her re-key
waits) can write a ``user`` row of her own, or raise her role, straight into the file. Every
account Qorgau makes or changes has an audit entry written in the same transaction (setup,
``user.add`` by an administrator, ``user.role``, ``user.revoke``, a recovery, a restore), so
the log, replayed in order, says which accounts should be active and with which role. An
active row the replay does not give, or gives another role, was written outside Qorgau: it
may not sign in, a re-key seals it no key, and the administrator is told.

Limit: the chain is not keyed. The same key holder can append a forged ``user.add`` naming an
administrator and re-sign the head with the mission's key, which is in the file too; that
passes here. It cannot be taken back, though: once the next bundle carried it, HQ holds its
hash and refuses a history without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditEntry, User
from app.domain.codes import Role, label
from app.domain.roles import USER_MANAGERS
from app.i18n import _
from app.security.audit import _details

# The actions that make an account, change its role or end it.
_ACCOUNT_ACTIONS = (
    "installation.init",
    "installation.recover",
    "user.add",
    "user.role",
    "user.revoke",
    "backup.restore",
)


@dataclass
class _Audited:
    role: str
    active: bool = True
    added_by: str = ""  # set when the account was added by someone not an administrator


@dataclass(frozen=True)
class AccountFinding:
    """An active account its audit history does not account for, in words."""

    username: str
    kind: str  # not_audited | not_by_admin | role | revoked
    message: str


def audited_accounts(session: Session) -> dict[str, _Audited]:
    """Each account as the audit log made it, replayed in order."""
    accounts: dict[str, _Audited] = {}
    for _seq, actor, action, name, details in _account_entries(session):
        details = _details(details)
        details = details if isinstance(details, dict) else {}
        by = accounts.get(actor)
        by_admin = by is not None and by.active and by.role in USER_MANAGERS
        if action == "installation.init":
            accounts[actor] = _Audited(Role.ADMIN)
        elif action == "installation.recover":  # whoever holds the recovery key, by design
            accounts[name] = _Audited(Role.ADMIN)
        elif action == "user.add":
            accounts[name] = _Audited(str(details.get("role", "")), True, "" if by_admin else actor)
        elif action == "user.role" and name in accounts and by_admin:
            accounts[name].role = str(details.get("to", ""))
        elif action == "user.revoke" and name in accounts:
            accounts[name].active = False
        elif action == "backup.restore":
            for gone in details.get("deactivated") or []:
                if gone in accounts:
                    accounts[gone].active = False
    return accounts


def _account_entries(session: Session) -> list[Any]:
    """The entries of ``_ACCOUNT_ACTIONS`` in ``seq`` order (a few among millions)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        query = select(
            AuditEntry.seq,
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
            "SELECT seq, actor, action, entity_id, details FROM audit_entry "
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
