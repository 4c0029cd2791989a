"""Import every component module so that its ``@Language.factory`` is registered."""

from __future__ import annotations

import importlib

COMPONENT_MODULES = ("boundaries", "countries", "quantities", "dates", "actions", "events")

for _module in COMPONENT_MODULES:
    try:
        importlib.import_module(f"nlp.pipeline.{_module}")
    except ModuleNotFoundError as e:  # a component not written yet
        if e.name != f"nlp.pipeline.{_module}":
            raise
