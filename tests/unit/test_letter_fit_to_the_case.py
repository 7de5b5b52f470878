"""Letters that ask and say only what fits the worker's situation: a dead worker's employer is
asked to pay the family, a minor's consent is a representative's, a case handed away is not
written for here, an anonymised case takes no sender's name."""

from __future__ import annotations

import pytest

from app.services.cases import CaseService
from app.services.letters import LetterService
from app.services.records import CaseChanges
from app.services.workspace import Workspace
from tests.unit.test_letter_case_fit import render
from tests.unit.test_letter_wording import LANGS, TODAY, make_case, people

__all__ = ["people"]  # the fixture, shared with the wording tests

# What an employer of a living worker is asked, that makes no sense of a dead one.
TO_THE_WORKER = {
    "ru": ("выплатить работнику", "вернуть работнику", "обеспечить безопасные условия труда",
           "обеспечить безопасность работника"),
    "kk": ("жұмыскерге 6", "жұмыскерге ұсталып", "қауіпсіз еңбек жағдайларын",
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
        "жұмыскердің отбасына не отбасына табыстау үшін Елшілікке төлеуді",
        "ұсталып отырған жұмыскердің жеке басын куәландыратын құжаттарын оның отбасына не "
        "отбасына табыстау үшін Елшілікке беруді",
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
