"""Keeps the sync columns right on every flush: version, updated_at, change_seq, origin.

A session's ``info`` carries ``mission_code`` (the origin of new rows) and, during a bundle
import, ``importing=True``, which keeps the versions the bundle brought. A write session also
carries ``HELD_HERE``: the cases another installation holds are read only (at a mission, a copy
HQ transferred away; at HQ, every mission's case, which only the mission's bundles change).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from app.db.models import Case, Counter, SyncMixin, utcnow
from app.errors import PermissionDenied
from app.i18n import _

CHANGE_SEQ = "change_seq"
# session.info key: the tables and cases a transaction's flushes touched (app.services.changes)
CHANGED_KEY = "changed_records"
# session.info keys: the installation whose cases alone may change, and a switch for what
# rightly touches a case held elsewhere (HQ's transfer, retention, a conflict's choice)
HELD_HERE = "held_here"
AT_HQ = "at_hq"
ANY_HOLDER = "any_holder"
HELD_CHUNK = 5_000  # case ids a holder check asks for at once


_ADVANCE = text(
    f"INSERT INTO {Counter.__tablename__} (name, value) VALUES (:name, :step) "
    "ON CONFLICT (name) DO UPDATE SET value = counter.value + excluded.value RETURNING value"
)


def next_counter(session: Session, name: str, step: int = 1) -> int:
    """Advance counter ``name`` by ``step`` and return its new value (inside the transaction).

    Run it in a write session. One statement on both engines: on SQLCipher the write lock
    (``BEGIN IMMEDIATE``) already serialises writers; on PostgreSQL the upsert locks the
    counter's row until the transaction ends, so a second writer numbering at once waits and
    then reads the committed value, and a first use by two writers at once cannot both insert.
    Either way the numbering is gapless.
    """
    value = session.connection().execute(_ADVANCE, {"name": name, "step": step}).scalar_one()
    return int(value)


def current_change_seq(session: Session) -> int:
    """The change counter's value now: every change up to it is written (0 before any)."""
    value = session.execute(
        select(Counter.value).where(Counter.name == CHANGE_SEQ)
    ).scalar_one_or_none()
    return int(value or 0)


def _changed(session: Session) -> tuple[list[SyncMixin], list[SyncMixin]]:
    """The new and the changed rows of this flush. ``session.new`` and ``session.dirty`` build
    a set of every such object at each call: asked once per object, a flush of 12,000 cases
    took 21 s of 30 in those calls (quadratic)."""
    new = [obj for obj in session.new if isinstance(obj, SyncMixin)]
    dirty = [
        obj
        for obj in session.dirty
        if isinstance(obj, SyncMixin) and session.is_modified(obj, include_collections=False)
    ]
    return new, dirty


@event.listens_for(Session, "before_flush")
def _stamp_sync_columns(session: Session, _context: Any, _instances: Any) -> None:
    new, dirty = _changed(session)
    changed = new + dirty
    if not changed:
        return
    importing = bool(session.info.get("importing"))
    mission = session.info.get("mission_code")
    last = next_counter(session, CHANGE_SEQ, len(changed))
    first = last - len(changed) + 1
    now = utcnow()
    for offset, obj in enumerate(changed):
        obj.change_seq = first + offset
        if offset < len(new):
            if not getattr(obj, "origin_mission", None):
                obj.origin_mission = mission or ""
            if obj.version is None:
                obj.version = 1
            if obj.updated_at is None:
                obj.updated_at = now
        elif not importing:
            obj.version = (obj.version or 0) + 1
            obj.updated_at = now


@event.listens_for(Session, "after_flush")
def _collect_changes(session: Session, _context: Any) -> None:
    """Note which tables and cases this flush touched, for the change signal after commit.

    After the flush, so that new rows have their ids; ``new``/``dirty`` still list them."""
    for obj in [*session.new, *session.dirty, *session.deleted]:
        table = getattr(obj, "__tablename__", None)
        if table is not None:
            case_id = obj.id if table == "case" else getattr(obj, "case_id", None)
            note_changes(session, table, [case_id] if isinstance(case_id, str) else [])


def note_changes(session: Session, table: str, case_ids: Iterable[str]) -> None:
    """Record that this transaction changed ``table`` (and these cases): the ORM's flushes
    call it, and so do bulk statements (a bundle import), which no flush sees."""
    tables, cases = session.info.setdefault(CHANGED_KEY, (set(), set()))
    tables.add(table)
    cases.update(c for c in case_ids if c)


def peek_changes(session: Session) -> tuple[frozenset[str], frozenset[str]] | None:
    """The tables and case ids the transaction has touched so far (kept)."""
    found = session.info.get(CHANGED_KEY)
    if not found:
        return None
    tables, cases = found
    return frozenset(tables), frozenset(cases)


def take_changes(session: Session) -> tuple[frozenset[str], frozenset[str]] | None:
    """The tables and case ids a finished transaction touched (and forget them)."""
    found = session.info.pop(CHANGED_KEY, None)
    if not found:
        return None
    tables, cases = found
    return frozenset(tables), frozenset(cases)


@event.listens_for(Session, "before_flush")
def _refuse_cases_held_elsewhere(session: Session, _context: Any, _instances: Any) -> None:
    """A case changes only where it is held. A mission keeps a copy of a case HQ transferred
    away, to read: a change to it would be left out at HQ. HQ keeps every mission's case as
    the mission sent it: a change there would be overwritten by the mission's next bundle, or
    meet it as a conflict. Refused in one place, whichever service or window tried."""
    here = session.info.get(HELD_HERE)
    if not here or session.info.get(ANY_HOLDER):
        return
    new = session.new  # once: each call builds a set of every new object (see _changed)
    case_ids: set[str] = set()
    for obj in [*session.dirty, *session.deleted, *new]:
        if isinstance(obj, Case):
            if obj not in new:
                case_ids.add(obj.id)
        elif isinstance(getattr(obj, "case_id", None), str):
            case_ids.add(obj.case_id)
    # A case made in this flush is made here, and so is what hangs off it (a CSV batch).
    case_ids -= {obj.id for obj in new if isinstance(obj, Case)}
    ids = sorted(case_ids)
    held = None
    with session.no_autoflush:
        # In chunks: SQLite takes at most 32,766 parameters in one statement.
        for start in range(0, len(ids), HELD_CHUNK):
            held = session.execute(
                select(Case.number, Case.holder_mission).where(
                    Case.id.in_(ids[start : start + HELD_CHUNK]), Case.holder_mission != here
                )
            ).first()
            if held is not None:
                break
    if held is not None:
        raise PermissionDenied(
            _(
                "Case {number} is held by {holder}: headquarters keeps it as {holder} sends "
                "it and does not change it."
            ).format(number=held.number, holder=held.holder_mission)
            if session.info.get(AT_HQ)
            else _(
                "Case {number} is handled by {holder} now (headquarters transferred it); "
                "the copy here can be read but not changed."
            ).format(number=held.number, holder=held.holder_mission)
        )
