"""The host-country labour standards in the database, so that HQ's library bundle carries them.

The table ships as ``resources/contracts/host_countries.json``. HQ replaces it with
``qorgau agreement update host_countries.json`` (the same command as the agreements library);
the new table is stored whole as a ``legal_table`` row and travels to every mission in the next
agreements bundle. A review uses the newer of the stored and the shipped editions, so a new
release never falls back to an older HQ table, and a stored table that cannot be read never
stops a review (the shipped one is used, and the problem is reported).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.reference import (
    ReferenceData,
    ReferenceFileError,
    default_reference,
    parse_reference,
)
from app.db.models import LegalTable
from app.domain.roles import ADMIN_OR_HQ
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.i18n import _, format_date
from app.services.workspace import Workspace
from app.untrusted import json_from_outside

HOST_COUNTRIES_TABLE = "host_countries"
HOST_COUNTRIES_FORMAT = "qorgau-host-countries"
# Who may replace the table: the same people as the agreements library.
TABLE_UPDATERS = ADMIN_OR_HQ


def require_hq_for_file_updates(ws: Workspace) -> None:
    """The library and the table belong to HQ. At a mission they change only by HQ's signed
    agreements bundle: a file, unsigned, shows nothing of who made it, and a forged one (a
    phishing mail "from HQ") changed what every review and letter there cites, with versions
    that then met HQ's next bundle as conflicts."""
    if not ws.mission.is_hq:
        raise PermissionDenied(
            _(
                "At a mission the agreements library and the host-country table change only "
                "by the agreements bundle headquarters signs: import that bundle (Exchange → "
                "Import bundle…, or qorgau bundle import FILE). A file cannot show who made it."
            )
        )


MAX_TABLE_BYTES = 2 * 1024 * 1024
_ID_NAMESPACE = uuid.UUID("0c5f3f7e-8a8e-5d7b-9f61-2b1d6c4a7e10")


@dataclass(frozen=True)
class TableUpdate:
    name: str
    edition: date
    previous: date | None
    changed: bool


def table_row_id(name: str) -> str:
    """The same row id in every installation, so that HQ's table replaces the mission's."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"legal_table/{name}"))


def document_format(raw: bytes) -> str | None:
    """The ``format`` a JSON reference file declares, or None when it is not such a file."""
    try:
        document = json_from_outside(raw)
    except ValueError:
        return None
    value = document.get("format") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None


def parse_host_countries_bytes(raw: bytes) -> tuple[dict[str, Any], ReferenceData]:
    """Validate a host-country table sent by HQ; a bad one is refused whole with the reason."""
    if len(raw) > MAX_TABLE_BYTES:
        raise ValidationError(_("The host-country table is too large."))
    try:
        document = json_from_outside(raw)
    except ValueError:
        raise ValidationError(_("The host-country table is not valid UTF-8 JSON.")) from None
    if not isinstance(document, dict):
        raise ValidationError(_("The host-country table must be a JSON object."))
    try:
        data = parse_reference(document)
    except ReferenceFileError as exc:
        raise ValidationError(
            _("The host-country table was refused: {problem}").format(problem=exc)
        ) from exc
    return document, data


def apply_host_countries_update(
    ws: Workspace, raw: bytes, session: Session | None = None
) -> TableUpdate:
    """Store the host-country table HQ edited; it travels in the next agreements bundle."""
    ws.require_role(*TABLE_UPDATERS)
    require_hq_for_file_updates(ws)
    document, data = parse_host_countries_bytes(raw)
    if session is not None:
        return _store(ws, session, document, data)
    with ws.write() as own:
        return _store(ws, own, document, data)


def _store(
    ws: Workspace, session: Session, document: dict[str, Any], data: ReferenceData
) -> TableUpdate:
    row = _row(session, HOST_COUNTRIES_TABLE)
    previous = row.edition if row is not None and row.deleted_at is None else None
    if previous is not None and data.as_of < previous:
        raise ConflictError(
            _(
                "This host-country table ({new}) is older than the one in use ({current}); "
                "it was not applied."
            ).format(new=format_date(data.as_of), current=format_date(previous))
        )
    if row is None:
        row = LegalTable(
            id=table_row_id(HOST_COUNTRIES_TABLE),
            name=HOST_COUNTRIES_TABLE,
            edition=data.as_of,
            content=document,
        )
        session.add(row)
        changed = True
    else:
        changed = row.content != document or row.edition != data.as_of or row.deleted_at is not None
        if changed:
            row.content = document
            row.edition = data.as_of
            row.deleted_at = None
    session.flush()
    if changed:
        ws.audit(
            session,
            "legal_table.update",
            "legal_table",
            HOST_COUNTRIES_TABLE,
            {"edition": data.as_of.isoformat()},
        )
    return TableUpdate(HOST_COUNTRIES_TABLE, data.as_of, previous, changed)


def _row(session: Session, name: str) -> LegalTable | None:
    return session.execute(select(LegalTable).where(LegalTable.name == name)).scalar_one_or_none()


@dataclass(frozen=True)
class HostTable:
    """The table a review uses, and where it came from."""

    data: ReferenceData
    from_hq: bool
    problem: str = ""


def host_table(ws: Workspace, session: Session | None = None) -> HostTable:
    """The newer of HQ's stored table and the shipped one (read in ``session`` if given)."""
    shipped = default_reference()
    if session is None:
        with ws.read() as own:
            content = _content(own)
    else:
        content = _content(session)
    if content is None:
        return HostTable(shipped, from_hq=False)
    try:
        stored = parse_reference(content)
    except ReferenceFileError as exc:
        return HostTable(
            shipped,
            from_hq=False,
            problem=_("The host-country table from HQ cannot be read ({problem}).").format(
                problem=exc
            ),
        )
    if stored.as_of >= shipped.as_of:
        return HostTable(stored, from_hq=True)
    return HostTable(shipped, from_hq=False)


def _content(session: Session) -> dict[str, Any] | None:
    row = _row(session, HOST_COUNTRIES_TABLE)
    return dict(row.content) if row is not None and row.deleted_at is None else None


# Which review rule judges each subject of the table (their labels name the subject).
SUBJECT_RULES: dict[str, str] = {
    "minimum_wage": "minimum_wage",
    "hours": "weekly_hours",
    "paid_leave": "paid_leave",
    "passport": "passport_retention",
    "recruitment_fees": "recruitment_fee",
    "probation": "probation",
    "health_insurance": "insurance",
    # No review rule judges it (a contract records no pay day): its own subject names it.
    "wage_payment": "wage_payment",
}
# Subjects of the table no review rule judges, and the complaint categories a letter cites
# them on (a rule's own categories decide that for the others).
UNREVIEWED_CATEGORIES: dict[str, tuple[str, ...]] = {"wage_payment": ("unpaid_wages",)}
# Subjects a provision may be about (its cite's ``about``) that no review rule of their own
# judges, and the rule that does: the weekly-hours rule checks the cap with overtime.
ABOUT_RULES: dict[str, str] = {"overtime_limit": "weekly_hours"}


def judging_rule(about: str) -> str:
    """The review rule that judges what a provision is about (``HostLawInfo.about``)."""
    return ABOUT_RULES.get(about, about)


@dataclass(frozen=True)
class HostLawInfo:
    """One host-country provision the contract review relies on, cited in a language."""

    subject: str
    subject_label: str
    citation: str
    source: str
    verified: bool
    # What the provision itself is about (a review subject): its cite's own, else the
    # figure's; a letter chooses and labels provisions by it.
    about: str = ""


@dataclass(frozen=True)
class HostLaw:
    """The host's provisions valid on a day, and the subjects whose figures have expired."""

    provisions: tuple[HostLawInfo, ...]
    outdated: tuple[str, ...]
    outdated_labels: tuple[str, ...]


def host_law(
    ws: Workspace,
    country: str,
    lang: str,
    on: date | None = None,
    session: Session | None = None,
    domestic: bool = False,
) -> HostLaw:
    """The host statutes the contract review cites for ``country`` (each provision once), so
    that a case's "Applicable law" and a review of its contract name the same law; for
    ``domestic`` work, without the laws that leave it out of their scope, as the review does."""
    return host_law_from(host_table(ws, session).data, country, lang, on, domestic)


def host_law_from(
    data: ReferenceData, country: str, lang: str, on: date | None = None, domestic: bool = False
) -> HostLaw:
    """``host_law`` from a host-country table: each provision named by what it is about."""
    # Imported here: the report module (labels) loads reportlab, which only this needs.
    from app.contracts.reference import PassportLaw, reference_for
    from app.contracts.report import rule_label
    from app.contracts.rules import statute_citation

    reference = reference_for(country, data, on=on)
    if reference is None:
        return HostLaw((), (), ())
    if domestic:
        reference = reference.for_domestic_work()
    seen: set[str] = set()
    provisions: list[HostLawInfo] = []
    for subject, rule in SUBJECT_RULES.items():
        item = getattr(reference, subject)
        # A passport law the review never cites (on theft, or unchecked) is not listed either.
        if item is None or (isinstance(item, PassportLaw) and not item.bears_on_retention):
            continue
        for cite in item.provenance.cites:
            if cite.key in seen:
                continue
            seen.add(cite.key)
            about = cite.about or rule
            provisions.append(
                HostLawInfo(
                    subject=subject,
                    subject_label=rule_label(about, lang),
                    citation=statute_citation(cite, lang),
                    source=cite.source or item.provenance.source,
                    verified=item.provenance.verified,
                    about=about,
                )
            )
    labels = tuple(rule_label(SUBJECT_RULES[s], lang) for s in reference.outdated)
    return HostLaw(tuple(provisions), reference.outdated, labels)
