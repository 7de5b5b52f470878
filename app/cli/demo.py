"""qorgau demo."""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from app.cli.common import PASSWORD_ENV, USER_ENV, paths_of
from app.domain import labels
from app.errors import UsageError
from app.i18n import _, format_number
from app.services.demo import DEMO_MISSIONS, run_demo


def register(commands: Any) -> None:
    demo = commands.add_parser("demo", help=_("create (if needed) and fill a demo mission"))
    demo.add_argument("--cases", type=int, default=300, help=_("number of cases to add"))
    demo.add_argument("--seed", type=int, default=1, help=_("random seed"))
    demo.add_argument(
        "--if-empty", action="store_true", help=_("add cases only when the mission has none yet")
    )
    demo.add_argument(
        "--mission",
        choices=sorted(DEMO_MISSIONS),
        help=_("which demo mission to make in an empty folder (default: SEL, Seoul)"),
    )
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    if args.cases < 0:
        raise UsageError(_("The number of cases cannot be negative."))
    started = time.perf_counter()
    result = run_demo(
        paths_of(args),
        args.cases,
        args.seed,
        username=os.environ.get(USER_ENV),
        password=os.environ.get(PASSWORD_ENV),
        only_if_empty=args.if_empty,
        mission=args.mission,
    )
    seconds = time.perf_counter() - started
    if result.created:
        print(_("Created the demo mission in {path}.").format(path=result.data_dir))
    print(
        # The seconds as the language writes a decimal (kk/ru: «2,5»), not Python's «2.5».
        _("Added {n} demo cases in {s} s.").format(
            n=format_number(result.cases_added), s=format_number(round(seconds, 1))
        )
    )
    if result.created:
        print(
            _("Users: {users}; password for all of them: {password}").format(
                users=", ".join(f"{name} ({labels.role(role)})" for name, role in result.users),
                password=result.password,
            )
        )
    return 0
