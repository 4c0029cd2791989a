"""parse_feed: our own fixtures, the real feeds of the corpus, and the feedparser torture suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.errors import InputError
from nlp.sources.feeds import ParsedFeed, parse_feed


@pytest.fixture(scope="module")
def sample(data_dir: Path) -> ParsedFeed:
    return parse_feed((data_dir / "feeds" / "trade_sample.xml").read_bytes())


def test_channel_title_and_link_are_stripped(sample: ParsedFeed) -> None:
    assert sample.title == "Example Trade Ministry news"
    assert sample.link == "https://trade.example.org/news"
    assert sample.bozo_reason is None


@pytest.mark.parametrize(
    ("index", "field", "expected"),
    [
        (0, "title", "Ministry raises duties on imported widgets"),
        (0, "url", "https://trade.example.org/news/widgets?utm_source=rss"),
        (0, "published", "2026-03-03"),
        (0, "id", "trade-example-0001"),
        (1, "published", "2026-02-27"),
        (1, "url", "https://trade.example.org/news/talks"),
        (2, "url", None),
        (2, "published", None),
    ],
)
def test_entry_fields(sample: ParsedFeed, index: int, field: str, expected: object) -> None:
    assert getattr(sample.entries[index], field) == expected


def test_content_and_summary_are_kept_apart(sample: ParsedFeed) -> None:
    first, second = sample.entries[0], sample.entries[1]
    assert "12%" in (first.content_html or "")
    assert first.summary_html == "The ministry will raise duties on widgets."
    assert second.content_html is None
    assert "<b>this week</b>" in (second.summary_html or "")


def test_relative_atom_links_resolve_against_base_url(data_dir: Path) -> None:
    content = (data_dir / "feeds" / "atom_relative.atom").read_bytes()
    feed = parse_feed(content, base_url="https://customs.example.net/feed.atom")
    entry = feed.entries[0]
    assert entry.url == "https://customs.example.net/bulletin/2026/schedule"
    assert entry.author == "Customs Office"
    assert entry.published == "2026-01-15"


def test_malformed_feed_is_read_with_a_reason(data_dir: Path) -> None:
    feed = parse_feed((data_dir / "feeds" / "broken.xml").read_bytes())
    assert feed.title == "Broken but readable"
    assert feed.bozo_reason
    assert [entry.url for entry in feed.entries] == ["https://broken.example.com/a"]


@pytest.mark.parametrize("content", [b"", b"just words, no feed", b"\x00\x01\x02\xff", "<html/>"])
def test_no_feed_at_all_is_an_input_error(content: bytes | str) -> None:
    with pytest.raises(InputError, match="no feed"):
        parse_feed(content)


def test_header_charset_outranks_a_wrong_declaration() -> None:
    body = "<?xml version='1.0' encoding='utf-8'?><rss><channel><title>Caf\u00e9</title>"
    body += "<item><title>Na\u00efve</title><link>https://x.example/a</link></item></channel></rss>"
    feed = parse_feed(
        body.encode("cp1252"), content_type="application/rss+xml; charset=windows-1252"
    )
    assert feed.title == "Caf\u00e9"
    assert feed.entries[0].title == "Na\u00efve"


def test_decoded_text_is_not_decoded_twice(corpus_dir: Path) -> None:
    raw = (corpus_dir / "feeds" / "rss-parser__encoding.rss").read_bytes()  # ISO-8859-1 declared
    from_bytes = parse_feed(raw)
    from_text = parse_feed(raw.decode("iso-8859-1"))
    assert from_bytes.title == from_text.title
    assert "Not\u00edcias" in (from_text.title or "")


def _manifest(corpus_dir: Path) -> list[dict]:
    lines = (corpus_dir / "feeds" / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.corpus
def test_real_feeds_give_every_item_with_title_and_link(corpus_dir: Path) -> None:
    for record in _manifest(corpus_dir):
        feed = parse_feed((corpus_dir / "feeds" / record["file"]).read_bytes())
        assert feed.title == " ".join(record["channel_title"].split()), record["file"]
        assert len(feed.entries) == record["items"], record["file"]
        assert all(entry.url and entry.url.startswith("http") for entry in feed.entries)
        assert all(entry.url == entry.url.strip() for entry in feed.entries)


@pytest.mark.corpus
def test_real_feed_dates_are_days(corpus_dir: Path) -> None:
    dated = 0
    for record in _manifest(corpus_dir):
        for entry in parse_feed((corpus_dir / "feeds" / record["file"]).read_bytes()).entries:
            if entry.published:
                assert len(entry.published) == 10 and entry.published[4] == "-"
                dated += 1
    assert dated > 400


@pytest.mark.corpus
def test_feedparser_suite_through_ingest(corpus_dir: Path) -> None:
    """Every file as ingest reads it: articles or one-line reasons, never a traceback."""
    from nlp.records import Article
    from nlp.sources.archive import Skipped, iter_archive

    folder = corpus_dir / "feedparser_tests"
    assert sum(1 for path in folder.rglob("*") if path.is_file()) == 2107
    items = list(iter_archive([folder]))
    articles = [item for item in items if isinstance(item, Article)]
    skipped = [item for item in items if isinstance(item, Skipped)]
    assert len(articles) + len(skipped) == len(items)
    assert len(articles) > 400
    assert all(article.text.strip() for article in articles)
    assert all(skip.reason and "Traceback" not in skip.reason for skip in skipped)
    assert not [skip for skip in skipped if skip.reason.startswith("unreadable")]
    assert sum("no feed here" in skip.reason for skip in skipped) > 400


def test_malformed_links_are_kept_as_written() -> None:
    body = (
        "<rss><channel><title>t</title><item><title>a</title><link>http://[::1/x</link></item>"
        "<item><title>b</title><link>story/2</link></item></channel></rss>"
    )
    feed = parse_feed(body, base_url="https://news.example.com/feed")
    assert [entry.url for entry in feed.entries] == [
        "http://[::1/x",
        "https://news.example.com/story/2",
    ]
