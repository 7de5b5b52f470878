"""The streamed ZIP writer: what it writes, Python's zipfile reads back exactly (issue 17)."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.exchange.zipstream import ZipEntry, ZipStream, ZipTooLarge, whole_member


def _deflated(name: str, data: bytes) -> tuple[ZipEntry, bytes]:
    return whole_member(name, data, zipfile.ZIP_DEFLATED)


def _stored(name: str, data: bytes) -> tuple[ZipEntry, bytes]:
    return whole_member(name, data, zipfile.ZIP_STORED)


def _write(members: list[tuple[ZipEntry, bytes]]) -> bytes:
    archive = ZipStream()
    out = b"".join(b"".join(archive.member(entry, [data[:7], data[7:]])) for entry, data in members)
    return out + archive.end()


def test_members_read_back_whole_and_in_order() -> None:
    records = "".join(f'{{"id":"{i}","surname":"Құрманғалиқызы"}}\n' for i in range(3000))
    members = [
        _deflated("manifest.json", b'{"format":"qorgau-bundle"}'),
        _stored("manifest.sig", b"c2lnbmF0dXJl"),
        _deflated("records/case.jsonl", records.encode()),
        _stored("files/" + "a" * 64, bytes(range(256)) * 40),
        _deflated("records/empty-ish.jsonl", b"\n"),
    ]
    data = _write(members)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every CRC checks
        assert [i.filename for i in archive.infolist()] == [e.name for e, _d in members]
        assert archive.read("records/case.jsonl") == records.encode()
        assert archive.read("files/" + "a" * 64) == bytes(range(256)) * 40
        info = archive.getinfo("records/case.jsonl")
        assert info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits
        assert (info.external_attr >> 16) & 0o777 == 0o600


def test_more_members_than_the_classic_end_record_counts() -> None:
    members = [_stored(f"files/{i:064x}", b"x") for i in range(70_000)]
    with zipfile.ZipFile(io.BytesIO(_write(members))) as archive:
        names = archive.namelist()
    assert len(names) == 70_000 and names[-1] == f"files/{69_999:064x}"


def test_data_shorter_than_declared_is_an_error() -> None:
    entry, packed = _deflated("records/case.jsonl", b"x" * 1000)
    with pytest.raises(OSError, match="bytes given"):
        b"".join(ZipStream().member(entry, [packed[:-1]]))


def test_a_bundle_past_4_gib_is_refused_before_its_data() -> None:
    huge = ZipEntry("files/" + "b" * 64, zipfile.ZIP_STORED, 0, 2**32, 2**32)
    with pytest.raises(ZipTooLarge):
        next(iter(ZipStream().member(huge, [])))
