"""Settings: the hotline and opening hours that briefing sheets print beside the letterhead."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit

from app.i18n import LANGUAGES, _
from app.services.briefing import (
    CONTACT_EDITORS,
    MAX_HOTLINE,
    MAX_HOURS,
    MissionContacts,
    mission_contacts,
    set_mission_contacts,
)
from app.services.workspace import Workspace
from ui.tasks import OneWriteAtATime, show_error
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import STRETCH, push_button, set_label, widget_row, word_wrapped


class MissionContactsBox(QGroupBox):
    """Shown to everyone, edited by an administrator (a mission setting, in the database)."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.editable = workspace.actor.role in CONTACT_EDITORS
        self.intro = word_wrapped(QLabel())
        self.hotline = QLineEdit()
        self.hotline.setMaxLength(MAX_HOTLINE)
        self.hours: dict[str, QLineEdit] = {}
        self.form = QFormLayout(self)
        self.form.addRow(self.intro)
        self.form.addRow("", self.hotline)
        for lang in LANGUAGES:
            edit = QLineEdit()
            edit.setMaxLength(MAX_HOURS)
            self.hours[lang] = edit
            self.form.addRow("", edit)
        self.save_button = push_button(self.save)
        self.busy = BusyIndicator()
        buttons = widget_row(self.save_button, self.busy, STRETCH)
        self.form.addRow(buttons)
        edits = (self.hotline, *self.hours.values())
        for edit in edits:
            edit.setReadOnly(not self.editable)
        self.save_button.setVisible(self.editable)
        # Written off the GUI thread: a write waits its turn behind an import for seconds.
        self.writes: OneWriteAtATime[MissionContacts] = OneWriteAtATime(
            self, self.save_button, *edits, indicator=self.busy
        )
        self.show_contacts(mission_contacts(workspace))
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Contacts on briefing sheets"))
        self.intro.setText(
            _(
                "Briefing sheets for departing workers print the mission's name, address, "
                "phone and e-mail from the letterhead, and these. Leave a field empty to "
                "print nothing for it."
            )
        )
        set_label(self.form, self.hotline, _("Ho&tline:"))
        labels = {
            "kk": _("Opening hours in &Kazakh:"),
            "ru": _("Opening hours in R&ussian:"),
            "en": _("Opening hours in E&nglish:"),
        }
        for lang, edit in self.hours.items():
            set_label(self.form, edit, labels[lang])
        # Not one country's example: HQ in Astana and every mission read it.
        self.hotline.setPlaceholderText(_("The country code first: +…"))
        self.save_button.setText(_("Save the contacts"))

    def show_contacts(self, contacts: MissionContacts) -> None:
        self.hotline.setText(contacts.hotline)
        for lang, edit in self.hours.items():
            edit.setText(contacts.hours.get(lang, ""))
            # From their start: at the end, at 150 % text the hours read «…ма, 9:00–18:00»,
            # the days they are open out of sight.
            edit.setCursorPosition(0)

    def save(self) -> None:
        hotline = self.hotline.text()
        hours = {lang: edit.text() for lang, edit in self.hours.items()}
        self.writes.start(
            lambda: set_mission_contacts(self.workspace, hotline, hours),
            self.show_contacts,
            lambda exc: show_error(self, exc),
        )
