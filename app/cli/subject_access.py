"""subject-access: everything held about one person, as JSON or PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import warn, workspace
from app.i18n import _, current_language
from app.services.subject_access import export_subject_access


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "subject-access", help=_("export everything held about one person")
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--iin", help=_("the person's IIN"))
    who.add_argument("--person-id", help=_("the person's record id"))
    parser.add_argument("--out", required=True, type=Path, help=_("FILE.json or FILE.pdf"))
    parser.set_defaults(handler=cmd_subject_access)


def cmd_subject_access(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        export = export_subject_access(
            ws, args.out, iin=args.iin, person_id=args.person_id, lang=current_language()
        )
    cases = sum(len(p["cases"]) for p in export.persons)
    print(
        _("Wrote {path}: {persons} person record(s), {cases} case(s).").format(
            path=args.out, persons=len(export.persons), cases=cases
        )
    )
    warn(export.warning)
    return 0
