"""`sitegen new`: a content file with front matter ready to edit, never overwriting one."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.frontmatter import parse


def _new(root: Path, *args: str) -> int:
    return main(["new", "-q", "-C", str(root / "config.toml"), *args])


def _read(path: Path) -> dict:
    return parse(path.read_text(encoding="utf-8"), path).meta


def test_new_writes_front_matter_ready_to_edit(make_site, capsys) -> None:
    root = make_site({})
    assert _new(root, "عنوان المقال", "--date", "2026-11-20") == 0
    path = root / "content" / "عنوان-المقال.md"
    assert capsys.readouterr().out.strip() == str(path)
    meta = _read(path)
    assert meta == {"title": "عنوان المقال", "slug": "عنوان-المقال",
                    "date": datetime.date(2026, 11, 20), "tags": [], "summary": ""}
    # Keys in the order an editor fills them in, Arabic written as Arabic (not \u escapes).
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: عنوان المقال\nslug: عنوان-المقال\ndate: 2026-11-20\n")


def test_new_dates_today_by_default(make_site) -> None:
    root = make_site({})
    before = datetime.date.today()
    assert _new(root, "خبر اليوم") == 0
    assert _read(root / "content" / "خبر-اليوم.md")["date"] in {before, datetime.date.today()}


def test_new_refuses_to_overwrite(make_site, capsys) -> None:
    root = make_site({"content/عنوان-المقال.md": "---\ntitle: قديم\n---\n\nنص كتبه محرر.\n"})
    before = (root / "content" / "عنوان-المقال.md").read_bytes()
    assert _new(root, "عنوان المقال") == 1
    err = capsys.readouterr().err
    assert "content/عنوان-المقال.md" in err and "already exists" in err
    assert (root / "content" / "عنوان-المقال.md").read_bytes() == before


def test_new_long_title_slug_cut_at_a_word(make_site) -> None:
    root = make_site({})
    title = ("ترامب يطلق منصة تروث سوشيال Truth Social للتواصل الاجتماعي بعد حظره من تويتر "
             "وفيسبوك ويوتيوب إثر أحداث الكابيتول")
    assert _new(root, title) == 0
    (path,) = (root / "content").glob("*.md")
    slug = _read(path)["slug"]
    assert path.name == f"{slug}.md"
    assert len(slug) <= 80
    assert slug.startswith("ترامب-يطلق-منصة-تروث-سوشيال-truth-social-")
    # Cut at a word: every part of the slug is a whole word of the title.
    words = {w.lower() for w in title.split()}
    assert all(part in words for part in slug.split("-"))
    assert _read(path)["title"] == title


def test_new_translit_gives_ascii_slug(make_site) -> None:
    root = make_site({"config.toml": 'base_url = "https://example.org/"\nslug_style = "translit"\n'})
    assert _new(root, "عنوان المقال") == 0
    (path,) = (root / "content").glob("*.md")
    slug = _read(path)["slug"]
    assert slug and slug.isascii() and path.name == f"{slug}.md"
    assert _read(path)["title"] == "عنوان المقال"


def test_new_with_slug_and_draft(make_site) -> None:
    root = make_site({})
    assert _new(root, "عنوان المقال", "--slug", "مقالي الأول", "--draft") == 0
    meta = _read(root / "content" / "مقالي-الأول.md")
    assert meta["slug"] == "مقالي-الأول" and meta["draft"] is True


@pytest.mark.parametrize("args, code, message", [
    (["   "], 1, "title is empty"),
    (["!!!"], 1, "--slug"),
    (["عنوان", "--slug", "///"], 1, "no letters or digits"),
    (["عنوان", "--date", "20 نوفمبر"], 2, "YYYY-MM-DD"),
])
def test_new_bad_input_is_a_clear_error(make_site, capsys, args, code, message) -> None:
    root = make_site({})
    assert _new(root, *args) == code
    assert message in capsys.readouterr().err
    assert not (root / "content").exists() or not any((root / "content").iterdir())


def test_new_file_loads_as_an_article(make_site) -> None:
    load = pytest.importorskip("sitegen.load")
    root = make_site({})
    assert _new(root, "عنوان المقال", "--date", "2026-11-20") == 0
    path = root / "content" / "عنوان-المقال.md"
    article = load.parse_article(path.read_text(encoding="utf-8"), "content/عنوان-المقال.md")
    assert article.slug == "عنوان-المقال" and article.title == "عنوان المقال"
    assert article.date == datetime.date(2026, 11, 20)
