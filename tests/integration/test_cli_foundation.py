"""The command line end to end: init, users, keys, backup/restore, audit, demo, bad input."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Paths
from app.i18n import format_size, language_override
from tests.conftest import PASSWORD, snapshot
from tests.integration.cli_helpers import run_cli, run_process

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)


def data_args(paths: Paths) -> list[str]:
    return ["--data-dir", str(paths.data_dir)]


def test_init_creates_an_encrypted_installation(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QORGAU_PASSWORD", "admin password")
    target = tmp_path / "mission"
    result = run_cli(
        capsys,
        "--data-dir",
        str(target),
        "init",
        "--mission-code",
        "ist",
        "--country",
        "tr",
        "--city",
        "Istanbul",
        "--admin",
        "admin",
    )
    assert result.code == 0, result.err
    assert "IST" in result.out
    assert (target / "qorgau.db").stat().st_mode & 0o077 == 0
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(target / "qorgau.db").execute("SELECT * FROM sqlite_master").fetchall()
    monkeypatch.setenv("QORGAU_USER", "admin")
    shown = run_cli(capsys, "--data-dir", str(target), "keys", "show", "--json")
    keys = json.loads(shown.out)
    assert set(keys) == {"mission_code", "signing_key", "age_recipient"}
    assert keys["mission_code"] == "IST" and keys["age_recipient"].startswith("age1")


def test_init_twice_is_refused(
    installation: Paths, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QORGAU_PASSWORD", "admin password")
    before = snapshot(installation.data_dir)
    result = run_cli(
        capsys,
        *data_args(installation),
        "init",
        "--mission-code",
        "SEL",
        "--country",
        "KR",
        "--city",
        "Seoul",
        "--admin",
        "admin",
    )
    assert result.code == 1
    assert "already exists" in result.err
    assert snapshot(installation.data_dir) == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--mission-code", "S1", "--country", "KR", "--city", "Seoul"], "mission code"),
        (["--mission-code", "SEL", "--country", "KOR", "--city", "Seoul"], "two-letter"),
        (["--mission-code", "SEL", "--country", "KR", "--city", " "], "city"),
    ],
)
def test_init_bad_input_writes_nothing(
    tmp_path: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("QORGAU_PASSWORD", "admin password")
    target = tmp_path / "mission"
    result = run_cli(capsys, "--data-dir", str(target), "init", *argv, "--admin", "admin")
    assert result.code == 1
    assert message in result.err
    assert not (target / "qorgau.db").exists() and not (target / "keyslots.json").exists()


def test_user_commands(
    installation: Paths, capsys: Capsys, as_admin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", "dana's password")
    added = run_cli(capsys, *data_args(installation), "user", "add", "dana", "--role", "consul")
    assert added.code == 0, added.err
    listing = json.loads(run_cli(capsys, *data_args(installation), "user", "list", "--json").out)
    assert {"username": "dana", "role": "consul"}.items() <= next(
        u for u in listing if u["username"] == "dana"
    ).items()
    moved = run_cli(capsys, *data_args(installation), "user", "set-role", "aigul", "consul")
    assert moved.code == 0, moved.err
    assert moved.out.startswith("aigul is Consul / head of section now; a window they have open")
    listing = json.loads(run_cli(capsys, *data_args(installation), "user", "list", "--json").out)
    assert next(u for u in listing if u["username"] == "aigul")["role"] == "consul"
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", "changed password")
    assert run_cli(capsys, *data_args(installation), "user", "passwd", "dana").code == 0
    monkeypatch.setenv("QORGAU_USER", "dana")
    monkeypatch.setenv("QORGAU_PASSWORD", "changed password")
    table = run_cli(capsys, *data_args(installation), "user", "list")
    assert table.code == 0 and "dana" in table.out and "Consul / head of section" in table.out
    refused = run_cli(capsys, *data_args(installation), "user", "add", "eve", "--role", "admin")
    assert refused.code == 1 and "does not allow" in refused.err
    # A consul makes herself administrator: refused, her role unchanged.
    promoted = run_cli(capsys, *data_args(installation), "user", "set-role", "dana", "admin")
    assert promoted.code == 1 and "does not allow" in promoted.err
    listing = json.loads(run_cli(capsys, *data_args(installation), "user", "list", "--json").out)
    assert next(u for u in listing if u["username"] == "dana")["role"] == "consul"


def test_bad_usage_exits_2(capsys: Capsys) -> None:
    assert run_cli(capsys, "user", "add", "dana", "--role", "chief").code == 2
    assert run_cli(capsys, "no-such-command").code == 2


def test_usage_and_help_speak_the_users_language(capsys: Capsys) -> None:
    """argparse's own words were English in a Kazakh or Russian help and usage error."""
    kazakh = run_cli(capsys, "--lang", "kk", "bundle", "import")
    assert kazakh.code == 2
    assert "қолданылуы: qorgau bundle import" in kazakh.err
    assert "қате: мына аргументтер міндетті: file" in kazakh.err
    russian = run_cli(capsys, "--lang", "ru", "bundle", "import", "--help")
    assert "позиционные аргументы:" in russian.out and "параметры:" in russian.out
    assert "показать эту справку и выйти" in russian.out
    english = run_cli(capsys, "--lang", "en", "bundle", "import")
    assert "error: the following arguments are required: file" in english.err


def test_every_option_says_what_it_does() -> None:
    """49 options (--out, --limit, --kind…) and 27 --json flags had no help at all."""
    import argparse

    from app.cli import build_parser

    def silent(parser: argparse.ArgumentParser, path: str) -> Iterator[str]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from silent(sub, f"{path} {name}")
            elif action.option_strings and not action.help:
                yield f"{path} {action.option_strings[0]}"

    assert list(silent(build_parser(), "qorgau")) == []


@pytest.mark.parametrize(("user", "password"), [("admin", "wrong password"), ("nobody", PASSWORD)])
def test_wrong_credentials(installation: Paths, user: str, password: str) -> None:
    before = snapshot(installation.data_dir)
    result = run_process(
        [*data_args(installation), "user", "list"],
        env={"QORGAU_USER": user, "QORGAU_PASSWORD": password},
    )
    assert result.code == 1
    assert result.err.strip() == "qorgau: Wrong user name or password."
    assert "Traceback" not in result.err
    after = snapshot(installation.data_dir)
    # The only trace is the failed attempt (name and time, never the password), kept for
    # the login delay and the audit log (app/security/login_guard.py).
    attempts = after.pop("login_attempts.json")
    before.pop("login_attempts.json", None)
    assert after.pop(".login_attempts.lock") == before.pop(".login_attempts.lock", b"") == b""
    assert user.encode() in attempts and password.encode() not in attempts
    assert after == before


def test_missing_data_dir(tmp_path: Path, capsys: Capsys, as_admin: None) -> None:
    result = run_cli(capsys, "--data-dir", str(tmp_path / "nowhere"), "user", "list")
    assert result.code == 1
    assert "does not exist" in result.err
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("damage", ["foreign", "corrupt"])
def test_not_a_qorgau_database(
    installation: Paths, capsys: Capsys, as_admin: None, damage: str
) -> None:
    if damage == "foreign":
        sqlite3.connect(installation.db.with_name("other.db")).execute("CREATE TABLE t(x)")
        installation.db.unlink()
        installation.db.with_name("other.db").rename(installation.db)
    else:
        raw = bytearray(installation.db.read_bytes())
        raw[:4096] = bytes(4096)  # wipe the first page, header and salt
        installation.db.write_bytes(bytes(raw))
    before = snapshot(installation.data_dir)
    result = run_cli(capsys, *data_args(installation), "user", "list")
    assert result.code == 1
    assert "is not a Qorgau database, or it is damaged" in result.err
    assert snapshot(installation.data_dir) == before


@pytest.mark.parametrize("damage", ["random", "middle"])
def test_a_damaged_database_is_one_line_in_the_users_language(
    installation: Paths, damage: str
) -> None:
    """The fault: SQLCipher wrote its own "ERROR CORE sqlcipher_page_cipher: hmac check
    failed…" lines to stderr before ours (six of them), and a file damaged past its first page
    ended in "database disk image is malformed", in English whatever the language. A real
    process: these lines came from C, which an in-process capture never sees."""
    raw = bytearray(installation.db.read_bytes())
    if damage == "random":
        raw[:] = os.urandom(len(raw))
    else:
        raw[4096 : len(raw) // 2] = os.urandom(len(raw) // 2 - 4096)
    installation.db.write_bytes(bytes(raw))
    env = {"QORGAU_USER": "admin", "QORGAU_PASSWORD": PASSWORD}
    result = run_process(["--lang", "ru", *data_args(installation), "user", "list"], env)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "malformed" not in lines[0] and "ERROR" not in lines[0]
    if damage == "middle":
        assert "не является базой данных Qorgau или повреждён" in lines[0], lines[0]
    else:  # a first page of noise reads as an encrypted file: the key file is named first
        assert "keyslots.json" in lines[0] and "qorgau.db" in lines[0], lines[0]


def test_without_a_terminal_the_message_names_the_variable_read(
    installation: Paths, capsys: Capsys, as_admin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: `user add` with no terminal said "set QORGAU_USER and QORGAU_PASSWORD",
    which were set; the new user's password is read from QORGAU_NEW_PASSWORD."""
    monkeypatch.delenv("QORGAU_NEW_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", None)
    result = run_cli(capsys, *data_args(installation), "user", "add", "dana", "--role", "attache")
    assert result.code == 2
    assert "set QORGAU_NEW_PASSWORD." in result.err and "QORGAU_USER" not in result.err


def test_audit_verify_ok_and_tampered(installation: Paths, capsys: Capsys, as_admin: None) -> None:
    ok = run_cli(capsys, *data_args(installation), "audit", "verify")
    assert ok.code == 0 and "intact" in ok.out
    from sqlalchemy import text

    from app.services.installation import unlock

    ws = unlock(installation, "admin", PASSWORD)
    with ws.write() as session:
        session.execute(text("UPDATE audit_entry SET action = 'nothing' WHERE seq = 2"))
    ws.close()
    bad = run_cli(capsys, *data_args(installation), "audit", "verify")
    assert bad.code == 1
    assert "Audit entry 2 has been changed." in bad.out
    assert "tampered" in bad.err
    as_json = run_cli(capsys, *data_args(installation), "audit", "verify", "--json")
    report = json.loads(as_json.out)
    assert report["ok"] is False and report["problems"][0]["seq"] == 2


def test_audit_list_names_who_did_what(
    installation: Paths, capsys: Capsys, as_admin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = run_cli(capsys, *data_args(installation), "audit", "list", "--limit", "3")
    assert listed.code == 0, listed.err
    lines = listed.out.splitlines()
    assert len(lines) == 3 and "admin" in lines[0] and "Signed in" in lines[0]
    entries = json.loads(
        run_cli(capsys, *data_args(installation), "audit", "list", "--user", "admin", "--json").out
    )
    assert entries and all(e["user"] == "admin" for e in entries)
    assert [e["seq"] for e in entries] == sorted((e["seq"] for e in entries), reverse=True)
    before = entries[0]["seq"]
    older = json.loads(
        run_cli(
            capsys, *data_args(installation), "audit", "list", "--before", str(before), "--json"
        ).out
    )
    assert all(e["seq"] < before for e in older)
    monkeypatch.setenv("QORGAU_USER", "aigul")  # an attaché reads no log
    refused = run_cli(capsys, *data_args(installation), "audit", "list")
    assert refused.code == 1 and "does not allow" in refused.err


def test_backup_and_restore_into_fresh_folder(
    installation: Paths,
    tmp_path: Path,
    capsys: Capsys,
    as_admin: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "mission.qbackup"
    made = run_cli(capsys, *data_args(installation), "backup", "--out", str(out))
    assert made.code == 0, made.err
    again = run_cli(capsys, *data_args(installation), "backup", "--out", str(out))
    assert again.code == 1 and "already exists" in again.err
    fresh = tmp_path / "fresh"
    # A failed restore into a new folder takes the folder away again: left empty, it looked
    # like a mission that had lost its data.
    missing = run_cli(capsys, "--data-dir", str(fresh), "restore", str(tmp_path / "no"))
    assert missing.code == 1 and not fresh.exists()
    monkeypatch.setenv("QORGAU_PASSWORD", "not the password")
    wrong = run_cli(capsys, "--data-dir", str(fresh), "restore", str(out))
    assert wrong.code == 1 and not fresh.exists()
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    restored = run_cli(capsys, "--data-dir", str(fresh), "restore", str(out))
    assert restored.code == 0, restored.err
    listing = json.loads(run_cli(capsys, "--data-dir", str(fresh), "user", "list", "--json").out)
    assert {u["username"] for u in listing} == {"admin", "aigul", "serik", "astana"}
    assert run_cli(capsys, "--data-dir", str(fresh), "audit", "verify").code == 0


def test_backup_says_its_size_as_the_language_writes_it(
    installation: Paths, tmp_path: Path, capsys: Capsys, as_admin: None
) -> None:
    """It printed "(24006751 байт)": every digit, and "bytes" in any language."""
    out = tmp_path / "mission.qbackup"
    made = run_cli(capsys, "--lang", "ru", *data_args(installation), "backup", "--out", str(out))
    assert made.code == 0, made.err
    size = out.stat().st_size
    assert size >= 1024  # a database of any size is kilobytes at least
    with language_override("ru"):
        said = format_size(size)
    assert said.endswith(("КБ", "МБ")) and f"({said})." in made.out
    assert str(size) not in made.out


def test_restore_refuses_a_damaged_backup(
    installation: Paths, tmp_path: Path, capsys: Capsys, as_admin: None
) -> None:
    out = tmp_path / "mission.qbackup"
    run_cli(capsys, *data_args(installation), "backup", "--out", str(out))
    raw = bytearray(out.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    out.write_bytes(bytes(raw))
    before = snapshot(installation.data_dir)
    result = run_cli(capsys, *data_args(installation), "restore", str(out))
    # Said with what to do: "damaged" alone left the administrator unsure whether the data
    # had been touched, and where another backup was.
    another = "Nothing was changed. Restore another backup: Qorgau keeps one a day"
    assert result.code == 1
    assert "damaged" in result.err and another in result.err
    assert snapshot(installation.data_dir) == before
    notzip = tmp_path / "notes.txt"
    notzip.write_text("hello")
    result = run_cli(capsys, *data_args(installation), "restore", str(notzip))
    assert result.code == 1 and "not a Qorgau backup" in result.err and another in result.err


def test_demo_keeps_names_out_of_the_file(tmp_path: Path, capsys: Capsys) -> None:
    target = tmp_path / "demo"
    result = run_cli(capsys, "--data-dir", str(target), "demo", "--cases", "200", "--seed", "3")
    assert result.code == 0, result.err
    assert "qorgau-demo" in result.out
    from app.services.installation import unlock

    ws = unlock(Paths(target), "admin", "qorgau-demo")
    with ws.read() as session:
        from sqlalchemy import text

        names = [row[0] for row in session.execute(text("SELECT surname FROM person LIMIT 20"))]
        numbers = [row[0] for row in session.execute(text('SELECT number FROM "case" LIMIT 5'))]
    ws.close()
    assert names and numbers
    blob = b"".join(p.read_bytes() for p in target.iterdir() if p.is_file())
    for value in names + numbers:
        assert value.encode("utf-8") not in blob
    again = run_cli(capsys, "--data-dir", str(target), "demo", "--cases", "50", "--if-empty")
    assert again.code == 0 and "Added 0" in again.out


PRINTS_A_LOT = """
import sys
from argparse import Namespace
from app.cli import _run
from app.cli.common import TerminalSafeStream

def handler(args):
    for row in range(200_000):
        print(f"SEL-2026-{row:06d}  In progress")

sys.stdout = TerminalSafeStream(sys.stdout)
sys.exit(_run(Namespace(handler=handler)))
"""


def test_a_reader_that_stops_reading_is_no_internal_error() -> None:
    """`qorgau case list | head` said "qorgau: internal error: [Errno 32] Broken pipe": the
    command now stops quietly, with the shell's status for it (141)."""
    process = subprocess.Popen(
        [sys.executable, "-c", PRINTS_A_LOT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"SEL-2026-000000")
    process.stdout.close()  # as `head -1` does
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert err == ""


def test_os_errors_are_said_in_the_apps_words_with_the_path(
    installation: Paths, tmp_path: Path, capsys: Capsys, as_admin: None
) -> None:
    """Kazakh and Russian lines quoted "[Errno 2] No such file or directory: …" in English:
    the common causes now come from the catalog, the path still named."""
    missing = tmp_path / "no such folder"
    backup = run_cli(
        capsys, *data_args(installation), "backup", "--out", str(missing / "m.qbackup")
    )
    assert backup.code == 1
    assert "no such file or folder" in backup.err and str(missing) in backup.err
    csv = run_cli(capsys, *data_args(installation), "import-csv", str(missing / "cases.csv"))
    assert csv.code == 1
    assert (
        csv.err.strip() == f"qorgau: {missing / 'cases.csv'} cannot be read: no such file or folder"
    )
    folder = run_cli(capsys, *data_args(installation), "import-csv", str(tmp_path))
    assert folder.err.strip().endswith("cannot be read: it is a folder, not a file")
    for run in (backup, csv, folder):
        assert "Errno" not in run.err and "No such file or directory" not in run.err
        assert len(run.err.strip().splitlines()) == 1


def test_demo_writes_its_seconds_with_the_languages_decimal_mark(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """«… in 2.5 s» printed Python's '.' in Kazakh and Russian, which write «2,5»."""
    for lang, seconds in (("ru", "2,5"), ("kk", "2,5"), ("en", "2.5")):
        clock = iter([100.0, 102.5])
        monkeypatch.setattr("app.cli.demo.time.perf_counter", lambda clock=clock: next(clock))
        target = tmp_path / lang
        result = run_cli(capsys, "--data-dir", str(target), "--lang", lang, "demo", "--cases", "0")
        assert result.code == 0, result.err
        assert re.search(rf"(^|\s){re.escape(seconds)} ", result.out, re.M), result.out
