"""names without invisible characters: what was pasted before is cleaned and travels again

Revision ID: 0028
Revises: 0027

A zero-width space made «Айгерім» another person to the duplicate check and split her name for
search; a right-to-left override (U+202E) showed a name reversed in the case list and the
finder; «й» written as «и» and a combining breve was another spelling of the same name. New
text is cleaned as it is typed or imported (``app.domain.text.clean_text``) and headquarters
refuses a bundle record holding an invisible character or a direction control, so a mission's
names stored before would stop its bundles. They are cleaned here: each row changed gets a new
version, ``updated_at`` and change number, so that the next bundle carries it, and its cases'
search rows are written again after sign-in (``app.services.index_later``).

At headquarters only the organisation keys are written again: its names are the missions',
and each arrives cleaned, in a new version, with the mission's next bundle.

How a name is cleaned is copied here as ``app.domain.text`` had it (``bare_text``, with 0025's
``fit_text``): a migration does what it did when written, whatever that module becomes.
``tests/unit/test_frozen_migrations.py`` says when the two part. The organisation keys are the
live code's on purpose: they are what the app looks organisations up by, so they must be the
keys of the code that reads them (a change of the key comes with its own re-keying migration,
as 0023 did).
"""
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.db.migrate import revision_module
from app.db.models import UtcDateTime
from app.db.name_keys import ORGANISATION_TABLES, key_names_again
from app.domain.matching import organisation_key

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

NAMES = {
    "person": ("surname", "given_names", "patronymic", "surname_latin", "given_names_latin"),
    "employer": ("name",),
    "recruitment_agency": ("name",),
}
# Characters no reader sees (zero-width space, non-joiner and joiner, word joiner and the
# invisible operators, the byte-order mark, the soft hyphen, the left-to-right, right-to-left and
# Arabic letter marks) and the direction controls (embeddings, overrides, isolates).
INVISIBLE = "\u00ad\u061c\u200b-\u200f\u2060-\u2064\ufeff"
DIRECTION_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_UNSEEN = re.compile(f"[{INVISIBLE}{DIRECTION_CONTROLS}]")
# What finds a name to clean: the characters themselves and the combining diacritics a
# decomposed letter is written with (SQLite's GLOB and PostgreSQL's expressions read code points).
_CLASS = f"[{INVISIBLE}{DIRECTION_CONTROLS}\u0300-\u036f]"
_PENDING = ("search_index_pending_from", "search_index_pending_to")


def upgrade() -> None:
    bind = op.get_bind()
    if not _at_hq(bind):
        _clean_names(bind)
    for table in ORGANISATION_TABLES:
        key_names_again(bind, table)


def _at_hq(bind: sa.Connection) -> bool:
    mission = sa.table("mission", sa.column("is_local", sa.Boolean), sa.column("is_hq", sa.Boolean))
    local_hq = sa.select(sa.func.count()).where(mission.c.is_local, mission.c.is_hq)
    return bool(bind.execute(local_hq).scalar_one())


def bare_text(text: str, fit_text: Callable[[str], str]) -> str:
    """``text`` made fit (``fit_text``), without the unseen characters, in NFC («й» one
    character, not «и» and a breve)."""
    text = _UNSEEN.sub("", fit_text(text))
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _clean_names(bind: sa.Connection) -> None:
    fit_text = revision_module("0025").fit_text
    changes: list[tuple[sa.TableClause, str, dict[str, str]]] = []
    for name, columns in NAMES.items():
        table = _table(name, columns)
        if bind.dialect.name == "postgresql":
            holds = [table.c[column].op("~")(_CLASS) for column in columns]
        else:
            holds = [table.c[column].op("GLOB")(f"*{_CLASS}*") for column in columns]
        query = sa.select(table.c.id, *(table.c[c] for c in columns)).where(sa.or_(*holds))
        for row in bind.execute(query):
            held = {column: row._mapping[column] for column in columns}
            cleaned = {c: bare_text(v, fit_text) for c, v in held.items() if v is not None}
            if cleaned != {c: v for c, v in held.items() if v is not None}:
                changes.append((table, row.id, cleaned))
    if not changes:
        return
    last = _advance_change_seq(bind, len(changes))
    first = last - len(changes) + 1
    now = datetime.now(UTC)
    for seq, (table, row_id, cleaned) in enumerate(changes, start=first):
        if "name" in cleaned:
            cleaned["name_key"] = organisation_key(cleaned["name"])
        bind.execute(
            table.update()
            .where(table.c.id == row_id)
            .values(version=table.c.version + 1, updated_at=now, change_seq=seq, **cleaned)
        )
    _keep_search_pending(bind, first, last)


def _table(name: str, columns: tuple[str, ...]) -> sa.TableClause:
    keys = (sa.column("name_key", sa.String),) if "name" in columns else ()
    return sa.table(
        name,
        sa.column("id", sa.String),
        sa.column("version", sa.Integer),
        sa.column("updated_at", UtcDateTime()),
        sa.column("change_seq", sa.Integer),
        *(sa.column(column, sa.String) for column in columns),
        *keys,
    )


def _counter() -> sa.TableClause:
    return sa.table("counter", sa.column("name", sa.String), sa.column("value", sa.Integer))


def _advance_change_seq(bind: sa.Connection, step: int) -> int:
    """The change counter advanced by ``step``: its new value (as ``app.db.sync`` numbers)."""
    counter = _counter()
    value = bind.execute(sa.select(counter.c.value).where(counter.c.name == "change_seq"))
    held = value.scalar_one_or_none()
    if held is None:
        bind.execute(counter.insert().values(name="change_seq", value=step))
        return step
    bind.execute(
        counter.update().where(counter.c.name == "change_seq").values(value=held + step)
    )
    return int(held) + step


def _keep_search_pending(bind: sa.Connection, first: int, last: int) -> None:
    """The cases of these change numbers' rows indexed again after sign-in, a range already
    pending widened (``app.services.index_later.keep_pending``)."""
    counter = _counter()
    pending = sa.select(counter.c.name, counter.c.value).where(counter.c.name.in_(_PENDING))
    held = {str(name): int(value) for name, value in bind.execute(pending)}
    if len(held) == len(_PENDING):
        first, last = min(first, held[_PENDING[0]]), max(last, held[_PENDING[1]])
    for name, value in zip(_PENDING, (first, last), strict=True):
        bind.execute(counter.delete().where(counter.c.name == name))
        bind.execute(counter.insert().values(name=name, value=value))


def downgrade() -> None:
    # The characters removed are not kept: nothing to give back.
    pass
