"""Users of an HQ on a database server, managed the server way from the app (Settings → Users
and `qorgau user …`): a new user is a server account in the group of their role, a password
is the account's own, a revoked user's account signs in no more. What the server does itself
(backups, recovery, keeping a key on this computer) is refused with what to use instead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.db.models import User
from app.errors import (
    AccountChanged,
    AuthError,
    PermissionDenied,
    SessionEnded,
    StorageFailed,
    ValidationError,
)
from app.security.keyring_store import SecretStore
from app.services.backup import backup_if_due, create_backup, restore_backup
from app.services.hq_database import (
    ADMIN,
    SESSION_ENDER,
    connect_engine,
)
from app.services.installation import (
    remember_unlock,
)
from app.services.recovery import RecoveryService, recover
from app.services.server_hq import ServerHandles, sessions_ended_message
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.hq.pg import PASSWORD, DocumentedTemplate, ServerHq, documented_hq
from tests.integration.cli_helpers import run_cli
from tests.pg_cluster import Cluster

NEW_PASSWORD = "another-long-password"


def _can_log_in(ws: Workspace, role: str) -> bool:
    with ws.read() as session:
        found = session.execute(
            text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"), {"n": role}
        ).scalar_one_or_none()
    return bool(found)


@pytest.fixture
def server_hq(
    pg_cluster: Cluster, documented_hq_template: DocumentedTemplate, tmp_path: Path
) -> Iterator[ServerHq]:
    with documented_hq(pg_cluster, documented_hq_template, tmp_path / "hq") as hq:
        yield hq


def test_admin_adds_a_user_who_signs_in_with_their_own_server_account(
    server_hq: ServerHq,
) -> None:
    dana = server_hq.names["dana"]
    service = UserService(server_hq.admin)
    assert service.roles_to_give() == ("hq_analyst", "hq_importer", "hq_admin")
    # A mission's role does not fit here: refused, and neither account nor row is made.
    with pytest.raises(ValidationError, match="does not fit"):
        service.add(dana, "attache", PASSWORD)
    with pytest.raises(ValidationError, match="at least 12 characters"):
        service.add(dana, "hq_analyst", "Short-1!")
    assert dana not in {u.username for u in service.list()}
    assert not _can_log_in(server_hq.admin, dana)
    service.add(dana, "hq_analyst", PASSWORD, "Дана")
    ws = server_hq.sign_in("dana")
    try:
        assert ws.actor.role == "hq_analyst"
        with ws.read() as session:  # the analyst's group grants reach them
            assert session.execute(select(User.username)).scalars().all()
    finally:
        ws.close()
    with pytest.raises(ValidationError, match="already exists"):
        service.add(dana, "hq_importer", PASSWORD)


def test_passwords_are_the_server_accounts_own(server_hq: ServerHq) -> None:
    admin = UserService(server_hq.admin)
    dana, erlan = server_hq.names["dana"], server_hq.names["erlan"]
    admin.add(dana, "hq_analyst", PASSWORD)
    admin.add(erlan, "hq_importer", PASSWORD)
    # The user changes their own: the old password opens nothing any more.
    ws = server_hq.sign_in("dana")
    try:
        UserService(ws).change_password(dana, NEW_PASSWORD)
    finally:
        ws.close()
    with pytest.raises(AuthError):
        server_hq.sign_in("dana")
    server_hq.sign_in("dana", NEW_PASSWORD).close()
    # Another user may not reset it; the administrator may.
    importer = server_hq.sign_in("erlan")
    try:
        with pytest.raises(PermissionDenied):
            UserService(importer).change_password(dana, PASSWORD)
    finally:
        importer.close()
    server_hq.sign_in("dana", NEW_PASSWORD).close()
    admin.change_password(dana, PASSWORD)
    server_hq.sign_in("dana").close()


def test_a_revoked_users_server_account_signs_in_no_more(server_hq: ServerHq) -> None:
    dana = server_hq.names["dana"]
    service = UserService(server_hq.admin)
    service.add(dana, "hq_importer", PASSWORD)
    revoked = service.revoke(dana)
    assert revoked.need_password_reset == []
    assert revoked.used_hq_keys  # the import operator: told to consider `keys rotate`
    assert not _can_log_in(server_hq.admin, dana)
    with pytest.raises(AuthError):
        server_hq.sign_in("dana")
    assert {u.username: u.active for u in service.list()}[dana] is False
    with pytest.raises(ValidationError, match="revoke the user and add them again"):
        service.set_role(server_hq.names["gulnar"], "hq_analyst")
    # An analyst never works on the import workstation that keeps HQ's keys: nothing to say.
    erlan = server_hq.names["erlan"]
    service.add(erlan, "hq_analyst", PASSWORD)
    assert not service.revoke(erlan).used_hq_keys


def _user_rows(ws: Workspace) -> list[tuple[str, bool]]:
    with ws.read() as session:
        return [tuple(row) for row in session.execute(select(User.username, User.active))]


def test_revoking_a_user_ends_the_sessions_they_have_open(server_hq: ServerHq) -> None:
    """The attack: a user about to be revoked keeps a desktop signed in and goes on writing.
    The revocation ends their session; its next read and write are refused, nothing changes."""
    dana = server_hq.names["dana"]
    service = UserService(server_hq.admin)
    service.add(dana, "hq_importer", PASSWORD)
    still_open = server_hq.sign_in("dana")
    try:
        assert _user_rows(still_open)  # the session is live and reads
        result = service.revoke(dana)
        assert result.sessions_ended is not None and result.sessions_ended >= 1
        before = _user_rows(server_hq.admin)
        # The ended connection is lost (the server's notice may not reach the client first);
        # the reconnection is refused as the revoked account it is.
        with pytest.raises(StorageFailed):
            _user_rows(still_open)
        with pytest.raises(SessionEnded):
            _user_rows(still_open)
        with pytest.raises(SessionEnded), still_open.write() as session:
            session.execute(
                text("UPDATE \"user\" SET full_name = 'x' WHERE username = :n"), {"n": dana}
            )
        assert _user_rows(server_hq.admin) == before
    finally:
        still_open.close()


def test_a_session_ended_during_the_ping_is_refused_in_the_users_words(
    server_hq: ServerHq, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race CI once lost: the server ends a revoked user's session while the pool pings it,
    and psycopg raises its ProgrammingError (autocommit cannot be set back) before it marks the
    connection broken. The connection is dropped and its replacement is refused: the user
    reads that their session ended, never a driver's error."""
    import psycopg

    dana = server_hq.names["dana"]
    service = UserService(server_hq.admin)
    service.add(dana, "hq_importer", PASSWORD)
    still_open = server_hq.sign_in("dana")
    try:
        assert _user_rows(still_open)
        service.revoke(dana)
        before = _user_rows(server_hq.admin)

        def ping_as_the_race_does(connection: object) -> bool:
            raise psycopg.ProgrammingError(
                "can't change 'autocommit' now: connection in transaction status ACTIVE"
            )

        monkeypatch.setattr(still_open.db.engine.dialect, "do_ping", ping_as_the_race_does)
        with pytest.raises(SessionEnded):
            _user_rows(still_open)
        assert _user_rows(server_hq.admin) == before
    finally:
        still_open.close()


def test_without_the_server_role_a_revocation_says_the_open_sessions_go_on(
    server_hq: ServerHq, pg_cluster: Cluster
) -> None:
    """Where the server's administrator has not granted pg_signal_backend, the next sign-in
    is still refused, and the administrator is told the open session was not ended. The
    fault: the open Qorgau session went on reading and writing; it is refused now. The
    fault, after that: the message still said "Their open sessions go on", Qorgau's own
    windows included; it says now that those stop and sessions of other programs go on."""
    dana = server_hq.names["dana"]
    superuser = connect_engine(pg_cluster.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with superuser.connect() as connection:
            connection.exec_driver_sql(f"REVOKE {SESSION_ENDER} FROM {ADMIN}")
        service = UserService(server_hq.admin)
        service.add(dana, "hq_analyst", PASSWORD)
        still_open = server_hq.sign_in("dana")
        try:
            result = service.revoke(dana)
            assert result.sessions_ended is None
            told = sessions_ended_message(None)
            assert "pg_signal_backend" in told and "psql" in told
            assert "Qorgau windows still open refuse their next action" in told
            # The server connection is still open, as told; Qorgau's own window refuses to
            # go on (it re-reads the account in each session).
            with pytest.raises(AccountChanged, match="revoked your account"):
                _user_rows(still_open)
            with pytest.raises(AuthError):
                server_hq.sign_in("dana")
        finally:
            still_open.close()
    finally:
        with superuser.connect() as connection:
            connection.exec_driver_sql(f"GRANT {SESSION_ENDER} TO {ADMIN}")
        superuser.dispose()


def test_what_the_server_does_itself_is_refused_with_what_to_use_instead(
    server_hq: ServerHq, tmp_path: Path
) -> None:
    ws, paths = server_hq.admin, server_hq.paths
    before = sorted(p.name for p in paths.data_dir.iterdir())
    with pytest.raises(ServerHandles, match="pg_dump"):
        create_backup(ws, tmp_path / "backup.zip")
    with pytest.raises(ServerHandles, match="pg_dump"):
        restore_backup(paths, tmp_path / "backup.zip", server_hq.names["gulnar"], PASSWORD)
    assert backup_if_due(ws) is None
    with pytest.raises(ServerHandles, match="no recovery key"):
        RecoveryService(ws).rotate()
    with pytest.raises(ServerHandles, match="no recovery key"):
        recover(paths, "AAAA", "boss", PASSWORD)
    assert not RecoveryService(ws).has_recovery_key()
    with pytest.raises(ServerHandles, match="own server account"):
        remember_unlock(ws, SecretStore())
    assert not (tmp_path / "backup.zip").exists()
    assert sorted(p.name for p in paths.data_dir.iterdir()) == before


def test_the_cli_manages_server_users_and_points_backups_at_the_server(
    server_hq: ServerHq,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, dana = str(server_hq.paths.data_dir), server_hq.names["dana"]
    monkeypatch.setenv("QORGAU_USER", server_hq.names["gulnar"])
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", PASSWORD)
    run = run_cli(capsys, "--data-dir", data, "user", "add", dana, "--role", "hq_importer")
    assert run.code == 0, run.err
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", NEW_PASSWORD)
    assert run_cli(capsys, "--data-dir", data, "user", "passwd", dana).code == 0
    server_hq.sign_in("dana", NEW_PASSWORD).close()
    revoked = run_cli(capsys, "--data-dir", data, "user", "revoke", dana)
    assert revoked.code == 0
    # No key changes at a server HQ: the output says what did happen.
    assert "signs in no more" in revoked.out and "has a new key" not in revoked.out
    assert "Open sessions of theirs ended: 0." in revoked.out
    # The import operator worked with HQ's keys, which the revocation does not replace.
    assert "does not replace them" in revoked.out
    assert "replace them with 'qorgau keys rotate' on the computer that keeps them" in revoked.out
    assert "each refuses headquarters' bundles and escrow policies" in revoked.out
    with pytest.raises(AuthError):
        server_hq.sign_in("dana", NEW_PASSWORD)
    refused = run_cli(capsys, "--data-dir", data, "backup", "--out", str(tmp_path / "b.zip"))
    assert refused.code == 1 and "pg_dump" in refused.err
    assert not (tmp_path / "b.zip").exists()


def test_an_analyst_reads_the_agreements_library_of_a_new_server_hq(server_hq: ServerHq) -> None:
    """The fault: a new HQ on a server had no agreements library; the first to open Agreements
    seeded it, and for an analyst, whom the server lets write nothing, that was the server's
    raw refusal ("new row violates row-level security policy"). It is seeded at init; a library
    missing still (an HQ made before) is explained to the analyst, nothing written."""
    from app.db.models import Agreement
    from app.services.agreements import AgreementService

    UserService(server_hq.admin).add(server_hq.names["dana"], "hq_analyst", PASSWORD)
    ws = server_hq.sign_in("dana")
    try:
        assert AgreementService(ws).list()  # read as the server HQ was made
        with server_hq.admin.write() as session:  # as an HQ made before this change had it
            session.execute(text("DELETE FROM agreement_provision"))
            session.execute(text("DELETE FROM agreement"))
        with pytest.raises(PermissionDenied, match="not on the server yet"):
            AgreementService(ws).list()
        with ws.read() as session:
            assert session.scalar(select(func.count()).select_from(Agreement)) == 0
    finally:
        ws.close()


def test_a_server_hq_user_unlocks_her_locked_window_with_her_server_password(
    server_hq: ServerHq,
) -> None:
    """The fault: the lock screen proved the password with a key slot, which an HQ on a
    server has none of: its users could not unlock a locked window ("The key file
    keyslots.json is missing"). The server checks the password now; a wrong one counts."""
    from app.security.login_guard import LoginGuard
    from app.services.sign_in import unlock_again

    ws = server_hq.sign_in("gulnar")
    try:
        with pytest.raises(AuthError):
            unlock_again(ws, "not her password")
        assert LoginGuard(ws.paths.data_dir).failures(ws.actor.username) == 1
        unlock_again(ws, PASSWORD, LoginGuard(ws.paths.data_dir, _NoWait()))
        assert LoginGuard(ws.paths.data_dir).failures(ws.actor.username) == 0
    finally:
        ws.close()


class _NoWait:
    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(minutes=5)

    def sleep(self, seconds: float) -> None:
        pass
