"""Credits in scraped pages (sitegen.importer.credits): datelines glued to a lead, lines that
are only a source, bylines and photo credits, credits closing a caption; and the ordinary
sentences with a dash, colon or parenthesis that must not be taken for any of them.
Fixtures are our own, one per form."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.importer.credits import (
    AGENCIES, OUTLETS, Credit, agency_name, byline, is_outlet_name, is_place, leading_credit, source_line,
    trailing_credit,
)

LEAD = "أعلنت البلدية افتتاح حديقة عامة جديدة في الحي الشرقي."


@pytest.mark.parametrize("prefix, source, place", [
    ("مدريد ( د ب أ ) - ", "د ب أ", "مدريد"),
    ("مدريد (د.ب.أ) - ", "د ب أ", "مدريد"),
    ("القاهرة (رويترز) - ", "رويترز", "القاهرة"),
    ("باريس (أ ف ب) – ", "فرانس برس", "باريس"),
    ("بيروت (ا ف ب) - ", "فرانس برس", "بيروت"),
    ("الرياض (واس) - ", "واس", "الرياض"),
    ("أنقرة (الأناضول) ـ ", "الأناضول", "أنقرة"),
    ("بكين (شينخوا) - ", "شينخوا", "بكين"),
    ("عمان (بترا) - ", "بترا", "عمان"),
    # the date inside a dateline is cut out of the place (dates.py reads it)
    ("بغداد 14 آذار مارس (رويترز) – ", "رويترز", "بغداد"),
    ("الدوحة في 3 مايو 2024 (قنا) - ", "قنا", "الدوحة"),
    # a known agency in brackets at the very start, no place
    ("(كونا) - ", "كونا", None),
    # braces: {place:outlet}
    ("{البصرة:الرافدين نيوز} ", "الرافدين نيوز", "البصرة"),
    ("{البصرة: الرافدين نيوز} ", "الرافدين نيوز", "البصرة"),
    # outlet in guillemets
    ("«الصباح» (الرياض) - ", "الصباح", "الرياض"),
    ("عدن «المرصد» خاص: ", "المرصد", "عدن"),
    # slashes around a known agency, with the day spelled out before it
    ("أبوظبي في الثاني من يونيو/ وام/ ", "وام", "أبوظبي"),
    ("المنامة/ بنا/ ", "بنا", "المنامة"),
    ("غزة / وفا - ", "وفا", "غزة"),
    # outlet (or place) and a dash glued to the lead
    ("النهار نيوز - ", "النهار نيوز", None),
    ("الوادي الإخباري-    ", "الوادي الإخباري", None),
    ("شمس – ", "شمس", None),
    ("الخرطوم - ", None, "الخرطوم"),
    ("بوابة الصباح: ", "بوابة الصباح", None),
    ("الساحل 24: ", "الساحل 24", None),
    ("نابلس - وكالة النور للأنباء - ", "وكالة النور للأنباء", "نابلس"),
    # a scraper that lost the break between the dateline's outlet and the lead
    ("غزة - صوت المدينة", "صوت المدينة", "غزة"),
])
def test_dateline_glued_to_the_lead(prefix: str, source: str | None, place: str | None) -> None:
    credit = leading_credit(prefix + LEAD)
    assert credit is not None
    assert (credit.source, credit.place, credit.rest, credit.kind) == (source, place, LEAD, "dateline")


def test_outlet_reporter_and_lead() -> None:
    credit = leading_credit("الفجر نيوز - هالة منصور - " + LEAD)
    assert credit == Credit("الفجر نيوز", "هالة منصور", None, LEAD, "dateline")
    # a name the lexicon cannot vouch for is taken, marked uncertain for the caller to weigh
    credit = leading_credit("الفجر - هالة منصور - " + LEAD)
    assert credit == Credit("الفجر", "هالة منصور", None, LEAD, "dateline", certain=False)


@pytest.mark.parametrize("prefix, source, certain", [
    ("شمس – ", "شمس", False),
    ("كورونا - ", "كورونا", False),  # a topic kicker looks the same: only context can tell
    ("شمس نيوز – ", "شمس نيوز", True),
    ("(كونا) - ", "كونا", True),
    ("الساحل 24: ", "الساحل 24", True),
])
def test_certainty_of_a_dateline(prefix: str, source: str, certain: bool) -> None:
    credit = leading_credit(prefix + LEAD)
    assert credit is not None and credit.source == source and credit.certain is certain


def test_a_place_before_a_colon_may_be_a_headline_topic() -> None:
    credit = leading_credit("السودان: " + LEAD)
    assert credit == Credit(None, None, "السودان", LEAD, "dateline", certain=False)


@pytest.mark.parametrize("line, source, place, author", [
    ("نابلس-( د ب أ )", "د ب أ", "نابلس", None),
    ("{كربلاء:الرافدين نيوز}", "الرافدين نيوز", "كربلاء", None),
    ("«الصباح» (جدة)", "الصباح", "جدة", None),
    ("> عدن «المرصد» خاص:", "المرصد", "عدن", None),
    ("الرافدين نيوز- البصرة", "الرافدين نيوز", "البصرة", None),
    ("الخرطوم - صوت النيل", "صوت النيل", "الخرطوم", None),
    ("دبي، الإمارات (رويترز) -", "رويترز", "دبي، الإمارات", None),
    ("أنقرة/ الأناضول", "الأناضول", "أنقرة", None),
    ("أنقرة/ سمير داود/ الأناضول", "الأناضول", "أنقرة", "سمير داود"),
    ("وكالة النجمة للأخبار – بنغازي.", "وكالة النجمة للأخبار", "بنغازي", None),
    ("المشرق - الأردن", "المشرق", "الأردن", None),
    ("بكين- سلوى نادر وعلي حسن:", None, "بكين", "سلوى نادر وعلي حسن"),
])
def test_dateline_alone_on_a_line(line: str, source: str | None, place: str | None, author: str | None) -> None:
    credit = leading_credit(line)
    assert credit is not None
    assert (credit.source, credit.place, credit.author, credit.rest) == (source, place, author, "")


@pytest.mark.parametrize("line, source", [
    ("المصدر: صوت النيل", "صوت النيل"),
    ("المصدر : الرافدين ٢٤", "الرافدين ٢٤"),
    ("الرافدين نيوز/متابعة", "الرافدين نيوز"),
    ("الرافدين نيوز - متابعة", "الرافدين نيوز"),
])
def test_leading_credit_reads_whole_source_lines_too(line: str, source: str) -> None:
    credit = leading_credit(line)
    assert credit is not None and credit.source == source and credit.rest == ""


@pytest.mark.parametrize("line", [
    # speech and headlines with a colon
    "قال الوزير: إن الحكومة ستخفض الضرائب العام المقبل.",
    "وزير المالية: لن نرفع أسعار الوقود هذا العام.",
    "مجلة الأسبوع: «المدينة تغيرت كثيراً خلال عقد»",
    "الطقس اليوم: أمطار خفيفة على المرتفعات الشمالية.",
    "ارتفعت الأسعار: الخبز والحليب والزيت.",
    "الساعة 06:15 م|3 مايو 2024",
    # dashes inside a sentence
    "الحكومة - التي أعلنت أمس عن خطتها - قررت تأجيل التنفيذ.",
    "في هذا السياق - قال المتحدث إن الأمر مؤجل.",
    "وتعاني المدينة -العاصمة الاقتصادية للبلاد- من أزمة سكن.",
    "عاجل - حريق في المنطقة الصناعية",
    "صورة الجسر - وكالة الشمال, 1920, 3.5.2024",
    # brackets inside a sentence
    "أكدت الوزارة (في بيان لها) - أن العمل مستمر.",
    "وتملك وكالة الأنباء الرسمية (سبأ) مطبعتين في العاصمة.",
    "«لن نتراجع» قال الرئيس في خطابه أمس.",
    # plain sentences and widgets
    "الأمم المتحدة تدعو إلى وقف إطلاق النار.",
    "• قناة الشمال نايل سات: HD 11200 V SR:27500",
    "",
])
def test_ordinary_lines_are_not_datelines(line: str) -> None:
    assert leading_credit(line) is None


@pytest.mark.parametrize("line, source", [
    ("المصدر: وكالة السحاب", "وكالة السحاب"),
    ("سانا", "سانا"),
    ("سبأ نت", "سبأ"),
    ("(أ ف ب)", "فرانس برس"),
    ("د.ب.أ", "د ب أ"),
    ("Reuters", "رويترز"),
    ("BBC", "بي بي سي"),
    ("سانا - SANA", "سانا"),
    ("وكالة الأنباء الكويتية", "كونا"),
    ("وكالة السحاب للأنباء", "وكالة السحاب للأنباء"),
    ("الرافدين نيوز - متابعة", "الرافدين نيوز"),
    ("الرافدين نيوز/ متابعات", "الرافدين نيوز"),
    ("(صوت المدينة)", "صوت المدينة"),
    ("الساعة الإخبارية ـ", "الساعة الإخبارية"),
    ("وكالات", "وكالات"),
    ("نقلاً عن موقع الصباح", "موقع الصباح"),
])
def test_source_lines(line: str, source: str) -> None:
    assert source_line(line) == Credit(source, None, None, "", "source_line")


@pytest.mark.parametrize("line, certain", [
    ("الرافدين نيوز", True),
    ("الساحل 24", True),
    ("بغداد اليوم", True),
    ("موقع الحادث", False),  # "the site of the accident" looks like "موقع X" (an outlet)
])
def test_bare_outlet_lines(line: str, certain: bool) -> None:
    assert source_line(line) == Credit(line, None, None, "", "source_line", certain=certain)


def test_source_line_with_the_place_it_writes_from() -> None:
    assert source_line("وكالة النجمة للأخبار – بنغازي.") == Credit(
        "وكالة النجمة للأخبار", None, "بنغازي", "", "source_line")


@pytest.mark.parametrize("line", ["المصدر الأصلي", "المصدر", "Source link", "مصدر الخبر:"])
def test_bare_source_labels(line: str) -> None:
    assert source_line(line) == Credit(None, None, None, "", "source_label")


@pytest.mark.parametrize("line", [
    "الطقس اليوم",
    "الفرنسية",  # a language switch, not AFP (AFP only inside a caption's brackets)
    "العربية",  # the language, not the channel
    "القاهرة",
    "قال الرئيس إن الوضع مستقر.",
    "المزيد",
    "أخبار",
    "[ad_1]",
    "(أرشيفية)",
    "",
])
def test_not_source_lines(line: str) -> None:
    assert source_line(line) is None


@pytest.mark.parametrize("line, author", [
    ("كتب - محمد علي", "محمد علي"),
    ("كتب: سارة أحمد", "سارة أحمد"),
    ("كتبت - منى خليل", "منى خليل"),
    ("بقلم فاطمة الزهراء", "فاطمة الزهراء"),
    ("بقلم: أ.د. خالد يوسف", "أ.د. خالد يوسف"),
    ("من أحمد سالم", "أحمد سالم"),
    ("تقرير: ليلى حسن", "ليلى حسن"),
    ("إعداد: فريق التحرير", "فريق التحرير"),
    ("حوار: نادر سعيد", "نادر سعيد"),
    ("كاتب المقال Jean Dupont", "Jean Dupont"),
    ("By Jane Smith", "Jane Smith"),
    ("كتب/ سامي علي", "سامي علي"),
])
def test_bylines(line: str, author: str) -> None:
    assert byline(line) == Credit(None, author, None, "", "byline")


def test_photographer_is_not_the_author() -> None:
    assert byline("تصوير: كريم مراد") == Credit(None, None, None, "", "photo_credit", "كريم مراد")
    assert byline("عدسة - سامي فؤاد") == Credit(None, None, None, "", "photo_credit", "سامي فؤاد")
    assert byline("تصوير: رويترز") == Credit("رويترز", None, None, "", "photo_credit", None)


def test_a_label_alone_says_the_name_is_on_the_next_line() -> None:
    assert byline("تصوير :") == Credit(None, None, None, "", "photo_credit")
    assert byline("كتب:") == Credit(None, None, None, "", "byline")


@pytest.mark.parametrize("line", [
    "من القاهرة",
    "من المتوقع أن ترتفع الأسعار",
    "كتبت الصحيفة أن الوضع خطير في المنطقة.",
    "تقرير الأمم المتحدة يحذر من المجاعة",
    "بقلم رصاص على ورقة بيضاء كتب الطفل رسالة طويلة إلى والده في الغربة.",
    "",
])
def test_not_bylines(line: str) -> None:
    assert byline(line) is None


@pytest.mark.parametrize("line, source, rest", [
    ("اجتماع الحكومة في العاصمة (الوكالة الوطنية للإعلام)", "الوكالة الوطنية للإعلام",
     "اجتماع الحكومة في العاصمة"),
    ("المتظاهرون في الساحة الرئيسية - نبأ21", "نبأ21", "المتظاهرون في الساحة الرئيسية"),
    ("وزير الخارجية خلال المؤتمر (أ ف ب)", "فرانس برس", "وزير الخارجية خلال المؤتمر"),
    ("جنود في الميدان (الفرنسية)", "فرانس برس", "جنود في الميدان"),
    ("أطلقت السفينة صفارتها. (رويترز)", "رويترز", "أطلقت السفينة صفارتها."),
    ("قتلى في القصف (وكالات)", "وكالات", "قتلى في القصف"),
    ("ساحة المدينة ليلاً (الجزيرة)", "الجزيرة", "ساحة المدينة ليلاً"),
    ("مؤتمر صحفي للوزير (العربية)", "العربية", "مؤتمر صحفي للوزير"),
    ("ازدحام في السوق (شبكة الساحل)", "شبكة الساحل", "ازدحام في السوق"),
    ("3 مايو 2024 11:40 مساء (صوت المدينة)", "صوت المدينة", "3 مايو 2024 11:40 مساء"),
])
def test_trailing_credits(line: str, source: str, rest: str) -> None:
    assert trailing_credit(line) == Credit(source, None, None, rest, "trailing_credit")


@pytest.mark.parametrize("line, source, photographer, rest", [
    ("مبنى البرلمان © Reuters", "رويترز", None, "مبنى البرلمان"),
    ("مبنى الوزارة © Sputnik . Ivan Petrov", "سبوتنيك", "Ivan Petrov", "مبنى الوزارة"),
    ("© AFP / John Doeمرفأ المدينة", "فرانس برس", "John Doe", "مرفأ المدينة"),
    ("لماذا أحب البحر ! ح.م", None, None, "لماذا أحب البحر !"),
    ("© Reuters سفينة شحن في الميناء", "رويترز", None, "سفينة شحن في الميناء"),
])
def test_photo_credits_at_the_end(line: str, source: str | None, photographer: str | None, rest: str) -> None:
    assert trailing_credit(line) == Credit(source, None, None, rest, "photo_credit", photographer)


@pytest.mark.parametrize("line, rest", [
    ("وأعلنت الشرطة عن توقيف المشتبه بهم. انتهى", "وأعلنت الشرطة عن توقيف المشتبه بهم."),
    ("وأعلنت الشرطة عن توقيف المشتبه بهم.انتهى 31", "وأعلنت الشرطة عن توقيف المشتبه بهم."),
    ("وغادر الوفد مساء اليوم. /انتهى/", "وغادر الوفد مساء اليوم."),
    ("انتهى", ""),
])
def test_agency_end_markers(line: str, rest: str) -> None:
    assert trailing_credit(line) == Credit(None, None, None, rest, "end_marker")


def test_a_copyright_notice_naming_no_one() -> None:
    assert trailing_credit("© جميع الحقوق محفوظة") == Credit(None, None, None, "", "copyright")


def test_archive_photo_notes_mark_a_caption() -> None:
    assert trailing_credit("طفلان في الحديقة (أرشيفية)") == Credit(None, None, None, "طفلان في الحديقة", "photo_note")
    assert trailing_credit("الرئيس في مكتبه - صورة أرشيفية") == Credit(None, None, None, "الرئيس في مكتبه", "photo_note")


@pytest.mark.parametrize("line", [
    "انتهى الاجتماع دون اتفاق.",
    "قال إن الاجتماع انتهى",
    "وصل الرئيس إلى المطار (الذي افتتح حديثا)",
    "زار الوزير المدينة - الخرطوم",
    "ثم عاد الوفد إلى بلاده - في وقت متأخر",
    "تعرضت مطابع وكالة الأنباء الرسمية (سبأ)",  # the agency glossed, not credited
    "حادث سير على الطريق الدولي (صور)",
    "التقى الوزير بالسفير (الجديد)",
    "نابلس-( د ب أ )",  # a dateline: leading_credit's
    "",
])
def test_not_trailing_credits(line: str) -> None:
    assert trailing_credit(line) is None


def test_agency_lexicon_folds_spellings_and_abbreviations() -> None:
    assert agency_name("د ب ا") == agency_name("د.ب.أ") == agency_name("DPA") == "د ب أ"
    assert agency_name("أ.ش.أ") == "أ ش أ"
    assert agency_name("وكالة الانباء السعودية") == "واس"
    assert agency_name("الفرنسية") is None and agency_name("الفرنسية", in_brackets=True) == "فرانس برس"
    assert agency_name("وكالة غير معروفة") is None
    assert agency_name("فرانس24") == agency_name("France 24") == "فرانس 24"


def test_places() -> None:
    assert is_place("رام الله") and is_place("الاسكندرية") and is_place("أبو ظبي")
    assert not is_place("الحكومة")


# --- properties ------------------------------------------------------------------------------

_PIECES = ["مدريد", "(", ")", " ", "-", "–", "ـ", ":", "/", "«", "»", "{", "}", "رويترز", "د ب أ", "متابعة",
           "كتب", "بقلم", "من", "قال", "الوزير", "إن", "الحكومة", ".", "انتهى", "31", "©", "Reuters", "نيوز",
           "صورة أرشيفية", "تصوير", "المصدر", "وكالة", "للأنباء", "3 مايو 2024"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16))
@example(["مدريد", "-", "مدريد", "-", "3 مايو 2024", "."])  # a stop once cut from a lead
def test_a_credit_only_ever_cuts_text_away(pieces: list[str]) -> None:
    """Whatever the line, a leading credit's rest is the line's end and a trailing credit's
    rest its start (a glued photo caption aside): no word of the text is invented."""
    text = "".join(pieces)
    lead = leading_credit(text)
    if lead is not None and lead.rest:
        assert text.rstrip().endswith(lead.rest)
    trail = trailing_credit(text)
    if trail is not None and trail.kind not in ("photo_credit", "copyright"):
        assert text.startswith(trail.rest)
    squeezed = "".join(text.split())
    for credit in (lead, trail, source_line(text), byline(text)):
        if credit is not None:
            for name in (credit.author, credit.place, credit.photographer):
                assert name is None or "".join(name.split()) in squeezed
            assert credit.source is None or credit.source in AGENCIES or credit.source in OUTLETS or "".join(credit.source.split()) in squeezed


# --- slashes, dashes, byline labels, outlet names ------------------------------------------------
def test_an_outlet_a_spaced_slash_and_the_lead() -> None:
    found = leading_credit("مجلة المدن الخضراء الإلكترونية / " + LEAD)
    assert found is not None and found.source == "مجلة المدن الخضراء الإلكترونية" and found.rest == LEAD


def test_a_slash_inside_a_sentence_is_no_credit() -> None:
    assert leading_credit("قرر المجلس / بعد نقاش طويل / تأجيل الجلسة إلى الأسبوع المقبل.") is None


def test_two_outlets_around_a_dash_sign_with_the_first_even_with_a_clause_word_in_its_name() -> None:
    found = leading_credit("موقع كل ساعة - جريدة النهار الجديد")
    assert found is not None and found.source == "موقع كل ساعة" and found.rest == ""


@pytest.mark.parametrize("line, author", [("بواسطة: رنا حداد", "رنا حداد"), ("المحرر: سعيد الخطيب", "سعيد الخطيب")])
def test_more_byline_labels(line: str, author: str) -> None:
    found = byline(line)
    assert found is not None and found.author == author


@pytest.mark.parametrize("name, outlet", [
    ("صوت المدينة نيوز", True), ("وكالة الأنباء الليبية", True), ("الساحل 24", True), ("(رويترز)", True),
    ("عربي", False), ("اقرأ الآن:", False), ("المزيد من أخبار موقعنا", False), ("ليلى منصور", False),
])
def test_is_outlet_name(name: str, outlet: bool) -> None:
    assert is_outlet_name(name) is outlet
