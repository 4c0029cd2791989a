"""The spaCy extension attributes and span groups that newstag components share.

The contract between components:
- ``doc._.published``: the article's publication date (``YYYY-MM-DD``) or None; dates resolve against it.
- ``doc.spans["newstag_countries"]``: spans labelled ``country``, ``organisation`` or ``person``.
- ``doc.spans["newstag_quantities"]``: spans labelled ``quantity``.
- ``doc.spans["newstag_dates"]``: spans labelled ``date`` or ``duration``.
- ``doc.spans["newstag_actions"]``: spans over action triggers, labelled with the event type.
- ``span._.newstag``: a plain dict of normalized fields, keys as in ``Mention``
  (``code``; ``value``, ``unit``; ``date_start``, ``date_end``, ``date_precision``; ``iso_duration``)
  or, for actions, ``action``, ``negated``, ``modality``.
- ``doc._.events``: the assembled events, a list of plain dicts with the columns of ``Event``
  that the pipeline knows (no article id, url or extractor).
Values are plain dicts and lists so docs survive ``Doc.to_bytes`` (``nlp.pipe(n_process=...)``).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

COUNTRIES = "newstag_countries"
QUANTITIES = "newstag_quantities"
DATES = "newstag_dates"
ACTIONS = "newstag_actions"
MENTION_GROUPS = (COUNTRIES, QUANTITIES, DATES)


def register_extensions() -> None:
    """Register newstag's extension attributes once; safe to call from every component."""
    if not Doc.has_extension("published"):
        Doc.set_extension("published", default=None)
    if not Doc.has_extension("events"):
        Doc.set_extension("events", default=None)
    if not Span.has_extension("newstag"):
        Span.set_extension("newstag", default=None)


register_extensions()
