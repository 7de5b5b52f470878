"""A layout whose items wrap onto further rows when its pane is narrower than they are."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Lays its widgets out in rows that wrap, so a row of chips or buttons never widens the
    pane: it is as narrow as its widest item; hidden items take no room.

    ``one_row``: it asks (as its size hint) for its items on one row, as a row of buttons
    beside something else does. ``fill``: each row's items share the row's spare width, as
    tiles in a box layout do."""

    def __init__(
        self,
        parent: QWidget | None = None,
        spacing: int = 6,
        one_row: bool = False,
        fill: bool = False,
    ) -> None:
        super().__init__(parent)
        self.items: list[QLayoutItem] = []
        self.gap = spacing
        self.one_row = one_row
        self.fill = fill
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt's name)
        self.items.append(item)

    def count(self) -> int:
        return len(self.items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self.items[index] if 0 <= index < len(self.items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self.items.pop(index) if 0 <= index < len(self.items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        if not self.one_row:
            return self.minimumSize()
        shown = [item.sizeHint() for item in self.items if not item.isEmpty()]
        width = sum(hint.width() for hint in shown) + self.gap * max(len(shown) - 1, 0)
        return QSize(width, max((hint.height() for hint in shown), default=0))

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self.items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, move: bool) -> int:
        rows: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = rect.x()
        for item in self.items:
            if item.isEmpty():  # a hidden widget: no room, and no gap either
                continue
            hint = item.sizeHint()
            if hint.width() > rect.width() and item.hasHeightForWidth():
                # A text that wraps, on a row of its own as wide as the pane, and taller.
                hint = QSize(rect.width(), item.heightForWidth(rect.width()))
            elif hint.width() > rect.width():
                # A list wider than the pane (its longest entry) narrows to it, as far as
                # its least width, on a row of its own, rather than stick out of the pane.
                hint = QSize(max(rect.width(), item.minimumSize().width()), hint.height())
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                rows.append([])
                x = rect.x()
            rows[-1].append((item, hint))
            x += hint.width() + self.gap
        y = rect.y()
        for row in rows:
            line = max((hint.height() for _item, hint in row), default=0)
            if move:
                self._place(row, rect, y)
            y += line + self.gap
        return y - self.gap - rect.y() if any(rows) else 0

    def _place(self, row: list[tuple[QLayoutItem, QSize]], rect: QRect, y: int) -> None:
        used = sum(hint.width() for _item, hint in row) + self.gap * (len(row) - 1)
        spare = max(rect.width() - used, 0) if self.fill else 0
        x = rect.x()
        for index, (item, hint) in enumerate(row):
            # The spare pixels shared out, the first items taking the remainder's one each.
            extra = spare // len(row) + (1 if index < spare % len(row) else 0)
            width = hint.width() + extra
            height = max(h.height() for _i, h in row) if self.fill else hint.height()
            item.setGeometry(QRect(QPoint(x, y), QSize(width, height)))
            x += width + self.gap
