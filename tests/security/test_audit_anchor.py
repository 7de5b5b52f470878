"""Item 9: the audit chain is anchored at HQ by the signed head carried in every bundle.

Attacks replayed at a mission (SEL) by someone holding its database key (and so its signing
key): cut the tail of the audit log and lower the counter; edit an entry and recompute the
whole chain (and the locally kept head); send a bundle with the head stripped. Each passes the
plain chain check on the mission's own database, and each is refused at HQ with HQ's data
folder byte-for-byte unchanged, and found by ``audit verify --head`` against HQ's copy.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyrage
import pytest
from sqlalchemy import delete, select, update

from app.db.models import AuditEntry, AuditHead, CaseEvent, Counter, LocalSecret
from app.errors import IntegrityError, ValidationError
from app.exchange.package import build_payload
from app.security import audit, audit_anchor
from app.security.audit_anchor import AuditHistoryRewritten
from app.services.audit_log import AuditLogService
from app.services.cases import CaseService
from app.services.exchange import ExchangeService
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.integration.test_exchange import Site, hq_and_sel, opened, secret
from tests.security.forge import unchanged

Export = Callable[..., Path]
Pair = tuple[Site, Site]


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    """A mission (SEL) with a few cases, and HQ; each trusts the other's keys."""
    with hq_and_sel(tmp_path, 3, seed=11) as (hq, sel):
        yield sel, hq


@pytest.fixture
def export(pair: Pair, tmp_path: Path) -> Export:
    sel, hq = pair

    def _export(name: str, all_changes: bool = False) -> Path:
        out = tmp_path / f"{name}.qbundle"
        ExchangeService(sel.ws).export_cases(out, [hq.recipient], all_changes=all_changes)
        return out

    return _export


@pytest.fixture
def sent(pair: Pair, export: Export) -> Pair:
    """The pair once SEL's first bundle has reached HQ."""
    _sel, hq = pair
    ExchangeService(hq.ws).import_bundle(export("first"))
    return pair


def touch_a_case(site: Site) -> None:
    """An ordinary change, so that the next export has something to carry."""
    service = CaseService(site.ws)
    case = service.list_cases()[0]
    service.add_event(case.id, "note", "Called the employer again.")


def assert_refused_unchanged(hq: Site, bundle: Path, message: str) -> None:
    with unchanged(hq), pytest.raises(IntegrityError, match=message):
        ExchangeService(hq.ws).import_bundle(bundle)


def chain_passes_locally(site: Site) -> bool:
    with site.ws.read() as session:
        _count, problems = audit.verify(session)
    return not problems


def recompute_chain(site: Site, start: int) -> None:
    """What an attacker does after editing an entry: every later hash made consistent again."""
    with site.ws.write() as session:
        prev = (
            session.execute(
                select(AuditEntry.hash).where(AuditEntry.seq == start - 1)
            ).scalar_one_or_none()
            or audit.GENESIS
        )
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.seq >= start).order_by(AuditEntry.seq)
        ).scalars()
        for row in rows:
            row.prev_hash = prev
            row.hash = audit.entry_hash(
                row.seq, row.at, row.actor, row.action, row.entity, row.entity_id,
                row.details, prev,
            )  # fmt: skip
            prev = row.hash


def resign_local_head(site: Site) -> None:
    """The attacker also rewrites the head kept locally at the last export (they can)."""
    with site.ws.write() as session:
        pem = bytes(session.get(LocalSecret, "signing_key").value)
        row = session.get(AuditHead, site.ws.mission_code)
        if row is None:
            return
        entry = session.get(AuditEntry, row.seq)
        if entry is None:
            last = session.execute(
                select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)
            ).scalar_one()
            entry = last
        head = audit_anchor.sign_head(session, pem, site.ws.mission_code)
        row.seq, row.hash = entry.seq, entry.hash
        row.signed_at, row.signature = head.signed_at, head.signature


def cut_tail(site: Site, keep: int) -> None:
    with site.ws.write() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq > keep))
        session.execute(update(Counter).where(Counter.name == "audit_seq").values(value=keep))


def edit_entry(site: Site, seq: int) -> None:
    with site.ws.write() as session:
        entry = session.get(AuditEntry, seq)
        entry.details = {**entry.details, "note": "nothing happened here"}
        entry.actor = "someone-else"
    recompute_chain(site, seq)


def held(hq: Site, code: str = "SEL") -> tuple[int, str]:
    with hq.ws.read() as session:
        row = session.get(AuditHead, code)
        return row.seq, row.hash


# -- the anchor works -------------------------------------------------------------------------


def test_every_bundle_carries_a_signed_head_that_hq_keeps(
    pair: Pair,
    export: Export,
) -> None:
    sel, hq = pair
    first = export("first")
    report = ExchangeService(hq.ws).import_bundle(first)
    assert report.warnings == ()
    with sel.ws.read() as session:
        own = session.get(AuditHead, "SEL")
        assert own is not None
    assert held(hq) == (own.seq, own.hash)
    touch_a_case(sel)
    second = export("second")
    assert ExchangeService(hq.ws).import_bundle(second).warnings == ()
    assert held(hq)[0] > own.seq
    assert AuditLogService(sel.ws).verify().ok


def test_hq_head_file_verifies_the_mission_chain_through_the_cli(
    sent: Pair,
    tmp_path: Path,
    capsys,
    monkeypatch,
) -> None:
    sel, hq = sent
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    head_file = tmp_path / "sel-head.json"
    written = run_cli(
        capsys, "--data-dir", str(hq.paths.data_dir), "audit", "head", "SEL",
        "--out", str(head_file),
    )  # fmt: skip
    assert written.code == 0, written.err
    ok = run_cli(
        capsys, "--data-dir", str(sel.paths.data_dir), "audit", "verify", "--head", str(head_file)
    )
    assert ok.code == 0, ok.err
    assert "It contains the head signed by headquarters' copy" in ok.out

    edit_entry(sel, 2)
    resign_local_head(sel)
    assert chain_passes_locally(sel)  # the old check is fooled
    bad = run_cli(
        capsys, "--data-dir", str(sel.paths.data_dir), "audit", "verify", "--head", str(head_file)
    )
    assert bad.code == 1
    assert "differs from the one signed earlier: the history has been rewritten" in bad.out


def cut_after_sending(sel: Site, hq: Site) -> int:
    """SEL, its history sent to HQ, loses its last three audit entries (a restore).
    Returns the head's number HQ holds."""
    seq, _hash = held(hq)
    cut_tail(sel, seq - 3)
    return seq


# -- attacks ----------------------------------------------------------------------------------


def test_an_older_bundle_imported_after_a_newer_one_goes_in(
    sent: Pair,
    export: Export,
) -> None:
    """Two bundles from SEL arrived together and the later went in first. The earlier one was
    refused as a rewritten history (its head lower than the one held), and its changes, which
    the later bundle does not carry, could not reach HQ at all."""
    sel, hq = sent
    touch_a_case(sel)
    earlier = export("earlier")
    touch_a_case(sel)
    later = export("later")
    ExchangeService(hq.ws).import_bundle(later)
    newest = held(hq)

    report = ExchangeService(hq.ws).import_bundle(earlier)

    assert report.per_entity["case_event"]["new"] == 1  # the note only the earlier one carries
    assert held(hq) == newest  # the head held stays the newest
    touch_a_case(sel)
    ExchangeService(hq.ws).import_bundle(export("next"))  # links on as before


def test_cut_tail_and_lowered_counter_is_refused_at_hq(
    sent: Pair,
    export: Export,
) -> None:
    sel, hq = sent
    cut_after_sending(sel, hq)
    resign_local_head(sel)
    assert chain_passes_locally(sel)
    assert AuditLogService(sel.ws).verify().ok  # the local copy of the head was rewritten too
    bundle = export("after-cut")
    assert_refused_unchanged(hq, bundle, "audit history of SEL has been rewritten")


def test_cut_tail_then_new_activity_is_refused_at_hq(
    sent: Pair,
    export: Export,
) -> None:
    sel, hq = sent
    cut_after_sending(sel, hq)
    for _ in range(5):  # the chain grows past the head HQ holds
        touch_a_case(sel)
    resign_local_head(sel)
    assert chain_passes_locally(sel)
    assert_refused_unchanged(hq, export("regrown"), r"entry \d+ has changed")


def test_edited_entry_with_recomputed_chain_is_refused_at_hq(
    sent: Pair,
    export: Export,
    tmp_path: Path,
) -> None:
    sel, hq = sent
    first = sel.exchange.exchange_log()[0].bundle_id
    edit_entry(sel, 2)
    resign_local_head(sel)
    touch_a_case(sel)
    assert chain_passes_locally(sel)
    assert_refused_unchanged(hq, export("edited"), r"entry \d+ has changed")
    # Even a full re-send cannot hide it: entry 2 itself is checked against HQ's hash.
    assert_refused_unchanged(hq, export("edited-all", True), "entry 2 has changed")
    # Nor sending again what followed HQ's last bundle: it carries the chain from 1 as well.
    again = tmp_path / "edited-again.qbundle"
    sel.exchange.export_cases(again, [hq.recipient], after_bundle=first)
    assert_refused_unchanged(hq, again, "entry 2 has changed")


def _rewrap(sel: Site, hq: Site, bundle: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """What SEL's key holder can do: open its own bundle, change the manifest, sign again."""
    pem = secret(sel, "signing_key")
    with zipfile.ZipFile(io.BytesIO(opened(bundle, sel))) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    manifest = json.loads(members.pop("manifest.json"))
    members.pop("manifest.sig")
    change(manifest)
    records = {
        n[len("records/") : -len(".jsonl")]: d
        for n, d in members.items()
        if n.startswith("records/")
    }
    files = {n[len("files/") :]: d for n, d in members.items() if n.startswith("files/")}
    out = bundle.with_name("rewrapped-" + bundle.name)
    rebuilt = build_payload(manifest, records, files, pem)
    out.write_bytes(pyrage.encrypt(rebuilt, [pyrage.x25519.Recipient.from_str(hq.recipient)]))
    return out


def test_a_bundle_without_its_head_is_refused_once_heads_were_sent(
    sent: Pair,
    export: Export,
) -> None:
    sel, hq = sent
    touch_a_case(sel)
    stripped = _rewrap(sel, hq, export("second"), lambda m: m.pop("audit_head"))
    assert_refused_unchanged(hq, stripped, "carries no audit head, earlier ones did")


def _unsign_head(manifest: dict[str, Any]) -> None:
    manifest["audit_head"]["signature"] = base64.b64encode(bytes(64)).decode()


def _drop_middle_entry(manifest: dict[str, Any]) -> None:
    del manifest["audit_head"]["entries"][1]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_unsign_head, "audit head is not signed by SEL"),
        (_drop_middle_entry, "do not form a chain"),
    ],
)
def test_a_head_changed_after_signing_is_refused(
    pair: Pair,
    export: Export,
    tamper: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    """A head whose signature is not SEL's, or whose entries do not chain to it."""
    sel, hq = pair
    assert_refused_unchanged(hq, _rewrap(sel, hq, export("first"), tamper), message)


def test_an_unlinkable_bundle_is_flagged_loudly_and_all_closes_the_gap(
    sent: Pair,
    export: Export,
) -> None:
    sel, hq = sent
    touch_a_case(sel)
    export("lost")  # never reaches HQ
    touch_a_case(sel)
    report = ExchangeService(hq.ws).import_bundle(export("third"))
    assert len(report.warnings) == 1
    assert "were never received" in report.warnings[0]
    with hq.ws.read() as session:
        flagged = (
            session.execute(select(AuditEntry).where(AuditEntry.action == "audit.head_unlinked"))
            .scalars()
            .all()
        )
    assert [e.entity_id for e in flagged] == ["SEL"]
    touch_a_case(sel)
    assert ExchangeService(hq.ws).import_bundle(export("full", True)).warnings == ()


def notes_held(site: Site) -> int:
    """How many of ``touch_a_case``'s notes ``site`` holds."""
    with site.ws.read() as session:
        return len(
            session.execute(
                select(CaseEvent.id).where(CaseEvent.text == "Called the employer again.")
            ).all()
        )


def test_a_lost_bundle_is_sent_again_after_the_last_one_hq_received(
    sent: Pair, tmp_path: Path
) -> None:
    """Everything (``--all``) may be more than a bundle holds at a mission of many documents:
    HQ's warning names the last bundle it received, and the mission sends again what came
    after it, the lost bundle's changes with the rest, linked to HQ's audit head again."""
    sel, hq = sent
    first = sel.exchange.exchange_log()[0].bundle_id
    touch_a_case(sel)
    sel.exchange.export_cases(tmp_path / "lost.qbundle", [hq.recipient])  # never arrives
    touch_a_case(sel)
    sel.exchange.export_cases(tmp_path / "third.qbundle", [hq.recipient])
    warnings = hq.exchange.import_bundle(tmp_path / "third.qbundle").warnings
    assert len(warnings) == 1
    assert f"--after-bundle {first[:8]}" in warnings[0]
    assert (notes_held(sel), notes_held(hq)) == (2, 1)

    again = tmp_path / "again.qbundle"
    summary = sel.exchange.export_cases(again, [hq.recipient], after_bundle=first[:8].upper())
    assert (
        summary.records
        < sel.exchange.export_cases(
            tmp_path / "all.qbundle", [hq.recipient], all_changes=True
        ).records
    )  # only what followed the first bundle
    assert hq.exchange.import_bundle(again).warnings == ()
    assert notes_held(hq) == 2
    touch_a_case(sel)  # and the bundles after it link as usual
    sel.exchange.export_cases(tmp_path / "next.qbundle", [hq.recipient])
    assert hq.exchange.import_bundle(tmp_path / "next.qbundle").warnings == ()


def test_the_command_line_sends_again_after_a_bundle(
    sent: Pair, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sel, hq = sent
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    first = sel.exchange.exchange_log()[0].bundle_id[:8]
    touch_a_case(sel)
    common = ("--data-dir", str(sel.paths.data_dir), "bundle", "export")
    common += ("--recipient", hq.recipient)
    both = run_cli(capsys, *common, "--all", "--after-bundle", first, "--out", "x.qbundle")
    assert both.code == 2 and "not allowed with argument" in both.err
    again = tmp_path / "again.qbundle"
    done = run_cli(capsys, *common, "--after-bundle", first, "--out", str(again), "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["records"] > 0
    assert hq.exchange.import_bundle(again).warnings == ()
    assert notes_held(hq) == 1


@pytest.mark.parametrize(
    ("named", "message"),
    [
        ("abc", "at least the first 8 characters"),
        ("ffffffff-0000", "No bundle ffffffff-0000 was sent from here"),
        ("%%%%%%%%", "No bundle %%%%%%%% was sent from here"),  # not a LIKE pattern
    ],
)
def test_sending_again_after_a_bundle_not_sent_from_here_is_refused(
    sent: Pair, tmp_path: Path, named: str, message: str
) -> None:
    sel, hq = sent
    out = tmp_path / "again.qbundle"
    with pytest.raises(ValidationError, match=message):
        sel.exchange.export_cases(out, [hq.recipient], after_bundle=named)
    with pytest.raises(ValidationError, match="either everything or"):
        sel.exchange.export_cases(out, [hq.recipient], all_changes=True, after_bundle=named)
    assert not out.exists()
    assert len(sel.exchange.exchange_log()) == 1


def test_forget_head_lets_a_restarted_history_in_and_is_audited(
    sent: Pair,
    export: Export,
) -> None:
    sel, hq = sent
    seq = cut_after_sending(sel, hq)
    bundle = export("after-restore")
    with pytest.raises(AuditHistoryRewritten):
        ExchangeService(hq.ws).import_bundle(bundle)
    forgotten = AuditLogService(hq.ws).forget_head("SEL")
    assert forgotten.seq == seq
    ExchangeService(hq.ws).import_bundle(bundle)
    with hq.ws.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "audit.head_forgotten")
        ).scalar_one()
    assert entry.details["seq"] == seq
