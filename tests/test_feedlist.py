"""load_feeds: the shipped feeds.yaml, and errors that name the line and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.errors import ConfigError
from nlp.sources.feedlist import FeedSpec, load_feeds

PROJECT = Path(__file__).resolve().parent.parent


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_feeds_file_loads() -> None:
    feeds = load_feeds(PROJECT / "feeds.yaml")
    enabled = [feed for feed in feeds if feed.enabled]
    assert len(enabled) >= 8
    assert all(feed.url.startswith("https://") for feed in enabled)
    assert len({feed.name for feed in feeds}) == len(feeds)
    assert all(feed.tags for feed in feeds)


def test_full_entry(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "feeds:\n"
        "  - name: Ministry\n"
        "    url: https://gov.example.org/rss\n"
        "    tags: [official, example]\n"
        "    enabled: false\n"
        "    max_entries: 20\n"
        "    delay: 2.5\n",
    )
    assert load_feeds(path) == [
        FeedSpec(
            name="Ministry",
            url="https://gov.example.org/rss",
            tags=("official", "example"),
            enabled=False,
            max_entries=20,
            delay=2.5,
        )
    ]


def test_defaults_and_a_bare_list(tmp_path: Path) -> None:
    [feed] = load_feeds(_write(tmp_path, "- url: http://news.example.com/feed\n"))
    assert feed.name == "http://news.example.com/feed"
    assert feed.enabled and feed.tags == () and feed.max_entries is None and feed.delay is None
    assert not feed.is_local


def test_local_path_is_relative_to_the_file(tmp_path: Path) -> None:
    [feed] = load_feeds(_write(tmp_path, "feeds:\n  - name: disk\n    url: saved/feed.xml\n"))
    assert feed.is_local
    assert Path(feed.url) == tmp_path / "saved" / "feed.xml"


def test_empty_file_has_no_feeds(tmp_path: Path) -> None:
    assert load_feeds(_write(tmp_path, "# nothing yet\n")) == []
    assert load_feeds(_write(tmp_path, "feeds:\n")) == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("feeds:\n  - name: a\n    tags: [x]\n", 2, "no 'url'"),
        (
            "feeds:\n  - name: a\n    url: https://a.example\n    enabled: maybe\n",
            4,
            "true or false",
        ),
        ("feeds:\n  - url: https://a.example\n    max_entries: ten\n", 3, "whole number"),
        ("feeds:\n  - url: https://a.example\n    max_entries: 0\n", 3, "positive"),
        ("feeds:\n  - url: https://a.example\n    delay: -1\n", 3, "positive"),
        ("feeds:\n  - url: https://a.example\n    colour: red\n", 3, "unknown key 'colour'"),
        ("feeds:\n  - url: ftp://a.example/feed\n", 2, "http(s) or a local path"),
        ("feeds:\n  - url: https://\n", 2, "no host"),
        ("feeds:\n  - url: [a, b]\n", 2, "single value"),
        ("feeds:\n  - just a string\n", 2, "mapping"),
        ("feeds: 3\n", 1, "must be a list"),
        ("sources:\n  - url: https://a.example\n", 1, "unknown top-level key"),
        ("feeds:\n  - url: https://a.example\n  - url: https://a.example\n", 3, "listed twice"),
        ("feeds:\n  - name: a\n   url: [\n", 3, "not valid YAML"),
        ("feeds:\n  - name: 'a\n", 3, "not valid YAML"),
    ],
)
def test_errors_name_line_and_problem(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_feeds(_write(tmp_path, text))
    assert f"line {line}" in str(caught.value)
    assert message in str(caught.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_feeds(tmp_path / "absent.yaml")
