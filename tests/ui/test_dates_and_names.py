"""Issue 18, item 4: one date format per language, dates typed freely, IIN and Latin fill-in.

The fault: one screen showed 12/1/26, 01.12.2026, Dec 1, 2026 and 2026-12-01; a date typed
without separators was refused; the IIN's birth date and sex and the Latin spelling of a
Cyrillic name had to be typed again by hand.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCalendarWidget, QLineEdit, QTableView
from pytestqt.qtbot import QtBot

from app.domain.iin import make_iin
from app.errors import ValidationError
from app.i18n import format_date, format_datetime
from app.services.people import PersonService
from app.services.workspace import Workspace
from tests.ui.press import on_screen
from ui.cases.person_form import PersonForm
from ui.i18n_bridge import LanguageBridge
from ui.widgets.fields import DateField, parse_date, qt_date_format

DAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("language", "shown"), [("kk", "01.12.2026"), ("ru", "01.12.2026"), ("en", "1 Dec 2026")]
)
def test_one_date_format_per_language_from_cldr(language: str, shown: str) -> None:
    assert format_date(DAY, language=language) == shown
    assert format_datetime(datetime(2026, 12, 1, 9, 5), language=language) == f"{shown}, 09:05"


def test_date_edits_use_the_same_format_as_the_text(bridge: LanguageBridge) -> None:
    for language, qt_format in (("kk", "dd.MM.yyyy"), ("ru", "dd.MM.yyyy"), ("en", "d MMM yyyy")):
        assert qt_date_format(language) == qt_format


@pytest.mark.parametrize(
    "typed", ["15031994", "15.03.1994", "15/03/1994", "15-3-1994", "150394", "1994-03-15",
              "15 Mar 1994", "15 наурыз 1994", "15 марта 1994"],
)  # fmt: skip
def test_typed_dates_are_accepted_with_or_without_separators(typed: str) -> None:
    assert parse_date(typed) == date(1994, 3, 15)


def test_date_field_shows_what_was_typed_in_the_interface_format(
    qtbot: QtBot, bridge: LanguageBridge
) -> None:
    bridge.set_language("ru")
    field = on_screen(qtbot, DateField("birth_date"))
    field.setFocus()
    qtbot.keyClicks(field, "15031994")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "15.03.1994"
    assert field.date() == date(1994, 3, 15)
    bridge.set_language("en")
    field.retranslate_ui()
    assert field.text() == "15 Mar 1994"
    assert field.date() == date(1994, 3, 15)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_date_fields_hint_is_whole(qtbot: QtBot, bridge: LanguageBridge, language: str) -> None:
    """«например, 15.03.19…»: the hint that shows how to write a date was cut in Russian."""
    bridge.set_language(language)
    field = on_screen(qtbot, DateField("birth_date"))
    field.resize(field.minimumWidth(), field.height())
    hint = field.fontMetrics().horizontalAdvance(field.placeholderText())
    icon = 24  # the calendar button inside the field
    assert hint + icon <= field.width() - 2 * field.textMargins().left() - 8


def test_a_date_field_refuses_a_date_that_does_not_exist(qtbot: QtBot) -> None:
    field = DateField("birth_date")
    qtbot.addWidget(field)
    qtbot.keyClicks(field, "31021994")
    with pytest.raises(ValidationError, match="not a date"):
        field.date()
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "31021994"  # left as typed, to be corrected


def test_the_calendar_pop_up_fills_the_field(qtbot: QtBot, bridge: LanguageBridge) -> None:
    field = on_screen(qtbot, DateField("due_date"))
    edited: list[str] = []
    field.textEdited.connect(edited.append)
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = field.calendar
    assert isinstance(calendar, QCalendarWidget) and calendar.isVisible()
    calendar.setSelectedDate(QDate(2026, 12, 1))  # where the arrow keys would have moved
    days = calendar.findChild(QTableView)
    assert days is not None
    qtbot.keyClick(days, Qt.Key.Key_Return)
    assert field.date() == DAY
    assert field.text() == "1 Dec 2026"
    assert edited, "picking a date must mark the form changed"
    assert field.calendar is None


def _type(edit: QLineEdit, text: str) -> None:
    """As typed: QTest cannot type Kazakh letters, so the text and its signal are set."""
    edit.setText(text)
    edit.textEdited.emit(text)


@pytest.fixture
def form(qtbot: QtBot, ws: Workspace) -> PersonForm:
    return on_screen(qtbot, PersonForm(PersonService(ws)))


def test_a_valid_iin_fills_birth_date_and_sex(
    qtbot: QtBot, form: PersonForm, bridge: LanguageBridge
) -> None:
    iin = make_iin(date(1994, 3, 15), "female", 4012)
    form.iin.setFocus()
    qtbot.keyClicks(form.iin, iin[:11])
    assert form.birth_date.text() == ""  # not yet a valid IIN: nothing filled
    qtbot.keyClicks(form.iin, iin[11])
    assert form.birth_date.date() == date(1994, 3, 15)
    assert form.sex.currentData() == "female"


def test_an_iin_does_not_overwrite_a_birth_date_the_user_typed(
    qtbot: QtBot, form: PersonForm
) -> None:
    form.birth_date.setText("01.01.1990")
    form.sex.setCurrentIndex(form.sex.findData("male"))
    qtbot.keyClicks(form.iin, make_iin(date(1994, 3, 15), "female", 7))
    assert form.birth_date.date() == date(1990, 1, 1)
    assert form.sex.currentData() == "male"


def test_an_invalid_iin_fills_nothing(qtbot: QtBot, form: PersonForm) -> None:
    iin = make_iin(date(1994, 3, 15), "female", 4012)
    wrong = iin[:11] + str((int(iin[11]) + 1) % 10)
    qtbot.keyClicks(form.iin, wrong)
    assert form.birth_date.text() == ""
    assert form.sex.currentData() == ""


def test_latin_name_is_suggested_until_the_user_changes_it(qtbot: QtBot, form: PersonForm) -> None:
    _type(form.edits["surname"], "Құрманғалиқызы")
    _type(form.edits["given_names"], "Әсел")
    # As a passport prints them, in plain capitals (it was Qūrmanğaliqyzy Äsel, in no passport).
    assert form.edits["surname_latin"].text() == "KURMANGALIKYZY"
    assert form.edits["given_names_latin"].text() == "ASEL"
    form.edits["given_names_latin"].setText("ASSEL")  # as the passport has it
    _type(form.edits["given_names"], "Әселя")
    assert form.edits["given_names_latin"].text() == "ASSEL"
    _type(form.edits["surname"], "Жұмабаева")  # the suggestion not changed follows the typing
    assert form.edits["surname_latin"].text() == "ZHUMABAEVA"
    assert "as the worker's passport has it" in form.edits["surname_latin"].toolTip()


TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("typed", "born"),
    [
        ("01.01.30", date(1930, 1, 1)),  # 2030: not yet born
        ("010130", date(1930, 1, 1)),
        ("05.06.20", date(1920, 6, 5)),  # 2020: six years old, no worker
        ("15/3/94", date(1994, 3, 15)),
        ("01.01.08", date(2008, 1, 1)),  # 18: of working age, this century
        ("01.01.12", date(2012, 1, 1)),  # 14: the youngest a contract allows
    ],
)
def test_a_birth_dates_two_digit_year_lies_in_the_past(typed: str, born: date) -> None:
    """The fault: «01.01.30» was read as 2030 and refused as a birth in the future."""
    assert parse_date(typed, birth=True, today=TODAY) == born


def test_other_dates_keep_the_near_century(qtbot: QtBot) -> None:
    """A follow-up or a contract's end may lie years ahead: 01.01.30 stays 2030 there."""
    assert parse_date("01.01.30", today=TODAY) == date(2030, 1, 1)
    assert parse_date("01.01.40", today=TODAY) == date(1940, 1, 1)


def test_the_birth_date_field_shows_the_past_century(qtbot: QtBot, bridge: LanguageBridge) -> None:
    bridge.set_language("ru")
    field = on_screen(qtbot, DateField("birth_date"))
    field.setFocus()
    qtbot.keyClicks(field, "01.01.30")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "01.01.1930"
    assert field.date() == date(1930, 1, 1)
    due = on_screen(qtbot, DateField("due_date"))
    due.setText("01.01.30")
    assert due.date() == date(2030, 1, 1)
