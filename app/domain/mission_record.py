"""How long each of a mission's own texts may be (its letterhead: city, name, address, phone,
e-mail): the bounds of the bundle schema's ``mission`` record. The mission's record travels in
its bundles, and HQ refuses a bundle whose record breaks the schema, with every case in it: a
longer address typed once at setup, which nothing edits afterwards, stopped the mission's
exchange with HQ for good."""

from __future__ import annotations

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
