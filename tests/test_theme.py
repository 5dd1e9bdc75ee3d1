"""Themes: lookup order, inheritance and switching, and the digest stylesheet's rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest

from sitegen.build import build
from sitegen.config import load_config
from sitegen.errors import BuildError, ThemeError
from sitegen.theme import load_theme, theme_chain

MakeSite = Callable[[dict[str, str]], Path]
THEMES = Path(__file__).resolve().parent.parent / "themes"
CSS = (THEMES / "digest/static/style.css").read_text(encoding="utf-8")
ARTICLE = "---\ntitle: خبر\nslug: a\nsummary: ملخص الخبر.\n---\nنص.\n"


def test_compact_theme_extends_digest_and_overrides_the_card(make_site: MakeSite) -> None:
    root = make_site({"content/a.md": ARTICLE, "content/b.md": ARTICLE.replace("slug: a", "slug: b"),
                      "config.toml": 'theme = "compact"\n'})
    config = load_config(root / "config.toml")
    assert [p.name for p in theme_chain(config)] == ["compact", "digest"]
    build(config)
    home = (root / "public/index.html").read_text(encoding="utf-8")
    assert 'class="card card-compact"' in home and 'class="summary"' not in home
    assert re.search(r'href="/static/compact\.[0-9a-f]{10}\.css"', home)
    assert re.search(r'href="/static/style\.[0-9a-f]{10}\.css"', home)  # inherited from digest
    # Switching back is a config change only.
    (root / "config.toml").write_text('theme = "digest"\n', encoding="utf-8")
    build(load_config(root / "config.toml"))
    home = (root / "public/index.html").read_text(encoding="utf-8")
    assert "card-compact" not in home and 'class="summary" dir="auto"' in home
    assert not list((root / "public/static").glob("compact.*"))


def test_site_templates_and_static_come_before_the_theme(make_site: MakeSite) -> None:
    root = make_site({"content/a.md": ARTICLE,
                      "templates/404.html": '{% extends "base.html" %}{% block content %}<p>مفقودة هنا</p>{% endblock %}\n',
                      "static/style.css": "body { color: CanvasText; }\n"})
    build(load_config(root / "config.toml"))
    assert "مفقودة هنا" in (root / "public/404.html").read_text(encoding="utf-8")
    css = next((root / "public/static").glob("style.*.css")).read_text()
    assert css == "body { color: CanvasText; }\n"


def test_missing_theme_and_extends_cycle_are_clear_errors(make_site: MakeSite) -> None:
    root = make_site({"config.toml": 'theme = "nope"\n'})
    with pytest.raises(ThemeError, match="theme 'nope' not found"):
        load_theme(load_config(root / "config.toml"))
    (root / "themes/loop1").mkdir()
    (root / "themes/loop1/theme.toml").write_text('extends = "loop2"\n')
    (root / "themes/loop2").mkdir()
    (root / "themes/loop2/theme.toml").write_text('extends = "loop1"\n')
    (root / "config.toml").write_text('theme = "loop1"\n')
    (root / "content").mkdir()  # a build without a content folder stops before the theme
    with pytest.raises(BuildError, match="extends forms a cycle: loop1 → loop2 → loop1"):
        build(load_config(root / "config.toml"))
    (root / "themes/loop1/theme.toml").write_bytes('extends = "قالب"\n'.encode("cp1256"))
    with pytest.raises(BuildError, match=r"loop1/theme\.toml: theme: not UTF-8 text"):
        build(load_config(root / "config.toml"))


def declarations(css: str) -> list[tuple[str, str]]:
    body = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return re.findall(r"([a-z-]+)\s*:\s*([^;{}]+);", body)


def test_css_uses_logical_properties_only() -> None:
    physical = re.compile(r"^(?:margin|padding|border)-(?:left|right|top|bottom)\b|^(?:left|right|top|bottom)$"
                          r"|^float$|^clear$")
    bad = [(p, v) for p, v in declarations(CSS) if physical.match(p)]
    bad += [(p, v) for p, v in declarations(CSS) if p == "text-align" and v.strip() in ("left", "right")]
    assert bad == []


def test_css_typography_for_arabic() -> None:
    body = re.search(r"\nbody \{(.*?)\}", CSS, re.S).group(1)
    assert "line-height: 1.8" in body
    stack = re.search(r"--font-ar:\s*([^;]+);", CSS).group(1)
    for font in ('"Noto Naskh Arabic"', '"Noto Sans Arabic"', '"Amiri"', '"Segoe UI"', "Tahoma", "sans-serif"):
        assert font in stack
    assert all(v.strip() == "normal" for p, v in declarations(CSS) if p == "letter-spacing")


def test_css_has_dark_mode_print_and_no_remote_resources() -> None:
    dark = re.search(r"@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{(.*?)\}", CSS, re.S)
    assert dark
    for var in ("--fg", "--bg", "--muted", "--link", "--accent"):
        assert re.search(rf"{var}:\s*#[0-9a-f]{{6}}", dark.group(1)), var
        assert re.search(rf":root \{{[^}}]*{var}:\s*#[0-9a-f]{{6}}", CSS), var
    assert "@media print" in CSS
    assert "@import" not in CSS and "url(" not in CSS and "@font-face" not in CSS
