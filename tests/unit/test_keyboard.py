"""Text typed with the Russian or the Kazakh layout on, read back as the keys pressed.

The fault: only the Russian layout was read back. The Kazakh layout has its letters where the
digits are, so a passport number or a letter's check code typed (or scanned) with it on, as an
officer in Kazakh most often has it, came out as letters and was refused without a hint.
"""

from __future__ import annotations

import pytest

from app.domain.keyboard import as_latin_keys, layout_of
from tests.keyboards import KAZAKH, RUSSIAN, US, typed_on

EVERY_KEY = "".join(chars for levels in US for chars in levels)


@pytest.mark.parametrize(("layout", "name"), [(RUSSIAN, "russian"), (KAZAKH, "kazakh")])
def test_every_key_typed_on_a_cyrillic_layout_reads_back(layout: object, name: str) -> None:
    typed = typed_on(layout, EVERY_KEY)  # type: ignore[arg-type]
    assert typed != EVERY_KEY
    assert layout_of(typed) == name
    assert as_latin_keys(typed) == EVERY_KEY


def test_a_code_and_a_passport_number_on_the_kazakh_layout() -> None:
    code = "QORGAU|SEL-2026/0042|ab3f"
    typed = typed_on(KAZAKH, code)
    assert typed == "ЙЩКПФГ/ЫУДөәқә,№ққңә/фиіа"
    assert as_latin_keys(typed) == code
    assert as_latin_keys("т„әіңғ,.ү") == "n12345678"


def test_latin_text_and_punctuation_alone_are_kept() -> None:
    for text in ("N12345678", "QORGAU|SEL-2026/0042|ab", "12.03/2026", ""):
        assert layout_of(text) is None
        assert as_latin_keys(text) == text
