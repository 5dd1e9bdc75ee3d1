"""`sitegen serve` in headless Chromium: what an editor sees after saving.

Each test serves a private copy of the seeds' site with the real build, opens an article and
changes a file on disk the way an editor would. "Within 2 s" is the wait for the new text,
not a speed assertion (the benchmark measures speed)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from sitegen.config import load_config
from sitegen.serve import DevServer, dev_server

WAIT_MS = 2000
"""How long a change may take to show (the issue's 'within 2 s')."""


@dataclass
class Live:
    """A served site, the article page open in the browser, and its loads counted."""

    root: Path
    server: DevServer
    page: Page
    article: Path
    loads: list[str] = field(default_factory=list)

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def live(seeds_site: Path, tmp_path: Path, new_page: Callable[..., Page]) -> Iterator[Live]:
    root = tmp_path / "site"
    root.mkdir()
    for name in ("config.toml", "content", "seeds", "themes", "templates", "static"):
        src = seeds_site / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        elif src.exists():
            shutil.copy(src, root / name)
    article = sorted((root / "content").glob("*.md"))[0]
    slug = re.search(r"^slug: (.+)$", article.read_text(encoding="utf-8"), re.M)
    assert slug
    with dev_server(load_config(root / "config.toml"), port=0) as server:
        server.start()
        page = new_page(width=1000, height=600)
        state = Live(root, server, page, article)
        page.on("load", lambda: state.loads.append(page.url))
        page.goto(server.url + quote(f"articles/{slug.group(1).strip()}/"))
        page.wait_for_function("document.readyState === 'complete'")
        assert len(state.loads) == 1
        yield state
        assert page.offsite_requests == []  # type: ignore[attr-defined]


def settle(live: Live) -> None:
    """Give a wrong extra reload time to happen before counting (a wait, not a check)."""
    live.page.wait_for_timeout(800)


def test_markdown_edit_shows_with_one_reload_keeping_scroll(live: Live) -> None:
    page = live.page
    page.evaluate("window.scrollTo(0, 300)")
    page.wait_for_function("window.scrollY >= 299")
    text = live.article.read_text(encoding="utf-8")
    live.article.write_text(text + "\nسطر جديد كتبه المحرر في الملف.\n", encoding="utf-8")
    page.wait_for_function("document.body.innerText.includes('سطر جديد كتبه المحرر في الملف.')", timeout=WAIT_MS)
    page.wait_for_function("document.readyState === 'complete' && Math.abs(window.scrollY - 300) < 5",
                           timeout=WAIT_MS)
    settle(live)
    assert len(live.loads) == 2  # the first load and exactly one reload


def test_css_change_applies_without_navigation(live: Live) -> None:
    page = live.page
    page.evaluate("window.__stillHere = 42")
    css = live.root / "themes" / "digest" / "static" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { background-color: rgb(1, 2, 3) !important; }\n",
                   encoding="utf-8")
    page.wait_for_function("getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'", timeout=WAIT_MS)
    settle(live)
    assert page.evaluate("window.__stillHere") == 42
    assert len(live.loads) == 1
    # One stylesheet, now the new fingerprinted one (the old link was removed after the swap).
    hrefs = page.eval_on_selector_all('link[rel~="stylesheet"]', "ls => ls.map(l => l.href)")
    assert len(hrefs) == 1 and re.search(r"/style\.[0-9a-f]+\.css$", hrefs[0])


def test_broken_template_shows_overlay_and_fix_recovers(live: Live, save_screenshot: Callable[..., Path]) -> None:
    page = live.page
    template = live.root / "themes" / "digest" / "templates" / "article.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good + "\n{% if %}\n", encoding="utf-8")
    overlay = page.wait_for_selector("#sitegen-overlay", timeout=WAIT_MS)
    assert overlay is not None
    message = overlay.inner_text()
    assert "article.html" in message and re.search(r"article\.html:\d+", message)
    # The page is still the article, readable above the panel.
    box = overlay.bounding_box()
    assert box is not None and box["y"] >= 600 / 2
    assert page.locator("h1").first.is_visible()
    save_screenshot(page, "live-reload-overlay", full_page=False)  # as the editor sees it
    template.write_text(good, encoding="utf-8")
    page.wait_for_selector("#sitegen-overlay", state="detached", timeout=WAIT_MS)
    settle(live)
    assert page.locator("#sitegen-overlay").count() == 0
    assert page.locator("h1").first.is_visible()


def test_save_through_temp_file_and_rename(live: Live) -> None:
    page = live.page
    text = live.article.read_text(encoding="utf-8")
    tmp = live.article.with_name(f".{live.article.name}.tmp")
    tmp.write_text(text + "\nجملة حفظت عبر ملف مؤقت ثم إعادة تسمية.\n", encoding="utf-8")
    os.replace(tmp, live.article)
    page.wait_for_function("document.body.innerText.includes('جملة حفظت عبر ملف مؤقت ثم إعادة تسمية.')",
                           timeout=WAIT_MS)
    settle(live)
    assert len(live.loads) == 2


_SET_HIDDEN = """hidden => {
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => hidden ? 'hidden' : 'visible'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_hidden_tab_lets_go_of_its_connection_and_catches_up(live: Live) -> None:
    page, server = live.page, live.server
    assert server.state.wait_streams(lambda n: n == 1, 5)
    page.evaluate(_SET_HIDDEN, True)
    # Browsers allow ~6 connections per host: a background tab must not hold one.
    assert server.state.wait_streams(lambda n: n == 0, 5)
    version = server.state.version
    live.article.write_text(live.article.read_text(encoding="utf-8") + "\nخبر فاته التبويب المخفي.\n",
                            encoding="utf-8")
    # The rebuild's change is published (the event, not a guess at how long it takes).
    assert server.state.wait_change(server.state.token, version, timeout=30) is not None
    # Hidden: no stream, so nothing could tell it, and it has not reloaded.
    assert server.state.streams == 0 and len(live.loads) == 1
    # Visible again: it reconnects, hears of the change and reloads. Wait for that page's
    # load event itself: its text shows before `load` fires, which under load came late
    # enough for a count taken at the text to see one load of two.
    with page.expect_event("load", timeout=30_000):
        page.evaluate(_SET_HIDDEN, False)
    assert "خبر فاته التبويب المخفي." in page.inner_text("body")
    assert len(live.loads) == 2


def test_an_open_search_page_finds_a_new_word_once_the_index_is_remade(live: Live) -> None:
    """The index is remade off the rebuild (after the editor is idle) and swapped in: a
    search page left open reloads then, and its query finds the new word, without the
    editor reloading it (its old index's files are gone by then)."""
    page = live.page
    word = "زمردستان"
    page.goto(live.server.url + "search/?q=" + quote(word))
    page.wait_for_selector(".search-status")
    page.wait_for_function("document.querySelector('.search-status').innerText.includes('لا نتائج')",
                           timeout=10_000)
    text = live.article.read_text(encoding="utf-8")
    live.article.write_text(text + f"\nفي الخبر كلمة جديدة هي {word} كتبها المحرر.\n", encoding="utf-8")
    # Idle time (1.5 s), Pagefind over the site, then the swap: generous on a loaded machine.
    page.wait_for_selector(".search-result h2 a", timeout=60_000)
    assert page.url.endswith("?q=" + quote(word))
    assert len(page.locator(".search-result").all()) == 1
