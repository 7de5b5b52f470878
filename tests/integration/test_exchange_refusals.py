"""Bad bundles through the real service: each is refused with its message and HQ's data folder
stays byte-for-byte the same (the snapshot is taken with the workspace already open, since the
login itself writes an audit entry)."""

from __future__ import annotations

import base64
import json
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyrage
import pytest
from sqlalchemy import select

from app.db.models import Case
from app.exchange.format import Limits
from app.services.exchange import ExchangeService
from tests.conftest import snapshot
from tests.integration.test_exchange import (
    Site,
    hq_and_sel,
    opened,
    secret,
)
from tests.security.forge import unchanged
from tests.unit.test_bundle_package import Forge


class RealForge(Forge):
    """Forge with SEL's real signing key, encrypting to HQ."""

    def __init__(self, signing_pem: bytes, hq_recipient: str) -> None:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        super().__init__()
        self.signing = load_pem_private_key(signing_pem, None)  # type: ignore[assignment]
        self.hq_recipient = hq_recipient

    def encrypt(self, payload: bytes) -> bytes:
        return pyrage.encrypt(payload, [pyrage.x25519.Recipient.from_str(self.hq_recipient)])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("refusals")
    with hq_and_sel(root, 3, seed=5) as (hq, sel):
        good = root / "good.qbundle"
        ExchangeService(sel.ws).export_cases(good, [hq.recipient])
        yield {
            "hq": hq,
            "sel": sel,
            "good": good,
            "payload": opened(good, hq),
            "forge": RealForge(secret(sel, "signing_key"), hq.recipient),
            "root": root,
        }


def _members(forge: Forge, payload: bytes) -> list[Any]:
    return forge.members(payload)


def wrong_recipient(w: dict[str, Any]) -> bytes:
    return pyrage.encrypt(w["payload"], [pyrage.x25519.Identity.generate().to_public()])


def truncated(w: dict[str, Any]) -> bytes:
    data = w["good"].read_bytes()
    return data[: len(data) - 100]


def changed_manifest(w: dict[str, Any]) -> bytes:
    forge: Forge = w["forge"]
    members = _members(forge, w["payload"])
    manifest = json.loads(members[0][1])
    manifest["source_mission"] = "SEL"
    manifest["counts"]["case"] = 99
    members[0] = (members[0][0], json.dumps(manifest).encode())
    return forge.encrypt(forge.zip(members))


def changed_member(w: dict[str, Any]) -> bytes:
    forge: Forge = w["forge"]
    members = _members(forge, w["payload"])
    index = next(i for i, (info, _d) in enumerate(members) if info.filename.endswith("case.jsonl"))
    info, data = members[index]
    members[index] = (info, data[:40] + bytes([data[40] ^ 1]) + data[41:])  # same size
    return forge.encrypt(forge.zip(members))


def bad_signature(w: dict[str, Any]) -> bytes:
    forge: Forge = w["forge"]
    members = _members(forge, w["payload"])
    members[1] = (members[1][0], base64.b64encode(b"\1" * 64))
    return forge.encrypt(forge.zip(members))


def unknown_signer(w: dict[str, Any]) -> bytes:
    stranger = Forge()
    payload = stranger.resign(w["payload"], lambda manifest, members: None)
    return w["forge"].encrypt(payload)


def _with_member(name: str | zipfile.ZipInfo, data: bytes = b"x") -> Callable[..., bytes]:
    def make(w: dict[str, Any]) -> bytes:
        forge: Forge = w["forge"]
        members = _members(forge, w["payload"])
        members.append((name, data))
        return forge.encrypt(forge.zip(members))

    return make


def _link() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("files/" + "b" * 64)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def far_larger(w: dict[str, Any]) -> bytes:
    forge: Forge = w["forge"]
    members = _members(forge, w["payload"])
    index = next(i for i, (info, _d) in enumerate(members) if info.filename.endswith("case.jsonl"))
    info, data = members[index]
    members[index] = (info.filename, data + b" " * 20_000_000)
    return forge.encrypt(forge.zip(members))


def duplicate(w: dict[str, Any]) -> bytes:
    forge: Forge = w["forge"]
    members = _members(forge, w["payload"])
    members.append(members[-1])
    with pytest.warns(UserWarning):
        return forge.encrypt(forge.zip(members))


def invalid_json(w: dict[str, Any]) -> bytes:
    def change(manifest: dict[str, Any], members: dict[str, bytes]) -> None:
        members["records/case.jsonl"] = b"{]\n" * manifest["counts"]["case"]

    return w["forge"].encrypt(w["forge"].resign(w["payload"], change))


def breaks_schema(w: dict[str, Any]) -> bytes:
    def change(manifest: dict[str, Any], members: dict[str, bytes]) -> None:
        lines = members["records/case.jsonl"].splitlines()
        record = json.loads(lines[0])
        record["urgency"] = 3
        lines[0] = json.dumps(record).encode()
        members["records/case.jsonl"] = b"\n".join(lines) + b"\n"

    return w["forge"].encrypt(w["forge"].resign(w["payload"], change))


def dangling_reference(w: dict[str, Any]) -> bytes:
    def change(manifest: dict[str, Any], members: dict[str, bytes]) -> None:
        del members["records/person.jsonl"]
        del manifest["counts"]["person"]

    return w["forge"].encrypt(w["forge"].resign(w["payload"], change))


CASES: list[tuple[str, Callable[..., bytes], str]] = [
    ("wrong recipient", wrong_recipient, "not encrypted for this installation"),
    ("truncated", truncated, "damaged or truncated"),
    # Files chosen by mistake were "damaged or truncated" too, as if the mission's were.
    ("a pdf", lambda _w: b"%PDF-1.7\n" + bytes(200), "bad.qbundle is not an exchange bundle"),
    ("unencrypted", lambda w: w["payload"], "bad.qbundle is not an exchange bundle"),
    ("empty", lambda _w: b"", "bad.qbundle is not an exchange bundle"),
    ("changed manifest", changed_manifest, "signature does not match the registered key of SEL"),
    ("changed member", changed_member, "records/case.jsonl was changed"),
    ("bad signature", bad_signature, "signature does not match"),
    ("unknown signer", unknown_signer, "signature does not match the registered key of SEL"),
    ("traversal", _with_member("../../escape"), "points outside it"),
    ("absolute", _with_member("/tmp/escape"), "absolute path"),
    ("link", _with_member(_link(), b"/etc/passwd"), "link or folder"),
    ("far larger", far_larger, "larger than the manifest declares"),
    ("duplicate", duplicate, "twice"),
    ("invalid json", invalid_json, "is not valid JSON"),
    ("breaks schema", breaks_schema, "breaks the schema"),
    ("dangling reference", dangling_reference, "neither in the bundle nor in this database"),
]


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_bundle_is_refused_and_nothing_changes(
    world: dict[str, Any], tmp_path: Path, make: Callable[..., bytes], message: str
) -> None:
    hq: Site = world["hq"]
    bad = tmp_path / "bad.qbundle"
    bad.write_bytes(make(world))
    with unchanged(hq), pytest.raises(Exception, match=message):
        ExchangeService(hq.ws).import_bundle(bad)


def test_too_many_members_through_the_service(world: dict[str, Any]) -> None:
    hq: Site = world["hq"]
    before = snapshot(hq.paths.data_dir)
    with pytest.raises(Exception, match="at most 3 are allowed"):
        ExchangeService(hq.ws, limits=Limits(max_members=3)).import_bundle(world["good"])
    assert snapshot(hq.paths.data_dir) == before


def test_the_good_bundle_still_imports_after_the_refusals(world: dict[str, Any]) -> None:
    hq: Site = world["hq"]
    report = ExchangeService(hq.ws).import_bundle(world["good"])
    assert report.per_entity["case"]["new"] == 3
    with hq.ws.read() as session:
        assert len(session.execute(select(Case.id)).all()) == 3
