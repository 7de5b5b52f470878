"""The look of the whole app: the palette's colours given to Qt, and a short style sheet.

Fusion draws every widget the same on Windows, macOS and Linux; this gives it the restrained
palette of ``ui.palette`` (ink on white, a navy accent) and the navy navigation band.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ui import palette as p

# A navigation item's padding and margin left and right: the icons-only navigation of a
# narrow window is as wide as an icon with these (ui/main_window.py).
NAV_ITEM_PADDING = 10
NAV_ITEM_MARGIN = 6

# No font sizes here: points in a style sheet ignore the system's text size (the navigation's
# is set in ui/main_window.py through ui.widgets.text_size).
STYLE_SHEET = f"""
QListWidget#navigation {{
    background: {p.NAV_BACKGROUND};
    color: {p.NAV_TEXT};
    border: none;
    padding-top: 8px;
}}
QListWidget#navigation::item {{
    color: {p.NAV_TEXT};
    padding: 7px {NAV_ITEM_PADDING}px;
    border-radius: 4px;
    margin: 1px {NAV_ITEM_MARGIN}px;
}}
QListWidget#navigation::item:hover {{ background: {p.NAV_HOVER}; }}
QListWidget#navigation::item:selected {{
    background: {p.NAV_SELECTED};
    color: {p.NAV_TEXT};
    font-weight: 600;
}}
QGroupBox {{ font-weight: 600; }}
QGroupBox QLabel, QGroupBox QCheckBox, QGroupBox QPushButton {{ font-weight: normal; }}
QTabBar::tab:selected {{ color: {p.ACCENT}; }}
"""


def app_palette() -> QPalette:
    """Qt's roles in the palette's colours (every text role is in the contrast test)."""
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: p.WINDOW,
        QPalette.ColorRole.WindowText: p.TEXT,
        QPalette.ColorRole.Base: p.BACKGROUND,
        QPalette.ColorRole.AlternateBase: p.ALTERNATE_BASE,
        QPalette.ColorRole.Text: p.TEXT,
        QPalette.ColorRole.Button: p.BUTTON,
        QPalette.ColorRole.ButtonText: p.TEXT,
        QPalette.ColorRole.Highlight: p.ACCENT,
        QPalette.ColorRole.HighlightedText: p.ON_ACCENT,
        QPalette.ColorRole.ToolTipBase: p.BACKGROUND,
        QPalette.ColorRole.ToolTipText: p.TEXT,
        QPalette.ColorRole.PlaceholderText: p.MUTED_TEXT,
        QPalette.ColorRole.Link: p.LINK,
        QPalette.ColorRole.LinkVisited: p.LINK,
        QPalette.ColorRole.BrightText: p.ON_ACCENT,
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    # Greyed out when disabled (setColor above set every group): a Save with nothing to save
    # must look unavailable. WCAG exempts disabled controls from the contrast minimum.
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(disabled, role, QColor(p.DISABLED_TEXT))
    pal.setColor(disabled, QPalette.ColorRole.Base, QColor(p.WINDOW))
    return pal


# The text roles of the palette and the role each is drawn on (for the contrast test).
TEXT_ROLES = (
    (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
    (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
    (QPalette.ColorRole.Text, QPalette.ColorRole.AlternateBase),
    (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
    (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight),
    (QPalette.ColorRole.ToolTipText, QPalette.ColorRole.ToolTipBase),
    (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Base),
    (QPalette.ColorRole.Link, QPalette.ColorRole.Base),
)


def apply_look(app: QApplication) -> None:
    app.setPalette(app_palette())
    app.setStyleSheet(STYLE_SHEET)
