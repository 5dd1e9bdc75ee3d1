"""The search bundle does not depend on the file system it is built on: Pagefind numbers the
pages in the order sitegen gives them, not in the order a directory walk meets files (creation
order reversed on tmpfs, hashed on ext4). And a Pagefind that fails says so in one line."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.build import verify_incremental
from sitegen.cli import main
from sitegen.config import load_config

from conftest import ROOT, tree

SHM = Path("/dev/shm")


def filesystem_type(path: Path) -> str:
    """The type of the file system `path` is on (tmpfs, ext4, …), from /proc/mounts."""
    path = path.resolve()
    best, kind = "", ""
    for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
        _device, point, fstype = line.split()[:3]
        point = point.replace("\\040", " ")
        if (path == Path(point) or Path(point) in path.parents) and len(point) > len(best):
            best, kind = point, fstype
    return kind


@pytest.fixture
def shm_folder(tmp_path: Path) -> Iterator[Path]:
    """A fresh folder on the tmpfs /dev/shm, removed afterwards. Skipped (with the reason)
    when there is none, or when `tmp_path` is on a file system of the same type (then the
    two folders list files in the same order, and the test could not fail)."""
    if not (SHM.is_dir() and filesystem_type(SHM) == "tmpfs"):
        pytest.skip("no tmpfs at /dev/shm")
    if filesystem_type(tmp_path) == "tmpfs":
        pytest.skip(f"{tmp_path} is on a tmpfs too: both would list files in the same order")
    folder = Path(tempfile.mkdtemp(prefix="sitegen-test-", dir=SHM))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def small_site(root: Path, cache_dir: Path | None = None) -> Path:
    """A site of eight articles (one search shard) in `root`, with the project's themes;
    its config file. `cache_dir`: the cache folder, if not the default one in `root`."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "themes", root / "themes", dirs_exist_ok=True)
    config = 'base_url = "https://example.org/"\n'
    if cache_dir is not None:
        config += f'cache_dir = "{cache_dir}"\n'
    (root / "config.toml").write_text(config, encoding="utf-8")
    for i in range(8):
        page = root / "content" / f"k{i}.md"
        page.parent.mkdir(exist_ok=True)
        page.write_text(f"---\ntitle: نشرة الطقس رقم {i}\nslug: k{i}\ndate: 2026-02-{i + 1:02d}\n---\n"
                        f"توقعات اليوم {i}: غيوم متفرقة ورياح خفيفة على الساحل.\n", encoding="utf-8")
    return root / "config.toml"


def test_the_bundle_is_the_same_whether_the_cache_folder_is_on_tmpfs_or_disk(
        tmp_path: Path, shm_folder: Path) -> None:
    bundles = []
    for cache in (shm_folder / "cache", tmp_path / "cache"):
        config = small_site(tmp_path / "site", cache_dir=cache)
        out = tmp_path / f"public-{len(bundles)}"
        assert main(["build", "-q", "-C", str(config), "--out", str(out)]) == 0
        bundles.append(tree(out / "pagefind"))
    assert "shard-0/pagefind-entry.json" in bundles[0]
    assert bundles[0] == bundles[1]


def test_verify_incremental_finds_no_difference_for_a_project_on_tmpfs(
        tmp_path: Path, shm_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The build from scratch goes to the temporary folder: make it the disk's, explicitly.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    config = load_config(small_site(shm_folder / "site"))
    report, diffs = verify_incremental(config)
    assert report.pages > 0
    assert diffs == []


def test_a_pagefind_that_fails_is_one_line_and_public_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = small_site(tmp_path / "site")
    assert main(["build", "-q", "-C", str(config)]) == 0
    before = tree(tmp_path / "site" / "public")
    (tmp_path / "site" / "content" / "k0.md").write_text("---\ntitle: خبر معدل\nslug: k0\n---\nنص جديد.\n",
                                                         encoding="utf-8")
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'cannot index: out of luck' >&2\necho 'details' >&2\nexit 3\n",
                      encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    capsys.readouterr()
    assert main(["build", "-q", "-C", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == ["error: search: Pagefind failed on shard 0: cannot index: out of luck details"]
    assert tree(tmp_path / "site" / "public") == before
