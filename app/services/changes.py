"""One change signal for everything the services write: who listens learns what changed.

A write transaction collects the rows it flushed (see ``app.db.sync``); once it has committed,
the workspace publishes one ``DataChanged`` to every subscriber. Open views (the case editor,
the case list, the Start page) subscribe through a Qt bridge in ``ui/changes.py`` and refresh
themselves, so a letter issued in one area shows at once on the case open in another.

At an HQ on a PostgreSQL server several desktops share one database: each write also sends
a notice (``notice``) in its own transaction, and each desktop's workspace hears the others'
on one connection of its own and publishes them here too (``read_notice``), ``by`` naming
the user who wrote. A mission's file has one desktop: nothing is sent there.

Qt-free on purpose: the CLI and the tests use the same hub without a QApplication.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more: a notice larger than this names
# no case (an import touching thousands), and every open case reads itself again.
NOTICE_LIMIT = 7_000
SOMEONE = "?"  # ``DataChanged.by`` when the writer is not known (notices missed)


@dataclass(frozen=True)
class DataChanged:
    """What one committed transaction changed: table names and the cases concerned.

    ``by`` is the user of another desktop who wrote it ("" for this window's own writes);
    ``every_case``/``every_table`` stand for "possibly any": a notice too large to name its
    cases, or notices missed while the connection that hears them was down."""

    tables: frozenset[str]
    case_ids: frozenset[str]
    by: str = ""
    every_case: bool = False
    every_table: bool = False

    def touches_case(self, case_id: str) -> bool:
        return self.every_case or case_id in self.case_ids

    def touches(self, *tables: str) -> bool:
        return self.every_table or not self.tables.isdisjoint(tables)

    @property
    def from_elsewhere(self) -> bool:
        """Written by another desktop (at an HQ on a server), not by this window."""
        return bool(self.by)

    def merged(self, other: DataChanged) -> DataChanged:
        """Both changes as one (several notices heard at once, refreshed once)."""
        return DataChanged(
            self.tables | other.tables,
            self.case_ids | other.case_ids,
            other.by or self.by,
            self.every_case or other.every_case,
            self.every_table or other.every_table,
        )


def anything_changed() -> DataChanged:
    """What a desktop assumes after it could not hear the others for a while."""
    return DataChanged(frozenset(), frozenset(), SOMEONE, every_case=True, every_table=True)


def notice(change: DataChanged, by: str, source: str) -> str:
    """The text another desktop reads with ``read_notice``: the change, who wrote it, and the
    ``source`` (this workspace) so that a desktop ignores its own notices."""
    body: dict[str, object] = {
        "src": source,
        "by": by,
        "tables": sorted(change.tables),
        "cases": sorted(change.case_ids),
    }
    text = json.dumps(body, separators=(",", ":"))
    if len(text.encode()) > NOTICE_LIMIT:
        body["cases"] = None
        text = json.dumps(body, separators=(",", ":"))
    return text


def read_notice(text: str, source: str, sender: str | None = None) -> DataChanged | None:
    """The change another desktop's ``notice`` says; None for this workspace's own notice
    (already published when it committed) or for one that cannot be read.

    ``sender``, where the server tells it, is the account of the session that sent the
    notice: the one named as having changed things, whatever name the text claims (anyone
    who may connect can send one)."""
    try:
        body = json.loads(text)
        if body["src"] == source:
            return None
        cases = body["cases"]
        return DataChanged(
            frozenset(str(t) for t in body["tables"]),
            frozenset(str(c) for c in cases or ()),
            (str(body["by"]) if sender is None else sender) or SOMEONE,
            every_case=cases is None,
        )
    except (ValueError, KeyError, TypeError):
        return None


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
