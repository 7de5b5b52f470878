"""Cases: registration, the list, the editor's changes, the workflow, timeline, attachments.

Every change runs in one write transaction with its timeline entry, its audit entry and the
refreshed search row, so either all of it is saved or none of it.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Label, Select, case, func, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from app.db.bulk import insert_rows
from app.db.models import (
    Attachment,
    Case,
    CaseCategory,
    CaseEvent,
    CaseIloIndicator,
    Employer,
    Mission,
    Person,
    RecruitmentAgency,
    User,
    new_id,
)
from app.db.sync import CHANGE_SEQ, next_counter, note_changes
from app.domain import taxonomy
from app.domain.claims import claims_json
from app.domain.codes import CaseStatus, Category, Channel, EventKind, IloIndicator, Role, Urgency
from app.domain.codes import parse_code as code
from app.domain.events import SystemEvent, compose, event_data, stored_event
from app.domain.filenames import clean_filename
from app.domain.iso import check_minor_units
from app.domain.outcome import (
    DOCUMENTS_RETURNED_ON,
    REPATRIATED_ON,
    check_outcome_date,
    check_recovery,
    outcome_date,
)
from app.domain.persons import EDITABLE_ON_NEW_CASE
from app.domain.roles import CASE_WORKERS, SENIOR_ROLES
from app.domain.text import DIRECTION_CONTROLS
from app.domain.workflow import (
    OPEN_STATUSES,
    UNDO_WINDOW,
    allowed_transitions,
    check_transition,
    deadline_state,
    default_due_date,
)
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.i18n import N_, _, format_date, format_size, lazy
from app.os_errors import os_error_reason
from app.security import audit as audit_log
from app.services import search
from app.services import validation as check
from app.services.organisations import (
    KnownOrganisations,
    clean_organisation,
    on_file_or_new,
)
from app.services.organisations import _info as organisation_info
from app.services.people import (
    apply_person,
    clean_person,
    find_duplicates,
    name_key,
    person_info,
    person_values,
    refuse_identifier_of_another,
)
from app.services.records import (
    AttachmentInfo,
    CaseChanges,
    CaseDetail,
    CaseFilter,
    CaseInput,
    CaseRow,
    DuplicateMatch,
    EventInfo,
    OfficerName,
    OrganisationInput,
    PersonInfo,
    PersonInput,
    WorkerName,
)
from app.services.rows import (
    add_case_event,
    copied,
    live_row,
    where_given,
    with_worker_and_employer,
)
from app.services.workspace import DatedService

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
TIMELINE_KINDS = (
    EventKind.NOTE,
    EventKind.CALL,
    EventKind.MEETING,
    EventKind.VISIT,
    EventKind.LETTER_SENT,
)
IDENTITY_HINTS = (
    "passport",
    "паспорт",
    "id card",
    "id_card",
    "idcard",
    "удостоверение",
    "куәлік",
    "жеке куәлік",
    "төлқұжат",  # the Kazakh word for a passport
    "identity",
    # As scanners and phones name files, in Latin letters.
    "pasport",
    "udostoverenie",
    "kuelik",
    "tolqujat",
    "tolkuzhat",
)
# "ID" as a word of its own: "ID.jpg", "id-front.png", "scan ID 2.pdf" (not "idea", "video").
_ID_WORD = re.compile(r"(?<![^\W\d_])id(?![^\W\d_])")
_OPEN = [s.value for s in OPEN_STATUSES]
_URGENCY_ORDER = case(
    {"critical": 0, "high": 1, "normal": 2, "low": 3}, value=Case.urgency, else_=4
)

_DIRECTION_CONTROL = re.compile(f"[{DIRECTION_CONTROLS}]")


@dataclass(frozen=True)
class PreparedCase:
    """A new case whose every field has been checked; nothing in the database yet."""

    source: CaseInput
    host_country: str
    categories: tuple[Category, ...]
    urgency: Urgency
    channel: Channel
    indicators: tuple[IloIndicator, ...]
    description: str
    claims: tuple[dict[str, str], ...]
    person: PersonInput | None
    employer: OrganisationInput | None
    agency: OrganisationInput | None
    at_risk: bool


class DuplicatePersonWarning(ConflictError):
    """The new worker may already be on file; the caller decides (pick one, or go on)."""

    def __init__(self, matches: Sequence[DuplicateMatch]) -> None:
        names = "; ".join(f"{m.full_name} ({', '.join(m.reasons)})" for m in matches)
        super().__init__(_("This person may already be on file: {names}.").format(names=names))
        self.matches = tuple(matches)


def _too_large(name: str, size: int) -> ValidationError:
    """The refusal names the file (several are chosen at once), gives both sizes in the
    reader's number format (it read «30.0 МБ» in Kazakh) and says what to do instead."""
    return ValidationError(
        _(
            "“{name}” is {size}; a file attached to a case may be at most {limit}. Scan it "
            "again at a lower resolution, or split it into parts and attach each one."
        ).format(name=name, size=format_size(size), limit=format_size(MAX_ATTACHMENT_BYTES)),
        "content",
    )


def checked_file(filename: str, content: bytes) -> str:
    """The name a file is attached under, once its name and size are fit for a case."""
    # A file's name is chosen, not typed: a direction control in it (a disguised
    # «invoice\u202efdp.exe») becomes "_" as ``clean_filename`` makes it, the file kept.
    marked = _DIRECTION_CONTROL.sub("_", filename or "")
    name = clean_filename(check.required_text(marked, "filename", _("File name"), 4096))
    if not content:
        raise ValidationError(_("The file is empty."), "content")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise _too_large(name, len(content))
    return name


def _refuse_second_copy(session: Session, case_id: str, name: str, digest: str) -> None:
    """The same file twice on one case (chosen again, or dropped after it was attached) was
    stored twice without a word; it is refused, naming the copy the case already has."""
    held = session.execute(
        select(Attachment.filename, Attachment.updated_at).where(
            Attachment.case_id == case_id,
            Attachment.sha256 == digest,
            Attachment.deleted_at.is_(None),
        )
    ).first()
    if held is not None:
        raise ValidationError(
            _("“{name}” is already attached to this case, as “{held}” of {date}.").format(
                name=name, held=held.filename, date=format_date(held.updated_at.date())
            ),
            "content",
        )


def not_attachable(path: Path) -> str:
    """Why ``path`` cannot be attached as it is ("" if it can be tried): a folder, or a pipe
    or device, whose reading never ends (a dropped pipe held the save queue forever)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return ""  # reading it says why, in the file's own words
    if stat.S_ISDIR(mode):
        return _("“{name}” is a folder: attach the files in it.").format(name=path.name)
    if not stat.S_ISREG(mode):
        return _(
            "“{name}” is not a file with content (a pipe or a device): it cannot be attached."
        ).format(name=path.name)
    return ""


def web_link_not_attachable(link: str) -> str:
    """A dropped web address: Qorgau stores files, and downloads nothing."""
    return _(
        "{link} is a web link, not a file: it cannot be attached. Save the file on this "
        "computer first, then attach it."
    ).format(link=link)


def read_attachment(path: Path) -> bytes:
    """A file to attach, read only when it is within the limit: a file of gigabytes dropped on
    a case was read whole into memory before the limit refused it."""
    refusal = not_attachable(path)
    if refusal:
        raise ValidationError(refusal, "content")
    try:
        with path.open("rb") as file:
            content = file.read(MAX_ATTACHMENT_BYTES + 1)
    except OSError as exc:
        raise ValidationError(
            _("{path} cannot be read: {error}").format(path=path, error=os_error_reason(exc)),
            "content",
        ) from None
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise _too_large(path.name, path.stat().st_size)
    return content


def looks_like_identity_document(filename: str) -> bool:
    """A name that suggests a scan of a passport or ID card (the UI warns before storing)."""
    lowered = filename.lower()
    return any(hint in lowered for hint in IDENTITY_HINTS) or _ID_WORD.search(lowered) is not None


def identity_document_warning() -> str:
    return _(
        "Kazakh law restricts keeping copies of identity documents. Record the passport data "
        "in the person's fields instead; store a scan only when it is indispensable for the "
        "case, and say why."
    )


# -- reading -----------------------------------------------------------------------------------


def case_codes(
    session: Session, model: type[CaseCategory] | type[CaseIloIndicator], case_ids: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """Each case's category (or ILO indicator) codes, sorted."""
    found: dict[str, list[str]] = {}
    for start in range(0, len(case_ids), 900):  # stay under SQLite's parameter limit
        chunk = case_ids[start : start + 900]
        for case_id, value in session.execute(
            select(model.case_id, model.code).where(model.case_id.in_(chunk))
        ):
            found.setdefault(case_id, []).append(value)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _event_info(
    event: CaseEvent, names: dict[str, str] | None = None, here: str | None = None
) -> EventInfo:
    """The entry as shown; ``names`` (login → full name of this installation's accounts) lets
    an assignment name the officer. ``here``: this installation's code; an entry written at
    another keeps its logins, which name other people there."""
    elsewhere = event.origin_mission if here and event.origin_mission not in ("", here) else ""
    if elsewhere:
        names = None
    data = event.data
    params = (data or {}).get("params")
    if names and isinstance(params, dict) and params.get("user") in names:
        data = {**data, "params": {**params, "user": names[params["user"]]}}
    return EventInfo(
        event.id,
        event.kind,
        event.occurred_at,
        event.author,
        compose(data, event.text),
        event.status_from,
        event.status_to,
        event_link(event.data),
        found[0].value if (found := stored_event(event.data)) else "",
        data,
        event.text,
        (names or {}).get(event.author, ""),
        elsewhere,
    )


# Which record an entry describes, by the key its data names it under (see EventInfo.link).
_LINK_KEYS = (("letter_id", "letter"), ("review_id", "review"), ("attachment_id", "attachment"))


def event_link(data: dict[str, Any] | None) -> tuple[str, str] | None:
    """("letter" | "review" | "attachment", id) for an entry that describes one record."""
    for key, kind in _LINK_KEYS:
        value = (data or {}).get(key)
        if isinstance(value, str) and value:
            return kind, value
    return None


# A status change set by a slip (a key pressed twice, the wrong line) is taken back by its
# author soon after, as an undo on the record; later, the case is moved on as usual.
_STATUS_KINDS = (EventKind.STATUS_CHANGE.value, EventKind.STATUS_UNDONE.value)


def utc_now() -> datetime:
    """The clock of the undo window (replaced in tests)."""
    return datetime.now(UTC)


def check_status_undo(last: EventInfo | None, status: str, username: str, now: datetime) -> None:
    """Raise unless ``username`` may undo ``last``, the case's latest status entry, now."""
    if last is None or last.kind != EventKind.STATUS_CHANGE.value or last.status_to != status:
        raise ValidationError(_("The case has no status change to undo."), field="status")
    if last.author != username or last.author_mission:  # a namesake elsewhere is not them
        raise PermissionDenied(
            _("Only {user}, who made the last status change, can undo it.").format(user=last.by)
        )
    if now - last.occurred_at > UNDO_WINDOW:
        raise ValidationError(
            _(
                "A status change can be undone only within {minutes} minutes; "
                "change the status again instead."
            ).format(minutes=int(UNDO_WINDOW.total_seconds() // 60)),
            field="status",
        )


def undoable_status_change(case: CaseDetail, username: str, now: datetime) -> EventInfo | None:
    """The case's last status change when ``username`` may undo it now, else None."""
    last = next((e for e in reversed(case.events) if e.kind in _STATUS_KINDS), None)
    try:
        check_status_undo(last, case.status, username, now)
    except (ValidationError, PermissionDenied):
        return None
    return last


def listed_attachments(case_id: str) -> Select[Attachment]:
    """A case's files, oldest first, without their content: read from the index alone
    (``ATTACHMENT_LIST_COLUMNS``), not from rows whose content precedes their other columns."""
    return (
        select(Attachment)
        .where(Attachment.case_id == case_id, Attachment.deleted_at.is_(None))
        .order_by(Attachment.updated_at)
    )


def _attachment_info(row: Attachment) -> AttachmentInfo:
    return copied(AttachmentInfo, row, added_at=row.updated_at)


def _outcome_params(row: Case) -> dict[str, str]:
    """The case's outcome as a timeline entry's parameters: only what was achieved."""
    params: dict[str, str] = {}
    outcome = row.outcome or {}
    if row.documents_returned:
        params["documents_returned"] = str(outcome.get(DOCUMENTS_RETURNED_ON) or "")
    if row.repatriated:
        params["repatriated"] = str(outcome.get(REPATRIATED_ON) or "")
    if row.wages_recovered_amount and row.wages_recovered_currency:
        params["wages"] = str(row.wages_recovered_amount)
        params["currency"] = row.wages_recovered_currency
    return params


def case_detail(session: Session, row: Case, role: str, today: date | None = None) -> CaseDetail:
    person = session.get(Person, row.person_id)
    assert person is not None
    employer = session.get(Employer, row.employer_id) if row.employer_id else None
    # An anonymised case shows no one, though its person may still be on file for another
    # case: what stays of them is what statistics count (``app.services.retention``).
    shown = person_info(person) if row.anonymised_at is None else _nobody(person)
    agency = session.get(RecruitmentAgency, row.agency_id) if row.agency_id else None
    events = session.execute(
        select(CaseEvent)
        .where(CaseEvent.case_id == row.id, CaseEvent.deleted_at.is_(None))
        .order_by(CaseEvent.occurred_at, CaseEvent.change_seq)
    ).scalars()
    attachments = session.execute(listed_attachments(row.id)).scalars()
    names = {
        username: full_name
        for username, full_name in session.execute(select(User.username, User.full_name))
        if full_name
    }
    status = CaseStatus(row.status)
    try:
        allowed = tuple(s.value for s in allowed_transitions(status, Role(role)))
    except ValueError:
        allowed = ()
    if row.anonymised_at is not None:
        allowed = ()  # its status stays (``refuse_anonymised``)
    return copied(
        CaseDetail,
        row,
        categories=tuple(c.code for c in row.categories),
        ilo_indicators=tuple(i.code for i in row.ilo_indicators),
        claims=tuple(row.claims or ()),
        deadline=deadline_state(row.due_date, today or date.today(), status),
        person=shown,
        employer=organisation_info(employer) if employer else None,
        agency=organisation_info(agency) if agency else None,
        events=tuple(_event_info(e, names, session.info.get("mission_code")) for e in events),
        attachments=tuple(_attachment_info(a) for a in attachments),
        allowed_statuses=allowed,
        documents_returned_on=outcome_date(row.outcome or {}, DOCUMENTS_RETURNED_ON),
        repatriated_on=outcome_date(row.outcome or {}, REPATRIATED_ON),
    )


def anonymised_refusal(number: str) -> str:
    """Why an anonymised case takes no change (to the desktop and the command line)."""
    return _(
        "Case {number} was anonymised at the end of the retention period: it is kept as it is "
        "for the statistics and no longer changes."
    ).format(number=number)


def refuse_anonymised(row: Case) -> None:
    """An anonymised case stays as retention left it: a note, a file, a description or a
    review typed into it may name its worker again, and a reopened one would be a case open
    for no one (a worker who comes back has a new case)."""
    if row.anonymised_at is not None:
        raise ValidationError(anonymised_refusal(row.number))


def _nobody(person: Person) -> PersonInfo:
    """An anonymised case's person: the sex statistics count, no name, no link to the person."""
    return PersonInfo(surname="", given_names="", sex=person.sex)


_ROW_COLUMNS = (
    Case.id,
    Case.number,
    Case.status,
    Case.urgency,
    Case.life_or_liberty_at_risk,
    Case.host_country,
    Case.received_at,
    Case.due_date,
    Case.assigned_to,
    Case.escalated_at,
    Case.updated_at,
    Case.origin_mission,
    Case.holder_mission,
    Case.anonymised_at,
    Person.surname,
    Person.given_names,
    Person.patronymic,
    Person.surname_latin,
    Person.given_names_latin,
    Employer.name.label("employer_name"),
    User.full_name.label("officer_name"),
    User.full_name_latin.label("officer_name_latin"),
)
# A case's complaint categories in one column of its list row (split by _split_codes).
_CATEGORY_CODES = (
    select(func.aggregate_strings(CaseCategory.code, " "))
    .where(CaseCategory.case_id == Case.id)
    .correlate(Case)
    .scalar_subquery()
    .label("category_codes")
)


def _with_row_joins(query: Select) -> Select:
    """``query`` joined to what ``_ROW_COLUMNS`` reads: the worker, the employer, and the
    assigned officer's account (by its unique login; none for a login not kept here)."""
    return with_worker_and_employer(query).outerjoin(User, User.username == Case.assigned_to)


def _split_codes(joined: str | None) -> tuple[str, ...]:
    return tuple(sorted(joined.split())) if joined else ()


def case_rows(
    session: Session, ids: Sequence[str], today: date, here: str | None = None
) -> list[CaseRow]:
    """The list rows of these cases, in the order of ``ids`` (plain columns, no ORM rows);
    ``here``: the mission reading them (None at HQ), see ``case_row``."""
    if not ids:
        return []
    rows = session.execute(_with_row_joins(select(*_ROW_COLUMNS)).where(Case.id.in_(ids))).all()
    categories = case_codes(session, CaseCategory, ids)
    position = {case_id: i for i, case_id in enumerate(ids)}
    built = [case_row(r._mapping, categories, today, here) for r in rows]
    return sorted(built, key=lambda row: position[row.id])


def case_row(
    r: RowMapping, categories: dict[str, tuple[str, ...]], today: date, here: str | None = None
) -> CaseRow:
    """A case-list row from the columns of ``_ROW_COLUMNS``. At mission ``here`` a copy HQ
    transferred away names its holder and has no deadline: that is the holder's to keep."""
    held_by = r["holder_mission"] if here and r["holder_mission"] != here else ""
    status = CaseStatus(r["status"])
    anonymised = r["anonymised_at"] is not None
    worker = WorkerName(
        r["surname"], r["given_names"], r["patronymic"], r["surname_latin"], r["given_names_latin"]
    )
    return CaseRow(
        id=r["id"],
        number=r["number"],
        status=r["status"],
        urgency=r["urgency"],
        life_or_liberty_at_risk=r["life_or_liberty_at_risk"],
        host_country=r["host_country"],
        person_name=f"{worker.surname} {worker.given_names}".strip(),
        person_name_latin=f"{worker.surname_latin} {worker.given_names_latin}".strip(),
        employer_name=r["employer_name"] or "",
        categories=categories.get(r["id"], ()),
        received_at=r["received_at"],
        due_date=r["due_date"],
        assigned_to=r["assigned_to"],
        deadline="none" if held_by else deadline_state(r["due_date"], today, status),
        escalated=r["escalated_at"] is not None and not held_by,
        updated_at=r["updated_at"],
        origin_mission=r["origin_mission"],
        worker=worker,
        officer=(
            OfficerName(r["assigned_to"], r["officer_name"] or "", r["officer_name_latin"] or "")
            if r["assigned_to"]
            else None
        ),
        held_by=held_by,
        anonymised=anonymised,
    )


# Each sort ends at the case's id, which no two cases share: many cases tie on the column (one
# worker's, an employer's, a day's), and at HQ on the number too (each mission counts its own),
# and rows tied to the end came in any order, so paging showed a case twice or not at all.
# Where a list index holds the column then (seq, id), the order is the index's, with no sort;
# elsewhere the id follows the column at once: a third key made the planner sort every case
# instead of the few tied ones (sorted by person: the people's name index, then a partial sort).
SORT_KEYS = {
    "number": (Case.year, Case.seq, Case.id),
    "received_at": (Case.received_at, Case.seq, Case.id),
    "due_date": (Case.due_date, Case.seq, Case.id),
    "status": (Case.status, Case.id),
    "urgency": (_URGENCY_ORDER, Case.id),
    "host_country": (Case.host_country, Case.id),
    "person": (Person.surname, Person.given_names, Case.id),
    "employer": (Employer.name, Case.id),
    "assigned_to": (Case.assigned_to, Case.id),
    "updated_at": (Case.updated_at, Case.seq, Case.id),
}


def _filtered(
    query: Select,
    flt: CaseFilter,
    today: date,
    by_text: bool = True,
    page: bool = False,
    held_here: str | None = None,
) -> Select:
    """``query`` kept to the cases ``flt`` names; ``by_text=False`` leaves the search text out
    (the caller joins the search index itself). ``page``: the query reads a page in the list's
    order, so a category is tested case by case as the list index is read (it stops at the
    page) instead of first collecting every case of the category (best for a count).
    ``held_here``: a mission's code, whose work lists (open, overdue, escalated) leave out the
    copies of cases HQ transferred away: still open on paper, they are another's to act on."""
    query = query.where(Case.deleted_at.is_(None))
    if held_here and (flt.open_only or flt.overdue or flt.escalated):
        query = query.where(Case.holder_mission == held_here)
    if flt.statuses:
        query = query.where(Case.status.in_(flt.statuses))
    if flt.open_only:
        query = query.where(Case.status.in_(_OPEN))
    if flt.host_country:
        query = query.where(Case.host_country == flt.host_country.upper())
    if flt.category:
        of_category = select(CaseCategory.case_id).where(CaseCategory.code == flt.category)
        if page:
            query = query.where(of_category.where(CaseCategory.case_id == Case.id).exists())
        else:
            query = query.where(Case.id.in_(of_category))
    query = where_given(
        query,
        (Case.assigned_to, flt.assigned_to),
        (Case.urgency, flt.urgency),
        (Case.person_id, flt.person_id),
        (Case.employer_id, flt.employer_id),
        (Case.agency_id, flt.agency_id),
        (Case.holder_mission, flt.mission),
    )
    if flt.unassigned:
        query = query.where(Case.assigned_to.is_(None))
    if flt.overdue:
        query = query.where(Case.status.in_(_OPEN), Case.due_date < today)
    if flt.escalated:
        query = query.where(Case.escalated_at.is_not(None), Case.status.in_(_OPEN))
    if flt.life_or_liberty:
        query = query.where(Case.life_or_liberty_at_risk)
    if by_text and flt.text.strip():
        match = search.fts_query(flt.text)
        if match is None:
            return query.where(Case.id.is_(None))
        query = query.where(Case.id.in_(search.matching_case_ids(match)))
    return query


def _in_index_order(flt: CaseFilter) -> str | None:
    """The search expression when the page can be read in the index's order: a search sorted
    by the date received (the list's default), whose order the index's rowids keep."""
    if flt.sort != "received_at" or not flt.text.strip():
        return None
    return search.fts_query(flt.text)


ESCALATION_BATCH = 500  # overdue cases flagged per write transaction (``escalate_overdue``)
KNOWN_CHUNK = 300  # values per IN list of the batch's duplicate check (``_known_people``)


def _person_keys(
    surname: str, given_names: str, iin: str | None, passport_no: str | None, birth: date | None
) -> list[tuple[Any, ...]]:
    """What ``find_duplicates`` matches a person on."""
    named = [_name_birth_key(surname, given_names, birth)] if birth else []
    return [*_number_keys(iin, passport_no), *named]


def _number_keys(iin: str | None, passport_no: str | None) -> list[tuple[Any, ...]]:
    return [key for key in (("iin", iin), ("passport", passport_no)) if key[1]]


def _name_birth_key(surname: str, given_names: str, birth: date) -> tuple[Any, ...]:
    return ("name", *name_key(surname, given_names), birth)


def born_on(births: Sequence[date]) -> Select[str, str, str, date | None]:
    """The live people born on these days, with what their name-and-birth key needs: all of it
    in ``ix_person_birth_date``, so the rows themselves are not read (migration 0018)."""
    return (
        select(Person.id, Person.surname, Person.given_names, Person.birth_date)
        .where(Person.birth_date.in_(births), Person.deleted_at.is_(None))
        .order_by(Person.updated_at)
    )


class CaseService(DatedService):
    # -- listing --------------------------------------------------------------------------------

    def count_cases(self, flt: CaseFilter | None = None) -> int:
        flt = flt or CaseFilter()
        query = _filtered(
            select(func.count(Case.id)), flt, self.today, held_here=self.ws.mission_here
        )
        with self.ws.read() as session:
            return int(session.execute(query).scalar_one())

    def list_cases(
        self, flt: CaseFilter | None = None, offset: int = 0, limit: int = 100
    ) -> list[CaseRow]:
        """One page of the list, filtered and sorted in SQL.

        The page's ids are found first on the case table alone (the list indexes cover it),
        and only those rows are then joined with people and employers. A search in the
        default order reads its matches in that order from the search index and stops at the
        page, however many cases match.
        """
        flt = flt or CaseFilter()
        match = _in_index_order(flt)
        ids_query: Select[Any]
        keys: Sequence[Label[Any]]
        if match is not None:
            ids_query, keys = search.newest_matches_first(
                _filtered(
                    select(Case.id),
                    flt,
                    self.today,
                    by_text=False,
                    page=True,
                    held_here=self.ws.mission_here,
                ),
                Case.id,
                match,
                flt.descending,
            )
        else:
            columns = SORT_KEYS.get(flt.sort, SORT_KEYS["received_at"])
            keys = [c.label(f"sort_{i}") for i, c in enumerate(columns)]
            ids_query = select(Case.id, *keys)  # the keys, to put the page's rows in order
            if flt.sort == "person":
                ids_query = ids_query.join(Person, Person.id == Case.person_id)
            elif flt.sort == "employer":
                ids_query = ids_query.outerjoin(Employer, Employer.id == Case.employer_id)
            ids_query = _filtered(
                ids_query, flt, self.today, page=True, held_here=self.ws.mission_here
            ).order_by(*(c.desc() if flt.descending else c.asc() for c in columns))
        page = ids_query.offset(offset).limit(limit).subquery("page")
        # The page's rows in the same statement, joined only to the page's ids; its sort keys
        # put them back in order (a join does not keep the subquery's).
        order = [page.c[k.name] for k in keys]
        page_cases = (
            select(*_ROW_COLUMNS, _CATEGORY_CODES)
            .select_from(page)
            .join(Case, Case.id == page.c.id)
        )
        rows_query = _with_row_joins(page_cases).order_by(
            *(c.desc() if flt.descending else c.asc() for c in order)
        )
        today = self.today  # once: a property reading the clock, and one day for the whole page
        here = self.ws.mission_here
        with self.ws.read() as session:
            # Core, not the ORM's loading: plain columns, and 200 rows of them per keystroke.
            return [
                case_row(r._mapping, {r.id: _split_codes(r.category_codes)}, today, here)
                for r in session.connection().execute(rows_query)
            ]

    def search(self, user_text: str, limit: int = 50) -> list[CaseRow]:
        """Cases matching what the user typed, best match first."""
        with self.ws.read() as session:
            matches = search.search_case_ids(session, user_text, limit)
            return case_rows(
                session, [m.case_id for m in matches], self.today, self.ws.mission_here
            )

    def check_mission(self, code: str) -> None:
        """Refuses a mission filter that names no mission here: its empty list read as a
        mission without cases ("DBX" typed for "DXB"). The missions here are this installation
        and those whose keys it trusts, as the statistics' mission filter says."""
        with self.ws.read() as session:
            known = set(session.execute(select(Mission.code)).scalars())
            own = self.ws.mission_code
            if self.ws.mission.is_hq and not session.scalar(
                select(Case.id).where(Case.mission_code == own).limit(1)
            ):
                known.discard(own)  # HQ is no mission with cases: naming it misled
        if code not in known:
            raise NotFound(
                _("No cases of mission {code} here; the missions here: {known}.").format(
                    code=code, known=", ".join(sorted(known))
                )
            )

    def get_case(self, case_id: str) -> CaseDetail:
        with self.ws.read() as session:
            return case_detail(
                session, self._load(session, case_id), self.ws.actor.role, self.today
            )

    def get_by_number(self, number: str) -> CaseDetail:
        """The case numbered ``number``, also when typed with a Cyrillic layout on."""
        typed = search.case_number_typed(number)
        with self.ws.read() as session:
            row = session.execute(
                select(Case).where(Case.number == typed, Case.deleted_at.is_(None))
            ).scalar_one_or_none()
            if row is None:
                raise NotFound(_("No case numbered {number}.").format(number=number))
            return case_detail(session, row, self.ws.actor.role, self.today)

    def held_elsewhere(self, case: CaseDetail) -> str:
        """The mission that handles ``case`` when HQ transferred it away from this one (whose
        copy then only reads); empty at HQ and for a case held here."""
        here = self.ws.mission_here
        return case.holder_mission if here and case.holder_mission != here else ""

    def can_change(self, case: CaseDetail) -> bool:
        """Whether ``case`` is held here, so that it may change here at all (``app.db.sync``):
        at HQ only its own, at a mission not a copy HQ transferred away."""
        return case.holder_mission == self.ws.mission_code

    def _load(self, session: Session, case_id: str) -> Case:
        return live_row(session, Case, case_id, _("No such case."))

    # -- registering ----------------------------------------------------------------------------

    def create_case(self, data: CaseInput, allow_duplicate_person: bool = False) -> CaseDetail:
        self.ws.require_role(*CASE_WORKERS)
        prepared = self.prepare(data)
        with self.ws.write() as session:
            row = self.insert_case(
                session, prepared, on_duplicate="allow" if allow_duplicate_person else "warn"
            )
            search.index_cases(session, [row.id])
            return case_detail(session, row, self.ws.actor.role, self.today)

    def prepare(self, data: CaseInput) -> PreparedCase:
        """Check and clean a new case without touching the database (ValidationError)."""
        if (data.person is None) == (data.person_id is None) or (
            data.person_update is not None and data.person_id is None
        ):
            raise ValidationError(_("Give either a new person or an existing one."), "person")
        categories = self._categories(data.categories)
        check.not_future(data.received_at, "received_at", _("The date received"), self.today)
        check.received_plausible(data.received_at, None)
        check.due_after_receipt(data.due_date, data.received_at)
        at_risk = data.life_or_liberty_at_risk
        if at_risk is None:
            at_risk = any(taxonomy.category(c).life_or_liberty for c in categories)
        prepared = PreparedCase(
            source=data,
            host_country=check.country(data.host_country, "host_country"),
            categories=tuple(categories),
            urgency=code(Urgency, data.urgency, "urgency"),
            channel=code(Channel, data.channel, "channel"),
            indicators=tuple(self._indicators(data.ilo_indicators)),
            description=check.bounded_text(data.description, "description", _("Description")),
            claims=tuple(claims_json(list(data.claims))),
            person=clean_person(data.person, self.today) if data.person else None,
            employer=clean_organisation(data.employer) if data.employer else None,
            agency=clean_organisation(data.agency) if data.agency else None,
            at_risk=at_risk,
        )
        if prepared.person is not None:  # after the person's own checks (a birth in the future)
            check.received_plausible(data.received_at, prepared.person.birth_date)
        return prepared

    def insert_case(
        self,
        session: Session,
        p: PreparedCase,
        on_duplicate: str = "warn",
        status: CaseStatus = CaseStatus.NEW,
        registered_event: SystemEvent = SystemEvent.CASE_REGISTERED,
    ) -> Case:
        """Write a prepared case in the caller's transaction.

        ``on_duplicate``: ``warn`` raises DuplicatePersonWarning, ``allow`` adds a new person
        anyway, ``reuse`` links the case to the first matching person (legacy imports).
        """
        data = p.source
        self._check_officer(session, data.assigned_to)
        if p.person is not None:
            duplicates = find_duplicates(session, p.person)
            if duplicates and on_duplicate == "warn":
                raise DuplicatePersonWarning(duplicates)
            if duplicates and on_duplicate == "reuse":
                person_id = duplicates[0].person_id
            else:
                person = Person()
                apply_person(person, p.person)
                session.add(person)
                session.flush()
                person_id = person.id
        else:
            assert data.person_id is not None
            known = session.get(Person, data.person_id)
            if known is None:
                raise NotFound(_("No such person."))
            if data.person_update is not None:
                self._update_contacts(session, known, data.person_update)
            person_id = data.person_id
        employer_id = self._organisation(session, Employer, data.employer_id, p.employer)
        agency_id = self._organisation(session, RecruitmentAgency, data.agency_id, p.agency)
        seq = next_counter(session, f"case:{self.ws.mission_code}:{self.today.year}")
        values = self._case_values(p, person_id, employer_id, agency_id, seq, status)
        row = self._new_case(p, values)
        session.add(row)
        session.flush()
        self._event(session, row.id, EventKind.SYSTEM, "", data=event_data(registered_event))
        self.ws.audit(session, "case.create", "case", row.number, self._created_details(p))
        return row

    def _update_contacts(self, session: Session, person: Person, typed: PersonInput) -> None:
        """Save the contact and consent fields an officer changed on a person picked for a new
        case (a new phone abroad), audited as an edit of the person; the rest stays as stored."""
        stored = person_info(person)
        changed = [f for f in EDITABLE_ON_NEW_CASE if getattr(typed, f) != getattr(stored, f)]
        if not changed:
            return
        kept = {f.name: getattr(stored, f.name) for f in fields(PersonInput)}
        merged = PersonInput(**{**kept, **{f: getattr(typed, f) for f in changed}})
        apply_person(person, clean_person(merged, self.today))
        self.ws.audit(session, "person.update", "person", person.id, {"fields": changed})
        session.flush()
        # The person's other cases are found by their phone too.
        search.index_cases(
            session, list(session.scalars(select(Case.id).where(Case.person_id == person.id)))
        )

    @staticmethod
    def _created_details(p: PreparedCase) -> dict[str, Any]:
        return {"categories": [c.value for c in p.categories], "host": p.host_country}

    def insert_cases(
        self,
        session: Session,
        items: Sequence[tuple[PreparedCase, CaseStatus]],
        registered_event: SystemEvent,
        ended_on: Sequence[date | None] | None = None,
        event_extra: Mapping[str, Any] | None = None,
    ) -> list[tuple[str, str]]:
        """Write many prepared new cases (new people, new or known organisations) in the
        caller's transaction, as ``insert_case(on_duplicate="reuse")`` would one by one, in a
        few multi-row statements; returns each case's (id, number).

        Each row's duplicate checks still run, against the database and against the rows
        before it in ``items``; every case gets its timeline entry and audit entry. The rows go
        in as Core inserts, so the sync columns the flush would stamp are set here.
        ``ended_on``, beside ``items``: the day a case imported as resolved or closed ended
        (its ``resolved_at`` or ``closed_at``), where its register says. ``event_extra``:
        kept in each registration entry's data beside the event (an import's id)."""
        # What find_duplicates matches on -> the person's id: the people already in the
        # database that rows of this batch may match, then the people the batch adds.
        people = self._known_people(session, [p.person for p, _s in items if p.person])
        organisations = KnownOrganisations(session)
        new_people: list[dict[str, Any]] = []
        links: list[tuple[str, str | None, str | None]] = []
        with session.no_autoflush:
            for p, _status in items:
                assert p.person is not None, "insert_cases takes new people only"
                links.append(
                    (
                        self._person_for_batch(session, p.person, people, new_people),
                        organisations.id_for(Employer, p.employer),
                        organisations.id_for(RecruitmentAgency, p.agency),
                    )
                )
        session.flush()  # the new organisations
        year = self.today.year
        first = next_counter(session, f"case:{self.ws.mission_code}:{year}", len(items))
        first -= len(items) - 1
        cases = [
            self._case_values(p, person_id, employer_id, agency_id, first + offset, status)
            for offset, ((p, status), (person_id, employer_id, agency_id)) in enumerate(
                zip(items, links, strict=True)
            )
        ]
        for values, ended in zip(cases, ended_on or [None] * len(cases), strict=True):
            if ended is not None:
                final = values["status"] == CaseStatus.CLOSED.value
                # Noon UTC: the day the register gives, the same day in any mission's zone.
                values["closed_at" if final else "resolved_at"] = datetime.combine(
                    ended, time(12), tzinfo=UTC
                )
        now = datetime.now(UTC)
        events = [
            {
                "id": new_id(),
                "case_id": case["id"],
                "kind": EventKind.SYSTEM.value,
                "author": self.ws.actor.username,
                "text": "",
                "status_from": None,
                "status_to": None,
                "occurred_at": now,
                "data": {**event_data(registered_event), **(event_extra or {})},
            }
            for case in cases
        ]
        stamped = [*new_people, *cases, *events]
        last_seq = next_counter(session, CHANGE_SEQ, len(stamped))
        mission = session.info.get("mission_code") or ""
        for change_seq, values in enumerate(stamped, start=last_seq - len(stamped) + 1):
            values.update(origin_mission=mission, version=1, updated_at=now, change_seq=change_seq)
        connection = session.connection()
        insert_rows(connection, Person, new_people)
        insert_rows(connection, Case, cases)
        for model, codes in ((CaseCategory, "categories"), (CaseIloIndicator, "indicators")):
            links_rows = [
                {"case_id": case["id"], "code": c.value}
                for case, (p, _s) in zip(cases, items, strict=True)
                for c in getattr(p, codes)
            ]
            insert_rows(connection, model, links_rows)
        insert_rows(connection, CaseEvent, events)
        # Core inserts pass the flush hook by: open views still hear of the new cases.
        new_ids = [case["id"] for case in cases]
        for table in ("case", "case_event"):
            note_changes(session, table, new_ids)
        audit_log.record_many(
            session,
            self.ws.actor.username,
            [
                ("case.create", "case", case["number"], self._created_details(p))
                for case, (p, _status) in zip(cases, items, strict=True)
            ],
        )
        return [(case["id"], case["number"]) for case in cases]

    @staticmethod
    def _known_people(
        session: Session, people: Sequence[PersonInput]
    ) -> dict[tuple[Any, ...], str]:
        """The keys of the people in the database whom any of ``people`` may duplicate, in
        two reads per chunk instead of one per person (see ``find_duplicates``): the people
        holding the batch's IINs and passport numbers, then those born on its birthdays.

        Read as plain rows on the session's connection, each read only the columns its keys
        need: at 300k cases a batch of 1,000 rows reads some 19,000 people born on its rows'
        birthdays (from the index alone: ``born_on``), whose names are compared in Python
        (``name_key``)."""
        iins = sorted({p.iin for p in people if p.iin})
        passports = sorted({p.passport_no for p in people if p.passport_no})
        births = sorted({p.birth_date for p in people if p.birth_date})
        known: dict[tuple[Any, ...], str] = {}
        connection = session.connection()
        for start in range(0, max(len(iins), len(passports)), KNOWN_CHUNK):
            numbered = or_(
                Person.iin.in_(iins[start : start + KNOWN_CHUNK]),
                Person.passport_no.in_(passports[start : start + KNOWN_CHUNK]),
            )
            for holder in connection.execute(
                select(Person.id, Person.iin, Person.passport_no)
                .where(numbered, Person.deleted_at.is_(None))
                .order_by(Person.updated_at)
            ):
                for key in _number_keys(holder.iin, holder.passport_no):
                    known.setdefault(key, holder.id)
        # Each name folded once: of the ~19,000 people a batch reads at 300k, most share their
        # names with others, and folding them one by one was a third of this read's time.
        folded: dict[tuple[str, str], tuple[str, str]] = {}
        for start in range(0, len(births), KNOWN_CHUNK):
            for person_id, surname, given, birth in connection.execute(
                born_on(births[start : start + KNOWN_CHUNK])
            ):
                name = folded.get((surname, given))
                if name is None:
                    name = folded[surname, given] = name_key(surname, given)
                known.setdefault(("name", *name, birth), person_id)  # as _name_birth_key
        return known

    def _person_for_batch(
        self,
        session: Session,
        person: PersonInput,
        added: dict[tuple[Any, ...], str],
        new_people: list[dict[str, Any]],
    ) -> str:
        keys = _person_keys(
            person.surname, person.given_names, person.iin, person.passport_no, person.birth_date
        )
        for key in keys:
            if key in added:
                return added[key]
        values = person_values(person)
        values["id"] = new_id()
        new_people.append(values)
        for key in keys:
            added[key] = values["id"]
        return str(values["id"])

    @staticmethod
    def _new_case(p: PreparedCase, values: dict[str, Any]) -> Case:
        """The case of ``_case_values``, with its codes."""
        del values["id"]  # the flush gives it
        return Case(
            **values,
            categories=[CaseCategory(code=c.value) for c in p.categories],
            ilo_indicators=[CaseIloIndicator(code=i.value) for i in p.indicators],
        )

    def _case_values(
        self,
        p: PreparedCase,
        person_id: str,
        employer_id: str | None,
        agency_id: str | None,
        seq: int,
        status: CaseStatus,
    ) -> dict[str, Any]:
        """The columns of a new case (without its sync columns and codes)."""
        data = p.source
        year = self.today.year
        return dict(
            id=new_id(),
            number=f"{self.ws.mission_code}-{year}-{seq:04d}",
            mission_code=self.ws.mission_code,
            year=year,
            seq=seq,
            person_id=person_id,
            employer_id=employer_id,
            agency_id=agency_id,
            host_country=p.host_country,
            status=status.value,
            urgency=p.urgency.value,
            life_or_liberty_at_risk=p.at_risk,
            channel=p.channel.value,
            description=p.description,
            claims=list(p.claims),
            received_at=data.received_at,
            due_date=data.due_date or default_due_date(data.received_at, p.urgency),
            assigned_to=data.assigned_to,
            created_by=self.ws.actor.username,
            holder_mission=self.ws.mission_code,
            escalated_at=None,
            resolved_at=None,
            closed_at=None,
            outcome={},
            wages_recovered_amount=None,
            wages_recovered_currency=None,
            documents_returned=False,
            repatriated=False,
            transferred_from=None,
            anonymised_at=None,
            deleted_at=None,
        )

    def _categories(self, values: Iterable[str]) -> list[Category]:
        parsed = sorted({code(Category, v, "categories") for v in values})
        if not parsed:
            # Lazy: said beside the categories until corrected, across a language switch too.
            raise ValidationError(lazy(N_("Choose at least one complaint category.")), "categories")
        return parsed

    def _indicators(self, values: Iterable[str]) -> list[IloIndicator]:
        return sorted({code(IloIndicator, v, "ilo_indicators") for v in values})

    def _organisation(
        self,
        session: Session,
        model: type[Employer] | type[RecruitmentAgency],
        org_id: str | None,
        data: OrganisationInput | None,
    ) -> str | None:
        if org_id:
            if session.get(model, org_id) is None:
                raise NotFound(_("No such organisation."))
            return org_id
        if data is None:
            return None
        org_id, filled = on_file_or_new(session, model, data)
        if filled:
            kind = "employer" if model is Employer else "agency"
            self.ws.audit(session, f"{kind}.update", kind, org_id, {"filled": filled})
        return org_id

    def _check_officer(self, session: Session, username: str | None) -> None:
        if username is None:
            return
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None or not user.active or user.role not in CASE_WORKERS:
            raise ValidationError(
                _("{user} is not an active officer of this mission.").format(user=username),
                "assigned_to",
            )

    # -- changing -------------------------------------------------------------------------------

    def update_case(
        self, case_id: str, changes: CaseChanges, expected_version: int | None = None
    ) -> CaseDetail:
        self.ws.require_role(*CASE_WORKERS)
        with self.ws.write() as session:
            row = self._load(session, case_id)
            check.record_version(session, row, expected_version)
            refuse_anonymised(row)
            changed: list[str] = []
            if changes.host_country is not None:
                row.host_country = check.country(changes.host_country, "host_country")
                changed.append("host_country")
            if changes.categories is not None:
                wanted = {c.value for c in self._categories(changes.categories)}
                row.categories = [c for c in row.categories if c.code in wanted] + [
                    CaseCategory(code=c) for c in sorted(wanted - {x.code for x in row.categories})
                ]
                changed.append("categories")
            if changes.ilo_indicators is not None:
                wanted = {i.value for i in self._indicators(changes.ilo_indicators)}
                row.ilo_indicators = [i for i in row.ilo_indicators if i.code in wanted] + [
                    CaseIloIndicator(code=i)
                    for i in sorted(wanted - {x.code for x in row.ilo_indicators})
                ]
                changed.append("ilo_indicators")
            if changes.urgency is not None:
                row.urgency = code(Urgency, changes.urgency, "urgency").value
                changed.append("urgency")
            if changes.life_or_liberty_at_risk is not None:
                row.life_or_liberty_at_risk = changes.life_or_liberty_at_risk
                changed.append("life_or_liberty_at_risk")
            if changes.channel is not None:
                row.channel = code(Channel, changes.channel, "channel").value
                changed.append("channel")
            if changes.description is not None:
                row.description = check.bounded_text(
                    changes.description, "description", _("Description")
                )
                changed.append("description")
            if changes.claims is not None:
                row.claims = claims_json(list(changes.claims))
                changed.append("claims")
            if changes.due_date is not None or changes.clear_due_date:
                check.due_after_receipt(changes.due_date, row.received_at)
                row.due_date = None if changes.clear_due_date else changes.due_date
                row.escalated_at = None  # a new deadline is the consul's 'acted on'
                changed.append("due_date")
            # A cleared organisation is none: _organisation gives None for no id.
            if changes.employer_id is not None or changes.clear_employer:
                employer = None if changes.clear_employer else changes.employer_id
                row.employer_id = self._organisation(session, Employer, employer, None)
                changed.append("employer")
            if changes.agency_id is not None or changes.clear_agency:
                agency = None if changes.clear_agency else changes.agency_id
                row.agency_id = self._organisation(session, RecruitmentAgency, agency, None)
                changed.append("agency")
            if changes.person is not None:
                person_input = clean_person(changes.person, self.today)
                person = session.get(Person, row.person_id)
                assert person is not None
                refuse_identifier_of_another(session, person, person_input)
                apply_person(person, person_input)
                changed.append("person")
            if self._apply_outcome(session, row, changes):
                changed.append("outcome")
            if not changed:
                return case_detail(session, row, self.ws.actor.role, self.today)
            self._touch(row)
            self.ws.audit(session, "case.update", "case", row.number, {"fields": changed})
            session.flush()
            rewritten = [row.id]
            if "person" in changed:  # the worker's names are in each of their cases' rows
                rewritten = list(
                    session.scalars(select(Case.id).where(Case.person_id == row.person_id))
                )
            search.index_cases(session, rewritten)
            return case_detail(session, row, self.ws.actor.role, self.today)

    def _apply_outcome(self, session: Session, row: Case, changes: CaseChanges) -> bool:
        """Write the outcome ``changes`` carry, checked; a timeline entry says what it is now.
        False when they carry none or leave it as it was."""
        before = _outcome_params(row)
        outcome = dict(row.outcome or {})
        received, today = row.received_at, self.today
        if changes.clear_wages_recovered:
            row.wages_recovered_amount = row.wages_recovered_currency = None
        elif changes.wages_recovered_amount is not None:
            if not changes.wages_recovered_currency:
                raise ValidationError(
                    _("Give the currency of the amount."), "wages_recovered_currency"
                )
            currency = check.currency(changes.wages_recovered_currency, "wages_recovered_currency")
            amount = Decimal(changes.wages_recovered_amount)
            check_minor_units(amount, currency, "wages_recovered_amount")
            check_recovery(amount, currency, row.claims or (), changes.confirm_large_recovery)
            row.wages_recovered_amount, row.wages_recovered_currency = amount, currency
        for flag, day, key, field in (
            (
                changes.documents_returned,
                changes.documents_returned_on,
                DOCUMENTS_RETURNED_ON,
                "documents_returned_on",
            ),
            (changes.repatriated, changes.repatriated_on, REPATRIATED_ON, "repatriated_on"),
        ):
            if flag is None:
                if day is not None:
                    raise ValidationError(_("A date needs its box ticked."), field)
                continue
            if day is not None and not flag:
                raise ValidationError(_("A date needs its box ticked."), field)
            check_outcome_date(day, received, today, field)
            outcome.pop(key, None)
            if day is not None:
                outcome[key] = day.isoformat()
        if changes.documents_returned is not None:
            row.documents_returned = changes.documents_returned
        if changes.repatriated is not None:
            row.repatriated = changes.repatriated
        row.outcome = outcome  # a new dict: SQLAlchemy sees a JSON column change on assignment
        after = _outcome_params(row)
        if after == before:
            return False
        self._event(
            session,
            row.id,
            EventKind.SYSTEM,
            "",
            data=event_data(SystemEvent.OUTCOME_RECORDED, **after),
        )
        return True

    def set_status(
        self, case_id: str, target: str, reason: str, expected_version: int | None = None
    ) -> CaseDetail:
        self.ws.require_role(*CASE_WORKERS)
        wanted = code(CaseStatus, target, "status")
        reason = check.bounded_text(reason, "reason", _("Reason"), 10_000)
        with self.ws.write() as session:
            row = self._load(session, case_id)
            check.record_version(session, row, expected_version)
            self.change_status(session, row, wanted, reason)
            return case_detail(session, row, self.ws.actor.role, self.today)

    def change_status(self, session: Session, row: Case, wanted: CaseStatus, reason: str) -> None:
        """Move ``row`` to ``wanted`` in the caller's write session, as the workflow allows:
        the status, its dates, the timeline entry and the audit entry. Another service's write
        that changes the status too (a referral) comes through here, never around it."""
        refuse_anonymised(row)
        current = CaseStatus(row.status)
        check_transition(current, wanted, Role(self.ws.actor.role), reason)
        now = datetime.now(UTC)
        row.status = wanted.value
        row.escalated_at = None
        if wanted == CaseStatus.RESOLVED:
            row.resolved_at = now
        elif wanted == CaseStatus.CLOSED:
            row.closed_at = now
        elif wanted == CaseStatus.IN_PROGRESS and current not in OPEN_STATUSES:
            row.closed_at = row.resolved_at = None  # reopened
        self._event(
            session,
            row.id,
            EventKind.STATUS_CHANGE,
            reason,
            status_from=current.value,
            status_to=wanted.value,
            occurred_at=now,  # the same instant as resolved_at / closed_at
        )
        self.ws.audit(
            session,
            "case.status",
            "case",
            row.number,
            {"from": current.value, "to": wanted.value, "reason": reason},
        )

    def undo_status_change(self, case_id: str, expected_version: int | None = None) -> CaseDetail:
        """Take back the case's last status change: its author only, within UNDO_WINDOW.

        Nothing is erased: the undo is a timeline entry and an audit entry of its own."""
        self.ws.require_role(*CASE_WORKERS)
        with self.ws.write() as session:
            row = self._load(session, case_id)
            check.record_version(session, row, expected_version)
            refuse_anonymised(row)
            last_row = session.execute(
                select(CaseEvent)
                .where(
                    CaseEvent.case_id == row.id,
                    CaseEvent.deleted_at.is_(None),
                    CaseEvent.kind.in_(_STATUS_KINDS),
                )
                .order_by(CaseEvent.occurred_at.desc(), CaseEvent.change_seq.desc())
                .limit(1)
            ).scalar_one_or_none()
            here = session.info.get("mission_code")
            last = _event_info(last_row, here=here) if last_row is not None else None
            check_status_undo(last, row.status, self.ws.actor.username, utc_now())
            assert last is not None and last.status_from is not None
            current, previous = CaseStatus(row.status), CaseStatus(last.status_from)
            row.status = previous.value
            row.escalated_at = None
            # The dates the case reached "resolved" and "closed" follow the restored status.
            row.resolved_at = self._reached_at(session, row.id, CaseStatus.RESOLVED, previous)
            row.closed_at = self._reached_at(session, row.id, CaseStatus.CLOSED, previous)
            self._event(
                session,
                row.id,
                EventKind.STATUS_UNDONE,
                "",
                status_from=current.value,
                status_to=previous.value,
            )
            self.ws.audit(
                session,
                "case.status_undo",
                "case",
                row.number,
                {"from": current.value, "to": previous.value, "event": last.id},
            )
            return case_detail(session, row, self.ws.actor.role, self.today)

    @staticmethod
    def _reached_at(
        session: Session, case_id: str, status: CaseStatus, restored: CaseStatus
    ) -> datetime | None:
        """When the case last moved to ``status``, if the restored status is at or past it."""
        past = {
            CaseStatus.RESOLVED: (CaseStatus.RESOLVED, CaseStatus.CLOSED),
            CaseStatus.CLOSED: (CaseStatus.CLOSED,),
        }[status]
        if restored not in past:
            return None
        # The column itself, not max(): an aggregate over it comes back untyped (text).
        moment: datetime | None = session.execute(
            select(CaseEvent.occurred_at)
            .where(
                CaseEvent.case_id == case_id,
                CaseEvent.deleted_at.is_(None),
                CaseEvent.kind == EventKind.STATUS_CHANGE.value,
                CaseEvent.status_to == status.value,
            )
            .order_by(CaseEvent.occurred_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        return moment

    def assign(
        self, case_id: str, username: str | None, due_date: date | None = None
    ) -> CaseDetail:
        """Give the case to an officer (a consul's or administrator's decision)."""
        self.ws.require_role(*SENIOR_ROLES)
        with self.ws.write() as session:
            row = self._load(session, case_id)
            refuse_anonymised(row)
            self._check_officer(session, username)
            previous = row.assigned_to
            row.assigned_to = username
            if due_date is not None:
                check.due_after_receipt(due_date, row.received_at)
                row.due_date = due_date
                row.escalated_at = None
            self._event(
                session,
                row.id,
                EventKind.ASSIGNMENT,
                "",
                data=event_data(SystemEvent.ASSIGNED, user=username)
                if username
                else event_data(SystemEvent.ASSIGNMENT_REMOVED),
            )
            self.ws.audit(
                session, "case.assign", "case", row.number, {"from": previous, "to": username}
            )
            return case_detail(session, row, self.ws.actor.role, self.today)

    def add_event(
        self, case_id: str, kind: str, text_: str, occurred_at: datetime | None = None
    ) -> EventInfo:
        self.ws.require_role(*CASE_WORKERS)
        event_kind = code(EventKind, kind, "kind")
        if event_kind not in TIMELINE_KINDS:
            raise ValidationError(_("This kind of entry is made by the system."), "kind")
        body = check.required_text(text_, "text", _("The text of the entry"), 100_000)
        if occurred_at is not None and occurred_at > datetime.now(UTC):
            raise ValidationError(_("The entry's time cannot be in the future."), "occurred_at")
        with self.ws.write() as session:
            row = self._load(session, case_id)
            refuse_anonymised(row)
            event = self._event(session, row.id, event_kind, body, occurred_at=occurred_at)
            self._touch(row)
            self.ws.audit(session, "case.event", "case", row.number, {"kind": event_kind.value})
            session.flush()
            search.index_cases(session, [row.id])
            return _event_info(event)

    def escalate_overdue(self, stop: Callable[[], bool] | None = None) -> int:
        """Flag the open cases held here that are past their due date for the head of
        section, each with a timeline entry; returns how many were flagged. A flag stays until
        acted on: a new due date, a change of status, a letter sent (they clear it). A case is
        flagged once per due date: acted on, it comes back only when a new due date passes.

        In write transactions of ``ESCALATION_BATCH`` cases, each audited: the first run at a
        mission flags every case overdue so far (11,876 of the 300k demo mission: 6 s, which
        in one transaction another user's save would wait out). ``stop`` ends it between two
        transactions; the next run flags the rest."""
        with self.ws.read() as session:
            ids = list(
                session.scalars(
                    select(Case.id).where(*self._escalation_due()).order_by(Case.due_date)
                )
            )
        flagged = 0
        for start in range(0, len(ids), ESCALATION_BATCH):
            if stop is not None and stop():
                break
            flagged += self._escalate(ids[start : start + ESCALATION_BATCH])
        return flagged

    def _escalation_due(self) -> tuple[Any, ...]:
        # Once per deadline: a case acted on (its status changed, a letter sent) but still
        # past the same due date would be back on the consul's list at the next run. An
        # escalation after the deadline passed was for this due date; one before it, for an
        # earlier one.
        escalated_for_this_date = (
            select(CaseEvent.id)
            .where(
                CaseEvent.case_id == Case.id,
                CaseEvent.kind == EventKind.ESCALATION.value,
                CaseEvent.occurred_at >= Case.due_date,
            )
            .exists()
        )
        return (
            Case.status.in_(_OPEN),
            Case.due_date < self.today,
            Case.escalated_at.is_(None),
            Case.deleted_at.is_(None),
            Case.holder_mission == self.ws.mission_code,  # may change here
            ~escalated_for_this_date,
        )

    def _escalate(self, ids: Sequence[str]) -> int:
        with self.ws.write() as session:
            # Asked again under the write lock: a case acted on meanwhile is not flagged.
            rows = session.scalars(
                select(Case).where(Case.id.in_(ids), *self._escalation_due())
            ).all()
            now = datetime.now(UTC)
            for row in rows:
                row.escalated_at = now
                self._event(
                    session,
                    row.id,
                    EventKind.ESCALATION,
                    "",
                    data=event_data(
                        SystemEvent.ESCALATED,
                        date=row.due_date.isoformat() if row.due_date else "",
                    ),
                )
            if rows:
                self.ws.audit(
                    session,
                    "case.escalate",
                    "case",
                    "",
                    {"count": len(rows), "numbers": [r.number for r in rows[:100]]},
                )
            return len(rows)

    # -- attachments ----------------------------------------------------------------------------

    def add_attachment(
        self,
        case_id: str,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        description: str = "",
        is_identity_document: bool = False,
        identity_document_acknowledged: bool = False,
        identity_reason: str = "",
    ) -> AttachmentInfo:
        """Store a file on the case; a scan of an identity document needs the officer's
        acknowledgement of the warning and the reason it is indispensable (kept and audited)."""
        self.ws.require_role(*CASE_WORKERS)
        name = checked_file(filename, content)
        if is_identity_document and not identity_document_acknowledged:
            raise ValidationError(identity_document_warning(), "is_identity_document")
        reason = check.bounded_text(identity_reason, "identity_reason", _("Reason"), 2000)
        if is_identity_document and not reason:
            raise ValidationError(
                _("Say why a copy of this identity document is indispensable for the case."),
                "identity_reason",
            )
        description = check.bounded_text(description, "description", _("Description"), 2000)
        with self.ws.write() as session:
            row = self._load(session, case_id)
            attachment = self.store_attachment(
                session,
                row,
                name,
                content,
                mime_type,
                description,
                is_identity_document,
                reason if is_identity_document else "",
            )
            return _attachment_info(attachment)

    def store_attachment(
        self,
        session: Session,
        row: Case,
        name: str,
        content: bytes,
        mime_type: str | None = None,
        description: str = "",
        is_identity_document: bool = False,
        identity_reason: str = "",
    ) -> Attachment:
        """Store a checked file on the case in the caller's transaction, with its timeline
        entry and audit entry (a reply to a letter stores its scan with the reply)."""
        refuse_anonymised(row)
        mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        digest = hashlib.sha256(content).hexdigest()
        _refuse_second_copy(session, row.id, name, digest)
        attachment = Attachment(
            case_id=row.id,
            filename=name,
            mime_type=mime,
            size=len(content),
            sha256=digest,
            content=content,
            is_identity_document=is_identity_document,
            identity_reason=identity_reason,
            description=description,
            added_by=self.ws.actor.username,
        )
        session.add(attachment)
        session.flush()
        self._event(
            session,
            row.id,
            EventKind.ATTACHMENT_ADDED,
            name,
            data={"attachment_id": attachment.id},  # the timeline opens it from the entry
        )
        self._touch(row)
        self.ws.audit(
            session,
            "attachment.add",
            "case",
            row.number,
            {
                "attachment": attachment.id,
                "sha256": digest,
                "size": len(content),
                "identity_document": is_identity_document,
                "identity_reason": identity_reason,
            },
        )
        return attachment

    def attachment_content(
        self, attachment_id: str, saved_copy: bool = False
    ) -> tuple[AttachmentInfo, bytes]:
        """The file, read for the viewer or, with ``saved_copy``, for a copy the user keeps
        outside the encrypted database; audited as which."""
        action = "attachment.copy" if saved_copy else "attachment.open"
        with self.ws.write() as session:
            row = session.get(Attachment, attachment_id)
            if row is None or row.deleted_at is not None or row.content is None:
                raise NotFound(_("No such attachment."))
            self.ws.audit(session, action, "attachment", attachment_id)
            return _attachment_info(row), bytes(row.content)

    def remove_attachment(self, attachment_id: str, reason: str) -> None:
        self.ws.require_role(*CASE_WORKERS)
        reason = check.required_text(reason, "reason", _("Reason"), 2000)
        with self.ws.write() as session:
            row = live_row(session, Attachment, attachment_id, _("No such attachment."))
            case_row = self._load(session, row.case_id)
            refuse_anonymised(case_row)  # the reason typed would be a new text on it
            row.deleted_at = datetime.now(UTC)
            row.content = None  # secure_delete overwrites the freed pages
            self._event(
                session, row.case_id, EventKind.ATTACHMENT_REMOVED, f"{row.filename}: {reason}"
            )
            self._touch(case_row)
            self.ws.audit(
                session,
                "attachment.remove",
                "case",
                case_row.number,
                {"attachment": attachment_id, "reason": reason},
            )

    # -- helpers --------------------------------------------------------------------------------

    def _event(
        self,
        session: Session,
        case_id: str,
        kind: EventKind,
        body: str,
        status_from: str | None = None,
        status_to: str | None = None,
        occurred_at: datetime | None = None,
        data: dict[str, Any] | None = None,
    ) -> CaseEvent:
        return add_case_event(
            session,
            case_id,
            kind,
            self.ws.actor.username,
            body,
            data=data,
            status_from=status_from,
            status_to=status_to,
            occurred_at=occurred_at,
        )

    @staticmethod
    def _touch(row: Case) -> None:
        # Link-table and child changes do not dirty the case row itself, yet bundles travel by
        # the case's version: a new updated_at dirties the row, and the before_flush hook in
        # app.db.sync then bumps its version and change_seq.
        row.updated_at = datetime.now(UTC)
