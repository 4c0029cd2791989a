"""Score newstag_quantities on quantulum3's English test cases in news units.

Reads ``quantities_gold.jsonl`` and ``quantities_nocrash.jsonl`` from the shared corpus
(``../shared/corpus`` by default). A gold quantity in money, percent or mass is found when a
``quantity`` span overlaps its surface with the same unit and the same value (mass compared
in tonnes, money in full units of its currency; for a gold range, its midpoint or its lower
bound, since newstag keeps the lower bound). Prints ``found n / n``, the misses, and the inputs
that raised.

    PYTHONPATH=. .venv/bin/python bench/peer_quantities.py [--model blank:en] [--corpus DIR] [--ner 400]
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from nlp.pipeline.build import build_pipeline
from nlp.pipeline.extensions import QUANTITIES

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
# quantulum3 unit name -> (newstag unit, factor into it); None as unit means "any currency".
NEWS_UNITS: dict[str, tuple[str | None, float]] = {
    "dollar": ("USD", 1.0),
    "euro": ("EUR", 1.0),
    "pound sterling": ("GBP", 1.0),
    "penny": (None, 0.01),
    "cent": (None, 0.01),
    "dime": ("USD", 0.1),
    "percentage": ("%", 1.0),
    "tonne": ("t", 1.0),
    "ton": ("t", 1.0),
    "kilogram": ("t", 0.001),
    "gram": ("t", 0.000001),
    "milligram": ("t", 0.000000001),
    "pound-mass": ("t", 0.00045359237),
}
# Volumes newstag also normalizes (reported apart: the target is money, percent and mass).
VOLUME_UNITS: dict[str, tuple[str | None, float]] = {
    "litre": ("l", 1.0),
    "centilitre": ("l", 0.01),
    "gallon": ("l", 3.785411784),
}


@dataclass(frozen=True)
class GoldQuantity:
    """One expected quantity in newstag's units, with the character span of its surface."""

    text: str
    surface: str
    start: int
    end: int
    unit: str | None
    values: tuple[float, ...]


def read_jsonl(path: Path) -> Iterator[dict]:
    """The records of a JSON Lines file."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def news_cases(
    path: Path, units: dict[str, tuple[str | None, float]] | None = None
) -> list[GoldQuantity]:
    """Every gold quantity whose unit is a news unit (money, percent, mass by default)."""
    units = NEWS_UNITS if units is None else units
    cases = []
    for record in read_jsonl(path):
        searched_from: dict[str, int] = {}
        for item in record["expected"]:
            if item["unit"] not in units:
                continue
            unit, factor = units[item["unit"]]
            surface = item["surface"]
            start = record["text"].find(surface, searched_from.get(surface, 0))
            searched_from[surface] = start + 1
            value, spread = float(item["value"]), float(item.get("uncertainty") or 0.0)
            values = (value * factor, (value - spread) * factor)
            cases.append(
                GoldQuantity(record["text"], surface, start, start + len(surface), unit, values)
            )
    return cases


def is_found(gold: GoldQuantity, predicted: list[tuple[int, int, float, str]]) -> bool:
    """True when a predicted quantity overlaps the gold surface with its unit and value."""
    for start, end, value, unit in predicted:
        if start >= gold.end or end <= gold.start:
            continue
        same_unit = unit == gold.unit or (gold.unit is None and len(unit) == 3 and unit.isupper())
        if same_unit and any(math.isclose(value, v, rel_tol=1e-6) for v in gold.values):
            return True
    return False


def predict(nlp: Language, text: str) -> list[tuple[int, int, float, str]]:
    """The quantities newstag finds in one text, as (start, end, value, unit)."""
    doc = nlp(text)
    return [
        (s.start_char, s.end_char, s._.newstag["value"], s._.newstag["unit"])
        for s in doc.spans[QUANTITIES]
    ]


def score(
    nlp: Language, corpus: Path, units: dict[str, tuple[str | None, float]] | None = None
) -> tuple[list[GoldQuantity], list[GoldQuantity]]:
    """The gold quantities in ``units`` (news units by default) and those that were not found."""
    cases = news_cases(corpus / "quantities_gold.jsonl", units)
    cache: dict[str, list[tuple[int, int, float, str]]] = {}
    misses = []
    for gold in cases:
        if gold.text not in cache:
            cache[gold.text] = predict(nlp, gold.text)
        if not is_found(gold, cache[gold.text]):
            misses.append(gold)
    return cases, misses


def crashes(nlp: Language, corpus: Path) -> list[str]:
    """The must-not-raise inputs that raised, with their error."""
    failed = []
    for record in read_jsonl(corpus / "quantities_nocrash.jsonl"):
        try:
            predict(nlp, record["text"])
        except Exception as e:  # noqa: BLE001  (any exception is the failure being measured)
            failed.append(f"{record['text']!r}: {e!r}")
    return failed


def ner_agreement(nlp: Language, corpus: Path, *, stories: int, step: int = 40) -> tuple[int, int]:
    """How many of the trained NER's MONEY/PERCENT/QUANTITY entities a quantity overlaps,
    on every ``step``-th Reuters-21578 story (a cross-check, not gold: the NER errs too)."""
    seen = covered = 0
    with (corpus / "reuters21578.jsonl").open(encoding="utf-8") as handle:
        bodies = [
            json.loads(line).get("body") or "" for i, line in enumerate(handle) if i % step == 1
        ]
    for body in bodies[:stories]:
        doc = nlp(body)
        spans = doc.spans[QUANTITIES]
        for ent in doc.ents:
            if ent.label_ in ("MONEY", "PERCENT", "QUANTITY"):
                seen += 1
                covered += any(s.start < ent.end and ent.start < s.end for s in spans)
    return covered, seen


def report(nlp: Language, corpus: Path, label: str) -> None:
    """Print the scores and the misses for one pipeline."""
    for title, units in (("news units", NEWS_UNITS), ("volumes", VOLUME_UNITS)):
        cases, misses = score(nlp, corpus, units)
        print(f"quantulum3 {title} ({label}): found {len(cases) - len(misses)} / {len(cases)}")
        for gold in misses:
            got = predict(nlp, gold.text)
            print(
                f"  MISS {gold.surface!r} = {gold.values[0]:g} {gold.unit} in {gold.text!r}; got {got}"
            )
    failed = crashes(nlp, corpus)
    print(f"no-crash inputs ({label}): {len(failed)} raised")
    for line in failed:
        print("  RAISED", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="spaCy pipeline, or blank:en")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--ner", type=int, default=0, help="also compare with the NER on N stories")
    args = parser.parse_args()
    nlp = build_pipeline(args.model, components=("newstag_quantities",))
    report(nlp, args.corpus, args.model or nlp.meta.get("name", "default"))
    if args.ner and "ner" in nlp.pipe_names:
        covered, seen = ner_agreement(nlp, args.corpus, stories=args.ner)
        print(f"NER MONEY/PERCENT/QUANTITY entities overlapped: {covered} / {seen}")


if __name__ == "__main__":
    main()
