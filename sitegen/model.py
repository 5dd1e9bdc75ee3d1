"""The plain values passed between build stages: frozen dataclasses, no behaviour beyond
small derived properties. Every stage takes these in and gives these out, so each can be run,
tested, cached or parallelised alone."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from sitegen.config import Config


class _Compact:
    """Pickles as (class, field values): the build cache stores tens of thousands of these,
    and the default (a dict of field names per object) is twice the size and load time."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), tuple(self.__dict__.values()))


@dataclass(frozen=True)
class RelatedRef(_Compact):
    """One entry of an article's `related` list, as written in its front matter."""

    title: str
    """The headline as the outlet printed it."""
    slug: str | None
    """The slug the importer resolved it to, or None when it names no known article."""


@dataclass(frozen=True)
class Article(_Compact):
    """One content file, loaded and validated."""

    path: str
    """The content file, relative to the project root (e.g. `content/x.md`), for messages."""
    slug: str
    """URL segment: the article lives at /articles/<slug>/."""
    title: str
    """Headline as displayed."""
    body: str
    """Markdown body."""
    body_line: int
    """1-based line of the body's first line in the file."""
    date: datetime.date | None = None
    """Publication date; None sorts after every dated article and shows no date."""
    source: str = ""
    """The outlet (e.g. صدى البلد); empty when unknown."""
    author: str = ""
    """The writer named by the page's byline; empty when unknown."""
    tags: tuple[str, ...] = ()
    """Keywords as written (display spelling)."""
    read_also: tuple[str, ...] = ()
    """Articles shown in the «اقرأ أيضاً» box: slugs (matched exactly), or headlines (with
    spaces; matched as `related` titles are)."""
    related: tuple[RelatedRef, ...] = ()
    """The outlet's similar-articles list."""
    summary: str = ""
    """One or two sentences for cards, meta description and feeds."""
    lang: str | None = None
    """The article's language when it differs from the site's."""
    dir: str | None = None
    """The article's direction when it differs from the site's ('rtl' or 'ltr')."""
    draft: bool = False
    """Drafts are built only with --drafts."""
    title_inferred: bool = False
    """True when the importer guessed the title (no explicit headline in the seed)."""
    seed: str = ""
    """The seed file the importer made this article from, if any."""
    body_digest: str = ""
    """Digest of `body` (the build cache's key for it). When the build cache knew the file
    unchanged, the body is not read and `body` is empty: `load.article_body` reads it."""
    warnings: tuple[str, ...] = ()
    """What the loader found wrong but not fatal (unknown front matter keys), one
    `file:line: message` each: the build reports them with the link stage's."""
    publish_at: datetime.datetime | None = None
    """The moment the article is published (UTC): its `date` at 00:00, or the date-time
    written (a time without a zone is UTC). Before it, builds leave the article out
    (sitegen.schedule) unless --future."""
    expires: datetime.datetime | None = None
    """The moment the article is withdrawn (UTC), from `expires`; from then on builds leave it
    out, page and all."""
    updated: datetime.date | None = None
    """The day of the last revision (`updated`), shown as «حُدّث في …»."""
    updated_iso: str = ""
    """`updated` as written (a date or a date-time, ISO 8601): the JSON-LD dateModified."""
    aliases: tuple[str, ...] = ()
    """Old URLs of the article (slugs, or paths inside the site), each a redirect page."""
    source_url: str = ""
    """The original article's URL (http or https) it was imported from; empty when none."""
    image: str = ""
    """The lead image, a path inside the static folder (`images/a.jpg`), from `image`."""
    image_alt: str = ""
    """The lead image's text alternative (`image_alt`)."""
    image_caption: str = ""
    """The lead image's caption (`image_caption`)."""
    image_line: int = 0
    """The line of `image:` in the file, for warnings about it."""

    @property
    def stem(self) -> str:
        """The content file's name without folder and `.md`, for `[x](name.md)` links."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")


@dataclass(frozen=True)
class Site:
    """Every article of a build, newest first (undated last, then by slug), and the config."""

    config: Config
    articles: tuple[Article, ...]
    by_slug: dict[str, Article] = field(default_factory=dict, compare=False, hash=False)
    """Slug → article, for lookups."""


@dataclass(frozen=True)
class Body(_Compact):
    """An article's Markdown rendered to HTML."""

    html: str
    """The body as HTML, internal links already rewritten to article URLs."""
    toc: tuple[tuple[int, str, str], ...]
    """Headings as (level, anchor id, text), for a table of contents."""
    links: tuple[str, ...]
    """Slugs of the articles the body links to, in order of first appearance."""
    unresolved: tuple[str, ...]
    """Link targets that look like articles (a content file `x.md`, or a bare name such as
    a slug) but name no article."""
    unresolved_lines: tuple[int, ...] = ()
    """For each of `unresolved`, the 1-based line of the body where it is written (0:
    not found)."""
    key: str = ""
    """Digest of the Markdown text it was made from (the build cache's key; page fingerprints
    stand it in for the HTML). Empty when made without the cache."""
    image_notes: tuple[tuple[int, str], ...] = ()
    """(1-based line of the body, 0: not found; message) for each image without alt text or
    naming a missing or unreadable file of static/images/ (sitegen.images)."""


@dataclass(frozen=True)
class ArticleLinks(_Compact):
    """An article's resolved cross-references."""

    read_also: tuple[str, ...]
    """Target slugs of the read-also box, resolved, duplicates and self removed."""
    related: tuple[tuple[str, str | None], ...]
    """(title, slug or None) of the outlet's similar list; None renders as plain text."""
    by_tags: tuple[str, ...]
    """Articles added by shared tags, best first, to fill up to `related_min`."""
    backlinks: tuple[str, ...]
    """Slugs of the articles that point to this one, in site order."""


@dataclass(frozen=True)
class Links:
    """The link stage's result: per-article references, and what did not resolve."""

    articles: dict[str, ArticleLinks]
    """Slug → its references."""
    warnings: tuple[str, ...]
    """One `file: reference` line per unresolved reference."""
    notes: tuple[str, ...] = ()
    """One `file: reference` line per headline matched to a similar, not equal, title (a
    guess worth a look: logged at `-v`)."""


@dataclass(frozen=True)
class Output:
    """One file of the built site."""

    path: str
    """Path inside the output folder, '/'-separated, Unicode (not percent-encoded)."""
    data: bytes
    """The file's bytes."""
