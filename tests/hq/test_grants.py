"""Attacks on the HQ database's roles, replayed against a real PostgreSQL server.

An analyst signs in to PostgreSQL as themselves: whatever they type into psql, the server
refuses writes to cases and people, secrets and other counters; the import operator writes the
imported tables but not accounts or secrets.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine

from app.db.migrate import upgrade_to
from app.errors import PermissionDenied, ValidationError
from app.services.hq_database import add_user, grant_all, setup_database
from tests.hq.pg import DocumentedTemplate, drop_database, scalar, unique, url_for
from tests.hq.seed import create_schema, pg, seed_rows
from tests.pg_cluster import Cluster

PASSWORD = "a-long-enough-password"


@pytest.fixture
def hq_db(pg_server: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    database = unique("qorgau_t")
    users = {kind: unique(kind) for kind in ("analyst", "importer", "admin")}
    try:
        setup_database(pg_server, database)
        create_schema(url_for(pg_server, database))
        seed_rows(url_for(pg_server, database))
        url = url_for(pg_server, database)
        add_user(url, users["admin"], "admin", PASSWORD)
        admin_url = url_for(pg_server, database, users["admin"], PASSWORD)
        grant_all(admin_url)  # an HQ administrator re-applies the grants after an upgrade
        for kind in ("analyst", "importer"):
            add_user(admin_url, users[kind], kind, PASSWORD)
        yield pg_server, database, users
    finally:
        drop_database(pg_server, database, tuple(users.values()))


def _connect(base: str, database: str, user: str) -> psycopg.Connection:
    return psycopg.connect(url_for(base, database, user, PASSWORD), autocommit=True)


@pytest.mark.parametrize(
    "attack",
    [
        "INSERT INTO person (id, origin_mission, version, updated_at, change_seq, surname, "
        "given_names, patronymic, surname_latin, given_names_latin, citizenship, phone_abroad, "
        "phone_home, email, messenger, address_abroad, address_home, next_of_kin, "
        "consent_scope, consent_note) VALUES ('x', 'SEL', 1, now(), 0, 'Forged', 'F', '', '', "
        "'', 'KZ', '', '', '', '', '', '', '', '[]', '')",
        "UPDATE \"case\" SET status = 'closed'",
        "DELETE FROM case_category",
        "UPDATE \"user\" SET role = 'hq_admin'",
        "INSERT INTO exchange_log (id, bundle_id, direction, kind, peer_mission, source_mission,"
        " created_at, change_seq_from, change_seq_to, counts, report, file_sha256, actor) "
        "VALUES ('x', 'b', 'in', 'cases', 'SEL', 'SEL', now(), 0, 0, '{}', '{}', '', 'x')",
    ],
)
def test_analyst_connection_cannot_write_or_read_secrets(hq_db, attack: str) -> None:
    base, database, users = hq_db
    before = scalar(base, database, "SELECT count(*) FROM \"case\" WHERE status = 'closed'")
    with _connect(base, database, users["analyst"]) as conn:
        assert conn.execute('SELECT count(*) FROM "case"').fetchone() == (1,)  # reads
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(attack)
    assert scalar(base, database, "SELECT count(*) FROM \"case\" WHERE status = 'closed'") == before
    assert scalar(base, database, "SELECT count(*) FROM person") == 1
    assert scalar(base, database, "SELECT count(*) FROM case_category") == 1
    assert scalar(base, database, "SELECT count(*) FROM \"user\" WHERE role = 'hq_admin'") == 1


@pytest.mark.parametrize("kind", ["analyst", "importer"])
def test_private_key_rows_are_out_of_reach(hq_db, kind: str) -> None:
    base, database, users = hq_db
    # The escrow identity too: it opens the database key of every mission that escrows.
    keys = "SELECT count(*) FROM local_secret WHERE name IN ('age_identity', 'escrow_identity')"
    with _connect(base, database, users[kind]) as conn:
        # Row-level security: the rows are not there for them, whatever they ask.
        assert conn.execute(keys).fetchone() == (0,)
        conn.execute("UPDATE local_secret SET value = 'x' WHERE name LIKE '%identity'")
        for attack in (
            "DELETE FROM local_secret",
            "INSERT INTO local_secret (name, value) VALUES ('signing_key', 'x')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(attack)
        # What signing in needs (the sign-in guard's mirror row) stays theirs to write.
        conn.execute("INSERT INTO local_secret (name, value) VALUES ('login_mirror_test', 'x')")
    assert scalar(base, database, keys) == 2
    assert (
        scalar(
            base,
            database,
            "SELECT count(*) FROM local_secret WHERE value IN "
            "('AGE-SECRET-KEY-NOT-HERE', 'AGE-SECRET-KEY-ESCROW')",
        )
        == 2
    )
    assert (
        scalar(base, database, "SELECT count(*) FROM local_secret WHERE name = 'signing_key'") == 0
    )


def test_analyst_advances_only_the_audit_counter(hq_db) -> None:
    base, database, users = hq_db
    audit_seq = "SELECT value FROM counter WHERE name = 'audit_seq'"
    before = scalar(base, database, audit_seq)
    with _connect(base, database, users["analyst"]) as conn:
        conn.execute("UPDATE counter SET value = value + 1 WHERE name = 'audit_seq'")
        # Row-level security hides the case-number counters from an analyst's UPDATE.
        conn.execute("UPDATE counter SET value = 999 WHERE name <> 'audit_seq'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO counter (name, value) VALUES ('case:SEL:2026', 1000)")
    assert scalar(base, database, "SELECT count(*) FROM counter WHERE value = 999") == 0
    assert scalar(base, database, audit_seq) == before + 1


def test_importer_writes_imported_tables_but_not_accounts(hq_db) -> None:
    base, database, users = hq_db
    with _connect(base, database, users["importer"]) as conn:
        conn.execute("UPDATE \"case\" SET status = 'resolved'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE \"user\" SET role = 'hq_admin'")
    assert scalar(base, database, "SELECT count(*) FROM \"case\" WHERE status = 'resolved'") == 1
    assert scalar(base, database, "SELECT count(*) FROM \"user\" WHERE role = 'hq_admin'") == 1


def test_add_user_makes_login_role_and_user_row_together(hq_db) -> None:
    base, database, users = hq_db
    roles = scalar(
        base,
        database,
        f"SELECT count(*) FROM \"user\" WHERE username = '{users['analyst']}' "
        "AND role = 'hq_analyst'",
    )
    assert roles == 1
    member = scalar(
        base,
        database,
        "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        f"JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = '{users['analyst']}' "
        "AND g.rolname = 'qorgau_analyst'",
    )
    assert member == 1


def test_analyst_cannot_add_users(hq_db) -> None:
    base, database, users = hq_db
    analyst_url = url_for(base, database, users["analyst"], PASSWORD)
    intruder = unique("intruder")
    with pytest.raises(PermissionDenied):
        add_user(analyst_url, intruder, "admin", PASSWORD)
    assert (
        scalar(base, database, f"SELECT count(*) FROM pg_roles WHERE rolname = '{intruder}'") == 0
    )
    assert (
        scalar(base, database, f"SELECT count(*) FROM \"user\" WHERE username = '{intruder}'") == 0
    )


def test_setup_refuses_an_existing_database(hq_db) -> None:
    base, database, _users = hq_db
    with pytest.raises(ValidationError, match="exists already"):
        setup_database(base, database)


def test_bad_names_are_refused_before_the_server_is_asked(pg_server: str) -> None:
    with pytest.raises(ValidationError, match="database name"):
        setup_database(pg_server, "Robert'); DROP TABLE x;--")
    with pytest.raises(ValidationError, match="HQ role"):
        add_user(pg_server, "someone", "superuser", PASSWORD)


# The first revision an HQ on a server ran (its search index); the release that made it
# granted the import operator every imported table, keys and logs included.
OLDER_RELEASE = "0012"
GRANTS_AND_POLICIES = """
SELECT 'table ' || c.relname || ' ' || pg_get_userbyid(c.relowner) || ' '
       || coalesce(c.relacl::text, '') || ' rls=' || c.relrowsecurity
  FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S', 'v')
UNION ALL
SELECT 'column ' || c.relname || '.' || a.attname || ' ' || a.attacl::text
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'public'::regnamespace AND a.attacl IS NOT NULL
UNION ALL
SELECT 'policy ' || tablename || '.' || policyname || ' ' || cmd || ' ' || roles::text || ' '
       || coalesce(qual, '') || ' ' || coalesce(with_check, '')
  FROM pg_policies WHERE schemaname = 'public'
UNION ALL
SELECT 'function ' || p.proname || ' ' || pg_get_userbyid(p.proowner) || ' '
       || coalesce(p.proacl::text, '')
  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'schema ' || n.nspname || ' ' || pg_get_userbyid(n.nspowner) || ' ' || n.nspacl::text
  FROM pg_namespace n WHERE n.nspname = 'public'
UNION ALL
SELECT 'default ' || d.defaclobjtype::text || ' ' || d.defaclacl::text FROM pg_default_acl d
"""


def _grants_and_policies(base: str, database: str) -> list[str]:
    engine = create_engine(pg(url_for(base, database)))
    with engine.connect() as connection:
        rows = sorted(connection.exec_driver_sql(GRANTS_AND_POLICIES).scalars())
    engine.dispose()
    return rows


def _as_the_older_release_left_it(url: str) -> None:
    """The schema at OLDER_RELEASE, and the grants that release gave: the import operator
    wrote every table but accounts and settings, the audit log and the missions' keys too,
    and every counter."""
    engine = create_engine(pg(url))
    with engine.begin() as connection:
        connection.exec_driver_sql("SET ROLE qorgau_owner")
        upgrade_to(connection, OLDER_RELEASE)
        for table in ("mission", "exchange_log", "audit_anchor", "audit_entry", "letter"):
            connection.exec_driver_sql(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO qorgau_importer"
            )
            connection.exec_driver_sql(f"GRANT SELECT ON {table} TO qorgau_analyst")
        # Its policy let the import operator set any counter, the audit counter back too.
        connection.exec_driver_sql("ALTER TABLE counter ENABLE ROW LEVEL SECURITY")
        connection.exec_driver_sql(
            "CREATE POLICY counter_write ON counter FOR ALL TO qorgau_importer"
            " USING (true) WITH CHECK (true)"
        )
    engine.dispose()


def test_an_hq_an_older_release_made_ends_with_the_grants_of_a_new_one(
    pg_cluster: Cluster, documented_hq_template: DocumentedTemplate
) -> None:
    """Upgraded by its administrator signing in (the migrations run as her own account, so the
    tables they add are hers), then ``hq grants``: every table's owner, grants, column grants,
    row-level security and policies (the old permissive one on counters gone), every
    function's owner, as on the HQ the documented commands set up with this release; and the
    import operator's old grants on the missions' keys and the logs are gone."""
    base, older, importer = pg_cluster.admin_url, unique("qorgau_old"), unique("importer")
    try:
        setup_database(base, older)
        _as_the_older_release_left_it(url_for(base, older))
        admin_url = url_for(base, older, documented_hq_template.administrator, PASSWORD)
        engine = create_engine(pg(admin_url))
        with engine.begin() as connection:
            upgrade_to(connection)  # as sign-in does (app.db.migrate.ensure_schema)
        engine.dispose()
        grant_all(admin_url)
        assert _grants_and_policies(base, older) == _grants_and_policies(
            base, documented_hq_template.database
        )
        add_user(admin_url, importer, "importer", PASSWORD)
        with psycopg.connect(url_for(base, older, importer, PASSWORD)) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("UPDATE mission SET signing_public_key = 'x'")
    finally:
        drop_database(base, older, (importer,))
