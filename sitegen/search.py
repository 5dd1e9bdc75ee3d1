"""The search stage: a Pagefind index of every article, split into shards, built as Outputs
under `pagefind/`, so the build's atomic write covers it.

Pagefind by itself matches أحمد/احمد and ignores diacritics, but not الإیرانی/الإيراني,
فی/في or ۲۰۲۶/2026. So what Pagefind indexes is sitegen's own matching key, `fold()`ed, word
by word, and the search page folds the query with the same rules (a port of `fold` in the
theme's search.js). Readers never see folded text: beside each shard's index, one spelling
file per article (`spelling/<id>.pf_spelling`, gzipped JSON) holds the original words that
differ from the indexed ones, and the search page builds the excerpt from Pagefind's
(folded) content and that file around Pagefind's match locations. The spelling is not in Pagefind's meta, where
Pagefind would index it a second time.

Pagefind cannot update an index, but its browser API merges several (`mergeIndex`). Each
article goes, by a stable hash of its slug, to one of `shard_count` shards, each its own
Pagefind bundle in `pagefind/shard-<n>/`; `pagefind/shards.json` lists them for the search
page. A shard is keyed by a digest of its records, kept in the cache folder under that key,
and indexed again only when one of its articles changed.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import html
import json
import logging
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sitegen import memory
from sitegen.arabic import fold
from sitegen.incremental.sealed import seal, unseal
from sitegen.config import Config
from sitegen.errors import SearchError
from sitegen.fsutil import atomic_write
from sitegen.model import Article, Body, Output, Site

if TYPE_CHECKING:
    from sitegen.incremental.store import BodyPack

log = logging.getLogger(__name__)

SEARCH_PAGE = "search/"
"""The search page's folder; the masthead's search box sends `?q=` there."""
SEARCH_TITLE = "البحث"
"""The search page's title."""

BUNDLE_DIR = "pagefind/"
"""Where the index goes in the output folder: one folder per shard, and the shard list."""
MANIFEST = BUNDLE_DIR + "shards.json"
"""`{"shards": ["shard-0/", …]}`: the shard folders, relative to BUNDLE_DIR; search.js
imports Pagefind from the first and merges the others."""

SHARD_SIZE = 250
"""The most articles a shard holds on average: a site of n articles has the least power of
two of shards ≥ n / SHARD_SIZE. One edit re-indexes one shard (at most ~2 × SHARD_SIZE / 2
articles, about a second); the search page loads two small files per shard."""

UNUSED = re.compile(r"^pagefind-(?:ui|modular-ui|component-ui|highlight)\.")
"""Pagefind's own UI bundles: the theme has its own search page, so they are not published."""
RUNTIME = re.compile(r"^(?:pagefind\.js|pagefind-worker\.js|wasm\.[\w-]+\.pagefind)$")
"""Pagefind's JavaScript and WebAssembly: the same in every shard, and loaded only from the
first (a merged index is searched with the first one's WebAssembly), so only it has them."""

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
    date: str = ""
    """The publication date as the site shows it (config `locale`, `numerals`); '' if none."""
    source: str = ""
    """The outlet, as in the article's front matter; '' if unknown."""
    iso: str = ""
    """The publication date as YYYY-MM-DD; '' if none."""

    @classmethod
    def of(cls, a: Article, body_html: str, config: Config | None = None) -> "SearchRecord":
        """The search record of article `a`, whose body renders to `body_html` (its date
        formatted for `config`'s locale and numerals)."""
        title_idx, title_shown = fold_words(a.title)
        body_idx, body_shown = fold_words(html_text(body_html))
        date = ""
        if a.date is not None and config is not None:
            from sitegen.i18n import format_date

            date = format_date(a.date, config.locale, config.numerals)
        return cls(url="/" + quote(f"articles/{a.slug}/"), title=a.title,
                   indexed=tuple(title_idx + body_idx), shown=tuple(title_shown + body_shown),
                   title_words=len(title_idx), date=date, source=a.source,
                   iso=a.date.isoformat() if a.date is not None else "")

    @property
    def spelling_id(self) -> str:
        """The name of this record's spelling file in its shard's `spelling/` folder."""
        return hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:20]

    def html(self, spelling: str = "") -> str:
        """A minimal page for Pagefind: the folded title as the <h1> (Pagefind ranks heading
        words above body words), the folded body as one paragraph; the original title, the
        date (shown and ISO), the source and `spelling` (the spelling file's path under
        BUNDLE_DIR) as meta."""
        head = " ".join(self.indexed[:self.title_words])
        body = " ".join(self.indexed[self.title_words:])
        meta = {"title": self.title, "date": self.date, "iso": self.iso, "source": self.source,
                "spelling": spelling}
        tags = "".join(f'<meta data-pagefind-meta="{k}[content]" content="{html.escape(v)}">'
                       for k, v in meta.items() if v)
        return (f"<!DOCTYPE html><html><head>{tags}</head><body>"
                f"<h1>{html.escape(head)}</h1><p>{html.escape(body)}</p></body></html>")

    def spelling(self) -> bytes:
        """The spelling file, gzipped JSON: `{"title_words": n, "patch": [run, word, run,
        word, …, run]}`, read as: keep `run` words of Pagefind's content, then show `word`
        instead of the next one, and so on. It lists every word whose shown spelling is not
        the indexed one, and the last word of the title and of the body whatever they are
        (Pagefind ends each block of its content with a full stop of its own)."""
        last = {self.title_words - 1, len(self.indexed) - 1}
        patch: list[int | str] = []
        run = 0
        for i, (indexed, shown) in enumerate(zip(self.indexed, self.shown)):
            if indexed == shown and i not in last:
                run += 1
                continue
            patch += [run, shown]
            run = 0
        patch.append(run)
        data = json.dumps({"title_words": self.title_words, "patch": patch},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # A third of the size (these are most of a bundle), named like Pagefind's own gzipped
        # files, not `.gz`: that would read as the precompressed copy of a file (config
        # `compress`), and some hosts would serve it with Content-Encoding.
        return gzip.compress(data, mtime=0)


def apply_spelling(content: str, spelling: bytes) -> list[str]:
    """The shown words of a record, from Pagefind's content and the record's spelling file
    (as search.js reads them)."""
    words = content.split()
    patch = json.loads(gzip.decompress(spelling))["patch"]
    at = 0
    for i in range(0, len(patch) - 1, 2):
        at += patch[i]
        words[at] = patch[i + 1]
        at += 1
    return words


@functools.lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    """fold(word), memoised: an article's words are mostly words seen before."""
    return fold(word)


def fold_words(text: str) -> tuple[list[str], list[str]]:
    """(indexed, shown): `text`'s words folded, and each one's original spelling.

    One folded word per original word, so Pagefind's word positions index the original
    words too. A word that folds to nothing (a lone tatweel or diacritic) is shown with the
    word before it; a word that folds to several (ﷺ) shows once, on the first of them."""
    indexed: list[str] = []
    shown: list[str] = []
    pending = ""
    for word in text.split():
        key = _fold_word(word)
        if not key:
            if shown:
                shown[-1] += " " + word
            else:
                pending += word + " "
            continue
        if " " in key:
            parts = key.split(" ")
            indexed += parts
            shown += [pending + word] + [""] * (len(parts) - 1)
        else:
            indexed.append(key)
            shown.append(pending + word)
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


# --- shards ---------------------------------------------------------------------------------
def shard_count(articles: int) -> int:
    """How many shards a site of `articles` articles is split into: the least power of two
    with at most SHARD_SIZE articles per shard on average (a power of two, so the count, and
    with it every shard, changes only when the site doubles or halves)."""
    count = 1
    while articles > count * SHARD_SIZE:
        count *= 2
    return count


def shard_of(slug: str, count: int) -> int:
    """The shard (0 … count-1) of the article `slug`: a stable hash, so an article stays in
    its shard from build to build, and the shards are about equal."""
    return int.from_bytes(hashlib.blake2b(slug.encode("utf-8"), digest_size=8).digest(), "big") % count


@dataclass(frozen=True)
class Shard:
    """One Pagefind bundle of the site's index: some of its articles, in site order."""

    number: int
    """The shard's number; its folder is `pagefind/shard-<number>/`."""
    key: str
    """Digest of everything its files depend on (see `plan_shards`)."""
    articles: tuple[tuple[Article, Body], ...]
    """Its articles with their bodies, in site order."""
    primary: bool
    """The first shard of the site: it alone carries Pagefind's JavaScript and WebAssembly."""

    @property
    def folder(self) -> str:
        """Its folder in the output folder, e.g. `pagefind/shard-3/`."""
        return f"{BUNDLE_DIR}shard-{self.number}/"


def plan_shards(site: Site, bodies: Mapping[str, Body]) -> list[Shard]:
    """The site's shards that hold articles, by number. A shard's key covers this module's
    code, the Pagefind version, the config that reaches its records (language, locale,
    numerals), whether it is the primary, and each of its articles' slug, title, date,
    source and body text."""
    config = site.config
    count = shard_count(len(site.articles))
    members: dict[int, list[tuple[Article, Body]]] = {}
    for a in site.articles:
        members.setdefault(shard_of(a.slug, count), []).append((a, bodies[a.slug]))
    shards = []
    for number in sorted(members):
        h = hashlib.sha256()
        h.update(f"{_code_key()}\0{config.language}\0{config.locale}\0{config.numerals}\0"
                 f"{number}\0{not shards}".encode("utf-8"))
        for a, body in members[number]:
            # The body's text is fixed by its Markdown (Body.key); links only change hrefs.
            text_key = body.key or hashlib.sha256(body.html.encode("utf-8")).hexdigest()
            h.update(f"\0{a.slug}\0{a.title}\0{a.date}\0{a.source}\0{text_key}".encode("utf-8"))
        shards.append(Shard(number, h.hexdigest()[:32], tuple(members[number]), primary=not shards))
    return shards


def intact_shards(keys: Mapping[str, str] | None, intact: Callable[[str], bool],
                  files: Iterable[str]) -> dict[str, str]:
    """The shard folders of the output folder whose files are all as the last build wrote
    them (`intact(path)`), with their keys. `keys`: the last build's (folder → key);
    `files`: the output files the last build recorded."""
    if not keys:
        return {}
    broken = {path[:path.index("/", len(BUNDLE_DIR)) + 1] for path in files
              if path.startswith(BUNDLE_DIR) and path.count("/") > 1 and not intact(path)}
    return {folder: key for folder, key in keys.items() if folder not in broken}


@dataclass
class SearchOutputs:
    """What the search stage gives the build."""

    outputs: Iterator[Output]
    """The search page, the shard list and the files of every shard that changed, made as
    they are read (a shard is indexed when its files are asked for)."""
    shards: dict[str, str] = field(default_factory=dict)
    """The shard folders the output folder is to hold, with their keys."""
    kept: list[str] = field(default_factory=list)
    """Shard folders whose files stay as they are in the output folder."""


EARLY_SHARDS = 4
"""The most shards `index_early` indexes while the build renders (an edit's one or two);
a site indexed whole (a cold build) is indexed as its files are staged, a shard at a time."""


class EarlyIndex:
    """The site's shards, and those of them Pagefind was missing, being indexed into the
    cache folder on a thread while the build goes on (`index_early`); `search_outputs`
    waits for it, then finds them in the cache."""

    def __init__(self, shards: list[Shard], job: "BundleJob | None") -> None:
        self.shards = shards
        """The site's shards (plan_shards)."""
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if job is not None:
            self._thread = threading.Thread(target=self._run, args=(job,), name="pagefind-early",
                                            daemon=True)
            self._thread.start()

    def _run(self, job: "BundleJob") -> None:
        try:
            job.run()
        except BaseException as e:  # noqa: BLE001 - raised again by `wait`, in the build
            self._error = e

    def wait(self) -> None:
        """Wait for the indexing; raise what it raised (a SearchError, CacheDamaged)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            if self._error is not None:
                raise self._error


def index_early(site: Site, bodies: Mapping[str, Body], pack: Callable[[], BodyPack],
                published: Mapping[str, str] | None = None) -> EarlyIndex | None:
    """Plan the site's shards and, when at most EARLY_SHARDS of them are neither in the
    output folder (`published`, as for `search_outputs`) nor in the cache folder, start
    indexing those on a thread (`pack()`: where the bodies' HTML is), so that
    Pagefind works while the build renders and writes: pass the result to `search_outputs`.
    None when `search = false`."""
    config: Config = site.config
    if not config.search:
        return None
    published = published or {}
    shards = plan_shards(site, bodies)
    missing = [s for s in shards if published.get(s.folder) != s.key and not _cache_path(config, s.key).exists()]
    job = None
    if 0 < len(missing) <= EARLY_SHARDS:
        job = BundleJob.of(config, missing, pack(), shards)
    return EarlyIndex(shards, job)


def search_outputs(site: Site, bodies: Mapping[str, Body], page: PageRenderer,
                   html_of: Callable[[Body], str] | None = None, *,
                   defer: Callable[[], BodyPack] | None = None,
                   deferred: list["BundleJob"] | None = None,
                   published: Mapping[str, str] | None = None,
                   early: EarlyIndex | None = None) -> SearchOutputs:
    """The search stage: the search page (rendered by `page`, the render stage's page
    renderer), the shard list and the Pagefind shards for `site`; nothing when
    `search = false`.

    `published`: the shard folders the output folder holds, intact, with their keys. A shard
    the site still wants as it is is neither read from the cache nor returned: the caller
    keeps its files (`SearchOutputs.kept`). Any other shard comes from the cache folder, or
    is indexed by Pagefind (and put in the cache).

    `html_of` gives a body's HTML when the build cache holds it apart (default: Body.html).

    With `deferred` (a list) and `defer` (where the bodies' HTML is, usable after the
    build), shards that are not in the cache are not indexed: the output folder keeps their
    published version, and a BundleJob that indexes them is appended to `deferred`. The dev
    server runs the job when the editor is idle, so a save never waits for Pagefind.

    `early`: what `index_early` started for this site and these bodies (its shards, and
    those it indexes into the cache folder meanwhile)."""
    config: Config = site.config
    if not config.search:
        return SearchOutputs(iter(()))
    published = published or {}
    search_page = page("search.html", SEARCH_PAGE, title=SEARCH_TITLE)
    shards = early.shards if early is not None else plan_shards(site, bodies)
    keys = {s.folder: s.key for s in shards}
    kept = [s.folder for s in shards if published.get(s.folder) == s.key]
    todo = [s for s in shards if published.get(s.folder) != s.key]
    get_html = html_of or (lambda body: body.html)
    if deferred is not None and defer is not None:
        missing = [s for s in todo if not _cache_path(config, s.key).exists()]
        if missing:
            deferred.append(BundleJob.of(config, missing, defer(), shards))
            todo = [s for s in todo if s not in missing]
            for s in missing:  # the folder keeps the shard it has, one edit behind
                if s.folder in published:
                    kept.append(s.folder)
                    keys[s.folder] = published[s.folder]
                else:
                    del keys[s.folder]
    manifest = {"shards": sorted((f[len(BUNDLE_DIR):] for f in keys),
                                 key=lambda f: int(f.removeprefix("shard-").rstrip("/")))}
    head = [search_page] if search_page is not None else []
    head.append(Output(MANIFEST, json.dumps(manifest, separators=(",", ":")).encode("utf-8")))

    def outputs() -> Iterator[Output]:
        yield from head
        if early is not None:
            early.wait()
        for shard, files in shard_files(config, todo, get_html, total=len(shards)):
            yield from (Output(shard.folder + path, data) for path, data in files)
        if deferred is None or not deferred:
            prune_cache(config, {s.key for s in shards})

    return SearchOutputs(outputs(), keys, kept)


ShardFiles = list[tuple[str, bytes]]
"""A shard's files: (path inside its folder, bytes), sorted by path."""


def shard_files(config: Config, shards: list[Shard], html_of: Callable[[Body], str], *,
                total: int) -> Iterator[tuple[Shard, ShardFiles]]:
    """The files of each of `shards` (in order): from the cache folder, else indexed by
    Pagefind and put there. `total`: the site's shard count, for messages."""
    todo = []
    for shard in shards:
        files = cached_bundle(config, shard.key)
        if files is None:
            todo.append(shard)
        else:
            yield shard, files
    if not todo:
        return
    start = time.perf_counter()
    for done, (shard, files) in enumerate(index_shards(config, todo, html_of), 1):
        _progress(f"search: indexed shard {done} of {len(todo)}", done == len(todo))
        try:
            atomic_write(_cache_path(config, shard.key), seal(pickle.dumps(files, protocol=5)))
        except OSError as e:  # a cache that cannot be written only costs time
            log.debug("search: cache not written: %s", e)
        yield shard, files
    log.info("search: re-indexed %d of %d shard%s in %.1f s", len(todo), total,
             "" if total == 1 else "s", time.perf_counter() - start)


def _progress(text: str, last: bool) -> None:
    """A count that overwrites itself on a terminal (stderr), and nothing when stderr is not
    one or messages are off (`-q`)."""
    if not log.isEnabledFor(logging.INFO) or not sys.stderr.isatty():
        return
    sys.stderr.write(f"\r{text}\x1b[K" + ("\r\x1b[K" if last else ""))
    sys.stderr.flush()


def _cache_path(config: Config, key: str) -> Path:
    return config.cache_dir / "search" / f"{key}.pickle"


def cached_bundle(config: Config, key: str) -> ShardFiles | None:
    """The files of the shard of digest `key` (see `plan_shards`) from the cache folder, or
    None (also when the file is damaged: its checksum, see `incremental.sealed.unseal`, says so in a
    warning)."""
    path = _cache_path(config, key)
    try:
        payload = unseal(path.read_bytes(), path)
    except OSError:
        return None
    if payload is None:
        return None
    try:
        files: ShardFiles = pickle.loads(payload)
        return files
    except Exception:  # noqa: BLE001 - written by another version: made again
        return None


def prune_cache(config: Config, keys: set[str]) -> None:
    """Remove the cached shards whose key is not in `keys`."""
    folder = config.cache_dir / "search"
    try:
        for old in folder.glob("*.pickle"):
            if old.stem not in keys:
                old.unlink(missing_ok=True)
    except OSError as e:
        log.debug("search: cache not pruned: %s", e)


def pagefind_binary() -> Path:
    """The pinned pagefind[bin] binary (PAGEFIND_BINARY_PATH overrides it), found where
    `pagefind.service.get_executable` finds it. The usual case (pagefind_bin's own binary)
    is found without importing pagefind.service, whose asyncio import every re-indexing
    build would otherwise pay at start-up."""
    import importlib.util

    if os.environ.get("PAGEFIND_BINARY_PATH") is None and importlib.util.find_spec("pagefind_bin_extended") is None:
        spec = importlib.util.find_spec("pagefind_bin")
        if spec is not None and spec.origin is not None:
            suffixes = ("", ".exe") if sys.platform == "win32" else ("",)
            for name in ("pagefind_extended", "pagefind"):
                for suffix in suffixes:
                    candidate = Path(spec.origin).parent / (name + suffix)
                    if candidate.is_file():
                        return candidate
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise SearchError("search: the Pagefind binary is missing; install pagefind[bin]")
    return Path(binary)


class PagefindService:
    """One Pagefind process in `--service` mode, indexing one shard from pages sent to it.

    The service reads requests on its stdin (each the base64 of a JSON object, then a comma)
    and handles them strictly one after another, so it numbers pages in the order they are
    sent. (Its command line numbers them in the order its directory walk meets the files,
    which is the file system's: creation order reversed on tmpfs, hashed on ext4; the
    bundle's bytes would then depend on where the cache folder is.) Its answers, framed the
    same way, are read on a thread as they come, so neither pipe fills and stalls the other
    side, whichever is ahead. The bundle comes back in the last answer (GetFiles), not in
    files: the service answers WriteFiles before its writes are done, and exits as soon as
    its stdin closes, cutting them short (files read empty). It takes about a fifth more CPU
    than the command line (each page is copied, and handed between its threads, more): the
    price of an order that is ours."""

    def __init__(self, binary: Path, language: str, name: str) -> None:
        # What it says on stderr (a panic) goes to a file: a pipe nobody reads could fill.
        self._stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self._stderr)
        except OSError as e:
            self._stderr.close()
            raise SearchError(f"search: cannot start Pagefind ({binary}): {e}") from None
        self.name = name
        """What it indexes, for messages ("shard 3")."""
        self._sent = 0
        self._error = ""
        """The first error Pagefind answered, or what it said when it stopped early."""
        self._bundle: ShardFiles | None = None
        """GetFiles' answer: the bundle's files, (path in its folder, bytes)."""
        self._answers = threading.Thread(target=self._read_answers, name="pagefind-answers", daemon=True)
        self._answers.start()
        # One index for the whole site: an English article in an Arabic digest is still found
        # from the Arabic search page (Pagefind otherwise splits indexes by language).
        self._send({"type": "NewIndex", "config": {"force_language": language.split("-")[0]}})

    def add_page(self, url: str, page: str) -> None:
        """Index `page` (HTML) as the page at `url` (kept as given)."""
        self._send({"type": "AddFile", "index_id": 0, "url": url, "file_contents": page})

    def ask_bundle(self) -> None:
        """Ask for the bundle of the pages sent so far (see `finish`)."""
        self._send({"type": "GetFiles", "index_id": 0})
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.flush()
        except OSError:  # it stopped: `finish` reports why
            pass

    def finish(self) -> ShardFiles:
        """Wait for the bundle and return its files; SearchError, on one line, when Pagefind
        failed."""
        self._answers.join()
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.close()
        except OSError:  # it stopped first: its exit status says why
            pass
        status = self.proc.wait()
        with self._stderr:
            self._stderr.seek(0)
            err = self._stderr.read().decode("utf-8", "replace")
        if self._bundle is not None and not self._error:
            return self._bundle
        message = self._error or err or f"it stopped before making the index (exit status {status})"
        message = " ".join(line.strip() for line in message.splitlines() if line.strip())
        raise SearchError(f"search: Pagefind failed on {self.name}: {message}")

    def kill(self) -> None:
        """Stop it (a build that failed elsewhere)."""
        self.proc.kill()
        self.proc.wait()
        self._stderr.close()  # (the answers' thread ends at the end of its pipe)
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:  # the unsent requests, which no one reads any more
                pass

    def _send(self, payload: dict[str, object]) -> None:
        assert self.proc.stdin is not None
        request = json.dumps({"message_id": self._sent, "payload": payload},
                             ensure_ascii=False, separators=(",", ":"))
        self._sent += 1
        try:
            self.proc.stdin.write(base64.b64encode(request.encode("utf-8")) + b",")
        except OSError:  # it stopped: `finish` reports why
            pass

    def _read_answers(self) -> None:
        """Read answers until the bundle or an error comes, or Pagefind stops."""
        assert self.proc.stdout is not None
        # An answer's pieces are joined once it is whole: joining each new piece to the ones
        # before would copy a bundle's answer (megabytes) once per 64 KiB read.
        pending: list[bytes] = []
        while chunk := self.proc.stdout.read1(1 << 16):
            *answers, rest = chunk.split(b",")
            if answers:
                answers[0] = b"".join((*pending, answers[0]))
                pending = []
            pending.append(rest)
            for framed in answers:
                try:
                    payload = json.loads(base64.b64decode(framed))["payload"]
                    kind = payload["type"]
                except (ValueError, KeyError, TypeError):
                    self._error = f"unreadable answer: {framed[:60]!r}"
                    return
                if kind == "Error":
                    self._error = str(payload.get("message") or "error")
                    return
                if kind == "GetFiles":
                    try:
                        self._bundle = [(str(f["path"]), base64.b64decode(f["content"]))
                                        for f in payload["files"]]
                    except (ValueError, KeyError, TypeError):
                        self._error = "unreadable bundle"
                    return


def start_pagefind(binary: Path, language: str, name: str) -> PagefindService:
    """Start a Pagefind service for an index in `language` (a BCP 47 tag) of `name` (for
    messages: "shard 3")."""
    return PagefindService(binary, language, name)


def index_shards(config: Config, shards: list[Shard], html_of: Callable[[Body], str],
                 jobs: int | None = None) -> Iterator[tuple[Shard, ShardFiles]]:
    """Index each of `shards` with Pagefind, in order. At most `jobs` Pagefind processes run
    at a time (default: two, or one on one core), each over one shard, while this process
    sends the next shard's pages: memory stays that of a few shards, whatever the site."""
    jobs = jobs or min(2, os.cpu_count() or 1)
    binary = pagefind_binary()
    running: deque[tuple[Shard, PagefindService, ShardFiles]] = deque()
    try:
        for shard in shards:
            pagefind = start_pagefind(binary, config.language, f"shard {shard.number}")
            try:
                spelling = _send_pages(config, shard, html_of, pagefind)
                pagefind.ask_bundle()
            except BaseException:
                pagefind.kill()
                raise
            running.append((shard, pagefind, spelling))
            while len(running) >= jobs:
                yield _finish(*running.popleft())
                # A bundle's answer is decoded on its reader's thread, whose C allocator's
                # arena keeps the megabytes once freed, one arena per thread alive at a time.
                memory.release()
        while running:
            yield _finish(*running.popleft())
    finally:
        for _shard, pagefind, _spelling in running:
            pagefind.kill()


_URL_SPECIAL = re.compile(r'[%?#\s"<>\\^`{|}\x00-\x1f\x7f]')
"""Characters of a slug that a URL path must not hold as they are."""


def _send_pages(config: Config, shard: Shard, html_of: Callable[[Body], str],
                pagefind: PagefindService) -> ShardFiles:
    """Send `pagefind` the page of each of the shard's articles, in the shard's order (so the
    bundle's page numbers are the same wherever it is built), at the article's path (letters
    as they are, URL syntax percent-encoded: the URLs Pagefind gave pages written at the
    article's path, which the search page's links are made from); return the shard's
    spelling files."""
    spelling: ShardFiles = []
    for a, body in shard.articles:
        record = SearchRecord.of(a, html_of(body), config)
        name = f"spelling/{record.spelling_id}.pf_spelling"
        url = "/articles/" + _URL_SPECIAL.sub(lambda m: quote(m.group()), a.slug) + "/"
        pagefind.add_page(url, record.html(f"shard-{shard.number}/{name}"))
        spelling.append((name, record.spelling()))
    return spelling


def _finish(shard: Shard, pagefind: PagefindService, spelling: ShardFiles) -> tuple[Shard, ShardFiles]:
    """Wait for the bundle of `shard`; its files, with the spelling files."""
    files = [(path, data) for path, data in pagefind.finish()
             if not UNUSED.match(path) and (shard.primary or not RUNTIME.match(path))]
    return shard, sorted(files + spelling)


@dataclass
class BundleJob:
    """The shards a build left for later: `run()` indexes them and puts them in the cache
    folder, where the next build with the same articles finds them by key. A plain value
    (it pickles) holding no build state, so it can run on another thread, or elsewhere,
    while builds go on."""

    config: Config
    """The build's configuration (cache folder, language)."""
    shards: list[Shard]
    """The shards to index."""
    bodies: BodyPack
    """Where the HTML of the shards' bodies is (their `Body.html` is empty)."""
    total: int = 0
    """The site's shard count, for messages."""
    wanted: frozenset[str] = frozenset()
    """The keys of all the site's shards: the cache keeps those, and drops the others."""

    @classmethod
    def of(cls, config: Config, missing: list[Shard], pack: BodyPack, shards: list[Shard]) -> BundleJob:
        """The job indexing `missing`, of the site's `shards`, their bodies read from `pack`."""
        return cls(config, missing, pack.only(body.key for s in missing for _a, body in s.articles),
                   total=len(shards), wanted=frozenset(s.key for s in shards))

    def run(self) -> None:
        """Index the shards (those not in the cache already); SearchError on failure."""
        with self.bodies.reader() as html_of:
            for _shard, _files in shard_files(self.config, self.shards, html_of, total=self.total):
                pass
        prune_cache(self.config, set(self.wanted))


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
