"""``newstag fetch``: feeds → new entries → pages → main text → stored articles.

Every failure (a feed that will not download or parse, a page that will not download or yields
no text) is one line in the summary and a row in the database; nothing aborts the run. A 304
costs one request and nothing else. When a page cannot be had, the feed's own content (or its
summary) is stored instead, and the article's ``status`` says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from sqlite_utils import Database

from nlp.config import Settings
from nlp.errors import InputError
from nlp.records import Article
from nlp.sources.articles import canonical_url, make_article, now_iso
from nlp.sources.feedlist import FeedSpec
from nlp.sources.feeds import FeedEntry, ParsedFeed, parse_feed
from nlp.sources.fetch import (
    FetchLimits,
    FetchRequest,
    FetchResult,
    fetch_many,
    header_charset,
    host_key,
)
from nlp.sources.text import decode_bytes, extract_html, html_fragment_to_text
from nlp.store import (
    finish_run,
    get_article,
    get_feed_state,
    save_articles,
    save_failed_fetch,
    save_feed_state,
    start_run,
    stored_urls,
)

log = logging.getLogger(__name__)

# ``advance(n)``, as ``nlp.console.progress_bar`` yields it (and ingest/extract take it).
Progress = Callable[[int], None]
# Pages are slow to get: commit often so an interrupted run keeps most of its work.
BATCH_SIZE = 50
# A page whose main text is shorter than this is not an article (a consent wall, a video page).
MIN_PAGE_CHARS = 100


@dataclass
class FetchSummary:
    """What a fetch did, for the one-line summary and the ``runs`` table."""

    feeds_ok: int = 0
    feeds_failed: int = 0
    not_modified: int = 0
    new_articles: int = 0
    duplicates: int = 0
    failed_pages: int = 0
    from_feed: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The closing one-line summary."""
        text = (
            f"{self.feeds_ok:,} feeds ok ({self.not_modified:,} unchanged), "
            f"{self.feeds_failed:,} failed; {self.new_articles:,} new articles "
            f"({self.from_feed:,} from feed text), {self.duplicates:,} already stored, "
            f"{self.failed_pages:,} pages failed"
        )
        return text + (" (see --verbose)" if self.errors else "")

    def counts(self) -> dict[str, int]:
        """The numeric fields, for ``finish_run``."""
        return {name: value for name, value in vars(self).items() if isinstance(value, int)}

    def fail(self, message: str) -> None:
        """Record one failure line in ``errors`` (the summary line points at them)."""
        log.debug("%s", message)  # the CLI prints ``errors`` itself
        self.errors.append(message)


@dataclass(frozen=True)
class _Pending:
    """An entry whose page is to be downloaded, with the feed it came from."""

    feed: FeedSpec
    entry: FeedEntry


def fetch_limits(settings: Settings, feeds: Sequence[FeedSpec] = ()) -> FetchLimits:
    """Default limits with the configured User-Agent and each feed's own host delay."""
    delays = tuple(
        (host_key(feed.url), feed.delay)
        for feed in feeds
        if feed.delay is not None and not feed.is_local
    )
    return FetchLimits(user_agent=settings.user_agent, host_delays=delays)


def fetch_feeds(
    db: Database,
    feeds: Sequence[FeedSpec],
    *,
    settings: Settings,
    progress: Progress | None = None,
    limits: FetchLimits | None = None,
) -> FetchSummary:
    """Read every enabled feed, download its new entries' pages and store them as articles.

    ``progress(1)`` is called once per feed read and once per page downloaded.
    """
    enabled = [feed for feed in feeds if feed.enabled]
    run = _FetchRun(db, limits or fetch_limits(settings, enabled), progress)
    run_id = start_run(db, "fetch", args={"feeds": [feed.url for feed in enabled]})
    status = "interrupted"
    try:
        run.store(run.articles(run.read_feeds(enabled)))
        run.save_validators()
        status = "ok"
    finally:
        summary = run.summary
        errors = summary.feeds_failed + summary.failed_pages
        finish_run(db, run_id, counts=summary.counts(), errors=errors, status=status)
    return summary


class _FetchRun:
    """One fetch: the database, the limits, the running summary, and validators to save last.

    A feed's new ETag/Last-Modified are written only once its entries are stored: a run
    interrupted in between must not leave a validator that makes the next run skip them.
    """

    def __init__(self, db: Database, limits: FetchLimits, progress: Progress | None) -> None:
        self.db = db
        self.limits = limits
        self.progress = progress
        self.summary = FetchSummary()
        self.validators: dict[str, dict[str, str | None]] = {}

    def advance(self, description: str) -> None:
        log.debug("done: %s", description)
        if self.progress:
            self.progress(1)

    # --- feeds --------------------------------------------------------------------------------
    def read_feeds(self, feeds: Sequence[FeedSpec]) -> list[_Pending]:
        """Download (or read from disk) and parse each feed; its entries not stored yet."""
        pending: list[_Pending] = []
        for feed, parsed in self._parsed_feeds(feeds):
            self.advance(f"feed {feed.name}")
            if parsed is not None:
                entries = parsed.entries[: feed.max_entries] if feed.max_entries else parsed.entries
                pending.extend(_Pending(feed, entry) for entry in entries)
        web = [item.entry.url for item in pending if _is_web_url(item.entry.url)]
        stored = stored_urls(self.db, web)  # type: ignore[arg-type]
        self.summary.duplicates += sum(1 for item in pending if item.entry.url in stored)
        return [item for item in pending if item.entry.url not in stored]

    def _parsed_feeds(
        self, feeds: Sequence[FeedSpec]
    ) -> Iterator[tuple[FeedSpec, ParsedFeed | None]]:
        """Each feed with its parsed document, or None when it failed or was not modified."""
        for feed in feeds:
            if feed.is_local:
                yield feed, self._read_local_feed(feed)
        remote = {feed.url: feed for feed in feeds if not feed.is_local}
        requests = [self._conditional_request(url) for url in remote]
        for result in fetch_many(requests, limits=self.limits):
            yield remote[result.url], self._feed_result(remote[result.url], result)

    def _read_local_feed(self, feed: FeedSpec) -> ParsedFeed | None:
        """A feed file on disk, parsed; failures counted and kept in the feed's state."""
        state = {"name": feed.name, "last_fetched": now_iso(), "last_status": None}
        try:
            parsed = parse_feed(Path(feed.url).read_bytes())
        except (OSError, InputError) as e:
            self._feed_failed(feed, str(e), state)
            return None
        self.summary.feeds_ok += 1
        save_feed_state(self.db, feed.url, **state, last_error=None)
        return parsed

    def _conditional_request(self, url: str) -> FetchRequest:
        """A request carrying the ETag and Last-Modified we kept from the last fetch."""
        state = get_feed_state(self.db, url) or {}
        return FetchRequest(url, etag=state.get("etag"), last_modified=state.get("last_modified"))

    def _feed_result(self, feed: FeedSpec, result: FetchResult) -> ParsedFeed | None:
        """Record the feed's state and parse a fresh copy; None for a failure or a 304."""
        state = {"name": feed.name, "last_fetched": now_iso(), "last_status": _status(result)}
        error, parsed = result.error, None
        if not error and not result.not_modified:
            try:
                base = result.final_url or result.url
                parsed = parse_feed(result.content, base_url=base, content_type=result.content_type)
            except InputError as e:
                error = str(e)
        if error:
            self._feed_failed(feed, error, state)
            return None
        self.summary.feeds_ok += 1
        self.summary.not_modified += result.not_modified
        save_feed_state(self.db, feed.url, **state, last_error=None)
        if not result.not_modified:  # a 304 keeps the validators we already have
            etag, modified = result.headers.get("etag"), result.headers.get("last-modified")
            self.validators[feed.url] = {"etag": etag, "last_modified": modified}
        return parsed

    def _feed_failed(self, feed: FeedSpec, error: str, state: dict[str, str | None]) -> None:
        """Count and report a failed feed, and keep the error in its state."""
        self.summary.feeds_failed += 1
        self.summary.fail(f"feed {feed.name}: {error}")
        save_feed_state(self.db, feed.url, **state, last_error=error)

    def save_validators(self) -> None:
        """Write the new ETag/Last-Modified of the feeds whose entries are now stored."""
        for url, validators in self.validators.items():
            save_feed_state(self.db, url, **validators)

    # --- pages --------------------------------------------------------------------------------
    def articles(self, pending: Sequence[_Pending]) -> Iterator[Article]:
        """Download the entries' pages concurrently; each becomes an article (or a fallback)."""
        by_url: dict[str, _Pending] = {}
        seen: set[str | None] = set()
        for item in pending:
            if not item.entry.url:
                article = self._from_feed(item, "entry has no link")
                if article:
                    yield article
                continue
            key = canonical_url(item.entry.url) if _is_web_url(item.entry.url) else item.entry.url
            if key in seen:  # the same story in two feeds, or twice in one
                self.summary.duplicates += 1
                continue
            seen.add(key)
            by_url[item.entry.url] = item  # type: ignore[index]
        for result in fetch_many([FetchRequest(url) for url in by_url], limits=self.limits):
            self.advance(f"page {result.url[:60]}")
            article = self._from_page(by_url[result.url], result)
            if article:
                yield article

    def _from_page(self, item: _Pending, result: FetchResult) -> Article | None:
        """The article from a downloaded page; on any failure, recorded, then the feed's text."""
        error = result.error
        if not error:
            article, error = _extract_page(item, result)
            if article:
                return article
        error = error or "unknown failure"
        self.summary.failed_pages += 1
        self.summary.fail(f"page {result.url}: {error}")
        status = "refused" if error.startswith(("refused", "disallowed")) else "failed"
        save_failed_fetch(self.db, result.url, feed=item.feed.name, error=error, status=status)
        return self._from_feed(item, error)

    def _from_feed(self, item: _Pending, reason: str) -> Article | None:
        """The entry's own text as the article, marked as such; None when it has none."""
        article = _feed_article(item, reason)
        if article is None:
            log.info("entry %s: %s, and the feed has no text for it", item.entry.url, reason)
            return None
        if article.url is None and get_article(self.db, article.id) is not None:
            self.summary.duplicates += 1  # a link-less entry seen on an earlier run (id = text)
            return None
        self.summary.from_feed += 1
        return article

    def store(self, articles: Iterable[Article]) -> None:
        """Save articles in batches (one transaction each), counting new ones and duplicates."""
        for batch in _batches(articles, BATCH_SIZE):
            result = save_articles(self.db, batch)
            self.summary.new_articles += result.added
            self.summary.duplicates += result.duplicates


def _status(result: FetchResult) -> str | None:
    """The HTTP status as stored in the feeds table."""
    return str(result.status) if result.status else None


def _extract_page(item: _Pending, result: FetchResult) -> tuple[Article | None, str | None]:
    """Main text, title, date and language of a page; (None, reason) when it has no article."""
    url = result.final_url or result.url
    try:
        page = decode_bytes(result.content, declared=header_charset(result.content_type), html=True)
        extracted = extract_html(page, url=url)
    except InputError as e:
        return None, str(e)
    except Exception as e:  # trafilatura on hostile HTML: one page, not the run
        return None, f"text extraction failed: {type(e).__name__}: {e}"
    body = (extracted.text or "").strip()
    if len(body) < MIN_PAGE_CHARS:
        return None, f"no article text on the page ({len(body)} characters)"
    entry = item.entry
    article = make_article(
        body=body,
        title=entry.title or extracted.title,
        url=entry.url if _is_web_url(entry.url) else url,
        published=entry.published or extracted.published,
        source=urlsplit(url).hostname,
        feed=item.feed.name,
        language=extracted.language,
    )
    return article, None


def _feed_article(item: _Pending, reason: str) -> Article | None:
    """The entry's content (else its summary) as an article whose status says so."""
    entry = item.entry
    status, html = "feed-content", entry.content_html
    if not html:
        status, html = "summary-only", entry.summary_html
    body = html_fragment_to_text(html).strip() if html else ""
    if not body:
        return None
    url = entry.url if _is_web_url(entry.url) else None
    article = make_article(
        body=body,
        title=entry.title,
        url=url,
        published=entry.published,
        source=urlsplit(url).hostname if url else None,
        feed=item.feed.name,
        status=status,
    )
    return replace(article, error=reason)


def _is_web_url(url: str | None) -> bool:
    """True for an http(s) URL with a host: the only links we fetch or store as URLs."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Group articles into lists of ``size`` (one store transaction each)."""
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
