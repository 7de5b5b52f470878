"""Country briefing sheets for departing workers: the facts, gathered from what the
installation holds, in the sheet's language.

A sheet prints only what the data can stand behind: host-country figures marked verified in
the host-country table (each with its source and the date it was checked), the agreements the
library records as binding the host country with their checked provisions, counts of the
complaints received from the country in the last twelve months (no case, name or number), and
the mission's contacts.

Contacts. The mission's name, address, phone and e-mail are the letterhead's (``mission``
row); the hotline and the opening hours, which letters do not print, are a mission setting
kept in the ``setting`` table (``mission_contacts``), set by an administrator. Whose contacts a
sheet prints: the missions this installation knows in that country (its own first; at HQ the
missions whose bundles it received), and HQ's own block at HQ; where no mission in the country
is known, the installation's own contacts (a mission that covers several countries, or HQ).
Hotline and hours travel with no bundle, so they are printed for this installation only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.contracts.reference import (
    MinimumWage,
    PaidLeave,
    Provenance,
    StatuteCite,
    WorkingHours,
    reference_for,
)
from app.db.models import Mission, Setting
from app.domain.roles import ADMIN_OR_HQ
from app.errors import QorgauError, ValidationError
from app.i18n import LANGUAGES, _
from app.letters.grammar import with_the
from app.os_errors import os_error_reason
from app.reports.disclosure import PUBLISHED_K, published_count
from app.reports.export import replace_file
from app.services import validation as check
from app.services.workspace import Workspace

if TYPE_CHECKING:  # reportlab is imported only when a sheet is rendered
    from app.letters import PrintedPdf

CONTACTS_KEY = "mission_contacts"
# Who may change the hotline and hours: those who may change the mission's reference data.
CONTACT_EDITORS = ADMIN_OR_HQ
HOME_COUNTRY = "KZ"
MAX_HOTLINE = 60
MAX_HOURS = 200
COMPLAINT_WINDOW_DAYS = 365
TOP_COMPLAINTS = 5
# Instrument bases that bind the host country (a standard it has not ratified and
# Kazakhstan's own laws do not protect the worker there).
BINDING_BASES = ("bilateral", "eaeu", "cis", "ilo", "treaty")
# Bases whose provisions are printed one by one; for ILO and UN instruments the title and
# the host's ratification say what a worker needs.
PROVISION_BASES = ("bilateral", "eaeu", "cis")
_PHONE_CHARACTERS = re.compile(r"^[0-9+()\-\s./]*$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


# --- the mission's contacts (a setting) --------------------------------------------------------


@dataclass(frozen=True)
class MissionContacts:
    """What the sheet prints besides the letterhead: the hotline and the opening hours (one
    text per language; a blank one falls back to English, then to any language)."""

    hotline: str = ""
    hours: Mapping[str, str] = field(default_factory=dict)

    def hours_in(self, lang: str) -> str:
        return (
            self.hours.get(lang)
            or self.hours.get("en")
            or next((text for text in self.hours.values() if text), "")
        )


def mission_contacts(ws: Workspace) -> MissionContacts:
    with ws.read() as session:
        row = session.get(Setting, CONTACTS_KEY)
    return _contacts_from(row.value if row is not None else None)


def _contacts_from(value: Any) -> MissionContacts:
    if not isinstance(value, dict):
        return MissionContacts()
    raw_hours = value.get("hours")
    hours: dict[str, Any] = raw_hours if isinstance(raw_hours, dict) else {}
    return MissionContacts(
        hotline=str(value.get("hotline") or ""),
        hours={lang: str(hours.get(lang) or "") for lang in LANGUAGES if hours.get(lang)},
    )


def set_mission_contacts(ws: Workspace, hotline: str, hours: Mapping[str, str]) -> MissionContacts:
    """Store the hotline and opening hours (administrator); bad input changes nothing."""
    ws.require_role(*CONTACT_EDITORS)
    hotline = hotline.strip()
    if len(hotline) > MAX_HOTLINE or not _PHONE_CHARACTERS.match(hotline):
        raise ValidationError(
            _(
                "The hotline is a phone number of up to {limit} characters, "
                "such as +82 2 1234 5678."
            ).format(limit=MAX_HOTLINE),
            field="hotline",
        )
    cleaned: dict[str, str] = {}
    for lang, text in hours.items():
        check.language(lang, field="hours")
        value = " ".join(text.split())
        if len(value) > MAX_HOURS or _CONTROL.search(value):
            raise ValidationError(
                _("The opening hours are one line of up to {limit} characters.").format(
                    limit=MAX_HOURS
                ),
                field="hours",
            )
        if value:
            cleaned[lang] = value
    document = {"hotline": hotline, "hours": cleaned}
    with ws.write() as session:
        row = session.get(Setting, CONTACTS_KEY)
        if row is None:
            session.add(Setting(key=CONTACTS_KEY, value=document))
        else:
            row.value = document
        ws.audit(session, "settings.mission_contacts", "setting", CONTACTS_KEY, document)
    return _contacts_from(document)


# --- the sheet's facts -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactBlock:
    """One office a worker can turn to."""

    name: str
    address: str
    phone: str
    email: str
    hotline: str = ""
    hours: str = ""
    # False for the installation's own office printed because none in the host country is known:
    # the sheet then says so, else a worker bound for Türkiye took a Seoul embassy for theirs.
    in_host_country: bool = True


@dataclass(frozen=True)
class CheckedFigure:
    """A host-country figure from the table, only ever a verified one, with its source."""

    subject: str  # minimum_wage, hours, paid_leave, passport
    value: MinimumWage | WorkingHours | PaidLeave | None
    provenance: Provenance
    citations: tuple[str, ...]  # the statutes and articles in the sheet's language


@dataclass(frozen=True)
class AgreementPoint:
    text: str
    source: str
    checked_on: date | None


@dataclass(frozen=True)
class AgreementFact:
    title: str
    basis: str
    source: str
    checked_on: date | None
    points: tuple[AgreementPoint, ...]


@dataclass(frozen=True)
class ComplaintCount:
    category: str
    label: str
    count: int


@dataclass(frozen=True)
class BriefingSheet:
    country: str
    lang: str
    printed_on: date
    issued_by: str  # the installation's name in the sheet's language (the PDF's author)
    issued_by_in_text: str  # the same in the footer's running text: "the Embassy of …"
    contacts: tuple[ContactBlock, ...]
    figures: tuple[CheckedFigure, ...]
    agreements: tuple[AgreementFact, ...]
    complaints: tuple[ComplaintCount, ...]  # kinds received at least k times, counts rounded
    complaints_from: date
    # Complaints came from the country in the window, listed or not: a sheet listing none
    # must not say that none came.
    complaints_received: bool
    checklist: tuple[str, ...]  # contract-review rule ids, in the review's order


def briefing_country(value: str) -> str:
    """A country a worker may leave for: any ISO 3166 code but Kazakhstan's own."""
    code = check.country(value, "country")
    if code == HOME_COUNTRY:
        raise ValidationError(
            _("A briefing sheet is for work abroad; choose a country other than Kazakhstan."),
            field="country",
        )
    return code


def _text(values: Mapping[str, str], lang: str) -> str:
    return values.get(lang) or values.get("en") or next((v for v in values.values() if v), "")


def _mission_texts(row: Mission) -> tuple[dict[str, str], dict[str, str]]:
    names = {"kk": row.name_kk, "ru": row.name_ru, "en": row.name_en}
    addresses = {"kk": row.address_kk, "ru": row.address_ru, "en": row.address_en}
    return (
        {k: v.strip() for k, v in names.items() if v.strip()},
        {k: v.strip() for k, v in addresses.items() if v.strip()},
    )


def _block(row: Mission, lang: str, own: MissionContacts | None) -> ContactBlock:
    names, addresses = _mission_texts(row)
    return ContactBlock(
        name=_text(names, lang) or row.code,
        address=_text(addresses, lang),
        phone=row.phone.strip(),
        email=row.email.strip(),
        hotline=own.hotline if own else "",
        hours=own.hours_in(lang) if own else "",
    )


def contact_blocks(ws: Workspace, country: str, lang: str) -> tuple[ContactBlock, ...]:
    """Whom the sheet tells the worker to call (see the module's docstring for the rule)."""
    own = mission_contacts(ws)
    with ws.read() as session:
        rows = list(
            session.execute(
                select(Mission)
                .where(Mission.deleted_at.is_(None))
                .order_by(Mission.is_local.desc(), Mission.code)
            ).scalars()
        )
        local = next((row for row in rows if row.is_local), None)
        in_country = [
            _block(row, lang, own if row.is_local else None)
            for row in rows
            if row.country == country and not row.is_hq and (row.is_local or _named(row))
        ]
        home = _block(local, lang, own) if local is not None else None
    if home is not None and (not in_country or (local is not None and local.is_hq)):
        in_country.append(replace(home, in_host_country=False))
    return tuple(in_country)


def _named(row: Mission) -> bool:
    # A mission HQ knows only by its key has no name or phone to print.
    return bool((row.name_en or row.name_ru or row.name_kk).strip() and row.phone.strip())


def _figures(ws: Workspace, country: str, lang: str, today: date) -> tuple[CheckedFigure, ...]:
    from app.services.legal_tables import host_table

    reference = reference_for(country, host_table(ws).data, on=today)
    if reference is None:
        return ()
    figures: list[CheckedFigure] = []
    for subject in ("minimum_wage", "hours", "paid_leave", "passport"):
        item = getattr(reference, subject)
        if item is None or not item.provenance.verified:
            continue  # an unchecked figure is never printed for a worker to rely on
        citations = _citations(item.provenance.cites, lang)
        value = None if subject == "passport" else item
        figures.append(CheckedFigure(subject, value, item.provenance, citations))
    return tuple(figures)


def _citations(cites: Sequence[StatuteCite], lang: str) -> tuple[str, ...]:
    """One citation per law, its title once and then its articles: the Korean sheet read
    «Еңбек стандарттары туралы заң (Labor Standards Act), 50-бап; Еңбек стандарттары туралы
    заң (Labor Standards Act), 53-бап»."""
    from app.agreements.applicability import article_text
    from app.contracts.rules import statute_citation

    by_law: dict[str, list[StatuteCite]] = {}
    for cite in cites:
        by_law.setdefault(cite.statute.id, []).append(cite)
    return tuple(
        ", ".join(
            [
                statute_citation(same[0], lang),
                *(article_text(c.article, lang) for c in same[1:] if c.article),
            ]
        )
        for same in by_law.values()
    )


def _agreements(ws: Workspace, country: str, lang: str) -> tuple[AgreementFact, ...]:
    from app.services.agreements import AgreementService

    facts: list[AgreementFact] = []
    for item in AgreementService(ws).applicable(country, lang):
        instrument = item.instrument
        if item.basis not in BINDING_BASES or not item.binding or not instrument.verified:
            continue
        points = tuple(
            AgreementPoint(p.summary, p.source or instrument.source, p.checked_on)
            for p in instrument.provisions
            # Only checked provisions that bear on a worker's complaint (not, say, the
            # states' duty to cooperate with each other).
            if p.verified and set(p.categories) - {"other"}
        )
        if item.basis in PROVISION_BASES and not points:
            continue
        facts.append(
            AgreementFact(
                title=instrument.title,
                basis=item.basis,
                source=instrument.source,
                checked_on=instrument.checked_on,
                points=points if item.basis in PROVISION_BASES else (),
            )
        )
    return tuple(facts)


def _complaints(
    ws: Workspace, country: str, lang: str, today: date
) -> tuple[date, tuple[ComplaintCount, ...], bool]:
    """The start of the window, the kinds of complaint to list and whether any came at all.

    A sheet is handed to anyone: "Trafficking — 1 complaint" from a country few work in points
    at the worker who made it, so a kind is listed only from k complaints, its count rounded
    as the statistics a partner receives are."""
    from app.domain.taxonomy import category
    from app.services.stats import StatsFilter, StatsService

    start = today - timedelta(days=COMPLAINT_WINDOW_DAYS)
    counts = StatsService(ws, today=today).category_counts(
        StatsFilter(date_from=start, date_to=today, host_country=country)
    )
    top = [c for c in counts if c.count >= PUBLISHED_K and c.key != "other"][:TOP_COMPLAINTS]
    listed = tuple(
        ComplaintCount(
            c.key, category(c.key).label(lang), int(published_count(c.count, PUBLISHED_K))
        )
        for c in top
    )
    return start, listed, any(c.count > 0 for c in counts)


def briefing_sheet(
    ws: Workspace, country: str, lang: str, today: date | None = None
) -> BriefingSheet:
    """Everything the sheet for ``country`` prints in ``lang``; bad input raises
    ValidationError before anything is read."""
    from app.contracts.rules import RULES

    code = briefing_country(country)
    language = check.language(lang)
    day = today or date.today()
    contacts = contact_blocks(ws, code, language)
    complaints_from, complaints, received = _complaints(ws, code, language, day)
    mission = ws.mission
    names = {
        k: v
        for k, v in (("kk", mission.name_kk), ("ru", mission.name_ru), ("en", mission.name_en))
        if v.strip()
    }
    issued_by = _text(names, language) or mission.code
    # English running text names a mission with "the", as the letters do; a mission code or a
    # name in another language (no English one on file) takes none.
    in_text = with_the(issued_by) if language == "en" and "en" in names else issued_by
    return BriefingSheet(
        country=code,
        lang=language,
        printed_on=day,
        issued_by=issued_by,
        issued_by_in_text=in_text,
        contacts=contacts,
        figures=_figures(ws, code, language, day),
        agreements=_agreements(ws, code, language),
        complaints=complaints,
        complaints_from=complaints_from,
        complaints_received=received,
        checklist=tuple(rule.code for rule in RULES),
    )


def render_briefing_pdf(
    ws: Workspace, country: str, lang: str, today: date | None = None
) -> PrintedPdf:
    """The sheet as PDF bytes; the caller writes them (nothing is written on an error)."""
    from app.reports.briefing import render_briefing

    return render_briefing(briefing_sheet(ws, country, lang, today))


def write_briefing(
    ws: Workspace, country: str, lang: str, path: Path, today: date | None = None
) -> str:
    """Render the sheet, then write it to ``path``: a refused country or language writes
    no file at all. Returns the warning about characters its fonts cannot print, if any."""
    pdf = render_briefing_pdf(ws, country, lang, today)
    try:
        replace_file(path, pdf)
    except OSError as exc:
        raise QorgauError(
            _("Cannot write {path}: {reason}").format(path=path, reason=os_error_reason(exc))
        ) from None
    return pdf.warning()
