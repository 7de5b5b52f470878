"""This installation's public keys, and the registry of other installations' keys."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError

from app.db.models import LocalSecret, Mission, Setting
from app.domain.codes import Role
from app.domain.roles import ADMIN_OR_HQ
from app.errors import DatabaseError, PermissionDenied, ValidationError
from app.i18n import N_, _, lazy
from app.security.hq_secrets import (
    ESCROW_IDENTITY,
    ESCROW_RECIPIENT,
    PRIVATE_NAMES,
    SecretPlace,
    SecretsFileDamaged,
    damaged_secrets_file,
    forget_on_workstation,
    keep_on_workstation,
    replace_on_workstation,
    workstation_secret,
)
from app.security.keyring_store import SecretStore, identity_entry_name
from app.security.waiting_secret import seal, unseal
from app.services.installation import AGE_IDENTITY, MISSION_CODE_RE, SIGNING_KEY
from app.services.key_review import KeyReview, imports_under_current_key
from app.services.workspace import Workspace

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


# Age identities a mission keeps after rotations, the newest first: bundles HQ encrypted to an
# older recipient (before it was told the new one) still open.
KEPT_IDENTITIES = 4
FINGERPRINT_GROUPS = 6  # of four digits: about 80 bits, read aloud in half a minute


def fingerprint(signing_key: str) -> str:
    """A signing key as digits in groups of four ("4821 0937 …"), to read over the telephone:
    digits sound the same in Kazakh, Russian and English, letters of a key do not. Empty for
    no key."""
    if not signing_key:
        return ""
    try:
        raw = base64.b64decode(signing_key, validate=True)
    except (binascii.Error, ValueError):
        raw = signing_key.encode()
    digest = hashlib.sha256(raw).digest()
    digits = str(int.from_bytes(digest[:16], "big") % 10 ** (4 * FINGERPRINT_GROUPS))
    digits = digits.zfill(4 * FINGERPRINT_GROUPS)
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


@dataclass(frozen=True)
class PublicKeys:
    mission_code: str
    signing_key: str
    age_recipient: str
    signing_key_fingerprint: str = ""  # shown beside the key; not in ``keys show --json``


@dataclass(frozen=True)
class KeyRotation:
    """A replaced signing key: what HQ must be sent (the new key) and read (its fingerprint)."""

    mission_code: str
    old_key: str
    new_key: str
    old_recipient: str = ""
    new_recipient: str = ""  # the age recipient HQ encrypts to, replaced with the key
    is_hq: bool = False  # headquarters' own keys: every mission trusts the new ones by hand
    new_escrow_recipient: str = ""  # HQ's escrow key, replaced with them where HQ holds one

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.new_key)

    @property
    def recipient_fingerprint(self) -> str:
        return fingerprint(self.new_recipient)


def new_key_advice(code: str, signing_key: str, age_recipient: str) -> str:
    """What the administrator does after the mission's keys were replaced."""
    return _(
        "Headquarters refuses the bundles of {code} signed with the new key until it trusts "
        "that key, and encrypts its bundles to the old age recipient until it is told the new "
        "one. Send headquarters the new signing key and age recipient (Exchange → This "
        "installation's keys, or 'qorgau keys show'). Then confirm both by a separate "
        "channel, never in a bundle or the same e-mail: read their fingerprints, {fingerprint} "
        "for the key and {recipient_fingerprint} for the recipient, to headquarters over the "
        "telephone, or send them by diplomatic mail. Headquarters registers them with 'qorgau "
        "keys trust {code} KEY --age-recipient RECIPIENT' once the fingerprints agree."
    ).format(
        code=code,
        fingerprint=fingerprint(signing_key),
        recipient_fingerprint=fingerprint(age_recipient),
    )


def mission_trust_command(code: str, signing_key: str, age_recipient: str) -> str:
    """The command a mission's administrator runs to trust headquarters' keys, whole."""
    return f"qorgau keys trust {code} {signing_key} --hq --age-recipient {age_recipient}"


def hq_new_key_advice(code: str, signing_key: str, age_recipient: str) -> str:
    """What HQ does after replacing its keys, and what each mission's administrator does.
    Said at HQ only: a "new key" message signed with the old key would prove nothing, since
    whoever copied the old key signs it just as well (docs/security.md)."""
    return (
        _(
            "Every mission refuses headquarters' bundles (library updates, transfers, notices) "
            "signed with the new key until its administrator trusts it, and encrypts its bundles "
            "to the old age recipient until then, which this installation still opens. Send every "
            "mission the new signing key and age recipient. Then confirm both by a separate "
            "channel, never in a bundle or the same e-mail: read their fingerprints, {fingerprint} "
            "for the key and {recipient_fingerprint} for the recipient, to each mission over the "
            "telephone, or send them by diplomatic mail. Once the fingerprints agree, the "
            "mission's administrator runs:"
        ).format(
            fingerprint=fingerprint(signing_key),
            recipient_fingerprint=fingerprint(age_recipient),
        )
        + "\n"
        + mission_trust_command(code, signing_key, age_recipient)
    )


def escrow_replaced_advice() -> str:
    """After HQ's rotation replaced its escrow key too: what becomes of the missions' escrow."""
    return _(
        "Headquarters' escrow key was replaced too. The old one is kept, so the one-time "
        "recovery codes of missions whose escrow is sealed to it can still be read. Once a "
        "mission trusts the new keys, sign it a new escrow policy (qorgau escrow policy CODE "
        "--out FILE) for its administrator to apply: its escrow is then sealed to the new "
        "escrow key, and a copy of the old one reads nothing of it."
    )


def rotated_message(rotation: KeyRotation) -> str:
    if rotation.is_hq:
        return _(
            "Headquarters' signing key and age recipient were replaced: its bundles are signed "
            "with the new key from now on, and a copy of the old key stops working at each "
            "mission once the mission trusts the new one."
        )
    return _(
        "The signing key of {code} was replaced: its bundles are signed with the new key from "
        "now on, and a copy of the old key stops working once headquarters trusts the new one."
    ).format(code=rotation.mission_code)


def replaced_key_message(code: str, previous: str) -> str:
    """Said when a trusted key replaces another: a slip (a wrong code typed) shows here."""
    return _(
        "It replaces the key of {code} trusted before (fingerprint {fingerprint}): bundles "
        "signed with that key are refused from now on."
    ).format(code=code, fingerprint=fingerprint(previous))


def rotation_failed_message(error: str) -> str:
    """A revocation whose key replacement failed: the old key still signs, and may be copied."""
    return _(
        "The mission's signing key could not be replaced ({error}); the old key still signs "
        "its bundles. Replace it with 'qorgau keys rotate' as soon as possible."
    ).format(error=error)


def _new_signing_pair() -> tuple[bytes, str]:
    """(private key PEM, public key base64), as a new installation makes them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signing = Ed25519PrivateKey.generate()
    private_pem = signing.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_raw = signing.public_key().public_bytes_raw()
    return private_pem, base64.b64encode(public_raw).decode("ascii")


@dataclass(frozen=True)
class TrustedKey:
    """Another installation whose bundles this one accepts."""

    code: str
    signing_key: str
    age_recipient: str
    trusted_at: datetime | None
    is_hq: bool


def check_signing_key(text: str) -> None:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValidationError(
            _("A signing key is 32 bytes in base64 (44 characters)."), field="signing_key"
        )


def check_age_recipient(text: str) -> None:
    import pyrage

    try:
        pyrage.x25519.Recipient.from_str(text)
    except Exception:  # noqa: BLE001 - pyrage raises its own error types
        raise ValidationError(
            _("An age recipient starts with 'age1'; this one is not valid."), field="age_recipient"
        ) from None


def _with_older_identities(old: bytes, most: int | None = KEPT_IDENTITIES) -> tuple[bytes, str]:
    """A new age identity followed by the newest older ones (``old``, one a line; at most
    ``most`` in all, None: every one), and the new recipient."""
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    older = [line.strip() for line in old.decode("ascii").splitlines() if line.strip()]
    lines = [str(identity), *(older if most is None else older[: most - 1])]
    return "\n".join(lines).encode("ascii"), str(identity.to_public())


def _newest_recipient(identities: bytes | None) -> str:
    """The recipient of the first (newest) of ``identities``, one a line; "" for none."""
    import pyrage

    lines = (identities or b"").decode("ascii").split()
    return str(pyrage.x25519.Identity.from_str(lines[0]).to_public()) if lines else ""


class IdentityPlace(StrEnum):
    """Where this installation's age identity (its bundle-decryption key) is kept."""

    KEYRING = "keyring"
    DATABASE = "database"
    MISSING = "missing"


class IdentityMove(StrEnum):
    """What asking to keep the age identity in the system keyring did."""

    MOVED = "moved"
    ALREADY = "already"  # it was in the keyring before
    NO_KEYRING = "no_keyring"  # no system keyring: it stays in the database
    NOT_READ_BACK = "not_read_back"  # the keyring lost it: it stays in the database
    MISSING = "missing"  # neither the database nor the keyring holds it


def identity_move_message(outcome: IdentityMove, store: SecretStore) -> str:
    """One sentence for the person who asked, whatever the outcome."""
    if outcome in (IdentityMove.MOVED, IdentityMove.ALREADY):
        return _("The age identity is now kept in the system keyring.")
    if outcome is IdentityMove.MISSING:
        return _("This installation has no age identity; give one with --identity.")
    if outcome is IdentityMove.NO_KEYRING:
        return (
            store.unavailable_message()
            + " "
            + _("The age identity stays inside the encrypted database.")
        )
    return _(
        "The system keyring did not give the age identity back to a new process; "
        "it stays inside the encrypted database."
    )


def store_identity_in_keyring(workspace: Workspace, store: SecretStore) -> IdentityMove:
    """HQ: move this installation's age identity into the OS keyring, if that is safe.

    The identity leaves the database only after a fresh process read it back from the
    keyring (a backend that keeps it in this process's memory, or drops it, would otherwise
    lose every later import). Otherwise it stays in the encrypted database.
    """
    workspace.require_role(*ADMIN_OR_HQ)
    name = identity_entry_name(workspace.database_id)
    with workspace.read() as session:
        row = session.get(LocalSecret, AGE_IDENTITY)
        secret = bytes(row.value) if row is not None else None
    if secret is None:
        return IdentityMove.ALREADY if store.get(name) else IdentityMove.MISSING
    if not store.is_system:
        return IdentityMove.NO_KEYRING
    if not store.set(name, secret) or not store.readable_by_fresh_process(name, secret):
        store.delete(name)  # a half-kept copy helps no one; the database keeps the key
        return IdentityMove.NOT_READ_BACK
    with workspace.write() as session:
        row = session.get(LocalSecret, AGE_IDENTITY)
        if row is None or bytes(row.value) != secret:
            return IdentityMove.NOT_READ_BACK  # changed meanwhile: keep what is there
        session.delete(row)
        workspace.audit(session, "keys.identity_to_keyring", "mission", workspace.mission_code)
    return IdentityMove.MOVED


def private_key(ws: Workspace, session: Session, name: str, store: SecretStore) -> bytes | None:
    """One of HQ's private keys: from this workstation first (an HQ on a server keeps them
    there, app/security/hq_secrets.py), else from the encrypted database file."""
    kept = workstation_secret(ws.paths.data_dir, ws.database_id, name, store)
    if kept is not None:
        return kept
    try:
        with session.begin_nested():  # a refused read must not end the transaction
            row = session.get(LocalSecret, name)
    except DBAPIError:
        row = None  # HQ on a server: this role may not read those rows at all
    if row is not None:
        return _unsealed(ws, name, bytes(row.value))
    damaged = damaged_secrets_file(ws.paths.data_dir)
    if damaged is not None:
        # Said as such: "no key here" would send the operator to make new keys.
        raise SecretsFileDamaged(damaged)
    return None


def _unsealed(ws: Workspace, name: str, value: bytes) -> bytes:
    """A row written while a re-key waited is sealed under the waiting key (see
    ``app.security.waiting_secret``): a window that signed in before it does not know it."""
    pending = ws.pending_key.key if ws.pending_key is not None else None
    opened = unseal(value, (ws.db.key, pending), name)
    if opened is None:
        raise DatabaseError(
            _(
                "The mission's new keys can be used only once the database has its new "
                "key: close every Qorgau window and command, sign in again and try again. If "
                "this goes on, an administrator replaces them with 'qorgau keys rotate'."
            )
        )
    return opened


def move_secrets_off_server(workspace: Workspace, store: SecretStore) -> SecretPlace | None:
    """HQ on a server: take its private keys (the age identity, the signing key and the escrow
    identity once made) out of the shared database and keep them on this (the import)
    workstation; None when the database holds none.

    The rows are deleted only once the workstation gives every secret back, in the same
    transaction as the audit entry that says where they went (never what they are).
    """
    workspace.require_role(*ADMIN_OR_HQ)
    with workspace.read() as session:
        found = {
            row.name: bytes(row.value)
            for row in session.execute(
                select(LocalSecret).where(LocalSecret.name.in_(PRIVATE_NAMES))
            ).scalars()
        }
    if not found:
        return None
    folder, database_id = workspace.paths.data_dir, workspace.database_id
    place = keep_on_workstation(folder, database_id, found, store)
    for name, value in found.items():
        if workstation_secret(folder, database_id, name, store) != value:
            raise DatabaseError(
                _("The secrets could not be kept on this computer; they stay where they were.")
            )
    with workspace.write() as session:
        session.execute(delete(LocalSecret).where(LocalSecret.name.in_(list(found))))
        workspace.audit(
            session,
            "keys.secrets_to_workstation",
            "mission",
            workspace.mission_code,
            {"place": place.value, "secrets": sorted(found)},
        )
    return place


class KeyService:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def own_keys(self) -> PublicKeys:
        with self.ws.read() as session:
            mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
            signing_key = mission.signing_public_key or ""
            return PublicKeys(
                mission.code, signing_key, mission.age_recipient or "", fingerprint(signing_key)
            )

    def rotate(
        self,
        revoked: str | None = None,
        store: SecretStore | None = None,
        keys_lost: bool = False,
    ) -> KeyRotation:
        """Replace this mission's signing key pair: whoever copied the private key from the
        database (every user can read it) signs nothing HQ accepts once HQ trusts the new
        one. One transaction: the old private key is overwritten, the public key replaced and
        the change audited (old and new public key), or nothing changes.

        At headquarters see ``_rotate_hq`` (``store``: its keyring; ``keys_lost``: the import
        workstation that kept its keys is lost)."""
        if self.ws.mission.is_hq:
            return self._rotate_hq(store or SecretStore(), keys_lost)
        if self.ws.actor.role != Role.ADMIN:
            raise PermissionDenied(
                lazy(N_("Only the mission's administrator can replace its keys."))
            )
        private_pem, public_key = _new_signing_pair()
        with self.ws.write() as session:
            mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
            secret = session.get(LocalSecret, SIGNING_KEY)
            if secret is None:
                raise DatabaseError(lazy(N_("This installation has no signing key.")))
            old_key = mission.signing_public_key or ""
            identities, recipient = self._new_identity(session)
            # While a re-key waits the file keeps the old key, which a revoked officer held:
            # the new private keys are sealed under the waiting one until the re-key is done.
            pending = self.ws.pending_key
            for row, value in ((secret, private_pem), identities):
                row.value = seal(value, pending.key, row.name) if pending is not None else value
            old_recipient = mission.age_recipient or ""
            mission.signing_public_key, mission.age_recipient = public_key, recipient
            self.ws.audit(
                session,
                "keys.rotate",
                "mission",
                mission.code,
                {
                    "signing_key": public_key,
                    "replaced": old_key,
                    "fingerprint": fingerprint(public_key),
                    "revoked": revoked,
                    "age_recipient": recipient,
                    "age_recipient_replaced": old_recipient,
                },
            )
            return KeyRotation(mission.code, old_key, public_key, old_recipient, recipient)

    def _rotate_hq(self, store: SecretStore, keys_lost: bool) -> KeyRotation:
        """Replace headquarters' signing key and age identity where HQ keeps them: in its
        database file, or on this (the import) workstation, keyring or private file, never in
        a server's shared database. The old private signing key is overwritten; the old age
        identities stay after the new one (at most ``KEPT_IDENTITIES``), so that bundles the
        missions encrypted to HQ's old recipient, before they trust the new one, still open.
        Audited with the old and new public keys and their fingerprints.

        Who: those who already decide HQ's keys (``keys trust``, ``hq keep-keys-here``) and
        sign with them (the library, transfers, escrow policies): ``ADMIN_OR_HQ``. Not the
        import operator, who opens bundles but signs and trusts nothing missions rely on."""
        ws = self.ws
        ws.require_role(*ADMIN_OR_HQ)
        folder, database_id = ws.paths.data_dir, ws.database_id
        names = (SIGNING_KEY, AGE_IDENTITY, ESCROW_IDENTITY)
        with ws.read() as session:
            old_signing = private_key(ws, session, SIGNING_KEY, store)
            old_identity = private_key(ws, session, AGE_IDENTITY, store) or b""
            old_escrow = private_key(ws, session, ESCROW_IDENTITY, store)
            escrow_recorded = session.get(Setting, ESCROW_RECIPIENT) is not None
        if old_signing is None and not keys_lost:
            raise ValidationError(
                _(
                    "Headquarters' private keys are not on this computer, so they are not "
                    "replaced here: run 'qorgau keys rotate' on the import workstation that "
                    "keeps them. If that computer or its keys are lost, 'qorgau keys rotate "
                    "--keys-lost' makes new keys here; bundles the missions encrypted to the "
                    "old age recipient will then open nowhere."
                )
            )
        was_here = {n: workstation_secret(folder, database_id, n, store) for n in names}
        private_pem, public_key = _new_signing_pair()
        identities, recipient = _with_older_identities(old_identity)
        new = {SIGNING_KEY: private_pem, AGE_IDENTITY: identities}
        escrow = ("", "")  # the replaced escrow recipient and the new one
        if old_escrow is not None or (keys_lost and escrow_recorded):
            # The escrow identity was within reach of whoever could copy the other two. Every
            # older one is kept: a mission's escrow stays sealed to the recipient of its last
            # policy until it applies one signed with the new key, and its code must open.
            new[ESCROW_IDENTITY], escrow_recipient = _with_older_identities(
                old_escrow or b"", most=None
            )
            escrow = (_newest_recipient(old_escrow), escrow_recipient)
        # On a server the workstation keeps both; in a file, each stays where it was kept.
        on_workstation = {n: v for n, v in new.items() if ws.on_server or was_here[n] is not None}
        try:
            replace_on_workstation(folder, database_id, on_workstation, store)
            rotation = self._record_hq_rotation(
                {n: v for n, v in new.items() if n not in on_workstation},
                public_key,
                recipient,
                escrow,
                keys_lost,
                sorted(on_workstation),
            )
        except BaseException:
            self._put_back(was_here, on_workstation, store)
            raise
        return rotation

    def _record_hq_rotation(
        self,
        in_database: dict[str, bytes],
        public_key: str,
        recipient: str,
        escrow: tuple[str, str],
        keys_lost: bool,
        on_workstation: list[str],
    ) -> KeyRotation:
        """HQ's new public keys, the private ones its database file keeps, and the audit
        entry: one transaction. ``escrow``: the replaced escrow recipient and the new one, or
        empty (no escrow key here)."""
        ws = self.ws
        replaced_escrow, escrow_recipient = escrow
        with ws.write() as session:
            if escrow_recipient and ws.on_server:
                # Every workstation learns from it which escrow key is HQ's (app.services.recovery).
                session.merge(Setting(key=ESCROW_RECIPIENT, value=escrow_recipient))
            mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
            pending = ws.pending_key
            for name, value in in_database.items():
                row = session.get(LocalSecret, name)
                if row is None:
                    row = LocalSecret(name=name, value=b"")
                    session.add(row)
                row.value = seal(value, pending.key, name) if pending is not None else value
            old_key, old_recipient = mission.signing_public_key or "", mission.age_recipient or ""
            mission.signing_public_key, mission.age_recipient = public_key, recipient
            ws.audit(
                session,
                "keys.rotate",
                "mission",
                mission.code,
                {
                    "signing_key": public_key,
                    "replaced": old_key,
                    "fingerprint": fingerprint(public_key),
                    "replaced_fingerprint": fingerprint(old_key),
                    "age_recipient": recipient,
                    "age_recipient_replaced": old_recipient,
                    "age_recipient_fingerprint": fingerprint(recipient),
                    "age_recipient_replaced_fingerprint": fingerprint(old_recipient),
                    "on_workstation": on_workstation,  # the rest in the database file
                    "keys_lost": keys_lost,
                    "escrow_recipient": escrow_recipient,
                    "escrow_recipient_replaced": replaced_escrow,
                },
            )
            return KeyRotation(
                mission.code, old_key, public_key, old_recipient, recipient, True, escrow_recipient
            )

    def _put_back(
        self, was_here: dict[str, bytes | None], written: dict[str, bytes], store: SecretStore
    ) -> None:
        """A rotation that failed half-way: the workstation holds its old keys again."""
        folder, database_id = self.ws.paths.data_dir, self.ws.database_id
        old = {n: v for n, v in was_here.items() if n in written and v is not None}
        if old:
            replace_on_workstation(folder, database_id, old, store)
        for name in written:
            if was_here[name] is None:
                forget_on_workstation(folder, database_id, name, store)

    def _new_identity(self, session: Session) -> tuple[tuple[LocalSecret, bytes], str]:
        """A new age identity for the mission's bundles (its own and HQ's to it, once HQ
        registers the new recipient): the row to write with its value, and the recipient.

        The old identities stay after it in the row: HQ encrypts to the recipient it knows
        until it is told the new one, and those bundles must still open here. They give a
        revoked officer nothing she did not hold; a few are kept, the oldest dropped."""
        import pyrage

        identity = pyrage.x25519.Identity.generate()
        row = session.get(LocalSecret, AGE_IDENTITY)
        if row is None:  # kept in the system keyring, which still opens the old bundles
            row = LocalSecret(name=AGE_IDENTITY, value=b"")
            session.add(row)
            older: list[str] = []
        else:
            pending = self.ws.pending_key.key if self.ws.pending_key is not None else None
            # Sealed under a key no one here holds (a backup's copy from a re-key's wait):
            # nothing older can be kept, and the rotation is the way out, so it goes on.
            kept = unseal(bytes(row.value), (self.ws.db.key, pending), AGE_IDENTITY) or b""
            text = kept.decode("ascii")
            older = [line.strip() for line in text.splitlines() if line.strip()]
        lines = [str(identity), *older[: KEPT_IDENTITIES - 1]]
        return (row, "\n".join(lines).encode("ascii")), str(identity.to_public())

    def identity_place(self, store: SecretStore) -> IdentityPlace:
        """Where the age identity is: the UI says so once where the keys are shown."""
        with self.ws.read() as session:
            in_database = session.get(LocalSecret, AGE_IDENTITY) is not None
        if in_database:
            return IdentityPlace.DATABASE
        if store.get(identity_entry_name(self.ws.database_id)):
            return IdentityPlace.KEYRING
        return IdentityPlace.MISSING

    def trusted(self) -> list[TrustedKey]:
        """Other installations with a registered signing key, headquarters first."""
        with self.ws.read() as session:
            rows = session.execute(
                select(Mission)
                .where(Mission.is_local.is_(False), Mission.signing_public_key.is_not(None))
                .order_by(Mission.is_hq.desc(), Mission.code)
            ).scalars()
            return [
                TrustedKey(
                    m.code, m.signing_public_key or "", m.age_recipient or "", m.trusted_at, m.is_hq
                )
                for m in rows
            ]

    def review_of_current_key(self, code: str, since: date | None = None) -> KeyReview | None:
        """What HQ holds from ``code``'s bundles signed with the key trusted now (read before
        ``trust`` replaces it: see app.services.key_review); None at a mission, whose cases
        no other installation changes."""
        if not self.ws.mission.is_hq:
            return None
        with self.ws.read() as session:
            return imports_under_current_key(session, code, since)

    def may_trust(self) -> bool:
        """Whether the signed-in user may register keys (``trust`` refuses the others)."""
        return self.ws.actor.role in ADMIN_OR_HQ

    def trust(
        self,
        code: str,
        signing_key: str,
        age_recipient: str | None = None,
        is_hq: bool = False,
    ) -> str | None:
        """Register another installation's keys; ``is_hq`` marks headquarters (at a mission).
        Returns the signing key this one replaces, if another was trusted for ``code``: its
        bundles are refused from now on, which whoever trusts it should be told."""
        self.ws.require_role(*ADMIN_OR_HQ)
        if not MISSION_CODE_RE.match(code):
            raise ValidationError(
                _("The mission code is 2–8 capital Latin letters, for example SEL."), field="code"
            )
        check_signing_key(signing_key)
        if age_recipient:
            check_age_recipient(age_recipient)
        with self.ws.write() as session:
            mission = session.execute(
                select(Mission).where(Mission.code == code)
            ).scalar_one_or_none()
            if mission is not None and mission.is_local:
                raise ValidationError(_("This is the installation's own mission code."))
            if mission is None:
                mission = Mission(code=code, country="", city="")
                session.add(mission)
            previous = mission.signing_public_key
            mission.signing_public_key = signing_key
            if age_recipient:
                mission.age_recipient = age_recipient
            mission.trusted_at = datetime.now(UTC)
            if is_hq:
                mission.is_hq = True
            self.ws.audit(
                session,
                "keys.trust",
                "mission",
                code,
                {"signing_key": signing_key, "replaced": previous},
            )
        return previous if previous and previous != signing_key else None
