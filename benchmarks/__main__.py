"""``make bench``: run every benchmark script and write docs/performance.md.

The 100,000-case demo mission is built once (``benchmarks.common.large_mission``) in the folder
named by QORGAU_BENCH_DATA (default: a folder in the system temp dir, reused by later runs) and
shared with every ``benchmarks/bench_*.py``, each run as its own process so one script's caches
and memory do not colour the next. Each script prints its figures beside a baseline measured in
the same run, with the ratio; this runner collects them under a header per script, with the
machine's facts, into the report.

Options: ``--cases N`` (default 100000), ``--only NAME`` (repeatable), ``--out FILE``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
DATA_ENV = "QORGAU_BENCH_DATA"
CASES_ENV = "QORGAU_BENCH_CASES"
DEFAULT_OUT = ROOT / "docs" / "performance.md"
TIMEOUT_S = 3 * 3600


def scripts(only: list[str]) -> list[Path]:
    found = sorted(BENCH_DIR.glob("bench_*.py"))
    if only:
        wanted = {name.removesuffix(".py") for name in only}
        found = [p for p in found if p.stem in wanted or p.stem.removeprefix("bench_") in wanted]
    return found


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return f"{pages / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        return "unknown"


def machine_facts() -> list[tuple[str, str]]:
    import sqlcipher3

    connection = sqlcipher3.connect(":memory:")
    try:
        sqlite_version = connection.execute("SELECT sqlite_version()").fetchone()[0]
        cipher = connection.execute("PRAGMA cipher_version").fetchone()
    finally:
        connection.close()
    return [
        ("date (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M")),
        ("system", f"{platform.system()} {platform.release()} ({platform.machine()})"),
        ("CPU", f"{_cpu_model()}, {os.cpu_count()} logical cores"),
        ("memory", _memory_gib()),
        ("Python", platform.python_version()),
        ("SQLite / SQLCipher", f"{sqlite_version} / {cipher[0] if cipher else 'unknown'}"),
    ]


def build_data(cases: int) -> tuple[Path, float]:
    folder = Path(os.environ.get(DATA_ENV) or Path(tempfile.gettempdir()) / f"qorgau-bench-{cases}")
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    os.environ[DATA_ENV] = str(folder)
    from benchmarks.common import large_mission

    large_mission(cases)
    return folder, time.perf_counter() - started


def run_script(script: Path, env: dict[str, str]) -> tuple[int, str, float]:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{script.stem}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        output = done.stdout + (f"\n{done.stderr}" if done.returncode else "")
        code = done.returncode
    except subprocess.TimeoutExpired:
        output, code = f"timed out after {TIMEOUT_S} s", -1
    return code, output.strip(), time.perf_counter() - started


def as_markdown(output: str) -> str:
    """Markdown tables pass through; anything else is kept verbatim in a code block."""
    blocks: list[str] = []
    plain: list[str] = []
    for line in output.splitlines():
        if line.startswith("|") or not line.strip():
            if plain:
                blocks.append("```\n" + "\n".join(plain) + "\n```")
                plain = []
            blocks.append(line)
        else:
            plain.append(line)
    if plain:
        blocks.append("```\n" + "\n".join(plain) + "\n```")
    return "\n".join(blocks).strip()


def _summary(script: Path) -> str:
    text = script.read_text(encoding="utf-8")
    for quote in ('"""', "'''"):
        if text.lstrip().startswith(quote):
            return text.lstrip()[3:].split("\n", 1)[0].strip().rstrip(".") + "."
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--cases", type=int, default=int(os.environ.get(CASES_ENV, 100_000)))
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    chosen = scripts(args.only)
    if not chosen:
        print("no benchmark scripts matched", file=sys.stderr)
        return 2
    print(f"building or reusing a {args.cases:,}-case mission ...", flush=True)
    data, build_s = build_data(args.cases)
    env = {**os.environ, DATA_ENV: str(data), CASES_ENV: str(args.cases)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    sections = []
    failed = 0
    for script in chosen:
        print(f"running {script.name} ...", flush=True)
        code, output, seconds = run_script(script, env)
        failed += code != 0
        status = "" if code == 0 else f" — **failed (exit {code})**"
        sections.append(
            f"## {script.stem}{status}\n\n{_summary(script)} Ran in {seconds:.1f} s.\n\n"
            f"{as_markdown(output)}\n"
        )
        print(output, flush=True)
    facts = "\n".join(f"| {k} | {v} |" for k, v in machine_facts())
    report = (
        "# Performance\n\n"
        "Written by `make bench` (`python -m benchmarks`). Every figure is measured beside its "
        "baseline in the same run on the same machine; the ratio is Qorgau ÷ baseline.\n\n"
        f"Data: a generated demo mission of {args.cases:,} cases (encrypted SQLCipher file), "
        f"built or reused in {build_s:.0f} s.\n\n"
        f"| machine | |\n|---|---|\n{facts}\n\n" + "\n".join(sections)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
