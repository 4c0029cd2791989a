"""Event extraction against the dev gold: event and dyad P/R/F1 per type, attribute agreement.

Usage: PYTHONPATH=. python bench/dev_gold.py [--gold DIR|FILE] [--articles FILE]
       [--model NAME|blank:en] [--show] [--pred-out FILE] [--no-boundaries]

``--gold`` is a gold folder (``dev_articles.jsonl`` + ``dev_events.jsonl``) or an events file;
with an events file, ``--articles`` names the articles (e.g. rebuilt by ``nlp.goldcorpus``).
The sentence-boundary component ``newstag_boundaries`` is put before the parser unless
``--no-boundaries`` is given (or the built pipeline already has it).

Runs the full pipeline over ``dev_articles.jsonl`` (title + body as stored, with ``published``),
scores against ``dev_events.jsonl`` with ``nlp.evaluate.score`` (EVENTS.md §6), and prints the
table. ``--show`` prints, for each article with an error, the gold and predicted events side by
side (the evidence is read from the gold folder at run time, never kept in the project).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from nlp.evaluate import format_table, load_gold, score
from nlp.pipeline.boundaries import add_before_parser
from nlp.pipeline.build import build_pipeline
from nlp.pipeline.process import pipe_texts
from nlp.sources.articles import compose_text

DEFAULT_GOLD = Path(__file__).resolve().parent.parent.parent / "shared" / "gold"


def read_articles(path: Path) -> list[dict[str, Any]]:
    """The dev articles, one dict per JSON line."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def predict(
    model: str | None, articles: list[dict[str, Any]], *, boundaries: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """Run the pipeline over the articles; events per article id. ``boundaries`` puts
    ``newstag_boundaries`` before the parser when the built pipeline lacks it."""
    nlp = build_pipeline(model)
    if boundaries:
        add_before_parser(nlp)
    items = (
        (compose_text(a.get("title"), a.get("text")), a.get("published"), a["id"]) for a in articles
    )
    return {article_id: list(doc._.events or []) for doc, article_id in pipe_texts(nlp, items)}


def brief(event: dict[str, Any]) -> str:
    """One line per event for the side-by-side view."""
    keys = ("event_type", "action", "actor", "target", "amount", "percent", "date_start")
    fields = " ".join(str(event.get(key) or "-") for key in keys)
    evidence = " ".join(str(event.get("evidence") or event.get("sentence") or "").split())
    neg = " NEG" if event.get("negated") else ""
    return f"{fields}{neg} | {evidence[:140]}"


def show(gold: dict[str, list[dict]], predicted: dict[str, list[dict]]) -> None:
    """Gold and predicted events of every article whose events differ."""
    for article_id in sorted(gold):
        key = lambda e: (e.get("event_type"), e.get("actor") or "", e.get("target") or "")  # noqa: E731
        pred = [e for e in predicted.get(article_id, []) if not e.get("negated")]
        if sorted(map(key, gold[article_id])) == sorted(map(key, pred)):
            continue
        print(f"\n=== {article_id}")
        for event in gold[article_id]:
            print("  G", brief(event))
        for event in predicted.get(article_id, []):
            print("  P", brief(event))


def gold_paths(gold: Path, articles: Path | None) -> tuple[Path, Path]:
    """Events file and articles file from a gold folder or an events file plus ``--articles``."""
    if gold.is_dir():
        return gold / "dev_events.jsonl", articles or gold / "dev_articles.jsonl"
    if articles is None:
        raise SystemExit("--articles is required when --gold is an events file")
    return gold, articles


def main() -> None:
    """Parse options, predict, score, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--model", default=None)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--pred-out", type=Path, default=None)
    parser.add_argument("--articles", type=Path, default=None)
    parser.add_argument("--no-boundaries", action="store_true")
    args = parser.parse_args()
    gold_file, articles_file = gold_paths(args.gold, args.articles)
    articles = read_articles(articles_file)
    gold = load_gold(gold_file)
    started = time.perf_counter()
    predicted = predict(args.model, articles, boundaries=not args.no_boundaries)
    elapsed = time.perf_counter() - started
    if args.pred_out:
        rows = [{"article_id": key, "events": events} for key, events in predicted.items()]
        args.pred_out.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    if args.show:
        show(gold, predicted)
    print(format_table(score(gold, predicted)))
    print(f"\n{len(articles)} articles in {elapsed:.1f} s (model: {args.model or 'default'})")


if __name__ == "__main__":
    main()
