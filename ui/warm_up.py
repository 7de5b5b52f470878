"""What signing in needs, imported on a thread while the sign-in window waits for the password.

The sign-in window, the first-run wizard's first page and the lock screen import no ORM, no
services and no report libraries, so they paint in about the time of a bare Qt window (issue
17). Opening the database needs SQLAlchemy, the models and the services (about 0.7 s of
imports): once the first window has painted, ``start()`` imports them on a plain Python thread
while the user types, then configures the ORM mappers and loads the CLDR data the main window
reads. Only modules that create no Qt object at import time are listed: Python's imports are
thread-safe, Qt's widgets are not.

Whoever needs one of these modules next calls ``wait()`` first, so two threads never import the
same modules at once (Python's per-module import locks can deadlock when two threads take a
cycle of modules in different orders). Sign-in's worker waits only for phase 1
(``wait_for_sign_in``), and derives the key meanwhile with what phase 0 imported
(``wait_for_proof``, ``app.services.sign_in``); phase 2 is what the main window's first page
needs besides, and phase 3 the other areas' services, which "Sign in" cuts short
(``skip_areas``) and a failed sign-in takes up again (``resume_areas``). Without ``start()``
(the keyring or environment sign-in, the command line) the modules are imported where they are
used, sign-in's while the key is derived.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading

# Phase 0, what proves the password (no SQLAlchemy): sign-in derives the key with it while
# phase 1 goes on.
PROOF_MODULES = ("app.services.sign_in",)
# Phase 1, what sign-in and the main window module import (with their dependencies:
# SQLAlchemy, the models, the key slots), in the order they are needed.
SIGN_IN_MODULES = (
    "app.services.installation",
    "app.services.cases",
    "app.services.settings",
    "app.services.retention",
)
# Phase 2, what the main window and its first page import beyond phase 1: the services of
# the case list and the window's menus, Babel's formatting (app.i18n imports it where it first
# formats a date or a number, so that a command printing neither never loads it), and the CLDR
# data the window reads at once (month names of every interface language in date fields,
# dates and country names in the case list), unpickled here, not on the GUI thread.
WINDOW_MODULES = ("app.services.users", "app.services.consolidation")
FORMATTING_MODULES = ("babel.dates", "babel.numbers")
LOCALES = ("en_GB", "kk", "ru", "en")
# Phase 3, the services other areas import when first shown (the recovery sheet and briefing
# bring reportlab, jinja2, PIL and qrcode; the case editor's letters tab and subject-access
# export, the letters' service: 80-100 ms at the first case opened; Exchange, the bundles'
# reader and jsonschema: 110 ms), so that opening them later is quick. Skipped from
# the module under way once "Sign in" is pressed (``skip_areas``): the main window, which
# needs none of them, waits for this thread before it imports anything itself.
AREA_MODULES = (
    "app.services.recovery",
    "app.contracts",
    "app.services.briefing",
    "app.services.recovery_sheet",
    "app.services.letters",
    "app.services.subject_access",
    "app.services.exchange",
)

_log = logging.getLogger(__name__)
_thread: threading.Thread | None = None
_lock = threading.Lock()
_proof_ready = threading.Event()
_sign_in_ready = threading.Event()
_skip_areas = threading.Event()


def start() -> None:
    """Import the modules on a background thread, once; returns at once."""
    global _thread
    with _lock:
        if _thread is not None:
            return
        # Not a daemon: an interpreter exiting under a thread still inside an import (or a
        # native extension's initialisation) can crash; exiting waits for the imports instead.
        _thread = threading.Thread(target=_import_all, name="qorgau-warm-up", daemon=False)
        _thread.start()


def running() -> bool:
    """Whether the background imports are still going on."""
    with _lock:
        return _thread is not None and _thread.is_alive()


def wait() -> None:
    """Return once the background imports (if started) are done."""
    with _lock:
        thread = _thread
    if thread is not None and thread is not threading.current_thread():
        thread.join()


def skip_areas() -> None:
    """Sign-in was pressed: the thread imports no more of phase 3 than the module under way,
    so that the main window, which waits for it (``wait``), is not kept waiting for services
    it does not need; they are imported where first used."""
    _skip_areas.set()


def resume_areas() -> None:
    """Sign-in failed and its window stays: the rest of phase 3 is imported after all, so that
    "Forgot all passwords?" (the recovery sheet's reportlab) finds it loaded. A thread that
    first waits for the one before it, so that no two import at once; ``wait`` waits for both."""
    global _thread
    with _lock:
        previous = _thread
        if previous is None:  # never started: the window imports what it opens itself
            return
        _skip_areas.clear()
        if all(name in sys.modules for name in AREA_MODULES):
            return  # done before "Sign in" was pressed, or after an earlier wrong password

        def join_then_import() -> None:
            previous.join()
            _import_areas()

        _thread = threading.Thread(
            target=join_then_import, name="qorgau-warm-up-areas", daemon=False
        )
        _thread.start()


def wait_for_proof() -> None:
    """Return once what proves a password is loaded (phase 0), if the warm-up was started."""
    _wait_for(_proof_ready)


def _wait_for(phase: threading.Event) -> None:
    with _lock:
        thread = _thread
    if thread is not None and thread is not threading.current_thread():
        while not phase.wait(0.05):
            if not thread.is_alive():
                return


def wait_for_sign_in() -> None:
    """Return once what sign-in imports is loaded (phase 1): imported by the warm-up thread
    when it was started, else here. Sign-in runs this while the key is derived."""
    with _lock:
        thread = _thread
    if thread is None:
        from app.services.sign_in import import_opening

        import_opening(SIGN_IN_MODULES)
    else:
        _wait_for(_sign_in_ready)


def _import_all() -> None:
    try:
        _import(PROOF_MODULES)
    finally:
        _proof_ready.set()
    try:
        _import(SIGN_IN_MODULES)
        try:
            from sqlalchemy.orm import configure_mappers

            configure_mappers()  # else sign-in's first query does it (every model's relations)
        except Exception:  # noqa: BLE001 - the first query configures them and says what failed
            _log.debug("warm-up mapper configuration failed", exc_info=True)
    finally:
        _sign_in_ready.set()
    _import(WINDOW_MODULES)
    _import(FORMATTING_MODULES)
    from app.i18n import parsed_locale

    for locale in LOCALES:
        try:
            parsed_locale(locale).months  # noqa: B018 - loads (and caches) the locale's data
        except Exception:  # noqa: BLE001 - the window loads it itself then
            _log.debug("warm-up of the %s locale data failed", locale, exc_info=True)
    _import_areas()


def _import_areas() -> None:
    for name in AREA_MODULES:
        if _skip_areas.is_set():
            return
        _import((name,))


def _import(names: tuple[str, ...]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the import where the module is used reports it
            _log.debug("warm-up import of %s failed", name, exc_info=True)
