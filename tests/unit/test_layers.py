"""The core never imports Qt: importing every module under app/ leaves PySide6 unloaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_app_module_imports_pyside6() -> None:
    script = (
        "import importlib, pkgutil, sys, app\n"
        "names = [m.name for m in pkgutil.walk_packages(app.__path__, 'app.')\n"
        "         if '.migrations' not in m.name and m.name != 'app.__main__']\n"
        "for name in names: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6')\n"
        "print(len(names)); assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 10


def test_no_app_source_mentions_pyside6_import() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if any(
            line.lstrip().startswith(("import PySide6", "from PySide6"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
