"""How long each of a mission's own texts may be (its letterhead: city, name, address, phone,
e-mail): the bounds of the bundle schema's ``mission`` record. The mission's record travels in
its bundles, and HQ refuses a bundle whose record breaks the schema, with every case in it: a
longer address typed once at setup, which nothing edits afterwards, stopped the mission's
exchange with HQ for good."""

from __future__ import annotations

from typing import Protocol

MISSION_TEXT_LIMITS: dict[str, int] = {
    "city": 120,
    "city_kk": 120,
    "city_ru": 120,
    "name_kk": 300,
    "name_ru": 300,
    "name_en": 300,
    "address_kk": 500,
    "address_ru": 500,
    "address_en": 500,
    "phone": 60,
    "email": 200,
}


class NamedMission(Protocol):
    """A mission's row or its sign-in copy: its name in each language."""

    @property
    def name_kk(self) -> str: ...
    @property
    def name_ru(self) -> str: ...
    @property
    def name_en(self) -> str: ...


def mission_name_in(mission: NamedMission, lang: str) -> str:
    """The mission's name in ``lang``, else in English, else in Russian; empty if none."""
    names = {"kk": mission.name_kk, "ru": mission.name_ru, "en": mission.name_en}
    for name in (names.get(lang), mission.name_en, mission.name_ru):
        if name and name.strip():
            return name.strip()
    return ""
