# ruff: noqa: E501
"""The letter's facts and requests, pre-filled in its language from the case's data.

A letter never prints the case description as typed (it may be in another language): the
officer gets these paragraphs, written from the categories, dates and amounts claimed, and
edits them. Every phrase here is listed, with its review status, in
``resources/letters/PHRASES.md``; change both together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from app.domain.claims import Claim
from app.domain.kk_dates import kk_period
from app.i18n import format_date
from app.letters.grammar import Sex

# Per category: ru (male, female, neither known), kk, en (male, female, neither known); the
# third speaks of "the worker" («работник»), never guessing a sex that nothing records.
# ``other`` has no phrase on purpose: a letter does not demand or assert an unnamed "other
# breach". "@": what the employer does
# (one subject for all); "!": a sentence of its own, not in the worker's words (a worker who
# is missing or has died reports nothing: «По её словам, … не могут установить её
# местонахождение» quoted the missing woman).
_FACTS: dict[str, tuple[tuple[str, str, str], str, tuple[str, str, str]]] = {
    "unpaid_wages": (
        ("@не выплачивает ему заработную плату", "@не выплачивает ей заработную плату", "@не выплачивает заработную плату"),
        "@оған жалақы төлемейді",
        ("@does not pay his wages", "@does not pay her wages", "@does not pay the wages owed"),
    ),
    "documents_withheld": (
        ("@удерживает его паспорт", "@удерживает её паспорт", "@удерживает паспорт работника"),
        "@оның паспортын ұстап отыр",
        ("@is holding his passport", "@is holding her passport", "@is holding the worker's passport"),
    ),
    "no_contract": (
        ("письменный трудовой договор с ним не заключён", "письменный трудовой договор с ней не заключён", "письменный трудовой договор с работником не заключён"),
        "онымен жазбаша еңбек шарты жасалмаған",
        ("he has no written employment contract", "she has no written employment contract", "the worker has no written employment contract"),
    ),
    "contract_substitution": (
        ("условия его работы не соответствуют договору, подписанному до выезда", "условия её работы не соответствуют договору, подписанному до выезда", "условия работы не соответствуют договору, подписанному до выезда"),
        "оның жұмыс жағдайлары елден шыққанға дейін қол қойылған шартқа сәйкес келмейді",
        ("his terms of work differ from the contract he signed before departure", "her terms of work differ from the contract she signed before departure", "the worker's terms of work differ from the contract signed before departure"),
    ),
    "unjustified_dismissal": (
        ("он уволен без законных оснований", "она уволена без законных оснований", "увольнение произведено без законных оснований"),
        "ол заңды негізсіз жұмыстан шығарылған",
        ("he was dismissed without lawful grounds", "she was dismissed without lawful grounds", "the worker was dismissed without lawful grounds"),
    ),
    "excessive_hours": (
        ("продолжительность его рабочего времени превышает установленную, сверхурочная работа не оплачивается", "продолжительность её рабочего времени превышает установленную, сверхурочная работа не оплачивается", "продолжительность рабочего времени превышает установленную, сверхурочная работа не оплачивается"),
        "оның жұмыс уақыты белгіленген нормадан асады, үстеме жұмыс төленбейді",
        ("his working hours exceed the legal limit and overtime is not paid", "her working hours exceed the legal limit and overtime is not paid", "the worker's working hours exceed the legal limit and overtime is not paid"),
    ),
    "unsafe_conditions": (
        ("условия его труда не отвечают требованиям безопасности", "условия её труда не отвечают требованиям безопасности", "условия труда не отвечают требованиям безопасности"),
        "оның еңбек жағдайлары қауіпсіздік талаптарына сай емес",
        ("his working conditions do not meet safety requirements", "her working conditions do not meet safety requirements", "the worker's working conditions do not meet safety requirements"),
    ),
    "violence": (
        ("в отношении него применялось насилие", "в отношении неё применялось насилие", "в отношении работника применялось насилие"),
        "оған қатысты күш қолданылған",
        ("he has been subjected to violence", "she has been subjected to violence", "the worker has been subjected to violence"),
    ),
    "sexual_abuse": (
        ("он подвергся сексуальным домогательствам", "она подверглась сексуальным домогательствам", "в отношении работника допускались сексуальные домогательства"),
        "ол жыныстық қысымға ұшыраған",
        ("he has been subjected to sexual harassment", "she has been subjected to sexual harassment", "the worker has been subjected to sexual harassment"),
    ),
    "restriction_of_freedom": (
        ("его свобода передвижения ограничена", "её свобода передвижения ограничена", "свобода передвижения работника ограничена"),
        "оның еркін жүріп-тұруы шектелген",
        ("his freedom of movement is restricted", "her freedom of movement is restricted", "the worker's freedom of movement is restricted"),
    ),
    "wage_discrimination": (
        ("за ту же работу ему платят меньше, чем местным работникам", "за ту же работу ей платят меньше, чем местным работникам", "оплата труда работника ниже, чем у местных работников, выполняющих ту же работу"),
        "сол жұмыс үшін оған жергілікті жұмыскерлерге қарағанда аз төленеді",
        ("he is paid less than local workers for the same work", "she is paid less than local workers for the same work", "the worker is paid less than local workers for the same work"),
    ),
    "recruitment_fees": (
        ("за трудоустройство с него взята плата", "за трудоустройство с неё взята плата", "за трудоустройство с работника взята плата"),
        "жұмысқа орналастырғаны үшін одан ақы алынған",
        ("he was charged a fee for his placement", "she was charged a fee for her placement", "the worker was charged a fee for the placement"),
    ),
    "trafficking_forced_labour": (
        ("имеются признаки принудительного труда", "имеются признаки принудительного труда", "имеются признаки принудительного труда"),
        "мәжбүрлі еңбектің белгілері бар",
        ("there are indications of forced labour", "there are indications of forced labour", "there are indications of forced labour"),
    ),
    "detention": (
        ("он задержан", "она задержана", "работник задержан"),
        "ол ұсталған",
        ("he has been detained", "she has been detained", "the worker has been detained"),
    ),
    "illness_injury": (
        ("он нуждается в медицинской помощи в связи с болезнью или травмой", "она нуждается в медицинской помощи в связи с болезнью или травмой", "работник нуждается в медицинской помощи в связи с болезнью или травмой"),
        "ол ауруына немесе жарақатына байланысты медициналық көмекке мұқтаж",
        ("he needs medical care for an illness or injury", "she needs medical care for an illness or injury", "the worker needs medical care for an illness or injury"),
    ),
    "death_repatriation": (
        ("!По поступившим сведениям, он скончался; требуется содействие в репатриации тела", "!По поступившим сведениям, она скончалась; требуется содействие в репатриации тела", "!По поступившим сведениям, наступила смерть работника; требуется содействие в репатриации тела"),
        "!Түскен мәліметтер бойынша, ол қайтыс болған; мәйітін елге жеткізуге жәрдем қажет",
        ("!According to information received, he has died, and assistance is needed to repatriate his remains", "!According to information received, she has died, and assistance is needed to repatriate her remains", "!According to information received, the worker has died, and assistance is needed to repatriate the remains"),
    ),
    "whereabouts_unknown": (
        ("!Родственники не могут установить его местонахождение", "!Родственники не могут установить её местонахождение", "!Родственники не могут установить местонахождение работника"),
        "!Туыстары оның қайда екенін анықтай алмай отыр",
        ("!His relatives cannot establish his whereabouts", "!Her relatives cannot establish her whereabouts", "!The worker's relatives cannot establish where the worker is"),
    ),
}  # fmt: skip

# The same, of a worker who has died (``death_repatriation``): what the employer did is past
# («не выплачивал», not «не выплачивает»). Categories missing here read the same in the past.
# Russian "{a}" agrees the verb with the subject: «работодатель не выплачивал», «Ваша
# компания не выплачивала».
_FACTS_PAST: dict[str, tuple[tuple[str, str, str], str, tuple[str, str, str]]] = {
    "unpaid_wages": (
        ("@не выплачивал{a} ему заработную плату", "@не выплачивал{a} ей заработную плату", "@не выплачивал{a} заработную плату"),
        "@оған жалақы төлемеген",
        ("@did not pay his wages", "@did not pay her wages", "@did not pay the wages owed"),
    ),
    "documents_withheld": (
        ("@удерживал{a} его паспорт", "@удерживал{a} её паспорт", "@удерживал{a} паспорт работника"),
        "@оның паспортын ұстап отырған",
        ("@was holding his passport", "@was holding her passport", "@was holding the worker's passport"),
    ),
    "no_contract": (
        ("письменный трудовой договор с ним не был заключён", "письменный трудовой договор с ней не был заключён", "письменный трудовой договор с работником не был заключён"),
        "онымен жазбаша еңбек шарты жасалмаған",
        ("he had no written employment contract", "she had no written employment contract", "the worker had no written employment contract"),
    ),
    "contract_substitution": (
        ("условия его работы не соответствовали договору, подписанному до выезда", "условия её работы не соответствовали договору, подписанному до выезда", "условия работы не соответствовали договору, подписанному до выезда"),
        "оның жұмыс жағдайлары елден шыққанға дейін қол қойылған шартқа сәйкес келмеген",
        ("his terms of work differed from the contract he signed before departure", "her terms of work differed from the contract she signed before departure", "the worker's terms of work differed from the contract signed before departure"),
    ),
    "unjustified_dismissal": (
        ("он был уволен без законных оснований", "она была уволена без законных оснований", "увольнение было произведено без законных оснований"),
        "ол заңды негізсіз жұмыстан шығарылған",
        ("he was dismissed without lawful grounds", "she was dismissed without lawful grounds", "the worker was dismissed without lawful grounds"),
    ),
    "excessive_hours": (
        ("продолжительность его рабочего времени превышала установленную, сверхурочная работа не оплачивалась", "продолжительность её рабочего времени превышала установленную, сверхурочная работа не оплачивалась", "продолжительность рабочего времени превышала установленную, сверхурочная работа не оплачивалась"),
        "оның жұмыс уақыты белгіленген нормадан асқан, үстеме жұмыс төленбеген",
        ("his working hours exceeded the legal limit and overtime was not paid", "her working hours exceeded the legal limit and overtime was not paid", "the worker's working hours exceeded the legal limit and overtime was not paid"),
    ),
    "unsafe_conditions": (
        ("условия его труда не отвечали требованиям безопасности", "условия её труда не отвечали требованиям безопасности", "условия труда не отвечали требованиям безопасности"),
        "оның еңбек жағдайлары қауіпсіздік талаптарына сай болмаған",
        ("his working conditions did not meet safety requirements", "her working conditions did not meet safety requirements", "the worker's working conditions did not meet safety requirements"),
    ),
    "violence": (
        ("в отношении него применялось насилие", "в отношении неё применялось насилие", "в отношении работника применялось насилие"),
        "оған қатысты күш қолданылған",
        ("he was subjected to violence", "she was subjected to violence", "the worker was subjected to violence"),
    ),
    "sexual_abuse": (
        ("он подвергся сексуальным домогательствам", "она подверглась сексуальным домогательствам", "в отношении работника допускались сексуальные домогательства"),
        "ол жыныстық қысымға ұшыраған",
        ("he was subjected to sexual harassment", "she was subjected to sexual harassment", "the worker was subjected to sexual harassment"),
    ),
    "restriction_of_freedom": (
        ("его свобода передвижения была ограничена", "её свобода передвижения была ограничена", "свобода передвижения работника была ограничена"),
        "оның еркін жүріп-тұруы шектелген",
        ("his freedom of movement was restricted", "her freedom of movement was restricted", "the worker's freedom of movement was restricted"),
    ),
    "wage_discrimination": (
        ("за ту же работу ему платили меньше, чем местным работникам", "за ту же работу ей платили меньше, чем местным работникам", "оплата труда работника была ниже, чем у местных работников, выполнявших ту же работу"),
        "сол жұмыс үшін оған жергілікті жұмыскерлерге қарағанда аз төленген",
        ("he was paid less than local workers for the same work", "she was paid less than local workers for the same work", "the worker was paid less than local workers for the same work"),
    ),
    "trafficking_forced_labour": (
        ("имелись признаки принудительного труда", "имелись признаки принудительного труда", "имелись признаки принудительного труда"),
        "мәжбүрлі еңбектің белгілері болған",
        ("there were indications of forced labour", "there were indications of forced labour", "there were indications of forced labour"),
    ),
    "detention": (
        ("он был задержан", "она была задержана", "работник был задержан"),
        "ол ұсталған",
        ("he had been detained", "she had been detained", "the worker had been detained"),
    ),
    "illness_injury": (
        ("он нуждался в медицинской помощи в связи с болезнью или травмой", "она нуждалась в медицинской помощи в связи с болезнью или травмой", "работник нуждался в медицинской помощи в связи с болезнью или травмой"),
        "ол ауруына немесе жарақатына байланысты медициналық көмекке мұқтаж болған",
        ("he needed medical care for an illness or injury", "she needed medical care for an illness or injury", "the worker needed medical care for an illness or injury"),
    ),
}  # fmt: skip

# The order a letter tells things in: money and documents first, as the taxonomy lists them.
_ORDER: tuple[str, ...] = tuple(
    [
        "unpaid_wages",
        "documents_withheld",
        "no_contract",
        "contract_substitution",
        "unjustified_dismissal",
        "excessive_hours",
        "unsafe_conditions",
        "violence",
        "sexual_abuse",
        "restriction_of_freedom",
        "wage_discrimination",
        "recruitment_fees",
        "trafficking_forced_labour",
        "detention",
        "illness_injury",
        "death_repatriation",
        "whereabouts_unknown",
        "other",
    ]
)

# What an employer is asked to do, per category: ru, kk, en (the worker named as "работник").
_DEMANDS: dict[str, tuple[str, str, str]] = {
    "unpaid_wages": (
        "погасить задолженность по заработной плате перед работником",
        "жұмыскердің жалақы бойынша берешегін өтеуді",
        "pay the worker the wages owed",
    ),
    "documents_withheld": (
        "вернуть работнику удерживаемые документы, удостоверяющие личность",
        "жұмыскердің ұсталып отырған жеке басын куәландыратын құжаттарын өзіне қайтаруды",
        "return the worker's identity documents",
    ),
    "no_contract": (
        "заключить с работником письменный трудовой договор и выдать ему экземпляр",
        "жұмыскермен жазбаша еңбек шартын жасасып, оның бір данасын беруді",
        "conclude a written employment contract with the worker and give the worker a copy",
    ),
    "contract_substitution": (
        "соблюдать условия трудового договора, подписанного до выезда работника",
        "жұмыскер елден шыққанға дейін қол қойылған еңбек шартының талаптарын сақтауды",
        "honour the terms of the contract the worker signed before departure",
    ),
    "unjustified_dismissal": (
        "пересмотреть решение об увольнении работника либо произвести с ним полный расчёт",
        "жұмыскерді жұмыстан шығару туралы шешімді қайта қарауды не онымен толық есеп айырысуды",
        "reconsider the worker's dismissal or settle all sums due on termination",
    ),
    "excessive_hours": (
        "соблюдать установленную законом продолжительность рабочего времени и оплатить сверхурочную работу",
        "заңда белгіленген жұмыс уақытының ұзақтығын сақтауды және үстеме жұмысқа ақы төлеуді",
        "keep to the statutory working hours and pay for overtime worked",
    ),
    "unsafe_conditions": (
        "обеспечить безопасные условия труда",
        "қауіпсіз еңбек жағдайларын қамтамасыз етуді",
        "ensure safe working conditions",
    ),
    "violence": (
        "принять меры к прекращению насилия и обеспечить безопасность работника",
        "күш қолдануды тоқтату шараларын қабылдап, жұмыскердің қауіпсіздігін қамтамасыз етуді",
        "stop the violence and ensure the worker's safety",
    ),
    "sexual_abuse": (
        "принять меры к прекращению домогательств и обеспечить безопасность работника",
        "қысым көрсетуді тоқтату шараларын қабылдап, жұмыскердің қауіпсіздігін қамтамасыз етуді",
        "stop the harassment and ensure the worker's safety",
    ),
    "restriction_of_freedom": (
        "не ограничивать свободу передвижения работника",
        "жұмыскердің еркін жүріп-тұруын шектемеуді",
        "not restrict the worker's freedom of movement",
    ),
    "wage_discrimination": (
        "обеспечить работнику равную оплату за равный труд",
        "жұмыскерге тең еңбекке тең ақы төлеуді қамтамасыз етуді",
        "pay the worker equal pay for equal work",
    ),
    "recruitment_fees": (
        "вернуть работнику плату, взятую за трудоустройство",
        "жұмыскерден жұмысқа орналастырғаны үшін алынған ақыны қайтаруды",
        "refund the fee charged to the worker for the placement",
    ),
    # What an employer can tell of a worker nobody can find: the search starts from there.
    "whereabouts_unknown": (
        # «указать», «көрсетуді»: the letter's last request already says «сообщить», «хабарлауды».
        "указать, когда работник в последний раз был на работе и выходил на связь, известные Вам адрес его проживания и контактные данные, а также с кем он ушёл, если это Вам известно",
        "жұмыскердің жұмыста соңғы рет қашан болғанын және соңғы рет қашан хабарласқанын, Сізге белгілі тұрғылықты мекенжайы мен байланыс деректерін, сондай-ақ белгілі болса, кіммен бірге кеткенін көрсетуді",
        "state when the worker was last at work and last in touch, give the worker's address and contact details known to you, and say whom the worker left with, if you know",
    ),
    "illness_injury": (
        "обеспечить работнику необходимую медицинскую помощь",
        "жұмыскерге қажетті медициналық көмекті қамтамасыз етуді",
        "provide the worker with the medical care needed",
    ),
}
# What an employer is asked to do of a worker who has died: money and documents go to the
# family, or to the mission for the family ("{m}": the mission in the dative); what would
# keep a living worker safe or employed is not asked. Categories missing here ask nothing.
_DEMANDS_DECEASED: dict[str, tuple[str, str, str]] = {
    "unpaid_wages": (
        "выплатить задолженность по заработной плате работника его семье либо {m} для передачи семье",
        "жұмыскердің жалақы бойынша берешегін оның отбасына не оларға табыстау үшін {m} төлеуді",
        "pay the wages owed to the worker to the worker's family, or to the {m} to be passed on to them",
    ),
    "documents_withheld": (
        "передать удерживаемые документы, удостоверяющие личность работника, его семье либо {m} для передачи семье",
        "жұмыскердің ұсталып отырған жеке басын куәландыратын құжаттарын оның отбасына не оларға табыстау үшін {m} беруді",
        "hand the worker's identity documents to the worker's family, or to the {m} to be passed on to them",
    ),
    "unjustified_dismissal": (
        "выплатить суммы, причитавшиеся работнику при прекращении трудового договора, его семье либо {m} для передачи семье",
        "еңбек шарты тоқтатылған кезде жұмыскерге тиесілі сомаларды оның отбасына не оларға табыстау үшін {m} төлеуді",
        "pay the sums due to the worker on the end of employment to the worker's family, or to the {m} to be passed on to them",
    ),
    "recruitment_fees": (
        "вернуть плату, взятую с работника за трудоустройство, его семье либо {m} для передачи семье",
        "жұмыскерден жұмысқа орналастырғаны үшін алынған ақыны оның отбасына не оларға табыстау үшін {m} қайтаруды",
        "refund the fee charged to the worker for the placement to the worker's family, or to the {m} to be passed on to them",
    ),
    # «указать», «көрсетуді»: the letter's last request already says «сообщить», «хабарлауды».
    "death_repatriation": (
        "указать известные Вам обстоятельства смерти работника",
        "жұмыскердің қайтыс болуының Сізге белгілі мән-жайын көрсетуді",
        "state the circumstances of the worker's death known to you",
    ),
}
# What an employer is asked to do of a worker nobody can find: tell what it knows, keep what
# is the worker's for the worker (or hand it to the mission for them) and pass on any news;
# nothing is paid or handed to the worker, whom nobody can reach ("{m}": the mission, dative).
_DEMANDS_MISSING: dict[str, tuple[str, str, str]] = {
    "whereabouts_unknown": _DEMANDS["whereabouts_unknown"],
    "unpaid_wages": (
        "сохранить для работника задолженность по его заработной плате либо выплатить её {m} для передачи работнику",
        "жұмыскердің жалақы бойынша берешегін ол үшін сақтауды не жұмыскерге табыстау үшін {m} төлеуді",
        "hold the wages owed to the worker for the worker, or pay them to the {m} to be passed on to the worker",
    ),
    "documents_withheld": (
        "сохранить документы работника, удостоверяющие личность, либо передать их {m}",
        "жұмыскердің жеке басын куәландыратын құжаттарын сақтауды не оларды {m} беруді",
        "keep the worker's identity documents safe, or hand them to the {m}",
    ),
    "unjustified_dismissal": (
        "сохранить для работника суммы, причитающиеся ему при прекращении трудового договора, либо выплатить их {m} для передачи работнику",
        "еңбек шарты тоқтатылған кезде жұмыскерге тиесілі сомаларды ол үшін сақтауды не жұмыскерге табыстау үшін {m} төлеуді",
        "hold the sums due to the worker on the end of employment for the worker, or pay them to the {m} to be passed on to the worker",
    ),
    "recruitment_fees": (
        "сохранить для работника плату, взятую с него за трудоустройство, либо вернуть её {m} для передачи работнику",
        "жұмыскерден жұмысқа орналастырғаны үшін алынған ақыны ол үшін сақтауды не жұмыскерге табыстау үшін {m} қайтаруды",
        "hold the fee charged to the worker for the placement for the worker, or refund it to the {m} to be passed on to the worker",
    ),
    "restriction_of_freedom": _DEMANDS["restriction_of_freedom"],
}  # fmt: skip
# An amount claimed for a worker nobody can find: "{c}" the amount, "{m}" the mission (dative).
_HOLD_FOR_THE_WORKER = (
    "сохранить для работника {c} либо выплатить эту сумму {m} для передачи работнику",
    "{c} жұмыскер үшін сақтауды не жұмыскерге табыстау үшін {m} төлеуді",
    "hold {c} for the worker, or pay it to the {m} to be passed on to the worker",
)
# The last request on a worker nobody can find, before the term to report back: any news of
# them goes to the mission and the police («передать», «беруді»: not the term's «сообщить»).
_PASS_ON_NEWS = (
    "незамедлительно передать {m} и полиции любые сведения о местонахождении работника, которые станут Вам известны",
    "жұмыскердің қайда екені туралы Сізге белгілі болған кез келген мәліметті {m} және полицияға дереу беруді",
    "pass on to the {m} and the police at once anything you learn of the worker's whereabouts",
)
# An amount claimed for a worker who has died: "{c}" the amount, "{m}" the mission (dative).
_PAY_THE_FAMILY = (
    "выплатить {c} семье работника либо {m} для передачи семье",
    "{c} жұмыскердің отбасына не оларға табыстау үшін {m} төлеуді",
    "pay {c} to the worker's family, or to the {m} to be passed on to them",
)
# Categories that are a matter for the authorities, not something an employer is asked to do.
_CLAIM_LABELS: dict[str, tuple[str, str, str]] = {
    "wages": ("невыплаченная заработная плата", "төленбеген жалақы", "unpaid wages"),
    "overtime": ("неоплаченная сверхурочная работа", "төленбеген үстеме жұмыс", "unpaid overtime"),
    "severance": ("расчёт при увольнении", "жұмыстан шығарған кездегі есеп айырысу", "final settlement on dismissal"),
    "deductions": ("незаконные удержания из заработной платы", "жалақыдан заңсыз ұсталған сомалар", "unlawful deductions from wages"),
    "recruitment_fee": ("плата за трудоустройство", "жұмысқа орналастыру ақысы", "recruitment fee charged"),
    "compensation": ("возмещение вреда здоровью", "денсаулыққа келтірілген зиянның өтемі", "compensation for injury"),
}  # fmt: skip
_LANG_INDEX = {"ru": 0, "kk": 1, "en": 2}


def claim_label(what: str, lang: str) -> str:
    return _CLAIM_LABELS[what][_LANG_INDEX[lang]]


def _en_date(value: date) -> str:
    return format_date(value, "d MMMM y", "en")


def claim_text(claim: Claim, lang: str, money: str, numeric: Callable[[date], str]) -> str:
    """«6 600 000 KRW (невыплаченная заработная плата за период с 01.06.2026 по 31.08.2026)»."""
    what = claim_label(claim.what, lang)
    if claim.period_from is not None and claim.period_to is not None:
        start, end = numeric(claim.period_from), numeric(claim.period_to)
        what = {
            "ru": f"{what} за период с {start} по {end}",
            # Kazakh running text says the months in words (DOMAIN.md, date forms).
            "kk": f"{kk_period(claim.period_from, claim.period_to)} кезеңдегі {what}",
            # Months in words: "01.06.2026" reads as 6 January in the United States.
            "en": f"{what} for the period from {_en_date(claim.period_from)} to "
            f"{_en_date(claim.period_to)}",
        }[lang]
    return f"{money} ({what})"


# The lead of the facts when the worker cannot have spoken (the forms: male, female, unknown).
_RELATIVES_LEAD = {
    "ru": ("По словам его родственников, ", "По словам её родственников, ",
           "По словам родственников работника, "),
    "kk": ("Туыстарының айтуынша, ",),
    "en": ("According to his relatives, ", "According to her relatives, ",
           "According to the worker's relatives, "),
}  # fmt: skip


def default_facts(
    categories: tuple[str, ...],
    sex: Sex | None,
    lang: str,
    claims: tuple[str, ...] = (),
    to_the_employer: bool = False,
    search_opened: bool = False,
) -> str:
    """The facts paragraph: what the worker reports, then the amounts claimed. A letter to the
    employer speaks of it as "your company", not of "the employer" in the third person.
    ``search_opened``: the letter opens with the relatives' search, so the facts do not
    say it again (an employer letter does)."""
    form = {"male": 0, "female": 1, None: 2}[sex]
    # Of a worker who has died, the employer's failings are told in the past.
    table = {**_FACTS, **_FACTS_PAST} if "death_repatriation" in categories else _FACTS
    clauses: list[str] = []
    employer_does: list[str] = []  # what "the employer" does: one subject, joined by "and"
    reported: list[str] = []  # what others report (relatives, information received)
    for code in sorted(categories, key=_ORDER.index):
        phrase = table.get(code)
        if phrase is None or ((to_the_employer or search_opened) and code == "whereabouts_unknown"):
            continue  # the letter opens with the relatives' search: not said twice
        ru, kk, en = phrase
        text = {"ru": ru[form], "kk": kk, "en": en[form]}[lang]
        if text.startswith("@"):
            employer_does.append(text[1:])
        elif text.startswith("!"):
            reported.append(text[1:] + ".")
        else:
            clauses.append(text)
    if employer_does:
        subjects = (
            {"ru": "Ваша компания", "kk": "Сіздің компанияңыз", "en": "your company"}
            if to_the_employer
            else {"ru": "работодатель", "kk": "жұмыс беруші", "en": "the employer"}
        )
        subject = subjects[lang]
        # «Ваша компания не выплачивала», «работодатель не выплачивал»: only past verbs agree.
        ending = "а" if to_the_employer else ""
        employer_does = [clause.replace("{a}", ending) for clause in employer_does]
        conjunction = {"ru": " и ", "kk": " және ", "en": " and "}[lang]
        joined = ", ".join(employer_does[:-1])
        joined = (joined + conjunction if joined else "") + employer_does[-1]
        clauses.insert(0, f"{subject} {joined}")
    paragraphs: list[str] = []
    sentences: list[str] = []
    if clauses:
        lead = {
            "ru": ("По его словам, ", "По её словам, ", "По словам работника, ")[form],
            "kk": "Оның айтуынша, ",
            # Not "According to the worker, the worker was dismissed": the clauses of a worker
            # of no known sex name "the worker" themselves.
            "en": ("According to him, ", "According to her, ", "According to the complaint, ")[
                form
            ],
        }[lang]
        # A worker who is dead or missing told the mission nothing: their relatives did.
        if {"death_repatriation", "whereabouts_unknown"} & set(categories):
            lead = _RELATIVES_LEAD[lang][form if lang != "kk" else 0]
        sentences.append(lead + "; ".join(clauses) + ".")
    if sentences or reported:
        paragraphs.append(" ".join(sentences + reported))
    if claims:
        lead = {
            "ru": "Сумма требований работника: ",
            "kk": "Жұмыскердің талап ететін сомасы: ",
            "en": "The worker claims ",
        }[lang]
        if {"death_repatriation", "whereabouts_unknown"} & set(categories):
            # Not "the worker claims": a worker missing or dead claims nothing; others do.
            lead = {
                "ru": "Сумма требований, заявленных в интересах работника: ",
                "kk": "Жұмыскердің атынан талап етілетін сома: ",
                "en": "The sum claimed on the worker's behalf: ",
            }[lang]
        paragraphs.append(lead + "; ".join(claims) + ".")
    return "\n\n".join(paragraphs)


def closing_request(lang: str, days: int, mission_dative: str) -> str:
    """The employer letter's last request: tell the mission what was done, within a term."""
    return {
        "ru": f"в течение {days} календарных дней со дня получения настоящего письма "
        f"письменно сообщить {mission_dative} о принятых мерах",
        "kk": f"осы хатты алған күннен бастап {days} күнтізбелік күн ішінде қабылданған "
        f"шаралар туралы {mission_dative} жазбаша хабарлауды",
        "en": f"inform the {mission_dative} in writing of the measures taken within {days} "
        "calendar days of receiving this letter",
    }[lang]


def employer_owes(
    claims: tuple[tuple[str, str], ...], agency_took_fee: bool
) -> tuple[tuple[str, str], ...]:
    """The amounts claimed (kind, text) that an employer letter says the employer owes.

    A recruitment fee taken by an agency is the agency's to refund: an employer letter neither
    demands it nor lists it among the worker's claims, or the employer reads it as owed by them
    (the agency report tells the Ministry of it)."""
    return tuple(c for c in claims if not (agency_took_fee and c[0] == "recruitment_fee"))


# Kinds of claim that are wages owed: with one, the amount claimed says what
# "pay the wages owed" would, with the figure.
_WAGE_CLAIMS = frozenset({"wages", "overtime", "severance", "deductions"})


def default_demands(
    categories: tuple[str, ...],
    claims: tuple[tuple[str, str], ...],
    lang: str,
    agency_took_fee: bool = False,
    mission_dative: str = "",
) -> list[str]:
    """The employer letter's requests, one per item; amounts claimed come first.

    ``claims``: (kind, text written out) of each amount claimed. Each thing is demanded once:
    an amount claimed replaces the category's general demand. A recruitment fee is demanded of
    the employer only when no recruitment agency is on the case (``agency_took_fee``): a fee
    taken by an agency is the agency's to refund, and the agency report says so to the
    authority that licenses it. Of a worker who has died (``death_repatriation``), money and
    documents are asked for the family, or for ``mission_dative`` to pass on to it."""
    index = _LANG_INDEX[lang]
    deceased = "death_repatriation" in categories
    missing = not deceased and "whereabouts_unknown" in categories
    owed = [text for _what, text in employer_owes(claims, agency_took_fee)]
    items: list[str] = []
    if missing:  # what the employer knows comes first: the search starts from there
        items.append(_DEMANDS_MISSING["whereabouts_unknown"][index])
    if deceased or missing:
        pay = (_PAY_THE_FAMILY if deceased else _HOLD_FOR_THE_WORKER)[index]
        items += [pay.format(c=c, m=mission_dative) for c in owed]
    else:
        items += [
            {
                "ru": f"выплатить работнику {c}",
                "kk": f"жұмыскерге {c} төлеуді",
                "en": f"pay the worker {c}",
            }[lang]
            for c in owed
        ]
    demands = _DEMANDS_DECEASED if deceased else _DEMANDS_MISSING if missing else _DEMANDS
    kinds = {what for what, _text in claims}
    for code in sorted(categories, key=_ORDER.index):
        if code == "unpaid_wages" and kinds & _WAGE_CLAIMS:
            continue  # the amounts claimed already say it, with the figure
        if code == "recruitment_fees" and ("recruitment_fee" in kinds or agency_took_fee):
            continue  # claimed above with its figure, or not the employer's to refund
        if code == "unjustified_dismissal" and (deceased or missing) and kinds & {"severance"}:
            continue  # the settlement is claimed above with its figure
        if code == "whereabouts_unknown" and missing:
            continue  # asked first
        if code in demands:
            items.append(demands[code][index].format(m=mission_dative))
    if missing:
        items.append(_PASS_ON_NEWS[index].format(m=mission_dative))
    return items
