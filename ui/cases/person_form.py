"""The worker on a case: pick someone already on file, or type a new person.

While a new person is typed, the service's duplicate check runs after a short pause and the
possible matches are shown with a link to use that person instead. Contact details sit in a
collapsible section so the form stays short; consent to the processing of personal data
(Kazakhstan's personal-data law asks for its date and scope) is always in view.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import labels as code_labels
from app.domain.codes import ConsentScope, Sex
from app.domain.iin import iin_birth_date, iin_sex, is_valid_iin, validate_iin
from app.domain.passport_latin import to_passport_latin
from app.domain.persons import CONTACT_FIELDS, EDITABLE_ON_NEW_CASE, NAME_FIELDS
from app.errors import QorgauError, ValidationError
from app.i18n import _, format_date, ngettext
from app.services.people import PersonService
from app.services.records import CaseRow, DuplicateMatch, PersonInfo, PersonInput
from ui import palette
from ui.tasks import LatestOnly, show_error
from ui.widgets.common import (
    CheckText,
    LinksLabel,
    check_row,
    name_clear_button,
    push_button,
    set_label,
    word_wrapped,
)
from ui.widgets.fields import DateField, FieldBox, HintedLineEdit
from ui.widgets.plain import plain_label

DUPLICATE_CHECK_DELAY_MS = 400
FIND_DELAY_MS = 250  # the finder asks once the typing pauses, not on every keystroke
FIND_LIMIT = 15
EARLIER_SHOWN = 5  # a repeat visitor's latest cases named under the form; the rest counted
IIN_TYPED_LENGTH = 24  # twelve digits with a separator between each two, and some to spare
IIN_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]")  # spaces, hyphens and dashes
FIELDS = NAME_FIELDS
# Contact details, shown in the "More details" section (with the sex, a combo box).
DETAIL_FIELDS = CONTACT_FIELDS
# Stable codes stored in the person's consent_scope and sex; labels come from the domain.
CONSENT_SCOPES = tuple(scope.value for scope in ConsentScope)
SEXES = tuple(sex.value for sex in Sex)
WARNING_STYLE = palette.WARNING_STYLE
MUTED_STYLE = f"color: {palette.MUTED_TEXT};"
# The Cyrillic name field → its Latin field, suggested as the officer types.
LATIN_OF = {"surname": "surname_latin", "given_names": "given_names_latin"}


def as_input(person: PersonInfo) -> PersonInput:
    """The stored person as the input that would save it unchanged."""
    return PersonInput(**{f.name: getattr(person, f.name) for f in fields(PersonInput)})


class PersonForm(QWidget):
    changed = Signal()
    person_chosen = Signal(str)
    case_link_activated = Signal(str)  # case id: one of the picked person's earlier cases

    def __init__(self, people: PersonService) -> None:
        super().__init__()
        self.people = people
        self.person_id: str | None = None  # an existing person picked for a new case
        self.locked = False
        self._anonymised_on: date | None = None  # the case's, when retention anonymised it
        self.allow_duplicate = False
        self._found: dict[str, str] = {}

        self.finder = QLineEdit()
        self.finder.setClearButtonEnabled(True)
        self.completer_model = QStringListModel(self)
        completer = QCompleter(self.completer_model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._picked)
        self.finder.setCompleter(completer)
        self.finder.textEdited.connect(self._typed)
        self.find_timer = QTimer(self)
        self.find_timer.setSingleShot(True)
        self.find_timer.setInterval(FIND_DELAY_MS)
        self.find_timer.timeout.connect(self._search)
        # The query runs off the GUI thread; a newer one stops a stale one mid-way.
        self._finder = LatestOnly(self, people.ws.db.interrupt, resume=people.ws.db.resume)
        self._finder.answered.connect(self._found_people)
        self._finder.refused.connect(lambda exc: show_error(self, exc))
        self.new_button = push_button(self.start_new)
        self.new_button.hide()
        find_row = QHBoxLayout()
        find_row.addWidget(self.finder, 1)
        find_row.addWidget(self.new_button)

        main_fields = self._build_identity_fields()
        self._build_details()
        self._build_consent()
        self._build_duplicates()
        self._build_layout(find_row, main_fields)
        self._connect_edits()
        # Tab follows the order the fields are made in. No setTabOrder: called before the form
        # had its window, it closed the order on itself and Tab circled in the consent group,
        # never reaching the case's fields or Save; FieldBox focus proxies left behind by a
        # reordering send Tab back up the form.
        self.retranslate_ui()  # makes the labels, which the folded rows then hide
        self.show_details(False)

    def _build_identity_fields(self) -> list[str]:
        """Names, IIN, birth date, passport and phone: the fields shown unfolded."""
        self.edits = {name: QLineEdit() for name in FIELDS}
        self.iin = QLineEdit()
        # Room for an IIN pasted from a document as «940315 400123» or «940315-400123»: at
        # twelve characters the field cut its last digit before anyone saw it. The spaces and
        # hyphens go as it is typed, before the checks and the date of birth read the number.
        self.iin.setMaxLength(IIN_TYPED_LENGTH)
        self.iin.setInputMask("")
        self.iin.textEdited.connect(self._drop_iin_separators)
        self.birth_date = DateField("birth_date")
        self.passport = QLineEdit()
        self.phone = QLineEdit()
        self.boxes: dict[str, FieldBox] = {
            name: FieldBox(edit) for name, edit in self.edits.items()
        }
        self.boxes["iin"] = FieldBox(self.iin, self._check_iin)
        self.boxes["birth_date"] = FieldBox(self.birth_date, self.birth_date.date)
        self.boxes["passport_no"] = FieldBox(self.passport)
        self.boxes["phone_abroad"] = FieldBox(self.phone)
        return list(self.boxes)

    def _build_details(self) -> None:
        # More details: collapsed by default, its rows live in the same form so labels align.
        self.details_toggle = QToolButton()
        self.details_toggle.setCheckable(True)
        self.details_toggle.setAutoRaise(True)
        self.details_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.details_toggle.toggled.connect(self.show_details)
        # How many are filled, folded, on a label of its own that wraps: on the button, in
        # Russian «Дополнительные сведения (заполнено: 2)», it made the form 330 pixels wide,
        # past its pane at 1024 pixels.
        self.details_count = word_wrapped(plain_label())
        self.sex = QComboBox()
        self.sex.addItem("", "")
        for code in SEXES:
            self.sex.addItem("", code)
        self.sex.setMaximumWidth(220)
        self.details = {name: HintedLineEdit() for name in DETAIL_FIELDS}
        self.details["email"].setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.boxes["sex"] = FieldBox(self.sex)
        for name, edit in self.details.items():
            self.boxes[name] = FieldBox(edit)

    def _build_consent(self) -> None:
        # Consent to processing of personal data.
        self.consent_box = QGroupBox()
        # The group's title on lines of its own: a group box's title does not wrap, and in
        # Russian (353 pixels at 150 % display scaling) it kept the case's form that wide.
        self.consent_title = word_wrapped(plain_label())
        self.consent_title.setStyleSheet("font-weight: 600;")
        self.consent_warning = word_wrapped(plain_label())
        self.consent_warning.setStyleSheet(WARNING_STYLE)
        self.consent_date = DateField("consent_date")
        self.scope_checks = {code: QCheckBox() for code in CONSENT_SCOPES}
        # Each choice's words on lines of their own: on the box itself the longest (338 pixels
        # in Kazakh at 150 %) was the narrowest the case's form could be.
        self.scope_texts = {code: CheckText(check) for code, check in self.scope_checks.items()}
        scope = QWidget()
        scope_layout = QVBoxLayout(scope)
        scope_layout.setContentsMargins(0, 0, 0, 0)
        scope_layout.setSpacing(2)
        for code, check in self.scope_checks.items():
            scope_layout.addWidget(check_row(check, self.scope_texts[code]))
        self.consent_note = HintedLineEdit()
        self.consent_note.setMaxLength(2000)
        self.boxes["consent_date"] = FieldBox(self.consent_date, self.consent_date.date)
        self.boxes["consent_scope"] = FieldBox(scope)
        self.boxes["consent_note"] = FieldBox(self.consent_note)
        self.consent_form = QFormLayout(self.consent_box)
        # Labels above their fields when narrow, as in the case's own form: the scope's long
        # Kazakh and Russian choices beside their label made the case form scroll sideways.
        self.consent_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.consent_form.addRow(self.consent_title)
        self.consent_form.addRow(self.consent_warning)
        for name in ("consent_date", "consent_scope", "consent_note"):
            self.consent_form.addRow("", self.boxes[name])

    def _build_duplicates(self) -> None:
        """Where a possible duplicate on file is named, with the button to create anyway."""
        self.duplicates = word_wrapped(LinksLabel())
        self.duplicates.setFrameShape(QFrame.Shape.StyledPanel)
        self.duplicates.setStyleSheet(WARNING_STYLE)
        self.duplicates.linkActivated.connect(self.use_existing)
        self.duplicates.hide()
        self.force_button = push_button(self._force_new)
        self.force_button.hide()
        # A repeat visitor's cases held here: the complaint may belong in an open one.
        self.earlier = word_wrapped(LinksLabel())
        self.earlier.setObjectName("earlier_cases")
        self.earlier.setFrameShape(QFrame.Shape.StyledPanel)
        self.earlier.setStyleSheet(WARNING_STYLE)
        self.earlier.linkActivated.connect(self.case_link_activated)
        self.earlier.hide()
        self._earlier: tuple[Sequence[CaseRow], int] = ((), 0)

    def _build_layout(self, find_row: QHBoxLayout, main_fields: list[str]) -> None:
        self.form = QFormLayout()
        # Labels above their fields when narrow, as in the case's own groups: with the
        # style's default (Fusion: rows never wrap) the worker's form beside the case's tabs
        # at 150 % display scaling scrolled sideways, its labels in sight and its fields not.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.addRow("", find_row)
        for name in main_fields:
            self.form.addRow("", self.boxes[name])
        toggle_row = QHBoxLayout()
        toggle_row.addWidget(self.details_toggle)
        toggle_row.addWidget(self.details_count, 1)
        self.form.addRow(toggle_row)
        for name in ("sex", *DETAIL_FIELDS):
            self.form.addRow("", self.boxes[name])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addWidget(self.earlier)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.force_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.consent_box)

    def _connect_edits(self) -> None:
        """The duplicate check, the IIN and Latin suggestions, and the changed signal."""
        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(DUPLICATE_CHECK_DELAY_MS)
        self.check_timer.timeout.connect(self.check_duplicates)
        for edit in self._identity_edits():
            edit.textEdited.connect(self._edited)
        # What the form filled in by itself, so it refills only what the user did not change.
        self._filled: dict[str, str] = {}
        self.iin.textEdited.connect(self._fill_from_iin)
        for name in LATIN_OF:
            self.edits[name].textEdited.connect(lambda _text, n=name: self._suggest_latin(n))
        for edit in (*self.details.values(), self.consent_date, self.consent_note):
            edit.textEdited.connect(self.changed)
        self.sex.activated.connect(self.changed)
        for check in self.scope_checks.values():
            check.clicked.connect(self.changed)
            check.toggled.connect(self._show_consent_state)
        for edit in self.details.values():
            edit.textChanged.connect(self._show_details_count)
        self.sex.currentIndexChanged.connect(self._show_details_count)
        self.consent_date.textChanged.connect(self._show_consent_state)

    def _identity_edits(self) -> tuple[QLineEdit, ...]:
        """The fields the duplicate check looks at."""
        return (*self.edits.values(), self.iin, self.birth_date, self.passport, self.phone)

    def retranslate_ui(self) -> None:
        self.finder.setPlaceholderText(_("Find a person on file: surname, IIN or passport"))
        name_clear_button(self.finder)
        self.new_button.setText(_("Another person"))
        labels = {
            "surname": _("Sur&name:"),
            "given_names": _("&Given names:"),
            "patronymic": _("Patronymic:"),
            "surname_latin": _("Surname (Latin):"),
            "given_names_latin": _("Given names (Latin):"),
            "iin": _("&IIN:"),
            "birth_date": _("Date of &birth:"),
            "passport_no": _("Passport number:"),
            "phone_abroad": _("Phone abroad:"),
            "sex": _("Sex:"),
            "phone_home": _("Phone at home:"),
            "email": _("E-mail:"),
            "messenger": _("Messenger:"),
            "address_abroad": _("Address abroad:"),
            "address_home": _("Address at home:"),
            "next_of_kin": _("Next of kin:"),
        }
        for name, text in labels.items():
            set_label(self.form, self.boxes[name], text)
        self.sex.setItemText(0, _("— not given —"))
        for index, code in enumerate(SEXES, start=1):
            self.sex.setItemText(index, code_labels.sex(code))
        self._show_field_hints()
        self.details["messenger"].set_hint(_("WhatsApp, Telegram…: number or name"))
        self.details["next_of_kin"].set_hint(_("Name, relationship, phone"))
        self._show_details_count()
        self.consent_title.setText(_("Consent to processing of personal data"))
        consent_labels = {
            "consent_date": _("Consent gi&ven on:"),
            "consent_scope": _("Agreed to:"),
            "consent_note": _("Note on consent:"),
        }
        for name, text in consent_labels.items():
            set_label(self.consent_form, self.boxes[name], text)
        for code in CONSENT_SCOPES:
            self.scope_texts[code].setText(code_labels.consent_scope(code))
        self.consent_note.set_hint(_("How it was given, e.g. signed form attached"))
        self._show_consent_state()
        self.birth_date.retranslate_ui()
        self.consent_date.retranslate_ui()
        self.force_button.setText(_("It is a different person: register as new"))
        self._say_earlier_cases()

    # More details and consent ------------------------------------------------------------

    def show_details(self, visible: bool) -> None:
        """Open or fold the contact details."""
        if self.details_toggle.isChecked() != visible:
            self.details_toggle.setChecked(visible)  # comes back here through ``toggled``
            return
        self.details_toggle.setArrowType(
            Qt.ArrowType.DownArrow if visible else Qt.ArrowType.RightArrow
        )
        for name in ("sex", *DETAIL_FIELDS):
            self.form.setRowVisible(self.boxes[name], visible)
        self._show_details_count()

    def _show_details_count(self) -> None:
        """Folded, the toggle says how many details are filled, so none goes unnoticed."""
        filled = sum(1 for edit in self.details.values() if edit.text().strip())
        filled += 1 if self.sex.currentData() else 0
        self.details_toggle.setText(_("More details"))
        folded = bool(filled) and not self.details_toggle.isChecked()
        self.details_count.setText(
            ngettext("({n} filled)", "({n} filled)", filled).format(n=filled) if folded else ""
        )
        self.details_count.setVisible(folded)

    def show_anonymised(self, day: date | None) -> None:
        """Retention anonymised the case on ``day`` (None: it did not). Its consent is not
        missing, and the worker is not to be asked for it: the line says what happened."""
        self._anonymised_on = day
        self._show_consent_state()

    def _show_consent_state(self) -> None:
        day = self._anonymised_on
        self.consent_warning.setStyleSheet(WARNING_STYLE if day is None else MUTED_STYLE)
        if day is not None:
            message = _(
                "The case was anonymised on {date} at the end of the retention period."
            ).format(date=format_date(day))
        elif not self.consent_date.text().strip():
            message = _("No consent recorded: ask the worker and record the date and scope.")
        elif not any(check.isChecked() for check in self.scope_checks.values()):
            message = _("Tick what the worker agreed to.")
        else:
            message = ""
        self.consent_warning.setText(message)
        self.consent_warning.setVisible(bool(message))

    # Filling -----------------------------------------------------------------------------

    def set_person(self, person: PersonInfo, locked: bool = False) -> None:
        """Show ``person``; ``locked`` when it was picked from the file for a new case."""
        for name, edit in self.edits.items():
            edit.setText(getattr(person, name))
        self.iin.setText(person.iin or "")
        self.birth_date.set_date(person.birth_date)
        self.passport.setText(person.passport_no or "")
        self.phone.setText(person.phone_abroad or "")
        self.sex.setCurrentIndex(max(self.sex.findData(person.sex or ""), 0))
        for name, edit in self.details.items():
            edit.setText(getattr(person, name) or "")
        self.consent_date.set_date(person.consent_date)
        for code, check in self.scope_checks.items():
            check.setChecked(code in person.consent_scope)
        self.consent_note.setText(person.consent_note or "")
        for edit in self.findChildren(QLineEdit):
            edit.setCursorPosition(0)  # a long address or note from its start, not its end
        self._base = person
        self._filled = self._given_by_iin(person)
        self.set_locked(locked)
        self.clear_messages()
        self.show_earlier_cases((), 0)  # named again by whoever picked the person

    def set_locked(self, locked: bool) -> None:
        """Locked for a person picked from the file for a new case: their names and identifiers
        stay as stored, while a new phone abroad, contacts and consent can be typed (they were
        locked until the case was saved)."""
        self.locked = locked
        for name, box in self.boxes.items():
            box.widget.setEnabled(not locked or name in EDITABLE_ON_NEW_CASE)
        self._show_field_hints()
        self.new_button.setVisible(locked)
        self.finder.setVisible(not locked)

    def _field_hints(self) -> dict[str, str]:
        """What a field's tooltip says of it when it can be typed in."""
        latin = _(
            "Suggested from the Cyrillic as Kazakhstani passports usually spell names; "
            "type it exactly as the worker's passport has it."
        )
        return {
            "sex": _("Left empty, it is taken from the IIN."),
            **dict.fromkeys(LATIN_OF.values(), latin),
        }

    def _show_field_hints(self) -> None:
        """Each field's own hint; on a field locked for a person picked from the file, why it
        is greyed and how to change it (a greyed field said nothing, and officers took the
        form for broken), as its tooltip and, for screen readers, its description."""
        hints = self._field_hints()
        locked_reason = _(
            "As on file for the person you picked. To correct it, open one of their cases "
            "and edit the worker there; for someone else, press “Another person”."
        )
        for name, box in self.boxes.items():
            locked = self.locked and name not in EDITABLE_ON_NEW_CASE
            hint = locked_reason if locked else hints.get(name, "")
            box.widget.setToolTip(hint)
            box.widget.setAccessibleDescription(locked_reason if locked else "")

    def show_find(self, visible: bool) -> None:
        self.finder.setVisible(visible)

    def start_new(self) -> None:
        """Forget a picked person and type a new one."""
        self.person_id = None
        self._base = None
        self._filled = {}
        for edit in (*self._identity_edits(), *self.details.values(), self.consent_date):
            edit.clear()
        self.consent_note.clear()
        self.sex.setCurrentIndex(0)
        for check in self.scope_checks.values():
            check.setChecked(False)
        self.set_locked(False)
        self.clear_messages()
        self.show_earlier_cases((), 0)
        self.changed.emit()

    def use_existing(self, person_id: str) -> None:
        try:
            person = self.people.get(person_id)
        except QorgauError as exc:
            self.duplicates.setText(html.escape(str(exc)))
            return
        self.person_id = person.id
        self.set_person(person, locked=True)
        self.finder.clear()
        self.changed.emit()
        self.person_chosen.emit(person.id)

    def show_earlier_cases(self, cases: Sequence[CaseRow], total: int) -> None:
        """Name the picked person's cases held here (the latest ``cases`` of ``total``), each
        a link that opens it; none: nothing shown."""
        self._earlier = (tuple(cases), total)
        self._say_earlier_cases()

    def _say_earlier_cases(self) -> None:
        cases, total = self._earlier
        if not cases:
            self.earlier.clear()
            self.earlier.hide()
            return
        named = [
            (
                _("{number} ({status}, received {date}, now handled by {mission})")
                if row.held_by  # HQ transferred it: she may be told where to turn
                else _("{number} ({status}, received {date})")
            ).format(
                number=f'<a href="{html.escape(row.id)}">{html.escape(row.number)}</a>',
                status=html.escape(code_labels.case_status(row.status)),
                date=html.escape(format_date(row.received_at)),
                mission=html.escape(row.held_by),
            )
            for row in cases
        ]
        if total > len(cases):
            named.append(html.escape(_("{n} more").format(n=total - len(cases))))
        self.earlier.setText(
            html.escape(_("This worker already has cases here:"))
            + " "
            + "; ".join(named)
            + "<br/>"
            + html.escape(
                _("If the complaint is the same, add to its case instead of registering it again.")
            )
        )
        self.earlier.show()

    def clear_messages(self) -> None:
        for box in self.boxes.values():
            box.error.clear_message()
        self.duplicates.hide()
        self.force_button.hide()
        self.allow_duplicate = False

    # Reading -----------------------------------------------------------------------------

    _base: PersonInfo | None = None

    def consent_scope(self) -> tuple[str, ...]:
        """The ticked codes; codes this form does not know (from other tools) are kept."""
        base = self._base.consent_scope if self._base else ()
        known = {code for code in CONSENT_SCOPES}
        ticked = [code for code, check in self.scope_checks.items() if check.isChecked()]
        scope = (*ticked, *(code for code in base if code not in known))
        # The stored order stands when the set is the same: no change to save.
        return tuple(base) if set(scope) == set(base) else scope

    def person_input(self) -> PersonInput:
        """What is typed, as the service's input; ValidationError for a malformed date."""
        values = {name: edit.text().strip() for name, edit in self.edits.items()}
        details = {name: edit.text().strip() for name, edit in self.details.items()}
        return PersonInput(
            **values,
            **details,
            iin=self.iin.text().strip() or None,
            passport_no=self.passport.text().strip() or None,
            birth_date=self.birth_date.date(),
            sex=str(self.sex.currentData() or "") or None,
            phone_abroad=self.phone.text().strip(),
            consent_date=self.consent_date.date(),
            consent_scope=self.consent_scope(),
            consent_note=self.consent_note.text().strip(),
        )

    def show_error(self, field: str | None, message: str | Callable[[], str]) -> bool:
        """Show a service's message beside its field; False when the field is not here."""
        box = self.boxes.get(field or "")
        if box is None:
            return False
        if field in ("sex", *DETAIL_FIELDS):
            self.show_details(True)
        box.error.show_message(message)
        box.widget.setFocus()
        return True

    # Checks ------------------------------------------------------------------------------

    def _check_iin(self) -> None:
        text = self.iin.text().strip()
        if text:
            validate_iin(text)

    def _drop_iin_separators(self, text: str) -> None:
        """The IIN as its digits: spaces, hyphens and dashes of a pasted number go."""
        bare = IIN_SEPARATORS.sub("", text)
        if bare == text:
            return
        cursor = self.iin.cursorPosition()
        kept_before_cursor = len(IIN_SEPARATORS.sub("", text[:cursor]))
        self.iin.setText(bare)
        self.iin.setCursorPosition(kept_before_cursor)

    def _given_by_iin(self, person: PersonInfo) -> dict[str, str]:
        """The stored date of birth and sex where the stored IIN gives them: a corrected IIN
        refills them as it does while a new person is typed. Kept, they made the save of a
        corrected IIN fail on "the date of birth does not match the IIN"."""
        if not person.iin or not is_valid_iin(person.iin):
            return {}
        given: dict[str, str] = {}
        if person.birth_date == iin_birth_date(person.iin):
            given["birth_date"] = self.birth_date.text()
        if person.sex == iin_sex(person.iin):
            given["sex"] = person.sex
        return given

    def _fill_from_iin(self) -> None:
        """A valid IIN gives the date of birth and the sex, unless the user typed others."""
        iin = "".join(self.iin.text().split())
        if not is_valid_iin(iin):
            return
        born = iin_birth_date(iin)
        if self.birth_date.text() in ("", self._filled.get("birth_date")):
            self.birth_date.set_date(born)
            self._filled["birth_date"] = self.birth_date.text()
        sex = iin_sex(iin)
        if str(self.sex.currentData() or "") in ("", self._filled.get("sex")):
            self.sex.setCurrentIndex(max(self.sex.findData(sex), 0))
            self._filled["sex"] = sex
        self.changed.emit()

    def _suggest_latin(self, name: str) -> None:
        """The Latin spelling a passport would likely print, while the user has not set one."""
        latin = self.edits[LATIN_OF[name]]
        if latin.text() not in ("", self._filled.get(LATIN_OF[name])):
            return
        suggestion = to_passport_latin(self.edits[name].text().strip())
        latin.setText(suggestion)
        self._filled[LATIN_OF[name]] = suggestion

    def _edited(self) -> None:
        self.changed.emit()
        if self.person_id is None and self._base is None:
            self.check_timer.start()

    def check_duplicates(self) -> list[DuplicateMatch]:
        """Ask the service whether the person typed may already be on file."""
        self.check_timer.stop()
        try:
            matches = self.people.duplicates(self.person_input())
        except ValidationError:
            matches = []  # not complete yet: the fields' own checks speak for themselves
        self.show_duplicates(matches)
        return matches

    def show_duplicates(self, matches: list[DuplicateMatch], offer_force: bool = False) -> None:
        if not matches:
            self.duplicates.hide()
            self.force_button.hide()
            return
        lines = [html.escape(_("This person may already be on file:"))]
        for m in matches:
            born = format_date(m.birth_date) if m.birth_date else ""
            details = ", ".join(x for x in (born, *m.reasons) if x)
            lines.append(
                f'• <a href="{html.escape(m.person_id)}">{html.escape(m.full_name)}</a>'
                f" ({html.escape(details)})"
            )
        lines.append(
            html.escape(_("Click a name, or Tab to it and press Enter, to use that person."))
        )
        self.duplicates.setText("<br>".join(lines))
        self.duplicates.show()
        self.force_button.setVisible(offer_force)

    def focus_duplicates(self) -> None:
        """The possible matches take the focus, their first name marked: Enter uses it."""
        if self.duplicates.isVisible():
            self.duplicates.setFocus(Qt.FocusReason.OtherFocusReason)

    def _force_new(self) -> None:
        self.allow_duplicate = True
        self.force_button.hide()
        self.duplicates.hide()
        self.changed.emit()

    # Finding -----------------------------------------------------------------------------

    def _typed(self, text: str) -> None:
        if len(text.strip()) < 2:
            self.find_timer.stop()
            self._finder.submit([])  # an answer still on its way is stale now
            self._found = {}
            self.completer_model.setStringList([])
            return
        self.find_timer.start()  # restarted by every keystroke: one query per pause

    def _search(self) -> None:
        text = self.finder.text()
        if len(text.strip()) < 2:
            return
        people = self.people
        self._finder.submit([lambda: people.find(text, limit=FIND_LIMIT)])

    def _found_people(self, _step: int, result: object) -> None:
        found: list[PersonInfo] = list(result)  # type: ignore[call-overload]
        self._found = {self._describe(p): p.id for p in found}
        self.completer_model.setStringList(list(self._found))
        completer = self.finder.completer()
        if self._found and self.finder.hasFocus() and completer is not None:
            completer.complete()  # the answer came after the keystroke: open the list now

    def _picked(self, text: str) -> None:
        person_id = self._found.get(text)
        if person_id:
            self.use_existing(person_id)

    @staticmethod
    def _describe(person: PersonInfo) -> str:
        extra = ", ".join(
            x
            for x in (format_date(person.birth_date) if person.birth_date else "", person.iin)
            if x
        )
        return f"{person.full_name} ({extra})" if extra else person.full_name
