"""The agreements browser: search and filters, an instrument's view, a host country's view."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.agreements import (
    InstrumentKind,
    InstrumentStatus,
    kind_label,
    kind_short_label,
    status_label,
)
from app.agreements.applicability import since_not_recorded
from app.agreements.library import RatificationEntry
from app.errors import QorgauError
from app.i18n import _, country_name, current_language, format_date
from app.services.agreements import NOTE_EDITORS, AgreementService, InstrumentInfo
from app.services.briefing import briefing_country, write_briefing
from app.services.changes import DataChanged
from app.services.workspace import Workspace
from ui.agreements.widgets import (
    ProvisionCard,
    SourceLabel,
    VerifiedBadge,
    source_html,
    top_items,
    verified_text,
)
from ui.changes import refresh_when_shown
from ui.i18n_bridge import LANGUAGE_NAMES, LanguageBridge
from ui.palette import ERROR_TEXT
from ui.tasks import BackgroundTask, TaskContext, show_error
from ui.widgets.changed_meanwhile import ChangedMeanwhileBar
from ui.widgets.columns import ColumnFit
from ui.widgets.common import (
    STRETCH,
    keep_whole_width,
    name_clear_button,
    push_button,
    widget_row,
    word_wrapped,
)
from ui.widgets.country_combo import CountryCombo
from ui.widgets.file_dialogs import in_documents
from ui.widgets.flow import FlowLayout
from ui.widgets.plain import plain_label, plain_tooltip
from ui.widgets.text_size import RECORD_TITLE, heading

UNVERIFIED_COLOUR = QColor(ERROR_TEXT)
ID_ROLE = Qt.ItemDataRole.UserRole


def _date(value: object) -> str:
    return format_date(value) if isinstance(value, date) else "—"


def mark_unverified(item: QTreeWidgetItem, columns: int, verified: bool) -> None:
    """Colour and tool-tip a row whose instrument was not checked against an official text."""
    if verified:
        return
    for column in range(columns):
        item.setForeground(column, QBrush(UNVERIFIED_COLOUR))
        item.setToolTip(column, verified_text(False))


SHORT_COLUMN_WIDTH = 115  # wider kinds and statuses wrap: the titles need the room more
REASON_WIDTH = 150  # why an instrument applies in a host country, wrapped beside its name
COUNTRY_SHARE = 0.58  # of the area's width, the host country's tab while it is shown
# What the area shows: instruments (and the mission's notes on them), provisions, tables.
AGREEMENT_TABLES = ("agreement", "agreement_provision", "legal_table")


class InstrumentView(QWidget):
    """Everything about one instrument, and the mission's own notes on it."""

    def __init__(self, service: AgreementService, can_edit_notes: bool) -> None:
        super().__init__()
        self.service = service
        self.can_edit_notes = can_edit_notes
        self.instrument: InstrumentInfo | None = None
        self.title = word_wrapped(plain_label())
        heading(self.title, RECORD_TITLE)
        self.other_titles = word_wrapped(plain_label())
        self.badge = VerifiedBadge()
        self.facts = QFormLayout()
        self.kind = QLabel()
        self.status = QLabel()
        self.signed = QLabel()
        self.in_force = QLabel()
        self.parties = word_wrapped(plain_label())
        self.source = SourceLabel()
        self.source.setObjectName("instrument_source")
        self.note = word_wrapped(plain_label())
        for field in (self.kind, self.status, self.signed, self.in_force, self.parties):
            self.facts.addRow(QLabel(), field)
        self.facts.addRow(QLabel(), self.source)
        self.provisions_heading = QLabel()
        self.provisions_heading.setStyleSheet("font-weight: bold;")
        self.provisions_box = QVBoxLayout()
        self.no_provisions = QLabel()
        self.notes_heading = QLabel()
        self.notes_heading.setStyleSheet("font-weight: bold;")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("mission_notes")
        self.notes.setTabChangesFocus(True)  # Tab leaves the notes for Save, not a tab typed
        self.notes.setReadOnly(not can_edit_notes)
        self.notes.setMaximumHeight(120)
        self.save_notes = QPushButton()
        if not can_edit_notes:
            self.save_notes.hide()
        self.save_notes.clicked.connect(self._save_notes)
        self.notes_saved = QLabel()

        body = QWidget()
        layout = QVBoxLayout(body)
        for widget in (self.title, self.other_titles, self.badge):
            layout.addWidget(widget)
        layout.addLayout(self.facts)
        layout.addWidget(self.note)
        layout.addWidget(self.provisions_heading)
        layout.addLayout(self.provisions_box)
        layout.addWidget(self.no_provisions)
        layout.addWidget(self.notes_heading)
        layout.addWidget(self.notes)
        buttons = widget_row(self.save_notes, self.notes_saved, STRETCH)
        layout.addLayout(buttons)
        # Another desktop saved the instrument while its notes are being edited here.
        self.changed_meanwhile = ChangedMeanwhileBar()
        self.changed_meanwhile.reload_asked.connect(self._reload)
        layout.addWidget(self.changed_meanwhile)
        layout.addStretch(1)
        self.document_scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        keep_whole_width(scroll)  # a provision's theme tags are not cut behind a sideways bar
        QVBoxLayout(self).addWidget(scroll)
        self.cards: list[ProvisionCard] = []
        self.retranslate_ui()
        self.setEnabled(False)

    def retranslate_ui(self) -> None:
        labels = (_("Kind"), _("Status"), _("Signed"), _("In force"), _("Parties"), _("Source"))
        for row, text in enumerate(labels):
            item = self.facts.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                item.widget().setText(text)  # type: ignore[union-attr]
        self.provisions_heading.setText(_("Provisions"))
        self.no_provisions.setText(_("No provisions are recorded for this instrument yet."))
        self.notes_heading.setText(_("The mission's notes"))
        self.notes.setPlaceholderText(
            _("Practice, contacts, how the host authorities apply it…")
            if self.can_edit_notes
            else _("Only a consul or an administrator can edit these notes.")
        )
        self.save_notes.setText(_("Save notes"))
        if self.instrument is not None:
            self.show_instrument(self.instrument.id)

    def show_instrument(self, agreement_id: str) -> None:
        try:
            item = self.service.get(agreement_id)
        except QorgauError as exc:
            show_error(self, exc)
            return
        self.instrument = item
        self.setEnabled(True)
        self.title.setText(item.title)
        lang = current_language()
        self.other_titles.setText(
            "\n".join(text for code, text in item.titles.items() if code != lang)
        )
        self.badge.set_verified(item.verified)
        self.kind.setText(item.kind_label)
        self.status.setText(item.status_label)
        self.signed.setText(_date(item.signed_on))
        self.in_force.setText(
            _date(item.in_force_on) if item.in_force_date_known else _("not known")
        )
        self.parties.setTextFormat(Qt.TextFormat.RichText)
        self.parties.setOpenExternalLinks(True)
        if item.parties and item.ratifications:
            self.parties.setText(_party_days_html(item))
        elif item.parties:
            self.parties.setText(
                html.escape(", ".join(country_name(code) for code in item.parties))
            )
        else:
            self.parties.setText(_ratifications_html(item))
        self.source.set_source(item.source, item.checked_on)
        self.note.setText(item.note)
        self.note.setVisible(bool(item.note))
        for card in self.cards:
            self.provisions_box.removeWidget(card)
            card.deleteLater()
        self.cards = [ProvisionCard(provision) for provision in item.provisions]
        for card in self.cards:
            self.provisions_box.addWidget(card)
            card.show()  # not only after the next event loop turn
        self.no_provisions.setVisible(not self.cards)
        self.notes.setPlainText(item.mission_notes)
        self.notes_saved.setText("")
        self.changed_meanwhile.hide()

    @property
    def notes_edited(self) -> bool:
        return self.instrument is not None and (
            self.notes.toPlainText() != self.instrument.mission_notes
        )

    def reread(self, change: DataChanged) -> None:
        """The instrument as saved now (another user's notes, an HQ update), its place in
        the scroll kept; notes being edited here stay as typed, the bar offering a reload."""
        if self.instrument is None:
            return
        try:
            fresh = self.service.get(self.instrument.id)
        except QorgauError:
            return  # gone: the next action says so
        if fresh.version == self.instrument.version:
            return
        if self.notes_edited:
            self.changed_meanwhile.show_by(change.by)
            return
        bar = self.document_scroll.verticalScrollBar()
        kept = bar.value()
        self.show_instrument(fresh.id)
        bar.setValue(min(kept, bar.maximum()))

    def _reload(self) -> None:
        if self.instrument is not None:
            self.show_instrument(self.instrument.id)

    def _save_notes(self) -> BackgroundTask[InstrumentInfo] | None:
        """Written off the GUI thread; the notes wait for it."""
        if self.instrument is None:
            return None
        service, instrument_id, notes = self.service, self.instrument.id, self.notes.toPlainText()
        seen = self.instrument.version
        task: BackgroundTask[InstrumentInfo] = BackgroundTask(
            self,
            lambda _context: service.set_mission_notes(instrument_id, notes, expected_version=seen),
        )
        task.while_busy(self.notes, self.save_notes)
        return task.success(self._notes_saved).run_in_background()

    def _notes_saved(self, saved: InstrumentInfo) -> None:
        self.instrument = saved
        self.notes_saved.setText(_("Saved."))


def _party_days_html(item: InstrumentInfo) -> str:
    """A union's parties, each with the day the library records it was bound from (a state
    that acceded later was not bound from the union's own date), and where that is said."""
    lines = []
    for code in item.parties:
        entry = next((e for e in item.ratifications if e.state == code), None)
        if entry is None or entry.in_force_on is None:
            lines.append(html.escape(country_name(code)))
            continue
        said = _("{state}: bound from {date}").format(
            state=country_name(code), date=_date(entry.in_force_on)
        )
        lines.append(_with_its_source(said, entry))
    return "<br/>".join(lines)


def _ratifications_html(item: InstrumentInfo) -> str:
    """Each state's ratification (or known non-ratification) with its date and source."""
    if not item.ratifications:
        return html.escape(_("No ratification recorded."))
    lines = []
    for entry in item.ratifications:
        state = country_name(entry.state)
        if entry.ratified:
            text = _("{state}: ratified").format(state=state)
            if entry.ratified_on:
                text += " " + _date(entry.ratified_on)
            if entry.law:
                text += f" ({entry.law})"
        else:
            text = _("{state}: not ratified").format(state=state)
        lines.append(_with_its_source(text, entry))
    return "<br/>".join(lines)


def _with_its_source(text: str, entry: RatificationEntry) -> str:
    """One line of a ratification list: the text, "not verified" where so, and its source."""
    line = html.escape(text)
    if not entry.verified:
        line += " — " + html.escape(_("not verified"))
    if entry.source:
        line += " · " + source_html(entry.source)
    return line


class CountryView(QWidget):
    """What applies in a host country and why, and what is only being negotiated."""

    COLUMNS = 3
    sheet_written = Signal(str)

    def __init__(
        self, service: AgreementService, country: str, workspace: Workspace | None = None
    ) -> None:
        super().__init__()
        self.service = service
        self.workspace = workspace
        self.country = CountryCombo()
        self.country.set_code(country)
        self.country.currentIndexChanged.connect(self.refresh)
        # The briefing sheet for departing workers, of the country shown, in a chosen language.
        self.sheet_lang = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.sheet_lang.addItem(name, code)
        self.sheet_lang.setCurrentIndex(max(self.sheet_lang.findData(current_language()), 0))
        self.sheet_button = push_button(self.ask_briefing_sheet)
        if workspace is None:
            self.sheet_button.hide()
            self.sheet_lang.hide()
        self.sheet_task: BackgroundTask[str] | None = None
        self.sheet_warning = ""  # of the sheet last written
        self.sheet_status = word_wrapped(plain_label())
        self.sheet_written.connect(self._sheet_saved)
        self.intro = word_wrapped(QLabel())
        self.tree = QTreeWidget()
        self.tree.setColumnCount(self.COLUMNS)
        self.tree.setRootIsDecorated(True)
        self.tree_columns = ColumnFit(
            self.tree,
            "agreements_by_country",
            stretch=0,
            wrap=True,
            # The instrument's name and the reason share the pane: each as wide as the other
            # at most (at 230 pixels for the reason the name's long words were cut).
            max_width=REASON_WIDTH,
            min_stretch=REASON_WIDTH,
            # Too narrow for the three (at 150 % on a 1024 screen the tab has 312 pixels), the
            # verified column goes, as in the list beside: the instrument's name had 40
            # pixels in Kazakh, none of it readable. The rows' colour still says which are
            # unverified.
            optional=(2,),
        )
        layout = QVBoxLayout(self)
        # The country under its label where the pane is narrow: side by side they kept this
        # tab 349 pixels wide in Russian, and on a 1024-pixel screen at 150 % the list beside
        # it was left too little for its kind and status.
        top = FlowLayout(fill=True)
        self.country_label = QLabel()
        top.addWidget(self.country_label)
        top.addWidget(self.country)
        layout.addLayout(top)
        # The sheet's language and button on their own row: on one row with the country they
        # made this tab, and so the document beside the list, 530 pixels wide at the least in
        # Russian, and the list's titles wrapped to five lines at 1366 pixels.
        layout.addLayout(widget_row(self.sheet_lang, self.sheet_button, STRETCH))
        layout.addWidget(self.sheet_status)
        layout.addWidget(self.intro)
        layout.addWidget(self.tree, 1)
        self.applicable_root = QTreeWidgetItem()
        # Standards bind neither the host nor (as far as known) Kazakhstan, or Kazakhstan only:
        # never listed under "Applies".
        self.standards_root = QTreeWidgetItem()
        self.pending_root = QTreeWidgetItem()
        # Expired agreements bind no one; an older contract may date from their time.
        self.expired_root = QTreeWidgetItem()
        roots = [self.applicable_root, self.standards_root, self.pending_root, self.expired_root]
        self.tree.addTopLevelItems(roots)
        for root in roots:
            root.setFirstColumnSpanned(True)  # a group's heading across the row, not cut
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.country_label.setText(_("Host country:"))
        self.sheet_button.setText(_("Briefing sheet…"))
        self.sheet_button.setToolTip(
            _("A one- or two-page sheet for workers leaving for this country (PDF)")
        )
        self.sheet_lang.setToolTip(_("Language of the briefing sheet"))
        self.tree.setHeaderLabels([_("Instrument"), _("Why it applies"), _("Verified")])
        with QSignalBlocker(self.country):  # the country stays: read once, below
            self.country.refill()
        self.refresh()

    def refresh(self) -> None:
        code = self.country.code()
        self.applicable_root.takeChildren()
        self.standards_root.takeChildren()
        self.pending_root.takeChildren()
        self.expired_root.takeChildren()
        if not code:
            return
        try:
            applicable = self.service.applicable(code)
            pending = self.service.pending(code)
            expired = self.service.expired(code)
        except QorgauError as exc:
            show_error(self, exc)
            return
        self.intro.setText(
            _("A worker in {country} can rely on these instruments.").format(
                country=country_name(code)
            )
        )
        binding = [item for item in applicable if item.binding]
        standards = [item for item in applicable if not item.binding]
        self.applicable_root.setText(0, _("Applies ({count})").format(count=len(binding)))
        self.standards_root.setText(
            0,
            _("Standards and Kazakhstan's own law, not binding on the host ({count})").format(
                count=len(standards)
            ),
        )
        for item in applicable:
            why = item.basis_label
            if item.ratification_label:
                why = f"{why}: {item.ratification_label}"
            if not item.instrument.in_force_date_known:
                why = f"{why}; {item.instrument.status_label}"
            elif item.binds_from is not None:
                since = _("binding on the host since {date}").format(date=_date(item.binds_from))
                why = f"{why}; {since}"
            elif item.binding:
                why = f"{why}; {since_not_recorded()}"
            row = QTreeWidgetItem([item.instrument.title, why, self._verified(item.verified)])
            row.setData(0, ID_ROLE, item.instrument.id)
            mark_unverified(row, self.COLUMNS, item.verified)
            (self.applicable_root if item.binding else self.standards_root).addChild(row)
        self.pending_root.setText(
            0,
            _(
                "Not law: signed but not in force, under negotiation, planned, recommended or "
                "doubtful ({count})"
            ).format(count=len(pending)),
        )
        self._add_by_status(self.pending_root, pending)
        self.expired_root.setText(
            0, _("No longer law: expired ({count})").format(count=len(expired))
        )
        self.expired_root.setHidden(not expired)
        self._add_by_status(self.expired_root, expired)
        # The columns are the fit's (scheduled by the rows coming in): sized here too, the
        # reason's column counted as a width the user set, was kept over every later fit and
        # at every start, and the tree no longer followed the pane or the language.
        self.tree.expandAll()

    def _add_by_status(self, root: QTreeWidgetItem, instruments: Sequence[InstrumentInfo]) -> None:
        """Rows that say what an instrument is (its status), not why it applies."""
        for instrument in instruments:
            row = QTreeWidgetItem(
                [instrument.title, instrument.status_label, self._verified(instrument.verified)]
            )
            row.setData(0, ID_ROLE, instrument.id)
            mark_unverified(row, self.COLUMNS, instrument.verified)
            root.addChild(row)

    @staticmethod
    def _verified(verified: bool) -> str:
        return _("yes") if verified else _("no — to be checked")

    def ask_briefing_sheet(self) -> None:
        """Ask where to save the sheet of the country shown, then write it."""
        code, lang = self.country.code(), str(self.sheet_lang.currentData())
        try:
            briefing_country(code)
        except QorgauError as exc:
            show_error(self, exc)
            return
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Save the briefing sheet"),
            in_documents(f"briefing-{code}-{lang}.pdf"),
            _("PDF files (*.pdf)"),
        )
        if name:
            path = Path(name)
            self.write_briefing_sheet(path if path.suffix else path.with_suffix(".pdf"), lang)

    def write_briefing_sheet(self, path: Path, lang: str) -> BackgroundTask[str]:
        """Render and write the sheet of the country shown off the GUI thread."""
        assert self.workspace is not None
        workspace, code = self.workspace, self.country.code()

        def work(_context: TaskContext) -> str:
            return write_briefing(workspace, code, lang, path)

        self.sheet_button.setEnabled(False)
        self.sheet_status.clear()
        task: BackgroundTask[str] = BackgroundTask(self, work)
        task.with_progress(_("Preparing the briefing sheet…"))
        task.success(lambda warning: self._sheet_written(str(path), warning))
        task.finished.connect(lambda: self.sheet_button.setEnabled(True))
        self.sheet_task = task
        return task.run_in_background()

    def _sheet_written(self, path: str, warning: str) -> None:
        self.sheet_warning = warning
        self.sheet_written.emit(path)

    def _sheet_saved(self, path: str) -> None:
        saved = _("The briefing sheet was saved: {path}").format(path=path)
        self.sheet_status.setText(f"{saved}\n{self.sheet_warning}" if self.sheet_warning else saved)


class AgreementsPage(QWidget):
    """The library: a filtered list on the left, the chosen instrument or country on the right."""

    COLUMNS = 4

    def __init__(self, workspace: Workspace, bridge: LanguageBridge | None = None) -> None:
        super().__init__()
        self.service = AgreementService(workspace)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        self.kind = QComboBox()
        self.status = QComboBox()
        self.country = CountryCombo(any_text=_("Any country"))
        for combo in (self.kind, self.status, self.country):
            combo.currentIndexChanged.connect(self.refresh)
        self.list = QTreeWidget()
        self.list.setRootIsDecorated(False)
        self.list.setColumnCount(self.COLUMNS)
        # Titles differ only at their end ("…and the Government of the Republic of Korea on
        # …"): they wrap rather than being cut, and the short columns fit their contents.
        # Short of room the verified, status and kind columns narrow to their headers (their
        # words wrap onto more lines) before the title: at 150 % display scaling in Kazakh
        # the title had 55 pixels («Еу… эко…») beside three columns of up to 115.
        self.list_columns = ColumnFit(
            self.list,
            "agreements",
            stretch=0,
            wrap=True,
            max_width=SHORT_COLUMN_WIDTH,
            yields=(3, 2, 1),
            # Still too narrow (1024 pixels in Kazakh: the list has 406), the verified column
            # goes rather than a kind or a title being cut mid-word; the rows' colour, their
            # tooltips and the legend below still say which are unverified.
            # At 150 % on a 1024 screen the kind goes next: beside it the titles had some 65
            # pixels in Russian and broke mid-word («Соглаш… о пенсио…»). The document beside
            # the list names its kind, and the kind filter picks them.
            optional=(3, 1),
        )
        self.list.currentItemChanged.connect(self._chosen)
        self.count = QLabel()
        # Wraps rather than widen the window (in Russian it asked for 474 pixels on one line).
        self.legend = word_wrapped(QLabel())
        self.legend.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.legend.setObjectName("unverified_legend")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.search)
        # Kind and status on one row, the country under them: the three side by side kept the
        # list at least 526 pixels wide in Kazakh, and the page scrolled sideways at 125 %.
        # Narrower still, status goes under kind: the two kept 308 pixels in Kazakh, and on a
        # 1024-pixel screen at 150 % the page scrolled 84 pixels sideways.
        filters = FlowLayout(fill=True)
        filters.addWidget(self.kind)
        filters.addWidget(self.status)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.country)
        left_layout.addWidget(self.list, 1)
        bottom = widget_row(self.count)
        bottom.addWidget(self.legend, 1)  # the row's free width is the legend's to wrap in
        left_layout.addLayout(bottom)

        self.instrument_view = InstrumentView(self.service, workspace.actor.role in NOTE_EDITORS)
        self.country_view = CountryView(self.service, workspace.mission.country, workspace)
        self.country_view.tree.itemDoubleClicked.connect(self._open_from_country)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.instrument_view, "")
        self.tabs.addTab(self.country_view, "")
        self.splitter = splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)  # the list needs the width more than the document
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 450])
        # The host country's tree (document, grounds, verified, nested) cut every name in the
        # document's 410 pixels at 1366 («Конвенц…»): its tab takes the larger share, the
        # document's gives it back, until the person moves the divider herself.
        self.divider_moved = False
        splitter.splitterMoved.connect(self._divider_moved)
        self.tabs.currentChanged.connect(self._share_width)
        # Titled as the other areas are (Cases, Contract review): the page began with a search box.
        self.title = heading(QLabel())
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)
        if bridge is not None:
            bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()
        refresh_when_shown(self, workspace, AGREEMENT_TABLES, self._changed, scrolled=self.list)

    def _changed(self, change: DataChanged) -> None:
        self.refresh()  # the list, its chosen row kept
        self.instrument_view.reread(change)
        self.country_view.refresh()

    def _divider_moved(self) -> None:
        self.divider_moved = True

    def _share_width(self) -> None:
        if self.divider_moved:
            return
        total = sum(self.splitter.sizes())
        document = COUNTRY_SHARE if self.tabs.currentWidget() is self.country_view else 0.4
        self.splitter.setSizes([round(total * (1 - document)), round(total * document)])

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Agreements"))
        self.search.setPlaceholderText(_("Search titles, articles and summaries (Ctrl+F)"))
        name_clear_button(self.search)
        self._fill(self.kind, _("Any kind"), [(k.value, kind_label(k)) for k in InstrumentKind])
        self._fill(
            self.status, _("Any status"), [(s.value, status_label(s)) for s in InstrumentStatus]
        )
        self.country.set_any_text(_("Any country"))
        self.country.refill()
        self.list.setHeaderLabels([_("Title"), _("Kind"), _("Status"), _("Verified")])
        self.legend.setText(
            f'<span style="color: {UNVERIFIED_COLOUR.name()};">■</span> '
            + html.escape(verified_text(False))
        )
        self.tabs.setTabText(0, _("Instrument"))
        self.tabs.setTabText(1, _("Host country"))
        self.instrument_view.retranslate_ui()
        self.country_view.retranslate_ui()
        self.refresh()

    @staticmethod
    def _fill(combo: QComboBox, any_text: str, choices: list[tuple[str, str]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(any_text, "")
        for code, text in choices:
            combo.addItem(text, code)
        combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen else 0)
        # Never narrower than its "Any ..." text (which follows the language); the list that
        # opens is as wide as its longest choice anyway.
        combo.setMinimumWidth(combo.fontMetrics().horizontalAdvance(any_text) + 40)
        combo.blockSignals(False)

    def refresh(self) -> None:
        chosen = self.instrument_view.instrument.id if self.instrument_view.instrument else None
        try:
            items = self.service.list(
                country=self.country.code() or None,
                text=self.search.text(),
                kind=self.kind.currentData() or None,
                status=self.status.currentData() or None,
            )
        except QorgauError as exc:
            show_error(self, exc)
            return
        self.list.blockSignals(True)
        self.list.clear()
        for item in items:
            row = QTreeWidgetItem(
                [
                    item.title,
                    kind_short_label(item.kind),
                    item.status_label,
                    _("yes") if item.verified else _("no — to be checked"),
                ]
            )
            row.setData(0, ID_ROLE, item.id)
            mark_unverified(row, self.COLUMNS, item.verified)
            if row.text(1) != item.kind_label:  # the short form: the whole one on hovering
                row.setToolTip(1, "\n".join(filter(None, (item.kind_label, row.toolTip(1)))))
            tip = "\n".join(filter(None, (item.title, row.toolTip(0))))
            row.setToolTip(0, plain_tooltip(tip))
            self.list.addTopLevelItem(row)
            if item.id == chosen:
                self.list.setCurrentItem(row)
        self.list.blockSignals(False)
        self.count.setText(_("{count} instruments").format(count=len(items)))
        first = self.list.topLevelItem(0)
        if chosen is None and first is not None:
            # On opening, show the first instrument rather than an empty, greyed-out form.
            self.list.setCurrentItem(first)

    def rows(self) -> list[tuple[str, ...]]:
        """What the list shows, row by row (for tests and accessibility checks)."""
        return [tuple(row.text(c) for c in range(self.COLUMNS)) for row in top_items(self.list)]

    def select(self, agreement_id: str) -> None:
        for row in top_items(self.list):
            if row.data(0, ID_ROLE) == agreement_id:
                self.list.setCurrentItem(row)
                return
        self.instrument_view.show_instrument(agreement_id)
        self.tabs.setCurrentWidget(self.instrument_view)

    def _chosen(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        self.instrument_view.show_instrument(str(current.data(0, ID_ROLE)))
        self.tabs.setCurrentWidget(self.instrument_view)

    def _open_from_country(self, item: QTreeWidgetItem, _column: int) -> None:
        agreement_id = item.data(0, ID_ROLE)
        if agreement_id:
            self.select(str(agreement_id))


__all__ = ["AgreementsPage", "CountryView", "InstrumentView"]
