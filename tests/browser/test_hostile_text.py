"""Text that looks like markup in a title, summary or body (as `sitegen import` writes it: the
body escaped, the summary as the seed had it) is shown as text in Chromium: it never starts a
comment or a script that swallows the rest of the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from playwright.sync_api import Page

from sitegen.cli import main

TRICK = "<!--<script>"
"""In a <script> element, this switches the HTML parser into the "double escaped" state, where
`</script>` no longer ends the element: the rest of the page becomes script text."""


def test_markup_like_text_leaves_the_article_page_visible(make_site: Callable[[dict[str, str]], Path],
                                                         new_page: Callable[..., Page],
                                                         static_server: Callable[[Path], str]) -> None:
    root = make_site({
        "content/خدعة.md": (
            "---\n"
            f"title: 'عنوان فيه {TRICK} وسط الكلام'\n"
            "slug: khud3a\n"
            "date: 2026-03-01\n"
            f"summary: 'ملخص فيه {TRICK} أيضا & علامة > أكبر'\n"
            "tags: [تجربة]\n"
            "---\n\n"
            "فقرة أولى فيها &lt;!--&lt;script&gt; في منتصفها.\n\n"
            "فقرة ثانية يجب أن تظهر للقارئ.\n"),
        "config.toml": 'base_url = "https://example.org/"\nsearch = false\n',
    })
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    page = new_page()
    page.goto(static_server(root / "public") + "articles/khud3a/")
    text = page.inner_text("body")
    assert f"عنوان فيه {TRICK} وسط الكلام" in text
    assert "فقرة ثانية يجب أن تظهر للقارئ." in text
    assert page.locator("h1").first.is_visible()
    assert page.get_by_text("فقرة ثانية يجب أن تظهر للقارئ.").is_visible()
    # The structured data a search engine reads is intact.
    ld = page.evaluate("() => JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert ld["description"] == f"ملخص فيه {TRICK} أيضا & علامة > أكبر"

    # In the file, the JSON holds no character the HTML parser reacts to.
    html = (root / "public/articles/khud3a/index.html").read_text(encoding="utf-8")
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script and "&" not in script
    assert json.loads(script)["headline"] == f"عنوان فيه {TRICK} وسط الكلام"
