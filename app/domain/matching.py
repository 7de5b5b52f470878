"""How typed names are compared: the same person or organisation written differently.

Compared in Python, not with SQL ``lower()``, which SQLite folds for ASCII only: "ТОО АЛЕМ" and
"ТОО Алем" are one name, and so are "Әбенов" and "Абенов" typed on a Russian keyboard.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from app.domain.text import bare_text

# The Kazakh letters as a Russian keyboard (and many registers) types them; ё as е.
_TYPED_WITHOUT_KAZAKH = str.maketrans("әғқңөұүһіё", "агкноуухие")

# Legal forms: how an organisation's name is written varies most there ("Hanil Co., Ltd.",
# "HANIL CO LTD", "Hanil"; «ТОО "Алем"», "Алем ТОО"). Forms that are also words a name
# begins or ends with («ақ», "Spa"; "AS", "SA" at the start) are left alone: two
# organisations wrongly taken for one would put one's complaints on the other.
_ENDINGS_WRITTEN = (
    "Co", "Company", "Ltd", "Limited", "LLC", "L.L.C.", "Inc", "Incorporated", "Corp",
    "Corporation", "PLC", "GmbH", "LLP", "JSC", "PJSC", "CJSC", "FZE", "FZCO", "FZC", "FZ-LLC",
    "DMCC", "WLL", "W.L.L.", "Pte", "Pty", "BV", "NV", "SRL", "SARL", "SA", "AG", "Kft", "s.r.o.",
    "sro", "Sp. z o.o.", "A.Ş.", "A/S", "AS", "Şti", "Şirketi", "KK", "K.K.",
    # A Turkish trade title ends "… Sanayi ve Ticaret Ltd. Şti." (as often "San. ve Tic.",
    # written out below): the title's boilerplate, not its name.
    "Sanayi ve Ticaret", "Sanayi Ticaret", "Anonim Şirketi",
    "주식회사", "유한회사", "(주)", "ООО", "ТОО", "АО", "ЗАО", "ОАО", "ПАО", "ЖШС",
)  # fmt: skip
_OPENINGS_WRITTEN = (
    "ООО", "ТОО", "АО", "ЗАО", "ОАО", "ПАО", "ИП", "ЖШС", "OOO", "TOO", "LLC",
    "주식회사", "유한회사", "(주)",
)  # fmt: skip
_NOT_A_WORD = re.compile(r"[\W_]+")
# A Turkish trade title shortens its sector words with a dot ("Yıldız İnş. Tur. Paz. Ltd.
# Şti."): each is the word written out, so the name is the one written in full. Only with its
# dot, as folded by ``_words``: without one, "Tur" or "Mak" may be a name of its own.
_TURKISH_SHORT = {
    "san": "sanayi", "tic": "ticaret", "ins": "insaat", "teks": "tekstil", "tur": "turizm",
    "paz": "pazarlama", "nak": "nakliyat", "muh": "muhendislik", "hiz": "hizmetleri",
    "taah": "taahhut", "ith": "ithalat", "ihr": "ihracat", "oto": "otomotiv", "mak": "makina",
    "loj": "lojistik",
}  # fmt: skip
_SHORTENED = re.compile(r"\b(" + "|".join(_TURKISH_SHORT) + r")\.")


# Names repeat: a CSV import's duplicate check folds the names of some 19,000 people born on
# its batch's birthdays, at 300,000 cases a few thousand distinct ones.
@lru_cache(maxsize=1 << 14)
def fold_typed(text: str) -> str:
    """``text`` case folded in every script, spaces collapsed, the Kazakh letters as written
    without them; an invisible character or a direction control is no part of a name."""
    return " ".join(bare_text(text).casefold().translate(_TYPED_WITHOUT_KAZAKH).split())


def _words(name: str) -> list[str]:
    # Compatibility forms decomposed ("㈜" is "(주)", full-width Latin is Latin) and marks
    # dropped: "Yapı İnşaat" is typed "YAPI INSAAT" as often as not, so ı is i too.
    folded = bare_text(name).casefold().translate(_TYPED_WITHOUT_KAZAKH).replace("ı", "i")
    bare = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    written_out = _SHORTENED.sub(lambda short: _TURKISH_SHORT[short.group(1)] + " ", bare)
    return _NOT_A_WORD.sub(" ", written_out).split()


# As ``_words`` leaves them, so they compare with a name's words.
_ENDINGS = {tuple(_words(form)) for form in _ENDINGS_WRITTEN}
_OPENINGS = {tuple(_words(form)) for form in _OPENINGS_WRITTEN}
_LONGEST_FORM = max(len(form) for form in _ENDINGS | _OPENINGS)


def organisation_key(name: str) -> str:
    """An employer's or agency's name as organisations are matched on: folded as
    ``fold_typed``, without punctuation or quotes, and without the legal form at either end
    ("Hanil Co., Ltd." and "HANIL CO LTD" are "hanil"; «ТОО "Алем"» is "алем"). A name that
    is nothing but a legal form keeps it."""
    words = _words(name)
    core = _trimmed(words)
    return " ".join(core or words)


def _trimmed(words: list[str]) -> list[str]:
    start, end = 0, len(words)
    changed = True
    while changed and start < end:
        changed = False
        for size in range(_LONGEST_FORM, 0, -1):
            if end - start > size and tuple(words[end - size : end]) in _ENDINGS:
                end -= size
                changed = True
                break
            if end - start > size and tuple(words[start : start + size]) in _OPENINGS:
                start += size
                changed = True
                break
    return words[start:end]
