"""Concurrent fetching against serial fetching, with per-host limits checked on the server side.

Usage: PYTHONPATH=. python bench/fetch_concurrency.py [--entries 200] [--hosts 4] [--delay 0.2]
       [--per-host 4] [--workers 16]

Starts one loopback server per host name (127.0.0.1, 127.0.0.2, ...), each serving a feed and
pages that answer after ``--delay`` seconds; every handler counts how many requests its host is
serving at once. ``fetch_feeds`` then runs twice into fresh databases: serially (one worker, one
request per host) and concurrently. It prints both times, the ratio, and the most concurrent
requests any host saw; it exits 1 if the ratio is not under 1/4 or a host limit was exceeded.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from nlp.config import Settings
from nlp.fetching import fetch_feeds
from nlp.sources.feedlist import FeedSpec
from nlp.sources.fetch import FetchLimits
from nlp.store import open_db

PAGE = (
    "<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
    "<p>Story {n} from {host}: the ministry said on Monday that it would cut the tariff on imported parts "
    "from eight to four percent, after a review of the costs borne by local assemblers.</p>"
    "<p>Importers welcomed the change, which takes effect next month and runs for two years, "
    "while domestic producers asked for a quota on finished goods instead.</p>"
    "</article></body></html>"
)


class Host:
    """One loopback host: a server, its pages, and the most requests it ever served at once."""

    def __init__(self, address: str, *, entries: int, delay: float) -> None:
        self.server = HTTPServer(host=address, threaded=True)
        self.delay = delay
        self.active = 0
        self.most = 0
        self.lock = threading.Lock()
        self.server.start()
        self.server.expect_request("/feed.xml").respond_with_data(self._feed(entries))
        self.server.expect_request("/page").respond_with_handler(self._page)

    def _feed(self, entries: int) -> str:
        items = "".join(
            f"<item><title>Story {n}</title><link>{self.server.url_for('/page')}?n={n}</link></item>"
            for n in range(entries)
        )
        return f"<rss><channel><title>bench</title>{items}</channel></rss>"

    def _page(self, request: Request) -> Response:
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(self.delay)
        with self.lock:
            self.active -= 1
        page = PAGE.format(n=request.args.get("n"), host=request.host)
        return Response(page, content_type="text/html")

    def reset(self) -> None:
        self.most = 0

    def stop(self) -> None:
        self.server.stop()


def run(hosts: list[Host], limits: FetchLimits) -> tuple[float, int, int]:
    """(seconds, new articles, most concurrent requests on one host) of one fetch."""
    for host in hosts:
        host.reset()
    feeds = [
        FeedSpec(name=f"host{i}", url=host.server.url_for("/feed.xml"))
        for i, host in enumerate(hosts)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        started = time.monotonic()
        summary = fetch_feeds(db, feeds, settings=Settings(), limits=limits)
        seconds = time.monotonic() - started
    return seconds, summary.new_articles, max(host.most for host in hosts)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    per_host_entries = args.entries // args.hosts
    hosts = [
        Host(f"127.0.0.{i + 1}", entries=per_host_entries, delay=args.delay)
        for i in range(args.hosts)
    ]
    base = FetchLimits(host_delay=0.0, respect_robots=False, retries=0)
    try:
        serial = run(hosts, FetchLimits(**{**vars(base), "workers": 1, "per_host": 1}))
        limits = FetchLimits(**{**vars(base), "workers": args.workers, "per_host": args.per_host})
        concurrent = run(hosts, limits)
    finally:
        for host in hosts:
            host.stop()
    ratio = concurrent[0] / serial[0]
    print(
        f"{per_host_entries * args.hosts} entries on {args.hosts} hosts, {args.delay:g} s per page"
    )
    print(f"serial:     {serial[0]:6.2f} s, {serial[1]} articles, max {serial[2]} at once per host")
    print(
        f"concurrent: {concurrent[0]:6.2f} s, {concurrent[1]} articles, max {concurrent[2]} at once "
        f"per host (limit {args.per_host}, {args.workers} workers)"
    )
    print(f"ratio concurrent/serial: {ratio:.3f} (must be < 0.25)")
    return 0 if ratio < 0.25 and concurrent[2] <= args.per_host else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
