"""The importer on page patterns that Arabic outlets commonly print and that a first set of
scraped pages may not show: bylines in their several wordings (before the text or after it),
date and update lines in Latin, Maghrebi, Levantine and Hijri forms, share/print/font-size
chrome, follow-us and newsletter boxes, comment and view counters, photo credits, source
lines, read-also variants, live-blog stamps, interviews, numbered lists, quotes, flattened
tables and English words inside Arabic text. Each page is one pattern, written for this test
(no text is taken from any site); each asserts what an editor expects to see in the article.
"""

from __future__ import annotations

import pytest

from sitegen.importer import lexicon
from sitegen.importer.articles import Draft, parse_seed

HEAD = "البلدية تزرع ألف شجرة في شوارع المدينة القديمة"
LEAD = ("بدأت بلدية المدينة صباح اليوم حملة لزراعة ألف شجرة في شوارع المدينة القديمة وساحاتها، "
        "بمشاركة متطوعين من المدارس والجمعيات الأهلية.")
SECOND = ("وقال مسؤول الحدائق في البلدية إن الحملة تستمر أسبوعين، وإن الأشجار اختيرت من أنواع "
          "تتحمل الحر وقلة الماء.")
THIRD = "وأضاف أن البلدية ستتولى سقي الأشجار خلال عامها الأول قبل أن تسلمها إلى لجان الأحياء."
BODY = [LEAD, SECOND, THIRD]


def page(*lines: str) -> str:
    return "\n\n".join(lines) + "\n"


def one(text: str) -> Draft:
    drafts, _warnings = parse_seed(text, "seeds/t.txt")
    assert drafts, "no article"
    return drafts[0]


def assert_article(d: Draft, *, title: str = HEAD, gone: tuple[str, ...] = ()) -> None:
    """The page's own article: its headline, every paragraph of its text, none of `gone`."""
    assert (d.title, d.title_inferred) == (title, False)
    for paragraph in BODY:
        assert paragraph in d.body
    for noise in gone:
        assert noise not in d.body, noise


# --- bylines -----------------------------------------------------------------------------------
@pytest.mark.parametrize("line, author", [
    ("كتب: سامي الحداد", "سامي الحداد"),
    ("كتب - سامي الحداد", "سامي الحداد"),
    ("بقلم: د. ليلى منصور", "ليلى منصور"),
    ("بقلم ليلى منصور", "ليلى منصور"),
    ("إعداد: هالة يوسف", "هالة يوسف"),
])
def test_a_byline_between_headline_and_lead_gives_the_author(line: str, author: str) -> None:
    d = one(page(HEAD, line, *BODY))
    assert_article(d, gone=(line,))
    assert d.author is not None and author in d.author


@pytest.mark.parametrize("line, author", [
    ("إعداد: هالة يوسف", "هالة يوسف"),
    ("ترجمة: مروان العلي", "مروان العلي"),
    ("تحرير: نادية سليم", "نادية سليم"),
    ("كتب: سامي الحداد", "سامي الحداد"),
])
def test_a_byline_closing_the_text_gives_the_author_and_leaves_the_body(line: str, author: str) -> None:
    d = one(page(HEAD, *BODY, line))
    assert_article(d, gone=(line,))
    assert d.author == author


# --- dates -------------------------------------------------------------------------------------
@pytest.mark.parametrize("line, iso", [
    ("15/03/2024", "2024-03-15"),
    ("15/03/2024 - 10:30", "2024-03-15T10:30"),
    ("آخر تحديث: 15/03/2024 10:30", "2024-03-15T10:30"),
    ("نُشر في: 3 مارس 2024", "2024-03-03"),
    ("تاريخ النشر: 2024-03-03", "2024-03-03"),
    ("الأحد 12 جانفي 2025", "2025-01-12"),
    ("24 فيفري 2025", "2025-02-24"),
    ("الثلاثاء 4 كانون الثاني 2022", "2022-01-04"),
    ("5 رمضان 1445 هـ", "2024-03-15"),
])
def test_a_date_line_gives_the_date_and_leaves_the_body(line: str, iso: str) -> None:
    d = one(page(HEAD, line, *BODY))
    assert_article(d, gone=(line,))
    assert d.date is not None and d.date.startswith(iso)


def test_an_update_line_after_the_text_is_not_a_paragraph() -> None:
    d = one(page(HEAD, "نشر في 3 مارس 2024", *BODY, "آخر تحديث: 4 مارس 2024 - 09:15"))
    assert_article(d, gone=("آخر تحديث",))
    assert d.date is not None and d.date.startswith("2024-03-0")


# --- page chrome -------------------------------------------------------------------------------
def test_share_print_and_font_size_buttons_leave_the_body() -> None:
    chrome = ("شارك", "فيسبوك", "تويتر", "واتساب", "طباعة", "حجم الخط", "+", "-", "A+", "A-")
    d = one(page(HEAD, *chrome, *BODY, "شارك الخبر", "نسخ الرابط"))
    assert_article(d, gone=("طباعة", "حجم الخط", "نسخ الرابط", "A+"))


@pytest.mark.parametrize("tail", [
    ("تابعونا على فيسبوك وتويتر وإنستغرام",),
    ("تابعوا أخبارنا عبر قناتنا على تيليجرام",),
    ("اشترك في نشرتنا البريدية ليصلك كل جديد", "البريد الإلكتروني", "اشترك"),
    ("سجل بريدك الإلكتروني لتصلك أهم الأخبار يوميا", "اشترك الآن"),
    ("التعليقات (3)",),
    ("5 تعليقات",),
    ("عدد المشاهدات: 1520",),
    ("1520 مشاهدة",),
    ("قراءة 2,340",),
])
def test_follow_newsletter_and_counter_lines_after_the_text_leave_it(tail: tuple[str, ...]) -> None:
    d = one(page(HEAD, *BODY, *tail))
    assert_article(d, gone=tail)


def test_a_view_counter_under_the_headline_leaves_the_body() -> None:
    d = one(page(HEAD, "الاثنين 3 مارس 2025", "المشاهدات: 857", *BODY))
    assert_article(d, gone=("857",))


# --- photos ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lines", [
    ("متطوعون يزرعون الأشجار في الساحة الكبرى (أ ف ب)",),
    ("متطوعون يزرعون الأشجار في الساحة الكبرى - صورة أرشيفية",),
    ("صورة أرشيفية",),
    ("تصوير: خالد ناصر",),
    ("متطوعون يزرعون الأشجار في الساحة الكبرى", "تصوير: خالد ناصر"),
    ("شجرة في أحد شوارع المدينة (أرشيفية)",),
])
def test_photo_captions_and_credits_under_the_headline_leave_the_body(lines: tuple[str, ...]) -> None:
    d = one(page(HEAD, *lines, *BODY))
    assert_article(d, gone=lines)
    assert d.author is None  # a photographer is not the author


# --- sources -----------------------------------------------------------------------------------
@pytest.mark.parametrize("line, source", [
    ("المصدر: وكالة الأنباء القطرية", "وكالة الأنباء القطرية"),
    ("المصدر : الأناضول", "الأناضول"),
    ("المصدر: صحيفة المساء", "صحيفة المساء"),
])
def test_a_source_line_after_the_text_gives_the_source(line: str, source: str) -> None:
    d = one(page(HEAD, *BODY, line))
    assert_article(d, gone=(line,))
    assert d.source == source


# --- other stories -----------------------------------------------------------------------------
OTHER_1 = "افتتاح سوق شعبي جديد للخضار في الضاحية الجنوبية"
OTHER_2 = "مدرسة المدينة تفوز بجائزة أنظف مدرسة لهذا العام"


@pytest.mark.parametrize("marker", [
    "اقرأ أيضا:", "اقرأ ايضا", "إقرأ أيضاً", "المزيد:", "ذات صلة", "طالع أيضا:", "اقرأ المزيد",
    "مواضيع ذات صلة", "أخبار ذات صلة", "شاهد أيضا", "اخترنا لك",
])
def test_read_also_wordings_after_the_text_move_titles_out(marker: str) -> None:
    d = one(page(HEAD, *BODY, marker, OTHER_1, OTHER_2))
    assert_article(d, gone=(OTHER_1, OTHER_2, marker.rstrip(":")))
    assert OTHER_1 in (d.related + d.read_also)


@pytest.mark.parametrize("marker", ["اقرأ أيضا:", "اقرأ ايضا", "طالع أيضا:"])
def test_a_read_also_title_inside_the_text_leaves_it_and_the_text_goes_on(marker: str) -> None:
    d = one(page(HEAD, LEAD, marker, OTHER_1, SECOND, THIRD))
    assert_article(d, gone=(OTHER_1,))


# --- text shapes that must survive -------------------------------------------------------------
def test_a_live_blog_keeps_every_update() -> None:
    updates = [
        "وصل الوفد الأول إلى قاعة المؤتمر وبدأ المنظمون توزيع جدول الأعمال على الحاضرين.",
        "افتتح رئيس المؤتمر الجلسة بكلمة رحب فيها بالمشاركين من اثنتي عشرة دولة.",
        "انتهت الجلسة الأولى وأعلن المنظمون استراحة قصيرة قبل بدء ورشات العمل.",
    ]
    d = one(page("مباشر: مؤتمر المدن الخضراء يفتتح أعماله اليوم", "10:05", updates[0], "10:30",
                 updates[1], "11:15", updates[2]))
    for u in updates:
        assert u in d.body
    # the clock times head their updates, in order
    assert [line for line in d.body.splitlines() if line.startswith("##")] == ["## 10:05", "## 10:30", "## 11:15"]


def test_an_interview_keeps_every_question_and_answer() -> None:
    qa = [
        "س: متى بدأت فكرة المشروع؟",
        "ج: بدأت قبل ثلاث سنوات حين لاحظنا أن الأحياء القديمة تخلو تقريبا من الظل.",
        "س: ومن يمول الحملة؟",
        "ج: البلدية وحدها، مع تبرعات صغيرة من أهل الأحياء.",
        "س: وماذا بعد؟",
        "ج: نريد أن نصل إلى عشرة آلاف شجرة خلال خمس سنوات.",
    ]
    d = one(page("مسؤول الحدائق: نريد مدينة أكثر ظلا", "حوار: سامي الحداد",
                 "التقينا مسؤول الحدائق في البلدية وسألناه عن حملة التشجير الجديدة وأهدافها.", *qa))
    assert d.title == "مسؤول الحدائق: نريد مدينة أكثر ظلا"
    for line in qa:
        assert line.split(": ", 1)[1] in d.body
    assert d.author == "سامي الحداد"


def test_a_numbered_list_inside_the_text_is_kept_in_order() -> None:
    items = ["1. الزيتون", "2. الخروب", "3. السدر", "4. النخيل"]
    d = one(page(HEAD, LEAD, "واختارت البلدية أربعة أنواع من الأشجار هي:", *items, SECOND, THIRD))
    assert_article(d)
    positions = [d.body.index(item.split(". ")[1]) for item in items]
    assert positions == sorted(positions)


def test_a_quoted_statement_is_kept_whole() -> None:
    quote = "«نريد أن يجد كل طفل في الحي شجرة يستظل بها في الصيف»، قالت إحدى المتطوعات."
    d = one(page(HEAD, LEAD, quote, SECOND, THIRD))
    assert_article(d)
    assert "نريد أن يجد كل طفل" in d.body


def test_a_table_flattened_to_lines_is_kept() -> None:
    rows = ["الحي | عدد الأشجار", "الحي الشرقي | 300", "الحي الغربي | 250", "وسط المدينة | 450"]
    d = one(page(HEAD, LEAD, "وتوزعت الأشجار على الأحياء كما يلي:", *rows, SECOND, THIRD))
    assert_article(d)
    for row in rows[1:]:
        assert row.split(" | ")[0] in d.body


def test_english_words_inside_the_text_are_kept() -> None:
    mixed = ("واستعملت البلدية تطبيق GreenCity لتسجيل موقع كل شجرة، ويمكن للسكان متابعة نموها "
             "عبر الموقع www.example.org أو حساب @GreenCity على Twitter.")
    d = one(page(HEAD, LEAD, mixed, SECOND, THIRD))
    assert_article(d)
    assert "GreenCity" in d.body and "Twitter" in d.body


# --- the title ---------------------------------------------------------------------------------
def test_a_lead_broken_after_a_comma_does_not_beat_the_headline() -> None:
    broken = ["بدأت بلدية المدينة صباح اليوم،",
              "حملة لزراعة ألف شجرة في شوارع المدينة القديمة بمشاركة متطوعين من المدارس."]
    d = one(page(HEAD, *broken, SECOND))
    assert (d.title, d.title_inferred) == (HEAD, False)
    assert broken[0] in d.body and broken[1] in d.body


def test_a_lead_broken_mid_clause_keeps_its_first_line() -> None:
    broken = ["بدأت البلدية التي تدير",
              "الحدائق العامة منذ سنوات حملة لزراعة ألف شجرة في شوارع المدينة القديمة."]
    d = one(page(HEAD, *broken, SECOND))
    assert d.title == HEAD and broken[0] in d.body


def test_a_two_word_headline_sharing_both_words_with_the_lead_wins_over_the_lead() -> None:
    lead = ["انطلقت مساء أمس فعاليات الدورة العاشرة،",
            "من معرض الكتاب السنوي بمشاركة مئتي دار نشر من بلدان عربية وأجنبية."]
    d = one(page("معرض للكتاب", *lead, SECOND))
    assert (d.title, d.title_inferred) == ("معرض للكتاب", False)
    assert lead[0] in d.body


def test_a_two_word_section_label_is_not_the_headline() -> None:
    d = one(page("أخبار محلية", *BODY))
    assert d.title_inferred and d.title != "أخبار محلية"
    assert "أخبار محلية" not in d.body


def test_without_any_headline_the_title_is_inferred_from_the_lead() -> None:
    d = one(page(*BODY))
    assert d.title_inferred
    assert d.title and d.title in LEAD


@pytest.mark.parametrize("line, source", [("رويترز", "رويترز"), ("(أ ف ب)", "فرانس برس"), ("سانا", "سانا")])
def test_a_bare_agency_after_the_text_is_its_source_not_a_photo_credit(line: str, source: str) -> None:
    d = one(page(HEAD, *BODY, line))
    assert_article(d, gone=(line,))
    assert d.source in (source, line.strip("()"))


def test_a_headline_sharing_no_word_with_the_lead_is_still_the_title() -> None:
    head = "«ظل لكل طفل».. حلم صغير يكبر"
    d = one(page("منوعات", head, *BODY))
    assert (d.title, d.title_inferred) == (head, False)


def test_a_kicker_and_headline_on_one_line_under_a_date_is_the_title() -> None:
    head = "بعد سنوات من الانتظار.. البلدية تزرع ألف شجرة في المدينة القديمة"
    d = one(page("الأحد 3 مارس 2024", head, *BODY))
    assert (d.title, d.title_inferred) == (head, False)


@pytest.mark.parametrize("share", ["شارك المقال", "شاركها على", "Share", "انشر الخبر"])
def test_long_headlines_after_a_share_label_are_other_stories(share: str) -> None:
    others = ["مجلس المدينة يناقش اليوم خطة جديدة لتوسيع شبكة الحافلات العامة نحو الأحياء البعيدة",
              "افتتاح معرض للصناعات التقليدية في الساحة الكبرى بمشاركة عشرات الحرفيين من المنطقة",
              "طلاب المدرسة الثانوية يفوزون بالمرتبة الأولى في مسابقة العلوم الوطنية لهذا العام"]
    d = one(page(HEAD, *BODY, share, *others))
    assert_article(d, gone=tuple(others))
    assert others[0] in d.related


# --- bylines, sources and widgets around the text ------------------------------------------------
def test_a_byline_and_a_date_on_one_line_give_both() -> None:
    d = one(page(HEAD, "كتب: سامي الحداد - 3 مارس 2024", *BODY))
    assert_article(d, gone=("سامي الحداد",))
    assert (d.author, d.date) == ("سامي الحداد", "2024-03-03")


def test_a_source_line_under_the_headline_gives_the_source() -> None:
    d = one(page(HEAD, "المصدر: رويترز", *BODY))
    assert_article(d, gone=("المصدر",))
    assert d.source == "رويترز"


def test_an_agency_closing_an_unstopped_last_paragraph_is_its_source_not_a_caption() -> None:
    last = "وأضاف أن البلدية ستتولى سقي الأشجار خلال عامها الأول قبل أن تسلمها إلى لجان الأحياء"
    d = one(page(HEAD, LEAD, SECOND, last + " (د ب أ)"))
    assert last in d.body and "د ب أ" not in d.body
    assert d.source == "د ب أ"


def test_a_place_and_how_the_story_was_gathered_is_no_author() -> None:
    d = one(page(HEAD, "دمشق - خاص", *BODY))
    assert_article(d, gone=("دمشق - خاص",))
    assert d.author is None


def test_a_call_to_join_a_channel_on_a_platform_leaves_the_body() -> None:
    d = one(page(HEAD, *BODY, "انضم إلى قناة المساء على واتساب"))
    assert_article(d, gone=("واتساب",))


def test_a_comment_form_after_the_text_gives_no_related_title() -> None:
    d = one(page(HEAD, *BODY, "أضف تعليقك", "الاسم", "البريد الإلكتروني", "إرسال"))
    assert_article(d, gone=("إرسال", "الاسم"))
    assert d.related == ()


def test_more_from_a_section_heads_a_related_list_and_is_no_title_itself() -> None:
    d = one(page(HEAD, *BODY, "المزيد من محليات", OTHER_1, OTHER_2))
    assert_article(d, gone=(OTHER_1,))
    assert d.related == (OTHER_1, OTHER_2)


# --- markup, interviews, signatures, hashtags, calls ---------------------------------------------
@pytest.mark.parametrize("marked", [f"# {HEAD}", f"## {HEAD}", f"**{HEAD}**"])
def test_markdown_a_scraper_kept_around_the_headline_is_not_in_the_title(marked: str) -> None:
    assert_article(one(page(marked, *BODY)))


def test_a_label_set_apart_before_the_headline_stays_as_printed() -> None:
    d = one(page(f"عاجل | {HEAD}", *BODY))
    assert (d.title, d.title_inferred) == (f"عاجل | {HEAD}", False)


@pytest.mark.parametrize("buttons", ["ت + ت - الحجم الطبيعي", "A+ A- A", "أ أ أ +"])
def test_a_row_of_font_size_buttons_is_no_source_and_leaves_the_body(buttons: str) -> None:
    d = one(page(HEAD, buttons, *BODY))
    assert_article(d, gone=(buttons,))
    assert d.source is None


def test_an_interview_in_question_and_answer_lines_keeps_its_headline_and_every_line() -> None:
    head = "حوار مع مسؤول الحدائق في البلدية حول حملة التشجير"
    qa = ["س/ متى بدأت فكرة المشروع؟",
          "ج/ بدأت قبل ثلاث سنوات حين لاحظنا أن الأحياء القديمة تخلو تقريبا من الظل.",
          "س/ ومن يمول الحملة؟",
          "ج/ البلدية وحدها، مع تبرعات صغيرة من أهل الأحياء."]
    d = one(page(head, *qa))
    assert (d.title, d.title_inferred) == (head, False)
    for line in qa:
        assert line[3:] in d.body


def test_a_writer_signing_with_an_email_address_is_the_author_not_the_source() -> None:
    d = one(page(HEAD, *BODY, "سامي الحداد - sami@example.org"))
    assert_article(d, gone=("sami@example.org",))
    assert (d.author, d.source) == ("سامي الحداد", None)


def test_hashtags_after_the_text_become_tags() -> None:
    d = one(page(HEAD, *BODY, "#البيئة #التشجير_الحضري"))
    assert_article(d, gone=("#البيئة",))
    assert d.tags == ("البيئة", "التشجير الحضري")


def test_a_lead_broken_after_a_clause_holding_a_date_keeps_that_clause() -> None:
    broken = ["ومنذ انطلاق الحملة في 3 مارس 2024،",
              "زرعت البلدية أكثر من ستمائة شجرة في الشوارع والساحات بمساعدة المتطوعين من المدارس."]
    d = one(page(HEAD, *broken, SECOND))
    assert d.title == HEAD and broken[0] in d.body and broken[1] in d.body
    assert d.date is None  # a date inside the text is not the article's date


@pytest.mark.parametrize("line, widget", [
    ("تابعونا على فيسبوك وتويتر", True), ("انضم إلى قناتنا على تيليجرام", True),
    ("اشترك في نشرتنا البريدية", True), ("تابع آخر الأخبار عبر واتساب", True), ("Follow us on Twitter", True),
    ("5 تعليقات", True), ("عدد القراءات: 2,340", True), ("المشاهدات (857)", True),
    # news that opens with the same verbs, or counts things
    ("تابع الوزير كلمته على فيسبوك", False), ("انضم الوزير إلى تيك توك", False),
    ("اشترك آلاف الطلاب في المسابقة", False), ("سجل الفريق 5 أهداف", False), ("5 مدارس", False),
])
def test_calls_and_counters_are_told_from_news_by_shape(line: str, widget: bool) -> None:
    assert lexicon.is_chrome_line(line) is widget


def test_a_lead_printed_in_bold_keeps_its_marks_as_printed() -> None:
    d = one(page(HEAD, f"**{LEAD}**", SECOND, THIRD))
    assert d.title == HEAD and LEAD in d.body
    assert d.body.startswith("\\*\\*")  # a text seed's asterisks are text, escaped
