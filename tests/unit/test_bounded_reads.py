"""Files whose size the file system does not know: a FIFO (or /dev/zero) reports 0 bytes and
was read without a limit by the audit head file's and the letter check's readers."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import ValidationError
from app.services import audit_log, letters
from app.services.audit_log import read_head_file
from app.services.letters import LetterService
from app.untrusted import read_at_most
from tests.conftest import OpenWs

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")

LIMIT = 100
SENT = 256 * 1024  # far more than the limit: read whole, it is refused for another reason


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[tuple[Path, list[int]]]:
    """A FIFO fed ``SENT`` bytes of JSON-looking text; how many bytes went in is recorded."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    written: list[int] = []

    def feed() -> None:
        done = 0
        try:
            with path.open("wb", buffering=0) as pipe:
                while done < SENT:
                    done += pipe.write(b" " * min(4096, SENT - done))
        except BrokenPipeError:
            pass  # the reader stopped at its limit
        written.append(done)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    yield path, written
    if writer.is_alive():  # the reader never opened it: let the writer go (never blocks)
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    writer.join(timeout=5)


def test_read_at_most_stops_after_the_limit(fifo: tuple[Path, list[int]]) -> None:
    path, written = fifo
    assert read_at_most(path, LIMIT) is None
    for _tick in range(50):
        if written:
            break
        time.sleep(0.1)
    assert written and written[0] < SENT  # the pipe's buffer at most, not all that was sent


def test_a_head_file_that_is_a_fifo_is_refused_as_too_large(
    fifo: tuple[Path, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _written = fifo
    monkeypatch.setattr(audit_log, "MAX_HEAD_FILE_BYTES", LIMIT)
    with pytest.raises(ValidationError) as refused:
        read_head_file(path)
    assert str(refused.value) == "The head file is too large."


def test_a_letter_to_check_that_is_a_fifo_is_refused_as_too_large(
    fifo: tuple[Path, list[int]], monkeypatch: pytest.MonkeyPatch, open_ws: OpenWs
) -> None:
    path, _written = fifo
    monkeypatch.setattr(letters, "MAX_VERIFY_BYTES", LIMIT)
    with pytest.raises(ValidationError) as refused:
        LetterService(open_ws("serik")).verify_file(path)
    assert str(refused.value) == f"{path} is too large to be a letter."


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_read_only_as_far_as_the_limit() -> None:
    assert read_at_most(Path("/dev/zero"), LIMIT) is None
    with pytest.raises(ValidationError, match="too large"):
        read_head_file(Path("/dev/zero"))  # 64 KiB and one byte read, not memory
