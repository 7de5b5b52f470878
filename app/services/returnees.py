"""The returnees' skills register (issue 24): what a worker learnt abroad, for employment at home.

Who records what:

- at a mission, an officer (attaché, consul, administrator) starts a record from a case of the
  mission's that is resolved or closed with the worker home or on the way (the case says
  *repatriated*, or the record gives the day of return);
- at headquarters, an HQ analyst adds a record when a returnee contacts HQ (a new person).

No record without the worker's consent for this purpose: the ``returnee_register`` scope in the
person's recorded consents, with the consent form's reference and date. Adding a record
records that consent; withdrawing it (``withdraw_consent``, or removing the scope from the
person) takes the record out of the register's list, its statistics and every export at once:
each of them filters on the consent in SQL. Exports carry only the fields the consent covers
(``EXPORT_FIELDS``): name, home contacts, region, occupation and skills, never the IIN, the
passport, addresses abroad or anything of the case.

A record hangs off its case (and belongs to the mission holding the case) or, without a case,
belongs to the installation that made it; only the owner changes it (the bundle rules say the
same, ``app/exchange/ownership.py``). Every write and every export leaves an audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from app.db.models import Case, Person, Returnee
from app.domain import occupations as isco
from app.domain.codes import Category
from app.domain.roles import CASE_WORKERS, HQ_RECORD_WRITERS, HQ_ROLES
from app.domain.workflow import RETURNEE_FROM_STATUSES
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.i18n import D_, DN_, N_, Said, _, format_date, lazy, translator
from app.letters.renderer import date_long, is_minor
from app.letters.states import official_name
from app.reports.export import write_csv, write_xlsx
from app.reports.tables import ReportTable, source_line
from app.reports.texts import TEXTS, category_name
from app.services import validation as check
from app.services.letterhead import letterhead
from app.services.people import clean_person, person_values
from app.services.records import PersonInput
from app.services.returnee_register import SCOPE
from app.services.rows import live_row
from app.services.stats import (
    ReturneeStats,
    StatsFilter,
    returned_between,
    returnee_stats,
    returnees_counted,
)
from app.services.workspace import DatedService

FINAL_STATUSES = RETURNEE_FROM_STATUSES
MAX_ITEMS = 50  # certificates or languages of one returnee (the bundle schema's limit too)
MAX_CERTIFICATE = 300
MAX_YEARS = 70
# The youngest age work abroad can count from: the Labour Code lets a 14-year-old work with a
# parent's consent. Experience from before it is a typo (12 years abroad for a 16-year-old)
# that an employment centre would take for a skilled worker.
MIN_WORKING_AGE = 14
PAGE = 200
EXPORT_TITLE = D_("Returnees' register")
# The list's order, newest return first: the order of ``ix_returnee_order`` (migration 0026),
# so that a page is read from the index instead of sorted out of every record.
LIST_ORDER = (Returnee.returned_on.desc().nulls_last(), Returnee.consent_date.desc(), Returnee.id)
YES, NO = D_("yes"), D_("no")
# Minimisation: an employment centre receives only the workers it is to act on, and says so.
LEFT_OUT = DN_(
    "{n} worker who declined a referral to an employment centre is left out: a centre receives "
    "only those it is to act on.",
    "{n} workers who declined a referral to an employment centre are left out: a centre "
    "receives only those it is to act on.",
)
# What is never in the file, and whom it holds: the consent covers these fields and no others.
CONSENTED_ONLY = D_(
    "Only workers who consented to this register are in it, with the fields their consent "
    "covers: never the IIN, passport, date of birth, address abroad or anything of their case."
)
ABOUT_SHEET = D_("About this file")
# Excel opening a CSV by a double click reads 0110 as the number 110; a program gets "0110".
LEADING_ZERO = D_(
    "ISCO-08 codes have four digits, and the armed forces' start with 0 (0110, 0210, 0310): "
    "Excel opening this file by a double click drops that 0. Open the column as text (Data → "
    "From Text/CSV) or use the XLSX export, which keeps it."
)
# What the consent form covers when the register is handed to an employment centre.
EXPORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("surname", D_("Surname")),
    ("given_names", D_("Given names")),
    ("patronymic", D_("Patronymic")),
    ("phone_home", D_("Phone in Kazakhstan")),
    ("email", D_("E-mail")),
    ("region", D_("Region of return")),
    ("occupation", D_("Occupation (ISCO-08)")),
    ("occupation_title", D_("Occupation")),
    ("years_abroad", D_("Years of experience abroad")),
    ("certificates", D_("Certificates")),
    ("languages", D_("Languages")),
    ("work_country", D_("Country of work")),
    ("wants_referral", D_("Wants referral to an employment centre")),
    ("returned_on", D_("Returned on")),
)


@dataclass(frozen=True)
class ReturneeInput:
    """A record as entered. ``case_number`` starts it from a case (a mission);
    ``person`` is a returnee who contacted HQ; ``person_id`` a person HQ already recorded."""

    occupation: str
    work_country: str
    region: str
    consent_reference: str
    consent_date: date | None
    years_abroad: int = 0
    certificates: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    wants_referral: bool = False
    returned_on: date | None = None
    note: str = ""
    case_number: str = ""
    person: PersonInput | None = None
    person_id: str = ""


@dataclass(frozen=True)
class ReturneeFilter:
    occupation: str = ""  # a unit group, or a major / sub-major group (code prefix)
    region: str = ""
    skill: str = ""  # text in the certificates or the note
    language: str = ""  # ISO 639-1
    # What a figure of the Reports area counts (``app.services.stats.returnee_stats``), so that
    # its cell lists the same records: the period by day of return, or only the records
    # without that day; the figures' scope; and those who want a referral.
    returned_from: date | None = None
    returned_to: date | None = None
    undated: bool = False
    work_country: str = ""  # the figures' host country, or a country of work's row
    category: str = ""  # through the record's case
    officer: str = ""  # through the record's case
    mission: str = ""  # the mission that holds the record's case, else that made the record
    wants_referral: bool = False

    @property
    def from_figure(self) -> bool:
        """True when a figure's conditions are set (beyond the register's own filters)."""
        return self.figure_part() != ReturneeFilter()

    @property
    def through_cases(self) -> bool:
        """True when a condition is looked up through each record's case (its complaint's
        category, its officer): such a page is not read in the list's index order, and took
        150–300 ms at 40,000 records of a 100,000-case mission."""
        return bool(self.category.strip() or self.officer.strip())

    def figure_part(self) -> ReturneeFilter:
        """Only the conditions a figure sets."""
        return replace(self, occupation="", region="", skill="", language="")


@dataclass(frozen=True)
class ReturneeRow:
    id: str
    version: int
    person_id: str
    case_id: str | None
    case_number: str
    surname: str
    given_names: str
    patronymic: str
    phone_home: str
    email: str
    occupation: str
    years_abroad: int
    certificates: tuple[str, ...]
    languages: tuple[str, ...]
    work_country: str
    region: str
    wants_referral: bool
    consent_reference: str
    consent_date: date
    returned_on: date | None
    recorded_by: str
    origin_mission: str
    note: str
    # False once the worker withdrew consent: the record is out of the register (the case's
    # action still opens it, and only a new consent puts it back).
    consented: bool = True
    birth_date: date | None = None  # never exported: only to say a minor's consent is a parent's

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_names, self.patronymic) if p)


def _today() -> date:
    return datetime.now(UTC).date()


def skills_key(certificates: Sequence[str], note: str) -> str:
    return " | ".join([*certificates, note]).casefold()


def clean_input(data: ReturneeInput, today: date | None = None) -> ReturneeInput:
    """The input with every rule checked (ValidationError naming the field otherwise)."""
    today = today or _today()
    isco.occupation(data.occupation.strip())
    isco.region(data.region.strip().upper())
    if isinstance(data.years_abroad, bool) or not isinstance(data.years_abroad, int):
        raise ValidationError(_("Years of experience must be a whole number."), "years_abroad")
    if not 0 <= data.years_abroad <= MAX_YEARS:
        raise ValidationError(
            _("Years of experience must be between 0 and {n}.").format(n=MAX_YEARS),
            "years_abroad",
        )
    if len(data.certificates) > MAX_ITEMS or len(data.languages) > MAX_ITEMS:
        raise ValidationError(
            _("At most {n} certificates and {n} languages.").format(n=MAX_ITEMS), "certificates"
        )
    certificates = tuple(
        c
        for c in (
            check.bounded_text(c, "certificates", _("Certificate"), MAX_CERTIFICATE)
            for c in data.certificates
        )
        if c
    )
    languages = tuple(dict.fromkeys(isco.language_code(code) for code in data.languages))
    if data.consent_date is None:
        raise ValidationError(
            _(
                "Give the date the worker consented to the returnees' register: no record "
                "without that consent."
            ),
            "consent_date",
        )
    check.not_future(data.consent_date, "consent_date", _("The date of consent"), today)
    check.not_future(data.returned_on, "returned_on", _("The date of return"), today)
    return replace(
        data,
        occupation=data.occupation.strip(),
        region=data.region.strip().upper(),
        work_country=check.country(data.work_country, "work_country"),
        consent_reference=check.required_text(
            data.consent_reference, "consent_reference", _("Consent reference"), 200
        ),
        certificates=certificates,
        languages=languages,
        note=check.bounded_text(data.note, "note", _("Note"), 10_000),
        case_number=data.case_number.strip().upper(),
    )


def _refuse_return_before_case(case: Case, returned_on: date | None) -> None:
    """A record from a case is the end of that case: the worker came home after turning to the
    mission abroad. A day of return before the case was received (a typo of the year, most
    often) counted the worker in a period the case was not in, and the register's figures
    no longer matched the cases'."""
    if returned_on is not None and returned_on < case.received_at:
        raise ValidationError(
            _(
                "The date of return, {returned}, is before case {number} was received "
                "({received}): the worker returns home after turning to the mission."
            ).format(
                returned=format_date(returned_on),
                number=case.number,
                received=format_date(case.received_at),
            ),
            "returned_on",
        )


def _refuse_withdrawn_consent(person: Person, row: Returnee, data: ReturneeInput) -> None:
    """A record whose worker withdrew consent is opened again from its case (the case's
    "Record skills on return…"): saving it with the consent it had put the worker back into the
    register, and into what employment centres receive, against their withdrawal. Only a new
    consent (another form's reference, or a later date) puts them back."""
    if SCOPE in (person.consent_scope or []):
        return
    if (data.consent_reference, data.consent_date) == (row.consent_reference, row.consent_date):
        raise ValidationError(
            _(
                "The worker withdrew their consent to the returnees' register. To record them "
                "in it again, give the reference and date of their new consent."
            ),
            "consent_reference",
        )


def _row(r: Returnee, person: Person, case_number: str | None) -> ReturneeRow:
    return ReturneeRow(
        id=r.id,
        version=r.version,
        person_id=r.person_id,
        case_id=r.case_id,
        case_number=case_number or "",
        surname=person.surname,
        given_names=person.given_names,
        patronymic=person.patronymic,
        phone_home=person.phone_home,
        email=person.email,
        occupation=r.occupation,
        years_abroad=r.years_abroad,
        certificates=tuple(r.certificates or ()),
        languages=tuple(r.languages or ()),
        work_country=r.work_country,
        region=r.region,
        wants_referral=r.wants_referral,
        consent_reference=r.consent_reference,
        consent_date=r.consent_date,
        returned_on=r.returned_on,
        recorded_by=r.recorded_by,
        origin_mission=r.origin_mission,
        note=r.note,
        consented=SCOPE in (person.consent_scope or []),
        birth_date=person.birth_date,
    )


def minor_consent_warning(name: str, birth_date: date | None, consent_date: date | None) -> str:
    """What to say ("" for an adult or an unknown age) when the worker was under 18 on the day
    of consent: a minor's consent to their data going to employment centres is given by a
    parent or guardian (Law No. 94-V, Art. 8), and nothing else in the form says so."""
    if birth_date is None or not is_minor(birth_date, consent_date or _today()):
        return ""
    return _(
        "{name} was under 18 on the day of consent: the consent to the returnees' register "
        "must be given by a parent or guardian. Give the reference of their consent form."
    ).format(name=name)


def _age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def most_years_abroad(birth_date: date, on: date) -> int:
    """The years of work abroad a worker born on ``birth_date`` can have by ``on``."""
    return max(0, _age_on(birth_date, on) - MIN_WORKING_AGE)


def _refuse_years_beyond_age(person: Person, data: ReturneeInput) -> None:
    """Years abroad the worker's age cannot hold (a typo: 12 for 2) went to employment centres
    as a long experience; refused, naming the age, when the date of birth is known."""
    if person.birth_date is None:
        return
    on = data.returned_on or data.consent_date or _today()
    most = most_years_abroad(person.birth_date, on)
    if data.years_abroad > most:
        raise ValidationError(
            _(
                "{name}, born on {birth}, cannot have {years} years of experience abroad: at "
                "most {most}, counted from the age of {age}."
            ).format(
                name=" ".join(p for p in (person.surname, person.given_names) if p),
                birth=format_date(person.birth_date),
                years=data.years_abroad,
                most=most,
                age=MIN_WORKING_AGE,
            ),
            "years_abroad",
        )


class ReturneeService(DatedService):
    @staticmethod
    def current_date() -> date:
        return _today()

    # -- who may ------------------------------------------------------------------------------

    def _require_recorder(self) -> None:
        if self.ws.mission.is_hq:
            self.ws.require_role(*HQ_RECORD_WRITERS)
        else:
            self.ws.require_role(*CASE_WORKERS)

    def _require_reader(self) -> None:
        self.ws.require_role(*HQ_ROLES, *CASE_WORKERS)

    def may_record(self) -> bool:
        """Whether this user may add records here (the Add button is shown only then)."""
        try:
            self._require_recorder()
        except PermissionDenied:
            return False
        return True

    def why_unchangeable(self, returnee_id: str) -> str:
        """Why this user may not change or withdraw the record ("" when they may): their role,
        or the record being another installation's. Asked before the dialog opens: at HQ most
        records are a mission's, and the refusal came only once the form was filled in."""
        try:
            self._require_recorder()
            with self.ws.read() as session:
                self._require_owner(session, self._load(session, returnee_id))
        except PermissionDenied as exc:
            refusal = exc  # said again, in the language of the moment, where it is shown
            return Said(lambda: str(refusal))
        return ""

    def _require_owner(self, session: Session, row: Returnee) -> None:
        here = self.ws.mission_code
        if row.case_id is not None:
            holder = session.execute(
                select(Case.holder_mission).where(Case.id == row.case_id)
            ).scalar_one_or_none()
            owner = holder or row.origin_mission
        else:
            owner = row.origin_mission
        if owner != here:
            raise PermissionDenied(
                lazy(
                    N_(
                        "This record belongs to {owner}; only {owner} may change it (it reaches "
                        "this installation in their bundles)."
                    ),
                    owner=owner,
                )
            )

    # -- writes -------------------------------------------------------------------------------

    def add(self, data: ReturneeInput) -> ReturneeRow:
        self._require_recorder()
        clean = clean_input(data, self.today)
        with self.ws.write() as session:
            case, person = self._subject(session, clean)
            _refuse_years_beyond_age(person, clean)
            self._record_consent(person, clean)
            row = Returnee(
                origin_mission=self.ws.mission_code,
                person_id=person.id,
                case_id=case.id if case is not None else None,
                recorded_by=self.ws.actor.username,
            )
            self._apply(row, clean)
            session.add(row)
            session.flush()
            self.ws.audit(
                session,
                "returnee.add",
                "returnee",
                row.id,
                {"case": case.number if case is not None else "", "occupation": row.occupation},
            )
            return _row(row, person, case.number if case is not None else None)

    def update(
        self, returnee_id: str, data: ReturneeInput, expected_version: int | None = None
    ) -> ReturneeRow:
        """Change the record's skills, region, referral wish and consent reference (its person
        and case stay)."""
        self._require_recorder()
        clean = clean_input(data, self.today)
        with self.ws.write() as session:
            row = self._load(session, returnee_id)
            self._require_owner(session, row)
            # Locked and named: two HQ users saving at once both went ahead on a server.
            check.record_version(session, row, expected_version)
            person = session.get(Person, row.person_id)
            assert person is not None  # a foreign key
            if row.case_id is not None:
                case = session.get(Case, row.case_id)
                assert case is not None  # a foreign key
                _refuse_return_before_case(case, clean.returned_on)
            _refuse_withdrawn_consent(person, row, clean)
            _refuse_years_beyond_age(person, clean)
            self._record_consent(person, clean)
            self._apply(row, clean)
            session.flush()
            self.ws.audit(session, "returnee.update", "returnee", row.id, {})
            return _row(row, person, self._case_number(session, row.case_id))

    def withdraw_consent(self, returnee_id: str) -> None:
        """The worker withdrew consent: the scope leaves their recorded consents, so the record
        leaves the register, its statistics and every export (its row stays for the owner's
        retention rules)."""
        self._require_recorder()
        with self.ws.write() as session:
            row = self._load(session, returnee_id)
            self._require_owner(session, row)
            person = session.get(Person, row.person_id)
            assert person is not None
            if SCOPE not in (person.consent_scope or []):
                # Said, not done again: a second withdrawal (the command line, or two HQ users
                # at once) reported success and left a second audit entry for one withdrawal.
                raise ConflictError(
                    _(
                        "{name} has already withdrawn their consent: the record is not in the "
                        "returnees' register."
                    ).format(name=_row(row, person, None).full_name)
                )
            # The person's consents travel to HQ in the mission's next bundle, and with them the
            # record's leaving the register there too.
            person.consent_scope = [s for s in (person.consent_scope or []) if s != SCOPE]
            session.flush()
            self.ws.audit(session, "returnee.consent_withdrawn", "returnee", row.id, {})

    def _subject(self, session: Session, data: ReturneeInput) -> tuple[Case | None, Person]:
        """The case and person a new record hangs off, under the rules of this installation."""
        if self.ws.mission.is_hq:
            if data.case_number:
                raise ValidationError(
                    _(
                        "At headquarters a record is added for a returnee who contacted HQ; "
                        "a record from a case is started by the mission that holds the case."
                    ),
                    "case_number",
                )
            return None, self._hq_person(session, data)
        if not data.case_number:
            raise ValidationError(
                _("At a mission a record starts from a closed case: give the case number."),
                "case_number",
            )
        case = session.execute(
            select(Case).where(Case.number == data.case_number, Case.deleted_at.is_(None))
        ).scalar_one_or_none()
        if case is None:
            raise NotFound(_("No case {number}.").format(number=data.case_number))
        if case.holder_mission != self.ws.mission_code:
            raise PermissionDenied(
                _("Case {number} is held by {holder}; only {holder} may start its record.").format(
                    number=case.number, holder=case.holder_mission
                )
            )
        if case.status not in FINAL_STATUSES or case.anonymised_at is not None:
            raise ValidationError(
                _(
                    "Case {number} is not resolved or closed: record the worker's skills "
                    "when the case ends with their return home."
                ).format(number=case.number),
                "case_number",
            )
        if not case.repatriated and data.returned_on is None:
            raise ValidationError(
                _(
                    "Case {number} does not record the worker's return home: give the day "
                    "they returned (or will return)."
                ).format(number=case.number),
                "returned_on",
            )
        self._refuse_second_record(session, case)
        _refuse_return_before_case(case, data.returned_on)
        person = session.get(Person, case.person_id)
        assert person is not None
        return case, person

    @staticmethod
    def _refuse_second_record(session: Session, case: Case) -> None:
        """One record per case, else the register, its export and statistics count the worker
        twice. Checked here, inside the write transaction (which holds SQLite's write lock from
        its start), rather than by a unique index: records from cases are only made at the
        mission's SQLite file, and an index would need tombstones left out on both engines."""
        existing = session.execute(
            select(Returnee.id).where(Returnee.case_id == case.id, Returnee.deleted_at.is_(None))
        ).first()
        if existing is None:
            return
        # Only a mission adds a record from a case, and a mission has no register's list: the
        # case is the one place to change it. A worker who withdrew consent is put back there
        # with their new consent, which the refusal did not say.
        consents = session.execute(
            select(Person.consent_scope).where(Person.id == case.person_id)
        ).scalar_one()
        if SCOPE not in (consents or []):
            raise ConflictError(
                _(
                    "Case {number} already has a record in the returnees' register, which the "
                    "worker withdrew their consent from. To record them again, open “Record "
                    "skills on return…” in the case and give the reference and date of their "
                    "new consent."
                ).format(number=case.number)
            )
        raise ConflictError(
            _(
                "Case {number} already has a record in the returnees' register; change that "
                "record (“Record skills on return…” in the case) instead of adding another."
            ).format(number=case.number)
        )

    def _hq_person(self, session: Session, data: ReturneeInput) -> Person:
        if data.person is not None and data.person_id:
            raise ValidationError(_("Give either “person” or “person_id”, not both."), "person")
        if data.person_id:
            person = session.get(Person, data.person_id)
            if person is None or person.deleted_at is not None:
                raise NotFound(_("No person with id {id}.").format(id=data.person_id))
            if person.origin_mission != self.ws.mission_code:
                raise PermissionDenied(
                    _(
                        "This person was recorded by {owner}; ask {owner} to start the "
                        "record from the case, or add the returnee as a new person."
                    ).format(owner=person.origin_mission)
                )
            return person
        if data.person is None:
            raise ValidationError(_("Give the returnee's name (“person”)."), "person")
        values = person_values(clean_person(data.person, self.today))
        person = Person(origin_mission=self.ws.mission_code, **values)
        session.add(person)
        session.flush()
        return person

    def _record_consent(self, person: Person, data: ReturneeInput) -> None:
        scopes = list(person.consent_scope or [])
        if SCOPE not in scopes:
            person.consent_scope = [*scopes, SCOPE]
        if person.consent_date is None:
            person.consent_date = data.consent_date

    def _apply(self, row: Returnee, data: ReturneeInput) -> None:
        row.occupation = data.occupation
        row.years_abroad = data.years_abroad
        row.certificates = list(data.certificates)
        row.languages = list(data.languages)
        row.work_country = data.work_country
        row.region = data.region
        row.wants_referral = data.wants_referral
        row.consent_reference = data.consent_reference
        assert data.consent_date is not None  # clean_input refuses a record without it
        row.consent_date = data.consent_date
        row.returned_on = data.returned_on
        row.note = data.note
        row.skills_text = skills_key(data.certificates, data.note)

    def _load(self, session: Session, returnee_id: str) -> Returnee:
        return live_row(
            session, Returnee, returnee_id, _("No returnee record {id}.").format(id=returnee_id)
        )

    @staticmethod
    def _case_number(session: Session, case_id: str | None) -> str:
        if case_id is None:
            return ""
        return session.execute(select(Case.number).where(Case.id == case_id)).scalar_one()

    # -- reads --------------------------------------------------------------------------------

    def _filtered(self, query: Any, flt: ReturneeFilter) -> Any:
        """``query`` over ``Returnee`` kept to the register's records that ``flt`` asks for."""
        query = self._figure_conditions(query, flt, self.ws.mission_here)
        if flt.occupation:
            code = isco.occupation_filter(flt.occupation.strip())
            query = query.where(
                Returnee.occupation == code
                if len(code) == 4
                else Returnee.occupation.like(f"{code}%")
            )
        if flt.region:
            query = query.where(Returnee.region == isco.region(flt.region.strip().upper()).code)
        if flt.skill.strip():
            needle = flt.skill.strip().casefold().replace("\\", "\\\\")
            needle = needle.replace("%", "\\%").replace("_", "\\_")
            query = query.where(Returnee.skills_text.like(f"%{needle}%", escape="\\"))
        if flt.language.strip():
            language = isco.language_code(flt.language)
            query = query.where(cast(Returnee.languages, Text).like(f'%"{language}"%'))
        return query

    @staticmethod
    def _figure_conditions(query: Any, flt: ReturneeFilter, held_by: str | None) -> Any:
        """``query`` kept to the records a figure counts at the installation whose cases
        ``held_by`` holds, by the statistics' own conditions (``returnees_counted``; a major
        group's, country's or region's row is the register's occupation, country and region
        filter)."""
        if flt.returned_from and flt.returned_to and flt.returned_from > flt.returned_to:
            raise ValidationError(
                _("The start of the period ({start}) is after its end ({end}).").format(
                    start=format_date(flt.returned_from), end=format_date(flt.returned_to)
                ),
                "returned_from",
            )
        category = flt.category.strip()
        if category and category not in {c.value for c in Category}:
            raise ValidationError(
                _("Unknown complaint category: {code}").format(code=category), "category"
            )
        scope = StatsFilter(
            # As stored (upper case), not checked against today's list: a figure's row may be
            # a code an old record left.
            host_country=flt.work_country.strip().upper() or None,
            category=category or None,
            officer=flt.officer.strip() or None,
            mission=flt.mission.strip().upper() or None,
        )
        query = returnees_counted(query, scope, held_by)
        if flt.undated:
            query = query.where(Returnee.returned_on.is_(None))
        else:
            query = query.where(*returned_between(flt.returned_from, flt.returned_to))
        if flt.wants_referral:
            query = query.where(Returnee.wants_referral)
        return query

    def list(
        self, flt: ReturneeFilter | None = None, offset: int = 0, limit: int = PAGE
    ) -> list[ReturneeRow]:
        """One page of the register (consented records only), newest return first."""
        self._require_reader()
        query = (
            select(Returnee, Person, Case.number)
            .join(Person, Person.id == Returnee.person_id)
            .outerjoin(Case, Case.id == Returnee.case_id)
        )
        query = (
            self._filtered(query, flt or ReturneeFilter())
            .order_by(*LIST_ORDER)
            .offset(max(0, offset))
            .limit(max(1, limit))
        )
        with self.ws.read() as session:
            return [_row(r, p, n) for r, p, n in session.execute(query).all()]

    def count(self, flt: ReturneeFilter | None = None) -> int:
        """How many records ``list`` pages through; each is looked at (its person's consent)."""
        self._require_reader()
        query = self._filtered(select(func.count(Returnee.id)), flt or ReturneeFilter())
        with self.ws.read() as session:
            return int(session.execute(query).scalar_one())

    def get(self, returnee_id: str) -> ReturneeRow:
        self._require_reader()
        with self.ws.read() as session:
            row = self._load(session, returnee_id)
            person = session.get(Person, row.person_id)
            assert person is not None
            return _row(row, person, self._case_number(session, row.case_id))

    def for_case(self, case_id: str) -> ReturneeRow | None:
        """The record started from a case, if any (the case's action opens it to edit)."""
        self._require_reader()
        with self.ws.read() as session:
            found = session.execute(
                select(Returnee, Person)
                .join(Person, Person.id == Returnee.person_id)
                .where(Returnee.case_id == case_id, Returnee.deleted_at.is_(None))
            ).first()
            if found is None:
                return None
            return _row(found[0], found[1], self._case_number(session, case_id))

    def statistics(
        self, date_from: date | None = None, date_to: date | None = None
    ) -> ReturneeStats:
        """Consented records by country of work, occupation major group and region of return;
        with a period (either end may be open), those who returned in it (by ``returned_on``),
        the records without that day counted apart. The statistics' own rule
        (``app.services.stats.returnee_stats``), so the register and the report agree."""
        self._require_reader()
        with self.ws.read() as session:
            scope = StatsFilter(date_from=date_from, date_to=date_to)
            return returnee_stats(session, scope, self.ws.mission_here)

    # -- export -------------------------------------------------------------------------------

    def export_table(self, flt: ReturneeFilter | None = None, lang: str = "") -> ReportTable:
        """The consented fields of the records in the register (or the filter) whose worker
        wants a referral, in ``lang``: those who declined one are not the centre's to act on."""
        self._require_reader()
        flt = replace(flt or ReturneeFilter(), wants_referral=True)
        words = translator("documents", lang or "en")
        rows: list[ReturneeRow] = []
        offset = 0
        while True:
            page = self.list(flt, offset=offset, limit=1000)
            rows.extend(page)
            if len(page) < 1000:
                break
            offset += len(page)
        return ReportTable(
            key="returnees",
            title=words.gettext(EXPORT_TITLE),
            headers=tuple(words.gettext(label) for _key, label in EXPORT_FIELDS),
            rows=tuple(_export_row(r, lang or "en", words.gettext) for r in rows),
        )

    def export(self, target: Path, flt: ReturneeFilter | None = None, lang: str = "") -> int:
        """Write the register as CSV or XLSX (by the file's suffix); returns the rows written."""
        self._require_reader()
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise ValidationError(
                _("Export to a .csv or .xlsx file, not “{name}”.").format(name=target.name),
                "out",
            )
        table = self.export_table(flt, lang)
        lang = lang or "en"
        words = translator("documents", lang)
        with self.ws.read() as session:
            source = source_line(letterhead(session), lang, self.today)
        about = [source, *selection(flt or ReturneeFilter(), lang), words.gettext(CONSENTED_ONLY)]
        declined = self.count(flt) - len(table.rows)
        if declined:
            about.append(words.ngettext(*LEFT_OUT, declined).format(n=declined))
        if suffix == ".csv" and any(str(row[_OCCUPATION]).startswith("0") for row in table.rows):
            about.append(words.gettext(LEADING_ZERO))
        if suffix == ".csv":
            # NAME-about.csv says what a workbook's first sheet does: whose register, of which
            # day, which part of it (a CSV of one region's welders read as the whole register),
            # who is left out, and the codes Excel would spoil.
            write_csv([table], target, title=table.title, about=about)
        else:
            # The first sheet is named for a part's conditions when it has them, else for
            # what it says of the whole register.
            named = TEXTS["selection"] if flt and selection(flt, lang) else ABOUT_SHEET
            selected = words.gettext(named)
            write_xlsx(
                [table], target, title=table.title, lang=lang, about=about, about_sheet=selected
            )
        with self.ws.write() as session:
            self.ws.audit(
                session,
                "returnee.export",
                "returnee",
                "",
                {
                    "format": suffix[1:],
                    "rows": len(table.rows),
                    "declined_left_out": declined,
                    "filter": _filter_details(flt),
                },
            )
        return len(table.rows)


_OCCUPATION = [key for key, _label in EXPORT_FIELDS].index("occupation")

# The rows of the returnees' figures (``app.reports.tables.returnee_tables``) a list can stand
# behind: every return in the period, those undated, and a row of each breakdown.
FIGURE_ROWS = ("returned", "undated", "occupation", "country", "region")


def behind_figure(
    scope: StatsFilter, row: str, key: str = "", wanting: bool = False
) -> ReturneeFilter:
    """The register's filter that lists the records a returnee figure counts: ``row`` of
    ``FIGURE_ROWS`` (``key``: its major group, country or region), those who want a referral
    when ``wanting``, in the figures' ``scope`` (normalised: its period and host country)."""
    if row not in FIGURE_ROWS:
        raise ValidationError(
            _("Unknown figure “{measure}”; expected one of: {valid}.").format(
                measure=row, valid=", ".join(FIGURE_ROWS)
            ),
            "row",
        )
    flt = ReturneeFilter(
        returned_from=scope.date_from,
        returned_to=scope.date_to,
        work_country=scope.host_country or "",
        category=scope.category or "",
        officer=scope.officer or "",
        mission=scope.mission or "",
        wants_referral=wanting,
    )
    if row == "undated":
        return replace(flt, returned_from=None, returned_to=None, undated=True)
    if row == "occupation":
        return replace(flt, occupation=key)
    if row == "country":
        return replace(flt, work_country=key)
    if row == "region":
        return replace(flt, region=key)
    return flt


def selection(flt: ReturneeFilter, lang: str) -> list[str]:
    """The conditions of a part of the register, in ``lang``'s document words (nothing for
    the whole register): a workbook of one occupation's or one figure's records must not read
    as the whole register."""
    word = translator("documents", lang).gettext
    said: list[str] = []

    def say(label: str, value: str) -> None:
        said.append(f"{word(label)}: {value}")

    if flt.occupation:
        code = flt.occupation.strip()
        say(D_("Occupation (ISCO-08)"), f"{code} {isco.occupation_title(code, lang)}".strip())
    if flt.region:
        say(D_("Region of return"), isco.region_title(flt.region.strip().upper(), lang))
    if flt.skill.strip():
        say(D_("Certificates"), flt.skill.strip())
    if flt.language.strip():
        say(D_("Languages"), isco.language_name(isco.language_code(flt.language), lang))
    if flt.undated:
        say(D_("Returned on"), "—")
    elif flt.returned_from or flt.returned_to:
        start = date_long(flt.returned_from, lang) if flt.returned_from else "…"
        end = date_long(flt.returned_to, lang) if flt.returned_to else "…"
        say(D_("Returned on"), f"{start} – {end}")
    if flt.work_country:
        say(D_("Country of work"), official_name(flt.work_country.strip().upper(), lang))
    if flt.category:
        say(TEXTS["category"], category_name(flt.category, lang))
    if flt.officer:
        say(TEXTS["officer"], flt.officer)
    if flt.mission:
        say(TEXTS["mission"], flt.mission.upper())
    if flt.wants_referral:
        say(D_("Wants referral to an employment centre"), word(YES))
    if not said:
        return []
    return [f"{word(TEXTS['selection'])}: {'; '.join(said)}."]


def _filter_details(flt: ReturneeFilter | None) -> dict[str, Any]:
    if flt is None:
        return {}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in vars(flt).items() if v}


def _export_row(row: ReturneeRow, lang: str, word: Any) -> tuple[Any, ...]:
    values: dict[str, Any] = {
        "surname": row.surname,
        "given_names": row.given_names,
        "patronymic": row.patronymic,
        "phone_home": row.phone_home,
        "email": row.email,
        "region": isco.region_title(row.region, lang),
        "occupation": row.occupation,
        "occupation_title": isco.occupation_title(row.occupation, lang),
        "years_abroad": row.years_abroad,
        "certificates": "; ".join(row.certificates),
        "languages": ", ".join(isco.language_name(c, lang) for c in row.languages),
        # Named, as the region is: an employment centre reads "KR" as nothing.
        "work_country": official_name(row.work_country, lang),
        "wants_referral": word(YES) if row.wants_referral else word(NO),
        "returned_on": row.returned_on,
    }
    return tuple(values[key] for key, _label in EXPORT_FIELDS)
