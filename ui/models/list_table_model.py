"""Read-only tables of a list of rows under translated headings, whole or fetched by pages.

What the partners', returnees' and a case's referrals' lists share; each says only how a row
is shown (``data``) and, paged, how its rows are counted and read (``count_rows``,
``read_rows``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 200  # rows read at a time: a screenful and more, one short query


class ListTableModel(QAbstractTableModel):
    """``rows`` under the headings ``headers()`` gives in the current language."""

    def __init__(self, headers: Callable[[], list[str]]) -> None:
        super().__init__()
        self.headers = headers
        # The headings change with the language, never their number: counted once, as Qt asks
        # for it at every cell it lays out or paints (translating them each time cost a tenth
        # of a filter change's GUI time in the Returnees area).
        self.columns = len(headers())
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self.columns

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def retranslate(self) -> None:
        """The headings and every cell again, in the language just chosen."""
        last = self.columns - 1
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, last)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, last))


class PagedTableModel(ListTableModel):
    """A list too long to read whole: counted, then read ``page_size`` rows at a time as the
    view scrolls to them."""

    def __init__(self, headers: Callable[[], list[str]], page_size: int = PAGE_SIZE) -> None:
        super().__init__(headers)
        self.page_size = page_size
        self.total = 0

    def count_rows(self) -> int:
        raise NotImplementedError

    def read_rows(self, offset: int, limit: int) -> list[Any]:
        raise NotImplementedError

    def reload(self) -> None:
        self.beginResetModel()
        self.total = self.count_rows()
        self.rows = self.read_rows(0, self.page_size)
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008
        page = self.read_rows(len(self.rows), self.page_size)
        if not page:  # fewer than counted: deleted meanwhile
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
        self.rows.extend(page)
        self.endInsertRows()
