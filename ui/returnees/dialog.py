"""Add or edit a returnee's record: occupation (a searchable ISCO-08 picker), experience,
certificates, languages, country of work, region of return, referral wish and the consent.

Opened three ways: at HQ for a returnee who contacted HQ (with the person's name and home
contacts), at HQ or a mission to edit a record, and at a mission from a closed case (prefilled
from the case: its country, the worker's name, the case's closing day as the day of return).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.domain import occupations as isco
from app.errors import ValidationError
from app.i18n import _, current_language
from app.services.cases import CaseService
from app.services.records import PersonInput
from app.services.returnees import (
    MAX_YEARS,
    ReturneeInput,
    ReturneeRow,
    ReturneeService,
    minor_consent_warning,
)
from app.services.workspace import Workspace
from ui.tasks import BackgroundTask, show_error
from ui.widgets.common import chars_wide, set_label
from ui.widgets.country_combo import CountryCombo
from ui.widgets.dialogs import ValidatingDialog, add_or_save_text, confirm
from ui.widgets.fields import DateField
from ui.widgets.plain import plain_tooltip


class _StartShownLine(QLineEdit):
    """A line edit that, focused with all its text selected (as a dialog opens on it, or Tab),
    keeps the selection but shows the text's start: the cursor at the end scrolled a long
    occupation's code out of sight."""

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt name
        super().focusInEvent(event)
        text = self.text()
        if text and self.selectedText() == text:
            self.setSelection(len(text), -len(text))


class OccupationCombo(QComboBox):
    """The 436 ISCO-08 unit groups, "7212 Welders and flame cutters"; typing any part of the
    code or the title (in the interface's language) narrows the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.setMinimumContentsLength(28)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        # A title chosen left the field scrolled to its end: "…и других учреждениях" without
        # its code. Show the start, and the whole title on hover.
        self.currentIndexChanged.connect(self._show_start)
        self.currentTextChanged.connect(self.setToolTip)
        self.line = _StartShownLine()  # the combo's own, kept typed
        self.setLineEdit(self.line)
        self.line.editingFinished.connect(self._show_start)
        self.refill()

    def refill(self) -> None:
        chosen = self.code()
        lang = current_language()
        self.blockSignals(True)
        self.clear()
        for group in isco.unit_groups():
            self.addItem(f"{group.code} {group.title(lang)}", group.code)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.setCurrentIndex(-1)
        self.blockSignals(False)
        if chosen:
            self.set_code(chosen)

    def set_code(self, code: str) -> None:
        self.setCurrentIndex(self.findData(code))
        self._show_start()

    def _show_start(self, *_args: object) -> None:
        """Scroll the field back to the code at the start of the title (not while typing)."""
        if not self.line.hasFocus() or not self.line.isModified():
            self.line.setCursorPosition(0)

    def code(self) -> str:
        """The chosen unit group; text typed by hand counts when it starts with a code."""
        text = self.currentText().strip()
        index = self.findText(text)
        if index >= 0:
            return str(self.itemData(index))
        return text.split(" ", 1)[0] if text else ""


class RegionCombo(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refill()

    def refill(self) -> None:
        chosen = self.code()
        lang = current_language()
        self.clear()
        for region in sorted(isco.regions().values(), key=lambda r: r.title(lang)):
            self.addItem(region.title(lang), region.code)
        self.setCurrentIndex(self.findData(chosen) if chosen else -1)

    def code(self) -> str:
        return str(self.currentData() or "")

    def set_code(self, code: str) -> None:
        self.setCurrentIndex(self.findData(code))


def _typed_date(field: DateField) -> date | None:
    """The field's date, None while it holds no date yet (the refusal comes with OK)."""
    try:
        return field.date()
    except ValidationError:
        return None


class ReturneeDialog(ValidatingDialog):
    consent_withdrawn = Signal(str)  # the record's id, once the withdrawal is on file

    def __init__(
        self,
        parent: QWidget | None,
        workspace: Workspace,
        record: ReturneeRow | None = None,
        case_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = ReturneeService(workspace)
        self.record = record
        self.saved: ReturneeRow | None = None
        self.case_number = ""
        # Whose consent it is: a minor's is a parent's or guardian's, said above the form.
        self.worker_name = record.full_name if record is not None else ""
        self.birth_date: date | None = record.birth_date if record is not None else None
        if record is None and case_id is not None:
            self.record = self.service.for_case(case_id)
        self.needs_person = self.record is None and case_id is None
        # An occupation's title is long ("9329 Басқа топтарға кірмейтін…"): at 560 pixels,
        # with Kazakh's labels beside it, its field had 180.
        self.setMinimumWidth(chars_wide(self, 117))  # 700 pixels at 9 pt

        self.surname = QLineEdit()
        self.given_names = QLineEdit()
        # The export for employment centres has a patronymic column (most Kazakh names have
        # one); without a field for it, every record added at HQ left that column empty.
        self.patronymic = QLineEdit()
        # Known, a minor is told apart (their consent is a parent's) and years abroad their age
        # cannot hold are refused, as for a record from a case; never exported.
        self.birth_date_field = DateField("birth_date")
        self.phone_home = QLineEdit()
        self.email = QLineEdit()
        self.occupation = OccupationCombo()
        self.years = QSpinBox()
        self.years.setRange(0, MAX_YEARS)
        self.certificates = QPlainTextEdit()
        self.certificates.setTabChangesFocus(True)
        self.certificates.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.languages = QLineEdit()
        self.work_country = CountryCombo(any_text="")  # chosen, never a default country
        self.region = RegionCombo()
        self.referral = QCheckBox()
        self.consent_reference = QLineEdit()
        self.consent_date = DateField("consent_date")
        self.returned_on = DateField("returned_on")
        self.note = QLineEdit()
        self._rows: list[tuple[QWidget, str]] = []
        if self.needs_person:
            self._rows += [
                (self.surname, "surname"),
                (self.given_names, "given_names"),
                (self.patronymic, "patronymic"),
                (self.birth_date_field, "birth_date"),
                (self.phone_home, "phone_home"),
                (self.email, "email"),
            ]
        self._rows += [
            (self.occupation, "occupation"),
            (self.years, "years"),
            (self.certificates, "certificates"),
            (self.languages, "languages"),
            (self.work_country, "work_country"),
            (self.region, "region"),
            (self.referral, "referral"),
            (self.consent_reference, "consent_reference"),
            (self.consent_date, "consent_date"),
            (self.returned_on, "returned_on"),
            (self.note, "note"),
        ]
        for widget, _key in self._rows:
            if widget is self.referral:
                self.form.addRow(widget)
            else:
                self.form.addRow("", widget)
        # At a mission the record is opened from its case, where unticking consent on the
        # person's form was the only (hard to find) way to take it out of the register.
        self.withdraw_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.withdraw_button.clicked.connect(self.ask_withdraw)
        self._refusal = self.service.why_unchangeable(self.record.id) if self.record else ""
        self._show_withdraw()
        if self.record is not None:
            self._fill(self.record)
        elif case_id is not None:
            self._prefill_from_case(workspace, case_id)
        else:
            self.consent_date.set_date(date.today())
        self.set_ok_text(add_or_save_text(self.record is None))
        if self.needs_person:
            self.birth_date_field.editingFinished.connect(self._typed_person_changed)
            self.consent_date.editingFinished.connect(self._typed_person_changed)
        self.retranslate_ui()

    def _typed_person_changed(self) -> None:
        """A date of birth typed at HQ: the minor's line above the form comes or goes."""
        self.worker_name = " ".join(
            p for p in (self.surname.text().strip(), self.given_names.text().strip()) if p
        )
        self.birth_date = _typed_date(self.birth_date_field)
        self.retranslate_ui()

    def _show_withdraw(self) -> None:
        """Offered on a record in the register; disabled, saying why, where it is not ours."""
        self.withdraw_button.setVisible(self.record is not None and self.record.consented)
        self.withdraw_button.setEnabled(not self._refusal)

    def ask_withdraw(self) -> QMessageBox | None:
        """The worker withdrew their consent: asked first, in the register's own words."""
        record = self.record
        if record is None:
            return None
        return confirm(
            self,
            _("Consent withdrawn"),
            _(
                "{name} withdrew their consent to the returnees' register. The record leaves "
                "the register, its figures and every export. Go on?"
            ).format(name=record.full_name),
            lambda: self.withdraw(record.id),
            _("Consent withdrawn"),
        )

    def withdraw(self, record_id: str) -> BackgroundTask[ReturneeRow]:
        """Written off the GUI thread; the dialog then says the record left the register."""
        service = self.service

        def work(_context: object) -> ReturneeRow:
            service.withdraw_consent(record_id)
            return service.get(record_id)

        task: BackgroundTask[ReturneeRow] = BackgroundTask(self, work)
        task.while_busy(self.withdraw_button)
        task.success(self._withdrawn).failure(lambda exc: show_error(self, exc))
        return task.run_in_background()

    def _withdrawn(self, row: ReturneeRow) -> None:
        self.record = row
        self._show_withdraw()
        self.retranslate_ui()
        self.consent_withdrawn.emit(row.id)

    def _labels(self) -> dict[str, str]:
        # Colons and a letter to jump by (Alt+letter), as every other form has; none of the
        # letters is Cancel's or "Consent withdrawn"'s. The hints that made the labels
        # long (and the label column half the form) are the fields' placeholders.
        return {
            "surname": _("Sur&name:"),
            "given_names": _("&Given names:"),
            "patronymic": _("&Patronymic:"),
            "birth_date": _("Date of &birth:"),
            "phone_home": _("P&hone in Kazakhstan:"),
            "email": _("E-&mail:"),
            "occupation": _("Occ&upation (ISCO-08):"),
            "years": _("Years of e&xperience abroad:"),
            "certificates": _("Cer&tificates:"),
            "languages": _("&Languages:"),
            "work_country": _("Countr&y of work:"),
            "region": _("&Region of return:"),
            "consent_reference": _("Consent &form reference:"),
            "consent_date": _("Consent gi&ven on:"),
            "returned_on": _("Returne&d on:"),
            "note": _("N&ote:"),
        }

    def retranslate_ui(self) -> None:
        labels = self._labels()
        # Whose record: editing one, the form shows no name (the person stays), and a double
        # click on the wrong row of the register went unnoticed.
        self.setWindowTitle(
            _("Record skills on return")
            if self.record is None
            else _("Returnee's skills: {name}").format(name=self.record.full_name)
        )
        for widget, key in self._rows:
            if widget is not self.referral:
                set_label(self.form, widget, labels[key])
        # The box says it itself, across the row: as a label beside it, its Kazakh ("Жұмыспен
        # қамту орталығына жолдама алғысы келеді") made the label column half the form.
        self.referral.setText(_("Wants referral to an &employment centre"))
        self.certificates.setPlaceholderText(_("One per line"))
        self.languages.setPlaceholderText(_("ISO 639-1 codes, e.g. ko, en"))
        self.languages.setToolTip(self.languages.placeholderText())
        self.withdraw_button.setText(_("Consent &withdrawn…"))
        self.withdraw_button.setToolTip(
            plain_tooltip(str(self._refusal))
            if self._refusal
            else _("The worker withdrew their consent: take the record out of the register")
        )
        intro = (
            _(
                "Record this only with the worker's consent for the returnees' register: it is "
                "shared with employment centres in Kazakhstan. Case {number}."
            ).format(number=self.case_number)
            if self.case_number
            else _(
                "Record this only with the worker's consent for the returnees' register: it is "
                "shared with employment centres in Kazakhstan."
            )
        )
        if self.record is not None and not self.record.consented:
            # Said before the form is filled in, not only when Save is refused.
            withdrawn = _(
                "The worker withdrew their consent: this record is not in the register. "
                "Save it only with their new consent, giving its reference and date."
            )
            intro = f"{withdrawn}\n{intro}"
        minor = minor_consent_warning(
            self.worker_name, self.birth_date, _typed_date(self.consent_date) or date.today()
        )
        if minor:
            intro = f"{intro}\n{minor}"
        self.set_intro(intro)

    def _fill(self, row: ReturneeRow) -> None:
        self.case_number = row.case_number
        self.worker_name, self.birth_date = row.full_name, row.birth_date
        self.occupation.set_code(row.occupation)
        self.years.setValue(row.years_abroad)
        self.certificates.setPlainText("\n".join(row.certificates))
        self.languages.setText(", ".join(row.languages))
        self.work_country.set_code(row.work_country)
        self.region.set_code(row.region)
        self.referral.setChecked(row.wants_referral)
        self.consent_reference.setText(row.consent_reference)
        self.consent_date.set_date(row.consent_date)
        self.returned_on.set_date(row.returned_on)
        self.note.setText(row.note)

    def _prefill_from_case(self, workspace: Workspace, case_id: str) -> None:
        case = CaseService(workspace).get_case(case_id)
        self.case_number = case.number
        person = case.person
        self.worker_name = " ".join(p for p in (person.surname, person.given_names) if p)
        self.birth_date = person.birth_date
        self.work_country.set_code(case.host_country)
        self.consent_date.set_date(date.today())
        if case.closed_at is not None:
            self.returned_on.set_date(case.closed_at.date())

    def _input(self) -> ReturneeInput:
        person = None
        if self.needs_person:
            person = PersonInput(
                surname=self.surname.text(),
                given_names=self.given_names.text(),
                patronymic=self.patronymic.text(),
                birth_date=self.birth_date_field.date(),
                phone_home=self.phone_home.text(),
                email=self.email.text(),
            )
        languages = tuple(
            part.strip() for part in self.languages.text().replace(";", ",").split(",")
        )
        return ReturneeInput(
            occupation=self.occupation.code(),
            work_country=self.work_country.code(),
            region=self.region.code(),
            consent_reference=self.consent_reference.text(),
            consent_date=self.consent_date.date(),
            years_abroad=self.years.value(),
            certificates=tuple(
                line.strip() for line in self.certificates.toPlainText().splitlines()
            ),
            languages=tuple(code for code in languages if code),
            wants_referral=self.referral.isChecked(),
            returned_on=self.returned_on.date(),
            note=self.note.text(),
            case_number=self.case_number if self.record is None else "",
            person=person,
        )

    def validate(self) -> None:
        """A picker left unchosen, said in the picker's words and in the form's order: the
        service refused an empty country of work as «“” is not a two-letter ISO country code,
        such as KR or TR», a code the officer never typed."""
        data = self._input()
        if not data.occupation:
            raise ValidationError(_("Choose the occupation."), "occupation")
        if not data.work_country:
            raise ValidationError(_("Choose the country of work."), "work_country")
        if not data.region:
            raise ValidationError(_("Choose the region of return."), "region")

    def field_widgets(self) -> dict[str, QWidget]:
        """A refused field gets the focus (the service names ``years_abroad``)."""
        fields = {key: widget for widget, key in self._rows}
        return {**fields, "years_abroad": self.years}

    def writer(self) -> Callable[[], ReturneeRow]:
        """A refusal (role, owner, a case gone) is shown in the dialog, which stays open."""
        data, service, record = self._input(), self.service, self.record
        if record is None:
            return lambda: service.add(data)
        return lambda: service.update(record.id, data, record.version)

    def written(self, result: object) -> None:
        assert isinstance(result, ReturneeRow)
        self.saved = result
