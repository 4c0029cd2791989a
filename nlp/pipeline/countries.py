"""Countries, organisations and leaders: a gazetteer matched by phrase, resolved for the article's date.

Names, short forms, demonyms, capitals, organisations and leaders come from ``models/countries/``.
A PhraseMatcher finds them on any pipeline (blank or trained); the trained model's entities and
parse, when present, only guard against false readings ("Michael Jordan", "Chinese food").
Each kept span goes to ``doc.spans["newstag_countries"]`` with ``span._.newstag = {"code": ..., "via": ...}``;
the code is also the span's ``kb_id_`` and the kind of name ("name", "demonym", "capital", "city",
"region", "leader", "organisation", "institution") its ``id_``.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.config import default_models_dir
from nlp.errors import ModelError
from nlp.pipeline.extensions import COUNTRIES, register_extensions

log = logging.getLogger(__name__)

SUBDIR = "countries"
DATA_FILES = (
    "iso3166.jsonl",
    "regions.jsonl",
    "cities.jsonl",
    "countries.yaml",
    "organisations.yaml",
    "leaders.yaml",
    "traps.yaml",
)
BLOCKER = "blocker"
# Entity labels of the trained model under which a demonym is not the state ("French" the language).
NOT_STATE_ENTS = frozenset({"LANGUAGE", "EVENT", "WORK_OF_ART"})
# When one form has readings with different codes, the first kind in this order wins ("Georgia":
# the country before the US state; "Jamaica": the country before the New York neighbourhood).
VIA_ORDER = (
    "name",
    "demonym",
    "capital",
    "organisation",
    "institution",
    "leader",
    "region",
    "city",
)
# Readings that stand for a place rather than for the state's government.
PLACE_VIAS = frozenset({"region", "city"})


@dataclass(frozen=True)
class Alias:
    """One reading of a surface form: the code it names, for which period, and how it was named."""

    code: str | None
    label: str
    via: str
    start: str | None = None
    end: str | None = None
    leader: str | None = None
    alone: bool = True

    def covers(self, day: str) -> bool:
        """Whether this reading holds on ``day`` (ISO date; both ends inclusive)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass
class Gazetteer:
    """Everything the tagger knows, loaded once from the data files."""

    aliases: dict[str, list[Alias]] = field(default_factory=dict)
    demonym_not_with: frozenset[str] = frozenset()
    name_not_with: dict[str, frozenset[str]] = field(default_factory=dict)
    person_names: frozenset[str] = frozenset()
    context_against: dict[str, tuple[str, ...]] = field(default_factory=dict)
    needs_the: frozenset[str] = frozenset()
    needs_comma: frozenset[str] = frozenset()
    titles: frozenset[str] = frozenset()

    def add(self, text: str, alias: Alias) -> None:
        """Register one reading of ``text`` (a form may have several: eras, homonymous leaders).

        A reading limited to a period replaces the open-ended one of the same code and kind, so
        the hand-written "Georgia from 1991" overrides the ISO table's timeless "Georgia".
        """
        readings = self.aliases.setdefault(text, [])
        if alias.start or alias.end:
            readings[:] = [r for r in readings if not _same_but_timeless(r, alias)]
        elif any(_same_but_timeless(alias, r) for r in readings):
            return
        if alias not in readings:
            readings.append(alias)


def _same_but_timeless(timeless: Alias, dated: Alias) -> bool:
    """Whether ``timeless`` is ``dated`` without its period."""
    return (
        timeless.start is None
        and timeless.end is None
        and (dated.start or dated.end) is not None
        and (timeless.code, timeless.via, timeless.leader) == (dated.code, dated.via, dated.leader)
    )


def load_gazetteer(folder: Path) -> Gazetteer:
    """Read the data files of ``folder`` (``models/countries``) into a ``Gazetteer``."""
    try:
        gaz = Gazetteer()
        _add_iso(gaz, _read_jsonl(folder / "iso3166.jsonl"))
        _add_places(gaz, _read_jsonl(folder / "regions.jsonl"), "region")
        _add_places(gaz, _read_jsonl(folder / "cities.jsonl"), "city")
        _add_countries(gaz, _read_yaml(folder / "countries.yaml"))
        _add_organisations(gaz, _read_yaml(folder / "organisations.yaml"))
        _add_leaders(gaz, _read_yaml(folder / "leaders.yaml") or [])
        _add_traps(gaz, _read_yaml(folder / "traps.yaml"))
    except (OSError, yaml.YAMLError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise ModelError(f"cannot load the country gazetteer from {folder}: {e}") from e
    return gaz


def _read_yaml(path: Path) -> dict | list:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ten times faster
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)


def _read_jsonl(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _add_iso(gaz: Gazetteer, rows: list[dict]) -> None:
    """ISO names; inverted forms with a comma ("Korea, Republic of") are not how news writes them."""
    for row in rows:
        for key in ("name", "common_name", "official_name"):
            text = row.get(key)
            if text and "," not in text:
                gaz.add(text, Alias(row["code"], "country", "name"))


def _add_places(gaz: Gazetteer, rows: list[dict], via: str) -> None:
    """Generated regions and cities: they stand for their country, below any other reading."""
    for row in rows:
        gaz.add(row["text"], Alias(row["code"], "country", via))


def _add_countries(gaz: Gazetteer, table: dict) -> None:
    kinds = {
        "names": "name",
        "demonyms": "demonym",
        "capitals": "capital",
        "cities": "city",
        "regions": "region",
        "regions_after_comma": "region",
    }
    after_comma = set()
    for code, entry in table.items():
        for key, via in kinds.items():
            for item in entry.get(key, ()):
                _add_item(gaz, item, code, "country", via)
        after_comma.update(entry.get("regions_after_comma", ()))
    gaz.needs_comma = frozenset(after_comma)


def _add_organisations(gaz: Gazetteer, table: dict) -> None:
    for group, via in (("international", "organisation"), ("national", "institution")):
        for code, items in table.get(group, {}).items():
            for item in items:
                _add_item(gaz, item, code, "organisation", via)


def _add_item(gaz: Gazetteer, item: str | dict, code: str, label: str, via: str) -> None:
    """An alias written as a plain string, or as ``{text, from, until}`` for a period."""
    if isinstance(item, str):
        gaz.add(item, Alias(code, label, via))
    else:
        gaz.add(
            item["text"], Alias(code, label, via, _day(item.get("from")), _day(item.get("until")))
        )


def _day(value: object) -> str | None:
    """YAML reads unquoted dates as ``date`` objects; keep ISO strings."""
    return None if value is None else str(value)[:10]


def _add_leaders(gaz: Gazetteer, rows: list[dict]) -> None:
    """Each term of office becomes one reading of the full name and of each short form."""
    for row in rows:
        name = row["name"]
        shorts = row["short"] if "short" in row else [name.split()[-1]]
        for start, end in row["terms"]:
            full = Alias(row["code"], "person", "leader", _day(start), _day(end), leader=name)
            gaz.add(name, full)
            for short in shorts:
                if short != name:
                    alone = bool(row.get("alone", False))
                    gaz.add(
                        short,
                        Alias(full.code, "person", "leader", full.start, full.end, name, alone),
                    )


def _add_traps(gaz: Gazetteer, traps: dict) -> None:
    for text in traps.get("blockers", ()):
        gaz.add(text, Alias(None, BLOCKER, BLOCKER))
    gaz.demonym_not_with = frozenset(w.lower() for w in traps.get("demonym_not_with", ()))
    gaz.name_not_with = {
        k: frozenset(w.lower() for w in v) for k, v in traps.get("name_not_with", {}).items()
    }
    gaz.person_names = frozenset(traps.get("person_names", ()))
    gaz.context_against = {k: tuple(v) for k, v in traps.get("context_against", {}).items()}
    gaz.needs_the = frozenset(traps.get("needs_the", ()))
    gaz.titles = frozenset(traps.get("titles", ()))


def resolve(readings: Iterable[Alias], published: str | None) -> list[Alias]:
    """The readings that hold on ``published``; with no date, those of the latest period.

    An article without a date is taken to be recent: "Trump" is the president of his last term,
    "Russia" is the Russian Federation.
    """
    readings = list(readings)
    if published:
        day = str(published)[:10]
        return [r for r in readings if r.covers(day)]
    latest = max((r.end or "9999" for r in readings), default=None)
    return [r for r in readings if (r.end or "9999") == latest]


class CountryTagger:
    """Tag country, organisation and leader mentions with their actor codes (EVENTS.md §4)."""

    def __init__(
        self,
        nlp: Language,
        name: str = "newstag_countries",
        *,
        models_dir: str | Path | None = None,
        use_ner: bool = True,
    ) -> None:
        register_extensions()
        self.name = name
        self.use_ner = use_ner
        self._make_doc = nlp.make_doc
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        folder = Path(models_dir) if models_dir else default_models_dir()
        self._data_dir = folder / SUBDIR
        self._set_gazetteer(load_gazetteer(self._data_dir))

    def _set_gazetteer(self, gaz: Gazetteer) -> None:
        """Build the matcher: every form as written, plus its ALL-CAPS variant for headlines.

        Forms that count only after "the" get no capitals variant: a headline has no case to tell
        "the Community" (the EC) from "COMMUNITY BANK".
        """
        self.gazetteer = gaz
        self.matcher = PhraseMatcher(self.matcher.vocab, attr="ORTH")
        for text in gaz.aliases:
            forms = {text} if text in gaz.needs_the else {text, text.upper()}
            self.matcher.add(text, [self._make_doc(form) for form in sorted(forms)])

    def __call__(self, doc: Doc) -> Doc:
        spans = [s for s in filter_spans(self._candidates(doc)) if s.label_ != BLOCKER]
        kept = [span for span in _drop_qualified_places(spans) if self._accept(doc, span)]
        doc.spans[COUNTRIES] = kept
        for span in kept:
            span._.newstag = {"code": span.kb_id_, "via": span.id_}
        return doc

    def _candidates(self, doc: Doc) -> list[Span]:
        """One span per match whose reading holds on the article's date (blockers included)."""
        matches = [(doc.vocab.strings[key], start, end) for key, start, end in self.matcher(doc)]
        full_names = {
            r.leader
            for text, _, _ in matches
            for r in self.gazetteer.aliases[text]
            if r.leader == text
        }
        spans = []
        for text, start, end in matches:
            reading = self._choose(doc, text, start, full_names)
            if reading is not None:
                code = reading.code or ""
                spans.append(Span(doc, start, end, reading.label, kb_id=code, span_id=reading.via))
        return spans

    def _choose(self, doc: Doc, text: str, start: int, full_names: set[str | None]) -> Alias | None:
        """The single reading of a match for this article, or None when none holds or several tie."""
        readings = resolve(self.gazetteer.aliases[text], doc._.published)
        if any(r.via == BLOCKER for r in readings):
            return Alias(None, BLOCKER, BLOCKER)
        if any(phrase in doc.text for phrase in self.gazetteer.context_against.get(text, ())):
            readings = [r for r in readings if r.via in PLACE_VIAS]
        named = [r for r in readings if r.via == "leader" and r.leader in full_names]
        if named:
            readings = [r for r in readings if r.via != "leader"] + named
        titled = self._titled(doc, start)
        readings = [r for r in readings if r.alone or titled or r.leader in full_names]
        if start > 0 and text not in full_names:
            readings = [r for r in readings if not self._other_first_name(doc[start - 1], r)]
        return _best(readings)

    def _other_first_name(self, before: Token, reading: Alias) -> bool:
        """A surname after someone else's first name: "Ivanka Trump", "Gareth Johnson".

        At the start of a sentence a capitalised word may be anything ("Yesterday Trump said"),
        so there only the trained NER (one PERSON entity over both words) decides.
        """
        if reading.leader is None or before.text in reading.leader.split():
            return False
        if before.text in self.gazetteer.titles or not before.is_alpha or before.is_stop:
            return False
        same_person = before.ent_type_ == "PERSON" and before.doc[before.i + 1].ent_iob_ == "I"
        return before.is_title and (same_person or not before.is_sent_start)

    def _titled(self, doc: Doc, start: int) -> bool:
        """A title within the three words before: "President Kim", "Secretary James A. Baker"."""
        return any(tok.text in self.gazetteer.titles for tok in doc[max(0, start - 3) : start])

    def _accept(self, doc: Doc, span: Span) -> bool:
        """The guards: a match is kept unless its context shows it is not the state."""
        text, via = span.text, span.id_
        gaz = self.gazetteer
        before = doc[span.start - 1] if span.start > 0 else None
        if text in gaz.needs_the and (before is None or before.lower_ != "the"):
            return False
        if text in gaz.needs_comma and (before is None or before.text != ","):
            return False
        if via == "demonym" and (
            self._modifies(span, gaz.demonym_not_with) or self._ent_is(span, NOT_STATE_ENTS)
        ):
            return False
        if text in gaz.name_not_with and self._modifies(span, gaz.name_not_with[text]):
            return False
        if via in PLACE_VIAS and _in_compound_name(doc, span):
            return False
        return not ((text in gaz.person_names or via == "city") and self._is_person(doc, span))

    def _modifies(self, span: Span, nouns: frozenset[str]) -> bool:
        """Whether the span qualifies one of ``nouns``: its head in a parse, else the next word."""
        return any(word.lower_ in nouns for word in _head_words(span))

    def _ent_is(self, span: Span, labels: frozenset[str]) -> bool:
        """Whether the trained NER put the span inside an entity of one of ``labels``."""
        return self.use_ner and any(tok.ent_type_ in labels for tok in span)

    def _is_person(self, doc: Doc, span: Span) -> bool:
        """A country or city name that is part of a personal name: "Michael Jordan", "Chad Smith"."""
        if self.use_ner and doc.has_annotation("ENT_IOB"):
            ent = _ent_of(span[0]) if span[0].ent_type_ == "PERSON" else None
            if ent is not None and len(ent) > len(span):
                return True
        if span.text.isupper():
            return False
        after = doc[span.end] if span.end < len(doc) else None
        before = doc[span.start - 1] if span.start > 0 else None
        return self._namelike(after) and not after.is_sent_start or self._namelike(before)

    def _namelike(self, tok: Token | None) -> bool:
        """An initial, or a capitalised word that is not a function word, title, gazetteer name or -ing/-ed form."""
        if tok is not None and len(tok.text) == 2 and tok.text[0].isupper() and tok.text[1] == ".":
            return True  # a middle initial: "Harvey T. Lyon"
        return (
            tok is not None
            and tok.is_title
            and tok.is_alpha
            and not tok.is_stop
            and not tok.lower_.endswith(("ing", "ed"))
            and tok.text not in self.gazetteer.titles
            and tok.text not in self.gazetteer.aliases
        )

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the data files, so a packaged pipeline carries its gazetteer."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name in DATA_FILES:
            shutil.copyfile(self._data_dir / name, path / name)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> CountryTagger:
        """Load the data files saved by ``to_disk``."""
        self._data_dir = Path(path)
        self._set_gazetteer(load_gazetteer(self._data_dir))
        return self


def _drop_qualified_places(spans: list[Span]) -> list[Span]:
    """Drop a place that the region after it puts elsewhere: "San Jose, Calif." is not in Costa Rica.

    The region's own span keeps the code, so the place adds nothing but a wrong reading.
    """
    kept = []
    for span, after in zip(spans, [*spans[1:], None], strict=False):
        qualified = (
            after is not None
            and after.id_ == "region"
            and after.start == span.end + 1
            and span.doc[span.end].text == ","
            and span.id_ in ("capital", "city")
            and span.kb_id_ != after.kb_id_
        )
        if not qualified:
            kept.append(span)
    return kept


def _in_compound_name(doc: Doc, span: Span) -> bool:
    """A place name hyphenated to another name: a firm or thing ("Cleveland-Cliffs")."""
    end = span.end
    return (
        end + 1 < len(doc)
        and doc[end].text == "-"
        and doc[end + 1].is_title
        and not doc[end].whitespace_
    )


def _best(readings: list[Alias]) -> Alias | None:
    """The reading of the highest-ranked kind, unless that kind names several codes."""
    for via in VIA_ORDER:
        same_kind = [r for r in readings if r.via == via]
        if len({r.code for r in same_kind}) == 1:
            return same_kind[0]
        if same_kind:
            return None
    return None


def _head_words(span: Span) -> Iterator[Token]:
    """The words a name or adjective may modify: the next word, and its syntactic head if parsed.

    Both are checked because the small model often attaches a demonym past a noun-noun compound
    ("Chinese food imports" parses "Chinese" as modifying "imports").
    """
    yield from _word_after(span.doc, span.end)
    root = span.root
    if (
        span.doc.has_annotation("DEP")
        and root.dep_ in ("amod", "compound", "nmod")
        and root.head.i >= span.end
    ):
        yield root.head


def _word_after(doc: Doc, index: int) -> Iterator[Token]:
    """The first word after ``index``, skipping a hyphen ("Chinese-American")."""
    for tok in doc[index : min(len(doc), index + 3)]:
        if not tok.is_punct:
            yield tok
            return


def _ent_of(token: Token) -> Span | None:
    """The entity span containing ``token``, if any."""
    for ent in token.doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def span_code(span: Span) -> str | None:
    """The code of one of our spans, kept in ``span.kb_id_`` as well as in ``span._.newstag``.

    ``span._.newstag`` is stored per character offsets, so another component's span over the same
    words (an action trigger "Uruguay Round") can overwrite it; ``kb_id_`` belongs to the span.
    """
    return span.kb_id_ or (span._.newstag or {}).get("code")


@Language.factory(
    "newstag_countries",
    default_config={"models_dir": None, "use_ner": True},
)
def make_countries(
    nlp: Language, name: str, models_dir: str | None, use_ner: bool
) -> CountryTagger:
    """Factory: ``nlp.add_pipe("newstag_countries")``; ``models_dir`` None means the project's models/."""
    return CountryTagger(nlp, name, models_dir=models_dir, use_ner=use_ner)
