"""What machines read of the site: Atom feeds, sitemaps (split into parts with an index past
the sitemaps.org limits), the Google News sitemap and robots.txt. Plain functions of the
articles and the config; the render stage decides which of them to make."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sitegen.config import Config
from sitegen.model import Article, Output, Site
from sitegen.schedule import source_date_epoch
from sitegen.urls import abs_url, article_path, quoteattr, xml_escape

SITEMAP_MAX_URLS = 50_000
"""The most URLs one sitemap file may list (sitemaps.org)."""
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
"""The largest one sitemap file may be, uncompressed (sitemaps.org)."""
SITEMAP_PART = re.compile(r"sitemap-\d+\.xml")
"""The name of a part of a split sitemap."""

NEWS_SITEMAP = "news-sitemap.xml"
"""The Google News sitemap's name, beside sitemap.xml (robots.txt lists both)."""
NEWS_DAYS = 2
"""A Google News sitemap lists the articles of the last two days."""


# --- Atom ------------------------------------------------------------------------------
def atom_time(d: datetime.date | None, fallback: datetime.datetime) -> str:
    """An Atom date-time: midnight UTC of `d`, or `fallback` when there is no date."""
    if d is None:
        return fallback.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{d.isoformat()}T00:00:00Z"


def atom_entry(a: Article, config: Config, now: datetime.datetime, body_html: str | None = None) -> str:
    """The Atom entry of article `a`, its lines joined; with `body_html` (config
    `feed_full_content`), the body as the entry's content."""
    link = abs_url(config, article_path(a.slug))
    lines = ["<entry>",
             f"<title>{xml_escape(a.title)}</title>",
             f"<id>{xml_escape(link)}</id>",
             f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>',
             f"<updated>{atom_time(a.date, now)}</updated>"]
    if a.date:
        lines.append(f"<published>{atom_time(a.date, now)}</published>")
    # The byline, else the digest, which wrote the summary (the feed's author, repeated
    # because readers show an entry's author, not its feed's).
    lines.append(f"<author><name>{xml_escape(a.author or config.title)}</name></author>")
    lines += [f"<category term={quoteattr(t)}/>" for t in a.tags]
    if a.source:
        # The outlet is not the author: a category in the sources scheme, which readers
        # list with the tags (FreshRSS, Miniflux, NewsBlur), unlike <source>, which
        # few show and which means an entry copied from another Atom feed.
        lines.append(f"<category term={quoteattr(a.source)} scheme="
                     f"{quoteattr(abs_url(config, 'sources/'))} label={quoteattr(a.source)}/>")
    if a.summary:
        lines.append(f"<summary>{xml_escape(a.summary)}</summary>")
    if body_html is not None:
        # Links in the body are site-absolute paths: xml:base makes them resolve.
        lines.append(f'<content type="html" xml:base={quoteattr(config.base_url)}>'
                     f"{xml_escape(body_html)}</content>")
    lines.append("</entry>")
    return "\n".join(lines)


def atom_feed(config: Config, path: str, title: str, page: str, entries: Iterable[str],
              newest: datetime.date | None, now: datetime.datetime) -> bytes:
    """The Atom feed at output `path`, titled `title`, for the HTML page at `page`, holding
    `entries` (atom_entry's); updated at `newest` (its newest entry's date), else `now`."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
             f"<title>{xml_escape(title)}</title>",
             f"<subtitle>{xml_escape(config.description)}</subtitle>",
             f"<id>{xml_escape(abs_url(config, path))}</id>",
             f'<link rel="self" href={quoteattr(abs_url(config, path))}/>',
             f'<link rel="alternate" type="text/html" href={quoteattr(abs_url(config, page))}/>',
             f"<updated>{atom_time(newest, now)}</updated>",
             f"<author><name>{xml_escape(config.title)}</name></author>"]
    lines += entries
    lines.append("</feed>\n")
    return "\n".join(lines).encode("utf-8")


# --- Sitemaps --------------------------------------------------------------------------
SitemapEntry = tuple[str, "datetime.date | None"]
"""A URL of the sitemap: (output path, date of its last change or None)."""


def sitemap_entries(home: Sequence[str], articles: Sequence[Article],
                    indexes: Iterable[tuple[str, Sequence[str]]]) -> list[SitemapEntry]:
    """What sitemap.xml lists: every page of the home page (`home`), every article (dated by
    its revision, else its date), then for each of `indexes` (an index folder and the
    folders of its groups' pages) that has groups, the index and each group page. Every page
    of a paged list is listed: each is indexable with its own canonical, as Google asks of
    paginated lists, so crawlers reach the articles page 1 no longer shows."""
    entries: list[SitemapEntry] = [(path, None) for path in home]
    entries += [(article_path(a.slug), a.updated or a.date) for a in articles]
    for index, folders in indexes:
        if folders:
            entries.append((index, None))
        entries += [(path, None) for path in folders]
    return entries


@dataclass(frozen=True)
class SitemapFile:
    """One file of the sitemap: sitemap.xml, or a part and the index listing the parts."""

    path: str
    """Its output path."""
    kind: str
    """`sitemap` (a list of URLs) or `sitemap-index`."""
    listed: tuple[SitemapEntry, ...]
    """What it lists: URLs, or parts, with their dates. Its bytes follow from these."""
    data: bytes
    """Its bytes."""


def sitemap_files(config: Config, entries: Sequence[SitemapEntry]) -> list[SitemapFile]:
    """The sitemap of `entries`: sitemap.xml alone, or, when one file would pass
    SITEMAP_MAX_URLS URLs or SITEMAP_MAX_BYTES bytes, sitemap-1.xml, sitemap-2.xml, … (each
    within both limits, in that order) and sitemap.xml as their sitemap index."""
    urls = [f"<url><loc>{xml_escape(abs_url(config, path))}</loc>"
            f"{f'<lastmod>{d.isoformat()}</lastmod>' if d else ''}</url>" for path, d in entries]
    head = ['<?xml version="1.0" encoding="utf-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    tail = "</urlset>\n"
    frame = sum(len(line.encode("utf-8")) + 1 for line in head) + len(tail)
    # Cut where the next URL would pass either limit (each line and its newline).
    cuts, size = [0], frame
    for i, line in enumerate(urls):
        n = len(line.encode("utf-8")) + 1
        if i > cuts[-1] and (i - cuts[-1] == SITEMAP_MAX_URLS or size + n > SITEMAP_MAX_BYTES):
            cuts.append(i)
            size = frame
        size += n
    cuts.append(len(urls))
    if len(cuts) == 2:
        return [SitemapFile("sitemap.xml", "sitemap", tuple(entries),
                            "\n".join([*head, *urls, tail]).encode("utf-8"))]
    files, index = [], []
    for n, (lo, hi) in enumerate(zip(cuts, cuts[1:]), start=1):
        path = f"sitemap-{n}.xml"
        dates = [d for _p, d in entries[lo:hi] if d]
        index.append((path, max(dates) if dates else None))
        files.append(SitemapFile(path, "sitemap", tuple(entries[lo:hi]),
                                 "\n".join([*head, *urls[lo:hi], tail]).encode("utf-8")))
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<sitemap><loc>{xml_escape(abs_url(config, path))}</loc>"
              f"{f'<lastmod>{d.isoformat()}</lastmod>' if d else ''}</sitemap>" for path, d in index]
    lines.append("</sitemapindex>\n")
    files.append(SitemapFile("sitemap.xml", "sitemap-index", tuple(index), "\n".join(lines).encode("utf-8")))
    return files


# --- Google News sitemap -----------------------------------------------------------------
def news_reference_day(site: Site) -> datetime.date | None:
    """The day the news sitemap counts back from: SOURCE_DATE_EPOCH's (UTC) when it is set,
    else the newest article's date, so two builds of the same inputs give the same file.
    None when neither exists."""
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).date()
    # The site is in date order, newest first, undated last: the first date is the newest.
    return next((a.date for a in site.articles if a.date), None)


def news_sitemap(site: Site) -> list[Output]:
    """`news-sitemap.xml`: the articles dated on the reference day or the day before (Google
    News takes articles of the last two days), newest first; no file when there is none."""
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


def news_language(tag: str) -> str:
    """The language code Google News wants: ISO 639 (`ar`), but zh-cn / zh-tw for Chinese."""
    primary, _, region = tag.lower().partition("-")
    return f"zh-{'tw' if region in ('tw', 'hk', 'hant') else 'cn'}" if primary == "zh" else primary


# --- robots.txt ------------------------------------------------------------------------
def robots_txt(config: Config, sitemaps: Iterable[str]) -> Output:
    """robots.txt: everything allowed, and where each of `sitemaps` (output paths) is."""
    return Output("robots.txt", ("User-agent: *\nAllow: /\n\n" + "".join(
        f"Sitemap: {abs_url(config, s)}\n" for s in sitemaps)).encode())
