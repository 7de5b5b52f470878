"""A CSV import killed between two batches: its cases are listed as an import again.

The file's audit entry, which lists an import (to undo it, and to say at the file's next check
that it was imported), came with the last batch only. Killed between two batches, the import
left committed cases that no listed import named: nobody could undo them, and nobody was told
it had stopped. Each batch now keeps what the entry would say; the importer's next start writes
the entry and says once what was kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Paths
from app.services import csv_import
from app.services.after_crash import Found, FoundAfterCrash, found_text, repair_on_start
from app.services.import_undo import list_imports, undo_import
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_python
from tests.reliability.crash_worker import CRASH_BATCH_ROWS
from tests.reliability.harness import open_checked
from tests.reliability.test_crash import batch_size, write_csv

_KILLED_AFTER_A_BATCH = """
import os, signal, sys
os.environ["QORGAU_KDF_PROFILE"] = "test"
from pathlib import Path
from app.config import Paths
from app.services import csv_import
from app.services.installation import unlock
csv_import.BATCH_ROWS = int(sys.argv[3])
def one_batch_then_the_power_is_cut(written, total):
    os.kill(os.getpid(), signal.SIGKILL)
ws = unlock(Paths(Path(sys.argv[1])), "aigul", "correct horse")
file = Path(sys.argv[2])
csv_import.import_csv(
    ws, file.read_bytes(), file_name=file.name, progress=one_batch_then_the_power_is_cut
)
"""

ROWS = 3 * CRASH_BATCH_ROWS


def killed_after_one_batch(installation: Paths, tmp_path: Path) -> Path:
    file = write_csv(tmp_path, "register", ROWS)
    child = run_python(
        ["-c", _KILLED_AFTER_A_BATCH, str(installation.data_dir), str(file), str(CRASH_BATCH_ROWS)]
    )
    assert child.code == -9, child.err
    return file


def test_an_import_killed_between_batches_is_listed_at_the_importers_start_and_said_once(
    installation: Paths, tmp_path: Path
) -> None:
    file = killed_after_one_batch(installation, tmp_path)

    serik = unlock(installation, "serik", PASSWORD)  # not his import: his start leaves it
    try:
        assert repair_on_start(serik) == []
    finally:
        serik.close()

    ws = open_checked(installation, "aigul")
    try:
        assert list_imports(ws) == []  # as the crash left it
        found = repair_on_start(ws)
        assert found == [
            FoundAfterCrash(Found.CSV_IMPORT_CUT_SHORT, "register.csv", CRASH_BATCH_ROWS)
        ]
        assert found_text(found[0]).startswith(
            f"An import of register.csv was stopped before it finished (Qorgau was closed or "
            f"the computer switched off). The {CRASH_BATCH_ROWS} cases it had written are kept"
        )
        assert repair_on_start(ws) == []  # said once
        (listed,) = list_imports(ws)
        assert (listed.file_name, listed.actor, listed.imported) == (
            "register.csv",
            "aigul",
            CRASH_BATCH_ROWS,
        )
        assert listed.can_undo

        # The file again: it is known as imported, and only the rest is written.
        again = csv_import.import_csv(
            ws, file.read_bytes(), file_name=file.name, skip_rejected=True
        )
        assert again.imported_earlier and again.imported == ROWS - CRASH_BATCH_ROWS
        assert batch_size(ws, "register") == ROWS

        plan = undo_import(ws, listed)  # the part the crash cut can be undone
        assert len(plan.removable) == CRASH_BATCH_ROWS
        assert batch_size(ws, "register") == ROWS - CRASH_BATCH_ROWS
    finally:
        ws.close()
    assert not list(installation.data_dir.glob(".csv-import-*"))  # no lock file left


def test_an_import_that_finishes_leaves_nothing_to_repair(
    installation: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_import, "BATCH_ROWS", CRASH_BATCH_ROWS)
    file = write_csv(tmp_path, "whole", ROWS)
    ws = unlock(installation, "aigul", PASSWORD)
    try:
        report = csv_import.import_csv(ws, file.read_bytes(), file_name=file.name)
        assert report.imported == ROWS
        assert repair_on_start(ws) == []
        assert [r.imported for r in list_imports(ws)] == [ROWS]
    finally:
        ws.close()
    assert not list(installation.data_dir.glob(".csv-import-*"))
