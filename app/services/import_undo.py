"""Undoing a spreadsheet import: the cases it registered, removed while nobody has used them.

An officer who sees after an import that a column was taken wrongly (given names as surnames,
the closing date as the date received) needs the import gone, not a thousand cases to delete
one by one. Each import has an id (``ImportReport.import_id``), kept in its audit entry and in
the registration entry of every case it wrote. Undoing it removes the cases that are still as
the import left them: never changed (version 1, nothing added to the timeline; the retention
policy's anonymisation is no one's change), nothing refers to them (a letter, an attachment, a
referral, a contract review, a citation, a returnee record), and no bundle has carried them to
headquarters, which would keep its copy. The others stay, each named with its reason. The
people and organisations the import added go with their cases when nothing else refers to them.

The rows are deleted, not marked deleted: they never left this installation, and a worker's
data registered by mistake should not stay in the database. All in one transaction. Their
numbers are not given again; the audit keeps the import's entries and says which were removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, delete, func, or_, select
from sqlalchemy.orm import Session

from app.db.models import (
    AuditEntry,
    Base,
    Case,
    CaseEvent,
    Employer,
    ExchangeLog,
    Person,
    RecruitmentAgency,
)
from app.db.sync import note_changes
from app.domain.codes import EventKind
from app.domain.persons import own_person_id
from app.domain.roles import CASE_WORKERS, SENIOR_ROLES
from app.errors import NotFound, PermissionDenied, ValidationError
from app.i18n import _, format_datetime, format_number, ngettext
from app.services import search
from app.services.workspace import Workspace

IMPORTED = "import.csv"  # the audit action of an import (``csv_import._audit_file``)
UNDONE = "import.undo"
MIN_PREFIX = 6  # characters of an import's id that name it at the command line
_CHUNK = 500  # ids per statement (SQLite's parameter limit)
# What an import writes beside the case: its timeline entry and its codes, which go with it.
_OWN_ROWS = frozenset({"case_event", "case_category", "case_ilo_indicator"})


class KeptReason(StrEnum):
    SENT = "sent"  # a bundle carried it to headquarters
    LINKED = "linked"  # a letter, attachment, referral, review, citation or record refers to it
    CHANGED = "changed"  # edited, its status moved, an entry added, anonymised


def kept_reason_text(reason: KeptReason) -> str:
    return {
        KeptReason.SENT: _("already sent to headquarters"),
        KeptReason.LINKED: _("a letter, attachment or other record refers to it"),
        KeptReason.CHANGED: _("worked on since the import"),
    }[reason]


@dataclass(frozen=True)
class ImportRecord:
    """One import as its audit entry tells it."""

    import_id: str  # "" for an import made before imports could be undone
    at: datetime  # UTC
    actor: str
    file_name: str
    sheet: str
    imported: int
    changes_before: int = 0  # the change counter when it began: what it added came after
    sha256: str = ""  # of the file's bytes: the next check of the same file names this import
    undone_at: datetime | None = None
    undone_by: str = ""
    removed: int = 0

    @property
    def file_shown(self) -> str:
        """The file as the list and messages name it: "register.xlsx (2024)" for a sheet."""
        return f"{self.file_name} ({self.sheet})" if self.sheet else self.file_name

    @property
    def can_undo(self) -> bool:
        return bool(self.import_id) and self.undone_at is None


@dataclass
class UndoPlan:
    """What undoing an import removes and what it keeps (``numbers`` in the order registered)."""

    record: ImportRecord
    removable: list[str] = field(default_factory=list)
    kept: list[tuple[str, KeptReason]] = field(default_factory=list)
    people: int = 0  # removed with their cases (set once done)
    organisations: int = 0
    _ids: list[str] = field(default_factory=list, repr=False)
    _bundled_up_to: int = field(default=0, repr=False)  # the change counter bundles carried


def list_imports(ws: Workspace) -> list[ImportRecord]:
    """Every import of this installation, newest first, with its undoing if any."""
    ws.require_role(*CASE_WORKERS)
    with ws.read() as session:
        entries = session.execute(
            select(AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.details)
            .where(AuditEntry.action.in_((IMPORTED, UNDONE)))
            .order_by(AuditEntry.seq)
        ).all()
    undone = {
        details.get("import"): (_utc(at), actor, int(details.get("removed", 0)))
        for at, actor, action, details in entries
        if action == UNDONE
    }
    records = []
    for at, actor, action, details in entries:
        if action != IMPORTED:
            continue
        import_id = str(details.get("import", ""))
        none: tuple[datetime | None, str, int] = (None, "", 0)
        undone_at, undone_by, removed = undone.get(import_id, none) if import_id else none
        records.append(
            ImportRecord(
                import_id,
                _utc(at),
                actor,
                str(details.get("file", "")),
                str(details.get("sheet", "")),
                int(details.get("imported", 0)),
                int(details.get("changes_before", 0)),
                str(details.get("sha256", "")),
                undone_at,
                undone_by,
                removed,
            )
        )
    return records[::-1]


def find_import(ws: Workspace, key: str) -> ImportRecord:
    """The import named by its id or the id's first characters (at least ``MIN_PREFIX``)."""
    key = key.strip().lower()
    if len(key) < MIN_PREFIX:
        raise ValidationError(
            _("Give at least {n} characters of the import's id.").format(n=MIN_PREFIX)
        )
    found = [r for r in list_imports(ws) if r.import_id and r.import_id.startswith(key)]
    if not found:
        raise NotFound(_("No import {id} can be undone here.").format(id=key))
    if len(found) > 1:
        raise ValidationError(_("Several imports begin with {id}: give more of it.").format(id=key))
    return found[0]


def _as_audited(ws: Workspace, record: ImportRecord) -> ImportRecord:
    found = [r for r in list_imports(ws) if r.import_id and r.import_id == record.import_id]
    if not found:
        raise NotFound(_("No import {id} can be undone here.").format(id=record.import_id[:8]))
    return found[0]


def check_undo(ws: Workspace, record: ImportRecord) -> UndoPlan:
    """What undoing ``record`` would remove and keep; nothing is changed."""
    ws.require_role(*CASE_WORKERS)
    with ws.read() as session:
        return _plan(session, record)


def undo_import(ws: Workspace, record: ImportRecord) -> UndoPlan:
    """Remove the import's cases that nobody has used (see the module's notes), in one
    transaction with its audit entry; what was removed and kept is returned."""
    ws.require_role(*CASE_WORKERS)
    record = _as_audited(ws, record)  # who made it as the audit says, not as the caller does
    if ws.actor.username != record.actor and ws.actor.role not in SENIOR_ROLES:
        raise PermissionDenied(
            _("Only {who}, who made this import, or a consul can undo it.").format(who=record.actor)
        )
    if record.undone_at is not None:
        raise ValidationError(undone_message(record))
    with ws.write() as session:
        plan = _plan(session, record)
        if not plan.removable:
            raise ValidationError(nothing_to_remove_message(plan))
        # What came after the import began and after the last bundle: the import's own.
        after = max(record.changes_before, plan._bundled_up_to)
        people, organisations = _remove(session, plan._ids, after)
        plan.people, plan.organisations = people, organisations
        ws.audit(
            session,
            UNDONE,
            "case",
            "",
            {
                "import": record.import_id,
                "removed": len(plan.removable),
                "numbers": number_ranges(plan.removable),
                "kept": len(plan.kept),
                "people": people,
                "organisations": organisations,
            },
        )
    return plan


def _plan(session: Session, record: ImportRecord) -> UndoPlan:
    plan = UndoPlan(record)
    if not record.import_id:
        raise ValidationError(
            _("This import was made before Qorgau could undo imports: its cases are not marked.")
        )
    imported = CaseEvent.data["import"].as_string() == record.import_id
    cases = session.execute(
        select(
            Case.id,
            Case.number,
            Case.version,
            Case.change_seq,
            Case.deleted_at,
            Case.anonymised_at,
        )
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(
            # Its entries were written after it began: the index on change_seq narrows the
            # read to them and what came later (0.35 s to read all 400,000 entries of a mission).
            CaseEvent.change_seq > record.changes_before,
            CaseEvent.kind == EventKind.SYSTEM.value,
            imported,
        )
        .order_by(Case.year, Case.seq)
    ).all()
    sent_up_to = plan._bundled_up_to = _sent_up_to(session)
    ids = [case.id for case in cases]
    events = _counts(session, CaseEvent.case_id, ids)
    linked = _referenced(session, Case.__table__, ids, _OWN_ROWS)
    for case in cases:
        reason = None
        if case.change_seq <= sent_up_to:
            reason = KeptReason.SENT
        elif case.id in linked:
            reason = KeptReason.LINKED
        elif case.deleted_at is not None or events.get(case.id, 0) != 1 or not _as_left(case):
            reason = KeptReason.CHANGED
        if reason is None:
            plan.removable.append(case.number)
            plan._ids.append(case.id)
        else:
            plan.kept.append((case.number, reason))
    return plan


def _as_left(row: Any) -> bool:
    """Unchanged since the import, but for the retention policy's anonymisation: a case a
    wrong date column made old is anonymised at the next sign-in, and is still the import's."""
    return bool(row.version == 1 or row.anonymised_at is not None)


def _remove(session: Session, case_ids: list[str], after: int) -> tuple[int, int]:
    """Delete the cases with their own rows, then the people and organisations the import
    added (changed last ``after`` that change) that nothing refers to any longer; how many of
    each were removed."""
    owners: dict[str, set[str | None]] = {
        "person": set(),
        "employer": set(),
        "recruitment_agency": set(),
    }
    for chunk in _chunks(case_ids):
        for person_id, employer_id, agency_id in session.execute(
            select(Case.person_id, Case.employer_id, Case.agency_id).where(Case.id.in_(chunk))
        ):
            owners["person"].add(person_id)
            owners["employer"].add(employer_id)
            owners["recruitment_agency"].add(agency_id)
        search.remove_cases(session, chunk)
        session.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(chunk)))
        # Its categories and ILO indicators go by the cascade; the day counts by triggers.
        session.execute(delete(Case).where(Case.id.in_(chunk)))
    note_changes(session, "case", case_ids)
    note_changes(session, "case_event", case_ids)
    owners["person"].update(_workers_left_by_retention(session, after))
    # An anonymised case's own person goes with it, not counted: it is no one.
    own_people = {own_person_id(case_id) for case_id in case_ids}
    removed = {}
    for model in (Person, Employer, RecruitmentAgency):
        name = model.__tablename__
        candidates = [i for i in owners[name] if i]
        # Added by the import (after its start, never changed) and nowhere else referred to.
        added: list[str] = []
        for chunk in _chunks(candidates):
            unchanged = model.version == 1
            if model is Person:
                unchanged = or_(unchanged, Person.anonymised_at.is_not(None))
            added += session.execute(
                select(model.id).where(
                    model.id.in_(chunk),
                    unchanged,
                    model.change_seq > after,
                )
            ).scalars()
        unused = sorted(set(added) - _referenced(session, model.__table__, added))
        for chunk in _chunks(unused):
            session.execute(delete(model).where(model.id.in_(chunk)))
        if unused:
            note_changes(session, name, [])
        removed[name] = len(set(unused) - own_people)
    return removed["person"], removed["employer"] + removed["recruitment_agency"]


def _workers_left_by_retention(session: Session, after: int) -> list[str]:
    """People anonymised since the import began: an anonymised case refers to a person of its
    own, not to its worker, whom only this finds (removed below if nothing refers to them)."""
    return list(
        session.execute(
            select(Person.id).where(Person.anonymised_at.is_not(None), Person.change_seq > after)
        ).scalars()
    )


def _referenced(
    session: Session, table: Any, ids: Sequence[str], own: Iterable[str] = ()
) -> set[str]:
    """Which of ``ids`` (rows of ``table``) a row of another table refers to."""
    found: set[str] = set()
    for column in _references_to(table, frozenset(own)):
        for chunk in _chunks(ids):
            found.update(
                session.execute(select(column).where(column.in_(chunk)).distinct()).scalars()
            )
    return found


def _references_to(table: Any, own: frozenset[str]) -> Iterator[Column[Any]]:
    for other in Base.metadata.sorted_tables:
        if other.name in own:
            continue
        for fk in other.foreign_keys:
            if fk.column.table is table:
                yield fk.parent


def _counts(session: Session, column: Any, ids: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for chunk in _chunks(ids):
        query = select(column, func.count()).where(column.in_(chunk)).group_by(column)
        counts.update((key, int(n)) for key, n in session.execute(query))
    return counts


def _sent_up_to(session: Session) -> int:
    """The change counter up to which bundles went out: what it covers is at headquarters."""
    value = session.execute(
        select(func.max(ExchangeLog.change_seq_to)).where(ExchangeLog.direction == "out")
    ).scalar_one_or_none()
    return int(value or 0)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def number_ranges(numbers: Sequence[str]) -> list[str]:
    """Case numbers as runs ("SEL-2026-0001…SEL-2026-0450"): an import's are consecutive."""
    runs: list[list[str]] = []
    for number in numbers:
        prefix, _sep, seq = number.rpartition("-")
        if runs and seq.isdigit():
            last_prefix, _s, last_seq = runs[-1][-1].rpartition("-")
            if last_prefix == prefix and last_seq.isdigit() and int(seq) == int(last_seq) + 1:
                runs[-1][1:] = [number]
                continue
        runs.append([number])
    return ["…".join(run) for run in runs]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _when(moment: datetime) -> str:
    return format_datetime(moment.astimezone())


def import_title(record: ImportRecord) -> str:
    """The import in a few words: "register.xlsx (2024), 05.12.2026, 06:28, consul"."""
    name = record.file_shown or _("a spreadsheet")
    return f"{name}, {_when(record.at)}, {record.actor}"


def undone_message(record: ImportRecord) -> str:
    assert record.undone_at is not None
    return ngettext(
        "This import was undone on {when} by {who}: {n} case removed.",
        "This import was undone on {when} by {who}: {n} cases removed.",
        record.removed,
    ).format(when=_when(record.undone_at), who=record.undone_by, n=format_number(record.removed))


def nothing_to_remove_message(plan: UndoPlan) -> str:
    if not plan.kept:
        return _("None of this import's cases is here any longer.")
    return _("Every case of this import has been used since: nothing can be removed.")


def plan_message(plan: UndoPlan) -> str:
    """What undoing will do, said before it is done."""
    said = [
        ngettext(
            "{n} case will be removed, with any person or organisation recorded for it alone.",
            "{n} cases will be removed, with any person or organisation recorded for them alone.",
            len(plan.removable),
        ).format(n=format_number(len(plan.removable)))
    ]
    if plan.kept:
        said.append(kept_message(plan))
    return " ".join(said)


def kept_message(plan: UndoPlan, shown: int = 10) -> str:
    """The cases that stay, the first ``shown`` named with their reason."""
    named = "; ".join(
        f"{number} ({kept_reason_text(reason)})" for number, reason in plan.kept[:shown]
    )
    more = len(plan.kept) - shown
    if more > 0:
        named += " " + ngettext("and {n} more", "and {n} more", more).format(n=format_number(more))
    return ngettext("{n} case stays: {cases}.", "{n} cases stay: {cases}.", len(plan.kept)).format(
        n=format_number(len(plan.kept)), cases=named
    )


def done_message(plan: UndoPlan) -> str:
    said = [
        ngettext(
            "{n} case removed; its number is not given again.",
            "{n} cases removed; their numbers are not given again.",
            len(plan.removable),
        ).format(n=format_number(len(plan.removable)))
    ]
    if plan.people or plan.organisations:
        parts = [  # only what there was: never "0 organisations"
            ngettext("{n} person", "{n} people", plan.people).format(n=format_number(plan.people)),
            ngettext("{n} organisation", "{n} organisations", plan.organisations).format(
                n=format_number(plan.organisations)
            ),
        ]
        parts = [p for p, n in zip(parts, (plan.people, plan.organisations), strict=True) if n]
        said.append(
            ngettext(
                "Removed with it, recorded for it alone: {what}.",
                "Removed with them, recorded for them alone: {what}.",
                len(plan.removable),
            ).format(what=", ".join(parts))
        )
    if plan.kept:
        said.append(kept_message(plan))
    return " ".join(said)
