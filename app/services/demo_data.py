"""Reference material for the demo mission: names, employers, agencies, places.

Names are ordinary Kazakh names in Cyrillic; their passport spelling is produced by
``passport_latin`` the way Kazakhstani passports print them (ICAO 9303 style).
"""

from __future__ import annotations

from app.domain.codes import Role

MALE_NAMES = (
    "Нұрлан",
    "Ерлан",
    "Қайрат",
    "Дәулет",
    "Бақытжан",
    "Ғалымжан",
    "Асқар",
    "Ержан",
    "Серік",
    "Мұрат",
    "Азамат",
    "Арман",
    "Данияр",
    "Тимур",
    "Жандос",
    "Әлібек",
    "Өмірзақ",
    "Нұрсұлтан",
    "Бауыржан",
    "Ақжол",
    "Ілияс",
    "Еркебұлан",
    "Мейіржан",
    "Тоқтар",
    "Айдос",
    "Шыңғыс",
)
FEMALE_NAMES = (
    "Әсел",
    "Айгүл",
    "Жанар",
    "Ұлжан",
    "Сәуле",
    "Гүлнар",
    "Шынар",
    "Үміт",
    "Іңкәр",
    "Мәдина",
    "Айнұр",
    "Динара",
    "Әйгерім",
    "Назерке",
    "Ақмарал",
    "Жұлдыз",
    "Салтанат",
    "Қарлығаш",
    "Аружан",
    "Балжан",
    "Гүлмира",
    "Мөлдір",
    "Перизат",
    "Томирис",
)
# Surname stems: the male form adds -ов/-ев, the female form -ова/-ева.
SURNAME_STEMS = (
    ("Әбен", "ов"),
    ("Ахмет", "ов"),
    ("Серікбай", "ев"),
    ("Қасым", "ов"),
    ("Жұмабай", "ев"),
    ("Нұрмағамбет", "ов"),
    ("Хасен", "ов"),
    ("Омар", "ов"),
    ("Бекмұхамбет", "ов"),
    ("Төлеген", "ов"),
    ("Сейіт", "ов"),
    ("Мұқан", "ов"),
    ("Исабек", "ов"),
    ("Жақып", "ов"),
    ("Оспан", "ов"),
    ("Құдайберген", "ов"),
    ("Тұрсын", "ов"),
    ("Әлімжан", "ов"),
    ("Байжан", "ов"),
    ("Ермек", "ов"),
    ("Сәрсенбай", "ев"),
    ("Досжан", "ов"),
    ("Қалиев", ""),
)
# Patronymic-style surnames (-ұлы / -қызы) as many Kazakhs now register them.
PATRONYMIC_STEMS = ("Құрманғали", "Серік", "Нұрлан", "Ерғали", "Темірбек", "Асқар")

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
PARTNERS = (
    ("Korea Migrant Workers' Support Centre", "ngo", "KR"),
    ("Ansan Migrant Shelter", "shelter", "KR"),
    ("Kim & Lee Labour Law Office", "lawyer", "KR"),
    ("Göç İdaresi Yardım Hattı 157", "hotline", "TR"),
    ("Dubai Foundation for Women and Children", "shelter", "AE"),
    ("Центр помощи мигрантам «Ласточка»", "ngo", "RU"),
)
OFFICERS = (
    ("aigerim", "Әйгерім Сейітова", Role.ATTACHE),
    ("nurlan", "Нұрлан Әбенов", Role.ATTACHE),
    ("daulet", "Дәулет Қасымов", Role.ATTACHE),
    ("consul", "Серік Жұмабаев", Role.CONSUL),
)

# Position titles per role as the demo's letters print them: (kk, ru, en).
POSITIONS = {Role.CONSUL: ("Консул", "Консул", "Consul")}

DESCRIPTIONS = {
    "unpaid_wages": "Wages unpaid for {n} months; the employer promises to pay 'next week'.",
    "documents_withheld": "The employer keeps the passport 'for registration' and refuses to "
    "return it.",
    "no_contract": "Works without a written contract; hired by phone through an acquaintance.",
    "contract_substitution": "The contract signed in Kazakhstan differs from the one given on "
    "arrival: lower wage, longer hours.",
    "unjustified_dismissal": "Dismissed without notice after asking for overtime pay.",
    "excessive_hours": "Works {h} hours a week, seven days, without overtime pay.",
    "unsafe_conditions": "No protective equipment on the site; a colleague was injured.",
    "violence": "The supervisor hit the worker after a dispute about wages.",
    "sexual_abuse": "Harassed by the employer's relative; afraid to return to the workplace.",
    "restriction_of_freedom": "Not allowed to leave the dormitory outside working hours.",
    "wage_discrimination": "Paid less than local workers for the same work.",
    "recruitment_fees": "Paid {fee} USD to a recruiter in Almaty; the job did not exist.",
    "trafficking_forced_labour": "Recruited with a false job offer; documents taken, debt for "
    "travel 'to be worked off'.",
    "detention": "Detained by the migration police for an expired visa; relatives asked for help.",
    "illness_injury": "Injured at work; the employer refuses to pay for treatment.",
    "death_repatriation": "The family asks for help with repatriation of the remains.",
    "whereabouts_unknown": "Relatives in Kazakhstan have had no news for {n} weeks.",
    "other": "Asks for advice on changing employer.",
}

ICAO = {
    "А": "A",
    "Ә": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Ғ": "G",
    "Д": "D",
    "Е": "E",
    "Ё": "E",
    "Ж": "ZH",
    "З": "Z",
    "И": "I",
    "Й": "I",
    "К": "K",
    "Қ": "K",
    "Л": "L",
    "М": "M",
    "Н": "N",
    "Ң": "N",
    "О": "O",
    "Ө": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "У": "U",
    "Ұ": "U",
    "Ү": "U",
    "Ф": "F",
    "Х": "KH",
    "Һ": "H",
    "Ц": "TS",
    "Ч": "CH",
    "Ш": "SH",
    "Щ": "SHCH",
    "Ъ": "",
    "Ы": "Y",
    "І": "I",
    "Ь": "",
    "Э": "E",
    "Ю": "IU",
    "Я": "IA",
}


def passport_latin(text: str) -> str:
    """How a Kazakhstani passport spells a Cyrillic name in Latin capitals."""
    return "".join(ICAO.get(ch, ch) for ch in text.upper())
