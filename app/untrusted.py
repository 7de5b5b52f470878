"""What the standard library's readers raise on bytes from outside, for every reader of files
the project did not write itself or that anyone may have changed since: exchange bundles,
Excel workbooks, backups, key files and the other JSON files of the data folder.

Catching these (and only these) turns damage into a refusal in the user's words while a
defect of our own still surfaces as one. Each tuple names what fuzzing found."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO

# A ZIP's directory and headers are plain bytes anyone can write: a changed "version needed"
# byte raises NotImplementedError, a damaged deflate stream ``zlib.error``, a cut directory
# ``struct.error`` or EOFError.
UNREADABLE_ZIP: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    IndexError,
    KeyError,
    struct.error,
)
# A member marked as encrypted: zipfile asks for a password (RuntimeError). Bundles refuse
# such members by their flags before opening them; other readers catch it with the rest.
UNREADABLE_MEMBER: tuple[type[Exception], ...] = (*UNREADABLE_ZIP, RuntimeError)

# zipfile reads a ZIP's whole directory as it opens one, an object per entry: 41 MB of empty
# entries took 22 s and 870 MB before anything could be checked. An Office document's or a
# workbook's directory is some kilobytes (about 80 bytes an entry); a megabyte is thousands of
# parts more than any has.
MAX_ZIP_DIRECTORY_BYTES = 1 << 20
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF


def zip_directory_size(raw: bytes) -> int:
    """``zip_directory_size_in`` of ZIP bytes."""
    return zip_directory_size_in(io.BytesIO(raw))


def zip_directory_size_in(file: BinaryIO) -> int:
    """The size of a ZIP's directory as its end records declare it, which is what zipfile
    reads and parses whole on opening it; 0 without an end record (zipfile then refuses the
    file itself). Of a ZIP64 end record, looked for where each Python version looks (just
    before its locator, or where the locator points), the largest size counts. Reads the
    file's last 64 KiB and at most one record elsewhere, whatever its size."""
    length = file.seek(0, io.SEEK_END)
    start = max(0, length - (22 + _MAX_COMMENT + 20 + 56))
    file.seek(start)
    tail = file.read()
    at = tail.rfind(_END_OF_DIRECTORY, max(0, len(tail) - 22 - _MAX_COMMENT))
    if at < 0 or len(tail) < at + 22:
        return 0
    sizes = [int.from_bytes(tail[at + 12 : at + 16], "little")]
    locator = at - 20
    if locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR:
        pointed = int.from_bytes(tail[locator + 8 : locator + 16], "little")
        for offset in (start + locator - 56, pointed):
            if 0 <= offset <= length - 56:
                file.seek(offset)
                record = file.read(56)
                if record[:4] == _ZIP64_END:
                    sizes.append(int.from_bytes(record[40:48], "little"))
    return max(sizes)


def json_from_outside(raw: bytes | str) -> Any:
    """``raw`` read as JSON, or ValueError for whatever a reader refuses as damage: text that is
    not UTF-8 or not JSON (UnicodeDecodeError and JSONDecodeError are ValueErrors, and so is a
    number of more than 4,300 digits, Python's limit on converting text to int), nesting deeper
    than the interpreter's recursion limit, or a lone surrogate written as ``\\ud800``, which
    reads but cannot be encoded again to be written back, hashed or signed."""
    try:
        value = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return value


def read_at_most(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of ``path``, or None when it holds more than ``max_bytes``: only that much
    more is read. The size the file system reports is not asked first: a FIFO or /dev/zero
    reports 0 bytes and has no end. OSError as ``open`` and ``read`` raise it."""
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    return None if len(raw) > max_bytes else raw
