"""The page cache follows the database file's size, within bounds, unless a setting fixes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.db.raw import CACHE_ENV, CACHE_MAX_KIB, CACHE_MIN_KIB, cache_kib

GIB_KIB = 1024 * 1024


def _file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "qorgau.db"
    with path.open("wb") as f:
        f.truncate(size)  # sparse: the size is what counts
    return path


def test_a_small_file_gets_the_floor(tmp_path: Path) -> None:
    assert cache_kib(_file(tmp_path, 10 * 1024 * 1024), memory_kib=16 * GIB_KIB) == CACHE_MIN_KIB


def test_a_missing_file_gets_the_floor(tmp_path: Path) -> None:
    assert cache_kib(tmp_path / "absent.db", memory_kib=16 * GIB_KIB) == CACHE_MIN_KIB


def test_a_large_file_gets_a_quarter_of_its_size(tmp_path: Path) -> None:
    path = _file(tmp_path, 1024 * 1024 * 1024)  # 1 GiB
    assert cache_kib(path, memory_kib=16 * GIB_KIB) == GIB_KIB // 4


def test_a_huge_file_is_capped(tmp_path: Path) -> None:
    path = _file(tmp_path, 8 * 1024 * 1024 * 1024)
    assert cache_kib(path, memory_kib=64 * GIB_KIB) == CACHE_MAX_KIB


def test_a_small_machine_caps_it_lower(tmp_path: Path) -> None:
    path = _file(tmp_path, 8 * 1024 * 1024 * 1024)
    assert cache_kib(path, memory_kib=2 * GIB_KIB) == 256 * 1024


def test_the_setting_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "300")
    assert cache_kib(_file(tmp_path, 1024), memory_kib=16 * GIB_KIB) == 300 * 1024


@pytest.mark.parametrize("value", ["", "0", "-5", "lots"])
def test_a_bad_setting_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(CACHE_ENV, value)
    assert cache_kib(_file(tmp_path, 1024), memory_kib=16 * GIB_KIB) == CACHE_MIN_KIB


def test_the_connection_used_last_is_handed_out_again(tmp_path: Path) -> None:
    """Each connection has its own page cache: the warm one serves the next read, instead of
    the pool handing out its connections in turn, each with its pages still to decrypt."""
    import os

    from sqlalchemy import text

    from app.db.engine import Database

    db = Database(tmp_path / "qorgau.db", os.urandom(32))
    try:
        with db.engine.connect() as first, db.engine.connect() as second:
            first.execute(text("SELECT 1"))
            second.execute(text("SELECT 1"))
            last = first.connection.dbapi_connection  # given back last: the `with` ends it last
        for _ in range(3):
            with db.read() as session:
                assert session.connection().connection.dbapi_connection is last
    finally:
        db.dispose()
