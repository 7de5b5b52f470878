"""ISCO-08 occupations and Kazakhstan's regions of return, read from ``resources/occupations``.

Both are reference tables with their titles written per language (see the README beside the
files for their sources and which titles are our translations); records store the stable
codes only: a four-digit ISCO-08 unit group (``7212``) and an ISO 3166-2:KZ region (``KZ-71``).
Read once, on first use; a malformed file is a packaging error and fails loudly.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from app.errors import ValidationError
from app.i18n import _, current_language
from app.resources import resource_path

OCCUPATIONS_FILE = resource_path("occupations", "isco08.tsv")
REGIONS_FILE = resource_path("occupations", "kz_regions.tsv")
_FALLBACK = "en"
UNIT_GROUP = re.compile(r"^[0-9]{4}$")
MAJOR_GROUP = re.compile(r"^[0-9]$")
# ISO 639-1: two lower-case letters. The set is babel's (CLDR) list of languages with a
# two-letter code, so "xx" is refused while every real language is accepted.
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")


def _pick(titles: Mapping[str, str], language: str | None) -> str:
    return titles.get(language or current_language()) or titles[_FALLBACK]


@dataclass(frozen=True)
class Occupation:
    """A group of ISCO-08: major (1 digit), sub-major (2) or unit group (4 digits)."""

    code: str
    titles: Mapping[str, str] = field(hash=False, compare=False)

    @property
    def is_unit_group(self) -> bool:
        return len(self.code) == 4

    @property
    def major_group(self) -> str:
        return self.code[0]

    def title(self, language: str | None = None) -> str:
        return _pick(self.titles, language)


@dataclass(frozen=True)
class Region:
    """A region or city of republican significance, by its ISO 3166-2:KZ code."""

    code: str
    kato: str
    titles: Mapping[str, str] = field(hash=False, compare=False)

    def title(self, language: str | None = None) -> str:
        return _pick(self.titles, language)


def _rows(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _titles(row: Mapping[str, str]) -> dict[str, str]:
    return {lang: row[lang].strip() for lang in ("kk", "ru", "en") if row[lang].strip()}


@cache
def occupations() -> dict[str, Occupation]:
    """Every group of the list, in code order, by code."""
    found = {r["code"]: Occupation(r["code"], _titles(r)) for r in _rows(str(OCCUPATIONS_FILE))}
    return dict(sorted(found.items()))


@cache
def unit_groups() -> tuple[Occupation, ...]:
    return tuple(o for o in occupations().values() if o.is_unit_group)


@cache
def regions() -> dict[str, Region]:
    return {r["code"]: Region(r["code"], r["kato"], _titles(r)) for r in _rows(str(REGIONS_FILE))}


def occupation(code: str) -> Occupation:
    """The unit group ``code``; anything else is a clear error."""
    found = occupations().get(code)
    if found is None or not found.is_unit_group:
        raise ValidationError(
            _(
                "“{code}” is not an ISCO-08 occupation code: give the four-digit code of a "
                "unit group, such as 7112 (bricklayers) or 8332 (truck drivers)."
            ).format(code=code),
            "occupation",
        )
    return found


def occupation_filter(code: str) -> str:
    """A filter on occupation: a unit group, or a major or sub-major group (a code prefix)."""
    if code not in occupations():
        raise ValidationError(
            _(
                "“{code}” is not an ISCO-08 group: give a major group (7), a sub-major group "
                "(71) or a unit group (7112)."
            ).format(code=code),
            "occupation",
        )
    return code


def _title_in(
    table: Mapping[str, Occupation] | Mapping[str, Region], code: str, language: str | None
) -> str:
    """The title of ``code`` in ``table``; the code itself where the table has no such entry."""
    found = table.get(code)
    return found.title(language) if found else code


def occupation_title(code: str, language: str | None = None) -> str:
    return _title_in(occupations(), code, language)


def major_group_title(code: str, language: str | None = None) -> str:
    return occupation_title(code[:1], language) if code else ""


def region(code: str) -> Region:
    found = regions().get(code)
    if found is None:
        raise ValidationError(
            _(
                "“{code}” is not a region of Kazakhstan: give its ISO 3166-2:KZ code, such as "
                "KZ-71 (Astana) or KZ-75 (Almaty)."
            ).format(code=code),
            "region",
        )
    return found


def region_title(code: str, language: str | None = None) -> str:
    return _title_in(regions(), code, language)


@cache
def _language_codes() -> frozenset[str]:
    from babel import Locale

    names = Locale("en").languages
    return frozenset(str(code) for code in names if LANGUAGE_CODE.match(str(code)))


def language_code(code: str) -> str:
    """An ISO 639-1 code (``ko``, ``tr``, ``ru``), lower-cased; anything else is an error."""
    value = code.strip().lower()
    if not LANGUAGE_CODE.match(value) or value not in _language_codes():
        raise ValidationError(
            _("“{code}” is not an ISO 639-1 language code such as ko, tr or en.").format(code=code),
            "languages",
        )
    return value


# Words a language's name is typed with beside the name itself: «корей тілі», «корейский
# язык», "Korean language" all name Korean.
_LANGUAGE_WORDS = frozenset({"тілі", "тіл", "язык", "language"})


def _name_key(name: str) -> str:
    words = name.casefold().replace("ё", "е").split()
    if len(words) > 1 and words[-1] in _LANGUAGE_WORDS:
        words = words[:-1]
    return " ".join(words)


@cache
def _codes_by_name() -> dict[str, str]:
    """Every language's name in Kazakh, Russian and English (as ``_name_key`` reads it) → code."""
    found: dict[str, str] = {}
    for language in ("kk", "ru", "en"):
        for code, name in _language_names(language).items():
            if code in _language_codes():
                found.setdefault(_name_key(name), code)
    return found


def language_of(text: str) -> str | None:
    """The ISO 639-1 code of a language typed as its code (ko) or its name in Kazakh, Russian
    or English (корей тілі, корейский, Korean); None for an empty text or no language known."""
    value = text.strip()
    if not value:
        return None
    if value.lower() in _language_codes():
        return value.lower()
    return _codes_by_name().get(_name_key(value))


def language_name(code: str, language: str | None = None) -> str:
    return _language_names(language or current_language()).get(code, code)


@cache
def _language_names(language: str) -> dict[str, str]:
    """CLDR's language names in ``language`` (parsed once: an export names thousands)."""
    from babel import Locale

    try:
        return {str(k): str(v) for k, v in Locale.parse(language).languages.items()}
    except (ValueError, LookupError):
        return {}
