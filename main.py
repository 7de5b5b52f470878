"""Start the Qorgau desktop app: ``python main.py [--data-dir DIR] [--lang kk|ru|en]``."""

from __future__ import annotations

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
