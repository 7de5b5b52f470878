"""Export streams: records are encoded into the encrypted spool while later rows are still
being read, so memory holds a batch, never an entity's rows or the bundle (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.exchange import package, spool
from app.exchange.records import Codec
from app.services import exchange
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site

sites, hq, sel = shared.sites, shared.hq, shared.sel


def test_records_are_spooled_while_later_rows_are_still_read(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    to_record, write = Codec.to_record, spool.EncryptedSpool.write

    def reading(codec: Codec, values: Any) -> dict[str, Any]:
        events.append(f"read {codec.entity.name}")
        return to_record(codec, values)

    def spooling(self: spool.EncryptedSpool, data: Any) -> int:
        events.append("spool")
        return write(self, data)

    monkeypatch.setattr(exchange, "BATCH", 2)
    monkeypatch.setattr(package, "_PIECE", 1)  # every line its own piece
    monkeypatch.setattr(package, "_AHEAD", 0)  # each piece spooled before the next is read
    monkeypatch.setattr(Codec, "to_record", reading)
    monkeypatch.setattr(spool.EncryptedSpool, "write", spooling)

    summary = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])

    reads = [i for i, e in enumerate(events) if e == "read case"]
    assert len(reads) == summary.counts["case"] == 6
    # The first cases went to the spool before the last ones were read.
    assert "spool" in events[reads[0] : reads[-1]]
    report = hq.exchange.import_bundle(summary.path)
    assert report.new == summary.records - summary.counts["mission"]  # its info merges
