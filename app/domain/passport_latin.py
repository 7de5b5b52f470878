"""A Cyrillic name in Latin capitals as a Kazakhstani passport prints it, to suggest its
Latin spelling: plain A–Z, no diacritics («Құрманғалиқызы Әсел» → "KURMANGALIKYZY ASEL").

Source for the Russian letters: ICAO Doc 9303 Part 3, Section 6, the table of Cyrillic
transliteration (the machine-readable zone allows A–Z only): Ж→ZH, Х→KH, Ц→TS, Ч→CH, Ш→SH,
Щ→SHCH, Ы→Y, Ю→IU, Я→IA, Й→I, Ъ→IE, Э→E, Ё→E, Ь dropped. Where passports vary (Й as Y,
Ю as YU, Я as YA) the table's own letters are kept. The Kazakh letters fold as Kazakhstani
passports commonly print them (Ә→A, Ғ→G, Қ→K, Ң→N, Ө→O, Ұ→U, Ү→U, Һ→H, І→I): common
practice, not a checked legal text. Spelling choices a passport may make (Әсел as ASSEL) are
not guessed. The result is a suggestion only: the officer keeps the passport's own spelling.
"""

from __future__ import annotations

import unicodedata

PASSPORT_LATIN: dict[str, str] = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
    "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l",
    "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}  # fmt: skip
# Latin letters that Unicode decomposition leaves whole, should one be typed in the name.
_UNDECOMPOSED: dict[str, str] = {"ı": "i", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l"}
_LETTERS = str.maketrans({**PASSPORT_LATIN, **_UNDECOMPOSED})


def to_passport_latin(text: str) -> str:
    """``text`` in Latin capitals as a passport spells it; spaces, hyphens and other marks
    between letters kept, so "Ғалым-Жан" gives "GALYM-ZHAN"."""
    return _plain(text.lower().translate(_LETTERS)).upper()


def _plain(text: str) -> str:
    """``text`` without diacritics (a Latin "Äsel" typed in the Cyrillic field gives ASEL)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
