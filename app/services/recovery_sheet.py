"""The one-page recovery sheet (A4 PDF) to keep in the mission's safe, in kk, ru or en.

Its words are written by hand per language in ``resources/recovery/sheet.json`` (a document,
like the letters, not interface text); fonts are the letters' embedded PT fonts. The key is
set large, group by group with its number, so it can be typed back without a slip.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.config import RESOURCES_DIR
from app.errors import DatabaseError, ValidationError
from app.i18n import LANGUAGES, _, format_datetime
from app.letters.fonts import register_fonts
from app.pdf.archival import ArchivalCanvas
from app.security.private_files import open_private
from app.security.recovery_key import groups_of
from app.services.workspace import Workspace

SHEET_TEXTS = RESOURCES_DIR / "recovery" / "sheet.json"


@dataclass(frozen=True)
class SheetFacts:
    mission_code: str
    mission_name: str
    database_id: str
    created_at: datetime
    created_by: str


@cache
def _texts() -> dict[str, Any]:
    return dict(json.loads(SHEET_TEXTS.read_text(encoding="utf-8")))


def render_recovery_sheet(recovery_key: str, facts: SheetFacts, lang: str) -> bytes:
    if lang not in LANGUAGES:
        raise ValidationError(
            _("Unknown language {lang}; use one of: {langs}.").format(
                lang=lang, langs=", ".join(LANGUAGES)
            )
        )
    words = _texts()[lang]
    fonts = register_fonts()
    title = ParagraphStyle("title", fontName=fonts.serif_bold, fontSize=20, leading=26)
    body = ParagraphStyle("body", fontName=fonts.serif, fontSize=11, leading=15, spaceAfter=8)
    small = ParagraphStyle("small", fontName=fonts.sans, fontSize=9, leading=12)
    label = ParagraphStyle("label", parent=small, textColor=colors.HexColor("#555555"))
    mission = facts.mission_name or facts.mission_code

    def text(name: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(words[name].format(mission=mission)), style)

    facts_table = Table(
        [
            [text("mission", label), Paragraph(escape(f"{mission} ({facts.mission_code})"), small)],
            [text("database", label), Paragraph(escape(facts.database_id), small)],
            [
                text("created", label),
                Paragraph(escape(format_datetime(facts.created_at, "long", lang)), small),
            ],
            [text("created_by", label), Paragraph(escape(facts.created_by), small)],
        ],
        colWidths=[45 * mm, 120 * mm],
        hAlign="LEFT",
    )
    # A table sets each cell's font, Paragraph or not: Helvetica (never embedded) unless told.
    facts_table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.sans)]))
    groups = groups_of(recovery_key)
    key_table = Table(
        [[str(n + 1) for n in range(len(groups))], groups],
        colWidths=[21 * mm] * len(groups),
        rowHeights=[6 * mm, 14 * mm],
    )
    key_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), fonts.sans),
                ("FONTSIZE", (0, 0), (-1, 0), 8),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.HexColor("#777777")),
                ("FONTNAME", (0, 1), (-1, 1), fonts.sans_bold),
                ("FONTSIZE", (0, 1), (-1, 1), 15),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 1), (-1, 1), 1, colors.black),
                ("INNERGRID", (0, 1), (-1, 1), 0.5, colors.black),
            ]
        )
    )
    signature = Table(
        [[text("received", small)], [""]],
        colWidths=[165 * mm],
        rowHeights=[8 * mm, 18 * mm],
        hAlign="LEFT",
    )
    signature.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.sans),
                ("LINEBELOW", (0, 1), (0, 1), 0.5, colors.black),
            ]
        )
    )
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=words["title"],
        author="Qorgau",
        creator="Qorgau",
        lang=lang,
        # reportlab's canvas would otherwise start with Helvetica, which is never embedded.
        initialFontName=fonts.serif,
    )
    document.build(
        [
            text("title", title),
            Spacer(0, 6 * mm),
            text("intro", body),
            Spacer(0, 2 * mm),
            facts_table,
            Spacer(0, 8 * mm),
            text("key", small),
            Spacer(0, 2 * mm),
            key_table,
            Spacer(0, 8 * mm),
            text("use", body),
            text("rotate", body),
            Spacer(0, 10 * mm),
            signature,
        ],
        canvasmaker=ArchivalCanvas,
    )
    return out.getvalue()


def write_recovery_sheet(path: Path, recovery_key: str, facts: SheetFacts, lang: str) -> None:
    """The sheet holds the key in clear: written 0600, like everything secret."""
    pdf = render_recovery_sheet(recovery_key, facts, lang)
    try:
        with open_private(path) as handle:
            handle.write(pdf)
    except OSError as exc:
        raise DatabaseError(
            _("The recovery sheet cannot be written: {error}").format(error=exc.strerror)
        ) from None


def sheet_facts(workspace: Workspace, lang: str) -> SheetFacts:
    mission = workspace.mission
    name = {"kk": mission.name_kk, "ru": mission.name_ru, "en": mission.name_en}.get(lang, "")
    return SheetFacts(
        mission_code=mission.code,
        mission_name=name,
        database_id=workspace.database_id,
        created_at=datetime.now(UTC),
        created_by=workspace.actor.full_name or workspace.actor.username,
    )
