"""The ``newstag_boundaries`` component: sentence starts fixed before the parser runs.

The parser splits sentences itself, and two habits of news text mislead it: the headline,
stored before a blank line, runs into the first sentence, and 1987 wire copy capitalizes the
word after "U.S." ("the U.S. Rose to a record"), which starts a false sentence. Both break the
roles and negation of the events read from those sentences. The parser keeps the starts set
here, so the component goes right before it. The words are data (``models/actions/boundaries.yaml``).
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Token

from nlp.config import default_models_dir
from nlp.pipeline.action_lexicon import read_yaml

FILE = "boundaries.yaml"


class SentenceBoundaries:
    """Set ``is_sent_start`` after blank lines, and clear it after "U.S." + a lower-case word."""

    def __init__(
        self, nlp: Language, name: str = "newstag_boundaries", *, models_dir: str | None = None
    ) -> None:
        self.name = name
        folder = Path(models_dir) if models_dir else default_models_dir()
        data = read_yaml(folder / "actions" / FILE) or {}
        self.paragraph_break = str(data.get("paragraph_break") or "\n\n")
        self.abbreviations = frozenset(str(w).lower() for w in data.get("abbreviations") or [])
        self.continuations = frozenset(str(w).lower() for w in data.get("continuations") or [])

    def __call__(self, doc: Doc) -> Doc:
        for token in doc[:-1]:
            following = doc[token.i + 1]
            if self.ends_paragraph(token):
                following.is_sent_start = True
            elif self.continues(token, following):
                following.is_sent_start = False
        return doc

    def ends_paragraph(self, token: Token) -> bool:
        """A whitespace token holding a blank line (the tokenizer keeps "\n\n" as one)."""
        return token.is_space and self.paragraph_break in token.text

    def continues(self, token: Token, following: Token) -> bool:
        """ "U.S. Rose": an abbreviation followed by a capitalized common word."""
        return (
            token.lower_ in self.abbreviations
            and following.is_title
            and following.lower_ in self.continuations
        )


def add_before_parser(nlp: Language, *, models_dir: str | None = None) -> Language:
    """Put the component right before the parser (nothing to do without a parser, or twice)."""
    if "parser" in nlp.pipe_names and "newstag_boundaries" not in nlp.pipe_names:
        config = {"models_dir": models_dir} if models_dir else {}
        nlp.add_pipe("newstag_boundaries", before="parser", config=config)
    return nlp


@Language.factory("newstag_boundaries", default_config={"models_dir": None})
def make_boundaries(nlp: Language, name: str, models_dir: str | None) -> SentenceBoundaries:
    """Build the boundaries component; add it with ``before="parser"``."""
    return SentenceBoundaries(nlp, name, models_dir=models_dir)
