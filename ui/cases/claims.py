"""Amounts claimed for the worker, one row each: amount, currency, what for, period.

Letters demand exactly these (``app.domain.claims``). The kinds are named with the letters' own
words in the interface language (``app.letters.phrases.claim_label``), so the screen and the
letter say the same thing; the stable codes stay behind the combo box.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.claims import CLAIM_KINDS, MAX_CLAIMS, claims_json
from app.errors import ValidationError
from app.i18n import _, current_language
from app.letters.phrases import claim_label
from ui.widgets.common import STRETCH, keep_narrow, widget_row
from ui.widgets.fields import DateField

CURRENCIES = ("USD", "EUR", "KZT", "RUB", "KRW", "TRY", "AED", "QAR", "SAR", "GBP", "ILS", "KGS")
AMOUNT_PATTERN = r"^[0-9 ]{0,15}([.,][0-9]{0,2})?$"


class ClaimRow(QFrame):
    """One amount claimed: amount, currency and what for on a line, the period under it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.amount = QLineEdit(self)
        self.amount.setValidator(QRegularExpressionValidator(AMOUNT_PATTERN, self.amount))
        self.amount.setMinimumWidth(100)
        self.currency = QComboBox(self)
        self.currency.setEditable(True)  # any ISO 4217 code; the common ones to pick
        self.currency.addItems(list(CURRENCIES))
        self.currency.setMinimumWidth(75)
        self.kind = QComboBox(self)
        for code in CLAIM_KINDS:
            self.kind.addItem(code, code)
        # Sized by characters, not by the longest label: Kazakh ones would widen the form.
        keep_narrow(self.kind, 12)
        self.kind.view().setMinimumWidth(320)  # the open list still shows whole labels
        self.remove = QPushButton("×", self)
        self.remove.setMaximumWidth(32)
        self.period = QLabel(self)
        self.start = DateField("claims", self)
        self.end = DateField("claims", self)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.amount)
        top.addWidget(self.currency)
        top.addWidget(self.kind, 1)
        top.addWidget(self.remove)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.period)
        bottom.addWidget(self.start)
        bottom.addWidget(QLabel("–", self))
        bottom.addWidget(self.end)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(bottom)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        lang = current_language()
        for index in range(self.kind.count()):
            self.kind.setItemText(index, claim_label(str(self.kind.itemData(index)), lang))
        self.amount.setPlaceholderText(_("Amount"))
        self.currency.setToolTip(_("Currency"))
        self.kind.setToolTip(_("What for"))
        self.period.setText(_("Period:"))
        self.remove.setToolTip(_("Remove this amount"))

    def value(self, number: int) -> dict[str, str] | None:
        """The row as the case stores it; None for a row left empty."""
        amount = self.amount.text().replace(" ", "").replace(",", ".")
        if not amount:
            return None
        try:
            start, end = self.start.date(), self.end.date()
        except ValidationError as exc:
            raise ValidationError(
                _("Amount {n}: {problem}").format(n=number, problem=exc), "claims"
            ) from None
        item = {
            "amount": amount,
            "currency": self.currency.currentText().strip().upper(),
            "what": str(self.kind.currentData()),
        }
        if start:
            item["period_from"] = start.isoformat()
        if end:
            item["period_to"] = end.isoformat()
        return item

    def show_claim(self, claim: dict[str, Any]) -> None:
        self.amount.setText(str(claim["amount"]))
        self.currency.setCurrentText(str(claim["currency"]))
        self.kind.setCurrentIndex(max(self.kind.findData(claim["what"]), 0))
        self.start.set_date(_as_date(claim.get("period_from")))
        self.end.set_date(_as_date(claim.get("period_to")))


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


class ClaimsEditor(QWidget):
    """Amounts claimed, added and removed with buttons; ``changed`` on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ClaimRow] = []
        self.list = QVBoxLayout()
        self.list.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self._add_clicked)
        buttons = widget_row(self.add_button, STRETCH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.list)
        layout.addLayout(buttons)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.add_button.setText(_("Add an amount claimed"))
        for row in self.rows:
            row.retranslate_ui()

    def claims(self) -> list[dict[str, str]]:
        """The rows as the case stores them (checked: ValidationError names the problem)."""
        numbered = [(n, item) for n, row in enumerate(self.rows, 1) if (item := row.value(n))]
        try:
            return claims_json([item for _n, item in numbered])
        except ValidationError as exc:
            # The check names "claims[i]" of the filled rows; the officer sees row numbers.
            found = re.fullmatch(r"claims\[(\d+)\]", exc.field or "")
            if found is None:
                raise ValidationError(str(exc), "claims") from None
            number = numbered[int(found.group(1))][0]
            raise ValidationError(
                _("Amount {n}: {problem}").format(n=number, problem=exc), "claims"
            ) from None

    def set_claims(self, claims: list[dict[str, Any]]) -> None:
        for row in list(self.rows):
            self._remove(row, notify=False)
        for claim in claims:
            self._add().show_claim(claim)

    def _add_clicked(self) -> None:
        if len(self.rows) < MAX_CLAIMS:
            self._add().amount.setFocus()
            self.changed.emit()

    def _add(self) -> ClaimRow:
        row = ClaimRow(self)
        row.amount.textEdited.connect(self.changed)
        row.currency.currentTextChanged.connect(self.changed)
        row.kind.currentIndexChanged.connect(self.changed)
        row.start.textEdited.connect(self.changed)
        row.end.textEdited.connect(self.changed)
        row.remove.clicked.connect(lambda: self._remove(row))
        self.list.addWidget(row)
        self.rows.append(row)
        self.add_button.setEnabled(len(self.rows) < MAX_CLAIMS)
        return row

    def _remove(self, row: ClaimRow, notify: bool = True) -> None:
        self.list.removeWidget(row)
        row.deleteLater()
        self.rows.remove(row)
        self.add_button.setEnabled(True)
        if notify:
            self.add_button.setFocus()
            self.changed.emit()
