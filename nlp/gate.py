"""The extraction gate: which articles need the trained pipeline, and the rules-only path for the rest.

Most news is not about trade policy. An event is only ever made from an action trigger
(``newstag_actions``) and needs an actor, which only a country or organisation mention
(``newstag_countries``) can give. The gate runs the two components' own matchers over the
tokenizer's output of the *whole article* (roles may use earlier sentences and the story's
main country), so an article it turns away provably yields no event: it gets its mentions from
the rule components alone (``RulesOnly``), as on a blank pipeline, without the tagger, parser
and NER.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from nlp.pipeline.action_lexicon import ActionLexicon
from nlp.pipeline.build import build_pipeline

log = logging.getLogger(__name__)

ACTIONS_PIPE = "newstag_actions"
COUNTRIES_PIPE = "newstag_countries"
EVENTS_PIPE = "newstag_events"
RULE_COMPONENTS = ("newstag_countries", "newstag_quantities", "newstag_dates")


class ArticleGate:
    """Decide per article whether the trained pipeline could find an event in it.

    Built from the pipeline's own components, so the gate reads exactly the trigger phrases and
    gazetteer the extraction reads. A pipeline without the events component never makes events,
    and one without the matchers cannot be gated safely: both admit every article.
    """

    def __init__(self, nlp: Language) -> None:
        self.make_doc = nlp.make_doc
        actions = nlp.get_pipe(ACTIONS_PIPE) if ACTIONS_PIPE in nlp.pipe_names else None
        self.triggers = getattr(actions, "matcher", None)
        countries = nlp.get_pipe(COUNTRIES_PIPE) if COUNTRIES_PIPE in nlp.pipe_names else None
        self.countries = getattr(countries, "matcher", None)
        self.coded = _coded_aliases(countries)
        self.single, self.first = _trigger_words(nlp, getattr(actions, "lexicon", None))
        self.active = EVENTS_PIPE in nlp.pipe_names and None not in (self.triggers, self.countries)
        if not self.active:
            log.info("extraction gate off: the pipeline lacks the actions or countries component")

    def admits(self, doc: Doc) -> bool:
        """Whether the tokenized article holds a trigger phrase and a name that carries a code."""
        if not self.active:
            return True
        strings = doc.vocab.strings
        if not any(strings[key] in self.coded for key, _, _ in self.countries(doc)):
            return False
        return self.has_trigger(doc)

    def has_trigger(self, doc: Doc) -> bool:
        """Whether a trigger phrase occurs: a one-word trigger is decided by a set lookup on the
        lower-case forms; the phrase matcher (slow: it allows line breaks inside a phrase) runs
        only when the first word of a longer phrase is there."""
        lowers = doc.to_array(LOWER)
        if numpy.isin(lowers, self.single).any():
            return True
        return bool(numpy.isin(lowers, self.first).any() and self.triggers(doc))

    def admits_text(self, text: str) -> bool:
        """``admits`` for raw text (tokenized with the pipeline's own tokenizer)."""
        return self.admits(self.make_doc(text))


def _trigger_words(
    nlp: Language, lexicon: ActionLexicon | None
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Hashes of the one-word trigger phrases, and of the first words of the longer ones."""
    single: set[int] = set()
    first: set[int] = set()
    for trigger in lexicon.triggers if lexicon else ():
        words = [t.lower for t in nlp.make_doc(trigger.phrase) if not t.is_space]
        (single if len(words) == 1 else first).add(words[0])
    return _hashes(single), _hashes(first)


def _hashes(values: set[int]) -> numpy.ndarray:
    """String hashes as the array type ``Doc.to_array`` returns."""
    return numpy.array(sorted(values), dtype="uint64")


def _coded_aliases(countries: object | None) -> frozenset[str]:
    """The gazetteer forms with at least one reading that names a code (others make no actor)."""
    gazetteer = getattr(countries, "gazetteer", None)
    if gazetteer is None:
        return frozenset()
    return frozenset(
        text for text, readings in gazetteer.aliases.items() if any(r.code for r in readings)
    )


def models_dir_of(nlp: Language) -> Path | None:
    """The ``models/`` folder the pipeline's components read, so the rules path reads the same."""
    if ACTIONS_PIPE not in nlp.pipe_names:
        return None
    folder = getattr(nlp.get_pipe(ACTIONS_PIPE), "models_dir", None)
    return Path(folder) if folder else None


class RulesOnly:
    """The mention components of ``nlp`` on a doc that has only been tokenized.

    With a sentencizer first, this is what the blank pipeline (``rules_pipeline``) does, without
    building and loading a second pipeline or tokenizing the text a second time.
    """

    def __init__(self, nlp: Language) -> None:
        self.sentencizer = Sentencizer()
        self.components = [nlp.get_pipe(name) for name in RULE_COMPONENTS if name in nlp.pipe_names]

    def __call__(self, doc: Doc) -> Doc:
        doc = self.sentencizer(doc)
        for component in self.components:
            doc = component(doc)
        return doc


def rules_pipeline(nlp: Language) -> Language:
    """The mention components on a blank English pipeline, with the same data as ``nlp``."""
    return build_pipeline("blank:en", models_dir=models_dir_of(nlp), components=RULE_COMPONENTS)
