"""Form fields with their message beside them: dates typed as people write them, check lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import _
from ui.widgets.common import ErrorLabel

DATE_FORMATS = ("dd.MM.yyyy", "d.M.yyyy", "yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy")
SHOWN_FORMAT = "dd.MM.yyyy"  # how Kazakhstan's and Russia's offices write dates


def parse_date(text: str) -> date | None:
    """None for an empty field; ValueError when the text is not a date."""
    text = text.strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        parsed = QDate.fromString(text, fmt)
        if parsed.isValid():
            return date(parsed.year(), parsed.month(), parsed.day())
    raise ValueError(text)


class DateField(QLineEdit):
    """A date typed as DD.MM.YYYY (or YYYY-MM-DD); checked when the user leaves the field."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setMaxLength(10)
        self.retranslate_ui()
        self.setMaximumWidth(140)

    def set_date(self, value: date | None) -> None:
        self.setText(value.strftime("%d.%m.%Y") if value else "")

    def date(self) -> date | None:
        try:
            return parse_date(self.text())
        except ValueError:
            raise ValidationError(
                _("“{text}” is not a date; write it as DD.MM.YYYY.").format(text=self.text()),
                field=self.field,
            ) from None

    def retranslate_ui(self) -> None:
        self.setPlaceholderText(_("DD.MM.YYYY"))


class FieldBox(QWidget):
    """A field with an error line under it; ``check`` runs when the user leaves the field."""

    def __init__(self, widget: QWidget, check: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.widget = widget
        self.error = ErrorLabel()
        self._check = check
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        layout.addWidget(self.error)
        self.setFocusProxy(widget)
        if check is not None and isinstance(widget, QLineEdit):
            widget.editingFinished.connect(self.run_check)

    def run_check(self) -> bool:
        if self._check is None:
            return True
        try:
            self._check()
        except ValidationError as exc:
            self.error.show_message(str(exc))
            return False
        self.error.clear_message()
        return True


class CheckList(QListWidget):
    """Codes with labels, each with a check box; ``changed`` when a box is ticked."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def set_items(self, items: Iterable[tuple[str, str]]) -> None:
        chosen = set(self.checked())
        self.blockSignals(True)
        self.clear()
        for code, text in items:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.blockSignals(False)

    def checked(self) -> tuple[str, ...]:
        return tuple(
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.item(i) for i in range(self.count()))
            if item is not None and item.checkState() == Qt.CheckState.Checked
        )

    def set_checked(self, codes: Iterable[str]) -> None:
        wanted = set(codes)
        first: QListWidgetItem | None = None
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            if item is not None:
                code = item.data(Qt.ItemDataRole.UserRole)
                item.setCheckState(
                    Qt.CheckState.Checked if code in wanted else Qt.CheckState.Unchecked
                )
                if first is None and code in wanted:
                    first = item
        self.blockSignals(False)
        # Show what is ticked: a long list would otherwise hide it below the fold.
        self.scrollToItem(first) if first is not None else self.scrollToTop()
