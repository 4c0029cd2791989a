"""Build ``Article`` records the same way whatever the source: text layout, ids, dedup keys."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from nlp.records import Article

# Query parameters that only track a click; dropping them makes two links to one page equal.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref",
        "ref_src",
        "cmpid",
        "smid",
        "ncid",
        "ocid",
        "_ga",
        "yclid",
        "spm",
        "share",
        "utm",
    }
)


def canonical_url(url: str | None) -> str | None:
    """The URL with scheme and host lower-cased, fragment, default port and tracking parameters removed."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # "http://[::1", a port out of range: kept as written
        return url
    if parts.scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower()
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
    ]
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))


def text_hash(text: str) -> str:
    """A hash of the text with whitespace folded and case ignored, to find the same story twice."""
    folded = " ".join(text.split()).casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def compose_text(title: str | None, body: str | None) -> str:
    """The stored text (EVENTS.md §5): title, a blank line, then the body; either alone if one is missing."""
    title = (title or "").strip()
    body = body or ""
    if title and body.strip():
        return f"{title}\n\n{body}"
    return body if body.strip() else title


def derive_id(url: str | None, text: str) -> str:
    """A stable article id from the canonical URL, else from the text."""
    key = canonical_url(url) or text_hash(text)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def now_iso() -> str:
    """The current UTC time, to the second, as ISO 8601."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def make_article(
    *,
    body: str | None,
    title: str | None = None,
    id: str | None = None,
    url: str | None = None,
    published: str | None = None,
    source: str | None = None,
    feed: str | None = None,
    language: str | None = None,
    status: str = "ok",
) -> Article:
    """An ``Article`` with its stored text, id, canonical URL and text hash filled in."""
    text = compose_text(title, body)
    return Article(
        id=str(id) if id not in (None, "") else derive_id(url, text),
        text=text,
        url=url or None,
        canonical_url=canonical_url(url),
        title=(title or "").strip() or None,
        published=published,
        source=source,
        feed=feed,
        text_hash=text_hash(text),
        language=language,
        fetched_at=now_iso(),
        status=status,
    )
