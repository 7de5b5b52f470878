"""agreement list|show|update: the library of treaties, agreements and ILO instruments."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.agreements import unverified_marker
from app.agreements.applicability import since_not_recorded
from app.agreements.library import MAX_LIBRARY_BYTES
from app.cli.common import (
    add_actions,
    json_help,
    print_json,
    print_table,
    read_file_argument,
    workspace,
)
from app.i18n import _, country_name, current_language, format_date
from app.services.agreements import (
    AgreementService,
    ApplicableInfo,
    InstrumentInfo,
    ProvisionInfo,
    apply_library_update,
)
from app.services.legal_tables import (
    HOST_COUNTRIES_FORMAT,
    MAX_TABLE_BYTES,
    apply_host_countries_update,
    document_format,
)


def register(commands: Any) -> None:
    actions = add_actions(commands.add_parser("agreement", help=_("the agreements library")))

    listing = actions.add_parser(
        "list",
        help=_(
            "list instruments; with --country, what binds that host country and why, and apart "
            "what does not (standards, instruments not in force, expired agreements)"
        ),
    )
    listing.add_argument(
        "--country",
        metavar="ISO2",
        help=_(
            "what concerns this host country (its ISO code): the instruments that bind it, "
            "standards and Kazakhstan's laws that do not, expired agreements, and those not "
            "in force"
        ),
    )
    listing.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help=_("only the instruments whose title, articles or summaries hold this text"),
    )
    listing.add_argument("--json", action="store_true", help=json_help())
    listing.set_defaults(handler=cmd_list)

    show = actions.add_parser("show", help=_("show one instrument with its provisions"))
    show.add_argument("slug")
    show.add_argument("--json", action="store_true", help=json_help())
    show.set_defaults(handler=cmd_show)

    update = actions.add_parser(
        "update",
        help=_(
            "HQ: replace the library, or the host-country table, with an edited file (the "
            "file's format says which; missions receive them in HQ's agreements bundle)"
        ),
    )
    update.add_argument("file", type=Path)
    update.add_argument("--json", action="store_true", help=json_help())
    update.set_defaults(handler=cmd_update)


def _provision_json(item: ProvisionInfo) -> dict[str, Any]:
    return {
        "id": item.id,
        "slug": item.slug,
        "article": item.article,
        "article_label": item.article_label,
        "summary": item.summary,
        "categories": list(item.categories),
        "verified": item.verified,
        "citation": item.citation,
    }


def instrument_json(
    item: InstrumentInfo,
    applicable: ApplicableInfo | None = None,
    pending: bool = False,
    expired: bool = False,
) -> dict[str, Any]:
    return {
        "id": item.id,
        "slug": item.slug,
        "kind": item.kind,
        "title": item.title,
        "status": item.status,
        "verified": item.verified,
        "basis": applicable.basis if applicable else None,
        "basis_label": applicable.basis_label if applicable else None,
        "binding": applicable.binding if applicable else None,
        "binds_from": applicable.binds_from if applicable else None,
        "pending": pending,
        "expired": expired,
        "expired_on": item.expired_on,
        "group": item.group,
        "parties": list(item.parties),
        "signed_on": item.signed_on,
        "in_force_on": item.in_force_on,
        "in_force_date_known": item.in_force_date_known,
        "source": item.source,
        "note": item.note,
        "mission_notes": item.mission_notes,
        "provisions": [_provision_json(p) for p in item.provisions],
    }


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no — to be checked")


def _date(value: Any) -> str:
    return format_date(value) if value else "—"


def _in_force_date(item: InstrumentInfo) -> str:
    return _date(item.in_force_on) if item.in_force_date_known else _("not known")


def _undated(item: InstrumentInfo, why: str) -> str:
    """Why it applies, and that the date it entered into force is not known when it is not."""
    return why if item.in_force_date_known else f"{why}; {item.status_label}"


def _since(item: ApplicableInfo) -> str:
    """Why it binds the host, and from when, or that the day is not recorded."""
    if item.binds_from is None:
        if not item.instrument.in_force_date_known:
            return item.basis_label  # its status says the date is not known
        return f"{item.basis_label}; {since_not_recorded()}"
    since = _("binding on the host since {date}").format(date=format_date(item.binds_from))
    return f"{item.basis_label}; {since}"


def cmd_list(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        service = AgreementService(ws)
        if args.country:
            applicable = service.applicable(args.country)
            pending = service.pending(args.country)
            expired = service.expired(args.country)
            if args.search:
                wanted = {i.slug for i in service.list(text=args.search)}
                applicable = [a for a in applicable if a.instrument.slug in wanted]
                pending = [p for p in pending if p.slug in wanted]
                expired = [e for e in expired if e.slug in wanted]
        else:
            applicable, pending, expired = [], [], []
            listed = service.list(text=args.search)
    if args.country:
        records = [instrument_json(a.instrument, a) for a in applicable]
        records += [instrument_json(p, pending=True) for p in pending]
        records += [instrument_json(e, expired=True) for e in expired]
    else:
        records = [instrument_json(i) for i in listed]
    if args.json:
        print_json(records)
        return 0
    if args.country:
        print(
            _("Instruments that apply in {country}:").format(
                country=country_name(args.country.strip().upper())
            )
        )
        binding = [a for a in applicable if a.binding]
        standards = [a for a in applicable if not a.binding]
        _print_rows([(a.instrument, _undated(a.instrument, _since(a))) for a in binding])
        print()
        # An instrument that binds neither the host nor (as far as known) Kazakhstan, or binds
        # Kazakhstan only, is a standard to invoke: never listed as applying.
        print(_("Standards and Kazakhstan's own law (not binding on the host):"))
        _print_rows(
            [
                (
                    a.instrument,
                    _undated(
                        a.instrument,
                        f"{a.basis_label}; {a.ratification_label}"
                        if a.ratification_label
                        else a.basis_label,
                    ),
                )
                for a in standards
            ]
        )
        print()
        print(
            _(
                "Not law: signed but not in force, under negotiation, planned, recommended or "
                "doubtful:"
            )
        )
        if pending:
            _print_rows([(p, p.status_label) for p in pending])
        else:
            print("  " + _("none"))
        # An expired agreement binds no one any more, but a worker's older contract may date
        # from its time: listed apart, never among what applies.
        if expired:
            print()
            print(_("No longer law: expired agreements:"))
            _print_rows([(e, e.status_label) for e in expired])
    else:
        _print_rows([(i, i.status_label) for i in listed])
    return 0


def _print_rows(rows: list[tuple[InstrumentInfo, str]]) -> None:
    print_table(
        [_("ID"), _("Kind"), _("Status / basis"), _("Verified"), _("Signed"), _("Title")],
        [
            [
                item.slug,
                item.kind_label,
                why,
                _yes_no(item.verified),
                _date(item.signed_on),
                item.title,
            ]
            for item, why in rows
        ],
    )


def cmd_show(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        item = AgreementService(ws).get(args.slug)
    if args.json:
        print_json(instrument_json(item))
        return 0
    print(item.title)
    print(f"{_('Kind')}: {item.kind_label}")
    print(f"{_('Status')}: {item.status_label}")
    print(f"{_('Signed')}: {_date(item.signed_on)}")
    print(f"{_('In force')}: {_in_force_date(item)}")
    if item.parties:
        names = ", ".join(country_name(code) for code in item.parties)
        print(f"{_('Parties')}: {names}")
    print(f"{_('Verified')}: {_yes_no(item.verified)}")
    print(f"{_('Source')}: {item.source}")
    if item.note:
        print(item.note)
    if item.mission_notes:
        print(f"{_('Mission notes')}: {item.mission_notes}")
    for provision in item.provisions:
        mark = "" if provision.verified else " " + unverified_marker(current_language())
        print(f"\n{provision.article_label}{mark}\n  {provision.summary}")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    # Read only as far as the larger of the two files may be: a file of gigabytes named by
    # mistake was read whole (and /dev/zero until memory ran out) before the size refused it.
    raw = read_file_argument(
        args.file,
        max_bytes=max(MAX_LIBRARY_BYTES, MAX_TABLE_BYTES),
        too_large=_("The agreement library is too large."),
    )
    if document_format(raw) == HOST_COUNTRIES_FORMAT:
        with workspace(args) as ws:
            table = apply_host_countries_update(ws, raw)
        if args.json:
            print_json(
                {
                    "table": table.name,
                    "edition": table.edition.isoformat(),
                    "previous": table.previous.isoformat() if table.previous else None,
                    "changed": table.changed,
                }
            )
        else:
            print(
                _("Host-country table updated to the edition of {edition}.").format(
                    edition=format_date(table.edition)
                )
            )
        return 0
    with workspace(args) as ws:
        report = apply_library_update(ws, raw)
    if args.json:
        print_json(
            {
                "added": list(report.added),
                "updated": list(report.updated),
                "removed": list(report.removed),
                "unchanged": len(report.unchanged),
                "provisions_changed": report.provisions_changed,
            }
        )
        return 0
    print(
        _("Library updated: {added} added, {updated} changed, {removed} withdrawn.").format(
            added=len(report.added), updated=len(report.updated), removed=len(report.removed)
        )
    )
    return 0
