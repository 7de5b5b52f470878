"""Complaint categories and ILO forced-labour indicators, read from ``resources/taxonomy``.

The files hold the texts in Kazakh, Russian and English as written by people, not gettext
translations, because they are reference data that HQ may update. They are read once, on
first use; a missing or malformed file is a packaging error and fails loudly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from app.domain.codes import Category, IloIndicator, Urgency
from app.errors import NotFound
from app.i18n import LANGUAGES, _, current_language
from app.resources import resource_path

TAXONOMY_DIR = resource_path("taxonomy")
_FALLBACK_LANGUAGE = "en"


def _pick(texts: Mapping[str, str], language: str | None) -> str:
    lang = language or current_language()
    return texts.get(lang) or texts[_FALLBACK_LANGUAGE]


@dataclass(frozen=True)
class CategoryInfo:
    code: Category
    labels: Mapping[str, str] = field(hash=False)
    descriptions: Mapping[str, str] = field(hash=False)
    ilo_indicators: tuple[IloIndicator, ...]
    life_or_liberty: bool
    suggested_urgency: Urgency
    sources: tuple[str, ...] = ()

    def label(self, language: str | None = None) -> str:
        return _pick(self.labels, language)

    def description(self, language: str | None = None) -> str:
        return _pick(self.descriptions, language)


@dataclass(frozen=True)
class Convention:
    code: str
    number: int
    year: int
    titles: Mapping[str, str] = field(hash=False)

    def title(self, language: str | None = None) -> str:
        return _pick(self.titles, language)


@dataclass(frozen=True)
class IloIndicatorInfo:
    number: int
    code: IloIndicator
    labels: Mapping[str, str] = field(hash=False)
    descriptions: Mapping[str, str] = field(hash=False)
    conventions: tuple[str, ...]

    def label(self, language: str | None = None) -> str:
        return _pick(self.labels, language)

    def description(self, language: str | None = None) -> str:
        return _pick(self.descriptions, language)


def _read(name: str) -> dict[str, Any]:
    with (TAXONOMY_DIR / name).open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _texts(raw: Mapping[str, str], where: str) -> dict[str, str]:
    missing = [lang for lang in LANGUAGES if not str(raw.get(lang, "")).strip()]
    if missing:
        raise ValueError(f"taxonomy: {where} lacks text in {', '.join(missing)}")
    return {lang: raw[lang] for lang in LANGUAGES}


@cache
def categories() -> list[CategoryInfo]:
    """All complaint categories in the order of the file (and of ``Category``)."""
    items = [
        CategoryInfo(
            code=Category(raw["code"]),
            labels=_texts(raw["labels"], raw["code"]),
            descriptions=_texts(raw["descriptions"], raw["code"]),
            ilo_indicators=tuple(IloIndicator(code) for code in raw["ilo_indicators"]),
            life_or_liberty=bool(raw["life_or_liberty"]),
            suggested_urgency=Urgency(raw["suggested_urgency"]),
            sources=tuple(raw.get("sources", ())),
        )
        for raw in _read("categories.json")["categories"]
    ]
    if {item.code for item in items} != set(Category) or len(items) != len(Category):
        raise ValueError("taxonomy: categories.json does not list each category exactly once")
    return items


@cache
def _categories_by_code() -> dict[Category, CategoryInfo]:
    return {item.code: item for item in categories()}


def category(code: Category | str) -> CategoryInfo:
    """The category with ``code``; NotFound for a code that is not in the taxonomy."""
    try:
        return _categories_by_code()[Category(code)]
    except ValueError:
        raise NotFound(_("Unknown complaint category: {code}").format(code=code)) from None


@cache
def ilo_indicators() -> list[IloIndicatorInfo]:
    """The 11 indicators, numbered 1 to 11 in the ILO's order."""
    items = [
        IloIndicatorInfo(
            number=int(raw["number"]),
            code=IloIndicator(raw["code"]),
            labels=_texts(raw["labels"], raw["code"]),
            descriptions=_texts(raw["descriptions"], raw["code"]),
            conventions=tuple(raw["conventions"]),
        )
        for raw in _read("ilo_indicators.json")["indicators"]
    ]
    if [item.code for item in items] != list(IloIndicator):
        raise ValueError("taxonomy: ilo_indicators.json does not follow the ILO's order")
    return items


def ilo_indicator(code: IloIndicator | str) -> IloIndicatorInfo:
    try:
        wanted = IloIndicator(code)
    except ValueError:
        raise NotFound(_("Unknown ILO indicator: {code}").format(code=code)) from None
    return next(item for item in ilo_indicators() if item.code == wanted)


@cache
def conventions() -> list[Convention]:
    """The ILO instruments the indicators cite, titled as the agreements library titles them
    (the one place an instrument's title is kept, so that no two lists disagree)."""
    # Imported here: the library's module imports app.domain, which imports this one.
    from app.agreements.library import load_library

    titles = {item.id: item.title for item in load_library().instruments}
    found: list[Convention] = []
    for raw in _read("ilo_indicators.json")["conventions"]:
        code = str(raw["code"])
        title = titles.get(library_id(code))
        if title is None:
            raise ValueError(f"taxonomy: {code} is not in the agreements library")
        found.append(
            Convention(
                code=code,
                number=int(raw["number"]),
                year=int(raw["year"]),
                titles=_texts(dict(zip(("kk", "ru", "en"), title.all(), strict=True)), code),
            )
        )
    return found


def library_id(code: str) -> str:
    """The agreements library's id for an ILO instrument's code: "C097" → "ilo-c097"."""
    return f"ilo-{code.lower()}"


def convention(code: str) -> Convention:
    for item in conventions():
        if item.code == code:
            return item
    raise NotFound(_("Unknown ILO instrument: {code}").format(code=code))
