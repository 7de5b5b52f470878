"""Where a PDF draws its rules: for tests that nothing stands past the page's margins."""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader


def _page_line_xs(page: PageObject) -> list[float]:
    xs: list[float] = []

    def before(op: bytes, args: list[object], cm: list[float], _tm: object) -> None:
        if op in (b"m", b"l") and len(args) == 2:
            x, y = float(args[0]), float(args[1])  # type: ignore[arg-type]
            xs.append(cm[0] * x + cm[2] * y + cm[4])

    page.extract_text(visitor_operand_before=before)
    return xs


def drawn_line_xs(pdf: bytes) -> list[list[float]]:
    """Per page, the x (points, from the page's left) of every point a path moves or draws a
    line to: a table's rules, the letterhead's lines."""
    return [_page_line_xs(page) for page in PdfReader(io.BytesIO(pdf)).pages]


def _page_text_starts(page: PageObject) -> list[tuple[str, float]]:
    runs: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            runs.append((text.strip(), tm[4] * cm[0] + tm[5] * cm[2] + cm[4]))

    page.extract_text(visitor_text=visit)
    return runs


def drawn_text_starts(pdf: bytes) -> list[list[tuple[str, float]]]:
    """Per page, each run of text drawn with the x (points, from the page's left) it starts
    at: for tests that a line stands where its neighbours do."""
    return [_page_text_starts(page) for page in PdfReader(io.BytesIO(pdf)).pages]
