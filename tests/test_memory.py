"""What a build keeps in memory: the articles' Markdown text is not held once converted,
and the pages made from it are the same."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from sitegen import render
from sitegen.build import build, verify_incremental
from sitegen.config import load_config
from sitegen.model import Site

from conftest import article

MakeSite = Callable[[dict[str, str]], Path]


def test_pages_are_rendered_without_the_articles_markdown_in_memory(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold build converts every body, then renders from articles that no longer carry
    their text (read from the file again where a page needs it: whether the summary is
    only the body's opening), and the pages say what they said."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    opening = "فقرة أولى من المقال وفيها كلام كثير عن الموضوع."
    root = make_site({
        "content/a.md": article("خبر أول", opening + "\n\nفقرة ثانية.", slug="a", summary="فقرة أولى من"),
        "content/b.md": article("خبر ثان", "نص آخر لا يشبه الملخص.", slug="b", summary="ملخص مختلف."),
        "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    seen: list[Site] = []
    init = render.Renderer.__init__

    def spy(self: render.Renderer, site: Site, *args: object, **kwargs: object) -> None:
        seen.append(site)
        init(self, site, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render.Renderer, "__init__", spy)
    config = load_config(root / "config.toml")
    build(config)
    assert seen and all(a.body == "" and a.body_digest for a in seen[0].articles)
    a = (root / "public/articles/a/index.html").read_text(encoding="utf-8")
    b = (root / "public/articles/b/index.html").read_text(encoding="utf-8")
    assert "فقرة ثانية." in a and 'class="standfirst"' not in a
    assert "نص آخر لا يشبه الملخص." in b and 'class="standfirst"' in b
    # And an incremental build after a body edit writes what a cold one would.
    with (root / "content/b.md").open("a", encoding="utf-8") as f:
        f.write("\nفقرة جديدة.\n")
    report, diffs = verify_incremental(config)
    assert diffs == [] and report.rendered >= 1



def _many_articles(n: int) -> dict[str, str]:
    """`n` articles linking to one another, with headings, lists and a Latin run: enough for
    the Markdown stage to start its pool of workers."""
    files = {f"content/a{i:03}.md": article(
        f"خبر رقم {i}", f"## عنوان فرعي {i}\n\nفقرة عن [الخبر السابق](a{max(i - 1, 0):03}.md) "
        f"وعن شركة Acme {i}.\n\n- بند أول\n- بند ثان\n", slug=f"a{i:03}", date=f"2026-01-{i % 28 + 1:02}")
        for i in range(n)}
    return {**files, "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'}


_POOLED_BUILD = """
import os, sys
from pathlib import Path
from sitegen import markdown
from sitegen.build import build
from sitegen.config import load_config
from sitegen.incremental import memo

root = Path(sys.argv[1])
given = []
real_bodies, real_start = memo.cached_bodies, markdown._start_worker
memo.cached_bodies = lambda site, *a: given.append(site) or real_bodies(site, *a)
# The initializer runs in each forked worker: a file written there is seen by the test.
markdown._start_worker = lambda *a: ((root / f"worker-{os.getpid()}").touch(), real_start(*a))
build(load_config(root / "config.toml"))
assert given and all(a.body == "" and a.body_digest for a in given[0].articles), "given bodies"
"""
"""A cold build of the site at argv[1], its Markdown stage's workers each leaving a file
`worker-<pid>` there; it checks that the stage was given articles without their text."""


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the pool runs on two cores or more")
def test_the_markdown_workers_read_the_texts_and_write_what_one_process_would(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Markdown stage is given articles without their text (its workers read each body
    from its file), and the site it builds is byte for byte the one converted in one
    process, from the texts load read."""
    from sitegen import markdown

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    root = make_site(_many_articles(2 * markdown.PARALLEL_MIN))
    config = load_config(root / "config.toml")
    # The pooled build runs in a process of its own: the stage converts in-process whenever
    # another thread runs (forking then is unsafe), and a thread another test left behind
    # would make this one see no pool.
    subprocess.run([sys.executable, "-c", _POOLED_BUILD, str(root)], check=True, timeout=600)
    assert len(list(root.glob("worker-*"))) >= 2
    pooled = _tree(root / "public")
    shutil.rmtree(root / "public")
    shutil.rmtree(config.cache_dir)
    monkeypatch.setattr(markdown, "PARALLEL_MIN", 10 ** 9)
    build(config)
    assert _tree(root / "public") == pooled
    assert 'href="/articles/a000/"' in pooled["articles/a001/index.html"].decode()


@pytest.mark.parametrize("pooled", [False, True], ids=["here", "pool"])
def test_a_body_edited_while_the_site_builds_is_reported_not_converted(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, pooled: bool) -> None:
    """A content file whose body changes between the load stage and its conversion stops
    the build with one line naming it (its HTML would be kept under the digest of the text
    load read); the next build shows the edit."""
    from sitegen import markdown
    from sitegen.errors import BuildError
    from sitegen.incremental import memo

    if pooled and (os.cpu_count() or 1) < 2:
        pytest.skip("the pool runs on two cores or more")
    monkeypatch.setattr(markdown, "PARALLEL_MIN", 2 if pooled else 10 ** 9)
    monkeypatch.setattr(markdown, "CHUNK", 1)
    root = make_site(_many_articles(4))
    config = load_config(root / "config.toml")
    real = memo.without_bodies

    def edit_then(site: Site, store: object) -> Site:
        with (root / "content/a002.md").open("a", encoding="utf-8") as f:
            f.write("\nفقرة كتبها المحرر أثناء البناء.\n")
        return real(site, store)  # type: ignore[arg-type]

    monkeypatch.setattr(memo, "without_bodies", edit_then)
    with pytest.raises(BuildError) as caught:
        build(config)
    assert [str(e) for e in caught.value.errors] == [
        "content/a002.md:7: markdown: changed while the site was being built: build again"]
    monkeypatch.setattr(memo, "without_bodies", real)
    build(config)
    assert "فقرة كتبها المحرر أثناء البناء." in (root / "public/articles/a002/index.html").read_text(encoding="utf-8")


FAKE_PAGEFIND = '''#!{python}
"""Answers like Pagefind's service: after the second request, the answer to the first and
a bundle of one large file, written a few hundred bytes at a time."""
import base64, json, os, sys, threading
seen = b""
while seen.count(b",") < 2:
    seen += sys.stdin.buffer.read1(1 << 16)

def framed(message_id, payload):
    text = json.dumps({{"message_id": message_id, "payload": payload}})
    return base64.b64encode(text.encode()) + b","

content = base64.b64encode(bytes(range(256)) * 2048).decode()
out = framed(0, {{"type": "IndexedFile"}}) + framed(1, {{"type": "GetFiles", "files": [
    {{"path": "fragment/a.pf_fragment", "content": content}}]}})
# Gone when its input closes, as Pagefind is: a reader that stopped early does not leave
# it blocked on a full pipe.
threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
for at in range(0, len(out), 333):
    sys.stdout.buffer.write(out[at:at + 333])
    sys.stdout.buffer.flush()
'''


def test_a_bundle_answer_read_in_many_pieces_comes_back_whole(tmp_path: Path) -> None:
    """Pagefind's answers arrive in pieces of any size, an answer's end and the next one's
    start in one read: the bundle is the bytes it sent."""
    import sys

    from sitegen.search import PagefindService

    binary = tmp_path / "pagefind"
    binary.write_text(FAKE_PAGEFIND.format(python=sys.executable), encoding="utf-8")
    binary.chmod(0o755)
    service = PagefindService(binary, "ar", "shard 0")
    service.ask_bundle()
    assert service.finish() == [("fragment/a.pf_fragment", bytes(range(256)) * 2048)]


def test_fingerprinting_leaves_the_articles_text_as_it_was() -> None:
    """A page's fingerprint pickles the titles and summaries it reads: that must not leave
    each of those strings holding a second copy of its text (CPython keeps the UTF-8 that
    pickle's binary protocols ask a str for inside the str, for as long as it lives)."""
    import sys

    from sitegen.incremental.pages import pickled

    title = "".join(["خبر عاجل ", "عن الاقتصاد"])  # made at run time, as a loaded title is
    size = sys.getsizeof(title)
    assert pickled({"title": title, "tags": [title]}) != pickled({"title": title + "!", "tags": [title]})
    assert sys.getsizeof(title) == size
