"""bundle export|import|transfer|log|conflicts|resolve|keyring-identity."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli.common import add_actions, json_help, print_json, print_table, warn, workspace
from app.domain.field_labels import field_label
from app.errors import UsageError
from app.exchange.parts import in_parts_advice
from app.i18n import _, format_datetime, format_number
from app.security.keyring_store import SecretStore
from app.services.exchange import (
    ConflictInfo,
    ExchangeService,
    ExportSummary,
    ImportReport,
    bundle_kind_label,
    record_kind_label,
)
from app.services.keys import identity_move_message, store_identity_in_keyring


def register(commands: Any) -> None:
    actions = add_actions(
        commands.add_parser("bundle", help=_("exchange bundles with headquarters"))
    )

    export = actions.add_parser("export", help=_("write a signed, encrypted bundle"))
    export.add_argument(
        "--recipient",
        action="append",
        default=[],
        metavar="AGE_PUBLIC_KEY",
        help=_(
            "age public key to encrypt to (repeatable); this installation's own is added; "
            "without it, headquarters' key if exactly one is trusted here"
        ),
    )
    since = export.add_mutually_exclusive_group()
    since.add_argument("--all", action="store_true", help=_("everything, not only changes"))
    since.add_argument(
        "--after-bundle",
        metavar="ID",
        help=_(
            "the changes after this bundle sent from here (its id, or its first 8 characters), "
            "again: for headquarters that did not receive a later one"
        ),
    )
    export.add_argument(
        "--kind",
        choices=("cases", "agreements"),
        default="cases",
        help=_("cases (missions) or the agreement library (headquarters)"),
    )
    export.add_argument("--out", required=True, type=Path, help=_("where to write the bundle"))
    export.add_argument("--json", action="store_true", help=json_help())
    export.set_defaults(handler=cmd_export)

    imp = actions.add_parser("import", help=_("check and import a bundle"))
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--identity",
        type=Path,
        metavar="AGE_KEY_FILE",
        help=_("an age key file that opens the bundle, tried besides the keys kept here"),
    )
    imp.add_argument("--json", action="store_true", help=json_help())
    imp.set_defaults(handler=cmd_import)

    transfer = actions.add_parser("transfer", help=_("headquarters: transfer cases to a mission"))
    transfer.add_argument("numbers", nargs="+", metavar="NUMBER")
    transfer.add_argument(
        "--to",
        required=True,
        metavar="CODE",
        help=_("the code of the mission the cases are handed to"),
    )
    transfer.add_argument("--out", required=True, type=Path, help=_("where to write the bundle"))
    transfer.add_argument(
        "--recipient",
        metavar="AGE_PUBLIC_KEY",
        help=_("that mission's age public key, if it is not registered here"),
    )
    transfer.add_argument("--json", action="store_true", help=json_help())
    transfer.set_defaults(handler=cmd_transfer)

    log = actions.add_parser("log", help=_("bundles sent and received"))
    log.add_argument("--json", action="store_true", help=json_help())
    log.set_defaults(handler=cmd_log)

    conflicts = actions.add_parser("conflicts", help=_("records that differ at equal versions"))
    conflicts.add_argument("--all", action="store_true", help=_("include resolved ones"))
    conflicts.add_argument("--json", action="store_true", help=json_help())
    conflicts.set_defaults(handler=cmd_conflicts)

    resolve = actions.add_parser("resolve", help=_("keep the local or take the remote version"))
    resolve.add_argument("conflict_id")
    resolve.add_argument("choice", choices=("local", "remote"))
    resolve.set_defaults(handler=cmd_resolve)

    keyring_cmd = actions.add_parser(
        "keyring-identity",
        help=_("headquarters: keep the age identity in the system keyring"),
    )
    keyring_cmd.set_defaults(handler=cmd_keyring_identity)


def _print_export(summary: ExportSummary, as_json: bool) -> None:
    if as_json:
        print_json({**asdict(summary), "path": str(summary.path), "records": summary.records})
        return
    written = _("Bundle {id} written to {path}: {records} records, {files} files, {size} bytes.")
    for bundle in (summary, *summary.parts):
        print(
            written.format(
                id=bundle.bundle_id,
                path=bundle.path,
                records=format_number(bundle.records),
                files=format_number(bundle.files),
                size=format_number(bundle.size),
            )
        )
    if summary.parts:
        print(in_parts_advice(len(summary.parts) + 1))


def cmd_export(args: argparse.Namespace) -> int:
    with workspace(args, exports=True) as ws:
        service = ExchangeService(ws)
        if args.kind == "agreements":
            if args.after_bundle:
                raise UsageError(_("--after-bundle sends a mission's cases again."))
            summary = service.export_agreements(args.out, args.recipient or None, args.all)
        else:
            recipients = args.recipient or [_trusted_hq_key(service)]
            summary = service.export_cases(
                args.out, recipients, args.all, after_bundle=args.after_bundle
            )
    _print_export(summary, args.json)
    return 0


def _trusted_hq_key(service: ExchangeService) -> str:
    """Headquarters' key when exactly one is trusted here, as the Exchange area picks it;
    with none or several the officer names it, since a guess could send the cases astray."""
    keys = service.hq_keys()
    if len(keys) == 1:
        return next(iter(keys))
    if not keys:
        raise UsageError(
            _(
                "No headquarters' key is trusted here: give headquarters' age public key with "
                "--recipient, or trust it first (qorgau keys trust CODE KEY --age-recipient "
                "AGE_KEY --hq)."
            )
        )
    raise UsageError(
        _(
            "Several headquarters' keys are trusted here ({codes}): choose one with --recipient."
        ).format(codes=", ".join(sorted(set(keys.values()))))
    )


def cmd_transfer(args: argparse.Namespace) -> int:
    with workspace(args, exports=True) as ws:
        summary = ExchangeService(ws).transfer_cases(
            args.numbers, args.to.upper(), args.out, args.recipient
        )
    for warning in summary.warnings:
        warn(warning)
    _print_export(summary, args.json)
    if not args.json:
        for notice in summary.notices:
            print(
                _(
                    "Notice for {code}, which handled these cases until now: {path}. "
                    "Send it to {code} too; there the cases become read only."
                ).format(code=notice.target_mission, path=notice.path)
            )
    return 0


def _print_report(report: ImportReport) -> None:
    if report.already_imported:
        print(_("Bundle {id} was imported before; nothing changed.").format(id=report.bundle_id))
        return
    if report.left_out:  # the counts add up to the bundle's records
        summary = _(
            "Imported bundle {id} ({kind}) from {source}: {new} new, {updated} updated, "
            "{unchanged} unchanged, {newer} newer here, {conflicts} conflicts, {left_out} "
            "left out (cases transferred away)."
        )
    else:
        summary = _(
            "Imported bundle {id} ({kind}) from {source}: {new} new, {updated} updated, "
            "{unchanged} unchanged, {newer} newer here, {conflicts} conflicts."
        )
    print(
        summary.format(id=report.bundle_id, kind=bundle_kind_label(report.kind), **report.counts())
    )
    if report.conflicts:
        print(_("Resolve the conflicts with 'qorgau bundle conflicts' and 'bundle resolve'."))


def cmd_import(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        report = ExchangeService(ws).import_bundle(args.file, args.identity)
    for warning in report.warnings:
        warn(warning)
    if args.json:
        print_json(report)
    else:
        _print_report(report)
        for note in report.notes:
            print(note)
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        entries = ExchangeService(ws).exchange_log()
    if args.json:
        print_json(entries)
        return 0
    print_table(
        [_("When"), _("Direction"), _("Kind"), _("Mission"), _("Bundle"), _("Records")],
        [
            [
                format_datetime(e.created_at.astimezone()),  # this computer's time, as the window
                _("sent") if e.direction == "out" else _("received"),
                e.kind_label,
                e.peer_mission or e.source_mission,
                e.bundle_id,
                format_number(sum(v for k, v in e.counts.items() if k != "files")),
            ]
            for e in entries
        ],
    )
    return 0


def _conflict_lines(conflict: ConflictInfo) -> list[str]:
    lines = [
        f"{conflict.id}  {record_kind_label(conflict.entity)}  {conflict.label}  "
        + _("version {v}").format(v=conflict.local_version)
    ]
    for item in conflict.fields:
        lines.append(
            "    "
            + _("{field}: here {local}, received {remote}").format(
                field=field_label(item.name), local=item.local_text, remote=item.remote_text
            )
        )
    return lines


def cmd_conflicts(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        conflicts = ExchangeService(ws).conflicts(include_resolved=args.all)
    if args.json:
        print_json(conflicts)
        return 0
    if not conflicts:
        print(_("No conflicts."))
    for conflict in conflicts:
        print("\n".join(_conflict_lines(conflict)))
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        info = ExchangeService(ws).resolve_conflict(args.conflict_id, args.choice)
    print(
        _("Conflict {id} resolved: kept the {choice} version.").format(
            id=info.id, choice=_("local") if info.resolution == "local" else _("remote")
        )
    )
    return 0


def cmd_keyring_identity(args: argparse.Namespace) -> int:
    store = SecretStore()
    with workspace(args) as ws:
        outcome = store_identity_in_keyring(ws, store)
    print(identity_move_message(outcome, store))
    return 0
