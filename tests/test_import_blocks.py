"""Seed text → cleaned lines: what the scraper's spacing becomes before labelling."""

from __future__ import annotations

from sitegen.importer.blocks import clean, split_lines

NBSP = "\u00a0"


def test_space_before_punctuation_is_removed() -> None:
    assert clean("وتقدر قيمة شركة رامبل ، التي أعلنت الأربعاء ، بنحو 2.1 مليار دولار .") == \
        "وتقدر قيمة شركة رامبل، التي أعلنت الأربعاء، بنحو 2.1 مليار دولار."
    assert clean('مجموعة (TMTG) ، وهي "السيليكون" ، وفقًا') == 'مجموعة (TMTG)، وهي "السيليكون"، وفقًا'


def test_space_before_a_decimal_point_or_clock_colon_stays() -> None:
    assert clean("نمت بنسبة .5 في الساعة 10 :30") == "نمت بنسبة .5 في الساعة 10 :30"


def test_no_break_spaces_become_plain_spaces_and_nbsp_lines_are_blank() -> None:
    lines = split_lines(f"أول{NBSP}سطر.\n{NBSP}\n{NBSP}{NBSP} \nثاني سطر.{NBSP}")
    assert [(l.no, l.text) for l in lines] == [(1, "أول سطر."), (4, "ثاني سطر.")]

