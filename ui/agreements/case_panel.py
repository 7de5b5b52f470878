"""The "Applicable law" panel a case editor embeds: what bears on the case, and what it cites."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.agreements import unverified_marker
from app.domain.roles import CASE_WORKERS
from app.errors import QorgauError
from app.i18n import _, current_language
from app.services.agreements import AgreementService, CitationInfo, ProvisionInfo
from app.services.workspace import Workspace
from ui.agreements.widgets import SourceLabel, source_html, top_items, verified_text
from ui.i18n_bridge import LanguageBridge
from ui.palette import ERROR_TEXT, STANDARD_TEXT
from ui.tasks import BackgroundTask, show_error
from ui.widgets.columns import ColumnFit
from ui.widgets.common import STRETCH, push_button, widget_row, word_wrapped
from ui.widgets.plain import plain_tooltip

ID_ROLE = Qt.ItemDataRole.UserRole
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1
UNVERIFIED_COLOUR = QColor(ERROR_TEXT)
STANDARD_COLOUR = QColor(STANDARD_TEXT)


def _heading() -> QLabel:
    label = QLabel()
    label.setStyleSheet("font-weight: bold;")
    return label


def _provisions(name: str, columns_key: str) -> tuple[QTreeWidget, ColumnFit]:
    """A flat list of provisions in two columns, fitted and remembered under ``columns_key``."""
    tree = QTreeWidget()
    tree.setObjectName(name)
    tree.setRootIsDecorated(False)
    tree.setColumnCount(2)
    return tree, ColumnFit(tree, columns_key, stretch=1, wrap=True)


def _with_date_unknown(text: str, provision: ProvisionInfo) -> str:
    """``text``, followed by the fact that the instrument's date of entry into force is not
    known when it is not: the panel must not pass for a check of when it came into force."""
    if provision.in_force_date_known:
        return text
    unknown = _("in force, date of entry into force not known")
    return f"{text}; {unknown}" if text else unknown


def _after_the_facts() -> str:
    """Beside a provision whose instrument bound the host only after the case's facts."""
    return _("bound the host only after the facts of the case: letters cite it as a standard")


class ApplicableLawPanel(QWidget):
    """Relevant provisions with "Cite", and the case's citations with "Remove"."""

    citations_changed = Signal()

    def __init__(
        self,
        workspace: Workspace,
        case_id: str,
        bridge: LanguageBridge | None = None,
        writable: bool = True,
    ) -> None:
        super().__init__()
        self.service = AgreementService(workspace)
        self.case_id = case_id
        # ``writable``: False for a case held elsewhere, whatever the role.
        self.can_cite = writable and workspace.actor.role in CASE_WORKERS
        self.task: BackgroundTask[object] | None = None  # a citation written
        self.relevant_heading = _heading()
        self.relevant, self.relevant_columns = _provisions("relevant_provisions", "law_relevant")
        self.cite_button = push_button(self.cite_selected)
        self.cited_heading = _heading()
        self.cited, self.cited_columns = _provisions("cited_provisions", "law_cited")
        self.remove_button = push_button(self.remove_selected)
        self.empty = word_wrapped(QLabel())
        # The host's own statutes, as the contract review cites them (the same law in both).
        # A long heading must not widen the case panel.
        self.host_heading = word_wrapped(_heading())
        self.host_law, self.host_law_columns = _provisions("host_law", "law_host")
        self.outdated = word_wrapped(QLabel())
        self.outdated.setStyleSheet(f"color: {ERROR_TEXT};")
        # Where the selected provision can be checked (a link), on demand.
        self.source = SourceLabel()
        self.source.setObjectName("selected_source")
        for tree in (self.relevant, self.host_law, self.cited):
            tree.currentItemChanged.connect(lambda item, _previous: self._show_source(item))
        self.relevant.itemSelectionChanged.connect(self._update_buttons)
        self.cited.itemSelectionChanged.connect(self._update_buttons)
        self.relevant.itemDoubleClicked.connect(lambda *_args: self.cite_selected())

        layout = QVBoxLayout(self)
        layout.addWidget(self.host_heading)
        layout.addWidget(self.host_law, 1)
        layout.addWidget(self.outdated)
        layout.addWidget(self.relevant_heading)
        layout.addWidget(self.relevant, 2)
        layout.addWidget(self.empty)
        row = widget_row(STRETCH, self.cite_button)
        layout.addLayout(row)
        layout.addWidget(self.cited_heading)
        layout.addWidget(self.cited, 1)
        row = widget_row(STRETCH, self.remove_button)
        layout.addLayout(row)
        layout.addWidget(self.source)
        self.cite_button.setVisible(self.can_cite)
        self.remove_button.setVisible(self.can_cite)
        if bridge is not None:
            bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        # Also the law on paying wages, which no review judges but letters on unpaid wages cite.
        self.host_heading.setText(_("The host country's law cited by contract reviews and letters"))
        self.host_law.setHeaderLabels([_("Provision"), _("Subject")])
        self.relevant_heading.setText(_("Provisions relevant to this case"))
        self.cited_heading.setText(_("Cited in this case"))
        self.cite_button.setText(_("Cite"))
        self.remove_button.setText(_("Remove"))
        self.empty.setText(_("No provision in the library bears on this case's categories."))
        headers = [_("Provision"), _("Why it applies")]
        self.relevant.setHeaderLabels(headers)
        self.cited.setHeaderLabels([_("Provision"), _("Note")])
        self.refresh()

    def refresh(self) -> None:
        try:
            relevant = self.service.relevant_for_case(self.case_id)
            citations = self.service.citations(self.case_id)
            host = self.service.host_law_for_case(self.case_id)
        except QorgauError as exc:
            show_error(self, exc)
            return
        self.host_law.clear()
        for law in host.provisions:
            item = QTreeWidgetItem([law.citation, law.subject_label])
            item.setData(0, SOURCE_ROLE, law.source)
            if not law.verified:
                item.setText(0, f"{law.citation} {unverified_marker(current_language())}")
                item.setForeground(0, QBrush(UNVERIFIED_COLOUR))
                item.setToolTip(0, verified_text(False))
            self.host_law.addTopLevelItem(item)
        self.host_heading.setVisible(bool(host.provisions))
        self.host_law.setVisible(bool(host.provisions))
        self.outdated.setText(
            _(
                "The host country's figures for {subjects} have expired; ask HQ for an update "
                "of the host-country table."
            ).format(subjects=", ".join(host.outdated_labels))
        )
        self.outdated.setVisible(bool(host.outdated))
        cited_ids = {c.provision.id for c in citations}
        self.relevant.clear()
        for provision in relevant:
            if provision.id not in cited_ids:
                self.relevant.addTopLevelItem(self._relevant_row(provision))
        self.cited.clear()
        for citation in citations:
            self.cited.addTopLevelItem(self._cited_row(citation))
        self.empty.setVisible(not relevant)
        self._update_buttons()

    def _relevant_row(self, provision: ProvisionInfo) -> QTreeWidgetItem:
        why = "" if provision.binding else _("standard, not binding on the host")
        if provision.binding and not provision.in_force:
            # Ratified, but the host is bound only later (an ILO convention: a year on).
            why = _("not in force: letters do not cite it")
        elif provision.after_the_facts:
            why = _after_the_facts()
        row = QTreeWidgetItem([provision.citation, _with_date_unknown(why, provision)])
        row.setData(0, ID_ROLE, provision.id)
        row.setData(0, SOURCE_ROLE, provision.source)
        row.setToolTip(0, plain_tooltip(provision.summary))
        _mark(row, provision)
        if not provision.binding or not provision.in_force or provision.after_the_facts:
            row.setForeground(1, QBrush(STANDARD_COLOUR))
        return row

    def _cited_row(self, citation: CitationInfo) -> QTreeWidgetItem:
        note = _with_date_unknown(citation.note, citation.provision)
        if not citation.provision.in_force:
            # Cited before its instrument was found not to be in force: letters leave it out.
            left_out = _("not in force: letters do not cite it")
            note = f"{note}; {left_out}" if note else left_out
        elif citation.provision.after_the_facts:
            note = f"{note}; {_after_the_facts()}" if note else _after_the_facts()
        row = QTreeWidgetItem([citation.provision.citation, note])
        row.setData(0, ID_ROLE, citation.id)
        row.setData(0, SOURCE_ROLE, citation.provision.source)
        row.setToolTip(0, plain_tooltip(citation.provision.summary))
        _mark(row, citation.provision)
        if not citation.provision.in_force:
            row.setForeground(1, QBrush(UNVERIFIED_COLOUR))
        return row

    def _show_source(self, item: QTreeWidgetItem | None) -> None:
        source = str(item.data(0, SOURCE_ROLE) or "") if item is not None else ""
        if item is None:
            self.source.clear()
        else:
            self.source.setText(_("Source:") + " " + source_html(source))

    def host_law_texts(self) -> list[str]:
        return [row.text(0) for row in top_items(self.host_law)]

    def relevant_texts(self) -> list[str]:
        return [row.text(0) for row in top_items(self.relevant)]

    def cited_texts(self) -> list[str]:
        return [row.text(0) for row in top_items(self.cited)]

    def cite_selected(self) -> None:
        service, case_id = self.service, self.case_id
        self._change_citations(self.relevant, lambda row: service.cite(case_id, row))

    def remove_selected(self) -> None:
        self._change_citations(self.cited, self.service.uncite)

    def _change_citations(self, tree: QTreeWidget, change: Callable[[str], object]) -> None:
        """Cite, or stop citing, the row chosen in ``tree``, written off the GUI thread (a
        busy database waits there); the lists then show the change."""
        item = tree.currentItem()
        if item is None or not self.can_cite or (self.task is not None and self.task.running):
            return
        row_id = str(item.data(0, ID_ROLE))
        task: BackgroundTask[object] = BackgroundTask(self, lambda _context: change(row_id))
        task.while_busy(self.relevant, self.cited, self.cite_button, self.remove_button)
        task.success(lambda _done: self._citations_written())
        self.task = task.run_in_background()

    def _citations_written(self) -> None:
        self.refresh()
        self.citations_changed.emit()

    def _update_buttons(self) -> None:
        self.cite_button.setEnabled(self.can_cite and self.relevant.currentItem() is not None)
        self.remove_button.setEnabled(self.can_cite and self.cited.currentItem() is not None)


def _mark(row: QTreeWidgetItem, provision: ProvisionInfo) -> None:
    # The citation text already ends with "(unverified)"; the colour makes it seen at a glance.
    if not provision.verified:
        row.setForeground(0, QBrush(UNVERIFIED_COLOUR))
        row.setToolTip(1, verified_text(False))
