"""Labour emigrants: validation, duplicates, and their records."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.db.models import Case, Person
from app.domain.codes import Sex
from app.domain.iin import iin_birth_date, iin_sex, validate_iin
from app.domain.keyboard import as_latin_keys, layout_of
from app.domain.matching import fold_typed
from app.domain.roles import CASE_WORKERS
from app.domain.text import bare_text
from app.errors import NotFound, ValidationError
from app.i18n import N_, _, format_date
from app.services import validation as check
from app.services.records import DuplicateMatch, PersonInfo, PersonInput
from app.services.search import (
    PERSON_SEARCH_COLUMNS,
    fts_query,
    index_cases,
    newest_matches_first,
    typed_words_start,
)
from app.services.workspace import Workspace

PASSPORT_RE = re.compile(r"^[A-Z0-9]{6,12}$")
SEXES = tuple(sex.value for sex in Sex)
_INPUT_FIELDS = [f.name for f in fields(PersonInput)]
# Cases the person finder reads from the index per query: enough for a page of people even
# when many matches name an employer or a note rather than a person.
FIND_CANDIDATES = 500


def _mistyped_passport(typed: str, meant: str) -> str:
    if layout_of(typed) == "kazakh":
        return _(
            "A passport number is 6–12 Latin letters and digits: {typed} was typed with the "
            "Kazakh keyboard on; is it {meant}?"
        ).format(typed=typed, meant=meant)
    return _(
        "A passport number is 6–12 Latin letters and digits: {typed} was typed "
        "with the Russian keyboard on; is it {meant}?"
    ).format(typed=typed.upper(), meant=meant)


def clean_person(data: PersonInput, today: date | None = None) -> PersonInput:
    """The input with whitespace trimmed and every rule checked (ValidationError otherwise)."""
    # As long as the bundle schema's surname (and its column): HQ refused a longer one, and
    # with it the mission's whole bundle.
    surname = check.required_name(data.surname, "surname", _("Surname"), 120)
    given = check.required_name(data.given_names, "given_names", _("Given names"))
    # What no field shows (a control character, half of a character, a zero-width space or a
    # direction control) is not part of a number.
    iin = re.sub(r"[\s-]", "", bare_text(data.iin or "")) or None
    birth = data.birth_date
    sex = data.sex or None
    if iin is not None:
        validate_iin(iin)
        if birth is not None and birth != iin_birth_date(iin):
            raise ValidationError(
                _("The date of birth does not match the IIN ({date}).").format(
                    date=format_date(iin_birth_date(iin))
                ),
                field="birth_date",
            )
        birth = birth or iin_birth_date(iin)
        sex = sex or iin_sex(iin)
    check.not_future(birth, "birth_date", _("The date of birth"), today)
    if sex is not None and sex not in SEXES:
        raise ValidationError(_("Sex is 'male' or 'female'."), field="sex")
    written = re.sub(r"\s", "", bare_text(data.passport_no or ""))
    passport = written.upper() or None
    if passport is not None and not PASSPORT_RE.match(passport):
        # Typed with a Cyrillic layout on, N12345678 (a Kazakhstani passport's number) comes
        # out as т12345678 (Russian) or т„әіңғ,.ү (Kazakh: its number row holds letters),
        # mapped back before the capitals, which are other keys on that row.
        meant = as_latin_keys(written).upper()
        if meant.startswith("N") and PASSPORT_RE.match(meant):
            raise ValidationError(_mistyped_passport(written, meant), field="passport_no")
        raise ValidationError(
            _("A passport number is 6–12 Latin letters and digits."), field="passport_no"
        )
    check.not_future(data.consent_date, "consent_date", _("The date of consent"), today)
    if data.consent_date is not None and birth is not None and data.consent_date < birth:
        raise ValidationError(
            _("The date of consent ({date}) is before the person was born.").format(
                date=format_date(data.consent_date)
            ),
            field="consent_date",
        )
    return PersonInput(
        surname=surname,
        given_names=given,
        patronymic=_optional_name(data.patronymic, "patronymic", N_("Patronymic"), 120),
        surname_latin=_optional_name(
            data.surname_latin, "surname_latin", N_("Surname"), 120
        ).upper(),
        given_names_latin=_optional_name(
            data.given_names_latin, "given_names_latin", N_("Given names"), 200
        ).upper(),
        iin=iin,
        passport_no=passport,
        birth_date=birth,
        sex=sex,
        phone_abroad=check.phone(data.phone_abroad, "phone_abroad", _("Phone abroad"))
        if data.phone_abroad
        else "",
        phone_home=check.phone(data.phone_home, "phone_home", _("Phone at home"))
        if data.phone_home
        else "",
        email=_optional_text(data.email, "email", N_("E-mail"), 200),
        messenger=_optional_text(data.messenger, "messenger", N_("Messenger"), 120),
        address_abroad=_optional_text(data.address_abroad, "address_abroad", N_("Address"), 500),
        address_home=_optional_text(data.address_home, "address_home", N_("Address"), 500),
        next_of_kin=_optional_text(data.next_of_kin, "next_of_kin", N_("Next of kin"), 300),
        consent_date=data.consent_date,
        consent_scope=tuple(data.consent_scope),
        consent_note=_optional_text(data.consent_note, "consent_note", N_("Consent"), 2000),
    )


def _optional_text(value: str, field: str, label: str, limit: int) -> str:
    """An optional field as ``bounded_text`` checks it; ``label`` (an ``N_`` text) translated
    only for a value to check. Most are empty: a spreadsheet import's 10,000 rows translated
    eleven labels each and checked as many empty strings (a sixth of its rows' checking)."""
    return check.bounded_text(value, field, _(label), limit) if value else ""


def _optional_name(value: str, field: str, label: str, limit: int) -> str:
    """An optional name as ``name_text`` checks it, the label translated only for a value."""
    return check.name_text(value, field, _(label), limit) if value else ""


def person_info(person: Person, case_count: int = 0) -> PersonInfo:
    values = {name: getattr(person, name) for name in _INPUT_FIELDS}
    values["consent_scope"] = tuple(person.consent_scope or ())
    return PersonInfo(**values, id=person.id, version=person.version, case_count=case_count)


def person_values(data: PersonInput) -> dict[str, Any]:
    """The person's columns, as ``apply_person`` sets them (for multi-row inserts)."""
    # Shallow, unlike ``asdict``, which deep-copies every value (a third of a CSV row's cost).
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    values["consent_scope"] = list(values["consent_scope"])
    return values


def apply_person(person: Person, data: PersonInput) -> None:
    for name, value in person_values(data).items():
        setattr(person, name, value)


DUPLICATES_SHOWN = 20


def name_key(surname: str, given_names: str) -> tuple[str, str]:
    """A name as duplicates are matched on: case folded in every script, spaces collapsed,
    the Kazakh letters as written without them.

    Compared in Python, not with SQL ``lower()``, which SQLite folds for ASCII only: "АЙГУЛЬ"
    and "Айгуль" born the same day are the same name, and so are "Әбенов Нұрлан" and
    "Абенов Нурлан"."""
    return fold_typed(surname), fold_typed(given_names)


def find_duplicates(
    session: Session, data: PersonInput, exclude_id: str | None = None
) -> list[DuplicateMatch]:
    """People who may be the same worker: same IIN, same passport, or same name and birth."""
    conditions = []
    if data.iin:
        conditions.append(Person.iin == data.iin)
    if data.passport_no:
        conditions.append(Person.passport_no == data.passport_no)
    if data.birth_date:
        # Everyone born that day (indexed; a handful): the names are compared below.
        conditions.append(Person.birth_date == data.birth_date)
    if not conditions:
        return []
    query = select(Person).where(or_(*conditions), Person.deleted_at.is_(None))
    if exclude_id:
        query = query.where(Person.id != exclude_id)
    name = name_key(data.surname, data.given_names)
    matches = []
    for person in session.execute(query).scalars():
        reasons = []
        if data.iin and person.iin == data.iin:
            reasons.append(_("same IIN"))
        if data.passport_no and person.passport_no == data.passport_no:
            reasons.append(_("same passport number"))
        if (
            data.birth_date
            and person.birth_date == data.birth_date
            and name_key(person.surname, person.given_names) == name
        ):
            reasons.append(_("same name and date of birth"))
        if not reasons:
            continue  # born the same day, someone else
        full = " ".join(p for p in (person.surname, person.given_names, person.patronymic) if p)
        matches.append(DuplicateMatch(person.id, full, person.birth_date, tuple(reasons)))
        if len(matches) == DUPLICATES_SHOWN:
            break
    return matches


def refuse_identifier_of_another(session: Session, person: Person, data: PersonInput) -> None:
    """Refuse an IIN or passport number typed on a worker's record that another person on
    file holds: saved, one worker had two records (and the search listed both as different
    people). A number the record already held is not asked about again."""
    for field, typed, held, label in (
        ("iin", data.iin, person.iin, _("IIN")),
        ("passport_no", data.passport_no, person.passport_no, _("Passport number")),
    ):
        if not typed or typed == held:
            continue
        column = Person.iin if field == "iin" else Person.passport_no
        other = session.scalars(
            select(Person).where(
                column == typed, Person.id != person.id, Person.deleted_at.is_(None)
            )
        ).first()
        if other is None:
            continue
        numbers = session.scalars(
            select(Case.number).where(Case.person_id == other.id).order_by(Case.number).limit(3)
        ).all()
        raise ValidationError(
            _(
                "{label} {value} is already on file for {name} ({cases}). One worker has one "
                "record: check the number; if it is theirs, register the complaint as a new "
                "case with it, and the form offers their record."
            ).format(
                label=label,
                value=typed,
                name=" ".join(p for p in (other.surname, other.given_names) if p),
                cases=", ".join(numbers) or _("no case"),
            ),
            field=field,
        )


class PersonService:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def duplicates(self, data: PersonInput, exclude_id: str | None = None) -> list[DuplicateMatch]:
        cleaned = clean_person(data)
        with self.ws.read() as session:
            return find_duplicates(session, cleaned, exclude_id)

    def get(self, person_id: str) -> PersonInfo:
        with self.ws.read() as session:
            person = session.get(Person, person_id)
            if person is None or person.deleted_at is not None:
                raise NotFound(_("No such person."))
            count = session.execute(
                select(func.count()).select_from(Case).where(Case.person_id == person_id)
            ).scalar_one()
            return person_info(person, count)

    def find(self, text: str, limit: int = 20) -> list[PersonInfo]:
        """People whose names (either script), IIN or passport begin with what was typed.

        The full-text index gives the newest ``FIND_CANDIDATES`` cases whose words begin so
        (read in its order, so the cost does not grow with the mission); their people are
        then kept only if the words begin their own names or numbers, not, say, their
        employer's. A person with no case in the index (their only case deleted) is not
        offered here; the duplicate check on saving still finds them.
        """
        match = fts_query(text)
        if not text.strip() or match is None:
            return []
        cases, _position = newest_matches_first(select(Case.person_id), Case.id, match)
        with self.ws.read() as session:
            # Only the names of the candidates; whole rows for the few that are offered.
            candidates = session.connection().execute(
                select(Person.id, *PERSON_SEARCH_COLUMNS).where(
                    Person.id.in_(select(cases.limit(FIND_CANDIDATES).subquery().c.person_id)),
                    Person.deleted_at.is_(None),
                )
            )
            named = sorted(
                (r for r in candidates if typed_words_start(text, r[1:])),
                key=lambda r: (r.surname.casefold(), r.given_names.casefold()),
            )[:limit]
            people = {
                p.id: p
                for p in session.execute(
                    select(Person).where(Person.id.in_([r.id for r in named]))
                ).scalars()
            }
            return [person_info(people[r.id]) for r in named if r.id in people]

    def update(
        self, person_id: str, data: PersonInput, expected_version: int | None = None
    ) -> PersonInfo:
        self.ws.require_role(*CASE_WORKERS)
        cleaned = clean_person(data)
        with self.ws.write() as session:
            person = session.get(Person, person_id)
            if person is None or person.deleted_at is not None:
                raise NotFound(_("No such person."))
            check.record_version(session, person, expected_version)
            apply_person(person, cleaned)
            self.ws.audit(session, "person.update", "person", person_id)
            session.flush()
            index_cases(
                session,
                session.execute(select(Case.id).where(Case.person_id == person_id)).scalars().all(),
            )
            return person_info(person)
