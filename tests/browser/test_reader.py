"""What a reader of the seeds' site and of a bigger generated digest sees and can do: the
archive lists every article, lists are paged with links a browser and a crawler follow, the
phone masthead is compact with a search button, Latin names are set in the sans face, and
the site has a favicon."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

from playwright.sync_api import Page

from conftest import article
from sitegen.cli import main

from .conftest import serve

TAP = 44
"""The smallest tap target, in CSS pixels."""


def test_the_archive_lists_the_seeds_undated_articles(seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page(1280)
    page.goto(seeds_url)
    page.locator(".site-nav a", has_text="الأرشيف").click()
    page.wait_for_url("**/archive/")
    page.locator("main a", has_text="بدون تاريخ").click()
    page.wait_for_url("**/archive/undated/")
    assert page.locator("main .card-title a").count() == 3


def test_a_long_tag_page_is_paged_with_rel_links(make_site: Callable[[dict[str, str]], Path],
                                                 new_page: Callable[..., Page]) -> None:
    files = {f"content/{i}.md": article(f"خبر رقم {i}", slug=f"n{i}", date=f"2026-03-{i:02d}", tags="[الاقتصاد]")
             for i in range(1, 8)}
    root = make_site({**files, "config.toml": 'page_size = 3\nnumerals = "arab"\nsearch = false\n'})
    with serve(root / "public") as base:
        assert main(["build", "-q", "-C", str(root / "config.toml"), "--base-url", base]) == 0
        page = new_page(390)
        page.goto(base + "tags/" + urllib.parse.quote("الاقتصاد") + "/")
        seen = []
        for number in ("١", "٢", "٣"):
            assert page.locator(".pager [aria-current=page]").inner_text().endswith(number)
            seen += page.locator("main .card-title a").all_inner_texts()
            following = page.locator("a[rel=next]")
            if number == "٣":
                assert following.count() == 0 and page.locator("link[rel=next]").count() == 0
                break
            box = following.bounding_box()
            assert box is not None and box["height"] >= TAP
            following.click()
            page.wait_for_url(f"**/page/{int(number) + 1}/")
            assert page.locator("link[rel=prev]").count() == 1
        # numerals = "arab": the headlines' digits too.
        assert seen == [f"خبر رقم {i}".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
                        for i in range(7, 0, -1)]
        page.locator("a[rel=prev]").click()
        page.wait_for_url("**/page/2/")


def test_on_a_phone_newer_and_older_share_a_row_under_the_page_numbers(
        make_site: Callable[[dict[str, str]], Path], new_page: Callable[..., Page]) -> None:
    files = {f"content/{i}.md": article(f"خبر رقم {i}", slug=f"n{i}", date=f"2026-03-{i:02d}") for i in range(1, 6)}
    root = make_site({**files, "config.toml": "page_size = 1\nsearch = false\n"})
    with serve(root / "public") as base:
        assert main(["build", "-q", "-C", str(root / "config.toml"), "--base-url", base]) == 0
        page = new_page(390)
        page.goto(base + "page/3/")
        numbers = page.locator(".pager-pages").bounding_box()
        newer, older = page.locator("a[rel=prev]").bounding_box(), page.locator("a[rel=next]").bounding_box()
        assert numbers and newer and older
        assert newer["y"] >= numbers["y"] + numbers["height"] - 1 and abs(newer["y"] - older["y"]) < 1
        # Right to left: newer at the right, older at the left.
        assert older["x"] + older["width"] < newer["x"]
        page.goto(base)  # only «older»: still at the left
        older = page.locator("a[rel=next]").bounding_box()
        assert older and older["x"] + older["width"] < 390 / 2
        # On a desktop, one row: newer, the numbers in the middle, older.
        wide = new_page(1280)
        wide.goto(base + "page/3/")
        numbers = wide.locator(".pager-pages").bounding_box()
        newer, older = wide.locator("a[rel=prev]").bounding_box(), wide.locator("a[rel=next]").bounding_box()
        assert numbers and newer and older
        right, left = newer["x"] - (numbers["x"] + numbers["width"]), numbers["x"] - (older["x"] + older["width"])
        assert right > 0 and left > 0 and abs(right - left) < 2, (right, left)


def test_a_listed_headline_ending_in_a_number_does_not_run_into_its_date(
        make_site: Callable[[dict[str, str]], Path], new_page: Callable[..., Page]) -> None:
    root = make_site({
        "content/a.md": article("خبر يحيل إلى غيره", slug="a", date="2026-03-02", read_also="[b]"),
        "content/b.md": article("الميزانية ترتفع في عام 2021", slug="b", date="2026-03-01"),
        "config.toml": "search = false\n"})
    with serve(root / "public") as base:
        assert main(["build", "-q", "-C", str(root / "config.toml"), "--base-url", base]) == 0
        for width in (390, 1280):
            page = new_page(width)
            page.goto(base + "articles/a/")
            item = page.locator(".link-list li").first
            headline, day = item.locator("a").bounding_box(), item.locator("time").bounding_box()
            assert headline and day and day["y"] >= headline["y"] + headline["height"] - 1, (width, headline, day)


def test_the_phone_masthead_is_compact_with_a_search_button(
        seeds_url: str, new_page: Callable[..., Page], save_screenshot: Callable[..., Path]) -> None:
    page = new_page(390, 844)
    page.goto(seeds_url)
    masthead = page.locator(".masthead").bounding_box()
    assert masthead is not None and masthead["height"] <= 100, masthead
    for target in page.locator(".masthead a:visible, .masthead button:visible").all():
        box = target.bounding_box()
        assert box is not None and box["height"] >= TAP and box["width"] >= TAP, (target.inner_text(), box)
    field = page.locator("#masthead-q")
    button = page.get_by_role("button", name="البحث")
    assert not field.is_visible() and button.get_attribute("aria-expanded") == "false"
    # By keyboard: Tab to the button, Enter opens the box with the focus in it, Escape closes it.
    button.focus()
    page.keyboard.press("Enter")
    field.wait_for(state="visible")
    assert button.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "masthead-q"
    save_screenshot(page, "masthead-390-search-open", full_page=False)
    page.keyboard.type("ترامب")
    page.keyboard.press("Escape")
    field.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('search-toggle')")
    # On a desktop the box is always there and the button is not.
    wide = new_page(1280)
    wide.goto(seeds_url)
    assert wide.locator("#masthead-q").is_visible() and not wide.locator(".search-toggle").is_visible()


def test_the_desktop_masthead_is_two_rows_with_tap_sized_targets(
        seeds_url: str, new_page: Callable[..., Page], save_screenshot: Callable[..., Path]) -> None:
    page = new_page(1280, 800)
    page.goto(seeds_url)
    masthead = page.locator(".masthead").bounding_box()
    assert masthead is not None and masthead["height"] <= 112, masthead
    for target in page.locator(".masthead a:visible, .masthead input:visible, .masthead button:visible").all():
        box = target.bounding_box()
        assert box is not None and box["height"] >= TAP and box["width"] >= TAP, (target.inner_text(), box)
    # The title and the search box share the first row, across from each other (the title at
    # the right, where a right-to-left reader starts); the sections are the second row.
    brand, search = page.locator(".brand").bounding_box(), page.locator("#masthead-search").bounding_box()
    sections = page.locator(".site-nav").bounding_box()
    assert brand and search and sections
    assert brand["y"] < search["y"] + search["height"] and search["y"] < brand["y"] + brand["height"]
    assert search["x"] + search["width"] < brand["x"]
    assert sections["y"] >= max(brand["y"] + brand["height"], search["y"] + search["height"]) - 1
    save_screenshot(page, "masthead-1280", full_page=False)


def test_a_latin_run_in_arabic_text_is_set_in_the_sans_face(seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page(1280)
    page.goto(seeds_url)
    page.locator(".lead-title a").click()
    page.wait_for_load_state("load")
    run = page.locator(".story-body p bdi").first
    run.wait_for()
    family = run.evaluate("el => getComputedStyle(el).fontFamily")
    assert family.split(",")[0].strip().strip('"') == "Noto Sans", family
    # And the face the browser actually drew it with (its paragraph's is the Arabic body face).
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": document, "selector": ".story-body p bdi"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    assert [f["familyName"] for f in fonts] == ["Noto Sans"], fonts


def test_the_site_has_a_favicon(seeds_url: str, new_page: Callable[..., Page]) -> None:
    page = new_page(1280)
    page.goto(seeds_url)
    icon = page.locator("link[rel=icon]").evaluate("link => link.href")
    for url in (icon, seeds_url + "favicon.ico"):
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and len(response.read()) > 100, url
