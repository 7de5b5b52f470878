"""The words of the statistical report, written in each language.

A printed report is a document in its own language whatever the interface language is, so
its texts are written here per language (like the letter templates), not taken from the
gettext catalog of the running interface.
"""

from __future__ import annotations

from app.domain import labels
from app.i18n import LANGUAGES

TEXTS: dict[str, dict[str, str]] = {
    "title": {
        "kk": "Еңбек эмигранттарын қорғау жөніндегі статистикалық есеп",
        "ru": "Статистический отчёт о защите трудовых эмигрантов",
        "en": "Statistical report on the protection of labour emigrants",
    },
    "period": {
        "kk": "Есепті кезең: {start} – {end}",
        "ru": "Отчётный период: {start} – {end}",
        "en": "Reporting period: {start} – {end}",
    },
    "as_of": {
        "kk": "Ашық және мерзімі өткен істер {date} жағдай бойынша көрсетілген.",
        "ru": "По состоянию на {date} указаны открытые и просроченные дела.",
        "en": "Open and overdue cases are shown as of {date}.",
    },
    "selection": {"kk": "Іріктеу шарттары", "ru": "Условия отбора", "en": "Selection"},
    "all_cases": {"kk": "барлық істер", "ru": "все дела", "en": "all cases"},
    "host_country": {"kk": "Қабылдаушы ел", "ru": "Страна пребывания", "en": "Host country"},
    "category": {"kk": "Шағым санаты", "ru": "Категория жалобы", "en": "Complaint category"},
    "officer": {"kk": "Жауапты қызметкер", "ru": "Ответственный сотрудник", "en": "Officer"},
    "mission": {"kk": "Мекеме", "ru": "Загранучреждение", "en": "Mission"},
    "hidden": {"kk": "(жасырылған)", "ru": "(скрыто)", "en": "(hidden)"},
    "names_hidden": {
        "kk": "Бұл есепте адамдардың аты-жөні жасырылған.",
        "ru": "В настоящем отчёте имена и фамилии лиц скрыты.",
        "en": "The names of persons are hidden in this report.",
    },
    "key_figures": {"kk": "Негізгі көрсеткіштер", "ru": "Основные показатели", "en": "Key figures"},
    "indicator": {"kk": "Көрсеткіш", "ru": "Показатель", "en": "Indicator"},
    "value": {"kk": "Мәні", "ru": "Значение", "en": "Value"},
    "opened": {"kk": "Тіркелген істер", "ru": "Зарегистрировано дел", "en": "Cases opened"},
    "resolved": {"kk": "Шешілген істер", "ru": "Решено дел", "en": "Cases resolved"},
    "closed": {"kk": "Жабылған істер", "ru": "Закрыто дел", "en": "Cases closed"},
    "open_now": {
        "kk": "Қазіргі ашық істер",
        "ru": "Открытые дела на текущую дату",
        "en": "Cases open now",
    },
    "overdue": {"kk": "Мерзімі өткен істер", "ru": "Просроченные дела", "en": "Overdue cases"},
    "median_days": {
        "kk": "Істі шешу мерзімінің медианасы, күн",
        "ru": "Медиана срока решения дела, дней",
        "en": "Median days to resolution",
    },
    "p90_days": {
        "kk": "Істі шешу мерзімінің 90-процентилі, күн",
        "ru": "90-й процентиль срока решения дела, дней",
        "en": "90th percentile of days to resolution",
    },
    "documents_returned": {
        "kk": "Құжаттары қайтарылғандар",
        "ru": "Возвращены документы",
        "en": "Documents returned",
    },
    "repatriated": {
        "kk": "Елге қайтарылғандар",
        "ru": "Возвращены на родину",
        "en": "Repatriated",
    },
    "referred": {
        "kk": "Серіктес ұйымдарға жолданғандар",
        "ru": "Направлены в партнёрские организации",
        "en": "Referred to partner organisations",
    },
    "outcomes": {
        "kk": "Нәтижелер (кезеңде шешілген істер бойынша)",
        "ru": "Результаты (по делам, решённым в периоде)",
        "en": "Outcomes (cases resolved in the period)",
    },
    "wages_recovered": {
        "kk": "Өндіріп алынған жалақы",
        "ru": "Взысканная заработная плата",
        "en": "Wages recovered",
    },
    "currency": {"kk": "Валюта", "ru": "Валюта", "en": "Currency"},
    "amount": {"kk": "Сомасы", "ru": "Сумма", "en": "Amount"},
    "cases": {"kk": "Істер саны", "ru": "Число дел", "en": "Cases"},
    "open_by_status": {
        "kk": "Ашық істер мәртебесі бойынша",
        "ru": "Открытые дела по статусам",
        "en": "Open cases by status",
    },
    "status": {"kk": "Мәртебесі", "ru": "Статус", "en": "Status"},
    "categories": {
        "kk": "Шағым санаттары (кезеңде тіркелген істер)",
        "ru": "Категории жалоб (дела, зарегистрированные в периоде)",
        "en": "Complaint categories (cases opened in the period)",
    },
    "ilo": {
        "kk": "Анықталған ХЕҰ мәжбүрлі еңбек белгілері",
        "ru": "Выявленные индикаторы принудительного труда МОТ",
        "en": "ILO indicators of forced labour observed",
    },
    "ilo_indicator": {"kk": "ХЕҰ белгісі", "ru": "Индикатор МОТ", "en": "ILO indicator"},
    "host_countries": {
        "kk": "Қабылдаушы елдер бойынша тіркелген істер",
        "ru": "Зарегистрированные дела по странам пребывания",
        "en": "Cases opened by host country",
    },
    "country": {"kk": "Ел", "ru": "Страна", "en": "Country"},
    "top_employers": {
        "kk": "Шағымы ең көп жұмыс берушілер",
        "ru": "Работодатели с наибольшим числом жалоб",
        "en": "Employers with the most complaints",
    },
    "top_agencies": {
        "kk": "Шағымы ең көп жұмысқа орналастыру агенттіктері",
        "ru": "Агентства занятости с наибольшим числом жалоб",
        "en": "Recruitment agencies with the most complaints",
    },
    "name": {"kk": "Атауы", "ru": "Наименование", "en": "Name"},
    "letters": {
        "kk": "Шығыс хаттар түрлері бойынша",
        "ru": "Исходящие письма по видам",
        "en": "Letters issued by kind",
    },
    "letter_kind": {"kk": "Хат түрі", "ru": "Вид письма", "en": "Kind of letter"},
    "reviews": {
        "kk": "Еңбек шарттарын тексеру: тәуекел деңгейі бойынша",
        "ru": "Проверки трудовых договоров по уровню риска",
        "en": "Contract reviews by risk",
    },
    "risk": {"kk": "Тәуекел деңгейі", "ru": "Уровень риска", "en": "Risk"},
    "monthly": {"kk": "Айлық серпін", "ru": "Помесячная динамика", "en": "Monthly trend"},
    "month": {"kk": "Ай", "ru": "Месяц", "en": "Month"},
    "opened_short": {"kk": "Тіркелді", "ru": "Зарегистрировано", "en": "Opened"},
    "resolved_short": {"kk": "Шешілді", "ru": "Решено", "en": "Resolved"},
    "closed_short": {"kk": "Жабылды", "ru": "Закрыто", "en": "Closed"},
    "by_mission": {
        "kk": "Мекемелер бойынша салыстыру",
        "ru": "Сравнение по загранучреждениям",
        "en": "Missions side by side",
    },
    "median_short": {"kk": "Медиана, күн", "ru": "Медиана, дней", "en": "Median, days"},
    "total": {"kk": "Барлығы", "ru": "Итого", "en": "Total"},
    "no_data": {"kk": "Деректер жоқ", "ru": "Нет данных", "en": "No data"},
    "prepared": {
        "kk": "Qorgau жүйесінде дайындалды — {date}",
        "ru": "Подготовлено в системе Qorgau — {date}",
        "en": "Prepared with Qorgau — {date}",
    },
    "case_list": {"kk": "Істер тізімі", "ru": "Список дел", "en": "List of cases"},
    "number": {"kk": "Нөмірі", "ru": "Номер", "en": "Number"},
    "received": {"kk": "Түскен күні", "ru": "Дата поступления", "en": "Received"},
    "person": {"kk": "Еңбек мигранты", "ru": "Трудовой мигрант", "en": "Worker"},
    "employer": {"kk": "Жұмыс беруші", "ru": "Работодатель", "en": "Employer"},
    "due": {"kk": "Орындау мерзімі", "ru": "Срок", "en": "Due"},
}


def text(key: str, lang: str) -> str:
    """The report's text ``key`` in ``lang`` (English for a language not written)."""
    entry = TEXTS[key]
    return entry.get(lang) or entry["en"]


def status_name(code: str, lang: str) -> str:
    return labels.case_status(code, lang)


def risk_name(code: str, lang: str) -> str:
    return labels.capitalised(labels.risk_level(code, lang))


def category_name(code: str, lang: str) -> str:
    return labels.category(code, lang)


def ilo_name(code: str, lang: str) -> str:
    return labels.ilo_indicator(code, lang)


def letter_kind_name(code: str, lang: str) -> str:
    return labels.letter_kind(code, lang)


def check_languages() -> list[str]:
    """Keys lacking a language: empty when every text is written in kk, ru and en."""
    tables = (TEXTS,)
    return sorted(
        f"{key}:{lang}"
        for table in tables
        for key, entry in table.items()
        for lang in LANGUAGES
        if not entry.get(lang)
    )
