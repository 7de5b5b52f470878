"""partner add|list, and the case's ``refer`` and ``referrals`` actions (registered by
app/cli/cases.py, which owns the ``case`` command)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
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
from app.domain import labels
from app.errors import ValidationError
from app.i18n import _, country_name, format_date

if TYPE_CHECKING:  # imported while the password's key is derived (``workspace``)
    from app.services.partners import PartnerInput

# The JSON of ``partner add``: the fields of PartnerInput by their names; name, kind and
# country required; unknown fields are an error, as in the case JSON.
REQUIRED = ("name", "kind", "country")


def register(commands: Any) -> None:
    actions = add_actions(
        commands.add_parser("partner", help=_("partner organisations cases are referred to"))
    )
    add = actions.add_parser("add", help=_("add a partner organisation from JSON; prints its id"))
    add_json_input(add, _("the partner as a JSON file (- for standard input)"))
    add.set_defaults(handler=cmd_add)
    listing = actions.add_parser("list", help=_("list the partner organisations"))
    listing.add_argument(
        "--country", metavar="ISO2", help=_("only the partners in this country (its ISO code)")
    )
    listing.add_argument("--json", action="store_true", help=json_help())
    listing.set_defaults(handler=cmd_list)


def partner_from_json(raw: Any) -> PartnerInput:
    from app.services.case_json import _mapping, _text, _unknown
    from app.services.partners import PartnerInput

    data = _mapping(raw, "partner")
    _unknown(data, {f.name for f in fields(PartnerInput)}, "partner")
    for name in REQUIRED:
        if data.get(name) in (None, ""):
            raise ValidationError(_("The field “{field}” is required.").format(field=name), name)
    return PartnerInput(**{f.name: _text(data, f.name, "partner") for f in fields(PartnerInput)})


def cmd_add(args: argparse.Namespace) -> int:
    data = partner_from_json(read_json_argument(args.json_file))
    with workspace(args, "app.services.partners") as ws:
        from app.services.partners import PartnerService

        print(PartnerService(ws).create(data).id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with workspace(args, "app.services.partners") as ws:
        from app.services.partners import PartnerService

        service = PartnerService(ws)
        rows = service.list(args.country, limit=service.count(args.country))
    if args.json:
        print_json(
            [
                {
                    "id": r.id,
                    "name": r.name,
                    "kind": r.kind,
                    "country": r.country,
                    "city": r.city,
                    "address": r.address,
                    "phone": r.phone,
                    "email": r.email,
                    "languages": r.languages,
                    "notes": r.notes,
                    "referrals": r.referrals,
                }
                for r in rows
            ]
        )
        return 0
    print_table(
        [_("Id"), _("Name"), _("Kind"), _("Country"), _("City"), _("Phone"), _("Referrals")],
        [
            [
                r.id,
                r.name,
                labels.partner_kind(r.kind),
                country_name(r.country),  # as the window names it; --json keeps the code
                r.city,
                r.phone,
                str(r.referrals),
            ]
            for r in rows
        ],
    )
    return 0


def cmd_refer(args: argparse.Namespace) -> int:
    with workspace(args, "app.services.partners", "app.services.cases") as ws:
        from app.services.cases import CaseService
        from app.services.partners import PartnerService

        case = CaseService(ws).get_by_number(args.number)
        service = PartnerService(ws)
        partner = service.find(args.partner)
        result = service.refer(case.id, partner.id, args.reason, set_status=args.set_status)
    for warning in result.warnings:
        print(_("Warning: {text}").format(text=warning), file=sys.stderr)
    print(
        _("{number}: referred to {partner}.").format(
            number=case.number, partner=result.referral.partner_name
        )
    )
    return 0


def cmd_referrals(args: argparse.Namespace) -> int:
    with workspace(args, "app.services.partners", "app.services.cases") as ws:
        from app.services.cases import CaseService
        from app.services.partners import PartnerService

        case = CaseService(ws).get_by_number(args.number)
        rows = PartnerService(ws).referrals(case.id)
    if args.json:
        print_json(
            [
                {
                    "id": r.id,
                    "partner_id": r.partner_id,
                    "partner": r.partner_name,
                    "kind": r.partner_kind,
                    "referred_at": r.referred_at.isoformat(),
                    "reason": r.reason,
                    "outcome": r.outcome or None,
                }
                for r in rows
            ]
        )
        return 0
    print_table(
        [_("Date"), _("Partner"), _("Reason"), _("Outcome")],
        [[format_date(r.referred_at), r.partner_name, r.reason, r.outcome or "—"] for r in rows],
    )
    return 0


def cmd_referral_outcome(args: argparse.Namespace) -> int:
    with workspace(args, "app.services.partners") as ws:
        from app.services.partners import PartnerService

        done = PartnerService(ws).record_outcome(args.referral, args.outcome, replace=args.replace)
    if done.replaced:
        # The window shows the outcome it replaces before it asks; here it is said after.
        print(
            _(
                "{number}: outcome of the referral to {partner} recorded in place of “{replaced}”."
            ).format(number=done.case_number, partner=done.partner_name, replaced=done.replaced)
        )
        return 0
    print(
        _("{number}: outcome of the referral to {partner} recorded.").format(
            number=done.case_number, partner=done.partner_name
        )
    )
    return 0
