"""The dev server over real HTTP, with fake rebuilds (the real build is in the browser test):
what a browser gets for pages, 404s, Arabic URLs, and requests that race a rebuild."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

from sitegen.errors import SourceError
from sitegen.serve import DevServer, Rebuilt
from sitegen.serve.reload import EVENTS_PATH, OVERLAY_ID


class FakeSite:
    """A rebuild that renders `pages` ({url path: html}) into the output folder.

    `swap=True` builds into a sibling folder and swaps it in, as the real build does;
    `swap=False` writes in place, half a file at a time with a pause in between, which is
    exactly what a server must never show. `fail` makes the next builds raise."""

    def __init__(self, out: Path, *, pause: float = 0.0, swap: bool = True) -> None:
        self.out = out
        self.pause = pause
        self.swap = swap
        self.pages: dict[str, str] = {}
        self.fail: SourceError | None = None
        self.calls: list[frozenset[Path]] = []

    def __call__(self, paths: frozenset[Path]) -> Rebuilt:
        self.calls.append(paths)
        if self.fail is not None:
            raise self.fail
        pages = dict(self.pages)
        target = self.out.with_name(self.out.name + ".staging") if self.swap else self.out
        if self.swap and target.exists():
            shutil.rmtree(target)
        for rel, text in pages.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode("utf-8")
            with open(path, "wb") as f:
                f.write(data[: len(data) // 2])
                f.flush()
                time.sleep(self.pause)
                f.write(data[len(data) // 2 :])
        if self.swap:
            old = self.out.with_name(self.out.name + ".old")
            if self.out.exists():
                self.out.rename(old)
            target.rename(self.out)
            if old.exists():
                shutil.rmtree(old)
        return Rebuilt(written=len(pages), pages=len(pages))


def page(text: str) -> str:
    return f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"></head><body><p>{text}</p></body></html>'


def get(server: DevServer, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One raw request (http.client sends the path exactly as given: no normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, target)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture
def site(tmp_path: Path) -> FakeSite:
    fake = FakeSite(tmp_path / "public")
    fake.pages = {
        "index.html": page("الرئيسية"),
        "404.html": page("الصفحة غير موجودة"),
        "style.css": "body{color:red}",
        "أخبار/مقال/index.html": page("نص المقال"),
        "feed.xml": '<?xml version="1.0" encoding="utf-8"?><rss/>',
    }
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    return fake


@pytest.fixture
def server(site: FakeSite) -> Iterator[DevServer]:
    with DevServer(site.out, site, port=0) as dev:
        dev.start()
        yield dev


def test_serves_pages_with_charset_and_no_cache(server: DevServer) -> None:
    status, headers, body = get(server, "/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert "الرئيسية" in body.decode("utf-8")
    status, headers, body = get(server, "/style.css")
    assert (status, headers["content-type"], body) == (200, "text/css; charset=utf-8", b"body{color:red}")
    assert get(server, "/feed.xml")[1]["content-type"] == "application/xml; charset=utf-8"


def test_arabic_url(server: DevServer) -> None:
    status, _, body = get(server, "/" + quote("أخبار/مقال/"))
    assert status == 200 and "نص المقال" in body.decode("utf-8")
    status, headers, _ = get(server, "/" + quote("أخبار/مقال"))
    assert status == 301 and headers["location"] == "/" + quote("أخبار/مقال") + "/"


def test_missing_page_gets_the_sites_404(server: DevServer) -> None:
    status, headers, body = get(server, "/" + quote("لا-يوجد.html"))
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "الصفحة غير موجودة" in body.decode("utf-8")


@pytest.mark.parametrize("target", ["/../secret.txt", "/%2e%2e%2fsecret.txt", "/%2e%2e/%2e%2e/secret.txt"])
def test_traversal_over_http(server: DevServer, target: str) -> None:
    status, _, body = get(server, target)
    assert status == 403
    assert b"top secret" not in body


def test_head_has_no_body(server: DevServer) -> None:
    status, headers, body = get(server, "/", "HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_script_injected_into_html_only_and_not_on_disk(server: DevServer, site: FakeSite) -> None:
    body = get(server, "/")[2].decode("utf-8")
    assert body.count('id="sitegen-live"') == 1
    assert body.index('id="sitegen-live"') < body.index("</body>")
    assert EVENTS_PATH in body
    assert b"sitegen-live" not in get(server, "/style.css")[2]
    assert "sitegen-live" not in (site.out / "index.html").read_text(encoding="utf-8")


def test_failed_build_keeps_last_site_and_shows_overlay(server: DevServer, site: FakeSite, tmp_path: Path) -> None:
    site.fail = SourceError("content/خبر.md", "mapping values are not allowed <here>", line=3, stage="front matter")
    seq = server.notify([tmp_path / "content" / "خبر.md"])
    status, _, body = get(server, "/")
    text = body.decode("utf-8")
    assert server.state.error is not None and len(site.calls) == 2, seq
    assert status == 200 and "الرئيسية" in text  # the last good build
    assert f'id="{OVERLAY_ID}"' in text
    assert "content/خبر.md:3: front matter: mapping values are not allowed &lt;here&gt;" in text
    assert 'dir="auto"' in text
    site.fail = None
    site.pages["index.html"] = page("عادت الحياة")
    server.notify([tmp_path / "content" / "خبر.md"])
    text = get(server, "/")[2].decode("utf-8")
    assert "عادت الحياة" in text and f'id="{OVERLAY_ID}"' not in text


def test_requests_during_slow_rebuild_never_see_old_or_partial_pages(tmp_path: Path) -> None:
    for swap in (False, True):
        site = FakeSite(tmp_path / f"public-{swap}", pause=0.05, swap=swap)
        body = "كلمة " * 2000
        site.pages = {f"p{i}.html": page(f"v0 {body} v0") for i in range(4)}
        with DevServer(site.out, site, port=0, quiet=0.02) as server:
            server.start()
            for version in range(1, 4):
                site.pages = {f"p{i}.html": page(f"v{version} {body} v{version}") for i in range(4)}
                server.notify([tmp_path / "content" / "a.md"])
                with ThreadPoolExecutor(8) as pool:
                    results = list(pool.map(lambda i: get(server, f"/p{i % 4}.html")[2].decode(), range(24)))
                for text in results:
                    # Complete (both halves) and new (not the page from before the save).
                    assert text.count(f"v{version} ") == 1 and text.count(f" v{version}<") == 1
                    assert "</html>" in text


def test_burst_of_notifications_is_one_rebuild(site: FakeSite, tmp_path: Path) -> None:
    # A quiet window wide enough that a loaded CI machine cannot split the loop's burst.
    with DevServer(site.out, site, port=0, quiet=0.5, max_wait=5.0) as server:
        server.start()
        for i in range(300):
            server.notify([tmp_path / "content" / f"{i}.md"])
        get(server, "/")  # waits for the build covering all 300
    assert len(site.calls) == 2  # the first build, then one for the burst
    assert len(site.calls[1]) == 300


def read_events(server: DevServer, version: int, count: int) -> list[dict[str, object]]:
    """Open the event stream as the page script does and collect `count` change events."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    try:
        sock.sendall(f"GET {EVENTS_PATH}?v={server.state.token}:{version} HTTP/1.0\r\n\r\n".encode())
        data = b""
        events: list[dict[str, object]] = []
        while len(events) < count:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            while b"\n\n" in data:
                block, data = data.split(b"\n\n", 1)
                lines = block.decode("utf-8").splitlines()
                if "event: change" in lines:
                    events.append(json.loads(next(l for l in lines if l.startswith("data: "))[6:]))
        return events
    finally:
        sock.close()


def test_event_kinds(server: DevServer, site: FakeSite, tmp_path: Path) -> None:
    assert server.state.version == 0
    server.notify([tmp_path / "themes" / "digest" / "static" / "style.css"])
    assert read_events(server, 0, 1)[0]["kind"] == "css"
    server.notify([tmp_path / "content" / "a.md"])
    event = read_events(server, 1, 1)[0]
    assert event == {"version": 2, "kind": "html", "overlay": None}
    site.fail = SourceError("templates/base.html", "unexpected '}'", line=7, stage="theme")
    server.notify([tmp_path / "templates" / "base.html"])
    event = read_events(server, 2, 1)[0]
    assert event["kind"] == "none" and "templates/base.html:7: theme: unexpected" in str(event["overlay"])
    # A page served before all three (version 0) learns it must reload.
    assert read_events(server, 0, 1)[0]["kind"] == "html"


def test_stream_sent_to_a_stale_page_from_earlier_run_says_reload(server: DevServer) -> None:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    try:
        sock.sendall(f"GET {EVENTS_PATH}?v=0000:5 HTTP/1.0\r\n\r\n".encode())
        data = b""
        while b"event: change" not in data or not data.endswith(b"\n\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        assert b'"kind": "html"' in data
    finally:
        sock.close()


def test_stop_leaves_no_thread_even_with_open_streams(site: FakeSite) -> None:
    before = set(threading.enumerate())
    server = DevServer(site.out, site, port=0)
    server.start()
    idle = socket.create_connection(("127.0.0.1", server.port))  # connected, never asks
    stream = socket.create_connection(("127.0.0.1", server.port))
    stream.sendall(f"GET {EVENTS_PATH}?v={server.state.token}:0 HTTP/1.0\r\n\r\n".encode())
    assert stream.recv(100).startswith(b"HTTP/1.0 200")
    server.stop()
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert left == []
    idle.close()
    stream.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)


def test_port_in_use_is_a_clear_error(server: DevServer, site: FakeSite) -> None:
    from sitegen.errors import SitegenError

    with pytest.raises(SitegenError, match=f"cannot listen on 127.0.0.1:{server.port}"):
        DevServer(site.out, site, port=server.port)


def test_stream_ends_when_the_page_closes_it(server: DevServer) -> None:
    stream = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    stream.sendall(f"GET {EVENTS_PATH}?v={server.state.token}:0 HTTP/1.0\r\n\r\n".encode())
    assert stream.recv(100).startswith(b"HTTP/1.0 200")
    assert server.state.wait_streams(lambda n: n == 1, 10)
    stream.close()
    # Noticed without waiting for a keepalive write: the connection is free for the browser.
    assert server.state.wait_streams(lambda n: n == 0, 5)


def test_foreign_host_header_is_refused_on_loopback(server: DevServer) -> None:
    for host, status in [("evil.example", 403), (f"evil.example:{server.port}", 403),
                         (f"localhost:{server.port}", 200), (f"127.0.0.1:{server.port}", 200),
                         (f"app.localhost:{server.port}", 200), (f"[::1]:{server.port}", 200)]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.putrequest("GET", "/", skip_host=True)
        conn.putheader("Host", host)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        assert resp.status == status, host
        if status == 403:
            assert "الرئيسية".encode() not in body


def test_stop_does_not_wait_for_deferred_work_in_progress(tmp_path: Path) -> None:
    """Ctrl-C while the search index is being remade (minutes on a big site) stops the
    server at once; work not yet started is dropped, and finished work is published."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<p>x</p>", encoding="utf-8")
    started, release, ran = threading.Event(), threading.Event(), []

    def slow() -> None:
        started.set()
        release.wait(30)
        ran.append(1)

    def rebuild(paths: frozenset[Path]) -> Rebuilt:
        return Rebuilt(written=1, later=slow if not paths else None, reload=bool(paths))

    server = DevServer(out, rebuild, port=0, idle=0.0)
    try:
        server.start()
        assert started.wait(30), "the deferred work never started"
        server.stop()  # returns although `slow` is still running
        assert not ran and not release.is_set()
    finally:
        release.set()
        server.stop()


def test_a_search_index_swap_is_its_own_kind_of_change(tmp_path: Path) -> None:
    """When a rebuild replaced only the search index, browsers hear 'search' (the search page
    reloads, since its old index's files are gone; other pages stay as they are)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text(page("x"), encoding="utf-8")
    server = DevServer(out, lambda paths: Rebuilt(written=1, reload=False), port=0)
    with server:
        server.start()
        server.notify([tmp_path / "content" / "a.md"])
        assert read_events(server, 0, 1)[0]["kind"] == "search"
        script = get(server, "/")[2].decode("utf-8")
        assert 'd.kind==="search"&&document.querySelector("[data-pagefind]")' in script


def test_missed_changes_merge_into_the_strongest_kind() -> None:
    from sitegen.serve.reload import Change, merge

    def kinds(*names: str) -> str:
        return merge([Change(i + 1, k, None) for i, k in enumerate(names)]).kind

    assert kinds("none", "search") == "search"
    assert kinds("search", "css") == "html"  # a stylesheet to swap and an index to reload
    assert kinds("css", "none") == "css"
    assert kinds("search", "html", "none") == "html"
