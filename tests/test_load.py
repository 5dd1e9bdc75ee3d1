"""Loading content/: front matter → Article, every error collected with file:line."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Callable

import pytest

from sitegen.config import load_config
from sitegen.errors import BuildError, SourceError
from sitegen.load import load_site, parse_article

MakeSite = Callable[[dict[str, str]], Path]


def test_importer_keys_are_read() -> None:
    a = parse_article(
        "---\ntitle: خطة ترامب\ntitle_inferred: true\nslug: خطة\ndate: 2026-11-21\nsource: صدى البلد\n"
        "tags:\n- تروث سوشيال\n- تروث سوشيال\nread_also:\n- ب\nrelated:\n- title: عنوان\n  slug: null\n"
        "summary: ملخص.\nseed:\n  file: seeds/x.txt\n  part: 1\n---\n\nنص.\n", "content/x.md")
    assert (a.title, a.slug, a.date, a.source) == ("خطة ترامب", "خطة", datetime.date(2026, 11, 21), "صدى البلد")
    assert a.tags == ("تروث سوشيال",) and a.read_also == ("ب",)
    assert a.related[0].title == "عنوان" and a.related[0].slug is None
    assert a.title_inferred and a.seed == "seeds/x.txt" and a.summary == "ملخص."
    assert a.body == "نص.\n" and a.body_line == 21


@pytest.mark.parametrize("style, slug", [("unicode", "إيلون-ماسك-في-الصين"), ("translit", "ilun-mask-fi-al-sin")])
def test_missing_slug_is_made_from_the_title(style: str, slug: str) -> None:
    a = parse_article("---\ntitle: إيلون ماسك في الصين!\n---\nنص\n", "content/x.md", style)
    assert a.slug == slug


def test_hand_written_article_needs_only_a_title() -> None:
    a = parse_article("---\ntitle: Hello world\nlang: en\ndir: ltr\ndraft: true\n---\nText.\n", "content/en.md")
    assert (a.slug, a.lang, a.dir, a.draft, a.date, a.tags) == ("hello-world", "en", "ltr", True, None, ())


@pytest.mark.parametrize("meta, line, words", [
    ("summary: x", 1, "title: every article needs"),
    ("title: أ\ndate: أمس", 3, "date: 'أمس' is not a date"),
    ("title: أ\ntags: {a: 1}", 3, "tags: must be a list"),
    ("title: أ\nslug: a/b", 3, "cannot be a URL segment"),
    ("title: أ\ndir: up", 3, "dir: must be rtl, ltr or auto"),
])
def test_bad_values_name_the_line(meta: str, line: int, words: str) -> None:
    with pytest.raises(SourceError) as e:
        parse_article(f"---\n{meta}\n---\nنص\n", "content/x.md")
    assert str(e.value).startswith(f"content/x.md:{line}: load: ")
    assert words in str(e.value)


def test_every_bad_file_is_reported_at_once(make_site: MakeSite) -> None:
    root = make_site({
        "content/good.md": "---\ntitle: جيد\n---\nنص\n",
        "content/bad1.md": "---\ntitle: [\n---\nنص\n",
        "content/bad2.md": "no front matter\n",
        "content/sub/bad3.md": "---\ntitle: أ\ndate: 2026-13-01\n---\n",
    })
    (root / "content/bad4.md").write_bytes(b"---\ntitle: \xff\n---\n")
    with pytest.raises(BuildError) as e:
        load_site(load_config(root / "config.toml"))
    lines = str(e.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "content/bad1.md", "content/bad2.md", "content/bad4.md", "content/sub/bad3.md"]
    assert lines[1] == "content/bad2.md:1: front matter: no front matter: the file must start with a '---' line"
    assert lines[2] == "content/bad4.md: byte 11: load: not UTF-8 text"
    assert lines[3].startswith("content/sub/bad3.md:3: front matter: not a valid date")


def test_site_order_is_newest_first_then_undated_by_slug(make_site: MakeSite) -> None:
    root = make_site({
        "content/1.md": "---\ntitle: قديم\nslug: old\ndate: 2020-01-01\n---\n",
        "content/2.md": "---\ntitle: بلا تاريخ ب\nslug: z-undated\n---\n",
        "content/3.md": "---\ntitle: جديد\nslug: new\ndate: 2026-01-01\n---\n",
        "content/4.md": "---\ntitle: بلا تاريخ أ\nslug: a-undated\n---\n",
    })
    site = load_site(load_config(root / "config.toml"))
    assert [a.slug for a in site.articles] == ["new", "old", "a-undated", "z-undated"]


def test_unknown_front_matter_keys_are_warnings_with_line_and_the_closest_key() -> None:
    a = parse_article("---\ntitle: عنوان\ntag: سياسة\nthumbnail: /static/a.jpg\nsumary: ملخص.\n---\nنص\n",
                      "content/x.md")
    assert a.tags == () and a.summary == ""  # ignored, not guessed
    assert a.warnings[0] == "content/x.md:3: front matter: unknown key 'tag' ignored (did you mean 'tags'?)"
    assert a.warnings[1].startswith("content/x.md:4: front matter: unknown key 'thumbnail' ignored (known keys: ")
    assert a.warnings[2] == "content/x.md:5: front matter: unknown key 'sumary' ignored (did you mean 'summary'?)"
    assert parse_article("---\ntitle: عنوان\ntags: [سياسة]\n---\nنص\n", "content/y.md").warnings == ()


def test_build_warns_of_unknown_keys_and_a_dead_body_link_in_every_build(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    from sitegen.cli import main

    root = make_site({"content/a.md": "---\ntitle: أ\nslug: a\ntag: سياسة\n---\n\n[ب](b-typo)\n",
                      "content/b.md": "---\ntitle: ب\nslug: b\n---\n\nنص.\n"})
    config = str(root / "config.toml")
    assert main(["build", "-C", config]) == 0
    err = capsys.readouterr().err
    assert "warning: content/a.md:4: front matter: unknown key 'tag' ignored (did you mean 'tags'?)" in err
    assert "warning: content/a.md:7: link: «b-typo» names no article" in err
    # Another file changed, a.md not: its warnings come from the cache, and a line added
    # above the link moves its warning.
    (root / "content/b.md").write_text("---\ntitle: ب ٢\nslug: b\n---\n\nنص.\n", encoding="utf-8")
    assert main(["build", "-C", config]) == 0
    assert "content/a.md:4: front matter: unknown key 'tag'" in capsys.readouterr().err
    (root / "content/a.md").write_text("---\ntitle: أ\nslug: a\ntag: سياسة\n---\n\nفقرة.\n\n[ب](b-typo)\n",
                                       encoding="utf-8")
    assert main(["build", "-C", config]) == 0
    assert "content/a.md:9: link: «b-typo» names no article" in capsys.readouterr().err
    assert main(["build", "--strict", "-C", config]) == 1


def test_a_source_error_survives_pickling_whole() -> None:
    """A worker process sends its errors back pickled: the default pickling of an exception
    calls its constructor with the message alone, which a SourceError refuses (and a
    process pool then waits forever for the result)."""
    import pickle

    from sitegen.errors import SourceError

    error = SourceError("content/x.md", "title: every article needs a non-empty title", line=3, stage="load")
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.path, again.line, again.offset, again.stage) == (
        "content/x.md:3: load: title: every article needs a non-empty title", "content/x.md", 3, None, "load")
