"""What ``zipfile`` raises on an archive it cannot read, for every reader of ZIP files that
come from outside: exchange bundles, Excel workbooks, backups.

A ZIP's directory and headers are plain bytes anyone can write: a changed "version needed"
byte raises NotImplementedError, a damaged deflate stream ``zlib.error``, a member marked
encrypted RuntimeError, a cut directory ``struct.error`` or EOFError (each found by fuzzing).
"""

from __future__ import annotations

import struct
import zipfile
import zlib

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
