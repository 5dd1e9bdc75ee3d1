"""The build cache's shortcuts give what the slow way gives: the output folder's check
(`fsutil.scan_since`, `BuildCache.scan_outputs`) equals a full `scan` whatever changed in the
folder since the last build's check."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest

from sitegen.incremental import store as cache
from sitegen.fsutil import scan, scan_since

RACY = 30_000_000
"""A racy window short enough for tests (30 ms), longer than any clock tick of the kernel."""


def settle() -> None:
    """Wait until everything written so far is older than the racy window, so the next check
    trusts the folders it finds unchanged (the case these tests are about)."""
    time.sleep(RACY / 1e9 + 0.01)


def write(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def site(root: Path) -> Path:
    """An output folder shaped like a site's: a page per folder, some folders deeper."""
    out = root / "public"
    write(out / "index.html", "home")
    write(out / "feed.xml", "feed")
    for i in range(6):
        write(out / f"articles/a{i}/index.html", f"article {i}")
    write(out / "tags/t/index.html", "tag")
    write(out / "tags/t/page/2/index.html", "tag 2")
    return out


def checked(out: Path) -> tuple[set[str], cache.Folders]:
    """What a build leaves for the next check: its files, and the folders as its check saw them."""
    settle()
    files, folders = scan_since(out, (), {}, racy_ns=RACY)
    assert files == scan(out)
    return set(files), folders


def check_again(out: Path, files: set[str], folders: cache.Folders) -> cache.Folders:
    got, record = scan_since(out, files, folders, racy_ns=RACY)
    assert got == scan(out)
    return record


def test_nothing_changed_lists_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = site(tmp_path)
    files, folders = checked(out)
    assert folders and all(v is not None for v in folders.values())
    listed: list[str] = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p: listed.append(p) or real(p))
    got, record = scan_since(out, files, folders, racy_ns=RACY)
    monkeypatch.undo()
    assert listed == []
    assert got == scan(out) and record == folders


@pytest.mark.parametrize("change", [
    "added file", "added file deep", "added folder with files", "deleted file", "deleted folder",
    "modified file", "replaced file same size", "file becomes folder", "folder renamed",
    "folders swapped", "dangling link", "empty folder then file", "mtime restored",
])
def test_a_change_by_hand_is_seen(tmp_path: Path, change: str) -> None:
    out = site(tmp_path)
    files, folders = checked(out)
    if change == "added file":
        write(out / "stray.html")
    elif change == "added file deep":
        write(out / "articles/a3/stray.html")
    elif change == "added folder with files":
        write(out / "articles/a3/new/x.html")
        write(out / "articles/a3/new/deeper/y.html")
    elif change == "deleted file":
        (out / "tags/t/page/2/index.html").unlink()
    elif change == "deleted folder":
        shutil.rmtree(out / "tags")
    elif change == "modified file":
        write(out / "articles/a1/index.html", "changed, and longer")
    elif change == "replaced file same size":
        tmp = out / "articles/a1/tmp"
        write(tmp, "ARTICLE 1")
        os.replace(tmp, out / "articles/a1/index.html")
    elif change == "file becomes folder":
        (out / "feed.xml").unlink()
        write(out / "feed.xml/index.html")
    elif change == "folder renamed":
        os.rename(out / "articles/a2", out / "articles/b2")
    elif change == "folders swapped":
        write(out / "articles/a4/extra.html")
        files.add("articles/a4/extra.html")
        files, folders = checked(out)
        os.rename(out / "articles/a4", out / "articles/tmp")
        os.rename(out / "articles/a5", out / "articles/a4")
        os.rename(out / "articles/tmp", out / "articles/a5")
    elif change == "dangling link":
        os.symlink(tmp_path / "nowhere", out / "articles/a0/link.html")
        files, folders = checked(out)
        # The link's target appears: the folder did not change, the link now names a file.
        write(tmp_path / "nowhere", "now here")
    elif change == "empty folder then file":
        (out / "articles/a3/empty").mkdir()
        files, folders = checked(out)
        write(out / "articles/a3/empty/x.html")
    elif change == "mtime restored":
        # A backup restored over the folder, times and all: the folders' ctimes still change.
        st = (out / "articles/a3").stat()
        write(out / "articles/a3/stray.html")
        os.utime(out / "articles/a3", ns=(st.st_atime_ns, st.st_mtime_ns))
    check_again(out, files, folders)


def test_the_folders_a_build_wrote_to_are_listed_again(tmp_path: Path) -> None:
    """The record is the check's, made before the build writes: the folders the build
    writes to change, and the next check lists them (the files in the others are the
    state's)."""
    out = site(tmp_path)
    _files, folders = checked(out)
    # The build: a new page in a new folder, one page rewritten, one removed.
    write(out / "articles/a9/index.html", "new")
    tmp = out / "articles/a1/tmp"
    write(tmp, "rewritten")
    os.replace(tmp, out / "articles/a1/index.html")
    shutil.rmtree(out / "articles/a2")
    files = set(scan(out))
    write(out / "articles/a9/stray.html")  # by hand, after the build
    check_again(out, files, folders)


def test_a_folder_changed_just_before_the_check_is_listed_next_time(tmp_path: Path) -> None:
    out = site(tmp_path)
    settle()
    write(out / "articles/a3/stray.html")
    files, folders = scan_since(out, (), {}, racy_ns=RACY)
    assert folders["articles/a3"] is None and folders["articles/a1"] is not None
    # A second change in the same clock tick would leave the ctime as it was: listed anyway.
    write(out / "articles/a3/second.html")
    check_again(out, set(files), folders)


def test_a_missing_output_folder_is_empty(tmp_path: Path) -> None:
    out = site(tmp_path)
    files, folders = checked(out)
    shutil.rmtree(out)
    assert scan_since(out, files, folders, racy_ns=RACY) == ({}, {})


OPS = ("add", "add-deep", "add-folder", "delete", "delete-folder", "modify", "replace",
       "rename-folder", "mkdir", "link")


def random_op(rng: random.Random, out: Path, n: int) -> str:
    """One random change to the output folder; returns what it did."""
    files = sorted(scan(out))
    folders = sorted({f.rpartition("/")[0] for f in files if "/" in f})
    op = rng.choice(OPS)
    folder = out / rng.choice(folders) if folders else out
    if op == "add":
        write(folder / f"f{n}.html")
    elif op == "add-deep":
        write(folder / f"d{n}" / f"e{n}" / "index.html")
    elif op == "add-folder":
        write(folder / f"d{n}/index.html")
        write(folder / f"d{n}/page.html")
    elif op == "delete" and files:
        (out / rng.choice(files)).unlink()
    elif op == "delete-folder" and folders:
        shutil.rmtree(folder)
    elif op == "modify" and files:
        write(out / rng.choice(files), "m" * rng.randint(1, 3))
    elif op == "replace" and files:
        target = out / rng.choice(files)
        size = target.stat().st_size
        write(out / f".tmp{n}", "r" * size)
        os.replace(out / f".tmp{n}", target)
    elif op == "rename-folder" and folders:
        os.rename(folder, folder.parent / f"r{n}")
    elif op == "mkdir":
        (folder / f"empty{n}").mkdir()
    elif op == "link":
        os.symlink(out / rng.choice(files) if files and rng.random() < 0.5 else out / f"none{n}",
                   folder / f"l{n}.html")
    return f"{op} in {folder.relative_to(out)}"


@pytest.mark.parametrize("seed", range(6))
def test_random_changes_check_as_scan_does(tmp_path: Path, seed: int) -> None:
    """Builds and hand edits in turn: each check, after a build's writes (which the next
    state lists) and changes by hand (which it does not), equals a full scan."""
    rng = random.Random(seed)
    out = site(tmp_path)
    settle()
    _files, folders = scan_since(out, (), {}, racy_ns=RACY)
    done: list[str] = []
    for _ in range(12):
        for _ in range(rng.randint(0, 3)):  # the build's writes
            done.append("build: " + random_op(rng, out, len(done)))
        files = set(scan(out))
        for _ in range(rng.randint(0, 3)):  # by hand, after the build
            done.append("hand: " + random_op(rng, out, len(done)))
        if rng.random() < 0.7:
            settle()
        got, folders = scan_since(out, files, folders, racy_ns=RACY)
        assert got == scan(out), done


def test_the_cache_records_the_check_for_the_next_build(tmp_path: Path) -> None:
    """BuildCache.scan_outputs: a full listing without a recorded state, then the shortcut
    with the state a save wrote; a file added by hand deep in the folder is seen."""
    from sitegen.config import Config

    out = site(tmp_path)
    config = Config(root=tmp_path, output_dir=out, cache_dir=tmp_path / "cache")
    store = cache.BuildCache.open(config, "key")
    assert store.scan_outputs(out) == scan(out)
    store.state.outputs = {rel: (*st, "digest") for rel, st in scan(out).items()}
    store.save(started_ns=time.time_ns(), config=config, inputs={})
    assert store.state.folders
    write(out / "articles/a3/stray.html")
    again = cache.BuildCache.open(config, "key")
    assert again.state.folders
    assert "articles/a3/stray.html" in again.scan_outputs(out)
    assert again.scan_outputs(out) == scan(out)


def test_the_state_reads_back_as_it_was_written(tmp_path: Path) -> None:
    """The state's paths and stats are pickled as columns: every value comes back, Arabic
    paths, folders to list again (None) and empty tables included."""
    state = cache.State(
        key="k", inputs={"content:مقال.md": (1_700_000_000_123_456_789, 12), "static:a b.css": (5, 0)},
        racy={"content:مقال.md": "d1"},
        outputs={"tags/اقتصاد/index.html": (1_800_000_000_000_000_001, 9014, "f2eb"), "index.html": (1, 2, "ab")},
        pages=2, warnings=["content/x.md: nowhere"], search_stale=True, search_key="s",
        folders={"": 17, "tags": None, "tags/اقتصاد": 1_800_000_000_000_000_000})
    for value in (state, cache.State()):
        cache._dump(tmp_path / "state.pickle", value, memo=False)
        assert cache._load(tmp_path / "state.pickle", cache.State) == value


def test_a_value_with_a_cycle_is_still_written_without_the_memo(tmp_path: Path) -> None:
    loop: list[object] = []
    loop.append(loop)
    cache._dump(tmp_path / "x.pickle", (loop, "x"), memo=False)
    back = cache._load(tmp_path / "x.pickle", tuple)
    assert back[0][0] is back[0] and back[1] == "x"


# --- the libraries' versions in the build key ---------------------------------------------------
def _importlib_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def _as_key(versions: dict[str, str | None]) -> str:
    return ",".join(f"{n}={'-' if v is None else v}" for n, v in versions.items())


def test_the_libraries_versions_are_importlib_metadatas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _as_key(_importlib_versions(cache.LIBRARIES))
    assert cache._library_versions.__wrapped__(tmp_path) == expected
    assert (tmp_path / "libraries.pickle").exists()
    # Read back from the memo: importlib.metadata is not asked again.
    monkeypatch.setattr("importlib.metadata.version", lambda name: pytest.fail("asked importlib.metadata"))
    assert cache._library_versions.__wrapped__(tmp_path) == expected


def test_a_library_upgraded_since_is_asked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo is kept by the mtimes of sys.path's entries: an upgrade (one dist-info
    folder for another) changes its folder's, and importlib.metadata is asked again."""
    import sys

    libs, memo = tmp_path / "libs", tmp_path / "cache"
    write(libs / "Markdown-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: Markdown\nVersion: 1.0\n")
    os.utime(libs, ns=(time.time_ns() - 10**10,) * 2)  # not racy: the answer is kept
    monkeypatch.setattr(sys, "path", [str(libs), *sys.path])
    assert "markdown=1.0" in cache._library_versions.__wrapped__(memo)
    shutil.rmtree(libs / "Markdown-1.0.dist-info")
    write(libs / "markdown-2.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: Markdown\nVersion: 2.0\n")
    assert "markdown=2.0" in cache._library_versions.__wrapped__(memo)


def test_a_zip_on_the_path_is_read_through_importlib_metadata(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "libs.zip", "w") as z:
        z.writestr("markdown-5.0.dist-info/METADATA", "Name: markdown\nVersion: 5.0\n")
    monkeypatch.setattr("sys.path", [str(tmp_path / "libs.zip"), *__import__("sys").path])
    assert "markdown=5.0" in cache._library_versions.__wrapped__(tmp_path / "cache")


def test_another_library_version_means_another_build_key(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    before = cache._library_versions.__wrapped__(tmp_path / "cache")
    write(tmp_path / "jinja2-99.0.dist-info/METADATA", "Name: Jinja2\nVersion: 99.0\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    after = cache._library_versions.__wrapped__(tmp_path / "cache")
    assert "jinja2=99.0" in after and after != before


# --- the tables' bases: equal values written once ------------------------------------------------
def test_equal_values_are_read_back_as_one_object_of_their_own_type(tmp_path: Path) -> None:
    import datetime

    from sitegen.model import Article, Body, RelatedRef

    day = datetime.date(2026, 11, 21)
    a = Article(path="content/a.md", slug="a", title="ترامب", body="", body_line=3, date=day,
                tags=("اقتصاد", "نفط"), related=(RelatedRef("عنوان", "b"), RelatedRef("بلا مقال", None)))
    b = Article(path="content/b.md", slug="b", title="عنوان", body="", body_line=3,
                date=datetime.date(2026, 11, 21), tags=("اقتصاد",), read_also=("a",),
                related=(RelatedRef("عنوان", "b"),), draft=True)
    ints = Body(html="", toc=((1, "x", "y"),), links=("a",), unresolved=())
    bools = Body(html="", toc=((True, "x", "y"),), links=("a",), unresolved=())
    table = {"a": a, "b": b}
    cache._dump_base(tmp_path / "t.pickle", "id", table, (ints, bools))
    back = cache._load(tmp_path / "t.pickle", tuple)
    assert back == ("id", table, ints, bools)
    back = back[1:]
    x, y = back[0]["a"], back[0]["b"]
    assert x.tags[0] is y.tags[0] and x.date is y.date and x.related[0] is y.related[0]
    assert y.title is x.related[0].title and y.read_also[0] is x.slug
    assert next(iter(back[0])) is x.slug  # the keys too
    assert type(back[1].toc[0][0]) is int and type(back[2].toc[0][0]) is bool
    assert y.draft is True and type(x.body_line) is int


def test_a_cache_file_is_written_as_seal_makes_it(tmp_path: Path) -> None:
    """Written as it is pickled (never whole in memory), a cache file is the same bytes as its
    payload sealed, and a damaged one is still told."""
    from sitegen.incremental.sealed import MAGIC, SUM, seal

    value = {"مقال": list(range(100_000)), "x": "نص" * 50_000}
    cache._dump(tmp_path / "v.pickle", value, memo=False)
    data = (tmp_path / "v.pickle").read_bytes()
    assert data == seal(data[len(MAGIC) + SUM:])
    assert cache._load(tmp_path / "v.pickle", dict) == value
    (tmp_path / "v.pickle").write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert cache._load(tmp_path / "v.pickle", dict) is None
