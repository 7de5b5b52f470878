"""The contract-review form: the terms in sections, findings updated live, save and export.

Every field may stay empty ("not stated"): an attaché often has only part of a contract. The
terms are checked and reviewed by the service while the officer types (debounced); nothing
is stored until Save.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.contracts.report import LEVEL_COLOURS, RISK_COLOURS, rule_label, text_on
from app.contracts.rules import ReviewResult
from app.contracts.terms import PASSPORT_HOLDERS, RETURN_TICKET_PAYERS, WAGE_PERIODS
from app.domain import taxonomy
from app.errors import QorgauError, ValidationError
from app.i18n import LANGUAGES, N_, _, current_language
from app.letters import PrintedPdf
from app.os_errors import os_error_reason
from app.reports.export import replace_file
from app.services.contracts import (
    REVIEWERS,
    ContractReviewInfo,
    ContractReviewService,
    ReviewSubject,
    level_label,
    risk_label,
)
from app.services.legal_tables import SUBJECT_RULES
from app.services.workspace import Workspace
from ui.i18n_bridge import LANGUAGE_NAMES
from ui.palette import ERROR_TEXT
from ui.tasks import (
    BackgroundTask,
    OneWriteAtATime,
    TaskContext,
    refusal_text,
    show_error,
    show_refusal,
)
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import (
    STRETCH,
    ErrorLabel,
    ask_save_changes,
    keep_whole_width,
    labels_above_when_narrow,
    push_button,
    widget_row,
    word_wrapped,
)
from ui.widgets.country_combo import CountryCombo
from ui.widgets.fields import DateField
from ui.widgets.file_dialogs import in_documents
from ui.widgets.flow import FlowLayout
from ui.widgets.language_combo import LanguageCombo
from ui.widgets.plain import plain_label
from ui.widgets.text_size import application_font_watch, heading, text_scale

DEBOUNCE_MS = 350
# Side by side, the fields and the findings need this much at the usual text size (more at a
# larger one); in a narrower page the findings go below the fields. Beside the fields in a
# 1024-pixel window the findings kept 315 pixels, their reasons 52 wide, one word a line.
FIELDS_ROOM = 380
FINDINGS_ROOM = 560
FINDINGS_LINES = 10  # the findings' table below the fields is at least this many lines tall
# The finding's subject takes at most this share of the table's width, wrapped: on one line
# Kazakh's longest took half of it and cut the reasons' and citations' words short.
SUBJECT_SHARE = 0.2
COMMON_CURRENCIES = ("", "USD", "EUR", "RUB", "KZT", "TRY", "KRW", "AED", "QAR", "SAR", "GBP")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _decimal_text(text: str) -> str | None:
    """A number as typed ("12 000,50") in the form the terms parser reads ("12000.50")."""
    cleaned = "".join(text.split()).replace("\u00a0", "").replace(",", ".")
    return cleaned or None


class _TriState(QComboBox):
    """Not stated / yes / no."""

    def __init__(self) -> None:
        super().__init__()
        for value in (None, True, False):
            self.addItem("", value)

    def value(self) -> bool | None:
        data = self.currentData()
        return data if isinstance(data, bool) else None

    def set_value(self, value: bool | None) -> None:
        self.setCurrentIndex({None: 0, True: 1, False: 2}[value])

    def retranslate(self) -> None:
        for index, text in enumerate((_("not stated"), _("yes"), _("no"))):
            self.setItemText(index, text)


class _Choice(QComboBox):
    """Not stated, or one of the codes."""

    def __init__(self, codes: tuple[str, ...], labels: Callable[[], dict[str, str]]) -> None:
        super().__init__()
        self._labels = labels
        self.addItem("", None)
        for code in codes:
            self.addItem(code, code)

    def value(self) -> str | None:
        data = self.currentData()
        return str(data) if data else None

    def set_value(self, value: str | None) -> None:
        self.setCurrentIndex(max(self.findData(value) if value else 0, 0))

    def retranslate(self) -> None:
        labels = self._labels()
        self.setItemText(0, _("not stated"))
        for index in range(1, self.count()):
            self.setItemText(index, labels.get(str(self.itemData(index)), ""))


class _Count(QSpinBox):
    """A whole number; the lowest value means "not stated"."""

    def __init__(self, maximum: int) -> None:
        super().__init__()
        self.setRange(-1, maximum)
        self.setValue(-1)

    def value_or_none(self) -> int | None:
        return None if self.value() < 0 else self.value()

    def retranslate(self) -> None:
        self.setSpecialValueText(_("not stated"))


def _period_labels() -> dict[str, str]:
    return {
        "hour": _("per hour"),
        "day": _("per day"),
        "week": _("per week"),
        "month": _("per month"),
        "year": _("per year"),
    }


def _holder_labels() -> dict[str, str]:
    return {"worker": _("the worker"), "employer": _("the employer"), "agency": _("the agency")}


def _payer_labels() -> dict[str, str]:
    return {"employer": _("the employer"), "worker": _("the worker"), "none": _("nobody")}


# The form's sections, in order, each a list of fields (named as ContractTerms names them).
_SECTIONS: tuple[tuple[str, ...], ...] = (
    (
        "host_country",
        "case",
        "worker",
        "employer_name",
        "position",
        "workplace",
        "signed_on",
    ),
    ("wage_amount", "wage_currency", "wage_period", "deductions_described", "deductions_percent"),
    ("hours_per_week", "overtime_paid"),
    ("rest_days_per_week", "paid_leave_days_per_year"),
    ("housing_provided", "meals_provided", "insurance_provided"),
    (
        "passport_held_by",
        "recruitment_fee_paid_by_worker",
        "recruitment_fee_currency",
        "return_ticket_paid_by",
    ),
    ("contract_language", "contract_language_understood", "signed_copy_held"),
    ("term_months", "probation_months", "termination_clause_present", "dispute_clause_present"),
)


def ask_unsaved_review(parent: QWidget) -> QMessageBox.StandardButton:
    """Save, Discard or Cancel for a review's terms typed and not saved (replaced in tests)."""
    return ask_save_changes(
        parent, _("Unsaved changes"), _("The contract review has unsaved terms. Save the review?")
    )


class ContractReviewPage(QWidget):
    """A new contract review, standalone or for a case; ``review_saved`` after Save."""

    review_saved = Signal(str)
    findings_updated = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = ContractReviewService(workspace)
        self.subject = ReviewSubject()
        self.saved: ContractReviewInfo | None = None
        self.result: ReviewResult | None = None
        self.unsaved = False  # terms typed since the review began or was saved
        self._file_dialog: QFileDialog | None = None

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh_findings)

        self._build_fields()
        self._build_results()
        self._build_layout()
        self._connect_changes()
        self.retranslate_ui()
        self.start(self.service.walk_in_subject())

    # -- building -----------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self._create_field_widgets()
        self.sections: list[tuple[QGroupBox, QFormLayout, list[tuple[str, QWidget]]]] = []
        self.field_labels: dict[str, QLabel] = {}
        for names in _SECTIONS:
            rows = [(name, self._field_widget(name)) for name in names]
            box = QGroupBox()
            form = QFormLayout(box)
            for name, widget in rows:
                label = QLabel()
                label.setBuddy(widget)
                self.field_labels[name] = label
                form.addRow(label, widget)
            # Every field goes under its label where the pane is narrower than the two, the
            # longest labels wrapped: beside them («Удержания (процент от заработной платы):»)
            # the page scrolled 69 pixels sideways in Russian at 150 % on a 1024 screen.
            labels_above_when_narrow(form, box)
            self.sections.append((box, form, rows))

    def _field_widget(self, name: str) -> QWidget:
        """The widget of a field in _SECTIONS: the attribute of that name (case and worker
        are labels)."""
        widget = getattr(self, {"case": "case_label", "worker": "worker_label"}.get(name, name))
        assert isinstance(widget, QWidget)
        return widget

    def _create_field_widgets(self) -> None:
        """One widget per field of the terms, each an attribute named as the field."""
        self.host_country = CountryCombo(any_text="")
        self.case_label = plain_label()
        self.worker_label = plain_label()
        self.employer_name = QLineEdit()
        self.position = QLineEdit()
        self.workplace = QLineEdit()
        # Typed as every other date (01.03.2026, 1 Mar 2026, 01032026) or picked: it asked
        # for ISO, and refused a date written the way the case form takes it.
        self.signed_on = DateField("signed_on")
        self.wage_amount = QLineEdit()
        self.wage_currency = self._currency_combo()
        self.wage_period = _Choice(WAGE_PERIODS, _period_labels)
        self.deductions_described = _TriState()
        self.deductions_percent = QLineEdit()
        self.hours_per_week = QLineEdit()
        self.overtime_paid = _TriState()
        self.rest_days_per_week = _Count(7)
        self.paid_leave_days_per_year = _Count(366)
        self.housing_provided = _TriState()
        self.meals_provided = _TriState()
        self.insurance_provided = _TriState()
        self.passport_held_by = _Choice(PASSPORT_HOLDERS, _holder_labels)
        self.recruitment_fee_paid_by_worker = QLineEdit()
        self.recruitment_fee_currency = self._currency_combo()
        self.return_ticket_paid_by = _Choice(RETURN_TICKET_PAYERS, _payer_labels)
        self.contract_language = LanguageCombo()
        self.contract_language_understood = _TriState()
        self.signed_copy_held = _TriState()
        self.term_months = _Count(240)
        self.probation_months = _Count(240)
        self.termination_clause_present = _TriState()
        self.dispute_clause_present = _TriState()

    def _currency_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItems(list(COMMON_CURRENCIES))
        combo.setMaximumWidth(110)
        return combo

    def _build_results(self) -> None:
        self.risk_title = QLabel()
        self.risk_badge = QLabel()
        self.risk_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.risk_badge.setMinimumWidth(140)
        self.risk_reasons = word_wrapped(QLabel())
        self.error = ErrorLabel()
        self.outdated = word_wrapped(QLabel())
        self.outdated.setObjectName("outdated_figures")
        self.outdated.setStyleSheet(f"color: {ERROR_TEXT};")
        self.findings = QTableWidget(0, 4)
        self.findings.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.findings.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.findings.setWordWrap(True)
        self.findings.verticalHeader().hide()
        header = self.findings.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)  # set by _SubjectFit
        self.subject_fit = _SubjectFit(self.findings)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # The sources of the selected finding's references, as links (on demand).
        self.sources = word_wrapped(QLabel())
        self.sources.setObjectName("finding_sources")
        self.sources.setTextFormat(Qt.TextFormat.RichText)
        self.sources.setOpenExternalLinks(True)
        self.sources.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.findings.itemSelectionChanged.connect(self._show_sources)
        # Wrapped: on one line (271 pixels in Russian) it kept the findings' pane too wide
        # for a 1024 screen at 150 %, and the page scrolled sideways.
        self.indicators_title = word_wrapped(QLabel())
        self.indicators = word_wrapped(QLabel())
        self.status = word_wrapped(plain_label())
        self.new_button = push_button(self.start_walk_in)
        self.save_button = push_button(self.save)
        # HQ checks a contract's findings; reviews are kept by the missions that hold cases
        # (Save was offered at HQ and refused when pressed).
        self.can_save = self.service.ws.actor.role in REVIEWERS
        if not self.can_save:
            self.save_button.hide()
        self.busy = BusyIndicator()
        self.report_language = QComboBox()
        for code in LANGUAGES:
            self.report_language.addItem(LANGUAGE_NAMES[code], code)
        # The PDF in the officer's language unless they choose another: it was always Kazakh
        # first, and a Russian-speaking officer's export came out in Kazakh unnoticed.
        self.report_language.setCurrentIndex(LANGUAGES.index(current_language()))
        self.export_button = QPushButton()
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._ask_export_path)
        save = QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        save.setWhatsThis(N_("Save the contract review"))  # shown in Help → Keyboard shortcuts

    def _build_layout(self) -> None:
        fields = QWidget()
        column = QVBoxLayout(fields)
        for box, _form, _rows in self.sections:
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(fields)
        # The Kazakh labels made the form 34 pixels wider than its pane, cut at the right edge.
        keep_whole_width(scroll)
        self.fields_scroll = scroll

        reading = QWidget()
        read = QVBoxLayout(reading)
        read.setContentsMargins(0, 0, 0, 0)
        risk_row = widget_row(self.risk_title, self.risk_badge, STRETCH)
        read.addLayout(risk_row)
        read.addWidget(self.risk_reasons)
        read.addWidget(self.outdated)
        read.addWidget(self.error)
        read.addWidget(self.findings, 1)
        read.addWidget(self.sources)
        read.addWidget(self.indicators_title)
        read.addWidget(self.indicators)
        # The findings and what goes with them scroll, the buttons below them stay: with
        # them all at their least height below the fields, at 150 % on a 1024 screen the
        # fields kept 90 pixels, two of some thirty to type at a time.
        self.results_scroll = QScrollArea()
        self.results_scroll.setWidgetResizable(True)
        self.results_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.results_scroll.setWidget(reading)
        keep_whole_width(self.results_scroll)
        results = QWidget()
        right = QVBoxLayout(results)
        right.addWidget(self.results_scroll, 1)
        # On a second row where the pane is narrower than they are: on one row they kept the
        # page 1,028 pixels wide in Russian, and at 125 % display scaling it scrolled sideways.
        buttons = FlowLayout()
        for item in (
            self.new_button,
            self.save_button,
            self.report_language,
            self.export_button,
            self.busy,
        ):
            buttons.addWidget(item)
        # Its room kept while hidden, so that a save does not move the buttons to a new row.
        policy = self.busy.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.busy.setSizePolicy(policy)
        right.addLayout(buttons)
        # The review's fields and buttons wait for a save under way.
        self.writes: OneWriteAtATime[ContractReviewInfo] = OneWriteAtATime(
            self, self.fields_scroll, self.new_button, self.save_button, indicator=self.busy
        )
        right.addWidget(self.status)

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.fields_scroll)
        splitter.addWidget(results)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([470, 830])
        self.splitter = splitter
        self.share_panes = QTimer(self)
        self.share_panes.setSingleShot(True)
        self.share_panes.setInterval(0)
        self.share_panes.timeout.connect(self._share_panes)
        # Titled as the other areas are (Cases, Reports): the page began with the form.
        self.title = heading(QLabel())
        self.title.setContentsMargins(8, 8, 8, 0)  # the page's own margins are none
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)
        app = QCoreApplication.instance()
        if app is not None:  # the text size changed: the room the two panes need with it
            application_font_watch(app).changed.connect(self._arrange_panes)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._arrange_panes()

    @property
    def stacked(self) -> bool:
        return self.splitter.orientation() == Qt.Orientation.Vertical

    def _arrange_panes(self) -> None:
        """The findings below the fields while the page is narrower than the two need side by
        side: at 150 % text a 1024-pixel window gave the findings 230 pixels in Kazakh (their
        reasons 38 wide) and the page scrolled 43 sideways, a long label keeping the fields
        536 wide. The splitter's handle still moves the line between them."""
        stacked = self.width() < (FIELDS_ROOM + FINDINGS_ROOM) * text_scale()
        # Below the fields the table kept two lines of its findings' many, under the risk's
        # reasons and the indicators: it keeps room for a finding or two.
        lines = self.findings.fontMetrics().lineSpacing()
        self.findings.setMinimumHeight(FINDINGS_LINES * lines if stacked else 0)
        if stacked == self.stacked:
            return
        if not stacked:
            # Labels above their fields first: beside them, as the page's width had them,
            # they kept the fields' pane as wide as both (666 pixels in Kazakh at 150 %), and
            # the pane, never narrower, never gave them cause to go back above.
            for _box, form, _rows in self.sections:
                form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.splitter.setOrientation(
            Qt.Orientation.Vertical if stacked else Qt.Orientation.Horizontal
        )
        self.share_panes.start()  # once the fields' least width follows their labels

    def _share_panes(self) -> None:
        """Side by side the fields as at first (470 pixels, or their least); stacked, half the
        height each, the fields and the findings each scrolling."""
        splitter = self.splitter
        if self.stacked:
            height = splitter.height()
            splitter.setSizes([height // 2, height - height // 2])
        else:
            width = splitter.width() - splitter.handleWidth()
            fields = max(self.fields_scroll.minimumWidth(), 470)
            splitter.setSizes([fields, width - fields])

    def _connect_changes(self) -> None:
        for _box, _form, rows in self.sections:
            for _name, widget in rows:
                if isinstance(widget, QLineEdit):
                    widget.textChanged.connect(self._changed)
                elif isinstance(widget, QComboBox):
                    widget.currentIndexChanged.connect(self._changed)
                    if widget.isEditable():
                        widget.editTextChanged.connect(self._changed)
                elif isinstance(widget, QSpinBox):
                    widget.valueChanged.connect(self._changed)

    # -- texts --------------------------------------------------------------------------------

    def retranslate_ui(self, _language: str = "") -> None:
        self.title.setText(_("Contract review"))
        titles = (
            _("Parties"),
            _("Pay"),
            _("Working hours"),
            _("Leave and rest"),
            _("Housing, meals and insurance"),
            _("Documents and fees"),
            _("Language and copies"),
            _("Term, termination and disputes"),
        )
        labels = self._field_labels()
        for (box, _form, rows), title in zip(self.sections, titles, strict=True):
            box.setTitle(title)
            for name, widget in rows:
                self.field_labels[name].setText(labels[name])
                if isinstance(widget, _TriState | _Choice | _Count):
                    widget.retranslate()
        self.host_country.set_any_text(_("choose the country"))
        self.host_country.refill()
        self.wage_amount.setPlaceholderText(_("e.g. 12000"))
        self.contract_language.refill()
        self.signed_on.retranslate_ui()
        self.signed_on.setToolTip(
            _(
                "The review applies the host country's figures valid on this date "
                "(today's if empty)."
            )
        )
        self.risk_title.setText(_("Risk:"))
        self.findings.setHorizontalHeaderLabels(
            [_("Subject"), _("Assessment"), _("Reason"), _("References")]
        )
        self.indicators_title.setText(_("ILO indicators of forced labour:"))
        self.new_button.setText(_("&New review"))
        self.save_button.setText(_("&Save review"))
        self.export_button.setText(_("E&xport PDF…"))
        self.report_language.setToolTip(_("Language of the PDF report"))
        self._update_export()
        self._show_subject()
        self.refresh_findings()

    @staticmethod
    def _field_labels() -> dict[str, str]:
        return {
            "host_country": _("Host countr&y:"),
            "case": _("Case:"),
            "worker": _("Worker:"),
            "employer_name": _("&Employer:"),
            "position": _("&Position:"),
            "workplace": _("Place of work:"),
            "signed_on": _("Contract date:"),
            "wage_amount": _("&Wage:"),
            "wage_currency": _("Currency:"),
            "wage_period": _("Paid:"),
            "deductions_described": _("Deductions described:"),
            "deductions_percent": _("Deductions (per cent of the wage):"),
            "hours_per_week": _("Hours &a week:"),
            "overtime_paid": _("Overtime paid:"),
            "rest_days_per_week": _("Rest days a week:"),
            "paid_leave_days_per_year": _("Paid leave, days a year:"),
            "housing_provided": _("Housing provided:"),
            "meals_provided": _("Meals provided:"),
            "insurance_provided": _("Insurance provided:"),
            "passport_held_by": _("Passport held &by:"),
            "recruitment_fee_paid_by_worker": _("Recruitment fee paid by the worker:"),
            "recruitment_fee_currency": _("Fee currency:"),
            "return_ticket_paid_by": _("Return ticket paid by:"),
            "contract_language": _("Contract language:"),
            "contract_language_understood": _("Worker understands it:"),
            "signed_copy_held": _("Worker holds a signed copy:"),
            "term_months": _("Term, months:"),
            "probation_months": _("Probation, months:"),
            "termination_clause_present": _("Termination clause:"),
            "dispute_clause_present": _("Dispute clause:"),
        }

    # -- the subject --------------------------------------------------------------------------

    def start(self, subject: ReviewSubject) -> None:
        """Begin a new review: empty, or pre-filled from a case."""
        self.subject = subject
        self.saved = None
        self.status.clear()
        self.clear_terms()
        self.host_country.set_code(subject.host_country)
        self.host_country.setEnabled(subject.case_id is None)
        self.employer_name.setText(subject.employer_name)
        self._show_subject()
        self.refresh_findings()
        self.unsaved = False
        self._update_export()

    def start_for_case(self, case_id: str) -> None:
        self.start(self.service.subject_for_case(case_id))

    def show_review(self, review_id: str) -> None:
        """Show a saved review (opened from a case's timeline): its terms and findings."""
        info = self.service.get(review_id)
        self.start(info.subject)
        for _box, _form, rows in self.sections:
            for name, widget in rows:
                value = getattr(info.terms, name, None)
                if name == "host_country" or value is None:
                    continue
                if isinstance(widget, _TriState | _Choice):
                    widget.set_value(value)
                elif isinstance(widget, DateField):
                    widget.set_date(value)
                elif isinstance(widget, _Count):
                    widget.setValue(int(value))
                elif isinstance(widget, LanguageCombo):
                    widget.set_code(str(value))
                elif isinstance(widget, QLineEdit):
                    widget.setText(str(value))
                elif isinstance(widget, QComboBox):
                    widget.setEditText(str(value))
        self.saved = info
        self.refresh_findings()
        self.unsaved = False
        self._update_export()

    def _show_subject(self) -> None:
        self.case_label.setText(self.subject.case_number or _("none (standalone review)"))
        self.worker_label.setText(self.subject.person_name or _("not recorded"))

    def clear_terms(self) -> None:
        for _box, _form, rows in self.sections:
            for name, widget in rows:
                if name == "host_country":
                    continue
                if isinstance(widget, QLineEdit):
                    widget.clear()
                elif isinstance(widget, _TriState | _Choice):
                    widget.set_value(None)
                elif isinstance(widget, _Count):
                    widget.setValue(-1)
                elif isinstance(widget, QComboBox):
                    widget.setCurrentIndex(0)
                    widget.setEditText("")

    # -- the terms ----------------------------------------------------------------------------

    def terms_data(self) -> dict[str, object]:
        """What the form says, as the terms JSON (fields left empty are not stated)."""
        data: dict[str, object | None] = {
            "employer_name": self.employer_name.text().strip() or None,
            "position": self.position.text().strip() or None,
            "workplace": self.workplace.text().strip() or None,
            "signed_on": _iso(self.signed_on.date()),  # ValidationError in the field's words
            "wage_amount": _decimal_text(self.wage_amount.text()),
            "wage_currency": self.wage_currency.currentText().strip() or None,
            "wage_period": self.wage_period.value(),
            "deductions_described": self.deductions_described.value(),
            "deductions_percent": _decimal_text(self.deductions_percent.text()),
            "hours_per_week": _decimal_text(self.hours_per_week.text()),
            "overtime_paid": self.overtime_paid.value(),
            "rest_days_per_week": self.rest_days_per_week.value_or_none(),
            "paid_leave_days_per_year": self.paid_leave_days_per_year.value_or_none(),
            "housing_provided": self.housing_provided.value(),
            "meals_provided": self.meals_provided.value(),
            "insurance_provided": self.insurance_provided.value(),
            "passport_held_by": self.passport_held_by.value(),
            "recruitment_fee_paid_by_worker": _decimal_text(
                self.recruitment_fee_paid_by_worker.text()
            ),
            "recruitment_fee_currency": self.recruitment_fee_currency.currentText().strip() or None,
            "return_ticket_paid_by": self.return_ticket_paid_by.value(),
            "contract_language": self.contract_language.code(),
            "contract_language_understood": self.contract_language_understood.value(),
            "signed_copy_held": self.signed_copy_held.value(),
            "term_months": self.term_months.value_or_none(),
            "probation_months": self.probation_months.value_or_none(),
            "termination_clause_present": self.termination_clause_present.value(),
            "dispute_clause_present": self.dispute_clause_present.value(),
        }
        return {key: value for key, value in data.items() if value is not None}

    def _changed(self, *_args: object) -> None:
        self.unsaved = True
        self._update_export()
        self.timer.start()

    def _update_export(self) -> None:
        """Export only what the form shows: at a mission the PDF is made from the saved review,
        so terms changed since the save must be saved first; HQ, which saves none, exports the
        findings of the terms shown, marked as not saved in a case."""
        stored = self.saved is not None and not self.unsaved
        self.export_button.setEnabled(stored or self._checked_here())
        if self._checked_here() and not stored:
            tip = _(
                "The findings shown as a PDF, marked as not saved in a case: headquarters "
                "keeps no reviews, the missions holding the cases do."
            )
        elif self.saved is not None and self.unsaved:
            tip = _("Save the review first: the PDF is made from the saved review.")
        else:
            tip = ""
        self.export_button.setToolTip(tip)

    def _checked_here(self) -> bool:
        """HQ's check with findings to print: no review is saved there to print from."""
        return not self.can_save and self.result is not None and bool(self.result.findings)

    def has_unsaved_work(self) -> bool:
        """What ``confirm_close`` would ask about, without asking."""
        return self.unsaved and self.can_save

    def confirm_close(self) -> bool:
        """True when the form may be emptied or left: nothing typed since the last save (or
        nothing a mission keeps: HQ saves no review), saved now, or discarded."""
        if self.writes.task is not None and self.writes.running:
            self.writes.task.wait_finished()
        if not self.unsaved or not self.can_save:
            return True
        answer = ask_unsaved_review(self)
        if answer == QMessageBox.StandardButton.Save:
            task = self.save()
            if task is not None:
                task.wait_finished()
            return not self.unsaved
        if answer == QMessageBox.StandardButton.Discard:
            self.unsaved = False
            self._update_export()
            return True
        return False

    def start_walk_in(self) -> None:
        """New review: a form for a contract brought in by a worker with no case."""
        if self.confirm_close():
            self.start(self.service.walk_in_subject())

    def refresh_findings(self) -> None:
        """Review the terms as they stand and show the findings (nothing is stored)."""
        self.timer.stop()
        country = self.host_country.code()
        if not country:
            self._show(None, _("Choose the host country to see the findings."))
            return
        try:
            data = self.terms_data()
        except ValidationError as exc:  # a contract date that is not one
            self._show(None, self._in_form_words(exc))
            return
        try:
            terms, result = self.service.preview(data, country, self.field_names())
        except ValidationError as exc:
            # One field left to fill (a wage with no currency yet) hid every finding, the
            # passport kept by the employer among them: the rest are shown beside the refusal.
            self._show(self._review_without(data, country, exc), self._in_form_words(exc))
            return
        reference = self.service.host_reference(terms)
        outdated = reference.outdated if reference is not None else ()
        lang = current_language()
        self.outdated.setText(
            _(
                "The host country's figures for {subjects} have expired; ask HQ for an update "
                "of the host-country table."
            ).format(subjects=", ".join(rule_label(SUBJECT_RULES[s], lang) for s in outdated))
            if outdated
            else ""
        )
        self.outdated.setVisible(bool(outdated))
        self._show(result, "")

    def _review_without(
        self, data: dict[str, object], country: str, refused: ValidationError
    ) -> ReviewResult | None:
        """The findings of the terms that were not refused: each refused field is left out
        with the fields read with it, until the rest pass (None if nothing is left)."""
        while refused.field:
            left_out = next(
                (group for group in self._READ_TOGETHER if refused.field in group),
                {refused.field},
            )
            kept = {key: value for key, value in data.items() if key not in left_out}
            if len(kept) == len(data) or not kept:
                return None
            data = kept
            try:
                return self.service.preview(data, country, self.field_names())[1]
            except ValidationError as exc:
                refused = exc
        return None

    # Terms a rule reads only together: a wage means nothing without its currency and period.
    _READ_TOGETHER = (
        frozenset({"wage_amount", "wage_currency", "wage_period"}),
        frozenset({"recruitment_fee_paid_by_worker", "recruitment_fee_currency"}),
    )

    # Fields a review needs together: which one is missing, named as the form names it.
    _MISSING_TOGETHER = frozenset({"wage_period", "wage_currency", "recruitment_fee_currency"})

    def field_names(self) -> dict[str, str]:
        """How a refusal names each field: by its label in the form («Wage»), never by the
        code the command line shows (wage_amount)."""
        return {
            code: _("“{label}”").format(label=label.replace("&", "").strip().rstrip(":"))
            for code, label in self._field_labels().items()
        }

    def _blank(self, field: str) -> bool:
        if field == "wage_period":
            return self.wage_period.value() is None
        combo = getattr(self, field)
        return isinstance(combo, QComboBox) and not combo.currentText().strip()

    def _in_form_words(self, exc: ValidationError) -> str:
        """A refusal about a field, said with the form's label ("Paid: per month"), not the
        field's code; a field left empty that another needs gets an example."""
        # A currency typed but unknown ("XYZ") is refused as such, not asked for again.
        if exc.field not in self._MISSING_TOGETHER or not self._blank(exc.field):
            return str(exc)
        label = self._field_labels()[exc.field].replace("&", "")
        if exc.field == "wage_period":
            example = f"{label} {_period_labels()['month']}"
        else:
            example = f"{label} USD"
        return _("Fill in “{label}” as well (for example “{example}”).").format(
            label=label.rstrip(":"), example=example
        )

    def _show(self, result: ReviewResult | None, message: str) -> None:
        self.result = result
        self._update_export()  # HQ exports the findings shown
        self.error.show_message(message)
        self.findings.setRowCount(0)
        self.sources.clear()
        if result is None or not result.findings:
            # Nothing assessed yet: no risk level at all, never a reassuring "low".
            self.risk_badge.setText("—")
            self.risk_badge.setStyleSheet("")
            self.risk_reasons.setText(
                _("No risk is given until the terms contain something to assess.")
                if result is not None
                else ""
            )
            self.indicators.clear()
            self.findings_updated.emit()
            return
        lang = current_language()
        colour = RISK_COLOURS[result.risk]
        text_colour = text_on(colour)
        self.risk_badge.setText(risk_label(result.risk).upper())
        self.risk_badge.setStyleSheet(
            f"background: {colour}; color: {text_colour}; font-weight: bold; "
            "padding: 3px 10px; border-radius: 4px;"
        )
        self.risk_reasons.setText(", ".join(rule_label(rule, lang) for rule in result.risk_reasons))
        self.findings.setRowCount(len(result.findings))
        for row, finding in enumerate(result.findings):
            subject = QTableWidgetItem(rule_label(finding.rule, lang))
            subject.setData(Qt.ItemDataRole.UserRole, finding.rule)
            level = QTableWidgetItem(level_label(finding.level))
            level.setData(Qt.ItemDataRole.UserRole, finding.level)
            level.setBackground(QColor(LEVEL_COLOURS[finding.level]))
            level.setForeground(QColor(text_on(LEVEL_COLOURS[finding.level])))
            reason = QTableWidgetItem(finding.reason)
            # The citations beside the finding, not hidden in a tooltip.
            cited = QTableWidgetItem("\n".join(finding.reference_labels))
            cited.setData(Qt.ItemDataRole.UserRole, row)
            for column, item in enumerate((subject, level, reason, cited)):
                self.findings.setItem(row, column, item)
        self.subject_fit.fit()
        self.indicators.setText(
            "; ".join(taxonomy.ilo_indicator(code).label(lang) for code in result.ilo_indicators)
            or _("none")
        )
        self.findings_updated.emit()

    def _show_sources(self) -> None:
        """Where each reference of the selected finding can be checked, as links."""
        row = self.findings.currentRow()
        if self.result is None or not 0 <= row < len(self.result.findings):
            self.sources.clear()
            return
        lines = []
        for reference in self.result.findings[row].references:
            if not reference.source:
                continue
            source = html.escape(reference.source)
            linked = re.sub(r"(https?://\S+)", r'<a href="\1">\1</a>', source)
            lines.append(f"<b>{html.escape(reference.text)}</b>: {linked}")
        self.sources.setText(
            (html.escape(_("Sources:")) + "<br/>" + "<br/>".join(lines)) if lines else ""
        )

    # -- saving and export --------------------------------------------------------------------

    @property
    def writing(self) -> bool:
        return self.writes.running

    def save(self) -> BackgroundTask[ContractReviewInfo] | None:
        """Save the review off the GUI thread (a busy database waits there, not in the
        window); the form waits for it under "Saving…"."""
        if not self.can_save:  # Ctrl+S from HQ: it reads findings, the missions keep reviews
            return None
        service, subject = self.service, self.subject
        try:
            terms, country = self.terms_data(), self.host_country.code() or None
            # Refused here, in the form's words, before the write is started.
            self.service.parse(terms, country, names=self.field_names())
        except ValidationError as exc:  # a date that is not one: said beside the form
            self._save_refused(exc)
            return None

        def write() -> ContractReviewInfo:
            return service.save(
                terms, case_id=subject.case_id, person_id=subject.person_id, host_country=country
            )

        self.error.clear_message()
        return self.writes.start(write, self._saved, self._save_refused)

    def _saved(self, info: ContractReviewInfo) -> None:
        self.saved = info
        self.unsaved = False
        self._update_export()
        self.status.setText(_("Review saved: risk {risk}.").format(risk=risk_label(info.risk)))
        self.review_saved.emit(info.id)

    def _save_refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            exc = ValidationError(self._in_form_words(exc), field=exc.field)
        show_refusal(self, self.error, exc)
        if isinstance(exc, ValidationError):
            self._focus_field(exc.field)

    def _focus_field(self, field: str | None) -> None:
        for _box, _form, rows in self.sections:
            for name, widget in rows:
                if name == field:
                    widget.setFocus()
                    return

    def _ask_export_path(self) -> None:
        stored = self.saved is not None and not self.unsaved
        if not stored and not self._checked_here():
            return
        dialog = QFileDialog(self, _("Export the review as PDF"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(_("PDF files (*.pdf)"))
        dialog.setDefaultSuffix("pdf")
        lang = str(self.report_language.currentData())
        if self.saved is not None and stored:
            name = f"contract-review-{self.saved.case_number or 'standalone'}-{lang}.pdf"
        else:
            name = f"contract-check-{self.host_country.code().lower()}-{lang}.pdf"
        dialog.setDirectory(in_documents())
        dialog.selectFile(in_documents(name))
        dialog.fileSelected.connect(lambda path: self.export_pdf(Path(path), lang))
        self._file_dialog = dialog
        dialog.open()

    def export_pdf(self, path: Path, lang: str) -> BackgroundTask[str] | None:
        """Write the saved review's report in ``lang`` off the GUI thread (its rendering takes
        0.2-0.3 s; the report's language is this worker thread's own, ``language_override``);
        at HQ, the findings of the terms shown."""
        service = self.service
        if self.saved is not None and not self.unsaved:
            review_id = self.saved.id

            def made() -> PrintedPdf:
                return service.report_pdf(review_id, lang)

        elif self._checked_here():  # HQ: the terms shown, saved in no case
            terms, country = self.terms_data(), self.host_country.code()

            def made() -> PrintedPdf:
                return service.unsaved_report_pdf(terms, country, lang)

        else:  # the stored review is not what the form shows
            return None

        def work(_context: TaskContext) -> str:
            pdf = made()
            replace_file(path, pdf)
            return pdf.warning()

        self.error.clear_message()
        task: BackgroundTask[str] = BackgroundTask(self, work)
        task.while_busy(self.export_button)
        task.success(lambda warning: self._exported(path, warning))
        return task.failure(lambda exc: self._export_failed(path, exc)).run_in_background()

    def _exported(self, path: Path, warning: str) -> None:
        self._update_export()  # terms typed during the export keep it disabled
        self.status.setText(_("Wrote {path}.").format(path=path))
        if warning:
            self.error.show_message(warning)

    def _export_failed(self, path: Path, exc: BaseException) -> None:
        self._update_export()
        if isinstance(exc, QorgauError):
            self.error.show_message(refusal_text(exc))
        elif isinstance(exc, OSError):
            self.error.show_message(
                _("{path} cannot be written: {error}").format(path=path, error=os_error_reason(exc))
            )
        else:
            show_error(self, exc)


class _SubjectFit(QObject):
    """Keeps the findings' subject column as wide as its text, up to ``SUBJECT_SHARE`` of the
    table (wrapped beyond), as the table is resized; the rows follow their wrapped text."""

    def __init__(self, table: QTableWidget) -> None:
        super().__init__(table)
        self.table = table
        # After the view has laid its columns out for the new width: measured in the resize
        # itself, the rows took the stretched columns' old widths and cut the citations short.
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self.fit)
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.Resize:
            self.timer.start()
        return False

    def fit(self) -> None:
        table = self.table
        header = table.horizontalHeader().sectionSizeFromContents(0).width()
        longest_word = max(
            (
                table.fontMetrics().horizontalAdvance(word)
                for row in range(table.rowCount())
                if (item := table.item(row, 0)) is not None
                for word in item.text().split()
            ),
            default=0,
        )
        cap = max(round(table.viewport().width() * SUBJECT_SHARE), header, longest_word + 12)
        width = min(max(table.sizeHintForColumn(0), header), cap)
        if table.columnWidth(0) != width:
            table.setColumnWidth(0, width)
        table.resizeRowsToContents()
