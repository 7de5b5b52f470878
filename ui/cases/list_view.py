"""The case list: filters, search as you type, a count of matches, a sortable paged table."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.roles import CASE_WORKERS
from app.i18n import _, format_number, ngettext
from app.services.cases import CaseService
from app.services.changes import DataChanged
from app.services.keys import KeyService
from app.services.records import CaseFilter
from app.services.users import UserService
from app.services.workspace import Workspace
from ui import ui_settings
from ui.cases.filter_bar import ME, NOBODY, OPEN, CaseFilterBar
from ui.changes import listen_to_changes
from ui.icons import icon
from ui.models.case_table_model import (
    CATEGORIES,
    DUE,
    HOST_COUNTRY,
    NUMBER,
    OFFICER,
    PERSON,
    RECEIVED,
    STATUS,
    URGENCY,
    CaseTableModel,
)
from ui.widgets.columns import TEXT_WIDTHS, ColumnFit
from ui.widgets.common import one_row_at_a_time, open_on_enter, push_button
from ui.widgets.text_size import heading

FILTER_KEY = "cases/filter"
COLUMNS_KEY = "cases"  # the user's column widths, under "columns/cases"


CELL_MARGINS = 8  # a cell's text margins, both sides, in the app's style


class CaseListView(QWidget):
    case_opened = Signal(str)
    new_case_requested = Signal()

    def __init__(self, workspace: Workspace, service: CaseService | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = service or CaseService(workspace)
        names = self._build_filters()
        self._build_table(names)
        self._build_preset()
        self._build_layout()
        flt = self.filters.current_filter()
        self.model.filter = flt
        self.model.reload()
        self.table.horizontalHeader().setSortIndicator(
            self.model.sort_column(),
            Qt.SortOrder.DescendingOrder if flt.descending else Qt.SortOrder.AscendingOrder,
        )
        # Enabled after the first load, so that setting the indicator does not load twice.
        self.table.setSortingEnabled(True)
        self.retranslate_ui()

    def _build_filters(self) -> dict[str, str]:
        """The filter bar, as the officer left it; returns every user's name by username
        (the list names the officer who closed a case even after she left)."""
        users = UserService(self.workspace).list()
        officers = [
            (u.username, u.full_name or u.username)
            for u in users
            if u.active and u.role in CASE_WORKERS
        ]
        missions = self._missions() if self.workspace.mission.is_hq else None
        self.filters = CaseFilterBar(self.workspace.actor.username, officers, missions)
        self.filters.set_state_json(ui_settings.load_value(FILTER_KEY))
        # Rewritten at once: erases search text an older version left in the settings file.
        ui_settings.save_value(FILTER_KEY, self.filters.state_json())
        self.filters.filter_changed.connect(self.apply_filter)
        return {u.username: u.full_name or u.username for u in users}

    def _build_table(self, names: dict[str, str]) -> None:
        """The model (loaded off the GUI thread) and the table that shows it."""
        self.model = CaseTableModel(
            self.service,
            background=True,
            interrupt=self.workspace.db.interrupt,
            resume=self.workspace.db.resume,
        )
        self.model.total_changed.connect(self._show_count)
        self.model.loading_changed.connect(self._show_count)
        self._keep_selected: str | None = None
        # (rows read, scroll position) before a refresh: put back once its first page came.
        self._keep_place: tuple[int, int] | None = None
        self.model.officers = names
        self.table = QTableView()
        self.table.setModel(self.model)
        one_row_at_a_time(self.table)
        # After the view and its selection model: they clear the selection on a reset, and
        # a slot connected before theirs selected the row only to see it cleared.
        self.model.modelReset.connect(self._reselect)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        # Sized to what they hold; the complaint takes the rest, elided in the middle.
        self.columns = ColumnFit(
            self.table,
            COLUMNS_KEY,
            stretch=CATEGORIES,
            whole=(NUMBER, STATUS, URGENCY, RECEIVED, DUE),
            min_stretch=230,  # the complaint is what an officer scans the list for
            # Narrower than that: a mission's list mostly shows its own host country, and the
            # officer's name, cut short, is still told apart from the two or three others;
            # they give way until the complaint shows about 20 characters.
            yields=(HOST_COUNTRY, OFFICER),
            yield_until=200,
            # The country's name or, where it does not fit, its code (_show_country_codes):
            # it gives way first, whole. Narrowed to the widest column's width like any other,
            # it still showed «AE» alone while the person beside it lost her name's middle
            # («Нұрлан…ы Әсем»).
            short_forms=(HOST_COUNTRY,),
            choosable=(PERSON, HOST_COUNTRY, STATUS, URGENCY, RECEIVED, DUE, OFFICER),
            # Still too narrow (150 % display scaling leaves the list some 820 pixels): these
            # go in this order, each back from the header's menu. The officer and the day
            # received matter least when scanning; the due date's mark and the status stay.
            # Last the status: on a 1024 screen at 150 % the four gone still left the
            # complaint 98 pixels in Russian («Пла…аём»); the due date's mark stays.
            # A shorter case number would not bring the status back: of the table's 593
            # pixels there, the status (131 in Russian), the due date (111), the person cut
            # to a recognisable name (167) and the complaint (184) take all, with no number;
            # and the number's last part alone names two cases (a counter a year, and cases
            # transferred from other missions).
            optional=(OFFICER, RECEIVED, HOST_COUNTRY, URGENCY, STATUS),
        )
        header.sectionResized.connect(self._country_resized)
        self.model.modelReset.connect(self._lay_out_new_page)
        self.table.doubleClicked.connect(self._open_index)
        open_on_enter(self.table, self._open_index)

    def _build_preset(self) -> None:
        # A list opened from a Start page count: the conditions the filter bar cannot show
        # (life or liberty at risk, escalated) stay in force, named, until the officer clears
        # them.
        self.preset = CaseFilter()
        self.preset_label = QLabel()
        self.preset_label.setObjectName("preset")
        self.preset_clear = push_button(self.clear_preset)
        self.preset_label.hide()
        self.preset_clear.hide()
        self.filters.clear_button.clicked.connect(self.clear_preset)

    def _build_layout(self) -> None:
        self.title = QLabel()
        heading(self.title)
        self.count = QLabel()
        self.count.setObjectName("match_count")
        self.new_button = QPushButton()
        self.new_button.setIcon(icon("plus"))
        self.new_button.clicked.connect(self.new_case_requested)
        if self.workspace.actor.role not in CASE_WORKERS:
            self.new_button.hide()  # (shown, a widget without a parent would be a window)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.count, 1)
        top.addWidget(self.preset_label)
        top.addWidget(self.preset_clear)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 12, 8, 12)  # at 1366 pixels every column needs the room
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        self.setTabOrder(self.filters.search, self.table)
        # Down or Enter in the search box moves into the results, as in a mail client.
        self.filters.search.installEventFilter(self)
        self._focus_results_when_loaded = False
        self.model.loading_changed.connect(self._focus_results_if_asked)
        listen_to_changes(self, self.workspace, self._data_changed)

    def retranslate_ui(self) -> None:
        self.title.setText(_("Cases"))
        self.preset_clear.setText(_("Show all"))
        self.preset_clear.setToolTip(_("Remove this condition from the list"))
        only = [_("life or liberty at risk")] if self.preset.life_or_liberty else []
        only += [_("my cases")] if self.preset.assigned_to else []
        only += [_("escalated to the head of section")] if self.preset.escalated else []
        if only:
            self.preset_label.setText(_("Only: {conditions}").format(conditions=", ".join(only)))
        self.new_button.setText(_("&New case"))
        self.new_button.setToolTip(_("Register a new case (Ctrl+N)"))
        self.filters.retranslate_ui()
        self.model.retranslate()
        self._show_count()

    def apply_filter(self, flt: CaseFilter) -> None:
        current = self.model.filter
        flt = replace(
            flt,
            sort=current.sort,
            descending=current.descending,
            life_or_liberty=self.preset.life_or_liberty,
            escalated=self.preset.escalated,
            assigned_to=self.preset.assigned_to or flt.assigned_to,
        )
        self.model.set_filter(flt)
        ui_settings.save_value(FILTER_KEY, self.filters.state_json())

    def show_filtered(self, flt: CaseFilter) -> None:
        """List exactly the cases of ``flt`` (a Start page count): the bar shows what it can,
        the rest is named beside the count with a button to drop it."""
        if flt.mission and flt.mission not in self.filters.missions:
            # Trusted since (at an HQ on a server, perhaps on another desktop): else the bar
            # could not show it and listed every mission's cases.
            self.filters.set_missions(self._missions())
        self.filters.set_state(
            {
                "status": OPEN if flt.open_only else (flt.statuses[0] if flt.statuses else ""),
                "country": flt.host_country or "",
                "category": flt.category or "",
                "officer": NOBODY
                if flt.unassigned
                else (ME if flt.assigned_to == self.workspace.actor.username else ""),
                "urgency": flt.urgency or "",
                "mission": flt.mission or "",
                "overdue": flt.overdue,
                "text": flt.text,
            },
            emit=False,
        )
        # What the bar cannot show is named beside the count: at HQ, which shows missions
        # instead of officers, "my cases" too.
        mine = flt.assigned_to if self.filters.at_hq else None
        self.preset = CaseFilter(
            life_or_liberty=flt.life_or_liberty, escalated=flt.escalated, assigned_to=mine
        )
        named = flt.life_or_liberty or flt.escalated or mine is not None
        self.preset_label.setVisible(named)
        self.preset_clear.setVisible(named)
        self.retranslate_ui()
        combined = self.filters.current_filter(flt)
        combined = replace(
            combined,
            life_or_liberty=flt.life_or_liberty,
            escalated=flt.escalated,
            assigned_to=mine or combined.assigned_to,
        )
        self.table.setSortingEnabled(False)
        self.model.set_filter(combined)
        self.table.horizontalHeader().setSortIndicator(
            self.model.sort_column(),
            Qt.SortOrder.DescendingOrder if flt.descending else Qt.SortOrder.AscendingOrder,
        )
        self.table.setSortingEnabled(True)
        ui_settings.save_value(FILTER_KEY, self.filters.state_json())

    def clear_preset(self) -> None:
        if self.preset == CaseFilter():
            return
        self.preset = CaseFilter()
        self.preset_label.hide()
        self.preset_clear.hide()
        self.apply_filter(self.filters.current_filter())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.filters.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down:
                self.focus_results()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                # The search runs now (not after the pause); focus follows its results.
                self._focus_results_when_loaded = True
                self.filters.search_timer.stop()
                self.filters.filter_changed.emit(self.filters.current_filter())
                if not self.model.loading:
                    self._focus_results_if_asked()
                return True
        return super().eventFilter(watched, event)

    def focus_results(self) -> None:
        """Into the table, on the first case unless one is already current."""
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    def _focus_results_if_asked(self, _loading: bool = False) -> None:
        if self._focus_results_when_loaded and not self.model.loading:
            self._focus_results_when_loaded = False
            self.focus_results()

    def _missions(self) -> list[str]:
        """At HQ: the missions whose keys are trusted, for the bar's mission filter."""
        return [k.code for k in KeyService(self.workspace).trusted() if not k.is_hq]

    def _data_changed(self, change: DataChanged) -> None:
        if self.filters.at_hq and change.touches("mission"):  # a mission's key trusted
            self.filters.set_missions(self._missions())
        if change.touches("case", "case_event", "person", "employer", "recruitment_agency"):
            self.refresh()

    def refresh(self) -> None:
        """Reload after a case changed elsewhere (the editor saved, another desktop); the
        selection, the rows scrolled to and the scroll position stay."""
        self._keep_selected = self.current_case_id() or self._keep_selected
        self._keep_place = (self.model.loaded_count(), self.table.verticalScrollBar().value())
        self.model.reload()

    def _lay_out_new_page(self) -> None:
        """The new page laid out (its scroll bar shown or hidden) and its columns fitted before
        its first paint: left to their timers, each search painted the rows at the last page's
        widths, then twice more as the fit and the layout came. The header is quiet while the
        fit resizes it, as the table would answer each resize with a repaint of its own (on a
        timer, after the first paint); the layout that follows takes the new widths in."""
        self.table.doItemsLayout()
        header = self.table.horizontalHeader()
        blocked = header.blockSignals(True)
        try:
            self.columns.fit()
        finally:
            header.blockSignals(blocked)
        self._show_country_codes()
        self.table.doItemsLayout()

    def _country_resized(self, column: int, _old: int, _new: int) -> None:
        if column == HOST_COUNTRY:
            self._show_country_codes()

    def _show_country_codes(self) -> None:
        """The host country's code in the cells its name does not fit (the model's
        ``show_country_codes``), for the column's width now."""
        room = self.table.columnWidth(HOST_COUNTRY) - CELL_MARGINS
        if self.model.show_country_codes(room, TEXT_WIDTHS.of(self.table.font())):
            self.table.viewport().update()

    def _reselect(self) -> None:
        place, self._keep_place = self._keep_place, None
        if place is not None:  # only the pages the person had scrolled to are read again
            loaded, scrolled = place
            while self.model.loaded_count() < loaded and self.model.canFetchMore():
                before = self.model.loaded_count()
                self.model.fetchMore()
                if self.model.loaded_count() == before:
                    break
        if self._keep_selected and (row := self.model.row_of(self._keep_selected)) >= 0:
            self.table.selectRow(row)
        if place is not None:
            self.table.doItemsLayout()  # the scroll bar's range for the rows read now
            bar = self.table.verticalScrollBar()
            bar.setValue(min(place[1], bar.maximum()))

    def _show_count(self) -> None:
        total = self.model.total
        if self.model.loading:
            text = _("Searching…")
        elif not self.model.total_known:
            # The first page is shown; the count follows it from the background.
            text = _("{n}+ cases, counting…").format(n=format_number(total))
        else:
            text = ngettext("{n} case", "{n} cases", total).format(n=format_number(total))
        self.count.setText(text)

    def current_case_id(self) -> str | None:
        return self._case_id_at(self.table.currentIndex())

    def _case_id_at(self, index: QModelIndex) -> str | None:
        """The case of the index's row, whichever cell of it the index is."""
        if not index.isValid() or index.row() >= self.model.loaded_count():
            return None
        return self.model.row_at(index.row()).id

    def select_case(self, case_id: str) -> None:
        """Select the case now, and again when a load on its way arrives."""
        self._keep_selected = case_id
        row = self.model.row_of(case_id)
        if row >= 0:
            self.table.selectRow(row)

    def focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def _open_index(self, index: QModelIndex) -> None:
        case_id = self._case_id_at(index)
        if case_id is not None:
            self.case_opened.emit(case_id)

    def save_state(self) -> None:
        ui_settings.save_value(FILTER_KEY, self.filters.state_json())

    def hideEvent(self, event: object) -> None:  # noqa: N802 - Qt name
        self.save_state()
        super().hideEvent(event)  # type: ignore[arg-type]
