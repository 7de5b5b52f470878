"""Migrations keep copies of the live code they once imported, so that each goes on doing what it
did when written. These tests say when the live code parts from a copy: a deliberate change of
the live code then fails here, to be thought about (a copy is never edited to follow; a change
that old databases need comes with a migration of its own), and the test is updated to say so.

Left importing live code, on purpose: 0010 (``parse_sentence`` reads the sentences old versions
wrote through the catalogs; a sentence it no longer knows is left as typed text, nothing lost),
0022, 0023 and 0028's organisation keys (the keys the app looks organisations up by must be the
live key function's), ``UtcDateTime`` (the storage of every timestamp column, which no change
could alter without a migration over all of them) and ``revision_module`` (loads a migration).
"""

from __future__ import annotations

import uuid

from app.db.migrate import revision_module
from app.domain import persons, text

# Every character up to U+00A0 and the unseen ones, alone and inside a name; Word's breaks;
# a decomposed «й»; Kazakh, Russian and Latin names.
SPECIAL = [chr(c) for c in range(0xA1)] + [
    "\u00ad",
    "\u034f",
    "\u061c",
    "\u180e",
    *map(chr, range(0x200B, 0x2010)),
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2060, 0x2065)),
    *map(chr, range(0x2066, 0x206A)),
    "\ufeff",
    "\u0306",
]
SAMPLES = [
    *SPECIAL,
    *(f"Айгер{c}ім" for c in SPECIAL),
    "Line one\x0bline two\x0cpage two\x85next",
    "Серік и\u0306 Әсел",
    "Жақсылықова Гүлназ",
    "KURMANGALIKYZY ASSELKHAN",
    "",
]


def test_0032_derives_an_own_persons_id_as_the_live_code_does() -> None:
    m = revision_module("0032")
    for case_id in [str(uuid.uuid4()) for _ in range(20)] + ["", "SEL-2026-0001"]:
        assert m.own_person_id(case_id) == persons.own_person_id(case_id)


def test_0033_derives_a_register_records_own_person_as_the_live_code_does() -> None:
    m = revision_module("0033")
    for record_id in [str(uuid.uuid4()) for _ in range(20)] + [""]:
        assert m._own_person_id(record_id) == persons.own_person_id(record_id)


def test_0032_empties_and_keeps_the_persons_columns_the_live_code_names() -> None:
    m = revision_module("0032")
    live = (*persons.NAME_FIELDS, "phone_abroad", *persons.CONTACT_FIELDS, "consent_note")
    assert m._EMPTY == live
    assert tuple(m._KEPT) == persons.OWN_PERSON_KEPT


def test_0025_makes_text_fit_as_the_live_code_does() -> None:
    m = revision_module("0025")
    assert m.TEXT_FORBIDDEN == text.TEXT_FORBIDDEN
    for sample in SAMPLES:
        assert m.fit_text(sample) == text.fit_text(sample), repr(sample)


def test_0028_cleans_names_as_the_live_code_does() -> None:
    m = revision_module("0028")
    fit_text = revision_module("0025").fit_text
    assert (m.INVISIBLE, m.DIRECTION_CONTROLS) == (text.INVISIBLE, text.DIRECTION_CONTROLS)
    for sample in SAMPLES:
        assert m.bare_text(sample, fit_text) == text.bare_text(sample), repr(sample)
