"""Incremental builds equal full builds: random sequences of edits to a generated site, and
after each edit the cached build's output folder is compared byte for byte with a build of the
same inputs from scratch (no cache, another folder). Plus the cache's own promises: a no-op
build reads and writes nothing, and a damaged cache or output folder is repaired."""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.build import build, verify_incremental
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.incremental import WarmState

from conftest import ROOT, tree

WORDS = ("ترامب ماسك منصة تروث سوشيال الصين الاقتصاد النفط الذهب البورصة الانتخابات غزة "
         "مصر العراق الشركة الرئيس Tesla Apple TMTG Big Tech Reuters 2026").split()
TAGS = ("تروث سوشيال", "إيلون ماسك", "إیلون ماسک", "الاقتصاد", "النفط", "الذهب", "Big Tech",
        "الانتخابات", "الصين", "مصر")
AUTHORS = ("سارة المحررة", "Nadia K.", "سارة  المحررة")
SOURCES = ("صدى البلد", "الاقتصاد نيوز", "وكالات", "")


def _sentence(rng: random.Random, n: int = 8) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _article(rng: random.Random, slug: str, others: list[str], title: str | None = None) -> str:
    """A content file with random metadata and a body that may link to `others`."""
    tags = rng.sample(TAGS, rng.randint(0, 4))
    lines = [f"title: {title or _sentence(rng, 6)}", f"slug: {slug}"]
    if rng.random() < 0.9:
        lines.append(f"date: 20{rng.randint(24, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    if tags:
        lines.append("tags: [" + ", ".join(tags) + "]")
    source = rng.choice(SOURCES)
    if source:
        lines.append(f"source: {source}")
    if others and rng.random() < 0.5:
        lines.append("read_also: [" + ", ".join(rng.sample(others, min(len(others), 2))) + "]")
    if rng.random() < 0.3:
        lines.append(f"summary: {_sentence(rng, 10)}")
    if rng.random() < 0.4:
        lines.append(f"author: {rng.choice(AUTHORS)}")
    if rng.random() < 0.2:
        lines.append(f"updated: 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00")
    if rng.random() < 0.2:
        lines.append(f"aliases: [old-{slug}]")
    # The tests' SOURCE_DATE_EPOCH is 2027-01-15: one article in ten is scheduled after it,
    # one in ten has expired before it.
    if rng.random() < 0.1:
        lines = [line for line in lines if not line.startswith("date:")] + ["date: 2027-03-01"]
    if rng.random() < 0.1:
        lines.append(f"expires: 202{rng.choice((5, 8))}-06-01")
    body = [_sentence(rng, 20) for _ in range(rng.randint(1, 3))]
    if others and rng.random() < 0.4:
        body.append(f"انظر [{_sentence(rng, 2)}]({rng.choice(others)}.md) و [هذا](missing-{rng.randint(1, 3)}.md).")
    if rng.random() < 0.3:
        body.insert(1, "## " + _sentence(rng, 3))
    return "---\n" + "\n".join(lines) + "\n---\n\n" + "\n\n".join(body) + "\n"


def make_project(root: Path, rng: random.Random, n: int) -> None:
    """A site of `n` random articles with the project's themes."""
    shutil.copytree(ROOT / "themes", root / "themes")
    (root / "config.toml").write_text('base_url = "https://example.org/"\npage_size = 7\n'
                                      'feed_limit = 12\n', encoding="utf-8")
    (root / "content").mkdir()
    slugs = [f"a{i:03d}" for i in range(n)]
    for slug in slugs:
        (root / "content" / f"{slug}.md").write_text(_article(rng, slug, slugs), encoding="utf-8")
    # Written an hour ago: files the edits leave alone are then trusted by their stat and not
    # read again (files changed within the last seconds are re-read, whatever their stat).
    hour_ago = time.time_ns() - 3600 * 10**9
    for path in root.rglob("*"):
        os.utime(path, ns=(hour_ago, hour_ago))


def _slugs(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "content").glob("*.md"))


def _edit_front(path: Path, key: str, value: str | None) -> None:
    """Set (or, with None, remove) one front matter key."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
    lines = [line for line in head.split("\n") if not line.startswith(f"{key}:")]
    if value is not None:
        lines.append(f"{key}: {value}")
    path.write_text("\n".join(lines) + "\n---\n" + body, encoding="utf-8")


def random_edit(root: Path, rng: random.Random) -> str:
    """Apply one random edit to the project; returns what it did (for failure messages)."""
    slugs = _slugs(root)
    slug = rng.choice(slugs)
    path = root / "content" / f"{slug}.md"
    kind = rng.choice(["title", "tags", "slug", "delete", "add", "body-link", "body", "date",
                       "template", "config", "output", "static"])
    if kind == "title":
        _edit_front(path, "title", _sentence(rng, 5))
    elif kind == "tags":
        _edit_front(path, "tags", "[" + ", ".join(rng.sample(TAGS, rng.randint(0, 3))) + "]")
    elif kind == "slug":
        # The file keeps its name; links by file name still resolve, by slug they do not.
        _edit_front(path, "slug", f"{slug}-r{rng.randint(0, 99)}")
    elif kind == "delete" and len(slugs) > 5:
        path.unlink()
    elif kind == "add":
        new = f"n{rng.randint(0, 9999):04d}"
        (root / "content" / f"{new}.md").write_text(_article(rng, new, slugs), encoding="utf-8")
    elif kind == "body-link":
        with path.open("a", encoding="utf-8") as f:
            f.write(f"\nرابط إلى [مقال]({rng.choice(slugs)}.md).\n")
    elif kind == "body":
        with path.open("a", encoding="utf-8") as f:
            f.write(f"\n{_sentence(rng, 12)}\n")
    elif kind == "date":
        _edit_front(path, "date", f"2027-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
    elif kind == "template":
        name = rng.choice(["article.html", "term.html", "partials/card.html", "base.html"])
        template = root / "themes/digest/templates" / name
        text = template.read_text(encoding="utf-8")
        template.write_text(text.replace("</", f"<!-- {rng.randint(0, 999)} --></", 1), encoding="utf-8")
    elif kind == "config":
        key, value = rng.choice([("page_size", str(rng.randint(3, 9))), ("related_min", str(rng.randint(0, 5))),
                                 ("feed_limit", str(rng.randint(2, 20))), ("numerals", '"arab"'),
                                 ("title", f'"{_sentence(rng, 2)}"')])
        cfg = root / "config.toml"
        lines = [line for line in cfg.read_text(encoding="utf-8").splitlines() if not line.startswith(key)]
        cfg.write_text("\n".join(lines + [f"{key} = {value}"]) + "\n", encoding="utf-8")
    elif kind == "output":
        # Someone edits or deletes a built file: the next build must put it back.
        built = sorted(p for p in (root / "public").rglob("*.html"))
        victim = rng.choice(built)
        if rng.random() < 0.5:
            victim.unlink()
        else:
            victim.write_text("<p>edited by hand</p>", encoding="utf-8")
    elif kind == "static":
        css = root / "themes/digest/static/style.css"
        css.write_text(css.read_text(encoding="utf-8") + f"\n/* {rng.randint(0, 999)} */\n", encoding="utf-8")
    return f"{kind} {slug}"


def assert_same_as_full(root: Path, tmp: Path, done: list[str], warm: WarmState | None = None) -> None:
    """An incremental build of `root` (with `warm`, what the previous builds left in this
    process, as in the dev server; without, from the cache files, as a new process) gives
    the bytes a build from scratch gives."""
    config = load_config(root / "config.toml")
    build(config, warm=warm)
    fresh = config.replace(output_dir=tmp / "full" / "public", cache_dir=tmp / "full" / "cache")
    shutil.rmtree(tmp / "full", ignore_errors=True)
    build(fresh)
    got, want = tree(config.output_dir), tree(fresh.output_dir)
    assert sorted(got) == sorted(want), f"after {done}: files differ: {set(got) ^ set(want)}"
    diff = [p for p in want if got[p] != want[p]]
    assert not diff, f"after {done}: stale bytes in {diff[:5]}"


def assert_edit_rounds_build_as_full(root: Path, tmp: Path, rng: random.Random,
                                     edit: Callable[[Path, random.Random], str], *, rounds: int, most: int) -> None:
    """Build `root`, then `rounds` times make 1 to `most` edits (`edit`) and build again,
    every build (from the cache files) giving the bytes of a full build."""
    assert_same_as_full(root, tmp, [])
    done: list[str] = []
    for _ in range(rounds):
        for _ in range(rng.randint(1, most)):
            done.append(edit(root, rng))
        assert_same_as_full(root, tmp, done)


@pytest.mark.parametrize("seed", range(24))
def test_random_edits_build_as_a_full_build_does(tmp_path: Path, seed: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    rng = random.Random(seed)
    root = tmp_path / "site"
    make_project(root, rng, 40)
    warm = WarmState()
    assert_same_as_full(root, tmp_path, [], warm)
    done: list[str] = []
    for _ in range(4):
        done.append(random_edit(root, rng))
        assert_same_as_full(root, tmp_path, done, warm)


@pytest.mark.parametrize("seed", range(100, 106))
def test_random_edits_build_as_a_full_build_does_from_the_cache_files(tmp_path: Path, seed: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """As above, each build reading the cache from its files, as a new process does (the
    tables' bases and deltas), instead of taking what the previous build kept in memory."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    rng = random.Random(seed)
    root = tmp_path / "site"
    make_project(root, rng, 40)
    assert_edit_rounds_build_as_full(root, tmp_path, rng, random_edit, rounds=6, most=3)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    root = tmp_path / "site"
    make_project(root, random.Random(99), 20)
    return root


def test_a_no_op_build_renders_and_writes_nothing(project: Path) -> None:
    config = load_config(project / "config.toml")
    first = build(config)
    inodes = {p: p.stat().st_ino for p in config.output_dir.rglob("*") if p.is_file()}
    again = build(config)
    assert again.noop and again.written == 0 and again.removed == 0 and again.rendered == 0
    assert again.unchanged == first.written and again.pages == first.pages
    assert {p: p.stat().st_ino for p in config.output_dir.rglob("*") if p.is_file()} == inodes


def test_a_body_edit_renders_only_the_pages_that_show_the_body(project: Path) -> None:
    config = load_config(project / "config.toml")
    build(config)
    with (project / "content/a003.md").open("a", encoding="utf-8") as f:
        f.write("\nفقرة جديدة.\n")
    before = stats(config.output_dir)
    report = build(config)
    assert not report.noop and report.rendered == 1, report
    after = stats(config.output_dir)
    # The search index (when the site has one) indexes bodies: it changes too.
    changed = {p for p in after if before.get(p) != after[p] and not p.startswith("pagefind/")}
    assert changed == {"articles/a003/index.html"}


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_a_no_op_build_still_fails_with_strict_warnings(project: Path) -> None:
    config = load_config(project / "config.toml")
    (project / "content/a001.md").write_text("---\ntitle: عنوان\nread_also: [nowhere]\n---\nنص\n",
                                            encoding="utf-8")
    build(config)
    assert build(config).noop
    assert main(["build", "-q", "--strict", "-C", str(project / "config.toml")]) == 1


def test_a_damaged_cache_means_a_cold_build(project: Path) -> None:
    config = load_config(project / "config.toml")
    build(config)
    for f in (config.cache_dir / "build").rglob("*.pickle"):
        f.write_bytes(b"not a pickle")
    report, diffs = verify_incremental(config)
    assert diffs == [] and not report.noop


def test_a_file_added_to_the_output_folder_is_removed_without_a_content_change(project: Path) -> None:
    config = load_config(project / "config.toml")
    build(config)
    (config.output_dir / "stray.html").write_text("x", encoding="utf-8")
    report = build(config)
    assert not report.noop and report.removed == 1 and report.written == 0
    assert not (config.output_dir / "stray.html").exists()


def test_files_added_deep_in_folders_the_last_build_left_alone_are_removed(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The output folder's check lists only the folders changed since the last build's
    check (cache.BuildCache.scan_outputs): a file, or a folder of files, added by hand where
    no build wrote since is still found, and removed."""
    from sitegen.incremental import store as cache

    monkeypatch.setattr(cache, "RACY_NS", 50_000_000)  # folders trusted after 50 ms, not 2 s
    config = load_config(project / "config.toml")
    build(config)
    time.sleep(0.1)
    with (project / "content/a003.md").open("a", encoding="utf-8") as f:
        f.write("\nفقرة جديدة.\n")
    assert not build(config).noop  # its check's record of the folders is saved
    time.sleep(0.1)
    (config.output_dir / "articles/a005/stray.html").write_text("x", encoding="utf-8")
    (config.output_dir / "articles/a007/extra/deeper").mkdir(parents=True)
    (config.output_dir / "articles/a007/extra/deeper/x.html").write_text("x", encoding="utf-8")
    report = build(config)
    assert not report.noop and report.removed == 2 and report.written == 0
    assert not (config.output_dir / "articles/a005/stray.html").exists()
    assert not (config.output_dir / "articles/a007/extra").exists()
    assert build(config).noop


def _edit_body(project: Path, name: str, text: str) -> None:
    with (project / "content" / name).open("a", encoding="utf-8") as f:
        f.write(f"\n{text}\n")


def test_after_edit_builds_the_check_lists_only_the_folders_a_build_changed(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each changing build swaps in the spare tree (the one an earlier build swapped out):
    the next check lists the folders this build wrote into, not every folder of the site."""
    from sitegen.incremental import store as cache

    monkeypatch.setattr(cache, "RACY_NS", 50_000_000)  # folders trusted after 50 ms, not 2 s
    config = load_config(project / "config.toml")
    build(config)
    public = str(config.output_dir.resolve())
    listed: list[str] = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p=".": listed.append(str(p)) or real(p))
    every = sum(1 for p in config.output_dir.rglob("*") if p.is_dir()) + 1
    for n in range(4):  # the first edits have no spare yet, or its record
        time.sleep(0.1)
        _edit_body(project, "a003.md", f"فقرة جديدة رقم {n}.")
        listed.clear()
        assert build(config).rendered > 0
    inside = [p for p in listed if p.startswith(public)]
    # a003's folder, the root, and the few listing pages that show its card, not all folders
    assert 0 < len(inside) < every // 3, (len(inside), every)
    time.sleep(0.1)
    report, diffs = verify_incremental(config)
    assert report.noop and diffs == []


def test_a_file_added_by_hand_after_edit_builds_is_found_in_any_folder(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After changing builds that swap the spare tree in and out, a file or folder added by
    hand where no build wrote (in the output folder, or in the spare before it comes back)
    is still found by the next check, and removed."""
    from sitegen.incremental import store as cache
    from sitegen.write import spare_path

    monkeypatch.setattr(cache, "RACY_NS", 50_000_000)
    config = load_config(project / "config.toml")
    build(config)
    for n in range(3):
        time.sleep(0.1)
        _edit_body(project, "a003.md", f"فقرة جديدة رقم {n}.")
        assert not build(config).noop
    time.sleep(0.1)
    (config.output_dir / "articles/a005/stray.html").write_text("x", encoding="utf-8")
    report = build(config)
    assert not report.noop and report.removed == 1 and report.written == 0
    assert not (config.output_dir / "articles/a005/stray.html").exists()
    # In the spare, which the next changing build swaps in.
    spare = spare_path(config.output_dir.resolve())
    assert (spare / "articles/a009").is_dir()
    (spare / "articles/a009/stray.html").write_text("x", encoding="utf-8")
    (spare / "articles/a011/extra").mkdir()
    (spare / "articles/a011/extra/x.html").write_text("x", encoding="utf-8")
    time.sleep(0.1)
    _edit_body(project, "a003.md", "فقرة أخرى.")
    assert not build(config).noop
    time.sleep(0.1)
    report = build(config)
    assert not report.noop and report.removed == 2 and report.written == 0
    assert not (config.output_dir / "articles/a009/stray.html").exists()
    assert not (config.output_dir / "articles/a011/extra").exists()
    time.sleep(0.1)
    report, diffs = verify_incremental(config)
    assert report.noop and diffs == []


def test_a_failed_build_leaves_output_and_cache_usable(project: Path) -> None:
    config = load_config(project / "config.toml")
    build(config)
    before = tree(config.output_dir)
    (project / "themes/digest/templates/article.html").write_text("{{ nope.x }}", encoding="utf-8")
    with pytest.raises(Exception):
        build(config)
    assert tree(config.output_dir) == before
    shutil.copy(ROOT / "themes/digest/templates/article.html", project / "themes/digest/templates/article.html")
    _report, diffs = verify_incremental(config)
    assert diffs == []


def test_verify_incremental_reports_a_stale_file(project: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config_file = str(project / "config.toml")
    assert main(["build", "-q", "--verify-incremental", "-C", config_file]) == 0
    # Forge a stale page: change a built file and its recorded stat, as a cache bug would.
    page = project / "public/404.html"
    stat = page.stat()
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>stale</p></body>"))
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    from sitegen.incremental import store as cache

    config = load_config(project / "config.toml")
    store = cache.BuildCache.open(config, cache.build_key(config, False))
    mtime, _size, d = store.state.outputs["404.html"]
    store.state.outputs["404.html"] = (mtime, page.stat().st_size, d)
    cache._dump(store.folder / "state.pickle", store.state)
    assert main(["build", "--verify-incremental", "-C", config_file]) == 1
    assert "404.html: bytes differ" in capsys.readouterr().err


# --- a process that builds again (the dev server) -------------------------------------------
def _count_cache_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from sitegen.incremental import store as cache

    reads: list[str] = []
    real = cache._load
    monkeypatch.setattr(cache, "_load", lambda path, kind: reads.append(path.name) or real(path, kind))
    return reads


def test_a_rebuild_in_the_same_process_starts_from_what_it_saved(project: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(project / "config.toml")
    warm = WarmState()
    build(config, warm=warm)
    with (project / "content/a003.md").open("a", encoding="utf-8") as f:
        f.write("\nفقرة جديدة.\n")
    reads = _count_cache_reads(monkeypatch)
    assert build(config, warm=warm).rendered == 1
    assert reads == []
    _report, diffs = verify_incremental(config)
    assert diffs == []


def test_a_new_process_reuses_the_articles_and_bodies_the_last_builds_saved(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsed articles, the body index and the link stage's result are saved as a base
    and a delta of what changed since: a build reading them from the files (a new process)
    parses, converts and links only what changed since the last build, not what the builds
    before it changed."""
    from sitegen import links, load, markdown

    config = load_config(project / "config.toml")
    build(config)
    _edit_front(project / "content/a003.md", "title", "عنوان جديد")
    with (project / "content/a004.md").open("a", encoding="utf-8") as f:
        f.write("\nفقرة جديدة.\n")
    build(config)
    folder = next((config.cache_dir / "build").iterdir())
    assert {p.name for p in folder.glob("delta-*")} == {"delta-articles.pickle", "delta-bodies.pickle",
                                                          "delta-links.pickle"}
    with (project / "content/a005.md").open("a", encoding="utf-8") as f:
        f.write("\nفقرة أخرى.\n")
    converted: list[str] = []
    parsed: list[object] = []
    linked: list[object] = []
    real_convert, real_article, real_link = markdown.convert_all, load._article, links.link_site
    monkeypatch.setattr(markdown, "convert_all", lambda sources, text_of, *a: converted.extend(map(text_of, sources))
                        or real_convert(sources, text_of, *a))
    monkeypatch.setattr(load, "_article", lambda *a, **k: parsed.append(a) or real_article(*a, **k))
    monkeypatch.setattr(links, "link_site", lambda *a: linked.append(a) or real_link(*a))
    unchanged = ("data-articles.pickle", "delta-articles.pickle", "data-links.pickle", "delta-links.pickle")
    before = {name: (folder / name).stat().st_mtime_ns for name in unchanged}
    build(config)
    assert len(converted) == 1 and "فقرة أخرى" in converted[0]
    assert parsed == [] and linked == []
    # A body edit writes only the body index (20 articles: its base, as 4 of 20 bodies
    # changed since): the other tables are not written again.
    assert {name: (folder / name).stat().st_mtime_ns for name in unchanged} == before
    _report, diffs = verify_incremental(config)
    assert diffs == []


def test_a_cache_another_process_wrote_is_read_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    config = load_config(project / "config.toml")
    warm = WarmState()
    build(config, warm=warm)
    _edit_front(project / "content/a003.md", "title", "عنوان كتبته عملية أخرى")
    subprocess.run([sys.executable, "-m", "sitegen", "build", "-q", "-C", str(project / "config.toml")],
                   check=True, cwd=ROOT)
    _edit_front(project / "content/a004.md", "title", "عنوان بعدها")
    reads = _count_cache_reads(monkeypatch)
    build(config, warm=warm)
    assert "state.pickle" in reads
    _report, diffs = verify_incremental(config)
    assert diffs == []
    assert "عنوان كتبته عملية أخرى" in (config.output_dir / "articles/a003/index.html").read_text(encoding="utf-8")


def test_a_template_edit_shows_in_the_same_process_whatever_its_mtime(project: Path) -> None:
    config = load_config(project / "config.toml")
    warm = WarmState()
    build(config, warm=warm)
    template = project / "themes/digest/templates/article.html"
    # Older than the racy window, so only the changed stat tells the edit apart.
    template.write_text(template.read_text(encoding="utf-8").replace("</article>", "<p>وسم-جديد</p></article>", 1),
                        encoding="utf-8")
    old = time.time() - 60
    os.utime(template, (old, old))
    build(config, warm=warm)
    assert "وسم-جديد" in (config.output_dir / "articles/a003/index.html").read_text(encoding="utf-8")
    _report, diffs = verify_incremental(config)
    assert diffs == []


def test_a_stylesheet_edit_keeps_the_compiled_templates(project: Path) -> None:
    """The dev server's environment is remade for a template edit, not for a CSS edit."""
    config = load_config(project / "config.toml")
    warm = WarmState()
    build(config, warm=warm)
    assert warm.environment is not None
    env = warm.environment.env
    css = project / "themes/digest/static/style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.x { color: red; }\n", encoding="utf-8")
    old = time.time() - 60
    os.utime(css, (old, old))
    build(config, warm=warm)
    assert warm.environment.env is env
    _report, diffs = verify_incremental(config)
    assert diffs == []


def test_a_search_bundle_the_site_still_wants_is_not_read_again(project: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A template edit changes no article's text: the output folder's Pagefind bundle stays
    as it is (same files), without the cached copy being read and compared file by file."""
    from sitegen import search

    config = load_config(project / "config.toml")
    assert config.search
    build(config)
    bundle = {p: s for p, s in stats(config.output_dir).items() if p.startswith("pagefind/")}
    assert bundle
    template = project / "themes/digest/templates/article.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n{# تعديل #}\n", encoding="utf-8")
    reads: list[str] = []
    real = search.cached_bundle
    monkeypatch.setattr(search, "cached_bundle", lambda config, key: reads.append(key) or real(config, key))
    build(config)
    assert reads == []
    assert {p: s for p, s in stats(config.output_dir).items() if p.startswith("pagefind/")} == bundle
    _report, diffs = verify_incremental(config)
    assert diffs == []


def _picture(rng: random.Random) -> bytes:
    """A PNG of our own making, of a random size and colour."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (rng.randint(200, 1100), rng.randint(150, 700)),
              tuple(rng.randint(0, 255) for _ in range(3))).save(out, "PNG")  # type: ignore[arg-type]
    return out.getvalue()


def image_edit(root: Path, rng: random.Random) -> str:
    """One random edit of what images a site shows: a lead image set or removed, a body image
    added, an image file replaced (other size), added or deleted, default_image set."""
    folder = root / "static" / "images"
    names = ["p0.png", "p1.png", "p2.png"]
    slug = rng.choice(_slugs(root))
    path = root / "content" / f"{slug}.md"
    kind = rng.choice(["lead", "no-lead", "body", "replace", "delete-file", "default"])
    if kind == "lead":
        _edit_front(path, "image", f"images/{rng.choice(names)}")
        _edit_front(path, "image_alt", _sentence(rng, 3))
    elif kind == "no-lead":
        _edit_front(path, "image", None)
    elif kind == "body":
        with path.open("a", encoding="utf-8") as f:
            f.write(f"\n![{_sentence(rng, 2)}](/static/images/{rng.choice(names)} \"{_sentence(rng, 2)}\")\n")
    elif kind == "replace":
        (folder / rng.choice(names)).write_bytes(_picture(rng))
    elif kind == "delete-file":
        victim = folder / rng.choice(names)
        if victim.exists() and (folder / "p0.png") != victim:  # p0 is the default_image
            victim.unlink()
        else:
            victim.write_bytes(_picture(rng))
    elif kind == "default":
        cfg = root / "config.toml"
        lines = [line for line in cfg.read_text(encoding="utf-8").splitlines() if not line.startswith("default_image")]
        if rng.random() < 0.7:
            lines.append('default_image = "images/p0.png"')
        cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"image {kind} {slug}"


@pytest.mark.parametrize("seed", range(200, 202))
def test_image_edits_build_as_a_full_build_does(tmp_path: Path, seed: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Images (sitegen.images): their sizes, the pages showing them, og:image from a lead or
    the default, after edits of images and of what shows them, as a build from scratch."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    rng = random.Random(seed)
    root = tmp_path / "site"
    make_project(root, rng, 12)
    with (root / "config.toml").open("a", encoding="utf-8") as f:
        f.write("search = false\n")  # what is tested here is images; the index takes seconds
    (root / "static" / "images").mkdir(parents=True)
    for name in ("p0.png", "p1.png"):
        (root / "static" / "images" / name).write_bytes(_picture(rng))
    for slug in _slugs(root)[:4]:
        _edit_front(root / "content" / f"{slug}.md", "image", "images/p1.png")
    assert_edit_rounds_build_as_full(root, tmp_path, rng, image_edit, rounds=5, most=2)


def test_an_image_of_another_size_changes_every_page_that_shows_it(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Replacing an image file by one of another size changes no content file, yet the
    pages showing it (as a lead, in a body, as the default og:image) say another size."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    rng = random.Random(7)
    root = tmp_path / "site"
    make_project(root, rng, 6)
    with (root / "config.toml").open("a", encoding="utf-8") as f:
        f.write('search = false\ndefault_image = "images/d.png"\n')
    folder = root / "static" / "images"
    folder.mkdir(parents=True)
    slugs = _slugs(root)
    _edit_front(root / "content" / f"{slugs[0]}.md", "image", "images/lead.png")
    with (root / "content" / f"{slugs[1]}.md").open("a", encoding="utf-8") as f:
        f.write("\n![صورة](/static/images/lead.png)\n")

    def png(width: int, height: int) -> bytes:
        import io

        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (width, height), (10, 20, 30)).save(out, "PNG")
        return out.getvalue()

    for name in ("lead.png", "d.png"):
        (folder / name).write_bytes(png(800, 400))
    assert_same_as_full(root, tmp_path, [])
    before = {s: (root / "public/articles" / s / "index.html").read_text(encoding="utf-8") for s in slugs[:3]}
    # The lead (and body) image first, then the default: each alone changes its pages.
    (folder / "lead.png").write_bytes(png(600, 600))
    assert_same_as_full(root, tmp_path, ["lead.png replaced by a square one"])
    for s in slugs[:2]:
        html = (root / "public/articles" / s / "index.html").read_text(encoding="utf-8")
        assert html != before[s] and 'height="600"' in html
    (folder / "d.png").write_bytes(png(600, 600))
    assert_same_as_full(root, tmp_path, ["lead.png, then d.png replaced by square ones"])
    html = (root / "public/articles" / slugs[2] / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:image:height" content="600">' in html
