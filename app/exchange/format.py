"""The bundle format: names, version, limits and the manifest (docs/bundle-format.md).

A bundle is an age-encrypted ZIP holding ``manifest.json``, ``manifest.sig``,
``records/<entity>.jsonl`` and ``files/<sha256>``. The manifest lists every other member with
its SHA-256 and size and is signed (Ed25519) by the source installation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.exchange.parts import PART_FIELD, part_schema
from app.exchange.records import DATETIME_PATTERN, ENTITIES, UUID_PATTERN
from app.security.audit_anchor import MANIFEST_FIELD as AUDIT_HEAD_FIELD
from app.security.audit_anchor import head_schema as audit_head_schema

FORMAT = "qorgau-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SUFFIX = ".qbundle"

RECORD_MEMBER = re.compile(r"^records/([a-z_]{1,40})\.jsonl$")
FILE_MEMBER = re.compile(r"^files/([0-9a-f]{64})$")


class BundleKind(StrEnum):
    CASES = "cases"
    AGREEMENTS = "agreements"
    TRANSFER = "transfer"


# Records only headquarters owns and sends (docs/bundle-format.md, "Who owns a record").
HQ_ENTITIES = frozenset({"agreement", "agreement_provision", "legal_table"})
# Kinds only headquarters may sign: its library and its case transfers.
HQ_KINDS = frozenset({BundleKind.AGREEMENTS, BundleKind.TRANSFER})

# Which record types each kind may carry; anything else in a bundle is refused. A mission's
# cases bundle never carries the library: HQ alone changes it.
KIND_ENTITIES: dict[BundleKind, frozenset[str]] = {
    BundleKind.CASES: frozenset(e.name for e in ENTITIES) - HQ_ENTITIES,
    # legal_table: the host-country standards HQ maintains beside the library (issue 16).
    BundleKind.AGREEMENTS: HQ_ENTITIES,
    BundleKind.TRANSFER: frozenset(e.name for e in ENTITIES) - {"mission"},
}


@dataclass(frozen=True)
class Limits:
    """What an importer accepts; checked before anything is unpacked or written."""

    max_bundle_bytes: int = 4 * 1024**3
    max_members: int = 250_000
    max_total_bytes: int = 8 * 1024**3
    # A records/*.jsonl member: read a line at a time, so its size bounds no memory; a
    # 300,000-case mission's case records are some 400 MB (256 MiB refused them).
    max_member_bytes: int = 2 * 1024**3
    max_file_bytes: int = 64 * 1024**2  # a files/* member: attachments are at most 25 MB
    max_manifest_bytes: int = 64 * 1024**2
    max_record_bytes: int = 32 * 1024**2


DEFAULT_LIMITS = Limits()


def manifest_schema() -> dict[str, Any]:
    entity_names = [e.name for e in ENTITIES]
    count = {"type": "integer", "minimum": 0, "maximum": 2**53}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://qorgau.kz/schemas/bundle/v1/manifest.schema.json",
        "title": "Qorgau bundle manifest",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "format",
            "version",
            "bundle_id",
            "kind",
            "source_mission",
            "target_mission",
            "created_at",
            "created_by",
            "app_version",
            "change_range",
            "counts",
            "files",
            "members",
        ],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": FORMAT_VERSION},
            "bundle_id": {"type": "string", "format": "uuid", "pattern": UUID_PATTERN},
            "kind": {"enum": [k.value for k in BundleKind]},
            "source_mission": {"type": "string", "pattern": "^[A-Z]{2,8}$"},
            "target_mission": {
                "anyOf": [{"type": "string", "pattern": "^[A-Z]{2,8}$"}, {"type": "null"}]
            },
            "created_at": {"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN},
            "created_by": {"type": "string", "maxLength": 64},
            "app_version": {"type": "string", "maxLength": 40},
            "change_range": {
                "type": "object",
                "additionalProperties": False,
                "required": ["from", "to", "all"],
                "properties": {"from": count, "to": count, "all": {"type": "boolean"}},
            },
            "counts": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: count for name in entity_names},
            },
            "files": count,
            # Optional: the signed audit-chain head (app/security/audit_anchor.py).
            AUDIT_HEAD_FIELD: audit_head_schema(),
            # Optional: the bundle's place in an export written in parts (app/exchange/parts.py).
            PART_FIELD: part_schema(),
            "members": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "sha256", "size"],
                    "properties": {
                        "name": {
                            "type": "string",
                            "pattern": r"^(records/[a-z_]{1,40}\.jsonl|files/[0-9a-f]{64})$",
                        },
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "size": count,
                    },
                },
            },
        },
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, as published in docs/schemas (a test keeps them equal)."""
    from app.exchange.records import record_schema

    schemas = {"manifest.schema.json": manifest_schema()}
    for entity in ENTITIES:
        schemas[f"record.{entity.name}.schema.json"] = record_schema(entity)
    return schemas


def write_schemas(folder: str) -> None:
    """Regenerate docs/schemas: ``python -c 'from app.exchange.format import write_schemas;
    write_schemas("docs/schemas")'``."""
    import json
    from pathlib import Path

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, schema in all_schemas().items():
        text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        (target / name).write_text(text, encoding="utf-8")
