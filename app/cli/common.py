"""What the subcommands share: credentials, opening the workspace, printing."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from app.config import Paths, resolve_paths
from app.db import MIGRATION_NOTICE
from app.domain.coarse import Coarse
from app.errors import QorgauError, UsageError, ValidationError
from app.i18n import N_, _
from app.os_errors import os_error_reason
from app.untrusted import json_from_outside, read_at_most

if TYPE_CHECKING:  # the services load with the command that opens a workspace, not before
    from app.services.workspace import Workspace

T = TypeVar("T")

USER_ENV = "QORGAU_USER"
PASSWORD_ENV = "QORGAU_PASSWORD"
INTERRUPTED = 130  # a shell's status for a command ended by Ctrl+C (128 + SIGINT)
READER_GONE = 141  # a shell's status for a command whose reader closed the pipe (128 + SIGPIPE)


def add_actions(group: argparse.ArgumentParser) -> Any:
    """The subparsers of a command made of actions (``qorgau case list``), to which each action
    is added; the one chosen is ``args.<command>_command``. The command itself stays
    ``commands.add_parser("name", ...)`` in its module: ``command_owners`` reads that."""
    name = group.prog.split()[-1]
    return group.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)


def paths_of(args: argparse.Namespace) -> Paths:
    return resolve_paths(args.data_dir)


def _prompt(label: str, secret: bool, variables: str) -> str:
    """``label`` asked at the terminal; without one, which environment ``variables`` to set."""
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError(
            _("There is no terminal to type «{what}» in; set {variables}.").format(
                what=label, variables=variables
            )
        )
    return getpass.getpass(f"{label}: ") if secret else input(f"{label}: ")


def credentials(username: str = "") -> tuple[str, str]:
    both = f"{USER_ENV}, {PASSWORD_ENV}"
    username = (
        username
        or os.environ.get(USER_ENV)
        or _prompt(_("User name"), secret=False, variables=both)
    )
    password = os.environ.get(PASSWORD_ENV) or _prompt(_("Password"), secret=True, variables=both)
    return username.strip(), password


def with_server_password(url: str) -> str:
    """An administrator's server address (``hq setup-database``, ``add-user``, ``grants``)
    with the account's password in it when the server asks for one that libpq does not find
    (no PGPASSWORD, no password file): from QORGAU_PASSWORD or typed, as ``init`` asks for it.
    Before, such a documented address failed as "the server cannot be reached"."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.username or parsed.password is not None:
        return url
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        psycopg.connect(conninfo, connect_timeout=10).close()
        return url
    except psycopg.OperationalError as exc:
        if "no password supplied" not in str(exc):
            return url  # the command's own connection says what is wrong
    password = os.environ.get(PASSWORD_ENV) or _prompt(
        _("Server password of {name}").format(name=parsed.username),
        secret=True,
        variables=PASSWORD_ENV,
    )
    return parsed.set(password=password).render_as_string(hide_password=False)


def new_password(label: str, env: str = PASSWORD_ENV) -> str:
    """A new password from the environment (automation) or typed twice at a prompt."""
    from_env = os.environ.get(env)
    if from_env:
        return from_env
    first = _prompt(label, secret=True, variables=env)
    if _prompt(_("Repeat the password"), secret=True, variables=env) != first:
        raise UsageError(_("The two passwords differ."))
    return first


def warn(warning: str) -> None:
    """A warning about what a command did, on stderr ("" says nothing)."""
    if warning:
        print(_("Warning: {warning}").format(warning=warning), file=sys.stderr)


def _say_migrating() -> None:
    print(
        _(
            "Bringing the database up to date for this version of Qorgau (a copy of it is "
            "kept first); at a large mission this takes a few minutes…"
        ),
        file=sys.stderr,
        flush=True,
    )


@contextmanager
def workspace(
    args: argparse.Namespace, *services: str, exports: bool = False
) -> Iterator[Workspace]:
    """The signed-in workspace; ``services`` (module names) are imported, with SQLAlchemy and
    the models, while the password's key is derived (see app.services.sign_in).

    ``exports``: the command writes a bundle; the unfinished files of killed exports that the
    start or the export removed are said after it, once its outcome is known (one that wrote
    its bundle does not ask for it to be exported again).

    A command that is its process's own command line freezes what was imported (the process
    ends with it); one run by a longer-lived process (a test) leaves the collector alone."""
    from app.services.sign_in import import_opening, unlock

    username, password = credentials()
    freeze = bool(args.own_process)
    told = MIGRATION_NOTICE.set(_say_migrating)
    try:
        ws = unlock(
            paths_of(args),
            username,
            password,
            prepare=lambda: import_opening(services, freeze=freeze),
        )
    finally:
        MIGRATION_NOTICE.reset(told)
    exported = False
    try:
        say_found_after_crash(ws, repair=True, hold_export_parts=exports)
        yield ws
        exported = exports
    finally:
        # What the command's own repairs found (an import taken back, an export's .part).
        say_found_after_crash(ws, exported=exported)
        ws.close()


def say_found_after_crash(
    ws: Workspace, repair: bool = False, hold_export_parts: bool = False, exported: bool = False
) -> None:
    """Say on stderr, once, what was found left by Qorgau stopped half-way and put right, as
    the desktop's start page does: an officer or a script using only the command line was
    never told. ``repair``: first make the start's repairs the desktop makes, but for an
    import's batches, which ``bundle import`` takes back first (looking for them imported the
    exchange service, a third of a second, into every command of an importer); one refused
    (the database busy) is left for the next start. ``hold_export_parts``: the killed exports'
    files removed are left to be said after the export; ``exported``: an export wrote its
    bundle. Never on stdout, which scripts parse."""
    from app.services.after_crash import (
        Found,
        FoundAfterCrash,
        found_text,
        repair_on_start,
        take_found,
    )

    found: list[FoundAfterCrash] = []
    if repair:
        try:
            found = repair_on_start(ws, imports=False)  # with what the sign-in noted
        except QorgauError:
            pass  # the next import or start tries again, as the desktop's does
    found += take_found(ws)
    if hold_export_parts:
        held = [f for f in found if f.what is Found.EXPORT_PART_REMOVED]
        ws.after_crash.extend(held)
        found = [f for f in found if f not in held]
    if not found:
        return
    said = [
        _("Qorgau was stopped last time before its work was done"),
        *(found_text(f, after_an_export=exported, on_command_line=True) for f in found),
    ]
    print("\n".join(said), file=sys.stderr, flush=True)


@contextmanager
def stop_on_interrupt(message: str) -> Iterator[threading.Event]:
    """An event the first Ctrl+C sets (saying ``message``) instead of interrupting, so that
    work written in batches ends after the batch under way and can say what it wrote; the
    second Ctrl+C interrupts at once. Off the main thread, which alone receives signals, the
    event is never set."""
    import signal

    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is None:  # a handler installed outside Python, which signal() cannot put back
        previous = signal.default_int_handler

    def first_interrupt(_signum: int, _frame: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, previous)
        print(message, file=sys.stderr)

    signal.signal(signal.SIGINT, first_interrupt)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def read_file_argument(
    path: Path,
    refusal: type[QorgauError] = ValidationError,
    max_bytes: int = -1,
    too_large: str = "",
) -> bytes:
    """The bytes of a file named on the command line; ``refusal`` if it cannot be read. With
    ``max_bytes``, a longer file is refused saying ``too_large`` (only that much more is read:
    a file of gigabytes named by mistake is not loaded whole)."""
    try:
        if max_bytes < 0:
            return path.read_bytes()
        raw = read_at_most(path, max_bytes)
    except OSError as exc:
        raise refusal(
            _("{path} cannot be read: {error}").format(path=path, error=os_error_reason(exc))
        ) from None
    if raw is None:
        raise refusal(too_large)
    return raw


# The json module's reasons are English whatever the language: each said in the user's.
_JSON_REASONS = {
    "Expecting value": N_("a value was expected"),
    "Expecting ',' delimiter": N_("a comma was expected"),
    "Expecting ':' delimiter": N_("a colon was expected"),
    "Expecting property name enclosed in double quotes": N_(
        "a field name in double quotes was expected"
    ),
    "Unterminated string starting at": N_("a text in quotes is not closed"),
    "Invalid control character at": N_(
        "a text in quotes holds a line break or a control character"
    ),
    "Invalid \\escape": N_("a backslash escape is not valid"),
    "Extra data": N_("something follows the end of the JSON"),
    # Python 3.13's words for a comma before "]" or "}"
    "Illegal trailing comma before end of object": N_("a comma comes before the end"),
    "Illegal trailing comma before end of array": N_("a comma comes before the end"),
}


def json_error_reason(message: str) -> str:
    """The json module's ``message`` in the user's language."""
    reason = _JSON_REASONS.get(message)
    return _(reason) if reason is not None else _("the text is not valid JSON here")


# A case, a partner or a returnee's record: a description of 200,000 characters written
# as \u escapes is 1.2 MB. A file of gigabytes named by mistake, or handed over as an attack,
# was read whole and parsed, at some four times its size in memory.
MAX_JSON_CHARS = 4_000_000


def read_json_argument(source: str, max_chars: int = MAX_JSON_CHARS, too_large: str = "") -> Any:
    """The JSON in a file or on standard input ("-"); longer text than ``max_chars`` is refused
    saying ``too_large`` (only that much more is read)."""
    limit = max_chars + 1
    too_large = too_large or _("The JSON is too large (at most {n} MB).").format(
        n=max_chars // 1_000_000
    )
    try:
        if source == "-":
            text = sys.stdin.read(limit)
        else:
            with Path(source).open(encoding="utf-8-sig") as handle:
                text = handle.read(limit)
    except FileNotFoundError:
        raise ValidationError(_("{path} does not exist.").format(path=source)) from None
    except UnicodeDecodeError:
        # A picture or a PDF named by mistake: Python's own words are English and name a byte.
        raise ValidationError(
            _("{path} is not a JSON file: it is not UTF-8 text.").format(path=source)
        ) from None
    except OSError as exc:
        raise ValidationError(
            _("{path} cannot be read: {error}").format(path=source, error=os_error_reason(exc))
        ) from None
    if len(text) > max_chars:
        raise ValidationError(too_large)
    try:
        return json_from_outside(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("Invalid JSON (line {line}, column {col}): {msg}").format(
                line=exc.lineno, col=exc.colno, msg=json_error_reason(exc.msg)
            )
        ) from None
    except ValueError:
        raise ValidationError(
            _(
                "The JSON cannot be read: it is nested too deeply, has a number of more than "
                "4,300 digits, or a \\u escape of half a character (a lone surrogate)."
            )
        ) from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Coarse):
        return value.value  # a published count: rounded, or "<11"
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | PurePath):
        return str(value)
    return value


def jsonable(value: Any) -> Any:
    """``value`` as the JSON printed by ``print_json`` (dataclasses become objects)."""
    return _jsonable(value)


def print_json(value: Any) -> None:
    json.dump(_jsonable(value), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(str(c))) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip())
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def print_listing(
    args: argparse.Namespace,
    items: Sequence[T],
    headers: list[str],
    row: Callable[[T], list[str]],
) -> int:
    """The items as JSON (``--json``) or as a table, ``row`` giving an item's cells; returns the
    command's exit status."""
    if args.json:
        print_json(items)
    else:
        print_table(headers, [row(item) for item in items])
    return 0


# What a terminal would obey instead of showing: C0 controls but tab and line feed (ESC starts
# escape sequences, CR and BS overwrite what was printed), DEL, the C1 controls (U+009B is a
# one-character escape sequence) and the bidirectional overrides and isolates that reorder a
# line. Data from a bundle or an import may hold any of them.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every unsafe character shown as ``\\uXXXX``: visible on a terminal, and
    inside a JSON string the same escape means the same character, so ``--json`` stays exact."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class TerminalSafeStream:
    """Wraps stdout or stderr for the length of a command, so that no output path (tables,
    details, JSON, error lines) can pass an escape sequence from data to the terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


# -- argparse's own words -------------------------------------------------------------------
# The usage line, the option groups and argparse's errors, word for word as Python 3.11's
# argparse writes them, marked for the catalogs: they were English in a Kazakh or Russian help
# ("positional arguments", "the following arguments are required").
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
)


def translate_argparse() -> None:
    """argparse looks its words up through its module's ``_`` at the moment it prints them:
    the catalog of the language set (English, the words themselves, without one)."""
    argparse._ = _  # type: ignore[attr-defined]


def json_help() -> str:
    """The help of every ``--json`` output flag (called as the parser is built, in the
    language set)."""
    return _("print the result as JSON, for other programs")


def add_json_input(parser: argparse.ArgumentParser, help_text: str) -> None:
    """The ``--json FILE|-`` input of a command that reads a record (``read_json_argument``
    reads it from ``args.json_file``)."""
    parser.add_argument("--json", dest="json_file", required=True, metavar="FILE|-", help=help_text)


def day_argument(value: str) -> date:
    """An argparse type: a day written YYYY-MM-DD, refused in the user's words otherwise."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{value}” is not a date (YYYY-MM-DD).").format(value=value)
        ) from None


def pdf_out_argument(value: str) -> Path:
    """An argparse type: where to write a PDF. A name with another extension is refused (a
    PDF saved as x.txt opens in no reader the officer would try)."""
    path = Path(value)
    if path.suffix.lower() != ".pdf":
        raise argparse.ArgumentTypeError(
            _("“{value}” is not a PDF file name: end it with .pdf.").format(value=value)
        )
    return path
