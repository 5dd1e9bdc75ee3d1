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


def test_unresolved_related_title_is_plain_text_never_a_dead_link(make_site: MakeSite) -> None:
    public = built(make_site, {"content/a.md": article(
        "أ", slug="a", related='[{title: "عنوان بعيد", slug: null}]')})
    box = re.search(r'<section class="related".*?</section>', read(public, "articles/a/index.html"), re.S)
    assert box and "عنوان بعيد" in box.group() and "<a " not in box.group()


def test_static_assets_are_fingerprinted_and_linked(make_site: MakeSite) -> None:
    public = built(make_site, {"content/a.md": article("أ", slug="a")})
    css = next((public / "static").glob("style.*.css"))
    assert f'<link rel="stylesheet" href="/static/{css.name}">' in read(public, "index.html")
    assert not (public / "static/style.css").exists()
