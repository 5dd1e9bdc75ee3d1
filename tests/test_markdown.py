"""Markdown bodies: extensions, Arabic heading anchors, links to other content files."""

from __future__ import annotations

from sitegen.markdown import MarkdownRenderer

from conftest import url_for

TARGETS = {"b": "b", "other": "b", "other.md": "b", "مقال": "مقال", "مقال.md": "مقال"}


def convert(text: str):  # type: ignore[no-untyped-def]
    return MarkdownRenderer().convert(text, TARGETS, url_for)


def test_headings_get_arabic_anchors_and_a_toc() -> None:
    body = convert("## ما هي منصة تروث سوشيال؟\n\nنص.\n\n### تفاصيل\n")
    assert '<h2 id="ما-هي-منصة-تروث-سوشيال">' in body.html
    assert body.toc == ((2, "ما-هي-منصة-تروث-سوشيال", "ما هي منصة تروث سوشيال؟"), (3, "تفاصيل", "تفاصيل"))


def test_tables_footnotes_attr_list_sane_lists() -> None:
    html = convert("| أ | ب |\n|---|---|\n| 1 | 2 |\n\nنص[^1].\n\n[^1]: حاشية.\n\n"
                   "فقرة\n{: .note }\n\n1. واحد\n\n* نقطة\n").html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="footnote"' in html and "حاشية." in html
    assert '<p class="note">فقرة</p>' in html
    assert "<ol>" in html and "<ul>" in html  # sane_lists: a new list type starts a new list


def test_links_to_content_files_become_article_urls() -> None:
    body = convert("[أ](other.md) [ب](b) [ج](مقال.md#قسم) [د](%D9%85%D9%82%D8%A7%D9%84.md) "
                   "[خارجي](https://example.com/x.md) [مرساة](#x) [مفقود](nothing.md)")
    assert body.html.count('href="/digest/articles/b/"') == 2
    assert 'href="/digest/articles/مقال/#قسم"' in body.html
    assert 'href="/digest/articles/مقال/"' in body.html
    assert 'href="https://example.com/x.md"' in body.html and 'href="#x"' in body.html
    assert body.links == ("b", "مقال")
    assert body.unresolved == ("nothing.md",)


def test_latin_runs_in_arabic_are_isolated() -> None:
    html = convert("أطلق ترامب منصة Truth Social التابعة لمجموعة TMTG.").html
    assert "<bdi>Truth Social</bdi>" in html and "<bdi>TMTG</bdi>" in html


def test_state_does_not_leak_between_documents() -> None:
    r = MarkdownRenderer()
    first = r.convert("## عنوان\n\nنص[^1].\n\n[^1]: حاشية أولى.\n\n[x](other.md)", TARGETS, url_for)
    second = r.convert("## عنوان\n\nنص.", TARGETS, url_for)
    assert "حاشية أولى" not in second.html and 'id="عنوان"' in second.html
    assert second.links == () and first.links == ("b",)


def test_raw_html_is_kept_and_text_is_escaped() -> None:
    html = convert("نص فيه 3 < 4 و & رمز <kbd>Ctrl</kbd>.").html
    assert "3 &lt; 4" in html and "&amp;" in html and "<kbd>Ctrl</kbd>" in html


def test_numeric_references_become_characters_so_digit_localisation_cannot_break_them() -> None:
    html = convert("نص[^1].\n\n[^1]: حاشية.").html
    assert "&#" not in html and "\u00a0" in html and "\u21a9" in html
    assert convert("a &#38; b &#60; &#x27;").html == "<p>a &amp; b &lt; &apos;</p>"


def test_root_relative_links_and_images_go_under_the_base_url_sub_path() -> None:
    text = ("![صورة](/static/a.jpg) [الوسوم](/tags/) [مضيف آخر](//cdn.example.org/x.js) "
            "[ب](b) [مرساة](#x)\n\n[مرجع]: /feed.xml\n\n[الخلاصة][مرجع]")
    body = MarkdownRenderer().convert(text, TARGETS, url_for, "/digest/")
    assert 'src="/digest/static/a.jpg"' in body.html
    assert 'href="/digest/tags/"' in body.html and 'href="/digest/feed.xml"' in body.html
    assert 'href="//cdn.example.org/x.js"' in body.html  # another host: left alone
    assert 'href="/digest/articles/b/"' in body.html and 'href="#x"' in body.html
    # A site at the root: nothing to add.
    assert 'src="/static/a.jpg"' in MarkdownRenderer().convert(text, TARGETS, url_for).html


def test_a_bare_name_that_names_no_article_is_unresolved_with_its_line() -> None:
    body = convert("فقرة.\n\n[أ](تقرير-مفقود) [ب](b) [ج](page.html) [د](../tags/x/) [هـ](mailto:a@b.c)\n\n"
                   "[و](nothing.md)")
    assert body.unresolved == ("تقرير-مفقود", "nothing.md")
    assert body.unresolved_lines == (3, 5)


def test_a_sub_path_build_serves_a_body_image_and_root_link(make_site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sitegen.cli import main

    root = make_site({"content/a.md": "---\ntitle: صورة\nslug: a\ntags: [مؤتمرات]\n---\n\n![صورة المؤتمر](/static/a.png)\n\n"
                                      "[كل الوسوم](/tags/)\n",
                      "static/a.png": "not really a png"})
    config, out = str(root / "config.toml"), str(tmp_path / "sub")
    assert main(["build", "-q", "-C", config, "--base-url", "https://example.org/digest/", "--out", out]) == 0
    html = (tmp_path / "sub/articles/a/index.html").read_text(encoding="utf-8")
    assert 'src="/digest/static/a.png"' in html and 'href="/digest/tags/"' in html
    assert main(["check", "-q", "-C", config, "--out", out, "--base-url", "https://example.org/digest/"]) == 0
