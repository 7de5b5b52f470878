"""The unfinished file (``NAME.qbundle.part``) of a bundle export killed half-way.

An export writes its bundle as ``NAME.qbundle.part`` in the folder the officer chose and
renames it when whole. Killed (the task manager, a power cut), it left the ``.part`` there for
good, and no later start knew that folder. So before the ``.part`` is made, a small record in
the data folder names it, locked while the export writes (``recorded_part``). A record whose
lock is free was left by an export that did not finish: its ``.part`` is removed at the next
start or export (``remove_killed_parts``) if it is still ours: at the same path, a plain file,
empty or beginning as every bundle does (age's header: its content cannot be read without the
key), and named by no export under way.

The file's identity (device and inode) is not used: a USB stick mounted again numbers its
files anew, and the ``.part`` would stay for ever.
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.security.private_files import hold_lock, lock_is_free, sync_folder

RECORD_PREFIX = ".export-"
RECORD_SUFFIX = ".pending"
# How every bundle begins (age's v1 header), and so a ``.part`` with something written in it.
AGE_HEADER = b"age-encryption.org/v1\n"
_MAX_RECORD_BYTES = 64 * 1024  # a record names one path


@contextmanager
def recorded_part(data_dir: Path, part: Path) -> Iterator[None]:
    """Hold a record of ``part`` in ``data_dir`` while the block makes and writes it."""
    record = data_dir / f"{RECORD_PREFIX}{uuid.uuid4().hex}{RECORD_SUFFIX}"
    fd = hold_lock(record)
    try:
        os.write(fd, json.dumps({"part": str(part.absolute())}).encode())
        os.fsync(fd)
        sync_folder(data_dir)  # on the disk before the .part can be
        yield
    finally:
        os.close(fd)
        record.unlink(missing_ok=True)


def remove_killed_parts(data_dir: Path) -> list[Path]:
    """Remove the ``.part`` of every export that was killed half-way; the paths removed.
    A record whose ``.part`` cannot be looked at now (its USB stick not plugged in, a
    folder not readable) is kept for the next start."""
    try:
        records = sorted(data_dir.glob(f"{RECORD_PREFIX}*{RECORD_SUFFIX}"))
    except OSError:
        return []
    left = [r for r in records if lock_is_free(r)]
    if not left:
        return []
    under_way = {_recorded_part(r) for r in records if r not in left}
    removed: list[Path] = []
    for record in left:
        part = _recorded_part(record)
        if part is not None and part not in under_way:
            if not part.parent.is_dir():
                continue  # the stick or share is not there: perhaps at the next start
            if _is_ours(part):
                try:
                    part.unlink()
                except OSError:
                    continue  # read-only now: tried again at the next start
                removed.append(part)
        record.unlink(missing_ok=True)
    return removed


def _recorded_part(record: Path) -> Path | None:
    try:
        with record.open("rb") as handle:
            entry = json.loads(handle.read(_MAX_RECORD_BYTES))
    except (OSError, ValueError):
        return None
    part = entry.get("part") if isinstance(entry, dict) else None
    return Path(part) if isinstance(part, str) and part.endswith(".part") else None


def _is_ours(part: Path) -> bool:
    """A plain file (not a link someone put there) that is empty or begins as a bundle."""
    try:
        if not stat.S_ISREG(part.lstat().st_mode):
            return False
        with part.open("rb") as handle:
            start = handle.read(len(AGE_HEADER))
    except OSError:
        return False
    return AGE_HEADER.startswith(start)  # empty, or cut within the header, counts too
