"""Importer, second step: blocks → article drafts (titles, tags, teasers, read-also, body)."""

from __future__ import annotations

from html import unescape

import markdown
import pytest

from sitegen.errors import SourceError
from sitegen.importer.articles import (
    escape,
    extract_tags,
    infer_title,
    parse_seed,
    split_teaser,
    summary,
)
from sitegen.match import TitleIndex

P1 = ("يعد الرئيس الأمريكي الأسبق دونالد ترامب، أحد أكبر الشخصيات البارزة استخداما لمنصات التواصل "
      "الاجتماعي، ولكن جراء ما فعله أنصاره في أعمال الشغب عام 2021، والمعروفة بأحداث الكابيتول، حرم "
      "الملياردير الأمريكي من استخدام حساباته على تلك المنصات إلى الابد.")
P2 = "ولم تستجب تسلا على الفور لطلب التعليق. فيما نشر ماسك عدداً من المنشورات."
P3 = "وأشار مصدران إلى أن ترامب أجرى محادثة مع إيلون ماسك حول منصة تروث سوشيال."


# --- titles and summaries ----------------------------------------------------------------------
def test_inferred_title_is_the_first_clause_not_the_paragraph() -> None:
    title = infer_title(P1)
    assert title == "يعد الرئيس الأمريكي الأسبق دونالد ترامب، أحد أكبر الشخصيات البارزة استخداما لمنصات التواصل الاجتماعي"
    assert len(title) <= 120


def test_inferred_title_of_a_short_first_sentence_is_that_sentence() -> None:
    assert infer_title(P2) == "ولم تستجب تسلا على الفور لطلب التعليق"


def test_inferred_title_is_never_the_whole_one_sentence_paragraph() -> None:
    paragraph = "وقالت النائبة إن الجمهوريين يحمون استثمارات ماسك في الصين."
    title = infer_title(paragraph)
    assert title.rstrip("…") != paragraph.rstrip(".") and paragraph.startswith(title.rstrip("…"))


def test_inferred_title_of_a_long_sentence_without_commas_is_cut_at_a_word() -> None:
    paragraph = " ".join(["كلمة"] * 60) + "."
    title = infer_title(paragraph)
    assert len(title) <= 120 and title.endswith("كلمة…")


def test_summary_is_the_first_sentence_within_200_characters() -> None:
    assert summary(P2) == "ولم تستجب تسلا على الفور لطلب التعليق."
    long = summary(P1)
    assert len(long) <= 200 and long.endswith("…") and P1.startswith(long[:-1])


def test_summary_does_not_stop_at_a_decimal_point() -> None:
    assert summary("بلغت القيمة 2.1 مليار دولار. ثم ارتفعت.") == "بلغت القيمة 2.1 مليار دولار."


# --- tags -------------------------------------------------------------------------------------
BODY = ("قال دونالد ترامب إن تروث سوشيال تنافس تويتر، وسأل إيلون ماسك عما إذا كان مهتما، "
        "في عالم التواصل الاجتماعي عام 2021.")


def test_keyword_phrases_longest_first_canonical_deduplicated_no_stop_phrases() -> None:
    line = ("تروث سوشيال إيلون ماسك دونالد ترامب تويتر التواصل الاجتماعی دونالد ترامب "
            "إیلون ماسک إذا کان عام 2021")
    assert extract_tags(line, BODY) == [
        "تروث سوشيال", "إيلون ماسك", "دونالد ترامب", "تويتر", "التواصل الاجتماعي", "عام 2021",
    ]


def test_keyword_line_with_commas_gives_its_phrases_as_written() -> None:
    assert extract_tags("الذكاء الاصطناعي، ترامب، إذا كان", "نص لا يذكرها") == ["الذكاء الاصطناعي", "ترامب"]


def test_keyword_words_not_in_the_body_stand_alone() -> None:
    assert extract_tags("اقتصاد سياسة", "نص آخر تماما.") == ["اقتصاد", "سياسة"]


# --- teasers ----------------------------------------------------------------------------------
TEASER = ("صداقة بطعم العداوة.. ترامب وتيك توك قصة خلاف طويلة لن تنتهي صور ترامب ومناصريه.. "
          "الذكاء الاصطناعي سلاح يهدد مصير الانتخابات الأمريكية")


def test_glued_teasers_split_where_the_next_kicker_matches_the_first_in_size() -> None:
    assert split_teaser(TEASER) == [
        "صداقة بطعم العداوة.. ترامب وتيك توك قصة خلاف طويلة لن تنتهي",
        "صور ترامب ومناصريه.. الذكاء الاصطناعي سلاح يهدد مصير الانتخابات الأمريكية",
    ]


def test_glued_teasers_split_at_a_known_title_first() -> None:
    index: TitleIndex[str] = TitleIndex()
    index.add("صداقة بطعم العداوة.. ترامب وتيك توك قصة خلاف", "friends")
    assert split_teaser(TEASER, index)[0] == "صداقة بطعم العداوة.. ترامب وتيك توك قصة خلاف"
    assert split_teaser(TEASER, index)[1].startswith("طويلة لن تنتهي صور ترامب ومناصريه..")


def test_single_teaser_is_one_title() -> None:
    assert split_teaser("هل بايدن حي؟.. إيلون ماسك يثير ضجة") == ["هل بايدن حي؟.. إيلون ماسك يثير ضجة"]


# --- escaping ---------------------------------------------------------------------------------
def test_html_in_a_seed_stays_text() -> None:
    html = markdown.markdown(escape('قال <script>alert("x")</script> & <b>نص</b> *مهم* [رابط](http://x)'))
    assert "<script>" not in html and "<b>" not in html and "<em>" not in html and "<a " not in html
    assert "&lt;script&gt;" in html and "*مهم*" in html


@pytest.mark.parametrize("line", ["# ليس عنوانا", "- ليست قائمة", "1. ليست قائمة", "> ليس اقتباسا"])
def test_a_line_that_looks_like_markdown_stays_a_paragraph(line: str) -> None:
    html = markdown.markdown(escape(line))
    assert html.startswith("<p>") and line.split(" ", 1)[1] in html


@pytest.mark.parametrize("line", [
    "#عاجل انفجار في الميناء",  # a hashtag at a line's start: no space, still a heading to Markdown
    "&#1 ليس رمزا",  # a numeric reference without its ";": a browser reads a control character
    "&#x41 ليس حرفا",
    "&copy ليست علامة، و AT&T و A & B كما كتبت",
    "= ليس سطرا تحت عنوان",  # "\\=" is no escape in Markdown: the backslash would show
    "---",  # a rule
    "+ ليست قائمة",
])
def test_a_line_reads_as_it_was_written(line: str) -> None:
    html = markdown.markdown(escape(line))
    assert html.startswith("<p>") and html.endswith("</p>"), html
    assert unescape(html[len("<p>"):-len("</p>")]) == line


# --- whole pages ------------------------------------------------------------------------------
def test_headline_captions_and_paragraphs() -> None:
    # The headline shares words with the text (تسلا, ماسك); the doubled name line is a caption.
    drafts, warnings = parse_seed(f"تسلا تصمت وماسك ينشر\n\nدونالد ترامب\nدونالد ترامب\n\n{P2}\n\n{P3}\n", "s.txt")
    [d] = drafts
    assert (d.title, d.title_inferred, warnings) == ("تسلا تصمت وماسك ينشر", False, [])
    assert d.body == f"{P2}\n\n{P3}"


def test_read_also_with_a_bylined_article_becomes_a_second_article() -> None:
    page = (f"{P1}\n\nالمصدر: صدى البلد\n\nإقرأ أيضاً:\n\nنواب يتهمون الجمهوريين بحماية ماسك\n\n"
            f"الاقتصاد نيوز - متابعة\n\n{P2}\n\nمقالات مشابهة\n\n  • عنوان أول\n  • نواب يتهمون الجمهوريين بحماية ماسك\n")
    first, second = parse_seed(page, "s.txt")[0]
    assert first.title_inferred and first.source == "صدى البلد"
    assert first.read_also == ("نواب يتهمون الجمهوريين بحماية ماسك",)
    assert (second.part, second.title, second.source, second.body) == (
        2, "نواب يتهمون الجمهوريين بحماية ماسك", "الاقتصاد نيوز", P2)
    assert second.related == ("عنوان أول", "نواب يتهمون الجمهوريين بحماية ماسك")  # itself dropped when written
    assert P2 not in first.body


def test_read_also_headlines_in_the_middle_are_references() -> None:
    page = f"العنوان\n\n{P2}\n\nاقرأ أيضا:\n\nخبر آخر عن ماسك\n\n{P3}\n"
    [d] = parse_seed(page, "s.txt")[0]
    assert d.read_also == ("خبر آخر عن ماسك",)
    assert d.body == f"{P2}\n\n{P3}"


def test_read_also_marker_with_nothing_after_it_is_left_out_of_the_text() -> None:
    [d] = parse_seed(f"العنوان\n\n{P2}\n\nإقرأ أيضاً:\n\n\u00a0\n", "seeds/x.txt")[0]
    assert d.body == P2 and d.read_also == ()


def test_page_of_boilerplate_only_is_refused_in_one_line() -> None:
    page = "شارك على فيسبوك\n\nدونالد ترامب\n\nالمصدر: صدى البلد\n\nجميع الحقوق محفوظة\n"
    with pytest.raises(SourceError) as e:
        parse_seed(page, "seeds/x.txt")
    assert str(e.value) == "seeds/x.txt: import: no article found (mostly navigation and widgets)"


def test_teaser_lines_leave_the_body() -> None:
    [d] = parse_seed(f"العنوان\n\n{P2}\n\n{TEASER}\n\n{P3}\n", "s.txt")[0]
    assert d.teasers == (TEASER,) and "صداقة" not in d.body


def test_read_also_marker_followed_by_text_keeps_the_text() -> None:
    [d], _warnings = parse_seed(f"العنوان\n\n{P2}\n\nاقرأ أيضا:\n\n{P3}\n", "seeds/x.txt")
    assert d.body == f"{P2}\n\n{P3}" and d.read_also == ()


def test_keywords_marker_alone_takes_the_next_line_but_never_a_sentence() -> None:
    [d] = parse_seed(f"العنوان\n\n{P3}\n\nكلمات دلالية:\n\nإيلون ماسك تروث سوشيال\n", "s.txt")[0]
    assert d.tags == ("إيلون ماسك", "تروث سوشيال")
    [d] = parse_seed(f"العنوان\n\n{P2}\n\nكلمات دلالية:\n\n{P3}\n", "s.txt")[0]
    assert d.tags == () and d.body == f"{P2}\n\n{P3}"
