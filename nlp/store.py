"""The SQLite store: schema, migrations and every read and write. No other module speaks SQL.

One file, WAL mode. Each ``save_*`` call is one transaction, so a process killed at any point
leaves either the whole batch or none of it, and re-running the same command ends in the same
database. Articles are never overwritten; extractions replace an article's mentions and events and
set its ``extractor`` mark in the same transaction.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import sqlite_utils

from nlp.errors import StoreError
from nlp.records import (
    ARTICLE_COLUMNS,
    EVENT_COLUMNS,
    MENTION_COLUMNS,
    Article,
    Event,
    Mention,
)
from nlp.sources.articles import canonical_url, now_iso, text_hash

log = logging.getLogger(__name__)

PAGE_SIZE = 500
FEED_FIELDS = ("name", "etag", "last_modified", "last_fetched", "last_status", "last_error")
_ID_CHUNK = 500  # stays below SQLite's limit on bound parameters


# --------------------------------------------------------------------------- schema


def _sql_types(record_type: type) -> dict[str, type]:
    """Column types of a record dataclass: bools and ints as INTEGER, floats REAL, the rest TEXT."""
    types: dict[str, type] = {}
    for field in fields(record_type):
        hint = str(field.type)
        if "bool" in hint or hint.startswith("int"):
            types[field.name] = int
        elif "float" in hint:
            types[field.name] = float
        else:
            types[field.name] = str
    return types


def _create_articles(db: sqlite_utils.Database) -> None:
    """Articles, unique on id, canonical URL (when known) and text hash, with full-text search."""
    articles = db.table("articles")
    articles.create(_sql_types(Article), pk="id", not_null={"text"}, defaults={"status": "ok"})
    articles.create_index(["canonical_url"], unique=True)
    articles.create_index(["text_hash"], unique=True)
    articles.enable_fts(["title", "text"], tokenize="porter")
    # Our own triggers rather than enable_fts(create_triggers=True): setting the extractor mark
    # must not re-index the whole text, so the update trigger fires on title/text changes only.
    db.executescript(
        """
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
          INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
          INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        """
    )


def _create_extractions(db: sqlite_utils.Database) -> None:
    """Mentions (with an integer id) and events (keyed by their stable event_id), indexed."""
    to_article = [("article_id", "articles", "id")]
    mentions = db.table("mentions")
    mentions.create(
        {"id": int, **_sql_types(Mention)},
        pk="id",
        foreign_keys=to_article,
        not_null={"article_id"},
    )
    for column in ("article_id", "kind", "code"):
        mentions.create_index([column])
    events = db.table("events")
    events.create(
        _sql_types(Event), pk="event_id", foreign_keys=to_article, not_null={"article_id"}
    )
    for column in ("event_type", "actor", "target", "date_start", "article_id"):
        events.create_index([column])


def _create_bookkeeping(db: sqlite_utils.Database) -> None:
    """Feeds (conditional-GET state), runs (what each command did), pages that failed to fetch."""
    db.table("feeds").create({name: str for name in ("url", *FEED_FIELDS)}, pk="url")
    db.table("runs").create(
        {
            "id": int,
            "command": str,
            "args": str,
            "started": str,
            "finished": str,
            "status": str,
            "counts": str,
            "errors": int,
        },
        pk="id",
    )
    db.table("fetch_failures").create(
        {
            "url": str,
            "feed": str,
            "error": str,
            "status": str,
            "attempts": int,
            "last_attempt": str,
        },
        pk="url",
    )


def _migrate_to_1(db: sqlite_utils.Database) -> None:
    """Version 1: the tables of ARCHITECTURE.md "The database"."""
    _create_articles(db)
    _create_extractions(db)
    _create_bookkeeping(db)


# MIGRATIONS[i] takes a database from version i to version i + 1. A later version appends a
# function here; never edit a released step. Step 1 builds the tables from the record
# dataclasses, so a step that adds a record field must skip a column that already exists
# (``if name not in table.columns_dict: table.add_column(...)``): a fresh database has it.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migrate_to_1]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    """The version recorded in the ``schema`` table; 0 for an empty database."""
    if not db.table("schema").exists():
        if db.table_names():
            raise StoreError(
                "this SQLite file is not a newstag database (it has tables but no schema table); "
                "choose another --db path"
            )
        return 0
    row = db.execute("SELECT MAX(version) FROM schema").fetchone()
    return int(row[0] or 0)


def _migrate(db: sqlite_utils.Database) -> None:
    """Apply the missing migration steps, each in its own transaction with its version row."""
    current = schema_version(db)
    if not db.table("schema").exists():
        with db.atomic():
            db.table("schema").create({"version": int, "applied_at": str}, pk="version")
    if current > len(MIGRATIONS):
        raise StoreError(
            f"the database has schema version {current} but this newstag knows only up to "
            f"{len(MIGRATIONS)}; upgrade newstag"
        )
    for version in range(current, len(MIGRATIONS)):
        with db.atomic():
            MIGRATIONS[version](db)
            db.execute(
                "INSERT INTO schema (version, applied_at) VALUES (?, ?)", [version + 1, now_iso()]
            )
        log.info("database migrated to schema version %d", version + 1)


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating or migrating as needed) the newstag database at ``path``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA busy_timeout = 10000")
        db.enable_wal()
        # NORMAL is durable against a killed process in WAL mode; only power loss can drop
        # the last commits, never corrupt the file.
        db.execute("PRAGMA synchronous = NORMAL")
        _migrate(db)
    except sqlite3.Error as e:
        raise StoreError(f"cannot open {path} as a newstag database: {e}") from e
    except OSError as e:
        raise StoreError(f"cannot create the folder for {path}: {e}") from e
    return db


# --------------------------------------------------------------------------- articles


@dataclass
class SaveResult:
    """What ``save_articles`` did: articles added, and those skipped as already stored."""

    added: int = 0
    duplicates: int = 0


def _article_row(article: Article) -> tuple[Any, ...]:
    """The stored row of an article; dedup keys filled in, extraction state left to extraction."""
    values = {
        **{name: getattr(article, name) for name in ARTICLE_COLUMNS},
        "canonical_url": article.canonical_url or canonical_url(article.url),
        "text_hash": article.text_hash or text_hash(article.text),
        "extracted_at": None,
        "extractor": None,
    }
    return tuple(values[name] for name in ARTICLE_COLUMNS)


def _as_dict(columns: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    """A result row keyed by its column names."""
    return dict(zip(columns, row, strict=True))


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of at most ``size`` items."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def save_articles(db: sqlite_utils.Database, articles: Iterable[Article]) -> SaveResult:
    """Store new articles in one transaction; any id, canonical URL or text hash seen before is skipped."""
    rows = [_article_row(article) for article in articles]
    columns = ", ".join(ARTICLE_COLUMNS)
    marks = ", ".join("?" for _ in ARTICLE_COLUMNS)
    with db.atomic():
        # OR IGNORE checks every unique key row by row, so duplicates inside the batch go too.
        cursor = db.conn.executemany(
            f"INSERT OR IGNORE INTO articles ({columns}) VALUES ({marks})", rows
        )
        added = max(cursor.rowcount, 0)
        urls = [(row[ARTICLE_COLUMNS.index("canonical_url")],) for row in rows]
        db.conn.executemany("DELETE FROM fetch_failures WHERE url = ?", [u for u in urls if u[0]])
    return SaveResult(added=added, duplicates=len(rows) - added)


def stored_urls(db: sqlite_utils.Database, urls: Iterable[str]) -> set[str]:
    """Which of ``urls`` (compared by canonical form) are already stored, to skip fetching them."""
    wanted = {canonical_url(url): url for url in urls if canonical_url(url)}
    found: set[str] = set()
    for chunk in _chunks(wanted, _ID_CHUNK):
        marks = ", ".join("?" for _ in chunk)
        sql = f"SELECT canonical_url FROM articles WHERE canonical_url IN ({marks})"
        found.update(wanted[row[0]] for row in db.execute(sql, chunk))
    return found


def _pending_clause(pending_for: str | None, reextract: bool) -> tuple[str, list[Any]]:
    """SQL condition for "not yet extracted by this extractor version"."""
    if pending_for is None or reextract:
        return "1", []
    return "(extractor IS NULL OR extractor != ?)", [pending_for]


def iter_articles(
    db: sqlite_utils.Database,
    *,
    pending_for: str | None = None,
    reextract: bool = False,
    limit: int | None = None,
    ids: Sequence[str] | None = None,
) -> Iterator[Article]:
    """Stream articles in storage order, a page at a time, so the caller may write between pages."""
    if ids is not None:
        yield from _articles_by_id(db, ids, limit=limit)
        return
    where, params = _pending_clause(pending_for, reextract)
    last, left = 0, limit
    while left is None or left > 0:
        size = PAGE_SIZE if left is None else min(PAGE_SIZE, left)
        sql = (
            f"SELECT rowid, {', '.join(ARTICLE_COLUMNS)} FROM articles "
            f"WHERE rowid > ? AND {where} ORDER BY rowid LIMIT ?"
        )
        page = db.execute(sql, [last, *params, size]).fetchall()
        if not page:
            return
        last = page[-1][0]
        left = None if left is None else left - len(page)
        for row in page:
            yield Article(**_as_dict(ARTICLE_COLUMNS, row[1:]))


def _articles_by_id(
    db: sqlite_utils.Database, ids: Sequence[str], *, limit: int | None
) -> Iterator[Article]:
    """The articles with these ids, in storage order; unknown ids are skipped."""
    found: list[tuple[Any, ...]] = []
    for chunk in _chunks(dict.fromkeys(ids), _ID_CHUNK):
        marks = ", ".join("?" for _ in chunk)
        sql = f"SELECT rowid, {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE id IN ({marks})"
        found.extend(db.execute(sql, chunk).fetchall())
    found.sort(key=lambda row: row[0])
    for row in found[:limit]:
        yield Article(**_as_dict(ARTICLE_COLUMNS, row[1:]))


def count_articles(
    db: sqlite_utils.Database, *, pending_for: str | None = None, reextract: bool = False
) -> int:
    """How many articles ``iter_articles`` would give with the same options."""
    where, params = _pending_clause(pending_for, reextract)
    return int(db.execute(f"SELECT COUNT(*) FROM articles WHERE {where}", params).fetchone()[0])


def get_article(db: sqlite_utils.Database, article_id: str) -> Article | None:
    """One article by id, or by its URL when no id matches; None when absent."""
    columns = ", ".join(ARTICLE_COLUMNS)
    row = db.execute(f"SELECT {columns} FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None and canonical_url(article_id):
        sql = f"SELECT {columns} FROM articles WHERE canonical_url = ?"
        row = db.execute(sql, [canonical_url(article_id)]).fetchone()
    return Article(**_as_dict(ARTICLE_COLUMNS, row)) if row else None


# --------------------------------------------------------------------------- extractions


def save_extractions(
    db: sqlite_utils.Database,
    results: Iterable[tuple[str, str, Sequence[Mention], Sequence[Event]]],
) -> int:
    """Replace each article's mentions and events and mark it extracted, all in one transaction."""
    marks: list[tuple[str, str, str]] = []
    mention_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    stamp = now_iso()
    for article_id, extractor, mentions, events in results:
        marks.append((extractor, stamp, article_id))
        mention_rows.extend(_record_row(mention, MENTION_COLUMNS) for mention in mentions)
        event_rows.extend(_record_row(event, EVENT_COLUMNS) for event in events)
    ids = [(mark[2],) for mark in marks]
    with db.atomic():
        db.conn.executemany("DELETE FROM mentions WHERE article_id = ?", ids)
        db.conn.executemany("DELETE FROM events WHERE article_id = ?", ids)
        db.conn.executemany(_insert_sql("INSERT", "mentions", MENTION_COLUMNS), mention_rows)
        db.conn.executemany(_insert_sql("INSERT OR REPLACE", "events", EVENT_COLUMNS), event_rows)
        cursor = db.conn.executemany(
            "UPDATE articles SET extractor = ?, extracted_at = ? WHERE id = ?", marks
        )
        if cursor.rowcount != len(marks):  # raising here rolls the whole batch back
            stored = {row[0] for row in _existing_ids(db, [mark[2] for mark in marks])}
            missing = sorted({mark[2] for mark in marks} - stored)
            raise StoreError(f"extractions for articles that are not stored: {missing[:5]}")
    return len(event_rows)


def _existing_ids(db: sqlite_utils.Database, ids: Sequence[str]) -> Iterator[tuple[str]]:
    """(id,) rows of the articles among ``ids`` that are stored."""
    for chunk in _chunks(dict.fromkeys(ids), _ID_CHUNK):
        marks = ", ".join("?" for _ in chunk)
        yield from db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)


def _optional(record_type: type) -> frozenset[str]:
    """The fields of a record that may be missing (typed ``... | None``)."""
    return frozenset(f.name for f in fields(record_type) if "None" in str(f.type))


_OPTIONAL = {Mention: _optional(Mention), Event: _optional(Event)}


def _record_row(record: Mention | Event, columns: Sequence[str]) -> tuple[Any, ...]:
    """A record as stored: a missing value is NULL even when given as "", booleans are 0/1."""
    optional = _OPTIONAL[type(record)]
    row = []
    for name in columns:
        value = getattr(record, name)
        if isinstance(value, bool):
            value = int(value)
        elif value == "" and name in optional:
            value = None
        row.append(value)
    return tuple(row)


def _insert_sql(verb: str, table: str, columns: Sequence[str]) -> str:
    """An INSERT statement (``verb`` is "INSERT" or "INSERT OR ...") with one placeholder a column."""
    marks = ", ".join("?" for _ in columns)
    return f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({marks})"


# --------------------------------------------------------------------------- queries


class _Where:
    """Collects SQL conditions and their parameters for the filtered iterators."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.parts.append(condition)
        self.params.extend(params)

    def add_in(self, column: str, values: Sequence[Any]) -> None:
        if values:
            self.add(f"{column} IN ({', '.join('?' for _ in values)})", *values)

    def add_dates(self, column: str, since: str | None, until: str | None) -> None:
        """Inclusive bounds compared on the bound's own length, so "2025-11" covers the month."""
        if since:
            self.add(f"substr({column}, 1, {len(since)}) >= ?", since)
        if until:
            self.add(f"substr({column}, 1, {len(until)}) <= ?", until)

    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "1"


def _fts_query(db: sqlite_utils.Database, query: str) -> str:
    """The query as given when it is valid FTS5 syntax (OR, "phrases", prefix*), else quoted words."""
    try:
        db.execute("SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1", [query])
    except sqlite3.OperationalError:
        return db.quote_fts(query)
    return query


def _add_query(db: sqlite_utils.Database, where: _Where, column: str, query: str | None) -> None:
    """Restrict to articles whose title or text match a full-text query."""
    if query:
        where.add(
            f"{column} IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)",
            _fts_query(db, query),
        )


def _stream(db: sqlite_utils.Database, sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of a read-only query, fetched in pages from one cursor."""
    cursor = db.execute(sql, params)
    while page := cursor.fetchmany(PAGE_SIZE):
        yield from page


def iter_events(
    db: sqlite_utils.Database,
    *,
    since: str | None = None,
    until: str | None = None,
    types: Sequence[str] = (),
    actor: str | None = None,
    target: str | None = None,
    country: str | None = None,
    query: str | None = None,
    include_negated: bool = False,
    article_id: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Events as dicts with exactly EVENT_COLUMNS, in article order then sentence order."""
    where = _Where()
    where.add_dates("COALESCE(NULLIF(e.date_start, ''), e.published)", since, until)
    where.add_in("e.event_type", [t.upper() for t in types])
    if actor:
        where.add("e.actor = ?", actor.upper())
    if target:
        where.add("e.target = ?", target.upper())
    if country:
        where.add("(e.actor = ? OR e.target = ?)", country.upper(), country.upper())
    if not include_negated:
        where.add("e.negated = 0")
    if article_id:
        where.add("e.article_id = ?", article_id)
    _add_query(db, where, "a.rowid", query)
    sql = (
        f"SELECT {', '.join('e.' + c for c in EVENT_COLUMNS)} FROM events e "
        f"JOIN articles a ON a.id = e.article_id WHERE {where.sql()} "
        "ORDER BY a.rowid, e.sentence_start, e.event_type, e.event_id"
    )
    negated = EVENT_COLUMNS.index("negated")
    for row in _stream(db, sql, where.params):
        values = list(row)
        values[negated] = bool(values[negated])
        yield _as_dict(EVENT_COLUMNS, values)


def iter_mentions(
    db: sqlite_utils.Database,
    *,
    kinds: Sequence[str] = (),
    article_id: str | None = None,
    query: str | None = None,
    since: str | None = None,
    until: str | None = None,
    country: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Mentions as dicts with exactly MENTION_COLUMNS; since/until apply to the article's date."""
    where = _Where()
    where.add_in("m.kind", [k.lower() for k in kinds])
    if article_id:
        where.add("m.article_id = ?", article_id)
    if country:
        where.add("m.code = ?", country.upper())
    where.add_dates("a.published", since, until)
    _add_query(db, where, "a.rowid", query)
    sql = (
        f"SELECT {', '.join('m.' + c for c in MENTION_COLUMNS)} FROM mentions m "
        f"JOIN articles a ON a.id = m.article_id WHERE {where.sql()} "
        "ORDER BY a.rowid, m.start, m.end, m.id"
    )
    for row in _stream(db, sql, where.params):
        yield _as_dict(MENTION_COLUMNS, row)


def iter_article_rows(
    db: sqlite_utils.Database,
    *,
    query: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Articles as dicts with exactly ARTICLE_COLUMNS, filtered on published date and full text."""
    where = _Where()
    where.add_dates("published", since, until)
    _add_query(db, where, "rowid", query)
    sql = f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE {where.sql()} ORDER BY rowid"
    for row in _stream(db, sql, where.params):
        yield _as_dict(ARTICLE_COLUMNS, row)


# --------------------------------------------------------------------------- runs and feeds


def start_run(
    db: sqlite_utils.Database, command: str, *, args: dict[str, Any] | None = None
) -> int:
    """Record that a command started; returns the run id for ``finish_run``."""
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO runs (command, args, started, status, errors) VALUES (?, ?, ?, 'running', 0)",
            [command, json.dumps(args or {}, default=str, sort_keys=True), now_iso()],
        )
    return int(cursor.lastrowid or 0)


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    *,
    counts: dict[str, int],
    errors: int,
    status: str = "ok",
) -> None:
    """Record how a run ended. A run killed before this stays ``running`` in the table."""
    with db.atomic():
        db.execute(
            "UPDATE runs SET finished = ?, status = ?, counts = ?, errors = ? WHERE id = ?",
            [now_iso(), status, json.dumps(counts, sort_keys=True), errors, run_id],
        )


def iter_runs(db: sqlite_utils.Database, *, limit: int = 10) -> Iterator[dict[str, Any]]:
    """The most recent runs first, with ``args`` and ``counts`` decoded."""
    for row in db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]):
        row["args"] = json.loads(row["args"] or "{}")
        row["counts"] = json.loads(row["counts"] or "{}")
        yield row


def get_feed_state(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The stored conditional-GET state of a feed, or None if never fetched."""
    rows = list(db.query("SELECT * FROM feeds WHERE url = ?", [url]))
    return rows[0] if rows else None


def save_feed_state(db: sqlite_utils.Database, url: str, **fields: Any) -> None:
    """Create or update a feed's state; only the given fields change."""
    unknown = set(fields) - set(FEED_FIELDS)
    if unknown:
        raise StoreError(f"unknown feed fields {sorted(unknown)}; known: {', '.join(FEED_FIELDS)}")
    with db.atomic():
        db.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?)", [url])
        if fields:
            assignments = ", ".join(f"{name} = ?" for name in fields)
            db.execute(f"UPDATE feeds SET {assignments} WHERE url = ?", [*fields.values(), url])


def save_failed_fetch(
    db: sqlite_utils.Database, url: str, *, feed: str | None, error: str, status: str
) -> None:
    """Remember a page that could not be fetched (not an article: extraction never sees it)."""
    key = canonical_url(url) or url
    with db.atomic():
        db.execute(
            "INSERT INTO fetch_failures (url, feed, error, status, attempts, last_attempt) "
            "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (url) DO UPDATE SET feed = excluded.feed, "
            "error = excluded.error, status = excluded.status, attempts = attempts + 1, "
            "last_attempt = excluded.last_attempt",
            [key, feed, error, status, now_iso()],
        )


def get_failed_fetch(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The failure record of a page (url, feed, error, status, attempts, last_attempt), or None."""
    rows = list(db.query("SELECT * FROM fetch_failures WHERE url = ?", [canonical_url(url) or url]))
    return rows[0] if rows else None


# --------------------------------------------------------------------------- stats


def _pairs(db: sqlite_utils.Database, sql: str) -> list[tuple[Any, int]]:
    """(key, count) pairs of a grouping query."""
    return [(row[0], int(row[1])) for row in db.execute(sql).fetchall()]


def _count(db: sqlite_utils.Database, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


def stats(db: sqlite_utils.Database) -> dict[str, Any]:
    """Counts for ``newstag stats``: totals, events by type, actor and month, the last runs."""
    month = "substr(COALESCE(NULLIF(date_start, ''), published), 1, 7)"
    return {
        "articles": _count(db, "SELECT COUNT(*) FROM articles"),
        "extracted": _count(db, "SELECT COUNT(*) FROM articles WHERE extractor IS NOT NULL"),
        "events": _count(db, "SELECT COUNT(*) FROM events"),
        "mentions": _count(db, "SELECT COUNT(*) FROM mentions"),
        "fetch_failures": _count(db, "SELECT COUNT(*) FROM fetch_failures"),
        "by_type": _pairs(
            db, "SELECT event_type, COUNT(*) n FROM events GROUP BY event_type ORDER BY n DESC, 1"
        ),
        "by_actor": _pairs(
            db,
            "SELECT actor, COUNT(*) n FROM events WHERE actor IS NOT NULL AND actor != '' "
            "GROUP BY actor ORDER BY n DESC, 1",
        ),
        "by_month": _pairs(
            db,
            f"SELECT {month} m, COUNT(*) FROM events WHERE m IS NOT NULL GROUP BY m ORDER BY m",
        ),
        "runs": list(iter_runs(db, limit=5)),
    }
