"""Shipped files are found the same way from a checkout and from the packaged folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app import resources
from app.entry import PROBE_FLAG, run
from app.security import keyring_store

ROOT = Path(__file__).resolve().parents[2]


def test_from_a_checkout_the_files_are_the_repositorys() -> None:
    assert resources.install_root() == ROOT
    assert resources.resource_path("letters") == ROOT / "resources" / "letters"
    assert resources.translations_dir() == ROOT / "translations"
    assert (resources.migrations_dir() / "env.py").is_file()


def test_in_a_frozen_build_the_files_are_under_the_unpacked_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert resources.is_frozen()
    assert resources.resource_path("fonts", "x.ttf") == tmp_path / "resources" / "fonts" / "x.ttf"
    assert resources.translations_dir() == tmp_path / "translations"
    assert resources.migrations_dir() == tmp_path / "app" / "db" / "migrations"


def test_no_module_finds_shipped_files_relative_to_its_own_source() -> None:
    # One function decides (see app/resources.py): a module that builds its own path from
    # __file__ would break in a build that lays files out differently.
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("app", "ui")
        for path in (ROOT / folder).rglob("*.py")
        if "__file__" in path.read_text("utf-8")
        and path.name != "resources.py"
        and "migrations" not in path.parts
    ]
    assert offenders == []


def test_the_keyring_probe_runs_through_the_executable_when_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert keyring_store.probe_command()[1:] == ["-m", keyring_store.PROBE_MODULE]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert keyring_store.probe_command() == [sys.executable, PROBE_FLAG]


def test_the_entry_point_answers_the_probe_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([PROBE_FLAG]) == 2  # the probe's own usage error: it was the probe that ran
    assert "keyring_probe" in capsys.readouterr().err


def test_version_comes_from_the_project(capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    expected = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    with pytest.raises(SystemExit) as done:
        run(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"qorgau {expected}"
