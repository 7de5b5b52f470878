"""The app's icons: Lucide SVGs from ``resources/icons``, drawn in the palette's colours.

One consistent line-icon set for navigation and actions (see resources/icons/README.md); each
icon is rendered for the sizes Qt asks for, in the given colour, and cached per colour.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap
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
    "reports": "chart-column",
    "exchange": "arrow-left-right",
    "settings": "settings",
}


class _SvgEngine(QIconEngine):
    """Renders the SVG crisply at whatever size a view asks for."""

    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self.svg = svg

    def paint(self, painter: QPainter, rect: object, mode: QIcon.Mode, state: QIcon.State) -> None:
        renderer = QSvgRenderer(QByteArray(self.svg))
        painter.save()
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.4)
        renderer.render(painter, QRectF(rect))  # type: ignore[call-overload]
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, pixmap.rect(), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _SvgEngine(self.svg)


def svg_text(name: str, colour: str) -> bytes:
    """The icon's SVG with its strokes in ``colour`` (Lucide draws in ``currentColor``)."""
    path = ICONS_DIR / f"{name}.svg"
    return path.read_text(encoding="utf-8").replace("currentColor", colour).encode("utf-8")


@cache
def icon(name: str, colour: str = palette.ACCENT) -> QIcon:
    """The named icon in ``colour``; raises FileNotFoundError for an icon not shipped."""
    return QIcon(_SvgEngine(svg_text(name, colour)))


def area_icon(key: str) -> QIcon:
    """White, for the navy navigation band."""
    return icon(AREA_ICONS.get(key, "folder-open"), palette.NAV_TEXT)
