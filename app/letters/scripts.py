"""Text in a script or language the letter's language does not expect, found before approval.

An English letter has no Cyrillic; a Russian one has no Kazakh-only letters; a Kazakh one has
no run of Russian function words. Proper names (the person, the employer, the addressee, the
mission, the agency) are taken out first: they are printed as they are spelled.
"""

from __future__ import annotations

import re

from app.i18n import _
from app.letters.context import LetterContext
from app.letters.fonts import printable_code_points

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KAZAKH_ONLY = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
# Words that occur in any Russian sentence and never in Kazakh prose.
_RUSSIAN_WORDS = re.compile(r"(?<!\w)(и|в|не|что|на|по|с|для|его|её|от|был|была|это)(?!\w)")


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


def _suspicious(text: str, lang: str) -> str | None:
    if lang == "en":
        match = _CYRILLIC.search(text)
    elif lang == "ru":
        match = _KAZAKH_ONLY.search(text)
    else:
        words = _RUSSIAN_WORDS.findall(text.lower())
        match = _RUSSIAN_WORDS.search(text.lower()) if len(words) >= 3 else None
    if match is None:
        return None
    start = max(0, match.start() - 20)
    return text[start : match.end() + 20].strip()


def foreign_script_passages(context: LetterContext) -> list[str]:
    """One warning per part of the letter whose text is not in the letter's language."""
    warnings: list[str] = []
    for what, text in _editable_texts(context):
        for name in _names(context):
            text = text.replace(name, " ")
        passage = _suspicious(text, context.lang)
        if passage:
            warnings.append(
                _("{part} has text in another language than the letter's: «{passage}»").format(
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
                    "{part} has characters the letter's font cannot print, which the PDF would "
                    "leave out: {characters}. Write them in Latin or Cyrillic letters."
                ).format(part=what[:1].upper() + what[1:], characters=" ".join(missing[:12]))
            )
    return warnings
