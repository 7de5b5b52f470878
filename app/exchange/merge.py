"""Merging a verified bundle into the database: planned by reading, then applied by writing.

Records merge by ``id``: a higher remote ``version`` replaces the local row, a lower one is
ignored (the local row is newer), and an equal version with different content becomes a
``SyncConflict`` for a person to resolve; nothing is overwritten silently.

``Planner`` decides all of that in a read snapshot, a batch of records at a time, and stages
each written record's column values in tables of a private staging schema (``Database.pinned``),
so an import does the work outside the write lock and never holds the bundle; ``stale`` tells,
under the lock, whether a row written since the snapshot touches what the plan relied on;
``apply_plan`` moves the staged rows in with a few set-based statements (``INSERT … SELECT``,
``UPDATE … FROM``), so the write lock covers the database's own work only. The sync columns the
flush hook would set are set here: imported rows keep their version and get a fresh local
``change_seq``.

``ReferenceCheck`` runs before anything is written: every foreign key must point at a record
in the bundle or already in the database, and natural keys (case numbers, outgoing letter
numbers, agreement slugs) must not clash with another record's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    delete,
    exists,
    literal,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable

from app.db.engine import read_once
from app.db.listed import one_of
from app.db.models import (
    Case,
    CaseCategory,
    CaseIloIndicator,
    Mission,
    SyncConflict,
    UtcDateTime,
)
from app.db.postgres import copy_rows
from app.db.sync import CHANGE_SEQ, current_change_seq, next_counter, note_changes
from app.exchange.format import HQ_ENTITIES
from app.exchange.package import BundleRefused, VerifiedBundle
from app.exchange.records import BY_NAME, CASE_LISTS, ENTITIES, Codec, Entity, content_of
from app.i18n import N_, _, lazy

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
    left_out: int = 0  # changes to cases the sender held before HQ transferred them away
    # The cases left out as older than the copy here: (id, version here, version sent). The
    # importer names those the sender holds (``older_than_here``): a genuine change dropped.
    older_cases: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass
class MergeResult:
    tallies: dict[str, EntityTally] = field(default_factory=dict)
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
        found.update(
            connection.execute(select(table.c.id).where(one_of(table.c.id, chunk))).scalars()
        )
    return found


class ReferenceCheck:
    """Refuse (before writing) a bundle whose records point at rows that exist nowhere, or
    whose natural keys clash: fed a batch at a time in the bundle's entity order, in the pass
    that also checks ownership and plans the merge, and asked at the end (``check``).

    A reference's target comes before the records that refer to it in ``ENTITIES``, so when a
    batch goes by, every id of its targets in the bundle has been seen. Each entity's problem
    is found after its last batch and kept; ``check`` raises the first in the bundle's member
    order, the refusal the checks gave when each had its own pass."""

    def __init__(self, bundle: VerifiedBundle) -> None:
        self._order = list(bundle.records)
        targets = {t for name in bundle.records for t in BY_NAME[name].references.values()}
        self._in_bundle: dict[str, set[str]] = {name: set() for name in targets}
        self._wanted: dict[str, set[str]] = {}
        self._by_value: dict[str, str] = {}
        self._twice: BundleRefused | None = None
        self._problems: dict[str, BundleRefused] = {}

    def batch(self, entity: Entity, rows: list[dict[str, Any]]) -> None:
        seen = self._in_bundle.get(entity.name)
        if seen is not None:
            seen.update(r["id"] for r in rows)
        key = NATURAL_KEYS.get(entity.name)
        for column, target in entity.references.items():
            here = self._in_bundle.get(target, set())
            wanted = self._wanted.setdefault(column, set())
            wanted.update(v for r in rows if (v := r.get(column)) and v not in here)
        if not key or self._twice is not None:
            return
        for record in rows:
            value = record.get(key)
            if not value:
                continue
            if value in self._by_value:
                self._twice = BundleRefused(
                    lazy(
                        N_("Two {entity} records in the bundle share the same {key}."),
                        entity=entity.name,
                        key=key,
                    )
                )
                return
            self._by_value[value] = record["id"]

    def end_entity(self, session: Session, entity: Entity) -> None:
        """After the entity's last batch: look up what it refers to outside the bundle, and
        its natural keys, keeping the first problem."""
        wanted, self._wanted = self._wanted, {}
        by_value, self._by_value = self._by_value, {}
        twice, self._twice = self._twice, None
        try:
            if twice is not None:
                raise twice
            for column, target in entity.references.items():
                if not wanted.get(column):
                    continue
                found = _existing_ids(session, BY_NAME[target], sorted(wanted[column]))
                missing = wanted[column] - found
                if missing:
                    raise BundleRefused(
                        lazy(
                            N_(
                                "The bundle's {entity} records refer to {count} {target} records "
                                "that are neither in the bundle nor in this database (for example "
                                "{id}); import the earlier bundles first, or ask for a full export."
                            ),
                            entity=entity.name,
                            count=len(missing),
                            target=target,
                            id=min(missing),
                        )
                    )
            key = NATURAL_KEYS.get(entity.name)
            if key:
                _check_natural_key(session, entity, key, by_value)
        except BundleRefused as problem:
            self._problems[entity.name] = problem

    def check(self) -> None:
        for name in self._order:
            if name in self._problems:
                raise self._problems[name]


def _check_natural_key(
    session: Session, entity: Entity, key: str, by_value: dict[str, str]
) -> None:
    """``by_value``: the bundle's natural keys, each with its record's id."""
    model: Any = entity.model
    column = getattr(model, key)
    values = sorted(by_value)
    for chunk in _chunks(values):
        for value, row_id in session.execute(select(column, model.id).where(one_of(column, chunk))):
            if row_id != by_value[value]:
                raise BundleRefused(
                    lazy(
                        N_(
                            "The {entity} {value} in the bundle is a different record from the one "
                            "with the same {key} here."
                        ),
                        entity=entity.name,
                        value=value,
                        key=key,
                    )
                )


def local_records(session: Session, codec: Codec, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """This database's copies of the records ``ids``, as bundles carry them (merge, ownership)."""
    table: Any = codec.entity.model.__table__  # type: ignore[attr-defined]
    model: Any = codec.entity.model
    found: dict[str, dict[str, Any]] = {}
    connection = session.connection()
    for chunk in _chunks(ids):
        query = select(*codec.select_columns()).where(one_of(table.c.id, chunk))
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
                select(link.case_id, link.code)
                .where(one_of(link.case_id, chunk))
                .order_by(link.code)
            )
            for case_id, code in rows:
                cases[case_id][key].append(code)


def same_content(local: dict[str, Any], remote: dict[str, Any], entity: str = "") -> bool:
    """Whether two copies of a record say the same, whatever their versions and timestamps.

    HQ's library (``HQ_ENTITIES``) is seeded from the same shipped file at every installation,
    with the same ids and versions, each row stamped with the mission that seeded it: copies
    differing only in that stamp say the same (they were 58 conflicts at a mission whose
    library was open before HQ's first update came)."""
    left, right = content_of(local), content_of(remote)
    if entity in HQ_ENTITIES:
        left.pop("origin_mission", None)
        right.pop("origin_mission", None)
    if entity == "person" and left.get("anonymised_at") and right.get("anonymised_at"):
        # Anonymised on each side by its own retention run (an anonymised case's own person
        # is made alike at the mission and at HQ): the same, whenever each run came.
        left.pop("anonymised_at")
        right.pop("anonymised_at")
    for key in ("categories", "ilo_indicators"):
        if key in left:
            left[key] = sorted(left[key])
            right[key] = sorted(right.get(key, []))
    return left == right


class Stage:
    """The staging tables of one import, in the schema ``Database.pinned`` gives it."""

    def __init__(self, schema: str, batched: bool = False) -> None:
        self.metadata = MetaData(schema=schema)
        # SQLite: ``n`` is the rowid, so that an import writing its new rows in batches reads
        # each batch's rows by range, not the whole staging table each time.
        self.batched = batched
        # PostgreSQL: staged rows go in with COPY, whose text the server parses; timestamps,
        # dates and amounts are sent as the records have them (``Codec.to_text_values``), not
        # parsed into Python values only for psycopg to print them again.
        self.text_values = not batched
        # Every id the bundle carries or refers to, and its natural keys: what ``stale`` asks.
        # Kept on SQLite only, where ``stale`` runs under the one write lock all users share
        # and must be an indexed lookup. PostgreSQL's ``stale`` reads the staged rows instead
        # (writing these keys was about a sixth of a 10k bundle's plan there).
        self.keyed = batched
        self.keys = Table("qorgau_stage_keys", self.metadata, Column("key", String))
        self.lists = Table(
            "qorgau_stage_lists",
            self.metadata,
            Column("case_id", String),
            Column("list", String),
            Column("code", String),
        )
        self._inserts: dict[tuple[str, tuple[str, ...]], _StagedInsert] = {}

    def rows_of(self, entity: Entity, kind: str) -> Table:
        """A table for the column values of ``entity``'s records to insert or update; ``n``
        numbers them in bundle order."""
        columns = [Column(c.name, c.type) for c in entity.columns]
        number = Column("n", Integer, primary_key=self.batched)
        return Table(f"qorgau_stage_{kind}_{entity.name}", self.metadata, *columns, number)

    def create(self, session: Session, *tables: Table) -> None:
        connection = session.connection()
        for table in tables:
            connection.execute(DropTable(table, if_exists=True))
            connection.execute(CreateTable(table))

    def insert(self, connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """``connection.execute(table.insert(), rows)``, the same values written, without its
        per-row work: the statement is compiled once and each column's bind processor (the
        type's own conversion, e.g. a datetime to SQLite's text) is applied here. Through
        SQLAlchemy's generic path the parameters of a 100k import's 2 million staged rows
        took longer to build than the database took to write them."""
        if not rows:
            return
        names = tuple(rows[0])
        statement = self._inserts.get((table.name, names))
        if statement is None:
            statement = _StagedInsert.compile(connection.dialect, table, names, self.text_values)
            self._inserts[(table.name, names)] = statement
        if statement.copy_sql:
            copy_rows(connection, statement.copy_sql, (statement.values(row) for row in rows))
        else:
            connection.exec_driver_sql(statement.sql, [statement.params(row) for row in rows])


# Column types whose record text a COPY hands to PostgreSQL as it is (``Stage.text_values``).
TEXT_TYPES = (UtcDateTime, Date, Numeric)


@dataclass(frozen=True)
class _StagedInsert:
    """An insert into a staging table, compiled once for the connection's dialect, with the
    bind processors of the columns that have one."""

    sql: str
    keys: tuple[str, ...]  # the parameters' order (SQLite, qmark) or names (psycopg, pyformat)
    positional: bool
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]
    # PostgreSQL: the rows go in with COPY (``copy_rows``; executemany was 40 of the 95 s of a
    # 10k import under a profiler).
    copy_sql: str = ""

    @classmethod
    def compile(
        cls, dialect: Dialect, table: Table, names: tuple[str, ...], text_values: bool = False
    ) -> _StagedInsert:
        compiled = table.insert().compile(dialect=dialect, column_keys=list(names))
        keys = tuple(compiled.positiontup or names)
        as_text = TEXT_TYPES if text_values and dialect.name == "postgresql" else ()
        converters = tuple(
            (i, convert)
            for i, name in enumerate(keys)
            if not isinstance(table.c[name].type, as_text)
            and (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        )
        copy_sql = ""
        if dialect.name == "postgresql":
            quote = dialect.identifier_preparer
            columns = ", ".join(quote.quote(name) for name in keys)
            copy_sql = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
        return cls(str(compiled), keys, compiled.positiontup is not None, converters, copy_sql)

    def values(self, row: dict[str, Any]) -> list[Any]:
        values = [row[key] for key in self.keys]
        for i, convert in self.converters:
            values[i] = convert(values[i])
        return values

    def params(self, row: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = self.values(row)
        return tuple(values) if self.positional else dict(zip(self.keys, values, strict=True))


@dataclass
class EntityPlan:
    """What merging one entity's records will do, decided by reading only; the values of the
    rows it writes wait in the staging tables ``new`` and ``changed``."""

    entity: Entity
    new: Table
    changed: Table
    lists: Table  # the case lists staged (categories, ILO indicators), of cases only
    tally: EntityTally = field(default_factory=EntityTally)
    conflicts: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    new_written: int = 0  # the new rows written already, by ``write_new_rows`` (batches)


@dataclass
class MergePlan:
    """The merge decided in one read snapshot; ``apply_plan`` writes it under the write lock.

    ``seq`` is the snapshot's change counter: a row written after the plan has a higher
    ``change_seq``, so ``stale`` finds, cheaply, whether anything the plan relied on changed.
    """

    seq: int
    stage: Stage
    missions: list[dict[str, Any]] = field(default_factory=list)
    entities: list[EntityPlan] = field(default_factory=list)


class Planner:
    """Decide, by reading only, what merging the bundle writes (no write lock is needed), a
    batch of records at a time in the bundle's entity order (``add``), then ``finish``; the
    rows to write are staged in ``schema``, the only place this session writes to.

    A batch's copies here are looked up once, a moment before, for the ownership check and
    the plan (``here``); without them, a batch none of whose records the database held
    (``known`` false) is all new and not looked up again.
    Should one have been written since, ``stale`` sees it under the write lock (its change
    number is above ``seq``, read before that check) and the merge is planned again."""

    def __init__(self, session: Session, schema: str, seq: int) -> None:
        self.session = session
        self.stage = Stage(schema, batched=session.connection().dialect.name == "sqlite")
        self.stage.create(session, *((self.stage.keys,) if self.stage.keyed else ()))
        self.stage.create(session, self.stage.lists)
        self.plan = MergePlan(seq, self.stage)

    def add(
        self,
        entity: Entity,
        rows: list[dict[str, Any]],
        skipped: set[str],
        known: bool,
        here: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Plan a batch of ``entity``'s records; those ``skipped`` names (left out by the
        ownership check) are counted and not written. ``here``: their copies in this database
        (``local_records``), if read already."""
        if entity.model is Mission:
            self.plan.missions.extend(rows)
            _stage_keys(self.session, self.stage, entity, rows)
            return
        entities = self.plan.entities
        if not entities or entities[-1].entity is not entity:
            stage = self.stage
            entities.append(
                EntityPlan(
                    entity,
                    stage.rows_of(entity, "new"),
                    stage.rows_of(entity, "changed"),
                    stage.lists,
                )
            )
            stage.create(self.session, entities[-1].new, entities[-1].changed)
        _plan_rows(self.session, self.plan, entities[-1], rows, skipped, known, here)

    def finish(self) -> MergePlan:
        connection = self.session.connection()
        stage = self.stage
        if stage.keyed:
            connection.execute(CreateIndex(Index("qorgau_stage_keys_key", stage.keys.c.key)))
        if stage.batched:  # each batch's cases find their lists
            connection.execute(CreateIndex(Index("qorgau_stage_lists_case", stage.lists.c.case_id)))
        return self.plan


def _key_columns(entity: Entity) -> list[str]:
    """The columns whose values ``stale`` asks about: the id, the references, a natural key."""
    key = NATURAL_KEYS.get(entity.name)
    return ["id", *entity.references, *([key] if key else [])]


def _stage_keys(session: Session, stage: Stage, entity: Entity, rows: list[dict[str, Any]]) -> None:
    if not stage.keyed:
        return
    names = _key_columns(entity)
    keys = {r[n] for r in rows for n in names if r.get(n)}
    stage.insert(session.connection(), stage.keys, [{"key": k} for k in keys])


def _plan_rows(
    session: Session,
    plan: MergePlan,
    entity_plan: EntityPlan,
    rows: list[dict[str, Any]],
    skipped: set[str],
    known: bool,
    here: dict[str, dict[str, Any]] | None = None,
) -> None:
    """``known``: whether some of the records may be here already (else all are new);
    ``here``: their copies here, if read already."""
    entity = entity_plan.entity
    codec = Codec(entity)
    stage = plan.stage
    values_of = codec.to_text_values if stage.text_values else codec.to_values
    tally = entity_plan.tally
    connection = session.connection()
    _stage_keys(session, stage, entity, rows)
    if here is not None:
        local = dict(here)  # emptied below
    else:
        local = local_records(session, codec, [r["id"] for r in rows]) if known else {}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    written: list[dict[str, Any]] = []
    for record in rows:
        mine = local.pop(record["id"], None)
        if record["id"] in skipped:
            tally.left_out += 1
        elif mine is None:
            tally.new += 1
            row = values_of(record)
            row["n"] = tally.new
            new.append(row)
            written.append(record)
        elif record["version"] > mine["version"]:
            tally.updated += 1
            row = values_of(record)
            row["n"] = tally.updated
            changed.append(row)
            written.append(record)
        elif record["version"] < mine["version"]:
            tally.local_newer += 1
            if entity.model is Case:
                tally.older_cases.append((record["id"], mine["version"], record["version"]))
        elif same_content(mine, record, entity.name):
            tally.unchanged += 1
        else:
            entity_plan.conflicts.append((mine, record))
            tally.conflicts += 1
    for table, values in ((entity_plan.new, new), (entity_plan.changed, changed)):
        stage.insert(connection, table, values)
    if entity.model is Case:
        codes = [
            {"case_id": r["id"], "list": key, "code": code}
            for r in written
            for key in CASE_LISTS
            for code in sorted(set(r[key]))
        ]
        stage.insert(connection, stage.lists, codes)


def stale(session: Session, plan: MergePlan, own: Sequence[tuple[int, int]] = ()) -> bool:
    """Whether a row written since the plan's snapshot touches what the plan decided on: a
    record the bundle carries or refers to, a row that refers to one, a clashing natural key,
    or any mission. Run it under the write lock, before ``apply_plan``. The change numbers
    in ``own`` are the import's own batches (``write_new_rows``), not someone else's."""
    since = plan.seq
    ranges = _joined(own)
    if ranges and ranges[0][0] == since + 1:  # the batches came first: nothing before them
        since = ranges.pop(0)[1]
    if current_change_seq(session) == since:
        return False
    touched: set[str] = set()
    for entity in ENTITIES:
        table: Any = entity.model.__table__  # type: ignore[attr-defined]
        key = NATURAL_KEYS.get(entity.name)
        columns = [table.c.id, *(table.c[c] for c in entity.references)]
        if key:
            columns.append(table.c[key])
        seq = table.c.change_seq
        changed = session.execute(
            select(*columns).where(seq > since, *(~seq.between(lo, hi) for lo, hi in ranges))
        )
        for row in changed:
            if entity.model is Mission:
                return True
            touched.update(str(v) for v in row if v)
    if not plan.stage.keyed:
        return _touches_staged(session, plan, touched)
    keys = plan.stage.keys.c.key
    connection = session.connection()
    return any(
        connection.execute(select(keys).where(one_of(keys, chunk)).limit(1)).first() is not None
        for chunk in _chunks(sorted(touched))
    )


def _touches_staged(session: Session, plan: MergePlan, touched: set[str]) -> bool:
    """``stale`` without the key table: whether a value of ``touched`` is the id, a reference
    or the natural key of a row the plan writes (new or changed), or the id of a record it
    records a conflict with. Records the plan leaves alone (unchanged, older, left out) write
    nothing, whatever was saved to them since."""
    if not touched:
        return False
    for entity_plan in plan.entities:
        names = _key_columns(entity_plan.entity)
        for _mine, record in entity_plan.conflicts:
            if any(record.get(name) in touched for name in names):
                return True
    values = sorted(touched)
    connection = session.connection()
    for entity_plan in plan.entities:
        names = _key_columns(entity_plan.entity)
        for table, count in (
            (entity_plan.new, entity_plan.tally.new),
            (entity_plan.changed, entity_plan.tally.updated),
        ):
            if not count:
                continue
            hit = or_(*(one_of(table.c[name], values) for name in names))
            if connection.execute(select(table.c.n).where(hit).limit(1)).first() is not None:
                return True
    return False


def _joined(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges of change numbers in order, those that meet made one."""
    joined: list[tuple[int, int]] = []
    for lo, hi in sorted(r for r in ranges if r[0] <= r[1]):
        if joined and lo <= joined[-1][1] + 1:
            joined[-1] = (joined[-1][0], max(hi, joined[-1][1]))
        else:
            joined.append((lo, hi))
    return joined


class PlanOutdated(BundleRefused):
    """A row the plan updates vanished before it was applied; nothing was written."""


def apply_plan(session: Session, plan: MergePlan, bundle: VerifiedBundle) -> MergeResult:
    """Write what ``Planner`` decided, inside the caller's write transaction."""
    result = MergeResult()
    if plan.missions:
        result.tallies[Mission.__tablename__] = _merge_mission_info(
            session, plan.missions, bundle.source
        )
    for entity_plan in plan.entities:
        entity = entity_plan.entity
        result.tallies[entity.name] = entity_plan.tally
        for mine, record in entity_plan.conflicts:
            result.conflict_ids.append(_record_conflict(session, entity, mine, record, bundle))
        _write_entity(session, entity_plan, bundle)
    return result


def write_new_rows(
    session: Session, plan: EntityPlan, bundle: VerifiedBundle, upto: int
) -> tuple[int, int]:
    """Insert the plan's new rows numbered after those written already, up to ``upto``, with
    their files and case lists, inside the caller's transaction; the change numbers they got.
    A large import on SQLite writes its new rows so, in bounded batches before its final
    transaction; ``apply_plan`` writes the rest."""
    done = plan.new_written
    count = min(upto, plan.tally.new) - done
    if count <= 0:
        return (0, -1)
    entity = plan.entity
    last = next_counter(session, CHANGE_SEQ, count)
    first = last - count + 1
    table: Any = entity.model.__table__  # type: ignore[attr-defined]
    names = [c.name for c in entity.columns]
    new = plan.new
    batch = new.c.n.between(done + 1, done + count)
    # Set-based: SQLite (or PostgreSQL) copies the rows itself, no value passes through Python.
    rows = select(*(new.c[n] for n in names), (literal(first - done - 1) + new.c.n).label("seq"))
    session.connection().execute(
        table.insert().from_select([*names, "change_seq"], rows.where(batch).order_by(new.c.n))
    )
    _write_written(session, plan, bundle, new, batch)
    plan.new_written = done + count
    return (first, last)


def _write_written(
    session: Session,
    plan: EntityPlan,
    bundle: VerifiedBundle,
    staged: Table,
    which: Any,
    lists_written: bool = False,
) -> None:
    """What follows the rows ``which`` selects of a staging table: their files, their case
    lists (unless ``lists_written``), and the change signal."""
    entity = plan.entity
    connection = session.connection()
    if entity.blob_column and entity.digest_column:
        _write_files(session, plan, bundle, staged, which)
    if entity.model is Case and not lists_written:
        lists = plan.lists
        rows = select(lists.c.case_id, lists.c.code).where(
            lists.c.case_id.in_(select(staged.c.id).where(which))
        )
        for link, key in ((CaseCategory, "categories"), (CaseIloIndicator, "ilo_indicators")):
            link_table: Any = link.__table__
            connection.execute(
                link_table.insert().from_select(
                    ["case_id", "code"], rows.where(lists.c.list == key)
                )
            )
    # Bulk statements bypass the flush hook: tell the change signal what was written.
    case_key = "id" if entity.model is Case else "case_id"
    if case_key in staged.c:
        written = connection.execute(select(staged.c[case_key]).where(which)).scalars()
        note_changes(session, entity.name, (str(c or "") for c in written))
    else:
        note_changes(session, entity.name, ())


def _write_entity(session: Session, plan: EntityPlan, bundle: VerifiedBundle) -> None:
    write_new_rows(session, plan, bundle, plan.tally.new)
    updates = plan.tally.updated
    if not updates:
        return
    entity = plan.entity
    last = next_counter(session, CHANGE_SEQ, updates)
    first = last - updates  # staged rows are numbered from 1: change_seq first + n
    table: Any = entity.model.__table__  # type: ignore[attr-defined]
    names = [c.name for c in entity.columns]
    connection = session.connection()
    changed = plan.changed
    values: dict[str, Any] = {n: changed.c[n] for n in names if n != "id"}
    values["change_seq"] = literal(first) + changed.c.n
    if entity.blob_column:
        values[entity.blob_column] = null()  # the bundle's file, if any, comes next
    done = connection.execute(update(table).where(table.c.id == changed.c.id).values(values))
    if done.rowcount != updates:
        raise PlanOutdated(
            _("Records changed here while the bundle was being imported; import it again.")
        )
    if entity.model is Case:
        _update_case_lists(connection, plan.lists, changed)
    _write_written(session, plan, bundle, changed, true(), lists_written=entity.model is Case)


def _update_case_lists(connection: Connection, lists: Table, changed: Table) -> None:
    """The changed cases' categories and ILO indicators made the bundle's: the codes a case
    lost deleted, those it gained inserted, those it kept left alone. Deleting and writing
    again every code fired the per-day counts' triggers twice for each code that stayed,
    which is most of them."""
    cases = select(changed.c.id)
    for link, key in ((CaseCategory, "categories"), (CaseIloIndicator, "ilo_indicators")):
        link_table: Any = link.__table__
        listed = lists.c.list == key
        kept = exists().where(
            lists.c.case_id == link_table.c.case_id, lists.c.code == link_table.c.code, listed
        )
        connection.execute(delete(link_table).where(link_table.c.case_id.in_(cases), ~kept))
        held = exists().where(
            link_table.c.case_id == lists.c.case_id, link_table.c.code == lists.c.code
        )
        gained = select(lists.c.case_id, lists.c.code).where(
            listed, lists.c.case_id.in_(cases), ~held
        )
        connection.execute(link_table.insert().from_select(["case_id", "code"], gained))


def _write_files(
    session: Session, plan: EntityPlan, bundle: VerifiedBundle, staged: Table, which: Any
) -> None:
    """The file content of the written rows, from the bundle's spool a few at a time."""
    entity = plan.entity
    assert entity.blob_column and entity.digest_column
    table: Any = entity.model.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    digest = staged.c[entity.digest_column]
    wanted = list(connection.execute(select(staged.c.id, digest).where(which, digest.is_not(None))))
    statement = (
        update(table)
        .where(table.c.id == bindparam("f_id"))
        .values({entity.blob_column: bindparam("f_content")})
    )
    rows: list[dict[str, Any]] = []
    weight = 0
    # A file's pages are written once and not read here again: through a small page cache,
    # not the one sized from the file (up to 512 MiB; 1.4 GB of scans into a 3 GB HQ peaked
    # at 754 MB so).
    with read_once(connection):
        for row_id, file_digest in wanted:
            content = bundle.files.get(file_digest)
            rows.append({"f_id": row_id, "f_content": content})
            weight += len(content or b"")
            if len(rows) >= FILES_AT_ONCE or weight >= FILE_BYTES_AT_ONCE:
                connection.execute(statement, rows)
                rows, weight = [], 0
        if rows:
            connection.execute(statement, rows)


FILES_AT_ONCE = 20
# Scans are up to 25 MB each: twenty of them at once held 500 MB.
FILE_BYTES_AT_ONCE = 32 * 1024**2


def _merge_mission_info(session: Session, rows: list[dict[str, Any]], source: str) -> EntityTally:
    """Only the source's own descriptive data; never keys, never this installation's row.
    Tallied as every other record (updated, else unchanged: a row not taken changes nothing
    here), so the import's summary adds up to the records the bundle carries, as its line in
    the exchange log does."""
    tally = EntityTally()
    for record in rows:
        mission = None
        if record["code"] == source:
            mission = session.execute(select(Mission).where(Mission.code == source)).scalar_one()
        changed = False
        if mission is not None and not mission.is_local:
            for name in MISSION_INFO:
                if getattr(mission, name) != record[name]:
                    setattr(mission, name, record[name])
                    changed = True
        if changed:
            tally.updated += 1
        else:
            tally.unchanged += 1
    return tally


def _record_conflict(
    session: Session,
    entity: Entity,
    local: dict[str, Any],
    remote: dict[str, Any],
    bundle: VerifiedBundle,
) -> str:
    # A record may have several open conflicts (each other content sent at its version): the
    # same content again (its time of change aside) is the one on file, whichever it is.
    open_conflicts = session.execute(
        select(SyncConflict).where(
            SyncConflict.record_id == remote["id"],
            SyncConflict.entity == entity.name,
            SyncConflict.resolved_at.is_(None),
        )
    ).scalars()
    for existing in open_conflicts:
        if same_content(existing.remote_data, remote, entity.name):
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
