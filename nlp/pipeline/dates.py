"""The ``newstag_dates`` component: find time expressions and resolve them against ``doc._.published``.

Spans come from token patterns in ``models/dates/patterns.jsonl`` (so a blank pipeline finds
them) and, where a trained pipeline is present, from its ``DATE`` entities that the patterns
missed. Every span is read by ``nlp.pipeline.timex.resolve``; spans that name no definite time
("recent months") are dropped. Output: ``doc.spans["newstag_dates"]`` with labels ``date`` and
``duration`` and the normalized fields in ``span._.newstag``.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.config import default_models_dir
from nlp.errors import ModelError
from nlp.pipeline.extensions import DATES, register_extensions
from nlp.pipeline.timex import DateLexicon, Timex, load_lexicon, resolve

log = logging.getLogger(__name__)

_NER_LABELS = ("DATE",)
_NOT_DATE_ENTS = ("MONEY", "QUANTITY", "PERCENT")


class DateTagger:
    """Tag dates and durations; one instance per pipeline, its data loaded once."""

    def __init__(
        self, nlp: Language, name: str = "newstag_dates", *, models_dir: str | None = None
    ) -> None:
        register_extensions()
        self.name = name
        self.vocab = nlp.vocab
        self.models_dir = Path(models_dir) if models_dir else default_models_dir()
        self._load(self.models_dir)

    def _load(self, models_dir: Path) -> None:
        self.lexicon = load_lexicon(models_dir)
        self.patterns = read_patterns(models_dir)
        self.matcher = Matcher(self.vocab)
        for row in self.patterns:
            self.matcher.add(row["id"], [expand_pattern(row["pattern"], self.lexicon)])

    def __call__(self, doc: Doc) -> Doc:
        anchor = parse_anchor(doc._.published)
        spans = []
        reference: Timex | None = None
        previous: Timex | None = None
        for span in self.candidate_spans(doc):
            tagged = self.tag_span(span, anchor, reference, previous)
            if tagged is None:
                continue
            spans.append(tagged[0])
            reference = next_reference(reference, tagged[1])
            if tagged[1].label == "date" and not tagged[1].anaphoric:
                previous = tagged[1]
        doc.spans[DATES] = spans
        return doc

    def candidate_spans(self, doc: Doc) -> list[Span]:
        """Pattern matches (longest first) plus trained DATE entities that overlap none of them."""
        trimmed = (trim_span(doc[start:end], self.lexicon) for _, start, end in self.matcher(doc))
        matched = filter_spans([span for span in trimmed if span is not None])
        taken = {i for span in matched for i in range(span.start, span.end)}
        extra = [
            ent
            for ent in doc.ents
            if ent.label_ in _NER_LABELS and not taken.intersection(range(ent.start, ent.end))
        ]
        return sorted(matched + extra, key=lambda span: span.start)

    def tag_span(
        self,
        span: Span,
        anchor: date | None,
        reference: Timex | None = None,
        previous: Timex | None = None,
    ) -> tuple[Span, Timex] | None:
        """The trimmed span, labelled and normalized, with its value; None if it names no definite time.

        ``reference`` is the quarter the text spoke of last ("the latest quarter" refers to it),
        ``previous`` the date it named last ("later that year" refers to it).
        """
        trimmed = trim_span(span, self.lexicon)
        if trimmed is None or self._is_count(trimmed):
            return None
        span = trimmed
        future = speaks_of_future(span, self.lexicon)
        timex = resolve(
            span.text,
            anchor,
            self.lexicon,
            future=future,
            reference=reference,
            previous=previous,
        )
        if timex is None or (timex.label == "duration" and self._is_age(span)):
            return None
        return labelled(span, timex), timex

    def _is_age(self, span: Span) -> bool:
        """A count of years followed by "old" is an age ("a 44-year-old"), not a duration."""
        after = span.doc[span.end : span.end + 2]
        return any(token.lower_ in self.lexicon.raw["not_duration_after"] for token in after)

    def _is_count(self, span: Span) -> bool:
        """A lone four-digit number that is a count or an amount ("2000 tonnes", "$1990").

        Neighbouring words from the lexicon work on a blank pipeline; with a parse, a number that
        counts the plural noun right after it ("1999 containers") is a count too.
        """
        if len(span) != 1 or not span[0].like_num:
            return False
        doc = span.doc
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        after = doc[span.end].lower_ if span.end < len(doc) else ""
        raw = self.lexicon.raw
        if before in raw["not_year_before"] or after in raw["not_year_after"]:
            return True
        return counts_a_noun(span[0]) or span[0].ent_type_ in _NOT_DATE_ENTS

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        """Save the lexicon and patterns next to the pipeline, so it loads without ``models/``."""
        folder = Path(path) / "dates"
        folder.mkdir(parents=True, exist_ok=True)
        source = self.models_dir / "dates"
        for name in ("lexicon.yaml", "patterns.jsonl"):
            (folder / name).write_text(
                (source / name).read_text(encoding="utf-8"), encoding="utf-8"
            )

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> DateTagger:
        """Load the lexicon and patterns saved by ``to_disk``."""
        self.models_dir = Path(path)
        self._load(self.models_dir)
        return self


@Language.factory("newstag_dates", default_config={"models_dir": None})
def make_dates(nlp: Language, name: str, models_dir: str | None) -> DateTagger:
    """Build the dates component; ``models_dir=None`` reads the project's ``models/``."""
    return DateTagger(nlp, name, models_dir=models_dir)


def read_patterns(models_dir: Path) -> list[dict[str, Any]]:
    """The token patterns of ``models/dates/patterns.jsonl``, one object a line."""
    path = Path(models_dir) / "dates" / "patterns.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, json.JSONDecodeError) as e:
        raise ModelError(f"cannot read the date patterns {path}: restore models/dates/") from e


def expand_pattern(pattern: list[dict[str, Any]], lex: DateLexicon) -> list[dict[str, Any]]:
    """Replace ``{"IN": "@name"}`` placeholders by the word lists of the lexicon."""
    return [{key: _expand_value(value, lex) for key, value in token.items()} for token in pattern]


def _expand_value(value: Any, lex: DateLexicon) -> Any:
    if isinstance(value, dict) and isinstance(value.get("IN"), str) and value["IN"].startswith("@"):
        return {**value, "IN": word_list(value["IN"][1:], lex)}
    return value


def word_list(name: str, lex: DateLexicon) -> list[str]:
    """The words a placeholder stands for; a capitalised name gives title-case forms."""
    key = name.lower()
    safe = key.endswith("_safe")
    key = key.removesuffix("_safe")
    words = list(lex.raw[{"count_words": "numbers"}.get(key, key)])
    if safe:
        words = [word for word in words if word not in lex.raw["ambiguous_months"]]
    if name[0].isupper():
        dotted = [word.title() + "." for word in words if len(word) <= 4]
        words = [word.title() for word in words if word not in lex.raw["dotted_only"]]
        return words + dotted + [word.upper() for word in words if len(word) > 3]
    return words + [word + "." for word in words if len(word) <= 4]


def trim_span(span: Span, lex: DateLexicon) -> Span | None:
    """Drop edge words that are not part of the expression ("in May" → "May")."""
    trim = lex.raw["trim"]
    start, end = span.start, span.end
    while start < end and span.doc[start].lower_ in trim:
        start += 1
    while end > start and span.doc[end - 1].lower_ in trim:
        end -= 1
    if start == end:
        return None
    return span.doc[start:end]


def speaks_of_future(span: Span, lex: DateLexicon) -> bool:
    """Whether the clause around ``span`` looks ahead ("will meet on Friday", "by February").

    With a parse: the auxiliaries of the verb that governs the span (will, would, an infinitive
    "to") or a verb of planning over it; without one, the words of the clause around it.
    """
    if _forward_words_before(span, lex):
        return True
    markers = lex.raw["future_markers"]
    if span.doc.has_annotation("DEP"):
        verb = next((t for t in span.root.ancestors if t.pos_ in ("VERB", "AUX")), None)
        if verb is not None:
            return _verb_looks_ahead(verb, lex)
    words = set(markers) | set(lex.raw["future_words"])
    return any(token.lower_ in words for token in clause_around(span))


def _verb_looks_ahead(verb: Token, lex: DateLexicon) -> bool:
    """A future auxiliary, a planning verb not in the past tense, or an infinitive that one governs."""
    markers = lex.raw["future_markers"]
    planning = set(lex.raw["future_verbs"])
    if verb.lemma_ in planning and verb.tag_ != "VBD":
        return True
    for child in verb.children:
        if not child.dep_.startswith("aux"):
            continue
        if child.lower_ in markers:
            return True
        if child.tag_ == "TO" and verb.head.lemma_ in planning | {"be", "go"}:
            return verb.head.tag_ != "VBD" or verb.head.lemma_ == "be"
    return False


def _forward_words_before(span: Span, lex: DateLexicon) -> bool:
    """A deadline preposition or a phrase such as "as soon as" right before the span."""
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    if before in lex.raw["forward_prepositions"]:
        return True
    preceding = doc[max(span.start - 3, 0) : span.start].text.lower()
    return preceding in lex.raw["forward_phrases"]


def clause_around(span: Span) -> Span:
    """The tokens between the clause boundaries (punctuation) on either side of ``span``."""
    doc = span.doc
    sentence = span.sent if doc.has_annotation("SENT_START") else doc[:]
    start, end = span.start, span.end
    while start > sentence.start and not doc[start - 1].is_punct:
        start -= 1
    while end < sentence.end and not doc[end].is_punct:
        end += 1
    return doc[start:end]


def counts_a_noun(token: Token) -> bool:
    """A number right before the plural noun it modifies, with no determiner before it.

    "handled 1999 containers" is a count; "the company's 1989 results", "the 2000 Olympics" and
    "1990 BellSouth earnings" keep their year.
    """
    if (
        token.dep_ != "nummod"
        or token.head.tag_ not in ("NNS", "NNPS")
        or token.head.i != token.i + 1
    ):
        return False
    before = token.doc[token.i - 1] if token.i > 0 else None
    return before is None or before.tag_ not in ("DT", "POS", "PRP$")


def next_reference(reference: Timex | None, timex: Timex) -> Timex | None:
    """The quarter under discussion after ``timex``: a quarter named outright replaces it; a stretch
    such as "the first nine months" ends it (a later "a year earlier" then means the year)."""
    if timex.label == "duration":
        return None
    if timex.date_precision == "quarter" and not timex.anaphoric:
        return timex
    return reference


def labelled(span: Span, timex: Timex) -> Span:
    """A new span with the timex's label and fields in ``span._.newstag``."""
    result = Span(span.doc, span.start, span.end, label=timex.label)
    result._.newstag = timex.fields()
    return result


def parse_anchor(published: str | None) -> date | None:
    """The publication date as a ``date``; a malformed value leaves relative dates unresolved."""
    if not published:
        return None
    try:
        return date.fromisoformat(str(published)[:10])
    except ValueError:
        log.debug(
            "publication date %r is not YYYY-MM-DD; relative dates left unresolved", published
        )
        return None
