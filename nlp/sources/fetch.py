"""Polite, bounded HTTP: one client, many URLs, every failure a result rather than an exception.

Politeness is per host (scheme + host + port): at most ``per_host`` requests at once, a pause of
``host_delay`` seconds between request starts, robots.txt read once and obeyed. Safety: only
http(s), a size cap enforced while streaming, redirects followed by hand so each hop is checked
(scheme, loop, count), and bounded retries that honour ``Retry-After``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from nlp.config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

KEPT_HEADERS = ("content-type", "etag", "last-modified", "content-language", "retry-after")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ALLOWED_SCHEMES = ("http", "https")
# <meta charset="x">, <meta http-equiv content="...; charset=x"> or <?xml ... encoding="x"?>
_DECLARED_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class FetchLimits:
    """How hard and how politely to fetch; the defaults suit real servers, tests shrink them."""

    user_agent: str = Settings.user_agent
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 1.0
    max_retry_wait: float = 30.0
    per_host: int = 2
    host_delay: float = 1.0
    workers: int = 8
    respect_robots: bool = True
    # Per-host overrides of host_delay, as (host_key, seconds) pairs (a feed's own `delay`).
    host_delays: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class FetchRequest:
    """A URL to get, with the validators of the copy we already have (conditional GET)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """What came back: ``error`` is None on success (2xx) and on 304 (``not_modified``)."""

    url: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    encoding: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True for a usable response: a 2xx body or a 304."""
        return self.error is None

    @property
    def not_modified(self) -> bool:
        """True when the server said our copy is current (HTTP 304)."""
        return self.status == 304

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, if the server sent one."""
        return self.headers.get("content-type")

    def text(self) -> str:
        """The body decoded with the detected charset (undecodable bytes replaced)."""
        return self.content.decode(self.encoding or "utf-8", errors="replace")


class _Refused(Exception):
    """A URL we will not fetch (scheme, robots.txt, redirect loop): no retry."""


class _Unreachable(_Refused):
    """The host could not be connected to (unknown name, connection refused): no retry, and
    the host's other URLs in this batch fail at once."""


class _Retryable(Exception):
    """A failure worth another try after ``wait`` seconds (429/5xx, network)."""

    def __init__(self, message: str, wait: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.wait = wait
        self.status = status


def host_key(url: str) -> str:
    """The politeness unit: scheme, host and port of a URL (the URL itself if it is unparsable)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def check_scheme(url: str) -> None:
    """Refuse anything but http(s) with a host: file://, ftp:, javascript:, data: ..."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as e:
        raise _Refused(f"refused: not a valid URL ({e}: {url[:80]})") from e
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        shown = parts.scheme or "no scheme"
        raise _Refused(f"refused: only http and https URLs are fetched, not {shown} ({url[:80]})")
    if not parts.hostname:
        raise _Refused(f"refused: URL has no host name ({url[:80]})")


def detect_encoding(content: bytes, content_type: str | None) -> str:
    """The charset of a body: HTTP header, then BOM, then in-document declaration, then a guess."""
    declared = header_charset(content_type)
    if declared:
        return declared
    for bom, name in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if content.startswith(bom):
            return name
    match = _DECLARED_CHARSET.search(content[:4096])
    if match and _known_codec(match.group(1).decode("ascii", "ignore")):
        return _known_codec(match.group(1).decode("ascii", "ignore"))  # type: ignore[return-value]
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return _guess_encoding(content)


def header_charset(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header, if it names a known codec."""
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
    return _known_codec(match.group(1)) if match else None


def _known_codec(name: str) -> str | None:
    """The codec name if Python knows it (windows-1252 read as cp1252, latin-1 as the superset)."""
    import codecs

    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # Browsers read a page labelled ISO-8859-1 as windows-1252; so do we.
    return "cp1252" if codec in ("iso8859-1", "latin-1") else codec


def _guess_encoding(content: bytes) -> str:
    """A statistical guess for undeclared, non-UTF-8 bytes; windows-1252 if nothing better."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with trafilatura
        return "cp1252"
    best = from_bytes(content[:65536]).best()
    return best.encoding if best else "cp1252"


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class HostGate:
    """Per-host slots and spacing: a semaphore of ``per_host`` and a minimum gap between starts."""

    def __init__(
        self, *, per_host: int, delay: float, host_delays: Mapping[str, float] | None = None
    ) -> None:
        self.per_host = max(1, per_host)
        self.delay = max(0.0, delay)
        self.host_delays = dict(host_delays or {})
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    def slow_down(self, host: str, delay: float) -> None:
        """Raise a host's delay (a robots.txt ``Crawl-delay``); never lowers it."""
        with self._lock:
            self.host_delays[host] = max(delay, self.host_delays.get(host, self.delay))

    def _slot(self, host: str) -> threading.Semaphore:
        with self._lock:
            return self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))

    def _wait_turn(self, host: str) -> None:
        """Sleep until this host may see a new request, and book the next turn."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + max(0.0, self.host_delays.get(host, self.delay))
        if start > now:
            time.sleep(start - now)

    def run(self, host: str, call: Callable[[], T]) -> T:
        """Call ``call()`` holding one of the host's slots, after the host's delay."""
        slot = self._slot(host)
        with slot:
            self._wait_turn(host)
            return call()


class Fetcher:
    """One shared HTTP client with the limits, the host gate and the robots.txt cache."""

    def __init__(self, limits: FetchLimits) -> None:
        self.limits = limits
        timeout = httpx.Timeout(
            limits.read_timeout, connect=limits.connect_timeout, pool=limits.total_timeout
        )
        self.client = httpx.Client(
            headers={"User-Agent": limits.user_agent},
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max(limits.workers * 2, 10)),
        )
        self.gate = HostGate(
            per_host=limits.per_host, delay=limits.host_delay, host_delays=dict(limits.host_delays)
        )
        self._robots: dict[str, RobotFileParser | None] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._unreachable: dict[str, str] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- robots.txt -------------------------------------------------------------------------
    def _robots_for(self, url: str) -> RobotFileParser | None:
        """The parsed robots.txt of the URL's host, read once; None means everything is allowed."""
        host = host_key(url)
        with self._lock:
            lock = self._robots_locks.setdefault(host, threading.Lock())
        with lock:
            if host not in self._robots:
                self._robots[host] = self._read_robots(host)
            return self._robots[host]

    def _read_robots(self, host: str) -> RobotFileParser | None:
        """Download and parse ``/robots.txt`` (redirects followed, no retries); unreachable,
        non-2xx or over the cap means allow all. A ``Crawl-delay`` slows the host down."""
        url = host + "/robots.txt"
        try:
            for _ in range(self.limits.max_redirects + 1):
                check_scheme(url)
                status, kept, body = self._attempt(url, {})
                if status not in REDIRECT_STATUSES or not kept.get("location"):
                    break
                url = urljoin(url, kept["location"].strip())
        except (_Refused, _Retryable) as e:
            log.debug("robots.txt of %s unreadable (%s): allowing", host, e)
            return None
        if not 200 <= status < 300:
            return None
        parser = RobotFileParser()
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.limits.user_agent)
        if delay:
            self.gate.slow_down(host, min(float(delay), self.limits.max_retry_wait))
        return parser

    def allowed(self, url: str) -> bool:
        """True unless robots.txt (when respected) disallows our user agent."""
        if not self.limits.respect_robots:
            return True
        robots = self._robots_for(url)
        return robots is None or robots.can_fetch(self.limits.user_agent, url)

    # --- one HTTP exchange ------------------------------------------------------------------
    def _get(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """One GET, body streamed under the size and total-time caps; network errors retryable."""
        deadline = time.monotonic() + self.limits.total_timeout
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                kept = {k: v for k in (*KEPT_HEADERS, "location") if (v := response.headers.get(k))}
                return response.status_code, kept, self._read_body(response, deadline)
        except httpx.TimeoutException as e:
            raise _Retryable(f"timed out ({type(e).__name__})") from e
        except httpx.ConnectError as e:
            raise _Unreachable(f"network error: cannot connect: {e}") from e
        except httpx.TransportError as e:
            raise _Retryable(f"network error: {type(e).__name__}: {e}") from e
        except httpx.HTTPError as e:
            raise _Refused(f"HTTP error: {type(e).__name__}: {e}") from e

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        """The body, refused as soon as it is over the cap (declared or actual) or too slow."""
        cap = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _Refused(f"response over the size cap ({int(declared):,} > {cap:,} bytes)")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise _Refused(f"response over the size cap (> {cap:,} bytes)")
            if time.monotonic() > deadline:
                raise _Retryable(f"timed out (body took over {self.limits.total_timeout:g} s)")
            chunks.append(chunk)
        return b"".join(chunks)

    def _attempt(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """One polite GET of one URL (host gate held); 429/5xx become retryable failures."""
        host = host_key(url)
        if host in self._unreachable:
            raise _Unreachable(self._unreachable[host])
        try:
            status, kept, body = self.gate.run(host, lambda: self._get(url, headers))
        except _Unreachable as e:
            self._unreachable.setdefault(host, str(e))
            raise
        if status in RETRY_STATUSES:
            wait = _retry_after(kept.get("retry-after"))
            raise _Retryable(f"HTTP {status}", wait=wait, status=status)
        return status, kept, body

    def _with_retries(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """``_attempt`` with exponential backoff; a Retry-After beyond the cap ends the retries."""
        for attempt in range(self.limits.retries + 1):
            try:
                return self._attempt(url, headers)
            except _Retryable as e:
                if attempt == self.limits.retries:
                    raise
                wait = max(e.wait or 0.0, self.limits.backoff * 2**attempt)
                if wait > self.limits.max_retry_wait:
                    cap = self.limits.max_retry_wait
                    message = f"{e} (asked to wait {wait:g} s, over the {cap:g} s cap)"
                    raise _Retryable(message, status=e.status) from e
                log.debug("%s: %s, retrying in %.2f s", url, e, wait)
                time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- a whole request, with redirects ------------------------------------------------------
    def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one URL, following redirects by hand; never raises."""
        try:
            return self._fetch(request)
        except _Refused as e:
            return FetchResult(url=request.url, error=str(e))
        except _Retryable as e:
            return FetchResult(url=request.url, status=e.status, error=str(e))
        except Exception as e:  # a bug or an exotic failure must not stop a batch
            log.debug("unexpected failure on %s", request.url, exc_info=True)
            return FetchResult(url=request.url, error=f"unexpected {type(e).__name__}: {e}")

    def _fetch(self, request: FetchRequest) -> FetchResult:
        """Follow the URL's redirects hop by hop, each hop checked; the final response."""
        url, seen = request.url.strip(), list[str]()
        headers = _conditional_headers(request)
        while True:
            check_scheme(url)
            if url in seen:
                raise _Refused(f"redirect loop at {url[:80]} after {len(seen)} hops")
            if len(seen) > self.limits.max_redirects:
                raise _Refused(f"too many redirects (over {self.limits.max_redirects})")
            if not self.allowed(url):
                raise _Refused(f"disallowed by robots.txt: {url[:80]}")
            seen.append(url)
            status, kept, body = self._with_retries(url, headers)
            if status in REDIRECT_STATUSES and kept.get("location"):
                url = urljoin(url, kept["location"].strip())
                continue
            return _result(request.url, url, status, kept, body)


def _conditional_headers(request: FetchRequest) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the validators we kept last time."""
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    return headers


def _result(
    url: str, final_url: str, status: int, kept: dict[str, str], body: bytes
) -> FetchResult:
    """A ``FetchResult`` for a final (non-redirect) response."""
    kept = {key: value for key, value in kept.items() if key != "location"}
    error = None
    if status in REDIRECT_STATUSES:
        error = f"HTTP {status} redirect without a Location header"
    elif status != 304 and not 200 <= status < 300:
        error = f"HTTP {status}"
    encoding = detect_encoding(body, kept.get("content-type")) if body and not error else None
    return FetchResult(url, final_url, status, kept, body if not error else b"", encoding, error)


def fetch_many(
    requests: Iterable[FetchRequest | str], *, limits: FetchLimits | None = None
) -> Iterator[FetchResult]:
    """Fetch many URLs concurrently across hosts, bounded per host; results in completion order."""
    limits = limits or FetchLimits()
    wanted = [r if isinstance(r, FetchRequest) else FetchRequest(url=r) for r in requests]
    if not wanted:
        return
    fetcher = Fetcher(limits)
    pool = ThreadPoolExecutor(max(1, limits.workers), thread_name_prefix="newstag-fetch")
    try:
        futures = [pool.submit(fetcher.fetch, request) for request in _interleave_hosts(wanted)]
        for future in as_completed(futures):
            yield future.result()
    finally:  # stopped early (Ctrl-C, consumer gone): drop queued requests, finish running ones
        pool.shutdown(wait=True, cancel_futures=True)
        fetcher.close()


def _interleave_hosts(requests: list[FetchRequest]) -> list[FetchRequest]:
    """Round-robin over hosts so that one busy host does not hold every worker while others idle."""
    by_host: dict[str, list[FetchRequest]] = {}
    for request in requests:
        by_host.setdefault(host_key(request.url), []).append(request)
    queues = list(by_host.values())
    ordered: list[FetchRequest] = []
    for index in range(max(len(queue) for queue in queues)):
        ordered.extend(queue[index] for queue in queues if index < len(queue))
    return ordered
