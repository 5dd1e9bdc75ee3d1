"""Site + Links + bodies → the site's files, as Outputs. No file I/O: templates come from the
Jinja2 environment, static files from the Theme, everything else from plain values."""

from __future__ import annotations

import datetime
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import meta, nodes
from babel.dates import format_date as babel_format_date
from markupsafe import Markup

from sitegen import images
from sitegen.arabic import canonical_letters, fold, slug
from sitegen.config import Config
from sitegen.errors import BuildError, LinkError, SitegenError
from sitegen.feeds import (SITEMAP_PART, atom_entry, atom_feed, news_sitemap, robots_txt, sitemap_entries,
                           sitemap_files)
from sitegen.hashing import digest
from sitegen.i18n import localize_digits, localize_digits_html
from sitegen.incremental.pages import PagePlan, lead_key, pickled
from sitegen.incremental.sealed import CacheDamaged
from sitegen.layout import LayoutMemo, Layouts
from sitegen.model import Article, Body, Links, Output, Site
from sitegen.schedule import source_date_epoch
from sitegen.theme import Theme, template_error
from sitegen.urls import (abs_url, alias_file, article_path, json_in_html, output_file, page_path, quoted,
                          quoteattr, url, xml_escape)

log = logging.getLogger(__name__)

OG_LOCALE = {"ar": "ar_AR", "en": "en_US", "fr": "fr_FR"}
"""Open Graph locale for a site language."""


def build_time() -> datetime.datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else 1970."""
    return datetime.datetime.fromtimestamp(source_date_epoch() or 0, datetime.timezone.utc)


# --- Groups ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    """Articles sharing a tag, a source or a month."""

    key: str
    """Matching key (folded tag or source, or YYYY-MM)."""
    name: str
    """Displayed name."""
    path: str
    """Output folder, e.g. `tags/تروث-سوشيال/`."""
    slugs: tuple[str, ...]
    """Member articles in site order."""


def group_by(site: Site, prefix: str, values: Mapping[str, Sequence[str]]) -> list[Group]:
    """Groups of articles by folded value; `values` maps slug → that article's values. The
    displayed name is the most used spelling (Arabic letters for Persian twins)."""
    members: dict[str, list[str]] = defaultdict(list)
    used_as_is: Counter[str] = Counter()
    key_of: dict[str, str] = {}
    for a in site.articles:
        for v in values.get(a.slug, ()):
            k = key_of.get(v)
            if k is None:
                k = key_of[v] = fold(v)
            if not k:
                continue
            slugs = members[k]
            if not slugs or slugs[-1] != a.slug:
                slugs.append(a.slug)
            used_as_is[v] += 1
    # Counted per value as written first: a few hundred values, used tens of thousands of times.
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for v, n in used_as_is.items():
        spellings[key_of[v]][canonical_letters(v)] += n
    groups: list[Group] = []
    used: set[str] = set()
    for k in sorted(members):
        name = min(spellings[k].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        seg = slug(name, site.config.slug_style) or "x"
        base, n = seg, 2
        while seg in used:
            seg, n = f"{base}-{n}", n + 1
        used.add(seg)
        groups.append(Group(k, name, f"{prefix}/{seg}/", tuple(members[k])))
    return groups


def tag_groups(site: Site) -> list[Group]:
    """One group per tag (spellings that fold alike are one tag), sorted by key."""
    return group_by(site, "tags", {a.slug: a.tags for a in site.articles})


def source_groups(site: Site) -> list[Group]:
    """One group per source (outlet)."""
    return group_by(site, "sources", {a.slug: [a.source] for a in site.articles if a.source})


def author_groups(site: Site) -> list[Group]:
    """One group per author (byline), at `authors/<slug>/`."""
    return group_by(site, "authors", {a.slug: [a.author] for a in site.articles if a.author})


UNDATED = "undated"
"""The key of the archive's group of articles without a date."""
UNDATED_NAME = "بدون تاريخ"
"""Its displayed name."""


def month_groups(site: Site) -> list[Group]:
    """One group per month that has dated articles, newest month first, then one of the
    undated articles (at `archive/undated/`) when there are any: the archive lists every
    article."""
    months: dict[str, list[str]] = defaultdict(list)
    undated: list[str] = []
    for a in site.articles:
        if a.date:
            months[f"{a.date.year:04d}-{a.date.month:02d}"].append(a.slug)
        else:
            undated.append(a.slug)
    cfg = site.config
    out = []
    for k in sorted(months, reverse=True):
        y, m = int(k[:4]), int(k[5:])
        name = babel_format_date(datetime.date(y, m, 1), "MMMM y", locale=cfg.locale)
        out.append(Group(k, localize_digits(name, cfg.numerals), f"archive/{y:04d}/{m:02d}/",
                         tuple(months[k])))
    if undated:
        out.append(Group(UNDATED, UNDATED_NAME, f"archive/{UNDATED}/", tuple(undated)))
    return out


@dataclass(frozen=True)
class SiteGroups:
    """The site's groups of articles, each list sorted as its index shows it."""

    tags: list[Group]
    """One group per tag (`tag_groups`)."""
    sources: list[Group]
    """One group per source (`source_groups`)."""
    months: list[Group]
    """One group per month, newest first, then the undated articles (`month_groups`)."""
    authors: list[Group]
    """One group per author (`author_groups`)."""


def site_groups(site: Site) -> SiteGroups:
    """Every tag, source, month and author group of `site`: made from the articles' front
    matter and the config alone."""
    return SiteGroups(tag_groups(site), source_groups(site), month_groups(site), author_groups(site))


# --- Rendering -------------------------------------------------------------------------
class Renderer:
    """Renders every page of one site. Build once per build; `render_all` yields Outputs.
    With a `plan` that fingerprints pages, `plan.settle(renderer)` (incremental.pages) comes
    before any page is rendered."""

    def __init__(self, site: Site, links: Links, bodies: Mapping[str, Body], theme: Theme,
                 env: jinja2.Environment, groups: SiteGroups | None = None,
                 now: datetime.datetime | None = None, plan: PagePlan | None = None,
                 html_of: Callable[[Body], str] | None = None,
                 text_of: Callable[[Article], str] | None = None,
                 templates: TemplateMemo | None = None,
                 pictures: images.Pictures = images.NO_PICTURES) -> None:
        self.site, self.links, self.bodies, self.theme, self.env = site, links, bodies, theme, env
        # Images hook (sitegen.images): article leads, and the site-wide default_image that
        # every page without one is shared with.
        self.pictures = pictures.found
        self.default_lead = images.default_lead(site.config.default_image, pictures.found)
        self._default_og = images.lead_context(self.default_lead, site.config.base_path, site.config.base_url)
        self.now = now or build_time()
        """The build timestamp: only a feed without dated entries shows it."""
        self.plan = plan if plan is not None else PagePlan()
        """Which pages the output folder holds already (incremental.pages)."""
        self.html_of = html_of or (lambda body: body.html)
        """A body's HTML (the build cache keeps it out of memory until a page needs it)."""
        self.text_of = text_of or (lambda a: a.body)
        """An article's Markdown body (the build cache may leave it unread until needed)."""
        # Kept with the environment (`templates`): the build reuses one only while no
        # template changed (incremental.memo.environment), and then its templates' keys
        # are the same.
        templates = templates if templates is not None else TemplateMemo()
        self._template_keys = templates.keys
        self._template_sources = templates.sources
        self.template_refs: dict[str, list[str | None]] = {
            digest(n, source): refs for n, (source, refs) in self._template_sources.items() if source}
        """Digest of a template's name and source → the templates it references, as parsed
        by this build or the last one (PageDeps.template_refs): a new process need not
        parse the templates again to know their keys."""
        self.config = cfg = site.config
        self.groups = groups if groups is not None else site_groups(site)
        """The tag, source, month and author groups (`site_groups`)."""
        self.tags, self.sources, self.months, self.authors = (
            self.groups.tags, self.groups.sources, self.groups.months, self.groups.authors)
        # The indexes the navigation links: only those that list something (an empty page
        # is neither built nor linked). Every page shows the navigation, so which they are
        # is part of what every page reads.
        self.sections = {path: label for label, path, groups in (
            ("الوسوم", "tags/", self.tags), ("المصادر", "sources/", self.sources),
            ("الأرشيف", "archive/", self.months), ("الكتّاب", "authors/", self.authors)) if groups}
        """Output folder → navigation label of each index with at least one group."""
        base = cfg.base_path
        # One dict per tag, shared by the cards that link it (templates only read them, and
        # fingerprints pickle without a memo, so sharing does not change their bytes).
        self._tag_link = {g.key: {"name": g.name, "url": base + quoted(g.path)} for g in self.tags}
        self._source_url = {g.key: base + quoted(g.path) for g in self.sources}
        self._author_url = {g.key: base + quoted(g.path) for g in self.authors}
        self._card_digests = self.plan.card_digests
        self.cards = _Cards(self._card)
        """Slug → its Card, made on first use."""
        self.globals = {
            "site": {"title": cfg.title, "description": cfg.description, "lang": cfg.language,
                     "dir": cfg.direction, "base_url": cfg.base_url, "hijri": cfg.hijri,
                     "numerals": cfg.numerals,
                     "home": url(cfg, ""), "feed": url(cfg, "feed.xml"),
                     "archive": url(cfg, "archive/") if "archive/" in self.sections else None,
                     "tags": url(cfg, "tags/") if "tags/" in self.sections else None},
            "url": lambda path: base + quoted(path),
            "asset": self.asset,
            "nav": [("الرئيسية", url(cfg, ""))] + [(label, url(cfg, path))
                                                  for path, label in self.sections.items()],
            "partial": self.partial,
        }
        self._partials: dict[tuple[str, str], Markup] = {}
        self.layouts = Layouts(env, self.globals, templates.layouts)
        """Renders the pages, each layout's constant parts once per build (sitegen.layout)."""
        self._feed_entries: dict[str, str] = {}
        self._made: set[str] = set()
        """Output paths rendered so far (with `fingerprints`, every file of the site so far)."""

    def _card(self, slug: str) -> Card:
        """Article `slug`'s card (see `cards`)."""
        a = self.site.by_slug[slug]
        card = Card({
            "slug": a.slug,
            "title": a.title,
            "url": self.config.base_path + quoted(article_path(a.slug)),
            "date": a.date,
            "summary": a.summary,
            "source": a.source,
            "source_url": self._source_url.get(fold(a.source)) if a.source else None,
            "author": a.author,
            "author_url": self._author_url.get(fold(a.author)) if a.author else None,
            "updated": a.updated,
            # One link per tag even when the article spells it two ways, named as its page is.
            "tags": [self._tag_link[k] for k in dict.fromkeys(map(fold, a.tags)) if k in self._tag_link],
            "lang": a.lang,
            "dir": a.dir,
        })
        if self._card_digests is not None:
            card.digest = self._card_digests[slug]
        elif self.plan.active:
            # With the article's own spelling of its tags: its feed entries list them.
            card.digest = digest(pickled(dict(card)), repr(a.tags))
        return card

    def template_key(self, name: str) -> str:
        """A digest of template `name` and every template it extends, includes or imports
        (all templates when one of those names is computed at render time)."""
        if name not in self._template_keys:
            sources: dict[str, str] = {}
            todo = [name]
            while todo:
                current = todo.pop()
                if current in sources:
                    continue
                sources[current], refs = self._template_source(current)
                if any(r is None for r in refs):
                    sources = {n: self.env.loader.get_source(self.env, n)[0]  # type: ignore[union-attr]
                               for n in self.env.list_templates()}
                    break
                todo.extend(r for r in refs if r is not None)
            self._template_keys[name] = digest(*(f"{n}\0{t}" for n, t in sorted(sources.items())))
        return self._template_keys[name]

    def _template_source(self, name: str) -> tuple[str, list[str | None]]:
        """Template `name`'s source and the templates it references (parsed once per build:
        base.html is in every page's key); empty when it cannot be read or parsed."""
        if name not in self._template_sources:
            try:
                source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
                key = digest(name, source)
                refs = self.plan.known_refs.get(key)
                if refs is None:
                    refs = _referenced_templates(self.env.parse(source))
                self._template_sources[name] = (source, refs)
                self.template_refs[key] = refs
            except Exception:  # noqa: BLE001 - the render reports it, with file and line
                self._template_sources[name] = ("", [])
        return self._template_sources[name]

    def partial(self, name: str, item: Any) -> Markup:
        """Template `name` rendered with `item` and the site-wide globals (not the calling
        page's variables): what `{% with item = item %}{% include name %}{% endwith %}`
        gives for a partial that reads only those. Rendered once per build for each article
        card and reused: the top tags' pages show thousands of cards, each on many pages."""
        key = (name, item["slug"]) if isinstance(item, Card) else None
        html = self._partials.get(key) if key else None
        if html is None:
            html = Markup(self.env.get_template(name).render(**self.globals, item=item))
            if key:
                self._partials[key] = html
        return html

    def asset(self, name: str) -> str:
        """The href of static file `name` (its fingerprinted name)."""
        try:
            return url(self.config, self.theme.assets[name])
        except KeyError:
            raise jinja2.TemplateRuntimeError(f"no static file {name!r} in the theme") from None

    def page(self, template: str, path: str, fingerprint: str | None = None,
             **context: Any) -> Output | None:
        """Render one HTML page at output folder `path` (or file, if it ends in .html); None
        when its fingerprint says the output folder already holds it. (A listing page is
        first asked PagePlan.kept_listing, before its context is made.) A page whose inputs
        were already found changed passes the `fingerprint` to record instead of computing one."""
        file = output_file(path)
        if fingerprint is not None:
            self.plan.record(file, fingerprint)
        elif not self.plan.changed(file, self.template_key(template) if self.plan.active else "",
                               (template, context)):
            return None
        cfg = self.config
        for k, v in context.items():
            if isinstance(v, Deferred):
                context[k] = v.make()
        context.setdefault("lang", cfg.language)
        context.setdefault("dir", cfg.direction)
        context.setdefault("description", cfg.description)
        context.setdefault("og_type", "website")
        context.setdefault("og_image", self._default_og)
        context["canonical"] = abs_url(cfg, "" if path == "index.html" else path)
        context["og_locale"] = OG_LOCALE.get(cfg.language, cfg.language)
        # Arabic-Indic digits are for pages in the site's language; an English article in
        # an Arabic digest keeps its own digits.
        same_language = context["lang"].split("-")[0] == cfg.language.split("-")[0]
        numerals = cfg.numerals if same_language else "latn"
        context["numerals"] = numerals
        try:
            html = self.layouts.render(template, context)
        except CacheDamaged:  # the build starts again without the cache: not the template's
            raise
        except Exception as e:  # any error inside a template is reported at its file:line
            raise template_error(e, root=cfg.root) from None
        if numerals != "latn":
            html = localize_digits_html(html, numerals)
        return Output(file, html.encode("utf-8"))

    def render_all(self) -> Iterator[Output]:
        """Every file of the site (pages, feeds, sitemap, robots.txt, static files), but
        those whose fingerprint says the output folder holds them already (PagePlan.kept)."""
        for o in self._all():
            if o is not None:
                self._made.add(o.path)
                yield o
        # Every page is made: the cards, partials and feed entries that many pages shared
        # are not needed any more (the search page shows none), and their memory is.
        self.cards.clear()
        self._partials.clear()
        self._feed_entries.clear()

    def _all(self) -> Iterator[Output | None]:
        yield from self.theme.static
        for o in self.theme.static:
            # Browsers ask for /favicon.ico whatever the page links: the theme's is served there.
            if o.path == "static/favicon.ico":
                yield Output("favicon.ico", o.data)
        yield from self.home_pages()
        fronts = self.plan.fronts if self.plan.fronts is not None else [None] * len(self.site.articles)
        for a, front in zip(self.site.articles, fronts):
            yield self.article_page(a, front)
        yield from self.group_pages("tags/", "الوسوم", self.tags, feeds=True)
        yield from self.group_pages("sources/", "المصادر", self.sources, feeds=True)
        yield from self.group_pages("archive/", "الأرشيف", self.months)
        yield from self.group_pages("authors/", "الكتّاب", self.authors)
        if not self.plan.kept_listing("404.html", ()):
            yield self.page("404.html", "404.html", title="الصفحة غير موجودة")
        yield self.feed("feed.xml", self.config.title, [a.slug for a in self.site.articles])
        yield from self.sitemaps()
        news = news_sitemap(self.site)
        yield from news
        yield robots_txt(self.config, [o.path for o in news] + ["sitemap.xml"])
        yield from self.redirect_pages()

    def redirect_pages(self) -> Iterator[Output | None]:
        """A redirect page for each of the articles' `aliases` (their old URLs), to be made
        after every other page: an alias naming a file of the site (an article's page, a
        list page, a static file, another alias) is an error naming both.
        Redirect pages are listed nowhere (no sitemap, feed or search entry) and say
        `noindex`: the article's own URL is the one to know."""
        cfg = self.config
        owners = {output_file(article_path(a.slug)): a.path for a in self.site.articles}
        made: dict[str, str] = {}
        errors: list[SitegenError] = []
        pages: list[tuple[str, Article]] = []
        for a in self.site.articles:
            for alias in a.aliases:
                path = alias_file(alias)
                owner = owners.get(path) or made.get(path)
                if owner is not None:
                    errors.append(LinkError(f"{a.path}: aliases: {alias!r} is the URL of "
                                            f"{'its own page' if owner == a.path else owner + chr(39) + 's page'}"
                                            f" ({path}); remove the alias from {a.path} or rename {owner}"))
                elif path in self.plan.fingerprints or path in self._made:
                    errors.append(LinkError(f"{a.path}: aliases: {alias!r} is the URL of the site's "
                                            f"page {path}; remove the alias from {a.path}"))
                else:
                    made[path] = a.path
                    pages.append((path, a))
        if errors:
            raise BuildError(errors)
        for path, a in pages:
            target = abs_url(cfg, article_path(a.slug))
            if not self.plan.changed(path, "redirect", (target, a.title)):
                yield None
                continue
            html = ("<!DOCTYPE html>\n"
                    f'<html lang={quoteattr(cfg.language)} dir={quoteattr(cfg.direction)}>\n<head>\n'
                    '<meta charset="utf-8">\n'
                    f"<title>{xml_escape(a.title)}</title>\n"
                    f"<link rel=\"canonical\" href={quoteattr(target)}>\n"
                    '<meta name="robots" content="noindex">\n'
                    f'<meta http-equiv="refresh" content={quoteattr("0; url=" + target)}>\n'
                    "</head>\n<body>\n"
                    f'<p>نُقل هذا المقال إلى <a href={quoteattr(target)} dir="auto">{xml_escape(a.title)}</a>.</p>\n'
                    "</body>\n</html>\n")
            yield Output(path, html.encode("utf-8"))

    def pagination(self, path: str, slugs: Sequence[str]) -> list[tuple[str, Sequence[str], int, int]]:
        """A list of `slugs` (in site order) cut into pages of `page_size`: for each, its
        output folder (`path`, then `path`page/2/, …), the slugs it shows, its number and
        the number of pages. One empty page for no slugs."""
        size = self.config.page_size
        count = max(1, -(-len(slugs) // size))
        return [(page_path(path, n), slugs[(n - 1) * size:n * size], n, count)
                for n in range(1, count + 1)]

    def pager(self, path: str, number: int, count: int) -> dict[str, Any]:
        """The links of page `number` of the `count` pages of the list at `path`: prev and
        next URLs, and `pages`, the page numbers to link (the first, the last and two either
        side of this one; None where some are left out)."""
        cfg = self.config
        pages: list[dict[str, Any] | None] = []
        for m in sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)}):
            if pages and pages[-1] is not None and m - pages[-1]["number"] > 1:
                pages.append(None)
            pages.append({"number": m, "url": url(cfg, page_path(path, m))})
        return {"number": number, "count": count, "pages": pages,
                "prev": url(cfg, page_path(path, number - 1)) if number > 1 else None,
                "next": url(cfg, page_path(path, number + 1)) if number < count else None}

    def home_pages(self) -> Iterator[Output | None]:
        """The home page, newest first, `page_size` per page: /, /page/2/, …; the first
        also shows the newest articles of the top tags when the site has more than a page."""
        slugs = [a.slug for a in self.site.articles]
        for path, shows, number, count in self.pagination("", slugs):
            first = number == 1
            sections = self.front_sections(shows) if first else []
            if self.plan.kept_listing(output_file(path or "index.html"),
                          [*shows, *(s for section in sections for s in section["slugs"])]):
                continue
            chunk = [self.cards[s] for s in shows]
            yield self.page("index.html", path or "index.html", articles=chunk,
                            lead=chunk[0] if first and chunk else None,
                            rest=chunk[1:] if first else chunk, pager=self.pager("", number, count),
                            sections=[{**section, "articles": [self.cards[s] for s in section["slugs"]]}
                                      for section in sections],
                            title=self.config.title if first else f"{self.config.title} – {number}")

    def front_sections(self, shown: Sequence[str]) -> list[dict[str, Any]]:
        """The front page's sections for a site of more than one page: for each of the
        FRONT_SECTIONS tags with the most articles (ties by key), its newest FRONT_CARDS
        articles not shown above it (on the page or in an earlier section), with its page's
        URL and article count; a tag with none left has no section."""
        if len(self.site.articles) <= self.config.page_size:
            return []
        seen = set(shown)
        sections = []
        for g in sorted(self.tags, key=lambda g: (-len(g.slugs), g.key))[:FRONT_SECTIONS]:
            picked = []
            for s in g.slugs:
                if s not in seen:
                    picked.append(s)
                    if len(picked) == FRONT_CARDS:
                        break
            if picked:
                seen.update(picked)
                sections.append({"name": g.name, "url": url(self.config, g.path),
                                 "count": len(g.slugs), "slugs": picked})
        return sections

    def article_page(self, a: Article, front: str | None = None) -> Output | None:
        """One article at /articles/<slug>/ (`front`: the digest of its front matter)."""
        cfg = self.config
        links = self.links.articles[a.slug]
        body = self.bodies[a.slug]
        fingerprint = None
        own = images.lead_image(a.image, a.image_alt, a.image_caption, self.pictures, None)
        deps = self.plan.deps
        # What the page reads of images besides its front matter: its lead's size, or the
        # default one's.
        if deps is not None and body.key:
            if self.plan.article_unchanged(a, body, links, front, lead_key(own or self.default_lead)):
                return None
            # Whether the next build keeps this page is decided by its signature, the cards
            # it shows and PageDeps (PagePlan.article_unchanged), not by its fingerprint:
            # the fingerprint only marks the file as this build's, so it is not computed
            # (that would pickle every article page's context).
            fingerprint = "article:" + ":".join(deps.signatures[a.slug])
        card = self.cards[a.slug]
        ld: dict[str, Any] = {"@context": "https://schema.org", "@type": "NewsArticle",
                              "headline": a.title, "mainEntityOfPage": abs_url(cfg, article_path(a.slug)),
                              "inLanguage": a.lang or cfg.language}
        if a.date:
            ld["datePublished"] = a.date.isoformat()
        if a.updated_iso:
            ld["dateModified"] = a.updated_iso
        if a.author:
            ld["author"] = {"@type": "Person", "name": a.author}
            if card["author_url"]:  # none for a byline of tatweel only
                ld["author"]["url"] = cfg.base_url + card["author_url"][len(cfg.base_path):]
        if a.source:
            ld["publisher"] = {"@type": "Organization", "name": a.source}
        if a.summary:
            ld["description"] = a.summary
        if a.tags:
            ld["keywords"] = ", ".join(a.tags)
        if a.source_url:
            ld["isBasedOn"] = a.source_url
        shared = images.lead_context(own or self.default_lead, cfg.base_path, cfg.base_url)
        if shared is not None:
            ld["image"] = {"@type": "ImageObject", "url": shared["url"], "width": shared["width"],
                           "height": shared["height"]}
        json_ld = json_in_html(ld)
        return self.page(
            "article.html", article_path(a.slug), fingerprint=fingerprint,
            title=a.title, description=a.summary or cfg.description, og_type="article",
            lang=a.lang or cfg.language, dir=article_dir(a, cfg),
            article=card, body=Deferred(body.key, lambda: Markup(self.html_of(body))) if body.key
            else Markup(body.html), toc=body.toc,
            # Deferred: folding the body's opening is needed only when the page is rendered.
            standfirst=self._standfirst(a, digest(a.summary, body.key)) if body.key
            else ("" if _opens_body(a.summary, a.body) else a.summary),
            read_also=[self.cards[s] for s in links.read_also],
            related=[{"title": t, "card": self.cards[s] if s else None} for t, s in links.related],
            more=[self.cards[s] for s in links.by_tags],
            backlinks=[self.cards[s] for s in links.backlinks],
            json_ld=Markup(json_ld), original_url=a.source_url or None,
            lead_image=images.lead_context(own, cfg.base_path, cfg.base_url), og_image=shared,
        )

    def _standfirst(self, a: Article, key: str) -> Deferred:
        """The summary shown above article `a`'s body (`key`: digest of its summary and body
        key): none when it is only the body's opening words. Whether it is, is remembered
        per article (PageDeps.openings), so rebuilding the page for another reason (a
        template) does not read its content file again to tell."""
        deps = self.plan.deps
        known = self.plan.openings.get(a.slug)
        if known is not None and known[0] == key and deps is not None:
            deps.openings[a.slug] = known

        def make() -> str:
            opens = known[1] if known is not None and known[0] == key else _opens_body(
                a.summary, self.text_of(a))
            if deps is not None:
                deps.openings[a.slug] = (key, opens)
            return "" if opens else a.summary

        return Deferred(key, make)

    def group_pages(self, index_path: str, title: str, groups: list[Group],
                    feeds: bool = False) -> Iterator[Output | None]:
        """The index of a kind of group (tags, sources, months), unless there is no group,
        and each group's pages, `page_size` articles a page (see `pagination`), and with
        `feeds` its Atom feed at `<group>/feed.xml`."""
        cfg = self.config
        items = [{"name": g.name, "url": url(cfg, g.path), "count": len(g.slugs)} for g in groups]
        if groups and not self.plan.kept_listing(output_file(index_path), ()):
            yield self.page("terms.html", index_path, title=title, items=items,
                            kind=index_path.rstrip("/"))
        for g in groups:
            feed = url(cfg, g.path + "feed.xml") if feeds else None
            for path, shows, number, count in self.pagination(g.path, g.slugs):
                if not self.plan.kept_listing(output_file(path), shows):
                    yield self.page("term.html", path, title=g.name,
                                    parent={"name": title, "url": url(cfg, index_path)},
                                    articles=[self.cards[s] for s in shows], feed=feed,
                                    kind=index_path.rstrip("/"), pager=self.pager(g.path, number, count))
            if feeds:
                yield self.feed(g.path + "feed.xml", f"{cfg.title} – {g.name}", list(g.slugs),
                                page=g.path)

    def feed(self, path: str, title: str, slugs: list[str], page: str = "") -> Output | None:
        """An Atom feed of the newest `feed_limit` of `slugs`, one entry each (the summary,
        and the body too with `feed_full_content`); None when the output folder holds it already."""
        cfg = self.config
        slugs = slugs[:cfg.feed_limit]
        # With full content a body edit changes the feed, though no card changed.
        bodies = [self.bodies[s].key or self.bodies[s].html for s in slugs] if cfg.feed_full_content else None
        if (bodies is None and self.plan.kept_listing(path, slugs)) or not self.plan.changed(path, "feed", (
                title, page, [self.cards[s] for s in slugs], [self.site.by_slug[s].tags for s in slugs],
                bodies)):
            return None
        dates = [self.site.by_slug[s].date for s in slugs if self.site.by_slug[s].date]
        return Output(path, atom_feed(cfg, path, title, page, map(self._feed_entry, slugs),
                                      max(dates) if dates else None, self.now))

    def _feed_entry(self, slug: str) -> str:
        """The Atom entry of article `slug` (made once per build: an article is in the
        site's feed and in its tags' feeds)."""
        entry = self._feed_entries.get(slug)
        if entry is None:
            body = self.html_of(self.bodies[slug]) if self.config.feed_full_content else None
            entry = self._feed_entries[slug] = atom_entry(self.site.by_slug[slug], self.config, self.now, body)
        return entry

    def sitemaps(self) -> Iterator[Output | None]:
        """sitemap.xml (or its parts and their index, see feeds.sitemap_files): every page of
        the home page, every article, every page of each tag, source, month and author list.
        None for a file the output folder holds already."""
        split_before = any(SITEMAP_PART.fullmatch(p) for p in self.plan.previous or ())
        # The shortcut knows sitemap.xml only; with parts, each is fingerprinted below.
        if not split_before and self.plan.kept_listing("sitemap.xml", self.site.by_slug):
            return
        home = [path for path, *_ in self.pagination("", [a.slug for a in self.site.articles])]
        entries = sitemap_entries(home, self.site.articles, [
            (index, [path for g in groups for path, *_ in self.pagination(g.path, g.slugs)])
            for index, groups in (
                ("tags/", self.tags), ("sources/", self.sources), ("archive/", self.months),
                ("authors/", self.authors))])
        for f in sitemap_files(self.config, entries):
            if self.plan.changed(f.path, f.kind, f.listed):
                yield Output(f.path, f.data)


FRONT_SECTIONS = 4
"""Tag sections on the front page of a site of more than one page."""
FRONT_CARDS = 3
"""Articles in each of them."""

LISTING_TEMPLATES = ("index.html", "term.html", "terms.html", "404.html")
"""The templates of the pages that show no article of their own (404.html shows none)."""


@dataclass(frozen=True)
class Deferred:
    """A context value made only when its page is rendered (a body's HTML); `key` stands
    for it in the page's fingerprint."""

    key: str
    """Digest of everything `make` reads."""
    make: Callable[[], Any]
    """Makes the value."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Only page fingerprints pickle it: the key stands for the value.
        return (str, ("deferred:" + self.key,))


class _Cards(dict):  # type: ignore[type-arg]
    """Slug → Card, each made by `make` on first use: a rebuild after a body edit shows a
    handful of the site's cards."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[str], "Card"]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, slug: str) -> "Card":
        card = self[slug] = self.make(slug)
        return card


class Card(dict):  # type: ignore[type-arg]
    """An article's card: the dict templates read (title, url, date, tags, …), which a page
    fingerprint stands in for by `digest`, computed once per build."""

    __slots__ = ("digest",)

    def __reduce__(self) -> tuple[Any, ...]:
        # Only page fingerprints pickle cards: the digest is all they need.
        return (str, ("card:" + self.digest,))


@dataclass
class TemplateMemo:
    """Template keys and sources computed with one Jinja2 environment: true while that
    environment is the one in use (the build reuses one only while no template changed)."""

    keys: dict[str, str] = field(default_factory=dict)
    """Template name → its key (see Renderer.template_key)."""
    sources: dict[str, tuple[str, list[str | None]]] = field(default_factory=dict)
    """Template name → its source and the templates it references."""
    layouts: LayoutMemo = field(default_factory=LayoutMemo)
    """The page templates' layouts (sitegen.layout)."""


def _referenced_templates(ast: nodes.Template) -> list[str | None]:
    """The templates `ast` extends, includes or imports, and the partials it renders with
    `partial(name, …)`; None for a name computed at render time."""
    refs: list[str | None] = list(meta.find_referenced_templates(ast))
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "partial":
            name = call.args[0] if call.args else next(
                (kw.value for kw in call.kwargs if kw.key == "name"), None)
            refs.append(name.value if isinstance(name, nodes.Const) and isinstance(name.value, str)
                        else None)
    return refs


RTL_LANGUAGES = ("ar", "fa", "ur", "he", "ps", "ckb", "sd", "ug", "yi", "dv")
"""Primary language subtags written right to left."""


def article_dir(a: Article, cfg: Config) -> str:
    """The article's direction: its own `dir`, else its language's, else the site's."""
    if a.dir:
        return a.dir
    if a.lang and a.lang.split("-")[0] != cfg.language.split("-")[0]:
        return "rtl" if a.lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"
    return cfg.direction


def _opens_body(summary: str, body: str) -> bool:
    """True when `summary` is just the body's opening words (the importer's default), so
    showing it above the body would say the same thing twice: the folded words of the
    body's first 2 * len(summary) characters begin with the summary's folded words, the
    last of which may be cut short."""
    text = summary.rstrip("…. ")
    limit = len(summary) * 2
    # Folding treats the two sides of a space apart (no character joins or changes across
    # one), so when the body begins with the summary's very text, the words before its last
    # space are the same on both sides: only what follows that space is folded and compared.
    # Unmemoised fold: these strings are each article's own, seen once; the shared memo is
    # for the tags, sources and titles every stage folds again.
    start = _last_space(text) if body.startswith(text) else 0
    head = fold.__wrapped__(text[start:]).split()
    if not head and start:  # the summary's end folds to nothing: its last word is before
        start, head = 0, fold.__wrapped__(text).split()
    if not head:
        return False
    # For the same reason a cut changes only the last word it cuts: an opening that folds to
    # more words than the summary's gives the words the whole 2 * len(summary) would.
    words = fold.__wrapped__(body[start : min(limit, len(summary) + _OPENING_SLACK)]).split()
    if len(words) <= len(head) and len(summary) + _OPENING_SLACK < limit:
        words = fold.__wrapped__(body[start:limit]).split()
    words = words[: len(head)]
    # The last word of a cut summary may itself be cut.
    return len(words) == len(head) and words[:-1] == head[:-1] and words[-1].startswith(head[-1])


_OPENING_SLACK = 32
"""Characters of the body folded beyond the summary's length, to reach one word further."""


def _last_space(text: str) -> int:
    """The index of the last whitespace character of `text` (0 if it has none)."""
    i = len(text)
    while i and not text[i - 1].isspace():
        i -= 1
    return max(i - 1, 0)
