"""The recovery sheet as its reader sees it: the facts printed in the sheet's language."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from sqlalchemy import select

from app.db.models import User
from app.services.recovery_sheet import SheetFacts, render_recovery_sheet, sheet_facts
from tests.conftest import OpenWs
from tests.pdf_geometry import drawn_line_xs, drawn_text_starts

KEY = "91VZV-QDJGV-NRFYC-2YZ9D-85NJG-X9VTW-2PB9E-ZQGMJ"
MADE = {
    "kk": "2026 жылғы 6 желтоқсан, 19:07 UTC",
    "ru": "6 декабря 2026 г., 19:07 UTC",
    "en": "6 December 2026, 19:07 UTC",
}


def sheet_text(facts: SheetFacts, lang: str) -> str:
    reader = PdfReader(io.BytesIO(render_recovery_sheet(KEY, facts, lang)))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_sheet_dates_itself_as_documents_do_and_names_the_mission_once(lang: str) -> None:
    """The fault: the Kazakh sheet said it was made «2026 ж. 6 желтоқсан» (CLDR's form, not
    the «2026 жылғы 6 желтоқсан» of Kazakh documents), and a mission not yet named read
    "SEL (SEL)"."""
    made = datetime(2026, 12, 6, 19, 7, 51, tzinfo=UTC)
    text = sheet_text(SheetFacts("SEL", "", "938b4778", made, "admin"), lang)
    assert MADE[lang] in text
    assert "ж. 6" not in text and "SEL (SEL)" not in text
    named = SheetFacts("SEL", "Embassy in Seoul", "938b4778", made, "admin")
    assert "Embassy in Seoul (SEL)" in sheet_text(named, lang)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_key_and_every_table_keep_to_the_text_column(lang: str) -> None:
    """The fault: the key's eight 21 mm boxes (168 mm) were wider than the sheet's text
    column (170 mm between its margins, less the frame's padding), and stood past the text
    on both sides."""
    made = datetime(2026, 12, 6, 19, 7, tzinfo=UTC)
    pdf = render_recovery_sheet(KEY, SheetFacts("SEL", "Embassy in Seoul", "938b", made, "a"), lang)
    text_left = min(x for _text, x in drawn_text_starts(pdf)[0])
    text_right = A4[0] - text_left  # the sheet's margins are the same on both sides
    xs = drawn_line_xs(pdf)[0]
    assert xs and min(xs) >= text_left - 0.5 and max(xs) <= text_right + 0.5


CREATED_BY = {"kk": "Серік Сейітов", "ru": "Серік Сейітов", "en": "Serik Seitov"}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_sheet_names_its_maker_as_the_letters_do(open_ws: OpenWs, lang: str) -> None:
    """The fault: the English sheet said it was created by «Серік Сейітов» in Cyrillic though
    the administrator's Latin name was on file, which an English letter prints."""
    with open_ws("admin").write() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        admin.full_name, admin.full_name_latin = "Серік Сейітов", "Serik Seitov"
    text = sheet_text(sheet_facts(open_ws("admin"), lang), lang)
    assert CREATED_BY[lang] in text
    if lang == "en":
        assert "Сейітов" not in text


def test_every_key_group_stands_inside_its_box() -> None:
    """The fault: eight 59 pt boxes in one row, each group in 15 pt bold; a group of wide
    letters ("WMWMW", 63 pt) ran over the rules into its neighbours, and most groups touched
    them, on the one sheet that must be read back without a mistake."""
    from app.security.recovery_key import check_character

    wide = "-".join(
        data + check_character(data, n) for n, data in enumerate(["WMWM", "MWMW", "WWWW"] * 3)
    )
    wide = "-".join(wide.split("-")[:8])
    made = datetime(2026, 12, 6, 19, 7, tzinfo=UTC)
    pdf = render_recovery_sheet(wide, SheetFacts("SEL", "", "938b", made, "a"), "kk")
    lines = sorted(set(round(x, 1) for x in drawn_line_xs(pdf)[0]))
    starts = [(text, x) for text, x in drawn_text_starts(pdf)[0] if text in wide.split("-")]
    assert len(starts) == 8
    for text, x in starts:
        left = max(line for line in lines if line <= x)
        right = min(line for line in lines if line > x)
        # Centred in its box: a start clear of the box's left rule leaves the right one clear.
        margin = x - left
        assert margin >= 4, (text, margin)
        assert right - left - 2 * margin > 0
