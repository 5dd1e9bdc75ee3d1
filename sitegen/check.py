"""`sitegen check`: crawl the built site and report broken internal links and orphan pages
(pages no link reaches from the home page)."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from urllib.parse import unquote, urlsplit

from sitegen.config import Config
from sitegen.errors import SitegenError
from sitegen.fsutil import scan

log = logging.getLogger(__name__)

_URL_ATTRS = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
              ("source", "src"), ("iframe", "src"), ("form", "action")}
_SRCSET_TAGS = {"img", "source"}
"""Tags whose `srcset` lists image candidates (`url 480w, url 960w`): each URL is checked."""


@dataclass(frozen=True)
class CheckReport:
    """What a crawl of the output folder found."""

    pages: int
    """HTML pages in the output folder."""
    broken: list[tuple[str, str]]
    """(page, href) for every internal link whose target file, or the id its #fragment
    names, does not exist."""
    orphans: list[str]
    """HTML pages that no chain of links from the home page reaches (404.html excepted)."""


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (tag, name) in _URL_ATTRS:
                self.urls.append(value)
            elif value and name == "srcset" and tag in _SRCSET_TAGS:
                # Our srcset URLs hold no comma (sitegen.images names them), so a split on
                # commas, then whitespace, finds each candidate's URL.
                self.urls.extend(c.split()[0] for c in value.split(",") if c.strip())
            elif value and name == "id" or tag == "a" and name == "name" and value:
                self.ids.add(value)


def page_links(html: str) -> tuple[list[str], set[str]]:
    """Every href/src (and srcset candidate) in `html`, in order, and the ids a fragment can
    point to."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.urls, parser.ids


def _target(config: Config, page: str, href: str) -> str | None:
    """The output-relative file an internal `href` on `page` names; None for external links."""
    parts = urlsplit(href)
    if parts.scheme in ("mailto", "tel", "data", "javascript"):
        return None
    base = urlsplit(config.base_url)
    if parts.scheme or parts.netloc:
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
    path = unquote(parts.path)
    if not path:
        return page  # a fragment-only link: this page
    if path.startswith("/"):
        if not path.startswith(config.base_path):
            return "\0outside:" + path
        rel = path[len(config.base_path):]
    else:
        folder = page.rsplit("/", 1)[0] + "/" if "/" in page else ""
        rel = folder + path
    out: list[str] = []
    for seg in rel.split("/"):
        if seg == "..":
            if out:
                out.pop()
        elif seg not in ("", "."):
            out.append(seg)
    rel = "/".join(out)
    if not rel or path.endswith("/"):
        rel = (rel + "/" if rel else "") + "index.html"
    return rel


def _shown_path(path: Path, config: Config) -> str:
    """`path` relative to the project root when inside it, for messages."""
    try:
        return path.relative_to(config.root).as_posix() or "."
    except ValueError:
        return str(path)


def check_site(config: Config) -> CheckReport:
    """Crawl config.output_dir from index.html. Raises SitegenError when there is no built
    site to check (no folder, or no index.html): "0 pages, 0 broken" would pass a script."""
    root = config.output_dir
    shown = _shown_path(root, config)
    if not root.is_dir():
        raise SitegenError(f"{shown}: check: no built site here; run `sitegen build` first")
    if not (root / "index.html").is_file():
        raise SitegenError(f"{shown}: check: no index.html here; run `sitegen build` first")
    files = set(scan(root))
    pages = sorted(f for f in files if f.endswith(".html"))
    broken: list[tuple[str, str]] = []
    edges: dict[str, list[str]] = {}
    ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str, str]] = []  # (page, href, target, fragment)
    # The redirect pages of articles' aliases: at old URLs that nothing links, on purpose.
    redirects: set[str] = set()
    for page in pages:
        targets = []
        text = (root / page).read_text(encoding="utf-8")
        if '<meta http-equiv="refresh"' in text:
            redirects.add(page)
        hrefs, ids[page] = page_links(text)
        for href in hrefs:
            target = _target(config, page, href)
            if target is None:
                continue
            if target not in files:
                if target + "/index.html" in files:  # a folder link without its slash
                    target += "/index.html"
                else:
                    broken.append((page, href))
                    continue
            fragment = unquote(urlsplit(href).fragment)
            if fragment and target.endswith(".html"):
                fragments.append((page, href, target, fragment))
            targets.append(target)
        edges[page] = targets
    # A link to a heading or footnote that does not exist is broken too (#top is the page).
    broken += [(page, href) for page, href, target, fragment in fragments
               if fragment != "top" and fragment not in ids.get(target, set())]
    reached = set()
    queue = deque(["index.html"] if "index.html" in files else [])
    while queue:
        page = queue.popleft()
        if page in reached:
            continue
        reached.add(page)
        queue.extend(t for t in edges.get(page, []) if t.endswith(".html") and t not in reached)
    orphans = [p for p in pages if p not in reached and p != "404.html" and p not in redirects]
    return CheckReport(pages=len(pages), broken=broken, orphans=orphans)


