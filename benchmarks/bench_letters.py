"""Letter rendering speed against bare reportlab in the same process.

Run: ``.venv/bin/python benchmarks/bench_letters.py [--n 30]``. Prints one table: a single
letter (warm, median of N), a batch of 100, and the same text laid out by a bare
``SimpleDocTemplate`` with the same fonts (no letterhead, templates, QR or page decorations).
Targets: ≤ 1.5× the bare baseline and < 150 ms a letter warm. LibreOffice DOCX conversion is
timed only when ``libreoffice`` is on PATH.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from app.letters import (  # noqa: E402
    Addressee,
    Citation,
    EmployerInfo,
    Executor,
    LetterContext,
    MissionInfo,
    PersonInfo,
    Signatory,
    render_letter,
    with_qr_digest,
)
from app.letters.fonts import register_fonts  # noqa: E402
from app.letters.renderer import _styles, _template_functions, _template_variables  # noqa: E402
from app.letters.templates import parse_blocks, render_markup  # noqa: E402


def sample() -> LetterContext:
    mission = MissionInfo(
        code="SEL",
        name={"kk": "Қазақстан Республикасының Корея Республикасындағы Елшілігі"},
        address={"kk": "Корея Республикасы, Сеул, Ханнам-даэро, 100"},
        phone="+82 2 379 9714",
        email="seoul@mfa.kz",
        city={"kk": "Сеул"},
        country="KR",
    )
    return with_qr_digest(
        LetterContext(
            kind="employer_letter",
            lang="kk",
            mission=mission,
            outgoing_number="236",
            letter_date=date(2026, 11, 24),
            incoming_ref=("15-02/311", date(2026, 11, 15)),
            addressee=Addressee("Kim Min-jun", 'Kim & Sons <Ltd> "Best"', "Seoul", "CEO"),
            subject="Жалақыны төлеу және құжаттарды қайтару туралы",
            case_number="SEL-2026-0042",
            case_categories=("Жалақы төленбеген", "Құжаттар ұсталып отыр"),
            case_description="Жұмыс беруші үш ай бойы жалақы төлемеген, паспортты қайтармай отыр.",
            person=PersonInfo("Құрманғалиқызы", "Әсел", "KURMANGALIKYZY", "ASSEL"),
            employer=EmployerInfo('Kim & Sons <Ltd> "Best"', "KR", "Incheon"),
            agency_name=None,
            partner_name=None,
            amount_owed=(Decimal("4500000"), "KRW"),
            free_text="\n\n".join(["Жұмыскер бірнеше рет жүгінді, жауап болмады. " * 4] * 3),
            citations=(Citation("ILO C181", "Art. 7", "No fees to workers", True),),
            attachments=("паспорт көшірмесі, 1 п.",),
            signatory=Signatory("Елші", "Нұрлан Серікұлы Әбдірахманов"),
            executor=Executor("Ж. Сәрсенбаева", "+82 2 379 9715"),
        )
    )


def bare_reportlab(context: LetterContext) -> Callable[[], bytes]:
    """The same paragraphs, styles and embedded fonts in a plain SimpleDocTemplate."""
    styles = _styles(register_fonts())
    row_styles = {"head": ("reg", "to"), "sign": ("sign", "sign_right"), "seal": ("sign", "sign")}
    markup = render_markup(
        context.kind,
        context.lang,
        _template_variables(context),
        _template_functions(context.lang),
    )
    items = []
    for block in parse_blocks(markup):
        for index, cell in enumerate(block.cells):
            name = row_styles[block.style][index] if block.tag == "row" else block.style
            items.append((cell, styles["small" if name == "bottom" else name]))

    def build() -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=A4, initialFontName=styles["body"].fontName)
        doc.build([Paragraph(text, style) for text, style in items])
        return buffer.getvalue()

    return build


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm: fonts registered, templates compiled
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def batch_s(action: Callable[[], object], count: int = 100) -> float:
    start = time.perf_counter()
    for _ in range(count):
        action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=30, help="repetitions for the median")
    args = parser.parse_args()
    context = sample()
    ours = lambda: render_letter(context)  # noqa: E731
    bare = bare_reportlab(context)
    one_ours, one_bare = median_ms(ours, args.n), median_ms(bare, args.n)
    hundred_ours, hundred_bare = batch_s(ours), batch_s(bare)
    print(f"{'measure':<34}{'Qorgau':>12}{'bare reportlab':>16}{'ratio':>8}")
    print(
        f"{'one letter, warm (median ms)':<34}{one_ours:>12.1f}{one_bare:>16.1f}"
        f"{one_ours / one_bare:>8.2f}"
    )
    print(
        f"{'batch of 100 letters (s)':<34}{hundred_ours:>12.2f}{hundred_bare:>16.2f}"
        f"{hundred_ours / hundred_bare:>8.2f}"
    )
    verdict = "meets" if one_ours < 150 and one_ours / one_bare <= 1.5 else "MISSES"
    print(f"target (<150 ms, <=1.5x): {verdict}")
    if shutil.which("libreoffice") or shutil.which("soffice"):
        print("libreoffice found: DOCX comparison not implemented in this run")
    else:
        print("libreoffice: not on PATH, DOCX conversion comparison skipped")


if __name__ == "__main__":
    main()
