"""Search latency and list paging on a 100,000-case mission.

Baseline: the same FTS5 MATCH run raw on the same connection (no query building, no rows
fetched beyond the ids). Targets: search p95 under 50 ms and within 2x of raw; a filtered
page of 100 rows under 30 ms.
"""

from __future__ import annotations

from sqlalchemy import text

from app.services.cases import CaseService
from app.services.records import CaseFilter
from app.services.search import fts_query
from benchmarks.common import large_mission, open_admin, p, print_table, size_argument, timings_ms

QUERIES = (
    "Нұрлан",
    "nurlan abenov",
    "Әбенова Айгүл",
    "ABENOV",
    "Daesung",
    "passport",
    "SEL-2026-0042",
    "сәуле",
    "kasymov",
    "Ерлан",
)
REPEAT = 5


def main(cases: int = 100_000) -> None:
    paths = large_mission(cases)
    ws = open_admin(paths)
    service = CaseService(ws)
    ours: list[float] = []
    raw: list[float] = []
    with ws.read() as session:
        for query in QUERIES:
            match = fts_query(query)

            def raw_query(match: str | None = match) -> object:
                return session.execute(
                    text(
                        "SELECT ref_id FROM search_index WHERE search_index MATCH :q "
                        "ORDER BY rank LIMIT 50"
                    ),
                    {"q": match},
                ).all()

            raw += timings_ms(raw_query, REPEAT)
    for query in QUERIES:
        ours += timings_ms(lambda query=query: service.search(query, limit=50), REPEAT)
    page_filter = CaseFilter(
        statuses=("in_progress", "awaiting_response"),
        host_country="KR",
        sort="received_at",
        descending=True,
    )
    page = timings_ms(lambda: service.list_cases(page_filter, offset=200, limit=100), 20)
    count = timings_ms(lambda: service.count_cases(page_filter), 10)
    unfiltered_page = timings_ms(lambda: service.list_cases(CaseFilter(), limit=100), 20)
    ws.close()
    print_table(
        f"Search and paging on {cases:,} cases (ms; {len(QUERIES)} queries x {REPEAT} runs)",
        [
            ("search p50", p(ours, 50), p(raw, 50), "ms"),
            ("search p95", p(ours, 95), p(raw, 95), "ms"),
            ("filtered page of 100 rows, p50", p(page, 50), None, "ms"),
            ("filtered page of 100 rows, p95", p(page, 95), None, "ms"),
            ("count of the filtered list, p50", p(count, 50), None, "ms"),
            ("first page, no filter, p50", p(unfiltered_page, 50), None, "ms"),
        ],
    )


if __name__ == "__main__":
    main(size_argument("QORGAU_BENCH_CASES", 100_000))
