"""Render the application icon (resources/app-icon/qorgau.svg) at every size the systems use.

Writes qorgau-<size>.png (the window icon and the Linux .desktop entry), qorgau.ico (Windows)
and qorgau.icns (macOS) beside the SVG. Run after changing the SVG; the outputs are committed
so that a build needs neither step. ``QT_QPA_PLATFORM=offscreen python packaging/make_icons.py``
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "app-icon"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(data.data()))).convert("RGBA")


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICON_DIR / "qorgau.svg"))
    images = {size: render(renderer, size) for size in SIZES}
    for size, image in images.items():
        image.save(ICON_DIR / f"qorgau-{size}.png", optimize=True)
    images[256].save(ICON_DIR / "qorgau.ico", sizes=[(s, s) for s in SIZES if s <= 256])
    images[512].save(ICON_DIR / "qorgau.icns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
