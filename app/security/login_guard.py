"""A growing delay after wrong passwords, and a record of them that cannot vanish unnoticed.

A wrong password cannot open the database (the key stays wrapped), so attempts are kept in a
small non-secret file beside ``keyslots.json``: the user name typed and the UTC time, never the
password. The delays after the 1st, 2nd, 3rd ... consecutive failure of one user name are
0, 1, 2, 4, 8 ... s, capped at 30 s (a single typo costs nothing).

- **Counted before the password is tried**, under an OS file lock: every attempt first waits
  out its delay, then adds one to its name's count and leaves a numbered entry; a success takes
  its own entry back. So two processes guessing at once both count and the second waits, and an
  attempt killed half-way counts as failed.
- **Sealed**: the file carries an HMAC-SHA256 over its content, keyed from the installation's
  database id, and an ``instance`` id and a running ``seq`` of attempts. A hand-edited file
  fails the MAC.
- **Mirrored into the database**: at every successful sign-in the file's ``instance`` and
  ``seq`` are stored inside the encrypted database, the failures since then move into the audit
  log (``user.login_failed``), and anything that cannot follow from the last sign-in is audited
  as ``user.login_attempts_reset``: the file missing, replaced (deleted and started again),
  rolled back to an older copy, hand-edited, or with failures taken out.

What it cannot do (docs/security.md): someone who can write the data folder can
still copy back the file saved right after the last sign-in, which resets the delay unnoticed;
and with ``keyslots.json`` in hand they can guess offline at Argon2id's speed with no delay at
all. The delay slows guessing through Qorgau itself; file access is guarded by the OS account.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from app.errors import DatabaseBusy, QorgauError
from app.i18n import ngettext
from app.security.keyslots import KeySlotStore
from app.security.private_files import exclusive_lock, replace_privately
from app.untrusted import json_from_outside

FILENAME = "login_attempts.json"
LOCK_FILENAME = ".login_attempts.lock"
LOCK_WAIT_S = 30.0  # as the key file's lock: each holder only reads and writes a small file


def _attempts_busy() -> DatabaseBusy:
    seconds = int(LOCK_WAIT_S)
    return DatabaseBusy(
        ngettext(
            "Another Qorgau window or command has been recording a sign-in attempt for {n} "
            "second and has not finished; nothing was tried. Wait until it finishes, or close "
            "it, and try again.",
            "Another Qorgau window or command has been recording a sign-in attempt for {n} "
            "seconds and has not finished; nothing was tried. Wait until it finishes, or close "
            "it, and try again.",
            seconds,
        ).format(n=seconds)
    )


KEYSLOTS_FILENAME = "keyslots.json"
FORMAT = "qorgau-login-attempts"
VERSION = 2
MAX_DELAY_S = 30
# Bounds keep the file small whatever is typed at the prompt.
MAX_NAMES = 200
MAX_PENDING = 1000
MAX_NAME_CHARS = 64
# Those bounds keep a record under some 300 KB; a larger file is not one (and is not read whole).
MAX_FILE_BYTES = 1024 * 1024
AUDIT_ACTION = "user.login_failed"
RESET_ACTION = "user.login_attempts_reset"
MIRROR_SECRET = "login_attempts_mirror"  # LocalSecret row: {"instance", "seq"} at last sign-in
MAC_CONTEXT = b"qorgau login attempts v2"


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def delay_after(failures: int) -> int:
    """Seconds to wait before the next attempt after ``failures`` consecutive failures."""
    if failures <= 1:
        return 0
    return min(MAX_DELAY_S, 2 ** min(failures - 2, 16))


def wait_message(seconds: int) -> str:
    return ngettext(
        "Wait {n} second before the next attempt.",
        "Wait {n} seconds before the next attempt.",
        seconds,
    ).format(n=seconds)


def with_wait(message: str, wait_s: int) -> str:
    """``message`` about a wrong password, and how long the next attempt waits (if at all)."""
    return f"{message} {wait_message(wait_s)}" if wait_s else message


@dataclass(frozen=True)
class FailedAttempt:
    id: str
    username: str
    at: datetime


def _name(username: str) -> str:
    return username.strip().lower()[:MAX_NAME_CHARS]


def _fresh(found: str = "") -> dict[str, Any]:
    """A new record; ``found`` says what was there instead (for the next sign-in's audit)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "instance": str(uuid.uuid4()),
        "seq": 0,
        "dropped": 0,
        "found": found,
        "users": {},
        "pending": [],
    }


class LoginGuard:
    """Attempts of one installation (file ``login_attempts.json`` in its data dir)."""

    def __init__(self, data_dir: Path, clock: Clock | None = None) -> None:
        self.path = data_dir / FILENAME
        self.lock_path = data_dir / LOCK_FILENAME
        self.keyslots = data_dir / KEYSLOTS_FILENAME
        self.clock: Clock = clock or SystemClock()

    # -- the file ------------------------------------------------------------------------

    def _mac_key(self) -> bytes:
        """Derived from the installation's database id: binds the file to this installation.
        Not a secret from someone who can read keyslots.json (see the module's docstring)."""
        try:
            # The key file's own reader: its size, depth and format checks apply here too.
            database_id = KeySlotStore(self.keyslots).database_id()
        except (QorgauError, OSError):
            database_id = ""  # a damaged key file is reported by the sign-in itself
        return hmac.new(MAC_CONTEXT, database_id.encode("utf-8"), hashlib.sha256).digest()

    def _mac(self, data: dict[str, Any]) -> str:
        body = {k: v for k, v in data.items() if k != "mac"}
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hmac.new(self._mac_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def _load(self) -> tuple[dict[str, Any], str]:
        """The record and what was found: ``ok``, ``missing``, ``unsealed`` (the format before
        the seal, or a hand-written file) or ``tampered``."""
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            return _fresh("missing"), "missing"
        except OSError:
            return _fresh("tampered"), "tampered"
        try:
            if len(raw) > MAX_FILE_BYTES:
                raise ValueError("larger than any record")
            data = json_from_outside(raw)
        except ValueError:
            return _fresh("tampered"), "tampered"
        if isinstance(data, dict) and "format" not in data and "mac" not in data:
            return _from_unsealed(data), "unsealed"
        # The shape first: anyone who can read keyslots.json can seal a file (see the module's
        # docstring), so a sealed record may hold anything a hand can write.
        if not _is_record(data) or not self._sealed(data):
            return _fresh("tampered"), "tampered"
        data.setdefault("dropped", 0)
        data.setdefault("found", "")
        return data, "ok"

    def _sealed(self, data: dict[str, Any]) -> bool:
        mac = data.get("mac")
        # compare_digest refuses text that is not ASCII (TypeError): a seal is hex.
        return isinstance(mac, str) and mac.isascii() and hmac.compare_digest(mac, self._mac(data))

    def _save(self, data: dict[str, Any]) -> None:
        if not self.path.parent.is_dir():
            return
        data = {**data, "mac": ""}
        data["mac"] = self._mac(data)
        replace_privately(self.path, json.dumps(data, ensure_ascii=False, indent=1), ".login-")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if not self.path.parent.is_dir():
            yield
            return
        # Held only to read and write this small file: a holder that never lets go (a stopped
        # process) is waited for a bounded time, and the attempt is refused, not tried uncounted.
        with exclusive_lock(self.lock_path, LOCK_WAIT_S, _attempts_busy):
            yield

    # -- the delay -----------------------------------------------------------------------

    def failures(self, username: str) -> int:
        entry = self._load()[0]["users"].get(_name(username), {})
        return int(entry.get("count", 0)) if isinstance(entry, dict) else 0

    def _remaining(self, data: dict[str, Any], name: str) -> float:
        entry = data["users"].get(name)
        if not isinstance(entry, dict):
            return 0.0
        try:
            last = datetime.fromisoformat(str(entry["last"]))
            count = int(entry["count"])
        except (KeyError, TypeError, ValueError):
            return 0.0
        elapsed = (self.clock.now() - last).total_seconds()
        return max(0.0, delay_after(count) - max(0.0, elapsed))

    def remaining_wait(self, username: str) -> float:
        """Seconds still to wait before this user name may try again (0 when it may)."""
        return self._remaining(self._load()[0], _name(username))

    def wait_turn(self, username: str) -> None:
        """Sleep out the delay earned by earlier wrong passwords of this user name."""
        wait = self.remaining_wait(username)
        if wait > 0:
            self.clock.sleep(wait)

    def begin(self, username: str) -> str:
        """Wait for this name's turn, then count the attempt as failed until it succeeds.

        Returns the attempt's id, for :meth:`succeeded`. The check and the count happen under
        one lock, so parallel attempts queue behind each other's delays.
        """
        name = _name(username)
        while True:
            with self._locked():
                data, _found = self._load()
                wait = self._remaining(data, name)
                if wait <= 0:
                    return self._count(data, name)
            self.clock.sleep(wait)

    def _count(self, data: dict[str, Any], name: str) -> str:
        now = self.clock.now().isoformat()
        users: dict[str, Any] = data["users"]
        entry = users.get(name) if isinstance(users.get(name), dict) else None
        users[name] = {"count": int(entry.get("count", 0)) + 1 if entry else 1, "last": now}
        previous = dict(entry) if entry else None
        if len(users) > MAX_NAMES:
            oldest = sorted(users, key=lambda n: str(users[n].get("last", "")))
            for stale in oldest[: len(users) - MAX_NAMES]:
                del users[stale]
        data["seq"] = int(data["seq"]) + 1
        attempt_id = str(uuid.uuid4())
        pending: list[Any] = data["pending"]
        pending.append(
            {"id": attempt_id, "username": name, "at": now, "seq": data["seq"], "prev": previous}
        )
        if len(pending) > MAX_PENDING:
            data["dropped"] = int(data["dropped"]) + len(pending) - MAX_PENDING
            data["pending"] = pending[-MAX_PENDING:]
        self._save(data)
        return attempt_id

    def withdraw(self, attempt_id: str) -> None:
        """Take back an attempt whose password was right but which could not finish (say, a
        damaged database): it was no guess. Restores the record exactly when nothing else
        was counted since; otherwise the attempt simply stays counted."""
        with self._locked():
            data, found = self._load()
            pending: list[Any] = data["pending"]
            last = pending[-1] if pending else None
            if (
                found != "ok"
                or not isinstance(last, dict)
                or last.get("id") != attempt_id
                or last.get("seq") != data["seq"]
            ):
                return
            pending.pop()
            data["seq"] = int(data["seq"]) - 1
            name = str(last.get("username"))
            previous = _entry(last.get("prev"))
            if previous is not None:
                data["users"][name] = previous
            else:
                data["users"].pop(name, None)
            self._save(data)

    def failed(self, username: str) -> int:
        """The attempt begun with :meth:`begin` failed: the delay (s) before the next one."""
        return delay_after(self.failures(username))

    def record_failure(self, username: str) -> int:
        """Count one wrong password at once (no wait); returns the delay before the next."""
        self.begin(username)
        return self.failed(username)

    # -- after a successful unlock -------------------------------------------------------

    def pending(self) -> list[FailedAttempt]:
        return _attempts(self._load()[0]["pending"])

    def succeeded(self, workspace: Any, attempt_id: str | None = None) -> int:
        """Clear this user's delay, take back attempt ``attempt_id`` (it succeeded), move the
        failures into the audit log and audit anything that shows the record was reset.

        ``workspace`` is the unlocked Workspace (typed loosely: app.services imports this
        module). Returns the number of failures moved.
        """
        # Here, not at the top: the password is proved (``begin``) while SQLAlchemy, which the
        # audit log needs, is still being imported (app.services.sign_in).
        from app.security import audit

        with self._locked():
            data, found = self._load()
            with workspace.write() as session:
                mirror = _read_mirror(session)
                # Entries the last sign-in already moved (an old copy put back) are not new.
                same = mirror is not None and mirror.get("instance") == data["instance"]
                floor = int(mirror.get("seq", 0)) if same and mirror else 0
                fresh = [p for p in data["pending"] if isinstance(p, dict) and _seq(p) > floor]
                ours = sum(
                    1 for p in data["pending"] if isinstance(p, dict) and p.get("id") == attempt_id
                )
                failures = _attempts([p for p in fresh if p.get("id") != attempt_id])
                evidence = _evidence(data, found, mirror, len(failures), ours)
                for attempt in failures:
                    audit.record(
                        session,
                        attempt.username,
                        AUDIT_ACTION,
                        "user",
                        attempt.username,
                        {"at": attempt.at.isoformat(), "attempt_id": attempt.id},
                    )
                if evidence:
                    audit.record(
                        session,
                        workspace.actor.username,
                        RESET_ACTION,
                        "installation",
                        FILENAME,
                        evidence,
                    )
                data["pending"] = []
                data["found"] = ""
                data["dropped"] = 0
                data["users"].pop(_name(workspace.actor.username), None)
                _write_mirror(session, {"instance": data["instance"], "seq": data["seq"]})
                self._save(data)  # inside the transaction: a failed write rolls the audit back
        return len(failures)


def _entry(value: Any) -> dict[str, Any] | None:
    """A user name's entry as the delay reads it (a count and the time of the last failure,
    with its zone), or None when ``value`` is not one."""
    if not isinstance(value, dict) or set(value) != {"count", "last"}:
        return None
    count, last = value["count"], value["last"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        return None
    try:
        at = datetime.fromisoformat(last) if isinstance(last, str) else None
    except ValueError:
        at = None
    return {"count": count, "last": last} if at is not None and at.tzinfo is not None else None


def _is_record(data: Any) -> bool:
    """The shape every reader of the record relies on, as this module writes it."""
    return (
        isinstance(data, dict)
        and data.get("format") == FORMAT
        and isinstance(data.get("users"), dict)
        and all(_entry(entry) == entry for entry in data["users"].values())
        and isinstance(data.get("pending"), list)
        and all(isinstance(item, dict) for item in data["pending"])
        and _is_int(data.get("seq"))
        and _is_int(data.get("dropped", 0))
        and isinstance(data.get("instance"), str)
        and isinstance(data.get("found", ""), str)
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _from_unsealed(old: dict[str, Any]) -> dict[str, Any]:
    """Keep the counts and failures of an unsealed file; the next sign-in says it was one."""
    data = _fresh("unsealed")
    users = old.get("users")
    pending = old.get("pending")
    if isinstance(users, dict):
        entries = ((str(k)[:MAX_NAME_CHARS], _entry(v)) for k, v in users.items())
        data["users"] = dict(list((k, e) for k, e in entries if e is not None)[:MAX_NAMES])
    if isinstance(pending, list):
        data["pending"] = [p for p in pending[-MAX_PENDING:] if isinstance(p, dict)]
    data["seq"] = len(data["pending"])
    return data


def _attempts(items: list[Any]) -> list[FailedAttempt]:
    found = []
    for item in items:
        try:
            found.append(
                FailedAttempt(
                    str(item["id"]), str(item["username"]), datetime.fromisoformat(item["at"])
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return found


def _read_mirror(session: Any) -> dict[str, Any] | None:
    from app.db.models import LocalSecret

    row = session.get(LocalSecret, MIRROR_SECRET)
    if row is None:
        return None
    try:
        value = json.loads(bytes(row.value).decode("utf-8"))
    except ValueError:
        return {"instance": "", "seq": 0}
    return value if isinstance(value, dict) else {"instance": "", "seq": 0}


def _write_mirror(session: Any, value: dict[str, Any]) -> None:
    from app.db.models import LocalSecret

    raw = json.dumps(value, sort_keys=True).encode("utf-8")
    row = session.get(LocalSecret, MIRROR_SECRET)
    if row is None:
        session.add(LocalSecret(name=MIRROR_SECRET, value=raw))
    else:
        row.value = raw


def _seq(item: dict[str, Any]) -> int:
    value = item.get("seq")
    return value if isinstance(value, int) else 0


def _evidence(
    data: dict[str, Any], found: str, mirror: dict[str, Any] | None, carried: int, ours: int
) -> dict[str, Any] | None:
    """Why the record cannot be the one left at the last sign-in, or None when it can.

    Since then, ``carried`` failures and ``ours`` (this sign-in's own attempt, 0 or 1) are
    in the record; its ``seq`` must have grown by exactly that (or more, by ``dropped``).
    """
    if mirror is None:
        # First sign-in since this check exists (or since an upgrade, which leaves an
        # unsealed file): only a damaged file is evidence.
        reason = "tampered" if data.get("found") == "tampered" else ""
    elif data.get("found"):
        reason = str(data["found"])  # missing or tampered, then started afresh
    elif data["instance"] != mirror.get("instance"):
        reason = "replaced"
    elif data["seq"] < int(mirror.get("seq", 0)) + ours:
        reason = "rolled_back"
    elif data["seq"] - int(mirror.get("seq", 0)) > carried + ours + int(data.get("dropped", 0)):
        reason = "entries_removed"
    else:
        reason = ""
    if not reason:
        return None
    return {
        "reason": reason,
        "expected_instance": (mirror or {}).get("instance", ""),
        "expected_seq": int((mirror or {}).get("seq", 0)),
        "found_seq": int(data["seq"]),
        "found": found,
    }
