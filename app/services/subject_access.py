"""Subject access: everything held about one person, as JSON or as a PDF for the person.

Found by IIN (every person record with that IIN, duplicates included) or by person id. The
export holds the person's record with the consent given, each of their cases with its
timeline, attachments (the files themselves in JSON, a list in the PDF), letters, contract
reviews and referrals, their records in the returnees' skills register, and the audit entries
of those records: who looked at or changed them. At HQ, an HQ analyst answers the request (HQ
holds the register and the returnees who contacted it).
Making an export is itself audited.

A case retention anonymised is left out, with its reviews, its register records and the
audit entries under its number, as is a register record anonymised on its own: what stays of
it (categories, country, dates, outcome figures, occupation, region) is kept for statistics
as no one's, and listed under the person's name it would be theirs again. The database still
links it to the person only because another, live case keeps their record.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.db.models import (
    Attachment,
    AuditEntry,
    Case,
    CaseEvent,
    ContractReview,
    Employer,
    Letter,
    PartnerOrganisation,
    PartnerReferral,
    Person,
    RecruitmentAgency,
    Returnee,
    User,
)
from app.domain import labels
from app.domain import occupations as isco
from app.domain.events import beyond_heading, detail, heading, stored_event
from app.domain.iin import validate_iin
from app.domain.names import user_name
from app.domain.persons import CONTACT_FIELDS, IDENTITY_FIELDS, NAME_FIELDS
from app.domain.roles import CASE_WORKERS, HQ_RECORD_WRITERS
from app.errors import NotFound, ValidationError
from app.i18n import _, format_date, format_datetime, language_override
from app.letters import DocumentBuilder, PrintedPdf
from app.letters.context import MissionInfo
from app.letters.renderer import date_long
from app.letters.states import official_name
from app.os_errors import os_error_text
from app.reports.export import replace_file
from app.services.audit_text import HIDDEN, details_in_words
from app.services.letterhead import letterhead
from app.services.workspace import Workspace

FORMAT = "qorgau-subject-access"
VERSION = 1
READERS = CASE_WORKERS
PERSON_FIELDS = (
    "id",
    *NAME_FIELDS,
    *IDENTITY_FIELDS,
    "sex",
    "citizenship",
    "phone_abroad",
    *CONTACT_FIELDS,
    "consent_date",
    "consent_scope",
    "consent_note",
    "anonymised_at",
    "updated_at",
)


@dataclass
class SubjectAccessExport:
    generated_at: datetime
    generated_by: str
    mission_code: str
    query: dict[str, str]
    persons: list[dict[str, Any]] = field(default_factory=list)
    # The PDF's warning about characters its fonts cannot print ("" for JSON, which keeps all).
    warning: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "generated_by": self.generated_by,
            "mission_code": self.mission_code,
            "query": self.query,
            "persons": self.persons,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _row(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


def _org_name(session: Session, model: Any, org_id: str | None) -> str | None:
    if org_id is None:
        return None
    row = session.get(model, org_id)
    return row.name if row is not None else None


def _case(session: Session, case: Case, with_files: bool) -> dict[str, Any]:
    data = _row(
        case,
        (
            "id",
            "number",
            "host_country",
            "status",
            "urgency",
            "channel",
            "description",
            "received_at",
            "due_date",
            "assigned_to",
            "resolved_at",
            "closed_at",
            "outcome",
            "wages_recovered_amount",
            "wages_recovered_currency",
            "documents_returned",
            "repatriated",
            "claims",
            "anonymised_at",
        ),
    )
    data["categories"] = [c.code for c in case.categories]
    data["ilo_indicators"] = [i.code for i in case.ilo_indicators]
    data["employer"] = _org_name(session, Employer, case.employer_id)
    data["agency"] = _org_name(session, RecruitmentAgency, case.agency_id)
    events = session.execute(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.deleted_at.is_(None))
        .order_by(CaseEvent.occurred_at)
    ).scalars()
    data["timeline"] = [_timeline_row(e) for e in events]
    files = []
    for attachment in session.execute(
        select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.updated_at)
    ).scalars():
        item = _row(
            attachment,
            ("id", "filename", "mime_type", "size", "sha256", "description", "deleted_at"),
        )
        if with_files and attachment.deleted_at is None and attachment.content is not None:
            item["content_base64"] = _plain(bytes(attachment.content))
        files.append(item)
    data["attachments"] = files
    data["letters"] = [
        _row(letter, LETTER_FIELDS)
        for letter in session.execute(
            select(Letter)
            .where(Letter.case_id == case.id, Letter.deleted_at.is_(None))
            .order_by(Letter.letter_date)
        ).scalars()
    ]
    referrals = []
    for referral in session.execute(
        select(PartnerReferral).where(
            PartnerReferral.case_id == case.id, PartnerReferral.deleted_at.is_(None)
        )
    ).scalars():
        item = _row(referral, ("referred_at", "reason", "outcome"))
        item["partner"] = _org_name(session, PartnerOrganisation, referral.partner_id)
        referrals.append(item)
    data["referrals"] = referrals
    return data


def _timeline_row(event: CaseEvent) -> dict[str, Any]:
    """An entry as data: a system entry keeps its event code and parameters, not a sentence."""
    row = _row(event, ("occurred_at", "kind", "author", "text", "status_from", "status_to"))
    found = stored_event(event.data)
    if found is not None:
        row["event"], row["params"] = found[0].value, _plain(found[1])
    return row


def _of_person(person_id: str, case_ids: list[str]) -> Select[ContractReview]:
    # A review made under an anonymised case names the case's own person, not theirs.
    return select(ContractReview).where(
        or_(ContractReview.person_id == person_id, ContractReview.case_id.in_(case_ids)),
        ContractReview.deleted_at.is_(None),
    )


def _review_ids(session: Session, person_id: str, case_ids: list[str]) -> list[str]:
    return [r.id for r in session.execute(_of_person(person_id, case_ids)).scalars()]


def _reviews(session: Session, person_id: str, case_ids: list[str]) -> list[dict[str, Any]]:
    rows = session.execute(
        _of_person(person_id, case_ids).order_by(ContractReview.reviewed_at)
    ).scalars()
    return [
        _row(r, ("reviewed_at", "host_country", "terms", "findings", "ilo_indicators", "risk"))
        for r in rows
    ]


# What a letter says about the person: its facts and requests paragraphs and free text too.
LETTER_FIELDS = (
    "id",
    "outgoing_number",
    "letter_date",
    "kind",
    "lang",
    "status",
    "subject",
    "addressee",
    "facts",
    "requests",
    "free_text",
)
RETURNEE_FIELDS = (
    "id",
    "occupation",
    "years_abroad",
    "certificates",
    "languages",
    "work_country",
    "region",
    "wants_referral",
    "consent_reference",
    "consent_date",
    "returned_on",
    "note",
    "origin_mission",
    "anonymised_at",
)


def _register(session: Session, person_id: str) -> list[dict[str, Any]]:
    """The person's records in the returnees' skills register (a withdrawn consent included:
    the row is still held); not one retention anonymised, kept as no one's as an anonymised
    case is (module docstring)."""
    rows = session.execute(
        select(Returnee, Case.number)
        .outerjoin(Case, Case.id == Returnee.case_id)
        .where(
            Returnee.person_id == person_id,
            Returnee.deleted_at.is_(None),
            Returnee.anonymised_at.is_(None),
        )
        .order_by(Returnee.consent_date, Returnee.id)
    ).all()
    found = []
    for record, number in rows:
        item = _row(record, RETURNEE_FIELDS)
        item["case_number"] = number
        found.append(item)
    return found


def _audit(session: Session, ids: list[str]) -> list[dict[str, Any]]:
    """Who did what to the person's records, with what the entry keeps about it (a corrected
    reply's earlier text, a reason typed); digests and signatures are the auditor's."""
    if not ids:
        return []
    rows = session.execute(
        select(AuditEntry).where(AuditEntry.entity_id.in_(ids)).order_by(AuditEntry.seq)
    ).scalars()
    found = []
    for entry in rows:
        item = _row(entry, ("at", "actor", "action", "entity", "entity_id"))
        details = entry.details if isinstance(entry.details, dict) else {}
        item["details"] = _plain({k: v for k, v in details.items() if k not in HIDDEN})
        found.append(item)
    return found


def _find_persons(session: Session, iin: str | None, person_id: str | None) -> list[Person]:
    if (iin is None) == (person_id is None):
        raise ValidationError(_("Give either an IIN or a person id."))
    if iin is not None:
        validate_iin(iin)
        query = select(Person).where(Person.iin == iin)
    else:
        query = select(Person).where(Person.id == person_id)
    persons = list(
        session.execute(query.where(Person.deleted_at.is_(None)).order_by(Person.id)).scalars()
    )
    if not persons:
        raise NotFound(_("No person with this IIN or id is on file."))
    return persons


def collect(
    workspace: Workspace,
    iin: str | None = None,
    person_id: str | None = None,
    with_files: bool = True,
) -> SubjectAccessExport:
    """Gather the export and audit that it was made (one transaction)."""
    if workspace.mission.is_hq:
        workspace.require_role(*HQ_RECORD_WRITERS)
    else:
        workspace.require_role(*READERS)
    query = {"iin": iin} if iin is not None else {"person_id": person_id or ""}
    export = SubjectAccessExport(
        datetime.now(UTC), workspace.actor.username, workspace.mission_code, query
    )
    with workspace.write() as session:
        for person in _find_persons(session, iin, person_id):
            cases = list(
                session.execute(
                    select(Case)
                    .where(
                        Case.person_id == person.id,
                        Case.deleted_at.is_(None),
                        Case.anonymised_at.is_(None),  # no longer theirs (module docstring)
                    )
                    .order_by(Case.number)
                ).scalars()
            )
            record = _row(person, PERSON_FIELDS)
            record["cases"] = [_case(session, c, with_files) for c in cases]
            record["contract_reviews"] = _reviews(session, person.id, [c.id for c in cases])
            record["returnee_register"] = _register(session, person.id)
            record["audit"] = _audit(
                session,
                [
                    person.id,
                    *[c.number for c in cases],
                    # Who opened or copied their files, who drafted, printed or answered the
                    # letters about them: those entries name the file or the letter.
                    *[a["id"] for c in record["cases"] for a in c["attachments"]],
                    *[x["id"] for c in record["cases"] for x in c["letters"]],
                    *_review_ids(session, person.id, [c.id for c in cases]),
                    *[r["id"] for r in record["returnee_register"]],
                ],
            )
            export.persons.append(record)
        workspace.audit(
            session,
            "person.subject_access",
            "person",
            ",".join(p["id"] for p in export.persons)[:64],
            {"persons": len(export.persons), "files": with_files},
        )
    return export


def to_json(export: SubjectAccessExport) -> bytes:
    return json.dumps(export.as_dict(), ensure_ascii=False, indent=2).encode("utf-8")


def _mission_info(workspace: Workspace) -> MissionInfo:
    with workspace.read() as session:
        return letterhead(session)


def _when(value: str | None, lang: str) -> str:
    if not value:
        return "—"
    if "T" in value:
        return format_datetime(datetime.fromisoformat(value), None, lang)
    return format_date(date.fromisoformat(value), None, lang)


def _officer_names(workspace: Workspace, lang: str) -> dict[str, str]:
    """Login → the officer's name as the letters print it (Latin in an English document)."""
    with workspace.read() as session:
        users = session.execute(select(User)).scalars().all()
        return {u.username: user_name(u, lang) for u in users}


def _person_value(key: str, value: Any, lang: str) -> str:
    """A field of the person's record as the person reads it: labels, not stored codes."""
    if value in (None, "", []):
        return "—"
    if key in ("birth_date", "consent_date"):
        return _when(value, lang)
    if key == "sex":
        return labels.sex(value, lang)
    if key == "citizenship":
        return official_name(value, lang)
    if key == "consent_scope":
        return ", ".join(labels.consent_scope(code, lang) for code in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def to_pdf(workspace: Workspace, export: SubjectAccessExport, lang: str) -> PrintedPdf:
    """A readable report for the person, in the language asked for (not the interface's)."""
    with language_override(lang):
        return _pdf(workspace, export, lang)


def _pdf(workspace: Workspace, export: SubjectAccessExport, lang: str) -> PrintedPdf:
    has_name = any(
        (workspace.mission.name_kk, workspace.mission.name_ru, workspace.mission.name_en)
    )
    names = _officer_names(workspace, lang)

    def officer(login: str | None) -> str:
        return names.get(login, login) if login else "—"

    doc = DocumentBuilder(
        lang,
        _mission_info(workspace) if has_name else None,
        _("Personal data held about you"),
        subject=_("Subject access report"),
    )
    doc.heading(_("Personal data held about you"))
    # A document's date, written long as the letters write it («2026 жылғы 6 желтоқсан»), on
    # the mission's calendar; set flush under its heading like the tables, not indented.
    doc.paragraph(
        _("Prepared on {date} by {user} ({mission}).").format(
            date=date_long(export.generated_at.astimezone().date(), lang),
            user=officer(export.generated_by),
            mission=export.mission_code,
        ),
        "plain",
    )
    field_names = _person_field_names()
    for person in export.persons:
        doc.heading(_("Person"))
        values = [
            [name, _person_value(key, person.get(key), lang)] for key, name in field_names.items()
        ]
        _field_table(doc, values)
        for case in person["cases"]:
            _case_tables(doc, case, lang, officer)
        for entry in person.get("returnee_register", []):
            _register_section(doc, entry, lang)
        if person["audit"]:
            doc.heading(_("Who worked with these records"))
            _list_table(
                doc,
                [_("When"), _("User"), _("Action"), _("Details")],
                [
                    [
                        _when(a["at"], lang),
                        officer(a["actor"]),
                        labels.audit_action(a["action"], lang),
                        _what_it_kept(a),
                    ]
                    for a in person["audit"]
                ],
                (32, 32, 46, 60),
            )
    return doc.build()


# What an audit entry keeps that people typed about the person (the rest is the auditor's).
_TYPED_IN_AUDIT = ("reason", "identity_reason", "before")


def _what_it_kept(entry: dict[str, Any]) -> str:
    details = entry.get("details") or {}
    typed = {k: details[k] for k in _TYPED_IN_AUDIT if details.get(k)}
    return details_in_words(entry["action"], typed) if typed else ""


def _field_table(doc: DocumentBuilder, rows: list[list[str]]) -> None:
    """A record's fields: each row a field's name and its value."""
    doc.table([[_("Field"), _("Value")], *rows], col_widths=(55, 115))


def _list_table(
    doc: DocumentBuilder, headers: list[str], rows: list[list[str]], widths: tuple[int, ...]
) -> None:
    """``rows`` under ``headers``; nothing where there are no rows."""
    if rows:
        doc.table([headers, *rows], col_widths=widths)


def _person_field_names() -> dict[str, str]:
    """The person's fields in the order printed, with their names in the current language."""
    return {
        "surname": _("Surname"),
        "given_names": _("Given names"),
        "patronymic": _("Patronymic"),
        "surname_latin": _("Surname (Latin)"),
        "given_names_latin": _("Given names (Latin)"),
        "iin": _("IIN"),
        "passport_no": _("Passport"),
        "birth_date": _("Date of birth"),
        "sex": _("Sex"),
        "citizenship": _("Citizenship"),
        "phone_abroad": _("Phone abroad"),
        "phone_home": _("Phone at home"),
        "email": _("E-mail"),
        "messenger": _("Messenger"),
        "address_abroad": _("Address abroad"),
        "address_home": _("Address at home"),
        "next_of_kin": _("Next of kin"),
        "consent_date": _("Consent given on"),
        "consent_scope": _("Consent covers"),
        "consent_note": _("Consent note"),
    }


def _case_tables(
    doc: DocumentBuilder, case: dict[str, Any], lang: str, officer: Callable[[str | None], str]
) -> None:
    """One case: its facts, then its timeline, files and letters where it has any."""
    doc.heading(_("Case {number}").format(number=case["number"]))
    categories = ", ".join(labels.category(code, lang) for code in case["categories"])
    _field_table(
        doc,
        [
            [_("Host country"), official_name(case["host_country"], lang) or "—"],
            [_("Status"), labels.case_status(case["status"], lang)],
            [_("Received"), _when(case["received_at"], lang)],
            [_("Categories"), categories or "—"],
            [_("Officer"), officer(case["assigned_to"])],
            [_("Employer"), case["employer"] or "—"],
            [_("Description"), case["description"] or "—"],
        ],
    )
    _list_table(
        doc,
        [_("When"), _("Entry"), _("Text")],
        [_entry_row(e, lang, officer) for e in case["timeline"]],
        (35, 35, 100),
    )
    _list_table(
        doc,
        [_("File"), _("Size"), _("Removed")],
        [
            [a["filename"] or "—", str(a["size"]), _when(a["deleted_at"], lang)]
            for a in case["attachments"]
        ],
        (100, 30, 40),
    )
    _list_table(
        doc,
        [_("Letter"), _("Date"), _("Subject")],
        [
            [
                letter["outgoing_number"] or labels.letter_status(letter["status"], lang),
                _when(letter["letter_date"], lang),
                letter["subject"] or labels.letter_kind(letter["kind"], lang),
            ]
            for letter in case["letters"]
        ],
        (40, 35, 95),
    )


def _register_section(doc: DocumentBuilder, entry: dict[str, Any], lang: str) -> None:
    doc.heading(_("Returnees' register"))
    languages = ", ".join(isco.language_name(c, lang) for c in entry["languages"])
    _field_table(
        doc,
        [
            [_("Case"), entry["case_number"] or "—"],
            [
                _("Occupation"),
                f"{entry['occupation']} {isco.occupation_title(entry['occupation'], lang)}",
            ],
            [_("Years of experience abroad"), str(entry["years_abroad"])],
            [_("Certificates"), "; ".join(entry["certificates"]) or "—"],
            [_("Languages"), languages or "—"],
            [_("Country of work"), official_name(entry["work_country"], lang) or "—"],
            [_("Region of return"), isco.region_title(entry["region"], lang)],
            [
                _("Wants referral to an employment centre"),
                _("yes") if entry["wants_referral"] else _("no"),
            ],
            [_("Consent given on"), _when(entry["consent_date"], lang)],
            [_("Consent reference"), entry["consent_reference"] or "—"],
            [_("Returned on"), _when(entry["returned_on"], lang)],
            [_("Note"), entry["note"] or "—"],
        ],
    )


def _entry_row(entry: dict[str, Any], lang: str, officer: Callable[[str | None], str]) -> list[str]:
    """When, the entry's heading (what the app recorded, or its kind) and what it says."""
    title = heading(entry["kind"], entry.get("event"), lang)
    said = beyond_heading(title, _entry_text(entry, lang, officer))
    return [_when(entry["occurred_at"], lang), title, said]


def _entry_text(entry: dict[str, Any], lang: str, officer: Callable[[str | None], str]) -> str:
    if "event" in entry:
        params = dict(entry.get("params") or {})
        if params.get("user"):  # an assignment names the officer, not their login
            params["user"] = officer(params["user"])
        data = {"event": entry["event"], "params": params}
        return detail(data, entry.get("text") or "", lang)
    if entry.get("status_to"):
        # In words: the PDF's fonts have no arrow, and "New → In progress" printed as "New
        # In progress".
        moved = _("from “{old}” to “{new}”").format(
            old=labels.case_status(entry.get("status_from") or "", lang),
            new=labels.case_status(entry["status_to"], lang),
        )
        return f"{moved}. {entry['text']}" if entry.get("text") else moved
    return entry.get("text") or ""


def export_subject_access(
    workspace: Workspace,
    out: Path,
    iin: str | None = None,
    person_id: str | None = None,
    lang: str = "en",
) -> SubjectAccessExport:
    """Write the export to ``out``: ``.json`` (with the files) or ``.pdf``."""
    suffix = out.suffix.lower()
    if suffix not in (".json", ".pdf"):
        raise ValidationError(_("The output file must end in .json or .pdf."), field="out")
    export = collect(workspace, iin, person_id, with_files=suffix == ".json")
    if suffix == ".json":
        data = to_json(export)
    else:
        pdf = to_pdf(workspace, export, lang)
        data, export.warning = pdf, pdf.warning()
    try:
        replace_file(out, data)
    except OSError as exc:
        raise ValidationError(
            _("The file cannot be written: {error}").format(error=os_error_text(exc)), field="out"
        ) from None
    return export
