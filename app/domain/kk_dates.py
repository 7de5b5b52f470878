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
