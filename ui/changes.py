"""The Qt side of the one change signal (``app.services.changes``).

``listen_to_changes(widget, workspace, slot)`` calls ``slot(change)`` on the GUI thread after
every committed write, for as long as ``widget`` lives. The call is queued, never direct: a
view refreshes after the action that changed the data has returned, not in the middle of it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from app.services.changes import DataChanged
from app.services.workspace import Workspace


class ChangeBridge(QObject):
    """Subscribed to a workspace's hub while it lives; re-emits each change as a signal."""

    data_changed = Signal(object)  # DataChanged

    def __init__(self, workspace: Workspace, parent: QObject) -> None:
        super().__init__(parent)
        hub = workspace.changes

        def forward(change: DataChanged) -> None:
            try:
                self.data_changed.emit(change)
            except RuntimeError:  # the Qt object is gone: stop listening
                hub.unsubscribe(forward)

        hub.subscribe(forward)
        # The closure, not the bridge, holds the hub: nothing keeps a deleted view alive.
        self.destroyed.connect(lambda *_args: hub.unsubscribe(forward))


def listen_to_changes(
    widget: QObject, workspace: Workspace, slot: Callable[[DataChanged], None]
) -> ChangeBridge:
    bridge = ChangeBridge(workspace, widget)
    bridge.data_changed.connect(slot, Qt.ConnectionType.QueuedConnection)
    return bridge
