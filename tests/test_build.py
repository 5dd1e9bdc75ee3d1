"""The whole build: the seeds' site as a reader gets it, atomic failures, determinism, stale
files, URL clashes and --strict."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import pytest

from sitegen.build import BuildOptions, build
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.errors import BuildError

from conftest import ROOT, article, tree

MakeSite = Callable[[dict[str, str]], Path]

TRUTH = "يعد-الرئيس-الأمريكي-الأسبق-دونالد-ترامب-أحد-أكبر-الشخصيات-البارزة-استخداما"
DEMOCRATS_TITLE = "نواب ديموقراطيون يتهمون الجمهوريين بحماية استثمارات إيلون ماسك في الصين"


SMALL = {
    "content/a.md": article("مقال أول عن Truth Social", "نص **أول**. انظر [الثاني](b.md).",
                            slug="a", date="2026-11-20", source="صدى البلد",
                            tags="[تروث سوشيال, إيلون ماسك]", read_also="[b]",
                            summary="ملخص المقال الأول."),
    "content/b.md": article("مقال ثان", "نص ثان.", slug="b", date="2026-11-21",
                            tags="[إیلون ماسک]", read_also="[a]",
                            related='[{title: "مقال أول عن Truth Social", slug: null}, '
                                    '{title: "عنوان من موقع آخر", slug: null}]'),
    "content/c.md": article("مقال بلا تاريخ", "نص ثالث.", tags="[تروث سوشيال]"),
}


def page(root: Path, rel: str) -> str:
    return (root / "public" / rel).read_text(encoding="utf-8")


# --- The seeds' site ------------------------------------------------------------------------
def seeds_articles(root: Path) -> list[Path]:
    return sorted((root / "content").glob("*.md"))


def test_every_seed_article_has_a_page(seeds_site: Path) -> None:
    contents = seeds_articles(seeds_site)
    assert len(contents) >= 3
    from sitegen.frontmatter import parse
    for path in contents:
        slug = parse(path.read_text(encoding="utf-8"), path).meta["slug"]
        html = page(seeds_site, f"articles/{slug}/index.html")
        assert '<html lang="ar" dir="rtl">' in html


def test_truth_social_read_also_links_to_democrats_page_and_it_shows_the_backlink(seeds_site: Path) -> None:
    html = page(seeds_site, f"articles/{TRUTH}/index.html")
    box = re.search(r'<section class="read-also".*?</section>', html, re.S)
    assert box, "the Truth Social page has no read-also box"
    m = re.search(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', box.group())
    assert m and m.group(2) == DEMOCRATS_TITLE
    target_slug = DEMOCRATS_TITLE.replace(" ", "-")
    assert m.group(1) == "/articles/" + quote(target_slug) + "/"
    target = page(seeds_site, f"articles/{target_slug}/index.html")
    back = re.search(r'<section class="backlinks".*?</section>', target, re.S)
    assert back and "/articles/" + quote(TRUTH) + "/" in back.group()


def test_truth_social_tag_page_lists_its_article(seeds_site: Path) -> None:
    html = page(seeds_site, "tags/تروث-سوشيال/index.html")
    assert "/articles/" + quote(TRUTH) + "/" in html
    assert 'href="/tags/' + quote("تروث-سوشيال") + '/"' in page(seeds_site, "tags/index.html")


def test_sitemap_lists_every_article(seeds_site: Path) -> None:
    sitemap = page(seeds_site, "sitemap.xml")
    from sitegen.frontmatter import parse
    for path in seeds_articles(seeds_site):
        slug = parse(path.read_text(encoding="utf-8"), path).meta["slug"]
        assert f"<loc>https://digest.example.org/articles/{quote(slug)}/</loc>" in sitemap


def test_check_finds_no_broken_links_and_no_orphans(seeds_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "-C", str(seeds_site / "config.toml")]) == 0
    assert "0 broken links, 0 orphans" in capsys.readouterr().err


def test_built_site_makes_no_network_request(seeds_site: Path) -> None:
    for rel, data in tree(seeds_site / "public").items():
        if rel.endswith((".html", ".css")):
            text = data.decode("utf-8")
            # Only <a href> and canonical/og/JSON-LD may name absolute URLs; nothing is loaded.
            assert not re.search(r'(?:src|@import|url\()\s*=?\s*["\']?(?:https?:)?//', text), rel
            assert not re.search(r'<link rel="stylesheet" href="(?:https?:)?//', text), rel


# --- Inline sites ---------------------------------------------------------------------------
def test_summary_line_and_pages(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(SMALL)
    assert main(["build", "-C", str(root / "config.toml")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"built \d+ pages in \d+\.\d s, 0 unresolved references", err), err
    for slug in ("a", "b", "مقال-بلا-تاريخ"):
        assert (root / "public/articles" / slug / "index.html").is_file()
    assert (root / "public/404.html").is_file()
    assert (root / "public/robots.txt").read_text().endswith("Sitemap: https://example.org/sitemap.xml\n")
    assert re.fullmatch(r"style\.[0-9a-f]{10}\.css", next((root / "public/static").glob("style.*.css")).name)


def test_bad_front_matter_names_file_and_line_and_leaves_public_unchanged(make_site: MakeSite,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(SMALL)
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    before = tree(root / "public")
    (root / "content/d.md").write_text("---\ntitle: سليم\ntags: [غير مغلق\n---\nنص\n", encoding="utf-8")
    (root / "content/e.md").write_text("---\nsummary: بلا عنوان\n---\nنص\n", encoding="utf-8")
    assert main(["build", "-q", "-C", config]) == 1
    err = capsys.readouterr().err
    assert "content/d.md:3: front matter: invalid YAML" in err or "content/d.md:4: front matter" in err, err
    assert "content/e.md:1: load: title" in err, err
    assert tree(root / "public") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".public")] == []


def test_broken_template_names_template_and_line_and_leaves_public_unchanged(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(SMALL)
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    before = tree(root / "public")
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{{ article.title }\n{% endblock %}\n', encoding="utf-8")
    assert main(["build", "-q", "-C", config]) == 1
    err = capsys.readouterr().err
    assert re.search(r"^error: templates/article\.html:3: template: ", err, re.M), err
    assert tree(root / "public") == before
    # A runtime error in a template is located too.
    (root / "templates/article.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n\n{{ no_such_variable.x }}\n{% endblock %}\n',
        encoding="utf-8")
    assert main(["build", "-q", "-C", config]) == 1
    err = capsys.readouterr().err
    assert re.search(r"^error: templates/article\.html:4: render: UndefinedError", err, re.M), err
    assert tree(root / "public") == before


def test_two_builds_are_byte_identical(make_site: MakeSite, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    root = make_site(SMALL)
    config = load_config(root / "config.toml")
    build(config)
    first = tree(root / "public")
    build(config.replace(output_dir=tmp_path / "second"))
    assert tree(tmp_path / "second") == first
    # And in a fresh interpreter (hash randomisation, import order): still the same bytes.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "sitegen", "build", "-q", "-C", str(root / "config.toml"),
                    "--out", str(tmp_path / "third")], check=True, env=env)
    assert tree(tmp_path / "third") == first


def test_rebuild_rewrites_nothing_unchanged_and_removes_stale_files(make_site: MakeSite) -> None:
    root = make_site(SMALL)
    config = load_config(root / "config.toml")
    first = build(config)
    assert first.written > 0 and first.removed == 0
    again = build(config)
    assert again.written == 0 and again.unchanged == first.written
    (root / "public/stray.html").write_text("قديم", encoding="utf-8")
    (root / "content/c.md").unlink()
    report = build(config)
    assert not (root / "public/articles/مقال-بلا-تاريخ").exists()
    assert not (root / "public/stray.html").exists()
    assert report.removed >= 2


def test_two_articles_wanting_one_url_is_an_error_naming_both(make_site: MakeSite) -> None:
    root = make_site({"content/one.md": article("أ", slug="same"),
                      "content/two.md": article("ب", slug="same")})
    with pytest.raises(BuildError) as e:
        build(load_config(root / "config.toml"))
    assert "content/one.md" in str(e.value) and "content/two.md" in str(e.value)
    assert "/articles/same/" in str(e.value)
    assert not (root / "public").exists()


def test_strict_turns_unresolved_references_into_exit_1(make_site: MakeSite,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/a.md": article("أ", "انظر [هذا](missing.md).", slug="a",
                                              read_also="[no-such-article]")})
    config = str(root / "config.toml")
    assert main(["build", "-C", config]) == 0
    err = capsys.readouterr().err
    assert "content/a.md: read_also: «no-such-article» names no article" in err
    assert "content/a.md:7: link: «missing.md» names no article" in err
    assert "2 unresolved references" in err
    before = tree(root / "public")
    (root / "content/b.md").write_text(article("ب", slug="b"), encoding="utf-8")
    assert main(["build", "--strict", "-C", config]) == 1
    assert tree(root / "public") == before


def test_base_url_with_a_sub_path_is_used_everywhere(make_site: MakeSite) -> None:
    root = make_site(SMALL)
    assert main(["build", "-q", "-C", str(root / "config.toml"), "--base-url",
                 "https://example.org/digest", "--out", str(root / "sub")]) == 0
    out = root / "sub"
    for rel, data in tree(out).items():
        if not rel.endswith((".html", ".xml", ".txt")):
            continue
        text = data.decode("utf-8")
        for href in re.findall(r'(?:href|src)="([^"]+)"', text):
            if not href.startswith(("#", "mailto:")):
                assert href.startswith(("/digest/", "https://example.org/digest/")), (rel, href)
        for loc in re.findall(r"<(?:loc|id)>([^<]+)<", text):
            assert loc.startswith("https://example.org/digest/"), (rel, loc)
    assert main(["check", "-q", "-C", str(root / "config.toml"), "--out", str(out),
                 "--base-url", "https://example.org/digest/"]) == 0


def test_drafts_only_with_drafts_flag(make_site: MakeSite) -> None:
    root = make_site({"content/a.md": article("منشور", slug="a"),
                      "content/d.md": article("مسودة", slug="d", draft="true")})
    config = load_config(root / "config.toml")
    build(config)
    assert not (root / "public/articles/d").exists()
    build(config, BuildOptions(drafts=True))
    assert (root / "public/articles/d/index.html").is_file()


def test_make_site_imports_and_builds(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    for name in ("seeds", "themes"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("Makefile", "config.toml"):
        shutil.copy(ROOT / name, root / name)
    venv = Path(sys.executable).parent.parent
    (root / ".venv").symlink_to(venv)
    # The venv is already set up: mark its install stamp newer than pyproject.toml.
    stamp = venv / ".installed"
    if not stamp.exists():
        pytest.skip("the venv was not installed through make; `make site` would reinstall it")
    (root / "pyproject.toml").write_bytes(b"")
    os.utime(root / "pyproject.toml", (0, 0))
    result = subprocess.run(["make", "-s", "site"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "built" in result.stderr and "pages" in result.stderr
    assert len(list((root / "content").glob("*.md"))) >= 3
    assert len(list((root / "public/articles").glob("*/index.html"))) == len(list((root / "content").glob("*.md")))


def test_minify_and_compress_are_part_of_the_build(make_site: MakeSite) -> None:
    import gzip
    root = make_site({**SMALL, "config.toml": 'base_url = "https://example.org/"\nminify = true\ncompress = true\n'})
    config = load_config(root / "config.toml")
    build(config)
    html = (root / "public/articles/a/index.html").read_bytes()
    assert gzip.decompress((root / "public/articles/a/index.html.gz").read_bytes()) == html
    assert b"\n\n" not in html
    # Turning compression off removes the siblings with the next build (they are stale files).
    (root / "config.toml").write_text('base_url = "https://example.org/"\n', encoding="utf-8")
    build(load_config(root / "config.toml"))
    assert not list((root / "public").rglob("*.gz"))



def test_the_command_exits_with_its_code_and_every_line_said(make_site: MakeSite) -> None:
    """`python -m sitegen` (like the `sitegen` script) exits without tearing the interpreter
    down: the summary and warnings still reach the terminal, the exit code is the command's."""
    root = make_site({"content/a.md": article("أ", slug="a", read_also="[no-such-article]")})
    config = str(root / "config.toml")
    # Buffered pipes, as a script reading the output has them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    ok = subprocess.run([sys.executable, "-m", "sitegen", "build", "-C", config],
                        capture_output=True, text=True, encoding="utf-8", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "«no-such-article» names no article" in ok.stderr
    assert re.search(r"built \d+ pages in .*1 unresolved reference", ok.stderr), ok.stderr
    strict = subprocess.run([sys.executable, "-m", "sitegen", "build", "--strict", "-C", config],
                            capture_output=True, text=True, encoding="utf-8", env=env)
    assert strict.returncode == 1 and "--strict" in strict.stderr, strict.stderr
    version = subprocess.run([sys.executable, "-m", "sitegen", "--version"], capture_output=True, text=True,
                             env=env)
    assert version.returncode == 0 and version.stdout.startswith("sitegen ")


def test_more_quiet_is_quieter_not_debug(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(SMALL)
    (root / "content/draft.md").write_text(article("مسودة", draft="true"), encoding="utf-8")
    for flags in (["-qq"], ["-q"], ["-qqq"]):
        shutil.rmtree(root / ".sitegen-cache", ignore_errors=True)  # a real build each time
        assert main(["build", *flags, "-C", str(root / "config.toml")]) == 0
        assert capsys.readouterr().err == "", flags
