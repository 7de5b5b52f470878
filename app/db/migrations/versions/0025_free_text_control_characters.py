"""free text without control characters: what was pasted before is made fit and travels again

Revision ID: 0025
Revises: 0024

Text pasted from Word brought control characters (a vertical tab for each manual line break)
into descriptions, notes and letters; headquarters' import refuses a bundle holding one, so one
such text stopped every later bundle of its mission. New text is made fit as it is stored
(``FreeText``, ``app.domain.text``). Text already on file is made fit here, and each row so
changed gets a new version and ``updated_at``, so that the next bundle carries it. Both engines
(at HQ nothing is found: its import let none in, but its own users typed too).

How text is made fit is copied here as ``app.domain.text`` had it when this was written: a
migration does what it did then, whatever that module becomes (it has since learnt to drop
lone UTF-16 surrogates, which no text read from a database holds).
``tests/unit/test_frozen_migrations.py`` says when the two part.
"""
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.db.models import UtcDateTime

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

FREE_TEXT = {
    "agreement": ("title_kk", "title_ru", "title_en", "source", "mission_notes"),
    "agreement_provision": ("summary_kk", "summary_ru", "summary_en", "source"),
    "employer": ("watchlist_reason", "notes"),
    "recruitment_agency": ("watchlist_reason", "notes"),
    "partner_organisation": ("notes",),
    "person": ("consent_note",),
    "case": ("description",),
    "attachment": ("identity_reason", "description"),
    "case_citation": ("note",),
    "case_event": ("text",),
    "letter": ("subject", "free_text", "facts", "requests"),
    "partner_referral": ("reason", "outcome"),
    "returnee": ("note", "skills_text"),
}
# Control characters no text may hold; the breaks Word writes (vertical tab, form feed, next
# line) become line breaks.
TEXT_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BREAKS = re.compile("[\x0b\x0c\x85]")
_FORBIDDEN = re.compile(f"[{TEXT_FORBIDDEN}]")
# SQLite's GLOB and PostgreSQL's regular expressions both read the class by code point.
_CLASS = "[" + TEXT_FORBIDDEN.replace("\x00", "\x01") + "]"


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    for name, columns in FREE_TEXT.items():
        table = sa.table(
            name,
            sa.column("id", sa.String),
            sa.column("version", sa.Integer),
            sa.column("updated_at", UtcDateTime()),
            *(sa.column(column, sa.Text) for column in columns),
        )
        if bind.dialect.name == "postgresql":
            holds = [table.c[column].op("~")(_CLASS) for column in columns]
        else:
            holds = [table.c[column].op("GLOB")(f"*{_CLASS}*") for column in columns]
        found = bind.execute(
            sa.select(table.c.id, *(table.c[column] for column in columns)).where(sa.or_(*holds))
        ).all()
        for row in found:
            fitted = {column: fit_text(row._mapping[column] or "") for column in columns}
            bind.execute(
                table.update()
                .where(table.c.id == row.id)
                .values(version=table.c.version + 1, updated_at=now, **fitted)
            )


def fit_text(text: str) -> str:
    """``text`` with its breaks as line breaks and no other control character."""
    if _FORBIDDEN.search(text) is None:
        return text
    return _FORBIDDEN.sub("", _BREAKS.sub("\n", text))


def downgrade() -> None:
    # The characters removed are not kept: nothing to give back.
    pass
