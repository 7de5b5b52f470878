"""HQ's own users attack its PostgreSQL database with their own server accounts, bypassing
Qorgau (psql): Dana, an analyst, and Erlan, the import operator. The HQ is set up by the
documented commands (``documented_hq``) and holds a mission's trusted keys, a case with its
timeline and an issued letter, an import in the exchange log with the mission's audit hashes,
and the idle lock and retention settings. Each attack is refused by the server with every one
of those rows, the roles and ``audit verify`` unchanged (see also test_hq_server_accounts.py).
"""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.orm import Session

from app.db.models import (
    AuditAnchor,
    CaseEvent,
    ExchangeLog,
    Letter,
    Setting,
)
from app.db.postgres import ServerConfig
from app.errors import DatabaseError
from app.security import audit
from app.services.hq_database import connect_engine
from app.services.keys import KeyService
from app.services.settings import IDLE_LOCK
from tests.hq.pg import PASSWORD, ServerHq
from tests.hq.seed import add_case
from tests.pg_cluster import Cluster
from tests.security.test_hq_server_accounts import server_hq  # noqa: F401

SEL_KEY = base64.b64encode(b"S" * 32).decode()
FORGED_KEY = base64.b64encode(b"F" * 32).decode()


def _seed(hq: ServerHq, cluster: Cluster) -> None:
    """What the attacks aim at, written as the server's superuser (and SEL's key trusted by
    HQ's administrator through Qorgau, as the documented way is)."""
    KeyService(hq.admin).trust("SEL", SEL_KEY)
    config = ServerConfig.load(hq.paths.data_dir)
    assert config is not None
    engine = connect_engine(cluster.admin_url, config.database)
    try:
        with Session(engine) as session, session.begin():
            session.info["mission_code"] = "SEL"
            case = add_case(session, "SEL", 1, iin=None, employer=None, received=date(2026, 1, 5))
            session.add(CaseEvent(case_id=case.id, kind="note", text="Met the employer"))
            session.add(
                Letter(
                    case_id=case.id,
                    mission_code="SEL",
                    kind="employer_demand",
                    lang="ru",
                    status="issued",
                    year=2026,
                    seq=1,
                    outgoing_number="SEL-2026-0001",
                    origin_mission="SEL",
                )
            )
            session.add(
                ExchangeLog(
                    bundle_id="b-1",
                    direction="in",
                    kind="cases",
                    peer_mission="SEL",
                    source_mission="SEL",
                    file_sha256="ab" * 32,
                    actor="erlan",
                )
            )
            session.add(AuditAnchor(mission_code="SEL", seq=1, hash="cd" * 32))
            session.merge(Setting(key=IDLE_LOCK, value=10))
            session.merge(Setting(key="retention_years", value=5))
    finally:
        engine.dispose()


@pytest.fixture
def attacked_hq(server_hq: ServerHq, pg_cluster: Cluster) -> ServerHq:  # noqa: F811
    """test_hq_server_accounts.py's HQ (Dana and Erlan added by Gulnar), with the rows."""
    _seed(server_hq, pg_cluster)
    return server_hq


def _psql(hq: ServerHq, cluster: Cluster, who: str) -> psycopg.Connection:
    config = ServerConfig.load(hq.paths.data_dir)
    assert config is not None
    return psycopg.connect(cluster.url(config.database, hq.names[who], PASSWORD), autocommit=True)


# Every row the attacks aim at, as the server's superuser sees it (row-level security aside).
WATCHED = (
    "mission",
    "setting",
    '"case"',
    "case_event",
    "letter",
    "exchange_log",
    "audit_anchor",
    "audit_entry",
    '"user"',
    "counter",
)


def _state(hq: ServerHq, cluster: Cluster) -> dict[str, object]:
    config = ServerConfig.load(hq.paths.data_dir)
    assert config is not None
    engine = connect_engine(cluster.admin_url, config.database)
    try:
        with engine.connect() as connection:
            state: dict[str, object] = {
                table: connection.exec_driver_sql(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text),"
                    f" '')) FROM {table} t"
                ).one()
                for table in WATCHED
            }
            state["roles"] = connection.exec_driver_sql(
                "SELECT string_agg(r.rolname || r.rolcanlogin || r.rolcreaterole || coalesce("
                "(SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m"
                " JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), ''), ';'"
                " ORDER BY r.rolname) FROM pg_roles r"
            ).scalar_one()
            state["grants"] = connection.exec_driver_sql(
                "SELECT string_agg(relname || coalesce(relacl::text, ''), ';' ORDER BY relname)"
                " FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            ).scalar_one()
    finally:
        engine.dispose()
    with hq.admin.read() as session:
        state["audit verify"] = audit.verify(session)[1]
    return state


# What either of them tries; each is refused by the server's grants or row-level security.
ANYONE = {
    "create a server account": f"CREATE ROLE evil LOGIN PASSWORD '{PASSWORD}'",
    "join the administrators": "GRANT qorgau_admin TO CURRENT_USER",
    "give a group to another account": "GRANT qorgau_importer TO qorgau_analyst",
    "drop a setting": "DELETE FROM setting",
    "rewrite an audit entry": "UPDATE audit_entry SET details = '{}'",
    "read the server's password hashes": "SELECT passwd FROM pg_shadow",
    "read another account's credentials": "SELECT rolpassword FROM pg_authid",
    "trust another key for a mission": (
        f"UPDATE mission SET signing_public_key = '{FORGED_KEY}' WHERE code = 'SEL'"
    ),
    "register a mission with her own key": (
        "INSERT INTO mission (id, origin_mission, version, updated_at, change_seq, code, is_local,"
        " is_hq, country, city, city_kk, city_ru, name_kk, name_ru, name_en, address_kk,"
        " address_ru, address_en, phone, email, signing_public_key, trusted_at) VALUES ('m-x',"
        f" 'DXB', 1, now(), 0, 'DXB', false, false, 'AE', 'Dubai', '', '', '', '', '', '', '',"
        f" '', '', '', '{FORGED_KEY}', now())"
    ),
    "remove a trusted mission": "DELETE FROM mission WHERE code = 'SEL'",
    "forget an import (a bundle then imported twice)": "DELETE FROM exchange_log",
    "rewrite a past import": "UPDATE exchange_log SET file_sha256 = '', counts = '{}'",
    "forget a mission's audit hashes (its edited history then passes)": (
        "DELETE FROM audit_anchor"
    ),
    "change a mission's audit hash": "UPDATE audit_anchor SET hash = repeat('e', 64)",
    # The next entry of anyone would take a number in use: every write at HQ then fails.
    "turn the audit counter back": "UPDATE counter SET value = 1 WHERE name = 'audit_seq'",
}
# The settings: refused to the analyst by the grants; the import operator keeps the date
# retention last trusted, and row-level security hides every other setting from her writes.
SETTINGS = {
    "turn the idle lock off": f"UPDATE setting SET value = '0' WHERE key = '{IDLE_LOCK}'",
    "keep personal data for ever": "UPDATE setting SET value = '99' WHERE key = 'retention_years'",
}
# The analyst's own, beside ANYONE: she reads and reports, and writes no record.
ANALYST_ONLY = SETTINGS | {
    "edit a timeline entry": "UPDATE case_event SET text = 'Nothing happened'",
    "delete a timeline entry": "DELETE FROM case_event",
    "renumber an issued letter": "UPDATE letter SET outgoing_number = 'SEL-2026-0099'",
    "delete a letter": "DELETE FROM letter",
    "close a case": "UPDATE \"case\" SET status = 'closed'",
    "log an import": (
        "INSERT INTO exchange_log (id, bundle_id, direction, kind, counts, report, created_at,"
        " change_seq_from, change_seq_to, file_sha256, actor, peer_mission, source_mission)"
        " VALUES ('x', 'b-2', 'in', 'cases', '{}', '{}', now(), 0, 0, '', 'x', 'SEL', 'SEL')"
    ),
    "add an audit hash of a mission": (
        "INSERT INTO audit_anchor (mission_code, seq, hash) VALUES ('SEL', 2, repeat('e', 64))"
    ),
}
ATTACKS = [
    pytest.param(who, attack, id=f"{who}: {name}")
    for who, attacks in (("dana", ANYONE | ANALYST_ONLY), ("erlan", ANYONE))
    for name, attack in attacks.items()
]


@pytest.mark.parametrize("who", ["dana", "erlan"])
def test_nobody_deletes_the_audit_counter(attacked_hq: ServerHq, pg_cluster: Cluster, who: str):
    """Without it the next entry takes number 1, in use: every write at HQ fails. Dana may
    delete no counter; row-level security hides it from Erlan's delete (an import deletes
    only its own claim rows)."""
    before = _state(attacked_hq, pg_cluster)
    with _psql(attacked_hq, pg_cluster, who) as connection:
        try:
            deleted = connection.execute("DELETE FROM counter WHERE name = 'audit_seq'").rowcount
        except psycopg.errors.InsufficientPrivilege:
            deleted = 0
    assert deleted == 0
    assert _state(attacked_hq, pg_cluster) == before


@pytest.mark.parametrize(("who", "attack"), ATTACKS)
def test_what_hqs_users_try_with_their_own_accounts_is_refused(
    attacked_hq: ServerHq, pg_cluster: Cluster, who: str, attack: str
) -> None:
    before = _state(attacked_hq, pg_cluster)
    assert before["audit verify"] == []
    with _psql(attacked_hq, pg_cluster, who) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(attack)
    assert _state(attacked_hq, pg_cluster) == before


@pytest.mark.parametrize("attack", SETTINGS.values(), ids=SETTINGS.keys())
def test_the_import_operator_changes_no_setting_but_the_date_retention_trusted(
    attacked_hq: ServerHq, pg_cluster: Cluster, attack: str
) -> None:
    before = _state(attacked_hq, pg_cluster)
    with _psql(attacked_hq, pg_cluster, "erlan") as connection:
        assert connection.execute(attack).rowcount == 0  # hidden by row-level security
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("INSERT INTO setting (key, value) VALUES ('retention_years', '99')")
    assert _state(attacked_hq, pg_cluster) == before


def test_the_import_operator_still_writes_what_an_import_writes(
    attacked_hq: ServerHq, pg_cluster: Cluster
) -> None:
    """What an import does to the rows now closed to her rewriting: a mission's descriptive
    columns (``MISSION_INFO``) with its sync columns, a new line in the exchange log, new
    audit hashes of the mission."""
    with _psql(attacked_hq, pg_cluster, "erlan") as connection:
        connection.execute(
            "UPDATE mission SET city_ru = 'Сеул', phone = '+82 2 379 9714', version = version + 1,"
            " updated_at = now(), change_seq = change_seq + 1 WHERE code = 'SEL'"
        )
        connection.execute(ANALYST_ONLY["log an import"])
        connection.execute(ANALYST_ONLY["add an audit hash of a mission"])
        mission = connection.execute(
            "SELECT city_ru, signing_public_key FROM mission WHERE code = 'SEL'"
        ).fetchone()
        logged = connection.execute("SELECT count(*) FROM exchange_log").fetchone()
        hashes = connection.execute("SELECT count(*) FROM audit_anchor").fetchone()
    assert mission == ("Сеул", SEL_KEY)
    assert (logged, hashes) == ((2,), (2,))


def test_without_tls_a_verify_full_desktop_signs_in_nowhere(
    attacked_hq: ServerHq, pg_cluster: Cluster, tmp_path: Path
) -> None:
    """The test server has no TLS, as a server whose TLS was turned off (or a machine in the
    middle answering in its place) would: a desktop whose ``server.json`` says
    ``verify-full`` refuses it before the password is sent, in words, and nothing is read or
    written (her last sign-in stays what it was)."""
    attacked_hq.sign_in("dana").close()  # over the plain connection the test server offers
    config = ServerConfig.load(attacked_hq.paths.data_dir)
    assert config is not None
    root = tmp_path / "root.crt"
    root.write_text("")
    replace(config, sslmode="verify-full", sslrootcert=str(root)).save(attacked_hq.paths.data_dir)
    signed_in = 'SELECT last_login_at FROM "user" WHERE username = current_user'
    with _psql(attacked_hq, pg_cluster, "dana") as connection:
        before = connection.execute(signed_in).fetchone()
    assert before is not None and before[0] is not None
    with pytest.raises(DatabaseError, match="does not accept encrypted connections"):
        attacked_hq.sign_in("dana")
    with pytest.raises(psycopg.OperationalError, match="SSL"):
        psycopg.connect(
            pg_cluster.url(config.database, attacked_hq.names["dana"], PASSWORD)
            + f"?sslmode=verify-full&sslrootcert={root}"
        )
    with _psql(attacked_hq, pg_cluster, "dana") as connection:
        assert connection.execute(signed_in).fetchone() == before
