"""HQ's private keys leave the shared database for the import workstation, and still work."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import LocalSecret
from app.security.hq_secrets import SECRET_NAMES, SecretPlace, secrets_file
from app.security.keyring_store import SecretStore
from app.services.exchange import ExchangeService
from app.services.keys import move_secrets_off_server
from tests.integration.test_exchange import Site, hq, link, sel, sites  # noqa: F401
from tests.keyring_double import FileKeyring, LossyKeyring


def _secrets_in_database(site: Site) -> list[bytes]:
    with site.ws.read() as session:
        rows = session.execute(select(LocalSecret).where(LocalSecret.name.in_(SECRET_NAMES)))
        return [bytes(r.value) for r in rows.scalars()]


@pytest.mark.parametrize(
    ("backend", "place"),
    [(FileKeyring, SecretPlace.KEYRING), (LossyKeyring, SecretPlace.FILE)],
)
def test_secrets_leave_the_database_and_imports_still_decrypt(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
    backend: type,
    place: SecretPlace,
) -> None:
    store = SecretStore(backend())
    before = _secrets_in_database(hq)
    assert len(before) == 2
    assert move_secrets_off_server(hq.ws, store) is place
    assert _secrets_in_database(hq) == []
    # Neither secret is anywhere in the database's rows any more.
    with hq.ws.read() as session:
        dump = repr([session.execute(t.select()).all() for t in LocalSecret.metadata.sorted_tables])
    for secret in before:
        assert secret.decode("ascii", "replace").strip() not in dump
    if place is SecretPlace.FILE:
        mode = stat.S_IMODE(secrets_file(hq.paths.data_dir).stat().st_mode)
        assert mode == 0o600
    bundle = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(bundle, [hq.recipient])
    assert ExchangeService(hq.ws, store).import_bundle(bundle).new > 0
    # HQ still signs what it sends to missions (its signing key comes from the workstation).
    out = tmp_path / "library.qbundle"
    ExchangeService(hq.ws, store).export_agreements(out, [sel.recipient])
    assert ExchangeService(sel.ws).import_bundle(out).source_mission == "AST"


def test_nothing_to_move_is_said(hq: Site) -> None:  # noqa: F811
    store = SecretStore(FileKeyring())
    move_secrets_off_server(hq.ws, store)
    assert move_secrets_off_server(hq.ws, store) is None
