"""A damaged file of HQ's keys on the import workstation is said to be damaged, never written
over and never taken for "no keys here" (which sends the operator to make new ones)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import AuditEntry, Case
from app.security.hq_secrets import (
    AGE_IDENTITY,
    ESCROW_IDENTITY,
    SecretPlace,
    SecretsFileDamaged,
    forget_on_workstation,
    keep_on_workstation,
    secrets_file,
    workstation_secret,
)
from app.security.keyring_store import SecretStore
from app.services.exchange import ExchangeService
from app.services.keys import move_secrets_off_server
from app.services.recovery import sign_policy
from tests.integration.test_exchange import Site, hq, sel, sites  # noqa: F401
from tests.keyring_double import LossyKeyring

CUT_SHORT = b'{"age_identity": "QUdFLVNFQ1JFVC1LRVktMQ'  # a write cut off by a power loss


def _damage(folder: Path) -> bytes:
    secrets_file(folder).write_bytes(CUT_SHORT)
    return CUT_SHORT


def test_a_new_secret_is_not_written_over_a_damaged_file(tmp_path: Path) -> None:
    before = _damage(tmp_path)
    with pytest.raises(SecretsFileDamaged, match="damaged"):
        keep_on_workstation(
            tmp_path, "db-id", {ESCROW_IDENTITY: b"AGE-SECRET-KEY-1X"}, SecretStore(LossyKeyring())
        )
    assert secrets_file(tmp_path).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [secrets_file(tmp_path).name]


def test_forgetting_a_secret_leaves_a_damaged_file_as_it_is(tmp_path: Path) -> None:
    before = _damage(tmp_path)
    forget_on_workstation(tmp_path, "db-id", ESCROW_IDENTITY, SecretStore(LossyKeyring()))
    assert secrets_file(tmp_path).read_bytes() == before


def _hq_with_keys_in_a_damaged_file(hq: Site) -> tuple[SecretStore, bytes]:  # noqa: F811
    store = SecretStore(LossyKeyring())  # a fresh process reads nothing: the keys go to the file
    assert move_secrets_off_server(hq.ws, store) is SecretPlace.FILE
    identity = workstation_secret(hq.paths.data_dir, hq.ws.database_id, AGE_IDENTITY, store)
    assert identity is not None
    _damage(hq.paths.data_dir)
    return store, identity


def _counts(site: Site) -> tuple[int, int]:
    with site.ws.read() as session:
        cases = session.execute(select(func.count()).select_from(Case)).scalar_one()
        audit = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    return cases, audit


def test_an_import_says_the_key_file_is_damaged_and_changes_nothing(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    """It said "No age identity that opens bundles is kept on this computer"."""
    store, identity = _hq_with_keys_in_a_damaged_file(hq)
    bundle = tmp_path / "mission.qbundle"
    sel.exchange.export_cases(bundle, [hq.recipient])
    before, damaged = _counts(hq), secrets_file(hq.paths.data_dir).read_bytes()
    with pytest.raises(SecretsFileDamaged) as refused:
        ExchangeService(hq.ws, store).import_bundle(bundle)
    assert str(secrets_file(hq.paths.data_dir)) in str(refused.value)
    assert _counts(hq) == before
    assert secrets_file(hq.paths.data_dir).read_bytes() == damaged
    # The operator's copy of the identity, given as a file, still opens the bundle.
    kept_copy = tmp_path / "hq-identity.txt"
    kept_copy.write_bytes(identity)
    assert ExchangeService(hq.ws, store).import_bundle(bundle, kept_copy).new > 0


def test_signing_says_the_key_file_is_damaged_and_makes_no_escrow_key(
    sel: Site,  # noqa: F811
    hq: Site,  # noqa: F811
) -> None:
    store, _identity = _hq_with_keys_in_a_damaged_file(hq)
    damaged = secrets_file(hq.paths.data_dir).read_bytes()
    with pytest.raises(SecretsFileDamaged):
        sign_policy(hq.ws, "SEL", True, store)
    assert secrets_file(hq.paths.data_dir).read_bytes() == damaged
    assert workstation_secret(hq.paths.data_dir, hq.ws.database_id, ESCROW_IDENTITY, store) is None
