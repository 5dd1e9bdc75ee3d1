"""A long build's status line: per stage on a terminal, nothing extra elsewhere; -v times."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Callable

import pytest

from sitegen.cli import main
from sitegen.progress import Progress

from conftest import article

MakeSite = Callable[[dict[str, str]], Path]
ERASE = "\r\x1b[K"


class Terminal(io.StringIO):
    """stderr as a terminal shows it to the program: isatty() is true."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def site(make_site: MakeSite) -> str:
    files = {f"content/a{i}.md": article(f"خبر رقم {i}", slug=f"a{i}", date=f"2026-01-{i + 1:02d}")
             for i in range(12)}
    files["content/b.md"] = article("خبر فيه رابط", "[مفقود](no-such-article)", slug="b")
    return str(make_site({**files, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'}) / "config.toml")


def _build_on_terminal(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    code = main(["build", *args])
    return code, term.getvalue()


def test_a_terminal_sees_each_stage_then_only_the_log_lines(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _build_on_terminal(monkeypatch, "-C", site)
    assert code == 0
    statuses = [s.split("\n")[0] for s in out.split(ERASE)[1:]]
    for stage in ("load…", "markdown…", "link…", "render…", "write…"):
        assert stage in statuses, statuses
    assert any(re.fullmatch(r"render \d+ pages…", s) for s in statuses), statuses
    # Every log line starts on an erased line, and the status is erased at the end.
    lines = out.split("\n")
    assert lines[-1] == ""
    for line in lines[:-1]:
        shown = line.rsplit(ERASE, 1)[-1]
        assert shown.startswith(("warning: ", "built ")), repr(line)
    assert "warning: content/b.md:6: link: «no-such-article» names no article" in out
    assert out.endswith("removed)\n")


def test_not_a_terminal_gets_nothing_extra(site: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "-C", site]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b" not in err
    assert err.splitlines()[0].startswith("warning: ") and err.splitlines()[-1].startswith("built ")
    assert len(err.splitlines()) == 2


def test_quiet_on_a_terminal_shows_no_status(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _build_on_terminal(monkeypatch, "-q", "-C", site)
    assert code == 0 and ERASE not in out


def test_verbose_gives_the_time_of_every_stage(site: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "-v", "-C", site]) == 0
    err = capsys.readouterr().err
    timings = re.search(r"^time per stage: (.+)$", err, re.M)
    assert timings, err
    stages = dict(re.findall(r"(\w+) (\d+\.\d\d) s", timings[1]))
    assert {"cache", "load", "markdown", "link", "render", "write"} <= set(stages)
    assert main(["build", "-C", site]) == 0  # without -v: no timings
    assert "time per stage" not in capsys.readouterr().err


def test_the_status_is_redrawn_at_most_every_interval_within_a_stage() -> None:
    term = Terminal()
    progress = Progress(term, interval=3600)
    progress("render", None)
    for _ in range(100):
        progress("render", 256)  # within the interval: counted, not drawn
    progress("write", None)
    progress.clear()
    assert term.getvalue() == ERASE + "render…" + ERASE + "write…" + ERASE
    assert Progress(io.StringIO()).enabled is False
