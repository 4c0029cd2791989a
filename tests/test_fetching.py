"""fetch_feeds end to end: loopback feeds and pages into a real SQLite file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from nlp.config import Settings
from nlp.fetching import FetchSummary, fetch_feeds, fetch_limits
from nlp.sources.feedlist import FeedSpec
from nlp.sources.fetch import FetchLimits
from nlp.sources.text import extract_html
from nlp.store import get_failed_fetch, get_feed_state, iter_articles, iter_runs, open_db

SETTINGS = Settings(user_agent="newstag-test/1.0")
LIMITS = FetchLimits(
    user_agent="newstag-test/1.0",
    read_timeout=2.0,
    total_timeout=5.0,
    retries=0,
    backoff=0.01,
    host_delay=0.0,
    per_host=4,
    respect_robots=False,
)

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title} | Example Gazette</title></head>
<body><nav>Home | Trade | Markets</nav><article><h1>{title}</h1>
<p>{lead}</p>
<p>Officials said the decision followed months of consultation with importers, who had warned
that the measure would raise prices for consumers and squeeze the margins of small retailers.</p>
<p>A spokesperson added that the government would review the effect of the change after a year
and publish the figures it collected from customs declarations.</p>
</article><footer>Example Gazette, all rights reserved</footer></body></html>"""


def _page(title: str, lead: str) -> str:
    return PAGE.format(title=title, lead=lead)


def _feed(items: list[tuple[str, str | None, str | None]]) -> str:
    """An RSS document of (title, link, description) items."""
    parts = []
    for title, link, description in items:
        link_xml = f"<link>{link}</link>" if link else ""
        desc_xml = f"<description>{description}</description>" if description else ""
        parts.append(f"<item><title>{title}</title>{link_xml}{desc_xml}</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Loopback trade news</title><link>http://example.org/</link>{''.join(parts)}"
        "</channel></rss>"
    )


@pytest.fixture(scope="module")
def module_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(module_server: HTTPServer) -> Iterator[HTTPServer]:
    module_server.clear()
    yield module_server
    module_server.clear()


@pytest.fixture
def db(db_path: Path):
    return open_db(db_path)


def _articles(db) -> dict[str | None, object]:
    return {article.title: article for article in iter_articles(db)}


class Hits:
    """Count requests per path."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def wrap(self, response: Response):
        def handler(request: Request) -> Response:
            self.paths.append(request.path)
            return response

        return handler


@pytest.fixture
def news_site(server: HTTPServer) -> tuple[HTTPServer, Hits]:
    """A feed with a good page, a missing page, an entry without a link, a Latin-1 page."""
    hits = Hits()
    feed = _feed(
        [
            (
                "Widget duty doubled",
                server.url_for("/news/widgets?utm_source=rss"),
                "Short teaser.",
            ),
            ("Missing page story", server.url_for("/news/missing"), "Ministers met in Geneva."),
            ("Notice without link", None, "Export licences now take ten working days."),
            ("Espresso tariff", server.url_for("/news/espresso"), None),
            ("Empty page story", server.url_for("/news/empty"), None),
        ]
    )

    def feed_handler(request: Request) -> Response:
        hits.paths.append(request.path)
        if request.headers.get("If-None-Match") == '"feed-v1"':
            return Response(status=304)
        return Response(feed, content_type="application/rss+xml", headers={"ETag": '"feed-v1"'})

    server.expect_request("/feed.xml").respond_with_handler(feed_handler)
    widgets = _page("Widget duty doubled", "The ministry doubled the duty on imported widgets.")
    server.expect_request("/news/widgets").respond_with_handler(
        hits.wrap(Response(widgets, content_type="text/html; charset=utf-8"))
    )
    server.expect_request("/news/missing").respond_with_handler(
        hits.wrap(Response("no", status=404))
    )
    latin = _page("Espresso tariff", "Caf\u00e9 owners fear a na\u00efve 25% tariff on machines.")
    server.expect_request("/news/espresso").respond_with_handler(
        hits.wrap(Response(latin.encode("cp1252"), content_type="text/html; charset=windows-1252"))
    )
    server.expect_request("/news/empty").respond_with_handler(
        hits.wrap(Response("<html><body></body></html>", content_type="text/html"))
    )
    return server, hits


def _spec(server: HTTPServer, path: str = "/feed.xml", **options) -> FeedSpec:
    return FeedSpec(name="loopback", url=server.url_for(path), **options)


def test_first_fetch_stores_pages_and_fallbacks(db, news_site) -> None:
    server, hits = news_site
    summary = fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS)
    assert (summary.feeds_ok, summary.feeds_failed, summary.not_modified) == (1, 0, 0)
    assert summary.new_articles == 4
    assert summary.failed_pages == 2  # the 404 and the page without text
    assert summary.from_feed == 2  # the 404's summary and the link-less notice
    assert len(summary.errors) == 2
    articles = _articles(db)
    assert set(articles) == {
        "Widget duty doubled",
        "Missing page story",
        "Notice without link",
        "Espresso tariff",
    }
    widgets = articles["Widget duty doubled"]
    assert widgets.status == "ok" and widgets.feed == "loopback"
    assert "doubled the duty on imported widgets" in widgets.text
    assert "Home | Trade" not in widgets.text
    assert widgets.canonical_url == server.url_for("/news/widgets")
    assert widgets.language == "en"
    missing = articles["Missing page story"]
    assert missing.status == "summary-only" and missing.error == "HTTP 404"
    assert missing.text == "Missing page story\n\nMinisters met in Geneva."
    assert articles["Notice without link"].url is None
    assert "Caf\u00e9 owners fear a na\u00efve 25%" in articles["Espresso tariff"].text
    assert get_failed_fetch(db, server.url_for("/news/empty"))["status"] == "failed"
    state = get_feed_state(db, server.url_for("/feed.xml"))
    assert state["etag"] == '"feed-v1"' and state["last_status"] == "200"
    assert state["last_error"] is None


def test_second_fetch_costs_one_304(db, news_site) -> None:
    server, hits = news_site
    fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS)
    hits.paths.clear()
    summary = fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS)
    assert summary.not_modified == 1 and summary.new_articles == 0
    assert hits.paths == ["/feed.xml"]
    state = get_feed_state(db, server.url_for("/feed.xml"))
    assert state["etag"] == '"feed-v1"' and state["last_status"] == "304"


def test_stored_entries_are_not_downloaded_again(db, news_site) -> None:
    server, hits = news_site
    fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS)
    db["feeds"].update(server.url_for("/feed.xml"), {"etag": None})  # forget the validator
    hits.paths.clear()
    summary = fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS)
    assert summary.new_articles == 0 and summary.from_feed == 0
    assert "/news/widgets" not in hits.paths and "/news/espresso" not in hits.paths
    assert summary.duplicates == 4  # the link-less notice included


def test_max_entries_and_disabled_feeds(db, news_site) -> None:
    server, hits = news_site
    feeds = [_spec(server, max_entries=1), replace(_spec(server, "/other.xml"), enabled=False)]
    summary = fetch_feeds(db, feeds, settings=SETTINGS, limits=LIMITS)
    assert summary.feeds_ok == 1 and summary.new_articles == 1
    assert "/other.xml" not in hits.paths


def test_failing_feeds_are_counted_and_recorded(db, news_site, data_dir: Path) -> None:
    server, _ = news_site
    server.expect_request("/down.xml").respond_with_data("down", status=500)
    server.expect_request("/junk.xml").respond_with_data(
        "just text, no feed", content_type="text/xml"
    )
    feeds = [
        _spec(server, "/down.xml"),
        _spec(server, "/junk.xml"),
        FeedSpec(name="absent", url=str(data_dir / "feeds" / "no_such_file.xml")),
        FeedSpec(name="not a feed", url=str(data_dir / "feeds" / "not_a_feed.txt")),
        _spec(server),
    ]
    summary = fetch_feeds(db, feeds, settings=SETTINGS, limits=LIMITS)
    assert summary.feeds_failed == 4 and summary.feeds_ok == 1
    assert summary.new_articles == 4
    assert get_feed_state(db, server.url_for("/down.xml"))["last_error"] == "HTTP 500"
    assert "no feed" in get_feed_state(db, server.url_for("/junk.xml"))["last_error"]
    assert len([line for line in summary.errors if line.startswith("feed ")]) == 4
    assert "no feed" in get_feed_state(db, str(data_dir / "feeds" / "not_a_feed.txt"))["last_error"]
    [run] = list(iter_runs(db, limit=1))
    assert run["command"] == "fetch" and run["status"] == "ok"
    assert run["counts"]["feeds_failed"] == 4


def test_links_to_other_schemes_are_refused(db, data_dir: Path) -> None:
    feed = FeedSpec(name="bad links", url=str(data_dir / "feeds" / "bad_links.xml"))
    summary = fetch_feeds(db, [feed], settings=SETTINGS, limits=LIMITS)
    assert summary.failed_pages == 3
    assert all("refused" in line for line in summary.errors)
    articles = list(iter_articles(db))
    assert {a.title for a in articles} == {"Local file", "Script link"}  # FTP item has no text
    assert all(a.url is None and a.status == "summary-only" for a in articles)
    assert "passwd" not in " ".join(a.text for a in articles)


def test_local_feed_with_feed_content(db, data_dir: Path, tmp_path: Path) -> None:
    """Pages that cannot be had (here: a closed loopback port) leave the feed's own text."""
    text = (data_dir / "feeds" / "trade_sample.xml").read_text(encoding="utf-8")
    path = tmp_path / "sample.xml"
    path.write_text(text.replace("https://trade.example.org", "http://127.0.0.1:1"), "utf-8")
    summary = fetch_feeds(
        db, [FeedSpec(name="sample", url=str(path))], settings=SETTINGS, limits=LIMITS
    )
    assert summary.feeds_ok == 1 and summary.failed_pages == 2
    articles = _articles(db)
    widgets = articles["Ministry raises duties on imported widgets"]
    assert widgets.status == "feed-content" and widgets.error.startswith("network error")
    assert "from 5% to 12%" in widgets.text and widgets.published == "2026-03-03"
    assert "\n\nThe ministry said" in widgets.text
    talks = articles["Talks on a partnership agreement resume"]
    assert talks.status == "summary-only" and talks.text.endswith(
        "Negotiators met again in Geneva this week."
    )


def test_progress_is_reported(db, news_site) -> None:
    server, _ = news_site
    calls: list[int] = []
    fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS, progress=calls.append)
    assert calls == [1] * (1 + 4)  # the feed and its four linked pages


def test_summary_line_and_limits() -> None:
    summary = FetchSummary(feeds_ok=3, not_modified=1, feeds_failed=1, new_articles=12)
    summary.fail("feed x: HTTP 500")
    assert summary.line().startswith("3 feeds ok (1 unchanged), 1 failed; 12 new articles")
    assert summary.line().endswith("(see --verbose)")
    feeds = [FeedSpec(name="a", url="https://a.example/rss", delay=3.0)]
    limits = fetch_limits(Settings(user_agent="ua/1"), feeds)
    assert limits.user_agent == "ua/1"
    assert limits.host_delays == (("https://a.example", 3.0),)


# --- the real corpus ---------------------------------------------------------------------------
# Every web address of a feed, except XML namespace names (which are identifiers, not links).
_URL = re.compile(rb"""(xmlns(?::[\w.-]+)?\s*=\s*["'])?https?://([A-Za-z0-9.-]+)""")


def _to_loopback(content: bytes, base: bytes) -> bytes:
    """The feed with its links pointed at ``base`` + original host name."""
    return _URL.sub(lambda m: m.group(0) if m.group(1) else base + m.group(2), content)


def _html_pages(corpus_dir: Path) -> list[dict]:
    lines = (corpus_dir / "html" / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.corpus
def test_real_feeds_and_pages_from_loopback(db, server: HTTPServer, corpus_dir: Path) -> None:
    """Each real feed served from loopback, its links pointed at loopback, real pages behind them."""
    pages = [p for p in _html_pages(corpus_dir) if p["file"].endswith(".html")][:12]
    served = {"n": 0}

    def page_handler(request: Request) -> Response:
        record = pages[served["n"] % len(pages)]
        served["n"] += 1
        return Response(
            (corpus_dir / "html" / record["file"]).read_bytes(), content_type="text/html"
        )

    server.expect_request(re.compile(r"^/site/.*")).respond_with_handler(page_handler)
    base = server.url_for("/site/").encode()
    feeds = []
    for record in _manifest(corpus_dir):
        content = _to_loopback((corpus_dir / "feeds" / record["file"]).read_bytes(), base)
        server.expect_request(f"/feeds/{record['file']}").respond_with_data(content)
        feeds.append(
            FeedSpec(
                name=record["file"], url=server.url_for(f"/feeds/{record['file']}"), max_entries=1
            )
        )
    summary = fetch_feeds(db, feeds, settings=SETTINGS, limits=LIMITS)
    assert summary.feeds_ok == len(feeds) and summary.feeds_failed == 0
    assert summary.new_articles + summary.duplicates == len(feeds)
    articles = list(iter_articles(db))
    assert all(a.url.startswith(server.url_for("/site/")) for a in articles if a.url)
    assert sum(a.status == "ok" for a in articles) >= len(articles) - 4


def _manifest(corpus_dir: Path) -> list[dict]:
    lines = (corpus_dir / "feeds" / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.corpus
def test_plumbing_keeps_the_extracted_text(db, server: HTTPServer, corpus_dir: Path) -> None:
    """A page fetched over HTTP and stored has the same main text as the page read from disk."""
    pages = [p for p in _html_pages(corpus_dir) if p["file"].endswith(".html")][:6]
    items = []
    for number, record in enumerate(pages):
        raw = (corpus_dir / "html" / record["file"]).read_bytes()
        server.expect_request(f"/p{number}").respond_with_data(raw, content_type="text/html")
        items.append((f"story {number}", server.url_for(f"/p{number}"), None))
    server.expect_request("/feed.xml").respond_with_data(_feed(items))
    fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS)
    stored = {a.url: a for a in iter_articles(db)}
    for number, record in enumerate(pages):
        expected = extract_html((corpus_dir / "html" / record["file"]).read_bytes()).text
        article = stored[server.url_for(f"/p{number}")]
        assert article.text == f"story {number}\n\n{expected}", record["file"]


def test_interrupted_run_keeps_no_validator(db, news_site, monkeypatch) -> None:
    """Stopped before its entries are stored, a feed must be read again in full next time."""
    server, _ = news_site

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("nlp.fetching.save_articles", stop)
    with pytest.raises(KeyboardInterrupt):
        fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS)
    assert get_feed_state(db, server.url_for("/feed.xml"))["etag"] is None
    [run] = list(iter_runs(db, limit=1))
    assert run["status"] == "interrupted"
    monkeypatch.undo()
    summary = fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS)
    assert summary.not_modified == 0 and summary.new_articles == 4


def test_malformed_entry_links_do_not_stop_the_run(db, server: HTTPServer) -> None:
    items = [
        ("Broken IPv6", "http://[::1/story", "Text of the first story."),
        ("Port out of range", "http://127.0.0.1:99999/story", "Text of the second story."),
        ("No host", "http://:80/story", "Text of the third story."),
    ]
    server.expect_request("/feed.xml").respond_with_data(_feed(items))
    summary = fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=LIMITS)
    assert summary.failed_pages == 3 and summary.new_articles == 3
    assert [(a.url, a.status) for a in iter_articles(db)] == [(None, "summary-only")] * 3


def test_robots_refusal_is_recorded(db, server: HTTPServer) -> None:
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /members\n")
    items = [("Members only", server.url_for("/members/story"), "The teaser of a closed story.")]
    server.expect_request("/feed.xml").respond_with_data(_feed(items))
    server.expect_request("/members/story").respond_with_data(_page("Members only", "Secret."))
    polite = replace(LIMITS, respect_robots=True)
    summary = fetch_feeds(db, [_spec(server)], settings=SETTINGS, limits=polite)
    assert summary.failed_pages == 1 and summary.from_feed == 1
    [article] = list(iter_articles(db))
    assert article.status == "summary-only" and "robots.txt" in (article.error or "")
    assert "Secret." not in article.text
