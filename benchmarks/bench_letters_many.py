"""The Letters register at a mission that has issued thousands of letters: what each change of
a filter reads, as the file lays the letter table out now (its stored PDF the last column,
migration 0019) and, as the baseline in the same run, as files did before (the PDF before the
id and the columns added since).

A demo mission's issued letters (real PDFs, about 90 KB each) are copied until the register
holds ``LETTERS`` of them. Measured: the register's two reads (``LetterService.list_letters``
of the newest 1,000 and ``count``) and the GUI thread held by the Letters area's ``refresh``,
the real page in the real main window; then the table is rebuilt in the old column order and
the same is measured again.

Usage: ``python -m benchmarks.bench_letters_many [LETTERS]`` (default 6000).
"""

from __future__ import annotations

import importlib
import os
import tempfile
import time
import uuid
from pathlib import Path
from statistics import median

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import insert, select  # noqa: E402

from app.config import Paths  # noqa: E402
from app.db.models import Letter  # noqa: E402
from app.domain.codes import LetterStatus  # noqa: E402
from app.services.demo import run_demo  # noqa: E402
from app.services.letters import LetterFilter, LetterService  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402
from benchmarks.common import open_admin, print_table, size_argument  # noqa: E402
from ui.letters.page import REGISTER_ROWS, LettersPage  # noqa: E402

move_column_last = importlib.import_module(
    "app.db.migrations.versions.0019_letter_pdf_last"
).move_column_last
RUNS = 5


def _copy_letters(ws: Workspace, wanted: int) -> None:
    """The demo's issued letters, copied (new ids and numbers) until ``wanted`` are issued."""
    with ws.write() as session:
        issued = [
            {c.name: getattr(row, c.name) for c in Letter.__table__.columns}
            for row in session.scalars(select(Letter).where(Letter.status == LetterStatus.ISSUED))
        ]
        seq = max(int(row["seq"]) for row in issued)
        copies = []
        for i in range(wanted - len(issued)):
            row = dict(issued[i % len(issued)], id=str(uuid.uuid4()))
            seq += 1
            row["seq"], row["outgoing_number"] = seq, f"{row['mission_code']}-{row['year']}/{seq}"
            copies.append(row)
        session.execute(insert(Letter), copies)


def _old_layout(ws: Workspace) -> None:
    """The column order of files written before 0019: the PDF after the attachments note."""
    with ws.db.engine.begin() as connection:
        columns = [r[1] for r in connection.exec_driver_sql('PRAGMA table_info("letter")')]
        for column in columns[columns.index("attachments_note") + 1 : -1]:
            move_column_last(connection, "letter", column)


def _measure(ws: Workspace, page: LettersPage) -> dict[str, float]:
    service = LetterService(ws)
    timings: dict[str, list[float]] = {"list": [], "count": [], "refresh": []}
    for _ in range(RUNS):
        started = time.perf_counter()
        service.list_letters(LetterFilter(), limit=REGISTER_ROWS)
        timings["list"].append(time.perf_counter() - started)
        started = time.perf_counter()
        service.count(LetterFilter())
        timings["count"].append(time.perf_counter() - started)
        started = time.perf_counter()
        page.refresh()
        timings["refresh"].append(time.perf_counter() - started)
    return {name: median(values) * 1000 for name, values in timings.items()}


def main() -> None:
    wanted = size_argument("QORGAU_BENCH_LETTERS", 6000)
    from ui.app import make_application
    from ui.i18n_bridge import LanguageBridge
    from ui.main_window import MainWindow

    app = make_application()
    bridge = LanguageBridge(app)
    with tempfile.TemporaryDirectory(prefix="qorgau-bench-letters-") as folder:
        paths = Paths(Path(folder))
        run_demo(paths, 1000, seed=1)  # 40 letters, most of them issued
        ws = open_admin(paths)
        _copy_letters(ws, wanted)
        window = MainWindow(ws, bridge)
        window.resize(1366, 768)
        page = window.show_area("letters")
        assert isinstance(page, LettersPage)
        app.processEvents()
        now = _measure(ws, page)
        _old_layout(ws)
        before = _measure(ws, page)
        window.close()
        ws.close()
    print_table(
        f"The Letters register with {wanted:,} issued letters, medians of {RUNS}: the PDF "
        "last (now); baseline: the column order before migration 0019",
        [
            (
                f"newest {REGISTER_ROWS:,} letters read (list_letters)",
                now["list"],
                before["list"],
                "ms",
            ),
            ("how many letters (count)", now["count"], before["count"], "ms"),
            (
                "the Letters area's refresh, GUI thread held",
                now["refresh"],
                before["refresh"],
                "ms",
            ),
        ],
        baseline="before 0019",
    )


if __name__ == "__main__":
    main()
