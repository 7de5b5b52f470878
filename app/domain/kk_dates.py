"""Kazakh dates qualifying a noun: "2014 жылғы 29 мамырдағы" (келісім, хат).

CLDR has no locative forms of Kazakh month names, and the ending follows vowel harmony and
the last consonant, so each month is written out.
"""

from __future__ import annotations

from datetime import date

KK_MONTHS_LOCATIVE = (
    "қаңтардағы",
    "ақпандағы",
    "наурыздағы",
    "сәуірдегі",
    "мамырдағы",
    "маусымдағы",
    "шілдедегі",
    "тамыздағы",
    "қыркүйектегі",
    "қазандағы",
    "қарашадағы",
    "желтоқсандағы",
)


def kk_date_attributive(value: date) -> str:
    """The official date-of-document form: "2026 жылғы 15 қарашадағы"."""
    return f"{value.year} жылғы {value.day} {KK_MONTHS_LOCATIVE[value.month - 1]}"


# «…-да/-де» (when: «12 шілдеде туған»), «…-дан/-нан» (from), «…-ға/-ке» (until): written out
# for the same reason as the locative above.
KK_MONTHS_WHEN = tuple(month[:-2] for month in KK_MONTHS_LOCATIVE)
KK_MONTHS_FROM = (
    "қаңтардан",
    "ақпаннан",
    "наурыздан",
    "сәуірден",
    "мамырдан",
    "маусымнан",
    "шілдеден",
    "тамыздан",
    "қыркүйектен",
    "қазаннан",
    "қарашадан",
    "желтоқсаннан",
)
KK_MONTHS_UNTIL = (
    "қаңтарға",
    "ақпанға",
    "наурызға",
    "сәуірге",
    "мамырға",
    "маусымға",
    "шілдеге",
    "тамызға",
    "қыркүйекке",
    "қазанға",
    "қарашаға",
    "желтоқсанға",
)


def kk_date_when(value: date) -> str:
    """A date an event took place on: "1991 жылғы 12 шілдеде" (туған)."""
    return f"{value.year} жылғы {value.day} {KK_MONTHS_WHEN[value.month - 1]}"


def kk_date_from(value: date) -> str:
    """A date something holds from: "2022 жылғы 20 сәуірден" (бастап)."""
    return f"{value.year} жылғы {value.day} {KK_MONTHS_FROM[value.month - 1]}"


def kk_period(start: date, end: date) -> str:
    """A period qualifying a noun: "2026 жылғы 1 тамыздан 31 қазанға дейінгі" (кезеңдегі);
    the year is said again only when the period crosses into another."""
    until = f"{end.day} {KK_MONTHS_UNTIL[end.month - 1]} дейінгі"
    if end.year != start.year:
        until = f"{end.year} жылғы {until}"
    return f"{start.year} жылғы {start.day} {KK_MONTHS_FROM[start.month - 1]} {until}"
