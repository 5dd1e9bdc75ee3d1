"""Faults while publishing: a build killed at random moments, two builds of one folder, a full
disk, output folders a build must refuse, output paths no file system takes. After each,
public/ is one build's complete site (the last good one, or the new one), and a refused or
failed build has changed nothing at all."""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen import fsutil
from sitegen.build import build
from sitegen.incremental.store import lock_file
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.errors import SitegenError
from sitegen.write import MARKER

from conftest import ROOT, tree

VERSION = re.compile(r"نسخة (\d+)")


def write_articles(root: Path, n: int, version: int) -> None:
    """`n` articles whose titles (shown on every page that lists them) carry `version`."""
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        tags = ["الاقتصاد", "النفط", "الذهب"][i % 3]
        (content / f"a{i:04d}.md").write_text(
            f"---\ntitle: خبر رقم {i} نسخة {version}\nslug: a{i:04d}\ndate: 2026-0{1 + i % 9}-1{i % 10}\n"
            f"tags: [{tags}]\n---\n\nفقرة عن الخبر رقم {i} في النسخة {version}.\n", encoding="utf-8")


def make_project(root: Path, n: int = 3, version: int = 1, config: str = "") -> Path:
    """A project of `n` generated articles with the project's themes; returns its root."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "themes", root / "themes")
    (root / "config.toml").write_text('base_url = "https://example.org/"\nsearch = false\n' + config,
                                      encoding="utf-8")
    write_articles(root, n, version)
    return root


def tree_digest(folder: Path) -> str:
    """A digest of everything under `folder`: every path (hidden ones too), its kind, its
    bytes or link target, and its mode."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            h.update(f"{os.path.relpath(path, folder)}\0{st.st_mode:o}\0".encode("utf-8", "surrogateescape"))
            if os.path.islink(path):
                h.update(os.readlink(path).encode("utf-8", "surrogateescape"))
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".public.staging-"))


def sitegen(root: Path, *args: str, **popen: object) -> subprocess.Popen[str]:
    """`sitegen build` of the project at `root` as its own process."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1800000000", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "sitegen", "build", "-q", "-C", str(root / "config.toml"), *args],
                            cwd=root, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            **popen)  # type: ignore[call-overload]


def versions(public: Path) -> set[str]:
    """The article versions the pages of `public` show."""
    found: set[str] = set()
    for page in public.rglob("*.html"):
        found.update(VERSION.findall(page.read_text(encoding="utf-8")))
    return found


# --- (a) killed at random moments ------------------------------------------------------------
def _wait_for(proc: subprocess.Popen[str], event: Callable[[], bool]) -> bool:
    """Poll `event` until it holds (True) or the build ends on its own (False)."""
    while proc.poll() is None:
        if event():
            return True
        time.sleep(0.001)
    return False


def _staged_files(root: Path, old: set[str]) -> int:
    """Files in the staging folders that were not there before the build started."""
    return sum(len(files) for name in set(leftovers(root)) - old for _d, _s, files in os.walk(root / name))


def test_a_build_killed_at_any_moment_leaves_one_whole_site(tmp_path: Path) -> None:
    """SIGKILL during rendering, while the new tree is staged, or while the old one is being
    deleted: public/ is always one build's complete site, and the next build, which removes
    the leftover staging folder, is byte for byte a build from scratch."""
    n, kills, seed = 120, 12, random.randrange(1 << 30)
    rng = random.Random(seed)
    root = make_project(tmp_path / "site", n)
    first = sitegen(root)
    assert first.wait() == 0, first.stderr.read() if first.stderr else ""
    public = root / "public"
    files = set(tree(public))
    total = len(files)
    published, landed = 1, {"starting": 0, "staging": 0, "staged": 0, "published": 0}
    for version in range(2, 2 + kills):
        write_articles(root, n, version)
        page = public / "articles" / f"a{rng.randrange(n):04d}" / "index.html"
        before = page.stat().st_ino
        moment = list(landed)[version % len(landed)]  # each moment in turn
        threshold = rng.randrange(1, total)
        old = set(leftovers(root))  # a killed build's, which this one removes
        events: dict[str, Callable[[], bool]] = {
            "starting": lambda: True,
            "staging": lambda: bool(set(leftovers(root)) - old),
            "staged": lambda: _staged_files(root, old) >= threshold,
            # The page a reader would open is the new one: publishing has begun.
            "published": lambda: os.path.exists(page) and os.stat(page).st_ino != before,
        }
        proc = sitegen(root, start_new_session=True)
        if _wait_for(proc, events[moment]):
            os.killpg(proc.pid, signal.SIGKILL)  # the build and any worker it forked
            landed[moment] += 1
        code = proc.wait()
        where = f"seed {seed}, version {version}, killed at {moment} ({threshold} of {total} files)"
        assert code in (0, -signal.SIGKILL), where
        assert set(tree(public)) == files, where
        shown = versions(public)
        assert len(shown) == 1, f"{where}: pages of builds {sorted(shown)} mixed in public/"
        assert shown <= {str(published), str(version)}, where
        published = int(shown.pop())
    assert landed["staged"] > 0 and landed["published"] > 0, landed
    # The next build repairs everything, equals a build from scratch, and cleans up.
    check = sitegen(root, "--verify-incremental")
    _out, err = check.communicate()
    assert check.returncode == 0, err
    assert versions(public) == {str(1 + kills)}
    assert leftovers(root) == []


# --- (b) one build at a time ----------------------------------------------------------------
def test_a_second_build_waits_for_the_first_and_then_runs(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    config = load_config(root / "config.toml")
    before = tree_digest(root / "public")
    write_articles(root, 3, 2)
    with fsutil.OutputLock(config.output_dir, lock_file(config)):  # another build holds public/
        proc = sitegen(root)
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "waiting for another build of public/" in line, line
        # While it waits it has touched nothing.
        assert tree_digest(root / "public") == before and leftovers(root) == []
        assert proc.poll() is None
    assert proc.wait() == 0, proc.stderr.read()
    assert versions(root / "public") == {"2"}


def test_a_build_that_waits_too_long_fails_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "site")
    config = load_config(root / "config.toml")
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    before = tree_digest(root / "public")
    write_articles(root, 3, 2)
    monkeypatch.setattr(fsutil, "LOCK_TIMEOUT", 0.2)
    with fsutil.OutputLock(config.output_dir, lock_file(config)):
        capsys.readouterr()
        assert main(["build", "-q", "-C", str(root / "config.toml")]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 2 and "waiting for another build of public/" in err[0], err
        assert "public/: another build of this folder has been running for 0 s" in err[1], err
        # The dev server's rebuilds take the same lock.
        from sitegen.serve.server import make_rebuild

        with pytest.raises(SitegenError, match="another build"):
            make_rebuild(config)(frozenset())
    assert tree_digest(root / "public") == before


# --- (c) disk full --------------------------------------------------------------------------
def mount_tmpfs(folder: Path, size: str) -> None:
    """Mount a tmpfs of `size` on `folder` (root only: skipped otherwise)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path: Path) -> Path:
    """A 4 MiB tmpfs (the test site, with its one long article, takes 3 MiB built); unmounted
    afterwards."""
    mnt = tmp_path / "disk"
    mount_tmpfs(mnt, "4m")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """A file taking all but about `leave` bytes of `disk`."""
    st = os.statvfs(disk)
    filler = disk / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))
    return filler


def test_a_full_disk_fails_with_one_line_and_leaves_public(small_disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(small_disk / "site", 3)
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    before = tree_digest(root / "public")
    (root / "content" / "big.md").write_text("---\ntitle: خبر طويل نسخة 1\n---\n\n"
                                             + "فقرة طويلة جدا عن الخبر. " * 20000 + "\n", encoding="utf-8")
    filler = _fill(small_disk, 64 * 1024)
    capsys.readouterr()
    assert main(["build", "-q", "-C", config]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0], err
    assert tree_digest(root / "public") == before
    assert leftovers(root) == []
    filler.unlink()
    assert main(["build", "-q", "-C", config]) == 0
    assert (root / "public/articles" / "خبر-طويل-نسخة-1" / "index.html").is_file()


def test_a_mount_point_cannot_be_swapped_and_is_left_as_it_was(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "site")
    mount_tmpfs(root / "public", "1m")
    try:
        (root / "public" / "index.html").write_text("an older site", encoding="utf-8")
        (root / "public" / MARKER).touch()
        before = tree_digest(root / "public")
        capsys.readouterr()
        assert main(["build", "-q", "-C", str(root / "config.toml")]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "public/: write:" in err[0] and "cannot be a mount point" in err[0], err
        assert leftovers(root) == [] and tree_digest(root / "public") == before
    finally:
        subprocess.run(["umount", "-l", str(root / "public")], check=False)


# --- (d) output folders a build refuses -------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built project with seeds/, templates/ and a .git folder; copied by each test."""
    root = make_project(tmp_path_factory.mktemp("refusals") / "site")
    for folder, name in (("seeds", "s.txt"), ("templates", "keep.txt"), (".git", "HEAD")):
        (root / folder).mkdir()
        (root / folder / name).write_text("x\n", encoding="utf-8")
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    return root


REFUSALS = {
    "the project folder": (["--out", "."], "", "holds the project folder"),
    "the project by config": ([], 'output_dir = "."\n', "holds the project folder"),
    "the folder above": (["--out", ".."], "", "holds the project folder"),
    "content/": (["--out", "content"], "", "holds the content folder"),
    "themes/": (["--out", "themes"], "", "holds the themes folder"),
    "seeds/": (["--out", "seeds"], "", "holds the seeds folder"),
    "templates/": (["--out", "templates"], "", "holds the site's templates"),
    ".git/": (["--out", ".git"], "", "holds .git"),
    "the cache": (["--out", ".sitegen-cache"], "", "holds the build cache"),
    "inside content/": (["--out", "content/public"], "", "inside the content folder"),
    "a file": (["--out", "config.toml"], "", "holds config.toml"),
    "another file": (["--out", "content/a0000.md"], "", "inside the content folder"),
    "a stranger's folder": (["--out", "../stranger"], "", "non-empty folder sitegen did not build"),
    "a stranger's file": (["--out", "../notes.txt"], "", "is a file, not a folder"),
    "a misspelt content_dir": ([], 'content_dir = "contnet"\n', "contnet: build: the content folder does not exist"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_folder_the_build_may_not_replace_is_refused_and_nothing_changes(
        built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        case: str) -> None:
    args, config_line, message = REFUSALS[case]
    root = shutil.copytree(built, tmp_path / "site", symlinks=True)
    monkeypatch.chdir(root)  # --out is relative to where sitegen runs
    (tmp_path / "stranger").mkdir()
    (tmp_path / "stranger" / "thesis.tex").write_text("mine\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mine too\n", encoding="utf-8")
    if config_line:
        with (root / "config.toml").open("a", encoding="utf-8") as f:
            f.write(config_line)
    before = tree_digest(tmp_path)
    capsys.readouterr()
    assert main(["build", "-q", "-C", str(root / "config.toml"), *args]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert tree_digest(tmp_path) == before


def test_public_built_before_the_marker_is_still_ours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A public/ from a sitegen without the marker, which the build cache recorded, is built
    into (and gets the marker); without that record it is refused until the marker is made."""
    root = make_project(tmp_path / "site")
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    (root / "public" / MARKER).unlink()
    write_articles(root, 3, 2)
    assert main(["build", "-q", "-C", config]) == 0
    assert (root / "public" / MARKER).is_file() and versions(root / "public") == {"2"}

    (root / "public" / MARKER).unlink()
    shutil.rmtree(root / ".sitegen-cache")
    before = tree_digest(tmp_path)
    capsys.readouterr()
    assert main(["build", "-q", "-C", config]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "create public/.sitegen-build" in err[0], err
    assert tree_digest(tmp_path) == before
    (root / "public" / MARKER).touch()
    assert main(["build", "-q", "-C", config]) == 0


def test_a_read_only_public_is_refused_and_left_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "site")
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    write_articles(root, 3, 2)
    os.chmod(root / "public", 0o555)
    try:
        before = tree_digest(tmp_path)
        capsys.readouterr()
        assert main(["build", "-q", "-C", config]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "public/: build: the output folder is read-only" in err[0], err
        assert tree_digest(tmp_path) == before
    finally:
        os.chmod(root / "public", 0o755)


def test_files_added_to_public_and_leftover_staging_folders_are_removed(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    (root / "public" / "stray.html").write_text("x", encoding="utf-8")
    (root / ".public.staging-killed" / "articles").mkdir(parents=True)
    (root / ".public.staging-killed" / "articles" / "x.html").write_text("x", encoding="utf-8")
    os.chmod(root / ".public.staging-killed" / "articles", 0o555)
    assert main(["build", "-q", "-C", config]) == 0
    assert not (root / "public" / "stray.html").exists()
    assert leftovers(root) == []


# --- (e) output paths no file system takes ------------------------------------------------------
@pytest.mark.parametrize("slug, stage, message", [
    ("خ" * 300, "write:", "is 600 bytes, longer than the 255 the file system allows"),
    # Front matter refuses the control character before a path is made of it.
    ('"a\\0b"', "front matter:", "control character U+0000"),
])
def test_an_impossible_slug_fails_before_anything_is_deleted(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             slug: str, stage: str, message: str) -> None:
    """The page of a removed article (stale) and the others stay as they were: the bad path
    is found before the output folder is touched."""
    root = make_project(tmp_path / "site", 4)
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    (root / "content" / "a0003.md").unlink()
    (root / "content" / "bad.md").write_text(f"---\ntitle: عنوان\nslug: {slug}\n---\n\nنص.\n", encoding="utf-8")
    before = tree_digest(tmp_path / "site" / "public")
    capsys.readouterr()
    assert main(["build", "-q", "-C", config]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and stage in err[0], err
    assert len(err[0]) < 400
    assert tree_digest(root / "public") == before
    assert (root / "public/articles/a0003/index.html").is_file()
    assert leftovers(root) == []


def test_without_an_atomic_exchange_two_renames_publish_the_new_site(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Off Linux (or on a file system without RENAME_EXCHANGE) the old folder is renamed
    aside and the new one in; the result is the same site, and nothing is left over."""
    import sitegen.write

    root = make_project(tmp_path / "site")
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    monkeypatch.setattr(sitegen.write, "exchange", lambda a, b: False)
    write_articles(root, 3, 2)
    assert main(["build", "-q", "-C", config]) == 0
    assert versions(root / "public") == {"2"} and (root / "public" / MARKER).is_file()
    assert leftovers(root) == []


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("a", encoding="utf-8")
    (tmp_path / "b").mkdir()
    if not fsutil.exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")
    assert (tmp_path / "b" / "x").read_text(encoding="utf-8") == "a" and not any((tmp_path / "a").iterdir())


# --- the dev server: a swapped folder is the one served ---------------------------------------
def test_the_dev_server_serves_the_new_folder_after_a_swap(tmp_path: Path) -> None:
    import urllib.request

    from sitegen.serve.server import dev_server

    root = make_project(tmp_path / "site")
    config = load_config(root / "config.toml")
    server = dev_server(config, port=0)
    try:
        server.start()
        url = server.url + "articles/a0001/"
        assert "نسخة 1" in urllib.request.urlopen(url, timeout=10).read().decode()
        out = server.output_dir
        inode = out.stat().st_ino
        write_articles(root, 3, 2)
        server.notify([root / "content" / "a0001.md"], settled=True)
        # A request waits for the build of every change reported before it.
        page = urllib.request.urlopen(url, timeout=30).read().decode()
        assert "نسخة 2" in page
        assert out.stat().st_ino != inode  # a new folder was swapped in
    finally:
        server.stop()


def test_after_a_swap_the_second_no_op_build_lists_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build swaps in a folder whose every folder is new, so the next no-op build lists
    them all; it records them, and the one after lists none (the no-op stays fast)."""
    from sitegen.incremental import store as cache

    monkeypatch.setattr(cache, "RACY_NS", 30_000_000)
    root = make_project(tmp_path / "site", 40)
    config = load_config(root / "config.toml")
    build(config)
    write_articles(root, 40, 2)
    assert build(config).written > 0
    public = str(config.output_dir.resolve())
    listed: list[str] = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p=".": listed.append(str(p)) or real(p))
    for expected in ("all", "none"):
        time.sleep(0.05)  # past the racy window: the folders' ctimes can be vouched for
        listed.clear()
        assert build(config).noop
        inside = [p for p in listed if p.startswith(public)]
        assert (len(inside) > 40) if expected == "all" else inside == [], (expected, len(inside))
