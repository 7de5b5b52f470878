"""The published JSON Schemas are the ones the importer uses, and they are valid schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from app.db.models import SYNC_MODELS
from app.exchange.fastcheck import compile_record
from app.exchange.format import all_schemas
from app.exchange.records import BY_NAME, ENTITIES, Codec, record_schema

DOCS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


@pytest.mark.parametrize("name", sorted(all_schemas()))
def test_published_schema_matches_the_code(name: str) -> None:
    published = json.loads((DOCS / name).read_text(encoding="utf-8"))
    assert published == all_schemas()[name], (
        "regenerate with: python -c 'from app.exchange.format import write_schemas; "
        'write_schemas("docs/schemas")\''
    )
    Draft202012Validator.check_schema(published)


def test_no_stray_schema_files() -> None:
    assert sorted(p.name for p in DOCS.glob("*.json")) == sorted(all_schemas())


def test_every_synchronised_table_travels() -> None:
    assert {e.model for e in ENTITIES} == set(SYNC_MODELS)


def test_local_columns_and_blobs_never_travel() -> None:
    assert "change_seq" not in Codec(BY_NAME["case"]).names
    assert "content" not in Codec(BY_NAME["attachment"]).names
    assert "pdf" not in Codec(BY_NAME["letter"]).names
    mission = Codec(BY_NAME["mission"]).names
    assert not {"signing_public_key", "age_recipient", "is_local", "is_hq"} & set(mission)


def test_case_schema_names_the_stable_codes() -> None:
    properties = all_schemas()["record.case.schema.json"]["properties"]
    assert properties["status"]["enum"][0] == "new"
    assert "trafficking_forced_labour" in properties["categories"]["items"]["enum"]
    assert properties["ilo_indicators"]["items"]["enum"][-1] == "excessive_overtime"


# -- the compiled check agrees with jsonschema --------------------------------------------------

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=3),
    st.sampled_from(["2026-11-20", "2026-11-20T10:00:00+00:00", "12.50", "new", "other"]),
    st.sampled_from(["0b6c2f55-3f1b-4c59-9a43-6f1a2a1c0c01", "a" * 64, "x" * 400]),
    st.lists(st.sampled_from(["unpaid_wages", "violence", "nope"]), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


@pytest.mark.parametrize("entity", ["case", "attachment", "letter", "person"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_compiled_check_agrees_with_jsonschema(entity: str, data: st.DataObject) -> None:
    schema = record_schema(BY_NAME[entity])
    validator = Draft202012Validator(schema)
    check = compile_record(schema)
    names = sorted(schema["properties"])
    record = {n: data.draw(_VALUES, label=n) for n in names}
    drop = data.draw(st.sets(st.sampled_from(names), max_size=1))
    for name in drop:
        del record[name]
    if check(record):
        assert validator.is_valid(record)
    # The compiled check is stricter in one way only: 1.0 is no integer for it.
    elif validator.is_valid(record):
        assert any(type(v) is float for v in record.values())


def test_compiled_check_refuses_what_it_cannot_compile() -> None:
    with pytest.raises(TypeError, match="cannot compile"):
        compile_record(
            {
                "type": "object",
                "properties": {"a": {"format": "email"}},
                "required": ["a"],
                "additionalProperties": False,
            }
        )
