"""One change signal for everything the services write: who listens learns what changed.

A write transaction collects the rows it flushed (see ``app.db.sync``); once it has committed,
the workspace publishes one ``DataChanged`` to every subscriber. Open views (the case editor,
the case list, the Start page) subscribe through a Qt bridge in ``ui/changes.py`` and refresh
themselves, so a letter issued in one area shows at once on the case open in another.

Qt-free on purpose: the CLI and the tests use the same hub without a QApplication.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DataChanged:
    """What one committed transaction changed: table names and the cases concerned."""

    tables: frozenset[str]
    case_ids: frozenset[str]

    def touches_case(self, case_id: str) -> bool:
        return case_id in self.case_ids

    def touches(self, *tables: str) -> bool:
        return not self.tables.isdisjoint(tables)


Listener = Callable[[DataChanged], None]


class ChangeHub:
    """A tiny observer registry: subscribe a callable, get every committed change.

    Writes may commit on a worker thread (imports, exports): listeners are called on the
    thread that committed, and the Qt bridge hands the news to the GUI thread."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def publish(self, change: DataChanged) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(change)
