"""Minify in Chromium: a page shows the same text and computed styles before and after."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from playwright.sync_api import Page

from sitegen.build import build
from sitegen.config import load_config
from sitegen.postprocess import process_outputs
from test_postprocess import by_path, config, site_files


def test_browser_shows_the_same_page_after_minify(tmp_path: Path, new_page: Callable[..., Page]) -> None:
    """Chromium's innerText and computed styles of the page are the same before and after."""
    original = by_path(site_files())
    minified = by_path(process_outputs(site_files(), config(tmp_path, minify=True)))
    page = new_page()

    def seen(files: dict[str, bytes]) -> dict[str, object]:
        page_html = files["index.html"].decode("utf-8")
        css = files["style.css"].decode("utf-8")
        page.set_content(page_html)
        page.add_style_tag(content=css)  # the page's /style.css, without a server
        return page.evaluate("""() => {
            const styles = {};
            for (const sel of ['body', 'h1', 'h2', 'pre', 'nav a', 'li span']) {
                const s = getComputedStyle(document.querySelector(sel));
                styles[sel] = [s.color, s.fontFamily, s.fontSize, s.lineHeight,
                               s.marginInlineStart, s.whiteSpace, s.direction].join('|');
            }
            return {text: document.body.innerText, dir: document.documentElement.dir, styles};
        }""")

    before, after = seen(original), seen(minified)
    assert before["dir"] == after["dir"] == "rtl"
    assert "سطر   ثانٍ بمسافات  محفوظة" in str(after["text"])
    assert after == before


def test_browser_minified_seeds_site_looks_the_same(seeds_site: Path, tmp_path: Path,
                                                    new_page: Callable[..., Page],
                                                    static_server: Callable[[Path], str]) -> None:
    """Home, an article and a tag page of the real theme: Chromium's innerText and the
    computed style of every element are the same before and after minify."""
    root = shutil.copytree(seeds_site, tmp_path / "site")  # the build writes its cache there
    original, minified = root / "public", tmp_path / "minified"
    build(load_config(root / "config.toml").replace(output_dir=minified, minify=True))
    article = next(p for p in sorted((original / "articles").iterdir()) if p.is_dir())
    tag = next(p for p in sorted((original / "tags").iterdir()) if p.is_dir())
    pages = ["", f"articles/{article.name}/", f"tags/{tag.name}/"]
    probe = """() => Array.from(document.querySelectorAll('body *')).map(e => {
        const s = getComputedStyle(e);
        return [e.tagName, s.display, s.color, s.backgroundColor, s.fontFamily, s.fontSize,
                s.lineHeight, s.marginInlineStart, s.paddingInlineStart, s.whiteSpace,
                s.direction, e.getBoundingClientRect().width].join('|');
    }).concat([document.body.innerText, document.documentElement.dir])"""

    def seen(folder: Path) -> list:
        page = new_page(width=1280, height=900)
        base = static_server(folder)
        found = []
        for rel in pages:
            page.goto(base + rel)
            found.append(page.evaluate(probe))
        page.close()
        return found

    before, after = seen(original), seen(minified)
    assert before[0][-1] == "rtl"
    for rel, a, b in zip(pages, before, after):
        assert a[-2] == b[-2], rel  # the text a reader sees
        assert a == b, rel
