"""The recovery key as people read, print and type it: groups with a check character each.

160 random bits as 8 groups of 4 characters of Crockford's base32 (no I, L, O, U: nothing to
confuse), each followed by a check character, e.g. ``7KQ2M-...``. The check is Luhn mod 32
over the group's characters and its position, so any single mistyped character, most swaps
of neighbours and a group typed in the wrong place are caught, and the message names the group.
Typing is forgiving: case, spaces and dashes do not matter; O reads as 0, I and L as 1.

HQ's one-time escrow codes use the same shape.
"""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.errors import ValidationError
from app.i18n import _
from app.security.keyslots import RECOVERY_SLOT, KeySlotStore, PendingKey

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 8
DATA_CHARS = 4
GROUP_CHARS = DATA_CHARS + 1
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_character(group: str, position: int) -> str:
    """Luhn mod 32 of ``group`` (data characters only), salted with its position."""
    total = position % 32
    for i, char in enumerate(reversed(group)):
        value = _VALUE[char]
        if i % 2 == 0:
            value *= 2
            value = value // 32 + value % 32
        total += value
    return ALPHABET[(32 - total % 32) % 32]


def new_recovery_key() -> str:
    """A fresh key in its canonical form: groups joined by ``-``."""
    groups = []
    for position in range(GROUPS):
        data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_CHARS))
        groups.append(data + check_character(data, position))
    return "-".join(groups)


def groups_of(key: str) -> list[str]:
    return key.split("-")


def _typing_error(number: int, group: str) -> ValidationError:
    # Said when shown: a dialog still showing it follows a language switch.
    return ValidationError(
        lambda: _("Group {n} of the recovery key ({group}) has a typing error.").format(
            n=number, group=group
        ),
        field="recovery_key",
    )


def parse_recovery_key(text: str) -> str:
    """The canonical form of what was typed; ValidationError naming the first wrong group."""
    cleaned = "".join(text.split()).replace("-", "").upper().translate(_LOOKALIKES)
    if len(cleaned) != GROUPS * GROUP_CHARS:
        count = len(cleaned)
        raise ValidationError(
            lambda: _(
                "A recovery key has {groups} groups of {chars} characters; "
                "{count} characters were given."
            ).format(groups=GROUPS, chars=GROUP_CHARS, count=count),
            field="recovery_key",
        )
    groups = [cleaned[i : i + GROUP_CHARS] for i in range(0, len(cleaned), GROUP_CHARS)]
    for position, group in enumerate(groups):
        if (
            any(c not in _VALUE for c in group)
            or check_character(group[:DATA_CHARS], position) != group[DATA_CHARS]
        ):
            raise _typing_error(position + 1, group)
    return "-".join(groups)


def create_recovery_slot(
    slots: KeySlotStore,
    key: bytes,
    pending: PendingKey | None = None,
    private: X25519PrivateKey | None = None,
) -> str:
    """A new recovery key opening ``key`` (and a waiting re-key's); returns it (shown once,
    never stored unwrapped). ``private``, the slot's key pair, made by the caller to put its
    signing key on record (``app.security.user_ledger``)."""
    recovery_key = new_recovery_key()
    slots.set_slot(RECOVERY_SLOT, recovery_key, key, pending, private)
    return recovery_key
