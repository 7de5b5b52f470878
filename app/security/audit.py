"""The append-only audit log, chained by SHA-256.

Each entry's hash covers its own fields and the previous entry's hash; the number of entries
is also kept in a counter, so ``verify`` finds an edited entry (its hash no longer matches), a
deleted or reordered one (a gap in ``seq`` or a broken link), and a truncated tail (fewer entries
than the counter says).

Retention redacts what people typed into an entry's details (``redact``): the entry keeps its
hash, so every later link and every head already signed stay as they were, and the entry that
redacted it (later in the chain, so covered by its own hash) records that hash and the hash of the
entry as it now reads. ``verify`` accepts exactly that content under that hash, and nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from app.db.bulk import insert_rows
from app.db.engine import read_once
from app.db.models import AuditEntry, Counter
from app.db.sync import next_counter
from app.i18n import _

GENESIS = "0" * 64
AUDIT_COUNTER = "audit_seq"
VERIFY_CHUNK = 20_000  # entries ``verify`` reads at a time
# What ``json.dumps`` with these options builds at each call, built once: a hash is taken of every
# entry written and, by ``verify``, of every entry of the log.
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
# Who did what to which record, and when: an entry as the log lists it (less its details).
ENTRY_COLUMNS = (
    AuditEntry.seq,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.entity,
    AuditEntry.entity_id,
)
_HASHED = (  # what an entry's hash covers, and the hash
    *ENTRY_COLUMNS,
    type_coerce(AuditEntry.details, Text).label("details"),  # decoded by ``_details``
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


# An entry's details: which keys a redaction emptied. The redacting entry's details: what it
# redacted, [{"seq": the entry's, "hash": its (kept) hash, "as": the hash of what it now holds}].
REDACTED = "redacted"
REDACTIONS = "redactions"
# The acts that may redact entries (``redact``): only their entries are read for redactions.
REDACTING_ACTIONS = ("retention.anonymise",)


def canonical_time(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC.
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    seq: int,
    at: datetime | str,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """The entry's hash; ``at`` is a datetime, or its canonical text already (as bundles carry
    it)."""
    if isinstance(at, datetime):
        at = canonical_time(at)
    payload = _PAYLOAD.encode([seq, at, actor, action, entity, entity_id, details, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Signs an account change's message (``signed_message``); returns the signature in base64.
Signer = Callable[[bytes], str]
SIGNATURE = "signature"  # the details' key an account change's signature goes under


def signed_message(
    seq: int, prev_hash: str, actor: str, action: str, entity_id: str, details: dict[str, Any]
) -> bytes:
    """What the acting user's account key signs: the entry less its signature, with its place
    in the chain (``seq``, ``prev_hash``), so that a genuine entry copied elsewhere fails."""
    unsigned = {k: v for k, v in details.items() if k != SIGNATURE}
    payload = ["qorgau-account-change:v1", seq, prev_hash, actor, action, entity_id, unsigned]
    return _PAYLOAD.encode(payload).encode("utf-8")


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str = "",
    entity_id: str = "",
    details: dict[str, Any] | None = None,
    sign: Signer | None = None,
) -> None:
    """Append one entry in the caller's transaction (so it commits or rolls back with the act);
    ``sign``, for an account change, signs it (see ``app.security.user_ledger``)."""
    record_many(session, actor, [(action, entity, entity_id, details or {})], sign)
    session.flush()  # what the act changed reaches the database with its entry


def record_many(
    session: Session,
    actor: str,
    entries: list[tuple[str, str, str, dict[str, Any]]],
    sign: Signer | None = None,
) -> None:
    """Append (action, entity, entity_id, details) entries in order, as ``record`` would one
    by one, with one counter step and one read of the chain head for them all (imports)."""
    if not entries:
        return
    last = next_counter(session, AUDIT_COUNTER, len(entries))
    first = last - len(entries) + 1
    prev = session.execute(
        select(AuditEntry.hash).where(AuditEntry.seq == first - 1)
    ).scalar_one_or_none()
    prev_hash = prev or GENESIS
    at = datetime.now(UTC)
    stamp = canonical_time(at)  # the entries' one time as each hash holds it, written once
    rows = []
    for seq, (action, entity, entity_id, raw_details) in enumerate(entries, start=first):
        details = json.loads(json.dumps(raw_details, default=str))
        if sign is not None:
            message = signed_message(seq, prev_hash, actor, action, entity_id, details)
            details[SIGNATURE] = sign(message)
        digest = entry_hash(seq, stamp, actor, action, entity, entity_id, details, prev_hash)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "details": details,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    insert_rows(session.connection(), AuditEntry, rows)


def redact(session: Session, entity_ids: list[str], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Empty the values under ``keys`` in the details of the entries about ``entity_ids`` (in
    the caller's transaction); returns the redaction records, which the caller must put under
    ``REDACTIONS`` in the details of an entry of a ``REDACTING_ACTIONS`` act it appends next."""
    if not entity_ids:
        return []
    records = []
    for entry in session.execute(
        select(AuditEntry).where(AuditEntry.entity_id.in_(entity_ids)).order_by(AuditEntry.seq)
    ).scalars():
        details = dict(entry.details) if isinstance(entry.details, dict) else {}
        emptied = [k for k in keys if details.get(k) not in (None, "", {}, [])]
        if not emptied:
            continue
        for key in emptied:
            details[key] = ""
        details[REDACTED] = sorted({*details.get(REDACTED, []), *emptied})
        entry.details = details
        now_reads = entry_hash(
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_id,
            details,
            entry.prev_hash,
        )
        records.append({"seq": entry.seq, "hash": entry.hash, "as": now_reads})
    return records


@dataclass(frozen=True)
class Redaction:
    by_seq: int  # the entry that redacted
    hash: str  # the redacted entry's hash, kept
    reads_as: str  # the hash of the redacted entry's content now


def redactions_in(entries: list[tuple[int, Any]]) -> dict[int, Redaction]:
    """The redactions recorded in (seq, details) of entries of ``REDACTING_ACTIONS``, by the
    redacted entry's seq (the latest wins: an entry redacted twice reads as the second left it)."""
    found: dict[int, Redaction] = {}
    for by_seq, details in sorted(entries, key=lambda e: e[0]):
        listed = details.get(REDACTIONS) if isinstance(details, dict) else None
        for item in listed if isinstance(listed, list) else []:
            if not isinstance(item, dict):
                continue
            seq, kept, reads_as = item.get("seq"), item.get("hash"), item.get("as")
            if isinstance(seq, int) and seq < by_seq and isinstance(kept, str):
                found[seq] = Redaction(by_seq, kept, str(reads_as))
    return found


def redaction_holds(
    redactions: dict[int, Redaction], seq: int, stored: str, computed: str, details: Any
) -> bool:
    """Whether an entry whose content no longer gives its ``stored`` hash was redacted, and
    reads exactly as its redaction left it."""
    found = redactions.get(seq)
    return (
        found is not None
        and found.hash == stored
        and found.reads_as == computed
        and isinstance(details, dict)
        and bool(details.get(REDACTED))
    )


def _recorded_redactions(session: Session) -> dict[int, Redaction]:
    rows = session.execute(
        select(AuditEntry.seq, type_coerce(AuditEntry.details, Text)).where(
            AuditEntry.action.in_(REDACTING_ACTIONS)
        )
    ).all()
    return redactions_in([(seq, _details(details)) for seq, details in rows])


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    kind: str  # edited | missing | reordered | truncated; also rewritten, account (audit_log)
    message: str


def verify(session: Session) -> tuple[int, list[AuditProblem]]:
    """Walk the chain; returns (entries checked, problems found)."""
    problems: list[AuditProblem] = []
    expected_seq = 1
    prev_hash = GENESIS
    count = 0
    redactions: dict[int, Redaction] | None = None  # read at the first entry that needs them
    with closing(_entries(session)) as entries:  # its page cache put back even on a failure
        for entry in entries:
            count += 1
            if entry.seq != expected_seq:
                problems.append(
                    AuditProblem(
                        expected_seq,
                        "missing",
                        _("Audit entries {first}–{last} are missing.").format(
                            first=expected_seq, last=entry.seq - 1
                        ),
                    )
                )
            elif entry.prev_hash != prev_hash:
                problems.append(
                    AuditProblem(
                        entry.seq,
                        "reordered",
                        _("Audit entry {seq} does not follow the entry before it.").format(
                            seq=entry.seq
                        ),
                    )
                )
            details = _details(entry.details)
            computed = entry_hash(
                entry.seq,
                entry.at,
                entry.actor,
                entry.action,
                entry.entity,
                entry.entity_id,
                details,
                entry.prev_hash,
            )
            if computed != entry.hash and redactions is None:
                redactions = _recorded_redactions(session)
            if computed != entry.hash and not redaction_holds(
                redactions or {}, entry.seq, entry.hash, computed, details
            ):
                problems.append(
                    AuditProblem(
                        entry.seq,
                        "edited",
                        _("Audit entry {seq} has been changed.").format(seq=entry.seq),
                    )
                )
            expected_seq = entry.seq + 1
            prev_hash = entry.hash
    recorded = session.get(Counter, AUDIT_COUNTER)
    if recorded is not None and recorded.value > expected_seq - 1:
        problems.append(
            AuditProblem(
                expected_seq,
                "truncated",
                _("Audit entries {first}–{last} at the end are missing.").format(
                    first=expected_seq, last=recorded.value
                ),
            )
        )
    return count, problems


def _details(stored: Any) -> Any:
    """An entry's details as stored: JSON text on SQLite (orjson reads it in a quarter of the
    time ``json`` takes; ``json`` for what orjson refuses, such as NaN), already decoded by the
    driver on PostgreSQL."""
    if not isinstance(stored, str | bytes):
        return stored
    try:
        return orjson.loads(stored)
    except orjson.JSONDecodeError:
        return json.loads(stored)


def _entries(session: Session) -> Generator[Any, None, None]:
    """Every entry in ``seq`` order as plain rows, ``VERIFY_CHUNK`` read at a time: a mission's
    log reaches millions of entries, which as ORM objects all at once took some 2.5 GB (a million
    entries) and would exhaust an office laptop long before that.

    The pages are read once, so SQLite's page cache is kept small meanwhile (``read_once``):
    five million entries took 550 MB without it, most of it pages never read again."""
    with read_once(session.connection()):
        query = select(*_HASHED).order_by(AuditEntry.seq).limit(VERIFY_CHUNK)
        rows = session.execute(query).all()
        while rows:
            yield from rows
            if len(rows) < VERIFY_CHUNK:
                return
            rows = session.execute(query.where(AuditEntry.seq > rows[-1].seq)).all()
