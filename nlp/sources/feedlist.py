"""Load ``feeds.yaml``: the feeds a researcher follows, checked with errors that name the line.

The file is read through PyYAML's node tree (``yaml.compose``) rather than ``safe_load`` so that
every complaint can say which line is wrong, not only what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from nlp.errors import ConfigError

_KIND_NAMES = {bool: "true or false", str: "text", int: "a whole number", float: "a number"}
FEED_KEYS = frozenset({"name", "url", "tags", "enabled", "max_entries", "delay"})


@dataclass(frozen=True)
class FeedSpec:
    """One feed to follow: an http(s) URL or a local feed file, with optional limits."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    enabled: bool = True
    max_entries: int | None = None
    delay: float | None = None

    @property
    def is_local(self) -> bool:
        """True when the feed is a file on disk rather than a web address."""
        return urlsplit(self.url).scheme not in ("http", "https")


def _where(path: Path, node: yaml.Node) -> str:
    """``feeds.yaml line 12`` for a node (PyYAML counts lines from 0)."""
    return f"{path} line {node.start_mark.line + 1}"


def _scalar(path: Path, key: str, node: yaml.Node, kind: type | tuple[type, ...]) -> object:
    """The Python value of a scalar node, checked against the expected type."""
    if not isinstance(node, yaml.ScalarNode):
        raise ConfigError(
            f"{_where(path, node)}: {key!r} must be a single value, not a list or mapping"
        )
    value = yaml.safe_load(yaml.serialize(node))
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ConfigError(f"{_where(path, node)}: {key!r} must not be true/false (got {value!r})")
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        names = " or ".join(_KIND_NAMES.get(t, t.__name__) for t in kinds)
        raise ConfigError(f"{_where(path, node)}: {key!r} must be {names}, got {value!r}")
    return value


def _tags(path: Path, node: yaml.Node) -> tuple[str, ...]:
    """Tags as a tuple of strings; a single string is one tag."""
    if isinstance(node, yaml.ScalarNode):
        return (str(_scalar(path, "tags", node, str)),)
    if not isinstance(node, yaml.SequenceNode):
        raise ConfigError(f"{_where(path, node)}: 'tags' must be a list of words")
    return tuple(str(_scalar(path, "tags", item, (str, int))) for item in node.value)


def _url(path: Path, node: yaml.Node) -> str:
    """An http(s) URL as written, or a local path resolved against the file's folder."""
    url = str(_scalar(path, "url", node, str)).strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        if not urlsplit(url).hostname:
            raise ConfigError(f"{_where(path, node)}: 'url' {url!r} has no host name")
        return url
    if scheme and len(scheme) > 1:  # a one-letter scheme is a Windows drive, i.e. a path
        raise ConfigError(
            f"{_where(path, node)}: 'url' must be http(s) or a local path, not {scheme}: ({url!r})"
        )
    local = Path(url).expanduser()
    return str(local if local.is_absolute() else (path.parent / local))


def _number(path: Path, key: str, node: yaml.Node) -> float | int:
    """A positive number (``max_entries`` a whole one)."""
    kind: type | tuple[type, ...] = int if key == "max_entries" else (int, float)
    value = _scalar(path, key, node, kind)
    if value <= 0 if key == "max_entries" else value < 0:  # type: ignore[operator]
        raise ConfigError(f"{_where(path, node)}: {key!r} must be positive, got {value!r}")
    return value  # type: ignore[return-value]


def _feed(path: Path, node: yaml.Node) -> FeedSpec:
    """One mapping of the ``feeds`` list as a ``FeedSpec``."""
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{_where(path, node)}: each feed must be a mapping with at least 'url'")
    fields: dict[str, object] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in FEED_KEYS:
            known = ", ".join(sorted(FEED_KEYS))
            raise ConfigError(f"{_where(path, key_node)}: unknown key {key!r} (known: {known})")
        if key == "url":
            fields[key] = _url(path, value_node)
        elif key == "tags":
            fields[key] = _tags(path, value_node)
        elif key == "enabled":
            fields[key] = _scalar(path, key, value_node, bool)
        elif key == "name":
            fields[key] = str(_scalar(path, key, value_node, (str, int))).strip()
        else:
            fields[key] = _number(path, key, value_node)
    if "url" not in fields:
        raise ConfigError(f"{_where(path, node)}: this feed has no 'url'")
    fields.setdefault("name", fields["url"])
    return FeedSpec(**fields)  # type: ignore[arg-type]


def _feed_nodes(path: Path, root: yaml.Node | None) -> list[yaml.Node]:
    """The feed entries: a top-level list, or the list under a top-level ``feeds:`` key."""
    if root is None:
        return []
    if isinstance(root, yaml.SequenceNode):
        return list(root.value)
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if key_node.value == "feeds":
                if isinstance(value_node, yaml.ScalarNode) and value_node.value in (
                    "",
                    "~",
                    "null",
                ):
                    return []
                if not isinstance(value_node, yaml.SequenceNode):
                    raise ConfigError(f"{_where(path, value_node)}: 'feeds' must be a list")
                return list(value_node.value)
            raise ConfigError(f"{_where(path, key_node)}: unknown top-level key {key_node.value!r}")
        return []
    raise ConfigError(f"{_where(path, root)}: expected a 'feeds:' list")


def load_feeds(path: str | Path) -> list[FeedSpec]:
    """Every feed of a feeds.yaml (enabled or not); ``ConfigError`` naming the line if it is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read feeds file {path}: {e}") from e
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: not valid YAML: {e.problem or e}") from e
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from e
    feeds: list[FeedSpec] = []
    for node in _feed_nodes(path, root):
        feed = _feed(path, node)
        if any(feed.url == other.url for other in feeds):
            raise ConfigError(f"{_where(path, node)}: feed {feed.url!r} is listed twice")
        feeds.append(feed)
    return feeds
