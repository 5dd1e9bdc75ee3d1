"""The render stage's shortcuts give the bytes the plain way gives: `partial(name, item)`
(rendered once per card per build) against `{% include name %}`, the dependency tracking
that lets a rebuild keep pages, and the standfirst rule (`_opens_body`) against the rule as
stated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Callable

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.build import build, verify_incremental
from sitegen import load, render
from sitegen.config import load_config
from sitegen.incremental import pages
from sitegen.incremental.pages import PagePlan
from sitegen.render import Renderer, _referenced_templates

from conftest import article

MakeSite = Callable[[dict[str, str]], Path]

PARTIAL_CALL = re.compile(r'\{\{ partial\("([^"]+)", item\) \}\}')


FILES = {
    "content/a.md": article("خبر أول عن Truth Social", slug="a", date="2026-03-05",
                           source="صدى البلد", tags="[تروث سوشيال, الاقتصاد]",
                           summary="ملخص الخبر الأول في 2026.", read_also="[b, c]"),
    "content/b.md": article("خبر ثان", slug="b", date="2025-12-31", tags="[الاقتصاد]",
                           read_also="[a]"),
    "content/c.md": article("An English story", "An English paragraph, 42 words.", slug="c",
                           date="2026-01-09", lang="en", source="Reuters", tags="[الاقتصاد, Big Tech]",
                           summary="Summary 7 <b>bold</b>.", read_also="[a, d]"),
    "content/d.md": article("خبر بلا تاريخ", "[الأول](a.md)", slug="d", tags="[تروث سوشيال]"),
}


def plain_includes(root: Path, theme_chain: list[str]) -> list[str]:
    """Give the site its own copy of every template that calls `partial(…, item)`, with each
    call replaced by the include it stands for; returns the names rewritten."""
    done: list[str] = []
    for theme in theme_chain:
        folder = root / "themes" / theme / "templates"
        for path in sorted(folder.rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            text = path.read_text(encoding="utf-8")
            if "partial(" not in text or name in done:
                continue
            plain = PARTIAL_CALL.sub(r'{% include "\1" %}', text)
            assert "partial(" not in plain, f"{name}: a partial call the test cannot rewrite"
            target = root / "templates" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(plain, encoding="utf-8")
            done.append(name)
    return done


@pytest.mark.parametrize("theme, config", [
    ("digest", ""),
    ("digest", 'numerals = "arab"\nhijri = true\n'),
    ("compact", 'numerals = "arab"\npage_size = 2\n'),
])
def test_partials_render_what_their_includes_render(make_site: MakeSite, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     theme: str, config: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    root = make_site({**FILES, "config.toml": f'base_url = "https://example.org/"\ntheme = "{theme}"\n'
                      f"search = false\n{config}"})
    plain = tmp_path / "plain"
    shutil.copytree(root, plain)
    rewritten = plain_includes(plain, [theme, "digest"])
    assert {"term.html", "index.html", "partials/list.html"} <= set(rewritten)
    build(load_config(root / "config.toml"))
    build(load_config(plain / "config.toml"))
    fast, slow = root / "public", plain / "public"
    files = sorted(p.relative_to(slow).as_posix() for p in slow.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(fast).as_posix() for p in fast.rglob("*") if p.is_file())
    assert [f for f in files if (fast / f).read_bytes() != (slow / f).read_bytes()] == []
    # The pages do show cards and list items (with their dates), so the comparison means something.
    tag_page = next((fast / "tags").glob("*/index.html")).read_text(encoding="utf-8")
    assert tag_page.count('<article class="card') >= 2 and "<time" in tag_page
    assert 'class="link-list"' in (fast / "articles/a/index.html").read_text(encoding="utf-8")


def test_partial_calls_are_template_dependencies() -> None:
    env = jinja2.Environment()
    ast = env.parse('{% include "x.html" %}{{ partial("partials/card.html", item) }}'
                    '{{ partial(name="partials/date.html", item=item) }}{{ partial(which, item) }}')
    assert _referenced_templates(ast) == ["x.html", "partials/card.html", "partials/date.html", None]


@pytest.mark.parametrize("partial", ["partials/list-item.html", "partials/card.html", "partials/date.html"])
def test_editing_a_partial_renders_the_pages_that_call_it_again(make_site: MakeSite, partial: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    root = make_site({**FILES, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    path = root / "themes/digest/templates" / partial
    path.write_text(path.read_text(encoding="utf-8").replace("</", "<!--edited--></", 1), encoding="utf-8")
    build(config)
    shown_on = "articles/a/index.html" if partial != "partials/card.html" else "index.html"
    assert "<!--edited-->" in (root / "public" / shown_on).read_text(encoding="utf-8")
    tag_page = next((root / "public/tags").glob("*/index.html")).read_text(encoding="utf-8")
    assert ("<!--edited-->" in tag_page) == (partial != "partials/list-item.html")


def test_a_body_edit_fingerprints_no_page(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """No card, group or template changed, so every home, tag, source, month and index
    page, feed and the sitemap is kept without computing its fingerprint; the edited
    article's page is rendered, found changed by its signature (no fingerprint either)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    root = make_site({**FILES, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    with (root / "content/b.md").open("a", encoding="utf-8") as f:
        f.write("\nفقرة جديدة.\n")
    fingerprinted: list[str] = []
    changed = PagePlan.changed

    def spy(self: PagePlan, path: str, kind: str, payload: object) -> bool:
        fingerprinted.append(path)
        return changed(self, path, kind, payload)

    monkeypatch.setattr(PagePlan, "changed", spy)
    report = build(config)
    assert fingerprinted == [] and report.rendered == 1


@pytest.mark.parametrize("edit", ["twin-tag", "title", "date", "tags", "template"])
def test_listing_pages_follow_what_they_show(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                             edit: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    files = {f"content/{s}.md": article(f"خبر {s}", slug=s, date=f"2026-0{i + 1}-0{i + 1}",
                                        tags="[إيلون ماسك, الاقتصاد]" if i < 3 else "[الذهب]")
             for i, s in enumerate("pqrs")}
    root = make_site({**files, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'
                      "page_size = 2\n"})
    config = load_config(root / "config.toml")
    build(config)
    path = root / "content/q.md"
    text = path.read_text(encoding="utf-8")
    if edit == "twin-tag":
        # The same tag in Persian letters: the tag page's name and the cards stay as they
        # were (two of three articles spell it in Arabic letters), the feeds list the new one.
        path.write_text(text.replace("إيلون ماسك", "إیلون ماسک"), encoding="utf-8")
    elif edit == "title":
        path.write_text(text.replace("خبر q", "عنوان جديد"), encoding="utf-8")
    elif edit == "date":
        path.write_text(text.replace("2026-02-02", "2026-02-09"), encoding="utf-8")
    elif edit == "tags":
        path.write_text(text.replace("الاقتصاد", "الذهب"), encoding="utf-8")
    else:
        term = root / "themes/digest/templates/term.html"
        term.write_text(term.read_text(encoding="utf-8").replace("</h1>", "</h1><!--t-->"), encoding="utf-8")
    report, diffs = verify_incremental(config)
    assert diffs == [] and report.rendered > 1
    if edit == "twin-tag":
        assert "إیلون ماسک" in (root / "public/feed.xml").read_text(encoding="utf-8")


def test_a_template_edit_renders_article_pages_without_reading_content(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a summary is the body's opening (so not shown) is remembered per article: a
    template edit renders every article page again without reading a content file."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    root = make_site({**FILES, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    template = root / "themes/digest/templates/article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</h1>", "</h1><!--t-->"), encoding="utf-8")
    read: list[str] = []
    article_body = load.article_body
    monkeypatch.setattr(load, "article_body", lambda a, cfg: read.append(a.slug) or article_body(a, cfg))
    report = build(config)
    assert report.rendered == len(FILES) and read == []
    assert "<!--t-->" in (root / "public/articles/a/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("before, after", [("ملخص مختلف.", "فقرة أولى من"), ("فقرة أولى من", "ملخص مختلف.")])
def test_a_summary_edit_shows_or_hides_the_standfirst(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                                      before: str, after: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    body = "فقرة أولى من المقال وفيها كلام كثير."
    root = make_site({"content/s.md": article("خبر", body, slug="s", summary=before),
                      "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    (root / "content/s.md").write_text(article("خبر", body, slug="s", summary=after), encoding="utf-8")
    template = root / "themes/digest/templates/article.html"
    template.write_text(template.read_text(encoding="utf-8") + "{# edited #}", encoding="utf-8")
    report, diffs = verify_incremental(config)
    assert diffs == [] and report.rendered >= 1
    page = (root / "public/articles/s/index.html").read_text(encoding="utf-8")
    assert ('class="standfirst"' in page) == (after == "ملخص مختلف.")


def test_a_body_edit_makes_only_the_cards_its_page_shows(make_site: MakeSite,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """No front matter changed, so the tag, source and month groups and the cards' digests
    are the last build's: no group is made, only the edited page's own card is, and no
    other article's fields and links are pickled for its signature."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    files = {f"content/t{i}.md": article(f"خبر {i}", slug=f"t{i}", date=f"2026-01-0{i + 1}",
                                         tags="[الاقتصاد]", source="صدى البلد", read_also="[t0]")
             for i in range(6)}
    files["content/solo.md"] = article("خبر وحيد", "فقرة.", slug="solo", date="2025-05-05")
    root = make_site({**files, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    with (root / "content/solo.md").open("a", encoding="utf-8") as f:
        f.write("\nفقرة جديدة.\n")
    made: list[str] = []
    grouped: list[str] = []
    pickled: list[object] = []
    card, group_by, pickle_ = Renderer._card, render.group_by, pages.pickled
    monkeypatch.setattr(Renderer, "_card", lambda self, slug: made.append(slug) or card(self, slug))
    monkeypatch.setattr(render, "group_by", lambda site, prefix, values: grouped.append(prefix)
                        or group_by(site, prefix, values))
    # Pickled for a page's fingerprint or an article's signature: by the page planner, or by
    # the render stage for the cards' and groups' digests.
    monkeypatch.setattr(pages, "pickled", lambda value: pickled.append(value) or pickle_(value))
    monkeypatch.setattr(render, "pickled", lambda value: pickled.append(value) or pickle_(value))
    report = build(config)
    assert report.rendered == 1 and made == ["solo"] and grouped == []
    assert pickled == []
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert verify_incremental(config)[1] == []


def test_compiled_templates_are_kept_in_the_cache_and_follow_edits(make_site: MakeSite,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A new process loads the compiled templates from the build cache instead of compiling
    them; an edited template is compiled again."""

    root = make_site({**FILES, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    assert list((config.cache_dir / "templates").glob("*/__jinja2_*.cache"))
    template = root / "themes/digest/templates/article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</h1>", "</h1><!--t-->"), encoding="utf-8")
    compiled: list[str | None] = []
    compile_ = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, source, name=None, *a, **k:
                        compiled.append(name) or compile_(self, source, name, *a, **k))
    build(config)
    assert compiled == ["article.html"]
    assert "<!--t-->" in (root / "public/articles/a/index.html").read_text(encoding="utf-8")


def test_a_new_process_knows_the_templates_references_without_parsing_them(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """The templates each template uses (its key covers them) are kept by the build cache,
    by the template's source: a new process parses no template it did not change."""

    root = make_site({**FILES, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    parsed: list[str] = []
    parse = jinja2.Environment.parse
    monkeypatch.setattr(jinja2.Environment, "parse", lambda self, source, *a, **k:
                        parsed.append(source) or parse(self, source, *a, **k))
    with (root / "content/b.md").open("a", encoding="utf-8") as f:
        f.write("\nفقرة جديدة.\n")
    assert build(config).rendered == 1 and parsed == []
    template = root / "themes/digest/templates/partials/date.html"
    template.write_text(template.read_text(encoding="utf-8") + "{# edited #}", encoding="utf-8")
    assert build(config).rendered > 1
    assert len(parsed) == 1 and "{# edited #}" in parsed[0]
    assert verify_incremental(config)[1] == []


def test_a_damaged_compiled_template_is_compiled_again(make_site: MakeSite) -> None:
    from jinja2.bccache import bc_magic


    root = make_site({**FILES, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = load_config(root / "config.toml")
    build(config)
    expected = (root / "public/articles/a/index.html").read_bytes()
    cached = list((config.cache_dir / "templates").glob("*/__jinja2_*.cache"))
    assert cached
    for path in cached:  # Jinja2's magic, then bytes that do not unpickle
        path.write_bytes(bc_magic + b"\0" * 16)
    shutil.rmtree(root / "public")
    build(config)
    assert (root / "public/articles/a/index.html").read_bytes() == expected


def _opens_body_plainly(summary: str, body: str) -> bool:
    """The standfirst rule as stated: the folded words of the body's first 2 * len(summary)
    characters begin with the summary's, the last of which may be cut short."""
    from sitegen.arabic import fold

    head = fold(summary.rstrip("…. ")).split()
    words = fold(body[: len(summary) * 2]).split()[: len(head)]
    return (bool(head) and len(words) == len(head) and words[:-1] == head[:-1]
            and words[-1].startswith(head[-1]))


# Pieces whose folding is not one character to one: presentation forms and a ligature that
# unfold into several words, a hamza that composes with the letter before it, tatweel,
# marks, invisibles, Persian letters and digits, a final sigma, spaces of several kinds;
# and runs longer than the body the rule folds beyond the summary's length.
_OPENING_PIECES = ["فقرة", "أولى", "اولى", "إلى", "من", "المقال", "ﻻ", "ﷺ", "و\u0654", "\u0654", "ـ", "\u064b",
                   "\u200b", "\u00ad", "ی", "۲۰۲۶", "2026", "ΟΔΟΣ", "Σ", "a", " ", " ", "\u00a0", "\n", "  ", ".", "…",
                   "والمستشفياتوالمدارسوالجامعاتالحكومية", "ـ" * 40, "\u064b" * 36]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_OPENING_PIECES), max_size=30).map("".join), st.data())
def test_the_standfirst_rule_takes_its_shortcuts_only_where_they_give_the_same_answer(
        body: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(body)))
    summary = data.draw(st.one_of(
        st.sampled_from(["", "…", "...", ". ", " …"]).map(lambda end: body[:cut] + end),  # the importer's default
        st.just(re.sub("[\u0640\u064b\u200b\u00ad]", "", body[:cut])),  # the same words, spelt plainly
        st.lists(st.sampled_from(_OPENING_PIECES), max_size=10).map("".join),  # another text
    ))
    assert render._opens_body(summary, body) == _opens_body_plainly(summary, body)


@pytest.mark.parametrize("summary, body, opens", [
    # The body spells the summary's last word, then goes on with it after a long tatweel:
    # the word seen whole ("οδοσα") does not begin with the summary's ("οδος"), though the
    # body cut right after its sigma would: the summary is shown.
    ("فقرة أولى من المقال الذي كتبه المحرر ΟΔΟΣ", "فقرة أولى من المقال الذي كتبه المحرر ΟΔΟ" + "ـ" * 32 + "ΣΑ وبقية الكلام",
     False),
    # The opening words, cut by the importer or spelt otherwise: not shown again.
    ("فقرة أولى من المقال…", "فقرة أولى من المقال وفيها كلام كثير.", True),
    ("فقرة اولى من المقا", "فقرةٌ أولى من المقال وفيها كلام كثير.", True),
    ("فقرة أولى من الكتاب", "فقرة أولى من المقال وفيها كلام كثير.", False),
])
def test_the_standfirst_rule_on_summaries_cut_or_spelt_otherwise(summary: str, body: str, opens: bool) -> None:
    assert render._opens_body(summary, body) is opens
    assert _opens_body_plainly(summary, body) is opens
