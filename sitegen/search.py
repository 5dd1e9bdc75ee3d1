"""The search stage: a Pagefind index of every article, built in memory as Outputs under
`pagefind/`, so the build's atomic write covers it.

Pagefind by itself matches أحمد/احمد and ignores diacritics, but not الإیرانی/الإيراني,
فی/في or ۲۰۲۶/2026. So what Pagefind indexes is sitegen's own matching key, `fold()`ed, word
by word, and the search page folds the query with the same rules (a port of `fold` in the
theme's search.js). Readers never see folded text: each record carries the original words in
its meta, one per indexed word, and the search page builds the excerpt from them around
Pagefind's match locations.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import html
import json
import logging
import os
import pickle
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sitegen.arabic import fold
from sitegen.cache import seal, unseal
from sitegen.config import Config
from sitegen.errors import SearchError
from sitegen.fsutil import atomic_write
from sitegen.model import Article, Body, Output, Site

log = logging.getLogger(__name__)

SEARCH_PAGE = "search/"
"""The search page's folder; the masthead's search box sends `?q=` there."""
SEARCH_TITLE = "البحث"
"""The search page's title."""

BUNDLE_DIR = "pagefind/"
"""Where the index goes in the output folder; search.js imports `pagefind.js` from there."""

UNUSED = re.compile(r"^pagefind-(?:ui|modular-ui|component-ui|highlight)\.")
"""Pagefind's own UI bundles: the theme has its own search page, so they are not published."""


PageRenderer = Callable[..., "Output | None"]
"""Renderer.page: (template, output folder, **context) → the page, or None when kept."""


@dataclass(frozen=True)
class SearchRecord:
    """What is indexed for one article: folded words, and the original words they came from."""

    url: str
    """The article's URL relative to the site root, e.g. `/articles/%D8%AE/` (the search page
    tells Pagefind the site's base path, so the index does not depend on base_url)."""
    title: str
    """The headline as displayed."""
    indexed: tuple[str, ...]
    """Folded words, title first, then body: what Pagefind indexes."""
    shown: tuple[str, ...]
    """The original spelling of each indexed word, same length as `indexed`: '' where one
    original word folded into several (the excerpt shows it once), and "a b" where a word
    that folds to nothing (a lone diacritic) follows word a."""
    title_words: int
    """How many of the words are the title's."""

    @classmethod
    def of(cls, a: Article, body_html: str) -> "SearchRecord":
        """The search record of article `a`, whose body renders to `body_html`."""
        title_idx, title_shown = fold_words(a.title)
        body_idx, body_shown = fold_words(html_text(body_html))
        return cls(url="/" + quote(f"articles/{a.slug}/"), title=a.title,
                   indexed=tuple(title_idx + body_idx), shown=tuple(title_shown + body_shown),
                   title_words=len(title_idx))

    def html(self) -> str:
        """A minimal page for Pagefind: the folded title as the <h1> (Pagefind ranks heading
        words above body words), the folded body as one paragraph, and the original title and
        words as meta."""
        head = " ".join(self.indexed[:self.title_words])
        body = " ".join(self.indexed[self.title_words:])
        meta = {"title": self.title, "words": encode_words(self.shown),
                "title_words": str(self.title_words)}
        tags = "".join(f'<meta data-pagefind-meta="{k}[content]" content="{html.escape(v)}">'
                       for k, v in meta.items())
        return (f"<!DOCTYPE html><html><head>{tags}</head><body>"
                f"<h1>{html.escape(head)}</h1><p>{html.escape(body)}</p></body></html>")


# The `words` meta: shown words joined by single spaces. Pagefind collapses runs of spaces in
# meta values, so an empty word is written as INVISIBLE SEPARATOR and the space inside a
# word (one that folded to nothing, kept with the word before) as NBSP; original words
# hold neither a space nor an NBSP (str.split splits on both). search.js decodes it.
_EMPTY_WORD = "\u2063"
_INNER_SPACE = "\u00a0"


def encode_words(shown: Iterable[str]) -> str:
    """The `words` meta value for a record's shown words."""
    return " ".join(w.replace(" ", _INNER_SPACE) if w else _EMPTY_WORD for w in shown)


def decode_words(meta: str) -> list[str]:
    """The shown words back from a `words` meta value (as search.js reads them)."""
    return ["" if w == _EMPTY_WORD else w.replace(_INNER_SPACE, " ") for w in meta.split(" ")]


def fold_words(text: str) -> tuple[list[str], list[str]]:
    """(indexed, shown): `text`'s words folded, and each one's original spelling.

    One folded word per original word, so Pagefind's word positions index the original
    words too. A word that folds to nothing (a lone tatweel or diacritic) is shown with the
    word before it; a word that folds to several (ﷺ) shows once, on the first of them."""
    indexed: list[str] = []
    shown: list[str] = []
    pending = ""
    for word in text.split():
        key = fold(word)
        if not key:
            if shown:
                shown[-1] += " " + word
            else:
                pending += word + " "
            continue
        parts = key.split(" ")
        indexed += parts
        shown += [pending + word] + [""] * (len(parts) - 1)
        pending = ""
    return indexed, shown


_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table",
                    "tr", "td", "th", "blockquote", "pre", "figure", "figcaption", "br", "hr",
                    "section", "aside", "dt", "dd", "sup"})


class _Text(HTMLParser):
    """The text of an HTML fragment, with a space at every block boundary."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(fragment: str) -> str:
    """The readable text of an HTML fragment (tags removed, entities decoded)."""
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


class Pagefind:
    """A Pagefind indexing service (`pagefind --service`), spoken to synchronously.

    This is the protocol of Pagefind's own Python API (`pagefind.index.PagefindIndex`):
    base64 JSON messages, each followed by a comma, one response per request. That API is
    not used directly because its reader sleeps 0.1 s before reading each response (100 s for
    1,000 articles) and hangs on a response larger than 2 MiB (the bundle of a big site)."""

    def __init__(self) -> None:
        from pagefind.service import get_executable  # the pinned pagefind[bin] binary

        binary = get_executable()
        if binary is None:
            raise SearchError("search: the Pagefind binary is missing; install pagefind[bin]")
        self.stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self.stderr)
        except OSError as e:
            self.stderr.close()
            raise SearchError(f"search: cannot start Pagefind ({binary}): {e}") from None
        self.next_id = 0
        self.buffer = b""

    def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return its response's payload; an error response raises."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.next_id += 1
        message = json.dumps({"message_id": self.next_id, "payload": payload})
        try:
            self.proc.stdin.write(base64.b64encode(message.encode("utf-8")) + b",")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise SearchError(f"search: Pagefind exited: {self.error_output()}") from None
        while b"," not in self.buffer:
            chunk = self.proc.stdout.read1(1 << 20)
            if not chunk:
                raise SearchError(f"search: Pagefind exited: {self.error_output()}")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b",")
        response = json.loads(base64.b64decode(raw))
        result: dict[str, Any] = response["payload"]
        if result.get("type") == "Error":
            raise SearchError(f"search: Pagefind: {result.get('message')}")
        return result

    def error_output(self) -> str:
        """What the service wrote to stderr, for an error message."""
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace").strip() or "no message"

    def close(self) -> None:
        """Stop the service."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.stderr.close()


def pagefind_files(records: Iterable[SearchRecord], language: str) -> list[Output]:
    """Run Pagefind over `records` and return its bundle as Outputs under `pagefind/`,
    sorted by path. Every record goes into one index in the site's `language`."""
    service = Pagefind()
    try:
        # One index for the whole site: an English article in an Arabic digest is still
        # found from the Arabic search page (Pagefind otherwise splits indexes by language).
        config = {"force_language": language.split("-")[0]}
        index_id = service.send({"type": "NewIndex", "config": config})["index_id"]
        for r in records:
            service.send({"type": "AddFile", "index_id": index_id, "url": r.url,
                          "file_path": None, "file_contents": r.html()})
        files = service.send({"type": "GetFiles", "index_id": index_id})["files"]
    finally:
        service.close()
    return sorted((Output(BUNDLE_DIR + f["path"], base64.b64decode(f["content"])) for f in files
                   if not UNUSED.match(f["path"])), key=lambda o: o.path)


def search_outputs(site: Site, bodies: Mapping[str, Body], page: PageRenderer,
                   html_of: Callable[[Body], str] | None = None, *,
                   defer: Callable[[], Callable[[Body], str]] | None = None,
                   deferred: list["BundleJob"] | None = None,
                   published: str | None = None) -> tuple[list[Output], str | None]:
    """The search stage: the search page (rendered by `page`, the render stage's page
    renderer) and the Pagefind bundle for `site`; nothing when `search = false`. Returns
    them with the key of the bundle the output folder is to hold (None without search).

    `published`: the key of the bundle the output folder holds, intact. When the site still
    wants that one, it is neither read from the cache nor returned: the caller keeps its files.

    `html_of` gives a body's HTML when the build cache holds it apart (default: Body.html).
    Pagefind indexes from scratch, so the bundle is kept in the cache folder by a digest of
    everything it depends on, and only redone when an article's title, URL or text changed.

    With `deferred` (a list), a bundle that is not in the cache is not made: the outputs
    hold the search page only, and a BundleJob that makes the bundle is appended to
    `deferred` (`defer` gives it a body's HTML, usable after the build). The dev server runs
    the job when the editor is idle, so a save never waits for Pagefind."""
    config: Config = site.config
    if not config.search:
        return [], None
    search_page = page("search.html", SEARCH_PAGE, title=SEARCH_TITLE)
    outputs = [search_page] if search_page is not None else []
    key = _bundle_key(site, bodies)
    if key == published:
        return outputs, key
    bundle = cached_bundle(config, key)
    if bundle is not None:
        return outputs + bundle, key
    if deferred is not None:
        get_html = defer() if defer is not None else html_of or (lambda body: body.html)
        deferred.append(BundleJob(config, key, [(a, bodies[a.slug]) for a in site.articles], get_html))
        return outputs, published  # the folder keeps the bundle it has, one edit behind
    get_html = html_of or (lambda body: body.html)
    records = [SearchRecord.of(a, get_html(bodies[a.slug])) for a in site.articles]
    return outputs + make_bundle(config, key, records), key


def cached_bundle(config: Config, key: str) -> list[Output] | None:
    """The bundle of digest `key` (see `_bundle_key`) from the cache folder, or None (also
    when the file is damaged: its checksum, see `cache.unseal`, says so in a warning)."""
    path = config.cache_dir / "search" / f"{key}.pickle"
    try:
        payload = unseal(path.read_bytes(), path)
    except OSError:
        return None
    if payload is None:
        return None
    try:
        outputs: list[Output] = pickle.loads(payload)
        return outputs
    except Exception:  # noqa: BLE001 - written by another version: made again
        return None


def make_bundle(config: Config, key: str, records: Iterable[SearchRecord]) -> list[Output]:
    """Run Pagefind over `records` and keep the bundle in the cache folder under `key` (the
    only one kept: it replaces the bundles of other keys)."""
    folder = config.cache_dir / "search"
    cached = folder / f"{key}.pickle"
    outputs = pagefind_files(records, config.language)
    try:
        atomic_write(cached, seal(pickle.dumps(outputs, protocol=5)))
        for old in folder.glob("*.pickle"):
            if old != cached:
                old.unlink(missing_ok=True)
    except OSError as e:  # a cache that cannot be written only costs time
        log.debug("search: cache not written: %s", e)
    return outputs


@dataclass
class BundleJob:
    """The Pagefind bundle a build left for later: `run()` makes it and puts it in the cache
    folder, where the next build with the same articles finds it by key. Holds no build
    state, so it can run on another thread while builds go on."""

    config: Config
    """The build's configuration (cache folder, language)."""
    key: str
    """The bundle's digest (`_bundle_key`)."""
    articles: list[tuple[Article, Body]]
    """The site's articles, in site order, with their bodies."""
    html_of: Callable[[Body], str]
    """A body's HTML."""

    def run(self) -> None:
        """Make the bundle (unless it is in the cache already); SearchError on failure."""
        if cached_bundle(self.config, self.key) is not None:
            return
        records = [SearchRecord.of(a, self.html_of(body)) for a, body in self.articles]
        make_bundle(self.config, self.key, records)


def _bundle_key(site: Site, bodies: Mapping[str, Body]) -> str:
    """Digest of what the bundle depends on: this module's code, the Pagefind version, the
    site's language, and each article's slug, title and body text, in site order."""
    h = hashlib.sha256()
    h.update(_code_key().encode())
    h.update(site.config.language.encode())
    for a in site.articles:
        body = bodies[a.slug]
        # The body's text is fixed by its Markdown (Body.key); links only change hrefs.
        text_key = body.key or hashlib.sha256(body.html.encode("utf-8")).hexdigest()
        h.update(f"\0{a.slug}\0{a.title}\0{text_key}".encode("utf-8"))
    return h.hexdigest()[:32]


@functools.lru_cache(maxsize=1)
def _code_key() -> str:
    """This module's code and the Pagefind version (once per process: the code that runs
    is the code that was imported)."""
    import importlib.metadata  # here: the import is 7 ms of every build's start-up

    try:
        version = importlib.metadata.version("pagefind_bin")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest() + version


# --- Google News sitemap ------------------------------------------------------------------
NEWS_DAYS = 2
"""A Google News sitemap lists the articles of the last two days."""


def news_reference_day(site: Site) -> datetime.date | None:
    """The day the news sitemap counts back from: SOURCE_DATE_EPOCH's (UTC) when it is set,
    else the newest article's date, so two builds of the same inputs give the same file.
    None when neither exists."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
    # The site is in date order, newest first, undated last: the first date is the newest.
    return next((a.date for a in site.articles if a.date), None)


def news_sitemap(site: Site) -> list[Output]:
    """`news-sitemap.xml`: the articles dated on the reference day or the day before (Google
    News takes articles of the last two days), newest first; no file when there is none."""
    from sitegen.render import abs_url, article_path, xml_escape

    day = news_reference_day(site)
    if day is None:
        return []
    first = day - datetime.timedelta(days=NEWS_DAYS - 1)
    recent = []
    for a in site.articles:  # newest first, undated last: stop at the first one too old
        if a.date is None or a.date < first:
            break
        if a.date <= day:
            recent.append(a)
    if not recent:
        return []
    cfg = site.config
    name = xml_escape(cfg.title)
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">']
    for a in recent:
        assert a.date is not None
        lines.append(
            f"<url><loc>{xml_escape(abs_url(cfg, article_path(a.slug)))}</loc>"
            f"<news:news><news:publication><news:name>{name}</news:name>"
            f"<news:language>{xml_escape(news_language(a.lang or cfg.language))}</news:language>"
            f"</news:publication><news:publication_date>{a.date.isoformat()}</news:publication_date>"
            f"<news:title>{xml_escape(a.title)}</news:title></news:news></url>")
    lines.append("</urlset>\n")
    return [Output(NEWS_SITEMAP, "\n".join(lines).encode("utf-8"))]


NEWS_SITEMAP = "news-sitemap.xml"
"""The Google News sitemap's name, beside sitemap.xml (robots.txt lists both)."""


def news_language(tag: str) -> str:
    """The language code Google News wants: ISO 639 (`ar`), but zh-cn / zh-tw for Chinese."""
    primary, _, region = tag.lower().partition("-")
    return f"zh-{'tw' if region in ('tw', 'hk', 'hant') else 'cn'}" if primary == "zh" else primary
