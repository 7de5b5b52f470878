"""Which records of the returnees' register count: one rule for its list, exports and figures.

A record is in the register while it is live, not anonymised, and its person is not anonymised
and their recorded consents hold the ``returnee_register`` scope; withdrawing that consent takes
the record out of the list, every export and every statistic at once
(``app/services/returnees.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, cast, exists
from sqlalchemy.orm import aliased

from app.db.models import Person, Returnee
from app.domain.codes import ConsentScope

SCOPE = ConsentScope.RETURNEE_REGISTER.value
# The record's person as the register's conditions ask about it: not the Person a list joins
# for its columns. One alias for every query: SQLAlchemy adapts an alias's columns once, and
# a new alias for each read cost a millisecond or two of Python per count.
_CONSENTING = aliased(Person, name="consenting_person")


def consented(person: Any = Person) -> Any:
    # consent_scope is a JSON array of ASCII codes: its text holds "returnee_register" in quotes.
    return cast(person.consent_scope, Text).like(f'%"{SCOPE}"%')


def in_register() -> tuple[Any, ...]:
    """The conditions on ``Returnee`` alone: its person's are asked in an EXISTS, so a query
    needs no join to ``Person`` to apply them. Joined, the consent was a condition on the person
    and SQLite's planner read every person first, then sorted the records it found (the list's
    first page 160–260 ms at 40,000 records); asked per record, the list is read in the order
    of ``ix_returnee_order`` and stops at its page. PostgreSQL makes the EXISTS a join again,
    and walks the index only because it knows from statistics on the consents' text (migration
    0026) that most records pass."""
    person = _CONSENTING
    return (
        Returnee.deleted_at.is_(None),
        Returnee.anonymised_at.is_(None),
        exists()
        .where(
            person.id == Returnee.person_id,
            person.anonymised_at.is_(None),
            consented(person),
        )
        .correlate(Returnee),
    )
