"""Archives on disk as one stream of articles: JSON Lines, saved pages, text files, WARC, feeds.

Every reader is a generator and each file is open only while it is read, so memory stays flat
however large the archive. A record or file that cannot be read becomes a ``Skipped`` saying
where and why, and the stream goes on: one bad line must not cost a whole ingest.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from warcio.archiveiterator import ArchiveIterator

from nlp.errors import InputError, NewstagError
from nlp.records import Article
from nlp.sources.articles import make_article
from nlp.sources.feeds import FeedEntry, parse_feed
from nlp.sources.published import normalize_published
from nlp.sources.text import ExtractedText, decode_bytes, extract_html, html_fragment_to_text

log = logging.getLogger(__name__)

# A single page, text file, feed or JSON document larger than this is not an article.
MAX_FILE_BYTES = 50 * 1024 * 1024
# The same bound for one JSON Lines record, so a file without newlines cannot fill memory.
MAX_LINE_BYTES = MAX_FILE_BYTES
# How much of a .json file is read to tell one document from JSON Lines.
JSON_SNIFF_BYTES = 1024 * 1024

# EVENTS.md §5: field names and their accepted aliases, in order of preference.
TEXT_KEYS = ("text", "body", "content")
TITLE_KEYS = ("title", "headline")
URL_KEYS = ("url", "link")
PUBLISHED_KEYS = ("published", "date", "pubDate")
LANGUAGE_KEYS = ("language", "lang")


@dataclass(frozen=True)
class Skipped:
    """A record or file that was not read: where ("file:N", N a line, item or record number;
    or "file") and a one-line reason."""

    where: str
    reason: str


Item = Article | Skipped
# Stands for "no page" so that a record without html reads like one whose page said nothing.
NO_PAGE = ExtractedText(text="")
Reader = Callable[[Path], Iterator[Item]]


# -- JSON records ------------------------------------------------------------------------------


def _field(record: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    """The first non-empty value among ``keys`` as a string; ``InputError`` when it is not text."""
    for key in keys:
        value = record.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise InputError(f"field {key!r} is a {type(value).__name__}, not text")
    return None


def _first_value(record: Mapping[str, Any], keys: Sequence[str]) -> Any:
    """The first value among ``keys`` that is not None or empty."""
    return next((record[key] for key in keys if record.get(key) not in (None, "")), None)


def _extract_record_html(html: str, url: str | None, *, has_title: bool) -> ExtractedText | None:
    """The main text of a record's ``html``; None when it has none but a title can stand alone."""
    try:
        return extract_html(html, url=url)
    except InputError as e:
        if not has_title:
            raise
        log.debug("record %s: %s; keeping its title only", url, e)
        return None


def record_to_article(record: Any, *, feed: str | None = None) -> Article:
    """An ``Article`` from one JSON record (EVENTS.md §5); ``InputError`` says why it cannot be.

    ``text`` (or body/content) is stored exactly as given; ``html`` is used only without text.
    A record with a title and no body becomes a headline-only article: headlines carry events too.
    A ``dateline`` ("MONTREAL, Feb 26 -"), when given, opens the body as a wire story prints it:
    it is often the only place the story names its country.
    """
    if not isinstance(record, Mapping):
        raise InputError(f"not a JSON object but a {type(record).__name__}")
    title = _field(record, TITLE_KEYS)
    url = _field(record, URL_KEYS)
    text = _field(record, TEXT_KEYS)
    body = _with_dateline(_field(record, ("dateline",)), text) if text and text.strip() else None
    html = _field(record, ("html",)) if body is None else None
    has_title = bool(title and title.strip())
    page = _extract_record_html(html, url, has_title=has_title) if html else None
    if page is None and body is None and not has_title:
        raise InputError("no text")
    page = page or NO_PAGE
    return make_article(
        body=body or page.text or None,
        title=title or page.title,
        id=_field(record, ("id",)),
        url=url or page.url,
        published=normalize_published(_first_value(record, PUBLISHED_KEYS)) or page.published,
        source=_field(record, ("source",)) or page.site,
        feed=feed,
        language=_field(record, LANGUAGE_KEYS) or page.language,
    )


def _with_dateline(dateline: str | None, body: str) -> str:
    """The body with the record's dateline before it, separated by one space."""
    line = (dateline or "").strip()
    return f"{line} {body}" if line else body


def _record_item(record: Any, where: str) -> Item:
    """The record as an Article, or a Skipped with the reason."""
    try:
        return record_to_article(record)
    except InputError as e:
        return Skipped(where, str(e))


def _loads(data: bytes) -> Any:
    """A JSON value from bytes; bytes that are not UTF-8 are decoded best-effort first."""
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        return json.loads(decode_bytes(data))


def _json_line(line: bytes, where: str) -> Item | None:
    """One JSON Lines record as an Item; None for a blank line."""
    if not line.strip():
        return None
    try:
        record = _loads(line)
    except json.JSONDecodeError as e:
        return Skipped(where, f"invalid JSON: {e.msg} (column {e.colno})")
    except (InputError, ValueError, RecursionError) as e:
        return Skipped(where, f"invalid JSON: {e}")
    return _record_item(record, where)


# -- files -------------------------------------------------------------------------------------


def _open(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when its name ends in .gz."""
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def _bounded_lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Lines of a binary stream; None stands for a line over MAX_LINE_BYTES (read past, not kept)."""
    while line := stream.readline(MAX_LINE_BYTES):
        if len(line) < MAX_LINE_BYTES or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield None


def _read_limited(path: Path) -> bytes:
    """The whole (decompressed) file; ``InputError`` when it is over MAX_FILE_BYTES."""
    if not path.name.lower().endswith(".gz") and path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"file too large ({path.stat().st_size / 1e6:.0f} MB, limit 50 MB)")
    with _open(path) as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError("file too large (over 50 MB)")
    return data


def _is_json_document(path: Path) -> bool:
    """True for a .json file holding one object or list rather than one object a line."""
    name = path.name.lower()
    if ".jsonl" in name or ".ndjson" in name:
        return False
    with _open(path) as stream:
        head = stream.read(JSON_SNIFF_BYTES).lstrip()
    first_line, newline, _ = head.partition(b"\n")
    if not head or head.startswith(b"["):
        return bool(head)
    if not newline:  # one line, or longer than the sniff: a document either way
        return True
    try:
        return not isinstance(_loads(first_line), dict)
    except (ValueError, InputError, RecursionError):
        return True


def read_json_lines(path: Path) -> Iterator[Item]:
    """Articles from a JSON Lines file, streamed; a bad line is a Skipped "file:LINE"."""
    with _open(path) as stream:
        for number, line in enumerate(_bounded_lines(stream), start=1):
            where = f"{path}:{number}"
            item = Skipped(where, "line too long") if line is None else _json_line(line, where)
            if item is not None:
                yield item


def read_json_document(path: Path) -> Iterator[Item]:
    """Articles from a JSON file holding one object or a list of objects ("file:ITEM" on skips)."""
    try:
        value = _loads(_read_limited(path))
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg} (line {e.lineno})") from e
    except (ValueError, RecursionError) as e:
        raise InputError(f"invalid JSON: {e}") from e
    records = value if isinstance(value, list) else [value]
    for number, record in enumerate(records, start=1):
        yield _record_item(record, f"{path}:{number}")


def read_json(path: Path) -> Iterator[Item]:
    """Articles from .json/.jsonl[.gz]: line by line unless the file is a single JSON document."""
    reader = read_json_document if _is_json_document(path) else read_json_lines
    yield from reader(path)


def read_html(path: Path) -> Iterator[Item]:
    """The article of one saved page."""
    extracted = extract_html(_read_limited(path))
    yield _extracted_article(extracted, url=extracted.url)


def read_text(path: Path) -> Iterator[Item]:
    """A plain-text file as one article: the whole file is the body (no title line)."""
    text = decode_bytes(_read_limited(path))
    if not text.strip():
        raise InputError("empty file")
    yield make_article(body=text)


def _extracted_article(
    extracted: ExtractedText, *, url: str | None, published: str | None = None
) -> Article:
    """An Article from a page's extracted text and metadata."""
    return make_article(
        body=extracted.text,
        title=extracted.title,
        url=url,
        published=extracted.published or published,
        source=extracted.site,
        language=extracted.language,
    )


# -- WARC --------------------------------------------------------------------------------------

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^;\s\"']+)", re.I)


def _is_html_response(record: Any) -> bool:
    """True for a successful (2xx) HTTP response record carrying HTML."""
    if record.rec_type != "response" or record.http_headers is None:
        return False
    content_type = record.http_headers.get_header("Content-Type") or ""
    status = record.http_headers.get_statuscode() or ""
    return "html" in content_type.lower() and status.startswith("2")


def _warc_payload(record: Any) -> bytes:
    """The decoded HTTP body (chunking and Content-Encoding undone), at most one byte over the
    limit; ``InputError`` when the body cannot be decoded, so the next record is still read."""
    try:
        return record.content_stream().read(MAX_FILE_BYTES + 1)
    except Exception as e:  # zlib, brotli or chunking errors from a damaged record
        raise InputError(f"unreadable HTTP body: {type(e).__name__}: {e}") from e


def _warc_item(record: Any, where: str) -> Item | None:
    """The article of one WARC response record, a Skipped, or None for records that are not pages."""
    if not _is_html_response(record):
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    content_type = record.http_headers.get_header("Content-Type") or ""
    charset = _CHARSET.search(content_type)
    try:
        payload = _warc_payload(record)
        if len(payload) > MAX_FILE_BYTES:
            raise InputError("page too large (over 50 MB)")
        text = decode_bytes(payload, declared=charset.group(1) if charset else None, html=True)
        extracted = extract_html(text, url=uri)
    except InputError as e:
        return Skipped(where, f"{uri}: {e}")
    warc_date = normalize_published(record.rec_headers.get_header("WARC-Date"))
    return _extracted_article(extracted, url=uri, published=warc_date)


def _check_warc(path: Path) -> None:
    """``InputError`` unless the (decompressed) file starts like a WARC: warcio reads junk
    leniently, as records of no type, and warns on stderr instead of failing."""
    with _open(path) as stream:
        if stream.read(5) != b"WARC/":
            raise InputError("not a WARC file")


def read_warc(path: Path) -> Iterator[Item]:
    """Articles from the HTML responses of a .warc[.gz] ("file:N" names the N-th record)."""
    _check_warc(path)
    with open(path, "rb") as stream:
        for number, record in enumerate(ArchiveIterator(stream), start=1):
            item = _warc_item(record, f"{path}:{number}")
            if item is not None:
                yield item


# -- feeds -------------------------------------------------------------------------------------


def _entry_item(entry: FeedEntry, *, source: str | None, feed: str, where: str) -> Item:
    """One feed entry as an article: its content, else its summary, as plain text."""
    html = entry.content_html or entry.summary_html
    body = html_fragment_to_text(html) if html else ""
    if not body and not entry.title:
        return Skipped(where, "no text")
    return make_article(
        body=body or None,
        title=entry.title,
        url=entry.url,
        published=entry.published,
        source=source,
        feed=feed,
    )


def read_feed(path: Path) -> Iterator[Item]:
    """Articles from the entries of a saved RSS/Atom/RDF file ("file:N" names the N-th entry)."""
    parsed = parse_feed(_read_limited(path))
    for number, entry in enumerate(parsed.entries, start=1):
        yield _entry_item(entry, source=parsed.title, feed=str(path), where=f"{path}:{number}")


# -- dispatch ----------------------------------------------------------------------------------

# File name endings and their readers; the first match wins, so longer endings come first.
READERS: tuple[tuple[tuple[str, ...], Reader], ...] = (
    ((".jsonl.gz", ".json.gz", ".ndjson.gz", ".jsonl", ".json", ".ndjson"), read_json),
    ((".warc.gz", ".warc"), read_warc),
    ((".html.gz", ".htm.gz", ".html", ".htm"), read_html),
    ((".txt.gz", ".txt"), read_text),
    ((".xml", ".rss", ".atom"), read_feed),
)


def reader_for(path: Path) -> Reader | None:
    """The reader for a file, chosen by the end of its name; None for an unknown kind of file."""
    name = path.name.lower()
    return next((reader for endings, reader in READERS if name.endswith(endings)), None)


def _guarded(path: Path, reader: Reader) -> Iterator[Item]:
    """The reader's items; whatever stops it becomes a Skipped for the file, never a traceback."""
    try:
        yield from reader(path)
    except NewstagError as e:
        yield Skipped(str(path), str(e))
    except OSError as e:
        yield Skipped(str(path), f"cannot read: {e}")
    except Exception as e:  # untrusted bytes can break any parser; one file must not end the run
        log.debug("unexpected error reading %s", path, exc_info=True)
        yield Skipped(str(path), f"unreadable: {type(e).__name__}: {e}")


def _walk(folder: Path) -> Iterator[Path | Skipped]:
    """Files under a folder, depth first in name order; hidden entries and symlinked folders
    are not followed."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as e:
        yield Skipped(str(folder), f"cannot list folder: {e.strerror or e}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path)


def _iter_folder(folder: Path) -> Iterator[Item]:
    """Every readable file under a folder; files of unknown kinds are passed over quietly."""
    for found in _walk(folder):
        if isinstance(found, Skipped):
            yield found
        elif (reader := reader_for(found)) is not None:
            yield from _guarded(found, reader)


def iter_archive(paths: Sequence[Path | str]) -> Iterator[Article | Skipped]:
    """Articles from files and folders, lazily and in order, with a Skipped for whatever
    cannot be read. Unknown kinds of file are skipped when named, ignored inside folders."""
    if isinstance(paths, str | Path):
        paths = [paths]
    for path in map(Path, paths):
        if path.is_dir():
            yield from _iter_folder(path)
        elif not path.exists():
            yield Skipped(str(path), "no such file or folder")
        elif not path.is_file():
            yield Skipped(str(path), "not a regular file")
        elif (reader := reader_for(path)) is None:
            yield Skipped(
                str(path), "unknown kind of file (expected .jsonl, .html, .txt, .warc, .xml)"
            )
        else:
            yield from _guarded(path, reader)
