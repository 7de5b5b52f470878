"""A mission's change to its own case left out because HQ holds a higher version of it.

An import keeps the higher version (app/exchange/merge.py), so a case the sender itself holds
and HQ holds at a higher version than the sender's own is odd: the sender alone changes it.
Either its bundles reached HQ out of order, or a bundle HQ took earlier carried a version the
mission never made (signed with a key the mission has since replaced, before HQ trusted the new
one; its stated time is the forger's to choose, so it tells nothing), or the mission went back
to an old backup. Nothing is imported differently; the import names each such case, with the bundle
that brought HQ's version, so that the operator can ask the mission which text is its own.

Which import wrote a row is found by its change number: each import keeps the range of change
numbers it wrote here (``WRITTEN_HERE`` in its exchange log entry).

A version no import wrote, of a case HQ's own retention anonymised (its audit says so), is
HQ's: anonymising raises the version, so the mission's genuine change comes in below it.
That is no sign of forgery, and the alarm was false. Such a case is named apart, in a note: its
change stays left out, since HQ's copy is past its retention period and taking it would bring
the worker's data back into it. Nothing is lost for good: the mission's own retention
anonymises its copy by the same rule (the two then meet as one record), and a later change
above HQ's version is taken as any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.listed import one_of
from app.db.models import AuditEntry, Case, ExchangeLog
from app.i18n import Said, _, format_date, format_datetime, format_number, ngettext

WRITTEN_HERE = "written_here"  # an import's exchange log: the change numbers it wrote here
IN = "in"  # as the exchange log writes a bundle received (app.services.exchange)
ANONYMISED_HERE = "retention.anonymise"  # the audit action of retention (app.services.retention)


@dataclass(frozen=True)
class OlderCase:
    """A case whose sent version was left out: HQ's version, and the import that wrote it."""

    number: str
    version_here: int
    version_sent: int
    bundle_id: str = ""  # "" when no import kept here wrote HQ's version (an older release's)
    received_at: datetime | None = None
    # When HQ's retention anonymised the case, where HQ's version is that one, not an import's.
    anonymised_here: datetime | None = None

    def detail(self) -> dict[str, Any]:
        received = self.received_at.isoformat() if self.received_at else ""
        return {
            "here": self.version_here,
            "sent": self.version_sent,
            "bundle": self.bundle_id,
            "received": received,
        }


def older_than_here(
    session: Session, source: str, older: Sequence[tuple[str, int, int]]
) -> list[OlderCase]:
    """Of the cases left out as older (id, version here, version sent), those ``source``
    itself holds here, each with the import of ``source``'s that wrote HQ's version."""
    if not older:
        return []
    sent = {case_id: (here, version) for case_id, here, version in older}
    rows = session.execute(
        select(Case.id, Case.number, Case.change_seq, Case.anonymised_at).where(
            one_of(Case.id, sorted(sent)), Case.holder_mission == source
        )
    ).all()
    if not rows:
        return []
    imports = _imports_of(session, source)
    anonymised = _anonymised_here(session, [row.number for row in rows])
    found = []
    for case_id, number, seq, anonymised_at in sorted(rows, key=lambda row: row.number):
        bundle_id, received = _import_that_wrote(imports, seq)
        here, version = sent[case_id]
        own = anonymised.get(number) if anonymised_at and not bundle_id else None
        found.append(OlderCase(number, here, version, bundle_id, received, own))
    return found


def _anonymised_here(session: Session, numbers: list[str]) -> dict[str, datetime]:
    """The cases among ``numbers`` HQ's own retention anonymised, with when (the last time)."""
    found: dict[str, datetime] = {}
    for number, at in session.execute(
        select(AuditEntry.entity_id, AuditEntry.at).where(
            AuditEntry.action == ANONYMISED_HERE, one_of(AuditEntry.entity_id, numbers)
        )
    ):
        found[number] = max(at, found.get(number, at))
    return found


def _imports_of(session: Session, source: str) -> list[tuple[str, datetime, list[list[int]]]]:
    rows = session.execute(
        select(ExchangeLog.bundle_id, ExchangeLog.created_at, ExchangeLog.report).where(
            ExchangeLog.direction == IN, ExchangeLog.source_mission == source
        )
    ).all()
    return [(bundle, at, list(report.get(WRITTEN_HERE, []))) for bundle, at, report in rows]


def _import_that_wrote(
    imports: list[tuple[str, datetime, list[list[int]]]], seq: int
) -> tuple[str, datetime | None]:
    for bundle_id, received, ranges in imports:
        if any(low <= seq <= high for low, high in ranges):
            return bundle_id, received
    return "", None


def older_warning(source: str, cases: list[OlderCase]) -> Said:
    """The import's warning naming each case: what it may mean and what to do."""
    return Said(partial(_older_text, source, cases))


def _older_text(source: str, cases: list[OlderCase]) -> str:
    named = "; ".join(_case_text(case) for case in cases)
    return ngettext(
        "{source}'s change to {count} case it holds was left out, because HQ holds a higher "
        "version of it: {cases}. {source} alone changes its cases, so this bundle may have "
        "reached HQ after a later one, or HQ's version may come from a forged bundle, signed "
        "with a key {source} has since replaced, or {source} may have gone back to an old "
        "backup. Ask {source} which text is its own, by telephone or "
        "another separate channel; if the case's text here is not, ask {source} to save the "
        "case again until its version is above HQ's, and send a new bundle.",
        "{source}'s changes to {count} cases it holds were left out, because HQ holds a higher "
        "version of each: {cases}. {source} alone changes its cases, so this bundle may have "
        "reached HQ after a later one, or HQ's versions may come from a forged bundle, signed "
        "with a key {source} has since replaced, or {source} may have gone back to an old "
        "backup. Ask {source} which text is its own, by telephone or "
        "another separate channel; if a case's text here is not, ask {source} to save the case "
        "again until its version is above HQ's, and send a new bundle.",
        len(cases),
    ).format(source=source, count=format_number(len(cases)), cases=named)


def _case_text(case: OlderCase) -> str:
    if case.received_at is None:
        return _("{number} (version {here} here, version {sent} sent)").format(
            number=case.number, here=case.version_here, sent=case.version_sent
        )
    return _(
        "{number} (version {here} here, from bundle {bundle} received {received}; "
        "version {sent} sent)"
    ).format(
        number=case.number,
        here=case.version_here,
        bundle=case.bundle_id,
        received=format_datetime(case.received_at.astimezone()),
        sent=case.version_sent,
    )


def anonymised_here_note(source: str, cases: list[OlderCase]) -> Said:
    """The import's note on the cases left out because HQ's retention anonymised them: no
    alarm, what happened and why nothing is to be done."""
    return Said(partial(_anonymised_text, source, cases))


def _anonymised_text(source: str, cases: list[OlderCase]) -> str:
    named = "; ".join(
        _("{number} (anonymised here on {date})").format(
            number=case.number,
            date=format_date(case.anonymised_here.astimezone().date())
            if case.anonymised_here
            else "",
        )
        for case in cases
    )
    return ngettext(
        "{source}'s change to {count} case was left out, because HQ's retention anonymised "
        "the case here when its retention period ended, which raised its version here above "
        "{source}'s: {cases}. This is not a sign of a forged bundle, and nothing is to be "
        "done: {source}'s own retention anonymises its copy by the same rule, and a later "
        "change it sends above HQ's version is taken as any other.",
        "{source}'s changes to {count} cases were left out, because HQ's retention anonymised "
        "the cases here when their retention period ended, which raised their versions here "
        "above {source}'s: {cases}. This is not a sign of a forged bundle, and nothing is to "
        "be done: {source}'s own retention anonymises its copies by the same rule, and a later "
        "change it sends above HQ's version is taken as any other.",
        len(cases),
    ).format(source=source, count=format_number(len(cases)), cases=named)
