"""returnee add | list | export | withdraw: the returnees' skills register (issue 24)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import (
    add_actions,
    add_json_input,
    day_argument,
    json_help,
    print_json,
    print_table,
    read_json_argument,
    warn,
    workspace,
)
from app.domain import occupations as isco
from app.i18n import _, country_name, current_language, format_date, ngettext
from app.services.returnee_json import returnee_from_json
from app.services.returnees import (
    ReturneeFilter,
    ReturneeRow,
    ReturneeService,
    minor_consent_warning,
)


def register(commands: Any) -> None:
    actions = add_actions(
        commands.add_parser(
            "returnee", help=_("the returnees' register (with the worker's consent)")
        )
    )
    add = actions.add_parser("add", help=_("add a returnee's record from JSON; prints its id"))
    add_json_input(add, _("the record as a JSON file (- for standard input)"))
    add.set_defaults(handler=cmd_add)
    listing = actions.add_parser("list", help=_("list the register"))
    _add_filter_flags(listing)
    listing.add_argument("--json", action="store_true", help=json_help())
    listing.set_defaults(handler=cmd_list)
    export = actions.add_parser(
        "export", help=_("write the register for the employment service (consented fields only)")
    )
    export.add_argument("--out", required=True, type=Path, help=_("FILE.csv or FILE.xlsx"))
    _add_filter_flags(export)  # the register's part the list shows, for the employment service
    export.set_defaults(handler=cmd_export)
    withdraw = actions.add_parser(
        "withdraw",
        help=_("the worker withdrew their consent: the record leaves the register"),
    )
    withdraw.add_argument("record_id", metavar="ID", help=_("the record's id (see 'list --json')"))
    withdraw.set_defaults(handler=cmd_withdraw)


def _add_filter_flags(parser: argparse.ArgumentParser) -> None:
    """The filters 'list' and 'export' share, under the same names."""
    parser.add_argument(
        "--occupation", default="", help=_("ISCO-08 code: unit group (7212) or major group (7)")
    )
    parser.add_argument("--region", default="", help=_("ISO 3166-2:KZ code, e.g. KZ-71"))
    parser.add_argument("--skill", default="", help=_("text in the certificates or note"))
    parser.add_argument("--language", default="", help=_("ISO 639-1 code, e.g. ko"))
    # What a figure of 'qorgau stats' counts, so that its records can be listed.
    parser.add_argument(
        "--returned-from", type=day_argument, metavar="DATE", help=_("returned on or after")
    )
    parser.add_argument(
        "--returned-to", type=day_argument, metavar="DATE", help=_("returned on or before")
    )
    parser.add_argument(
        "--undated", action="store_true", help=_("only the records with no day of return")
    )
    parser.add_argument("--work-country", default="", help=_("ISO 3166 code, e.g. KR"))
    parser.add_argument("--mission", default="", help=_("HQ: the mission's code"))
    parser.add_argument(
        "--wants-referral",
        action="store_true",
        help=_("only those who want a referral to an employment centre"),
    )


def cmd_add(args: argparse.Namespace) -> int:
    data = returnee_from_json(read_json_argument(args.json_file))
    with workspace(args) as ws:
        row = ReturneeService(ws).add(data)
    print(row.id)
    warn(minor_consent_warning(row.full_name, row.birth_date, row.consent_date))
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    """As the window's "Consent withdrawn…": through the service, which audits it."""
    with workspace(args) as ws:
        service = ReturneeService(ws)
        service.withdraw_consent(args.record_id)
        name = service.get(args.record_id).full_name
    print(_("Consent withdrawn: {name} left the returnees' register.").format(name=name))
    return 0


def row_json(row: ReturneeRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "version": row.version,
        "case_number": row.case_number or None,
        "name": row.full_name,
        "occupation": row.occupation,
        "years_abroad": row.years_abroad,
        "certificates": list(row.certificates),
        "languages": list(row.languages),
        "work_country": row.work_country,
        "region": row.region,
        "wants_referral": row.wants_referral,
        "consent_reference": row.consent_reference,
        "consent_date": row.consent_date,
        "returned_on": row.returned_on,
        "origin_mission": row.origin_mission,
    }


def _filter_of(args: argparse.Namespace) -> ReturneeFilter:
    return ReturneeFilter(
        occupation=args.occupation,
        region=args.region,
        skill=args.skill,
        language=args.language,
        returned_from=args.returned_from,
        returned_to=args.returned_to,
        undated=args.undated,
        work_country=args.work_country,
        mission=args.mission,
        wants_referral=args.wants_referral,
    )


def cmd_list(args: argparse.Namespace) -> int:
    flt = _filter_of(args)
    with workspace(args) as ws:
        service = ReturneeService(ws)
        total = service.count(flt)
        rows = service.list(flt, limit=max(total, 1))
    if args.json:
        print_json({"total": total, "returnees": [row_json(r) for r in rows]})
        return 0
    lang = current_language()
    print_table(
        [
            _("Full name"),
            _("Occupation"),
            _("Region of return"),
            _("Country of work"),
            _("Returned on"),
        ],
        [
            [
                r.full_name,
                f"{r.occupation} {isco.occupation_title(r.occupation, lang)}",
                isco.region_title(r.region, lang),
                country_name(r.work_country, lang) if r.work_country else "—",
                format_date(r.returned_on) if r.returned_on else "—",
            ]
            for r in rows
        ],
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        count = ReturneeService(ws).export(args.out, _filter_of(args), current_language())
    print(
        ngettext("Wrote {path} ({n} record).", "Wrote {path} ({n} records).", count).format(
            path=args.out, n=count
        )
    )
    return 0
