"""`qorgau bundle ...` and `qorgau keys ...` end to end, in process."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.config import Paths
from app.exchange import parts
from app.services.cases import CaseService
from app.services.demo import fill_demo
from app.services.installation import unlock
from app.services.keys import KeyService, fingerprint
from app.services.records import CaseFilter
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.integration.test_exchange import make_site


@pytest.fixture
def pair(
    installation: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> tuple[Paths, Paths]:
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    hq = make_site(tmp_path, "AST", "KZ", "Astana", True)
    hq.ws.close()
    ws = unlock(installation, "admin", PASSWORD)
    fill_demo(ws, 3, seed=2)
    ws.close()
    for here, there in ((hq.paths, installation), (installation, hq.paths)):
        shown = run_cli(capsys, "--data-dir", str(there.data_dir), "keys", "show", "--json")
        keys = json.loads(shown.out)
        trusted = run_cli(
            capsys,
            "--data-dir",
            str(here.data_dir),
            "keys",
            "trust",
            keys["mission_code"],
            keys["signing_key"],
            "--age-recipient",
            keys["age_recipient"],
        )
        assert trusted.code == 0, trusted.err
    return installation, hq.paths


def hq_recipient(capsys, hq: Paths) -> str:
    shown = run_cli(capsys, "--data-dir", str(hq.data_dir), "keys", "show", "--json")
    return str(json.loads(shown.out)["age_recipient"])


def test_export_then_import_through_the_cli(pair, capsys, tmp_path):
    sel, hq = pair
    out = tmp_path / "sel.qbundle"
    recipient = hq_recipient(capsys, hq)

    exported = run_cli(
        capsys, "--data-dir", str(sel.data_dir), "bundle", "export",
        "--recipient", recipient, "--out", str(out), "--json",
    )  # fmt: skip

    assert exported.code == 0, exported.err
    assert json.loads(exported.out)["counts"]["case"] == 3
    imported = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "import", str(out))
    assert imported.code == 0, imported.err
    assert "from SEL: " in imported.out
    assert "0 conflicts" in imported.out
    again = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "import", str(out))
    assert "was imported before; nothing changed" in again.out
    log = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "log", "--json")
    (entry,) = json.loads(log.out)
    assert (entry["direction"], entry["source_mission"]) == ("in", "SEL")
    conflicts = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "conflicts")
    assert conflicts.out.strip() == "No conflicts."


def test_an_export_in_parts_names_every_part_and_hq_imports_them(
    pair, capsys, tmp_path, monkeypatch
):
    sel, hq = pair
    monkeypatch.setattr(parts, "PART_FILE_BYTES", 50_000)
    ws = unlock(sel, "admin", PASSWORD)
    try:
        case_id = CaseService(ws).list_cases(CaseFilter(), limit=1)[0].id
        for n in range(3):
            CaseService(ws).add_attachment(case_id, f"scan-{n}.pdf", os.urandom(30_000))
    finally:
        ws.close()
    recipient = hq_recipient(capsys, hq)
    out = tmp_path / "sel.qbundle"
    export = ("--data-dir", str(sel.data_dir), "bundle", "export", "--recipient", recipient)

    shown = run_cli(capsys, *export, "--out", str(out))
    as_json = run_cli(capsys, *export, "--all", "--out", str(tmp_path / "all.qbundle"), "--json")

    assert shown.code == 0, shown.err
    written = [line for line in shown.out.splitlines() if line.startswith("Bundle ")]
    total = len(written)
    assert total >= 4 and f"written in {total} parts" in shown.out
    paths = [tmp_path / f"sel-{n}-of-{total}.qbundle" for n in range(1, total + 1)]
    assert all(str(path) in line for path, line in zip(paths, written, strict=True))
    summary = json.loads(as_json.out)
    assert summary["part"] == {"set_id": summary["bundle_id"], "number": 1, "count": total}
    assert [p["path"] for p in summary["parts"]] == [
        str(tmp_path / f"all-{n}-of-{total}.qbundle") for n in range(2, total + 1)
    ]
    for path in paths:
        imported = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "import", str(path))
        assert imported.code == 0, imported.err
    assert f"All {total} parts of this export from SEL are imported." in imported.out


def test_export_needs_a_recipient(pair, capsys, tmp_path):
    sel, _hq = pair
    result = run_cli(
        capsys, "--data-dir", str(sel.data_dir), "bundle", "export", "--out", str(tmp_path / "x")
    )
    assert result.code == 2
    assert "--recipient" in result.err


def _trust_as_hq(capsys, here: Paths, there: Paths, code: str | None = None) -> None:
    keys = json.loads(
        run_cli(capsys, "--data-dir", str(there.data_dir), "keys", "show", "--json").out
    )
    trusted = run_cli(
        capsys, "--data-dir", str(here.data_dir), "keys", "trust",
        code or keys["mission_code"], keys["signing_key"],
        "--age-recipient", keys["age_recipient"], "--hq",
    )  # fmt: skip
    assert trusted.code == 0, trusted.err


def test_export_takes_the_one_trusted_hq_key_without_recipient(pair, capsys, tmp_path):
    """As the Exchange area does: the mission trusts HQ's key, so it need not be typed."""
    sel, hq = pair
    _trust_as_hq(capsys, sel, hq)
    out = tmp_path / "sel.qbundle"

    exported = run_cli(
        capsys, "--data-dir", str(sel.data_dir), "bundle", "export", "--out", str(out)
    )

    assert exported.code == 0, exported.err
    imported = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "import", str(out))
    assert imported.code == 0, imported.err
    assert "from SEL: " in imported.out


def test_export_with_several_hq_keys_asks_which(pair, capsys, tmp_path):
    sel, hq = pair
    _trust_as_hq(capsys, sel, hq)
    other = make_site(tmp_path, "HQB", "KZ", "Astana", True)
    other.ws.close()
    _trust_as_hq(capsys, sel, other.paths)
    out = tmp_path / "sel.qbundle"

    result = run_cli(capsys, "--data-dir", str(sel.data_dir), "bundle", "export", "--out", str(out))

    assert result.code == 2
    assert "(AST, HQB)" in result.err and "--recipient" in result.err
    assert not out.exists()


def test_a_bad_recipient_is_one_clear_line(pair, capsys, tmp_path):
    sel, _hq = pair
    result = run_cli(
        capsys, "--data-dir", str(sel.data_dir), "bundle", "export",
        "--recipient", "age1nonsense", "--out", str(tmp_path / "x"),
    )  # fmt: skip
    assert result.code == 1
    assert result.err.strip() == (
        "qorgau: An age recipient starts with 'age1'; this one is not valid."
    )
    assert not (tmp_path / "x").exists()


def test_a_refused_import_exits_1(pair, capsys, tmp_path):
    _sel, hq = pair
    junk = tmp_path / "junk.qbundle"
    junk.write_bytes(b"age-encryption.org/v1\n-> X25519 nonsense\n")
    result = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "import", str(junk))
    assert result.code == 1
    assert result.err.startswith("qorgau: The bundle cannot be decrypted")
    # A folder given for the file was "internal error: [Errno 21] Is a directory".
    folder = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "import", str(tmp_path))
    assert folder.code == 1
    assert folder.err.strip() == (
        f"qorgau: {tmp_path} is a folder; choose the bundle file (.qbundle) in it."
    )


def test_keyring_identity_moves_the_hq_identity(pair, capsys, tmp_path):
    sel, hq = pair
    out = tmp_path / "sel.qbundle"
    recipient = hq_recipient(capsys, hq)
    moved = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "keyring-identity")
    assert moved.out.strip() == "The age identity is now kept in the system keyring."
    run_cli(
        capsys, "--data-dir", str(sel.data_dir), "bundle", "export",
        "--recipient", recipient, "--out", str(out),
    )  # fmt: skip
    imported = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "import", str(out))
    assert imported.code == 0, imported.err


def add_log_entries(paths: Paths, count: int) -> None:
    """``count`` bundles received long ago (an HQ of 80 missions receives hundreds a month)."""
    from datetime import UTC, datetime, timedelta

    from app.db.models import ExchangeLog

    ws = unlock(paths, "admin", PASSWORD)
    try:
        with ws.write() as session:
            start = datetime(2025, 1, 1, tzinfo=UTC)
            session.add_all(
                ExchangeLog(
                    bundle_id=f"00000000-0000-4000-8000-{n:012d}",
                    direction="in",
                    kind="delta",
                    source_mission="DXB",
                    created_at=start + timedelta(hours=n),
                )
                for n in range(count)
            )
    finally:
        ws.close()


def test_bundle_log_lists_every_bundle(pair, capsys):
    """It stopped at the newest 500 without saying so: at HQ a few weeks of bundles."""
    _sel, hq = pair
    add_log_entries(hq, 620)
    log = run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "log", "--json")
    entries = json.loads(log.out)
    assert len(entries) == 620
    assert entries[-1]["bundle_id"].endswith("000000000000")  # the oldest, last


def test_a_transfer_writes_a_notice_for_the_mission_that_held_the_cases(pair, capsys, tmp_path):
    sel, hq = pair
    out = tmp_path / "sel.qbundle"
    recipient = hq_recipient(capsys, hq)
    run_cli(
        capsys, "--data-dir", str(sel.data_dir), "bundle", "export",
        "--recipient", recipient, "--out", str(out),
    )  # fmt: skip
    run_cli(capsys, "--data-dir", str(hq.data_dir), "bundle", "import", str(out))
    hq_keys = json.loads(
        run_cli(capsys, "--data-dir", str(hq.data_dir), "keys", "show", "--json").out
    )
    marked = run_cli(
        capsys, "--data-dir", str(sel.data_dir), "keys", "trust", "AST",
        hq_keys["signing_key"], "--age-recipient", hq_keys["age_recipient"], "--hq",
    )  # fmt: skip
    assert marked.code == 0, marked.err
    dxb = make_site(tmp_path, "DXB", "AE", "Dubai")
    keys = KeyService(dxb.ws).own_keys()
    dxb.ws.close()
    ws = unlock(hq, "admin", PASSWORD)
    try:
        KeyService(ws).trust(keys.mission_code, keys.signing_key, keys.age_recipient)
    finally:
        ws.close()
    listed = run_cli(capsys, "--data-dir", str(sel.data_dir), "case", "list", "--json")
    number = json.loads(listed.out)["cases"][0]["number"]
    # Drafted at SEL before HQ moves the case: one left a draft, one approved.
    kept, approved = (
        run_cli(
            capsys, "--data-dir", str(sel.data_dir), "letter", "draft", number,
            "--kind", "hq_case_report", "--lang", lang,
        ).out.strip()
        for lang in ("ru", "en")
    )  # fmt: skip
    signs = ("user", "signature", "admin", "--position-en", "Ambassador")
    assert run_cli(capsys, "--data-dir", str(sel.data_dir), *signs).code == 0
    assert run_cli(capsys, "--data-dir", str(sel.data_dir), "letter", "approve", approved).code == 0
    transfer = tmp_path / "t.qbundle"

    to_holder = run_cli(
        capsys, "--data-dir", str(hq.data_dir), "bundle", "transfer", number,
        "--to", "SEL", "--out", str(transfer),
    )  # fmt: skip
    assert to_holder.code != 0 and f"Case {number} is already handled by SEL." in to_holder.err
    moved = run_cli(
        capsys, "--data-dir", str(hq.data_dir), "bundle", "transfer", number,
        "--to", "DXB", "--out", str(transfer), "--json",
    )  # fmt: skip

    assert moved.code == 0, moved.err
    listed = run_cli(
        capsys, "--data-dir", str(hq.data_dir), "case", "list", "--mission", "dxb", "--json"
    )
    assert [c["number"] for c in json.loads(listed.out)["cases"]] == [number]
    waiting = run_cli(
        capsys, "--data-dir", str(hq.data_dir), "case", "list", "--unassigned", "--json"
    )
    assert number in [c["number"] for c in json.loads(waiting.out)["cases"]]  # given out at DXB
    both = run_cli(
        capsys, "--data-dir", str(hq.data_dir), "case", "list", "--unassigned", "--officer", "x"
    )
    assert both.code == 2  # one or the other
    (notice,) = json.loads(moved.out)["notices"]
    assert (notice["target_mission"], notice["counts"]) == ("SEL", {"case": 1, "case_event": 1})
    told = run_cli(capsys, "--data-dir", str(sel.data_dir), "bundle", "import", notice["path"])
    assert told.code == 0, told.err
    assert f"transferred case {number} from SEL to DXB" in told.out
    refused = run_cli(
        capsys, "--data-dir", str(sel.data_dir), "letter", "draft", number,
        "--kind", "employer_letter", "--lang", "kk",
    )  # fmt: skip
    assert refused.code != 0 and "is handled by another mission now (DXB)" in refused.err
    # The draft made before the transfer is a record only: neither approved nor numbered.
    for action, letter_id in (("approve", kept), ("issue", approved)):
        acted = run_cli(capsys, "--data-dir", str(sel.data_dir), "letter", action, letter_id)
        assert acted.code == 1 and "is handled by another mission now (DXB)" in acted.err, action
    register = run_cli(capsys, "--data-dir", str(sel.data_dir), "letter", "list", "--json")
    statuses = sorted(row["status"] for row in json.loads(register.out))
    assert statuses == ["approved", "draft"]
    shown = run_cli(capsys, "--data-dir", str(sel.data_dir), "case", "show", number)
    assert shown.out.splitlines()[0] == f"{number}  Handled by DXB · read only"
    listed = run_cli(capsys, "--data-dir", str(sel.data_dir), "case", "list")
    assert any(line.startswith(f"{number}  Handled by DXB") for line in listed.out.splitlines())
    as_json = run_cli(capsys, "--data-dir", str(sel.data_dir), "case", "list", "--json")
    held = {c["number"]: c["held_by"] for c in json.loads(as_json.out)["cases"]}
    assert held[number] == "DXB" and set(held.values()) == {"DXB", None}


def test_trusting_a_new_key_for_a_mission_says_which_key_it_replaces(pair, capsys):
    # After a mission replaces its key (at a revocation) HQ trusts the new one; a slip of the
    # code typed would replace another mission's key just as quietly, so both are said.
    sel, hq = pair
    old = json.loads(run_cli(capsys, "--data-dir", str(sel.data_dir), "keys", "show", "--json").out)
    rotated = run_cli(capsys, "--data-dir", str(sel.data_dir), "keys", "rotate")
    assert rotated.code == 0, rotated.err
    new = json.loads(run_cli(capsys, "--data-dir", str(sel.data_dir), "keys", "show", "--json").out)
    trusted = run_cli(
        capsys, "--data-dir", str(hq.data_dir), "keys", "trust", "SEL", new["signing_key"]
    )
    assert trusted.code == 0, trusted.err
    assert f"Fingerprint: {fingerprint(new['signing_key'])}" in trusted.out
    assert (
        f"It replaces the key of SEL trusted before (fingerprint "
        f"{fingerprint(old['signing_key'])}): bundles signed with that key are refused from now on."
    ) in trusted.out
    again = run_cli(
        capsys, "--data-dir", str(hq.data_dir), "keys", "trust", "SEL", new["signing_key"]
    )
    assert "It replaces" not in again.out  # the same key again replaces nothing
