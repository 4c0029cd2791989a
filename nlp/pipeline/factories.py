"""Import every component module so that its ``@Language.factory`` is registered.

Installed packages get the same through the ``spacy_factories`` entry points; this import also
works from a plain checkout.
"""

from __future__ import annotations

from nlp.pipeline import actions, boundaries, countries, dates, events, quantities  # noqa: F401
