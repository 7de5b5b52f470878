"""Which records of the returnees' register count: one rule for its list, exports and figures.

A record is in the register while it is live, not anonymised, and its person's recorded
consents hold the ``returnee_register`` scope; withdrawing that consent takes the record out of
the list, every export and every statistic at once (``app/services/returnees.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, cast

from app.db.models import Person, Returnee
from app.domain.codes import ConsentScope

SCOPE = ConsentScope.RETURNEE_REGISTER.value


def consented() -> Any:
    # consent_scope is a JSON array of ASCII codes: its text holds "returnee_register" in quotes.
    return cast(Person.consent_scope, Text).like(f'%"{SCOPE}"%')


def in_register() -> tuple[Any, ...]:
    """The conditions on ``Returnee`` joined to its ``Person``."""
    return (
        Returnee.deleted_at.is_(None),
        Returnee.anonymised_at.is_(None),
        Person.anonymised_at.is_(None),
        consented(),
    )
