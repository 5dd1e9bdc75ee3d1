"""Property: for pages built from the seeds' real paragraphs with page noise mixed in, the
importer never crashes, never drops a body sentence and never keeps a widget line. (A short
name line between paragraphs is ambiguous — a caption or a line of the text — and may stay:
nothing is dropped unless it is positively furniture.)"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.importer.articles import parse_seed

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_LINES = [line.strip() for p in sorted(SEEDS.glob("*.txt")) for line in p.read_text(encoding="utf-8").split("\n")]
# Body sentences: the seeds' paragraphs (lines ending like a sentence, not list items).
PARAGRAPHS = sorted({line for line in _LINES if line.endswith((".", '".', '!".')) and not line.startswith("•")})
HEADINGS = ["ما هي منصة تروث سوشيال Truth Social؟", "ما علاقة تروث سوشيال بـ إيلون ماسك؟"]
CAPTIONS = ["دونالد ترامب", "تروث سوشيال", '"دونالد ترامب" و "إيلون ماسك"', "إيلون ماسك"]
BLANKS = ["", "\u00a0", " \u00a0 ", "\u00a0\u00a0"]
WIDGETS = ["شارك على فيسبوك", "جميع الحقوق محفوظة"]
NOISE = CAPTIONS + WIDGETS
TITLES = ["خطة ترامب للانتقام من شركات التكنولوجيا الكبيرة ومنصات التواصل الاجتماعي",
          "هل بايدن حي؟.. إيلون ماسك يثير ضجة بسبب الرئيس الأمريكي"]


def squeeze(text: str) -> str:
    """Text without any whitespace: the importer may only change spacing (and NBSPs)."""
    return re.sub(r"\s", "", text)


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, list[str]]:
    """(page text, the body paragraphs it holds)."""
    lines: list[str] = []
    title = draw(st.sampled_from([None, *TITLES]))
    if title:
        lines.append(title)
    body = draw(st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=6))
    for paragraph in body:
        lines += draw(st.lists(st.sampled_from(NOISE + BLANKS), max_size=3))
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append(draw(st.sampled_from(HEADINGS)))
        lines.append(paragraph)
        lines += draw(st.lists(st.sampled_from(BLANKS), max_size=2))
    separator = draw(st.sampled_from(["\n", "\n\n", "\r\n\r\n"]))
    return separator.join(lines), body


def test_the_seeds_hold_enough_paragraphs_for_the_property() -> None:
    assert len(PARAGRAPHS) >= 30 and all(squeeze(h) for h in HEADINGS)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_generated_pages_keep_every_body_sentence_and_drop_noise(page: tuple[str, list[str]]) -> None:
    text, body = page
    drafts, _warnings = parse_seed(text.replace("\r\n", "\n"), "seeds/generated.txt")
    assert len(drafts) == 1
    [draft] = drafts
    kept = squeeze(draft.body)
    for paragraph in body:
        assert squeeze(paragraph) in kept
    body_lines = {line.strip() for line in draft.body.split("\n")}
    assert not body_lines & set(WIDGETS)
    assert draft.title and len(draft.title) <= 150
    assert draft.summary and len(draft.summary) <= 200


# --- furniture above and around the article ------------------------------------------------------
# Page furniture as any outlet prints it (written for this test): above the headline, between the
# headline and the lead, inside the text, and after it.
ABOVE = ["أخبار", "سياسة عربية", "English", "Français", "الرئيسية", "اختر لغتك", "آخر الأخبار",
         "الأحد 3 مارس 2024 - 10:15", "12:05 م الخميس 7 نوفمبر 2024", "#أخبار_اليوم", "إعلان", "logo",
         "ت + ت - الحجم الطبيعي", "15/03/2024 10:30", "24 فيفري 2025", "4 كانون الثاني 2022"]
BETWEEN = ["بقلم: سامي العلي", "الأحد 3 مارس 2024 - 10:15", "القاهرة - صوت المدينة", "© وكالة الصور",
           "واس", "تصوير: فريق الموقع", "كتب: رنا حداد - 3 مارس 2024", "المصدر: رويترز", "دمشق - خاص",
           "صورة أرشيفية", "المشاهدات: 857", "آخر تحديث: 15/03/2024 10:30"]
INSIDE = ["إعلان", "Advertisement", "شارك هذا الخبر", "اضغط للاستماع"]
AFTER = ["شارك هذا الخبر", "تعليقات فيسبوك", "Back to top", "جميع الحقوق محفوظة 2024", "اقرأ أيضا:",
         "كلمات مفتاحية", "Continue reading", "5 تعليقات", "تابعونا على فيسبوك وتويتر",
         "اشترك في نشرتنا البريدية ليصلك كل جديد", "انضم إلى قناتنا على واتساب", "رنا حداد - rana@example.org",
         "المزيد من محليات", "عدد المشاهدات: 1520"]
OTHER_TITLES = ["مهرجان للكتاب المستعمل في الساحة الكبرى", "فريق المدينة يفوز بكأس الدوري للمرة الثالثة",
                "تحذير من موجة حر تضرب المنطقة نهاية الأسبوع"]
SHARED_FURNITURE = set(ABOVE + BETWEEN + AFTER)


@st.composite
def furnished_pages(draw: st.DrawFn) -> tuple[str, list[str], str | None]:
    """(page text, the body paragraphs it holds, its headline or None)."""
    lines: list[str] = draw(st.lists(st.sampled_from(ABOVE), max_size=4))
    title = draw(st.sampled_from([None, *TITLES]))
    if title:
        lines.append(title)
        if draw(st.booleans()):
            lines.append(title)  # printed twice
    lines += draw(st.lists(st.sampled_from(BETWEEN), max_size=2))
    body = draw(st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=5, unique=True))
    for k, paragraph in enumerate(body):
        if k and draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.sampled_from(INSIDE)))
        comma = paragraph.find("، ")
        if k == 0 and 20 <= comma and draw(st.booleans()):
            # The lead broken over two lines after its first clause (a scraper's line break).
            lines += [paragraph[: comma + 1], paragraph[comma + 2:]]
        else:
            lines.append(paragraph)
    lines += draw(st.lists(st.sampled_from(AFTER), max_size=3))
    if draw(st.booleans()):
        lines += draw(st.lists(st.sampled_from(OTHER_TITLES), min_size=2, max_size=3, unique=True))
    separator = draw(st.sampled_from(["\n", "\n\n", "\n\u00a0\n"]))
    return separator.join(lines) + "\n", body, title


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(furnished_pages())
def test_pages_with_furniture_keep_every_body_sentence_and_no_furniture(
        page: tuple[str, list[str], str | None]) -> None:
    text, body, title = page
    drafts, _warnings = parse_seed(text, "seeds/generated.txt")
    [first, *_] = drafts
    kept = squeeze(first.body)
    for paragraph in body:
        assert squeeze(paragraph) in kept
    body_lines = {line.strip() for line in first.body.split("\n") if line.strip()}
    assert not body_lines & SHARED_FURNITURE
    assert not any(squeeze(t) in kept for t in OTHER_TITLES)
    assert first.title and first.title not in SHARED_FURNITURE and len(first.title) <= 160
