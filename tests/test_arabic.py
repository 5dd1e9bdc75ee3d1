"""The one Arabic normaliser: the folding every comparison relies on."""

import pytest

from sitegen.arabic import (
    arabic_indic_digits,
    ascii_digits,
    canonical_letters,
    fold,
    match_marker,
    parse_date,
)


@pytest.mark.parametrize(
    "a, b",
    [
        ("أحمد", "احمد"),
        ("إيلون", "ايلون"),
        ("آذار", "اذار"),
        ("ٱلله", "الله"),
        ("مستشفى", "مستشفي"),
        ("الإیرانی", "الإيراني"),
        ("فی", "في"),
        ("ماسک", "ماسك"),
        ("مدرسة", "مدرسه"),
        ("محمّـــد", "محمد"),
        ("مُحَمَّدٌ", "محمد"),
        ("۲۰۲۶", "2026"),
        ("٢٠٢١", "2021"),
        ("تروث\u200fسوشيال", "تروثسوشيال"),
        ("تروث \u00a0 سوشيال", "تروث سوشيال"),
        ("Truth Social", "truth social"),
    ],
)
def test_fold_makes_spellings_equal(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_fold_keeps_different_words_apart() -> None:
    assert fold("ترامب") != fold("تراب")
    assert fold("كان") != fold("كون")


def test_canonical_letters_only_replaces_persian_twins() -> None:
    assert canonical_letters("التواصل الاجتماعی إیلون ماسک") == "التواصل الاجتماعي إيلون ماسك"
    # hamza, alef maksura and diacritics are the writer's: kept.
    assert canonical_letters("أيضاً مستشفى") == "أيضاً مستشفى"


def test_digit_conversions() -> None:
    assert ascii_digits("عام ٢٠٢١ و۲۰۲۶") == "عام 2021 و2026"
    assert arabic_indic_digits("21 نوفمبر 2026") == "٢١ نوفمبر ٢٠٢٦"


@pytest.mark.parametrize(
    "line, kind, rest",
    [
        ("إقرأ أيضاً:", "read_also", ""),
        ("اقرأ ايضا", "read_also", ""),
        ("اقرأ أيضا: عنوان مقال", "read_also", "عنوان مقال"),
        ("اقرأ المزيد", "read_also", ""),
        ("مقالات مشابهة", "similar", ""),
        ("مقالات ذات صلة", "similar", ""),
        ("أخبار متعلقة", "similar", ""),
        ("المصدر: صدى البلد", "source", "صدى البلد"),
        ("كلمات دلالية: تروث سوشيال إيلون ماسك", "keywords", "تروث سوشيال إيلون ماسك"),
        ("الكلمات المفتاحية: ترامب", "keywords", "ترامب"),
    ],
)
def test_markers_in_all_spellings(line: str, kind: str, rest: str) -> None:
    assert match_marker(line) == (kind, rest)


@pytest.mark.parametrize("line", ["قرأ الرئيس الكتاب كاملا.", "المصدر الأساسي للخبر", "مقالات الرأي"])
def test_body_lines_are_not_markers(line: str) -> None:
    assert match_marker(line) is None


@pytest.mark.parametrize(
    "text, iso",
    [
        ("الأحد 21 نوفمبر 2026", "2026-11-21"),
        ("٢١ تشرين الثاني ٢٠٢٦", "2026-11-21"),
        ("2 كانون الثاني 2025", "2025-01-02"),
        ("نشر في 5 أغسطس، 2024", "2024-08-05"),
        ("5 أغسطس 2024", "2024-08-05"),
        ("2026-11-21", "2026-11-21"),
        ("21/11/2026", "2026-11-21"),
        ("في 6 يناير", None),
        ("31 فبراير 2024", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_one_slug_rule_drops_diacritics_and_tatweel() -> None:
    """Tags, sources, imported and hand-written articles share one slug rule: a mark is not
    a word break, and tatweel is not a letter."""
    from sitegen.arabic import slug
    from sitegen.load import article_slug

    assert slug("تَجْرِبَة جديدة") == "تجربة-جديدة"
    assert slug("ترامـــب يفوز") == slug("ترامب يفوز") == "ترامب-يفوز"
    assert slug("Truth Social", "translit") == "truth-social"
    assert slug("؟!") == "" and article_slug("؟!") == "article"
