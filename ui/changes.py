"""The Qt side of the one change signal (``app.services.changes``).

``listen_to_changes(widget, workspace, slot)`` calls ``slot(change)`` on the GUI thread after
every committed write, for as long as ``widget`` lives. The call is queued, never direct: a
view refreshes after the action that changed the data has returned, not in the middle of it.

Changes other desktops made (an HQ on a server) arrive on the listening thread, often several
at once (an import, a colleague saving twice): they are gathered for ``ELSEWHERE_MS`` and
handed on as one, so a view reads its page once, not once per notice.

``refresh_when_shown`` is the usual slot: refresh now if the view is on screen, else once it
is shown again, keeping the list's scroll position.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QAbstractScrollArea, QWidget

from app.services.changes import DataChanged
from app.services.workspace import Workspace

ELSEWHERE_MS = 300  # other desktops' notices gathered this long before a view refreshes


class ChangeBridge(QObject):
    """Subscribed to a workspace's hub while it lives; re-emits each change as a signal."""

    data_changed = Signal(object)  # DataChanged
    _heard = Signal(object)  # DataChanged from another desktop, to the GUI thread

    def __init__(self, workspace: Workspace, parent: QObject) -> None:
        super().__init__(parent)
        hub = workspace.changes
        self._gathered: DataChanged | None = None
        self._gathering = QTimer(self)
        self._gathering.setSingleShot(True)
        self._gathering.setInterval(ELSEWHERE_MS)
        self._gathering.timeout.connect(self._hand_on)
        self._heard.connect(self._gather, Qt.ConnectionType.QueuedConnection)

        def forward(change: DataChanged) -> None:
            try:
                (self._heard if change.from_elsewhere else self.data_changed).emit(change)
            except RuntimeError:  # the Qt object is gone: stop listening
                hub.unsubscribe(forward)

        hub.subscribe(forward)
        # The closure, not the bridge, holds the hub: nothing keeps a deleted view alive.
        self.destroyed.connect(lambda *_args: hub.unsubscribe(forward))

    def _gather(self, change: DataChanged) -> None:
        self._gathered = change if self._gathered is None else self._gathered.merged(change)
        if not self._gathering.isActive():  # not restarted: a steady stream still shows
            self._gathering.start()

    def _hand_on(self) -> None:
        change, self._gathered = self._gathered, None
        if change is not None:
            self.data_changed.emit(change)


def listen_to_changes(
    widget: QObject, workspace: Workspace, slot: Callable[[DataChanged], None]
) -> ChangeBridge:
    bridge = ChangeBridge(workspace, widget)
    bridge.data_changed.connect(slot, Qt.ConnectionType.QueuedConnection)
    return bridge


class _RefreshWhenShown(QObject):
    def __init__(
        self,
        widget: QWidget,
        tables: tuple[str, ...],
        refresh: Callable[[DataChanged], None],
        scrolled: QAbstractScrollArea | None,
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self._tables = tables
        self._refresh = refresh
        self._scrolled = scrolled
        self.stale: DataChanged | None = None  # what changed while the view was hidden
        widget.installEventFilter(self)

    def changed(self, change: DataChanged) -> None:
        if not change.touches(*self._tables):
            return
        if self.stale is not None:
            change = self.stale.merged(change)
        if self._widget.isVisible():
            self.refresh(change)
        else:  # read when next shown: a hidden page costs nobody a query
            self.stale = change

    def refresh(self, change: DataChanged) -> None:
        self.stale = None
        bar = self._scrolled.verticalScrollBar() if self._scrolled is not None else None
        kept = bar.value() if bar is not None else 0
        self._refresh(change)
        if bar is not None:
            bar.setValue(min(kept, bar.maximum()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self._widget and event.type() == QEvent.Type.Show and self.stale:
            self.refresh(self.stale)
        return False


def refresh_when_shown(
    widget: QWidget,
    workspace: Workspace,
    tables: tuple[str, ...],
    refresh: Callable[[DataChanged], None],
    scrolled: QAbstractScrollArea | None = None,
) -> None:
    """``refresh(change)`` after a change to any of ``tables`` (here or on another desktop): now
    when ``widget`` is on screen, else when it is shown next; ``scrolled`` keeps its place."""
    watcher = _RefreshWhenShown(widget, tables, refresh, scrolled)
    listen_to_changes(widget, workspace, watcher.changed)


def reload_in_place(
    view: QAbstractItemView,
    reload: Callable[[], None],
    key_role: int = Qt.ItemDataRole.UserRole,
) -> None:
    """``reload()`` a paged list and put the person back where they were: as many rows read
    as were (the pages scrolled to, no more), the same record selected (by the ``key_role``
    data of its first column), the scroll bar where it was."""
    model = view.model()
    loaded = model.rowCount()
    current = view.currentIndex()
    key = current.siblingAtColumn(0).data(key_role) if current.isValid() else None
    bar = view.verticalScrollBar()
    kept = bar.value()
    reload()
    while model.rowCount() < loaded and model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        model.fetchMore(QModelIndex())
        if model.rowCount() == before:
            break
    if key is not None:
        for row in range(model.rowCount()):
            index = model.index(row, 0)
            if index.data(key_role) == key:
                flags = (
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows
                )
                view.selectionModel().setCurrentIndex(index, flags)
                break
    bar.setValue(min(kept, bar.maximum()))


class Coalesced(QObject):
    """Changes heard, answered by one ``refresh`` now and then: at most once every
    ``every_s``, once no change came for ``quiet_s`` (a stream of them, an import's batches,
    answered after it ended), and never later than ``longest_s`` after the first waiting.

    For views whose read is long at an HQ (seconds at two million cases) and that hear every
    other desktop's writes: answered each, an import kept every analyst's desktop reading."""

    def __init__(
        self,
        parent: QObject,
        refresh: Callable[[], None],
        every_s: float,
        quiet_s: float,
        longest_s: float,
    ) -> None:
        super().__init__(parent)
        self.every_s, self.quiet_s, self.longest_s = every_s, quiet_s, longest_s
        self._read_at: float | None = None  # when the last read started (monotonic)
        self._waiting_since: float | None = None  # the first change heard and not read yet
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(refresh)

    @property
    def waiting(self) -> bool:
        """Changes were heard since the last read, and wait for the next."""
        return self.timer.isActive()

    def heard(self) -> None:
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        allowed = now if self._read_at is None else self._read_at + self.every_s
        due = min(max(now + self.quiet_s, allowed), self._waiting_since + self.longest_s)
        self.timer.start(max(0, round((due - now) * 1000)))  # a later change restarts it

    def reading(self) -> None:
        """A read starts: the changes waiting are in it."""
        self.timer.stop()
        self._waiting_since, self._read_at = None, time.monotonic()
