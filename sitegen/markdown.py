"""Markdown → HTML: one configured Python-Markdown instance, reset per document, with a
treeprocessor that turns links to other content files into those articles' URLs."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from sitegen import images, markdown_shortcuts
from sitegen.errors import SourceError
from sitegen.i18n import isolate_latin_html, plain_references
from sitegen.model import Article, Body, Site

S = TypeVar("S")
"""What `convert_all` is given for each body: its text, or what it reads the text from."""


def link_targets(site: Site) -> dict[str, str]:
    """Every name a Markdown link may use for an article → its slug: the slug, and the
    content file's name with and without `.md`."""
    # The first article (in site order) to claim a name keeps it: built from the last
    # article back, so that an earlier article's assignment overwrites a later one's
    # (cheaper than setdefault on every name).
    # Names in NFC, as the rewriter looks them up: a file saved on macOS has a decomposed
    # (NFD) name, a link typed elsewhere a composed one, and both mean the same file.
    return {name: a.slug for a in reversed(site.articles)
            for stem in (_nfc(a.path.rpartition("/")[2].removesuffix(".md")),)
            for key in (_nfc(a.slug),)
            for name in (key, stem, stem + ".md", key + ".md")}


def _nfc(text: str) -> str:
    """`text` in Unicode normal form C (most names already are: checked first, cheaply)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


class _LinkRewriter(Treeprocessor):
    """Rewrites `[x](other.md)` and `[x](slug)` to the article's URL and records them, and
    puts root-relative links and images (`/static/a.jpg`) under base_url's sub-path, as the
    theme's own links are."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.targets: Mapping[str, str] = {}
        self.url_for: Callable[[str], str] = lambda slug: slug
        self.base_path = "/"
        self.found: list[str] = []
        self.unresolved: list[str] = []
        self.lookups: dict[str, str | None] = {}

    def run(self, root: etree.Element) -> None:
        if self.base_path != "/":
            for el, attr in [*((a, "href") for a in root.iter("a")), *((i, "src") for i in root.iter("img"))]:
                value = el.get(attr)
                # `/x` is the site's root; `//host/x` is another host.
                if value and value.startswith("/") and not value.startswith("//"):
                    el.set(attr, self.base_path + value[1:])
        for a in root.iter("a"):
            href = a.get("href")
            if not href or href.startswith(("#", "/")):
                continue
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            path = unquote(parts.path).removeprefix("./").rstrip("/")
            name = _nfc(path.rsplit("/", 1)[-1])
            slug = self.targets.get(name)
            # Everything the output depends on besides the text: the build cache re-checks it.
            self.lookups[name] = slug
            if slug is None:
                # A content file, or a bare name (no folder, no extension): what a link to
                # an article looks like, so a typo in it is reported, not left dead.
                if name.endswith(".md") or (name and "/" not in path and "." not in name):
                    self.unresolved.append(href)
                continue
            a.set("href", self.url_for(slug) + (f"#{parts.fragment}" if parts.fragment else ""))
            self.found.append(slug)


class _ImageRewriter(Treeprocessor):
    """Images hook (sitegen.images): gives images of static/images/ their WebP sizes, box
    size and lazy loading, a lone one a <figure>; notes those without alt text or file."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.found: Mapping[str, images.Picture] = {}
        self.base_path = "/"
        self.lookups: dict[str, str | None] = {}
        self.notes: list[tuple[str, str]] = []

    def run(self, root: etree.Element) -> None:
        images.markdown_images(root, self.found, self.base_path, self.lookups, self.notes)


def _line_of(text: str, href: str) -> int:
    """The 1-based line of `text` where the link target `href` is written (`](href`, or a
    reference definition `]: href`); 0 when it cannot be found (an escaped spelling)."""
    for written in (f"]({href}", f"]: {href}", f"(<{href}>", href):
        at = text.find(written)
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return 0


class MarkdownRenderer:
    """Converts article bodies. Holds one Markdown instance: create one per process.

    `fast_paths=False` turns off the shortcuts that skip work which cannot change the output
    (for the tests that prove it)."""

    def __init__(self, fast_paths: bool = True) -> None:
        self.md = markdown.Markdown(
            extensions=["toc", "tables", "footnotes", "attr_list", "sane_lists"],
            extension_configs={
                "toc": {"slugify": slugify_unicode},
                # The back-link's tooltip is read by Arabic readers ("%d" is the number).
                "footnotes": {"BACKLINK_TITLE": "العودة إلى موضع الحاشية %d في النص"},
            },
            output_format="html",
        )
        self.rewriter = _LinkRewriter(self.md)
        # After inline processing (priority 20) so links exist, before prettify (10).
        self.md.treeprocessors.register(self.rewriter, "sitegen_links", 15)
        # After the links' (root-relative sources are under base_path by then).
        self.images = _ImageRewriter(self.md)
        self.md.treeprocessors.register(self.images, "sitegen_images", 14)
        if not fast_paths:
            return
        markdown_shortcuts.install(self.md)

    def convert(self, text: str, targets: Mapping[str, str], url_for: Callable[[str], str],
                base_path: str = "/", pictures: Mapping[str, images.Picture] | None = None) -> Body:
        """Render `text`; links naming a key of `targets` point to `url_for(slug)`;
        root-relative links and images go under `base_path` (base_url's path, e.g.
        '/digest/'); images of `pictures` get their WebP sizes (sitegen.images); Latin runs
        in Arabic text are isolated in <bdi>. `lookups` then holds every name looked up."""
        self.md.reset()
        self.rewriter.targets, self.rewriter.url_for = targets, url_for
        self.rewriter.base_path = base_path
        self.rewriter.found, self.rewriter.unresolved, self.rewriter.lookups = [], [], {}
        self.images.found, self.images.base_path = pictures or {}, base_path
        self.images.lookups, self.images.notes = self.rewriter.lookups, []
        html = self.md.convert(text)
        html = isolate_latin_html(plain_references(html))
        toc = tuple(_flatten(getattr(self.md, "toc_tokens", [])))
        unresolved = tuple(dict.fromkeys(self.rewriter.unresolved))
        return Body(html=html, toc=toc, links=tuple(dict.fromkeys(self.rewriter.found)),
                    unresolved=unresolved,
                    unresolved_lines=tuple(_line_of(text, href) for href in unresolved),
                    image_notes=tuple((_line_of(text, src), note) for src, note in self.images.notes))


def _flatten(tokens: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    for t in tokens:
        out.append((int(t["level"]), str(t["id"]), str(t["name"])))
        out.extend(_flatten(t.get("children", [])))
    return out


def render_bodies(site: Site, url_for: Callable[[str], str],
                  articles: tuple[Article, ...] | None = None,
                  pictures: images.Pictures = images.NO_PICTURES) -> dict[str, Body]:
    """Slug → rendered body for `articles` (default: all of the site's)."""
    renderer = MarkdownRenderer()
    targets = link_targets(site)
    return {a.slug: renderer.convert(a.body, targets, url_for, site.config.base_path, pictures.found)
            for a in (site.articles if articles is None else articles)}


PARALLEL_MIN = 64
"""Fewer bodies than this are converted in this process: starting workers costs more."""
CHUNK = 32
"""Bodies per task sent to a worker."""

_pool_job: tuple[Sequence[Any], Callable[[Any], str], Mapping[str, str], Callable[[str], str], str,
                Mapping[str, images.Picture]] | None = None
"""The work of a pool's worker process, set there by `_start_worker` (never in the process
that starts the pool): the sources, text_of, link targets, url_for, base path and pictures."""
_pool_renderer: MarkdownRenderer | None = None
"""A pool worker process's converter (never set in the process that starts the pool)."""

Converted = tuple[Body, dict[str, str | None]] | SourceError
"""A body and its link lookups, or the SourceError that stopped reading its text."""


def _start_worker(sources: Sequence[Any], text_of: Callable[[Any], str], targets: Mapping[str, str],
                  url_for: Callable[[str], str], base_path: str,
                  pictures: Mapping[str, images.Picture]) -> None:
    """A pool worker's initializer. The pool forks: its arguments are inherited, not
    pickled (url_for is a closure)."""
    global _pool_job, _pool_renderer
    _pool_job = (sources, text_of, targets, url_for, base_path, pictures)
    _pool_renderer = MarkdownRenderer()


def _convert_in_worker(bounds: tuple[int, int]) -> list[Converted]:
    """The results of the pool's sources[bounds[0]:bounds[1]], in a worker: each text read
    here (`text_of`), so that the process that started the pool need not hold them."""
    assert _pool_job is not None and _pool_renderer is not None
    sources, text_of, targets, url_for, base_path, pictures = _pool_job
    return _convert(_pool_renderer, sources[bounds[0]:bounds[1]], text_of, targets, url_for,
                    base_path, pictures)


def _convert(renderer: MarkdownRenderer, sources: Sequence[S], text_of: Callable[[S], str],
             targets: Mapping[str, str], url_for: Callable[[str], str], base_path: str,
             pictures: Mapping[str, images.Picture]) -> list[Converted]:
    """(body, link lookups) of each source's text, by `renderer`; the SourceError instead
    when `text_of` raised one (the others still converted)."""
    out: list[Converted] = []
    for source in sources:
        try:
            text = text_of(source)
        except SourceError as e:
            out.append(e)
            continue
        body = renderer.convert(text, targets, url_for, base_path, pictures)
        out.append((body, dict(renderer.rewriter.lookups)))
    return out


def convert_all(sources: Sequence[S], text_of: Callable[[S], str], targets: Mapping[str, str],
                url_for: Callable[[str], str], base_path: str = "/",
                here: Callable[[], MarkdownRenderer] = MarkdownRenderer,
                pictures: Mapping[str, images.Picture] | None = None) -> Iterator[Converted]:
    """(body, link lookups) for the Markdown text of each source (`text_of(source)`, which
    may raise SourceError: that error comes instead), in order: in a pool of forked workers
    (one per core) when there are many, the platform forks and this process runs no other
    thread; else here, by `here()`. Same results either way: each conversion depends only
    on its text and `targets`. The workers call `text_of` themselves: a text read from its
    file there never exists in this process (a worker touching a text this process holds
    would copy its pages)."""
    import multiprocessing
    import os
    import threading

    workers = min(os.cpu_count() or 1, max(1, len(sources) // CHUNK))
    # Forking a process that runs other threads (the dev server's) can copy a lock some
    # thread holds and hang the child: there, convert here.
    if (len(sources) < PARALLEL_MIN or workers < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        yield from _convert(here(), sources, text_of, targets, url_for, base_path, pictures or {})
        return
    chunks = [(i, min(i + CHUNK, len(sources))) for i in range(0, len(sources), CHUNK)]
    with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker,
                                                  initargs=(sources, text_of, targets, url_for,
                                                            base_path, pictures or {})) as pool:
        for part in pool.imap(_convert_in_worker, chunks):
            yield from part
