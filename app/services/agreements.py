"""The agreements library in the database: seeding and updates, what applies where, citations.

The library ships as ``resources/agreements/library.json`` and is copied into the database on
first use; from then on the database is the truth (HQ replaces it through an update bundle,
missions add their own notes). Applicability runs the pure rules of ``app.agreements`` on a
``Library`` rebuilt from the rows, so the rules never diverge between the file and the database.
"""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.agreements import (
    Applicable,
    Basis,
    Instrument,
    InstrumentGroup,
    InstrumentKind,
    InstrumentStatus,
    Library,
    LocalizedText,
    Provision,
    RatificationEntry,
    applicable_instruments,
    article_text,
    citation_text,
    expired_instruments,
    is_verified,
    kind_label,
    load_library,
    parse_library_bytes,
    pending_instruments,
    ratification_label,
)
from app.agreements.applicability import (
    Timing,
    basis_text,
    binds_from,
    binds_later,
    is_standard_in,
    timing,
)
from app.agreements.library import check_language, status_text
from app.contracts.terms import parse_terms, term_end
from app.db.engine import Database, is_read
from app.db.models import (
    Agreement,
    AgreementProvision,
    Case,
    CaseCategory,
    CaseCitation,
    ContractReview,
    Employer,
    Setting,
)
from app.domain.claims import parse_claims
from app.domain.codes import Category, EventKind, Role, label
from app.domain.domestic_work import cited_for_work, is_domestic_work
from app.domain.events import SystemEvent, event_data
from app.domain.roles import ADMIN_OR_HQ, CASE_WORKERS, SENIOR_ROLES
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.i18n import LANGUAGES, _, current_language, format_date
from app.letters.context import Citation
from app.security import audit
from app.services import search
from app.services import validation as check
from app.services.legal_tables import HostLaw, host_law, require_hq_for_file_updates
from app.services.rows import add_case_event, live_row
from app.services.workspace import Workspace

# The head of section at a mission; at an HQ on a server its administrator too, who was told
# "only a consul or an administrator" while the first administrator (role admin) could.
NOTE_EDITORS = SENIOR_ROLES | {Role.HQ_ADMIN}
# Who may replace the library with one HQ sent (a mission's administrator imports bundles).
LIBRARY_UPDATERS = ADMIN_OR_HQ
LIBRARY_SETTING = "agreements.library"
MAX_NOTES = 20_000
MAX_CITATION_NOTE = 2_000
# A letter without chosen citations quotes at most this many relevant provisions.
MAX_DEFAULT_CITATIONS = 6
_ID_NAMESPACE = uuid.UUID("6f1d8a52-3c0e-5b7a-9d44-0a7e2c9b51f3")


# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvisionInfo:
    """One provision, ready to show or cite. ``verified`` is the citation's: both the
    instrument and the provision were checked against an official text."""

    id: str  # database id, used to cite
    slug: str
    instrument_id: str
    instrument_slug: str
    instrument_title: str
    article: str  # as stored: "Art. 97(1)"
    article_label: str  # in the requested language: "п. 1 ст. 97"
    summary: str
    summaries: dict[str, str]
    categories: tuple[str, ...]
    verified: bool
    provision_verified: bool
    citation: str  # the full reference in the requested language, marked when unverified
    basis: str | None = None  # set when the provision comes from an applicability question
    binding: bool = True
    # Where the provision's text was checked (the instrument's source when it has none).
    source: str = ""
    checked_on: date | None = None
    # False: the instrument is in force but no source gave the date (shown, never left blank).
    in_force_date_known: bool = True
    # False: the instrument is not in force (signed only, or doubtful): no letter cites it.
    in_force: bool = True
    # True: it bound the host only after the case's facts ended: letters cite it as a standard.
    after_the_facts: bool = False


@dataclass(frozen=True)
class InstrumentInfo:
    id: str
    slug: str
    kind: str
    kind_label: str
    title: str
    titles: dict[str, str]
    parties: tuple[str, ...]
    group: str | None
    signed_on: date | None
    in_force_on: date | None
    status: str
    status_label: str
    source: str
    verified: bool
    note: str
    mission_notes: str
    ratified_by: tuple[str, ...]
    not_ratified_by: tuple[str, ...]
    provisions: tuple[ProvisionInfo, ...]
    version: int = 0
    checked_on: date | None = None
    ratifications: tuple[RatificationEntry, ...] = ()
    in_force_date_known: bool = True  # see ProvisionInfo
    expired_on: date | None = None  # the last day an expired instrument was in force


@dataclass(frozen=True)
class ApplicableInfo:
    """An instrument that applies in a host country, and why."""

    instrument: InstrumentInfo
    basis: str
    basis_label: str
    binding: bool
    ratification: str | None
    verified: bool
    # What is known of the host's and Kazakhstan's ratifications, in words ("" if not ILO/UN).
    ratification_label: str = ""
    # The day the host became bound, where the library gives it (``Applicable.binds_from``).
    binds_from: date | None = None


@dataclass(frozen=True)
class CitationInfo:
    id: str
    case_id: str
    provision: ProvisionInfo
    note: str
    cited_at: datetime


@dataclass(frozen=True)
class SyncReport:
    """What a library synchronisation changed, by instrument slug."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    provisions_changed: int = field(default=0)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.provisions_changed)


# --- the library in the database ---------------------------------------------------------------


def sync_library(ws: Workspace, library: Library, session: Session | None = None) -> SyncReport:
    """Make the database hold ``library``: insert or update by slug, tombstone what it lacks.

    Idempotent (a second run changes nothing), keeps each mission's own notes, and audits.
    Pass ``session`` to run inside a caller's transaction (a bundle import is all-or-nothing).
    """
    if session is not None:
        return _sync(ws.actor.username, session, library)
    with ws.write() as own:
        return _sync(ws.actor.username, own, library)


def apply_library_update(
    ws: Workspace, library_bytes: bytes, session: Session | None = None
) -> SyncReport:
    """Validate a library HQ edited (sent to missions in the ``agreements`` bundle kind) and
    make it the truth."""
    ws.require_role(*LIBRARY_UPDATERS)
    require_hq_for_file_updates(ws)
    library = parse_library_bytes(library_bytes)
    stored = _stored_edition(ws, session)
    if stored is not None and library.updated_on < stored:
        raise ConflictError(
            _(
                "This agreement library ({new}) is older than the one in use ({current}); "
                "it was not applied."
            ).format(new=format_date(library.updated_on), current=format_date(stored))
        )
    return sync_library(ws, library, session)


def ensure_library(ws: Workspace) -> None:
    """Seed the database from the shipped library the first time anyone needs it."""
    with ws.read() as session:
        if _agreement_count(session):
            return
    if ws.actor.role == Role.HQ_ANALYST:
        # Seeded when the server HQ was made; one made before that waits for a user who writes.
        raise PermissionDenied(
            _(
                "The agreements library is not on the server yet: it is put there the first "
                "time an administrator or the import operator opens Agreements."
            )
        )
    library = load_library()
    with ws.write() as session:
        # Another process may have seeded it while we read the file.
        if not _agreement_count(session):
            _sync(ws.actor.username, session, library)


def seed_library(actor: str, session: Session) -> None:
    """Seed the shipped library inside the caller's transaction if the database has none."""
    if not _agreement_count(session):
        _sync(actor, session, load_library())


def library_from_db(session: Session) -> tuple[Library, dict[tuple[str, str], str]]:
    """The library as the database holds it, and each (instrument, provision) slug's row id."""
    rows = (
        session.execute(
            select(Agreement)
            .where(Agreement.deleted_at.is_(None))
            .options(selectinload(Agreement.provisions))
        )
        .scalars()
        .all()
    )
    rows = sorted(rows, key=lambda row: (int(row.extra.get("position", 0)), row.slug))
    ids: dict[tuple[str, str], str] = {}
    instruments: list[Instrument] = []
    for row in rows:
        provisions = []
        for prov in row.provisions:
            if prov.deleted_at is not None:
                continue
            ids[(row.slug, prov.slug)] = prov.id
            provisions.append(_provision_from_row(prov))
        instruments.append(_instrument_from_row(row, tuple(provisions)))
    setting = session.get(Setting, LIBRARY_SETTING)
    value = setting.value if setting is not None and isinstance(setting.value, dict) else {}
    edition = value.get("updated_on")
    updated_on = date.fromisoformat(edition) if edition else date.today()
    library = Library(
        version=int(value.get("version", 1)),
        updated_on=updated_on,
        instruments=tuple(instruments),
    )
    return library, ids


def agreement_row_id(slug: str) -> str:
    """The same row id in every installation, so that HQ's library records merge by id."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"agreement/{slug}"))


def provision_row_id(agreement_slug: str, provision_slug: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"provision/{agreement_slug}/{provision_slug}"))


def _agreement_count(session: Session) -> int:
    return int(session.execute(select(func.count(Agreement.id))).scalar_one())


def _stored_edition(ws: Workspace, session: Session | None) -> date | None:
    def read(s: Session) -> date | None:
        setting = s.get(Setting, LIBRARY_SETTING)
        if setting is None or not isinstance(setting.value, dict):
            return None
        edition = setting.value.get("updated_on")
        return date.fromisoformat(edition) if edition else None

    if session is not None:
        return read(session)
    with ws.read() as own:
        return read(own)


def _sync(actor: str, session: Session, library: Library) -> SyncReport:
    existing = {
        row.slug: row
        for row in session.execute(
            select(Agreement).options(selectinload(Agreement.provisions))
        ).scalars()
    }
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    provisions_changed = 0
    for position, instrument in enumerate(library.instruments):
        row = existing.get(instrument.id)
        if row is None:
            row = Agreement(
                id=agreement_row_id(instrument.id), slug=instrument.id, mission_notes=""
            )
            session.add(row)
            added.append(instrument.id)
            changed = True
        else:
            changed = False
        if row.deleted_at is not None:
            row.deleted_at = None
            changed = True
        changed |= _assign(row, _instrument_columns(instrument, position))
        session.flush()
        provisions_changed += _sync_provisions(session, row, instrument.provisions)
        if instrument.id not in added:
            (updated if changed else unchanged).append(instrument.id)
    wanted = {instrument.id for instrument in library.instruments}
    removed: list[str] = []
    now = datetime.now(UTC)
    for slug, row in existing.items():
        if slug not in wanted and row.deleted_at is None:
            # Tombstones, not deletions: cases may cite the provisions, and bundles carry them.
            row.deleted_at = now
            for prov in row.provisions:
                if prov.deleted_at is None:
                    prov.deleted_at = now
            removed.append(slug)
    edition = {"version": library.version, "updated_on": library.updated_on.isoformat()}
    setting = session.get(Setting, LIBRARY_SETTING)
    if setting is None:
        session.add(Setting(key=LIBRARY_SETTING, value=edition))
    elif setting.value != edition:
        setting.value = edition
    report = SyncReport(
        added=tuple(added),
        updated=tuple(updated),
        removed=tuple(removed),
        unchanged=tuple(unchanged),
        provisions_changed=provisions_changed,
    )
    if report.changed:
        audit.record(
            session,
            actor,
            "agreements.sync",
            "agreement",
            "",
            {
                "updated_on": library.updated_on.isoformat(),
                "added": list(report.added),
                "updated": list(report.updated),
                "removed": list(report.removed),
                "provisions_changed": provisions_changed,
            },
        )
    return report


def _sync_provisions(session: Session, row: Agreement, provisions: Sequence[Provision]) -> int:
    by_slug = {prov.slug: prov for prov in row.provisions}
    changed = 0
    for position, provision in enumerate(provisions):
        prov_row = by_slug.get(provision.id)
        if prov_row is None:
            prov_row = AgreementProvision(
                id=provision_row_id(row.slug, provision.id), slug=provision.id
            )
            row.provisions.append(prov_row)
            touched = True
        else:
            touched = prov_row.deleted_at is not None
            prov_row.deleted_at = None
        touched |= _assign(prov_row, _provision_columns(provision, position))
        changed += int(touched)
    wanted = {provision.id for provision in provisions}
    now = datetime.now(UTC)
    for slug, prov_row in by_slug.items():
        if slug not in wanted and prov_row.deleted_at is None:
            prov_row.deleted_at = now
            changed += 1
    return changed


def _assign(row: Any, values: dict[str, Any]) -> bool:
    """Set only the columns that differ, so an unchanged row keeps its version."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _instrument_columns(instrument: Instrument, position: int) -> dict[str, Any]:
    extra: dict[str, Any] = {"position": position}
    if instrument.checked_on:
        extra["checked_on"] = instrument.checked_on.isoformat()
    if instrument.expired_on:
        extra["expired_on"] = instrument.expired_on.isoformat()
    if instrument.ratifications:
        extra["ratifications"] = [_ratification_json(e) for e in instrument.ratifications]
    note = instrument.note
    return {
        "kind": instrument.kind.value,
        "title_kk": instrument.title.kk,
        "title_ru": instrument.title.ru,
        "title_en": instrument.title.en,
        "parties": list(instrument.parties),
        "group": instrument.group.value if instrument.group else None,
        "signed_on": instrument.signed_on,
        "in_force_on": instrument.in_force_on,
        "status": instrument.status.value,
        "source": instrument.source,
        "verified": instrument.verified,
        "note": {"kk": note.kk, "ru": note.ru, "en": note.en} if note else {},
        "extra": extra,
    }


def _provision_columns(provision: Provision, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "article": provision.article,
        "summary_kk": provision.summary.kk,
        "summary_ru": provision.summary.ru,
        "summary_en": provision.summary.en,
        "categories": [code.value for code in provision.categories],
        "verified": provision.verified,
        "source": provision.source,
        "checked_on": provision.checked_on,
    }


def _ratification_json(entry: RatificationEntry) -> dict[str, Any]:
    return {
        "state": entry.state,
        "ratified": entry.ratified,
        "date": entry.ratified_on.isoformat() if entry.ratified_on else None,
        "law": entry.law,
        "note": entry.note,
        "in_force_on": entry.in_force_on.isoformat() if entry.in_force_on else None,
        "source": entry.source,
        "checked_on": entry.checked_on.isoformat() if entry.checked_on else None,
        "verified": entry.verified,
    }


def _optional_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _ratifications_from_extra(extra: dict[str, Any]) -> tuple[RatificationEntry, ...]:
    entries = [
        RatificationEntry(
            state=str(item.get("state", "")),
            ratified=bool(item.get("ratified")),
            source=str(item.get("source") or ""),
            verified=bool(item.get("verified")),
            checked_on=_optional_date(item.get("checked_on")),
            ratified_on=_optional_date(item.get("date")),
            law=str(item.get("law") or ""),
            note=str(item.get("note") or ""),
            in_force_on=_optional_date(item.get("in_force_on")),
        )
        for item in extra.get("ratifications", ())
        if isinstance(item, dict)
    ]
    # A library stored before sources were kept (plain lists of codes): known, not sourced.
    for key, ratified in (("ratified_by", True), ("not_ratified_by", False)):
        for state in extra.get(key, ()):
            entries.append(RatificationEntry(str(state), ratified, "", False))
    return tuple(entries)


def _instrument_from_row(row: Agreement, provisions: tuple[Provision, ...]) -> Instrument:
    note = row.note or {}
    return Instrument(
        id=row.slug,
        kind=InstrumentKind(row.kind),
        title=LocalizedText(kk=row.title_kk, ru=row.title_ru, en=row.title_en),
        parties=tuple(row.parties or ()),
        group=InstrumentGroup(row.group) if row.group else None,
        signed_on=row.signed_on,
        in_force_on=row.in_force_on,
        status=InstrumentStatus(row.status),
        source=row.source,
        verified=row.verified,
        provisions=provisions,
        note=LocalizedText(**{lang: str(note.get(lang, "")) for lang in LANGUAGES})
        if note
        else None,
        ratifications=_ratifications_from_extra(row.extra or {}),
        checked_on=_optional_date((row.extra or {}).get("checked_on")),
        expired_on=_optional_date((row.extra or {}).get("expired_on")),
    )


def _provision_from_row(row: AgreementProvision) -> Provision:
    return Provision(
        id=row.slug,
        article=row.article,
        summary=LocalizedText(kk=row.summary_kk, ru=row.summary_ru, en=row.summary_en),
        categories=tuple(Category(code) for code in row.categories or ()),
        verified=row.verified,
        source=row.source or "",
        checked_on=row.checked_on,
    )


# --- turning library objects into records ------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    """The library and the row ids and mission data that library objects lack."""

    library: Library
    provision_ids: dict[tuple[str, str], str]
    agreement_ids: dict[str, str]
    mission_notes: dict[str, str]
    versions: dict[str, int]


def provision_info(
    snapshot: _Snapshot,
    instrument: Instrument,
    provision: Provision,
    lang: str,
    applicable: Applicable | None = None,
    host: str = "",
    facts: tuple[date | None, date | None] | None = None,
) -> ProvisionInfo:
    """``host``: the case's host country, to say whether the instrument binds it today;
    ``facts``: the case's ``facts_period``, to say whether it bound the host only after."""
    today = date.today()
    after = (
        host != ""
        and facts is not None
        and timing(binds_from(instrument, host), today, *facts) is Timing.AFTER_FACTS
    )
    return ProvisionInfo(
        id=snapshot.provision_ids[(instrument.id, provision.id)],
        slug=provision.id,
        instrument_id=snapshot.agreement_ids[instrument.id],
        instrument_slug=instrument.id,
        instrument_title=instrument.title_in(lang),
        article=provision.article,
        article_label=article_text(provision.article, lang),
        summary=provision.summary_in(lang),
        summaries=dict(zip(LANGUAGES, provision.summary.all(), strict=True)),
        categories=tuple(code.value for code in provision.categories),
        verified=is_verified(instrument, provision),
        provision_verified=provision.verified,
        citation=citation_text(instrument, provision, lang),
        basis=applicable.basis.value if applicable else None,
        binding=applicable.binding if applicable else instrument.is_binding,
        source=provision.source or instrument.source,
        checked_on=provision.checked_on if provision.source else instrument.checked_on,
        in_force_date_known=not instrument.in_force_date_unknown,
        in_force=_in_force_for(instrument, host, today) if host else instrument.is_binding,
        after_the_facts=after,
    )


def instrument_info(snapshot: _Snapshot, instrument: Instrument, lang: str) -> InstrumentInfo:
    return InstrumentInfo(
        id=snapshot.agreement_ids[instrument.id],
        slug=instrument.id,
        kind=instrument.kind.value,
        kind_label=kind_label(instrument.kind),
        title=instrument.title_in(lang),
        titles=dict(zip(LANGUAGES, instrument.title.all(), strict=True)),
        parties=instrument.parties,
        group=instrument.group.value if instrument.group else None,
        signed_on=instrument.signed_on,
        in_force_on=instrument.in_force_on,
        status=instrument.status.value,
        status_label=status_text(instrument.status, instrument.in_force_on, instrument.expired_on),
        source=instrument.source,
        verified=instrument.verified,
        note=instrument.note_in(lang) or "",
        mission_notes=snapshot.mission_notes.get(instrument.id, ""),
        ratified_by=tuple(sorted(instrument.ratified_by)),
        not_ratified_by=tuple(sorted(instrument.not_ratified_by)),
        provisions=tuple(
            provision_info(snapshot, instrument, provision, lang)
            for provision in instrument.provisions
        ),
        version=snapshot.versions.get(instrument.id, 0),
        checked_on=instrument.checked_on,
        ratifications=instrument.ratifications,
        in_force_date_known=not instrument.in_force_date_unknown,
        expired_on=instrument.expired_on,
    )


_KEPT: WeakKeyDictionary[Database, tuple[tuple[Any, ...], _Snapshot]] = WeakKeyDictionary()


def _library_stamp(session: Session) -> tuple[Any, ...]:
    """What changes whenever the library in the database does: every write to an instrument
    or a provision (a sync, an import, a mission's notes) stamps it with a new ``change_seq``,
    and rows are tombstoned, never deleted; the edition is in its setting."""
    stamp: list[Any] = []
    for model in (Agreement, AgreementProvision):
        stamp += session.execute(select(func.count(model.id), func.max(model.change_seq))).one()
    setting = session.get(Setting, LIBRARY_SETTING)
    stamp.append(json.dumps(setting.value, sort_keys=True) if setting is not None else None)
    return tuple(stamp)


def _snapshot_of(ws: Workspace, session: Session) -> _Snapshot:
    """The library as ``session`` sees it. Read from a read session (committed data), it is
    kept until the library changes: the Agreements area read it six times as it opened
    (12 ms each at 60 instruments), every letter rendered once more."""
    if not is_read(session):
        return _snapshot(session)
    stamp = _library_stamp(session)
    kept = _KEPT.get(ws.db)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    snapshot = _snapshot(session)
    _KEPT[ws.db] = (stamp, snapshot)
    return snapshot


def _snapshot(session: Session) -> _Snapshot:
    library, provision_ids = library_from_db(session)
    rows = session.execute(
        select(Agreement.slug, Agreement.id, Agreement.mission_notes, Agreement.version).where(
            Agreement.deleted_at.is_(None)
        )
    ).all()
    return _Snapshot(
        library=library,
        provision_ids=provision_ids,
        agreement_ids={slug: id_ for slug, id_, _notes, _v in rows},
        mission_notes={slug: notes or "" for slug, _id, notes, _v in rows},
        versions={slug: version for slug, _id, _notes, version in rows},
    )


def reference_parts(instrument: Instrument, provision: Provision, lang: str) -> tuple[str, str]:
    """(instrument as a letter names it, with its date; the article) in ``lang``."""
    article = article_text(provision.article, lang)
    full = citation_text(instrument, provision, lang, mark_unverified=False)
    return full.removesuffix(f", {article}"), article


# --- the service -------------------------------------------------------------------------------


class AgreementService:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def _read(self) -> _Snapshot:
        ensure_library(self.ws)
        with self.ws.read() as session:
            return _snapshot_of(self.ws, session)

    @staticmethod
    def _lang(lang: str | None) -> str:
        return check_language(lang or current_language())

    # -- browsing -------------------------------------------------------------------------------

    def list(
        self,
        country: str | None = None,
        text: str = "",
        kind: str | None = None,
        status: str | None = None,
        lang: str | None = None,
    ) -> builtins.list[InstrumentInfo]:
        """The library, searched and filtered. ``country`` keeps what applies there or is
        pending with it; ``text`` searches titles, articles and summaries in every language."""
        language = self._lang(lang)
        snap = self._read()
        instruments = snap.library.search(text, language)
        if kind:
            wanted_kind = _enum(InstrumentKind, kind, "kind")
            instruments = [i for i in instruments if i.kind is wanted_kind]
        if status:
            wanted_status = _enum(InstrumentStatus, status, "status")
            instruments = [i for i in instruments if i.status is wanted_status]
        if country:
            concerned = {a.instrument.id for a in applicable_instruments(snap.library, country)}
            concerned |= {i.id for i in pending_instruments(snap.library, country)}
            concerned |= {i.id for i in expired_instruments(snap.library, country)}
            instruments = [i for i in instruments if i.id in concerned]
        return [instrument_info(snap, instrument, language) for instrument in instruments]

    def get(self, agreement_id: str, lang: str | None = None) -> InstrumentInfo:
        """One instrument by database id or by slug."""
        language = self._lang(lang)
        snap = self._read()
        slug = next(
            (s for s, id_ in snap.agreement_ids.items() if id_ == agreement_id), agreement_id
        )
        return instrument_info(snap, snap.library.instrument(slug), language)

    def applicable(self, country: str, lang: str | None = None) -> builtins.list[ApplicableInfo]:
        """Instruments in force that apply in ``country``, strongest basis first."""
        language = self._lang(lang)
        snap = self._read()
        return [
            ApplicableInfo(
                instrument=instrument_info(snap, item.instrument, language),
                basis=item.basis.value,
                basis_label=basis_text(item),
                binding=item.binding,
                ratification=item.ratification.value if item.ratification else None,
                verified=item.verified,
                ratification_label=ratification_label(item),
                binds_from=item.binds_from,
            )
            for item in applicable_instruments(snap.library, country)
        ]

    def pending(self, country: str, lang: str | None = None) -> builtins.list[InstrumentInfo]:
        """Agreements with ``country`` signed but not in force, under negotiation or planned:
        information, not law."""
        language = self._lang(lang)
        snap = self._read()
        return [
            instrument_info(snap, instrument, language)
            for instrument in pending_instruments(snap.library, country)
        ]

    def expired(self, country: str, lang: str | None = None) -> builtins.list[InstrumentInfo]:
        """Agreements with ``country`` no longer in force: listed apart, never as binding."""
        language = self._lang(lang)
        snap = self._read()
        return [
            instrument_info(snap, instrument, language)
            for instrument in expired_instruments(snap.library, country)
        ]

    def relevant_for_case(
        self, case_id: str, lang: str | None = None
    ) -> builtins.list[ProvisionInfo]:
        """Provisions of the instruments applying in the case's host country that bear on any
        of its categories, binding ones first."""
        language = self._lang(lang)
        snap = self._read()
        with self.ws.read() as session:
            country, categories = _case_facts(session, case_id)
            domestic = is_domestic_case(session, case_id)
            facts = facts_period(session, case_id)
        return _relevant(snap, country, categories, language, domestic, facts)

    def host_law_for_case(self, case_id: str, lang: str | None = None) -> HostLaw:
        """The host-country statutes the contract review cites for the case's host country,
        as valid today, so that the case's "Applicable law" names the same law."""
        language = self._lang(lang)
        with self.ws.read() as session:
            country, _categories = _case_facts(session, case_id)
            domestic = is_domestic_case(session, case_id)
            return host_law(self.ws, country, language, session=session, domestic=domestic)

    # -- citations ------------------------------------------------------------------------------

    def citations(self, case_id: str, lang: str | None = None) -> builtins.list[CitationInfo]:
        language = self._lang(lang)
        snap = self._read()
        with self.ws.read() as session:
            country, _categories = _case_facts(session, case_id)
            rows = _citation_rows(session, case_id)
            facts = facts_period(session, case_id)
            return [_citation_info(snap, row, language, country, facts) for row in rows]

    def cite(
        self, case_id: str, provision_id: str, note: str = "", lang: str | None = None
    ) -> CitationInfo:
        """Record that the case relies on a provision (a timeline note says so too)."""
        self.ws.require_role(*CASE_WORKERS)
        language = self._lang(lang)
        note = check.bounded_text(note, "note", _("Note"), MAX_CITATION_NOTE)
        snap = self._read()
        with self.ws.write() as session:
            case_row = _load_case(session, case_id)
            provision = session.get(AgreementProvision, provision_id)
            if (
                provision is None
                or provision.deleted_at is not None
                or provision.agreement.deleted_at is not None
            ):
                raise NotFound(_("No such provision in the agreement library."))
            if any(row.provision_id == provision_id for row in _citation_rows(session, case_id)):
                raise ConflictError(_("The case already cites this provision."))
            row = CaseCitation(case_id=case_id, provision_id=provision_id, note=note)
            session.add(row)
            session.flush()
            info = _citation_info(snap, row, language)
            self._timeline(
                session,
                case_row,
                event_data(SystemEvent.CITED, citation=info.provision.citation),
            )
            self.ws.audit(
                session,
                "case.cite",
                "case",
                case_row.number,
                {
                    "citation": row.id,
                    "instrument": info.provision.instrument_slug,
                    "provision": info.provision.slug,
                },
            )
            return info

    def uncite(self, citation_id: str, lang: str | None = None) -> None:
        """Withdraw a citation (a tombstone, so the removal reaches HQ too)."""
        self.ws.require_role(*CASE_WORKERS)
        language = self._lang(lang)
        snap = self._read()
        with self.ws.write() as session:
            row = live_row(session, CaseCitation, citation_id, _("No such citation."))
            case_row = _load_case(session, row.case_id)
            info = _citation_info(snap, row, language)
            row.deleted_at = datetime.now(UTC)
            self._timeline(
                session,
                case_row,
                event_data(SystemEvent.CITATION_WITHDRAWN, citation=info.provision.citation),
            )
            self.ws.audit(
                session,
                "case.uncite",
                "case",
                case_row.number,
                {
                    "citation": row.id,
                    "instrument": info.provision.instrument_slug,
                    "provision": info.provision.slug,
                },
            )

    def set_mission_notes(
        self,
        agreement_id: str,
        text: str,
        lang: str | None = None,
        expected_version: int | None = None,
    ) -> InstrumentInfo:
        """The mission's own notes on an instrument (practice, contacts); HQ updates keep them.
        ``expected_version``, the instrument's as the notes were opened: notes another user
        saved meanwhile are not written over (they were, silently, at an HQ on a server)."""
        self.ws.require_role(*NOTE_EDITORS)
        notes = check.bounded_text(text, "mission_notes", _("Mission notes"), MAX_NOTES)
        ensure_library(self.ws)
        with self.ws.write() as session:
            row = session.get(Agreement, agreement_id)
            if row is None:
                row = session.execute(
                    select(Agreement).where(Agreement.slug == agreement_id)
                ).scalar_one_or_none()
            if row is None or row.deleted_at is not None:
                raise NotFound(
                    _("No instrument {id} in the agreement library.").format(id=agreement_id)
                )
            check.record_version(session, row, expected_version)
            if row.mission_notes != notes:
                row.mission_notes = notes
                self.ws.audit(
                    session,
                    "agreement.notes",
                    "agreement",
                    row.slug,
                    {"length": len(notes)},
                )
            slug = row.slug
        return self.get(slug, lang)

    def _timeline(self, session: Session, case_row: Case, data: dict[str, Any]) -> None:
        add_case_event(session, case_row.id, EventKind.NOTE, self.ws.actor.username, data=data)
        # Child rows do not dirty the case; bundles travel by its version, so touch it.
        case_row.updated_at = datetime.now(UTC)
        session.flush()
        search.index_cases(session, [case_row.id])


def letter_citations(
    ws: Workspace,
    case_id: str,
    lang: str,
    session: Session | None = None,
    on: date | None = None,
) -> tuple[Citation, ...]:
    """What a letter on the case dated ``on`` (today by default) cites, in ``lang``: the
    provisions the officer cited, or, when none is cited, the relevant provisions of
    instruments binding the host country on that day.

    Pass ``session`` to read inside the caller's transaction (the letter register numbers and
    stores a letter in one write transaction; a second connection would wait on its lock). A
    library not yet seeded is seeded in that transaction, so a read session's caller calls
    ``ensure_library`` before opening it: a read must not write.
    A letter to an employer, whom treaties between states do not bind, cites the host's law
    instead (app.services.letters).
    """
    language = check_language(lang)
    day = on or date.today()
    if session is None:
        ensure_library(ws)
        with ws.read() as own:
            return _letter_citations(ws, own, case_id, language, day)
    if not _agreement_count(session):
        _sync(ws.actor.username, session, load_library())
    return _letter_citations(ws, session, case_id, language, day)


def _letter_citations(
    ws: Workspace, session: Session, case_id: str, lang: str, on: date
) -> tuple[Citation, ...]:
    snap = _snapshot_of(ws, session)
    country, categories = _case_facts(session, case_id)
    start, end = facts_period(session, case_id)

    def after_the_facts(instrument: Instrument) -> bool:
        when = timing(binds_from(instrument, country), on, start, end)
        return when is Timing.AFTER_FACTS

    # An instrument not in force, or not yet for the host, binds no one: the letter leaves
    # it out, whoever cited it (``citations_not_in_force`` tells the approver).
    pairs = [
        (instrument, provision)
        for instrument, provision in _cited_pairs(snap, session, case_id)
        if _in_force_for(instrument, country, on)
    ]
    if not pairs:
        # Standards the host has not ratified are never put forward as law on their own, nor
        # is an instrument that bound the host only after the facts of the case.
        domestic = is_domestic_case(session, case_id)
        relevant = [
            p
            for p in _relevant(snap, country, categories, lang, domestic)
            if p.binding
            and _in_force_for(snap.library.instrument(p.instrument_slug), country, on)
            and not after_the_facts(snap.library.instrument(p.instrument_slug))
        ]
        pairs = [_pair(snap, p.instrument_slug, p.slug) for p in relevant[:MAX_DEFAULT_CITATIONS]]
    citations = []
    for instrument, provision in pairs:
        name, article = reference_parts(instrument, provision, lang)
        # One that bound the host only after the facts was not the law they broke: an ILO or
        # UN convention is then a standard for them; an agreement between states is no
        # standard, but the law since, under a heading of its own.
        after = after_the_facts(instrument)
        citations.append(
            Citation(
                instrument=name,
                article=article,
                summary=provision.summary_in(lang),
                verified=is_verified(instrument, provision),
                standard=is_standard_in(instrument, country)
                or (after and instrument.is_multilateral),
                later=after and not instrument.is_multilateral,
                in_force_since=binds_from(instrument, country) if after else None,
                in_force_date_known=not instrument.in_force_date_unknown,
            )
        )
    return tuple(citations)


def citations_not_in_force(
    ws: Workspace, session: Session, case_id: str, lang: str, on: date
) -> list[str]:
    """The case's citations of instruments not in force on ``on`` (signed only, doubtful, or
    binding the host only later), in ``lang``: letters leave them out; the approver is told."""
    snap = _snapshot_of(ws, session)
    country = _load_case(session, case_id).host_country
    return [
        citation_text(instrument, provision, check_language(lang), mark_unverified=False)
        for instrument, provision in _cited_pairs(snap, session, case_id)
        if not _in_force_for(instrument, country, on)
    ]


def citations_after_the_facts(
    ws: Workspace,
    session: Session,
    case_id: str,
    lang: str,
    on: date,
    *,
    between_states: bool = False,
) -> list[str]:
    """The case's citations of instruments that bound the host only after the facts of the
    case ended (``facts_period``), in ``lang``: not the law that was broken; the approver is
    told. ILO and UN conventions, which letters cite as international standards; with
    ``between_states``, the agreements between states, which letters cite under a heading of
    their own with the day they entered into force."""
    snap = _snapshot_of(ws, session)
    country = _load_case(session, case_id).host_country
    start, end = facts_period(session, case_id)
    return [
        citation_text(instrument, provision, check_language(lang), mark_unverified=False)
        for instrument, provision in _cited_pairs(snap, session, case_id)
        if _in_force_for(instrument, country, on)
        and timing(binds_from(instrument, country), on, start, end) is Timing.AFTER_FACTS
        and instrument.is_multilateral is not between_states
    ]


def facts_period(session: Session, case_id: str) -> tuple[date | None, date | None]:
    """When the facts of the case ran, as the case records them: the periods of the amounts
    claimed and the contracts reviewed for it (signed on, and the term's end). The end is None
    when anything recorded is open-ended: the facts may still go on. When nothing is dated,
    they ran up to the day the complaint was received, the latest the case knows of them (a
    letter's own date would make law of what bound the host only since)."""
    case = _load_case(session, case_id)
    spans: list[tuple[date | None, date | None]] = [
        (claim.period_from, claim.period_to) for claim in parse_claims(case.claims)
    ]
    reviewed = session.execute(
        select(ContractReview.terms).where(
            ContractReview.case_id == case_id, ContractReview.deleted_at.is_(None)
        )
    ).scalars()
    for stored in reviewed:
        try:
            terms = parse_terms(dict(stored or {}))
        except ValidationError:
            continue  # terms stored by an older release: they date nothing
        spans.append((terms.signed_on, term_end(terms)))
    spans = [(first, last) for first, last in spans if first is not None or last is not None]
    if not spans:
        return None, case.received_at
    starts = [first for first, _last in spans if first is not None]
    ends = [last for _first, last in spans]
    start = min(starts) if starts else None
    if not ends or any(last is None for last in ends):
        return start, None
    return start, max(last for last in ends if last is not None)


def _in_force_for(instrument: Instrument, country: str, on: date) -> bool:
    return instrument.is_binding and not binds_later(instrument, country, on)


def _cited_pairs(
    snap: _Snapshot, session: Session, case_id: str
) -> list[tuple[Instrument, Provision]]:
    chosen = [_find(snap, row.provision_id) for row in _citation_rows(session, case_id)]
    return [pair for pair in chosen if pair is not None]


# --- helpers -----------------------------------------------------------------------------------


def _enum(enum_type: type[InstrumentKind] | type[InstrumentStatus], value: str, name: str) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        valid = ", ".join(member.value for member in enum_type)
        raise ValidationError(
            _("Unknown {field} {value}; expected one of: {valid}.").format(
                field=name, value=value, valid=valid
            ),
            field=name,
        ) from None


def _load_case(session: Session, case_id: str) -> Case:
    return live_row(session, Case, case_id, _("No such case."))


def _case_facts(session: Session, case_id: str) -> tuple[str, list[str]]:
    row = _load_case(session, case_id)
    categories = (
        session.execute(select(CaseCategory.code).where(CaseCategory.case_id == case_id))
        .scalars()
        .all()
    )
    return row.host_country, sorted(categories)


def is_domestic_case(session: Session, case_id: str) -> bool:
    """Domestic work by the rule the contract review applies: the employer is a household, or
    a contract reviewed for the case names a domestic position."""
    case = _load_case(session, case_id)
    employer = session.get(Employer, case.employer_id) if case.employer_id else None
    terms = session.execute(
        select(ContractReview.terms).where(
            ContractReview.case_id == case_id, ContractReview.deleted_at.is_(None)
        )
    ).scalars()
    positions = [t.get("position") for t in terms if isinstance(t, dict)]
    return is_domestic_work(positions, employer.sector if employer is not None else "")


def _citation_rows(session: Session, case_id: str) -> list[CaseCitation]:
    return list(
        session.execute(
            select(CaseCitation)
            .where(CaseCitation.case_id == case_id, CaseCitation.deleted_at.is_(None))
            .order_by(CaseCitation.updated_at, CaseCitation.id)
        )
        .scalars()
        .all()
    )


def _find(snap: _Snapshot, provision_id: str) -> tuple[Instrument, Provision] | None:
    for (instrument_slug, provision_slug), id_ in snap.provision_ids.items():
        if id_ == provision_id:
            return _pair(snap, instrument_slug, provision_slug)
    return None


def _pair(
    snap: _Snapshot, instrument_slug: str, provision_slug: str
) -> tuple[Instrument, Provision]:
    instrument = snap.library.instrument(instrument_slug)
    return instrument, instrument.provision(provision_slug)


def _citation_info(
    snap: _Snapshot,
    row: CaseCitation,
    lang: str,
    host: str = "",
    facts: tuple[date | None, date | None] | None = None,
) -> CitationInfo:
    pair = _find(snap, row.provision_id)
    if pair is None:
        # HQ withdrew the provision after it was cited; the citation still shows what it was.
        provision = _provision_of_removed(row)
    else:
        provision = provision_info(snap, pair[0], pair[1], lang, host=host, facts=facts)
    return CitationInfo(
        id=row.id,
        case_id=row.case_id,
        provision=provision,
        note=row.note,
        cited_at=row.updated_at,
    )


def _provision_of_removed(row: CaseCitation) -> ProvisionInfo:
    removed = _("(withdrawn from the library)")
    return ProvisionInfo(
        id=row.provision_id,
        slug="",
        instrument_id="",
        instrument_slug="",
        instrument_title=removed,
        article="",
        article_label="",
        summary="",
        summaries={language: "" for language in LANGUAGES},
        categories=(),
        verified=False,
        provision_verified=False,
        citation=removed,
    )


def _relevant(
    snap: _Snapshot,
    country: str,
    categories: Iterable[str],
    lang: str,
    domestic: bool,
    facts: tuple[date | None, date | None] | None = None,
) -> list[ProvisionInfo]:
    wanted = {Category(code) for code in categories}
    result: list[ProvisionInfo] = []
    for applicable in applicable_instruments(snap.library, country):
        if not cited_for_work(applicable.instrument.id, domestic):
            continue
        for provision in applicable.instrument.provisions:
            if wanted.intersection(provision.categories):
                result.append(
                    provision_info(
                        snap, applicable.instrument, provision, lang, applicable, country, facts
                    )
                )
    return result


def category_labels(codes: Iterable[str], lang: str | None = None) -> list[str]:
    """Translated labels of complaint categories (for chips in the UI)."""
    return [label(Category(code), lang) for code in codes]


__all__ = [
    "ApplicableInfo",
    "AgreementService",
    "Basis",
    "CitationInfo",
    "InstrumentInfo",
    "ProvisionInfo",
    "SyncReport",
    "apply_library_update",
    "category_labels",
    "ensure_library",
    "seed_library",
    "letter_citations",
    "citations_after_the_facts",
    "facts_period",
    "library_from_db",
    "sync_library",
]
