"""How an officer's text and a justified paragraph are laid out in a letter.

Two things reportlab does not decide for us:

* the fields an officer writes (facts, requests) are plain text, in which a list is written
  with dashes or bullets; the letter prints its own bullet, so the officer's mark goes, and
  a line with nothing but a mark is no item at all;
* a justified line followed by a long piece that cannot be broken (an account number, an
  address on the web) is stretched to the margin with gaps wider than words: it is left
  ragged instead, as a typesetter would;
* any other justified line is stretched only so far: a Kazakh line of a few long words
  («куәландыратын құжаттарын») or one before a name or an amount kept whole would open gaps
  of five spaces and more; its spaces grow to a bound and the rest of the line is left
  short of the margin. (Hyphenation would not do: pyphen has no Kazakh dictionary, and a
  letter must not break a person's or a ministry's name.)
"""

from __future__ import annotations

import re
from typing import Any

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

# A list mark an officer types at the start of a line, followed by a space or nothing: not a
# minus sign ("-5 °C") or a dash inside a word.
_LIST_MARK = re.compile(r"^\s*[-\u2010-\u2015\u2022\u2023\u2043\u25e6\u00b7*]+(?=\s|$)\s*")
# What makes a token a "piece" rather than a word: digits, or the punctuation of an address
# inside it (a word that ends a sentence or a clause is still a word).
_PIECE = re.compile(r"[\d/@_]|[.:](?=\w)")
_CLOSING = ".,;:!?»”\")'"
# A justified line's spaces may grow to this fraction of the font size each before a line
# that starts with a piece is left ragged instead.
_MAX_STRETCH = 0.3
# How far any justified line's spaces may grow, each, as a fraction of the font size (a
# space is about a quarter of it): past this the line is left short of the margin.
MAX_GAP_GROWTH = 0.4


def paragraphs(text: str) -> list[str]:
    """Officer's free text split on blank lines; single line breaks stay inside a paragraph."""
    chunks = [chunk.strip() for chunk in text.replace("\r\n", "\n").split("\n\n")]
    return [chunk for chunk in chunks if chunk]


def list_item(line: str) -> str | None:
    """The text of ``line`` if it is a list item (starts with a dash or a bullet), without its
    mark; "" for a mark alone; None if the line is no list item."""
    mark = _LIST_MARK.match(line)
    return None if mark is None else line[mark.end() :].strip()


def field_blocks(text: str) -> list[tuple[str, str]]:
    """(style, text) of each block of a field the officer wrote: paragraphs ("body") split on
    blank lines, and in them each line that starts with a dash or a bullet as an "item" of
    its own (printed with the letter's bullet). A line of a mark alone prints nothing."""
    blocks: list[tuple[str, str]] = []
    for chunk in paragraphs(text):
        prose: list[str] = []
        for line in chunk.splitlines():
            item = list_item(line)
            if item is None:
                prose.append(line.strip())
                continue
            if prose:
                blocks.append(("body", " ".join(prose)))
                prose = []
            if item:
                blocks.append(("item", item))
        if prose:
            blocks.append(("body", " ".join(prose)))
    return blocks


def request_items(text: str) -> list[str]:
    """One request per line, without the officer's list mark or closing punctuation (the
    letter adds its own); lines with nothing else are dropped."""
    items = []
    for line in text.splitlines():
        item = list_item(line)
        item = (line if item is None else item).strip(" ;.")
        if item:
            items.append(item)
    return items


class LetterParagraph(Paragraph):
    """A paragraph whose justified lines are not stretched before an unbreakable piece."""

    def breakLines(self, width: Any) -> Any:  # noqa: N802 (reportlab's name)
        broken = super().breakLines(width)
        if self.style.alignment == TA_JUSTIFY:
            _unstretch(broken, self.style.fontName, self.style.fontSize)
        return broken


def _first_word(line: Any, kind: int) -> str:
    if kind == 0:
        return str(line[1][0]) if line[1] else ""
    text = "".join(str(getattr(frag, "text", "")) for frag in line.words)
    return text.split(" ", 1)[0]


def _gaps_and_slack(line: Any, kind: int) -> tuple[int, float]:
    if kind == 0:
        return len(line[1]) - 1, float(line[0])
    return int(line.wordCount) - 1, float(line.extraSpace)


def _unstretch(bl_para: Any, font_name: str, font_size: float) -> None:
    """Leave ragged each line whose spaces would grow wide because the next line starts with
    a piece too long to join it (its slack is then given up, not spread); stretch any other
    line's spaces no more than ``MAX_GAP_GROWTH`` each."""
    kind = getattr(bl_para, "kind", 0)
    lines = bl_para.lines
    for index in range(len(lines) - 1):
        gaps, slack = _gaps_and_slack(lines[index], kind)
        if gaps < 1 or slack / gaps <= _MAX_STRETCH * font_size:
            continue
        following = _first_word(lines[index + 1], kind)
        if _PIECE.search(following.rstrip(_CLOSING)) and (
            stringWidth(following, font_name, font_size) > slack  # else it broke for another reason
        ):
            _set_slack(lines, index, kind, 0.0)
        elif slack / gaps > MAX_GAP_GROWTH * font_size:
            _set_slack(lines, index, kind, MAX_GAP_GROWTH * font_size * gaps)


def _set_slack(lines: list[Any], index: int, kind: int, slack: float) -> None:
    """Spread ``slack`` over the spaces of line ``index`` (what is left of its width stays
    at its end)."""
    if kind == 0:
        lines[index] = (slack, lines[index][1])
    else:
        lines[index].extraSpace = slack
