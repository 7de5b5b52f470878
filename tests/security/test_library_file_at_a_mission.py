"""A forged agreements library or host-country table handed to a mission as a file "from HQ".

The library and the table belong to HQ and reach missions in its signed agreements bundle.
``qorgau agreement update FILE`` applied an unsigned file at a mission too: a phishing mail's
attachment made a treaty say what it does not, marked "verified", in every review and letter
the mission wrote, and the rows' new versions then met HQ's next bundle as conflicts. At a
mission the command is refused, in words naming the bundle; the data folder is unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.agreements.library import DEFAULT_LIBRARY_PATH
from app.config import Paths
from app.contracts.reference import REFERENCE_FILE
from app.errors import PermissionDenied
from app.services.agreements import AgreementService, apply_library_update
from app.services.legal_tables import apply_host_countries_update
from tests.conftest import PASSWORD, OpenWs
from tests.security.folder import cli_as, folder_bytes

REFUSAL = (
    "qorgau: At a mission the agreements library and the host-country table change only by the "
    "agreements bundle headquarters signs: import that bundle (Exchange → Import bundle…, or "
    "qorgau bundle import FILE). A file cannot show who made it."
)


def _forged_library() -> dict[str, object]:
    document = json.loads(DEFAULT_LIBRARY_PATH.read_text(encoding="utf-8"))
    document["updated_on"] = "2099-01-01"  # newer than anything HQ will send
    eaeu = next(i for i in document["instruments"] if i["id"] == "eaeu-treaty-2014")
    for provision in eaeu["provisions"]:
        provision["summary"] = {
            "kk": "Жұмыс беруші төлқұжатты сақтай алады.",
            "ru": "Работодатель вправе хранить паспорт работника.",
            "en": "The employer may keep the worker's passport.",
        }
    return document


def _forged_table() -> dict[str, object]:
    document = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    document["edition"] = "2099-01-01"
    return document


FORGERIES = [_forged_library, _forged_table]


@pytest.mark.parametrize("forged", FORGERIES)
def test_a_mission_administrator_cannot_apply_a_library_file(
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    forged: Callable[[], dict[str, object]],
) -> None:
    attachment = tmp_path / "update-from-hq.json"
    attachment.write_text(json.dumps(forged(), ensure_ascii=False), encoding="utf-8")
    shown = ("agreement", "show", "eaeu-treaty-2014", "--json")
    before = cli_as(capsys, monkeypatch, installation.data_dir, "admin", PASSWORD, *shown)
    assert before.code == 0, before.err

    run = cli_as(
        capsys, monkeypatch, installation.data_dir, "admin", PASSWORD,
        "agreement", "update", str(attachment),
    )  # fmt: skip

    assert run.code == 1
    assert run.err.strip() == REFUSAL
    after = cli_as(capsys, monkeypatch, installation.data_dir, "admin", PASSWORD, *shown)
    assert after.out == before.out


@pytest.mark.parametrize("forged", FORGERIES)
def test_the_refusal_leaves_the_data_folder_unchanged(
    installation: Paths, open_ws: OpenWs, forged: Callable[[], dict[str, object]]
) -> None:
    admin = open_ws("admin")
    AgreementService(admin).list()  # the shipped library seeded, as at any mission
    before = folder_bytes(installation.data_dir)
    apply = apply_library_update if forged is _forged_library else apply_host_countries_update

    with pytest.raises(PermissionDenied, match="A file cannot show who made it"):
        apply(admin, json.dumps(forged(), ensure_ascii=False).encode("utf-8"))

    assert folder_bytes(installation.data_dir) == before
