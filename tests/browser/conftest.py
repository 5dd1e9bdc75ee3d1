"""Browser harness: headless Debian Chromium through Playwright, a static file server, and
screenshots saved as test artifacts.

Chromium is never downloaded: the tests use the system's /usr/bin/chromium (or the path in
SITEGEN_CHROMIUM, which exists so the harness's own test can simulate a missing browser).
Without it the browser tests skip, saying how to install it; with CI=true they fail instead,
so CI cannot pass by skipping them.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from conftest import missing_tool
from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
"""The project checkout."""
ARTIFACTS = ROOT / "test-artifacts"
"""Screenshots and other files for a person to look at after a run (gitignored)."""
CHROMIUM = Path(os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
"""The system Chromium the tests drive."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Flags for a quiet, offline, sandbox-free headless run (CI containers run as root)."""
INSTALL_HINT = "apt-get install -y chromium fonts-noto-core"

BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/browser carries the `browser` marker (`-m "not browser"`)."""
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the tests under tests/browser.

    Package-scoped, not session-scoped: Playwright's sync API allows one running instance per
    thread, so the browser must be closed before a test elsewhere starts its own."""
    if not CHROMIUM.exists():
        missing_tool(f"Chromium not found at {CHROMIUM}; install it with: {INSTALL_HINT}")

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """new_page(width=1280, height=900, color_scheme="light") → a page in a fresh context,
    closed after the test; color_scheme "dark" emulates `prefers-color-scheme: dark`.

    Every request that leaves 127.0.0.1 is aborted and recorded in `page.offsite_requests`:
    the built site must make no network request (no CDN, no remote font)."""
    contexts = []

    def make(width: int = 1280, height: int = 900, color_scheme: str = "light") -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="ar-EG",
                                      color_scheme=color_scheme)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        offsite: list[str] = []

        def guard(route: Route) -> None:
            url = route.request.url
            if re.match(r"^(https?|wss?)://127\.0\.0\.1(:\d+)?/", url) or url.startswith(("data:", "blob:", "about:")):
                route.continue_()
            else:
                offsite.append(url)
                route.abort()

        context.route("**/*", guard)
        page.offsite_requests = offsite  # type: ignore[attr-defined]
        return page

    yield make
    for context in contexts:
        context.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging every request to stderr."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".xml": "application/xml", ".webmanifest": "application/manifest+json",
                      ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` over HTTP on 127.0.0.1 at a free port, in a thread, while the block runs;
    yields the base URL ending in '/'. Percent-encoded UTF-8 (Arabic) paths are served."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"static-server {root}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def static_server() -> Iterator[Callable[[Path], str]]:
    """static_server(folder) → base URL of a server for that folder, stopped after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda root: stack.enter_context(serve(Path(root)))


@pytest.fixture(scope="session")
def seeds_url(seeds_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeds' site built for, and served at, a local URL (base_url = that URL, so every
    absolute link, stylesheet and feed stays on the local server); yields the base URL."""
    root = tmp_path_factory.mktemp("browser-site")
    for name in ("config.toml", "content", "themes", "templates", "static"):
        src = seeds_site / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        elif src.exists():
            shutil.copy(src, root / name)
    out = root / "public"  # may not exist yet: the server looks it up per request
    with serve(out) as url:
        code = main(["build", "-q", "-C", str(root / "config.toml"), "--base-url", url])
        assert code == 0, "building the seeds' site for the browser failed"
        yield url


def screenshot_path(name: str) -> Path:
    """Where a screenshot called `name` goes: test-artifacts/<name>.png at the repo root."""
    safe = re.sub(r"[^\w.-]+", "-", name, flags=re.UNICODE).strip("-") or "screenshot"
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{safe}.png"


@pytest.fixture
def save_screenshot() -> Callable[..., Path]:
    """save_screenshot(page, name, full_page=True) → the PNG written in test-artifacts/."""

    def save(page: Page, name: str, full_page: bool = True) -> Path:
        path = screenshot_path(name)
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save
