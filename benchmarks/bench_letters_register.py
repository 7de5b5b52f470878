"""Moving through the Letters register as the arrow keys do: how long the GUI thread is held
by choosing a letter, and how long until its preview shows.

The real main window (the app's own application and look, Kazakh, 1366 px) on a large mission,
the Letters area shown. Its latest letters are chosen one after another, down the register and
again (a draft's or an approved letter's preview is rendered, an issued letter's stored PDF is
shown); each kind is reported on its own.
Baseline in the same run: ``LetterService.render_preview`` of the same letters alone, the work
each choice needs.

Usage: ``python -m benchmarks.bench_letters_register [CASES]`` (default 100000;
QORGAU_BENCH_DATA names a mission folder to reuse).
"""

from __future__ import annotations

import time
from statistics import median

from PySide6.QtWidgets import QApplication

from app.domain.codes import LetterStatus
from benchmarks.common import p, print_table, repeats, settle_ms, size_argument
from benchmarks.signed_in import signed_in, wait
from ui.letters.page import LettersPage

LETTERS = 40  # the register's latest letters
PASSES = 3


def _loading(page: object) -> bool:
    return bool(getattr(page, "loading", False))  # a tree before the preview left the GUI thread


def main() -> None:
    cases = size_argument("QORGAU_BENCH_CASES", 100_000)
    shown = signed_in(cases)
    page = shown.window.show_area("letters")
    assert isinstance(page, LettersPage)
    rows = min(LETTERS, page.model.rowCount())
    held: dict[bool, list[float]] = {True: [], False: []}
    until_shown: dict[bool, list[float]] = {True: [], False: []}
    page.table.selectRow(rows - 1)  # so that choosing the first letter changes the choice
    for _ in range(repeats(PASSES)):
        for row in range(rows):
            while _loading(page):
                wait(5)
            wait(settle_ms(100))
            stored = page.model.letter(row).status == LetterStatus.ISSUED
            started = time.perf_counter()
            page.table.selectRow(row)
            QApplication.processEvents()
            held[stored].append((time.perf_counter() - started) * 1000)
            while _loading(page):
                wait(1)
            until_shown[stored].append((time.perf_counter() - started) * 1000)
    rendered: dict[bool, list[float]] = {True: [], False: []}
    for row in range(rows):
        letter = page.model.letter(row)
        started = time.perf_counter()
        page.service.render_preview(letter.id)
        rendered[letter.status == LetterStatus.ISSUED].append(
            (time.perf_counter() - started) * 1000
        )
    table = []
    for stored, which in (
        (False, "a draft or approved letter (rendered)"),
        (True, "an issued letter (its stored PDF)"),
    ):
        if not held[stored]:
            continue  # a small mission may have letters of one kind only
        alone = median(rendered[stored])
        table += [
            (f"{which}: GUI thread held, median", median(held[stored]), alone, "ms"),
            (f"{which}: GUI thread held, p95", p(held[stored], 95), p(rendered[stored], 95), "ms"),
            (f"{which}: until the preview shows, median", median(until_shown[stored]), alone, "ms"),
        ]
    print_table(
        f"Choosing letters in the register one after another, {cases:,} cases ({rows} letters, "
        f"{PASSES} passes): baseline: LetterService.render_preview of the same letters alone",
        table,
        baseline="render_preview alone",
    )
    shown.close()


if __name__ == "__main__":
    main()
