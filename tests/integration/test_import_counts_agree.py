"""An import's summary and its line in the exchange log count the same records: the mission's
own details record, merged apart from the rest, was in the log's count and in no figure of
the summary (the log said one record more)."""

from __future__ import annotations

from pathlib import Path

from app.services.exchange import ImportReport
from tests.integration.test_exchange import hq_and_sel


def _summed(report: ImportReport) -> int:
    return report.new + report.updated + report.unchanged + report.local_newer + report.conflicts


def _logged(entries: list, bundle_id: str) -> int:
    (entry,) = [e for e in entries if e.bundle_id == bundle_id and e.direction == "in"]
    return sum(v for k, v in entry.counts.items() if k != "files")


def test_the_summary_adds_up_to_the_records_the_log_names(tmp_path: Path) -> None:
    with hq_and_sel(tmp_path, cases=3, seed=4) as (hq, sel):
        sel.exchange.export_cases(tmp_path / "1.qbundle", [hq.recipient])
        first = hq.exchange.import_bundle(tmp_path / "1.qbundle")
        assert _summed(first) == _logged(hq.exchange.exchange_log(), first.bundle_id)
        # HQ had SEL's keys only (trusted out of band): the first bundle brings its details.
        assert first.per_entity["mission"]["updated"] == 1

        # Everything again: the same records, now unchanged; the details too.
        sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient], all_changes=True)
        again = hq.exchange.import_bundle(tmp_path / "2.qbundle")
        assert (
            _summed(again)
            == again.unchanged
            == _logged(hq.exchange.exchange_log(), again.bundle_id)
        )
