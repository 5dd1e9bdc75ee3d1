"""Pages as a reader and a crawler see them: lists, dates, meta, direction, escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from sitegen.build import build
from sitegen.config import load_config

from conftest import article

MakeSite = Callable[[dict[str, str]], Path]


def built(make_site: MakeSite, files: dict[str, str], config: str = "") -> Path:
    root = make_site({**files, "config.toml": 'base_url = "https://example.org/"\n' + config})
    build(load_config(root / "config.toml"))
    return root / "public"


def read(public: Path, rel: str) -> str:
    return (public / rel).read_text(encoding="utf-8")


def test_home_is_paginated_newest_first_with_undated_last(make_site: MakeSite) -> None:
    files = {f"content/{i}.md": article(f"خبر رقم {i}", slug=f"n{i}", date=f"2026-01-{i:02d}")
             for i in range(1, 6)}
    files["content/u.md"] = article("خبر بلا تاريخ", slug="undated")
    public = built(make_site, files, "page_size = 2\n")
    order = []
    for rel in ("index.html", "page/2/index.html", "page/3/index.html"):
        order += re.findall(r'href="/articles/([^/]+)/"', read(public, rel).split("<main", 1)[1])
    assert list(dict.fromkeys(order)) == ["n5", "n4", "n3", "n2", "n1", "undated"]
    assert not (public / "page/4").exists()
    assert 'rel="next" href="/page/2/"' in read(public, "index.html")
    assert 'rel="prev" href="/"' in read(public, "page/2/index.html")
    undated = read(public, "articles/undated/index.html")
    assert "<time" not in undated.split("<main", 1)[1]


def test_article_meta_canonical_open_graph_and_json_ld(make_site: MakeSite) -> None:
    public = built(make_site, {"content/a.md": article(
        "مقال عن Truth Social", slug="مقال", date="2026-11-21", source="صدى البلد",
        tags="[تروث سوشيال, تويتر]", summary="ملخص </script> قصير.")})
    html = read(public, "articles/مقال/index.html")
    canonical = "https://example.org/articles/" + quote("مقال") + "/"
    assert "<title>مقال عن Truth Social – موجز الأخبار</title>" in html
    assert '<meta name="description" content="ملخص &lt;/script&gt; قصير.">' in html
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta property="og:locale" content="ar_AR">' in html
    assert '<meta property="og:type" content="article">' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["@type"] == "NewsArticle" and ld["headline"] == "مقال عن Truth Social"
    assert ld["datePublished"] == "2026-11-21" and ld["publisher"]["name"] == "صدى البلد"
    assert ld["keywords"] == "تروث سوشيال, تويتر" and ld["mainEntityOfPage"] == canonical
    assert '<h1 class="story-title" dir="auto">مقال عن <bdi>Truth Social</bdi></h1>' in html
    assert '<time datetime="2026-11-21">21 نوفمبر 2026</time>' in html


def test_dates_follow_locale_numerals_and_hijri(make_site: MakeSite) -> None:
    files = {"content/a.md": article("'قال \"نعم\" 12'", slug="a", date="2026-11-21")}
    public = built(make_site, files, 'locale = "ar_IQ"\nnumerals = "arab"\nhijri = true\n')
    html = read(public, "articles/a/index.html")
    assert '<time datetime="2026-11-21">٢١ تشرين الثاني ٢٠٢٦</time>' in html
    assert "جمادى الآخرة ١٤٤٨ هـ" in html
    assert "قال &quot;نعم&quot; ١٢" in html and "&#" not in html
    month = read(public, "archive/2026/11/index.html")
    assert "تشرين الثاني ٢٠٢٦" in month and "/articles/a/" in month
    assert 'href="/archive/2026/11/"' in read(public, "archive/index.html")


def test_an_english_article_renders_left_to_right_with_its_own_digits(make_site: MakeSite) -> None:
    public = built(make_site, {"content/en.md": article("Hello", "Launched in 2021.", slug="en", lang="en"),
                               "content/ar.md": article("خبر", "في عام 2021.", slug="ar")},
                   'numerals = "arab"\n')
    html = read(public, "articles/en/index.html")
    assert '<html lang="en" dir="ltr">' in html and "<p>Launched in 2021.</p>" in html
    assert "<p>في عام ٢٠٢١.</p>" in read(public, "articles/ar/index.html")
    assert '<header class="masthead" lang="ar" dir="rtl">' in html


def test_arabic_numerals_leave_links_code_and_machine_readable_digits(make_site: MakeSite) -> None:
    body = ("في عام 2021 زار&#160;3 وفود [التقرير 5](https://example.org/2021/report?id=42 \"تقرير 2021\") "
            "وكتب `x = 10`.\n\n<p lang=\"en\">Model 3 since 2019</p>\n\n"
            "![صورة 4](https://example.org/img/2021.png)\n")
    public = built(make_site, {"content/a.md": article("خبر 7", body, slug="a", date="2026-11-21",
                                                       summary="ملخص عن 3 وفود.")},
                   'numerals = "arab"\nsearch = false\n')
    html = read(public, "articles/a/index.html")
    # What a reader sees is in Arabic-Indic digits, the no-break space included.
    assert '<h1 class="story-title" dir="auto">خبر ٧</h1>' in html
    assert '<p class="standfirst" dir="auto">ملخص عن ٣ وفود.</p>' in html
    assert "<p>في عام ٢٠٢١ زار\u00a0٣ وفود " in html and ">التقرير ٥</a>" in html
    # Links, attribute values, code, English text and the data for machines keep theirs.
    assert '<a href="https://example.org/2021/report?id=42" title="تقرير 2021">' in html
    assert "<code>x = 10</code>" in html and "<bdi>Model 3 since 2019</bdi>" in html
    assert '<img alt="صورة 4" src="https://example.org/img/2021.png">' in html
    assert '<time datetime="2026-11-21">٢١ نوفمبر ٢٠٢٦</time>' in html
    assert '"datePublished": "2026-11-21"' in html and "&#" not in html


def test_titles_and_summaries_are_dir_auto_and_escaped(make_site: MakeSite) -> None:
    public = built(make_site, {"content/a.md": article("'<b>عنوان</b> & رمز'", slug="a", summary="'<i>ملخص</i>'"),
                               "content/b.md": article("ب", slug="b", date="2026-01-01")})
    home = read(public, "index.html")
    assert "&gt;عنوان&lt;/" in home and "&amp; رمز" in home and "<b>" not in home
    assert '<h2 class="card-title" dir="auto">' in home and '<p class="summary" dir="auto">' in home
    assert "&gt;ملخص&lt;/" in home and "<i>" not in home


def test_tag_spellings_share_one_page_and_sources_have_pages(make_site: MakeSite) -> None:
    public = built(make_site, {
        "content/a.md": article("أ", slug="a", tags="[إيلون ماسك]", source="صدى البلد"),
        "content/b.md": article("ب", slug="b", tags="[إیلون ماسک, إيلون ماسك]", source="صدى البلد"),
    })
    b = read(public, "articles/b/index.html")
    assert b.count('rel="tag"') == 1 and ">إيلون ماسك</a>" in b
    assert sorted(p.name for p in (public / "tags").iterdir() if p.is_dir()) == ["إيلون-ماسك"]
    tag = read(public, "tags/إيلون-ماسك/index.html")
    assert "/articles/a/" in tag and "/articles/b/" in tag
    source = read(public, "sources/صدى-البلد/index.html")
    assert "/articles/a/" in source and "/articles/b/" in source
    assert '(2)' in read(public, "sources/index.html")


def test_related_by_tags_fill_the_article_page(make_site: MakeSite) -> None:
    public = built(make_site, {
        "content/a.md": article("أ", slug="a", tags="[نادر]"),
        "content/b.md": article("ب", slug="b", tags="[نادر]"),
    })
    more = re.search(r'<section class="more".*?</section>', read(public, "articles/a/index.html"), re.S)
    assert more and 'href="/articles/b/"' in more.group()


def test_unresolved_related_title_is_plain_text_without_search(make_site: MakeSite) -> None:
    public = built(make_site, {"content/a.md": article(
        "أ", slug="a", related='[{title: "عنوان بعيد", slug: null}]')}, "search = false\n")
    box = re.search(r'<section class="related".*?</section>', read(public, "articles/a/index.html"), re.S)
    assert box and '<span class="unlinked">عنوان بعيد</span>' in box.group() and "<a " not in box.group()


def test_unresolved_related_title_searches_the_site_for_it(make_site: MakeSite) -> None:
    public = built(make_site, {"content/a.md": article(
        "أ", slug="a", related='[{title: "عنوان بعيد & Co", slug: null}]')})
    box = re.search(r'<section class="related".*?</section>', read(public, "articles/a/index.html"), re.S)
    assert box
    hrefs = re.findall(r'<a class="search-for" href="([^"]+)">', box.group())
    assert hrefs == ["/search/?q=" + quote("عنوان بعيد & Co", safe="")]
    assert (public / "search/index.html").exists()


def test_static_assets_are_fingerprinted_and_linked(make_site: MakeSite) -> None:
    public = built(make_site, {"content/a.md": article("أ", slug="a")})
    css = next((public / "static").glob("style.*.css"))
    assert f'<link rel="stylesheet" href="/static/{css.name}">' in read(public, "index.html")
    assert not (public / "static/style.css").exists()


def main_of(html: str) -> str:
    """The page's <main>: what it lists, without the masthead and footer."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_archive_lists_undated_articles_and_no_empty_index_is_linked(make_site: MakeSite) -> None:
    from sitegen.check import check_site

    root = make_site({"content/a.md": article("خبر أول", slug="a"),
                      "content/b.md": article("خبر ثان", slug="b"),
                      "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    public = root / "public"
    archive = main_of(read(public, "archive/index.html"))
    assert '<a href="/archive/undated/" dir="auto">بدون تاريخ</a> <span class="count">(2)</span>' in archive
    undated = main_of(read(public, "archive/undated/index.html"))
    assert 'href="/articles/a/"' in undated and 'href="/articles/b/"' in undated
    # No article has a tag or a source: those indexes are neither built nor linked.
    home = read(public, "index.html")
    nav = re.search(r'<nav class="site-nav".*?</nav>', home, re.S).group()
    assert re.findall(r">([^<>]+)</a>", nav) == ["الرئيسية", "الأرشيف"]
    assert not (public / "tags").exists() and not (public / "sources").exists()
    assert "/tags/" not in read(public, "sitemap.xml")
    report = check_site(config)
    assert report.broken == [] and report.orphans == []


def test_an_empty_site_links_no_archive(make_site: MakeSite) -> None:
    from sitegen.check import check_site

    root = make_site({"config.toml": 'base_url = "https://example.org/"\n'})
    (root / "content").mkdir()
    config = load_config(root / "config.toml")
    build(config)
    public = root / "public"
    for page in ("index.html", "404.html", "search/index.html"):
        assert "/archive/" not in read(public, page), page
    assert not (public / "archive").exists()
    report = check_site(config)
    assert report.broken == [] and report.orphans == []


def test_every_list_is_paginated_with_rel_links_and_arabic_numerals(make_site: MakeSite) -> None:
    files = {f"content/{i}.md": article(f"خبر رقم {i}", slug=f"n{i}", date=f"2026-03-{i:02d}",
                                         tags="[الاقتصاد]", source="وكالات") for i in range(1, 6)}
    public = built(make_site, files, 'page_size = 2\nnumerals = "arab"\nsearch = false\n')
    for folder in ("tags/الاقتصاد/", "sources/وكالات/", "archive/2026/03/"):
        pages = [folder + "index.html", folder + "page/2/index.html", folder + "page/3/index.html"]
        shown = [re.findall(r'href="/articles/([^/]+)/"', main_of(read(public, p))) for p in pages]
        assert [list(dict.fromkeys(s)) for s in shown] == [["n5", "n4"], ["n3", "n2"], ["n1"]], folder
        assert not (public / folder / "page/4").exists()
        href = "/" + quote(folder)
        first, second, last = (read(public, p) for p in pages)
        assert f'<a class="pager-step" rel="next" href="{href}page/2/">' in first
        assert f'<link rel="next" href="{href}page/2/">' in first and 'rel="prev"' not in first
        assert f'rel="prev" href="{href}"' in second and f'rel="next" href="{href}page/3/"' in second
        assert 'rel="next"' not in last
        # Page numbers in the site's numerals; the current one is marked, not linked.
        assert '<span aria-current="page"><span class="visually-hidden">صفحة </span>٢</span>' in second
        assert f'<a href="{href}page/3/"><span class="visually-hidden">صفحة </span>٣</a>' in second
        assert "صفحة ٢ من ٣" in second
        assert "<title>" in second and "– صفحة ٢ –" in second.split("</title>", 1)[0]


def test_a_big_front_page_has_a_section_per_top_tag(make_site: MakeSite) -> None:
    files = {f"content/{i}.md": article(f"خبر رقم {i}", slug=f"n{i}", date=f"2026-03-{i:02d}",
                                         tags="[الاقتصاد, النفط]" if i % 2 else "[الاقتصاد]")
             for i in range(1, 10)}
    public = built(make_site, files, "page_size = 3\nsearch = false\n")
    home = main_of(read(public, "index.html"))
    latest, *sections = home.split('<section class="front-section"')
    assert re.findall(r'href="/articles/([^/]+)/"', latest) == ["n9", "n8", "n7"]  # lead, then cards
    # The tag with the most articles first; its newest articles not shown above, with its link.
    names = [re.search(r'<h2 id="section-\d" class="section-title" dir="auto"><a href="([^"]+)">', s).group(1)
             for s in sections]
    assert names == ["/tags/" + quote("الاقتصاد") + "/", "/tags/" + quote("النفط") + "/"]
    cards = [re.findall(r'<h2 class="card-title" dir="auto"><a href="/articles/([^/]+)/"', s) for s in sections]
    assert cards == [["n6", "n5", "n4"], ["n3", "n1"]]
    assert "كل أخبار «الاقتصاد» (9)" in sections[0]
    # Older pages are the plain list; a site of one page has no sections.
    assert "front-section" not in read(public, "page/2/index.html")
    small = built(make_site, {"content/a.md": article("أ", slug="a", tags="[الاقتصاد]")}, "search = false\n")
    assert "front-section" not in read(small, "index.html")


def test_the_theme_has_a_favicon_served_where_browsers_ask(make_site: MakeSite) -> None:
    public = built(make_site, {"content/a.md": article("أ", slug="a")})
    assert (public / "favicon.ico").read_bytes()[:4] == b"\0\0\1\0"  # an ICO file's header
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in read(public, "index.html")
    assert (public / "static/favicon.svg").read_text(encoding="utf-8").startswith("<svg")


def test_the_table_of_contents_has_a_visible_heading(make_site: MakeSite) -> None:
    body = "## أول\n\nنص.\n\n## ثان\n\nنص.\n\n## ثالث\n\nنص."
    html = read(built(make_site, {"content/a.md": article("أ", body, slug="a")}), "articles/a/index.html")
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group()
    assert 'aria-labelledby="toc-title"' in toc and '<h2 id="toc-title" class="toc-title">محتويات المقال</h2>' in toc


def test_the_first_tag_links_the_tags_index_from_pages_a_rebuild_keeps(make_site: MakeSite) -> None:
    from sitegen.build import verify_incremental

    root = make_site({"content/a.md": article("أ", slug="a"), "content/b.md": article("ب", slug="b"),
                      "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    assert "/tags/" not in read(root / "public", "articles/b/index.html")
    (root / "content/a.md").write_text(article("أ", slug="a", tags="[نادر]"), encoding="utf-8")
    _report, diffs = verify_incremental(config)
    assert diffs == []
    # b's page shows nothing of a, yet its navigation now links the tags' index.
    assert 'href="/tags/">الوسوم</a>' in read(root / "public", "articles/b/index.html")
