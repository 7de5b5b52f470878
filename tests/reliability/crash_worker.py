"""The child process of the crash harness: does one kind of work, reports each commit.

Run as ``python -m tests.reliability.crash_worker SCENARIO DATA_DIR USER ARGS...``. It prints
``ready`` once the installation is unlocked, then ``committed <token>`` after each unit of work
has committed (flushed at once), so the parent knows what must survive a SIGKILL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QORGAU_KDF_PROFILE", "test")

from app.config import Paths  # noqa: E402
from app.services.installation import unlock  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402

PASSWORD = "correct horse"  # tests.conftest.PASSWORD, without importing pytest here


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def edits(ws: Workspace, case_id: str, start: str, count: str) -> None:
    from app.services.cases import CaseService
    from app.services.records import CaseChanges

    service = CaseService(ws)
    for i in range(int(start), int(start) + int(count)):
        service.update_case(case_id, CaseChanges(description=f"crash-edit {i}"))
        service.add_event(case_id, "note", f"crash-note {i}")
        say(f"committed {i}")


def csv(ws: Workspace, *files: str) -> None:
    from app.services.csv_import import import_csv

    for name in files:
        report = import_csv(ws, Path(name).read_bytes())
        assert report.imported == report.rows, report
        say(f"committed {Path(name).stem}")


# A file of several batches (the app writes BATCH_ROWS at a time, 1,000): made small here so
# that a kill lands between two batches' commits without a file of thousands of rows.
CRASH_BATCH_ROWS = 40


def csv_batches(ws: Workspace, *files: str) -> None:
    """Each batch its own transaction, said as it is committed; run again after a kill, the
    rows written before are rejected as repeats and only the rest is written."""
    from app.services import csv_import

    csv_import.BATCH_ROWS = CRASH_BATCH_ROWS
    for name in files:
        tag = Path(name).stem
        report = csv_import.import_csv(
            ws,
            Path(name).read_bytes(),
            skip_rejected=True,
            progress=lambda written, _total, tag=tag: say(f"batch {tag} {written}"),
        )
        assert report.imported + len(report.rejected) == report.rows, report
        say(f"committed {tag}")


def letters(ws: Workspace, *letter_ids: str) -> None:
    from app.domain.codes import LetterStatus
    from app.services.letters import LetterService

    service = LetterService(ws)
    for letter_id in letter_ids:
        if service.get(letter_id).status != LetterStatus.ISSUED:  # the rerun skips what was done
            service.issue(letter_id)
        say(f"committed {letter_id}")


def bundles(ws: Workspace, *files: str) -> None:
    from app.services.exchange import ExchangeService

    service = ExchangeService(ws)
    for name in files:
        service.import_bundle(Path(name))
        say(f"committed {Path(name).stem}")


SCENARIOS = {
    "edits": edits,
    "csv": csv,
    "csv_batches": csv_batches,
    "letters": letters,
    "bundles": bundles,
}


def main(argv: list[str]) -> int:
    scenario, data_dir, user, *args = argv
    ws = unlock(Paths(Path(data_dir)), user, PASSWORD)
    say("ready")
    try:
        SCENARIOS[scenario](ws, *args)
    finally:
        ws.close()
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
