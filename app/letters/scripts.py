"""Text in a script or language the letter's language does not expect, found before approval.

An English letter has no Cyrillic; a Russian or Kazakh one has no Latin prose; a Russian one
has no Kazakh-only letters; a Kazakh one has no Russian sentence. Proper names (the person, the
employer, the addressee, the mission, the agency, the staff who sign and execute) are taken out
first: they are printed as they are spelled, and a warning on every correct letter would teach
the approver to ignore the check.
"""

from __future__ import annotations

import re
import unicodedata

from app.i18n import _
from app.letters.context import LetterContext
from app.letters.fonts import printable_code_points

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KAZAKH_ONLY = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
_WORD = re.compile(r"[^\W\d_]+")
# Addresses print in Latin letters in any letter: not prose.
_ADDRESSES = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;\n]+")
# Words of any Russian sentence that Kazakh prose never has. Not «не», «от», «он», «у», «же»:
# Kazakh words too ("what", "fire", "ten", "poison", "eat").
_RUSSIAN_WORDS = frozenset(
    "и в на по с к о из за для его её ее их ему ей что это был была было были но как так "
    "уже она они мы при без до который которая которые также".split()
)
# Two lowercase Latin words are prose (English, Turkish …); one is a brand or a loan word
# («через WhatsApp»), and capitalised words or codes (TRY, C029) are names.
_LATIN_PROSE_WORDS = 2
_PASSAGE = 80  # characters of a passage quoted in a warning: enough to find it


def _names(context: LetterContext) -> list[str]:
    person = context.person
    names = [
        person.surname,
        person.given_names,
        person.patronymic,
        person.surname_latin,
        person.given_names_latin,
        context.addressee.name,
        context.addressee.organisation,
        context.addressee.address,
        context.agency_name or "",
        context.partner_name or "",
        context.signatory.name,
        context.executor.name,
        *context.mission.name.values(),
    ]
    if context.employer is not None:
        names.append(context.employer.name)
    return sorted((n for n in names if n), key=len, reverse=True)


def _editable_texts(context: LetterContext) -> list[tuple[str, str]]:
    """(what it is, text) for the parts the officer wrote or may have pasted."""
    return [
        (_("the subject"), context.subject),
        (_("the facts"), context.facts),
        (_("the requests"), context.requests),
        (_("the free text"), context.free_text),
        *((_("an enclosure"), item) for item in context.attachments),
        (_("the signatory"), f"{context.signatory.position} {context.signatory.name}"),
        (_("the executor"), context.executor.name),
    ]


def _is_latin_prose_word(word: str) -> bool:
    return (
        len(word) > 1
        and word.islower()
        and all(unicodedata.name(c, "").startswith("LATIN") for c in word)
    )


def _latin_prose(text: str) -> re.Match[str] | None:
    """The first Latin word of a text with Latin prose in it, else None."""
    blanked = _ADDRESSES.sub(lambda m: " " * len(m[0]), text)  # offsets stay the text's
    words = [m for m in _WORD.finditer(blanked) if _is_latin_prose_word(m[0])]
    return words[0] if len(words) >= _LATIN_PROSE_WORDS else None


def _russian_sentence(text: str) -> tuple[int, int] | None:
    """Where a Russian sentence stands in a Kazakh text: one with two Russian-only words, or
    one of three words or more, none with a Kazakh-only letter, and a Russian-only word."""
    start = 0
    for end in (*(m.start() for m in _SENTENCE_END.finditer(text)), len(text)):
        sentence = text[start:end]
        words = _CYRILLIC_WORD.findall(sentence.lower())
        russian = sum(word in _RUSSIAN_WORDS for word in words)
        kazakh = _KAZAKH_ONLY.search(sentence) is not None
        if russian >= 2 or (russian and not kazakh and len(words) >= 3):
            return start, end
        start = end
    return None


def _suspicious(text: str, lang: str) -> str | None:
    """A passage of ``text`` in another language than ``lang``, with some context."""
    span: tuple[int, int] | None = None
    if lang == "en":
        match = _CYRILLIC.search(text)
        span = match.span() if match else None
    else:
        match = _KAZAKH_ONLY.search(text) if lang == "ru" else None
        if match is None:
            match = _latin_prose(text)
        span = match.span() if match else None
        if span is None and lang == "kk":
            span = _russian_sentence(text)
    if span is None:
        return None
    start = max(0, span[0] - 20)
    return text[start : min(span[1] + 20, start + _PASSAGE)].strip()


def foreign_script_passages(context: LetterContext) -> list[str]:
    """One warning per part of the letter whose text is not in the letter's language."""
    warnings: list[str] = []
    for what, text in _editable_texts(context):
        for name in _names(context):
            text = text.replace(name, " ")
        passage = _suspicious(text, context.lang)
        if passage:
            warnings.append(
                _("{part}: text in another language than the letter's: «{passage}»").format(
                    part=what[:1].upper() + what[1:], passage=passage
                )
            )
    return warnings


def _printed_names(context: LetterContext) -> list[tuple[str, str]]:
    """(what it is, text) for the names the letter prints as they are spelled."""
    person = context.person
    employer = context.employer.name if context.employer is not None else ""
    return [
        (_("the person's name"), f"{person.surname} {person.given_names} {person.patronymic}"),
        (_("the employer's name"), employer),
        (_("the addressee"), context.addressee.name),
        (_("the addressee"), context.addressee.organisation),
        (_("the addressee's address"), context.addressee.address),
        (_("the agency's name"), context.agency_name or ""),
        (_("the partner's name"), context.partner_name or ""),
    ]


def unprintable_passages(context: LetterContext) -> list[str]:
    """One warning per part of the letter with characters its font has no glyph for (a
    name typed in Hangul or Arabic): the PDF would print nothing in their place."""
    printable = printable_code_points()
    warnings: list[str] = []
    said: set[str] = set()  # an employer letter's addressee is the employer: said once
    for what, text in (*_printed_names(context), *_editable_texts(context)):
        missing = sorted({c for c in text if ord(c) not in printable and not c.isspace()})
        if missing and text.strip() not in said:
            said.add(text.strip())
            warnings.append(
                _(
                    "{part}: characters the letter's font cannot print, which the PDF would "
                    "leave out: {characters}. Write them in Latin or Cyrillic letters."
                ).format(part=what[:1].upper() + what[1:], characters=" ".join(missing[:12]))
            )
    return warnings
