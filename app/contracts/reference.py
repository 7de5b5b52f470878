"""Labour standards of host countries and approximate exchange rates, from a dated JSON file.

The figures live in ``resources/contracts/host_countries.json`` so that they can be corrected
without touching code. Each figure keeps its source, the date it applies from and whether it
was verified against the official text, because a letter must never cite a guess as settled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

REFERENCE_FILE = (
    Path(__file__).resolve().parent.parent.parent
    / "resources"
    / "contracts"
    / "host_countries.json"
)
HOST_COUNTRIES: tuple[str, ...] = ("KR", "TR", "AE", "RU", "DE", "GB", "US", "IL", "QA", "KG", "KZ")


@dataclass(frozen=True)
class Provenance:
    """Where a figure comes from; ``verified`` is false unless checked against the law's text."""

    source: str
    as_of: date
    verified: bool
    note: str = ""


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


@dataclass(frozen=True)
class HostCountryReference:
    country: str
    minimum_wage: MinimumWage | None
    minimum_wage_note: str
    hours: WorkingHours | None
    paid_leave: PaidLeave | None
    passport: LawReference | None
    recruitment_fees: LawReference | None
    probation: Probation | None
    health_insurance: LawReference | None

    @property
    def employer_may_hold_passport(self) -> bool:
        # No host country in the table lets an employer keep a worker's passport.
        return False


@dataclass(frozen=True)
class CurrencyRates:
    """Approximate rates, for comparing a wage with a minimum in another currency only."""

    units_per_usd: Mapping[str, Decimal]
    provenance: Provenance
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


@dataclass(frozen=True)
class ReferenceData:
    countries: Mapping[str, HostCountryReference]
    rates: CurrencyRates
    as_of: date


class ReferenceFileError(ValueError):
    """The shipped reference file is malformed: a packaging bug, not a user error."""


def _provenance(raw: Mapping[str, Any]) -> Provenance:
    return Provenance(
        source=str(raw.get("source") or ""),
        as_of=date.fromisoformat(raw["as_of"]),
        verified=bool(raw["verified"]),
        note=str(raw.get("note") or ""),
    )


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _minimum_wage(raw: Mapping[str, Any] | None) -> MinimumWage | None:
    if raw is None:
        return None
    allowances = tuple(
        WageAllowance(Decimal(item["amount"]), str(item["unless"]))
        for item in raw.get("allowances", ())
    )
    return MinimumWage(
        amount=Decimal(raw["amount"]),
        currency=str(raw["currency"]),
        period=str(raw["period"]),
        provenance=_provenance(raw),
        allowances=allowances,
    )


def _hours(raw: Mapping[str, Any] | None) -> WorkingHours | None:
    if raw is None:
        return None
    return WorkingHours(
        normal_weekly=Decimal(raw["normal_weekly"]),
        max_weekly=_optional_decimal(raw.get("max_weekly")),
        max_overtime_per_year=_optional_decimal(raw.get("max_overtime_per_year")),
        provenance=_provenance(raw),
    )


def _paid_leave(raw: Mapping[str, Any] | None) -> PaidLeave | None:
    if raw is None:
        return None
    return PaidLeave(int(raw["min_days"]), str(raw["unit"]), _provenance(raw))


def _probation(raw: Mapping[str, Any] | None) -> Probation | None:
    if raw is None:
        return None
    return Probation(int(raw["max_months"]), _provenance(raw))


def _law(raw: Mapping[str, Any] | None) -> LawReference | None:
    if raw is None:
        return None
    return LawReference(raw.get("law"), _provenance(raw))


def _country(code: str, raw: Mapping[str, Any]) -> HostCountryReference:
    return HostCountryReference(
        country=code,
        minimum_wage=_minimum_wage(raw.get("minimum_wage")),
        minimum_wage_note=str(raw.get("minimum_wage_note") or ""),
        hours=_hours(raw.get("hours")),
        paid_leave=_paid_leave(raw.get("paid_leave")),
        passport=_law(raw.get("passport")),
        recruitment_fees=_law(raw.get("recruitment_fees")),
        probation=_probation(raw.get("probation")),
        health_insurance=_law(raw.get("health_insurance")),
    )


def parse_reference(raw: Mapping[str, Any]) -> ReferenceData:
    """Reference data from the decoded JSON; ReferenceFileError names what is wrong."""
    try:
        countries = {
            code.upper(): _country(code.upper(), entry) for code, entry in raw["countries"].items()
        }
        rates_raw = raw["currency_rates"]
        rates = CurrencyRates(
            units_per_usd=MappingProxyType(
                {code: Decimal(str(rate)) for code, rate in rates_raw["units_per_usd"].items()}
            ),
            provenance=_provenance(rates_raw),
            approximate=bool(rates_raw.get("approximate", True)),
        )
        as_of = date.fromisoformat(raw["as_of"])
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ReferenceFileError(f"malformed host-country reference data: {exc!r}") from exc
    if any(rate <= 0 for rate in rates.units_per_usd.values()):
        raise ReferenceFileError("malformed host-country reference data: a rate is not positive")
    return ReferenceData(MappingProxyType(countries), rates, as_of)


def load_reference(path: Path = REFERENCE_FILE) -> ReferenceData:
    with path.open(encoding="utf-8") as handle:
        return parse_reference(json.load(handle))


@cache
def default_reference() -> ReferenceData:
    """The shipped table, read once on first use (not at import)."""
    return load_reference()


def reference_for(
    country: str | None, data: ReferenceData | None = None
) -> HostCountryReference | None:
    """The host country's standards, or None when the country is not in the table."""
    if not country:
        return None
    return (data or default_reference()).countries.get(country.upper())


def currency_rates(data: ReferenceData | None = None) -> CurrencyRates:
    return (data or default_reference()).rates
