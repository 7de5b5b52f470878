"""This installation's public keys, and the registry of other installations' keys."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from app.db.models import Mission
from app.errors import ValidationError
from app.i18n import _
from app.services.installation import MISSION_CODE_RE
from app.services.workspace import Workspace


@dataclass(frozen=True)
class PublicKeys:
    mission_code: str
    signing_key: str
    age_recipient: str


@dataclass(frozen=True)
class TrustedKey:
    """Another installation whose bundles this one accepts."""

    code: str
    signing_key: str
    age_recipient: str
    trusted_at: datetime | None
    is_hq: bool


def check_signing_key(text: str) -> None:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValidationError(
            _("A signing key is 32 bytes in base64 (44 characters)."), field="signing_key"
        )


def check_age_recipient(text: str) -> None:
    import pyrage

    try:
        pyrage.x25519.Recipient.from_str(text)
    except Exception:  # noqa: BLE001 - pyrage raises its own error types
        raise ValidationError(
            _("An age recipient starts with 'age1'; this one is not valid."), field="age_recipient"
        ) from None


class KeyService:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def own_keys(self) -> PublicKeys:
        with self.ws.read() as session:
            mission = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
            return PublicKeys(
                mission.code, mission.signing_public_key or "", mission.age_recipient or ""
            )

    def trusted(self) -> list[TrustedKey]:
        """Other installations with a registered signing key, headquarters first."""
        with self.ws.read() as session:
            rows = session.execute(
                select(Mission)
                .where(Mission.is_local.is_(False), Mission.signing_public_key.is_not(None))
                .order_by(Mission.is_hq.desc(), Mission.code)
            ).scalars()
            return [
                TrustedKey(
                    m.code, m.signing_public_key or "", m.age_recipient or "", m.trusted_at, m.is_hq
                )
                for m in rows
            ]

    def trust(
        self,
        code: str,
        signing_key: str,
        age_recipient: str | None = None,
        is_hq: bool = False,
    ) -> None:
        """Register another installation's keys; ``is_hq`` marks headquarters (at a mission)."""
        self.ws.require_role("admin", "hq")
        if not MISSION_CODE_RE.match(code):
            raise ValidationError(
                _("The mission code is 2–8 capital Latin letters, for example SEL."), field="code"
            )
        check_signing_key(signing_key)
        if age_recipient:
            check_age_recipient(age_recipient)
        with self.ws.write() as session:
            mission = session.execute(
                select(Mission).where(Mission.code == code)
            ).scalar_one_or_none()
            if mission is not None and mission.is_local:
                raise ValidationError(_("This is the installation's own mission code."))
            if mission is None:
                mission = Mission(code=code, country="", city="")
                session.add(mission)
            previous = mission.signing_public_key
            mission.signing_public_key = signing_key
            if age_recipient:
                mission.age_recipient = age_recipient
            mission.trusted_at = datetime.now(UTC)
            if is_hq:
                mission.is_hq = True
            self.ws.audit(
                session,
                "keys.trust",
                "mission",
                code,
                {"signing_key": signing_key, "replaced": previous},
            )
