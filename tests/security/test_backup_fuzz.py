"""A backup archive given to restore, fuzzed: the backup with bytes flipped or cut, its members
packed otherwise (compressed, renamed, dropped, added), its manifest with any value at any place.
The check the desktop runs before it closes its database, and the restore itself, accept it or
refuse it in words (DatabaseError, or the administrator's AuthError); a refusal leaves the data
folder as it was, and no other exception comes out.

The plain tests below the fuzzing are the cases it found."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import DB_FILENAME, Paths
from app.errors import AuthError, DatabaseError
from app.services.backup import (
    MANIFEST,
    ConfirmationRequired,
    check_backup_for_restore,
    create_backup,
    restore_backup,
)
from app.services.installation import unlock
from tests.conftest import PASSWORD, OpenWs
from tests.fuzz_json import FUZZ, as_text, damaged_documents
from tests.security.folder import folder_bytes


@pytest.fixture
def backup(open_ws: OpenWs, tmp_path: Path) -> bytes:
    out = tmp_path / "taken.qbackup"
    create_backup(open_ws("admin"), out)
    return out.read_bytes()


def members_of(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def packed(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def data_of(installation: Paths) -> dict[str, bytes]:
    """The data folder's files but the shared-memory index of the database's log, which any
    reader's connection updates (it is rebuilt from the log, and holds no data)."""
    return {k: v for k, v in folder_bytes(installation.data_dir).items() if not k.endswith("-shm")}


@st.composite
def damaged_backups(draw: st.DrawFn, good: bytes) -> bytes:
    how = draw(st.sampled_from(["bytes", "members", "manifest"]))
    if how == "bytes":
        data = bytearray(good)
        # The database member is most of the file: aim at the rest as often as at it.
        at = draw(
            st.one_of(st.integers(0, len(good) - 1), st.integers(len(good) - 3000, len(good) - 1))
        )
        data[at] = draw(st.integers(0, 255))
        cut = draw(st.one_of(st.none(), st.integers(0, len(good))))
        return bytes(data[:cut] if cut is not None else data)
    members = members_of(good)
    if how == "manifest":
        manifest = json.loads(members[MANIFEST])
        members[MANIFEST] = as_text(draw(damaged_documents(manifest))).encode("utf-8")
    else:
        name = draw(st.sampled_from(sorted(members)))
        change = draw(st.sampled_from(["drop", "rename", "add", "replace"]))
        if change == "drop":
            del members[name]
        elif change == "rename":
            members[draw(st.sampled_from(["../" + name, name.upper(), "x/" + name]))] = members.pop(
                name
            )
        elif change == "add":
            members[draw(st.sampled_from(["extra", "../escape", name + "-wal"]))] = b"x"
        else:
            members[name] = draw(st.binary(max_size=200))
    compression = draw(
        st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
    )
    return packed(members, compression)


@settings(FUZZ, max_examples=80)
@given(data=st.data())
def test_a_damaged_backup_is_checked_or_refused_in_words(
    installation: Paths, backup: bytes, tmp_path: Path, data: st.DataObject
) -> None:
    file = tmp_path / "given.qbackup"
    file.write_bytes(data.draw(damaged_backups(backup)))
    try:
        summary = check_backup_for_restore(installation, file)
    except DatabaseError as exc:
        assert str(exc)
    else:
        assert isinstance(summary.mission_code, str)


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_restoring_a_damaged_backup_is_refused_and_changes_nothing(
    installation: Paths, backup: bytes, tmp_path: Path, data: st.DataObject
) -> None:
    file = tmp_path / "given.qbackup"
    file.write_bytes(data.draw(damaged_backups(backup)))
    before = data_of(installation)
    try:
        restore_backup(installation, file, "admin", PASSWORD, confirmed=True)
    except (DatabaseError, AuthError) as exc:
        assert str(exc)
        assert data_of(installation) == before
    else:
        # A change that did not matter (a timestamp): restored. Signing in, as after any
        # restore, takes the file back to its everyday form (its journal).
        unlock(installation, "admin", PASSWORD).close()


# -- what the fuzzing found -------------------------------------------------------------------


def _entry(raw: bytes, name: str, signature: bytes) -> int:
    """Where member ``name``'s local (PK\\x03\\x04) or central (PK\\x01\\x02) header begins."""
    at = raw.find(signature)
    while at >= 0:
        start = 30 if signature == b"PK\x03\x04" else 46
        length = struct.unpack_from("<H", raw, at + (26 if start == 30 else 28))[0]
        if raw[at + start : at + start + length] == name.encode():
            return at
        at = raw.find(signature, at + 4)
    raise AssertionError(f"no member {name}")


def _deflate_garbled(good: bytes) -> bytes:
    """The database member compressed, its deflate stream garbled: zlib.error."""
    raw = bytearray(packed(members_of(good), zipfile.ZIP_DEFLATED))
    at = _entry(bytes(raw), DB_FILENAME, b"PK\x03\x04") + 30 + len(DB_FILENAME)
    raw[at : at + 64] = b"\xff" * 64
    return bytes(raw)


def _flagged(good: bytes, name: str, offset: int, value: int) -> bytes:
    raw = bytearray(good)
    at = _entry(good, name, b"PK\x01\x02") + offset
    raw[at : at + 2] = struct.pack("<H", value)
    return bytes(raw)


def _with_manifest(good: bytes, manifest: bytes) -> bytes:
    return packed({**members_of(good), MANIFEST: manifest})


def _manifest_of(good: bytes, **change: Any) -> bytes:
    return json.dumps({**json.loads(members_of(good)[MANIFEST]), **change}).encode()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(_deflate_garbled, id="deflate-stream-garbled"),  # zlib.error
        pytest.param(lambda good: _flagged(good, DB_FILENAME, 8, 1), id="marked-encrypted"),
        pytest.param(lambda good: _flagged(good, MANIFEST, 6, 64), id="zip-version-6.4"),
        pytest.param(
            lambda good: _with_manifest(good, b"[" * 30_000 + b"]" * 30_000), id="nested-deep"
        ),
        pytest.param(
            lambda good: _with_manifest(good, _manifest_of(good, mission_code=None)),
            id="no-mission-code",
        ),
        pytest.param(
            lambda good: _with_manifest(good, b" " * (70 * 1024) + _manifest_of(good)),
            id="manifest-past-64-KiB",
        ),
        pytest.param(
            lambda good: _with_manifest(good, _manifest_of(good, created_at=[1])),
            id="created-at-a-list",  # restored, and "[1]" shown as its date
        ),
        pytest.param(
            lambda good: _with_manifest(good, _manifest_of(good, created_at="last Tuesday")),
            id="created-at-not-a-date",
        ),
        pytest.param(
            lambda good: _with_manifest(good, _manifest_of(good, version="1")),
            id="version-a-string",
        ),
    ],
)
def test_restoring_a_backup_damaged_so_is_refused_in_words_and_changes_nothing(
    installation: Paths, backup: bytes, tmp_path: Path, damage: Any
) -> None:
    """zlib.error, RuntimeError (a password asked for), NotImplementedError and RecursionError
    came out of the check and of the restore as "internal error"; a manifest without a mission
    code was shown as a backup of mission "None"."""
    file = tmp_path / "given.qbackup"
    file.write_bytes(damage(backup))
    with pytest.raises(DatabaseError, match="is not a Qorgau backup, or it is damaged"):
        check_backup_for_restore(installation, file)
    before = data_of(installation)
    with pytest.raises(DatabaseError, match="is not a Qorgau backup, or it is damaged"):
        restore_backup(installation, file, "admin", PASSWORD, confirmed=True)
    assert data_of(installation) == before


def test_the_good_backup_is_accepted_by_the_same_check(
    installation: Paths, backup: bytes, tmp_path: Path
) -> None:
    """The check above refuses the damage, not the archive: the backup as taken restores."""
    file = tmp_path / "given.qbackup"
    file.write_bytes(backup)
    assert check_backup_for_restore(installation, file).mission_code == "SEL"
    with pytest.raises(ConfirmationRequired):
        restore_backup(installation, file, "admin", PASSWORD)


@pytest.mark.parametrize(
    ("version", "said"),
    [
        (2, "made by a newer version of Qorgau, which this one cannot read. Install the version"),
        (0, "made by an older version of Qorgau, which this one can no longer read. Restore it"),
    ],
)
def test_a_backup_of_another_version_says_which_and_what_to_do(
    installation: Paths, backup: bytes, tmp_path: Path, version: int, said: str
) -> None:
    file = tmp_path / "given.qbackup"
    file.write_bytes(_with_manifest(backup, _manifest_of(backup, version=version)))
    with pytest.raises(DatabaseError) as checked:
        check_backup_for_restore(installation, file)
    assert said in str(checked.value)
    before = data_of(installation)
    with pytest.raises(DatabaseError) as refused:
        restore_backup(installation, file, "admin", PASSWORD, confirmed=True)
    assert said in str(refused.value)
    assert data_of(installation) == before
