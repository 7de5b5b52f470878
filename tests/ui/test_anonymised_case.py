"""A case whose personal data retention took says so where its worker's name was."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.i18n import format_date
from app.services.cases import CaseService
from app.services.records import PersonInput
from app.services.retention import run_manually
from app.services.workspace import Workspace
from tests.unit.test_retention import LATER, close, make_case
from ui.cases.area import CasesArea
from ui.widgets.fields import DateField


def test_an_anonymised_case_is_named_so_in_its_heading(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    """The fault: its heading read "Case SEL-2026-0001 —" over empty fields, and neither an
    officer nor HQ's analyst could tell data never recorded from data taken away."""
    case = make_case(ws, PersonInput(surname="Сейітова", given_names="Ләззат"))
    close(ws, case.id)
    run_manually(ws, today=LATER, date_is_right=True)
    anonymised = CaseService(ws).get_case(case.id).anonymised_at
    assert isinstance(anonymised, datetime)

    cases_area.open_case(case.id)
    qtbot.waitUntil(lambda: cases_area.editor.case is not None, timeout=10_000)

    heading = cases_area.editor.heading
    day = format_date(anonymised.astimezone().date())
    assert heading.text() == f"Case {case.number} — anonymised on {day}"
    assert "Retention anonymised this case" in heading.toolTip()
    assert "Сейітова" not in heading.text()


def test_an_anonymised_case_whose_worker_a_live_case_keeps_shows_no_one(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace, tmp_path: Path
) -> None:
    """The fault: the case view read the worker through the case's link, so a case anonymised
    while its worker was still on file for a live case showed their name, IIN and passport, and
    what was typed into its person form reached the live case's worker."""
    from app.services.records import CaseInput
    from tests.unit.test_retention import SECRETS, TODAY

    service = CaseService(ws)
    gone = make_case(ws, PersonInput(**SECRETS))
    close(ws, gone.id)
    service.create_case(
        CaseInput(
            host_country="KR", categories=("violence",), received_at=TODAY, person_id=gone.person.id
        )
    )
    run_manually(ws, today=LATER, date_is_right=True)
    cases_area.open_case(gone.id)
    qtbot.waitUntil(lambda: cases_area.editor.case is not None, timeout=10_000)
    form = cases_area.editor.person
    typed = [edit.text() for edit in form.findChildren(QLineEdit)]
    for value in (SECRETS["surname"], SECRETS["iin"], SECRETS["passport_no"]):
        assert value not in typed
    assert not form.isEnabled()
    cases_area.editor.grab().save(str(tmp_path / "anonymised-case-view.png"))


def test_an_anonymised_case_offers_nothing_that_adds_to_it(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    """The fault: it offered "Review contract", "New letter" and "Refer to a partner…" (a
    letter refused only after the click), a timeline entry, status change and files to add,
    and asked the officer to record the worker's consent."""
    case = make_case(ws, PersonInput(surname="Сейітова", given_names="Ләззат"))
    close(ws, case.id)
    run_manually(ws, today=LATER, date_is_right=True)
    live = make_case(ws, PersonInput(surname="Әбенова", given_names="Дана"))
    editor = cases_area.editor
    cases_area.open_case(case.id)
    qtbot.waitUntil(lambda: editor.case is not None and editor.case.id == case.id, timeout=10_000)

    anonymised = editor.case.anonymised_at
    assert anonymised is not None
    for button in (editor.review_button, editor.letter_button, editor.refer_button):
        assert not button.isHidden() and not button.isEnabled(), button.text()
        assert "anonymised at the end of the retention period" in button.toolTip()
    line = editor.person.consent_warning
    day = format_date(anonymised.astimezone().date())
    assert line.text() == (f"The case was anonymised on {day} at the end of the retention period.")
    assert not line.isHidden()
    # Nothing to save, add or move: the timeline's entry and status, files, referral
    # outcomes, the worker's skills and export; the facts read, and none takes input.
    for hidden in (
        editor.save_button,
        editor.timeline.controls,
        editor.timeline.undo_button,
        editor.attachments.add_button,
        editor.attachments.remove_button,
        editor.referrals_panel.record_button,
        editor.skills_button,
        editor.export_button,
    ):
        assert hidden.isHidden()
    assert editor.description.isReadOnly()
    assert not editor.categories.isEnabled() and not editor.urgency.isEnabled()
    assert not editor.can_write

    # The next case, not anonymised, offers them all again and asks for consent.
    cases_area.open_case(live.id)
    qtbot.waitUntil(lambda: editor.case is not None and editor.case.id == live.id, timeout=10_000)
    for button in (editor.review_button, editor.letter_button, editor.refer_button):
        assert button.isEnabled() and "anonymised" not in button.toolTip()
    assert line.text().startswith("No consent recorded")
    assert not editor.save_button.isHidden() and not editor.timeline.controls.isHidden()
    assert not editor.export_button.isHidden()


def empty_date_hints(area: CasesArea) -> dict[str, str]:
    """The placeholder of each empty date field of the open case, by field."""
    fields = area.editor.findChildren(DateField)
    return {f.field: f.placeholderText() for f in fields if not f.text()}


def test_an_anonymised_cases_empty_dates_show_no_example(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    """The fault: its greyed, empty date of birth read «мысалы, 15.03.1994», as if retention
    had left a date there, and the consent note «e.g. signed form attached». A case that
    takes input still shows how to write them."""
    case = make_case(ws, PersonInput(surname="Сейітова", given_names="Ләззат"))
    close(ws, case.id)
    run_manually(ws, today=LATER, date_is_right=True)
    live = make_case(ws, PersonInput(surname="Әбенова", given_names="Дана"))
    editor = cases_area.editor
    cases_area.open_case(case.id)
    qtbot.waitUntil(lambda: editor.case is not None and editor.case.id == case.id, timeout=10_000)
    hints = empty_date_hints(cases_area)
    assert "birth_date" in hints, hints
    assert set(hints.values()) == {""}, hints
    person = editor.person  # nor the consent note's example («e.g. signed form attached»)
    assert person.consent_note.placeholderText() == "", person.consent_note.placeholderText()
    assert person.details["next_of_kin"].placeholderText() == ""
    cases_area.open_case(live.id)
    qtbot.waitUntil(lambda: editor.case is not None and editor.case.id == live.id, timeout=10_000)
    assert empty_date_hints(cases_area)["birth_date"] == f"e.g. {format_date(date(1994, 3, 15))}"
    assert person.consent_note.placeholderText() == "How it was given, e.g. signed form attached"
