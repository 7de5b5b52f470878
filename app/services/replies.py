"""Which issued letters still await a reply: the register's filter and the Start page's count.

Kept apart from ``letters.py`` so that the Start page counts them without loading the letter
renderer (reportlab), which the Letters area loads when first shown.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, exists, func, select

from app.db.models import Case, CaseEvent, Letter
from app.domain.codes import EventKind, LetterKind, LetterStatus
from app.domain.workflow import OPEN_STATUSES
from app.services.workspace import DatedService

# The kinds that ask their addressee to act and so await a reply: a certificate goes to the
# worker, a report to HQ; neither is chased.
AWAITS_REPLY = frozenset(
    {
        LetterKind.NOTE_VERBALE_LABOUR_AUTHORITY.value,
        LetterKind.EMPLOYER_LETTER.value,
        LetterKind.AGENCY_REPORT.value,
        LetterKind.REFERRAL.value,
    }
)


def unanswered(query: Select, days: int, today: date, held_here: str | None) -> Select:
    """``query`` (over ``Letter`` joined to its ``Case``) kept to the issued letters that await
    a reply, sent ``days`` or more days before ``today``, of an open case; at a mission
    (``held_here``), of a case held there: chasing is the holder's work."""
    answered = exists().where(
        CaseEvent.case_id == Letter.case_id,
        CaseEvent.kind == EventKind.REPLY_RECEIVED.value,
        CaseEvent.deleted_at.is_(None),
        CaseEvent.data["letter_id"].as_string() == Letter.id,
    )
    query = query.where(
        Letter.status == LetterStatus.ISSUED.value,
        Letter.kind.in_(sorted(AWAITS_REPLY)),
        Letter.letter_date <= today - timedelta(days=days),
        Case.status.in_(sorted(s.value for s in OPEN_STATUSES)),
        ~answered,
    )
    return query if held_here is None else query.where(Case.holder_mission == held_here)


class ReplyWatch(DatedService):
    def count_unanswered(self, days: int) -> int:
        """How many letters :func:`unanswered` keeps."""
        query = select(func.count(Letter.id)).join(Case, Case.id == Letter.case_id)
        query = unanswered(query, days, self.today, self.ws.mission_here).where(
            Letter.deleted_at.is_(None)
        )
        with self.ws.read() as session:
            return int(session.execute(query).scalar_one())
