"""Archive-scale extraction speed: the gate, the full pipeline and the bare spaCy baseline.

Usage: PYTHONPATH=. python bench/throughput.py [--limit N] [--workers 2] [--batch-size 64]
       [--growth 5000] [--corpus ../shared/corpus/reuters21578.jsonl]

Ingests the Reuters-21578 stories that have a body into a temporary database, then on the same
texts runs:
  baseline  the bare trained pipeline, ``nlp.pipe(texts, batch_size=B)``, in a process of its own;
  gate      ``extract_articles`` (default mode), then a second extract over the same database;
  full      ``extract_articles(gate=False)``: every article through the trained pipeline.
Gate and full run in one process with one loaded pipeline, so that both read the same code and
data even if the project's files change during a long run. It prints words per second (whitespace words of the stored texts) and the ratio to the
baseline, events per mode and on trade stories (topics holding "trade"), whether the gate and
full events are exactly identical (every column; the differing rows when not), peak RSS (main
process and largest worker), and the time of the second extract against the first. ``--growth N`` also
runs the gate on the first N stories only, to show the memory does not grow with the archive.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT.parent / "shared" / "corpus" / "reuters21578.jsonl"
EVENT_SQL = "SELECT * FROM events ORDER BY event_id"


def write_slice(corpus: Path, out: Path, limit: int | None) -> set[str]:
    """Copy the stories with a body (at most ``limit``) to ``out``; the ids of trade stories."""
    trade: set[str] = set()
    kept = 0
    with corpus.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            record = json.loads(line)
            if not (record.get("body") or "").strip():
                continue
            dst.write(line if line.endswith("\n") else line + "\n")
            if "trade" in (record.get("topics") or []):
                trade.add(str(record["id"]))
            kept += 1
            if limit is not None and kept >= limit:
                break
    return trade


def ingest(slice_path: Path, db_path: Path) -> float:
    """Store the slice in a fresh database; the seconds it took."""
    from nlp.ingest import ingest_paths
    from nlp.store import open_db

    started = time.monotonic()
    db = open_db(db_path)
    ingest_paths(db, [slice_path])
    db.conn.close()  # checkpoints the write-ahead log, so the file alone can be copied
    return time.monotonic() - started


def stored_texts(db_path: Path):
    """The stored texts, streamed in storage order."""
    with sqlite3.connect(db_path) as conn:
        for (text,) in conn.execute("SELECT text FROM articles ORDER BY rowid"):
            yield text


def count_words(db_path: Path, limit: int | None = None) -> int:
    """Whitespace words of the first ``limit`` stored texts: the unit of every speed figure."""
    texts = stored_texts(db_path)
    return sum(len(text.split()) for _, text in zip(range(limit or 10**12), texts, strict=False))


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rss_main_mb": round(own, 1), "rss_worker_mb": round(child, 1)}


# ------------------------------------------------------------------------ one measured run


def run_baseline(db_path: Path, batch_size: int, limit: int | None) -> dict[str, float]:
    """The bare trained pipeline over the stored texts, one process."""
    from nlp.pipeline.build import load_base

    nlp = load_base(None)
    texts = (t for _, t in zip(range(limit or 10**12), stored_texts(db_path), strict=False))
    started = time.monotonic()
    for _doc in nlp.pipe(texts, batch_size=batch_size):
        pass
    return {"seconds": time.monotonic() - started}


def run_extract(
    db_paths: dict[str, Path], *, workers: int, batch_size: int, limit: int | None
) -> dict[str, float]:
    """``extract_articles`` with the gate and without, each twice over its own database (the
    work, then the incremental re-run), with one loaded pipeline: both modes read the same code
    and data even while the project's files change during a long run."""
    from nlp.extract import extract_articles
    from nlp.pipeline.build import build_pipeline
    from nlp.store import open_db

    nlp = build_pipeline()
    result: dict[str, float] = {}
    for mode, db_path in db_paths.items():
        db = open_db(db_path)
        options = {"workers": workers, "batch_size": batch_size, "limit": limit}
        first = extract_articles(db, nlp, gate=mode == "gate", **options)
        again = extract_articles(db, nlp, gate=mode == "gate", **options)
        db.conn.close()
        result |= {
            f"{mode}_seconds": first.seconds,
            f"{mode}_articles": first.articles,
            f"{mode}_events": first.events,
            f"{mode}_mentions": first.mentions,
            f"{mode}_second_seconds": again.seconds,
            f"{mode}_second_articles": again.articles,
        }
    return result


def child_main(args: argparse.Namespace) -> None:
    """Run one measurement in this process and print it as one JSON line."""
    logging.basicConfig(level=logging.WARNING)
    db_path = Path(args.db)
    if args.mode == "baseline":
        result = run_baseline(db_path, args.batch_size, args.limit)
    else:
        modes = ("gate", "full") if args.mode == "both" else (args.mode,)
        result = run_extract(
            {mode: db_path.with_name(f"{mode}.db") for mode in modes},
            workers=args.workers,
            batch_size=args.batch_size,
            limit=args.limit,
        )
    print(json.dumps({**result, **peak_rss_mb()}))


def measure(mode: str, db_path: Path, args: argparse.Namespace, limit: int | None) -> dict:
    """Run ``mode`` in a fresh process (so its memory is its own) and read its figures."""
    command = [sys.executable, __file__, "--child", mode, "--db", str(db_path)]
    command += ["--workers", str(args.workers), "--batch-size", str(args.batch_size)]
    command += ["--limit", str(limit)] if limit else []
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, cwd=PROJECT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------ comparing results


def event_rows(db_path: Path) -> list[tuple]:
    """Every stored event, every column (events carry no timestamp)."""
    with sqlite3.connect(db_path) as conn:
        return conn.execute(EVENT_SQL).fetchall()


def show_differences(gate_rows: list[tuple], full_rows: list[tuple]) -> None:
    """The events only one mode stored (at most five each), to find the cause of a mismatch."""
    gate_set, full_set = set(gate_rows), set(full_rows)
    for name, rows in (("gate only", gate_set - full_set), ("full only", full_set - gate_set)):
        print(f"{name}: {len(rows)} events")
        for row in sorted(rows)[:5]:
            print("   ", row[:11], repr(row[21][:100]))


def trade_events(db_path: Path, trade: set[str]) -> int:
    """Events found in stories whose Reuters topics include "trade"."""
    with sqlite3.connect(db_path) as conn:
        ids = [row[0] for row in conn.execute("SELECT article_id FROM events")]
    return sum(1 for article_id in ids if article_id in trade)


def report(words: int, runs: dict[str, dict], same: bool, trade: dict[str, int]) -> None:
    """Print the figures and the targets they are measured against."""
    base = words / runs["baseline"]["seconds"]
    print(f"words: {words:,}")
    for mode, run in runs.items():
        wps = words / run["seconds"]
        line = f"{mode:>9}: {run['seconds']:8.1f}s {wps:9,.0f} words/s {wps / base:5.2f}x baseline"
        line += f"  rss main {run['rss_main_mb']:,.0f} MB, worker {run['rss_worker_mb']:,.0f} MB"
        if "events" in run:
            line += f"  events {run['events']:,} (trade stories {trade[mode]:,})"
        print(line)
    for mode in ("gate", "full"):
        run = runs[mode]
        share = run["second_seconds"] / run["seconds"]
        print(
            f"second {mode} extract: {run['second_seconds']:.2f}s = {share:.1%} of the first "
            f"({run['second_articles']} articles)"
        )
    print(f"gate and full events identical: {same}")
    print("targets: gate >= 5x, full >= 0.8x, RSS < 1.5 GB, second extract < 5%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Stories with a body to use.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--growth", type=int, default=5000, help="Also run the gate on N stories.")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--child", choices=("baseline", "gate", "full", "both"), help=argparse.SUPPRESS
    )
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.mode = args.child
        child_main(args)
        return
    with tempfile.TemporaryDirectory(prefix="newstag-bench-") as tmp:
        run_all(Path(tmp), args)


def run_all(tmp: Path, args: argparse.Namespace) -> None:
    """Ingest once, copy the database per mode, measure, compare and report."""
    trade = write_slice(args.corpus, tmp / "slice.jsonl", args.limit)
    seconds = ingest(tmp / "slice.jsonl", tmp / "ingested.db")
    words = count_words(tmp / "ingested.db")
    print(f"ingest: {seconds:.1f}s ({words / seconds:,.0f} words/s)", flush=True)
    for mode in ("baseline", "gate", "full"):
        shutil.copy(tmp / "ingested.db", tmp / f"{mode}.db")
    baseline = measure("baseline", tmp / "baseline.db", args, None)
    print(f"baseline: {json.dumps(baseline)}", flush=True)
    both = measure("both", tmp / "gate.db", args, None)
    print(f"extract: {json.dumps(both)}", flush=True)
    runs = {"baseline": baseline}
    for mode in ("gate", "full"):
        runs[mode] = {k.removeprefix(mode + "_"): v for k, v in both.items() if k.startswith(mode)}
        runs[mode] |= {k: both[k] for k in ("rss_main_mb", "rss_worker_mb")}
    gate_rows, full_rows = event_rows(tmp / "gate.db"), event_rows(tmp / "full.db")
    same = gate_rows == full_rows
    if not same:
        show_differences(gate_rows, full_rows)
    counts = {mode: trade_events(tmp / f"{mode}.db", trade) for mode in ("gate", "full")}
    report(words, runs, same, counts)
    if args.growth and (args.limit is None or args.growth < args.limit):
        folder = tmp / "growth"
        folder.mkdir()
        shutil.copy(tmp / "ingested.db", folder / "gate.db")
        small = measure("gate", folder / "gate.db", args, args.growth)
        print(
            f"gate on the first {args.growth:,} stories: rss main {small['rss_main_mb']:,.0f} MB, "
            f"worker {small['rss_worker_mb']:,.0f} MB (all, both modes: "
            f"{both['rss_main_mb']:,.0f} / {both['rss_worker_mb']:,.0f} MB)"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT))
    main()
