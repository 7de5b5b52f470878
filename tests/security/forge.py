"""Bundles as a compromised or buggy installation would make them.

``Forger`` signs with an installation's real signing key, which the receiver trusts, and packs
with the project's own bundle code (``app.exchange.package``): the bundle passes every check of
the signature, the members and the schema, so what a test sees refused is refused by the rule it
targets, not by a broken signature. The records are taken from a real database and changed the
way an attacker would.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement

from app import __version__
from app.db.models import LocalSecret
from app.exchange.package import build_payload, encode_records, encrypt_to_file
from app.exchange.records import BY_NAME, record_schema
from app.security import audit_anchor
from app.services.exchange import _collect
from app.services.installation import SIGNING_KEY
from tests.conftest import snapshot
from tests.integration.test_exchange import Site, table_dump

Records = dict[str, list[dict[str, Any]]]


def records_of(site: Site, entity: str, where: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Records of ``entity`` in ``site``'s database, exactly as they travel in bundles."""
    with site.ws.read() as session:
        return list(_collect(session, BY_NAME[entity], where))


def record_of(site: Site, entity: str, where: ColumnElement[bool]) -> dict[str, Any]:
    (record,) = records_of(site, entity, where)
    return record


def changed(record: dict[str, Any], step: int = 1, **values: Any) -> dict[str, Any]:
    """A copy of ``record`` in a later version (``step`` higher) with ``values`` changed."""
    result = copy.deepcopy(record)
    result.update(values)
    result["version"] = record["version"] + step
    result["updated_at"] = datetime.now(UTC).isoformat()
    return result


def new_id() -> str:
    return str(uuid.uuid4())


def complete_record(entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """A whole record of ``entity`` as the bundle schema describes it: ``values`` over neutral
    defaults for the other fields (``None`` where allowed, else an empty value of the type)."""
    schema = record_schema(BY_NAME[entity])["properties"]
    record: dict[str, Any] = {}
    for name, prop in schema.items():
        options = prop.get("anyOf", [prop])
        if {"type": "null"} in options:
            record[name] = None
        elif options[0].get("type") == "array":
            record[name] = []
        elif options[0].get("type") == "object":
            record[name] = {}
        elif options[0].get("type") == "boolean":
            record[name] = False
        elif options[0].get("type") == "integer":
            record[name] = 0
        else:
            record[name] = ""
    record.update(values)
    return record


@dataclass
class Forger:
    """Makes bundles signed by ``site`` (its real key) and encrypted to ``recipients``."""

    site: Site
    # A copy of a signing key taken earlier (a revoked officer's), instead of the site's own.
    signing_pem: bytes | None = None

    @property
    def code(self) -> str:
        return self.site.ws.mission_code

    def _signing_pem(self) -> bytes:
        if self.signing_pem is not None:
            return self.signing_pem
        with self.site.ws.read() as session:
            secret = session.get(LocalSecret, SIGNING_KEY)
            assert secret is not None, "the installation has no signing key"
            return bytes(secret.value)

    def bundle(
        self,
        out: Path,
        records: Records,
        recipients: list[str],
        kind: str = "cases",
        target: str | None = None,
        files: dict[str, bytes] | None = None,
        with_audit_head: bool = True,
        bundle_id: str | None = None,
        created_at: datetime | None = None,
    ) -> Path:
        """``created_at``: the time the manifest states (now if not given); a forger writes
        what she likes there."""
        files = dict(files or {})
        rows = {name: list(values) for name, values in records.items() if values}
        manifest = {
            "bundle_id": bundle_id or str(uuid.uuid4()),
            "kind": kind,
            "source_mission": self.code,
            "target_mission": target,
            "created_at": (created_at or datetime.now(UTC)).isoformat(timespec="seconds"),
            "created_by": "admin",
            "app_version": __version__,
            "change_range": {"from": 0, "to": 1, "all": True},
            "counts": {name: len(values) for name, values in rows.items()},
        }
        if with_audit_head:
            # A compromised mission still has its real audit chain: it signs its head as usual.
            with self.site.ws.read() as session:
                manifest[audit_anchor.MANIFEST_FIELD] = audit_anchor.head_for_export(
                    session, self._signing_pem(), self.code, whole_chain=True
                )
        encoded = {name: encode_records(values) for name, values in rows.items()}
        payload = build_payload(manifest, encoded, files, self._signing_pem())
        encrypt_to_file(payload, recipients, out)
        return out


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@contextmanager
def unchanged(site: Site) -> Iterator[None]:
    """Asserts that the block leaves ``site``'s data folder byte for byte as it was.

    Every file counts, the SQLite write-ahead log and its index included: a refused import
    rolls back before a page is written. The rows are compared too, so that a failure says
    which table moved. The snapshot is taken with the workspace open, since signing in writes
    an audit entry of its own.
    """
    files = snapshot(site.paths.data_dir)
    rows = table_dump(site)
    yield
    assert table_dump(site) == rows
    after = snapshot(site.paths.data_dir)
    assert sorted(after) == sorted(files)
    for name, content in files.items():
        assert after[name] == content, f"{name} changed"
