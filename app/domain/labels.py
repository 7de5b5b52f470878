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
        "overtime_pay": pgettext("review subject", "Overtime pay"),
        "rest_days": pgettext("review subject", "Weekly rest"),
        "paid_leave": pgettext("review subject", "Paid annual leave"),
        "deductions": pgettext("review subject", "Deductions from wages"),
        "contract_language": pgettext("review subject", "Contract language"),
        "signed_copy": pgettext("review subject", "Signed copy of the contract"),
        "return_ticket": pgettext("review subject", "Return ticket"),
        "probation": pgettext("review subject", "Probation"),
        "termination_clause": pgettext("review subject", "Termination of the contract"),
        "dispute_clause": pgettext("review subject", "Settlement of disputes"),
        "insurance": pgettext("review subject", "Health and accident insurance"),
        "housing": pgettext("review subject", "Housing"),
    }


def _audit_actions(pgettext: Callable[[str, str], str]) -> dict[str, str]:
    """What an audit entry's ``action`` code means: the actions on a person's or a case's
    records, which the subject-access report lists; other actions show their code."""
    return {
        "attachment.add": pgettext("audit action", "Attachment added"),
        "attachment.copy": pgettext("audit action", "Copy of an attachment saved"),
        "attachment.open": pgettext("audit action", "Attachment opened"),
        "attachment.remove": pgettext("audit action", "Attachment removed"),
        "bundle.conflict_resolve": pgettext("audit action", "Version conflict resolved"),
        "case.assign": pgettext("audit action", "Case assigned"),
        "case.cite": pgettext("audit action", "Provision cited"),
        "case.create": pgettext("audit action", "Case registered"),
        "case.escalate": pgettext("audit action", "Overdue cases escalated"),
        "case.event": pgettext("audit action", "Timeline entry added"),
        "case.refer": pgettext("audit action", "Referred to a support organisation"),
        "case.status": pgettext("audit action", "Case status changed"),
        "case.status_undo": pgettext("audit action", "Status change undone"),
        "case.transfer": pgettext("audit action", "Cases transferred"),
        "case.uncite": pgettext("audit action", "Citation withdrawn"),
        "case.update": pgettext("audit action", "Case edited"),
        "contract.report": pgettext("audit action", "Contract review report printed"),
        "contract.review": pgettext("audit action", "Contract reviewed"),
        "import.csv": pgettext("audit action", "Cases imported from a spreadsheet"),
        "import.undo": pgettext("audit action", "Spreadsheet import undone"),
        "letter.approve": pgettext("audit action", "Letter approved"),
        "letter.discard": pgettext("audit action", "Draft letter discarded"),
        "letter.draft": pgettext("audit action", "Letter drafted"),
        "letter.issue": pgettext("audit action", "Letter issued"),
        "letter.update": pgettext("audit action", "Letter edited"),
        "person.subject_access": pgettext("audit action", "Subject access report made"),
        "person.update": pgettext("audit action", "Person record edited"),
        "retention.anonymise": pgettext("audit action", "Personal data anonymised"),
        "returnee.add": pgettext("audit action", "Returnee's skills recorded"),
        "returnee.update": pgettext("audit action", "Returnee's skills record edited"),
        "returnee.consent_withdrawn": pgettext(
            "audit action", "Consent to the returnees' register withdrawn"
        ),
        "returnee.export": pgettext("audit action", "Returnees' register exported"),
    }


@cache
def _string_tables(language: str) -> tuple[dict[str, str], dict[str, str]]:
    pgettext = load_catalog(language).pgettext
    return _review_rules(pgettext), _audit_actions(pgettext)


def _shown(text: str) -> str:
    return pseudo(text) if pseudo_locale_enabled() else text


def review_rule(code: str, language: str | None = None) -> str:
    rules, _actions = _string_tables(language or current_language())
    return _shown(rules.get(code, code))


def audit_action(code: str, language: str | None = None) -> str:
    _rules, actions = _string_tables(language or current_language())
    return _shown(actions.get(code, code))


def review_rule_codes() -> tuple[str, ...]:
    return tuple(_string_tables("en")[0])


def audit_action_codes() -> tuple[str, ...]:
    return tuple(_string_tables("en")[1])


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
