"""Decrypt a SQLCipher 4 file page by page, to look at what is really on disk.

``sqlcipher_export`` and SELECTs only show live rows; freed pages, slack space inside pages and
old page images in the WAL are seen only by decrypting every page. SQLCipher 4 defaults:
4096-byte pages, AES-256-CBC with the raw key, an 80-byte reserve at the end of each page
(16-byte IV, then the HMAC); page 1 starts with the 16-byte salt.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVE = 80
SALT = 16
WAL_HEADER = 32
FRAME_HEADER = 24


def decrypt_page(page: bytes, key: bytes, first: bool) -> bytes:
    start = SALT if first else 0
    iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start : PAGE - RESERVE]) + decryptor.finalize()


def database_pages(path: Path, key: bytes) -> list[bytes]:
    raw = path.read_bytes()
    return [decrypt_page(raw[i : i + PAGE], key, first=i == 0) for i in range(0, len(raw), PAGE)]


def wal_pages(path: Path, key: bytes) -> list[bytes]:
    """Every frame's page image in a WAL file (empty list when the WAL is absent or empty)."""
    if not path.exists():
        return []
    raw = path.read_bytes()
    pages = []
    offset = WAL_HEADER
    while offset + FRAME_HEADER + PAGE <= len(raw):
        number = int.from_bytes(raw[offset : offset + 4], "big")
        frame = raw[offset + FRAME_HEADER : offset + FRAME_HEADER + PAGE]
        pages.append(decrypt_page(frame, key, first=number == 1))
        offset += FRAME_HEADER + PAGE
    return pages


def decrypted_bytes(db_path: Path, key: bytes) -> bytes:
    """The plaintext of every page of the database and of its WAL, concatenated."""
    wal = db_path.with_name(db_path.name + "-wal")
    return b"".join(database_pages(db_path, key) + wal_pages(wal, key))
