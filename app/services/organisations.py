"""Employers and recruitment agencies: finding, creating, editing and the watchlist."""

from __future__ import annotations

import unicodedata
from dataclasses import fields
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, case, func, literal, select, update
from sqlalchemy.orm import Session

from app.db.models import (
    Case,
    Employer,
    RecruitmentAgency,
    new_id,
    utcnow,
)
from app.domain.matching import fold_typed, organisation_key
from app.domain.roles import CASE_WORKERS, SENIOR_ROLES
from app.domain.workflow import OPEN_STATUSES
from app.errors import NotFound, PermissionDenied, ValidationError
from app.i18n import _
from app.services import validation as check
from app.services.index_later import keep_pending, write_pending_unless_busy
from app.services.records import (
    CombineResult,
    OrganisationChoice,
    OrganisationInfo,
    OrganisationInput,
)
from app.services.rows import copied
from app.services.search import index_cases
from app.services.workspace import Workspace

# Employer or RecruitmentAgency: the two share their columns but not a base class.
OrgModel = Any
_OPEN = [s.value for s in OPEN_STATUSES]


def clean_organisation(data: OrganisationInput) -> OrganisationInput:
    return OrganisationInput(
        name=check.required_name(data.name, "name", _("Name"), 300),
        country=check.country(data.country),
        city=check.bounded_text(data.city, "city", _("City"), 120),
        address=check.bounded_text(data.address, "address", _("Address"), 500),
        registration_no=check.bounded_text(
            data.registration_no, "registration_no", _("Registration number"), 60
        ),
        phone=check.phone(data.phone, "phone", _("Phone")),
        email=check.bounded_text(data.email, "email", _("E-mail"), 200),
        notes=check.bounded_text(data.notes, "notes", _("Notes")),
        postcode=check.bounded_text(data.postcode, "postcode", _("Postcode"), 20),
        contact_person=check.bounded_text(
            data.contact_person, "contact_person", _("Contact person"), 200
        ),
    )


def _kind(model: OrgModel) -> str:
    return "employer" if model is Employer else "agency"


def _info(
    row: Employer | RecruitmentAgency, complaints: int = 0, open_: int = 0
) -> OrganisationInfo:
    registration = row.registration_no if isinstance(row, Employer) else row.licence_no
    return copied(
        OrganisationInfo,
        row,
        registration_no=registration,
        kind=_kind(type(row)),
        complaint_count=complaints,
        open_count=open_,
    )


def _preferred(model: OrgModel) -> tuple[Any, ...]:
    # Of a name on file twice (kept apart before names were matched so), the watchlisted one,
    # so its warning shows; else the first entered.
    return (model.watchlist.desc(), model.change_seq, model.id)


def on_file(
    session: Session, model: OrgModel, name: str, country: str, exclude_id: str | None = None
) -> tuple[str, str, str] | None:
    """The organisation of ``country`` whose name is ``name`` written another way
    (``organisation_key``, kept in ``name_key`` and indexed with the country): its id, name and
    city; None if there is none."""
    query = (
        select(model.id, model.name, model.city)
        .where(
            model.country == country,
            model.name_key == organisation_key(name),
            model.deleted_at.is_(None),
        )
        .order_by(*_preferred(model))
        .limit(1)
    )
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    found = session.execute(query).first()
    return None if found is None else (found[0], found[1], found[2])


def on_file_or_new(
    session: Session, model: OrgModel, data: OrganisationInput
) -> tuple[str, list[str]]:
    """A cleaned employer or agency given with a case (``case add --json``): one on file under
    that name is used when what was given for it agrees with it, and its blank details are
    filled from it (returned: the columns filled), never dropped. When each one on file has a
    detail that contradicts what was given, it is refused: the case may concern another branch
    of a firm of that name."""
    twins = (
        session.execute(
            select(model)
            .where(
                model.country == data.country,
                model.name_key == organisation_key(data.name),
                model.deleted_at.is_(None),
            )
            .order_by(*_preferred(model))
        )
        .scalars()
        .all()
    )
    if not twins:
        return _insert(session, model, data, flush=True), []
    given = _details(model, data)
    for row in twins:
        if not any(_contradicts(row, column, value) for column, _label, value in given):
            filled = []
            for column, _label, value in given:
                held = getattr(row, column) or ""
                if value and not _same_detail(held, value):
                    # A blank filled; notes, which never contradict, added to those on file.
                    setattr(row, column, f"{held}\n{value}" if held else value)
                    filled.append(column)
            return row.id, filled
    first = twins[0]
    differing = [label for column, label, value in given if _contradicts(first, column, value)]
    raise ValidationError(
        _(
            "{name} is already on file in this country, and what was given for it "
            "differs ({details}): give its id to use it, or a name that tells the two "
            "apart."
        ).format(
            name=f"{first.name} ({first.city})" if first.city else first.name,
            details=", ".join(differing),
        ),
        "name",
    )


def _contradicts(row: Any, column: str, given: str) -> bool:
    held = getattr(row, column) or ""
    return bool(given and held and column != "notes" and not _same_detail(held, given))


def _details(model: OrgModel, data: OrganisationInput) -> list[tuple[str, str, str]]:
    """(column, label, typed value) of each detail besides the name and country."""
    number = "registration_no" if model is Employer else "licence_no"
    return [
        ("city", _("City"), data.city),
        ("address", _("Address"), data.address),
        (number, _("Registration number"), data.registration_no),
        ("phone", _("Phone"), data.phone),
        ("email", _("E-mail"), data.email),
        ("postcode", _("Postcode"), data.postcode),
        ("contact_person", _("Contact person"), data.contact_person),
        ("notes", _("Notes"), data.notes),
    ]


def _same_detail(held: str, typed: str) -> bool:
    """Alike but for case, spacing and accents (İstanbul, Istanbul)."""
    return _plain(held) == _plain(typed)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", fold_typed(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _insert(session: Session, model: OrgModel, data: OrganisationInput, flush: bool) -> str:
    # The typed fields by name; an agency's registration number is its licence number.
    values = {f.name: getattr(data, f.name) for f in fields(OrganisationInput)}
    values["registration_no" if model is Employer else "licence_no"] = values.pop("registration_no")
    row = model(**values)
    if not flush:
        row.id = new_id()  # known now, written with the caller's next flush
    session.add(row)
    if flush:
        session.flush()
    return row.id


def _refuse_one_on_file(
    session: Session, model: OrgModel, data: OrganisationInput, org_id: str | None = None
) -> None:
    """An organisation entered by hand under a name on file (written another way) was the one
    on file, silently: the address and contacts typed for it were dropped."""
    existing = on_file(session, model, data.name, data.country, exclude_id=org_id)
    if existing is None:
        return
    _id, name, city = existing
    shown = f"{name} ({city})" if city else name
    raise ValidationError(
        _(
            "{name} is already on file in this country: choose it from the list (its "
            "address and contacts are added under Details…), or give this one a name that "
            "tells the two apart."
        ).format(name=shown),
        "name",
    )


def key_names_written(session: Session, first: int, last: int) -> None:
    """Key the names of the employers and agencies written with change numbers ``first`` to
    ``last``: a bundle's import writes its records' columns, which leave the key out."""
    for model in (Employer, RecruitmentAgency):
        rows = session.execute(
            select(model.id, model.name, model.name_key).where(
                model.change_seq.between(first, last)
            )
        )
        stale = [
            {"row_id": row_id, "key": key}
            for row_id, name, held in rows
            if (key := organisation_key(name)) != held
        ]
        if stale:
            table = cast(Table, model.__table__)
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(name_key=bindparam("key")),
                stale,
            )


def _twins(session: Session, row: Employer | RecruitmentAgency) -> list[Any]:
    model = type(row)
    return list(
        session.execute(
            select(model)
            .where(
                model.country == row.country,
                model.name_key == row.name_key,
                model.id != row.id,
                model.deleted_at.is_(None),
            )
            .order_by(*_preferred(model))
        ).scalars()
    )


# What a record entered twice may know that the one kept does not (letters print them).
_DETAILS = ("city", "address", "postcode", "contact_person", "phone", "email", "notes")


def _take_details(keep: Any, twin: Any) -> None:
    """The details ``keep`` lacks, from ``twin``; a watchlist entry of either stays."""
    number = "registration_no" if isinstance(keep, Employer) else "licence_no"
    for name in (*_DETAILS, number):
        if not getattr(keep, name) and getattr(twin, name):
            setattr(keep, name, getattr(twin, name))
    if twin.watchlist:
        reasons = [r for r in (keep.watchlist_reason, twin.watchlist_reason) if r]
        keep.watchlist = True
        keep.watchlist_reason = "\n".join(dict.fromkeys(reasons))


class KnownOrganisations:
    """The organisations a batch of new cases names, matched by ``organisation_key``: each
    looked for once, and the ones the batch adds found by the rows after them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._ids: dict[tuple[str, str, str], str] = {}  # (table, country, key) -> id

    def id_for(self, model: OrgModel, data: OrganisationInput | None) -> str | None:
        if data is None:
            return None
        known = (model.__tablename__, data.country, organisation_key(data.name))
        if known not in self._ids:
            held = on_file(self.session, model, data.name, data.country)
            self._ids[known] = held[0] if held else _insert(self.session, model, data, flush=False)
        return self._ids[known]


def _uncounted(model: OrgModel) -> Select[Any]:
    zero: Any = literal(0)  # the counts' columns, as _counted has them
    return select(model, zero, zero).where(model.deleted_at.is_(None))


def _counted(model: OrgModel) -> Select[Any]:
    fk = Case.employer_id if model is Employer else Case.agency_id
    complaints = func.count(Case.id)
    open_cases = func.coalesce(func.sum(case((Case.status.in_(_OPEN), 1), else_=0)), 0)
    return (
        select(model, complaints, open_cases)
        .outerjoin(Case, fk == model.id)
        .where(model.deleted_at.is_(None))
        .group_by(model.id)
    )


class OrganisationService:
    """Employers (``kind='employer'``) and recruitment agencies (``kind='agency'``)."""

    def __init__(self, workspace: Workspace, kind: str = "employer") -> None:
        if kind not in ("employer", "agency"):
            raise ValueError(kind)
        self.kind = kind
        self.ws = workspace
        self.model: OrgModel = Employer if kind == "employer" else RecruitmentAgency

    def list(
        self,
        country: str | None = None,
        text: str = "",
        watchlist_only: bool = False,
        order: str = "complaints",
        limit: int = 500,
        counted: bool = True,
    ) -> list[OrganisationInfo]:
        """``counted=False``: without their complaint and open-case counts (zero), which take
        every case of the mission to count (38 ms per list at 100k cases, on a case's opening)."""
        if not counted and order == "complaints":
            raise ValueError("ordering by complaints needs the counts")
        query = _counted(self.model) if counted else _uncounted(self.model)
        if country:
            query = query.where(self.model.country == country.upper())
        if text.strip():
            query = query.where(self.model.name.ilike(f"%{text.strip()}%"))
        if watchlist_only:
            query = query.where(self.model.watchlist)
        if order == "complaints":
            query = query.order_by(func.count(Case.id).desc(), self.model.name)
        else:
            query = query.order_by(self.model.name)
        with self.ws.read() as session:
            return [_info(row, n, o) for row, n, o in session.execute(query.limit(limit))]

    def choices(self, country: str | None = None) -> tuple[OrganisationChoice, ...]:
        """Every organisation of ``country`` (of all, when None) to choose from, by name, as
        plain rows: a picker lists them all (5,000 in about 10 ms; as records 90-120 ms)."""
        model = self.model
        query = (
            select(model.id, model.name, model.city, model.watchlist, model.name_key)
            .where(model.deleted_at.is_(None))
            .order_by(model.name, model.id)
        )
        if country:
            query = query.where(model.country == country.upper())
        with self.ws.read() as session:
            return tuple(OrganisationChoice(*row) for row in session.execute(query))

    def choices_version(self, country: str | None = None) -> tuple[int, int]:
        """What changes whenever ``choices(country)`` may: the newest change number of any
        organisation of this kind (every write stamps one) and how many rows the country has
        (a row removed outright stamps none). Both read from indexes alone: about a
        millisecond where ``choices`` and a picker's filling take some 40 ms at 5,000."""
        model = self.model
        rows = select(func.count()).select_from(model)
        if country:
            rows = rows.where(model.country == country.upper())
        with self.ws.read() as session:
            newest = session.execute(select(func.max(model.change_seq))).scalar_one()
            return int(newest or 0), int(session.execute(rows).scalar_one())

    def get(self, org_id: str, counted: bool = True) -> OrganisationInfo:
        query = _counted(self.model) if counted else _uncounted(self.model)
        with self.ws.read() as session:
            row = session.execute(query.where(self.model.id == org_id)).first()
            if row is None:
                raise NotFound(_("No such organisation."))
            return _info(row[0], row[1], row[2])

    def complaint_count(self, org_id: str) -> int:
        """How many cases name the organisation: read from the case table's index on it alone
        (``get`` also counts its open cases, which reads every such case: 100 ms at 100k
        cases the first time, for a warning that shows this count only)."""
        fk = Case.employer_id if self.model is Employer else Case.agency_id
        with self.ws.read() as session:
            return int(session.execute(select(func.count()).where(fk == org_id)).scalar_one())

    def create(self, data: OrganisationInput) -> OrganisationInfo:
        self.ws.require_role(*CASE_WORKERS)
        cleaned = clean_organisation(data)
        with self.ws.write() as session:
            _refuse_one_on_file(session, self.model, cleaned)
            org_id = _insert(session, self.model, cleaned, flush=True)
            self.ws.audit(session, f"{_kind(self.model)}.create", _kind(self.model), org_id)
        return self.get(org_id)

    def update(
        self, org_id: str, data: OrganisationInput, search_rows_later: bool = False
    ) -> OrganisationInfo:
        """Correct an organisation on file. Renamed, its cases' search rows are written in
        batches after the rename, here or, with ``search_rows_later``, by the caller
        (``index_later.write_pending``: the app's dialog closes first)."""
        self.ws.require_role(*CASE_WORKERS)
        cleaned = clean_organisation(data)
        with self.ws.write() as session:
            row = session.get(self.model, org_id)
            if row is None:
                raise NotFound(_("No such organisation."))
            _refuse_one_on_file(session, self.model, cleaned, org_id)
            renamed = row.name != cleaned.name
            row.name, row.country, row.city = cleaned.name, cleaned.country, cleaned.city
            row.address, row.phone, row.email = cleaned.address, cleaned.phone, cleaned.email
            row.notes = cleaned.notes
            row.postcode, row.contact_person = cleaned.postcode, cleaned.contact_person
            if isinstance(row, Employer):
                row.registration_no = cleaned.registration_no
            else:
                row.licence_no = cleaned.registration_no
            self.ws.audit(session, f"{_kind(self.model)}.update", _kind(self.model), org_id)
            if renamed:  # its cases' search rows hold the name: found by the new one, not the old
                session.flush()
                keep_pending(session, row.change_seq, row.change_seq)
        if renamed and not search_rows_later:
            # In batches after the rename: at 300,000 cases the demo's largest employer has
            # 44,000, whose rows written in the rename's transaction held the lock 25 s.
            write_pending_unless_busy(self.ws)
        return self.get(org_id)

    def twins(self, org_id: str) -> tuple[OrganisationInfo, ...]:
        """The others on file under this one's name written another way, in its country:
        entered apart before names were matched so."""
        with self.ws.read() as session:
            row = session.get(self.model, org_id)
            if row is None:
                raise NotFound(_("No such organisation."))
            return tuple(_info(other) for other in _twins(session, row))

    def combine(self, keep_id: str) -> CombineResult:
        """Make one of the organisations on file under this one's name written another way:
        their cases held here go to it, the details it lacks come from them, a watchlist entry
        stays, and they are removed. One a case held elsewhere still refers to, or one another
        installation made (its maker alone may remove it), stays as it is, its other cases
        moved. The head of section's decision: a wrong one would join two employers' cases."""
        self.ws.require_role(*SENIOR_ROLES)
        if self.ws.mission.is_hq:
            raise PermissionDenied(
                _(
                    "Headquarters keeps the missions' records as they send them: combine them "
                    "at the mission."
                )
            )
        kind = _kind(self.model)
        link = Case.employer_id if self.model is Employer else Case.agency_id
        with self.ws.write() as session:
            keep = session.get(self.model, keep_id)
            if keep is None or keep.deleted_at is not None:
                raise NotFound(_("No such organisation."))
            twins = _twins(session, keep)
            if not twins:
                raise ValidationError(
                    _("{name} is on file once: there is nothing to combine.").format(name=keep.name)
                )
            moved: list[str] = []
            combined = kept_apart = 0
            for twin in twins:
                cases = session.execute(
                    select(Case).where(link == twin.id, Case.holder_mission == self.ws.mission_code)
                ).scalars()
                for case_row in cases:
                    setattr(case_row, link.key, keep.id)
                    moved.append(case_row.id)
                _take_details(keep, twin)
                session.flush()
                still_referred = session.execute(
                    select(func.count()).where(link == twin.id)
                ).scalar_one()
                if still_referred or twin.origin_mission != self.ws.mission_code:
                    kept_apart += 1
                else:
                    twin.deleted_at = utcnow()
                    combined += 1
            index_cases(session, moved)
            self.ws.audit(
                session,
                f"{kind}.combine",
                kind,
                keep.id,
                {
                    "others": [t.id for t in twins],
                    "cases_moved": len(moved),
                    "removed": combined,
                    "kept_apart": kept_apart,
                },
            )
        return CombineResult(self.get(keep_id), combined, len(moved), kept_apart)

    def set_watchlist(self, org_id: str, on: bool, reason: str = "") -> OrganisationInfo:
        """Put on (or take off) the watchlist; a consul's or administrator's decision."""
        self.ws.require_role(*SENIOR_ROLES)
        reason = check.bounded_text(reason, "reason", _("Reason"), 2000)
        if on and not reason:
            raise ValidationError(_("Say why the organisation goes on the watchlist."), "reason")
        with self.ws.write() as session:
            row = session.get(self.model, org_id)
            if row is None:
                raise NotFound(_("No such organisation."))
            row.watchlist, row.watchlist_reason = on, reason
            self.ws.audit(
                session,
                f"{_kind(self.model)}.watchlist",
                _kind(self.model),
                org_id,
                {"on": on, "reason": reason},
            )
        return self.get(org_id)
