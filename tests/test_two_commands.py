"""`make site` and `make test` as a newcomer meets them: what they say, what they pin."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import tomllib

import pytest

from sitegen.incremental.store import LIBRARIES

from conftest import ROOT


def _make_dry_run(*targets: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make not found")
    # -n: print the commands, run none; -B: as if every stamp were out of date.
    done = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), *targets], capture_output=True,
                          text=True, check=True, timeout=30)
    return done.stdout


def _duration(text: str) -> str:
    """The "about N minutes" a text gives for `make test`."""
    found = re.search(r"about \d+ minutes", text)
    assert found, "no duration"
    return found[0]


def test_make_test_says_how_long_it_takes_before_running() -> None:
    out = _make_dry_run("test")
    notice = out.index(_duration(out))
    assert notice < out.index("-m pytest")


def test_make_pins_pip_instead_of_upgrading_it() -> None:
    out = _make_dry_run(".venv/.installed")
    assert "--upgrade pip" not in out
    pinned = re.search(r"pip install --quiet pip==(\S+)", out)
    assert pinned, out


def test_every_dependency_is_pinned_exactly_at_the_installed_version() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {}
    for spec in meta["dependencies"] + meta["optional-dependencies"]["test"]:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;]+)", spec)
        assert m, f"{spec}: not an exact pin"
        pins[m[1].lower()] = m[2]
    # The libraries that shape the built bytes without being imported by sitegen itself.
    assert {"markupsafe", "text-unidecode"} <= set(pins)
    for name in ("markupsafe", "text-unidecode"):
        assert importlib.metadata.version(name) == pins[name]
        assert name in LIBRARIES  # a new version makes the next build cold


def test_readme_says_how_to_run_sitegen_after_make_site_and_what_the_tests_need() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Two commands"):readme.index("## Command line")]
    assert ".venv/bin/sitegen" in section and ". .venv/bin/activate" in section
    assert "Java" in section and "Chromium" in section
    # The README and make's notice give the same duration.
    assert _duration(section) == _duration(_make_dry_run("test"))
