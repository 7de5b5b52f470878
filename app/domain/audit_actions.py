"""What each audit entry's action code means, in the reader's language.

The audit log stores stable codes (``case.update``); a person reading the log (Settings →
Audit log, ``qorgau audit list``) and a subject-access report (in its own language,
``labels.audit_action``) read these labels: one wording for each act. A code without a label
(one a later version writes) is shown as it is.
"""

from __future__ import annotations

from app.i18n import N_, _

ACTION_LABELS: dict[str, str] = {
    "agreement.notes": N_("Agreement notes changed"),
    "agreements.sync": N_("Agreements library updated"),
    "attachment.add": N_("Attachment added"),
    "attachment.copy": N_("Copy of an attachment saved"),
    "attachment.open": N_("Attachment opened"),
    "attachment.remove": N_("Attachment removed"),
    "audit.head_forgotten": N_("A mission's audit history accepted as restarted"),
    "audit.head_unlinked": N_("A mission's audit history did not follow on"),
    "backup.create": N_("Backup written"),
    "backup.restore": N_("Backup restored"),
    "backup.rotate": N_("Old backups removed"),
    "bundle.conflict_resolve": N_("Exchange conflict resolved"),
    "bundle.export": N_("Bundle exported"),
    "bundle.import": N_("Bundle imported"),
    "bundle.import_taken_back": N_("Unfinished bundle import taken back"),
    "bundle.left_out": N_("Records of a bundle left out"),
    "case.assign": N_("Case assigned"),
    "case.cite": N_("Provision cited"),
    "case.create": N_("Case registered"),
    "case.escalate": N_("Overdue cases escalated"),
    "case.event": N_("Timeline entry added"),
    "case.refer": N_("Case referred to a support organisation"),
    "case.referral_outcome": N_("Outcome of a referral recorded"),
    "case.status": N_("Case status changed"),
    "case.status_undo": N_("Status change undone"),
    "case.transfer": N_("Case transferred to another mission"),
    "case.uncite": N_("Citation withdrawn"),
    "case.update": N_("Case changed"),
    "contract.report": N_("Contract review report written"),
    "contract.review": N_("Contract reviewed"),
    "demo.fill": N_("Demo data generated"),
    "employer.combine": N_("Employer records combined"),
    "escrow.identity": N_("Escrow key made"),
    "escrow.issue": N_("Recovery code issued"),
    "escrow.policy": N_("Escrow policy applied"),
    "escrow.policy_issued": N_("Escrow policy issued"),
    "import.csv": N_("Spreadsheet imported"),
    "import.undo": N_("Spreadsheet import undone"),
    "installation.init": N_("Installation created"),
    "installation.migrated": N_("Database brought up to date"),
    "installation.recover": N_("Access recovered"),
    "installation.rekey": N_("Database given a new key"),
    "keys.identity_to_keyring": N_("Decryption key moved to the keyring"),
    "keys.secrets_to_workstation": N_("Keys moved to this workstation"),
    "keys.trust": N_("Another installation's keys trusted"),
    "legal_table.update": N_("Legal table updated"),
    "letter.approve": N_("Letter approved"),
    "letter.discard": N_("Draft letter discarded"),
    "letter.draft": N_("Letter drafted"),
    "letter.issue": N_("Letter issued"),
    "letter.update": N_("Letter changed"),
    "partner.create": N_("Partner organisation added"),
    "partner.update": N_("Partner organisation changed"),
    "person.subject_access": N_("A person's data exported at their request"),
    "person.update": N_("Person's details changed"),
    "recovery.rotate": N_("Recovery key replaced"),
    "recruitment_agency.combine": N_("Recruitment agency records combined"),
    "retention.anonymise": N_("Personal data anonymised"),
    "retention.policy": N_("Retention period changed"),
    "retention.run": N_("Retention applied"),
    "returnee.add": N_("Returnee's skills recorded"),
    "returnee.consent_withdrawn": N_("Consent to the returnees' register withdrawn"),
    "returnee.export": N_("Returnees' register exported"),
    "returnee.update": N_("Returnee's record changed"),
    "settings.idle_lock": N_("Idle lock time changed"),
    "settings.mission_contacts": N_("Mission contacts changed"),
    "stats.export.cases": N_("Cases exported from a report"),
    "stats.export.htcds": N_("Anonymised data exported for partners"),
    "stats.export.pdf": N_("Report exported as PDF"),
    "stats.export.tables": N_("Report tables exported"),
    "user.add": N_("User added"),
    "user.login": N_("Signed in"),
    "user.login_attempts_reset": N_("Failed sign-ins reset"),
    "user.login_failed": N_("Sign-in failed"),
    "user.passwd": N_("Password changed"),
    "user.reset_password": N_("Password reset"),
    "user.revoke": N_("User revoked"),
    "user.role": N_("User's role changed"),
    "user.signature": N_("User's signature changed"),
}


def action_label(action: str) -> str:
    """``action`` in the reader's language, or the code itself if it has no label."""
    label = ACTION_LABELS.get(action)
    return _(label) if label else action
