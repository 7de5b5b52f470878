"""First run: create the mission and its administrator, open the demo mission, or restore the
mission from a backup (this computer replaces one that died: welcome → restore, signed in as
an administrator of the backup).

Pages: welcome (language, new, restore or demo) → mission → letterhead → administrator. Headquarters
may keep its data on a PostgreSQL server instead ("Headquarters, on a database server", on the
administrator page: the server's address, a test of the connection, the administrator's own
server account). Each page
checks its fields with the same rules the service applies and shows the message on the page.
The installation is created on a worker thread; the wizard then holds the unlocked Workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QPaintEvent, QValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.config import Paths
from app.domain.mission_record import MISSION_TEXT_LIMITS
from app.errors import InstallationExists, QorgauError, ValidationError
from app.i18n import _
from ui import warm_up
from ui.i18n_bridge import LanguageBridge
from ui.tasks import BackgroundTask, TaskContext
from ui.widgets.common import (
    ErrorLabel,
    LanguageCombo,
    open_at,
    set_label,
    unlabelled_rows,
    word_wrapped,
)
from ui.widgets.country_combo import CountryCombo
from ui.widgets.dialogs import check_passwords, inform, password_field

if TYPE_CHECKING:
    # The services load once the wizard has painted (ui/warm_up.py): the first page needs none.
    from app.db.postgres import ServerConfig
    from app.services.installation import MissionSetup
    from app.services.workspace import Workspace
    from ui.recovery import RecoveryKeyDialog

DEMO_CASES = 300
WELCOME, MISSION, LETTERHEAD, ADMIN, RESTORE = range(5)
# app.services.backup.SCHEDULED_SUFFIX: the services are not imported before the first paint.
BACKUP_SUFFIX = ".qbackup"


def ask_discard_setup(parent: QWidget) -> bool:
    """True when the user confirms throwing away what was typed (replaced in tests).

    "Keep typing" is the default: Enter pressed without reading must not lose the work."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        _("Qorgau — first start"),
        _("Stop the first start? What you typed will be lost."),
        parent=parent,
    )
    discard = box.addButton(_("Stop and discard"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(_("Keep typing"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard


class _Page(QWizardPage):
    """A page with a form and an error line; ``check()`` raises ValidationError."""

    def __init__(self, bridge: LanguageBridge) -> None:
        super().__init__()
        self.form = QFormLayout()
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        bridge.language_changed.connect(self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Set the page's texts in the current language."""

    def check(self) -> None:
        """Raise ValidationError when a field is wrong."""

    def field_widget(self, name: str | None) -> QWidget | None:
        return None

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        # Entered again (Next after Back): a message about fields since changed or hidden
        # («the database address must be…» once headquarters was unticked) is no longer true.
        self.error.clear_message()

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        try:
            self.check()
        except ValidationError as exc:
            self.show_error(str(exc), exc.field)
            return False
        self.error.clear_message()
        return True

    def show_error(self, message: str, field: str | None) -> None:
        """Show the message and put the cursor in the field it is about (or keep it in the
        page): never leave it on a wizard button, where Enter would act."""
        self.error.show_message(message)
        widget = self.field_widget(field)
        if widget is None:
            focused = self.focusWidget()
            if focused is not None and self.isAncestorOf(focused):
                widget = focused
            else:
                widget = self.nextInFocusChain()
        if widget is not None:
            widget.setFocus()

    def text_fields(self) -> list[QLineEdit]:
        """The page's own text fields (not a combo box's editor, which a language switch
        refills)."""
        return [e for e in self.findChildren(QLineEdit) if not isinstance(e.parent(), QComboBox)]

    def label_for(self, widget: QWidget, text: str) -> None:
        set_label(self.form, widget, text)


class WelcomePage(_Page):
    def __init__(self, bridge: LanguageBridge, cut_short: bool = False) -> None:
        super().__init__(bridge)
        self.cut_short = cut_short
        self.intro = word_wrapped(QLabel())
        self.language = LanguageCombo(bridge)
        self.new_mission = QRadioButton()
        self.new_mission.setChecked(True)
        self.demo = QRadioButton()
        self.restore = QRadioButton()
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.new_mission)
        self.choice.addButton(self.demo)
        self.choice.addButton(self.restore)
        self.form.addRow(self.intro)
        self.form.addRow("", self.language)
        self.form.addRow(self.new_mission)
        self.form.addRow(self.restore)
        self.form.addRow(self.demo)
        # QWizard lays out Next or Finish only when a page is entered: the demo choice must
        # say itself that this page is now the last, or Finish stays hidden and Next does
        # nothing.
        self.demo.toggled.connect(self.setFinalPage)
        # Over a setup stopped half-way only that setup is made again: the demo and a restore
        # would find its files in their way.
        self.demo.setVisible(not cut_short)
        self.restore.setVisible(not cut_short)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Welcome to Qorgau"))
        if self.cut_short:
            self.setSubTitle(
                _(
                    "The setup of this installation was stopped before it finished, so "
                    "nothing was saved in it. Set it up again with the same administrator "
                    "name and password."
                )
            )
        else:
            self.setSubTitle(_("This computer has no Qorgau installation yet."))
        self.intro.setText(
            _(
                "Qorgau keeps the cases of Kazakhstani labour emigrants who ask the mission "
                "for help. Everything is stored encrypted on this computer."
            )
        )
        self.label_for(self.language, _("&Interface language:"))
        self.new_mission.setText(_("&Create the mission's installation"))
        self.demo.setText(_("Open the &demo mission (invented cases, for training)"))
        self.restore.setText(_("&Restore the mission from a backup (a new computer)"))

    def nextId(self) -> int:  # noqa: N802 - Qt name
        if self.demo.isChecked():
            return -1
        return RESTORE if self.restore.isChecked() else MISSION


HQ_CITY = "Astana"  # stored as typed in the city field (a name, not an interface text)


class CapitalLetters(QValidator):
    """Letters typed or pasted become capitals where they stand: upper-casing the box with
    ``setText`` at each keystroke put the cursor at the end, so a code could not be corrected
    in its middle."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        # Letter by letter, so that the text keeps its length and the cursor its place.
        upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in text)
        return QValidator.State.Acceptable, upper, pos


class MissionPage(_Page):
    def __init__(self, bridge: LanguageBridge) -> None:
        super().__init__(bridge)
        self.code = QLineEdit()
        self.code.setMaxLength(8)
        self.code.setValidator(CapitalLetters(self.code))
        # No country until one is chosen: the list began at "U.S. Virgin Islands" (first in
        # Kazakh order), which a hurried administrator could leave in place for good.
        self.country = CountryCombo(any_text="")
        self.city = QLineEdit()
        self.is_hq = QCheckBox()
        self.is_hq.toggled.connect(self._hq_toggled)
        self.name_kk = QLineEdit()
        self.name_ru = QLineEdit()
        self.name_en = QLineEdit()
        bound_to_the_mission_record(self)
        unlabelled_rows(
            self.form,
            self.code,
            self.country,
            self.city,
            self.is_hq,
            self.name_kk,
            self.name_ru,
            self.name_en,
        )
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(_("The mission"))
        self.setSubTitle(_("The embassy or consulate this installation serves."))
        self.label_for(self.code, _("Mission &code:"))
        self.code.setPlaceholderText(_("for example SEL"))
        self.label_for(self.country, _("Host countr&y:"))
        self.country.set_any_text(_("choose the country"))
        self.country.refill()
        self.label_for(self.city, _("C&ity:"))
        self.label_for(self.is_hq, "")
        self.is_hq.setText(_("This is the &headquarters installation in Astana"))
        self.label_for(self.name_kk, _("Name in &Kazakh:"))
        self.label_for(self.name_ru, _("Name in &Russian:"))
        self.label_for(self.name_en, _("Name in &English:"))

    def _hq_toggled(self, checked: bool) -> None:
        """Headquarters is in Astana: filled in where nothing was chosen yet."""
        if checked and not self.country.code():
            self.country.set_code("KZ")
        if checked and not self.city.text().strip():
            self.city.setText(HQ_CITY)

    def field_widget(self, name: str | None) -> QWidget | None:
        return {"code": self.code, "country": self.country, "city": self.city}.get(name or "")

    def check(self) -> None:
        warm_up.wait()
        from app.services.installation import MissionSetup, validate_mission

        setup = MissionSetup(self.code.text(), self.country.code(), self.city.text())
        try:
            validate_mission(setup)  # the code first, then the country, then the city
        except ValidationError as exc:
            if getattr(exc, "field", None) == "country" and not setup.country:
                # Chosen from a list: its ISO code is not the officer's business.
                chosen = _("Choose the country the mission is in.")
                raise ValidationError(chosen, "country") from None
            raise
        names = (self.name_kk, self.name_ru, self.name_en)
        if not all(w.text().strip() for w in names):
            empty = next(w for w in names if not w.text().strip())
            empty.setFocus()
            raise ValidationError(
                _("Give the mission's name in all three languages: it heads every letter.")
            )


def bound_to_the_mission_record(page: QWidget) -> None:
    """No more can be typed than the mission's record may hold in a bundle (HQ refuses more)."""
    for name, limit in MISSION_TEXT_LIMITS.items():
        field = getattr(page, name, None)
        if isinstance(field, QLineEdit):
            field.setMaxLength(limit)


class LetterheadPage(_Page):
    def __init__(self, bridge: LanguageBridge) -> None:
        super().__init__(bridge)
        # Letters name the city in their own language: «Сеул, 24 ноября 2026 г.».
        self.city_kk = QLineEdit()
        self.city_ru = QLineEdit()
        self.address_kk = QLineEdit()
        self.address_ru = QLineEdit()
        self.address_en = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        bound_to_the_mission_record(self)
        unlabelled_rows(
            self.form,
            self.city_kk,
            self.city_ru,
            self.address_kk,
            self.address_ru,
            self.address_en,
            self.phone,
            self.email,
        )
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Letterhead"))
        self.setSubTitle(
            _("Printed at the top of the mission's letters; you can leave it for later.")
        )
        self.label_for(self.city_kk, _("City in Kazakh:"))
        self.label_for(self.city_ru, _("City in Russian:"))
        self.label_for(self.address_kk, _("Address in &Kazakh:"))
        self.label_for(self.address_ru, _("Address in &Russian:"))
        self.label_for(self.address_en, _("Address in &English:"))
        self.label_for(self.phone, _("&Phone:"))
        self.label_for(self.email, _("E-&mail:"))

    def check(self) -> None:
        email = self.email.text().strip()
        if email and "@" not in email:
            self.email.setFocus()
            raise ValidationError(_("The e-mail address is not valid."), field="email")


class AdminPage(_Page):
    def __init__(self, bridge: LanguageBridge) -> None:
        super().__init__(bridge)
        self.username = QLineEdit("admin")
        self.password, self.repeat = password_field(), password_field()
        self.note = word_wrapped(QLabel())
        # Headquarters only: the data on a PostgreSQL server, signed in with server accounts.
        self.on_server = QCheckBox()
        self.server_url = QLineEdit()
        self.test_server = QPushButton()
        self.server_status = word_wrapped(QLabel())
        unlabelled_rows(self.form, self.username, self.password, self.repeat)
        self.form.addRow(self.note)
        server_rows: tuple[QWidget, ...] = (self.on_server, self.server_url, self.test_server)
        for row in server_rows:
            self.form.addRow("", row)
        self.form.addRow(self.server_status)
        self.on_server.toggled.connect(self._show_server_fields)
        self.retranslate_ui()
        self._show_server_fields(False)

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        super().initializePage()
        wizard = self.wizard()
        is_hq = isinstance(wizard, SetupWizard) and wizard.mission.is_hq.isChecked()
        self.on_server.setVisible(is_hq)
        if not is_hq:
            self.on_server.setChecked(False)

    def _show_server_fields(self, on: bool) -> None:
        self.error.clear_message()  # it spoke of the fields this choice shows or hides
        self.server_status.clear()
        for widget in (self.server_url, self.test_server, self.server_status):
            widget.setVisible(on)
        self.form.setRowVisible(self.repeat, not on)
        self.form.setRowVisible(self.server_url, on)
        self.note.setVisible(not on)

    def server_config(self) -> ServerConfig:
        warm_up.wait()
        from app.db.postgres import parse_server_url

        return parse_server_url(self.server_url.text())

    def retranslate_ui(self) -> None:
        self.setTitle(_("The administrator"))
        self.setSubTitle(_("The first user: manages users, keys and backups."))
        self.label_for(self.username, _("&User name:"))
        self.label_for(self.password, _("&Password:"))
        self.label_for(self.repeat, _("&Repeat the password:"))
        self.note.setText(
            _(
                "If every administrator's password is lost, only the recovery key shown next "
                "opens the database again: keep it in the safe, and add a second "
                "administrator soon."
            )
        )
        self.on_server.setText(_("Headquarters, on a &database server (PostgreSQL)"))
        self.label_for(self.server_url, _("Database &address:"))
        self.server_url.setPlaceholderText(
            _("postgresql://server:5432/qorgau?sslmode=verify-full&sslrootcert=…")
        )
        self.test_server.setText(_("&Test the connection"))
        self.server_url.setToolTip(
            _(
                "The user name and password above are your own account on the server. "
                "sslmode=verify-full checks the server's certificate against sslrootcert."
            )
        )

    def field_widget(self, name: str | None) -> QWidget | None:
        return {
            "username": self.username,
            "password": self.password,
            "repeat": self.repeat,
            "database": self.server_url,
            "sslmode": self.server_url,
        }.get(name or "")

    def nextId(self) -> int:  # noqa: N802 - Qt name
        return -1  # the last page of a new mission (Qt's default: the next id, RESTORE)

    def check(self) -> None:
        warm_up.wait()
        from app.services.installation import check_username

        check_username(self.username.text().strip())
        if self.on_server.isChecked():
            self.server_config()  # the server checks the password itself
            return
        check_passwords(self.password.text(), self.repeat.text())


class RestorePage(_Page):
    """The backup file and an administrator of the backup. Without this page a new computer
    offered only a new mission, whose installation then refused the old one's backup."""

    def __init__(self, bridge: LanguageBridge) -> None:
        super().__init__(bridge)
        self.file = QLineEdit()
        self.choose = QPushButton()
        self.choose.setAutoDefault(False)  # Enter finishes the page; it opens no file dialog
        self.choose.clicked.connect(self._choose_file)
        self.file_row = QWidget()
        row = QHBoxLayout(self.file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.file, 1)
        row.addWidget(self.choose)
        self.username = QLineEdit()
        self.password = password_field()
        self.form.addRow("", self.file_row)
        self.form.addRow("", self.username)
        self.form.addRow("", self.password)
        self.setFinalPage(True)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Restore from a backup"))
        self.setSubTitle(
            _(
                "The mission's cases, letters and users come back as they were when the backup "
                "was made. Sign in as one of its administrators, with the password of then."
            )
        )
        self.label_for(self.file_row, _("Backup f&ile:"))
        label = self.form.labelForField(self.file_row)
        if isinstance(label, QLabel):
            label.setBuddy(self.file)  # its shortcut types into the path, not the row
        self.label_for(self.username, _("&User name:"))
        self.label_for(self.password, _("&Password:"))
        self.choose.setText(_("C&hoose…"))

    def _choose_file(self) -> None:
        name, _chosen = QFileDialog.getOpenFileName(
            self,
            _("Restore from a backup"),
            self.file.text(),
            _("Qorgau backups (*{suffix})").format(suffix=BACKUP_SUFFIX)
            + ";;"
            + _("All files (*)"),
        )
        if name:
            self.file.setText(name)

    def field_widget(self, name: str | None) -> QWidget | None:
        fields = {"file": self.file, "username": self.username, "password": self.password}
        return fields.get(name or "")

    def check(self) -> None:
        if not self.file.text().strip():
            raise ValidationError(lambda: _("Choose the backup to restore."), field="file")
        if not self.username.text().strip() or not self.password.text():
            field = "password" if self.username.text().strip() else "username"
            raise ValidationError(lambda: _("Enter your user name and password."), field=field)


@dataclass
class Created:
    """What finishing the wizard made: the signed-in workspace, and what to show once."""

    workspace: Workspace
    recovery_key: str | None = None  # a mission or HQ in a file: shown once, never stored
    notice: str | None = None  # an HQ on a server: where its keys are kept


def _hq_identity_to_keyring(workspace: Workspace) -> str | None:
    """HQ in a file, as ``qorgau init --hq`` does: its age identity (which opens every
    mission's bundles) goes into the OS keyring; what to tell when it stays in the database."""
    from app.security.keyring_store import SecretStore
    from app.services.keys import IdentityMove, identity_move_message, store_identity_in_keyring

    store = SecretStore()
    outcome = store_identity_in_keyring(workspace, store)
    return None if outcome is IdentityMove.MOVED else identity_move_message(outcome, store)


def _not_the_same_administrator(paths: Paths) -> str:
    """Over a setup stopped half-way, another name or password: its key file is never
    thrown away on a guess (its database may only have been moved)."""
    return _(
        "Only the administrator who began this setup, with the same user name and "
        "password, can set it up again. If they are lost, move the files {files} out of "
        "{folder} and start Qorgau again."
    ).format(
        files=", ".join(p.name for p in (paths.db, paths.keyslots) if p.exists()),
        folder=str(paths.data_dir),
    )


def _shown_later(_recovery_key: str) -> bool:
    """Recorded as unseen until the wizard's dialog shows it (``SetupWizard._created``)."""
    return False


OPENING_SIZE = QSize(640, 480)


class SetupWizard(QWizard):
    def __init__(
        self,
        paths: Paths,
        bridge: LanguageBridge,
        parent: QWidget | None = None,
        *,
        cut_short: bool = False,
        admin: str = "",
    ):
        """``cut_short``: the folder holds a setup stopped before it finished, which only
        its administrator (``admin``, when the sign-in learnt it) makes again."""
        super().__init__(parent)
        self.paths = paths
        self.cut_short = cut_short
        self.workspace: Workspace | None = None
        self.task: BackgroundTask[Created] | None = None
        self.recovery_dialog: RecoveryKeyDialog | None = None
        self.notice: QMessageBox | None = None  # where an HQ on a server keeps its keys
        self._warming_up = False
        self.welcome = WelcomePage(bridge, cut_short)
        self.mission = MissionPage(bridge)
        self.letterhead = LetterheadPage(bridge)
        self.admin = AdminPage(bridge)
        if admin:
            self.admin.username.setText(admin)
        self.from_backup = RestorePage(bridge)
        pages = (self.welcome, self.mission, self.letterhead, self.admin, self.from_backup)
        for page_id, page in enumerate(pages):
            self.setPage(page_id, page)
        self.admin.test_server.clicked.connect(self._test_server)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        # Bounded by the screen: at 150 % display scaling a 1366×768 screen is 512 pixels high
        # and a 480-pixel wizard with its title bar put Next below the taskbar.
        open_at(self, OPENING_SIZE, minimum=OPENING_SIZE)
        bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()
        self._started_with = {
            edit: edit.text() for page in self._form_pages() for edit in page.text_fields()
        }

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._warming_up:
            # Once painted, what creating the installation needs is imported while the user
            # reads and types (ui/warm_up.py).
            self._warming_up = True
            QTimer.singleShot(0, warm_up.start)

    def _form_pages(self) -> tuple[_Page, ...]:
        return (self.mission, self.letterhead, self.admin, self.from_backup)

    def has_typed_work(self) -> bool:
        """True when a text field no longer holds what it started with."""
        return any(edit.text() != text for edit, text in self._started_with.items())

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Qorgau — first start"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("&Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("< &Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("&Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("Cancel"))

    def setup(self) -> MissionSetup:
        warm_up.wait()
        from app.services.installation import MissionSetup

        m, h = self.mission, self.letterhead
        return MissionSetup(
            code=m.code.text().strip(),
            country=m.country.code(),
            city=m.city.text().strip(),
            is_hq=m.is_hq.isChecked(),
            name_kk=m.name_kk.text().strip(),
            name_ru=m.name_ru.text().strip(),
            name_en=m.name_en.text().strip(),
            city_kk=h.city_kk.text().strip(),
            city_ru=h.city_ru.text().strip(),
            address_kk=h.address_kk.text().strip(),
            address_ru=h.address_ru.text().strip(),
            address_en=h.address_en.text().strip(),
            phone=h.phone.text().strip(),
            email=h.email.text().strip(),
        )

    def reject(self) -> None:
        """Cancel, Esc or the window's close: ask first when something was typed."""
        if self.task is not None and self.task.running:
            return
        if self.has_typed_work() and not ask_discard_setup(self):
            return
        super().reject()

    def accept(self) -> None:
        if self.task is not None and self.task.running:
            return
        # Finish does not pass through validatePage otherwise: a bad password went to the
        # service, and the failure left the focus on Cancel.
        if not self.welcome.demo.isChecked() and not self.validateCurrentPage():
            return
        paths = self.paths
        if self.welcome.demo.isChecked():

            def work(_ctx: TaskContext) -> Created:
                # Imported here: the demo generator pulls in the letter renderer, which the
                # first-run dialog does not otherwise need.
                warm_up.wait()
                from app.services.demo import DEMO_ADMIN, DEMO_PASSWORD, run_demo
                from app.services.installation import unlock

                run_demo(paths, DEMO_CASES, seed=1, only_if_empty=True)
                return Created(unlock(paths, DEMO_ADMIN, DEMO_PASSWORD))

            label = _("Creating the demo mission…")
        elif self.welcome.restore.isChecked():
            backup_file = Path(self.from_backup.file.text().strip())
            admin, password = (
                self.from_backup.username.text().strip(),
                self.from_backup.password.text(),
            )

            def work(_ctx: TaskContext) -> Created:
                warm_up.wait()
                from app.services.backup import restore_backup
                from app.services.installation import unlock

                restore_backup(paths, backup_file, admin, password)
                return Created(unlock(paths, admin, password))

            label = _("Restoring the backup…")
        elif self.admin.on_server.isChecked():
            setup, config = self.setup(), self.admin.server_config()
            admin, password = self.admin.username.text().strip(), self.admin.password.text()

            def work(_ctx: TaskContext) -> Created:
                from app.security.hq_secrets import place_message
                from app.services.installation import init_server_installation, unlock

                # No recovery key: the server's backups restore an HQ on a server. HQ's keys
                # stay on this computer: the administrator is told where.
                place = init_server_installation(paths, config, setup, admin, password)
                notice = place_message(place, paths.data_dir)
                return Created(unlock(paths, admin, password), notice=notice)

            label = _("Creating the database on the server…")
        else:
            setup = self.setup()
            admin = self.admin.username.text().strip()
            password = self.admin.password.text()

            def work(_ctx: TaskContext) -> Created:
                from app.services.installation import init_installation, unlock

                recovery_key = init_installation(paths, setup, admin, password, shown=_shown_later)
                workspace = unlock(paths, admin, password, showing_recovery_key=True)
                notice = _hq_identity_to_keyring(workspace) if setup.is_hq else None
                return Created(workspace, recovery_key=recovery_key, notice=notice)

            label = _("Creating the encrypted database…")
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.task = (
            BackgroundTask(self, work)
            .with_progress(label)
            .success(self._created)
            .failure(self._failed)
            .run_in_background()
        )

    def _test_server(self) -> None:
        """Connect once with the address and account typed; say what happened."""
        page = self.admin
        try:
            config = page.server_config()
        except ValidationError as exc:
            page.show_error(str(exc), exc.field)
            return
        user, password = page.username.text().strip(), page.password.text()

        def work(_ctx: TaskContext) -> str:
            from app.services.installation import check_server

            return check_server(config, user, password, self.paths.data_dir)

        def done(server: str) -> None:
            page.error.clear_message()
            page.server_status.setText(_("Connected to {server}.").format(server=server))

        def failed(exc: BaseException) -> None:
            page.server_status.clear()
            page.show_error(str(exc) if isinstance(exc, QorgauError) else repr(exc), "database")

        BackgroundTask(self, work).with_progress(_("Connecting to the database server…")).success(
            done
        ).failure(failed).run_in_background()

    def _created(self, created: Created) -> None:
        workspace, recovery_key = created.workspace, created.recovery_key
        self.workspace = workspace
        if recovery_key is None:  # the demo (its passwords are public), or HQ on a server
            self._tell_and_close(created.notice)
            return
        from app.services.installation import recovery_key_shown
        from app.services.recovery_sheet import sheet_facts
        from ui.recovery import RecoveryKeyDialog

        # Shown once, before the wizard closes: the key is never stored unwrapped.
        dialog = RecoveryKeyDialog(self, recovery_key, lambda lang: sheet_facts(workspace, lang))
        dialog.finished.connect(lambda _result: self._tell_and_close(created.notice))
        self.recovery_dialog = dialog
        dialog.open()
        recovery_key_shown(workspace)  # on screen: the next sign-in need not offer another

    def _tell_and_close(self, notice: str | None) -> None:
        """Where HQ's keys are kept, if there is something to say, then the wizard closes."""
        if notice is None:
            QWizard.accept(self)
            return
        self.notice = inform(self, _("Headquarters created"), notice)
        self.notice.finished.connect(lambda _result: QWizard.accept(self))

    def _failed(self, exc: BaseException) -> None:
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        page = self.currentPage()
        message = (
            str(exc)
            if isinstance(exc, QorgauError)
            else _("An internal error occurred: {error}").format(error=exc)
        )
        if self.cut_short and isinstance(exc, InstallationExists):
            message = _not_the_same_administrator(self.paths)
        if isinstance(page, _Page):
            # Disabling Finish moved the focus to Cancel; Enter there quit the wizard.
            page.show_error(message, getattr(exc, "field", None))
