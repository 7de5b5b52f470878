"""Exchange with headquarters: export, import and merge of signed, encrypted bundles.

A mission exports its changes since the last export (or everything) for HQ; HQ imports the
bundles of all missions into one consolidated database, sends the agreement library back to
every mission and transfers cases from one mission to another. Every export and import is
audited and logged in ``exchange_log``; a refused import leaves the database untouched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pyrage
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from app import __version__
from app.db.engine import read_once
from app.db.models import (
    Agreement,
    AuditHead,
    Case,
    CaseCategory,
    CaseEvent,
    CaseIloIndicator,
    ContractReview,
    Counter,
    ExchangeLog,
    Mission,
    SyncConflict,
    User,
)
from app.db.raw import BETWEEN_WRITES_S
from app.db.sync import ANY_HOLDER, current_change_seq, note_changes, take_changes
from app.domain.codes import EventKind
from app.domain.events import SystemEvent, event_data
from app.domain.roles import ADMIN_OR_HQ, BUNDLE_IMPORTERS, CASE_WORKERS, EXCHANGE_ROLES
from app.errors import ConflictError, DatabaseBusy, NotFound, ValidationError
from app.exchange.format import DEFAULT_LIMITS, KIND_ENTITIES, BundleKind, Limits
from app.exchange.merge import (
    MergePlan,
    MergeResult,
    apply_plan,
    stale,
    write_new_rows,
)
from app.exchange.ownership import CASE_CHILDREN, LeftOut
from app.exchange.package import (
    BundleRefused,
    BundleReplayed,
    KeyToRegister,
    MemberSpool,
    NoIdentityOpens,
    ProgressFn,
    UnknownSigner,
    VerifiedBundle,
    parse_identities,
    read_bundle,
    read_identity_file,
    write_bundle,
)
from app.exchange.parts import (
    PART_FIELD,
    PREFIX_CHARS,
    PartOf,
    Received,
    file_parts,
    first_part_missing,
    part_path,
    parts_news,
)
from app.exchange.records import BY_NAME, ENTITIES, NOT_CONTENT, Codec, Entity
from app.exchange.sqljson import record_chunks
from app.exchange.staging import check_and_plan
from app.exchange.zipstream import ZipTooLarge
from app.i18n import N_, Said, _, format_number, label_from, lazy, ngettext
from app.os_errors import os_error_text
from app.security import audit_anchor
from app.security.hq_secrets import SecretsFileDamaged
from app.security.keyring_store import SecretStore, identity_entry_name
from app.security.private_files import sync_folder
from app.services.after_crash import note_killed_export_parts
from app.services.agreements import ensure_library, seed_library
from app.services.conflict_text import referenced_names, value_text
from app.services.export_parts import recorded_part
from app.services.index_later import keep_pending, write_pending, write_pending_unless_busy
from app.services.installation import AGE_IDENTITY, SIGNING_KEY
from app.services.keys import check_age_recipient, private_key
from app.services.older_here import (
    WRITTEN_HERE,
    OlderCase,
    anonymised_here_note,
    older_than_here,
    older_warning,
)
from app.services.organisations import key_names_written
from app.services.retention import leave_workers_sent_linked
from app.services.rows import copied
from app.services.search import case_number_typed, index_cases, remove_cases
from app.services.validation import last_actor
from app.services.workspace import Staged, Workspace

EXPORTERS = EXCHANGE_ROLES
IMPORTERS = BUNDLE_IMPORTERS
# What a user whose role imports nothing is told, by the import and beside the Exchange log
# (an HQ analyst was told only that her role "does not allow this action").
IMPORT_REFUSAL = N_(
    "Your role ({role}) does not import bundles: an administrator imports them, and at "
    "headquarters an import operator too."
)
RESOLVERS = EXCHANGE_ROLES
OUT, IN = "out", "in"
CHUNK = 500
# Page cache while an import writes (``_write_import``): a 100k import's case rows go into 18
# indexes keyed at random, and with 64 MiB their pages were spilled and read back (the case
# rows alone: 48-60 s vs 17.6 s with 128 MiB, on a file of 100k cases). 128 MiB keeps a 100k
# import at 460 MB peak (goal 500; 366 MB with 64 MiB, 645 MB with 256 MiB).
IMPORT_CACHE_KIB = 128 * 1024
# How many of a bundle's id's first characters name it (``export_cases(after_bundle=…)``).
BUNDLE_PREFIX_CHARS = PREFIX_CHARS
# The search index of an import's cases is written after its records, a batch per write
# transaction (``app.services.index_later``): FTS5's inserts were most of the import's write
# lock.
# A bundle with at least this many new rows is written, on SQLCipher, in bounded batches before
# its final transaction (``_write_new_in_batches``): a mission's first bundle at HQ (100k cases,
# 750k rows) held the one write lock 16-40 s, past the 15 s another user's save or sign-in
# waits. Each batch is filled to hold the lock about ``BATCH_SECONDS``: fewer, larger batches
# cost less (each commit writes again the index pages every batch touches: 2,000 rows a batch
# took 58 s to write 100k cases, 10,000 rows 31 s, one transaction 16 s). Filled by time, a
# 10k-case bundle (75k rows) goes in two batches (1.5 s; one transaction 1.1 s, but longer as
# HQ grows). PostgreSQL writes in one transaction: nobody waits on it.
BATCHED_FROM = 20_000
BATCH_SECONDS = 0.6
ROWS_PER_WRITE = 2_000  # an entity's first write, before its rows' cost is known
MAX_ROWS_PER_WRITE = 50_000  # rows in one batch at most
# While a batched import of a mission's bundle is being written, this counter (+ the mission's
# code) holds when its last batch was written (ms): other imports of that mission's bundles
# wait for it. One written longer ago than ``CLAIM_STALE_MS`` was left by an import cut short.
IMPORT_CLAIM = "import_writing:"
CLAIM_STALE_MS = 120_000
# Each batch also keeps its change numbers, in the same transaction as its rows, until the final
# one: "import_batch:<mission>:<entity's place in ENTITIES>:<first>" holds the last. Should the
# import be cut short (a crash, the laptop switched off), the next import or sign-in of an
# importer finds its claim stale and takes the batches' rows out again (``_take_back``).
IMPORT_BATCH = "import_batch:"


keyring_identity_name = identity_entry_name  # the OS keyring entry of HQ's age identity


# -- what the service hands out ---------------------------------------------------------------


@dataclass(frozen=True)
class ExportSummary:
    bundle_id: str
    kind: str
    path: Path
    size: int
    sha256: str
    counts: dict[str, int]
    files: int
    change_from: int
    change_to: int
    target_mission: str | None = None
    # A transfer's notices to the missions that held its cases until now (``transfer_cases``).
    notices: tuple[ExportSummary, ...] = ()
    warnings: tuple[str, ...] = ()
    # An export too large for one bundle (app/exchange/parts.py): this bundle's place, and on
    # the first part the bundles after it.
    part: PartOf | None = None
    parts: tuple[ExportSummary, ...] = ()

    @property
    def records(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ImportReport:
    bundle_id: str
    kind: str
    source_mission: str
    already_imported: bool = False
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    local_newer: int = 0
    conflicts: int = 0
    files: int = 0
    per_entity: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # news for the officer, not trouble (a case transferred)
    # The sender's changes to cases HQ transferred away from it: not written. Counted with the
    # rest, so the summary adds up to the records the bundle carried.
    left_out: int = 0

    def counts(self) -> dict[str, str]:
        """The placeholders of the messages that sum the import up (command line, window):
        the sending mission (``source``) and the records ``new``, ``updated``, ``unchanged``,
        ``newer`` here, in ``conflicts`` and ``left_out``."""
        counts = {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "newer": self.local_newer,
            "conflicts": self.conflicts,
            "left_out": self.left_out,
        }
        # Written for the reader's language ("15 082" in kk/ru), as every count in a message.
        return {"source": self.source_mission} | {
            name: format_number(count) for name, count in counts.items()
        }


@dataclass(frozen=True)
class ExchangeLogEntry:
    id: str
    bundle_id: str
    direction: str
    kind: str
    peer_mission: str
    source_mission: str
    created_at: datetime
    change_seq_from: int
    change_seq_to: int
    counts: dict[str, Any]
    report: dict[str, Any]
    file_sha256: str
    actor: str

    @property
    def kind_label(self) -> str:
        """The bundle's kind in words (a transfer's notice apart from the transfer itself)."""
        if self.kind == BundleKind.TRANSFER.value and self.report.get("notice"):
            return _("Transfer notice")
        kind = bundle_kind_label(self.kind)
        part = PartOf.of(self.report.get(PART_FIELD))
        if part is None:
            return kind
        return _("{kind}, part {number} of {count}").format(
            kind=kind, number=part.number, count=part.count
        )


BUNDLE_KINDS = {
    BundleKind.CASES.value: N_("Cases"),
    BundleKind.AGREEMENTS.value: N_("Agreements library"),
    BundleKind.TRANSFER.value: N_("Transfer"),
}


def bundle_kind_label(kind: str) -> str:
    """A bundle's kind in the reader's words (an unknown code as it is)."""
    return _(BUNDLE_KINDS[kind]) if kind in BUNDLE_KINDS else kind


# The kinds of records a bundle carries, as the conflicts list names them.
RECORD_KINDS = {
    "mission": N_("Mission"),
    "person": N_("Person"),
    "employer": N_("Employer"),
    "recruitment_agency": N_("Recruitment agency"),
    "partner_organisation": N_("Partner organisation"),
    "agreement": N_("Agreement"),
    "agreement_provision": N_("Provision"),
    "legal_table": N_("Legal table"),
    "case": N_("Case"),
    "case_event": N_("Timeline entry"),
    "attachment": N_("Attachment"),
    "partner_referral": N_("Referral"),
    "contract_review": N_("Contract review"),
    "case_citation": N_("Cited provision"),
    "letter": N_("Letter"),
    "returnee": N_("Returnee record"),
}


def record_kind_label(entity: str) -> str:
    return label_from(RECORD_KINDS, entity)


@dataclass(frozen=True)
class ConflictField:
    name: str
    local: Any
    remote: Any
    local_text: str = ""  # as the forms show it (app.services.conflict_text)
    remote_text: str = ""


@dataclass(frozen=True)
class ConflictInfo:
    id: str
    entity: str
    record_id: str
    label: str
    bundle_id: str
    local_version: int
    remote_version: int
    detected_at: datetime
    fields: tuple[ConflictField, ...]
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    source: str = ""  # the mission whose bundle brought the other version


def _already_resolved(conflict: SyncConflict) -> ConflictError:
    """A conflict someone resolved while this user still saw it open: who, and which way."""
    who = conflict.resolved_by
    if not who:
        return ConflictError(_("This conflict has already been resolved."))
    if conflict.resolution == "remote":
        message = _("{user} has already resolved this conflict and took the sender's version.")
    else:
        message = _("{user} has already resolved this conflict and kept the version held here.")
    return ConflictError(message.format(user=who))


def _conflicts_info(session: Session, rows: Sequence[SyncConflict]) -> list[ConflictInfo]:
    """The conflicts, their values in words (the people and organisations named, not their
    ids, looked up at once)."""
    names = referenced_names(
        session,
        ((k, v) for r in rows for side in (r.local_data, r.remote_data) for k, v in side.items()),
    )
    sources = dict(
        session.execute(
            select(ExchangeLog.bundle_id, ExchangeLog.source_mission).where(
                ExchangeLog.bundle_id.in_({r.bundle_id for r in rows}),
                ExchangeLog.direction == IN,
            )
        ).all()
    )
    return [_conflict_info(r, names, sources.get(r.bundle_id) or "") for r in rows]


def _conflict_info(row: SyncConflict, names: Mapping[str, str], source: str) -> ConflictInfo:
    local, remote = row.local_data, row.remote_data
    columns = sorted((set(local) | set(remote)) - NOT_CONTENT)
    fields = tuple(
        ConflictField(
            n,
            local.get(n),
            remote.get(n),
            value_text(row.entity, n, local.get(n), names),
            value_text(row.entity, n, remote.get(n), names),
        )
        for n in columns
        if local.get(n) != remote.get(n)
    )
    label = str(
        remote.get("number")
        or remote.get("outgoing_number")
        or remote.get("name")
        or " ".join(str(remote.get(k) or "") for k in ("surname", "given_names")).strip()
        or remote.get("slug")
        or row.record_id
    )
    return copied(ConflictInfo, row, label=label, fields=fields, source=source)


def _log_entry(row: ExchangeLog) -> ExchangeLogEntry:
    return copied(ExchangeLogEntry, row, counts=dict(row.counts), report=dict(row.report))


# -- collecting records -------------------------------------------------------------------------


class _Collected:
    """What an export packs: records and files go into an encrypted member spool as they are
    read, so memory holds a batch of rows at a time, never the bundle."""

    def __init__(self) -> None:
        self.members = MemberSpool()
        self.counts: dict[str, int] = {}
        self.files = 0
        self._digests: set[str] = set()

    def add_records(self, entity: str, records: Iterable[dict[str, Any]]) -> None:
        self._count(entity, self.members.add_records(entity, records))

    def add_entity(self, session: Session, entity: Entity, where: Any) -> None:
        """The records and files of ``entity`` matching ``where``: SQLite writes the record
        lines itself where it can (``record_chunks``), Python builds them otherwise."""
        # The pages of files are read once: through a small page cache, not the one sized
        # for the case list (an export of 1.4 GB of scans peaked at 612 MB, 250 MB so).
        with read_once(session.connection()) if entity.blob_column else nullcontext():
            chunks = record_chunks(session.connection(), entity, where)
            if chunks is None:
                self.add_records(entity.name, _collect(session, entity, where))
            else:
                self._count(entity.name, self.members.add_chunks(entity.name, chunks))
            self.add_files(_collect_files(session, entity, where))

    def _count(self, entity: str, count: int) -> None:
        if count:
            self.counts[entity] = count

    def add_files(self, files: Iterable[tuple[str, bytes]]) -> None:
        for sha256, content in files:
            if sha256 not in self._digests:
                self._digests.add(sha256)
                self.members.add_file(sha256, content)
                self.files += 1

    def close(self) -> None:
        self.members.close()


@dataclass(frozen=True)
class _Prepared:
    """What an export read in its snapshot, besides the records."""

    kind: BundleKind
    bundle_id: str
    own_code: str
    own_recipient: str
    signing: bytes
    manifest: dict[str, Any]
    counts: dict[str, int]
    files: int
    start: int
    end: int
    target: str | None


@dataclass(frozen=True)
class _Packed:
    path: Path
    size: int
    sha256: str


BATCH = 2000  # rows read and encoded at a time
CASE_LINKS = (("categories", CaseCategory), ("ilo_indicators", CaseIloIndicator))


def _columns(entity: Entity) -> Any:
    """The Core columns of the entity's table: selects on them return plain rows, no ORM."""
    return entity.model.__table__.c  # type: ignore[attr-defined]


def _collect(session: Session, entity: Entity, where: Any) -> Iterator[dict[str, Any]]:
    """Records of ``entity`` matching ``where`` (on ``_columns``), in id order, read and
    converted a batch at a time: a generator, so an export never holds an entity's rows."""
    codec = Codec(entity)
    columns = _columns(entity)
    with_content: set[str] = set()
    if entity.blob_column and entity.digest_column:
        digest, blob = columns[entity.digest_column], columns[entity.blob_column]
        with_content = set(
            session.connection()
            .execute(select(digest).distinct().where(where, blob.is_not(None)))
            .scalars()
        )
    result = session.connection().execute(
        select(*codec.select_columns()).where(where).order_by(columns.id)
    )
    lists = (
        [(key, _CaseCodes(session, link, where)) for key, link in CASE_LINKS]
        if entity.model is Case
        else []
    )
    for batch in result.partitions(BATCH):
        records = [codec.to_record(row) for row in batch]
        for key, codes in lists:
            for record in records:
                record[key] = codes.of(record["id"])
        if entity.digest_column:
            for record in records:  # a record whose content is gone travels without its file
                sha = record.get(entity.digest_column)
                if sha and sha not in with_content and record.get("deleted_at") is None:
                    record["deleted_at"] = record["updated_at"]
        yield from records


def _collect_files(session: Session, entity: Entity, where: Any) -> Iterator[tuple[str, bytes]]:
    """The files (sha256, content) of the records ``_collect`` gives, read one at a time."""
    if not (entity.blob_column and entity.digest_column):
        return
    columns = _columns(entity)
    digest, blob = columns[entity.digest_column], columns[entity.blob_column]
    result = session.connection().execute(
        select(digest, blob).where(where, blob.is_not(None), digest.is_not(None))
    )
    # One file at a time: a batch of 50 scans of up to 25 MB each held 1.2 GB.
    for sha, content in result:
        yield sha, bytes(content)


def _changed(
    entity: Entity, start: int, end: int, elsewhere: list[str], their_people: list[str]
) -> Any:
    """Which rows of ``entity`` an export carries: those changed in its range, without the
    copies of cases HQ moved away and the people only they name (``_copies_not_sent``)."""
    columns = _columns(entity)
    if entity.model is Mission:
        return columns.is_local.is_(True)
    where = (columns.change_seq > start) & (columns.change_seq <= end)
    if elsewhere and entity.name == "case":
        return where & columns.id.not_in(elsewhere)
    if elsewhere and entity.name in CASE_CHILDREN:
        return where & or_(columns.case_id.is_(None), columns.case_id.not_in(elsewhere))
    if their_people and entity.name == "person":
        return where & columns.id.not_in(their_people)
    return where


def _as_parts(first: _Prepared, collected: list[_Collected]) -> list[_Prepared]:
    """The export's bundles: ``first`` alone, or one for each part, each with an id and counts
    of its own, the same change range and the same signed audit head."""
    if len(collected) == 1:
        return [first]
    import uuid

    every = []
    for number, part in enumerate(collected, 1):
        bundle_id = first.bundle_id if number == 1 else str(uuid.uuid4())
        place = PartOf(first.bundle_id, number, len(collected))
        manifest = {
            **first.manifest,
            "bundle_id": bundle_id,
            "counts": dict(part.counts),
            PART_FIELD: place.to_dict(),
        }
        every.append(
            replace(
                first,
                bundle_id=bundle_id,
                manifest=manifest,
                counts=dict(part.counts),
                files=part.files,
            )
        )
    return every


def _part_entry(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A bundle's place in an export in parts, as its log entry and audit entry keep it."""
    part = manifest.get(PART_FIELD)
    return {PART_FIELD: dict(part)} if part else {}


def _cannot_write(exc: OSError) -> ValidationError:
    """Said where the exchange state is untouched: the bundle's files are removed, and the log
    entry, the audit entry and a transfer's changes are written only after the files (a
    transfer's roll back with its transaction). The officer asked whether to send again."""
    return ValidationError(
        _(
            "The bundle cannot be written: {error}. No bundle file was left, and nothing was "
            "recorded as sent or changed here: free some space on that disk or choose another "
            "folder, and try again."
        ).format(error=os_error_text(exc)),
        field="out",
    )


class _CaseCodes:
    """The category or ILO-indicator codes of the cases ``where`` selects, read in one query
    ordered by case id beside the cases themselves (same order): no query per batch."""

    def __init__(self, session: Session, link: Any, where: Any) -> None:
        table: Any = link.__table__
        cases = _columns(BY_NAME["case"])
        self._rows = iter(
            session.connection().execute(
                select(table.c.case_id, table.c.code)
                .join(Case.__table__, cases.id == table.c.case_id)
                .where(where)
                .order_by(table.c.case_id, table.c.code)
            )
        )
        self._next: Any = next(self._rows, None)

    def of(self, case_id: str) -> list[str]:
        """The codes of ``case_id``; cases must be asked for in id order."""
        codes = []
        while self._next is not None and self._next[0] <= case_id:
            if self._next[0] == case_id:
                codes.append(self._next[1])
            self._next = next(self._rows, None)
        return codes


# How every age file begins, binary or armored: a bundle is one.
AGE_HEADERS = (b"age-encryption.org/", b"-----BEGIN AGE ENCRYPTED FILE-----")


def _refuse_other_files(path: Path) -> None:
    """A file chosen by mistake (the PDF report, the unencrypted ZIP) was said to be "damaged
    or truncated", and the mission asked to send its bundle again."""
    with path.open("rb") as handle:
        head = handle.read(max(len(h) for h in AGE_HEADERS))
    # A file shorter than a header but agreeing with it is a truncated bundle: said so later.
    if not head or not any(head.startswith(h) or h.startswith(head) for h in AGE_HEADERS):
        raise BundleRefused(
            lazy(
                N_(
                    "{name} is not an exchange bundle (an encrypted .qbundle file made by "
                    "Qorgau); choose the bundle file you received."
                ),
                name=path.name,
            )
        )


def _made_at(manifest: Mapping[str, Any]) -> datetime | None:
    """When the bundle was made, as its signed manifest says (UTC if it names no zone)."""
    try:
        made = datetime.fromisoformat(str(manifest.get("created_at") or ""))
    except ValueError:
        return None
    return made if made.tzinfo else made.replace(tzinfo=UTC)


class ExchangeService:
    def __init__(
        self,
        workspace: Workspace,
        store: SecretStore | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.ws = workspace
        self.store = store or SecretStore()
        self.limits = limits

    # -- keys -------------------------------------------------------------------------------------

    def _own_mission(self, session: Session) -> Mission:
        return session.execute(select(Mission).where(Mission.is_local)).scalar_one()

    def _secret(self, session: Session, name: str) -> bytes | None:
        return private_key(self.ws, session, name, self.store)

    def _identities(
        self, session: Session, identity_file: Path | None
    ) -> list[pyrage.x25519.Identity]:
        identities = []
        if identity_file is not None:
            identities.extend(read_identity_file(identity_file))
        from_keyring = self.store.get(keyring_identity_name(self.ws.database_id))
        if from_keyring:
            identities.extend(parse_identities(from_keyring.decode("ascii")))
        try:
            own = self._secret(session, AGE_IDENTITY)
        except SecretsFileDamaged:
            if not identities:
                raise
            own = None  # the identity file given may open the bundle all the same
        if own:
            identities.extend(parse_identities(own.decode("ascii")))
        if not identities:
            # A new import workstation, or HQ's identity kept elsewhere: a file may open it.
            raise NoIdentityOpens(
                _(
                    "No age identity that opens bundles is kept on this computer; an identity "
                    "file that opens this bundle is needed."
                )
            )
        return identities

    # -- export -----------------------------------------------------------------------------------

    def export_cases(
        self,
        out: Path,
        recipients: Iterable[str],
        all_changes: bool = False,
        progress: ProgressFn | None = None,
        hq_key_only: bool = False,
        after_bundle: str | None = None,
    ) -> ExportSummary:
        """This mission's changes since the last export (or all of them) for HQ.

        ``hq_key_only``: refuse any key that is not a trusted headquarters' key (the desktop
        export asks for it unless the officer chose, warned, to type another key).
        ``after_bundle``: the id (or its first eight characters or more) of a bundle sent from
        here: the changes since it, again, for an HQ that did not receive a later one (its
        import names the last bundle it has). A lost bundle is sent again so, with what
        followed it, instead of everything (``all_changes``), which a mission of many
        documents may have more of than a bundle may hold."""
        recipients = list(recipients)
        if all_changes and after_bundle:
            raise ValidationError(_("Choose either everything or the changes after a bundle."))
        if hq_key_only:
            self.require_hq_keys(recipients)
        return self._export(BundleKind.CASES, out, recipients, all_changes, progress, after_bundle)

    def hq_keys(self) -> dict[str, str]:
        """The trusted headquarters' keys for bundles: key → HQ's code."""
        with self.ws.read() as session:
            rows = session.execute(
                select(Mission.age_recipient, Mission.code).where(
                    Mission.is_hq.is_(True),
                    Mission.is_local.is_(False),
                    Mission.signing_public_key.is_not(None),
                )
            ).all()
        return {key: code for key, code in rows if key}

    def require_hq_keys(self, recipients: list[str]) -> None:
        """Refuse, before anything is written, a key that is not a trusted HQ key."""
        trusted = self.hq_keys()
        if not recipients:
            raise ValidationError(lazy(N_("Choose headquarters' key.")), field="recipient")
        for recipient in recipients:
            if recipient not in trusted:
                raise ValidationError(
                    lazy(
                        N_(
                            "This key is not a trusted headquarters' key; the bundle was not "
                            "written. An administrator adds headquarters' key under Keys."
                        )
                    ),
                    field="recipient",
                )

    def export_agreements(
        self,
        out: Path,
        recipients: Iterable[str] | None = None,
        all_changes: bool = False,
        progress: ProgressFn | None = None,
    ) -> ExportSummary:
        """HQ: the agreement library's changes, to every mission whose age key is registered."""
        self._require_hq()
        # The library is seeded at its first use: an HQ whose library nobody had opened yet
        # sent an empty bundle, and the missions were told it imported.
        ensure_library(self.ws)
        if recipients is None:
            with self.ws.read() as session:
                recipients = [
                    r
                    for r in session.execute(
                        select(Mission.age_recipient).where(Mission.is_local.is_(False))
                    ).scalars()
                    if r
                ]
        return self._export(BundleKind.AGREEMENTS, out, list(recipients), all_changes, progress)

    def _require_hq(self) -> None:
        self.ws.require_role(*ADMIN_OR_HQ)
        if not self.ws.mission.is_hq:
            raise ValidationError(_("Only a headquarters installation can do this."))

    def _check_recipients(self, recipients: list[str]) -> None:
        for recipient in recipients:
            check_age_recipient(recipient)

    def _export(
        self,
        kind: BundleKind,
        out: Path,
        recipients: list[str],
        all_changes: bool,
        progress: ProgressFn | None,
        after_bundle: str | None = None,
    ) -> ExportSummary:
        """Collect from one read snapshot, pack without any transaction open, then record the
        export in one short write transaction: other users read and write all the while.

        The change range is the snapshot's: every row with ``change_seq <= end`` was committed
        before the snapshot (writers take the counter under the write lock and commit in that
        order), and a row committed later gets a number above ``end``, so the next export,
        which starts at ``end``, carries it. Nothing changed during an export is lost.
        """
        self.ws.require_role(*EXPORTERS)
        self._check_recipients(recipients)
        note_killed_export_parts(self.ws)  # one killed in another window since sign-in
        # One read transaction: SQLite's WAL snapshot is taken at its first read and holds
        # for every later statement in it, so all of these agree with each other.
        collected = _Collected()
        later: list[_Collected] = []  # the parts after the first, when the files need them
        try:
            with self.ws.read() as session:
                if after_bundle:
                    start = self._sent_up_to(session, kind, after_bundle)
                else:
                    start = 0 if all_changes else self._last_exported(session, kind)
                end = current_change_seq(session)
                names = [e for e in ENTITIES if e.name in KIND_ENTITIES[kind]]
                elsewhere, their_people = self._copies_not_sent(session, kind)
                wheres = [
                    (entity, _changed(entity, start, end, elsewhere, their_people))
                    for entity in names
                ]
                with read_once(session.connection()):  # an attachment's id follows its scan
                    parts = file_parts(
                        session.connection(), [(e, w) for e, w in wheres if e.blob_column]
                    )
                in_parts = len(parts) > 1
                for index, (entity, where) in enumerate(wheres):
                    if progress:
                        progress(index, len(names) + 2, _("Collecting records"))
                    if not (in_parts and entity.blob_column):
                        collected.add_entity(session, entity, where)
                for segments in parts if in_parts else []:
                    later.append(_Collected())
                    for entity, where in segments:
                        later[-1].add_entity(session, entity, where)
                prepared = self._prepare(
                    session, kind, collected, start, end, all_changes, None, bool(after_bundle)
                )
            every = _as_parts(prepared, [collected, *later])
            packed = self._pack_parts(every, [collected, *later], recipients, out, progress)
        except OSError as exc:  # the spool's temporary file: a full or failing disk
            raise _cannot_write(exc) from None
        finally:
            for part in [collected, *later]:
                part.close()
        try:
            with self.ws.write() as session:
                for one, written in zip(every, packed, strict=True):
                    self._record_export(session, one, recipients, written)
        except BaseException:
            # An export that is not logged must not be sent: the next one would not follow it.
            for written in packed:
                written.path.unlink(missing_ok=True)
            raise
        first, *rest = (
            self._finish(one, written, progress) for one, written in zip(every, packed, strict=True)
        )
        return replace(first, parts=tuple(rest))

    def _pack_parts(
        self,
        every: list[_Prepared],
        collected: list[_Collected],
        recipients: list[str],
        out: Path,
        progress: ProgressFn | None,
    ) -> list[_Packed]:
        """Each part's bundle file (``out`` itself when there is one); none if one fails."""
        packed: list[_Packed] = []
        try:
            for one, part in zip(every, collected, strict=True):
                part_of = PartOf.of(one.manifest.get(PART_FIELD))
                path = part_path(Path(out), part_of.number, part_of.count) if part_of else out
                packed.append(self._pack(one, part, recipients, path, progress))
        except BaseException:
            for written in packed:
                written.path.unlink(missing_ok=True)
            raise
        return packed

    def _copies_not_sent(self, session: Session, kind: BundleKind) -> tuple[list[str], list[str]]:
        """A mission's copies of cases HQ moved away, and the people only they refer to: its
        bundles leave them out. Nothing in them is the mission's to send any more (HQ would
        leave it out, warning that the mission was not told), and what still changes them
        (retention, a conflict's choice) is the mission's own housekeeping. Usually none."""
        if kind is not BundleKind.CASES:
            return [], []
        here = self.ws.mission_code
        copies = session.execute(
            select(Case.id, Case.person_id).where(Case.holder_mission != here)
        ).all()
        people = sorted({person for _case, person in copies})
        still_ours = set(
            session.execute(
                select(Case.person_id).where(
                    Case.person_id.in_(people), Case.holder_mission == here
                )
            ).scalars()
        ) | set(  # a walk-in's contract review names a person without a case
            session.execute(
                select(ContractReview.person_id).where(
                    ContractReview.person_id.in_(people), ContractReview.case_id.is_(None)
                )
            ).scalars()
        )
        return [case for case, _person in copies], [p for p in people if p not in still_ours]

    def _sent_up_to(self, session: Session, kind: BundleKind, bundle: str) -> int:
        """The change number after which to send again, for the bundle of this kind sent from
        here that ``bundle`` names (its id, or its first eight characters or more, as the log
        shows them): the last it carried; for a part before an export's last, where that
        export began."""
        prefix = bundle.strip().lower()
        if len(prefix) < BUNDLE_PREFIX_CHARS:
            raise ValidationError(
                _("Give at least the first {n} characters of the bundle's id.").format(
                    n=BUNDLE_PREFIX_CHARS
                ),
                field="after_bundle",
            )
        sent = session.execute(
            select(
                ExchangeLog.change_seq_from, ExchangeLog.change_seq_to, ExchangeLog.report
            ).where(
                ExchangeLog.direction == OUT,
                ExchangeLog.kind == kind.value,
                ExchangeLog.bundle_id.startswith(prefix, autoescape=True),
            )
        ).all()
        if not sent:
            raise ValidationError(
                _("No bundle {id} was sent from here.").format(id=bundle), field="after_bundle"
            )
        if len(sent) > 1:
            raise ValidationError(
                _("{id} begins the ids of several bundles sent from here; give more of it.").format(
                    id=bundle
                ),
                field="after_bundle",
            )
        start, end, report = sent[0]
        part = PartOf.of((report or {}).get(PART_FIELD))
        # A part before the last does not complete its export: the whole export goes again.
        return int(start if part and part.number < part.count else end)

    def _last_exported(self, session: Session, kind: BundleKind) -> int:
        value = session.execute(
            select(func.max(ExchangeLog.change_seq_to)).where(
                ExchangeLog.direction == OUT, ExchangeLog.kind == kind.value
            )
        ).scalar_one_or_none()
        return int(value or 0)

    def _prepare(
        self,
        session: Session,
        kind: BundleKind,
        collected: _Collected,
        start: int,
        end: int,
        all_changes: bool,
        target: str | None,
        resent: bool = False,
    ) -> _Prepared:
        """The manifest and the keys, read in the same transaction as the records. ``resent``:
        changes sent before, again (``after_bundle``): the audit chain goes whole, as with
        ``all_changes``, since the receiver's last head is older than this installation's."""
        import uuid

        own = self._own_mission(session)
        signing = self._secret(session, SIGNING_KEY)
        if signing is None or not own.age_recipient:
            raise ValidationError(_("This installation has no signing key; it cannot export."))
        bundle_id = str(uuid.uuid4())
        counts = dict(collected.counts)
        manifest = {
            "bundle_id": bundle_id,
            "kind": kind.value,
            "source_mission": own.code,
            "target_mission": target,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "created_by": self.ws.actor.username,
            "app_version": __version__,
            "change_range": {"from": start, "to": end, "all": all_changes},
            "counts": counts,
        }
        # The signed audit-chain head travels in every bundle (app/security/audit_anchor.py).
        audit_head = audit_anchor.head_for_export(
            session, signing, own.code, (all_changes or resent) and kind is not BundleKind.TRANSFER
        )
        manifest[audit_anchor.MANIFEST_FIELD] = audit_head
        return _Prepared(
            kind,
            bundle_id,
            own.code,
            own.age_recipient,
            signing,
            manifest,
            counts,
            collected.files,
            start,
            end,
            target,
        )

    def _pack(
        self,
        prepared: _Prepared,
        collected: _Collected,
        recipients: list[str],
        out: Path,
        progress: ProgressFn | None,
    ) -> _Packed:
        """Sign, encrypt and write the bundle file; touches no database."""
        if progress:
            progress(len(ENTITIES), len(ENTITIES) + 2, _("Packing and signing"))
        out = Path(out)
        temporary = out.with_name(out.name + ".part")
        try:
            # Recorded first: killed while writing, the next start removes it (export_parts).
            with recorded_part(self.ws.paths.data_dir, temporary):
                digest = write_bundle(
                    prepared.manifest,
                    collected.members,
                    collected.files,
                    prepared.signing,
                    [*recipients, prepared.own_recipient],
                    temporary,
                )
                os.replace(temporary, out)
                sync_folder(out.parent)  # the rename too, before the export is logged as sent
        except OSError as exc:
            raise _cannot_write(exc) from None
        except BundleRefused as exc:
            refused = _(
                "No installation would accept this bundle: {reason} No bundle was written."
            ).format(reason=str(exc))
            raise ValidationError(_too_large(refused, prepared), field="out") from None
        except ZipTooLarge:
            refused = _(
                "The bundle would be larger than 4 GiB, more than an installation accepts; "
                "no bundle was written."
            )
            raise ValidationError(_too_large(refused, prepared), field="out") from None
        finally:
            # Refused, failed or interrupted (Ctrl+C): no half-written bundle is left behind.
            temporary.unlink(missing_ok=True)
        return _Packed(out, out.stat().st_size, digest)

    def _record_export(
        self,
        session: Session,
        prepared: _Prepared,
        recipients: list[str],
        packed: _Packed,
        notice: bool = False,
    ) -> None:
        """The export's few writes: the remembered audit head, the log and the audit entry."""
        audit_head = prepared.manifest[audit_anchor.MANIFEST_FIELD]
        held = audit_anchor.held_head(session, prepared.own_code)
        # Two exports may overlap now; the one that signed the later head is remembered, so the
        # next bundle never starts its audit entries further back than one already sent.
        if held is None or held.seq <= int(audit_head["seq"]):
            audit_anchor.remember_export(session, audit_head, prepared.bundle_id)
        session.add(
            ExchangeLog(
                bundle_id=prepared.bundle_id,
                direction=OUT,
                kind=prepared.kind.value,
                peer_mission=prepared.target or "",
                source_mission=prepared.own_code,
                change_seq_from=prepared.start,
                change_seq_to=prepared.end,
                counts={**prepared.counts, "files": prepared.files},
                report={
                    "recipients": len(set(recipients)) + 1,
                    "size": packed.size,
                    **({"notice": True} if notice else {}),
                    **_part_entry(prepared.manifest),
                },
                file_sha256=packed.sha256,
                actor=self.ws.actor.username,
            )
        )
        self.ws.audit(
            session,
            "bundle.export",
            "bundle",
            prepared.bundle_id,
            {
                "kind": prepared.kind.value,
                "counts": prepared.counts,
                "files": prepared.files,
                "to": prepared.target,
                **_part_entry(prepared.manifest),
            },
        )

    def _finish(
        self,
        prepared: _Prepared,
        packed: _Packed,
        progress: ProgressFn | None,
    ) -> ExportSummary:
        if progress:
            progress(len(ENTITIES) + 2, len(ENTITIES) + 2, _("Done"))
        return ExportSummary(
            prepared.bundle_id,
            prepared.kind.value,
            packed.path,
            packed.size,
            packed.sha256,
            prepared.counts,
            prepared.files,
            prepared.start,
            prepared.end,
            prepared.target,
            part=PartOf.of(prepared.manifest.get(PART_FIELD)),
        )

    # -- transfer ---------------------------------------------------------------------------------

    def transfer_cases(
        self,
        numbers: Iterable[str],
        to_mission: str,
        out: Path,
        recipient: str | None = None,
        progress: ProgressFn | None = None,
    ) -> ExportSummary:
        """HQ: hand cases (with everything they hold) over to another mission."""
        self._require_hq()
        # As typed: "sel-2026-0042", or with a Cyrillic layout on, finds the case as the case
        # list's search does (it said "No case sel-2026-0042.").
        numbers = list(dict.fromkeys(case_number_typed(n) for n in numbers if n.strip()))
        if not numbers:
            raise ValidationError(_("Name at least one case to transfer."), field="numbers")
        with self.ws.write() as session:
            session.info[ANY_HOLDER] = True  # who holds a case is HQ's to change
            recipient = self._transfer_recipient(session, to_mission, recipient)
            cases = _cases_to_transfer(session, numbers, to_mission)
            moves = self._move_cases(session, cases, to_mission)
            session.flush()
            collected = self._case_closure(session, [c.id for c in cases])
            try:
                end = current_change_seq(session)
                # A transfer changes the cases it packs, so it stays in its write transaction.
                prepared = self._prepare(
                    session, BundleKind.TRANSFER, collected, 0, end, True, to_mission
                )
                packed = self._pack(prepared, collected, [recipient], out, progress)
            finally:
                collected.close()
            try:
                self._record_export(session, prepared, [recipient], packed)
                session.flush()
            except BaseException:
                packed.path.unlink(missing_ok=True)
                raise
            written = [packed.path]
            try:
                notices, warnings = self._send_notices(session, moves, out, written)
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                raise
            summary = replace(
                self._finish(prepared, packed, progress), notices=notices, warnings=warnings
            )
            index_cases(session, [c.id for c in cases])
            self.ws.audit(
                session,
                "case.transfer",
                "case",
                ",".join(numbers)[:64],
                {
                    "numbers": numbers,
                    "to": to_mission,
                    "bundle": summary.bundle_id,
                    "notices": {n.target_mission: n.bundle_id for n in notices},
                },
            )
            return summary

    def _transfer_recipient(self, session: Session, to_mission: str, given: str | None) -> str:
        """The age key a transfer to ``to_mission`` is encrypted to: the one given, else the
        mission's registered one; refused for an unknown mission or where there is none."""
        target = session.execute(
            select(Mission).where(Mission.code == to_mission)
        ).scalar_one_or_none()
        if target is None or target.is_local:
            raise NotFound(_("No mission {code} is registered here.").format(code=to_mission))
        recipient = given or target.age_recipient
        if not recipient:
            raise ValidationError(
                _(
                    "The age key of {code} is not registered; register it with its signing "
                    "key (Exchange → Keys → Trust a key…, or qorgau keys trust {code} KEY "
                    "--age-recipient AGE_KEY)."
                ).format(code=to_mission),
                field="recipient",
            )
        self._check_recipients([recipient])
        return recipient

    def _move_cases(
        self, session: Session, cases: list[Case], to_mission: str
    ) -> dict[str, list[tuple[Case, CaseEvent]]]:
        """Give the cases to ``to_mission``, each with its transfer's timeline entry; the
        moves grouped by the mission that held them (former holder → (case, event))."""
        moves: dict[str, list[tuple[Case, CaseEvent]]] = {}
        for case in cases:
            holder = case.holder_mission
            case.transferred_from = holder
            case.holder_mission = to_mission
            # Usernames are each installation's own: the other mission's "admin" is not
            # this one's. The new holder assigns it (the import's note asks).
            officer, case.assigned_to = case.assigned_to, None
            moved = CaseEvent(
                case_id=case.id,
                kind=EventKind.SYSTEM.value,
                author=self.ws.actor.username,
                text="",
                data={
                    **event_data(SystemEvent.TRANSFERRED, source=holder, target=to_mission),
                    "transfer": {"from": holder, "to": to_mission, "officer": officer},
                },
            )
            session.add(moved)
            moves.setdefault(holder, []).append((case, moved))
        return moves

    def _send_notices(
        self,
        session: Session,
        moves: dict[str, list[tuple[Case, CaseEvent]]],
        out: Path,
        written: list[Path],
    ) -> tuple[tuple[ExportSummary, ...], tuple[str, ...]]:
        """A notice to each mission that held the transferred cases until now: their case
        records with the new holder and the transfer's timeline entry, so that it stops
        writing on its copy (it becomes read only there) instead of learning of the transfer
        only when HQ leaves its later changes out. Written beside ``out``."""
        notices: list[ExportSummary] = []
        warnings: list[str] = []
        for holder, moved in sorted(moves.items()):
            mission = session.execute(
                select(Mission).where(Mission.code == holder)
            ).scalar_one_or_none()
            if mission is not None and mission.is_local:
                continue  # HQ's own case: nobody else to tell
            recipient = mission.age_recipient if mission is not None else ""
            if not recipient:
                numbers = ", ".join(c.number for c, _e in moved)
                warnings.append(Said(partial(_not_told, holder, numbers)))
                continue
            collected = _Collected()
            try:
                for name, ids in (
                    ("case", [c.id for c, _e in moved]),
                    ("case_event", [e.id for _c, e in moved]),
                ):
                    entity = BY_NAME[name]
                    where = _columns(entity).id.in_(ids)
                    collected.add_records(name, _collect(session, entity, where))
                end = current_change_seq(session)
                prepared = self._prepare(
                    session, BundleKind.TRANSFER, collected, 0, end, True, holder
                )
                path = _unused(out.with_name(f"{out.stem}.notice-{holder}{out.suffix}"))
                packed = self._pack(prepared, collected, [recipient], path, None)
            finally:
                collected.close()
            written.append(packed.path)
            self._record_export(session, prepared, [recipient], packed, notice=True)
            notices.append(self._finish(prepared, packed, None))
        session.flush()
        return tuple(notices), tuple(warnings)

    def _case_closure(self, session: Session, case_ids: list[str]) -> _Collected:
        """The cases and every record they depend on or own (a transfer: a few cases)."""
        records: dict[str, dict[str, dict[str, Any]]] = {}
        with_files: list[tuple[Entity, Any]] = []

        def add(name: str, column: str, values: list[str]) -> list[dict[str, Any]]:
            entity = BY_NAME[name]
            where = _columns(entity)[column].in_(values)
            rows = list(_collect(session, entity, where))
            known = records.setdefault(name, {})
            for row in rows:
                known.setdefault(row["id"], row)
            if entity.blob_column:
                with_files.append((entity, where))
            return rows

        cases = add("case", "id", case_ids)
        children = {name: add(name, "case_id", case_ids) for name in sorted(CASE_CHILDREN)}

        def ids(rows: list[dict[str, Any]], key: str) -> list[str]:
            return sorted({r[key] for r in rows if r.get(key)})

        person_ids = sorted(
            set(ids(cases, "person_id"))
            | set(ids(children["contract_review"], "person_id"))
            | set(ids(children["returnee"], "person_id"))
        )
        provisions = add(
            "agreement_provision", "id", ids(children["case_citation"], "provision_id")
        )
        parents = {
            "person": person_ids,
            "employer": ids(cases, "employer_id"),
            "recruitment_agency": ids(cases, "agency_id"),
            "partner_organisation": ids(children["partner_referral"], "partner_id"),
            "agreement": ids(provisions, "agreement_id"),
        }
        for name, wanted in parents.items():
            add(name, "id", wanted)
        collected = _Collected()
        try:
            for entity in ENTITIES:
                if records.get(entity.name):
                    collected.add_records(entity.name, records[entity.name].values())
            for entity, where in with_files:
                collected.add_files(_collect_files(session, entity, where))
        except BaseException:
            collected.close()
            raise
        return collected

    # -- import -----------------------------------------------------------------------------------

    def read(
        self, path: Path, identity_file: Path | None = None, progress: ProgressFn | None = None
    ) -> VerifiedBundle:
        """Decrypt and verify a bundle without importing it (nothing is written)."""
        path = Path(path)
        try:
            size = path.stat().st_size
        except OSError:
            raise NotFound(_("No bundle file {path}.").format(path=path)) from None
        if path.is_dir():  # was "internal error: [Errno 21] Is a directory"
            raise ValidationError(
                _("{path} is a folder; choose the bundle file (.qbundle) in it.").format(path=path)
            )
        if size > self.limits.max_bundle_bytes:
            raise BundleRefused(lazy(N_("The bundle file is larger than allowed.")))
        _refuse_other_files(path)
        with self.ws.read() as session:
            identities = self._identities(session, identity_file)
            rows = session.execute(
                select(Mission.code, Mission.signing_public_key, Mission.is_hq, Mission.is_local)
            ).all()
        keys = {code: key for code, key, _is_hq, _is_local in rows}
        # At a mission: headquarters', whose replaced key its refusal names as such.
        hq_codes = {code for code, _key, is_hq, is_local in rows if is_hq and not is_local}
        with path.open("rb") as handle:  # streamed: memory stays bounded whatever the size
            try:
                return read_bundle(
                    handle, identities, keys.get, self.limits, progress, hq_codes=hq_codes
                )
            except UnknownSigner as refused:
                if self.ws.actor.role in ADMIN_OR_HQ:
                    raise
                # Told to register the key, an import operator met "your role does not allow
                # this" at the button: say who may.
                raise UnknownSigner(
                    lazy(
                        N_(
                            "The bundle comes from {code}, whose signing key is not registered "
                            "here. Only an administrator may register it: ask yours to confirm "
                            "the key's fingerprint with {code} by a separate channel "
                            "(telephone, diplomatic mail) and register it (Exchange → Keys → "
                            "Trust a key…); then import the bundle again."
                        ),
                        code=refused.source,
                    ),
                    refused.source,
                ) from None
            except KeyToRegister as refused:
                if self.ws.actor.role in ADMIN_OR_HQ:
                    raise
                also = N_("Only an administrator may register a key: ask yours.")
                # Said in the language of the moment (``refused`` is unbound after the block).
                raise KeyToRegister(lambda said=refused: f"{said} {_(also)}") from None
            except NoIdentityOpens:
                if identity_file is None:
                    raise
                # Said otherwise, the file looked as if it had never been tried.
                raise NoIdentityOpens(
                    _(
                        "Neither the identity file nor the identities kept here open this "
                        "bundle: it was encrypted for other recipients."
                    )
                ) from None

    def import_bundle(
        self, path: Path, identity_file: Path | None = None, progress: ProgressFn | None = None
    ) -> ImportReport:
        """Import a bundle in two phases, so that nobody waits on it for long.

        Staging writes nothing to the database: decrypting and verifying the bundle, then, in
        one read snapshot, who may change what, the audit history, the references and the merge
        plan (which record is new, newer, older or in conflict), reading the records a batch
        at a time from the encrypted spool; the rows to write wait in the connection's staging
        schema. Others save as usual meanwhile (WAL). Then ``_write_import`` opens the import's
        one write transaction and moves the staged rows in with set-based statements, unless a
        row written since the snapshot touches what the plan relied on, in which case it is
        worked out again under the lock. All or nothing: a refusal at any point leaves the
        records as they were. The search index of the written cases follows in short writes
        of its own (``index_later.write_pending``).
        """
        self.ws.require_role(*IMPORTERS, refusal=IMPORT_REFUSAL)
        self.take_back_cut_short()  # an import's batches, if it stopped before its end
        write_pending(self.ws)  # what an import cut short before its search index was done
        bundle = self.read(path, identity_file, progress)
        try:
            report = self._merge(bundle, progress)
        except BundleReplayed:
            self._note_replay(bundle)
            raise
        finally:
            bundle.close()
        if report.already_imported:
            return report
        self.ws.db.checkpoint()  # the import's log, copied by the import, not the next save
        if progress:
            progress(0, 0, _("Indexing the imported cases for search"))
        try:
            write_pending(self.ws)
        except DatabaseBusy:
            # The records are in; only their search index waits, for the next sign-in or import.
            late = Said(
                lazy(
                    N_(
                        "The imported cases are not yet found by search: the database was busy. "
                        "They are added to the search index at the next sign-in or import."
                    )
                )
            )
            return replace(report, warnings=(*report.warnings, late))
        self.ws.db.checkpoint()
        return report

    def _merge(self, bundle: VerifiedBundle, progress: ProgressFn | None) -> ImportReport:
        """``import_bundle``'s staging and writing, once the bundle is read and verified."""
        # One connection for both phases: the plan's rows wait in its staging schema.
        with self.ws.staged() as staged_work:
            with staged_work.read() as session:
                if self._already_imported(session, bundle):
                    return ImportReport(bundle.bundle_id, bundle.kind.value, bundle.source, True)
                target = bundle.manifest.get("target_mission")
                if target and target != self.ws.mission_code:
                    raise BundleRefused(
                        lazy(
                            N_("This bundle is addressed to {code}, not to this installation."),
                            code=target,
                        )
                    )
                if progress:
                    progress(0, 0, _("Checking records against this database"))
                staged = self._stage(session, bundle, staged_work.schema)
            if progress:
                progress(0, 0, _("Merging records"))
            return self._write_import(staged_work, bundle, staged, progress)

    def _already_imported(self, session: Session, bundle: VerifiedBundle) -> bool:
        """Whether this very bundle was imported before. ``bundle`` was verified whole by
        ``read`` (signature, every member's hash); a bundle that reuses an imported one's id
        but is another file was made by its signer's key over other records: refused as a
        replay, not answered "imported before" and forgotten."""
        seen = {
            direction: file_sha256
            for direction, file_sha256 in session.execute(
                select(ExchangeLog.direction, ExchangeLog.file_sha256).where(
                    ExchangeLog.bundle_id == bundle.bundle_id
                )
            )
        }
        if OUT in seen or bundle.source == self.ws.mission_code:
            raise BundleRefused(lazy(N_("This bundle was made by this installation.")))
        if IN not in seen:
            return False
        # Export writes a bundle's file once: a copy of it has the same hash. An entry without
        # one (none is written so today) cannot be compared and counts as the same bundle.
        if seen[IN] and seen[IN] != bundle.file_sha256:
            raise BundleReplayed(
                lazy(
                    N_(
                        "Refused: a bundle with the id {id} from {code} was imported before, "
                        "and this file is not that bundle. Someone with {code}'s signing key "
                        "made another bundle under the same id. Nothing was imported; ask "
                        "{code} by a separate channel whether they made it."
                    ),
                    id=bundle.bundle_id,
                    code=bundle.source,
                ),
                bundle.source,
            )
        return True

    def _note_replay(self, bundle: VerifiedBundle) -> None:
        """Keep the refused replay in the audit log: nothing of it is imported, but HQ must be
        able to show later that a mission's key signed a second bundle under one id."""
        with self.ws.write() as session:
            self.ws.audit(
                session,
                "bundle.replay_refused",
                "bundle",
                bundle.bundle_id,
                {"source": bundle.source, "file_sha256": bundle.file_sha256},
            )

    def _stage(self, session: Session, bundle: VerifiedBundle, schema: str) -> _Staged | None:
        """Every check that can refuse the bundle, and the merge plan, from ``session``'s
        snapshot; writes nothing. None when the shipped library must be seeded first (an
        installation that never opened it), which only the write transaction may do."""
        part = PartOf.of(bundle.manifest.get(PART_FIELD))
        if part and part.number > part.count:
            raise BundleRefused(
                lazy(N_("The bundle's part number is larger than its count of parts."))
            )
        if part and part.number > 1 and not _received(session, bundle.source, part.set_id):
            raise BundleRefused(first_part_missing(part))
        # Read before the checks: anything written after it (PostgreSQL reads each statement
        # afresh) makes the plan stale under the write lock.
        seq = current_change_seq(session)
        at_hq = self.ws.mission.is_hq
        heads: list[audit_anchor.HeadCheck] = []

        def audit_history() -> bool:
            # A rewritten audit history at the source is refused here (audit_anchor.py). Only
            # HQ warns of a gap, naming the last bundle it received.
            heads.append(
                audit_anchor.check_incoming(
                    session,
                    bundle.manifest,
                    bundle.source,
                    _signing_key(session, bundle.source),
                    warn_on_gap=at_hq,
                    last_received=_last_received(session, bundle.source) if at_hq else None,
                )
            )
            return not (bundle.records.get("case_citation") and not _has_library(session))

        # Who may change what comes first: a refused record is named before any other check.
        left_out, plan = check_and_plan(
            session, bundle, self.ws.mission_code, schema, seq, audit_history
        )
        if plan is None:
            return None
        return _Staged(plan, heads[0], _held_head(session, bundle.source), left_out)

    def _stage_locked(self, session: Session, bundle: VerifiedBundle, schema: str) -> _Staged:
        """Staging again inside the write transaction, for the rare import whose snapshot no
        longer holds (or that must seed the library first)."""
        if bundle.records.get("case_citation"):
            # Citations point at the shipped library, which cases bundles no longer carry;
            # an installation that never opened it seeds it here, in this transaction.
            seed_library(self.ws.actor.username, session)
        staged = self._stage(session, bundle, schema)
        assert staged is not None  # the library is there now
        return staged

    def _write_import(
        self,
        work: Staged,
        bundle: VerifiedBundle,
        staged: _Staged | None,
        progress: ProgressFn | None = None,
    ) -> ImportReport:
        """Write the import from the rows staged on the same connection: a large one's new
        rows first in bounded batches (SQLCipher), then the rest in one final transaction.
        Should any of it fail, the batches' rows are taken out again."""
        batches = _Batches()
        # The larger cache from the first batch to the last write: set back between two
        # batches, it would drop the pages the next one writes into (the import took twice as
        # long so).
        with work.read() as session:
            cache = _cache_at_least(session, IMPORT_CACHE_KIB)
        try:
            if staged is not None and self._batched(work, bundle, staged):
                self._write_new_in_batches(work, bundle, staged, batches, progress)
            return self._write_final(work, bundle, staged, batches)
        except BaseException:
            if batches.ranges:
                self._take_back(work.write, bundle.source)
            raise
        finally:
            if cache is not None:
                with work.read() as session:
                    session.connection().exec_driver_sql(f"PRAGMA cache_size = {cache}")

    def _batched(self, work: Staged, bundle: VerifiedBundle, staged: _Staged) -> bool:
        new = sum(plan.tally.new for plan in staged.plan.entities)
        return (
            new >= BATCHED_FROM
            and work.dialect == "sqlite"
            and bundle.kind is not BundleKind.TRANSFER  # holders move with their cases: whole
        )

    def _write_new_in_batches(
        self,
        work: Staged,
        bundle: VerifiedBundle,
        staged: _Staged,
        batches: _Batches,
        progress: ProgressFn | None,
    ) -> None:
        """Write the plan's new rows in write transactions of about ``BATCH_SECONDS`` each
        (``_Pace``), parents before the rows that refer to them, so others save and sign in
        between two of them; a batch goes on into the next entity while it has time left.
        Rows no one had: nobody else writes them meanwhile but another import of the same
        mission's bundles, which the claim holds back. They are seen as they arrive; the
        import counts as done (the exchange log, the audit head) only with the final one."""
        plans = [plan for plan in staged.plan.entities if plan.tally.new]
        total = sum(plan.tally.new for plan in plans)
        pace = _Pace()
        while plans:
            if progress:
                done = sum(plan.new_written for plan in staged.plan.entities)
                progress(done, total, _("Merging records"))
            written: list[tuple[int, int]] = []
            with work.write() as session:
                batches.claim = _claim(session, bundle.source, batches.claim)
                started, room = time.perf_counter(), MAX_ROWS_PER_WRITE
                while plans and room > 0 and time.perf_counter() - started < BATCH_SECONDS:
                    plan = plans[0]
                    left = BATCH_SECONDS - (time.perf_counter() - started)
                    rows = min(room, pace.rows(plan.entity.name, left))
                    began = time.perf_counter()
                    first, last = write_new_rows(session, plan, bundle, plan.new_written + rows)
                    pace.took(plan.entity.name, last - first + 1, time.perf_counter() - began)
                    room -= last - first + 1
                    key_names_written(session, first, last)
                    keep_pending(session, first, last)
                    place = ENTITIES.index(plan.entity)
                    name = f"{IMPORT_BATCH}{bundle.source}:{place}:{first}"
                    session.add(Counter(name=name, value=last))
                    written.append((first, last))
                    if plan.new_written >= plan.tally.new:
                        plans.pop(0)
                batches.keep_changes(take_changes(session))
            batches.ranges.extend(written)  # once committed
            time.sleep(BETWEEN_WRITES_S)

    def _write_final(
        self, work: Staged, bundle: VerifiedBundle, staged: _Staged | None, batches: _Batches
    ) -> ImportReport:
        """The import's final write transaction: all it did not write in batches."""
        with work.write() as session:
            # Two imports of one mission's bundles run one after the other (PostgreSQL).
            self.ws.db.lock_for_import(session, bundle.source)
            _claim(session, bundle.source, batches.claim, hold=False)  # one being batched?
            if self._already_imported(session, bundle):  # imported by another user meanwhile
                return ImportReport(bundle.bundle_id, bundle.kind.value, bundle.source, True)
            if (
                staged is None
                or staged.held != _held_head(session, bundle.source)
                or stale(session, staged.plan, batches.ranges)
            ):
                batched = (
                    {p.entity.name: p.new_written for p in staged.plan.entities} if staged else {}
                )
                staged = self._stage_locked(session, bundle, work.schema)
                # Planned again, the batches' rows are on file as the bundle has them.
                for plan in staged.plan.entities:
                    written = batched.get(plan.entity.name, 0)
                    plan.tally.new += written
                    plan.tally.unchanged -= written
            session.execute(
                delete(Counter).where(
                    or_(
                        Counter.name == IMPORT_CLAIM + bundle.source,
                        Counter.name.startswith(f"{IMPORT_BATCH}{bundle.source}:"),
                    )
                )
            )
            for table in batches.tables:  # views refresh once, when the import is in
                note_changes(session, table, batches.cases)
            first = current_change_seq(session) + 1
            transfer = bundle.kind is BundleKind.TRANSFER
            before = _holders(session, bundle) if transfer else {}
            result = apply_plan(session, staged.plan, bundle)
            written_here = [[first, current_change_seq(session)], *map(list, batches.ranges)]
            # Below a version HQ's own retention wrote is no alarm: a note says it apart.
            sent_below = _older_from_sender(session, bundle, result)
            older = [case for case in sent_below if case.anonymised_here is None]
            retained = [case for case in sent_below if case.anonymised_here is not None]
            leave_workers_sent_linked(session, first, batches.cases, batches.ranges)
            key_names_written(session, first, current_change_seq(session))
            keep_pending(session, first, current_change_seq(session))
            handed = _take_holders(session, bundle, before) if transfer else []
            away = [m for m in handed if m[2] != self.ws.mission_code]  # a notice's cases
            head = staged.head
            audit_anchor.keep_incoming(session, bundle.source, head, bundle.bundle_id)
            part_notes, parts_missing = _parts_news(session, bundle)
            report = replace(
                _import_report(
                    bundle,
                    result,
                    [
                        *head.warnings,
                        *_left_out_warning(bundle, staged.left_out),
                        *([older_warning(bundle.source, older)] if older else []),
                        *parts_missing,
                    ],
                ),
                notes=(
                    *_transfer_notes(session, handed, self.ws.mission_code),
                    *part_notes,
                    *([anonymised_here_note(bundle.source, retained)] if retained else []),
                ),
            )
            change_range = bundle.manifest["change_range"]
            session.add(
                ExchangeLog(
                    bundle_id=bundle.bundle_id,
                    direction=IN,
                    kind=bundle.kind.value,
                    peer_mission=bundle.source,
                    source_mission=bundle.source,
                    change_seq_from=change_range["from"],
                    change_seq_to=change_range["to"],
                    counts=dict(bundle.manifest["counts"]),
                    report={
                        **_report_dict(report),
                        **({"notice": True} if away else {}),
                        **_part_entry(bundle.manifest),
                        WRITTEN_HERE: written_here,
                    },
                    file_sha256=bundle.file_sha256,
                    actor=self.ws.actor.username,
                    made_at=_made_at(bundle.manifest),
                )
            )
            self.ws.audit(
                session,
                "bundle.import",
                "bundle",
                bundle.bundle_id,
                {"kind": bundle.kind.value, "source": bundle.source, **_report_dict(report)},
            )
            for warning in head.warnings:
                self.ws.audit(
                    session, "audit.head_unlinked", "mission", bundle.source, {"warning": warning}
                )
            if older:
                self.ws.audit(
                    session,
                    "bundle.older_than_here",
                    "bundle",
                    bundle.bundle_id,
                    {"source": bundle.source, "older": {c.number: c.detail() for c in older}},
                )
            if staged.left_out:
                self.ws.audit(
                    session,
                    "bundle.left_out",
                    "bundle",
                    bundle.bundle_id,
                    {"records": staged.left_out.count(), "cases": staged.left_out.cases},
                )
        return report

    def _take_back(self, write: Callable[[], AbstractContextManager[Session]], source: str) -> bool:
        """Remove the rows an import of ``source``'s bundle wrote in batches, the last batch
        first and in each the children first, a batch per transaction (its counter with it),
        then its claim: an import that failed, or was cut short, after them leaves the records
        as they were. Best effort after a failure: should this fail too, the next import or
        sign-in of an importer does it (``take_back_cut_short``)."""
        prefix = f"{IMPORT_BATCH}{source}:"
        try:
            with write() as session:
                names = session.execute(
                    select(Counter.name, Counter.value).where(Counter.name.startswith(prefix))
                ).all()
            for name, last in sorted(names, key=lambda row: -int(row[0].rsplit(":", 1)[1])):
                place, first = (int(part) for part in name[len(prefix) :].split(":"))
                with write() as session:
                    _remove_written(session, ENTITIES[place], first, last)
                    session.execute(delete(Counter).where(Counter.name == name))
            with write() as session:
                session.execute(delete(Counter).where(Counter.name == IMPORT_CLAIM + source))
                self.ws.audit(
                    session, "bundle.import_taken_back", "mission", source, {"batches": len(names)}
                )
        except Exception:  # the first failure is the one to report
            return False
        return True

    def take_back_cut_short(self) -> None:
        """The batches of imports that stopped before their final transaction: their claim
        not renewed for ``CLAIM_STALE_MS``. Run before an import and after sign-in; each taken
        back is noted for the user (``Workspace.after_crash``): it was done silently."""
        from app.services.after_crash import Found, FoundAfterCrash

        now = int(datetime.now(UTC).timestamp() * 1000)
        with self.ws.read() as session:
            sources = [
                name[len(IMPORT_CLAIM) :]
                for name, value in session.execute(
                    select(Counter.name, Counter.value).where(Counter.name.startswith(IMPORT_CLAIM))
                )
                if now - value >= CLAIM_STALE_MS
            ]
        for source in sources:
            if self._take_back(self.ws.write, source):
                self.ws.after_crash.append(FoundAfterCrash(Found.IMPORT_TAKEN_BACK, source))

    def index_pending(self, stop: Callable[[], bool] | None = None) -> int:
        """Index the cases an import left out of the search index (the database busy, or the
        import cut short after its records); how many. The desktop runs this after sign-in,
        so that they need not wait for the next import; ``stop``, asked between two batches,
        ends it early (the app is closing), the rest left for the next."""
        self.ws.require_role(*IMPORTERS)
        self.take_back_cut_short()
        return write_pending(self.ws, stop=stop)

    # -- log and conflicts ------------------------------------------------------------------------

    def exchange_log(self, limit: int | None = None) -> list[ExchangeLogEntry]:
        """Bundles sent and received, newest first: all of them, or the newest ``limit``."""
        with self.ws.read() as session:
            rows = session.execute(
                select(ExchangeLog).order_by(ExchangeLog.created_at.desc()).limit(limit)
            ).scalars()
            return [_log_entry(r) for r in rows]

    def sent_case_bundles(self) -> list[ExchangeLogEntry]:
        """The cases bundles sent from here, newest first: what ``after_bundle`` may name."""
        with self.ws.read() as session:
            rows = session.execute(
                select(ExchangeLog)
                .where(ExchangeLog.direction == OUT, ExchangeLog.kind == BundleKind.CASES.value)
                .order_by(ExchangeLog.created_at.desc())
            ).scalars()
            return [_log_entry(r) for r in rows]

    def count_exchange_log(self) -> int:
        with self.ws.read() as session:
            return int(session.execute(select(func.count()).select_from(ExchangeLog)).scalar_one())

    def conflicts(self, include_resolved: bool = False) -> list[ConflictInfo]:
        with self.ws.read() as session:
            query = select(SyncConflict).order_by(SyncConflict.detected_at, SyncConflict.id)
            if not include_resolved:
                query = query.where(SyncConflict.resolved_at.is_(None))
            return _conflicts_info(session, session.execute(query).scalars().all())

    def resolve_conflict(
        self, conflict_id: str, choice: str, search_rows_later: bool = False
    ) -> ConflictInfo:
        """Keep the ``local`` or take the ``remote`` version; either way a new version results,
        so the decision travels with the next export. The search rows of the cases it touches
        are written after it, here or, with ``search_rows_later``, by the caller
        (``index_later.write_pending``: an organisation's may be tens of thousands)."""
        self.ws.require_role(*RESOLVERS)
        if choice not in ("local", "remote"):
            raise ValidationError(_("Choose 'local' or 'remote'."), field="choice")
        with self.ws.write() as session:
            # Locked: two HQ users resolving it at once on a server both read it unresolved,
            # and the second's choice silently replaced the first's.
            conflict = session.get(SyncConflict, conflict_id, with_for_update=True)
            if conflict is None:
                raise NotFound(_("No such conflict."))
            if conflict.resolved_at is not None:
                raise _already_resolved(conflict)
            entity = BY_NAME.get(conflict.entity)
            if entity is None:
                raise ValidationError(_("This conflict concerns an unknown kind of record."))
            model: Any = entity.model
            row = session.get(model, conflict.record_id)
            if row is None:
                raise NotFound(_("The record of this conflict no longer exists."))
            session.info[ANY_HOLDER] = True  # a conflict on a copy HQ has since moved away
            if choice == "remote":
                self._apply_remote(session, entity, row, conflict.remote_data)
            row.updated_at = datetime.now(UTC)  # a new version either way (the flush hook)
            session.flush()
            # The cases whose search rows hold what changed, written after this transaction:
            # the case itself, an entry's case, or every case of a person or an organisation.
            keep_pending(session, row.change_seq, row.change_seq)
            conflict.resolved_at = datetime.now(UTC)
            conflict.resolved_by = self.ws.actor.username
            conflict.resolution = choice
            self.ws.audit(
                session,
                "bundle.conflict_resolve",
                conflict.entity,
                conflict.record_id,
                {"choice": choice, "conflict": conflict.id, "version": row.version},
            )
            session.flush()
            resolved = _conflicts_info(session, [conflict])[0]
        if not search_rows_later:
            write_pending_unless_busy(self.ws)
        return resolved

    def _apply_remote(
        self, session: Session, entity: Entity, row: Any, remote: dict[str, Any]
    ) -> None:
        values = Codec(entity).to_values(remote)
        if entity.digest_column and values.get(entity.digest_column) != getattr(
            row, entity.digest_column
        ):
            raise ValidationError(
                _("The other version has a different file, which is not kept; keep this one.")
            )
        # Link rows first: their statements autoflush, and the row must change in one flush
        # (one new version).
        if entity.model is Case:
            for link, key in ((CaseCategory, "categories"), (CaseIloIndicator, "ilo_indicators")):
                session.execute(delete(link).where(link.case_id == row.id))
                codes = sorted(set(remote.get(key, [])))
                if codes:
                    session.execute(insert(link), [{"case_id": row.id, "code": c} for c in codes])
            session.expire(row, ["categories", "ilo_indicators"])
        for name, value in values.items():
            if name not in ("id", "version", "origin_mission"):
                setattr(row, name, value)


def _unused(path: Path) -> Path:
    """``path``, or beside it a name not taken yet: a notice of an earlier transfer written
    under the same name may not have been sent yet (the save dialog asked about the transfer's
    own file only)."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _holders(session: Session, bundle: VerifiedBundle) -> dict[str, str]:
    """Who holds the cases a transfer carries here, before it is imported (none: new here)."""
    ids = sorted({r["id"] for r in bundle.records.get("case", [])})
    return dict(session.execute(select(Case.id, Case.holder_mission).where(Case.id.in_(ids))).all())


def _take_holders(
    session: Session, bundle: VerifiedBundle, before: dict[str, str]
) -> list[tuple[str, str, str]]:
    """Who holds each case a transfer carries is HQ's to say, whatever the rest of the
    record's merge decided (a copy changed here since, newer here or in conflict, still
    moves): its latest transfer entry says, so a notice that arrives after a later transfer
    (files travel out of order) does not undo it. Only HQ's own entries count (their origin
    is the signer, which a mission cannot claim): a mission could write any entry on its
    case. Returns (number, from, to) of each case whose holder here it changed (``before``)."""
    numbers = {r["id"]: r["number"] for r in bundle.records.get("case", [])}
    latest: dict[str, dict[str, Any]] = {}
    entries = session.execute(
        select(CaseEvent.case_id, CaseEvent.data)
        .where(
            CaseEvent.case_id.in_(sorted(numbers)),
            CaseEvent.kind == EventKind.SYSTEM.value,
            CaseEvent.origin_mission == bundle.source,
            CaseEvent.deleted_at.is_(None),
        )
        .order_by(CaseEvent.occurred_at, CaseEvent.change_seq)
    )
    for case_id, data in entries:
        transfer = data.get("transfer") if isinstance(data, dict) else None
        if isinstance(transfer, dict):
            latest[case_id] = transfer
    moved: list[tuple[str, str, str]] = []
    for case_id, transfer in latest.items():
        session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(holder_mission=transfer["to"], transferred_from=transfer["from"])
        )
        if before.get(case_id) != transfer["to"]:
            moved.append((numbers[case_id], transfer["from"], transfer["to"]))
    note_changes(session, Case.__tablename__, list(latest))
    return sorted(moved)


def _transfer_notes(session: Session, moved: list[tuple[str, str, str]], here: str) -> list[str]:
    """What the officers are told of a transfer: at the mission a case left, that its copy
    now only reads; at the mission it reached, that it is theirs, and to give it an officer
    when the one it names is not one of theirs (a case arrives assigned to the other
    mission's user, so no one here had it among their cases)."""
    officers = set(
        session.execute(
            select(User.username).where(User.active.is_(True), User.role.in_(CASE_WORKERS))
        ).scalars()
    )
    assigned = dict(
        session.execute(
            select(Case.number, Case.assigned_to).where(Case.number.in_([m[0] for m in moved]))
        ).all()
    )
    notes: list[str] = []  # Said: a window showing them follows a language switch
    for number, source, holder in moved:
        if holder != here:
            notes.append(Said(partial(_transferred_away, number, here, holder)))
        elif assigned.get(number) not in officers:
            notes.append(Said(partial(_transferred_here, number, source)))
    return notes


def _not_told(holder: str, numbers: str) -> str:
    return _(
        "{code} was not told of the transfer: its age key is not registered. "
        "Tell {code} that these cases are handled elsewhere now: {numbers}."
    ).format(code=holder, numbers=numbers)


def _transferred_away(number: str, here: str, holder: str) -> str:
    return _(
        "Headquarters has transferred case {number} from {here} to {holder}: "
        "{holder} handles it from now on, and the copy here can be read but no "
        "longer changed."
    ).format(number=number, here=here, holder=holder)


def _transferred_here(number: str, source: str) -> str:
    return _(
        "Headquarters has transferred case {number} from {source} to this mission: "
        "assign it to one of this mission's officers (the case list finds it "
        "under “Not assigned”)."
    ).format(number=number, source=source)


def _signing_key(session: Session, code: str) -> str | None:
    return session.execute(
        select(Mission.signing_public_key).where(Mission.code == code)
    ).scalar_one_or_none()


def _too_large(refused: str, prepared: _Prepared) -> str:
    """Why a bundle was not written, and, when everything was asked for (a mission of many
    letters and documents has more than a bundle may hold), what to send instead."""
    if not (prepared.kind is BundleKind.CASES and prepared.manifest["change_range"]["all"]):
        return refused
    instead = _(
        "If headquarters missed a bundle, send again what came after the last one it "
        "received (“Send again after a bundle…”, or --after-bundle): its import names it."
    )
    return f"{refused} {instead}"


def _received(session: Session, source: str, bundle_id: str) -> bool:
    received = select(ExchangeLog.id).where(
        ExchangeLog.direction == IN,
        ExchangeLog.source_mission == source,
        ExchangeLog.bundle_id == bundle_id,
    )
    return session.execute(received).first() is not None


def _parts_news(session: Session, bundle: VerifiedBundle) -> tuple[list[str], list[str]]:
    """What the import says of exports in parts from the bundle's source (``parts_news``)."""
    received = [
        Received(PartOf.of((report or {}).get(PART_FIELD)), int(start), int(end))
        for start, end, report in session.execute(
            select(
                ExchangeLog.change_seq_from, ExchangeLog.change_seq_to, ExchangeLog.report
            ).where(ExchangeLog.direction == IN, ExchangeLog.source_mission == bundle.source)
        )
    ]
    change_range = bundle.manifest["change_range"]
    current = Received(
        PartOf.of(bundle.manifest.get(PART_FIELD)), change_range["from"], change_range["to"]
    )
    return parts_news(received, current, bundle.source)


def _last_received(session: Session, source: str) -> str | None:
    """The first characters of the id of the last bundle received from ``source``, as a
    mission names it to send again what came after it (``export_cases(after_bundle=…)``)."""
    last = session.execute(
        select(ExchangeLog.bundle_id)
        .where(ExchangeLog.direction == IN, ExchangeLog.source_mission == source)
        .order_by(ExchangeLog.created_at.desc())
        .limit(1)
    ).scalar()
    return last[:BUNDLE_PREFIX_CHARS] if last else None


def _remove_written(session: Session, entity: Entity, first: int, last: int) -> None:
    """Delete ``entity``'s rows with these change numbers (one batch of an import), with the
    search rows of its cases; their categories and ILO indicators go by the cascade, the day
    counts by the triggers."""
    table: Any = entity.model.__table__  # type: ignore[attr-defined]
    written = table.c.change_seq.between(first, last)
    if entity.model is Case:
        ids = list(session.execute(select(table.c.id).where(written)).scalars())
        remove_cases(session, ids)
        note_changes(session, entity.name, ids)
    session.execute(delete(table).where(written))
    note_changes(session, entity.name, ())


class _Pace:
    """How many rows of an entity fit in the time a batch has left, from how long that
    entity's rows took so far: a case costs more to write than a person, and a batch sized
    from people's rows held the lock 3 s when it reached the cases. An entity not yet seen is
    taken to cost as much as the dearest seen; each write at most twice the entity's last."""

    def __init__(self) -> None:
        self.per_row: dict[str, float] = {}
        self.last: dict[str, int] = {}

    def rows(self, entity: str, seconds: float) -> int:
        first_guess = BATCH_SECONDS / ROWS_PER_WRITE
        cost = self.per_row.get(entity) or max(self.per_row.values(), default=first_guess)
        cap = 2 * self.last[entity] if entity in self.last else ROWS_PER_WRITE
        return max(1, min(int(seconds / max(cost, 1e-6)), cap))

    def took(self, entity: str, rows: int, seconds: float) -> None:
        if rows > 0:
            self.per_row[entity] = seconds / rows
            self.last[entity] = rows


def _claim(session: Session, source: str, mine: int, hold: bool = True) -> int:
    """Hold back other imports of ``source``'s bundles while this one writes in batches:
    refused if another holds the claim and wrote within ``CLAIM_STALE_MS``; the claim's new
    value. ``mine`` is this import's last value (0 before its first batch); with ``hold``
    False (the final transaction, whose write lock holds the others back) only checked."""
    name = IMPORT_CLAIM + source
    held = session.execute(select(Counter.value).where(Counter.name == name)).scalar()
    now = int(datetime.now(UTC).timestamp() * 1000)
    if mine and held != mine:  # taken back meanwhile, as cut short (the laptop slept)
        raise BundleRefused(
            lazy(
                N_(
                    "The import was interrupted and what it had written was removed; "
                    "import it again."
                )
            )
        )
    if held is not None and held != mine and now - held < CLAIM_STALE_MS:
        raise BundleRefused(
            lazy(
                N_(
                    "Another bundle of {code} is being imported right now. Import this one when "
                    "it has finished."
                ),
                code=source,
            )
        )
    if not hold:
        return mine
    session.merge(Counter(name=name, value=now))
    return now


@dataclass
class _Batches:
    """What an import wrote in batches before its final transaction."""

    ranges: list[tuple[int, int]] = field(default_factory=list)  # their change numbers
    claim: int = 0  # the claim's value this import wrote last
    # What the batches changed, said with the final transaction: a view refreshed at each
    # batch would refresh hundreds of times.
    tables: set[str] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)

    def keep_changes(self, changes: tuple[frozenset[str], frozenset[str]] | None) -> None:
        if changes:
            self.tables.update(changes[0])
            self.cases.update(changes[1])


@dataclass(frozen=True)
class _Staged:
    """What an import worked out before taking the write lock."""

    plan: MergePlan
    head: audit_anchor.HeadCheck
    held: tuple[int, str] | None  # the source's audit head held here when staged
    left_out: LeftOut  # the sender's changes to cases transferred away from it


@contextmanager
def larger_cache(session: Session, kib: int) -> Iterator[None]:
    """At least ``kib`` of page cache on this connection while the block runs (SQLite).

    A large import writes into indexes keyed by random ids; with the 64 MiB a new HQ database
    starts with, its pages were spilled, encrypted, read back and decrypted again and again
    inside the write transaction. The cache is given back afterwards."""
    before = _cache_at_least(session, kib)
    try:
        yield
    finally:
        if before is not None:
            session.connection().exec_driver_sql(f"PRAGMA cache_size = {before}")


def _cache_at_least(session: Session, kib: int) -> int | None:
    """Make the connection's page cache at least ``kib`` (SQLite); the size it had, if it was
    smaller. A smaller size set again frees the pages beyond it."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return None
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    if before < 0 and -before >= kib:
        return None
    connection.exec_driver_sql(f"PRAGMA cache_size = -{int(kib)}")
    return before


def _held_head(session: Session, code: str) -> tuple[int, str] | None:
    row = session.get(AuditHead, code)
    return None if row is None else (row.seq, row.hash)


def _has_library(session: Session) -> bool:
    return session.execute(select(Agreement.id).limit(1)).first() is not None


def _import_report(
    bundle: VerifiedBundle, result: MergeResult, warnings: list[str]
) -> ImportReport:
    per_entity = {
        name: {
            "new": t.new,
            "updated": t.updated,
            "unchanged": t.unchanged,
            "local_newer": t.local_newer,
            "conflicts": t.conflicts,
            **({"left_out": t.left_out} if t.left_out else {}),
        }
        for name, t in result.tallies.items()
    }
    return ImportReport(
        bundle_id=bundle.bundle_id,
        kind=bundle.kind.value,
        source_mission=bundle.source,
        new=result.total("new"),
        updated=result.total("updated"),
        unchanged=result.total("unchanged"),
        local_newer=result.total("local_newer"),
        conflicts=result.total("conflicts"),
        left_out=result.total("left_out"),
        files=len(bundle.files),
        per_entity=per_entity,
        warnings=tuple(warnings),
    )


def _older_from_sender(
    session: Session, bundle: VerifiedBundle, result: MergeResult
) -> list[OlderCase]:
    """The sender's own cases its bundle sent at a version below HQ's (a transfer's cases
    are not the sender's, and report themselves as left out)."""
    if bundle.kind is not BundleKind.CASES:
        return []
    tally = result.tallies.get(Case.__tablename__)
    return older_than_here(session, bundle.source, tally.older_cases) if tally else []


def _left_out_warning(bundle: VerifiedBundle, left_out: LeftOut) -> list[str]:
    """What the operator tells the sender: its officers wrote on cases HQ had moved."""
    if not left_out:
        return []
    held, count, source = sorted(left_out.cases.items()), left_out.count(), bundle.source

    def warning() -> str:
        cases = ", ".join(
            _("{number} (now held by {holder})").format(number=number, holder=holder)
            for number, holder in held
        )
        return ngettext(
            "Changes from {source} left out: {count}, to a case HQ transferred away from "
            "{source}: {cases}. Tell {source} that it is handled elsewhere now; the rest of "
            "the bundle is imported.",
            "Changes from {source} left out: {count}, to cases HQ transferred away from "
            "{source}: {cases}. Tell {source} that these cases are handled elsewhere now; the "
            "rest of the bundle is imported.",
            len(held),
        ).format(count=format_number(count), source=source, cases=cases)

    return [Said(warning)]


def _report_dict(report: ImportReport) -> dict[str, Any]:
    return {
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "local_newer": report.local_newer,
        "conflicts": report.conflicts,
        **({"left_out": report.left_out} if report.left_out else {}),
        "files": report.files,
    }


def _cases_to_transfer(session: Session, numbers: list[str], to_mission: str) -> list[Case]:
    """The named cases, each refused if it does not exist, ``to_mission`` holds it already or
    retention has anonymised it. A closed case that still holds its data may go: the new
    holder can reopen it (closed → in progress) and its retention clock travels with it."""
    cases = []
    for number in numbers:
        case = session.execute(
            select(Case).where(Case.number == number, Case.deleted_at.is_(None))
        ).scalar_one_or_none()
        if case is None:
            raise NotFound(_("No case {number}.").format(number=number))
        if case.anonymised_at is not None:
            # The mission would receive a case without its person or story: nothing to handle.
            raise ValidationError(
                lazy(
                    N_(
                        "Case {number} cannot be transferred: its personal data was anonymised "
                        "at the end of the retention period, so there is nothing left to handle."
                    ),
                    number=number,
                ),
                field="numbers",
            )
        if case.holder_mission == to_mission:
            raise ValidationError(
                _("Case {number} is already handled by {code}.").format(
                    number=number, code=to_mission
                ),
                field="numbers",
            )
        cases.append(case)
    _lock_unchanged(session, cases)
    return cases


def _lock_unchanged(session: Session, cases: list[Case]) -> None:
    """Lock the cases to transfer, refusing one another user changed since it was read. On a
    server two HQ users transferring the same case at once both went ahead: two missions
    each received it as theirs. Locked in one order, so that two transfers sharing cases wait
    for each other instead of deadlocking (a no-op under SQLCipher's one writer)."""
    seen = {case.id: case.version for case in cases}
    session.execute(
        select(Case.id).where(Case.id.in_(seen)).order_by(Case.id).with_for_update()
    ).all()
    for case in cases:
        session.refresh(case)
        if case.version == seen[case.id]:
            continue
        who = last_actor(session, case)
        message = (
            N_(
                "{user} changed case {number} meanwhile: it is now handled by {code}. "
                "Look at it again, and transfer it again if it should still go."
            )
            if who
            else N_(
                "Someone else changed case {number} meanwhile: it is now handled by {code}. "
                "Look at it again, and transfer it again if it should still go."
            )
        )
        raise ConflictError(
            lazy(message, user=who or "", number=case.number, code=case.holder_mission)
        )
