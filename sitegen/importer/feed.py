"""A news feed (RSS 2.0, Atom 1.0; a file or a URL) → one plain record per entry.

feedparser reads the feed; each entry gives its title, date, author, source (the entry's own
`<source>`, else the feed's title), link (kept as `source_url`), body (its content, else its
summary, HTML converted to Markdown by `htmlmd`) and categories (as tags, letters made
canonical and duplicates after folding removed, as the text importer's keywords are). An
entry is known by its id (`<guid>`, `<id>`; its link when it has neither): importing the
same feed again finds the articles it made before by that id.

Bad input is one line each: a feed that is not well-formed XML or not a feed is refused
whole (nothing from it is imported), an entry without any text is skipped, an entry without
a title gets one inferred from its text (`title_inferred`), one without a date is imported
undated. URLs are fetched with a timeout and a size limit.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import html
import http.client
import logging
import re
import urllib.error
import urllib.request
from html.entities import name2codepoint
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.arabic import canonical_letters, fold
from sitegen.errors import SourceError
from sitegen.importer.articles import Draft, infer_title, summary as first_summary
from sitegen.importer.seedfile import read_seed_bytes
from sitegen.importer.htmlmd import escape, html_to_markdown, html_to_text, safe_link

log = logging.getLogger(__name__)

SUFFIXES = (".xml", ".rss", ".atom")
"""File name endings `sitegen import FILE` reads as feeds."""
ENTRY_KEY = "feed"
"""The front matter key recording where an article came from: {url, id, sha256}."""

# feedparser flags these but parses the feed fine: a declared encoding that the bytes
# contradict, and (for a file or a lax server) a content type that is not XML's.
_HARMLESS = ("CharacterEncodingOverride", "NonXMLContentType")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, ready to be written as an article."""

    id: str
    """The entry's id or guid (its link when it has neither): how it is found again."""
    number: int
    """1-based position of the entry in the feed (for messages)."""
    title: str
    """The headline, as text."""
    title_inferred: bool
    """True when the entry had no title and one was made from its text."""
    date: str | None
    """Publication (else update) date, ISO `YYYY-MM-DD`, in the feed's own time zone."""
    author: str | None
    """The entry's author's name."""
    source: str | None
    """The outlet: the entry's `<source>` title, else the feed's title."""
    source_url: str | None
    """The entry's link (http or https only)."""
    body: str
    """Markdown: the content, else the summary."""
    summary: str
    """The summary as text when the entry has content too, else the body's first sentence."""
    tags: tuple[str, ...]
    """Categories, canonical letters, deduplicated after folding."""
    digest: str
    """sha256 of what the entry gave (changes when the outlet edits it)."""


@dataclass(frozen=True)
class Feed:
    """A feed read: its entries and one line per entry problem."""

    title: str | None
    entries: tuple[FeedEntry, ...]
    warnings: tuple[str, ...] = ()
    """Entries imported with something missing (no title, no date)."""
    errors: tuple[str, ...] = ()
    """Entries skipped (no text, no id), one line each."""


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much a feed URL may take."""

    timeout: float = 20.0
    """Seconds for the connection and for each read."""
    max_bytes: int = 20 * 1024 * 1024
    """A response larger than this is refused (the feed is not imported)."""


def is_url(location: str) -> bool:
    """True when a feed location is an http(s) URL rather than a file path."""
    return location.startswith(("http://", "https://"))


def read_feed_bytes(location: str, root: Path, limits: FetchLimits) -> tuple[bytes, str]:
    """The bytes of the feed at `location` (a URL, or a path relative to `root`) and how to
    name it in messages. Raises SourceError (one line) when it cannot be had."""
    if is_url(location):
        return fetch(location, limits), location
    path = Path(location)
    path = path if path.is_absolute() else root / path
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = str(path.resolve())
    return read_seed_bytes(path, shown, limits.max_bytes, "feed"), shown


def fetch(url: str, limits: FetchLimits) -> bytes:
    """GET `url` (http or https) with a timeout and a size limit. Raises SourceError naming
    the URL and what went wrong (HTTP status, network error, timeout, too large)."""
    request = urllib.request.Request(url, headers={
        "User-Agent": f"sitegen/{__version__} (feed import)",
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"})
    try:
        with urllib.request.urlopen(request, timeout=limits.timeout) as response:  # noqa: S310 - http(s) only, checked by is_url
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limits.max_bytes:
                raise SourceError(url, f"feed is {int(length) / 1024 / 1024:.1f} MiB, over max_seed_mb = "
                                  f"{limits.max_bytes // (1024 * 1024)}; not imported", stage="import")
            data = response.read(limits.max_bytes + 1)
            # read(n) gives what came before the connection closed, without a word.
            if length and length.isdigit() and len(data) < int(length):
                raise SourceError(url, f"cannot fetch: the connection closed after {len(data):,} of "
                                  f"{int(length):,} bytes", stage="import")
    except urllib.error.HTTPError as e:
        raise SourceError(url, f"cannot fetch: HTTP {e.code} {e.reason}", stage="import") from None
    except urllib.error.URLError as e:
        reason = e.reason
        what = "timed out" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else str(reason)
        raise SourceError(url, f"cannot fetch: {what}", stage="import") from None
    except TimeoutError:
        raise SourceError(url, f"cannot fetch: timed out after {limits.timeout:g} s", stage="import") from None
    except OSError as e:
        raise SourceError(url, f"cannot fetch: {e.strerror or e}", stage="import") from None
    except http.client.HTTPException as e:  # a connection closed mid-answer, a garbled header
        raise SourceError(url, f"cannot fetch: {type(e).__name__} {e}".rstrip(), stage="import") from None
    except ValueError as e:  # a URL urllib cannot read ("http://:80/")
        raise SourceError(url, f"cannot fetch: {e}", stage="import") from None
    if len(data) > limits.max_bytes:
        raise SourceError(url, f"feed is over max_seed_mb = {limits.max_bytes // (1024 * 1024)} MiB; "
                          "not imported", stage="import")
    return data


def parse_feed(data: bytes, shown: str) -> Feed:
    """A feed's bytes → Feed. Raises SourceError (with the line when the XML says it) for
    bytes that are not a well-formed RSS or Atom feed: none of its entries is imported."""
    import feedparser  # only an import of a feed pays for it

    if not data.strip():
        raise SourceError(shown, "empty file: no feed to import", stage="import")
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is not None and "undefined entity" in str(problem):
        # HTML's named entities (&nbsp; &hellip;) are common in feeds and undefined in XML.
        # Spelt as numbers the feed may be well-formed; if it is not, the error stands (a
        # lenient parse would take the entries of a truncated feed, the last one cut).
        log.debug("%s: HTML named entities read as their characters", shown)
        parsed = feedparser.parse(_numeric_entities(data), sanitize_html=True, resolve_relative_uris=True)
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is not None and type(problem).__name__ not in _HARMLESS:
        line = problem.getLineNumber() if hasattr(problem, "getLineNumber") else None
        message = problem.getMessage() if hasattr(problem, "getMessage") else str(problem)
        raise SourceError(shown, f"not a well-formed feed: {message}; nothing imported from it",
                          line=line, stage="import")
    version = parsed.get("version") or ""
    if not version:
        raise SourceError(shown, "not an RSS or Atom feed (no <rss>, <feed> or <rdf:RDF> root); "
                          "nothing imported from it", stage="import")
    feed_title = _text(parsed.feed.get("title_detail") or parsed.feed.get("title"))
    entries: list[FeedEntry] = []
    warnings: list[str] = []
    errors: list[str] = []
    seen: set[str] = set()
    for n, raw in enumerate(parsed.entries, start=1):
        where = f"{shown}: entry {n}"
        entry, problems, refusal = _entry(raw, n, feed_title, where)
        if refusal:
            errors.append(refusal)
            continue
        assert entry is not None
        if entry.id in seen:
            errors.append(f"{where}: import: id {entry.id!r} repeats an earlier entry's; skipped")
            continue
        seen.add(entry.id)
        warnings.extend(problems)
        entries.append(entry)
    return Feed(feed_title, tuple(entries), tuple(warnings), tuple(errors))


_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _numeric_entities(data: bytes) -> bytes:
    """`data` with HTML's named entities (but XML's own five) written as character references."""
    def number(m: re.Match[bytes]) -> bytes:
        name = m.group(1)
        code = None if name in _XML_ENTITIES else name2codepoint.get(name.decode("ascii"))
        return b"&#%d;" % code if code is not None else m.group(0)

    return _NAMED_ENTITY.sub(number, data)


def _entry(raw: Any, number: int, feed_title: str | None,
           where: str) -> tuple[FeedEntry | None, list[str], str | None]:
    """Entry `number` of the feed (a feedparser entry) → (FeedEntry, warnings, None), or
    (None, [], the line saying why it is skipped)."""
    problems: list[str] = []
    link = safe_link(raw.get("link") or "")
    link = link if link and link.startswith(("http://", "https://")) else None
    key = (raw.get("id") or "").strip() or link
    body = _body(raw, link)
    if not body:
        return None, [], f"{where}: import: entry has no text (no content, no summary); skipped"
    if not key:
        return None, [], f"{where}: import: entry has no id, guid or link to know it by; skipped"
    title = _text(raw.get("title_detail") or raw.get("title"))
    plain = _plain(body)
    inferred = not title
    if not title:
        title = infer_title(plain)
        problems.append(f"{where}: import: entry has no title; inferred {title!r} from its text")
    date = _date(raw)
    if date is None:
        problems.append(f"{where}: import: entry {title!r} has no date (or none readable); imported undated")
    author_detail = raw.get("author_detail") or {}
    author = _clean(author_detail.get("name") or raw.get("author"))
    source_detail = raw.get("source") or {}
    source = _clean(source_detail.get("title")) or feed_title
    tags: list[str] = []
    seen: set[str] = set()
    for tag in raw.get("tags") or ():
        term = _clean(tag.get("label") or tag.get("term"))
        if term and (k := fold(term)) and k not in seen:
            seen.add(k)
            tags.append(canonical_letters(term))
    has_content = bool(raw.get("content"))
    entry_summary = _text(raw.get("summary_detail") or raw.get("summary")) if has_content else None
    digest = hashlib.sha256("\0".join((key, title, date or "", author or "", source or "", link or "",
                                       body, *tags)).encode("utf-8")).hexdigest()
    return FeedEntry(
        id=key, number=number, title=title, title_inferred=inferred, date=date, author=author, source=source,
        source_url=link, body=body, summary=first_summary(entry_summary or plain), tags=tuple(tags),
        digest=digest), problems, None


def _body(raw: Any, link: str | None) -> str:
    """The entry's text as Markdown: the longest HTML or text content, else the summary.
    Links feedparser left relative (no xml:base) resolve against the entry's own link."""
    contents = [c for c in raw.get("content") or () if c.get("value")]
    if contents:
        best = max(contents, key=lambda c: len(c.get("value") or ""))
        return _markdown(best.get("value") or "", best.get("type") or "text/html", link)
    detail = raw.get("summary_detail") or {}
    return _markdown(raw.get("summary") or "", detail.get("type") or "text/html", link)


def _markdown(value: str, kind: str, base: str | None) -> str:
    if "html" in kind:
        return html_to_markdown(value, base)
    # Plain text: each paragraph as text (escaped: it never becomes markup).
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", value)]
    return "\n\n".join(escape(p) for p in paragraphs if p)


def _plain(markdown: str) -> str:
    """The first paragraph of a Markdown body (as `htmlmd` writes it) that is prose, as
    plain text (for an inferred title and a summary): marks, link targets, backslash escapes
    and character references undone."""
    blocks = [b for b in markdown.split("\n\n") if not b.startswith(("#", "-", "```", ">"))]
    for block in blocks or [markdown]:
        text = re.sub(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\([^)]*\)", r"\1", block)
        text = re.sub(r"(?<!\\)(?:\*+|`)", "", text)  # emphasis and code marks, not escaped ones
        text = " ".join(html.unescape(re.sub(r"\\(.)", r"\1", text)).split())
        if text:
            return text
    return ""


def _text(detail: Any) -> str | None:
    """A feed text construct (title, summary) as plain text: HTML ones lose their markup."""
    if detail is None:
        return None
    if isinstance(detail, str):
        return _clean(detail)
    value = detail.get("value") or ""
    kind = detail.get("type") or "text/plain"
    return _clean(html_to_text(value) if "html" in kind else value)


def _clean(value: Any) -> str | None:
    if not value:
        return None
    text = _SPACES.sub(" ", str(value)).strip()
    return text or None


def _date(raw: Any) -> str | None:
    """The entry's publication date (else its update date), as written in the feed (the
    day in the feed's own time zone, not converted to UTC), ISO. The Unix epoch's first day
    is no date: it is what a generator writes when it has none (Atom requires <updated>)."""
    for key in ("published", "updated", "created"):
        day = _day(raw, key)
        if day is not None and day != _EPOCH:
            return day.isoformat()
    return None


_EPOCH = datetime.date(1970, 1, 1)


def _day(raw: Any, key: str) -> datetime.date | None:
    value = (raw.get(key) or "").strip()
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    parsed = raw.get(f"{key}_parsed")
    return datetime.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday) if parsed else None


def entry_draft(entry: FeedEntry) -> Draft:
    """The draft the importer writes for a feed entry (one article, no cross-references:
    a feed names none)."""
    # line 0: an entry has no line of its own to point to in messages.
    return Draft(part=1, line=0, title=entry.title, title_inferred=entry.title_inferred,
                 date=entry.date, source=entry.source, author=entry.author, tags=entry.tags, body=entry.body,
                 summary=entry.summary, read_also=(), related=(), teasers=())


def entry_front_matter(entry: FeedEntry, feed: str) -> dict[str, Any]:
    """The front matter keys a feed entry adds to its article beyond its draft's: source_url
    and `feed` ({url: the feed, id: the entry's id, sha256}), those it has, in that order."""
    out: dict[str, Any] = {}
    if entry.source_url:
        out["source_url"] = entry.source_url
    out[ENTRY_KEY] = {"url": feed, "id": entry.id, "sha256": entry.digest}
    return out
