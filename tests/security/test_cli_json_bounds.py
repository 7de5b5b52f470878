"""A JSON file of any size, or not JSON at all, handed to ``case add``, ``partner add`` or
``returnee add``.

The three read the whole file and parsed it before any check: a 200 MB file took 800 MB of
memory, a few gigabytes would take the laptop down. Text past 4 MB (more than a case with a
200,000-character description written as \\u escapes) is now refused after reading only that
much, in words, with nothing written. A picture or a PDF named by mistake was refused with
Python's English words about a byte, in every language; it is now said in the user's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.common import MAX_JSON_CHARS
from app.config import Paths
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import Run
from tests.security.folder import CASE, cli_as, folder_bytes


def add_from_json(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    installation: Paths,
    command: str,
    source: Path,
) -> Run:
    """``qorgau COMMAND add --json SOURCE`` as the administrator."""
    return cli_as(
        capsys, monkeypatch, installation.data_dir, "admin", PASSWORD,
        command, "add", "--json", str(source),
    )  # fmt: skip


@pytest.mark.parametrize("command", ["case", "partner", "returnee"])
def test_a_json_file_too_large_is_refused_before_it_is_read_whole(
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    hostile = tmp_path / "huge.json"
    hostile.write_text(json.dumps({"name": "A" * (MAX_JSON_CHARS + 10)}), encoding="utf-8")
    before = folder_bytes(installation.data_dir)

    run = add_from_json(capsys, monkeypatch, installation, command, hostile)

    assert run.code == 1
    assert run.err.strip() == "qorgau: The JSON is too large (at most 4 MB)."
    assert folder_bytes(installation.data_dir) == before


def test_a_case_with_the_longest_description_written_as_escapes_still_goes_in(
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "case.json"
    case = {**CASE, "description": "Ә" * 200_000}
    source.write_text(json.dumps(case, ensure_ascii=True), encoding="utf-8")  # 1.2 MB

    run = add_from_json(capsys, monkeypatch, installation, "case", source)

    assert run.code == 0, run.err


@pytest.mark.parametrize("command", ["case", "partner", "returnee"])
def test_a_picture_named_as_json_is_refused_in_the_users_language(
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    picture = tmp_path / "case.json"
    picture.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)))
    before = folder_bytes(installation.data_dir)

    run = add_from_json(capsys, monkeypatch, installation, command, picture)

    assert run.code == 1
    assert run.err.strip() == f"qorgau: {picture} is not a JSON file: it is not UTF-8 text."
    assert "codec" not in run.err  # Python's English, which named a byte
    assert folder_bytes(installation.data_dir) == before


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"person" {}}', "line 1, column 11): a colon was expected"),
        ('{"person": {}\n "x": 1}', "line 2, column 2): a comma was expected"),
        ("{person: {}}", "line 1, column 2): a field name in double quotes was expected"),
        ('{"person": "unclosed', "line 1, column 12): a text in quotes is not closed"),
        ("{} {}", "line 1, column 4): something follows the end of the JSON"),
    ],
)
def test_a_broken_json_file_is_refused_in_the_users_words_not_pythons(
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    said: str,
) -> None:
    broken = tmp_path / "case.json"
    broken.write_text(text, encoding="utf-8")

    run = add_from_json(capsys, monkeypatch, installation, "case", broken)

    assert run.code == 1
    assert run.err.strip() == f"qorgau: Invalid JSON ({said}"
    assert "Expecting" not in run.err and "delimiter" not in run.err
