"""The labelled importer on pages written for these tests, one per pattern a scraped news page
shows: furniture above the headline, credits glued to the lead, captions, other stories, second
articles, pages with no article. Every page here is made up; none is copied from a site."""

from __future__ import annotations

import pytest

from sitegen.errors import SourceError
from sitegen.importer.articles import Draft, parse_seed
from sitegen.importer.labels import Rule, explain, label_page

HEAD = "افتتاح مكتبة عامة جديدة في الحي الشرقي"
P_A = ("افتتحت بلدية المدينة اليوم مكتبة عامة جديدة في الحي الشرقي تضم أكثر من عشرين ألف كتاب "
       "باللغتين العربية والإنجليزية.")
P_B = ("وقال رئيس البلدية خلال حفل الافتتاح إن المكتبة ستفتح أبوابها يوميا من الصباح حتى المساء، "
       "وإن الدخول إليها مجاني للطلاب.")
P_C = "وأضاف أن المكتبة تضم قاعة للأطفال وأخرى للقراءة الهادئة، إلى جانب ركن للحواسيب متصل بالإنترنت."
P_D = "ومن المنتظر أن تنظم المكتبة ورشات أسبوعية في الكتابة والرسم لتلاميذ المدارس القريبة."
BODY = f"{P_A}\n\n{P_B}\n\n{P_C}"


def one(page: str) -> Draft:
    drafts, _warnings = parse_seed(page, "seeds/t.txt")
    assert drafts, "no article"
    return drafts[0]


def label_of(page: str, text: str) -> str:
    return next(lab.label for lab in label_page(page).lines if lab.text == text)


# --- the headline -----------------------------------------------------------------------------
def test_a_section_label_above_the_headline_is_not_the_title() -> None:
    d = one(f"ثقافة\n\n{HEAD}\n\n{BODY}\n")
    assert (d.title, d.title_inferred) == (HEAD, False)
    assert "ثقافة" not in d.body and d.body == BODY


def test_a_kicker_sharing_no_words_with_the_text_is_not_the_title() -> None:
    d = one(f"بعد انتظار دام سنوات طويلة؛\n\n{HEAD}\n\n{BODY}\n")
    assert d.title == HEAD and "انتظار" not in d.body


def test_a_headline_printed_twice_is_the_title_and_leaves_the_body() -> None:
    d = one(f"English\n\nالرئيسية\n\n{HEAD}\n\n{HEAD}\n\n{BODY}\n")
    assert d.title == HEAD and HEAD not in d.body and "English" not in d.body


def test_a_breadcrumb_ending_in_the_headline_gives_the_title() -> None:
    d = one(f"الرئيسية / ثقافة / {HEAD}\n\n{BODY}\n")
    assert d.title == HEAD and "الرئيسية" not in d.body


def test_a_section_word_glued_to_the_headline_is_dropped_from_the_title() -> None:
    d = one(f"خبر {HEAD}\n\n{BODY}\n")
    assert d.title == HEAD


def test_another_story_above_the_headline_is_left_out() -> None:
    other = "الأكثر قراءة"
    teaser = ("أعلنت شركة الكهرباء عن انقطاع التيار في ثلاثة أحياء غدا بسبب أعمال الصيانة الدورية "
              "التي تستمر حتى المساء.")
    d = one(f"{other}\n\n{teaser}\n\n14 مارس 2024\n\nمنوعات\n\n{HEAD}\n\n{BODY}\n")
    assert d.title == HEAD and "الكهرباء" not in d.body and d.body == BODY


def test_without_a_headline_line_the_title_is_inferred_from_the_lead() -> None:
    d = one(f"{BODY}\n")
    assert d.title_inferred and P_A.startswith(d.title.rstrip("…"))


def test_a_headline_after_the_body_is_found() -> None:
    d = one(f"{P_A}\n{HEAD}\n3 مارس 2024\n")
    assert (d.title, d.title_inferred, d.date) == (HEAD, False, "2024-03-03")
    assert HEAD not in d.body


# --- source, author, date ---------------------------------------------------------------------
def test_a_dateline_glued_to_the_lead_becomes_the_source_and_leaves_the_lead() -> None:
    d = one(f"{HEAD}\n\nالقاهرة (رويترز) - {P_A}\n\n{P_B}\n")
    assert d.source == "رويترز" and d.body.startswith("افتتحت بلدية") and "رويترز" not in d.body


def test_an_outlet_and_a_dash_glued_to_the_lead_become_the_source() -> None:
    d = one(f"{HEAD}\n\nصوت المدينة – {P_A}\n\n{P_B}\n")
    assert d.source == "صوت المدينة" and d.body.startswith("افتتحت")


def test_a_dateline_line_with_an_agency_in_parentheses() -> None:
    d = one(f"{HEAD}\n\nعمان-( د ب أ )\n\n{BODY}\n")
    assert d.source == "د ب أ" and "عمان" not in d.body


def test_a_bare_agency_line_after_the_text_is_the_source() -> None:
    d = one(f"{HEAD}\n\n{BODY}\n\nواس\n")
    assert d.source == "واس" and not d.body.endswith("واس")


def test_a_byline_gives_the_author() -> None:
    d = one(f"{HEAD}\n\nبقلم: سامي العلي\n\n{BODY}\n")
    assert d.author == "سامي العلي" and "سامي" not in d.body


def test_a_date_line_gives_an_iso_date_with_its_time() -> None:
    d = one(f"{HEAD}\n\nالأحد 3 مارس 2024 - 10:15\n\n{BODY}\n")
    assert d.date == "2024-03-03T10:15" and "2024" not in d.body


def test_a_levantine_month_in_arabic_indic_digits() -> None:
    d = one(f"{HEAD}\n\n٥ أيلول ٢٠٢٣\n\n{BODY}\n")
    assert d.date == "2023-09-05"


# --- captions, credits, chrome ----------------------------------------------------------------
def test_a_caption_printed_twice_with_its_credit_leaves_the_body() -> None:
    caption = "رئيس البلدية يقص شريط الافتتاح أمام المكتبة الجديدة"
    d = one(f"{HEAD}\n\n{caption}\n{caption} © وكالة الصور\n\n{BODY}\n")
    assert d.title == HEAD and "شريط" not in d.body and d.body == BODY


def test_a_caption_ending_with_an_archive_credit_is_not_the_title() -> None:
    caption = "واجهة المكتبة العامة في الحي الشرقي، المدينة، 2 مارس 2024. - صورة أرشيفية"
    d = one(f"{caption}\n\n{BODY}\n")
    assert d.title_inferred and "أرشيفية" not in d.body and "أرشيفية" not in d.title


def test_ad_labels_and_widgets_inside_the_text_leave_it_and_the_text_goes_on() -> None:
    d = one(f"{HEAD}\n\n{P_A}\n\nإعلان\n\n{P_B}\n\nشارك هذا الخبر\n\nتعليقات فيسبوك\n")
    assert d.body == f"{P_A}\n\n{P_B}"


def test_a_subheading_is_kept_as_a_heading() -> None:
    d = one(f"{HEAD}\n\n{P_A}\n\nقاعات للصغار\n\n{P_C}\n")
    assert d.body == f"{P_A}\n\n## قاعات للصغار\n\n{P_C}"


def test_a_short_last_paragraph_without_a_full_stop_is_kept() -> None:
    d = one(f"{HEAD}\n\n{P_A}\n\n{P_B}\n\nوالدعوة عامة للجميع\n")
    assert d.body.endswith("والدعوة عامة للجميع")


def test_the_lead_printed_twice_collapses_to_one() -> None:
    d = one(f"{HEAD}\n\n{P_A}\n\n{HEAD}\n\n12 مارس 2024\n\n{P_A}\n\n{P_B}\n")
    assert d.body == f"{P_A}\n\n{P_B}"


# --- other stories, second articles -----------------------------------------------------------
TEASERS = ["مهرجان للكتاب المستعمل في الساحة الكبرى", "فريق المدينة يفوز بكأس الدوري للمرة الثالثة",
           "تحذير من موجة حر تضرب المنطقة نهاية الأسبوع"]


def test_an_unlabelled_run_of_headlines_after_the_text_is_related() -> None:
    d = one(f"{HEAD}\n\n{BODY}\n\nشارك\n\n" + "\n\n".join(TEASERS) + "\n")
    assert d.body == BODY and d.related == tuple(TEASERS)


@pytest.mark.parametrize("marker", ["اقرأ أيضا:", "شاهد أيضاً", "ومن أخبارنا أيضا:", "ذات صلة", "Lire aussi"])
def test_a_read_also_block_after_the_text_is_related(marker: str) -> None:
    d = one(f"{HEAD}\n\n{BODY}\n\n{marker}\n\n" + "\n".join(f"- {t}" for t in TEASERS) + "\n")
    assert d.body == BODY and set(TEASERS) <= set(d.related) | set(d.read_also)


def test_a_read_also_block_inside_the_text_does_not_cut_it() -> None:
    d = one(f"{HEAD}\n\n{P_A}\n\nاقرأ أيضا:\n{TEASERS[0]}\nhttps://example.org/a/1\n\n{P_B}\n\n{P_C}\n")
    assert d.body == BODY and d.read_also == (TEASERS[0],)


def test_a_listing_gives_the_first_story_and_the_next_as_their_own_articles() -> None:
    second = "إغلاق طريق الكورنيش لأعمال الصيانة"
    second_text = ("أعلنت إدارة المرور إغلاق طريق الكورنيش ليلا طوال الأسبوع المقبل لإجراء أعمال "
                   "صيانة للإنارة والأرصفة.")
    page = f"أخبار\n\n{HEAD}\n\nالأحد 3 مارس 2024 - 10:15\n\n{P_A}\n\n{P_B}\n\n{second}\n\nالأحد 3 مارس 2024 - 09:00\n\n{second_text}\n"
    first, other = parse_seed(page, "seeds/t.txt")[0]
    assert (first.title, first.body) == (HEAD, f"{P_A}\n\n{P_B}")
    assert (other.title, other.body, other.part) == (second, second_text, 2)
    assert second in first.read_also


# --- pages with no article ----------------------------------------------------------------------
def test_a_page_of_menus_and_widgets_is_refused_in_one_line() -> None:
    page = ("الرئيسية\nسياسة\nاقتصاد\nرياضة\nEnglish\n\nالأكثر قراءة\n\nاشترك في النشرة البريدية ليصلك "
            "كل جديد من أخبارنا كل صباح.\n\nجميع الحقوق محفوظة 2024\n")
    with pytest.raises(SourceError) as e:
        parse_seed(page, "seeds/x.txt")
    assert str(e.value) == "seeds/x.txt: import: no article found (mostly navigation and widgets)"


def test_a_page_glued_into_one_line_with_its_share_widget_is_refused() -> None:
    page = f"{P_A} facebooktwitterwhatsappcopylink {P_B} {P_C} " * 3
    with pytest.raises(SourceError, match="glued into one line"):
        parse_seed(page, "seeds/x.txt")


# --- the labels themselves ----------------------------------------------------------------------
def test_every_line_gets_a_label_and_a_reason() -> None:
    page = f"ثقافة\n\n{HEAD}\n\nبقلم: سامي العلي\n\n{BODY}\n\nشارك\n"
    labels = label_page(page)
    assert [lab.label for lab in labels.lines] == [
        "chrome", "headline", "byline", "paragraph", "paragraph", "paragraph", "chrome"]
    assert all(lab.reason for lab in labels.lines)
    shown = explain(labels)
    assert "headline" in shown and "byline" in shown and HEAD in shown


# --- per-outlet rules -------------------------------------------------------------------------------
def test_an_import_rule_adds_noise_a_title_pattern_and_a_source() -> None:
    page = f"نشرة المساء\n\n{HEAD}\n\n{BODY}\n\nمع تحيات فريق التحرير\n"
    rule = Rule(match_text="نشرة المساء", noise=("مع تحيات فريق التحرير",), title=r"^افتتاح", source="صوت المدينة")
    d = parse_seed(page, "seeds/t.txt", (rule,))[0][0]
    assert (d.title, d.source) == (HEAD, "صوت المدينة") and "تحيات" not in d.body
    other = parse_seed(page.replace("نشرة المساء", "نشرة الصباح"), "seeds/t.txt", (rule,))[0][0]
    assert other.source is None  # the rule matches only the pages it names


def test_a_caption_with_its_photographer_in_parentheses_leaves_the_text() -> None:
    d = one(f"{HEAD}\n\n{P_A}\n\nالقاعة الرئيسية في المكتبة الجديدة (تصوير: فريق البلدية)\n\n{P_B}\n")
    assert d.body == f"{P_A}\n\n{P_B}"


def test_an_outlet_line_saying_how_the_story_was_gathered_is_the_source() -> None:
    d = one(f"{HEAD}\n\nصوت المدينة - خاص\n\n{BODY}\n")
    assert d.source == "صوت المدينة" and "خاص" not in d.body


def test_a_byline_above_the_headline_gives_the_author() -> None:
    d = one(f"بقلم: سامي العلي\n\n{HEAD}\n\n{BODY}\n")
    assert (d.title, d.author) == (HEAD, "سامي العلي")


def test_an_outlet_in_guillemets_with_its_city_glued_to_the_lead() -> None:
    d = one(f"{HEAD}\n\n«صوت المدينة» (بيروت) - {P_A}\n\n{P_B}\n")
    assert d.source == "صوت المدينة" and d.body.startswith("افتتحت بلدية")


def test_a_section_word_that_opens_like_a_byline_keyword_is_no_author() -> None:
    # "منوعات" begins with "من" (a byline's "by"): a word, not a byline.
    d = one(f"منوعات\n\n{HEAD}\n\n{BODY}\n")
    assert d.author is None and d.title == HEAD


def test_an_agency_credit_closing_the_text_becomes_the_source() -> None:
    d = one(f"{HEAD}\n\n{P_A}\n\n{P_B} (وكالات)\n")
    assert d.source == "وكالات" and d.body.endswith("مجاني للطلاب.")


def test_a_paragraph_closed_by_an_agency_credit_is_never_taken_for_a_caption() -> None:
    d = one(f"{HEAD}\n\n{P_A} (رويترز)\n\n{P_B}\n\n{P_C}\n")
    assert P_A in d.body and P_B in d.body and P_C in d.body


def test_short_sentences_closing_the_text_are_all_kept() -> None:
    d = one(f"{HEAD}\n\n{P_A}\n\n{P_B}\n\nوالدخول مجاني.\nوالمواعيد ثابتة.\nوالدعوة عامة للجميع\n\nشارك\n")
    assert d.body.endswith("والدخول مجاني.\n\nوالمواعيد ثابتة.\n\nوالدعوة عامة للجميع")


def test_a_site_name_after_the_headline_is_dropped_from_the_title() -> None:
    d = one(f"{HEAD} | صحيفة المساء\n\n{BODY}\n")
    assert d.title == HEAD


# --- share buttons, photo credits, unstopped headlines, keyword lists ----------------------------
def test_share_buttons_named_in_arabic_after_a_read_also_list_are_not_other_stories() -> None:
    page = (f"{HEAD}\n\n{BODY}\n\nاقرأ أيضا\n\nالبلدية تطلق حملة لتشجير الشوارع الرئيسية\n\n"
            "شارك\n\nفيسبوك\n\nتويتر\n\nواتساب\n")
    d = one(page)
    assert d.related == ("البلدية تطلق حملة لتشجير الشوارع الرئيسية",)
    assert "فيسبوك" not in d.body


def test_a_caption_closed_by_a_private_photo_credit_is_not_a_subheading() -> None:
    d = one(f"{HEAD}\n\n{P_A}\n\n{P_B}\n\nصورة من حفل الافتتاح (خاص)\n\n{P_C}\n\n{P_D}\n")
    assert "حفل الافتتاح (خاص)" not in d.body
    assert d.body == f"{P_A}\n\n{P_B}\n\n{P_C}\n\n{P_D}"


def test_a_long_headline_printed_without_a_stop_is_the_title_not_the_first_paragraph() -> None:
    head = "البلدية تفتتح مكتبة عامة جديدة في الحي الشرقي وتدعو الطلاب إلى زيارتها"
    d = one(f"آخر تحديث: 03/03/2025 - 11:20\n\n{head}\n\n{BODY}\n")
    assert (d.title, d.title_inferred) == (head, False)
    assert d.body == BODY



def test_keywords_one_a_line_under_a_bare_label_become_tags() -> None:
    d = one(f"{HEAD}\n\n{BODY}\n\nالوسوم\n\nمكتبات عامة\n\nالحي الشرقي\n\nثقافة\n")
    assert d.tags == ("مكتبات عامة", "الحي الشرقي", "ثقافة")
    assert d.body == BODY


def test_keywords_on_the_line_after_a_bare_label_become_tags() -> None:
    d = one(f"{HEAD}\n\n{BODY}\n\nكلمات مفتاحية\n\nمكتبات عامة، الحي الشرقي، ثقافة\n")
    assert d.tags == ("مكتبات عامة", "الحي الشرقي", "ثقافة")
