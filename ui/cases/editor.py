"""The case editor: the worker, the complaint and its handling; timeline and attachments beside.

Ctrl+S saves, Esc closes (asking first when something is unsaved). A rule the service refuses
is shown beside the field it is about; nothing is written until every rule holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import taxonomy
from app.domain.codes import CaseStatus, Channel, Urgency, label
from app.domain.outcome import LargeRecoveryWarning
from app.domain.roles import CASE_WORKERS, SENIOR_ROLES
from app.domain.workflow import RETURNEE_FROM_STATUSES, is_open
from app.errors import QorgauError, ValidationError
from app.i18n import N_, _, current_language, format_date, ngettext, pgettext
from app.services.cases import CaseService, DuplicatePersonWarning
from app.services.changes import DataChanged
from app.services.letters import LetterService
from app.services.organisations import OrganisationService
from app.services.people import PersonService
from app.services.records import CaseChanges, CaseDetail, CaseFilter, CaseInput, CaseRow
from app.services.returnees import ReturneeService
from app.services.subject_access import READERS, SubjectAccessExport, export_subject_access
from app.services.workspace import Workspace
from ui.agreements.case_panel import ApplicableLawPanel
from ui.cases.attachments import AttachmentsPanel
from ui.cases.claims import ClaimsEditor
from ui.cases.letters_tab import CaseLettersPanel
from ui.cases.org_picker import OrganisationPicker
from ui.cases.outcome import OutcomeFields
from ui.cases.person_form import EARLIER_SHOWN, PersonForm, as_input
from ui.cases.referrals_tab import CaseReferralsPanel
from ui.cases.timeline import TimelinePanel
from ui.changes import listen_to_changes
from ui.icons import icon
from ui.models.case_table_model import DEADLINE_SHAPES, deadline_label
from ui.palette import DEADLINE_COLOURS, NEUTRAL_BADGE, ON_ACCENT
from ui.private_temp import PrivateTempFolder
from ui.tasks import BackgroundTask, LatestOnly, TaskContext, refusal_text, show_refusal
from ui.widgets.busy import BusyIndicator
from ui.widgets.changed_meanwhile import ChangedMeanwhileBar
from ui.widgets.common import (
    CheckText,
    ErrorLabel,
    ask_save_changes,
    check_row,
    keep_narrow,
    lines_high,
    lines_tall,
    push_button,
    set_label,
    widget_row,
    word_wrapped,
)
from ui.widgets.country_combo import CountryCombo
from ui.widgets.dialogs import confirm
from ui.widgets.fields import CheckList, DateField, FieldBox
from ui.widgets.file_dialogs import in_documents
from ui.widgets.flow import FlowLayout
from ui.widgets.plain import plain_label, plain_tooltip
from ui.widgets.text_size import RECORD_TITLE, heading

if TYPE_CHECKING:
    from ui.partners.dialogs import ReferralDialog


OUTCOME_ROWS = ("documents_returned_on", "repatriated_on", "wages_recovered_amount")


def ask_large_recovery(parent: QWidget, text: str) -> bool:
    """Whether to save an amount recovered far above the claims (replaced in tests). No is
    the default: an extra zero is the likelier cause."""
    answer = QMessageBox.question(
        parent,
        _("A large amount recovered"),
        text,
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Save


# What the worker's form needs beside the tabs (its labels above its fields): with less, the
# Applicable law tab takes its short title.
FORM_ROOM = 320


def ask_unsaved(parent: QWidget) -> QMessageBox.StandardButton:
    """Save, Discard or Cancel for the case's unsaved changes (replaced in tests)."""
    return ask_save_changes(
        parent, _("Unsaved changes"), _("The case has unsaved changes. Save them?")
    )


def ask_unadded_entry(parent: QWidget) -> bool:
    """Whether to throw away a timeline entry typed and not added (replaced in tests).
    Cancel is the default: Enter pressed unread keeps the text."""
    answer = QMessageBox.question(
        parent,
        _("Entry not added"),
        _("The entry you typed has not been added to the timeline. Discard it?"),
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class CaseEditor(QWidget):
    case_saved = Signal(str)
    closed = Signal()
    review_requested = Signal(str)  # case id: open a contract review pre-filled from it
    letter_requested = Signal(str, str)  # case id, number: draft a letter for it
    skills_requested = Signal(str)  # case id: record the returnee's skills (issue 24)
    letter_opened = Signal(str)  # letter id: show it in the Letters area
    review_opened = Signal(str)  # review id: show the saved contract review
    case_requested = Signal(str)  # case id: a repeat visitor's earlier case, to open instead
    status_message = Signal(str)  # a confirmation for the window's status bar

    def __init__(
        self,
        workspace: Workspace,
        officers: list[tuple[str, str]],
        temp_folder: PrivateTempFolder | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = CaseService(workspace)
        # HQ's analysts read the missions' cases and change none of them (CASE_WORKERS).
        self.writable = workspace.actor.role in CASE_WORKERS
        self.case: CaseDetail | None = None
        self._dirty = False
        self._loading = False
        self.save_task: BackgroundTask[CaseDetail] | None = None
        self.last_save_ok = False
        self._confirmed_large_recovery = False  # the officer's word on the amount shown
        self.export_task: BackgroundTask[SubjectAccessExport] | None = None

        self._build_header()
        self._build_case_fields(officers)
        scroll = self._build_form()
        self._build_tabs(temp_folder)
        self._build_layout(scroll)
        self._connect()
        self.retranslate_ui()
        self.new_case()

    def _build_header(self) -> None:
        """The heading and status badge, the action buttons, the busy indicator, the error."""
        self.heading = word_wrapped(plain_label())  # shows a person's name: never markup
        heading(self.heading, RECORD_TITLE)
        # A long name must not widen the window: the heading wraps to the width it is given.
        # Cut with «…» instead, at 1024 pixels it read «Case SEL-2026-0010 — Құрманғали…».
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.heading.setMinimumWidth(200)
        self.badge = plain_label()
        self.badge_icon = QLabel()
        self.busy = BusyIndicator()
        self.save_button = push_button(self.save, icon("save"))
        self.close_button = push_button(self.request_close, icon("x"))
        self.review_button = push_button(self._request_review, icon("file-check"))
        self.letter_button = push_button(self._request_letter, icon("mail-plus"))
        self.refer_button = push_button(self._request_referral, icon("send"))
        self.error = ErrorLabel()
        # Another desktop saved the case while this form holds unsaved edits (HQ on a server).
        self.changed_meanwhile = ChangedMeanwhileBar()
        self.changed_meanwhile.reload_asked.connect(self._reload_changed_case)

    def _build_case_fields(self, officers: list[tuple[str, str]]) -> None:
        """The case's fields, each in a ``FieldBox`` that shows a refused rule beside it."""
        workspace = self.workspace
        self.person = PersonForm(PersonService(workspace))
        self.host_country = CountryCombo()
        self.received = DateField("received_at")
        self.channel = QComboBox()
        keep_narrow(self.channel, 16)  # Russian's longest way in made the form 253 wide
        self.urgency = QComboBox()
        self.at_risk = QCheckBox()
        # Its text on lines of its own: on the box, in Kazakh 290 pixels on one line, it
        # made the case's group wider than its pane at 1024 pixels.
        self.at_risk_text = CheckText(self.at_risk)
        senior = workspace.actor.role in SENIOR_ROLES
        self.employer = OrganisationPicker(
            OrganisationService(workspace, "employer"), "", can_watchlist=senior
        )
        self.agency = OrganisationPicker(
            OrganisationService(workspace, "agency"), "", can_watchlist=senior
        )
        for picker in (self.employer, self.agency):
            picker.combined.connect(self.status_message)
        self.due = DateField("due_date")
        self.officer = QComboBox()
        self.officer.addItem("", "")
        for username, name in officers:
            self.officer.addItem(name, username)
        self._officers_offered = self.officer.count()
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        lines_tall(self.description, 5, fixed=False)
        # Amounts claimed: letters demand exactly these (app.domain.claims).
        self.claims = ClaimsEditor()
        self.outcome = OutcomeFields(self)  # gone with the editor, not with a collection
        self.categories = CheckList()
        self.indicators = CheckList()
        for check_list in (self.categories, self.indicators):
            check_list.setMinimumHeight(lines_high(check_list, 13))  # 184 pixels at 9 pt
        self.boxes: dict[str, FieldBox] = {
            "host_country": FieldBox(self.host_country),
            "received_at": FieldBox(self.received, self.received.date),
            "channel": FieldBox(self.channel),
            "urgency": FieldBox(self.urgency),
            "employer": FieldBox(self.employer),
            "agency": FieldBox(self.agency),
            "due_date": FieldBox(self.due, self.due.date),
            "assigned_to": FieldBox(self.officer),
            "description": FieldBox(self.description),
            "claims": FieldBox(self.claims),
            "categories": FieldBox(self.categories),
            "ilo_indicators": FieldBox(self.indicators),
            **self.outcome.boxes,
        }

    def _build_form(self) -> QScrollArea:
        """The worker, the case and the complaint, one group each, in a scroll area."""
        self.export_button = push_button(self.ask_subject_access_export)
        self.person_box = QGroupBox()
        person_layout = QVBoxLayout(self.person_box)
        person_layout.addWidget(self.person)
        # A case over with the worker home: their skills for the returnees' register.
        self.skills_button = push_button(self._request_skills)
        person_layout.addWidget(self.skills_button, 0, Qt.AlignmentFlag.AlignRight)
        person_layout.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignRight)
        self.case_box = QGroupBox()
        self.case_form = QFormLayout(self.case_box)
        # A label goes above its field when the two do not fit side by side (kk and ru at
        # 1366×768 beside the timeline), instead of the form scrolling sideways.
        self.case_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for name in (
            "host_country",
            "received_at",
            "channel",
            "urgency",
            "employer",
            "agency",
            "due_date",
            "assigned_to",
            "description",
            "claims",
        ):
            self.case_form.addRow("", self.boxes[name])
            if name == "urgency":
                self.case_form.addRow("", check_row(self.at_risk, self.at_risk_text))
        self.complaint_box = QGroupBox()
        self.complaint_form = QFormLayout(self.complaint_box)
        self.complaint_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.complaint_form.addRow("", self.boxes["categories"])
        self.complaint_form.addRow("", self.boxes["ilo_indicators"])
        # What the mission achieved: below the complaint it answers, recorded as it happens.
        self.outcome_box = QGroupBox()
        self.outcome_form = QFormLayout(self.outcome_box)
        self.outcome_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for name in OUTCOME_ROWS:
            self.outcome_form.addRow("", self.boxes[name])

        form = QWidget()
        form_layout = QVBoxLayout(form)
        # No side margins: the groups' own frames set the form off, and at 150 % display
        # scaling the form beside the tabs has no pixel to spare.
        form_layout.setContentsMargins(0, 0, 0, 0)
        for box in (self.person_box, self.case_box, self.complaint_box, self.outcome_box):
            form_layout.addWidget(box)
        form_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(form)
        self.form_widget = form
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.form_scroll = scroll
        return scroll

    def _build_tabs(self, temp_folder: PrivateTempFolder | None) -> None:
        """Timeline, attachments, applicable law and letters beside the form."""
        self.timeline = TimelinePanel(self.service)
        self.timeline.case_changed.connect(self._case_changed_elsewhere)
        self.timeline.status_set.connect(self._status_set)
        self.timeline.link_activated.connect(self.open_link)
        self.attachments = AttachmentsPanel(self.service, temp_folder)
        self.attachments.case_changed.connect(self._case_changed_elsewhere)
        self.law_tab = QWidget()
        self.law_layout = QVBoxLayout(self.law_tab)
        self.law_layout.setContentsMargins(0, 0, 0, 0)
        self.law_panel: ApplicableLawPanel | None = None
        self._law_case_id: str | None = None  # whose law the tab shows once it is opened
        self.tabs = QTabWidget()
        self.short_law_title = False
        self.tabs.addTab(self.timeline, "")
        self.tabs.addTab(self.attachments, "")
        self.tabs.addTab(self.law_tab, "")
        self.letters = CaseLettersPanel(self.workspace)
        self.letters.letter_opened.connect(self._open_letter)
        self.letters_tab_index = self.tabs.addTab(self.letters, "")
        self.referrals_panel = CaseReferralsPanel(self.workspace)
        self.referrals_tab_index = self.tabs.addTab(self.referrals_panel, "")
        self.tabs.currentChanged.connect(lambda _index: self._fill_law_tab())
        # The tabs carry no icons: five titles with icons beside the form at 1366 pixels
        # (Kazakh, Russian) scrolled the Timeline's tab out of sight, or cut each to "…".
        # Without scroll buttons the bar asks for every title's width as its minimum, and the
        # splitter takes it from the form (whose labels go above their fields): with scroll
        # buttons the splitter gave the tabs less than their titles in a window a few pixels
        # under 1366 (Kazakh with a letter count, Russian), and the arrows hid one of them.
        self.tabs.tabBar().setUsesScrollButtons(False)

    def _build_layout(self, scroll: QScrollArea) -> None:
        # The tabs scroll on their own pane: stacked below the form on a small screen they
        # kept the timeline's whole height (277 pixels) and left the form 76, two fields at a
        # time. Beside the form the pane is as tall and wide as the tabs, and never scrolls.
        self.tabs_scroll = _TabsPane(self.tabs)
        self.tabs_scroll.setWidgetResizable(True)
        self.tabs_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tabs_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.splitter = QSplitter()
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.tabs_scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        # Start near half and half whatever the form's size hint (the scroll area caches it
        # early): at 1366×768 the form (its labels wrap above fields when short of room) and
        # the tabs (attachment dates, applicable law) both read whole.
        self.splitter.setSizes([535, 465])
        # Its height is what the window leaves: asked for its form's whole height (as a
        # window's scroll area asks a wrapped heading's layout), it made the editor taller
        # than the window, behind a second vertical scroll bar. Its least is kept by hand.
        self.splitter.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)

        # The heading (whose case it is) has a row of its own with the status badge; the
        # case's actions are a row below it. Beside five buttons it was cut to «SEL-2026-0012 …»
        # at 1366 pixels in Kazakh.
        top = widget_row(self.heading, self.badge_icon, self.badge)
        # The heading takes the free width: with a stretch beside it, its Ignored policy let
        # the layout squeeze it to nothing and the badge covered it.
        top.setStretchFactor(self.heading, 1)
        # Beside a heading wrapped to two lines the badge keeps its own height, on the first.
        for beside in (self.badge_icon, self.badge):
            top.setAlignment(beside, Qt.AlignmentFlag.AlignTop)
        # Each group of buttons wraps onto a second row when the editor is narrow: on one row
        # they made it 670 pixels wide in Russian, past a 1024-pixel screen at 150 %.
        case_actions = FlowLayout(one_row=True)
        for button in (self.review_button, self.letter_button, self.refer_button):
            case_actions.addWidget(button)
        form_actions = FlowLayout(one_row=True)
        for widget in (self.busy, self.save_button, self.close_button):
            form_actions.addWidget(widget)
        actions = QHBoxLayout()
        actions.addLayout(case_actions, 1)
        actions.addLayout(form_actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.error)
        layout.addWidget(self.changed_meanwhile)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        """Keys, the unsaved-changes marker, and news of writes made elsewhere."""
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        # What each key does is marked for translation; Help → Keyboard shortcuts shows it.
        save = QShortcut(QKeySequence.StandardKey.Save, self, self.save, context)
        save.setWhatsThis(N_("Save the case"))
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.request_close, context)
        close.setWhatsThis(N_("Close the case form"))
        self._watch_changes()
        # Another area (a letter issued, a review saved, an import) may change the open case.
        listen_to_changes(self, self.workspace, self._data_changed)
        self.host_country.currentIndexChanged.connect(self._country_changed)
        # A person picked for a new case: their cases held here, read off the GUI thread.
        db = self.workspace.db
        self._earlier_cases = LatestOnly(self, db.interrupt, resume=db.resume)
        self._earlier_cases.answered.connect(self._show_earlier_cases)
        self._earlier_cases.refused.connect(lambda exc: show_refusal(self, self.error, exc))
        self.person.person_chosen.connect(self._find_earlier_cases)
        self.person.case_link_activated.connect(self.case_requested)

    def _find_earlier_cases(self, person_id: str) -> None:
        if self.case is not None:
            return
        service, held = self.service, CaseFilter(person_id=person_id)

        def read() -> tuple[str, list[CaseRow], int]:
            latest = service.list_cases(held, limit=EARLIER_SHOWN)
            total = len(latest) if len(latest) < EARLIER_SHOWN else service.count_cases(held)
            return person_id, latest, total

        self._earlier_cases.submit([read])

    def _show_earlier_cases(self, _step: int, result: object) -> None:
        person_id, latest, total = cast(tuple[str, list[CaseRow], int], result)
        if self.case is None and self.person.person_id == person_id:  # still the one picked
            self.person.show_earlier_cases(latest, total)

    @property
    def held_elsewhere(self) -> str:
        """The mission that holds the open case when it is not this one: HQ transferred it
        away, and the copy here is kept to read. Empty at HQ and for a case held here."""
        return "" if self.case is None else self.service.held_elsewhere(self.case)

    @property
    def anonymised(self) -> bool:
        """The open case's personal data was taken by retention: it reads and changes no more."""
        return self.case is not None and self.case.anonymised_at is not None

    @property
    def can_write(self) -> bool:
        """A case worker's, on a case held here (at HQ a mission's case only reads) and not
        anonymised (``app.services.cases.refuse_anonymised``)."""
        case = self.case
        return self.writable and (
            case is None or (self.service.can_change(case) and case.anonymised_at is None)
        )

    def _set_read_only(self, read_only: bool) -> None:
        """No field takes input and no write is offered: every one was, and what was typed
        was refused only on Save. Again after each filling (the person form enables its
        fields as it shows a person); undone for the next case this user may change."""
        for box in (*self.boxes.values(), *self.person.boxes.values()):
            widget = box.widget
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(read_only)  # still selectable and copied
            else:
                widget.setEnabled(not read_only)
        self.at_risk.setEnabled(not read_only)
        self.outcome.set_enabled(not read_only)
        self.save_button.setVisible(not read_only)
        # To a case worker an anonymised case and a copy HQ transferred away show them
        # greyed, saying why (hidden, she would look for them; offered, they were refused
        # after the click).
        greyed = bool(self.writable and (self.anonymised or self.held_elsewhere))
        self.letter_button.setVisible(not read_only or greyed)
        self.refer_button.setVisible(
            (not read_only or bool(self.writable and self.anonymised))
            and not self.workspace.mission.is_hq
        )
        self.timeline.set_read_only(read_only)
        self.attachments.set_read_only(read_only)
        self.referrals_panel.set_read_only(read_only)

    # Texts -------------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        was_loading, self._loading = self._loading, True
        self.save_button.setText(_("&Save"))
        self.save_button.setToolTip(_("Save the case (Ctrl+S)"))
        self.close_button.setText(_("Close"))
        self.close_button.setToolTip(_("Back to the list (Esc)"))
        self.person_box.setTitle(_("The worker"))
        self.case_box.setTitle(_("The case"))
        self.complaint_box.setTitle(_("The complaint"))
        self.outcome_box.setTitle(_("The outcome"))
        for name, text in zip(
            OUTCOME_ROWS,
            (_("Documents returned:"), _("Repatriated:"), _("Wages recovered:")),
            strict=True,
        ):
            set_label(self.outcome_form, self.boxes[name], text)
        self.outcome.retranslate_ui()
        labels = {
            # Filled in with the mission's country and seldom changed: in English its Y went to
            # Employer, whose E to Save a copy and Undo (23 letters for 24 controls).
            "host_country": pgettext("case form", "Host country:"),
            "received_at": _("&Received on:"),
            "channel": _("Reached us by:"),
            "urgency": _("&Urgency:"),
            "employer": _("Emplo&yer:"),
            "agency": _("Recruit&ment agency:"),
            "due_date": _("&Follow up by:"),
            "assigned_to": _("Assigned &to:"),
            "description": _("&Description:"),
            "claims": _("Amounts claimed:"),
        }
        for name, text in labels.items():
            set_label(self.case_form, self.boxes[name], text)
        self.claims.retranslate_ui()
        self.at_risk_text.setText(_("Life or liberty at risk"))
        set_label(self.complaint_form, self.boxes["categories"], _("Categories:"))
        set_label(
            self.complaint_form,
            self.boxes["ilo_indicators"],
            _("ILO indicators\nof forced labour:"),
        )
        self.due.setToolTip(_("Leave empty to use the usual time for the case's urgency."))
        self.officer.setItemText(0, _("— nobody yet —"))
        self._fill_combo(self.channel, [(c.value, label(c)) for c in Channel])
        self._fill_combo(self.urgency, [(u.value, label(u)) for u in Urgency])
        self.categories.set_items((c.code.value, c.label()) for c in taxonomy.categories())
        self.indicators.set_items((i.code.value, i.label()) for i in taxonomy.ilo_indicators())
        self.host_country.refill()
        self.employer.retranslate_ui()
        self.agency.retranslate_ui()
        self.employer.kind_label = _("New employer")
        self.agency.kind_label = _("New recruitment agency")
        self.person.retranslate_ui()
        self.received.retranslate_ui()
        self.due.retranslate_ui()
        self.timeline.retranslate_ui()
        self.attachments.retranslate_ui()
        self.tabs.setTabText(0, _("Timeline"))
        self.tabs.setTabText(1, _("Attachments"))
        self.tabs.setTabText(2, self._law_tab_title())
        self.tabs.setTabText(self.letters_tab_index, self._letters_tab_title())
        self.letters.retranslate_ui()
        self.referrals_panel.retranslate_ui()
        # No count in the title (as Letters has): beside four others it would not fit.
        self.tabs.setTabText(self.referrals_tab_index, _("Referrals"))
        self._enable_case_tabs()
        self.review_button.setText(_("Revie&w contract"))
        self.letter_button.setText(_("New &letter"))
        self.refer_button.setText(_("Refer to a &partner…"))
        self._offer_case_actions()
        self.skills_button.setText(_("Record skills on return…"))
        self.skills_button.setToolTip(
            _("Record the worker's occupation and skills for the returnees' register")
        )
        self.export_button.setText(_("Subject access e&xport…"))
        self.export_button.setToolTip(
            _(
                "Everything held about this worker, their cases and who saw them: "
                "a PDF to hand over, or JSON with the files"
            )
        )
        if self.law_panel is not None:
            self.law_panel.retranslate_ui()
        self._show_heading()
        self._fit_panes()  # the form's and the titles' widths follow the language
        self._loading = was_loading

    @staticmethod
    def _fill_combo(combo: QComboBox, items: list[tuple[str, str]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for code, text in items:
            combo.addItem(text, code)
        combo.setCurrentIndex(max(combo.findData(chosen), 0))
        combo.blockSignals(False)

    def _show_heading(self) -> None:
        case = self.case
        self.skills_button.setVisible(self._can_record_skills())
        # A new review of a case held elsewhere could not be saved; its old ones open from
        # the timeline.
        self.review_button.setVisible(not self.held_elsewhere)
        # The `*` marks unsaved changes, as in Word and Excel.
        marker = " *" if self._dirty else ""
        if case is None:
            self.heading.setText(_("New case") + marker)
            self.badge.clear()
            self.badge.hide()
            self.badge_icon.clear()
            return
        self.badge.show()
        if case.anonymised_at is not None:
            # Else "Case SEL-2024-0001 —" over empty fields: never recorded, or taken away?
            self.heading.setText(
                _("Case {number} — anonymised on {date}").format(
                    number=case.number, date=format_date(case.anonymised_at.astimezone().date())
                )
                + marker
            )
            self.heading.setToolTip(
                _(
                    "Retention anonymised this case some years after it ended: its person's "
                    "data, texts and documents are gone; what the statistics count stays."
                )
            )
        else:
            self.heading.setText(
                _("Case {number} — {name}").format(number=case.number, name=case.person.full_name)
                + marker
            )
            self.heading.setToolTip(plain_tooltip(self.heading.text()))
        holder = self.held_elsewhere
        if holder:
            # Its status and deadline are the holder's now; this copy stopped at the transfer.
            self.badge.setText(_("Handled by {code} · read only").format(code=holder))
            self.badge.setToolTip(
                _(
                    "Headquarters transferred this case to {code}. The copy here is kept to "
                    "read and can no longer be changed; {code} handles the case."
                ).format(code=holder)
            )
            self.badge.setStyleSheet(
                f"color: {ON_ACCENT}; background: {NEUTRAL_BADGE}; border-radius: 8px; "
                "padding: 2px 10px;"
            )
            self.badge_icon.clear()
            return
        self.badge.setToolTip("")
        status = CaseStatus(case.status)
        parts = [label(status)]
        ended = case.closed_at or case.resolved_at
        if not is_open(status):
            # The day it ended: "Closed · due 26.11.2026" read as a deadline still running.
            if ended:
                parts.append(format_date(ended.astimezone().date()))
        elif case.due_date:
            parts.append(_("due {date}").format(date=format_date(case.due_date)))
        # The deadline in words too (and a shape in the list): colour alone says nothing to
        # an officer who cannot tell red from green.
        late = deadline_label(case.deadline) if case.deadline in ("amber", "red") else None
        escalated_at = case.escalated_at if is_open(status) else None
        if escalated_at is not None:  # overdue, and said so to the head of section: that word
            parts.append(_("escalated"))
            self.badge.setToolTip(
                _(
                    "Escalated to the head of section on {date}, the deadline having passed. "
                    "A new due date or a change of status ends it."
                ).format(date=format_date(escalated_at.astimezone().date()))
            )
        elif late:
            parts.append(late)
        colour = DEADLINE_COLOURS.get(case.deadline, NEUTRAL_BADGE)
        self.badge.setText(" · ".join(parts))
        self.badge.setStyleSheet(
            f"color: {ON_ACCENT}; background: {colour}; border-radius: 8px; padding: 2px 10px;"
        )
        shape = DEADLINE_SHAPES.get(case.deadline)
        self.badge_icon.setPixmap(
            icon(shape, colour).pixmap(18, 18) if shape and late else QPixmap()
        )

    # Loading -----------------------------------------------------------------------------

    def _watch_changes(self) -> None:
        for combo in (self.host_country, self.channel, self.urgency, self.officer):
            combo.currentIndexChanged.connect(self._mark_dirty)
        for edit in (self.received, self.due):
            edit.textEdited.connect(self._mark_dirty)
        self.at_risk.toggled.connect(self._mark_dirty)
        self.description.textChanged.connect(self._mark_dirty)
        self.claims.changed.connect(self._mark_dirty)
        self.outcome.changed.connect(self._mark_dirty)
        for widget in (self.categories, self.indicators, self.employer, self.agency, self.person):
            widget.changed.connect(self._mark_dirty)

    @property
    def dirty(self) -> bool:
        """True while the form holds changes not yet saved: shown as `*` and an enabled Save."""
        return self._dirty

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self._dirty = value
        self.save_button.setEnabled(value)
        self._show_heading()

    def _mark_dirty(self) -> None:
        if self.can_write and not self._loading and not self._dirty:
            self.dirty = True

    def _country_changed(self) -> None:
        if not self._loading:
            code = self.host_country.code()
            self.employer.load(code)
            self.agency.load(code)

    def new_case(self) -> None:
        """Empty form for a new case in the mission's host country."""
        self._loading = True
        self.case = None
        self.outcome_box.hide()  # recorded once the case exists and something is achieved
        self.person.show_anonymised(None)
        self.person.start_new()
        self.person.show_find(True)
        self.host_country.set_code(self.workspace.mission.country)
        self._set_read_only(not self.writable)
        self.received.set_date(date.today())
        self.channel.setCurrentIndex(0)
        self.urgency.setCurrentIndex(self.urgency.findData(Urgency.NORMAL.value))
        self.at_risk.setChecked(False)
        self.employer.load(self.host_country.code(), "")
        self.agency.load(self.host_country.code(), "")
        self.due.set_date(None)
        self._show_officer(self.workspace.actor.username)
        self.officer.setEnabled(self.writable)
        self.description.setPlainText("")
        self.claims.set_claims([])
        self.outcome.show_case(None)
        self.categories.set_checked(())
        self.indicators.set_checked(())
        self.received.setEnabled(self.writable)
        self._clear_errors()
        self.timeline.set_case(None)
        self.attachments.set_case(None)
        self._show_law(None)
        self._show_heading()
        self._loading = False
        self.dirty = False
        if not self.writable:
            self._set_read_only(True)
        self.person.boxes["surname"].widget.setFocus()

    def open_case(self, case_id: str) -> None:
        self.show_case(self.service.get_case(case_id))

    def focus_form_start(self) -> None:
        """The worker's surname has the focus and the form shows from its top: a case opened
        from the list kept the focus where the last case had it (the categories at the form's
        foot, scrolled to), and Tab went on from there."""
        self.form_scroll.verticalScrollBar().setValue(0)
        self.person.boxes["surname"].widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_case(self, case: CaseDetail) -> None:
        self._loading = True
        self.case = case
        self._confirmed_large_recovery = False
        self.outcome_box.show()
        self.changed_meanwhile.hide()  # the form shows the case as saved now
        self._set_read_only(not self.can_write)
        self.person.person_id = None
        anonymised = case.anonymised_at
        self.person.show_anonymised(anonymised.astimezone().date() if anonymised else None)
        self.person.set_person(case.person, locked=False)
        self.person.show_find(False)
        self.host_country.set_code(case.host_country)
        self.received.set_date(case.received_at)
        self.received.setEnabled(False)  # the register's date is not edited afterwards
        self.channel.setCurrentIndex(max(self.channel.findData(case.channel), 0))
        self.urgency.setCurrentIndex(max(self.urgency.findData(case.urgency), 0))
        self.at_risk.setChecked(case.life_or_liberty_at_risk)
        self.employer.load(case.host_country, case.employer.id if case.employer else "")
        self.agency.load(case.host_country, case.agency.id if case.agency else "")
        self.due.set_date(case.due_date)
        self._show_officer(case.assigned_to, keep=True)
        self.officer.setEnabled(self.can_write and self.workspace.actor.role in SENIOR_ROLES)
        self.description.setPlainText(case.description)
        self.claims.set_claims(list(case.claims))
        self.outcome.show_case(case)
        self.categories.set_checked(case.categories)
        self.indicators.set_checked(case.ilo_indicators)
        self._clear_errors()
        self.timeline.set_case(case)
        self.attachments.set_case(case)
        self._show_law(case.id)
        self._show_heading()
        self._loading = False
        self.dirty = False
        if not self.can_write:
            self._set_read_only(True)
        # Its person may be another case's: nothing typed here may reach them.
        self.person.setEnabled(case.anonymised_at is None)

    def _show_law(self, case_id: str | None) -> None:
        """The applicable-law panel belongs to one case. It is built, or read again, when its
        tab is shown: built with every case opened it held the GUI thread 70 ms of the 100
        a case took to open at 100k cases, for a tab most openings never look at."""
        self._law_case_id = case_id
        if self.law_panel is not None and self.law_panel.case_id != case_id:
            self.law_layout.removeWidget(self.law_panel)
            self.law_panel.deleteLater()  # never another case's law, even for a moment
            self.law_panel = None
        self._fill_law_tab()
        has_case = case_id is not None
        self._enable_case_tabs()
        self.letters.set_case(case_id)
        self.tabs.setTabText(self.letters_tab_index, self._letters_tab_title())
        self.referrals_panel.set_case(case_id)
        self._offer_case_actions()
        # An anonymised case's worker is no one here: their own export is made from a case
        # that still names them (``app.services.subject_access``).
        self.export_button.setVisible(has_case and not self.anonymised)
        self.export_button.setEnabled(self._can_export())

    def _refuse_letter_held_elsewhere(self) -> None:
        """New letter, on a copy HQ transferred away: greyed, its tooltip naming the mission
        that writes the case's letters now."""
        case = self.case
        if case is None or not self.held_elsewhere:
            return
        try:
            refusal = LetterService(self.workspace).new_letter_refusal(case.id)
        except QorgauError as exc:  # the case went meanwhile: nothing to write for
            refusal = str(exc)
        if refusal:
            self.letter_button.setEnabled(False)
            self.letter_button.setToolTip(refusal)

    def _enable_case_tabs(self) -> None:
        """The tabs that hang off a saved case, disabled for a new one and saying why: an
        enabled Attachments tab offered a new case an Add button that could not work."""
        has_case = self.case is not None
        why = "" if has_case else _("Available once the case is saved")
        for index in (1, 2, self.letters_tab_index, self.referrals_tab_index):
            self.tabs.setTabEnabled(index, has_case)
            self.tabs.setTabToolTip(index, why)
        if has_case and self.short_law_title:
            self.tabs.setTabToolTip(2, _("Applicable law"))

    def _law_tab_title(self) -> str:
        return pgettext("case tab", "Law") if self.short_law_title else _("Applicable law")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit_panes()

    def _form_width(self) -> int:
        """The least width the form takes without scrolling sideways."""
        scroll = self.form_scroll
        inner = self.form_widget.minimumSizeHint().width()
        return inner + scroll.verticalScrollBar().sizeHint().width() + 2 * scroll.frameWidth()

    def _fit_panes(self) -> None:
        """The tabs below the form while the two do not fit side by side, and the Applicable
        law tab's short title (the whole one in its tooltip) while the whole one would leave
        the form beside them less than ``FORM_ROOM``. At 150 % display scaling the five
        titles took 527 of the editor's 780 pixels in Kazakh; on a 1024-pixel screen they
        took 427 of 590, and beside them the worker's form scrolled sideways."""
        bar = self.tabs.tabBar()
        metrics = bar.fontMetrics()
        shown, whole = bar.tabText(2), _("Applicable law")
        shortest = metrics.horizontalAdvance(pgettext("case tab", "Law"))
        others = self.tabs.minimumSizeHint().width() - metrics.horizontalAdvance(shown)
        width = self.splitter.width()
        stacked = width < self._form_width() + others + shortest + self.splitter.handleWidth()
        orientation = Qt.Orientation.Vertical if stacked else Qt.Orientation.Horizontal
        self.tabs_scroll.stacked = stacked
        self.tabs_scroll.updateGeometry()
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            # Side by side near half and half, as at first; stacked, the form the most.
            self.splitter.setSizes([700, 300] if stacked else [535, 465])
        self.splitter.setMinimumHeight(self.splitter.minimumSizeHint().height())
        beside = 0 if stacked else FORM_ROOM
        short = width < others + metrics.horizontalAdvance(whole) + beside
        if short != self.short_law_title:
            self.short_law_title = short
            self.tabs.setTabText(2, self._law_tab_title())
            self._enable_case_tabs()

    def _fill_law_tab(self) -> None:
        if self.tabs.currentWidget() is not self.law_tab or self._law_case_id is None:
            return
        if self.law_panel is not None:
            self.law_panel.refresh()
            return
        self.law_panel = ApplicableLawPanel(
            self.workspace, self._law_case_id, writable=self.can_write
        )
        self.law_layout.addWidget(self.law_panel)

    def _letters_tab_title(self) -> str:
        count = self.letters.model.rowCount()
        return _("Letters ({n})").format(n=count) if count else _("Letters")

    def open_link(self, kind: str, target: str) -> None:
        """A timeline entry's link: the letter, review or attachment it describes."""
        if kind == "attachment":
            self.tabs.setCurrentWidget(self.attachments)
            if not self.attachments.open_attachment(target):
                self.error.show_message(_("The attachment was removed from the case."))
        elif kind == "letter":
            self._open_letter(target)
        elif kind == "review" and self.confirm_saved():
            self.review_opened.emit(target)

    def _open_letter(self, letter_id: str) -> None:
        if self.confirm_saved():
            self.letter_opened.emit(letter_id)

    def _offer_case_actions(self) -> None:
        """Review, letter and referral, each enabled for a saved case that may change, and
        saying why when greyed.

        A review is kept with the case, so only who may change the case makes one. At HQ
        the analyst was offered it, typed the contract's terms into a form with no Save, and
        lost them: greyed, its tooltip says who may (the saved ones open from the timeline).
        An anonymised case offered all three, and refused a letter only after the click."""
        may = self.case is not None and self.can_write
        for button in (self.review_button, self.letter_button, self.refer_button):
            button.setEnabled(may)
        if self.anonymised:
            why = anonymised_actions_text()
            for button in (self.review_button, self.letter_button, self.refer_button):
                button.setToolTip(why)
            return
        self.review_button.setToolTip(
            _("Review the worker's employment contract for this case")
            if self.can_write
            else _(
                "Contracts are reviewed at the mission that handles the case, by its "
                "attachés, consuls and administrator. Reviews saved there open from the "
                "timeline."
            )
        )
        self.letter_button.setToolTip(_("Draft an official letter about this case"))
        self._refuse_letter_held_elsewhere()
        self.refer_button.setToolTip(
            _("Refer the worker to a partner organisation: a shelter, a lawyer, an NGO")
        )

    def _request_review(self) -> None:
        if self.case is not None and self.confirm_saved():
            self.review_requested.emit(self.case.id)

    def _can_record_skills(self) -> bool:
        case = self.case
        return (
            case is not None
            and case.anonymised_at is None  # refused by the register (its worker is no one)
            and case.status in RETURNEE_FROM_STATUSES
            and not self.workspace.mission.is_hq
            and not self.held_elsewhere
            and self.workspace.actor.role in CASE_WORKERS
        )

    def _status_set(self, status: str) -> None:
        self._offer_outcome(status)
        self._ask_about_return(status)

    def _offer_outcome(self, status: str) -> QMessageBox | None:
        """Once a case is resolved with nothing achieved on record, offer to record it: the
        statistics count only what the form holds, and the fields sit at the form's foot."""
        case = self.case
        if status != CaseStatus.RESOLVED.value or case is None or not self.can_write:
            return None
        if case.has_outcome:
            return None
        self.outcome_offer = confirm(
            self,
            _("The case is resolved"),
            _(
                "Record the outcome? Documents returned, repatriation and wages recovered "
                "count in the mission's reports."
            ),
            self.show_outcome,
            _("Record the outcome"),
            no_text=_("Not now"),
        )
        return self.outcome_offer

    def show_outcome(self) -> None:
        """The outcome's fields in view, the first one focused."""
        self.form_scroll.ensureWidgetVisible(self.outcome_box)
        # Scrolled down only: sideways it hid the labels, which say what each field is.
        self.form_scroll.horizontalScrollBar().setValue(0)
        # Once the question has closed: it gives the focus back to where it was as it goes.
        QTimer.singleShot(0, self.outcome.focus_first)

    def _ask_about_return(self, status: str) -> QMessageBox | None:
        """Once a case is closed, ask whether the worker came home: the returnees' register
        (issue 24) was reached only by a button at the foot of the worker's fields, and closing
        asked for a reason alone. Not asked when the case already has its record."""
        case = self.case
        if status != CaseStatus.CLOSED.value or case is None or not self._can_record_skills():
            return None
        if ReturneeService(self.workspace).for_case(case.id) is not None:
            return None
        self.return_box = confirm(
            self,
            _("The case is closed"),
            _(
                "Has the worker returned to Kazakhstan? With their consent, record the "
                "occupation and skills they gained abroad for the returnees' register."
            ),
            self._request_skills,
            _("Record skills…"),
            yes_default=False,
            # "Cancel" read as undoing the closing, which is written already.
            no_text=_("Not now"),
        )
        return self.return_box

    def _request_skills(self) -> None:
        if self.case is not None and self.confirm_saved():
            self.skills_requested.emit(self.case.id)

    def _request_letter(self) -> None:
        if self.case is not None and self.confirm_saved():
            self.letter_requested.emit(self.case.id, self.case.number)

    def _request_referral(self) -> ReferralDialog | None:
        """The referral is written on its own (the case's unsaved edits stay in the form);
        its timeline entry shows through the change signal (``_data_changed``)."""
        if self.case is None:
            return None
        from ui.partners import refer_case  # the area's module, loaded on first use

        case = self.case
        return refer_case(self, self.workspace, case.id, case.number, case.status)

    def _case_changed_elsewhere(self, case: CaseDetail) -> None:
        """A timeline entry or attachment saved: new version, status and lists; edits stay."""
        self._show_newer(case)
        self.case_saved.emit(case.id)

    def _show_newer(self, case: CaseDetail) -> None:
        """The case as written now; unsaved edits in the form stay as typed."""
        if self.dirty:
            self.case = case
            self.timeline.set_case(case)
            self.attachments.set_case(case)
            self._show_heading()
        else:
            self.show_case(case)

    def _data_changed(self, change: DataChanged) -> None:
        """Show what another part of the app wrote to the open case, keeping unsaved edits."""
        case = self.case
        if case is None or self.saving or not change.touches_case(case.id):
            return  # while our own save runs, its success shows the case as written
        try:
            fresh = self.service.get_case(case.id)
        except QorgauError:  # gone (transferred, deleted): the next action will say so
            return
        if change.touches("partner_referral"):  # made or its outcome recorded, here or not
            self.referrals_panel.refresh()
        if fresh == case:
            return  # our own save, already shown
        if change.from_elsewhere and self.dirty and fresh.version != case.version:
            # Kept as typed, and ``self.case`` keeps the version the edits began from: saving
            # now meets the version check instead of writing over the other user's change.
            self.changed_meanwhile.show_by(change.by)
            return
        self._show_newer(fresh)
        if change.touches("letter"):
            self.letters.refresh()
            self.tabs.setTabText(self.letters_tab_index, self._letters_tab_title())

    def _reload_changed_case(self) -> None:
        """The case as the other user saved it; the edits made here are dropped."""
        if self.case is None:
            return
        try:
            self.show_case(self.service.get_case(self.case.id))
        except QorgauError as exc:
            show_refusal(self, self.error, exc)

    # Saving ------------------------------------------------------------------------------

    def _clear_errors(self) -> None:
        self.error.clear_message()
        for box in self.boxes.values():
            box.error.clear_message()
        self.person.clear_messages()

    def show_validation(self, exc: QorgauError) -> None:
        field = getattr(exc, "field", None)
        if self.person.show_error(field, refusal_text(exc)):
            return
        box = self.boxes.get(field or "")
        if box is not None:
            box.error.show_message(refusal_text(exc))
            box.widget.setFocus()
            return
        self.error.show_message(refusal_text(exc))

    @property
    def saving(self) -> bool:
        """True while a save runs on a pool thread (the form is disabled meanwhile)."""
        return self.save_task is not None and self.save_task.running

    def save(self) -> BackgroundTask[CaseDetail] | None:
        """Start writing the form off the GUI thread, the form disabled and "Saving…" shown.

        None when nothing starts: a rule refused here (shown beside its field) or a save
        already under way, so a double click or a second Ctrl+S saves once. On success the
        form shows the saved case and ``case_saved`` is emitted, on the GUI thread; a refusal
        by the service is shown as before (its field focused)."""
        if self.saving or not self.can_write:  # Ctrl+S from a reader: nothing to write
            return None
        self._clear_errors()
        self.last_save_ok = False
        if not all(box.run_check() for box in self.boxes.values()):
            return None
        try:
            write = self._create_write() if self.case is None else self._update_write(self.case)
        except ValidationError as exc:
            self.show_validation(exc)
            return None
        task: BackgroundTask[CaseDetail] = BackgroundTask(self, lambda _context: write())
        task.while_busy(
            self.splitter,
            self.save_button,
            self.review_button,
            self.letter_button,
            indicator=self.busy,
            text=_("Saving…"),
        )
        task.success(self._saved).failure(self._save_failed)
        self.save_task = task
        return task.run_in_background()

    def save_and_wait(self) -> bool:
        """Save and return whether it worked, for a caller that goes on only then (closing
        the form): the window keeps processing events while the write waits."""
        task = self.save_task if self.saving else self.save()
        if task is None:
            return False
        task.wait_finished()
        return self.last_save_ok

    def _saved(self, detail: CaseDetail) -> None:
        self.last_save_ok = True
        self.show_case(detail)
        self.case_saved.emit(detail.id)
        # Ctrl+S leaves no other trace on screen: the officer is told it worked.
        self.status_message.emit(_("Saved: case {number}.").format(number=detail.number))

    def _save_failed(self, exc: BaseException) -> None:
        self.last_save_ok = False
        if isinstance(exc, LargeRecoveryWarning):
            self.show_validation(exc)
            if ask_large_recovery(self, str(exc)):
                self._confirmed_large_recovery = True
                self.save()
        elif isinstance(exc, DuplicatePersonWarning):
            self.person.show_duplicates(list(exc.matches), offer_force=True)
            self.error.show_message(_("Check whether the worker is already on file."))
            self.person.focus_duplicates()
        elif isinstance(exc, ValidationError):
            self.show_validation(exc)
        else:
            show_refusal(self, self.error, exc)  # anything unexpected is logged in full

    def _create_write(self) -> Callable[[], CaseDetail]:
        """The new case read from the form here; the returned write runs on a pool thread."""
        received = self.received.date()
        if received is None:
            raise ValidationError(_("Give the date the complaint was received."), "received_at")
        picked = self.person.person_id
        data = CaseInput(
            host_country=self.host_country.code(),
            categories=self.categories.checked(),
            received_at=received,
            person=None if picked else self.person.person_input(),
            person_id=picked,
            # Its contact and consent fields as typed here (a new phone abroad).
            person_update=self.person.person_input() if picked else None,
            employer_id=self.employer.selected_id(),
            agency_id=self.agency.selected_id(),
            urgency=str(self.urgency.currentData()),
            life_or_liberty_at_risk=True if self.at_risk.isChecked() else None,
            channel=str(self.channel.currentData()),
            description=self.description.toPlainText(),
            due_date=self.due.date(),
            assigned_to=str(self.officer.currentData() or "") or None,
            ilo_indicators=self.indicators.checked(),
            claims=tuple(self.claims.claims()),
        )
        service, allow_duplicate = self.service, self.person.allow_duplicate
        return lambda: service.create_case(data, allow_duplicate_person=allow_duplicate)

    def _show_officer(self, username: str | None, keep: bool = False) -> None:
        """``username`` chosen among the officers. With ``keep``, an officer no longer offered
        (revoked, or another mission's before a transfer) is shown as an entry of its own:
        shown as "nobody", any save by a consul took the case from her unasked."""
        while self.officer.count() > self._officers_offered:
            self.officer.removeItem(self.officer.count() - 1)
        index = self.officer.findData(username or "")
        if index < 0 and keep and username:
            self.officer.addItem(
                _("{user} (no longer an officer here)").format(user=username), username
            )
            index = self.officer.count() - 1
        self.officer.setCurrentIndex(max(index, 0))

    def _update_write(self, case: CaseDetail) -> Callable[[], CaseDetail]:
        """The changes read from the form here; the returned write runs on a pool thread."""
        changes = self._changes(case)
        officer = str(self.officer.currentData() or "") or None
        reassign = officer != case.assigned_to and self.workspace.actor.role in SENIOR_ROLES
        service = self.service

        def write() -> CaseDetail:
            detail = case
            if changes != CaseChanges():
                detail = service.update_case(case.id, changes, expected_version=case.version)
            if reassign:
                detail = service.assign(case.id, officer)
            return detail

        return write

    def _changes(self, case: CaseDetail) -> CaseChanges:
        changes = CaseChanges()
        country = self.host_country.code()
        if country != case.host_country:
            changes = replace(changes, host_country=country)
        if set(self.categories.checked()) != set(case.categories):
            changes = replace(changes, categories=self.categories.checked())
        if set(self.indicators.checked()) != set(case.ilo_indicators):
            changes = replace(changes, ilo_indicators=self.indicators.checked())
        if self.urgency.currentData() != case.urgency:
            changes = replace(changes, urgency=str(self.urgency.currentData()))
        if self.channel.currentData() != case.channel:
            changes = replace(changes, channel=str(self.channel.currentData()))
        if self.at_risk.isChecked() != case.life_or_liberty_at_risk:
            changes = replace(changes, life_or_liberty_at_risk=self.at_risk.isChecked())
        if self.description.toPlainText() != case.description:
            changes = replace(changes, description=self.description.toPlainText())
        claims = tuple(self.claims.claims())
        if claims != tuple(case.claims):
            changes = replace(changes, claims=claims)
        due = self.due.date()
        if due != case.due_date:
            changes = replace(changes, due_date=due, clear_due_date=due is None)
        employer = self.employer.selected_id()
        if employer != (case.employer.id if case.employer else None):
            changes = replace(changes, employer_id=employer, clear_employer=employer is None)
        agency = self.agency.selected_id()
        if agency != (case.agency.id if case.agency else None):
            changes = replace(changes, agency_id=agency, clear_agency=agency is None)
        person = self.person.person_input()
        if person != as_input(case.person):
            changes = replace(changes, person=person)
        return self.outcome.changes(case, changes, self._confirmed_large_recovery)

    # Subject access --------------------------------------------------------------------

    def _can_export(self) -> bool:
        return (
            self.case is not None and not self.anonymised and self.workspace.actor.role in READERS
        )

    def ask_subject_access_export(self) -> None:
        """Ask where to write the worker's subject access export, then write it."""
        case = self.case
        if case is None:
            return
        if self.dirty:
            answer = ask_unsaved(self)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save and not self.save_and_wait():
                return
        pdf_filter = _("PDF to hand to the worker (*.pdf)")
        json_filter = _("JSON with the files (*.json)")
        name, chosen = QFileDialog.getSaveFileName(
            self,
            _("Subject access export"),
            in_documents(f"subject-access-{case.number.replace('/', '-')}.pdf"),
            f"{pdf_filter};;{json_filter}",
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in (".pdf", ".json"):
            path = path.with_name(path.name + (".json" if chosen == json_filter else ".pdf"))
        self.export_subject_access(path)

    def export_subject_access(self, path: Path) -> BackgroundTask[SubjectAccessExport]:
        """Write the export of the case's worker to ``path`` off the GUI thread."""
        assert self.case is not None
        workspace, person_id, lang = self.workspace, self.case.person.id, current_language()

        def work(_context: TaskContext) -> SubjectAccessExport:
            return export_subject_access(workspace, path, person_id=person_id, lang=lang)

        self.export_button.setEnabled(False)
        task: BackgroundTask[SubjectAccessExport] = BackgroundTask(self, work)
        task.with_progress(_("Preparing the subject access export…"))
        task.success(lambda export: self._exported(path, export))
        task.finished.connect(lambda: self.export_button.setEnabled(self._can_export()))
        self.export_task = task
        return task.run_in_background()

    def _exported(self, path: Path, export: SubjectAccessExport) -> None:
        cases = sum(len(p.get("cases", ())) for p in export.persons)
        summary = ngettext(
            "The worker's data and {n} case were written to:",
            "The worker's data and {n} cases were written to:",
            cases,
        ).format(n=cases)
        text = f"{summary}\n{path}"
        if export.warning:
            text += f"\n\n{export.warning}"
        QMessageBox.information(self, _("Subject access export"), text)

    # Closing -----------------------------------------------------------------------------

    def confirm_saved(self) -> bool:
        """True when the case's changes may be left: nothing unsaved, saved now, or discarded.

        A save under way is awaited first: the form is not closed under a running write."""
        if self.save_task is not None:
            self.save_task.wait_finished()
        if not self.dirty:
            return True
        answer = ask_unsaved(self)
        if answer == QMessageBox.StandardButton.Save:
            return self.save_and_wait()
        if answer == QMessageBox.StandardButton.Discard:
            self.dirty = False
            return True
        return False

    def confirm_close(self) -> bool:
        """True when the editor may close or show another case: its changes saved or
        discarded (``confirm_saved``), and a timeline entry typed and not added discarded on
        the officer's word: Esc threw it away unasked."""
        if not self.confirm_saved():
            return False
        if self.timeline.typed_entry():
            if not ask_unadded_entry(self):
                return False
            self.timeline.text.clear()
        return True

    def request_close(self) -> None:
        if self.confirm_close():
            self.closed.emit()


def anonymised_actions_text() -> str:
    """Why an anonymised case's actions are greyed."""
    return _(
        "The case was anonymised at the end of the retention period: no review, letter or "
        "referral is made for it, and nothing is added to it."
    )


class _TabsPane(QScrollArea):
    """The case's tabs on a pane of their own. Beside the form it is as wide and tall as the
    tabs need (it never scrolls); stacked below the form it asks for their titles and a few
    lines only, the rest of them a scroll away, and the form keeps the height."""

    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__()
        self.tabs = tabs
        self.stacked = False
        self.setWidget(tabs)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        least = self.tabs.minimumSizeHint()
        if not self.stacked:
            return least
        # Beside its scroll bar, which takes its width from the tabs'.
        width = least.width() + self.verticalScrollBar().sizeHint().width()
        lines = 4 * self.fontMetrics().lineSpacing()
        return QSize(width, min(least.height(), self.tabs.tabBar().sizeHint().height() + lines))
