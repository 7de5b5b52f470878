"""Kazakh Cyrillic to the Kazakh Latin alphabet of 2021, to suggest a name's Latin spelling.

Source of the table: the Latin alphabet the Government of Kazakhstan presented on
28 January 2021 (31 letters: A Ä B D E F G Ğ H I İ J K L M N Ñ O Ö P Q R S Ş T U Ū Ü V Y Z),
as tabulated in Wikipedia's "Kazakh alphabets" article (2021 column). That alphabet has no
letters for the Russian-only Ё Ц Ч Щ Ъ Ь Э Ю Я; the digraphs used for them here (Io, Ts, Ch,
Şş, Iu, Ia; Ъ and Ь dropped) follow the same table. The result is only a suggestion: the
passport's own spelling (often ICAO, e.g. ZH for Ж) is what the officer keeps.
"""

from __future__ import annotations

_LOWER: dict[str, str] = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e",
    "ё": "io", "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l",
    "м": "m", "н": "n", "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts",
    "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "", "ы": "y", "і": "ı", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}  # fmt: skip
# Capitals where str.upper() gets the 2021 alphabet wrong: И and Й are dotted İ, І is a
# plain I (upper() of the dotless ı), and a digraph capitalises its first letter only.
_UPPER_SPECIAL: dict[str, str] = {"и": "İ", "й": "İ", "і": "I"}


def _upper(letter: str, whole_word_upper: bool) -> str:
    latin = _LOWER[letter]
    if letter in _UPPER_SPECIAL:
        return _UPPER_SPECIAL[letter]
    if whole_word_upper:
        return latin.upper()
    return latin[:1].upper() + latin[1:]


def to_kazakh_latin(text: str) -> str:
    """``text`` with its Cyrillic letters in Kazakh Latin (2021); other characters kept.

    A word written in capitals stays in capitals (ЖОЛДАСБЕКОВ → JOLDASBEKOV); elsewhere a
    capital that becomes two letters capitalises the first only (Чингиз → Chingiz).
    """
    out: list[str] = []
    for word in _words(text):
        letters = [c for c in word if c.isalpha()]
        all_caps = len(letters) > 1 and all(c.isupper() for c in letters)
        for char in word:
            lower = char.lower()
            if lower not in _LOWER:
                out.append(char)
            elif char.isupper():
                out.append(_upper(lower, all_caps))
            else:
                out.append(_LOWER[lower])
    return "".join(out)


def _words(text: str) -> list[str]:
    """``text`` cut into runs of letters and runs of other characters, keeping all."""
    parts: list[str] = []
    for char in text:
        if parts and parts[-1][-1].isalpha() == char.isalpha():
            parts[-1] += char
        else:
            parts.append(char)
    return parts
