"""The groups of a person record's fields that several places list alike.

Field names of ``app.db.models.Person`` (and of ``PersonInput``): the form, the subject access
export, anonymising and the CSV import each name these groups instead of spelling them again.
"""

from __future__ import annotations

import uuid

from app.domain.iin import Sex

# The name as typed: in Cyrillic, and in Latin letters as in the passport.
NAME_FIELDS = ("surname", "given_names", "patronymic", "surname_latin", "given_names_latin")
# How to reach the person besides the phone abroad: free text, "" where unknown.
CONTACT_FIELDS = (
    "phone_home",
    "email",
    "messenger",
    "address_abroad",
    "address_home",
    "next_of_kin",
)
# What identifies the person besides the name: None where unknown.
IDENTITY_FIELDS = ("iin", "passport_no", "birth_date")
# What an officer may change on a person picked from the file for a new case: how to reach
# them (a worker abroad changes SIM cards) and their consent. Names, identifiers and sex
# stay as stored: they identify the person in every one of their cases, and a slip there
# is corrected on purpose, on a saved case.
EDITABLE_ON_NEW_CASE = (
    "phone_abroad",
    *CONTACT_FIELDS,
    "consent_date",
    "consent_scope",
    "consent_note",
)

# What an anonymised case's own person keeps of its worker: what statistics count (whether she
# consented is one, ``StatsService.anonymised_cases``), as retention keeps it on the worker. The
# rest of the record stays empty: no name, identifier, birth date, contact or consent note.
OWN_PERSON_KEPT = ("sex", "citizenship", "consent_date")
# The ids of anonymised cases' (and caseless register records') own persons
# (``app.services.retention``) follow from the record's id, so that the mission, headquarters
# and migrations 0032 and 0033 each make the same record (each migration keeps a copy of the
# derivation: tests/unit/test_frozen_migrations.py compares 0032's with this one).
_OWN_PERSON_IDS = uuid.UUID("5f0c7d3e-9a41-4b8e-8d2c-0a6e1f4b7c19")


def own_person_id(record_id: str) -> str:
    """The id of the person an anonymised case or caseless register record is given instead of
    its worker (the two kinds' ids never meet: each is a new UUID)."""
    return str(uuid.uuid5(_OWN_PERSON_IDS, record_id))


# What a Kazakh or Russian name says of the person's sex, for a register that records none:
# the patronymic («Серікұлы», «Серікқызы», «Сергеевич», «Сергеевна»), else the surname's
# ending («Әбенова», «Петровская»). Given names are not read: too many are both or neither.
_PATRONYMIC_ENDINGS: dict[Sex, tuple[str, ...]] = {
    "male": ("ұлы", "улы", "ович", "евич", "ич", "оглы"),
    "female": ("қызы", "кызы", "овна", "евна", "ична", "инична", "гызы"),
}
# Many Kazakhs bear a surname made of the father's name and -қызы/-ұлы («Құрманғалиқызы
# Әсел», «Бауыржанұлы Санжар»); those say the sex as a patronymic does (not -ич, which
# Belarusian and Serbian surnames of either sex end in).
_SURNAME_ENDINGS: dict[Sex, tuple[str, ...]] = {
    "female": ("ова", "ева", "ёва", "ина", "ына", "ская", "цкая", "қызы", "кызы", "гызы"),
    "male": ("ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ұлы", "улы", "оглы"),
}


def sex_from_names(surname: str, patronymic: str) -> Sex | None:
    """ "male", "female", or None when the names do not say."""
    for table, name in ((_PATRONYMIC_ENDINGS, patronymic), (_SURNAME_ENDINGS, surname)):
        word = name.replace(" ", "").casefold()
        if not word:
            continue
        for sex, endings in table.items():
            if word.endswith(endings):
                return sex
    return None
