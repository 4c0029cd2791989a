"""fetch_many against loopback servers: limits, politeness, and failures that stay results."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from nlp.sources.fetch import (
    FetchLimits,
    FetchRequest,
    FetchResult,
    detect_encoding,
    fetch_many,
    host_key,
)

FAST = FetchLimits(
    user_agent="newstag-test/1.0 (+https://example.org)",
    connect_timeout=1.0,
    read_timeout=0.5,
    total_timeout=2.0,
    max_bytes=50_000,
    max_redirects=3,
    retries=2,
    backoff=0.01,
    max_retry_wait=2.0,
    per_host=2,
    host_delay=0.0,
    workers=8,
    respect_robots=False,
)


@pytest.fixture(scope="module")
def module_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(module_server: HTTPServer) -> Iterator[HTTPServer]:
    module_server.clear()
    yield module_server
    module_server.clear()


def _one(url: str, limits: FetchLimits = FAST, **request: str) -> FetchResult:
    [result] = list(fetch_many([FetchRequest(url, **request)], limits=limits))
    return result


class Counter:
    """A handler that counts requests and the most it ever served at once."""

    def __init__(self, response: Response | None = None, *, sleep: float = 0.0) -> None:
        self.response = response
        self.sleep = sleep
        self.calls = 0
        self.active = 0
        self.most = 0
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self.lock:
            self.calls += 1
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(self.sleep)
        with self.lock:
            self.active -= 1
        return self.response or Response("ok", content_type="text/plain")


def test_plain_get_names_the_tool(server: HTTPServer) -> None:
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("User-Agent", ""))
        return Response(
            "<p>hello</p>", content_type="text/html; charset=utf-8", headers={"ETag": '"v1"'}
        )

    server.expect_request("/page").respond_with_handler(handler)
    result = _one(server.url_for("/page"))
    assert result.ok and result.status == 200
    assert result.content == b"<p>hello</p>"
    assert result.encoding == "utf-8"
    assert result.headers["etag"] == '"v1"'
    assert result.final_url == server.url_for("/page")
    assert seen == [FAST.user_agent]


def test_conditional_get_gets_304(server: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        if request.headers.get("If-Modified-Since") == "Tue, 03 Mar 2026 09:30:00 GMT":
            return Response(status=304)
        return Response("<rss/>", headers={"ETag": '"v1"'})

    server.expect_request("/feed").respond_with_handler(handler)
    fresh = _one(server.url_for("/feed"))
    assert fresh.status == 200 and not fresh.not_modified
    by_etag = _one(server.url_for("/feed"), etag='"v1"')
    by_date = _one(server.url_for("/feed"), last_modified="Tue, 03 Mar 2026 09:30:00 GMT")
    for result in (by_etag, by_date):
        assert result.ok and result.not_modified and result.content == b""


def test_slow_server_times_out(server: HTTPServer) -> None:
    slow = Counter(sleep=1.5)
    server.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    result = _one(server.url_for("/slow"), replace(FAST, retries=0))
    assert not result.ok and "timed out" in (result.error or "")
    assert time.monotonic() - started < 1.4


def test_response_over_the_cap_is_refused(server: HTTPServer) -> None:
    server.expect_request("/big").respond_with_data(b"x" * 60_000)
    server.expect_request("/small").respond_with_data(b"x" * 40_000)
    server.expect_request("/stream").respond_with_response(
        Response((b"y" * 10_000 for _ in range(10)), content_type="text/html")
    )
    assert "size cap" in (_one(server.url_for("/big")).error or "")
    assert "size cap" in (_one(server.url_for("/stream")).error or "")
    assert len(_one(server.url_for("/small")).content) == 40_000


def _redirect(location: str) -> Response:
    return Response(status=302, headers={"Location": location})


def test_redirects_are_followed_and_loops_stopped(server: HTTPServer) -> None:
    server.expect_request("/old").respond_with_response(_redirect("/new"))
    server.expect_request("/new").respond_with_data("here")
    server.expect_request("/a").respond_with_response(_redirect("/b"))
    server.expect_request("/b").respond_with_response(_redirect("/a"))
    for hop in range(6):
        server.expect_request(f"/chain{hop}").respond_with_response(_redirect(f"/chain{hop + 1}"))
    moved = _one(server.url_for("/old"))
    assert moved.ok and moved.content == b"here" and moved.final_url == server.url_for("/new")
    assert "redirect loop" in (_one(server.url_for("/a")).error or "")
    assert "too many redirects" in (_one(server.url_for("/chain0")).error or "")


def test_redirect_to_another_scheme_is_refused(server: HTTPServer) -> None:
    server.expect_request("/sneaky").respond_with_response(_redirect("file:///etc/passwd"))
    result = _one(server.url_for("/sneaky"))
    assert "refused" in (result.error or "") and result.content == b""


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/a.txt",
        "javascript:alert(1)",
        "data:text/html,<p>x</p>",
        "mailto:press@example.org",
        "/relative/path",
        "http://",
    ],
)
def test_other_schemes_are_refused_without_a_request(url: str) -> None:
    result = _one(url)
    assert result.status is None
    assert (result.error or "").startswith("refused")


def test_404_is_not_retried(server: HTTPServer) -> None:
    missing = Counter(Response("gone", status=404))
    server.expect_request("/missing").respond_with_handler(missing)
    result = _one(server.url_for("/missing"))
    assert result.error == "HTTP 404" and result.status == 404
    assert missing.calls == 1


def test_500_is_retried_then_reported(server: HTTPServer) -> None:
    broken = Counter(Response("oops", status=500))
    server.expect_request("/broken").respond_with_handler(broken)
    result = _one(server.url_for("/broken"))
    assert result.error == "HTTP 500"
    assert broken.calls == FAST.retries + 1


def test_429_honours_retry_after(server: HTTPServer) -> None:
    calls: list[float] = []

    def handler(request: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response("fine")

    server.expect_request("/busy").respond_with_handler(handler)
    result = _one(server.url_for("/busy"))
    assert result.ok and result.content == b"fine"
    assert calls[1] - calls[0] >= 0.95


def test_retry_after_beyond_the_cap_gives_up_at_once(server: HTTPServer) -> None:
    busy = Counter(Response("later", status=429, headers={"Retry-After": "3600"}))
    server.expect_request("/later").respond_with_handler(busy)
    started = time.monotonic()
    result = _one(server.url_for("/later"))
    assert "HTTP 429" in (result.error or "") and "cap" in (result.error or "")
    assert busy.calls == 1 and time.monotonic() - started < 1.0


def test_charset_declared_only_in_the_header(server: HTTPServer) -> None:
    text = "<p>Caf\u00e9 owners fear a 25% tariff \u2013 \u00abna\u00efve\u00bb, \u20ac8,000</p>"
    server.expect_request("/latin").respond_with_data(
        text.encode("cp1252"), content_type="text/html; charset=windows-1252"
    )
    result = _one(server.url_for("/latin"))
    assert result.encoding == "cp1252"
    assert result.text() == text


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        ("caf\u00e9".encode(), None, "utf-8"),
        ("caf\u00e9".encode("cp1252"), "text/html; charset=ISO-8859-1", "cp1252"),
        (b'<meta charset="koi8-r"><p>\xf0\xd2\xc9\xd7\xc5\xd4</p>', "text/html", "koi8-r"),
        (b"\xef\xbb\xbf<p>x</p>", None, "utf-8"),
        (b"<p>x</p>", "text/html; charset=no-such-codec", "utf-8"),
    ],
)
def test_detect_encoding(content: bytes, content_type: str | None, expected: str) -> None:
    assert detect_encoding(content, content_type) == expected


def test_robots_txt_is_respected(server: HTTPServer) -> None:
    robots = "User-agent: newstag-test\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"
    server.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    server.expect_request("/private/page").respond_with_data("secret")
    server.expect_request("/public/page").respond_with_data("open")
    polite = replace(FAST, respect_robots=True)
    results = {
        r.url: r
        for r in fetch_many(
            [server.url_for("/private/page"), server.url_for("/public/page")], limits=polite
        )
    }
    assert "robots.txt" in (results[server.url_for("/private/page")].error or "")
    assert results[server.url_for("/public/page")].content == b"open"
    assert _one(server.url_for("/private/page")).content == b"secret"  # when told to ignore it


@pytest.mark.parametrize("status", [404, 500])
def test_unreachable_robots_txt_allows(server: HTTPServer, status: int) -> None:
    server.expect_request("/robots.txt").respond_with_data("no", status=status)
    server.expect_request("/page").respond_with_data("fine")
    assert _one(server.url_for("/page"), replace(FAST, respect_robots=True)).content == b"fine"


def test_per_host_concurrency_is_never_exceeded(server: HTTPServer) -> None:
    counter = Counter(sleep=0.1)
    server.expect_request("/item").respond_with_handler(counter)
    urls = [server.url_for(f"/item?n={n}") for n in range(12)]
    results = list(fetch_many(urls, limits=FAST))
    assert all(result.ok for result in results) and len(results) == 12
    assert counter.calls == 12
    assert counter.most == FAST.per_host


def test_host_delay_spaces_requests(server: HTTPServer) -> None:
    starts: list[float] = []

    def handler(request: Request) -> Response:
        starts.append(time.monotonic())
        return Response("ok")

    server.expect_request("/spaced").respond_with_handler(handler)
    host = host_key(server.url_for("/"))
    limits = replace(FAST, host_delay=5.0, host_delays=((host, 0.2),))
    list(fetch_many([server.url_for(f"/spaced?n={n}") for n in range(4)], limits=limits))
    starts.sort()
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    # measured on arrival, so thread scheduling adds jitter: check the span and each gap loosely
    assert len(gaps) == 3 and sum(gaps) >= 0.5 and min(gaps) >= 0.1


def test_a_batch_survives_every_kind_of_failure(server: HTTPServer) -> None:
    server.expect_request("/good").respond_with_data("good")
    server.expect_request("/bad").respond_with_data("bad", status=503)
    urls = [
        server.url_for("/good"),
        server.url_for("/bad"),
        "file:///etc/hosts",
        "http://[::1",  # not even a URL
        "http://127.0.0.1:1/closed-port",
    ]
    results = {result.url: result for result in fetch_many(urls, limits=replace(FAST, retries=0))}
    assert set(results) == set(urls)
    assert results[server.url_for("/good")].ok
    assert sum(result.ok for result in results.values()) == 1
    assert all(result.error for url, result in results.items() if url != server.url_for("/good"))


def test_hosts_are_fetched_concurrently(server: HTTPServer) -> None:
    """Two hosts at one request each are served side by side, never one after the other."""
    other = HTTPServer(host="127.0.0.1", threaded=True)
    other.start()
    spans: dict[int, list[tuple[float, float]]] = {0: [], 1: []}

    def handler_for(index: int):
        def handler(request: Request) -> Response:
            started = time.monotonic()
            time.sleep(0.2)
            spans[index].append((started, time.monotonic()))
            return Response("ok")

        return handler

    try:
        for index, host in enumerate((server, other)):
            host.expect_request("/slow").respond_with_handler(handler_for(index))
        urls = [host.url_for(f"/slow?n={n}") for n in range(3) for host in (server, other)]
        results = list(fetch_many(urls, limits=replace(FAST, per_host=1, read_timeout=2.0)))
    finally:
        other.stop()
    assert all(result.ok for result in results)
    for index in (0, 1):  # one at a time on each host ...
        ordered = sorted(spans[index])
        assert all(a[1] <= b[0] + 0.01 for a, b in zip(ordered, ordered[1:], strict=False))
    overlaps = sum(a[0] < b[1] and b[0] < a[1] for a in spans[0] for b in spans[1])
    assert overlaps >= 2  # ... while the hosts run side by side


def test_robots_txt_redirect_and_crawl_delay(server: HTTPServer) -> None:
    starts: list[float] = []

    def handler(request: Request) -> Response:
        starts.append(time.monotonic())
        return Response("page")

    server.expect_request("/robots.txt").respond_with_response(_redirect("/real-robots.txt"))
    server.expect_request("/real-robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 1\nDisallow: /hidden\n", content_type="text/plain"
    )
    server.expect_request("/hidden").respond_with_data("no")
    server.expect_request("/shown").respond_with_handler(handler)
    polite = replace(FAST, respect_robots=True)
    urls = [server.url_for("/hidden")] + [server.url_for(f"/shown?n={n}") for n in range(2)]
    results = {r.url: r for r in fetch_many(urls, limits=polite)}
    assert "robots.txt" in (results[server.url_for("/hidden")].error or "")
    assert sum(r.ok for r in results.values()) == 2
    assert abs(starts[1] - starts[0]) >= 0.95


def test_unreachable_host_fails_fast_without_retries() -> None:
    slow_backoff = replace(FAST, retries=3, backoff=1.0, respect_robots=True)
    urls = [f"http://127.0.0.1:1/page{n}" for n in range(5)]
    started = time.monotonic()
    results = list(fetch_many(urls, limits=slow_backoff))
    assert time.monotonic() - started < 1.0
    assert all("cannot connect" in (result.error or "") for result in results)


def test_failed_retries_keep_the_status(server: HTTPServer) -> None:
    server.expect_request("/unavailable").respond_with_data("down", status=503)
    result = _one(server.url_for("/unavailable"), replace(FAST, retries=1))
    assert result.status == 503 and result.error == "HTTP 503"


def test_stopping_early_cancels_queued_requests(server: HTTPServer) -> None:
    counter = Counter(sleep=0.1)
    server.expect_request("/queued").respond_with_handler(counter)
    urls = [server.url_for(f"/queued?n={n}") for n in range(40)]
    results = fetch_many(urls, limits=replace(FAST, workers=2, per_host=2))
    next(results)
    results.close()
    assert counter.calls < 10
