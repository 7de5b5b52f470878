"""Reference material for the demo mission: names, employers, agencies, places.

Names are ordinary Kazakh names in Cyrillic; their passport spelling is produced by
``passport_latin`` the way Kazakhstani passports print them (ICAO 9303 style).
"""

from __future__ import annotations

from typing import NamedTuple

from app.domain.codes import Role
from app.domain.passport_latin import to_passport_latin


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Given names as Kazakhstani passports carry them: Kazakh names, and the Russian ones many
# Kazakhstani citizens (of every background) bear. Search results on a demo mission are only
# as realistic as this variety: 23 surname stems made every query match thousands of cases.
MALE_NAMES = _words(
    """
    Нұрлан Ерлан Қайрат Дәулет Бақытжан Ғалымжан Асқар Ержан Серік Мұрат Азамат Арман Данияр
    Тимур Жандос Әлібек Өмірзақ Нұрсұлтан Бауыржан Ақжол Ілияс Еркебұлан Мейіржан Тоқтар Айдос
    Шыңғыс Абай Абылай Әділ Айбек Айдар Айбол Ақылбек Алмас Алтынбек Әлібай Амангелді Аманжол
    Әділет Әділбек Әлихан Әуез Бағдат Бақыт Балтабай Бейбіт Бекзат Бекжан Болат Дастан Дархан
    Дидар Думан Ғабит Ғани Ерасыл Ербол Ерболат Ерғали Ердос Еркін Ермек Ерназар Жақсылық
    Жалғас Жанболат Жасұлан Жомарт Зейнолла Ибраһим Исатай Қанат Қасымхан Қуаныш Құрманғазы
    Қыдырбек Марат Мақсат Медет Мейрам Мирас Мұхтар Нариман Нұрбол Нұрдәулет Нұрлыбек Олжас
    Оралхан Өркен Рауан Руслан Рахат Сағындық Сәкен Самат Санжар Сапар Сұлтан Сырым Талғат
    Тамерлан Темірлан Тұрар Ұлан Ұлықбек Шәкен Шерхан Ырысбек Ысқақ Әмір Бекболат Жеңіс Елдос
    Нұржан Арыстан Ильяс Ескендір Бердібек Мұхамеджан Жанат Қалдыбек Нұрым Әлішер
    Александр Алексей Андрей Антон Артём Борис Вадим Валерий Виктор Виталий Владимир
    Владислав Вячеслав Геннадий Георгий Григорий Денис Дмитрий Евгений Егор Иван Игорь Илья
    Кирилл Константин Леонид Максим Михаил Никита Николай Олег Павел Пётр Роман Сергей
    Станислав Степан Юрий Ярослав Василий Анатолий Эдуард Рустам Ринат Ренат
    """
)
FEMALE_NAMES = _words(
    """
    Әсел Айгүл Жанар Ұлжан Сәуле Гүлнар Шынар Үміт Іңкәр Мәдина Айнұр Динара Әйгерім Назерке
    Ақмарал Жұлдыз Салтанат Қарлығаш Аружан Балжан Гүлмира Мөлдір Перизат Томирис Айжан Айым
    Айсұлу Ақбөпе Ақерке Ақтоты Алма Алтынай Анар Асылзат Әсем Балнұр Бибігүл Ботагөз
    Гүлжан Гүлназ Гүлсара Дана Дариға Әлия Жазира Жаңыл Жібек Жансая Зарина Зәуре Зейнеп
    Индира Камила Қымбат Ләззат Майра Мақпал Меруерт Мейрамгүл Назгүл Назым Нұргүл Нұрсұлу
    Райхан Роза Сабина Сандуғаш Сара Сымбат Талшын Толқын Тоғжан Ұлбосын Ұлдана Шолпан Эльмира
    Ырысты Бағила Күләш Дильназ Аида Айдана Аяулым Көркем Гауһар Ақниет Баян Дәмеш Жадыра
    Қаламқас Күлпаш Несібелі Райгүл Сақыпжамал Тамара Ұлпан Фариза Хадиша Әмина
    Анастасия Анна Валентина Валерия Вера Виктория Галина Дарья Евгения Екатерина Елена
    Ирина Кристина Ксения Лариса Людмила Марина Мария Надежда Наталья Нина Оксана Ольга
    Светлана София Татьяна Юлия Яна Алёна Полина Лилия Гульнара Альфия Венера
    """
)


class Surname(NamedTuple):
    male: str
    female: str


def _declined(stem: str) -> Surname:
    """A Kazakh stem with the Russian-style ending: -ов/-ев for a man, -ова/-ева for a woman."""
    if stem.endswith("й"):  # Серікбай → Серікбаев
        male = stem[:-1] + "ев"
    else:
        male = stem + ("ев" if stem[-1] in "иіаеы" else "ов")
    return Surname(male, male + "а")


def _feminine(male: str) -> Surname:
    """A Russian surname in -ов/-ев/-ёв/-ин: the woman's form adds -а."""
    return Surname(male, male + "а")


# Kazakh stems (Әбен → Әбенов / Әбенова).
_KAZAKH_STEMS = _words(
    """
    Әбен Ахмет Серікбай Қасым Жұмабай Нұрмағамбет Хасен Омар Бекмұхамбет Төлеген Сейіт Мұқан
    Исабек Жақып Оспан Құдайберген Тұрсын Әлімжан Байжан Ермек Сәрсенбай Досжан Абдрахман
    Абдулла Әбдіқадыр Әбілқасым Айтбай Ақыл Алдаберген Әлмағамбет Аманжол Асан Асқар Атабай
    Бабақұмар Байғали Бақыт Балтабай Батырхан Бейсен Бекқали Бекмағамбет Бердібек Боранбай
    Бұқар Дәулетбай Дүйсен Ерғали Ержан Есенжол Есім Жақсылық Жанғали Жолдас Жүсіп Ибраим
    Игібай Иманғали Исмағұл Қабдол Қадыр Қайыр Қали Қалмақ Қаныш Қожахмет Құлмағамбет Құрман
    Құсайын Мақаш Мамырбай Мейрам Мұсабек Мұхамеджан Нағыман Нұрпейіс Оразбай Оспанқұл Өтеміс
    Рахым Сағындық Садық Сапар Сарсен Сатыбалды Сейітқали Сембай Смағұл Сұлтанбек Сүлеймен
    Тайжан Темірбек Тілеу Тоқтар Төлеу Тұрар Үмбетәлі Шәкен Шәріп Ысқақ Есенбай Жұмаділ Кенже
    Көпбай Мырзахмет Нұрғали Тоқаш Ұзақ Шалқар Әділ Бекжан Жанұзақ Мұқаш Рысқұл Сыздық Тұрысбек
    Қуаныш Жетпісбай Әбдіхалық Байзақ Дәркенбай Ермағанбет Жәнібек Қоңырбай Ахметжан Байтұрсын
    Дастан Жақан Ілияс Қойшыбай Мұратбек Нұрбек Орынбай Сәдуақас Тасболат Әубәкір
    Байбол Бекет Дайырбек Елубай Жаманқұл Ізбасар Қыдыр Майлыбай Нияз Оңғар Рамазан Сейдахмет
    """
)
# Russian surnames borne in Kazakhstan (Иванов / Иванова).
_RUSSIAN = _words(
    """
    Иванов Петров Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков Фёдоров Морозов
    Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев
    Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев
    Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин
    Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов
    Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов
    Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин
    Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Быков Маслов Родионов
    Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов
    Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов
    Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев
    Акимов Кондратьев Бирюков Горбунов Анисимов Галкин Лукьянов Михеев Скворцов Юдин Белоусов
    Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Логинов Горшков Савин Краснов
    """
)
# Surnames with one form for both (Korean, Ukrainian, German families of Kazakhstan).
_INVARIABLE = _words(
    "Ким Пак Цой Ли Хан Тен Шевченко Бондаренко Ковальчук Мельник Ткаченко Шульц Вагнер Мюллер"
)
SURNAMES: tuple[Surname, ...] = (
    *(_declined(stem) for stem in _KAZAKH_STEMS),
    *(_feminine(name) for name in _RUSSIAN),
    *(Surname(name, name) for name in _INVARIABLE),
)
# Patronymic-style surnames (-ұлы / -қызы) as many Kazakhs now register them.
PATRONYMIC_STEMS = _words(
    """
    Құрманғали Серік Нұрлан Ерғали Темірбек Асқар Бақыт Жұмабек Қайрат Мұрат Болат Ерлан
    Сәрсен Дәулет Ғалым Талғат Қанат Марат Бауыржан Омар Жандос Әлібек Мейрам Арман
    """
)

# (country, city, employer names, labour authority)
EMPLOYERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "KR": (
        ("Seoul", "Incheon", "Ansan", "Busan", "Hwaseong"),
        (
            "Daesung Precision Co., Ltd",
            "Hanil Agro Farm",
            "Seoyeon Fisheries",
            "Mirae Construction Co.",
            "Gwangmyeong Auto Parts",
            "Jeil Food Processing",
        ),
    ),
    "TR": (
        ("Istanbul", "Antalya", "Ankara", "Bursa"),
        (
            "Example İnşaat Ltd",
            "Akdeniz Otelcilik A.Ş.",
            "Boğaziçi Tekstil",
            "Yıldız Lojistik",
            "Kaya Tarım Ürünleri",
        ),
    ),
    "AE": (
        ("Dubai", "Abu Dhabi", "Sharjah"),
        (
            "Al Noor Facilities Management LLC",
            "Gulf Star Hospitality",
            "Desert Rose Cleaning",
            "Emirates Build Contracting",
        ),
    ),
    "RU": (
        ("Moscow", "Saint Petersburg", "Novosibirsk", "Yekaterinburg"),
        (
            "ООО «СтройМонтаж»",
            "ООО «Северный склад»",
            "АО «Агрохолдинг Заречье»",
            "ООО «Клининг Плюс»",
        ),
    ),
    "DE": (
        ("Berlin", "Munich", "Hamburg"),
        ("Spargelhof Müller GbR", "Bau & Service GmbH", "Pflegedienst Sonnenschein"),
    ),
    "GB": (
        ("London", "Kent", "Lincolnshire"),
        ("Greenfield Growers Ltd", "Kent Orchards & Co", "Fenland Harvest Ltd"),
    ),
    "US": (
        ("New York", "Chicago", "Miami"),
        ("Atlantic Seafood Processing Inc.", "Midwest Trucking LLC", "Sunshine Home Care"),
    ),
    "IL": (("Tel Aviv", "Haifa"), ("Galil Agricultural Co-op", "Carmel Care Services")),
    "QA": (("Doha", "Al Wakrah"), ("Pearl Gulf Contracting W.L.L.", "Doha Hospitality Services")),
    "KG": (("Bishkek", "Osh"), ("ОсОО «Ала-Тоо Курулуш»", "ОсОО «Бишкек Текстиль»")),
}
# The employers' industries as ISIC Rev. 4 section letters (Employer.sector).
EMPLOYER_SECTORS = {
    "Daesung Precision Co., Ltd": "C",
    "Hanil Agro Farm": "A",
    "Seoyeon Fisheries": "A",
    "Mirae Construction Co.": "F",
    "Gwangmyeong Auto Parts": "C",
    "Jeil Food Processing": "C",
    "Example İnşaat Ltd": "F",
    "Akdeniz Otelcilik A.Ş.": "I",
    "Boğaziçi Tekstil": "C",
    "Yıldız Lojistik": "H",
    "Kaya Tarım Ürünleri": "A",
    "Al Noor Facilities Management LLC": "N",
    "Gulf Star Hospitality": "I",
    "Desert Rose Cleaning": "N",
    "Emirates Build Contracting": "F",
    "ООО «СтройМонтаж»": "F",
    "ООО «Северный склад»": "H",
    "АО «Агрохолдинг Заречье»": "A",
    "ООО «Клининг Плюс»": "N",
    "Spargelhof Müller GbR": "A",
    "Bau & Service GmbH": "F",
    "Pflegedienst Sonnenschein": "Q",
    "Greenfield Growers Ltd": "A",
    "Kent Orchards & Co": "A",
    "Fenland Harvest Ltd": "A",
    "Atlantic Seafood Processing Inc.": "C",
    "Midwest Trucking LLC": "H",
    "Sunshine Home Care": "Q",
    "Galil Agricultural Co-op": "A",
    "Carmel Care Services": "Q",
    "Pearl Gulf Contracting W.L.L.": "F",
    "Doha Hospitality Services": "I",
    "ОсОО «Ала-Тоо Курулуш»": "F",
    "ОсОО «Бишкек Текстиль»": "C",
}
# The missions' clocks, for the demo's working hours (standard time; summer time ignored).
UTC_OFFSET_HOURS = {
    "KR": 9,
    "KZ": 5,
    "KG": 6,
    "AE": 4,
    "QA": 3,
    "TR": 3,
    "RU": 3,
    "IL": 2,
    "DE": 1,
    "GB": 0,
    "US": -5,
}
COUNTRY_WEIGHTS = {
    "KR": 34,
    "TR": 14,
    "AE": 10,
    "RU": 14,
    "DE": 6,
    "GB": 5,
    "US": 4,
    "IL": 3,
    "QA": 4,
    "KG": 6,
}
# A large mission's long tail of employers (issue 17: the pickers list every employer of the
# country, and a demo of 300,000 cases had six in Korea): one per TAIL_CASES_PER_EMPLOYER
# cases from TAIL_FROM_CASES on, in the mission's host country, none with a case yet. Each name
# is a district, a stem and a trade, so that no two share a matching key (a legal form would
# not tell them apart: "Sejin Steel Co., Ltd." is "SEJIN STEEL").
TAIL_FROM_CASES = 10_000
TAIL_CASES_PER_EMPLOYER = 60
TAIL_NAME_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "KR": (
        (
            "Ansan",
            "Siheung",
            "Hwaseong",
            "Gimpo",
            "Pyeongtaek",
            "Cheonan",
            "Gimhae",
            "Changwon",
            "Pocheon",
            "Icheon",
        ),
        (
            "Sejin",
            "Taeyang",
            "Hanbit",
            "Dongyang",
            "Shinil",
            "Haesung",
            "Woojin",
            "Kukje",
            "Daewon",
            "Samhwa",
            "Jinyang",
            "Sungwoo",
            "Myungjin",
            "Daehan",
            "Kyungin",
            "Namyang",
            "Seoil",
            "Hwajin",
            "Boseong",
            "Youngjin",
        ),
        (
            "Steel",
            "Precision",
            "Food",
            "Agro",
            "Fisheries",
            "Logistics",
            "Textile",
            "Electronics",
            "Plastics",
            "Auto Parts",
            "Construction",
            "Packaging",
            "Metal",
            "Chemical",
            "Furniture",
            "Printing",
            "Foundry",
            "Poultry",
            "Greenhouse",
            "Recycling",
        ),
        "Co., Ltd.",
    ),
}
AGENCIES = (
    ("Jol Recruitment LLP", "KZ"),
    ("Eurasia Staffing ТОО", "KZ"),
    ("Almaty Job Abroad ТОО", "KZ"),
    ("Korea Work Visa Center", "KZ"),
    ("Global Jumys ТОО", "KZ"),
    ("Istanbul Career Bridge", "TR"),
    ("Gulf Manpower Supply", "AE"),
    ("Seoul Human Resources Co.", "KR"),
)


class DemoPartner(NamedTuple):
    """A partner organisation of the demo, with where a referral letter is addressed."""

    name: str
    kind: str
    country: str
    city: str
    address: str  # street and district, as the host writes it; the city and state follow
    phone: str


# Street addresses are made up for the demo's made-up organisations; the two real services
# (Türkiye's 157 line for foreigners, Dubai's foundation) get only their city and hotline.
PARTNERS = (
    DemoPartner(
        "Korea Migrant Workers' Support Centre",
        "ngo",
        "KR",
        "Seoul",
        "12 Gamasan-ro 27-gil, Guro-gu",
        "+82 2 863 6622",
    ),
    DemoPartner(
        "Ansan Migrant Shelter",
        "shelter",
        "KR",
        "Ansan",
        "45 Wongok-ro, Danwon-gu",
        "+82 31 492 8785",
    ),
    DemoPartner(
        "Kim & Lee Labour Law Office",
        "lawyer",
        "KR",
        "Seoul",
        "7F, 14 Seocho-daero 74-gil, Seocho-gu",
        "+82 2 3476 0512",
    ),
    DemoPartner("Göç İdaresi Yardım Hattı 157", "hotline", "TR", "Ankara", "", "157"),
    DemoPartner("Dubai Foundation for Women and Children", "shelter", "AE", "Dubai", "", "800 111"),
    DemoPartner(
        "Центр помощи мигрантам «Ласточка»",
        "ngo",
        "RU",
        "Москва",
        "ул. Садовая-Спасская, д. 20, стр. 1, 107078",
        "+7 495 607 3214",
    ),
)
OFFICERS = (
    ("aigerim", "Әйгерім Сейітова", Role.ATTACHE),
    ("nurlan", "Нұрлан Әбенов", Role.ATTACHE),
    ("daulet", "Дәулет Қасымов", Role.ATTACHE),
    ("consul", "Серік Жұмабаев", Role.CONSUL),
)

# Position titles per role as the demo's letters print them: (kk, ru, en).
POSITIONS = {Role.CONSUL: ("Консул", "Консул", "Consul")}

# The complaint as an officer records it; in Russian, as most missions keep their files.
DESCRIPTIONS = {
    "unpaid_wages": "Зарплата не выплачивается {n} мес.; работодатель обещает заплатить «на "
    "следующей неделе».",
    "documents_withheld": "Работодатель держит паспорт «для регистрации» и отказывается его "
    "вернуть.",
    "no_contract": "Работает без письменного договора; нанят по телефону через знакомого.",
    "contract_substitution": "Договор, подписанный в Казахстане, отличается от выданного по "
    "приезде: зарплата ниже, рабочий день длиннее.",
    "unjustified_dismissal": "Уволен без предупреждения после просьбы оплатить сверхурочные.",
    "excessive_hours": "Работает {h} ч в неделю, семь дней, без оплаты сверхурочных.",
    "unsafe_conditions": "На объекте нет средств защиты; коллега получил травму.",
    "violence": "Бригадир ударил работника после спора о зарплате.",
    "sexual_abuse": "Домогательства со стороны родственника работодателя; боится вернуться на "
    "работу.",
    "restriction_of_freedom": "Не выпускают из общежития в нерабочее время.",
    "wage_discrimination": "Платят меньше, чем местным работникам за ту же работу.",
    "recruitment_fees": "Заплатил {fee} USD вербовщику в Алматы; такой работы не оказалось.",
    "trafficking_forced_labour": "Завербован по ложному предложению работы; документы "
    "отобраны, долг за дорогу «надо отработать».",
    "detention": "Задержан миграционной полицией за просроченную визу; обратились родственники.",
    "illness_injury": "Травма на работе; работодатель отказывается оплатить лечение.",
    "death_repatriation": "Семья просит помочь с репатриацией тела.",
    "whereabouts_unknown": "Родственники в Казахстане {n} нед. не имеют вестей.",
    "other": "Просит совета о смене работодателя.",
}


def passport_latin(text: str) -> str:
    """How a Kazakhstani passport spells a Cyrillic name in Latin capitals."""
    return to_passport_latin(text)
