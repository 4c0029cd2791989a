"""iter_archive: JSON Lines, folders, pages, text, WARC and feeds become Articles or Skipped."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
import types
from itertools import islice
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from nlp.records import Article
from nlp.sources import archive
from nlp.sources.archive import Skipped, iter_archive, record_to_article
from nlp.sources.articles import compose_text

PAGE_BODY = (
    "<p>Ruritania's parliament voted on Thursday to impose a 15% duty on imported cement, a "
    "measure the government said would protect local producers from cheap shipments.</p>"
    "<p>The duty applies for three years. Importers said prices for builders would rise and "
    "asked the trade minister to delay the measure until the summer.</p>"
)


def page(title: str = "Ruritania taxes cement", body: str = PAGE_BODY, head: str = "") -> str:
    """A small page in our own words."""
    return (
        f"<html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>{body}"
        "</article></body></html>"
    )


def split(items):
    """(articles, skipped) from a list of items."""
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [
        i for i in items if isinstance(i, Skipped)
    ]


@pytest.fixture
def archive_dir(data_dir: Path) -> Path:
    return data_dir / "archive"


# -- JSON Lines --------------------------------------------------------------------------------


@pytest.fixture
def jsonl_items(archive_dir):
    return list(iter_archive([archive_dir / "articles.jsonl"]))


def test_jsonl_records_and_aliases(jsonl_items):
    articles = {a.id: a for a in jsonl_items if isinstance(a, Article)}
    assert set(articles) == {"a1", "7", "t1", "h1", next(k for k in articles if len(k) == 16)}
    first = articles["a1"]
    assert first.published == "2025-12-22" and first.source == "Example News"
    assert first.canonical_url == "https://news.example.org/steel"
    second = articles["7"]  # link, headline, pubDate, body
    assert second.url == "https://news.example.org/quota"
    assert second.title == "Quota on rice imports"
    assert second.published == "2025-12-23"
    assert second.text.endswith("100,000 tonnes for rice imports.")


def test_jsonl_text_is_stored_exactly(jsonl_items):
    first = next(a for a in jsonl_items if isinstance(a, Article) and a.id == "a1")
    body = "Ruritania said on Monday it would raise import duties on steel to 25%.\n  Officials  gave no date."
    assert first.text == compose_text("Ruritania raises steel duties", body)


def test_jsonl_untitled_headline_only_and_html(jsonl_items):
    articles = [a for a in jsonl_items if isinstance(a, Article)]
    untitled = next(a for a in articles if a.title is None)
    assert untitled.text.startswith("An untitled wire item") and untitled.published == "1987-02-26"
    headline = next(a for a in articles if a.id == "t1")
    assert headline.text == "Freedonia bans exports of rare earths"
    assert headline.published == "2025-12-24"
    from_html = next(a for a in articles if a.id == "h1")
    assert from_html.text.startswith("Tariff talks resume\n\nNegotiators from both countries")
    assert "Tariff talks resume" not in from_html.text[len("Tariff talks resume") :]


def test_jsonl_bad_lines_are_skipped_with_line_numbers(jsonl_items, archive_dir):
    skipped = {s.where: s.reason for s in jsonl_items if isinstance(s, Skipped)}
    path = archive_dir / "articles.jsonl"
    assert set(skipped) == {f"{path}:{n}" for n in (4, 6, 7, 10)}
    assert skipped[f"{path}:4"].startswith("invalid JSON")
    assert skipped[f"{path}:6"] == "no text"
    assert "not a JSON object" in skipped[f"{path}:7"]
    assert "'text'" in skipped[f"{path}:10"]


def test_jsonl_gz_reads_like_plain(archive_dir, tmp_path):
    packed = tmp_path / "articles.jsonl.gz"
    packed.write_bytes(gzip.compress((archive_dir / "articles.jsonl").read_bytes()))
    plain = [
        a.text for a in iter_archive([archive_dir / "articles.jsonl"]) if isinstance(a, Article)
    ]
    assert [a.text for a in iter_archive([packed]) if isinstance(a, Article)] == plain


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"text": "kept\x03 as  is "}, "kept\x03 as  is "),
        ({"title": " Padded title ", "text": "Body."}, "Padded title\n\nBody."),
        ({"headline": "Only a headline"}, "Only a headline"),
        ({"title": "T", "text": "   "}, "T"),
        ({"title": "T", "html": "<html><body><script>x</script></body></html>"}, "T"),
        ({"text": "Body", "html": "<p>ignored when text is given</p>"}, "Body"),
    ],
)
def test_record_to_article_text(record, expected):
    assert record_to_article(record).text == expected


@pytest.mark.parametrize(
    "record",
    [{}, {"id": "x"}, {"title": "   "}, {"text": ""}, {"html": "<html><body></body></html>"}],
)
def test_record_without_text_is_refused(record):
    with pytest.raises(archive.InputError):
        record_to_article(record)


def test_non_utf8_line_is_decoded_best_effort(tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(
        '{"id": "e1", "text": "Les droits de douane passent à 20 %."}\n'.encode("latin-1")
    )
    (article,) = iter_archive([path])
    assert article.text == "Les droits de douane passent à 20 %."


def test_overlong_line_is_skipped_and_reading_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_LINE_BYTES", 64)
    path = tmp_path / "long.jsonl"
    path.write_text(
        json.dumps({"text": "x" * 500}) + "\n" + json.dumps({"id": "ok", "text": "short"}) + "\n"
    )
    items = list(iter_archive([path]))
    assert items[0] == Skipped(f"{path}:1", "line too long")
    assert isinstance(items[1], Article) and items[1].id == "ok"


@pytest.mark.parametrize(
    ("content", "articles", "skips"),
    [
        ('{\n  "id": "p1",\n  "text": "A pretty-printed object."\n}\n', 1, 0),
        ('[{"text": "one"}, {"text": "two"}, 3]', 2, 1),
        ('{"text": "one"}\n{"text": "two"}\n', 2, 0),
        ('{"text": "broken', 0, 1),
        ("", 0, 0),
    ],
)
def test_json_file_shapes(tmp_path, content, articles, skips):
    path = tmp_path / "records.json"
    path.write_text(content)
    found, skipped = split(iter_archive([path]))
    assert (len(found), len(skipped)) == (articles, skips)


# -- folders, text and pages -------------------------------------------------------------------


def test_folder_walk_order_and_kinds(archive_dir):
    items = list(iter_archive([archive_dir]))
    sources = [
        Path(i.where.rsplit(":", 1)[0] if ":" in i.where else i.where).name
        if isinstance(i, Skipped)
        else None
        for i in items
    ]
    assert "notes.md" not in sources  # unknown kinds are ignored inside folders
    assert (
        Skipped(str(archive_dir / "nested" / "deeper" / "image.txt"), "binary data, not text")
        in items
    )
    articles = [i for i in items if isinstance(i, Article)]
    texts = [a.text for a in articles]
    # articles.jsonl, feed.rss, nested/deeper/latin1.txt, nested/list.json, page.html: name order
    assert texts[0].startswith("Ruritania raises steel duties")
    assert any(t.startswith("Sylvania cuts tariffs on solar panels") for t in texts)
    latin = next(t for t in texts if t.startswith("Le gouvernement"))
    assert "relevé les droits de douane sur les véhicules électriques à 30 %" in latin
    assert texts.index(latin) < texts.index(
        "Grain deal extended\n\nThe grain export deal was extended by 120 days."
    )
    assert texts[-1].startswith(
        "Freedonia widens export licence rules\n\nFreedonia's trade ministry"
    )


def test_html_file_article(archive_dir):
    (article,) = iter_archive([archive_dir / "page.html"])
    assert article.title == "Freedonia widens export licence rules"
    assert article.published == "2025-11-03"
    assert article.url == "https://daily.example.com/2025/11/03/freedonia-export-licences"
    assert article.language == "en"


def test_txt_first_line_is_not_a_title(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Tariffs rise\nThe duty on cars rose to 10%.\n", encoding="utf-8")
    (article,) = iter_archive([str(path)])
    assert article.title is None
    assert article.text == "Tariffs rise\nThe duty on cars rose to 10%.\n"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.md", b"# notes", "unknown kind of file"),
        ("empty.txt", b"  \n", "empty file"),
        ("junk.html", b"\x00\x01\x02binary\x00" * 50, "binary"),
        ("junk.txt", b"PK\x03\x04zip archive", "binary"),
        ("cut.jsonl.gz", gzip.compress(b'{"text": "a"}\n' * 100)[:40], "unreadable"),
        ("nofeed.xml", b"<?xml version='1.0'?><catalog><book/></catalog>", "no feed"),
        ("broken.warc", b"hello, this is not a web archive\n" * 5, "not a WARC file"),
        ("empty.warc.gz", gzip.compress(b""), "not a WARC file"),
    ],
)
def test_bad_files_are_skipped_never_raised(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    items = list(iter_archive([path]))
    assert items and isinstance(items[-1], Skipped)  # a cut archive yields what came before
    assert items[-1].where == str(path) and reason in items[-1].reason


def test_missing_path_is_skipped(tmp_path):
    assert list(iter_archive([tmp_path / "absent.jsonl"])) == [
        Skipped(str(tmp_path / "absent.jsonl"), "no such file or folder")
    ]


def test_huge_file_is_skipped_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as stream:
        stream.truncate(archive.MAX_FILE_BYTES + 1)  # sparse: nothing is written or read
    (item,) = iter_archive([path])
    assert isinstance(item, Skipped) and "too large" in item.reason


def test_huge_compressed_page_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(page().encode() * 10))
    (item,) = iter_archive([path])
    assert isinstance(item, Skipped) and "too large" in item.reason


# -- WARC --------------------------------------------------------------------------------------


def write_warc(path: Path, *, gzipped: bool) -> None:
    """A small WARC: a warcinfo, a request, HTML responses (one cp1252, one empty), a PNG and a 404."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))

        def response(
            uri: str,
            payload: bytes,
            content_type: str,
            status: str = "200 OK",
            gzipped: bool = False,
        ) -> None:
            fields = [("Content-Type", content_type)]
            fields += [("Content-Encoding", "gzip")] if gzipped else []
            headers = StatusAndHeaders(status, fields, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2025-12-20T08:00:00Z"},
            )
            writer.write_record(record)

        request = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "x.example")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record("https://x.example/a", "request", http_headers=request)
        )
        cement = page(body=PAGE_BODY.replace("Ruritania's", "Ruritania’s"))
        response(
            "https://x.example/cement", cement.encode("cp1252"), "text/html; charset=windows-1252"
        )
        response("https://x.example/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")
        response("https://x.example/gone", page().encode(), "text/html", status="404 Not Found")
        response("https://x.example/blank", b"<html><body></body></html>", "text/html")
        response("https://x.example/damaged", b"\x1f\x8b\x08\x00broken", "text/html", gzipped=True)
        lumber = page("Sylvania limits lumber", PAGE_BODY.replace("cement", "lumber"))
        response(
            "https://x.example/lumber", gzip.compress(lumber.encode()), "text/html", gzipped=True
        )


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses(tmp_path, name):
    path = tmp_path / name
    write_warc(path, gzipped=name.endswith(".gz"))
    articles, skipped = split(iter_archive([path]))
    cement, lumber = articles  # the damaged record between them does not stop the reading
    assert cement.url == "https://x.example/cement"
    assert cement.published == "2025-12-20"  # from WARC-Date: the page has no date
    assert "Ruritania’s parliament voted" in cement.text
    assert lumber.title == "Sylvania limits lumber" and "imported lumber" in lumber.text
    blank, damaged = skipped
    assert blank.where.startswith(f"{path}:") and "https://x.example/blank" in blank.reason
    assert damaged.reason.startswith("https://x.example/damaged: ")


# -- feeds -------------------------------------------------------------------------------------


def test_feed_file_entries(archive_dir):
    articles, skipped = split(iter_archive([archive_dir / "feed.rss"]))
    assert [a.url for a in articles] == [
        "https://wire.example.net/sylvania-solar",
        "https://wire.example.net/ruritania-wto",
    ]
    solar, wto = articles
    assert solar.text == (
        "Sylvania cuts tariffs on solar panels\n\n"
        "Sylvania will cut its tariff on imported solar panels from 20% to 5%, the finance "
        "ministry said.\nThe cut takes effect next month.\nIt follows a review of energy prices."
    )
    assert wto.text.endswith("anti-dumping duties on its steel.")
    assert {a.source for a in articles} == {"Example Trade Wire"}
    assert [a.published for a in articles] == ["2025-12-10", "2025-12-11"]
    assert skipped == [Skipped(f"{archive_dir / 'feed.rss'}:3", "no text")]


# -- streaming ---------------------------------------------------------------------------------


def test_iter_archive_is_lazy(tmp_path):
    path = tmp_path / "later.jsonl"
    items = iter_archive([path])
    assert isinstance(items, types.GeneratorType)
    path.write_text('{"id": "late", "text": "Written after the call."}\n')
    assert [a.id for a in items] == ["late"]


def test_memory_does_not_grow_with_the_archive(tmp_path):
    path = tmp_path / "big.jsonl"
    # few, long tokens: the text hash splits on spaces, and tracing each word is slow
    record = {"title": "Duty rise", "text": "Steel duties rose. " + "x" * 10_000}
    with open(path, "w", encoding="utf-8") as stream:
        for number in range(1000):
            stream.write(json.dumps({**record, "id": f"r{number}"}) + "\n")
    assert path.stat().st_size > 10_000_000
    tracemalloc.start()
    try:
        count = sum(1 for item in iter_archive([path]) if isinstance(item, Article))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 1000
    assert peak < 2_000_000  # holding the records would take > 10 MB


# -- the real corpus ---------------------------------------------------------------------------


@pytest.mark.corpus
def test_reuters_first_200_records(corpus_dir, tmp_path):
    head = tmp_path / "reuters-head.jsonl"
    with open(corpus_dir / "reuters21578.jsonl", encoding="utf-8") as source:
        head.write_text("".join(islice(source, 200)), encoding="utf-8")
    records = [json.loads(line) for line in head.read_text(encoding="utf-8").splitlines()]
    articles, skipped = split(iter_archive([head]))
    readable = [r for r in records if r.get("body") or r.get("title")]
    assert len(articles) == len(readable) and len(skipped) == len(records) - len(readable)
    assert all(s.reason == "no text" for s in skipped)
    for record, article in zip(readable, articles, strict=True):
        assert article.id == str(record["id"])
        body = record.get("body")
        if body and (record.get("dateline") or "").strip():
            body = f"{record['dateline'].strip()} {body}"
        assert article.text == compose_text(record.get("title"), body)
        assert article.published and article.published.startswith("1987-")


@pytest.mark.corpus
def test_corpus_html_page(corpus_dir):
    manifest = [
        json.loads(line)
        for line in (corpus_dir / "html" / "MANIFEST.jsonl").read_text().splitlines()
    ]
    entry = next(m for m in manifest if "ndtv" in m["file"])
    (article,) = iter_archive([corpus_dir / "html" / entry["file"]])
    assert article.title == entry["title"]
    assert article.published == entry["date"]
    assert "retaliation" in article.text.lower()


@pytest.mark.corpus
def test_corpus_feeds(corpus_dir):
    feeds = sorted(p for p in (corpus_dir / "feeds").iterdir() if p.suffix != ".jsonl")
    articles, skipped = split(iter_archive(feeds))
    assert {Path(a.feed).name for a in articles} == {p.name for p in feeds}  # broken ones too
    assert all(":" in s.where and s.reason == "no text" for s in skipped)
    assert len(articles) > 400
    white_house = [a for a in articles if "wh-briefings" in (a.feed or "")]
    assert white_house and all(a.title == a.title.strip() and a.url for a in white_house)
    assert all(a.published for a in white_house)


def test_dateline_opens_the_body_as_printed(tmp_path):
    path = tmp_path / "wire.jsonl"
    record = {
        "id": "w1",
        "title": "Mill output up",
        "dateline": "  HAMILTON, Ontario, March 2 - ",
        "body": "Output rose.",
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (article,) = iter_archive([path])
    assert article.text == "Mill output up\n\nHAMILTON, Ontario, March 2 - Output rose."
