"""Dates and times in scraped Arabic news pages → ISO strings, with their place in the text.

A page prints its date in many ways: Arabic month names from every region (Egyptian/Gulf
يناير…ديسمبر, Levantine كانون الثاني…أيلول, Moroccan غشت/شتنبر/نونبر/دجنبر, Algerian and
Tunisian جانفي/فيفري/أفريل/جوان/جويلية/أوت), two names for one month (`كانون الثاني/ يناير`,
`حزيران (يونيو)`), English and French month names, Hijri month names or a Hijri year
(converted to the Gregorian date with `hijridate`), numeric forms (`18-05-2024`, `2024/05/18`,
`14.11.2024`), Arabic-Indic or Persian digits, and a time with or without a meridiem
(`07:48 PM`, `09:37 م`, `09:12 صباحاً`). What holds:

- `find_date` returns the first *valid* full date (day, month and year; an impossible day such
  as 30 February is skipped, never guessed) as ISO `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM` (24 h)
  when a time is printed next to it. A year alone, a day and month without a year, a time
  alone and plain numbers are not dates. Relative stamps (`اليوم 15:02`, `أمس`) are dates only
  when the caller gives the reference day.
- The span (start, end) covers the stamp in the caller's text: a weekday just before the
  date and a time just before or after it are inside it, so cutting the span out of a
  dateline leaves no half of the stamp behind.
- `is_date_line` is true when a line is only a stamp: what is left after removing dates,
  times, weekdays, the usual labels (تاريخ النشر، آخر تحديث، منذ …), bullets and pipes is
  (almost) nothing.

Matching runs on a folded copy of the text (sitegen.arabic.fold, character by character, so
every folded character knows which original character it came from).
"""

from __future__ import annotations

import bisect
import datetime
import logging
import re
from dataclasses import dataclass

from sitegen.arabic import fold

log = logging.getLogger(__name__)

__all__ = ["FoundDate", "FoldedText", "find_date", "find_stamp", "is_date_line", "MONTH_NAMES", "HIJRI_MONTH_NAMES"]


@dataclass(frozen=True)
class FoundDate:
    """A date found in a text."""

    iso: str
    """`2024-05-18`, or `2024-05-18T19:48` when a time was printed with the date (24 h)."""
    start: int
    """Start of the stamp in the text given to find_date (weekday and time included)."""
    end: int
    """End (exclusive) of the stamp in that text."""
    hijri: bool = False
    """True when the text printed a Hijri date (converted to Gregorian in `iso`)."""


# --- Lexicon (written as printed; folded below) ----------------------------------------
# Gregorian months: Egyptian/Gulf, Levantine/Iraqi (Syriac), Moroccan, Algerian/Tunisian
# (French-derived), then English and French names.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "كانون ثاني", "جانفي", "جانفييه", "يانير",
        "january", "jan", "janvier", "janv"),
    2: ("فبراير", "فبرير", "شباط", "فيفري", "فبرايير", "february", "feb", "février", "fevrier", "févr", "fevr"),
    3: ("مارس", "آذار", "march", "mar", "mars"),
    4: ("أبريل", "إبريل", "ابريل", "أبريل", "نيسان", "أفريل", "ابرايل", "april", "apr", "avril", "avr"),
    5: ("مايو", "أيار", "ماي", "may", "mai"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "june", "jun", "juin"),
    7: ("يوليو", "يوليه", "يوليوز", "تموز", "جويلية", "جويليه", "july", "jul", "juillet", "juil"),
    8: ("أغسطس", "اغسطس", "آب", "أوت", "غشت", "august", "aug", "août", "aout"),
    9: ("سبتمبر", "أيلول", "شتنبر", "september", "sep", "sept", "septembre"),
    10: ("أكتوبر", "تشرين الأول", "تشرين أول", "اكتوبر", "october", "oct", "octobre"),
    11: ("نوفمبر", "تشرين الثاني", "تشرين ثاني", "نونبر", "november", "nov", "novembre"),
    12: ("ديسمبر", "كانون الأول", "كانون أول", "دجنبر", "دیسمبر", "december", "dec", "décembre", "decembre", "déc"),
}
HIJRI_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("محرم", "محرم الحرام"),
    2: ("صفر", "صفر الخير"),
    3: ("ربيع الأول", "ربيع أول"),
    4: ("ربيع الثاني", "ربيع الآخر", "ربيع ثاني", "ربيع آخر"),
    5: ("جمادى الأولى", "جمادى الأول", "جمادى أولى"),
    6: ("جمادى الآخرة", "جمادى الثانية", "جمادى الآخر", "جمادى الثاني", "جمادى آخرة"),
    7: ("رجب",),
    8: ("شعبان",),
    9: ("رمضان",),
    10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة", "ذو القعده"),
    12: ("ذو الحجة", "ذي الحجة"),
}
_WEEKDAY_NAMES = (
    "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت",
    "أحد", "اثنين", "إثنين", "ثلاثاء", "أربعاء", "خميس", "جمعة", "سبت",
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sun", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat",
    "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
)
# Meridiem words after a time: morning / evening in Arabic, English and French forms.
_AM_WORDS = ("ص", "صباحا", "صباحاً", "صباحًا", "صباح", "فجرا", "فجراً", "am", "a.m.", "a.m")
_PM_WORDS = ("م", "مساء", "مساءً", "مساءا", "مساءاً", "ظهرا", "ظهراً", "عصرا", "عصراً",
             "ليلا", "ليلاً", "pm", "p.m.", "p.m")

# Gregorian years accepted as a news date; Hijri years converted with hijridate.
_GREGORIAN_YEARS = range(1900, 2101)
_HIJRI_YEARS = range(1300, 1501)


def _alternation(names: "list[str] | tuple[str, ...]") -> str:
    """A regex alternation of folded `names`, longest first (so آب never eats آب's prefix of
    a longer name), each name's spaces matching any run of spaces."""
    folded = sorted({fold(n) for n in names}, key=len, reverse=True)
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in folded)


_MONTH_BY_KEY = {fold(n): m for m, names in MONTH_NAMES.items() for n in names}
_HIJRI_BY_KEY = {fold(n): m for m, names in HIJRI_MONTH_NAMES.items() for n in names}
_SPACE_RUN = re.compile(r"\s+")

# A name ends where no letter follows (Arabic letters are \w in Python's re).
_END = r"(?!\w)"
_START = r"(?<!\w)"
_G_MONTH = rf"{_START}(?:{_alternation([n for ns in MONTH_NAMES.values() for n in ns])}){_END}"
_H_MONTH = rf"{_START}(?:{_alternation([n for ns in HIJRI_MONTH_NAMES.values() for n in ns])}){_END}"
# A month, perhaps followed by its other regional name: "كانون الثاني/ يناير", "اغسطس اب",
# "حزيران (يونيو)", "ديسمبر - كانون الاول".
_MONTH_PAIR = rf"(?P<m1>{_G_MONTH})(?:\s*(?:[/\-–]\s*|\(\s*)?(?P<m2>{_G_MONTH})\s*\)?)?"
_HMONTH = rf"(?P<hm>{_H_MONTH})"
_DAY = r"(?<!\d)(?P<d>[0-3]?\d)(?:st|nd|rd|th|er)?(?!\d)"
_YEAR = r"(?<!\d)(?P<y>\d{4})(?!\d)"
_YEAR_WORD = r"(?:(?:سنه|عام|لعام|من\s+عام)\s+)?"
# "م" (ميلادي), "ه"/"هـ" (هجري) right after a year belong to the stamp.
_ERA = r"(?:\s*(?:ميلادي|هجري|هجريه|م|ه)(?!\w))?"
_SEP = r"\s*[,،]?\s*"

_WORD_DATES = [
    # 18 مايو 2024, 5th, July 2024, 04 يوليو ,2019, ٢٩ أيار ٢٠٢٥, 3 كانون الثاني/ يناير 2019
    re.compile(rf"{_DAY}{_SEP}(?:من\s+|of\s+)?{_MONTH_PAIR}{_SEP}{_YEAR_WORD}{_YEAR}{_ERA}"),
    # حزيران (يونيو) 10, 2021 / July 5th, 2024
    re.compile(rf"{_MONTH_PAIR}\s*{_DAY}{_SEP}{_YEAR}{_ERA}"),
    # "19 10:05 2025 فيفري": day, time, year, month as right-to-left layout scrambles them.
    re.compile(rf"{_DAY}\s+(?P<t>\d{{1,2}}:\d{{2}})\s+{_YEAR}\s+{_MONTH_PAIR}"),
]
_HIJRI_DATES = [
    re.compile(rf"{_DAY}{_SEP}(?:من\s+)?{_HMONTH}{_SEP}{_YEAR_WORD}{_YEAR}{_ERA}"),
]
_NUMERIC_DATES = [
    # 2024-05-18, 2024/05/18, 2025.10.22, "2013:04:09." (year first, colons only when followed
    # by a stop or space, so a time "20:14:06" never reads as a date)
    re.compile(r"(?<![\d.:/\-])(?P<y>\d{4})\s*(?P<s>[-/.])\s*(?P<m>\d{1,2})\s*(?P=s)\s*(?P<d>\d{1,2})(?![\d/])(?!\.\d)"),
    re.compile(r"(?<![\d.:/\-])(?P<y>\d{4}):(?P<m>\d{2}):(?P<d>\d{2})(?=[.\sT]|$)"),
    # 18-05-2024, 18/05/2024, 14.11.2024, "30/ 12/ 1444"
    re.compile(r"(?<![\d.:/\-])(?P<d>\d{1,2})\s*(?P<s>[-/.])\s*(?P<m>\d{1,2})\s*(?P=s)\s*(?P<y>\d{4})(?![\d/])(?!\.\d)"),
]
_ERA_AFTER_NUMERIC = re.compile(r"\s*(?:ميلادي|هجري|هجريه|م|ه)(?!\w)")

_MERIDIEM = _alternation(list(_AM_WORDS) + list(_PM_WORDS))
_AM_KEYS = {fold(w) for w in _AM_WORDS}
# 07:48 PM, 12:34 م, 09:12 صباحا, 15:02, 07:45:30, 05:25PM
# 14h30 and 14h: the French clock.
_TIME = (r"(?<![\d:])(?P<h>[0-2]?\d)(?::(?P<min>[0-5]\d)(?::(?P<sec>[0-5]\d))?|h(?P<fr>[0-5]\d)?)(?![\d:])"
         rf"(?:\s*(?P<mer>{_MERIDIEM})(?![\w.]))?")
_TIME_RE = re.compile(_TIME)
_WEEKDAY = rf"{_START}(?:{_alternation(_WEEKDAY_NAMES)}){_END}"
# Between a date and its time: separators, "الساعة", "at", "à", "GMT".
_GLUE = r"(?:t(?=\d)|[\s,،.\-–—|/•·]*(?:(?:الساعه|ساعه|at|a|à|في)\s*[:：]?[\s\-–—]*)?)"
_TIME_AFTER = re.compile(rf"{_GLUE}{_TIME}")
_TIME_BEFORE = re.compile(rf"(?:{_START}(?:الساعه|ساعه){_END}\s*[:：]?\s*)?{_TIME}(?:\s*(?:gmt|utc))?"
                          rf"[\s,،\-–—|/•·]*(?:{_WEEKDAY}[\s,،]*)?$")
_GMT_AFTER = re.compile(r"\s*(?:gmt|utc)(?:\s*[+\-]\s*\d{1,2}(?::\d{2})?)?(?!\w)")
_WEEKDAY_BEFORE = re.compile(rf"{_WEEKDAY}[\s,،\-–—]*$")
_RELATIVE = re.compile(rf"{_START}(?P<w>اليوم|امس|البارحه|today|yesterday|aujourd'hui|hier){_END}")


class FoldedText:
    """`text` folded character by character, remembering each folded character's source
    position, so a match in the folded text maps back to a span of the original."""

    __slots__ = ("key", "origin", "text")

    def __init__(self, text: str) -> None:
        parts: list[str] = []
        origin: list[int] = []
        for i, char in enumerate(text):
            if char.isspace():
                out = " "
            elif char in "٬":  # Arabic thousands separator: "٢٬٠٢٤" is 2024
                out = ""
            elif char == "٫":  # Arabic decimal separator
                out = "."
            else:
                out = fold(char)
            parts.append(out)
            origin.extend([i] * len(out))
        self.key = "".join(parts)
        self.origin = origin
        self.text = text

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded span [start, end). Marks that folding removed
        (tanween in صباحاً, the tatweel of هـ) right after the span belong to it."""
        if start >= end:
            pos = self.origin[start] if start < len(self.origin) else len(self.text)
            return pos, pos
        while end - 1 > start and self.key[end - 1] == " ":
            end -= 1  # a pattern's trailing \s* is not part of the stamp
        stop = self.origin[end - 1] + 1
        while stop < len(self.text) and not self.text[stop].isspace() and fold(self.text[stop]) == "":
            stop += 1
        return self.origin[start], stop


def _gregorian(year: int, month: int, day: int) -> datetime.date | None:
    if year not in _GREGORIAN_YEARS:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _from_hijri(year: int, month: int, day: int) -> datetime.date | None:
    if year not in _HIJRI_YEARS:
        return None
    from hijridate import Hijri  # only pages with Hijri dates need it

    try:
        g = Hijri(year, month, day).to_gregorian()
        return datetime.date(g.year, g.month, g.day)
    except (ValueError, OverflowError):
        # OverflowError: before 1343 AH, outside the Umm al-Qura tables hijridate holds.
        return None


def _time_of(m: re.Match[str]) -> str | None:
    """HH:MM (24 h) of a _TIME match, or None when it is no clock time (25:10, 13:00 PM)."""
    hour, minute = int(m.group("h")), int(m.group("min") or m.group("fr") or 0)
    mer = m.group("mer")
    if mer and hour <= 12:
        # A meridiem word after a 24-hour time ("15:02 م") changes nothing.
        key = _SPACE_RUN.sub(" ", mer)
        if key in _AM_KEYS:
            hour = 0 if hour == 12 else hour
        elif key == "ليلا":
            hour = 0 if hour == 12 else hour if hour <= 5 else hour + 12  # 2:00 ليلا is 02:00
        elif hour != 12:
            hour += 12
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


@dataclass(frozen=True)
class _Candidate:
    day: datetime.date
    start: int  # folded positions
    end: int
    time: str | None
    hijri: bool


def _word_candidates(key: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for pattern in _WORD_DATES:
        for m in pattern.finditer(key):
            month = _MONTH_BY_KEY.get(_SPACE_RUN.sub(" ", m.group("m1")))
            second = m.group("m2")
            if month is None or (second and _MONTH_BY_KEY.get(_SPACE_RUN.sub(" ", second)) != month):
                # "يناير/ فبراير": two different months is a range or noise, not one date.
                continue
            day = _gregorian(int(m.group("y")), month, int(m.group("d")))
            if day is None:
                continue
            time = None
            if "t" in pattern.groupindex and m.group("t"):
                t = _TIME_RE.fullmatch(m.group("t"))
                time = _time_of(t) if t else None
            found.append(_Candidate(day, m.start(), m.end(), time, False))
    for pattern in _HIJRI_DATES:
        for m in pattern.finditer(key):
            month = _HIJRI_BY_KEY.get(_SPACE_RUN.sub(" ", m.group("hm")))
            if month is None:
                continue
            day = _from_hijri(int(m.group("y")), month, int(m.group("d")))
            if day is not None:
                found.append(_Candidate(day, m.start(), m.end(), None, True))
    return found


def _numeric_candidates(key: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for pattern in _NUMERIC_DATES:
        for m in pattern.finditer(key):
            year, month, day_no = int(m.group("y")), int(m.group("m")), int(m.group("d"))
            if month > 12 and day_no <= 12 and m.start("d") < m.start("m"):
                # "10/27/2014": a month-first date, unambiguous because 27 is no month.
                month, day_no = day_no, month
            hijri = year in _HIJRI_YEARS
            day = _from_hijri(year, month, day_no) if hijri else _gregorian(year, month, day_no)
            if day is None:
                continue
            end = m.end()
            era = _ERA_AFTER_NUMERIC.match(key, end)
            if era:
                end = era.end()
            found.append(_Candidate(day, m.start(), end, None, hijri))
    return found


def _attach_time(key: str, cand: _Candidate) -> tuple[int, int, str | None]:
    """Widen a date's folded span over a time printed right after or before it (and a
    weekday right before it); return (start, end, HH:MM or None)."""
    start, end, time = cand.start, cand.end, cand.time
    after = _TIME_AFTER.match(key, end)
    if time is None and after:
        time = _time_of(after)
        if time is not None:
            end = after.end()
            gmt = _GMT_AFTER.match(key, end)
            if gmt:
                end = gmt.end()
    window_start = max(0, start - 60)
    before_text = key[window_start:start]
    if time is None:
        before = _TIME_BEFORE.search(before_text)
        if before:
            t = _time_of(before)
            if t is not None:
                time = t
                start = window_start + before.start()
    weekday = _WEEKDAY_BEFORE.search(key[max(0, start - 20):start])
    if weekday:
        start = max(0, start - 20) + weekday.start()
    return start, end, time


def _relative_date(key: str, today: datetime.date) -> _Candidate | None:
    """`اليوم 15:02`, `أمس الساعة 10:00`: a relative day word, read against `today`."""
    for m in _RELATIVE.finditer(key):
        word = m.group("w")
        offset = 0 if word in ("اليوم", "today", "aujourd'hui") else -1
        # The words are also plain words of a sentence ("أعلنت الوزارة اليوم", "قال أمس"):
        # only a stamp, with a time right after the word or nothing else around it, is a date.
        after = _TIME_AFTER.match(key, m.end())
        if not after and _LEFTOVER.search(key[:m.start()] + key[m.end():]):
            continue
        day = today + datetime.timedelta(days=offset)
        return _Candidate(day, m.start(), m.end(), None, False)
    return None


def _candidates(key: str) -> list[_Candidate]:
    return sorted(_word_candidates(key) + _numeric_candidates(key), key=lambda c: (c.start, -c.end))


# A long text is read in windows, so the first date of a whole page costs what reading up to
# it costs; windows overlap by more than any stamp is long.
_WINDOW = 4000
_OVERLAP = 200


def find_date(text: str, today: datetime.date | None = None) -> FoundDate | None:
    """The first valid full date in `text`, with the time printed next to it, or None.

    `today` is the reference day for relative stamps (`اليوم 15:02`, `أمس`); without it
    they are not dates, since a seed does not say when it was scraped."""
    if len(text) <= _WINDOW + _OVERLAP:
        return _find_date_in(text, today)
    for start in range(0, len(text), _WINDOW):
        lead_in = max(0, start - _OVERLAP)
        window = text[lead_in:start + _WINDOW + _OVERLAP]
        found = _find_date_in(window, today, min_start=start - lead_in)
        if found is not None and found.start - (start - lead_in) < _WINDOW:
            return FoundDate(found.iso, found.start + lead_in, found.end + lead_in, found.hijri)
    return None


def _find_date_in(text: str, today: datetime.date | None, min_start: int = 0) -> FoundDate | None:
    """find_date within `text`, counting only dates that start at or after `min_start` (the
    characters before it are there for a time or weekday printed before the date)."""
    folded = FoldedText(text)
    key = folded.key
    first = bisect.bisect_left(folded.origin, min_start)  # the first folded character at or after it
    cands = [c for c in _candidates(key) if c.start >= first]
    if today is not None:
        rel = _relative_date(key[first:], today)
        if rel is not None:
            rel = _Candidate(rel.day, rel.start + first, rel.end + first, None, False)
            if not cands or rel.start < cands[0].start:
                cands.insert(0, rel)
    if not cands:
        return None
    cand = cands[0]
    start, end, time = _attach_time(key, cand)
    iso = cand.day.isoformat() + (f"T{time}" if time else "")
    span = folded.span(start, end)
    return FoundDate(iso, span[0], span[1], cand.hijri)


# --- Date lines ----------------------------------------------------------------------------
_STAMP_LABELS = [
    "تاريخ النشر", "تاريخ الخبر", "تاريخ التحديث", "تاريخ الاضافة", "تاريخ", "نشر في", "نشر بتاريخ",
    "نشرت في", "نشر", "تم النشر", "تم نشره", "تم التحديث", "اخر تحديث", "آخر تحديث", "تحديث",
    "محدث", "بتاريخ", "في", "الموافق", "يوافق", "لـ", "ل", "الساعة", "ساعة", "منذ", "قبل", "اليوم",
    "أمس", "البارحة", "ميلادي", "هجري", "هـ", "م", "ص", "published", "updated", "posted", "last update",
    "date", "on", "at", "gmt", "utc", "publié le", "mis à jour", "le", "à", "today", "yesterday", "ago",
]
_STAMP_UNITS = [
    "ثانية", "ثوان", "ثواني", "ثانيتين", "دقيقة", "دقيقتين", "دقائق", "ساعة", "ساعتين", "ساعات",
    "يوم", "يومين", "أيام", "أسبوع", "أسبوعين", "أسابيع", "شهر", "شهرين", "أشهر", "شهور", "سنة", "سنوات",
    "second", "seconds", "minute", "minutes", "min", "mins", "hour", "hours", "day", "days",
    "week", "weeks", "month", "months",
]
_LABEL_RE = re.compile(rf"{_START}(?:{_alternation(_STAMP_LABELS)}){_END}")
# "منذ 3 ساعات", "منذ دقائق 7", "3 hours ago", "قبل دقيقتين"
_RELATIVE_STAMP = re.compile(
    rf"{_START}(?:\d+\s*)?(?:{_alternation(_STAMP_UNITS)}){_END}(?:\s*\d+(?![\d:]))?")
# The words that make a relative phrase or a time a stamp: "منذ 3 ساعات", "اليوم 15:02".
_AGO_WORD = re.compile(rf"{_START}(?:منذ|قبل|ago){_END}")
_DAY_WORD = re.compile(rf"{_START}(?:اليوم|امس|البارحه|today|yesterday){_END}")
_WEEKDAY_RE = re.compile(_WEEKDAY)
# A newspaper's issue number printed with its date: "العدد : 1234".
_ISSUE = re.compile(rf"{_START}(?:العدد|عدد|issue|no\.?)\s*[:：]?\s*\d+")
_GMT_OFFSET = re.compile(r"[+\-]\s*\d{1,2}(?::\d{2})?(?!\d)")
_LEFTOVER = re.compile(r"[^\W_]")
_MONTH_OR_HMONTH = re.compile(rf"{_G_MONTH}|{_H_MONTH}")
_BARE_DAY = r"(?<!\d)[0-3]?\d(?:st|nd|rd|th|er)?(?!\d)"
# A month and its other regional name, without groups: "ديسمبر كانون الاول", "حزيران (يونيو)".
_ANY_MONTH = rf"(?:{_MONTH_OR_HMONTH.pattern})(?:\s*(?:[/\-–]\s*|\(\s*)?(?:{_G_MONTH})\s*\)?)?"
_DAY_MONTH = re.compile(rf"{_BARE_DAY}\s*(?:من\s+)?{_ANY_MONTH}|{_ANY_MONTH}\s*{_BARE_DAY}")


def is_date_line(text: str) -> bool:
    """True when `text` is only a date or time stamp: removing its dates, times, weekdays,
    stamp labels, relative phrases (منذ 3 ساعات), bullets, pipes and punctuation leaves at
    most two letters or digits. A line with no date, time or relative stamp at all is not a
    date line, and neither is a year or a number alone."""
    folded = FoldedText(text)
    key = folded.key
    if len(key) > 200:
        return False  # a stamp is short; a paragraph that contains a date is not one
    pieces: list[tuple[int, int]] = []
    for cand in _candidates(key):
        start, end, _ = _attach_time(key, cand)
        pieces.append((start, end))
    for m in _TIME_RE.finditer(key):
        if _time_of(m) is not None:
            pieces.append((m.start(), m.end()))
    stamp = bool(pieces)
    rest = _blank(key, pieces)
    # Relative stamps: "منذ 3 ساعات", "اليوم 15:02" (the time already removed above).
    rel = [(m.start(), m.end()) for m in _RELATIVE_STAMP.finditer(rest)]
    if rel and _AGO_WORD.search(rest):
        stamp = True
    rest = _blank(rest, rel)
    if _DAY_WORD.search(rest) and pieces:
        stamp = True
    # A day and month without a year ("الأحد 4 مايو") is a stamp too, on a line of its own.
    dm = [(m.start(), m.end()) for m in _DAY_MONTH.finditer(rest)]
    stamp = stamp or bool(dm)
    rest = _blank(rest, dm)
    if not stamp:
        return False
    for pattern in (_WEEKDAY_RE, _ISSUE, _LABEL_RE, _GMT_OFFSET, _MONTH_OR_HMONTH):
        rest = _blank(rest, [(m.start(), m.end()) for m in pattern.finditer(rest)])
    return len(_LEFTOVER.findall(rest)) <= 2


def find_stamp(text: str) -> tuple[int, int] | None:
    """The span of the first date printed in `text`, counting a day and month without a
    year ("14 آذار مارس" in a dateline) as well as every form find_date reads; None
    when there is none. For cutting a stamp out of a dateline, not for dating a page."""
    folded = FoldedText(text)
    spans = [_attach_time(folded.key, c)[:2] for c in _candidates(folded.key)[:1]]
    spans += [(m.start(), m.end()) for m in _DAY_MONTH.finditer(folded.key)][:1]
    if not spans:
        return None
    start = min(s for s, _ in spans)
    end = max(e for s, e in spans if s == start)  # the longer reading of one stamp
    return folded.span(start, end)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the given spans replaced by spaces (lengths kept, so spans stay valid)."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
