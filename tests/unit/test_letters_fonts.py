"""The shipped PT fonts cover Kazakh, and a missing font file is a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.errors import QorgauError
from app.letters.fonts import (
    FONT_DIR,
    FONT_FILES,
    KAZAKH_LETTERS,
    missing_code_points,
    register_fonts,
)


def test_kazakh_letters_are_the_eighteen_code_points() -> None:
    assert [f"{ord(c):04X}" for c in KAZAKH_LETTERS] == [
        "04D8", "04D9", "0492", "0493", "049A", "049B", "04A2", "04A3", "04E8",
        "04E9", "04B0", "04B1", "04AE", "04AF", "04BA", "04BB", "0406", "0456",
    ]  # fmt: skip


@pytest.mark.parametrize("file_name", sorted(FONT_FILES.values()))
def test_every_font_has_every_kazakh_letter(file_name: str) -> None:
    assert missing_code_points(FONT_DIR / file_name) == []


def test_licence_and_readme_ship_with_the_fonts() -> None:
    licence = (FONT_DIR / "LICENSE-ParaType.txt").read_text(encoding="utf-8")
    assert "ParaType Ltd grants you the right to use" in licence
    readme = (FONT_DIR / "README.md").read_text(encoding="utf-8")
    for file_name in FONT_FILES.values():
        assert file_name in readme


def test_missing_font_file_is_a_qorgau_error(tmp_path: Path) -> None:
    for file_name in FONT_FILES.values():
        if file_name != "PTSans-Bold.ttf":
            shutil.copy(FONT_DIR / file_name, tmp_path / file_name)
    with pytest.raises(QorgauError, match=r"font file\(s\) missing: .*PTSans-Bold\.ttf"):
        register_fonts(tmp_path)


def test_missing_character_is_reported() -> None:
    # U+20B8 TENGE SIGN is not in PT Serif: the probe must say so, not pretend.
    assert missing_code_points(FONT_DIR / "PTSerif-Regular.ttf", "₸Ә") == ["₸"]
