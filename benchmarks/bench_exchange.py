"""Bundle export and import speed against `zip` + `age` over the same bytes, in the same run.

Run: ``.venv/bin/python benchmarks/bench_exchange.py [--cases 10000] [--attachment-kb 16]``.
A demo mission gets N cases, each with one attachment; it exports everything for HQ, and HQ
imports the bundle. The baseline writes the bundle's own members (records and files) to a
temporary folder and times ``zip -q -r`` + ``age -r`` (export side) and ``age -d`` + ``unzip``
(import side) on them. Target: the packing stages within 1.5x of the baseline. The database
stages (reading rows, merging them in one transaction, the search index) have no counterpart
in the baseline and are shown beside it.

The key-derivation profile is the cheap test one: unlocking is not what is measured here.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QORGAU_KDF_PROFILE", "test")

import pyrage  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app.config import Paths  # noqa: E402
from app.db.models import Attachment, Case, LocalSecret  # noqa: E402
from app.db.sync import CHANGE_SEQ, next_counter  # noqa: E402
from app.exchange import package  # noqa: E402
from app.services.demo import fill_demo  # noqa: E402
from app.services.exchange import ExchangeService  # noqa: E402
from app.services.installation import MissionSetup, init_installation, unlock  # noqa: E402
from app.services.keys import KeyService  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402

PASSWORD = "bench-password-1"


def timed(work: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()  # type: ignore[operator]
    return time.perf_counter() - start, result


def make(root: Path, code: str, country: str, city: str, hq: bool) -> Workspace:
    paths = Paths(root / code.lower())
    init_installation(paths, MissionSetup(code, country, city, is_hq=hq), "admin", PASSWORD)
    return unlock(paths, "admin", PASSWORD)


def add_attachments(ws: Workspace, size: int, seed: int) -> int:
    rng = random.Random(seed)
    with ws.write() as session:
        case_ids = list(session.execute(select(Case.id)).scalars())
        rows = []
        for case_id in case_ids:
            # Scans do not compress: random bytes model them honestly.
            content = rng.randbytes(size)
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
    return len(rows)


def baseline(payload: bytes, identity: pyrage.x25519.Identity, work: Path) -> dict[str, float]:
    """zip + age over the bundle's members, written out as plain files."""
    tree = work / "tree"
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        archive.extractall(tree)
    key = work / "key.txt"
    key.write_text(str(identity) + "\n")
    recipient = str(identity.to_public())
    zipped = work / "plain.zip"
    encrypted = work / "plain.zip.age"
    run = lambda *args: subprocess.run(args, check=True, cwd=tree, capture_output=True)  # noqa: E731
    zip_s, _r = timed(lambda: run("zip", "-q", "-r", str(zipped), "."))
    enc_s, _r = timed(lambda: run("age", "-r", recipient, "-o", str(encrypted), str(zipped)))
    out = work / "out"
    out.mkdir()
    decrypted = work / "decrypted.zip"
    dec_s, _r = timed(
        lambda: run("age", "-d", "-i", str(key), "-o", str(decrypted), str(encrypted))
    )
    unzip_s, _r = timed(lambda: run("unzip", "-q", str(decrypted), "-d", str(out)))
    return {"pack": zip_s + enc_s, "unpack": dec_s + unzip_s, "size": encrypted.stat().st_size}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--attachment-kb", type=int, default=16)
    args = parser.parse_args()
    for tool in ("zip", "unzip", "age"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed; the baseline cannot run.")
            return 1
    with tempfile.TemporaryDirectory(prefix="qorgau-bench-") as tmp:
        root = Path(tmp)
        hq = make(root, "AST", "KZ", "Astana", True)
        sel = make(root, "SEL", "KR", "Seoul", False)
        for here, there in ((hq, sel), (sel, hq)):
            keys = KeyService(there).own_keys()
            KeyService(here).trust(keys.mission_code, keys.signing_key, keys.age_recipient)
        fill_s, _r = timed(lambda: fill_demo(sel, args.cases, seed=7))
        add_attachments(sel, args.attachment_kb * 1024, seed=7)
        hq_recipient = KeyService(hq).own_keys().age_recipient
        out = root / "sel.qbundle"

        # Split the export into its database stage and its packing stage (ZIP, sign, encrypt).
        stages: dict[str, float] = {}
        original_build, original_encrypt = package.build_payload, package.encrypt_to_file
        captured: dict[str, bytes] = {}

        def build(*a: object, **k: object) -> bytes:
            seconds, payload = timed(lambda: original_build(*a, **k))  # type: ignore[arg-type]
            stages["zip+sign"] = seconds
            captured["payload"] = payload  # type: ignore[assignment]
            return payload  # type: ignore[return-value]

        def encrypt(*a: object, **k: object) -> None:
            seconds, _r = timed(lambda: original_encrypt(*a, **k))  # type: ignore[arg-type]
            stages["encrypt"] = seconds

        import app.services.exchange as service_module

        service_module.build_payload = build  # type: ignore[assignment]
        service_module.encrypt_to_file = encrypt  # type: ignore[assignment]
        export_s, summary = timed(lambda: ExchangeService(sel).export_cases(out, [hq_recipient]))
        service_module.build_payload = original_build
        service_module.encrypt_to_file = original_encrypt

        with hq.read() as session:
            identity = pyrage.x25519.Identity.from_str(
                bytes(session.get(LocalSecret, "age_identity").value).decode()
            )
        service = ExchangeService(hq)
        read_s, bundle = timed(lambda: service.read(out))
        import_s, report = timed(lambda: service.import_bundle(out))
        base = baseline(captured["payload"], identity, root / "baseline")
        hq.close()
        sel.close()

    size_mb = summary.size / 1e6  # type: ignore[attr-defined]
    pack = stages["zip+sign"] + stages["encrypt"]
    rows = [
        ("demo fill (not compared)", fill_s, ""),
        ("export total", export_s, ""),
        ("  of which ZIP + sign + encrypt", pack, f"{pack / base['pack']:.2f}x"),
        ("baseline zip -r + age -r", base["pack"], "1.00x"),
        ("import total (incl. read)", import_s, ""),
        ("  of which decrypt + verify + schema", read_s, f"{read_s / base['unpack']:.2f}x"),
        ("baseline age -d + unzip", base["unpack"], "1.00x"),
    ]
    print(
        f"{args.cases} cases, {summary.records} records, {summary.files} files "  # type: ignore[attr-defined]
        f"of {args.attachment_kb} KB; bundle {size_mb:.1f} MB "
        f"(zip+age: {base['size'] / 1e6:.1f} MB); imported {report.new} new"  # type: ignore[attr-defined]
    )
    print(f"{'stage':40} {'seconds':>8} {'MB/s':>8} {'cases/s':>9} {'vs base':>8}")
    for name, seconds, ratio in rows:
        print(
            f"{name:40} {seconds:8.2f} {size_mb / seconds:8.1f} "
            f"{args.cases / seconds:9.0f} {ratio:>8}"
        )
    del bundle
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
