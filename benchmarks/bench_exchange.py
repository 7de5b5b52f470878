"""Bundle export and import against `zip` + `age` of the same bytes and a bare insert of the rows.

Run: ``.venv/bin/python -m benchmarks.bench_exchange [--cases 10000] [--attachment-kb 0]``
(the runner passes ``QORGAU_BENCH_CASES`` and ``QORGAU_BENCH_DATA``). A copy of the demo
mission exports everything for a fresh HQ installation that trusts its key, and HQ imports the
bundle. Baselines in the same run: ``zip -q -r`` + ``age -r`` over the bundle's own members
written out as files (export), and a bare Core ``executemany`` of the same rows into another
fresh HQ database in one transaction (import). Goals (issue 17): export ≤ 2× zip+age, import
≤ 3× the bare insert. Also shown: how long the import held the write lock, its longest write
transaction (a large import writes its new rows in batches before its final one; staging
before them reads only). ``--one-transaction`` writes the import in one, as before batches.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QORGAU_KDF_PROFILE", "test")

import pyrage  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app.config import Paths  # noqa: E402
from app.db.models import Attachment, Case, LocalSecret  # noqa: E402
from app.db.sync import CHANGE_SEQ, next_counter  # noqa: E402
from app.exchange.records import CASE_LISTS, ENTITIES, Codec  # noqa: E402
from app.services import exchange as exchange_module  # noqa: E402
from app.services.exchange import (  # noqa: E402
    IMPORT_CACHE_KIB,
    ExchangeService,
    larger_cache,
)
from app.services.installation import MissionSetup, init_installation, unlock  # noqa: E402
from app.services.keys import KeyService  # noqa: E402
from app.services.workspace import Staged, Workspace  # noqa: E402
from benchmarks.common import import_phases, large_mission, open_admin  # noqa: E402

PASSWORD = "bench-password-1"
T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def make_hq(root: Path, code: str) -> Workspace:
    paths = Paths(root / code.lower())
    init_installation(paths, MissionSetup(code, "KZ", "Astana", is_hq=True), "admin", PASSWORD)
    return unlock(paths, "admin", PASSWORD)


def trust(hq: Workspace, mission: Workspace) -> None:
    keys = KeyService(mission).own_keys()
    KeyService(hq).trust(keys.mission_code, keys.signing_key, keys.age_recipient)


def add_attachments(ws: Workspace, size: int, seed: int) -> None:
    rng = random.Random(seed)
    with ws.write() as session:
        rows = []
        for case_id in session.execute(select(Case.id)).scalars():
            content = rng.randbytes(size)  # scans do not compress: random bytes model them
            rows.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "origin_mission": ws.mission_code,
                    "version": 1,
                    "case_id": case_id,
                    "filename": "contract-scan.jpg",
                    "mime_type": "image/jpeg",
                    "size": size,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "content": content,
                }
            )
        last = next_counter(session, CHANGE_SEQ, len(rows))
        for offset, row in enumerate(rows, start=last - len(rows) + 1):
            row["change_seq"] = offset
        session.execute(insert(Attachment), rows)


def identity_of(ws: Workspace) -> pyrage.x25519.Identity:
    with ws.read() as session:
        secret = session.get(LocalSecret, "age_identity")
        assert secret is not None
        return pyrage.x25519.Identity.from_str(bytes(secret.value).decode())


def zip_age_baseline(bundle: Path, identity: pyrage.x25519.Identity, work: Path) -> dict[str, Any]:
    """zip + age over the bundle's members, written out as plain files (and back)."""
    work.mkdir()
    plain = work / "bundle.zip"
    with bundle.open("rb") as source, plain.open("wb") as target:
        pyrage.decrypt_io(source, target, [identity])
    tree = work / "tree"
    with zipfile.ZipFile(plain) as archive:
        archive.extractall(tree)
    plain.unlink()
    key = work / "key.txt"
    key.write_text(str(identity) + "\n")
    zipped, encrypted = work / "plain.zip", work / "plain.zip.age"

    def run(*args: str) -> None:
        subprocess.run(args, check=True, cwd=tree, capture_output=True)

    zip_s, _r = timed(lambda: run("zip", "-q", "-r", str(zipped), "."))
    recipient = str(identity.to_public())
    enc_s, _r = timed(lambda: run("age", "-r", recipient, "-o", str(encrypted), str(zipped)))
    size = encrypted.stat().st_size
    shutil.rmtree(tree)
    return {"pack": zip_s + enc_s, "size": size}


def bare_insert(ws: Workspace, bundle: Path, service: ExchangeService) -> float:
    """Seconds to insert the bundle's rows, converted beforehand, with Core executemany in one
    transaction (with the page cache an import gets): no checks, no plan, no search index.
    The floor an import is compared with."""
    verified = service.read(bundle)
    seconds = 0.0
    with ws.write() as session, larger_cache(session, IMPORT_CACHE_KIB):
        connection = session.connection()
        seq = 0
        for entity in ENTITIES:
            records = verified.records.get(entity.name)
            if not records or entity.name == "mission":
                continue
            codec = Codec(entity)
            rows = [codec.to_values(r) for r in records]
            for row in rows:
                seq += 1
                row["change_seq"] = seq
                if entity.blob_column and entity.digest_column:
                    digest = row.get(entity.digest_column)
                    row[entity.blob_column] = verified.files.get(digest) if digest else None
            table: Any = entity.model.__table__  # type: ignore[attr-defined]
            started = time.perf_counter()
            connection.execute(table.insert(), rows)
            if entity.name == "case":
                links_of = zip(CASE_LISTS, ("case_category", "case_ilo_indicator"), strict=True)
                for key, link in links_of:
                    links = [{"case_id": r["id"], "code": c} for r in records for c in r[key]]
                    if links:
                        link_table: Any = table.metadata.tables[link]
                        connection.execute(link_table.insert(), links)
            seconds += time.perf_counter() - started
        started = time.perf_counter()
    seconds += time.perf_counter() - started  # the commit
    verified.close()
    return seconds


def timing_write_transactions(held: list[float]) -> None:
    """Keep how long each of an import's write transactions held the lock, in ``held``."""
    original = Staged.write

    @contextmanager
    def write(self: Staged) -> Iterator[Any]:
        started = time.perf_counter()
        try:
            with original(self) as session:
                yield session
        finally:  # to its commit; nobody else writes here, so none of it is waiting
            held.append(time.perf_counter() - started)

    Staged.write = write  # type: ignore[method-assign]


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} (5 min {five:.1f})"


def main() -> int:
    parser = argparse.ArgumentParser()
    default_cases = int(os.environ.get("QORGAU_BENCH_CASES", 10_000))
    parser.add_argument("--cases", type=int, default=default_cases)
    parser.add_argument("--attachment-kb", type=int, default=0)
    parser.add_argument("--one-transaction", action="store_true")
    args = parser.parse_args()
    if args.one_transaction:
        exchange_module.BATCHED_FROM = sys.maxsize
    held: list[float] = []
    timing_write_transactions(held)
    for tool in ("zip", "age"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed; the baseline cannot run.")
            return 1
    source = large_mission(args.cases)
    with tempfile.TemporaryDirectory(prefix="qorgau-bench-exchange-") as tmp:
        root = Path(tmp)
        # A copy: the export logs itself, and the shared benchmark data must stay as it was.
        paths = Paths(root / "mission")
        shutil.copytree(source.data_dir, paths.data_dir)
        mission = open_admin(paths)
        if args.attachment_kb:
            add_attachments(mission, args.attachment_kb * 1024, seed=7)
        hq, bare = make_hq(root, "AST"), make_hq(root, "BAR")
        trust(hq, mission)
        trust(bare, mission)
        # Both HQ databases can read it: the bare insert starts from the same verified records.
        recipients = [KeyService(ws).own_keys().age_recipient for ws in (hq, bare)]
        out = root / "all.qbundle"
        load_before = load()
        export_s, summary = timed(
            lambda: ExchangeService(mission).export_cases(out, recipients, all_changes=True)
        )
        mission.close()
        base = zip_age_baseline(out, identity_of(hq), root / "baseline")
        print(f"export {export_s:.1f} s, zip+age {base['pack']:.1f} s", flush=True)

        marks: dict[str, float] = {}

        def progress(_done: int, _total: int, text: str) -> None:
            marks.setdefault(text, time.perf_counter())

        service = ExchangeService(hq)
        import_s, report = timed(lambda: service.import_bundle(out, progress=progress))
        ended = time.perf_counter()
        lock_s, index_s = import_phases(marks, ended)
        bare_s = bare_insert(bare, out, ExchangeService(bare))
        load_after = load()
        hq.close()
        bare.close()

    size_mb = summary.size / 1e6
    print(
        f"{args.cases:,} cases: {summary.records:,} records, {summary.files:,} files; "
        f"bundle {size_mb:.1f} MB (zip+age: {base['size'] / 1e6:.1f} MB); "
        f"imported {report.new:,} new. Load average {load_before} before, {load_after} after."
    )
    rows = [
        ("export --all", export_s, base["pack"], "zip -r + age -r of its members", 2.0),
        (
            "import (decrypt, verify, stage, write)",
            import_s,
            bare_s,
            "bare insert of the rows",
            3.0,
        ),
    ]
    print("\n| measure | Qorgau | baseline | ratio | goal |")
    print("|---|---|---|---|---|")
    for name, seconds, baseline, what, goal in rows:
        ratio = seconds / baseline
        verdict = "met" if ratio <= goal else "missed"
        print(
            f"| {name} | {seconds:.1f} s | {baseline:.1f} s ({what}) | {ratio:.2f}× "
            f"| ≤ {goal:.0f}×: {verdict} |"
        )
    # The import's own connection: its records' batches and final transaction, not its index.
    print(
        f"| import: records written, {len(held)} write transaction(s) in {lock_s:.1f} s | "
        f"longest **{max(held, default=0.0):.2f} s** | — | — | ≤ 15 s busy wait of others |"
    )
    print(f"| import: search index after it, in short writes | {index_s:.1f} s | — | — | — |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
