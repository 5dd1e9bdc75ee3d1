"""Quality gate: sitemap.xml validates against the sitemaps.org 0.9 schema (with lxml), and the
Google News sitemap (news-sitemap.xml) has the structure Google documents, for the articles
of the last two days.

tests/data/sitemap.xsd comes from the `sitemap` npm package (see tests/data/sitemap.xsd.README).
The news elements live in another namespace that the 0.9 schema admits with
processContents="strict"; Google's news schema is not vendored, so news-sitemap.xml is
validated against the 0.9 schema with those foreign elements skipped, and its news elements
are checked in Python.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from pathlib import Path
from typing import Callable

import pytest
from lxml import etree

from sitegen.cli import main

XSD = Path(__file__).parent / "data" / "sitemap.xsd"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"

MakeSite = Callable[[dict[str, str]], Path]


def schema(skip_foreign: bool = False) -> etree.XMLSchema:
    """The sitemaps.org 0.9 schema; with `skip_foreign`, elements of other namespaces (news:)
    are admitted without a schema of their own."""
    text = XSD.read_bytes()
    if skip_foreign:
        text = text.replace(b'processContents="strict"', b'processContents="skip"')
    return etree.XMLSchema(etree.fromstring(text))


def validate(path: Path, skip_foreign: bool = False) -> list[str]:
    """The schema's complaints about the XML file at `path` (empty: valid)."""
    xsd = schema(skip_foreign)
    doc = etree.parse(str(path))
    if xsd.validate(doc):
        return []
    return [f"{path.name}:{e.line}: {e.message}" for e in xsd.error_log]  # type: ignore[attr-defined]


def test_the_seeds_sitemap_is_valid(seeds_site: Path) -> None:
    sitemap = seeds_site / "public" / "sitemap.xml"
    assert validate(sitemap) == []
    locs = etree.parse(str(sitemap)).findall(f"{SM}url/{SM}loc")
    assert len(locs) > 3  # home, articles, tags …
    # The search page is not a page for search engines (it says noindex).
    assert not any(loc.text.endswith("/search/") for loc in locs)


def test_the_gate_rejects_an_invalid_sitemap(tmp_path: Path) -> None:
    bad = tmp_path / "sitemap.xml"
    bad.write_text('<?xml version="1.0" encoding="utf-8"?>\n'
                   '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                   "<url><lastmod>yesterday</lastmod></url>\n</urlset>\n", encoding="utf-8")
    problems = validate(bad)
    assert problems and any("lastmod" in p for p in problems), problems


def article(title: str, slug: str, date: str | None) -> str:
    dated = f"date: {date}\n" if date else ""
    return f"---\ntitle: {title}\nslug: {slug}\n{dated}---\nنص المقال عن {title}.\n"


DATED = {
    "config.toml": 'base_url = "https://example.org/digest/"\ntitle = "موجز <الأخبار> & الرأي"\n',
    "content/a.md": article("خبر اليوم", "a", "2026-11-21"),
    "content/b.md": article("خبر الأمس", "b", "2026-11-20"),
    "content/c.md": article("خبر قبل يومين", "c", "2026-11-19"),
    "content/d.md": article("خبر بلا تاريخ", "d", None),
}


def build(root: Path) -> Path:
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    return root / "public"


def news_entries(path: Path) -> list[dict[str, str]]:
    """Each <url> of a news sitemap as {loc, name, language, date, title}, checking that
    every one has exactly the elements Google News requires, once each."""
    entries = []
    for url in etree.parse(str(path)).getroot():
        assert url.tag == f"{SM}url"
        (news,) = url.findall(f"{NEWS}news")
        (publication,) = news.findall(f"{NEWS}publication")
        (name,) = publication.findall(f"{NEWS}name")
        (language,) = publication.findall(f"{NEWS}language")
        (date,) = news.findall(f"{NEWS}publication_date")
        (title,) = news.findall(f"{NEWS}title")
        (loc,) = url.findall(f"{SM}loc")
        entries.append({"loc": loc.text, "name": name.text, "language": language.text,
                        "date": date.text, "title": title.text})
    return entries


def test_news_sitemap_lists_the_last_two_days_counted_from_the_newest_article(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    public = build(make_site(DATED))
    news = public / "news-sitemap.xml"
    assert validate(news, skip_foreign=True) == []
    entries = news_entries(news)
    assert [e["title"] for e in entries] == ["خبر اليوم", "خبر الأمس"]
    assert entries[0] == {"loc": "https://example.org/digest/articles/a/", "name": "موجز <الأخبار> & الرأي",
                          "language": "ar", "date": "2026-11-21", "title": "خبر اليوم"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", e["date"]) for e in entries)
    robots = (public / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://example.org/digest/sitemap.xml\n" in robots
    assert "Sitemap: https://example.org/digest/news-sitemap.xml\n" in robots


def test_news_sitemap_counts_from_source_date_epoch_when_set(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    noon = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(noon.timestamp())))
    public = build(make_site(DATED))
    # 21 November is after the reference day: not yet published, as far as this build knows.
    assert [e["title"] for e in news_entries(public / "news-sitemap.xml")] == ["خبر الأمس", "خبر قبل يومين"]


def test_no_recent_article_means_no_news_sitemap(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    later = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(later.timestamp())))
    public = build(make_site(DATED))
    assert not (public / "news-sitemap.xml").exists()
    assert "news-sitemap" not in (public / "robots.txt").read_text(encoding="utf-8")
    assert validate(public / "sitemap.xml") == []


def test_news_sitemap_is_the_same_in_two_builds(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = make_site(DATED)
    first = build(root).joinpath("news-sitemap.xml").read_bytes()
    second = root / "second"
    assert main(["build", "-q", "-C", str(root / "config.toml"), "--out", str(second)]) == 0
    assert (second / "news-sitemap.xml").read_bytes() == first


def sitemap_locs(public: Path) -> list[str]:
    """Every page URL the sitemap lists, following a sitemap index to its parts (each of
    which must be valid), in order."""
    root = etree.parse(str(public / "sitemap.xml")).getroot()
    if root.tag == f"{SM}urlset":
        assert validate(public / "sitemap.xml") == []
        return [loc.text for loc in root.findall(f"{SM}url/{SM}loc")]
    assert root.tag == f"{SM}sitemapindex"
    locs = []
    for entry in root:
        assert entry.tag == f"{SM}sitemap" and [c.tag for c in entry][0] == f"{SM}loc"
        part = entry.find(f"{SM}loc").text.removeprefix("https://example.org/digest/")
        assert validate(public / part) == []
        locs += sitemap_locs_of(public / part)
    return locs


def sitemap_locs_of(path: Path) -> list[str]:
    return [loc.text for loc in etree.parse(str(path)).findall(f"{SM}url/{SM}loc")]


@pytest.mark.parametrize("limit", ["SITEMAP_MAX_URLS", "SITEMAP_MAX_BYTES"])
def test_a_sitemap_past_a_limit_becomes_an_index_of_parts(
        limit: str, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from sitegen import feeds
    from sitegen.build import verify_incremental
    from sitegen.config import load_config

    root = make_site(DATED)
    whole = sitemap_locs(build(root))
    assert len(whole) == 8  # home, 4 articles, the archive, its month and its undated group
    # Three URLs a file, or 400 bytes (a URL line is 50-90 bytes, the file's frame 110).
    monkeypatch.setattr(feeds, limit, 3 if limit == "SITEMAP_MAX_URLS" else 400)
    split = tmp_path / "split"
    assert main(["build", "-q", "-C", str(root / "config.toml"), "--out", str(split)]) == 0
    parts = [f"sitemap-{n}.xml" for n in range(1, len(list(split.glob("sitemap-*.xml"))) + 1)]
    assert len(parts) == 3 and all((split / p).is_file() for p in parts)
    if limit == "SITEMAP_MAX_URLS":
        assert [len(sitemap_locs_of(split / p)) for p in parts] == [3, 3, 2]
    else:
        assert all((split / p).stat().st_size <= 400 for p in parts)
    assert sitemap_locs(split) == whole
    index = (split / "sitemap.xml").read_text(encoding="utf-8")
    assert "<sitemap><loc>https://example.org/digest/sitemap-1.xml</loc><lastmod>2026-11-21</lastmod></sitemap>" in index
    # An edit that moves URLs between parts, built incrementally, gives what a full build gives.
    (root / "content/e.md").write_text(article("خبر جديد", "e", "2026-11-22"), encoding="utf-8")
    report, diffs = verify_incremental(load_config(root / "config.toml").replace(output_dir=split))
    assert diffs == []
    assert sitemap_locs(split) == [*whole[:1], "https://example.org/digest/articles/e/", *whole[1:]]


def test_every_indexable_page_is_in_the_sitemap_each_its_own_canonical(make_site: MakeSite) -> None:
    """Paged lists (/page/2/, /tags/x/page/2/, …) included, as Google asks of paginated lists:
    each page indexable, canonical to itself, and listed; pages saying noindex are not."""
    def story(i: int) -> str:
        return (f"---\ntitle: خبر رقم {i}\nslug: n{i}\ndate: 2026-03-{i:02d}\ntags: [الاقتصاد]\n"
                f"source: صدى البلد\nauthor: سارة المصري\naliases: [old-{i}]\n---\nنص الخبر {i}.\n")
    files = {f"content/{i}.md": story(i) for i in range(1, 6)}
    root = make_site({**files, "config.toml": 'base_url = "https://example.org/digest/"\npage_size = 2\n'})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    public = root / "public"
    sitemap = public / "sitemap.xml"
    assert validate(sitemap) == []
    listed = {loc.text for loc in etree.parse(str(sitemap)).findall(f"{SM}url/{SM}loc")}
    pages = {}
    for html in public.rglob("*.html"):
        if html.name == "404.html":
            continue
        text = html.read_text(encoding="utf-8")
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', text)
        assert canonical, html
        here = "https://example.org/digest/" + urllib.parse.quote(
            str(html.parent.relative_to(public)) + "/" if html.parent != public else "")
        pages[here] = ('name="robots" content="noindex"' in text, canonical.group(1))
    indexable = {page for page, (noindex, _) in pages.items() if not noindex}
    assert listed == indexable
    for page in indexable:
        assert pages[page][1] == page  # each page of a list is its own canonical, not page 1
    paged = sorted(p.removeprefix("https://example.org/digest/") for p in listed if "/page/" in p)
    assert [urllib.parse.unquote(p) for p in paged] == [
        "archive/2026/03/page/2/", "archive/2026/03/page/3/",
        "authors/سارة-المصري/page/2/", "authors/سارة-المصري/page/3/",
        "page/2/", "page/3/",
        "sources/صدى-البلد/page/2/", "sources/صدى-البلد/page/3/",
        "tags/الاقتصاد/page/2/", "tags/الاقتصاد/page/3/"]
