"""Parse one RSS/Atom/RDF feed into plain records; no network, no disk.

feedparser is given bytes so that it detects the encoding itself (XML declaration, BOM, or
a guess); it never raises on malformed XML, it sets ``bozo`` instead, which we keep as a reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import feedparser

from nlp.errors import InputError
from nlp.sources.published import normalize_published

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: where the article is and what the feed already says about it."""

    url: str | None
    title: str | None = None
    published: str | None = None
    author: str | None = None
    content_html: str | None = None
    summary_html: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's own title and link, its entries, and why it was malformed (if it was)."""

    title: str | None
    link: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    bozo_reason: str | None = None


def _clean(value: Any) -> str | None:
    """A string with whitespace padding stripped, or None when empty or not a string."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _entry_url(entry: Any, base_url: str | None) -> str | None:
    """The entry's link (first ``link``, else an alternate link, else a URL-looking id)."""
    url = _clean(entry.get("link"))
    if not url:
        for link in entry.get("links") or []:
            if link.get("rel", "alternate") == "alternate" and _clean(link.get("href")):
                url = _clean(link.get("href"))
                break
    if not url:
        guid = _clean(entry.get("id"))
        if guid and guid.lower().startswith(("http://", "https://")):
            url = guid
    if url and base_url:
        try:
            url = urljoin(base_url, url)
        except ValueError:  # e.g. "http://[::1": kept as written, the fetcher refuses it
            pass
    return url


def _entry_content(entry: Any) -> str | None:
    """The longest ``content`` value: some feeds ship the full article there."""
    cleaned = (_clean(item.get("value")) for item in entry.get("content") or [])
    values = [value for value in cleaned if value]
    return max(values, key=len) if values else None


def _entry_published(entry: Any) -> str | None:
    """The first date the entry carries, normalized; feedparser's parsed tuple as a fallback."""
    for key in ("published", "updated", "created", "dc_date"):
        date = normalize_published(_clean(entry.get(key)))
        if date:
            return date
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        date = normalize_published(entry.get(key))
        if date:
            return date
    return None


def _to_entry(entry: Any, base_url: str | None) -> FeedEntry:
    """One feedparser entry as a ``FeedEntry``."""
    summary = _clean(entry.get("summary"))
    content = _entry_content(entry)
    return FeedEntry(
        url=_entry_url(entry, base_url),
        title=_clean(entry.get("title")),
        published=_entry_published(entry),
        author=_clean(entry.get("author")),
        content_html=content,
        summary_html=summary if summary != content else None,
        id=_clean(entry.get("id")),
    )


def parse_feed(
    content: bytes | str, *, base_url: str | None = None, content_type: str | None = None
) -> ParsedFeed:
    """Entries of an RSS/Atom/RDF document; ``InputError`` only when it holds no feed at all.

    ``content_type`` is the HTTP header when the feed was downloaded: its charset outranks the
    XML declaration, as feedparser does for real HTTP responses.
    """
    if isinstance(content, str):  # already decoded: its XML declaration no longer applies
        content, content_type = content.encode("utf-8"), "application/xml; charset=utf-8"
    headers = {"content-type": content_type} if content_type else None
    try:
        parsed = feedparser.parse(
            content, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as e:  # feedparser is meant not to raise, but untrusted input is untrusted
        raise InputError(f"not a readable feed: {type(e).__name__}: {e}") from e
    channel = parsed.get("feed") or {}
    entries = [_to_entry(entry, base_url) for entry in parsed.get("entries") or []]
    title = _clean(channel.get("title"))
    if not entries and not title:
        reason = parsed.get("bozo_exception")
        detail = f" ({type(reason).__name__}: {reason})" if reason else ""
        raise InputError(f"no feed here: no entries and no channel title{detail}")
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    return ParsedFeed(
        title=title,
        link=_clean(channel.get("link")),
        entries=entries,
        bozo_reason=f"{type(bozo).__name__}: {bozo}" if bozo else None,
    )
