"""`sitegen serve` on the real build and importer: the seeds' site served with live reload,
`sitegen build` output free of the reload script, a new seed imported then built, Ctrl-C."""

from __future__ import annotations

import http.client
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from sitegen.config import load_config
from sitegen.serve import DevServer, dev_server
from sitegen.serve.server import serve_output_dir


def copy_site(seeds_site: Path, dest: Path) -> Path:
    """A private copy of the built seeds' site (the session fixture must stay untouched)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("config.toml", "content", "seeds", "themes", "templates", "static", "public"):
        src = seeds_site / name
        if src.is_dir():
            shutil.copytree(src, dest / name, symlinks=True)
        elif src.exists():
            shutil.copy(src, dest / name)
    return dest


def get(server: DevServer, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("GET", quote(path))
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8")
    finally:
        conn.close()


@pytest.fixture
def served(seeds_site: Path, tmp_path: Path) -> Iterator[tuple[Path, DevServer]]:
    root = copy_site(seeds_site, tmp_path / "site")
    with dev_server(load_config(root / "config.toml"), port=0) as server:
        server.start()
        yield root, server


def first_article(root: Path) -> tuple[Path, str]:
    md = sorted((root / "content").glob("*.md"))[0]
    slug = re.search(r"^slug: (.+)$", md.read_text(encoding="utf-8"), re.M)
    assert slug
    return md, f"/articles/{slug.group(1).strip()}/"


def test_serves_the_site_for_the_local_url_and_leaves_public_alone(served: tuple[Path, DevServer]) -> None:
    root, server = served
    public_before = {p: p.read_bytes() for p in (root / "public").rglob("*") if p.is_file()}
    _, url = first_article(root)
    status, html = get(server, url)
    assert status == 200
    assert html.count('id="sitegen-live"') == 1
    # Links point at this server, not at the published base_url.
    assert "https://digest.example.org/" not in html
    assert f"127.0.0.1:{server.port}" in html or 'href="/' in html
    status, html = get(server, "/no-such-page/")
    assert status == 404 and 'id="sitegen-live"' in html
    # Neither the served build on disk nor `sitegen build`'s public/ carries the script.
    served_files = [p for p in serve_output_dir(load_config(root / "config.toml")).rglob("*") if p.is_file()]
    assert served_files and not any(b"sitegen-live" in p.read_bytes() for p in served_files)
    assert not any(b"sitegen-live" in data for data in public_before.values())
    assert {p: p.read_bytes() for p in (root / "public").rglob("*") if p.is_file()} == public_before


def test_edit_then_request_gets_the_new_page(served: tuple[Path, DevServer]) -> None:
    root, server = served
    md, url = first_article(root)
    md.write_text(md.read_text(encoding="utf-8") + "\nفقرة أضافها المحرر للتو.\n", encoding="utf-8")
    server.notify([md])  # what the watcher does; the request below must wait for its build
    status, html = get(server, url)
    assert status == 200 and "فقرة أضافها المحرر للتو." in html


def test_rebuilds_leave_the_build_logger_as_they_found_it(seeds_site: Path, tmp_path: Path) -> None:
    """The server's rebuilds do not log each warning; a `sitegen build` run later in the same
    process (tests, tools embedding sitegen) must still get its warnings."""
    build_log = logging.getLogger("sitegen.build")
    level = build_log.level
    root = copy_site(seeds_site, tmp_path / "site")
    with dev_server(load_config(root / "config.toml"), port=0) as server:
        server.start()
        md, url = first_article(root)
        md.write_text(md.read_text(encoding="utf-8") + "\nسطر جديد.\n", encoding="utf-8")
        server.notify([md])
        assert get(server, url)[0] == 200
        assert build_log.level == level
    assert build_log.level == level


def test_only_the_first_build_logs_each_warning(seeds_site: Path, tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """The first build lists every unresolved reference; a rebuild only counts them."""
    root = copy_site(seeds_site, tmp_path / "site")
    (root / "content" / "zz-dangling.md").write_text(
        "---\ntitle: مقال يشير إلى غائب\nslug: zz-dangling\nread_also: [مقال لا وجود له]\n---\n\nنص.\n", encoding="utf-8")
    with caplog.at_level("INFO", logger="sitegen"):
        with dev_server(load_config(root / "config.toml"), port=0) as server:
            server.start()
            first = [r for r in caplog.records if r.name == "sitegen.build" and r.levelno == logging.WARNING]
            assert first, "the seeds' site has unresolved references"
            caplog.clear()
            md, url = first_article(root)
            md.write_text(md.read_text(encoding="utf-8") + "\nسطر جديد.\n", encoding="utf-8")
            server.notify([md])
            assert get(server, url)[0] == 200
    assert not [r for r in caplog.records if r.name == "sitegen.build" and r.levelno == logging.WARNING]
    assert any("changed →" in r.getMessage() and "warnings" in r.getMessage() for r in caplog.records)


def test_broken_front_matter_shows_overlay_and_fix_recovers(served: tuple[Path, DevServer]) -> None:
    root, server = served
    md, url = first_article(root)
    good = md.read_text(encoding="utf-8")
    md.write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
    server.notify([md])
    status, html = get(server, url)
    assert status == 200 and 'id="sitegen-overlay"' in html
    assert re.search(r"content/[^:<]+\.md:\d+", html), "the overlay names file:line"
    md.write_text(good, encoding="utf-8")
    server.notify([md])
    status, html = get(server, url)
    assert status == 200 and 'id="sitegen-overlay"' not in html


def test_new_seed_is_imported_then_built_once(served: tuple[Path, DevServer]) -> None:
    root, server = served
    seed = root / "seeds" / "999_live.txt"
    title = "عنوان خبر جديد أضيف أثناء التشغيل المباشر للخادم"
    para = ("هذه فقرة طويلة بما يكفي ليعدها المستورد فقرة حقيقية من نص الخبر، وهي تتحدث عن "
            "خادم التطوير الذي يعيد بناء الموقع عند كل حفظ دون أن يعرض صفحة قديمة أو ناقصة.")
    seed.write_text(f"{title}\n\n{para}\n\n{para}\n", encoding="utf-8")
    deadline = time.monotonic() + 20
    html = ""
    while time.monotonic() < deadline and title not in html:
        html = get(server, "/")[1]
        time.sleep(0.1)
    assert title in html
    builds = server.builds
    time.sleep(1.5)  # room for a rebuild triggered by the importer's own content writes
    assert server.builds == builds == 2  # the first build and the seed's: no echo


def test_a_renamed_article_is_rebuilt_once(served: tuple[Path, DevServer]) -> None:
    """A seed's headline edited: the import writes the article under its new slug and removes
    the file it wrote under the old one; that removal is the server's own, not an edit."""
    root, server = served
    seed = sorted((root / "seeds").glob("*.txt"))[0]
    before = set((root / "content").glob("*.md"))
    title = "عنوان جديد كتبه المحرر لهذا الخبر بعد نشره"
    lines = seed.read_text(encoding="utf-8").splitlines(keepends=True)
    seed.write_text(title + "\n" + "".join(lines[1:]), encoding="utf-8")
    server.notify([seed])
    assert title in get(server, "/")[1]  # a request waits for the changes seen to be built
    gone = before - set((root / "content").glob("*.md"))
    assert len(gone) == 1, "the import did not remove the older file of the renamed article"
    builds = server.builds
    server.notify(sorted(gone))  # what the watcher reports for the removal
    assert title in get(server, "/")[1]
    assert server.builds == builds


def _ignore_sigint() -> None:
    """In the child: SIGINT ignored, as a shell without job control leaves a command run with &."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm-in-background"])
def test_ctrl_c_or_sigterm_stops_cleanly(seeds_site: Path, tmp_path: Path, stop: signal.Signals) -> None:
    root = copy_site(seeds_site, tmp_path / "site")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--port", "0", "-C", str(root / "config.toml")],
        stderr=subprocess.PIPE, text=True, encoding="utf-8", env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=_ignore_sigint if stop == signal.SIGTERM else None,
    )
    try:
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("serving http://"):
                break
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", "".join(lines))
        assert url, "".join(lines)
        conn = http.client.HTTPConnection("127.0.0.1", int(url.group(1)), timeout=30)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(stop)
        code = proc.wait(timeout=30)
        rest = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0, rest
    assert "stopped" in rest and "Traceback" not in rest


def test_broken_config_stays_reported_until_fixed(served: tuple[Path, DevServer]) -> None:
    root, server = served
    config = root / "config.toml"
    good = config.read_text(encoding="utf-8")
    md, url = first_article(root)
    config.write_text(good + "\nno_such_key = 1\n", encoding="utf-8")
    server.notify([config.resolve()])
    html = get(server, url)[1]
    assert 'id="sitegen-overlay"' in html and "no_such_key" in html
    # Another save while config.toml is still broken must not hide the problem.
    md.write_text(md.read_text(encoding="utf-8") + "\nسطر.\n", encoding="utf-8")
    server.notify([md])
    assert "no_such_key" in get(server, url)[1]
    config.write_text(good, encoding="utf-8")
    server.notify([config.resolve()])
    assert 'id="sitegen-overlay"' not in get(server, url)[1]


def test_deleted_article_is_gone(served: tuple[Path, DevServer]) -> None:
    root, server = served
    md, url = first_article(root)
    assert get(server, url)[0] == 200
    md.unlink()
    server.notify([md])
    status, html = get(server, url)
    assert status == 404 and 'id="sitegen-live"' in html


def test_run_says_where_and_stops(seeds_site: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from sitegen.serve import run

    root = copy_site(seeds_site, tmp_path / "site")
    seen: list[int] = []

    def browse() -> None:  # stands in for the editor's session, then "Ctrl-C"
        line = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("serving "))
        port = int(re.search(r":(\d+)/", line).group(1))  # type: ignore[union-attr]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/")
        seen.append(conn.getresponse().status)
        conn.close()
        raise KeyboardInterrupt

    with caplog.at_level("INFO", logger="sitegen"):
        code = run(load_config(root / "config.toml"), port=0, wait=browse)
    assert code == 0 and seen == [200]
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("built ") for m in messages) and messages[-1] == "stopped"
    assert not any("!!!" in m for m in messages)  # 127.0.0.1: no warning


def test_loopback_hosts() -> None:
    from sitegen.serve.server import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5", "example.org"))


def test_bad_seed_is_reported_in_the_page(served: tuple[Path, DevServer]) -> None:
    root, server = served
    seed = root / "seeds" / "998_empty.txt"
    seed.write_bytes(b"")
    server.notify([seed])
    status, html = get(server, "/")
    assert status == 200 and 'id="sitegen-overlay"' in html
    assert "seeds/998_empty.txt" in html


def _ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_open_over_ipv6_loopback_opens_the_browser_at_the_served_url(
        seeds_site: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`sitegen serve --host ::1 --open`: served over IPv6 (a loopback address: no warning),
    and the browser is opened at the bracketed URL that the terminal shows."""
    import webbrowser

    from sitegen.serve import run

    root = copy_site(seeds_site, tmp_path / "site")
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    seen: list[tuple[int, str]] = []

    def browse() -> None:
        line = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("serving "))
        url = re.search(r"(http://\[::1\]:\d+/)", line)
        assert url, line
        conn = http.client.HTTPConnection("::1", int(url.group(1).rsplit(":", 1)[1].strip("/")), timeout=30)
        conn.request("GET", "/")
        resp = conn.getresponse()
        seen.append((resp.status, resp.read().decode("utf-8")))
        conn.close()
        assert opened == [url.group(1)]
        raise KeyboardInterrupt

    with caplog.at_level("INFO", logger="sitegen"):
        code = run(load_config(root / "config.toml"), host="::1", port=0, open_browser=True, wait=browse)
    assert code == 0 and seen and seen[0][0] == 200 and 'dir="rtl"' in seen[0][1]
    assert not any("!!!" in r.getMessage() for r in caplog.records)


def test_the_reload_is_announced_before_the_build_cache_is_written(tmp_path: Path) -> None:
    """A rebuild's `after` work (the real one: writing the build cache) runs once the new
    version is announced, so a browser's reload does not wait for it."""
    from sitegen.serve import Rebuilt

    seen: list[int] = []
    server_box: list[DevServer] = []

    def rebuild(paths: frozenset[Path]) -> Rebuilt:
        return Rebuilt(written=1, after=lambda: seen.append(server_box[0].state.version))

    (tmp_path / "public").mkdir()
    with DevServer(tmp_path / "public", rebuild, port=0) as server:
        server_box.append(server)
        server.start()  # the first build: announces nothing
        server.notify([tmp_path / "content" / "a.md"])
        deadline = time.monotonic() + 10
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert seen == [0, 1]


def test_with_defer_save_the_cache_is_written_by_save_cache(tmp_path: Path, make_site) -> None:  # type: ignore[no-untyped-def]
    from sitegen.build import BuildOptions, build, save_cache
    from conftest import article

    root = make_site({"content/a.md": article("خبر", slug="a"), "config.toml": "search = false\n"})
    config = load_config(root / "config.toml")
    report = build(config, BuildOptions(defer_save=True))
    assert report.unsaved is not None and not list(config.cache_dir.glob("build/*/state.pickle"))
    assert not build(config).noop  # no cache yet: built again (and saved, without defer_save)
    (root / "content/a.md").write_text(article("خبر آخر", slug="a"), encoding="utf-8")
    report = build(config, BuildOptions(defer_save=True))
    assert report.written and report.unsaved is not None
    save_cache(report.unsaved)
    assert build(config).noop
