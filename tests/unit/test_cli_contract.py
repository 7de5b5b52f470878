"""The command lines DESIGN.md and the issues spell out parse as they are written.

Other tools (HQ's scripts, the ministry's exchange jobs) call these lines; a renamed flag breaks
them silently. The lines below are copied from DESIGN.md's "The command line (a stable
contract)" and from the issues that named commands, with their placeholders filled in.
"""

from __future__ import annotations

import argparse
import shlex

import pytest

from app.cli import build_parser

CONTRACT = [
    # DESIGN.md
    "--data-dir D --lang kk case list",
    "--lang ru case list",
    "--lang en case list",
    "init --mission-code SEL --country KR --city Seoul --admin admin",
    "init --hq --mission-code HQ --country KZ --city Astana --admin admin",
    "keys show",
    "keys show --json",
    "keys trust SEL ed25519-key",
    "keys rotate",
    "demo",
    "demo --cases 10000 --seed 7",
    "user add aliya --role consul",
    "user passwd aliya",
    "user list",
    "case add --json case.json",
    "case add --json -",
    "case list --status new --country TR --overdue --json",
    "case show SEL-2026-0001",
    "case show SEL-2026-0001 --json",
    "case set-status SEL-2026-0001 closed --note 'Paid in full'",
    "search KURMANGALIKYZY --limit 20 --json",
    "import-csv legacy.csv",
    "import-csv legacy.csv --dry-run",
    "letter kinds",
    "letter kinds --json",
    "letter render SEL-2026-0001 --kind employer_letter --lang kk --out letter.pdf",
    "contract review SEL-2026-0001 --json terms.json",
    "contract review SEL-2026-0001 --json -",
    "agreement list --country TR --json",
    "bundle export --recipient age1xyz --all --out sel.qbundle",
    "bundle export --recipient age1xyz --out sel.qbundle",
    "bundle import sel.qbundle",
    "bundle import sel.qbundle --identity hq.key",
    "stats",
    "stats --json",
    "backup --out backup.qbackup",
    "restore backup.qbackup",
    "restore backup.qbackup --yes",
    "audit verify",
    "init --hq --database postgresql://db.example/qorgau --mission-code HQ --country KZ"
    " --city Astana --admin admin",
    "hq migrate --to postgresql://db.example/qorgau",
    "briefing render --country KR --lang kk --out sheet.pdf",
    "returnee add --json returnee.json",
    "returnee list",
    "returnee list --json",
    "returnee export --out returnees.csv",
    # the issues
    "stats --from 2026-01-01 --to 2026-06-30 --country KR --json",
    "stats --htcds htcds.csv",
    "recover --new-admin aliya",
    "letter verify letter.pdf",
    "hq migrate --to postgresql://db.example/qorgau --workstation hq-keys",
    "hq missions",
    "hq overdue --json",
    "hq repeats --json",
    "hq setup-database --server postgresql://postgres@db.example/postgres --database qorgau",
    "init --hq --database postgresql://db.example/qorgau --sslmode verify-full"
    " --sslrootcert ca.pem --mission-code HQ --country KZ --city Astana --admin admin",
]


@pytest.mark.parametrize("line", CONTRACT)
def test_a_contract_line_parses(line: str) -> None:
    try:
        args = build_parser().parse_args(shlex.split(line))
    except SystemExit as refused:  # argparse's way of refusing a line
        pytest.fail(f"qorgau {line!r} is refused (exit {refused.code})")
    assert isinstance(args, argparse.Namespace)
    assert args.command == shlex.split(line)[_first_command(line)]


def test_hq_migrate_without_a_workstation_puts_it_beside_the_installation(tmp_path) -> None:
    """The fault: DESIGN.md's ``hq migrate --to URL`` was refused for want of ``--workstation``."""
    from app.cli.hq import default_workstation

    assert default_workstation(tmp_path / "QorgauHQ") == tmp_path / "QorgauHQ-server"


def _first_command(line: str) -> int:
    """The index of the command word: after the global options and their values."""
    words = shlex.split(line)
    i = 0
    while words[i] in ("--data-dir", "--lang"):
        i += 2
    return i
