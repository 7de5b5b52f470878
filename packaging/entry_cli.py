"""The packaged command line: ``qorgau`` (a console executable beside the desktop one)."""

import sys

from app.entry import run

sys.exit(run())
