"""One function per code set: the word a person reads for a stored code, in any language.

Screen, CLI, reports, contract reviews, letters and exports all take their labels from here,
so a status or a category reads the same on screen and on paper. Every function takes the
code (a string or an enum member) and an optional language (default: the interface's); a code
the set does not know comes back unchanged, so an unexpected value stays visible instead of
failing a whole report.

Labels are gettext messages of the ``messages`` domain (categories and ILO indicators come
from the taxonomy files, written in each language); there is no per-language table here.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import cache
from typing import TypeVar

from app.domain import codes
from app.domain.audit_actions import ACTION_LABELS
from app.domain.codes import (
    CaseStatus,
    Category,
    Channel,
    ConsentScope,
    EventKind,
    FindingLevel,
    IloIndicator,
    LetterKind,
    LetterStatus,
    PartnerKind,
    RiskLevel,
    Role,
    Sex,
    Urgency,
)
from app.i18n import _, current_language, load_catalog, pseudo, pseudo_locale_enabled

E = TypeVar("E", bound=StrEnum)


def _enum_label(enum_type: type[E], code: str | StrEnum, language: str | None) -> str:
    try:
        member = enum_type(str(code))
    except ValueError:
        return str(code)
    return codes.label(member, language)


def case_status(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(CaseStatus, code, language)


def category(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(Category, code, language)


def ilo_indicator(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(IloIndicator, code, language)


def urgency(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(Urgency, code, language)


def role(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(Role, code, language)


def channel(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(Channel, code, language)


def letter_kind(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(LetterKind, code, language)


def letter_status(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(LetterStatus, code, language)


def finding_level(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(FindingLevel, code, language)


def risk_level(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(RiskLevel, code, language)


def sex(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(Sex, code, language)


def consent_scope(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(ConsentScope, code, language)


def partner_kind(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(PartnerKind, code, language)


def event_kind(code: str | StrEnum, language: str | None = None) -> str:
    return _enum_label(EventKind, code, language)


def country(iso2: str, language: str | None = None) -> str:
    """A state's short name for pickers and tables (CLDR); documents use ``states``."""
    from app.i18n import country_name

    return country_name(iso2, language) if iso2 else ""


# -- code sets that are plain strings in the data (no enum of their own) ----------------------


def _review_rules(pgettext: Callable[[str, str], str]) -> dict[str, str]:
    """The subject each contract-review rule judges (``Finding.rule``)."""
    return {
        "passport_retention": pgettext("review subject", "Passport and identity documents"),
        "recruitment_fee": pgettext("review subject", "Recruitment fees"),
        "minimum_wage": pgettext("review subject", "Minimum wage"),
        "weekly_hours": pgettext("review subject", "Working hours"),
        # Not a rule of its own (weekly_hours judges it): what an overtime-cap article is about.
        "overtime_limit": pgettext("review subject", "Limit on overtime work"),
        "overtime_pay": pgettext("review subject", "Overtime pay"),
        "rest_days": pgettext("review subject", "Weekly rest"),
        "paid_leave": pgettext("review subject", "Paid annual leave"),
        "deductions": pgettext("review subject", "Deductions from wages"),
        # Not a rule (a contract records no pay day): what a host's law on paying wages is about.
        "wage_payment": pgettext("review subject", "Payment of wages"),
        "contract_language": pgettext("review subject", "Contract language"),
        "signed_copy": pgettext("review subject", "Signed copy of the contract"),
        "return_ticket": pgettext("review subject", "Return ticket"),
        "probation": pgettext("review subject", "Probation"),
        "termination_clause": pgettext("review subject", "Termination of the contract"),
        "dispute_clause": pgettext("review subject", "Settlement of disputes"),
        "insurance": pgettext("review subject", "Health and accident insurance"),
        "housing": pgettext("review subject", "Housing"),
        # Not a rule: said first when host laws leave domestic work out of their scope.
        "host_law_scope": pgettext("review subject", "Scope of the host country's law"),
    }


@cache
def _review_rules_in(language: str) -> dict[str, str]:
    return _review_rules(load_catalog(language).pgettext)


def _shown(text: str) -> str:
    return pseudo(text) if pseudo_locale_enabled() else text


def review_rule(code: str, language: str | None = None) -> str:
    rules = _review_rules_in(language or current_language())
    return _shown(rules.get(code, code))


def audit_action(code: str, language: str | None = None) -> str:
    """An audit entry's action in ``language`` (a document's, which may differ from the
    window's): the audit log's own wording (``ACTION_LABELS``), the code where it has none."""
    label = ACTION_LABELS.get(code)
    if label is None:
        return code
    return _shown(load_catalog(language or current_language()).gettext(label))


def review_rule_codes() -> tuple[str, ...]:
    return tuple(_review_rules_in("en"))


def capitalised(text: str) -> str:
    """A label that starts a table cell or a line ("in order" → "In order")."""
    return text[:1].upper() + text[1:]


def deadline(state: str) -> str | None:
    """A case's deadline state (green, amber, red) in words, beside or instead of its colour."""
    return {
        "green": _("On time"),
        "amber": _("Due within three days"),
        "red": _("Overdue"),
    }.get(state)
