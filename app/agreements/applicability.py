"""Which instruments bind a host country, which provisions bear on a case, and how to cite them.

A bilateral agreement or the EAEU Treaty gives a Kazakhstani worker enforceable rights in the
host country; an ILO or UN instrument binds the host only if the host ratified it, which the
library records per state with its source. Instruments whose ratification by the host is not
known, or known to be absent, are still returned, as international standards to invoke, under
their own basis (with what is known of the host's and Kazakhstan's ratifications) so that no
letter presents them as binding. Kazakhstan's own laws bind its authorities, never the host.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.agreements.library import (
    HOME_COUNTRY,
    Instrument,
    InstrumentGroup,
    InstrumentStatus,
    Library,
    Provision,
    Ratification,
    check_language,
)
from app.domain.codes import Category, parse_code
from app.domain.iso import checked_country
from app.domain.kk_dates import kk_date_attributive
from app.i18n import _, format_date, load_catalog, pgettext


class Basis(StrEnum):
    """Why an instrument applies to a host country, strongest first."""

    BILATERAL = "bilateral"
    EAEU = "eaeu"
    CIS = "cis"
    ILO = "ilo"
    TREATY = "treaty"  # a UN instrument the host ratified
    HOME_LAW = "home_law"  # a law of Kazakhstan: binds Kazakhstan's authorities only
    STANDARD = "standard"


_STRENGTH = {basis: rank for rank, basis in enumerate(Basis)}
_STATUS_ORDER = {
    InstrumentStatus.IN_FORCE: 0,
    InstrumentStatus.SIGNED: 1,
    InstrumentStatus.NEGOTIATING: 2,
    InstrumentStatus.PLANNED: 3,
    InstrumentStatus.RECOMMENDED: 4,
    InstrumentStatus.DOUBTFUL: 5,
}


@dataclass(frozen=True)
class Applicable:
    """An instrument that applies in the host country, and why."""

    instrument: Instrument
    basis: Basis
    # Set for ILO and UN instruments only: what is known of the host's ratification...
    ratification: Ratification | None = None
    # ...and of Kazakhstan's.
    home_ratification: Ratification | None = None
    host: str = ""

    @property
    def binding(self) -> bool:
        """True when the host is bound; False for an instrument not in force, for a standard
        it has not (known to have) ratified and for Kazakhstan's own laws."""
        return self.instrument.is_binding and self.basis not in (Basis.STANDARD, Basis.HOME_LAW)

    @property
    def verified(self) -> bool:
        return self.instrument.verified

    @property
    def binds_from(self) -> date | None:
        """The day the host became bound, where the library gives it; None when not known.

        An agreement binds from its entry into force. An ILO instrument binds a state from
        the date a source gives for its entry into force there; failing that, twelve months
        after its ratification is registered (the final clauses of every ILO convention and
        protocol, e.g. C029 Art. 28(3)), counted from the ratification date the library
        records. A UN instrument's delay differs by treaty, so no date is derived for it.
        """
        if not self.binding:
            return None
        if not self.instrument.is_multilateral:
            return self._party_bound_from()
        if not self.instrument.is_ilo:
            return None
        entry = self.instrument.ratification_entry(self.host) if self.host else None
        if entry is not None and entry.in_force_on is not None:
            return entry.in_force_on
        if entry is None or entry.ratified_on is None:
            return None
        ratified = entry.ratified_on
        if (ratified.month, ratified.day) == (2, 29):
            return date(ratified.year + 1, 3, 1)  # no 29 February a year on
        return ratified.replace(year=ratified.year + 1)

    def _party_bound_from(self) -> date | None:
        """An agreement binds its parties from its entry into force; a union's treaty binds a
        party from the day the library records for that party, and from no day the library
        lacks: a state that acceded later (Kyrgyzstan joined the EAEU on 6 August 2015) was
        not bound from the union's own date."""
        entry = self.instrument.ratification_entry(self.host) if self.host else None
        if entry is not None and entry.in_force_on is not None:
            return entry.in_force_on
        if self.basis in (Basis.EAEU, Basis.CIS):
            return None
        return self.instrument.in_force_on


def applicable_instruments(library: Library, country: str) -> list[Applicable]:
    """Instruments in force that apply in ``country``, strongest basis first (one signed but
    not in force binds nobody: ``pending_instruments`` lists it)."""
    host = _country(country)
    found: list[tuple[tuple[int, int, int, int], Applicable]] = []
    for index, instrument in enumerate(library.instruments):
        if not instrument.is_binding:
            continue
        applicable = _applicable(instrument, host)
        if applicable is None:
            continue
        key = (
            _STRENGTH[applicable.basis],
            _STATUS_ORDER.get(instrument.status, 9),
            0 if instrument.verified else 1,
            index,
        )
        found.append((key, applicable))
    return [applicable for _key, applicable in sorted(found, key=lambda pair: pair[0])]


def is_standard_in(instrument: Instrument, country: str) -> bool:
    """Whether ``instrument`` is, in ``country``, an international standard only: an ILO or UN
    instrument the host is not known to have ratified, which a letter never words as its law."""
    applicable = _applicable(instrument, _country(country))
    return applicable is not None and applicable.basis is Basis.STANDARD


def since_not_recorded() -> str:
    """Said of an instrument in force for the host whose day of binding it is not recorded
    (a ratification without a date, an agreement without its entry into force), so that an
    officer checks before presenting it as binding on an older contract."""
    return _("binding on the host; since when not recorded")


def binds_later(instrument: Instrument, country: str, day: date) -> bool:
    """Whether ``instrument`` binds ``country`` only after ``day``: in force and ratified (or
    agreed), but not yet for the host on that day, so a letter of that day cites it as no
    law."""
    applicable = _applicable(instrument, _country(country))
    if applicable is None or not applicable.binding:
        return False
    start = applicable.binds_from
    return start is not None and start > day


class Timing(StrEnum):
    """How an instrument's day of binding the host stands to the facts of a case."""

    BOUND = "bound"  # bound the host before the facts began (or since a day not recorded)
    FROM_DURING = "from_during"  # began to bind the host while the facts ran
    AFTER_FACTS = "after_facts"  # bound the host only after the facts ended: a standard for them
    NOT_YET = "not_yet"  # binds the host only after ``on``: no law on that day


def timing(binds_from: date | None, on: date, start: date | None, end: date | None) -> Timing:
    """Where an instrument binding the host from ``binds_from`` stands for facts that ran from
    ``start`` to ``end`` (either may be unknown), judged on ``on`` (a review's or a letter's
    date). One contract review and letters share it, so the two never disagree."""
    if binds_from is None:
        return Timing.BOUND  # the Agreements area and the approver's checks say it is unknown
    if binds_from > on:
        return Timing.NOT_YET
    if end is not None and end < binds_from:
        return Timing.AFTER_FACTS
    if start is None or binds_from <= start:
        return Timing.BOUND
    return Timing.FROM_DURING


def binds_from(instrument: Instrument, country: str) -> date | None:
    """The day ``instrument`` began to bind ``country``; None when it does not bind it or the
    library does not record since when."""
    applicable = _applicable(instrument, _country(country))
    return applicable.binds_from if applicable is not None else None


def pending_instruments(library: Library, country: str) -> list[Instrument]:
    """Instruments with ``country`` signed but not in force, under negotiation or planned: for
    information, not law."""
    host = _country(country)
    pending = [
        instrument
        for instrument in library.instruments
        if instrument.is_pending and not instrument.is_multilateral and host in instrument.parties
    ]
    return sorted(pending, key=lambda instrument: _STATUS_ORDER[instrument.status])


def expired_instruments(library: Library, country: str) -> list[Instrument]:
    """Agreements with ``country`` that are no longer in force: listed apart, so that an
    officer knows of them, never as binding and never cited."""
    host = _country(country)
    return [
        instrument
        for instrument in library.instruments
        if instrument.is_expired and not instrument.is_multilateral and host in instrument.parties
    ]


def relevant_provisions(
    library: Library, country: str, categories: Iterable[str]
) -> list[tuple[Instrument, Provision]]:
    """Provisions of the applicable instruments that bear on any of the case's categories.

    Ordered as ``applicable_instruments`` orders the instruments, then as the file lists them.
    """
    wanted = {parse_code(Category, code, field="categories") for code in categories}
    return [
        (applicable.instrument, provision)
        for applicable in applicable_instruments(library, country)
        for provision in applicable.instrument.provisions
        if wanted.intersection(provision.categories)
    ]


def is_verified(instrument: Instrument, provision: Provision) -> bool:
    """A citation is verified only when both the instrument and the provision were checked."""
    return instrument.verified and provision.verified


def citation_text(
    instrument: Instrument, provision: Provision, lang: str, *, mark_unverified: bool = True
) -> str:
    """The reference as a letter writes it in ``lang``, e.g. "Treaty on the Eurasian Economic
    Union of 29 May 2014, Art. 98"; an unverified citation ends with a marker in ``lang``."""
    check_language(lang)
    title = instrument.title_in(lang)
    article = article_text(provision.article, lang)
    # ILO titles carry their year; other instruments are named by their date of signature.
    when = None if instrument.is_ilo else instrument.signed_on
    if when is None:
        text = f"{title}, {article}"
    elif lang == "kk":
        text = f"{kk_date_attributive(when)} {title}, {article}"
    elif lang == "ru":
        # CLDR puts a narrow no-break space before "г."; letter fonts such as PT Serif lack
        # that glyph, so use the ordinary no-break space every font has.
        ru_date = format_date(when, "long", "ru").replace("\u202f", "\u00a0")
        text = f"{title} от {ru_date}, {article}"
    else:
        text = f"{title} of {format_date(when, 'long', 'en_GB')}, {article}"
    if mark_unverified and not is_verified(instrument, provision):
        text = f"{text} {unverified_marker(lang)}"
    return text


def unverified_marker(lang: str) -> str:
    """The marker put after an unverified citation, in the citation's language."""
    return _unverified_marker(load_catalog(check_language(lang)).pgettext)


def _unverified_marker(pgettext: Callable[[str, str], str]) -> str:
    # The parameter is named pgettext so that pybabel extracts the message with its context.
    return pgettext("citation", "(unverified)")


def basis_label(basis: Basis | str) -> str:
    labels = {
        Basis.BILATERAL: pgettext("agreement basis", "Bilateral agreement"),
        Basis.EAEU: pgettext("agreement basis", "Eurasian Economic Union"),
        Basis.CIS: pgettext("agreement basis", "Commonwealth of Independent States"),
        Basis.ILO: pgettext("agreement basis", "ILO instrument ratified by the host country"),
        Basis.TREATY: pgettext("agreement basis", "UN instrument ratified by the host country"),
        Basis.HOME_LAW: pgettext(
            "agreement basis", "Law of Kazakhstan (binds Kazakhstan's authorities, not the host)"
        ),
        Basis.STANDARD: pgettext(
            "agreement basis", "International standard (not known to be ratified by the host)"
        ),
    }
    return labels[Basis(basis)]


def basis_text(applicable: Applicable) -> str:
    """The basis as a list writes it before what is known of the ratifications: a standard
    followed by that line is called a standard only, so the two never say the same twice or
    disagree ("not known to be ratified by the host; not ratified by the host")."""
    if applicable.basis is Basis.STANDARD and ratification_label(applicable):
        return pgettext("agreement basis", "International standard")
    return basis_label(applicable.basis)


# Article references: "Art. 15(1)(e)" → number 15, paragraph 1, subparagraph e.
_ARTICLE = re.compile(r"^Art\. (\d+(?:-\d+)?)(?:\((\d+)\))?(?:\(([a-z])\))?$")


# A regulation's numbered parts (the United Kingdom's statutory instruments): "reg. 4",
# "regs. 13 and 13A".
_REGULATION = re.compile(r"^regs?\. (\w+(?: and \w+)*)$")


def _regulation_text(numbers: list[str], lang: str) -> str:
    # Regulations ("Правила", "Қағидалар") are divided into points: п. / тармақ.
    if len(numbers) == 1:
        return f"п. {numbers[0]}" if lang == "ru" else f"{numbers[0]}-тармақ"
    listed = ", ".join(numbers[:-1])
    if lang == "ru":
        return f"пп. {listed} и {numbers[-1]}"
    return f"{listed} және {numbers[-1]}-тармақтар"


def article_text(article: str, lang: str) -> str:
    """``article`` ("Art. 97(1)", "reg. 4") as written in ``lang``; other forms are left as
    they are."""
    regulation = _REGULATION.match(article)
    if regulation is not None and lang != "en":
        return _regulation_text(regulation.group(1).split(" and "), lang)
    match = _ARTICLE.match(article)
    if match is None or lang == "en":
        return article
    number, paragraph, sub = match.groups()
    if lang == "ru":
        parts = [f"подп. «{sub}»" if sub else "", f"п. {paragraph}" if paragraph else ""]
        return " ".join([part for part in parts if part] + [f"ст. {number}"])
    if paragraph and sub:
        return f"{number}-баптың {paragraph}-тармағының {sub}) тармақшасы"
    if paragraph:
        return f"{number}-баптың {paragraph}-тармағы"
    if sub:
        return f"{number}-баптың {sub}) тармақшасы"
    return f"{number}-бап"


def ratification_label(applicable: Applicable) -> str:
    """What is known of the host's and Kazakhstan's ratifications, for a standard's line."""
    host, home = applicable.ratification, applicable.home_ratification
    if host is None or home is None:
        return ""
    labels = {
        (Ratification.RATIFIED, Ratification.RATIFIED): pgettext(
            "ratification", "ratified by the host country and by Kazakhstan"
        ),
        (Ratification.RATIFIED, Ratification.NOT_RATIFIED): pgettext(
            "ratification", "ratified by the host country; not by Kazakhstan"
        ),
        (Ratification.RATIFIED, Ratification.UNKNOWN): pgettext(
            "ratification", "ratified by the host country"
        ),
        (Ratification.NOT_RATIFIED, Ratification.RATIFIED): pgettext(
            "ratification", "not ratified by the host country; ratified by Kazakhstan"
        ),
        (Ratification.UNKNOWN, Ratification.RATIFIED): pgettext(
            "ratification", "not known to be ratified by the host country; ratified by Kazakhstan"
        ),
        (Ratification.NOT_RATIFIED, Ratification.NOT_RATIFIED): pgettext(
            "ratification", "ratified by neither the host country nor Kazakhstan"
        ),
    }
    return labels.get(
        (host, home),
        pgettext("ratification", "not ratified by the host country")
        if host is Ratification.NOT_RATIFIED
        else pgettext("ratification", "not known to be ratified by the host country"),
    )


def _applicable(instrument: Instrument, host: str) -> Applicable | None:
    if instrument.is_multilateral:
        ratification = instrument.ratification(host)
        home = instrument.ratification(HOME_COUNTRY)
        if ratification is Ratification.RATIFIED:
            basis = Basis.ILO if instrument.is_ilo else Basis.TREATY
        else:
            # Binds neither, or Kazakhstan only: a standard to invoke, never law in the host.
            basis = Basis.STANDARD
        return Applicable(instrument, basis, ratification, home, host)
    if instrument.is_national_law:
        return Applicable(instrument, Basis.HOME_LAW)
    # Kazakhstan is a party to everything in the library; it is no host country.
    if host == HOME_COUNTRY or host not in instrument.parties:
        return None
    if instrument.group is InstrumentGroup.EAEU:
        return Applicable(instrument, Basis.EAEU, host=host)
    if instrument.group is InstrumentGroup.CIS:
        return Applicable(instrument, Basis.CIS, host=host)
    return Applicable(instrument, Basis.BILATERAL, host=host)


def _country(country: str) -> str:
    return checked_country("country", country)
