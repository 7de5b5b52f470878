"""A forged or broken ``keyslots.json``: refused with a clear message before any derivation.

The attack: a slot asking Argon2id for 8 GiB (or endless passes, or thousands of lanes) makes
every sign-in allocate it; a non-UTF-8 or malformed file ended in "internal error".
"""

from __future__ import annotations

import json

import pytest

from app.config import Paths
from app.errors import DatabaseError
from app.security import keyslots
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.security.folder import folder_bytes


@pytest.fixture
def no_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any Argon2id derivation now fails the test: refusal must come before it."""

    def _refuse(*_args: object) -> bytes:
        raise AssertionError("a key was derived from forged parameters")

    monkeypatch.setattr(keyslots, "_derive", _refuse)


def _forge(paths: Paths, **kdf: int) -> None:
    data = json.loads(paths.keyslots.read_text())
    data["slots"]["admin"]["kdf"].update(kdf)
    paths.keyslots.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "kdf",
    [
        {"memory_cost_kib": 8 * 1024 * 1024},  # 8 GiB
        {"iterations": 10_000_000},
        {"lanes": 1 << 20, "memory_cost_kib": 8 << 20},
        {"memory_cost_kib": 0},
        {"iterations": 0},
    ],
    ids=["8GiB", "passes", "lanes", "no-memory", "no-passes"],
)
def test_forged_kdf_parameters_are_refused_before_derivation(
    installation: Paths, no_derivation: None, kdf: dict[str, int]
) -> None:
    _forge(installation, **kdf)
    before = folder_bytes(installation.data_dir)
    with pytest.raises(DatabaseError, match="outside the allowed range"):
        unlock(installation, "admin", PASSWORD)
    assert folder_bytes(installation.data_dir) == before


def test_kdf_parameters_of_the_wrong_type_are_damage(
    installation: Paths, no_derivation: None
) -> None:
    _forge(installation, memory_cost_kib="65536", iterations=True)  # type: ignore[arg-type]
    with pytest.raises(DatabaseError, match="damaged"):
        unlock(installation, "admin", PASSWORD)


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe{\x00",  # UTF-16 with a BOM, i.e. not UTF-8
        b'{"format": 2, "database_id": "x", "slots": {"admin": "\xc3\x28"}}',
        b'{"format": 2, "database_id": 7, "slots": {}}',
        b'{"format": 2, "database_id": "x", "slots": []}',
        b'{"format": 2, "database_id": "x", "key_epoch": "1", "slots": {}}',
        b'{"format": 2, "database_id": "x", "slots": {"admin": {"sealed": []}}}',
        b"[" * 100_000,
        b" " * (keyslots.MAX_FILE_BYTES + 1),
    ],
    ids=["utf16", "bad-utf8", "id-type", "slots-list", "epoch-type", "sealed-list", "deep", "huge"],
)
def test_malformed_key_file_gives_a_clear_message(
    installation: Paths,
    content: bytes,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installation.keyslots.write_bytes(content)
    before = folder_bytes(installation.data_dir)
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    result = run_cli(capsys, "--data-dir", str(installation.data_dir), "user", "list")
    assert result.code == 1
    assert "The key file is damaged; restore it from a backup." in result.err
    assert "internal error" not in result.err.lower()
    assert folder_bytes(installation.data_dir) == before


def test_the_product_profile_is_inside_the_bounds() -> None:
    keyslots.check_kdf_profile(keyslots.PRODUCT_PROFILE)
    keyslots.check_kdf_profile(keyslots.TEST_PROFILE)
