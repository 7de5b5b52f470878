"""The fonts embedded in every PDF: PT Serif for text, PT Sans for small print.

Both cover the whole Kazakh Cyrillic alphabet. reportlab keeps registered fonts in a
process-wide table; registering is idempotent here, so calling ``register_fonts`` before each
document costs a few file checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.errors import QorgauError
from app.i18n import _
from app.resources import resource_path

FONT_DIR = resource_path("fonts")

# The 18 letters Kazakh adds to the Russian alphabet.
KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"

SERIF = "QorgauSerif"
SERIF_BOLD = "QorgauSerif-Bold"
SERIF_ITALIC = "QorgauSerif-Italic"
SERIF_BOLD_ITALIC = "QorgauSerif-BoldItalic"
SANS = "QorgauSans"
SANS_BOLD = "QorgauSans-Bold"

# registered name -> file in the font directory
FONT_FILES: dict[str, str] = {
    SERIF: "PTSerif-Regular.ttf",
    SERIF_BOLD: "PTSerif-Bold.ttf",
    SERIF_ITALIC: "PTSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "PTSerif-BoldItalic.ttf",
    SANS: "PTSans-Regular.ttf",
    SANS_BOLD: "PTSans-Bold.ttf",
}


@dataclass(frozen=True)
class FontSet:
    """Names of the registered fonts, for styles and canvases."""

    serif: str = SERIF
    serif_bold: str = SERIF_BOLD
    serif_italic: str = SERIF_ITALIC
    serif_bold_italic: str = SERIF_BOLD_ITALIC
    sans: str = SANS
    sans_bold: str = SANS_BOLD


def font_paths(font_dir: Path | None = None) -> dict[str, Path]:
    """Each registered name with its file; raises QorgauError naming any file that is missing."""
    directory = font_dir or FONT_DIR
    paths = {name: directory / file for name, file in FONT_FILES.items()}
    missing = sorted(str(path) for path in paths.values() if not path.is_file())
    if missing:
        raise QorgauError(
            _("Cannot produce the PDF: font file(s) missing: {files}. Reinstall Qorgau.").format(
                files=", ".join(missing)
            )
        )
    return paths


def register_fonts(font_dir: Path | None = None) -> FontSet:
    """Register the PT fonts with reportlab once per process and return their names."""
    paths = font_paths(font_dir)
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, path in paths.items():
        if name in registered:
            continue
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except Exception as exc:  # reportlab raises bare TTFError/OSError on a broken file
            raise QorgauError(
                _("Cannot produce the PDF: font file {file} is unreadable ({error}).").format(
                    file=str(path), error=str(exc)
                )
            ) from exc
    # <b>/<i> in paragraph markup pick the right face through this family mapping.
    addMapping(SERIF, 0, 0, SERIF)
    addMapping(SERIF, 1, 0, SERIF_BOLD)
    addMapping(SERIF, 0, 1, SERIF_ITALIC)
    addMapping(SERIF, 1, 1, SERIF_BOLD_ITALIC)
    addMapping(SANS, 0, 0, SANS)
    addMapping(SANS, 1, 0, SANS_BOLD)
    addMapping(SANS, 0, 1, SANS)
    addMapping(SANS, 1, 1, SANS_BOLD)
    return FontSet()


def missing_code_points(path: Path, text: str = KAZAKH_LETTERS) -> list[str]:
    """Characters of ``text`` that the font file at ``path`` has no glyph for."""
    char_map = TTFont(f"probe-{path.stem}", str(path)).face.charToGlyph
    return [char for char in text if ord(char) not in char_map]


@lru_cache(maxsize=1)
def printable_code_points() -> frozenset[int]:
    """The characters every face of the letters' serif font has a glyph for: reportlab prints
    any other as nothing, so a name in Hangul or Arabic would leave a gap in the letter."""
    faces = [SERIF, SERIF_BOLD, SERIF_ITALIC, SERIF_BOLD_ITALIC]
    paths = font_paths()
    maps = [TTFont(f"probe-{face}", str(paths[face])).face.charToGlyph for face in faces]
    return frozenset(set.intersection(*(set(m) for m in maps)))
