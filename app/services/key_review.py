"""What HQ holds from a mission's bundles signed with a key it is replacing (``keys trust``).

HQ trusts one signing key per mission, so every bundle it took from the mission since that key
was trusted was checked against it. A revoked officer's copy of the key signed what HQ took
until it trusts the new one; HQ cannot tell her bundles from the mission's, but it can say
which cases it still holds as those bundles wrote them, for the operator to review with the
mission. Cases only (their timeline entries and letters are reviewed with them), and only
imports that kept what they wrote (``WRITTEN_HERE``): one by an earlier release is counted
apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Case, ExchangeLog, Mission
from app.i18n import _, format_datetime, format_number, ngettext
from app.services.older_here import IN, WRITTEN_HERE

CASES_NAMED = 20  # the first cases named; the rest counted


@dataclass(frozen=True)
class KeyReview:
    code: str
    since: datetime | None  # None: every bundle HQ took from the mission
    bundles: int
    cases: tuple[str, ...]  # numbers of the cases held as those bundles wrote them
    uncounted: int = 0  # bundles imported by a release that kept no record of what they wrote


def imports_under_current_key(session: Session, code: str, since: date | None) -> KeyReview:
    """The bundles of ``code`` received since the key trusted now was (or since ``since``,
    this computer's day, if later) and the cases HQ holds as they wrote them."""
    mission = session.execute(select(Mission).where(Mission.code == code)).scalar_one_or_none()
    start = _later(
        mission.trusted_at if mission is not None else None,
        datetime.combine(since, time()).astimezone() if since else None,
    )
    query = select(ExchangeLog.created_at, ExchangeLog.report).where(
        ExchangeLog.direction == IN, ExchangeLog.source_mission == code
    )
    if start is not None:
        query = query.where(ExchangeLog.created_at >= start)
    rows = session.execute(query).all()
    reports = [report for _at, report in rows]
    if start is None and rows:  # a key trusted by an earlier release: from the first bundle
        start = min(at for at, _report in rows)
    ranges = [tuple(r) for report in reports for r in report.get(WRITTEN_HERE, [])]
    uncounted = sum(1 for report in reports if WRITTEN_HERE not in report)
    numbers: list[str] = []
    if ranges:
        low = min(r[0] for r in ranges)
        cases = session.execute(
            select(Case.number, Case.change_seq)
            .where(Case.holder_mission == code, Case.change_seq >= low)
            .order_by(Case.number)
        )
        numbers = [n for n, seq in cases if any(lo <= seq <= hi for lo, hi in ranges)]
    return KeyReview(code, start, len(reports), tuple(numbers), uncounted)


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return max(first, second)


def key_review_message(review: KeyReview) -> str:
    """Said when the key replaced may have been copied: what to review with the mission."""
    cases = ", ".join(review.cases[:CASES_NAMED])
    if len(review.cases) > CASES_NAMED:
        more = format_number(len(review.cases) - CASES_NAMED)
        cases = _("{cases} and {count} more").format(cases=cases, count=more)
    if not review.bundles or review.since is None:
        return _("HQ imported no bundle from {code} signed with the replaced key.").format(
            code=review.code
        )
    text = ngettext(
        "Since {when}, HQ imported {bundles} bundle from {code}, signed with the replaced key; "
        "it holds {count} of {code}'s cases as they wrote them",
        "Since {when}, HQ imported {bundles} bundles from {code}, signed with the replaced key; "
        "it holds {count} of {code}'s cases as they wrote them",
        review.bundles,
    ).format(
        when=format_datetime(review.since.astimezone()),
        bundles=format_number(review.bundles),
        code=review.code,
        count=format_number(len(review.cases)),
    )
    text += f": {cases}." if review.cases else "."
    if review.uncounted:
        text += " " + ngettext(
            "{count} of these bundles was imported by an earlier release, which kept no record "
            "of what it wrote: its cases are not counted.",
            "{count} of these bundles were imported by an earlier release, which kept no "
            "record of what they wrote: their cases are not counted.",
            review.uncounted,
        ).format(count=format_number(review.uncounted))
    return (
        text
        + " "
        + _(
            "If the replaced key may have been copied (an officer revoked), any bundle signed "
            "with her copy is among these: review these cases with {code} by a separate channel."
        ).format(code=review.code)
    )
