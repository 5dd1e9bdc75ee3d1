"""Front matter: round trip, and errors that name the file and line."""

import datetime

import pytest

from sitegen import frontmatter
from sitegen.errors import SourceError


def test_round_trip_keeps_order_and_arabic() -> None:
    meta = {"title": "خطة ترامب", "slug": "خطة-ترامب", "date": datetime.date(2026, 11, 21),
            "tags": ["تروث سوشيال", "تويتر"], "related": [{"title": "عنوان", "slug": None}]}
    text = frontmatter.dump(meta, "فقرة أولى.\n\n## عنوان\n")
    assert text.startswith("---\ntitle: خطة ترامب\nslug: خطة-ترامب\ndate: 2026-11-21\n")
    parsed = frontmatter.parse(text, "content/a.md")
    assert parsed.meta == meta
    assert list(parsed.meta) == list(meta)
    assert parsed.body == "فقرة أولى.\n\n## عنوان\n"
    assert text.split("\n")[parsed.body_line - 1] == "فقرة أولى."


def test_bom_and_crlf_are_accepted() -> None:
    parsed = frontmatter.parse("\ufeff---\r\ntitle: ا\r\n---\r\nنص\r\n", "a.md")
    assert parsed.meta == {"title": "ا"} and parsed.body == "نص\n"


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("title: x\n", 1, "no front matter"),
        ("---\ntitle: x\n", 1, "not closed"),
        ("---\ntitle: x\ntags: [a, b\n---\nbody\n", 4, "invalid YAML"),
        ("---\ntitle: x\n  bad: indent\n---\n", 3, "invalid YAML"),
        ("---\n- a\n- b\n---\n", 2, "must be a mapping"),
    ],
)
def test_errors_name_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(SourceError) as info:
        frontmatter.parse(text, "content/x.md")
    assert str(info.value).startswith(f"content/x.md:{line}: front matter:")
    assert words in str(info.value)
