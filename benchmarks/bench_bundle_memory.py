"""Peak memory of importing hostile bundles, against importing a good bundle in the same run.

Run: ``.venv/bin/python benchmarks/bench_bundle_memory.py [--size-mib 1024]``.
HQ and a trusted mission (SEL) are set up; then HQ imports, each in its own process so that
the peak resident memory (``VmHWM``, see ``peak_mb``) belongs to that import alone:

- baseline: a good bundle from SEL (a few demo cases);
- unreferenced: a bundle signed with SEL's real key whose manifest declares three members of
  ``--size-mib`` each (zeros, so the bundle itself is a few MB) that no record refers to; once
  with the product's limits (the per-file ceiling refuses it) and once with the ceiling raised
  above the members' size (the unreferenced-file rule refuses it);
- junk: ``--size-mib`` of random bytes encrypted to HQ.

Target: every hostile import refused with a peak under 300 MB, whatever ``--size-mib``.
The hostile bundles are written by streaming, so building them needs little memory either.

Then the whole demo mission of ``QORGAU_BENCH_CASES`` cases (``--cases``; the runner's
``QORGAU_BENCH_DATA``, copied first): ``bundle export --all`` in one fresh process and HQ's
import of that bundle in another. Goal (issue 17): each ≤ 500 MB at 100,000 cases. Baseline in
the same run: a fresh process that only signs in to the mission.

``--scans N [--scan-mib 24]``: a mission holding N scanned documents (random bytes) exported
and imported the same way; past 3 GiB of files the export comes in parts. Before the files
were read one at a time, an export of 60 scans of 24 MiB peaked at 1,982 MB and its import at
1,244 MB.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import resource
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

from app.config import Paths  # noqa: E402
from app.db.models import LocalSecret  # noqa: E402
from app.exchange.format import Limits  # noqa: E402
from app.exchange.package import sign  # noqa: E402
from app.services.demo import DEMO_PASSWORD, fill_demo  # noqa: E402
from app.services.exchange import ExchangeService  # noqa: E402
from app.services.installation import MissionSetup, init_installation, unlock  # noqa: E402
from app.services.keys import KeyService  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402

PASSWORD = "bench-password-1"
CHUNK = 4 * 1024 * 1024
TARGET_MB = 300
MISSION_TARGET_MB = 500


def make(root: Path, code: str, country: str, city: str, hq: bool) -> Workspace:
    paths = Paths(root / code.lower())
    init_installation(paths, MissionSetup(code, country, city, is_hq=hq), "admin", PASSWORD)
    return unlock(paths, "admin", PASSWORD)


def linked_pair(root: Path) -> tuple[Workspace, Workspace]:
    """HQ and SEL, each trusting the other's keys; SEL holds three demo cases."""
    hq = make(root, "AST", "KZ", "Astana", True)
    sel = make(root, "SEL", "KR", "Seoul", False)
    for here, there in ((hq, sel), (sel, hq)):
        keys = KeyService(there).own_keys()
        KeyService(here).trust(keys.mission_code, keys.signing_key, keys.age_recipient)
    fill_demo(sel, 3, seed=7)
    return hq, sel


class Pattern(io.RawIOBase):
    """``size`` bytes of zeros or random data, produced as read: nothing held in memory."""

    def __init__(self, size: int, random: bool) -> None:
        super().__init__()
        self.left = size
        self.random = random
        self.zeros = bytes(CHUNK)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        view = memoryview(buffer).cast("B")  # type: ignore[arg-type]
        count = min(len(view), self.left)
        view[:count] = os.urandom(count) if self.random else self.zeros[:count]
        self.left -= count
        return count


def write_unreferenced(
    good_payload: bytes, signing_pem: bytes, size: int, recipient: str, out: Path
) -> None:
    """A correctly signed bundle from the real records plus three large unreferenced files."""
    with zipfile.ZipFile(io.BytesIO(good_payload)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    members.pop("manifest.json")
    members.pop("manifest.sig")
    zero_sha = hashlib.sha256()
    for _ in range(size // CHUNK):
        zero_sha.update(bytes(CHUNK))
    zero_sha.update(bytes(size % CHUNK))
    # Three names for the same content: the manifest is honest about every member.
    big = [f"files/{hashlib.sha256(zero_sha.digest() + bytes([n])).hexdigest()}" for n in range(3)]
    manifest["bundle_id"] = str(uuid.uuid4())
    manifest["files"] = manifest["files"] + 3
    manifest["members"] = [
        {"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
        for n, d in members.items()
    ] + [{"name": n, "sha256": zero_sha.hexdigest(), "size": size} for n in big]
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode()
    signature = base64.b64encode(sign(signing_pem, manifest_bytes))
    plain = out.with_suffix(".zip")
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("manifest.sig", signature, zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
        for name in big:
            with archive.open(name, "w", force_zip64=True) as member:
                left = size
                while left:
                    step = min(CHUNK, left)
                    member.write(bytes(step))
                    left -= step
    with plain.open("rb") as source, out.open("wb") as target:
        pyrage.encrypt_io(source, target, [pyrage.x25519.Recipient.from_str(recipient)])
    plain.unlink()


def write_junk(size: int, recipient: str, out: Path) -> None:
    with out.open("wb") as target:
        pyrage.encrypt_io(
            io.BufferedReader(Pattern(size, random=True), CHUNK),
            target,
            [pyrage.x25519.Recipient.from_str(recipient)],
        )


def child(data_dir: str, bundle: str, file_ceiling_mib: int) -> int:
    """One import in this process; prints the outcome and the peak resident memory."""
    ws = unlock(Paths(Path(data_dir)), "admin", PASSWORD)
    limits = Limits(max_file_bytes=file_ceiling_mib * 1024 * 1024) if file_ceiling_mib else None
    started = time.perf_counter()
    try:
        service = ExchangeService(ws, limits=limits) if limits else ExchangeService(ws)
        report = service.import_bundle(Path(bundle))
        outcome = f"imported {report.new} new"
    except Exception as exc:  # noqa: BLE001 - the refusal is the expected outcome
        outcome = f"refused: {exc}"
    seconds = time.perf_counter() - started
    ws.close()
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak_mb()}))
    return 0


def peak_mb() -> float:
    """This process's peak resident memory. Linux's ``VmHWM`` belongs to this program alone;
    ``ru_maxrss`` keeps across ``exec`` the peak of the process that started it (a child
    started after the parent wrote 190 scans reported 264 MB for a sign-in)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def export_child(data_dir: str, out: str, recipient: str, password: str = DEMO_PASSWORD) -> int:
    """A whole-mission export in this process (``out`` empty: only sign in); prints the peak."""
    ws = unlock(Paths(Path(data_dir)), "admin", password)
    started = time.perf_counter()
    outcome = "signed in"
    paths: list[str] = []
    if out:
        summary = ExchangeService(ws).export_cases(Path(out), [recipient], all_changes=True)
        bundles = [summary, *summary.parts]
        paths = [str(bundle.path) for bundle in bundles]
        records, files = sum(b.records for b in bundles), sum(b.files for b in bundles)
        outcome = f"exported {records} records, {files} files"
        if summary.parts:
            outcome += f" in {len(bundles)} parts"
    seconds = time.perf_counter() - started
    ws.close()
    print(
        json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak_mb(), "paths": paths})
    )
    return 0


def measure(data_dir: Path, bundle: Path, file_ceiling_mib: int = 0) -> dict[str, object]:
    return _run_child(["--child", str(data_dir), str(bundle), str(file_ceiling_mib)])


def _run_child(arguments: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, *arguments], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def whole_mission(cases: int) -> list[tuple[str, dict[str, object]]]:
    """Peak memory of exporting a whole demo mission and of importing it at HQ."""
    import shutil

    from benchmarks.common import large_mission

    source = large_mission(cases)
    with tempfile.TemporaryDirectory(prefix="qorgau-bench-memory-mission-") as tmp:
        root = Path(tmp)
        mission_dir = root / "mission"
        shutil.copytree(source.data_dir, mission_dir)  # the export logs itself
        hq = make(root, "AST", "KZ", "Astana", True)
        mission = unlock(Paths(mission_dir), "admin", DEMO_PASSWORD)
        keys = KeyService(mission).own_keys()
        KeyService(hq).trust(keys.mission_code, keys.signing_key, keys.age_recipient)
        mission.close()
        recipient = KeyService(hq).own_keys().age_recipient
        hq_dir = hq.paths.data_dir
        hq.close()
        bundle = root / "all.qbundle"
        baseline = _run_child(["--export-child", str(mission_dir), "", recipient])
        exported = _run_child(["--export-child", str(mission_dir), str(bundle), recipient])
        imported = measure(hq_dir, bundle)
    return [
        ("baseline: sign in to the mission", baseline),
        (f"export --all, {cases:,} cases", exported),
        ("import of that bundle at HQ", imported),
    ]


def scanned_mission(scans: int, scan_mib: int) -> list[tuple[str, dict[str, object]]]:
    """Peak memory of exporting a mission that holds ``scans`` scanned documents of
    ``scan_mib`` each (random bytes: scans barely compress) and of importing the export at HQ,
    each in a fresh process; past 3 GiB of files the export comes in parts, each imported in a
    process of its own (the largest peak is shown)."""
    from app.services.cases import CaseService
    from app.services.records import CaseFilter

    with tempfile.TemporaryDirectory(prefix="qorgau-bench-memory-scans-") as tmp:
        root = Path(tmp)
        hq, sel = linked_pair(root)
        cases = CaseService(sel)
        case_id = cases.list_cases(CaseFilter(), limit=1)[0].id
        for n in range(scans):
            content = os.urandom(scan_mib * 1024 * 1024)
            cases.add_attachment(case_id, f"scan-{n}.pdf", content, "application/pdf")
        recipient = KeyService(hq).own_keys().age_recipient
        sel_dir, hq_dir = sel.paths.data_dir, hq.paths.data_dir
        sel.close()
        hq.close()
        signed_in = _run_child(["--export-child", str(sel_dir), "", recipient, PASSWORD])
        exported = _run_child(
            ["--export-child", str(sel_dir), str(root / "all.qbundle"), recipient, PASSWORD]
        )
        imports = [measure(hq_dir, Path(str(path))) for path in exported["paths"]]  # type: ignore[attr-defined]
    imported = {
        "peak_mb": max(float(i["peak_mb"]) for i in imports),  # type: ignore[arg-type]
        "seconds": sum(float(i["seconds"]) for i in imports),  # type: ignore[arg-type]
        "outcome": "; ".join(str(i["outcome"]) for i in imports),
    }
    return [
        ("baseline: sign in to the mission", signed_in),
        (f"export --all, {scans} scans of {scan_mib} MiB", exported),
        ("import of the export at HQ", imported),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--child", nargs=3, metavar=("DATA_DIR", "BUNDLE", "FILE_CEILING_MIB"))
    parser.add_argument(
        "--export-child", nargs="+", metavar="ARG", help="DATA_DIR OUT RECIPIENT [PASSWORD]"
    )
    parser.add_argument("--scans", type=int, default=0, help="a mission with this many scans")
    parser.add_argument("--scan-mib", type=int, default=24, help="each scan's size")
    parser.add_argument("--cases", type=int, default=int(os.environ.get("QORGAU_BENCH_CASES", 0)))
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], int(args.child[2]))
    if args.export_child:
        return export_child(*args.export_child)
    size = args.size_mib * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="qorgau-bench-memory-") as tmp:
        root = Path(tmp)
        hq, sel = linked_pair(root)
        recipient = KeyService(hq).own_keys().age_recipient
        good = root / "good.qbundle"
        ExchangeService(sel).export_cases(good, [recipient])
        with sel.read() as session:
            signing = bytes(session.get(LocalSecret, "signing_key").value)
        with hq.read() as session:
            identity = pyrage.x25519.Identity.from_str(
                bytes(session.get(LocalSecret, "age_identity").value).decode()
            )
        good_payload = pyrage.decrypt(good.read_bytes(), [identity])
        hq_dir = hq.paths.data_dir
        hq.close()
        sel.close()

        unreferenced = root / "unreferenced.qbundle"
        write_unreferenced(good_payload, signing, size, recipient, unreferenced)
        junk = root / "junk.qbundle"
        write_junk(size, recipient, junk)
        # Hostile ones first: the good one would make a replay of its bundle id a no-op.
        raised = 2 * args.size_mib  # past the ceiling: the unreferenced rule itself must hold
        cases = [
            (f"3 x {args.size_mib} MiB unreferenced, signed", unreferenced, 0),
            (f"the same, file ceiling raised to {raised} MiB", unreferenced, raised),
            (f"{args.size_mib} MiB junk encrypted to HQ", junk, 0),
            ("baseline: good bundle", good, 0),
        ]
        results = [
            (name, path.stat().st_size, measure(hq_dir, path, ceiling))
            for name, path, ceiling in cases
        ]
    base = float(results[-1][2]["peak_mb"])  # type: ignore[arg-type]
    print(f"\nimport peak memory (a fresh process each); target < {TARGET_MB} MB\n")
    print("| bundle | file size | peak | vs baseline | seconds | outcome |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for name, file_size, figures in results[:-1] + results[-1:]:
        peak = float(figures["peak_mb"])  # type: ignore[arg-type]
        if not name.startswith("baseline"):
            worst = max(worst, peak)
        print(
            f"| {name} | {file_size / 1e6:.2f} MB "
            f"| {peak:.0f} MB | {peak / base:.2f}x | {float(figures['seconds']):.2f} "  # type: ignore[arg-type]
            f"| {str(figures['outcome'])[:90]} |"
        )
    if args.cases:
        title = f"whole mission (goal ≤ {MISSION_TARGET_MB} MB each); load average {_load()}"
        _print_runs(title, whole_mission(args.cases))
    if args.scans:
        title = f"mission with scanned documents (goal ≤ {MISSION_TARGET_MB} MB each)"
        _print_runs(title, scanned_mission(args.scans, args.scan_mib))
    return 0 if worst < TARGET_MB else 1


def _print_runs(title: str, runs: list[tuple[str, dict[str, object]]]) -> None:
    print(f"\n{title}\n")
    print("| run | peak | seconds | outcome |")
    print("|---|---|---|---|")
    for name, figures in runs:
        print(
            f"| {name} | {float(figures['peak_mb']):.0f} MB "  # type: ignore[arg-type]
            f"| {float(figures['seconds']):.1f} | {figures['outcome']} |"  # type: ignore[arg-type]
        )


def _load() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())
