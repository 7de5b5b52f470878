"""The ORM models of the whole product.

Generic SQLAlchemy types only, so HQ can consolidate on PostgreSQL. Every row that travels in
bundles carries the sync columns of ``SyncMixin``; ``version`` and ``change_seq`` are maintained
by the ``before_flush`` hook in ``app.db.sync``. Lists of codes live in link tables when they are
filtered on (case categories, ILO indicators) and in JSON where they are only carried.

The annotations are evaluated as the classes are built (no ``from __future__ import
annotations``): else SQLAlchemy evaluates each of the ~400 from its text, a fifth of the time
mapping the models takes, which every command pays. Hence the quoted forward references.
"""

import os
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.domain.matching import organisation_key
from app.domain.text import fit_text

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A time-ordered UUID (version 7, RFC 9562 section 5.7): milliseconds since the epoch,
    then 74 random bits. Rows made one after another get neighbouring ids, so a batch of new
    cases lands on a few neighbouring pages of every index that holds an id (the key, the case
    list's by-id index, each child's case_id) instead of one random page per index per row:
    a CSV import into a 100k mission wrote 41 % fewer pages. The time is no secret: every row
    carries its created and updated times beside it, and partner exports carry no ids."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits: 12 for rand_a, 62 for rand_b
    value = (
        (millis & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76  # version
        | (rand >> 62 & 0xFFF) << 64
        | 0b10 << 62  # variant
        | rand & (1 << 62) - 1
    )
    return str(uuid.UUID(int=value))


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class FreeText(TypeDecorator[str]):
    """Free text (descriptions, notes, letters' paragraphs): stored without the control
    characters text pasted from Word brings (``app.domain.text``), which no bundle may carry."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else fit_text(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
        Decimal: Numeric(14, 2),
    }


class SyncMixin:
    """Columns every synchronisable row carries (see docs/architecture.md, Storage)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    origin_mission: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    change_seq: Mapped[int] = mapped_column(Integer, default=0, index=True)


# -- installation ---------------------------------------------------------------------------


class Mission(SyncMixin, Base):
    """A mission (embassy, consulate) or HQ; this installation's own row has is_local."""

    __tablename__ = "mission"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)
    is_hq: Mapped[bool] = mapped_column(Boolean, default=False)
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120))  # in English (Latin script)
    city_kk: Mapped[str] = mapped_column(String(120), default="")
    city_ru: Mapped[str] = mapped_column(String(120), default="")
    name_kk: Mapped[str] = mapped_column(String(300), default="")
    name_ru: Mapped[str] = mapped_column(String(300), default="")
    name_en: Mapped[str] = mapped_column(String(300), default="")
    address_kk: Mapped[str] = mapped_column(String(500), default="")
    address_ru: Mapped[str] = mapped_column(String(500), default="")
    address_en: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    signing_public_key: Mapped[str | None] = mapped_column(String(200))
    age_recipient: Mapped[str | None] = mapped_column(String(200))
    trusted_at: Mapped[datetime | None]


class User(Base):
    """A local account; its key slot is in keyslots.json, its role here."""

    __tablename__ = "user"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    # Letters in English print the Latin name; the positions are the signature's title.
    full_name_latin: Mapped[str] = mapped_column(String(200), default="")
    position_kk: Mapped[str] = mapped_column(String(200), default="")
    position_ru: Mapped[str] = mapped_column(String(200), default="")
    position_en: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(60), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class Setting(Base):
    """Domain settings of the installation (idle lock, retention...), not window state."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Counter(Base):
    """Named counters: change_seq, case and letter numbers per mission and year."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class LocalSecret(Base):
    """Secrets that live only inside the encrypted file (signing key, age identity)."""

    __tablename__ = "local_secret"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


# -- people and organisations ---------------------------------------------------------------


# Birth date first (``find_duplicates`` narrows by it), then what the batch duplicate check
# reads of those people (``app.services.cases.born_on``): migration 0018.
PERSON_BIRTH_INDEX_COLUMNS = (
    "birth_date",
    "surname",
    "given_names",
    "deleted_at",
    "updated_at",
    "id",
)


class Person(SyncMixin, Base):
    """A labour emigrant who came to the mission."""

    __tablename__ = "person"

    surname: Mapped[str] = mapped_column(String(120))
    given_names: Mapped[str] = mapped_column(String(200))
    patronymic: Mapped[str] = mapped_column(String(120), default="")
    surname_latin: Mapped[str] = mapped_column(String(120), default="")
    given_names_latin: Mapped[str] = mapped_column(String(200), default="")
    iin: Mapped[str | None] = mapped_column(String(12), index=True)
    passport_no: Mapped[str | None] = mapped_column(String(20), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(8))
    citizenship: Mapped[str] = mapped_column(String(2), default="KZ")
    phone_abroad: Mapped[str] = mapped_column(String(60), default="")
    phone_home: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    messenger: Mapped[str] = mapped_column(String(120), default="")
    address_abroad: Mapped[str] = mapped_column(String(500), default="")
    address_home: Mapped[str] = mapped_column(String(500), default="")
    next_of_kin: Mapped[str] = mapped_column(String(300), default="")
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_scope: Mapped[list[Any]] = mapped_column(JSON, default=list)
    consent_note: Mapped[str] = mapped_column(FreeText, default="")
    anonymised_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_person_name_birth", "surname", "given_names", "birth_date"),
        # The duplicate check compares names case-blind (lower()), which no name index serves;
        # the birth date narrows it to a few people instead of a scan per new person. The index
        # holds all the columns that check reads, so a CSV batch's 19,000 people born on its
        # birthdays (at 300k cases) come from the index alone, not each person's row.
        Index("ix_person_birth_date", *PERSON_BIRTH_INDEX_COLUMNS),
    )


def _name_key_default(context: Any) -> str:
    """An employer's or agency's name as organisations are matched on; kept by each
    installation (not carried in bundles), and set again when the name changes. A bundle's
    ``INSERT … SELECT`` gives no name here: its import keys the rows it wrote
    (``organisations.key_names_written``)."""
    name = context.get_current_parameters().get("name")
    return "" if name is None else organisation_key(str(name))


class Employer(SyncMixin, Base):
    __tablename__ = "employer"

    name: Mapped[str] = mapped_column(String(300), index=True)
    name_key: Mapped[str] = mapped_column(String(300), default=_name_key_default, server_default="")
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    # Letters go to employers: the address block needs the postcode and whom to address.
    postcode: Mapped[str] = mapped_column(String(20), default="")
    contact_person: Mapped[str] = mapped_column(String(200), default="")
    registration_no: Mapped[str] = mapped_column(String(60), default="")
    sector: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    watchlist: Mapped[bool] = mapped_column(Boolean, default=False)
    watchlist_reason: Mapped[str] = mapped_column(FreeText, default="")
    notes: Mapped[str] = mapped_column(FreeText, default="")

    __table_args__ = (Index("ix_employer_country_key", "country", "name_key"),)


class RecruitmentAgency(SyncMixin, Base):
    __tablename__ = "recruitment_agency"

    name: Mapped[str] = mapped_column(String(300), index=True)
    name_key: Mapped[str] = mapped_column(String(300), default=_name_key_default, server_default="")
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120), default="")
    licence_no: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    contact_person: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    watchlist: Mapped[bool] = mapped_column(Boolean, default=False)
    watchlist_reason: Mapped[str] = mapped_column(FreeText, default="")
    notes: Mapped[str] = mapped_column(FreeText, default="")

    __table_args__ = (Index("ix_recruitment_agency_country_key", "country", "name_key"),)


@event.listens_for(Employer, "before_update")
@event.listens_for(RecruitmentAgency, "before_update")
def _key_the_name_again(_mapper: Any, _connection: Any, target: Employer) -> None:
    target.name_key = organisation_key(target.name)


class PartnerOrganisation(SyncMixin, Base):
    """An NGO, lawyer, shelter or hotline a case can be referred to."""

    __tablename__ = "partner_organisation"

    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(FreeText, default="")


# -- cases ------------------------------------------------------------------------------------


def _holder_default(context: Any) -> str:
    """A new case is held by the mission that numbers it."""
    return str(context.get_current_parameters()["mission_code"])


class Case(SyncMixin, Base):
    __tablename__ = "case"

    number: Mapped[str] = mapped_column(String(32), unique=True)
    mission_code: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    employer_id: Mapped[str | None] = mapped_column(ForeignKey("employer.id"), index=True)
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("recruitment_agency.id"), index=True)
    host_country: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(24))
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    life_or_liberty_at_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(16), default="walk_in")
    description: Mapped[str] = mapped_column(FreeText, default="")
    # Amounts claimed for the worker: [{"amount": "1500000", "currency": "KRW",
    # "period_from": "2026-06-01", "period_to": "2026-08-31", "what": "unpaid_wages"}]
    claims: Mapped[list[Any]] = mapped_column(JSON, default=list)
    received_at: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64), default="")
    escalated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    wages_recovered_amount: Mapped[Decimal | None]
    wages_recovered_currency: Mapped[str | None] = mapped_column(String(3))
    documents_returned: Mapped[bool] = mapped_column(Boolean, default=False)
    repatriated: Mapped[bool] = mapped_column(Boolean, default=False)
    transferred_from: Mapped[str | None] = mapped_column(String(16))
    # The mission that holds the case and alone may change it through bundles: the mission that
    # opened it, until HQ transfers it (docs/bundle-format.md, "Who owns a record").
    holder_mission: Mapped[str] = mapped_column(
        String(16), default=_holder_default, server_default=""
    )
    anonymised_at: Mapped[datetime | None]

    categories: Mapped[list["CaseCategory"]] = relationship(
        cascade="all, delete-orphan", order_by="CaseCategory.code"
    )
    ilo_indicators: Mapped[list["CaseIloIndicator"]] = relationship(
        cascade="all, delete-orphan", order_by="CaseIloIndicator.code"
    )

    __table_args__ = (
        UniqueConstraint("mission_code", "year", "seq", name="uq_case_mission_year_seq"),
        # Covering indexes for the case list: the page of ids is found inside the index,
        # without decrypting table pages (see benchmarks/bench_search.py).
        Index(
            "ix_case_list_received",
            "received_at",
            "seq",
            "id",
            "status",
            "host_country",
            "deleted_at",
        ),
        Index(
            "ix_case_list_country",
            "host_country",
            "status",
            "received_at",
            "seq",
            "id",
            "deleted_at",
        ),
        Index("ix_case_list_status", "status", "received_at", "seq", "id", "deleted_at"),
        Index(
            "ix_case_list_officer",
            "assigned_to",
            "status",
            "received_at",
            "seq",
            "id",
            "deleted_at",
        ),
        Index("ix_case_list_due", "status", "due_date", "seq", "id", "deleted_at"),
        # The start page: cases where life or liberty is at risk, and recent activity.
        Index(
            "ix_case_list_risk",
            "life_or_liberty_at_risk",
            "status",
            "urgency",
            "seq",
            "id",
            "deleted_at",
        ),
        Index("ix_case_list_updated", "updated_at", "seq", "id", "deleted_at"),
        # Sorted by number, and filtered by urgency (migration 0013): the first page is the
        # index's first entries at any size, instead of a sort of every case.
        Index("ix_case_list_number", "year", "seq", "id", "deleted_at"),
        Index("ix_case_list_urgency", "urgency", "received_at", "seq", "id", "deleted_at"),
        # The search box: the full-text index yields case ids; looking each up here gives its
        # sort keys and filter columns without decrypting the (wide) case row, so the first
        # page of thousands of matches is sorted from this index alone.
        Index(
            "ix_case_by_id_list",
            "id",
            "deleted_at",
            "received_at",
            "seq",
            "status",
            "host_country",
            "urgency",
            "due_date",
            "updated_at",
            "assigned_to",
            "year",
        ),
        # Statistics count cases resolved or closed in a period (app/services/stats.py).
        Index("ix_case_resolved_at", "resolved_at"),
        Index("ix_case_closed_at", "closed_at"),
        # The dashboard's "now" figures (open by status and mission, overdue) read from this
        # index alone: through the mission index and the case rows they took 0.65 s at 300k
        # cases, a third of the dashboard (migration 0016). At a mission they leave out its
        # copies of cases HQ moved away, so the holder is in it too (migration 0021).
        Index(
            "ix_case_open_now",
            "status",
            "origin_mission",
            "due_date",
            "deleted_at",  # SQLite reads the index alone only if it holds its WHERE's columns
            "holder_mission",
            # On PostgreSQL the migration gives it the same WHERE. Naming postgresql_where here
            # would import SQLAlchemy's PostgreSQL dialect into every mission's start-up.
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


class CaseDayStat(Base):
    """How many cases count for a dashboard figure on one day, per mission, host country and
    officer (``officer`` '' for none). Derived, local, never exchanged: the triggers of
    migration 0008 keep it current in the statement that changes a case, category or ILO
    indicator. ``measure``: opened (``day`` = received), opened_employer / opened_agency /
    opened_category / opened_ilo (``key`` = the id or code), resolved, resolution_days
    (``key`` = the whole days from receipt), documents_returned, repatriated, wages (``key`` =
    currency, ``cents`` = the sum), closed; ``day`` is the UTC day of the event."""

    __tablename__ = "case_day_stat"

    measure: Mapped[str] = mapped_column(String(24), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    mission: Mapped[str] = mapped_column(String(16), primary_key=True)
    host_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    officer: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    # 64 bits on both engines (SQLite's INTEGER is; PostgreSQL's needs BIGINT: migration 0014).
    cents: Mapped[int] = mapped_column(Integer().with_variant(BigInteger(), "postgresql"))

    # The rows live in the primary key's own tree: a period's range is read without a second
    # lookup per row into a rowid table.
    __table_args__ = {"sqlite_with_rowid": False}


class CaseCategory(Base):
    """A complaint category of a case; travels inside the case record."""

    __tablename__ = "case_category"

    case_id: Mapped[str] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class CaseIloIndicator(Base):
    __tablename__ = "case_ilo_indicator"

    case_id: Mapped[str] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class CaseEvent(SyncMixin, Base):
    """One entry of a case's timeline."""

    __tablename__ = "case_event"

    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    author: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(FreeText, default="")
    status_from: Mapped[str | None] = mapped_column(String(24))
    status_to: Mapped[str | None] = mapped_column(String(24))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # Statistics find the moves to "referred" in a period without scanning every event.
    __table_args__ = (Index("ix_case_event_status_to", "status_to", "occurred_at"),)


# A case's files as its detail lists them (``app.services.cases.listed_attachments``): every
# column but the content, so that SQLite reads them from the index and never follows a file's
# overflow pages to reach the columns stored after it (migration 0020).
ATTACHMENT_LIST_COLUMNS = (
    "case_id",
    "deleted_at",
    "updated_at",
    "id",
    "filename",
    "mime_type",
    "size",
    "sha256",
    "is_identity_document",
    "identity_reason",
    "description",
    "added_by",
    "origin_mission",
    "version",
    "change_seq",
)


class Attachment(SyncMixin, Base):
    """A file kept inside the encrypted database; content is loaded only when asked for."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_case_id", *ATTACHMENT_LIST_COLUMNS),)

    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"))
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    is_identity_document: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why a scan of an identity document had to be kept (the law asks; see cases.py).
    identity_reason: Mapped[str] = mapped_column(FreeText, default="")
    description: Mapped[str] = mapped_column(FreeText, default="")
    added_by: Mapped[str] = mapped_column(String(64), default="")


class PartnerReferral(SyncMixin, Base):
    __tablename__ = "partner_referral"

    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner_organisation.id"), index=True)
    referred_at: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(FreeText, default="")
    outcome: Mapped[str] = mapped_column(FreeText, default="")


class ContractReview(SyncMixin, Base):
    """A review of a worker's employment contract, standalone or attached to a case."""

    __tablename__ = "contract_review"

    case_id: Mapped[str | None] = mapped_column(ForeignKey("case.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    host_country: Mapped[str] = mapped_column(String(2))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ilo_indicators: Mapped[list[Any]] = mapped_column(JSON, default=list)
    risk: Mapped[str] = mapped_column(String(16), index=True)
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)


# -- law --------------------------------------------------------------------------------------


class Agreement(SyncMixin, Base):
    """A treaty, agreement, memorandum or ILO convention in the library."""

    __tablename__ = "agreement"

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    title_kk: Mapped[str] = mapped_column(FreeText, default="")
    title_ru: Mapped[str] = mapped_column(FreeText, default="")
    title_en: Mapped[str] = mapped_column(FreeText, default="")
    parties: Mapped[list[Any]] = mapped_column(JSON, default=list)
    group: Mapped[str | None] = mapped_column(String(16))
    signed_on: Mapped[date | None] = mapped_column(Date)
    in_force_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(FreeText, default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mission_notes: Mapped[str] = mapped_column(FreeText, default="")

    provisions: Mapped[list["AgreementProvision"]] = relationship(
        back_populates="agreement", order_by="AgreementProvision.position"
    )


class AgreementProvision(SyncMixin, Base):
    __tablename__ = "agreement_provision"

    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreement.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    article: Mapped[str] = mapped_column(String(80))
    summary_kk: Mapped[str] = mapped_column(FreeText, default="")
    summary_ru: Mapped[str] = mapped_column(FreeText, default="")
    summary_en: Mapped[str] = mapped_column(FreeText, default="")
    categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the provision's text was checked, and when (docs/legal-sources.md).
    source: Mapped[str] = mapped_column(FreeText, default="", server_default="")
    checked_on: Mapped[date | None] = mapped_column(Date)

    agreement: Mapped[Agreement] = relationship(back_populates="provisions")

    __table_args__ = (UniqueConstraint("agreement_id", "slug", name="uq_provision_agreement_slug"),)


class LegalTable(SyncMixin, Base):
    """A reference table HQ maintains beside the agreements library (the host-country labour
    standards), kept whole as its JSON document so that it travels in the library bundle."""

    __tablename__ = "legal_table"

    name: Mapped[str] = mapped_column(String(40), unique=True)
    edition: Mapped[date] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseCitation(SyncMixin, Base):
    """A provision a case relies on; letters and reviews cite these."""

    __tablename__ = "case_citation"

    case_id: Mapped[str] = mapped_column(ForeignKey("case.id"), index=True)
    provision_id: Mapped[str] = mapped_column(ForeignKey("agreement_provision.id"), index=True)
    note: Mapped[str] = mapped_column(FreeText, default="")


# -- letters ----------------------------------------------------------------------------------


class Letter(SyncMixin, Base):
    """A letter in the outgoing register: drafted, approved, then issued with a number."""

    __tablename__ = "letter"

    case_id: Mapped[str | None] = mapped_column(ForeignKey("case.id"), index=True)
    mission_code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(Integer)
    outgoing_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    letter_date: Mapped[date | None] = mapped_column(Date)
    incoming_number: Mapped[str] = mapped_column(String(60), default="")
    incoming_date: Mapped[date | None] = mapped_column(Date)
    addressee: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject: Mapped[str] = mapped_column(FreeText, default="")
    free_text: Mapped[str] = mapped_column(FreeText, default="")
    # The facts and requests paragraphs: pre-filled in the letter's language, then edited.
    facts: Mapped[str] = mapped_column(FreeText, default="")
    requests: Mapped[str] = mapped_column(FreeText, default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attachments_note: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    content_digest: Mapped[str | None] = mapped_column(String(64))
    drafted_by: Mapped[str] = mapped_column(String(64), default="")
    approved_by: Mapped[str | None] = mapped_column(String(64))
    issued_by: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("mission_code", "year", "seq", name="uq_letter_mission_year_seq"),
    )


# -- audit and exchange -----------------------------------------------------------------------


class AuditEntry(Base):
    """Append-only; each row's hash covers its content and the previous row's hash."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    # One user's entries, the latest first (Settings → Audit log; migration 0024).
    __table_args__ = (Index("ix_audit_entry_actor_seq", "actor", "seq"),)


class AuditHead(Base):
    """A signed audit-chain head (``app/security/audit_anchor.py``).

    For this installation's own code: the head signed into its last exported bundle. For
    another installation: the latest head received from it, which its later bundles must extend.
    """

    __tablename__ = "audit_head"

    mission_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(40))
    signature: Mapped[str] = mapped_column(String(120))
    bundle_id: Mapped[str] = mapped_column(String(36), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditAnchor(Base):
    """The hash of one audit entry of another installation, as received in its bundles.

    Later bundles must agree with every hash kept here: an edited or cut history cannot.
    """

    __tablename__ = "audit_anchor"

    mission_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class ExchangeLog(Base):
    """A bundle sent or received."""

    __tablename__ = "exchange_log"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    bundle_id: Mapped[str] = mapped_column(String(36), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))
    peer_mission: Mapped[str] = mapped_column(String(16), default="")
    source_mission: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    change_seq_from: Mapped[int] = mapped_column(Integer, default=0)
    change_seq_to: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    actor: Mapped[str] = mapped_column(String(64), default="")
    # When the bundle was made: its signed manifest's created_at (``created_at`` is when it
    # was sent or received here). None in entries written before it was kept.
    made_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("bundle_id", "direction", name="uq_exchange_bundle_dir"),)


class SyncConflict(Base):
    """Two versions of one record with equal version numbers and different content."""

    __tablename__ = "sync_conflict"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    bundle_id: Mapped[str] = mapped_column(String(36))
    local_version: Mapped[int] = mapped_column(Integer)
    remote_version: Mapped[int] = mapped_column(Integer)
    local_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    remote_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(String(16))


# -- returnees ----------------------------------------------------------------------------------


class Returnee(SyncMixin, Base):
    """A returnee in the skills register (issue 24): what a worker learnt abroad, recorded with
    their consent (``returnee_register``) so that employment centres at home can use it.

    Owned like a case: when started from a case it hangs off that case (and belongs to the
    mission holding it); otherwise it belongs to the installation that made it (a mission, or HQ
    when the returnee contacted HQ). Codes only: ISCO-08 unit group, ISO 3166-2:KZ region,
    ISO 639-1 languages, ISO 3166-1 country of work."""

    __tablename__ = "returnee"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case.id"), index=True)
    occupation: Mapped[str] = mapped_column(String(4))
    years_abroad: Mapped[int] = mapped_column(Integer, default=0)
    certificates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    work_country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(8))
    wants_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    # The signed consent form's reference (number or note) and the day it was given.
    consent_reference: Mapped[str] = mapped_column(String(200), default="")
    consent_date: Mapped[date] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(FreeText, default="")
    # The certificates and note case-folded in one text, for the register's skill filter (JSON
    # keeps Cyrillic as \u escapes, which no LIKE finds); written by app/services/returnees.py.
    skills_text: Mapped[str] = mapped_column(FreeText, default="")
    anonymised_at: Mapped[datetime | None]

    __table_args__ = (
        # The register's list: filtered by occupation and region, newest first.
        Index("ix_returnee_list", "occupation", "region", "returned_on", "deleted_at"),
        Index("ix_returnee_region", "region", "returned_on", "deleted_at"),
    )


# HQ's overdue list in its default order (migration 0029): the most urgent first as a number
# that rises (critical 0 … low 3, an unknown code 4), then the longest overdue, then the number,
# so that one ascending index holds the list in order and a page is its next entries after the
# last row's key (``app/services/consolidation.py``). Literal SQL, in the query as in the index:
# both engines use an index on an expression, or with a WHERE, only for the very same text
# (bound values would not match).
OVERDUE_PRIORITY_SQL = (
    "CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 "
    "WHEN 'low' THEN 3 ELSE 4 END"
)
OPEN_CASES_SQL = (
    "deleted_at IS NULL AND status IN ('awaiting_response', 'in_progress', 'new', 'referred')"
)
Index(
    "ix_case_overdue_order",
    text(f"({OVERDUE_PRIORITY_SQL})"),  # PostgreSQL takes an expression in brackets
    Case.due_date,
    Case.number,
    Case.holder_mission,  # one mission's list: filtered in the index, not from each case row
    # PostgreSQL gets the same WHERE from the migration (see ix_case_open_now).
    sqlite_where=text(OPEN_CASES_SQL),
)


# The register's list in its order (``LIST_ORDER`` in app/services/returnees.py), the live
# records only (migration 0026). Named here with PostgreSQL's NULLS LAST; on SQLite, which takes
# no NULLS clause in an index, the migration writes DESC, which puts NULLs last there.
Index(
    "ix_returnee_order",
    Returnee.returned_on.desc().nulls_last(),
    Returnee.consent_date.desc(),
    Returnee.id,
    sqlite_where=text("deleted_at IS NULL AND anonymised_at IS NULL"),
)


SYNC_MODELS: tuple[type[SyncMixin], ...] = (
    Mission,
    Person,
    Employer,
    RecruitmentAgency,
    PartnerOrganisation,
    Case,
    CaseEvent,
    Attachment,
    PartnerReferral,
    ContractReview,
    Agreement,
    AgreementProvision,
    LegalTable,
    CaseCitation,
    Letter,
    Returnee,
)
