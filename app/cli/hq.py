"""hq …: headquarters on a PostgreSQL server, and its views across missions.

setup-database, add-user and grants speak to the server as a database administrator (the
address carries that account); the other commands sign in to the installation as usual.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.cli.common import (
    add_actions,
    json_help,
    new_password,
    paths_of,
    print_json,
    print_listing,
    print_table,
    with_server_password,
    workspace,
)
from app.config import Paths
from app.domain.labels import case_status, urgency
from app.domain.labels import role as role_label
from app.i18n import (
    _,
    country_name,
    current_language,
    format_date,
    format_datetime,
    format_number,
    ngettext,
)

NEW_PASSWORD_ENV = "QORGAU_NEW_PASSWORD"


def register(commands: Any) -> None:
    actions = add_actions(
        commands.add_parser("hq", help=_("headquarters: database server, views across missions"))
    )

    setup = actions.add_parser(
        "setup-database", help=_("create HQ's database and its roles on a PostgreSQL server")
    )
    setup.add_argument(
        "--server",
        required=True,
        metavar="URL",
        help=_("an administrator's connection, e.g. postgresql://postgres@db.example/postgres"),
    )
    setup.add_argument("--database", required=True, help=_("name of the new database"))
    setup.add_argument("--json", action="store_true", help=json_help())
    setup.set_defaults(handler=cmd_setup_database)

    user = actions.add_parser(
        "add-user", help=_("add an HQ user: a server account in its role group and a Qorgau user")
    )
    user.add_argument("username")
    user.add_argument(
        "--role",
        required=True,
        choices=("analyst", "importer", "admin"),
        help=_("the user's role at headquarters"),
    )
    user.add_argument(
        "--database",
        required=True,
        metavar="URL",
        help=_("HQ's database, as an HQ administrator: postgresql://you@server/qorgau_hq"),
    )
    user.add_argument("--full-name", default="", help=_("the user's full name, as letters sign it"))
    user.set_defaults(handler=cmd_add_user)

    grants = actions.add_parser(
        "grants", help=_("grant each role its tables again (after an upgrade)")
    )
    grants.add_argument(
        "--database",
        required=True,
        metavar="URL",
        help=_("headquarters' database on the server (postgresql://…)"),
    )
    grants.set_defaults(handler=cmd_grants)

    secrets = actions.add_parser(
        "keep-keys-here",
        help=_("move HQ's private keys from the shared database to this computer"),
    )
    secrets.set_defaults(handler=cmd_keep_keys)

    migrate = actions.add_parser(
        "migrate", help=_("copy this HQ installation into an empty PostgreSQL database")
    )
    migrate.add_argument("--to", required=True, metavar="URL", help=_("the target database"))
    migrate.add_argument(
        "--workstation",
        metavar="DIR",
        help=_(
            "new data folder on this computer for the HQ on the server"
            " (by default beside this one, its name ending in -server)"
        ),
    )
    migrate.add_argument("--json", action="store_true", help=json_help())
    migrate.set_defaults(handler=cmd_migrate)

    missions = actions.add_parser("missions", help=_("each mission's last bundle and cases"))
    missions.add_argument("--json", action="store_true", help=json_help())
    missions.set_defaults(handler=cmd_missions)

    overdue = actions.add_parser(
        "overdue",
        help=_(
            "open cases past their due date, all missions: the most urgent first, then the"
            " longest overdue"
        ),
    )
    overdue.add_argument("--mission", metavar="CODE", help=_("one mission's cases"))
    overdue.add_argument("--json", action="store_true", help=json_help())
    overdue.set_defaults(handler=cmd_overdue)

    repeats = actions.add_parser(
        "repeats", help=_("the same person or employer in cases of several missions")
    )
    repeats.add_argument("--json", action="store_true", help=json_help())
    repeats.set_defaults(handler=cmd_repeats)


def cmd_setup_database(args: argparse.Namespace) -> int:
    from app.services.hq_database import setup_database

    done = setup_database(with_server_password(args.server), args.database)
    if args.json:
        print_json(done)
        return 0
    print(
        _("Database {name} created on PostgreSQL {version}, with the roles {roles}.").format(
            name=done.database, version=done.server_version, roles=", ".join(done.groups)
        )
    )
    admin_address, init_address = next_addresses(args.server, done.database)
    # Both steps, in order: following "Next: qorgau init" alone, init met a server with no
    # account for its administrator and said only "Wrong user name or password".
    print(
        _(
            "Next, add the first HQ administrator's server account (NAME: their user name):\n"
            "  qorgau hq add-user NAME --role admin --database {address}"
        ).format(address=admin_address)
    )
    print(
        _(
            "Then, on the import workstation:\n"
            "  qorgau init --hq --mission-code HQ --country KZ --city Astana --admin NAME "
            "--database {address}"
        ).format(address=init_address)
    )
    return 0


def next_addresses(server: str, database: str) -> tuple[str, str]:
    """The new database's addresses for the steps after ``setup-database``: as the
    administrator who ran it (their account, no password), and for ``init`` (no account; the
    server's host, or SERVER where the administrator came in over a local socket)."""
    from sqlalchemy.engine import make_url

    # ``set(password=None)`` leaves a password as it was: the tuple's own replace drops it.
    parsed = make_url(server).set(database=database)._replace(password=None)
    admin = parsed.render_as_string(hide_password=False)
    host = parsed.host or "SERVER"
    port = f":{parsed.port}" if parsed.port else ""
    return admin, f"postgresql://{host}{port}/{database}"


def cmd_add_user(args: argparse.Namespace) -> int:
    from app.services.hq_database import add_user

    database = with_server_password(args.database)
    password = new_password(_("Password for {name}").format(name=args.username), NEW_PASSWORD_ENV)
    added = add_user(database, args.username, args.role, password, args.full_name)
    print(
        _("User {name} added: server role in {group}, Qorgau role {role}.").format(
            name=added.username, group=added.group, role=role_label(added.role)
        )
    )
    return 0


def cmd_grants(args: argparse.Namespace) -> int:
    from app.services.hq_database import grant_all

    tables = grant_all(with_server_password(args.database))
    print(
        ngettext("Grants applied to {n} table.", "Grants applied to {n} tables.", tables).format(
            n=tables
        )
    )
    return 0


def cmd_keep_keys(args: argparse.Namespace) -> int:
    from app.security.hq_secrets import place_message
    from app.security.keyring_store import SecretStore
    from app.services.keys import move_secrets_off_server

    with workspace(args) as ws:
        place = move_secrets_off_server(ws, SecretStore())
        folder = ws.paths.data_dir
    if place is None:
        print(_("The shared database holds no private keys of HQ."))
    else:
        print(place_message(place, folder))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.security.hq_secrets import place_message
    from app.security.keyring_store import SecretStore
    from app.services.hq_migrate import migrate_to_server

    here = paths_of(args).data_dir
    folder = Path(args.workstation).expanduser() if args.workstation else default_workstation(here)
    target = Paths(folder.resolve())
    if target.data_dir == here:
        from app.errors import UsageError

        raise UsageError(_("The new data folder must differ from this installation's."))

    def progress(table: str, rows: int) -> None:
        if rows and not args.json:
            print(_("{table}: {n} rows").format(table=table, n=format_number(rows)), flush=True)

    with workspace(args) as ws:
        report = migrate_to_server(ws, args.to, target, SecretStore(), progress)
    if args.json:
        print_json(report)
        return 0
    print_table(
        [_("Table"), _("Here"), _("On the server")],
        [[c.table, str(c.source), str(c.target)] for c in report.tables],
    )
    print(
        _("All counts agree. HQ now lives on {server}; sign in with --data-dir {folder}.").format(
            server=report.target, folder=str(report.workstation)
        )
    )
    if report.secrets is not None:
        print(place_message(report.secrets, report.workstation))
    return 0


def default_workstation(data_dir: Path) -> Path:
    """Where ``hq migrate`` puts the new data folder when not told: DESIGN.md's line has no
    ``--workstation``, and a folder beside the file installation is where its operator looks."""
    return data_dir.with_name(f"{data_dir.name}-server")


def _when(value: datetime | None) -> str:
    """In the language's format and this computer's time, as the window and ``bundle log``
    say it: in UTC's ISO form the same import read five hours apart in Astana."""
    return format_datetime(value.astimezone()) if value else "—"


def cmd_missions(args: argparse.Namespace) -> int:
    from app.services.consolidation import ConsolidationService

    with workspace(args) as ws:
        rows = ConsolidationService(ws).missions()
    now = datetime.now(UTC)
    return print_listing(
        args,
        rows,
        [
            _("Mission"),
            _("Country"),
            _("City"),
            _("Last bundle made"),
            _("Days since made"),  # the window's heading: "Күн" alone read as "Day"
            _("Cases"),
            _("Open"),
            _("Overdue"),
        ],
        lambda m: [
            m.code,
            country_name(m.country),  # as the window names them; --json keeps the codes
            m.city_in(current_language()),
            _when(m.last_bundle_at),
            str(m.days_silent(now)) if m.last_bundle_at else "—",
            str(m.cases),
            str(m.open_cases),
            str(m.overdue_cases),
        ],
    )


def cmd_overdue(args: argparse.Namespace) -> int:
    from app.services.consolidation import ConsolidationService

    with workspace(args) as ws:
        # Every one, as the window's list and its export hold them: at 5,000 (the longest
        # overdue) a critical case overdue a day was left off.
        rows = ConsolidationService(ws).overdue(mission=args.mission, limit=None)
    return print_listing(
        args,
        rows,
        [_("Case"), _("Mission"), _("Status"), _("Urgency"), _("Due"), _("Days overdue")],
        lambda c: [
            c.number,
            c.mission,
            case_status(c.status),
            urgency(c.urgency),  # as the window shows it: a critical case stands out
            format_date(c.due_date),
            str(c.days_overdue),
        ],
    )


def cmd_repeats(args: argparse.Namespace) -> int:
    from app.services.consolidation import ConsolidationService

    with workspace(args) as ws:
        rows = ConsolidationService(ws).repeats()
    kinds = {"person": _("Person (IIN)"), "employer": _("Employer")}
    status = print_listing(
        args,
        rows,
        [_("Who"), _("Person or employer"), _("Missions"), _("Cases"), _("Case numbers")],
        lambda r: [
            kinds[r.kind],
            r.who(),
            ", ".join(r.missions),
            str(r.cases),
            r.numbers_listed(),
        ],
    )
    if rows and not args.json:
        # The window says it on the Missions column: a transferred case is in two missions'
        # records, and the table would otherwise read as repeats at both.
        print(_("A case counts at the mission that opened it, also after a transfer."))
    return status
