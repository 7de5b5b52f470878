"""A country as legacy spreadsheets write it: its code, or its name in one of the three
languages, or a usual short form; never a guess at something else."""

from __future__ import annotations

import pytest

from app.domain.iso import COUNTRY_ALIASES, country_by_name, country_codes


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("KR", "KR"),
        (" kr ", "KR"),
        ("Оңтүстік Корея", "KR"),
        ("Республика Корея", "KR"),
        ("южная  корея", "KR"),
        ("South Korea", "KR"),
        ("Түркия", "TR"),
        ("Турция", "TR"),
        ("Turkey", "TR"),
        ("Объединённые Арабские Эмираты", "AE"),
        ("ОАЭ", "AE"),
        ("Ресей", "RU"),
        ("Российская Федерация", "RU"),
        ("Қырғызстан", "KG"),
    ],
)
def test_a_country_is_found_by_code_or_name(written: str, code: str) -> None:
    assert country_by_name(written) == code


@pytest.mark.parametrize("written", ["XX", "Корейя", "", "Seoul", "Азия"])
def test_anything_else_is_not_a_country(written: str) -> None:
    assert country_by_name(written) is None


def test_every_alias_names_a_country() -> None:
    assert set(COUNTRY_ALIASES.values()) <= country_codes()
