"""A bundle's ZIP written front to back as a stream, from members compressed beforehand.

Export deflates each member while it is spooled (``MemberSpool``, beside the JSON encoding),
so by the time the ZIP is written every member's CRC and both sizes are known: a local header
can be written before its data, nothing is compressed twice, nothing is sought back, and age
encrypts the bytes as they come. The layout is the one ``zipfile`` writes without ZIP64:
local header, data, ..., central directory, end record (``docs/bundle-format.md``). A bundle
that would need ZIP64 offsets (over 4 GiB) is refused here, as an importer refuses it.
"""

from __future__ import annotations

import struct
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

LOCAL = struct.Struct("<4sHHHHHIIIHH")
LOCAL_MAGIC = b"PK\x03\x04"
_CENTRAL = struct.Struct("<4sBBBBHHHHIIIHHHHHII")
_CENTRAL_MAGIC = b"PK\x01\x02"
_END = struct.Struct("<4sHHHHIIH")
_END_MAGIC = b"PK\x05\x06"
_ZIP64_END = struct.Struct("<4sQHHIIQQQQ")
_ZIP64_END_MAGIC = b"PK\x06\x06"
_ZIP64_LOCATOR = struct.Struct("<4sIQI")
_ZIP64_LOCATOR_MAGIC = b"PK\x06\x07"
_VERSION = 20  # 2.0: deflate; what zipfile writes for such members
_ZIP64_VERSION = 45
_UNIX = 3
_PERMISSIONS = 0o600 << 16  # a regular file, rw------- (as zipfile marks written members)
_LIMIT = 0xFFFFFFFF
_COUNT_LIMIT = 0xFFFF


class ZipTooLarge(ValueError):
    """The archive would pass 4 GiB, which needs ZIP64 offsets that no importer accepts."""


@dataclass(frozen=True)
class ZipEntry:
    """One member as stored: ``packed`` bytes of ``method`` data for ``size`` plain bytes."""

    name: str
    method: int
    crc: int
    size: int
    packed: int


def deflater() -> zlib._Compress:
    """Raw deflate at level 6, as ``zipfile`` compresses a member."""
    return zlib.compressobj(6, zlib.DEFLATED, -15)


def whole_member(name: str, data: bytes, method: int) -> tuple[ZipEntry, bytes]:
    """A member given whole (the manifest, its signature): its entry and its stored bytes."""
    if method == zipfile.ZIP_DEFLATED:
        compress = deflater()
        packed = compress.compress(data) + compress.flush()
    else:
        packed = data
    return ZipEntry(name, method, zlib.crc32(data), len(data), len(packed)), packed


def _dos_time(moment: float) -> tuple[int, int]:
    year, month, day, hour, minute, second = time.localtime(moment)[:6]
    year = max(year, 1980)
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


class ZipStream:
    """Yields a ZIP's bytes member by member: ``member`` for each, then ``end``."""

    def __init__(self, moment: float | None = None) -> None:
        self._time, self._date = _dos_time(time.time() if moment is None else moment)
        self._offset = 0
        self._central: list[bytes] = []

    def member(self, entry: ZipEntry, data: Iterable[bytes]) -> Iterator[bytes]:
        """The local header, then ``data`` (exactly ``entry.packed`` bytes, checked)."""
        name = entry.name.encode("ascii")  # bundle member names are ASCII by the format
        if max(entry.size, entry.packed, self._offset) >= _LIMIT:
            raise ZipTooLarge(entry.name)
        self._central.append(
            _CENTRAL.pack(
                *(_CENTRAL_MAGIC, _VERSION, _UNIX, _VERSION, 0, 0, entry.method),
                *(self._time, self._date, entry.crc, entry.packed, entry.size),
                *(len(name), 0, 0, 0, 0, _PERMISSIONS, self._offset),
            )
            + name
        )
        header = LOCAL.pack(
            *(LOCAL_MAGIC, _VERSION, 0, entry.method, self._time, self._date),
            *(entry.crc, entry.packed, entry.size, len(name), 0),
        )
        yield header + name
        written = 0
        for chunk in data:
            written += len(chunk)
            yield chunk
        if written != entry.packed:
            raise OSError(f"{entry.name}: {written} bytes given for {entry.packed}")
        self._offset += len(header) + len(name) + written

    def end(self) -> bytes:
        """The central directory and the end record (with ZIP64's count where 65,535 members
        are not enough, as zipfile writes it)."""
        directory = b"".join(self._central)
        start, count = self._offset, len(self._central)
        if start + len(directory) >= _LIMIT:
            raise ZipTooLarge("central directory")
        tail = b""
        if count > _COUNT_LIMIT:
            at = start + len(directory)
            tail = _ZIP64_END.pack(
                *(_ZIP64_END_MAGIC, _ZIP64_END.size - 12, _ZIP64_VERSION, _ZIP64_VERSION, 0, 0),
                *(count, count, len(directory), start),
            ) + _ZIP64_LOCATOR.pack(_ZIP64_LOCATOR_MAGIC, 0, at, 1)
            count = _COUNT_LIMIT
        end = _END.pack(_END_MAGIC, 0, 0, count, count, len(directory), start, 0)
        return directory + tail + end
