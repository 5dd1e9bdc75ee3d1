"""Dates in scraped pages (sitegen.importer.dates): every printed form a news page uses, the
span a caller cuts out, and the lines and numbers that are not dates. Fixtures are our own."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.importer.dates import FoundDate, find_date, find_stamp, is_date_line


def iso(text: str, today: datetime.date | None = None) -> str | None:
    found = find_date(text, today=today)
    return found.iso if found else None


@pytest.mark.parametrize("text, expected", [
    # Egyptian/Gulf month names, with the spellings of April and July
    ("السبت 18 مايو 2024", "2024-05-18"),
    ("3 أبريل 2023", "2023-04-03"),
    ("3 ابريل 2023", "2023-04-03"),
    ("3 إبريل 2023", "2023-04-03"),
    ("9 يوليه 2022", "2022-07-09"),
    ("9 يوليو 2022", "2022-07-09"),
    ("1 أغسطس 2020", "2020-08-01"),
    # Levantine and Iraqi names
    ("7 كانون الثاني 2021", "2021-01-07"),
    ("14 أيلول 2019", "2019-09-14"),
    ("30 تشرين الأول 2018", "2018-10-30"),
    ("2 كانون الأول 2017", "2017-12-02"),
    ("5 آذار 2016", "2016-03-05"),
    # Moroccan names
    ("11 غشت 2023", "2023-08-11"),
    ("6 شتنبر 2022", "2022-09-06"),
    ("20 نونبر 2021", "2021-11-20"),
    ("31 دجنبر 2020", "2020-12-31"),
    ("4 يوليوز 2019", "2019-07-04"),
    ("8 ماي 2024", "2024-05-08"),
    # Algerian and Tunisian names
    ("12 جانفي 2024", "2024-01-12"),
    ("29 فيفري 2024", "2024-02-29"),
    ("3 أفريل 2023", "2023-04-03"),
    ("17 جوان 2022", "2022-06-17"),
    ("25 جويلية 2022", "2022-07-25"),
    ("15 أوت 2021", "2021-08-15"),
    # one month printed with both its regional names
    ("10 كانون الثاني/ يناير 2019", "2019-01-10"),
    ("10 كانون الثاني/يناير 2019", "2019-01-10"),
    ("22 أغسطس آب 2014", "2014-08-22"),
    ("أيار (مايو) 12, 2020", "2020-05-12"),
    ("9 حزيران (يونيو) 2021", "2021-06-09"),
    # Arabic-Indic and Persian digits, thousands separator
    ("١٧ يناير ٢٠١٨", "2018-01-17"),
    ("۱۲ مارس ۲۰۲۰", "2020-03-12"),
    ("٥ مايو ٢٬٠٢٤", "2024-05-05"),
    # numeric forms (day first, as in Arab newsrooms)
    ("18-05-2024", "2024-05-18"),
    ("18/05/2024", "2024-05-18"),
    ("2024-05-18", "2024-05-18"),
    ("2024/05/18", "2024-05-18"),
    ("14.11.2024", "2024-11-14"),
    ("١٨/٠٥/٢٠٢٤", "2024-05-18"),
    ("10/27/2014", "2014-10-27"),  # month first, readable because 27 is no month
    # English and French
    ("5th, July 2024", "2024-07-05"),
    ("Monday 3 March 2025", "2025-03-03"),
    ("23 March, 2020", "2020-03-23"),
    ("July 5, 2024", "2024-07-05"),
    ("le 12 décembre 2023", "2023-12-12"),
    ("1er août 2022", "2022-08-01"),
    # a comma before the year and a ميلادي/م after it
    ("الأحد 07 يوليو ,2019", "2019-07-07"),
    ("14 ديسمبر، 2024", "2024-12-14"),
    ("3 مايو 2024 م", "2024-05-03"),
])
def test_date_forms(text: str, expected: str) -> None:
    assert iso(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("18-05-2024 07:48 PM", "2024-05-18T19:48"),
    ("12:34 م الأربعاء 29 أبريل 2015", "2015-04-29T12:34"),
    ("09:37 م الخميس 3 يونيو 2021", "2021-06-03T21:37"),
    ("السبت 06 يوليو ,2019 الساعة: 09:12 صباحاً", "2019-07-06T09:12"),
    ("2 مارس 2020 11:40 مساء", "2020-03-02T23:40"),
    ("٠٥ أبريل ٢٠٢١ - ٠٣:٥٤", "2021-04-05T03:54"),
    ("17/03/2021 05:25PM", "2021-03-17T17:25"),
    ("7:05 صباحًا / 1 مارس، 2022", "2022-03-01T07:05"),
    ("08:05 GMT 14.11.2024", "2024-11-14T08:05"),
    ("2024/09/12 07:45:30", "2024-09-12T07:45"),
    ("أحد, 23/11/2025 - 11:05", "2025-11-23T11:05"),
    ("الساعة 07:20 م|14 يونيو 2018", "2018-06-14T19:20"),
    ("نشر في 27/10/2014, 20:33", "2014-10-27T20:33"),
    ("12:10 ص 1 يناير 2020", "2020-01-01T00:10"),
    ("le 12 décembre 2023 à 14h30", "2023-12-12T14:30"),
    ("2024-05-18T19:48:00+03:00", "2024-05-18T19:48"),
    ("Mon, 18 May 2024 19:48:00 +0300", "2024-05-18T19:48"),
    # right-to-left layout scrambled day, time, year and month
    ("19 10:05 2025 فيفري", "2025-02-19T10:05"),
])
def test_time_is_kept_in_24_hours(text: str, expected: str) -> None:
    assert iso(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("30/ 12/ 1444", "2023-07-18"),
    ("1444/12/30", "2023-07-18"),
    ("25 ربيع الأول 1446هـ", "2024-09-28"),
    ("1 رمضان 1445 هـ", "2024-03-11"),
    ("10 ذو الحجة 1444", "2023-06-28"),
    ("10 ذي الحجة 1444", "2023-06-28"),
    ("12 جمادى الآخرة 1445", "2023-12-25"),
    ("٢٤ شوال ١٤٤٥", "2024-05-03"),
])
def test_hijri_dates_are_converted(text: str, expected: str) -> None:
    found = find_date(text)
    assert found is not None and found.iso == expected and found.hijri


def test_the_first_date_wins_when_gregorian_and_hijri_are_both_printed() -> None:
    found = find_date("الجمعة 3 مايو 2024 م، الموافق 24 شوال 1445 هـ")
    assert found is not None and found.iso == "2024-05-03" and not found.hijri


@pytest.mark.parametrize("text", [
    "وصل الوفد في 30 فبراير 2024 إلى العاصمة",  # no 30 February
    "31/04/2023",  # April has 30 days
    "2023-13-01",
    "45 مايو 2020",
    "30 رمضان 1300",  # before the Umm al-Qura tables
    "في عام 2024 ارتفعت الأسعار",  # a year alone
    "حصل الفريق على 3 نقاط من 12 مباراة",
    "بلغ عدد القراءات ٣٬٨٨٧ قراءة",
    "قال الوزير إن النمو بلغ 3.5 في المئة",
    "رقم الهاتف 0123-45-6789",
    "القانون رقم 10 لسنة 2018",
    "8 مايو",  # day and month, no year
    "09:37 م",  # a time alone
    "نشر 5 أب مقالات",  # آب only counts as a month inside a date
    "",
])
def test_not_a_date(text: str) -> None:
    assert find_date(text) is None


def test_an_impossible_date_is_skipped_for_the_next_valid_one() -> None:
    assert iso("30 فبراير 2024 أو بالأحرى 1 مارس 2024") == "2024-03-01"


def test_span_covers_weekday_date_and_time_of_the_original_text() -> None:
    text = "القاهرة - الأربعاء 3 إبريل 2024 الساعة 10:15 صباحاً - أعلنت الوزارة"
    found = find_date(text)
    assert found == FoundDate("2024-04-03T10:15", text.index("الأربعاء"), text.index(" - أعلنت"))
    # folding drops marks (tanween, tatweel) without shifting the span in the original text
    text = "نُشر في ١٢ جمادى الآخرة ١٤٤٥ هـ ثم"
    found = find_date(text)
    assert found is not None and text[found.start:found.end] == "١٢ جمادى الآخرة ١٤٤٥ هـ"


@pytest.mark.parametrize("before", [0, 3990, 4100, 9000])
def test_first_date_of_a_long_text(before: int) -> None:
    """Long texts are read in windows: a date on either side of a window's edge is found with
    its weekday and time, at its place in the whole text."""
    filler = ("كلام " * 3000)[:before]
    text = filler + "الأحد 3 مايو 2026 الساعة 10:15 صباحاً ثم " + "نص " * 3000 + "4 يونيو 2027"
    found = find_date(text)
    assert found is not None and found.iso == "2026-05-03T10:15"
    assert text[found.start:found.end] == "الأحد 3 مايو 2026 الساعة 10:15 صباحاً"
    assert iso("نص " * 5000 + "4 يونيو 2027") == "2027-06-04"
    assert find_date("نص " * 5000) is None


def test_relative_stamps_need_a_reference_day() -> None:
    assert find_date("• اليوم 15:02") is None
    day = datetime.date(2025, 3, 1)
    assert iso("• اليوم 15:02", today=day) == "2025-03-01T15:02"
    assert iso("أمس 09:30", today=day) == "2025-02-28T09:30"
    # "اليوم" inside a sentence is not a stamp
    assert iso("أعلنت الحكومة اليوم خطة جديدة", today=day) is None
    assert iso("قال الوزير أمس إن الخطة جاهزة", today=day) is None
    assert iso("• أمس", today=day) == "2025-02-28"
    # a printed date still wins over the reference day
    assert iso("نشر في 2 يناير 2025", today=day) == "2025-01-02"


@pytest.mark.parametrize("line", [
    "الأربعاء، 02-09-2021",
    "10:15 م",
    "تاريخ النشر: 5th, July 2024 GMT",
    "نشر بتاريخ: ١٢ أيار ٢٠٢٣",
    "آخر تحديث: 18-05-2024 07:48 PM",
    "• اليوم 15:02",
    "منذ 3 ساعات",
    "منذ دقائق 7",
    "• Sunday 9 March 2025",
    "خميس, 20/11/2025 - 09:40",
    "Date 2024-08-30",
    "العدد : ١٢٣٤٥ - الأحد ٢٩ سبتمبر ٢٠٢٤ م، الموافق ٢٦ ربيع الأول ١٤٤٦هـ",
    "الأحد 4 مايو",
    "الجمعة 3 مايو 2024 ميلادي | 24 شوال 1445 هـ",
    "12:05 GMT+3",
])
def test_date_lines(line: str) -> None:
    assert is_date_line(line)


@pytest.mark.parametrize("line", [
    "افتتح المحافظ الجسر الجديد يوم 18 مايو 2024 بحضور الأهالي.",
    "25 ديسمبر 2019 11:40 مساء (صوت المدينة)",  # a source is left after the stamp
    "أعلنت الوزارة اليوم 3 قرارات",
    "2024",
    "المادة 12",
    "قراءة : 1200",
    "الأخبار",
    "",
])
def test_not_date_lines(line: str) -> None:
    assert not is_date_line(line)


def test_find_stamp_spans_a_dateline_date_even_without_a_year() -> None:
    text = "بغداد 14 آذار مارس (رويترز) - قال"
    start, end = find_stamp(text) or (0, 0)
    assert text[start:end] == "14 آذار مارس"
    text = "القاهرة الأربعاء 3 مايو 2024 10:00 م - قال"
    start, end = find_stamp(text) or (0, 0)
    assert text[start:end] == "الأربعاء 3 مايو 2024 10:00 م"
    assert find_stamp("لا تاريخ في هذا السطر 2024") is None


# --- properties ------------------------------------------------------------------------------

_PIECES = ["18", "٢٩", "05", "2024", "١٤٤٥", "مايو", "كانون الثاني", "/", "-", ".", " ", "،", "(",
           ")", "12:30", "م", "صباحاً", "الأربعاء", "هـ", "اليوم", "قال", "ـ", "\u064b", "أ", "٬"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.dates(datetime.date(1990, 1, 1), datetime.date(2060, 1, 1)))
def test_any_text_gives_a_valid_date_and_span_or_none(pieces: list[str], today: datetime.date) -> None:
    text = "".join(pieces)
    for found in (find_date(text), find_date(text, today=today)):
        if found is not None:
            assert 0 <= found.start < found.end <= len(text)
            day = datetime.date.fromisoformat(found.iso[:10])
            assert 1900 <= day.year <= 2100
            if "T" in found.iso:
                hour, minute = map(int, found.iso[11:].split(":"))
                assert 0 <= hour < 24 and 0 <= minute < 60
    is_date_line(text)


@settings(max_examples=100, deadline=None)
@given(st.dates(datetime.date(1950, 1, 1), datetime.date(2090, 12, 31)), st.sampled_from(["%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y"]))
def test_every_printed_numeric_date_reads_back(day: datetime.date, form: str) -> None:
    assert iso("نشر في " + day.strftime(form) + " مساء") == day.isoformat()
