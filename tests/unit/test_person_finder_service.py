"""The person finder's service: found through the search index, kept to people whose own
names or numbers begin with what was typed, in any script."""

from __future__ import annotations

from app.services.cases import CaseService
from app.services.people import PersonService
from app.services.records import CaseFilter, OrganisationInput
from app.services.workspace import Workspace
from tests.builders import ASSEL_IDENTIFIED, NURLAN, new_case


def _people(ws: Workspace) -> PersonService:
    cases = CaseService(ws)
    cases.create_case(new_case(ASSEL_IDENTIFIED))
    # Nurlan's employer is named like Assel, so the index finds his case for "Құрман" too.
    employer = OrganisationInput(name="Құрманов Construction", country="TR", city="Izmir")
    cases.create_case(new_case(NURLAN, employer=employer))
    return PersonService(ws)


def _found(people: PersonService, typed: str) -> list[str]:
    return [f"{p.surname} {p.given_names}" for p in people.find(typed)]


def test_cross_script_spellings_find_the_same_person(ws: Workspace) -> None:
    people = _people(ws)
    for typed in ("Әбенов", "әбенов", "Абенов", "abenov", "ABENOV Nurlan", "нурлан", "Nurl"):
        assert _found(people, typed) == ["Әбенов Нұрлан"], typed


def test_only_people_whose_own_names_begin_so_are_offered(ws: Workspace) -> None:
    people = _people(ws)
    assert _found(people, "Құрман") == ["Құрманғалиқызы Әсел"]  # not Nurlan, via his employer
    assert _found(people, "kurman") == ["Құрманғалиқызы Әсел"]
    assert _found(people, "Construction") == []


def test_numbers_and_every_typed_word_count(ws: Workspace) -> None:
    people = _people(ws)
    assert _found(people, "940315") == ["Құрманғалиқызы Әсел"]  # IIN
    assert _found(people, "n1234") == ["Құрманғалиқызы Әсел"]  # passport, any case
    assert _found(people, "Әсел Әбенов") == []  # each word must name the same person
    assert _found(people, "  ") == [] and _found(people, "«»") == []


def test_a_person_with_several_cases_is_offered_once(ws: Workspace) -> None:
    cases = CaseService(ws)
    first = cases.create_case(new_case(ASSEL_IDENTIFIED))
    for _ in range(3):
        cases.create_case(new_case(person=None, person_id=first.person.id))
    cases.create_case(new_case(NURLAN))
    people = PersonService(ws)
    found = people.find("Құрманғалиқызы")
    assert [p.id for p in found] == [first.person.id]
    assert len(people.find("Example", limit=5)) == 0  # the employer of all: nobody's name


def test_an_iin_in_groups_and_a_passport_with_a_space_find_the_person(ws: Workspace) -> None:
    """An IIN as a form or a copied document groups it (940315 400123, 940315-400123) and a
    passport number with a space after its letter (N 12345678) found nobody: the index holds
    each as one word. Such a number is read as one."""
    people = _people(ws)
    for typed in ("940315 400123", "940315-400123", "9403 1540 0123", "N 12345678", "Т 12345678"):
        assert _found(people, typed) == ["Құрманғалиқызы Әсел"], typed
        cases = CaseService(ws).list_cases(CaseFilter(text=typed))
        assert [c.person_name for c in cases] == ["Құрманғалиқызы Әсел"], typed
    assert _found(people, "940315 4001") == []  # not an IIN: its groups are words, as typed
