"""The one-page recovery sheet (A4 PDF) to keep in the mission's safe, in kk, ru or en.

Its words are written by hand per language in ``resources/recovery/sheet.json`` (a document,
like the letters, not interface text); fonts are the letters' embedded PT fonts. The key is
set large, group by group with its number, so it can be typed back without a slip.
"""

from __future__ import annotations

import io
import json
import os
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
from sqlalchemy import select

from app.config import RESOURCES_DIR
from app.db.models import User
from app.domain.names import user_name
from app.errors import DatabaseError
from app.i18n import _
from app.letters.fonts import register_fonts
from app.letters.renderer import date_long
from app.os_errors import os_error_text
from app.pdf.archival import ArchivalCanvas
from app.security.private_files import open_private
from app.security.recovery_key import groups_of
from app.services import validation as check
from app.services.workspace import Workspace

SHEET_TEXTS = RESOURCES_DIR / "recovery" / "sheet.json"
MARGIN = 20 * mm
# The text column: the page between the margins less the padding reportlab's frame keeps on
# each side (6 pt). Every table is sized to it; the key's 8 × 21 mm stood past it by 2 mm.
COLUMN = A4[0] - 2 * MARGIN - 2 * 6
_LABEL_WIDTH = 45 * mm
KEY_GROUPS_PER_ROW = 4
KEY_FONT_SIZE = 18  # "WWWWW", the widest group, is 78 pt: a box of a quarter column holds it


@dataclass(frozen=True)
class SheetFacts:
    mission_code: str
    mission_name: str
    database_id: str
    created_at: datetime
    created_by: str


def _made_on(value: datetime, lang: str) -> str:
    """«2026 жылғы 6 желтоқсан, 19:07 UTC»: the date as the letters write it (CLDR's long
    Kazakh date is «2026 ж. 6 желтоқсан»), the time in UTC."""
    moment = value.astimezone(UTC)
    return f"{date_long(moment.date(), lang)}, {moment:%H:%M} UTC"


@cache
def _texts() -> dict[str, Any]:
    return dict(json.loads(SHEET_TEXTS.read_text(encoding="utf-8")))


class _Sheet:
    """The sheet's words in one language, its paragraph styles, and the parts built from them."""

    def __init__(self, facts: SheetFacts, lang: str) -> None:
        self.facts = facts
        self.lang = lang
        self.words = _texts()[lang]
        self.fonts = register_fonts()
        fonts = self.fonts
        self.title = ParagraphStyle("title", fontName=fonts.serif_bold, fontSize=20, leading=26)
        self.body = ParagraphStyle(
            "body", fontName=fonts.serif, fontSize=11, leading=15, spaceAfter=8
        )
        self.small = ParagraphStyle("small", fontName=fonts.sans, fontSize=9, leading=12)
        self.label = ParagraphStyle(
            "label", parent=self.small, textColor=colors.HexColor("#555555")
        )
        self.mission = facts.mission_name or facts.mission_code

    def mission_with_code(self) -> str:
        """«Embassy … (SEL)»; a mission not yet named is its code alone, not "SEL (SEL)"."""
        facts = self.facts
        if not facts.mission_name:
            return facts.mission_code
        return f"{facts.mission_name} ({facts.mission_code})"

    def text(self, name: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(self.words[name].format(mission=self.mission)), style)

    def facts_table(self) -> Table:
        """Which mission and database the key opens, made when and by whom."""
        facts, small, label = self.facts, self.small, self.label
        table = Table(
            [
                [
                    self.text("mission", label),
                    Paragraph(escape(self.mission_with_code()), small),
                ],
                [self.text("database", label), Paragraph(escape(facts.database_id), small)],
                [
                    self.text("created", label),
                    Paragraph(escape(_made_on(facts.created_at, self.lang)), small),
                ],
                [self.text("created_by", label), Paragraph(escape(facts.created_by), small)],
            ],
            colWidths=[_LABEL_WIDTH, COLUMN - _LABEL_WIDTH],
            hAlign="LEFT",
        )
        # A table sets each cell's font, Paragraph or not: Helvetica (never embedded) unless told.
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), self.fonts.sans)]))
        return table

    def key_table(self, recovery_key: str) -> Table:
        """The key, large, group by group under its number, in rows of four: eight boxes in
        one row left a group of wide letters ("WMW…") wider than its box, over the rules."""
        groups = groups_of(recovery_key)
        rows: list[list[str]] = []
        for start in range(0, len(groups), KEY_GROUPS_PER_ROW):
            row = groups[start : start + KEY_GROUPS_PER_ROW]
            rows += [[str(start + n + 1) for n in range(len(row))], row]
        table = Table(
            rows,
            colWidths=[COLUMN / KEY_GROUPS_PER_ROW] * KEY_GROUPS_PER_ROW,
            rowHeights=[6 * mm, 14 * mm] * (len(rows) // 2),
        )
        style: list[tuple[Any, ...]] = [
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        for number_row in range(0, len(rows), 2):
            key_row = number_row + 1
            style += [
                ("FONTNAME", (0, number_row), (-1, number_row), self.fonts.sans),
                ("FONTSIZE", (0, number_row), (-1, number_row), 8),
                ("TEXTCOLOR", (0, number_row), (-1, number_row), colors.HexColor("#777777")),
                ("FONTNAME", (0, key_row), (-1, key_row), self.fonts.sans_bold),
                ("FONTSIZE", (0, key_row), (-1, key_row), KEY_FONT_SIZE),
                ("BOX", (0, key_row), (-1, key_row), 1, colors.black),
                ("INNERGRID", (0, key_row), (-1, key_row), 0.5, colors.black),
            ]
        table.setStyle(TableStyle(style))
        return table

    def signature(self) -> Table:
        """The "received by" line to sign on."""
        table = Table(
            [[self.text("received", self.small)], [""]],
            colWidths=[COLUMN],
            rowHeights=[8 * mm, 18 * mm],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.sans),
                    ("LINEBELOW", (0, 1), (0, 1), 0.5, colors.black),
                ]
            )
        )
        return table


def render_recovery_sheet(recovery_key: str, facts: SheetFacts, lang: str) -> bytes:
    check.language(lang, field=None)
    sheet = _Sheet(facts, lang)
    text = sheet.text
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=sheet.words["title"],
        author="Qorgau",
        creator="Qorgau",
        lang=lang,
        # reportlab's canvas would otherwise start with Helvetica, which is never embedded.
        initialFontName=sheet.fonts.serif,
    )
    document.build(
        [
            text("title", sheet.title),
            Spacer(0, 6 * mm),
            text("intro", sheet.body),
            Spacer(0, 2 * mm),
            sheet.facts_table(),
            Spacer(0, 8 * mm),
            text("key", sheet.small),
            Spacer(0, 2 * mm),
            sheet.key_table(recovery_key),
            Spacer(0, 8 * mm),
            text("use", sheet.body),
            text("rotate", sheet.body),
            Spacer(0, 10 * mm),
            sheet.signature(),
        ],
        canvasmaker=ArchivalCanvas,
    )
    return out.getvalue()


def check_sheet_place(path: Path) -> None:
    """Before a recovery key is made or replaced: the sheet can be written there. Found out
    only after, the new key was made (the old one retired) and the command stopped on the
    sheet before it had shown the key."""
    folder = path.parent
    if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
        raise DatabaseError(
            _(
                "The recovery sheet cannot be written to {path}: its folder does not exist or "
                "may not be written to. Nothing was changed."
            ).format(path=str(path))
        )


def write_recovery_sheet(path: Path, recovery_key: str, facts: SheetFacts, lang: str) -> None:
    """The sheet holds the key in clear: written 0600, like everything secret."""
    pdf = render_recovery_sheet(recovery_key, facts, lang)
    try:
        with open_private(path) as handle:
            handle.write(pdf)
    except OSError as exc:
        error = exc  # the message is made when shown: a window showing it follows a switch
        raise DatabaseError(
            lambda: _("The recovery sheet cannot be written: {error}").format(
                error=os_error_text(error)
            )
        ) from None


def sheet_facts(workspace: Workspace, lang: str) -> SheetFacts:
    mission = workspace.mission
    name = {"kk": mission.name_kk, "ru": mission.name_ru, "en": mission.name_en}.get(lang, "")
    actor = workspace.actor
    # The account, not the sign-in's copy: that has no Latin name for an English sheet.
    with workspace.read() as session:
        user = session.execute(
            select(User).where(User.username == actor.username)
        ).scalar_one_or_none()
        created_by = user_name(user, lang) if user else actor.full_name or actor.username
    return SheetFacts(
        mission_code=mission.code,
        mission_name=name,
        database_id=workspace.database_id,
        created_at=datetime.now(UTC),
        created_by=created_by,
    )
