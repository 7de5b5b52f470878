"""The register as a table model: one row per letter, newest first."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain import labels
from app.domain.codes import LetterKind, label
from app.i18n import _, format_date, format_number, ngettext
from app.services.letters import LetterInfo
from app.services.settings import DEFAULT_REPLY_WAIT_DAYS
from ui.i18n_bridge import LANGUAGE_NAMES
from ui.palette import DEADLINE_COLOURS
from ui.widgets.plain import plain_tooltip

LETTER_ROLE = Qt.ItemDataRole.UserRole + 1
NUMBER, DATE, STATUS, CASE, KIND, LANG, SUBJECT, ADDRESSEE, REPLY = range(9)
COLUMNS = 9
Index = QModelIndex | QPersistentModelIndex


def status_label(status: str) -> str:
    return labels.letter_status(status)


def reply_text(info: LetterInfo, today: date) -> str:
    """The register's Reply column: when it was answered, or how long it has waited."""
    if info.reply is not None:
        return _("Answered on {date}").format(date=format_date(info.reply.received_on))
    days = info.days_without_reply(today)
    if days is None:
        return ""
    if days == 0:
        return _("Awaiting a reply")
    return ngettext("No reply for {n} day", "No reply for {n} days", days).format(
        n=format_number(days)
    )


class LetterTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.letters: list[LetterInfo] = []
        self.today = date.today()
        # Letters awaiting a reply this long or longer are marked late (the mission's setting).
        self.reply_wait = DEFAULT_REPLY_WAIT_DAYS

    def is_late(self, info: LetterInfo) -> bool:
        days = info.days_without_reply(self.today)
        return days is not None and days >= self.reply_wait

    def set_letters(self, letters: list[LetterInfo]) -> None:
        self.beginResetModel()
        self.letters = list(letters)
        self.endResetModel()

    def letter(self, row: int) -> LetterInfo:
        return self.letters[row]

    def row_of(self, letter_id: str) -> int:
        return next((i for i, info in enumerate(self.letters) if info.id == letter_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.letters)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else COLUMNS

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            _("Number"),
            _("Date"),
            _("Status"),
            _("Case"),
            _("Kind"),
            _("Language"),
            _("Subject"),
            _("Addressee"),
            _("Reply"),
        )[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self.letters[index.row()]
        if role == LETTER_ROLE:
            return info
        column = index.column()
        if column == REPLY:
            return self._reply_data(info, role)
        if role == Qt.ItemDataRole.ToolTipRole and column in (SUBJECT, ADDRESSEE, KIND):
            tips = {
                SUBJECT: info.subject,
                ADDRESSEE: info.addressee_text,
                KIND: label(LetterKind(info.kind)),  # elided in a case's narrow Letters tab
            }
            return plain_tooltip(tips[column])
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == NUMBER:
            return info.outgoing_number or "—"
        if column == DATE:
            return format_date(info.letter_date) if info.letter_date else ""
        if column == STATUS:
            return status_label(info.status)
        if column == CASE:
            return info.case_number
        if column == KIND:
            return label(LetterKind(info.kind))
        if column == LANG:
            return LANGUAGE_NAMES.get(info.lang, info.lang)
        if column == SUBJECT:
            return info.subject_beyond_case  # the case is in its own column; the tooltip has all
        return info.addressee_text

    def _reply_data(self, info: LetterInfo, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return reply_text(info, self.today)
        if role == Qt.ItemDataRole.ForegroundRole and self.is_late(info):
            return QBrush(QColor(DEADLINE_COLOURS["red"]))
        if role == Qt.ItemDataRole.ToolTipRole and info.reply is not None:
            return plain_tooltip(f"{info.reply.sender}: {info.reply.summary}")
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMNS - 1)
        if self.letters:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.letters) - 1, COLUMNS - 1))
