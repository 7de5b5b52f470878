"""Text typed with the Russian keyboard layout on, read back as the keys that were pressed.

Officers switch between the Russian (or Kazakh) and the Latin layout all day. A passport number
typed with the Russian layout on comes out as Т12345678 for N12345678; a letter's check code
read by a scanner that types as a keyboard comes out as ``ЙЩКПФГ/ЫУД-2026.0042/фи…`` for
``QORGAU|SEL-2026/0042|ab…``. The table is the Russian layout (ЙЦУКЕН) over the US one
(QWERTY), key by key, unshifted and shifted; characters on no such key are kept.
"""

from __future__ import annotations

import re

_RUSSIAN = 'йцукенгшщзхъфывапролджэячсмитьбю.ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,/ёЁ"№;:?'
_LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,./QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?|`~@#$^&"
RUSSIAN_KEYS = str.maketrans(_RUSSIAN, _LATIN)
_CYRILLIC = re.compile("[\u0400-\u04ff]")


def as_latin_keys(text: str) -> str:
    """``text`` as the US layout gives the same keys, if it holds Cyrillic; else unchanged
    (its punctuation alone says nothing of the layout)."""
    return text.translate(RUSSIAN_KEYS) if _CYRILLIC.search(text) else text
