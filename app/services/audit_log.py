"""Checking the audit chain, here and against the signed heads that left this installation.

``verify`` walks the local chain (``app.security.audit``) and compares it with a signed head:
one given as a file (HQ's copy, the authority: ``qorgau audit head CODE --out FILE`` at HQ),
else the head this installation signed into its last bundle (a local copy, which whoever
holds the database key could rewrite too). See ``app.security.audit_anchor``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import (
    Attachment,
    AuditEntry,
    Case,
    ContractReview,
    Employer,
    Letter,
    Mission,
    RecruitmentAgency,
    Returnee,
)
from app.domain.audit_actions import action_label
from app.domain.codes import Role
from app.domain.roles import ADMIN_OR_HQ
from app.errors import NotFound, ValidationError
from app.i18n import _, format_number, ngettext
from app.os_errors import os_error_text
from app.security import audit, audit_anchor
from app.security.audit import AuditProblem
from app.security.audit_anchor import SignedHead
from app.security.user_ledger import account_findings, key_findings
from app.services.workspace import Workspace
from app.untrusted import json_from_outside, read_at_most

HEAD_READERS = ADMIN_OR_HQ
# Who did what: the administrator, and HQ's operator and administrator. A case's own history is
# its timeline, which its officers read; the log also holds sign-ins, exports and keys.
AUDIT_READERS = ADMIN_OR_HQ
ENTRIES_PAGE = 500
MAX_HEAD_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class AuditEntryInfo:
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    details: dict[str, Any]
    known_as: str = ""  # the number of the letter or case the record belongs to, if any

    @property
    def label(self) -> str:
        return action_label(self.action)

    @property
    def record(self) -> str:
        """What the entry is about, as people name it: a letter's or case's number where the
        entry holds one (a letter's, a review's or a returnee's record id is an internal id),
        else the record id itself."""
        for key in ("number", "case"):
            value = self.details.get(key)
            if isinstance(value, str) and value:
                return value
        return self.known_as or self.entity_id


@dataclass(frozen=True)
class AuditCheck:
    entries: int
    problems: list[AuditProblem]
    head_source: str  # "file" | "last_export" | "none"
    head_seq: int | None

    @property
    def ok(self) -> bool:
        return not self.problems


def tampered_message(problems: int) -> str:
    return ngettext(
        "The audit log has been tampered with ({n} problem).",
        "The audit log has been tampered with ({n} problems).",
        problems,
    ).format(n=format_number(problems))


def read_head_file(path: Path) -> SignedHead:
    try:
        raw = read_at_most(path, MAX_HEAD_FILE_BYTES)
    except OSError as exc:
        raise ValidationError(
            _("The head file cannot be read: {error}").format(error=os_error_text(exc)),
            field="head",
        ) from None
    if raw is None:
        raise ValidationError(_("The head file is too large."), field="head")
    try:
        data: Any = json_from_outside(raw)
    except ValueError:  # not UTF-8, not JSON, too deep, a number too long
        raise ValidationError(_("The head file is not valid JSON."), field="head") from None
    try:
        return audit_anchor.parse_head(data)
    except ValueError as exc:  # its own messages, in the user's language
        raise ValidationError(str(exc), field="head") from None


def _former_signing_keys(session: Session) -> list[str]:
    """The signing keys this installation replaced (``keys.rotate``): a head signed before a
    replacement, HQ's copy or the last export's, was signed with one of them."""
    details = session.execute(
        select(AuditEntry.details).where(AuditEntry.action == "keys.rotate")
    ).scalars()
    return [d["replaced"] for d in details if isinstance(d, dict) and d.get("replaced")]


class AuditLogService:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def verify(self, head_file: Path | None = None) -> AuditCheck:
        given = read_head_file(head_file) if head_file is not None else None
        with self.ws.read() as session:
            count, problems = audit.verify(session)
            if not self.ws.on_server:
                problems = problems + [
                    AuditProblem(0, "account", f.message)
                    for f in account_findings(session) + key_findings(session)
                ]
            own = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
            head = given or audit_anchor.held_head(session, own.code)
            if head is None:
                return AuditCheck(count, problems, "none", None)
            keys = [own.signing_public_key, *_former_signing_keys(session)]
            if head.mission != own.code or not any(head.signed_by(key) for key in keys):
                raise ValidationError(
                    _("The head was not signed by this installation ({code}).").format(
                        code=own.code
                    ),
                    field="head",
                )
            mismatch = audit_anchor.compare_with_head(session, head)
        if mismatch:
            problems = [*problems, AuditProblem(head.seq, "rewritten", mismatch)]
        return AuditCheck(count, problems, "file" if given else "last_export", head.seq)

    def entries(
        self,
        actor: str | None = None,
        record: str | None = None,
        before_seq: int | None = None,
        limit: int = ENTRIES_PAGE,
    ) -> list[AuditEntryInfo]:
        """The latest entries first, ``limit`` at most, those of ``actor`` (a user name) and
        about ``record`` (a case number, with its letters and attachments; a user name; a
        letter's number: the entry's record id) if given; the next page starts before the
        last one's ``seq``."""
        self.ws.require_role(*AUDIT_READERS)
        query = select(*audit.ENTRY_COLUMNS, AuditEntry.details)
        if actor:
            query = query.where(AuditEntry.actor == actor)
        if before_seq is not None:
            query = query.where(AuditEntry.seq < before_seq)
        query = query.order_by(AuditEntry.seq.desc()).limit(max(1, min(limit, ENTRIES_PAGE)))
        with self.ws.read() as session:
            if record:
                query = query.where(AuditEntry.entity_id.in_(_record_ids(session, record.strip())))
            found = [
                AuditEntryInfo(
                    row.seq,
                    row.at,
                    row.actor,
                    row.action,
                    row.entity,
                    row.entity_id,
                    row.details if isinstance(row.details, dict) else {},
                )
                for row in session.execute(query)
            ]
            named = _numbers_of(session, found)
        return [
            replace(e, known_as=named[e.entity_id]) if e.entity_id in named else e for e in found
        ]

    def held_head(self, code: str) -> dict[str, Any]:
        """The latest signed head received from ``code``, as a head file's content."""
        self.ws.require_role(*HEAD_READERS)
        with self.ws.read() as session:
            head = audit_anchor.held_head(session, code)
        if head is None:
            raise NotFound(_("No audit head of {code} is held here.").format(code=code))
        return head.to_dict()

    def forget_head(self, code: str) -> SignedHead:
        """Accept that ``code``'s history restarts (say, a restored backup); audited here."""
        self.ws.require_role(Role.ADMIN)
        with self.ws.write() as session:
            own = session.execute(select(Mission.code).where(Mission.is_local)).scalar_one()
            if code == own:
                raise ValidationError(_("This is the installation's own mission code."))
            head = audit_anchor.forget(session, code)
            if head is None:
                raise NotFound(_("No audit head of {code} is held here.").format(code=code))
            self.ws.audit(
                session,
                "audit.head_forgotten",
                "mission",
                code,
                {"seq": head.seq, "hash": head.hash, "signed_at": head.signed_at},
            )
        return head


# Records known by an internal id whose entries may name no number (an approval, a print,
# an attachment opened): named by their letter's outgoing number, else their case's number;
# an employer or agency by its name (its entries showed a bare id).
_NUMBERED = ("letter", "attachment", "returnee", "employer", "agency")
_ORGANISATIONS = (("employer", Employer), ("agency", RecruitmentAgency))


def _numbers_of(session: Session, entries: list[AuditEntryInfo]) -> dict[str, str]:
    """The numbers people know the page's letters, attachments and returnee records by, in
    one query per kind (a page is 500 entries at most)."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.entity in _NUMBERED and entry.record == entry.entity_id:
            wanted.setdefault(entry.entity, set()).add(entry.entity_id)
    named: dict[str, str] = {}
    if ids := wanted.get("letter"):
        letters = select(Letter.id, Letter.outgoing_number, Case.number).outerjoin(
            Case, Case.id == Letter.case_id
        )
        for id_, outgoing, case in session.execute(letters.where(Letter.id.in_(ids))):
            if outgoing or case:
                named[id_] = outgoing or case
    for model in (Attachment, Returnee):
        if ids := wanted.get(model.__tablename__):
            of_cases = select(model.id, Case.number).join(Case, Case.id == model.case_id)
            for id_, number in session.execute(of_cases.where(model.id.in_(ids))):
                named[id_] = number
    for entity, org in _ORGANISATIONS:
        if ids := wanted.get(entity):
            for id_, name in session.execute(select(org.id, org.name).where(org.id.in_(ids))):
                named[id_] = name
    return named


def _record_ids(session: Session, record: str) -> list[str]:
    """The record ids ``record`` stands for: itself; a letter's internal id if it is that
    letter's number (its entries, from the draft on, are recorded under the id); for a case's
    number, the ids of its letters, attachments, reviews and returnee record too, so that who
    opened a case's attachment or approved its letter shows with the case."""
    ids = [record]
    letter = session.execute(
        select(Letter.id).where(Letter.outgoing_number == record.upper())
    ).scalar_one_or_none()
    if letter is not None:
        ids.append(letter)
    case = session.execute(
        select(Case.id, Case.number).where(Case.number == record.upper())
    ).one_or_none()
    if case is not None:
        ids.append(case.number)
        for model in (Letter, Attachment, ContractReview, Returnee):
            ids.extend(session.scalars(select(model.id).where(model.case_id == case.id)))
    return ids
