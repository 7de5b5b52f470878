"""Export streams: records are encoded into the encrypted spool while later rows are still
being read, so memory holds a batch, never an entity's rows or the bundle (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.exchange import package, spool, sqljson
from app.exchange.records import Codec
from app.services import exchange
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site

sites, hq, sel = shared.sites, shared.hq, shared.sel


@pytest.mark.parametrize("lines_by", ["sqlite", "python"])
def test_records_are_spooled_while_later_rows_are_still_read(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines_by: str
) -> None:
    """Both ways of making record lines stream: SQLite's (``record_chunks``, where the engine
    is SQLite) and Python's (``_collect``, the other engines')."""
    events: list[str] = []
    write = spool.EncryptedSpool.write

    def spooling(self: spool.EncryptedSpool, data: Any) -> int:
        events.append("spool")
        return write(self, data)

    if lines_by == "sqlite":
        if sel.ws.db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite writes the record lines only on SQLite")
        record_chunks = exchange.record_chunks

        def chunked(connection: Any, entity: Any, where: Any) -> Any:
            chunks = record_chunks(connection, entity, where)
            assert chunks is not None
            for chunk in chunks:
                events.extend([f"read {entity.name}"] * chunk.lines)
                yield chunk

        monkeypatch.setattr(sqljson, "CHUNK", 2)
        monkeypatch.setattr(exchange, "record_chunks", chunked)
    else:
        to_record = Codec.to_record

        def reading(codec: Codec, values: Any) -> dict[str, Any]:
            events.append(f"read {codec.entity.name}")
            return to_record(codec, values)

        monkeypatch.setattr(exchange, "record_chunks", lambda *_args: None)
        monkeypatch.setattr(exchange, "BATCH", 2)
        monkeypatch.setattr(Codec, "to_record", reading)
    monkeypatch.setattr(package, "_PIECE", 1)  # every line its own piece
    monkeypatch.setattr(package, "_AHEAD", 0)  # each piece spooled before the next is read
    monkeypatch.setattr(spool.EncryptedSpool, "write", spooling)

    summary = sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])

    reads = [i for i, e in enumerate(events) if e == "read case"]
    assert len(reads) == summary.counts["case"] == 6
    # The first cases went to the spool before the last ones were read.
    assert "spool" in events[reads[0] : reads[-1]]
    report = hq.exchange.import_bundle(summary.path)
    assert report.new == summary.records - summary.counts["mission"]  # its info merges
