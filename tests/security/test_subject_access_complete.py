"""A person's subject-access export, read as the person (and an auditor) would: it holds what
is kept about them, the letters written about them and who printed those, and the values an
audit entry keeps (a corrected reply's earlier text); it holds nothing about another worker of
the same employer, and no officer's data beyond their user name."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.records import CaseDetail, CaseInput, OrganisationInput, PersonInput
from app.services.subject_access import collect, export_subject_access, to_json
from app.services.workspace import Workspace
from tests.conftest import OpenWs

SENT = date(2026, 11, 2)
IIN = "940315400123"
FACTS = "Мадина was not paid for August and September"
FIRST_SUMMARY = "The employer denies that Мадина worked in September"
OTHER_WORKER = "Сейітқалиев"
EMPLOYER = OrganisationInput(name="Hanil Steel", country="KR", city="Incheon")


@pytest.fixture
def people(open_ws: OpenWs) -> dict[str, Workspace]:
    return {name: open_ws(name) for name in ("aigul", "serik")}


def _case(ws: Workspace, person: PersonInput, description: str) -> CaseDetail:
    return CaseService(ws, today=SENT).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=date(2026, 11, 1),
            person=person,
            employer=EMPLOYER,
            description=description,
        )
    )


def test_the_export_holds_letters_who_printed_them_and_corrected_replies(
    people: dict[str, Workspace], tmp_path: Path
) -> None:
    aigul, serik = people["aigul"], people["serik"]
    case = _case(aigul, PersonInput(surname="Жолдасбекқызы", given_names="Мадина", iin=IIN), "")
    other = _case(
        aigul, PersonInput(surname=OTHER_WORKER, given_names="Ержан"), f"{OTHER_WORKER}'s case"
    )
    draft = LetterService(aigul, SENT).draft(
        case.id, "employer_letter", "en", LetterFields(free_text=FACTS)
    )
    LetterService(serik, SENT).approve(draft.id)
    letter = LetterService(aigul, SENT).issue(draft.id)
    LetterService(aigul, SENT).record_copy(letter.id, printed=True)
    answered = LetterService(aigul, SENT + timedelta(days=1)).record_reply(
        letter.id, SENT, "Hanil Steel", FIRST_SUMMARY
    )
    assert answered.reply is not None
    LetterService(aigul, SENT + timedelta(days=5)).correct_reply(
        letter.id, answered.reply.entry_id, SENT, "Hanil Steel", "Wages will be paid."
    )
    other_letter = LetterService(aigul, SENT).draft(other.id, "employer_letter", "en")

    export = collect(aigul, iin=IIN)

    (person,) = export.persons
    (held,) = person["cases"]
    (written,) = held["letters"]
    assert written["outgoing_number"] == letter.outgoing_number
    assert written["free_text"] == FACTS  # the facts the mission wrote about them
    audit = person["audit"]
    about_letter = [a["action"] for a in audit if a["entity_id"] == letter.id]
    assert about_letter == [
        "letter.draft",
        "letter.approve",
        "letter.issue",
        "letter.print",
        "letter.reply",
        "letter.reply_corrected",
    ]
    corrected = next(a for a in audit if a["action"] == "letter.reply_corrected")
    assert corrected["details"]["before"]["summary"] == FIRST_SUMMARY
    # Digests and signatures are the auditor's, not data about the person.
    issued = next(a for a in audit if a["action"] == "letter.issue")
    assert "sha256" not in issued["details"] and issued["details"]["number"]
    text = to_json(export).decode("utf-8")
    assert OTHER_WORKER not in text and other.number not in text
    assert other_letter.id not in text
    assert json.loads(text)["persons"][0]["id"] == person["id"]

    # The PDF for the person says what the log keeps of the reply as first recorded.
    export_subject_access(aigul, tmp_path / "sar.pdf", iin=IIN, lang="en")
    printed = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(tmp_path / "sar.pdf").pages
    )
    who = printed[printed.index("Who worked with these records") :]
    assert "Letter printed" in who
    assert (
        "Before the correction: Received on 2 Nov 2026, Sender of the reply Hanil Steel, "
        f"Summary {FIRST_SUMMARY}" in who
    )
