"""What reading a case from the command line imports, and that it frees the collector (issue 17).

A command's time beyond the key derivation is mostly importing and mapping; these checks keep
what ``case show`` and ``case list`` do not need from creeping back onto their path. Each runs
the command in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import gc
import json

import pytest

from app.config import Paths
from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli, run_python

# Libraries and areas a command that reads cases has no use for. Babel formats dates and names
# (``--json`` prints neither); cryptography's serialization writes keys, sign-in only reads them.
NOT_NEEDED = (
    "PySide6",
    "alembic",
    "babel",
    "cryptography.hazmat.primitives.serialization",
    "jinja2",
    "jsonschema",
    "keyring",
    "openpyxl",
    "platformdirs",
    "psycopg",
    "pyrage",
    "qrcode",
    "reportlab",
    "sqlalchemy.dialects.postgresql",  # a mission's file is SQLCipher
    "app.exchange",
    "app.letters",
    "app.pdf",
    "app.reports",
)

PROBE = r"""
import gc, json, sys
from app.cli import main
code = main()  # the process's own command line, as ``python -m app`` runs it
print(json.dumps({
    "code": code,
    "areas": sorted(m for m in sys.modules if m.startswith("app.cli.")),
    "loaded": sorted(sys.modules),
    # Objects the collector walks, beside those frozen after the imports (never walked again).
    "walked": len(gc.get_objects()),
    "frozen": gc.get_freeze_count(),
}))
"""


def run_command(installation: Paths, *args: str) -> dict[str, object]:
    env = {"QORGAU_USER": "admin", "QORGAU_PASSWORD": PASSWORD}
    done = run_python(["-c", PROBE, "--data-dir", str(installation.data_dir), *args], env)
    assert done.code == 0, done.err
    return dict(json.loads(done.out.strip().splitlines()[-1]))


def unneeded(loaded: object) -> list[str]:
    assert isinstance(loaded, list)
    return [m for m in loaded if m.startswith(NOT_NEEDED)]


@pytest.fixture
def case_number(installation: Paths, ws: Workspace) -> str:
    return CaseService(ws).create_case(new_case()).number


@pytest.mark.parametrize(
    ("flags", "allowed"), [(["--json"], ()), ([], ("babel",))], ids=["json", "text"]
)
def test_showing_a_case_imports_only_what_it_needs(
    installation: Paths, case_number: str, flags: list[str], allowed: tuple[str, ...]
) -> None:
    """The text output formats a date and a country name: that one needs Babel."""
    seen = run_command(installation, "case", "show", case_number, *flags)
    assert seen["code"] == 0
    assert seen["areas"] == ["app.cli.cases", "app.cli.common"]
    assert [m for m in unneeded(seen["loaded"]) if not m.startswith(allowed)] == []


def test_listing_cases_imports_only_what_it_needs(installation: Paths, case_number: str) -> None:
    seen = run_command(installation, "case", "list", "--json")
    assert seen["code"] == 0
    assert unneeded(seen["loaded"]) == []


def test_a_command_freezes_what_it_imported(installation: Paths, case_number: str) -> None:
    """The ORM's and the services' objects are moved out of the collector's reach once
    imported: walking them again after the imports and at exit cost about 0.1 s a command."""
    seen = run_command(installation, "case", "show", case_number, "--json")
    assert isinstance(seen["frozen"], int) and isinstance(seen["walked"], int)
    assert seen["frozen"] > 5 * seen["walked"]


def test_a_command_run_in_a_longer_process_freezes_nothing(
    installation: Paths, case_number: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() given its arguments (a test, an embedding) is not the process's one task: what the
    command imported may well be collected later, so the collector is left alone."""
    frozen = gc.get_freeze_count()
    args = ["--data-dir", str(installation.data_dir), "case", "show", case_number, "--json"]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("QORGAU_USER", "admin")
        env.setenv("QORGAU_PASSWORD", PASSWORD)
        assert run_cli(capsys, *args).code == 0
    assert gc.get_freeze_count() == frozen
