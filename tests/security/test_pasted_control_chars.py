"""Text pasted from Word at a mission reaches headquarters.

The fault: the mission stored text as pasted, control characters and all (Word's manual line
break is a vertical tab, U+000B; some programs leave escape sequences), and HQ's import refuses
any text holding one, as it must for a forged bundle. One pasted description stopped every later
bundle of the mission, with a message the mission could do nothing about. Now text is made fit
as it is stored (the breaks become line breaks, the rest go), and text stored before is made fit
by migration 0025, with a new version so that it travels.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select, text

from app.db import migrate
from app.db.models import Case, CaseEvent, Person
from app.domain.text import fit_text
from app.services.cases import CaseService
from app.services.people import PersonService
from app.services.workspace import Workspace
from tests.builders import ASSEL_IDENTIFIED, new_case
from tests.integration.migration_helpers import downgraded
from tests.integration.test_exchange import hq_and_sel

PASTED = "Wages unpaid\x0bsince March.\x0cPassport kept\x1b[31m by the employer.\x85End"


def test_fit_text_keeps_line_breaks_and_drops_the_rest() -> None:
    assert fit_text(PASTED) == "Wages unpaid\nsince March.\nPassport kept[31m by the employer.\nEnd"
    assert fit_text("tab\tline\nreturn\r") == "tab\tline\nreturn\r"
    plain = "Әсел Құрманғалиқызы"
    assert fit_text(plain) is plain


def test_pasted_text_is_stored_fit_and_reaches_hq(tmp_path: Path) -> None:
    with hq_and_sel(tmp_path) as (hq, sel):
        person = replace(ASSEL_IDENTIFIED, surname="Құрманғалиқызы\x1b")
        case = sel.cases.create_case(replace(new_case(person), description=PASTED))
        sel.cases.add_event(case.id, "note", "Called\x0bthe employer.")
        with sel.ws.read() as session:
            assert session.scalar(select(Case.description)) == fit_text(PASTED)
            assert session.scalar(select(CaseEvent.text).where(CaseEvent.kind == "note")) == (
                "Called\nthe employer."
            )
            assert session.scalar(select(Person.surname)) == "Құрманғалиқызы"
        sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
        hq.exchange.import_bundle(tmp_path / "sel.qbundle")  # refused before: U+000B
        with hq.ws.read() as session:
            assert session.scalar(select(Case.description)) == fit_text(PASTED)


def test_text_stored_before_is_made_fit_and_travels_again(tmp_path: Path) -> None:
    with hq_and_sel(tmp_path, 2, seed=5) as (hq, sel):
        with sel.ws.read() as session:
            case_id, version = session.execute(select(Case.id, Case.version)).first()  # type: ignore[misc]
        sel.exchange.export_cases(tmp_path / "first.qbundle", [hq.recipient])
        hq.exchange.import_bundle(tmp_path / "first.qbundle")
        # As an older Qorgau stored it: the raw text, written past the models.
        with sel.ws.write() as session:
            session.execute(
                text('UPDATE "case" SET description = :d WHERE id = :id'),
                {"d": PASTED, "id": case_id},
            )
        db = downgraded(sel.paths, sel.ws, "0024")
        try:
            with db.engine.begin() as connection:
                migrate.upgrade_to(connection, "head")
                row = connection.execute(
                    text('SELECT description, version FROM "case" WHERE id = :id'),
                    {"id": case_id},
                ).one()
                untouched = connection.execute(
                    text('SELECT count(*) FROM "case" WHERE version > 1')
                ).scalar_one()
        finally:
            db.dispose()
        assert row.description == fit_text(PASTED) and row.version == version + 1
        assert untouched == 1  # only the row that held a control character


# -- half a character ---------------------------------------------------------------------------
# A broken paste leaves a lone UTF-16 surrogate: no UTF-8 text can
# hold it, and the save failed with an internal error (UnicodeEncodeError) and no word to the
# officer. It goes as a control character goes; a pair of halves becomes its character.

HALF = "\ud83d"  # the first half of 😀, its second half lost


def test_fit_text_drops_lone_surrogates_and_joins_pairs() -> None:
    assert fit_text(f"Құрманғалиқызы{HALF}") == "Құрманғалиқызы"
    assert fit_text("a\udc00b\ud800") == "ab"
    assert fit_text("paid \ud83d\ude00 late") == "paid 😀 late"
    assert fit_text(f"line\x0b{HALF}two") == "line\ntwo"


def test_a_half_character_in_every_typed_field_is_stored_without_it(ws: Workspace) -> None:
    service = CaseService(ws)
    person = replace(
        ASSEL_IDENTIFIED,
        surname=f"Құрманғалиқызы{HALF}",
        given_names=f"Ә{HALF}сел",
        surname_latin=f"KURMANGALIKYZY{HALF}",
        iin=f"940315400123{HALF}",
        passport_no=f"N1234{HALF}5678",
        phone_abroad=f"+971 50 000 0000{HALF}",
    )
    case = service.create_case(replace(new_case(person), description=f"Wages{HALF} unpaid."))
    service.add_event(case.id, "note", f"Called the employer.{HALF}")
    case = service.get_case(case.id)

    assert case.description == "Wages unpaid."
    assert (case.person.surname, case.person.given_names) == ("Құрманғалиқызы", "Әсел")
    assert case.person.surname_latin == "KURMANGALIKYZY"
    assert (case.person.iin, case.person.passport_no) == ("940315400123", "N12345678")
    assert case.person.phone_abroad == "+971 50 000 0000"
    assert any(e.text == "Called the employer." for e in case.events)
    found = PersonService(ws).find(f"N12345678{HALF}")
    assert [p.id for p in found] == [case.person.id]


def test_a_case_number_with_a_half_character_finds_its_case(ws: Workspace) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case())
    assert service.get_by_number(f"{case.number}{HALF}").id == case.id
