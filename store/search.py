"""Finding notices: one query function over both databases.

:func:`search_notices` filters notices (country, kind, HS code at any
level, source, published range, open comment deadline, case number) and,
given words, searches their full text ranked by relevance:

- SQLite: the FTS5 table ``notice_fts`` (external content: it indexes the
  ``notice`` table's title, external id and text; triggers keep it in
  step on every insert, update and delete), ranked by BM25;
- PostgreSQL: the expression :data:`PG_DOCUMENT`, indexed by the GIN index
  ``ix_notice_fulltext``, ranked by ``ts_rank``.

Both stem English words (``porter`` / ``english``), so "dye" finds "dyes";
every word given must occur (PostgreSQL: ``websearch_to_tsquery``, which
also takes "quoted phrases", ``or`` and ``-word``). Title and identifier
weigh more than the text. Without words, notices come newest first (by
publication date); words matching more than :data:`RANK_LIMIT` notices
list the most recently gathered first, and the page says it is not ranked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, literal_column, text
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from i18n import N_, gettext
from store.models import Case, CaseNotice, Notice, Tag

# The document PostgreSQL searches; the index of migration 0009 is built on this very
# expression (the planner uses the index only for the same expression). The text is
# cut at 200,000 characters: a tsvector holds at most 1 MB.
PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(notice.title, '') || ' ' || "
    "notice.external_id), 'A') || "
    "to_tsvector('english'::regconfig, left(coalesce(notice.text, ''), 200000))"
)
PG_INDEX_DOCUMENT = PG_DOCUMENT.replace("notice.", "")

MAX_QUERY_CHARS = 500
# Words matching more notices than this (on SQLite: whatever the other filters) are
# listed newest first: scoring every match of a word found nearly everywhere costs
# seconds and ranks nothing useful.
RANK_LIMIT = 10_000
MAX_PAGE = 500
_WORD = re.compile(r"\w+")

_SQLITE_SYNC = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS notice_fts USING fts5(
        title, external_id, text, content='notice', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS notice_fts_inserted AFTER INSERT ON notice BEGIN
        INSERT INTO notice_fts(rowid, title, external_id, text)
        VALUES (new.id, new.title, new.external_id, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS notice_fts_deleted AFTER DELETE ON notice BEGIN
        INSERT INTO notice_fts(notice_fts, rowid, title, external_id, text)
        VALUES ('delete', old.id, old.title, old.external_id, old.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS notice_fts_updated AFTER UPDATE OF title, external_id, text ON notice
    BEGIN
        INSERT INTO notice_fts(notice_fts, rowid, title, external_id, text)
        VALUES ('delete', old.id, old.title, old.external_id, old.text);
        INSERT INTO notice_fts(rowid, title, external_id, text)
        VALUES (new.id, new.title, new.external_id, new.text);
    END""",
)


def install_sqlite_index(connection: Connection, *, rebuild: bool) -> None:
    """Create the FTS5 table and its triggers if missing; ``rebuild`` indexes
    every notice again. Idempotent: a later migration that rebuilds the
    ``notice`` table (SQLite batch mode drops its triggers) is followed by it."""
    for statement in _SQLITE_SYNC:
        connection.exec_driver_sql(statement)
    # FTS5's own "rank" (ORDER BY rank): BM25 with title and identifier weighing ten times the text.
    connection.exec_driver_sql(
        "INSERT INTO notice_fts(notice_fts, rank) VALUES ('rank', 'bm25(10.0, 10.0, 1.0)')"
    )
    if rebuild:
        connection.exec_driver_sql("INSERT INTO notice_fts(notice_fts) VALUES ('rebuild')")


class QueryRefused(ValueError):
    """A search parameter that cannot be understood: ``field`` names it,
    ``problem`` (an English message id with ``%(value)s`` fields) says why."""

    def __init__(self, field: str, problem: str, **values: Any) -> None:
        super().__init__(f"{field}: {problem % values}")
        self.field, self.problem, self.values = field, problem, values

    def message(self, lang: str) -> str:
        """The refusal in ``lang``, naming the parameter."""
        return f"{self.field}: {gettext(lang, self.problem) % self.values}"


@dataclass(frozen=True)
class NoticeQuery:
    """What to find; empty fields do not filter."""

    q: str = ""
    country: str = ""
    doc_type: str = ""
    hs: str = ""  # digits of an HS code at any level: 44, 4418, 441875
    source: str = ""
    published_from: date | None = None
    published_to: date | None = None
    deadline_within: int | None = None  # comment deadline from today to today + N days
    case_number: str = ""

    def params(self) -> dict[str, str]:
        """The query as URL parameters (empty ones left out)."""
        values = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return {k: str(v) for k, v in values.items() if v not in ("", None)}


@dataclass
class NoticePage:
    notices: list[Notice]
    total: int
    offset: int
    limit: int
    tags: dict[int, list[Tag]] = field(default_factory=dict)
    ranked: bool = False  # ordered by relevance (else newest first)

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset > 0 else None


def parse_query(params: Mapping[str, str]) -> NoticeQuery:
    """A :class:`NoticeQuery` from URL or command-line parameters; raises
    :class:`QueryRefused` naming the first parameter that is not understood."""
    q = params.get("q", "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryRefused(
            "q", N_("%(value)s characters: at most %(limit)s"), value=len(q), limit=MAX_QUERY_CHARS
        )
    hs = params.get("hs", "").replace(".", "").replace(" ", "")
    if hs and not (hs.isdigit() and hs.isascii() and 2 <= len(hs) <= 10):
        raise QueryRefused("hs", N_("expected an HS code of 2 to 10 digits, like 44, 4418 or 4418.75"))
    country = params.get("country", "").strip().upper()
    if country and not (len(country) == 2 and country.isalpha() and country.isascii()):
        raise QueryRefused("country", N_("expected a two-letter code like US or EU"))
    return NoticeQuery(
        q=q,
        country=country,
        doc_type=params.get("doc_type", "").strip(),
        hs=hs,
        source=params.get("source", "").strip(),
        published_from=_date(params, "published_from"),
        published_to=_date(params, "published_to"),
        deadline_within=_days(params, "deadline_within"),
        case_number=params.get("case_number", "").strip(),
    )


def _date(params: Mapping[str, str], name: str) -> date | None:
    value = params.get(name, "").strip()
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise QueryRefused(name, N_("%(value)r is not a date like 2026-12-01"), value=value) from None


def _days(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if not (value.isdigit() and value.isascii() and int(value) <= 3660):
        raise QueryRefused(name, N_("%(value)r: expected a number of days from 0 to 3660"), value=value)
    return int(value)


def parse_paging(params: Mapping[str, str], default_limit: int = 50) -> tuple[int, int]:
    """(offset, limit) from ``offset`` and ``limit``; raises :class:`QueryRefused`."""
    values = []
    for name, default, top in (("offset", 0, 10**9), ("limit", default_limit, MAX_PAGE)):
        raw = params.get(name, "").strip() or str(default)
        if not (raw.isdigit() and raw.isascii() and int(raw) <= top and (name == "offset" or int(raw) >= 1)):
            low = 0 if name == "offset" else 1
            problem = N_("%(value)r: expected a whole number from %(low)s to %(top)s")
            raise QueryRefused(name, problem, value=raw, low=low, top=top)
        values.append(int(raw))
    return values[0], values[1]


def search_notices(
    session: Session, query: NoticeQuery, *, today: date, offset: int = 0, limit: int = 50
) -> NoticePage:
    """The notices matching ``query``: best matches first when it has words
    (and at most :data:`RANK_LIMIT` notices match), else newest first;
    ``limit`` of them from ``offset``, the total, and their tags."""
    postgres = session.get_bind().dialect.name == "postgresql"
    words_only = not postgres and _WORD.search(query.q) and query == NoticeQuery(q=query.q)
    statement = _fts_only(query.q) if words_only else _filtered(query, today, postgres)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ranked = bool(_WORD.search(query.q)) and _word_matches(session, query.q, postgres, total) <= RANK_LIMIT
    if words_only:
        # The full-text table alone answers: no lookup of every matching notice row.
        order: list[Any] = [literal_column("rank") if ranked else literal_column("rowid").desc()]
    elif ranked:
        statement, rank = _ranked(statement, query.q, postgres)
        order = [rank, col(Notice.id).desc()]
    elif query.q:
        order = [col(Notice.id).desc()]  # the most recently gathered first: cheap on any number
    else:
        published = col(Notice.published_on).desc()
        # SQLite puts NULLs last in a descending order already (and then uses the index).
        order = [published.nulls_last() if postgres else published, col(Notice.id).desc()]
    # Order and cut the ids alone, then load those rows: sorting whole rows (texts
    # of many kilobytes) of every match is what would make a broad search slow.
    ids = list(session.exec(statement.order_by(*order).offset(offset).limit(limit)))
    loaded = {n.id: n for n in session.exec(select(Notice).where(col(Notice.id).in_(ids)))} if ids else {}
    notices = [loaded[i] for i in ids if i in loaded]
    return NoticePage(notices, total, offset, limit, tags_of(session, notices), ranked)


def all_matching(session: Session, query: NoticeQuery, *, today: date, cap: int) -> NoticePage:
    """Every matching notice up to ``cap`` (an export of the current result)."""
    return search_notices(session, query, today=today, offset=0, limit=cap)


def tags_of(session: Session, notices: Sequence[Notice]) -> dict[int, list[Tag]]:
    found: dict[int, list[Tag]] = defaultdict(list)
    ids = [n.id for n in notices]
    for tag in session.exec(select(Tag).where(col(Tag.notice_id).in_(ids)).order_by(col(Tag.code))):
        found[tag.notice_id].append(tag)
    return dict(found)


def _filtered(query: NoticeQuery, today: date, postgres: bool) -> Any:
    statement = select(Notice.id)
    for column, value in (
        (Notice.country, query.country),
        (Notice.doc_type, query.doc_type),
        (Notice.source, query.source),
    ):
        if value:
            statement = statement.where(column == value)
    if query.published_from:
        statement = statement.where(col(Notice.published_on) >= query.published_from)
    if query.published_to:
        statement = statement.where(col(Notice.published_on) <= query.published_to)
    if query.deadline_within is not None:
        last = today + timedelta(days=query.deadline_within)
        statement = statement.where(col(Notice.comment_deadline).between(today, last))
    if query.hs:
        tagged = select(Tag.notice_id).where(col(Tag.code).startswith(query.hs))
        statement = statement.where(col(Notice.id).in_(tagged))
    if query.case_number:
        in_case = (
            select(CaseNotice.notice_id)
            .join(Case, col(Case.id) == col(CaseNotice.case_id))
            .where(func.upper(Case.case_number) == query.case_number.upper())
        )
        statement = statement.where(col(Notice.id).in_(in_case))
    if _WORD.search(query.q):
        statement = statement.where(_words(query.q, postgres))
    return statement


def _word_matches(session: Session, q: str, postgres: bool, total: int) -> int:
    """How many notices hold the words of ``q`` whatever the filters (SQLite
    scores every one of them to rank even a filtered few); else ``total``."""
    if postgres or not _WORD.search(q):
        return total
    return int(session.exec(select(func.count()).select_from(_fts_only(q).subquery())).one())


def _fts_only(q: str) -> Any:
    """The ids of the notices holding the words of ``q``, from SQLite's index alone."""
    statement: Any = select(literal_column("rowid")).select_from(text("notice_fts"))
    return statement.where(text("notice_fts MATCH :fts").bindparams(fts=fts5_query(q)))


def _words(q: str, postgres: bool) -> Any:
    """The condition that a notice holds the words of ``q``."""
    if postgres:
        return text(f"({PG_DOCUMENT}) @@ websearch_to_tsquery('english', :q)").bindparams(q=q)
    matching: Any = select(literal_column("rowid")).select_from(text("notice_fts"))
    matching = matching.where(text("notice_fts MATCH :fts").bindparams(fts=fts5_query(q)))
    return col(Notice.id).in_(matching)


def _ranked(statement: Any, q: str, postgres: bool) -> tuple[Any, Any]:
    """``statement`` with the rank of each match, and the rank to order by (best first)."""
    if postgres:
        rank = text(f"ts_rank({PG_DOCUMENT}, websearch_to_tsquery('english', :q)) DESC").bindparams(q=q)
        return statement, rank
    scored = (
        select(
            literal_column("rowid").label("notice_id"),
            literal_column("bm25(notice_fts, 10.0, 10.0, 1.0)").label("rank"),
        )
        .select_from(text("notice_fts"))
        .where(text("notice_fts MATCH :fts").bindparams(fts=fts5_query(q)))
        .subquery()
    )
    statement = statement.join(scored, scored.c.notice_id == col(Notice.id))
    return statement, scored.c.rank.asc()


def fts5_query(q: str) -> str:
    """``q`` as an FTS5 query that cannot be a syntax error: each
    space-separated chunk a phrase of its words (``A-570-970`` finds the
    words A 570 970 in a row), every chunk required."""
    chunks = [_WORD.findall(chunk) for chunk in q.split()]
    return " ".join('"' + " ".join(words) + '"' for words in chunks if words)
