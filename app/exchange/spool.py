"""A temporary file that holds a decrypted bundle without its plain text ever reaching disk.

Import streams the age-decrypted ZIP into an ``EncryptedSpool`` instead of memory, so a bundle
of any size costs a few blocks of memory. Each 64 KiB block is sealed with AES-256-GCM under a
key that lives only in this process (nonce = the block's number), so the disk sees ciphertext,
and a block changed on disk after it was written is refused when read back. The file is
unnamed where the OS allows (``tempfile.TemporaryFile``) and gone when closed.

Once written, ``reader()`` gives a seekable, read-only view that ``zipfile`` can open.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

BLOCK = 64 * 1024
TAG = 16


class SpoolDamaged(OSError):
    """A block of the spool no longer decrypts: it was changed on disk."""


class EncryptedSpool:
    def __init__(self, folder: Path | None = None) -> None:
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self._file = tempfile.TemporaryFile(dir=folder, prefix=".qorgau-spool-")
        self._pending = bytearray()
        self._blocks = 0
        self.size = 0
        self._finished = False

    def _seal(self, index: int, data: bytes) -> bytes:
        return self._aead.encrypt(index.to_bytes(12, "big"), data, None)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._finished:
            raise ValueError("the spool is finished")
        self._pending += data
        self.size += len(data)
        while len(self._pending) >= BLOCK:
            self._file.write(self._seal(self._blocks, bytes(self._pending[:BLOCK])))
            del self._pending[:BLOCK]
            self._blocks += 1
        return len(data)

    def flush(self) -> None:  # pyrage calls it; blocks are sealed whole, so nothing to do
        pass

    def finish(self) -> None:
        if not self._finished and self._pending:
            self._file.write(self._seal(self._blocks, bytes(self._pending)))
            self._blocks += 1
            self._pending.clear()
        self._finished = True
        self._file.flush()

    def read_block(self, index: int) -> bytes:
        self._file.seek(index * (BLOCK + TAG))
        sealed = self._file.read(BLOCK + TAG)
        try:
            return self._aead.decrypt(index.to_bytes(12, "big"), sealed, None)
        except InvalidTag:
            raise SpoolDamaged("a block of the temporary bundle was changed on disk") from None

    def reader(self) -> SpoolReader:
        self.finish()
        return SpoolReader(self)

    def close(self) -> None:
        self._file.close()

    def __del__(self) -> None:  # the temporary file must not outlive a forgotten spool
        try:
            self._file.close()
        except Exception:  # noqa: BLE001, S110 - nothing to report while collecting garbage
            pass


class SpoolReader(io.RawIOBase):
    """Seekable read-only plain view of a finished spool (one decrypted block cached)."""

    def __init__(self, spool: EncryptedSpool) -> None:
        super().__init__()
        self._spool = spool
        self._position = 0
        self._cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            target = offset
        elif whence == os.SEEK_CUR:
            target = self._position + offset
        elif whence == os.SEEK_END:
            target = self._spool.size + offset
        else:
            raise ValueError(f"bad whence {whence}")
        if target < 0:
            raise OSError("negative seek position")
        self._position = target
        return target

    def _block(self, index: int) -> bytes:
        if self._cached is None or self._cached[0] != index:
            self._cached = (index, self._spool.read_block(index))
        return self._cached[1]

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        written = 0
        while written < len(view) and self._position < self._spool.size:
            index, start = divmod(self._position, BLOCK)
            block = self._block(index)
            piece = block[start : start + len(view) - written]
            view[written : written + len(piece)] = piece
            written += len(piece)
            self._position += len(piece)
        return written
