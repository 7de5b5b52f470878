"""Text typed with a Cyrillic keyboard layout on, read back as the keys that were pressed.

Officers switch between the Kazakh or Russian layout and the Latin one all day. A passport
number typed with the Russian layout on comes out as Т12345678 for N12345678, with the Kazakh
one as Т„әіңғ,.ү (its number row holds Kazakh letters, not digits); a letter's check code read by
a scanner that types as a keyboard comes out as ``ЙЩКПФГ/ЫУД-2026.0042/фи…`` for
``QORGAU|SEL-2026/0042|ab…`` (Russian) or ``ЙЩКПФГ/ЫУДөәқә,№ққңә/фи…`` (Kazakh). The tables are
each layout over the US one (QWERTY), key by key, unshifted and shifted; characters on no such
key are kept.
"""

from __future__ import annotations

import re
from typing import Literal

# The letter keys are the same in both layouts (ЙЦУКЕН).
_LETTERS = "йцукенгшщзхъфывапролджэячсмитьбюЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
_LETTER_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>"
RUSSIAN_KEYS = str.maketrans(_LETTERS + '.,/ёЁ"№;:?', _LETTER_KEYS + "/?|`~@#$^&")
# The Kazakh layout of RST KazSSR 903-90 (Windows' and X11's "kz"): its number row holds the
# Kazakh letters, unshifted and shifted, and „ (" on some systems) where 1 is.
KAZAKH_KEYS = str.maketrans(
    _LETTERS + '„"әіңғ,.үұқөһ(№\\!ӘІҢҒ;:ҮҰҚӨҺ)?/',
    _LETTER_KEYS + "11234567890-=`/\\!@#$%^&*()_+~?|",
)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_KAZAKH_ONLY = re.compile("[әіңғүұқөһӘІҢҒҮҰҚӨҺ„]")

Layout = Literal["kazakh", "russian"]


def layout_of(text: str) -> Layout | None:
    """The Cyrillic layout ``text`` was typed with, if any: Kazakh when it holds a character on
    that layout's number row only (digits typed with it always do)."""
    if _KAZAKH_ONLY.search(text):
        return "kazakh"
    return "russian" if _CYRILLIC.search(text) else None


def as_latin_keys(text: str) -> str:
    """``text`` as the US layout gives the same keys, if it holds Cyrillic; else unchanged
    (its punctuation alone says nothing of the layout)."""
    layout = layout_of(text)
    if layout is None:
        return text
    return text.translate(KAZAKH_KEYS if layout == "kazakh" else RUSSIAN_KEYS)
