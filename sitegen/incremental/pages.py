"""The page planner: which of a build's pages the output folder already holds exactly as
they would render now, told from what the last build recorded (PageDeps) and the pages'
fingerprints, without rendering them; and what this build records for the next. The render
stage asks it before making a page; it never changes what a page renders to."""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sitegen.hashing import digest
from sitegen.model import Article, ArticleLinks, Body
from sitegen.urls import article_path

if TYPE_CHECKING:
    import datetime

    from sitegen.config import Config
    from sitegen.images import Lead
    from sitegen.render import Renderer


@dataclass(frozen=True)
class PageDeps:
    """What a build's pages were rendered from, kept by the build cache so the next build
    can tell, without fingerprinting it, that a page cannot have changed: an article's
    page, or a listing page (home, tag, source, month, their indexes, feeds, sitemap)."""

    render_key: str
    """Digest of the config, the static files' names and the build time."""
    article_template: str
    """Template key of article.html (it and every template it uses)."""
    layout: str
    """Digest of all that listing pages read but cards: the render key, the template keys
    of LISTING_TEMPLATES, the articles' order and every tag, source and month group (key,
    name, path, members)."""
    cards: dict[str, str]
    """Slug → digest of its card and tags (what other pages show of it)."""
    signatures: dict[str, tuple[str, ...]]
    """Slug → its page's own inputs: (digest of its fields and its links (read-also,
    related, by tags, backlinks), its body key, its lead image's path and size)."""
    openings: dict[str, tuple[str, bool]]
    """Slug → (digest of its summary and body key, whether the summary is just the body's
    opening words, so not shown above it)."""
    listing: str | None
    """Digest of the render key and every article's front matter, in site order: all that
    the cards and groups are made from (None when the front matter digests were not known)."""
    groups: tuple[list[Any], list[Any], list[Any], list[Any]]
    """The tag, source, month and author groups (render.Group)."""
    groups_digest: str
    """Digest of the articles' order and the groups (a part of `layout`)."""
    links_key: str | None
    """The link stage's key (incremental.memo.cached_links): the same key, the same links."""
    template_refs: dict[str, list[str | None]]
    """Digest of a template's name and source → the templates it references."""



def pickled(value: Any) -> bytes:
    """`value` pickled without a memo: whether two equal values are one object must not
    change the bytes (fingerprints are digests of these)."""
    buf = io.BytesIO()
    # Protocol 0 writes a str escaped; the binary protocols write its UTF-8, which CPython
    # keeps inside the str object once made (PyUnicode_AsUTF8AndSize) for as long as the
    # str lives: for the titles, summaries and tags that every card's and article's
    # fingerprint holds, about as much memory again as their text, until the build ends.
    pickler = pickle.Pickler(buf, protocol=0)
    pickler.fast = True
    pickler.dump(value)
    return buf.getvalue()


def lead_key(lead: Lead | None) -> str:
    """The part of a page's fingerprint that stands for its lead image: path and size."""
    return f"{lead.picture.source}:{lead.picture.key}" if lead is not None else ""


def site_key(config: Config, assets: Mapping[str, str], now: datetime.datetime,
             default_lead: Lead | None) -> str:
    """Digest of what every page reads besides its own context and the navigation: the
    config, the static files' published names, the build time and the default lead image
    (`PagePlan.begin`)."""
    return digest(repr(config), repr(sorted(assets.items())), now.isoformat(), lead_key(default_lead))


class PagePlan:
    """The pages of one build that are kept, and the fingerprints of all of them. Without
    `previous` (no cache), every page is rendered and nothing is recorded."""

    def __init__(self, previous: Mapping[str, str] | None = None, last: PageDeps | None = None,
                 fronts: Sequence[str] | None = None, links_key: str | None = None) -> None:
        self.previous = previous
        """Output path → fingerprint of the page already in the output folder; a page whose
        fingerprint is the same is not rendered (None: render every page)."""
        self.last = last
        """What the last build's pages were made from (None: not known, or not to be
        trusted because every page reads something that changed)."""
        self.fronts = fronts
        """Digests of the articles' front matter, in site order (None: not known)."""
        self.links_key = links_key
        """The link stage's key (incremental.memo.cached_links)."""
        self.known_refs: dict[str, list[str | None]] = last.template_refs if last is not None else {}
        """The last build's PageDeps.template_refs."""
        self.fingerprints: dict[str, str] = {}
        """Output path → fingerprint, for every page and feed of this build."""
        self.kept: list[str] = []
        """Output paths left as they are because their fingerprint did not change."""
        self.deps: PageDeps | None = None
        """What this build's pages were made from, for the next build (None without
        `previous`)."""
        self.site_key = ""
        """Digest of what every page reads but its own context and the navigation (`begin`)."""
        self.listing_key: str | None = None
        """Digest of `site_key` and every article's front matter, in site order: all that
        the cards and groups are made from (`begin`; None when the front matter digests are
        not known)."""
        self.same: PageDeps | None = None
        """The last build's PageDeps when its listing was this build's (`begin`): its groups
        and card digests are this build's."""
        self.render_key = ""
        """Digest of what every page reads besides its own context (see `settle`)."""
        self.new_cards: set[str] = set()
        """Slugs whose card is not the last build's."""
        self.openings: dict[str, tuple[str, bool]] = last.openings if last is not None else {}
        """The last build's PageDeps.openings."""
        self.same_links = False
        """True when every article's front matter and links are as in the last build."""
        self.same_layout = False
        """True when all that listing pages (home, tag, source and month pages, their
        indexes, feeds, sitemap) read but cards is as in the last build (PageDeps.layout)."""

    @property
    def active(self) -> bool:
        """True when pages are fingerprinted (there is an output folder to compare with)."""
        return self.previous is not None

    def begin(self, site_key: str) -> None:
        """Start the plan with this build's `site_key`: when the articles' front matter and
        `site_key` are the last build's (a body edit), so are the groups and the cards'
        digests (`same`, `card_digests`)."""
        if not self.active:
            return
        self.site_key = site_key
        if self.fronts is not None:
            self.listing_key = digest(site_key, "\n".join(self.fronts))
        last = self.last
        if last is not None and self.listing_key is not None and last.listing == self.listing_key:
            self.same = last

    @property
    def card_digests(self) -> dict[str, str] | None:
        """Slug → its card's digest, the last build's when its listing is this build's, so
        only the cards a rendered page shows are made (None: each card computes its own,
        when pages are fingerprinted)."""
        return self.same.cards if self.same is not None else None

    def settle(self, renderer: Renderer) -> None:
        """Record what this build's pages read (PageDeps, from `renderer` and `begin`'s
        `site_key`), and compare it with the last build's. Before any page is planned."""
        if not self.active:
            return
        from sitegen.render import LISTING_TEMPLATES

        render_key = digest(self.site_key, repr(sorted(renderer.sections)))
        same = self.same
        site_groups = renderer.groups
        group_lists = (site_groups.tags, site_groups.sources, site_groups.months, site_groups.authors)
        if same is not None:
            groups, cards = same.groups_digest, same.cards
        else:
            # Cards are fingerprinted once each.
            articles = renderer.site.articles
            cards = {a.slug: renderer.cards[a.slug].digest for a in articles}
            groups = digest(pickled((
                [a.slug for a in articles],
                *([(g.key, g.name, g.path, g.slugs) for g in lists] for lists in group_lists))))
        layout = digest(render_key, *map(renderer.template_key, LISTING_TEMPLATES), groups)
        deps = PageDeps(render_key, renderer.template_key("article.html"), layout, cards, {}, {},
                        self.listing_key, group_lists, groups, self.links_key, renderer.template_refs)
        self.deps, self.render_key = deps, deps.render_key
        last = self.last
        if last is None:
            return
        self.same_links = same is not None and self.links_key is not None and last.links_key == self.links_key
        if same is None:
            self.new_cards = {s for s, d in deps.cards.items() if last.cards.get(s) != d}
        self.same_layout = last.layout == deps.layout
        if (last.render_key, last.article_template) != (deps.render_key, deps.article_template):
            self.last = None  # every page reads what changed: fingerprint them all

    def kept_listing(self, path: str, shows: Iterable[str]) -> bool:
        """True when listing page `path` shows the cards of `shows` only and none of them
        changed since the last build, nor did anything else a listing page reads (the
        `layout` of PageDeps): its fingerprint would be the last one, so the page is kept
        without computing it."""
        fp = self.previous.get(path) if self.same_layout and self.previous else None
        if fp is None or not self.new_cards.isdisjoint(shows):
            return False
        self.fingerprints[path] = fp
        self.kept.append(path)
        return True

    def changed(self, path: str, kind: str, payload: Any) -> bool:
        """Record the fingerprint of output `path` (made by `kind` from `payload`); False
        when the output folder already holds what it renders to."""
        if self.previous is None:
            return True
        fp = digest(self.render_key, kind, path, pickled(payload))
        self.fingerprints[path] = fp
        if self.previous.get(path) == fp:
            self.kept.append(path)
            return False
        return True

    def record(self, path: str, fingerprint: str) -> None:
        """Record the fingerprint of output `path`, rendered for reasons found already."""
        self.fingerprints[path] = fingerprint

    def article_unchanged(self, a: Article, body: Body, links: ArticleLinks, front: str | None,
                          image_key: str = "") -> bool:
        """True when article `a`'s page reads exactly what it read in the last build: its
        own fields, body and links (by their signature), and the card of every article it
        shows, the same as then, and the same template, config and assets (PageDeps). Its
        fingerprint would then be the last one: the page is kept without computing it.
        Records the page's signature for the next build either way."""
        assert self.deps is not None and self.previous is not None
        prev = self.last
        old = prev.signatures.get(a.slug) if prev is not None else None
        # The signature is (digest of the article's fields and links, body key, `image_key`:
        # its lead image's path and size); the body key also stands for the table of
        # contents, made from the same text. When no front matter and no link changed since
        # the last build, the first part is the last one.
        if old is not None and self.same_links:
            fields = old[0]
        elif front is not None:  # the front matter's digest stands for the article's fields
            fields = digest(pickled((front, links.read_also, links.related, links.by_tags,
                                     links.backlinks)))
        else:
            fields = digest(pickled((a.slug, a.title, a.date, a.source, a.tags, a.summary, a.lang,
                                     a.dir, a.author, a.updated_iso, a.source_url, links.read_also,
                                     links.related, links.by_tags, links.backlinks)))
        sig = (fields, body.key, image_key)
        self.deps.signatures[a.slug] = sig
        path = article_path(a.slug) + "index.html"
        fp = self.previous.get(path)
        if old != sig or fp is None:
            return False
        new = self.new_cards
        if new and not new.isdisjoint((a.slug, *links.read_also, *links.by_tags, *links.backlinks,
                                       *(s for _t, s in links.related if s))):
            return False
        self.fingerprints[path] = fp
        self.kept.append(path)
        if a.slug in self.openings:
            self.deps.openings[a.slug] = self.openings[a.slug]
        return True
