"""The layout's constant parts, rendered once per build (sitegen.layout): pages come out
byte for byte as the templates as written render them, whatever the templates do."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import escape
import pytest

from sitegen import layout
from sitegen.build import build, verify_incremental
from sitegen.config import load_config
from sitegen.errors import BuildError
from sitegen.incremental.warm import WarmState
from sitegen.layout import LayoutMemo, Layouts

from conftest import article, tree

MakeSite = Callable[[dict[str, str]], Path]

BASE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head><title>{% block title %}{{ title }} – {{ site.title }}{% endblock %}</title>
<link rel="stylesheet" href="{{ asset('style.css') }}">
{% include "head.html" %}
{% block head %}{% endblock %}
</head>
<body>
<nav>{% for label, href in nav %}<a href="{{ href }}">{{ label }}</a>{% endfor %}</nav>
{% block search %}{% if search %}{% from "icons.html" import icon %}<form action="{{ search }}">{{ icon(3) }}</form>{% endif %}{% endblock %}
<main>{% block content %}{% endblock %}</main>
<footer>{{ site.title }}{% if site.archive %} <a href="{{ site.archive }}">archive</a>{% endif %}</footer>
</body>
</html>
"""

TEMPLATES = {
    "base.html": BASE,
    "head.html": '<link rel="icon" href="{{ asset(\'icon.svg\') }}">',
    "icons.html": '{% macro icon(size) %}<svg width="{{ size }}"></svg>{% endmacro %}',
    "who.html": "<p>{{ title }}</p>",
    "page.html": '{% extends "base.html" %}{% block content %}<h1>{{ title }}</h1>{% endblock %}',
    # Its own head block reads a page variable; its search block replaces the layout's.
    "own-head.html": ('{% extends "base.html" %}{% block head %}<meta name="x" content="{{ title }}">'
                      '{% endblock %}{% block search %}<p>no search</p>{% endblock %}'
                      '{% block content %}{{ super() }}{{ title }}{% endblock %}'),
    # A top-level name shadows a global: what reads it later is the page's.
    "shadow.html": ('{% extends "base.html" %}{% set nav = [(title, "/" ~ title)] %}'
                    '{% block content %}{% include "who.html" %}{% endblock %}'),
    # The layout's title block, overridden with super() and a page variable.
    "titled.html": ('{% extends "base.html" %}{% block title %}{{ super() }}!{% endblock %}'
                    '{% block content %}{{ title|upper }}{% endblock %}'),
    "standalone.html": ("<header>{{ site.title }} {{ asset('style.css') }}</header>"
                        "{% include 'who.html' %}<footer>{{ nav|length }}</footer>"),
}


class Globals:
    """The site-wide variables, with `asset` counting its calls."""

    def __init__(self) -> None:
        self.asset_calls = 0
        self.values: dict[str, Any] = {
            "site": {"title": "موجز", "archive": "/archive/"},
            "nav": [("الرئيسية", "/"), ("الوسوم", "/tags/")],
            "asset": self.asset,
        }

    def asset(self, name: str) -> str:
        self.asset_calls += 1
        return f"/static/{name}"


def environment(search: str | None = "/search/") -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["search"] = search
    return env


def pages(n: int) -> list[dict[str, Any]]:
    return [{"title": f"خبر {i} <b>", "lang": "ar" if i % 2 else "en"} for i in range(n)]


@pytest.mark.parametrize("name", ["page.html", "own-head.html", "shadow.html", "titled.html",
                                  "standalone.html"])
@pytest.mark.parametrize("search", ["/search/", None])
def test_pages_are_what_the_templates_as_written_render(name: str, search: str | None) -> None:
    env = environment(search)
    site_wide = Globals()
    layouts = Layouts(env, site_wide.values, LayoutMemo(), after=0)
    for page in pages(5):
        assert layouts.render(name, page) == env.get_template(name).render(**site_wide.values, **page)
    assert layouts.memo.layouts[(name, frozenset(page))] is not None


def test_constant_parts_are_rendered_once_per_build() -> None:
    env = environment()
    site_wide = Globals()
    layouts = Layouts(env, site_wide.values, LayoutMemo(), after=3)
    for page in pages(40):
        html = layouts.render("page.html", page)
        assert f"<h1>{escape(page['title'])}</h1>" in html and 'href="/static/icon.svg"' in html
    # Two assets a page for the first three pages, then two for the rest of the build.
    assert site_wide.asset_calls == 2 * 3 + 2


def test_parts_that_read_page_variables_render_per_page() -> None:
    env = environment()
    site_wide = Globals()
    layouts = Layouts(env, site_wide.values, LayoutMemo(), after=0)
    first, second = (layouts.render("shadow.html", page) for page in pages(2))
    # The navigation reads the page's own `nav` (set by the template), so it follows the page.
    assert '<a href="/خبر 0 &lt;b&gt;">' in first and '<a href="/خبر 1 &lt;b&gt;">' in second


def test_a_new_build_renders_the_parts_again() -> None:
    """The compiled layouts are kept with the environment; the parts are the build's own
    (a stylesheet edit changes an asset's name and keeps the environment)."""
    env = environment()
    memo = LayoutMemo()
    old, new = Globals(), Globals()
    new.values["asset"] = lambda name: f"/static/new-{name}"
    assert "/static/style.css" in Layouts(env, old.values, memo, after=0).render("page.html", pages(1)[0])
    html = Layouts(env, new.values, memo, after=0).render("page.html", pages(1)[0])
    assert "/static/new-style.css" in html and "/static/style.css" not in html


@pytest.mark.parametrize("template", [
    '{% extends "base.html" %}{% block search %}{{ lipsum(1) }}{% endblock %}',
    '{% extends "base.html" %}{% block search %}{{ [1, 2]|random }}{% endblock %}',
    '{% extends "base.html" %}{% block search %}{% include which %}{% endblock %}',
    '{% extends "base.html" %}{% block search %}{% include "who.html" %}{% endblock %}',
    '{% extends "base.html" %}{% block search %}{{ super() }}{% endblock %}',
])
def test_what_cannot_be_proved_constant_is_not_cut(template: str) -> None:
    env = environment()
    env.loader.mapping["t.html"] = template  # type: ignore[union-attr]
    made = layout.compile_layout(env, "t.html", {"title", "lang", "which"})
    # The rest of the layout is cut (the navigation, the empty content block), not that block.
    assert made is not None and "search" not in made.constant.blocks and "content" in made.constant.blocks


def test_a_template_calling_self_is_rendered_as_written() -> None:
    env = environment()
    env.loader.mapping["t.html"] = (  # type: ignore[union-attr]
        '{% extends "base.html" %}{% block content %}{{ self.title() }}{% endblock %}')
    assert layout.compile_layout(env, "t.html", {"title", "lang"}) is None


def site_files(base: str | None = None) -> dict[str, str]:
    files = {f"content/a{i}.md": article(f"خبر رقم {i}", slug=f"a{i}", date=f"2026-01-{i % 28 + 1:02d}",
                                         tags="[الاقتصاد]", source="صدى البلد")
             for i in range(12)}
    files["config.toml"] = 'base_url = "https://example.org/"\nsearch = false\npage_size = 2\nnumerals = "arab"\n'
    if base is not None:
        files["templates/base.html"] = base
    return files


@pytest.mark.parametrize("theme", ["digest", "compact"])
def test_a_site_is_built_byte_for_byte_as_without_the_cut(make_site: MakeSite, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          theme: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    files = site_files()
    files["config.toml"] += f'theme = "{theme}"\n'
    root = make_site(files)
    config = load_config(root / "config.toml")
    monkeypatch.setattr(layout, "LAYOUT_AFTER", 10**9)
    build(config.replace(output_dir=tmp_path / "written", cache_dir=tmp_path / "c1"))
    monkeypatch.setattr(layout, "LAYOUT_AFTER", 0)
    build(config.replace(output_dir=tmp_path / "cut", cache_dir=tmp_path / "c2"))
    assert tree(tmp_path / "cut") == tree(tmp_path / "written")


def test_a_layout_edit_reaches_every_page(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit to a constant part of the site's own base.html shows on every page at the
    next build, in a process that keeps its state between builds as the dev server does."""
    monkeypatch.setattr(layout, "LAYOUT_AFTER", 0)
    base = (Path(__file__).resolve().parent.parent / "themes/digest/templates/base.html").read_text(encoding="utf-8")
    root = make_site(site_files(base))
    config = load_config(root / "config.toml")
    warm = WarmState()
    build(config, warm=warm)
    edited = base.replace("</footer>", "<p>تذييل جديد</p></footer>")
    assert edited != base
    (root / "templates/base.html").write_text(edited, encoding="utf-8")
    report = build(config, warm=warm)
    html = [p.read_text(encoding="utf-8") for p in (root / "public").rglob("*.html")
            if "http-equiv" not in p.read_text(encoding="utf-8")]
    assert report.rendered >= len(html) > 12 and all("تذييل جديد" in h for h in html)
    assert verify_incremental(config)[1] == []


def test_an_error_in_the_layout_names_its_file_and_line(make_site: MakeSite,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "LAYOUT_AFTER", 0)
    per_page = "<!DOCTYPE html>\n<title>{{ title }}</title>\n{{ title.no_such.thing }}\n{% block content %}{% endblock %}\n"
    root = make_site(site_files(per_page))
    with pytest.raises(BuildError, match=r"templates/base\.html:3: render: UndefinedError"):
        build(load_config(root / "config.toml"))
    constant = "<!DOCTYPE html>\n<title>{{ title }}</title>\n\n{{ asset('no-such.css') }}\n{% block content %}{% endblock %}\n"
    (root / "templates/base.html").write_text(constant, encoding="utf-8")
    with pytest.raises(BuildError, match=r"templates/base\.html:4: render: .*no-such\.css"):
        build(load_config(root / "config.toml"))
