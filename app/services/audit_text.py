"""An audit entry's details in the reader's words.

The log stores each act's details as JSON with stable keys and codes (``{"from": "new",
"to": "closed"}``): the contract of ``qorgau audit list --json`` and what an auditor checks.
An administrator reading the log reads them here as the rest of the app names them:
"Status: New → Closed", the labels of ``app.domain.labels``, dates in the reader's form.
Internal ids and digests are left out of the words (the raw JSON keeps them); a key without
a label reads as it is, so nothing is hidden. Called for the rows shown only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from app.domain import labels
from app.domain.field_labels import FIELD_LABELS
from app.domain.occupations import language_name, occupation_title
from app.domain.text import direction_controls_shown
from app.i18n import N_, _, format_date, format_datetime, format_number, format_size

LIST_SHOWN = 8  # items of a list named in the words; the rest counted
EMPTY: tuple[object, ...] = (None, "", [], {})

# The keys the services write into details, named as the forms name them (FIELD_LABELS for
# the columns of a case or a person: ``status``, ``host_country``, ``city``…).
DETAIL_LABELS: dict[str, str] = {
    "case": N_("Case"),
    "number": N_("Number"),
    "letter": N_("Letter"),
    "kind": N_("Kind"),
    "lang": N_("Language"),
    "language": N_("Language"),
    "role": N_("Role"),
    "occupation": N_("Occupation"),
    "categories": N_("Categories"),
    "host": N_("Host country"),
    "reason": N_("Reason"),
    "fingerprint": N_("Fingerprint"),
    "numbers": N_("Cases"),
    "cases": N_("Cases"),
    "records": N_("Records"),
    "counts": N_("Records"),
    "rows": N_("Rows"),
    "source": N_("Mission"),
    "to": N_("Sent to"),
    "size": N_("Size"),
    "file": N_("File"),
    "database_version": N_("Database version"),
    "taken_at": N_("Taken"),
    "removed": N_("Removed"),
    "risk": N_("Risk"),
    "ilo_indicators": N_("ILO forced-labour indicators"),
    "flagged_on_case": N_("Indicators marked on the case"),
    "fields": N_("Changed fields"),
    "filled": N_("Changed fields"),
    "cases_released": N_("Cases released"),
    "approvals_withdrawn": N_("Approvals withdrawn"),
    "approval_withdrawn": N_("Approval withdrawn"),
    "unapproved": N_("Approvals withdrawn"),
    "count": N_("Count"),
    "files": N_("Files"),
    "persons": N_("People"),
    "kept": N_("Kept"),
    "warning": N_("Warning"),
    "hq": N_("Headquarters"),
    "revoked": N_("User"),
    # A recovery (installation.recover): how, and whether it took an existing account over.
    "method": N_("Recovered with"),
    "existing_user": N_("Existing account taken over"),
    "previous_role": N_("Role before"),
    "was_revoked": N_("Was revoked"),
    "updated_on": N_("Library date"),
    "added": N_("Agreements added"),
    "updated": N_("Agreements updated"),
    "provisions_changed": N_("Provisions changed"),
    "received_on": N_("Received on"),  # a reply to a letter (letter.reply)
    # A reply corrected (letter.reply_corrected): what it said before, and how it was kept.
    "before": N_("Before the correction"),
    "sender": N_("Sender of the reply"),
    "summary": N_("Summary"),
    "as_new_entry": N_("Recorded as a new entry"),
    # An attachment added (attachment.add): a scan of an identity document, and why it is kept.
    "identity_document": N_("Identity document"),
    "identity_reason": N_("Why the identity document is kept"),
    # What retention emptied in an entry (app.security.audit.redact): the keys' own labels.
    "redacted": N_("Removed under the retention policy"),
    # A retention run (retention.run, retention.anonymise): the period, what set it going.
    "years": N_("Retention period, years"),
    "closed_on": N_("Closed on"),
    "person": N_("Person anonymised"),
    "returnees": N_("Returnees"),
    "trigger": N_("Started"),
    # The date guard (retention.date_doubted, retention.date_confirmed): the dates compared.
    "computer_date": N_("Date on the computer"),
    "trusted_date": N_("Last date trusted"),
    # A CSV import (import.csv) and its undoing (import.undo).
    "imported": N_("Rows imported"),
    "rejected": N_("Rows rejected"),
    "sheet": N_("Sheet"),
    "import": N_("CSV import"),
    "people": N_("People"),
    "organisations": N_("Organisations"),
    "stopped_after_line": N_("Stopped after line"),
    # A bundle imported (bundle.import), a case sent (case.transfer), a conflict resolved.
    "new": N_("New records"),
    "unchanged": N_("Records unchanged"),
    "local_newer": N_("Records newer here"),
    "conflicts": N_("Conflicts"),
    "left_out": N_("Records left out"),
    # A mission's own cases sent below HQ's version (bundle.older_than_here), by case number.
    "older": N_("Cases sent older than here"),
    "here": N_("Version here"),
    "sent": N_("Version sent"),
    "received": N_("Version here received"),
    "bundle": N_("Bundle"),
    "notices": N_("Notices sent"),
    "batches": N_("Batches taken back"),
    "choice": N_("Version kept"),
    "conflict": N_("Conflict"),
    "version": N_("Version now"),
    # A case's entries: a citation, a referral, an attachment, an undone status change.
    "citation": N_("Citation"),
    "instrument": N_("Instrument"),
    "provision": N_("Provision"),
    "partner": N_("Partner"),
    "referral": N_("Referral"),
    "consent_covers": N_("Consent covers the transfer"),
    "attachment": N_("Attachment"),
    "event": N_("Timeline entry"),
    "entry": N_("Timeline entry"),
    "on": N_("Date"),
    # Organisations combined (employer.combine, agency.combine).
    "others": N_("Combined records"),
    "cases_moved": N_("Cases moved"),
    "kept_apart": N_("Kept apart"),
    # The mission's keys (keys.rotate, keys.secrets_to_workstation), escrow, a restore.
    "replaced_fingerprint": N_("Fingerprint of the replaced key"),
    "age_recipient_fingerprint": N_("Fingerprint of the encryption key"),
    "age_recipient_replaced_fingerprint": N_("Fingerprint of the replaced encryption key"),
    "on_workstation": N_("Kept on this computer"),
    "keys_lost": N_("Keys lost"),
    "place": N_("Kept in"),
    "secrets": N_("Secrets"),
    "escrow": N_("Recovery through HQ"),
    "issued_at": N_("Policy issued"),
    "created_at": N_("Backup made"),
    "deactivated": N_("Accounts deactivated"),
    "kept_current_keys": N_("Current keys kept"),
    "slots_of_no_user": N_("Key slots of no user"),
    "shares_os_account": N_("Shares the computer account"),
    # A failed sign-in (user.login_failed) and the attempts record found changed.
    "at": N_("Time"),
    "found": N_("Record found"),
    # The rest: an audit head forgotten, exports, the library, the mission's contacts.
    "seq": N_("Entry number"),
    "signed_at": N_("Signed on"),
    "filter": N_("Filter"),
    "format": N_("Format"),
    "edition": N_("Edition"),
    "length": N_("Length of the notes"),
    "hotline": N_("Hotline"),
    "hours": N_("Opening hours"),
    "tables": N_("Tables"),
    "declined_left_out": N_("Left out: declined a referral"),
    "saved": N_("Saved in a case"),
}

# A key whose sense depends on the act: ``on`` is the day a letter was approved, but whether
# an organisation is on the watchlist.
ACTION_DETAIL_LABELS: dict[str, dict[str, str]] = {
    "employer.watchlist": {"on": N_("On the watchlist")},
    "agency.watchlist": {"on": N_("On the watchlist")},
}

RECOVERY_METHODS = {"recovery_key": N_("the recovery key"), "escrow": N_("HQ's one-time code")}
RETENTION_TRIGGERS = {"manual": N_("by hand"), "start": N_("at sign-in")}
CONFLICT_CHOICES = {"local": N_("this installation's"), "remote": N_("the bundle's")}

# Codes a key holds, and their labels; a key's list holds codes of the same set.
VALUE_LABELS: dict[str, Callable[[str], str]] = {
    "status": labels.case_status,
    "urgency": labels.urgency,
    "channel": labels.channel,
    "role": labels.role,
    "categories": labels.category,
    "host": labels.country,
    "host_country": labels.country,
    "country": labels.country,
    "citizenship": labels.country,
    "risk": labels.risk_level,
    "ilo_indicators": labels.ilo_indicator,
    "flagged_on_case": labels.ilo_indicator,
    "lang": language_name,
    "language": language_name,
    "occupation": occupation_title,
    "fields": lambda name: _field(name),
    "filled": lambda name: _field(name),
    "method": lambda code: _coded(RECOVERY_METHODS, code),
    "previous_role": labels.role,
    "redacted": lambda key: _label(key),
    "trigger": lambda code: _coded(RETENTION_TRIGGERS, code),
    "choice": lambda code: _coded(CONFLICT_CHOICES, code),
}

# What a ``from``/``to`` pair changes, by action: "Status: New → Closed".
CHANGED: dict[str, str] = {
    "case.status": "status",
    "case.status_undo": "status",
    "case.assign": "assigned_to",
    "user.role": "role",
}

# Keys that hold what only an auditor compares (digests, keys, generator seeds).
HIDDEN = frozenset(
    {
        "sha256",
        "content_digest",
        "hash",
        "seed",
        "signing_key",
        "recovery_signing_key",
        "escrow_signing_key",
        "signing_keys",  # a restore's: the keys of the history it replaced (user_ledger)
        "account_entries_since",  # a restore's: that history's account entries since
        "signature",  # an account change's, by its actor's account key (user_ledger)
        "history",  # user.signing_key_differs: the key the history gave, and the one unlocked
        "unlocked",
        "replaced",  # the key a keys.trust or keys.rotate replaced
        "database_id",
        "slots_removed",
        "waiting",
        "redactions",  # retention.anonymise: the hashes of the entries it redacted
        # keys.rotate: the bundle-encryption and escrow public keys (their fingerprints shown)
        "age_recipient",
        "age_recipient_replaced",
        "escrow_recipient",
        "escrow_recipient_replaced",
        "file_sha256",  # bundle.replay_refused: the refused file's digest
        "digest_rule",  # letter.approve: the rule of its content digest
        "attempt_id",  # user.login_failed: the attempt's id in the attempts record
        "expected_instance",  # the attempts record's instance and counters, compared
        "expected_seq",
        "found_seq",
        "changes_before",  # import.csv: the change counter its undo starts from
    }
)
_INTERNAL_ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{40,}"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def details_in_words(action: str, details: dict[str, Any], record: str = "") -> str:
    """``details`` of an entry of ``action`` as "Label: value; Label: value"; a value that is
    the entry's ``record`` as shown beside them (its case or letter number) is not repeated."""
    parts: list[str] = []
    changed = CHANGED.get(action)
    if "from" in details and "to" in details:
        name = changed or ""
        pair = f"{_value(name, details['from'], action)} → {_value(name, details['to'], action)}"
        parts.append(f"{_label(name)}: {pair}" if name else pair)
        shown = {"from", "to"}
    else:
        shown = set()
    for key, value in details.items():
        if key in shown or key in HIDDEN or value in EMPTY or _internal(value):
            continue
        if record and value == record:
            continue
        label = ACTION_DETAIL_LABELS.get(action, {}).get(key)
        parts.append(f"{_(label) if label else _label(key)}: {_value(key, value, action)}")
    # An entry written before direction controls were refused (a reason, a file's name) would
    # show reordered; the log cannot change, so the control is named, not dropped.
    return direction_controls_shown("; ".join(parts))


def _field(name: str) -> str:
    """A changed column, or the record it points to (``person`` for ``person_id``)."""
    label = FIELD_LABELS.get(name) or FIELD_LABELS.get(f"{name}_id")
    return _(label) if label else name


def _coded(labels_of: dict[str, str], code: str) -> str:
    """``code``'s label from ``labels_of``, or the code itself (one written by a later version)."""
    return _(labels_of[code]) if code in labels_of else code


def _label(key: str) -> str:
    label = DETAIL_LABELS.get(key) or FIELD_LABELS.get(key)
    return _(label) if label else key


def _internal(value: Any) -> bool:
    """An internal record id or a digest (or a list of them): meaningless to a reader."""
    if isinstance(value, str):
        return _INTERNAL_ID.fullmatch(value) is not None
    if isinstance(value, list) and value:
        return all(isinstance(v, str) and _INTERNAL_ID.fullmatch(v) for v in value)
    return False


def _value(key: str, value: Any, action: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return format_size(int(value)) if key == "size" else format_number(value)
    if isinstance(value, list):
        shown = [_value(key, item, action) for item in value[:LIST_SHOWN]]
        more = len(value) - LIST_SHOWN
        return ", ".join(shown) + (f" (+{format_number(more)})" if more > 0 else "")
    if isinstance(value, dict):
        return ", ".join(
            f"{_record_or_label(k)} {_value(k, v, action)}"
            for k, v in value.items()
            if v not in EMPTY and not _internal(v)
        )
    text = str(value)
    code_label = _kind_label(action) if key == "kind" else VALUE_LABELS.get(key)
    if code_label is not None:
        return code_label(text)
    return _when(text)


def _kind_label(action: str) -> Callable[[str], str] | None:
    """``kind`` is a letter's kind, a timeline entry's or a bundle's, by the act."""
    if action.startswith("letter."):
        return labels.letter_kind
    if action == "case.event":
        return labels.event_kind
    if action.startswith("bundle."):
        from app.services.exchange import bundle_kind_label

        return bundle_kind_label
    return None


def _record_or_label(key: str) -> str:
    """A count's key: a kind of record (a bundle's counts), else a detail's label."""
    from app.services.exchange import RECORD_KINDS

    return _(RECORD_KINDS[key]) if key in RECORD_KINDS else _label(key)


def _when(text: str) -> str:
    """A date or a time stored as ISO text, in the reader's form; other text as it is."""
    try:
        if _ISO_DATETIME.match(text):
            return format_datetime(datetime.fromisoformat(text).astimezone())
        if _ISO_DATE.fullmatch(text):
            return format_date(date.fromisoformat(text))
    except ValueError:
        pass
    return text
