"""The host-country table travels in HQ's library bundle, and a bad or stale one changes
nothing (issue 16)."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.contracts import parse_terms
from app.contracts.reference import REFERENCE_FILE
from app.db.models import LegalTable, User
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.security.keyslots import KeySlotStore
from app.services.contracts import ContractReviewService
from app.services.installation import unlock
from app.services.legal_tables import apply_host_countries_update, host_table
from tests.conftest import PASSWORD
from tests.integration.test_exchange import Site, count, hq, sel, sites  # noqa: F401

KOREA_2027 = {
    "amount": "10700",
    "currency": "KRW",
    "period": "hour",
    "valid_from": "2027-01-01",
    "valid_to": "2027-12-31",
    "source": "https://www.moel.go.kr/ (notice of the minimum wage for 2027)",
    "checked_on": "2027-01-10",
    "verified": True,
    "note": "",
}


def table_with_korea_2027() -> dict[str, Any]:
    document = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    document["edition"] = "2027-01-15"
    document["countries"]["KR"]["minimum_wage"].append(copy.deepcopy(KOREA_2027))
    return document


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def folder_digest(root: Path) -> dict[str, str]:
    """Every file of the data folder by hash; SQLite's -shm file is left out: it is the WAL's
    shared-memory index, rewritten by any read, and holds no data."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith("-shm")
    }


def test_hq_table_update_reaches_the_mission_and_its_reviews(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    update = apply_host_countries_update(hq.ws, encoded(table_with_korea_2027()))
    assert update.changed and update.edition == date(2027, 1, 15)
    summary = hq.exchange.export_agreements(tmp_path / "lib.qbundle")
    assert summary.counts.get("legal_table") == 1

    report = sel.exchange.import_bundle(tmp_path / "lib.qbundle")
    assert report.new >= 1
    assert count(sel, LegalTable) == 1
    table = host_table(sel.ws)
    assert table.from_hq and table.data.as_of == date(2027, 1, 15)
    terms = parse_terms({"host_country": "KR", "signed_on": "2027-03-01"})
    korea = ContractReviewService(sel.ws).host_reference(terms)
    assert korea is not None and korea.minimum_wage is not None
    assert str(korea.minimum_wage.amount) == "10700"


def test_bad_stale_or_unauthorised_tables_change_nothing(
    hq: Site,  # noqa: F811
) -> None:
    apply_host_countries_update(hq.ws, encoded(table_with_korea_2027()))
    before = folder_digest(hq.paths.data_dir)

    unsourced = table_with_korea_2027()
    unsourced["edition"] = "2027-02-01"
    unsourced["countries"]["KR"]["minimum_wage"][-1]["source"] = ""
    overlapping = table_with_korea_2027()
    overlapping["edition"] = "2027-02-01"
    overlapping["countries"]["KR"]["minimum_wage"].append(copy.deepcopy(KOREA_2027))
    stale = table_with_korea_2027()
    stale["edition"] = "2026-12-31"
    cases: list[tuple[bytes, type[Exception], str]] = [
        (b"\xff\xfe not json", ValidationError, "not valid UTF-8 JSON"),
        (encoded(unsourced), ValidationError, "verified figure must name its source"),
        (encoded(overlapping), ValidationError, "dated versions overlap"),
        (encoded(stale), ConflictError, "older than the one in use"),
    ]
    for raw, error, message in cases:
        with pytest.raises(error, match=message):
            apply_host_countries_update(hq.ws, raw)
    # Refused whole: not a byte of the data folder changed.
    assert folder_digest(hq.paths.data_dir) == before
    # An attaché's account left at an HQ (no longer given there: the role does not fit).
    with hq.ws.write() as session:
        session.add(User(username="aigul", role="attache", full_name=""))
        hq.ws.audit(session, "user.add", "user", "aigul", {"role": "attache"})
    KeySlotStore(hq.paths.keyslots).set_slot("aigul", PASSWORD, hq.ws.db.key)
    attache = unlock(hq.paths, "aigul", PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            apply_host_countries_update(attache, encoded(table_with_korea_2027()))
    finally:
        attache.close()
    assert host_table(hq.ws).data.as_of == date(2027, 1, 15)
