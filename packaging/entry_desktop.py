"""The packaged desktop executable: ``Qorgau`` (no console window on Windows)."""

import sys

from app.entry import run

sys.exit(run())
