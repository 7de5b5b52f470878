"""The case's outcome in the case form: documents returned, repatriated, wages recovered.

What the statistics count as the mission's results (``app.services.stats``); recorded any time
while the case is open, and offered when it is resolved (``CaseEditor``).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QWidget

from app.errors import ValidationError
from app.i18n import _
from app.services.records import CaseChanges, CaseDetail
from ui.cases.claims import AMOUNT_PATTERN, CURRENCIES
from ui.widgets.fields import DateField, FieldBox


def _row(*widgets: QWidget) -> QWidget:
    """``widgets`` side by side in one widget, the first taking the focus for the row."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    row.setFocusProxy(widgets[0])
    return row


class OutcomeFields(QObject):
    """The outcome's inputs, each row in a ``FieldBox`` (``boxes``) for the editor's form;
    ``changed`` on every edit. A date is typed only once its box is ticked.

    A QObject owned by the editor, not a widget: its inputs live in the editor's form. As a
    widget without a parent it was a hidden window of its own that outlived the editor until
    Python's garbage collector freed it, and freed then (while Qt walked the application's
    widgets) it crashed the process."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.documents = QCheckBox()
        self.documents_on = DateField("documents_returned_on")
        self.repatriated = QCheckBox()
        self.repatriated_on = DateField("repatriated_on")
        self.amount = QLineEdit()
        self.amount.setValidator(QRegularExpressionValidator(AMOUNT_PATTERN, self.amount))
        self.amount.setMaximumWidth(160)
        self.currency = QComboBox()
        self.currency.setEditable(True)  # any ISO 4217 code; the common ones to pick
        self.currency.addItems(["", *CURRENCIES])
        self.currency.setMinimumWidth(75)
        self.boxes: dict[str, FieldBox] = {
            "documents_returned_on": FieldBox(
                _row(self.documents, self.documents_on), self.documents_on.date
            ),
            "repatriated_on": FieldBox(
                _row(self.repatriated, self.repatriated_on), self.repatriated_on.date
            ),
            "wages_recovered_amount": FieldBox(_row(self.amount, self.currency)),
        }
        # The service names the currency apart; its refusal shows under the amount's row.
        self.boxes["wages_recovered_currency"] = self.boxes["wages_recovered_amount"]
        for box, date_field in (
            (self.documents, self.documents_on),
            (self.repatriated, self.repatriated_on),
        ):
            box.toggled.connect(date_field.setEnabled)
            box.toggled.connect(self.changed)
            date_field.textEdited.connect(self.changed)
        self.amount.textEdited.connect(self.changed)
        self.currency.currentTextChanged.connect(self.changed)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.documents.setText(_("Yes, on"))
        self.repatriated.setText(_("Yes, on"))
        self.documents_on.retranslate_ui()
        self.repatriated_on.retranslate_ui()
        self.amount.setPlaceholderText(_("Amount"))
        self.currency.setToolTip(_("Currency"))
        for field in (self.documents_on, self.repatriated_on):
            field.setToolTip(_("The day, if known"))

    def show_case(self, case: CaseDetail | None) -> None:
        """The outcome on record (none for a new case)."""
        for box, field, flag, day in (
            (
                self.documents,
                self.documents_on,
                bool(case and case.documents_returned),
                case.documents_returned_on if case else None,
            ),
            (
                self.repatriated,
                self.repatriated_on,
                bool(case and case.repatriated),
                case.repatriated_on if case else None,
            ),
        ):
            box.setChecked(flag)
            field.set_date(day)
            field.setEnabled(flag)
        amount = case.wages_recovered_amount if case else None
        self.amount.setText("" if amount is None else f"{amount.normalize():f}")
        currency = case.wages_recovered_currency if case else None
        if not currency and case and case.claims:
            currency = str(case.claims[0].get("currency", ""))  # what was claimed, likely
        self.currency.setCurrentText(currency or "")

    def set_enabled(self, enabled: bool) -> None:
        """Inputs on or off (a reader's case); a date stays off while its box is unticked."""
        for box in self.boxes.values():
            box.widget.setEnabled(enabled)
        self.documents_on.setEnabled(enabled and self.documents.isChecked())
        self.repatriated_on.setEnabled(enabled and self.repatriated.isChecked())

    def focus_first(self) -> None:
        self.documents.setFocus(Qt.FocusReason.OtherFocusReason)

    def changes(self, case: CaseDetail, base: CaseChanges, confirmed: bool = False) -> CaseChanges:
        """``base`` with what differs from ``case``'s outcome; ValidationError (with its field)
        for what cannot be read. ``confirmed``: the officer confirmed a large amount."""
        changes = base
        documents, documents_on = self.documents.isChecked(), self.documents_on.date()
        if (documents, documents_on if documents else None) != (
            case.documents_returned,
            case.documents_returned_on,
        ):
            changes = replace(
                changes,
                documents_returned=documents,
                documents_returned_on=documents_on if documents else None,
            )
        home, home_on = self.repatriated.isChecked(), self.repatriated_on.date()
        if (home, home_on if home else None) != (case.repatriated, case.repatriated_on):
            changes = replace(changes, repatriated=home, repatriated_on=home_on if home else None)
        amount = self._amount()
        currency = self.currency.currentText().strip().upper()
        if amount is None:
            if case.wages_recovered_amount is not None:
                changes = replace(changes, clear_wages_recovered=True)
        elif (amount, currency) != (case.wages_recovered_amount, case.wages_recovered_currency):
            changes = replace(
                changes,
                wages_recovered_amount=amount,
                wages_recovered_currency=currency,
                confirm_large_recovery=confirmed,
            )
        return changes

    def _amount(self) -> Decimal | None:
        text = self.amount.text().replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                _("The amount must be a number."), "wages_recovered_amount"
            ) from None
