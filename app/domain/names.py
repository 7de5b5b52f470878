"""How a document names a person in its language: one rule for letters, reports and sheets.

An English document prints names in Latin letters: a worker's as the passport spells it where
that is on file, else transliterated as a Kazakh passport would; an officer's as recorded in
their account, else transliterated. A Kazakh or Russian document prints the Cyrillic name.
"""

from __future__ import annotations

from typing import Protocol

from app.domain.translit import latin_name, name_in_latin


class NamedPerson(Protocol):
    """A worker's record (the database row, a service's record or a letter's context)."""

    @property
    def surname(self) -> str: ...
    @property
    def given_names(self) -> str: ...
    @property
    def patronymic(self) -> str: ...
    @property
    def surname_latin(self) -> str: ...
    @property
    def given_names_latin(self) -> str: ...


class NamedUser(Protocol):
    """An officer's account."""

    @property
    def username(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def full_name_latin(self) -> str: ...


def person_name(person: NamedPerson, lang: str) -> str:
    """The worker's name in a ``lang`` document: «Surname Given Patronymic» in Cyrillic, or
    "Given Surname" in Latin letters in English."""
    if lang == "en":
        return name_in_latin(
            person.given_names, person.surname, person.given_names_latin, person.surname_latin
        )
    return " ".join(p for p in (person.surname, person.given_names, person.patronymic) if p)


def passport_name(person: NamedPerson) -> str:
    """The worker's name as the passport prints it, surname first («NURLANOVA AIGUL»), which
    a Kazakh or Russian letter abroad gives in brackets: the parts on file as recorded, a part
    missing transliterated as a Kazakh passport spells it, in capitals where the recorded
    part is or where none is (half a name would stand for the whole)."""
    recorded = (person.surname_latin, person.given_names_latin)
    capitals = not any(recorded) or any(part and part == part.upper() for part in recorded)
    parts = []
    for latin, cyrillic in zip(recorded, (person.surname, person.given_names), strict=True):
        spelled = latin or latin_name(cyrillic)
        parts.append(spelled.upper() if capitals and not latin else spelled)
    return " ".join(part for part in parts if part)


def user_name(user: NamedUser, lang: str) -> str:
    """The officer's name in a ``lang`` document, the login where no name is recorded."""
    return officer_name(user, lang) or user.username


def officer_name(user: NamedUser, lang: str) -> str:
    """The officer's recorded name in a ``lang`` document, empty where none is: a letter
    leaves the line out rather than print a login, which names no one to its reader."""
    if lang == "en":
        return user.full_name_latin or latin_name(user.full_name)
    return user.full_name
