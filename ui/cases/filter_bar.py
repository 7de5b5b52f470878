"""The filters above the case list, and the search box that searches as you type."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import CaseStatus, Category, Urgency, label
from app.i18n import _
from app.services.records import CaseFilter
from ui.widgets.common import STRETCH, fit_first_entry, name_clear_button, push_button, widget_row
from ui.widgets.country_combo import CountryCombo

SEARCH_DELAY_MS = 300
OPEN = "open"  # the status filter's "all open cases" entry
ME = "@me"  # the officer filter's "my cases" entry
NOBODY = "@nobody"  # ... and its "not assigned" entry
MOST_ROWS = 4  # the search with the status, two lists and two lists, "overdue" and "clear"


class CaseFilterBar(QWidget):
    """Emits ``filter_changed`` with a ``CaseFilter`` (text changes after a 300 ms pause)."""

    filter_changed = Signal(object)

    def __init__(
        self, me: str, officers: list[tuple[str, str]], missions: list[str] | None = None
    ) -> None:
        super().__init__()
        self.me = me
        self.officers = officers  # (username, display name)
        # At HQ (``missions`` given, even none yet) the missions' codes, offered where a
        # mission offers its officers: HQ's own users hold none of the missions' cases, and a
        # sixth list made the window wider than a 1366-pixel screen.
        self.at_hq = missions is not None
        self.missions = missions or []
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _t: self.search_timer.start())
        self.search.returnPressed.connect(self._emit_now)
        self.status = QComboBox()
        self.country = CountryCombo(any_text="")
        self.category = QComboBox()
        # The officers (at HQ) or the missions (at a mission) are never laid out: children
        # all the same, not hidden windows of their own that outlive the bar.
        self.officer = QComboBox(self)
        self.urgency = QComboBox()
        self.mission = QComboBox(self)
        self.overdue = QCheckBox()
        self.clear_button = push_button(self.clear)
        for combo in self._combos():
            combo.view().setMinimumWidth(320)  # the open list still shows whole labels
        self.fill_choices()
        for combo in self._combos():
            combo.currentIndexChanged.connect(self._emit_now)
        self.overdue.toggled.connect(self._emit_now)

        # The search and two lists on the first row, three lists, "overdue" and "clear" on
        # the second: the five lists on one row made the case list 1,106 pixels wide in
        # Kazakh, and on a 1366-pixel screen the navigation gave up the difference. Where
        # even two rows do not fit (988 pixels in Kazakh; 125 % display scaling leaves the
        # list about 860) they take three, and where three do not (a 1024-pixel screen at
        # 150 % leaves about 600: the list scrolled 49 pixels sideways in Kazakh, 81 in
        # Russian, New case out of sight) four, and the list does not scroll sideways.
        self.rows = QVBoxLayout(self)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        self.row_count = 0
        (self.officer if self.at_hq else self.mission).hide()
        self._arrange(2)
        self.setTabOrder(self.search, self.status)
        self.retranslate_ui()

    def _row_widgets(self, count: int) -> list[list[QWidget]]:
        """The bar's widgets on ``count`` rows: 2, 3 or ``MOST_ROWS``."""
        status, country, category, whose, urgency = self._combos()
        if count >= MOST_ROWS:
            return [
                [self.search, status],
                [country, category],
                [whose, urgency],
                [self.overdue, self.clear_button],
            ]
        if count == 3:
            return [
                [self.search, status],
                [country, category, whose],
                [urgency, self.overdue, self.clear_button],
            ]
        return [
            [self.search, status, country],
            [category, whose, urgency, self.overdue, self.clear_button],
        ]

    def _width_needed(self, count: int) -> int:
        spacing = max(self.rows.spacing(), 0)

        def row_width(row: list[QWidget]) -> int:
            shown = [w for w in row if not w.isHidden()]
            widths = (w.minimumSizeHint().expandedTo(w.minimumSize()).width() for w in shown)
            return sum(widths) + spacing * (len(shown) - 1)

        return max(row_width(row) for row in self._row_widgets(count))

    def _arrange(self, count: int) -> None:
        if count == self.row_count:
            return
        self.row_count = count
        while (item := self.rows.takeAt(0)) is not None:
            row = item.layout()
            if row is not None:
                while row.takeAt(0) is not None:
                    pass  # the widgets stay this bar's children, put in the new rows
                row.deleteLater()
        for widgets in self._row_widgets(count):
            self.rows.addLayout(
                widget_row(*widgets, *([] if widgets[0] is self.search else [STRETCH]))
            )
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(self._width_needed(MOST_ROWS), self.rows.minimumSize().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        width = event.size().width()
        fitting = (c for c in (2, 3) if width >= self._width_needed(c))
        self._arrange(next(fitting, MOST_ROWS))

    def _combos(self) -> tuple[QComboBox, ...]:
        whose = self.mission if self.at_hq else self.officer
        return (self.status, self.country, self.category, whose, self.urgency)

    def _fit_combos(self) -> None:
        # At a fixed 14 characters «Кез келген орындаушы» was cut.
        for combo, chars in zip(self._combos(), (12, 16, 18, 12, 12), strict=True):
            fit_first_entry(combo, chars)

    def fill_choices(self) -> None:
        """(Re)build the combo entries in the current language, keeping the choices."""
        state = self.state() if self.status.count() else None
        for combo in (self.status, self.category, self.officer, self.urgency, self.mission):
            combo.blockSignals(True)
            combo.clear()
        self.status.addItem(_("Any status"), "")
        self.status.addItem(_("Open cases"), OPEN)
        for status in CaseStatus:
            self.status.addItem(label(status), status.value)
        self.category.addItem(_("Any complaint"), "")
        for category in Category:
            self.category.addItem(label(category), category.value)
        self.officer.addItem(_("Any officer"), "")
        self.officer.addItem(_("My cases"), ME)
        self.officer.addItem(_("Not assigned"), NOBODY)
        for username, name in self.officers:
            self.officer.addItem(name, username)
        self.urgency.addItem(_("Any urgency"), "")
        for urgency in Urgency:
            self.urgency.addItem(label(urgency), urgency.value)
        self.mission.addItem(_("Any mission"), "")
        for code in self.missions:
            self.mission.addItem(code, code)
        self.country.set_any_text(_("Any host country"))
        self.country.refill()
        for combo in (self.status, self.category, self.officer, self.urgency, self.mission):
            combo.blockSignals(False)
        self._fit_combos()
        if state is not None:
            self.set_state(state, emit=False)

    def set_missions(self, missions: list[str]) -> None:
        """HQ's missions as they are now (one trusted since the bar was built), the choice kept."""
        if missions != self.missions:
            self.missions = missions
            self.fill_choices()

    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(
            _("Search by name, IIN, passport, case number or employer (Ctrl+F)")
        )
        name_clear_button(self.search)
        self.overdue.setText(_("&Overdue only"))
        self.clear_button.setText(_("C&lear filters"))
        self.fill_choices()

    # The filter --------------------------------------------------------------------------

    def current_filter(self, base: CaseFilter | None = None) -> CaseFilter:
        status = self.status.currentData() or ""
        # At HQ the officer list is not shown: a choice kept from before must not filter unseen.
        officer = "" if self.at_hq else (self.officer.currentData() or "")
        base = base or CaseFilter()
        return CaseFilter(
            statuses=(status,) if status and status != OPEN else (),
            open_only=status == OPEN,
            host_country=self.country.code() or None,
            category=self.category.currentData() or None,
            assigned_to={ME: self.me, NOBODY: None}.get(officer, officer or None),
            unassigned=officer == NOBODY,
            urgency=self.urgency.currentData() or None,
            mission=self.mission.currentData() or None,
            overdue=self.overdue.isChecked(),
            text=self.search.text().strip(),
            sort=base.sort,
            descending=base.descending,
        )

    def _emit(self) -> None:
        self.filter_changed.emit(self.current_filter())

    def _emit_now(self) -> None:
        self.search_timer.stop()
        self._emit()

    def clear(self) -> None:
        self.set_state({}, emit=True)

    # Remembered between sessions -----------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "text": self.search.text(),
            "status": self.status.currentData() or "",
            "country": self.country.code(),
            "category": self.category.currentData() or "",
            "officer": self.officer.currentData() or "",
            "urgency": self.urgency.currentData() or "",
            "mission": self.mission.currentData() or "",
            "overdue": self.overdue.isChecked(),
        }

    def set_state(self, state: dict[str, Any], emit: bool = True) -> None:
        widgets: list[QWidget] = [
            self.search,
            self.status,
            self.country,
            self.category,
            self.officer,
            self.urgency,
            self.mission,
            self.overdue,
        ]
        for widget in widgets:
            widget.blockSignals(True)
        self.search.setText(str(state.get("text", "")))
        for combo, key in (
            (self.status, "status"),
            (self.category, "category"),
            (self.officer, "officer"),
            (self.urgency, "urgency"),
            (self.mission, "mission"),
        ):
            combo.setCurrentIndex(max(combo.findData(str(state.get(key, ""))), 0))
        self.country.set_code(str(state.get("country", "")))
        self.overdue.setChecked(bool(state.get("overdue", False)))
        for widget in widgets:
            widget.blockSignals(False)
        if emit:
            self._emit_now()

    def state_json(self) -> str:
        """The filters to remember in QSettings: never the search text, which holds names
        and IINs and would sit in a plain file readable by others on the computer."""
        state = self.state()
        del state["text"]
        return json.dumps(state, ensure_ascii=False)

    def set_state_json(self, text: str) -> None:
        try:
            state = json.loads(text) if text else {}
        except ValueError:
            state = {}
        state = state if isinstance(state, dict) else {}
        state.pop("text", None)  # stored by older versions; never brought back
        self.set_state(state, emit=False)
