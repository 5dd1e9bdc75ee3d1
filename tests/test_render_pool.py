"""The render stage in worker processes (sitegen.render_pool): the same site, byte for byte,
as rendered in the build's own process; a template error in a worker reported as one line
naming the template's file and line, the output folder left as it was; a damaged cached body
met in a worker still makes the build start again from scratch; and an interrupted or killed
build leaves no worker process behind."""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, tree
from sitegen.build import BuildOptions, build
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.errors import BuildError

HERE = BuildOptions(pool_min=10**9)
"""Every page rendered in the build's process."""
POOL = BuildOptions(pool_min=1, workers=2)
"""Every page rendered by two worker processes, however few."""


def _write_site(root: Path, articles: int, config: str = "") -> Path:
    """A site of `articles` articles with tags, dates, links between them and digits."""
    shutil.copytree(ROOT / "themes", root / "themes")
    (root / "config.toml").write_text(f'base_url = "https://example.org/"\nsearch = false\n{config}',
                                      encoding="utf-8")
    for i in range(1, articles + 1):
        path = root / "content" / f"a{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: خبر رقم {i}\nslug: a{i}\ndate: 2026-0{i % 3 + 1}-{i % 28 + 1:02d}\n"
                        f"tags: [وسم {i % 4}, تجربة]\nsummary: ملخص الخبر {i} في 12 كلمة\n---\n\n"
                        f"نص الخبر رقم {i} عن Python 3.12، وفيه [إحالة](a{i % articles + 1}.md).\n\n"
                        f"## عنوان فرعي\n\nفقرة ثانية للخبر {i}.\n", encoding="utf-8")
    return root / "config.toml"


def _edit(root: Path) -> None:
    """One article's body and the base template changed: every page is rendered again, its
    body read from the build cache's pack."""
    path = root / "content" / "a3.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nسطر أضافه المحرر.\n", encoding="utf-8")
    base = root / "themes" / "digest" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>تذييل ٢</p></body>"),
                    encoding="utf-8")


def test_workers_and_the_build_process_render_identical_sites(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    extra = 'numerals = "arab"\nminify = true\ncompress = true\n'
    here = _write_site(tmp_path / "here", 30, extra)
    pooled = _write_site(tmp_path / "pooled", 30, extra)
    build(load_config(here), HERE)
    with caplog.at_level(logging.DEBUG, logger="sitegen.render_pool"):
        report = build(load_config(pooled), POOL)
    assert "rendering in 2 worker processes" in caplog.text
    expected = tree(here.parent / "public")
    assert any(p.endswith("index.html.br") for p in expected)
    assert "٢٠٢٦" in expected["articles/a1/index.html"].decode("utf-8")
    assert tree(pooled.parent / "public") == expected
    assert report.rendered > 30
    # A rebuild: bodies come from the cache's pack, read by the workers.
    _edit(here.parent)
    _edit(pooled.parent)
    caplog.clear()
    build(load_config(here), HERE)
    with caplog.at_level(logging.DEBUG, logger="sitegen.render_pool"):
        build(load_config(pooled), POOL)
    assert "rendering in 2 worker processes" in caplog.text
    expected = tree(here.parent / "public")
    assert "سطر أضافه المحرر" in expected["articles/a3/index.html"].decode("utf-8")
    assert tree(pooled.parent / "public") == expected


def test_a_template_error_in_a_worker_is_one_line_and_public_is_left_as_it_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Enough articles for the command's own threshold (BuildOptions.pool_min): its pages
    # are rendered by workers.
    config = _write_site(tmp_path, 260)
    assert main(["build", "-q", "-C", str(config)]) == 0
    before = tree(tmp_path / "public")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/article.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{{ article.title }}\n'
        '{% if article.slug == "a200" %}{{ no_such_variable.x }}{% endif %}\n{% endblock %}\n',
        encoding="utf-8")
    assert main(["build", "-q", "-C", str(config)]) == 1
    err = capsys.readouterr().err
    assert re.fullmatch(r"error: templates/article\.html:4: render: UndefinedError: [^\n]*\n", err), err
    assert tree(tmp_path / "public") == before


def test_a_damaged_cached_body_met_in_a_worker_rebuilds_from_scratch(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = _write_site(tmp_path / "site", 30)
    build(load_config(config), POOL)
    fresh = _write_site(tmp_path / "fresh", 30)
    _edit(fresh.parent)
    build(load_config(fresh), HERE)
    (pack,) = (tmp_path / "site" / ".sitegen-cache").rglob("bodies-*.pack")
    data = bytearray(pack.read_bytes())
    data[len(data) // 2] ^= 0x20  # same length: only the body's checksum tells
    pack.write_bytes(bytes(data))
    _edit(tmp_path / "site")
    with caplog.at_level(logging.WARNING):
        build(load_config(config), POOL)
    assert "damaged build cache file" in caplog.text
    assert tree(tmp_path / "site" / "public") == tree(tmp_path / "fresh" / "public")


_CHILD = """
import multiprocessing, signal, sys
from pathlib import Path
from sitegen.build import BuildOptions, build
from sitegen.config import load_config

def progress(stage, count):
    # Once workers have answered: say who they are, and wait to be interrupted or killed.
    if stage == "render" and count is not None:
        print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
        signal.pause()

build(load_config(Path(sys.argv[1])), BuildOptions(pool_min=1, workers=2), progress=progress)
"""


def _running(pid: int) -> bool:
    """True while process `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["interrupted", "killed"])
def test_an_interrupted_or_killed_build_leaves_no_worker(tmp_path: Path, how: signal.Signals) -> None:
    config = _write_site(tmp_path, 40)
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(config)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        workers = [int(p) for p in child.stdout.readline().split()]
        assert len(workers) == 2 and all(_running(p) for p in workers), workers
        child.send_signal(how)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    deadline = time.monotonic() + 30
    while any(_running(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.02)  # polling for the event, not waiting for a duration
    assert not [p for p in workers if _running(p)]
    assert not (tmp_path / "public").exists()
