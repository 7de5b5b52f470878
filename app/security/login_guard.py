"""A growing delay after wrong passwords, and a record of them for the audit log.

A wrong password cannot open the database (the key stays wrapped), so failures are kept in a
small non-secret file beside ``keyslots.json``: the user name typed and the UTC time, never the
password. The delays after the 1st, 2nd, 3rd ... consecutive failure of one user name are
0, 1, 2, 4, 8 ... s, capped at 30 s (a single typo costs nothing); ``unlock()`` waits the
delay out before it tries the next password, so a script cannot guess faster than that.
At the next successful unlock the failures not yet reported are moved into the audit log
(action ``user.login_failed``), where an administrator sees them.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from app.i18n import ngettext
from app.security import audit

FILENAME = "login_attempts.json"
MAX_DELAY_S = 30
# Bounds keep the file small whatever is typed at the prompt.
MAX_NAMES = 200
MAX_PENDING = 1000
MAX_NAME_CHARS = 64
AUDIT_ACTION = "user.login_failed"


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


@dataclass(frozen=True)
class FailedAttempt:
    id: str
    username: str
    at: datetime


def _name(username: str) -> str:
    return username.strip().lower()[:MAX_NAME_CHARS]


class LoginGuard:
    """Failed attempts of one installation (file ``login_attempts.json`` in its data dir)."""

    def __init__(self, data_dir: Path, clock: Clock | None = None) -> None:
        self.path = data_dir / FILENAME
        self.clock: Clock = clock or SystemClock()

    # -- the file ------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # Missing or damaged: start afresh; it holds nothing that protects the data.
            return {"users": {}, "pending": []}
        if not isinstance(data, dict):
            return {"users": {}, "pending": []}
        users = data.get("users") if isinstance(data.get("users"), dict) else {}
        pending = data.get("pending") if isinstance(data.get("pending"), list) else []
        return {"users": users, "pending": pending}

    def _save(self, data: dict[str, Any]) -> None:
        if not self.path.parent.is_dir():
            return
        fd, tmp = tempfile.mkstemp(prefix=".login-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- the delay -----------------------------------------------------------------------

    def failures(self, username: str) -> int:
        entry = self._load()["users"].get(_name(username), {})
        return int(entry.get("count", 0)) if isinstance(entry, dict) else 0

    def remaining_wait(self, username: str) -> float:
        """Seconds still to wait before this user name may try again (0 when it may)."""
        entry = self._load()["users"].get(_name(username))
        if not isinstance(entry, dict):
            return 0.0
        try:
            last = datetime.fromisoformat(str(entry["last"]))
            count = int(entry["count"])
        except (KeyError, TypeError, ValueError):
            return 0.0
        elapsed = (self.clock.now() - last).total_seconds()
        return max(0.0, delay_after(count) - max(0.0, elapsed))

    def wait_turn(self, username: str) -> None:
        """Sleep out the delay earned by earlier wrong passwords of this user name."""
        wait = self.remaining_wait(username)
        if wait > 0:
            self.clock.sleep(wait)

    def record_failure(self, username: str) -> int:
        """Count one wrong password; returns the delay (s) before the next attempt."""
        name = _name(username)
        now = self.clock.now()
        data = self._load()
        users: dict[str, Any] = data["users"]
        entry = users.get(name) if isinstance(users.get(name), dict) else {}
        count = int(entry.get("count", 0)) + 1 if entry else 1
        users[name] = {"count": count, "last": now.isoformat()}
        if len(users) > MAX_NAMES:
            oldest = sorted(users, key=lambda n: str(users[n].get("last", "")))
            for stale in oldest[: len(users) - MAX_NAMES]:
                del users[stale]
        pending: list[Any] = data["pending"]
        pending.append({"id": str(uuid.uuid4()), "username": name, "at": now.isoformat()})
        data["pending"] = pending[-MAX_PENDING:]
        self._save(data)
        return delay_after(count)

    # -- after a successful unlock -------------------------------------------------------

    def pending(self) -> list[FailedAttempt]:
        found = []
        for item in self._load()["pending"]:
            try:
                found.append(
                    FailedAttempt(
                        str(item["id"]), str(item["username"]), datetime.fromisoformat(item["at"])
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        return found

    def succeeded(self, workspace: Any) -> int:
        """Clear this user's delay and move unreported failures into the audit log.

        ``workspace`` is the unlocked Workspace (typed loosely: app.services imports this
        module). Returns the number of failures moved.
        """
        attempts = self.pending()
        if attempts:
            with workspace.write() as session:
                for attempt in attempts:
                    audit.record(
                        session,
                        attempt.username,
                        AUDIT_ACTION,
                        "user",
                        attempt.username,
                        {"at": attempt.at.isoformat(), "attempt_id": attempt.id},
                    )
        moved = {a.id for a in attempts}
        data = self._load()
        cleared = data["users"].pop(_name(workspace.actor.username), None) is not None
        data["pending"] = [
            p for p in data["pending"] if not (isinstance(p, dict) and p.get("id") in moved)
        ]
        if attempts or cleared:
            self._save(data)
        return len(attempts)
