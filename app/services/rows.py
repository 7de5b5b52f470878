"""Loading the one row a service acts on, refusing one that is missing or deleted."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from app.db.models import SyncMixin
from app.errors import NotFound

RowT = TypeVar("RowT", bound=SyncMixin)


def live_row(session: Session, model: type[RowT], key: str | None, missing: str) -> RowT:
    """The ``model`` row with this primary key; NotFound saying ``missing`` if there is none or
    it is deleted (an empty key finds nothing)."""
    row = session.get(model, key) if key else None
    if row is None or row.deleted_at is not None:
        raise NotFound(missing)
    return row
