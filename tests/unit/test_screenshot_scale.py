"""``python -m ui.screenshots --scale 1.5`` renders the screens as a 1366×768 laptop shows
them at 150 % display scaling: before, it rendered 1366×768 layout pixels whatever the
scale, and the team could not look at what an officer at 150 % sees."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ui.screenshots import _arguments, _scaled_screen


def test_the_scale_is_a_flag_beside_the_others() -> None:
    args = _arguments(["shots", "--lang", "kk", "--scale", "1.5"])
    assert (args.scale, args.lang, args.small_only) == (1.5, "kk", False)
    assert _arguments(["shots"]).scale == 1.0
    with pytest.raises(SystemExit):
        _arguments(["shots", "--scale", "0"])


def test_a_scale_sets_qts_factor_on_a_laptops_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QT_SCALE_FACTOR", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    _scaled_screen(1.25, tmp_path)
    assert os.environ["QT_SCALE_FACTOR"] == "1.25"
    platform, config = os.environ["QT_QPA_PLATFORM"].split(":configfile=")
    assert platform == "offscreen"
    (screen,) = json.loads(Path(config).read_text())["screens"]
    assert (screen["width"], screen["height"]) == (1366, 768)


def test_a_screen_size_shoots_one_smaller_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The office laptops of 1024×768 (at 150 %, 683×512) could not be shot: every run drew
    1366×768 and 1920×1080."""
    args = _arguments(["shots", "--screen", "1024x768", "--scale", "1.5"])
    assert args.sizes == ((1024, 768),)
    assert _arguments(["shots"]).sizes == ((1366, 768), (1920, 1080))
    for wrong in ("1024", "1024x", "0x768", "wide"):
        with pytest.raises(SystemExit):
            _arguments(["shots", "--screen", wrong])
    monkeypatch.delenv("QT_SCALE_FACTOR", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    _scaled_screen(1.5, tmp_path, args.sizes[0])
    (screen,) = json.loads(Path(os.environ["QT_QPA_PLATFORM"].split("=")[1]).read_text())["screens"]
    assert (screen["width"], screen["height"]) == (1024, 768)
