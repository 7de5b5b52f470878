"""The other JSON files Qorgau reads from its data folder, and the JSON the command line takes,
fuzzed: HQ's workstation secrets (``hq-secrets.json``), the database server's settings
(``server.json``) and ``--json FILE`` (a case, contract terms, a returnee). Each is read, or
refused in words (the secrets file reads as holding nothing, as a damaged one always did);
no other exception comes out. The key file and the sign-in record have their own tests
(test_keyslots_fuzz.py, test_login_attempts_fuzz.py).

The plain tests below the fuzzing are the cases it found."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli.common import read_json_argument
from app.config import SERVER_FILENAME
from app.db.postgres import ServerConfig
from app.errors import DatabaseError, ValidationError
from app.security.hq_secrets import SIGNING_KEY, WORKSTATION_FILE, workstation_secret
from app.security.keyring_store import SecretStore
from tests.fuzz_json import FUZZ as SHARED_FUZZ
from tests.fuzz_json import damaged_files

FUZZ = settings(SHARED_FUZZ, max_examples=50)
SECRETS = {
    "age_identity": base64.b64encode(b"AGE-SECRET-KEY-1" + bytes(40)).decode("ascii"),
    SIGNING_KEY: base64.b64encode(b"-----BEGIN PRIVATE KEY-----").decode("ascii"),
}
SERVER = {"host": "db.hq.local", "port": 5432, "database": "qorgau", "sslmode": "require"}
CASE = {
    "person": {"surname": "Құрманғалиқызы", "given_names": "Әсел", "iin": "940315400123"},
    "host_country": "TR",
    "categories": ["unpaid_wages"],
    "received_at": "2026-11-20",
}


@FUZZ
@given(raw=damaged_files(SECRETS))
def test_a_damaged_workstation_secrets_file_reads_as_holding_nothing_or_its_keys(
    tmp_path: Path, raw: bytes
) -> None:
    (tmp_path / WORKSTATION_FILE).write_bytes(raw)
    found = workstation_secret(tmp_path, "db-id", SIGNING_KEY, SecretStore())
    assert found is None or isinstance(found, bytes)


@FUZZ
@given(raw=damaged_files(SERVER))
def test_damaged_server_settings_are_read_or_refused_in_words(tmp_path: Path, raw: bytes) -> None:
    (tmp_path / SERVER_FILENAME).write_bytes(raw)
    try:
        config = ServerConfig.load(tmp_path)
    except DatabaseError as exc:
        assert "cannot be read" in str(exc)
    else:
        assert config is not None
        assert isinstance(config.host, str) and 0 < config.port < 65536


@FUZZ
@given(raw=st.one_of(damaged_files(CASE), st.binary(max_size=200)))
def test_damaged_json_given_on_the_command_line_is_read_or_refused_in_words(
    tmp_path: Path, raw: bytes
) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(raw)
    try:
        value = read_json_argument(str(path), 1_000_000, "too large")
    except ValidationError as exc:
        assert str(exc)
    else:
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # text a record can hold


# -- what the fuzzing found -------------------------------------------------------------------

_DEEP = "[" * 50_000 + "]" * 50_000


def test_a_workstation_secrets_file_nested_50000_deep_reads_as_holding_nothing(
    tmp_path: Path,
) -> None:
    """RecursionError came out of reading it: HQ's import and signing stopped with an
    internal error instead of saying the key is not on this computer."""
    (tmp_path / WORKSTATION_FILE).write_text(_DEEP, encoding="utf-8")
    assert workstation_secret(tmp_path, "db-id", SIGNING_KEY, SecretStore()) is None


@pytest.mark.parametrize(
    "text",
    [
        _DEEP,
        '{"host": "db", "port": Infinity, "database": "qorgau"}',
        '{"host": "db", "port": 99999999, "database": "qorgau"}',
        '{"host": ["db"], "port": 5432, "database": "qorgau"}',
    ],
    ids=["nested-50000-deep", "port-infinity", "port-out-of-range", "host-a-list"],
)
def test_damaged_server_settings_are_refused_in_words(tmp_path: Path, text: str) -> None:
    """RecursionError and OverflowError (int(Infinity)) came out of the sign-in at an HQ on a
    database server; a port or a host that is none went on to the connection."""
    (tmp_path / SERVER_FILENAME).write_text(text, encoding="utf-8")
    with pytest.raises(DatabaseError, match="database server settings .* cannot be read"):
        ServerConfig.load(tmp_path)


@pytest.mark.parametrize(
    "text",
    [_DEEP, '{"n": ' + "9" * 5_000 + "}", '{"person": {"surname": "\\ud800"}}'],
    ids=["nested-50000-deep", "number-of-5000-digits", "lone-surrogate"],
)
def test_json_on_the_command_line_that_json_cannot_hold_is_refused_in_words(
    tmp_path: Path, text: str
) -> None:
    """RecursionError, ValueError (Python's 4,300-digit limit) or, for a lone surrogate, a
    UnicodeEncodeError when the text reached the database: each an "internal error"."""
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="The JSON cannot be read"):
        read_json_argument(str(path))
