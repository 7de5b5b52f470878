"""Sessions against a change of the database key, within one process.

``PRAGMA rekey`` needs the only connection to the file. The desktop app reads on worker
threads (the start page, a list's count, a search), so a revocation used to find one of them
reading and fail as if another program held the database. Sessions pass the gate together; a
key change passes it alone, once the sessions under way have ended, and sessions asked for
meanwhile wait for it (and then open connections under the new key).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class GateTimeout(Exception):
    """The sessions under way did not end within the time a key change may wait."""


class SessionGate:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._sessions: dict[int, int] = {}  # thread → how many of its sessions are open
        self._alone: int | None = None  # the thread changing the key
        self._waiting_alone = 0

    @contextmanager
    def session(self) -> Iterator[None]:
        """Shared: waits while a key change is under way or waiting for the sessions before
        it. A thread already in a session (a read inside a write, say) goes on, or it would
        wait for itself; so does the main thread (the window's) while a change only waits:
        its reads are short, and the window froze for as long as a worker's long session
        kept the change waiting."""
        me = threading.get_ident()
        queued = me != threading.main_thread().ident
        with self._changed:
            if not self._sessions.get(me) and self._alone != me:
                self._changed.wait_for(
                    lambda: self._alone is None and not (queued and self._waiting_alone)
                )
            self._sessions[me] = self._sessions.get(me, 0) + 1
        try:
            yield
        finally:
            with self._changed:
                self._sessions[me] -= 1
                if not self._sessions[me]:
                    del self._sessions[me]
                    self._changed.notify_all()

    @contextmanager
    def alone(self, wait_s: float) -> Iterator[None]:
        """Exclusive, for at most ``wait_s`` of waiting (GateTimeout): no session of this
        process is open until the block ends."""
        me = threading.get_ident()
        with self._changed:
            if me in self._sessions:
                raise RuntimeError("a key change inside a session would wait for itself")
            self._waiting_alone += 1
            try:
                free = self._changed.wait_for(
                    lambda: not self._sessions and self._alone is None, wait_s
                )
            finally:
                self._waiting_alone -= 1
            if not free:
                self._changed.notify_all()  # the sessions held back for it go on
                raise GateTimeout
            self._alone = me
        try:
            yield
        finally:
            with self._changed:
                self._alone = None
                self._changed.notify_all()
