"""Contract reviews: the rules engine's verdict on a worker's contract, stored and reported.

A review stands alone (a worker asks before signing: host country required, person optional)
or belongs to a case (host country and worker come from the case). Saving stores the terms,
the findings and the risk in one write transaction with its audit entry; a review attached to
a case also adds a timeline entry and flags on the case the ILO indicators it revealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements import (
    Applicable,
    Library,
    Provision,
    applicable_instruments,
    article_text,
    basis_label,
    citation_text,
    is_verified,
    load_library,
    ratification_label,
)
from app.agreements.applicability import since_not_recorded
from app.agreements.library import check_language
from app.contracts import (
    ContractTerms,
    Finding,
    ProvisionRef,
    Reference,
    ReviewResult,
    parse_terms,
    result_to_json,
    review,
    terms_to_dict,
)
from app.contracts.reference import HOST_COUNTRIES, HostCountryReference, reference_for
from app.contracts.rules import rate_risk
from app.db.models import (
    Agreement,
    Case,
    CaseIloIndicator,
    ContractReview,
    Employer,
    Person,
    User,
)
from app.domain import labels
from app.domain.codes import EventKind
from app.domain.events import SystemEvent, event_data
from app.domain.iso import check_minor_units
from app.domain.names import person_name, user_name
from app.domain.roles import CASE_WORKERS, HQ_ROLES
from app.domain.text import quoted
from app.errors import NotFound, ValidationError
from app.i18n import LANGUAGES, _, current_language, language_override
from app.services import search
from app.services.agreements import library_from_db
from app.services.cases import refuse_anonymised
from app.services.legal_tables import host_table
from app.services.letterhead import letterhead
from app.services.rows import add_case_event, copied, live_row, where_given
from app.services.workspace import Workspace

if TYPE_CHECKING:  # reportlab is imported only when a report is rendered
    from app.letters import PrintedPdf

REVIEWERS = CASE_WORKERS


@dataclass(frozen=True)
class ReviewSubject:
    """What a new review starts from: pre-filled from a case, or empty for a walk-in worker."""

    host_country: str = ""
    case_id: str | None = None
    case_number: str | None = None
    person_id: str | None = None
    person_name: str = ""
    employer_name: str = ""


@dataclass(frozen=True)
class ContractReviewInfo:
    id: str
    version: int
    case_id: str | None
    case_number: str | None
    person_id: str | None
    person_name: str
    host_country: str
    terms: ContractTerms
    findings: tuple[Finding, ...]
    risk: str
    risk_reasons: tuple[str, ...]
    ilo_indicators: tuple[str, ...]
    reviewed_by: str
    reviewed_by_name: str
    reviewed_at: datetime

    @property
    def result(self) -> ReviewResult:
        return ReviewResult(self.findings, self.risk, self.risk_reasons, self.ilo_indicators)

    @property
    def subject(self) -> ReviewSubject:
        """What the review is of (its case, worker, host country and employer), as a review
        shown again starts from."""
        return copied(ReviewSubject, self, employer_name=self.terms.employer_name or "")

    def to_json(self) -> dict[str, object]:
        """The findings shape of docs/architecture.md, with the review's identity beside it."""
        return {
            **result_to_json(self.result),
            "id": self.id,
            "case_number": self.case_number,
            "host_country": self.host_country,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at.isoformat(),
            "terms": terms_to_dict(self.terms),
        }


def risk_label(risk: str) -> str:
    return labels.risk_level(risk)


def level_label(level: str) -> str:
    return labels.finding_level(level)


@cache
def _library() -> Library:
    # The shipped library is read once per process; it changes only with a new release.
    return load_library()


def applicable_provisions(
    host_country: str, lang: str | None = None, library: Library | None = None
) -> tuple[ProvisionRef, ...]:
    """Provisions of the instruments applying in ``host_country`` (binding ones, and standards
    marked with the host's and Kazakhstan's ratifications), cited in ``lang``, with the
    complaint categories each covers, for ``review()`` to cite where a rule needs them."""
    language = check_language(lang or current_language())
    chosen = library if library is not None else _library()
    with language_override(language):
        return tuple(
            ProvisionRef(
                citation=citation_text(item.instrument, provision, language, mark_unverified=False),
                categories=tuple(str(category) for category in provision.categories),
                instrument=item.instrument.id,
                article=provision.article,
                instrument_title=_instrument_name(item, language),
                source=provision.source or item.instrument.source,
                verified=is_verified(item.instrument, provision),
                binding=item.binding,
                standing=_standing(item),
                binds_from=item.binds_from,
            )
            for item in applicable_instruments(chosen, host_country)
            for provision in item.instrument.provisions
        )


def _instrument_name(item: Applicable, language: str) -> str:
    """The instrument as a citation names it (with its date, for a dated agreement)."""
    probe = Provision("x", "Art. 1", item.instrument.title, (), True)
    return citation_text(item.instrument, probe, language, mark_unverified=False).removesuffix(
        ", " + article_text("Art. 1", language)
    )


def _standing(item: Applicable) -> str:
    """Why a standard binds nobody here: "international standard: <ratifications>"; for an
    ILO or UN instrument the host ratified, that it binds the host (an agreement's parties
    need no such word); for either, that the day it began to bind is not recorded, when not."""
    if item.binding:
        if item.binds_from is None:
            return since_not_recorded()
        return _("binding on the host country") if item.instrument.is_multilateral else ""
    ratifications = ratification_label(item)
    if not ratifications:
        return basis_label(item.basis)
    return _("international standard: {ratifications}").format(ratifications=ratifications)


def _finding_to_json(finding: Finding) -> dict[str, object]:
    return {
        "rule": finding.rule,
        "level": finding.level,
        "reason": finding.reason,
        "references": list(finding.reference_labels),
        # Each reference with its source, so the stored review can show where to check it.
        "citations": [
            {
                "key": r.key,
                "text": r.text,
                "source": r.source,
                "verified": r.verified,
                "standing": r.standing,
            }
            for r in finding.references
        ],
        "ilo_indicators": list(finding.ilo_indicators),
    }


def _finding_from_json(data: Mapping[str, Any]) -> Finding:
    citations = data.get("citations")
    if isinstance(citations, list):
        references = tuple(
            Reference(
                key=str(c.get("key", "")),
                text=str(c.get("text", "")),
                source=str(c.get("source", "")),
                verified=bool(c.get("verified", False)),
                standing=str(c.get("standing", "")),
            )
            for c in citations
            if isinstance(c, dict)
        )
    else:
        # Reviews stored before sources were kept: the labels as they were written.
        references = tuple(Reference(str(r), str(r)) for r in data.get("references", ()))
    return Finding(
        str(data.get("rule", "")),
        str(data.get("level", "ok")),
        str(data.get("reason", "")),
        references,
        tuple(str(i) for i in data.get("ilo_indicators", ())),
    )


class ContractReviewService:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    # -- reviewing without saving (the form's live findings) --------------------------------

    def parse(
        self,
        data: Mapping[str, object] | ContractTerms,
        host_country: str | None = None,
        *,
        of_case: bool = False,
        names: Mapping[str, str] | None = None,
    ) -> ContractTerms:
        """Checked terms; ``host_country`` (a case's, or the form's) fills or must match;
        ``names``: how a refusal names each field (the form's labels; codes otherwise)."""
        if isinstance(data, ContractTerms):
            data = terms_to_dict(data)
        if not isinstance(data, Mapping):
            raise ValidationError(_("Contract terms must be a JSON object."))
        given = data.get("host_country")
        # parse_terms words a mismatch with a case's country itself.
        if (
            not of_case
            and host_country
            and given
            and str(given).strip().upper() != host_country.strip().upper()
        ):
            raise ValidationError(
                _(
                    "host_country {given} differs from the contract review's host country {host}."
                ).format(given=quoted(given), host=host_country.strip().upper()),
                field="host_country",
            )
        terms = parse_terms(data, host_country=host_country or None, names=names)
        # At entry only: a stored review re-read with such an amount must still open.
        for amount, currency, field in (
            (terms.wage_amount, terms.wage_currency, "wage_amount"),
            (
                terms.recruitment_fee_paid_by_worker,
                terms.recruitment_fee_currency,
                "recruitment_fee_paid_by_worker",
            ),
        ):
            if amount is not None and currency:
                check_minor_units(amount, currency, field)
        if terms.host_country is None:
            raise ValidationError(
                _("The host country is required for a contract review."), field="host_country"
            )
        return terms

    def preview(
        self,
        data: Mapping[str, object] | ContractTerms,
        host_country: str | None = None,
        names: Mapping[str, str] | None = None,
    ) -> tuple[ContractTerms, ReviewResult]:
        """The findings the terms would get, in the current language; nothing is stored."""
        terms = self.parse(data, host_country, names=names)
        assert terms.host_country is not None
        return terms, self._run_review(terms)

    # -- starting points --------------------------------------------------------------------

    def walk_in_subject(self) -> ReviewSubject:
        """A review for a worker who walks in: at a mission, of work in its own country
        (nearly always: the officer changes it for the others); at HQ, no country."""
        mission = self.ws.mission
        own = mission.country if not mission.is_hq and mission.country in HOST_COUNTRIES else ""
        return ReviewSubject(host_country=own)

    def subject_for_case(self, case_id: str) -> ReviewSubject:
        """Host country, worker and employer of a case, to pre-fill a new review."""
        with self.ws.read() as session:
            case = self._case(session, case_id)
            # An anonymised case no longer leads to its person (another case may keep them).
            kept = case.anonymised_at is None
            person = session.get(Person, case.person_id) if kept else None
            employer = session.get(Employer, case.employer_id) if case.employer_id else None
            return ReviewSubject(
                host_country=case.host_country,
                case_id=case.id,
                case_number=case.number,
                person_id=case.person_id if kept else None,
                person_name=_person_name(person),
                employer_name=employer.name if employer else "",
            )

    def case_id_for_number(self, number: str) -> str:
        with self.ws.read() as session:
            return self._case_by_number(session, number).id

    # -- saving -----------------------------------------------------------------------------

    def save(
        self,
        data: Mapping[str, object] | ContractTerms,
        *,
        case_id: str | None = None,
        person_id: str | None = None,
        host_country: str | None = None,
        flag_case_indicators: bool = True,
    ) -> ContractReviewInfo:
        """Review the terms and store the review (audited); attached to a case if given."""
        self.ws.require_role(*REVIEWERS)
        with self.ws.write() as session:
            case = self._case(session, case_id) if case_id else None
            if case is not None:
                # Its workplace and terms would be new facts about an anonymised worker.
                refuse_anonymised(case)
                if person_id and person_id != case.person_id:
                    raise ValidationError(
                        _("The worker chosen is not the worker of case {number}.").format(
                            number=case.number
                        ),
                        field="person_id",
                    )
                if host_country and host_country.strip().upper() != case.host_country:
                    raise ValidationError(
                        _(
                            "host_country {given} differs from the case's host country {case}."
                        ).format(given=host_country.strip().upper(), case=case.host_country),
                        field="host_country",
                    )
                person_id = case.person_id
                host_country = case.host_country
            elif person_id:
                self._person(session, person_id)
            terms = self.parse(data, host_country, of_case=case is not None)
            assert terms.host_country is not None
            result = self._run_review(terms, session)
            row = ContractReview(
                case_id=case.id if case else None,
                person_id=person_id,
                host_country=terms.host_country,
                terms=terms_to_dict(terms),
                findings=[_finding_to_json(f) for f in result.findings],
                ilo_indicators=list(result.ilo_indicators),
                risk=result.risk,
                reviewed_by=self.ws.actor.username,
                reviewed_at=datetime.now(UTC),
            )
            session.add(row)
            session.flush()
            flagged: list[str] = []
            if case is not None:
                flagged = self._record_on_case(session, case, row.id, result, flag_case_indicators)
            self.ws.audit(
                session,
                "contract.review",
                "contract_review",
                row.id,
                {
                    "case": case.number if case else None,
                    "host_country": terms.host_country,
                    "risk": result.risk,
                    "ilo_indicators": list(result.ilo_indicators),
                    "flagged_on_case": flagged,
                    "language": current_language(),
                },
            )
            return self._info(session, row)

    def _record_on_case(
        self, session: Session, case: Case, review_id: str, result: ReviewResult, flag: bool
    ) -> list[str]:
        """A timeline entry, and the revealed ILO indicators the case did not have yet."""
        present = {i.code for i in case.ilo_indicators}
        new = [code for code in result.ilo_indicators if code not in present] if flag else []
        for code in new:
            case.ilo_indicators.append(CaseIloIndicator(code=code))
        params: dict[str, object] = {"risk": result.risk}
        if new:
            params["indicators"] = list(new)
        add_case_event(
            session,
            case.id,
            EventKind.SYSTEM,
            self.ws.actor.username,
            # The review id lets the timeline link the entry to the review.
            data={**event_data(SystemEvent.CONTRACT_REVIEWED, **params), "review_id": review_id},
        )
        # Child rows do not dirty the case itself; bundles travel by the case's version.
        case.updated_at = datetime.now(UTC)
        session.flush()
        search.index_cases(session, [case.id])
        return new

    # -- reading ----------------------------------------------------------------------------

    def get(self, review_id: str) -> ContractReviewInfo:
        with self.ws.read() as session:
            return self._info(session, self._review(session, review_id))

    def review_id_for(self, reference: str) -> str:
        """``reference`` as a stored review's id: itself, or a case number's latest review
        (scripts name cases by number, as every other command does)."""
        with self.ws.read() as session:
            row = session.get(ContractReview, reference)
            if row is not None and row.deleted_at is None:
                return row.id
            case = session.execute(
                select(Case).where(
                    Case.number == search.case_number_typed(reference), Case.deleted_at.is_(None)
                )
            ).scalar_one_or_none()
            if case is None:
                raise NotFound(
                    _("No contract review or case {reference}.").format(reference=reference)
                )
            latest = session.scalars(
                select(ContractReview.id)
                .where(ContractReview.case_id == case.id, ContractReview.deleted_at.is_(None))
                .order_by(ContractReview.reviewed_at.desc())
                .limit(1)
            ).first()
            if latest is None:
                raise NotFound(
                    _("Case {number} has no saved contract review.").format(number=case.number)
                )
            return latest

    def list_reviews(
        self,
        *,
        case_id: str | None = None,
        person_id: str | None = None,
        limit: int = 100,
    ) -> list[ContractReviewInfo]:
        """Newest first; for one case or one worker when given."""
        query = where_given(
            select(ContractReview).where(ContractReview.deleted_at.is_(None)),
            (ContractReview.case_id, case_id),
            (ContractReview.person_id, person_id),
        )
        query = query.order_by(ContractReview.reviewed_at.desc()).limit(max(1, min(limit, 1000)))
        with self.ws.read() as session:
            return [self._info(session, row) for row in session.execute(query).scalars()]

    # -- the report -------------------------------------------------------------------------

    def report_pdf(self, review_id: str, lang: str, today: date | None = None) -> PrintedPdf:
        """The review as a PDF in ``lang`` for the worker and the file (export is audited).

        Findings are written again in ``lang`` from the stored terms, so one review can be
        handed to the worker in Kazakh and filed in Russian.
        """
        # Imported here: reportlab is heavy and only the report needs it.
        from app.contracts.report import ReviewReport, render_review_report

        _known_language(lang)
        with self.ws.write() as session:
            info = self._info(session, self._review(session, review_id))
            mission = letterhead(session)
            reviewer = session.execute(
                select(User).where(User.username == info.reviewed_by)
            ).scalar_one_or_none()
            # Named as the letters name them: in Latin letters in English, in Cyrillic otherwise.
            officer = user_name(reviewer, lang) if reviewer else info.reviewed_by_name
            person = session.get(Person, info.person_id) if info.person_id else None
            worker = person_name(person, lang) if person else info.person_name
            self.ws.audit(
                session,
                "contract.report",
                "contract_review",
                info.id,
                {"language": lang, "case": info.case_number},
            )
        report = ReviewReport(
            mission=mission,
            terms=info.terms,
            provisions=self._provisions(info.host_country, lang),
            reference=self.host_reference(info.terms),
            worker_name=worker,
            case_number=info.case_number,
            officer_name=officer,
            reviewed_on=info.reviewed_at.date(),
            printed_on=today or date.today(),
        )
        return render_review_report(report, lang)

    def unsaved_report_pdf(
        self,
        data: Mapping[str, object] | ContractTerms,
        host_country: str | None,
        lang: str,
        today: date | None = None,
    ) -> PrintedPdf:
        """HQ's check of terms as a PDF in ``lang``, marked as saved in no case (export is
        audited). HQ keeps no reviews (the missions holding the cases do), yet an analyst
        sends the findings on: the button stayed disabled there, waiting for a save."""
        from app.contracts.report import ReviewReport, render_review_report

        self.ws.require_role(*HQ_ROLES)
        _known_language(lang)
        terms = self.parse(data, host_country)
        assert terms.host_country is not None
        actor = self.ws.actor
        with self.ws.write() as session:
            mission = letterhead(session)
            me = session.execute(
                select(User).where(User.username == actor.username)
            ).scalar_one_or_none()
            officer = user_name(me, lang) if me else actor.full_name or actor.username
            self.ws.audit(
                session,
                "contract.report",
                "contract_review",
                "",
                {"language": lang, "saved": False, "host_country": terms.host_country},
            )
        day = today or date.today()
        report = ReviewReport(
            mission=mission,
            terms=terms,
            provisions=self._provisions(terms.host_country, lang),
            reference=self.host_reference(terms),
            worker_name="",
            case_number=None,
            officer_name=officer,
            reviewed_on=day,
            printed_on=day,
            saved=False,
        )
        return render_review_report(report, lang)

    # -- the law a review applies -----------------------------------------------------------

    def _provisions(
        self, country: str, lang: str | None = None, session: Session | None = None
    ) -> tuple[ProvisionRef, ...]:
        """The applicable provisions from the library in the database (HQ's latest), or the
        shipped one before anyone opened the library; pass ``session`` to read inside the
        caller's transaction. A review never writes the library itself."""
        if session is None:
            with self.ws.read() as own:
                library = _stored_library(own)
        else:
            library = _stored_library(session)
        return applicable_provisions(country, lang, library)

    def host_reference(
        self, terms: ContractTerms, session: Session | None = None
    ) -> HostCountryReference | None:
        """The host's figures valid on the contract's date (today's when it is not given),
        from the newest host-country table (HQ's, or the shipped one)."""
        table = host_table(self.ws, session)
        return reference_for(terms.host_country, table.data, on=terms.signed_on)

    def _run_review(self, terms: ContractTerms, session: Session | None = None) -> ReviewResult:
        assert terms.host_country is not None
        return review(
            terms,
            self._provisions(terms.host_country, session=session),
            self.host_reference(terms, session),
        )

    # -- helpers ----------------------------------------------------------------------------

    def _info(self, session: Session, row: ContractReview) -> ContractReviewInfo:
        case = session.get(Case, row.case_id) if row.case_id else None
        # A review of an anonymised case names no one: its worker may be another case's.
        person_id = None if case is not None and case.anonymised_at is not None else row.person_id
        person = session.get(Person, person_id) if person_id else None
        user = session.execute(
            select(User).where(User.username == row.reviewed_by)
        ).scalar_one_or_none()
        findings = tuple(_finding_from_json(f) for f in row.findings or ())
        _risk, reasons = rate_risk(findings)
        # Stored terms were checked when saved; read them back without the case's country.
        terms = parse_terms(dict(row.terms or {}))
        if terms.host_country is None:
            terms = replace(terms, host_country=row.host_country)
        return ContractReviewInfo(
            id=row.id,
            version=row.version,
            case_id=row.case_id,
            case_number=case.number if case else None,
            person_id=person_id,
            person_name=_person_name(person),
            host_country=row.host_country,
            terms=terms,
            findings=findings,
            risk=row.risk,
            risk_reasons=reasons,
            ilo_indicators=tuple(str(i) for i in row.ilo_indicators or ()),
            reviewed_by=row.reviewed_by,
            reviewed_by_name=(user.full_name if user and user.full_name else row.reviewed_by),
            reviewed_at=row.reviewed_at,
        )

    @staticmethod
    def _case(session: Session, case_id: str | None) -> Case:
        return live_row(session, Case, case_id, _("No such case."))

    @staticmethod
    def _case_by_number(session: Session, number: str) -> Case:
        typed = search.case_number_typed(number)
        row = session.execute(
            select(Case).where(Case.number == typed, Case.deleted_at.is_(None))
        ).scalar_one_or_none()
        if row is None:
            raise NotFound(_("No case numbered {number}.").format(number=number))
        return row

    @staticmethod
    def _person(session: Session, person_id: str) -> Person:
        return live_row(session, Person, person_id, _("No such person."))

    @staticmethod
    def _review(session: Session, review_id: str) -> ContractReview:
        return live_row(session, ContractReview, review_id, _("No such contract review."))


def _stored_library(session: Session) -> Library:
    if session.execute(select(Agreement.id).where(Agreement.deleted_at.is_(None)).limit(1)).first():
        return library_from_db(session)[0]
    return _library()


def _person_name(person: Person | None) -> str:
    if person is None:
        return ""
    return " ".join(p for p in (person.surname, person.given_names, person.patronymic) if p)


def _known_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValidationError(
            _("Unknown language {lang}; expected one of: {valid}.").format(
                lang=lang, valid=", ".join(LANGUAGES)
            ),
            field="lang",
        )
