"""What the standard library's readers raise on bytes from outside, for every reader of files
the project did not write itself or that anyone may have changed since: exchange bundles,
Excel workbooks, backups, key files and the other JSON files of the data folder.

Catching these (and only these) turns damage into a refusal in the user's words while a
defect of our own still surfaces as one. Each tuple names what fuzzing found."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

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
