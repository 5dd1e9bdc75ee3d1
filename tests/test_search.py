"""The search stage: folded records whose words line up with the original spelling, the
Pagefind shards as deterministic Outputs, re-indexed only where an article changed, their
cache, the search page and the config switch.
What a reader sees in the browser is tested in tests/browser/test_search.py."""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path
from typing import Callable

import pytest

from sitegen import search
from sitegen.arabic import fold
from sitegen.cli import main
from sitegen.model import Article
from sitegen.search import SearchRecord, apply_spelling, fold_words, html_text

from conftest import tree

MakeSite = Callable[[dict[str, str]], Path]

# Every folding pair of tests/test_arabic.py; the issue names the first of each kind.
PAIRS = [
    ("الإیرانی", "الإيراني"),
    ("فی", "في"),
    ("۲۰۲۶", "2026"),
    ("أحمد", "احمد"),
    ("إيلون", "ايلون"),
    ("آذار", "اذار"),
    ("ٱلله", "الله"),
    ("مستشفى", "مستشفي"),
    ("ماسک", "ماسك"),
    ("مدرسة", "مدرسه"),
    ("محمّـــد", "محمد"),
    ("مُحَمَّدٌ", "محمد"),
    ("٢٠٢١", "2021"),
    ("تروث\u200fسوشيال", "تروثسوشيال"),
    ("Truth", "truth"),
]


def record(title: str, body_html: str) -> SearchRecord:
    return SearchRecord.of(Article(path="content/x.md", slug="x", title=title, body="", body_line=1), body_html)


@pytest.mark.parametrize("written, queried", PAIRS + [(b, a) for a, b in PAIRS])
def test_every_folding_pair_matches_between_index_and_query(written: str, queried: str) -> None:
    """A word as an article spells it is indexed as the key the page folds the query to."""
    r = record("عنوان", f"<p>قبل {written} بعد</p>")
    assert fold(queried) in r.indexed
    assert r.shown[r.indexed.index(fold(queried))] == written


TRICKY = ("أَحْمَدُ ـ مُحَمَّـــد ﷺ قال: «تروث\u200fسوشيال» في ۲۰۲۶\u00a0و٢٠٢١ ﻻ الإیرانی ً "
          "Truth\u2066Social\u2069 ــ ماسک.")


def test_words_line_up_one_to_one() -> None:
    indexed, shown = fold_words(TRICKY)
    assert len(indexed) == len(shown)
    assert all(w and " " not in w for w in indexed)
    # Each shown word folds to its indexed word; an original word folding into several
    # (ﷺ → صلى الله عليه وسلم) shows once, then '' for the rest.
    i = 0
    while i < len(shown):
        n = 1
        while i + n < len(shown) and shown[i + n] == "":
            n += 1
        assert fold(shown[i]) == " ".join(indexed[i:i + n])
        i += n
    # A lone tatweel or tanween folds to nothing: it stays with the word before, never a word.
    assert "ـ" not in indexed and "مُحَمَّـــد ﷺ" not in shown
    assert any(s.endswith(" ـ") for s in shown) and any(s.endswith(" ً") for s in shown)
    assert " ".join(s for s in shown if s).split() == TRICKY.split()


def test_a_leading_word_that_folds_to_nothing_goes_with_the_next() -> None:
    indexed, shown = fold_words("ـ خبر")
    assert indexed == ["خبر"] and shown == ["ـ خبر"]


def test_html_text_keeps_block_boundaries_and_drops_tags() -> None:
    text = html_text("<h2>عنوان</h2><p>فقرة <b>أولى</b>&amp; <a href='x'>رابط</a></p><ul><li>أ</li><li>ب</li></ul>"
                     "<p>كلمة<sup>1</sup></p><script>var x = 1;</script>")
    assert text.split() == ["عنوان", "فقرة", "أولى&", "رابط", "أ", "ب", "كلمة", "1"]


def pagefind_content(r: SearchRecord) -> str:
    """The content Pagefind gives for record `r`: its folded words, each block (the title,
    the body) ended with a full stop of Pagefind's own."""
    head = " ".join(r.indexed[:r.title_words])
    body = " ".join(r.indexed[r.title_words:])
    return f"{head}. {body}."


def test_the_indexed_page_carries_folded_words_once_and_the_spelling_beside_it() -> None:
    r = record("نواب يتهمون إیلون ماسک", "<p>قال «إيلون ماسك» إن</p>")
    html = r.html("shard-0/spelling/x.json")
    assert "<h1>نواب يتهمون ايلون ماسك</h1>" in html
    assert "<p>قال «ايلون ماسك» ان</p>" in html
    assert 'data-pagefind-meta="spelling[content]" content="shard-0/spelling/x.json"' in html
    # The original words are not in the page Pagefind indexes (it would index them too) …
    assert "إيلون" not in html.replace(r.title, "")
    # … but in the spelling file, which gives them back from Pagefind's content.
    assert apply_spelling(pagefind_content(r), r.spelling()) == [
        "نواب", "يتهمون", "إیلون", "ماسک", "قال", "«إيلون", "ماسك»", "إن"]


def test_the_spelling_file_lists_only_the_words_that_differ() -> None:
    r = record("خبر عاجل", "<p>" + " ".join(["قال", "المتحدث", "إن", "الوضع", "هادئ"] * 20) + "</p>")
    patch = json.loads(gzip.decompress(r.spelling()))["patch"]
    # إن (20 times) differs from its folded form; the rest is written as runs, plus the last
    # word of the title and of the body, which Pagefind ends with a full stop.
    assert patch[1::2] == ["عاجل"] + ["إن"] * 20 + ["هادئ"]
    assert apply_spelling(pagefind_content(r), r.spelling()) == list(r.shown)


@pytest.mark.parametrize("text", [TRICKY, "ـ خبر", "ﷺ", "كلمة"])
def test_the_spelling_gives_back_every_shown_word(text: str) -> None:
    r = record(text, f"<p>{text}</p>")
    assert apply_spelling(pagefind_content(r), r.spelling()) == list(r.shown)


# --- the bundle ---------------------------------------------------------------------------------
def fragments(public: Path) -> list[dict[str, object]]:
    """Every Pagefind fragment (one per article, in any shard) of a built site, decoded."""
    out = []
    for path in sorted((public / "pagefind").glob("shard-*/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        frag = json.loads(data[len(b"pagefind_dcd"):])
        frag["shard"] = path.parent.parent.name
        out.append(frag)
    return out


def spelled(public: Path, frag: dict[str, object]) -> list[str]:
    """The words the search page shows for fragment `frag`."""
    meta = frag["meta"]
    assert isinstance(meta, dict)
    return apply_spelling(str(frag["content"]), (public / "pagefind" / meta["spelling"]).read_bytes())


def test_the_seeds_bundle_has_one_record_per_article_whose_words_line_up(seeds_site: Path) -> None:
    public = seeds_site / "public"
    frags = fragments(public)
    articles = sorted((public / "articles").iterdir())
    assert len(frags) == len(articles) == 3
    for frag in frags:
        words = spelled(public, frag)
        # Pagefind's word positions (the excerpt's anchor) are positions in this list.
        assert frag["word_count"] == len(words) == len(str(frag["content"]).split())
        assert str(frag["url"]).startswith("/articles/")
        meta = frag["meta"]
        assert isinstance(meta, dict) and "date" not in meta  # the seeds are undated
        assert " ".join(w for w in words if w).startswith(str(meta["title"]))
    titles = {frag["meta"]["title"] for frag in frags}  # type: ignore[index]
    assert any(t.startswith("نواب ديموقراطيون يتهمون") for t in titles)
    assert {frag["meta"].get("source") for frag in frags} == {"الاقتصاد نيوز", "صدى البلد", None}  # type: ignore[attr-defined]


def test_the_folded_text_is_indexed_and_the_original_only_displayed(seeds_site: Path) -> None:
    public = seeds_site / "public"
    for frag in fragments(public):
        content = str(frag["content"])
        # No hamza on alef, no Persian letters, no Arabic-Indic digits in what is searched …
        assert not set("أإآیک٠١٢٣٤٥٦٧٨٩") & set(content)
        assert "words" not in frag["meta"]  # type: ignore[operator]
        # … while the words shown keep the article's spelling.
        assert any(c in "أإآ" for c in "".join(spelled(public, frag)))


def test_the_bundle_holds_what_the_search_page_loads_and_not_pagefinds_ui(seeds_site: Path) -> None:
    bundle = seeds_site / "public" / "pagefind"
    assert json.loads((bundle / "shards.json").read_text(encoding="utf-8")) == {"shards": ["shard-0/"]}
    shard = bundle / "shard-0"
    names = {p.relative_to(shard).as_posix() for p in shard.rglob("*") if p.is_file()}
    assert {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.ar.pagefind"} <= names
    assert not [n for n in names if n.startswith(("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui"))]
    entry = json.loads((shard / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["ar"] and entry["languages"]["ar"]["page_count"] == 3


def test_shard_counts_are_powers_of_two_that_keep_shards_small() -> None:
    assert [search.shard_count(n) for n in (0, 1, 250, 251, 1000, 1001, 10_000)] == [1, 1, 1, 2, 4, 8, 64]
    # A slug's shard does not depend on anything but the slug and the count.
    assert search.shard_of("خبر-عاجل", 64) == search.shard_of("خبر-عاجل", 64) < 64


def copy_built_project(src: Path, dest: Path) -> Path:
    """The seeds' project (config, content, themes) without its output or cache."""
    dest.mkdir()
    for name in ("content", "themes"):
        shutil.copytree(src / name, dest / name)
    shutil.copy(src / "config.toml", dest / "config.toml")
    return dest


def test_two_cold_builds_give_byte_identical_search_files(seeds_site: Path, tmp_path: Path) -> None:
    a = copy_built_project(seeds_site, tmp_path / "a")
    b = copy_built_project(seeds_site, tmp_path / "b")
    for root in (a, b):
        assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    first, second = tree(a / "public"), tree(b / "public")
    assert [p for p in first if p.startswith("pagefind/")], "no search bundle"
    assert first == second


def counting_pagefind(monkeypatch: pytest.MonkeyPatch, gate: object = None) -> list[int]:
    """Count Pagefind runs (one per shard indexed); with `gate` (a threading.Event), each run
    after the first waits for it."""
    calls: list[int] = []
    real = search.start_pagefind

    def counting(*args: object) -> object:
        calls.append(1)
        if gate is not None and len(calls) > 1:  # the first build's bundle is made at once
            assert gate.wait(30), "Pagefind was waited for before the page was published"  # type: ignore[attr-defined]
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "start_pagefind", counting)
    return calls


def test_the_bundle_is_reused_until_an_article_changes(seeds_site: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_built_project(seeds_site, tmp_path / "site")
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    before = tree(root / "public" / "pagefind")
    calls = counting_pagefind(monkeypatch)
    # A template change re-renders pages but leaves every article's text as it was.
    base = root / "themes" / "digest" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<!-- x --></footer>"), encoding="utf-8")
    assert main(["build", "-q", "-C", config]) == 0
    assert calls == [] and tree(root / "public" / "pagefind") == before
    # A body edit is a new index, with the new word in it.
    md = next((root / "content").glob("*.md"))
    md.write_text(md.read_text(encoding="utf-8") + "\nكلمةجديدةفريدة\n", encoding="utf-8")
    assert main(["build", "-q", "-C", config]) == 0
    assert calls == [1]
    assert any(fold("كلمةجديدةفريدة") in str(f["content"]) for f in fragments(root / "public"))


def sharded_site(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, n: int = 12) -> Path:
    """A site of `n` articles split into shards of about two articles."""
    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    files = {"config.toml": 'base_url = "https://example.org/"\n'}
    for i in range(n):
        files[f"content/a{i}.md"] = (f"---\ntitle: خبر رقم {i}\nslug: a{i}\ndate: 2026-01-{i + 1:02d}\n---\n"
                                     f"نص الخبر {i} عن الأمطار في المدينة.\n")
    return make_site(files)


def test_each_article_is_in_one_shard_and_an_edit_re_indexes_only_its_shard(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from sitegen.build import verify_incremental
    from sitegen.config import load_config

    root = sharded_site(make_site, monkeypatch)
    config = str(root / "config.toml")
    calls = counting_pagefind(monkeypatch)
    assert main(["build", "-C", config]) == 0
    public = root / "public"
    shards = json.loads((public / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    n = len(shards)
    assert f"search: re-indexed {n} of {n} shards" in capsys.readouterr().err
    assert len(calls) == n and n > 3  # 8 shards of which some may hold no article
    frags = fragments(public)
    assert sorted(str(f["url"]) for f in frags) == sorted(f"/articles/a{i}/" for i in range(12))
    # Pagefind's JavaScript and WebAssembly are in the first shard only: the others are merged.
    assert [s for s in shards if (public / "pagefind" / s / "pagefind.js").exists()] == shards[:1]
    before = tree(public / "pagefind")
    md = root / "content" / "a5.md"
    md.write_text(md.read_text(encoding="utf-8").replace("الأمطار", "العاصفة الثلجية"), encoding="utf-8")
    calls.clear()
    assert main(["build", "-C", config]) == 0
    assert f"search: re-indexed 1 of {n} shards" in capsys.readouterr().err
    assert calls == [1]
    after = tree(public / "pagefind")
    shard = next(str(f["shard"]) for f in fragments(public) if f["url"] == "/articles/a5/")
    changed = {p.split("/")[0] for p in set(before) ^ set(after)}
    changed |= {p.split("/")[0] for p in set(before) & set(after) if before[p] != after[p]}
    assert changed == {shard}
    assert any(fold("الثلجية") in str(f["content"]) for f in fragments(public) if f["url"] == "/articles/a5/")
    _report, diffs = verify_incremental(load_config(root / "config.toml"))
    assert diffs == []


def test_progress_is_shown_on_a_terminal_only(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = sharded_site(make_site, monkeypatch, n=6)
    assert main(["build", "-C", str(root / "config.toml")]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "indexed shard" not in err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    (root / "content" / "a0.md").write_text("---\ntitle: خبر جديد\nslug: a0\n---\nنص.\n", encoding="utf-8")
    assert main(["build", "-C", str(root / "config.toml")]) == 0
    assert "\rsearch: indexed shard 1 of 1" in capsys.readouterr().err


def test_search_false_builds_no_index_page_or_box(make_site: MakeSite) -> None:
    root = make_site({"config.toml": 'base_url = "https://example.org/"\nsearch = false\n',
                      "content/a.md": "---\ntitle: خبر\n---\nنص.\n"})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    public = root / "public"
    assert not (public / "pagefind").exists() and not (public / "search").exists()
    assert 'role="search"' not in (public / "index.html").read_text(encoding="utf-8")


def test_search_page_and_box_under_a_sub_path(make_site: MakeSite) -> None:
    root = make_site({"config.toml": 'base_url = "https://example.org/digest/"\n',
                      "content/a.md": "---\ntitle: خبر\n---\nنص.\n"})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    public = root / "public"
    home = (public / "index.html").read_text(encoding="utf-8")
    assert 'action="/digest/search/" method="get"' in home and 'name="q"' in home
    page = (public / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-pagefind="/digest/pagefind/"' in page and 'data-base="/digest/"' in page
    assert '<meta name="robots" content="noindex">' in page
    assert page.count('role="search"') == 1  # the page's own form replaces the masthead's
    assert (public / "pagefind" / "shard-0" / "pagefind.js").exists()


def test_a_missing_pagefind_binary_fails_the_build_and_leaves_public_unchanged(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/a.md": "---\ntitle: خبر\n---\nنص.\n",
                      "config.toml": 'base_url = "https://example.org/"\nsearch = false\n'})
    config = str(root / "config.toml")
    assert main(["build", "-q", "-C", config]) == 0
    before = tree(root / "public")
    (root / "config.toml").write_text('base_url = "https://example.org/"\n', encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(root / "no-such-pagefind"))
    capsys.readouterr()
    assert main(["build", "-q", "-C", config]) == 1
    assert "search: cannot start Pagefind" in capsys.readouterr().err
    assert tree(root / "public") == before



def test_serve_publishes_an_edit_before_pagefind_and_the_index_catches_up(
        seeds_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In `sitegen serve`, a save shows the new page while Pagefind has not even finished;
    the previous bundle stays until the new one is swapped in, without reloading the page."""
    import http.client
    import re
    import threading
    import time
    from urllib.parse import quote

    from sitegen.config import load_config
    from sitegen.serve import dev_server
    from sitegen.serve.server import serve_output_dir

    root = copy_built_project(seeds_site, tmp_path / "site")
    config = load_config(root / "config.toml")
    gate = threading.Event()
    calls = counting_pagefind(monkeypatch, gate)

    def get(server: object, path: str) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)  # type: ignore[attr-defined]
        try:
            conn.request("GET", quote(path))
            resp = conn.getresponse()
            assert resp.status == 200
            return resp.read().decode("utf-8")
        finally:
            conn.close()

    word = "كلمةجديدةفريدة"
    with dev_server(config, port=0) as server:
        server.idle = 0.2
        server.start()
        out = serve_output_dir(config)
        before = tree(out / "pagefind")
        assert before and calls == [1]
        md = sorted((root / "content").glob("*.md"))[0]
        slug = re.search(r"^slug: (.+)$", md.read_text(encoding="utf-8"), re.M)
        assert slug
        md.write_text(md.read_text(encoding="utf-8") + f"\n{word}\n", encoding="utf-8")
        server.notify([md])
        assert word in get(server, f"/articles/{slug.group(1).strip()}/")
        assert tree(out / "pagefind") == before, "the previous bundle stays while Pagefind runs"
        version = server.state.version
        gate.set()
        deadline = time.monotonic() + 60
        while not any(fold(word) in str(f["content"]) for f in fragments(out)):
            assert time.monotonic() < deadline, "the search index never caught up"
            time.sleep(0.1)
        get(server, "/")  # waits for the build that swapped the bundle in to finish
        assert calls == [1, 1] and server.refreshes == 1
        # Browsers hear of it as a search-only change: article pages stay, a search page reloads.
        assert server.state.version == version + 1
        change = server.state.wait_change(server.state.token, version, 1.0)
        assert change is not None and change.kind == "search"


def test_serve_re_indexes_only_the_edited_articles_shard_and_says_so(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import logging
    import time

    from sitegen.config import load_config
    from sitegen.serve import dev_server
    from sitegen.serve.server import serve_output_dir

    root = sharded_site(make_site, monkeypatch)
    config = load_config(root / "config.toml")
    calls = counting_pagefind(monkeypatch)
    caplog.set_level(logging.INFO, logger="sitegen")
    with dev_server(config, port=0) as server:
        server.idle = 0.2
        server.start()
        out = serve_output_dir(config)
        shards = len(calls)
        before = tree(out / "pagefind")
        calls.clear()
        md = root / "content" / "a3.md"
        md.write_text(md.read_text(encoding="utf-8").replace("الأمطار", "الفيضانات"), encoding="utf-8")
        server.notify([md])
        deadline = time.monotonic() + 60
        while server.refreshes < 1:
            assert time.monotonic() < deadline, "the search index never caught up"
            time.sleep(0.05)
        assert calls == [1]
        assert f"search: re-indexed 1 of {shards} shards" in caplog.text
        after = tree(out / "pagefind")
        changed = {p.split("/")[0] for p in set(before) | set(after) if before.get(p) != after.get(p)}
        assert len(changed) == 1 and changed <= {p.split("/")[0] for p in before}
        assert any(fold("الفيضانات") in str(f["content"]) for f in fragments(out) if f["url"] == "/articles/a3/")


def test_a_deferred_search_job_is_a_plain_value_that_runs_after_the_build(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev server's deferred search: the job pickles (it holds where the bodies' HTML
    is, not a handle on it), and run after the build's cache is saved, from its pickled
    copy, it indexes the edit, which the next build publishes."""
    import pickle

    from sitegen.build import BuildOptions, build, save_cache
    from sitegen.config import load_config

    root = sharded_site(make_site, monkeypatch)
    config = load_config(root / "config.toml")
    build(config)
    md = root / "content" / "a5.md"
    md.write_text(md.read_text(encoding="utf-8").replace("الأمطار", "العاصفة الثلجية"), encoding="utf-8")
    deferring = BuildOptions(defer_search=True, defer_save=True)
    report = build(config, deferring)
    assert report.search_job is not None and report.unsaved is not None
    job = pickle.loads(pickle.dumps(report.search_job))
    save_cache(report.unsaved)
    assert not any(fold("الثلجية") in str(f["content"]) for f in fragments(root / "public"))
    job.run()
    report = build(config, deferring)
    assert report.search_job is None and report.unsaved is not None
    save_cache(report.unsaved)
    assert any(fold("الثلجية") in str(f["content"]) for f in fragments(root / "public")
               if f["url"] == "/articles/a5/")
