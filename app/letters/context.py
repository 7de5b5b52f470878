"""Everything a letter template may print, as frozen dataclasses.

The letter service fills a ``LetterContext`` from the case, the mission settings and the
outgoing register; the renderer turns it into a PDF. All strings are plain text: the templates
escape them, so ``&``, ``<`` and quotes print as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.codes import LetterKind
from app.errors import ValidationError
from app.i18n import LANGUAGES, _

# The register's order, which is the enum's.
LETTER_KINDS: tuple[str, ...] = tuple(kind.value for kind in LetterKind)


@dataclass(frozen=True)
class MissionInfo:
    """The mission that writes; ``name``, ``address`` and ``city`` are keyed by language."""

    code: str
    name: dict[str, str]
    address: dict[str, str]
    phone: str
    email: str
    city: dict[str, str]
    country: str  # ISO 3166-1 alpha-2 of the host country

    def text(self, attribute: str, lang: str) -> str:
        """``name``/``address``/``city`` in ``lang``, else English, else any language given."""
        values: dict[str, str] = getattr(self, attribute)
        return values.get(lang) or values.get("en") or next(iter(values.values()), "")


@dataclass(frozen=True)
class PersonInfo:
    surname: str
    given_names: str
    surname_latin: str
    given_names_latin: str
    iin: str | None = None
    birth_date: date | None = None
    passport_no: str | None = None
    phone: str | None = None
    patronymic: str = ""
    # "female" / "male"; None: the IIN or the names tell it, else the letter says "the worker"
    sex: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_names, self.patronymic) if p)

    @property
    def full_name_latin(self) -> str:
        return f"{self.surname_latin} {self.given_names_latin}".strip()


@dataclass(frozen=True)
class EmployerInfo:
    name: str
    country: str  # ISO2
    city: str
    address: str | None = None


@dataclass(frozen=True)
class Addressee:
    """Who receives the letter, printed top right."""

    name: str
    organisation: str
    address: str
    position: str | None = None
    # ru/kk: the organisation in the dative case for a note verbale's opening formula
    # ("Министерству ...", "...министрлігіне"); a generic "the Ministry" is used without it.
    organisation_dative: str | None = None
    # "female"/"male": the salutation's form. Empty: a named person is greeted by name without
    # a title ("Dear Mehmet Yıldız"; Russian «Уважаемые господа!»), nobody named "Dear Sir or
    # Madam".
    sex: str = ""
    # The surname alone, for «Уважаемый господин Yıldız!», "Dear Mr Yıldız": which part of a
    # foreign full name is the surname is not guessed. Empty: the salutation names ``name``
    # without a title («Уважаемый Mehmet Yıldız!», "Dear Mehmet Yıldız").
    surname: str = ""


@dataclass(frozen=True)
class Citation:
    instrument: str
    article: str
    summary: str
    verified: bool
    # An ILO or UN instrument the host state is not known to be bound by: the letter words it
    # as an international standard, never as the law that governs the addressee.
    standard: bool = False
    # An agreement between states that bound the host only after the facts of the case: cited
    # under a heading of its own, neither as the law they broke nor as a standard.
    later: bool = False
    # For such an agreement: the day it began to bind the host, which the letter gives so the
    # recipient sees why it was not the law of the facts (None: no source dates it).
    in_force_since: date | None = None
    # In force, but no source gave the date: the approver is told (the letter cites as before).
    in_force_date_known: bool = True


@dataclass(frozen=True)
class Signatory:
    """``name`` in the order ``Given [Patronymic] Surname``; printed as initials and surname."""

    position: str
    name: str


@dataclass(frozen=True)
class Executor:
    name: str
    phone: str


@dataclass(frozen=True)
class LetterContext:
    kind: str
    lang: str
    mission: MissionInfo
    outgoing_number: str | None  # None: a draft, watermarked and without a number
    letter_date: date
    incoming_ref: tuple[str, date] | None
    addressee: Addressee
    subject: str
    case_number: str
    case_categories: tuple[str, ...]  # labels already translated into ``lang``
    case_description: str
    person: PersonInfo
    employer: EmployerInfo | None
    agency_name: str | None
    partner_name: str | None
    amount_owed: tuple[Decimal, str] | None  # (amount, ISO 4217 code)
    free_text: str
    citations: tuple[Citation, ...]
    attachments: tuple[str, ...]
    signatory: Signatory
    executor: Executor
    letter_hash_for_qr: str | None = None
    response_days: int = field(default=14)  # deadline asked of employers and agencies
    host_country: str | None = None  # the case's host country (ISO2); default the mission's

    facts: str = ""  # the facts paragraphs, in the letter's language (edited by the officer)
    requests: str = ""  # employer letter: one request per line
    forward_to: str = ""  # a note to the MFA: the competent ministry it is asked to forward to
    forward_to_dative: str = ""  # ru: the same in the dative (kk, en need no other form)
    share_identity: bool = False  # print birth date, passport number (and IIN for Kazakhstan)
    claims: tuple[str, ...] = ()  # amounts claimed, already written out in ``lang``
    # The person's recorded consent covers giving their data to this addressee: only then may
    # a referral say it is made with their consent.
    consented: bool = False
    # Where the mission's help stands (a certificate says it): "ongoing" while the case is
    # open, "given" once resolved or closed, "declined" if the case was rejected.
    assistance: str = "ongoing"
    # The worker cannot have come to the mission: "missing" (relatives cannot find them) or
    # "deceased"; the letters that speak of the worker as the one who turned to the mission
    # then say who did and why. Empty: the worker came themselves.
    absent: str = ""
    # The mission the worker (or the relatives) turned to, in the letter's language, when HQ
    # has since transferred the case to this one; empty for a case opened here.
    transferred_from: str = ""

    def __post_init__(self) -> None:
        if self.kind not in LETTER_KINDS:
            raise ValidationError(
                _("Unknown letter kind: {kind}.").format(kind=self.kind), field="kind"
            )
        if self.lang not in LANGUAGES:
            raise ValidationError(
                _("Letters are written in Kazakh, Russian or English, not {lang}.").format(
                    lang=self.lang
                ),
                field="lang",
            )
        if self.response_days < 1:
            raise ValidationError(
                _("The response deadline must be at least one day."), field="response_days"
            )

    @property
    def is_draft(self) -> bool:
        return self.outgoing_number is None
