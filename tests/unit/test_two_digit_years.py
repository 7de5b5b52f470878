"""A birth date's two-digit year is read by one rule in the form and in the spreadsheet import.

The fault: the import put «01.01.20» in 2020 (no later than today: a worker of six) while the
form put it in 1920 (the latest year that leaves the worker at least 14)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.years import YOUNGEST_WORKER, full_year
from app.services import csv_import
from ui.widgets.fields import parse_date as form_date

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("two_digits", "birth", "year"),
    [
        (94, True, 1994),
        (12, True, 2012),  # 14 this year: the youngest a contract allows
        (13, True, 1913),  # 13: no worker, so a century before
        (20, True, 1920),
        (30, True, 1930),
        (0, True, 2000),
        (31, False, 2031),  # a contract's end may lie years ahead
        (36, False, 2036),
        (37, False, 1937),
    ],
)
def test_the_rule(two_digits: int, birth: bool, year: int) -> None:
    assert full_year(two_digits, birth, TODAY) == year


def test_the_import_and_the_form_read_every_two_digit_birth_year_alike() -> None:
    today = date.today()
    for two_digits in range(100):
        typed = f"01.01.{two_digits:02d}"
        imported = csv_import.parse_date(typed, "birth_date")
        assert imported == form_date(typed, birth=True), typed
        assert imported is not None
        assert today.year - 100 - YOUNGEST_WORKER < imported.year <= today.year - YOUNGEST_WORKER


def test_a_birth_date_that_would_make_a_child_is_of_the_century_before() -> None:
    six_years_ago = date.today().year - 6
    typed = f"15/03/{six_years_ago % 100:02d}"
    assert csv_import.parse_date(typed, "birth_date") == date(six_years_ago - 100, 3, 15)


def test_a_received_dates_two_digit_year_stays_no_later_than_today() -> None:
    """A case is received in the past; only birth dates leave room for the worker's age."""
    last_year = date.today().year - 1
    typed = f"15.03.{last_year % 100:02d}"
    assert csv_import.parse_date(typed, "received_at") == date(last_year, 3, 15)
