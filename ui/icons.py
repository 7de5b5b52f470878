"""The app's icons: Lucide SVGs from ``resources/icons``, drawn in the palette's colours.

One consistent line-icon set for navigation and actions (see resources/icons/README.md); each
icon is rendered for the sizes Qt asks for, in the given colour, and cached per colour.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.config import RESOURCES_DIR
from ui import palette

ICONS_DIR = RESOURCES_DIR / "icons"

# The areas of the navigation and the icon that stands for each.
AREA_ICONS = {
    "start": "house",
    "cases": "folder-open",
    "contracts": "file-search",
    "agreements": "scale",
    "letters": "mail",
    "partners": "handshake",
    "reports": "chart-column",
    "exchange": "arrow-left-right",
    "returnees": "plane-landing",
    "hq": "landmark",
    "settings": "settings",
}


# The sizes views ask for (menus 16, buttons 20, navigation 24), at 1× and 2× (32, 48).
SIZES = (16, 20, 24, 32, 48)
DISABLED_OPACITY = 0.4


def _rendered(renderer: QSvgRenderer, size: int, opacity: float) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setOpacity(opacity)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def svg_text(name: str, colour: str) -> bytes:
    """The icon's SVG with its strokes in ``colour`` (Lucide draws in ``currentColor``)."""
    path = ICONS_DIR / f"{name}.svg"
    return path.read_text(encoding="utf-8").replace("currentColor", colour).encode("utf-8")


@cache
def icon(name: str, colour: str = palette.ACCENT) -> QIcon:
    """The named icon in ``colour``; raises FileNotFoundError for an icon not shipped.

    Rendered once into pixmaps of every size rather than through a Python ``QIconEngine``
    subclass: Qt clones and deletes icon engines from C++, and with a Python one a full test
    run once ended in a refcount crash at interpreter exit (none since the change)."""
    renderer = QSvgRenderer(QByteArray(svg_text(name, colour)))  # parsed once, drawn at every size
    shown = QIcon()
    for size in SIZES:
        shown.addPixmap(_rendered(renderer, size, 1.0), QIcon.Mode.Normal)
        shown.addPixmap(_rendered(renderer, size, DISABLED_OPACITY), QIcon.Mode.Disabled)
    return shown


def area_icon(key: str) -> QIcon:
    """White, for the navy navigation band."""
    return icon(AREA_ICONS.get(key, "folder-open"), palette.NAV_TEXT)
