"""HQ's private keys leave the shared database for the import workstation, and still work."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import SERVER_FILENAME, Paths
from app.db.models import AuditEntry, LocalSecret, Setting
from app.db.postgres import ServerConfig
from app.errors import DatabaseError, PermissionDenied
from app.security.hq_secrets import (
    ESCROW_IDENTITY,
    SECRET_NAMES,
    SecretPlace,
    secrets_file,
    workstation_secret,
)
from app.security.keyring_store import SecretStore
from app.services.demo import fill_demo
from app.services.exchange import ExchangeService
from app.services.installation import MissionSetup, init_server_installation, unlock
from app.services.keys import move_secrets_off_server
from app.services.recovery import RecoveryService, issue_code, recover, sign_policy
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.integration.test_exchange import Site, hq, link, make_site, sel, sites  # noqa: F401
from tests.keyring_double import FileKeyring, LossyKeyring
from tests.pg_cluster import Cluster, admin_execute


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
    dump = _database_dump(hq)
    for secret in before:
        assert secret.decode("ascii", "replace").strip() not in dump
    if place is SecretPlace.FILE:
        mode = stat.S_IMODE(secrets_file(hq.paths.data_dir).stat().st_mode)
        assert mode == 0o600
    # HQ still signs what it sends to missions (its signing key comes from the workstation).
    _reads_and_signs(hq, sel, store, tmp_path)


def test_nothing_to_move_is_said(hq: Site) -> None:  # noqa: F811
    store = SecretStore(FileKeyring())
    move_secrets_off_server(hq.ws, store)
    assert move_secrets_off_server(hq.ws, store) is None


def _reads_and_signs(center: Site, mission: Site, store: SecretStore, folder: Path) -> None:
    """HQ, its keys in ``store``, decrypts what the mission sends and signs what it sends back."""
    bundle = folder / "mission.qbundle"
    mission.exchange.export_cases(bundle, [center.recipient])
    assert ExchangeService(center.ws, store).import_bundle(bundle).new > 0
    out = folder / "library.qbundle"
    ExchangeService(center.ws, store).export_agreements(out, [mission.recipient])
    assert ExchangeService(mission.ws).import_bundle(out).source_mission == "AST"


def _database_dump(site: Site) -> str:
    with site.ws.read() as session:
        return repr([session.execute(t.select()).all() for t in LocalSecret.metadata.sorted_tables])


def test_init_on_a_server_keeps_the_private_keys_off_it_from_the_start(
    pg_template: object, pg_cluster: Cluster, tmp_path: Path
) -> None:
    """`init --hq --database` (and the wizard): no `hq keep-keys-here` needed afterwards."""
    center = make_site(tmp_path, "AST", "KZ", "Astana", is_hq=True, server=pg_cluster)
    mission = make_site(tmp_path, "SEL", "KR", "Seoul")
    try:
        link(center, mission)
        fill_demo(mission.ws, 3, seed=5)
        _check_keys_off_the_server_and_working(center, mission, tmp_path)
    finally:
        center.ws.close()
        mission.ws.close()


def _check_keys_off_the_server_and_working(center: Site, mission: Site, tmp_path: Path) -> None:
    store = SecretStore()
    kept = [
        workstation_secret(center.paths.data_dir, center.ws.database_id, n, store)
        for n in SECRET_NAMES
    ]
    assert all(kept)
    assert _secrets_in_database(center) == []
    dump = _database_dump(center)
    for secret in kept:
        assert secret is not None and secret.decode("ascii").strip() not in dump
    assert move_secrets_off_server(center.ws, store) is None  # nothing left to move
    _reads_and_signs(center, mission, store, tmp_path)


def test_init_on_a_server_without_a_keyring_keeps_them_in_a_private_file(
    pg_template: object, pg_cluster: Cluster, tmp_path: Path
) -> None:
    name = f"qorgau_keys_{os.getpid()}"
    admin_execute(
        pg_cluster, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} OWNER admin"
    )
    config = ServerConfig("127.0.0.1", pg_cluster.port, name, sslmode="disable")
    paths = Paths(tmp_path / "hq")
    store = SecretStore(LossyKeyring())
    setup = MissionSetup("AST", "KZ", "Astana", is_hq=True)
    assert init_server_installation(paths, config, setup, "admin", PASSWORD, store) is (
        SecretPlace.FILE
    )
    assert stat.S_IMODE(secrets_file(paths.data_dir).stat().st_mode) == 0o600
    ws = unlock(paths, "admin", PASSWORD)
    try:
        site = Site(paths, ws)
        assert _secrets_in_database(site) == []
        dump = _database_dump(site)
        for secret_name in SECRET_NAMES:
            secret = workstation_secret(paths.data_dir, ws.database_id, secret_name, store)
            assert secret is not None and secret.decode("ascii").strip() not in dump
    finally:
        ws.close()


# -- escrow at an HQ on a server --------------------------------------------------------------


def test_escrow_at_an_hq_on_a_server_keeps_its_key_on_the_workstation(
    pg_template: object, pg_cluster: Cluster, tmp_path: Path
) -> None:
    """The fault: signing a policy read the signing key from the shared database (where a
    server HQ has none) after making the escrow identity there, in the clear: it failed, and
    every analyst could read the key that opens each escrowing mission's database."""
    center = make_site(tmp_path, "AST", "KZ", "Astana", is_hq=True, server=pg_cluster)
    mission = make_site(tmp_path, "SEL", "KR", "Seoul")
    store = SecretStore()
    try:
        link(center, mission)
        signed = sign_policy(center.ws, "SEL", True, store)
        kept = workstation_secret(
            center.paths.data_dir, center.ws.database_id, ESCROW_IDENTITY, store
        )
        assert kept is not None and kept.decode("ascii") not in _database_dump(center)
        assert _secrets_in_database(center) == []
        assert RecoveryService(mission.ws).apply_policy(signed) is True
    finally:
        center.ws.close()
        mission.ws.close()
    # The mission lost every password: HQ reads its key file and issues the one-time code.
    sent = tmp_path / "sent-keyslots.json"
    sent.write_bytes(mission.paths.keyslots.read_bytes())
    ws = unlock(center.paths, "admin", PASSWORD)
    try:
        mission_code, code = issue_code(ws, sent, store)
    finally:
        ws.close()
    assert mission_code == "SEL"
    assert recover(mission.paths, code, "dana", "Another-long-passphrase-7").method == "escrow"


def test_a_second_workstation_makes_no_second_escrow_key(
    pg_template: object, pg_cluster: Cluster, tmp_path: Path
) -> None:
    """An HQ administrator on another computer (the server's address, none of HQ's keys):
    signing is refused before anything is made, and once the import workstation has made the
    escrow key, a code is refused there in words, not issued under another key."""
    center = make_site(tmp_path, "AST", "KZ", "Astana", is_hq=True, server=pg_cluster)
    elsewhere = Paths(tmp_path / "elsewhere")
    elsewhere.data_dir.mkdir()
    shutil.copy(center.paths.data_dir / SERVER_FILENAME, elsewhere.data_dir / SERVER_FILENAME)
    other_store = SecretStore(LossyKeyring())  # that computer's own, empty keyring
    mission = make_site(tmp_path, "SEL", "KR", "Seoul")
    other = unlock(elsewhere, "admin", PASSWORD)
    try:
        link(center, mission)
        with pytest.raises(DatabaseError, match="no signing key"):
            sign_policy(other, "SEL", True, other_store)
        assert _escrow_rows(other) == ([], [])
        RecoveryService(mission.ws).apply_policy(sign_policy(center.ws, "SEL", True))
        sent = tmp_path / "sent-keyslots.json"
        sent.write_bytes(mission.paths.keyslots.read_bytes())
        before = _escrow_rows(other)
        with pytest.raises(PermissionDenied, match="another computer"):
            issue_code(other, sent, other_store)
        assert _escrow_rows(other) == before
        assert not secrets_file(elsewhere.data_dir).exists()
    finally:
        for ws in (other, center.ws, mission.ws):
            ws.close()


def _escrow_rows(ws: Workspace) -> tuple[list[str], list[str]]:
    """The escrow recipients the shared database records, and its escrow audit entries."""
    with ws.read() as session:
        recipients = [str(v) for v in session.scalars(select(Setting.value))]
        entries = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("escrow.%"))
        ).all()
    return [r for r in recipients if r.startswith("age1")], list(entries)
