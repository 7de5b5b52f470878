"""Choose an employer or a recruitment agency on file, or add a new one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import cast

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import QorgauError
from app.i18n import _, ngettext
from app.services.organisations import OrganisationService
from app.services.records import (
    CombineResult,
    OrganisationChoice,
    OrganisationInfo,
    OrganisationInput,
)
from ui.palette import ERROR_TEXT
from ui.search_rows import write_search_rows_later
from ui.tasks import BackgroundTask, show_error
from ui.widgets.common import keep_narrow, push_button, word_wrapped
from ui.widgets.country_combo import CountryCombo
from ui.widgets.dialogs import ValidatingDialog, add_or_save_text, confirm
from ui.widgets.flow import FlowLayout
from ui.widgets.plain import literal_html, plain_label, plain_message


def show_whole_placeholder(edit: QLineEdit) -> None:
    """``edit`` at least as wide as its example: in the dialog's 420 pixels the Kazakh one
    read «Хат кімге жолданады, мысалы, …», the example itself cut off."""
    metrics = edit.fontMetrics()
    room = metrics.horizontalAdvance(edit.placeholderText()) + 3 * metrics.averageCharWidth()
    edit.setMinimumWidth(room)


class OrganisationDialog(ValidatingDialog):
    """A new employer or agency, or one on file corrected: saved at once, so both new and old
    cases use it. Letters to an employer print its contact person and postal address."""

    def __init__(
        self,
        parent: QWidget,
        service: OrganisationService,
        country: str,
        existing: OrganisationInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.existing = existing
        self.created: OrganisationInfo | None = None
        self.name = QLineEdit()
        self.country = CountryCombo()
        self.country.set_code(existing.country if existing else country)
        self.city = QLineEdit()
        self.address = QLineEdit()
        self.postcode = QLineEdit()
        self.postcode.setMaximumWidth(120)
        self.contact_person = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.registration_no = QLineEdit()
        self.form.addRow(_("&Name:"), self.name)
        self.form.addRow(_("&Country:"), self.country)
        self.form.addRow(_("C&ity:"), self.city)
        self.form.addRow(_("Street &address:"), self.address)
        self.form.addRow(_("&Postcode:"), self.postcode)
        self.form.addRow(_("Con&tact person:"), self.contact_person)
        self.form.addRow(_("P&hone:"), self.phone)
        self.form.addRow(_("E-&mail:"), self.email)
        self.form.addRow(_("Re&gistration number:"), self.registration_no)
        # What OK does: an organisation added to the list, or the one on file corrected.
        self.set_ok_text(add_or_save_text(existing is None))
        self.contact_person.setPlaceholderText(_("Whom letters address, e.g. the HR manager"))
        self.address.setPlaceholderText(_("Street and building, as letters print it"))
        for edit in (self.contact_person, self.address):
            show_whole_placeholder(edit)
        if existing is not None:
            for edit, value in (
                (self.name, existing.name),
                (self.city, existing.city),
                (self.address, existing.address),
                (self.postcode, existing.postcode),
                (self.contact_person, existing.contact_person),
                (self.phone, existing.phone),
                (self.email, existing.email),
                (self.registration_no, existing.registration_no),
            ):
                edit.setText(value)

    def data(self) -> OrganisationInput:
        notes = self.existing.notes if self.existing else ""
        return OrganisationInput(
            self.name.text(),
            self.country.code(),
            self.city.text(),
            address=self.address.text(),
            registration_no=self.registration_no.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            notes=notes,
            postcode=self.postcode.text(),
            contact_person=self.contact_person.text(),
        )

    def writer(self) -> Callable[[], OrganisationInfo]:
        """Written on a pool thread; the dialog closes once it is on file."""
        data, service, existing = self.data(), self.service, self.existing
        if existing is None:
            return lambda: service.create(data)
        # A rename's cases' search rows follow once the dialog has closed (``_edited``).
        return lambda: service.update(existing.id, data, search_rows_later=True)

    def written(self, result: object) -> None:
        assert isinstance(result, OrganisationInfo)
        self.created = result


# Pixels beyond its needs before a stacked picker puts its buttons beside the list again:
# more than a scroll bar's width.
ROOM_TO_SPARE = 40


class OrganisationPicker(QWidget):
    changed = Signal()
    combined = Signal(str)  # what a combining did, to be said

    def __init__(
        self, service: OrganisationService, kind_label: str, can_watchlist: bool = False
    ) -> None:
        super().__init__()
        self.service = service
        self.kind_label = kind_label
        self.country = ""
        self.dialog: OrganisationDialog | None = None
        self.task: BackgroundTask[object] | None = None
        # Every organisation of the country is listed (names only, ``load``); a chosen one's
        # record is read when it is chosen. The list stopped at 500 by name, so an employer
        # further on could not be chosen, and was entered again as a new one.
        self.known: dict[str, OrganisationInfo] = {}  # records read so far
        # The country and ``choices_version`` the list was filled at, and the one organisation
        # of another country it lists (the case's), if any.
        self._listed: tuple[str, tuple[int, int]] | None = None
        self._foreign: str | None = None
        self._counted: set[str] = set()  # ids in ``known`` that carry their complaint count
        self.combo = QComboBox()
        self.combo.setEditable(False)
        # Grows with the form but may narrow to 14 characters (full names in the list), so the
        # case form fits beside the timeline at 1366×768.
        keep_narrow(self.combo, 14)
        self.combo.currentIndexChanged.connect(self._selection_changed)
        self.add_button = push_button(self.add_new)
        self.edit_button = push_button(self.edit_selected)
        # Putting an employer or agency on the watchlist is the head of section's decision.
        self.watch_button = QPushButton()
        if not can_watchlist:
            self.watch_button.hide()
        self.watch_button.clicked.connect(self.edit_watchlist)
        self.warning = word_wrapped(plain_label())  # quotes the watchlist reason
        self.warning.setStyleSheet(f"color: {ERROR_TEXT};")
        self.warning.hide()
        # The chosen one entered again under another writing, before names were matched so
        # ("ООО «Ромашка»" fifty times): said, and for the head of section made one.
        # Of the organisations listed: id -> its name's key, and key -> (id, text) of each.
        self.keys: dict[str, str] = {}
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        self.twins_note = word_wrapped(plain_label())
        self.combine_button = push_button(self.combine_twins)
        if not can_watchlist:  # the same decision-maker; never shown before it has a parent
            self.combine_button.hide()
        self.twins_row = QWidget()
        twins_layout = QHBoxLayout(self.twins_row)
        twins_layout.setContentsMargins(0, 0, 0, 0)
        twins_layout.addWidget(self.twins_note, 1)
        twins_layout.addWidget(self.combine_button)
        self.twins_row.hide()
        self.combine_box: QMessageBox | None = None
        # Under the list they wrap too: a consul's three in a row (320 pixels in Kazakh at
        # 150 % display scaling) were the narrowest the case's form could be.
        self.buttons = FlowLayout(one_row=True)
        for button in (self.add_button, self.edit_button, self.watch_button):
            self.buttons.addWidget(button)
        # The buttons beside the list, or under it when the form is narrow (a consul's three
        # buttons in Kazakh or Russian made the case form scroll sideways beside the timeline).
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.combo, 1)
        self.row.addLayout(self.buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self.row)
        layout.addWidget(self.warning)
        layout.addWidget(self.twins_row)
        self.setFocusProxy(self.combo)
        self.retranslate_ui()

    def _side_by_side_width(self) -> int:
        return (
            self.combo.minimumSizeHint().width()
            + self.row.spacing()
            + self.buttons.sizeHint().width()
        )

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        """As narrow as the list or the buttons alone: they go one under the other."""
        hint = super().minimumSizeHint()
        stacked = max(self.combo.minimumSizeHint().width(), self.buttons.minimumSize().width())
        return QSize(stacked, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        # After this resize, not inside it; and back beside the list only with room to spare:
        # the form's scroll bar, shown or hidden as the form grows or shrinks, changes the
        # width by as much, and the two layouts took turns for ever.
        QTimer.singleShot(0, self, self._arrange)

    def _arrange(self) -> None:
        width, needed = self.width(), self._side_by_side_width()
        side_by_side = self.row.direction() == QBoxLayout.Direction.LeftToRight
        if side_by_side and width < needed:
            self.row.setDirection(QBoxLayout.Direction.TopToBottom)
        elif not side_by_side and width >= needed + ROOM_TO_SPARE:
            self.row.setDirection(QBoxLayout.Direction.LeftToRight)

    def retranslate_ui(self) -> None:
        # Says what it makes: a bare "New…" (kk «Жаңа…») left the officer guessing.
        if self.service.kind == "employer":
            self.add_button.setText(_("New employer…"))
        else:
            self.add_button.setText(_("New agency…"))
        self.edit_button.setText(_("Details…"))
        self.edit_button.setToolTip(_("Address, contact person, phone and e-mail"))
        self.watch_button.setText(_("Watchlist…"))
        self.watch_button.setToolTip(_("Put on the watchlist, or take off it, with the reason"))
        self.combine_button.setText(_("Combine…"))
        self.combine_button.setToolTip(
            _("Make one of the records: their cases go to the one chosen, then they are removed")
        )
        if self.combo.count():
            self.combo.setItemText(0, _("— none —"))
        self._show_warning()

    def _selection_changed(self, _index: int) -> None:
        self._show_warning()
        self.changed.emit()

    def selected(self) -> OrganisationInfo | None:
        chosen = self.selected_id()
        if not chosen:
            return None
        if chosen not in self.known:
            try:
                self.known[chosen] = self.service.get(chosen, counted=False)
            except QorgauError:
                return None  # removed meanwhile, or the database busy
        return self.known[chosen]

    def _show_warning(self) -> None:
        org = self.selected()
        self.watch_button.setEnabled(org is not None)
        self.edit_button.setEnabled(org is not None)
        self._show_twins()
        if org is None or not org.watchlist:
            self.warning.hide()
            return
        if org.id not in self._counted:
            try:
                count = self.service.complaint_count(org.id)
                org = self.known[org.id] = replace(org, complaint_count=count)
            except QorgauError:
                pass  # the database busy: warned without the count
            self._counted.add(org.id)
        reason = org.watchlist_reason or _("no reason recorded")
        self.warning.setText(
            ngettext(
                "⚠ On the watchlist ({n} complaint): {reason}",
                "⚠ On the watchlist ({n} complaints): {reason}",
                org.complaint_count,
            ).format(n=org.complaint_count, reason=reason)
        )
        self.warning.show()

    def twins(self) -> list[str]:
        """The names of the others listed under the chosen one's name written another way."""
        chosen = self.selected_id()
        key = self.keys.get(chosen or "")
        if not key:
            return []
        return [text for org_id, text in self.by_key[key] if org_id != chosen]

    def _show_twins(self) -> None:
        others = self.twins()
        if not others:
            self.twins_row.hide()
            return
        listed = "; ".join(others[:3]) + ("; …" if len(others) > 3 else "")
        note = ngettext(
            "Also on file {n} more time, written another way: {names}.",
            "Also on file {n} more times, written other ways: {names}.",
            len(others),
        ).format(n=len(others), names=listed)
        if self.combine_button.isHidden():
            note += " " + _("A consul can combine them.")
        self.twins_note.setText(note)
        self.twins_row.show()

    def combine_twins(self) -> None:
        org = self.selected()
        others = self.twins()
        if org is None or not others or (self.task is not None and self.task.running):
            return
        text = _(
            "Combine the {n} other records of {name} into this one? Their cases held here go to "
            "it, the details it lacks are taken from them, a watchlist entry stays, and they are "
            "removed. Do this only if they are one organisation."
        ).format(n=len(others), name=org.name)
        self.combine_box = confirm(
            self, _("Combine records"), text, lambda: self._combine(org.id), _("Combine")
        )

    def _combine(self, org_id: str) -> None:
        service = self.service
        task: BackgroundTask[object] = BackgroundTask(
            self, lambda _context: service.combine(org_id)
        )
        task.while_busy(self.add_button, self.edit_button, self.watch_button, self.combine_button)
        task.success(lambda result: self._combined(cast(CombineResult, result)))
        task.failure(lambda exc: self._refused(_("Combine records"), exc))
        self.task = task.run_in_background()

    def _combined(self, result: CombineResult) -> None:
        self.known.pop(result.kept.id, None)
        self._counted.discard(result.kept.id)
        self.load(self.country, result.kept.id)
        said = ngettext(
            "{n} record combined into {name}",
            "{n} records combined into {name}",
            result.combined,
        ).format(n=result.combined, name=result.kept.name)
        said += "; " + ngettext(
            "{n} case moved to it.", "{n} cases moved to it.", result.cases_moved
        ).format(n=result.cases_moved)
        if result.kept_apart:
            said += " " + ngettext(
                "{n} record stays: cases held elsewhere refer to it, or another installation "
                "made it.",
                "{n} records stay: cases held elsewhere refer to them, or another installation "
                "made them.",
                result.kept_apart,
            ).format(n=result.kept_apart)
        self.combined.emit(said)

    def edit_watchlist(self) -> None:
        org = self.selected()
        if org is None:
            return
        reason, accepted = QInputDialog.getMultiLineText(
            self,
            _("Watchlist"),
            literal_html(
                _("Why should officers be careful with {name}? Leave empty to take it off.").format(
                    name=org.name
                )
            ),
            org.watchlist_reason,
        )
        if not accepted or (self.task is not None and self.task.running):
            return
        service, text = self.service, reason.strip()
        task: BackgroundTask[object] = BackgroundTask(
            self, lambda _context: service.set_watchlist(org.id, bool(text), text)
        )
        task.while_busy(self.add_button, self.edit_button, self.watch_button)
        task.success(lambda _done: self.load(self.country, org.id))
        task.failure(lambda exc: self._refused(_("Watchlist"), exc))
        self.task = task.run_in_background()

    def _refused(self, title: str, exc: BaseException) -> None:
        """A refusal in words under ``title``; anything else as an error."""
        if isinstance(exc, QorgauError):
            plain_message(self, title, str(exc))
        else:
            show_error(self, exc)

    @property
    def writing(self) -> bool:
        return self.task is not None and self.task.running

    def load(self, country: str, selected: str | None = None) -> None:
        """The organisations of ``country`` (and the selected one, wherever it is). Listed
        again only when they may have changed since (``choices_version``): each case opened
        loads both pickers, and a country's 5,000 employers took some 40 ms to read and list
        each time (opening a case 44 ms instead of 12 at 100,000 cases)."""
        chosen = selected if selected is not None else self.selected_id()
        try:
            version = self.service.choices_version(country or None)
        except QorgauError:  # the database busy: listed again as before
            version = None
        same_list = version is not None and (country, version) == self._listed
        if not (same_list and self._foreign in (None, chosen) and self._choose(chosen)):
            self._fill(country, chosen)
            self._listed = (country, version) if version is not None else None
        self._show_warning()

    def _choose(self, chosen: str | None) -> bool:
        """``chosen`` made current in the list as it is, if it is there."""
        index = self.combo.findData(chosen) if chosen else 0
        if index < 0:
            return False
        self.known = {}  # the records (a complaint count above all) are read again
        self._counted = set()
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        return True

    def _fill(self, country: str, chosen: str | None) -> None:
        self.country = country
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(_("— none —"), "")
        # Names only: a record is read when chosen, the complaint count for a watchlisted one.
        orgs = list(self.service.choices(country or None))
        self.known = {}
        self._counted = set()
        self._foreign = None
        if chosen and chosen not in {o.id for o in orgs}:  # the case's, from another country
            try:
                info = self.service.get(chosen, counted=False)
                orgs.insert(0, OrganisationChoice(info.id, info.name, info.city, info.watchlist))
                self.known[chosen] = info
                self._foreign = chosen
            except QorgauError:
                chosen = None
        self.keys, self.by_key = {}, {}
        for org in orgs:
            text = f"{org.name} — {org.city}" if org.city else org.name
            if org.watchlist:
                text += " ⚠"
            self.combo.addItem(text, org.id)
            if org.key:
                self.keys[org.id] = org.key
                self.by_key.setdefault(org.key, []).append((org.id, text))
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

    def edit_selected(self) -> OrganisationDialog | None:
        """Correct the chosen organisation's record (address and contacts for letters)."""
        org = self.selected()
        if org is None:
            return None
        dialog = OrganisationDialog(self, self.service, self.country, existing=org)
        dialog.setWindowTitle(org.name)
        dialog.accepted.connect(lambda: self._edited(org, dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _edited(self, before: OrganisationInfo, dialog: OrganisationDialog) -> None:
        # The same organisation stays chosen: the case itself did not change.
        self.load(self.country, before.id)
        if dialog.created is not None and dialog.created.name != before.name:
            write_search_rows_later(self, self.service.ws)

    def _created(self, dialog: OrganisationDialog) -> None:
        if dialog.created is not None:
            self.load(self.country, dialog.created.id)
            self.changed.emit()
