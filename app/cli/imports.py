"""import-csv: import a spreadsheet, list the imports made, undo one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import (
    INTERRUPTED,
    json_help,
    print_json,
    print_listing,
    read_file_argument,
    stop_on_interrupt,
    workspace,
)
from app.errors import UsageError, ValidationError
from app.i18n import _, format_datetime, format_number, ngettext
from app.services import import_undo
from app.services.csv_import import (
    MAX_BYTES,
    ImportStopped,
    PartlyImported,
    import_csv,
    imported_before_message,
    report_notes,
)

SHOWN_WORDINGS = 50  # of a file's own wordings of complaints, the most frequent


def register(commands: Any) -> None:
    parser = commands.add_parser("import-csv", help=_("import a legacy spreadsheet of cases"))
    parser.add_argument("file", type=Path, nargs="?")
    parser.add_argument(
        "--list", action="store_true", help=_("list the imports made here, newest first")
    )
    parser.add_argument(
        "--undo",
        metavar="ID",
        help=_("remove the cases an import registered that nobody has used since"),
    )
    parser.add_argument(
        "--yes", action="store_true", help=_("confirm removing the cases (with --undo)")
    )
    parser.add_argument(
        "--dry-run", action="store_true", help=_("check every row and report, import nothing")
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help=_("which field a column holds (repeat for each column)"),
    )
    parser.add_argument(
        "--map-category",
        action="append",
        default=[],
        metavar="TEXT=CATEGORY",
        help=_("the category of a complaint the file writes in its own words (repeat for each)"),
    )
    parser.add_argument(
        "--default-status",
        metavar="STATUS",
        default="new",
        help=_("the status of a row that names none (new unless given)"),
    )
    parser.add_argument(
        "--sheet",
        metavar="NAME",
        help=_("the sheet of an Excel workbook to read (the first one if not given)"),
    )
    parser.add_argument(
        "--skip-rejected",
        action="store_true",
        help=_("import the good rows even if some are rejected"),
    )
    parser.add_argument("--json", action="store_true", help=json_help())
    parser.set_defaults(handler=cmd_import_csv)


def parse_mapping(items: list[str], form: str = "COLUMN=FIELD") -> dict[str, str] | None:
    if not items:
        return None
    mapping = {}
    for item in items:
        column, sep, fld = item.rpartition("=")  # a field or category code has no "="
        if not sep or not column.strip() or not fld.strip():
            raise UsageError(
                _("Give the mapping as {form}, not “{item}”.").format(form=form, item=item)
            )
        mapping[column.strip()] = fld.strip()
    return mapping


def cmd_import_csv(args: argparse.Namespace) -> int:
    if args.list or args.undo:
        if args.file is not None or (args.list and args.undo):
            raise UsageError(_("Give a file to import, --list or --undo ID: one of them."))
        return _list_imports(args) if args.list else _undo_import(args)
    if args.file is None:
        raise UsageError(_("Give the file to import."))
    mapping = parse_mapping(args.map)
    categories = parse_mapping(args.map_category, "TEXT=CATEGORY")
    raw = read_file_argument(
        args.file,
        max_bytes=MAX_BYTES,
        too_large=_("The file is larger than {n} MB.").format(n=MAX_BYTES // 2**20),
    )
    stopping = _("Stopping after the batch being written; press Ctrl+C again to stop at once.")
    with workspace(args) as ws, stop_on_interrupt(stopping) as stop:
        try:
            report = import_csv(
                ws,
                raw,
                dry_run=args.dry_run,
                mapping=mapping,
                skip_rejected=args.skip_rejected,
                stop=stop,
                sheet=args.sheet,
                categories=categories,
                default_status=args.default_status,
                file_name=args.file.name,
            )
        except (PartlyImported, ImportStopped) as stopped:
            # What was imported, for the tool that reads it; the error on stderr.
            if args.json and isinstance(stopped, PartlyImported):
                print_json(stopped.report)
            if not stop.is_set():
                raise
            print(f"qorgau: {stopped}", file=sys.stderr)
            return INTERRUPTED
    if args.json:
        print_json(report)
    else:
        if len(report.sheets) > 1:
            print(
                _(
                    "Sheet “{sheet}” read; the workbook's sheets: {sheets} (choose with --sheet)."
                ).format(sheet=report.sheet, sheets=", ".join(report.sheets))
            )
        # A workbook's rows by the numbers Excel shows beside them; a CSV's by its lines.
        where = _("row {line}: {reason}") if report.sheet else _("line {line}: {reason}")
        for row in report.rejected:
            print(where.format(line=row.line, reason=row.reason))
        for warning in report.warnings:  # rows coming in with a value left out
            print(where.format(line=warning.line, reason=warning.message))
        for note in report_notes(report):
            print(note)
        if report.unknown_categories:
            print(
                _(
                    "Complaints the file writes in its own words (name their categories with "
                    "--map-category TEXT=CATEGORY):"
                )
            )
            wordings = sorted(report.unknown_categories.items(), key=lambda i: -i[1])
            for written, rows in wordings[:SHOWN_WORDINGS]:
                print(
                    "  "
                    + ngettext("“{text}”: {n} row", "“{text}”: {n} rows", rows).format(
                        text=written, n=format_number(rows)
                    )
                )
            if len(wordings) > SHOWN_WORDINGS:  # all of them in --json
                print(
                    "  "
                    + _("… and {n} more").format(n=format_number(len(wordings) - SHOWN_WORDINGS))
                )
        print(
            ngettext("{n} row read", "{n} rows read", report.rows).format(
                n=format_number(report.rows)
            )
            + "; "
            + ngettext("{n} accepted", "{n} accepted", report.accepted).format(
                n=format_number(report.accepted)
            )
            + "; "
            + ngettext("{n} rejected", "{n} rejected", len(report.rejected)).format(
                n=format_number(len(report.rejected))
            )
            + "; "
            + ngettext("{n} imported", "{n} imported", report.imported).format(
                n=format_number(report.imported)
            )
        )
    if report.imported_before:
        if not report.imported_earlier:  # else said above, with when and by whom
            print(imported_before_message(), file=sys.stderr)
        return 0 if report.dry_run or args.skip_rejected else 1
    if report.rejected and not report.dry_run and not args.skip_rejected:
        print(
            _("Nothing was imported: correct the rejected rows, or use --skip-rejected."),
            file=sys.stderr,
        )
        return 1
    return 0


def _list_imports(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        records = import_undo.list_imports(ws)
    return print_listing(
        args,
        records,
        [_("ID"), _("Imported"), _("By"), _("Cases"), _("File"), _("Undone")],
        lambda r: [
            r.import_id[:8] or "—",
            format_datetime(r.at.astimezone()),
            r.actor,
            format_number(r.imported),
            r.file_shown,
            f"{format_datetime(r.undone_at.astimezone())} {r.undone_by}" if r.undone_at else "",
        ],
    )


def _undo_import(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        record = import_undo.find_import(ws, args.undo)
        if record.undone_at is not None:
            raise ValidationError(import_undo.undone_message(record))
        if args.dry_run or not args.yes:
            plan = import_undo.check_undo(ws, record)
            if args.json:
                print_json(_plan_json(plan, undone=False))
            else:
                print(import_undo.import_title(record))
                print(
                    import_undo.plan_message(plan)
                    if plan.removable
                    else import_undo.nothing_to_remove_message(plan)
                )
            if args.dry_run or not plan.removable:
                return 0
            raise UsageError(_("Run it again with --yes to remove them."))
        plan = import_undo.undo_import(ws, record)
    if args.json:
        print_json(_plan_json(plan, undone=True))
    else:
        print(import_undo.done_message(plan))
    return 0


def _plan_json(plan: import_undo.UndoPlan, undone: bool) -> dict[str, Any]:
    return {
        "import": plan.record,
        "undone": undone,
        "removed" if undone else "to_remove": plan.removable,
        "kept": [{"number": number, "reason": reason.value} for number, reason in plan.kept],
        "people_removed": plan.people,
        "organisations_removed": plan.organisations,
    }
