"""Export reads from a snapshot: other users read and write while it runs, and nothing they
change is lost (it travels in this bundle or the next)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Case, ExchangeLog
from app.errors import ValidationError
from app.exchange.records import ENTITIES
from app.services.cases import CaseService
from app.services.exchange import ExportSummary
from app.services.installation import unlock
from app.services.records import CaseChanges
from tests.conftest import PASSWORD
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site, first_case_id

# The two-site fixtures of the exchange tests, used here by name.
sites, hq, sel = shared.sites, shared.hq, shared.sel

OTHER_USER_BUDGET_S = 2.0  # busy_timeout is 15 s: a blocked writer would take far longer


def assert_nothing_exported(site: Site, out: Path) -> None:
    """No bundle under its name or the half-written one's, and no export recorded."""
    assert not out.exists() and not out.with_name(out.name + ".part").exists()
    with site.ws.read() as session:
        assert session.execute(select(ExchangeLog)).first() is None


def _holding_at(step: Callable[[int, str], bool], held: threading.Event, go: threading.Event):
    def progress(done: int, _total: int, text: str) -> None:
        if step(done, text) and not held.is_set():
            held.set()
            assert go.wait(60), "the test never let the export go on"

    return progress


@pytest.mark.parametrize(
    "step",
    [
        pytest.param(lambda done, _text: done == 1, id="while-collecting"),
        pytest.param(lambda done, _text: done == len(ENTITIES), id="while-packing"),
    ],
)
def test_export_lets_others_read_and_write_and_loses_nothing(
    sel: Site, hq: Site, tmp_path: Path, step: Callable[[int, str], bool]
) -> None:
    case_id = first_case_id(sel)
    other = unlock(sel.paths, "admin", PASSWORD)  # another user of the same data folder
    held, go = threading.Event(), threading.Event()
    summaries: list[ExportSummary] = []
    errors: list[BaseException] = []

    def export() -> None:
        try:
            summaries.append(
                sel.exchange.export_cases(
                    tmp_path / "1.qbundle", [hq.recipient], progress=_holding_at(step, held, go)
                )
            )
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    exporter = threading.Thread(target=export)
    exporter.start()
    try:
        assert held.wait(60), "the export never reached the step to hold at"
        began = time.monotonic()
        shown = CaseService(other).get_case(case_id)  # `case show`
        CaseService(other).update_case(case_id, CaseChanges(description="Changed mid-export."))
        elapsed = time.monotonic() - began
    finally:
        go.set()
        exporter.join(120)
        other.close()
    assert not errors, errors
    assert elapsed < OTHER_USER_BUDGET_S
    (first,) = summaries
    assert shown.number and first.counts["case"] == 6

    second = sel.exchange.export_cases(tmp_path / "2.qbundle", [hq.recipient])

    # The change committed during the first export is after its snapshot: the next one has it.
    assert second.change_from == first.change_to
    assert second.counts.get("case") == 1
    for name in ("1.qbundle", "2.qbundle"):
        hq.exchange.import_bundle(tmp_path / name)
    assert hq.cases.get_case(case_id).description == "Changed mid-export."
    with sel.ws.read() as session:
        logged = session.execute(
            select(ExchangeLog.change_seq_from, ExchangeLog.change_seq_to).order_by(
                ExchangeLog.change_seq_to
            )
        ).all()
        newest = session.execute(select(Case.change_seq).where(Case.id == case_id)).scalar_one()
    assert [tuple(r) for r in logged] == [
        (0, first.change_to),
        (first.change_to, second.change_to),
    ]
    assert first.change_to < newest <= second.change_to


def test_a_failed_log_write_leaves_no_bundle_behind(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import exchange

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(exchange.ExchangeService, "_record_export", refuse)
    out = tmp_path / "1.qbundle"

    with pytest.raises(RuntimeError):
        sel.exchange.export_cases(out, [hq.recipient])

    assert not out.exists()
    with sel.ws.read() as session:
        assert session.execute(select(ExchangeLog)).first() is None


def test_a_full_disk_while_spooling_is_told_and_leaves_nothing(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spool is written on the deflating thread: its failure still reaches the caller."""
    import errno

    from app.exchange import package, spool

    def full(*_args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(package, "_AHEAD", 0)
    monkeypatch.setattr(spool.EncryptedSpool, "write", full)
    out = tmp_path / "1.qbundle"

    with pytest.raises(ValidationError, match="no space left on the disk"):
        sel.exchange.export_cases(out, [hq.recipient])

    assert_nothing_exported(sel, out)


def test_a_full_disk_under_the_bundle_file_is_told_and_leaves_nothing(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills as the encrypted file is written: pyrage wraps what its writer raises
    in its own error, which reached the user as an "internal error"; it is the disk's."""
    import errno
    import io

    real_open = Path.open

    class FullDisk(io.RawIOBase):
        def __init__(self, handle: io.BufferedWriter) -> None:
            super().__init__()
            self.handle = handle

        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            self.handle.close()
            super().close()

    def opening(path: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]
        return FullDisk(handle) if path.name.endswith(".part") else handle

    monkeypatch.setattr(Path, "open", opening)
    out = tmp_path / "1.qbundle"

    with pytest.raises(ValidationError, match="no space left on the disk"):
        sel.exchange.export_cases(out, [hq.recipient])

    assert_nothing_exported(sel, out)


def test_ctrl_c_while_the_bundle_is_written_leaves_nothing(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C halfway through the encrypted file: no half bundle under either name (one that
    looked like a bundle would be sent and refused), and no export recorded."""
    from app.exchange import package

    def interrupted(*_args: object) -> Iterator[bytes]:
        yield b"PK"  # the file is begun, then the person presses Ctrl+C
        raise KeyboardInterrupt

    monkeypatch.setattr(package.MemberSpool, "stored", interrupted)
    out = tmp_path / "1.qbundle"

    with pytest.raises(KeyboardInterrupt):
        sel.exchange.export_cases(out, [hq.recipient])

    assert_nothing_exported(sel, out)


@pytest.mark.parametrize(
    ("attack", "message"),
    [("disk", "Input/output error"), ("size", "larger than 4 GiB")],
)
def test_a_failure_while_the_zip_is_encrypted_is_told_and_leaves_nothing(
    sel: Site,
    hq: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    attack: str,
    message: str,
) -> None:
    """The ZIP is made as age reads it: an error there (the spool unreadable, the archive past
    what an importer accepts) reaches the user as itself, not as pyrage's wrapper."""
    import errno

    from app.exchange import package, zipstream

    if attack == "disk":

        def unreadable(*_args: object) -> Iterator[bytes]:
            raise OSError(errno.EIO, "Input/output error")
            yield b""  # pragma: no cover - a generator, as the real one

        monkeypatch.setattr(package.MemberSpool, "stored", unreadable)
    else:
        monkeypatch.setattr(zipstream, "_LIMIT", 2048)  # as if the records passed 4 GiB
    out = tmp_path / "1.qbundle"

    with pytest.raises(ValidationError, match=message):
        sel.exchange.export_cases(out, [hq.recipient])

    assert_nothing_exported(sel, out)


def test_a_bundle_an_importer_would_refuse_is_not_written(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member past the importer's ceiling (a very large mission's case records) is refused
    at export, in the importer's words, instead of travelling to HQ to be refused there."""
    import dataclasses

    from app.exchange import package

    tight = dataclasses.replace(package.DEFAULT_LIMITS, max_member_bytes=64)
    monkeypatch.setattr(package, "DEFAULT_LIMITS", tight)
    out = tmp_path / "1.qbundle"

    with pytest.raises(ValidationError, match=r"No installation would accept.*records/.*larger"):
        sel.exchange.export_cases(out, [hq.recipient])
    # Everything, too large: the message says what to send instead when a bundle was missed.
    with pytest.raises(ValidationError, match=r"No bundle was written\. If headquarters missed"):
        sel.exchange.export_cases(out, [hq.recipient], all_changes=True)

    assert_nothing_exported(sel, out)
