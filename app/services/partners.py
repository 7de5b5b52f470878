"""Partner organisations (NGOs, shelters, lawyers, hotlines…) and a case's referrals to them.

The mission's list of partners is kept by its head of section (``SENIOR_ROLES``): a referral
passes a vulnerable worker's data to an outside organisation, so the mission vouches for whom
it sends workers to. Any case worker refers a case to a partner on the list and records how the
referral ended. Each referral is audited and written on the case's timeline; one the person's
recorded consent does not cover is made with a warning, as a letter to such an addressee is
(``app.services.letters.consent_covers``).
"""

from __future__ import annotations

import builtins
from dataclasses import asdict, dataclass
from dataclasses import replace as replace_fields
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Case, PartnerOrganisation, PartnerReferral, Person, User
from app.domain import labels
from app.domain.codes import CaseStatus, ConsentScope, EventKind, PartnerKind, parse_code
from app.domain.events import SystemEvent, event_data
from app.domain.matching import fold_typed, organisation_key
from app.domain.roles import CASE_WORKERS, SENIOR_ROLES
from app.domain.workflow import reason_required
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.i18n import _
from app.services import search
from app.services import validation as check
from app.services.cases import CaseService, refuse_anonymised
from app.services.letters import (
    KAZAKHSTAN,
    consent_covers,
    consent_not_covered,
    consents_to_transfer_abroad,
)
from app.services.rows import add_case_event, copied, live_row
from app.services.workspace import DatedService

MAX_REASON = 2000


@dataclass(frozen=True)
class PartnerInput:
    """A partner organisation as typed in (``kind``: a ``PartnerKind`` code)."""

    name: str
    kind: str
    country: str
    city: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    languages: str = ""  # the languages it works in, as the officer writes them
    notes: str = ""


@dataclass(frozen=True)
class PartnerInfo(PartnerInput):
    id: str = ""
    version: int = 0
    referrals: int = 0  # how many cases were referred to it


@dataclass(frozen=True)
class ReferralInfo:
    id: str
    case_id: str
    case_number: str
    partner_id: str
    partner_name: str
    partner_kind: str
    referred_at: date
    reason: str
    outcome: str
    version: int
    # The outcome that ``record_outcome`` has just recorded this one in place of ("" if none).
    replaced: str = ""


@dataclass(frozen=True)
class ReferralResult:
    """A referral made, and what the officer should know about it (consent)."""

    referral: ReferralInfo
    warnings: tuple[str, ...] = ()


def clean_partner(data: PartnerInput) -> PartnerInput:
    return PartnerInput(
        name=check.required_text(data.name, "name", _("Name"), 300),
        kind=parse_code(PartnerKind, data.kind or "", "kind").value,
        country=check.country(data.country),
        city=check.bounded_text(data.city, "city", _("City"), 120),
        address=check.bounded_text(data.address, "address", _("Address"), 500),
        phone=check.phone(data.phone, "phone", _("Phone")),
        email=check.bounded_text(data.email, "email", _("E-mail"), 200),
        languages=check.bounded_text(data.languages, "languages", _("Languages"), 120),
        notes=check.bounded_text(data.notes, "notes", _("Notes")),
    )


def _info(row: PartnerOrganisation, referrals: int = 0) -> PartnerInfo:
    return copied(PartnerInfo, row, referrals=referrals)


def _referral_info(
    referral: PartnerReferral, case: Case, partner: PartnerOrganisation
) -> ReferralInfo:
    return ReferralInfo(
        id=referral.id,
        case_id=case.id,
        case_number=case.number,
        partner_id=partner.id,
        partner_name=partner.name,
        partner_kind=partner.kind,
        referred_at=referral.referred_at,
        reason=referral.reason,
        outcome=referral.outcome,
        version=referral.version,
    )


def consent_missing(person: Person | None, partner_country: str) -> tuple[ConsentScope, ...]:
    """The consents a referral to a partner in ``partner_country`` needs that the person has
    not recorded: sharing with partner organisations, and, for a partner outside Kazakhstan
    (a host country's NGO, shelter or lawyer), the cross-border transfer, which the law on
    personal data (No. 94-V, Arts. 8 and 16) asks consent for apart."""
    missing = [] if consent_covers(person, "referral") else [ConsentScope.SHARE_PARTNERS]
    if partner_country != KAZAKHSTAN and not consents_to_transfer_abroad(person):
        missing.append(ConsentScope.CROSS_BORDER)
    return tuple(missing)


def _warned(missing: tuple[ConsentScope, ...]) -> tuple[str, ...]:
    return (consent_not_covered(*missing),) if missing else ()


# A resolved, closed or rejected case is shut: only a consul reopens it, with a reason on its
# timeline. A referral made to it quietly would send a worker to a partner while the register
# says the mission's work is over (a resolved case may be closed with the referral still open),
# and skip that decision.
SHUT_STATUSES = frozenset(
    {CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value, CaseStatus.REJECTED.value}
)


def refusal_to_refer(number: str, status: str) -> str | None:
    """Why a case in ``status`` cannot be referred (to the desktop and the command line), or
    None when it can."""
    if status not in SHUT_STATUSES:
        return None
    return _(
        "Case {number} is “{status}”: reopen it before you refer it to a partner (a consul "
        "sets its status to “{reopened}” and gives a reason)."
    ).format(
        number=number,
        status=labels.case_status(status),
        reopened=labels.case_status(CaseStatus.IN_PROGRESS),
    )


class PartnerService(DatedService):
    # -- the list of partners -------------------------------------------------------------------

    def list(
        self, country: str | None = None, text: str = "", offset: int = 0, limit: int = 200
    ) -> builtins.list[PartnerInfo]:
        """Partners by name; ``text`` matches name, city, languages or notes in any case and
        script. A mission has tens of partners, not thousands: they are filtered here in
        Python, where casefold knows Cyrillic (SQLite's ``lower`` folds ASCII only)."""
        found = self._matching(country, text)
        return found[max(offset, 0) : max(offset, 0) + max(limit, 0)]

    def count(self, country: str | None = None, text: str = "") -> int:
        return len(self._matching(country, text))

    def _matching(self, country: str | None, text: str) -> builtins.list[PartnerInfo]:
        query = select(PartnerOrganisation).where(PartnerOrganisation.deleted_at.is_(None))
        if country:
            query = query.where(PartnerOrganisation.country == check.country(country))
        wanted = fold_typed(text)
        with self.ws.read() as session:
            counts = self._referral_counts(session)
            rows = [_info(row, counts.get(row.id, 0)) for row in session.scalars(query)]
        if wanted:
            rows = [
                r
                for r in rows
                if wanted in fold_typed(f"{r.name} {r.city} {r.languages} {r.notes}")
            ]
        return sorted(rows, key=lambda r: (fold_typed(r.name), r.id))

    @staticmethod
    def _referral_counts(session: Session) -> dict[str, int]:
        counts: dict[str, int] = {}
        for partner_id in session.scalars(
            select(PartnerReferral.partner_id).where(PartnerReferral.deleted_at.is_(None))
        ):
            counts[partner_id] = counts.get(partner_id, 0) + 1
        return counts

    def get(self, partner_id: str) -> PartnerInfo:
        with self.ws.read() as session:
            row = live_row(session, PartnerOrganisation, partner_id, _("No such partner."))
            return _info(row, self._referral_counts(session).get(row.id, 0))

    def find(self, id_or_name: str) -> PartnerInfo:
        """The partner with this id, else the one whose name is this one (in any case, legal
        form aside); refused when none or several are."""
        wanted = (id_or_name or "").strip()
        with self.ws.read() as session:
            row = session.get(PartnerOrganisation, wanted) if wanted else None
            if row is not None and row.deleted_at is None:
                return _info(row)
            key = organisation_key(wanted)
            same = [
                r
                for r in session.scalars(
                    select(PartnerOrganisation).where(PartnerOrganisation.deleted_at.is_(None))
                )
                if key and organisation_key(r.name) == key
            ]
        if not same:
            raise NotFound(_("No partner is named “{name}”.").format(name=wanted))
        if len(same) > 1:
            raise ValidationError(
                _("Several partners are named “{name}”; give the id of one: {ids}.").format(
                    name=wanted, ids=", ".join(f"{r.id} ({r.country})" for r in same)
                ),
                "partner",
            )
        return _info(same[0])

    def create(self, data: PartnerInput) -> PartnerInfo:
        self.ws.require_role(*SENIOR_ROLES)
        cleaned = clean_partner(data)
        with self.ws.write() as session:
            self._require_active(session)
            self._refuse_twin(session, cleaned)
            row = PartnerOrganisation(**asdict(cleaned))
            session.add(row)
            session.flush()
            self.ws.audit(session, "partner.create", "partner", row.id, {"name": row.name})
            return _info(row)

    def update(
        self, partner_id: str, data: PartnerInput, expected_version: int | None = None
    ) -> PartnerInfo:
        self.ws.require_role(*SENIOR_ROLES)
        cleaned = clean_partner(data)
        with self.ws.write() as session:
            self._require_active(session)
            row = live_row(session, PartnerOrganisation, partner_id, _("No such partner."))
            check.record_version(session, row, expected_version)
            self._refuse_twin(session, cleaned, partner_id)
            for name, value in asdict(cleaned).items():
                setattr(row, name, value)
            session.flush()
            self.ws.audit(session, "partner.update", "partner", row.id, {"name": row.name})
            return _info(row, self._referral_counts(session).get(row.id, 0))

    @staticmethod
    def _refuse_twin(session: Session, data: PartnerInput, own_id: str | None = None) -> None:
        """The same organisation entered twice splits its referrals between two records."""
        key = organisation_key(data.name)
        for row in session.scalars(
            select(PartnerOrganisation).where(
                PartnerOrganisation.country == data.country,
                PartnerOrganisation.deleted_at.is_(None),
            )
        ):
            if row.id != own_id and organisation_key(row.name) == key:
                raise ValidationError(
                    _("{name} is already on the list of partners in this country.").format(
                        name=row.name
                    ),
                    "name",
                )

    def _require_active(self, session: Session) -> None:
        """A window left open by an officer revoked since still holds the database key; what
        it writes would pass workers' data on in the name of someone no longer here."""
        user = session.scalar(select(User).where(User.username == self.ws.actor.username))
        if user is None or not user.active:
            raise PermissionDenied(_("Your account has been revoked; sign in as another user."))

    # -- referrals ------------------------------------------------------------------------------

    def refer(
        self,
        case_id: str,
        partner_id: str,
        reason: str,
        referred_at: date | None = None,
        set_status: bool = False,
    ) -> ReferralResult:
        """Refer the case to a partner: the referral, a timeline entry and an audit entry in
        one transaction. A referral the person's consent does not cover is made, with a
        warning the officer sees (as a letter to the partner would be).

        With ``set_status`` the case moves to "Referred" in the same transaction, by the case
        service's status change (its rules, timeline and audit entries); a case already
        "Referred" stays so, and one the workflow may not move there is refused whole."""
        self.ws.require_role(*CASE_WORKERS)
        reason = check.required_text(reason, "reason", _("The reason for the referral"), MAX_REASON)
        when = referred_at or self.today
        check.not_future(when, "referred_at", _("The date of the referral"), self.today)
        with self.ws.write() as session:
            self._require_active(session)
            case = live_row(session, Case, case_id, _("No such case."))
            partner = live_row(session, PartnerOrganisation, partner_id, _("No such partner."))
            refuse_anonymised(case)  # else "reopen it first", which it cannot be
            if (refusal := refusal_to_refer(case.number, case.status)) is not None:
                raise ConflictError(refusal)
            if when < case.received_at:
                raise ValidationError(
                    _("A case cannot be referred before it was received."), "referred_at"
                )
            if any(r.partner_id == partner.id and not r.outcome for r in self._of(session, case)):
                raise ConflictError(
                    _(
                        "The case is already referred to {partner} and the outcome is not yet "
                        "recorded."
                    ).format(partner=partner.name)
                )
            # A refusal (in the workflow's words) rolls the whole referral back.
            moves = set_status and case.status != CaseStatus.REFERRED.value
            target = CaseStatus.REFERRED
            referral = PartnerReferral(
                case_id=case.id, partner_id=partner.id, referred_at=when, reason=reason
            )
            session.add(referral)
            add_case_event(
                session,
                case.id,
                EventKind.SYSTEM,
                self.ws.actor.username,
                reason,
                data=event_data(SystemEvent.REFERRED, partner=partner.name),
            )
            if moves:
                # The referral's entry says why; the status change repeats it only where the
                # workflow requires a reason of its own.
                why = reason if reason_required(CaseStatus(case.status), target) else ""
                CaseService(self.ws).change_status(session, case, target, why)
            self._touch(session, case)
            missing = consent_missing(session.get(Person, case.person_id), partner.country)
            self.ws.audit(
                session,
                "case.refer",
                "case",
                case.number,
                {"partner": partner.id, "referral": referral.id, "consent_covers": not missing},
            )
            return ReferralResult(_referral_info(referral, case, partner), _warned(missing))

    def consent_warnings(self, case_id: str, partner_id: str = "") -> tuple[str, ...]:
        """What the referral dialog says before the officer confirms a referral of the case to
        the partner (none chosen yet: what any referral needs)."""
        with self.ws.read() as session:
            case = live_row(session, Case, case_id, _("No such case."))
            person = session.get(Person, case.person_id)
            partner = session.get(PartnerOrganisation, partner_id) if partner_id else None
            country = partner.country if partner is not None else KAZAKHSTAN
            return _warned(consent_missing(person, country))

    def record_outcome(
        self,
        referral_id: str,
        outcome: str,
        expected_version: int | None = None,
        *,
        replace: bool = True,
    ) -> ReferralInfo:
        """How the referral ended (the shelter took her in, the lawyer filed a claim).

        ``replace`` false refuses a referral whose outcome is already recorded: a caller that
        has not shown it (the command line) must not overwrite a colleague's words unseen."""
        self.ws.require_role(*CASE_WORKERS)
        outcome = check.required_text(outcome, "outcome", _("The outcome"), MAX_REASON)
        with self.ws.write() as session:
            self._require_active(session)
            referral = live_row(session, PartnerReferral, referral_id, _("No such referral."))
            check.record_version(session, referral, expected_version)
            case = live_row(session, Case, referral.case_id, _("No such case."))
            refuse_anonymised(case)  # the outcome is a text typed about the worker
            partner = session.get(PartnerOrganisation, referral.partner_id)
            assert partner is not None  # a foreign key
            if referral.outcome and not replace:
                raise ValidationError(
                    _(
                        "The referral to {partner} already has an outcome: “{outcome}”. "
                        "To record another in its place, add --replace."
                    ).format(partner=partner.name, outcome=referral.outcome)
                )
            replaced = referral.outcome
            referral.outcome = outcome
            add_case_event(
                session,
                case.id,
                EventKind.SYSTEM,
                self.ws.actor.username,
                outcome,
                data=event_data(SystemEvent.REFERRAL_OUTCOME, partner=partner.name),
            )
            self._touch(session, case)
            self.ws.audit(
                session, "case.referral_outcome", "case", case.number, {"referral": referral.id}
            )
            return replace_fields(_referral_info(referral, case, partner), replaced=replaced)

    def referrals(self, case_id: str) -> builtins.list[ReferralInfo]:
        """The case's referrals, the latest first."""
        with self.ws.read() as session:
            case = live_row(session, Case, case_id, _("No such case."))
            found: builtins.list[ReferralInfo] = []
            for referral in self._of(session, case):
                partner = session.get(PartnerOrganisation, referral.partner_id)
                if partner is not None:
                    found.append(_referral_info(referral, case, partner))
            return found

    @staticmethod
    def _of(session: Session, case: Case) -> builtins.list[PartnerReferral]:
        return list(
            session.scalars(
                select(PartnerReferral)
                .where(PartnerReferral.case_id == case.id, PartnerReferral.deleted_at.is_(None))
                .order_by(PartnerReferral.referred_at.desc(), PartnerReferral.change_seq.desc())
            )
        )

    @staticmethod
    def _touch(session: Session, case: Case) -> None:
        # Child rows do not dirty the case; bundles travel by its version, so touch it.
        case.updated_at = datetime.now(UTC)
        session.flush()
        search.index_cases(session, [case.id])
