"""The outgoing-letter register: draft, approve, issue, preview, verify.

A letter is drafted from a case by any case worker, approved by a consul (or the mission
administrator), then issued by the approver or by its drafter. Issuing happens in one write
transaction (``BEGIN IMMEDIATE``), which

1. takes the next number of the counter ``letter:<MISSION>:<YEAR>`` (gapless per mission and
   year: the lock makes two processes queue, and a failure rolls the counter back with the rest);
2. renders the PDF with the number, the date and a QR code ``QORGAU|<number>|<content digest>``;
3. stores the PDF, its SHA-256 and the content digest in the ``letter`` row;
4. writes the case's timeline (``letter_sent``) and the audit log.

Outgoing numbers read ``<MISSION>-<YEAR>/<SEQ:04d>``, e.g. ``SEL-2026/0042``, printed as
"№ SEL-2026/0042". The mission code and year are part of the number because HQ keeps the
letters of every mission in one register, where a bare "№ 42" would repeat.

Cited provisions are the case's ``CaseCitation`` rows, read when the letter is rendered: an
issued letter keeps the ones it was issued with in its PDF and digest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, extract, func, select
from sqlalchemy.orm import Session

from app.db.models import (
    AuditEntry,
    Case,
    CaseEvent,
    Employer,
    Letter,
    Mission,
    PartnerOrganisation,
    PartnerReferral,
    Person,
    RecruitmentAgency,
    User,
)
from app.db.sync import next_counter
from app.domain.claims import parse_claims
from app.domain.codes import (
    CaseStatus,
    Category,
    ConsentScope,
    EventKind,
    LetterKind,
    LetterStatus,
    Role,
    label,
)
from app.domain.events import SystemEvent, event_data
from app.domain.iin import iin_sex, is_valid_iin
from app.domain.keyboard import as_latin_keys
from app.domain.mission_record import mission_name_in
from app.domain.names import officer_name, passport_name, person_name, user_name
from app.domain.persons import sex_from_names
from app.domain.roles import CASE_WORKERS, SENIOR_ROLES
from app.domain.text import without_direction_controls
from app.domain.workflow import is_open
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.i18n import LANGUAGES, _, current_language, format_date
from app.letters import (
    LETTER_KINDS,
    Addressee,
    Citation,
    EmployerInfo,
    Executor,
    LetterContext,
    MissionInfo,
    PersonInfo,
    Signatory,
    kind_label,
    render_letter,
    with_qr_digest,
)
from app.letters.approval import APPROVAL_RULE, approval_digest, matches_approval
from app.letters.cities import city_name, names_city
from app.letters.grammar import Sex
from app.letters.phrases import (
    claim_text,
    closing_request,
    default_demands,
    default_facts,
    employer_owes,
)
from app.letters.qr import QR_PREFIX
from app.letters.renderer import (
    ABROAD,
    date_numeric,
    is_draft_pdf,
    lower_first,
    mission_forms,
    mission_kind,
    money_text,
)
from app.letters.scripts import foreign_script_passages, unprintable_passages
from app.letters.states import (
    body,
    is_known,
    mfa_for_consulate,
    state_name,
    state_name_en_bare,
)
from app.os_errors import os_error_reason
from app.services import search
from app.services import validation as check
from app.services.agreements import (
    citations_after_the_facts,
    citations_not_in_force,
    ensure_library,
    is_domestic_case,
    letter_citations,
)
from app.services.cases import CaseService, checked_file
from app.services.legal_tables import (
    UNREVIEWED_CATEGORIES,
    HostLawInfo,
    host_law,
    judging_rule,
)
from app.services.letterhead import letterhead
from app.services.replies import AWAITS_REPLY, unanswered
from app.services.rows import add_case_event, copied, live_row
from app.services.workspace import DatedService
from app.untrusted import read_at_most

LETTER_STATUSES: tuple[LetterStatus, ...] = tuple(LetterStatus)
MAX_REPLY_SENDER = 300
MAX_REPLY_SUMMARY = 4000

WRITERS = CASE_WORKERS
# Who may approve, and so sign: a consul, or the head of mission. The head of mission holds the
# ``admin`` role in a small mission; an administrator signs only with a position title recorded
# in the letter's language (an IT administrator without one is refused), see _require_signer.
APPROVERS = SENIOR_ROLES
MAX_VERIFY_BYTES = 50 * 1024 * 1024  # a file checked against the register: no letter is larger
MAX_SUBJECT = 500
MAX_FIELD = 500
MAX_FREE_TEXT = 20_000
MAX_ATTACHMENTS = 20
# Control characters other than tab and line breaks cannot be typeset; refuse them early.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHECK_LENGTH = 64  # hexadecimal characters: a SHA-256
_NOT_HEX = re.compile(r"[^0-9a-f]", re.IGNORECASE)
_NUMBER_LENGTH = 40  # longer than any outgoing number: not one
# Caps Lock with the Kazakh layout on capitalises the letters on its number row, the digits'
# keys, which then read back as @ # $ …: no code holds these.
_SHIFTED_DIGITS = str.maketrans("!@#$%^&*()_", "1234567890-")

# A consul's position when the user record has none in the letter's language.
_CONSUL_POSITION = {"kk": "Консул", "ru": "Консул", "en": "Consul"}
# Which recorded consent covers sending the person's data to a letter's addressee.
CONSENT_FOR_KIND = {
    "note_verbale_labour_authority": "share_host_authorities",
    "employer_letter": "case_handling",
    "agency_report": "share_hq",
    "hq_case_report": "share_hq",
    "referral": "share_partners",
}
KAZAKHSTAN = "KZ"
# Kinds whose addressee is in Kazakhstan (the ministries in Astana): their data stays at home.
# Every other kind in CONSENT_FOR_KIND goes to where its addressee is (``_data_goes_to``); the
# certificate, in none, is handed to the worker: the mission sends their data nowhere.
_ADDRESSED_AT_HOME = {"agency_report", "hq_case_report"}
# Letters to addressees whom treaties between states do not bind: they cite the host
# state's own law, which does (issue 15 item 6).
_HOST_LAW_ONLY = {"employer_letter"}
# Letters to the host state's own authorities: after the treaties, they cite the host's law on
# the case's complaints too (a labour ministry enforces it; unverified articles are marked).
_HOST_LAW_TOO = {"note_verbale_labour_authority"}
# Letters that cite only provisions checked against their source, leaving out the rest (the
# approver is told which): an employer reads the host's law as settled. Other letters cite
# the agreement library's unchecked provisions marked "unverified" (most are not checked).
_CHECKED_ONLY = {"employer_letter"}
# Hosts whose ministries and employers a mission writes to in Russian by default (CIS states
# where Russian is official or the usual language between ministries); English elsewhere. A
# default the officer changes: the next letter of the kind keeps the officer's choice.
_CORRESPONDS_IN_RUSSIAN = frozenset({"AM", "AZ", "BY", "KG", "MD", "RU", "TJ", "TM", "UZ"})
# Host-law subjects a letter never puts to an employer as the rules of the case: a probation
# article lets an employer end a trial period without notice, so cited on a dismissal it
# argues the employer's side, and the case does not record that the worker was on trial.
_NOT_CITED_TO_EMPLOYERS = {"probation"}
# Complaints of abuse by the employer: a letter to it tells the abuser that the worker has
# turned to the mission, which can put the worker in danger (the approver is warned).
# Complaints a worker cannot have made in person: missing, or dead. Letters of these kinds
# would say the worker turned to the mission (or is referred, or holds the certificate): they
# say who did instead (``_absence``), and the approver is asked to check the case says so.
_NOT_IN_PERSON = (Category.WHEREABOUTS_UNKNOWN, Category.DEATH_REPATRIATION)
# Unsigned and sealed (DOMAIN.md, "Official letters"): the foot of a note verbale carries the
# seal place and the signer's initials, and no executor block.
_UNSIGNED = frozenset({"note_verbale_labour_authority"})
_IN_PERSON_KINDS = {"employer_letter", "referral", "assistance_certificate"}
_ABUSE_BY_EMPLOYER = (
    Category.VIOLENCE,
    Category.SEXUAL_ABUSE,
    Category.RESTRICTION_OF_FREEDOM,
    Category.TRAFFICKING_FORCED_LABOUR,
)
# Letters that print the person's birth date and passport number unless the officer says not.
_IDENTITY_BY_DEFAULT = {
    "note_verbale_labour_authority",
    "agency_report",
    "hq_case_report",
    "assistance_certificate",
}

# Default addressees in Kazakhstan, written per language: (organisation, dative, address).
_MINISTRY_OF_LABOUR = {
    "kk": (
        "Қазақстан Республикасы Еңбек және халықты әлеуметтік қорғау министрлігі",
        "Қазақстан Республикасы Еңбек және халықты әлеуметтік қорғау министрлігіне",
        "Астана қ.",
    ),
    "ru": (
        "Министерство труда и социальной защиты населения Республики Казахстан",
        "Министерству труда и социальной защиты населения Республики Казахстан",
        "г. Астана",
    ),
    "en": (
        "Ministry of Labour and Social Protection of the Population of the Republic of Kazakhstan",
        "",
        "Astana",
    ),
}
_MINISTRY_OF_FOREIGN_AFFAIRS = {
    "kk": (
        "Қазақстан Республикасы Сыртқы істер министрлігі",
        "Қазақстан Республикасы Сыртқы істер министрлігіне",
        "Астана қ.",
    ),
    "ru": (
        "Министерство иностранных дел Республики Казахстан",
        "Министерству иностранных дел Республики Казахстан",
        "г. Астана",
    ),
    "en": ("Ministry of Foreign Affairs of the Republic of Kazakhstan", "", "Astana"),
}
_DEFAULT_SUBJECT = {
    "kk": "№ {case} іс бойынша: {name}",
    "ru": "По делу № {case}: {name}",
    "en": "Case No. {case}: {name}",
}


@dataclass(frozen=True)
class LetterFields:
    """What an officer writes in a letter; the rest comes from the case and the mission."""

    addressee: Addressee | None = None  # None: a default for the kind, from the case
    subject: str = ""  # empty: a default naming the case and the person
    free_text: str = ""
    incoming_ref: tuple[str, date] | None = None  # (their number, their date)
    attachments: tuple[str, ...] = ()
    facts: str | None = None  # None: pre-filled from the case in the letter's language
    requests: str | None = None  # employer letter, one request a line; None: from the case
    forward_to: str = ""  # a note to the MFA: the ministry it is asked to forward to
    share_identity: bool | None = None  # None: the kind's default


@dataclass(frozen=True)
class ReplyInfo:
    """The answer to an issued letter, as recorded on its case's timeline."""

    received_on: date
    sender: str  # who answered: the employer, the ministry's department, a person
    summary: str
    attachment_id: str | None = None
    recorded_by: str = ""
    entry_id: str = ""  # the timeline entry that records it
    recorded_at: datetime | None = None  # when it was recorded (UTC)
    corrects: str = ""  # the entry this one corrects, recorded on a later day


@dataclass(frozen=True)
class ReplyCorrected:
    """A reply corrected: in its own entry (the same day, by whoever recorded it or an
    administrator), else in a new entry that says it corrects the earlier one."""

    letter: LetterInfo
    in_place: bool


@dataclass(frozen=True)
class LetterInfo:
    id: str
    version: int
    case_id: str | None
    case_number: str
    kind: str
    lang: str
    status: str
    outgoing_number: str | None
    year: int | None
    seq: int | None
    letter_date: date | None
    incoming_ref: tuple[str, date] | None
    addressee: Addressee
    subject: str
    free_text: str
    attachments: tuple[str, ...]
    pdf_sha256: str | None
    content_digest: str | None
    drafted_by: str
    approved_by: str | None
    issued_by: str | None
    issued_at: datetime | None
    updated_at: datetime
    facts: str = ""
    requests: str = ""
    forward_to: str = ""
    share_identity: bool = False
    signatory: str = ""  # who signs (or will sign): "position, name"
    reply: ReplyInfo | None = None  # the first reply recorded, for an issued letter
    # Its case was anonymised at the end of retention: no reply is recorded on it.
    case_anonymised: bool = False
    # HQ handed its case to another mission: unissued, it is a record only (not shown,
    # approved, issued, changed or discarded here).
    held_elsewhere: bool = False

    @property
    def awaits_reply(self) -> bool:
        """An issued letter of a kind that asks its addressee to act, not yet answered."""
        return (
            self.status == LetterStatus.ISSUED and self.kind in AWAITS_REPLY and self.reply is None
        )

    def days_without_reply(self, today: date) -> int | None:
        """Days since the letter went out while no reply came; None when none is awaited."""
        if not self.awaits_reply or self.letter_date is None:
            return None
        return max((today - self.letter_date).days, 0)

    @property
    def subject_beyond_case(self) -> str:
        """The subject less what names the case, for a list that shows the case beside it: the
        person's name for a default subject ("Case No. X: NAME"), else the whole subject."""
        template = _DEFAULT_SUBJECT.get(self.lang)
        if template is None or not self.case_number:
            return self.subject
        before, after = template.split("{name}")
        before, after = before.format(case=self.case_number), after.format(case=self.case_number)
        subject = self.subject
        named = len(subject) > len(before) + len(after)
        if named and subject.startswith(before) and subject.endswith(after):
            return subject[len(before) : len(subject) - len(after)]
        return subject

    @property
    def addressee_text(self) -> str:
        """Whom the letter goes to, as the register lists it in the reader's language: a
        certificate without an organisation is the worker's, "to whom it may concern"."""
        if self.addressee.organisation or self.kind != "assistance_certificate":
            return self.addressee.organisation
        return _("To whom it may concern")

    @property
    def fields(self) -> LetterFields:
        return LetterFields(
            self.addressee,
            self.subject,
            self.free_text,
            self.incoming_ref,
            self.attachments,
            self.facts,
            self.requests,
            self.forward_to,
            self.share_identity,
        )


@dataclass(frozen=True)
class LetterFilter:
    kind: str | None = None
    status: str | None = None
    year: int | None = None
    case_id: str | None = None
    case_number: str | None = None
    # Issued letters awaiting a reply, of an open case, sent at least this many days ago.
    unanswered_for: int | None = None


@dataclass(frozen=True)
class VerifyResult:
    """``matched``: the file is, byte for byte, a letter the register issued."""

    matched: bool
    sha256: str
    message: str
    letter: LetterInfo | None = field(default=None)


@dataclass(frozen=True)
class KindInfo:
    code: str
    label: str  # in the interface language
    names: dict[str, str]  # the document's own name in kk, ru, en


# -- helpers ---------------------------------------------------------------------------------


def clean_text(value: str, field_name: str, label_text: str, limit: int) -> str:
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        raise ValidationError(
            _("{label} contains a character that cannot be printed.").format(label=label_text),
            field_name,
        )
    return check.bounded_text(text, field_name, label_text, limit)


def _without_direction_controls(letter: LetterFields) -> LetterFields:
    """``letter``'s texts with no direction control. A name stored before they were refused
    (an employer's with U+202E) failed the letter's own check on a field the officer never
    typed: the defaults start from the text as stored, shown as it reads."""

    def plain(text: str | None) -> str | None:
        return None if text is None else without_direction_controls(text)

    addressee = letter.addressee
    if addressee is not None:
        texts = {name: getattr(addressee, name) for name in _ADDRESSEE_FIELDS}
        plain_texts: dict[str, str] = {
            k: without_direction_controls(v) for k, v in texts.items() if isinstance(v, str)
        }
        addressee = dataclasses.replace(addressee, **plain_texts)
    return dataclasses.replace(
        letter,
        addressee=addressee,
        subject=without_direction_controls(letter.subject),
        facts=plain(letter.facts),
        requests=plain(letter.requests),
        forward_to=without_direction_controls(letter.forward_to),
    )


_ADDRESSEE_FIELDS = tuple(f.name for f in dataclasses.fields(Addressee))


def _clean_addressee(addressee: Addressee) -> Addressee:
    def one(value: str | None, name: str, text: str) -> str:
        return clean_text(value or "", f"addressee.{name}", text, MAX_FIELD)

    return Addressee(
        name=one(addressee.name, "name", _("The addressee's name")),
        organisation=one(addressee.organisation, "organisation", _("The organisation")),
        address=one(addressee.address, "address", _("The address")),
        position=one(addressee.position, "position", _("The addressee's position")) or None,
        organisation_dative=one(
            addressee.organisation_dative,
            "organisation_dative",
            _("The organisation in the dative case"),
        )
        or None,
        sex=addressee.sex if addressee.sex in ("female", "male") else "",
        surname=one(addressee.surname, "surname", _("The addressee's surname")),
    )


def _addressee_json(addressee: Addressee) -> dict[str, Any]:
    return {
        "name": addressee.name,
        "organisation": addressee.organisation,
        "address": addressee.address,
        "position": addressee.position,
        "organisation_dative": addressee.organisation_dative,
        "sex": addressee.sex,
        "surname": addressee.surname,
    }


# The kinds that tell the addressee what happened (their facts paragraph).
_STATING_FACTS = frozenset(
    {
        "employer_letter",
        "note_verbale_labour_authority",
        "agency_report",
        "referral",
        "hq_case_report",
    }
)


def _assistance(status: CaseStatus) -> str:
    """Where the mission's help stands, as a certificate says it: a closed case's worker is
    no longer being assisted, and a rejected one's never was."""
    if is_open(status):
        return "ongoing"
    return "declined" if status == CaseStatus.REJECTED else "given"


def _absence(codes: set[str]) -> str:
    """Whether the case is about a worker who cannot have come in person: "deceased" (that
    outweighs missing), "missing", else empty."""
    if Category.DEATH_REPATRIATION.value in codes:
        return "deceased"
    if Category.WHEREABOUTS_UNKNOWN.value in codes:
        return "missing"
    return ""


def _addressee_of(data: dict[str, Any]) -> Addressee:
    return Addressee(
        name=str(data.get("name") or ""),
        organisation=str(data.get("organisation") or ""),
        address=str(data.get("address") or ""),
        position=data.get("position") or None,
        organisation_dative=data.get("organisation_dative") or None,
        sex=str(data.get("sex") or ""),
        surname=str(data.get("surname") or ""),
    )


def _require_addressee(row: Letter) -> None:
    """A letter goes to an organisation; only a certificate may go "to whom it may concern"."""
    addressee = _addressee_of(row.addressee)
    if not addressee.organisation and row.kind != "assistance_certificate":
        raise ValidationError(_("Name the organisation the letter goes to."), "addressee")


def parse_kind(value: str) -> str:
    if value not in LETTER_KINDS:
        raise ValidationError(_("Unknown letter kind: {kind}.").format(kind=value), "kind")
    return value


def parse_lang(value: str) -> str:
    if value not in LANGUAGES:
        raise ValidationError(
            _("Letters are written in Kazakh, Russian or English, not {lang}.").format(lang=value),
            "lang",
        )
    return value


def outgoing_number(mission_code: str, year: int, seq: int) -> str:
    """``SEL-2026/0042``; the register's number of the ``seq``-th letter of the year."""
    return f"{mission_code}-{year}/{seq:04d}"


def kinds() -> list[KindInfo]:
    """The six letter kinds, in the register's order."""
    return [
        KindInfo(
            code, label(LetterKind(code)), {lang: kind_label(code, lang) for lang in LANGUAGES}
        )
        for code in LETTER_KINDS
    ]


# -- the service -----------------------------------------------------------------------------


class LetterService(DatedService):
    def kinds(self) -> list[KindInfo]:
        return kinds()

    # -- reading ---------------------------------------------------------------------------------

    def get(self, letter_id: str) -> LetterInfo:
        with self.ws.read() as session:
            return self._info(session, self._load(session, letter_id))

    def get_by_number(self, number: str) -> LetterInfo:
        with self.ws.read() as session:
            row = session.execute(
                select(Letter).where(
                    Letter.outgoing_number == number.strip(), Letter.deleted_at.is_(None)
                )
            ).scalar_one_or_none()
            if row is None:
                raise NotFound(_("No letter numbered {number}.").format(number=number))
            return self._info(session, row)

    def list_letters(
        self, flt: LetterFilter | None = None, limit: int | None = None
    ) -> list[LetterInfo]:
        """The register, newest first: drafts, then issued letters by number; the newest
        ``limit`` of them when given (``count`` says how many there are)."""
        query = self._filtered(
            select(Letter, Case.number, Case.anonymised_at, Case.holder_mission),
            flt or LetterFilter(),
        )
        query = query.order_by(
            Letter.year.desc().nulls_first(),
            Letter.seq.desc().nulls_first(),
            Letter.updated_at.desc(),
        ).limit(limit)
        with self.ws.read() as session:
            users = {user.username: user for user in session.scalars(select(User))}
            found = list(session.execute(query))
            replies = self._replies(session, [row for row, *_rest in found])
            return [
                self._info(
                    session,
                    row,
                    number or "",
                    users,
                    replies.get(row.id),
                    gone is not None,
                    self._elsewhere(row, holder),
                )
                for row, number, gone, holder in found
            ]

    def count(self, flt: LetterFilter | None = None) -> int:
        query = self._filtered(select(func.count(Letter.id)), flt or LetterFilter())
        with self.ws.read() as session:
            return int(session.execute(query).scalar_one())

    def _filtered(self, query: Select, flt: LetterFilter) -> Select:
        query = query.outerjoin(Case, Case.id == Letter.case_id).where(Letter.deleted_at.is_(None))
        if flt.unanswered_for is not None:
            query = unanswered(query, flt.unanswered_for, self.today, self.ws.mission_here)
        if flt.kind:
            query = query.where(Letter.kind == parse_kind(flt.kind))
        if flt.status:
            if flt.status not in LETTER_STATUSES:
                raise ValidationError(
                    _("Unknown letter status: {status}.").format(status=flt.status), "status"
                )
            query = query.where(Letter.status == flt.status)
        if flt.year:
            # Issued letters belong to the year of their number; drafts to the year last edited.
            query = query.where(
                func.coalesce(Letter.year, extract("year", Letter.updated_at)) == flt.year
            )
        if flt.case_id:
            query = query.where(Letter.case_id == flt.case_id)
        if flt.case_number:
            query = query.where(Case.number == search.case_number_typed(flt.case_number))
        return query

    @staticmethod
    def _replies(session: Session, rows: list[Letter]) -> dict[str, ReplyInfo]:
        """The first reply recorded to each of ``rows`` that has one, by the letter's id."""
        issued = {row.id for row in rows if row.status == LetterStatus.ISSUED and row.case_id}
        if not issued:
            return {}
        case_ids = {row.case_id for row in rows if row.id in issued}
        found: dict[str, ReplyInfo] = {}
        # Columns, not entities: a page of 1,000 letters reads thousands of entries.
        entries = session.execute(
            select(
                CaseEvent.data,
                CaseEvent.text,
                CaseEvent.author,
                CaseEvent.id,
                CaseEvent.occurred_at,
            ).where(
                CaseEvent.case_id.in_(sorted(str(c) for c in case_ids)),
                CaseEvent.kind == EventKind.REPLY_RECEIVED.value,
                CaseEvent.deleted_at.is_(None),
            )
        )
        replies: list[tuple[str, ReplyInfo]] = []
        for data, text, author, entry_id, recorded_at in entries:
            reply = reply_of(data, text, author, entry_id, recorded_at)
            letter_id = str((data or {}).get("letter_id") or "")
            if reply is not None and letter_id in issued:
                replies.append((letter_id, reply))
        # A reply corrected on a later day stands in the entry that corrects it.
        corrected = {reply.corrects for _letter, reply in replies if reply.corrects}
        for letter_id, reply in replies:
            if reply.entry_id in corrected:
                continue
            held = found.get(letter_id)
            if held is None or reply.received_on < held.received_on:
                found[letter_id] = reply
        return found

    # -- replies ---------------------------------------------------------------------------------

    def record_reply(
        self,
        letter_id: str,
        received_on: date,
        sender: str,
        summary: str,
        attachment: tuple[str, bytes] | None = None,
    ) -> LetterInfo:
        """Record the answer to an issued letter on its case's timeline, with the scan of the
        answer (file name, content) stored on the case in the same transaction if given."""
        self.ws.require_role(*WRITERS)
        sender, summary = self._checked_reply(received_on, sender, summary)
        cases = CaseService(self.ws, self._today)
        file_name = checked_file(*attachment) if attachment else None
        with self.ws.write() as session:
            row = self._load(session, letter_id)
            if row.status != LetterStatus.ISSUED or not row.case_id:
                raise ConflictError(_("Only an issued letter can have a reply."))
            _refuse_reply_before_letter(row, received_on)
            case = self._case(session, row.case_id)
            _refuse_reply_on_anonymised(case)
            attachment_id = None
            if attachment and file_name:
                stored = cases.store_attachment(
                    session,
                    case,
                    file_name,
                    attachment[1],
                    description=_("Reply to letter {number}").format(number=row.outgoing_number),
                )
                attachment_id = stored.id
            number = row.outgoing_number or ""
            add_case_event(
                session,
                case.id,
                EventKind.REPLY_RECEIVED,
                self.ws.actor.username,
                summary,
                data=_reply_data(
                    SystemEvent.REPLY_RECEIVED, row, received_on, sender, attachment_id
                ),
            )
            case.updated_at = datetime.now(UTC)  # bundles travel by the case's version
            self.ws.audit(
                session,
                "letter.reply",
                "letter",
                row.id,
                {
                    "number": number,
                    "case": case.number,
                    "received_on": received_on.isoformat(),
                    "attachment": attachment_id,
                },
            )
            session.flush()
            search.index_cases(session, [case.id])
            return self._info(session, row)

    def _checked_reply(self, received_on: date, sender: str, summary: str) -> tuple[str, str]:
        """A reply's sender and summary as stored, once they and its day are fit."""
        sender = check.required_text(sender, "sender", _("Sender of the reply"), MAX_REPLY_SENDER)
        summary = check.required_text(summary, "summary", _("Summary"), MAX_REPLY_SUMMARY)
        check.not_future(received_on, "received_on", _("Received on"), self.today)
        return sender, summary

    def reply_correctable_in_place(self, reply: ReplyInfo) -> bool:
        """Whether a correction of ``reply`` changes its entry: recorded today, by this user or
        corrected by an administrator. Otherwise a correction is a new entry."""
        actor = self.ws.actor
        recorded = reply.recorded_at
        return (
            recorded is not None
            and recorded.astimezone().date() == self.today
            and (actor.username == reply.recorded_by or actor.role == Role.ADMIN)
        )

    def correct_reply(
        self, letter_id: str, entry_id: str, received_on: date, sender: str, summary: str
    ) -> ReplyCorrected:
        """Correct the reply recorded in ``entry_id`` (a mistyped date, sender or summary).

        The same day, whoever recorded it (or an administrator) changes the entry itself; later,
        or anyone else, records a new entry that says which one it corrects: the timeline keeps
        what was read when. Either way the audit entry keeps the values before the correction.
        """
        self.ws.require_role(*WRITERS)
        sender, summary = self._checked_reply(received_on, sender, summary)
        with self.ws.write() as session:
            row = self._load(session, letter_id)
            if row.case_id:  # before the entry, which anonymisation blanked
                _refuse_reply_on_anonymised(self._case(session, row.case_id))
            entry = session.get(CaseEvent, entry_id)
            if (
                entry is None
                or entry.deleted_at is not None
                or entry.kind != EventKind.REPLY_RECEIVED.value
                or (entry.data or {}).get("letter_id") != row.id
            ):
                raise NotFound(_("No such reply to this letter."))
            before = reply_of(entry.data, entry.text, entry.author, entry.id, entry.occurred_at)
            if before is None:
                raise NotFound(_("No such reply to this letter."))
            _refuse_reply_before_letter(row, received_on)
            if (before.received_on, before.sender, before.summary) == (
                received_on,
                sender,
                summary,
            ):
                raise ValidationError(_("Nothing was changed."), "summary")
            case = self._case(session, entry.case_id)
            number = row.outgoing_number or ""
            in_place = self.reply_correctable_in_place(before)
            if in_place:
                stored = dict(entry.data or {})
                params = {
                    **dict(stored.get("params") or {}),
                    "sender": sender,
                    "date": received_on.isoformat(),
                }
                entry.text = summary
                entry.data = {
                    **stored,
                    "params": params,
                    "received_on": received_on.isoformat(),
                    "sender": sender,
                }
                corrected_id = entry.id
            else:
                corrected_id = add_case_event(
                    session,
                    case.id,
                    EventKind.REPLY_RECEIVED,
                    self.ws.actor.username,
                    summary,
                    data={
                        **_reply_data(
                            SystemEvent.REPLY_CORRECTED,
                            row,
                            received_on,
                            sender,
                            before.attachment_id,
                            of=_recorded_day(before),
                        ),
                        "corrects": before.entry_id,
                    },
                ).id
            case.updated_at = datetime.now(UTC)  # bundles travel by the case's version
            self.ws.audit(
                session,
                "letter.reply_corrected",
                "letter",
                row.id,
                {
                    "number": number,
                    "case": case.number,
                    "before": {
                        "received_on": before.received_on.isoformat(),
                        "sender": before.sender,
                        "summary": before.summary,
                    },
                    "as_new_entry": not in_place,
                    "entry": corrected_id,
                },
            )
            session.flush()
            search.index_cases(session, [case.id])
            return ReplyCorrected(self._info(session, row), in_place)

    def pdf(self, letter_id: str) -> bytes:
        """The stored PDF of an issued letter, exactly as the register keeps it."""
        with self.ws.read() as session:
            row = self._load(session, letter_id)
            if row.status != LetterStatus.ISSUED:
                raise ValidationError(
                    _("Only an issued letter has a registered PDF; preview the draft instead."),
                    "status",
                )
            return self._registered_pdf(session, row)

    def record_copy(self, letter_id: str, printed: bool = False) -> None:
        """Audit a copy of the letter that now exists outside the encrypted database: its PDF
        saved to a file, or printed (as an attachment's saved copy is audited). Called once
        the copy is made: a save or a print that failed left nothing to account for."""
        action = "letter.print" if printed else "letter.copy"
        with self.ws.write() as session:
            row = self._load(session, letter_id)
            details = {"kind": row.kind, "status": row.status}
            if row.outgoing_number:
                details["number"] = row.outgoing_number
            self.ws.audit(session, action, "letter", row.id, details)

    def render_preview(self, letter_id: str) -> bytes:
        """The letter as it stands: an issued letter's stored PDF, else a watermarked draft."""
        with self._read_with_library() as session:
            row = self._load(session, letter_id)
            if row.status == LetterStatus.ISSUED:
                return self._registered_pdf(session, row)
            # A draft left from before HQ handed the case away is never rendered as a letter
            # of this mission: printed, it would read as one to send.
            self._require_held_here(session, row)
            return render_letter(self._context(session, row, None, self.today))

    @staticmethod
    def _registered_pdf(session: Session, row: Letter) -> bytes:
        """An issued letter's stored PDF. Where retention has blanked it, it is never rendered
        again in its place: that was a draft dated today, without the person's name, shown
        and printed as the letter sent."""
        if row.pdf is not None:
            return bytes(row.pdf)
        number = row.outgoing_number
        case = session.get(Case, row.case_id) if row.case_id else None
        if case is not None and case.anonymised_at is not None:
            # Said in the reader's language when shown: the register keeps it on screen.
            raise NotFound(
                lambda: _(
                    "The PDF of letter {number} is no longer kept: the personal data of its "
                    "case was anonymised at the end of the retention period."
                ).format(number=number)
            )
        raise NotFound(
            lambda: _("The PDF of letter {number} is missing from the register.").format(
                number=number
            )
        )

    def preview_for_case(self, case_id: str, kind: str, lang: str, fields: LetterFields) -> bytes:
        """A draft rendering that registers nothing (``qorgau letter render``)."""
        kind, lang = parse_kind(kind), parse_lang(lang)
        with self._read_with_library() as session:
            case = self._case_to_write_for(session, case_id)
            row = self._new_row(session, case, kind, lang, fields)
            return render_letter(self._context(session, row, None, self.today))

    def checks_for_case(
        self, case_id: str, kind: str, lang: str, fields: LetterFields
    ) -> list[str]:
        """The checks before approval for a letter not yet saved: the drafter sees them while
        writing it, not when the consul sends it back."""
        kind, lang = parse_kind(kind), parse_lang(lang)
        with self._read_with_library() as session:
            case = self._case_to_write_for(session, case_id)
            return self._warnings(session, self._new_row(session, case, kind, lang, fields))

    def defaults(self, case_id: str, kind: str, lang: str) -> LetterFields:
        """What a new letter of ``kind`` starts with, for the editor: every paragraph editable."""
        kind, lang = parse_kind(kind), parse_lang(lang)
        with self.ws.read() as session:
            case = self._case_to_write_for(session, case_id)
            return _without_direction_controls(
                LetterFields(
                    addressee=self._default_addressee(session, case, kind, lang),
                    subject=self._default_subject(session, case, lang),
                    facts=self._default_facts(session, case, kind, lang),
                    requests=self._default_requests(session, case, kind, lang),
                    forward_to=self._default_forward_to(case, kind, lang),
                    share_identity=kind in _IDENTITY_BY_DEFAULT,
                )
            )

    def suggested_lang(self, case_id: str, kind: str) -> str:
        """The language a new letter of ``kind`` starts in: the one this installation's latest
        letter of that kind to the case's host country was written in (officers keep to one),
        else the addressee's: Russian to a host that corresponds in it, English to any other
        host, and to Kazakhstan the interface's Kazakh or Russian (Kazakh otherwise)."""
        kind = parse_kind(kind)
        with self.ws.read() as session:
            case = self._case(session, case_id)
            latest = session.scalar(
                select(Letter.lang)
                .join(Case, Case.id == Letter.case_id)
                .where(
                    Letter.kind == kind,
                    Letter.deleted_at.is_(None),
                    Case.host_country == case.host_country,
                )
                .order_by(Letter.updated_at.desc())
                .limit(1)
            )
            if latest in LANGUAGES:
                return str(latest)
            if kind in ABROAD:
                return "ru" if case.host_country in _CORRESPONDS_IN_RUSSIAN else "en"
            interface = current_language()
            return interface if interface in ("kk", "ru") else "kk"

    def signer_text(self, letter_id: str | None, lang: str) -> str:
        """Who signs: the approver, else (a draft) the consul expected to, said as such."""
        lang = parse_lang(lang)
        with self.ws.read() as session:
            row = self._load(session, letter_id) if letter_id else None
            probe = row or Letter(lang=lang, approved_by=None)
            user = self._signer(session, probe)
            if user is None:
                return _("No consul is set up to sign letters.")
            who = f"{position_of(user, lang)} {user_name(user, lang)}".strip()
            if row is not None and row.approved_by:
                return who
            return _("{who} (on approval)").format(who=who)

    def warnings(self, letter_id: str) -> list[str]:
        """What an approver should know before signing: nothing here blocks approval."""
        with self._read_with_library() as session:
            row = self._load(session, letter_id)
            return self._warnings(session, row)

    def _read_with_library(self) -> AbstractContextManager[Session]:
        """A read for rendering a letter, whose citations need the agreement library: seeded
        first, in its own write, if nobody has yet (a read must not write)."""
        ensure_library(self.ws)
        return self.ws.read()

    # -- writing ---------------------------------------------------------------------------------

    def draft(
        self,
        case_id: str,
        kind: str,
        lang: str,
        fields: LetterFields | None = None,
        *,
        addressed: bool = False,
    ) -> LetterInfo:
        """A new draft. ``addressed``: refuse one with no addressee now, as approval would,
        for a caller with no form to come back to (the command line)."""
        self.ws.require_role(*WRITERS)
        kind, lang = parse_kind(kind), parse_lang(lang)
        fields = fields or LetterFields()
        with self.ws.write() as session:
            case = self._case_to_write_for(session, case_id)
            row = self._new_row(session, case, kind, lang, fields)
            if addressed:
                _require_addressee(row)
            session.add(row)
            session.flush()
            self.ws.audit(
                session, "letter.draft", "letter", row.id, {"case": case.number, "kind": kind}
            )
            return self._info(session, row)

    def update_draft(
        self,
        letter_id: str,
        fields: LetterFields,
        lang: str | None = None,
        expected_version: int | None = None,
    ) -> LetterInfo:
        """Change a draft; changing an approved letter sends it back for approval."""
        self.ws.require_role(*WRITERS)
        with self.ws.write() as session:
            row = self._load(session, letter_id)
            check.record_version(session, row, expected_version)
            self._require_editable(row)
            case = self._case_to_write_for(session, row.case_id or "")
            if lang is not None:
                row.lang = parse_lang(lang)
            self._apply(session, row, case, fields)
            self._back_to_draft(session, row, case)
            session.flush()
            return self._info(session, row)

    def _back_to_draft(self, session: Session, row: Letter, case: Case) -> None:
        """An edited letter, or one whose case changed since approval, is a draft again:
        a consul's approval covers only the text they saw."""
        was_approved = row.status == LetterStatus.APPROVED
        row.status = LetterStatus.DRAFT.value
        row.approved_by = None
        self.ws.audit(
            session,
            "letter.update",
            "letter",
            row.id,
            {"case": case.number, "approval_withdrawn": was_approved},
        )

    def approve(self, letter_id: str, expected_version: int | None = None) -> LetterInfo:
        self.ws.require_role(*APPROVERS)
        with self.ws.write() as session:
            row = self._load(session, letter_id)
            check.record_version(session, row, expected_version)
            if row.status != LetterStatus.DRAFT:
                raise ConflictError(_("Only a draft can be approved."))
            self._require_held_here(session, row)
            self._check_complete(row)
            self._require_signer(session, row)
            row.status = LetterStatus.APPROVED.value
            row.approved_by = self.ws.actor.username
            # What the consul approved, kept where nobody edits it: issue checks it is unchanged.
            approved: dict[str, Any] = {"on": self.today.isoformat()}
            approved["content_digest"] = approval_digest(
                self._approval_context(session, row, self.today)
            )
            approved["digest_rule"] = APPROVAL_RULE
            self.ws.audit(
                session, "letter.approve", "letter", row.id, {"kind": row.kind, **approved}
            )
            session.flush()
            return self._info(session, row)

    def issue(self, letter_id: str) -> LetterInfo:
        """Number, render and register an approved letter (its approver or its drafter)."""
        self.ws.require_role(*WRITERS)
        with self.ws.write() as session:
            row = self._load(session, letter_id)
            if row.status == LetterStatus.ISSUED:
                raise ConflictError(
                    _("This letter was already issued as {number}.").format(
                        number=row.outgoing_number
                    )
                )
            if row.status != LetterStatus.APPROVED:
                raise ConflictError(_("A letter must be approved by a consul before it is issued."))
            self._require_held_here(session, row)
            actor = self.ws.actor
            if actor.role not in APPROVERS and actor.username != row.drafted_by:
                raise PermissionDenied(
                    _("Only the consul or the officer who drafted this letter can issue it.")
                )
            case = self._case_for_letter(session, row.case_id or "")
            approval = self._last_approval(session, row)
            if approval is None or self._still_as_approved(session, row, approval):
                return self._register(session, row, case, actor)
            # The case feeds the letter (worker, employer, amounts, citations): changed
            # after approval, the consul's signature would cover text they never saw.
            self._back_to_draft(session, row, case)
        if approval.get("digest_rule") != APPROVAL_RULE:
            # Approved by an earlier release: this one may word it otherwise, so say so
            # rather than blame the case alone.
            raise ConflictError(
                _(
                    "The letter was approved under an earlier version of Qorgau and no longer "
                    "reads as the consul approved it: the case changed since, or this version "
                    "words it differently. It was not issued and is a draft again. Check it "
                    "and ask a consul to approve it again."
                )
            )
        raise ConflictError(
            _(
                "The letter's content has changed since the consul approved it (the case's "
                "worker, employer, amounts or citations, or the letterhead): it was not "
                "issued and is a draft again. Check it and ask a consul to approve it again."
            )
        )

    def _register(self, session: Session, row: Letter, case: Case, actor: Any) -> LetterInfo:
        """Number, render and store ``row`` in the register (in the caller's transaction)."""
        year = self.today.year
        seq = next_counter(session, f"letter:{self.ws.mission_code}:{year}")
        number = outgoing_number(self.ws.mission_code, year, seq)
        context = with_qr_digest(self._context(session, row, number, self.today))
        pdf = render_letter(context)
        digest = hashlib.sha256(pdf).hexdigest()
        now = datetime.now(UTC)
        row.status = LetterStatus.ISSUED.value
        row.year, row.seq, row.outgoing_number = year, seq, number
        row.letter_date = self.today
        row.pdf, row.pdf_sha256 = pdf, digest
        row.content_digest = context.letter_hash_for_qr
        row.issued_by, row.issued_at = actor.username, now
        self._mark_in_progress(session, case, number, now)
        add_case_event(
            session,
            case.id,
            EventKind.LETTER_SENT,
            actor.username,
            row.subject,
            occurred_at=now,
            data={
                **event_data(SystemEvent.LETTER_ISSUED, number=number, kind=row.kind),
                "letter_id": row.id,
                "number": number,
                "sha256": digest,
            },
        )
        case.updated_at = now  # the timeline changed; bundles travel by the case's version
        self.ws.audit(
            session,
            "letter.issue",
            "letter",
            row.id,
            {
                "number": number,
                "case": case.number,
                "kind": row.kind,
                "lang": row.lang,
                "sha256": digest,
                "content_digest": row.content_digest,
            },
        )
        session.flush()
        search.index_cases(session, [case.id])
        return self._info(session, row)

    def _mark_in_progress(self, session: Session, case: Case, number: str, now: datetime) -> None:
        """A letter sent is work begun: a "new" case moves to "in progress", on the record.

        Left "new", the case would stay among the untouched ones on the Start page although
        the mission has written about it."""
        if case.status != CaseStatus.NEW.value:
            return
        case.status = CaseStatus.IN_PROGRESS.value
        case.escalated_at = None
        add_case_event(
            session,
            case.id,
            EventKind.STATUS_CHANGE,
            self.ws.actor.username,
            occurred_at=now,
            data=event_data(SystemEvent.STARTED_BY_LETTER, number=number),
            status_from=CaseStatus.NEW.value,
            status_to=CaseStatus.IN_PROGRESS.value,
        )
        self.ws.audit(
            session,
            "case.status",
            "case",
            case.number,
            {"from": CaseStatus.NEW.value, "to": CaseStatus.IN_PROGRESS.value, "letter": number},
        )

    def discard(self, letter_id: str) -> None:
        """Remove a draft or approved letter; issued letters stay in the register for good."""
        self.ws.require_role(*WRITERS)
        with self.ws.write() as session:
            row = self._load(session, letter_id)
            self._require_editable(row)
            self._require_held_here(session, row)  # the record of what was drafted stays
            row.deleted_at = datetime.now(UTC)
            self.ws.audit(session, "letter.discard", "letter", row.id, {"kind": row.kind})

    # -- verifying -------------------------------------------------------------------------------

    def verify(self, content: bytes) -> VerifyResult:
        """Whether a PDF file is, unchanged, a letter of this register (by its SHA-256)."""
        digest = hashlib.sha256(content).hexdigest()
        unmatched = _(
            "This file does not match any letter in the register: it was changed "
            "after issue, or it was not issued here."
        )
        if is_draft_pdf(content):
            # A draft saved or printed before issue was said to be "changed after issue".
            unmatched = _(
                "This file is a draft (marked as such, without an outgoing number): only "
                "issued letters are in the register. Check the issued letter's file or code."
            )
        return self._issued_letter(digest, Letter.pdf_sha256 == digest, unmatched)

    def verify_file(self, path: Path) -> VerifyResult:
        """``verify`` of a file's content, read whole; a file larger than any letter, or one
        that cannot be read, is refused with a message saying so."""
        try:
            content = read_at_most(path, MAX_VERIFY_BYTES)
        except FileNotFoundError:
            raise ValidationError(_("{path} does not exist.").format(path=path)) from None
        except OSError as exc:
            raise ValidationError(
                _("{path} cannot be read: {error}").format(path=path, error=os_error_reason(exc))
            ) from None
        if content is None:
            raise ValidationError(_("{path} is too large to be a letter.").format(path=path))
        return self.verify(content)

    def verify_code(self, payload: str) -> VerifyResult:
        """Check the text of a letter's QR code (``QORGAU|number|digest``) against the register.

        As a scanner types it: with the Russian or Kazakh layout on (``ЙЩКПФГ/…``) or Caps Lock
        (the number's letters are capitals, the digest's small, whatever the case typed)."""
        number, digest = parse_code(as_latin_keys(payload.strip()).translate(_SHIFTED_DIGITS))
        return self._issued_letter(
            digest,
            Letter.outgoing_number == number,
            _(
                "The register holds no issued letter {number}: it was not issued here, or the "
                "code was misread."
            ).format(number=number),
            content_digest=digest,
            changed=_(
                "The code does not match the register's letter {number}: its text was "
                "changed after issue, or the code was taken from another letter."
            ).format(number=number),
        )

    def _issued_letter(
        self,
        digest: str,
        where: ColumnElement[bool],
        unmatched: str,
        content_digest: str | None = None,
        changed: str = "",
    ) -> VerifyResult:
        """Whether an issued letter is found by ``where`` (and, if given, has this content
        digest); ``unmatched`` says why not, ``changed`` why a letter found does not match."""
        with self.ws.read() as session:
            row = session.execute(
                select(Letter).where(
                    where, Letter.status == LetterStatus.ISSUED, Letter.deleted_at.is_(None)
                )
            ).scalar_one_or_none()
            if row is None:
                return VerifyResult(False, digest, unmatched)
            if content_digest is not None and row.content_digest != content_digest:
                return VerifyResult(False, digest, changed or unmatched)
            info = self._info(session, row)
        return VerifyResult(True, digest, _verified_message(info, content_digest is not None), info)

    # -- internals -------------------------------------------------------------------------------

    def _load(self, session: Session, letter_id: str) -> Letter:
        return live_row(session, Letter, letter_id, _("No such letter."))

    @staticmethod
    def _case(session: Session, case_id: str) -> Case:
        return live_row(session, Case, case_id, _("No such case."))

    @classmethod
    def _case_for_letter(cls, session: Session, case_id: str) -> Case:
        """The case a letter is written, shown or issued for: never an anonymised one, whose
        worker, still on file for another case, the letter would name."""
        case = cls._case(session, case_id)
        if case.anonymised_at is not None:
            raise ValidationError(
                _(
                    "Case {number} was anonymised at the end of the retention period: no "
                    "letter is written for it."
                ).format(number=case.number)
            )
        return case

    def _case_to_write_for(self, session: Session, case_id: str) -> Case:
        """The case a letter is drafted or changed for: as ``_case_for_letter``, and held
        here. A mission HQ transferred the case away from keeps a copy to read; a letter
        from it would say it assists a worker another mission now assists."""
        case = self._case_for_letter(session, case_id)
        refusal = self._handed_away(session, case)
        if refusal:
            raise PermissionDenied(refusal)
        return case

    def _require_held_here(self, session: Session, row: Letter) -> None:
        """Refuse to show, approve, issue or discard an unissued letter of a case HQ has
        since handed to another mission: it stays here as a record of what was drafted."""
        case = session.get(Case, row.case_id) if row.case_id else None
        refusal = self._handed_away(session, case) if case is not None else ""
        if refusal:
            raise PermissionDenied(refusal)

    def new_letter_refusal(self, case_id: str) -> str:
        """Why no letter may be drafted here for the case, in the user's language; empty
        when one may (the New letter action is greyed with this as its tooltip)."""
        with self.ws.read() as session:
            return self._handed_away(session, self._case(session, case_id))

    def _handed_away(self, session: Session, case: Case) -> str:
        """The refusal for a case HQ transferred from this mission to another, naming the
        mission that holds it; empty for a case held here, and at HQ."""
        here = self.ws.mission_here
        if not here or case.holder_mission == here:
            return ""
        return _(
            "Case {number} is handled by another mission now ({mission}): headquarters "
            "transferred it there, and letters about it are written there, not here."
        ).format(
            number=case.number,
            mission=self._mission_name(session, case.holder_mission, current_language()),
        )

    @staticmethod
    def _mission_name(session: Session, code: str, lang: str) -> str:
        """The name in ``lang`` of the mission coded ``code``; its code when none is on file."""
        row = session.execute(select(Mission).where(Mission.code == code)).scalar_one_or_none()
        return (mission_name_in(row, lang) if row is not None else "") or code

    @staticmethod
    def _require_editable(row: Letter) -> None:
        if row.status == LetterStatus.ISSUED:
            raise ConflictError(
                _("Letter {number} is issued and can no longer change.").format(
                    number=row.outgoing_number
                )
            )

    @staticmethod
    def _check_complete(row: Letter) -> None:
        _require_addressee(row)
        if not row.subject.strip():
            raise ValidationError(_("The letter needs a subject."), "subject")

    def _new_row(
        self, session: Session, case: Case, kind: str, lang: str, fields: LetterFields
    ) -> Letter:
        row = Letter(
            case_id=case.id,
            mission_code=self.ws.mission_code,
            kind=kind,
            lang=lang,
            status=LetterStatus.DRAFT.value,
            drafted_by=self.ws.actor.username,
        )
        self._apply(session, row, case, fields)
        return row

    def _apply(self, session: Session, row: Letter, case: Case, fields: LetterFields) -> None:
        addressee = fields.addressee or self._default_addressee(session, case, row.kind, row.lang)
        row.addressee = _addressee_json(_clean_addressee(addressee))
        subject = clean_text(fields.subject, "subject", _("The subject"), MAX_SUBJECT)
        row.subject = " ".join(subject.split()) or self._default_subject(session, case, row.lang)
        row.free_text = clean_text(fields.free_text, "free_text", _("The text"), MAX_FREE_TEXT)
        if fields.incoming_ref is None:
            row.incoming_number, row.incoming_date = "", None
        else:
            number, when = fields.incoming_ref
            row.incoming_number = check.required_text(
                clean_text(number, "incoming_number", _("Their number"), 60),
                "incoming_number",
                _("Their number"),
                60,
            )
            check.not_future(when, "incoming_date", _("The date of their letter"), self.today)
            row.incoming_date = when
        if len(fields.attachments) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("At most {n} enclosures can be listed.").format(n=MAX_ATTACHMENTS), "attachments"
            )
        row.attachments_note = [
            text
            for item in fields.attachments
            if (text := clean_text(item, "attachments", _("An enclosure"), MAX_FIELD))
        ]
        row.facts = (
            self._default_facts(session, case, row.kind, row.lang)
            if fields.facts is None
            else clean_text(fields.facts, "facts", _("The facts"), MAX_FREE_TEXT)
        )
        row.requests = (
            self._default_requests(session, case, row.kind, row.lang)
            if fields.requests is None
            else clean_text(fields.requests, "requests", _("The requests"), MAX_FREE_TEXT)
        )
        forward_to = clean_text(fields.forward_to, "forward_to", _("Forward to"), MAX_FIELD)
        if fields.addressee is None and not forward_to:
            forward_to = self._default_forward_to(case, row.kind, row.lang)
        share = fields.share_identity
        row.options = {
            "forward_to": " ".join(forward_to.split()),
            "share_identity": row.kind in _IDENTITY_BY_DEFAULT if share is None else bool(share),
        }

    def _claims(self, case: Case, kind: str, lang: str) -> tuple[str, ...]:
        """The case's amounts claimed that a letter of ``kind`` lists, written out in ``lang``."""
        return tuple(text for _what, text in self._claims_by_kind(case, kind, lang))

    @staticmethod
    def _claims_by_kind(case: Case, kind: str, lang: str) -> tuple[tuple[str, str], ...]:
        """(kind, text in ``lang``) of each amount claimed on the case that a letter of ``kind``
        lists: an employer letter only what the employer owes (``employer_owes``)."""
        claims = tuple(
            (
                claim.what,
                claim_text(
                    claim, lang, money_text(claim.amount, claim.currency, lang), date_numeric
                ),
            )
            for claim in parse_claims(case.claims)
        )
        if kind == "employer_letter":
            return employer_owes(claims, agency_took_fee=bool(case.agency_id))
        return claims

    def _default_facts(self, session: Session, case: Case, kind: str, lang: str) -> str:
        person = session.get(Person, case.person_id)
        sex = known_sex(person) if person is not None else None
        codes = tuple(c.code for c in case.categories)
        claims = self._claims(case, kind, lang)
        return default_facts(
            codes,
            sex,
            lang,
            claims,
            to_the_employer=kind == "employer_letter",
            # A referral asks to help trace the worker "whose relatives cannot find" them.
            search_opened=kind == "referral",
        )

    def _default_requests(self, session: Session, case: Case, kind: str, lang: str) -> str:
        if kind != "employer_letter":
            return ""
        codes = tuple(c.code for c in case.categories)
        mission = self._mission(session)
        dative = mission_forms(mission, lang)[2]
        items = default_demands(
            codes,
            self._claims_by_kind(case, kind, lang),
            lang,
            agency_took_fee=bool(case.agency_id),
            mission_dative=dative,
        )
        items.append(closing_request(lang, 14, dative))
        return "\n".join(items)

    @staticmethod
    def _default_forward_to(case: Case, kind: str, lang: str) -> str:
        if kind != "note_verbale_labour_authority":
            return ""
        # A search for a missing worker or a death is not the labour ministry's business.
        if _absence({c.code for c in case.categories}):
            return body(case.host_country, "competent", lang).nominative
        return body(case.host_country, "labour", lang).nominative

    def _default_subject(self, session: Session, case: Case, lang: str) -> str:
        name = person_name(self._person(session, case), lang)
        return _DEFAULT_SUBJECT[lang].format(case=case.number, name=name)

    def _default_addressee(self, session: Session, case: Case, kind: str, lang: str) -> Addressee:
        if kind == "employer_letter" and case.employer_id:
            employer = session.get(Employer, case.employer_id)
            if employer is not None:
                return employer_addressee(employer, lang, letterhead(session).city)
        if kind == "referral":
            partner = session.execute(
                select(PartnerOrganisation)
                .join(PartnerReferral, PartnerReferral.partner_id == PartnerOrganisation.id)
                .where(
                    PartnerReferral.case_id == case.id,
                    PartnerReferral.deleted_at.is_(None),
                    PartnerOrganisation.deleted_at.is_(None),
                )
                # The latest referral; of two on one day, the one made last.
                .order_by(PartnerReferral.referred_at.desc(), PartnerReferral.change_seq.desc())
                .limit(1)
            ).scalar_one_or_none()
            if partner is not None:
                address = postal_address(
                    partner.address,
                    partner.city,
                    partner.country,
                    lang,
                    mission_city=letterhead(session).city,
                )
                return Addressee("", partner.name, address)
        if kind in ("agency_report", "hq_case_report"):
            table = _MINISTRY_OF_LABOUR if kind == "agency_report" else _MINISTRY_OF_FOREIGN_AFFAIRS
            organisation, dative, address = table[lang]
            return Addressee("", organisation, address, organisation_dative=dative or None)
        if kind == "note_verbale_labour_authority":
            # Official business with the host state goes through its MFA (VCDR art. 41(2)),
            # reached in the mission's city. Another state's is not here: the officer writes
            # where it is, and the approver is told why (``_warnings``).
            mission = self._mission(session)
            ministry = body(case.host_country, "mfa", lang)
            here = case.host_country == self.ws.mission.country
            city = mission.text("city", lang) if here else ""
            if here and mission_kind(mission) != "embassy":
                # A consulate is not in the capital: its note goes to the ministry's office in
                # its city where there is one (Istanbul), else to the ministry in the capital.
                ministry, seat = mfa_for_consulate(
                    case.host_country, mission.text("city", "en"), lang
                )
                city = city_name(seat, lang, mission.city) if seat else ""
            return Addressee("", ministry.nominative, city, organisation_dative=ministry.dative)
        return Addressee("", "", "")

    @staticmethod
    def _person(session: Session, case: Case) -> PersonInfo:
        person = session.get(Person, case.person_id)
        if person is None:
            raise NotFound(_("No such person."))
        return PersonInfo(
            surname=person.surname,
            given_names=person.given_names,
            patronymic=person.patronymic,
            sex=known_sex(person),
            surname_latin=person.surname_latin,
            given_names_latin=person.given_names_latin,
            iin=person.iin,
            birth_date=person.birth_date,
            passport_no=person.passport_no,
            phone=person.phone_abroad or person.phone_home or None,
        )

    def _mission(self, session: Session) -> MissionInfo:
        mission = letterhead(session)
        if not mission.name:
            raise ValidationError(
                _("Enter the mission's name in Settings before writing letters."), "mission"
            )
        return mission

    def _signer(
        self, session: Session, row: Letter, users: Mapping[str, User] | None = None
    ) -> User | None:
        """The approver; before approval, the mission's first active consul (shown as such).
        ``users``, the mission's users by name, when the caller has read them (the register
        names the signer of each of its letters: a query each was 40 ms for 40 letters)."""
        if users is None:
            users = {user.username: user for user in session.scalars(select(User))}
        if row.approved_by and (approver := users.get(row.approved_by)) is not None:
            return approver
        consuls = [u for u in users.values() if u.role == Role.CONSUL and u.active]
        return min(consuls, key=lambda u: u.username, default=None)

    def _signatory(
        self, session: Session, row: Letter, users: Mapping[str, User] | None = None
    ) -> Signatory:
        user = self._signer(session, row, users)
        if user is None:
            return Signatory(_CONSUL_POSITION[row.lang], "")
        return Signatory(position_of(user, row.lang), officer_name(user, row.lang))

    def _require_signer(self, session: Session, row: Letter) -> None:
        actor = session.execute(
            select(User).where(User.username == self.ws.actor.username)
        ).scalar_one_or_none()
        if actor is not None and actor.role == Role.ADMIN and not position_of(actor, row.lang):
            raise PermissionDenied(
                _(
                    "An administrator approves letters only as head of mission: record your "
                    "position in this letter's language under Users first."
                )
            )

    def _executor(self, session: Session, row: Letter, mission: MissionInfo) -> Executor:
        user = session.execute(
            select(User).where(User.username == row.drafted_by)
        ).scalar_one_or_none()
        if user is None:
            return Executor("", mission.phone)
        return Executor(officer_name(user, row.lang), user.phone or mission.phone)

    def _officer_warnings(self, session: Session, row: Letter) -> list[str]:
        """The signatory's and the executor's requisites the letter leaves out for want of a
        record: a letter prints no login and no empty line, so the approver must know."""
        found = []
        signer = self._signer(session, row)
        if signer is not None and not officer_name(signer, row.lang):
            if row.kind in _UNSIGNED:
                found.append(
                    _(
                        "{user} has no full name recorded: the note carries no initials beside "
                        "the seal. Record the name under Users before the note is approved."
                    ).format(user=signer.username)
                )
            else:
                found.append(
                    _(
                        "{user} has no full name recorded: the letter is signed with the "
                        "position only. Record the name under Users before the letter is "
                        "approved."
                    ).format(user=signer.username)
                )
        if row.kind in _UNSIGNED:
            return found  # a note prints no executor to be missing
        executor = self._executor(session, row, self._mission(session))
        if not executor.name:
            found.append(
                _(
                    "{user}, who drafted the letter, has no full name recorded: the letter "
                    "names no executor. Record the name under Users before the letter is "
                    "approved."
                ).format(user=row.drafted_by)
            )
        if not executor.phone:
            found.append(
                _(
                    "Neither the drafter nor the mission has a phone number recorded: the "
                    "letter gives no phone for its executor. Record one under Users or in "
                    "Settings before the letter is approved."
                )
            )
        return found

    def _warnings(self, session: Session, row: Letter) -> list[str]:
        case = self._case(session, row.case_id or "")
        person = session.get(Person, case.person_id)
        found: list[str] = []
        if person is not None and known_sex(person) is None:
            found.append(
                _(
                    "The person's sex is not recorded, and neither the IIN nor the names tell "
                    "it: the letter speaks of “the worker” instead of he or she. Record the sex "
                    "on the person if it is known."
                )
            )
        if row.kind == "agency_report" and not case.agency_id:
            found.append(
                _(
                    "The case names no recruitment agency: the letter asks the ministry to "
                    "establish whether one placed the worker. If the worker named the agency, "
                    "record it on the case first."
                )
            )
        if row.kind in _STATING_FACTS and not (row.facts.strip() or row.free_text.strip()):
            # A case of "Other" (every row of a register that names no complaint) gives no
            # facts of its own: the letter asked for measures without saying for what.
            found.append(
                _(
                    "The letter states no facts: write what the worker reports before it is "
                    "approved."
                )
            )
        if person is not None:
            found += _latin_name_warning(person, row.lang, row.kind in ABROAD)
        scope = CONSENT_FOR_KIND.get(row.kind)
        lacking = [ConsentScope(scope)] if scope and not consent_covers(person, row.kind) else []
        # A warning, as the consent above and a referral to a partner abroad give, not a
        # refusal: consent may be on paper not yet recorded, and the law lets some transfers
        # abroad go without it (under a treaty, to protect life or health), which the
        # approver judges.
        country = self._data_goes_to(session, row, case)
        abroad = country != KAZAKHSTAN and not consents_to_transfer_abroad(person)
        if (lacking or abroad) and not has_recorded_consent(person):
            # Told of a "recorded consent" that does not cover this, the consul looked for a
            # consent the case does not hold: it holds none, said once.
            found.append(no_consent_recorded(*lacking, *([ConsentScope.CROSS_BORDER] * abroad)))
        else:
            found += [consent_not_covered(scope_) for scope_ in lacking]
            if abroad:
                found.append(cross_border_not_covered(country))
        codes = {c.code for c in case.categories}
        abuse = [c for c in _ABUSE_BY_EMPLOYER if c.value in codes]
        if row.kind == "employer_letter" and abuse:
            found.append(
                _(
                    "The worker reports {complaints}: this letter tells the employer that the "
                    "worker has turned to the mission. Before it is approved, make sure the "
                    "worker is safe and agrees to it being sent."
                ).format(complaints=_complaints_named(abuse))
            )
        absent = [c for c in _NOT_IN_PERSON if c.value in codes]
        if row.kind in _IN_PERSON_KINDS and absent:
            found.append(
                _(
                    "The case's complaints include {complaints}: this letter says that the "
                    "worker is missing or has died and that others turned to the mission. "
                    "Check that the case records this rightly before the letter is approved."
                ).format(complaints=_complaints_named(absent))
            )
        if row.kind == "note_verbale_labour_authority" and (
            case.host_country != self.ws.mission.country
        ):
            found.append(
                _(
                    "The worker is in {state}, but this mission is in {here}: a note to the "
                    "authorities of {state} goes through the mission accredited there. Check "
                    "the addressee and write its address."
                ).format(
                    state=state_name(case.host_country, current_language()),
                    here=state_name(self.ws.mission.country, current_language()),
                )
            )
        if not is_known(case.host_country):
            found.append(
                _(
                    "{country} has no official name in the states table; the letter uses CLDR's."
                ).format(country=case.host_country)
            )
        context = self._context(session, row, None, self.today)
        cited = self._cited(session, case, row.lang, row.kind, self.today)
        unchecked = [c for c in cited if not c.verified]
        if unchecked and row.kind not in _CHECKED_ONLY:
            # The letter must say so (DOMAIN.md: never present an unsure item as settled);
            # the approver should know before a ministry reads it.
            found.append(
                _(
                    "The letter cites provisions not yet checked against their source, marked "
                    "“unverified” in it: {provisions}. Check them before the letter is approved."
                ).format(provisions="; ".join(_cited(c) for c in unchecked))
            )
        elif unchecked:
            # What the letter could cite once checked, so the approver can ask HQ to check it.
            # Not in the letter, they are named in the reader's language: a Kazakh letter's
            # «Ең төменгі жалақы туралы заң» stood in the Russian screen's warning.
            reader = current_language()
            if reader != row.lang:
                named = self._cited(session, case, reader, row.kind, self.today)
                unchecked = [c for c in named if not c.verified] or unchecked
            found.append(
                _(
                    "The letter leaves out provisions that bear on the case but are not yet "
                    "checked against their source: {provisions}. A letter to an employer cites "
                    "only checked law."
                ).format(provisions="; ".join(_cited(c) for c in unchecked))
            )
        undated = [c for c in context.citations if not c.in_force_date_known]
        if undated:
            # The letter cites them as in force; no source said since when (legal-facts.md).
            found.append(
                _(
                    "The letter cites instruments in force whose date of entry into force is "
                    "not known: {provisions}. Check that they applied to the facts of the case "
                    "before the letter is approved."
                ).format(provisions="; ".join(_cited(c) for c in undated))
            )
        if row.kind not in _HOST_LAW_ONLY:
            found.extend(self._timing_warnings(session, case.id, row.lang))
        found.extend(self._officer_warnings(session, row))
        found.extend(foreign_script_passages(context))
        found.extend(unprintable_passages(context))
        return found

    def _data_goes_to(self, session: Session, row: Letter, case: Case) -> str:
        """The country the letter takes the person's data to, for the consent to a transfer
        abroad: the ministries in Astana, and the worker's own certificate, keep it at home; an
        employer is where its record says; a partner where the partners' list says (by the name
        the letter is addressed to); the host state's authorities, and an addressee on no
        record, in the case's host country."""
        if row.kind in _ADDRESSED_AT_HOME or row.kind not in CONSENT_FOR_KIND:
            return KAZAKHSTAN
        if row.kind == "employer_letter" and case.employer_id:
            employer = session.get(Employer, case.employer_id)
            if employer is not None and employer.country:
                return employer.country.upper()
        if row.kind == "referral":
            name = _addressee_of(row.addressee).organisation.strip()
            countries = set(
                session.scalars(
                    select(PartnerOrganisation.country).where(
                        PartnerOrganisation.name == name,
                        PartnerOrganisation.deleted_at.is_(None),
                    )
                )
            )
            # Two partners of one name, one abroad: the transfer abroad is the one to check.
            abroad = sorted(c.upper() for c in countries if c.upper() != KAZAKHSTAN)
            if countries:
                return abroad[0] if abroad else KAZAKHSTAN
        return (case.host_country or KAZAKHSTAN).upper()

    def _consented(self, session: Session, row: Letter, case: Case) -> bool:
        """Whether the person's recorded consent covers all the letter gives away, its purpose
        and a transfer abroad: only then may a referral say it is made with their consent."""
        person = session.get(Person, case.person_id)
        if not consent_covers(person, row.kind):
            return False
        home = self._data_goes_to(session, row, case) == KAZAKHSTAN
        return home or consents_to_transfer_abroad(person)

    def _timing_warnings(self, session: Session, case_id: str, lang: str) -> list[str]:
        """Instruments the case cites that the letter leaves out (not in force for the host
        on its date) or cites as standards only (binding only after the facts)."""
        found = []
        left_out = citations_not_in_force(self.ws, session, case_id, lang, self.today)
        if left_out:
            # Not in force (signed only, doubtful, or not yet for the host): it binds no one.
            found.append(
                _(
                    "The case cites instruments not in force for the host country on the "
                    "letter's date, which the letter leaves out: {provisions}. An instrument "
                    "binds no one before it is in force."
                ).format(provisions="; ".join(left_out))
            )
        after = citations_after_the_facts(self.ws, session, case_id, lang, self.today)
        if after:
            found.append(
                _(
                    "The case cites instruments that bound the host country only after the "
                    "facts of the case (the periods of its claims and contracts), which the "
                    "letter cites as international standards, not as the law that was broken: "
                    "{provisions}."
                ).format(provisions="; ".join(after))
            )
        agreements_after = citations_after_the_facts(
            self.ws, session, case_id, lang, self.today, between_states=True
        )
        if agreements_after:
            # Not standards: the letter names them as in force only since, with the day.
            found.append(
                _(
                    "The case cites agreements that entered into force for the host country "
                    "only after the facts of the case (the periods of its claims and "
                    "contracts), which the letter cites as in force since then, with the day, "
                    "not as the law that was broken: {provisions}."
                ).format(provisions="; ".join(agreements_after))
            )
        return found

    def _citations(
        self, session: Session, case: Case, lang: str, kind: str, on: date
    ) -> tuple[Citation, ...]:
        """What the letter cites: of what bears on the case, for an employer the checked
        provisions only (the approver is told what it leaves out)."""
        cited = self._cited(session, case, lang, kind, on)
        return tuple(c for c in cited if c.verified) if kind in _CHECKED_ONLY else cited

    def _cited(
        self, session: Session, case: Case, lang: str, kind: str, on: date
    ) -> tuple[Citation, ...]:
        """What the officer cited, else the relevant provisions binding the host state
        (app.services.agreements); for an employer, the host's law on the case's complaints."""
        if kind in _HOST_LAW_ONLY:
            return self._host_law_citations(session, case, lang, on)
        treaties = letter_citations(self.ws, case.id, lang, session, on)
        if kind in _HOST_LAW_TOO:
            return treaties + self._host_law_citations(session, case, lang, on)
        return treaties

    def _host_law_citations(
        self, session: Session, case: Case, lang: str, on: date
    ) -> tuple[Citation, ...]:
        """The host's law on the case's complaints, each article named by its subject."""
        return tuple(
            Citation(p.citation, "", p.subject_label[:1].lower() + p.subject_label[1:], p.verified)
            for p in self._host_law_bearing(session, case, lang, on)
        )

    def _host_law_bearing(
        self, session: Session, case: Case, lang: str, on: date
    ) -> tuple[HostLawInfo, ...]:
        """The host-country provisions the contract review relies on (with their sources and
        verification in the host table) whose own subject bears on the case's categories: the
        weekly-rest article a monthly minimum wage rests on is not cited on unpaid wages."""
        from app.contracts.rules import RULES  # the review's rules, loaded when first needed

        categories = {c.code for c in case.categories}
        bearing = {rule.code for rule in RULES if categories & set(rule.categories)}
        # The table's subjects no rule judges (paying wages) bear on categories of their own.
        bearing |= {
            s for s, bears_on in UNREVIEWED_CATEGORIES.items() if categories & set(bears_on)
        }
        domestic = is_domestic_case(session, case.id)
        law = host_law(self.ws, case.host_country, lang, on=on, session=session, domestic=domestic)
        return tuple(
            p
            for p in law.provisions
            if judging_rule(p.about) in bearing and p.subject not in _NOT_CITED_TO_EMPLOYERS
        )

    def _context(
        self, session: Session, row: Letter, number: str | None, letter_date: date
    ) -> LetterContext:
        case = self._case_for_letter(session, row.case_id or "")
        mission = self._mission(session)
        employer = session.get(Employer, case.employer_id) if case.employer_id else None
        agency = session.get(RecruitmentAgency, case.agency_id) if case.agency_id else None
        addressee = _addressee_of(row.addressee)
        lang = row.lang
        return LetterContext(
            kind=row.kind,
            lang=lang,
            mission=mission,
            outgoing_number=number,
            letter_date=letter_date,
            incoming_ref=(
                (row.incoming_number, row.incoming_date)
                if row.incoming_number and row.incoming_date
                else None
            ),
            addressee=addressee,
            subject=row.subject,
            case_number=case.number,
            host_country=case.host_country,
            case_categories=tuple(label(Category(c.code), lang) for c in case.categories),
            case_description=case.description,
            person=self._person(session, case),
            employer=(
                EmployerInfo(
                    employer.name, employer.country, employer.city, employer.address or None
                )
                if employer
                else None
            ),
            agency_name=agency.name if agency else None,
            partner_name=(addressee.organisation or None) if row.kind == "referral" else None,
            amount_owed=None,  # replaced by the case's claims
            claims=self._claims(case, row.kind, lang),
            consented=self._consented(session, row, case),
            assistance=_assistance(CaseStatus(case.status)),
            absent=_absence({c.code for c in case.categories}),
            transferred_from=self._transferred_from(session, case, lang),
            facts=row.facts,
            requests=row.requests,
            forward_to=str((row.options or {}).get("forward_to") or ""),
            share_identity=bool((row.options or {}).get("share_identity")),
            free_text=row.free_text,
            citations=self._citations(session, case, lang, row.kind, letter_date),
            attachments=tuple(str(a) for a in row.attachments_note),
            signatory=self._signatory(session, row),
            # A note names no executor: nothing of one is printed or checked.
            executor=(
                Executor("", "") if row.kind in _UNSIGNED else self._executor(session, row, mission)
            ),
        )

    def _transferred_from(self, session: Session, case: Case, lang: str) -> str:
        """The name in ``lang`` of the mission HQ transferred ``case`` here from (its code
        when no name of it is on file); empty for a case opened here or held elsewhere."""
        origin = case.transferred_from
        here = self.ws.mission_code
        if not origin or origin == here or case.holder_mission != here:
            return ""
        return self._mission_name(session, origin, lang)

    def _approval_context(self, session: Session, row: Letter, on: date) -> LetterContext:
        """What the letter says on ``on``, less its number and date (given at issue): what
        the consul approves, and what issue must still find."""
        context = self._context(session, row, None, on)
        return dataclasses.replace(context, letter_date=date.min)

    def _last_approval(self, session: Session, row: Letter) -> dict[str, Any] | None:
        """The details of the letter's last approval, if it recorded a digest: one recorded
        without (made by an older version) is taken as it is."""
        details = session.execute(
            select(AuditEntry.details)
            .where(
                AuditEntry.entity_id == row.id,
                AuditEntry.action == "letter.approve",
            )
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        if not isinstance(details, dict) or not details.get("content_digest"):
            return None
        return details

    def _still_as_approved(self, session: Session, row: Letter, approval: dict[str, Any]) -> bool:
        """Whether the letter says what its approval covered, by the approval's own rule
        (an earlier release's too: ``app.letters.approval``)."""
        try:
            on = date.fromisoformat(str(approval.get("on")))
        except ValueError:
            return True
        return matches_approval(self._approval_context(session, row, on), approval)

    def _info(
        self,
        session: Session,
        row: Letter,
        case_number: str | None = None,
        users: Mapping[str, User] | None = None,
        reply: ReplyInfo | None = None,
        case_anonymised: bool | None = None,
        held_elsewhere: bool | None = None,
    ) -> LetterInfo:
        if reply is None and users is None:  # one letter read alone: its reply read with it
            reply = self._replies(session, [row]).get(row.id)
        if case_number is None or case_anonymised is None or held_elsewhere is None:
            case = session.get(Case, row.case_id) if row.case_id else None
            case_number = case_number if case_number is not None else case.number if case else ""
            case_anonymised = case is not None and case.anonymised_at is not None
            held_elsewhere = self._elsewhere(row, case.holder_mission if case else None)
        options = row.options or {}
        return copied(
            LetterInfo,
            row,
            case_number=case_number,
            incoming_ref=(
                (row.incoming_number, row.incoming_date)
                if row.incoming_number and row.incoming_date
                else None
            ),
            addressee=_addressee_of(row.addressee),
            attachments=tuple(str(a) for a in row.attachments_note),
            forward_to=str(options.get("forward_to") or ""),
            share_identity=bool(options.get("share_identity")),
            signatory=", ".join(
                p for p in dataclasses.astuple(self._signatory(session, row, users)) if p
            ),
            reply=reply,
            case_anonymised=case_anonymised,
            held_elsewhere=held_elsewhere,
        )

    def _elsewhere(self, row: Letter, holder: str | None) -> bool:
        """Whether ``row`` is an unissued letter of a case another mission now holds."""
        here = self.ws.mission_here
        return bool(here and holder and holder != here and row.status != LetterStatus.ISSUED)


def _recorded_day(reply: ReplyInfo) -> str:
    """The local day ``reply`` was recorded on, as ISO text ("" if unknown)."""
    return reply.recorded_at.astimezone().date().isoformat() if reply.recorded_at else ""


def reply_of(
    data: dict[str, Any] | None,
    text: str,
    author: str,
    entry_id: str = "",
    recorded_at: datetime | None = None,
) -> ReplyInfo | None:
    """The reply a ``reply_received`` entry (its data, text, author, id and time) records;
    None for an entry that cannot say."""
    data = data or {}
    try:
        received_on = date.fromisoformat(str(data.get("received_on") or ""))
    except ValueError:
        return None
    attachment_id = data.get("attachment_id")
    return ReplyInfo(
        received_on=received_on,
        sender=str(data.get("sender") or ""),
        summary=text,
        attachment_id=str(attachment_id) if attachment_id else None,
        recorded_by=author,
        entry_id=entry_id,
        recorded_at=recorded_at,
        corrects=str(data.get("corrects") or ""),
    )


def employer_addressee(
    employer: Employer, lang: str, mission_city: Mapping[str, str] | None = None
) -> Addressee:
    """The employer's address block: whom to address, the firm, street, postcode and city,
    state (in the letter's language), as a letter sent there by post needs it."""
    address = postal_address(
        employer.address,
        employer.city,
        employer.country,
        lang,
        postcode=employer.postcode,
        mission_city=mission_city,
    )
    return Addressee(employer.contact_person, employer.name, address)


def postal_address(
    street: str,
    city: str,
    iso2: str,
    lang: str,
    *,
    postcode: str = "",
    mission_city: Mapping[str, str] | None = None,
) -> str:
    """«street, postcode city, state»; what the street already gives is not said again.

    An officer often types the whole address into its first field ("…, Hwaseong-si,
    Gyeonggi-do 18622, Republic of Korea"): the letter then printed the city and the state a
    second time after it. A part counts as given when it is one of the street's comma-separated
    parts (a postcode: a word of it), so a street named after its city still gets the city.
    The city is named in the letter's language where its name there is known (``city_name``;
    ``mission_city``: the mission's city by language)."""
    given = {part.strip().casefold() for part in street.split(",")}
    has_postcode = bool(postcode) and re.search(rf"(?<!\w){re.escape(postcode)}(?!\w)", street)
    shown = city_name(city.strip(), lang, mission_city, country=iso2)
    city_given = any(names_city(part, name, iso2) for part in given for name in (city, shown))
    town = " ".join(
        part
        for part, said in (
            (postcode, has_postcode),
            (shown, city_given),
        )
        if part and not said
    )
    state = ""
    if iso2:
        names = {state_name_en_bare(iso2), state_name(iso2, "ru"), state_name(iso2, "kk")}
        if not given & {name.casefold() for name in names}:
            state = address_state(iso2, lang)
    return ", ".join(part for part in (street, town, state) if part)


def address_state(iso2: str, lang: str) -> str:
    """A state as the last line of an address: «Корея Республикасы», "Republic of Korea"."""
    return state_name_en_bare(iso2) if lang == "en" else state_name(iso2, lang)


def position_of(user: User, lang: str) -> str:
    """The user's position in ``lang``; a consul without one is «Консул» / "Consul"."""
    position = {"kk": user.position_kk, "ru": user.position_ru, "en": user.position_en}[lang]
    if position:
        return position
    return _CONSUL_POSITION[lang] if user.role == Role.CONSUL else ""


def parse_code(text: str) -> tuple[str, str]:
    """(outgoing number, content digest) of a code ``QORGAU|number|digest``; a code that is not
    one is refused with what is wrong with it, for the officer who typed or scanned it."""
    prefix, bar, rest = text.partition("|")
    if not bar or prefix.upper() != QR_PREFIX:
        raise ValidationError(
            _("This is not a Qorgau letter code; it starts with {prefix}|.").format(
                prefix=QR_PREFIX
            ),
            "code",
        )
    number, bar, check_part = rest.partition("|")
    if not 0 < len(number.strip()) <= _NUMBER_LENGTH:
        raise ValidationError(
            _(
                "The code has no letter number after {prefix}|, or one too long to be a "
                "letter's: the code was misread."
            ).format(prefix=QR_PREFIX),
            "code",
        )
    if not bar:
        raise ValidationError(
            _(
                "The code ends after the letter's number: its check part (a | and 64 "
                "hexadecimal characters) is missing. The code was cut or misread."
            ),
            "code",
        )
    if len(check_part) != _CHECK_LENGTH:
        raise ValidationError(
            _(
                "The check part of the code must be 64 hexadecimal characters (0–9, a–f); "
                "this one has {count}. The code was cut or misread."
            ).format(count=len(check_part)),
            "code",
        )
    if others := sorted(set(_NOT_HEX.findall(check_part))):
        raise ValidationError(
            _(
                "The check part of the code must be 64 hexadecimal characters (0–9, a–f); "
                "this one also has {characters}. The code was misread."
            ).format(characters=" ".join(others)),
            "code",
        )
    return number.strip().upper(), check_part.lower()


def _refuse_reply_before_letter(row: Letter, received_on: date) -> None:
    if row.letter_date is not None and received_on < row.letter_date:
        raise ValidationError(
            _("The reply cannot have come before the letter was sent on {date}.").format(
                date=format_date(row.letter_date)
            ),
            "received_on",
        )


def _refuse_reply_on_anonymised(case: Case) -> None:
    """A reply's sender (often a relative or a lawyer) and summary are personal data:
    recorded on a case retention anonymised, they would outlive what was blanked."""
    if case.anonymised_at is not None:
        raise ValidationError(
            _(
                "Case {number} was anonymised at the end of the retention period: no reply is "
                "recorded on it, since its sender and summary would be personal data kept "
                "after retention."
            ).format(number=case.number)
        )


def _reply_data(
    event: SystemEvent,
    row: Letter,
    received_on: date,
    sender: str,
    attachment_id: str | None,
    **params: str,
) -> dict[str, Any]:
    """A reply entry's data: the sentence's parameters and the reply's own fields."""
    day = received_on.isoformat()
    number = row.outgoing_number or ""
    return {
        **event_data(event, number=number, sender=sender, date=day, **params),
        "letter_id": row.id,
        "received_on": day,
        "sender": sender,
        "attachment_id": attachment_id,
    }


def consent_not_covered(scope: ConsentScope, *more: ConsentScope) -> str:
    """The warning for data about to go where the recorded consent does not cover (a letter's
    addressee, a partner a case is referred to): one sentence however many consents lack."""
    return _(
        "The person's recorded consent does not cover sharing their data with this "
        "addressee ({scope})."
    ).format(scope="; ".join(label(s) for s in (scope, *more)))  # their words, not codes


def has_recorded_consent(person: Person | None) -> bool:
    """Whether any consent of the person is recorded (a date or what it covers)."""
    return person is not None and bool(person.consent_date or person.consent_scope)


def no_consent_recorded(*needed: ConsentScope) -> str:
    """The warning for a letter giving away the data of a person with no consent recorded at
    all: what the letter needs, and where the officer records it."""
    return _(
        "No consent of the person is recorded, and this letter gives their data to its "
        "addressee ({scopes}). If the person agreed, edit the case: under “{section}”, enter "
        "the date the consent was given and tick what it covers."
    ).format(
        scopes="; ".join(label(s) for s in needed),
        section=_("Consent to processing of personal data"),
    )


def consents_to_transfer_abroad(person: Person | None) -> bool:
    """Whether the person's recorded consent covers their data leaving Kazakhstan, which the
    law on personal data (No. 94-V, Art. 8) asks for apart from the purpose it goes for."""
    return person is not None and ConsentScope.CROSS_BORDER.value in (person.consent_scope or [])


def cross_border_not_covered(country: str) -> str:
    """The warning for a letter that takes the person's data to ``country``, abroad, without
    their consent to it: what is missing, and where the officer records it."""
    return _(
        "This letter takes the person's data out of Kazakhstan (the addressee is in {state}), "
        "and their recorded consent does not cover {scope}. If the person agreed to it, edit "
        "the case: under “{section}”, tick “{scope}” and enter the date the consent was given."
    ).format(
        state=state_name(country, current_language()),
        scope=label(ConsentScope.CROSS_BORDER),
        section=_("Consent to processing of personal data"),
    )


def consent_covers(person: Person | None, kind: str) -> bool:
    """Whether the person's recorded consent covers giving their data to a letter of ``kind``'s
    addressee (a kind that sends none, such as the certificate, needs none)."""
    scope = CONSENT_FOR_KIND.get(kind)
    if scope is None:
        return True
    return person is not None and scope in (person.consent_scope or [])


def _complaints_named(categories: list[Category]) -> str:
    """Complaint categories inside a sentence of the interface: «violence; forced labour»."""
    lang = current_language()
    return "; ".join(lower_first(label(category, lang), lang) for category in categories)


def _latin_name_warning(person: Person, lang: str, abroad: bool) -> list[str]:
    """What the approver should know of how the letter spells the worker's name in Latin
    letters (an English letter, and a Kazakh or Russian one abroad in brackets): a part with
    no passport spelling on file is transliterated, which a passport may not match."""
    parts = ((person.given_names_latin, person.given_names), (person.surname_latin, person.surname))
    if not any(cyrillic and not latin for latin, cyrillic in parts):
        return []
    recorded = any(latin for latin, _cyrillic in parts)
    if lang != "en" and not abroad:
        return []
    name = person_name(person, "en") if lang == "en" else passport_name(person)
    if not recorded:
        return [
            _(
                "The worker's name in Latin letters is not recorded: the letter spells it "
                "{name}, as a passport would. Record it as the passport has it if it differs."
            ).format(name=name)
        ]
    return [
        _(
            "Only part of the worker's name in Latin letters is recorded: the letter spells the "
            "rest as a passport would, {name} in all. Record the whole name as the passport "
            "has it if it differs."
        ).format(name=name)
    ]


def known_sex(person: Person) -> Sex | None:
    """The recorded sex, else the IIN's, else what the names say («Ахметова», «Серікқызы»);
    None when nothing does. A worker registered with a name alone (no IIN, no sex) is common,
    and a letter calling «Ахметова Гүлнар» «гражданин», «Mr» is one a consul must rewrite."""
    if person.sex in ("female", "male"):
        return person.sex  # type: ignore[return-value]
    if person.iin and is_valid_iin(person.iin):
        return iin_sex(person.iin)
    return sex_from_names(person.surname, person.patronymic)


def _cited(citation: Citation) -> str:
    return f"{citation.instrument}, {citation.article}" if citation.article else citation.instrument


def _verified_message(info: LetterInfo, by_code: bool) -> str:
    values = {
        "number": info.outgoing_number,
        "date": format_date(info.letter_date) if info.letter_date else "",
        "case": info.case_number,
        "kind": label(LetterKind(info.kind)),
    }
    if by_code:
        # The code proves the number and the text it was made for, not the paper it is on: a
        # code copied onto another text matches too.
        return _(
            "The code matches letter {number} of {date} in the register (case {case}, "
            "{kind}). Compare the paper with the registered letter."
        ).format(**values)
    return _(
        "The file matches letter {number} of {date} in the register (case {case}, {kind})."
    ).format(**values)


__all__ = [
    "APPROVERS",
    "LETTER_STATUSES",
    "KindInfo",
    "LetterFields",
    "LetterFilter",
    "LetterInfo",
    "LetterService",
    "VerifyResult",
    "kinds",
    "outgoing_number",
]
