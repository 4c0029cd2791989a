"""Main-text extraction against a person's article text: token F1 on the extraction benchmark.

Usage: PYTHONPATH=. python bench/extraction_gold.py [GOLD_DIR] [--no-fetch]

For each page of ``extraction_gold/`` (``{id}.html`` + ``ground-truth.json``) it scores, against
``articleBody``, with a bag-of-tokens F1 (whitespace tokens, as the benchmark's own scorer):

  trafilatura  plain ``trafilatura.extract`` with its defaults (the baseline)
  extract_html ``nlp.sources.text.extract_html`` on the page bytes
  stored body  the article newstag stores after ``fetch_feeds`` downloaded the page from a
               loopback server (title line removed: the gold has no title)
  stored text  the same stored text with its title line, as the pipeline reads it
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from nlp.config import Settings
from nlp.records import Article
from nlp.sources.text import extract_html

GOLD = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "extraction_gold"


def token_f1(predicted: str, gold: str) -> float:
    """F1 of the multiset of whitespace tokens (1.0 when both are empty)."""
    pred, true = Counter(predicted.split()), Counter(gold.split())
    if not pred and not true:
        return 1.0
    common = sum((pred & true).values())
    if not common:
        return 0.0
    precision, recall = common / sum(pred.values()), common / sum(true.values())
    return 2 * precision * recall / (precision + recall)


def load_gold(folder: Path) -> dict[str, dict]:
    """``{id: {"articleBody", "url"}}`` for the pages present in the folder."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return {key: value for key, value in truth.items() if (folder / f"{key}.html").is_file()}


def plain_trafilatura(raw: bytes, url: str | None) -> str:
    """The baseline: trafilatura with default options."""
    return trafilatura.extract(raw, url=url) or ""


def newstag_text(raw: bytes, url: str | None) -> str:
    """Our extraction, as archives and fetches call it."""
    try:
        return extract_html(raw, url=url).text
    except Exception:  # a page without text scores 0, it does not stop the benchmark
        return ""


def score(
    folder: Path, gold: dict[str, dict], extract: Callable[[bytes, str | None], str]
) -> list[float]:
    """F1 of one extractor on every page."""
    scores = []
    for key, record in gold.items():
        raw = (folder / f"{key}.html").read_bytes()
        scores.append(token_f1(extract(raw, record.get("url")), record["articleBody"]))
    return scores


def stored_texts(folder: Path, gold: dict[str, dict]) -> dict[str, tuple[str, str]]:
    """Serve every page and a feed of them on loopback, run ``fetch_feeds``, return
    ``{id: (body, full stored text)}`` read back from the database."""
    from pytest_httpserver import HTTPServer

    from nlp.fetching import fetch_feeds
    from nlp.sources.feedlist import FeedSpec
    from nlp.sources.fetch import FetchLimits
    from nlp.store import iter_articles, open_db

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    try:
        items = []
        for key in gold:
            server.expect_request(f"/{key}").respond_with_data(
                (folder / f"{key}.html").read_bytes(), content_type="text/html"
            )
            items.append(f"<item><link>{server.url_for('/' + key)}</link></item>")
        rss = f"<rss><channel><title>gold</title>{''.join(items)}</channel></rss>"
        server.expect_request("/feed.xml").respond_with_data(rss)
        limits = FetchLimits(host_delay=0.0, per_host=4, respect_robots=False, retries=0)
        with tempfile.TemporaryDirectory() as tmp:
            db = open_db(Path(tmp) / "bench.db")
            feed = FeedSpec(name="gold", url=server.url_for("/feed.xml"))
            summary = fetch_feeds(db, [feed], settings=Settings(), limits=limits)
            print(f"fetch: {summary.line()}")
            stored = {a.url.rsplit("/", 1)[1]: a for a in iter_articles(db) if a.url}
    finally:
        server.stop()
    return {key: _split_title(stored[key]) if key in stored else ("", "") for key in gold}


def _split_title(article: Article) -> tuple[str, str]:
    """(body without the title line, full text)."""
    body = article.text
    if article.title and body.startswith(article.title + "\n\n"):
        body = body[len(article.title) + 2 :]
    return body, article.text


def report(name: str, scores: list[float]) -> None:
    """One line: mean, median, minimum, pages under 0.8."""
    low = sum(value < 0.8 for value in scores)
    print(
        f"{name:<14} mean F1 {statistics.mean(scores):.4f}  median {statistics.median(scores):.4f}  "
        f"min {min(scores):.3f}  pages < 0.8: {low}/{len(scores)}"
    )


def main(argv: list[str]) -> int:
    args = [arg for arg in argv if not arg.startswith("--")]
    folder = Path(args[0]) if args else GOLD
    gold = load_gold(folder)
    print(f"{len(gold)} pages from {folder}")
    report("trafilatura", score(folder, gold, plain_trafilatura))
    ours = score(folder, gold, newstag_text)
    report("extract_html", ours)
    if "--no-fetch" not in argv:
        texts = stored_texts(folder, gold)
        report("stored body", [token_f1(texts[k][0], r["articleBody"]) for k, r in gold.items()])
        report("stored text", [token_f1(texts[k][1], r["articleBody"]) for k, r in gold.items()])
    return 0 if statistics.mean(ours) >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
