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
