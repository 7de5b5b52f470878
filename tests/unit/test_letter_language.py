"""The language a new letter starts in: its addressee's, then the officers' own habit.

The fault: every new letter started in Kazakh, so a note verbale to a Korean ministry or a
letter to an employer in Istanbul was drafted in Kazakh unless the officer noticed and
switched it (and its parts were then written again)."""

from __future__ import annotations

from datetime import date

import pytest

from app.i18n import language_override
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.records import CaseInput, OrganisationInput, PersonInput
from app.services.workspace import Workspace
from tests.conftest import OpenWs

TODAY = date(2026, 11, 24)


def _case(ws: Workspace, host: str) -> str:
    return (
        CaseService(ws, today=TODAY)
        .create_case(
            CaseInput(
                host_country=host,
                categories=("unpaid_wages",),
                received_at=date(2026, 11, 2),
                person=PersonInput(surname="Сейтқали", given_names="Мирас"),
                employer=OrganisationInput(name="Employer", country=host, city="City"),
                description="Жалақы төленбеген.",
            )
        )
        .id
    )


@pytest.fixture
def aigul(open_ws: OpenWs) -> Workspace:
    return open_ws("aigul")


@pytest.mark.parametrize(
    ("host", "kind", "expected"),
    [
        ("KR", "note_verbale_labour_authority", "en"),
        ("KR", "employer_letter", "en"),
        ("TR", "referral", "en"),
        ("RU", "employer_letter", "ru"),
        ("KG", "note_verbale_labour_authority", "ru"),
    ],
)
def test_a_letter_abroad_starts_in_the_hosts_language_of_correspondence(
    aigul: Workspace, host: str, kind: str, expected: str
) -> None:
    case_id = _case(aigul, host)
    assert LetterService(aigul, today=TODAY).suggested_lang(case_id, kind) == expected


@pytest.mark.parametrize(("interface", "expected"), [("kk", "kk"), ("ru", "ru"), ("en", "kk")])
def test_a_letter_to_kazakhstan_starts_in_the_interfaces_kazakh_or_russian(
    aigul: Workspace, interface: str, expected: str
) -> None:
    case_id = _case(aigul, "KR")
    with language_override(interface):
        found = LetterService(aigul, today=TODAY).suggested_lang(case_id, "hq_case_report")
    assert found == expected


def test_the_officers_last_choice_for_the_kind_and_host_is_kept(aigul: Workspace) -> None:
    letters = LetterService(aigul, today=TODAY)
    first, other_host = _case(aigul, "KR"), _case(aigul, "TR")
    letters.draft(first, "employer_letter", "ru", LetterFields())
    second = _case(aigul, "KR")
    assert letters.suggested_lang(second, "employer_letter") == "ru"
    # Another kind, or another host, keeps its own default.
    assert letters.suggested_lang(second, "note_verbale_labour_authority") == "en"
    assert letters.suggested_lang(other_host, "employer_letter") == "en"
