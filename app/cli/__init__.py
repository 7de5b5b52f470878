"""The ``qorgau`` command: a second front end over the services (see docs/architecture.md).

Exit status 0 on success, 1 on an error (one line on stderr, no traceback), 2 on bad usage.
Each area registers its subcommands from its own module in this package: every module here
with a ``register(subparsers)`` function is picked up, so areas never edit a shared list.
A command imports only the module that registers it (found by reading the modules' sources,
not importing them): importing every area's services cost about a second per command. Help,
no command or an unknown one build the whole parser, so their output is unchanged.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import pkgutil
import re
import sys
from collections.abc import Sequence
from typing import Any

from app.cli.common import INTERRUPTED, READER_GONE, TerminalSafeStream, translate_argparse
from app.errors import QorgauError, UsageError
from app.i18n import LANGUAGES, _, set_language
from app.resources import app_version

# Shown first in --help; the other area modules follow in alphabetical order.
FIRST_MODULES = ("core", "demo")
DEBUG_ENV = "QORGAU_DEBUG"


def detect_language(explicit: str | None) -> str:
    if explicit:
        return explicit
    for candidate in (os.environ.get("QORGAU_LANG", ""), os.environ.get("LANG", "")):
        code = candidate[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


# How an area module registers a top-level command: ``commands.add_parser("name", ...)``.
# Starting with the literal (no ``\b``) lets the regex engine skip ahead to it: 40 times
# faster over the area sources, which every command reads.
_REGISTERED = re.compile(r"""commands\.add_parser\(\s*["']([\w-]+)["']""")


def command_owners() -> dict[str, str]:
    """Each top-level command -> the module that registers it, read from the sources."""
    owners: dict[str, str] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "common":
            continue
        spec = importlib.util.find_spec(f"app.cli.{info.name}")
        origin = spec.origin if spec else None
        if not origin or not origin.endswith(".py") or not os.path.isfile(origin):
            # A frozen or compiled build: no sources to read (PyInstaller names a .py origin
            # that is not on disk), so every area module is imported.
            return {}
        with open(origin, encoding="utf-8") as source:
            for command in _REGISTERED.findall(source.read()):
                owners[command] = info.name
    return owners


def _command_word(argv: Sequence[str]) -> str | None:
    """The command in ``argv`` (the first word after the global options), if any."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--data-dir", "--lang"):
            i += 2
        elif arg.startswith("-"):
            i += 1
        else:
            return arg
    return None


class _LazyVersion(argparse._VersionAction):
    """``--version``, reading the installed version only when asked: every command paid for
    importing importlib.metadata otherwise."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        self.version = f"qorgau {app_version()}"
        super().__call__(parser, namespace, values, option_string)


def build_parser(only: str | None = None, *, commands: bool = True) -> argparse.ArgumentParser:
    """The whole parser, or (``only``: a command) one with that command alone, or (``commands``
    false) the global options alone: starting the desktop app imports no command module."""
    parser = argparse.ArgumentParser(
        prog="qorgau",
        description=_("Qorgau: protection of Kazakhstani labour emigrants."),
    )
    parser.add_argument("--data-dir", help=_("the installation's data folder"))
    parser.add_argument("--lang", choices=LANGUAGES, help=_("language of messages"))
    parser.add_argument(
        "--version", action=_LazyVersion, help=_("show the version number and exit")
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    if not commands:
        return parser
    owner = command_owners().get(only) if only else None
    for name in [owner] if owner else command_modules():
        importlib.import_module(f"app.cli.{name}").register(subparsers)
    return parser


def command_modules() -> list[str]:
    found = sorted(
        info.name for info in pkgutil.iter_modules(__path__) if info.name not in ("common",)
    )
    return [n for n in FIRST_MODULES if n in found] + [n for n in found if n not in FIRST_MODULES]


def _pre_parse_language(argv: Sequence[str]) -> str | None:
    """The global ``--lang``: only before the command (``letter render --lang`` is the letter's)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--lang":
            value = argv[i + 1] if i + 1 < len(argv) else ""
            return value if value in LANGUAGES else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in LANGUAGES else None
        if not arg.startswith("-"):
            return None  # the command: options after it belong to it
        i += 2 if arg == "--data-dir" else 1
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command line: ``argv``, or without it the process's own (``python -m app``, the
    ``qorgau`` script), which the process ends with (see ``app.cli.common.workspace``)."""
    # Everything the command prints, argparse's errors included, passes the terminal guard.
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalSafeStream(stdout), TerminalSafeStream(stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # The language must be set before the parser is built, so its help is translated too.
    set_language(detect_language(_pre_parse_language(args_list)))
    translate_argparse()
    word = _command_word(args_list)
    before_command = args_list[: args_list.index(word)] if word else args_list
    wants_help = any(a in ("-h", "--help") for a in before_command)
    # No command starts the desktop app: its parser needs the global options alone.
    parser = build_parser(None if wants_help else word, commands=word is not None or wants_help)
    args = parser.parse_args(args_list)
    args.own_process = argv is None
    if args.command is None:
        return open_desktop(args)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args) or 0)
    except UsageError as exc:
        print(f"qorgau: {exc}", file=sys.stderr)
        return 2
    except QorgauError as exc:
        cause = exc.__cause__
        if os.environ.get(DEBUG_ENV) and cause and not isinstance(cause, QorgauError):
            # A defect told in the user's words (a CSV import stopped midway): its traceback.
            import traceback

            traceback.print_exception(cause, file=sys.stderr)
        print(f"qorgau: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("qorgau: interrupted"), file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        # The reader stopped reading (`qorgau case list | head`): no "internal error", as no
        # Unix tool says one. Output still buffered goes nowhere, not to a second failure.
        _discard_output()
        return READER_GONE
    except Exception as exc:  # noqa: BLE001 - the contract is one line, never a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            _("qorgau: internal error: {error} (set {env}=1 for details)").format(
                error=exc, env=DEBUG_ENV
            ),
            file=sys.stderr,
        )
        return 1


def _discard_output() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except OSError:
        pass


def open_desktop(args: argparse.Namespace) -> int:
    try:
        from ui.app import run_desktop  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        build_parser().print_help()
        return 0
    return int(run_desktop(data_dir=args.data_dir, language=args.lang))
