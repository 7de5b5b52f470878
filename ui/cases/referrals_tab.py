"""The Referrals tab of an open case: to which partner, when, why, and how each one ended;
"Record outcome…" for one whose partner has not yet been heard from (or, asked first, in place
of the outcome on record)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QTableView, QVBoxLayout, QWidget

from app.errors import QorgauError
from app.i18n import _, format_date
from app.services.partners import PartnerService, ReferralInfo
from app.services.workspace import Workspace
from ui.icons import icon
from ui.models.list_table_model import ListTableModel
from ui.tasks import refusal_text
from ui.widgets.columns import WrapDelegate
from ui.widgets.common import (
    STRETCH,
    ErrorLabel,
    one_row_at_a_time,
    open_on_enter,
    push_button,
    widget_row,
)
from ui.widgets.dialogs import confirm
from ui.widgets.plain import plain_label, plain_tooltip

Index = QModelIndex | QPersistentModelIndex
DATE, PARTNER, REASON, OUTCOME = range(4)
REFERRAL_ROLE = Qt.ItemDataRole.UserRole


def headers() -> list[str]:
    return [_("Date"), _("Partner"), _("Reason"), _("Outcome")]


class ReferralTableModel(ListTableModel):
    """A case's referrals, the latest first (a case has a handful: read whole)."""

    def __init__(self) -> None:
        super().__init__(headers)
        self.rows: list[ReferralInfo] = []

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        referral = self.rows[index.row()]
        if role == REFERRAL_ROLE:
            return referral
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self.cell(referral, index.column())
            # Reason and outcome are sentences: whole in the tip where the column cuts them.
            return plain_tooltip(text) if role == Qt.ItemDataRole.ToolTipRole else text
        return None

    @staticmethod
    def cell(referral: ReferralInfo, column: int) -> str:
        return [
            format_date(referral.referred_at),
            referral.partner_name,
            referral.reason,
            referral.outcome or _("Not yet recorded"),
        ][column]


class CaseReferralsPanel(QWidget):
    """The open case's referrals; a case worker records how one ended (its timeline says so
    through the editor's change signal, as for a referral made)."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = PartnerService(workspace)
        self.case_id: str | None = None
        self.read_only = False
        self.model = ReferralTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        one_row_at_a_time(self.table)
        self.table.verticalHeader().hide()
        # Reason and outcome are what the officer reads here: they share the width with the
        # partner's name, each wrapped in rows as tall as their text. Sized to their contents
        # on one line, the name took the width and both read «Баспана ж…» at 1366 pixels.
        self.table.setWordWrap(True)
        self.table.setItemDelegate(WrapDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DATE, QHeaderView.ResizeMode.ResizeToContents)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._update_button)
        self.table.doubleClicked.connect(lambda _index: self.record_outcome())
        open_on_enter(self.table, lambda _index: self.record_outcome())
        self.empty = plain_label()
        self.error = ErrorLabel()
        self.record_button = push_button(self.record_outcome, icon("check"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addLayout(widget_row(STRETCH, self.record_button))
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.record_button.setText(_("Record &outcome…"))
        self.record_button.setToolTip(
            _(
                "Record what the partner did: the shelter took the worker in, the lawyer "
                "filed a claim"
            )
        )
        self.empty.setText(_("The case has not been referred to a partner."))
        self.model.retranslate()

    def set_case(self, case_id: str | None) -> None:
        self.case_id = case_id
        self.refresh()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.record_button.setVisible(not read_only)
        self._update_button()

    def refresh(self) -> None:
        """Read the case's referrals again, keeping the selected one selected."""
        chosen = self.selected()
        referrals: list[ReferralInfo] = []
        self.error.clear_message()
        if self.case_id is not None:
            try:
                referrals = self.service.referrals(self.case_id)
            except QorgauError as exc:
                self.error.show_message(refusal_text(exc))
        self.model.set_rows(referrals)
        self.empty.setVisible(self.case_id is not None and not referrals)
        ids = [r.id for r in referrals]
        if referrals:
            self.table.selectRow(ids.index(chosen.id) if chosen and chosen.id in ids else 0)
        self._update_button()

    def selected(self) -> ReferralInfo | None:
        rows = self.table.selectionModel().selectedRows()
        found = rows[0].data(REFERRAL_ROLE) if rows else None
        return found if isinstance(found, ReferralInfo) else None

    def _update_button(self) -> None:
        chosen = self.selected()
        self.record_button.setEnabled(not self.read_only and chosen is not None)

    def record_outcome(self) -> QWidget | None:
        """The outcome dialog for the selected referral. One already recorded (a colleague's
        words, or a partner that reported again) is replaced only after the officer has read
        it and said yes, as ``case referral-outcome`` asks for --replace."""
        chosen = self.selected()
        if self.read_only or chosen is None:
            return None
        if not chosen.outcome:
            return self._outcome_dialog(chosen)
        return confirm(
            self,
            _("Replace the outcome"),
            _(
                "The referral to {partner} already has an outcome: “{outcome}”.\n\n"
                "Record another in its place? The case's timeline keeps both."
            ).format(partner=chosen.partner_name, outcome=chosen.outcome),
            lambda: self._outcome_dialog(chosen),
            yes_text=_("Record another"),
            yes_default=False,  # Enter pressed unread keeps what is on record
        )

    def _outcome_dialog(self, chosen: ReferralInfo) -> QWidget:
        from ui.partners.dialogs import OutcomeDialog  # the Partners area's, loaded on use

        dialog = OutcomeDialog(self, self.workspace, chosen)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog
