"""Employers, recruitment agencies and partner organisations, and referrals to partners."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from app.db.models import (
    Case,
    CaseEvent,
    Employer,
    PartnerOrganisation,
    PartnerReferral,
    RecruitmentAgency,
    new_id,
)
from app.domain.workflow import OPEN_STATUSES
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.services import validation as check
from app.services.records import OrganisationInfo, OrganisationInput, PartnerInfo, PartnerInput
from app.services.workspace import Workspace

PARTNER_KINDS = ("ngo", "lawyer", "shelter", "hotline", "other")
# Employer or RecruitmentAgency: the two share their columns but not a base class.
OrgModel = Any
_OPEN = [s.value for s in OPEN_STATUSES]


def clean_organisation(data: OrganisationInput) -> OrganisationInput:
    return OrganisationInput(
        name=check.required_text(data.name, "name", _("Name"), 300),
        country=check.country(data.country),
        city=check.bounded_text(data.city, "city", _("City"), 120),
        address=check.bounded_text(data.address, "address", _("Address"), 500),
        registration_no=check.bounded_text(
            data.registration_no, "registration_no", _("Registration number"), 60
        ),
        phone=check.bounded_text(data.phone, "phone", _("Phone"), 60),
        email=check.bounded_text(data.email, "email", _("E-mail"), 200),
        notes=check.bounded_text(data.notes, "notes", _("Notes")),
    )


def _kind(model: OrgModel) -> str:
    return "employer" if model is Employer else "agency"


def _info(
    row: Employer | RecruitmentAgency, complaints: int = 0, open_: int = 0
) -> OrganisationInfo:
    registration = row.registration_no if isinstance(row, Employer) else row.licence_no
    return OrganisationInfo(
        name=row.name,
        country=row.country,
        city=row.city,
        address=row.address,
        registration_no=registration,
        phone=row.phone,
        email=row.email,
        notes=row.notes,
        id=row.id,
        kind=_kind(type(row)),
        watchlist=row.watchlist,
        watchlist_reason=row.watchlist_reason,
        complaint_count=complaints,
        open_count=open_,
    )


def new_organisation(
    session: Session, model: OrgModel, data: OrganisationInput, flush: bool = True
) -> str:
    """Insert a cleaned employer or agency, reusing an existing one of the same name and country."""
    existing = (
        session.execute(
            select(model).where(
                func.lower(model.name) == data.name.lower(),
                model.country == data.country,
                model.deleted_at.is_(None),
            )
        )
        .scalars()
        .first()
    )
    if existing is not None:
        return existing.id
    row = model(
        name=data.name,
        country=data.country,
        city=data.city,
        address=data.address,
        phone=data.phone,
        email=data.email,
        notes=data.notes,
    )
    if isinstance(row, Employer):
        row.registration_no = data.registration_no
    else:
        row.licence_no = data.registration_no
    if not flush:
        row.id = new_id()  # known now, written with the caller's next flush
    session.add(row)
    if flush:
        session.flush()
    return row.id


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
        self.ws = workspace
        self.model: OrgModel = Employer if kind == "employer" else RecruitmentAgency

    def list(
        self,
        country: str | None = None,
        text: str = "",
        watchlist_only: bool = False,
        order: str = "complaints",
        limit: int = 500,
    ) -> list[OrganisationInfo]:
        query = _counted(self.model)
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

    def get(self, org_id: str) -> OrganisationInfo:
        with self.ws.read() as session:
            row = session.execute(_counted(self.model).where(self.model.id == org_id)).first()
            if row is None:
                raise NotFound(_("No such organisation."))
            return _info(row[0], row[1], row[2])

    def create(self, data: OrganisationInput) -> OrganisationInfo:
        self.ws.require_role("attache", "consul", "admin")
        cleaned = clean_organisation(data)
        with self.ws.write() as session:
            org_id = new_organisation(session, self.model, cleaned)
            self.ws.audit(session, f"{_kind(self.model)}.create", _kind(self.model), org_id)
        return self.get(org_id)

    def update(self, org_id: str, data: OrganisationInput) -> OrganisationInfo:
        self.ws.require_role("attache", "consul", "admin")
        cleaned = clean_organisation(data)
        with self.ws.write() as session:
            row = session.get(self.model, org_id)
            if row is None:
                raise NotFound(_("No such organisation."))
            row.name, row.country, row.city = cleaned.name, cleaned.country, cleaned.city
            row.address, row.phone, row.email = cleaned.address, cleaned.phone, cleaned.email
            row.notes = cleaned.notes
            if isinstance(row, Employer):
                row.registration_no = cleaned.registration_no
            else:
                row.licence_no = cleaned.registration_no
            self.ws.audit(session, f"{_kind(self.model)}.update", _kind(self.model), org_id)
        return self.get(org_id)

    def set_watchlist(self, org_id: str, on: bool, reason: str = "") -> OrganisationInfo:
        """Put on (or take off) the watchlist; a consul's or administrator's decision."""
        self.ws.require_role("consul", "admin")
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


def _partner_info(row: PartnerOrganisation, referrals: int = 0) -> PartnerInfo:
    return PartnerInfo(
        name=row.name,
        kind=row.kind,
        country=row.country,
        city=row.city,
        address=row.address,
        phone=row.phone,
        email=row.email,
        languages=row.languages,
        notes=row.notes,
        id=row.id,
        referral_count=referrals,
    )


class PartnerService:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def list(self, country: str | None = None) -> list[PartnerInfo]:
        query = (
            select(PartnerOrganisation, func.count(PartnerReferral.id))
            .outerjoin(PartnerReferral, PartnerReferral.partner_id == PartnerOrganisation.id)
            .where(PartnerOrganisation.deleted_at.is_(None))
            .group_by(PartnerOrganisation.id)
            .order_by(PartnerOrganisation.country, PartnerOrganisation.name)
        )
        if country:
            query = query.where(PartnerOrganisation.country == country.upper())
        with self.ws.read() as session:
            return [_partner_info(row, n) for row, n in session.execute(query)]

    def create(self, data: PartnerInput) -> PartnerInfo:
        self.ws.require_role("attache", "consul", "admin")
        if data.kind not in PARTNER_KINDS:
            raise ValidationError(
                _("Unknown kind of partner; use one of: {kinds}.").format(
                    kinds=", ".join(PARTNER_KINDS)
                ),
                "kind",
            )
        with self.ws.write() as session:
            row = PartnerOrganisation(
                name=check.required_text(data.name, "name", _("Name"), 300),
                kind=data.kind,
                country=check.country(data.country),
                city=check.bounded_text(data.city, "city", _("City"), 120),
                address=check.bounded_text(data.address, "address", _("Address"), 500),
                phone=check.bounded_text(data.phone, "phone", _("Phone"), 60),
                email=check.bounded_text(data.email, "email", _("E-mail"), 200),
                languages=check.bounded_text(data.languages, "languages", _("Languages"), 120),
                notes=check.bounded_text(data.notes, "notes", _("Notes")),
            )
            session.add(row)
            session.flush()
            self.ws.audit(session, "partner.create", "partner", row.id)
            return _partner_info(row)

    def refer(self, case_id: str, partner_id: str, reason: str, on: date | None = None) -> str:
        """Record a referral of the case's worker to a partner, on the case's timeline."""
        self.ws.require_role("attache", "consul", "admin")
        reason = check.required_text(reason, "reason", _("Reason"), 5000)
        with self.ws.write() as session:
            partner = session.get(PartnerOrganisation, partner_id)
            case_row = session.get(Case, case_id)
            if partner is None or case_row is None:
                raise NotFound(_("No such case or partner."))
            referral = PartnerReferral(
                case_id=case_id,
                partner_id=partner_id,
                referred_at=on or date.today(),
                reason=reason,
            )
            session.add(referral)
            session.add(
                CaseEvent(
                    case_id=case_id,
                    kind="note",
                    author=self.ws.actor.username,
                    text=_("Referred to {partner}: {reason}").format(
                        partner=partner.name, reason=reason
                    ),
                    data={"referral_partner_id": partner_id},
                )
            )
            session.flush()
            self.ws.audit(session, "case.refer", "case", case_id, {"partner": partner_id})
            return referral.id
