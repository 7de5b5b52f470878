"""Plain copies of attachments left in the system's temp folder by a run that crashed.

Opening an attachment writes a plain copy (a passport scan, a contract) into the app's private
temp folder, removed when the window closes. A run killed before that (a crash, the task
manager, a flat battery) left the copies behind for good (Windows never empties %TEMP%), where
a thief with the laptop's OS account reads them without any Qorgau password. The next run
removes them; a live run's folder, another tool's folder and a planted link are left alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ui.private_temp import IN_USE, PrivateTempFolder

pytestmark = pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")

_RUN = """
import sys, time
from pathlib import Path
from ui.private_temp import PrivateTempFolder
folder = PrivateTempFolder(Path(sys.argv[1]))
written = folder.write("passport.jpg", b"PASSPORT N1234567", subfolder="case")
print(written.parent.parent, flush=True)
time.sleep(60)
"""


def _a_run_that_opened_a_passport(parent: Path) -> tuple[subprocess.Popen[str], Path]:
    """Another Qorgau process with an attachment open: the process and its folder."""
    run = subprocess.Popen(
        [sys.executable, "-c", _RUN, str(parent)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert run.stdout is not None
    return run, Path(run.stdout.readline().strip())


def test_the_copies_of_a_run_killed_with_its_files_open_are_removed_by_the_next(
    tmp_path: Path,
) -> None:
    crashed, left = _a_run_that_opened_a_passport(tmp_path)
    os.kill(crashed.pid, signal.SIGKILL)
    crashed.wait()
    assert (left / "case" / "passport.jpg").read_bytes() == b"PASSPORT N1234567"

    folder = PrivateTempFolder(tmp_path)
    folder.write("contract.pdf", b"%PDF", subfolder="other")

    assert not left.exists()
    assert [p.name for p in tmp_path.iterdir()] == [folder.path.name]
    folder.empty()


def test_a_live_runs_copies_are_left_alone(tmp_path: Path) -> None:
    live, its_folder = _a_run_that_opened_a_passport(tmp_path)
    try:
        folder = PrivateTempFolder(tmp_path)
        folder.write("contract.pdf", b"%PDF", subfolder="other")
        assert folder.remove_left_behind() == []
        assert (its_folder / "case" / "passport.jpg").read_bytes() == b"PASSPORT N1234567"
        folder.empty()
    finally:
        live.kill()
        live.wait()


def test_an_older_versions_copies_are_removed_and_nothing_else(tmp_path: Path) -> None:
    older = tmp_path / "qorgau-ab12cd34"  # an older version's folder: no lock file in it
    (older / "case").mkdir(parents=True)
    (older / "case" / "passport.jpg").write_bytes(b"PASSPORT")
    hour_ago = time.time() - 3600
    os.utime(older, (hour_ago, hour_ago))
    being_made = tmp_path / "qorgau-ef56gh78"  # another run's, between mkdtemp and its lock
    being_made.mkdir()
    shots = tmp_path / "qorgau-shots-1234abcd"  # another tool's, not an attachment folder
    shots.mkdir()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_bytes(b"keep")
    planted = tmp_path / "qorgau-zz99yy88"
    planted.symlink_to(precious, target_is_directory=True)
    os.utime(planted, (hour_ago, hour_ago), follow_symlinks=False)

    removed = PrivateTempFolder(tmp_path).remove_left_behind()

    assert removed == [older]
    assert not older.exists()
    assert being_made.exists() and shots.exists() and planted.is_symlink()
    assert (precious / "keep.txt").read_bytes() == b"keep"


def test_the_lock_file_goes_with_the_folder_when_the_window_closes(tmp_path: Path) -> None:
    folder = PrivateTempFolder(tmp_path)
    assert (folder.path / IN_USE).exists()
    folder.empty()
    assert list(tmp_path.iterdir()) == []
