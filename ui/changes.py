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
