"""Attachment names from a bundle never become paths (issue 14, item 4).

A signed bundle from a trusted mission names its attachments ``/tmp/…/evil.sh``, ``../../x``,
``CON`` or worse: the names are cleaned when the bundle is read, cleaned again when a file is
written to be opened, and the written file always lies inside the app's private temp folder.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Attachment
from app.domain.filenames import FALLBACK_NAME, MAX_NAME_LENGTH, clean_filename, opens_in_viewer
from app.errors import QorgauError
from tests.security.test_bundle_bounds import World, world  # noqa: F401 - the fixture
from ui.private_temp import PrivateTempFolder


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("contract.pdf", "contract.pdf"),
        ("Паспорт Әсел.jpeg", "Паспорт Әсел.jpeg"),
        ("/etc/cron.d/evil", "evil"),
        ("../../.bashrc", "bashrc"),
        ("C:\\Windows\\System32\\evil.dll", "evil.dll"),
        ("..", FALLBACK_NAME),
        ("", FALLBACK_NAME),
        ("\x00\x01", FALLBACK_NAME),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1.tar.gz", "_com1.tar.gz"),
        ("LPT9", "_LPT9"),
        ("scan.pdf. . .", "scan.pdf"),
        ("a\x1b[31mred.pdf", "a_[31mred.pdf"),
        ("invoice\u202efdp.exe", "invoice_fdp.exe"),  # right-to-left override disguise
        ('what?<is>|"this"*.txt', "what__is___this__.txt"),
        ("name.with a space", "name.with a space"),  # not an extension: kept in the name
    ],
)
def test_a_name_is_cleaned_to_a_safe_base_name(name: str, cleaned: str) -> None:
    assert clean_filename(name) == cleaned


def test_a_long_name_is_bounded_and_keeps_its_extension() -> None:
    cleaned = clean_filename("Ә" * 400 + ".pdf")
    assert cleaned.endswith(".pdf")
    assert len(cleaned.encode()) <= MAX_NAME_LENGTH


HOSTILE = {
    "/tmp/qorgau-evil/evil.sh": "evil.sh",
    "../../../escape.txt": "escape.txt",
    "CON": "_CON",
    "..\\..\\win.ini": "win.ini",
    "scan.pdf:Zone.Identifier": "scan.pdf_Zone.Identifier",  # an NTFS stream of scan.pdf
    "C:run.bat": "C_run.bat",  # a drive-relative path on Windows
    "pay\nslip.pdf": "pay_slip.pdf",  # a line break: text, so the schema lets it through
    "a" * 250 + ".pdf": "a" * 116 + ".pdf",  # near the schema's 255: bounded, extension kept
}


@pytest.mark.parametrize(
    "name",
    ["scan.pdf", "Scan.PDF", "photo.jpeg", "IMG_2041.HEIC", "voice.opus", "video.mp4",
     "contract.docx", "wages.xlsx", "note.txt", "scan.pdf. "],
)  # fmt: skip
def test_documents_pictures_sound_and_video_open_in_the_viewer(name: str) -> None:
    assert opens_in_viewer(name)


@pytest.mark.parametrize(
    "name",
    ["contract.pdf.exe", "setup.msi", "run.bat", "run.cmd", "x.com", "x.scr", "x.pif",
     "payslip.js", "x.jse", "x.vbs", "x.wsf", "x.hta", "x.ps1", "scan.lnk", "x.url",
     "x.desktop", "run.sh", "x.jar", "page.html", "x.svg", "x.docm", "x.xlsm", "x.doc",
     "x.rtf", "x.csv", "x.iso", "x.zip", "pdf", ".pdf", "scan", "scan.pdf\u202e.exe"],
)  # fmt: skip
def test_anything_that_could_run_is_not_opened_in_the_viewer(name: str) -> None:
    assert not opens_in_viewer(name)


def test_names_from_a_signed_bundle_are_cleaned_on_import(world: World) -> None:  # noqa: F811
    lines = world.records["attachment"].decode().splitlines()
    template = json.loads(lines[0])
    forged = []
    for n, name in enumerate(HOSTILE):
        record = dict(template, id=f"00000000-0000-4000-8000-{n:012d}", filename=name)
        forged.append(json.dumps(record, ensure_ascii=False, sort_keys=True))
    records = {**world.records, "attachment": ("\n".join(forged) + "\n").encode()}
    path = world.write(world.encrypt(world.payload(records=records)), "names.qbundle")
    world.hq.exchange.import_bundle(path)
    with world.hq.ws.read() as session:
        stored = dict(
            session.execute(
                select(Attachment.id, Attachment.filename).where(
                    Attachment.id.in_([json.loads(r)["id"] for r in forged])
                )
            ).all()
        )
    assert sorted(stored.values()) == sorted(HOSTILE.values())
    assert not Path("/tmp/qorgau-evil").exists()


# -- the private temp folder -----------------------------------------------------------------


def test_writes_stay_inside_the_private_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = PrivateTempFolder(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    root = folder.path.resolve()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for name in [
        str(outside / "absolute.txt"),
        "../../outside/relative.txt",
        "..",
        "CON",
        "a/../../b.txt",
    ]:
        written = folder.write(name, b"content", subfolder="../../outside")
        assert written.resolve().is_relative_to(root)
        assert written.read_bytes() == b"content"
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert list(outside.iterdir()) == []


def test_a_planted_link_inside_the_folder_is_not_followed(tmp_path: Path) -> None:
    folder = PrivateTempFolder(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    sub = folder.path / "abcd1234"
    sub.mkdir()
    os.symlink(victim, sub / "report.pdf")
    with pytest.raises(QorgauError, match="The file cannot be"):
        folder.write("report.pdf", b"overwritten", subfolder="abcd1234")
    assert victim.read_bytes() == b"precious"


def test_emptying_removes_the_folder_and_a_new_one_is_made_on_next_use(tmp_path: Path) -> None:
    folder = PrivateTempFolder(tmp_path)
    first = folder.write("a.txt", b"x", subfolder="s").parent.parent
    folder.empty()
    assert not first.exists()
    assert list(tmp_path.iterdir()) == []
    second = folder.write("a.txt", b"x", subfolder="s").parent.parent
    assert second != first and second.exists()
    folder.empty()
