"""An HQ on PostgreSQL: init against a server, signing in as one's own account, and the
attacks where the engine differs (a wrong password, a role that may not write, a password in
the address, a mission on a server, two imports of one mission, two writers numbering)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from app.config import Paths
from app.db.engine import Interrupted
from app.db.models import AuditEntry, Case, Mission
from app.db.postgres import ServerConfig, parse_server_url, server_error
from app.db.sync import next_counter
from app.errors import (
    AuthError,
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseError,
    PermissionDenied,
    StorageFailed,
    StorageFull,
    ValidationError,
)
from app.services.cases import CaseService
from app.services.installation import (
    MissionSetup,
    check_server,
    init_server_installation,
    unlock,
)
from app.services.search import search_case_ids
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.conftest import PASSWORD, OpenWs
from tests.integration.cli_helpers import run_cli
from tests.pg_cluster import Cluster, admin_execute

HQ = MissionSetup(code="HQ", country="KZ", city="Astana", is_hq=True)


@pytest.fixture
def empty_server_db(pg_cluster: Cluster, request: pytest.FixtureRequest) -> ServerConfig:
    """An empty database owned by a new PostgreSQL account ``boss`` (the HQ administrator)."""
    name = f"hq_{request.node.name.lower().replace('[', '_').replace(']', '')}"[:60]
    admin_execute(
        pg_cluster,
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'boss') THEN "
        f"CREATE ROLE boss LOGIN PASSWORD '{PASSWORD}'; END IF; END $$",
        f"CREATE DATABASE {name} OWNER boss",
    )
    return ServerConfig("127.0.0.1", pg_cluster.port, name, sslmode="disable")


def test_init_hq_on_server_from_the_cli(
    empty_server_db: ServerConfig,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    data = tmp_path / "hq"
    url = f"postgresql://127.0.0.1:{empty_server_db.port}/{empty_server_db.database}"
    run = run_cli(
        capsys,
        *("--data-dir", str(data), "init", "--hq", "--mission-code", "HQ", "--country", "KZ"),
        *("--city", "Astana", "--admin", "boss", "--database", url, "--sslmode", "disable"),
    )
    assert run.code == 0, run.err
    # The data folder keeps where the server is (and the sign-in attempts), no password.
    files = {p.name for p in data.iterdir() if p.is_file()}
    assert "server.json" in files and not {f for f in files if "login_attempts" not in f} - {
        "server.json"
    }
    stored = json.loads((data / "server.json").read_text(encoding="utf-8"))
    assert stored["database"] == empty_server_db.database and stored["sslmode"] == "disable"
    assert PASSWORD not in (data / "server.json").read_text(encoding="utf-8")
    ws = unlock(Paths(data), "boss", PASSWORD)
    try:
        assert ws.db.dialect == "postgresql" and ws.mission.is_hq and ws.actor.role == "admin"
    finally:
        ws.close()


def test_a_mission_cannot_use_a_database_server(
    empty_server_db: ServerConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli(
        capsys,
        *("--data-dir", str(tmp_path / "m"), "init", "--mission-code", "SEL", "--country", "KR"),
        *("--city", "Seoul", "--admin", "boss", "--database", "postgresql://127.0.0.1/x"),
    )
    assert run.code != 0 and "Only headquarters" in run.err
    with pytest.raises(ValidationError, match="Only headquarters"):
        mission = MissionSetup(code="SEL", country="KR", city="Seoul")
        init_server_installation(Paths(tmp_path / "m"), empty_server_db, mission, "boss", "x")
    assert not (tmp_path / "m").exists()


def test_a_password_in_the_address_is_refused() -> None:
    with pytest.raises(ValidationError, match="Leave the user name and password out"):
        parse_server_url("postgresql://boss:secret@db.example/qorgau")
    config = parse_server_url(
        "postgresql://db.example/qorgau?sslmode=verify-full&sslrootcert=/etc/ca.pem"
    )
    assert (config.sslmode, config.sslrootcert, config.port) == ("verify-full", "/etc/ca.pem", 5432)
    with pytest.raises(ValidationError, match="Unknown sslmode"):
        parse_server_url("postgresql://db.example/qorgau", sslmode="sometimes")


@pytest.mark.parametrize(
    ("address", "said"),
    [
        (
            "postgresql://127.0.0.1:1/qorgau",
            "nothing answers on port 1 of 127.0.0.1: the database service is stopped, or it "
            "listens on another port. (connection failed:",
        ),
        (
            "postgresql://qorgau-db.invalid/qorgau",
            "this computer finds no server named qorgau-db.invalid: check the address for a "
            "typing error, and the network. (",
        ),
    ],
)
def test_a_server_that_cannot_be_reached_is_said_with_what_to_check(
    address: str, said: str, tmp_path: Path
) -> None:
    """The wizard's "Test the connection" said only libpq's English ("connection failed:
    connection to server at …: Connection refused"): what to check comes first now, in the
    reader's language, libpq's words after it."""
    with pytest.raises(DatabaseError) as refused:
        check_server(parse_server_url(address), "boss", PASSWORD, tmp_path)
    server = address.rsplit("/", 1)[0].replace("qorgau-db.invalid", "qorgau-db.invalid:5432")
    assert str(refused.value).startswith(f"The database server {server}/qorgau cannot be reached: ")
    assert said in str(refused.value)


def test_wrong_password_is_refused_clearly_and_changes_nothing(
    empty_server_db: ServerConfig, tmp_path: Path
) -> None:
    paths = Paths(tmp_path / "hq")
    with pytest.raises(AuthError, match="Wrong user name or password"):
        init_server_installation(paths, empty_server_db, HQ, "boss", "not the password")
    assert not paths.data_dir.exists()
    init_server_installation(paths, empty_server_db, HQ, "boss", PASSWORD)
    with pytest.raises(AuthError, match="Wrong user name or password"):
        unlock(paths, "boss", "not the password")
    ws = unlock(paths, "boss", PASSWORD)
    try:
        with ws.read() as session:
            # One init (with the agreements library it puts there) and one sign-in; the
            # refused try wrote nothing to the database.
            actions = session.execute(select(AuditEntry.action).order_by(AuditEntry.seq))
            assert [a for a in actions.scalars() if a != "user.login_failed"] == [
                "installation.init",
                "agreements.sync",
                "user.login",
            ]
    finally:
        ws.close()


@pytest.mark.both_engines
def test_hq_analyst_cannot_write_cases(engine: str, open_ws: OpenWs) -> None:
    analyst = open_ws("astana")  # role "hq": reads and reports, changes no case
    with pytest.raises(PermissionDenied):
        CaseService(analyst).create_case(new_case())
    with analyst.read() as session:
        assert session.execute(select(func.count()).select_from(Case)).scalar_one() == 0


@pytest.mark.both_engines
def test_two_writers_number_without_gaps(engine: str, open_ws: OpenWs) -> None:
    """Two connections numbering at once get distinct, consecutive numbers (row lock on PG)."""
    workers = [open_ws("aigul"), open_ws("serik")]
    got: list[int] = []
    errors: list[BaseException] = []

    def number(ws: Workspace) -> None:
        try:
            for _ in range(10):
                with ws.write() as session:
                    got.append(next_counter(session, "test:race"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=number, args=(ws,)) for ws in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(got) == list(range(1, 21))


@pytest.mark.both_engines
def test_import_lock_serialises_one_mission_only(engine: str, open_ws: OpenWs) -> None:
    """While one import of SEL's bundles holds its lock, another of SEL's waits; KR's does not."""
    first, second = open_ws("admin"), open_ws("astana")
    if engine == "sqlite":
        pytest.skip("SQLCipher's write lock serialises every write; nothing to see per mission")
    order: list[str] = []
    with first.write() as session:
        first.db.lock_for_import(session, "SEL")

        def other(code: str) -> None:
            with second.write() as other_session:
                second.db.lock_for_import(other_session, code)
                order.append(code)

        waiting = threading.Thread(target=other, args=("SEL",))
        waiting.start()
        other("ALA")  # another mission's import goes ahead at once
        waiting.join(timeout=0.5)
        assert waiting.is_alive() and order == ["ALA"]
        order.append("first done")
    waiting.join()
    assert order == ["ALA", "first done", "SEL"]


@pytest.mark.both_engines
def test_search_finds_cyrillic_by_latin_spelling(engine: str, open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case = CaseService(ws).create_case(new_case())
    with ws.read() as session:
        for typed in ("Kurmangalikyzy", "құрман", "Курман", "Асел", "Assel"):
            assert [m.case_id for m in search_case_ids(session, typed)] == [case.id], typed
        assert search_case_ids(session, "Nurlan") == []
        # Syntax of either engine's search is plain text here.
        assert search_case_ids(session, "'\"):*|&!") == []


def test_server_hq_keeps_its_mission_row(open_server_hq: Workspace) -> None:
    with open_server_hq.read() as session:
        mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
        assert mission.is_hq
        assert session.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
        # Asked for at connection: statistics sort a year of day counts in memory, not on disk.
        assert session.execute(text("SHOW work_mem")).scalar() == "16MB"


@pytest.fixture
def open_server_hq(empty_server_db: ServerConfig, tmp_path: Path) -> Workspace:
    paths = Paths(tmp_path / "hq")
    init_server_installation(paths, empty_server_db, HQ, "boss", PASSWORD)
    ws = unlock(paths, "boss", PASSWORD)
    yield ws  # type: ignore[misc]
    ws.close()


@pytest.mark.parametrize(
    ("state", "kind"),
    [
        ("55P03", DatabaseBusy),  # lock_timeout
        ("40P01", DatabaseBusy),  # deadlock
        ("40001", DatabaseBusy),  # serialization failure
        ("53100", StorageFull),
        ("58030", StorageFailed),
        ("XX001", DatabaseDamaged),
        ("57014", Interrupted),
    ],
)
def test_server_failures_become_the_same_errors_as_on_a_laptop(
    state: str, kind: type[Exception]
) -> None:
    error = psycopg.errors.lookup(state)("from the server")
    wrapped = OperationalError("UPDATE …", {}, error)
    assert type(server_error(wrapped)) is kind
    assert (
        server_error(OperationalError("SELECT …", {}, psycopg.errors.lookup("42P01")("x"))) is None
    )
    assert type(server_error(psycopg.OperationalError("connection lost"))) is StorageFailed


@pytest.mark.both_engines
def test_a_record_locked_too_long_is_busy_and_changes_nothing(engine: str, open_ws: OpenWs) -> None:
    if engine == "sqlite":
        pytest.skip("tests/unit/test_db_errors.py covers SQLite's busy timeout")
    holder, waiter = open_ws("aigul"), open_ws("serik")
    case = CaseService(holder).create_case(new_case())
    with holder.write() as session:
        session.execute(select(Case).where(Case.id == case.id).with_for_update()).one()
        with pytest.raises(DatabaseBusy, match="busy"), waiter.write() as other:
            other.execute(text("SET LOCAL lock_timeout = 200"))
            other.execute(
                text('UPDATE "case" SET urgency = :u WHERE id = :id'), {"u": "low", "id": case.id}
            )
    assert CaseService(waiter).get_case(case.id).urgency == "high"


@pytest.mark.both_engines
def test_a_read_nobody_waits_for_is_cancelled(engine: str, open_ws: OpenWs) -> None:
    if engine == "sqlite":
        pytest.skip("tests/unit/test_db_errors.py covers sqlite3_interrupt")
    ws = open_ws("astana")
    outcome: list[BaseException] = []
    started = threading.Event()

    def long_read() -> None:
        try:
            with ws.read() as session:
                session.execute(text("SELECT 1"))
                started.set()
                session.execute(text("SELECT pg_sleep(30)"))
        except BaseException as exc:  # noqa: BLE001 - inspected below
            outcome.append(exc)

    reader = threading.Thread(target=long_read)
    reader.start()
    assert started.wait(10)
    time.sleep(0.2)  # the sleep is running on the server
    assert reader.ident is not None
    ws.db.interrupt(reader.ident)
    reader.join(10)
    assert not reader.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Interrupted)
