"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl in a temporary folder.

The server listens on a free loopback port (and a socket in the same folder) and trusts nobody
without a password except its own superuser over the socket. ``initdb`` refuses to run as root,
so as root the binaries run as an unprivileged account (``postgres`` or ``nobody``) that owns
the folder. Found through ``pg_config --bindir`` or /usr/lib/postgresql/*/bin; None when no
PostgreSQL is installed (the tests then skip, except under CI=true, where they fail).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.config import Paths

SUPERUSER = "qorgau_test_admin"


def find_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    candidates: list[Path] = []
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unprivileged_account() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root, and no 'postgres' or 'nobody' account to run initdb")


@dataclass
class Cluster:
    bindir: Path
    folder: Path
    port: int
    account: str | None

    @property
    def admin_url(self) -> str:
        # The superuser signs in over the socket (trust for the local socket only).
        return f"postgresql://{SUPERUSER}@/postgres?host={self.folder}&port={self.port}"

    def url(self, database: str, user: str | None = None, password: str | None = None) -> str:
        who = ""
        if user:
            who = user + (f":{password}" if password else "") + "@"
        return f"postgresql://{who}127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.account:
            command = [
                "setpriv",
                f"--reuid={self.account}",
                f"--regid={self.account}",
                "--clear-groups",
                "--",
                *command,
            ]
        subprocess.run(command, check=True, capture_output=True, cwd=self.folder)

    def start(self) -> None:
        data = self.folder / "data"
        self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            "-c shared_buffers=32MB"
        )
        self._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


OWNER_FILE = "owner.pid"


def _stop_orphans(bindir: Path) -> None:
    """Stop the clusters of test runs that were killed (their finally never ran): a server
    left running holds memory and a port until the machine restarts."""
    for folder in Path(tempfile.gettempdir()).glob("qorgau-pg-*"):
        try:
            owner = int((folder / OWNER_FILE).read_text())
            os.kill(owner, 0)
            continue  # its run goes on
        except ProcessLookupError:
            pass
        except (OSError, ValueError):
            continue  # not ours to judge (no owner written yet, or not readable)
        # The account start_cluster ran it as (a non-root run's own: no setpriv then).
        cluster = Cluster(bindir, folder, 0, _unprivileged_account())
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            shutil.rmtree(folder, ignore_errors=True)


def start_cluster() -> Cluster | None:
    bindir = find_bindir()
    if bindir is None:
        return None
    _stop_orphans(bindir)
    account = _unprivileged_account()
    folder = Path(tempfile.mkdtemp(prefix="qorgau-pg-"))
    (folder / OWNER_FILE).write_text(str(os.getpid()))
    if account:
        entry = pwd.getpwnam(account)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(bindir, folder, _free_port(), account)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


TEMPLATE_DB = "qorgau_template"
_copies = itertools.count(1)


def admin_execute(cluster: Cluster, *statements: str) -> None:
    """Run statements as the cluster's superuser, each on its own (CREATE DATABASE needs it)."""
    import psycopg

    with psycopg.connect(cluster.admin_url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def make_pg_template(
    cluster: Cluster, folder: Path, mission: Any, users: dict[str, str], password: str
) -> Paths:
    """The template installation on PostgreSQL: ``mission`` and its ``users`` (name → role).

    Each user is a PostgreSQL login role with ``password``, as at an HQ. The grants are the
    tests' stand-in for the HQ roles: every user may read and write every table.
    """
    from app.db.migrate import ensure_schema
    from app.db.models import User
    from app.db.postgres import ServerConfig, ServerDatabase
    from app.security.private_files import make_private_dir
    from app.services.installation import _create_mission

    admin_execute(
        cluster,
        *(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'" for name in users),
        f"CREATE DATABASE {TEMPLATE_DB} OWNER admin",
    )
    make_private_dir(folder)
    config = ServerConfig("127.0.0.1", cluster.port, TEMPLATE_DB, sslmode="disable")
    db = ServerDatabase(config, "admin", password, folder)
    try:
        ensure_schema(db, backup_dir=None)
        _create_mission(db, mission, "admin")
        with db.write() as session:
            session.info["mission_code"] = mission.code
            for name, role in users.items():
                if name != "admin":
                    session.add(User(username=name, role=role, full_name=""))
            others = ", ".join(name for name in users if name != "admin")
            session.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {others}"))
            session.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {others}"))
    finally:
        db.dispose()
    config.save(folder)
    return Paths(folder)


def pg_copy(cluster: Cluster, template: Paths, target: Path) -> Paths:
    """A test's own installation: a database copied from the template, a data folder for it."""
    from app.db.postgres import ServerConfig

    name = f"qorgau_test_{os.getpid()}_{next(_copies)}"
    admin_execute(cluster, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB} OWNER admin")
    shutil.copytree(template.data_dir, target)
    config = ServerConfig.load(template.data_dir)
    assert config is not None
    replace(config, database=name).save(target)
    return Paths(target)


def server_installation(
    cluster: Cluster, folder: Path, setup: Any, users: dict[str, str], password: str
) -> Paths:
    """A new HQ on the cluster through ``init_server_installation``, signed in as ``admin``
    (a role the template made); ``users`` (name → role) get an app row and the test grants."""
    from app.db.models import User
    from app.db.postgres import ServerConfig
    from app.services.installation import init_server_installation, unlock

    name = f"qorgau_hq_{os.getpid()}_{next(_copies)}"
    admin_execute(cluster, f"CREATE DATABASE {name} OWNER admin")
    config = ServerConfig("127.0.0.1", cluster.port, name, sslmode="disable")
    paths = Paths(folder)
    init_server_installation(paths, config, setup, "admin", password)
    if users:
        ws = unlock(paths, "admin", password)
        try:
            with ws.write() as session:
                for user, role in users.items():
                    session.add(User(username=user, role=role, full_name=""))
                names = ", ".join(users)
                session.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {names}"))
                session.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {names}"))
        finally:
            ws.close()
    return paths
