"""An operating-system error in the user's language.

Python's ``str(OSError)`` and ``strerror`` are the system's English ("[Errno 2] No such file
or directory: 'x'"), which a Kazakh or Russian message would quote as is. The errors an
officer meets (a missing folder, a read-only stick, a full disk) are said in the interface's
language; rarer ones keep the system's text, which still names the cause.
"""

from __future__ import annotations

import errno

from app.i18n import _

# errno -> a function returning the reason, translated when it is called.
_REASONS = {
    errno.ENOENT: lambda: _("no such file or folder"),
    errno.ENOTDIR: lambda: _("a part of the path is not a folder"),
    errno.EACCES: lambda: _("permission denied"),
    errno.EPERM: lambda: _("permission denied"),
    errno.ENOSPC: lambda: _("no space left on the disk"),
    getattr(errno, "EDQUOT", errno.ENOSPC): lambda: _("no space left on the disk"),
    errno.EISDIR: lambda: _("it is a folder, not a file"),
    errno.EROFS: lambda: _("the disk is read only"),
}


def os_error_reason(exc: BaseException) -> str:
    """Why ``exc`` happened, without the path: for a message that names the path itself."""
    if isinstance(exc, OSError):
        reason = _REASONS.get(exc.errno or -1)
        if reason is not None:
            return reason()
        if exc.strerror:
            return exc.strerror
    return str(exc)


def os_error_text(exc: BaseException) -> str:
    """Why ``exc`` happened, and the path it happened to: for a message that names none."""
    reason = os_error_reason(exc)
    filename = getattr(exc, "filename", None)
    if isinstance(exc, OSError) and exc.strerror and filename is not None:
        return _("{reason}: {path}").format(reason=reason, path=filename)
    return reason
