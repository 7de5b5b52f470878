"""The look: every text colour the app defines passes WCAG AA (4.5:1) on its background;
deadlines carry a shape and words beside their colour; the icons ship with their licence."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import RESOURCES_DIR
from app.contracts.report import LEVEL_COLOURS, RISK_COLOURS, text_on
from app.i18n import format_date
from app.services.cases import CaseService
from app.services.records import CaseInput, PersonInput
from tests.conftest import OpenWs
from ui import palette
from ui.icons import AREA_ICONS, ICONS_DIR, icon
from ui.look import TEXT_ROLES, app_palette
from ui.models.case_table_model import DEADLINE_SHAPES

AA = 4.5
UI_DIR = Path(__file__).resolve().parents[2] / "ui"
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")


def test_the_contrast_formula_matches_wcag() -> None:
    assert palette.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert palette.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("name", "text", "background"), palette.TEXT_ON_BACKGROUND)
def test_every_text_colour_on_its_background_passes_aa(
    name: str, text: str, background: str
) -> None:
    ratio = palette.contrast_ratio(text, background)
    assert ratio >= AA, f"{name}: {text} on {background} is {ratio:.2f}:1"


def test_the_qt_palette_text_roles_pass_aa(qapp: QApplication) -> None:
    pal = app_palette()
    for text_role, base_role in TEXT_ROLES:
        text, base = pal.color(text_role).name(), pal.color(base_role).name()
        ratio = palette.contrast_ratio(text, base)
        assert ratio >= AA, f"{text_role.name} on {base_role.name}: {ratio:.2f}:1"


@pytest.mark.parametrize("colour", sorted({*LEVEL_COLOURS.values(), *RISK_COLOURS.values()}))
def test_review_badges_pass_aa(colour: str) -> None:
    assert palette.contrast_ratio(text_on(colour), colour) >= AA


def test_no_colour_is_defined_outside_the_palette() -> None:
    """A colour written anywhere else in ui/ would escape the contrast checks above."""
    found = [
        f"{path.relative_to(UI_DIR)}: {match}"
        for path in UI_DIR.rglob("*.py")
        if path.name != "palette.py"
        for match in HEX.findall(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_every_icon_the_code_names_is_shipped_with_its_licence(qapp: QApplication) -> None:
    named = set(AREA_ICONS.values()) | set(DEADLINE_SHAPES.values())
    for path in UI_DIR.rglob("*.py"):
        named |= set(re.findall(r'\bicon\(\s*"([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    shipped = {p.stem for p in ICONS_DIR.glob("*.svg")}
    assert named and named <= shipped, named - shipped
    assert shipped <= named, f"shipped but unused: {shipped - named}"
    assert "ISC License" in (ICONS_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "Lucide" in (RESOURCES_DIR / "icons" / "README.md").read_text(encoding="utf-8")
    assert not icon("house").pixmap(24, 24).isNull()


def test_deadlines_differ_in_shape_and_words_not_only_colour(qtbot: QtBot, open_ws: OpenWs) -> None:
    assert len(set(DEADLINE_SHAPES.values())) == len(DEADLINE_SHAPES)
    ws = open_ws("serik")
    today = date.today()
    case = CaseService(ws).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=today - timedelta(days=60),
            due_date=today - timedelta(days=2),
            person=PersonInput(surname="Abenov", given_names="Nurlan"),
            description="",
        )
    )
    from ui.cases.editor import CaseEditor

    editor = CaseEditor(ws, [])
    qtbot.addWidget(editor)
    editor.open_case(case.id)
    assert editor.case is not None and editor.case.deadline == "red"
    assert "Overdue" in editor.badge.text()  # in words beside the red
    assert editor.badge_icon.pixmap() is not None and not editor.badge_icon.pixmap().isNull()

    # Closed, the badge says when, not "due" (it read "Closed · due …" as a deadline running).
    service = CaseService(ws)
    for status in ("in_progress", "resolved", "closed"):
        service.set_status(case.id, status, "paid in full")
    editor.open_case(case.id)
    closed = editor.case
    assert closed is not None and closed.closed_at is not None
    assert editor.badge.text() == f"Closed · {format_date(closed.closed_at.astimezone().date())}"
    assert editor.badge_icon.pixmap().isNull()


def test_disabled_controls_look_disabled(qapp: QApplication) -> None:
    from PySide6.QtGui import QPalette

    pal = app_palette()
    enabled = pal.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
    disabled = pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    assert disabled != enabled and disabled.name() == palette.DISABLED_TEXT
