"""Render the main screens offscreen into PNGs: ``python -m ui.screenshots docs/screenshots``.

``--scale 1.5`` renders them as a 1366×768 laptop shows them at 150 % display scaling: the
windows are 1366/1.5 × 768/1.5 layout pixels on a screen of that size, drawn in 1366×768.
``--screen 1024x768`` renders them for a smaller screen instead (with or without a scale).

Runs on a demo mission created in a temporary folder, with its own QSettings, so nothing of
the user's installation is read or changed. HQ's own areas (``hq-*.png``) are shot on a
desktop HQ made there too, holding the bundles of two small demo missions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.config import Paths
    from app.services.workspace import Workspace
    from ui.i18n_bridge import LanguageBridge
    from ui.main_window import MainWindow

SIZES = ((1366, 768), (1920, 1080))
DEMO_CASES = 600
# The HQ's missions: a few hundred cases each keep the added time to seconds.
HQ_MISSION_CASES = 200
HQ_SETUP = ("AST", "KZ", "Astana", "Астана", "Астана")
HQ_ANALYST = "Гүлназ Серікбаева"
HQ_MISSIONS = (("SEL", "KR", "Seoul", "Сеул", "Сеул"), ("DXB", "AE", "Dubai", "Дубай", "Дубай"))
# An attachment whose long name the attachments tab must still show recognisably.
SAMPLE_FILE = "Еңбек шарты — Samsung Heavy Industries, Geoje shipyard, 2026-03-01 (scan).pdf"


Shoot = Callable[["QWidget", str, tuple[int, int]], None]


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--lang", default="en", choices=("kk", "ru", "en"))
    parser.add_argument("--small-only", action="store_true", help="only 1366x768")
    parser.add_argument("--pseudo", action="store_true", help="the pseudo-language (layout check)")
    parser.add_argument(
        "--screen",
        type=_screen_size,
        help="one screen's size instead of 1366x768 and 1920x1080, e.g. 1024x768",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="display scaling, e.g. 1.25 or 1.5: 1366x768 screens as a scaled laptop shows them",
    )
    args = parser.parse_args(argv)
    args.sizes = (args.screen,) if args.screen else SIZES
    if args.scale <= 0:
        parser.error("--scale must be positive")
    return args


def _screen_size(text: str) -> tuple[int, int]:
    """``1024x768`` as (1024, 768)."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size like 1024x768: {text!r}") from None
    if width <= 0 or height <= 0:
        raise argparse.ArgumentTypeError(f"not a size like 1024x768: {text!r}")
    return width, height


def _scaled_screen(scale: float, work: Path, size: tuple[int, int] = SIZES[0]) -> None:
    """Make the QApplication still to come draw at ``scale`` on a laptop's screen of ``size``
    (offscreen, Qt's own screen is 800×800): a scale factor must be set before it exists."""
    import json

    width, height = size
    config = work / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": width, "height": height}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    os.environ["QT_SCALE_FACTOR"] = str(scale)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.config import Paths
    from app.services.cases import CaseService
    from app.services.demo import DEMO_PASSWORD, run_demo
    from app.services.installation import unlock
    from ui.app import make_application
    from ui.i18n_bridge import LanguageBridge
    from ui.main_window import MainWindow

    work = Path(tempfile.mkdtemp(prefix="qorgau-shots-"))
    scaled = args.scale != 1.0
    if scaled or args.screen:
        _scaled_screen(args.scale, work, args.sizes[0])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "qs"))
    paths = Paths(work / "data")
    run_demo(paths, DEMO_CASES, seed=1)
    app = make_application()
    bridge = LanguageBridge(app)
    if args.pseudo:
        from app.i18n import set_pseudo_locale

        set_pseudo_locale(True)
    bridge.set_language(args.lang)
    args.out.mkdir(parents=True, exist_ok=True)
    workspace = unlock(paths, "consul", DEMO_PASSWORD)
    _on_the_missions_clock(workspace.mission.country)
    CaseService(workspace).escalate_overdue()  # as the app does after sign-in

    def shoot(widget: QWidget, name: str, size: tuple[int, int]) -> None:
        # ``size`` in the screen's pixels; at a scale, fewer layout pixels fill them.
        widget.resize(round(size[0] / args.scale), round(size[1] / args.scale))
        for _ in range(3):
            app.processEvents()
        target = args.out / f"{name}-{size[0]}x{size[1]}.png"
        widget.grab().save(str(target))
        print(target)

    try:
        for size in args.sizes[:1] if args.small_only or scaled else args.sizes:
            window = MainWindow(workspace, bridge)
            window.show()
            start = window.area_widget("start")
            while getattr(start, "loading", False):  # its lists are read in the background
                app.processEvents()
            shoot(window, "start", size)
            _shoot_cases(window, workspace, shoot, size)
            _shoot_areas_and_dialogs(window, shoot, size)
            window.close()
        _shoot_login(paths, bridge, args.out)
        _shoot_hq(work / "hq", bridge, shoot, args.sizes[0])
    finally:
        workspace.close()
        QApplication.processEvents()
        # Its demo mission and settings go too: every run left 9 MB in the temporary folder.
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _on_the_missions_clock(country: str) -> None:
    """Times shown as the mission's officers see them: the demo's working day in Seoul read
    01:10 on this build machine's UTC clock. A POSIX zone (no time-zone database needed)."""
    import time

    from app.services.demo_data import UTC_OFFSET_HOURS

    if hasattr(time, "tzset"):
        os.environ["TZ"] = f"QRG{-UTC_OFFSET_HOURS.get(country, 0):+d}"
        time.tzset()


def _shoot_cases(
    window: MainWindow, workspace: Workspace, shoot: Shoot, size: tuple[int, int]
) -> None:
    """The case list, a case's tabs (one with a long-named attachment) and a new case."""
    from PySide6.QtWidgets import QApplication

    from app.services.cases import CaseService
    from ui.cases.area import CasesArea

    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    model = area.list_view.model
    while model.loading or not model.total_known:  # the list loads in the background
        QApplication.processEvents()
    shoot(window, "cases", size)
    # A case of the mission's own country (a few are of workers elsewhere), not the newest.
    rows = [model.row_at(i) for i in range(2, model.rowCount())]
    case_id = next(r.id for r in rows if r.host_country == workspace.mission.country)
    if not CaseService(workspace).get_case(case_id).attachments:
        CaseService(workspace).add_attachment(case_id, SAMPLE_FILE, b"%PDF-1.4 sample")
    area.open_case(case_id)
    area.editor.tabs.setCurrentIndex(0)
    shoot(window, "case-editor", size)
    area.editor.tabs.setCurrentWidget(area.editor.attachments)
    shoot(window, "case-attachments", size)
    area.editor.tabs.setCurrentWidget(area.editor.law_tab)
    shoot(window, "case-law", size)
    area.editor.tabs.setCurrentIndex(0)
    area.new_case()
    shoot(window, "new-case", size)
    area.editor.dirty = False
    area.show_list()


def _shoot_areas_and_dialogs(window: MainWindow, shoot: Shoot, size: tuple[int, int]) -> None:
    """Every other area, the lock screen, the manual and the shortcuts."""
    from PySide6.QtWidgets import QApplication

    from ui.help import ShortcutsDialog

    areas = ("contracts", "agreements", "letters", "partners", "reports", "exchange", "settings")
    for key in areas:
        page = window.show_area(key)
        while getattr(page, "loading", False):  # Reports count their figures in the background
            QApplication.processEvents()
        shoot(window, key, size)
        if key == "letters":
            _shoot_letter_editor(page, shoot)
    window.lock()
    shoot(window, "locked", size)
    window.unlock()
    window.show_manual()
    assert window.help_dialog is not None
    shoot(window.help_dialog, "manual", (760, 620))
    window.help_dialog.close()
    shortcuts = ShortcutsDialog(window)
    shortcuts.show()
    shoot(shortcuts, "shortcuts", (560, 460))
    shortcuts.close()
    # No About here: it shows this computer's folders, which have no place in docs.


def _shoot_letter_editor(page: QWidget, shoot: Shoot) -> None:
    """A new letter for the register's first letter's case, at the editor's opening size,
    its preview drawn."""
    from PySide6.QtWidgets import QApplication

    from ui.letters.page import LettersPage

    assert isinstance(page, LettersPage)
    info = page.selected()
    if info is None or info.case_id is None:
        return
    dialog = page.new_letter_for_case(info.case_id, info.case_number)
    drawn: list[bool] = []
    dialog.preview_shown.connect(lambda: drawn.append(True))
    dialog.show_preview()
    deadline = time.monotonic() + 30
    while not drawn and time.monotonic() < deadline:
        QApplication.processEvents()
    settled = time.monotonic() + 0.5  # QtPdf draws the page's image on a thread of its own
    while time.monotonic() < settled:
        QApplication.processEvents()
    size = dialog.minimumSize() * dialog.devicePixelRatioF()  # in the screen's pixels
    shoot(dialog, "letter-editor", (size.width(), size.height()))
    dialog.reject()


def _demo_hq(root: Path) -> Workspace:
    """A desktop HQ that imported one bundle from each of HQ_MISSIONS (demo missions that
    trust its keys as it trusts theirs), opened by its administrator (who sees escrow and
    users too)."""
    from app.config import Paths
    from app.services.demo import DEMO_ADMIN, DEMO_PASSWORD, fill_demo
    from app.services.exchange import ExchangeService
    from app.services.installation import MissionSetup, init_installation, unlock
    from app.services.keys import KeyService
    from app.services.users import UserService

    def installation(code: str, country: str, city: str, kk: str, ru: str) -> Workspace:
        paths = Paths(root / code.lower())
        setup = MissionSetup(code, country, city, is_hq=code == HQ_SETUP[0], city_kk=kk, city_ru=ru)
        init_installation(paths, setup, DEMO_ADMIN, DEMO_PASSWORD)
        return unlock(paths, DEMO_ADMIN, DEMO_PASSWORD)

    hq = installation(*HQ_SETUP)
    UserService(hq).add("analyst", "hq", DEMO_PASSWORD, HQ_ANALYST)
    hq_keys = KeyService(hq).own_keys()
    for seed, place in enumerate(HQ_MISSIONS, start=1):
        mission = installation(*place)
        try:
            keys = KeyService(mission).own_keys()
            KeyService(hq).trust(keys.mission_code, keys.signing_key, keys.age_recipient)
            KeyService(mission).trust(
                hq_keys.mission_code, hq_keys.signing_key, hq_keys.age_recipient, is_hq=True
            )
            fill_demo(mission, HQ_MISSION_CASES, seed=seed)
            bundle = root / f"{keys.mission_code.lower()}.qbundle"
            ExchangeService(mission).export_cases(bundle, [hq_keys.age_recipient])
        finally:
            mission.close()
        ExchangeService(hq).import_bundle(bundle)
    return hq


def _shoot_hq(root: Path, bridge: LanguageBridge, shoot: Shoot, size: tuple[int, int]) -> None:
    """HQ's own areas at ``size`` (1366×768 unless told): the Missions area's three tabs, the
    statistics across missions, the exchange with its HQ actions and the settings with escrow
    and users."""
    import keyring
    from keyring.backends import fail
    from PySide6.QtWidgets import QApplication

    from ui.hq.page import HqPage
    from ui.main_window import MainWindow
    from ui.settings.page import SettingsPage

    # Not this computer's keyring: the Keys tab asks where HQ's decryption key is kept.
    keyring.set_keyring(fail.Keyring())
    workspace = _demo_hq(root)
    try:
        window = MainWindow(workspace, bridge)
        window.show()
        page = window.show_area("hq")
        assert isinstance(page, HqPage)
        while not page.refresh_button.isEnabled():  # its tables are read in the background
            QApplication.processEvents()
        for index, name in enumerate(("hq-missions", "hq-overdue", "hq-repeats")):
            page.tabs.setCurrentIndex(index)
            shoot(window, name, size)
        reports = window.show_area("reports")
        while getattr(reports, "loading", False):
            QApplication.processEvents()
        shoot(window, "hq-reports", size)
        window.show_area("exchange")
        shoot(window, "hq-exchange", size)
        settings = window.show_area("settings")
        assert isinstance(settings, SettingsPage)
        # Escrow and the users in view; the backups' box is left out of the picture, as it
        # names this run's temporary folder.
        assert settings.escrow is not None and settings.backups is not None
        settings.backups.hide()
        settings.ensureWidgetVisible(settings.users_box)
        shoot(window, "hq-settings", size)
        window.close()
    finally:
        workspace.close()


def _shoot_login(paths: Paths, bridge: LanguageBridge, out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.login import LoginDialog

    login = LoginDialog(paths, bridge)
    login.username.setText("consul")
    login.show()
    login.adjustSize()
    QApplication.processEvents()
    login.grab().save(str(out / "login.png"))
    print(out / "login.png")
    login.close()


if __name__ == "__main__":
    sys.exit(main())
