"""A damaged build cache is a miss, never wrong output: each cache file, truncated, replaced
by random bytes, or with one byte changed (same length), and the next build (after a template
edit, so that every page is rendered again from what the cache holds) publishes exactly what
a build from scratch publishes, exits 0 and says so in one warning line."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, tree
from sitegen.incremental import sealed
from sitegen.incremental import store as cache
from sitegen.cli import main

ARTICLES = 20
"""Enough that one edited article is less than an eighth of each table: the cache then
keeps it in delta files, which are damaged too."""


def _write_site(root: Path) -> None:
    shutil.copytree(ROOT / "themes", root / "themes")
    (root / "config.toml").write_text('base_url = "https://example.org/"\nsearch = false\n', encoding="utf-8")
    for i in range(1, ARTICLES + 1):
        path = root / "content" / f"a{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: مقال رقم {i}\nslug: a{i}\ndate: 2026-01-{i:02d}\ntags: [وسم, تجربة]\n"
                        f"---\n\nنص المقال رقم {i}، وفيه [إحالة](a{i % ARTICLES + 1}.md).\n\n## عنوان فرعي\n\n"
                        f"فقرة ثانية للمقال {i}.\n", encoding="utf-8")


def _edit_article(root: Path) -> None:
    path = root / "content" / "a3.md"
    path.write_text(path.read_text(encoding="utf-8").replace("مقال رقم 3", "مقال رقم ثلاثة")
                    + "\nسطر أضافه المحرر.\n", encoding="utf-8")


def _edit_template(root: Path) -> None:
    """A change to base.html: every page is rendered again, from the cache's bodies."""
    base = root / "themes" / "digest" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>تذييل جديد</p></body>"),
                    encoding="utf-8")


def _fresh_process() -> None:
    """Forget what this process keeps between builds (as a new `sitegen build` would), so the
    next build reads every cache file from disk."""
    cache._library_versions.cache_clear()


def _build(root: Path) -> int:
    _fresh_process()
    return main(["build", "-q", "-C", str(root / "config.toml")])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """(the project, a pristine copy of it with its cache, the output a build from scratch
    gives after the template edit). The project is restored from the copy before each case,
    at the same path (the cache is keyed by it), with the files' mtimes."""
    base = tmp_path_factory.mktemp("cache-damage")
    root = base / "site"
    _write_site(root)
    assert _build(root) == 0
    _edit_article(root)
    assert _build(root) == 0
    pristine = base / "pristine"
    shutil.copytree(root, pristine, symlinks=True)
    scratch = base / "scratch"
    shutil.copytree(root, scratch, symlinks=True)
    shutil.rmtree(scratch / ".sitegen-cache")
    shutil.rmtree(scratch / "public")
    _edit_template(scratch)
    assert _build(scratch) == 0
    return root, pristine, tree(scratch / "public")


CACHE_FILES = ["state.pickle", "data-articles.pickle", "data-bodies.pickle", "data-links.pickle",
               "data-pages.pickle", "delta-bodies.pickle", "delta-articles.pickle", "bodies-*.pack",
               "templates"]
"""Every kind of file the cache keeps (`templates`: one of Jinja2's compiled templates)."""


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    rng = random.Random(f"{path.name}:{how}")
    if how == "truncated":
        path.write_bytes(data[:len(data) // 2])
    elif how == "random bytes":
        path.write_bytes(rng.randbytes(len(data)))
    else:  # one byte changed, same length: only a checksum can tell
        # Near the end: in the pack, the body the last build appended, which is live (a
        # byte of a body no entry points to any more changes nothing, and is not read).
        at = len(data) - 1 - rng.randrange(min(64, len(data) // 2))
        path.write_bytes(data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:])


@pytest.mark.parametrize("how", ["truncated", "random bytes", "byte flipped"])
@pytest.mark.parametrize("name", CACHE_FILES)
def test_damaged_cache_file_is_a_miss(built: tuple[Path, Path, dict[str, bytes]], capsys,
                                      name: str, how: str) -> None:
    root, pristine, scratch_output = built
    shutil.rmtree(root)
    shutil.copytree(pristine, root, symlinks=True)
    caches = root / ".sitegen-cache"
    if name == "templates":
        victims = sorted((caches / "templates").rglob("*.cache"))
    else:
        victims = sorted((caches / "build").glob(f"*/{name}"))
    assert len(victims) >= 1, f"the cache holds no {name}"
    victim = victims[0]
    _damage(victim, how)
    _edit_template(root)
    capsys.readouterr()

    assert _build(root) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("warning: ") and "damaged build cache" in err[0], err
    assert victim.name in err[0] or victim.parent.name in err[0]
    assert tree(root / "public") == scratch_output
    # The damage is gone: the next build, with nothing changed, says nothing.
    assert _build(root) == 0
    assert capsys.readouterr().err == ""



@pytest.mark.parametrize("how", ["truncated", "random bytes", "byte flipped"])
def test_damaged_search_bundle_is_a_miss(tmp_path: Path, caplog, how: str) -> None:
    """The cached Pagefind bundle, damaged, is not taken (Pagefind makes it again): read
    directly, as running Pagefind three times would cost seconds."""
    import logging
    import pickle

    from sitegen.config import Config
    from sitegen.model import Output
    from sitegen.search import cached_bundle

    config = Config(root=tmp_path)
    bundle = [Output("pagefind/pagefind-entry.json", b'{"version":"1","languages":{"ar":{}}}'),
              Output("pagefind/fragment/ar_1.pf_fragment", bytes(range(256)) * 4)]
    path = config.cache_dir / "search" / "k.pickle"
    path.parent.mkdir(parents=True)
    path.write_bytes(sealed.seal(pickle.dumps(bundle, protocol=5)))
    assert cached_bundle(config, "k") == bundle
    _damage(path, how)
    with caplog.at_level(logging.WARNING, logger="sitegen"):
        assert cached_bundle(config, "k") is None
    assert [r.getMessage() for r in caplog.records] == [
        f"{path}: damaged build cache file (checksum), ignored: what it held is made again"]


def test_a_cache_from_before_checksums_is_a_quiet_miss_and_its_output_folder_still_ours(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A sitegen from before the checksums wrote every cache file as a bare pickle. After an
    upgrade the first build reads them as a miss without calling them damaged, and accepts
    the `public/` that cache recorded, though it has no `.sitegen-build` marker yet."""
    root = tmp_path / "site"
    _write_site(root)
    assert _build(root) == 0
    (root / "public" / ".sitegen-build").unlink()
    for path in (root / ".sitegen-cache").rglob("*.pickle"):
        data = path.read_bytes()
        payload = sealed.unseal(data, path)
        if payload is not None:
            path.write_bytes(payload)  # what the older sitegen left: the pickle alone
    _edit_article(root)
    caplog.clear()
    assert _build(root) == 0
    assert not [r for r in caplog.records if "damaged" in r.getMessage()]
    assert (root / "public" / ".sitegen-build").exists()
    assert "ثلاثة" in (root / "public" / "articles" / "a3" / "index.html").read_text(encoding="utf-8")
