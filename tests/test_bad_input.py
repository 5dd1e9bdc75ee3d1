"""Bad input, as a careless user or an attacker gives it, against the command line: every
case exits with the code scripts can trust, prints exactly one error line naming the file
at fault, no traceback, and leaves content/ and the project folder (public/ included) exactly
as they were. (The build cache, sitegen's private scratch folder, is left out of the
comparison.)"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import ROOT, article
from sitegen.cli import main

GOOD = {
    "content/أول.md": article("الخبر الأول", "نص الخبر الأول.", slug="awwal", date="2026-02-01", tags="[سياسة]"),
    "content/ثان.md": article("الخبر الثاني", "نص الخبر الثاني، وفيه [إحالة](أول.md).", slug="thani",
                              date="2026-02-02"),
}
CONFIG = 'base_url = "https://example.org/"\nsearch = false\n'

ALIAS_BOMB = "---\ntitle: قنبلة\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi")) + "---\n\nنص.\n"


@dataclass(frozen=True)
class Case:
    """One bad input: files added to (or replacing) a good, built project, and a command."""

    files: dict[str, str] = field(default_factory=dict)
    """Project files to write."""
    args: tuple[str, ...] = ("build",)
    """The command and its options (the config file is added; `{root}` is the project)."""
    said: str = ""
    """The error line names this (the file, with its line when there is one)."""
    code: int = 1
    """Exit code."""
    remove: tuple[str, ...] = ()
    """Project paths deleted before the command runs."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment variables the command runs with."""


CASES: dict[str, Case] = {
    "NUL written as an escape in a title": Case(
        {"content/bad.md": '---\ntitle: "خبر \\0 و\\x1b"\n---\n\nنص.\n'},
        said="content/bad.md:2: front matter: title: holds the control character U+0000"),
    "ESC written as an escape in a tag": Case(
        {"content/bad.md": '---\ntitle: خبر\ntags:\n  - "وسم\\e"\n---\n\nنص.\n'},
        said="content/bad.md:3: front matter: tags: holds the control character U+001B"),
    "a raw control character in front matter": Case(
        {"content/bad.md": "---\ntitle: خبر\nsummary: ملخص \x01 هنا\n---\n\nنص.\n"},
        said="content/bad.md:3: front matter: invalid YAML: character U+0001 is not allowed"),
    "YAML alias bomb": Case({"content/bad.md": ALIAS_BOMB},
                            said="content/bad.md:4: front matter: invalid YAML: aliases"),
    "a lone alias": Case({"content/bad.md": "---\ntitle: &t خبر\nsummary: *t\n---\n\nنص.\n"},
                         said="content/bad.md:3: front matter: invalid YAML: aliases"),
    "a huge refused value": Case(
        {"content/bad.md": "---\ntitle: خبر\ndir: " + "rtl-" * 50_000 + "\n---\n\nنص.\n"},
        said="content/bad.md:3: load: dir: must be rtl, ltr or auto"),
    "base_url javascript:": Case({"config.toml": 'base_url = "javascript:alert(1)//"\n'},
                                 said="config.toml: base_url must be an absolute http:// or https:// URL"),
    "base_url without a scheme": Case({"config.toml": 'base_url = "digest.example.org"\n'},
                                      said="config.toml: base_url must be an absolute http:// or https:// URL"),
    "--base-url without a scheme": Case(args=("build", "--base-url", "//cdn.example.org/"),
                                        said="base_url must be an absolute http:// or https:// URL"),
    "unknown locale": Case({"config.toml": CONFIG + 'locale = "xx_YY"\n'},
                           said="config.toml: locale 'xx_YY' is not a locale Babel knows"),
    "--out naming a file": Case({"notes.txt": "ملاحظات المحرر\n"}, args=("build", "--out", "{root}/notes.txt"),
                                said="notes.txt: build: the output folder is a file"),
    "output_dir naming a file": Case({"notes.txt": "ملاحظات المحرر\n",
                                      "config.toml": CONFIG + 'output_dir = "notes.txt"\n'},
                                     said="notes.txt: build: the output folder is a file"),
    "check with no built site": Case(args=("check",), remove=("public",),
                                     said="public: check: no built site here"),
    "SOURCE_DATE_EPOCH not a number": Case(env={"SOURCE_DATE_EPOCH": "yesterday"},
                                           said="SOURCE_DATE_EPOCH='yesterday': not a time"),
    "SOURCE_DATE_EPOCH past the calendar": Case(env={"SOURCE_DATE_EPOCH": "9" * 30},
                                                said="SOURCE_DATE_EPOCH='" + "9" * 30 + "': not a time"),
    "serve on port 70000": Case(args=("serve", "--port", "70000"), code=2,
                                said="argument --port: '70000' is not a port"),
}


def tree_digest(folder: Path, skip: str = ".sitegen-cache") -> dict[str, str]:
    """Every file and folder under `folder` → a digest of its bytes ('dir' for a folder)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if rel == skip or rel.startswith(skip + "/"):
            continue
        try:
            out[rel] = "dir" if p.is_dir() else hashlib.blake2b(p.read_bytes()).hexdigest()
        except PermissionError:  # a file the test made unreadable: its mode stands for it
            out[rel] = f"mode {p.stat().st_mode:o}"
    return out


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, valid project, built once (public/ exists)."""
    root = tmp_path_factory.mktemp("bad-input") / "good"
    shutil.copytree(ROOT / "themes", root / "themes")
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    for rel, text in GOOD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    return root


def error_lines(err: str) -> list[str]:
    """stderr without argparse's usage block (bad usage prints it before its one error)."""
    lines, usage = [], False
    for line in err.splitlines():
        if line.startswith("usage: "):
            usage = True
        elif usage and line.startswith(" "):
            continue
        else:
            usage = False
            lines.append(line)
    return lines


def run_case(root: Path, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    capsys.readouterr()
    code = main([args[0], "-q", "-C", str(root / "config.toml"), *args[1:]])
    captured = capsys.readouterr()
    return code, error_lines(captured.err), captured.err + captured.out


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_and_changes_nothing(good_site: Path, tmp_path: Path, capsys,
                                                   monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    case = CASES[name]
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    root = shutil.copytree(good_site, tmp_path / "site", symlinks=True)
    for rel, text in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel in case.remove:
        shutil.rmtree(root / rel)
    content, project = tree_digest(root / "content"), tree_digest(root)

    code, lines, everything = run_case(root, tuple(a.replace("{root}", str(root)) for a in case.args), capsys)
    assert code == case.code, everything
    assert len(lines) == 1, everything[:2000]
    assert lines[0].startswith("error: ") or case.code == 2, lines
    assert case.said in lines[0]
    assert len(lines[0]) <= 700
    assert "Traceback" not in everything
    assert tree_digest(root / "content") == content
    assert tree_digest(root) == project


def test_unreadable_files_do_not_hide_the_others(good_site: Path, tmp_path: Path, capsys,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreadable content file is named, and the other bad files are still reported."""
    import builtins
    import os

    import sitegen.load

    root = shutil.copytree(good_site, tmp_path / "site", symlinks=True)
    locked = root / "content/ب-مقفل.md"
    locked.write_text(article("مقفل", "نص."), encoding="utf-8")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads any file: refuse this one as the system would
        def refusing_open(file: object, *args: object, **kwargs: object) -> object:
            if str(file) == str(locked):
                raise PermissionError(13, "Permission denied", str(file))
            return builtins.open(file, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(sitegen.load, "open", refusing_open, raising=False)
    (root / "content/أ-سيء.md").write_text('---\ntitle: "خبر \\0"\n---\n\nنص.\n', encoding="utf-8")
    (root / "content/ج-سيء.md").write_text("---\ntitle: خبر\ndir: يمين\n---\n\nنص.\n", encoding="utf-8")
    before = tree_digest(root)
    code, lines, everything = run_case(root, ("build",), capsys)
    assert code == 1 and "Traceback" not in everything
    assert [line.split(":")[1].strip() for line in lines] == ["content/أ-سيء.md", "content/ب-مقفل.md",
                                                              "content/ج-سيء.md"], lines
    assert lines[1] == "error: content/ب-مقفل.md: load: cannot read: Permission denied"
    assert tree_digest(root) == before


def test_link_differing_only_in_unicode_normal_form_resolves(make_site: Callable[[dict[str, str]], Path],
                                                            capsys) -> None:
    """A file saved with a decomposed (NFD) name, linked with the composed (NFC) one, and the
    other way round: both links resolve, and no reference is reported unresolved."""
    import unicodedata

    composed = "مُقَال-أول"  # hamza above alif: one code point in NFC, two in NFD
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    root = make_site({
        "config.toml": CONFIG,
        f"content/{decomposed}.md": article("أول", "نص.", slug="first"),
        "content/ثان.md": article("ثان", f"انظر [الأول]({composed}.md).", slug="second"),
        "content/ثالث.md": article("ثالث", f"وانظر [الأول]({decomposed}.md) و[الثاني](ثان.md).", slug="third"),
    })
    capsys.readouterr()
    assert main(["build", "-C", str(root / "config.toml")]) == 0
    assert "warning" not in capsys.readouterr().err
    assert 'href="/articles/first/"' in (root / "public/articles/second/index.html").read_text(encoding="utf-8")
    assert 'href="/articles/first/"' in (root / "public/articles/third/index.html").read_text(encoding="utf-8")


def test_every_xml_output_is_well_formed(make_site: Callable[[dict[str, str]], Path]) -> None:
    """Feeds and sitemaps parse, whatever the text: markup-like titles, ampersands, the
    characters XML allows but rarely sees, and a control character in config.toml (TOML
    escapes it; the feed drops it)."""
    import xml.etree.ElementTree as ET

    root = make_site({
        "config.toml": 'base_url = "https://example.org/"\ntitle = "موجز \\u0001 <الأخبار> & ]]>"\n'
                       'description = "وصف \\u001b فيه"\n',
        "content/a.md": article("'<!--<script> & ]]> \"علامات\"'", "نص فيه \x7f و\ufffd و😀.", slug="a",
                                date="2026-03-01", summary="'ملخص & < > \u202b مضمَّن'", tags="['وسم & آخر']",
                                source="'مصدر <خاص>'"),
        "content/b.md": article("خبر عادي", "نص.", slug="b", date="2026-02-28"),
    })
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    outputs = sorted((root / "public").rglob("*.xml"))
    assert {p.name for p in outputs} >= {"feed.xml", "sitemap.xml", "news-sitemap.xml"}
    for path in outputs:
        ET.parse(path)  # raises on anything that is not well-formed XML
    feed = (root / "public/feed.xml").read_text(encoding="utf-8")
    assert "<!--<script>" not in feed and "&lt;!--&lt;script&gt;" in feed


# --- the disk full or read-only: real file systems, mounted for the test ---------------------------
@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """mount(size_kb) → a fresh tmpfs of that size; `readonly(path)` remounts it read-only.
    Skipped (with the reason) where the test cannot mount: not root, or no permission."""
    mounted: list[Path] = []

    def make(size_kb: int) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(point)],
                              capture_output=True, check=False)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
        mounted.append(point)
        return point

    yield make
    for point in reversed(mounted):
        subprocess.run(["umount", str(point)], capture_output=True, check=False)


def readonly(point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True, capture_output=True)


def test_disk_full_on_a_first_build(good_site: Path, tmp_path: Path, mount, capsys) -> None:
    root = shutil.copytree(good_site, tmp_path / "site", symlinks=True)
    disk = mount(24)
    before = tree_digest(root)
    code, lines, everything = run_case(root, ("build", "--out", str(disk / "public")), capsys)
    assert code == 1 and "Traceback" not in everything
    assert len(lines) == 1 and lines[0].startswith(f"error: {disk}") and "No space left on device" in lines[0], lines
    assert tree_digest(root) == before


def built_on_a_disk(good_site: Path, tmp_path: Path, mount: Callable[..., Path],
                    capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path, dict[str, str]]:
    """A copy of the good site, built onto a fresh 2 MB tmpfs: (project, disk, output
    folder, the output folder's digest)."""
    root = shutil.copytree(good_site, tmp_path / "site", symlinks=True)
    disk = mount(2048)
    out = disk / "public"
    assert run_case(root, ("build", "--out", str(out)), capsys)[0] == 0
    return root, disk, out, tree_digest(out)


def failed_rebuild(root: Path, out: Path, published: dict[str, str], capsys: pytest.CaptureFixture[str]) -> str:
    """Build `root` into `out` again, which must fail: exit code 1, one error line and no
    traceback, `out` left as `published`. Returns the error line."""
    code, lines, everything = run_case(root, ("build", "--out", str(out)), capsys)
    assert code == 1 and "Traceback" not in everything
    assert len(lines) == 1, lines
    assert tree_digest(out) == published
    return lines[0]


def test_disk_full_on_an_update_leaves_the_site(good_site: Path, tmp_path: Path, mount, capsys) -> None:
    root, disk, out, published = built_on_a_disk(good_site, tmp_path, mount, capsys)
    # Fill the disk, then change what every page shows.
    with open(disk / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    base = root / "themes/digest/templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>تذييل</p></body>"), encoding="utf-8")
    (disk / "filler").write_bytes(b"\0" * (len((disk / "filler").read_bytes()) - 1024))  # a little room
    before = tree_digest(root)
    line = failed_rebuild(root, out, published, capsys)
    assert "No space left on device" in line, line
    assert tree_digest(root) == before


def test_read_only_output_folder(good_site: Path, tmp_path: Path, mount, capsys) -> None:
    root, disk, out, published = built_on_a_disk(good_site, tmp_path, mount, capsys)
    (root / "content/جديد.md").write_text(article("خبر جديد", "نص جديد.", slug="jadid"), encoding="utf-8")
    readonly(disk)
    line = failed_rebuild(root, out, published, capsys)
    assert line.startswith(f"error: {disk}") and "read-only" in line.lower(), line


def test_read_only_cache_folder(good_site: Path, tmp_path: Path, mount, capsys) -> None:
    root = shutil.copytree(good_site, tmp_path / "site", symlinks=True)
    disk = mount(64)
    readonly(disk)
    (root / "config.toml").write_text(CONFIG + f'cache_dir = "{disk / "cache"}"\n', encoding="utf-8")
    shutil.rmtree(root / "public")
    code, lines, everything = run_case(root, ("build",), capsys)
    assert code == 1 and "Traceback" not in everything
    assert len(lines) == 1 and lines[0].startswith(f"error: {disk}") and "read-only" in lines[0].lower(), lines
