"""Retention runs at the import operator's start at an HQ on a database server, where the
settings are the administrators': its date guard keeps the one row it needs (the date last
trusted). The run failed on the server's refusal at each of her starts (an error box)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.db.models import Setting
from app.services import retention
from app.services.hq_database import IMPORTER
from app.services.settings import IDLE_LOCK, RETENTION_TRUSTED_ON
from tests.hq.pg import DocumentedTemplate, ServerHq, documented_hq
from tests.pg_cluster import Cluster


@pytest.fixture
def server_hq(
    pg_cluster: Cluster, documented_hq_template: DocumentedTemplate, tmp_path: Path
) -> Iterator[ServerHq]:
    users = {"erlan": "hq_importer"}
    with documented_hq(pg_cluster, documented_hq_template, tmp_path / "hq", users) as hq:
        yield hq


def _settings(hq: ServerHq) -> dict[str, object]:
    with hq.admin.read() as session:
        return {row.key: row.value for row in session.scalars(select(Setting))}


def test_the_import_operators_start_keeps_the_date_retention_trusted(server_hq: ServerHq) -> None:
    importer = server_hq.sign_in("erlan")
    try:
        report = retention.run_on_start(importer, today=date.today())
        assert not report.dry_run
        assert _settings(server_hq)[RETENTION_TRUSTED_ON] == date.today().isoformat()
        # That row only: the idle lock stays the administrators'.
        before = _settings(server_hq)
        with pytest.raises(DBAPIError, match="row-level security|permission denied"):
            with importer.write() as session:
                session.merge(Setting(key=IDLE_LOCK, value=0))
        assert _settings(server_hq) == before
    finally:
        importer.close()


def test_an_hq_whose_grants_predate_the_guard_still_runs_retention(server_hq: ServerHq) -> None:
    """Until an administrator runs ``hq grants`` after the upgrade, the server refuses her
    that row: the run goes on against the date already trusted."""
    with server_hq.admin.write() as session:
        session.execute(text(f"REVOKE INSERT, UPDATE ON setting FROM {IMPORTER}"))
    before = _settings(server_hq)
    importer = server_hq.sign_in("erlan")
    try:
        assert not retention.run_on_start(importer, today=date.today()).dry_run
    finally:
        importer.close()
    assert _settings(server_hq) == before
