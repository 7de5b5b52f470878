"""Issue 18, items 1–3: data entry never changes by accident, and the keyboard is never trapped.

Each test replays what an officer did: turned the wheel over a form, pressed Space in the
status dialog, walked the new-case form with Tab, pressed Enter after a wizard error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.domain.roles import MISSION_STAFF_ROLES
from app.errors import PermissionDenied, ValidationError
from app.services import cases as cases_module
from app.services.cases import CaseService
from app.services.keys import KeyService
from app.services.organisations import OrganisationService
from app.services.records import CaseDetail
from app.services.users import UserInfo
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.ui.new_case import cases_area_of, fill_new_case
from tests.ui.press import (
    activate,
    ask_status,
    click,
    on_screen,
    press_save,
    wait_for,
    wait_written,
)
from ui.cases import editor as editor_module
from ui.cases.area import CasesArea
from ui.cases.editor import CaseEditor
from ui.cases.org_picker import OrganisationDialog
from ui.exchange.hq import TransferDialog
from ui.exchange.keys import TrustKeyDialog
from ui.i18n_bridge import LanguageBridge
from ui.letters.dialog import LetterDialog
from ui.main_window import MainWindow
from ui.recovery import RecoverDialog
from ui.settings.users import AddUserDialog, SignatureDialog
from ui.setup import wizard as wizard_module
from ui.setup.wizard import ADMIN, MISSION, SetupWizard
from ui.widgets.dialogs import PasswordDialog, ReasonDialog, ValidatingDialog, focus_inputs

MakeWindow = Callable[..., MainWindow]
# Taken before the autouse fixture replaces it: the real question is tested here.
REAL_ASK_UNSAVED = editor_module.ask_unsaved


def wheel(widget: QWidget, steps: int = -1) -> QWheelEvent:
    """Turn the mouse wheel over the middle of ``widget`` (negative: towards the user)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
    return event


def _saved_case(qtbot: QtBot, area: object) -> CaseEditor:
    editor = area.editor  # type: ignore[attr-defined]
    fill_new_case(area)  # type: ignore[arg-type]
    assert press_save(qtbot, editor)
    return editor


def _case_saved_by(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> tuple[CaseService, CaseDetail]:
    """A case saved in a window signed in on ``ws``, and the case service of that user."""
    case = _saved_case(qtbot, cases_area_of(make_window(ws))).case
    assert case is not None
    return CaseService(ws), case


# 1. The mouse wheel --------------------------------------------------------------------------


def test_wheel_over_an_unfocused_host_country_changes_nothing(
    qtbot: QtBot, cases_area: CasesArea
) -> None:
    editor = _saved_case(qtbot, cases_area)
    editor.description.setFocus()
    before = editor.host_country.code()
    for _turn in range(3):
        event = wheel(editor.host_country)
        assert not event.isAccepted()  # left to the scroll area around the form
    assert editor.host_country.code() == before
    assert not editor.dirty
    assert not editor.heading.text().endswith("*")
    assert not editor.save_button.isEnabled()
    # The same turn in the field the user is in does change it: the event was a real one.
    activate(qtbot, editor)
    editor.host_country.setFocus()
    assert editor.host_country.hasFocus()
    wheel(editor.host_country)
    assert editor.host_country.code() != before
    assert editor.dirty


def test_wheel_over_an_unfocused_urgency_on_a_new_case_changes_nothing(
    qtbot: QtBot, cases_area: CasesArea
) -> None:
    cases_area.new_case()
    editor = cases_area.editor
    assert editor.urgency.currentData() == "normal"
    for _turn in range(4):
        wheel(editor.urgency)
    assert editor.urgency.currentData() == "normal"
    assert not editor.dirty


@pytest.mark.parametrize("make_field", [QComboBox, QSpinBox, QDateEdit])
def test_value_fields_take_the_wheel_only_with_the_focus(
    qtbot: QtBot, make_field: Callable[[], QWidget]
) -> None:
    form = QWidget()
    layout = QVBoxLayout(form)
    field = make_field()
    other = QSpinBox()
    layout.addWidget(field)
    layout.addWidget(other)
    if isinstance(field, QComboBox):
        field.addItems(["one", "two", "three"])
    scroll = QScrollArea()
    scroll.setWidget(form)
    qtbot.addWidget(scroll)
    scroll.show()
    qtbot.waitExposed(scroll)
    # The wheel does not hand the field the focus either (Qt's default for these widgets).
    assert field.focusPolicy() == Qt.FocusPolicy.StrongFocus

    def value() -> object:
        if isinstance(field, QComboBox):
            return field.currentIndex()
        if isinstance(field, QDateEdit):
            return field.date()
        assert isinstance(field, QSpinBox)
        return field.value()

    other.setFocus()
    before = value()
    wheel(field, steps=1)
    wheel(field, steps=-1)
    wheel(field, steps=-1)
    assert value() == before


# The modified marker and the unsaved question --------------------------------------------------


def test_the_editor_marks_unsaved_changes_and_saves_only_then(
    qtbot: QtBot, cases_area: CasesArea
) -> None:
    editor = _saved_case(qtbot, cases_area)
    assert not editor.save_button.isEnabled()
    heading = editor.heading.text()
    editor.description.setFocus()
    qtbot.keyClicks(editor.description, " Also no days off.")
    assert editor.dirty
    assert editor.heading.text() == heading + " *"
    assert editor.save_button.isEnabled()
    click(qtbot, editor.save_button)
    assert not editor.save_button.isEnabled()  # disabled while it writes: one save a click
    wait_for(qtbot, editor.save_task)
    assert not editor.dirty
    assert editor.heading.text() == heading
    assert not editor.save_button.isEnabled()
    assert editor.case is not None and "Also no days off." in editor.case.description


def test_enter_on_the_unsaved_question_cancels(qtbot: QtBot) -> None:
    parent = on_screen(qtbot, QWidget())
    seen: list[QMessageBox.StandardButton] = []

    def press_enter() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.standardButton(box.defaultButton()))
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, press_enter)
    answer = REAL_ASK_UNSAVED(parent)
    assert seen == [QMessageBox.StandardButton.Cancel]
    assert answer == QMessageBox.StandardButton.Cancel


# 2. The status dialog --------------------------------------------------------------------------


def test_space_pressed_in_the_status_dialog_confirms_nothing(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    editor = _saved_case(qtbot, cases_area_of(make_window(open_ws("serik"))))  # a consul may reject
    timeline = editor.timeline
    dialog = ask_status(qtbot, timeline, "rejected")
    qtbot.waitUntil(dialog.reason.hasFocus)  # the cursor is in the reason, not on OK
    assert not dialog.ok_button().isEnabled()
    for _press in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert not dialog.ok_button().isEnabled()  # spaces are no reason
    assert editor.case is not None and editor.case.status == "new"
    assert [e.kind for e in editor.case.events].count("status_change") == 0
    qtbot.keyClicks(dialog.reason, "Not a labour matter: a family dispute.")
    assert dialog.ok_button().isEnabled()
    click(qtbot, dialog.ok_button())
    wait_written(qtbot, timeline)
    assert editor.case.status == "rejected"
    assert editor.case.events[-1].text == "Not a labour matter: a family dispute."


def test_space_in_a_dialog_without_a_required_reason_types_instead_of_confirming(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    editor = _saved_case(qtbot, cases_area_of(make_window(open_ws("aigul"))))
    timeline = editor.timeline
    dialog = ask_status(qtbot, timeline, "in_progress")
    for _press in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert dialog.isVisible()
    assert editor.case is not None and editor.case.status == "new"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_service_refuses_a_status_change_that_needs_a_reason_without_one(
    qtbot: QtBot, open_ws: OpenWs, make_window: MakeWindow
) -> None:
    service, case = _case_saved_by(qtbot, make_window, open_ws("serik"))
    for reason in ("", "   \n "):
        with pytest.raises(ValidationError) as refused:
            service.set_status(case.id, "rejected", reason, expected_version=case.version)
        assert refused.value.field == "reason"
    assert service.get_case(case.id).status == "new"


def test_the_author_undoes_the_last_status_change_on_the_record(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    ws = open_ws("aigul")
    editor = _saved_case(qtbot, cases_area_of(make_window(ws)))
    timeline = editor.timeline
    assert not timeline.undo_button.isEnabled()  # nothing to undo yet
    click(qtbot, ask_status(qtbot, timeline, "resolved").ok_button())
    wait_written(qtbot, timeline)
    assert editor.case is not None and editor.case.status == "resolved"
    assert editor.case.resolved_at is not None
    assert timeline.undo_button.isEnabled()
    click(qtbot, timeline.undo_button)
    wait_written(qtbot, timeline)
    case = editor.case
    assert case.status == "new"
    assert case.resolved_at is None
    kinds = [(e.kind, e.status_from, e.status_to, e.author) for e in case.events]
    # Nothing erased: the change and its undo are both on the timeline.
    assert kinds[-2:] == [
        ("status_change", "new", "resolved", "aigul"),
        ("status_undone", "resolved", "new", "aigul"),
    ]
    assert "Status change undone" in timeline.events.toPlainText()
    assert not timeline.undo_button.isEnabled()  # an undo is not undone in turn
    with pytest.raises(ValidationError):
        CaseService(ws).undo_status_change(case.id)
    with ws.read() as session:
        from sqlalchemy import select

        from app.db.models import AuditEntry

        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert actions.count("case.status") == 1
    assert actions.count("case.status_undo") == 1


def test_only_the_author_may_undo_and_only_within_the_window(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    make_window: MakeWindow,
    open_ws: OpenWs,
) -> None:
    hers, case = _case_saved_by(qtbot, make_window, open_ws("aigul"))
    hers.set_status(case.id, "referred", "To the shelter in Seoul.")
    serik = CaseService(open_ws("serik"))
    with pytest.raises(PermissionDenied):
        serik.undo_status_change(case.id)
    later = datetime.now(UTC) + cases_module.UNDO_WINDOW + timedelta(seconds=5)
    monkeypatch.setattr(cases_module, "utc_now", lambda: later)
    with pytest.raises(ValidationError, match="only within 10 minutes"):
        hers.undo_status_change(case.id)
    detail = serik.get_case(case.id)
    assert detail.status == "referred"
    assert [e.kind for e in detail.events].count("status_undone") == 0
    assert cases_module.undoable_status_change(detail, "aigul", later) is None
    assert cases_module.undoable_status_change(detail, "aigul", datetime.now(UTC)) is not None


def test_undoing_a_reopening_restores_the_closed_case_with_its_dates(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    service, case = _case_saved_by(qtbot, make_window, open_ws("serik"))
    service.set_status(case.id, "resolved", "Wages paid.")
    closed = service.set_status(case.id, "closed", "")
    reopened = service.set_status(case.id, "in_progress", "Employer stopped paying again.")
    assert reopened.closed_at is None and reopened.resolved_at is None
    restored = service.undo_status_change(case.id, expected_version=reopened.version)
    assert restored.status == "closed"
    assert restored.closed_at == closed.closed_at
    assert restored.resolved_at == closed.resolved_at


# 3. Keyboard ---------------------------------------------------------------------------------


def _tab_walk(qtbot: QtBot, start: QWidget, limit: int = 200) -> list[QWidget]:
    """The widgets Tab visits from ``start`` until it comes back to it."""
    start.setFocus()
    visited: list[QWidget] = [start]
    for _press in range(limit):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        assert now is not None
        if now is start:
            return visited
        visited.append(now)
    raise AssertionError("Tab never came back to where it started: " + _names(visited[-12:]))


def _names(widgets: list[QWidget]) -> str:
    return ", ".join(type(w).__name__ for w in widgets)


def test_tab_walks_the_whole_new_case_form_and_reaches_save(
    qtbot: QtBot, cases_area: CasesArea
) -> None:
    cases_area.new_case()
    editor = cases_area.editor
    qtbot.keyClicks(editor.person.edits["surname"], "Akhmetova")  # Save is enabled once dirty
    assert editor.save_button.isEnabled()
    walk = _tab_walk(qtbot, editor.person.finder)
    form_inputs = [
        w
        for box in (editor.person_box, editor.case_box, editor.complaint_box)
        for w in focus_inputs(box)
    ]
    missed = [w for w in form_inputs if w not in walk]
    assert not missed, "Tab never reaches: " + _names(missed)
    for needed in (
        editor.host_country,
        editor.urgency,
        editor.description,
        editor.save_button,
    ):
        assert needed in walk
    # Out of the consent group into the case, not back to its first field.
    after_consent = walk[walk.index(editor.person.consent_note) + 1]
    assert after_consent is editor.host_country
    # The form is walked top to bottom.
    positions = [walk.index(w) for w in form_inputs]
    assert positions == sorted(positions)


def _dialogs(
    ws: Workspace, paths: Paths, parent: QWidget, bridge: LanguageBridge
) -> list[ValidatingDialog]:
    user = UserInfo("aigul", "attache", "Айгүл Сейітова", True, datetime.now(UTC), None)
    return [
        ReasonDialog(None, "Change the status", required=True),
        ReasonDialog(None, "Remove", required=False),
        PasswordDialog(None, "New password"),
        AddUserDialog(None, set(), MISSION_STAFF_ROLES),
        SignatureDialog(None, user),
        OrganisationDialog(parent, OrganisationService(ws, "employer"), "KR"),
        TransferDialog(None, []),
        TrustKeyDialog(None, KeyService(ws)),
        RecoverDialog(None, paths, bridge),
    ]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_no_dialogs_label_or_recovery_key_is_cut(
    qtbot: QtBot, ws: Workspace, installation: Paths, bridge: LanguageBridge, language: str
) -> None:
    """ "Forgot all passwords?" in Kazakh cut its first label to «Қалпына келтір» and showed
    14 of a recovery key's 47 characters; a worker's occupation had a 180-pixel field."""
    from app.security.recovery_key import new_recovery_key

    bridge.set_language(language)
    parent = QWidget()
    qtbot.addWidget(parent)
    cut: dict[str, list[str]] = {}
    for dialog in _dialogs(ws, installation, parent, bridge):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        labels = [
            label
            for label in dialog.findChildren(QLabel)
            if label.isVisible() and not label.wordWrap() and label.text()
        ]
        short = [x.text() for x in labels if x.width() < x.minimumSizeHint().width()]
        if short:
            cut[type(dialog).__name__] = short
        if isinstance(dialog, RecoverDialog):
            dialog.key.setText(new_recovery_key())
            margins = dialog.key.textMargins()
            room = dialog.key.width() - margins.left() - margins.right() - 8  # the frame
            assert dialog.key.fontMetrics().horizontalAdvance(dialog.key.text()) <= room
        dialog.close()
    assert cut == {}


def test_every_dialog_starts_in_its_first_field_and_tab_reaches_every_input_and_ok(
    qtbot: QtBot, ws: Workspace, installation: Paths, bridge: LanguageBridge
) -> None:
    parent = QWidget()  # the organisation dialog needs one; it must outlive the dialog
    qtbot.addWidget(parent)
    for dialog in _dialogs(ws, installation, parent, bridge):
        qtbot.addWidget(dialog)
        dialog.open()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        inputs = [w for w in focus_inputs(dialog) if not dialog.buttons.isAncestorOf(w)]
        first = QApplication.focusWidget()
        assert first is inputs[0], f"{type(dialog).__name__} starts in {type(first).__name__}"
        if isinstance(dialog, ReasonDialog) and dialog.required:
            qtbot.keyClicks(dialog.reason, "a reason")  # OK waits for it
        walk = _tab_walk(qtbot, inputs[0])
        missed = [w for w in inputs if w not in walk]
        assert not missed, f"{type(dialog).__name__}: Tab never reaches " + _names(missed)
        ok = dialog.ok_button()
        assert ok in walk
        assert walk.index(ok) > max(walk.index(w) for w in inputs)  # buttons come last
        dialog.done(QDialog.DialogCode.Rejected)


def test_wizard_keeps_the_focus_on_the_field_after_an_error_and_asks_before_cancel(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[bool] = []
    answers = [False, True]

    def ask(_parent: QWidget) -> bool:
        asked.append(True)
        return answers.pop(0)

    monkeypatch.setattr(wizard_module, "ask_discard_setup", ask)
    paths = Paths(tmp_path / "new-install")
    wizard = on_screen(qtbot, SetupWizard(paths, bridge))
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    wizard.next()
    assert wizard.currentId() == MISSION
    page = wizard.mission
    page.code.setFocus()
    qtbot.keyClicks(page.code, "ist1")
    next_button = wizard.button(wizard.WizardButton.NextButton)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == MISSION
    assert page.error.isVisibleTo(page)
    assert page.code.hasFocus()  # not Cancel: Enter now must not quit
    # On the last page a refused password keeps the cursor in the password field.
    page.code.setText("IST")
    page.country.set_code("TR")  # chosen: no country is taken for granted
    page.city.setText("Istanbul")
    names = ("Ыстамбұл", "Стамбул", "Istanbul")
    for edit, text in zip((page.name_kk, page.name_ru, page.name_en), names, strict=True):
        edit.setText(text)
    wizard.next()
    wizard.next()
    assert wizard.currentId() == ADMIN
    wizard.admin.password.setText("short")
    wizard.admin.repeat.setText("short")
    finish = wizard.button(wizard.WizardButton.FinishButton)
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert wizard.task is None  # refused before any work started
    assert wizard.admin.password.hasFocus()
    assert wizard.admin.error.isVisibleTo(wizard.admin)
    # Cancel asks; "keep typing" keeps everything, "discard" closes.
    cancel = wizard.button(wizard.WizardButton.CancelButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert asked == [True] and wizard.isVisible()
    assert page.code.text() == "IST"
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert asked == [True, True] and not wizard.isVisible()
    assert not paths.is_initialised()


def test_wizard_cancel_without_typed_work_closes_without_asking(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ask(_parent: QWidget) -> bool:
        raise AssertionError("nothing was typed: nothing to ask")

    monkeypatch.setattr(wizard_module, "ask_discard_setup", ask)
    wizard = on_screen(qtbot, SetupWizard(Paths(tmp_path / "new-install"), bridge))
    wizard.next()
    wizard.reject()
    assert not wizard.isVisible()


def test_the_letter_dialog_starts_in_its_first_field_and_tab_reaches_save(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    case = _saved_case(qtbot, cases_area_of(window)).case
    assert case is not None
    dialog = LetterDialog(ws, case.id, case.number, parent=window)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert QApplication.focusWidget() is dialog.kind  # it started on the form's scroll area
    walk = _tab_walk(qtbot, dialog.kind)
    missed = [w for w in focus_inputs(dialog) if w not in walk]
    assert not missed, "Tab never reaches " + _names(missed)
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Save) in walk
    dialog.refresh_timer.stop()  # no preview rendered after the test
    dialog.done(QDialog.DialogCode.Rejected)
