"""Choose an employer or a recruitment agency on file, or add a new one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from app.errors import QorgauError, ValidationError
from app.i18n import _
from app.services.organisations import OrganisationService
from app.services.records import OrganisationInfo, OrganisationInput
from ui.widgets.country_combo import CountryCombo
from ui.widgets.dialogs import ValidatingDialog


class OrganisationDialog(ValidatingDialog):
    """A new employer or agency: created at once, so both new and old cases can use it."""

    def __init__(self, parent: QWidget, service: OrganisationService, country: str) -> None:
        super().__init__(parent)
        self.service = service
        self.created: OrganisationInfo | None = None
        self.name = QLineEdit()
        self.country = CountryCombo()
        self.country.set_code(country)
        self.city = QLineEdit()
        self.form.addRow(_("&Name:"), self.name)
        self.form.addRow(_("&Country:"), self.country)
        self.form.addRow(_("C&ity:"), self.city)

    def validate(self) -> None:
        try:
            self.created = self.service.create(
                OrganisationInput(self.name.text(), self.country.code(), self.city.text())
            )
        except ValidationError:
            raise
        except QorgauError as exc:
            raise ValidationError(str(exc)) from None


class OrganisationPicker(QWidget):
    changed = Signal()

    def __init__(self, service: OrganisationService, kind_label: str) -> None:
        super().__init__()
        self.service = service
        self.kind_label = kind_label
        self.country = ""
        self.dialog: OrganisationDialog | None = None
        self.combo = QComboBox()
        self.combo.setEditable(False)
        self.combo.setMinimumContentsLength(24)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add_new)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.add_button)
        self.setFocusProxy(self.combo)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.add_button.setText(_("New…"))
        if self.combo.count():
            self.combo.setItemText(0, _("— none —"))

    def load(self, country: str, selected: str | None = None) -> None:
        """The organisations of ``country`` (and the selected one, wherever it is)."""
        self.country = country
        chosen = selected if selected is not None else self.selected_id()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(_("— none —"), "")
        orgs = self.service.list(country=country or None, order="name")
        ids = {o.id for o in orgs}
        if chosen and chosen not in ids:
            try:
                orgs.insert(0, self.service.get(chosen))
            except QorgauError:
                chosen = None
        for org in orgs:
            text = f"{org.name} — {org.city}" if org.city else org.name
            if org.watchlist:
                text += " ⚠"
            self.combo.addItem(text, org.id)
        index = self.combo.findData(chosen) if chosen else 0
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)

    def selected_id(self) -> str | None:
        return str(self.combo.currentData() or "") or None

    def add_new(self) -> None:
        dialog = OrganisationDialog(self, self.service, self.country)
        dialog.setWindowTitle(self.kind_label)
        dialog.accepted.connect(lambda: self._created(dialog))
        self.dialog = dialog
        dialog.open()

    def _created(self, dialog: OrganisationDialog) -> None:
        if dialog.created is not None:
            self.load(self.country, dialog.created.id)
            self.changed.emit()
