"""Cities as a letter in Kazakh, Russian or English writes them in an address block.

Employer and partner records keep a city as it was typed, usually in Latin letters
("Seoul"), and a Kazakh address block printed «Seoul, Корея Республикасы». The mission's own
city is recorded in each language; other well-known host cities come from the reviewed table
``resources/states/city_names.json``. A city found in neither is printed as recorded: a
transliteration of an unknown name could be wrong in a way nobody checks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from app.resources import resource_path

TABLE = resource_path("states", "city_names.json")


def _key(name: str) -> str:
    """A city's name as compared: case, hyphens, spacing and Turkish İ do not matter."""
    return " ".join(name.replace("İ", "I").replace("-", " ").casefold().split())


@lru_cache(maxsize=2)
def _index(path: Path = TABLE) -> dict[str, dict[str, str]]:
    """Each name of each city (en, kk, ru) → the city's names by language."""
    cities: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))["cities"]
    index: dict[str, dict[str, str]] = {}
    for english, names in cities.items():
        every = {"en": english, **names}
        for name in every.values():
            index.setdefault(_key(name), every)
    return index


def city_name(city: str, lang: str, mission_city: Mapping[str, str] | None = None) -> str:
    """``city`` in ``lang``: the mission's own name for it when it is the mission's city
    (``mission_city``, keyed by language), else the table's, else as recorded."""
    key = _key(city)
    if not key:
        return city
    if mission_city and key in {_key(name) for name in mission_city.values()}:
        if mission_city.get(lang, "").strip():
            return mission_city[lang].strip()
    return _index().get(key, {}).get(lang) or city
