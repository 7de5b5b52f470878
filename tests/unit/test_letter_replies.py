"""Replies to issued letters: recorded on the case's timeline, shown in the register, chased
when late."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.db.models import Attachment, AuditEntry, CaseEvent
from app.domain.codes import CaseStatus
from app.domain.events import compose, heading
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.services import settings as domain_settings
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterFilter, LetterInfo, LetterService
from app.services.records import CaseDetail, CaseInput, OrganisationInput, PersonInput
from app.services.retention import anonymise_case
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
        (ValidationError, "Sender of the reply must not be empty.", {"sender": " "}),
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


def _reply_entries(ws: Workspace, case_id: str) -> list[CaseEvent]:
    with ws.read() as session:
        return list(
            session.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == case_id, CaseEvent.kind == "reply_received")
                .order_by(CaseEvent.occurred_at)
            )
        )


def _corrections(ws: Workspace) -> list[AuditEntry]:
    with ws.read() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "letter.reply_corrected")
                .order_by(AuditEntry.seq)
            )
        )


def test_a_reply_is_corrected_the_same_day_by_whoever_recorded_it_or_an_administrator(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    """The fault: a mistyped date, sender or summary of a reply stayed for good."""
    letter = issued(people, case.id)
    recorded = LetterService(people["aigul"]).record_reply(
        letter.id, date(2026, 11, 2), "Hanil Stel", "Wages paid by 30 Novmber."
    )
    assert recorded.reply is not None and recorded.reply.entry_id
    service = LetterService(people["aigul"])
    assert service.reply_correctable_in_place(recorded.reply)

    fixed = service.correct_reply(
        letter.id, recorded.reply.entry_id, date(2026, 11, 20), "Hanil Steel", "Paid by 30 Nov."
    )

    assert fixed.in_place
    assert fixed.letter.reply is not None
    assert (fixed.letter.reply.received_on, fixed.letter.reply.sender) == (
        date(2026, 11, 20),
        "Hanil Steel",
    )
    [entry] = _reply_entries(people["aigul"], case.id)  # the entry itself, no second one
    assert compose(entry.data, entry.text, "en") == (
        f"Reply to letter {letter.outgoing_number} from Hanil Steel, received on "
        "20 Nov 2026: Paid by 30 Nov."
    )
    [audit] = _corrections(people["aigul"])
    assert audit.actor == "aigul" and audit.entity_id == letter.id
    assert audit.details["before"] == {
        "received_on": "2026-11-02",
        "sender": "Hanil Stel",
        "summary": "Wages paid by 30 Novmber.",
    }
    assert audit.details["as_new_entry"] is False
    # An administrator corrects it in place too.
    admin = LetterService(people["admin"])
    assert admin.reply_correctable_in_place(fixed.letter.reply)
    again = admin.correct_reply(
        letter.id, entry.id, date(2026, 11, 20), "Hanil Steel, HR", "Paid by 30 Nov."
    )
    assert again.in_place and len(_reply_entries(people["aigul"], case.id)) == 1


def test_a_reply_corrected_later_or_by_another_officer_is_a_new_entry_that_says_so(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    letter = issued(people, case.id)
    recorded = LetterService(people["aigul"]).record_reply(
        letter.id, date(2026, 11, 2), "Hanil Stel", "Wages paid by 30 Novmber."
    )
    assert recorded.reply is not None
    # Another officer, the same day: the recorder's entry stays as it was.
    consul = LetterService(people["serik"])
    assert not consul.reply_correctable_in_place(recorded.reply)
    # The recorder, two days later.
    with people["aigul"].write() as session:
        entry = session.get(CaseEvent, recorded.reply.entry_id)
        assert entry is not None
        entry.occurred_at = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    service = LetterService(people["aigul"])
    earlier = service.get(letter.id).reply
    assert earlier is not None and not service.reply_correctable_in_place(earlier)

    fixed = service.correct_reply(
        letter.id, earlier.entry_id, date(2026, 11, 20), "Hanil Steel", "Paid by 30 Nov."
    )

    assert not fixed.in_place
    first, correction = _reply_entries(people["aigul"], case.id)
    assert (first.text, first.data["sender"]) == ("Wages paid by 30 Novmber.", "Hanil Stel")
    assert correction.data["corrects"] == first.id and correction.author == "aigul"
    assert compose(correction.data, correction.text, "en") == (
        f"Correction of the reply to letter {letter.outgoing_number} recorded on 3 Nov 2026: "
        "from Hanil Steel, received on 20 Nov 2026: Paid by 30 Nov."
    )
    assert heading(correction.kind, correction.data["event"], "en") == "Reply corrected"
    # The letter's reply is the corrected one; the register lists it so.
    assert fixed.letter.reply is not None and fixed.letter.reply.entry_id == correction.id
    listed = service.list_letters(LetterFilter(case_id=case.id))
    assert [info.reply for info in listed if info.id == letter.id] == [fixed.letter.reply]
    [audit] = _corrections(people["aigul"])
    assert audit.details["as_new_entry"] is True
    assert audit.details["before"]["summary"] == "Wages paid by 30 Novmber."


def test_a_correction_that_changes_nothing_or_names_no_reply_is_refused(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    letter = issued(people, case.id)
    service = LetterService(people["aigul"])
    recorded = service.record_reply(letter.id, date(2026, 11, 20), "Hanil Steel", "Paid.")
    assert recorded.reply is not None
    entry_id = recorded.reply.entry_id
    with pytest.raises(ValidationError, match="Nothing was changed"):
        service.correct_reply(letter.id, entry_id, date(2026, 11, 20), "Hanil Steel", "Paid.")
    with pytest.raises(NotFound, match="No such reply to this letter"):
        service.correct_reply(letter.id, case.id, date(2026, 11, 20), "Hanil", "Paid.")
    with pytest.raises(ValidationError, match="before the letter was sent"):
        service.correct_reply(letter.id, entry_id, date(2026, 10, 1), "Hanil Steel", "Paid.")
    with pytest.raises(PermissionDenied):
        LetterService(people["astana"]).correct_reply(
            letter.id, entry_id, date(2026, 11, 21), "Hanil Steel", "Paid."
        )
    assert _corrections(people["aigul"]) == []
    [entry] = _reply_entries(people["aigul"], case.id)
    assert (entry.text, entry.data["received_on"]) == ("Paid.", "2026-11-20")


def test_no_reply_is_recorded_or_corrected_on_an_anonymised_case(
    people: dict[str, Workspace], case: CaseDetail
) -> None:
    """The fault: a letter of a case retention had anonymised still took a reply, with its
    sender's name («Ms Kim Soo-jin, the worker's lawyer») and summary on the timeline:
    personal data recorded after everything else of the case was blanked. Both a new reply
    and a correction are refused; nothing is written."""
    letter = issued(people, case.id)
    service = LetterService(people["aigul"], TODAY)
    answered = service.record_reply(letter.id, TODAY, "Hanil Steel", "Will pay.")
    assert answered.reply is not None
    with people["admin"].write() as session:
        anonymise_case(session, case.id, datetime.now(UTC))
        events_before = session.scalar(
            select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case.id)
        )
    said = (
        f"Case {case.number} was anonymised at the end of the retention period: no reply is "
        "recorded on it, since its sender and summary would be personal data kept after "
        "retention."
    )
    attempts = (
        lambda: service.record_reply(
            letter.id,
            TODAY,
            "Ms Kim Soo-jin, the worker's lawyer",
            "Asks for the file.",
            attachment=("reply.pdf", b"%PDF-1.4 a lawyer's letter"),
        ),
        lambda: service.correct_reply(
            letter.id, answered.reply.entry_id, TODAY, "Ms Kim Soo-jin", "Will pay."
        ),
    )
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert str(refused.value) == said
    with people["admin"].read() as session:
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
        assert len(events) == events_before
        assert not any("Kim" in (e.text or "") or "Kim" in str(e.data) for e in events)
        assert (
            session.scalar(
                select(func.count(Attachment.id)).where(
                    Attachment.case_id == case.id, Attachment.filename == "reply.pdf"
                )
            )
            == 0
        )
