"""Authors and redirects in a real browser: an old URL lands the reader on the article, and
the byline and the author page pass the accessibility gate."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Callable

import pytest
from playwright.sync_api import Page

from sitegen.cli import main

from conftest import article
from browser.test_accessibility import blocking_violations


@pytest.fixture
def served(make_site: Callable[[dict[str, str]], Path], static_server: Callable[[Path], str],
           monkeypatch: pytest.MonkeyPatch) -> str:
    """A site with an author, a revision date and an alias, built for and served at a local URL."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")  # 2026-12-01
    root = make_site({
        "content/a.md": article("عنوان جديد للخبر", slug="new", date="2026-11-20", author="سارة المحررة",
                                updated="2026-11-22", tags="[وسم]", aliases="[old-title]"),
        "content/b.md": article("خبر آخر", slug="b", date="2026-11-21", author="Nadia K."),
    })
    url = static_server(root / "public")
    assert main(["build", "-q", "-C", str(root / "config.toml"), "--base-url", url]) == 0
    return url


def test_an_old_url_lands_on_the_article(served: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(served + "articles/old-title/")
    page.wait_for_url(served + "articles/new/")
    assert page.locator("h1").inner_text() == "عنوان جديد للخبر"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_byline_and_author_page_pass_axe(served: str, new_page: Callable[..., Page], scheme: str) -> None:
    page = new_page(390, color_scheme=scheme)
    page.goto(served + "articles/new/")
    byline = page.locator(".byline a")
    assert byline.inner_text() == "سارة المحررة"
    assert not blocking_violations(page)
    byline.click()
    page.wait_for_url(served + urllib.parse.quote("authors/سارة-المحررة/"))
    assert "عنوان جديد للخبر" in page.locator("main").inner_text()
    assert not blocking_violations(page)
    page.goto(served + "authors/")
    assert page.locator("main a").count() == 2
    assert not blocking_violations(page)
