"""OS errors said in the user's language, the path kept (app/os_errors.py)."""

from __future__ import annotations

import errno
import os

import pytest

from app import os_errors
from app.os_errors import os_error_reason, os_error_text


def _error(code: int, path: str = "/media/stick/report.pdf") -> OSError:
    return OSError(code, os.strerror(code), path)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOENT, "no such file or folder"),
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "permission denied"),
        (errno.ENOSPC, "no space left on the disk"),
        (errno.EISDIR, "it is a folder, not a file"),
        (errno.EROFS, "the disk is read only"),
    ],
)
def test_common_errors_are_said_in_words_of_the_app(code: int, reason: str) -> None:
    assert os_error_reason(_error(code)) == reason
    assert os_error_text(_error(code)) == f"{reason}: /media/stick/report.pdf"


def test_the_words_go_through_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Translated when said: a Kazakh message no longer quotes the system's English."""
    monkeypatch.setattr(os_errors, "_", lambda text: f"«{text}»")
    assert os_error_reason(_error(errno.ENOENT)) == "«no such file or folder»"


def test_a_rare_error_keeps_the_systems_text_and_no_errno() -> None:
    rare = _error(errno.ELOOP)
    assert os_error_text(rare) == f"{os.strerror(errno.ELOOP)}: /media/stick/report.pdf"
    assert "Errno" not in os_error_text(rare)


def test_an_error_without_a_path_or_errno_is_its_own_text() -> None:
    assert os_error_text(OSError(errno.ENOSPC, "No space left on device")) == (
        "no space left on the disk"
    )
    assert os_error_reason(ValueError("not UTF-8")) == "not UTF-8"
