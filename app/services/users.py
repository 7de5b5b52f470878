"""Users of one installation: their key slots (or, at an HQ on a database server, their server
accounts) and their roles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.config import Paths
from app.db.models import AuditEntry, Case, Letter, LocalSecret, Setting, User
from app.db.raw import whole_file_lock
from app.domain.codes import EventKind, LetterStatus, Role, label
from app.domain.events import SystemEvent, event_data
from app.domain.roles import HQ_KEY_USERS, SENIOR_ROLES, USER_MANAGERS, roles_to_give
from app.domain.workflow import OPEN_STATUSES
from app.errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    QorgauError,
    StorageFull,
    ValidationError,
)
from app.i18n import N_, Said, _, lazy, ngettext
from app.security.keyring_store import SecretStore, unlock_entry_name
from app.security.keyslots import (
    ESCROW_SLOT,
    RECOVERY_SLOT,
    KeySlotStore,
    account_signing_key,
    check_password_strength,
    new_database_key,
    signing_public,
)
from app.security.private_files import lock_is_free
from app.security.rekey import Rekeyed, RekeyWaitsForRoom, rekey_installation
from app.security.user_ledger import (
    ESCROW_KEY,
    SIGNING_KEY,
    account_findings,
    account_messages,
    signing_key_of,
    slot_signing_keys,
)
from app.security.waiting_secret import is_sealed, seal, unseal
from app.services import hq_database
from app.services.installation import check_role, check_username, remember_unlock
from app.services.keys import KeyRotation, KeyService, rotation_failed_message
from app.services.rows import add_case_event
from app.services.workspace import Workspace


@dataclass(frozen=True)
class UserInfo:
    username: str
    role: str
    full_name: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    full_name_latin: str = ""
    positions: tuple[str, str, str] = ("", "", "")  # kk, ru, en: the title letters print
    # What the audit log says against an active account written outside Qorgau (in words).
    finding: str = ""


@dataclass(frozen=True)
class SignatureDetails:
    """How letters name a user: the name in Cyrillic and Latin, the position per language."""

    full_name: str
    full_name_latin: str
    position_kk: str
    position_ru: str
    position_en: str


@dataclass(frozen=True)
class Revocation:
    """What a revocation did: the users whose old slots could not receive the new key; at
    an HQ on a server, how many open sessions of the user it ended (None: it may not)."""

    username: str
    need_password_reset: list[str] = field(default_factory=list)
    sessions_ended: int | None = 0
    released: list[str] = field(default_factory=list)  # their open cases, now assigned to nobody
    unapproved: list[str] = field(default_factory=list)  # cases of letters they had approved
    rekey_waiting: bool = False  # other windows held the file: it keeps its old key for now
    # The user kept "unlock on this computer" in this OS account: see shared_os_account_message.
    shared_os_account: bool = False
    # An administrator or consul, now or before, may have seen the printed recovery key,
    # which still makes whoever holds it an administrator: it should be replaced.
    saw_recovery_key: bool = False
    # The mission's signing key, readable by every user, replaced after the re-key; None at
    # HQ, or when replacing it failed (``rotation_error`` says why: the old key still signs).
    key_rotation: KeyRotation | None = None
    rotation_error: str = ""
    # At HQ: the user worked, now or before, with HQ's private keys, which a revocation does
    # not replace (every mission would refuse HQ at once): see hq_keys_advice.
    used_hq_keys: bool = False


def shared_os_account_message(username: str) -> str:
    """After shutting out someone who kept "unlock on this computer" in this OS account."""
    return _(
        "{user} kept a key for “unlock on this computer” in this computer account, so they "
        "use this account too: no key kept here opens the database now, and yours was not "
        "renewed (sign in here with your password). Take {user}'s access to this computer "
        "account away, and keep “unlock on this computer” for accounts used by one person."
    ).format(user=username)


def recovery_key_advice(username: str) -> str:
    """After revoking someone who may have seen the recovery sheet: what is still open to them."""
    return _(
        "{user} was an administrator or a consul, and may have seen the printed recovery key "
        "in the mission's safe. Whoever has seen it can still recover access and make "
        "themselves an administrator: replace the recovery key and put the new sheet in the "
        "safe."
    ).format(user=username)


def hq_keys_advice(username: str) -> str:
    """After revoking, at HQ, someone who worked with HQ's private keys: what is still open to
    them, how to close it, and what closing it costs the missions."""
    return _(
        "{user} worked with headquarters' private keys (its signing key and age identity) and "
        "may have kept a copy. Revoking {user} does not replace them: with a copy, they can "
        "still sign library updates, transfers and escrow policies that every mission accepts, "
        "and read the bundles the missions send. If {user} could have copied them, replace "
        "them with 'qorgau keys rotate' on the computer that keeps them. What it costs the "
        "missions: each refuses headquarters' bundles and escrow policies until its "
        "administrator has compared the new keys' fingerprints with headquarters by telephone "
        "or diplomatic mail and trusted them; until then the missions' bundles still reach "
        "headquarters."
    ).format(user=username)


def _role_ever_in(session: Session, user: User, roles: frozenset[Role]) -> bool:
    """Whether the user's role is, or once was, one of ``roles`` (role changes are audited)."""
    if Role(user.role) in roles:
        return True
    changes = session.execute(
        select(AuditEntry.details).where(
            AuditEntry.entity_id == user.username, AuditEntry.action == "user.role"
        )
    ).scalars()
    return any(isinstance(details, dict) and details.get("from") in roles for details in changes)


def _may_have_seen_recovery_key(session: Session, user: User) -> bool:
    """The sheet is printed by administrators (setup, a rotation) and kept in the safe the
    head of section opens: anyone who is, or was, an administrator or a consul."""
    return _role_ever_in(session, user, SENIOR_ROLES)


def rekey_waiting_message(username: str) -> str:
    """A revocation whose re-key waits for other windows: what is true now and what is left."""
    return _(
        "{user} can no longer sign in with their password. The database file keeps its old key "
        "for now, because another Qorgau window or command (or an import or export in this "
        "window) has it open; the old key is retired once they are closed: at the next "
        "sign-in, or when this window closes if it is the last. Everyone else signs in as "
        "usual meanwhile."
    ).format(user=username)


def reset_rekey_waiting_message(username: str) -> str:
    """A password reset whose re-key waits for other windows."""
    return _(
        "The old password of {user} opens nothing any more. The database file keeps its old "
        "key until the other Qorgau windows and commands on this computer are closed; it is "
        "replaced at the next sign-in after that."
    ).format(user=username)


def revocation_cut_short_message(username: str) -> str:
    """A revocation stopped by a full disk before the database key changed."""
    return _(
        "{user} can no longer sign in to Qorgau: the account is deactivated. But the disk "
        "holding Qorgau's data is full, so the database key was not changed: until it is, "
        "the key {user} held still opens the database file. Nothing was lost. Free some "
        "space on that disk, then sign in again: the sign-in changes the key."
    ).format(user=username)


def revoked_key_changed_message(username: str) -> str:
    """A revocation whose re-key was done, and a full disk stopped what follows it."""
    return _(
        "{user} can no longer sign in to Qorgau, and the key they held opens nothing current: "
        "the database has a new key."
    ).format(user=username)


def rekey_unrecorded_message() -> str:
    return _(
        "The disk holding Qorgau's data is full, so the last steps of the change were not "
        "all recorded; the next sign-in finishes what it can. Nothing was lost. Free some "
        "space on that disk."
    )


def released_message(username: str, numbers: list[str]) -> str:
    """What a revocation did to the user's open cases, for the window and the command."""
    return ngettext(
        "{n} open case of {user} is now assigned to nobody: find it in Cases under "
        "“Not assigned” and give it to another officer.",
        "{n} open cases of {user} are now assigned to nobody: find them in Cases under "
        "“Not assigned” and give them to other officers.",
        len(numbers),
    ).format(n=len(numbers), user=username)


def _release_open_cases(session: Session, username: str, ws: Workspace) -> list[str]:
    """A revoked officer's open cases held here go back to nobody, each with a timeline entry:
    they wait under "Not assigned" for the consul, not in a list that no one opens any more;
    their numbers. Closed cases keep the officer who handled them."""
    rows = (
        session.execute(
            select(Case).where(
                Case.assigned_to == username,
                Case.status.in_([s.value for s in OPEN_STATUSES]),
                Case.deleted_at.is_(None),
                Case.holder_mission == ws.mission_code,  # a copy held elsewhere is not ours
            )
        )
        .scalars()
        .all()
    )
    for row in rows:
        row.assigned_to = None
        add_case_event(
            session,
            row.id,
            EventKind.ASSIGNMENT,
            ws.actor.username,
            "",
            data=event_data(SystemEvent.ASSIGNMENT_REMOVED),
        )
    return sorted(row.number for row in rows)


def _withdraw_approvals(session: Session, username: str, ws: Workspace) -> list[str]:
    """Letters the revoked consul approved that are not issued yet go back to draft: issued
    later, they would carry the name and position of someone who no longer signs for the
    mission. Their cases' numbers, one per letter."""
    rows = session.execute(
        select(Letter, Case.number)
        .join(Case, Case.id == Letter.case_id)
        .where(
            Letter.approved_by == username,
            Letter.status == LetterStatus.APPROVED.value,
            Letter.deleted_at.is_(None),
            Case.holder_mission == ws.mission_code,
        )
    ).all()
    for letter, _number in rows:
        letter.status = LetterStatus.DRAFT.value
        letter.approved_by = None
    return sorted(number for _letter, number in rows)


def role_changed_message(username: str, role: str) -> str:
    return _(
        "{user} is {role} now; a window they have open refuses its next action and asks them "
        "to sign in again."
    ).format(user=username, role=label(Role(role)))


def unapproved_message(numbers: list[str]) -> str:
    return ngettext(
        "{n} letter this user approved and nobody issued yet is a draft again (cases: "
        "{numbers}): another consul approves it.",
        "{n} letters this user approved and nobody issued yet are drafts again (cases: "
        "{numbers}): another consul approves them.",
        len(numbers),
    ).format(n=len(numbers), numbers=", ".join(dict.fromkeys(numbers)))


def _info(user: User) -> UserInfo:
    return UserInfo(
        user.username,
        user.role,
        user.full_name,
        user.active,
        user.created_at,
        user.last_login_at,
        user.full_name_latin,
        (user.position_kk, user.position_ru, user.position_en),
    )


class UserService:
    def __init__(self, workspace: Workspace, store: SecretStore | None = None) -> None:
        self.ws = workspace
        self.slots = KeySlotStore(workspace.paths.keyslots)
        self.store = store

    def list(self) -> list[UserInfo]:
        with self.ws.read() as session:
            users = session.execute(select(User).order_by(User.username)).scalars().all()
            found = {} if self.ws.on_server else account_messages(session)
            return [replace(_info(u), finding=found.get(u.username, "")) for u in users]

    def roles_to_give(self) -> tuple[Role, ...]:
        """The roles that fit this installation (the add-user dialog offers these only)."""
        return roles_to_give(self.ws.mission.is_hq, self.ws.on_server)

    def _check_role_fits(self, role: str) -> None:
        check_role(role)
        fitting = self.roles_to_give()
        if role not in fitting:
            raise ValidationError(
                _("The role {role} does not fit this installation; use one of: {roles}.").format(
                    role=role, roles=", ".join(fitting)
                ),
                field="role",
            )

    def _check_password(self, password: str) -> None:
        check_password_strength(password)
        if self.ws.on_server:
            hq_database.check_server_password(password)

    def add(self, username: str, role: str, password: str, full_name: str = "") -> UserInfo:
        """A new user; at an HQ on a server, also their server account in the group of their
        role, in the same transaction (as ``qorgau hq add-user`` does)."""
        self.ws.require_role(*USER_MANAGERS)
        check_username(username)
        self._check_role_fits(role)
        self._check_password(password)
        require_signing_key(self.ws)
        private = X25519PrivateKey.generate()  # her key pair, made first to publish its key
        with self.ws.write() as session:
            existing = session.execute(
                select(User).where(User.username == username)
            ).scalar_one_or_none()
            if existing is not None:
                raise _already_exists(username)
            user = User(username=username, role=role, full_name=full_name)
            session.add(user)
            try:
                session.flush()
            except IntegrityError as exc:
                # Another administrator added the same name meanwhile (on a server, this
                # insert waited for theirs): said in words, not as the database's error.
                raise _already_exists(username) from exc
            details = {"role": role}
            if not self.ws.on_server:
                details[SIGNING_KEY] = signing_public(account_signing_key(private))
            self.ws.audit(session, "user.add", "user", username, details)
            session.flush()
            # The slot (or server account) is made last: if it fails, the transaction rolls
            # back with it.
            if self.ws.on_server:
                with hq_database.server_errors():
                    connection = session.connection()
                    if hq_database.role_exists(connection, username):
                        raise ValidationError(
                            _(
                                "The server has a role named {name} already; nothing was changed."
                            ).format(name=username),
                            field="username",
                        )
                    kind = hq_database.KIND_OF_ROLE[role]
                    hq_database.create_login_role(connection, username, kind, password)
            else:
                self.slots.stage_slot(
                    username, password, self.ws.db.key, self.ws.pending_key, private
                )
            added = _info(user)
        if not self.ws.on_server:
            self.slots.confirm_staged(username)  # the account is committed: its slot is too
        return added

    def change_password(self, username: str, new_password: str) -> Rekeyed | None:
        """A user changes their own password; an administrator resets anyone's.

        A reset re-keys the database: whoever knew the old password (the reason for many a
        reset) and copied the key file, or kept the key for "unlock on this computer", held
        the database key itself, which no new slot takes back. Returns what that re-key did
        (None for a user's own change): the users whose old slots could not receive the new
        key, and whether it waits for other windows (the file keeps its old key till then)."""
        if username != self.ws.actor.username and self.ws.actor.role not in USER_MANAGERS:
            raise PermissionDenied(_("Only an administrator can reset another user's password."))
        self._check_password(new_password)
        require_signing_key(self.ws)
        private = X25519PrivateKey.generate()  # the new password's key pair
        new_signing_key = account_signing_key(private)
        with self.ws.write() as session:
            user = self._get(session, username)
            if not user.active:
                raise ValidationError(_("The user {name} is revoked.").format(name=username))
            action = "user.passwd" if username == self.ws.actor.username else "user.reset_password"
            # The new password's signing key, signed with the key of whoever changes it.
            details = {} if self.ws.on_server else {SIGNING_KEY: signing_public(new_signing_key)}
            self.ws.audit(session, action, "user", username, details)
            if self.ws.on_server:
                # The server account's password: the server lets the user themself or an
                # administrator (CREATEROLE) change it, and refuses anyone else.
                with hq_database.server_errors():
                    hq_database.set_login_password(session.connection(), username, new_password)
            else:
                self.slots.stage_slot(
                    username, new_password, self.ws.db.key, self.ws.pending_key, private
                )
        if self.ws.on_server:
            return None
        self.slots.confirm_staged(username)  # the new key is in the history: the slot follows
        if action == "user.passwd":
            self.ws.signing_key = new_signing_key
        rekeyed = None
        if action == "user.reset_password":
            rekeyed = rekey_workspace(self.ws, self.slots, None, self.store)
        self._renew_or_forget_unlock(username)
        return rekeyed

    def _renew_or_forget_unlock(self, username: str) -> None:
        """After a new password: the user's own "unlock on this computer" follows it; anyone
        else's entry here is deleted (one kept elsewhere opens nothing now, being bound to the
        old password's key pair: see ``unlock_with_keyring``)."""
        if self.store is None:
            return
        entry = unlock_entry_name(self.ws.database_id, username)
        if username == self.ws.actor.username and self.store.get(entry) is not None:
            remember_unlock(self.ws, self.store)
        else:
            self.store.delete(entry)

    def set_signature(self, username: str, details: SignatureDetails) -> UserInfo:
        """Name and positions letters print; an administrator sets anyone's, a user their own."""
        if username != self.ws.actor.username:
            self.ws.require_role(*USER_MANAGERS)
        values = {
            "full_name": (details.full_name, _("The full name")),
            "full_name_latin": (details.full_name_latin, _("The name in Latin letters")),
            "position_kk": (details.position_kk, _("The position in Kazakh")),
            "position_ru": (details.position_ru, _("The position in Russian")),
            "position_en": (details.position_en, _("The position in English")),
        }
        cleaned = {}
        for name, (value, text) in values.items():
            value = " ".join((value or "").split())
            if len(value) > 200 or any(ord(ch) < 32 for ch in value):
                raise ValidationError(
                    _("{label} is too long or has characters that cannot be printed.").format(
                        label=text
                    ),
                    name,
                )
            cleaned[name] = value
        if re.search(r"[\u0400-\u04ff]", cleaned["full_name_latin"] + cleaned["position_en"]):
            raise ValidationError(
                _("The Latin name and the English position are written in Latin letters."),
                "full_name_latin",
            )
        with self.ws.write() as session:
            user = self._get(session, username)
            for name, value in cleaned.items():
                setattr(user, name, value)
            self.ws.audit(session, "user.signature", "user", username)
            session.flush()
            return _info(user)

    def set_role(self, username: str, role: str) -> tuple[str, ...]:
        """Give a user another role (an attaché made consul, a consul's duties handed over).
        A window they have open refuses its next session and signs them out (Workspace).
        A user who no longer approves letters leaves none approved in their name: those not
        issued yet are drafts again, as at a revocation; their cases' numbers are returned."""
        self.ws.require_role(*USER_MANAGERS)
        if self.ws.on_server:
            # The server's grants follow the group role, which this does not change.
            raise ValidationError(
                _(
                    "At an HQ on a database server a user's role is their server group; "
                    "revoke the user and add them again with the new role."
                ),
                field="role",
            )
        self._check_role_fits(role)
        require_signing_key(self.ws)
        with self.ws.write() as session:
            user = self._get(session, username)
            if not user.active:
                raise ValidationError(
                    _("{name} is revoked; add a new account instead.").format(name=username)
                )
            if user.role == role and not account_findings(session, username):
                return ()  # a role changed outside Qorgau is set again, and so audited
            if user.role == Role.ADMIN and role != Role.ADMIN:
                self._keep_one_admin(session, username)
            approves_no_more = Role(user.role) in SENIOR_ROLES and Role(role) not in SENIOR_ROLES
            unapproved = _withdraw_approvals(session, username, self.ws) if approves_no_more else []
            self.ws.audit(
                session,
                "user.role",
                "user",
                username,
                {"from": user.role, "to": role, "unapproved": unapproved},
            )
            user.role = role
            return tuple(unapproved)

    def revoke(self, username: str) -> Revocation:
        """Deactivate the account (its history stays) and re-key the database.

        The revoked user's slot goes; the database gets a new key, sealed to every other
        user's public key (they need not be here: their next sign-in rewraps their slot), so
        her old slot, a copy of the key file or a key kept in a keyring opens nothing current.
        """
        self.ws.require_role(*USER_MANAGERS)
        if username == self.ws.actor.username:
            raise ValidationError(_("You cannot revoke your own account."))
        require_signing_key(self.ws)
        with self.ws.write() as session:
            user = self._get(session, username)
            if user.role == Role.ADMIN:
                self._keep_one_admin(session, username)
            saw_key = _may_have_seen_recovery_key(session, user)
            used_hq_keys = self.ws.mission.is_hq and _role_ever_in(session, user, HQ_KEY_USERS)
            user.active = False
            released = _release_open_cases(session, username, self.ws)
            unapproved = _withdraw_approvals(session, username, self.ws)
            self.ws.audit(
                session,
                "user.revoke",
                "user",
                username,
                {
                    "cases_released": len(released),
                    "numbers": released[:100],
                    "approvals_withdrawn": len(unapproved),
                },
            )
            if self.ws.on_server:
                # No shared key to change: their server account signs in no more.
                with hq_database.server_errors():
                    hq_database.disable_login(session.connection(), username)
        if self.ws.on_server:
            # After the commit: a session ended earlier could sign in again before NOLOGIN held.
            with self.ws.read() as session, hq_database.server_errors():
                ended = hq_database.end_sessions(session.connection(), username)
            return Revocation(username, [], ended, released, unapproved, used_hq_keys=used_hq_keys)
        try:
            rekeyed = rekey_workspace(self.ws, self.slots, username, self.store)
        except RekeyWaitsForRoom:
            raise  # says already what the key file and the database hold, and what to do
        except StorageFull as exc:
            raise _cut_short_by_full_disk(
                self.ws, self.slots, username, released, unapproved
            ) from exc
        rotation, rotation_error = self._rotate_signing_key(username)
        return Revocation(
            username,
            rekeyed.without_keys,
            0,
            released,
            unapproved,
            rekey_waiting=rekeyed.waiting is not None,
            shared_os_account=rekeyed.shared_os_account,
            saw_recovery_key=saw_key and self.slots.has_slot(RECOVERY_SLOT),
            key_rotation=rotation,
            rotation_error=rotation_error,
            used_hq_keys=used_hq_keys,
        )

    def _rotate_signing_key(self, revoked: str) -> tuple[KeyRotation | None, str]:
        """After the re-key: the revoked user could read the signing key like every user, so
        a mission gets a new one. A failure keeps the old key and is reported, not raised:
        the revocation itself is done and must be said."""
        if self.ws.mission.is_hq:
            return None, ""
        try:
            return KeyService(self.ws).rotate(revoked=revoked), ""
        except QorgauError as exc:
            refusal = exc  # said again where it is shown (a lazy message in that language)
            return None, Said(lambda: str(refusal))

    def _get(self, session: Session, username: str) -> User:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFound(_("No user named {name}.").format(name=username))
        return user

    def _keep_one_admin(self, session: Session, leaving: str) -> None:
        others = (
            session.execute(
                select(User).where(User.role == Role.ADMIN, User.active, User.username != leaving)
            )
            .scalars()
            .first()
        )
        if others is None:
            raise ValidationError(_("The installation must keep at least one administrator."))


def _cut_short_by_full_disk(
    ws: Workspace, slots: KeySlotStore, username: str, released: list[str], unapproved: list[str]
) -> StorageFull:
    """A revocation whose re-key a full disk stopped after the account was deactivated
    (committed first): "nothing was changed", the disk's usual words, was untrue, and the
    account no longer listed as active could not be revoked again. What is true depends
    on whether the key file took the new key."""
    if slots.has_slot(username):  # the key file was not written: the file's key stands
        said = revocation_cut_short_message(username)
    elif ws.pending_key is not None:  # the file waits for other windows to close
        said = rekey_waiting_message(username) + " " + rekey_unrecorded_message()
    else:
        said = revoked_key_changed_message(username) + " " + rekey_unrecorded_message()
    if not ws.mission.is_hq:
        said += " " + rotation_failed_message(_("the disk is full"))
    if released:  # committed with the deactivation, as every revocation says them
        said += " " + released_message(username, released)
    if unapproved:
        said += " " + unapproved_message(unapproved)
    return StorageFull(said)


def require_signing_key(ws: Workspace) -> None:
    """Account changes are signed with the acting user's own key (app.security.user_ledger),
    which a window unlocked with a key an older version kept in the keyring lacks."""
    if ws.signing_key is None and not ws.on_server:
        raise PermissionDenied(
            _(
                "Changes to accounts are signed with your own key, which only your "
                "password unlocks. Sign out, sign in with your password, and try again."
            )
        )


# How long a re-key waits for this process's sessions under way (an import holds one for
# ~25 s at 100k cases); readers asked for meanwhile wait behind it, the window's too.
REKEY_WAIT_S = 30.0


def rekey_workspace(
    ws: Workspace,
    slots: KeySlotStore,
    revoked: str | None,
    store: SecretStore | None,
    reason: str | None = None,
) -> Rekeyed:
    """Give the open database a new key that ``revoked``'s slot (a user, or the recovery or
    escrow slot) does not reach: the users whose slots could not receive it, and whether the
    file waits for other windows to close (this window then finishes it when it closes).
    ``reason``, when no one is revoked, says why in the audit entry."""
    # PRAGMA rekey needs the only connection: the backup is waited for, and so are this
    # window's sessions under way. The same Database object carries on under the new key, so
    # the pages' bound ``interrupt`` still reaches their reads.
    with whole_file_lock(ws.paths.db):
        new_key = new_database_key()
        _reseal_waiting_secrets(ws, new_key)
        with ws.read() as session:
            # Who gets the new key is the database's to say, not the key file's, which anyone
            # able to write the data folder can give a slot of their own.
            members = set(session.execute(select(User.username).where(User.active)).scalars())
            # Nor an account the audit log did not make: it was written in by a key holder.
            members -= {f.username for f in account_findings(session)}
            recorded = special_slots_recorded(session)
        special = slots.special_keys()
        # A recovery or escrow slot whose public key is not the one recorded was replaced in
        # the key file; one never recorded (made by an older version) is taken as it is.
        members |= {n for n, public in special.items() if recorded.get(n, public) == public}
        unknown = sorted((set(slots.usernames()) | set(special)) - members - {revoked or ""})
        alone = ws.db.rekeying(new_key, REKEY_WAIT_S)
        rekeyed = rekey_installation(
            ws.paths.db, slots, ws.db.key, new_key, revoked, alone, members
        )
    ws.pending_key = rekeyed.waiting
    shared = _refresh_keyring(ws, store, new_key, revoked)
    with ws.write() as session:
        record_special_slots(session, slots)
        ws.audit(
            session,
            "installation.rekey",
            "installation",
            ws.mission_code,
            {
                "revoked": revoked,
                "slots_removed": rekeyed.without_keys,
                "waiting": rekeyed.waiting is not None,
                **({"slots_of_no_user": unknown} if unknown else {}),
                **({"reason": reason} if reason else {}),
                **({"shares_os_account": True} if shared else {}),
            },
        )
    return replace(rekeyed, shared_os_account=shared)


def finish_cut_short_revocations(ws: Workspace, store: SecretStore | None = None) -> None:
    """At sign-in: re-key the file if a revoked user still holds a key slot. A revocation
    deactivates the account first; a full disk or a crash before its re-key began left the
    file under the key she held and her slot in the key file, and nothing ever changed it
    (the account, no longer active, could not be revoked again). The re-key gives the new key
    to the active users only; it is noted for the start page and the command line."""
    from app.services.after_crash import Found, FoundAfterCrash

    if ws.on_server:
        return
    slots = KeySlotStore(ws.paths.keyslots)
    with ws.read() as session:
        inactive = set(session.execute(select(User.username).where(~User.active)).scalars())
    holding = sorted(inactive & set(slots.usernames()))
    if not holding:
        return
    rekey_workspace(ws, slots, None, store, reason="revocation_cut_short")
    at_mission = 0 if ws.mission.is_hq else 1
    ws.after_crash.append(
        FoundAfterCrash(Found.REVOCATION_FINISHED, ", ".join(holding), count=at_mission)
    )


def settle_staged_slots(ws: Workspace) -> None:
    """At sign-in, before her signing key is checked: the slots a new user or a new password
    staged and a crash left unconfirmed (``KeySlotStore.stage_slot``). The history decides:
    a slot whose signing key it gives replaces the old one, any other is dropped; noted for
    the start page and the command line. Decided inside a write transaction, so that a
    change another window is committing meanwhile is waited for, not dropped.

    A user who signed in with the password that was not kept is refused, told which one
    holds: her signatures would not count (see ``app.security.user_ledger``)."""
    from app.services.after_crash import Found, FoundAfterCrash

    if ws.on_server:
        return
    slots = KeySlotStore(ws.paths.keyslots)
    if not _left_by_a_crash(slots.staged(), ws.paths):
        return
    with ws.write() as session:
        staged = _left_by_a_crash(slots.staged(), ws.paths)
        recovered = slots.staged_by_recovery()
        keep = {name: _staged_key_recorded(session, name, key) for name, key in staged.items()}
        slots.settle_staged(keep)
    for name in sorted(keep):
        what = Found.NEW_SLOT_KEPT if keep[name] else Found.NEW_SLOT_DROPPED
        if name in recovered and not keep[name]:
            what = Found.RECOVERY_DROPPED  # she has no previous password to go back to
        if name == RECOVERY_SLOT:
            # Killed before its re-key, the previous recovery key still opens the file.
            has_one = slots.has_slot(RECOVERY_SLOT)
            what = Found.RECOVERY_KEY_UNCHANGED if has_one else Found.RECOVERY_KEY_DROPPED
        elif name == ESCROW_SLOT:
            what = Found.ESCROW_KEPT if keep[name] else Found.ESCROW_DROPPED
        ws.after_crash.append(FoundAfterCrash(what, name))
    mine = ws.actor.username
    if mine in keep and ws.signing_key is not None:
        opened_staged = signing_public(ws.signing_key) == staged[mine]
        if opened_staged != keep[mine]:
            if mine in recovered and not keep[mine]:
                raise AuthError(recovery_dropped_message)
            raise AuthError(lambda kept=keep[mine]: password_settled_message(kept))


def recovery_rotation_lock(paths: Paths) -> Path:
    """Held by ``RecoveryService.rotate`` from staging its new slot to confirming it."""
    return paths.data_dir / ".recovery-rotate.lock"


def _left_by_a_crash(staged: dict[str, str], paths: Paths) -> dict[str, str]:
    """The staged slots no process is still writing. A recovery key's rotation stages its
    slot before its re-key (seconds, more while other windows hold the file): a sign-in
    meanwhile must not drop it and say Qorgau stopped."""
    lock = recovery_rotation_lock(paths)
    if RECOVERY_SLOT in staged and lock.exists() and not lock_is_free(lock):
        return {name: key for name, key in staged.items() if name != RECOVERY_SLOT}
    return staged


def password_settled_message(kept: bool) -> str:
    """To a user who signed in with the password a crash's repair did not keep."""
    if kept:
        return _(
            "Your password was changed just before Qorgau stopped, and the change was kept: "
            "sign in with the new password."
        )
    return _(
        "Qorgau stopped before your new password was saved, so it was not kept: sign in with "
        "your previous password, then change it again."
    )


def _staged_key_recorded(session: Session, name: str, key: str) -> bool:
    """Whether the history gives ``name`` the signing key of its staged slot. A new recovery
    key is dropped whatever it gives: killed before it was confirmed, it was never shown."""
    if name == RECOVERY_SLOT:
        return False
    if name == ESCROW_SLOT:
        return slot_signing_keys(session).get(ESCROW_KEY) == key
    return signing_key_of(session, name)[0] == key


def recovery_dropped_message() -> str:
    """To whoever signs in with the password a recovery set, cut short before it was saved."""
    return _(
        "Qorgau stopped before the recovery was saved, so it was not made: recover again with "
        "the recovery key (or headquarters' code), then sign in with the new password."
    )


SPECIAL_SLOTS_SETTING = "special_slot_keys"


def special_slots_recorded(session: Session) -> dict[str, str]:
    """The recovery and escrow slots' public keys as the database last recorded them."""
    row = session.get(Setting, SPECIAL_SLOTS_SETTING)
    value = row.value if row is not None else None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def record_special_slots(session: Session, slots: KeySlotStore) -> None:
    """Record the recovery and escrow slots' public keys, after this installation wrote them:
    a re-key seals the new key only to the ones recorded (see ``rekey_workspace``)."""
    session.merge(Setting(key=SPECIAL_SLOTS_SETTING, value=slots.special_keys(staged=True)))


def _reseal_waiting_secrets(ws: Workspace, new_key: bytes) -> None:
    """Secrets sealed under a waiting key this re-key supersedes are sealed under its own key
    (no one will hold the superseded one); the re-key opens them once the file has it."""
    pending = ws.pending_key.key if ws.pending_key is not None else None
    with ws.write() as session:
        for row in session.execute(select(LocalSecret)).scalars():
            value = bytes(row.value)
            if not is_sealed(value):
                continue
            opened = unseal(value, (ws.db.key, pending), row.name)
            if opened is not None:
                row.value = seal(opened, new_key, row.name)


def _refresh_keyring(
    ws: Workspace, store: SecretStore | None, new_key: bytes, shut_out: str | None
) -> bool:
    """Keys kept for "unlock on this computer" are stale now: every other user's entry here
    is deleted, and the signed-in user's replaced, unless ``shut_out`` kept one here too. The
    keyring is the OS account's: she uses this account and would read the new key from it.
    Whether ``shut_out`` kept one here."""
    if store is None:
        return False
    shared = (
        shut_out is not None and store.get(unlock_entry_name(ws.database_id, shut_out)) is not None
    )
    with ws.read() as session:
        names = set(session.execute(select(User.username)).scalars().all())
    for name in names:
        entry = unlock_entry_name(ws.database_id, name)
        if name == ws.actor.username and not shared and store.get(entry) is not None:
            remember_unlock(ws, store, new_key)
        else:
            store.delete(entry)
    return shared


def _already_exists(username: str) -> ValidationError:
    return ValidationError(
        lazy(N_("A user named {name} already exists."), name=username), field="username"
    )
