"""Full-text search over cases, people, employers and notes (SQLite FTS5, or PostgreSQL).

One row of ``search_index`` per case holds everything a user may type to find it: number,
names in both scripts, IIN, passport, employer, agency, description and timeline notes. Beside
the text itself the row carries its cross-script keys (``app.domain.translit``), so that
``Nurlan Abenov``, ``Нурлан`` and ``нұрлан`` all find ``Нұрлан Әбенов``.

User input never reaches FTS5 syntax: each token is reduced to letters and digits and quoted.
This is the only module that knows how each engine indexes: on SQLCipher an FTS5 table; on
PostgreSQL (an HQ on a server, migration 0012) a ``tsvector`` of the very same words and keys,
written as lexemes (no parser, no locale in between) and matched by prefix through a GIN index.
Both have ``search_index_map`` (a document number per record); a match expression is
written once, in FTS5 syntax, and becomes a ``tsquery`` when bound on PostgreSQL.

A case's rowid in the index (its *doc*) is made from the list's default sort key, the date it
was received and its sequence number (``doc_base``), so the index yields its matches newest
first: the first page of a search is the first 200 matches read, not a sort of thousands.
``index_cases`` moves a case's row when its date changes (migration 0013 renumbered the rows
written before).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    Label,
    MetaData,
    Select,
    SQLColumnExpression,
    String,
    Table,
    TypeDecorator,
    bindparam,
    select,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import InternalTraversal

from app.db.listed import one_of
from app.db.models import Case, CaseEvent, Employer, Person, RecruitmentAgency
from app.db.postgres import copy_rows
from app.domain.keyboard import as_latin_keys
from app.domain.text import bare_text, fit_text
from app.domain.translit import normalise_query_token, search_keys
from app.services.rows import with_worker_and_employer

CASE = "case"
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TOKENS = 8
_CYRILLIC = re.compile("[\u0400-\u04ff„]")
_NUMBER = re.compile(r"[A-Za-z0-9/.\-]+")
_NUMBER_DIGITS = 4
# An IIN in groups (781020 402491, 781020-402491) and a passport number with a space after its
# letter (N 33461188), as a form or a copied document may write them: the index holds each as
# one word, and the groups as words matched nothing. Not inside a case number (SEL-2026-0042).
_DIGIT_GROUPS = re.compile(r"(?<![\w-])\d+(?:[ -]\d+)+(?![\w-])")
_LETTER_THEN_DIGITS = re.compile(r"(?<![\w-])([^\W\d_])[ -](\d{6,11})(?![\w-])")
_IIN_DIGITS = 12
_CHUNK = 500
# A step of ``merge_index_step``: about 0.15 s holding the write lock at 300,000 cases, where
# the whole index (440 MB) merged in one transaction held it 9 s.
MERGE_PAGES = 2_000
# The rowid map as a Core table, for queries built with select() (the FTS table stays raw SQL).
_MAP = Table(
    "search_index_map",
    MetaData(),
    Column("doc", Integer, primary_key=True),
    Column("ref_id", String, nullable=False),
)
# The FTS5 table as far as select() needs it: its rowid and the hidden column named after it.
_FTS = Table("search_index", MetaData(), Column("rowid", Integer), Column("search_index", String))

# A doc is (received_at's day number, seq, slot) packed into one positive 63-bit integer; the
# slot tells apart cases received the same day with the same number (missions at HQ).
SEQ_BITS = 22
SLOT_BITS = 21
_MAX_SEQ = (1 << SEQ_BITS) - 1
_SLOTS = 1 << SLOT_BITS


_POSTGRESQL = "postgresql"
_FTS_TERM = re.compile(r'"([^\W_]+)"\*')


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == _POSTGRESQL


def _as_tsquery(match: str) -> str:
    """An ``fts_query`` in tsquery syntax: ``("a"* OR "b"*) AND ("c"*)`` → ``('a':* | 'b':*) &
    ('c':*)``. Its terms are letters and digits only, so nothing needs escaping."""
    terms = _FTS_TERM.sub(lambda found: f"'{_fold(found.group(1))}':*", match)
    return terms.replace(" OR ", " | ").replace(" AND ", " & ")


class _MatchExpression(TypeDecorator[str]):
    """An ``fts_query``, bound as it is on SQLite and as a tsquery on PostgreSQL."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or dialect.name != _POSTGRESQL:
            return value
        return _as_tsquery(value)


class _DocMatches(ColumnElement[Any]):
    """``search_index_map.doc`` is among the documents matching an ``fts_query``."""

    type = NullType()  # not Boolean: SQLite would compare the IN with "= 1" and lose its plan
    inherit_cache = True
    _traverse_internals = [("tsmatch", InternalTraversal.dp_clauseelement)]

    def __init__(self, match: str) -> None:
        self.tsmatch: BindParameter[str] = bindparam(None, match, type_=_MatchExpression())


@compiles(_DocMatches)
def _fts5_matches(element: _DocMatches, compiler: Any, **kw: Any) -> str:
    match = compiler.process(element.tsmatch, **kw)
    return (
        f"search_index_map.doc IN (SELECT rowid FROM search_index WHERE search_index MATCH {match})"
    )


@compiles(_DocMatches, _POSTGRESQL)
def _tsquery_matches(element: _DocMatches, compiler: Any, **kw: Any) -> str:
    match = compiler.process(element.tsmatch, **kw)
    return (
        "search_index_map.doc IN (SELECT doc FROM search_index "
        f"WHERE lexemes @@ CAST({match} AS tsquery))"
    )


class _IndexDoc(ColumnElement[int]):
    """The index row's document number: FTS5's ``rowid``, PostgreSQL's ``doc`` column."""

    type = Integer()
    inherit_cache = True
    _traverse_internals: list[Any] = []


@compiles(_IndexDoc)
def _fts5_doc(element: _IndexDoc, compiler: Any, **kw: Any) -> str:
    return "search_index.rowid"


@compiles(_IndexDoc, _POSTGRESQL)
def _tsvector_doc(element: _IndexDoc, compiler: Any, **kw: Any) -> str:
    return "search_index.doc"


class _IndexMatches(_DocMatches):
    """The joined index row matches an ``fts_query``."""

    inherit_cache = True


@compiles(_IndexMatches)
def _fts5_row_matches(element: _IndexMatches, compiler: Any, **kw: Any) -> str:
    return f"search_index MATCH {compiler.process(element.tsmatch, **kw)}"


@compiles(_IndexMatches, _POSTGRESQL)
def _tsvector_row_matches(element: _IndexMatches, compiler: Any, **kw: Any) -> str:
    return f"search_index.lexemes @@ CAST({compiler.process(element.tsmatch, **kw)} AS tsquery)"


@lru_cache(maxsize=200_000)
def _word_keys(word: str) -> str:
    return search_keys(word)


# What of a person the search finds them by: their names in both scripts and their numbers.
PERSON_SEARCH_COLUMNS = (
    Person.surname,
    Person.given_names,
    Person.patronymic,
    Person.surname_latin,
    Person.given_names_latin,
    Person.iin,
    Person.passport_no,
)


def _keys(text_: str) -> str:
    """``search_keys`` of a whole text, word by word: names and common words repeat a lot."""
    return " ".join(filter(None, map(_word_keys, text_.split())))


def _case_documents(session: Session, case_ids: Sequence[str]) -> list[tuple[str, str]]:
    columns = select(
        Case.id,
        Case.number,
        Case.description,
        *PERSON_SEARCH_COLUMNS,
        Employer.name,
        RecruitmentAgency.name,
    )
    rows = session.execute(
        with_worker_and_employer(columns)
        .outerjoin(RecruitmentAgency, RecruitmentAgency.id == Case.agency_id)
        .where(one_of(Case.id, case_ids))
    ).all()
    notes: dict[str, list[str]] = {}
    for case_id, note in session.execute(
        select(CaseEvent.case_id, CaseEvent.text).where(
            one_of(CaseEvent.case_id, case_ids),
            CaseEvent.text != "",
            CaseEvent.kind.in_(("note", "call", "meeting", "visit")),
        )
    ):
        notes.setdefault(case_id, []).append(note)
    docs = []
    for row in rows:
        person = row[3:10]
        names = " ".join(part or "" for part in person[:5])
        # Bare: a zero-width space or a decomposed «й» in a name stored before text was
        # cleaned split its word, and the name as typed did not find it.
        plain = bare_text(
            " ".join(
                str(part)
                for part in (
                    row.number,
                    names,
                    person[5] or "",
                    person[6] or "",
                    row[10] or "",
                    row[11] or "",
                    row.description,
                    *notes.get(row.id, ()),
                )
                if part
            )
        )
        docs.append((row.id, f"{plain} {_keys(plain)}"))
    return docs


def doc_base(received_at: date, seq: int) -> int:
    """The first doc of the cases received that day with that number: docs sort as the list
    does by default (received_at, then seq)."""
    return ((received_at.toordinal() << SEQ_BITS) | min(max(seq, 0), _MAX_SEQ)) << SLOT_BITS


def _existing_docs(session: Session, ref_ids: Sequence[str]) -> dict[str, int]:
    rows = session.execute(select(_MAP.c.ref_id, _MAP.c.doc).where(one_of(_MAP.c.ref_id, ref_ids)))
    return {ref: int(doc) for ref, doc in rows}


def _doc_ids(session: Session, case_ids: Sequence[str]) -> dict[str, int]:
    """Each case's rowid in the index, placed by its sort key (``doc_base``).

    A case whose date or number changed gets a new doc and its old row is removed; a case
    that no longer exists loses its row and gets none.
    """
    bases = {
        case_id: doc_base(received_at, seq)
        for case_id, received_at, seq in session.execute(
            select(Case.id, Case.received_at, Case.seq).where(one_of(Case.id, case_ids))
        )
    }
    docs = _existing_docs(session, case_ids)
    stale = {
        ref: doc
        for ref, doc in docs.items()
        if ref not in bases or doc - doc % _SLOTS != bases[ref]
    }
    if stale:
        _delete_docs(session, stale.values())
        session.execute(
            _MAP.delete().where(one_of(_MAP.c.ref_id, stale)),
        )
    placed = [case_id for case_id in bases if case_id not in docs or case_id in stale]
    if placed and _on_server(session):
        _place_at_once(session, [bases[ref] for ref in placed], placed)
        docs.update(_existing_docs(session, placed))
    elif placed:
        # Row by row in one prepared statement, so each sees the slots taken just before it.
        session.execute(
            text(
                "INSERT INTO search_index_map (doc, ref_id) VALUES ("
                "(SELECT coalesce(max(doc) + 1, :base) FROM search_index_map "
                "WHERE doc BETWEEN :base AND :last), :ref)"
            ),
            [{"base": bases[ref], "last": bases[ref] + _SLOTS - 1, "ref": ref} for ref in placed],
        )
        docs.update(_existing_docs(session, placed))
    return {ref: doc for ref, doc in docs.items() if ref in bases}


def _place_at_once(session: Session, bases: list[int], refs: list[str]) -> None:
    """PostgreSQL: the slots the row-by-row insert gives, in one statement rather than a
    statement per case (some 0.1 s of a 10k bundle's 2–3 s of indexing). A statement does not
    see its own rows, so the cases of one base are numbered after the highest slot taken
    before it, in order."""
    session.execute(
        text(
            "INSERT INTO search_index_map (doc, ref_id) "
            "SELECT coalesce((SELECT max(m.doc) FROM search_index_map m "
            "WHERE m.doc BETWEEN p.base AND p.base + :slots - 1), p.base - 1) "
            "+ row_number() OVER (PARTITION BY p.base ORDER BY p.n), p.ref "
            "FROM unnest(CAST(:bases AS bigint[]), CAST(:refs AS varchar[])) "
            "WITH ORDINALITY AS p(base, ref, n)"
        ),
        {"slots": _SLOTS, "bases": bases, "refs": refs},
    )


def _delete_docs(session: Session, docs: Iterable[int]) -> None:
    column = "doc" if _on_server(session) else "rowid"
    session.execute(
        text(f"DELETE FROM search_index WHERE {column} IN :docs").bindparams(
            bindparam("docs", expanding=True)
        ),
        {"docs": list(docs)},
    )


def index_cases(session: Session, case_ids: Iterable[str]) -> None:
    """(Re)write the index rows of these cases, inside the caller's transaction."""
    ids = list(case_ids)
    if ids and _on_server(session):
        # Two writers placing docs at once (two HQ users' catch-up of one import, or two
        # missions' cases received the same day with the same number) would both take the
        # same free slot: the second failed on the map's key. One indexer at a time, until
        # its transaction ends; the next then sees the slots taken.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('qorgau-search-index'))"))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        docs = _doc_ids(session, chunk)
        _delete_docs(session, docs.values())
        rows = _case_documents(session, chunk)
        if rows and _on_server(session):
            copy_rows(
                session.connection(),
                "COPY search_index (doc, ref_kind, ref_id, case_id, lexemes) FROM STDIN",
                (
                    (docs[case_id], CASE, case_id, case_id, _tsvector(_lexemes(body)))
                    for case_id, body in rows
                ),
            )
        elif rows:
            # In ascending rowid: FTS5 writes out the terms it holds as a new segment whenever
            # a row's rowid is below the one before, and the docs follow the dates received,
            # not the order written (a CSV batch of 1,000 rows made some 500 segments, each
            # then merged, instead of one).
            session.execute(
                text(
                    "INSERT INTO search_index (rowid, ref_kind, ref_id, case_id, body) "
                    "VALUES (:doc, :kind, :id, :id, :body)"
                ),
                [
                    {"doc": docs[case_id], "kind": CASE, "id": case_id, "body": body}
                    for case_id, body in sorted(rows, key=lambda row: docs[row[0]])
                ],
            )


def _tsvector(words: Iterable[str]) -> str:
    """``words`` as a ``tsvector`` literal: each quoted, its quotes and backslashes doubled,
    no positions (what ``array_to_tsvector`` makes of the same words)."""
    quoted = (word.replace("\\", "\\\\").replace("'", "''") for word in words)
    return " ".join(f"'{word}'" for word in quoted)


def _lexemes(body: str) -> list[str]:
    """The words of an index row as FTS5's tokenizer sees them: letters and digits, lower-case.

    The cross-script keys fold diacritics already; FTS5 also drops them from the spelling as
    typed (``remove_diacritics 2``), which the query side does here the same way."""
    return sorted({_fold(word.lower()) for word in _TOKEN.findall(body)})


@lru_cache(maxsize=1 << 16)  # names, places and keys repeat across cases: an import folds each once
def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def merge_index_step(session: Session, pages: int = MERGE_PAGES) -> bool:
    """Merge the index's segments by about ``pages`` pages written, in the caller's
    transaction; whether there was anything to merge. Steps until there is not leave one
    segment, without the terms of the rows removed, as FTS5's 'optimize' does in one go.
    PostgreSQL's autovacuum does that there: False.

    FTS5's 'merge' with a negative count takes every segment as one level, as 'optimize'
    does; it changed something (``total_changes`` up by 2 or more) when it found work."""
    if _on_server(session):
        return False
    changes = text("SELECT total_changes()")
    before = session.execute(changes).scalar_one()
    session.execute(
        text("INSERT INTO search_index(search_index, rank) VALUES ('merge', :pages)"),
        {"pages": -pages},
    )
    return int(session.execute(changes).scalar_one()) - int(before) >= 2


def remove_cases(session: Session, case_ids: Iterable[str]) -> None:
    ids = list(case_ids)
    if ids:
        _delete_docs(session, _existing_docs(session, ids).values())


def numbers_as_meant(user_text: str) -> str:
    """A case, passport or IIN number typed with a Cyrillic layout on, read back as the keys
    pressed: «ЫУД-2026-0042» and «Т94406560» (Russian), «ЫУДөәқә,өққңә» (Kazakh: its number
    row holds letters) are SEL-2026-0042 and N94406560. Only a word that then reads as a
    number (four digits or more, with Latin letters, - / .) is read back: a name stays a name.
    An IIN typed in groups and a passport number with a space after its letter are joined."""
    words = _numbers_joined(user_text).split()
    for at, word in enumerate(words):
        if _CYRILLIC.search(word):
            meant = as_latin_keys(word)
            digits = sum(ch.isdigit() for ch in meant)
            if digits >= _NUMBER_DIGITS and _NUMBER.fullmatch(meant):
                words[at] = meant
    return " ".join(words)


def _numbers_joined(user_text: str) -> str:
    def iin(groups: re.Match[str]) -> str:
        digits = re.sub("[ -]", "", groups.group())
        return digits if len(digits) == _IIN_DIGITS else groups.group()

    return _LETTER_THEN_DIGITS.sub(r"\1\2", _DIGIT_GROUPS.sub(iin, user_text))


def case_number_typed(text_: str) -> str:
    """A case number as typed, in the form the register keeps it (``SEL-2026-0042``), also
    when typed with a Cyrillic layout on. What no field shows (half of a character a broken
    paste left) is no part of it: it failed the lookup with an internal error."""
    return numbers_as_meant(fit_text(text_).strip()).upper()


def fts_query(user_text: str) -> str | None:
    """An FTS5 MATCH expression for what the user typed, or None when nothing is searchable.

    Each token matches as a prefix, in its own spelling or in its cross-script key; all tokens
    must match. Only letters and digits survive, each token is quoted, so quotes, ``AND``,
    ``*``, ``-`` and parentheses are plain text.
    """
    typed = numbers_as_meant(bare_text(user_text))
    tokens = [t.lower() for t in _TOKEN.findall(typed)][:MAX_TOKENS]
    clauses = []
    for token in tokens:
        variants = {token}
        key = normalise_query_token(token)
        if key:
            variants.add(key)
        clauses.append("(" + " OR ".join(f'"{v}"*' for v in sorted(variants)) + ")")
    return " AND ".join(clauses) if clauses else None


def typed_words_start(user_text: str, words: Iterable[str | None]) -> bool:
    """Whether every token the user typed begins one of ``words``, as a search matches: in
    its own spelling (case aside) or in its cross-script key. Checks a few candidates the
    index found against the fields a caller cares about (say, a person's names)."""
    typed = numbers_as_meant(bare_text(user_text))
    tokens = [t.casefold() for t in _TOKEN.findall(typed)][:MAX_TOKENS]
    own = [w.casefold() for text_ in words if text_ for w in _TOKEN.findall(bare_text(text_))]
    keys = [_word_keys(w) for w in own]
    for token in tokens:
        key = normalise_query_token(token)
        if not any(w.startswith(token) for w in own) and not (
            key and any(k.startswith(key) for k in keys)
        ):
            return False
    return bool(tokens)


def matching_case_ids(match: str) -> Select[tuple[str]]:
    """The ids of the cases whose index row matches ``match`` (an ``fts_query``), as a subquery.

    The match yields rowids, which ``search_index_map`` turns into ids through its primary key;
    reading ``ref_id`` from the FTS table itself would fetch each matching row's UNINDEXED
    column from the FTS content, several times slower on a large mission.
    """
    return select(_MAP.c.ref_id).where(_DocMatches(match))


def newest_matches_first(
    query: Select[str],
    case_id: SQLColumnExpression[str],
    match: str,
    descending: bool = True,
) -> tuple[Select[Any], list[Label[Any]]]:
    """``query`` (over cases) kept to the cases matching ``match``, ordered by the list's
    default key, received_at then seq (descending unless told), as the index yields them;
    and its sort key, added to the query's columns, to order its rows by elsewhere.

    SQLite reads the matches in rowid order and stops at the query's LIMIT: the first page
    of a search costs its page, not a sort of every match.
    """
    doc = _IndexDoc()
    position = doc.label("search_position")
    ordered = (
        query.add_columns(position)
        .join(_MAP, _MAP.c.ref_id == case_id)
        .join(_FTS, doc == _MAP.c.doc)
        .where(_IndexMatches(match))
        .order_by(doc.desc() if descending else doc.asc())
    )
    return ordered, [position]


@dataclass(frozen=True)
class CaseMatch:
    case_id: str
    rank: float


def search_case_ids(session: Session, user_text: str, limit: int = 50) -> list[CaseMatch]:
    query = fts_query(user_text)
    if query is None:
        return []
    if _on_server(session):
        rows = session.execute(
            text(
                "SELECT ref_id, -ts_rank(lexemes, CAST(:q AS tsquery)) AS rank FROM search_index "
                "WHERE lexemes @@ CAST(:q AS tsquery) AND ref_kind = :kind "
                "ORDER BY rank, ref_id LIMIT :limit"
            ),
            {"q": _as_tsquery(query), "kind": CASE, "limit": limit},
        ).all()
        return [CaseMatch(row[0], float(row[1])) for row in rows]
    rows = session.execute(
        text(
            "SELECT ref_id, rank FROM search_index WHERE search_index MATCH :q "
            "AND ref_kind = :kind ORDER BY rank LIMIT :limit"
        ),
        {"q": query, "kind": CASE, "limit": limit},
    ).all()
    return [CaseMatch(row[0], float(row[1])) for row in rows]
