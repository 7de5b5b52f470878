"""Item 8: HQ's decryption key and the keyring.

Attacks / failures replayed: a keyring test double shipped in ``app/`` that keyring picks in
production; ``init --hq`` on a computer with no system keyring; a keyring that accepts the
secret but loses it (a fresh process cannot read it back). In every case the age identity
stays in the encrypted database and later imports still work.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

import app
from app.config import Paths
from app.db.models import AuditEntry, LocalSecret
from app.security.keyring_store import SecretStore, identity_entry_name, is_system_backend
from app.services.exchange import ExchangeService
from app.services.installation import AGE_IDENTITY, unlock
from app.services.keys import IdentityMove, IdentityPlace, KeyService, store_identity_in_keyring
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.keyring_double import FileKeyring, LossyKeyring

FAIL_BACKEND = "keyring.backends.fail.Keyring"
LOSSY_BACKEND = "tests.keyring_double.LossyKeyring"


@pytest.fixture
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)


def init_hq(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[Paths, str]:
    paths = Paths(root / "ast")
    result = run_cli(
        capsys, "--data-dir", str(paths.data_dir), "init", "--hq",
        "--mission-code", "AST", "--country", "KZ", "--city", "Astana", "--admin", "admin",
    )  # fmt: skip
    assert result.code == 0, result.err
    return paths, result.err


def identity_in_database(paths: Paths) -> bool:
    ws = unlock(paths, "admin", PASSWORD)
    try:
        with ws.read() as session:
            return session.get(LocalSecret, AGE_IDENTITY) is not None
    finally:
        ws.close()


def mission_bundle_imports(
    capsys: pytest.CaptureFixture[str], mission: Paths, hq: Paths, out: Path
) -> None:
    """SEL exports to HQ; a later, separate `bundle import` run at HQ reads it."""
    sel = unlock(mission, "admin", PASSWORD)
    ast = unlock(hq, "admin", PASSWORD)
    try:
        for here, there in ((ast, sel), (sel, ast)):
            keys = KeyService(there).own_keys()
            KeyService(here).trust(keys.mission_code, keys.signing_key, keys.age_recipient)
        recipient = KeyService(ast).own_keys().age_recipient
        ExchangeService(sel).export_cases(out, [recipient], all_changes=True)
    finally:
        sel.close()
        ast.close()
    imported = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "import", str(out))
    assert imported.code == 0, imported.err


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A headless computer: keyring finds no backend, here and in any child process."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", FAIL_BACKEND)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield


@pytest.fixture
def lossy_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A store that accepts secrets but keeps them in this process only."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", LOSSY_BACKEND)
    keyring.set_keyring(LossyKeyring())
    yield


def test_no_keyring_backend_is_defined_in_the_product() -> None:
    for module in pkgutil.walk_packages(app.__path__, "app."):
        if not module.name.endswith("__main__"):  # that one runs the CLI
            importlib.import_module(module.name)
    shipped = [
        cls.__module__ + "." + cls.__name__
        for cls in keyring.backend.KeyringBackend._classes  # type: ignore[attr-defined]
        if cls.__module__.startswith("app.")
    ]
    assert shipped == []


def test_only_real_stores_count_as_a_system_keyring() -> None:
    assert not is_system_backend(keyring.backends.fail.Keyring())
    assert not is_system_backend(keyring.backends.null.Keyring())
    assert not is_system_backend(keyring.backends.chainer.ChainerBackend())
    assert is_system_backend(FileKeyring())


def test_a_broken_backend_never_crashes(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(LossyKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("D-Bus is gone")

        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError("D-Bus is gone")

    store = SecretStore(Broken())
    assert store.get("x") is None
    assert store.set("x", b"secret") is False

    def no_backend() -> keyring.backend.KeyringBackend:
        raise RuntimeError("no recommended backend")

    monkeypatch.setattr(keyring, "get_keyring", no_backend)
    assert SecretStore().is_system is False
    assert SecretStore().get("x") is None


def test_init_hq_without_a_keyring_keeps_the_identity_and_imports_work(
    capsys: pytest.CaptureFixture[str],
    installation: Paths,
    tmp_path: Path,
    as_admin: None,
    no_keyring: None,
) -> None:
    hq, err = init_hq(capsys, tmp_path)
    assert "No system keyring is available on this computer" in err
    assert "The age identity stays inside the encrypted database." in err
    assert identity_in_database(hq)
    mission_bundle_imports(capsys, installation, hq, tmp_path / "sel.qbundle")


def test_a_keyring_that_loses_the_secret_keeps_the_identity_in_the_database(
    capsys: pytest.CaptureFixture[str],
    installation: Paths,
    tmp_path: Path,
    as_admin: None,
    lossy_keyring: None,
) -> None:
    hq, err = init_hq(capsys, tmp_path)
    assert "did not give the age identity back to a new process" in err
    assert identity_in_database(hq)
    # No half-kept copy either, and nothing claims it moved.
    ws = unlock(hq, "admin", PASSWORD)
    try:
        assert SecretStore().get(identity_entry_name(ws.database_id)) is None
        with ws.read() as session:
            actions = session.execute(select(AuditEntry.action)).scalars().all()
        assert "keys.identity_to_keyring" not in actions
    finally:
        ws.close()
    # The next process starts with an empty lossy store: imports still work.
    keyring.set_keyring(LossyKeyring())
    mission_bundle_imports(capsys, installation, hq, tmp_path / "sel.qbundle")


def test_a_keyring_that_keeps_the_secret_takes_the_identity(
    capsys: pytest.CaptureFixture[str], installation: Paths, tmp_path: Path, as_admin: None
) -> None:
    hq, err = init_hq(capsys, tmp_path)  # the file-backed double: a fresh process reads it
    assert err == ""
    assert not identity_in_database(hq)
    ws = unlock(hq, "admin", PASSWORD)
    try:
        assert KeyService(ws).identity_place(SecretStore()) is IdentityPlace.KEYRING
        assert store_identity_in_keyring(ws, SecretStore()) is IdentityMove.ALREADY
    finally:
        ws.close()
    mission_bundle_imports(capsys, installation, hq, tmp_path / "sel.qbundle")


def test_the_exchange_page_says_once_where_the_hq_key_is(
    qtbot: QtBot, capsys: pytest.CaptureFixture[str], tmp_path: Path, as_admin: None,
    no_keyring: None,
) -> None:  # fmt: skip
    from ui.exchange.keys import OwnKeysBox

    hq, _err = init_hq(capsys, tmp_path)
    ws = unlock(hq, "admin", PASSWORD)
    try:
        box = OwnKeysBox(KeyService(ws), SecretStore())
        qtbot.addWidget(box)
        box.retranslate_ui()
        assert box.identity_place is IdentityPlace.DATABASE
        assert not box.identity_note.isHidden()
        assert box.identity_note.text().startswith(
            "This computer has no system keyring, so headquarters' decryption key is kept "
            "inside the encrypted database."
        )
    finally:
        ws.close()
