"""What a keyboard (or a scanner that types as one) sends for a text with each layout on.

Written from the layouts themselves (X11's ``us``, ``ru`` and ``kz``; Windows' are the same
keys), independently of ``app.domain.keyboard``, which reads such text back: key by key, the
unshifted and the shifted character, row by row from the number row down.
"""

from __future__ import annotations

Rows = tuple[tuple[str, str], ...]

US: Rows = (
    ("`1234567890-=", "~!@#$%^&*()_+"),
    ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
    ("asdfghjkl;'", 'ASDFGHJKL:"'),
    ("zxcvbnm,./", "ZXCVBNM<>?"),
)
RUSSIAN: Rows = (
    ("ё1234567890-=", 'Ё!"№;%:?*()_+'),
    ("йцукенгшщзхъ\\", "ЙЦУКЕНГШЩЗХЪ/"),
    ("фывапролджэ", "ФЫВАПРОЛДЖЭ"),
    ("ячсмитьбю.", "ЯЧСМИТЬБЮ,"),
)
# RST KazSSR 903-90: the Kazakh letters where the digits are.
KAZAKH: Rows = (
    ("(„әіңғ,.үұқөһ", ")!ӘІҢҒ;:ҮҰҚӨҺ"),
    ("йцукенгшщзхъ\\", "ЙЦУКЕНГШЩЗХЪ/"),
    ("фывапролджэ", "ФЫВАПРОЛДЖЭ"),
    ("ячсмитьбю№", "ЯЧСМИТЬБЮ?"),
)


def typed_on(layout: Rows, text: str, *, caps_lock: bool = False) -> str:
    """``text`` (as the US layout writes it) typed with ``layout`` on; Caps Lock turns the case
    of what a letter key gives, on whichever row the layout has its letters."""
    keys = {
        char: (row, column, level)
        for row, levels in enumerate(US)
        for level, chars in enumerate(levels)
        for column, char in enumerate(chars)
    }
    out = []
    for char in text:
        if char not in keys:
            out.append(char)
            continue
        row, column, level = keys[char]
        given = layout[row][level][column]
        if caps_lock and layout[row][0][column].isalpha():
            given = given.swapcase()
        out.append(given)
    return "".join(out)
