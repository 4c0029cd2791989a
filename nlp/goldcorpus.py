"""Rebuild the articles of a gold file from the shared corpus, by id.

Our gold (``gold/``) stores article ids and event fields only, never corpus text. This module
turns those ids back into article records (EVENTS.md §5: ``id``, ``title``, ``published``,
``text``) exactly as the shared ``dev_articles.jsonl`` was made, so that gold ``evidence_offsets``
point into ``text`` and ``newstag ingest`` can load the result:

- ``reu-<NEWID>``: Reuters-21578 story NEWID; title stripped; ``published`` from the story date;
  ``text`` the body without the trailing control character and the " Reuter" sign-off (the
  upper-case "REUTER" sign-off of some stories is kept, as in the shared file).
- ``mtn-NNN``: the record of ``modern_trade_news.jsonl`` with its title, date and text as they are.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from nlp.errors import InputError

REUTERS_FILE = "reuters21578.jsonl"
MODERN_FILE = "modern_trade_news.jsonl"
REUTERS_PREFIX = "reu-"
MODERN_PREFIX = "mtn-"
_SIGN_OFF = re.compile(r"\s*\bReuter$")


def gold_ids(gold_path: str | Path) -> list[str]:
    """The article ids of a gold file, in file order."""
    ids = []
    with Path(gold_path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                ids.append(str(json.loads(line)["article_id"]))
    return ids


def reuters_body(body: str) -> str:
    """A Reuters body as the shared gold stores it: no trailing control char or "Reuter" sign-off."""
    return _SIGN_OFF.sub("", body.rstrip("\x03").rstrip())


def reuters_date(value: str) -> str:
    """The ISO date of a Reuters-21578 timestamp such as ``26-FEB-1987 15:01:01.79``."""
    return datetime.strptime(value.strip().split()[0], "%d-%b-%Y").date().isoformat()


def reuters_article(record: dict[str, Any]) -> dict[str, str]:
    """The article record of one Reuters-21578 story."""
    return {
        "id": _reuters_id(record),
        "title": (record.get("title") or "").strip(),
        "published": reuters_date(record["date"]),
        "text": reuters_body(record.get("body") or ""),
    }


def modern_article(record: dict[str, Any]) -> dict[str, str]:
    """The article record of one modern trade news text."""
    return {
        "id": str(record["id"]),
        "title": record.get("title") or "",
        "published": record.get("date") or "",
        "text": record["text"],
    }


def _reuters_id(record: dict[str, Any]) -> str:
    return f"{REUTERS_PREFIX}{record['id']}"


def _modern_id(record: dict[str, Any]) -> str:
    return str(record["id"])


def _scan(path: Path, wanted: set[str], *, key: Callable, build: Callable) -> dict[str, dict]:
    """Stream a corpus file and build the articles whose ids are wanted (nothing else is kept)."""
    found: dict[str, dict[str, str]] = {}
    if not wanted:
        return found
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                article_id = key(record)
                if article_id in wanted:
                    found[article_id] = build(record)
    except OSError as e:
        raise InputError(f"cannot read the corpus file {path}: {e.strerror or e}") from e
    return found


def rebuild_articles(ids: Iterable[str], corpus_dir: str | Path) -> Iterator[dict[str, str]]:
    """The article records for ``ids``, in that order; raises InputError for unknown ids."""
    ids = list(dict.fromkeys(ids))
    corpus_dir = Path(corpus_dir)
    reuters = {i for i in ids if i.startswith(REUTERS_PREFIX)}
    modern = {i for i in ids if i.startswith(MODERN_PREFIX)}
    found = _scan(corpus_dir / REUTERS_FILE, reuters, key=_reuters_id, build=reuters_article)
    found |= _scan(corpus_dir / MODERN_FILE, modern, key=_modern_id, build=modern_article)
    missing = [i for i in ids if i not in found]
    if missing:
        raise InputError(f"not in the corpus under {corpus_dir}: {', '.join(missing[:10])}")
    return (found[i] for i in ids)


def gold_articles(gold_path: str | Path, corpus_dir: str | Path) -> Iterator[dict[str, str]]:
    """The articles of a gold file rebuilt from the corpus (input for ``newstag ingest``)."""
    return rebuild_articles(gold_ids(gold_path), corpus_dir)


def write_gold_articles(gold_path: str | Path, corpus_dir: str | Path, out_path: str | Path) -> int:
    """Write the rebuilt articles as JSON Lines; returns how many were written."""
    count = 0
    with Path(out_path).open("w", encoding="utf-8") as handle:
        for article in gold_articles(gold_path, corpus_dir):
            handle.write(json.dumps(article, ensure_ascii=False) + "\n")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    """``python -m nlp.goldcorpus GOLD CORPUS_DIR -o ARTICLES.jsonl``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("corpus_dir", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        count = write_gold_articles(args.gold, args.corpus_dir, args.output)
    except InputError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    sys.stderr.write(f"{count} articles written to {args.output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
