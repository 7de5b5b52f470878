"""The contract-review rules, in one module, in the order they are reported.

Each rule is a small function ``rule_xxx(terms, ref) -> Finding | None``: it judges one subject
of the contract against host-country law (``ref``, which may be None) and ILO standards, and
returns None when the terms say nothing it could judge. ``review`` runs them all, adds the
citations of applicable agreements, and rates the overall risk.

Reasons are translated when the review runs, so they follow the current language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from app.agreements.applicability import Timing, timing
from app.contracts.reference import (
    HostCountryReference,
    LawReference,
    MinimumWage,
    Provenance,
    StatuteCite,
    currency_rates,
    reference_for,
)
from app.contracts.terms import ContractTerms, term_end
from app.domain.codes import IloIndicator
from app.domain.domestic_work import cited_for_work, is_domestic_work
from app.domain.iso import minor_digits
from app.domain.kk_dates import KK_MONTHS_FROM, kk_date_when
from app.i18n import (
    N_,
    _,
    current_language,
    format_amount,
    format_date,
    ngettext,
    pgettext,
)
from app.i18n import format_number as _format_number
from app.letters.states import state_name

RISKS: tuple[str, ...] = ("low", "medium", "high", "critical")

# International standards used as thresholds where host-country law is unknown.
ILO_MAX_WEEKLY_HOURS = Decimal(48)  # C001 Art. 2
ILO_LEAVE_WEEKS = 3  # C132 Art. 3(3): three working weeks, whatever the working week
# Far beyond any normal week, whatever the law: counts as the ILO "excessive overtime" sign.
EXCESSIVE_HOURS = Decimal(60)
LONG_PROBATION_MONTHS = 6
DEDUCTIONS_CONCERN_PERCENT = Decimal(20)
DEDUCTIONS_VIOLATION_PERCENT = Decimal(50)
# Working weeks in a year, leaving room for leave and holidays, to spread an annual cap.
WORKING_WEEKS_PER_YEAR = Decimal(48)
# Below this share of the minimum a wage converted at approximate rates is surely too low.
RATE_MARGIN = Decimal("0.9")
# When only the days of rest are unknown, assume a six-day week: the kinder reading of a
# daily wage, so that a violation is never an artefact of the assumption.
DEFAULT_WORKING_DAYS = 6


@dataclass(frozen=True)
class Reference:
    """One provision a finding rests on, written in the review's language.

    ``key`` names the provision (instrument or statute, and article), so that a review lists
    it once however many rules cite it; ``text`` is the citation without any marker, ``source``
    where it can be checked, ``standing`` why it binds nobody (an ILO standard the host has
    not ratified), empty when it binds the host.
    """

    key: str
    text: str
    source: str = ""
    verified: bool = True
    standing: str = ""
    # An ILO standard's article, kept apart from its title until the review's language is known.
    article: str = ""

    def label(self) -> str:
        """The citation as a list shows it: with its standing and, if unchecked, a marker."""
        text = f"{self.text} ({self.standing})" if self.standing else self.text
        if not self.verified:
            text += " [" + _("not verified: confirm before citing") + "]"
        return text

    def __str__(self) -> str:
        return self.label()


@dataclass(frozen=True)
class StandardSource:
    """Where an ILO text the rules cite outside the agreements library can be checked."""

    source: str
    checked_on: date | None
    verified: bool


_NORMLEX = "ILO NORMLEX (normlex.ilo.org)"
_RESEARCH = date(2026, 12, 1)
# Every ILO reference the rules make outside the library, with its source and check. Only
# C001 Art. 2 and C158 Art. 2(2)(b) were confirmed by the source check of December 2026;
# the others were not re-checked and are cited as not verified (docs/legal-sources.md).
STANDARD_SOURCES: dict[str, StandardSource] = {
    "c001/2": StandardSource(_NORMLEX, _RESEARCH, True),
    "c001/6-2": StandardSource(_NORMLEX, None, False),
    "c014/2": StandardSource(_NORMLEX, None, False),
    "c106": StandardSource(_NORMLEX, None, False),
    "c095/8": StandardSource(_NORMLEX, None, False),
    "c131": StandardSource(_NORMLEX, None, False),
    "c132/3-3": StandardSource(_NORMLEX, None, False),
    "c158": StandardSource(_NORMLEX, None, False),
    "c158/2-2-b": StandardSource(_NORMLEX, _RESEARCH, True),
    "fair-recruitment": StandardSource(
        "ILO, General Principles and Operational Guidelines for Fair Recruitment (ilo.org)",
        None,
        False,
    ),
    "indicator": StandardSource(
        "ILO Special Action Programme to Combat Forced Labour, ILO Indicators of Forced Labour "
        "(2012, ilo.org)",
        None,
        False,
    ),
}


def _standard(key: str, text: str, article: str = "") -> Reference:
    """An ILO text outside the agreements library: its title is translated when resolved, and
    its ``article`` ("Art. 6(2)") written as the language writes articles, as the library's
    citations are; its source and check come from STANDARD_SOURCES (a missing key is a bug)."""
    known = STANDARD_SOURCES[key.split("/")[0] if key.startswith("indicator/") else key]
    return Reference(
        key=f"std:{key}", text=text, source=known.source, verified=known.verified, article=article
    )


def _library(instrument: str, article: str | None, fallback: str) -> Reference:
    """A provision of an instrument in the agreements library: resolved against the library's
    own citation (same text as the agreements area and letters), ``fallback`` if it lacks it."""
    return Reference(key=f"lib:{instrument}/{article or ''}", text=fallback)


_C001 = N_("ILO C001 Hours of Work (Industry) Convention, 1919")
C001_HOURS = _standard("c001/2", _C001, "Art. 2")
C001_OVERTIME = _standard("c001/6-2", _C001, "Art. 6(2)")
C014 = _standard("c014/2", N_("ILO C014 Weekly Rest (Industry) Convention, 1921"), "Art. 2")
C106 = _standard("c106", N_("ILO C106 Weekly Rest (Commerce and Offices) Convention, 1957"))
C029 = _library("ilo-c029", None, N_("ILO C029 Forced Labour Convention, 1930"))
P029_RECRUITMENT = _library(
    "ilo-p029",
    "Art. 2(d)",
    N_("ILO P029 Protocol of 2014 to the Forced Labour Convention, Art. 2(d)"),
)
C095_DEDUCTIONS = _standard("c095/8", N_("ILO C095 Protection of Wages Convention, 1949"), "Art. 8")
C097_PAY = _library(
    "ilo-c097",
    "Art. 6(1)(a)",
    N_("ILO C097 Migration for Employment Convention (Revised), 1949, Art. 6(1)(a)"),
)
C097_SOCIAL = _library(
    "ilo-c097",
    "Art. 6(1)(b)",
    N_("ILO C097 Migration for Employment Convention (Revised), 1949, Art. 6(1)(b)"),
)
C097_COURTS = _library(
    "ilo-c097",
    "Art. 6(1)(d)",
    N_("ILO C097 Migration for Employment Convention (Revised), 1949, Art. 6(1)(d)"),
)
C131 = _standard("c131", N_("ILO C131 Minimum Wage Fixing Convention, 1970"))
C132 = _standard(
    "c132/3-3", N_("ILO C132 Holidays with Pay Convention (Revised), 1970"), "Art. 3(3)"
)
_C158 = N_("ILO C158 Termination of Employment Convention, 1982")
C158 = _standard("c158", _C158)
C158_PROBATION = _standard("c158/2-2-b", _C158, "Art. 2(2)(b)")
C181_FEES = _library(
    "ilo-c181",
    "Art. 7(1)",
    N_("ILO C181 Private Employment Agencies Convention, 1997, Art. 7(1)"),
)
C189_CONTRACT = _library(
    "ilo-c189", "Art. 7", N_("ILO C189 Domestic Workers Convention, 2011, Art. 7")
)
C189_DOCUMENTS = _library(
    "ilo-c189", "Art. 9", N_("ILO C189 Domestic Workers Convention, 2011, Art. 9")
)
C189_FEES = _library(
    "ilo-c189", "Art. 15(1)(e)", N_("ILO C189 Domestic Workers Convention, 2011, Art. 15(1)(e)")
)
C189_REPATRIATION = _library(
    "ilo-c189", "Art. 8(4)", N_("ILO C189 Domestic Workers Convention, 2011, Art. 8(4)")
)
FAIR_RECRUITMENT = _standard(
    "fair-recruitment",
    N_(
        "ILO General Principles and Operational Guidelines for Fair Recruitment and "
        "Definition of Recruitment Fees and Related Costs (2019)"
    ),
)

INDICATOR_REFERENCES: dict[str, str] = {
    "abuse_of_vulnerability": N_("ILO forced-labour indicator: abuse of vulnerability"),
    "deception": N_("ILO forced-labour indicator: deception"),
    "restriction_of_movement": N_("ILO forced-labour indicator: restriction of movement"),
    "isolation": N_("ILO forced-labour indicator: isolation"),
    "physical_sexual_violence": N_("ILO forced-labour indicator: physical and sexual violence"),
    "intimidation_threats": N_("ILO forced-labour indicator: intimidation and threats"),
    "retention_of_identity_documents": N_(
        "ILO forced-labour indicator: retention of identity documents"
    ),
    "withholding_of_wages": N_("ILO forced-labour indicator: withholding of wages"),
    "debt_bondage": N_("ILO forced-labour indicator: debt bondage"),
    "abusive_working_living_conditions": N_(
        "ILO forced-labour indicator: abusive working and living conditions"
    ),
    "excessive_overtime": N_("ILO forced-labour indicator: excessive overtime"),
}

_PER_PERIOD: dict[str, str] = {
    "hour": N_("an hour"),
    "day": N_("a day"),
    "week": N_("a week"),
    "month": N_("a month"),
    "year": N_("a year"),
}
# Whole sentences per holder, so that each language can decline the noun as it needs.
_PASSPORT_HELD: dict[str, str] = {
    "employer": N_(
        "The passport is held by the employer. No employer may keep a worker's identity "
        "documents; holding them is a sign of forced labour."
    ),
    "agency": N_(
        "The passport is held by the recruitment agency. No agency may keep a worker's "
        "identity documents; holding them is a sign of forced labour."
    ),
}


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str
    reason: str
    references: tuple[Reference, ...] = ()
    ilo_indicators: tuple[str, ...] = ()

    @property
    def reference_labels(self) -> tuple[str, ...]:
        return tuple(reference.label() for reference in self.references)


@dataclass(frozen=True)
class ProvisionRef:
    """A provision of an agreement that applies to the case, and the complaint categories
    it covers (given by the agreements library). ``binding`` is false for a standard the host
    has not ratified, whose ``standing`` then says so; the rest lets a review cite it once."""

    citation: str
    categories: tuple[str, ...]
    instrument: str = ""
    article: str | None = None
    instrument_title: str = ""
    source: str = ""
    verified: bool = True
    binding: bool = True
    standing: str = ""
    # The day the host became bound (entry into force, or an ILO ratification taking
    # effect), None when not known: the review compares it with the contract's dates.
    binds_from: date | None = None

    @property
    def key(self) -> str:
        return f"lib:{self.instrument}/{self.article or ''}" if self.instrument else self.citation


@dataclass(frozen=True)
class Rule:
    code: str
    check: Callable[[ContractTerms, HostCountryReference | None], Finding | None]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class ReviewResult:
    findings: tuple[Finding, ...]
    risk: str
    risk_reasons: tuple[str, ...]
    ilo_indicators: tuple[str, ...]


# --- formatting helpers -------------------------------------------------------------------


def _number(value: Decimal | int) -> str:
    return _format_number(value, current_language())


def _money(amount: Decimal, currency: str) -> str:
    """A computed sum (an hourly rate, a converted minimum) to the currency's minor unit:
    «7 466 KRW», «7,47 USD»; amounts on file print as recorded (``format_amount``)."""
    unit = Decimal(1).scaleb(-minor_digits(currency))
    return format_amount(amount.quantize(unit, ROUND_HALF_UP), currency, current_language())


def _per(period: str) -> str:
    return _(_PER_PERIOD[period])


def _country(ref: HostCountryReference | None) -> str:
    if ref is None:
        return _("the host country")
    # A finding is read as a document: the state's official name, as the letters print it.
    return state_name(ref.country, current_language())


def _cite(provenance: Provenance, law: str | None = None) -> tuple[Reference, ...]:
    """Host-law references: one per statute and article, in the review's language (the title
    the host publishes in brackets); a figure with no statute cited falls back to its text."""
    language = current_language()
    # The table does not record since when this wording applies, and the contract is older
    # than the day it was checked: cited, but not as settled law on the contract's date.
    standing = _start_unknown() if provenance.start_unknown else ""
    if provenance.cites:
        return tuple(
            Reference(
                key=f"host:{cite.key}",
                text=statute_citation(cite, language),
                source=cite.source or provenance.source,
                verified=provenance.verified,
                standing=standing,
            )
            for cite in provenance.cites
        )
    text = law or provenance.source
    return (Reference(f"host:{text}", text, provenance.source, provenance.verified, standing),)


def _start_unknown() -> str:
    return _("since when in force not recorded: check that it applied on the contract's date")


def statute_citation(cite: StatuteCite, language: str) -> str:
    """ "Еңбек стандарттары туралы заң (Labor Standards Act), 50-бап" in ``language``."""
    from app.agreements.applicability import article_text

    title = cite.statute.titles.get(language) or cite.statute.titles["en"]
    original = cite.statute.original
    if original and original != title:
        title = f"{title} ({_unbracketed(original)})"
    return f"{title}, {article_text(cite.article, language)}" if cite.article else title


_BRACKETED = re.compile(r"\s*\(([^()]*)\)")


def _unbracketed(original: str) -> str:
    """The host's own title put in brackets itself: its abbreviation follows after a comma
    ("Bürgerliches Gesetzbuch, BGB"), never in a bracket inside the bracket."""
    return _BRACKETED.sub(r", \1", original).strip(", ")


def _law_refs(law: LawReference | None) -> tuple[Reference, ...]:
    if law is None or not law.law:
        return ()
    return _cite(law.provenance, law.law)


def _host_refs_about(law: LawReference | None, about: str) -> tuple[Reference, ...]:
    """The provisions of a host law that are themselves about ``about``: Korea's article on
    overtime pay stands among its articles on paying wages."""
    cites = tuple(c for c in law.provenance.cites if c.about == about) if law else ()
    return _cite(replace(law.provenance, cites=cites)) if law and cites else ()


def _is_domestic_work(terms: ContractTerms) -> bool:
    return is_domestic_work((terms.position,))


def _with_indicators(
    references: tuple[Reference, ...], indicators: tuple[str, ...]
) -> tuple[Reference, ...]:
    return references + tuple(
        _standard(f"indicator/{code}", INDICATOR_REFERENCES[code]) for code in indicators
    )


def _term_stated(
    rule: str,
    stated: bool | None,
    ok: str,
    concern: str,
    references: tuple[Reference, ...],
) -> Finding | None:
    """A term the contract either has (ok) or lacks (a concern); nothing when not known."""
    if stated is None:
        return None
    return Finding(rule, "ok" if stated else "concern", ok if stated else concern, references)


# --- the rules ----------------------------------------------------------------------------


def rule_passport_retention(
    terms: ContractTerms, ref: HostCountryReference | None
) -> Finding | None:
    holder = terms.passport_held_by
    if holder is None:
        return None
    if holder == "worker":
        return Finding(
            "passport_retention", "ok", _("The worker keeps their own passport."), (C029,)
        )
    indicators = ("retention_of_identity_documents",)
    references: tuple[Reference, ...] = (C029,)
    if _is_domestic_work(terms):
        references += (C189_DOCUMENTS,)  # the direct text for domestic workers
    law = ref.passport if ref else None
    cite = law.cite_for_retention if law is not None and law.law else "never"
    reason = _(_PASSPORT_HELD[holder])
    if cite == "held_without_written_consent" and holder == "employer":
        # The host allows it with a permission the terms cannot show: never say "no employer".
        reason = _(
            "The passport is held by the employer. The law of {country} lets an employer keep "
            "it only with the worker's written permission: check whether the worker gave it. "
            "Holding a worker's identity documents is a sign of forced labour."
        ).format(country=_country(ref))
    if cite == "held" or (cite == "held_without_written_consent" and holder == "employer"):
        references += _law_refs(law)
    # "taken" (a law on theft of documents) and "never" (unchecked) do not bear on keeping.
    return Finding(
        "passport_retention",
        "violation",
        reason,
        _with_indicators(references, indicators),
        indicators,
    )


def rule_recruitment_fee(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    fee = terms.recruitment_fee_paid_by_worker
    if fee is None:
        return None
    if fee == 0:
        return Finding(
            "recruitment_fee", "ok", _("The worker paid no recruitment fee."), (C181_FEES,)
        )
    indicators = ("debt_bondage",)
    references: tuple[Reference, ...] = (C181_FEES, P029_RECRUITMENT, FAIR_RECRUITMENT)
    if _is_domestic_work(terms):
        references += (C189_FEES,)
    references += _law_refs(ref.recruitment_fees if ref else None)
    amount = (
        _money(fee, terms.recruitment_fee_currency)
        if terms.recruitment_fee_currency
        else (_number(fee))
    )
    return Finding(
        "recruitment_fee",
        "violation",
        _(
            "The worker paid a recruitment fee of {amount}. Workers must not be charged "
            "recruitment fees or costs; a debt for them can bind the worker to the job."
        ).format(amount=amount),
        _with_indicators(references, indicators),
        indicators,
    )


def _hours_in_period(period: str, hours_per_week: Decimal, working_days: int) -> Decimal:
    per_week = {
        "hour": Decimal(1),
        "day": hours_per_week / working_days,
        "week": hours_per_week,
        "month": hours_per_week * 52 / 12,
        "year": hours_per_week * 52,
    }
    return per_week[period]


def _minimum_for(minimum: MinimumWage, terms: ContractTerms) -> Decimal:
    """The minimum with the allowances the contract does not provide in kind (Qatar's food
    and housing allowances apply only when the contract says they are not provided)."""
    amount = minimum.amount
    for allowance in minimum.allowances:
        if getattr(terms, allowance.unless, None) is False:
            amount += allowance.amount
    return amount


def _no_minimum_on_file(terms: ContractTerms, ref: HostCountryReference | None) -> Finding:
    """A wage no figure can judge (country not in the table, a date before its first figure,
    no statutory minimum confirmed): said, never passed over as if it were fine."""
    if ref is not None and ref.no_statutory_minimum_wage:
        # Nothing to compare with, and nothing unknown: the country sets none (the UAE).
        reason = _(
            "{country} sets no statutory minimum wage for the private sector: the wage is not "
            "compared with one."
        ).format(country=_country(ref))
        # The name opens the sentence: "the United Arab Emirates" must read "The ...".
        return Finding("minimum_wage", "ok", reason[:1].upper() + reason[1:], (C131,))
    if ref is not None and "minimum_wage" in ref.set_aside:
        reason = _(
            "The wage is not compared with the minimum wage of {country}: the law that sets "
            "it does not cover domestic work."
        ).format(country=_country(ref))
        return Finding("minimum_wage", "concern", reason, (C131,))
    if not terms.host_country:
        reason = _("The wage cannot be checked against a legal minimum: no host country is given.")
    else:
        language = current_language()
        reason = _(
            "The wage cannot be checked: no minimum wage is on file for the host country "
            "({country}) on {date}."
        ).format(
            country=state_name(terms.host_country, language),
            date=format_date(terms.signed_on or date.today(), "long", language),
        )
    if ref is not None and ref.minimum_wage_note:
        note = ref.minimum_wage_note.get(current_language()) or ref.minimum_wage_note["en"]
        reason += " " + _("Note in the table: {note}").format(note=note)
    return Finding("minimum_wage", "concern", reason, (C131,))


def rule_minimum_wage(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    wage, currency, period = terms.wage_amount, terms.wage_currency, terms.wage_period
    if wage is None or currency is None or period is None:
        return None
    minimum = ref.minimum_wage if ref is not None else None
    if ref is None or minimum is None:
        return _no_minimum_on_file(terms, ref)
    normal_week = ref.hours.normal_weekly if ref.hours else ILO_MAX_WEEKLY_HOURS
    worked_week = terms.hours_per_week or normal_week
    # Overtime paid on top: the stated wage pays the normal week, not the extra hours.
    overtime_on_top = terms.overtime_paid is True and worked_week > normal_week
    paid_week = normal_week if overtime_on_top else worked_week
    days = 7 - terms.rest_days_per_week if terms.rest_days_per_week is not None else 0
    working_days = days if days > 0 else DEFAULT_WORKING_DAYS
    worker_rest = _paid_rest_hours(minimum, period, min(paid_week, normal_week), normal_week)
    worker_hourly = wage / _hours_in_period(period, paid_week + worker_rest, working_days)
    minimum_amount = _minimum_for(minimum, terms)
    minimum_rest = _paid_rest_hours(minimum, minimum.period, normal_week, normal_week)
    minimum_hourly = minimum_amount / _hours_in_period(
        minimum.period, normal_week + minimum_rest, DEFAULT_WORKING_DAYS
    )
    references: tuple[Reference, ...] = (*_cite(minimum.provenance), C131, C097_PAY)
    converted = currency_rates().convert(worker_hourly, currency, minimum.currency)
    if converted is None:
        return Finding(
            "minimum_wage",
            "concern",
            _(
                "Cannot compare the wage in {currency} with the legal minimum of {minimum} "
                "{per} in {country}: no exchange rate for {currency} is on file."
            ).format(
                currency=currency,
                minimum=_money(minimum_amount, minimum.currency),
                per=_per(minimum.period),
                country=_country(ref),
            ),
            references,
        )
    details = {
        "wage": _money(wage, currency),
        "per": _per(period),
        "hours": _number(worked_week),
        "hourly": _money(converted, minimum.currency),
        "minimum": _money(minimum_amount, minimum.currency),
        "min_per": _per(minimum.period),
        "min_hourly": _money(minimum_hourly, minimum.currency),
        "normal": _number(normal_week),
        "country": _country(ref),
    }
    approximate = currency != minimum.currency
    how = _how_wage_was_counted(overtime_on_top, worker_rest, details)
    if converted >= minimum_hourly:
        return Finding(
            "minimum_wage",
            "ok",
            _(
                "The wage of {wage} {per} for {hours} hours a week is at least the legal "
                "minimum of {minimum} {min_per} in {country}."
            ).format(**details)
            + how,
            references,
        )
    if approximate:
        table_rates = currency_rates()
        rates = table_rates.provenance
        details["rates_date"] = format_date(table_rates.as_of, "long", current_language())
        references += (
            Reference("rates", _("approximate exchange rates"), rates.source, rates.verified),
        )
        if converted >= minimum_hourly * RATE_MARGIN:
            return Finding(
                "minimum_wage",
                "concern",
                _(
                    "The wage of {wage} {per} for {hours} hours a week comes to about "
                    "{hourly} an hour at approximate exchange rates of {rates_date}, just "
                    "under the legal minimum of {minimum} {min_per} in {country} (about "
                    "{min_hourly} an hour for a {normal}-hour week). Check at the current rate."
                ).format(**details)
                + how,
                references,
            )
    net = minimum.net_amount
    if net is not None:
        # The table's minimum is gross; a contract may state the wage net of tax.
        details["net"] = _money(net, minimum.currency)
        if converted >= minimum_hourly * net / minimum.amount:
            return Finding(
                "minimum_wage",
                "concern",
                _(
                    "The wage of {wage} {per} for {hours} hours a week is below the legal "
                    "minimum of {minimum} {min_per} in {country}, which is a gross amount, but "
                    "not below its net amount of {net} {min_per}: check whether the contract "
                    "states the wage before or after tax."
                ).format(**details)
                + how,
                references,
            )
    reason = _(
        "The wage of {wage} {per} for {hours} hours a week comes to about {hourly} an hour, "
        "below the legal minimum of {minimum} {min_per} in {country} (about {min_hourly} an "
        "hour for a {normal}-hour week)."
    ).format(**details)
    if net is not None:
        reason += " " + _("The minimum is gross; its net amount is {net} {min_per}.").format(
            **details
        )
    if approximate:
        reason += " " + _("Converted at approximate exchange rates of {rates_date}.").format(
            **details
        )
    return Finding("minimum_wage", "violation", reason + how, references)


def _paid_rest_hours(
    minimum: MinimumWage, period: str, contract_week: Decimal, normal_week: Decimal
) -> Decimal:
    """Hours of the paid weekly day of rest a wage for ``period`` also pays: none for an hourly
    or daily wage (the day of rest is paid apart); pro rata for a week shorter than normal."""
    if period in ("hour", "day") or not minimum.paid_weekly_rest_hours:
        return Decimal(0)
    return minimum.paid_weekly_rest_hours * min(contract_week / normal_week, Decimal(1))


def _how_wage_was_counted(
    overtime_on_top: bool, rest_hours: Decimal, details: Mapping[str, str]
) -> str:
    """What the comparison assumed, so that an officer can redo it: a sentence or two, or ""."""
    text = ""
    if overtime_on_top:
        text += " " + _(
            "Overtime is paid on top, so the wage is set against the normal week of {normal} hours."
        ).format(**details)
    if rest_hours:
        text += " " + _(
            "The law of {country} counts the paid weekly day of rest in a weekly or monthly "
            "wage: {rest} more hours a week."
        ).format(rest=_number(rest_hours), **details)
    return text


def rule_weekly_hours(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    hours = terms.hours_per_week
    if hours is None:
        return None
    limits = ref.hours if ref else None
    excessive = ("excessive_overtime",) if hours > EXCESSIVE_HOURS else ()
    if limits is None:
        if hours <= ILO_MAX_WEEKLY_HOURS:
            return Finding(
                "weekly_hours",
                "ok",
                _("{hours} hours a week is within the ILO standard of 48.").format(
                    hours=_number(hours)
                ),
                (C001_HOURS,),
            )
        return Finding(
            "weekly_hours",
            "concern",
            _("{hours} hours a week exceed the ILO standard of 48 hours.").format(
                hours=_number(hours)
            ),
            _with_indicators((C001_HOURS,), excessive),
            excessive,
        )
    references = (*_cite(limits.provenance), C001_HOURS)
    details = {
        "hours": _number(hours),
        "normal": _number(limits.normal_weekly),
        "country": _country(ref),
    }
    if limits.max_weekly is not None and hours > limits.max_weekly:
        indicators = ("excessive_overtime",)
        return Finding(
            "weekly_hours",
            "violation",
            _(
                "{hours} hours a week exceed the legal maximum of {maximum}, overtime "
                "included, in {country}."
            ).format(maximum=_number(limits.max_weekly), **details),
            _with_indicators(references, indicators),
            indicators,
        )
    overtime_a_year = (hours - limits.normal_weekly) * WORKING_WEEKS_PER_YEAR
    cap = limits.max_overtime_per_year
    if cap is not None and overtime_a_year > cap:
        indicators = ("excessive_overtime",)
        return Finding(
            "weekly_hours",
            "violation",
            _(
                "{hours} hours a week mean about {overtime} hours of overtime a year, above "
                "the legal limit of {cap} a year in {country} (the normal week is {normal} "
                "hours)."
            ).format(overtime=_number(overtime_a_year), cap=_number(cap), **details),
            _with_indicators(references, indicators),
            indicators,
        )
    if hours > limits.normal_weekly:
        return Finding(
            "weekly_hours",
            "concern",
            _(
                "{hours} hours a week exceed the normal week of {normal} hours in {country}; "
                "the extra hours are lawful only as paid overtime within the legal limits."
            ).format(**details),
            _with_indicators(references, excessive),
            excessive,
        )
    return Finding(
        "weekly_hours",
        "ok",
        _("{hours} hours a week are within the normal week of {normal} hours in {country}.").format(
            **details
        ),
        references,
    )


def rule_overtime_pay(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    paid = terms.overtime_paid
    if paid is None:
        return None
    # The host's own rate, where the table has it (Korea: Labor Standards Act Art. 56).
    references = (
        C001_OVERTIME,
        *_host_refs_about(ref.wage_payment if ref else None, "overtime_pay"),
    )
    if paid:
        return Finding("overtime_pay", "ok", _("Overtime is paid."), references)
    normal = ref.hours.normal_weekly if ref and ref.hours else ILO_MAX_WEEKLY_HOURS
    hours = terms.hours_per_week
    if hours is not None and hours > normal:
        indicators = ("withholding_of_wages",)
        return Finding(
            "overtime_pay",
            "violation",
            _(
                "The contract sets {hours} hours a week, {extra} above the normal {normal}, "
                "but overtime is not paid."
            ).format(hours=_number(hours), extra=_number(hours - normal), normal=_number(normal)),
            _with_indicators(references, indicators),
            indicators,
        )
    return Finding(
        "overtime_pay",
        "concern",
        _(
            "The contract does not pay overtime: any work beyond {normal} hours a week must "
            "be paid at a higher rate."
        ).format(normal=_number(normal)),
        references,
    )


def rule_rest_days(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    days = terms.rest_days_per_week
    if days is None:
        return None
    if days >= 1:
        return Finding(
            "rest_days",
            "ok",
            ngettext(
                "The worker has {days} day of rest a week.",
                "The worker has {days} days of rest a week.",
                days,
            ).format(days=days),
            (C014,),
        )
    indicators = ("excessive_overtime",)
    return Finding(
        "rest_days",
        "violation",
        _(
            "The contract gives no weekly day of rest; at least 24 hours in every seven days "
            "are required."
        ),
        _with_indicators((C014, C106), indicators),
        indicators,
    )


# The units the reference table uses, translated where a reason quotes them.
LEAVE_UNITS = {
    "days": N_("days"),
    "calendar days": N_("calendar days"),
    "working days": N_("working days"),
    "working days (five-day week)": N_("working days (five-day week)"),
}


def leave_unit(unit: str) -> str:
    return _(LEAVE_UNITS[unit]) if unit in LEAVE_UNITS else unit


def rule_paid_leave(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    days = terms.paid_leave_days_per_year
    if days is None:
        return None
    leave = ref.paid_leave if ref else None
    if leave is not None and leave.min_days > 0:
        references = (*_cite(leave.provenance), C132)
        details = {"days": days, "minimum": leave.min_days, "unit": leave_unit(leave.unit)}
        if days < leave.min_days:
            return Finding(
                "paid_leave",
                "violation",
                _(
                    "{days} days of paid leave a year are below the legal minimum of "
                    "{minimum} ({unit}) in {country}."
                ).format(country=_country(ref), **details),
                references,
            )
        return Finding(
            "paid_leave",
            "ok",
            _(
                "{days} days of paid leave a year meet the legal minimum of {minimum} ({unit})."
            ).format(**details),
            references,
        )
    minimum = ilo_minimum_leave_days(terms)
    if days < minimum:
        return Finding(
            "paid_leave",
            "concern",
            _(
                "{days} days of paid leave a year are less than the three working weeks of the "
                "ILO standard ({minimum} days on this contract's working week)."
            ).format(days=days, minimum=minimum),
            (C132,),
        )
    return Finding(
        "paid_leave",
        "ok",
        _("{days} days of paid leave a year meet the ILO standard of three working weeks.").format(
            days=days
        ),
        (C132,),
    )


def ilo_minimum_leave_days(terms: ContractTerms) -> int:
    """Three working weeks (ILO C132 Art. 3(3)) in days: 15 on a five-day week, 18 on a six-day
    week. When the days of rest are not stated, the five-day reading (15) is used, so that a
    concern is never an artefact of the assumption."""
    rest = terms.rest_days_per_week
    working_days = 7 - rest if rest is not None and 0 < 7 - rest <= 6 else 5
    return ILO_LEAVE_WEEKS * working_days


def rule_deductions(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    described, percent = terms.deductions_described, terms.deductions_percent
    if described is None and percent is None:
        return None
    if percent is not None and percent > DEDUCTIONS_VIOLATION_PERCENT:
        indicators = ("withholding_of_wages",)
        return Finding(
            "deductions",
            "violation",
            _("Deductions take {percent} per cent of the wage, more than half of it.").format(
                percent=_number(percent)
            ),
            _with_indicators((C095_DEDUCTIONS,), indicators),
            indicators,
        )
    if described is False:
        # Read the terms judged: a percentage given is "how much"; only the purpose is missing.
        reason = (
            _(
                "The contract allows deductions of {percent} per cent of the wage without "
                "saying what they are for."
            ).format(percent=_number(percent))
            if percent is not None
            else _(
                "The contract allows deductions from the wage without saying what they are for "
                "or how much they are."
            )
        )
        return Finding("deductions", "concern", reason, (C095_DEDUCTIONS,))
    if percent is not None and percent > DEDUCTIONS_CONCERN_PERCENT:
        return Finding(
            "deductions",
            "concern",
            _("Deductions take {percent} per cent of the wage; check that each is lawful.").format(
                percent=_number(percent)
            ),
            (C095_DEDUCTIONS,),
        )
    return Finding(
        "deductions",
        "ok",
        _("Deductions from the wage are described and limited."),
        (C095_DEDUCTIONS,),
    )


def _contract_references(terms: ContractTerms) -> tuple[Reference, ...]:
    return (FAIR_RECRUITMENT, C189_CONTRACT) if _is_domestic_work(terms) else (FAIR_RECRUITMENT,)


def rule_contract_language(
    terms: ContractTerms, ref: HostCountryReference | None
) -> Finding | None:
    understood = terms.contract_language_understood
    if understood is None:
        if terms.contract_language in ("kk", "ru"):
            return Finding(
                "contract_language",
                "ok",
                _("The contract is written in Kazakh or Russian."),
                _contract_references(terms),
            )
        return None
    if understood:
        return Finding(
            "contract_language",
            "ok",
            _("The worker understands the language of the contract."),
            _contract_references(terms),
        )
    indicators = ("deception",)
    return Finding(
        "contract_language",
        "concern",
        _(
            "The worker does not understand the language of the contract, so could not "
            "know the terms agreed to; a contract must be explained in a language the "
            "worker understands."
        ),
        _with_indicators(_contract_references(terms), indicators),
        indicators,
    )


def rule_signed_copy(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    return _term_stated(
        "signed_copy",
        terms.signed_copy_held,
        _("The worker holds a signed copy of the contract."),
        _(
            "The worker holds no signed copy of the contract, so cannot prove its terms if "
            "they are changed or a different contract is substituted."
        ),
        _contract_references(terms),
    )


def rule_return_ticket(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    payer = terms.return_ticket_paid_by
    if payer is None:
        return None
    references: tuple[Reference, ...] = (FAIR_RECRUITMENT,)
    if _is_domestic_work(terms):
        references += (C189_REPATRIATION,)
    if payer == "employer":
        return Finding("return_ticket", "ok", _("The employer pays the return ticket."), references)
    if payer == "worker":
        reason = _(
            "The worker must pay for the return ticket, a cost that should not fall on the worker."
        )
    else:
        reason = _(
            "The contract provides no return ticket: the worker may be unable to "
            "go home at the end of the contract."
        )
    return Finding("return_ticket", "concern", reason, references)


def rule_probation(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    months = terms.probation_months
    if months is None:
        return None
    legal = ref.probation if ref else None
    if legal is not None and months > legal.max_months:
        return Finding(
            "probation",
            "violation",
            _(
                "A probation of {months} months exceeds the legal maximum of {maximum} in "
                "{country}."
            ).format(months=months, maximum=legal.max_months, country=_country(ref)),
            (*_cite(legal.provenance), C158_PROBATION),
        )
    if months > LONG_PROBATION_MONTHS:
        return Finding(
            "probation",
            "concern",
            _(
                "A probation of {months} months is unusually long; during it the worker can "
                "be dismissed with little protection."
            ).format(months=months),
            (C158_PROBATION,),
        )
    return Finding(
        "probation",
        "ok",
        _("A probation of {months} months is within the usual limits.").format(months=months),
        (C158_PROBATION,),
    )


def rule_termination_clause(
    terms: ContractTerms, ref: HostCountryReference | None
) -> Finding | None:
    return _term_stated(
        "termination_clause",
        terms.termination_clause_present,
        _("The contract states how it may be ended."),
        _(
            "The contract does not say how and on what grounds it may be ended, or with what "
            "notice."
        ),
        (C158,),
    )


def rule_dispute_clause(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    return _term_stated(
        "dispute_clause",
        terms.dispute_clause_present,
        _("The contract says how disputes are settled."),
        _("The contract does not say how disputes are settled or which authority hears them."),
        (C097_COURTS,),
    )


def rule_insurance(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    provided = terms.insurance_provided
    if provided is None:
        return None
    if provided:
        return Finding("insurance", "ok", _("The employer provides insurance."), (C097_SOCIAL,))
    law = ref.health_insurance if ref else None
    if law is not None and law.law:
        return Finding(
            "insurance",
            "violation",
            _(
                "The contract provides no insurance, although health insurance of employees is "
                "mandatory in {country}."
            ).format(country=_country(ref)),
            (*_law_refs(law), C097_SOCIAL),
        )
    return Finding(
        "insurance",
        "concern",
        _(
            "The contract provides no health or accident insurance: treatment after an injury "
            "or illness would fall on the worker."
        ),
        (C097_SOCIAL,),
    )


def rule_housing(terms: ContractTerms, ref: HostCountryReference | None) -> Finding | None:
    return _term_stated(
        "housing",
        terms.housing_provided,
        _("The employer provides housing."),
        _(
            "The contract provides no housing: check that the wage covers rent and that the "
            "worker is not made to live where the employer or agency decides at the worker's "
            "cost."
        ),
        (C097_PAY,),
    )


def host_law_scope(ref: HostCountryReference) -> Finding | None:
    """A concern when host laws the table holds do not cover domestic work: their figures are
    not applied (hours, leave, the minimum wage fall back on ILO standards), and the officer
    must find the law that does cover the worker. Not a rule of RULES: it judges no term."""
    if not ref.domestic_exclusions:
        return None
    language = current_language()
    references = tuple(
        Reference(
            key=f"host:{cite.key}",
            text=statute_citation(cite, language),
            source=scope.provenance.source,
            verified=scope.provenance.verified,
        )
        for cite in ref.domestic_exclusions
        if (scope := cite.statute.domestic_work_excluded) is not None
    )
    reason = _(
        "The position is domestic work, which the laws of {country} cited here leave out of "
        "their scope: their figures are not applied, and the terms are judged by ILO "
        "standards. Check which law covers domestic workers in {country} and whether it "
        "covers this worker."
    ).format(country=_country(ref))
    return Finding(HOST_LAW_SCOPE, "concern", reason, references)


HOST_LAW_SCOPE = "host_law_scope"

RULES: tuple[Rule, ...] = (
    Rule("passport_retention", rule_passport_retention, ("documents_withheld",)),
    Rule("recruitment_fee", rule_recruitment_fee, ("recruitment_fees",)),
    Rule("minimum_wage", rule_minimum_wage, ("unpaid_wages", "wage_discrimination")),
    Rule("weekly_hours", rule_weekly_hours, ("excessive_hours",)),
    Rule("overtime_pay", rule_overtime_pay, ("excessive_hours", "unpaid_wages")),
    Rule("rest_days", rule_rest_days, ("excessive_hours",)),
    Rule("paid_leave", rule_paid_leave, ()),
    Rule("deductions", rule_deductions, ("unpaid_wages",)),
    Rule("contract_language", rule_contract_language, ("no_contract", "contract_substitution")),
    Rule("signed_copy", rule_signed_copy, ("no_contract", "contract_substitution")),
    Rule("return_ticket", rule_return_ticket, ()),
    Rule("probation", rule_probation, ("unjustified_dismissal",)),
    Rule("termination_clause", rule_termination_clause, ("unjustified_dismissal",)),
    Rule("dispute_clause", rule_dispute_clause, ()),
    Rule("insurance", rule_insurance, ("illness_injury",)),
    Rule("housing", rule_housing, ()),
)


# --- the review ---------------------------------------------------------------------------


def _resolve(
    finding: Finding, rule: Rule, provisions: Sequence[ProvisionRef], domestic: bool
) -> Finding:
    """The finding's references in the review's language, each provision once.

    ILO texts outside the library are gettext messages, translated here; library provisions
    take the library's own citation (the agreements area and letters write the same), with the
    host's standing when it has not ratified the instrument; then the applicable provisions
    of agreements that bind the host and bear on the rule's subject are added.
    """
    by_key = {p.key: p for p in provisions if p.instrument}
    instruments = {p.instrument: p for p in provisions if p.instrument}
    resolved: list[Reference] = []
    for reference in finding.references:
        resolved.append(_resolve_one(reference, by_key, instruments))
    for provision in provisions:
        if not provision.binding or not set(provision.categories) & set(rule.categories):
            continue
        if not cited_for_work(provision.instrument, domestic):
            continue
        resolved.append(_from_provision(provision))
    unique: dict[str, Reference] = {}
    for reference in resolved:
        unique.setdefault(reference.key, reference)
    return replace(finding, references=tuple(unique.values()))


def _from_provision(provision: ProvisionRef) -> Reference:
    return Reference(
        key=provision.key,
        text=provision.citation,
        source=provision.source,
        verified=provision.verified,
        standing=provision.standing,
    )


def in_time(
    provisions: Sequence[ProvisionRef], terms: ContractTerms, today: date
) -> tuple[ProvisionRef, ...]:
    """The provisions as they stood for this contract: one not in force on ``today`` (the
    review's date) binds nobody; one that bound the host only after the contract was signed
    applies from that day, and is left out where the contract's term ended before it.

    An instrument whose entry into force is not known keeps its standing: the Agreements area
    and letters already say that its date is unknown.
    """
    timed: list[ProvisionRef] = []
    for provision in provisions:
        start = provision.binds_from
        when = timing(start, today, terms.signed_on, term_end(terms))
        if not provision.binding or start is None or when is Timing.BOUND:
            timed.append(provision)
        elif when is Timing.NOT_YET:
            timed.append(
                replace(
                    provision,
                    binding=False,
                    standing=_("not yet in force: enters into force on {date}").format(
                        date=_date_on(start)
                    ),
                )
            )
        elif when is Timing.AFTER_FACTS:
            # It never bound the host while this contract ran: cited as a standard only.
            timed.append(
                replace(
                    provision,
                    binding=False,
                    standing=_(
                        "international standard for this contract: binds the host country "
                        "only from {date}, after the contract's term ended"
                    ).format(date=_date_from(start)),
                )
            )
        else:
            timed.append(
                replace(
                    provision,
                    standing=_("applies from {date}").format(date=_date_from(start)),
                )
            )
    return tuple(timed)


def _date_on(day: date) -> str:
    """A day something happens on, as the review's language writes it in a sentence
    (kk "2025 жылғы 18 желтоқсанда", ru "18 декабря 2025 г.", en "18 December 2025")."""
    language = current_language()
    if language == "kk":
        return kk_date_when(day)
    return _long_date(day, language)


def _date_from(day: date) -> str:
    """A day something starts from (kk "2025 жылғы 18 желтоқсаннан"; ru and en as _date_on:
    the Russian genitive month already reads after «с»)."""
    language = current_language()
    if language == "kk":
        return f"{day.year} жылғы {day.day} {KK_MONTHS_FROM[day.month - 1]}"
    return _long_date(day, language)


def _long_date(day: date, language: str) -> str:
    if language == "ru":
        return format_date(day, "d MMMM y\u00a0'г.'", "ru")
    return format_date(day, "d MMMM y", "en")


def _resolve_one(
    reference: Reference,
    by_key: Mapping[str, ProvisionRef],
    instruments: Mapping[str, ProvisionRef],
) -> Reference:
    if reference.key.startswith("std:"):
        from app.agreements.applicability import article_text

        text = _(reference.text)
        if reference.article:
            text = f"{text}, {article_text(reference.article, current_language())}"
        return replace(reference, text=text, standing=_convention_standing(reference))
    if not reference.key.startswith("lib:"):
        return reference
    exact = by_key.get(reference.key)
    if exact is not None:
        return _from_provision(exact)
    instrument, _sep, article = reference.key.removeprefix("lib:").partition("/")
    known = instruments.get(instrument)
    if known is None:
        return replace(reference, text=_(reference.text))
    from app.agreements.applicability import article_text

    language = current_language()
    text = known.instrument_title
    if article:
        text = f"{text}, {article_text(article, language)}"
    return Reference(
        key=reference.key,
        text=text,
        source=known.source,
        verified=known.verified,
        standing=known.standing,
    )


def _convention_standing(reference: Reference) -> str:
    """What an ILO convention outside the library is for the host: the library records no
    ratification of it, so it is cited as a standard whose ratification is not known, never
    as the host's law (guidelines and indicators are no conventions and need no standing)."""
    if not _CONVENTION_KEY.match(reference.key):
        return ""
    return _("international standard: {ratifications}").format(
        ratifications=pgettext("ratification", "not known to be ratified by the host country")
    )


_CONVENTION_KEY = re.compile(r"^std:c\d{3}\b")


def _ordered_indicators(findings: Sequence[Finding]) -> tuple[str, ...]:
    seen = {code for f in findings if f.level != "ok" for code in f.ilo_indicators}
    return tuple(code.value for code in IloIndicator if code in seen)


def rate_risk(findings: Sequence[Finding]) -> tuple[str, tuple[str, ...]]:
    """The overall risk and the rules that produced it.

    critical: two or more forced-labour indicators together with a violation on passport
    retention or recruitment fees (debt); high: a violation that is a forced-labour indicator;
    medium: any other violation, a wage the review could not settle against the legal minimum
    (no figure on file, no exchange rate, or just under it at approximate rates), or three
    concerns; low otherwise. A domestic worker whose host law leaves domestic work out has
    concerns where others have violations, so they count as violations would.
    """
    violations = [f for f in findings if f.level == "violation"]
    flagged = [f for f in findings if f.level != "ok" and f.ilo_indicators]
    coercive = [f for f in violations if f.rule in ("passport_retention", "recruitment_fee")]
    if coercive and len(_ordered_indicators(findings)) >= 2:
        return "critical", tuple(f.rule for f in flagged)
    indicated = [f for f in violations if f.ilo_indicators]
    # A domestic worker outside the host's labour law: a breach the law would have made a
    # violation can only be a concern against ILO standards, yet it weighs the same (the
    # ILO indicators hold whatever the law): an indicated concern is high, any concern medium.
    unprotected = any(f.rule == HOST_LAW_SCOPE for f in findings)
    others = [f for f in findings if f.level == "concern" and f.rule != HOST_LAW_SCOPE]
    if unprotected:
        indicated += [f for f in others if f.ilo_indicators]
    if indicated:
        return "high", tuple(f.rule for f in indicated)
    if violations:
        return "medium", tuple(f.rule for f in violations)
    if unprotected and others:
        return "medium", (HOST_LAW_SCOPE, *(f.rule for f in others))
    # A wage possibly under the minimum is an open question, not a reassuring "low".
    unsettled = [f for f in findings if f.level == "concern" and f.rule == "minimum_wage"]
    if unsettled:
        return "medium", tuple(f.rule for f in unsettled)
    concerns = [f for f in findings if f.level == "concern"]
    if len(concerns) >= 3:
        return "medium", tuple(f.rule for f in concerns)
    return "low", ()


def review(
    terms: ContractTerms,
    provisions: Sequence[ProvisionRef] = (),
    ref: HostCountryReference | None = None,
    today: date | None = None,
) -> ReviewResult:
    """Run every rule on ``terms``; ``ref`` defaults to the terms' host country's standards;
    ``today``, the review's date, decides which instruments were in force (default: today)."""
    provisions = in_time(provisions, terms, today or date.today())
    # The figures valid when the contract was signed (today's when the date is not given).
    reference = ref if ref is not None else reference_for(terms.host_country, on=terms.signed_on)
    domestic = _is_domestic_work(terms)
    findings: list[Finding] = []
    if domestic and reference is not None:
        # A law that leaves domestic work out (Korea's Labor Standards Act, the UAE's Labour
        # Law) is not cited for a housemaid: its figures are set aside, and the review says so.
        reference = reference.for_domestic_work()
        scope = host_law_scope(reference)
        if scope is not None:
            findings.append(scope)
    for rule in RULES:
        finding = rule.check(terms, reference)
        if finding is not None:
            findings.append(_resolve(finding, rule, provisions, domestic))
    risk, reasons = rate_risk(findings)
    return ReviewResult(tuple(findings), risk, reasons, _ordered_indicators(findings))


def result_to_json(result: ReviewResult) -> dict[str, object]:
    """The shape printed by ``qorgau contract review``."""
    return {
        "findings": [
            {
                "rule": f.rule,
                "level": f.level,
                "reason": f.reason,
                "references": list(f.reference_labels),
                "ilo_indicators": list(f.ilo_indicators),
            }
            for f in result.findings
        ],
        "risk": result.risk,
        "risk_reasons": list(result.risk_reasons),
        "ilo_indicators": list(result.ilo_indicators),
    }
