"""``hq migrate``: an HQ file installation copied into PostgreSQL, counts checked, all or
nothing; then an analyst signs in to the server installation and reads what was copied."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from app.config import Paths
from app.db.models import Mission
from app.db.postgres import ServerConfig, ServerDatabase
from app.errors import ValidationError
from app.security.hq_secrets import PRIVATE_NAMES, workstation_secret
from app.security.keyring_store import SecretStore
from app.services.consolidation import ConsolidationService
from app.services.exchange import ExchangeService
from app.services.hq_database import add_user, setup_database
from app.services.hq_migrate import migrate_to_server
from app.services.recovery import ensure_escrow_identity
from app.services.search import search_case_ids
from app.services.workspace import Actor, MissionSummary, Workspace
from tests.hq.pg import drop_database, scalar, unique, url_for
from tests.hq.seed import pg
from tests.hq.test_consolidation import consolidated  # noqa: F401
from tests.integration.test_exchange import Site, dxb, hq, link, sel, sites  # noqa: F401
from tests.keyring_double import LossyKeyring

PASSWORD = "a-long-enough-password"


@pytest.fixture
def target(pg_server: str) -> Iterator[tuple[str, str, list[str]]]:
    database = unique("qorgau_m")
    roles: list[str] = []
    try:
        setup_database(pg_server, database)
        yield pg_server, database, roles
    finally:
        drop_database(pg_server, database, tuple(roles))


@pytest.fixture
def filled_hq(sel: Site, hq: Site, tmp_path: Path) -> Site:  # noqa: F811
    bundle = tmp_path / "sel.qbundle"
    sel.exchange.export_cases(bundle, [hq.recipient])
    hq.exchange.import_bundle(bundle)
    return hq


def test_migrate_copies_every_table_and_an_analyst_reads_it(
    consolidated: Site,  # noqa: F811
    sel: Site,  # noqa: F811
    target,
    tmp_path: Path,
) -> None:
    filled_hq = consolidated
    base, database, roles = target
    workstation = Paths(tmp_path / "hq-server")
    store = SecretStore(LossyKeyring())  # no keyring a fresh process reads: the private file
    # The escrow key it made goes with it (it was left behind, and missions' codes with it).
    ensure_escrow_identity(filled_hq.ws)
    report = migrate_to_server(filled_hq.ws, url_for(base, database), workstation, store)
    by_table = {c.table: c for c in report.tables}
    assert by_table["case"].source == by_table["case"].target == 12
    assert by_table["attachment"].target == by_table["attachment"].source == 1
    # The scan itself arrived whole (BLOBs are copied, not only their rows).
    from tests.hq.test_consolidation import SCAN

    engine = create_engine(pg(url_for(base, database)))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT content FROM attachment")).scalar_one() == SCAN
    engine.dispose()
    assert all(c.source == c.target for c in report.tables)
    assert report.cases_indexed == 12
    assert scalar(base, database, "SELECT count(*) FROM local_secret") == 0
    # The server's dump holds neither of HQ's private keys.
    with filled_hq.ws.read() as session:
        from app.db.models import LocalSecret

        secrets = {name: session.get(LocalSecret, name).value for name in PRIVATE_NAMES}
    rows = dump_rows(base, database)
    database_id = f"server:{ServerConfig.load(workstation.data_dir).display}"  # type: ignore[union-attr]
    for name, secret in secrets.items():
        assert bytes(secret).strip()[:40].decode("ascii") not in rows
        assert workstation_secret(workstation.data_dir, database_id, name, store) == secret
    # An analyst of the new HQ signs in to the server and finds the copied cases.
    analyst = unique("analyst")
    roles.append(analyst)
    add_user(url_for(base, database), analyst, "analyst", PASSWORD)
    ws = sign_in(workstation, analyst, "hq_analyst")
    try:
        on_server, on_file = ConsolidationService(ws), ConsolidationService(filled_hq.ws)
        assert [m.code for m in on_server.missions()] == ["DXB", "SEL"]
        assert on_server.repeats() and on_server.overdue()
        # The consolidation views' portable SQL answers alike on both engines.
        assert on_server.overdue() == on_file.overdue()

        # Employer names are compared upper-cased: PostgreSQL folds Cyrillic too, SQLite only
        # Latin letters, so the key shown may differ in case; what is grouped does not here.
        def folded(found: list) -> list:
            return [(r.kind, r.key.casefold(), r.missions, r.case_numbers) for r in found]

        assert folded(on_server.repeats()) == folded(on_file.repeats())
        shown = [
            (m.code, m.cases, m.open_cases, m.overdue_cases, m.bundles)
            for m in on_server.missions()
        ]
        assert shown == [
            (m.code, m.cases, m.open_cases, m.overdue_cases, m.bundles) for m in on_file.missions()
        ]
        with ws.read() as session:
            number = session.execute(text('SELECT number FROM "case" LIMIT 1')).scalar_one()
            assert search_case_ids(session, number)
    finally:
        ws.close()
    # The import operator imports the mission's next bundle into the server (keys from the
    # workstation's private file); the analyst above could not have.
    from tests.hq.test_consolidation import _open_case

    _open_case(sel, "Global Staffing Ltd", "KR", date.today())
    bundle = tmp_path / "next.qbundle"
    sel.exchange.export_cases(bundle, [filled_hq.recipient])
    importer = unique("importer")
    roles.append(importer)
    add_user(url_for(base, database), importer, "importer", PASSWORD)
    operator = sign_in(workstation, importer, "hq_importer")
    try:
        assert ExchangeService(operator, store).import_bundle(bundle).new > 0
        assert {m.code: m.cases for m in ConsolidationService(operator).missions()}["SEL"] == 8
    finally:
        operator.close()


def sign_in(workstation: Paths, username: str, role: str) -> Workspace:
    """A workspace on the server installation, as its sign-in opens one."""
    config = ServerConfig.load(workstation.data_dir)
    assert config is not None
    db = ServerDatabase(config, username, PASSWORD, workstation.data_dir)
    with db.read() as session:
        local = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        mission = MissionSummary(local.code, local.country, local.city, local.is_hq, "", "", "")
    return Workspace(workstation, db, Actor(username, role), mission, f"server:{config.display}")


def dump_rows(base: str, database: str) -> str:
    """Every row of every table of the server database, as text (what a dump would hold)."""
    engine = create_engine(pg(url_for(base, database)))
    with engine.connect() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        text_ = repr(
            [connection.exec_driver_sql(f'SELECT * FROM "{t}"').all() for t in list(tables)]
        )
    engine.dispose()
    return text_


def test_a_second_migration_into_the_same_database_is_refused(
    filled_hq: Site, target, tmp_path: Path
) -> None:
    base, database, _roles = target
    store = SecretStore(LossyKeyring())
    migrate_to_server(filled_hq.ws, url_for(base, database), Paths(tmp_path / "one"), store)
    cases = scalar(base, database, 'SELECT count(*) FROM "case"')
    with pytest.raises(ValidationError, match="not empty"):
        migrate_to_server(filled_hq.ws, url_for(base, database), Paths(tmp_path / "two"), store)
    assert scalar(base, database, 'SELECT count(*) FROM "case"') == cases
    assert not (tmp_path / "two" / "server.json").exists()


def test_a_target_at_another_revision_is_refused(filled_hq: Site, target, tmp_path) -> None:
    base, database, _roles = target
    engine = create_engine(pg(url_for(base, database)))
    with engine.begin() as connection:
        connection.exec_driver_sql("SET ROLE qorgau_owner")
        connection.exec_driver_sql("CREATE TABLE alembic_version (version_num varchar(32))")
        connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('0001')")
    engine.dispose()
    with pytest.raises(ValidationError, match="revision 0001"):
        migrate_to_server(
            filled_hq.ws, url_for(base, database), Paths(tmp_path / "w"), SecretStore()
        )
    assert scalar(base, database, "SELECT count(*) FROM pg_tables WHERE schemaname='public'") == 1


def test_a_mission_installation_is_refused(sel: Site, target, tmp_path) -> None:  # noqa: F811
    base, database, _roles = target
    with pytest.raises(ValidationError, match="only headquarters"):
        migrate_to_server(sel.ws, url_for(base, database), Paths(tmp_path / "w"), SecretStore())
    assert scalar(base, database, "SELECT count(*) FROM pg_tables WHERE schemaname='public'") == 0
