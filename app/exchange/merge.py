"""Merging a verified bundle into the database: planned by reading, then applied by writing.

Records merge by ``id``: a higher remote ``version`` replaces the local row, a lower one is
ignored (the local row is newer), and an equal version with different content becomes a
``SyncConflict`` for a person to resolve; nothing is overwritten silently.

``plan_merge`` decides all of that in a read snapshot, with each written record's column values
ready, so an import does the work outside the write lock; ``stale`` tells, under the lock,
whether a row written since the snapshot touches what the plan relied on; ``apply_plan`` writes
the plan with bulk statements (the sync columns the flush hook would set are set here:
imported rows keep their version and get a fresh local ``change_seq``).

``check_references`` runs before anything is written: every foreign key must point at a record
in the bundle or already in the database, and natural keys (case numbers, outgoing letter
numbers, agreement slugs) must not clash with another record's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.db.models import Case, CaseCategory, CaseIloIndicator, Counter, Mission, SyncConflict
from app.db.sync import CHANGE_SEQ, next_counter, note_changes
from app.exchange.package import BundleRefused, VerifiedBundle
from app.exchange.records import BY_NAME, CASE_LISTS, ENTITIES, Codec, Entity, content_of
from app.i18n import _

CHUNK = 500
T = TypeVar("T")
# Natural keys that are unique in the database besides the id.
NATURAL_KEYS: dict[str, str] = {"case": "number", "letter": "outgoing_number", "agreement": "slug"}
MISSION_INFO = (
    "country",
    "city",
    "city_kk",
    "city_ru",
    "name_kk",
    "name_ru",
    "name_en",
    "address_kk",
    "address_ru",
    "address_en",
    "phone",
    "email",
)


@dataclass
class EntityTally:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    local_newer: int = 0
    conflicts: int = 0


@dataclass
class MergeResult:
    tallies: dict[str, EntityTally] = field(default_factory=dict)
    case_ids: list[str] = field(default_factory=list)  # new or updated: to re-index
    conflict_ids: list[str] = field(default_factory=list)

    def total(self, what: str) -> int:
        return sum(getattr(t, what) for t in self.tallies.values())


def _chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _existing_ids(session: Session, entity: Entity, ids: Sequence[str]) -> set[str]:
    table: Any = entity.model.__table__  # type: ignore[attr-defined]
    found: set[str] = set()
    connection = session.connection()  # Core: plain rows, no ORM loading
    for chunk in _chunks(ids):
        found.update(connection.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars())
    return found


def check_references(session: Session, bundle: VerifiedBundle) -> None:
    """Refuse (before writing) a bundle whose records point at rows that exist nowhere."""
    in_bundle = {name: {r["id"] for r in rows} for name, rows in bundle.records.items()}
    for name, rows in bundle.records.items():
        entity = BY_NAME[name]
        for column, target in entity.references.items():
            wanted = {r[column] for r in rows if r.get(column)} - in_bundle.get(target, set())
            if not wanted:
                continue
            missing = set(wanted) - _existing_ids(session, BY_NAME[target], sorted(wanted))
            if missing:
                raise BundleRefused(
                    _(
                        "The bundle's {entity} records refer to {count} {target} records that "
                        "are neither in the bundle nor in this database (for example {id}); "
                        "import the earlier bundles first, or ask for a full export."
                    ).format(entity=name, count=len(missing), target=target, id=min(missing))
                )
        key = NATURAL_KEYS.get(name)
        if key:
            _check_natural_key(session, entity, key, rows)


def _check_natural_key(
    session: Session, entity: Entity, key: str, rows: list[dict[str, Any]]
) -> None:
    model: Any = entity.model
    by_value = {r[key]: r["id"] for r in rows if r.get(key)}
    if len(by_value) != len([r for r in rows if r.get(key)]):
        raise BundleRefused(
            _("Two {entity} records in the bundle share the same {key}.").format(
                entity=entity.name, key=key
            )
        )
    column = getattr(model, key)
    values = sorted(by_value)
    for chunk in _chunks(values):
        for value, row_id in session.execute(select(column, model.id).where(column.in_(chunk))):
            if row_id != by_value[value]:
                raise BundleRefused(
                    _(
                        "The {entity} {value} in the bundle is a different record from the one "
                        "with the same {key} here."
                    ).format(entity=entity.name, value=value, key=key)
                )


def local_records(session: Session, codec: Codec, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """This database's copies of the records ``ids``, as bundles carry them (merge, ownership)."""
    table: Any = codec.entity.model.__table__  # type: ignore[attr-defined]
    model: Any = codec.entity.model
    found: dict[str, dict[str, Any]] = {}
    connection = session.connection()
    for chunk in _chunks(ids):
        query = select(*codec.select_columns()).where(table.c.id.in_(chunk))
        for row in connection.execute(query):
            record = codec.to_record(row)
            found[record["id"]] = record
    if model is Case and found:
        _attach_case_lists(session, found)
    return found


def _attach_case_lists(session: Session, cases: dict[str, dict[str, Any]]) -> None:
    for record in cases.values():
        record["categories"] = []
        record["ilo_indicators"] = []
    ids = list(cases)
    for link, key in ((CaseCategory, "categories"), (CaseIloIndicator, "ilo_indicators")):
        for chunk in _chunks(ids):
            rows = session.execute(
                select(link.case_id, link.code).where(link.case_id.in_(chunk)).order_by(link.code)
            )
            for case_id, code in rows:
                cases[case_id][key].append(code)


def same_content(local: dict[str, Any], remote: dict[str, Any]) -> bool:
    """Whether two copies of a record say the same, whatever their versions and timestamps."""
    left, right = content_of(local), content_of(remote)
    for key in ("categories", "ilo_indicators"):
        if key in left:
            left[key] = sorted(left[key])
            right[key] = sorted(right.get(key, []))
    return left == right


def merge_bundle(session: Session, bundle: VerifiedBundle) -> MergeResult:
    """Plan and write the bundle's records in one go (call ``check_references`` first, in the
    same transaction); imports plan outside the write lock and ``apply_plan`` under it."""
    return apply_plan(session, plan_merge(session, bundle), bundle)


@dataclass
class EntityPlan:
    """What merging one entity's records will do, decided by reading only."""

    entity: Entity
    tally: EntityTally = field(default_factory=EntityTally)
    inserts: list[dict[str, Any]] = field(default_factory=list)  # column values
    updates: list[dict[str, Any]] = field(default_factory=list)  # column values
    conflicts: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    case_lists: list[dict[str, Any]] = field(default_factory=list)  # written cases' codes


@dataclass
class MergePlan:
    """The merge decided in one read snapshot; ``apply_plan`` writes it under the write lock.

    ``seq`` is the snapshot's change counter: a row written after the plan has a higher
    ``change_seq``, so ``stale`` finds, cheaply, whether anything the plan relied on changed.
    """

    seq: int
    missions: list[dict[str, Any]] = field(default_factory=list)
    entities: list[EntityPlan] = field(default_factory=list)
    ids: frozenset[str] = frozenset()  # every id the bundle carries or refers to
    natural_keys: dict[str, frozenset[str]] = field(default_factory=dict)


def plan_merge(session: Session, bundle: VerifiedBundle) -> MergePlan:
    """Decide, by reading only, what merging the bundle writes (no write lock is needed)."""
    seq = session.execute(
        select(Counter.value).where(Counter.name == CHANGE_SEQ)
    ).scalar_one_or_none()
    plan = MergePlan(int(seq or 0))
    ids: set[str] = set()
    for entity in ENTITIES:
        rows = bundle.records.get(entity.name)
        if not rows:
            continue
        references = list(entity.references)
        for record in rows:
            ids.add(record["id"])
            ids.update(record[c] for c in references if record.get(c))
        key = NATURAL_KEYS.get(entity.name)
        if key:
            plan.natural_keys[entity.name] = frozenset(r[key] for r in rows if r.get(key))
        if entity.model is Mission:
            plan.missions = rows
            continue
        plan.entities.append(_plan_entity(session, entity, rows))
    plan.ids = frozenset(ids)
    return plan


def _plan_entity(session: Session, entity: Entity, rows: list[dict[str, Any]]) -> EntityPlan:
    codec = Codec(entity)
    plan = EntityPlan(entity)
    tally = plan.tally
    local = local_records(session, codec, [r["id"] for r in rows])
    written: list[dict[str, Any]] = []
    for record in rows:
        mine = local.pop(record["id"], None)
        if mine is None:
            plan.inserts.append(codec.to_values(record))
            written.append(record)
            tally.new += 1
        elif record["version"] > mine["version"]:
            plan.updates.append(codec.to_values(record))
            written.append(record)
            tally.updated += 1
        elif record["version"] < mine["version"]:
            tally.local_newer += 1
        elif same_content(mine, record):
            tally.unchanged += 1
        else:
            plan.conflicts.append((mine, record))
            tally.conflicts += 1
    if entity.model is Case:
        plan.case_lists = [
            {"id": r["id"], **{key: sorted(set(r[key])) for key in CASE_LISTS}} for r in written
        ]
    return plan


def stale(session: Session, plan: MergePlan) -> bool:
    """Whether a row written since the plan's snapshot touches what the plan decided on: a
    record the bundle carries or refers to, a row that refers to one, a clashing natural key,
    or any mission. Run it under the write lock, before ``apply_plan``."""
    now = session.execute(
        select(Counter.value).where(Counter.name == CHANGE_SEQ)
    ).scalar_one_or_none()
    if int(now or 0) == plan.seq:
        return False
    for entity in ENTITIES:
        table: Any = entity.model.__table__  # type: ignore[attr-defined]
        key = NATURAL_KEYS.get(entity.name)
        columns = [table.c.id, *(table.c[c] for c in entity.references)]
        if key:
            columns.append(table.c[key])
        changed = session.execute(select(*columns).where(table.c.change_seq > plan.seq))
        for row in changed:
            if entity.model is Mission:
                return True
            values = row[: len(columns) - (1 if key else 0)]
            if any(v in plan.ids for v in values if v):
                return True
            if key and row[-1] in plan.natural_keys.get(entity.name, frozenset()):
                return True
    return False


class PlanOutdated(BundleRefused):
    """A row the plan updates vanished before it was applied; nothing was written."""


def apply_plan(session: Session, plan: MergePlan, bundle: VerifiedBundle) -> MergeResult:
    """Write what ``plan_merge`` decided, inside the caller's write transaction."""
    result = MergeResult()
    if plan.missions:
        _merge_mission_info(session, plan.missions, bundle.source)
    for entity_plan in plan.entities:
        entity = entity_plan.entity
        result.tallies[entity.name] = entity_plan.tally
        for mine, record in entity_plan.conflicts:
            result.conflict_ids.append(_record_conflict(session, entity, mine, record, bundle))
        _write_entity(session, entity_plan, bundle)
        if entity.model is Case:
            result.case_ids.extend(r["id"] for r in entity_plan.case_lists)
    return result


def _write_entity(session: Session, plan: EntityPlan, bundle: VerifiedBundle) -> None:
    entity = plan.entity
    count = len(plan.inserts) + len(plan.updates)
    if not count:
        return
    last = next_counter(session, CHANGE_SEQ, count)
    seq = iter(range(last - count + 1, last + 1))
    # Core statements run as one executemany per chunk; the ORM's bulk insert splits rows by
    # which values are None, which made thousands of single-row statements. Files are read
    # from the spool chunk by chunk, so memory holds one chunk of them at a time.
    table: Any = entity.model.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    for chunk in _chunks(plan.inserts):
        connection.execute(table.insert(), _with_sync(entity, chunk, seq, bundle))
    if plan.updates:
        names = [k for k in plan.updates[0] if k != "id"]
        if entity.blob_column:
            names.append(entity.blob_column)
        statement = (
            update(table)
            .where(table.c.id == bindparam("v_id"))
            .values({k: bindparam(f"v_{k}") for k in [*names, "change_seq"]})
        )
        for chunk in _chunks(plan.updates):
            rows = [
                {f"v_{k}": v for k, v in row.items()}
                for row in _with_sync(entity, chunk, seq, bundle)
            ]
            done = connection.execute(statement, rows)
            if done.rowcount != len(rows):
                raise PlanOutdated(
                    _("Records changed here while the bundle was being imported; import it again.")
                )
    if entity.model is Case:
        _write_case_lists(session, plan.case_lists, replace=bool(plan.updates))
    # Bulk statements bypass the flush hook: tell the change signal what was written.
    case_key = "id" if entity.model is Case else "case_id"
    written = [*plan.inserts, *plan.updates]
    note_changes(session, entity.name, (str(r.get(case_key) or "") for r in written))


def _with_sync(
    entity: Entity, rows: Sequence[dict[str, Any]], seq: Iterator[int], bundle: VerifiedBundle
) -> list[dict[str, Any]]:
    """The rows with a fresh local change_seq and their file content from the bundle."""
    out = []
    for row in rows:
        values = {**row, "change_seq": next(seq)}
        if entity.blob_column and entity.digest_column:
            digest = row.get(entity.digest_column)
            values[entity.blob_column] = bundle.files.get(digest) if digest else None
        out.append(values)
    return out


def _write_case_lists(session: Session, cases: list[dict[str, Any]], replace: bool) -> None:
    ids = [c["id"] for c in cases]
    for link, key in ((CaseCategory, "categories"), (CaseIloIndicator, "ilo_indicators")):
        if replace:
            for chunk in _chunks(ids):
                session.execute(delete(link).where(link.case_id.in_(chunk)))
        rows = [{"case_id": c["id"], "code": code} for c in cases for code in c[key]]
        for chunk in _chunks(rows):
            session.execute(insert(link), chunk)


def _merge_mission_info(session: Session, rows: list[dict[str, Any]], source: str) -> None:
    """Only the source's own descriptive data; never keys, never this installation's row."""
    for record in rows:
        if record["code"] != source:
            continue
        mission = session.execute(select(Mission).where(Mission.code == source)).scalar_one()
        if mission.is_local:
            continue
        for name in MISSION_INFO:
            if getattr(mission, name) != record[name]:
                setattr(mission, name, record[name])


def _record_conflict(
    session: Session,
    entity: Entity,
    local: dict[str, Any],
    remote: dict[str, Any],
    bundle: VerifiedBundle,
) -> str:
    existing = session.execute(
        select(SyncConflict).where(
            SyncConflict.record_id == remote["id"],
            SyncConflict.entity == entity.name,
            SyncConflict.resolved_at.is_(None),
        )
    ).scalar_one_or_none()
    if existing is not None and existing.remote_data == remote:
        return existing.id
    conflict = SyncConflict(
        entity=entity.name,
        record_id=remote["id"],
        bundle_id=bundle.bundle_id,
        local_version=local["version"],
        remote_version=remote["version"],
        local_data=local,
        remote_data=remote,
    )
    session.add(conflict)
    session.flush()
    return conflict.id
