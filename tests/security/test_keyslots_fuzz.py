"""The key file ``keyslots.json``, fuzzed: any value at any place (wrong types, deep nesting,
huge numbers, NaN and Infinity, base64 that is not, salts of odd sizes, a KDF profile asking
for absurd memory), a cut or flipped file: reading it and signing in with it end in
``DatabaseError`` or ``AuthError``, change nothing in the data folder, and never call Argon2id
with parameters outside ``check_kdf_profile``'s limits.

The plain tests below the fuzzing are the cases it found."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import Paths
from app.errors import AuthError, DatabaseError
from app.security import keyslots
from app.security.keyslots import KdfProfile, KeySlotStore
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.fuzz_json import FUZZ, damaged_files
from tests.security.folder import folder_bytes


@pytest.fixture
def bounded_argon2(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[KdfProfile]]:
    """Argon2id that fails the test when asked for parameters outside the limits; the test
    profile's derivations are real, any other within the limits is done cheaply (a fuzzed
    slot asking for 1 GiB, within the limits, would make each example slow)."""
    calls: list[KdfProfile] = []

    def checked(salt: bytes, length: int, iterations: int, lanes: int, memory_cost: int) -> Any:
        profile = KdfProfile(memory_cost_kib=memory_cost, iterations=iterations, lanes=lanes)
        try:
            keyslots.check_kdf_profile(profile)
        except DatabaseError:  # an AssertionError: the fuzzed test catches DatabaseError
            raise AssertionError(f"Argon2id was asked for {profile}") from None
        assert keyslots.SALT_BYTES[0] <= len(salt) <= keyslots.SALT_BYTES[1]
        calls.append(profile)
        cheap = keyslots.TEST_PROFILE
        return Argon2id(
            salt=salt,
            length=length,
            iterations=cheap.iterations,
            lanes=cheap.lanes,
            memory_cost=cheap.memory_cost_kib,
        )

    monkeypatch.setattr(keyslots, "Argon2id", checked)
    yield calls


def _good_key_file(installation: Paths) -> dict[str, Any]:
    good: dict[str, Any] = json.loads(installation.keyslots.read_text(encoding="utf-8"))
    return good


def _read_everything(store: KeySlotStore) -> None:
    store.database_id()
    store.state()
    store.usernames()
    store.escrow()
    for username in ("admin", "aigul"):
        if store.has_slot(username):
            store.open_slot(username, PASSWORD)


def test_the_fuzzed_reads_open_the_good_file(
    installation: Paths, bounded_argon2: list[KdfProfile]
) -> None:
    """The check itself: the unchanged file reads, and opens with the test profile."""
    _read_everything(KeySlotStore(installation.keyslots))
    assert keyslots.TEST_PROFILE in bounded_argon2


@pytest.fixture(scope="module")
def good_document(template_installation: Paths) -> dict[str, Any]:
    return _good_key_file(template_installation)


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_a_damaged_key_file_is_read_or_refused_as_damaged(
    tmp_path: Path,
    good_document: dict[str, Any],
    bounded_argon2: list[KdfProfile],
    data: st.DataObject,
) -> None:
    path = tmp_path / "keyslots.json"
    path.write_bytes(data.draw(damaged_files(good_document)))
    try:
        _read_everything(KeySlotStore(path))
    except (DatabaseError, AuthError) as exc:
        assert str(exc)


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_signing_in_with_a_damaged_key_file_is_refused_and_changes_nothing(
    installation: Paths,
    good_document: dict[str, Any],
    bounded_argon2: list[KdfProfile],
    data: st.DataObject,
) -> None:
    installation.keyslots.write_bytes(data.draw(damaged_files(good_document)))
    before = folder_bytes(installation.data_dir)
    try:
        workspace = unlock(installation, "admin", PASSWORD)
    except (DatabaseError, AuthError) as exc:
        assert str(exc)
        assert folder_bytes(installation.data_dir) == before
    else:
        workspace.close()  # the change did not matter (an unknown key, a later timestamp)


# -- what the fuzzing found -------------------------------------------------------------------


def test_signing_in_with_a_key_file_holding_a_number_of_5000_digits_says_it_is_damaged(
    installation: Paths,
) -> None:
    """json.loads raises a plain ValueError (not JSONDecodeError) for an integer past Python's
    4,300-digit limit: the sign-in ended in "internal error"."""
    text = installation.keyslots.read_text(encoding="utf-8")
    assert '"key_epoch": 0' in text
    installation.keyslots.write_text(text.replace('"key_epoch": 0', '"key_epoch": ' + "9" * 5_000))
    before = folder_bytes(installation.data_dir)
    with pytest.raises(DatabaseError, match="The key file is damaged"):
        unlock(installation, "admin", PASSWORD)
    assert folder_bytes(installation.data_dir) == before


@pytest.mark.parametrize("where", ["database_id", "username"], ids=["database-id", "user-name"])
def test_signing_in_with_a_key_file_holding_a_lone_surrogate_says_it_is_damaged(
    installation: Paths, where: str
) -> None:
    """JSON's ``\\ud800`` reads as text UTF-8 cannot encode: the sign-in ended in
    UnicodeEncodeError when the key file's seal context or the attempts record encoded it."""
    data = _good_key_file(installation)
    if where == "database_id":
        data["database_id"] = "\ud800"
    else:
        data["slots"]["\ud800"] = data["slots"]["admin"]
    installation.keyslots.write_text(json.dumps(data), encoding="utf-8")
    before = folder_bytes(installation.data_dir)
    with pytest.raises(DatabaseError, match="The key file is damaged"):
        unlock(installation, "admin", PASSWORD)
    assert folder_bytes(installation.data_dir) == before
