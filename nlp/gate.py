"""The extraction gate: which articles need the trained pipeline, and the rules-only path for the rest.

Most news is not about trade policy. An event is only ever made from an action trigger
(``newstag_actions``) and needs an actor, which only a country or organisation mention
(``newstag_countries``) can give. The gate runs the two components' own matchers over the
tokenizer's output of the *whole article* (roles may use earlier sentences and the story's
main country), so an article it turns away provably yields no event: it gets its mentions from
the rule components on a blank pipeline instead, which is many times cheaper than the parser.
"""

from __future__ import annotations

import logging
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

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
        self.triggers = _component_attr(nlp, ACTIONS_PIPE, "matcher")
        countries = nlp.get_pipe(COUNTRIES_PIPE) if COUNTRIES_PIPE in nlp.pipe_names else None
        self.countries = getattr(countries, "matcher", None)
        self.coded = _coded_aliases(countries)
        self.active = EVENTS_PIPE in nlp.pipe_names and None not in (self.triggers, self.countries)
        if not self.active:
            log.info("extraction gate off: the pipeline lacks the actions or countries component")

    def admits(self, doc: Doc) -> bool:
        """Whether the tokenized article holds a trigger phrase and a name that carries a code."""
        if not self.active:
            return True
        if not self.triggers(doc):
            return False
        strings = doc.vocab.strings
        return any(strings[key] in self.coded for key, _, _ in self.countries(doc))

    def admits_text(self, text: str) -> bool:
        """``admits`` for raw text (tokenized with the pipeline's own tokenizer)."""
        return self.admits(self.make_doc(text))


def _component_attr(nlp: Language, name: str, attr: str) -> object | None:
    """An attribute of a pipeline component, or None when the component is absent."""
    return getattr(nlp.get_pipe(name), attr, None) if name in nlp.pipe_names else None


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


def rules_pipeline(nlp: Language) -> Language:
    """The mention components on a blank English pipeline, with the same data as ``nlp``."""
    return build_pipeline("blank:en", models_dir=models_dir_of(nlp), components=RULE_COMPONENTS)
