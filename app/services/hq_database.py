"""Headquarters on PostgreSQL: the database, its group roles, their grants, and HQ users.

Each HQ user signs in to PostgreSQL as themselves (a LOGIN role) and belongs to one group role
that matches their role in the app, so the server refuses what the service refuses:

=================  ===================  ====================================================
app role           PostgreSQL group     may
=================  ===================  ====================================================
``hq_analyst``     ``qorgau_analyst``   read every table (not HQ's private keys); append to
                                        the audit log in its own name (its acts are audited)
``hq_importer``    ``qorgau_importer``  also write every table a bundle import writes (the
                                        audit log: append only, in its own name; the
                                        exchange log and missions' audit hashes: append
                                        only; a mission: its descriptive columns, never
                                        its keys; of the settings, only the date
                                        retention last trusted)
``hq_admin``       ``qorgau_admin``     everything, and add users (CREATEROLE); end a
                                        revoked user's open sessions (``pg_signal_backend``,
                                        where the server's administrator grants it)
=================  ===================  ====================================================

``qorgau_owner`` (no login) owns the database, the schema and every table; administrators are
members of it so that they can upgrade the schema. ``PUBLIC`` gets nothing.

The grants are applied per table, after the schema exists (``apply_grants``), and again after
every upgrade: a table the next migration adds is readable by default (default privileges) but
writable only once ``apply_grants`` ran.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

from app.db.models import User
from app.db.postgres import drop_connections_that_fail_the_ping
from app.domain.codes import Role
from app.errors import DatabaseError, PermissionDenied, ValidationError
from app.i18n import _
from app.security import audit
from app.security.hq_secrets import PRIVATE_NAMES
from app.services.installation import check_username
from app.services.settings import RETENTION_TRUSTED_ON

OWNER = "qorgau_owner"
ANALYST = "qorgau_analyst"
IMPORTER = "qorgau_importer"
ADMIN = "qorgau_admin"
GROUPS = (ANALYST, IMPORTER, ADMIN)
# The app role of each HQ user kind, and the group role that carries its grants.
USER_KINDS: dict[str, tuple[Role, str]] = {
    "analyst": (Role.HQ_ANALYST, ANALYST),
    "importer": (Role.HQ_IMPORTER, IMPORTER),
    "admin": (Role.HQ_ADMIN, ADMIN),
}
KIND_OF_ROLE: dict[str, str] = {role.value: kind for kind, (role, _group) in USER_KINDS.items()}
# Tables no importer writes: accounts, the installation's settings, the schema's revision,
# and local secrets (but the sign-in guard's rows, see _limit_local_secret).
ADMIN_ONLY_TABLES = frozenset({"user", "setting", "local_secret", "alembic_version"})
# Rows of local_secret nobody but administrators may see: HQ's private keys (kept off the
# server altogether, app/security/hq_secrets.py; this guards a copy left behind). Its other
# rows (the sign-in guard's mirror) every user reads and writes as they sign in.
PRIVATE_KEY_ROWS = PRIVATE_NAMES
# Tables only appended to, by analysts and import operators alike: the audit chain (entry +
# its counter row). Nobody but an administrator rewrites or deletes an entry.
APPEND_ONLY_TABLES = frozenset({"audit_entry"})
# Tables an import only appends to: the log of bundles received (which refuses a bundle
# imported before) and the audit hashes received from each mission (which a later bundle's
# history must extend). Rewriting or deleting them would let a bundle in twice, or a mission's
# edited history pass: an administrator's decision (``audit forget-head``), not an import's.
IMPORT_APPEND_ONLY_TABLES = frozenset({"exchange_log", "audit_anchor"})
# What makes a mission trusted: its keys, when, and which row is this installation's own or
# headquarters. Registering a key is an administrator's (``keys trust``); an import updates
# only the source mission's descriptive columns (app.exchange.merge.MISSION_INFO).
MISSION_TRUST_COLUMNS = frozenset(
    {"code", "is_local", "is_hq", "signing_public_key", "age_recipient", "trusted_at"}
)
AUDIT_COUNTER_NAME = "audit_seq"
# The one entry a session writes in another user's name: a failed sign-in on this desktop,
# moved from its local file by the next sign-in (app/security/login_guard.py).
AUDIT_IN_ANOTHER_NAME = "user.login_failed"
# PostgreSQL's predefined role that may end other (non-superuser) sessions: what revoking a
# user needs to end the sessions they have open, beside refusing their next sign-in.
SESSION_ENDER = "pg_signal_backend"
MIN_SERVER_VERSION = 140000
DATABASE_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class DatabaseSetup:
    database: str
    server_version: str
    groups: tuple[str, ...]
    tables_granted: int


@dataclass(frozen=True)
class HqUser:
    username: str
    kind: str
    role: str
    group: str


def sqlalchemy_url(url: str, database: str | None = None) -> str:
    """``postgresql://…`` as SQLAlchemy's psycopg 3 URL, optionally on another database."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValidationError(
            _("{url} is not a database address (postgresql://user@host/database).").format(url=url),
            field="url",
        ) from None
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ValidationError(
            _("Only PostgreSQL servers are supported: the address starts with postgresql://."),
            field="url",
        )
    parsed = parsed.set(drivername="postgresql+psycopg")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def connect_engine(url: str, database: str | None = None, **options: Any) -> Engine:
    engine = create_engine(sqlalchemy_url(url, database), pool_pre_ping=True, **options)
    return drop_connections_that_fail_the_ping(engine)


@contextmanager
def server_errors() -> Iterator[None]:
    """A server that cannot be reached, or a refused statement, as one clear sentence."""
    try:
        yield
    except OperationalError as exc:
        raise DatabaseError(
            _("The database server cannot be reached: {error}").format(
                error=str(exc.orig).strip().splitlines()[0] if exc.orig else exc
            )
        ) from None
    except DBAPIError as exc:
        sqlstate = getattr(exc.orig, "sqlstate", "")
        if sqlstate == "42501":
            raise PermissionDenied(
                _("The database refused this for your account: {error}").format(
                    error=str(exc.orig).strip().splitlines()[0]
                )
            ) from None
        raise


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


def _literal(connection: Connection, value: str) -> str:
    """A string literal the server reads back exactly (DDL takes no bound parameters)."""
    return "'" + value.replace("'", "''") + "'"


def check_database_name(name: str) -> None:
    if not DATABASE_NAME_RE.match(name):
        raise ValidationError(
            _(
                "A database name is 1–63 characters: lower-case Latin letters, digits and '_', "
                "not starting with a digit."
            ),
            field="database",
        )


def _require_setup_rights(connection: Connection) -> str:
    row = connection.execute(
        text(
            "SELECT rolsuper, rolcreaterole, rolcreatedb,"
            " current_setting('server_version_num')::int, current_setting('server_version')"
            " FROM pg_roles WHERE rolname = current_user"
        )
    ).one()
    superuser, createrole, createdb, version_num, version = row
    if version_num < MIN_SERVER_VERSION:
        raise DatabaseError(
            _("Qorgau needs PostgreSQL 14 or newer; this server runs {version}.").format(
                version=version
            )
        )
    if not (superuser or (createrole and createdb)):
        raise PermissionDenied(
            _(
                "Setting up the database needs a superuser, or an account that may create "
                "roles and databases."
            )
        )
    return str(version)


def role_exists(connection: Connection, name: str) -> bool:
    return (
        connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
        is not None
    )


def _create_groups(connection: Connection) -> None:
    for group in (OWNER, *GROUPS):
        if not role_exists(connection, group):
            connection.exec_driver_sql(f"CREATE ROLE {group} NOLOGIN")
    # Administrators upgrade the schema, which the owner owns.
    connection.exec_driver_sql(f"GRANT {OWNER} TO {ADMIN}")


def setup_database(server_url: str, database: str) -> DatabaseSetup:
    """Create ``database`` and the group roles on an existing server, owned by qorgau_owner.

    ``server_url`` is an administrator's connection (superuser, or CREATEROLE and CREATEDB)
    to any database of the server, e.g. ``postgres``. A database of that name that exists
    already is refused: nothing is changed then.
    """
    check_database_name(database)
    engine = connect_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with server_errors(), engine.connect() as connection:
            version = _require_setup_rights(connection)
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}
            ).first()
            if exists:
                raise ValidationError(
                    _(
                        "The database {name} exists already on this server; nothing was changed."
                    ).format(name=database),
                    field="database",
                )
            _create_groups(connection)
            connection.exec_driver_sql(
                f"CREATE DATABASE {database} OWNER {OWNER} ENCODING 'UTF8' TEMPLATE template0"
            )
            limit_database_access(connection, database)
    finally:
        engine.dispose()
    target = connect_engine(server_url, database)
    try:
        with server_errors(), target.begin() as connection:
            _prepare_schema(connection)
            tables = apply_grants(connection)
    finally:
        target.dispose()
    return DatabaseSetup(database, version, (OWNER, *GROUPS), tables)


def limit_database_access(connection: Connection, database: str) -> None:
    """Only Qorgau's groups may connect to ``database`` (a database's own grants, which a copy
    made with ``CREATE DATABASE … TEMPLATE`` does not inherit)."""
    connection.exec_driver_sql(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
    connection.exec_driver_sql(
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {', '.join(GROUPS)}"
    )


def _prepare_schema(connection: Connection) -> None:
    connection.exec_driver_sql(f"ALTER SCHEMA public OWNER TO {OWNER}")
    connection.exec_driver_sql("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {', '.join(GROUPS)}")
    connection.exec_driver_sql(f"GRANT CREATE ON SCHEMA public TO {OWNER}")
    # Partial-name search (pg_trgm is a trusted extension: the owner could add it too).
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    default = f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public"
    connection.exec_driver_sql(f"{default} GRANT SELECT ON TABLES TO {ANALYST}, {IMPORTER}")
    connection.exec_driver_sql(f"{default} GRANT ALL ON TABLES TO {ADMIN}")
    connection.exec_driver_sql(f"{default} GRANT USAGE, SELECT ON SEQUENCES TO {', '.join(GROUPS)}")


def _tables(connection: Connection) -> list[str]:
    return list(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ).scalars()
    )


def apply_grants(connection: Connection) -> int:
    """Give every table of the schema to qorgau_owner and grant each group its share.

    Idempotent; run as the owner, an administrator (a member of it) or a superuser, after the
    schema was created or upgraded. Returns how many tables were granted.
    """
    tables = _tables(connection)
    groups = ", ".join(GROUPS)
    for table in tables:
        name = _quote(connection, table)
        connection.exec_driver_sql(f"ALTER TABLE {name} OWNER TO {OWNER}")
        connection.exec_driver_sql(f"REVOKE ALL ON {name} FROM PUBLIC, {groups}")
        connection.exec_driver_sql(f"GRANT ALL ON {name} TO {ADMIN}")
        connection.exec_driver_sql(f"GRANT SELECT ON {name} TO {ANALYST}, {IMPORTER}")
        if table in APPEND_ONLY_TABLES:
            connection.exec_driver_sql(f"GRANT INSERT ON {name} TO {ANALYST}, {IMPORTER}")
        elif table in IMPORT_APPEND_ONLY_TABLES:
            connection.exec_driver_sql(f"GRANT INSERT ON {name} TO {IMPORTER}")
        elif table == "mission":
            _limit_mission(connection)
        elif table not in ADMIN_ONLY_TABLES:
            connection.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON {name} TO {IMPORTER}")
    if "user" in tables:
        _limit_user(connection)
    if "counter" in tables:
        _limit_counter(connection)
    if "audit_entry" in tables:
        _limit_audit(connection)
    if "local_secret" in tables:
        _limit_local_secret(connection)
    if "setting" in tables:
        _limit_setting(connection)
    connection.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {groups}")
    _give_functions_to_the_owner(connection)
    _let_admins_end_sessions(connection)
    return len(tables)


def _give_functions_to_the_owner(connection: Connection) -> None:
    """The migrations' trigger functions to qorgau_owner, as the tables: those an upgrade made
    while an administrator signed in are otherwise her own account's, which then cannot be
    dropped or revoked cleanly (an extension's functions stay the extension's)."""
    functions = connection.execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " WHERE p.pronamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1"
            " FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
        )
    ).scalars()
    for function in list(functions):
        connection.exec_driver_sql(f"ALTER FUNCTION {function} OWNER TO {OWNER}")


def _let_admins_end_sessions(connection: Connection) -> None:
    """Grant administrators ``pg_signal_backend`` where this account may (a superuser may);
    without it a revocation still refuses the next sign-in but leaves open sessions open
    (and says so: ``end_sessions`` returns None)."""
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(f"GRANT {SESSION_ENDER} TO {ADMIN}")
    except DBAPIError:
        pass  # not this account's to grant: the revocation tells the administrator


def end_sessions(connection: Connection, username: str) -> int | None:
    """End ``username``'s open connections to the server; how many, or None where this
    account may not end them (no ``pg_signal_backend``)."""
    pids = (
        connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE usename = :name AND pid <> pg_backend_pid()"
            ),
            {"name": username},
        )
        .scalars()
        .all()
    )
    ended = 0
    for pid in pids:
        try:
            with connection.begin_nested():
                ended += bool(
                    connection.execute(
                        text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
                    ).scalar()
                )
        except DBAPIError:
            return None
    return ended


def _limit_counter(connection: Connection) -> None:
    """Counters number cases and letters too: an analyst may advance the audit counter only
    (row-level security; the owner, who runs migrations, is not bound by it)."""
    connection.exec_driver_sql(f"GRANT INSERT, UPDATE ON counter TO {ANALYST}")
    only_audit = f"name = {_literal(connection, AUDIT_COUNTER_NAME)}"
    # Never back below the last entry: the next entry of anyone would then take a number in
    # use, and every write at HQ would fail. (A statement's older snapshot only sees a lower
    # last entry, so a true advance is never refused.)
    forward = f"{only_audit} AND value > (SELECT coalesce(max(seq), 0) FROM audit_entry)"
    # An import claims its source with a counter row and deletes it when done; the audit
    # counter it only advances, as an analyst does.
    forward_or_other = f"NOT ({only_audit}) OR {forward}"
    _set_policies(
        connection,
        "counter",
        {
            "counter_read": f"FOR SELECT TO {', '.join(GROUPS)} USING (true)",
            "counter_admin": f"FOR ALL TO {ADMIN} USING (true) WITH CHECK (true)",
            # An upsert's proposed row is checked here too; the row it becomes, below.
            "counter_import_insert": f"FOR INSERT TO {IMPORTER} WITH CHECK (true)",
            "counter_import_update": (
                f"FOR UPDATE TO {IMPORTER} USING (true) WITH CHECK ({forward_or_other})"
            ),
            "counter_import_delete": f"FOR DELETE TO {IMPORTER} USING (NOT ({only_audit}))",
            "counter_audit_update": (
                f"FOR UPDATE TO {ANALYST} USING ({only_audit}) WITH CHECK ({forward})"
            ),
            # The counter is advanced by INSERT … ON CONFLICT DO UPDATE: its proposed row (the
            # step) is checked against this, the row it becomes against the update's check.
            "counter_audit_insert": f"FOR INSERT TO {ANALYST} WITH CHECK ({only_audit})",
        },
    )


def _set_policies(connection: Connection, table: str, policies: dict[str, str]) -> None:
    """``table``'s row-level security policies are exactly ``policies``: one an earlier
    release made under another name would otherwise stay, and widen what it allows."""
    name = _quote(connection, table)
    connection.exec_driver_sql(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
    existing = connection.execute(
        text("SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = :t"),
        {"t": table},
    ).scalars()
    for policy in list(existing):
        connection.exec_driver_sql(f"DROP POLICY {_quote(connection, policy)} ON {name}")
    for policy, rule in policies.items():
        connection.exec_driver_sql(f"CREATE POLICY {policy} ON {name} {rule}")


def _limit_setting(connection: Connection) -> None:
    """Settings are the administrators' (the idle lock, retention, the reply wait), but for
    the date retention last trusted, which the run at the import operator's start keeps
    current (``RETENTION_TRUSTED_ON``): without it each of her starts failed."""
    connection.exec_driver_sql(f"GRANT INSERT, UPDATE ON setting TO {IMPORTER}")
    trusted = f"key = {_literal(connection, RETENTION_TRUSTED_ON)}"
    _set_policies(
        connection,
        "setting",
        {
            "setting_read": f"FOR SELECT TO {', '.join(GROUPS)} USING (true)",
            "setting_admin": f"FOR ALL TO {ADMIN} USING (true) WITH CHECK (true)",
            "setting_trusted_insert": f"FOR INSERT TO {IMPORTER} WITH CHECK ({trusted})",
            "setting_trusted_update": (
                f"FOR UPDATE TO {IMPORTER} USING ({trusted}) WITH CHECK ({trusted})"
            ),
        },
    )


def _limit_mission(connection: Connection) -> None:
    """An import operator updates a mission's descriptive columns only: never its keys (the
    trust of every bundle it signs), and adds or removes no mission."""
    columns = connection.execute(
        text(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = 'mission' ORDER BY ordinal_position"
        )
    ).scalars()
    described = ", ".join(_quote(connection, c) for c in columns if c not in MISSION_TRUST_COLUMNS)
    connection.exec_driver_sql(f"GRANT UPDATE ({described}) ON mission TO {IMPORTER}")


def _limit_user(connection: Connection) -> None:
    """Signing in records when, in the user's own row only (row-level security): nothing
    else of an account is the user's to change, nor another account's last sign-in, which
    tells an administrator which accounts lie unused."""
    connection.exec_driver_sql(f'GRANT UPDATE (last_login_at) ON "user" TO {ANALYST}, {IMPORTER}')
    own = "username = current_user"
    _set_policies(
        connection,
        "user",
        {
            "user_read": f"FOR SELECT TO {', '.join(GROUPS)} USING (true)",
            "user_admin": f"FOR ALL TO {ADMIN} USING (true) WITH CHECK (true)",
            "user_own_sign_in": (
                f"FOR UPDATE TO {ANALYST}, {IMPORTER} USING ({own}) WITH CHECK ({own})"
            ),
        },
    )


def _limit_audit(connection: Connection) -> None:
    """Row-level security: an analyst or import operator appends entries in their own name
    only. The chain's hash is not keyed (anyone who reads the log can compute the next link),
    so without this a forged entry in an administrator's name would pass ``audit verify``."""
    own = f"actor = current_user OR action = {_literal(connection, AUDIT_IN_ANOTHER_NAME)}"
    _set_policies(
        connection,
        "audit_entry",
        {
            "audit_read": f"FOR SELECT TO {', '.join(GROUPS)} USING (true)",
            "audit_admin": f"FOR ALL TO {ADMIN} USING (true) WITH CHECK (true)",
            "audit_own": f"FOR INSERT TO {ANALYST}, {IMPORTER} WITH CHECK ({own})",
        },
    )


def _limit_local_secret(connection: Connection) -> None:
    """Row-level security: the private keys' rows exist for administrators only."""
    connection.exec_driver_sql(f"GRANT INSERT, UPDATE ON local_secret TO {ANALYST}, {IMPORTER}")
    keys = ", ".join(_literal(connection, name) for name in PRIVATE_KEY_ROWS)
    not_keys = f"name NOT IN ({keys})"
    _set_policies(
        connection,
        "local_secret",
        {
            "local_secret_admin": f"FOR ALL TO {ADMIN} USING (true) WITH CHECK (true)",
            "local_secret_not_keys": (
                f"FOR ALL TO {ANALYST}, {IMPORTER} USING ({not_keys}) WITH CHECK ({not_keys})"
            ),
        },
    )


def grant_all(url: str) -> int:
    """``apply_grants`` over a connection to the HQ database (after an upgrade)."""
    engine = connect_engine(url)
    try:
        with server_errors(), engine.begin() as connection:
            return apply_grants(connection)
    finally:
        engine.dispose()


def add_user(url: str, username: str, kind: str, password: str, full_name: str = "") -> HqUser:
    """Create ``username``'s LOGIN role in the group of ``kind`` and its ``user`` row, in one
    transaction: either both exist afterwards or neither. Before the schema exists only an
    administrator can be added (the one who then runs ``init --hq --database``), as a role.

    ``url`` connects to the HQ database as an HQ administrator (CREATEROLE) or a superuser.
    """
    check_username(username)
    if kind not in USER_KINDS:
        raise ValidationError(
            _("Unknown HQ role {role}; use one of: {roles}.").format(
                role=kind, roles=", ".join(USER_KINDS)
            ),
            field="role",
        )
    check_server_password(password)
    role, group = USER_KINDS[kind]
    engine = connect_engine(url)
    try:
        with server_errors(), engine.begin() as connection:
            if role_exists(connection, username):
                raise ValidationError(
                    _("The server has a role named {name} already; nothing was changed.").format(
                        name=username
                    ),
                    field="username",
                )
            installed = "user" in _tables(connection)
            if not installed and kind != "admin":
                raise DatabaseError(
                    _("This database holds no Qorgau installation yet; initialise HQ first.")
                )
            actor = str(connection.execute(text("SELECT current_user")).scalar_one())
            create_login_role(connection, username, kind, password)
            if installed:
                _add_user_row(connection, username, role, full_name, actor)
            # else: the first administrator, made before ``init --hq --database``, which
            # creates their user row as it creates the schema.
    finally:
        engine.dispose()
    return HqUser(username, kind, role.value, group)


def check_server_password(password: str) -> None:
    if len(password) < 12:
        raise ValidationError(
            _("A database password has at least 12 characters."), field="password"
        )


def create_login_role(connection: Connection, username: str, kind: str, password: str) -> None:
    """``username``'s LOGIN role in the group of ``kind`` (an administrator may add users)."""
    group = USER_KINDS[kind][1]
    name = _quote(connection, username)
    extra = " CREATEROLE" if kind == "admin" else ""
    connection.exec_driver_sql(
        f"CREATE ROLE {name} LOGIN{extra} PASSWORD {_literal(connection, password)} IN ROLE {group}"
    )
    if kind == "admin":
        # An administrator grants the groups to the users they add.
        connection.exec_driver_sql(f"GRANT {', '.join(GROUPS)} TO {name} WITH ADMIN OPTION")


def set_login_password(connection: Connection, username: str, password: str) -> None:
    """The server checks who may: the user themself, or a role with CREATEROLE."""
    name = _quote(connection, username)
    connection.exec_driver_sql(f"ALTER ROLE {name} PASSWORD {_literal(connection, password)}")


def disable_login(connection: Connection, username: str) -> None:
    """A revoked user's server account signs in no more (their rows and audit stay), and
    leaves its group: a session it still has open (psql, where no ``pg_signal_backend`` ended
    it) may then read and write nothing, as the server checks membership at each statement.
    A revoked administrator also loses CREATEROLE, with which an open session could let the
    account in again."""
    if not role_exists(connection, username):
        return
    name = _quote(connection, username)
    connection.exec_driver_sql(f"ALTER ROLE {name} NOLOGIN NOCREATEROLE")
    member_of = connection.execute(
        text(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :name AND g.rolname IN"
            " :groups"
        ).bindparams(bindparam("groups", expanding=True)),
        {"name": username, "groups": [OWNER, *GROUPS]},
    ).scalars()
    for group in list(member_of):
        connection.exec_driver_sql(f"REVOKE {group} FROM {name}")


def _add_user_row(
    connection: Connection, username: str, role: Role, full_name: str, actor: str
) -> None:
    with Session(bind=connection) as session:
        session.add(User(username=username, role=role.value, full_name=full_name))
        audit.record(session, actor, "user.add", "user", username, {"role": role.value})
        session.flush()
