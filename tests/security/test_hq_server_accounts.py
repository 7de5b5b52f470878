"""Dana, an HQ analyst, opens psql with her own server account instead of Qorgau; Erlan, the
import operator, was revoked but kept a psql session open. Each attack is replayed against a
real PostgreSQL server set up by the documented commands (``documented_hq``), and each is
refused with the data unchanged and ``audit verify`` still passing."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import select, text

from app.db.models import AuditEntry
from app.db.postgres import ServerConfig
from app.security import audit
from app.services.changes import SOMEONE, DataChanged, notice, read_notice
from app.services.hq_database import ADMIN, SESSION_ENDER, connect_engine
from app.services.users import UserService
from tests.hq.pg import PASSWORD, DocumentedTemplate, ServerHq, documented_hq, unique
from tests.pg_cluster import Cluster


@pytest.fixture
def server_hq(
    pg_cluster: Cluster, documented_hq_template: DocumentedTemplate, tmp_path: Path
) -> Iterator[ServerHq]:
    with documented_hq(pg_cluster, documented_hq_template, tmp_path / "hq") as hq:
        service = UserService(hq.admin)
        service.add(hq.names["dana"], "hq_analyst", PASSWORD)
        service.add(hq.names["erlan"], "hq_importer", PASSWORD)
        yield hq


def _psql(hq: ServerHq, cluster: Cluster, who: str) -> psycopg.Connection:
    """What ``psql`` with that person's own account gives them: a plain session."""
    config = ServerConfig.load(hq.paths.data_dir)
    assert config is not None
    return psycopg.connect(cluster.url(config.database, hq.names[who], PASSWORD))


def _audit_state(hq: ServerHq) -> tuple[int, list[audit.AuditProblem], str]:
    with hq.admin.read() as session:
        count, problems = audit.verify(session)
        last = select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        head = session.execute(last).scalar_one()
    return count, problems, head


def _forge_next_entry(connection: psycopg.Connection, actor: str) -> None:
    """What a reader of the log can compute: the next link of the (unkeyed) chain."""
    seq = connection.execute(
        "UPDATE counter SET value = value + 1 WHERE name = 'audit_seq' RETURNING value"
    ).fetchone()[0]
    prev = connection.execute("SELECT hash FROM audit_entry WHERE seq = %s", (seq - 1,)).fetchone()[
        0
    ]
    at = datetime.now(UTC)
    details = {"reason": "duplicate"}
    digest = audit.entry_hash(
        seq, audit.canonical_time(at), actor, "case.delete", "case", "SEL-2026-1", details, prev
    )
    connection.execute(
        "INSERT INTO audit_entry (seq, at, actor, action, entity, entity_id, details,"
        " prev_hash, hash) VALUES (%s, %s, %s, 'case.delete', 'case', 'SEL-2026-1', %s, %s, %s)",
        (seq, at, actor, Jsonb(details), prev, digest),
    )


@pytest.mark.parametrize("who", ["dana", "erlan"])
def test_an_audit_entry_in_an_administrators_name_is_refused(
    server_hq: ServerHq, pg_cluster: Cluster, who: str
) -> None:
    """The attack: the chain's hash is not keyed, so a correct next link in Gulnar's name
    passed ``audit verify``. Row-level security now lets an analyst or import operator
    append entries in their own name only."""
    before = _audit_state(server_hq)
    assert before[1] == []
    with _psql(server_hq, pg_cluster, who) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _forge_next_entry(connection, server_hq.names["gulnar"])
    assert _audit_state(server_hq) == before
    # Her own acts are still hers to record (the app's sign-in does, with her account).
    with _psql(server_hq, pg_cluster, who) as connection:
        _forge_next_entry(connection, server_hq.names[who])
    count, problems, _head = _audit_state(server_hq)
    assert (count, problems) == (before[0] + 1, [])


@pytest.mark.parametrize(
    "attack",
    [
        "UPDATE audit_entry SET actor = 'nobody'",
        "DELETE FROM audit_entry WHERE seq > 1",
        "TRUNCATE audit_entry",
    ],
)
def test_the_import_operator_cannot_rewrite_the_audit_log(
    server_hq: ServerHq, pg_cluster: Cluster, attack: str
) -> None:
    """The attack: the import operator's grants covered every imported table, the audit log
    included: she could rewrite every entry and its hashes and pass ``audit verify``."""
    before = _audit_state(server_hq)
    with _psql(server_hq, pg_cluster, "erlan") as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(attack)
    assert _audit_state(server_hq) == before


DANA_IN_PSQL = {
    "become the import operator": "SET ROLE qorgau_importer",
    "become the owner": "SET ROLE qorgau_owner",
    "raise her app role": "UPDATE \"user\" SET role = 'hq_admin'",
    "delete a case": 'DELETE FROM "case"',
    "delete a person": "DELETE FROM person",
    "forget an import (re-import a bundle)": "DELETE FROM exchange_log",
    "mark a bundle as never received": "UPDATE exchange_log SET bundle_id = 'x'",
    "rewrite the audit log": "UPDATE audit_entry SET actor = 'nobody'",
    "delete the audit log": "DELETE FROM audit_entry",
    "plant a signing key": "INSERT INTO local_secret (name, value) VALUES ('signing_key', 'x')",
    "number a case herself": "INSERT INTO counter (name, value) VALUES ('case:AST:2026', 99)",
    "turn the audit counter back (every write then fails)": (
        "UPDATE counter SET value = 1 WHERE name = 'audit_seq'"
    ),
    "a function in public": "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "a table in public": "CREATE TABLE public.evil (a int)",
    "a schema of her own": "CREATE SCHEMA evil",
    "a trigger on cases": (
        'CREATE TRIGGER evil BEFORE UPDATE ON "case" FOR EACH ROW EXECUTE FUNCTION '
        "suppress_redundant_updates_trigger()"
    ),
    "run a program on the server": "COPY (SELECT 1) TO PROGRAM 'id'",
    "write a file on the server": "COPY (SELECT 1) TO '/tmp/qorgau-evil'",
    "read the server's files": "SELECT pg_read_file('/etc/passwd')",
    "read password hashes": "SELECT rolpassword FROM pg_authid",
    "grant herself the importer's group": "GRANT qorgau_importer TO CURRENT_USER",
}


@pytest.mark.parametrize("attack", DANA_IN_PSQL.values(), ids=DANA_IN_PSQL.keys())
def test_what_the_analyst_tries_in_psql_is_refused(
    server_hq: ServerHq, pg_cluster: Cluster, attack: str
) -> None:
    def state() -> tuple[object, ...]:
        with _psql(server_hq, pg_cluster, "erlan") as reader:
            return tuple(
                reader.execute(sql).fetchone()
                for sql in (
                    "SELECT count(*), string_agg(role, ',' ORDER BY username) FROM \"user\"",
                    'SELECT count(*) FROM "case"',
                    "SELECT count(*), string_agg(bundle_id, ',') FROM exchange_log",
                    "SELECT count(*), max(seq) FROM audit_entry",
                    "SELECT string_agg(name || value, ',' ORDER BY name) FROM counter",
                    "SELECT count(*) FROM pg_namespace WHERE nspname = 'evil'",
                    "SELECT count(*) FROM pg_proc WHERE proname = 'f'",
                )
            )

    before = state()
    with _psql(server_hq, pg_cluster, "dana") as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(attack)
    assert state() == before
    assert _audit_state(server_hq)[1] == []


def test_the_analyst_sees_no_other_sessions_statements(
    server_hq: ServerHq, pg_cluster: Cluster
) -> None:
    with (
        _psql(server_hq, pg_cluster, "erlan") as erlan,
        _psql(server_hq, pg_cluster, "dana") as dana,
    ):
        erlan.execute("SELECT 'erlan-secret-statement'")
        rows = dana.execute(
            "SELECT coalesce(query, '') FROM pg_stat_activity WHERE usename = %s",
            (server_hq.names["erlan"],),
        ).fetchall()
    assert rows and all("erlan-secret" not in query for (query,) in rows)


@pytest.fixture
def no_session_ender(pg_cluster: Cluster) -> Iterator[None]:
    """The server's administrator withheld pg_signal_backend: revoking a user ends no
    session they have open."""
    superuser = connect_engine(pg_cluster.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with superuser.connect() as connection:
            connection.exec_driver_sql(f"REVOKE {SESSION_ENDER} FROM {ADMIN}")
        yield
    finally:
        with superuser.connect() as connection:
            connection.exec_driver_sql(f"GRANT {SESSION_ENDER} TO {ADMIN}")
        superuser.dispose()


def test_a_revoked_import_operators_open_session_writes_and_reads_nothing(
    server_hq: ServerHq, pg_cluster: Cluster, no_session_ender: None
) -> None:
    """The attack: revoked in Qorgau, Erlan's psql session opened before stayed a member of
    qorgau_importer and could go on writing (mark a bundle as never received, delete cases).
    The revocation now takes her out of her group: the server checks that at each statement."""
    erlan = server_hq.names["erlan"]
    with _psql(server_hq, pg_cluster, "erlan") as still_open:
        still_open.execute('SELECT count(*) FROM "case"')
        still_open.commit()
        result = UserService(server_hq.admin).revoke(erlan)
        assert result.sessions_ended is None  # the session is still there, as told
        attacks = ("DELETE FROM public.exchange_log", 'DELETE FROM public."case"')
        for attack in (*attacks, "SELECT * FROM public.person"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                still_open.execute(attack)
            still_open.rollback()
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        _psql(server_hq, pg_cluster, "erlan")
    with server_hq.admin.read() as session:
        groups = session.execute(
            text(
                "SELECT count(*) FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member"
                " WHERE u.rolname = :name"
            ),
            {"name": erlan},
        ).scalar_one()
    assert groups == 0


def test_a_revoked_administrator_cannot_let_herself_in_again(
    server_hq: ServerHq, pg_cluster: Cluster, no_session_ender: None
) -> None:
    """The attack: a revoked administrator's open session kept CREATEROLE, with which she
    could give her account LOGIN again."""
    service = UserService(server_hq.admin)
    aigerim = unique("aigerim")
    service.add(aigerim, "hq_admin", PASSWORD)
    config = ServerConfig.load(server_hq.paths.data_dir)
    assert config is not None
    try:
        with psycopg.connect(pg_cluster.url(config.database, aigerim, PASSWORD)) as still_open:
            still_open.execute("SELECT 1")
            still_open.commit()
            service.revoke(aigerim)
            for attack in (
                f"ALTER ROLE {aigerim} LOGIN",
                f"GRANT qorgau_admin TO {aigerim}",
                'UPDATE public."user" SET active = true',
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    still_open.execute(attack)
                still_open.rollback()
        with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
            psycopg.connect(pg_cluster.url(config.database, aigerim, PASSWORD))
    finally:
        superuser = connect_engine(pg_cluster.admin_url, isolation_level="AUTOCOMMIT")
        with superuser.connect() as connection:
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {aigerim}")
        superuser.dispose()


def test_a_notice_in_another_users_name_names_its_true_sender(
    server_hq: ServerHq, pg_cluster: Cluster
) -> None:
    """The attack: ``NOTIFY`` needs no privilege, so Dana sends on Qorgau's channel a notice
    claiming that Erlan changed a case: every desktop read "Changed by Erlan meanwhile". The
    desktop now names the account of the session that sent it, as the server tells."""
    heard: queue.Queue[DataChanged] = queue.Queue()
    server_hq.admin.changes.subscribe(heard.put)
    server_hq.admin.hear_other_desktops()
    listening = getattr(server_hq.admin._listening, "listening", None)
    assert listening is not None and listening.wait(10)
    claim = notice(DataChanged(frozenset({"case"}), frozenset({"c-1"})), "erlan", "desk-x")
    with _psql(server_hq, pg_cluster, "dana") as connection:
        connection.execute("SELECT pg_notify('qorgau_changed', %s)", (claim,))
        connection.commit()
        change = heard.get(timeout=10)  # while her session is open, as a desktop's pool is
    assert change.by == server_hq.names["dana"] != "erlan"
    assert change.touches_case("c-1")
    # Once the sender's session is gone the notice names nobody rather than the claim.
    unknown = read_notice(claim, "desk-y", "")
    assert unknown is not None and unknown.by == SOMEONE


def test_no_table_the_analyst_reads_holds_a_private_key(
    server_hq: ServerHq, pg_cluster: Cluster
) -> None:
    """HQ's age identity, signing key and escrow key stay on the import workstation: no row
    Dana can read holds one, in the clear or as a PEM block."""
    with _psql(server_hq, pg_cluster, "dana") as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r'"
                " AND has_table_privilege(c.oid, 'SELECT')"
            )
        ]
        assert {"audit_entry", "mission", "user", "local_secret", "setting"} <= set(tables)
        keys = "t::text LIKE '%AGE-SECRET-KEY%' OR t::text LIKE '%PRIVATE KEY%'"
        found = {
            table: connection.execute(
                sql.SQL("SELECT count(*) FROM {} t WHERE " + keys).format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }
    assert set(found.values()) == {0}, found


def test_the_analyst_cannot_touch_another_accounts_last_sign_in(
    server_hq: ServerHq, pg_cluster: Cluster
) -> None:
    """The attack: the grant of ``last_login_at`` (what signing in writes) covered every row:
    Dana could make a dormant account look used, or hide another's sign-ins."""
    rows = 'SELECT username, last_login_at FROM "user" ORDER BY username'
    with _psql(server_hq, pg_cluster, "erlan") as reader:
        before = reader.execute(rows).fetchall()
    with _psql(server_hq, pg_cluster, "dana") as connection:
        changed = connection.execute(
            "UPDATE \"user\" SET last_login_at = now() - interval '1 year'"
            " WHERE username <> current_user"
        ).rowcount
        connection.commit()
    assert changed == 0
    with _psql(server_hq, pg_cluster, "erlan") as reader:
        assert reader.execute(rows).fetchall() == before
    server_hq.sign_in("dana").close()  # her own sign-in still records when
    with _psql(server_hq, pg_cluster, "erlan") as reader:
        after = dict(reader.execute(rows).fetchall())
    assert after[server_hq.names["dana"]] is not None
