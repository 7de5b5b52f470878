"""A deterministic, realistic demo mission (``qorgau demo``, ``make demo``).

The same seed gives the same people, employers and cases (dates are relative to ``today``).
Rows are written with bulk inserts in one transaction, so 10,000 cases take seconds; the
sync columns that the flush hook would set are set here directly.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter as Tally
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import func, insert, select, text

from app.config import Paths
from app.db.engine import note_wide_rows
from app.db.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseIloIndicator,
    Employer,
    PartnerOrganisation,
    PartnerReferral,
    Person,
    RecruitmentAgency,
    Setting,
    User,
)
from app.db.sync import CHANGE_SEQ, next_counter
from app.domain import taxonomy
from app.domain.codes import CaseStatus, Category, IloIndicator, Role, Urgency
from app.domain.events import SystemEvent, event_data
from app.domain.iin import make_iin
from app.domain.translit import latin_name
from app.domain.workflow import default_due_date
from app.errors import UsageError, ValidationError
from app.i18n import _
from app.security.keyslots import KeySlotStore, account_signing_key, signing_public
from app.security.user_ledger import SIGNING_KEY
from app.services import demo_data as data
from app.services.briefing import CONTACTS_KEY
from app.services.contracts import ContractReviewService
from app.services.installation import MissionSetup, init_installation, unlock
from app.services.letters import LetterService
from app.services.search import index_cases
from app.services.workspace import Actor, Workspace

DEMO_PASSWORD = "qorgau-demo"
DEMO_ADMIN = "admin"
DEMO_MISSION = MissionSetup(
    code="SEL",
    country="KR",
    city="Seoul",
    city_kk="Сеул",
    city_ru="Сеул",
    name_kk="Қазақстан Республикасының Корея Республикасындағы Елшілігі",
    name_ru="Посольство Республики Казахстан в Республике Корея",
    name_en="Embassy of the Republic of Kazakhstan in the Republic of Korea",
    address_kk="Корея Республикасы, Сеул қ., Йонсан ауданы, Ханнам-дэро көшесі, 5",
    address_ru="Республика Корея, г. Сеул, район Йонсан, Ханнам-дэро 5",
    address_en="5 Hannam-daero, Yongsan-gu, Seoul, Republic of Korea",
    phone="+82 2 394 9716",
    email="seoul@mfa.kz",
)

_HOURS = {
    "kk": "Дүйсенбі–жұма, 9:00–18:00 (түскі үзіліс 12:30–14:00)",
    "ru": "Понедельник–пятница, 9:00–18:00 (перерыв 12:30–14:00)",
    "en": "Monday to Friday, 9:00–18:00 (lunch break 12:30–14:00)",
}
DEMO_CONTACTS = {"hotline": "+82 10 9999 0112", "hours": _HOURS}


@dataclass(frozen=True)
class DemoMission:
    """A mission ``demo --mission`` can make: its requisites and what briefings print."""

    setup: MissionSetup
    contacts: Mapping[str, object]


# Other missions, so that an HQ can be shown bundles of several (issue 22). Their street
# addresses and numbers are made up, as the demo's organisations are.
DEMO_MISSIONS = {
    "SEL": DemoMission(DEMO_MISSION, DEMO_CONTACTS),
    "IST": DemoMission(
        MissionSetup(
            code="IST",
            country="TR",
            city="Istanbul",
            city_kk="Ыстамбұл",
            city_ru="Стамбул",
            name_kk="Қазақстан Республикасының Ыстамбұлдағы Бас консулдығы",
            name_ru="Генеральное консульство Республики Казахстан в Стамбуле",
            name_en="Consulate General of the Republic of Kazakhstan in Istanbul",
            address_kk=(
                "Түркия Республикасы, Ыстамбұл қ., Бешикташ ауданы, Левент, Чаршы көшесі, 12"
            ),
            address_ru="Турецкая Республика, г. Стамбул, район Бешикташ, Левент, ул. Чаршы, 12",
            address_en="Çarşı Cad. 12, Levent, Beşiktaş, Istanbul, Republic of Türkiye",
            phone="+90 212 000 4150",
            email="istanbul@mfa.kz",
        ),
        {"hotline": "+90 532 000 0112", "hours": _HOURS},
    ),
    "DXB": DemoMission(
        MissionSetup(
            code="DXB",
            country="AE",
            city="Dubai",
            city_kk="Дубай",
            city_ru="Дубай",
            name_kk="Қазақстан Республикасының Дубайдағы Бас консулдығы",
            name_ru="Генеральное консульство Республики Казахстан в Дубае",
            name_en="Consulate General of the Republic of Kazakhstan in Dubai",
            address_kk="Біріккен Араб Әмірліктері, Дубай қ., Әл-Васл ауданы, 15-көше, 12-вилла",
            address_ru="Объединённые Арабские Эмираты, г. Дубай, район Аль-Васл, ул. 15, вилла 12",
            address_en="Villa 12, Street 15, Al Wasl, Dubai, United Arab Emirates",
            phone="+971 4 000 4150",
            email="dubai@mfa.kz",
        ),
        {"hotline": "+971 50 000 0112", "hours": _HOURS},
    ),
}


def demo_partners(country: str) -> tuple[data.DemoPartner, ...]:
    """The partners the demo mission in ``country`` makes: those of its own country, and, at
    Seoul's (the default demo), those of a country no demo mission is in. Each demo mission
    made them all, and HQ listed the Korean partners once for each of three missions: records
    merge by id, and each mission makes its own (docs/bundle-format.md)."""
    served = {mission.setup.country for mission in DEMO_MISSIONS.values()}
    default = DEMO_MISSIONS["SEL"].setup.country
    return tuple(
        partner
        for partner in data.PARTNERS
        if partner.country == country or (country == default and partner.country not in served)
    )


# A mobile number in each host country, its digits drawn ("#").
MOBILE_FORMS = {
    "KR": "+82 10 #### ####",
    "TR": "+90 5## ### ## ##",
    "AE": "+971 5# ### ####",
    "RU": "+7 9## ### ## ##",
    "DE": "+49 15# ########",
    "GB": "+44 7### ######",
    "US": "+1 2## ### ####",
    "IL": "+972 5# ### ####",
    "QA": "+974 5### ####",
    "KG": "+996 7## ### ###",
}
# Where a case stands, among the open and among the ended ones.
OPEN_WEIGHTS = {
    CaseStatus.NEW: 12,
    CaseStatus.IN_PROGRESS: 25,
    CaseStatus.AWAITING_RESPONSE: 15,
    CaseStatus.REFERRED: 8,
}
ENDED_WEIGHTS = {CaseStatus.RESOLVED: 12, CaseStatus.CLOSED: 23, CaseStatus.REJECTED: 5}
# Cases come in over two years, a little more often lately, and most end within a few
# months: a case is still open with the chance exp(-age / OPEN_DAYS). (Every open case used
# to be from the last weeks, so the monthly intake in Reports rose tenfold at the end.)
SPAN_DAYS = 730
OPEN_DAYS = 75
# A mission's workers are in its host country (the Seoul embassy's cases were two thirds in
# Türkiye, Russia, Germany…, each note verbale addressed to a state it is not accredited to).
OWN_COUNTRY_SHARE = 0.97
CATEGORY_WEIGHTS = {
    Category.UNPAID_WAGES: 30,
    Category.DOCUMENTS_WITHHELD: 14,
    Category.NO_CONTRACT: 10,
    Category.CONTRACT_SUBSTITUTION: 6,
    Category.UNJUSTIFIED_DISMISSAL: 9,
    Category.EXCESSIVE_HOURS: 8,
    Category.UNSAFE_CONDITIONS: 4,
    Category.VIOLENCE: 3,
    Category.SEXUAL_ABUSE: 1,
    Category.RESTRICTION_OF_FREEDOM: 2,
    Category.WAGE_DISCRIMINATION: 3,
    Category.RECRUITMENT_FEES: 6,
    Category.TRAFFICKING_FORCED_LABOUR: 1,
    Category.DETENTION: 3,
    Category.ILLNESS_INJURY: 4,
    Category.DEATH_REPATRIATION: 1,
    Category.WHEREABOUTS_UNKNOWN: 2,
    Category.OTHER: 3,
}
CATEGORY_INDICATORS: dict[Category, tuple[IloIndicator, ...]] = {
    Category.UNPAID_WAGES: (IloIndicator.WITHHOLDING_OF_WAGES,),
    Category.DOCUMENTS_WITHHELD: (IloIndicator.RETENTION_OF_IDENTITY_DOCUMENTS,),
    Category.EXCESSIVE_HOURS: (IloIndicator.EXCESSIVE_OVERTIME,),
    Category.VIOLENCE: (IloIndicator.PHYSICAL_SEXUAL_VIOLENCE, IloIndicator.INTIMIDATION_THREATS),
    Category.SEXUAL_ABUSE: (IloIndicator.PHYSICAL_SEXUAL_VIOLENCE,),
    Category.RESTRICTION_OF_FREEDOM: (IloIndicator.RESTRICTION_OF_MOVEMENT, IloIndicator.ISOLATION),
    Category.RECRUITMENT_FEES: (IloIndicator.DEBT_BONDAGE, IloIndicator.DECEPTION),
    Category.CONTRACT_SUBSTITUTION: (IloIndicator.DECEPTION,),
    Category.TRAFFICKING_FORCED_LABOUR: (
        IloIndicator.DECEPTION,
        IloIndicator.DEBT_BONDAGE,
        IloIndicator.RETENTION_OF_IDENTITY_DOCUMENTS,
        IloIndicator.ABUSE_OF_VULNERABILITY,
    ),
    Category.UNSAFE_CONDITIONS: (IloIndicator.ABUSIVE_WORKING_LIVING_CONDITIONS,),
}
WAGE_CURRENCY = {
    "KR": "KRW",
    "TR": "TRY",
    "AE": "AED",
    "RU": "RUB",
    "DE": "EUR",
    "GB": "GBP",
    "US": "USD",
    "IL": "ILS",
    "QA": "QAR",
    "KG": "KGS",
}
MONTHLY_WAGE = {
    "KRW": 2_200_000,
    "TRY": 25_000,
    "AED": 3_000,
    "RUB": 70_000,
    "EUR": 2_000,
    "GBP": 1_900,
    "USD": 2_500,
    "ILS": 6_000,
    "QAR": 2_500,
    "KGS": 40_000,
}


# What officers type, in the language each demo officer writes in: missions keep their notes in
# Kazakh or Russian, so a demo in either interface reads like one (issue 19).
KAZAKH_WRITERS = frozenset({"aigerim", "nurlan"})
OFFICER_NOTES: dict[str, dict[str, str]] = {
    "kk": {
        CaseStatus.IN_PROGRESS: "Жұмыскерден түсініктеме алынды; құжаттардың көшірмесі түсірілді.",
        CaseStatus.AWAITING_RESPONSE: "Жұмыс берушіге хат жіберілді; жауап күтілуде.",
        CaseStatus.REFERRED: "Заң көмегі үшін серіктес ұйымға жолданды.",
        CaseStatus.RESOLVED: "Жұмыс беруші жалақы қарызын төледі; жұмыскер растады.",
        CaseStatus.CLOSED: "Растаудан кейін жабылды; басқа әрекет қажет емес.",
        CaseStatus.REJECTED: "Өкілдіктің құзыретіне жатпайды: жеке қарыз дауы.",
        "talk": "Жұмыскермен келесі қадамдар туралы сөйлестік.",
        "consent": "Қол қойылған келісім қағаз істе сақтаулы.",
    },
    "ru": {
        CaseStatus.IN_PROGRESS: "Получено объяснение работника; сняты копии документов.",
        CaseStatus.AWAITING_RESPONSE: "Работодателю направлено письмо; ожидаем ответа.",
        CaseStatus.REFERRED: "Направлен в организацию-партнёр за юридической помощью.",
        CaseStatus.RESOLVED: "Работодатель погасил задолженность по зарплате; работник подтвердил.",
        CaseStatus.CLOSED: "Закрыто после подтверждения; дальнейших действий не требуется.",
        CaseStatus.REJECTED: "Вне компетенции загранучреждения: частный долговой спор.",
        "talk": "Обсудили с работником дальнейшие шаги.",
        "consent": "Подписанное согласие хранится в бумажном деле.",
    },
}


def writing_language(officer: str) -> str:
    return "kk" if officer in KAZAKH_WRITERS else "ru"


@dataclass(frozen=True)
class DemoResult:
    data_dir: str
    created: bool
    cases_added: int
    users: tuple[tuple[str, str], ...]
    password: str


def ensure_demo_installation(paths: Paths, mission: DemoMission = DEMO_MISSIONS["SEL"]) -> bool:
    """Create the demo ``mission`` with its users if the data folder has none; True if
    created."""
    if paths.is_initialised():
        return False
    init_installation(paths, mission.setup, DEMO_ADMIN, DEMO_PASSWORD)
    ws = unlock(paths, DEMO_ADMIN, DEMO_PASSWORD)
    try:
        slots = KeySlotStore(paths.keyslots)
        with ws.write() as session:
            admin = session.execute(select(User).where(User.username == DEMO_ADMIN)).scalar_one()
            admin.full_name, admin.phone = "Асқар Тоқтаров", mission.setup.phone
            # What briefing sheets print beside the letterhead (a mission setting).
            session.add(Setting(key=CONTACTS_KEY, value=dict(mission.contacts)))
            pairs = {username: X25519PrivateKey.generate() for username, *_ in data.OFFICERS}
            for username, full_name, role in data.OFFICERS:
                positions = data.POSITIONS.get(role, ("", "", ""))
                session.add(
                    User(
                        username=username,
                        full_name=full_name,
                        full_name_latin=latin_name(full_name),
                        position_kk=positions[0],
                        position_ru=positions[1],
                        position_en=positions[2],
                        role=role,
                        phone=mission.setup.phone,
                    )
                )
                public = signing_public(account_signing_key(pairs[username]))
                ws.audit(session, "user.add", "user", username, {"role": role, SIGNING_KEY: public})
        for username, _full_name, _role in data.OFFICERS:
            slots.set_slot(username, DEMO_PASSWORD, ws.db.key, private=pairs[username])
    finally:
        ws.close()
    return True


def run_demo(
    paths: Paths,
    cases: int,
    seed: int,
    username: str | None = None,
    password: str | None = None,
    today: date | None = None,
    only_if_empty: bool = False,
    mission: str | None = None,
) -> DemoResult:
    """Fill the demo mission in ``paths`` (made first if the folder is empty): ``mission`` is
    one of ``DEMO_MISSIONS`` (default Seoul); a folder holding another mission is refused."""
    created = ensure_demo_installation(paths, DEMO_MISSIONS[mission or "SEL"])
    ws = unlock(paths, username or DEMO_ADMIN, password or DEMO_PASSWORD)
    try:
        if mission is not None and ws.mission_code != mission:
            raise UsageError(
                _(
                    "This data folder holds mission {held}, not {asked}: give the demo of "
                    "{asked} a folder of its own."
                ).format(held=ws.mission_code, asked=mission)
            )
        added = 0
        if not (only_if_empty and _has_cases(ws)):
            added = fill_demo(ws, cases, seed, today)
        with ws.read() as session:
            users = tuple(
                (u.username, u.role)
                for u in session.execute(select(User).order_by(User.username)).scalars()
            )
    finally:
        ws.close()
    return DemoResult(str(paths.data_dir), created, added, users, DEMO_PASSWORD)


def _has_cases(ws: Workspace) -> bool:
    with ws.read() as session:
        return session.execute(select(Case.id).limit(1)).first() is not None


# Of the workers of a demo mission other than Seoul, this share worked at another before: HQ's
# repeats across missions list them. Seoul's demo stays as it was.
TRAVELLER_SHARE = 0.08
TRAVELLERS = 20


def _fill_seed(seed: int, mission: str, fill: int) -> int | str:
    """The seed of one fill: Seoul's as it always was; another mission's people differ."""
    base: int | str = seed if mission == DEMO_MISSION.code else f"{seed}:{mission}"
    return base if not fill else f"{base}:{fill}"


def _identity(rng: random.Random) -> tuple[bool, str, str, date]:
    """A worker's sex (True: female), given name, surname and birth date, as ``rng`` draws."""
    female = rng.random() < 0.42
    given = rng.choice(data.FEMALE_NAMES if female else data.MALE_NAMES)
    if rng.random() < 0.2:
        stem = rng.choice(data.PATRONYMIC_STEMS)
        surname = stem + ("қызы" if female else "ұлы")
    else:
        forms = rng.choice(data.SURNAMES)
        surname = forms.female if female else forms.male
    birth = date(rng.randrange(1965, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
    return female, given, surname, birth


class _Builder:
    """Generates rows for one fill; all randomness comes from one seeded generator (and the
    long tail of a large mission's employers from one of its own)."""

    def __init__(
        self,
        ws: Workspace,
        seed: int,
        today: date,
        now: datetime | None = None,
        cases: int = 0,
        fill: int = 0,
    ) -> None:
        self.ws = ws
        self.seed, self.cases = seed, cases
        # A later fill of the same mission (``fill``: the cases it holds) draws other rows, whose
        # ids the first fill's do not already hold.
        self.rng = random.Random(_fill_seed(seed, ws.mission_code, fill))
        self.today = today
        self.mission = ws.mission_code
        self.now = now or datetime.now(UTC)
        # Nothing the demo writes happens later than this: now, or the end of a ``today`` given.
        self.latest = (
            self.now
            if today >= self.now.date()
            else datetime.combine(today, time(23, 59), tzinfo=UTC)
        )
        self.rows: dict[type[Any], list[dict[str, Any]]] = {
            Person: [],
            Employer: [],
            RecruitmentAgency: [],
            PartnerOrganisation: [],
            PartnerReferral: [],
            Case: [],
            CaseEvent: [],
            CaseCategory: [],
            CaseIloIndicator: [],
        }
        self.employers: dict[str, list[str]] = {}
        self.agencies: list[str] = []
        self.iin_serial = 0

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def sync(self, row: dict[str, Any], updated: datetime | None = None) -> dict[str, Any]:
        row.update(
            origin_mission=self.mission,
            version=1,
            updated_at=updated or self.now,
            deleted_at=None,
            change_seq=0,
        )
        return row

    def refer_cases(self, rng: random.Random) -> None:
        """Each referred case names the partner it went to, one of its country's (a case in
        a country with no demo partner names none); ``rng`` is the referrals' own, so the cases
        are the same with or without them."""
        partners: dict[str, list[str]] = {}
        for partner in self.rows[PartnerOrganisation]:
            partners.setdefault(partner["country"], []).append(partner["id"])
        for case in self.rows[Case]:
            there = partners.get(case["host_country"])
            if case["status"] != CaseStatus.REFERRED.value or not there:
                continue
            received: date = case["received_at"]
            referred = min(received + timedelta(days=rng.randint(1, 10)), self.today)
            reason = {
                "kk": "Жұмыскерге заң көмегі: жалақы қарызы бойынша талап.",
                "ru": "Юридическая помощь работнику по взысканию задолженности по зарплате.",
            }[writing_language(case["assigned_to"])]
            self.rows[PartnerReferral].append(
                self.sync(
                    {
                        "id": self.uid(),
                        "case_id": case["id"],
                        "partner_id": rng.choice(there),
                        "referred_at": referred,
                        "reason": reason,
                        "outcome": "",
                    }
                )
            )

    # -- organisations ----------------------------------------------------------------------

    def tail_employers(self) -> None:
        """The long tail of a large mission's employers (``data.TAIL_FROM_CASES``), drawn from
        a generator of their own so that every other row stays as a smaller demo makes it."""
        country = self.ws.mission.country
        if self.cases < data.TAIL_FROM_CASES or country not in data.TAIL_NAME_PARTS:
            return
        districts, stems, trades, form = data.TAIL_NAME_PARTS[country]
        names = [f"{d} {s} {t} {form}" for d in districts for s in stems for t in trades]
        rng = random.Random(f"{self.seed}:employers")
        count = min(len(names), self.cases // data.TAIL_CASES_PER_EMPLOYER)
        for name in sorted(rng.sample(names, count)):
            self.rows[Employer].append(
                self.sync(
                    {
                        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "name": name,
                        "country": country,
                        "city": name.split(" ", 1)[0],  # its district
                        "address": "",
                        "registration_no": "",
                        "sector": "",
                        "phone": "",
                        "email": "",
                        "watchlist": False,
                        "watchlist_reason": "",
                        "notes": "",
                    }
                )
            )

    def organisations(self) -> None:
        for country, (cities, names) in data.EMPLOYERS.items():
            ids = self.employers.setdefault(country, [])
            for name in names:
                emp_id = self.uid()
                ids.append(emp_id)
                self.rows[Employer].append(
                    self.sync(
                        {
                            "id": emp_id,
                            "name": name,
                            "country": country,
                            "city": self.rng.choice(cities),
                            "address": "",
                            "registration_no": "",
                            "sector": data.EMPLOYER_SECTORS.get(name, ""),
                            "phone": "",
                            "email": "",
                            "watchlist": self.rng.random() < 0.15,
                            "watchlist_reason": "",
                            "notes": "",
                        }
                    )
                )
        self.tail_employers()
        for name, country in data.AGENCIES:
            agency_id = self.uid()
            self.agencies.append(agency_id)
            self.rows[RecruitmentAgency].append(
                self.sync(
                    {
                        "id": agency_id,
                        "name": name,
                        "country": country,
                        "city": "",
                        "licence_no": f"{self.rng.randrange(10**5, 10**6)}",
                        "address": "",
                        "phone": "",
                        "email": "",
                        "watchlist": self.rng.random() < 0.25,
                        "watchlist_reason": "",
                        "notes": "",
                    }
                )
            )
        made_here = demo_partners(self.ws.mission.country)
        for partner in data.PARTNERS:
            # Each partner's id is drawn all the same, so that every later row (people, cases)
            # comes out as before at each mission.
            partner_id = self.uid()
            if partner not in made_here:
                continue
            self.rows[PartnerOrganisation].append(
                self.sync(
                    {
                        "id": partner_id,
                        "name": partner.name,
                        "kind": partner.kind,
                        "country": partner.country,
                        "city": partner.city,
                        "address": partner.address,
                        "phone": partner.phone,
                        "email": "",
                        "languages": "",
                        "notes": "",
                    }
                )
            )

    def reuse_organisations(self, session: Any) -> set[str]:
        """Employers, agencies and partners the mission already holds under the same name and
        country stand for the ones drawn again (a second fill inserted each of them twice, or
        failed on its ids); returns the ids of the rows not to insert."""
        reused: set[str] = set()
        remap: dict[str, str] = {}
        for model in (Employer, RecruitmentAgency, PartnerOrganisation):
            held = {
                (name, country): row_id
                for row_id, name, country in session.execute(
                    select(model.id, model.name, model.country).where(model.deleted_at.is_(None))
                )
            }
            for row in self.rows[model]:
                found = held.get((row["name"], row["country"]))
                if found is not None:
                    remap[row["id"]] = row["id"] = found
                    reused.add(found)
        self.employers = {
            country: [remap.get(i, i) for i in ids] for country, ids in self.employers.items()
        }
        self.agencies = [remap.get(i, i) for i in self.agencies]
        return reused

    # -- people -----------------------------------------------------------------------------

    def phones_abroad(self) -> None:
        """A worker's phone abroad is of the country of their latest case, made of the digits
        drawn for it (it read "+40924256622" for a worker in Korea)."""
        people = {row["id"]: row for row in self.rows[Person]}
        latest = {
            case["person_id"]: case["host_country"]
            for case in sorted(self.rows[Case], key=lambda row: row["received_at"])
        }
        for person_id, country in latest.items():
            person = people[person_id]
            digits = iter(person["phone_abroad"].lstrip("+"))
            form = MOBILE_FORMS[country]
            person["phone_abroad"] = "".join(next(digits) if c == "#" else c for c in form)

    def record_consent(self) -> None:
        """Most workers consent in writing at their first visit; a few cases still lack it.
        The mission's form, signed abroad, includes the transfer abroad: every letter it
        writes for them (to the employer, the host's authorities) leaves Kazakhstan; some
        workers will not have the host's authorities told (no ``share_host_authorities``)."""
        people = {row["id"]: row for row in self.rows[Person]}
        for case in sorted(self.rows[Case], key=lambda row: row["received_at"]):
            person = people.get(case["person_id"])
            if person is None or person["consent_date"] is not None:
                continue
            if self.rng.random() < 0.85:
                person["consent_date"] = case["received_at"]
                person["consent_scope"] = ["case_handling", "share_hq", "cross_border"] + (
                    ["share_host_authorities"] if self.rng.random() < 0.6 else []
                )
                person["consent_note"] = OFFICER_NOTES["ru"]["consent"]

    def person(self) -> str:
        rng = self.rng
        if self.mission != DEMO_MISSION.code and rng.random() < TRAVELLER_SHARE:
            # One of the workers every other demo mission may meet too, under the same IIN.
            traveller = random.Random(f"{self.seed}:traveller:{rng.randrange(TRAVELLERS)}")
            female, given, surname, birth = _identity(traveller)
            serial = traveller.randrange(10000)
        else:
            female, given, surname, birth = _identity(rng)
            self.iin_serial = (self.iin_serial + rng.randrange(1, 7)) % 10000
            serial = self.iin_serial
        person_id = self.uid()
        self.rows[Person].append(
            self.sync(
                {
                    "id": person_id,
                    "surname": surname,
                    "given_names": given,
                    "patronymic": "",
                    "surname_latin": data.passport_latin(surname),
                    "given_names_latin": data.passport_latin(given),
                    "iin": make_iin(birth, "female" if female else "male", serial),
                    "passport_no": f"N{rng.randrange(10**7, 10**8)}",
                    "birth_date": birth,
                    "sex": "female" if female else "male",
                    "citizenship": "KZ",
                    "phone_abroad": f"+{rng.randrange(10**10, 10**11)}",
                    "phone_home": f"+7 7{rng.randrange(10, 80)} {rng.randrange(10**6, 10**7)}",
                    "email": "",
                    "messenger": "",
                    "address_abroad": "",
                    "address_home": "",
                    "next_of_kin": "",
                    "consent_date": None,
                    "consent_scope": [],
                    "consent_note": "",
                    "anonymised_at": None,
                }
            )
        )
        return person_id

    # -- cases ------------------------------------------------------------------------------

    def age(self) -> int:
        """Days since a case came in: half evenly over ``SPAN_DAYS``, half more often the more
        recent (a mission's caseload grows)."""
        share = self.rng.random()
        if self.rng.random() < 0.5:
            share = 1 - math.sqrt(share)
        return int(SPAN_DAYS * share)

    def host_country(self) -> str:
        """Where the worker is: the mission's own country, but for a few who write from
        elsewhere (their notes go through the mission accredited there)."""
        home = self.ws.mission.country
        if home in data.COUNTRY_WEIGHTS and self.rng.random() < OWN_COUNTRY_SHARE:
            return home
        weights = data.COUNTRY_WEIGHTS
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def case(self, person_id: str, received: date) -> dict[str, Any]:
        rng = self.rng
        still_open = rng.random() < math.exp(-(self.today - received).days / OPEN_DAYS)
        weights = OPEN_WEIGHTS if still_open else ENDED_WEIGHTS
        status = rng.choices(list(weights), weights=list(weights.values()))[0]
        country = self.host_country()
        cats = sorted(
            set(
                rng.choices(
                    list(CATEGORY_WEIGHTS),
                    weights=list(CATEGORY_WEIGHTS.values()),
                    k=rng.choice((1, 1, 1, 2, 2, 3)),
                )
            )
        )
        at_risk = any(taxonomy.category(c).life_or_liberty for c in cats)
        urgency = (
            Urgency.CRITICAL
            if at_risk and rng.random() < 0.7
            else rng.choices([Urgency.LOW, Urgency.NORMAL, Urgency.HIGH], weights=[15, 60, 25])[0]
        )
        officer = rng.choice(data.OFFICERS[:3])[0] if status != CaseStatus.NEW else None
        case_id = self.uid()
        fee = rng.choice((800, 1200, 1500, 2000, 3000))
        description = " ".join(
            data.DESCRIPTIONS[c].format(n=rng.randrange(2, 7), h=rng.randrange(60, 85), fee=fee)
            for c in cats
        )
        currency = WAGE_CURRENCY[country]
        closed = status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
        recovered = None
        if closed and Category.UNPAID_WAGES in cats and rng.random() < 0.6:
            recovered = Decimal(MONTHLY_WAGE[currency] * rng.randrange(1, 5))
        due = default_due_date(received, urgency)
        if status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.REJECTED):
            # Some open cases overdue, but none due before it came in (the service refuses
            # such a date): at the earliest the next day.
            due = max(self.today + timedelta(days=rng.randrange(-12, 30)), received + timedelta(1))
        row = self.sync(
            {
                "id": case_id,
                "number": "",
                "mission_code": self.mission,
                "year": received.year,
                "seq": 0,
                "person_id": person_id,
                "employer_id": rng.choice(self.employers[country]) if rng.random() < 0.9 else None,
                "agency_id": rng.choice(self.agencies) if rng.random() < 0.35 else None,
                "host_country": country,
                "status": status.value,
                "urgency": urgency.value,
                "life_or_liberty_at_risk": at_risk,
                "channel": rng.choice(
                    ("walk_in", "walk_in", "phone", "messenger", "email", "hotline", "referral")
                ),
                "description": description,
                "received_at": received,
                "due_date": due,
                "assigned_to": officer,
                "created_by": rng.choice(data.OFFICERS[:3])[0],
                "escalated_at": None,
                "resolved_at": None,
                "closed_at": None,
                "outcome": {},
                "wages_recovered_amount": recovered,
                "wages_recovered_currency": currency if recovered is not None else None,
                "documents_returned": closed
                and Category.DOCUMENTS_WITHHELD in cats
                and rng.random() < 0.7,
                "repatriated": closed and rng.random() < 0.08,
                "transferred_from": None,
                "anonymised_at": None,
            }
        )
        for code in cats:
            self.rows[CaseCategory].append({"case_id": case_id, "code": code.value})
        indicators = sorted({i for c in cats for i in CATEGORY_INDICATORS.get(c, ())})
        for indicator in indicators:
            self.rows[CaseIloIndicator].append({"case_id": case_id, "code": indicator.value})
        self.timeline(row, status)
        self.rows[Case].append(row)
        return row

    def timeline(self, case: dict[str, Any], status: CaseStatus) -> None:
        path = {
            CaseStatus.NEW: [],
            CaseStatus.IN_PROGRESS: [CaseStatus.IN_PROGRESS],
            CaseStatus.AWAITING_RESPONSE: [CaseStatus.IN_PROGRESS, CaseStatus.AWAITING_RESPONSE],
            CaseStatus.REFERRED: [CaseStatus.IN_PROGRESS, CaseStatus.REFERRED],
            CaseStatus.RESOLVED: [
                CaseStatus.IN_PROGRESS,
                CaseStatus.AWAITING_RESPONSE,
                CaseStatus.RESOLVED,
            ],
            CaseStatus.CLOSED: [
                CaseStatus.IN_PROGRESS,
                CaseStatus.AWAITING_RESPONSE,
                CaseStatus.RESOLVED,
                CaseStatus.CLOSED,
            ],
            CaseStatus.REJECTED: [CaseStatus.REJECTED],
        }[status]
        author = case["created_by"]
        first_event = len(self.rows[CaseEvent])
        moment = self.office_time(case["received_at"], first=True)
        self.event(
            case["id"], "system", moment, author, "", data=event_data(SystemEvent.CASE_REGISTERED)
        )
        previous = CaseStatus.NEW
        reasons = OFFICER_NOTES[writing_language(author)]
        for step in path:
            later = self.office_time(moment.date() + timedelta(days=self.rng.randrange(1, 9)))
            # A case received lately has had no time for its whole path: the steps then
            # follow each other on the same day, still in order.
            moment = later if later.date() <= self.today else moment + timedelta(minutes=40)
            if self.rng.random() < 0.5:
                self.event(
                    case["id"],
                    self.rng.choice(("call", "note", "meeting", "visit")),
                    moment - timedelta(minutes=15),
                    author,
                    OFFICER_NOTES[writing_language(author)]["talk"],
                )
            actor = "consul" if step in (CaseStatus.CLOSED, CaseStatus.REJECTED) else author
            self.event(
                case["id"],
                "status_change",
                moment,
                actor,
                reasons[step],
                previous.value,
                step.value,
            )
            previous = step
        if status == CaseStatus.RESOLVED:
            case["resolved_at"] = moment
        if status == CaseStatus.CLOSED:
            case["resolved_at"] = moment - timedelta(days=1)
            case["closed_at"] = moment
        case["updated_at"] = moment
        self.keep_in_past(case, self.rows[CaseEvent][first_event:])

    def office_time(self, day: date, first: bool = False) -> datetime:
        """A moment of the mission's working day on ``day`` (a case is registered in the
        morning), in UTC. The timelines ran on UTC's clock and drifted by hours a step: the
        Seoul embassy met workers at a quarter past midnight."""
        start = time(9, 0) if first else time(10, 0)
        minutes = self.rng.randrange(0, 90 if first else 450, 5)
        local = datetime.combine(day, start) + timedelta(minutes=minutes)
        offset = timedelta(hours=data.UTC_OFFSET_HOURS.get(self.ws.mission.country, 0))
        return (local - offset).replace(tzinfo=UTC)

    def keep_in_past(self, case: dict[str, Any], events: list[dict[str, Any]]) -> None:
        """Move a timeline that would run past ``latest`` (a case received today, generated
        before its morning registration, or a path that ran into today's later hours) back
        before it, in the same order: no event, status or change date lies in the future."""
        start = events[0]["occurred_at"]
        last = max(e["occurred_at"] for e in events)
        if last <= self.latest:
            return
        received = datetime.combine(case["received_at"], time(0, 0), tzinfo=UTC)
        new_start = max(min(received, self.latest), self.latest - (last - start))
        span, room = last - start, self.latest - new_start

        def moved(at: datetime) -> datetime:
            return new_start + (at - start) * (room / span) if span else new_start

        for event in events:
            event["occurred_at"] = event["updated_at"] = moved(event["occurred_at"])
        for key in ("resolved_at", "closed_at", "updated_at"):
            if isinstance(case.get(key), datetime):
                case[key] = moved(case[key])

    def event(
        self,
        case_id: str,
        kind: str,
        at: datetime,
        author: str,
        text: str,
        status_from: str | None = None,
        status_to: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.rows[CaseEvent].append(
            self.sync(
                {
                    "id": self.uid(),
                    "case_id": case_id,
                    "kind": kind,
                    "occurred_at": at,
                    "author": author,
                    "text": text,
                    "status_from": status_from,
                    "status_to": status_to,
                    "data": data or {},
                },
                updated=at,
            )
        )


def fill_demo(
    ws: Workspace, cases: int, seed: int, today: date | None = None, now: datetime | None = None
) -> int:
    """Add ``cases`` demo cases (with people, employers and timelines); returns the count.
    ``now`` (default: the clock) is the moment no generated date may pass."""
    ws.require_role(Role.ADMIN)
    if cases < 0:
        raise ValidationError(_("The number of cases cannot be negative."), field="cases")
    with ws.read() as session:
        held = session.scalar(select(func.count()).select_from(Case)) or 0
        builder = _Builder(ws, seed, today or date.today(), now, cases, fill=held)
        builder.organisations()
        reused = builder.reuse_organisations(session)
    person_ids: list[str] = []
    for _i in range(cases):
        if person_ids and builder.rng.random() < 0.05:
            person_id = builder.rng.choice(person_ids)  # a worker who comes back
        else:
            person_id = builder.person()
            person_ids.append(person_id)
        builder.case(person_id, builder.today - timedelta(days=builder.age()))
    builder.phones_abroad()
    builder.record_consent()
    builder.refer_cases(random.Random(f"{seed}:referrals"))
    with ws.write() as session:
        _number_cases(session, ws.mission_code, builder.rows[Case])
        employers = builder.rows[Employer]  # all of them, held or new, for the reviews
        for held_model in (Employer, RecruitmentAgency, PartnerOrganisation):
            rows = builder.rows[held_model]
            builder.rows[held_model] = [r for r in rows if r["id"] not in reused]
        sync_rows = [r for model, rows in builder.rows.items() if _is_sync(model) for r in rows]
        last = next_counter(session, CHANGE_SEQ, len(sync_rows))
        for offset, row in enumerate(sync_rows, start=last - len(sync_rows) + 1):
            row["change_seq"] = offset
        for model in (
            Employer,
            RecruitmentAgency,
            PartnerOrganisation,
            Person,
            Case,
            CaseCategory,
            CaseIloIndicator,
            CaseEvent,
            PartnerReferral,
        ):
            if builder.rows[model]:
                session.execute(insert(model), builder.rows[model])
        index_cases(session, [row["id"] for row in builder.rows[Case]])
        ws.audit(
            session, "demo.fill", "installation", ws.mission_code, {"cases": cases, "seed": seed}
        )
        session.execute(text("ANALYZE"))  # statistics for the planner after a bulk load
        note_wide_rows(session.connection())
    # Through the real services, so the register, numbers, PDFs and audit are what users get.
    # A generator of its own keeps the cases the same whatever these add.
    extras = random.Random(f"{seed}:letters-and-reviews")
    _add_letters(ws, builder.rows[Case], extras, builder.today)
    _add_reviews(ws, builder.rows[Case], employers, extras)
    births = {row["id"]: row["birth_date"] for row in builder.rows[Person]}
    _add_returnees(
        ws, builder.rows[Case], births, random.Random(f"{seed}:returnees"), builder.today
    )
    return cases


RETURNEE_EVERY = 30  # a register record for about this many cases ...
MAX_RETURNEES = 8  # ... but no more
# What workers back from each host country did there (ISCO-08 unit groups), and the language.
_RETURNEE_JOBS = {
    "KR": (("7212", "8160", "9329", "6121", "7112"), "ko"),
    "TR": (("7115", "5131", "5322", "7122"), "tr"),
    "AE": (("8322", "9112", "5120", "7411"), "ar"),
    "RU": (("7112", "8332", "9333", "7126"), "ru"),
    "DE": (("9211", "5322", "7212"), "de"),
    "GB": (("9211", "9329"), "en"),
    "US": (("8332", "4321", "5120"), "en"),
    "IL": (("5322", "7114", "9211"), "he"),
    "QA": (("7114", "8322", "9112"), "ar"),
    "KG": (("7112", "7533", "8322"), "ky"),
}
_CERTIFICATES = {
    "7212": "Welding certificate, level 2",
    "8332": "Driving licence, category CE",
    "8322": "Driving licence, category B (UAE)",
    "5322": "Caregiver course, 120 hours",
    "5120": "Food hygiene certificate",
    "7411": "Electrical safety, group III",
    "6121": "Dairy farm machinery course",
}


def _add_returnees(
    ws: Workspace,
    cases: list[dict[str, Any]],
    births: dict[str, date],
    rng: random.Random,
    today: date,
) -> None:
    """A few finished cases whose worker went home, in the returnees' skills register;
    ``births``: the workers' dates of birth, which bound their years abroad."""
    from app.domain.occupations import regions
    from app.services.returnees import (
        FINAL_STATUSES,
        ReturneeInput,
        ReturneeService,
        most_years_abroad,
    )

    eligible = [c for c in cases if c["status"] in FINAL_STATUSES]
    wanted = min(MAX_RETURNEES, len(cases) // RETURNEE_EVERY, len(eligible))
    service = ReturneeService(ws, today=today)
    region_codes = sorted(regions())
    for case in sorted(rng.sample(eligible, wanted), key=lambda c: c["number"]):
        jobs, language = _RETURNEE_JOBS.get(case["host_country"], (("9329",), "en"))
        occupation = rng.choice(jobs)
        finished = case["closed_at"] or case["resolved_at"]
        home = finished.date() if isinstance(finished, datetime) else today
        certificate = _CERTIFICATES.get(occupation)
        years = rng.randrange(1, 8)
        birth = births.get(case["person_id"])
        if birth is not None:
            # A worker born in 2004 had not worked abroad for 7 years: the register refused
            # him, and the demo of Dubai stopped there.
            years = min(years, most_years_abroad(birth, min(home, today)))
        service.add(
            ReturneeInput(
                case_number=case["number"],
                occupation=occupation,
                work_country=case["host_country"],
                region=rng.choice(region_codes),
                consent_reference=f"{case['number']}/R",
                consent_date=min(home, today),
                years_abroad=years,
                certificates=(certificate,) if certificate else (),
                languages=tuple(dict.fromkeys((language, "ru"))),
                wants_referral=rng.random() < 0.7,
                returned_on=min(home, today),
            )
        )


LETTER_EVERY = 25  # one letter for about this many cases ...
MAX_LETTERS = 40  # ... but no more (each is rendered: ~25 ms)
REVIEW_EVERY = 50
MAX_REVIEWS = 20
LETTER_STATUSES = (CaseStatus.AWAITING_RESPONSE, CaseStatus.RESOLVED, CaseStatus.CLOSED)


def _letter_plan(
    case: dict[str, Any], rng: random.Random, today: date, home: str
) -> tuple[str, str, date]:
    """Kind, language and date of a letter that fits where the case stands."""
    status = case["status"]
    # The mission wrote to the host side and waits for the answer, or did so early in a case
    # that has ended since (most cases end: the register is not only their certificates).
    if status == CaseStatus.AWAITING_RESPONSE.value or rng.random() < 0.5:
        kind = "employer_letter" if case["employer_id"] and rng.random() < 0.6 else None
        written = min(case["received_at"] + timedelta(days=rng.randrange(2, 15)), today)
        if kind is None and case["host_country"] != home:
            # A note to another state goes through the mission accredited there: HQ is told.
            return "hq_case_report", rng.choice(("kk", "ru")), written
        return kind or "note_verbale_labour_authority", "en", written
    kind = "assistance_certificate" if status == CaseStatus.RESOLVED.value else "hq_case_report"
    finished = case["closed_at"] or case["resolved_at"]
    written = finished.date() if isinstance(finished, datetime) else today
    return kind, rng.choice(("kk", "ru")), min(written, today)


def _add_letters(
    ws: Workspace, cases: list[dict[str, Any]], rng: random.Random, today: date
) -> None:
    """Letters on some answered or finished cases, most issued, a few awaiting approval."""
    if not ws.mission.name_en and not ws.mission.name_ru and not ws.mission.name_kk:
        return  # no letterhead to print: an installation set up without the mission's name
    eligible = [c for c in cases if c["status"] in {s.value for s in LETTER_STATUSES}]
    wanted = min(MAX_LETTERS, len(cases) // LETTER_EVERY, len(eligible))
    chosen = rng.sample(eligible, wanted)
    plans = sorted(
        ((_letter_plan(case, rng, today, ws.mission.country), case["id"]) for case in chosen),
        key=lambda item: (item[0][2], item[1]),  # the register numbers letters by date
    )
    # The consul approves and signs (an administrator signs only as head of mission).
    username, full_name, role = data.OFFICERS[-1]
    signer = Actor(username, role, full_name)
    # The demo's consul may have no account here (a demo filled into a test mission): the
    # workspace signs as them without the signed-in account's re-check.
    consul = Workspace(ws.paths, ws.db, signer, ws.mission, ws.database_id, check_account=False)
    for index, ((kind, lang, written), case_id) in enumerate(plans):
        letters = LetterService(ws, today=written)
        letter = letters.draft(case_id, kind, lang)
        if index % 12 == 11:
            continue  # a draft still being written
        letter = LetterService(consul, today=written).approve(letter.id)
        if index % 12 == 10:
            continue  # approved, to be issued
        letters.issue(letter.id)


# Work a Kazakhstani migrant typically does in each host country, and the contract's language.
_JOBS = {
    "KR": (("Factory worker", "Farm worker", "Fish processing worker"), "ko", 52),
    "TR": (("Construction worker", "Hotel housekeeper", "Caregiver"), "tr", 54),
    "AE": (("Driver", "Construction worker", "Cook"), "ar", 60),
    "RU": (("Construction worker", "Warehouse operative", "Driver"), "ru", 48),
    "DE": (("Seasonal farm worker", "Care assistant", "Welder"), "de", 40),
    "GB": (("Seasonal farm worker", "Poultry processing worker"), "en", 42),
    "US": (("Truck driver", "Warehouse associate", "Cook"), "en", 44),
    "IL": (("Caregiver", "Construction worker", "Farm worker"), "he", 50),
    "QA": (("Construction worker", "Driver", "Hotel room attendant"), "ar", 60),
    "KG": (("Construction worker", "Seamstress", "Driver"), "ru", 48),
}


def _contract_terms(
    case: dict[str, Any], employers: dict[str, dict[str, Any]], rng: random.Random
) -> dict[str, object]:
    """Plausible terms of the contract a worker brings in: some fair, some not."""
    country = case["host_country"]
    jobs, language, usual_hours = _JOBS[country]
    currency = WAGE_CURRENCY[country]
    fair = rng.random() < 0.4
    employer = employers.get(case["employer_id"] or "")
    terms: dict[str, object] = {
        "host_country": country,
        "position": rng.choice(jobs),
        "wage_amount": str(int(MONTHLY_WAGE[currency] * rng.choice((0.6, 0.8, 1, 1.1)))),
        "wage_currency": currency,
        "wage_period": "month",
        "hours_per_week": usual_hours if fair else usual_hours + rng.choice((8, 12, 20)),
        "overtime_paid": fair or rng.random() < 0.3,
        "rest_days_per_week": 1 if fair or rng.random() < 0.5 else 0,
        "paid_leave_days_per_year": rng.choice((14, 15, 20, 24)) if fair else rng.choice((0, 7)),
        "term_months": rng.choice((6, 12, 24, 36)),
        "housing_provided": rng.random() < 0.7,
        "meals_provided": rng.random() < 0.5,
        "insurance_provided": fair or rng.random() < 0.4,
        "return_ticket_paid_by": "employer" if fair else rng.choice(("worker", "none")),
        "passport_held_by": "worker" if fair else rng.choice(("worker", "employer", "agency")),
        "deductions_described": fair or rng.random() < 0.5,
        "contract_language": language,
        "contract_language_understood": language == "ru" or rng.random() < 0.3,
        "termination_clause_present": fair or rng.random() < 0.5,
        "dispute_clause_present": fair or rng.random() < 0.4,
        "signed_copy_held": fair or rng.random() < 0.5,
    }
    if employer is not None:
        terms["employer_name"] = employer["name"]
        terms["workplace"] = employer["city"]
    if not fair and rng.random() < 0.4:
        terms["recruitment_fee_paid_by_worker"] = str(rng.choice((800, 1200, 1500, 2000)))
        terms["recruitment_fee_currency"] = "USD"
    return terms


def _add_reviews(
    ws: Workspace,
    cases: list[dict[str, Any]],
    employers: list[dict[str, Any]],
    rng: random.Random,
) -> None:
    """Contract reviews on some cases, saved as an officer saves them."""
    wanted = min(MAX_REVIEWS, len(cases) // REVIEW_EVERY)
    by_id = {row["id"]: row for row in employers}
    service = ContractReviewService(ws)
    for case in sorted(rng.sample(cases, wanted), key=lambda c: c["number"]):
        # The case's ILO indicators stay as the demo made them: the figures of the reports
        # should not depend on how the review rules evolve.
        service.save(
            _contract_terms(case, by_id, rng), case_id=case["id"], flag_case_indicators=False
        )


def _is_sync(model: type[Any]) -> bool:
    return model not in (CaseCategory, CaseIloIndicator)


def _number_cases(session: Any, mission: str, cases: list[dict[str, Any]]) -> None:
    """Gapless numbers per year, in order of receipt, continuing any existing sequence."""
    cases.sort(key=lambda row: (row["received_at"], row["id"]))
    per_year = Tally(row["year"] for row in cases)
    next_seq: dict[int, int] = {}
    for year, count in per_year.items():
        last = next_counter(session, f"case:{mission}:{year}", count)
        next_seq[year] = last - count + 1
    for row in cases:
        seq = next_seq[row["year"]]
        next_seq[row["year"]] += 1
        row["seq"] = seq
        row["number"] = f"{mission}-{row['year']}-{seq:04d}"
