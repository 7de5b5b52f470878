"""Retention replayed as an auditor would: after a closed case's period, nothing that names the
worker or quotes their story stays readable, in the audit log's details either, and the audit
chain still verifies (here and at HQ, which checks the entries a bundle carries).

The story is typed where the log keeps it: a status change's reason, an attachment's removal
reason, and a reply to a letter corrected later (its entry kept the earlier sender and summary).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.db.models import AuditEntry
from app.security import audit
from app.security.audit_anchor import SignedHead, _check_links, _wire
from app.services.audit_log import AuditLogService
from app.services.audit_text import details_in_words
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.records import (
    CaseDetail,
    CaseFilter,
    CaseInput,
    OrganisationInput,
    PersonInput,
)
from app.services.retention import add_years, run_manually
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.reliability.sqlcipher_pages import decrypted_bytes
from tests.unit.test_retention import table_dump

SENT = date(2026, 11, 2)
LATER = add_years(date.today(), 5) + timedelta(days=1)
SURNAME = "Жолдасбекқызы"
REPLY_SENDER = "Асқар Жолдасбеков, the worker's brother"
REPLY_SUMMARY = "Жолдасбекқызы was beaten by the foreman on 3 November"
STATUS_REASON = "Жолдасбекқызы is hiding at her cousin's flat in Ansan"
REMOVAL_REASON = "Scan of Жолдасбекқызы's medical record uploaded by mistake"
LETTER_FACTS = "Мадина Жолдасбекқызы was struck by the foreman Kim on 3 November 2026"
LETTER_REQUESTS = "Pay Мадина her wages for August and September"
IDENTITY_REASON = "Мадина's passport N77665544 is held by the foreman; the police need a copy"
STORY = (
    SURNAME,
    REPLY_SENDER,
    REPLY_SUMMARY,
    STATUS_REASON,
    REMOVAL_REASON,
    LETTER_FACTS,
    LETTER_REQUESTS,
    IDENTITY_REASON,
)


@pytest.fixture
def people(open_ws: OpenWs) -> dict[str, Workspace]:
    return {name: open_ws(name) for name in ("aigul", "serik", "admin")}


@pytest.fixture
def closed_case(people: dict[str, Workspace]) -> CaseDetail:
    aigul, serik = people["aigul"], people["serik"]
    case = CaseService(aigul, today=SENT).create_case(
        CaseInput(
            host_country="KR",
            categories=("violence",),
            received_at=date(2026, 11, 1),
            person=PersonInput(surname=SURNAME, given_names="Мадина"),
            employer=OrganisationInput(name="Hanil Steel", country="KR", city="Incheon"),
        )
    )
    fields = LetterFields(facts=LETTER_FACTS, requests=LETTER_REQUESTS)
    draft = LetterService(aigul, SENT).draft(case.id, "employer_letter", "en", fields)
    LetterService(serik, SENT).approve(draft.id)
    letter = LetterService(aigul, SENT).issue(draft.id)
    replies = LetterService(aigul, SENT + timedelta(days=1))
    answered = replies.record_reply(letter.id, SENT, REPLY_SENDER, REPLY_SUMMARY)
    assert answered.reply is not None
    # A later day: the correction is a new entry, and the audit keeps what the reply said.
    LetterService(aigul, SENT + timedelta(days=5)).correct_reply(
        letter.id, answered.reply.entry_id, SENT, "Hanil Steel", "Reply received."
    )
    cases = CaseService(aigul)
    scan = cases.add_attachment(case.id, "scan.pdf", b"%PDF-1.4 a scan", "application/pdf")
    cases.remove_attachment(scan.id, REMOVAL_REASON)
    cases.add_attachment(
        case.id,
        "passport.pdf",
        b"%PDF-1.4 a passport",
        "application/pdf",
        is_identity_document=True,
        identity_document_acknowledged=True,
        identity_reason=IDENTITY_REASON,
    )
    cases.set_status(case.id, "awaiting_response", STATUS_REASON)
    CaseService(serik).set_status(case.id, "resolved", "Wages paid")
    CaseService(serik).set_status(case.id, "closed", "Confirmed")
    return case


def written_forms(value: str) -> list[str]:
    """``value`` as text, and as a JSON column stores it (non-ASCII escaped)."""
    return [value, json.dumps(value)[1:-1]]


def _audit_text(ws: Workspace) -> str:
    with ws.read() as session:
        return "\n".join(str(d) for d in session.scalars(select(AuditEntry.details)))


def test_retention_redacts_the_story_from_the_audit_log_and_the_chain_verifies(
    people: dict[str, Workspace], closed_case: CaseDetail
) -> None:
    admin = people["admin"]
    before = _audit_text(admin)
    for value in (REPLY_SENDER, REPLY_SUMMARY, STATUS_REASON, REMOVAL_REASON, IDENTITY_REASON):
        assert any(form in before for form in written_forms(value)), value  # the check can see

    report = run_manually(admin, today=LATER, date_is_right=True)

    assert report.anonymised_cases == [closed_case.number]
    dump, plain = table_dump(admin), decrypted_bytes(admin.db.path, admin.db.key)
    for value in STORY:
        for form in written_forms(value):
            assert form not in dump, form
            assert form.encode() not in plain, form
    # What the app recorded stays: who changed the status, from what to what, and the reason
    # a senior officer typed that names nobody is cleared too (a reason is free text).
    check = AuditLogService(admin).verify()
    assert check.ok, check.problems
    entries = AuditLogService(admin).entries(record=closed_case.number)
    status = [e for e in entries if e.action == "case.status" and "reason" in e.details]
    assert [(e.details["from"], e.details["to"]) for e in reversed(status)] == [
        ("in_progress", "awaiting_response"),
        ("awaiting_response", "resolved"),
        ("resolved", "closed"),
    ]
    assert all(e.details["reason"] == "" and e.details["redacted"] == ["reason"] for e in status)
    corrected = next(e for e in entries if e.action == "letter.reply_corrected")
    assert corrected.details["before"] == "" and corrected.details["number"]
    assert "Reason" in details_in_words("case.status", status[0].details)
    assert "Removed under the retention policy: Reason" in details_in_words(
        "case.status", status[0].details
    )
    identity = next(e for e in entries if e.details.get("identity_document"))
    assert details_in_words("attachment.add", identity.details).endswith(
        "Identity document: yes; "
        "Removed under the retention policy: Why the identity document is kept"
    )
    # The timeline still says a reply came, and when, without its sender.
    replies = [
        e.text
        for e in CaseService(admin).get_case(closed_case.id).events
        if e.kind == "reply_received"
    ]
    assert replies and all("from —, received on 2 Nov 2026" in text for text in replies), replies


def test_a_redacted_entry_changed_afterwards_is_still_found(
    people: dict[str, Workspace], closed_case: CaseDetail
) -> None:
    admin = people["admin"]
    run_manually(admin, today=LATER, date_is_right=True)
    with admin.write() as session:
        seq = session.scalars(
            select(AuditEntry.seq)
            .where(AuditEntry.action == "case.status")
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).one()
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.seq == seq)
            .values(details={"from": "new", "to": "closed", "reason": "", "redacted": ["reason"]})
        )

    check = AuditLogService(admin).verify()

    assert [(p.seq, p.kind) for p in check.problems] == [(seq, "edited")]


@pytest.mark.both_engines
def test_a_redaction_recorded_by_retention_verifies_on_either_engine(ws: Workspace) -> None:
    """HQ on PostgreSQL runs retention too: its JSON comes back decoded, its times aware."""
    with ws.write() as session:
        audit.record(session, "aigul", "case.status", "case", "SEL-2026-0001", {"reason": "x"})
        records = audit.redact(session, ["SEL-2026-0001"], ("reason",))
        audit.record(
            session,
            "admin",
            "retention.anonymise",
            "case",
            "SEL-2026-0001",
            {audit.REDACTIONS: records},
        )
    with ws.read() as session:
        assert audit.verify(session)[1] == []
    with ws.write() as session:
        seq = records[0]["seq"]
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.seq == seq)
            .values(details={"reason": "", "redacted": ["reason"], "extra": 1})
        )
    with ws.read() as session:
        assert [(p.seq, p.kind) for p in audit.verify(session)[1]] == [(seq, "edited")]


@pytest.mark.both_engines
def test_a_redaction_claimed_by_another_act_counts_for_nothing(ws: Workspace) -> None:
    with ws.write() as session:
        audit.record(session, "admin", "case.status", "case", "SEL-2026-0001", {"reason": "x"})
        audit.record(session, "admin", "case.status", "case", "SEL-2026-0002", {"reason": "y"})
        records = audit.redact(session, ["SEL-2026-0001", "SEL-2026-0002"], ("reason",))
        # Recorded by an act that may not redact: the redactions count for nothing.
        audit.record(session, "admin", "case.update", "case", "x", {audit.REDACTIONS: records})
    with ws.read() as session:
        _count, problems = audit.verify(session)
    assert sorted(p.kind for p in problems) == ["edited", "edited"]


def test_hq_accepts_a_carried_chain_with_redacted_entries(
    people: dict[str, Workspace], closed_case: CaseDetail
) -> None:
    admin = people["admin"]
    run_manually(admin, today=LATER, date_is_right=True)
    with admin.read() as session:
        wired = [_wire(e) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    last = wired[-1]
    head = SignedHead("SEL", last["seq"], last["hash"], "2026-12-01T00:00:00+00:00")

    _check_links("SEL", head, wired)  # refuses by raising

    redacted = next(e for e in wired if e["details"].get("redacted"))
    redacted["details"]["reason"] = "rewritten"
    with pytest.raises(Exception, match="do not form a chain"):
        _check_links("SEL", head, wired)


def test_the_case_list_finds_an_anonymised_case_by_its_old_names_no_more(
    people: dict[str, Workspace], closed_case: CaseDetail
) -> None:
    """The worker came back with a new complaint, so their name stays on file for it: typing
    the name finds the new case, never the old one whose story retention removed."""
    aigul = people["aigul"]
    again = CaseService(aigul).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=date.today(),
            person_id=closed_case.person.id,
            employer=OrganisationInput(name="Hanil Steel", country="KR", city="Incheon"),
        )
    )
    run_manually(people["admin"], today=LATER, date_is_right=True)

    cases = CaseService(aigul)
    for typed in (SURNAME, "Zholdasbekkyzy", "Мадина"):
        found = [r.number for r in cases.list_cases(CaseFilter(text=typed))]
        assert found == [again.number], typed
        assert [r.number for r in cases.search(typed)] == [again.number], typed
