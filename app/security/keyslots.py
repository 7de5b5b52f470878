"""Key slots: the database key wrapped once per user under a password-derived key.

The database key is 32 random bytes. Each slot stores, encrypted with AES-256-GCM under a key
derived from that user's password with Argon2id, the database key *and* the user's X25519
private key; the public half sits in the clear beside it. The slot's KDF parameters travel
with it (within fixed bounds, checked before any derivation), so a slot made with another
profile still opens. The associated data binds a slot to its user name, the database id and
the key's epoch, so slots cannot be swapped between users, installations or generations.

Revocation re-keys the database without anyone else's password: the new key (a new *epoch*)
is sealed to every remaining user's public key (``sealed``), and the user's next sign-in opens
that box with the private key from their slot and rewraps the slot. A sealed box is
X25519 ECDH with a fresh ephemeral key, HKDF-SHA256 and AES-256-GCM, whose associated data
names the installation, the user and the epoch (age cannot bind such data, and a box moved
to another user or epoch must not open).

``keyslots.json`` is written atomically (temp file, fsync, rename): losing it loses the data.
File format 2 (this one) reads format 1 files; their slots (no key pair) get one at their
user's next sign-in. A re-key is two writes around ``PRAGMA rekey`` (see ``app.security.rekey``):
``rekey_to`` marks the epoch in progress, so a crash in between is finished at the next sign-in.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import AuthError, DatabaseBusy, DatabaseError, ValidationError
from app.i18n import _, ngettext
from app.os_errors import os_error_text
from app.security.private_files import (
    exclusive_lock,
    make_private_dir,
    replace_privately,
    sync_folder,
)
from app.untrusted import json_from_outside

FORMAT = 2
KNOWN_FORMATS = (1, 2)
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 8
KDF_PROFILE_ENV = "QORGAU_KDF_PROFILE"
# A real key file is a few KiB per user; anything far larger is not ours.
MAX_FILE_BYTES = 4 * 1024 * 1024
# Slots that are not a person's: the recovery key's and HQ escrow's. A user name never starts
# with "@" (see app.services.installation.USERNAME_RE), so they cannot collide.
RECOVERY_SLOT = "@recovery"
ESCROW_SLOT = "@escrow"
STAGED = "staged"  # slots written before their account's transaction commits (stage_slot)
# Held, across processes, while the key file is read, changed and written back.
LOCK_FILENAME = "keyslots.lock"
# A change holds it for well under a second (one key derivation at most): a holder after this
# long is stuck, and the change is refused rather than waited for without end.
LOCK_WAIT_S = 30.0


@dataclass(frozen=True)
class KdfProfile:
    memory_cost_kib: int
    iterations: int
    lanes: int


# OWASP's Argon2id guidance is at least 19 MiB; 64 MiB x 3 takes ~0.1-0.3 s on a laptop.
PRODUCT_PROFILE = KdfProfile(memory_cost_kib=64 * 1024, iterations=3, lanes=4)
# Only for the test suite (set through QORGAU_KDF_PROFILE=test by tests/conftest.py).
TEST_PROFILE = KdfProfile(memory_cost_kib=64, iterations=1, lanes=1)

# What a slot may ask for. The key file is not trusted: a forged slot must not make sign-in
# allocate gigabytes or spin for minutes. 1 GiB and 16 passes are ~16x the product profile.
MAX_MEMORY_KIB = 1024 * 1024
MAX_ITERATIONS = 16
MAX_LANES = 16
SALT_BYTES = (16, 64)


def default_profile() -> KdfProfile:
    return TEST_PROFILE if os.environ.get(KDF_PROFILE_ENV) == "test" else PRODUCT_PROFILE


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _key_file_busy() -> DatabaseBusy:
    seconds = int(LOCK_WAIT_S)
    return DatabaseBusy(
        ngettext(
            "Another Qorgau window or command has been changing the key file for {n} second "
            "and has not finished; nothing was changed. Wait until it finishes, or close it, "
            "and try again.",
            "Another Qorgau window or command has been changing the key file for {n} seconds "
            "and has not finished; nothing was changed. Wait until it finishes, or close it, "
            "and try again.",
            seconds,
        ).format(n=seconds)
    )


def _damaged() -> DatabaseError:
    return DatabaseError(_("The key file is damaged; restore it from a backup."))


def _derive(password: str, salt: bytes, profile: KdfProfile) -> bytes:
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=profile.iterations,
        lanes=profile.lanes,
        memory_cost=profile.memory_cost_kib,
    )
    return kdf.derive(password.encode("utf-8"))


def check_kdf_profile(profile: KdfProfile) -> None:
    """Refuse parameters outside the sane range before any derivation (a forged key file)."""
    if not (
        1 <= profile.lanes <= MAX_LANES
        and 1 <= profile.iterations <= MAX_ITERATIONS
        and 8 * profile.lanes <= profile.memory_cost_kib <= MAX_MEMORY_KIB
    ):
        raise DatabaseError(
            _(
                "The key file asks for key-derivation parameters outside the allowed range "
                "(memory {memory} KiB, {iterations} passes, {lanes} lanes); it was not made by "
                "Qorgau. Restore the key file from a backup."
            ).format(
                memory=profile.memory_cost_kib,
                iterations=profile.iterations,
                lanes=profile.lanes,
            )
        )


# Passwords of eight characters or more that a guesser holding the key file tries first.
_COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "qwerty123",
        "qwe123456",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "1qaz2wsx",
        "zaq12wsx",
        "qazwsxedc",
        "123qweasd",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "superman",
        "trustno1",
        "letmein1",
        "welcome1",
        "admin123",
        "administrator",
        "qorgau123",
        "kazakhstan",
        "пароль123",
        "йцукен123",
    }
)
# Runs along a keyboard row, the digits or the alphabet («12345678», «qwertyui», «йцукенгш»).
_RUNS = (
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю",
    "abcdefghijklmnopqrstuvwxyz",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
)


def _guessed_first(password: str) -> bool:
    """A password a guesser tries first: a common one, a run of the keyboard or the digits
    (either way), or a short group repeated («11111111», «abcabcabc»)."""
    text = password.casefold()
    if text in _COMMON_PASSWORDS:
        return True
    if any(text in run or text in run[::-1] for run in _RUNS):
        return True
    return any(len(text) % n == 0 and text == text[:n] * (len(text) // n) for n in (1, 2, 3, 4))


def check_password_strength(password: str) -> None:
    """Refuse a new password that is too short or among the first a guesser tries: the
    password is all that stands between a stolen laptop's key file and the cases."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            lambda: _("The password must be at least {n} characters long.").format(
                n=MIN_PASSWORD_LENGTH
            ),
            field="password",
        )
    if _guessed_first(password):
        raise ValidationError(
            lambda: _(
                "This password is among the first that anyone guessing tries: choose one of "
                "your own, for example a few words."
            ),
            field="password",
        )


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _raw_public(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes_raw()


def _raw_private(private: X25519PrivateKey) -> bytes:
    return private.private_bytes_raw()


def account_signing_key(private: X25519PrivateKey) -> Ed25519PrivateKey:
    """The Ed25519 key a user signs her account changes with, derived from the slot's X25519
    private key: it is exactly as well kept (only her password, or for the recovery slot the
    recovery key, unwraps it), a new password makes a new one with the new pair, and a rewrap
    keeps it, with no change to the key file's format."""
    seed = HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"qorgau-account-signing:v1"
    ).derive(_raw_private(private))
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_public(private: Ed25519PrivateKey) -> str:
    """The public half of an account signing key as the audit log carries it (base64)."""
    return _b64(private.public_key().public_bytes_raw())


# -- sealed boxes: a database key for one user's public key ----------------------------------


def _seal_context(database_id: str, username: str, epoch: int) -> bytes:
    return f"qorgau-sealed-key:v1:{database_id}:{username}:{epoch}".encode()


def _box_key(shared: bytes, ephemeral: bytes, recipient: bytes, context: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral + recipient, info=context
    ).derive(shared)


def rekey_proof(current_key: bytes, database_id: str, epoch: int, new_key: bytes) -> str:
    """An HMAC, under a key derived from the key the file has, over the waiting key.

    Anyone who can write ``keyslots.json`` can seal a key of their choosing to every user
    (the public keys are in it): without this, the next sign-in re-keyed the file to it and
    handed its maker the database. Only a holder of the file's key vouches for a new one."""
    mac_key = HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"qorgau-rekey-proof:v1"
    ).derive(current_key)
    message = f"{database_id}:{epoch}:".encode() + new_key
    return _b64(hmac.new(mac_key, message, "sha256").digest())


def proves_rekey(
    proof: str, current_key: bytes, database_id: str, epoch: int, new_key: bytes
) -> bool:
    expected = rekey_proof(current_key, database_id, epoch, new_key)
    return proof.isascii() and hmac.compare_digest(proof, expected)


def seal_key(key: bytes, recipient: bytes, context: bytes) -> dict[str, str]:
    """``key`` encrypted so that only the holder of ``recipient``'s private key opens it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw_public(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = secrets.token_bytes(12)
    box = AESGCM(_box_key(shared, ephemeral_public, recipient, context))
    return {
        "ephemeral": _b64(ephemeral_public),
        "nonce": _b64(nonce),
        "ciphertext": _b64(box.encrypt(nonce, key, context)),
    }


def open_sealed_key(sealed: dict[str, Any], private: X25519PrivateKey, context: bytes) -> bytes:
    """The key in a sealed box; InvalidTag/ValueError when it is not for this key and context."""
    ephemeral = _unb64(sealed["ephemeral"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    box = AESGCM(_box_key(shared, ephemeral, _raw_public(private), context))
    return box.decrypt(_unb64(sealed["nonce"]), _unb64(sealed["ciphertext"]), context)


@dataclass
class OpenedSlot:
    """What one user's password yields: database keys by epoch and their private key."""

    username: str
    slot_epoch: int
    keys: dict[int, bytes] = field(default_factory=dict)
    private_key: X25519PrivateKey | None = None
    nonce: str = ""  # the slot's own: tells whether it was written again since it was opened

    def newest_key(self) -> bytes:
        return self.keys[max(self.keys)]

    def signing_key(self) -> Ed25519PrivateKey | None:
        """Her account signing key; None for a format 1 slot not yet rewrapped."""
        return None if self.private_key is None else account_signing_key(self.private_key)


@dataclass(frozen=True)
class PendingKey:
    """The key of a re-key the file still waits for (``rekey_to``): its epoch and the key,
    known to the window that began it and to those signed in since."""

    epoch: int
    key: bytes


@dataclass(frozen=True)
class KeyState:
    """The database's key generation as the key file records it."""

    database_id: str
    key_epoch: int
    rekey_to: int | None
    rekey_proof: str = ""  # see ``rekey_proof``: who began the re-key held the file's key


class KeySlotStore:
    """The ``keyslots.json`` file of one installation."""

    def __init__(self, path: Path, profile: KdfProfile | None = None) -> None:
        self.path = path
        self.profile = profile or default_profile()

    # -- file -------------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise DatabaseError(
                _("The key file {name} is missing; restore it from a backup.").format(
                    name=self.path.name
                )
            ) from None
        except OSError as exc:
            raise DatabaseError(
                _("The key file cannot be read: {error}").format(error=os_error_text(exc))
            ) from None
        if len(raw) > MAX_FILE_BYTES:
            raise _damaged()
        try:
            data = json_from_outside(raw)
        except ValueError:
            raise _damaged() from None
        if not isinstance(data, dict) or data.get("format") not in KNOWN_FORMATS:
            raise DatabaseError(_("The key file is not a Qorgau key file of a known version."))
        return _check_shape(data)

    def _save(self, data: dict[str, Any]) -> None:
        data["format"] = FORMAT
        make_private_dir(self.path.parent)
        replace_privately(self.path, json.dumps(data, indent=2, sort_keys=True), ".keyslots-")
        sync_folder(self.path.parent)

    @contextmanager
    def _changing(self) -> Iterator[dict[str, Any]]:
        """The file's contents, written back when the block ends without an error. Two
        processes changing it at once (a sign-in's rewrap beside an administrator adding a
        user, revoking one or changing the key) would each write back what they had read, and
        the first one's change would be lost: a new user's slot, or a revocation undone."""
        make_private_dir(self.path.parent)
        with exclusive_lock(self.path.with_name(LOCK_FILENAME), LOCK_WAIT_S, _key_file_busy):
            data = self._load()
            before = json.dumps(data, sort_keys=True)
            yield data
            if json.dumps(data, sort_keys=True) != before:  # else the file stays untouched
                self._save(data)

    # -- slots ------------------------------------------------------------------------------

    def create(
        self, username: str, password: str, key: bytes, private: X25519PrivateKey | None = None
    ) -> str:
        """Write a new file with one slot; returns the database id."""
        if self.path.exists():
            raise DatabaseError(_("A key file already exists here; refusing to overwrite it."))
        database_id = str(uuid.uuid4())
        data: dict[str, Any] = {
            "format": FORMAT,
            "database_id": database_id,
            "key_epoch": 0,
            "slots": {},
        }
        data["slots"][username] = self._wrap(database_id, username, password, key, 0, private)
        self._save(data)
        return database_id

    def database_id(self) -> str:
        return str(self._load()["database_id"])

    def state(self) -> KeyState:
        data = self._load()
        proof = data.get("rekey_proof")
        return KeyState(
            data["database_id"],
            data["key_epoch"],
            data.get("rekey_to"),
            proof if isinstance(proof, str) else "",
        )

    def special_keys(self, staged: bool = False) -> dict[str, str]:
        """The recovery and escrow slots' public keys (base64), as the key file holds them;
        with ``staged``, a staged one's in place of its slot's (to be recorded in the
        transaction before it is confirmed)."""
        data = self._load()
        slots = dict(data["slots"])
        if staged:
            slots |= {name: entry["slot"] for name, entry in _staged(data).items()}
        found = {}
        for name, slot in slots.items():
            if name.startswith("@") and isinstance(slot.get("public_key"), str):
                found[name] = str(slot["public_key"])
        return found

    def usernames(self) -> list[str]:
        """The people with a slot (not the recovery or escrow slots)."""
        return sorted(u for u in self._load()["slots"] if not u.startswith("@"))

    def escrow(self) -> dict[str, Any] | None:
        """HQ's escrow: its age recipient and the escrow secret encrypted to it."""
        escrow = self._load().get("escrow")
        return escrow if isinstance(escrow, dict) else None

    def stage_escrow(
        self,
        secret: str,
        key: bytes,
        recipient: str,
        box: str,
        pending: PendingKey | None = None,
        private: X25519PrivateKey | None = None,
    ) -> None:
        """The escrow slot (opened by ``secret``) and ``secret`` sealed to HQ, staged in one
        write until the transaction recording its signing key commits (``confirm_staged``),
        as ``stage_slot`` does: written at once, a crash before that commit left an escrow
        whose recovery the history judged forged."""
        private = private or X25519PrivateKey.generate()
        with self._changing() as data:
            slot = self._current_slot(data, ESCROW_SLOT, secret, key, pending, private)
            staged = _staged(data)
            data[STAGED] = staged
            staged[ESCROW_SLOT] = {
                "slot": slot,
                "signing_key": signing_public(account_signing_key(private)),
                "escrow": {
                    "recipient": recipient,
                    "box": box,
                    "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                },
            }

    def clear_escrow(self) -> None:
        with self._changing() as data:
            data["slots"].pop(ESCROW_SLOT, None)
            data.pop("escrow", None)
            staged = _staged(data)
            staged.pop(ESCROW_SLOT, None)
            _set_staged(data, staged)

    def has_slot(self, username: str) -> bool:
        return username in self._load()["slots"]

    def public_key(self, username: str) -> bytes | None:
        """The public half of ``username``'s key pair, None without a slot (or a format 1
        slot). A new password (``set_slot``) makes a new pair; a rewrap keeps it: so it tells
        whether the slot still holds the password someone had."""
        slot = self._load()["slots"].get(username)
        try:
            return _unb64(slot["public_key"]) if slot is not None else None
        except (KeyError, TypeError, ValueError):
            return None

    def open_slot(self, username: str, password: str) -> OpenedSlot:
        """Every database key ``username``'s password reaches; AuthError if it is wrong.

        The message never says which of the two was wrong.
        """
        data = self._load()
        slot = data["slots"].get(username)
        staged = _staged(data).get(username)
        if slot is None and staged is None:
            # Spend the same effort as a real attempt so timing does not reveal user names.
            _derive(password, b"\0" * 16, self.profile)
            raise AuthError(lambda: _("Wrong user name or password."))
        if slot is not None:
            try:
                return self._unwrap(data["database_id"], username, password, slot)
            except AuthError:
                if staged is None:
                    raise
        # A new password a crash left staged: the sign-in settles whether it stays.
        assert staged is not None
        return self._unwrap(data["database_id"], username, password, staged["slot"])

    def unlock(self, username: str, password: str) -> bytes:
        """The newest database key the slot reaches (proves the password)."""
        return self.open_slot(username, password).newest_key()

    def set_slot(
        self,
        username: str,
        password: str,
        key: bytes,
        pending: PendingKey | None = None,
        private: X25519PrivateKey | None = None,
    ) -> None:
        """Add or replace ``username``'s slot (new user, password change or admin reset).

        ``key`` is the current database key; the user gets a fresh key pair (``private``, when
        the caller made it first to publish its signing key), so boxes sealed to an older one
        (which an admin reset could not open anyway) are dropped. While a re-key waits,
        ``pending`` is its key, sealed to the new pair too.
        """
        check_password_strength(password)
        with self._changing() as data:
            data["slots"][username] = self._current_slot(
                data, username, password, key, pending, private
            )

    def stage_slot(
        self,
        username: str,
        password: str,
        key: bytes,
        pending: PendingKey | None,
        private: X25519PrivateKey,
        recovery: bool = False,
    ) -> None:
        """Write ``username``'s new slot (a new user, a new password) beside the one in use,
        until the database's transaction that gives the account its new signing key commits
        (``confirm_staged``). Written over the old slot at once, a crash before that commit
        left a password the history did not know: the account's signatures were judged
        forged, the users an administrator added after it could not sign in, and
        ``audit verify`` said the log was tampered with. ``settle_staged`` decides after a
        crash, by the history, which of the two stays. ``recovery``: staged by ``recover``,
        whose user has no previous password to go back to if it is dropped."""
        check_password_strength(password)
        with self._changing() as data:
            slot = self._current_slot(data, username, password, key, pending, private)
            staged = _staged(data)
            data[STAGED] = staged
            staged[username] = {
                "slot": slot,
                "signing_key": signing_public(account_signing_key(private)),
            }
            if recovery:
                staged[username]["recovery"] = True

    def staged(self) -> dict[str, str]:
        """The slots written but not yet confirmed: user name → the new signing key."""
        return {name: entry["signing_key"] for name, entry in _staged(self._load()).items()}

    def staged_by_recovery(self) -> set[str]:
        """The user names among ``staged`` whose slot a recovery staged."""
        return {name for name, entry in _staged(self._load()).items() if entry.get("recovery")}

    def confirm_staged(self, username: str) -> None:
        """The staged slot becomes ``username``'s slot: the history gives its key now."""
        self.settle_staged({username: True})

    def settle_staged(self, keep: dict[str, bool]) -> None:
        """Each staged slot named: kept (in place of the old slot) or dropped."""
        with self._changing() as data:
            staged = _staged(data)
            for username, kept in keep.items():
                entry = staged.pop(username, None)
                if entry is not None and kept:
                    data["slots"][username] = entry["slot"]
                    if isinstance(entry.get("escrow"), dict):
                        data["escrow"] = entry["escrow"]  # the secret HQ reads, with its slot
            _set_staged(data, staged)

    def _current_slot(
        self,
        data: dict[str, Any],
        username: str,
        password: str,
        key: bytes,
        pending: PendingKey | None,
        private: X25519PrivateKey | None = None,
    ) -> dict[str, Any]:
        """A fresh slot holding ``key``, and the waiting re-key's key if there is one: a slot
        written with the current key alone would open nothing once the file is re-keyed."""
        database_id, waiting = data["database_id"], data.get("rekey_to")
        if waiting is not None and (pending is None or pending.epoch != waiting):
            raise DatabaseError(
                _(
                    "The database key is still being changed: another Qorgau window or command "
                    "had the database open. Close every other Qorgau window, sign in again, "
                    "and try again; nothing was changed."
                )
            )
        slot = self._wrap(database_id, username, password, key, data["key_epoch"], private)
        if waiting is not None and pending is not None:
            slot["sealed"][str(waiting)] = seal_key(
                pending.key,
                _unb64(slot["public_key"]),
                _seal_context(database_id, username, waiting),
            )
        return slot

    def rewrap(self, opened: OpenedSlot, password: str, epoch: int) -> bool:
        """At sign-in: wrap the key of ``epoch`` (now current) in the user's slot, keeping
        their key pair (a slot from format 1 gets its first one). Boxes of a later epoch stay:
        a re-key still waiting for the file needs them.

        A slot written again since it was opened (revoked, reset by an administrator, or
        rewrapped by the same user's other sign-in) is left as it is: writing this one back
        would bring a revoked user back, or undo a reset. Whether it was written.

        A format 1 slot gets its first pair here, kept on ``opened`` for its signing key; if
        the slot is left as it is, the pair is stored nowhere, and ``opened`` keeps none (its
        signing key, published, would differ from the slot's at every later sign-in)."""
        made_here = opened.private_key is None
        if opened.private_key is None:
            opened.private_key = X25519PrivateKey.generate()
        # The key derivation is the slow part: done before the file is locked.
        slot = self._wrap(
            self.database_id(),
            opened.username,
            password,
            opened.keys[epoch],
            epoch,
            opened.private_key,
        )
        with self._changing() as data:
            current = data["slots"].get(opened.username)
            if current is None or current.get("nonce") != opened.nonce:
                if made_here:
                    opened.private_key = None
                return False
            sealed = current.get("sealed", {}).items()
            slot["sealed"].update({e: box for e, box in sealed if int(e) > epoch})
            data["slots"][opened.username] = slot
        return True

    def remove_slot(self, username: str) -> None:
        with self._changing() as data:
            data["slots"].pop(username, None)
            staged = _staged(data)
            staged.pop(username, None)
            _set_staged(data, staged)

    # -- re-key -----------------------------------------------------------------------------

    def begin_rekey(
        self,
        new_key: bytes,
        revoked: str | None,
        current_key: bytes,
        members: set[str] | None = None,
    ) -> tuple[int, list[str]]:
        """Step 1 of a re-key: drop ``revoked``'s slot and seal ``new_key`` (the next epoch)
        to every other user. Returns the new epoch and the users whose slots had no key pair
        yet (format 1, never signed in since): their slots are removed, an administrator
        resets their passwords. ``current_key``, the key the file has, vouches for the new
        one (``rekey_proof``). ``members``, the slots the database vouches for (its active
        users, the recovery and escrow slots it recorded): any other slot (planted by someone
        who could write this file) gets nothing and goes."""
        with self._changing() as data:
            if members is not None:
                for name in [n for n in data["slots"] if n not in members]:
                    del data["slots"][name]
            epoch, without_keys = self._begin_rekey(data, new_key, revoked)
            data["rekey_proof"] = rekey_proof(current_key, data["database_id"], epoch, new_key)
            return epoch, without_keys

    def _begin_rekey(
        self, data: dict[str, Any], new_key: bytes, revoked: str | None
    ) -> tuple[int, list[str]]:
        # A re-key still waiting for the file (other windows held it, or a crash) is
        # superseded: the file goes from its current key straight to this one, and the boxes
        # of the waiting key go, as the user revoked now may have opened hers.
        waiting = data.get("rekey_to")
        epoch = (data["key_epoch"] if waiting is None else waiting) + 1
        database_id = data["database_id"]
        if waiting is not None:
            for slot in data["slots"].values():
                slot.get("sealed", {}).pop(str(waiting), None)
        data["slots"].pop(revoked or "", None)
        if revoked == ESCROW_SLOT:
            data.pop("escrow", None)
        without_keys = sorted(u for u, s in data["slots"].items() if "public_key" not in s)
        for username in without_keys:
            del data["slots"][username]
        try:
            for username, slot in data["slots"].items():
                public = _unb64(slot["public_key"])
                slot.setdefault("sealed", {})[str(epoch)] = seal_key(
                    new_key, public, _seal_context(database_id, username, epoch)
                )
        except (TypeError, ValueError):
            raise _damaged() from None  # a public key that is not one: nothing is written
        data["rekey_to"] = epoch
        return epoch, without_keys

    def finish_rekey(self, epoch: int) -> None:
        """Step 2, once the database opens with the new key: it is now the current epoch."""
        with self._changing() as data:
            data["key_epoch"] = epoch
            data.pop("rekey_to", None)
            data.pop("rekey_proof", None)
            for slot in data["slots"].values():
                sealed = slot.get("sealed", {})
                for old in [e for e in sealed if int(e) < epoch]:
                    del sealed[old]

    def abandon_rekey(self) -> None:
        """The database still opens with the current key and nobody holds the new one."""
        with self._changing() as data:
            pending = data.pop("rekey_to", None)
            data.pop("rekey_proof", None)
            for slot in data["slots"].values():
                slot.get("sealed", {}).pop(str(pending), None)

    # -- crypto -----------------------------------------------------------------------------

    def _wrap(
        self,
        database_id: str,
        username: str,
        password: str,
        key: bytes,
        epoch: int,
        private: X25519PrivateKey | None = None,
    ) -> dict[str, Any]:
        private = private or X25519PrivateKey.generate()
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        kek = _derive(password, salt, self.profile)
        wrapped = AESGCM(kek).encrypt(
            nonce, key + _raw_private(private), _aad(database_id, username, epoch)
        )
        return {
            "kdf": {
                "name": "argon2id",
                "salt": _b64(salt),
                "memory_cost_kib": self.profile.memory_cost_kib,
                "iterations": self.profile.iterations,
                "lanes": self.profile.lanes,
            },
            "cipher": "aes-256-gcm",
            "nonce": _b64(nonce),
            "wrapped_key": _b64(wrapped),
            "epoch": epoch,
            "public_key": _b64(_raw_public(private)),
            "sealed": {},
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def _unwrap(
        self, database_id: str, username: str, password: str, slot: dict[str, Any]
    ) -> OpenedSlot:
        legacy = "public_key" not in slot
        try:
            kdf = slot["kdf"]
            profile = KdfProfile(
                memory_cost_kib=_int(kdf["memory_cost_kib"]),
                iterations=_int(kdf["iterations"]),
                lanes=_int(kdf["lanes"]),
            )
            salt, nonce = _unb64(kdf["salt"]), _unb64(slot["nonce"])
            wrapped = _unb64(slot["wrapped_key"])
            epoch = 0 if legacy else _int(slot["epoch"])
        except (KeyError, TypeError, ValueError):
            raise _damaged() from None
        if not SALT_BYTES[0] <= len(salt) <= SALT_BYTES[1] or len(nonce) != 12:
            raise _damaged()
        check_kdf_profile(profile)
        kek = _derive(password, salt, profile)
        aad = _legacy_aad(database_id, username) if legacy else _aad(database_id, username, epoch)
        try:
            plain = AESGCM(kek).decrypt(nonce, wrapped, aad)
        except InvalidTag:
            raise AuthError(lambda: _("Wrong user name or password.")) from None
        if legacy:
            return OpenedSlot(username, 0, {0: plain}, nonce=slot["nonce"])
        if len(plain) != 2 * KEY_BYTES:
            raise _damaged()
        private = X25519PrivateKey.from_private_bytes(plain[KEY_BYTES:])
        opened = OpenedSlot(username, epoch, {epoch: plain[:KEY_BYTES]}, private, slot["nonce"])
        for sealed_epoch, sealed in slot.get("sealed", {}).items():
            number = int(sealed_epoch)
            context = _seal_context(database_id, username, number)
            try:
                opened.keys[number] = open_sealed_key(sealed, private, context)
            except (InvalidTag, KeyError, TypeError, ValueError):
                continue  # a box for another key pair (password reset since): useless, not fatal
        return opened


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer")
    return value


def _check_shape(data: dict[str, Any]) -> dict[str, Any]:
    """Types of the fields every reader relies on; format 1 files read as epoch 0."""
    slots = data.get("slots")
    database_id = data.get("database_id")
    if not isinstance(slots, dict) or not isinstance(database_id, str):
        raise _damaged()
    if not all(isinstance(name, str) and isinstance(s, dict) for name, s in slots.items()):
        raise _damaged()
    data.setdefault("key_epoch", 0)
    try:
        _int(data["key_epoch"])
        if data.get("rekey_to") is not None:
            _int(data["rekey_to"])
        for slot in slots.values():
            sealed = slot.get("sealed", {})
            if not isinstance(sealed, dict) or not all(
                isinstance(s, dict) for s in sealed.values()
            ):
                raise ValueError("sealed")
            for epoch in sealed:
                int(epoch)
    except ValueError:
        raise _damaged() from None
    return data


def _staged(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The key file's staged slots (``stage_slot``); a malformed entry counts as none."""
    staged = data.get(STAGED)
    if not isinstance(staged, dict):
        return {}
    return {
        name: entry
        for name, entry in staged.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("slot"), dict)
        and isinstance(entry.get("signing_key"), str)
    }


def _set_staged(data: dict[str, Any], staged: dict[str, dict[str, Any]]) -> None:
    if staged:
        data[STAGED] = staged
    else:
        data.pop(STAGED, None)


def _aad(database_id: str, username: str, epoch: int) -> bytes:
    return f"qorgau-keyslot:v2:{database_id}:{username}:{epoch}".encode()


def _legacy_aad(database_id: str, username: str) -> bytes:
    return f"qorgau-keyslot:v1:{database_id}:{username}".encode()
