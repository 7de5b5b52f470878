"""Search keys that match a name whatever script or spelling the user types it in.

Passports print Kazakh names in Latin letters (ICAO-style: Қ→K, Ғ→G, Ұ/Ү→U, Ы→Y, Х→KH,
Ж→ZH, Ю→IU/YU, Я→IA/YA, Е→YE after a vowel or at the start, С→SS between vowels), while
officers and migrants type Cyrillic, often without the Kazakh letters (Нурлан for Нұрлан).
Every spelling is reduced to the same ASCII *skeleton*:

1. casefold; Cyrillic letters (Kazakh and Russian) and Latin letters with diacritics (Kazakh
   Latin 2021, Turkish) map to plain Latin: ә→a, қ→k, ұ/ү→u, ж→zh, х→kh, ä→a, ş→sh, ñ→n, ı→i;
   apostrophes vanish (A'sel); other marks are stripped by Unicode decomposition;
   j→zh and q→k as in Kazakh Latin (so "Julia" reads as Жулия, not Юлия: a deliberate choice);
2. runs of one letter collapse to one (ASSEL→asel, KHASSENOV→hasenov, IULIIA→iulia);
3. spelling variants fold, in this order: shch→sh (Щ), kh→h (Х/Һ written H or KH), gh→g,
   ye→e (YERLAN, SERIKBAYEV), then y→i (Ы and Й as Y or I; so YU/IU and YA/IA collide);
   then runs collapse again (Юлия→yuliya→iuliia→iulia).

The skeleton is deliberately lossy: it exists to find candidates, never to display or store
a name. Tokens are split on anything that is not a letter or digit, so the result contains
only ``[a-z0-9 ]`` and is safe to hand to a full-text engine as plain terms.
"""

from __future__ import annotations

import re
import unicodedata

from app.domain.passport_latin import PASSPORT_LATIN

_LETTERS: dict[str, str] = {
    # Russian Cyrillic
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Kazakh Cyrillic additions
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    # Kazakh Latin (2021) and Turkish letters that decomposition would get wrong
    "ş": "sh", "ç": "ch", "ı": "i", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l",
    # Kazakh Latin uses J for Ж and Q for Қ
    "j": "zh", "q": "k",
}  # fmt: skip
_LETTER_TABLE = str.maketrans(_LETTERS)

# Apostrophes of older Kazakh Latin drafts (A'sel) and of names like O'Brien join letters.
_APOSTROPHES = dict.fromkeys(map(ord, "'’ʼ‘`´"), None)

# Collapsing first too keeps the folds idempotent ("kkh" would leave "kh" behind).
_RUNS = re.compile(r"([a-z])\1+")
_SPELLINGS = (("shch", "sh"), ("kh", "h"), ("gh", "g"), ("ye", "e"), ("y", "i"))
_DIGRAPHS = ("shch", "kh", "gh")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _to_latin(text: str) -> str:
    """Lower-case plain Latin letters, digits and separators only."""
    mapped = _map_letters(text.casefold().translate(_APOSTROPHES))
    if mapped.isascii():  # passport numbers, case numbers, Latin names: nothing to decompose
        return _NOT_ALNUM.sub(" ", mapped)
    decomposed = unicodedata.normalize("NFKD", mapped)
    # Mapped again: decomposition can reveal letters of the table (ǰ→j, ℚ→Q, ӥ→и).
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_ALNUM.sub(" ", _map_letters(bare))


def _map_letters(text: str) -> str:
    return text.translate(_LETTER_TABLE)


def _fold(token: str) -> str:
    # Until nothing changes: one fold can make another ("ghkh" → "ghh" → "gh" → "g"). A pass
    # leaves no runs and no y, so only a digraph it formed can change the next pass.
    while True:
        folded = _RUNS.sub(r"\1", token)
        for spelling, plain in _SPELLINGS:  # literal: str.replace, as re.sub would, but faster
            folded = folded.replace(spelling, plain)
        folded = _RUNS.sub(r"\1", folded)
        if folded == token or not any(digraph in folded for digraph in _DIGRAPHS):
            return folded
        token = folded


def search_keys(text: str) -> str:
    """Space-separated skeletons of the words in ``text``; empty for text with no words."""
    return " ".join(_fold(token) for token in _to_latin(text).split())


def normalise_query_token(token: str) -> str:
    """The skeleton of one word a user typed; separators inside it are dropped."""
    return _fold(_to_latin(token).replace(" ", ""))


def latin_name(text: str) -> str:
    """ "Серік Жұмабаев" -> "Serik Zhumabaev": spelled as a passport would spell it, each word
    capitalised as a name (the form suggests the same spelling in the passport's capitals)."""
    words = []
    for word in text.split():
        latin = "".join(PASSPORT_LATIN.get(ch, ch) for ch in word.lower())
        words.append("-".join(part[:1].upper() + part[1:] for part in latin.split("-")))
    return " ".join(words)


def name_in_latin(given: str, surname: str, given_latin: str = "", surname_latin: str = "") -> str:
    """A person's name in Latin letters, given name first: each part as the passport spells
    it where that was recorded, else transliterated as a Kazakh passport would spell it (a
    part on file does not stand for the whole name)."""
    parts = (
        latin.title() if latin else latin_name(cyrillic)
        for latin, cyrillic in ((given_latin, given), (surname_latin, surname))
    )
    return " ".join(part for part in parts if part)
