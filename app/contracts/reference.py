"""Labour standards of host countries and approximate exchange rates, from a dated JSON file.

The figures live in ``resources/contracts/host_countries.json`` so that they can be corrected
without touching code. Each figure keeps its source, the date it applies from and whether it
was verified against the official text, because a letter must never cite a guess as settled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from app.resources import resource_path

REFERENCE_FILE = resource_path("contracts", "host_countries.json")
HOST_COUNTRIES: tuple[str, ...] = ("KR", "TR", "AE", "RU", "DE", "GB", "US", "IL", "QA", "KG", "KZ")


@dataclass(frozen=True)
class ScopeExclusion:
    """The article by which a host law leaves a kind of work out of its scope, and its source."""

    article: str
    provenance: Provenance


@dataclass(frozen=True)
class Statute:
    """A host-country law: its title in each language and as the host publishes it."""

    id: str
    country: str
    titles: Mapping[str, str]
    original: str | None
    source: str = ""
    # Set when the law does not cover domestic workers (Korea's Labor Standards Act, Art. 11).
    domestic_work_excluded: ScopeExclusion | None = None


@dataclass(frozen=True)
class StatuteCite:
    """One provision a figure rests on: the law, and the article (None: the whole law)."""

    statute: Statute
    article: str | None
    # The review subject the provision itself is about, where it is not the figure's own: a
    # monthly minimum wage rests on the article that pays the weekly day of rest too, and a
    # letter must not call that article "minimum wage" (None: the figure's subject).
    about: str | None = None
    # Where this article itself was read, when not at the figure's source (one entry's
    # articles are often on different pages); empty: the figure's source.
    source: str = ""

    @property
    def key(self) -> str:
        """Identity of the provision, so that a review lists it once."""
        return f"{self.statute.id}/{self.article or ''}"


@dataclass(frozen=True)
class Provenance:
    """Where a figure comes from and when it holds; ``verified`` is false unless checked
    against the law's text (then ``source`` and ``checked_on`` are always set).

    ``valid_from`` is None where nobody researched since when the wording applies: it is then
    applied to earlier days too (the best knowledge there is), never read as "not yet law"."""

    source: str
    valid_from: date | None
    verified: bool
    note: str = ""
    valid_to: date | None = None
    checked_on: date | None = None
    cites: tuple[StatuteCite, ...] = ()
    # Set by CountryVersions.on(): the figure was asked for on a day before the table knows
    # it applied (its start is not recorded), so a review says so beside its citation.
    start_unknown: bool = False

    @property
    def as_of(self) -> date | None:
        return self.valid_from

    def valid_on(self, day: date) -> bool:
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_to is None or day <= self.valid_to)

    def applied_unknown_on(self, day: date) -> bool:
        """Whether the table cannot say that this wording applied on ``day``: its start is not
        recorded and the day is before it was checked (or it never was)."""
        return self.valid_from is None and (self.checked_on is None or day < self.checked_on)


@dataclass(frozen=True)
class WageAllowance:
    """An amount added to the minimum wage unless the named contract term is true."""

    amount: Decimal
    unless: str


@dataclass(frozen=True)
class MinimumWage:
    amount: Decimal
    currency: str
    period: str
    provenance: Provenance
    allowances: tuple[WageAllowance, ...] = ()
    # Hours of the paid weekly day of rest that a weekly, monthly or yearly wage also pays
    # (Korea: 8, so that a 40-hour month counts 209 paid hours); 0 where the law has none.
    paid_weekly_rest_hours: Decimal = Decimal(0)
    # The minimum after the worker's tax and contributions, where the host publishes it
    # (Türkiye): a contract often states the net wage, which is no violation of a gross minimum.
    net_amount: Decimal | None = None


@dataclass(frozen=True)
class WorkingHours:
    normal_weekly: Decimal
    max_weekly: Decimal | None
    max_overtime_per_year: Decimal | None
    provenance: Provenance


@dataclass(frozen=True)
class PaidLeave:
    min_days: int
    unit: str
    provenance: Provenance


@dataclass(frozen=True)
class Probation:
    max_months: int
    provenance: Provenance


@dataclass(frozen=True)
class LawReference:
    """A provision of host-country law on a subject; ``law`` is None where none is confirmed."""

    law: str | None
    provenance: Provenance


# When a passport provision may be cited against a passport held by an employer or agency.
RETENTION_CITES: tuple[str, ...] = ("held", "held_without_written_consent", "taken", "never")


@dataclass(frozen=True)
class PassportLaw(LawReference):
    """The host's law on passports, and when it bears on a passport held by someone else:
    ``held`` (it forbids that), ``held_without_written_consent`` (it allows it with the
    worker's written permission), ``taken`` (it is about taking a passport, not keeping one)
    or ``never`` (not to be cited, e.g. until checked)."""

    cite_for_retention: str = "never"

    @property
    def bears_on_retention(self) -> bool:
        """Whether it may be cited against a passport someone other than the worker holds."""
        return bool(self.law) and self.cite_for_retention in (
            "held",
            "held_without_written_consent",
        )


@dataclass(frozen=True)
class HostCountryReference:
    country: str
    minimum_wage: MinimumWage | None
    # The table's word on the minimum wage, in kk, ru and en: a review quotes it (empty: none).
    minimum_wage_note: Mapping[str, str]
    hours: WorkingHours | None
    paid_leave: PaidLeave | None
    passport: PassportLaw | None
    recruitment_fees: LawReference | None
    probation: Probation | None
    health_insurance: LawReference | None
    # The host's law on paying wages (when, how, on leaving, interest or penalty for delay):
    # no figure the review compares, but the law a letter on unpaid wages cites.
    wage_payment: LawReference | None = None
    # Subjects whose newest figure stopped being valid before the day asked about: the table
    # needs an update from HQ (shown in the app).
    outdated: tuple[str, ...] = ()
    no_statutory_minimum_wage: bool = False
    # Set by for_domestic_work(): the scope articles of the laws it set aside, and the
    # subjects whose figures it dropped.
    domestic_exclusions: tuple[StatuteCite, ...] = ()
    set_aside: tuple[str, ...] = ()

    def for_domestic_work(self) -> HostCountryReference:
        """The figures that hold for a domestic worker: a subject resting on a law that leaves
        domestic work out of its scope is dropped (the review then falls back on ILO
        standards), and the scope articles are kept to say why."""
        excluded: dict[str, StatuteCite] = {}
        kept: dict[str, Any] = {}
        for subject in SUBJECTS:
            figure = getattr(self, subject)
            cites = figure.provenance.cites if figure is not None else ()
            laws = [c.statute for c in cites if c.statute.domestic_work_excluded is not None]
            for law in laws:
                scope = law.domestic_work_excluded
                assert scope is not None
                excluded.setdefault(law.id, StatuteCite(law, scope.article))
            kept[subject] = None if laws else figure
        if not excluded:
            return self
        dropped = tuple(s for s in SUBJECTS if kept[s] is None and getattr(self, s) is not None)
        return replace(
            self, domestic_exclusions=tuple(excluded.values()), set_aside=dropped, **kept
        )


@dataclass(frozen=True)
class CurrencyRates:
    """Approximate rates, for comparing a wage with a minimum in another currency only."""

    units_per_usd: Mapping[str, Decimal]
    provenance: Provenance
    # The day the rates were taken (the table requires it: a review prints it).
    as_of: date
    approximate: bool = True

    def convert(self, amount: Decimal, source: str, target: str) -> Decimal | None:
        """``amount`` in ``source`` expressed in ``target``; None when a rate is missing."""
        if source == target:
            return amount
        source_rate = self.units_per_usd.get(source)
        target_rate = self.units_per_usd.get(target)
        if source_rate is None or target_rate is None:
            return None
        return amount / source_rate * target_rate


SUBJECTS: tuple[str, ...] = (
    "minimum_wage",
    "hours",
    "paid_leave",
    "passport",
    "recruitment_fees",
    "probation",
    "health_insurance",
    "wage_payment",
)
SUPPORTED_VERSIONS = (2,)


@dataclass(frozen=True)
class CountryVersions:
    """Every dated version of each subject for one country, oldest first."""

    country: str
    subjects: Mapping[str, tuple[Any, ...]]
    minimum_wage_note: Mapping[str, str] = field(default_factory=dict)
    no_statutory_minimum_wage: bool = False

    def on(self, day: date) -> HostCountryReference:
        """The figures valid on ``day``; a subject with none valid then is left out, and one
        whose newest version ended before ``day`` is reported as outdated."""
        chosen: dict[str, Any] = {}
        outdated: list[str] = []
        for subject in SUBJECTS:
            versions = self.subjects.get(subject, ())
            version = next((v for v in reversed(versions) if v.provenance.valid_on(day)), None)
            if version is not None and version.provenance.applied_unknown_on(day):
                version = replace(
                    version, provenance=replace(version.provenance, start_unknown=True)
                )
            chosen[subject] = version
            newest = versions[-1].provenance if versions else None
            if newest is not None and newest.valid_to is not None and newest.valid_to < day:
                outdated.append(subject)
        return HostCountryReference(
            country=self.country,
            minimum_wage_note=self.minimum_wage_note,
            no_statutory_minimum_wage=self.no_statutory_minimum_wage,
            outdated=tuple(outdated),
            **chosen,
        )


@dataclass(frozen=True)
class ReferenceData:
    countries: Mapping[str, CountryVersions]
    rates: CurrencyRates
    as_of: date
    statutes: Mapping[str, Statute] = field(default_factory=dict)


class ReferenceFileError(ValueError):
    """A malformed host-country table: a packaging bug, or a bad table in an HQ bundle."""


def _provenance(
    raw: Mapping[str, Any], statutes: Mapping[str, Statute] | None = None
) -> Provenance:
    cites = tuple(
        StatuteCite(
            _statute(statutes or {}, item["statute"]),
            item.get("article") or None,
            _about(item.get("about")),
            str(item.get("source") or "").strip(),
        )
        for item in raw.get("cites") or ()
    )
    source = str(raw.get("source") or "").strip()
    checked = raw.get("checked_on")
    valid_from = raw.get("valid_from")
    valid_to = raw.get("valid_to")
    provenance = Provenance(
        source=source,
        valid_from=date.fromisoformat(valid_from) if valid_from else None,
        verified=raw["verified"],
        note=str(raw.get("note") or ""),
        valid_to=date.fromisoformat(valid_to) if valid_to else None,
        checked_on=date.fromisoformat(checked) if checked else None,
        cites=cites,
    )
    if not isinstance(provenance.verified, bool):
        raise ValueError("verified must be true or false")
    if provenance.verified and (not source or provenance.checked_on is None):
        raise ValueError("a verified figure must name its source and checked_on date")
    start = provenance.valid_from
    if provenance.valid_to is not None and start is not None and provenance.valid_to < start:
        raise ValueError("valid_to is earlier than valid_from")
    return provenance


def _about(code: object) -> str | None:
    from app.domain.labels import review_rule_codes

    if code is None:
        return None
    if code not in review_rule_codes():
        raise ValueError(f"a cite is about an unknown review subject {code!r}")
    return str(code)


def _statute(statutes: Mapping[str, Statute], key: object) -> Statute:
    if not isinstance(key, str) or key not in statutes:
        raise ValueError(f"a figure cites an unknown statute {key!r}")
    return statutes[key]


def _statutes(raw: Mapping[str, Any]) -> dict[str, Statute]:
    result: dict[str, Statute] = {}
    for key, item in raw.items():
        titles = {lang: str(item["title"][lang]).strip() for lang in ("kk", "ru", "en")}
        if not all(titles.values()):
            raise ValueError(f"statute {key} lacks a title")
        _provenance({**item, "valid_from": "1900-01-01"})  # the source rule, as for figures
        original = item.get("original")
        scope = item.get("domestic_work_excluded")
        result[key] = Statute(
            id=str(key),
            country=str(item["country"]),
            titles=MappingProxyType(titles),
            original=str(original).strip() if original else None,
            source=str(item.get("source") or ""),
            domestic_work_excluded=ScopeExclusion(
                str(scope["article"]), _provenance({**scope, "valid_from": "1900-01-01"})
            )
            if scope
            else None,
        )
    return result


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _minimum_wage(raw: Mapping[str, Any], statutes: Mapping[str, Statute]) -> MinimumWage:
    if not raw.get("valid_from"):
        # A minimum wage is set from a day by its decree, and workers are told since when.
        raise ValueError("a minimum wage must give the day it applies from")
    allowances = tuple(
        WageAllowance(Decimal(item["amount"]), str(item["unless"]))
        for item in raw.get("allowances", ())
    )
    return MinimumWage(
        amount=Decimal(raw["amount"]),
        currency=str(raw["currency"]),
        period=str(raw["period"]),
        provenance=_provenance(raw, statutes),
        allowances=allowances,
        paid_weekly_rest_hours=Decimal(str(raw.get("paid_weekly_rest_hours") or 0)),
        net_amount=_optional_decimal(raw.get("net_amount")),
    )


def _hours(raw: Mapping[str, Any], statutes: Mapping[str, Statute]) -> WorkingHours:
    return WorkingHours(
        normal_weekly=Decimal(raw["normal_weekly"]),
        max_weekly=_optional_decimal(raw.get("max_weekly")),
        max_overtime_per_year=_optional_decimal(raw.get("max_overtime_per_year")),
        provenance=_provenance(raw, statutes),
    )


def _paid_leave(raw: Mapping[str, Any], statutes: Mapping[str, Statute]) -> PaidLeave:
    return PaidLeave(int(raw["min_days"]), str(raw["unit"]), _provenance(raw, statutes))


def _probation(raw: Mapping[str, Any], statutes: Mapping[str, Statute]) -> Probation:
    return Probation(int(raw["max_months"]), _provenance(raw, statutes))


def _law(raw: Mapping[str, Any], statutes: Mapping[str, Statute]) -> LawReference:
    return LawReference(raw.get("law"), _provenance(raw, statutes))


def _passport_law(raw: Mapping[str, Any], statutes: Mapping[str, Statute]) -> PassportLaw:
    # Absent means "never": a provision nobody said forbids keeping a passport is not cited.
    cite = raw.get("cite_for_retention", "never")
    if cite not in RETENTION_CITES:
        raise ValueError(f"cite_for_retention must be one of {', '.join(RETENTION_CITES)}")
    return PassportLaw(raw.get("law"), _provenance(raw, statutes), cite)


_PARSERS: dict[str, Any] = {
    "minimum_wage": _minimum_wage,
    "hours": _hours,
    "paid_leave": _paid_leave,
    "passport": _passport_law,
    "recruitment_fees": _law,
    "probation": _probation,
    "health_insurance": _law,
    "wage_payment": _law,
}


def _localized_note(code: str, raw: object) -> Mapping[str, str]:
    """A note a review quotes, in each of kk, ru and en: a Kazakh review must not quote English."""
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, Mapping):
        raise ValueError(f"{code}.minimum_wage_note must give kk, ru and en")
    texts = {lang: str(raw.get(lang) or "").strip() for lang in ("kk", "ru", "en")}
    if not all(texts.values()):
        raise ValueError(f"{code}.minimum_wage_note lacks a language")
    return MappingProxyType(texts)


def _country(code: str, raw: Mapping[str, Any], statutes: Mapping[str, Statute]) -> CountryVersions:
    subjects: dict[str, tuple[Any, ...]] = {}
    for subject in SUBJECTS:
        versions = [_PARSERS[subject](item, statutes) for item in raw.get(subject) or ()]
        # A version whose start is not recorded can only be the oldest: it reaches back.
        versions.sort(key=lambda v: v.provenance.valid_from or date.min)
        for older, newer in zip(versions, versions[1:], strict=False):
            end, start = older.provenance.valid_to, newer.provenance.valid_from
            if start is None:
                raise ValueError(f"{code}.{subject}: only the oldest version may lack valid_from")
            if end is None or end >= start:
                raise ValueError(f"{code}.{subject}: dated versions overlap")
        subjects[subject] = tuple(versions)
    return CountryVersions(
        code,
        MappingProxyType(subjects),
        _localized_note(code, raw.get("minimum_wage_note")),
        bool(raw.get("no_statutory_minimum_wage")),
    )


def parse_reference(raw: Mapping[str, Any]) -> ReferenceData:
    """Reference data from the decoded JSON; ReferenceFileError names what is wrong."""
    try:
        if raw.get("format") != "qorgau-host-countries" or raw.get("version") not in (
            SUPPORTED_VERSIONS
        ):
            raise ValueError("not a qorgau-host-countries table of a supported version")
        statutes = _statutes(raw["statutes"])
        countries = {
            code.upper(): _country(code.upper(), entry, statutes)
            for code, entry in raw["countries"].items()
        }
        rates_raw = raw["currency_rates"]
        rates = CurrencyRates(
            units_per_usd=MappingProxyType(
                {code: Decimal(str(rate)) for code, rate in rates_raw["units_per_usd"].items()}
            ),
            provenance=_provenance(rates_raw),
            as_of=date.fromisoformat(rates_raw["valid_from"]),
            approximate=bool(rates_raw.get("approximate", True)),
        )
        as_of = date.fromisoformat(raw["edition"])
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise ReferenceFileError(f"malformed host-country reference data: {exc!r}") from exc
    if any(rate <= 0 for rate in rates.units_per_usd.values()):
        raise ReferenceFileError("malformed host-country reference data: a rate is not positive")
    return ReferenceData(MappingProxyType(countries), rates, as_of, MappingProxyType(statutes))


def load_reference(path: Path = REFERENCE_FILE) -> ReferenceData:
    with path.open(encoding="utf-8") as handle:
        return parse_reference(json.load(handle))


@cache
def default_reference() -> ReferenceData:
    """The shipped table, read once on first use (not at import)."""
    return load_reference()


def reference_for(
    country: str | None, data: ReferenceData | None = None, on: date | None = None
) -> HostCountryReference | None:
    """The host country's standards valid ``on`` a day (today by default: a review passes the
    contract's date), or None when the country is not in the table."""
    if not country:
        return None
    versions = (data or default_reference()).countries.get(country.upper())
    return versions.on(on or date.today()) if versions is not None else None


def currency_rates(data: ReferenceData | None = None) -> CurrencyRates:
    return (data or default_reference()).rates
