"""What an HQ analyst (reads and reports) may not do at an HQ on a database server is refused by
Qorgau in words that say what and who may, before the server is asked: the server's own
refusal ("permission denied for table setting") reached her as an internal error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import ExchangeLog, Setting
from app.errors import PermissionDenied
from app.services.exchange import ExchangeService
from app.services.recovery import ensure_escrow_identity
from tests.hq.pg import PASSWORD, DocumentedTemplate, ServerHq, documented_hq
from tests.integration.cli_helpers import run_cli
from tests.pg_cluster import Cluster


@pytest.fixture
def server_hq(
    pg_cluster: Cluster, documented_hq_template: DocumentedTemplate, tmp_path: Path
) -> Iterator[ServerHq]:
    users = {"dana": "hq_analyst"}
    with documented_hq(pg_cluster, documented_hq_template, tmp_path / "hq", users) as hq:
        yield hq


def _held(server_hq: ServerHq) -> tuple[int, int]:
    """The exchange log's rows and the settings' rows."""
    with server_hq.admin.read() as session:
        return (
            session.scalar(select(func.count()).select_from(ExchangeLog)) or 0,
            session.scalar(select(func.count()).select_from(Setting)) or 0,
        )


def test_an_analyst_s_import_is_refused_saying_who_imports(
    server_hq: ServerHq, tmp_path: Path
) -> None:
    bundle = tmp_path / "sel.qbundle"
    bundle.write_bytes(b"age-encryption.org/v1\n")  # refused before it is read
    before = _held(server_hq)
    dana = server_hq.sign_in("dana")
    try:
        with pytest.raises(PermissionDenied) as refused:
            ExchangeService(dana).import_bundle(bundle)
    finally:
        dana.close()
    assert str(refused.value) == (
        "Your role (HQ analyst: reads and reports) does not import bundles: an administrator "
        "imports them, and at headquarters an import operator too."
    )
    assert _held(server_hq) == before


def test_an_analyst_asking_for_the_escrow_recipient_is_refused_not_given_a_server_error(
    server_hq: ServerHq,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _held(server_hq)
    dana = server_hq.sign_in("dana")
    try:
        with pytest.raises(PermissionDenied, match="does not allow this action"):
            ensure_escrow_identity(dana)
    finally:
        dana.close()
    monkeypatch.setenv("QORGAU_USER", server_hq.names["dana"])
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    run = run_cli(capsys, "--data-dir", str(server_hq.paths.data_dir), "escrow", "recipient")
    assert run.code == 1
    assert run.err.strip() == (
        "qorgau: Your role (HQ analyst: reads and reports) does not allow this action."
    )
    assert _held(server_hq) == before  # no escrow key recorded
