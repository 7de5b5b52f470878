"""The published JSON Schemas are the ones the importer uses, and they are valid schemas."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from app.db.models import SYNC_MODELS
from app.exchange.fastcheck import (
    _AFTER_PATTERN,
    FORMAT_CHECKER,
    FORMATS,
    _ecma_pattern,
    compile_record,
    is_date,
    is_date_time,
    is_uuid,
)
from app.exchange.format import all_schemas
from app.exchange.records import BY_NAME, ENTITIES, TEXT_PATTERN, Codec, record_schema
from app.exchange.values import may_hold_control_character

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
    # A record whose JSON text cannot hold a control character skips the free-text pattern,
    # with the same verdict.
    if not may_hold_control_character(json.dumps(record, ensure_ascii=False).encode()):
        assert compile_record(schema, frozenset({TEXT_PATTERN}))(record) == check(record)


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


@pytest.mark.parametrize(
    ("check", "text", "valid"),
    [
        (is_date, "2026-11-20", True),
        (is_date, "2026-13-45", False),
        (is_date, "2026-02-30", False),
        (is_date, "2026-11-20\n", False),
        (is_date_time, "2026-11-20T10:00:00+00:00", True),
        (is_date_time, "2026-11-20T10:00:00.123456789Z", True),
        (is_date_time, "2026-11-20T25:00:00Z", False),
        (is_date_time, "2026-11-20T10:00:00", False),  # no offset: not RFC 3339
        (is_date_time, "yesterday", False),
        (is_uuid, "0b6c2f55-3f1b-4c59-9a43-6f1a2a1c0c01", True),
        (is_uuid, "0b6c2f553f1b4c599a436f1a2a1c0c01", False),
    ],
)
def test_formats(check: Callable[[str], bool], text: str, valid: bool) -> None:
    assert check(text) is valid
    assert (
        FORMAT_CHECKER.conforms(
            text, {is_date: "date", is_date_time: "date-time"}.get(check, "uuid")
        )
        is valid
    )


def test_every_code_column_names_its_codes() -> None:
    schemas = all_schemas()
    expected = {
        ("case", "channel"): "hq_transfer",
        ("case", "host_country"): None,
        ("person", "sex"): "female",
        ("case_event", "kind"): "status_change",
        ("partner_organisation", "kind"): "shelter",
        ("contract_review", "risk"): "critical",
        ("agreement", "kind"): "ilo_convention",
        ("letter", "status"): "issued",
        ("letter", "lang"): "kk",
    }
    for (entity, field), code in expected.items():
        schema = schemas[f"record.{entity}.schema.json"]["properties"][field]
        schema = schema.get("anyOf", [schema])[0]  # a nullable column: the non-null branch
        if code is None:
            assert schema == {"type": "string", "pattern": "^[A-Z]{2}$"}
        else:
            assert code in schema["enum"]
    person = schemas["record.person.schema.json"]["properties"]
    assert person["iin"]["anyOf"][0] == {"type": "string", "pattern": "^[0-9]{12}$"}
    assert person["citizenship"]["pattern"] == "^[A-Z]{2}$"


@pytest.mark.parametrize(("fmt", "pattern"), sorted(_AFTER_PATTERN))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_format_after_its_pattern_tests_what_the_pattern_left(
    fmt: str, pattern: str, data: st.DataObject
) -> None:
    """After a record pattern that gives the format's shape, the format's shortened test has
    the full test's verdict (impossible days and hours included)."""
    text = data.draw(st.from_regex(_ecma_pattern(pattern)))
    short = _AFTER_PATTERN[fmt, pattern]
    assert (short is None or short(text)) == FORMATS[fmt](text)


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("date", "2026-02-30"),
        ("date", "2026-13-01"),
        ("date-time", "2026-11-20T24:00:00+00:00"),
        ("date-time", "2026-11-31T10:00:00Z"),
        ("date-time", "2026-11-20T10:00:00+24:00"),
    ],
)
def test_a_record_with_an_impossible_date_of_the_right_shape_is_refused(
    fmt: str, text: str
) -> None:
    schema = record_schema(BY_NAME["case"])
    field = "received_at" if fmt == "date" else "updated_at"
    pattern = schema["properties"][field]["pattern"]
    assert _ecma_pattern(pattern).search(text)
    short = _AFTER_PATTERN[fmt, pattern]
    assert short is not None
    assert not short(text)
    assert not short(text)  # an impossible day is never kept as a real one
