"""Rebuilds told what changed (DevServer.changes → BuildOptions.changed): the dev server's
build stats only the paths its watcher saw touched, and checks every file whenever that
could miss something: its output is then always what a build from scratch makes."""

from __future__ import annotations

import gc
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.config import load_config
from sitegen.errors import SitegenError
from sitegen.serve import DevServer, Rebuilt
from sitegen.serve.server import make_rebuild, serve_output_dir
from sitegen.serve.watch import Inputs

from conftest import article, tree

CONFIG = 'base_url = "https://example.org/"\nsearch = false\n'


class Told:
    """`sitegen serve`'s rebuild, told by the test what changed (as the server's watcher
    would tell it), its deferred save run after each rebuild as the server does."""

    def __init__(self, root: Path) -> None:
        config = load_config(root / "config.toml")
        self.root = root
        self.out = serve_output_dir(config)
        self.config = config.replace(base_url="http://127.0.0.1:9/", output_dir=self.out)
        self.told: frozenset[Path] | None = None
        self.rebuild = make_rebuild(self.config, changes=lambda: self.told)

    def __call__(self, changed: Iterable[str] | None) -> Rebuilt:
        """Rebuild, told that `changed` (paths relative to the root) changed; None: not known."""
        # As the watcher reports them: under the resolved input folders, links not followed.
        self.told = None if changed is None else frozenset(self.root.resolve() / p for p in changed)
        result = self.rebuild(self.told or frozenset())
        if result.after is not None:
            result.after()
        return result

    def page(self, slug: str) -> str | None:
        path = self.out / "articles" / slug / "index.html"
        return path.read_text(encoding="utf-8") if path.exists() else None

    def matches_a_fresh_build(self, tmp: Path) -> bool:
        fresh = self.config.replace(output_dir=tmp / "fresh", cache_dir=tmp / "fresh-cache")
        build(fresh)
        return tree(self.out) == tree(fresh.output_dir)


@pytest.fixture
def told(make_site: Callable[[dict[str, str]], Path]) -> Told:
    root = make_site({
        "config.toml": CONFIG,
        "content/a.md": article("مقال أول", "نص المقال الأول.", slug="a", date="2026-01-02", tags="[اقتصاد]"),
        "content/b.md": article("مقال ثان", "نص المقال الثاني.", slug="b", date="2026-01-03", tags="[اقتصاد]",
                                read_also="[مقال أول]"),
        "content/c.md": article("مقال ثالث", "نص المقال الثالث.", slug="c", date="2026-01-04"),
    })
    # Written a while ago: a file modified within seconds of a build is read again by every
    # build until one starts later (see incremental.store.RACY_NS), told of it or not.
    ago = time.time() - 60
    for path in (root / "content").iterdir():
        os.utime(path, (ago, ago))
    site = Told(root)
    site(None)  # the first build checks every file
    return site


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_rebuild_told_what_changed_makes_what_a_build_from_scratch_does(told: Told, tmp_path: Path) -> None:
    content = told.root / "content"
    edit(content / "a.md", "نص المقال الأول.", "نص عدله المحرر.")
    told(["content/a.md"])
    assert "نص عدله المحرر." in (told.page("a") or "")
    # An editor's safe save: a temporary file renamed over the article; a new article; one removed.
    (content / ".b.md.tmp").write_text(article("مقال ثان", "نص جديد بعد الحفظ الآمن.", slug="b",
                                               date="2026-01-03"), encoding="utf-8")
    os.replace(content / ".b.md.tmp", content / "b.md")
    (content / "d.md").write_text(article("مقال رابع", "نص الرابع.", slug="d", date="2026-01-05"),
                                  encoding="utf-8")
    (content / "c.md").unlink()
    told(["content/.b.md.tmp", "content/b.md", "content/d.md", "content/c.md"])
    assert "نص جديد بعد الحفظ الآمن." in (told.page("b") or "")
    assert told.page("d") is not None and told.page("c") is None
    assert told.matches_a_fresh_build(tmp_path / "check")


def test_an_edit_it_was_not_told_of_is_seen_only_by_a_full_check(told: Told, tmp_path: Path) -> None:
    """The shortcut is real (an unreported edit is not looked for), and a rebuild that does
    not know what changed finds it."""
    edit(told.root / "content" / "c.md", "نص المقال الثالث.", "تعديل لم يبلغ عنه أحد.")
    told([])
    assert "تعديل لم يبلغ عنه أحد." not in (told.page("c") or "")
    told(None)
    assert "تعديل لم يبلغ عنه أحد." in (told.page("c") or "")
    assert told.matches_a_fresh_build(tmp_path / "check")


def test_an_output_folder_replaced_behind_its_back_is_checked_in_full(told: Told, tmp_path: Path) -> None:
    shutil.rmtree(told.out)
    edit(told.root / "content" / "a.md", "نص المقال الأول.", "نص بعد حذف المخرجات.")
    told(["content/a.md"])
    assert told.page("b") is not None and told.page("c") is not None
    assert told.matches_a_fresh_build(tmp_path / "check")


def test_a_failed_rebuild_does_not_lose_what_it_was_told(told: Told, tmp_path: Path) -> None:
    """The changes a failed build was told of are not in the cache: the next build, told
    only of what changed since, must still build them."""
    content = told.root / "content"
    good = (content / "a.md").read_text(encoding="utf-8")
    (content / "a.md").write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
    edit(content / "c.md", "نص المقال الثالث.", "نص عدل مع خطأ في غيره.")
    with pytest.raises(SitegenError):
        told(["content/a.md", "content/c.md"])
    (content / "a.md").write_text(good, encoding="utf-8")
    told(["content/a.md"])
    assert "نص عدل مع خطأ في غيره." in (told.page("c") or "")
    assert told.matches_a_fresh_build(tmp_path / "check")


def test_a_seed_imported_by_the_rebuild_is_built_by_it(told: Told) -> None:
    """The content file the import writes is a change the watcher has not reported yet."""
    title = "مكتبة عامة تفتح أبوابها ليلا للطلاب في موسم الامتحانات"
    para = ("قالت إدارة المكتبة إن القاعات ستبقى مفتوحة حتى منتصف الليل طوال فترة الامتحانات، "
            "وإن المتطوعين سيساعدون الطلاب في العثور على المراجع التي يحتاجون إليها.")
    seeds = told.root / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "library.txt").write_text(f"{title}\n\n{para}\n\n{para}\n", encoding="utf-8")
    told(["seeds/library.txt"])
    assert title in (told.out / "index.html").read_text(encoding="utf-8")


def test_a_folder_among_the_changes_makes_the_rebuild_check_in_full(told: Told, tmp_path: Path) -> None:
    """A folder moved in or removed: the watcher may report the folder alone, not its files."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "e.md").write_text(article("مقال خامس", "نص الخامس.", slug="e", date="2026-01-06"),
                                  encoding="utf-8")
    outside.rename(told.root / "content" / "more")
    told(["content/more"])
    assert told.page("e") is not None
    shutil.rmtree(told.root / "content" / "more")
    told(["content/more"])
    assert told.page("e") is None
    assert told.matches_a_fresh_build(tmp_path / "check")


def test_a_symbolic_link_among_the_changes_makes_the_rebuild_check_in_full(told: Told, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.md"
    target.write_text(article("مقال مرتبط", "نص من خارج المجلد.", slug="linked", date="2026-01-07"),
                      encoding="utf-8")
    (told.root / "content" / "linked.md").symlink_to(target)
    told(["content/linked.md"])
    assert "نص من خارج المجلد." in (told.page("linked") or "")
    assert told.matches_a_fresh_build(tmp_path / "check")


# --- what the server tells a rebuild -----------------------------------------------------------
@pytest.fixture
def inputs(tmp_path: Path) -> Inputs:
    for name in ("content", "seeds", "themes", "templates", "static"):
        (tmp_path / name).mkdir()
    (tmp_path / "content" / "a.md").write_text("old", encoding="utf-8")
    return Inputs(tmp_path, [tmp_path / n for n in ("content", "seeds", "themes", "templates", "static")],
                  [tmp_path / "config.toml"])


@pytest.fixture
def watching(inputs: Inputs, tmp_path: Path) -> Iterator[DevServer]:
    with DevServer(tmp_path / "public", lambda paths: Rebuilt(written=1), inputs=inputs, port=0) as server:
        server.start()
        assert server.changes() is None  # the first count after the watcher started
        yield server


def seen(server: DevServer, change: Callable[[], object]) -> None:
    """Make a change to an input and wait until the watcher has reported it."""
    before = server.changes_seen()
    change()
    deadline = time.monotonic() + 10
    while server.changes_seen() == before:
        assert time.monotonic() < deadline, "the watcher reported nothing"
        time.sleep(0.005)


def test_the_server_names_every_path_touched_since_the_last_rebuild(watching: DevServer, tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / ".a.md.tmp").write_text("new", encoding="utf-8")
    seen(watching, lambda: os.replace(content / ".a.md.tmp", content / "a.md"))
    assert {content / "a.md", content / ".a.md.tmp"} <= watching.changes()  # type: ignore[operator]
    assert watching.changes() == frozenset()
    # Reported directly (a tool, a test): among the changes before the watcher's event comes.
    watching.notify([content / "b.md"])
    assert watching.changes() == frozenset({content / "b.md"})


def test_after_lost_events_or_a_failed_rebuild_the_next_checks_every_file(watching: DevServer, tmp_path: Path) -> None:
    a = tmp_path / "content" / "a.md"
    seen(watching, lambda: a.write_text("one", encoding="utf-8"))
    logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
    assert watching.changes() is None
    seen(watching, lambda: a.write_text("two", encoding="utf-8"))
    assert watching.changes() == frozenset({a})

    def fail(paths: frozenset[Path]) -> Rebuilt:
        raise SitegenError("content/a.md:1: front matter: broken")

    watching.rebuild = fail
    watching._run_build(frozenset({a}), watching.changes_seen())
    assert watching.changes() is None
    # A watched folder removed and made again: files made before its new watch sent nothing.
    seen(watching, lambda: (tmp_path / "templates").rmdir())
    assert watching.changes() is None


def test_a_symbolic_link_among_the_inputs_means_every_file_is_checked(watching: DevServer, tmp_path: Path) -> None:
    link = tmp_path / "content" / "b.md"
    seen(watching, lambda: link.symlink_to(tmp_path / "outside.md"))
    assert watching.changes() is None
    assert watching.changes() is None  # while it is there: its target's edits send no event
    seen(watching, link.unlink)
    assert watching.changes() is None
    seen(watching, lambda: (tmp_path / "content" / "a.md").write_text("x", encoding="utf-8"))
    assert watching.changes() == frozenset({tmp_path / "content" / "a.md"})


def test_polling_never_names_the_changes(inputs: Inputs, tmp_path: Path) -> None:
    with DevServer(tmp_path / "public", lambda paths: Rebuilt(written=1), inputs=inputs, port=0,
                   poll=True) as server:
        server.start()
        assert server.changes() is None
        seen(server, lambda: (tmp_path / "content" / "a.md").write_text("x", encoding="utf-8"))
        assert server.changes() is None


def test_no_garbage_collection_between_a_save_and_its_saved_cache(tmp_path: Path) -> None:
    """A full pass of the cyclic garbage collector over a big site's warm state takes a tenth
    of a second or more: it is off from the rebuild until the cache is saved (the reloading
    page is served meanwhile), and on again after."""
    seen: list[bool] = []

    def rebuild(paths: frozenset[Path]) -> Rebuilt:
        seen.append(gc.isenabled())
        return Rebuilt(written=1, after=lambda: seen.append(gc.isenabled()))

    assert gc.isenabled()
    with DevServer(tmp_path / "public", rebuild, port=0) as server:
        server.start()
        assert seen == [False, False] and gc.isenabled()
        server.notify([tmp_path / "content" / "a.md"])
        with server.state.reading(server.changes_seen()):
            pass  # the rebuild has published its pages
        deadline = time.monotonic() + 10
        while len(seen) < 4 or not gc.isenabled():
            assert time.monotonic() < deadline, "the collector stayed off"
            time.sleep(0.01)
    assert seen == [False, False, False, False]
    assert gc.isenabled()
