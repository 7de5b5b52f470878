"""HQ on PostgreSQL at scale: search, a filtered page, statistics, and an import under load.

Run: ``.venv/bin/python benchmarks/bench_hq.py [--missions 80] [--cases-per-mission 25000]
[--bundle-cases 10000] [--readers 20] [--think 1 3] [--url postgresql://superuser@host/postgres]``.
Without ``--url`` (or QORGAU_BENCH_PG_URL) a throwaway cluster is started (as for the tests).

An HQ installation is made as a file and moved to the server with ``hq migrate`` (so the schema
is the migrations' own, with the search index and triggers). Then missions × cases are written
straight into PostgreSQL with COPY: people, employers, cases, categories and their search index
rows (the lexemes the app computes). Measured through the app's services, beside the same
question in raw SQL on the same server in the same run:

- search p95 (goal < 100 ms): the case list filtered by a name, Latin or Cyrillic, in full or
  as a prefix; baseline the tsquery against the GIN index joined to the case, LIMIT 50;
- a filtered page (goal < 50 ms): host country and status, newest first, 50 rows; baseline the
  same SELECT;
- statistics across missions for a year (goal < 2 s): ``StatsService.indicators``; baseline
  counts of opened and resolved cases per mission in SQL;
- import of a bundle of N cases (a demo mission's export) while R simulated analysts (each a
  process with its own connection, as separate desktops) search and page, reading each result
  for ``--think`` seconds (1–3 by default): the readers' longest wait (goal: none > 200 ms)
  and the import's time beside a bare COPY of the same rows into tables with the same indexes
  (goal: within 1.5×), with the time of each of its phases (what the COPY does not do).

The key-derivation profile is the cheap test one: signing in is not what is measured here.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QORGAU_KDF_PROFILE", "test")

import keyring.backends.null  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import Table  # noqa: E402

from app.config import Paths  # noqa: E402
from app.db.models import Base, Case, CaseCategory, Employer, Person  # noqa: E402
from app.db.postgres import ServerConfig, ServerDatabase  # noqa: E402
from app.domain.matching import organisation_key  # noqa: E402
from app.domain.persons import CONTACT_FIELDS, NAME_FIELDS  # noqa: E402
from app.domain.translit import search_keys  # noqa: E402
from app.security.keyring_store import SecretStore  # noqa: E402
from app.services.cases import CaseService  # noqa: E402
from app.services.demo import fill_demo  # noqa: E402
from app.services.exchange import ExchangeService  # noqa: E402
from app.services.hq_database import setup_database  # noqa: E402
from app.services.hq_migrate import migrate_to_server  # noqa: E402
from app.services.installation import MissionSetup, init_installation, unlock  # noqa: E402
from app.services.keys import KeyService  # noqa: E402
from app.services.records import CaseFilter  # noqa: E402
from app.services.search import _as_tsquery, _lexemes, doc_base, fts_query  # noqa: E402
from app.services.stats import StatsFilter, StatsService  # noqa: E402
from app.services.workspace import Actor, MissionSummary, Workspace  # noqa: E402
from benchmarks.common import p, print_table  # noqa: E402

PASSWORD = "bench-password-1"
URL_ENV = "QORGAU_BENCH_PG_URL"
BASELINE = "raw SQL / bare COPY"
SURNAMES = [
    ("Нурланов", "NURLANOV"),
    ("Ахметова", "AKHMETOVA"),
    ("Сейткали", "SEITKALI"),
    ("Жумабаев", "ZHUMABAYEV"),
    ("Құрманғалиқызы", "KURMANGALIKYZY"),
    ("Оспанов", "OSPANOV"),
    ("Әбдірахманова", "ABDIRAKHMANOVA"),
    ("Тоқтаров", "TOKTAROV"),
    ("Серікбаев", "SERIKBAYEV"),
    ("Ибраева", "IBRAYEVA"),
    ("Қасымов", "KASYMOV"),
    ("Бекова", "BEKOVA"),
    ("Төлеуов", "TOLEUOV"),
    ("Мұратова", "MURATOVA"),
    ("Ержанов", "YERZHANOV"),
    ("Сатпаева", "SATPAYEVA"),
    ("Ғалымов", "GALYMOV"),
    ("Дәулетова", "DAULETOVA"),
]
GIVEN = [
    ("Әсел", "ASSEL"),
    ("Нұрлан", "NURLAN"),
    ("Айгүл", "AIGUL"),
    ("Ерлан", "YERLAN"),
    ("Дана", "DANA"),
    ("Серік", "SERIK"),
    ("Гүлнар", "GULNAR"),
    ("Бауыржан", "BAUYRZHAN"),
    ("Жанар", "ZHANAR"),
    ("Арман", "ARMAN"),
    ("Сәуле", "SAULE"),
    ("Қайрат", "KAIRAT"),
]
COUNTRIES = ["KR", "TR", "AE", "RU", "DE", "PL", "IT", "US", "GB", "CZ", "JP", "QA"]
STATUSES = ["new", "in_progress", "awaiting_response", "referred", "resolved", "closed"]
CATEGORIES = ["unpaid_wages", "documents_withheld", "no_contract", "excessive_hours", "violence"]
SEARCHES = [
    "Нурланов",
    "NURLANOV",
    "Құрманғали",
    "kurmang",
    "Ахмет",
    "AKHM",
    "Серік",
    "ZHUMA",
    "Әбдірахманова",
    "toktar",
    "Dana Ibrayeva",
    "Бекова Жанар",
]


def mission_codes(n: int) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes = [a + b + c for a in letters for b in letters for c in letters]
    return ["M" + code for code in codes[:n]]


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def latencies_ms(fn: Callable[[Any], object], args: list[Any]) -> list[float]:
    fn(args[0])  # warm
    out = []
    for arg in args:
        started = time.perf_counter()
        fn(arg)
        out.append((time.perf_counter() - started) * 1000)
    return out


# -- the server ---------------------------------------------------------------------------------


class Server:
    """Where the benchmark runs: a given superuser URL or a throwaway cluster."""

    def __init__(self, url: str | None) -> None:
        self.cluster = None
        if url:
            self.url = url
        else:
            from tests.pg_cluster import start_cluster

            self.cluster = start_cluster()
            if self.cluster is None:
                raise SystemExit("PostgreSQL is not installed; give --url")
            self.url = self.cluster.admin_url

    def database_url(self, name: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def psycopg(self, name: str) -> psycopg.Connection:
        return psycopg.connect(self.database_url(name))

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


# -- bulk data with COPY ------------------------------------------------------------------------


# An employer's columns after its country, as the generated ones have them.
_BLANK_EMPLOYER = ("", "", "", "", "", "", "", "", False, "", "")


def _copy(conn: psycopg.Connection, table: Table, columns: list[str], rows: Iterator[tuple]) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    n = 0
    with conn.cursor().copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def generate(conn: psycopg.Connection, missions: int, per_mission: int, seed: int) -> int:
    """People, employers, cases, categories and search rows of ``missions`` missions."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    codes = mission_codes(missions)
    with conn.cursor() as cur:
        for i, code in enumerate(codes):
            cur.execute(
                "INSERT INTO mission (id, origin_mission, version, updated_at, change_seq, code,"
                " is_local, is_hq, country, city, city_kk, city_ru, name_kk, name_ru, name_en,"
                " address_kk, address_ru, address_en, phone, email) VALUES (%s, %s, 1, %s, 0,"
                " %s, false, false, %s, %s, '', '', '', '', '', '', '', '', '', '')",
                (str(uuid.uuid4()), code, now, code, COUNTRIES[i % len(COUNTRIES)], f"City {i}"),
            )
        cur.execute(
            "CREATE TEMP TABLE bench_words (doc bigint, ref_id text, words text[]) ON COMMIT DROP"
        )
    # A worker who turns up at several missions: a few IINs are shared across the world.
    shared_iins = [f"{rng.randrange(10**11, 10**12)}" for _ in range(200)]
    total = 0
    for m, code in enumerate(codes):
        host = COUNTRIES[m % len(COUNTRIES)]
        employers = [
            (str(uuid.uuid4()), f"Employer {host} {k} Ltd")
            for k in range(max(20, per_mission // 100))
        ]
        _copy(
            conn,
            Employer.__table__,
            [
                "id",
                "origin_mission",
                "version",
                "updated_at",
                "change_seq",
                "name",
                "name_key",
                "country",
                "city",
                "address",
                "postcode",
                "contact_person",
                "registration_no",
                "sector",
                "phone",
                "email",
                "watchlist",
                "watchlist_reason",
                "notes",
            ],
            (
                (eid, code, 1, now, 0, name, organisation_key(name), host, *_BLANK_EMPLOYER)
                for eid, name in employers
            ),
        )
        people, cases, cats, words = [], [], [], []
        for seq in range(1, per_mission + 1):
            pid, cid = str(uuid.uuid4()), str(uuid.uuid4())
            surname, surname_lat = rng.choice(SURNAMES)
            given, given_lat = rng.choice(GIVEN)
            iin = (
                rng.choice(shared_iins)
                if rng.random() < 0.01
                else str(rng.randrange(10**11, 10**12))
            )
            received = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 1000))
            status = rng.choice(STATUSES)
            resolved = (
                datetime.combine(
                    received + timedelta(days=rng.randrange(5, 90)), datetime.min.time(), UTC
                )
                if status in ("resolved", "closed")
                else None
            )
            employer_id, employer_name = rng.choice(employers)
            number = f"{code}-{received.year}-{seq:05d}"
            people.append(
                (
                    pid,
                    code,
                    1,
                    now,
                    0,
                    surname,
                    given,
                    "",
                    surname_lat,
                    given_lat,
                    iin,
                    "KZ",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "[]",
                    "",
                )
            )
            cases.append(
                (
                    cid,
                    code,
                    1,
                    now,
                    0,
                    number,
                    code,
                    received.year,
                    seq,
                    pid,
                    employer_id,
                    host,
                    status,
                    rng.choice(["low", "normal", "high"]),
                    False,
                    "walk_in",
                    "Wages unpaid.",
                    "[]",
                    received,
                    received + timedelta(days=30),
                    "",
                    "{}",
                    False,
                    False,
                    code,
                    resolved,
                )
            )
            for cat in rng.sample(CATEGORIES, rng.randint(1, 2)):
                cats.append((cid, cat))
            names = f"{surname} {given} {surname_lat} {given_lat}"
            plain = f"{number} {names} {iin} {employer_name} Wages unpaid."
            keys = " ".join(filter(None, (search_keys(w) for w in plain.split())))
            # The index rowid in list order, as the app places it (one slot per mission).
            words.append((doc_base(received, seq) + m, cid, _lexemes(f"{plain} {keys}")))
        _copy(
            conn,
            Person.__table__,
            [
                "id",
                "origin_mission",
                "version",
                "updated_at",
                "change_seq",
                *NAME_FIELDS,
                "iin",
                "citizenship",
                "phone_abroad",
                *CONTACT_FIELDS,
                "consent_scope",
                "consent_note",
            ],
            iter(people),
        )
        _copy(
            conn,
            Case.__table__,
            [
                "id",
                "origin_mission",
                "version",
                "updated_at",
                "change_seq",
                "number",
                "mission_code",
                "year",
                "seq",
                "person_id",
                "employer_id",
                "host_country",
                "status",
                "urgency",
                "life_or_liberty_at_risk",
                "channel",
                "description",
                "claims",
                "received_at",
                "due_date",
                "created_by",
                "outcome",
                "documents_returned",
                "repatriated",
                "holder_mission",
                "resolved_at",
            ],
            iter(cases),
        )
        _copy(conn, CaseCategory.__table__, ["case_id", "code"], iter(cats))
        with conn.cursor().copy("COPY bench_words (doc, ref_id, words) FROM STDIN") as copy:
            for row in words:
                copy.write_row(row)
        total += len(cases)
        if (m + 1) % 10 == 0:
            print(f"  {m + 1} missions, {total:,} cases", flush=True)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO search_index_map (doc, ref_id) SELECT doc, ref_id FROM bench_words"
        )
        cur.execute(
            "INSERT INTO search_index (doc, ref_kind, ref_id, case_id, lexemes) "
            "SELECT m.doc, 'case', w.ref_id, w.ref_id, array_to_tsvector(w.words) "
            "FROM bench_words w JOIN search_index_map m ON m.ref_id = w.ref_id"
        )
    return total


# -- the HQ installation ------------------------------------------------------------------------


def make_hq(server: Server, database: str, root: Path) -> tuple[Paths, ServerConfig]:
    """An HQ file installation moved to the server (``hq migrate``): schema, keys, grants."""
    file_paths = Paths(root / "hq-file")
    init_installation(
        file_paths, MissionSetup("AST", "KZ", "Astana", is_hq=True), "admin", PASSWORD
    )
    ws = unlock(file_paths, "admin", PASSWORD)
    workstation = Paths(root / "hq-server")
    try:
        store = SecretStore(keyring.backends.null.Keyring())  # keys go to the private file
        migrate_to_server(ws, server.database_url(database), workstation, store)
    finally:
        ws.close()
    config = ServerConfig.load(workstation.data_dir)
    assert config is not None
    return workstation, config


def open_hq(workstation: Paths, config: ServerConfig, user: str) -> Workspace:
    db = ServerDatabase(config, user, "", workstation.data_dir)
    mission = MissionSummary("AST", "KZ", "Astana", True, "", "", "")
    # The server's superuser has no account row to re-read: nobody can revoke it here.
    return Workspace(
        workstation,
        db,
        Actor(user, "hq_admin"),
        mission,
        f"server:{config.display}",
        check_account=False,
    )


# -- measurements -------------------------------------------------------------------------------


def tsquery(text_: str) -> str:
    match = fts_query(text_)
    assert match is not None
    return _as_tsquery(match)


RAW_SEARCH = (
    "SELECT c.id, c.number, c.status, c.received_at, p.surname, p.given_names "
    'FROM search_index s JOIN "case" c ON c.id = s.case_id JOIN person p ON p.id = c.person_id '
    "WHERE s.lexemes @@ %s::tsquery AND c.deleted_at IS NULL "
    "ORDER BY c.received_at DESC, c.seq DESC LIMIT 50"
)
RAW_PAGE = (
    "SELECT c.id, c.number, c.status, c.received_at, p.surname, p.given_names, e.name "
    'FROM "case" c JOIN person p ON p.id = c.person_id '
    "LEFT JOIN employer e ON e.id = c.employer_id "
    "WHERE c.host_country = %s AND c.status = %s AND c.deleted_at IS NULL "
    "ORDER BY c.received_at DESC, c.seq DESC LIMIT 50"
)
RAW_MISSION_PAGE = (
    "SELECT c.id, c.number, c.status, c.received_at, p.surname, p.given_names, e.name "
    'FROM "case" c JOIN person p ON p.id = c.person_id '
    "LEFT JOIN employer e ON e.id = c.employer_id "
    "WHERE c.holder_mission = %s AND c.deleted_at IS NULL "
    "ORDER BY c.received_at DESC, c.seq DESC LIMIT 50"
)
RAW_MISSION_COUNT = 'SELECT count(*) FROM "case" WHERE holder_mission = %s AND deleted_at IS NULL'
# HQ's overdue list across missions: its first page, most urgent first, then longest overdue,
# and the capped read it replaced (the 5,000 longest overdue).
_OVERDUE_WHERE = (
    'FROM "case" WHERE deleted_at IS NULL AND due_date < %s '
    "AND status IN ('new','in_progress','awaiting_response','referred') "
)
RAW_OVERDUE_PAGE = (
    "SELECT number, holder_mission, status, urgency, host_country, due_date, id "
    + _OVERDUE_WHERE
    + "ORDER BY CASE urgency WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 "
    "WHEN 'critical' THEN 3 ELSE -1 END DESC, due_date, number LIMIT 200"
)
RAW_OVERDUE_CAPPED = (
    "SELECT number, holder_mission, status, urgency, host_country, due_date, id "
    + _OVERDUE_WHERE
    + "ORDER BY due_date, number LIMIT 5000"
)
RAW_OVERDUE_COUNT = "SELECT count(*) " + _OVERDUE_WHERE
RAW_STATS = (
    "SELECT origin_mission, count(*) FILTER (WHERE received_at BETWEEN %s AND %s), "
    "count(*) FILTER (WHERE resolved_at >= %s AND resolved_at < %s), "
    "count(*) FILTER (WHERE status IN ('new','in_progress','awaiting_response','referred')) "
    'FROM "case" WHERE deleted_at IS NULL GROUP BY origin_mission'
)


def measure_reads(ws: Workspace, conn: psycopg.Connection, rng: random.Random) -> list[tuple]:
    cases = CaseService(ws)
    searches = [rng.choice(SEARCHES) for _ in range(60)]
    pages = [(rng.choice(COUNTRIES), rng.choice(STATUSES[:4])) for _ in range(60)]
    app_search = latencies_ms(lambda q: cases.list_cases(CaseFilter(text=q), limit=50), searches)
    raw_search = latencies_ms(
        lambda q: conn.execute(RAW_SEARCH, (tsquery(q),)).fetchall(), searches
    )
    app_page = latencies_ms(
        lambda a: cases.list_cases(CaseFilter(host_country=a[0], statuses=(a[1],)), limit=50), pages
    )
    raw_page = latencies_ms(lambda a: conn.execute(RAW_PAGE, a).fetchall(), pages)
    # The case list's mission filter (HQ): a page of one mission's cases, and their count,
    # which the list reads after the page (off the GUI thread).
    held = "SELECT code FROM mission WHERE NOT is_local AND NOT is_hq ORDER BY code"
    codes = [rng.choice([row[0] for row in conn.execute(held).fetchall()]) for _ in range(20)]
    app_mission = latencies_ms(
        lambda c: cases.list_cases(CaseFilter(mission=c), limit=50), codes[:20]
    )
    raw_mission = latencies_ms(
        lambda c: conn.execute(RAW_MISSION_PAGE, (c,)).fetchall(), codes[:20]
    )
    app_mission_count = latencies_ms(lambda c: cases.count_cases(CaseFilter(mission=c)), codes[:10])
    raw_mission_count = latencies_ms(
        lambda c: conn.execute(RAW_MISSION_COUNT, (c,)).fetchall(), codes[:10]
    )
    year = StatsFilter(date(2025, 1, 1), date(2025, 12, 31))
    stats = StatsService(ws)
    one_mission = StatsFilter(date(2025, 1, 1), date(2025, 12, 31), mission=mission_codes(1)[0])
    try:
        app_stats = latencies_ms(lambda f: stats.indicators(f), [year] * 3)
        app_stats_one = latencies_ms(lambda f: stats.indicators(f), [one_mission] * 3)
    except Exception as exc:  # noqa: BLE001 - reported as what it is, the rest still runs
        print(f"  statistics failed on this server: {str(exc).splitlines()[0]}")
        app_stats = app_stats_one = [float("nan")]
    bounds = (
        date(2025, 1, 1),
        date(2025, 12, 31),
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    raw_stats = latencies_ms(lambda b: conn.execute(RAW_STATS, b).fetchall(), [bounds] * 3)
    overdue = overdue_reads(ws, conn)
    return overdue + [
        ("search p95 (goal < 100 ms)", p(app_search, 95), p(raw_search, 95), "ms"),
        ("search median", p(app_search, 50), p(raw_search, 50), "ms"),
        ("filtered page p95 (goal < 50 ms)", p(app_page, 95), p(raw_page, 95), "ms"),
        ("filtered page median", p(app_page, 50), p(raw_page, 50), "ms"),
        ("one mission's page p95 (goal < 50 ms)", p(app_mission, 95), p(raw_mission, 95), "ms"),
        ("one mission's count p95", p(app_mission_count, 95), p(raw_mission_count, 95), "ms"),
        (
            "statistics, all missions, a year (goal < 2 s)",
            max(app_stats) / 1000,
            max(raw_stats) / 1000,
            "s",
        ),
        ("statistics, one mission, a year", max(app_stats_one) / 1000, None, "s"),
    ]


def overdue_reads(ws: Workspace, conn: psycopg.Connection) -> list[tuple]:
    """HQ's overdue list across missions: the first page and the count (what the Missions area
    reads), a page 10,000 rows in, and every row streamed (the export), beside raw SQL."""
    from app.services.consolidation import ConsolidationService

    service = ConsolidationService(ws)
    today = service.today
    total = service.count_overdue()
    first = latencies_ms(lambda _n: service.overdue(), [0] * 5)
    raw_first = latencies_ms(lambda d: conn.execute(RAW_OVERDUE_PAGE, (d,)).fetchall(), [today] * 5)
    count = latencies_ms(lambda _n: service.count_overdue(), [0] * 5)
    raw_count = latencies_ms(
        lambda d: conn.execute(RAW_OVERDUE_COUNT, (d,)).fetchall(), [today] * 5
    )
    deep = latencies_ms(lambda _n: service.overdue(offset=min(10_000, total)), [0] * 3)
    capped = latencies_ms(lambda d: conn.execute(RAW_OVERDUE_CAPPED, (d,)).fetchall(), [today] * 3)
    streamed = latencies_ms(lambda _n: sum(1 for _c in service.each_overdue()), [0] * 2)
    print(f"  {total:,} overdue cases")
    return [
        ("overdue list, first page (200) median", p(first, 50), p(raw_first, 50), "ms"),
        ("overdue list, count median", p(count, 50), p(raw_count, 50), "ms"),
        ("overdue list, a page 10,000 rows in, median", p(deep, 50), None, "ms"),
        ("overdue list, every row streamed", max(streamed) / 1000, None, "s"),
        ("the capped read it replaced (5,000 rows, raw SQL), median", p(capped, 50), None, "ms"),
    ]


def _analyst(
    workstation: str,
    config: ServerConfig,
    user: str,
    seed: int,
    think: tuple[float, float],
    queues: tuple[Any, Any, Any],
) -> None:
    """One analyst's desktop (its own process, as on its own computer): search or page, read
    what came back for ``think`` seconds, again until stopped; says when its first read is
    done (signed in and warm), then sends (finished at, ms) back."""
    stop, ready, results = queues
    ws = open_hq(Paths(Path(workstation)), config, user)
    rng = random.Random(seed)
    cases = CaseService(ws)
    samples: list[tuple[float, float]] = []
    try:
        while not stop.is_set():
            started = time.perf_counter()
            if rng.random() < 0.5:
                cases.list_cases(CaseFilter(text=rng.choice(SEARCHES)), limit=50)
            else:
                flt = CaseFilter(
                    host_country=rng.choice(COUNTRIES), statuses=(rng.choice(STATUSES[:4]),)
                )
                cases.list_cases(flt, limit=50)
            ended, finished_at = time.perf_counter(), time.time()
            if not samples:
                ready.put(seed)
            samples.append((finished_at, (ended - started) * 1000))
            stop.wait(rng.uniform(*think))
    finally:
        ws.close()
        results.put(samples)


class Readers:
    """R analysts, each a process of its own with its own connection (as separate desktops:
    a thread per analyst in this process would measure the GIL this process's import holds,
    not the server), searching and paging until stopped."""

    def __init__(
        self,
        workstation: Paths,
        config: ServerConfig,
        user: str,
        n: int,
        think: tuple[float, float],
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._ready = context.Queue()
        self._results = context.Queue()
        self._processes = [
            context.Process(
                target=_analyst,
                args=(
                    str(workstation.data_dir),
                    config,
                    user,
                    i,
                    think,
                    (self._stop, self._ready, self._results),
                ),
            )
            for i in range(n)
        ]
        self.samples: list[tuple[float, float]] = []  # (finished at, wall clock; ms)
        self.ready_at = 0.0  # when the last analyst had signed in and read once

    def __enter__(self) -> Readers:
        for process in self._processes:
            process.start()
        for _ in self._processes:  # every analyst signed in and has read once
            self._ready.get(timeout=600)
        self.ready_at = time.time()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for _ in self._processes:
            self.samples.extend(self._results.get(timeout=120))
        for process in self._processes:
            process.join()


# The mission whose bundle is imported: new to HQ (a second, different mission under the same
# code would be refused as a rewritten audit history).
BUNDLE_MISSION = "BNC"
BUNDLE_SEED = 5  # the demo generator makes the same records (ids) from the same seed


def make_bundle(root: Path, hq: Workspace, cases: int) -> Path:
    paths = Paths(root / "bnc")
    init_installation(paths, MissionSetup(BUNDLE_MISSION, "KR", "Busan"), "admin", PASSWORD)
    mission = unlock(paths, "admin", PASSWORD)
    try:
        took, _n = timed(lambda: fill_demo(mission, cases, seed=BUNDLE_SEED))
        print(f"  demo mission of {cases:,} cases in {took:.0f} s", flush=True)
        theirs, ours = KeyService(mission).own_keys(), KeyService(hq).own_keys()
        KeyService(hq).trust(theirs.mission_code, theirs.signing_key, theirs.age_recipient)
        KeyService(mission).trust(
            ours.mission_code, ours.signing_key, ours.age_recipient, is_hq=True
        )
        bundle = root / "bnc.qbundle"
        ExchangeService(mission).export_cases(bundle, [ours.age_recipient], all_changes=True)
    finally:
        mission.close()
    return bundle


IMPORTED_TABLES = (
    "person",
    "employer",
    "recruitment_agency",
    "case",
    "case_category",
    "case_ilo_indicator",
    "case_event",
    "attachment",
    "contract_review",
    "letter",
)


# The search index's rows the import wrote for the bundle's cases (tables of migration 0012).
SEARCH_TABLES = {
    "search_index_map": "ref_id IN (SELECT id FROM \"case\" WHERE origin_mission = '{m}')",
    "search_index": "case_id IN (SELECT id FROM \"case\" WHERE origin_mission = '{m}')",
}


def _imported_rows(conn: psycopg.Connection) -> dict[str, bytes]:
    """Each table's rows the import wrote, in COPY's text format."""
    wheres = {}
    for table in IMPORTED_TABLES:
        columns = [c.name for c in Base.metadata.tables[table].columns]
        wheres[table] = (
            f"case_id IN (SELECT id FROM \"case\" WHERE origin_mission = '{BUNDLE_MISSION}')"
            if "origin_mission" not in columns
            else f"origin_mission = '{BUNDLE_MISSION}'"
        )
    for table, where in SEARCH_TABLES.items():
        wheres[table] = where.format(m=BUNDLE_MISSION)
    rows = {}
    for table, where in wheres.items():
        buffer = io.BytesIO()
        with conn.cursor().copy(f'COPY (SELECT * FROM "{table}" WHERE {where}) TO STDOUT') as out:
            for chunk in out:
                buffer.write(chunk)
        rows[table] = buffer.getvalue()
    return rows


def bare_copy_seconds(conn: psycopg.Connection, temporary: bool) -> float:
    """COPY the rows the import wrote (its records and their search index rows) into empty
    tables with the same indexes and keys, in one transaction.

    Ordinary tables are the fair baseline: they are written to the server's WAL as the
    import's are. ``temporary`` tables (this benchmark's first baseline) skip the WAL and the
    shared buffers, so their COPY was several times faster than any write to real tables."""
    rows = _imported_rows(conn)
    kind = "TEMP TABLE" if temporary else "TABLE"
    with conn.cursor() as cur:
        for table in rows:
            cur.execute(f'CREATE {kind} "bare_{table}" (LIKE "{table}" INCLUDING ALL)')
    conn.commit()
    try:
        started = time.perf_counter()
        with conn.transaction():
            for table, data in rows.items():
                with conn.cursor().copy(f'COPY "bare_{table}" FROM STDIN') as copy:
                    copy.write(data)
        return time.perf_counter() - started
    finally:
        with conn.cursor() as cur:
            for table in rows:
                cur.execute(f'DROP TABLE IF EXISTS "bare_{table}"')
        conn.commit()


def measure_import(
    server: Server,
    database: str,
    workstation: Paths,
    config: ServerConfig,
    user: str,
    root: Path,
    bundle_cases: int,
    readers: int,
    think: tuple[float, float],
) -> list[tuple]:
    hq = open_hq(workstation, config, user)
    store = SecretStore(keyring.backends.null.Keyring())
    try:
        bundle = make_bundle(root, hq, bundle_cases)
        service = ExchangeService(hq, store)
        phases = timed_phases(service)
        with Readers(workstation, config, user, readers, think) as analysts:
            time.sleep(5)  # the analysts settle into their rhythm
            started = time.time()
            took, report = timed(lambda: service.import_bundle(bundle))
            ended = time.time()
            time.sleep(2)
        during = [ms for at, ms in analysts.samples if started <= at <= ended + 0.2]
        before = [ms for at, ms in analysts.samples if analysts.ready_at < at < started]
    finally:
        hq.close()
    with server.psycopg(database) as conn:
        bare = bare_copy_seconds(conn, temporary=False)
        bare_temporary = bare_copy_seconds(conn, temporary=True)
    slow = sum(1 for ms in during if ms > 200)
    print(
        f"  import: {report.new:,} new records; {len(during)} reads during it, {slow} > 200 ms",
        flush=True,
    )
    return [
        (f"import of {bundle_cases:,} cases (baseline: COPY into tables)", took, bare, "s"),
        ("the same, baseline: COPY into temporary tables (no WAL)", took, bare_temporary, "s"),
        ("readers during import: longest wait (goal ≤ 200 ms)", max(during, default=0), None, "ms"),
        (
            "readers during import: p95 (baseline: the same readers before it)",
            p(during, 95) if during else 0,
            p(before, 95) if before else None,
            "ms",
        ),
        ("readers during import: reads > 200 ms", float(slow), None, "reads"),
        *((f"  of the import: {name}", phases[name], None, "s") for name in phases),
    ]


# The import's phases, as ``ExchangeService`` runs them one after the other: where the time
# beyond the bare COPY goes.
PHASES = {
    "read": "decrypt, verify and check the records",
    "_stage": "ownership, audit head, references, the merge plan (staged)",
    "_write_import": "the write transaction",
}
INDEX_PHASE = "the search index, after it"


def timed_phases(service: ExchangeService) -> dict[str, float]:
    """Seconds spent in each of the import's phases on ``service``, filled as it runs."""
    from app.services import exchange

    spent = dict.fromkeys([*PHASES.values(), INDEX_PHASE], 0.0)

    def timing(work: Callable[..., Any], name: str) -> Callable[..., Any]:
        def timed_work(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return work(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return timed_work

    for method, name in PHASES.items():
        setattr(service, method, timing(getattr(service, method), name))
    exchange.write_pending = timing(exchange.write_pending, INDEX_PHASE)  # type: ignore[assignment]
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missions", type=int, default=80)
    parser.add_argument("--cases-per-mission", type=int, default=25_000)
    parser.add_argument("--bundle-cases", type=int, default=10_000)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="seconds an analyst reads a result before the next search or page",
    )
    parser.add_argument("--url", default=os.environ.get(URL_ENV), help="a superuser's address")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reads-only", action="store_true", help="no import under load")
    args = parser.parse_args()
    server = Server(args.url)
    database = f"qorgau_bench_{os.getpid()}"
    root = Path(tempfile.mkdtemp(prefix="qorgau-bench-hq-"))
    try:
        setup_database(server.url, database)
        workstation, config = make_hq(server, database, root)
        from sqlalchemy.engine import make_url

        user = make_url(server.url).username or "postgres"
        size = args.missions * args.cases_per_mission
        print(f"generating {args.missions} missions × {args.cases_per_mission:,} cases = {size:,}")
        with server.psycopg(database) as conn:
            took, total = timed(
                lambda: generate(conn, args.missions, args.cases_per_mission, args.seed)
            )
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
            size_text = conn.execute(
                "SELECT pg_size_pretty(pg_database_size(current_database()))"
            ).fetchone()
        print(f"  {total:,} cases written with COPY in {took:.0f} s; database {size_text[0]}")
        ws = open_hq(workstation, config, user)
        try:
            with server.psycopg(database) as conn:
                reads = measure_reads(ws, conn, random.Random(args.seed))
        finally:
            ws.close()
        print_table(f"Reads at {total:,} cases ({args.missions} missions)", reads, BASELINE)
        if args.reads_only:
            return
        load = measure_import(
            server,
            database,
            workstation,
            config,
            user,
            root,
            args.bundle_cases,
            args.readers,
            tuple(args.think),
        )
        think = f"{args.think[0]:g}–{args.think[1]:g} s"
        print_table(
            f"Import under load ({args.readers} analysts, each thinking {think})", load, BASELINE
        )
        summary = {"cases": total, "missions": args.missions, "reads": reads, "import": load}
        print("\n" + json.dumps(summary, default=str))
    finally:
        remove_hq(server, database, root)


def remove_hq(server: Server, database: str, root: Path) -> None:
    """The benchmark's database dropped, its folder removed and its server stopped."""
    try:
        import shutil

        from tests.hq.pg import drop_database

        drop_database(server.url, database)
        shutil.rmtree(root, ignore_errors=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
