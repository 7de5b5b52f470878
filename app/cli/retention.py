"""retention run | retention policy: the anonymisation of old closed cases."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import add_actions, json_help, print_json, print_table, workspace
from app.errors import QorgauError
from app.i18n import _, format_date, format_number, ngettext
from app.services.retention import (
    DateInDoubt,
    RetentionCandidate,
    retention_years,
    run_manually,
    set_retention_years,
)


def register(commands: Any) -> None:
    actions = add_actions(
        commands.add_parser(
            "retention", help=_("anonymise the personal data of cases closed long ago")
        )
    )
    run = actions.add_parser("run", help=_("anonymise every case past the retention period"))
    run.add_argument("--dry-run", action="store_true", help=_("only list the cases"))
    run.add_argument(
        "--date-is-right",
        action="store_true",
        help=_(
            "today's date on this computer is right, though far after the last date "
            "retention trusted (administrator)"
        ),
    )
    run.add_argument("--json", action="store_true", help=json_help())
    run.set_defaults(handler=cmd_run)
    policy = actions.add_parser("policy", help=_("show or set the retention period"))
    policy.add_argument("--years", type=int, help=_("years after closing (administrator)"))
    policy.set_defaults(handler=cmd_policy)


def cmd_run(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        try:
            report = run_manually(ws, dry_run=args.dry_run, date_is_right=args.date_is_right)
        except DateInDoubt as exc:
            raise QorgauError(
                _("{refusal} To confirm it: qorgau retention run --date-is-right").format(
                    refusal=exc
                )
            ) from exc
    if args.json:
        print_json(report)
        return 0
    if args.dry_run:
        print(
            ngettext(
                "{n} case is past the retention period of {years} years.",
                "{n} cases are past the retention period of {years} years.",
                len(report.candidates),
            ).format(n=format_number(len(report.candidates)), years=report.years)
        )
        if report.candidates:
            print_table(
                [_("Case"), _("Status"), _("Closed"), _("Due")],
                [
                    [c.number, _status(c), format_date(c.closed_on), format_date(c.due_on)]
                    for c in report.candidates
                ],
            )
        if report.returnee_candidates:
            print(_returnees_line(len(report.returnee_candidates), report.years))
        return 0
    print(
        ngettext(
            "Anonymised {n} case ({persons} persons).",
            "Anonymised {n} cases ({persons} persons).",
            len(report.anonymised_cases),
        ).format(
            n=format_number(len(report.anonymised_cases)),
            persons=format_number(report.anonymised_persons),
        )
    )
    if report.anonymised_returnees:
        print(
            ngettext(
                "Anonymised {n} returnees' register record without a case.",
                "Anonymised {n} returnees' register records without a case.",
                report.anonymised_returnees,
            ).format(n=format_number(report.anonymised_returnees))
        )
    return 0


def _returnees_line(n: int, years: int) -> str:
    return ngettext(
        "{n} returnees' register record without a case is past the {years} years.",
        "{n} returnees' register records without a case are past the {years} years.",
        n,
    ).format(n=format_number(n), years=years)


def cmd_policy(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        if args.years is not None:
            set_retention_years(ws, args.years)
        years = retention_years(ws)
    print(
        ngettext(
            "Personal data is anonymised {n} year after a case is closed.",
            "Personal data is anonymised {n} years after a case is closed.",
            years,
        ).format(n=years)
    )
    return 0


def _status(candidate: RetentionCandidate) -> str:
    """A copy of a case HQ moved away is named by who handles it: its status stopped there,
    and its "Closed" day is the transfer's."""
    if candidate.held_by:
        return _("Handled by {code}").format(code=candidate.held_by)
    return candidate.status
