"""A bundle that reuses the id of one HQ imported before, signed with the mission's real key
over other records (a compromised laptop, a copied key), is refused as a replay and the refusal
kept in the audit log, not answered "imported before; nothing changed" and forgotten. A copy of
the very bundle imported is still "imported before"."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Case
from app.exchange.package import BundleReplayed
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site, first_case_id, table_dump
from tests.security.forge import Forger, changed, record_of

sites, hq, sel = shared.sites, shared.hq, shared.sel


def _replay_audits(site: Site) -> list[AuditEntry]:
    with site.ws.read() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "bundle.replay_refused"))
        )


def test_another_bundle_under_an_imported_bundles_id_is_refused_and_audited(
    sel: Site, hq: Site, tmp_path: Path
) -> None:
    genuine = sel.exchange.export_cases(tmp_path / "genuine.qbundle", [hq.recipient])
    hq.exchange.import_bundle(genuine.path)
    case_id = first_case_id(sel)
    case = record_of(sel, "case", Case.id == case_id)
    forged = Forger(sel).bundle(
        tmp_path / "forged.qbundle",
        {"case": [changed(case, description="Changed after the fact")]},
        [hq.recipient],
        bundle_id=genuine.bundle_id,
    )
    before = table_dump(hq)

    with pytest.raises(BundleReplayed, match="imported before, and this file is not that bundle"):
        hq.exchange.import_bundle(forged)

    after = table_dump(hq)
    for audit_table in ("audit_entry", "counter"):  # the refusal, kept, and its number
        assert after.pop(audit_table) != before.pop(audit_table)
    assert after == before  # nothing of the forged bundle written
    (entry,) = _replay_audits(hq)
    assert entry.entity_id == genuine.bundle_id
    assert entry.details["source"] == "SEL"
    # The very bundle imported, imported again: nothing to say but that.
    assert hq.exchange.import_bundle(genuine.path).already_imported
    assert len(_replay_audits(hq)) == 1
