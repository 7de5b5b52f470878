"""The worker's record in the case editor: contact details, consent and subject access export."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.iin import make_iin
from app.i18n import format_date
from app.services.cases import CaseService
from app.services.people import PersonService
from app.services.records import CaseChanges, CaseInput, PersonInput
from app.services.workspace import Workspace
from tests.ui.press import click, on_screen, press_save
from ui.cases import editor as editor_module
from ui.cases.editor import CaseEditor

IIN = make_iin(date(1994, 3, 15), "female", 4012)
CONSENT_DAY = date.today() - timedelta(days=3)
NO_CONSENT = "No consent recorded: ask the worker and record the date and scope."


def _editor(qtbot: QtBot, ws: Workspace) -> CaseEditor:
    return on_screen(qtbot, CaseEditor(ws, [("admin", "Admin")]))


def _fill_new_case(editor: CaseEditor) -> None:
    person = editor.person
    person.edits["surname"].setText("Құрманғалиқызы")
    person.edits["given_names"].setText("Әсел")
    person.iin.setText(IIN)
    editor.description.setPlainText("Wages unpaid for three months.")
    editor.categories.set_checked(("unpaid_wages",))
    editor.dirty = True


def _reopened(qtbot: QtBot, ws: Workspace, case_id: str) -> CaseEditor:
    editor = _editor(qtbot, ws)
    editor.open_case(case_id)
    return editor


def test_consent_date_and_scope_are_saved_and_shown_again(qtbot: QtBot, ws: Workspace) -> None:
    editor = _editor(qtbot, ws)
    _fill_new_case(editor)
    person = editor.person
    person.consent_date.setText(CONSENT_DAY.strftime("%d.%m.%Y"))
    click(qtbot, person.scope_checks["case_handling"])
    click(qtbot, person.scope_checks["share_hq"])
    person.consent_note.setText("Signed form, scan in the attachments")
    assert press_save(qtbot, editor), editor.error.text()
    case = editor.case
    assert case is not None
    stored = PersonService(ws).get(case.person.id)
    assert stored.consent_date == CONSENT_DAY
    assert set(stored.consent_scope) == {"case_handling", "share_hq"}
    assert stored.consent_note == "Signed form, scan in the attachments"

    reopened = _reopened(qtbot, ws, case.id)  # held: qtbot keeps widgets only weakly
    again = reopened.person
    assert again.consent_date.text() == format_date(CONSENT_DAY)
    ticked = {code for code, check in again.scope_checks.items() if check.isChecked()}
    assert ticked == {"case_handling", "share_hq"}
    assert again.consent_note.text() == "Signed form, scan in the attachments"
    assert again.consent_note.cursorPosition() == 0  # read from its start, not its end
    assert again.consent_warning.isHidden()


def test_the_warning_shows_without_consent_and_hides_with_it(qtbot: QtBot, ws: Workspace) -> None:
    editor = _editor(qtbot, ws)
    person = editor.person
    assert person.consent_title.text() == "Consent to processing of personal data"
    assert person.consent_warning.isVisibleTo(editor)
    assert person.consent_warning.text() == NO_CONSENT
    person.consent_date.setText(CONSENT_DAY.strftime("%d.%m.%Y"))
    assert person.consent_warning.isVisibleTo(editor)
    assert person.consent_warning.text() == "Tick what the worker agreed to."
    click(qtbot, person.scope_checks["case_handling"])
    assert not person.consent_warning.isVisibleTo(editor)
    person.consent_date.clear()
    assert person.consent_warning.text() == NO_CONSENT
    assert person.consent_warning.isVisibleTo(editor)
    # A check box does not wrap: cut in a narrow form, each choice is read in its tooltip.
    assert all(check.toolTip() == check.text() for check in person.scope_checks.values())


def test_a_consent_date_in_the_future_is_refused_beside_the_field(
    qtbot: QtBot, ws: Workspace
) -> None:
    editor = _editor(qtbot, ws)
    _fill_new_case(editor)
    tomorrow = date.today() + timedelta(days=1)
    editor.person.consent_date.setText(tomorrow.strftime("%d.%m.%Y"))
    assert not press_save(qtbot, editor)
    error = editor.person.boxes["consent_date"].error
    assert error.isVisibleTo(editor)
    assert "The date of consent" in error.text()
    assert CaseService(ws).count_cases() == 0


def test_the_extra_details_round_trip_and_fold_away(qtbot: QtBot, ws: Workspace) -> None:
    editor = _editor(qtbot, ws)
    _fill_new_case(editor)
    person = editor.person
    assert not person.details["email"].isVisibleTo(editor)  # folded at first
    assert person.details_toggle.text() == "More details"
    click(qtbot, person.details_toggle)
    assert person.details["email"].isVisibleTo(editor)
    values = {
        "phone_home": "+7 701 000 0000",
        "email": "asel@example.kz",
        "messenger": "Telegram @asel",
        "address_abroad": "Seoul, Guro-gu, 12",
        "address_home": "Shymkent, Tauke khan avenue 5",
        "next_of_kin": "Құрманғали Ерлан, brother, +7 702 000 0000",
    }
    for name, text in values.items():
        person.details[name].setText(text)
    person.sex.setCurrentIndex(person.sex.findData("female"))
    person.edits["patronymic"].setText("Ерланқызы")
    assert press_save(qtbot, editor), editor.error.text()
    case = editor.case
    assert case is not None
    stored = PersonService(ws).get(case.person.id)
    assert {name: getattr(stored, name) for name in values} == values
    assert stored.sex == "female"
    assert stored.patronymic == "Ерланқызы"

    reopened = _reopened(qtbot, ws, case.id)
    again = reopened.person
    assert {name: again.details[name].text() for name in values} == values
    assert again.sex.currentData() == "female"
    assert again.sex.currentText() == "Female"
    assert again.details_toggle.text() == "More details"
    assert again.details_count.isVisibleTo(reopened)
    assert again.details_count.text() == "(7 filled)"
    click(qtbot, again.details_toggle)
    assert again.details_toggle.text() == "More details"
    assert not again.details_count.isVisibleTo(reopened)
    # Shown unchanged, the person is not saved again.
    assert reopened._changes(case) == CaseChanges()
    assert not reopened.dirty


def test_an_error_on_a_folded_detail_opens_the_section(qtbot: QtBot, ws: Workspace) -> None:
    editor = _editor(qtbot, ws)
    _fill_new_case(editor)
    editor.person.details["email"].setText("x" * 201)
    assert not press_save(qtbot, editor)
    box = editor.person.boxes["email"]
    assert box.isVisibleTo(editor)
    assert box.error.text() == "E-mail is too long: 201 characters, at most 200."
    assert CaseService(ws).count_cases() == 0


def test_consent_codes_from_other_tools_are_kept(qtbot: QtBot, ws: Workspace) -> None:
    case = CaseService(ws).create_case(
        CaseInput(
            host_country="KR",
            categories=("other",),
            received_at=date.today(),
            person=PersonInput(
                surname="Исабеков",
                given_names="Жандос",
                consent_date=CONSENT_DAY,
                consent_scope=("legacy_scope",),
            ),
        )
    )
    editor = _reopened(qtbot, ws, case.id)
    assert editor._changes(case) == CaseChanges()
    click(qtbot, editor.person.scope_checks["cross_border"])
    assert editor.dirty
    assert press_save(qtbot, editor), editor.error.text()
    stored = PersonService(ws).get(case.person.id)
    assert set(stored.consent_scope) == {"cross_border", "legacy_scope"}


def test_subject_access_export_writes_json_with_the_worker(
    qtbot: QtBot, ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = _editor(qtbot, ws)
    assert editor.export_button.isHidden()  # nothing to export for a case not yet saved
    _fill_new_case(editor)
    assert press_save(qtbot, editor), editor.error.text()
    assert editor.export_button.isVisibleTo(editor) and editor.export_button.isEnabled()
    target = tmp_path / "asel-export"
    json_filter = "JSON with the files (*.json)"
    monkeypatch.setattr(
        editor_module.QFileDialog,
        "getSaveFileName",
        lambda *_args, **_kw: (str(target), json_filter),
    )
    told: list[str] = []
    monkeypatch.setattr(
        editor_module.QMessageBox, "information", lambda _p, _title, text: told.append(text)
    )
    click(qtbot, editor.export_button)
    qtbot.waitUntil(lambda: bool(told), timeout=5000)
    written = tmp_path / "asel-export.json"
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["format"] == "qorgau-subject-access"
    assert [p["surname"] for p in data["persons"]] == ["Құрманғалиқызы"]
    assert told == [f"The worker's data and 1 case were written to:\n{written}"]
    assert editor.export_button.isEnabled()


def test_a_cancelled_file_dialog_writes_nothing(
    qtbot: QtBot, ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = _editor(qtbot, ws)
    _fill_new_case(editor)
    assert press_save(qtbot, editor), editor.error.text()
    monkeypatch.setattr(
        editor_module.QFileDialog, "getSaveFileName", lambda *_args, **_kw: ("", "")
    )
    editor.ask_subject_access_export()
    assert editor.export_task is None
    assert list(tmp_path.glob("*.json")) == []


@pytest.mark.parametrize("separator", [" ", "-", " - "])
def test_an_iin_pasted_with_separators_keeps_every_digit(
    qtbot: QtBot, ws: Workspace, separator: str
) -> None:
    """Documents print an IIN as «940315 400123»: pasted whole, its last digit was cut (the
    field held twelve characters) and the IIN was refused as short."""
    from PySide6.QtGui import QGuiApplication

    editor = _editor(qtbot, ws)
    person = editor.person
    QGuiApplication.clipboard().setText(IIN[:6] + separator + IIN[6:])
    person.iin.setFocus()
    person.iin.paste()
    assert person.iin.text() == IIN
    assert person.iin.cursorPosition() == len(IIN)
    assert person.birth_date.date() == date(1994, 3, 15)  # read from the whole number
    assert person.boxes["iin"].run_check()
    assert person.boxes["iin"].error.isHidden()


def test_a_corrected_iin_on_file_brings_its_date_of_birth_and_sex(
    qtbot: QtBot, ws: Workspace
) -> None:
    """The stored date of birth came from the stored IIN; once the officer corrects a wrong
    IIN, it follows the new one, as it does on a new case. It stayed, and Save was refused:
    "The date of birth does not match the IIN"."""
    editor = _editor(qtbot, ws)
    _fill_new_case(editor)
    assert press_save(qtbot, editor), editor.error.text()
    case = editor.case
    assert case is not None
    reopened = _reopened(qtbot, ws, case.id)
    person = reopened.person
    assert person.birth_date.date() == date(1994, 3, 15)
    corrected = make_iin(date(1994, 5, 16), "male", 4012)
    person.iin.setFocus()
    person.iin.selectAll()
    qtbot.keyClicks(person.iin, corrected)
    assert person.birth_date.date() == date(1994, 5, 16)
    assert person.sex.currentData() == "male"
    assert press_save(qtbot, reopened), reopened.error.text()
    stored = PersonService(ws).get(case.person.id)
    assert (stored.iin, stored.birth_date, stored.sex) == (corrected, date(1994, 5, 16), "male")


def test_a_date_of_birth_typed_apart_from_the_iin_stays(qtbot: QtBot, ws: Workspace) -> None:
    """Only what the IIN gave is refilled: a person on file with no IIN keeps the date of
    birth the officer typed when an IIN is added."""
    people = PersonService(ws)
    editor = _editor(qtbot, ws)
    _fill_new_case(editor)
    editor.person.iin.clear()
    editor.person.birth_date.setText("01.02.1990")
    assert press_save(qtbot, editor), editor.error.text()
    case = editor.case
    assert case is not None and people.get(case.person.id).birth_date == date(1990, 2, 1)
    reopened = _reopened(qtbot, ws, case.id)
    qtbot.keyClicks(reopened.person.iin, IIN)
    assert reopened.person.birth_date.date() == date(1990, 2, 1)
