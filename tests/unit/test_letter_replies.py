"""Replies to issued letters: recorded on the case's timeline, shown in the register, chased
when late."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.db.models import Attachment, AuditEntry, CaseEvent
from app.domain.codes import CaseStatus
from app.domain.events import compose
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.services import settings as domain_settings
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterFilter, LetterInfo, LetterService
from app.services.records import CaseDetail, CaseInput, OrganisationInput, PersonInput
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.unit.test_letters_render import ASSEL_DOCUMENTED

SENT = date(2026, 11, 2)
TODAY = date(2026, 11, 24)  # 22 days after SENT


@pytest.fixture
def people(open_ws: OpenWs) -> dict[str, Workspace]:
    return {name: open_ws(name) for name in ("aigul", "serik", "admin", "astana")}


@pytest.fixture
def case(people: dict[str, Workspace]) -> CaseDetail:
    return CaseService(people["aigul"], today=SENT).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=date(2026, 11, 1),
            person=PersonInput(**ASSEL_DOCUMENTED),
            employer=OrganisationInput(name="Hanil Steel", country="KR", city="Incheon"),
            description="Wages unpaid.",
        )
    )


def issued(people: dict[str, Workspace], case_id: str, kind: str = "employer_letter") -> LetterInfo:
    draft = LetterService(people["aigul"], SENT).draft(case_id, kind, "en", LetterFields())
    LetterService(people["serik"], SENT).approve(draft.id)
    return LetterService(people["aigul"], SENT).issue(draft.id)


def test_a_reply_is_on_the_timeline_in_the_register_and_audited(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    letter = issued(people, case.id)
    service = LetterService(people["aigul"], TODAY)
    assert service.get(letter.id).days_without_reply(TODAY) == 22

    answered = service.record_reply(
        letter.id,
        date(2026, 11, 20),
        "  Hanil Steel, HR department ",
        "Wages for October will be paid by 30 November.",
        attachment=("reply.pdf", b"%PDF-1.4 the employer's answer"),
    )

    assert answered.reply is not None
    assert answered.reply.received_on == date(2026, 11, 20)
    assert answered.reply.sender == "Hanil Steel, HR department"
    assert answered.reply.recorded_by == "aigul"
    assert answered.days_without_reply(TODAY) is None
    listed = service.list_letters(LetterFilter(case_id=case.id))
    assert [info.reply for info in listed] == [answered.reply]

    events = CaseService(people["aigul"]).get_case(case.id).events
    reply_entry = next(e for e in events if e.kind == "reply_received")
    assert reply_entry.link == ("letter", letter.id)
    assert reply_entry.text == (
        f"Reply to letter {letter.outgoing_number} from Hanil Steel, HR department, received "
        "on 20 Nov 2026: Wages for October will be paid by 30 November."
    )
    # Composed in the reader's language: a Kazakh reader sees the date as Kazakh writes it.
    kk = compose(reply_entry.data, reply_entry.typed, "kk")
    assert letter.outgoing_number in kk and "Hanil Steel" in kk and "20.11.2026" in kk

    with people["aigul"].read() as session:
        scan = session.execute(
            select(Attachment).where(Attachment.id == answered.reply.attachment_id)
        ).scalar_one()
        assert scan.case_id == case.id and scan.filename == "reply.pdf"
        audit = session.execute(
            select(AuditEntry).where(AuditEntry.action == "letter.reply")
        ).scalar_one()
    assert audit.actor == "aigul" and audit.entity_id == letter.id
    assert audit.details["received_on"] == "2026-11-20"
    assert audit.details["attachment"] == scan.id


def test_unanswered_letters_are_those_past_the_wait_of_kinds_that_ask_for_one(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    letter = issued(people, case.id)
    certificate = issued(people, case.id, "assistance_certificate")  # never chased
    service = LetterService(people["aigul"], TODAY)
    assert certificate.days_without_reply(TODAY) is None

    assert [i.id for i in service.list_letters(LetterFilter(unanswered_for=22))] == [letter.id]
    assert service.count(LetterFilter(unanswered_for=23)) == 0  # sent 22 days ago

    service.record_reply(letter.id, TODAY, "Hanil Steel", "Will pay.")
    assert service.count(LetterFilter(unanswered_for=1)) == 0


def test_a_closed_case_letters_are_not_chased(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    issued(people, case.id)
    service = LetterService(people["aigul"], TODAY)
    assert service.count(LetterFilter(unanswered_for=14)) == 1
    cases = CaseService(people["serik"], TODAY)
    cases.set_status(case.id, CaseStatus.RESOLVED, "Paid.")
    cases.set_status(case.id, CaseStatus.CLOSED, "Done.")
    assert service.count(LetterFilter(unanswered_for=14)) == 0


def test_bad_replies_are_refused_and_nothing_written(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    letter = issued(people, case.id)
    draft = LetterService(people["aigul"], TODAY).draft(
        case.id, "employer_letter", "en", LetterFields()
    )
    service = LetterService(people["aigul"], TODAY)
    tomorrow = TODAY + timedelta(days=1)
    refusals: list[tuple[type[Exception], str, dict[str, object]]] = [
        (ValidationError, "From must not be empty.", {"sender": " "}),
        (ValidationError, "Summary must not be empty.", {"summary": ""}),
        (ValidationError, "Received on cannot be in the future.", {"received_on": tomorrow}),
        (
            ValidationError,
            "The reply cannot have come before the letter was sent on 2 Nov 2026.",
            {"received_on": date(2026, 11, 1)},
        ),
        (ValidationError, "The file is empty.", {"attachment": ("reply.pdf", b"")}),
        (ConflictError, "Only an issued letter can have a reply.", {"letter_id": draft.id}),
    ]
    for error, message, change in refusals:
        args: dict[str, object] = {
            "letter_id": letter.id,
            "received_on": TODAY,
            "sender": "Hanil Steel",
            "summary": "Will pay.",
            **change,
        }
        with pytest.raises(error) as caught:
            service.record_reply(**args)  # type: ignore[arg-type]
        assert str(caught.value) == message
    with pytest.raises(PermissionDenied):
        LetterService(people["astana"], TODAY).record_reply(letter.id, TODAY, "X", "Y")
    with people["aigul"].read() as session:
        replies = session.scalar(
            select(func.count(CaseEvent.id)).where(CaseEvent.kind == "reply_received")
        )
        audited = session.scalar(
            select(func.count(AuditEntry.seq)).where(AuditEntry.action == "letter.reply")
        )
    assert (replies, audited) == (0, 0)
    assert service.get(letter.id).reply is None


def test_the_wait_is_a_mission_setting(people: dict[str, Workspace]) -> None:
    assert domain_settings.reply_wait_days(people["aigul"]) == 14
    domain_settings.set_reply_wait_days(people["admin"], 30)
    assert domain_settings.reply_wait_days(people["aigul"]) == 30
    with pytest.raises(ValidationError, match="1 to 180 days"):
        domain_settings.set_reply_wait_days(people["admin"], 0)
    with pytest.raises(PermissionDenied):
        domain_settings.set_reply_wait_days(people["aigul"], 7)
