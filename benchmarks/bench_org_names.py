"""Matching employers by their name written any way (``organisation_key``, kept in the
indexed ``name_key``), beside the lookup of the exact name it replaced, in the same run.

Run: ``.venv/bin/python -m benchmarks.bench_org_names [EMPLOYERS]`` (5,000 by default, in one
country, the most a large mission has there). An employer typed into a new case or New… is
looked for among the country's employers (``on_file``); an import looks for each employer its
rows name once (``KnownOrganisations``), here 500 of them. Keying every name of the country in
Python, as first written, is shown too: what the index saves.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from app.config import Paths
from app.db.models import Employer
from app.domain.matching import organisation_key
from app.services.demo import run_demo
from app.services.organisations import KnownOrganisations, on_file
from app.services.records import OrganisationInput
from benchmarks.common import open_admin, p, print_table, size_argument, timings_ms

STEMS = ("Hanil", "Daesung", "Mirae", "Jeil", "Seoyeon", "Samil", "Kumho", "Dongbu")
TRADES = ("Steel", "Agro", "Food", "Parts", "Fisheries", "Logistics", "Textile")
FORMS = ("Co., Ltd.", "CO LTD", "Corporation", "", "Inc.")


def _names(count: int, rng: random.Random) -> list[str]:
    return [
        f"{rng.choice(STEMS)} {rng.choice(TRADES)} {i} {rng.choice(FORMS)}".strip()
        for i in range(count)
    ]


def main(employers: int = 5_000) -> None:
    rng = random.Random(1)
    folder = Path(tempfile.mkdtemp(prefix="qorgau-bench-orgs-"))
    paths = Paths(folder)
    run_demo(paths, 300, seed=1)
    ws = open_admin(paths)
    names = _names(employers, rng)
    with ws.write() as session:
        session.add_all(Employer(name=n, country="KR", city="Seoul") for n in names)
    typed = names[employers // 2].upper().replace(",", "")

    def by_key() -> object:
        with ws.read() as session:
            return on_file(session, Employer, typed, "KR")

    def exact() -> object:  # the lookup it replaced (lower() of each name: ASCII only)
        with ws.read() as session:
            query = select(Employer.id).where(
                func.lower(Employer.name) == typed.lower(), Employer.country == "KR"
            )
            return session.execute(query).first()

    batch = [n.upper() for n in names[:500]]

    def import_batch() -> object:
        with ws.read() as session:
            known = KnownOrganisations(session)
            return [known.id_for(Employer, OrganisationInput(n, "KR", "Seoul")) for n in batch]

    def import_batch_exact() -> object:
        with ws.read() as session:
            return [
                session.execute(
                    select(Employer.id).where(
                        func.lower(Employer.name) == n.lower(), Employer.country == "KR"
                    )
                ).first()
                for n in batch
            ]

    def keyed_in_python() -> object:  # every name of the country read and keyed
        with ws.read() as session:
            wanted = organisation_key(typed)
            rows = session.execute(
                select(Employer.id, Employer.name).where(Employer.country == "KR")
            )
            return next((i for i, n in rows if organisation_key(n) == wanted), None)

    key_ms, exact_ms, python_ms = (timings_ms(f, 15) for f in (by_key, exact, keyed_in_python))
    batch_ms, batch_exact_ms = (timings_ms(f, 5) for f in (import_batch, import_batch_exact))
    print_table(
        f"Employers matched by their name's key, {employers:,} in one country",
        [
            ("an employer typed: on file? p50", p(key_ms, 50), p(exact_ms, 50), "ms"),
            ("an employer typed: on file? p95", p(key_ms, 95), p(exact_ms, 95), "ms"),
            ("the same, every name keyed in Python, p50", p(python_ms, 50), p(exact_ms, 50), "ms"),
            ("an import's 500 employers, p50", p(batch_ms, 50), p(batch_exact_ms, 50), "ms"),
        ],
        baseline="exact name",
    )
    ws.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(size_argument("QORGAU_BENCH_EMPLOYERS", 5_000))
