"""When every password is lost: the recovery key, and escrow of the database key at HQ.

Both are key slots (``app.security.keyslots``) that no person signs in with:

- ``@recovery`` opens with the recovery key made at setup, shown once and printed for the
  mission's safe. An administrator can rotate it: the database is re-keyed without the old
  slot, so the old key opens nothing, not even with a copy of an older key file.
- ``@escrow`` opens with a random escrow secret that only HQ can read: the secret is sealed
  with age to HQ's *escrow* recipient (not the one bundles use) inside ``keyslots.json``. When
  a mission has lost every password it sends its ``keyslots.json`` to HQ; HQ decrypts the
  secret with its escrow identity and reads it out as a one-time recovery code. Using it
  re-keys the database and makes a new escrow secret, so the code never works twice.
  Whether a mission escrows is HQ's policy: a statement signed with HQ's signing key
  (``escrow policy``), on by default, that the mission applies and cannot forge.

Revocations re-key the database and seal the new key to these slots like to every user's.
``recover`` creates an administrator, or takes over the account of the name typed (the
administrator who forgot his password keeps his account and its history): its password is
replaced, it becomes an administrator, active again if it was revoked. Both front ends say
which happened, and the audit log records the takeover with the role the account had.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlalchemy import select

from app.config import Paths
from app.db.engine import Database
from app.db.migrate import ensure_schema
from app.db.models import LocalSecret, Mission, Setting, User
from app.domain.codes import Role
from app.domain.roles import ADMIN_OR_HQ
from app.errors import AuthError, DatabaseError, IntegrityError, PermissionDenied, ValidationError
from app.i18n import _
from app.os_errors import os_error_reason
from app.security import audit
from app.security.hq_secrets import (
    ESCROW_IDENTITY,
    ESCROW_RECIPIENT,
    SIGNING_KEY,
    forget_on_workstation,
    keep_on_workstation,
    workstation_secret,
)
from app.security.keyring_store import SecretStore, unlock_entry_name
from app.security.keyslots import (
    ESCROW_SLOT,
    RECOVERY_SLOT,
    KeySlotStore,
    account_signing_key,
    check_password_strength,
    signing_public,
)
from app.security.login_guard import LoginGuard, wait_message
from app.security.private_files import exclusive_lock
from app.security.recovery_key import (
    new_recovery_key,
    parse_recovery_key,
)
from app.security.rekey import REKEY_DUE_SETTING, SettledKey, settle_sign_in
from app.security.user_ledger import ESCROW_KEY, RECOVERY_KEY, signer, slot_signing_keys
from app.security.user_ledger import SIGNING_KEY as SIGNING_KEY_DETAIL
from app.services.installation import check_username, open_workspace
from app.services.keys import private_key
from app.services.server_hq import recovery_message, refuse_on_server
from app.services.users import (
    record_special_slots,
    recovery_rotation_lock,
    rekey_workspace,
    require_signing_key,
    reset_rekey_waiting_message,
)
from app.services.workspace import Workspace
from app.untrusted import json_from_outside

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ESCROW_FORMAT = "qorgau-escrow"
POLICY_FORMAT = "qorgau-escrow-policy"
POLICY_SETTING = "escrow_policy_issued_at"


@dataclass(frozen=True)
class Recovered:
    username: str
    method: str  # "recovery_key" or "escrow"
    took_over: bool = False  # an existing account: its password replaced, made administrator
    rekey_waiting: bool = False  # the takeover's re-key waits for other windows to close


def recover(
    paths: Paths,
    typed_key: str,
    new_admin: str,
    new_password: str,
    guard: LoginGuard | None = None,
    store: SecretStore | None = None,
) -> Recovered:
    """Open the installation with the recovery key or HQ's one-time code and make
    ``new_admin`` an active administrator with ``new_password``. A key kept in ``store`` for
    "unlock on this computer" under that name is deleted: it was for the old password."""
    refuse_on_server(paths.server.exists(), recovery_message())
    check_username(new_admin)
    check_password_strength(new_password)
    secret = parse_recovery_key(typed_key)  # a typing error is named before any work
    if not paths.db.exists():
        raise DatabaseError(
            _("No Qorgau database in {path}; run 'qorgau init' first.").format(
                path=str(paths.data_dir)
            )
        )
    guard = guard or LoginGuard(paths.data_dir)
    guard.wait_turn(RECOVERY_SLOT)
    slots = KeySlotStore(paths.keyslots)
    settled, method = _open_with(paths, slots, secret)
    if settled is None:
        delay = guard.record_failure(RECOVERY_SLOT)
        raise AuthError(lambda: _opens_nothing(delay))  # said again after a language switch
    key = settled.key
    private = X25519PrivateKey.generate()  # her new slot's pair: its signing key goes on record
    db = Database(paths.db, key)
    try:
        ensure_schema(db, backup_dir=paths.backups)
        with db.write() as session:
            mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
            session.info["mission_code"] = mission.code
            user = session.execute(
                select(User).where(User.username == new_admin)
            ).scalar_one_or_none()
            existed = user is not None
            details: dict[str, Any] = {
                "method": method,
                "existing_user": existed,
                SIGNING_KEY_DETAIL: signing_public(account_signing_key(private)),
            }
            if user is None:
                user = User(username=new_admin, role=Role.ADMIN, full_name="")
                session.add(user)
            else:
                # A takeover, recorded as one: what the account was before it.
                details |= {"previous_role": user.role, "was_revoked": not user.active}
            user.role, user.active = Role.ADMIN, True
            if existed or method == "escrow":
                session.merge(Setting(key=REKEY_DUE_SETTING, value=method))
            # Signed by the recovery or escrow slot's key, which only its secret unwraps.
            sign = signer(settled.signing) if settled.signing is not None else None
            audit.record(
                session, new_admin, "installation.recover", "user", new_admin, details, sign
            )
            # Staged before the commit, confirmed after it: killed in between, the next
            # sign-in keeps or drops it by the history (``settle_staged_slots``). Written after
            # the commit, a kill left the account with a signing key no password opened.
            slots.stage_slot(new_admin, new_password, key, settled.pending, private, recovery=True)
    finally:
        db.dispose()
    slots.confirm_staged(new_admin)
    if store is not None:
        store.delete(unlock_entry_name(slots.database_id(), new_admin))
    waiting = False
    if existed or method == "escrow":
        waiting = _retire_database_key(
            paths, new_admin, settled, method == "escrow", store, account_signing_key(private)
        )
    return Recovered(new_admin, method, took_over=existed, rekey_waiting=waiting)


def _opens_nothing(delay: int) -> str:
    message = _("This key opens nothing here: it is wrong, or it was replaced.")
    return f"{message} {wait_message(delay)}" if delay else message


def recovered_message(result: Recovered) -> str:
    """What a recovery did, for the command line and the sign-in window alike."""
    if result.took_over:
        said = _(
            "The existing account {user} was taken over: its password was replaced and it is "
            "an administrator now. Sign in as {user} with the new password."
        ).format(user=result.username)
        if result.rekey_waiting:
            said += " " + reset_rekey_waiting_message(result.username)
        return said
    return _("{user} is a new administrator: sign in as {user} with the new password.").format(
        user=result.username
    )


def _open_with(paths: Paths, slots: KeySlotStore, secret: str) -> tuple[SettledKey | None, str]:
    for slot, method in ((RECOVERY_SLOT, "recovery_key"), (ESCROW_SLOT, "escrow")):
        try:
            return settle_sign_in(paths.db, slots, slot, secret), method
        except AuthError:
            continue
    return None, ""


def _retire_database_key(
    paths: Paths,
    admin: str,
    settled: SettledKey,
    used_escrow: bool,
    store: SecretStore | None,
    signing: Ed25519PrivateKey,
) -> bool:
    """Re-key after a recovery that must end an access. A takeover: the account's old
    password, with a copy of the key file from before, and its "unlock on this computer"
    entry each still yielded the database key, which a new slot does not take back. HQ's
    code: it must not work twice, so the escrow slot goes and a new secret is sealed to the
    same recipient. Whether the re-key still waits for other windows to close."""
    slots = KeySlotStore(paths.keyslots)
    escrow = slots.escrow() if used_escrow else None
    ws = open_workspace(paths, admin, settled.key, slots.database_id())
    ws.pending_key = settled.pending
    ws.signing_key = signing  # the new escrow slot's key goes on record signed by her
    try:
        rekey_workspace(ws, slots, ESCROW_SLOT if used_escrow else None, store)
        _rekey_done(ws)  # before the new escrow: a sign-in redoing the re-key would drop it
        if escrow is not None:
            _escrow_to(ws, slots, str(escrow["recipient"]))
    finally:
        ws.close()  # finishes the re-key unless another window holds the file
    return ws.pending_key is not None


def _rekey_done(ws: Workspace) -> None:
    with ws.write() as session:
        row = session.get(Setting, REKEY_DUE_SETTING)
        if row is not None:
            session.delete(row)


def finish_cut_short(ws: Workspace, store: SecretStore | None = None) -> None:
    """At sign-in: the re-key of a recovery killed after its commit (a takeover's old password
    with an older key file, or HQ's code, still opened the file). An escrow used is cleared,
    not renewed: its new slot's key needs an administrator's signature on record, and the
    code must not work twice. Noted for the start page and the command line. ``store``: the
    keyring of an "Unlock on this computer" sign-in, whose entry would else keep the old key
    and the next start ask for the password again."""
    from app.services.after_crash import Found, FoundAfterCrash

    if ws.on_server:
        return
    with ws.read() as session:
        row = session.get(Setting, REKEY_DUE_SETTING)
        method = str(row.value) if row is not None else None
    if method is None:
        return
    slots = KeySlotStore(ws.paths.keyslots)
    used_escrow = method == "escrow"
    rekey_workspace(
        ws, slots, ESCROW_SLOT if used_escrow else None, store, reason="recovery_cut_short"
    )
    if used_escrow:
        slots.clear_escrow()
    _rekey_done(ws)
    what = Found.RECOVERY_ESCROW_RETIRED if used_escrow else Found.RECOVERY_REKEY_FINISHED
    ws.after_crash.append(FoundAfterCrash(what))


class RecoveryService:
    """The administrator's side: rotate the recovery key, apply HQ's escrow policy."""

    def __init__(self, workspace: Workspace, store: SecretStore | None = None) -> None:
        self.ws = workspace
        self.slots = KeySlotStore(workspace.paths.keyslots)
        self.store = store

    def rotate(self) -> str:
        """A new recovery key; the database is re-keyed so the old one opens nothing."""
        self.ws.require_role(Role.ADMIN)
        refuse_on_server(self.ws.on_server, recovery_message())
        require_signing_key(self.ws)
        pair = X25519PrivateKey.generate()
        recovery_key = new_recovery_key()
        # Staged, as a new password's slot is, and before the re-key drops the old slot:
        # killed anywhere until it is confirmed, the key was never shown, and the next sign-in
        # drops the staged slot and says whether the previous key still opens the file.
        # Staged only after the re-key, a kill in between left no recovery key and no word.
        with exclusive_lock(recovery_rotation_lock(self.ws.paths)):
            self._stage(recovery_key, pair)
            try:
                rekey_workspace(self.ws, self.slots, RECOVERY_SLOT, self.store)
                with self.ws.write() as session:
                    self._stage(recovery_key, pair)  # again, under the new key
                    record_special_slots(session, self.slots)
                    # The new slot's signing key, signed by the administrator: a recovery
                    # must carry its signature (user_ledger).
                    details = {RECOVERY_KEY: signing_public(account_signing_key(pair))}
                    self.ws.audit(
                        session, "recovery.rotate", "installation", self.ws.mission_code, details
                    )
            except BaseException:
                # Refused, not killed: the error is said now, not at the next sign-in.
                self.slots.settle_staged({RECOVERY_SLOT: False})
                raise
            self.slots.confirm_staged(RECOVERY_SLOT)
        return recovery_key

    def _stage(self, recovery_key: str, pair: X25519PrivateKey) -> None:
        self.slots.stage_slot(
            RECOVERY_SLOT, recovery_key, self.ws.db.key, self.ws.pending_key, pair
        )

    def unsigned_slots_note(self) -> str:
        """For the administrator: the recovery or escrow slot an older version made, whose
        signing key is not on record, so a recovery through it cannot be told from one a
        key holder forged (``app.security.user_ledger``). Its key is derived from the slot's
        own private key, which only the recovery key (or HQ's code) unwraps: it cannot be put
        on record at a sign-in, only by making the slot again. "" when nothing is missing."""
        if self.ws.on_server:
            return ""
        with self.ws.read() as session:
            on_record = slot_signing_keys(session)
        notes = []
        if self.slots.has_slot(RECOVERY_SLOT) and not on_record.get(RECOVERY_KEY):
            notes.append(
                _(
                    "The recovery key was made by an older version of Qorgau: a recovery "
                    "with it cannot be told apart from one forged by someone holding the "
                    "database key. Replace the recovery key once to close this gap."
                )
            )
        if self.slots.has_slot(ESCROW_SLOT) and not on_record.get(ESCROW_KEY):
            notes.append(
                _(
                    "Escrow at headquarters was set up by an older version of Qorgau: a "
                    "recovery with headquarters' code cannot be told apart from a forged one. "
                    "Apply a new escrow policy from headquarters once to close this gap."
                )
            )
        return " ".join(notes)

    def missing_recovery_key_note(self) -> str:
        """For the administrator: the mission has no recovery key (a rotation was cut short
        after its re-key); "" when it has one."""
        if self.ws.on_server or self.slots.has_slot(RECOVERY_SLOT):
            return ""
        return _(
            "This mission has no recovery key: if every administrator's password is lost, "
            "only headquarters' escrow, where it is on, opens the database. Make one and put "
            "its sheet in the safe."
        )

    def has_recovery_key(self) -> bool:
        return not self.ws.on_server and self.slots.has_slot(RECOVERY_SLOT)

    def escrow_on(self) -> bool:
        """Whether HQ can issue a code for this installation (an ``@escrow`` slot exists)."""
        return not self.ws.on_server and self.slots.escrow() is not None

    def apply_policy(self, signed: bytes) -> bool:
        """Apply HQ's signed escrow policy; returns whether escrow is now on."""
        self.ws.require_role(Role.ADMIN)
        refuse_on_server(self.ws.on_server, recovery_message())
        policy = _verified_policy(self.ws, signed)
        require_signing_key(self.ws)
        if policy["escrow"]:
            _escrow_to(self.ws, self.slots, policy["recipient"])
        elif self.slots.escrow() is not None:
            # HQ may have read the old secret: the key it opened must be retired too.
            rekey_workspace(self.ws, self.slots, ESCROW_SLOT, self.store)
            self.slots.clear_escrow()
        with self.ws.write() as session:
            session.merge(Setting(key=POLICY_SETTING, value=policy["issued_at"]))
            self.ws.audit(
                session,
                "escrow.policy",
                "installation",
                self.ws.mission_code,
                {"escrow": policy["escrow"], "issued_at": policy["issued_at"]},
            )
        return bool(policy["escrow"])


POLICY_MAX_BYTES = 64 * 1024  # a signed policy is some 500 bytes


def read_policy_file(path: Path) -> bytes:
    """A policy file the administrator chose, read only as far as a policy can be long (a
    video chosen by mistake is not loaded whole)."""
    try:
        with path.open("rb") as handle:
            signed = handle.read(POLICY_MAX_BYTES + 1)
    except OSError as exc:
        raise ValidationError(
            _("{path} cannot be read: {error}").format(path=path, error=os_error_reason(exc))
        ) from None
    if len(signed) > POLICY_MAX_BYTES:
        raise ValidationError(_("This is not an escrow policy signed by headquarters."))
    return signed


def _escrow_to(ws: Workspace, slots: KeySlotStore, recipient: str) -> None:
    try:
        age_recipient = pyrage.x25519.Recipient.from_str(recipient)
    except Exception:  # noqa: BLE001 - pyrage raises its own types for a bad string
        raise ValidationError(_("{key} is not an age recipient.").format(key=recipient)) from None
    secret = new_recovery_key()
    payload = json.dumps(
        {
            "format": ESCROW_FORMAT,
            "version": 1,
            "database_id": ws.database_id,
            "mission_code": ws.mission_code,
            "secret": secret,
        }
    ).encode()
    box = base64.b64encode(pyrage.encrypt(payload, [age_recipient])).decode("ascii")
    pair = X25519PrivateKey.generate()
    with ws.write() as session:
        # Staged before the commit: killed in between, the next sign-in keeps it if the
        # history gives its key, else drops it (``settle_staged_slots``).
        slots.stage_escrow(secret, ws.db.key, recipient, box, ws.pending_key, pair)
        record_special_slots(session, slots)
        # Its signing key, signed by the administrator (see user_ledger).
        details = {ESCROW_KEY: signing_public(account_signing_key(pair))}
        ws.audit(session, "escrow.slot", "installation", ws.mission_code, details)
    slots.confirm_staged(ESCROW_SLOT)


# -- HQ's side --------------------------------------------------------------------------------


def ensure_escrow_identity(ws: Workspace, store: SecretStore | None = None) -> str:
    """HQ's escrow recipient, made on first use (a separate identity from bundles'). Those
    who sign escrow policies ask for it: an HQ analyst, whose database role may not record it,
    met the server's "permission denied for table setting"."""
    ws.require_role(*ADMIN_OR_HQ)
    return str(_escrow_identities(ws, store or SecretStore(), create=True)[0].to_public())


def _escrow_identities(
    ws: Workspace, store: SecretStore, create: bool
) -> list[pyrage.x25519.Identity]:
    """The escrow identities, newest first: in the encrypted file at a desktop HQ; on the
    import workstation at an HQ on a server, whose shared database every analyst reads
    (hq_secrets). The older ones, kept by ``keys rotate`` at HQ, still open what missions
    sealed to them before they applied a policy naming the newest."""
    if not ws.mission.is_hq:
        raise PermissionDenied(_("Only headquarters holds an escrow key."))
    if ws.on_server:
        return _escrow_identities_here(ws, store, create)
    with ws.read() as session:
        kept = private_key(ws, session, ESCROW_IDENTITY, store)
    if kept is not None:
        return _parsed(kept)
    if not create:
        raise DatabaseError(_("This installation has no escrow key yet."))
    with ws.write() as session:
        identity = pyrage.x25519.Identity.generate()
        session.add(LocalSecret(name=ESCROW_IDENTITY, value=str(identity).encode("ascii")))
        ws.audit(session, "escrow.identity", "installation", ws.mission_code)
        return [identity]


def _parsed(kept: bytes) -> list[pyrage.x25519.Identity]:
    return [pyrage.x25519.Identity.from_str(line) for line in kept.decode("ascii").split()]


def _escrow_identities_here(
    ws: Workspace, store: SecretStore, create: bool
) -> list[pyrage.x25519.Identity]:
    """At an HQ on a server. The shared database records only the recipient, so that a second
    workstation never makes a second escrow key that missions would be sealed to."""
    folder, database_id = ws.paths.data_dir, ws.database_id
    with ws.read() as session:
        recorded = _recorded_recipient(session)
        kept = private_key(ws, session, ESCROW_IDENTITY, store)
    if kept is not None:
        identities = _parsed(kept)
        if recorded not in (None, str(identities[0].to_public())):
            raise IntegrityError(_elsewhere_message())
        return identities
    if recorded is not None:
        raise PermissionDenied(_elsewhere_message())
    if not create:
        raise DatabaseError(_("This installation has no escrow key yet."))
    identity = pyrage.x25519.Identity.generate()
    value = str(identity).encode("ascii")
    keep_on_workstation(folder, database_id, {ESCROW_IDENTITY: value}, store)
    try:
        if workstation_secret(folder, database_id, ESCROW_IDENTITY, store) != value:
            raise DatabaseError(_("The escrow key could not be kept on this computer."))
        with ws.write() as session:
            if _recorded_recipient(session) is not None:  # another workstation, meanwhile
                raise PermissionDenied(_elsewhere_message())
            session.add(Setting(key=ESCROW_RECIPIENT, value=str(identity.to_public())))
            ws.audit(session, "escrow.identity", "installation", ws.mission_code)
    except BaseException:
        forget_on_workstation(folder, database_id, ESCROW_IDENTITY, store)
        raise
    return [identity]


def _recorded_recipient(session: Session) -> str | None:
    row = session.get(Setting, ESCROW_RECIPIENT)
    return str(row.value) if row is not None else None


def _elsewhere_message() -> str:
    return _(
        "Headquarters' escrow key is kept on another computer, the one it was made on: sign "
        "escrow policies and issue recovery codes there."
    )


def issue_code(ws: Workspace, key_file: Path, store: SecretStore | None = None) -> tuple[str, str]:
    """Read a mission's escrow secret from its ``keyslots.json``: (mission code, the code)."""
    ws.require_role(*ADMIN_OR_HQ)
    if not ws.mission.is_hq:
        raise PermissionDenied(_("Only headquarters holds an escrow key."))
    escrow, database_id = _sent_key_file(key_file)
    if escrow is None:
        raise ValidationError(_("This key file holds no escrow for headquarters."))
    identities = _escrow_identities(ws, store or SecretStore(), create=False)
    try:
        payload: dict[str, Any] = json.loads(
            pyrage.decrypt(base64.b64decode(str(escrow["box"])), identities)
        )
    except Exception:  # noqa: BLE001 - not ours, damaged, or for another escrow key
        raise IntegrityError(
            _("The escrow in this key file was not made for this headquarters, or is damaged.")
        ) from None
    if payload.get("format") != ESCROW_FORMAT or payload.get("database_id") != database_id:
        raise IntegrityError(_("The escrow in this key file belongs to another installation."))
    mission_code = str(payload.get("mission_code", ""))
    with ws.write() as session:
        ws.audit(
            session,
            "escrow.issue",
            "mission",
            mission_code,
            {"database_id": payload["database_id"]},
        )
    return mission_code, str(payload["secret"])


def _sent_key_file(key_file: Path) -> tuple[dict[str, Any] | None, str]:
    """The escrow and database id of the key file a mission sent. Refused in HQ's words: the
    key file's own refusals ("restore it from a backup") speak to the mission it belongs to."""
    try:
        with key_file.open("rb"):
            pass
    except OSError as exc:
        raise ValidationError(_sent_key_file_refusal(key_file, os_error_reason(exc))) from None
    slots = KeySlotStore(key_file)
    try:
        return slots.escrow(), slots.database_id()
    except DatabaseError:
        reason = _("it is damaged, or it is not a Qorgau key file")
        raise ValidationError(_sent_key_file_refusal(key_file, reason)) from None


def _sent_key_file_refusal(key_file: Path, reason: str) -> str:
    return _(
        "{path} cannot be read as a mission's key file: {reason}. Ask the mission's "
        "administrator to send its keyslots.json again, copied unchanged from the Qorgau data "
        "folder on the mission's computer (no password is needed to copy it)."
    ).format(path=key_file, reason=reason)


def sign_policy(
    ws: Workspace, mission_code: str, escrow: bool, store: SecretStore | None = None
) -> bytes:
    """HQ's escrow policy for one mission, signed with HQ's signing key."""
    ws.require_role(*ADMIN_OR_HQ)
    store = store or SecretStore()
    with ws.read() as session:
        secret = private_key(ws, session, SIGNING_KEY, store)
    private = load_pem_private_key(secret, password=None) if secret else None
    if not isinstance(private, Ed25519PrivateKey):
        # Checked first: a refusal leaves no escrow key made for nothing.
        raise DatabaseError(_("This installation has no signing key."))
    recipient = ensure_escrow_identity(ws, store)
    policy = {
        "format": POLICY_FORMAT,
        "version": 1,
        "mission_code": mission_code,
        "escrow": escrow,
        "recipient": recipient,
        "issued_at": datetime.now(UTC).isoformat(timespec="microseconds"),
    }
    body = json.dumps(policy, sort_keys=True).encode()
    signature = private.sign(body)
    with ws.write() as session:
        ws.audit(session, "escrow.policy_issued", "mission", mission_code, {"escrow": escrow})
    signed = {"policy": policy, "signature": base64.b64encode(signature).decode("ascii")}
    return json.dumps(signed, indent=2).encode()


def _verified_policy(ws: Workspace, signed: bytes) -> dict[str, Any]:
    bad = _("This is not an escrow policy signed by headquarters.")
    try:
        document = json_from_outside(signed)
        policy = document["policy"]
        signature = base64.b64decode(document["signature"], validate=True)
        body = json.dumps(policy, sort_keys=True).encode()
    except (ValueError, KeyError, TypeError):
        raise ValidationError(bad) from None
    with ws.read() as session:
        hq = session.execute(select(Mission).where(Mission.is_hq, ~Mission.is_local)).scalars()
        trusted = [(m.code, m.signing_public_key) for m in hq if m.signing_public_key]
        applied = session.get(Setting, POLICY_SETTING)
        last = str(applied.value) if applied else ""
    keys = [key for _code, key in trusted]
    if not keys:
        # Else "not signed by headquarters" sent the administrator to ask HQ for another file,
        # when this installation had HQ's key trusted as a mission's, or not at all.
        raise IntegrityError(
            _(
                "No headquarters' signing key is trusted here, so HQ's signature cannot be "
                "checked. Trust headquarters' keys first (Exchange → Keys → Trust a key…, "
                "“These are headquarters' keys”; or qorgau keys trust CODE KEY --hq), then "
                "apply the policy again."
            )
        )
    for public in keys:
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(signature, body)
            break
        except (InvalidSignature, ValueError):
            continue
    else:
        raise IntegrityError(_hq_key_replaced(trusted[0][0]))
    if not _is_policy(policy):
        raise ValidationError(bad)
    if policy.get("mission_code") != ws.mission_code:
        raise ValidationError(_("This escrow policy is for another mission."))
    if str(policy.get("issued_at", "")) <= last:
        raise ValidationError(_("A newer escrow policy was already applied here."))
    return dict(policy)


def _hq_key_replaced(code: str) -> str:
    """A policy whose signature does not match HQ's trusted key. The honest cause is HQ having
    replaced its keys (``keys rotate`` at HQ) before this mission trusted the new ones; a copy
    of HQ's old key, once the mission trusts the new one, is refused with the same words."""
    return _(
        "This escrow policy's signature does not match the registered key of headquarters "
        "({code}): it was signed with another key, or changed after signing. Headquarters may "
        "have replaced its signing key and age recipient: ask headquarters by a separate "
        "channel (telephone, diplomatic mail) for the fingerprints of its new key and "
        "recipient, compare them with those of the keys you received, then register both "
        "(Exchange → Keys → Trust a key…, “These are headquarters' keys”, or qorgau keys trust "
        "{code} KEY --hq --age-recipient RECIPIENT) and apply the policy again. If "
        "headquarters did not replace its key, the policy is forged: do not apply it."
    ).format(code=code)


def _is_policy(policy: Any) -> bool:
    """The fields applying a policy reads, of the types ``sign_policy`` writes: HQ's signature
    vouches for who wrote a policy, not that its shape is one this version reads."""
    return (
        isinstance(policy, dict)
        and policy.get("format") == POLICY_FORMAT
        and isinstance(policy.get("escrow"), bool)
        and isinstance(policy.get("recipient"), str)
        and isinstance(policy.get("issued_at"), str)
    )
