"""Add or correct a partner organisation; refer a case to one."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from app.domain import labels
from app.domain.codes import CaseStatus, PartnerKind, label
from app.domain.workflow import may_move
from app.errors import QorgauError, ValidationError
from app.i18n import _, country_name, format_date
from app.services.partners import (
    PartnerInfo,
    PartnerInput,
    PartnerService,
    ReferralInfo,
    ReferralResult,
    refusal_to_refer,
)
from app.services.workspace import Workspace
from ui.palette import WARNING_TEXT
from ui.tasks import refusal_text
from ui.widgets.common import chars_wide, keep_narrow, set_label, word_wrapped
from ui.widgets.country_combo import CountryCombo
from ui.widgets.dialogs import ValidatingDialog, add_or_save_text
from ui.widgets.plain import plain_label

EARLIER_LINES = 5  # the referrals made before, shown this many lines at a time


def _text_box(lines: int, owner: QWidget) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(owner.fontMetrics().lineSpacing() * lines + 12)
    return box


class PartnerDialog(ValidatingDialog):
    """A new partner, or (``partner``) one on the list to correct."""

    def __init__(
        self,
        parent: QWidget | None,
        workspace: Workspace,
        partner: PartnerInfo | None = None,
        country: str = "",
    ) -> None:
        super().__init__(parent)
        self.service = PartnerService(workspace)
        self.partner = partner
        self.saved: PartnerInfo | None = None
        self.setMinimumWidth(chars_wide(self, 93))  # 560 pixels at 9 pt
        self.name = QLineEdit()
        self.kind = QComboBox()
        self.country = CountryCombo(any_text="")  # chosen, never a default country
        self.city = QLineEdit()
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.languages = QLineEdit()
        self.notes = _text_box(3, self)
        self._rows: list[tuple[QWidget, str]] = [
            (self.name, "name"),
            (self.kind, "kind"),
            (self.country, "country"),
            (self.city, "city"),
            (self.address, "address"),
            (self.phone, "phone"),
            (self.email, "email"),
            (self.languages, "languages"),
            (self.notes, "notes"),
        ]
        for widget, _key in self._rows:
            self.form.addRow("", widget)
        self.set_ok_text(add_or_save_text(partner is None))
        self.retranslate_ui()
        if partner is not None:
            self._fill(partner)
        else:
            self.country.set_code(country or workspace.mission.country)
        self.opened_with = self._input()  # Esc asks only once something was changed

    def _labels(self) -> dict[str, str]:
        # Labels with a letter to jump by (Alt+letter), as every other form has.
        return {
            "name": _("&Name:"),
            "kind": _("&Kind:"),
            "country": _("&Country:"),
            "city": _("C&ity:"),
            "address": _("&Address:"),
            "phone": _("&Phone:"),
            "email": _("E-&mail:"),
            "languages": _("&Languages:"),
            "notes": _("N&otes:"),
        }

    def retranslate_ui(self) -> None:
        self.setWindowTitle(
            _("New partner organisation") if self.partner is None else _("Partner organisation")
        )
        chosen = self.kind.currentData()
        self.kind.clear()
        for kind in PartnerKind:
            self.kind.addItem(labels.partner_kind(kind), kind.value)
        self.kind.setCurrentIndex(max(self.kind.findData(chosen), 0))
        for widget, key in self._rows:
            set_label(self.form, widget, self._labels()[key])
        self.country.refill()

    def _fill(self, partner: PartnerInfo) -> None:
        self.name.setText(partner.name)
        self.kind.setCurrentIndex(max(self.kind.findData(partner.kind), 0))
        self.country.set_code(partner.country)
        self.city.setText(partner.city)
        self.address.setText(partner.address)
        self.phone.setText(partner.phone)
        self.email.setText(partner.email)
        self.languages.setText(partner.languages)
        self.notes.setPlainText(partner.notes)

    def _input(self) -> PartnerInput:
        return PartnerInput(
            name=self.name.text(),
            kind=str(self.kind.currentData() or ""),
            country=self.country.code(),
            city=self.city.text(),
            address=self.address.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            languages=self.languages.text(),
            notes=self.notes.toPlainText(),
        )

    def typed(self) -> bool:
        return self._input() != self.opened_with

    def validate(self) -> None:
        if not self.name.text().strip():
            raise ValidationError(_("{label} must not be empty.").format(label=_("Name")), "name")
        if not self.country.code():
            raise ValidationError(_("Choose the country."), "country")

    def field_widgets(self) -> dict[str, QWidget]:
        return {key: widget for widget, key in self._rows}

    def writer(self) -> Callable[[], PartnerInfo]:
        data, service, partner = self._input(), self.service, self.partner
        if partner is None:
            return lambda: service.create(data)
        return lambda: service.update(partner.id, data, partner.version)

    def written(self, result: object) -> None:
        assert isinstance(result, PartnerInfo)
        self.saved = result


class ReferralDialog(ValidatingDialog):
    """Refer a case to a partner on the list: the partner and the reason; the referrals made
    before and, when the person's consent does not cover it, the warning letters give.
    Where the workflow lets this officer move the case (``case_status``) to "Referred", a
    box, checked, does that in the same write."""

    def __init__(
        self,
        parent: QWidget | None,
        workspace: Workspace,
        case_id: str,
        case_number: str,
        case_status: str = "",
    ) -> None:
        super().__init__(parent)
        self.service = PartnerService(workspace)
        self.case_id = case_id
        self.case_number = case_number
        self.referred: ReferralResult | None = None
        self.case_status = case_status
        self.setMinimumWidth(chars_wide(self, 93))  # 560 pixels at 9 pt
        self.partner = QComboBox()
        # Sized by a name's usual length, not the longest partner's: one long name made the
        # dialog wider than a laptop's screen allows and cut the labels beside it.
        keep_narrow(self.partner, 40)
        self.partner.currentIndexChanged.connect(self._show_whole_partner)
        self.partner.currentIndexChanged.connect(self._show_consent)
        self.reason = _text_box(4, self)
        # A case referred many times listed every referral in a label that grew past the
        # screen (at 800×600 its lines ran over the warning): a box of a few lines scrolls.
        self.earlier = _text_box(EARLIER_LINES, self)
        self.earlier.setReadOnly(True)
        self.earlier.setTabChangesFocus(True)
        self.warning = word_wrapped(plain_label())
        self.warning.setStyleSheet(f"color: {WARNING_TEXT};")
        self.set_status = QCheckBox()
        self.set_status.setChecked(True)
        self.offers_status = bool(case_status) and may_move(
            case_status, CaseStatus.REFERRED, workspace.actor.role
        )
        self.set_status.setVisible(self.offers_status)
        self.form.addRow("", self.partner)
        self.form.addRow("", self.reason)
        self.form.addRow(self.set_status)
        self.form.addRow("", self.earlier)
        self.form.addRow(self.warning)
        self.partners: list[PartnerInfo] = []
        self.referrals: list[ReferralInfo] = []
        self.warnings: tuple[str, ...] = ()
        try:
            self.partners = self.service.list(limit=self.service.count())
            self.referrals = self.service.referrals(case_id)
        except QorgauError as exc:
            self.error.show_message(refusal_text(exc))
        self.reason.textChanged.connect(self._allow_ok)
        self.set_ok_text(lambda: _("Refer"))  # OK said nothing of the referral it writes
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Refer case {number} to a partner").format(number=self.case_number))
        set_label(self.form, self.partner, _("&Partner:"))
        set_label(self.form, self.reason, _("&Reason:"))
        set_label(self.form, self.earlier, _("Referred before:"))
        self.set_status.setText(
            _("Set the case's status to “{status}”").format(status=label(CaseStatus.REFERRED))
        )
        chosen = self.partner.currentData()
        # Refilled quietly: each item added would ask the database for the consent again.
        self.partner.blockSignals(True)
        self.partner.clear()
        # A partner already holding this case, no outcome heard yet, would only be refused:
        # shown as such, not offered (it was chosen first, and OK was refused).
        waiting = {r.partner_id for r in self.referrals if not r.outcome}
        model = cast(QStandardItemModel, self.partner.model())
        for p in self.partners:
            place = ", ".join(part for part in (p.city, country_name(p.country)) if part)
            text = f"{p.name} — {labels.partner_kind(p.kind)}, {place}"
            if p.id in waiting:
                text += " " + _("(referred; outcome not yet recorded)")
            self.partner.addItem(text, p.id)
            self.partner.setItemData(self.partner.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
            model.item(self.partner.count() - 1).setEnabled(p.id not in waiting)
        offered = [i for i in range(self.partner.count()) if model.item(i).isEnabled()]
        index = self.partner.findData(chosen)
        self.partner.setCurrentIndex(index if index in offered else (offered or [0])[0])
        self.partner.blockSignals(False)
        self._show_whole_partner()
        self.set_intro(
            ""
            if self.partners
            else _(
                "No partner organisation is on the list yet: a consul or administrator adds "
                "them in the Partners area."
            )
        )
        lines = [
            _("{date}: {partner}. {outcome}").format(
                date=format_date(r.referred_at),
                partner=r.partner_name,
                outcome=r.outcome or _("Outcome not yet recorded."),
            )
            for r in self.referrals
        ]
        self.earlier.setPlainText("\n".join(lines))
        self.form.setRowVisible(self.earlier, bool(lines))
        self._show_consent()
        # Said before the officer writes a reason that the service would only refuse.
        if (refusal := self._refusal()) is not None:
            self.error.show_message(refusal)
        self._allow_ok()

    def _refusal(self) -> str | None:
        return refusal_to_refer(self.case_number, self.case_status)

    def _show_consent(self) -> None:
        """What the person's recorded consent does not cover of a referral to the partner
        chosen: one abroad needs the cross-border transfer too."""
        try:
            self.warnings = self.service.consent_warnings(
                self.case_id, str(self.partner.currentData() or "")
            )
        except QorgauError as exc:
            self.error.show_message(str(exc))
        self.warning.setText("\n".join(self.warnings))
        self.warning.setVisible(bool(self.warnings))

    def _show_whole_partner(self) -> None:
        """The chosen partner whole in the tip, where the narrow box cuts a long name."""
        self.partner.setToolTip(self.partner.currentText())

    def _allow_ok(self) -> None:
        """OK waits for a partner and a reason: Enter cannot refer without them."""
        self.ok_button().setEnabled(
            bool(self.partners)
            and bool(self.reason.toPlainText().strip())
            and self._refusal() is None
        )

    def typed(self) -> bool:
        return bool(self.reason.toPlainText().strip())

    def validate(self) -> None:
        if not self.reason.toPlainText().strip():
            raise ValidationError(_("Give a reason."), "reason")

    def field_widgets(self) -> dict[str, QWidget]:
        return {"partner": self.partner, "reason": self.reason}

    def writer(self) -> Callable[[], ReferralResult]:
        service, case_id = self.service, self.case_id
        partner_id, reason = str(self.partner.currentData()), self.reason.toPlainText()
        moves = self.offers_status and self.set_status.isChecked()
        return lambda: service.refer(case_id, partner_id, reason, set_status=moves)

    def written(self, result: object) -> None:
        assert isinstance(result, ReferralResult)
        self.referred = result


class OutcomeDialog(ValidatingDialog):
    """How a referral ended, as the partner reported it; written to the referral and the
    case's timeline (``PartnerService.record_outcome``)."""

    def __init__(
        self, parent: QWidget | None, workspace: Workspace, referral: ReferralInfo
    ) -> None:
        super().__init__(parent)
        self.service = PartnerService(workspace)
        self.referral = referral
        self.recorded: ReferralInfo | None = None
        self.setMinimumWidth(chars_wide(self, 87))  # 520 pixels at 9 pt
        self.outcome = _text_box(4, self)
        self.form.addRow("", self.outcome)
        self.outcome.textChanged.connect(self._allow_ok)
        self.set_ok_text(lambda: _("Record the outcome"))
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        r = self.referral
        self.setWindowTitle(
            _("Outcome of the referral of case {number}").format(number=r.case_number)
        )
        referred = _("Referred to {partner} on {date}: {reason}").format(
            partner=r.partner_name, date=format_date(r.referred_at), reason=r.reason
        )
        # Replacing: the words on record stay in view while the new ones are typed.
        recorded = _("Outcome on record: {outcome}").format(outcome=r.outcome)
        self.set_intro(f"{referred}\n{recorded}" if r.outcome else referred)
        set_label(self.form, self.outcome, _("&Outcome:"))
        self.outcome.setPlaceholderText(_("What the partner did, as they reported it"))
        self._allow_ok()

    def _allow_ok(self) -> None:
        """OK waits for the outcome: Enter cannot record an empty one."""
        self.ok_button().setEnabled(bool(self.outcome.toPlainText().strip()))

    def typed(self) -> bool:
        return bool(self.outcome.toPlainText().strip())

    def validate(self) -> None:
        if not self.outcome.toPlainText().strip():
            raise ValidationError(_("Give the outcome."), "outcome")

    def field_widgets(self) -> dict[str, QWidget]:
        return {"outcome": self.outcome}

    def writer(self) -> Callable[[], ReferralInfo]:
        service, referral = self.service, self.referral
        outcome = self.outcome.toPlainText()
        # The version read with the list: an outcome recorded meanwhile elsewhere is refused,
        # not overwritten.
        return lambda: service.record_outcome(referral.id, outcome, referral.version)

    def written(self, result: object) -> None:
        assert isinstance(result, ReferralInfo)
        self.recorded = result
