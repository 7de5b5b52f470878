"""Packing a bundle (ZIP, sign, encrypt) and unpacking one with every check done up front.

``read_bundle`` decrypts, checks the ZIP's structure against the limits, the manifest against
its schema, the signature against the registered key, every member's size and SHA-256, and every
record against its schema. It returns a ``VerifiedBundle`` or raises ``BundleRefused``; it never
touches a database, so a refused bundle cannot leave anything behind.

Plain text never goes to disk: the ZIP is built and read in memory and only the age-encrypted
bytes are written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from app.errors import IntegrityError
from app.exchange.fastcheck import EcmaValidator, compile_record
from app.exchange.format import (
    DEFAULT_LIMITS,
    FILE_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    KIND_ENTITIES,
    MANIFEST,
    RECORD_MEMBER,
    SIGNATURE,
    BundleKind,
    Limits,
    manifest_schema,
)
from app.exchange.records import BY_NAME, ENTITIES, record_schema
from app.exchange.values import control_character_problem, impossible_value_problem
from app.i18n import _

ProgressFn = Callable[[int, int, str], None]


class BundleRefused(IntegrityError):
    """A bundle that fails a check; nothing has been written."""


@dataclass
class VerifiedBundle:
    manifest: dict[str, Any]
    records: dict[str, list[dict[str, Any]]]
    files: dict[str, bytes]
    file_sha256: str
    size: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def bundle_id(self) -> str:
        return str(self.manifest["bundle_id"])

    @property
    def kind(self) -> BundleKind:
        return BundleKind(self.manifest["kind"])

    @property
    def source(self) -> str:
        return str(self.manifest["source_mission"])


# -- schemas ------------------------------------------------------------------------------------


@cache
def _manifest_validator() -> Draft202012Validator:
    return EcmaValidator(manifest_schema())


@cache
def _record_validator(entity: str) -> Draft202012Validator:
    return EcmaValidator(record_schema(BY_NAME[entity]))


@cache
def _record_check(entity: str) -> Callable[[Any], bool]:
    return compile_record(record_schema(BY_NAME[entity]))


def _schema_problem(validator: Draft202012Validator, document: Any) -> str | None:
    error = best_match(validator.iter_errors(document))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
    return f"{where}: {error.message}"


# -- writing ------------------------------------------------------------------------------------


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_records(records: Iterable[dict[str, Any]]) -> bytes:
    lines = [
        json.dumps(r, ensure_ascii=False, separators=(",", ":"), sort_keys=True) for r in records
    ]
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def sign(private_pem: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise IntegrityError(_("This installation's signing key is not an Ed25519 key."))
    return key.sign(data)


def build_payload(
    manifest: dict[str, Any],
    records: dict[str, bytes],
    files: dict[str, bytes],
    signing_pem: bytes,
) -> bytes:
    """The ZIP: completes ``manifest`` with the members' hashes and sizes, then signs it."""
    members: list[tuple[str, bytes, int]] = []
    for entity, data in records.items():
        members.append((f"records/{entity}.jsonl", data, zipfile.ZIP_DEFLATED))
    for sha256, data in sorted(files.items()):
        # Scans and PDFs barely compress; storing them is as small and much faster.
        members.append((f"files/{sha256}", data, zipfile.ZIP_STORED))
    manifest = {
        **manifest,
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "files": len(files),
        "members": [{"name": n, "sha256": _digest(d), "size": len(d)} for n, d, _c in members],
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    signature = base64.b64encode(sign(signing_pem, manifest_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compresslevel=6) as archive:
        archive.writestr(MANIFEST, manifest_bytes, zipfile.ZIP_DEFLATED)
        archive.writestr(SIGNATURE, signature, zipfile.ZIP_STORED)
        for name, data, compression in members:
            archive.writestr(name, data, compression)
    return buffer.getvalue()


def encrypt_to_file(payload: bytes, recipients: Iterable[str], out: Path) -> None:
    keys = [pyrage.x25519.Recipient.from_str(r) for r in dict.fromkeys(recipients)]
    with out.open("wb") as handle:
        pyrage.encrypt_io(io.BytesIO(payload), handle, keys)


# -- reading ------------------------------------------------------------------------------------


def parse_identities(text: str) -> list[pyrage.x25519.Identity]:
    """Identities from an age key file: AGE-SECRET-KEY-1... lines; '#' lines are comments."""
    identities = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except Exception:  # noqa: BLE001 - pyrage raises its own error types
            raise BundleRefused(
                _("The identity file holds a line that is not an age key.")
            ) from None
    if not identities:
        raise BundleRefused(_("The identity file holds no age key."))
    return identities


def decrypt(data: bytes, identities: list[pyrage.x25519.Identity]) -> bytes:
    try:
        return pyrage.decrypt(data, identities)
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise BundleRefused(
                _(
                    "The bundle is not encrypted for this installation "
                    "(it was made for another recipient)."
                )
            ) from None
        raise BundleRefused(
            _("The bundle cannot be decrypted: the file is damaged or truncated.")
        ) from None


def _check_structure(archive: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise BundleRefused(
            _("The bundle has {n} members; at most {limit} are allowed.").format(
                n=len(infos), limit=limits.max_members
            )
        )
    by_name: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise BundleRefused(
                _("The bundle holds a member with an absolute path: {name}").format(name=name)
            )
        if ".." in name.replace("\\", "/").split("/") or "\\" in name:
            raise BundleRefused(
                _("The bundle holds a member that points outside it: {name}").format(name=name)
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode) or info.is_dir():
            raise BundleRefused(
                _("The bundle holds a link or folder, which is not allowed: {name}").format(
                    name=name
                )
            )
        if name in by_name:
            raise BundleRefused(_("The bundle holds the member {name} twice.").format(name=name))
        if name not in (MANIFEST, SIGNATURE) and not (
            RECORD_MEMBER.match(name) or FILE_MEMBER.match(name)
        ):
            raise BundleRefused(
                _("The bundle holds an unexpected member: {name}").format(name=name)
            )
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise BundleRefused(
                _("The member {name} uses an unsupported ZIP feature.").format(name=name)
            )
        if info.file_size > limits.max_member_bytes:
            raise BundleRefused(_("The member {name} is larger than allowed.").format(name=name))
        total += info.file_size
        by_name[name] = info
    if total > limits.max_total_bytes:
        raise BundleRefused(_("The bundle unpacks to more than the allowed total size."))
    for required in (MANIFEST, SIGNATURE):
        if required not in by_name:
            raise BundleRefused(_("The bundle has no {name}.").format(name=required))
    return by_name


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, declared: int) -> bytes:
    """At most ``declared`` bytes; a member that holds more is refused, not read whole."""
    try:
        with archive.open(info) as handle:
            data = handle.read(declared + 1)
    except (zipfile.BadZipFile, zlib_error(), OSError, EOFError):
        raise BundleRefused(_("The member {name} is damaged.").format(name=info.filename)) from None
    if len(data) > declared:
        raise BundleRefused(
            _("The member {name} is larger than the manifest declares.").format(name=info.filename)
        )
    return data


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def _verify_signature(
    manifest_bytes: bytes, signature_text: bytes, source: str, key_of: Callable[[str], str | None]
) -> None:
    key_b64 = key_of(source)
    if not key_b64:
        raise BundleRefused(
            _(
                "The bundle comes from {code}, whose signing key is not registered here; "
                "register it with 'qorgau keys trust'."
            ).format(code=source)
        )
    try:
        signature = base64.b64decode(signature_text.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64)).verify(
            signature, manifest_bytes
        )
    except (InvalidSignature, binascii.Error, ValueError):
        raise BundleRefused(
            _(
                "The bundle's signature does not match the registered key of {code}: "
                "it was changed or signed by someone else."
            ).format(code=source)
        ) from None


def _load_manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    if info.file_size > limits.max_manifest_bytes:
        raise BundleRefused(_("The bundle's manifest is larger than allowed."))
    return _read_capped(archive, info, min(info.file_size, limits.max_manifest_bytes))


def _parse_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BundleRefused(_("{what} is not valid JSON.").format(what=what)) from None


def read_bundle(
    data: bytes,
    identities: list[pyrage.x25519.Identity],
    key_of: Callable[[str], str | None],
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressFn | None = None,
) -> VerifiedBundle:
    """Decrypt and check everything; see the module's docstring."""
    if len(data) > limits.max_bundle_bytes:
        raise BundleRefused(_("The bundle file is larger than allowed."))
    file_sha256 = _digest(data)
    payload = decrypt(data, identities)
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except (zipfile.BadZipFile, zlib_error(), OSError, EOFError, ValueError):
        raise BundleRefused(_("The bundle's content is not a valid archive.")) from None
    with archive:
        infos = _check_structure(archive, limits)
        manifest_bytes = _load_manifest(archive, infos[MANIFEST], limits)
        signature = _read_capped(archive, infos[SIGNATURE], min(infos[SIGNATURE].file_size, 512))
        manifest = _parse_json(manifest_bytes, MANIFEST)
        if not isinstance(manifest, dict):
            raise BundleRefused(_("{what} is not valid JSON.").format(what=MANIFEST))
        if manifest.get("format") != FORMAT:
            raise BundleRefused(_("This file is not a Qorgau bundle."))
        if manifest.get("version") != FORMAT_VERSION:
            raise BundleRefused(
                _("The bundle uses format version {v}; this Qorgau reads version {ours}.").format(
                    v=manifest.get("version"), ours=FORMAT_VERSION
                )
            )
        problem = _schema_problem(_manifest_validator(), manifest)
        if problem:
            raise BundleRefused(
                _("The bundle's manifest breaks the format: {problem}").format(problem=problem)
            )
        _verify_signature(manifest_bytes, signature, manifest["source_mission"], key_of)
        contents = _read_members(archive, infos, manifest, progress)
    return _records_of(manifest, contents, file_sha256, len(data), limits, progress)


def _read_members(
    archive: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    manifest: dict[str, Any],
    progress: ProgressFn | None,
) -> dict[str, bytes]:
    declared = {m["name"]: m for m in manifest["members"]}
    if len(declared) != len(manifest["members"]):
        raise BundleRefused(_("The manifest lists a member twice."))
    present = set(infos) - {MANIFEST, SIGNATURE}
    for name in sorted(present - set(declared)):
        raise BundleRefused(_("The member {name} is not in the manifest.").format(name=name))
    for name in sorted(set(declared) - present):
        raise BundleRefused(
            _("The member {name} listed in the manifest is missing.").format(name=name)
        )
    contents: dict[str, bytes] = {}
    total = len(declared)
    for done, (name, entry) in enumerate(sorted(declared.items()), start=1):
        info = infos[name]
        if info.file_size != entry["size"]:
            raise BundleRefused(
                _("The member {name} is larger than the manifest declares.").format(name=name)
                if info.file_size > entry["size"]
                else _("The member {name} does not have the size the manifest declares.").format(
                    name=name
                )
            )
        data = _read_capped(archive, info, entry["size"])
        if len(data) != entry["size"] or _digest(data) != entry["sha256"]:
            raise BundleRefused(
                _("The member {name} was changed: its hash does not match the manifest.").format(
                    name=name
                )
            )
        contents[name] = data
        if progress and done % 200 == 0:
            progress(done, total, _("Checking members"))
    return contents


def _records_of(
    manifest: dict[str, Any],
    contents: dict[str, bytes],
    file_sha256: str,
    size: int,
    limits: Limits,
    progress: ProgressFn | None,
) -> VerifiedBundle:
    kind = BundleKind(manifest["kind"])
    allowed = KIND_ENTITIES[kind]
    records: dict[str, list[dict[str, Any]]] = {}
    files: dict[str, bytes] = {}
    for name, data in contents.items():
        file_match = FILE_MEMBER.match(name)
        if file_match:
            files[file_match.group(1)] = data
            continue
        match = RECORD_MEMBER.match(name)
        entity = match.group(1) if match else ""
        if entity not in BY_NAME or entity not in allowed:
            raise BundleRefused(
                _("A bundle of kind {kind} may not carry {entity} records.").format(
                    kind=kind.value, entity=entity
                )
            )
        records[entity] = _parse_records(name, entity, data, limits)
        if progress:
            progress(0, 0, _("Checking records"))
    _check_counts(manifest, records, files)
    return VerifiedBundle(manifest, records, files, file_sha256, size)


def _parse_records(name: str, entity: str, data: bytes, limits: Limits) -> list[dict[str, Any]]:
    check = _record_check(entity)
    result = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line:
            continue
        if len(line) > limits.max_record_bytes:
            raise BundleRefused(
                _("Record {n} of {name} is larger than allowed.").format(n=number, name=name)
            )
        record = _parse_json(line, f"{name}:{number}")
        # Control characters first, so that no message below echoes one.
        problem = control_character_problem(entity, record) if type(record) is dict else None
        if problem:
            raise BundleRefused(
                _("Record {n} of {name} is refused: {problem}").format(
                    n=number, name=name, problem=problem
                )
            )
        if not check(record):
            # The compiled check decides; jsonschema says what is wrong.
            problem = _schema_problem(_record_validator(entity), record) or _("a value's type")
            raise BundleRefused(
                _("Record {n} of {name} breaks the schema: {problem}").format(
                    n=number, name=name, problem=problem
                )
            )
        problem = impossible_value_problem(entity, record)
        if problem:
            raise BundleRefused(
                _("Record {n} of {name} is refused: {problem}").format(
                    n=number, name=name, problem=problem
                )
            )
        result.append(record)
    return result


def _check_counts(
    manifest: dict[str, Any], records: dict[str, list[dict[str, Any]]], files: dict[str, bytes]
) -> None:
    counts = manifest["counts"]
    for entity in (e.name for e in ENTITIES):
        if counts.get(entity, 0) != len(records.get(entity, ())):
            raise BundleRefused(
                _("The manifest's count of {entity} records does not match the bundle.").format(
                    entity=entity
                )
            )
    if manifest["files"] != len(files):
        raise BundleRefused(_("The manifest's count of files does not match the bundle."))
    for entity, rows in records.items():
        seen: set[str] = set()
        for row in rows:
            if row["id"] in seen:
                raise BundleRefused(
                    _("The {entity} record {id} appears twice in the bundle.").format(
                        entity=entity, id=row["id"]
                    )
                )
            seen.add(row["id"])
        blob = BY_NAME[entity]
        if blob.digest_column is None:
            continue
        for row in rows:
            digest = row.get(blob.digest_column)
            if digest and row.get("deleted_at") is None and digest not in files:
                raise BundleRefused(
                    _("The {entity} record {id} refers to a file the bundle does not hold.").format(
                        entity=entity, id=row["id"]
                    )
                )
