"""A workbook, an Office attachment or a backup that is a ZIP of very many empty parts.

zipfile reads a ZIP's whole directory as it opens one, an object per entry, before anything
can be checked: a 41 MB "workbook" of 500,000 empty parts (under the import's 50 MB limit)
took 22 s and 870 MB of memory only to be refused as empty. The directory's size, declared in
its end record, is now read first and a directory past a megabyte is refused at once.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.config import Paths
from app.db.models import Case
from app.domain.file_content import NotViewable, not_viewable
from app.errors import DatabaseError, ValidationError
from app.services.backup import create_backup, restore_backup
from app.services.csv_import import import_csv
from app.services.workspace import Workspace
from app.untrusted import MAX_ZIP_DIRECTORY_BYTES, zip_directory_size
from tests.conftest import PASSWORD
from tests.security.folder import folder_bytes

ENTRIES = 22_000  # some 1.2 MB of directory: 54 bytes an entry of an 8-character name


def a_register() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["surname", "given_names", "host_country", "received_at", "description"])
    sheet.append(["Сидоров", "Әсел", "TR", "2026-11-22", "Wages unpaid."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def padded(archive_bytes: bytes, entries: int = ENTRIES) -> bytes:
    """``archive_bytes`` (a ZIP) with ``entries`` empty parts added."""
    source = zipfile.ZipFile(io.BytesIO(archive_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        for number in range(entries):
            archive.writestr(f"{number:08x}", b"")
    return buffer.getvalue()


def test_a_workbook_of_very_many_parts_is_refused_before_it_is_opened(ws: Workspace) -> None:
    raw = padded(a_register())
    assert zip_directory_size(raw) > MAX_ZIP_DIRECTORY_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as refused:
            import_csv(ws, raw, file_name="register.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "far more parts than any Excel workbook" in str(refused.value)
    assert peak < 8 * 2**20  # its 22,000 entries never became objects (some 30 MB)
    with ws.read() as session:
        assert session.execute(select(func.count()).select_from(Case)).scalar_one() == 0


def test_a_real_workbook_still_imports(ws: Workspace) -> None:
    raw = a_register()
    assert 0 < zip_directory_size(raw) < 4096
    assert import_csv(ws, raw, file_name="register.xlsx").imported == 1


def test_a_zip64_end_record_that_declares_a_larger_directory_counts() -> None:
    """zipfile takes a ZIP64 end record's sizes over the plain one's: a small size in the
    plain record does not hide the directory the ZIP64 record declares."""
    raw = a_register()
    end = raw.rfind(b"PK\x05\x06")
    declared = MAX_ZIP_DIRECTORY_BYTES + 1
    record = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 1, 1, declared, 0)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    forged = raw[:end] + record + locator + raw[end:]
    assert zip_directory_size(forged) == declared
    assert zip_directory_size(b"not a zip") == 0


def test_an_office_attachment_of_very_many_parts_is_not_opened() -> None:
    document = padded(a_register())
    assert not_viewable("payslip.xlsx", document) is NotViewable.ACTIVE_DOCUMENT
    assert not_viewable("payslip.xlsx", a_register()) is None


def test_a_backup_of_very_many_entries_is_refused_before_it_is_opened(
    installation: Paths, tmp_path: Path, ws: Workspace
) -> None:
    """A "backup" handed to the administrator on a stick: its three members and 22,000 empty
    entries. zipfile parsed them all (a file of millions took the window's memory) before the
    restore found more members than a backup's three; now refused from its end record."""
    good = create_backup(ws, tmp_path / "good.qbackup").path
    ws.close()
    forged = tmp_path / "forged.qbackup"
    forged.write_bytes(padded(good.read_bytes()))
    before = folder_bytes(installation.data_dir)
    tracemalloc.start()
    try:
        with pytest.raises(DatabaseError) as refused:
            restore_backup(installation, forged, "admin", PASSWORD, confirmed=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(refused.value).startswith(
        "forged.qbackup is not a Qorgau backup, or it is damaged. Nothing was changed."
    )
    assert peak < 8 * 2**20  # its entries never became objects (14 MB when they did)
    assert folder_bytes(installation.data_dir) == before
