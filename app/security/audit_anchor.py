"""Anchoring the audit chain outside the installation: signed heads carried in bundles.

The audit chain (``app.security.audit``) finds a changed, missing or reordered entry, but not
a *consistently* rewritten history: whoever holds the database key can edit an entry and
recompute every later hash, or cut the tail and lower the counter. The database alone cannot
prevent that, because it is all in one file that user holds. So the chain is anchored where
that user cannot reach:

- At every bundle export the chain head (the last entry's ``seq`` and ``hash``) is signed with
  the installation's Ed25519 signing key and put in the manifest as ``audit_head``, together
  with the audit entries since the head of the previous export (the previous head's own entry
  included, so the receiver can link the two); a first export, or one with ``--all``, carries
  the chain from its start, at most its last 10,000 entries.
- The receiver (HQ for a mission) checks that the carried entries form a chain ending in the
  signed head, and that they agree with every entry hash it already holds from that
  installation. It refuses a bundle whose head is lower than the one it holds (history cut)
  unless it was signed before that one at an entry it holds (an older bundle imported late),
  whose entries differ from hashes it holds (history edited), or that comes without a head
  after heads were sent. It keeps the new head and hashes. When the carried entries do not reach
  back to anything it holds (a bundle was lost or skipped), it cannot check the link: the
  import goes on, with a loud warning in the report and in its own audit log.
- ``qorgau audit head CODE --out FILE`` writes the head held for an installation; at that
  installation ``qorgau audit verify --head FILE`` checks its local chain against it. Without
  ``--head``, ``verify`` compares with the head recorded locally at the last export, which a
  user holding the database key can also rewrite: HQ's copy is the authority.

Why refuse rather than flag: the bundle comes from an installation whose history was rewritten,
so nothing it says can be taken at face value; HQ's administrator decides, after finding out
why (a restored backup also cuts history), and ``audit forget-head CODE`` lets the next
bundle start afresh, itself audited.

An HMAC key kept outside the user slots was considered and not used: the app must append
entries while any user is signed in, so the key would have to be readable by every user who can
open the database, which is the person the anchor is against.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db.models import AuditAnchor, AuditEntry, AuditHead
from app.errors import IntegrityError
from app.i18n import Said, _
from app.security.audit import (
    GENESIS,
    REDACTING_ACTIONS,
    canonical_time,
    entry_hash,
    redaction_holds,
    redactions_in,
)

HEAD_FORMAT = "qorgau-audit-head"
MANIFEST_FIELD = "audit_head"
# A first export (or one with --all) carries the whole chain up to this many entries.
MAX_CARRIED = 10_000  # bounds the manifest (about 4 MB) and its schema check
HASH_PATTERN = "^[0-9a-f]{64}$"
CODE_PATTERN = "^[A-Z]{2,8}$"


class AuditHeadRefused(IntegrityError):
    """A bundle's audit head is malformed, unsigned or does not match its entries."""


class AuditHistoryRewritten(AuditHeadRefused):
    """A bundle whose signed audit head shows the sender's history was rewritten."""


def _sign(private_pem: bytes, data: bytes) -> bytes:
    key = load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise IntegrityError(_("This installation's signing key is not an Ed25519 key."))
    return key.sign(data)


# -- the signed head ------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedHead:
    mission: str
    seq: int
    hash: str
    signed_at: str
    signature: str = ""

    def signed_bytes(self) -> bytes:
        """What the signature covers: canonical JSON, so any reader can recompute it."""
        return json.dumps(
            {
                "format": HEAD_FORMAT,
                "mission": self.mission,
                "seq": self.seq,
                "hash": self.hash,
                "signed_at": self.signed_at,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode("ascii")

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": HEAD_FORMAT,
            "mission": self.mission,
            "seq": self.seq,
            "hash": self.hash,
            "signed_at": self.signed_at,
            "signature": self.signature,
        }

    def signed_by(self, public_key_b64: str | None) -> bool:
        try:
            raw = base64.b64decode(public_key_b64 or "", validate=True)
            key = Ed25519PublicKey.from_public_bytes(raw)
            key.verify(base64.b64decode(self.signature, validate=True), self.signed_bytes())
        except (binascii.Error, ValueError, InvalidSignature):
            return False
        return True


def parse_head(data: Any) -> SignedHead:
    """A head from a manifest or a head file; ValueError with a message when malformed."""
    if not isinstance(data, dict) or data.get("format") != HEAD_FORMAT:
        raise ValueError(_("This is not a signed audit head."))
    mission, seq, digest = data.get("mission"), data.get("seq"), data.get("hash")
    signed_at, signature = data.get("signed_at"), data.get("signature")
    if (
        not isinstance(mission, str)
        or not isinstance(seq, int)
        or isinstance(seq, bool)
        or seq < 0
        or not isinstance(digest, str)
        or len(digest) != 64
        or not isinstance(signed_at, str)
        or not isinstance(signature, str)
    ):
        raise ValueError(_("The signed audit head is malformed."))
    return SignedHead(mission, seq, digest, signed_at, signature)


def head_schema() -> dict[str, Any]:
    """The manifest's optional ``audit_head`` (docs/bundle-format.md, "Audit chain head")."""
    text = {"type": "string", "maxLength": 64}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "mission", "seq", "hash", "signed_at", "signature", "entries"],
        "properties": {
            "format": {"const": HEAD_FORMAT},
            "mission": {"type": "string", "pattern": CODE_PATTERN},
            "seq": {"type": "integer", "minimum": 0, "maximum": 2**53},
            "hash": {"type": "string", "pattern": HASH_PATTERN},
            "signed_at": {"type": "string", "format": "date-time", "maxLength": 40},
            "signature": {"type": "string", "maxLength": 120},
            "entries": {
                "type": "array",
                "maxItems": MAX_CARRIED,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "seq",
                        "at",
                        "actor",
                        "action",
                        "entity",
                        "entity_id",
                        "details",
                        "prev_hash",
                        "hash",
                    ],  # fmt: skip
                    "properties": {
                        "seq": {"type": "integer", "minimum": 1, "maximum": 2**53},
                        "at": {"type": "string", "format": "date-time", "maxLength": 40},
                        "actor": text,
                        "action": text,
                        "entity": text,
                        "entity_id": text,
                        "details": {"type": "object"},
                        "prev_hash": {"type": "string", "pattern": HASH_PATTERN},
                        "hash": {"type": "string", "pattern": HASH_PATTERN},
                    },
                },
            },
        },
    }


def current_head(session: Session) -> tuple[int, str]:
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def sign_head(session: Session, signing_pem: bytes, mission: str) -> SignedHead:
    seq, digest = current_head(session)
    # To the microsecond: two exports a second apart must still tell which came first (_stale).
    signed_at = datetime.now(UTC).isoformat(timespec="microseconds")
    unsigned = SignedHead(mission, seq, digest, signed_at)
    signature = base64.b64encode(_sign(signing_pem, unsigned.signed_bytes())).decode("ascii")
    return SignedHead(mission, seq, digest, unsigned.signed_at, signature)


def _wire(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": canonical_time(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


# -- export -------------------------------------------------------------------------------


def head_for_export(
    session: Session, signing_pem: bytes, mission: str, whole_chain: bool
) -> dict[str, Any]:
    """The manifest's ``audit_head``: the signed head and the entries since the last one."""
    head = sign_head(session, signing_pem, mission)
    previous = session.get(AuditHead, mission)
    # From the previous head's own entry (so the receiver can link the two); from the head
    # itself when the local chain is now shorter than that (the receiver will say why).
    start = 1 if whole_chain or previous is None else max(1, min(previous.seq, head.seq))
    start = max(start, head.seq - MAX_CARRIED + 1)
    entries = session.execute(
        select(AuditEntry)
        .where(AuditEntry.seq >= start, AuditEntry.seq <= head.seq)
        .order_by(AuditEntry.seq)
    ).scalars()
    return {**head.to_dict(), "entries": [_wire(e) for e in entries]}


def remember_export(session: Session, carried: dict[str, Any], bundle_id: str) -> None:
    """Keep the head just signed: the next export carries the entries after it."""
    _keep_head(session, parse_head(carried), bundle_id)


def _keep_head(session: Session, head: SignedHead, bundle_id: str) -> None:
    row = session.get(AuditHead, head.mission) or AuditHead(mission_code=head.mission)
    row.seq, row.hash, row.signed_at = head.seq, head.hash, head.signed_at
    row.signature, row.bundle_id, row.recorded_at = head.signature, bundle_id, datetime.now(UTC)
    session.add(row)


# -- import -------------------------------------------------------------------------------


@dataclass
class HeadCheck:
    """What a received bundle's head proved, to keep once the import commits."""

    head: SignedHead | None
    entries: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # An older bundle that arrived after a newer one: its head is not kept (``_stale``).
    stale: bool = False


def _rewritten(source: str, detail: str) -> AuditHistoryRewritten:
    return AuditHistoryRewritten(
        _(
            "Refused: the audit history of {code} has been rewritten ({detail}). Nothing was "
            "imported; find out why with {code} before accepting its bundles again."
        ).format(code=source, detail=detail)
    )


def _check_links(source: str, head: SignedHead, entries: list[dict[str, Any]]) -> None:
    """The carried entries must be one unbroken chain ending in the signed head."""
    if head.seq == 0:
        if entries:
            raise AuditHeadRefused(_("The bundle's audit entries do not match its audit head."))
        return
    if not entries or entries[-1]["seq"] != head.seq or entries[-1]["hash"] != head.hash:
        raise AuditHeadRefused(_("The bundle's audit entries do not match its audit head."))
    # A redacted entry comes with the entry that redacted it (later, so carried too).
    redactions = redactions_in(
        [(e["seq"], e["details"]) for e in entries if e["action"] in REDACTING_ACTIONS]
    )
    previous: dict[str, Any] | None = None
    for entry in entries:
        computed = entry_hash(
            entry["seq"],
            entry["at"],
            entry["actor"],
            entry["action"],
            entry["entity"],
            entry["entity_id"],
            entry["details"],
            entry["prev_hash"],
        )
        linked = (
            entry["prev_hash"] == previous["hash"]
            if previous is not None
            else entry["seq"] > 1 or entry["prev_hash"] == GENESIS
        )
        in_order = previous is None or entry["seq"] == previous["seq"] + 1
        intact = computed == entry["hash"] or redaction_holds(
            redactions, entry["seq"], entry["hash"], computed, entry["details"]
        )
        if not intact or not linked or not in_order:
            raise AuditHeadRefused(
                _(
                    "The bundle's audit entries from {code} do not form a chain (entry {seq})."
                ).format(code=source, seq=entry["seq"])
            )
        previous = entry


def check_incoming(
    session: Session,
    manifest: dict[str, Any],
    source: str,
    public_key_b64: str | None,
    warn_on_gap: bool = True,
    last_received: str | None = None,
) -> HeadCheck:
    """Refuse a bundle whose audit head shows rewritten history; nothing is written here.

    ``warn_on_gap`` is for HQ, which should see every bundle of a mission; a mission sees only
    some of HQ's bundles (transfers go to others), so a gap there is normal, not news.
    ``last_received``: the id of the last bundle received from ``source`` before this one,
    which a gap's warning names for the mission to send again what came after it.
    """
    held = session.get(AuditHead, source)
    carried = manifest.get(MANIFEST_FIELD)
    if carried is None:
        if held is not None:
            raise _rewritten(source, _("the bundle carries no audit head, earlier ones did"))
        return HeadCheck(None)
    try:
        head = parse_head(carried)
    except ValueError as exc:
        raise AuditHeadRefused(str(exc)) from None
    if head.mission != source or not head.signed_by(public_key_b64):
        raise AuditHeadRefused(
            _("The bundle's audit head is not signed by {code}.").format(code=source)
        )
    entries: list[dict[str, Any]] = list(carried.get("entries") or [])
    _check_links(source, head, entries)
    stale = held is not None and _stale(session, source, head, held)
    if held is not None and head.seq < held.seq and not stale:
        raise _rewritten(
            source,
            _("its audit chain ends at entry {seq}; entry {held} was received before").format(
                seq=head.seq, held=held.seq
            ),
        )
    if held is not None and head.seq == held.seq and head.hash != held.hash:
        raise _rewritten(source, _("entry {seq} has changed").format(seq=head.seq))
    first = entries[0]["seq"] if entries else head.seq + 1
    known = dict(
        session.execute(
            select(AuditAnchor.seq, AuditAnchor.hash).where(
                AuditAnchor.mission_code == source,
                AuditAnchor.seq >= first - 1,
                AuditAnchor.seq <= head.seq,
            )
        ).all()
    )
    for entry in entries:
        if entry["seq"] in known and known[entry["seq"]] != entry["hash"]:
            raise _rewritten(source, _("entry {seq} has changed").format(seq=entry["seq"]))
    if entries and first - 1 in known and entries[0]["prev_hash"] != known[first - 1]:
        raise _rewritten(source, _("entry {seq} has changed").format(seq=first - 1))
    check = HeadCheck(head, entries, stale=stale)
    reaches_known = bool(known) and (first - 1 in known or any(e["seq"] in known for e in entries))
    if warn_on_gap and held is not None and not reaches_known and head.seq > held.seq:
        gap = (held.seq + 1, first - 1)
        check.warnings.append(Said(lambda: _unreceived_warning(source, gap, last_received)))
    return check


def _unreceived_warning(source: str, gap: tuple[int, int], last_received: str | None) -> str:
    unreceived = _(
        "The audit entries {first}–{last} of {code} were never received, so this "
        "bundle's audit history cannot be linked to the one held."
    ).format(first=gap[0], last=gap[1], code=source)
    if last_received:
        ask = _(
            "A bundle of {code} may have been lost: ask {code} to send again everything "
            "after bundle {bundle}, the last one received here (Exchange, “Send again "
            "after a bundle…”, or “qorgau bundle export --after-bundle {bundle}”)."
        ).format(code=source, bundle=last_received)
    else:
        ask = _("Ask {code} for a bundle exported with --all.").format(code=source)
    return f"{unreceived} {ask}"


def _stale(session: Session, source: str, head: SignedHead, held: AuditHead) -> bool:
    """Whether ``head`` is simply older than the one held: signed before it, at an entry whose
    hash is already held as received (a bundle made earlier, imported later: files travel out
    of order). A cut history signs its lower head after the held one, and is refused. A forged
    signing time gains nothing: the held head stays, and the next bundle must link to it."""
    if head.seq >= held.seq:
        return False
    try:
        earlier = datetime.fromisoformat(head.signed_at) < datetime.fromisoformat(held.signed_at)
    except (TypeError, ValueError):
        return False
    anchored = session.execute(
        select(AuditAnchor.hash).where(
            AuditAnchor.mission_code == source, AuditAnchor.seq == head.seq
        )
    ).scalar_one_or_none()
    return earlier and anchored == head.hash


def keep_incoming(session: Session, source: str, check: HeadCheck, bundle_id: str) -> None:
    """Hold the new head and the hashes of the entries it carried (in the import's transaction)."""
    if check.head is None:
        return
    known = set(
        session.execute(
            select(AuditAnchor.seq).where(
                AuditAnchor.mission_code == source,
                AuditAnchor.seq >= (check.entries[0]["seq"] if check.entries else 0),
            )
        ).scalars()
    )
    session.add_all(
        AuditAnchor(mission_code=source, seq=e["seq"], hash=e["hash"])
        for e in check.entries
        if e["seq"] not in known
    )
    if not check.stale:  # never back to an older head: the next bundle links to the newest
        _keep_head(session, check.head, bundle_id)


def held_head(session: Session, code: str) -> SignedHead | None:
    row = session.get(AuditHead, code)
    if row is None:
        return None
    return SignedHead(row.mission_code, row.seq, row.hash, row.signed_at, row.signature)


def forget(session: Session, code: str) -> SignedHead | None:
    """Drop what is held for ``code`` so that its next bundle starts afresh (an HQ decision)."""
    head = held_head(session, code)
    session.execute(delete(AuditAnchor).where(AuditAnchor.mission_code == code))
    session.execute(delete(AuditHead).where(AuditHead.mission_code == code))
    return head


# -- verify against a head ----------------------------------------------------------------


def compare_with_head(session: Session, head: SignedHead) -> str | None:
    """None when the local chain contains ``head``; otherwise what is wrong, in a sentence."""
    if head.seq == 0:
        return None
    local = session.get(AuditEntry, head.seq)
    if local is None:
        last, _digest = current_head(session)
        return _(
            "The audit log ends at entry {last}, but entry {seq} was signed earlier: "
            "entries have been removed."
        ).format(last=last, seq=head.seq)
    if local.hash != head.hash:
        return _(
            "Audit entry {seq} differs from the one signed earlier: the history has been rewritten."
        ).format(seq=head.seq)
    return None
