"""Control characters in typed or pasted text: what a text may hold, and the text made fit.

Text pasted from Word or a PDF brings control characters with it: a manual line break is a
vertical tab (U+000B), a page break a form feed (U+000C), and some programs leave escape
sequences. Stored as they came, they reached headquarters in the mission's bundle, whose import
refuses any text holding one (a forged bundle's escape sequences would reach a terminal):
one pasted description stopped every later bundle of the mission. So text is made fit before it
is stored: the breaks become line breaks, the rest go (none is visible). \\t, \\n and \\r are text.

A lone UTF-16 surrogate (half of a character outside the BMP, such as an emoji, that a broken
paste leaves in a Qt field) is not a character: it shows as nothing, no UTF-8 text (SQLite's,
a bundle's) can hold it, and written as it came it failed the save with an internal error. It
goes too, as a control character does: refused instead, the officer would be told of a
character the field does not show and they could not find to delete. A pair of halves that
belong together becomes the character they make.

Characters no reader sees are a second kind (``clean_text``): a zero-width space or a
decomposed «й» made the same name another to every comparison, a right-to-left override showed
it reversed. docs/security.md says where each is dropped and where refused.

A refusal that quotes what was given quotes it shortened (``quoted``): 200 pages pasted into one
field made a message of half a megabyte, a line no terminal or dialog shows.
"""

from __future__ import annotations

import re
import unicodedata

# Control characters no text may hold.
TEXT_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Control characters no identifier, code, number or date may hold.
STRICT_FORBIDDEN = "\x00-\x1f\x7f-\x9f"
# Vertical tab (Word's line break), form feed (page break), next line (U+0085).
_BREAKS = re.compile("[\x0b\x0c\x85]")
_FORBIDDEN = re.compile(f"[{TEXT_FORBIDDEN}]")
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNFIT = re.compile(f"[{TEXT_FORBIDDEN}\ud800-\udfff]")


def fit_text(text: str) -> str:
    """``text`` with its breaks as line breaks, no other control character and no lone
    surrogate."""
    if _UNFIT.search(text) is None:  # nearly every text: one scan, no copy
        return text
    text = _SURROGATE.sub("", _SURROGATE_PAIR.sub(_joined, text))
    return _FORBIDDEN.sub("", _BREAKS.sub("\n", text))


# Characters no reader sees: zero-width space, non-joiner and joiner, word joiner and the
# invisible operators, the byte-order mark, the soft hyphen, and the left-to-right,
# right-to-left and Arabic letter marks (a mark moves at most a neighbouring punctuation sign).
# «Айгерім» with one is another name to every comparison, and looks the same.
INVISIBLE = "\u00ad\u061c\u200b-\u200f\u2060-\u2064\ufeff"
# Embeddings, overrides and isolates: they reorder what follows them, so that a reader sees
# text other than what is stored (U+202E shows «Hanil» as «linaH»). Never part of a name.
DIRECTION_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_DIRECTION = re.compile(f"[{DIRECTION_CONTROLS}]")
_UNSEEN = re.compile(f"[{INVISIBLE}{DIRECTION_CONTROLS}]")
# One scan tells nearly every text (a case's whole search row of names, notes and description)
# that there is nothing to drop: the drops one by one cost some six times as much.
_UNFIT_OR_INVISIBLE = re.compile(f"[{TEXT_FORBIDDEN}\ud800-\udfff{INVISIBLE}]")
_UNFIT_OR_UNSEEN = re.compile(f"[{TEXT_FORBIDDEN}\ud800-\udfff{INVISIBLE}{DIRECTION_CONTROLS}]")


def clean_text(text: str) -> str:
    """``text`` made fit (``fit_text``), in NFC («й» one character, not «и» and a breve) and
    without the invisible characters: what was typed or pasted, as it looks. Direction controls
    stay: what refuses or drops them depends on where the text came from
    (``direction_control``, ``without_direction_controls``)."""
    if _UNFIT_OR_INVISIBLE.search(text) is not None:
        text = _INVISIBLE.sub("", fit_text(text))
    return _composed(text)


def _composed(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def direction_control(text: str) -> str | None:
    """The first direction control in ``text`` (U+202E and the like), or None."""
    found = _DIRECTION.search(text)
    return found.group() if found else None


def without_direction_controls(text: str) -> str:
    """``text`` without its direction controls: for keys and for text stored before they were
    refused, which would otherwise show reversed."""
    return _DIRECTION.sub("", text)


def direction_controls_shown(text: str) -> str:
    """``text`` with each direction control written as its code point («⟨U+202E⟩»): where a
    record that cannot change (the audit log) may hold one, the reader sees it was there."""
    return _DIRECTION.sub(lambda found: f"⟨U+{ord(found.group()):04X}⟩", text)


def bare_text(text: str) -> str:
    """``text`` as comparisons and search keys take it: cleaned, and no direction control."""
    if _UNFIT_OR_UNSEEN.search(text) is None:
        return _composed(text)
    return clean_text(_DIRECTION.sub("", text))


def unseen_character(text: str) -> str | None:
    """The first invisible character or direction control in ``text``, or None."""
    found = _UNSEEN.search(text)
    return found.group() if found else None


def _joined(pair: re.Match[str]) -> str:
    """The character a high and a low surrogate make together."""
    return pair.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le")


QUOTED_CHARS = 80


def quoted(value: object, limit: int = QUOTED_CHARS) -> str:
    """``value`` as a message quotes it: its text, cut to ``limit`` characters with "…"."""
    text = str(value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
