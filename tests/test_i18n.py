"""Display helpers: localized dates and digits, and bidi isolation of Latin runs."""

from __future__ import annotations

import datetime
import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from sitegen.arabic import ascii_digits
from sitegen.errors import ConfigError
from sitegen.i18n import (
    format_date,
    hijri_date,
    is_arabic_prose,
    isolate_latin,
    isolate_latin_html,
    localize_digits,
    localize_digits_html,
    plain_references,
)

NOV_21 = datetime.date(2026, 11, 21)
BIDI_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


# --- Dates -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "locale, numerals, expected",
    [
        ("ar_EG", "latn", "21 نوفمبر 2026"),
        ("ar_EG", "arab", "٢١ نوفمبر ٢٠٢٦"),
        ("ar_IQ", "latn", "21 تشرين الثاني 2026"),
        ("ar_SY", "latn", "21 تشرين الثاني 2026"),
        ("ar_SY", "arab", "٢١ تشرين الثاني ٢٠٢٦"),
        ("ar-EG", "latn", "21 نوفمبر 2026"),
    ],
)
def test_format_date_long_form_in_locale_and_numerals(locale: str, numerals: str, expected: str) -> None:
    assert format_date(NOV_21, locale, numerals) == expected


@pytest.mark.parametrize("locale", ["ar_EG", "ar_IQ", "ar_SY", "ar_SA", "ar_MA", "ar"])
def test_format_date_digits_obey_numerals_and_no_bidi_marks(locale: str) -> None:
    latn = format_date(datetime.date(2021, 2, 9), locale, "latn")
    arab = format_date(datetime.date(2021, 2, 9), locale, "arab")
    assert re.search(r"\b9\b", latn) and "2021" in latn
    assert not re.search("[٠-٩]", latn)
    assert "٩" in arab and "٢٠٢١" in arab and not re.search("[0-9]", arab)
    assert not BIDI_MARKS.search(latn + arab)


def test_format_date_unknown_locale_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="locale 'xx_QQ'"):
        format_date(NOV_21, "xx_QQ", "latn")


def test_hijri_date_umm_al_qura() -> None:
    # 2026-11-21 is 11 Jumada al-Akhirah 1448 in the Umm al-Qura calendar.
    assert hijri_date(NOV_21, "latn") == "11 جمادى الآخرة 1448 هـ"
    assert hijri_date(NOV_21, "arab") == "١١ جمادى الآخرة ١٤٤٨ هـ"
    # 1 Ramadan 1447 fell on 2026-02-18.
    assert hijri_date(datetime.date(2026, 2, 18), "latn") == "1 رمضان 1447 هـ"


def test_hijri_date_out_of_range_is_empty() -> None:
    assert hijri_date(datetime.date(1800, 1, 1), "latn") == ""


# --- Digits ----------------------------------------------------------------------------
def test_localize_digits_both_ways_and_persian() -> None:
    assert localize_digits("عام 2026 و۲۰۲۱ و٢٠٢٠", "arab") == "عام ٢٠٢٦ و٢٠٢١ و٢٠٢٠"
    assert localize_digits("عام 2026 و۲۰۲۱ و٢٠٢٠", "latn") == "عام 2026 و2021 و2020"
    with pytest.raises(ValueError, match="numerals"):
        localize_digits("1", "hindi")


def test_localize_digits_html_leaves_attributes_and_code() -> None:
    page = ('<p><a href="/2026/11/">أرشيف 11/2026</a> <time datetime="2026-11-21">21 نوفمبر</time>'
            " <code>x = 10</code></p>")
    assert localize_digits_html(page, "arab") == (
        '<p><a href="/2026/11/">أرشيف ١١/٢٠٢٦</a> <time datetime="2026-11-21">٢١ نوفمبر</time>'
        " <code>x = 10</code></p>"
    )


def test_localize_digits_html_keeps_digits_of_text_in_another_language() -> None:
    page = ('<html lang="en" dir="ltr"><body><header lang="ar"><div><div>عدد 3</div></div>'
            '<p>ترامب 2021</p></header><main><div>Launched in <span lang="ar-EG">عام 2021</span>'
            "</div><p>in 2021</p></main></body></html>")
    assert localize_digits_html(page, "arab") == (
        '<html lang="en" dir="ltr"><body><header lang="ar"><div><div>عدد ٣</div></div>'
        '<p>ترامب ٢٠٢١</p></header><main><div>Launched in <span lang="ar-EG">عام ٢٠٢١</span>'
        "</div><p>in 2021</p></main></body></html>"
    )
    # hreflang and data-lang are not the element's language.
    assert localize_digits_html('<p><a hreflang="en" data-lang="en" href="/x">رقم 5</a></p>', "arab") == \
        '<p><a hreflang="en" data-lang="en" href="/x">رقم ٥</a></p>'



def test_localize_digits_html_converts_the_title_shown_in_the_tab() -> None:
    head = "<head><title>موجز 845 – 2026</title><script>var n = 845;</script></head>"
    assert localize_digits_html(f'<html lang="ar">{head}</html>', "arab") == (
        '<html lang="ar"><head><title>موجز ٨٤٥ – ٢٠٢٦</title><script>var n = 845;</script></head></html>')
    # An English page's title keeps its digits, and so does a title inside an svg (not shown).
    assert localize_digits_html(f'<html lang="en">{head}</html>', "arab") == f'<html lang="en">{head}</html>'
    svg = "<svg><title>icon 2</title></svg>"
    assert localize_digits_html(svg, "arab") == svg

# --- isolate_latin ---------------------------------------------------------------------
def test_isolate_latin_wraps_each_run_and_escapes() -> None:
    text = "أطلق ترامب منصة Truth Social، التابعة لـ Trump Media & Technology Group (TMTG) ضد Big Tech."
    out = isolate_latin(text)
    assert isinstance(out, Markup)
    assert out == (
        "أطلق ترامب منصة <bdi>Truth Social</bdi>، التابعة لـ "
        "<bdi>Trump Media &amp; Technology Group</bdi> (<bdi>TMTG</bdi>) ضد <bdi>Big Tech</bdi>."
    )


def test_isolate_latin_escapes_markup_in_text() -> None:
    out = isolate_latin('كتب أحدهم في خانة التعليق على الخبر <script> ثم اختفى')
    assert out == "كتب أحدهم في خانة التعليق على الخبر &lt;<bdi>script</bdi>&gt; ثم اختفى"


def test_isolate_latin_leaves_english_text_alone() -> None:
    text = "Trump Media & Technology Group (TMTG) runs Truth Social"
    assert isolate_latin(text) == "Trump Media &amp; Technology Group (TMTG) runs Truth Social"
    assert isolate_latin("سوشيال") == "سوشيال"


def test_isolate_latin_headline_starting_with_a_brand_is_arabic() -> None:
    # dir="auto" ignores <bdi> contents, so the headline's first strong letter becomes Arabic.
    assert isolate_latin("Truth Social تطلق خدمة بث جديدة") == "<bdi>Truth Social</bdi> تطلق خدمة بث جديدة"


def test_is_arabic_prose() -> None:
    assert is_arabic_prose("أطلق ترامب منصة Truth Social التابعة لـ Trump Media & Technology Group")
    assert not is_arabic_prose("Interview with the chief executive of TMTG")
    assert not is_arabic_prose("")


# --- isolate_latin_html ----------------------------------------------------------------
ARTICLE = (
    '<h2 id="truth-social">منصة Truth Social</h2>\n'
    '<p>أطلق ترامب <a href="https://truthsocial.com/?a=1&amp;b=2" title="Truth Social">منصة Truth Social</a>، '
    "التابعة لـ Trump Media &amp; Technology Group (TMTG).</p>\n"
    "<pre><code>Big Tech = 1</code></pre>\n"
    "<p>شركات <code>Big Tech</code> و<bdi>Big Tech</bdi> <!-- Big Tech --></p>\n"
    '<img alt="Truth Social" src="a.png">\n'
)


def test_isolate_latin_html_wraps_text_nodes_only() -> None:
    assert isolate_latin_html(ARTICLE) == (
        '<h2 id="truth-social">منصة <bdi>Truth Social</bdi></h2>\n'
        '<p>أطلق ترامب <a href="https://truthsocial.com/?a=1&amp;b=2" title="Truth Social">منصة '
        "<bdi>Truth Social</bdi></a>، التابعة لـ <bdi>Trump Media &amp; Technology Group</bdi> "
        "(<bdi>TMTG</bdi>).</p>\n"
        "<pre><code>Big Tech = 1</code></pre>\n"
        "<p>شركات <code>Big Tech</code> و<bdi>Big Tech</bdi> <!-- Big Tech --></p>\n"
        '<img alt="Truth Social" src="a.png">\n'
    )


def test_isolate_latin_html_is_idempotent() -> None:
    once = isolate_latin_html(ARTICLE)
    assert isolate_latin_html(once) == once


def test_isolate_latin_html_leaves_english_and_raw_text() -> None:
    english = "<p>Trump Media &amp; Technology Group runs Truth Social.</p>"
    assert isolate_latin_html(english) == english
    script = '<p>خبر عن منصة</p><script>if (a<b) { x = "Big Tech"; }</script><style>p>a{}</style>'
    assert isolate_latin_html(script) == script


def test_isolate_latin_html_with_a_greater_than_in_an_attribute() -> None:
    page = '<p title="a > Big Tech">خبر Big Tech جديد</p>'
    assert isolate_latin_html(page) == '<p title="a > Big Tech">خبر <bdi>Big Tech</bdi> جديد</p>'


class _Shape(HTMLParser):
    """Records the tags, attributes and non-<bdi> text of a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "bdi":
            self.events.append(("start", (tag, attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag != "bdi":
            self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", str(self.events[-1][1]) + data)
        else:
            self.events.append(("text", data))


def _shape(html: str) -> list[tuple[str, object]]:
    parser = _Shape()
    parser.feed(html)
    parser.close()
    return parser.events


_words = st.sampled_from(
    ["منصة", "ترامب", "أطلق", "Truth Social", "TMTG", "Big Tech", "&amp;", "&lt;", "،", "(", ")", ".",
     " ", "2026", "سوشيال", "Trump Media &amp; Technology Group", "’", "&#39;"]
)
_text = st.lists(_words, max_size=8).map("".join)
_inline = st.sampled_from(["a", "em", "strong", "code", "bdi", "span"])


@st.composite
def _fragments(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            parts.append(draw(_text))
        elif kind == 1:
            tag = draw(_inline)
            attr = draw(st.sampled_from(["", ' title="Big Tech"', ' href="/a?x=1&amp;y=TMTG"']))
            parts.append(f"<{tag}{attr}>{draw(_text)}</{tag}>")
        else:
            parts.append("<br>")
    return "<p>" + "".join(parts) + "</p>"


@settings(max_examples=300, deadline=None)
@given(_fragments())
def test_isolate_latin_html_only_adds_bdi_around_text(html: str) -> None:
    out = isolate_latin_html(html)
    # Removing the <bdi> tags gives the input back: nothing else moved or changed.
    added = re.sub(r"</?bdi>", "", out)
    assert added == re.sub(r"</?bdi>", "", html)
    # And what a browser parses is the same elements, attributes and text.
    assert _shape(out) == _shape(html)
    assert isolate_latin_html(out) == out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab Z&<>\"'’.-،(", "منصة", "ترامب", "TMTG", "\u200f"]), max_size=12).map("".join))
def test_isolate_latin_keeps_the_text(text: str) -> None:
    out = isolate_latin(text)
    # A reader sees exactly the text that was given: only <bdi> tags were added.
    assert html.unescape(re.sub(r"</?bdi>", "", out)) == text
    assert "<" not in re.sub(r"</?bdi>", "", out)


def _digits_converted_as_stated(html: str, numerals: str) -> str:
    """`localize_digits_html`'s rule, one token at a time: after `plain_references`, every
    text node inside no _DIGIT_SKIP element and whose nearest element with a lang attribute, if
    any, names Arabic, has its digits in `numerals`; so has a <title>'s text (raw text, read
    to its end tag), under the same conditions."""
    from sitegen.i18n import _DIGIT_SKIP, _LANG_ATTR, _RAW_TEXT, _TOKEN, _VOID

    html = plain_references(html)
    out: list[str] = []
    pos = 0
    skipping = 0  # _DIGIT_SKIP elements open
    scopes: list[list] = []  # [name, Arabic?, same-name elements open inside], innermost last
    while True:
        m = _TOKEN.search(html, pos)
        text = html[pos : m.start() if m else len(html)]
        out.append(localize_digits(text, numerals) if not skipping and (not scopes or scopes[-1][1]) else text)
        if not m:
            return "".join(out)
        token, name, closing = m.group(), (m.group(1) or "").lower(), m.group().startswith("</")
        out.append(token)
        pos = m.end()
        if not name:
            continue
        if name not in _VOID and not token.endswith("/>"):
            lang = None if closing else _LANG_ATTR.search(token)
            if lang is not None:
                code = next(g for g in lang.groups() if g is not None).strip().lower()
                scopes.append([name, not code or code.replace("_", "-").split("-")[0] == "ar", 0])
            elif scopes and scopes[-1][0] == name:
                if not closing:
                    scopes[-1][2] += 1
                elif scopes[-1][2]:
                    scopes[-1][2] -= 1
                else:
                    scopes.pop()
        if closing:
            if skipping and name in _DIGIT_SKIP:
                skipping -= 1
        elif name in _RAW_TEXT:
            close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, pos)
            raw = html[pos : close.start() if close else len(html)]
            shown = name not in _DIGIT_SKIP and not skipping and (not scopes or scopes[-1][1])
            out.append(localize_digits(raw, numerals) if shown else raw)
            out.append(close.group() if close else "")
            pos = close.end() if close else len(html)
        elif name in _DIGIT_SKIP and not token.endswith("/>"):
            skipping += 1


@settings(max_examples=200, deadline=None)
@given(_fragments())
def test_localize_digits_html_changes_only_text_digits(html: str) -> None:
    out = localize_digits_html(html, "arab")
    html = plain_references(html)  # the same document, references spelt without digits
    assert ascii_digits(out) == ascii_digits(html)  # nothing but digits changed
    tags = re.compile(r"<[^>]*>")
    assert tags.findall(out) == tags.findall(html)  # and never inside a tag
    assert "<code" in html or not re.search("[0-9]", tags.sub("", out))


def test_localize_digits_html_never_breaks_a_character_reference() -> None:
    assert localize_digits_html("<p>&#34;5&#160;&#x41;</p>", "arab") == "<p>&quot;٥\u00a0A</p>"


@settings(max_examples=300, deadline=None)
@given(_fragments(), st.sampled_from(["arab", "latn"]), st.sampled_from(["2026", "۲۰۲۶", "٢٠٢٦", "2۰٢6"]))
def test_localize_digits_html_equals_converting_every_text_node(html: str, numerals: str, year: str) -> None:
    """The page converting every text node the rule names gives, with digits of every script."""
    html = html.replace("2026", year)  # digits of every script
    assert localize_digits_html(html, numerals) == _digits_converted_as_stated(html, numerals)


# Markup of every kind the digit walk treats apart: elements whose digits stay (code, pre,
# raw text with a '<' inside), lang attributes in any case and spelling (and the attributes
# and words that only look like one), nested elements of a lang element's name, comments,
# CDATA, self-closing and void tags, a '>' inside a quoted value, a lone or unclosed '<'.
_digit_text = st.lists(st.sampled_from(
    ["عام ", "2026", "۲۰۲۶", "٢٠٢٦", "7", " في ", "language ", "Lang", "a < 5", " ", "&amp;", "&#160;"]),
    max_size=4).map("".join)
_digit_tag = st.sampled_from(["p", "div", "span", "a", "P", "DIV", "code", "pre", "Code", "kbd", "svg",
                              "bdi", "lang", "h2", "time"])
_digit_attr = st.sampled_from(
    ["", ' lang="en"', ' lang="ar"', " LANG='ar-EG'", " lang=en-GB", ' Lang="EN"', ' lang=""', ' lang="ar_SY"',
     ' xml:lang="en"', ' hreflang="en"', ' data-lang="en"', ' title="lang=en"', ' href="/2026/11/"',
     ' datetime="2026-11-21"', ' title="a > 5 lang"', ' class="link-list"', " lang=fr"])
_digit_raw = st.sampled_from(
    ["<script>if (a<b) { x = 2026; }</script>", "<SCRIPT lang=en>x = 1</script >", "<title>عدد 5</title>",
     "<style>p>a{width:3px}</style>", "<textarea>5</textarea>", "<!-- 2026 lang=en -->", "<!-- a > 5 -->",
     "<![CDATA[ 5 ]]>", "<!DOCTYPE html>", "<?x 5?>", "<br>", "<img alt=\"5\" src=\"a5.png\"/>", "<hr/>",
     "<span/>", "<code/>", "<", "<a href=\"5", "</p>", "</span>", "<lang=en>"])


@st.composite
def _digit_markup(draw: st.DrawFn, depth: int = 0) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 3 if depth < 3 else 1))
        if kind == 0:
            parts.append(draw(_digit_text))
        elif kind == 1:
            parts.append(draw(_digit_raw))
        else:
            tag, attr = draw(_digit_tag), draw(_digit_attr)
            parts.append(f"<{tag}{attr}>{draw(_digit_markup(depth + 1))}</{tag}>")
    return "".join(parts)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["", '<html lang="ar">', "<html lang=en>", '<main lang="ar"><div lang="en">']),
       _digit_markup(), st.sampled_from(["arab", "latn"]))
@example("", "<lang=en>5", "arab")  # 'lang' starts the tag name: still read as an attribute
@example("", "<Lang-x LANG=en>5 <b>6</b></Lang-x>7", "arab")
@example('<html lang="ar">', '<div lang="en"><div>1</div>2</div>3<DIV>4</DIV>', "arab")
@example("", '<p title="a > 5 lang" lang=en>6</p>7 <code>8<code>9</code>0</code>1', "arab")
def test_localize_digits_html_equals_converting_every_text_node_of_any_markup(
        opening: str, body: str, numerals: str) -> None:
    """The walk that lets the regex engine pass over what changes nothing gives the page the
    rule stated token by token gives, whatever elements, languages and tokens it holds."""
    page = opening + body
    assert localize_digits_html(page, numerals) == _digits_converted_as_stated(page, numerals)


@given(st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ab ع"))
def test_numerals_are_one_pass_of_the_conversions(text: str) -> None:
    from sitegen.arabic import arabic_indic_digits

    assert localize_digits(text, "arab") == arabic_indic_digits(ascii_digits(text))
    assert localize_digits(text, "latn") == ascii_digits(text)
