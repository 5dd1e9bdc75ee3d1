"""What a reader sees on a phone (390 px) and a desktop (1280 px): right-to-left Arabic pages
that fit the screen. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Callable

import pytest
from playwright.sync_api import Page

WIDTHS = [390, 1280]
"""A phone and a desktop: the widths the issue names."""
EDGE_WIDTHS = [360, 1440]
"""The narrowest and widest the theme promises to be readable at."""

# Elements wider than the viewport, or sticking out of either side of it, that are not inside
# a container that scrolls or clips them (a wide table in an overflow:auto wrapper is fine).
# In a right-to-left page content that sticks out on the right cannot be scrolled to, so
# scrollWidth alone would not see it.
_OUTSIDE = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.position === 'absolute' && (r.bottom <= 0 || style.clip !== 'auto')) continue;
    if ((r.left < -1 || r.right > width + 1) && !clipped(el)) {
      out.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}`
               + ` [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
  }
  return out;
}"""


def article_urls(page: Page, home: str) -> list[str]:
    """The article pages the home page links to, in the order shown."""
    page.goto(home)
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    urls = []
    for href in hrefs:
        if "/articles/" in urllib.parse.unquote(href) and href not in urls and href.startswith(home):
            urls.append(href.split("#")[0])
    return list(dict.fromkeys(urls))


def assert_rtl_page_fits(page: Page, url: str) -> None:
    """Open `url` and check what a reader of an Arabic page needs: direction, language, the
    theme's stylesheet applied, nothing wider than the screen, no request leaving the site."""
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else '?'}"
    page.wait_for_load_state("load")
    assert page.get_attribute("html", "dir") == "rtl", url
    assert page.get_attribute("html", "lang") == "ar", url
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl", url
    # An unstyled page would pass the width checks trivially: the theme must have loaded.
    assert page.evaluate("document.styleSheets.length") >= 1, f"{url}: no stylesheet loaded"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)", \
        f"{url}: the theme's stylesheet did not apply"
    sizes = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert sizes["scroll"] <= sizes["client"], f"{url}: horizontal overflow {sizes}"
    outside = page.evaluate(_OUTSIDE)
    assert not outside, f"{url}: elements outside the {sizes['client']} px wide viewport: {outside}"
    assert page.offsite_requests == [], f"{url}: requests left the site: {page.offsite_requests}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", WIDTHS + EDGE_WIDTHS)
def test_home_is_rtl_and_fits(
    width: int, seeds_url: str, new_page: Callable[..., Page], save_screenshot: Callable[..., Path]
) -> None:
    page = new_page(width)
    assert_rtl_page_fits(page, seeds_url)
    assert page.locator("a[href*='/articles/']").count() >= 3, "the home page lists the articles"
    save_screenshot(page, f"home-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_article_is_rtl_and_fits(
    width: int, seeds_url: str, new_page: Callable[..., Page], save_screenshot: Callable[..., Path]
) -> None:
    page = new_page(width)
    urls = article_urls(page, seeds_url)
    assert len(urls) >= 3, f"home page links to {len(urls)} articles"
    for n, url in enumerate(urls, start=1):
        assert_rtl_page_fits(page, url)
        assert page.locator("h1").count() == 1, f"{url}: one headline"
        save_screenshot(page, f"article-{n}-{width}")


def test_dark_scheme_follows_the_reader(
    seeds_url: str, new_page: Callable[..., Page], save_screenshot: Callable[..., Path]
) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        page = new_page(390, color_scheme=scheme)
        assert_rtl_page_fits(page, seeds_url)
        colours[scheme] = page.evaluate(
            "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
        )
        save_screenshot(page, f"home-390-{scheme}")
    assert colours["light"] != colours["dark"], "prefers-color-scheme: dark changes nothing"


@pytest.mark.parametrize(
    "style, problem",
    [
        # Sticks out on the left (the inline end): the page scrolls sideways.
        ("inline-size: 2000px", "horizontal overflow"),
        # Sticks out on the right (the inline start): cannot be scrolled to, but is cut off.
        ("margin-inline-start: -200px", "outside the"),
    ],
)
def test_layout_check_catches_overflow_in_rtl(
    style: str, problem: str, static_server: Callable[[Path], str], new_page: Callable[..., Page], tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(
        '<!doctype html><html dir="rtl" lang="ar"><head><meta charset="utf-8"><title>خبر</title>'
        "<style>body { background: #fff; margin: 0 }</style></head>"
        f'<body><p style="{style}">نص عريض جدا</p></body></html>',
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match=problem):
        assert_rtl_page_fits(new_page(390), static_server(tmp_path))
