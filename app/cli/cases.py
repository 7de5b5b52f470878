"""case add|list|show|set-status, search."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    add_actions,
    add_json_input,
    json_help,
    print_json,
    print_table,
    read_json_argument,
    workspace,
)
from app.domain import events, labels
from app.domain.codes import CaseStatus, Category, Urgency, label
from app.domain.codes import parse_code as code
from app.i18n import _, country_name, format_date, format_datetime, format_number
from app.services.records import CaseDetail, CaseFilter, CaseRow, EventInfo

if TYPE_CHECKING:  # imported while the password's key is derived (``case_service``)
    from app.services.cases import CaseService


@contextmanager
def case_service(args: argparse.Namespace) -> Iterator[CaseService]:
    with workspace(args, "app.services.cases") as ws:
        from app.services.cases import CaseService

        yield CaseService(ws)


def register(commands: Any) -> None:
    actions = add_actions(commands.add_parser("case", help=_("work with cases")))

    add = actions.add_parser("add", help=_("register a case from JSON; prints its number"))
    add_json_input(add, _("the case as a JSON file (- for standard input)"))
    add.add_argument(
        "--allow-duplicate",
        action="store_true",
        help=_("register even if the person may already be on file"),
    )
    add.set_defaults(handler=cmd_add)

    listing = actions.add_parser("list", help=_("list cases"))
    listing.add_argument(
        "--status",
        action="append",
        default=[],
        metavar="S",
        help=_("only the cases in this status (repeat for several)"),
    )
    listing.add_argument(
        "--country", metavar="ISO2", help=_("only the cases in this host country (its ISO code)")
    )
    listing.add_argument(
        "--category", help=_("only the cases with this complaint category (its code)")
    )
    whose = listing.add_mutually_exclusive_group()
    whose.add_argument("--officer", help=_("only the cases assigned to this user"))
    whose.add_argument(
        "--unassigned", action="store_true", help=_("only the cases assigned to nobody yet")
    )
    listing.add_argument(
        "--mission",
        metavar="CODE",
        help=_("headquarters: only the cases this mission handles (after any transfer)"),
    )
    listing.add_argument(
        "--overdue", action="store_true", help=_("only the cases past their follow-up date")
    )
    listing.add_argument(
        "--escalated",
        action="store_true",
        help=_("only the overdue cases escalated to the head of section and not acted on since"),
    )
    listing.add_argument("--limit", type=int, default=100, help=_("list at most this many cases"))
    listing.add_argument("--offset", type=int, default=0, help=_("skip this many cases first"))
    listing.add_argument("--json", action="store_true", help=json_help())
    listing.set_defaults(handler=cmd_list)

    show = actions.add_parser("show", help=_("show one case"))
    show.add_argument("number")
    show.add_argument("--json", action="store_true", help=json_help())
    show.set_defaults(handler=cmd_show)

    status = actions.add_parser("set-status", help=_("move a case to another status"))
    status.add_argument("number")
    status.add_argument("status")
    status.add_argument("--note", default="", help=_("the reason, for the timeline"))
    status.set_defaults(handler=cmd_set_status)
    _add_referral_actions(actions)

    search = commands.add_parser("search", help=_("search cases, people, employers and notes"))
    # Words as typed, quoted or not: "search KURMANGALIKYZY ASSEL" was refused as bad usage.
    search.add_argument("query", nargs="+", help=_("what to look for, one or more words"))
    search.add_argument("--limit", type=int, default=20, help=_("show at most this many results"))
    search.add_argument("--json", action="store_true", help=json_help())
    search.set_defaults(handler=cmd_search)


def cmd_add(args: argparse.Namespace) -> int:
    from app.services.case_json import case_from_json  # only adding a case reads JSON

    data = case_from_json(read_json_argument(args.json_file))
    with case_service(args) as service:
        detail = service.create_case(data, allow_duplicate_person=args.allow_duplicate)
    print(detail.number)
    return 0


def _row_json(row: CaseRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "status": row.status,
        "urgency": row.urgency,
        "life_or_liberty_at_risk": row.life_or_liberty_at_risk,
        "host_country": row.host_country,
        "person": row.person_name,
        "person_latin": row.person_name_latin,
        "employer": row.employer_name,
        "categories": list(row.categories),
        "received_at": row.received_at.isoformat(),
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "assigned_to": row.assigned_to,
        "deadline": row.deadline,
        "escalated": row.escalated,
        "origin_mission": row.origin_mission,
        "held_by": row.held_by or None,  # a mission's copy of a case HQ moved away
    }


def _print_rows(rows: list[CaseRow]) -> None:
    print_table(
        [_("Number"), _("Status"), _("Country"), _("Person"), _("Received"), _("Due")],
        [
            [
                r.number,
                _("Handled by {code}").format(code=r.held_by)
                if r.held_by
                else label(CaseStatus(r.status)),
                country_name(r.host_country),  # as the window names it; --json keeps the code
                r.person_name,
                format_date(r.received_at),
                format_date(r.due_date) if r.due_date else "",
            ]
            for r in rows
        ],
    )


def cmd_list(args: argparse.Namespace) -> int:
    statuses = tuple(code(CaseStatus, s, "status").value for s in args.status)
    flt = CaseFilter(
        statuses=statuses,
        host_country=args.country,
        category=args.category,
        assigned_to=args.officer,
        unassigned=args.unassigned,
        mission=args.mission.upper() if args.mission else None,
        overdue=args.overdue,
        escalated=args.escalated,
    )
    with case_service(args) as service:
        if flt.mission:
            service.check_mission(flt.mission)
        rows = service.list_cases(flt, offset=max(args.offset, 0), limit=max(args.limit, 1))
        total = service.count_cases(flt)
    if args.json:
        print_json({"total": total, "cases": [_row_json(r) for r in rows]})
    else:
        _print_rows(rows)
        print(
            _("{shown} of {total} cases").format(
                shown=format_number(len(rows)), total=format_number(total)
            )
        )
    return 0


def detail_json(d: CaseDetail) -> dict[str, Any]:
    p = d.person
    return {
        "number": d.number,
        "id": d.id,
        "version": d.version,
        "status": d.status,
        "urgency": d.urgency,
        "life_or_liberty_at_risk": d.life_or_liberty_at_risk,
        "channel": d.channel,
        "host_country": d.host_country,
        "categories": list(d.categories),
        "ilo_indicators": list(d.ilo_indicators),
        "description": d.description,
        "received_at": d.received_at.isoformat(),
        "due_date": d.due_date.isoformat() if d.due_date else None,
        "deadline": d.deadline,
        "assigned_to": d.assigned_to,
        "origin_mission": d.origin_mission,
        "holder_mission": d.holder_mission,
        "person": {
            "surname": p.surname,
            "given_names": p.given_names,
            "patronymic": p.patronymic,
            "surname_latin": p.surname_latin,
            "given_names_latin": p.given_names_latin,
            "iin": p.iin,
            "passport_no": p.passport_no,
            "birth_date": p.birth_date.isoformat() if p.birth_date else None,
            "phone_abroad": p.phone_abroad,
        },
        "employer": {
            "name": d.employer.name,
            "country": d.employer.country,
            "city": d.employer.city,
        }
        if d.employer
        else None,
        "agency": {"name": d.agency.name, "country": d.agency.country} if d.agency else None,
        "outcome": {
            "wages_recovered_amount": str(d.wages_recovered_amount)
            if d.wages_recovered_amount is not None
            else None,
            "wages_recovered_currency": d.wages_recovered_currency,
            "documents_returned": d.documents_returned,
            "documents_returned_on": d.documents_returned_on.isoformat()
            if d.documents_returned_on
            else None,
            "repatriated": d.repatriated,
            "repatriated_on": d.repatriated_on.isoformat() if d.repatriated_on else None,
        },
        "timeline": [
            {
                "kind": e.kind,
                "at": e.occurred_at.isoformat(),
                "author": e.author,
                "author_name": e.author_name or None,
                "text": e.text,
                "status_from": e.status_from,
                "status_to": e.status_to,
                # What the app recorded (a stable code); null for an officer's own note.
                "event": e.event or None,
            }
            for e in d.events
        ],
        "attachments": [
            {"filename": a.filename, "size": a.size, "sha256": a.sha256} for a in d.attachments
        ],
        "allowed_statuses": list(d.allowed_statuses),
    }


def cmd_show(args: argparse.Namespace) -> int:
    with case_service(args) as service:
        detail = service.get_by_number(args.number)
        holder = service.held_elsewhere(detail)
    if args.json:
        print_json(detail_json(detail))
        return 0
    p = detail.person
    status = label(CaseStatus(detail.status))
    if holder:  # its status stopped at the transfer
        status = _("Handled by {code} · read only").format(code=holder)
    print(f"{detail.number}  {status}")
    # The Latin spelling beside the name when there is one (an imported register has none).
    latin = f" ({p.full_name_latin})" if p.full_name_latin.strip() else ""
    print(f"{_('Person')}: {p.full_name}{latin}  {_('IIN')}: {p.iin or '—'}")
    print(f"{_('Host country')}: {country_name(detail.host_country)}")
    if detail.employer:
        print(f"{_('Employer')}: {detail.employer.name}")
    print(f"{_('Categories')}: {', '.join(label(Category(c)) for c in detail.categories)}")
    urgency = label(Urgency(detail.urgency))
    at_risk = f"  ({_('Life or liberty at risk')})" if detail.life_or_liberty_at_risk else ""
    print(f"{_('Urgency')}: {urgency}{at_risk}")
    print(f"{_('Officer')}: {detail.assigned_to or '—'}")
    print(f"{_('Received')}: {format_date(detail.received_at)}")
    if detail.due_date:
        print(f"{_('Due')}: {format_date(detail.due_date)}{_deadline_note(detail)}")
    if detail.description:
        print(detail.description)
    for event in detail.events:
        print(f"  {_timeline_line(event)}")
    return 0


def _add_referral_actions(actions: Any) -> None:
    """``case refer``, ``case referrals`` and ``case referral-outcome``; their handlers live in
    app/cli/partners.py, imported only when one of them runs (``case show`` loads no more)."""
    refer = actions.add_parser("refer", help=_("refer a case to a partner organisation"))
    refer.add_argument("number", help=_("the case number"))
    refer.add_argument("--partner", required=True, help=_("the partner's id or name"))
    refer.add_argument("--reason", required=True, help=_("why the case is referred"))
    refer.add_argument(
        "--set-status",
        action="store_true",
        help=_("also set the case's status to Referred (refused where the workflow forbids it)"),
    )
    refer.set_defaults(handler=_in_partners("cmd_refer"))
    referrals = actions.add_parser("referrals", help=_("list a case's referrals"))
    referrals.add_argument("number", help=_("the case number"))
    referrals.add_argument("--json", action="store_true", help=json_help())
    referrals.set_defaults(handler=_in_partners("cmd_referrals"))
    outcome = actions.add_parser("referral-outcome", help=_("record how a referral ended"))
    outcome.add_argument("referral", help=_("the referral's id ('case referrals --json')"))
    outcome.add_argument("--outcome", required=True, help=_("what the partner did"))
    outcome.add_argument(
        "--replace",
        action="store_true",
        help=_("record it in place of an outcome already recorded (the case's history keeps both)"),
    )
    outcome.set_defaults(handler=_in_partners("cmd_referral_outcome"))


def _in_partners(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from app.cli import partners

        handler: Callable[[argparse.Namespace], int] = getattr(partners, name)
        return handler(args)

    return run


def _deadline_note(detail: CaseDetail) -> str:
    """The light the case window shows beside its due date, in words, and its escalation:
    `case show` printed the date alone (an overdue case read as any other)."""
    said = [state] if (state := labels.deadline(detail.deadline)) else []
    if detail.escalated_at is not None:
        said.append(
            _("escalated to the head of section on {date}").format(
                date=format_date(detail.escalated_at.astimezone().date())
            )
        )
    return f" ({'; '.join(said)})" if said else ""


def _timeline_line(event: EventInfo) -> str:
    """One timeline entry as the case window shows it: this computer's time (the stored UTC
    put an officer's morning call at night), and a status change's from → to."""
    heading = events.heading(event.kind, event.event)
    said = events.beyond_heading(heading, event.detail())
    if event.status_from and event.status_to:
        before, after = label(CaseStatus(event.status_from)), label(CaseStatus(event.status_to))
        heading += f": {before} → {after}"
        text = f" — {said}" if said else ""
    else:
        text = f": {said}" if said else ""
    # Written as the window writes it, for the language (it printed ISO among Russian words).
    return f"{format_datetime(event.occurred_at.astimezone())}  {event.by}  {heading}{text}"


def cmd_set_status(args: argparse.Namespace) -> int:
    with case_service(args) as service:
        case = service.get_by_number(args.number)
        updated = service.set_status(case.id, args.status, args.note)
    print(
        _("{number}: {old} → {new}").format(
            number=updated.number,
            old=label(CaseStatus(case.status)),
            new=label(CaseStatus(updated.status)),
        )
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    limit = max(args.limit, 1)
    with case_service(args) as service:
        # One more than asked: whether the list stops short of every match.
        rows = service.search(" ".join(args.query), limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    if args.json:
        print_json([_row_json(r) for r in rows])
    else:
        _print_rows(rows)
        if more:
            # Else the first 20 matches read as all of them (an employer's cases across
            # missions, at HQ).
            print(
                _(
                    "The first {count} matches are listed; more match (--limit N lists more)."
                ).format(count=format_number(limit))
            )
    return 0
