"""Hostile bundles against memory and disk: bounded by what the signed manifest declares.

Bundles are built with the project's own ``build_payload`` and signed with SEL's real signing
key (registered at HQ), then encrypted to HQ, the way a compromised or buggy mission would send
them. Sizes are small and the limits injected; ``benchmarks/bench_bundle_memory.py`` replays the
same attacks at 1 GiB and measures the peak memory.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import tracemalloc
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.db.models import Mission
from app.exchange.format import FILE_MEMBER, Limits
from app.exchange.package import (
    BundleRefused,
    build_payload,
    read_bundle,
    sign,
)
from app.exchange.spool import BLOCK, EncryptedSpool, SpoolDamaged
from app.services.exchange import ExchangeService
from tests.conftest import snapshot
from tests.integration.test_exchange import (
    Site,
    first_case_id,
    hq_and_sel,
    opened,
    secret,
)

MiB = 1024 * 1024


@dataclass
class World:
    hq: Site
    sel: Site
    signing_pem: bytes
    identity: pyrage.x25519.Identity
    manifest: dict[str, Any]
    records: dict[str, bytes]
    files: dict[str, bytes]
    root: Path

    def keys(self) -> dict[str, str]:
        with self.hq.ws.read() as session:
            return dict(session.execute(select(Mission.code, Mission.signing_public_key)).all())

    def payload(
        self,
        extra_files: dict[str, bytes] | None = None,
        records: dict[str, bytes] | None = None,
    ) -> bytes:
        """A fresh bundle id, SEL's records (or ``records``) and files plus ``extra_files``,
        counted and signed by SEL."""
        records = records or self.records
        counts = {name: data.count(b"\n") for name, data in records.items()}
        manifest = {**self.manifest, "bundle_id": str(uuid.uuid4()), "counts": counts}
        files = {**self.files, **(extra_files or {})}
        return build_payload(manifest, records, files, self.signing_pem)

    def encrypt(self, payload: bytes) -> bytes:
        return pyrage.encrypt(payload, [self.identity.to_public()])

    def write(self, data: bytes, name: str = "hostile.qbundle") -> Path:
        path = self.root / name
        path.write_bytes(data)
        return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("bounds")
    with hq_and_sel(root, 2, seed=3) as (hq, sel):
        yield _world(hq, sel, root)


def _world(hq: Site, sel: Site, root: Path) -> World:
    """SEL's real export to HQ (one case with a scan attached), taken apart."""
    sel.cases.add_attachment(first_case_id(sel), "contract.pdf", b"%PDF-1.4 scan " * 500)
    good = root / "good.qbundle"
    ExchangeService(sel.ws).export_cases(good, [hq.recipient])
    identity = pyrage.x25519.Identity.from_str(secret(hq, "age_identity").decode())
    with zipfile.ZipFile(io.BytesIO(opened(good, hq))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        records = {
            n.removeprefix("records/").removesuffix(".jsonl"): archive.read(n)
            for n in archive.namelist()
            if n.startswith("records/")
        }
        files = {
            n.removeprefix("files/"): archive.read(n)
            for n in archive.namelist()
            if FILE_MEMBER.match(n)
        }
    for key in ("format", "version", "files", "members"):
        manifest.pop(key)
    return World(hq, sel, secret(sel, "signing_key"), identity, manifest, records, files, root)


class CountingReader(io.RawIOBase):
    """A bundle file that counts how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = io.BytesIO(data)
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        self.consumed += len(chunk)
        return len(chunk)


def refused_on_import(world: World, data: bytes, limits: Limits | None = None) -> str:
    """Import through the service; the refusal's message, with HQ's data folder unchanged."""
    path = world.write(data)
    before = snapshot(world.hq.paths.data_dir)
    service = ExchangeService(world.hq.ws, limits=limits) if limits else world.hq.exchange
    with pytest.raises(BundleRefused) as refusal:
        service.import_bundle(path)
    assert snapshot(world.hq.paths.data_dir) == before
    return str(refusal.value)


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_a_file_no_record_refers_to_is_refused(world: World) -> None:
    stray = b"\0" * (2 * MiB)
    message = refused_on_import(world, world.encrypt(world.payload({_sha(stray): stray})))
    assert message == (f"The bundle holds the file files/{_sha(stray)}, which no record refers to.")


def test_unreferenced_members_are_refused_before_they_are_unpacked(world: World) -> None:
    """Three large signed members nobody references: refused with memory far below their size."""
    members = {_sha(bytes([n]) * (8 * MiB)): bytes([n]) * (8 * MiB) for n in range(1, 4)}
    data = world.encrypt(world.payload(members))
    keys = world.keys()
    tracemalloc.start()
    try:
        with pytest.raises(BundleRefused, match="which no record refers to"):
            read_bundle(io.BufferedReader(CountingReader(data)), [world.identity], keys.get)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB, f"peak {peak / MiB:.1f} MiB while refusing 24 MiB of members"


def test_junk_encrypted_to_hq_is_refused_after_its_first_bytes(world: World) -> None:
    junk = os.urandom(8 * MiB)
    data = world.encrypt(junk)
    reader = CountingReader(data)
    tracemalloc.start()
    try:
        with pytest.raises(BundleRefused, match="not a valid archive"):
            read_bundle(reader, [world.identity], world.keys().get)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reader.consumed < MiB  # decryption stopped at the first block
    assert peak < 2 * MiB
    assert refused_on_import(world, data) == "The bundle's content is not a valid archive."


def test_the_signature_is_checked_before_large_members_are_read(world: World) -> None:
    big = os.urandom(6 * MiB)  # incompressible: the stream really is this large
    forged = Ed25519PrivateKey.generate()
    manifest = {**world.manifest, "bundle_id": str(uuid.uuid4())}
    from cryptography.hazmat.primitives import serialization

    impostor = forged.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    payload = build_payload(manifest, world.records, {**world.files, _sha(big): big}, impostor)
    data = world.encrypt(payload)
    reader = CountingReader(data)
    with pytest.raises(BundleRefused, match="signature does not match the registered key of SEL"):
        read_bundle(reader, [world.identity], world.keys().get)
    assert reader.consumed < MiB
    assert "signature does not match the registered key of SEL" in refused_on_import(world, data)


def _lying_payload(world: World, grow_to: int) -> bytes:
    """A signed manifest declaring a small file; the archive's member really holds more."""
    small = b"small scan"
    payload = world.payload({_sha(small): small})
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, content in members:
            if info.filename == f"files/{_sha(small)}":
                content = os.urandom(grow_to)
            archive.writestr(info, content)
    return buffer.getvalue()


def test_a_stream_larger_than_the_manifest_declares_is_cut_off(world: World) -> None:
    data = world.encrypt(_lying_payload(world, 6 * MiB))
    reader = CountingReader(data)
    with pytest.raises(BundleRefused, match="larger than the manifest declares"):
        read_bundle(reader, [world.identity], world.keys().get)
    assert reader.consumed < 2 * MiB  # stopped near the declared size, not at the end
    assert "larger than the manifest declares" in refused_on_import(world, data)


def test_a_declared_size_above_the_ceiling_is_refused_before_reading_it(world: World) -> None:
    big = os.urandom(3 * MiB)
    data = world.encrypt(world.payload({_sha(big): big}))
    limits = Limits(max_file_bytes=MiB)
    reader = CountingReader(data)
    with pytest.raises(BundleRefused, match=f"files/{_sha(big)} is larger than allowed"):
        read_bundle(reader, [world.identity], world.keys().get, limits)
    assert reader.consumed < MiB
    message = refused_on_import(world, data, limits)
    assert message == f"The member files/{_sha(big)} is larger than allowed."


def test_a_declared_total_above_the_limit_is_refused(world: World) -> None:
    data = world.encrypt(world.payload())
    message = refused_on_import(world, data, Limits(max_total_bytes=1000))
    assert message == "The bundle unpacks to more than the allowed total size."


def test_a_bundle_that_does_not_begin_with_its_manifest_is_refused(world: World) -> None:
    payload = world.payload()
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, content in [*members[2:], *members[:2]]:
            archive.writestr(info, content)
    message = refused_on_import(world, world.encrypt(buffer.getvalue()))
    assert message == (
        "The bundle does not begin with its signed manifest; it was not made by Qorgau."
    )


def test_an_archive_whose_directory_names_another_manifest_is_refused(world: World) -> None:
    """The streamed (signed) manifest and the one in the ZIP's directory must be the same."""
    payload = world.payload()
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    manifest = json.loads(members[0][1])
    manifest["counts"]["case"] = 99
    second = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, content in members:
            archive.writestr(info, content)
    # Append a second manifest.json local entry and point the directory at it.
    with pytest.warns(UserWarning, match="Duplicate name"):
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("manifest.json", second)
    message = refused_on_import(world, world.encrypt(buffer.getvalue()))
    assert message in (
        "The bundle holds the member manifest.json twice.",
        "The bundle's archive lists a manifest other than the signed one.",
    )


def _nested(depth: int) -> str:
    return '{"a":' * depth + "{}" + "}" * depth


# 900 went in (and broke whoever read it later from a deeper stack); 1,000 broke the import
# with an internal error (RecursionError in the database's JSON encoder), not a refusal.
@pytest.mark.parametrize("depth", [65, 900, 1000])
def test_a_record_nested_too_deep_is_refused_in_words(world: World, depth: int) -> None:
    lines = world.records["case_event"].splitlines()
    record = json.loads(lines[0])
    record["data"] = "@nested@"
    lines[0] = json.dumps(record).replace('"@nested@"', _nested(depth)).encode()
    records = {**world.records, "case_event": b"\n".join(lines) + b"\n"}
    message = refused_on_import(world, world.encrypt(world.payload(records=records)))
    assert message == "records/case_event.jsonl:1 nests its values more than 64 levels deep."


def test_a_manifest_nested_too_deep_is_refused_in_words(world: World) -> None:
    """Its signature is good: the depth is the only thing wrong with it."""
    with zipfile.ZipFile(io.BytesIO(world.payload())) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    deep = b'"created_by": ' + _nested(1000).encode()
    members["manifest.json"] = re.sub(rb'"created_by": "[^"]*"', deep, members["manifest.json"])
    members["manifest.sig"] = base64.b64encode(sign(world.signing_pem, members["manifest.json"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    message = refused_on_import(world, world.encrypt(buffer.getvalue()))
    assert message == "manifest.json nests its values more than 64 levels deep."


# Each broke the import with an internal error (OverflowError on the way to UTC or into the
# database) instead of a refusal naming the field.
@pytest.mark.parametrize(
    ("entity", "field", "value"),
    [
        ("case", "updated_at", "9999-12-31T23:59:59-12:00"),
        ("case", "updated_at", "0001-01-01T00:00:00+14:00"),
        ("case_event", "occurred_at", "9999-12-31T23:59:59-12:00"),
        ("case", "received_at", "9999-12-31"),
        ("case", "deleted_at", "9999-12-31T23:59:59+00:00"),
    ],
)
def test_a_date_at_the_ends_of_the_calendar_is_refused_in_words(
    world: World, entity: str, field: str, value: str
) -> None:
    lines = world.records[entity].splitlines()
    record = json.loads(lines[0])
    record[field] = value
    lines[0] = json.dumps(record).encode()
    records = {**world.records, entity: b"\n".join(lines) + b"\n"}
    message = refused_on_import(world, world.encrypt(world.payload(records=records)))
    assert message == (
        f"Record 1 of records/{entity}.jsonl breaks the schema: the field {field} holds a "
        "date outside the years 1800–2199 a record's dates may hold"
    )  # without the value: a birth date is personal data


def test_a_good_bundle_still_imports_with_its_files(world: World) -> None:
    assert world.files, "the demo mission exports attachments"
    path = world.write(world.encrypt(world.payload()), "good-again.qbundle")
    report = world.hq.exchange.import_bundle(path)
    assert report.files == len(world.files)
    assert report.new > 0


# -- the spool ---------------------------------------------------------------------------------


def test_the_spool_never_holds_plain_text_and_refuses_a_changed_block(tmp_path: Path) -> None:
    marker = b"Kurmangalikyzy 940315400123 " * 5000
    spool = EncryptedSpool(tmp_path)
    spool.write(marker)
    reader = spool.reader()
    assert reader.read() == marker
    raw_handle = spool._file  # the unnamed file as the disk holds it
    raw_handle.seek(0)
    raw = raw_handle.read()
    assert b"Kurmangalikyzy" not in raw and b"940315400123" not in raw
    assert list(tmp_path.iterdir()) == []  # unnamed: nothing to find in the folder
    raw_handle.seek(BLOCK + 40)
    # Each bit flipped: a byte written over it would leave it unchanged 1 time in 256.
    raw_handle.write(bytes([raw[BLOCK + 40] ^ 0xFF]))
    raw_handle.flush()
    reader.seek(BLOCK)
    with pytest.raises(SpoolDamaged):
        reader.read(10)
    spool.close()
