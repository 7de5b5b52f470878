"""What a name and a phone number accept, the same from the desktop's forms (the services
they save through), the command line's JSON and a CSV register, and what HQ takes from a
mission's bundle. A name pasted across two lines (a spreadsheet cell, a PDF) is kept on one,
its break the space a reader sees; a phone number is digits, spaces and + ( ) - ., and words
in its place are refused with the field (and a register's line) named, nothing written."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import Case, Employer, Person
from app.errors import ValidationError
from app.services import validation
from app.services.cases import CaseService
from app.services.csv_import import import_csv
from app.services.records import OrganisationInput
from app.services.workspace import Workspace
from tests.builders import ASSEL_IDENTIFIED, ASSEL_JSON, new_case
from tests.conftest import PASSWORD, count
from tests.integration.cli_helpers import run_cli
from tests.integration.test_exchange import hq_and_sel
from tests.security.forge import Forger, complete_record, record_of

PASTED = replace(ASSEL_IDENTIFIED, surname="Құрманғалиқызы\r\n", given_names="Әсел\n\tНұрлан")
EMPLOYER = OrganisationInput(name="Daesung\nMetal\x0bCo", country="TR", city="Istanbul")


@pytest.mark.parametrize(
    "typed",
    ["+82 10 1234 5678", "8 (701) 123-45-67", "00 90.532.000.0000", "  +7 701 000 0000\n"],
)
def test_a_phone_number_as_people_write_it_is_taken(typed: str) -> None:
    assert validation.phone(typed, "phone", "Phone") == " ".join(typed.split())


@pytest.mark.parametrize(
    "typed",
    ["WhatsApp only", "+82 10 1234 5678 / +82 10 8765 4321", "12", "7+701", "1" * 18, "٠٥٠١٢٣"],
)
def test_anything_else_in_a_phone_field_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="is not a phone number") as refused:
        validation.phone(typed, "phone_abroad", "Phone abroad")
    assert refused.value.field == "phone_abroad"


def test_a_form_keeps_a_pasted_name_on_one_line(ws: Workspace) -> None:
    CaseService(ws).create_case(new_case(PASTED, employer=EMPLOYER))
    with ws.read() as session:
        assert session.execute(select(Person.surname, Person.given_names)).one() == (
            "Құрманғалиқызы",
            "Әсел Нұрлан",
        )
        assert session.execute(select(Employer.name)).scalar_one() == "Daesung Metal Co"


@pytest.mark.parametrize("where", ["phone_abroad", "phone_home", "employer"])
def test_a_form_refuses_words_for_a_phone_and_writes_nothing(ws: Workspace, where: str) -> None:
    if where == "employer":
        case = new_case(employer=replace(EMPLOYER, phone="call her sister"))
    else:
        case = new_case(replace(ASSEL_IDENTIFIED, **{where: "call her sister"}))
    with pytest.raises(ValidationError, match="“call her sister” is not a phone number") as no:
        CaseService(ws).create_case(case)
    assert no.value.field == ("phone" if where == "employer" else where)
    assert count(ws, Case) == 0 and count(ws, Person) == 0 and count(ws, Employer) == 0


def test_the_command_line_s_json_folds_names_and_refuses_a_phone_of_words(
    installation: Paths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    ws: Workspace,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("QORGAU_USER", "aigul")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    case = {
        "person": {**ASSEL_JSON, "given_names": "Әсел\nНұрлан", "phone": "WhatsApp only"},
        "employer": {"name": "Example\nİnşaat Ltd", "country": "TR", "city": "Istanbul"},
        "host_country": "TR",
        "categories": ["unpaid_wages"],
        "received_at": "2026-11-20",
    }
    path = tmp_path / "case.json"
    add = ("--data-dir", str(installation.data_dir), "case", "add", "--json", str(path))
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    refused = run_cli(capsys, *add)
    assert refused.code == 1 and "“WhatsApp only” is not a phone number" in refused.err
    assert count(ws, Case) == 0

    case["person"]["phone"] = "+90 532 000 0000"  # type: ignore[index]
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    assert run_cli(capsys, *add).code == 0
    with ws.read() as session:
        assert session.execute(select(Person.given_names)).scalar_one() == "Әсел Нұрлан"
        assert session.execute(select(Employer.name)).scalar_one() == "Example İnşaat Ltd"


HEAD = "surname,given_names,birth_date,host_country,categories,received_at,employer,phone\r\n"


def test_a_register_keeps_a_two_line_cell_on_one_line_and_rejects_a_phone_by_its_line(
    ws: Workspace,
) -> None:
    good = (
        '"Әбенова\nСидорова",Әсел,1994-03-15,TR,unpaid_wages,2026-11-22,'
        '"Hanil\r\nLtd",+90 532 1112233\r\n'
    )
    bad = "Исқақов,Нұрлан,1990-05-04,TR,unpaid_wages,2026-11-22,Hanil Ltd,see the note\r\n"
    report = import_csv(ws, (HEAD + good + bad).encode("utf-8"))

    assert report.imported == 0 and [r.line for r in report.rejected] == [3]
    (rejected,) = report.rejected
    assert rejected.field == "phone_abroad"
    assert rejected.reason.startswith("Phone abroad: “see the note” is not a phone number")
    assert count(ws, Case) == 0

    assert import_csv(ws, (HEAD + good).encode("utf-8")).imported == 1
    with ws.read() as session:
        assert session.execute(select(Person.surname, Person.phone_abroad)).one() == (
            "Әбенова Сидорова",
            "+90 532 1112233",
        )
        assert session.execute(select(Employer.name)).scalar_one() == "Hanil Ltd"


def test_hq_takes_an_older_mission_s_name_on_two_lines_and_phone_in_words(
    tmp_path: Path,
) -> None:
    """A record the mission's earlier version let through: genuine, signed, and kept as
    sent (module docstring of ``app.exchange.values``): one stray line break does not stop the
    mission's bundle."""
    with hq_and_sel(tmp_path) as (hq, sel):
        sel.cases.create_case(new_case())
        sel.exchange.export_cases(tmp_path / "first.qbundle", [hq.recipient])
        hq.exchange.import_bundle(tmp_path / "first.qbundle")
        held = record_of(sel, "person", Person.iin == ASSEL_IDENTIFIED.iin)
        older = complete_record(
            "person",
            {**held, "version": held["version"] + 1, "given_names": "Әсел\nНұрлан"}
            | {"phone_abroad": "WhatsApp only"},
        )
        bundle = Forger(sel).bundle(tmp_path / "older.qbundle", {"person": [older]}, [hq.recipient])
        hq.exchange.import_bundle(bundle)
        with hq.ws.read() as session:
            assert session.execute(select(Person.given_names, Person.phone_abroad)).one() == (
                "Әсел\nНұрлан",
                "WhatsApp only",
            )
