"""Cross-references: read-also, related titles, backlinks, related-by-tags ranking."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sitegen.config import Config
from sitegen.links import link_site, related_by_tags
from sitegen.load import parse_article, sort_key
from sitegen.markdown import render_bodies
from sitegen.model import Article, Site


def art(slug: str, title: str = "", body: str = "نص.", **meta: str) -> Article:
    lines = [f"title: {title or 'عنوان ' + slug}", f"slug: {slug}"] + [f"{k}: {v}" for k, v in meta.items()]
    return parse_article("---\n" + "\n".join(lines) + "\n---\n" + body + "\n", f"content/{slug}.md")


def site(*articles: Article, **config: object) -> Site:
    arts = tuple(sorted(articles, key=sort_key))
    return Site(Config(root=Path("/nowhere"), **config), arts, {a.slug: a for a in arts})  # type: ignore[arg-type]


def test_read_also_resolves_by_slug_or_title_and_gives_backlinks() -> None:
    s = site(art("a", read_also="[b, 'عنوان ج']"), art("b"), art("c", title="عنوان ج"))
    links = link_site(s)
    assert links.articles["a"].read_also == ("b", "c")
    assert links.articles["b"].backlinks == ("a",)
    assert links.articles["c"].backlinks == ("a",)
    assert links.warnings == ()


def test_read_also_cycle_renders_once_each_way() -> None:
    s = site(art("a", read_also="[b, b, a]"), art("b", read_also="[a]"))
    links = link_site(s)
    assert links.articles["a"].read_also == ("b",)
    assert links.articles["b"].read_also == ("a",)
    assert links.articles["a"].backlinks == ("b",)
    assert links.articles["b"].backlinks == ("a",)


def test_related_titles_match_across_spellings_and_unknown_ones_stay_plain() -> None:
    s = site(art("target", title="إيلون ماسك يهاجم المستشار الألماني"),
             art("a", related='[{title: "ايلون ماسك يهاجم المستشار الالماني", slug: null}, '
                              '{title: "عنوان لا مقال له", slug: null}]'))
    links = link_site(s)
    assert links.articles["a"].related == (("ايلون ماسك يهاجم المستشار الالماني", "target"),
                                           ("عنوان لا مقال له", None))
    assert links.articles["target"].backlinks == ("a",)
    assert links.warnings == ()  # a headline from the outlet's list with no article is normal


def test_unresolved_references_are_warnings_with_file_and_reference() -> None:
    s = site(art("a", read_also="[gone]", related='[{title: "x", slug: gone-too}]',
                 body="[رابط](missing.md)"))
    links = link_site(s, render_bodies(s, lambda slug: f"/articles/{slug}/"))
    assert links.warnings == (
        "content/a.md: read_also: «gone» names no article",
        "content/a.md: related: «x» (gone-too) names no article",
        "content/a.md:7: link: «missing.md» names no article",  # the body's first line is 7
    )
    assert links.articles["a"].related == (("x", None),)


def test_a_read_also_slug_with_a_typo_is_a_warning_never_a_similar_title() -> None:
    # One letter short of the slug, so its words are 80 % like the article's title: the
    # headline matcher would take it for that article.
    target = art("خطة-ترامب-الجديدة-للشرق-الأوسط", title="خطة ترامب الجديدة للشرق الأوسط")
    typo = "خطة-ترامب-الجديد-للشرق-الأوسط"
    s = site(target, art("a", read_also=f"[{typo}]"))
    links = link_site(s)
    assert links.articles["a"].read_also == ()
    assert links.warnings == (f"content/a.md: read_also: «{typo}» names no article",)
    assert links.articles[target.slug].backlinks == ()


def test_a_read_also_slug_matches_exactly_after_unicode_normalisation_only() -> None:
    # «آفاق» typed as alef + combining madda (NFD) is the same slug; «افاق» (no madda) is
    # another word, and no longer folded into it.
    s = site(art("آفاق-جديدة"), art("a", read_also="[\"\u0627\u0653فاق-جديدة\", افاق-جديدة]"))
    links = link_site(s)
    assert links.articles["a"].read_also == ("آفاق-جديدة",)
    assert links.warnings == ("content/a.md: read_also: «افاق-جديدة» names no article",)


def test_a_headline_may_match_a_similar_title_and_that_guess_is_noted() -> None:
    s = site(art("t", title="خطة ترامب الجديدة للشرق الأوسط"), art("u", title="عنوان آخر تماما"),
             art("a", read_also="['خطة ترامب الجديد للشرق الأوسط', 'عنوان آخر تماما']"))
    links = link_site(s)
    assert links.articles["a"].read_also == ("t", "u")
    assert links.warnings == ()
    assert links.notes == ("content/a.md: read_also: «خطة ترامب الجديد للشرق الأوسط» taken for the "
                           "headline «خطة ترامب الجديدة للشرق الأوسط» (t), the most similar",)


def test_a_body_link_to_a_missing_slug_is_a_warning_with_its_line() -> None:
    s = site(art("a", body="فقرة أولى.\n\nانظر [التقرير](تقرير-مفقود) و[ب](b) و[الصفحة](page.html)."),
             art("b"))
    links = link_site(s, render_bodies(s, lambda slug: f"/articles/{slug}/"))
    assert links.warnings == ("content/a.md:7: link: «تقرير-مفقود» names no article",)
    assert links.articles["b"].backlinks == ("a",)


def test_markdown_links_count_as_backlinks() -> None:
    s = site(art("a", body="انظر [ب](b.md) و[ب مرة أخرى](b)."), art("b"))
    links = link_site(s, render_bodies(s, lambda slug: f"/articles/{slug}/"))
    assert links.articles["b"].backlinks == ("a",)


def test_related_by_tags_weighs_rare_tags_more_and_breaks_ties_by_date_then_slug() -> None:
    common = "شائع"
    s = site(
        art("me", tags=f"[{common}, نادر]", date="2026-01-10"),
        art("rare-match", tags="[نادر]", date="2020-01-01"),
        art("common-new", tags=f"[{common}]", date="2026-01-09"),
        art("common-old-b", tags=f"[{common}]", date="2025-01-01"),
        art("common-old-a", tags=f"[{common}]", date="2025-01-01"),
        art("unrelated", tags="[آخر]", date="2026-01-11"),
        related_min=4,
    )
    ranked = related_by_tags(s, {})
    assert ranked["me"] == ("rare-match", "common-new", "common-old-a", "common-old-b")
    # Explicit references count toward related_min and are not repeated.
    assert related_by_tags(s, {"me": {"rare-match", "common-new", "x"}})["me"] == ("common-old-a",)
    assert "unrelated" not in ranked


def test_tag_spellings_that_fold_alike_are_one_tag() -> None:
    s = site(art("a", tags="[إيلون ماسك]"), art("b", tags="[إیلون ماسک]"), related_min=1)
    assert link_site(s).articles["a"].by_tags == ("b",)


def test_ranking_is_the_same_whatever_the_input_order() -> None:
    arts = [art(f"s{i:02d}", tags=f"[t{i % 3}, t{i % 5}]", date=f"2026-01-{1 + i % 7:02d}") for i in range(30)]
    first = link_site(site(*arts))
    second = link_site(site(*reversed(arts)))
    assert first == second


def test_build_shows_a_similar_headline_match_only_with_v(make_site, capsys) -> None:  # type: ignore[no-untyped-def]
    from sitegen.cli import main

    root = make_site({"content/t.md": "---\ntitle: خطة ترامب الجديدة للشرق الأوسط\nslug: t\n---\n\nنص.\n",
                      "content/a.md": "---\ntitle: أ\nslug: a\nread_also:\n- خطة ترامب الجديد للشرق الأوسط\n---\n\nنص.\n"})
    config = str(root / "config.toml")
    assert main(["build", "-C", config]) == 0
    assert "most similar" not in capsys.readouterr().err
    (root / "content/a.md").write_text("---\ntitle: أ ب\nslug: a\nread_also:\n- خطة ترامب الجديد للشرق الأوسط\n"
                                       "---\n\nنص.\n", encoding="utf-8")
    note = ("content/a.md: read_also: «خطة ترامب الجديد للشرق الأوسط» taken for the headline "
            "«خطة ترامب الجديدة للشرق الأوسط» (t), the most similar")
    assert main(["build", "-v", "-C", config]) == 0
    assert note in capsys.readouterr().err
    # A body edit leaves the link stage to the cache; a new process reads it from its files.
    (root / "content/t.md").write_text("---\ntitle: خطة ترامب الجديدة للشرق الأوسط\nslug: t\n---\n\nنص آخر.\n",
                                       encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sitegen", "build", "-v", "-C", config],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and note in done.stderr, done.stderr
