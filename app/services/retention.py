"""Retention: a closed case's personal data is anonymised some years after closing.

The policy is a domain setting (``retention_years``, default 5). What goes: the person's names
in both scripts, IIN, passport, birth date, contacts, addresses, next of kin, consent note; the
case's description and every timeline text (a reply's sender too); attachments (content, name,
hash, reason for an identity document); the issued letters' PDFs, subjects, addressees, facts,
requests and free text; referral and citation notes; the workplace of contract reviews; the
returnees' register records started from the case (certificates, languages, note, consent
reference; a record without a case goes the same number of years after the return); sync
conflicts holding copies of those rows; and the case's search row.
What stays for statistics: the case number, categories, ILO indicators, host country, status,
urgency, dates, outcome figures, the employer and agency (organisations, not people), the
person's sex and citizenship, and the letter register's numbers, dates and hashes.

Each case is anonymised in its own transaction with its audit entry, so an interrupted run
leaves whole cases done or untouched and simply runs again. ``secure_delete`` (on for every
connection) zeroes freed space; the FTS5 index is merged into one segment (in bounded steps,
``purge_freed_data``) so that deleted terms leave it, and the WAL is checkpointed and truncated
so no old page image stays in ``qorgau.db-wal``. A person is anonymised once none of their
cases still needs them. The case itself leaves its worker at once, with its register records and
contract reviews: it is given a person of its own, who keeps only the sex, citizenship and
consent date, so that nothing leads from it to a worker another case keeps on file (migration
0032 did the same for the cases anonymised before).

What people typed into the audit entries about the case and its records (a status change's
reason, an attachment's removal reason, a corrected reply's earlier sender and summary) is
redacted in place (``AUDIT_TEXT_KEYS``, ``app.security.audit.redact``): the chain stays
verifiable, the case's anonymising entry recording each redaction.

Qorgau has no trusted time, and an anonymisation cannot be undone: a clock set a year ahead
would anonymise every case due within that year. A run (not a dry run) first compares today
with the last date a run trusted (``check_date``) and, far past it, anonymises nothing until an
administrator confirms the date; the refusal is audited.

Not reachable from here: backups made before the run (the rotation keeps none more than five
weeks before the newest, ``backup.MAX_AGE``), bundles and exports already written.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import sleep
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db.listed import one_of
from app.db.models import (
    Attachment,
    AuditEntry,
    Case,
    CaseCitation,
    CaseEvent,
    ContractReview,
    Counter,
    Letter,
    PartnerReferral,
    Person,
    Returnee,
    Setting,
    SyncConflict,
)
from app.db.raw import BETWEEN_WRITES_S
from app.db.sync import ANY_HOLDER, AT_HQ, HELD_HERE
from app.domain.codes import CaseStatus
from app.domain.persons import (
    CONTACT_FIELDS,
    IDENTITY_FIELDS,
    NAME_FIELDS,
    OWN_PERSON_KEPT,
    own_person_id,
)
from app.domain.roles import CASE_WORKERS, HQ_RECORD_WRITERS, POLICY_SETTERS, SENIOR_ROLES
from app.errors import QorgauError
from app.i18n import N_, _, format_date, format_number, ngettext
from app.security import audit
from app.services import search
from app.services.settings import RETENTION_TRUSTED_ON, WholeNumberSetting
from app.services.workspace import Workspace

SETTING = "retention_years"
DEFAULT_YEARS = 5
MIN_YEARS = 1
MAX_YEARS = 100
FINAL_STATUSES = (CaseStatus.CLOSED.value, CaseStatus.REJECTED.value)
MANAGERS = SENIOR_ROLES
RECORD_KEEPERS = CASE_WORKERS | HQ_RECORD_WRITERS  # all but an HQ analyst
# Kept in a letter-sent timeline entry: the register's facts, not its subject.
# What an entry's data keeps: no personal data, and what finds the entry again (the letter,
# the file, the spreadsheet import that registered the case: undoing it finds its cases), and
# what the app recorded ("event" and its "params": missions, an officer, a letter's number and
# kind, a partner organisation, a provision), without which each of its entries read "System".
# What a person typed is in the entry's text, which goes.
_EVENT_DATA_KEPT = ("letter_id", "number", "sha256", "import", "event", "params")
# A sentence's parameters that are what a person typed: a reply's sender (often a relative, a
# lawyer, someone at the employer by name). A dash stands in, so the sentence still reads.
_PARAMS_TYPED = ("sender",)
_PARAM_GONE = "—"
# What a person typed into an audit entry's details about a case or its records: a status
# change's or a removal's reason, why an identity document's scan was kept, a corrected
# reply's earlier values (sender, summary).
AUDIT_TEXT_KEYS = ("reason", "identity_reason", "before")

ProgressFn = Callable[[int, int], None]
StopFn = Callable[[], bool]  # asked between two transactions: the app is closing
# Set in each anonymising transaction, cleared with the last step of ``purge_freed_data``: the
# old terms and page images of what was anonymised may still be in the index and the WAL, and
# a run cut short (the app closed midway) is finished by the next, even with nothing to do.
PURGE_PENDING = "retention_purge_pending"
_CHUNK = 5_000  # case ids asked for at once (SQLite takes at most 32,766 parameters)
# The last date a retention run trusted (ISO): the date guard's reference. Not the newest audit
# entry: the sign-in and the refusal of a session under a clock set ahead are stamped with that
# clock, so the next session would take the wrong date for the database's own.
TRUSTED_ON = RETENTION_TRUSTED_ON
SERVER_REFUSED = "42501"  # PostgreSQL: insufficient privilege
# How far today may run past it before retention asks. A run follows every sign-in of someone
# who may change records, so at a mission in use the reference is days old: 45 days let a
# month's leave with the weekends around it pass unasked, and still catch a year typed wrong
# or the day and month swapped. A clock less far ahead anonymises at most that much early on a
# period of years; a refusal costs an administrator's confirmation.
DATE_JUMP_LIMIT = timedelta(days=45)
DATE_CONFIRMERS = POLICY_SETTERS


@dataclass(frozen=True)
class RetentionCandidate:
    case_id: str
    number: str
    status: str
    closed_on: date
    due_on: date
    # A mission's copy of a case HQ transferred away: the mission that handles it now. Its
    # period runs from the copy's last change (the transfer), whatever its status.
    held_by: str = ""


@dataclass
class RetentionReport:
    years: int
    today: date
    dry_run: bool
    candidates: list[RetentionCandidate] = field(default_factory=list)
    anonymised_cases: list[str] = field(default_factory=list)
    anonymised_persons: int = 0
    # Returnees' register records not started from a case (a returnee who contacted HQ): their
    # period runs from the return (or, without its date, from the consent).
    returnee_candidates: list[str] = field(default_factory=list)
    anonymised_returnees: int = 0
    wal_checkpointed: bool = False


class DateInDoubt(QorgauError):
    """Today is far past the last date retention trusted: a clock set ahead, or a long pause."""

    def __init__(self, today: date, trusted_on: date) -> None:
        super().__init__(lambda: date_in_doubt_message(today, trusted_on))
        self.today = today
        self.trusted_on = trusted_on


def date_in_doubt_message(today: date, trusted_on: date) -> str:
    return _(
        "Retention anonymised nothing. {gap} If the computer's date is wrong, correct it; if "
        "it is right, an administrator confirms it."
    ).format(gap=date_gap(today, trusted_on))


def date_gap(today: date, trusted_on: date) -> str:
    """The two dates compared, in a sentence."""
    days = (today - trusted_on).days
    return ngettext(
        "The date on this computer is {today}, {n} day after the last date Qorgau trusted, "
        "{trusted}.",
        "The date on this computer is {today}, {n} days after the last date Qorgau trusted, "
        "{trusted}.",
        days,
    ).format(today=format_date(today), n=format_number(days), trusted=format_date(trusted_on))


# -- the policy ----------------------------------------------------------------------------------


RETENTION_SETTING = WholeNumberSetting(
    SETTING, MIN_YEARS, MAX_YEARS, DEFAULT_YEARS, "retention.policy"
)


def retention_years(workspace: Workspace) -> int:
    return RETENTION_SETTING.read(workspace)


def set_retention_years(workspace: Workspace, years: int) -> None:
    RETENTION_SETTING.store(workspace, years, _("The retention period is {low} to {high} years."))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


# -- which cases ---------------------------------------------------------------------------------


def _closed_moment() -> ColumnElement[datetime]:
    """When a case reached its final status: ``closed_at``, else its last change to that
    status; without a recorded change, the last time it was touched (the safe guess). The
    subquery runs only for the cases that need it (CASE is evaluated lazily)."""
    changed = (
        select(func.max(CaseEvent.occurred_at))
        .where(CaseEvent.case_id == Case.id, CaseEvent.status_to == Case.status)
        .scalar_subquery()
    )
    closed = and_(Case.status == CaseStatus.CLOSED.value, Case.closed_at.is_not(None))
    return sql_case((closed, Case.closed_at), else_=func.coalesce(changed, Case.updated_at))


def find_candidates(
    session: Session, years: int, today: date, here: str | None = None
) -> list[RetentionCandidate]:
    """The final cases whose retention period is over, in one statement: it loaded every
    final case and read each one's events on its own (2-3 s at 100k cases, at every start).
    At mission ``here``, its copies of cases HQ moved away count apart (``_copies_held_elsewhere``).
    """
    moment = _closed_moment().label("closed")
    # A day's slack either side of the cut (time zones, 29 February); exact below.
    cut = datetime.combine(add_years(today, -years) + timedelta(days=2), time(), UTC)
    rows = session.execute(
        select(Case.id, Case.number, Case.status, moment)
        .where(
            Case.status.in_(FINAL_STATUSES),
            Case.anonymised_at.is_(None),
            Case.deleted_at.is_(None),
            moment < cut,
            *([Case.holder_mission == here] if here is not None else []),
        )
        .order_by(Case.number)
    )
    out = []
    for case_id, number, status, closed in rows:
        closed_on = _as_utc(closed).date()
        due = add_years(closed_on, years)
        if due <= today:
            out.append(RetentionCandidate(case_id, number, status, closed_on, due))
    if here is not None:
        out += _copies_held_elsewhere(session, years, today, here)
        out.sort(key=lambda c: c.number)
    return out


def _copies_held_elsewhere(
    session: Session, years: int, today: date, here: str
) -> list[RetentionCandidate]:
    """A copy of a case another mission handles stays at the status it had when HQ moved the
    case, open as a rule, so the final statuses never reach it: without this it kept the
    worker's data here for good. It changes no more after the transfer, so its period runs
    from its last change or timeline entry (the transfer's), whichever is later. Few rows."""
    last_entry = (
        select(func.max(CaseEvent.occurred_at))
        .where(CaseEvent.case_id == Case.id)
        .scalar_subquery()
        .label("last_entry")
    )
    rows = session.execute(
        select(Case.id, Case.number, Case.status, Case.holder_mission, Case.updated_at, last_entry)
        .where(
            Case.holder_mission != here,
            Case.anonymised_at.is_(None),
            Case.deleted_at.is_(None),
        )
        .order_by(Case.number)
    )
    out = []
    for case_id, number, status, holder, updated, entry in rows:
        ended = max(_as_utc(updated), _as_utc(entry) if entry is not None else _as_utc(updated))
        due = add_years(ended.date(), years)
        if due <= today:
            out.append(RetentionCandidate(case_id, number, status, ended.date(), due, holder))
    return out


def _as_utc(moment: datetime | str) -> datetime:
    # A CASE over a subquery may come back as SQLite's text.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- anonymising ---------------------------------------------------------------------------------


def _blanked(now: datetime) -> dict[str, Any]:
    """What an anonymised person holds in place of their data."""
    empty = dict.fromkeys((*NAME_FIELDS, "phone_abroad", *CONTACT_FIELDS, "consent_note"), "")
    return {**empty, **dict.fromkeys(IDENTITY_FIELDS), "anonymised_at": now}


def _blank_person(person: Person, now: datetime) -> None:
    for name, value in _blanked(now).items():
        setattr(person, name, value)


def _blank_copy_person(session: Session, person: Person, now: datetime) -> None:
    """The worker of a copy HQ transferred away, anonymised here alone: not a change of this
    mission's to send (HQ keeps her for the case's holder, who sends her own changes), so not
    stamped with a change number as a flush would. The copy referred to her until now, which
    is how its bundles left her out."""
    session.execute(update(Person).where(Person.id == person.id).values(**_blanked(now)))
    session.expire(person)


def _copy_held_elsewhere(session: Session, case: Case) -> bool:
    """A mission's copy of a case HQ transferred to another mission."""
    here = session.info.get(HELD_HERE)
    return bool(here) and not session.info.get(AT_HQ) and case.holder_mission != here


def _own_person(
    session: Session, record_id: str, origin: str, at: datetime | None, worker: Person | None
) -> Person:
    """A person of an anonymised case's (or caseless register record's) own, in place of its
    worker: a link kept past the period would lead from the record back to a worker another
    case or record keeps on file (their name, and the case's place among the surnames in a
    list sorted by person). Made alike wherever the record is anonymised (``own_person_id``),
    from the mission that holds it, which alone sends what hangs off it."""
    own = session.get(Person, own_person_id(record_id))
    if own is not None:
        return own
    own = Person(
        id=own_person_id(record_id),
        origin_mission=origin,
        surname="",
        given_names="",
        anonymised_at=at,
        **{name: getattr(worker, name) for name in OWN_PERSON_KEPT if worker is not None},
    )
    session.add(own)
    session.flush()  # before the record refers to it: no relationship orders the two
    return own


def _leave_worker(session: Session, row: Case) -> str:
    """The anonymised case, its register records and contract reviews refer to a person of
    the case's own instead of its worker; that person's id."""
    origin = row.holder_mission or row.origin_mission
    own = _own_person(
        session, row.id, origin, row.anonymised_at, session.get(Person, row.person_id)
    )
    row.person_id = own.id
    for record in session.execute(select(Returnee).where(Returnee.case_id == row.id)).scalars():
        record.person_id = own.id
    for review in session.execute(
        select(ContractReview).where(
            ContractReview.case_id == row.id, ContractReview.person_id.is_not(None)
        )
    ).scalars():
        review.person_id = own.id
    return own.id


def _leave_register_worker(session: Session, record: Returnee, worker: Person | None) -> str:
    """An anonymised register record without a case refers to a person of its own instead of
    its worker, as an anonymised case does; that person's id."""
    own = _own_person(session, record.id, record.origin_mission, record.anonymised_at, worker)
    record.person_id = own.id
    return own.id


def _register_records_sent_linked(
    session: Session, first: int, ranges: Collection[tuple[int, int]]
) -> list[Returnee]:
    """Anonymised register records without a case an import wrote (from change ``first`` on,
    or in the batches' ranges) that still refer to their worker."""
    written = [Returnee.change_seq >= first] + [
        Returnee.change_seq.between(low, high) for low, high in ranges
    ]
    query = select(Returnee).where(
        Returnee.case_id.is_(None), Returnee.anonymised_at.is_not(None), or_(*written)
    )
    return [
        row
        for row in session.execute(query).scalars().all()
        if row.person_id != own_person_id(row.id)
    ]


def leave_workers_sent_linked(
    session: Session,
    first: int,
    batched: Collection[str],
    ranges: Collection[tuple[int, int]] = (),
) -> None:
    """Anonymised cases (and caseless register records) an import wrote (from change ``first``
    on, or in batches: their cases and change ranges) that still refer to their worker, as a
    mission on an earlier version sends them: each is given its own person, as retention gives
    it, in the version the mission sent."""
    records = _register_records_sent_linked(session, first, ranges)
    ids = sorted(batched)
    written = [Case.change_seq >= first] + [
        one_of(Case.id, ids[start : start + _CHUNK]) for start in range(0, len(ids), _CHUNK)
    ]
    linked = [
        row
        for where in written
        for row in session.execute(select(Case).where(Case.anonymised_at.is_not(None), where))
        .scalars()
        .all()
        if row.person_id != own_person_id(row.id)
    ]
    if not linked and not records:
        return
    # At HQ every case is a mission's, kept in the version it sent: this is the import's work.
    switches = {ANY_HOLDER: True, "importing": True}
    held = {key: session.info.get(key) for key in switches}
    session.info.update(switches)
    try:
        for row in linked:
            _leave_worker(session, row)
        for record in records:
            _leave_register_worker(session, record, session.get(Person, record.person_id))
        session.flush()
    finally:
        session.info.update(held)


def _person_still_needed(session: Session, person_id: str, done_case: str) -> bool:
    """True while another case of this person, or a returnees' register record not started
    from one of their cases, is not anonymised yet."""
    other = session.execute(
        select(func.count())
        .select_from(Case)
        .where(
            Case.person_id == person_id,
            Case.id != done_case,
            Case.anonymised_at.is_(None),
            Case.deleted_at.is_(None),
        )
    ).scalar_one()
    register = session.execute(
        select(func.count())
        .select_from(Returnee)
        .where(
            Returnee.person_id == person_id,
            Returnee.case_id.is_(None),
            Returnee.id != done_case,
            Returnee.anonymised_at.is_(None),
            Returnee.deleted_at.is_(None),
        )
    ).scalar_one()
    return bool(other or register)


def _blank_returnee(record: Returnee, now: datetime) -> None:
    """What stays is what statistics count: occupation, country of work, region, dates."""
    record.certificates = []
    record.languages = []
    record.note = ""
    record.skills_text = ""
    record.consent_reference = ""
    record.anonymised_at = now


def _kept_event_data(data: dict[str, Any] | None) -> dict[str, Any]:
    kept = {k: v for k, v in (data or {}).items() if k in _EVENT_DATA_KEPT}
    params = kept.get("params")
    if isinstance(params, dict):
        kept["params"] = {k: _PARAM_GONE if k in _PARAMS_TYPED else v for k, v in params.items()}
    return kept


def anonymise_case(session: Session, case_id: str, now: datetime) -> tuple[list[str], bool]:
    """Strip one case's personal data in the caller's transaction.

    Returns the ids of the rows changed (for the conflict clean-up) and whether the person
    was anonymised too.
    """
    row = session.get(Case, case_id)
    assert row is not None
    _purge_later(session)
    session.info[ANY_HOLDER] = True  # a copy held elsewhere is personal data kept here too
    touched = [row.id]
    row.description = ""
    row.anonymised_at = now
    for event in session.execute(select(CaseEvent).where(CaseEvent.case_id == row.id)).scalars():
        event.text = ""
        event.data = _kept_event_data(event.data)
        touched.append(event.id)
    for attachment in session.execute(
        select(Attachment).where(Attachment.case_id == row.id)
    ).scalars():
        attachment.content = None
        attachment.filename = ""
        attachment.description = ""
        attachment.identity_reason = ""  # why a scan of their passport was kept: their story
        attachment.sha256 = ""
        attachment.deleted_at = attachment.deleted_at or now
        touched.append(attachment.id)
    for letter in session.execute(select(Letter).where(Letter.case_id == row.id)).scalars():
        letter.pdf = None
        letter.subject = ""
        letter.free_text = ""
        # The facts and requests paragraphs tell the worker's story by name, as the PDF did.
        letter.facts = ""
        letter.requests = ""
        letter.addressee = {}
        letter.attachments_note = []
        touched.append(letter.id)
    for referral in session.execute(
        select(PartnerReferral).where(PartnerReferral.case_id == row.id)
    ).scalars():
        referral.reason = ""
        referral.outcome = ""
        touched.append(referral.id)
    for citation in session.execute(
        select(CaseCitation).where(CaseCitation.case_id == row.id)
    ).scalars():
        citation.note = ""
        touched.append(citation.id)
    for record in session.execute(select(Returnee).where(Returnee.case_id == row.id)).scalars():
        _blank_returnee(record, now)
        touched.append(record.id)
    worker_id = row.person_id
    touched.append(_leave_worker(session, row))
    person_done = False
    person = session.get(Person, worker_id)
    if person is not None and person.anonymised_at is None:
        if not _person_still_needed(session, person.id, row.id):
            if _copy_held_elsewhere(session, row):
                _blank_copy_person(session, person, now)
            else:
                _blank_person(person, now)
            touched.append(person.id)
            person_done = True
    reviews = select(ContractReview).where(ContractReview.case_id == row.id)
    if person_done:
        reviews = select(ContractReview).where(
            (ContractReview.case_id == row.id) | (ContractReview.person_id == worker_id)
        )
    for review in session.execute(reviews).scalars():
        review.terms = {k: v for k, v in (review.terms or {}).items() if k != "workplace"}
        touched.append(review.id)
    session.execute(delete(SyncConflict).where(SyncConflict.record_id.in_(touched)))
    session.flush()
    # Remove the old search row (its terms leave the index) and write the anonymised one.
    search.remove_cases(session, [row.id])
    search.index_cases(session, [row.id])
    return touched, person_done


def find_returnee_candidates(session: Session, years: int, today: date) -> list[str]:
    """Register records without a case whose period is over (a case's records go with it)."""
    rows = session.execute(
        select(Returnee.id, Returnee.returned_on, Returnee.consent_date)
        .where(
            Returnee.case_id.is_(None),
            Returnee.anonymised_at.is_(None),
            Returnee.deleted_at.is_(None),
        )
        .order_by(Returnee.id)
    ).all()
    return [
        record_id
        for record_id, returned, consented in rows
        if add_years(returned or consented, years) <= today
    ]


def anonymise_returnee(session: Session, record_id: str, now: datetime) -> bool:
    """Strip one caseless register record (and its person, once nothing else needs them) in
    the caller's transaction; returns whether the person was anonymised too."""
    record = session.get(Returnee, record_id)
    assert record is not None
    _purge_later(session)
    _blank_returnee(record, now)
    touched = [record.id]
    person = session.get(Person, record.person_id)
    touched.append(_leave_register_worker(session, record, person))
    person_done = False
    if person is not None and person.anonymised_at is None:
        if not _person_still_needed(session, person.id, record.id):
            _blank_person(person, now)
            touched.append(person.id)
            person_done = True
    session.execute(delete(SyncConflict).where(SyncConflict.record_id.in_(touched)))
    session.flush()
    return person_done


def _run_returnees(
    workspace: Workspace, report: RetentionReport, years: int, trigger: str, stop: StopFn
) -> None:
    for record_id in report.returnee_candidates:
        if stop():
            break
        with workspace.write() as session:
            row = session.get(Returnee, record_id)
            if row is None or row.anonymised_at is not None:
                continue
            person_done = anonymise_returnee(session, record_id, datetime.now(UTC))
            workspace.audit(
                session,
                "retention.anonymise",
                "returnee",
                record_id,
                {"years": years, "person": person_done, "trigger": trigger},
            )
        report.anonymised_returnees += 1
        report.anonymised_persons += int(person_done)


def _purge_later(session: Session) -> None:
    session.merge(Counter(name=PURGE_PENDING, value=1))


def _purge_pending(workspace: Workspace) -> bool:
    with workspace.read() as session:
        return session.get(Counter, PURGE_PENDING) is not None


def purge_freed_data(workspace: Workspace, stop: StopFn | None = None) -> bool:
    """Merge the search index's segments until none is left to merge, so that the terms of
    anonymised rows leave it, then truncate the WAL; True when the checkpoint was complete.

    A bounded step per write transaction, others' saves between them: at 300,000 cases the
    index merged in one transaction ('optimize') held the lock 9 s. The pending mark goes with
    the step that finds nothing left; stopped before (``stop``), the next run goes on."""
    while True:
        with workspace.write() as session:
            merged = search.merge_index_step(session)
            if not merged:
                session.execute(delete(Counter).where(Counter.name == PURGE_PENDING))
        if not merged:
            return workspace.db.release_freed_pages()
        if stop is not None and stop():
            return False
        sleep(BETWEEN_WRITES_S)


# -- the date guard ------------------------------------------------------------------------------


def _stored_trusted_on(session: Session) -> date | None:
    row = session.get(Setting, TRUSTED_ON)
    return date.fromisoformat(row.value) if row is not None and row.value else None


def _recorded_before_sign_in(session: Session, username: str) -> date | None:
    """Where no run has trusted a date yet (the first since this guard came): the newest entry
    of the audit log before this user's sign-in, which the sign-in's own clock stamped."""
    sign_in = (
        select(func.max(AuditEntry.seq))
        .where(AuditEntry.action == "user.login", AuditEntry.entity_id == username)
        .scalar_subquery()
    )
    before = select(AuditEntry.at).order_by(AuditEntry.seq.desc()).limit(1)
    moment = session.execute(
        before.where(AuditEntry.seq < func.coalesce(sign_in, AuditEntry.seq + 1))
    ).scalar_one_or_none()
    return _as_utc(moment).date() if moment is not None else None


def trusted_on(workspace: Workspace) -> date | None:
    """The date retention compares today with; None in a database that recorded nothing."""
    with workspace.read() as session:
        stored = _stored_trusted_on(session)
        return stored or _recorded_before_sign_in(session, workspace.actor.username)


def _trust(workspace: Workspace, day: date) -> None:
    """``day`` becomes the date trusted: once a day, not a write at every sign-in."""
    with workspace.read() as session:
        if _stored_trusted_on(session) == day:
            return
    try:
        with workspace.write() as session:
            session.merge(Setting(key=TRUSTED_ON, value=day.isoformat()))
    except DBAPIError as exc:
        # An HQ server whose grants predate the guard refuses the import operator this row
        # (``hq grants`` gives it): the run goes on against the date already trusted.
        if getattr(exc.orig, "sqlstate", "") != SERVER_REFUSED:
            raise


def check_date(workspace: Workspace, today: date, trigger: str, date_is_right: bool) -> None:
    """Raise ``DateInDoubt`` (audited) when today is more than ``DATE_JUMP_LIMIT`` past the
    last date trusted, unless an administrator says the date is right (``date_is_right``,
    audited too); a later date found right becomes the one trusted."""
    reference = trusted_on(workspace)
    if reference is None or today - reference <= DATE_JUMP_LIMIT:
        # Never back: a clock run behind (a dead CMOS battery) and then set right would else
        # find the right date doubted.
        _trust(workspace, today if reference is None else max(today, reference))
        return
    if date_is_right:
        workspace.require_role(
            *DATE_CONFIRMERS,
            refusal=N_(
                "Your role ({role}) may not confirm the computer's date: an administrator "
                "confirms it."
            ),
        )
    # Refused, the reference is kept as it was: this session's own entries bear the doubted
    # date, and the next run must not take them for the database's own.
    with workspace.write() as session:
        kept = today if date_is_right else reference
        session.merge(Setting(key=TRUSTED_ON, value=kept.isoformat()))
        workspace.audit(
            session,
            "retention.date_confirmed" if date_is_right else "retention.date_doubted",
            "installation",
            workspace.mission_code,
            {
                "computer_date": today.isoformat(),
                "trusted_date": reference.isoformat(),
                "trigger": trigger,
            },
        )
    if not date_is_right:
        raise DateInDoubt(today, reference)


def run_retention(
    workspace: Workspace,
    today: date | None = None,
    dry_run: bool = False,
    trigger: str = "manual",
    progress: ProgressFn | None = None,
    stop: StopFn | None = None,
    date_is_right: bool = False,
) -> RetentionReport:
    """Anonymise every case past the retention period (or, with ``dry_run``, list them).

    Before anything is anonymised, ``check_date`` may refuse a date far past the last one
    trusted (``DateInDoubt``), unless an administrator said it is right (``date_is_right``).
    ``stop``, asked between two cases and two steps of the index's merge, ends the run early
    (the app is closing): what is done stays done, and the next run does the rest."""
    today = today or date.today()
    years = retention_years(workspace)
    report = RetentionReport(years, today, dry_run)
    with workspace.read() as session:
        report.candidates = find_candidates(session, years, today, workspace.mission_here)
        report.returnee_candidates = find_returnee_candidates(session, years, today)
    if dry_run:
        return report
    check_date(workspace, today, trigger, date_is_right)
    stop = stop or (lambda: False)
    if report.candidates or report.returnee_candidates:
        _anonymise(workspace, report, trigger, progress, stop)
    if not stop() and _purge_pending(workspace):
        report.wal_checkpointed = purge_freed_data(workspace, stop)
    return report


def _anonymise(
    workspace: Workspace,
    report: RetentionReport,
    trigger: str,
    progress: ProgressFn | None,
    stop: StopFn,
) -> None:
    years = report.years
    total = len(report.candidates)
    for index, candidate in enumerate(report.candidates):
        if stop():
            break
        if progress:
            progress(index, total)
        now = datetime.now(UTC)
        with workspace.write() as session:
            row = session.get(Case, candidate.case_id)
            ended = row is not None and (row.status in FINAL_STATUSES or candidate.held_by)
            if row is None or row.anonymised_at is not None or not ended:
                continue  # changed by someone else since the list was made
            touched, person_done = anonymise_case(session, candidate.case_id, now)
            redacted = audit.redact(session, [candidate.number, *touched], AUDIT_TEXT_KEYS)
            workspace.audit(
                session,
                "retention.anonymise",
                "case",
                candidate.number,
                {
                    "years": years,
                    "closed_on": candidate.closed_on.isoformat(),
                    "person": person_done,
                    "trigger": trigger,
                    **({audit.REDACTIONS: redacted} if redacted else {}),
                },
            )
        report.anonymised_cases.append(candidate.number)
        report.anonymised_persons += int(person_done)
    _run_returnees(workspace, report, years, trigger, stop)
    with workspace.write() as session:
        workspace.audit(
            session,
            "retention.run",
            "installation",
            workspace.mission_code,
            {
                "years": years,
                "cases": len(report.anonymised_cases),
                "returnees": report.anonymised_returnees,
                "persons": report.anonymised_persons,
                "trigger": trigger,
            },
        )


def run_manually(
    workspace: Workspace,
    today: date | None = None,
    dry_run: bool = False,
    date_is_right: bool = False,
) -> RetentionReport:
    """``qorgau retention run``: an administrator's or consul's decision."""
    workspace.require_role(*MANAGERS)
    return run_retention(workspace, today, dry_run, trigger="manual", date_is_right=date_is_right)


def run_on_start(
    workspace: Workspace,
    today: date | None = None,
    stop: StopFn | None = None,
    date_is_right: bool = False,
) -> RetentionReport:
    """The UI calls this after login: the policy applies whoever opens the app and may change
    records. At HQ on a server an analyst's account may change none (the server refuses it):
    the next start of the import operator's or an administrator's applies it."""
    if workspace.actor.role not in RECORD_KEEPERS:
        return RetentionReport(retention_years(workspace), today or date.today(), dry_run=True)
    return run_retention(workspace, today, trigger="start", stop=stop, date_is_right=date_is_right)
