"""slug_style = "translit": Arabic headlines romanised into readable ASCII slugs."""

from __future__ import annotations

import pytest

from sitegen.arabic import slug
from sitegen.translit import romanise

# Headlines written for these tests, one or more rules each; the slug a reader should be
# able to read aloud.
HEADLINES = [
    # the article al-, a word-initial bare alef as i, a silent ain, shadda doubling
    ("الذكاء الاصطناعي يغيّر غرف الأخبار", "al-dhka-al-istnai-yghyyr-ghrf-al-akhbar"),
    # a long vowel after a hamza below, ي as i, و as u
    ("إيلون ماسك في الصين", "ilun-mask-fi-al-sin"),
    # hamza on a seat: ئ after a consonant, and the long vowel after it
    ("رئيس الجزائر يزور مصر", "rais-al-jzair-yzur-msr"),
    # و+ال → wa-al-; ي before alef is a consonant; a dropped hamza before و
    ("الاتحاد الأوروبي واليابان", "al-ithad-al-awrubi-wa-al-yaban"),
    # ta marbuta → a; ي before ة is y; و before ر is u
    ("حياة جديدة في سوريا", "hya-jdida-fi-surya"),
    # لل → lil-; ؤ → u
    ("مؤتمر دولي للطاقة المتجددة", "mutmr-duli-lil-taqa-al-mtjdda"),
    # Arabic-Indic digits become ASCII; the hamzat al-wasl of a verbal noun
    ("انتخابات ٢٠٢٦ في العراق", "intkhabat-2026-fi-al-araq"),
    # ع at a word's start is a; ى is a; punctuation goes
    ("الحرب على غزة: عشرات الضحايا", "al-hrb-ala-ghza-ashrat-al-dhaya"),
    # written vowel marks are read; a Latin run is kept as it is
    ("مُحَمَّد يطلق منصة Truth Social", "muhammad-ytlq-mnsa-truth-social"),
    # the name of God, and a prefix that is no article (بالغ)
    ("بيت الله بالغ الأهمية", "bit-allah-balgh-al-ahmya"),
    # tatweel and Persian letters
    ("ترامـــب یزور گرجستان", "tramb-yzur-grjstan"),
]


@pytest.mark.parametrize("title, expected", HEADLINES, ids=[e for _, e in HEADLINES])
def test_headlines_get_readable_slugs(title: str, expected: str) -> None:
    assert slug(title, "translit") == expected


def test_every_letter_of_the_arabic_block_gives_ascii_without_apostrophes() -> None:
    letters = "".join(chr(c) for c in range(0x0621, 0x064B))
    for ch in letters:
        out = slug(f"كتب {ch}{ch}ا كلمة", "translit")
        assert out.isascii() and "'" not in out and out.startswith("ktb-"), (ch, out)


def test_romanise_leaves_non_arabic_text_alone() -> None:
    assert romanise("Hello, 2026!") == "Hello, 2026!"
    assert romanise("قمة G20") == "qma G20"


def test_the_default_style_keeps_arabic() -> None:
    assert slug("الذكاء الاصطناعي يغيّر غرف الأخبار") == "الذكاء-الاصطناعي-يغير-غرف-الأخبار"
