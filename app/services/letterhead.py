"""This installation's mission as every letter and printed report shows it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Mission
from app.domain.cities import known_city
from app.errors import NotFound
from app.i18n import _
from app.letters.context import MissionInfo


def _texts(kk: str, ru: str, en: str) -> dict[str, str]:
    # Blank translations are left out, so MissionInfo.text falls back to another language.
    return {lang: text for lang, text in (("kk", kk), ("ru", ru), ("en", en)) if text.strip()}


def letterhead(session: Session) -> MissionInfo:
    row = session.execute(select(Mission).where(Mission.is_local)).scalar_one_or_none()
    if row is None:
        raise NotFound(_("This installation's mission is not set up."))
    return MissionInfo(
        code=row.code,
        name=_texts(row.name_kk, row.name_ru, row.name_en),
        address=_texts(row.address_kk, row.address_ru, row.address_en),
        phone=row.phone,
        email=row.email,
        city=_texts(
            row.city_kk.strip() or known_city(row.city, "kk"),
            row.city_ru.strip() or known_city(row.city, "ru"),
            row.city,
        ),
        country=row.country,
    )
