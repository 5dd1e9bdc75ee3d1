"""Property: for pages built from the seeds' real paragraphs with page noise mixed in, the
importer never crashes, never drops a body sentence and never keeps a noise line."""

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
NOISE = CAPTIONS + ["شارك على فيسبوك", "جميع الحقوق محفوظة"]
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
    assert not body_lines & set(NOISE)
    assert draft.title and len(draft.title) <= 150
    assert draft.summary and len(draft.summary) <= 200
