"""Score newstag's dates on TempEval-3 (``../shared/corpus/timex_gold.jsonl``), per subset.

For every DATE timex whose value is a calendar range (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn,
YYYY-Wnn), it counts as found when a ``date`` mention overlapping it has exactly that range.
Each document is processed with ``doc._.published`` set to its creation date.

    PYTHONPATH=. .venv/bin/python bench/peer_timex.py [--model blank:en] [--misses N]
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from spacy.language import Language

from nlp.pipeline.build import build_pipeline
from nlp.pipeline.extensions import DATES
from nlp.pipeline.process import tag_text

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
SUBSETS = ("TimeBank", "AQUAINT", "te3-platinum")
_VALUE = re.compile(r"^(\d{4})(?:-(\d\d)(?:-(\d\d))?|-Q([1-4])|-W(\d\d))?$")


def gold_range(value: str) -> tuple[str, str] | None:
    """The first and last day a TimeML calendar value covers, or None for other values."""
    match = _VALUE.match(value)
    if not match:
        return None
    year, month, day, quarter, week = match.groups()
    y = int(year)
    if day:
        return (value, value)
    if month:
        last = calendar.monthrange(y, int(month))[1]
        return (f"{year}-{month}-01", f"{year}-{month}-{last:02d}")
    if quarter:
        first = 3 * int(quarter) - 2
        last = calendar.monthrange(y, first + 2)[1]
        return (f"{year}-{first:02d}-01", f"{year}-{first + 2:02d}-{last:02d}")
    if week:
        monday = date.fromisocalendar(y, int(week), 1)
        return (monday.isoformat(), (monday + timedelta(days=6)).isoformat())
    return (f"{year}-01-01", f"{year}-12-31")


def read_documents(path: Path) -> Iterator[dict]:
    """The TempEval-3 documents, one JSON object a line."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def score_document(nlp: Language, record: dict) -> Iterator[tuple[bool, dict, list[str]]]:
    """For each scored gold timex: whether it was found, the timex, and what overlapped it."""
    doc = tag_text(nlp, record["text"], record["dct"])
    mentions = [span for span in doc.spans[DATES] if span.label_ == "date"]
    for timex in record["timexes"]:
        wanted = gold_range(timex["value"]) if timex["type"] == "DATE" else None
        if wanted is None:
            continue
        near = [s for s in mentions if s.start_char < timex["end"] and timex["start"] < s.end_char]
        got = [(s._.newstag["date_start"], s._.newstag["date_end"]) for s in near]
        seen = [f"{s.text!r}={s._.newstag['date_start']}/{s._.newstag['date_end']}" for s in near]
        yield wanted in got, timex, seen


def score(
    nlp: Language,
    path: Path,
    *,
    subsets: tuple[str, ...] = SUBSETS,
    misses: list[tuple[str, str, dict, list[str]]] | None = None,
) -> dict[str, tuple[int, int]]:
    """Found and total scored timexes per subset; misses are appended to ``misses`` if given."""
    totals: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for record in read_documents(path):
        if record["subset"] not in subsets:
            continue
        for hit, timex, seen in score_document(nlp, record):
            totals[record["subset"]] += 1
            found[record["subset"]] += hit
            if not hit and misses is not None:
                misses.append((record["subset"], record["dct"], timex, seen))
    return {name: (found[name], totals[name]) for name in subsets}


def main() -> None:
    """Print recall per subset and, on request, a sample of misses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", default=None, help="spaCy pipeline (default: installed; blank:en)"
    )
    parser.add_argument("--misses", type=int, default=0, help="print this many misses")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    nlp = build_pipeline(args.model, components=("newstag_dates",))
    misses: list[tuple[str, str, dict, list[str]]] = []
    for name, (hits, total) in score(nlp, args.corpus / "timex_gold.jsonl", misses=misses).items():
        print(f"{name:14} {hits:5d} / {total:5d} = {hits / max(total, 1):.3f}")
    for subset, dct, timex, seen in misses[: args.misses]:
        print(f"MISS {subset} dct={dct} {timex['text']!r} gold={timex['value']} got={seen}")


if __name__ == "__main__":
    main()
