"""Stable codes shared by the database, bundles, the CLI and CSV import.

The code strings never change; what users see is ``label(member)`` in the current language.
Category and ILO indicator labels come from the taxonomy files (written in each language);
the other labels are gettext strings with a context, because words such as "Referral" or
"Other" translate differently as a status, a channel or a letter kind.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import cache
from typing import TypeVar

from app.domain.text import quoted
from app.errors import ValidationError
from app.i18n import _, current_language, load_catalog, pseudo, pseudo_locale_enabled


class CaseStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    AWAITING_RESPONSE = "awaiting_response"
    REFERRED = "referred"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"


class LetterStatus(StrEnum):
    """An outgoing letter's way through the register: drafted, approved, issued."""

    DRAFT = "draft"
    APPROVED = "approved"
    ISSUED = "issued"


class Category(StrEnum):
    UNPAID_WAGES = "unpaid_wages"
    DOCUMENTS_WITHHELD = "documents_withheld"
    NO_CONTRACT = "no_contract"
    CONTRACT_SUBSTITUTION = "contract_substitution"
    UNJUSTIFIED_DISMISSAL = "unjustified_dismissal"
    EXCESSIVE_HOURS = "excessive_hours"
    UNSAFE_CONDITIONS = "unsafe_conditions"
    VIOLENCE = "violence"
    SEXUAL_ABUSE = "sexual_abuse"
    RESTRICTION_OF_FREEDOM = "restriction_of_freedom"
    WAGE_DISCRIMINATION = "wage_discrimination"
    RECRUITMENT_FEES = "recruitment_fees"
    TRAFFICKING_FORCED_LABOUR = "trafficking_forced_labour"
    DETENTION = "detention"
    ILLNESS_INJURY = "illness_injury"
    DEATH_REPATRIATION = "death_repatriation"
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown"
    OTHER = "other"


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class Role(StrEnum):
    ATTACHE = "attache"
    CONSUL = "consul"
    ADMIN = "admin"
    HQ = "hq"
    # Headquarters on a database server: each matches a PostgreSQL group role
    # (app/services/hq_database.py), so the database refuses what the service refuses.
    HQ_ANALYST = "hq_analyst"
    HQ_IMPORTER = "hq_importer"
    HQ_ADMIN = "hq_admin"


class LetterKind(StrEnum):
    NOTE_VERBALE_LABOUR_AUTHORITY = "note_verbale_labour_authority"
    EMPLOYER_LETTER = "employer_letter"
    AGENCY_REPORT = "agency_report"
    REFERRAL = "referral"
    ASSISTANCE_CERTIFICATE = "assistance_certificate"
    HQ_CASE_REPORT = "hq_case_report"


class IloIndicator(StrEnum):
    """The ILO's 11 indicators of forced labour, in the ILO's order."""

    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability"
    DECEPTION = "deception"
    RESTRICTION_OF_MOVEMENT = "restriction_of_movement"
    ISOLATION = "isolation"
    PHYSICAL_SEXUAL_VIOLENCE = "physical_sexual_violence"
    INTIMIDATION_THREATS = "intimidation_threats"
    RETENTION_OF_IDENTITY_DOCUMENTS = "retention_of_identity_documents"
    WITHHOLDING_OF_WAGES = "withholding_of_wages"
    DEBT_BONDAGE = "debt_bondage"
    ABUSIVE_WORKING_LIVING_CONDITIONS = "abusive_working_living_conditions"
    EXCESSIVE_OVERTIME = "excessive_overtime"


class Channel(StrEnum):
    """How a complaint reached the mission."""

    WALK_IN = "walk_in"
    PHONE = "phone"
    EMAIL = "email"
    MESSENGER = "messenger"
    HOTLINE = "hotline"
    REFERRAL = "referral"
    HQ_TRANSFER = "hq_transfer"
    OTHER = "other"


class PartnerKind(StrEnum):
    """What a partner organisation a worker can be referred to is."""

    NGO = "ngo"
    LAWYER = "lawyer"
    SHELTER = "shelter"
    HOTLINE = "hotline"
    OTHER = "other"


class FindingLevel(StrEnum):
    """How a contract review judges one term."""

    OK = "ok"
    CONCERN = "concern"
    VIOLATION = "violation"


class RiskLevel(StrEnum):
    """A contract review's overall risk."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class ConsentScope(StrEnum):
    """What a person agreed their data may be used for (stored in ``person.consent_scope``)."""

    CASE_HANDLING = "case_handling"
    SHARE_HOST_AUTHORITIES = "share_host_authorities"
    SHARE_HQ = "share_hq"
    SHARE_PARTNERS = "share_partners"
    CROSS_BORDER = "cross_border"
    # The returnees' skills register at HQ and its exports to employment centres (issue 24).
    RETURNEE_REGISTER = "returnee_register"


class EventKind(StrEnum):
    """Kinds of entries on a case's timeline."""

    NOTE = "note"
    CALL = "call"
    MEETING = "meeting"
    VISIT = "visit"
    LETTER_SENT = "letter_sent"
    REPLY_RECEIVED = "reply_received"  # the addressee answered one of our letters
    STATUS_CHANGE = "status_change"
    STATUS_UNDONE = "status_undone"  # its author took the last status change back
    ASSIGNMENT = "assignment"
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_REMOVED = "attachment_removed"
    ESCALATION = "escalation"
    SYSTEM = "system"


E = TypeVar("E", bound=StrEnum)
_LabelTable = dict[type[StrEnum], dict[StrEnum, str]]


def _gettext_labels(pgettext: Callable[[str, str], str], _: Callable[[str], str]) -> _LabelTable:
    """Labels of the gettext-translated codes, through the given catalog's ``pgettext``/``_``.

    The parameters keep the names ``pgettext`` and ``_`` so that ``pybabel extract`` finds
    every label below (with its context). Keyed by type first: equal code strings in two enums
    (``LetterKind.REFERRAL == Channel.REFERRAL``) are equal dictionary keys.
    """
    return {
        LetterStatus: {
            LetterStatus.DRAFT: pgettext("letter status", "Draft"),
            LetterStatus.APPROVED: pgettext("letter status", "Approved"),
            LetterStatus.ISSUED: pgettext("letter status", "Issued"),
        },
        FindingLevel: {
            FindingLevel.OK: _("in order"),
            FindingLevel.CONCERN: _("concern"),
            FindingLevel.VIOLATION: _("violation"),
        },
        RiskLevel: {
            RiskLevel.LOW: _("low"),
            RiskLevel.MEDIUM: _("medium"),
            RiskLevel.HIGH: _("high"),
            RiskLevel.CRITICAL: _("critical"),
        },
        Sex: {Sex.MALE: _("Male"), Sex.FEMALE: _("Female")},
        ConsentScope: {
            ConsentScope.CASE_HANDLING: _("handling this case"),
            ConsentScope.SHARE_HOST_AUTHORITIES: _(
                "passing data to the host country's authorities"
            ),
            ConsentScope.SHARE_HQ: _("passing data to headquarters in Astana"),
            ConsentScope.SHARE_PARTNERS: _("referral to partner organisations"),
            ConsentScope.CROSS_BORDER: _("cross-border transfer"),
            ConsentScope.RETURNEE_REGISTER: _("the returnees' register"),
        },
        CaseStatus: {
            CaseStatus.NEW: pgettext("case status", "New"),
            CaseStatus.IN_PROGRESS: pgettext("case status", "In progress"),
            CaseStatus.AWAITING_RESPONSE: pgettext("case status", "Awaiting response"),
            CaseStatus.REFERRED: pgettext("case status", "Referred"),
            CaseStatus.RESOLVED: pgettext("case status", "Resolved"),
            CaseStatus.CLOSED: pgettext("case status", "Closed"),
            CaseStatus.REJECTED: pgettext("case status", "Rejected"),
        },
        Urgency: {
            Urgency.LOW: pgettext("urgency", "Low"),
            Urgency.NORMAL: pgettext("urgency", "Normal"),
            Urgency.HIGH: pgettext("urgency", "High"),
            Urgency.CRITICAL: pgettext("urgency", "Critical"),
        },
        Role: {
            Role.ATTACHE: pgettext("role", "Labour attaché"),
            Role.CONSUL: pgettext("role", "Consul / head of section"),
            Role.ADMIN: pgettext("role", "Administrator"),
            Role.HQ: pgettext("role", "HQ analyst"),
            Role.HQ_ANALYST: pgettext("role", "HQ analyst: reads and reports"),
            Role.HQ_IMPORTER: pgettext("role", "HQ import operator"),
            Role.HQ_ADMIN: pgettext("role", "HQ administrator"),
        },
        LetterKind: {
            LetterKind.NOTE_VERBALE_LABOUR_AUTHORITY: pgettext(
                "letter kind", "Note verbale to the labour authority"
            ),
            LetterKind.EMPLOYER_LETTER: pgettext("letter kind", "Letter to the employer"),
            LetterKind.AGENCY_REPORT: pgettext("letter kind", "Report on a recruitment agency"),
            LetterKind.REFERRAL: pgettext("letter kind", "Referral to a support organisation"),
            LetterKind.ASSISTANCE_CERTIFICATE: pgettext("letter kind", "Certificate of assistance"),
            LetterKind.HQ_CASE_REPORT: pgettext("letter kind", "Case report to headquarters"),
        },
        Channel: {
            Channel.WALK_IN: pgettext("channel", "In person"),
            Channel.PHONE: pgettext("channel", "Phone"),
            Channel.EMAIL: pgettext("channel", "Email"),
            Channel.MESSENGER: pgettext("channel", "Messenger"),
            Channel.HOTLINE: pgettext("channel", "Hotline"),
            Channel.REFERRAL: pgettext("channel", "Referred by an organisation"),
            Channel.HQ_TRANSFER: pgettext("channel", "Transferred by headquarters"),
            Channel.OTHER: pgettext("channel", "Other"),
        },
        PartnerKind: {
            PartnerKind.NGO: pgettext("partner kind", "Non-governmental organisation"),
            PartnerKind.LAWYER: pgettext("partner kind", "Lawyer or legal aid"),
            PartnerKind.SHELTER: pgettext("partner kind", "Shelter"),
            PartnerKind.HOTLINE: pgettext("partner kind", "Hotline"),
            PartnerKind.OTHER: pgettext("partner kind", "Other"),
        },
        EventKind: {
            EventKind.NOTE: pgettext("timeline", "Note"),
            EventKind.CALL: pgettext("timeline", "Phone call"),
            EventKind.MEETING: pgettext("timeline", "Meeting"),
            EventKind.VISIT: pgettext("timeline", "Visit"),
            EventKind.LETTER_SENT: pgettext("timeline", "Letter sent"),
            EventKind.REPLY_RECEIVED: pgettext("timeline", "Reply received"),
            EventKind.STATUS_CHANGE: pgettext("timeline", "Status changed"),
            EventKind.STATUS_UNDONE: pgettext("timeline", "Status change undone"),
            EventKind.ASSIGNMENT: pgettext("timeline", "Assigned"),
            EventKind.ATTACHMENT_ADDED: pgettext("timeline", "Attachment added"),
            EventKind.ATTACHMENT_REMOVED: pgettext("timeline", "Attachment removed"),
            EventKind.ESCALATION: pgettext("timeline", "Escalated"),
            EventKind.SYSTEM: pgettext("timeline", "System"),
        },
    }


@cache
def _labels_in(language: str) -> _LabelTable:
    # Cached per language: tables and filters ask for the same labels thousands of times,
    # and a language's compiled catalog does not change while the app runs.
    catalog = load_catalog(language)
    return _gettext_labels(catalog.pgettext, catalog.gettext)


def label(member: StrEnum, language: str | None = None) -> str:
    """The member's label in ``language`` (default: the current interface language)."""
    # Imported here: taxonomy imports this module for its code types.
    from app.domain import taxonomy

    lang = language or current_language()
    if isinstance(member, Category):
        text = taxonomy.category(member).label(lang)
    elif isinstance(member, IloIndicator):
        text = taxonomy.ilo_indicator(member).label(lang)
    else:
        text = _labels_in(lang)[type(member)][member]
    return pseudo(text) if pseudo_locale_enabled() else text


def parse_code(enum_type: type[E], value: str, field: str | None = None) -> E:
    """``value`` as a member of ``enum_type``; ValidationError naming the valid codes if not."""
    try:
        return enum_type(value.strip())
    except (ValueError, AttributeError):
        valid = ", ".join(member.value for member in enum_type)
        raise ValidationError(
            _("Unknown code “{value}”; expected one of: {valid}.").format(
                value=quoted(value),
                valid=valid,  # a cell of any length is quoted short
            ),
            field=field,
        ) from None
