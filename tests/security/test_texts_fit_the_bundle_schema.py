"""Text a mission may store but HQ refuses in its bundle: one record stopped the whole bundle.

HQ refuses a bundle any of whose records breaks the schema, as it must for a forged one. A
mission's letterhead (city, name, address, phone, e-mail, typed once at setup and edited
nowhere afterwards) had no bound at all, and a person's surname was taken up to 200
characters where the schema holds 120: one long address, or one surname pasted with a note
after it, and HQ refused every case of the bundle, with a message quoting the person's name.
Each is now bounded where it is typed, as the schema bounds it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import update

from app.config import Paths
from app.db.models import Person
from app.domain.mission_record import MISSION_TEXT_LIMITS
from app.errors import ValidationError
from app.exchange.package import BundleRefused
from app.services.installation import MissionSetup, init_installation, unlock
from tests.builders import ASSEL_IDENTIFIED, new_case
from tests.conftest import PASSWORD
from tests.integration.test_exchange import Site, hq_and_sel, link, make_site

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def _max_lengths(record: str) -> dict[str, int]:
    schema = json.loads((SCHEMAS / f"record.{record}.schema.json").read_text(encoding="utf-8"))
    found = {}
    for name, rule in schema["properties"].items():
        for option in [rule, *rule.get("anyOf", []), *rule.get("oneOf", [])]:
            if isinstance(option, dict) and "maxLength" in option:
                found[name] = option["maxLength"]
    return found


def test_the_bounds_are_the_schemas() -> None:
    mission = _max_lengths("mission")
    assert {name: mission[name] for name in MISSION_TEXT_LIMITS} == MISSION_TEXT_LIMITS
    assert _max_lengths("person")["surname"] == 120


def test_texts_at_their_bounds_reach_hq(tmp_path: Path) -> None:
    hq = make_site(tmp_path, "AST", "KZ", "Astana", True)
    paths = Paths(tmp_path / "sel")
    longest = {name: "Ә" * limit for name, limit in MISSION_TEXT_LIMITS.items()}
    init_installation(paths, MissionSetup("SEL", "KR", **longest), "admin", PASSWORD)
    sel = Site(paths, unlock(paths, "admin", PASSWORD))
    try:
        link(hq, sel)
        sel.cases.create_case(new_case(replace(ASSEL_IDENTIFIED, surname="Қ" * 120)))
        sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
        report = hq.exchange.import_bundle(tmp_path / "sel.qbundle")
        assert report.per_entity["case"]["new"] == 1
    finally:
        sel.ws.close()
        hq.ws.close()


@pytest.mark.parametrize("name", sorted(MISSION_TEXT_LIMITS))
def test_a_letterhead_text_hq_would_refuse_is_refused_at_setup(tmp_path: Path, name: str) -> None:
    paths = Paths(tmp_path / "sel")
    texts = {"city": "Seoul", name: "x" * (MISSION_TEXT_LIMITS[name] + 1)}
    with pytest.raises(ValidationError, match="is too long") as refused:
        init_installation(paths, MissionSetup("SEL", "KR", **texts), "admin", PASSWORD)
    assert refused.value.field == name
    assert not paths.data_dir.exists() or not any(paths.data_dir.iterdir())


def test_a_surname_hq_would_refuse_is_refused_where_it_is_typed(tmp_path: Path) -> None:
    sel = make_site(tmp_path, "SEL", "KR", "Seoul")
    try:
        with pytest.raises(ValidationError, match="Surname is too long") as refused:
            sel.cases.create_case(new_case(replace(ASSEL_IDENTIFIED, surname="Қ" * 121)))
        assert refused.value.field == "surname"
        assert sel.cases.list_cases() == []
    finally:
        sel.ws.close()


def test_hq_names_the_field_and_its_bound_without_quoting_the_value(tmp_path: Path) -> None:
    """A record an older version stored too long: HQ's refusal said jsonschema's English and
    quoted the value whole (here a person's name; a description could be a megabyte)."""
    with hq_and_sel(tmp_path) as (hq, sel):
        sel.cases.create_case(new_case(ASSEL_IDENTIFIED))
        name = "Құрманғалиқызы" * 10
        with sel.ws.write() as session:  # as an older version let it be stored
            session.execute(update(Person).values(surname=name))
        sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])

        with pytest.raises(BundleRefused) as refused:
            hq.exchange.import_bundle(tmp_path / "sel.qbundle")

    assert str(refused.value) == (
        "Record 1 of records/person.jsonl breaks the schema: surname: longer than 120 characters"
    )
    assert "Құрманғалиқызы" not in str(refused.value)
