"""Letters that ask and say only what fits the worker's situation: a dead worker's employer is
asked to pay the family, a minor's consent is a representative's, a case handed away is not
written for here, an anonymised case takes no sender's name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import update

from app.db.models import Case
from app.domain.iin import make_iin
from app.errors import PermissionDenied
from app.i18n import language_override
from app.letters import Addressee
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterService
from app.services.records import CaseChanges, CaseDetail
from app.services.workspace import Workspace
from tests.unit.test_letter_case_fit import add_ankara_embassy, render
from tests.unit.test_letter_wording import LANGS, TODAY, make_case, people

__all__ = ["people"]  # the fixture, shared with the wording tests

# What an employer of a living worker is asked, that makes no sense of a dead one.
TO_THE_WORKER = {
    "ru": ("выплатить работнику", "вернуть работнику", "обеспечить безопасные условия труда",
           "обеспечить безопасность работника"),
    "kk": ("жұмыскерге 6", "құжаттарын өзіне қайтаруды", "қауіпсіз еңбек жағдайларын",
           "жұмыскердің қауіпсіздігін"),
    "en": ("pay the worker ", "return the worker's identity documents",
           "ensure safe working conditions", "ensure the worker's safety"),
}  # fmt: skip
TO_THE_FAMILY = {
    "ru": (
        "семье работника либо Посольству для передачи семье",
        "передать удерживаемые документы, удостоверяющие личность работника, его семье либо "
        "Посольству для передачи семье",
        "указать известные Вам обстоятельства смерти работника",
    ),
    "kk": (
        "жұмыскердің отбасына не оларға табыстау үшін Елшілікке төлеуді",
        "жұмыскердің ұсталып отырған жеке басын куәландыратын құжаттарын оның отбасына не "
        "оларға табыстау үшін Елшілікке беруді",
        "жұмыскердің қайтыс болуының Сізге белгілі мән-жайын көрсетуді",
    ),
    "en": (
        "to the worker's family, or to the Embassy to be passed on to them",
        "hand the worker's identity documents to the worker's family, or to the Embassy to be "
        "passed on to them",
        "state the circumstances of the worker's death known to you",
    ),
}
DEAD_WORKERS_CASE = (
    "death_repatriation",
    "unpaid_wages",
    "documents_withheld",
    "unsafe_conditions",
    "violence",
)


@pytest.mark.parametrize("lang", LANGS)
def test_a_dead_workers_employer_is_asked_to_pay_and_hand_over_to_the_family(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: the employer of a worker recorded dead was asked to «выплатить работнику
    6 600 000 KRW», to «вернуть работнику удерживаемые документы» and to «обеспечить
    безопасные условия труда» — of a dead man. Wages and documents now go to the family, or
    to the Embassy for it; what would keep a living worker safe is not asked."""
    case = make_case(people, "female", "KR")
    CaseService(people["aigul"], today=TODAY).update_case(
        case.id, CaseChanges(categories=DEAD_WORKERS_CASE)
    )
    requests = (
        LetterService(people["aigul"], today=TODAY)
        .defaults(case.id, "employer_letter", lang)
        .requests
    )
    assert requests is not None
    for wrong in TO_THE_WORKER[lang]:
        assert wrong not in requests, (wrong, requests)
    for right in TO_THE_FAMILY[lang]:
        assert right in requests, (right, requests)
    assert "KRW" in requests, requests  # the amount claimed, with its figure
    letter = render(people, case.id, "employer_letter", lang)
    assert TO_THE_FAMILY[lang][2] in letter, letter
    # A living worker's employer is still asked to pay the worker and keep them safe.
    CaseService(people["aigul"], today=TODAY).update_case(
        case.id, CaseChanges(categories=DEAD_WORKERS_CASE[1:])
    )
    living = LetterService(people["aigul"], today=TODAY).defaults(case.id, "employer_letter", lang)
    assert all(asked in (living.requests or "") for asked in TO_THE_WORKER[lang]), living


def another_woman(people: dict[str, Workspace]) -> CaseDetail:
    """An adult woman, not the girl of the same test (whose passport would make her a
    duplicate)."""
    return make_case(
        people,
        "female",
        "KR",
        iin=make_iin(date(1990, 5, 2), "female", 5127),
        birth_date=date(1990, 5, 2),
        passport_no="N55501234",
        surname="Сейітова",
        given_names="Дана",
        patronymic="",
        surname_latin="SEITOVA",
        given_names_latin="DANA",
    )


# A referral of a girl of 16, with consent on file: whose consent it is.
MINORS_CONSENT = {
    "ru": ("Направление выдано с согласия законного представителя заявительницы.",
           "Направление выдано с согласия заявительницы."),
    "kk": ("Жолдама өтініш берушінің заңды өкілінің келісімімен берілді.",
           "Жолдама өтініш берушінің келісімімен берілді."),
    "en": ("This referral is made with the consent of her legal representative.",
           "This referral is made with her consent."),
}  # fmt: skip


@pytest.mark.parametrize("lang", LANGS)
def test_a_referral_of_a_minor_is_made_with_her_representatives_consent(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: a shelter was sent a girl of 16 «с согласия заявительницы» — a child's own
    consent, which the law does not take; the case does not record who gave it, so the letter
    says it was her legal representative's. An adult's referral keeps her own consent."""
    child = make_case(people, "female", "KR", birth_date=date(2010, 4, 2), iin=None)
    adult = another_woman(people)
    representative, own = MINORS_CONSENT[lang]
    for_child = render(people, child.id, "referral", lang)
    assert representative in for_child and own not in for_child, for_child
    for_adult = render(people, adult.id, "referral", lang)
    assert own in for_adult and representative not in for_adult, for_adult


# Whom the partner is asked to contact about a girl of 16, and about an adult woman.
WHOM_TO_CONTACT = {
    "ru": ("свяжетесь с заявительницей или её законным представителем и",
           "свяжетесь с заявительницей и"),
    "kk": ("Өтініш берушімен немесе оның заңды өкілімен хабарласып,",
           "Өтініш берушімен хабарласып,"),
    "en": ("contact her or her legal representative and", "contact her and"),
}  # fmt: skip


@pytest.mark.parametrize("lang", LANGS)
def test_a_referral_of_a_minor_asks_to_contact_her_or_her_representative(
    people: dict[str, Workspace], lang: str
) -> None:
    """The fault: a shelter was asked to «свяжетесь с заявительницей» of a girl of 16 alone,
    though the referral says her legal representative consented and acts for her. An adult's
    referral asks to contact her only."""
    child = make_case(people, "female", "KR", birth_date=date(2010, 4, 2), iin=None)
    adult = another_woman(people)
    with_representative, her_alone = WHOM_TO_CONTACT[lang]
    for_child = render(people, child.id, "referral", lang)
    assert with_representative in for_child, for_child
    for_adult = render(people, adult.id, "referral", lang)
    assert her_alone in for_adult and with_representative not in for_adult, for_adult


HANDED_AWAY = (
    "Case {number} is handled by another mission now (Embassy of the Republic of Kazakhstan in "
    "the Republic of Türkiye): headquarters transferred it there, and letters about it are "
    "written there, not here."
)


def test_no_letter_is_written_on_a_case_this_mission_handed_away(
    people: dict[str, Workspace],
) -> None:
    """The fault: HQ transferred a case from this mission to the Embassy in Ankara, and the
    copy kept here still drafted letters; a certificate from it said this Embassy "is
    assisting" a worker another mission now assists. Every way to a new letter is refused,
    naming the mission that holds the case; nothing is written."""
    case = make_case(people, "female", "KR")
    service = LetterService(people["aigul"], today=TODAY)
    assert service.new_letter_refusal(case.id) == ""
    kept = service.draft(case.id, "employer_letter", "ru")  # drafted before the transfer
    with people["admin"].write() as session:
        add_ankara_embassy(session)
        session.execute(update(Case).where(Case.id == case.id).values(holder_mission="ANK"))
    said = HANDED_AWAY.format(number=case.number)
    assert service.new_letter_refusal(case.id) == said
    fields = LetterFields(addressee=Addressee("", "Migrant Workers Centre", "Seoul"))
    attempts: list[Callable[[], object]] = [
        lambda: service.defaults(case.id, "assistance_certificate", "ru"),
        lambda: service.preview_for_case(case.id, "assistance_certificate", "ru", fields),
        lambda: service.checks_for_case(case.id, "referral", "en", fields),
        lambda: service.draft(case.id, "assistance_certificate", "kk", fields),
        lambda: service.update_draft(kept.id, LetterFields(subject="Another subject")),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert str(refused.value) == said
    assert [info.id for info in service.list_letters()] == [kept.id]  # nothing new written
    # The mission named in the user's language.
    with language_override("ru"):
        refusal = service.new_letter_refusal(case.id)
    assert "Посольство Республики Казахстан в Турецкой Республике" in refusal, refusal


def test_a_draft_left_from_before_a_transfer_is_a_record_only(
    people: dict[str, Workspace],
) -> None:
    """The fault: drafts made before HQ transferred the case to Ankara could still be
    previewed, saved, approved, issued (numbered in this mission's register) and discarded
    here. Each is refused with the same words; the draft stays as it was, unnumbered."""
    case = make_case(people, "female", "KR")
    fields = LetterFields(addressee=Addressee("", "Migrant Workers Centre", "Seoul"))
    drafter = LetterService(people["aigul"], today=TODAY)
    consul = LetterService(people["serik"], today=TODAY)
    draft = drafter.draft(case.id, "referral", "ru", fields)
    approved = drafter.draft(case.id, "employer_letter", "en")
    consul.approve(approved.id)
    with people["admin"].write() as session:
        add_ankara_embassy(session)
        session.execute(update(Case).where(Case.id == case.id).values(holder_mission="ANK"))
    said = HANDED_AWAY.format(number=case.number)
    before = {info.id: (info.status, info.version) for info in drafter.list_letters()}
    attempts: list[Callable[[], object]] = [
        lambda: drafter.render_preview(draft.id),
        lambda: consul.render_preview(approved.id),
        lambda: consul.approve(draft.id),
        lambda: consul.issue(approved.id),
        lambda: drafter.issue(approved.id),
        lambda: drafter.discard(draft.id),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert str(refused.value) == said
    after = drafter.list_letters()
    assert {info.id: (info.status, info.version) for info in after} == before
    assert all(info.outgoing_number is None and info.held_elsewhere for info in after)
    assert drafter.get(draft.id).held_elsewhere
