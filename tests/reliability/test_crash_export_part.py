"""A bundle export killed while it wrote its file.

It writes ``NAME.qbundle.part`` in the folder the officer chose and renames it when whole.
Killed half-way, the ``.part`` stayed there for good (often on the USB stick taken to the
diplomatic mail), and no later start knew that folder. The export now records the ``.part``
in the data folder before writing it (``app.services.export_parts``): the next start, or the
next export, removes it and says so once.
"""

from __future__ import annotations

from pathlib import Path

import pyrage
import pytest

from app.config import Paths
from app.services.after_crash import Found, FoundAfterCrash, repair_on_start
from app.services.export_parts import (
    AGE_HEADER,
    RECORD_PREFIX,
    recorded_part,
    remove_killed_parts,
)
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli, run_python

# `bundle export`, its power cut just after its first bytes reached the .part.
_EXPORT_KILLED = """
import os, signal, sys
os.environ["QORGAU_KDF_PROFILE"] = "test"
os.environ["QORGAU_USER"] = "admin"
os.environ["QORGAU_PASSWORD"] = sys.argv[2]
from app.exchange import package
write = package._HashingWriter.write
def dies(self, data):
    written = write(self, data)
    self._handle.flush()
    os.kill(os.getpid(), signal.SIGKILL)
package._HashingWriter.write = dies
from app.cli import main
main(["--data-dir", sys.argv[1], "bundle", "export", "--all", "--recipient", sys.argv[3],
      "--out", sys.argv[4]])
"""


def _recipient() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


def _records(paths: Paths) -> list[Path]:
    return list(paths.data_dir.glob(RECORD_PREFIX + "*"))


def export_killed(paths: Paths, out: Path) -> Path:
    """``bundle export --out OUT`` killed mid-write; the ``.part`` it left."""
    child = run_python(
        ["-c", _EXPORT_KILLED, str(paths.data_dir), PASSWORD, _recipient(), str(out)]
    )
    assert child.code == -9, child.err
    part = out.with_name(out.name + ".part")
    assert part.read_bytes().startswith(AGE_HEADER) and not out.exists()  # the leftover
    assert len(_records(paths)) == 1
    return part


def test_the_next_start_removes_a_killed_exports_part_and_says_so_once(
    installation: Paths, tmp_path: Path
) -> None:
    (tmp_path / "stick").mkdir()
    part = export_killed(installation, tmp_path / "stick" / "sel.qbundle")
    ws = unlock(installation, "serik", PASSWORD)
    try:
        assert repair_on_start(ws) == [FoundAfterCrash(Found.EXPORT_PART_REMOVED, str(part))]
        assert repair_on_start(ws) == []  # said once
    finally:
        ws.close()
    assert not part.exists() and _records(installation) == []
    assert list(part.parent.iterdir()) == []


def test_the_next_export_removes_it_says_so_and_writes_the_bundle(
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "sel.qbundle"
    part = export_killed(installation, out)
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    export = ("--data-dir", str(installation.data_dir), "bundle", "export", "--all")
    again = run_cli(capsys, *export, "--recipient", _recipient(), "--out", str(out))
    assert again.code == 0, again.err
    # The export that found it wrote its bundle: it is not asked for again.
    assert f"had left its unfinished file {part}; it was removed." in again.err, again.err
    assert "Export again." not in again.err, again.err
    assert again.err.count(str(part)) == 1, again.err  # said once
    assert out.exists() and not part.exists() and _records(installation) == []


def test_an_export_that_fails_after_removing_it_asks_to_export_again(
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fault fixed beside: an export that wrote its bundle was told "Export again." of the
    killed one's file. One that wrote none (its recipient's key not a key) still is."""
    out = tmp_path / "sel.qbundle"
    part = export_killed(installation, out)
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    export = ("--data-dir", str(installation.data_dir), "bundle", "export", "--all")
    failed = run_cli(capsys, *export, "--recipient", "not-a-key", "--out", str(out))
    assert failed.code != 0, failed.err
    assert f"Its unfinished file {part} was removed. Export again." in failed.err, failed.err
    assert not out.exists() and not part.exists() and _records(installation) == []


def test_a_part_that_is_not_ours_or_still_written_is_left_alone(tmp_path: Path) -> None:
    data, folder = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    folder.mkdir()
    mine, written_now = folder / "a.qbundle.part", folder / "b.qbundle.part"
    with recorded_part(data, written_now):
        written_now.write_bytes(AGE_HEADER)
        assert remove_killed_parts(data) == []  # its export is under way
    # Killed: the record stays (its lock went with the process); another program then
    # wrote its own file at that path.
    with recorded_part(data, mine):
        (record,) = list(data.iterdir())
        kept = record.read_bytes()
    record.write_bytes(kept)
    mine.write_bytes(b"%PDF-1.7 not a bundle")
    assert remove_killed_parts(data) == []
    assert mine.exists() and list(data.iterdir()) == []  # the record is done with


def test_a_record_whose_folder_is_not_there_is_kept_for_the_next_start(tmp_path: Path) -> None:
    """The USB stick is not plugged in: the .part on it is removed when it is."""
    data, stick = tmp_path / "data", tmp_path / "stick"
    data.mkdir()
    stick.mkdir()
    part = stick / "sel.qbundle.part"
    with recorded_part(data, part):
        (record,) = list(data.iterdir())
        kept = record.read_bytes()
    record.write_bytes(kept)  # as a killed export leaves it
    part.write_bytes(AGE_HEADER + b"-> X25519 ...")
    unplugged = stick.rename(tmp_path / "elsewhere")
    assert remove_killed_parts(data) == [] and record.exists()
    unplugged.rename(stick)
    assert remove_killed_parts(data) == [part]
    assert not part.exists() and not record.exists()
