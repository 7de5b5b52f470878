"""The agreements library: treaties, agreements, memoranda and ILO conventions, with provisions.

The library ships as ``resources/agreements/library.json`` and HQ replaces it through an update
bundle, so every file is validated here before use: a malformed one is refused whole with a
message naming the place and the problem. ``library.schema.json`` documents the same format;
the checks are written in Python so that the app needs no JSON Schema package.

Every entry (instrument, provision, ratification) keeps where its fact comes from (``source``),
when it was last checked (``checked_on``) and whether it was checked (``verified``); an entry
marked verified without a source and a date is refused, so "verified" always means "see there".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import NoReturn, TypeVar

from app.domain.codes import Category
from app.errors import NotFound, ValidationError
from app.i18n import LANGUAGES, _, current_language, format_date, pgettext
from app.os_errors import os_error_reason
from app.resources import resource_path
from app.untrusted import json_from_outside

DEFAULT_LIBRARY_PATH = resource_path("agreements", "library.json")
LIBRARY_FORMAT = "qorgau-agreements"
SUPPORTED_VERSIONS = (2,)
# A library is a few hundred kilobytes; anything far larger is not one (bundle safety).
MAX_LIBRARY_BYTES = 5 * 1024 * 1024
HOME_COUNTRY = "KZ"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ISO2 = re.compile(r"^[A-Z]{2}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_TEXT = 2000


class InstrumentKind(StrEnum):
    TREATY = "treaty"
    AGREEMENT = "agreement"
    MEMORANDUM = "memorandum"
    ILO_CONVENTION = "ilo_convention"
    PROTOCOL = "protocol"  # an ILO protocol
    UN_CONVENTION = "un_convention"
    UN_PROTOCOL = "un_protocol"
    NATIONAL_LAW = "national_law"  # a law of Kazakhstan


class InstrumentStatus(StrEnum):
    IN_FORCE = "in_force"
    SIGNED = "signed"
    NEGOTIATING = "negotiating"
    PLANNED = "planned"
    # Proposed by a study; no government plan is known.
    RECOMMENDED = "recommended"
    # Its force is in question: shown for information, never cited.
    DOUBTFUL = "doubtful"
    EXPIRED = "expired"


class InstrumentGroup(StrEnum):
    EAEU = "EAEU"
    CIS = "CIS"
    ILO = "ILO"
    UN = "UN"


class Ratification(StrEnum):
    """Whether a state is known to have ratified an ILO or UN instrument."""

    RATIFIED = "ratified"
    NOT_RATIFIED = "not_ratified"
    UNKNOWN = "unknown"


ILO_KINDS = frozenset({InstrumentKind.ILO_CONVENTION, InstrumentKind.PROTOCOL})
UN_KINDS = frozenset({InstrumentKind.UN_CONVENTION, InstrumentKind.UN_PROTOCOL})
# Instruments open to any state: who is bound is a matter of ratification, not of parties.
MULTILATERAL_KINDS = ILO_KINDS | UN_KINDS
# Only an instrument in force binds anyone: one signed but not in force (ratification or
# entry into force outstanding) is shown for information, never cited as law.
BINDING_STATUSES = frozenset({InstrumentStatus.IN_FORCE})
PENDING_STATUSES = frozenset(
    {
        InstrumentStatus.SIGNED,
        InstrumentStatus.NEGOTIATING,
        InstrumentStatus.PLANNED,
        InstrumentStatus.RECOMMENDED,
        InstrumentStatus.DOUBTFUL,
    }
)


@dataclass(frozen=True)
class LocalizedText:
    """One text written in each of the app's languages."""

    kk: str
    ru: str
    en: str

    def in_(self, language: str | None = None) -> str:
        return str(getattr(self, check_language(language or current_language())))

    def all(self) -> tuple[str, str, str]:
        return (self.kk, self.ru, self.en)


@dataclass(frozen=True)
class RatificationEntry:
    """What is known of one state's ratification of an ILO or UN instrument, and from where."""

    state: str
    ratified: bool
    source: str
    verified: bool
    checked_on: date | None = None
    ratified_on: date | None = None
    law: str = ""
    note: str = ""
    # The day it entered into force for the state, where a source gives it (not derived).
    in_force_on: date | None = None


@dataclass(frozen=True)
class Provision:
    id: str
    article: str
    summary: LocalizedText
    categories: tuple[Category, ...]
    verified: bool
    source: str = ""
    checked_on: date | None = None

    def summary_in(self, language: str | None = None) -> str:
        return self.summary.in_(language)


@dataclass(frozen=True)
class Instrument:
    id: str
    kind: InstrumentKind
    title: LocalizedText
    parties: tuple[str, ...]
    group: InstrumentGroup | None
    signed_on: date | None
    in_force_on: date | None
    status: InstrumentStatus
    source: str
    verified: bool
    provisions: tuple[Provision, ...] = ()
    note: LocalizedText | None = None
    ratifications: tuple[RatificationEntry, ...] = ()
    checked_on: date | None = None
    # The last day an expired instrument was in force, where a source gives it.
    expired_on: date | None = None

    @property
    def ratified_by(self) -> frozenset[str]:
        return frozenset(entry.state for entry in self.ratifications if entry.ratified)

    @property
    def not_ratified_by(self) -> frozenset[str]:
        return frozenset(entry.state for entry in self.ratifications if not entry.ratified)

    def ratification_entry(self, state: str) -> RatificationEntry | None:
        return next((entry for entry in self.ratifications if entry.state == state), None)

    def title_in(self, language: str | None = None) -> str:
        return self.title.in_(language)

    def note_in(self, language: str | None = None) -> str | None:
        return self.note.in_(language) if self.note else None

    @property
    def is_ilo(self) -> bool:
        return self.kind in ILO_KINDS

    @property
    def in_force_date_unknown(self) -> bool:
        """In force, but no source gave the date it entered into force."""
        return in_force_date_unknown(self.status, self.in_force_on)

    @property
    def is_multilateral(self) -> bool:
        """An ILO or UN instrument: it binds the states that ratified it."""
        return self.kind in MULTILATERAL_KINDS

    @property
    def is_national_law(self) -> bool:
        return self.kind is InstrumentKind.NATIONAL_LAW

    @property
    def is_binding(self) -> bool:
        """In force: cited as law (a text signed but not in force, or pending, is information
        only)."""
        return self.status in BINDING_STATUSES

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def is_expired(self) -> bool:
        return self.status is InstrumentStatus.EXPIRED

    def ratification(self, country: str) -> Ratification:
        if country in self.ratified_by:
            return Ratification.RATIFIED
        if country in self.not_ratified_by:
            return Ratification.NOT_RATIFIED
        return Ratification.UNKNOWN

    def provision(self, provision_id: str) -> Provision:
        for provision in self.provisions:
            if provision.id == provision_id:
                return provision
        raise NotFound(
            _("The instrument {instrument} has no provision {provision}.").format(
                instrument=self.id, provision=provision_id
            )
        )


@dataclass(frozen=True)
class Library:
    version: int
    updated_on: date
    instruments: tuple[Instrument, ...]
    _by_id: Mapping[str, Instrument] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {item.id: item for item in self.instruments})

    def instrument(self, instrument_id: str) -> Instrument:
        try:
            return self._by_id[instrument_id]
        except KeyError:
            raise NotFound(
                _("No instrument {id} in the agreement library.").format(id=instrument_id)
            ) from None

    def search(self, text: str, language: str | None = None) -> list[Instrument]:
        """Instruments whose id, title, article or provision summary contains ``text``.

        Every language is searched, case-insensitively; matches in ``language`` come first.
        """
        needle = _fold(text)
        if not needle:
            return list(self.instruments)
        preferred: list[Instrument] = []
        others: list[Instrument] = []
        for instrument in self.instruments:
            if language and needle in _fold(" ".join(_texts_in(instrument, language))):
                preferred.append(instrument)
            elif needle in _fold(" ".join(_all_texts(instrument))):
                others.append(instrument)
        return preferred + others


def _fold(text: str) -> str:
    # "ё" is often typed as "е" in Russian; treat them alike.
    return text.casefold().replace("ё", "е").strip()


def _texts_in(instrument: Instrument, language: str) -> Iterable[str]:
    yield instrument.title_in(language)
    for provision in instrument.provisions:
        yield provision.summary_in(language)


def _all_texts(instrument: Instrument) -> Iterable[str]:
    yield instrument.id
    yield from instrument.title.all()
    for provision in instrument.provisions:
        yield provision.article
        yield from provision.summary.all()


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationError(
            _("Unsupported language: {language}.").format(language=language), field="language"
        )
    return language


def status_label(status: InstrumentStatus | str) -> str:
    labels = {
        InstrumentStatus.IN_FORCE: pgettext("agreement status", "In force"),
        InstrumentStatus.SIGNED: pgettext("agreement status", "Signed, not in force"),
        InstrumentStatus.NEGOTIATING: pgettext("agreement status", "Under negotiation"),
        InstrumentStatus.PLANNED: pgettext("agreement status", "Planned"),
        InstrumentStatus.RECOMMENDED: pgettext(
            "agreement status", "Recommended by a study (no government plan known)"
        ),
        InstrumentStatus.DOUBTFUL: pgettext("agreement status", "Doubtful: do not cite"),
        InstrumentStatus.EXPIRED: pgettext("agreement status", "Expired"),
    }
    return labels[InstrumentStatus(status)]


def in_force_date_unknown(status: InstrumentStatus | str, in_force_on: date | None) -> bool:
    return InstrumentStatus(status) is InstrumentStatus.IN_FORCE and in_force_on is None


def status_text(
    status: InstrumentStatus | str, in_force_on: date | None, expired_on: date | None = None
) -> str:
    """The status as shown: "in force" with no date says that the date is not known, so that
    a blank is never read as "in force from a date someone checked" (legal-facts.md); an
    expired instrument says until when it was in force, or that the day is not recorded."""
    if in_force_date_unknown(status, in_force_on):
        return pgettext("agreement status", "In force (date of entry into force not known)")
    if InstrumentStatus(status) is InstrumentStatus.EXPIRED:
        if expired_on is None:
            return pgettext("agreement status", "Expired (until when not recorded)")
        return pgettext("agreement status", "Expired: in force until {date}").format(
            date=format_date(expired_on)
        )
    return status_label(status)


def kind_label(kind: InstrumentKind | str) -> str:
    labels = {
        InstrumentKind.TREATY: pgettext("agreement kind", "Treaty"),
        InstrumentKind.AGREEMENT: pgettext("agreement kind", "Agreement"),
        InstrumentKind.MEMORANDUM: pgettext("agreement kind", "Memorandum"),
        InstrumentKind.ILO_CONVENTION: pgettext("agreement kind", "ILO convention"),
        InstrumentKind.PROTOCOL: pgettext("agreement kind", "Protocol"),
        InstrumentKind.UN_CONVENTION: pgettext("agreement kind", "UN convention"),
        InstrumentKind.UN_PROTOCOL: pgettext("agreement kind", "UN protocol"),
        InstrumentKind.NATIONAL_LAW: pgettext("agreement kind", "Law of Kazakhstan"),
    }
    return labels[InstrumentKind(kind)]


def kind_short_label(kind: InstrumentKind | str) -> str:
    """The kind as the library's list column shows it: «Қазақстан Республикасының заңы» kept
    that narrow column wide enough for «Республикасының» and took the titles' room; the
    other kinds are short already."""
    if InstrumentKind(kind) is InstrumentKind.NATIONAL_LAW:
        return pgettext("agreement kind, short", "KZ law")
    return kind_label(kind)


# --- loading and validation -------------------------------------------------------------------


def load_library(path: Path | str | None = None) -> Library:
    """Read and validate a library file (the shipped one by default)."""
    file = Path(path) if path is not None else DEFAULT_LIBRARY_PATH
    try:
        size = file.stat().st_size
        if size > MAX_LIBRARY_BYTES:
            raise ValidationError(
                _("The agreement library file {path} is too large ({size} bytes).").format(
                    path=file, size=size
                )
            )
        raw = file.read_bytes()
    except OSError as exc:
        raise ValidationError(
            _("The agreement library file {path} cannot be read: {error}").format(
                path=file, error=os_error_reason(exc)
            )
        ) from exc
    return parse_library_bytes(raw)


def parse_library_bytes(raw: bytes) -> Library:
    """Validate a library carried as bytes (an HQ update bundle member)."""
    if len(raw) > MAX_LIBRARY_BYTES:
        raise ValidationError(_("The agreement library is too large."))
    try:
        document = json_from_outside(raw)
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The agreement library is not UTF-8 text.")) from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("The agreement library is not valid JSON (line {line}, column {column}).").format(
                line=exc.lineno, column=exc.colno
            )
        ) from exc
    except ValueError:  # too deep, a number too long, a lone surrogate
        raise ValidationError(
            _(
                "The JSON cannot be read: it is nested too deeply, has a number of more than "
                "4,300 digits, or a \\u escape of half a character (a lone surrogate)."
            )
        ) from None
    return parse_library(document)


def parse_library(document: object) -> Library:
    """Build a Library from decoded JSON, refusing anything that breaks the format."""
    top = _object(document, "$", required={"format", "version", "updated_on", "instruments"})
    if top["format"] != LIBRARY_FORMAT:
        _fail("format", _('expected "{expected}"').format(expected=LIBRARY_FORMAT))
    version = top["version"]
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        _fail("version", _("unsupported version {version}").format(version=version))
    updated_on = _date(top["updated_on"], "updated_on")
    if updated_on is None:
        _fail("updated_on", _("a date is required"))
    items = top["instruments"]
    if not isinstance(items, list) or not items:
        _fail("instruments", _("must be a non-empty list"))
    instruments: list[Instrument] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        instrument = _instrument(item, f"instruments[{index}]")
        if instrument.id in seen:
            _fail(f"instruments[{index}].id", _("duplicate id {id}").format(id=instrument.id))
        seen.add(instrument.id)
        instruments.append(instrument)
    return Library(version=version, updated_on=updated_on, instruments=tuple(instruments))


_INSTRUMENT_REQUIRED = {
    "id",
    "kind",
    "title",
    "parties",
    "group",
    "signed_on",
    "in_force_on",
    "status",
    "source",
    "checked_on",
    "verified",
    "provisions",
}
_INSTRUMENT_OPTIONAL = {"note", "ratified_by", "not_ratified_by", "expired_on"}
_PROVISION_REQUIRED = {"id", "article", "summary", "categories", "source", "checked_on", "verified"}
_RATIFICATION_REQUIRED = {"date", "source", "checked_on", "verified"}
_NON_RATIFICATION_REQUIRED = {"source", "checked_on", "verified"}
_RATIFICATION_OPTIONAL = {"law", "note", "in_force_on"}


def _instrument(value: object, where: str) -> Instrument:
    data = _object(value, where, required=_INSTRUMENT_REQUIRED, optional=_INSTRUMENT_OPTIONAL)
    instrument_id = _slug(data["id"], f"{where}.id")
    where = f"{where} ({instrument_id})"
    kind = _choice(InstrumentKind, data["kind"], f"{where}.kind")
    status = _choice(InstrumentStatus, data["status"], f"{where}.status")
    group = (
        None if data["group"] is None else _choice(InstrumentGroup, data["group"], f"{where}.group")
    )
    is_ilo = kind in ILO_KINDS
    if is_ilo != (group is InstrumentGroup.ILO):
        _fail(f"{where}.group", _('"ILO" is the group of ILO conventions and protocols only'))
    is_un = kind in UN_KINDS
    if is_un != (group is InstrumentGroup.UN):
        _fail(f"{where}.group", _('"UN" is the group of UN conventions and protocols only'))
    multilateral = is_ilo or is_un
    parties = _countries(data["parties"], f"{where}.parties")
    if multilateral and parties:
        _fail(f"{where}.parties", _("must be empty for an ILO or UN instrument; use ratified_by"))
    if kind is InstrumentKind.NATIONAL_LAW:
        if parties != (HOME_COUNTRY,):
            _fail(f"{where}.parties", _('must be ["KZ"] for a law of Kazakhstan'))
    elif not multilateral and (HOME_COUNTRY not in parties or len(parties) < 2):
        _fail(f"{where}.parties", _("must include KZ and at least one other country"))
    signed_on = _date(data["signed_on"], f"{where}.signed_on")
    in_force_on = _date(data["in_force_on"], f"{where}.in_force_on")
    if signed_on and in_force_on and in_force_on < signed_on:
        _fail(f"{where}.in_force_on", _("is earlier than signed_on"))
    if in_force_on and status not in (InstrumentStatus.IN_FORCE, InstrumentStatus.EXPIRED):
        _fail(f"{where}.in_force_on", _("is set but the status is {status}").format(status=status))
    expired_on = _date(data.get("expired_on"), f"{where}.expired_on")
    if expired_on and status is not InstrumentStatus.EXPIRED:
        _fail(f"{where}.expired_on", _("is set but the status is {status}").format(status=status))
    if expired_on and in_force_on and expired_on < in_force_on:
        _fail(f"{where}.expired_on", _("is earlier than in_force_on"))
    ratifications = _ratifications(data, where)
    if not multilateral and ratifications:
        _party_ratifications(ratifications, group, parties, where)
    source, checked_on, verified = _sourced(data, where)
    provisions_raw = data["provisions"]
    if not isinstance(provisions_raw, list):
        _fail(f"{where}.provisions", _("must be a list"))
    provisions: list[Provision] = []
    for index, item in enumerate(provisions_raw):
        provision = _provision(item, f"{where}.provisions[{index}]")
        if any(existing.id == provision.id for existing in provisions):
            _fail(f"{where}.provisions[{index}].id", _("duplicate id {id}").format(id=provision.id))
        provisions.append(provision)
    return Instrument(
        id=instrument_id,
        kind=kind,
        title=_localized(data["title"], f"{where}.title"),
        parties=parties,
        group=group,
        signed_on=signed_on,
        in_force_on=in_force_on,
        status=status,
        source=source,
        verified=verified,
        provisions=tuple(provisions),
        note=_localized(data["note"], f"{where}.note") if "note" in data else None,
        ratifications=ratifications,
        checked_on=checked_on,
        expired_on=expired_on,
    )


def _sourced(data: Mapping[str, object], where: str) -> tuple[str, date | None, bool]:
    """An entry's source, check date and verified flag; verified needs the other two."""
    raw_source = data["source"]
    if not isinstance(raw_source, str):
        _fail(f"{where}.source", _("must be a text (empty when no source is known)"))
    if len(raw_source) > _MAX_TEXT:
        _fail(f"{where}.source", _("is longer than {limit} characters").format(limit=_MAX_TEXT))
    source = raw_source.strip()
    checked_on = _date(data["checked_on"], f"{where}.checked_on")
    verified = _bool(data["verified"], f"{where}.verified")
    if verified and not source:
        _fail(f"{where}.source", _("a verified entry must name its source"))
    if verified and checked_on is None:
        _fail(f"{where}.checked_on", _("a verified entry must say when it was checked"))
    return source, checked_on, verified


def _ratifications(data: Mapping[str, object], where: str) -> tuple[RatificationEntry, ...]:
    entries: list[RatificationEntry] = []
    for key, ratified in (("ratified_by", True), ("not_ratified_by", False)):
        raw = data.get(key, {})
        if not isinstance(raw, dict):
            _fail(f"{where}.{key}", _("must be an object keyed by two-letter country code"))
        for state, value in raw.items():
            place = f"{where}.{key}.{state}"
            if not isinstance(state, str) or not _ISO2.match(state):
                _fail(place, _("{code} is not a two-letter country code").format(code=state))
            if any(entry.state == state for entry in entries):
                _fail(place, _("also listed in ratified_by: {codes}").format(codes=state))
            required = _RATIFICATION_REQUIRED if ratified else _NON_RATIFICATION_REQUIRED
            item = _object(value, place, required=required, optional=_RATIFICATION_OPTIONAL)
            source, checked_on, verified = _sourced(item, place)
            entries.append(
                RatificationEntry(
                    state=state,
                    ratified=ratified,
                    source=source,
                    verified=verified,
                    checked_on=checked_on,
                    ratified_on=_date(item.get("date"), f"{place}.date"),
                    law=_text(item["law"], f"{place}.law") if "law" in item else "",
                    note=_text(item["note"], f"{place}.note") if "note" in item else "",
                    in_force_on=_date(item.get("in_force_on"), f"{place}.in_force_on"),
                )
            )
    return tuple(sorted(entries, key=lambda entry: (not entry.ratified, entry.state)))


def _party_ratifications(
    entries: tuple[RatificationEntry, ...],
    group: InstrumentGroup | None,
    parties: tuple[str, ...],
    where: str,
) -> None:
    """A union's treaty or agreement may record, per party, the day it entered into force for
    that party (a state that acceded later is bound from its own day, not the union's)."""
    if group not in (InstrumentGroup.EAEU, InstrumentGroup.CIS):
        _fail(f"{where}.ratified_by", _("is for ILO and UN instruments only"))
    for entry in entries:
        if not entry.ratified:
            _fail(f"{where}.not_ratified_by", _("is for ILO and UN instruments only"))
        if entry.state not in parties:
            _fail(
                f"{where}.ratified_by.{entry.state}",
                _("{code} is not one of the parties").format(code=entry.state),
            )


def _provision(value: object, where: str) -> Provision:
    data = _object(value, where, required=_PROVISION_REQUIRED)
    categories_raw = data["categories"]
    if not isinstance(categories_raw, list) or not categories_raw:
        _fail(f"{where}.categories", _("must be a non-empty list of complaint category codes"))
    categories: list[Category] = []
    for code in categories_raw:
        try:
            category = Category(code)
        except ValueError:
            _fail(f"{where}.categories", _("unknown category code {code}").format(code=code))
        if category in categories:
            _fail(f"{where}.categories", _("{code} is listed twice").format(code=code))
        categories.append(category)
    source, checked_on, verified = _sourced(data, where)
    return Provision(
        id=_slug(data["id"], f"{where}.id"),
        article=_text(data["article"], f"{where}.article", limit=40),
        summary=_localized(data["summary"], f"{where}.summary"),
        categories=tuple(categories),
        verified=verified,
        source=source,
        checked_on=checked_on,
    )


def _fail(where: str, problem: str) -> NoReturn:
    raise ValidationError(
        _("Invalid agreement library at {where}: {problem}.").format(where=where, problem=problem),
        field=where,
    )


def _object(
    value: object,
    where: str,
    *,
    required: AbstractSet[str],
    optional: AbstractSet[str] = frozenset(),
) -> dict[str, object]:
    if not isinstance(value, dict):
        _fail(where, _("must be an object"))
    missing = sorted(required - value.keys())
    if missing:
        _fail(where, _("missing {keys}").format(keys=", ".join(missing)))
    unknown = sorted(value.keys() - required - optional)
    if unknown:
        _fail(where, _("unknown {keys}").format(keys=", ".join(unknown)))
    return value


def _text(value: object, where: str, limit: int = _MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(where, _("must be a non-empty text"))
    if len(value) > limit:
        _fail(where, _("is longer than {limit} characters").format(limit=limit))
    return value.strip()


def _localized(value: object, where: str) -> LocalizedText:
    data = _object(value, where, required=set(LANGUAGES))
    return LocalizedText(**{lang: _text(data[lang], f"{where}.{lang}") for lang in LANGUAGES})


def _slug(value: object, where: str) -> str:
    if not isinstance(value, str) or not _SLUG.match(value) or len(value) > 80:
        _fail(where, _("must be a lower-case slug such as eaeu-treaty-2014"))
    return value


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        _fail(where, _("must be true or false"))
    return value


def _date(value: object, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    _fail(where, _("must be a date written as YYYY-MM-DD, or null"))


def _countries(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        _fail(where, _("must be a list of two-letter country codes"))
    codes: list[str] = []
    for code in value:
        if not isinstance(code, str) or not _ISO2.match(code):
            _fail(where, _("{code} is not a two-letter country code").format(code=code))
        if code in codes:
            _fail(where, _("{code} is listed twice").format(code=code))
        codes.append(code)
    return tuple(codes)


E = TypeVar("E", bound=StrEnum)


def _choice(enum_type: type[E], value: object, where: str) -> E:
    if isinstance(value, str) and value in enum_type._value2member_map_:
        return enum_type(value)
    valid = ", ".join(member.value for member in enum_type)
    _fail(where, _("{value} is not one of: {valid}").format(value=value, valid=valid))
