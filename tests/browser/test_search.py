"""Search as a reader uses it, in headless Chromium: queries typed into the masthead's search
box of the seeds' site find the right article first; the page's JavaScript folds a query
exactly as sitegen.arabic.fold does; excerpts keep the article's spelling and mark the
matched words; every folding pair matches through Pagefind on a site under a sub-path; axe
finds nothing serious on the search page with results shown; on a site whose index is split
into shards, a search finds the articles of every shard, shows more on demand, with date and
source, and finds an edited article by its new words after a rebuild."""

from __future__ import annotations

import shutil
import unicodedata
import urllib.parse
from pathlib import Path
from typing import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from sitegen.arabic import fold
from sitegen.cli import main
from browser.conftest import serve
from browser.test_accessibility import blocking_violations
from test_search import PAIRS

TRUTH_SOCIAL = "يعد الرئيس الأمريكي الأسبق"
TRUMP_PLAN = "خطة ترامب للانتقام"
DEMOCRATS = "نواب ديموقراطيون يتهمون"

QUERIES = [
    ("تروث سوشيال", TRUTH_SOCIAL),
    ("ترامب", TRUMP_PLAN),
    # No hamza; the title has إيلون ماسك.
    ("ايلون ماسك", DEMOCRATS),
    ("رامبل", TRUMP_PLAN),
    # Persian yeh and keheh.
    ("ایلون ماسک", DEMOCRATS),
    # Arabic-Indic digits; the article has 2021.
    ("٢٠٢١", TRUTH_SOCIAL),
]


def results_for(page: Page, query: str) -> list[str]:
    """Wait until the search page shows the results of `query`; their titles, in order."""
    page.wait_for_selector(f'#search[data-state="done"][data-query="{query}"]', timeout=20_000)
    return page.locator(".search-result h2").all_inner_texts()


def search_from_masthead(page: Page, home: str, query: str) -> list[str]:
    """Type `query` into the home page's masthead search box, press Enter, and return the
    titles the search page lists."""
    page.goto(home)
    # On a small screen the box is behind the masthead's search button.
    toggle = page.locator(".search-toggle")
    if toggle.is_visible():
        toggle.click()
    box = page.get_by_role("search").get_by_role("searchbox")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    return results_for(page, query)


@pytest.mark.parametrize("query, expected", QUERIES)
def test_a_query_typed_in_the_masthead_finds_its_article_first(
        query: str, expected: str, seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    titles = search_from_masthead(page, seeds_url, query)
    assert titles, f"no result for {query}"
    assert titles[0].startswith(expected), f"{query}: {titles}"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["q"] == [query]
    assert page.offsite_requests == []  # type: ignore[attr-defined]


def test_persian_letters_find_what_arabic_letters_find(seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    assert search_from_masthead(page, seeds_url, "ایلون ماسک") == search_from_masthead(page, seeds_url, "ايلون ماسك")


def test_the_first_result_opens_its_article(seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    search_from_masthead(page, seeds_url, "رامبل")
    page.locator(".search-result h2 a").first.click()
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").first.inner_text().startswith(TRUMP_PLAN)


def test_typing_on_the_search_page_updates_results_and_address(
        seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(seeds_url + "search/")
    box = page.locator("#search-q")
    box.fill("ماسك")
    assert results_for(page, "ماسك")[0].startswith(DEMOCRATS)
    box.fill("رامبل")
    assert results_for(page, "رامبل")[0].startswith(TRUMP_PLAN)
    assert page.url.endswith("?q=" + urllib.parse.quote("رامبل"))
    box.fill("zqxjvw")
    assert results_for(page, "zqxjvw") == []
    expect(page.locator(".search-status")).to_contain_text("لا نتائج")


def normalize(text: str) -> str:
    return " ".join(text.replace("…", " ").split())


def test_excerpts_keep_the_original_spelling_and_mark_the_matches(
        seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    search_from_masthead(page, seeds_url, "ایلون ماسک")
    first = page.locator(".search-result").first
    marks = first.locator(".summary mark").all_inner_texts()
    assert marks, "no matched word is marked in the excerpt"
    assert all("ايلون" in fold(m) or "ماسك" in fold(m) for m in marks), marks
    # Displayed as the article spells it (hamza kept), not as the index has it.
    assert any("إيلون" in m for m in marks), marks
    title_marks = first.locator("h2 mark").all_inner_texts()
    assert title_marks == ["إيلون", "ماسك"]
    excerpt = normalize(first.locator(".summary").inner_text())
    page.locator(".search-result h2 a").first.click()
    page.wait_for_url("**/articles/**")
    # The excerpt is a run of the article's own words.
    assert excerpt in normalize(page.locator("main").inner_text())


def test_latin_runs_in_excerpts_are_isolated_as_on_the_article_pages(
        seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    titles = search_from_masthead(page, seeds_url, "ترامب")
    summary = page.locator(".search-result .summary").nth(titles.index(
        next(t for t in titles if t.startswith(TRUTH_SOCIAL))))
    assert "Trump Media & Technology Group" in summary.locator("bdi").all_inner_texts()
    # The Arabic matches around it are still marked, outside the <bdi>.
    assert "ترامب" in fold(" ".join(summary.locator("mark").all_inner_texts()))


def test_every_result_has_its_original_words_aligned_with_pagefinds(
        seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(seeds_url + "search/")
    checks = page.evaluate(
        """async () => {
            const bundle = document.getElementById('search').dataset.pagefind;
            const {shards} = await (await fetch(bundle + 'shards.json')).json();
            const pf = await import(bundle + shards[0] + 'pagefind.js');
            for (const shard of shards.slice(1)) await pf.mergeIndex(bundle + shard);
            const ui = await import(document.querySelector('script[type="module"]').src);
            const out = [];
            for (const q of ['ترامب', 'ماسك', 'تروث', 'الصين', 'منصه']) {
                for (const r of (await pf.search(q)).results) {
                    const d = await r.data();
                    const gz = (await fetch(bundle + d.meta.spelling)).body;
                    const spelling = await new Response(gz.pipeThrough(new DecompressionStream('gzip'))).json();
                    out.push([q, d.word_count, ui.spellWords(d.content, spelling.patch)?.length]);
                }
            }
            return out;
        }""")
    assert len(checks) >= 5
    assert all(count == words for _, count, words in checks), checks


# --- fold() in JavaScript == fold() in Python ---------------------------------------------------
def tricky_strings() -> list[str]:
    """Every folding pair, tatweel, harakat, presentation forms, zero-width and bidi
    controls, Persian and Arabic-Indic digits, NBSP and other spaces, Latin case; then every
    code point of the Arabic blocks and of the spaces and format characters, alone and
    inside a word."""
    strings = [s for pair in PAIRS for s in pair] + [
        "مُحَمَّـــدٌ", "ـــ", "ً", "ﻻ ﷲ ﷺ ﺍﻟﻌﺮﺑﻴﺔ", "ﻹﻳﺮﺍﻥ", "تروث\u200bسوشيال", "\u202bتروث\u202c",
        "\u2066Truth Social\u2069", "\ufeffخبر", "خ\u00adبر", "۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩",
        "تروث \u00a0 سوشيال", "  خبر\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029\u3000عاجل  ",
        "TRUTH Social İstanbul ΣΟΦΟΣ Straße", "ﬁ ① ㎏ ＡＢＣ", "الإیرانی فی ۲۰۲۶ ماسک ھذه",
        "", " ", "\u200f",
    ]
    ranges = [(0x0600, 0x0700), (0x0750, 0x0780), (0x0870, 0x0900), (0xFB50, 0xFE00), (0xFE70, 0xFF00),
              (0x2000, 0x2070), (0x0000, 0x00C0)]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            c = chr(cp)
            if unicodedata.category(c) in ("Cs", "Cn"):
                continue  # unassigned in Python's Unicode: the browser's may be newer
            strings += [c, f"ب{c}ت"]
    return strings


def test_the_query_is_folded_exactly_as_python_folds(seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(seeds_url + "search/")
    src = page.locator('script[type="module"]').get_attribute("src")
    assert src and "search" in src
    strings = tricky_strings()
    folded = page.evaluate("async ([src, strings]) => { const m = await import(src); "
                           "return strings.map((s) => m.fold(s)); }", [src, strings])
    differ = [(s, f"U+{ord(s):04X}" if len(s) == 1 else "", py, js)
              for s, py, js in zip(strings, map(fold, strings), folded) if py != js]
    assert not differ, differ[:20]
    assert len(strings) > 2000


# --- the folding pairs through Pagefind, on a site under a sub-path -------------------------------
@pytest.fixture(scope="module")
def pairs_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small site served under /digest/: one article spells every pair one way, another
    the other way, and two more weigh a title against a body; yields the site's URL."""
    root = tmp_path_factory.mktemp("pairs-site")
    shutil.copytree(Path(__file__).resolve().parents[2] / "themes", root / "themes")
    (root / "config.toml").write_text('title = "موجز"\n', encoding="utf-8")
    (root / "content").mkdir()
    for slug, side in (("first", 0), ("second", 1)):
        words = " ".join(pair[side] for pair in PAIRS)
        (root / "content" / f"{slug}.md").write_text(
            # ﷺ folds into four words and a lone tatweel or tanween into none: the excerpt's
            # words must still line up with Pagefind's.
            f"---\ntitle: مقال {slug}\nslug: {slug}\n---\nفي هذا المقال: {words}.\n\n"
            "قال ﷺ ثم ـ سكت ً وانتهى الخبر.\n", encoding="utf-8")
    # A word in one title against the same word five times in another body.
    (root / "content" / "quake.md").write_text(
        "---\ntitle: زلزال يضرب الساحل\nslug: quake\n---\nضرب الساحل صباح اليوم واستمر دقائق.\n",
        encoding="utf-8")
    (root / "content" / "weather.md").write_text(
        "---\ntitle: نشرة الأحوال الجوية\nslug: weather\n---\nزلزال ثم زلزال ثم زلزال. تحدث الناس "
        "عن الزلزال طويلا. زلزال جديد.\n", encoding="utf-8")
    served = root / "served"
    served.mkdir()
    with serve(served) as url:
        site = url + "digest/"
        assert main(["build", "-q", "-C", str(root / "config.toml"), "--base-url", site,
                     "--out", str(served / "digest")]) == 0
        yield site


@pytest.mark.parametrize("query", [s for pair in PAIRS for s in pair])
def test_each_spelling_of_a_folding_pair_finds_both_articles(
        query: str, pairs_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(pairs_url + "search/?q=" + urllib.parse.quote(query))
    assert sorted(results_for(page, query)) == ["مقال first", "مقال second"]
    links = page.locator(".search-result h2 a")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert all(h.startswith("/digest/articles/") for h in hrefs), hrefs
    assert page.offsite_requests == []  # type: ignore[attr-defined]


def test_words_that_fold_to_many_or_none_keep_the_excerpt_aligned(
        pairs_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(pairs_url + "search/?q=" + urllib.parse.quote("سكت"))
    assert len(results_for(page, "سكت")) == 2
    for summary in page.locator(".search-result .summary").all():
        assert summary.locator("mark").all_inner_texts() == ["سكت ً"]
        assert "قال ﷺ ثم ـ سكت ً وانتهى الخبر." in normalize(summary.inner_text())


def test_a_word_in_a_title_ranks_above_the_same_word_in_a_body(
        pairs_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(pairs_url + "search/?q=" + urllib.parse.quote("زلزال"))
    assert results_for(page, "زلزال") == ["زلزال يضرب الساحل", "نشرة الأحوال الجوية"]


def test_a_match_inside_a_word_that_folds_into_several_marks_that_word(
        pairs_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(pairs_url + "search/?q=" + urllib.parse.quote("عليه وسلم"))
    assert len(results_for(page, "عليه وسلم")) == 2
    for summary in page.locator(".search-result .summary").all():
        assert "ﷺ" in summary.locator("mark").all_inner_texts()


# --- accessibility of the search page with results shown ----------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_page_with_results_has_no_serious_violations(
        scheme: str, seeds_url: str, new_page: Callable[..., Page],
        save_screenshot: Callable[..., Path]) -> None:
    page = new_page(1280, color_scheme=scheme)
    titles = search_from_masthead(page, seeds_url, "ترامب")
    assert len(titles) == 3
    save_screenshot(page, f"search-results-{scheme}")
    problems = blocking_violations(page)
    assert not problems, "\n".join(problems)


def test_search_page_at_360px_has_no_horizontal_overflow(
        seeds_url: str, new_page: Callable[..., Page], save_screenshot: Callable[..., Path]) -> None:
    page = new_page(360, 780)
    search_from_masthead(page, seeds_url, "تروث سوشيال")
    save_screenshot(page, "search-results-360")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert page.evaluate("getComputedStyle(document.querySelector('.search-results')).direction") == "rtl"


# --- a site whose index is split into shards -------------------------------------------------------
SHARDED = 45
"""Articles of the sharded site: with shards of about four articles, 16 shards."""


def sharded_article(i: int, extra: str = "") -> str:
    """Article i of the sharded site: every one mentions the rain (spelled أمطار), one in
    three a hospital (مستشفى), one in five a name with its diacritics."""
    body = f"قال المتحدث إن الأمطار الغزيرة هطلت على المدينة رقم {i}، وحذّر «ترامب،» من السيول."
    if i % 3 == 0:
        body += " ونُقل المصابون إلى مستشفى المدينة."
    if i % 5 == 0:
        body += " وقال مُحَمَّدٌ إن الطرق مغلقة."
    return (f"---\ntitle: نشرة الطقس رقم {i}\nslug: weather-{i}\ndate: 2026-03-{i % 28 + 1:02d}\n"
            f"source: وكالة الأنباء\n---\n{body}{extra}\n")


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The sharded site, served under /digest/: yields its project folder and its URL."""
    from sitegen import search

    root = tmp_path_factory.mktemp("sharded-site")
    shutil.copytree(Path(__file__).resolve().parents[2] / "themes", root / "themes")
    (root / "config.toml").write_text('title = "موجز"\n', encoding="utf-8")
    (root / "content").mkdir()
    for i in range(SHARDED):
        (root / "content" / f"weather-{i}.md").write_text(sharded_article(i), encoding="utf-8")
    served = root / "served"
    served.mkdir()
    with serve(served) as url, pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "SHARD_SIZE", 4)
        site = url + "digest/"
        assert main(["build", "-q", "-C", str(root / "config.toml"), "--base-url", site,
                     "--out", str(served / "digest")]) == 0
        manifest = (served / "digest" / "pagefind" / "shards.json").read_text(encoding="utf-8")
        assert manifest.count("shard-") > 10
        yield root, site


def result_urls(page: Page) -> list[str]:
    links = page.locator(".search-result h2 a")
    return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


def test_a_search_finds_articles_of_every_shard_and_more_are_shown_on_demand(
        sharded: tuple[Path, str], new_page: Callable[..., Page]) -> None:
    _root, site = sharded
    page = new_page()
    page.goto(site + "search/?q=" + urllib.parse.quote("امطار"))
    assert len(results_for(page, "امطار")) == 20
    assert "45" in page.locator(".search-status").inner_text()
    more = page.get_by_role("button", name="عرض المزيد")
    box = more.bounding_box()  # a tap target, like every other button
    assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    more.click()
    page.wait_for_selector('#search[data-shown="40"][data-state="done"]')
    more.click()
    page.wait_for_selector(f'#search[data-shown="{SHARDED}"][data-state="done"]')
    expect(more).to_be_hidden()
    urls = result_urls(page)
    assert sorted(urls) == sorted(f"/digest/articles/weather-{i}/" for i in range(SHARDED))
    assert page.offsite_requests == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("query, count", [("أمطار", SHARDED), ("مستشفي", 15), ("محمد", 9), ("مُحمّد", 9)])
def test_a_folded_query_matches_across_shards(query: str, count: int, sharded: tuple[Path, str],
                                              new_page: Callable[..., Page]) -> None:
    _root, site = sharded
    page = new_page()
    page.goto(site + "search/?q=" + urllib.parse.quote(query))
    results_for(page, query)
    assert page.locator(".search-status").inner_text() == f"عدد النتائج: {count}"


def test_results_show_date_and_source_and_mark_words_without_their_punctuation(
        sharded: tuple[Path, str], new_page: Callable[..., Page]) -> None:
    _root, site = sharded
    page = new_page()
    page.goto(site + "search/?q=" + urllib.parse.quote("ترامب"))
    results_for(page, "ترامب")
    first = page.locator(".search-result").first
    meta = first.locator(".meta")
    assert "مارس 2026" in meta.inner_text() and "وكالة الأنباء" in meta.inner_text()
    assert (meta.locator("time").get_attribute("datetime") or "").startswith("2026-03-")
    summary = first.locator(".summary")
    assert summary.locator("mark").all_inner_texts() == ["ترامب"]
    assert "«ترامب،»" in summary.inner_text()


def test_an_edited_article_is_found_by_its_new_words_after_a_rebuild(
        sharded: tuple[Path, str], new_page: Callable[..., Page]) -> None:
    from sitegen import search

    root, site = sharded
    md = root / "content" / "weather-7.md"
    md.write_text(sharded_article(7, " وأعلنت البلدية عن خطة الطوارئ الشتوية."), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "SHARD_SIZE", 4)
        assert main(["build", "-q", "-C", str(root / "config.toml"), "--base-url", site,
                     "--out", str(root / "served" / "digest")]) == 0
    page = new_page()
    page.goto(site + "search/?q=" + urllib.parse.quote("الطوارئ الشتويه"))
    assert results_for(page, "الطوارئ الشتويه") == ["نشرة الطقس رقم 7"]
    # The full stop after the last word is not marked.
    assert page.locator(".search-result mark").all_inner_texts() == ["الطوارئ", "الشتوية"]
