"""A command imports only its own area module; the commands and their flags stay the same."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import build_parser, command_modules, command_owners

ROOT = Path(__file__).resolve().parents[2]


def _choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _shape(parser: argparse.ArgumentParser) -> list[object]:
    """Every option string and sub-command, recursively: the command-line contract."""
    shape: list[object] = []
    for action in parser._actions:
        shape.append((tuple(action.option_strings), action.dest, action.required))
        if isinstance(action, argparse._SubParsersAction):
            shape += [(name, _shape(sub)) for name, sub in sorted(action.choices.items())]
    return shape


def test_every_command_is_found_without_importing_its_module() -> None:
    full = _choices(build_parser())
    owners = command_owners()
    assert set(owners) == set(full)
    assert set(owners.values()) <= set(command_modules())


@pytest.mark.parametrize("command", sorted(_choices(build_parser())))
def test_a_command_alone_parses_exactly_as_in_the_whole_parser(command: str) -> None:
    alone = _choices(build_parser(only=command))
    assert _shape(alone[command]) == _shape(_choices(build_parser())[command])


def test_running_a_command_imports_no_other_area(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from app.cli import main\n"
        "try:\n"
        "    main(['--data-dir', sys.argv[1], 'case', 'show', 'X'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('app.cli.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    loaded = done.stdout.strip().splitlines()[-1]
    assert "app.cli.cases" in loaded
    for other in ("app.cli.letters", "app.cli.stats", "app.cli.bundles", "app.cli.agreements"):
        assert other not in loaded


def test_a_build_without_sources_imports_every_area(monkeypatch: pytest.MonkeyPatch) -> None:
    # PyInstaller gives each module a .py origin under its folder that is not on disk.
    import importlib.util

    found = importlib.util.find_spec

    def frozen_spec(name: str, *args: object) -> object:
        spec = found(name, *args)  # type: ignore[arg-type]
        if spec is not None and name.startswith("app.cli."):
            spec.origin = str(Path("/nonexistent/frozen") / (name.replace(".", "/") + ".py"))
        return spec

    monkeypatch.setattr(importlib.util, "find_spec", frozen_spec)
    assert command_owners() == {}
    assert set(_choices(build_parser(only="case"))) == set(_choices(build_parser()))
