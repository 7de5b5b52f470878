"""Headquarters only: hand cases over to another mission."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import _
from app.services.keys import TrustedKey
from ui.widgets.common import chars_wide, set_label
from ui.widgets.dialogs import ValidatingDialog
from ui.widgets.file_dialogs import save_path


def split_numbers(text: str) -> list[str]:
    """Case numbers as typed: separated by commas, semicolons, spaces or new lines."""
    return [n for n in re.split(r"[\s,;]+", text) if n]


def choose_bundle_file(parent: QWidget, title: str, suggested: str) -> Path | None:
    return save_path(parent, title, suggested, _("Qorgau bundles (*.qbundle)"))


class TransferDialog(ValidatingDialog):
    """Which cases, to which trusted mission, into which file."""

    def __init__(self, parent: QWidget | None, missions: list[TrustedKey]) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Transfer cases"))
        self.set_intro(
            _(
                "The cases, with their people, documents and letters, are written to a bundle "
                "that only the chosen mission can open. Send it to the mission; the cases "
                "are marked as transferred here. Beside it, a notice for each mission that "
                "handled them until now: send it there too, so that its copy stops taking "
                "changes."
            )
        )
        self.numbers = QLineEdit()
        # Numbered as cases are this year: a fixed «SEL-2026-0001» would look stale in 2027.
        year = date.today().year
        example = ", ".join(f"SEL-{year}-{seq:04d}" for seq in (1, 2))
        self.numbers.setPlaceholderText(_("for example {numbers}").format(numbers=example))
        self.mission = QComboBox()
        for key in missions:
            if not key.is_hq:
                self.mission.addItem(key.code, key.code)
        self.out = QLineEdit()
        self.browse = QPushButton(_("&Browse…"))
        self.browse.clicked.connect(self._browse)
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.out, 1)
        row.addWidget(self.browse)
        self.form.addRow("", self.numbers)
        self.form.addRow("", self.mission)
        self.form.addRow("", file_row)
        set_label(self.form, self.numbers, _("Case &numbers:"))
        set_label(self.form, self.mission, _("&To mission:"))
        set_label(self.form, file_row, _("&Output file:"))
        self.setMinimumWidth(chars_wide(self, 93))  # 560 pixels at 9 pt

    def _browse(self) -> None:
        code = self.mission.currentData() or "mission"
        path = choose_bundle_file(self, _("Transfer cases"), f"transfer-{code}.qbundle")
        if path is not None:
            self.out.setText(str(path))

    def case_numbers(self) -> list[str]:
        return split_numbers(self.numbers.text())

    def target(self) -> str:
        return str(self.mission.currentData() or "")

    def out_path(self) -> Path:
        return Path(self.out.text().strip())

    def validate(self) -> None:
        if not self.case_numbers():
            self.numbers.setFocus()
            raise ValidationError(_("Name at least one case to transfer."), field="numbers")
        if not self.target():
            raise ValidationError(
                _("No mission is trusted yet; trust its keys first."), field="mission"
            )
        if not self.out.text().strip():
            self.out.setFocus()
            raise ValidationError(_("Choose the file to write."), field="out")
