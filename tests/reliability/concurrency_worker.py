"""A child of the concurrency harness: writes and reads in a tight loop for N seconds.

``python -m tests.reliability.concurrency_worker DATA_DIR USER CASE_ID SECONDS TAG`` prints
``ready``, then ``committed TAG-i`` after each write, ``error <kind>: <message>`` for any
exception (none may happen), and ``stats <writes> <reads>`` at the end.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QORGAU_KDF_PROFILE", "test")

from app.config import Paths  # noqa: E402
from app.services.cases import CaseService  # noqa: E402
from app.services.installation import unlock  # noqa: E402
from app.services.records import CaseFilter, CaseInput, PersonInput  # noqa: E402
from tests.reliability.crash_worker import PASSWORD, say  # noqa: E402


def main(argv: list[str]) -> int:
    data_dir, user, case_id, seconds, tag = argv
    ws = unlock(Paths(Path(data_dir)), user, PASSWORD)
    service = CaseService(ws)
    say("ready")
    deadline = time.monotonic() + float(seconds)
    writes = reads = i = 0
    while time.monotonic() < deadline:
        i += 1
        try:
            if i % 5 == 0:
                service.create_case(
                    CaseInput(
                        host_country="KR",
                        categories=("unpaid_wages",),
                        received_at=date.today(),
                        person=PersonInput(surname=f"Параллель{tag}", given_names=str(i)),
                        description=f"{tag}-{i}",
                    ),
                    allow_duplicate_person=True,
                )
            else:
                service.add_event(case_id, "note", f"{tag}-{i}")
            writes += 1
            say(f"committed {tag}-{i}")
            service.list_cases(CaseFilter(), limit=50)
            service.search("Параллель")
            service.get_case(case_id)
            reads += 3
        except Exception as exc:  # noqa: BLE001 - the harness counts every error
            say(f"error {type(exc).__name__}: {exc}")
    ws.close()
    say(f"stats {writes} {reads}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
