"""Plain records the case services hand out, and the inputs they take.

These dataclasses are the whole vocabulary between the services and their callers (UI, CLI,
letters, bundles): no ORM row ever leaves a service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.domain.events import compose
from app.domain.events import detail as under_heading


@dataclass(frozen=True)
class PersonInput:
    surname: str
    given_names: str
    patronymic: str = ""
    surname_latin: str = ""
    given_names_latin: str = ""
    iin: str | None = None
    passport_no: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    phone_abroad: str = ""
    phone_home: str = ""
    email: str = ""
    messenger: str = ""
    address_abroad: str = ""
    address_home: str = ""
    next_of_kin: str = ""
    consent_date: date | None = None
    consent_scope: tuple[str, ...] = ()
    consent_note: str = ""


@dataclass(frozen=True)
class PersonInfo(PersonInput):
    id: str = ""
    version: int = 0
    case_count: int = 0

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_names, self.patronymic) if p)

    @property
    def full_name_latin(self) -> str:
        return " ".join(p for p in (self.surname_latin, self.given_names_latin) if p)


@dataclass(frozen=True)
class OrganisationInput:
    """An employer or a recruitment agency as typed in."""

    name: str
    country: str
    city: str = ""
    address: str = ""
    registration_no: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""
    postcode: str = ""
    contact_person: str = ""  # whom letters address, e.g. "Kim Min-jun, HR manager"


@dataclass(frozen=True)
class OrganisationInfo(OrganisationInput):
    id: str = ""
    kind: str = "employer"  # employer | agency
    watchlist: bool = False
    watchlist_reason: str = ""
    complaint_count: int = 0
    open_count: int = 0


@dataclass(frozen=True)
class OrganisationChoice:
    """An employer or agency as a picker lists it: enough to name it and warn of it."""

    id: str
    name: str
    city: str
    watchlist: bool
    key: str = ""  # the name as organisations are matched on: one key twice is one twice


@dataclass(frozen=True)
class CombineResult:
    """Organisations entered twice, made one (``OrganisationService.combine``)."""

    kept: OrganisationInfo
    combined: int  # the others, now removed
    cases_moved: int
    kept_apart: int  # others still referred to by cases held elsewhere, kept as they are


@dataclass(frozen=True)
class CaseInput:
    """A new case. A person, employer or agency is either an existing id or new input."""

    host_country: str
    categories: tuple[str, ...]
    received_at: date
    person: PersonInput | None = None
    person_id: str | None = None
    # With ``person_id``: the person as the form now shows them, whose contact and consent
    # fields (``app.domain.persons.EDITABLE_ON_NEW_CASE``) are saved with the case.
    person_update: PersonInput | None = None
    employer: OrganisationInput | None = None
    employer_id: str | None = None
    agency: OrganisationInput | None = None
    agency_id: str | None = None
    urgency: str = "normal"
    life_or_liberty_at_risk: bool | None = None  # None: derived from the categories
    channel: str = "walk_in"
    description: str = ""
    due_date: date | None = None
    assigned_to: str | None = None
    ilo_indicators: tuple[str, ...] = ()
    claims: tuple[dict[str, Any], ...] = ()  # see app.domain.claims


@dataclass(frozen=True)
class CaseChanges:
    """Fields an officer edits on an existing case; None leaves a field as it is."""

    host_country: str | None = None
    categories: tuple[str, ...] | None = None
    urgency: str | None = None
    life_or_liberty_at_risk: bool | None = None
    channel: str | None = None
    description: str | None = None
    due_date: date | None = None
    clear_due_date: bool = False
    employer_id: str | None = None
    clear_employer: bool = False
    agency_id: str | None = None
    clear_agency: bool = False
    ilo_indicators: tuple[str, ...] | None = None
    claims: tuple[dict[str, Any], ...] | None = None
    person: PersonInput | None = None
    # The outcome. A flag set carries its day (None: not known); a flag cleared drops it.
    wages_recovered_amount: Decimal | None = None
    wages_recovered_currency: str | None = None
    clear_wages_recovered: bool = False
    confirm_large_recovery: bool = False  # an amount over 10x the claims, as the officer said
    documents_returned: bool | None = None
    documents_returned_on: date | None = None
    repatriated: bool | None = None
    repatriated_on: date | None = None


@dataclass(frozen=True)
class WorkerName:
    """A worker's name as recorded, what a document names them by (``app.domain.names``)."""

    surname: str
    given_names: str
    patronymic: str
    surname_latin: str
    given_names_latin: str


NO_WORKER_NAME = WorkerName("", "", "", "", "")


@dataclass(frozen=True)
class OfficerName:
    """An officer as a document names them (``app.domain.names``): the login, and the names
    their account here records ("" for a login with no account here, as at HQ)."""

    username: str
    full_name: str
    full_name_latin: str


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list."""

    id: str
    number: str
    status: str
    urgency: str
    life_or_liberty_at_risk: bool
    host_country: str
    person_name: str
    person_name_latin: str
    employer_name: str
    categories: tuple[str, ...]
    received_at: date
    due_date: date | None
    assigned_to: str | None
    deadline: str  # green | amber | red | none
    escalated: bool
    updated_at: datetime
    origin_mission: str
    # For documents, which name people by their language's rule (``app.domain.names``);
    # the officer is None for a case assigned to no one.
    worker: WorkerName
    officer: OfficerName | None
    # At a mission, the mission that handles the case when HQ transferred it away; else "".
    held_by: str = ""
    # Retention took the case's personal data: no name, even of a person another case keeps.
    anonymised: bool = False


@dataclass(frozen=True)
class EventInfo:
    id: str
    kind: str
    occurred_at: datetime
    author: str
    text: str
    status_from: str | None
    status_to: str | None
    # The record the entry describes, ("letter" | "review" | "attachment", id), if any.
    link: tuple[str, str] | None = None
    # The code of what the app recorded (app.domain.events.SystemEvent), "" for a person's entry.
    event: str = ""
    # What ``text`` was composed from: the entry's data (an assignee named) and typed words.
    data: dict[str, Any] | None = None
    typed: str = ""
    # The author's full name, "" where the user is gone or has none: ``author`` stays the
    # login, which the undo check compares.
    author_name: str = ""
    # The installation the entry was written at when not this one ("" here): logins are each
    # installation's own, so its author is not named by this one's accounts.
    author_mission: str = ""

    @property
    def by(self) -> str:
        """Who wrote the entry, as the case list names officers: the full name, else the login
        (with the mission it was written at, when another)."""
        if self.author_mission:
            return f"{self.author} ({self.author_mission})"
        return self.author_name or self.author

    def said(self, language: str | None = None) -> str:
        """The entry's text in ``language`` (default: the interface's, as it is now): ``text``
        was composed when the case was read, and a language switched since left the app's
        sentences in the old language under headings in the new one."""
        return compose(self.data, self.typed, language) if self.event else self.text

    def detail(self, language: str | None = None) -> str:
        """What the entry says under its heading (``app.domain.events.heading``): a system
        sentence less the words the heading already says, or what a person wrote."""
        return under_heading(self.data, self.typed, language) if self.event else self.text


@dataclass(frozen=True)
class AttachmentInfo:
    id: str
    filename: str
    mime_type: str
    size: int
    sha256: str
    is_identity_document: bool
    description: str
    added_by: str
    added_at: datetime
    identity_reason: str = ""  # why a scan of an identity document had to be kept


@dataclass(frozen=True)
class CaseDetail:
    id: str
    number: str
    version: int
    status: str
    urgency: str
    life_or_liberty_at_risk: bool
    channel: str
    host_country: str
    categories: tuple[str, ...]
    ilo_indicators: tuple[str, ...]
    description: str
    received_at: date
    due_date: date | None
    deadline: str
    assigned_to: str | None
    created_by: str
    escalated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    wages_recovered_amount: Decimal | None
    wages_recovered_currency: str | None
    documents_returned: bool
    repatriated: bool
    origin_mission: str
    person: PersonInfo
    employer: OrganisationInfo | None
    agency: OrganisationInfo | None
    events: tuple[EventInfo, ...] = ()
    attachments: tuple[AttachmentInfo, ...] = ()
    allowed_statuses: tuple[str, ...] = ()
    claims: tuple[dict[str, Any], ...] = ()  # amounts claimed, see app.domain.claims
    holder_mission: str = ""  # who handles it: this mission, or the one HQ transferred it to
    anonymised_at: datetime | None = None  # when retention took its personal data
    documents_returned_on: date | None = None
    repatriated_on: date | None = None

    @property
    def has_outcome(self) -> bool:
        """Whether anything the mission achieved is on record."""
        return self.documents_returned or self.repatriated or bool(self.wages_recovered_amount)


@dataclass(frozen=True)
class CaseFilter:
    statuses: tuple[str, ...] = ()
    host_country: str | None = None
    category: str | None = None
    assigned_to: str | None = None
    unassigned: bool = False  # no officer yet: new at the desk, or transferred here by HQ
    urgency: str | None = None
    overdue: bool = False
    escalated: bool = False
    open_only: bool = False
    life_or_liberty: bool = False
    text: str = ""
    person_id: str | None = None
    employer_id: str | None = None
    agency_id: str | None = None
    mission: str | None = None  # at HQ: the mission that holds the case (after any transfer)
    sort: str = "received_at"
    descending: bool = True


@dataclass(frozen=True)
class DuplicateMatch:
    person_id: str
    full_name: str
    birth_date: date | None
    reasons: tuple[str, ...] = field(default_factory=tuple)
