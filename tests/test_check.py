"""`sitegen check`: broken internal links and orphan pages in a built folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.check import check_site
from sitegen.cli import main
from sitegen.config import Config


def page(*hrefs: str) -> str:
    links = "".join(f'<a href="{h}">x</a>' for h in hrefs)
    return f"<!DOCTYPE html><html><head><link rel=stylesheet href=/sub/s.css></head><body>{links}</body></html>"


def site(tmp_path: Path, pages: dict[str, str]) -> Config:
    out = tmp_path / "public"
    for rel, text in pages.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    (out / "s.css").write_text("")
    return Config(root=tmp_path, base_url="https://example.org/sub/")


def test_a_clean_site_has_nothing_to_report(tmp_path: Path) -> None:
    config = site(tmp_path, {
        "index.html": page("/sub/articles/%D8%AE%D8%A8%D8%B1/", "https://example.org/sub/about.html",
                           "https://other.example/x", "#top", "mailto:a@b.c"),
        "articles/خبر/index.html": page("../../about.html", "/sub/articles/خبر#قسم",
                                        "#%D9%82%D8%B3%D9%85") + '<h2 id="قسم">قسم</h2>',
        "about.html": page("/sub/"),
        "404.html": page("/sub/"),
    })
    report = check_site(config)
    assert (report.pages, report.broken, report.orphans) == (4, [], [])


def test_every_image_of_a_srcset_is_checked(tmp_path: Path) -> None:
    config = site(tmp_path, {
        "index.html": page("/sub/") + ('<img alt="x" src="/sub/a.480.webp" '
                                       'srcset="/sub/a.480.webp 480w, /sub/a.960.webp 960w">'),
    })
    (tmp_path / "public" / "a.480.webp").write_bytes(b"RIFF")
    assert check_site(config).broken == [("index.html", "/sub/a.960.webp")]


def test_broken_links_and_orphans_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site(tmp_path, {
        "index.html": page("/sub/missing/", "/elsewhere/", "gone.html", "/sub/lonely/#nowhere"),
        "lonely/index.html": page("/sub/"),
    })
    report = check_site(config)
    assert report.broken == [("index.html", "/sub/missing/"), ("index.html", "/elsewhere/"),
                             ("index.html", "gone.html"), ("index.html", "/sub/lonely/#nowhere")]
    assert report.orphans == []
    (tmp_path / "config.toml").write_text('base_url = "https://example.org/sub/"\n')
    assert main(["check", "-C", str(tmp_path / "config.toml")]) == 1
    err = capsys.readouterr().err
    assert "index.html: broken link: /sub/missing/" in err
    assert "4 broken links, 0 orphans" in err
    (tmp_path / "public/index.html").write_text(page("/sub/"), encoding="utf-8")
    assert check_site(config).orphans == ["lonely/index.html"]
    assert main(["check", "-C", str(tmp_path / "config.toml")]) == 1
    assert "lonely/index.html: orphan" in capsys.readouterr().err
