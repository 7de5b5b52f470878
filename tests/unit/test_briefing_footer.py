"""The briefing sheet's footer names the mission as running text in the sheet's language."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.db.models import Mission
from app.services.briefing import render_briefing_pdf
from app.services.workspace import Workspace
from tests.conftest import MISSION_NAME, OpenWs

FOOTER = {
    # Not "2026 жылғы 6 желтоқсан басылған": a date in the nominative cannot stand before the
    # participle; the day is labelled, as the sources' "тексерілген күні" are.
    "kk": f"Басылған күні: 2026 жылғы 6 желтоқсан; деректер: {MISSION_NAME['kk']}.",
    "ru": f"Напечатано 6 декабря 2026 г. по данным: {MISSION_NAME['ru']}.",
    "en": f"Printed 6 December 2026 from the data of the {MISSION_NAME['en']}.",
}


def sheet_text(ws: Workspace, lang: str) -> str:
    pdf = render_briefing_pdf(ws, "KR", lang, today=date(2026, 12, 6))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_footer_names_the_mission_as_a_sentence_does(ws: Workspace, lang: str) -> None:
    """The fault: the English footer read "from the data of Embassy of the Republic of
    Kazakhstan …", without the article an English mission name takes in running text."""
    assert FOOTER[lang] in sheet_text(ws, lang)


def test_a_mission_without_an_english_name_gets_no_english_article(open_ws: OpenWs) -> None:
    """Its code (or a name in another language) stands as it is, never "the SEL"."""
    with open_ws().write() as session:
        mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        mission.name_en = mission.name_kk = mission.name_ru = ""
    assert "from the data of SEL." in sheet_text(open_ws(), "en")
