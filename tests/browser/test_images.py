"""Images in a real browser: an image's box has its size before the file arrives (nothing
moves when it does), images far down the page are fetched only as the reader nears them, and
the page with its figures passes the accessibility gate."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, Route

from sitegen.cli import main

from conftest import article
from browser.test_accessibility import blocking_violations

# Every layout shift the page makes, summed as the Cumulative Layout Shift metric does.
_WATCH_SHIFTS = """() => {
  window.__shift = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
  }).observe({type: 'layout-shift', buffered: true});
}"""


def picture(width: int, height: int) -> bytes:
    im = Image.new("RGB", (width, height), (20, 70, 130))
    ImageDraw.Draw(im).ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(240, 200, 60))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
def served(make_site: Callable[[dict[str, str]], Path], static_server: Callable[[Path], str]) -> str:
    """An article with a lead image, and a figure in its body far below the fold."""
    filler = "\n\n".join(f"فقرة رقم {n} من نص طويل يملأ الصفحة قبل الصورة الثانية في أسفلها." for n in range(120))
    body = f"فقرة أولى.\n\n{filler}\n\n![خريطة في أسفل المقال](/static/images/map.jpg \"خريطة من صنعنا\")\n"
    root = make_site({"content/a.md": article("مقال مصوّر", body, slug="a", date="2024-05-01",
                                              image="images/lead.jpg", image_alt="دائرة صفراء على أزرق",
                                              image_caption="رسم من صنعنا للاختبار")})
    (root / "static" / "images").mkdir(parents=True)
    (root / "static" / "images" / "lead.jpg").write_bytes(picture(1600, 900))
    (root / "static" / "images" / "map.jpg").write_bytes(picture(1200, 1200))
    url = static_server(root / "public")
    assert main(["build", "-q", "-C", str(root / "config.toml"), "--base-url", url]) == 0
    return url


@pytest.mark.parametrize("width", [390, 1280])
def test_the_image_box_is_sized_before_the_image_arrives(served: str, new_page: Callable[..., Page],
                                                         width: int) -> None:
    page = new_page(width)
    held: list[Route] = []
    released = False

    def hold(route: Route) -> None:  # no image arrives until released
        if released:
            route.fallback()
        else:
            held.append(route)

    page.route("**/*.webp", hold)
    page.add_init_script(f"({_WATCH_SHIFTS})()")
    page.goto(served + "articles/a/", wait_until="domcontentloaded")
    page.wait_for_function("document.querySelector('.lead-image img') !== null")
    lead = page.locator(".lead-image img")
    assert lead.evaluate("img => img.naturalWidth") == 0  # not loaded yet
    box = lead.bounding_box()
    assert box is not None and box["width"] > 100
    # The box already has the picture's ratio (1600x900), though no byte of it arrived.
    assert box["height"] == pytest.approx(box["width"] * 900 / 1600, abs=1.5)
    title_y = page.locator(".story-body p").first.bounding_box()["y"]  # type: ignore[index]
    page.wait_for_function("() => window.__shift !== undefined")
    assert held, "the page asked for no image"
    released = True
    for route in held:
        route.fallback()
    page.wait_for_function("document.querySelector('.lead-image img').naturalWidth > 0")
    page.wait_for_function("document.querySelector('.lead-image img').complete")
    assert lead.bounding_box() == box
    assert page.locator(".story-body p").first.bounding_box()["y"] == title_y  # type: ignore[index]
    assert page.evaluate("window.__shift") == 0
    # The widest size a 390 px phone needs is fetched, not always the widest.
    current = lead.evaluate("img => img.currentSrc")
    assert current.endswith(".webp") and (width > 600 or "lead.jpg.1440.webp" not in current)


def test_an_image_far_down_is_fetched_only_as_the_reader_nears_it(served: str,
                                                                   new_page: Callable[..., Page]) -> None:
    page = new_page(1280, 800)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(served + "articles/a/")
    page.wait_for_function("document.querySelector('.lead-image img').complete")
    figure = page.locator(".story-body figure img")
    assert figure.get_attribute("loading") == "lazy"
    assert not any("map.jpg" in u for u in requested)
    # Sized already, though not fetched: scrolling to it moves nothing below it.
    box = figure.bounding_box()
    assert box is not None and box["height"] == pytest.approx(box["width"], abs=1.5)
    with page.expect_request(lambda r: "map.jpg" in r.url):
        figure.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.story-body figure img').complete")
    assert page.locator(".story-body figcaption").inner_text() == "خريطة من صنعنا"


def test_an_article_with_images_passes_axe(served: str, new_page: Callable[..., Page],
                                          save_screenshot: Callable[..., Path]) -> None:
    for width in (390, 1280):
        page = new_page(width)
        page.goto(served + "articles/a/")
        page.wait_for_function("document.querySelector('.lead-image img').complete")
        assert not blocking_violations(page)
        save_screenshot(page, f"images-article-{width}", full_page=False)
