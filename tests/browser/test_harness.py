"""The browser harness itself: the static server, Chromium, and skip-versus-fail without it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent.parent
ARABIC_DIR = "مقالات"
ARABIC_SLUG = "تروث-سوشيال"


def _arabic_folder(tmp_path: Path) -> Path:
    page = tmp_path / ARABIC_DIR / ARABIC_SLUG
    page.mkdir(parents=True)
    (page / "index.html").write_text(
        '<!doctype html><html dir="rtl" lang="ar"><head><meta charset="utf-8"><title>تروث سوشيال</title>'
        '</head><body><h1>منصة <bdi>Truth Social</bdi></h1></body></html>',
        encoding="utf-8",
    )
    return tmp_path


def _quoted(*parts: str) -> str:
    return "/".join(urllib.parse.quote(p) for p in parts) + "/"


def test_static_server_serves_percent_encoded_arabic_paths(
    static_server: Callable[[Path], str], tmp_path: Path
) -> None:
    url = static_server(_arabic_folder(tmp_path))
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    with urllib.request.urlopen(url + _quoted(ARABIC_DIR, ARABIC_SLUG), timeout=10) as response:
        assert response.status == 200
        assert "منصة <bdi>Truth Social</bdi>" in response.read().decode("utf-8")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(url + _quoted(ARABIC_DIR, "غير-موجود"), timeout=10)
    assert missing.value.code == 404


def test_chromium_renders_an_arabic_page_right_to_left(
    static_server: Callable[[Path], str], new_page: Callable[..., Page], tmp_path: Path
) -> None:
    url = static_server(_arabic_folder(tmp_path))
    page = new_page(390)
    page.goto(url + _quoted(ARABIC_DIR, ARABIC_SLUG))
    assert page.title() == "تروث سوشيال"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.locator("h1 bdi").inner_text() == "Truth Social"


def test_offsite_requests_are_blocked_and_recorded(
    static_server: Callable[[Path], str], new_page: Callable[..., Page], tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="ar"><head><meta charset="utf-8"><title>x</title>'
        '<link rel="stylesheet" href="https://cdn.example.com/a.css"></head><body>نص</body></html>',
        encoding="utf-8",
    )
    page = new_page()
    page.goto(static_server(tmp_path))
    assert page.offsite_requests == ["https://cdn.example.com/a.css"]  # type: ignore[attr-defined]


def _run_harness_without_chromium(ci: str | None) -> subprocess.CompletedProcess[str]:
    """Run the Chromium test above in a child pytest with the Chromium path pointing nowhere."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["SITEGEN_CHROMIUM"] = "/nonexistent/chromium"
    if ci is not None:
        env["CI"] = ci
    node = f"{Path(__file__).relative_to(ROOT)}::test_chromium_renders_an_arabic_page_right_to_left"
    return subprocess.run(
        [sys.executable, "-m", "pytest", node, "-q", "-rs", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def test_missing_chromium_skips_with_install_hint_outside_ci() -> None:
    result = _run_harness_without_chromium(ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "apt-get install -y chromium fonts-noto-core" in result.stdout


def test_missing_chromium_fails_under_ci_true() -> None:
    result = _run_harness_without_chromium(ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout or "1 failed" in result.stdout
    assert "Chromium not found at /nonexistent/chromium" in result.stdout
    assert "CI=true" in result.stdout
