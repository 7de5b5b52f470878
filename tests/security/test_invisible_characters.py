"""Invisible and direction-changing characters in names and free text.

A zero-width space makes «Айгерім\\u200b» another person to the duplicate check and to search,
and looks the same; a right-to-left override (U+202E) shows «Hanil» as «linaH» in the case
list, a letter or the audit log. Typed or pasted at a mission, text is cleaned (NFC, no
invisible character) and a direction control is refused with the field named; a spreadsheet
row with one is rejected with its line; a bundle whose record holds either is refused at HQ
before anything is written. Names stored before are compared and indexed without them.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from app.db import migrate
from app.db.models import Case, Employer, Person
from app.domain.matching import fold_typed, organisation_key
from app.domain.text import bare_text, clean_text, direction_control, unseen_character
from app.errors import ValidationError
from app.exchange.package import BundleRefused
from app.exchange.values import may_hold_control_character
from app.services.audit_text import details_in_words
from app.services.cases import CaseService
from app.services.csv_import import import_csv
from app.services.exchange import ExchangeService
from app.services.index_later import write_pending
from app.services.installation import unlock
from app.services.letters import LetterService
from app.services.people import PersonService
from app.services.search import index_cases
from app.services.workspace import Workspace
from tests.builders import ASSEL_IDENTIFIED, new_case
from tests.conftest import PASSWORD, count
from tests.integration.migration_helpers import downgraded
from tests.integration.test_exchange import hq_and_sel
from tests.security.forge import Forger, complete_record, new_id, record_of, unchanged

ZWSP = "\u200b"
RLO = "\u202e"
# «Қайрат» as a decomposing keyboard or a PDF's text layer writes it: «и» and a combining breve.
KAIRAT_DECOMPOSED = "Қаи\u0306рат"
# «İnşaat» with its dot and cedilla as combining marks.
INSAAT_DECOMPOSED = "I\u0307ns\u0327aat"


def test_clean_text_composes_and_drops_what_no_reader_sees() -> None:
    assert clean_text(f"Айгер{ZWSP}ім\ufeff") == "Айгерім"
    assert clean_text(KAIRAT_DECOMPOSED) == "Қайрат"
    assert clean_text(f"{INSAAT_DECOMPOSED} Ltd\u00ad") == "İnşaat Ltd"
    # A direction control stays: the caller refuses it or drops it.
    assert direction_control(clean_text(f"{RLO}Hanil")) == RLO
    assert bare_text(f"{RLO}Hanil{ZWSP}\u2069") == "Hanil"
    plain = "Әсел Құрманғалиқызы"
    assert clean_text(plain) == plain and direction_control(plain) is None


def test_names_compare_without_invisible_characters() -> None:
    assert fold_typed(f"Айгерім{ZWSP}") == fold_typed("Айгерім")
    assert fold_typed(KAIRAT_DECOMPOSED) == fold_typed("Қайрат")
    assert organisation_key(f"{RLO}Hanil{ZWSP} Co., Ltd.") == organisation_key("HANIL CO LTD")
    assert organisation_key(f"{INSAAT_DECOMPOSED} Ltd") == organisation_key("İnşaat")


# -- forms at a mission -------------------------------------------------------------------------


def test_a_form_saves_decomposed_and_zero_width_text_cleaned(ws: Workspace) -> None:
    person = replace(ASSEL_IDENTIFIED, surname=KAIRAT_DECOMPOSED, given_names=f"Айгерім{ZWSP}")
    case = new_case(person)
    employer = replace(case.employer, name=f"{INSAAT_DECOMPOSED}{ZWSP} Ltd")  # type: ignore[type-var]
    CaseService(ws).create_case(replace(case, employer=employer))

    with ws.read() as session:
        assert session.execute(select(Person.surname, Person.given_names)).one() == (
            "Қайрат",
            "Айгерім",
        )
        assert session.execute(select(Employer.name)).scalar_one() == "İnşaat Ltd"
    # The same worker typed plainly is the same worker; the name as typed finds her.
    plain = replace(ASSEL_IDENTIFIED, surname="Қайрат", given_names="Айгерім", iin=None)
    plain = replace(plain, passport_no=None, birth_date=date(1994, 3, 15))
    duplicates = PersonService(ws).duplicates(plain)
    assert [m.reasons for m in duplicates] == [("same name and date of birth",)]
    assert [p.surname for p in PersonService(ws).find("Айгерім")] == ["Қайрат"]


def test_an_iin_and_a_passport_number_pasted_with_unseen_characters_are_their_digits(
    ws: Workspace,
) -> None:
    pasted = replace(
        ASSEL_IDENTIFIED, iin=f"{RLO}940315400123{ZWSP}", passport_no=f"N1234{ZWSP}5678"
    )
    CaseService(ws).create_case(new_case(pasted))
    with ws.read() as session:
        assert session.execute(select(Person.iin, Person.passport_no)).one() == (
            "940315400123",
            "N12345678",
        )


@pytest.mark.parametrize("where", ["surname", "employer", "description"])
def test_a_form_refuses_a_direction_control_and_writes_nothing(ws: Workspace, where: str) -> None:
    case = new_case()
    if where == "surname":
        case = replace(case, person=replace(ASSEL_IDENTIFIED, surname=f"{RLO}ызықилағнамрұҚ"))
    elif where == "employer":
        employer = replace(case.employer, name=f"Hanil {RLO}dtL oC")  # type: ignore[type-var]
        case = replace(case, employer=employer)
    else:
        case = replace(case, description=f"Wages paid {RLO}in full\u202c.")

    with pytest.raises(ValidationError, match="U\\+202E") as refused:
        CaseService(ws).create_case(case)

    assert "reverses the text" in str(refused.value)
    assert RLO not in str(refused.value)
    assert count(ws, Case) == 0 and count(ws, Person) == 0 and count(ws, Employer) == 0


def test_a_name_stored_before_is_still_a_duplicate_and_found(ws: Workspace) -> None:
    CaseService(ws).create_case(new_case())
    # As an older Qorgau stored a pasted name: a zero-width space inside it.
    with ws.write() as session:
        person = session.execute(select(Person)).scalar_one()
        person.given_names = f"Ә{ZWSP}сел"
        session.flush()
        index_cases(session, session.execute(select(Case.id)).scalars().all())

    again = replace(ASSEL_IDENTIFIED, iin=None, passport_no=None, birth_date=date(1994, 3, 15))
    assert [m.reasons for m in PersonService(ws).duplicates(again)] == [
        ("same name and date of birth",)
    ]
    assert len(CaseService(ws).search("Әсел Құрманғалиқызы")) == 1
    assert [p.given_names for p in PersonService(ws).find("Әсел")] == [f"Ә{ZWSP}сел"]


# -- a legacy register --------------------------------------------------------------------------

HEAD = "surname,given_names,birth_date,host_country,categories,received_at,employer\r\n"


def test_a_register_row_with_a_direction_control_is_rejected_by_its_line(ws: Workspace) -> None:
    rows = (
        "Сидоров,Әсел,1994-03-15,TR,unpaid_wages,2026-11-22,Hanil Ltd\r\n"
        f"{RLO}вонаксИ,Нұрлан,1990-05-04,TR,unpaid_wages,2026-11-22,Hanil Ltd\r\n"
    )
    report = import_csv(ws, (HEAD + rows).encode("utf-8"))

    assert report.imported == 0 and [r.line for r in report.rejected] == [3]
    (rejected,) = report.rejected
    assert rejected.field == "surname" and "U+202E" in rejected.reason
    assert count(ws, Case) == 0 and count(ws, Person) == 0


def test_a_register_row_with_invisible_characters_is_imported_clean(ws: Workspace) -> None:
    row = f"Сидоров{ZWSP},{KAIRAT_DECOMPOSED},1994-03-15,TR,unpaid_wages,2026-11-22,Hanil\ufeff\r\n"
    report = import_csv(ws, (HEAD + row).encode("utf-8"))

    assert report.imported == 1 and not report.rejected
    with ws.read() as session:
        assert session.execute(select(Person.surname, Person.given_names)).one() == (
            "Сидоров",
            "Қайрат",
        )
        assert session.execute(select(Employer.name)).scalar_one() == "Hanil"


# -- a bundle from a compromised mission --------------------------------------------------------


def test_hq_refuses_a_record_disguised_by_invisible_or_direction_characters(
    tmp_path: Path,
) -> None:
    with hq_and_sel(tmp_path) as (hq, sel):
        sel.cases.create_case(new_case())
        sel.exchange.export_cases(tmp_path / "first.qbundle", [hq.recipient])
        hq.exchange.import_bundle(tmp_path / "first.qbundle")
        held = record_of(sel, "person", Person.iin == ASSEL_IDENTIFIED.iin)

        # A second «Құрманғалиқызы Әсел», born the same day, whom a zero-width space keeps
        # apart from the IIN holder HQ has on file.
        twin = complete_record(
            "person",
            {
                **{k: v for k, v in held.items() if k not in ("iin", "passport_no")},
                "id": new_id(),
                "version": 1,
                "surname": f"Құрманғалиқызы{ZWSP}",
            },
        )
        employer = complete_record(
            "employer",
            {
                "id": new_id(),
                "origin_mission": "SEL",
                "version": 1,
                "updated_at": held["updated_at"],
                "name": f"Hanil {RLO}dtL oC",
                "country": "TR",
            },
        )
        forger = Forger(sel)
        for name, records, message in (
            ("twin", {"person": [twin]}, "surname .*invisible character U\\+200B"),
            ("rlo", {"employer": [employer]}, "field name .*direction control U\\+202E"),
        ):
            bundle = forger.bundle(tmp_path / f"{name}.qbundle", records, [hq.recipient])
            with unchanged(hq), pytest.raises(BundleRefused, match=message) as refused:
                hq.exchange.import_bundle(bundle)
            assert ZWSP not in str(refused.value) and RLO not in str(refused.value)
        with hq.ws.read() as session:
            assert session.execute(select(Person.surname)).scalars().all() == ["Құрманғалиқызы"]


# -- a letter -----------------------------------------------------------------------------------


def test_a_letter_prints_a_name_stored_with_a_direction_control_as_written(ws: Workspace) -> None:
    case = CaseService(ws).create_case(new_case())
    with ws.write() as session:  # as an older Qorgau stored a pasted name
        session.execute(select(Employer)).scalar_one().name = f"Hanil {RLO}dtL oC"
    letters = LetterService(ws)

    fields = letters.defaults(case.id, "employer_letter", "en")
    pdf = letters.preview_for_case(case.id, "employer_letter", "en", fields)

    assert fields.addressee is not None and fields.addressee.organisation == "Hanil dtL oC"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Hanil dtL oC" in text and RLO not in text


# -- names stored before ------------------------------------------------------------------------


def test_names_stored_before_are_cleaned_found_and_reach_hq(tmp_path: Path) -> None:
    with hq_and_sel(tmp_path) as (hq, sel):
        sel.cases.create_case(new_case())
        sel.exchange.export_cases(tmp_path / "first.qbundle", [hq.recipient])
        hq.exchange.import_bundle(tmp_path / "first.qbundle")
        # As an older Qorgau stored pasted names: written past the models.
        with sel.ws.write() as session:
            session.execute(text("UPDATE person SET given_names = :g"), {"g": f"Ә{ZWSP}сел"})
            session.execute(
                text("UPDATE employer SET name = :n"), {"n": f"{INSAAT_DECOMPOSED} {RLO}dtL"}
            )
            before = session.execute(select(Person.version, Person.change_seq)).one()
        db = downgraded(sel.paths, sel.ws, "0027")
        try:
            with db.engine.begin() as connection:
                migrate.upgrade_to(connection, "head")
                person = connection.execute(
                    text("SELECT given_names, version, change_seq FROM person")
                ).one()
                employer = connection.execute(text("SELECT name, name_key FROM employer")).one()
        finally:
            db.dispose()

        assert person.given_names == "Әсел" and person.version == before.version + 1
        assert person.change_seq > before.change_seq
        assert tuple(employer) == ("İnşaat dtL", organisation_key("İnşaat dtL"))
        ws = unlock(sel.paths, "admin", PASSWORD)
        try:
            assert write_pending(ws) == 1  # the case's search row, written again
            assert len(CaseService(ws).search("Әсел Құрманғалиқызы")) == 1
            ExchangeService(ws).export_cases(tmp_path / "second.qbundle", [hq.recipient])
        finally:
            ws.close()
        hq.exchange.import_bundle(tmp_path / "second.qbundle")  # refused before: U+200B
        with hq.ws.read() as session:
            assert session.execute(select(Person.given_names)).scalar_one() == "Әсел"
            assert session.execute(select(Employer.name)).scalar_one() == "İnşaat dtL"


def test_the_audit_log_names_a_direction_control_it_holds() -> None:
    """An entry cannot change: one written before the rule shows where the control stood."""
    words = details_in_words("case.update", {"reason": f"Paid {RLO}lluf ni"})
    assert words == "Reason: Paid ⟨U+202E⟩lluf ni"


def test_the_bundle_prefilter_misses_no_unseen_character() -> None:
    """The byte search that skips the value-by-value check of most records lets none through."""
    unseen = [chr(c) for c in range(0x80, 0x10000) if unseen_character(chr(c))]
    assert {"\u00ad", "\u061c", ZWSP, RLO, "\u2069", "\ufeff"} <= set(unseen)
    for char in unseen:
        line = json.dumps({"surname": f"Айгерім{char}"}, ensure_ascii=False).encode()
        assert may_hold_control_character(line), f"U+{ord(char):04X}"
    plain = json.dumps({"description": "Зарплата — «не выплачена»…"}, ensure_ascii=False)
    assert not may_hold_control_character(plain.encode())


def test_a_file_named_with_a_direction_control_is_kept_with_the_control_marked(
    ws: Workspace,
) -> None:
    """A file's name is chosen, not typed: the file is kept, the disguise undone and marked."""
    case = CaseService(ws).create_case(new_case())
    info = CaseService(ws).add_attachment(case.id, f"invoice{RLO}fdp.exe", b"MZ")
    assert info.filename == "invoice_fdp.exe"
