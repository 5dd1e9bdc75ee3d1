"""The load and link stages' fast paths give what the straightforward code gives:
front matter read without PyYAML's constructor == yaml.load, related-by-tags ranking ==
scoring every candidate, load_site from a file list or through the build cache == reading."""

from __future__ import annotations

import bisect
import datetime
import math
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import frontmatter, load, yaml_subset
from sitegen.incremental import memo
from sitegen.incremental.store import BuildCache, scan, scan_inputs
from sitegen.config import Config, load_config
from sitegen.errors import BuildError
from sitegen.links import WINDOW, related_by_tags, tag_key
from sitegen.load import load_site, sort_key
from sitegen.model import Article, Site


def _typed(value: Any) -> Any:
    """`value` with every type spelled out, so that True ≠ 1 and '1' ≠ 1 when compared."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, value)


def _yaml(block: str) -> Any:
    try:
        return ("ok", _typed(yaml.load(block, Loader=yaml.CSafeLoader)))
    except (yaml.YAMLError, ValueError) as e:
        return ("error", type(e).__name__)


def _same_as_yaml(block: str) -> bool:
    """The fast path either declines the block or reads it exactly as yaml.load does."""
    fast = yaml_subset.read(block)
    return fast is None or ("ok", _typed(fast)) == _yaml(block)


# --- front matter --------------------------------------------------------------------------

# Text with YAML's special characters, Arabic, digits, odd spaces and breaks, often.
_CHARS = st.sampled_from(list("ab ترامب 019-:#'\"?,[]{}&*!|>%@`~.<=+_\t\\\r\u0085\u2028\u00a0\ufeff\u200f\x7fyYnNoOtTfF"))
_TEXT = st.text(_CHARS, max_size=12) | st.sampled_from(
    ["yes", "No", "ON", "off", "null", "~", "true", "1", "-1", "0x1F", "1:30", "1e3", ".5", "2024-07-29",
     "2026-13-01", "2024-07-29 10:00:00", "<<", "=", "a: b", "a:b", "a #b", "a#b", "'q'", '"q"', "'it''s'",
     "[]", "{}", "[a]", "-", "- a", "--- a", "...", "| x", "> x", "& a", "* a", "! a", "%x", "@x", "`x`", ""])
_KEYS = st.sampled_from(["title", "slug", "tags", "date", "read_also", "related", "seed", "file",
                         "true", "null", "on", "y", "n", "x1", "_k"])


@st.composite
def _blocks(draw: st.DrawFn) -> str:
    """Front matter blocks near the fast path's subset: pairs, lists, nested mappings, with
    random values, indents and the occasional stray line."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        key = draw(_KEYS)
        shape = draw(st.sampled_from(["scalar", "list", "maplist", "map", "empty", "raw"]))
        if shape == "scalar":
            lines.append(f"{key}:{draw(st.sampled_from([' ', '  ', '']))}{draw(_TEXT)}{draw(st.sampled_from(['', ' ']))}")
        elif shape in ("list", "maplist", "map"):
            lines.append(f"{key}:")
            indent = " " * draw(st.sampled_from([0, 0, 2, 4]))
            for _ in range(draw(st.integers(0, 3))):
                if shape == "list":
                    lines.append(f"{indent}- {draw(_TEXT)}")
                elif shape == "maplist":
                    lines.append(f"{indent}- {draw(_KEYS)}: {draw(_TEXT)}")
                    lines += [f"{indent}{draw(st.sampled_from(['  ', '   ', ' ']))}{draw(_KEYS)}: {draw(_TEXT)}"
                              for _ in range(draw(st.integers(0, 2)))]
                else:
                    lines.append(f"{indent or '  '}{draw(_KEYS)}: {draw(_TEXT)}")
        elif shape == "empty":
            lines.append(f"{key}:")
        else:
            lines.append(draw(_TEXT))
    return "\n".join(lines)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_blocks())
def test_simple_front_matter_reads_as_yaml_load(block: str) -> None:
    assert _same_as_yaml(block)


_META = st.dictionaries(
    st.sampled_from(["title", "slug", "date", "tags", "related", "seed", "draft", "summary"]),
    st.recursive(st.none() | st.booleans() | st.integers() | st.dates() | st.text(max_size=20)
                 | st.sampled_from(["1", "yes", "2024-01-02", "a: b", "- x", "'q'"]),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["title", "slug"]), inner, max_size=2),
                 max_leaves=6),
    max_size=6)


@settings(max_examples=1500, deadline=None)
@given(_META)
def test_front_matter_as_written_by_dump_reads_as_yaml_load(meta: dict[str, Any]) -> None:
    block, _body, _line = frontmatter.split(frontmatter.dump(meta, "نص."), "x.md")
    assert _same_as_yaml(block)


def test_the_fast_path_reads_importer_front_matter_and_declines_the_rest() -> None:
    block = ("title: خطة ترامب 2\nslug: article-00001\ndate: 2024-07-29\ndraft: false\ntags:\n- اجتذب\n"
             "- '1'\nread_also: []\nrelated:\n- title: عنوان:آخر\n  slug: article-00794\nseed:\n"
             "  file: seeds/a.txt\n  part: 1")
    meta = yaml_subset.read(block)
    assert meta == yaml.load(block, Loader=yaml.CSafeLoader) is not None
    assert meta is not None and meta["date"] == datetime.date(2024, 7, 29) and meta["tags"] == ["اجتذب", "1"]
    for declined in ("title: a # comment", "title: a\n\nslug: b", "title: &x a", "title: |\n  a",
                     "tags: [a, b]", "title: a\n  b", "title: \"a\\tb\"", "title: 2026-13-01", "1: a"):
        assert yaml_subset.read(declined) is None, declined


# --- related by tags -------------------------------------------------------------------------

def _reference_related(site: Site, explicit: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """Every candidate of every tag window scored, summed in the tags' order, sorted."""
    articles = site.articles
    postings: dict[str, list[int]] = defaultdict(list)
    keys = []
    for i, a in enumerate(articles):
        ks = list(dict.fromkeys(tag_key(t) for t in a.tags))
        keys.append(ks)
        for k in ks:
            postings[k].append(i)
    weight = {k: math.log(1 + len(articles) / len(p)) for k, p in postings.items()}
    out = {}
    for i, a in enumerate(articles):
        taken = explicit.get(a.slug, set())
        need = site.config.related_min - len(taken)
        if need <= 0 or not keys[i]:
            continue
        scores: dict[int, float] = {}
        for k in keys[i]:
            posting = postings[k]
            at = bisect.bisect_left(posting, i)
            lo = max(0, min(at - WINDOW // 2, len(posting) - WINDOW))
            for j in posting[lo:lo + WINDOW]:
                if j != i and articles[j].slug not in taken:
                    scores[j] = scores.get(j, 0.0) + weight[k]
        ranked = sorted(scores, key=lambda j: (-round(scores[j], 9), j))[:need]
        if ranked:
            out[a.slug] = tuple(articles[j].slug for j in ranked)
    return out


@st.composite
def _tagged_sites(draw: st.DrawFn) -> tuple[Site, dict[str, set[str]]]:
    n = draw(st.integers(1, 700))
    seed = draw(st.integers(0, 2**32))
    import random

    rng = random.Random(seed)
    vocabulary = [f"وسم{t}" for t in range(draw(st.integers(1, 40)))]
    weights = [1 / (r + 1) for r in range(len(vocabulary))]
    arts = [Article(path=f"content/a{i}.md", slug=f"a{i:04d}", title=f"t{i}", body="", body_line=1,
                    date=datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(40)) if rng.random() < 0.9 else None,
                    tags=tuple(dict.fromkeys(rng.choices(vocabulary, weights=weights, k=rng.randint(0, 6)))))
            for i in range(n)]
    arts.sort(key=sort_key)
    site = Site(Config(root=Path("/nowhere"), related_min=draw(st.integers(1, 6))), tuple(arts),
                {a.slug: a for a in arts})
    explicit = {a.slug: set(rng.sample([b.slug for b in arts], min(n, rng.randint(0, 3)))) for a in arts
                if rng.random() < 0.3}
    return site, explicit


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tagged_sites())
def test_related_by_tags_is_the_reference_ranking(case: tuple[Site, dict[str, set[str]]]) -> None:
    site, explicit = case
    assert related_by_tags(site, explicit) == _reference_related(site, explicit)


# --- load_site ---------------------------------------------------------------------------------

def test_load_site_from_a_file_list_and_through_the_cache_is_load_site_reading(
        make_site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"content/{name}.md": f"---\ntitle: عنوان {n}\ndate: 2024-01-{n % 28 + 1:02d}\ntags: [أ, ب]\n---\n\nنص {n}.\n"
             for n, name in enumerate(["b", "a-c", "a/b", "a/a", "A", "z/y/x", "draft"])}
    files["content/draft.md"] = "---\ntitle: مسودة\ndraft: true\n---\n\nنص.\n"
    files["content/notes.txt"] = "not an article"
    root = make_site(files)
    config = load_config(root / "config.toml")
    plain = load_site(config)
    listed = sorted(scan(config.content_dir), reverse=True)  # any order: load_site sorts
    assert load_site(config, files=listed) == plain
    read: list[str] = []
    real_read_text = load.read_text
    monkeypatch.setattr(load, "read_text", lambda name, rel: read.append(name) or real_read_text(name, rel))
    # Stats written long ago (not racy), so that the cache may trust them.
    for path in config.content_dir.rglob("*"):
        os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    store = BuildCache.open(config, "key")

    def cached() -> Any:
        read.clear()
        return memo.cached_load(config, False, store, scan_inputs(config))

    # Through the cache, articles come without their body (the Markdown stage reads it):
    # the same but for that, body digest and line included.
    bodiless = tuple(a.__class__(**{**a.__dict__, "body": ""}) for a in plain.articles)
    first = cached()
    assert first.articles == bodiless and len(read) == 7
    # Nothing read: articles from the cache.
    again = cached()
    assert read == []
    assert again.articles == bodiless
    assert {a.body_digest for a in again.articles} == {a.body_digest for a in plain.articles} != {""}
    # A body edited: that file alone is read, and its article is the one a full load gives.
    (root / "content/b.md").write_text(files["content/b.md"] + "\nفقرة.\n", encoding="utf-8")
    edited = cached()
    assert read == [str(root / "content/b.md")]
    full = load_site(config)
    assert [a.body_digest for a in edited.articles] == [a.body_digest for a in full.articles]
    assert edited.by_slug[full.articles[0].slug] is not None
    assert edited.articles == tuple(a.__class__(**{**a.__dict__, "body": ""}) for a in full.articles)


def test_two_files_wanting_one_url_are_reported_in_file_order_from_a_list(make_site: Any) -> None:
    root = make_site({f"content/{name}.md": "---\ntitle: عنوان\nslug: x\n---\n\nنص.\n"
                      for name in ("a-c", "a/b", "a.b", "ab")})
    config = load_config(root / "config.toml")
    messages = []
    for files in (None, sorted(scan(config.content_dir))):
        with pytest.raises(BuildError) as e:
            load_site(config, files=files)
        messages.append([str(x) for x in e.value.errors])
    assert messages[0] == messages[1] and "content/a/b.md and content/a-c.md" in messages[0][0]
