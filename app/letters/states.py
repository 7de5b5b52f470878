"""Official names of states and their ministries, in the grammatical case a letter needs.

Letters never print CLDR's short names («Оңтүстік Корея», «South Korea»): they take the
reviewed table ``resources/states/official_names.json``. A state missing from the table falls
back to CLDR so a letter still renders (in a construction that needs no declension of its
name), and ``is_known`` lets the approval check warn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from app.i18n import country_name
from app.resources import resource_path

TABLE = resource_path("states", "official_names.json")
StateCase = Literal["nom", "gen", "dat", "loc"]
CASES: tuple[StateCase, ...] = ("nom", "gen", "dat", "loc")

# A ministry's name without its state, where the table gives none: (nominative, dative).
_DEFAULT_BODIES: dict[str, dict[str, Any]] = {
    "mfa": {
        "kk": ("Сыртқы істер министрлігі", "Сыртқы істер министрлігіне"),
        "ru": ("Министерство иностранных дел", "Министерству иностранных дел"),
        "en": "Ministry of Foreign Affairs",
    },
    "labour": {
        "kk": ("Еңбек министрлігі", "Еңбек министрлігіне"),
        "ru": ("Министерство труда", "Министерству труда"),
        "en": "Ministry of Labour",
    },
    # A missing or a dead worker is a matter for the police and other bodies, not labour's.
    "competent": {
        "kk": ("құзыретті органдары", "құзыретті органдарына"),
        "ru": ("компетентные органы", "компетентным органам"),
        "en": "competent authorities",
    },
}


@dataclass(frozen=True)
class Body:
    """A state body named in full: ``nominative`` for the address block, ``dative`` for a note."""

    nominative: str
    dative: str


@lru_cache(maxsize=2)
def load_table(path: Path = TABLE) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    states: dict[str, dict[str, Any]] = data["states"]
    return states


def is_known(iso2: str) -> bool:
    return (iso2 or "").upper() in load_table()


# A state missing from the table: CLDR's name stands in the nominative after a word for
# "state" that takes the case («Министерству иностранных дел государства Польша», «в
# государстве Польша», «Польша мемлекетінің»), as «Республики Корея» does, rather than a
# name left undeclined («в Польша») or forms no reviewed source gives.
_UNDECLINED = {
    "ru": {"gen": "государства {name}", "dat": "государству {name}", "loc": "государстве {name}"},
    "kk": {"gen": "{name} мемлекетінің", "dat": "{name} мемлекетіне", "loc": "{name} мемлекетінде"},
}


def state_name(iso2: str, lang: str, case: StateCase = "nom") -> str:
    """«Корея Республикасының» (kk, gen), «Республике Корея» (ru, loc), «the Republic of Korea»."""
    row = load_table().get((iso2 or "").upper())
    if row is None:
        name = country_name(iso2, lang)
        if lang == "en" or case == "nom":
            return name
        return _UNDECLINED[lang][case].format(name=name)
    if lang == "en":
        return str(row["en"])
    return str(row[lang][case])


def state_name_en_bare(iso2: str) -> str:
    """The English name without its article, for a heading or the start of a sentence."""
    name = state_name(iso2, "en")
    return name[4:] if name.startswith("the ") else name


def official_name(iso2: str, lang: str) -> str:
    """The state's official name standing alone (a table cell, a report's row): nominative,
    without the English article; empty for no state."""
    if not iso2:
        return ""
    return state_name_en_bare(iso2) if lang == "en" else state_name(iso2, lang)


def body(iso2: str, kind: str, lang: str) -> Body:
    """The host state's MFA (``mfa``), labour ministry (``labour``) or competent authorities
    (``competent``) named in full."""
    row = load_table().get((iso2 or "").upper(), {})
    names = row.get(kind) or _DEFAULT_BODIES[kind]
    if lang == "en":
        full = f"{names['en']} of {state_name(iso2, 'en')}"
        return Body(full, f"the {full}")
    nominative, dative = names[lang]
    if lang == "kk":
        genitive = state_name(iso2, "kk", "gen")
        return Body(f"{genitive} {nominative}", f"{genitive} {dative}")
    genitive = state_name(iso2, "ru", "gen")
    return Body(f"{nominative} {genitive}", f"{dative} {genitive}")


def mfa_for_consulate(iso2: str, city: str, lang: str) -> tuple[Body, str]:
    """Where a consulate in ``city`` (its English name) sends a note: the office of the host's
    MFA in that city where the table lists one (the Istanbul Representation Office), else the
    ministry itself in the capital. Returns the body and the English name of its city (empty
    when the table gives no capital: the officer writes it)."""
    row = load_table().get((iso2 or "").upper(), {})
    office = row.get("mfa_offices", {}).get(city)
    if office is None:
        return body(iso2, "mfa", lang), str(row.get("capital") or "")
    if lang == "en":
        return Body(office["en"], f"the {office['en']}"), city
    nominative, dative = office[lang]
    return Body(nominative, dative), city
