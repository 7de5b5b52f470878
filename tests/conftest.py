"""Shared fixtures: an isolated environment for every test and fast encrypted databases.

Each test gets a copy of a template installation made once per session, with a cheap Argon2id
profile (QORGAU_KDF_PROFILE=test; never the product's default), its own keyring (a file-backed
test double that processes the test starts see too, see tests/keyring_double.py) and its own
data folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keyring
import pytest
from hypothesis import settings
from sqlalchemy import func, select

# Property and fuzz tests draw the same examples on every run (from each test's name), so a
# run of the suite passes or fails for the code, not for the draw: a fuzz test that finds a
# fault once in six runs found it here, and made it a plain regression test. Exploring with
# fresh draws is by hand: HYPOTHESIS_EXPLORE=1.
settings.register_profile("suite", derandomize=True, database=None)
settings.register_profile("explore", database=None)
settings.load_profile("explore" if os.environ.get("HYPOTHESIS_EXPLORE") else "suite")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QORGAU_KDF_PROFILE"] = "test"

from app.config import Paths  # noqa: E402
from app.i18n import set_language  # noqa: E402
from app.services.installation import MissionSetup, init_installation, unlock  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402
from tests.keyring_double import FILE_BACKEND, FILE_ENV, FileKeyring  # noqa: E402
from tests.pg_cluster import Cluster, make_pg_template, pg_copy, start_cluster  # noqa: E402

if TYPE_CHECKING:
    from tests.hq.pg import DocumentedTemplate

ROOT = Path(__file__).resolve().parent.parent

PASSWORD = "correct horse"
USERS = {"admin": "admin", "aigul": "attache", "serik": "consul", "astana": "hq"}
MISSION = MissionSetup(
    code="SEL",
    country="KR",
    city="Seoul",
    name_kk="Қазақстан Республикасының Корея Республикасындағы Елшілігі",
    name_ru="Посольство Республики Казахстан в Республике Корея",
    name_en="Embassy of the Republic of Kazakhstan in the Republic of Korea",
    phone="+82 2 000 0000",
)
MISSION_NAME = {"kk": MISSION.name_kk, "ru": MISSION.name_ru, "en": MISSION.name_en}


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("QORGAU_DATA_DIR", str(tmp_path / "data-dir-from-env"))
    monkeypatch.setenv("QORGAU_LOG_DIR", str(tmp_path / "logs"))
    for name in ("QORGAU_USER", "QORGAU_PASSWORD", "QORGAU_NEW_PASSWORD", "QORGAU_LANG"):
        monkeypatch.delenv(name, raising=False)
    # The keyring: one file per test, also chosen by any process the test starts (so a
    # fresh-process read-back sees what this process stored).
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", FILE_BACKEND)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    set_language("en")
    yield
    set_language("en")
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def template_installation(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    paths = Paths(tmp_path_factory.mktemp("template") / "data")
    init_installation(paths, MISSION, "admin", PASSWORD)
    ws = unlock(paths, "admin", PASSWORD)
    try:
        from app.db.models import User
        from app.security.keyslots import KeySlotStore
        from app.services.users import UserService

        users = UserService(ws)
        for username, role in USERS.items():
            if username == "admin":
                continue
            if role in users.roles_to_give():
                users.add(username, role, PASSWORD)
                continue
            # "astana" (role hq) stands in for HQ's reader at this mission; the service no
            # longer gives a mission an HQ role, so the account is made directly.
            with ws.write() as session:
                session.add(User(username=username, role=role, full_name=""))
                # Audited as the administrator's act, as an account Qorgau made would be.
                ws.audit(session, "user.add", "user", username, {"role": role})
            KeySlotStore(paths.keyslots).set_slot(username, PASSWORD, ws.db.key)
    finally:
        ws.close()
    return paths


# A site's installation (``tests.integration.test_exchange.make_site``: a mission or HQ with
# its own keys), made once a session per mission and copied: its migrations and keys cost a
# third of a second, and hundreds of tests make two or three sites each.
_SITE_TEMPLATES: dict[MissionSetup, Path] = {}
_SITES_GIVEN: set[tuple[str, MissionSetup]] = set()
_SITE_TEMPLATES_ROOT: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def site_templates(tmp_path_factory: pytest.TempPathFactory) -> None:
    _SITE_TEMPLATES_ROOT.append(tmp_path_factory.mktemp("site-templates"))


def install_site(paths: Paths, setup: MissionSetup) -> None:
    """``init_installation(paths, setup, "admin", PASSWORD)``, copied from the session's.

    A template serves once a test: a second site of the same mission within one test (a
    stranger HQ of the same code) is installed afresh, since its keys must differ."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
    if not _SITE_TEMPLATES_ROOT or not test or (test, setup) in _SITES_GIVEN:
        init_installation(paths, setup, "admin", PASSWORD)
        return
    _SITES_GIVEN.add((test, setup))
    if setup not in _SITE_TEMPLATES:
        template = Paths(_SITE_TEMPLATES_ROOT[0] / f"{len(_SITE_TEMPLATES)}-{setup.code}")
        init_installation(template, setup, "admin", PASSWORD)
        _SITE_TEMPLATES[setup] = template.data_dir
    shutil.copytree(_SITE_TEMPLATES[setup], paths.data_dir)


def demo_mission(
    template: Paths,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    cases: int,
    seed: int,
    today: date,
) -> Paths:
    """A copy of the template installation filled with ``cases`` demo cases (module fixtures)."""
    from app.services.demo import fill_demo

    paths = Paths(tmp_path_factory.mktemp(name) / "data")
    shutil.copytree(template.data_dir, paths.data_dir)
    ws = unlock(paths, "admin", PASSWORD)
    try:
        fill_demo(ws, cases, seed=seed, today=today)
    finally:
        ws.close()
    return paths


def demo_paths_fixture(name: str, cases: int, seed: int, today: date) -> Any:
    """A module's ``demo_paths`` fixture: ``demo_mission`` built once for the module."""

    @pytest.fixture(scope="module", name="demo_paths")
    def _demo_paths(
        template_installation: Paths, tmp_path_factory: pytest.TempPathFactory
    ) -> Paths:
        return demo_mission(template_installation, tmp_path_factory, name, cases, seed, today)

    return _demo_paths


def consul_demo_fixtures(name: str, cases: int) -> tuple[Any, Any]:
    """A module's ``demo_paths`` (the ``demo`` command's own mission, its officers and their
    demo password, built once for the module) and ``demo_ws`` (signed in as the consul)."""
    from app.services.demo import DEMO_PASSWORD, run_demo

    @pytest.fixture(scope="module", name="demo_paths")
    def _demo_paths(tmp_path_factory: pytest.TempPathFactory) -> Paths:
        paths = Paths(tmp_path_factory.mktemp(name) / "data")
        run_demo(paths, cases, seed=1)
        return paths

    @pytest.fixture(name="demo_ws")
    def _demo_ws(demo_paths: Paths) -> Iterator[Workspace]:
        workspace = unlock(demo_paths, "consul", DEMO_PASSWORD)
        yield workspace
        workspace.close()

    return _demo_paths, _demo_ws


# -- the two engines ------------------------------------------------------------------------
# A test module or function marked ``both_engines`` runs once on SQLCipher and once on
# PostgreSQL (a throwaway cluster, tests/pg_cluster.py): its ``installation`` (and so ``ws`` and
# ``open_ws``) is then a copy of the template on that engine. Without PostgreSQL installed the
# PostgreSQL runs skip, except under CI=true, where they fail.
ENGINES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("both_engines")
        # A test of a module on both engines that needs what only SQLCipher has (key slots).
        if marker is None or metafunc.definition.get_closest_marker("sqlcipher_only"):
            metafunc.parametrize("engine", ENGINES[:1], indirect=True)
            return
        # both_engines(slow=True): the PostgreSQL run is `slow` (CI runs it in its own step).
        server_marks = [pytest.mark.slow] if marker.kwargs.get("slow") else []
        metafunc.parametrize(
            "engine",
            [ENGINES[0], pytest.param(ENGINES[1], marks=server_marks)],
            indirect=True,
        )


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    if cluster is None:
        reason = "PostgreSQL is not installed (no initdb/pg_ctl); the PostgreSQL runs need it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " - CI must install it (.ci/run)")
        pytest.skip(reason)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """The template installation on PostgreSQL: the same mission and users as on SQLCipher."""
    folder = tmp_path_factory.mktemp("pg-template") / "data"
    return make_pg_template(pg_cluster, folder, MISSION, USERS, PASSWORD)


@pytest.fixture(scope="session")
def documented_hq_template(
    pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DocumentedTemplate]:
    """The HQ the server-account tests copy (``documented_hq``, tests/hq/pg.py)."""
    from tests.hq.pg import drop_database, make_documented_template

    template = make_documented_template(pg_cluster, tmp_path_factory.mktemp("documented") / "hq")
    yield template
    drop_database(pg_cluster.admin_url, template.database, (template.administrator,))


@pytest.fixture
def installation(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Paths:
    target = tmp_path / "data"
    if engine == "postgresql":
        return pg_copy(
            request.getfixturevalue("pg_cluster"), request.getfixturevalue("pg_template"), target
        )
    template = request.getfixturevalue("template_installation")
    shutil.copytree(template.data_dir, target)
    return Paths(target)


OpenWs = Callable[[str], Workspace]
"""The ``open_ws`` fixture: a user name → that user's open workspace."""


@pytest.fixture
def open_ws(installation: Paths) -> Iterator[OpenWs]:
    opened: list[Workspace] = []

    def _open(username: str = "admin") -> Workspace:
        ws = unlock(installation, username, PASSWORD)
        opened.append(ws)
        return ws

    yield _open
    for ws in opened:
        ws.close()


@pytest.fixture
def ws(open_ws: OpenWs) -> Workspace:
    return open_ws("admin")


def date_trusted(ws: Workspace, day: date) -> None:
    """Retention's date guard told that ``day`` is a date a run already trusted: a test that
    moves today years on (``today=``) stands for the years of use between, not a clock set
    ahead, whoever runs it (a consul, HQ's import operator, who may not confirm a date)."""
    from app.db.models import Setting
    from app.services.retention import TRUSTED_ON

    with ws.write() as session:
        session.merge(Setting(key=TRUSTED_ON, value=day.isoformat()))


def count(ws: Workspace, model: type) -> int:
    """How many rows of ``model`` there are, as ``ws`` reads them."""
    with ws.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes under ``folder``: to prove a failed command changed nothing."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# The suite's verdict is pytest's exit status. The crash seen three times after every test had
# passed ("Fatal Python error: none_dealloc" at interpreter exit) was PySide6 6.12 taking a
# reference from None with each Qt call on Python 3.11 (pyproject.toml now keeps it below 6.12;
# tests/ui/test_qt_refcount.py). Should another C extension's fault surface only in teardown,
# leave with the status pytest decided once its report is written (QORGAU_TEST_FINALISE=1 keeps
# the normal teardown, to hunt it); a crash during a test still fails the run.
_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if _EXIT_STATUS and os.environ.get("QORGAU_TEST_FINALISE") != "1":
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[-1])
