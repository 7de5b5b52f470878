"""Where the read-only files shipped with Qorgau are: a source checkout or the frozen build.

Every module finds fonts, templates, reference data, catalogs and migrations through these
functions, never relative to the current directory, so the same code runs from a checkout and
from the folder PyInstaller builds (where the files sit under ``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from pathlib import Path


def install_root() -> Path:
    """The folder holding ``resources/``, ``translations/`` and ``app/``."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def is_frozen() -> bool:
    """Whether this is the packaged application rather than a source checkout."""
    return bool(getattr(sys, "frozen", False))


def resource_path(*parts: str) -> Path:
    """A file or folder under ``resources/``."""
    return install_root().joinpath("resources", *parts)


def translations_dir() -> Path:
    return install_root() / "translations"


def migrations_dir() -> Path:
    # Alembic reads the revision files as files, so the build ships them as data too.
    return install_root() / "app" / "db" / "migrations"


def app_version() -> str:
    """The version in pyproject.toml, as installed (the frozen build ships its metadata)."""
    from importlib import metadata  # slow to import: only ``--version`` and reports ask

    try:
        return metadata.version("qorgau")
    except metadata.PackageNotFoundError:  # a bare checkout that was never installed
        return "0+unknown"
