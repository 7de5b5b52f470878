"""Cities as a letter in Kazakh, Russian or English writes them in an address block.

Employer and partner records keep a city as it was typed, usually in Latin letters
("Seoul"), and a Kazakh address block printed «Seoul, Корея Республикасы». The mission's own
city is recorded in each language; other well-known host cities come from the reviewed table
``resources/states/city_names.json``. A city found in neither is printed as recorded: a
transliteration of an unknown name could be wrong in a way nobody checks.
"""

from __future__ import annotations

import json
import re
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


# Korean addresses name a city with its administrative unit: "Hwaseong-si" (city), "Yangpyeong-gun"
# (county), "Haeundae-gu" (district). The table keys the name without it.
_KOREAN_UNIT = re.compile(r" (si|gun|gu)$")


def city_name(
    city: str, lang: str, mission_city: Mapping[str, str] | None = None, country: str = ""
) -> str:
    """``city`` in ``lang``: the mission's own name for it when it is the mission's city
    (``mission_city``, keyed by language), else the table's, else as recorded. In Korea
    (``country`` "KR") a kk or ru letter finds a name with its unit ("Hwaseong-si") under its
    bare name, when that is known; anything else stays as recorded."""
    key = _key(city)
    if not key:
        return city
    keys = [key]
    # English keeps the recorded form: "Hwaseong-si" is how the Korean post writes it.
    if country.upper() == "KR" and lang != "en":
        bare = _KOREAN_UNIT.sub("", key)
        if bare and bare != key:
            keys.append(bare)
    for each in keys:
        if mission_city and each in {_key(name) for name in mission_city.values()}:
            if mission_city.get(lang, "").strip():
                return mission_city[lang].strip()
        known = _index().get(each, {}).get(lang)
        if known:
            return known
    return city


def names_city(part: str, city: str, country: str = "") -> bool:
    """Whether an address part names ``city`` (case, hyphens and spacing aside); in Korea also
    with its unit, so that "Gyeongju-si" in a street names the city recorded as "Gyeongju"."""
    given, wanted = _key(part), _key(city)
    if not given or not wanted:
        return False
    if given == wanted:
        return True
    if country.upper() != "KR":
        return False
    return _KOREAN_UNIT.sub("", given) == _KOREAN_UNIT.sub("", wanted)
