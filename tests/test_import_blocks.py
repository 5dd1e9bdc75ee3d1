"""Importer, first step: bytes → cleaned lines → typed blocks. One test per detector."""

from __future__ import annotations

import pytest

from sitegen.errors import SourceError
from sitegen.importer.blocks import Line, classify, classify_line, clean, decode, split_lines

NBSP = "\u00a0"


def kind(text: str) -> str:
    return classify_line(Line(1, text)).kind


# --- decoding -------------------------------------------------------------------------------
def test_bom_and_crlf_are_accepted_silently() -> None:
    text, warnings = decode("\ufeffعنوان\r\n\r\nفقرة.\r\n".encode("utf-8"), "seeds/x.txt")
    assert text == "عنوان\n\nفقرة.\n"
    assert warnings == []


def test_windows_1256_is_read_with_a_warning() -> None:
    text, warnings = decode("ترامب يعلن خطة جديدة.".encode("cp1256"), "seeds/x.txt")
    assert text == "ترامب يعلن خطة جديدة."
    assert len(warnings) == 1 and "seeds/x.txt: byte 0" in warnings[0] and "Windows-1256" in warnings[0]


def test_bytes_that_are_neither_utf8_nor_arabic_give_the_byte_offset() -> None:
    data = b"plain ascii text then \xff\xfe garbage"
    with pytest.raises(SourceError) as e:
        decode(data, "seeds/x.txt")
    assert str(e.value).startswith("seeds/x.txt: byte 22: import: not valid UTF-8")


def test_binary_file_is_refused_at_its_nul_byte() -> None:
    with pytest.raises(SourceError, match=r"seeds/x.txt: byte 3: import: binary file"):
        decode(b"PK\x03\x00\x14\x00", "seeds/x.txt")


@pytest.mark.parametrize("data", [b"", b"   \n\n", "\u00a0\n".encode()])
def test_empty_file_is_refused(data: bytes) -> None:
    # NBSP is not bytes.strip() whitespace: that case is caught when lines are split.
    if data.strip():
        assert split_lines(decode(data, "x")[0]) == []
        return
    with pytest.raises(SourceError, match="empty file"):
        decode(data, "seeds/x.txt")


# --- cleaning -------------------------------------------------------------------------------
def test_space_before_punctuation_is_removed() -> None:
    assert clean("وتقدر قيمة شركة رامبل ، التي أعلنت الأربعاء ، بنحو 2.1 مليار دولار .") == \
        "وتقدر قيمة شركة رامبل، التي أعلنت الأربعاء، بنحو 2.1 مليار دولار."
    assert clean('مجموعة (TMTG) ، وهي "السيليكون" ، وفقًا') == 'مجموعة (TMTG)، وهي "السيليكون"، وفقًا'


def test_space_before_a_decimal_point_or_clock_colon_stays() -> None:
    assert clean("نمت بنسبة .5 في الساعة 10 :30") == "نمت بنسبة .5 في الساعة 10 :30"


def test_no_break_spaces_become_plain_spaces_and_nbsp_lines_are_blank() -> None:
    lines = split_lines(f"أول{NBSP}سطر.\n{NBSP}\n{NBSP}{NBSP} \nثاني سطر.{NBSP}")
    assert [(l.no, l.text) for l in lines] == [(1, "أول سطر."), (4, "ثاني سطر.")]


# --- detectors ------------------------------------------------------------------------------
def test_caption_short_unpunctuated_line() -> None:
    assert kind("دونالد ترامب") == "caption"
    assert kind('"دونالد ترامب" و "إيلون ماسك"') == "caption"
    assert kind("تروث سوشيال") == "caption"


def test_sentence_is_a_paragraph_whatever_its_length() -> None:
    assert kind("ولم تستجب تسلا على الفور.") == "paragraph"
    assert kind('قال إنها "بحاجة إلى الطرد من الكونغرس!".') == "paragraph"


def test_long_line_without_full_stop_is_still_a_paragraph() -> None:
    assert kind(" ".join(["كلمة"] * 15)) == "paragraph"


def test_question_line_before_a_paragraph_is_a_heading() -> None:
    blocks = classify([Line(1, "ما هي منصة تروث سوشيال Truth Social؟"), Line(3, "هي منصة تواصل اجتماعية.")])
    assert [b.kind for b in blocks] == ["heading", "paragraph"]


def test_question_line_with_nothing_after_it_stays_text() -> None:
    blocks = classify([Line(1, "فقرة أولى."), Line(3, "هل ينجح ترامب؟")])
    assert [b.kind for b in blocks] == ["paragraph", "paragraph"]


def test_teaser_line_of_kicker_and_headline() -> None:
    assert kind("صداقة بطعم العداوة.. ترامب وتيك توك قصة خلاف طويلة لن تنتهي") == "teaser"
    assert kind("قال إن الأمر.. انتهى.") == "paragraph"


@pytest.mark.parametrize("line, outlet", [
    ("الاقتصاد نيوز - متابعة", "الاقتصاد نيوز"),
    ("رويترز – وكالات", "رويترز"),
])
def test_byline_gives_the_outlet(line: str, outlet: str) -> None:
    block = classify_line(Line(1, line))
    assert (block.kind, block.text) == ("byline", outlet)


@pytest.mark.parametrize("line, iso", [
    ("الأحد 21 نوفمبر 2026", "2026-11-21"),
    ("٢١ تشرين الثاني ٢٠٢٦", "2026-11-21"),
])
def test_date_line(line: str, iso: str) -> None:
    block = classify_line(Line(1, line))
    assert (block.kind, block.text) == ("date", iso)


def test_date_inside_a_sentence_is_not_a_date_line() -> None:
    assert kind("ومع تقديم خدماتها في 21 فبراير 2022، حصلت على قاعدة مستخدمين.") == "paragraph"


@pytest.mark.parametrize("line, marker, rest", [
    ("المصدر: صدى البلد", "source", "صدى البلد"),
    ("كلمات دلالية: تروث سوشيال تويتر", "keywords", "تروث سوشيال تويتر"),
    ("إقرأ أيضاً:", "read_also", ""),
    ("اقرأ ايضا: عنوان آخر", "read_also", "عنوان آخر"),
    ("مقالات مشابهة", "similar", ""),
    ("أخبار ذات صلة", "similar", ""),
])
def test_markers_in_their_spellings(line: str, marker: str, rest: str) -> None:
    block = classify_line(Line(1, line))
    assert (block.kind, block.text) == (marker, rest)


def test_bullet_lines_are_list_items() -> None:
    block = classify_line(Line(1, clean(f"  •{NBSP}بسبب الرسوم..ترامب يطالب بالسيطرة على قناة بنما")))
    assert (block.kind, block.text) == ("list_item", "بسبب الرسوم..ترامب يطالب بالسيطرة على قناة بنما")


@pytest.mark.parametrize("line", ["شارك على فيسبوك", "جميع الحقوق محفوظة © 2026", "تابعونا على تويتر", "Advertisement"])
def test_boilerplate_is_noise(line: str) -> None:
    assert kind(line) == "noise"
