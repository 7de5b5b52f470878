"""The published schemas, read by an independent validator (check-jsonschema, with format
checking on): they accept a real export and refuse the values issue 20 found them accepting.
The bundle-format facts an outside reader relies on (the signing key's form, how
``manifest.sig`` is stored) are checked on the same export."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.exchange.fastcheck import FORMAT_CHECKER, EcmaValidator, compile_record
from app.exchange.format import manifest_schema
from app.exchange.records import BY_NAME, record_schema
from app.services.exchange import ExchangeService
from app.services.keys import KeyService
from tests.integration.test_exchange import hq_and_sel, opened

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"

# (schema, field, value the schemas once accepted)
BAD_VALUES = [
    ("record.case", "received_at", "2026-13-45"),
    ("record.case", "host_country", "Z"),
    ("record.case", "channel", "carrier-pigeon"),
    ("record.person", "sex", "x"),
    ("record.person", "iin", "abc"),
    ("manifest", "created_at", "yesterday"),
]


def _check_jsonschema() -> str:
    """The check-jsonschema command of this environment (a test dependency in pyproject)."""
    beside = Path(sys.executable).with_name("check-jsonschema")
    found = str(beside) if beside.exists() else shutil.which("check-jsonschema")
    if found is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    return found


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real demo export of SEL to HQ, decrypted: its ZIP, manifest and records by entity."""
    root = tmp_path_factory.mktemp("independent")
    with hq_and_sel(root, 4, seed=11) as (hq, sel):
        bundle = root / "sel.qbundle"
        ExchangeService(sel.ws).export_cases(bundle, [hq.recipient])
        payload = opened(bundle, hq)
        signing_key = KeyService(sel.ws).own_keys().signing_key
    records: dict[str, list[dict[str, Any]]] = {}
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for name in archive.namelist():
            if name.startswith("records/"):
                entity = name.removeprefix("records/").removesuffix(".jsonl")
                lines = archive.read(name).decode().splitlines()
                records[entity] = [json.loads(line) for line in lines]
    yield {
        "payload": payload,
        "manifest": manifest,
        "records": records,
        "signing_key": signing_key,
        "root": root,
    }


def _validate(schema: str, documents: list[Any], folder: Path) -> subprocess.CompletedProcess[str]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for index, document in enumerate(documents):
        path = folder / f"{schema}.{index}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    return subprocess.run(
        [_check_jsonschema(), "--schemafile", str(SCHEMAS / f"{schema}.schema.json"), *files],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_independent_validator_accepts_a_real_export(export: dict[str, Any], tmp_path) -> None:
    assert {"mission", "case", "person", "case_event"} <= set(export["records"])
    checked = _validate("manifest", [export["manifest"]], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for entity, records in export["records"].items():
        checked = _validate(f"record.{entity}", records, tmp_path / entity)
        assert checked.returncode == 0, f"{entity}: {checked.stdout}{checked.stderr}"


@pytest.mark.parametrize(("schema", "field", "value"), BAD_VALUES)
def test_an_independent_validator_refuses_a_bad_value(
    export: dict[str, Any], tmp_path, schema: str, field: str, value: str
) -> None:
    if schema == "manifest":
        document = dict(export["manifest"])
    else:
        document = dict(export["records"][schema.removeprefix("record.")][0])
    document[field] = value

    checked = _validate(schema, [document], tmp_path)

    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert field in checked.stdout + checked.stderr


def test_the_signing_key_is_base64_of_the_raw_ed25519_key(export: dict[str, Any]) -> None:
    raw = base64.b64decode(export["signing_key"], validate=True)
    assert len(raw) == 32
    with zipfile.ZipFile(io.BytesIO(export["payload"])) as archive:
        manifest, signature = archive.read("manifest.json"), archive.read("manifest.sig")
    # verify() raises InvalidSignature on a mismatch: the raw key checks the bundle by itself.
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(signature), manifest)


def test_manifest_sig_is_stored_uncompressed(export: dict[str, Any]) -> None:
    with zipfile.ZipFile(io.BytesIO(export["payload"])) as archive:
        info = archive.getinfo("manifest.sig")
        assert archive.namelist()[:2] == ["manifest.json", "manifest.sig"]
    assert info.compress_type == zipfile.ZIP_STORED
    assert info.compress_size == info.file_size


@pytest.mark.parametrize(("schema", "field", "value"), BAD_VALUES)
def test_the_importer_refuses_the_same_values(
    export: dict[str, Any], schema: str, field: str, value: str
) -> None:
    if schema == "manifest":
        published = manifest_schema()
        good = dict(export["manifest"])
    else:
        entity = schema.removeprefix("record.")
        published = record_schema(BY_NAME[entity])
        good = dict(export["records"][entity][0])
        assert compile_record(published)(good)
        assert not compile_record(published)({**good, field: value})
    validator = EcmaValidator(published, format_checker=FORMAT_CHECKER)
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, field: value})
