"""Atom feeds, the sitemap and robots.txt, read by the tools that consume them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote

import feedparser
import pytest

from sitegen import feeds
from sitegen.build import build
from sitegen.config import load_config

MakeSite = Callable[[dict[str, str]], Path]


def article(slug: str, title: str, **meta: str) -> str:
    lines = [f"title: {title}", f"slug: {slug}"] + [f"{k}: {v}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\nنص.\n"


FILES = {
    "content/a.md": article("a", "خبر أول عن Truth Social", date="2026-11-20", tags="[تروث سوشيال]",
                            summary="ملخص & رموز <b>.", source="صدى البلد"),
    "content/b.md": article("b", "خبر ثان", date="2026-11-21", tags="[تروث سوشيال, تويتر]"),
    "content/c.md": article("c", "خبر بلا تاريخ"),
}


def test_site_feed_has_one_entry_per_article(seeds_site: Path) -> None:
    feed = feedparser.parse((seeds_site / "public/feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) == len(list((seeds_site / "content").glob("*.md")))
    for entry in feed.entries:
        assert entry.link.startswith("https://digest.example.org/articles/")
        path = unquote(entry.link.removeprefix("https://digest.example.org/"))
        assert (seeds_site / "public" / path / "index.html").is_file()
        assert entry.title


def test_feeds_parse_with_sub_path_and_per_tag(make_site: MakeSite) -> None:
    root = make_site({**FILES, "config.toml": 'base_url = "https://example.org/digest/"\n'})
    build(load_config(root / "config.toml"))
    feed = feedparser.parse((root / "public/feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == ["خبر ثان", "خبر أول عن Truth Social", "خبر بلا تاريخ"]
    assert feed.entries[0].link == "https://example.org/digest/articles/b/"
    assert feed.entries[1].summary == "ملخص & رموز <b>."
    assert feed.entries[1].published.startswith("2026-11-20")
    assert feed.feed.updated.startswith("2026-11-21")
    tag = feedparser.parse((root / "public/tags/تروث-سوشيال/feed.xml").read_bytes())
    assert not tag.bozo and [e.link for e in tag.entries] == [
        "https://example.org/digest/articles/b/", "https://example.org/digest/articles/a/"]
    assert [t.term for t in tag.entries[0].tags] == ["تروث سوشيال", "تويتر"]
    page = (root / "public/tags/تروث-سوشيال/index.html").read_text(encoding="utf-8")
    assert f'href="/digest/tags/{quote("تروث-سوشيال")}/feed.xml"' in page


def test_each_source_has_its_feed(make_site: MakeSite) -> None:
    files = {**FILES, "content/d.md": article("d", "خبر ثالث", date="2026-11-22", source="صدى البلد")}
    root = make_site({**files, "config.toml": 'base_url = "https://example.org/digest/"\n'})
    build(load_config(root / "config.toml"))
    feed = feedparser.parse((root / "public/sources/صدى-البلد/feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "موجز الأخبار – صدى البلد"
    assert [e.link for e in feed.entries] == ["https://example.org/digest/articles/d/",
                                              "https://example.org/digest/articles/a/"]
    page = (root / "public/sources/صدى-البلد/index.html").read_text(encoding="utf-8")
    href = f"/digest/sources/{quote('صدى-البلد')}/feed.xml"
    assert f'<link rel="alternate" type="application/atom+xml" title="صدى البلد" href="{href}">' in page
    assert f'<a href="{href}">خلاصة Atom لهذا المصدر</a>' in page


def test_feeds_carry_the_newest_feed_limit_entries(make_site: MakeSite) -> None:
    root = make_site({**FILES, "config.toml": 'base_url = "https://example.org/"\nfeed_limit = 1\n'})
    build(load_config(root / "config.toml"))
    feed = feedparser.parse((root / "public/feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["خبر ثان"]
    assert feed.feed.updated.startswith("2026-11-21")
    tag = feedparser.parse((root / "public/tags/تروث-سوشيال/feed.xml").read_bytes())
    assert [e.link for e in tag.entries] == ["https://example.org/articles/b/"]
    # The sitemap still lists every article: only feeds are capped.
    assert (root / "public/sitemap.xml").read_text(encoding="utf-8").count("/articles/") == 3


def test_sitemap_and_robots(make_site: MakeSite) -> None:
    root = make_site({**FILES, "config.toml": 'base_url = "https://example.org/digest/"\n'})
    build(load_config(root / "config.toml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ET.parse(root / "public/sitemap.xml").getroot().findall("s:url", ns)
    locs = {u.find("s:loc", ns).text: u.find("s:lastmod", ns) for u in urls}
    for slug in "abc":
        assert f"https://example.org/digest/articles/{slug}/" in locs
    assert locs["https://example.org/digest/articles/b/"].text == "2026-11-21"
    assert locs["https://example.org/digest/articles/c/"] is None
    assert f"https://example.org/digest/tags/{quote('تويتر')}/" in locs
    robots = (root / "public/robots.txt").read_text()
    assert "Sitemap: https://example.org/digest/sitemap.xml" in robots


def test_undated_feed_takes_its_time_from_source_date_epoch(make_site: MakeSite, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    root = make_site({"content/c.md": FILES["content/c.md"]})
    build(load_config(root / "config.toml"))
    feed = feedparser.parse((root / "public/feed.xml").read_bytes())
    assert feed.feed.updated == "2027-01-15T08:00:00Z"
    assert feed.entries[0].updated == "2027-01-15T08:00:00Z" and "published" not in feed.entries[0]


@pytest.mark.parametrize("tag, code", [("ar", "ar"), ("ar-EG", "ar"), ("en", "en"), ("zh-TW", "zh-tw"),
                                       ("zh-Hans", "zh-cn"), ("zh", "zh-cn")])
def test_news_sitemap_language_codes(tag: str, code: str) -> None:
    assert feeds.news_language(tag) == code


ATOM = "{http://www.w3.org/2005/Atom}"


def test_an_entry_names_its_writer_as_author_and_its_outlet_as_a_category(make_site: MakeSite) -> None:
    files = {"content/a.md": article("a", "خبر بقلم كاتب", date="2026-11-20", author="سارة المصري",
                                     source="صدى البلد", tags="[اقتصاد]"),
             "content/b.md": article("b", "خبر بلا كاتب", date="2026-11-21", source="وكالات")}
    root = make_site({**files, "config.toml": 'title = "موجز الاختبار"\nbase_url = "https://example.org/d/"\n'})
    build(load_config(root / "config.toml"))
    for path in ("feed.xml", "sources/صدى-البلد/feed.xml", "tags/اقتصاد/feed.xml"):
        feed = ET.parse(root / "public" / path).getroot()
        entries = {e.findtext(f"{ATOM}title"): e for e in feed.iter(f"{ATOM}entry")}
        written = entries["خبر بقلم كاتب"]
        # The byline is the author; the outlet is never an author.
        assert [a.findtext(f"{ATOM}name") for a in written.iter(f"{ATOM}author")] == ["سارة المصري"], path
        categories = [(c.get("term"), c.get("scheme"), c.get("label")) for c in written.iter(f"{ATOM}category")]
        assert categories == [("اقتصاد", None, None),
                              ("صدى البلد", "https://example.org/d/sources/", "صدى البلد")], path
        if path == "feed.xml":
            # Without a byline, the digest itself: each entry has its author, as Atom requires.
            unsigned = entries["خبر بلا كاتب"]
            assert [a.findtext(f"{ATOM}name") for a in unsigned.iter(f"{ATOM}author")] == ["موجز الاختبار"]
            assert ("وكالات", "https://example.org/d/sources/") in [
                (c.get("term"), c.get("scheme")) for c in unsigned.iter(f"{ATOM}category")]
    # What a feed reader takes from it.
    parsed = feedparser.parse((root / "public/feed.xml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert [e.author for e in parsed.entries] == ["موجز الاختبار", "سارة المصري"]
