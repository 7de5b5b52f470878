"""Letters that say only what the case says: a worker registered with little more than a name,
read back from the rendered PDF as the consul who signs it would read it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.letters import LETTER_KINDS, Addressee
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.records import CaseDetail, CaseInput, PersonInput
from app.services.workspace import Workspace
from tests.unit.test_letter_wording import TODAY, flat, people, raw_text

__all__ = ["people"]  # the fixture, shared with the wording tests

MASCULINE_CITIZEN = re.compile(r"граждан(ин|ина|ину|ином|ине)\b")
FEMININE_CITIZEN = re.compile(r"гражданк(а|и|е|у|ой)\b")
CATEGORIES = ("unpaid_wages", "documents_withheld", "violence")


def bare_case(people: dict[str, Workspace], surname: str, given_names: str) -> CaseDetail:
    """A case as a hurried intake leaves it: a name, the country, the complaints; no IIN, no
    sex, no employer, no agency."""
    return CaseService(people["aigul"], today=TODAY).create_case(
        CaseInput(
            host_country="TR",
            categories=CATEGORIES,
            received_at=date(2026, 11, 25),
            person=PersonInput(surname=surname, given_names=given_names),
        )
    )


def render(people: dict[str, Workspace], case_id: str, kind: str, lang: str) -> str:
    fields = LetterFields(addressee=Addressee("", "Migrant Workers Centre", "Ankara"))
    service = LetterService(people["aigul"], today=TODAY)
    return flat(raw_text(service.preview_for_case(case_id, kind, lang, fields)))


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_a_woman_registered_without_iin_or_sex_is_a_woman_in_every_letter(
    people: dict[str, Workspace], kind: str
) -> None:
    """The fault: with neither the sex nor an IIN recorded, every letter took the masculine
    forms: «гражданин Республики Казахстан Ахметова Гүлнар обратился», «гражданина … Ахметова
    Гүлнара», «Mr Gulnar Akhmetova», «По его словам» — though her surname says she is a woman."""
    case = bare_case(people, "Ахметова", "Гүлнар")
    ru, en = render(people, case.id, kind, "ru"), render(people, case.id, kind, "en")
    assert not MASCULINE_CITIZEN.search(ru), ru
    assert "Ахметова Гүлнара" not in ru and "По его словам" not in ru, ru
    assert "Mr " not in en and "According to him" not in en, en
    if kind != "hq_case_report":  # the report names her without the word «гражданка»
        assert FEMININE_CITIZEN.search(ru), ru
    if kind != "assistance_certificate":  # the certificate states no facts
        assert "По её словам" in ru and "According to her" in en, (ru, en)


def test_the_approver_is_told_only_when_no_name_says_the_sex(
    people: dict[str, Workspace],
) -> None:
    """The warning "the letter uses the masculine forms" stays for a name that says nothing
    (a Korean surname) and goes where the surname says it; a man's surname keeps "Mr"."""
    service = LetterService(people["aigul"], today=TODAY)
    warned = "masculine forms"

    def warnings(case: CaseDetail) -> list[str]:
        return service.checks_for_case(case.id, "referral", "ru", LetterFields())

    assert not any(warned in w for w in warnings(bare_case(people, "Ахметова", "Гүлнар")))
    assert any(warned in w for w in warnings(bare_case(people, "Ким", "Алина")))
    man = bare_case(people, "Серікбаев", "Ерлан")
    assert not any(warned in w for w in warnings(man))
    en = render(people, man.id, "assistance_certificate", "en")
    assert "Mr " in en and "Ms " not in en, en
