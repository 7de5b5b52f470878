"""The Partners area: the mission's partner organisations, searched as one types, read in pages;
a consul or administrator adds and corrects them (the service refuses anyone else)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain import labels
from app.domain.roles import SENIOR_ROLES
from app.errors import QorgauError
from app.i18n import _, country_name, format_number, ngettext
from app.services.changes import DataChanged
from app.services.partners import PartnerInfo, PartnerService
from app.services.workspace import Workspace
from ui.changes import listen_to_changes
from ui.i18n_bridge import LanguageBridge
from ui.models.list_table_model import PAGE_SIZE, Index, PagedTableModel
from ui.partners.dialogs import PartnerDialog
from ui.tasks import show_error
from ui.widgets.columns import ColumnFit
from ui.widgets.common import (
    STRETCH,
    name_clear_button,
    one_row_at_a_time,
    open_on_enter,
    widget_row,
)
from ui.widgets.country_combo import CountryCombo
from ui.widgets.plain import plain_label, plain_tooltip
from ui.widgets.row_menu import row_menu
from ui.widgets.text_size import RECORD_TITLE, heading

SEARCH_DELAY_MS = 250
COL_NAME, COL_KIND, COL_COUNTRY, COL_CITY, COL_PHONE, COL_EMAIL, COL_REFERRALS = range(7)


def headers() -> list[str]:
    return [
        _("Name"),
        _("Kind"),
        _("Country"),
        _("City"),
        _("Phone"),
        _("E-mail"),
        _("Referrals"),
    ]


class PartnerTableModel(PagedTableModel):
    """The partners the filter finds, fetched a page at a time as the view scrolls."""

    def __init__(self, service: PartnerService, page_size: int = PAGE_SIZE) -> None:
        super().__init__(headers, page_size)
        self.service = service
        self.country = ""
        self.text = ""
        self.rows: list[PartnerInfo] = []

    def set_filter(self, country: str, text: str) -> None:
        self.country, self.text = country, text
        self.reload()

    def count_rows(self) -> int:
        return self.service.count(self.country or None, self.text)

    def read_rows(self, offset: int, limit: int) -> list[PartnerInfo]:
        return self.service.list(self.country or None, self.text, offset, limit)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            # The name first: the column cuts a long one, and the tip was its only whole view.
            parts = (row.name, row.address, row.languages, row.notes)
            return plain_tooltip("\n".join(t for t in parts if t))
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.cell(row, index.column())

    @staticmethod
    def cell(row: PartnerInfo, column: int) -> str:
        return [
            row.name,
            labels.partner_kind(row.kind),
            country_name(row.country),
            row.city,
            row.phone,
            row.email,
            str(row.referrals),
        ][column]


class PartnersPage(QWidget):
    def __init__(self, workspace: Workspace, bridge: LanguageBridge) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = PartnerService(workspace)
        self.keeps_list = workspace.actor.role in SENIOR_ROLES

        self.heading = QLabel()
        heading(self.heading, RECORD_TITLE)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.country = CountryCombo(any_text="")
        self.add_button = QPushButton()
        self.edit_button = QPushButton()
        self.summary = plain_label()
        self.model = PartnerTableModel(self.service)
        self.view = QTableView()
        self.view.setModel(self.model)
        one_row_at_a_time(self.view)
        self.view.verticalHeader().hide()
        # The name keeps its room: beside six columns sized to their contents it was cut to
        # «…» at 1024 pixels in Kazakh and Russian, and the table scrolled sideways. Kinds
        # wrap; short of room the e-mail, the city and the country go (back from the
        # header's menu), in this order, before the name is cut.
        self.columns = ColumnFit(
            self.view,
            "partners",
            stretch=COL_NAME,
            wrap=True,
            max_lines=2,
            whole=(COL_PHONE, COL_REFERRALS),
            choosable=(COL_KIND, COL_COUNTRY, COL_CITY, COL_PHONE, COL_EMAIL, COL_REFERRALS),
            optional=(COL_EMAIL, COL_CITY, COL_COUNTRY),
        )
        # Searched as one types, once the typing pauses: not a query per key.
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(SEARCH_DELAY_MS)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(widget_row(self.search, self.country))
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        layout.addLayout(widget_row(self.add_button, self.edit_button, STRETCH))

        self.search.textChanged.connect(lambda _text: self.debounce.start())
        self.debounce.timeout.connect(self.apply_filter)
        self.country.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.add_button.clicked.connect(self.add_partner)
        self.edit_button.clicked.connect(self.edit_partner)
        self.view.doubleClicked.connect(lambda _index: self.edit_partner())
        open_on_enter(self.view, lambda _index: self.edit_partner())
        row_menu(self.view, self.edit_button)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        # A referral made from a case changes the counts; another window may add a partner.
        listen_to_changes(self, workspace, self._data_changed)
        bridge.language_changed.connect(lambda _lang: self.retranslate_ui())
        self.retranslate_ui()
        self.apply_filter()

    def apply_filter(self) -> None:
        self.debounce.stop()
        try:
            self.model.set_filter(self.country.code(), self.search.text())
        except QorgauError as exc:
            show_error(self, exc)
            return
        self._update_summary()
        self._update_buttons()

    def _data_changed(self, change: DataChanged) -> None:
        """Our own dialogs' saves too: the list is read again once a write is on file."""
        if change.touches("partner_organisation", "partner_referral"):
            self.apply_filter()

    def _update_summary(self) -> None:
        self.summary.setText(
            ngettext(
                "{n} partner organisation", "{n} partner organisations", self.model.total
            ).format(n=format_number(self.model.total))
        )

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(self.keeps_list)
        self.edit_button.setEnabled(self.keeps_list and self.selected_id() is not None)

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return str(rows[0].data(Qt.ItemDataRole.UserRole)) if rows else None

    def add_partner(self) -> PartnerDialog:
        dialog = PartnerDialog(self, self.workspace, country=self.country.code())
        dialog.open()
        return dialog

    def edit_partner(self) -> PartnerDialog | None:
        partner_id = self.selected_id()
        if partner_id is None or not self.keeps_list:
            return None
        try:
            partner = self.service.get(partner_id)
        except QorgauError as exc:
            show_error(self, exc)
            return None
        dialog = PartnerDialog(self, self.workspace, partner=partner)
        dialog.open()
        return dialog

    def focus_search(self) -> None:
        """Ctrl+F here searches the partners, not the cases."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def retranslate_ui(self) -> None:
        self.heading.setText(_("Partner organisations"))
        self.search.setPlaceholderText(_("Search by name, city, language or notes"))
        name_clear_button(self.search)
        self.country.set_any_text(_("Any country"))
        self.country.refill()
        self.add_button.setText(_("&Add partner…"))
        self.edit_button.setText(_("&Edit…"))
        tip = "" if self.keeps_list else _("A consul or administrator keeps the list of partners.")
        self.add_button.setToolTip(tip)
        self.edit_button.setToolTip(tip)
        self.model.retranslate()
        self._update_summary()
