"""``qorgau stats``: the indicators, the cases behind one, and their exports."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.cli.common import day_argument, json_help, print_json, print_table, warn, workspace
from app.errors import UsageError
from app.i18n import LANGUAGES, _, current_language, format_date, format_datetime
from app.reports import case_list_table, indicator_tables, render_stats_report
from app.reports.export import write_bytes, write_csv, write_xlsx
from app.reports.htcds import (
    DEFAULT_K,
    ExportScope,
    HtcdsExport,
    build_export,
    check_history,
    check_scope,
    check_year_ended,
    disclosure_csv,
    htcds_csv,
    htcds_json,
    htcds_xlsx,
    past_exports,
)
from app.reports.published import published
from app.reports.tables import Cell, ReportTable, export_about, number_text, selection_lines
from app.reports.texts import text
from app.services.records import NO_WORKER_NAME, CaseRow
from app.services.stats import MEASURES, Drilldown, StatsFilter, StatsService


def _k(value: str) -> int:
    try:
        k = int(value)
    except ValueError:
        k = 0
    if k < DEFAULT_K:
        raise argparse.ArgumentTypeError(
            _("k must be a whole number of at least {minimum}.").format(minimum=DEFAULT_K)
        )
    return k


def register(commands: Any) -> None:
    stats = commands.add_parser(
        "stats", help=_("indicators over a period, and their exports (CSV, XLSX, PDF, HTCDS)")
    )
    stats.add_argument(
        "--from",
        dest="date_from",
        type=day_argument,
        metavar="DATE",
        help=_("the first day of the period"),
    )
    stats.add_argument(
        "--to",
        dest="date_to",
        type=day_argument,
        metavar="DATE",
        help=_("the last day of the period"),
    )
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
    stats.add_argument("--json", action="store_true", help=json_help())
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
        help=_(
            "possible victims of trafficking as anonymised HTCDS 2.0 case data "
            "(.csv, .xlsx or .json), with disclosure control"
        ),
    )
    stats.add_argument(
        "--k",
        type=_k,
        default=DEFAULT_K,
        metavar="N",
        help=_(
            "HTCDS export: each combination of year, gender, citizenship, country and the "
            "other quasi-identifiers is shared by at least N cases (default and minimum: {k})"
        ).format(k=DEFAULT_K),
    )
    stats.add_argument(
        "--hide-names",
        action="store_true",
        help=_(
            "leave people's names out of every output (the HTCDS export never has names, "
            "with or without it)"
        ),
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
    if args.cases and (args.pdf or args.htcds):
        # Both export the figures; asked for beside a list of cases, nothing was written.
        raise UsageError(
            _(
                "--pdf and --htcds export the figures, not a list of cases: write the cases "
                "behind a figure with --csv, --xlsx or --json."
            )
        )
    if args.htcds:
        check_scope(scope)  # before anything is written, --csv and --pdf included
    with workspace(args) as ws:
        service = StatsService(ws)
        service.check_names(scope)
        if args.cases:
            drill = _drilldown(args.cases, scope)
            rows = service.rows_of(service.ids_behind(drill))  # all of them
            table = case_list_table(rows, lang, args.hide_names)
            _export(service, [table], args, what="cases")
            if args.json:
                print_json([_hide(r) for r in rows] if args.hide_names else rows)
            elif not (args.csv or args.xlsx):
                _print(table)
            return 0
        export = _htcds_export(service, scope, args.k) if args.htcds else None
        figures = service.indicators(scope, by_mission=args.by_mission or None)
        # What is written to files (handed on to partners) is published: small counts coarsened.
        public = published(figures)
        # The workbook says its source and scope
        about = export_about(public, lang, args.hide_names, service.mission_info())
        _export(service, indicator_tables(public, lang), args, what="tables", about=about)
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
            warn(pdf.warning())
        if export is not None:
            written = _write_htcds(export, args, figures.scope, ws.mission_code, service.today)
            service.record_export(
                "htcds",
                {
                    "files": [p.name for p in written],
                    "cases": len(export.rows),
                    "k": args.k,
                    "suppressed": export.disclosure.rows_suppressed,
                    "data": export.data,
                    **_scope(figures.scope),
                },
            )
            _print_disclosure(export, written)
        if args.json:
            # The officer's account names are the report's to hide (the scope keeps the login
            # it was asked for, as before).
            # Exact: the machine interface other tools read (DESIGN.md's `stats --json`; its
            # counts stay numbers). Files handed on carry the published, coarsened counts.
            print_json(replace(figures, officer=None) if args.hide_names else figures)
        elif not (args.csv or args.xlsx or args.pdf or args.htcds):
            # The attaché's own view of their cases: exact.
            for line in selection_lines(figures, lang, args.hide_names):
                print(line)
            for table in indicator_tables(figures, lang):
                print()
                _print(table)
    return 0


def _htcds_export(service: StatsService, scope: StatsFilter, k: int) -> HtcdsExport:
    """The export, once it is known not to single anyone out beside what partners may already
    hold (before anything is written, --csv and --pdf included)."""
    scope = service.normalise(scope)
    check_year_ended(scope, service.today)
    export = build_export(service.anonymised_cases(scope), k)
    past = past_exports(service.recorded_exports("htcds"))
    check_history(ExportScope.of(scope, k), export.data, past)
    return export


def _write_htcds(
    export: HtcdsExport, args: argparse.Namespace, scope: StatsFilter, mission: str, today: date
) -> list[Path]:
    """The export in the format its file name asks for; a CSV gets the summary beside it."""
    target: Path = args.htcds
    suffix = target.suffix.lower()
    if suffix == ".json":
        write_bytes(target, htcds_json(export, scope, mission, today))
        return [target]
    if suffix == ".xlsx":
        write_bytes(target, htcds_xlsx(export))
        return [target]
    sidecar = target.with_name(f"{target.stem}.disclosure.csv")
    write_bytes(target, htcds_csv(export))
    write_bytes(sidecar, disclosure_csv(export))
    return [target, sidecar]


def _print_disclosure(export: HtcdsExport, written: list[Path]) -> None:
    d = export.disclosure
    lines = [
        _(
            "{released} of {assessed} possible victims of trafficking written to {path} "
            "({cases} cases in the period; left out: {rejected} rejected, {other} without "
            "signs of trafficking)."
        ).format(
            released=d.rows_released,
            assessed=d.rows_in,
            path=written[0],
            cases=export.cases,
            rejected=export.rejected,
            other=export.not_assessed,
        ),
        _(
            "Disclosure control (k = {k}): {suppressed} rows suppressed; "
            "every combination of quasi-identifiers is shared by at least {k} rows."
        ).format(k=d.k, suppressed=d.rows_suppressed),
    ]
    if d.generalised:
        withheld = ", ".join(f"{name} {count}" for name, count in d.generalised)
        lines.append(_("Values withheld: {list}.").format(list=withheld))
    if len(written) > 1:
        lines.append(_("Disclosure summary written to {path}").format(path=written[1]))
    for line in lines:
        print(line, file=sys.stderr)


def _hide(row: CaseRow) -> CaseRow:
    return replace(
        row,
        person_name="",
        person_name_latin="",
        assigned_to=None,
        worker=NO_WORKER_NAME,
        officer=None,
    )


def _scope(scope: StatsFilter) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(scope).items()}


def _export(
    service: StatsService,
    tables: list[ReportTable],
    args: argparse.Namespace,
    what: str,
    about: list[str] | None = None,
) -> None:
    written: list[Path] = []
    lang = current_language()
    title = text("title", lang) if what == "tables" else ""
    if args.csv:
        written += write_csv(tables, args.csv, title=title, about=about or ())
    if args.xlsx:
        written.append(write_xlsx(tables, args.xlsx, title=title, lang=lang, about=about or ()))
    if written:
        service.record_export(
            what,
            {"files": [p.name for p in written], "hide_names": args.hide_names},
        )
        for path in written:
            print(_("Written: {path}").format(path=path), file=sys.stderr)


def _print(table: ReportTable) -> None:
    lang = current_language()
    print(table.title)
    print_table(
        list(table.headers), [[_cell_text(cell, lang) for cell in row] for row in table.rows]
    )


def _cell_text(cell: Cell, lang: str) -> str:
    """What the terminal shows: numbers and amounts grouped for the language (``--json``
    keeps the plain values) and dates written as the language writes them (ISO dates stood
    among Kazakh or Russian words); text as it is."""
    if cell is None:
        return ""
    if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        return number_text(cell, lang)
    if isinstance(cell, datetime):
        return format_datetime(cell.astimezone(), language=lang)
    if isinstance(cell, date):
        return format_date(cell, language=lang)
    return str(cell)
