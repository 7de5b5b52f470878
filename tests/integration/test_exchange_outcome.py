"""The outcome an officer records travels to HQ with the case: flags, amount, days and the
timeline entry, and counts in HQ's statistics."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from app.domain.events import compose
from app.services.records import CaseChanges
from app.services.stats import StatsFilter, StatsService
from tests.builders import TODAY, new_case
from tests.integration.test_exchange import hq_and_sel


def test_an_outcome_recorded_at_the_mission_reaches_hq_whole(tmp_path: Path) -> None:
    with hq_and_sel(tmp_path) as (hq, sel):
        case = sel.cases.create_case(new_case(host_country="KR", employer=None))
        sel.cases.set_status(case.id, "in_progress", "")
        sel.cases.update_case(
            case.id,
            CaseChanges(
                documents_returned=True,
                documents_returned_on=TODAY - timedelta(days=1),
                repatriated=True,
                repatriated_on=TODAY,
                wages_recovered_amount=Decimal("2500"),
                wages_recovered_currency="KRW",
            ),
        )
        sel.cases.set_status(case.id, "resolved", "Paid; flew home.")
        out = tmp_path / "sel.qbundle"
        sel.exchange.export_cases(out, [hq.recipient], hq_key_only=True)
        hq.exchange.import_bundle(out)

        at_hq, at_sel = hq.cases.get_case(case.id), sel.cases.get_case(case.id)
        assert at_hq.documents_returned_on == TODAY - timedelta(days=1)
        assert at_hq.repatriated_on == TODAY and at_hq.repatriated
        assert (at_hq.wages_recovered_amount, at_hq.wages_recovered_currency) == (
            Decimal("2500"),
            "KRW",
        )
        assert at_hq.version == at_sel.version
        entries = [compose(e.data, e.text, "en") for e in at_hq.events]
        assert any(text.startswith("Outcome recorded: documents returned") for text in entries)
        figures = StatsService(hq.ws).indicators(StatsFilter(date_from=TODAY - timedelta(days=7)))
        assert (figures.documents_returned, figures.repatriated) == (1, 1)
        assert [(m.currency, m.amount) for m in figures.wages_recovered] == [
            ("KRW", Decimal("2500"))
        ]
