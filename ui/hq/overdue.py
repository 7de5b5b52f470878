"""HQ's overdue cases across missions as a paged table model.

At two million cases tens of thousands are overdue. The list read them whole, capped at the
5,000 longest overdue, so a critical case (life or liberty at risk) that fell overdue this
week was left off. Now the database orders them (the most urgent first, then the longest
overdue; or by the column clicked) and counts them; the model holds the pages read so far and
reads the next one off the GUI thread as the view scrolls to it, as the case list does. In the
default order the next page starts after the last row's key (issue 22), not at an offset.
"""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.domain.labels import case_status, urgency
from app.i18n import _, format_date, format_number
from app.services.consolidation import (
    DAYS_OVERDUE,
    OVERDUE_PAGE,
    URGENCY_FIRST,
    ConsolidationService,
    OverdueCase,
    keyset_paged,
)
from ui.palette import URGENCY_COLOURS
from ui.tasks import LatestOnly, show_error

NUMBER, MISSION, STATUS, URGENCY, DUE, DAYS = range(6)
# Column → the service's sort; each one sorted in the database, not here.
SORTS = {
    NUMBER: "number",
    MISSION: "mission",
    STATUS: "status",
    URGENCY: URGENCY_FIRST,
    DUE: "due_date",
    DAYS: DAYS_OVERDUE,
}
CASE_ID_ROLE = Qt.ItemDataRole.UserRole

Index = QModelIndex | QPersistentModelIndex


def overdue_headers() -> list[str]:
    return [_("Case"), _("Mission"), _("Status"), _("Urgency"), _("Due"), _("Days overdue")]


def overdue_cells(case: OverdueCase) -> tuple[str, ...]:
    return (
        case.number,
        case.mission,
        case_status(case.status),
        urgency(case.urgency),
        format_date(case.due_date),
        format_number(case.days_overdue),
    )


class OverdueModel(QAbstractTableModel):
    """The overdue cases of one mission or all, ``OVERDUE_PAGE`` rows read at a time."""

    counted = Signal()  # the first page and the count came: the note says how many
    page_read = Signal()  # a further page went in

    def __init__(self, service: ConsolidationService) -> None:
        super().__init__()
        self.service = service
        self.mission: str | None = None
        self.sort_key, self.descending = URGENCY_FIRST, True
        self.page_size = OVERDUE_PAGE
        self.rows: list[OverdueCase] = []
        self._texts: list[tuple[str, ...]] = []
        self.total: int | None = None  # None while being counted
        self._list = 0  # which list the pages on their way belong to: a newer one drops them
        db = service.ws.db
        self._first = LatestOnly(self, db.interrupt, resume=db.resume)
        self._first.answered.connect(self._first_answered)
        self._first.refused.connect(self._refused)
        self._more = LatestOnly(self, db.interrupt, resume=db.resume)
        self._more.answered.connect(lambda _step, found: self._page_arrived(*found))
        self._more.refused.connect(self._refused)
        self._reading_more = False

    def reload(self, mission: str | None = None) -> None:
        """The list of ``mission`` (None: all) read again from its first page, off the GUI
        thread; the rows shown stay until it comes."""
        self.mission = mission
        self._list += 1
        self._more.cancel()
        self._reading_more = False
        service, sort, descending = self.service, self.sort_key, self.descending
        size = self.page_size
        self._first.submit(
            [
                lambda: service.overdue(
                    mission, offset=0, limit=size, sort=sort, descending=descending
                ),
                lambda: service.count_overdue(mission),
            ]
        )

    def _first_answered(self, step: int, result: object) -> None:
        if step == 0:
            self.beginResetModel()
            self.rows = cast(list[OverdueCase], result)
            self._texts = [overdue_cells(c) for c in self.rows]
            self.total = None
            self.endResetModel()
            return
        self.total = max(cast(int, result), len(self.rows))  # added since the page: counted
        self.counted.emit()

    def _refused(self, exc: object) -> None:
        self._reading_more = False
        show_error(None, cast(BaseException, exc))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_key = SORTS.get(column, URGENCY_FIRST)
        self.descending = order == Qt.SortOrder.DescendingOrder
        if self._list:  # not before the first read: the view sorts as it is set up
            self.reload(self.mission)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and self.total is not None and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008
        """The next page, read off the GUI thread; asked again meanwhile (the view scrolled
        on), nothing more starts."""
        if parent.isValid() or self._reading_more or not self.canFetchMore():
            return
        self._reading_more = True
        service, mission, offset, listed = self.service, self.mission, len(self.rows), self._list
        sort, descending, size = self.sort_key, self.descending, self.page_size
        # The default order continues from the last row's key in its index, at the cost of
        # the first page however far the list has scrolled; the others count an offset.
        after = self.rows[-1] if keyset_paged(sort, descending) and self.rows else None

        def page() -> tuple[int, int, list[OverdueCase]]:
            if after is not None:
                found = service.overdue(mission, limit=size, after=after)
            else:
                found = service.overdue(
                    mission, offset=offset, limit=size, sort=sort, descending=descending
                )
            return listed, offset, found

        self._more.submit([page])

    def _page_arrived(self, listed: int, offset: int, found: list[OverdueCase]) -> None:
        self._reading_more = False
        if listed != self._list or offset != len(self.rows):
            return  # a newer list is shown
        if not found:  # fewer than counted: closed or done meanwhile
            self.total = len(self.rows)
            self.counted.emit()
            return
        self.beginInsertRows(QModelIndex(), offset, offset + len(found) - 1)
        self.rows.extend(found)
        self._texts.extend(overdue_cells(c) for c in found)
        self.endInsertRows()
        self.page_read.emit()

    def retranslate(self) -> None:
        self._texts = [overdue_cells(c) for c in self.rows]
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, DAYS)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, DAYS))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else DAYS + 1

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return overdue_headers()[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row][column]
        if role == CASE_ID_ROLE:
            return self.rows[row].case_id
        # The duty officer's first question of an overdue case: a life at risk?
        if role == Qt.ItemDataRole.ForegroundRole and column == URGENCY:
            if self.rows[row].urgency == "critical":
                return QBrush(QColor(URGENCY_COLOURS["critical"]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DAYS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
