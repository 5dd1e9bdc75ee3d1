"""Quality gate: axe-core finds no serious or critical accessibility violation on the home
page, the articles, a tag page and the search page, in the light and the dark scheme.

axe skips colour contrast on Arabic text (its icon-font heuristic takes cursive Arabic for
icons); tests/test_contrast.py checks the theme's colours from the CSS instead.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

BLOCKING = ("serious", "critical")
SCHEMES = ["light", "dark"]

AXE = Axe()


def blocking_violations(page: Page) -> list[str]:
    """axe's serious and critical violations on the page, one readable line per element."""
    results = AXE.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in BLOCKING:
            continue
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}\n"
                f"    {node.get('failureSummary', '').strip()}"
            )
    return lines


def _links(page: Page, url: str, fragment: str) -> list[str]:
    """The absolute URLs of links on `url` whose decoded path contains `fragment`."""
    page.goto(url)
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href.split('#')[0])")
    return list(dict.fromkeys(h for h in hrefs if fragment in urllib.parse.unquote(h)))


def _exists(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return False


def page_urls(page: Page, home: str) -> dict[str, str | None]:
    """The pages the gate covers, found the way a reader finds them: from the home page."""
    articles = [u for u in _links(page, home, "/articles/") if u.startswith(home)]
    assert articles, "the home page links to no article"
    tags: list[str] = []
    for article in articles:
        tags += [u for u in _links(page, article, "/tags/") if u.rstrip("/") != (home + "tags").rstrip("/")]
    assert tags, "no article links to a tag page"
    # Prefer the tag the seeds' Truth Social article carries, for a stable choice.
    tag = next((t for t in tags if "تروث-سوشيال" in urllib.parse.unquote(t)), sorted(tags)[0])
    search = next(iter(_links(page, home, "/search")), None)
    if search is None and _exists(home + "search/"):
        search = home + "search/"
    return {"home": home, "tag": tag, "search": search} | {
        f"article-{n}": u for n, u in enumerate(articles, 1)}


@pytest.fixture(scope="module")
def urls(browser: Browser, seeds_url: str) -> dict[str, str | None]:
    """Page name → URL on the served seeds' site (None for a page the site does not have)."""
    context = browser.new_context()
    try:
        return page_urls(context.new_page(), seeds_url)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", ["home", "article-1", "article-2", "article-3", "tag", "search"])
def test_no_serious_or_critical_violations(
    name: str, scheme: str, urls: dict[str, str | None], new_page: Callable[..., Page],
    save_screenshot: Callable[..., Path],
) -> None:
    if name == "search" and urls["search"] is None:
        pytest.skip("the site has no search page yet (no /search link on the home page, no /search/): "
                    "it comes with Pagefind search (issue 6)")
    if name not in urls:
        pytest.skip(f"the seeds' site has fewer articles than {name}")
    url = urls[name]
    assert url is not None
    page = new_page(1280, color_scheme=scheme)
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else '?'}"
    problems = blocking_violations(page)
    if problems:
        save_screenshot(page, f"axe-{name}-{scheme}")
    assert not problems, f"{urllib.parse.unquote(url)} ({scheme}):\n" + "\n".join(problems)


def test_axe_catches_a_critical_violation(
    static_server: Callable[[Path], str], new_page: Callable[..., Page], tmp_path: Path
) -> None:
    """The gate can fail: an image without alt text and a nameless link are reported."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><html dir="rtl" lang="ar"><head><meta charset="utf-8"><title>خبر</title></head>'
        '<body><main><h1>خبر</h1><img src="x.png"><a href="/"><img src="y.png"></a></main></body></html>',
        encoding="utf-8",
    )
    page = new_page()
    page.goto(static_server(tmp_path))
    problems = blocking_violations(page)
    assert any(p.startswith("image-alt (critical)") for p in problems), problems
    assert any(p.startswith("link-name (serious)") for p in problems), problems
