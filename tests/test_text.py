"""Main-text extraction from pages, charset detection, and feed-fragment flattening."""

from __future__ import annotations

import codecs
import json
from collections import Counter

import pytest

from nlp.errors import InputError
from nlp.sources.text import decode_bytes, extract_html, html_fragment_to_text, looks_binary

PARAGRAPHS = [
    "Sylvania's cabinet approved a plan on Tuesday to cut the import tariff on wheat to 5% from "
    "12%, the agriculture minister told reporters after the meeting in the capital.",
    "The minister said the cut would last until the end of June and would be reviewed if "
    "domestic prices fell. Farmers' unions criticised the decision and promised protests.",
    "Traders said the move could draw more grain from Ruritania, the largest supplier, whose "
    "exporters had been waiting for lower duties since the spring harvest.",
]


def make_page(*, charset_meta: str = "", lang: str = "en", extra_head: str = "") -> str:
    """A small news page in our own words, with navigation and a footer around the article."""
    paragraphs = "".join(f"<p>{p}</p>\n" for p in PARAGRAPHS)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{charset_meta}'
        "<title>Sylvania cuts wheat tariff - Example Post</title>"
        f"{extra_head}</head><body>"
        '<nav><a href="/">Home</a> <a href="/markets">Markets</a> <a href="/world">World</a></nav>'
        "<article><h1>Sylvania cuts wheat tariff</h1>\n"
        f"{paragraphs}</article>"
        "<footer><p>Subscribe to our newsletter for more news every morning.</p></footer>"
        "</body></html>"
    )


# -- extract_html on our fixture page ----------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_page(data_dir):
    return extract_html((data_dir / "archive" / "page.html").read_bytes())


def test_fixture_page_metadata(fixture_page):
    assert fixture_page.title == "Freedonia widens export licence rules"
    assert fixture_page.published == "2025-11-03"
    assert fixture_page.author == "Jane Roe"
    assert fixture_page.language == "en"
    assert fixture_page.url == "https://daily.example.com/2025/11/03/freedonia-export-licences"


def test_fixture_page_main_text(fixture_page):
    text = fixture_page.text
    assert text.startswith("Freedonia's trade ministry said on Monday")
    assert "joint trade committee in January" in text
    assert "Home" not in text and "All rights reserved" not in text
    assert len(text.split("\n")) == 3  # one paragraph a line


def test_headline_is_not_repeated_in_text():
    extracted = extract_html(make_page(), url="https://post.example.com/wheat")
    assert extracted.title and "wheat tariff" in extracted.title
    assert extracted.text.startswith(PARAGRAPHS[0][:40])
    assert "Subscribe" not in extracted.text


# -- decoding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "meta"),
    [
        ("cp1252", '<meta charset="windows-1252">'),
        ("iso-8859-1", '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'),
        ("utf-8", '<meta charset="utf-8">'),
        ("utf-8", ""),
        ("utf-16", ""),  # a BOM and nothing else
        ("utf-8-sig", ""),
        ("iso-8859-7", '<meta charset="iso-8859-7">'),
    ],
)
def test_page_bytes_decoded_by_declaration(encoding, meta):
    special = "Müller said the “café” levy of 5 € was fair" if "8859-7" not in encoding else "Αθήνα"
    html = make_page(charset_meta=meta).replace("Farmers' unions", f"{special}. Farmers' unions")
    if encoding == "iso-8859-1":
        special = special.replace("“", '"').replace("”", '"').replace("€", "EUR")
        html = make_page(charset_meta=meta).replace(
            "Farmers' unions", f"{special}. Farmers' unions"
        )
    extracted = extract_html(html.encode(encoding))
    assert special in extracted.text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Le ministre a relevé les droits à 30 %.".encode("latin-1"), "relevé les droits à 30"),
        (
            "Die Zölle für Stahl steigen über 25 Prozent.".encode("cp1252"),
            "Zölle für Stahl steigen über",
        ),
        ("Пошлины на сталь повышены до 25 процентов.".encode("cp1251"), "Пошлины на сталь"),
        (codecs.BOM_UTF8 + "tariff – duty".encode(), "tariff – duty"),
        (b"plain ascii text", "plain ascii text"),
    ],
)
def test_decode_bytes_guesses_encoding(data, expected):
    assert expected in decode_bytes(data)


def test_decode_bytes_header_charset_wins_over_guess():
    data = "Ελλάδα και Κύπρος".encode("iso-8859-7")
    assert decode_bytes(data, declared="iso-8859-7") == "Ελλάδα και Κύπρος"


@pytest.mark.parametrize(
    "junk",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        b"text with a NUL \x00 in it",
        bytes(range(1, 32)) * 20,
    ],
)
def test_binary_junk_is_refused(junk):
    with pytest.raises(InputError, match="binary"):
        decode_bytes(junk)
    with pytest.raises(InputError):
        extract_html(junk)


def test_utf16_text_is_not_binary():
    assert not looks_binary("tariff".encode("utf-16"))


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        (b"", "empty"),
        ("<html><head><title>Only a title</title></head><body></body></html>", "no main text"),
        ("<html><body><script>var price = 1;</script><div> </div></body></html>", "no main text"),
        ("<html><body><img src='chart.png'></body></html>", "no main text"),
    ],
)
def test_pages_without_text_raise_input_error(page, reason):
    with pytest.raises(InputError, match=reason):
        extract_html(page)


# -- feed fragments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>One &amp; two</p><p>Three</p>", "One & two\nThree"),
        ("First line<br>second<br/>third", "First line\nsecond\nthird"),
        (
            "<div><ul><li>steel</li><li>aluminium</li></ul></div>and more",
            "steel\naluminium\nand more",
        ),
        ("A duty of <b>25%</b> on <i>steel</i>.", "A duty of 25% on steel."),
        ("before<script>alert(1)</script> after", "before after"),
        ("<style>p{color:red}</style><p>styled</p>", "styled"),
        ("kept <!-- dropped --> tail", "kept tail"),
        ("plain text &lt;no tags&gt;", "plain text <no tags>"),
        ("  spaced\n\n\n  out  ", "spaced\nout"),
        ("<p>unclosed <i>italic", "unclosed italic"),
        ('<?xml version="1.0" encoding="utf-8"?><p>declared</p>', "declared"),
        ("", ""),
        ("<!-- only a comment -->", ""),
    ],
)
def test_html_fragment_to_text(fragment, expected):
    assert html_fragment_to_text(fragment) == expected


# -- real pages --------------------------------------------------------------------------------


def _token_f1(predicted: str, gold: str) -> float:
    """Token-level F1 as the article-extraction benchmark scores it."""
    pred, ref = Counter(predicted.split()), Counter(gold.split())
    common = sum((pred & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(pred.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


@pytest.mark.corpus
def test_extraction_benchmark_f1_floor(corpus_dir):
    """Mean token F1 on the extraction gold stays at trafilatura's level (0.964 when pinned)."""
    folder = corpus_dir / "extraction_gold"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    scores = [
        _token_f1(
            extract_html((folder / f"{key}.html").read_bytes(), url=gold["url"]).text,
            gold["articleBody"],
        )
        for key, gold in sorted(truth.items())
    ]
    assert len(scores) == 60
    assert sum(scores) / len(scores) >= 0.955


@pytest.mark.corpus
@pytest.mark.parametrize("page", ["bbc-1", "nytimes-1", "schema-org-context-object", "lemonde-1"])
def test_readability_pages_metadata(corpus_dir, page):
    folder = corpus_dir / "html"
    gold = json.loads((folder / f"readability__{page}__expected-metadata.json").read_text())
    extracted = extract_html((folder / f"readability__{page}__source.html").read_bytes())
    assert extracted.title and gold["title"][:25] in extracted.title
    assert extracted.language == gold["lang"].split("-")[0]
    if gold.get("publishedTime"):
        assert extracted.published == gold["publishedTime"][:10]
    assert len(extracted.text) > 1000


def test_htmldate_fallback_when_trafilatura_has_no_date(monkeypatch):
    """The page's own date still arrives when trafilatura's metadata misses it."""
    import trafilatura

    real = trafilatura.bare_extraction

    def without_date(*args, **kwargs):
        document = real(*args, **kwargs)
        document.date = None
        return document

    monkeypatch.setattr(trafilatura, "bare_extraction", without_date)
    dated = make_page(extra_head='<meta name="date" content="2025-06-30">')
    assert extract_html(dated).published == "2025-06-30"
    assert extract_html(make_page()).published is None
