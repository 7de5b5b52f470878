"""What the key, restore and file-mode attacks share: the data folder's bytes and a case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.security.login_guard import FILENAME as LOGIN_ATTEMPTS
from tests.conftest import snapshot
from tests.integration.cli_helpers import Run, run_cli

CASE = {
    "person": {
        "surname": "Құрманғалиқызы",
        "given_names": "Әсел",
        "iin": "940315400123",
        "birth_date": "1994-03-15",
    },
    "employer": {"name": "Example İnşaat Ltd", "country": "TR", "city": "Istanbul"},
    "host_country": "TR",
    "categories": ["unpaid_wages"],
    "urgency": "high",
    "description": "Wages unpaid for three months.",
    "received_at": "2026-11-20",
}


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file's bytes except the failed-sign-in record, which a refused password is
    meant to update (the evidence of the attempt, issue 14 item 10)."""
    return {k: v for k, v in snapshot(folder).items() if Path(k).name != LOGIN_ATTEMPTS}


def cli_as(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    data_dir: Path,
    user: str,
    password: str,
    *args: str,
) -> Run:
    monkeypatch.setenv("QORGAU_USER", user)
    monkeypatch.setenv("QORGAU_PASSWORD", password)
    return run_cli(capsys, "--data-dir", str(data_dir), *args)


def add_case(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    data_dir: Path,
    tmp_path: Path,
    password: str,
) -> str:
    """A case created through the CLI by the administrator; returns its number."""
    source = tmp_path / "case.json"
    source.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    added = cli_as(
        capsys, monkeypatch, data_dir, "admin", password, "case", "add", "--json", str(source)
    )
    assert added.code == 0, added.err
    return added.out.strip().split()[-1]
