"""The Latin spelling suggested for a worker's name is a passport's: plain A–Z capitals.

The fault: the suggestion used the 2021 Kazakh Latin alphabet («Әсел» → "Äsel",
«Құрманғалиқызы» → "Qūrmanğaliqyzy"), which no passport prints, so an English letter named a
worker the employer could not match to the passport copy.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.passport_latin import PASSPORT_LATIN, to_passport_latin
from app.domain.translit import search_keys

A_TO_Z = re.compile(r"[A-Z]*")

# Real Kazakh (and Russian) names; between them Ж Ш Қ Ң Ү Ұ Ә І Ю Я Ц Щ Ғ Ө Һ Х Й Ы Ч Ъ Ь.
NAMES = [
    ("Құрманғалиқызы", "KURMANGALIKYZY"),  # Қ Ұ Ғ Ы
    ("Әсел", "ASEL"),  # Ә; the passport's ASSEL is a spelling choice, not guessed
    ("Жанар", "ZHANAR"),  # Ж
    ("Нұрланқызы", "NURLANKYZY"),
    ("Шыңғыс", "SHYNGYS"),  # Ш Ң
    ("Айгүл", "AIGUL"),  # Й Ү
    ("Әлібек", "ALIBEK"),  # І
    ("Өмірзақ", "OMIRZAK"),  # Ө
    ("Ибраһим", "IBRAHIM"),  # Һ
    ("Юлия", "IULIIA"),  # Ю Я
    ("Цой", "TSOI"),  # Ц
    ("Щербаков", "SHCHERBAKOV"),  # Щ
    ("Хасенов", "KHASENOV"),  # Х
    ("Чингиз", "CHINGIZ"),  # Ч
    ("Подъячев", "PODIEIACHEV"),  # Ъ
    ("Кирьяненко", "KIRIANENKO"),  # Ь
    ("Эльмира", "ELMIRA"),  # Э
    ("Семёнов", "SEMENOV"),  # Ё
]


@pytest.mark.parametrize(("cyrillic", "latin"), NAMES)
def test_a_name_is_spelled_as_a_passport_prints_it(cyrillic: str, latin: str) -> None:
    assert to_passport_latin(cyrillic) == latin
    assert A_TO_Z.fullmatch(to_passport_latin(cyrillic))


def test_words_and_hyphens_stay_as_typed() -> None:
    assert to_passport_latin("Құрманғали қызы Әсел") == "KURMANGALI KYZY ASEL"
    assert to_passport_latin("Ғалым-Жан") == "GALYM-ZHAN"
    assert to_passport_latin("ЖОЛДАСБЕКОВ") == "ZHOLDASBEKOV"


def test_latin_with_diacritics_typed_in_the_name_is_made_plain() -> None:
    """Only the diacritics go: plain Latin letters are kept as typed (Q is no Қ to fold)."""
    typed = "Äsel Qūrmanğaliqyzy Şynğys İlya Łukasz"
    assert to_passport_latin(typed) == "ASEL QURMANGALIQYZY SYNGYS ILYA LUKASZ"


def test_every_cyrillic_letter_of_kazakh_gives_plain_capitals() -> None:
    letters = "".join(PASSPORT_LATIN)
    assert len(letters) == 42  # the 33 Russian letters and the 9 Kazakh ones
    assert A_TO_Z.fullmatch(to_passport_latin(letters + letters.upper()))


@given(st.text(alphabet="".join(PASSPORT_LATIN) + "".join(PASSPORT_LATIN).upper() + " -"))
def test_the_suggestion_is_found_by_the_cyrillic_it_came_from(text: str) -> None:
    """Search folds both scripts to one key: a name stored as suggested is found by its
    Cyrillic (Ъ aside, which ICAO writes IE and search drops)."""
    text = text.replace("ъ", "").replace("Ъ", "")
    assert re.fullmatch(r"[A-Z \-]*", to_passport_latin(text))
    assert search_keys(to_passport_latin(text)) == search_keys(text)
