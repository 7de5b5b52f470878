"""``qorgau stats``: the indicators, the cases behind one, and their exports."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.common import print_json, print_table, workspace
from app.errors import UsageError
from app.i18n import LANGUAGES, _, current_language
from app.reports import case_list_table, indicator_tables, render_stats_report
from app.reports.export import write_bytes, write_csv, write_xlsx
from app.reports.htcds import htcds_csv, htcds_json, mapping
from app.reports.tables import ReportTable, selection_lines
from app.reports.texts import text
from app.services.records import CaseRow
from app.services.stats import MEASURES, Drilldown, StatsFilter, StatsService


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{value}” is not a date (YYYY-MM-DD).").format(value=value)
        ) from None


def register(commands: Any) -> None:
    stats = commands.add_parser(
        "stats", help=_("indicators over a period, and their exports (CSV, XLSX, PDF, HTCDS)")
    )
    stats.add_argument("--from", dest="date_from", type=_day, metavar="DATE")
    stats.add_argument("--to", dest="date_to", type=_day, metavar="DATE")
    stats.add_argument("--country", metavar="ISO2", help=_("host country"))
    stats.add_argument("--category", metavar="CODE", help=_("complaint category"))
    stats.add_argument("--officer", metavar="USER", help=_("officer the cases are assigned to"))
    stats.add_argument("--mission", metavar="CODE", help=_("one mission's cases (at HQ)"))
    stats.add_argument("--by-mission", action="store_true", help=_("compare missions side by side"))
    stats.add_argument(
        "--cases",
        metavar="FIGURE[=KEY]",
        help=_("list the cases behind a figure, e.g. category=unpaid_wages or overdue"),
    )
    stats.add_argument("--json", action="store_true")
    stats.add_argument("--csv", type=Path, metavar="FILE", help=_("export the tables as CSV"))
    stats.add_argument("--xlsx", type=Path, metavar="FILE", help=_("export the tables as XLSX"))
    stats.add_argument("--pdf", type=Path, metavar="FILE", help=_("the report as PDF"))
    stats.add_argument(
        "--pdf-lang", choices=LANGUAGES, help=_("language of the PDF report (default: --lang)")
    )
    stats.add_argument(
        "--htcds",
        type=Path,
        metavar="FILE",
        help=_("anonymised case-level export in HTCDS fields (.json or .csv)"),
    )
    stats.add_argument(
        "--hide-names", action="store_true", help=_("leave people's names out of every output")
    )
    stats.set_defaults(handler=cmd_stats)


def _drilldown(spec: str, scope: StatsFilter) -> Drilldown:
    measure, _sep, key = spec.partition("=")
    measure = measure.strip()
    if measure not in MEASURES:
        raise UsageError(
            _("Unknown figure “{measure}”; expected one of: {valid}.").format(
                measure=measure, valid=", ".join(MEASURES)
            )
        )
    return Drilldown(scope, measure, key.strip())


def cmd_stats(args: argparse.Namespace) -> int:
    scope = StatsFilter(
        date_from=args.date_from,
        date_to=args.date_to,
        host_country=args.country,
        category=args.category,
        officer=args.officer,
        mission=args.mission,
    )
    lang = current_language()
    with workspace(args) as ws:
        service = StatsService(ws)
        if args.cases:
            drill = _drilldown(args.cases, scope)
            rows = service.cases_behind(drill, limit=100_000)
            table = case_list_table(rows, lang, args.hide_names)
            _export(service, [table], args, what="cases")
            if args.json:
                print_json([_hide(r) for r in rows] if args.hide_names else rows)
            elif not (args.csv or args.xlsx):
                _print(table)
            return 0
        figures = service.indicators(scope, by_mission=args.by_mission or None)
        tables = indicator_tables(figures, lang)
        _export(service, tables, args, what="tables")
        if args.pdf:
            pdf_lang = args.pdf_lang or lang
            pdf = render_stats_report(
                figures, pdf_lang, service.mission_info(), hide_names=args.hide_names
            )
            write_bytes(args.pdf, pdf)
            service.record_export(
                "pdf", {"lang": pdf_lang, "hide_names": args.hide_names, **_scope(figures.scope)}
            )
            print(_("Report written to {path}").format(path=args.pdf), file=sys.stderr)
        if args.htcds:
            cases = service.anonymised_cases(scope)
            if args.htcds.suffix.lower() == ".json":
                data = htcds_json(cases, figures.scope, ws.mission_code, service.today)
            else:
                data = htcds_csv(cases)
            write_bytes(args.htcds, data)
            service.record_export("htcds", {"cases": len(cases), **_scope(figures.scope)})
            print(
                _("{count} anonymised cases written to {path}").format(
                    count=len(cases), path=args.htcds
                ),
                file=sys.stderr,
            )
            if not mapping().verified:
                print(
                    _(
                        "Note: the mapping of categories to HTCDS fields has not been checked "
                        "against the standard; tell the recipients."
                    ),
                    file=sys.stderr,
                )
        if args.json:
            print_json(figures)
        elif not (args.csv or args.xlsx or args.pdf or args.htcds):
            for line in selection_lines(figures, lang, args.hide_names):
                print(line)
            for table in tables:
                print()
                _print(table)
    return 0


def _hide(row: CaseRow) -> CaseRow:
    return replace(row, person_name="", person_name_latin="", assigned_to=None)


def _scope(scope: StatsFilter) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(scope).items()}


def _export(
    service: StatsService, tables: list[ReportTable], args: argparse.Namespace, what: str
) -> None:
    written: list[Path] = []
    if args.csv:
        written += write_csv(tables, args.csv)
    if args.xlsx:
        lang = current_language()
        title = text("title", lang) if what == "tables" else ""
        written.append(write_xlsx(tables, args.xlsx, title=title, lang=lang))
    if written:
        service.record_export(
            what,
            {"files": [p.name for p in written], "hide_names": args.hide_names},
        )
        for path in written:
            print(_("Written: {path}").format(path=path), file=sys.stderr)


def _print(table: ReportTable) -> None:
    print(table.title)
    print_table(
        list(table.headers),
        [["" if cell is None else str(cell) for cell in row] for row in table.rows],
    )
