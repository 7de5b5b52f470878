"""Statistical reports: tables, CSV/XLSX export, the PDF report with charts, HTCDS export."""

from app.reports.export import csv_bytes, write_csv, write_xlsx, xlsx_bytes
from app.reports.pdf import render_stats_report
from app.reports.tables import ReportTable, case_list_table, indicator_tables

__all__ = [
    "ReportTable",
    "case_list_table",
    "csv_bytes",
    "indicator_tables",
    "render_stats_report",
    "write_csv",
    "write_xlsx",
    "xlsx_bytes",
]
