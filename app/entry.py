"""What the packaged executables run (``Qorgau`` the desktop app, ``qorgau`` the command line).

From a checkout the same work is ``python main.py`` or the ``qorgau`` script. A frozen build has
no ``python -m``, so the keyring read-back probe is started through the executable itself with
:data:`PROBE_FLAG`; anything else is the ordinary command line (no command: the desktop).
"""

from __future__ import annotations

import sys

PROBE_FLAG = "--qorgau-keyring-probe"


def run(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == [PROBE_FLAG]:
        from app.security.keyring_probe import main as probe

        return probe(args[1:])
    from app.cli import main

    return main(argv)  # None: the process's own command line
