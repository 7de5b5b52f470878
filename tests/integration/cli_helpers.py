"""Running the ``qorgau`` command in tests, in-process or as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from app.config import Paths
from app.services.installation import unlock
from app.services.workspace import Workspace
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's bad usage
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def run_python(
    args: Sequence[str], env: dict[str, str] | None = None, stdin: str | None = None
) -> Run:
    """This Python in a process of its own, run from the repository with ``env`` over this
    process's environment; two minutes at the most."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def run_process(
    args: Sequence[str], env: dict[str, str] | None = None, stdin: str | None = None
) -> Run:
    """The ``qorgau`` command as a real process."""
    return run_python(["-m", "app", *args], env, stdin)


def signed_in_cli(monkeypatch: pytest.MonkeyPatch, paths: Paths, user: str) -> Iterator[Workspace]:
    """Point the ``qorgau`` command at ``paths`` signed in as ``user``; yields the
    administrator's workspace on the same installation, for the test to look with (a fixture
    ``yield from`` this; the workspace closes after the test)."""
    monkeypatch.setenv("QORGAU_DATA_DIR", str(paths.data_dir))
    monkeypatch.setenv("QORGAU_USER", user)
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    ws = unlock(paths, "admin", PASSWORD)
    yield ws
    ws.close()
