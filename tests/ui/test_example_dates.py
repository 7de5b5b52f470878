"""Examples in hints follow today's date: a fixed year looks stale a year on.

The fault: the consent date's hint read «e.g. 20.11.2025» on a 2026 machine (20 November of
last year, all year long), and the transfer dialog's case numbers were SEL-2026-….
"""

from __future__ import annotations

from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from app.i18n import format_date
from ui.exchange.hq import TransferDialog
from ui.widgets.fields import DateField, recent_example


@pytest.mark.parametrize(
    ("today", "example"),
    [
        (date(2026, 12, 7), date(2026, 11, 20)),  # the 7th could be read as July
        (date(2026, 12, 13), date(2026, 12, 13)),  # today, no one reads 13 as a month
        (date(2027, 1, 5), date(2026, 12, 20)),  # over the year's end
        (date(2026, 3, 1), date(2026, 2, 20)),
    ],
)
def test_the_example_is_a_recent_day_no_one_reads_the_wrong_way_round(
    today: date, example: date
) -> None:
    assert recent_example(today) == example


def test_a_date_fields_hint_and_error_show_a_day_of_this_month_or_the_last(
    qtbot: QtBot,
) -> None:
    field = DateField("consent_date")
    qtbot.addWidget(field)
    today = date.today()
    shown = field.example
    assert 0 <= (today - shown).days <= 43 and shown.day > 12  # this month's or the last's
    assert field.placeholderText() == f"e.g. {format_date(shown)}"


def test_the_transfer_dialog_numbers_its_example_cases_this_year(qtbot: QtBot) -> None:
    dialog = TransferDialog(None, [])
    qtbot.addWidget(dialog)
    year = date.today().year
    assert dialog.numbers.placeholderText() == f"for example SEL-{year}-0001, SEL-{year}-0002"


def test_a_date_field_that_takes_no_date_shows_no_example(qtbot: QtBot) -> None:
    """The fault: an anonymised case's empty, greyed birth date read «e.g. 15 Mar 1994», as
    if that were the date on file. No example while the field is greyed (its own or its
    form's) or read-only; it comes back, the same width, when the field takes input."""
    from PySide6.QtWidgets import QWidget

    form = QWidget()
    qtbot.addWidget(form)
    field = DateField("birth_date", form)
    hint = f"e.g. {format_date(field.example)}"
    width = field.minimumWidth()
    assert field.placeholderText() == hint
    field.setReadOnly(True)
    assert field.placeholderText() == ""
    field.retranslate_ui()  # a language switch does not bring it back
    assert field.placeholderText() == "" and field.minimumWidth() == width
    field.setReadOnly(False)
    assert field.placeholderText() == hint
    form.setEnabled(False)  # as the person form of an anonymised case
    assert field.placeholderText() == ""
    form.setEnabled(True)
    assert field.placeholderText() == hint
