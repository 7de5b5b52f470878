"""The Returnees area at HQ: the register filtered in SQL and read in pages, the dialog to add
or edit a record, the export for the employment service (off the GUI thread), and the
register's figures by country of work and occupation major group.

A cell of the Reports area's returnee figures opens the area with the filter that lists the
records it counts (``show_figure``); a line above the list says what that filter asks, and a
button clears it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain import occupations as isco
from app.domain.codes import Category
from app.domain.codes import label as code_label
from app.errors import PermissionDenied, QorgauError
from app.i18n import (
    LANGUAGES,
    _,
    country_name,
    current_language,
    format_date,
    format_number,
    ngettext,
    say_again,
)
from app.services.returnees import ReturneeFilter, ReturneeRow, ReturneeService
from app.services.stats import ReturneeStats
from app.services.workspace import Workspace
from ui.changes import refresh_when_shown, reload_in_place
from ui.i18n_bridge import LANGUAGE_NAMES, LanguageBridge
from ui.models.list_table_model import PAGE_SIZE, Index, PagedTableModel
from ui.returnees.dialog import RegionCombo, ReturneeDialog
from ui.tasks import BackgroundTask, LatestOnly, TaskContext, show_error
from ui.widgets.columns import ONE_LINE_ROW, ColumnFit
from ui.widgets.common import (
    STRETCH,
    delete_presses,
    keep_narrow,
    name_clear_button,
    one_row_at_a_time,
    open_on_enter,
    widget_row,
    word_wrapped,
)
from ui.widgets.dialogs import confirm
from ui.widgets.file_dialogs import save_path
from ui.widgets.plain import ElidedLabel, plain_label, plain_tooltip
from ui.widgets.row_menu import row_menu
from ui.widgets.text_size import RECORD_TITLE, heading

(COL_NAME, COL_OCCUPATION, COL_REGION, COL_COUNTRY, COL_YEARS, COL_REFERRAL, COL_RETURNED) = range(
    7
)
COLUMNS_KEY = "returnees"  # the user's column widths, under "columns/returnees"


def headers() -> list[str]:
    return [
        _("Full name"),
        _("Occupation"),
        _("Region of return"),
        _("Country of work"),
        _("Years abroad"),
        _("Referral"),
        _("Returned on"),
    ]


class ReturneeTableModel(PagedTableModel):
    """The register's rows, fetched from the service a page at a time as the view scrolls.

    The first page is read at once (from the list's index: a few milliseconds at any size);
    the count, which looks at every record's consent (a fifth of a second at 40,000 records),
    follows it off the GUI thread, so neither opening the area nor changing a filter waits
    for it. A short first page is the whole list and needs no count. A figure's list asked
    through the records' cases (``ReturneeFilter.through_cases``) is not read from that index:
    its first page comes from the background too, before its count."""

    total_changed = Signal()

    def __init__(self, service: ReturneeService, page_size: int = PAGE_SIZE) -> None:
        super().__init__(headers, page_size)
        self.service = service
        self.filter = ReturneeFilter()
        self.rows: list[ReturneeRow] = []
        self.total_known = True
        self.loading = False  # the first page is read off the GUI thread (``through_cases``)
        self._texts: dict[tuple[int, object], str] = {}  # (column, value): text, this language
        db = service.ws.db
        self._counter = LatestOnly(self, db.interrupt, resume=db.resume)
        self._counter.answered.connect(self._answered)
        self._counter.refused.connect(self._refused)

    def set_filter(self, flt: ReturneeFilter) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        if self.filter.through_cases:
            self._read_in_background()
            return
        rows = self.read_rows(0, self.page_size)  # a filter refused leaves the list as it was
        self._show_first_page(rows)
        if self.total_known:
            self._counter.cancel()  # a count still on its way is an older filter's
        else:
            flt, service = self.filter, self.service
            self._counter.submit([lambda: service.count(flt)])

    def _read_in_background(self) -> None:
        """The first page and then its count, both off the GUI thread; the list is empty and
        ``loading`` until the page arrives."""
        self.beginResetModel()
        self.rows = []
        self.endResetModel()
        self.total, self.total_known, self.loading = 0, False, True
        flt, service, size = self.filter, self.service, self.page_size
        first: list[ReturneeRow] = []

        def read_page() -> list[ReturneeRow]:
            first[:] = service.list(flt, offset=0, limit=size)
            return list(first)

        def count() -> int:  # a short first page is the whole list
            return service.count(flt) if len(first) == size else len(first)

        self._counter.submit([read_page, count])
        self.total_changed.emit()

    def _show_first_page(self, rows: list[ReturneeRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()
        self.loading = False
        self.total = len(self.rows)
        self.total_known = len(self.rows) < self.page_size
        self.total_changed.emit()

    def _answered(self, step: int, result: object) -> None:
        if self.loading and step == 0:
            self._show_first_page(cast(list[ReturneeRow], result))
        else:
            self._counted(cast(int, result))

    def _refused(self, exc: BaseException) -> None:
        if self.loading:  # the list stays empty, said as such, not "searching" for ever
            self.loading, self.total_known = False, True
            self.total_changed.emit()
        show_error(None, exc)

    def _counted(self, total: int) -> None:
        self.total = max(total, len(self.rows))  # rows added since may have been read
        self.total_known = True
        self.total_changed.emit()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008
        # While the count is on its way, a full page may have more behind it; while the first
        # page is, nothing is read here.
        more = len(self.rows) < self.total or not self.total_known
        return not parent.isValid() and more and not self.loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid():
            return
        page = self.read_rows(len(self.rows), self.page_size)
        if page:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()
        if page and self.total_known:
            return
        # An empty page: fewer than counted (deleted meanwhile). Before the count: what was
        # read so far, and a short page is the end.
        self.total = max(self.total, len(self.rows)) if page else len(self.rows)
        self.total_known = self.total_known or len(page) < self.page_size
        self.total_changed.emit()

    def count_rows(self) -> int:
        return self.service.count(self.filter)

    def column_sample(self, column: int, rows: int) -> list[tuple[str, bool]]:
        """The first ``rows`` texts of ``column``, for fitting the column
        (``ui.widgets.columns``) without a ``data()`` call per cell."""
        return [(self.cell(row, column), False) for row in self.rows[:rows]]

    def read_rows(self, offset: int, limit: int) -> list[ReturneeRow]:
        return self.service.list(self.filter, offset=offset, limit=limit)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COL_OCCUPATION:
            # The whole title too: the column shows it elided in the middle, and this tooltip
            # takes the place of the one that would have shown it.
            title = self.cell(row, COL_OCCUPATION)
            return "\n".join([title, "; ".join(row.certificates)]) if row.certificates else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.cell(row, index.column())

    def cell(self, row: ReturneeRow, column: int) -> str:
        """The cell's text; a code's or a day's name is looked up once per language (a page of
        200 rows asked babel for 200 dates at each fit of the columns and at each paint)."""
        if column == COL_NAME:
            return row.full_name
        if column == COL_YEARS:
            return str(row.years_abroad)
        key: object = {
            COL_OCCUPATION: row.occupation,
            COL_REGION: row.region,
            COL_COUNTRY: row.work_country,
            COL_REFERRAL: row.wants_referral,
            COL_RETURNED: row.returned_on,
        }[column]
        text = self._texts.get((column, key))
        if text is None:
            text = self._texts[(column, key)] = self._text(row, column)
        return text

    @staticmethod
    def _text(row: ReturneeRow, column: int) -> str:
        lang = current_language()
        if column == COL_OCCUPATION:
            return f"{row.occupation} {isco.occupation_title(row.occupation, lang)}"
        if column == COL_REGION:
            return isco.region_title(row.region, lang)
        if column == COL_COUNTRY:
            return country_name(row.work_country, lang)
        if column == COL_REFERRAL:
            return _("yes") if row.wants_referral else _("no")
        return format_date(row.returned_on) if row.returned_on else "—"

    def retranslate(self) -> None:
        self._texts.clear()
        super().retranslate()


class ReturneesPage(QWidget):
    def __init__(self, workspace: Workspace, bridge: LanguageBridge) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = ReturneeService(workspace)
        self._task: BackgroundTask[tuple[int, int]] | None = None

        self.heading = QLabel()
        heading(self.heading, RECORD_TITLE)
        self.occupation = QComboBox()
        # The major groups' titles are long: the combo keeps to a width, the popup shows them.
        keep_narrow(self.occupation, 22)
        self.region = RegionCombo()
        self.skill = QLineEdit()
        self.skill.setClearButtonEnabled(True)
        self.skill.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 14)
        self.language = QLineEdit()
        self.language.setMaxLength(2)
        self.language.setMaximumWidth(self.fontMetrics().horizontalAdvance("MMMM") + 16)
        self.add_button = QPushButton()
        # Hidden from whoever may not record here (HQ's administrator, an analyst on a server):
        # they filled the whole form before being refused.
        if not self.service.may_record():
            self.add_button.hide()  # (shown, a widget without a parent would be a window)
        self.edit_button = QPushButton()
        self.withdraw_button = QPushButton()
        self.export_button = QPushButton()
        # The file's language, not the interface's: an attaché working in English sent a
        # Kazakh employment centre regions, occupations and countries named in English.
        self.export_lang_label = QLabel()
        self.export_lang = QComboBox()
        for code in LANGUAGES:
            self.export_lang.addItem(LANGUAGE_NAMES[code], code)
        self.export_lang.setCurrentIndex(LANGUAGES.index(current_language()))
        self.export_lang_label.setBuddy(self.export_lang)
        self.summary = word_wrapped(plain_label())
        # The file an export wrote, on a line of its own: said in the summary, it was replaced
        # by the count or the figures arriving after it from the background.
        self.written = ElidedLabel()
        self.written.setObjectName("written")
        self.written.setMinimumWidth(1)  # a long path is elided, not a wider window
        self.written.hide()
        # The last export's file, its records and those left out for declining a referral.
        self._wrote: tuple[Path, int, int] | None = None
        self._refusal = ""  # why the selected record may not be changed (another's), if so
        # The conditions of a figure of the Reports area this list was opened for.
        self.figure = ReturneeFilter()
        self.figure_note = word_wrapped(plain_label())
        self.figure_note.setObjectName("figure_note")
        self.clear_figure_button = QPushButton()
        self.clear_figure_button.setObjectName("clear_figure")
        self.clear_figure_button.clicked.connect(self.clear_figure)

        # The register's figures for the line under the list, read off the GUI thread.
        self.figures: ReturneeStats | None = None
        self._figures_reader = LatestOnly(self, workspace.db.interrupt, resume=workspace.db.resume)
        self._figures_reader.answered.connect(lambda _step, stats: self._figures_arrived(stats))
        self._figures_reader.refused.connect(lambda exc: show_error(self, exc))

        self.model = ReturneeTableModel(self.service)
        self.model.total_changed.connect(self._update_summary)
        self.model.total_changed.connect(self._update_buttons)
        self.view = QTableView()
        self.view.setModel(self.model)
        one_row_at_a_time(self.view)
        self.view.verticalHeader().hide()
        # Sized from the first rows' texts, the occupation taking the rest: sized to every
        # cell's contents, a filter change read about 11,000 cells through data() (166 ms on
        # the GUI thread at 40,000 records). The occupation wraps to a second line: elided,
        # a long ISCO title lost its middle at 1366 pixels in Kazakh («Кеңселердегі, қо…»).
        self.columns = ColumnFit(
            self.view,
            COLUMNS_KEY,
            stretch=COL_OCCUPATION,
            wrap=True,
            whole=(COL_YEARS, COL_REFERRAL, COL_RETURNED),
            max_lines=2,
        )
        self.view.verticalHeader().setMinimumSectionSize(ONE_LINE_ROW)

        filters = QHBoxLayout()
        self.occupation_label = QLabel()
        self.region_label = QLabel()
        self.skill_label = QLabel()
        self.language_label = QLabel()
        for label, field in (
            (self.occupation_label, self.occupation),
            (self.region_label, self.region),
            (self.skill_label, self.skill),
            (self.language_label, self.language),
        ):
            label.setBuddy(field)
            filters.addWidget(label)
            filters.addWidget(field, 1 if field is self.skill else 0)
        buttons = widget_row(
            self.add_button,
            self.edit_button,
            self.withdraw_button,
            STRETCH,
            self.export_lang_label,
            self.export_lang,
            self.export_button,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(filters)
        self.figure_row = QWidget()
        figure_row = QHBoxLayout(self.figure_row)
        figure_row.setContentsMargins(0, 0, 0, 0)
        figure_row.addWidget(self.figure_note, 1)
        figure_row.addWidget(self.clear_figure_button)
        self.figure_row.setVisible(False)
        layout.addWidget(self.figure_row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.written)
        layout.addLayout(buttons)

        self.occupation.currentIndexChanged.connect(self.apply_filter)
        self.region.currentIndexChanged.connect(self.apply_filter)
        self.skill.returnPressed.connect(self.apply_filter)
        self.language.returnPressed.connect(self.apply_filter)
        self.add_button.clicked.connect(self.add_record)
        self.edit_button.clicked.connect(self.edit_record)
        self.withdraw_button.clicked.connect(self.ask_withdraw)
        self.view.doubleClicked.connect(lambda _index: self.edit_record())
        open_on_enter(self.view, lambda _index: self.edit_record())
        delete_presses(self.view, self.withdraw_button)  # asked first, as the button does
        row_menu(self.view, self.edit_button, self.withdraw_button)
        self.export_button.clicked.connect(self.export)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        bridge.language_changed.connect(lambda _lang: self.retranslate_ui())
        self.retranslate_ui()
        self.refresh()
        # A record added, edited or withdrawn by another user (HQ on a server), or here.
        refresh_when_shown(
            self,
            workspace,
            ("returnee", "person", "case"),
            lambda _change: reload_in_place(self.view, self.refresh),
        )

    # -- filters --------------------------------------------------------------------------------

    def _fill_occupations(self) -> None:
        chosen = self.occupation.currentData()
        lang = current_language()
        self.occupation.blockSignals(True)
        self.occupation.clear()
        self.occupation.addItem(_("Any occupation"), "")
        for code, group in isco.occupations().items():
            if len(code) == 1:
                self.occupation.addItem(f"{code} {group.title(lang)}", code)
        index = self.occupation.findData(chosen) if chosen else 0
        self.occupation.setCurrentIndex(max(index, 0))
        self.occupation.blockSignals(False)

    def _fill_regions(self) -> None:
        chosen = self.region.code()
        self.region.blockSignals(True)
        self.region.refill()
        self.region.insertItem(0, _("Any region"), "")
        self.region.setCurrentIndex(max(self.region.findData(chosen), 0))
        self.region.blockSignals(False)

    def current_filter(self) -> ReturneeFilter:
        return replace(
            self.figure.figure_part(),
            occupation=str(self.occupation.currentData() or ""),
            region=self.region.code(),
            skill=self.skill.text(),
            language=self.language.text(),
        )

    def show_figure(self, flt: ReturneeFilter) -> None:
        """List the records a figure counts: its occupation group and region in their lists,
        its other conditions said above the list; the register's own filters emptied."""
        self.figure = flt
        for combo, code in ((self.occupation, flt.occupation), (self.region, flt.region)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(code), 0))
            combo.blockSignals(False)
        self.skill.clear()
        self.language.clear()
        self._say_figure()
        self.apply_filter()

    def clear_figure(self) -> None:
        """Back to the whole register: the figure's conditions go, with the occupation group
        and region it chose (one the user chose since stays)."""
        figure, self.figure = self.figure, ReturneeFilter()
        for combo, code in ((self.occupation, figure.occupation), (self.region, figure.region)):
            if code and combo.currentData() == code:
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
        self._say_figure()
        self.apply_filter()

    def _say_figure(self) -> None:
        flt = self.figure
        self.figure_row.setVisible(flt.from_figure)
        if not flt.from_figure:
            return
        said: list[str] = []
        if flt.undated:
            said.append(_("no day of return"))
        elif flt.returned_from or flt.returned_to:
            said.append(
                _("returned {start} – {end}").format(
                    start=format_date(flt.returned_from) if flt.returned_from else "…",
                    end=format_date(flt.returned_to) if flt.returned_to else "…",
                )
            )
        if flt.work_country:
            said.append(
                _("country of work: {country}").format(country=country_name(flt.work_country))
            )
        if flt.category:
            said.append(
                _("category: {category}").format(category=code_label(Category(flt.category)))
            )
        if flt.officer:
            said.append(_("officer: {name}").format(name=flt.officer))
        if flt.mission:
            said.append(_("mission: {code}").format(code=flt.mission))
        if flt.wants_referral:
            said.append(_("wanting a referral"))
        self.figure_note.setText(
            _("Behind a figure of the Reports: {conditions}").format(conditions=" · ".join(said))
        )

    def apply_filter(self) -> None:
        try:
            self.model.set_filter(self.current_filter())  # the summary follows its count
        except QorgauError as exc:
            show_error(self, exc)

    def refresh(self) -> None:
        """The register read again after it changed: its figures off the GUI thread (a third
        of a second at 40,000 records; a filter does not change them), the list at once."""
        self._figures_reader.submit([self.service.statistics])
        self.apply_filter()

    def _figures_arrived(self, figures: ReturneeStats) -> None:
        self.figures = figures
        self._update_summary()

    def _update_summary(self) -> None:
        total = self.model.total
        if self.model.loading:
            shown = _("Searching…")
        elif self.model.total_known:
            shown = ngettext("{n} returnee shown", "{n} returnees shown", total).format(
                n=format_number(total)
            )
        else:  # the first page is shown; its count follows from the background
            shown = _("{n}+ returnees shown, counting…").format(n=format_number(total))
        stats = self.figures
        if stats is None:  # on their way
            self.summary.setText(shown)
            return
        lang = current_language()
        countries = ", ".join(
            f"{country_name(c.key, lang)} {format_number(c.n)}" for c in stats.by_country[:5]
        )
        in_register = ngettext("{n} in the register", "{n} in the register", stats.total).format(
            n=format_number(stats.total)
        )
        by_country = _("by country of work: {list}").format(list=countries or "—")
        # Code and title, as the occupation filter and the report name them (the bare codes
        # meant nothing to a reader); semicolons between them, since a title may hold a comma.
        majors = "; ".join(
            f"{c.key} {isco.major_group_title(c.key, lang)}: {format_number(c.n)}"
            for c in stats.by_major_group
        )
        by_major = _("by ISCO-08 major group: {list}").format(list=majors or "—")
        self.summary.setText(f"{shown} · {in_register} · {by_country} · {by_major}")

    def _update_buttons(self) -> None:
        selected = self.selected_id()
        self._refusal = self.service.why_unchangeable(selected) if selected is not None else ""
        for button in (self.edit_button, self.withdraw_button):
            button.setEnabled(selected is not None and not self._refusal)
        self._say_refusal()
        self.export_button.setEnabled(self.model.total > 0 and not self._busy())

    def _say_refusal(self) -> None:
        """Why the selected record may not be changed, on its buttons (where it is not ours),
        in the language of the moment: the tooltip stayed in the old one after a switch."""
        for button in (self.edit_button, self.withdraw_button):
            button.setToolTip(plain_tooltip(say_again(self._refusal)))

    def _busy(self) -> bool:
        return self._task is not None and self._task.running

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return str(rows[0].data(Qt.ItemDataRole.UserRole)) if rows else None

    # -- actions --------------------------------------------------------------------------------

    def add_record(self) -> None:
        if ReturneeDialog(self, self.workspace).exec():
            self.refresh()

    def edit_record(self) -> None:
        record_id = self.selected_id()
        if record_id is None:
            return
        refusal = self.service.why_unchangeable(record_id)
        if refusal:  # a double click on another installation's record: said, not a dialog
            show_error(self, PermissionDenied(refusal))
            return
        try:
            record = self.service.get(record_id)
        except QorgauError as exc:
            show_error(self, exc)
            return
        if ReturneeDialog(self, self.workspace, record=record).exec():
            self.refresh()

    def ask_withdraw(self) -> QMessageBox | None:
        """The worker withdrew their consent: the record leaves the register and its exports."""
        record_id = self.selected_id()
        if record_id is None:
            return None
        row = self.service.get(record_id)
        return confirm(
            self,
            _("Consent withdrawn"),
            _(
                "{name} withdrew their consent to the returnees' register. The record leaves "
                "the register, its figures and every export. Go on?"
            ).format(name=row.full_name),
            lambda: self.withdraw(record_id),
            _("Consent withdrawn"),
        )

    def withdraw(self, record_id: str) -> BackgroundTask[object]:
        """Written off the GUI thread; the register is read again once it is."""
        service = self.service
        task: BackgroundTask[object] = BackgroundTask(
            self, lambda _context: service.withdraw_consent(record_id)
        )
        task.while_busy(self.withdraw_button)
        return task.success(lambda _done: self.refresh()).run_in_background()

    def export(self) -> None:
        path = save_path(
            self,
            _("Export the register"),
            "returnees-register.xlsx",
            _("Excel workbook (*.xlsx);;CSV (*.csv)"),
        )
        if path:
            self.export_to(path)

    def export_to(self, target: Path) -> BackgroundTask[tuple[int, int]]:
        """Write the register (the filter shown) off the GUI thread."""
        flt, lang = self.current_filter(), self.export_lang.currentData()
        service = self.service

        def work(_context: TaskContext) -> tuple[int, int]:
            written = service.export(target, flt, lang=lang)
            return written, service.count(flt) - written

        self._task = (
            BackgroundTask(self, work)
            .success(lambda counts: self._exported(target, *counts))
            .with_progress(_("Exporting the register…"))
            .run_in_background()
        )
        self._update_buttons()
        return self._task

    def _exported(self, target: Path, count: int, declined: int) -> None:
        self._update_buttons()
        self._wrote = (target, count, declined)
        self._say_written()

    def _say_written(self) -> None:
        if self._wrote is None:
            return
        target, count, declined = self._wrote
        wrote = ngettext("Wrote {path} ({n} record).", "Wrote {path} ({n} records).", count)
        said = wrote.format(path=target, n=format_number(count))
        if declined:
            # 40 shown and 23 written read as records lost: the file says why, the page too.
            left_out = ngettext(
                "{n} worker who declined a referral to an employment centre is left out.",
                "{n} workers who declined a referral to an employment centre are left out.",
                declined,
            )
            said = f"{said} {left_out.format(n=format_number(declined))}"
        self.written.setText(said)
        self.written.setToolTip(plain_tooltip(self.written.text()))
        self.written.show()

    # -- language -------------------------------------------------------------------------------

    def focus_search(self) -> None:
        """Ctrl+F here filters the register by skill, not the cases."""
        self.skill.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.skill.selectAll()

    def retranslate_ui(self) -> None:
        self.heading.setText(_("Returnees' register"))
        name_clear_button(self.skill)
        self.occupation_label.setText(_("&Occupation:"))
        self.region_label.setText(_("&Region:"))
        self.skill_label.setText(_("&Skill:"))
        self.language_label.setText(_("&Language:"))
        self.skill.setPlaceholderText(_("certificate or skill, then Enter"))
        self.language.setPlaceholderText("ko")
        self.add_button.setText(_("&Add returnee…"))
        self.edit_button.setText(_("&Edit…"))
        self.withdraw_button.setText(_("Consent &withdrawn…"))
        self.export_button.setText(_("E&xport for employment centres…"))
        self.export_lang_label.setText(_("Language of the &file:"))
        self.export_lang.setToolTip(
            _("Language of the register's headers, regions, occupations and countries")
        )
        self.clear_figure_button.setText(_("Clear the figure's filter"))
        self._say_refusal()
        self._say_figure()
        self._say_written()
        self._fill_occupations()
        self._fill_regions()
        self.model.retranslate()
        self._update_summary()
