"""The Markdown stage's shortcuts change no byte.

`MarkdownRenderer()` skips work that cannot change the output: blocks no block processor but
the paragraph one can claim go straight to it, and text no inline pattern can match is marked
`AtomicString` so the inline pass leaves it alone. `MarkdownRenderer(fast_paths=False)` does
all the work; the two must give the same bodies. The bdi pass (`isolate_latin_html`) only
rewrites text nodes that may hold Latin, and maps entities back in pieces: it is checked
against the character-by-character version it replaced, kept here as the reference.
"""

from __future__ import annotations

import html
import sys
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitegen import frontmatter, i18n
from sitegen.arabic import LATIN_RUN
from sitegen.i18n import plain_references
from sitegen.markdown import MarkdownRenderer
from sitegen.markdown_shortcuts import _INLINE_NEEDS, _plain_block
from sitegen.model import Body

from conftest import ROOT, url_for

TARGETS = {"b": "b", "b.md": "b", "other.md": "b", "مقال": "مقال", "مقال.md": "مقال"}

FAST = MarkdownRenderer()
SLOW = MarkdownRenderer(fast_paths=False)


def convert_both(text: str) -> tuple[tuple[Body, dict[str, str | None]], tuple[Body, dict[str, str | None]]]:
    """(body, link lookups) of `text` with the shortcuts and without."""
    fast = FAST.convert(text, TARGETS, url_for), dict(FAST.rewriter.lookups)
    slow = SLOW.convert(text, TARGETS, url_for), dict(SLOW.rewriter.lookups)
    return fast, slow


def test_the_shortcuts_are_on_by_default_and_off_on_request() -> None:
    # Otherwise every comparison below would compare the slow path with itself.
    assert "sitegen_plain_text" in FAST.md.treeprocessors
    assert "sitegen_plain_paragraph" in FAST.md.parser.blockprocessors
    assert "sitegen_plain_text" not in SLOW.md.treeprocessors
    assert "sitegen_plain_paragraph" not in SLOW.md.parser.blockprocessors


# --- Hand-made samples: every inline and block construct the renderer knows ----------------
SAMPLES = [
    "نص *مائل* و _مائل_ و **عريض** و __عريض__ و ***كلاهما*** ونجمة وحيدة * هنا و _ هنا.",
    "a * b * c and 2 * 3 _ 4 __ 5 ** 6; snake_case_name and *unclosed and **unclosed",
    "روابط [أ](b.md) و [ب](other.md#قسم) و [ج][ref] و [د] و [ref] و <https://example.com/a?b=1&c=2> "
    "و <a@b.c> و [مفقود](nothing.md) و [خارجي](https://example.com/x.md)\n\n[ref]: b.md \"عنوان\"\n",
    "صورة ![بديل](/img/a.png \"عنوان\") و ![مرجع][img]\n\n[img]: /img/b.png\n",
    "رمز `code` و ``a ` b`` و \\`ليس رمزا\\` و \\\\`رمز بعد شرطتين`",
    "هروب \\* و \\_ و \\[ و \\\\ و \\# و \\{ و \\} و \\! و \\<",
    "HTML مضمن <b>عريض</b> و <span class=\"x\">Truth Social</span> و <!-- تعليق --> و <br/>",
    "<div>\nكتلة HTML خام فيها TMTG\n</div>\n\nفقرة بعدها.",
    "كيانات &amp; و &#160; و &copy; و &#x27; و &notanentity; و AT&T و & وحيدة و &#38;",
    "سطر أول ينتهي بمسافتين  \nسطر ثان  \nوثالث",
    "نص بحاشية[^1] وأخرى[^ب].\n\n[^1]: حاشية أولى مع Truth Social.\n[^ب]: حاشية ثانية.\n",
    "فقرة بصنف\n{: .note #p1 }\n\n## عنوان بمعرف {#custom-id}\n\n### عنوان مع Big Tech {: .x }\n",
    "| أ | ب |\n|---|:-:|\n| 1 | *2* |\n| Truth Social | `x|y` |\n\nجدول بلا حدود\n\nأ | ب\n--|--\n1 | 2\n",
    "1. واحد\n2. اثنان\n\n- نقطة\n- أخرى\n    - متداخلة\n\n* نجمة\n+ زائد\n\n3. يبدأ من ثلاثة\n",
    "١. رقم هندي\n٢. ثان\n\n10. عشرة",
    "- قائمة\n\n    فقرة داخل البند\n\n- بند ثان بـ Truth Social",
    "## عنوان فيه Truth Social و TMTG\n\nنص.\n\nعنوان ستكس\n===\n\nآخر\n---\n\n#عنوان بلا مسافة\n",
    "---\n\n***\n\n___\n\n- - -\n",
    "> اقتباس فيه *تأكيد*\n> وسطر ثان\n\n> > متداخل\n",
    "    كتلة شيفرة بمسافات\n    سطر ثان\n\nبعدها فقرة",
    "أطلق ترامب منصة Truth Social التابعة لمجموعة Trump Media & Technology Group (TMTG).",
    "مسافة\u00a0غير\u00a0فاصلة و Big\u00a0Tech و ١٢٣ و 2024.",
    "[TOC]\n\n## أ\n\n## أ\n\n## ب",
    "نص مع \x02 و \x03 تحكم، و wzxhzdk:0 و klzzwxh:1",
    "English paragraph with *emphasis*, a [link](b), and no Arabic at all.",
    "سطر\n   - مسافات ثم شرطة\n  > مسافتان ثم علامة\n # عنوان بمسافة",
    "",
    "\n\n\n",
    "   ",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_hand_made_samples_convert_the_same(text: str) -> None:
    fast, slow = convert_both(text)
    assert fast == slow


def _bodies(content: Path) -> list[str]:
    return [frontmatter.split(p.read_text(encoding="utf-8"), str(p))[1]
            for p in sorted(content.glob("*.md"))]


def test_the_seeds_bodies_convert_the_same() -> None:
    bodies = _bodies(ROOT / "content")
    assert bodies
    for text in bodies:
        fast, slow = convert_both(text)
        assert fast == slow


@pytest.fixture(scope="module")
def generated_bodies(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The bodies of a 40-article site from the benchmark's corpus generator."""
    sys.path.insert(0, str(ROOT / "bench"))  # as bench/run.py imports it
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    site = tmp_path_factory.mktemp("generated") / "site"
    generate(site, 40)
    bodies = _bodies(site / "content")
    assert len(bodies) == 40
    return bodies


def test_a_generated_corpus_converts_the_same(generated_bodies: list[str]) -> None:
    for text in generated_bodies:
        fast, slow = convert_both(text)
        assert fast == slow


# --- Random documents ----------------------------------------------------------------------
_PIECES = [
    # Arabic and Latin words, digits of both scripts, spaces of several kinds
    "منصة", "ترامب", "سوشيال", "الصين", "Truth", "Social", "TMTG", "Big Tech", "x", "A1",
    "12", "١٢", "3.", "٣.", " ", " ", " ", "  ", "    ", "\t", "\u00a0",
    # line structure
    "\n", "\n", "\n\n", "  \n", "\n    ", "\n   ",
    # every character an inline pattern or a block processor looks at
    *"\\`*_[]!<>&{}()#=-+|:.^~\"'/@",
    "\x02", "\x03",
    # whole constructs
    "*a*", "_a_", "**b**", "__b__", " * ", "`c`", "\\*", "\\\\", "[x](b.md)", "[x][r]", "[r]",
    "[r]: b.md", "[^1]", "[^1]: ", "![i](p.png)", "<https://e.com/a>", "<a@b.c>", "<b>", "</b>",
    "<!-- c -->", "&amp;", "&#160;", "&copy;", "AT&T", "{: .x}", "{#id}", "- ", "* ", "1. ",
    "١. ", "> ", "# ", "## ", "---", "===", "| a | b |", "|---|---|",
]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_random_documents_convert_the_same(text: str) -> None:
    fast, slow = convert_both(text)
    assert fast == slow


# --- The tables the shortcuts rest on, checked against the patterns themselves ----------------
_ANY_CHAR = st.sampled_from(["م", "ن", "a", "Z", "1", "١", " ", "\n", "\t", "\u00a0",
                             *"\\`*_[]!<>&{}()#=-+|:.^~\"'/@;", "\x02", "\x03"])
_SNIPPETS = st.lists(st.one_of(_ANY_CHAR, st.sampled_from(_PIECES)), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(_SNIPPETS)
def test_no_inline_pattern_matches_a_text_without_what_it_needs(text: str) -> None:
    for item in FAST.md.inlinePatterns._priority:
        pattern = FAST.md.inlinePatterns[item.name]
        needs = _INLINE_NEEDS[(item.name, type(pattern).__name__)]
        if not any(all(s in text for s in need) for need in needs):
            assert pattern.getCompiledRegExp().search(text) is None, item.name


@settings(max_examples=400, deadline=None)
@given(_SNIPPETS)
def test_no_block_processor_claims_a_block_the_shortcut_calls_plain(block: str) -> None:
    if not _plain_block(block):
        return
    parser = SLOW.md.parser
    for item in parser.blockprocessors._priority:
        processor = parser.blockprocessors[item.name]
        if item.name in ("footnote", "reference"):
            # They claim every block in `test` and put back in `run` what their RE does not match.
            assert processor.RE.search(block) is None, item.name
        elif item.name != "paragraph":
            assert not processor.test(etree.Element("div"), block), item.name


# --- isolate_latin_html against the version it replaced --------------------------------------
def _reference_wrap(raw: str) -> str:
    """The character-by-character `_wrap_runs_in_text_node` before the shortcut."""
    decoded: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in i18n._ENTITY.finditer(raw):
        for i in range(pos, m.start()):
            decoded.append(raw[i])
            spans.append((i, i + 1))
        for ch in html.unescape(m.group()):
            decoded.append(ch)
            spans.append((m.start(), m.end()))
        pos = m.end()
    for i in range(pos, len(raw)):
        decoded.append(raw[i])
        spans.append((i, i + 1))
    out: list[str] = []
    last = 0
    for m in LATIN_RUN.finditer("".join(decoded)):
        start, end = spans[m.start()][0], spans[m.end() - 1][1]
        if start < last:
            continue
        out.append(raw[last:start])
        out.append(f"<bdi>{raw[start:end]}</bdi>")
        last = end
    out.append(raw[last:])
    return "".join(out)


def _reference_isolate(source: str) -> str:
    """`isolate_latin_html` before the shortcut: every text node through the reference wrap."""
    spans = i18n._text_spans(source, i18n._SKIP)
    if not i18n.is_arabic_prose("".join(html.unescape(source[s:e]) for s, e in spans)):
        return source
    return i18n._replace_spans(source, spans, _reference_wrap)


_TEXT_PIECES = ["منصة", "ترامب", "Truth", "Social", "TMTG", "x", " ", "  ", ".", "-", "'", "’",
                "&", "&amp;", "&AMP", "&#65;", "&#x42;", "&Aring;", "&copy;", "&notin;", "&notit;",
                "&#0;", "&#xD800;", "&bogus;", "&lt;", "&", "1", "١", "\u00a0", "&nbsp;", "AT&amp;T"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_TEXT_PIECES), max_size=16).map("".join))
def test_wrapping_a_text_node_matches_the_reference(raw: str) -> None:
    assert i18n._wrap_runs_in_text_node(raw) == _reference_wrap(raw)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_TEXT_PIECES),
                          st.sampled_from(["<p>", "</p>", "<b>", "</b>", "<code>", "</code>",
                                           '<a href="/x?a=1&amp;b=TMTG">', "</a>", "<br>",
                                           "<bdi>", "</bdi>", "<!-- Big Tech -->"])),
                max_size=24).map("".join))
@example("<p>منصة &#65;&#x42; و &lt;b&gt;</p>")  # Latin from references alone
def test_isolate_latin_html_matches_the_reference(source: str) -> None:
    assert i18n.isolate_latin_html(source) == _reference_isolate(source)


def test_the_generated_corpus_isolates_the_same(generated_bodies: list[str]) -> None:
    for text in generated_bodies + _bodies(ROOT / "content") + SAMPLES:
        SLOW.md.reset()
        source = plain_references(SLOW.md.convert(text))
        assert i18n.isolate_latin_html(source) == _reference_isolate(source)


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "a.md", "b.md"]),
                          st.sampled_from(["content/a.md", "content/b.md", "content/x/c.md", "b.md",
                                           "content/a.md.md"])), max_size=8))
def test_link_targets_keep_the_first_article_that_claims_a_name(pairs: list[tuple[str, str]]) -> None:
    """link_targets (built from the last article back) gives each name to the first article
    in site order that claims it, as setdefault over the articles in order does."""
    from sitegen.config import Config
    from sitegen.markdown import link_targets
    from sitegen.model import Article, Site

    articles = tuple(Article(path=path, slug=slug, title=slug, body="", body_line=1) for slug, path in pairs)
    expected: dict[str, str] = {}
    for a in articles:
        for key in (a.slug, a.stem, a.stem + ".md", a.slug + ".md"):
            expected.setdefault(key, a.slug)
    assert link_targets(Site(config=Config(root=ROOT), articles=articles)) == expected
