"""The register shows a letter's subject less the case it names (the case has its own column)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.letters import Addressee
from app.services.letters import LetterInfo

CASE = "SEL-2026-0492"


def letter(subject: str, lang: str, case_number: str = CASE) -> LetterInfo:
    return LetterInfo(
        id="l1",
        version=1,
        case_id="c1",
        case_number=case_number,
        kind="employer_letter",
        lang=lang,
        status="draft",
        outgoing_number=None,
        year=None,
        seq=None,
        letter_date=date(2026, 12, 3),
        incoming_ref=None,
        addressee=Addressee(name="", organisation="Hanil Steel", address=""),
        subject=subject,
        free_text="",
        attachments=(),
        pdf_sha256=None,
        content_digest=None,
        drafted_by="aigul",
        approved_by=None,
        issued_by=None,
        issued_at=None,
        updated_at=datetime(2026, 12, 3, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("lang", "subject"),
    [
        ("kk", f"№ {CASE} іс бойынша: Асанов Амангелді"),
        ("ru", f"По делу № {CASE}: Асанов Амангелді"),
        ("en", f"Case No. {CASE}: Асанов Амангелді"),
    ],
)
def test_a_default_subject_shows_the_person(lang: str, subject: str) -> None:
    assert letter(subject, lang).subject_beyond_case == "Асанов Амангелді"


@pytest.mark.parametrize(
    ("subject", "lang", "case_number"),
    [
        ("Жалақыны төлеу туралы", "kk", CASE),  # the officer's own subject
        (f"Case No. {CASE}: ", "en", CASE),  # nothing after the case: kept whole
        (f"Case No. {CASE}: Assel", "kk", CASE),  # another language's form: kept whole
        ("Case No. SEL-2026-0001: Assel", "en", CASE),  # another case: kept whole
        (f"Re: Case No. {CASE}: Assel", "en", CASE),  # text before the case: kept whole
        ("Case No. : Assel", "en", ""),  # a letter without a case
    ],
)
def test_any_other_subject_is_shown_whole(subject: str, lang: str, case_number: str) -> None:
    assert letter(subject, lang, case_number).subject_beyond_case == subject
