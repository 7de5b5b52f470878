"""The worker on a case: pick someone already on file, or type a new person.

While a new person is typed, the service's duplicate check runs after a short pause and the
possible matches are shown with a link to use that person instead.
"""

from __future__ import annotations

import html
from dataclasses import fields

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.iin import validate_iin
from app.errors import QorgauError, ValidationError
from app.i18n import _, format_date
from app.services.people import PersonService
from app.services.records import DuplicateMatch, PersonInfo, PersonInput
from ui.widgets.common import set_label
from ui.widgets.fields import DateField, FieldBox

DUPLICATE_CHECK_DELAY_MS = 400
FIELDS = ("surname", "given_names", "patronymic", "surname_latin", "given_names_latin")


def as_input(person: PersonInfo) -> PersonInput:
    """The stored person as the input that would save it unchanged."""
    return PersonInput(**{f.name: getattr(person, f.name) for f in fields(PersonInput)})


class PersonForm(QWidget):
    changed = Signal()
    person_chosen = Signal(str)

    def __init__(self, people: PersonService) -> None:
        super().__init__()
        self.people = people
        self.person_id: str | None = None  # an existing person picked for a new case
        self.locked = False
        self.allow_duplicate = False
        self._found: dict[str, str] = {}

        self.finder = QLineEdit()
        self.finder.setClearButtonEnabled(True)
        self.completer_model = QStringListModel(self)
        completer = QCompleter(self.completer_model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._picked)
        self.finder.setCompleter(completer)
        self.finder.textEdited.connect(self._search)
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.start_new)
        self.new_button.hide()
        find_row = QHBoxLayout()
        find_row.addWidget(self.finder, 1)
        find_row.addWidget(self.new_button)

        self.edits = {name: QLineEdit() for name in FIELDS}
        self.iin = QLineEdit()
        self.iin.setMaxLength(12)
        self.iin.setInputMask("")
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

        self.duplicates = QLabel()
        self.duplicates.setWordWrap(True)
        self.duplicates.setFrameShape(QFrame.Shape.StyledPanel)
        self.duplicates.setStyleSheet(
            "background: #fff8e1; border: 1px solid #f0c36d; padding: 6px; color: #5d4200;"
        )
        self.duplicates.linkActivated.connect(self.use_existing)
        self.duplicates.hide()
        self.force_button = QPushButton()
        self.force_button.clicked.connect(self._force_new)
        self.force_button.hide()

        self.form = QFormLayout()
        self.form.addRow("", find_row)
        for box in self.boxes.values():
            self.form.addRow("", box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.force_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(DUPLICATE_CHECK_DELAY_MS)
        self.check_timer.timeout.connect(self.check_duplicates)
        for edit in (*self.edits.values(), self.iin, self.birth_date, self.passport, self.phone):
            edit.textEdited.connect(self._edited)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.finder.setPlaceholderText(_("Find a person on file: surname, IIN or passport"))
        self.new_button.setText(_("Another person"))
        labels = {
            "surname": _("&Surname:"),
            "given_names": _("&Given names:"),
            "patronymic": _("Patronymic:"),
            "surname_latin": _("Surname (Latin):"),
            "given_names_latin": _("Given names (Latin):"),
            "iin": _("&IIN:"),
            "birth_date": _("Date of &birth:"),
            "passport_no": _("Passport number:"),
            "phone_abroad": _("Phone abroad:"),
        }
        for name, text in labels.items():
            set_label(self.form, self.boxes[name], text)
        self.birth_date.retranslate_ui()
        self.force_button.setText(_("It is a different person: register as new"))

    # Filling -----------------------------------------------------------------------------

    def set_person(self, person: PersonInfo, locked: bool = False) -> None:
        """Show ``person``; ``locked`` when it was picked from the file for a new case."""
        for name, edit in self.edits.items():
            edit.setText(getattr(person, name))
        self.iin.setText(person.iin or "")
        self.birth_date.set_date(person.birth_date)
        self.passport.setText(person.passport_no or "")
        self.phone.setText(person.phone_abroad)
        self._base = person
        self.set_locked(locked)
        self.clear_messages()

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        for box in self.boxes.values():
            box.widget.setEnabled(not locked)
        self.new_button.setVisible(locked)
        self.finder.setVisible(not locked)

    def show_find(self, visible: bool) -> None:
        self.finder.setVisible(visible)

    def start_new(self) -> None:
        """Forget a picked person and type a new one."""
        self.person_id = None
        self._base = None
        for edit in (*self.edits.values(), self.iin, self.birth_date, self.passport, self.phone):
            edit.clear()
        self.set_locked(False)
        self.clear_messages()
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

    def clear_messages(self) -> None:
        for box in self.boxes.values():
            box.error.clear_message()
        self.duplicates.hide()
        self.force_button.hide()
        self.allow_duplicate = False

    # Reading -----------------------------------------------------------------------------

    _base: PersonInfo | None = None

    def person_input(self) -> PersonInput:
        """What is typed, as the service's input; ValidationError for a malformed date."""
        base = self._base
        values = {name: edit.text().strip() for name, edit in self.edits.items()}
        return PersonInput(
            **values,
            iin=self.iin.text().strip() or None,
            passport_no=self.passport.text().strip() or None,
            birth_date=self.birth_date.date(),
            sex=base.sex if base else None,
            phone_abroad=self.phone.text().strip(),
            phone_home=base.phone_home if base else "",
            email=base.email if base else "",
            messenger=base.messenger if base else "",
            address_abroad=base.address_abroad if base else "",
            address_home=base.address_home if base else "",
            next_of_kin=base.next_of_kin if base else "",
            consent_date=base.consent_date if base else None,
            consent_scope=base.consent_scope if base else (),
            consent_note=base.consent_note if base else "",
        )

    def show_error(self, field: str | None, message: str) -> bool:
        """Show a service's message beside its field; False when the field is not here."""
        box = self.boxes.get(field or "")
        if box is None:
            return False
        box.error.show_message(message)
        box.widget.setFocus()
        return True

    # Checks ------------------------------------------------------------------------------

    def _check_iin(self) -> None:
        text = self.iin.text().strip()
        if text:
            validate_iin(text)

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
        lines.append(html.escape(_("Click a name to use that person.")))
        self.duplicates.setText("<br>".join(lines))
        self.duplicates.show()
        self.force_button.setVisible(offer_force)

    def _force_new(self) -> None:
        self.allow_duplicate = True
        self.force_button.hide()
        self.duplicates.hide()
        self.changed.emit()

    # Finding -----------------------------------------------------------------------------

    def _search(self, text: str) -> None:
        if len(text.strip()) < 2:
            self.completer_model.setStringList([])
            return
        found = self.people.find(text, limit=15)
        self._found = {self._describe(p): p.id for p in found}
        self.completer_model.setStringList(list(self._found))

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
