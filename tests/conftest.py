"""Shared fixtures: tiny inline sites and the seeds' site, built in temporary folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable, NoReturn

import pytest

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
"""The project checkout: its seeds/, themes/ and config.toml are copied, never written."""


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (its path relative to `folder`, POSIX style) → its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def article(title: str, body: str = "فقرة.", **meta: object) -> str:
    """A content file with `title` and the given front matter keys (values as YAML)."""
    lines = [f"title: {title}"] + [f"{k}: {v}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def url_for(slug: str) -> str:
    """The URL of the article `slug` on a site served under /digest/."""
    return f"/digest/articles/{slug}/"


def in_ci() -> bool:
    """True when the environment says this is CI (CI=true), where skipping is not allowed."""
    return os.environ.get("CI", "").strip().lower() == "true"


def missing_tool(reason: str) -> NoReturn:
    """Skip the test because a system tool is missing, or fail it under CI=true."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: browser and validator tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


def copy_project(dest: Path, *, with_content: bool = False) -> Path:
    """Copy the project's inputs (config, seeds, themes, site templates/static) into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    names = ["seeds", "themes", "templates", "static"] + (["content"] if with_content else [])
    for name in names:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name)
    shutil.copy(ROOT / "config.toml", dest / "config.toml")
    return dest


@pytest.fixture(scope="session")
def seeds_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds imported from scratch and built, as `make site` does; returns the root.

    Session-scoped and shared: tests must not modify it (copy it first)."""
    root = copy_project(tmp_path_factory.mktemp("seeds-site"))
    config = str(root / "config.toml")
    assert main(["import", "-q", "-C", config]) == 0
    assert main(["build", "-q", "-C", config]) == 0
    return root


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """make_site({"content/a.md": "...", "config.toml": "..."}) → a project root in tmp_path
    with the project's themes and those files (a default config.toml unless given)."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        if (ROOT / "themes").is_dir() and not (root / "themes").exists():
            shutil.copytree(ROOT / "themes", root / "themes")
        files = {"config.toml": 'base_url = "https://example.org/"\n', **files}
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    return make
