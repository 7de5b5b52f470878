"""Rows every service reads or writes the same way: the one row it acts on (refusing one that
is missing or deleted), the rows a filter's fields keep, cases read with their worker and
employer, an entry on a case's timeline, and a row copied into the dataclass a service
returns."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import QueryableAttribute, Session

from app.db.models import Case, CaseEvent, Employer, Person, SyncMixin
from app.domain.codes import EventKind
from app.errors import NotFound

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

RowT = TypeVar("RowT", bound=SyncMixin)
InfoT = TypeVar("InfoT", bound="DataclassInstance")


def live_row(session: Session, model: type[RowT], key: str | None, missing: str) -> RowT:
    """The ``model`` row with this primary key; NotFound saying ``missing`` if there is none or
    it is deleted (an empty key finds nothing)."""
    row = session.get(model, key) if key else None
    if row is None or row.deleted_at is not None:
        raise NotFound(missing)
    return row


def copied(info: type[InfoT], row: object, **given: Any) -> InfoT:
    """An ``info`` (a dataclass) holding ``given`` and, for each other field, the ``row``'s
    attribute of the same name: a service returns plain values, never the live row."""
    values = {f.name: getattr(row, f.name) for f in fields(info) if f.name not in given}
    return info(**values, **given)


def where_given(query: Select, *tests: tuple[QueryableAttribute[Any], object]) -> Select:
    """``query`` kept to the rows whose column equals the value, for each ``(column, value)``
    whose value is given: a filter's field left empty (``None`` or ``""``) keeps every row."""
    for column, value in tests:
        if value:
            query = query.where(column == value)
    return query


def with_worker_and_employer(query: Select) -> Select:
    """``query`` over cases joined to each case's worker, and to its employer where it has one."""
    return query.join(Person, Person.id == Case.person_id).outerjoin(
        Employer, Employer.id == Case.employer_id
    )


def add_case_event(
    session: Session,
    case_id: str,
    kind: EventKind,
    author: str,
    text: str = "",
    *,
    data: dict[str, Any] | None = None,
    status_from: str | None = None,
    status_to: str | None = None,
    occurred_at: datetime | None = None,
) -> CaseEvent:
    """A new entry on the case's timeline (now, unless ``occurred_at`` says when)."""
    event = CaseEvent(
        case_id=case_id,
        kind=kind.value,
        author=author,
        text=text,
        status_from=status_from,
        status_to=status_to,
        occurred_at=occurred_at or datetime.now(UTC),
        data=data or {},
    )
    session.add(event)
    return event
