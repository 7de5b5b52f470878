"""Dates in messages as the user's language writes them, not as ISO 8601.

A Kazakh officer read «Туған күні ЖСН-ге сәйкес келмейді (1994-03-15)»: the date as a program
stores it, in a sentence otherwise in their language. Each message here says it as the
interface writes dates everywhere else (15.03.1994 in kk and ru, 15 Mar 1994 in English).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.errors import ValidationError
from app.i18n import language_override
from app.services import csv_import
from app.services.people import clean_person
from app.services.returnees import ReturneeFilter, ReturneeService
from tests.builders import ASSEL_IDENTIFIED, TODAY

BORN_BY_IIN = {  # ASSEL_IDENTIFIED's IIN 940315… says she was born on 15 March 1994
    "kk": "Туған күні ЖСН-ге сәйкес келмейді (15.03.1994).",
    "ru": "Дата рождения не соответствует ИИН (15.03.1994).",
    "en": "The date of birth does not match the IIN (15 Mar 1994).",
}


@pytest.mark.parametrize("language", sorted(BORN_BY_IIN))
def test_a_birth_date_the_iin_contradicts_is_named_as_the_language_writes_dates(
    language: str,
) -> None:
    person = replace(ASSEL_IDENTIFIED, birth_date=date(1995, 1, 1))
    with language_override(language), pytest.raises(ValidationError) as refused:
        clean_person(person, TODAY)
    assert str(refused.value) == BORN_BY_IIN[language]


@pytest.mark.parametrize("language", sorted(BORN_BY_IIN))
def test_an_import_row_whose_iin_says_another_birth_date_names_it_the_same_way(
    language: str,
) -> None:
    """The spreadsheet import's note on the row reused the people service's message."""
    with language_override(language):
        said = csv_import._iin_problem("940315400123", date(1995, 1, 1))
    assert said == BORN_BY_IIN[language]


BACKWARDS = {
    "kk": "Кезеңнің басы (01.05.2026) оның соңынан (01.04.2026) кейін.",
    "ru": "Начало периода (01.05.2026) позже его окончания (01.04.2026).",
}


@pytest.mark.parametrize("language", sorted(BACKWARDS))
def test_a_period_that_ends_before_it_starts_is_named_in_the_languages_dates(
    language: str,
) -> None:
    backwards = ReturneeFilter(returned_from=date(2026, 5, 1), returned_to=date(2026, 4, 1))
    with language_override(language), pytest.raises(ValidationError) as refused:
        ReturneeService._figure_conditions(None, backwards, None)
    assert str(refused.value) == BACKWARDS[language]
