"""Reference files HQ sends or an officer names, fuzzed: the agreement library and the
host-country table (``agreement update FILE``, and the agreements bundle), and a signed audit
head (``audit verify --head FILE``). Each is read or refused with a ValidationError in the
user's words; no other exception comes out.

The plain tests below the fuzzing are the cases it found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from app.agreements.library import parse_library_bytes
from app.errors import ValidationError
from app.resources import resource_path
from app.security.audit_anchor import HEAD_FORMAT
from app.services.audit_log import read_head_file
from app.services.legal_tables import document_format, parse_host_countries_bytes
from tests.fuzz_json import FUZZ as SHARED_FUZZ
from tests.fuzz_json import damaged_files

FUZZ = settings(SHARED_FUZZ, max_examples=60)
LIBRARY = json.loads(resource_path("agreements", "library.json").read_text(encoding="utf-8"))
HOST_COUNTRIES = json.loads(
    resource_path("contracts", "host_countries.json").read_text(encoding="utf-8")
)
HEAD = {
    "format": HEAD_FORMAT,
    "mission": "SEL",
    "seq": 12,
    "hash": "ab" * 32,
    "signed_at": "2026-11-24T09:00:00+00:00",
    "signature": "c2lnbmVk",
    "entries": 12,
}


def read_or_refuse(read: Any, raw: Any) -> None:
    try:
        read(raw)
    except ValidationError as exc:
        assert str(exc)


@FUZZ
@given(raw=damaged_files(LIBRARY))
def test_a_damaged_agreement_library_is_read_or_refused_in_words(raw: bytes) -> None:
    found = document_format(raw)
    assert found is None or isinstance(found, str)
    read_or_refuse(parse_library_bytes, raw)


@FUZZ
@given(raw=damaged_files(HOST_COUNTRIES))
def test_a_damaged_host_country_table_is_read_or_refused_in_words(raw: bytes) -> None:
    found = document_format(raw)
    assert found is None or isinstance(found, str)
    read_or_refuse(parse_host_countries_bytes, raw)


@FUZZ
@given(raw=damaged_files(HEAD))
def test_a_damaged_audit_head_file_is_read_or_refused_in_words(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "head.json"
    path.write_bytes(raw)
    read_or_refuse(read_head_file, path)


# -- what the fuzzing found -------------------------------------------------------------------

_UNREADABLE = [b"[" * 30_000 + b"]" * 30_000, b'{"format": ' + b"9" * 5_000 + b"}"]
_IDS = ["nested-30000-deep", "number-of-5000-digits"]


@pytest.mark.parametrize("raw", _UNREADABLE, ids=_IDS)
def test_an_agreement_library_json_cannot_hold_is_refused_in_words(raw: bytes) -> None:
    """RecursionError or ValueError (Python's 4,300-digit limit) came out of the update."""
    assert document_format(raw) is None
    with pytest.raises(ValidationError, match="The JSON cannot be read"):
        parse_library_bytes(raw)
    with pytest.raises(ValidationError, match="host-country table is not valid UTF-8 JSON"):
        parse_host_countries_bytes(raw)


@pytest.mark.parametrize("raw", _UNREADABLE, ids=_IDS)
def test_an_audit_head_json_cannot_hold_is_refused_in_words(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "head.json"
    path.write_bytes(raw)
    with pytest.raises(ValidationError, match="The head file is not valid JSON"):
        read_head_file(path)
