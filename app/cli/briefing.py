"""briefing render | briefing contacts: country briefing sheets for departing workers."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import (
    add_actions,
    json_help,
    pdf_out_argument,
    print_json,
    warn,
    workspace,
)
from app.i18n import LANGUAGES, _
from app.services.briefing import mission_contacts, set_mission_contacts, write_briefing


def register(commands: Any) -> None:
    actions = add_actions(
        commands.add_parser("briefing", help=_("country briefing sheets for workers going abroad"))
    )
    render = actions.add_parser("render", help=_("write the briefing sheet of a country as PDF"))
    render.add_argument("--country", required=True, help=_("ISO 3166 two-letter code, e.g. KR"))
    render.add_argument("--lang", required=True, choices=LANGUAGES, help=_("language of the sheet"))
    render.add_argument(
        "--out",
        required=True,
        type=pdf_out_argument,
        metavar="FILE.pdf",
        help=_("where to write the PDF"),
    )
    render.set_defaults(handler=cmd_render)
    contacts = actions.add_parser(
        "contacts", help=_("show or set the hotline and opening hours the sheet prints")
    )
    contacts.add_argument("--hotline", help=_("the mission's hotline number"))
    for lang in LANGUAGES:
        contacts.add_argument(
            f"--hours-{lang}",
            help=_("opening hours in {language}").format(language=lang),
        )
    contacts.add_argument("--json", action="store_true", help=json_help())
    contacts.set_defaults(handler=cmd_contacts)


def cmd_render(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        warning = write_briefing(ws, args.country, args.lang, args.out)
    print(_("Wrote {path}.").format(path=args.out))
    warn(warning)
    return 0


def cmd_contacts(args: argparse.Namespace) -> int:
    hours = {lang: getattr(args, f"hours_{lang}") for lang in LANGUAGES}
    with workspace(args) as ws:
        current = mission_contacts(ws)
        if args.hotline is not None or any(value is not None for value in hours.values()):
            merged = {
                lang: value if value is not None else current.hours.get(lang, "")
                for lang, value in hours.items()
            }
            hotline = args.hotline if args.hotline is not None else current.hotline
            current = set_mission_contacts(ws, hotline, merged)
    if args.json:
        print_json({"hotline": current.hotline, "hours": dict(current.hours)})
        return 0
    print(_("Hotline: {value}").format(value=current.hotline or "—"))
    for lang in LANGUAGES:
        print(
            _("Opening hours ({language}): {value}").format(
                language=lang, value=current.hours.get(lang) or "—"
            )
        )
    return 0
