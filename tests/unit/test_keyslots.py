from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import AuthError, DatabaseError, ValidationError
from app.security.keyslots import TEST_PROFILE, KeySlotStore, new_database_key


def store(tmp_path: Path) -> KeySlotStore:
    return KeySlotStore(tmp_path / "keyslots.json", TEST_PROFILE)


def test_round_trip_and_second_user(tmp_path: Path) -> None:
    key = new_database_key()
    slots = store(tmp_path)
    slots.create("admin", "first password", key)
    slots.set_slot("aigul", "second password", key)
    assert slots.unlock("admin", "first password") == key
    assert slots.unlock("aigul", "second password") == key
    assert slots.usernames() == ["admin", "aigul"]
    raw = (tmp_path / "keyslots.json").read_text()
    assert key.hex() not in raw and "first password" not in raw


def test_wrong_password_and_unknown_user_say_the_same(tmp_path: Path) -> None:
    slots = store(tmp_path)
    slots.create("admin", "first password", new_database_key())
    with pytest.raises(AuthError) as wrong:
        slots.unlock("admin", "First password")
    with pytest.raises(AuthError) as unknown:
        slots.unlock("nobody", "first password")
    assert str(wrong.value) == str(unknown.value) == "Wrong user name or password."


def test_password_change_rewraps_only_that_slot(tmp_path: Path) -> None:
    key = new_database_key()
    slots = store(tmp_path)
    slots.create("admin", "first password", key)
    slots.set_slot("aigul", "second password", key)
    before = json.loads((tmp_path / "keyslots.json").read_text())["slots"]["admin"]
    slots.set_slot("aigul", "a new password", key)
    after = json.loads((tmp_path / "keyslots.json").read_text())["slots"]
    assert after["admin"] == before
    with pytest.raises(AuthError):
        slots.unlock("aigul", "second password")
    assert slots.unlock("aigul", "a new password") == key


def test_slot_copied_to_another_user_does_not_open(tmp_path: Path) -> None:
    key = new_database_key()
    slots = store(tmp_path)
    slots.create("admin", "first password", key)
    slots.set_slot("aigul", "second password", key)
    data = json.loads((tmp_path / "keyslots.json").read_text())
    data["slots"]["aigul"] = data["slots"]["admin"]
    (tmp_path / "keyslots.json").write_text(json.dumps(data))
    with pytest.raises(AuthError):
        slots.unlock("aigul", "first password")


def test_removed_slot_no_longer_opens(tmp_path: Path) -> None:
    key = new_database_key()
    slots = store(tmp_path)
    slots.create("admin", "first password", key)
    slots.set_slot("aigul", "second password", key)
    slots.remove_slot("aigul")
    with pytest.raises(AuthError):
        slots.unlock("aigul", "second password")


def test_short_password_refused(tmp_path: Path) -> None:
    slots = store(tmp_path)
    slots.create("admin", "first password", new_database_key())
    with pytest.raises(ValidationError, match="at least 8 characters"):
        slots.set_slot("aigul", "short", new_database_key())
    assert slots.usernames() == ["admin"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "damaged"),
        ('{"format": 99, "slots": {}}', "known version"),
        ('{"format": 1, "database_id": "x", "slots": {"admin": {"kdf": {}}}}', "damaged"),
    ],
)
def test_damaged_key_file(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "keyslots.json").write_text(content)
    with pytest.raises(DatabaseError, match=message):
        store(tmp_path).unlock("admin", "first password")


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="missing"):
        store(tmp_path).unlock("admin", "first password")


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    slots = store(tmp_path)
    slots.create("admin", "first password", new_database_key())
    for i in range(3):
        slots.set_slot(f"user{i}", "some password", new_database_key())
    # The lock file stays: the lock is on it, and removing it would race another writer.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyslots.json", "keyslots.lock"]


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    slots = store(tmp_path)
    slots.create("admin", "first password", new_database_key())
    with pytest.raises(DatabaseError, match="already exists"):
        slots.create("admin", "other password", new_database_key())


def test_product_profile_is_strong() -> None:
    from app.security.keyslots import PRODUCT_PROFILE

    assert PRODUCT_PROFILE.memory_cost_kib >= 19 * 1024
    assert PRODUCT_PROFILE.iterations >= 2
