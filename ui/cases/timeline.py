"""A case's timeline: who did what and when; add a note, call, meeting or visit; change status."""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain import events
from app.domain.codes import CaseStatus, label
from app.domain.roles import SENIOR_ROLES
from app.domain.workflow import allowed_transitions, reason_required
from app.i18n import _, format_datetime
from app.services.cases import TIMELINE_KINDS, CaseService, undoable_status_change, utc_now
from app.services.records import CaseDetail, EventInfo
from ui.palette import MUTED_TEXT
from ui.tasks import OneWriteAtATime, show_error, show_refusal
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import (
    STRETCH,
    ErrorLabel,
    keep_narrow,
    lines_tall,
    push_button,
    widget_row,
    word_wrapped,
)
from ui.widgets.dialogs import ReasonDialog
from ui.widgets.plain import plain_label

LINK_KINDS = ("letter", "review", "attachment")


def link_text(kind: str) -> str:
    return {
        "letter": _("Open the letter"),
        "review": _("Open the contract review"),
        "attachment": _("Open the attachment"),
    }[kind]


def event_html(event: EventInfo) -> str:
    when = format_datetime(event.occurred_at.astimezone())
    heading = events.heading(event.kind, event.event)
    title = html.escape(heading)
    if event.status_from and event.status_to:
        before = label(CaseStatus(event.status_from))
        after = label(CaseStatus(event.status_to))
        title += html.escape(f": {before} → {after}")
    body = html.escape(events.beyond_heading(heading, event.detail())).replace("\n", "<br>")
    link = ""
    if event.link is not None and event.link[0] in LINK_KINDS:
        kind_, target = event.link
        href = html.escape(f"{kind_}:{target}", quote=True)
        link = f'<br><a href="{href}">{html.escape(link_text(kind_))} →</a>'
    return (
        f'<p style="margin:0 0 10px 0"><span style="color:{MUTED_TEXT}">{html.escape(when)} · '
        f"{html.escape(event.by)}</span><br><b>{title}</b>"
        + (f"<br>{body}" if body else "")
        + link
        + "</p>"
    )


class TimelinePanel(QWidget):
    """Emits ``case_changed`` with the new detail after an entry or a status change, and
    ``link_activated(kind, id)`` when an entry's link to a letter, review or attachment is
    clicked (or Enter pressed on it)."""

    case_changed = Signal(object)
    status_set = Signal(str)  # the status this panel moved the case to, once written
    link_activated = Signal(str, str)

    def __init__(self, service: CaseService) -> None:
        super().__init__()
        self.service = service
        self.case: CaseDetail | None = None
        self.dialog: ReasonDialog | None = None
        self.busy = BusyIndicator()

        self.events = QTextBrowser()
        self.events.setOpenLinks(False)
        self.events.anchorClicked.connect(self._anchor_clicked)
        self.kind = QComboBox()
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        lines_tall(self.text, 4)  # a short note; more scrolls
        self.add_button = push_button(self.add_entry)
        self.error = ErrorLabel()
        self.status_label = QLabel()
        self.target = QComboBox()
        # Narrow enough to leave the case form its room at 1366×768 (the list shows names whole).
        keep_narrow(self.target, 12)
        self.status_button = push_button(self.change_status)
        # Why "Move to" is empty: an attaché's resolved case showed a blank, disabled choice
        # and no word of who closes it.
        self.status_note = word_wrapped(plain_label())
        self.status_note.setStyleSheet(f"color: {MUTED_TEXT}")
        self.status_note.hide()
        self.undo_button = push_button(self.undo_status)

        entry_row = widget_row(self.kind, STRETCH, self.add_button)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label)
        status_row.addWidget(self.target, 1)
        status_row.addWidget(self.status_button)
        # On a row of its own: beside the others it made the panel too wide for the form at
        # 1366×768 in Kazakh and Russian.
        undo_row = widget_row(STRETCH, self.busy, self.undo_button)
        # Everything that writes, in one widget: disabled as one while a write runs.
        self.controls = QWidget()
        controls = QVBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addLayout(entry_row)
        controls.addWidget(self.text)
        controls.addWidget(self.error)
        controls.addLayout(status_row)
        controls.addWidget(self.status_note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.events, 1)
        layout.addWidget(self.controls)
        layout.addLayout(undo_row)
        # Tab goes from the kind to the text and then to Add, the order an entry is written
        # in: Add sits beside the kind, and Tab reached it before the text, then passed from
        # the text to "Move to" and skipped it.
        QWidget.setTabOrder(self.text, self.add_button)
        self.writes: OneWriteAtATime[CaseDetail] = OneWriteAtATime(
            self, self.controls, self.undo_button, indicator=self.busy
        )
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        chosen = self.kind.currentData()
        self.kind.clear()
        for kind in TIMELINE_KINDS:
            self.kind.addItem(label(kind), kind.value)
        self.kind.setCurrentIndex(max(self.kind.findData(chosen), 0))
        self.text.setPlaceholderText(_("What happened, what was agreed, what comes next"))
        self.add_button.setText(_("Add t&o the timeline"))
        self.status_label.setText(_("Move to:"))
        self.status_button.setText(_("Ch&ange status…"))
        self.undo_button.setText(_("Undo last status chang&e"))
        self.undo_button.setToolTip(
            _("Its author can take a status change back for a few minutes; the undo is recorded.")
        )
        if self.case is not None:
            self.set_case(self.case)

    def set_read_only(self, read_only: bool = True) -> None:
        """For a role that reads cases only, or a case held elsewhere: the timeline without
        its entry and status controls."""
        self.controls.setVisible(not read_only)
        self.undo_button.setVisible(not read_only)

    def set_case(self, case: CaseDetail | None) -> None:
        if (case.id if case else None) != (self.case.id if self.case else None):
            # Typed for another case: left in the box, Add wrote it into this one's timeline.
            self.text.clear()
        self.case = case
        enabled = case is not None
        for widget in (self.kind, self.text, self.add_button):
            widget.setEnabled(enabled)
        self.target.clear()
        self._explain_no_status(case)
        if case is None:
            self.events.setHtml(
                f"<p style='color:{MUTED_TEXT}'>"
                + html.escape(_("Save the case to start its timeline."))
                + "</p>"
            )
            self.status_button.setEnabled(False)
            self.undo_button.setEnabled(False)
            return
        self.events.setHtml("".join(event_html(e) for e in reversed(case.events)))
        for status in case.allowed_statuses:
            self.target.addItem(label(CaseStatus(status)), status)
        self.target.setEnabled(bool(case.allowed_statuses))
        self.status_button.setEnabled(bool(case.allowed_statuses))
        username = self.service.ws.actor.username
        self.undo_button.setEnabled(undoable_status_change(case, username, utc_now()) is not None)

    def _explain_no_status(self, case: CaseDetail | None) -> None:
        """Say who may move the case on when this user may not, and someone senior may."""
        status = CaseStatus(case.status) if case is not None else None
        senior_only = (
            case is not None
            and status is not None
            and not case.allowed_statuses
            and any(allowed_transitions(status, role) for role in SENIOR_ROLES)
        )
        if senior_only and status is not None:
            self.status_note.setText(
                _(
                    "Only the consul or head of section changes the status of a case "
                    "that is “{status}”."
                ).format(status=label(status))
            )
        else:
            self.status_note.clear()
        self.status_note.setVisible(senior_only)

    def _anchor_clicked(self, url: QUrl) -> None:
        kind, _sep, target = url.toString().partition(":")
        if kind in LINK_KINDS and target:
            self.link_activated.emit(kind, target)

    def typed_entry(self) -> bool:
        """Whether an entry is typed and not yet added."""
        return self.text.isEnabled() and bool(self.text.toPlainText().strip())

    def add_entry(self) -> None:
        """Write the typed entry off the GUI thread; the text is cleared once it is written."""
        case = self.case
        if case is None:
            return
        service, kind, text = self.service, self.kind.currentData(), self.text.toPlainText()

        def write() -> CaseDetail:
            service.add_event(case.id, kind, text)
            return service.get_case(case.id)

        self.writes.start(write, self._entry_added, self._show_refusal)

    def _entry_added(self, detail: CaseDetail) -> None:
        self.text.clear()
        self._changed(detail)

    def change_status(self) -> None:
        if self.case is None or self.target.currentIndex() < 0:
            return
        target = str(self.target.currentData())
        current = CaseStatus(self.case.status)
        required = reason_required(current, CaseStatus(target))
        dialog = ReasonDialog(
            self,
            _("Change the status"),
            _("{number}: {old} → {new}").format(
                number=self.case.number,
                old=label(current),
                new=label(CaseStatus(target)),
            ),
            required=required,
        )
        dialog.set_ok_text(lambda: _("Change the status"))  # not a bare OK: says what it does
        dialog.accepted.connect(lambda: self._set_status(target, dialog.text()))
        self.dialog = dialog
        dialog.open()

    def undo_status(self) -> None:
        """Take back the last status change (the service checks author and time)."""
        case = self.case
        if case is None:
            return
        service = self.service
        self.writes.start(
            lambda: service.undo_status_change(case.id, case.version),
            self._changed,
            self._show_refusal,
        )

    def _set_status(self, target: str, reason: str) -> None:
        """The reason dialog was accepted: write the new status off the GUI thread."""
        case = self.case
        if case is None:
            return
        service = self.service

        def written(detail: CaseDetail) -> None:
            self._changed(detail)
            self.status_set.emit(target)

        self.writes.start(
            lambda: service.set_status(case.id, target, reason, expected_version=case.version),
            written,
            lambda exc: show_error(self, exc),
        )

    @property
    def writing(self) -> bool:
        return self.writes.running

    def _show_refusal(self, exc: BaseException) -> None:
        show_refusal(self, self.error, exc)

    def _changed(self, detail: CaseDetail) -> None:
        """A write went through: the panel shows the new case, the editor hears of it."""
        self.error.clear_message()
        self.set_case(detail)
        self.case_changed.emit(detail)
