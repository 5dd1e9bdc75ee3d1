"""Who a scraped story comes from: datelines, source lines, bylines and trailing credits.

Arabic news pages credit a story in a handful of shapes: a dateline glued to the start of
the lead (`مدريد (د ب أ) - …`, `بغداد 3 مايو (رويترز) –`, `أبوظبي في … / وام / …`,
`{مدينة:وكالة}`, `«صحيفة» (مدينة)`, `موقع - مراسل - …`), a line that is only a source
(`المصدر: …`, a bare agency name, `X - متابعة`), a byline (`كتب - …`, `بقلم …`, `تصوير: …`)
and a credit closing a paragraph or caption (`… (أ ف ب)`, `… - موقع21`, `انتهى`, `© …`).

What holds:
- Every function takes one cleaned line and returns a `Credit` or None; None means "this is
  not a credit of that shape", and an ordinary sentence (one with a verb, a function word or
  a clause before its dash or colon) is never taken for one.
- `Credit.rest` is the line with the credit cut out and nothing else changed ("" when the
  line was only a credit), so a caller that moves a credit to front matter loses no text.
- `source` is an agency's or well-known outlet's common Arabic name when the lexicon knows it
  (`AGENCIES`, `OUTLETS`: general knowledge of Arab and world news agencies and
  broadcasters, never a per-page rule), otherwise the outlet's name as printed, without
  brackets, quotes and dashes. `place` is the dateline's city or country (`PLACES`),
  `author` a writer, `photographer` the name in a photo credit (never an author).
- `certain` is False when only the line's shape speaks for the credit (an unknown short name
  before a dash, a country before a colon): the caller weighs it with the line's context.
- Dates inside a dateline are cut out of `rest` but not read here: sitegen.importer.dates
  reads them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sitegen.arabic import ARABIC_LETTER, ascii_digits, fold
from sitegen.importer.dates import find_stamp, is_date_line

log = logging.getLogger(__name__)

__all__ = [
    "AGENCIES", "OUTLETS", "PLACES", "Credit", "agency_name", "byline", "is_outlet_name", "is_place",
    "leading_credit",
    "source_line", "trailing_credit",
]


@dataclass(frozen=True)
class Credit:
    """A credit found in a line."""

    source: str | None
    """The outlet or agency credited (lexicon name for a known agency), or None."""
    author: str | None
    """The writer named by a byline or a dateline, or None."""
    place: str | None
    """The dateline's place, as printed, or None."""
    rest: str
    """The line without the credit ("" when the line was only a credit)."""
    kind: str
    """dateline | source_line | source_label | byline | photo_credit | trailing_credit |
    end_marker | photo_note | copyright (see each function for which it returns)."""
    photographer: str | None = None
    """The photographer of a photo credit (`تصوير: …`, `© Agency . Name`), or None."""
    certain: bool = True
    """False when the credit rests on the line's shape alone (an unknown one- or two-word name
    before a dash, "A - B" with neither side a known place or outlet): a caller weighs it with
    the line's context (is it the lead's first line? is the name the site's?)."""


# --- Lexicon ----------------------------------------------------------------------------
# Canonical name → names and abbreviations as printed. General knowledge of the agencies
# Arabic pages credit; matched after folding and dropping dots, spaces and hyphens, so
# "د.ب.أ", "د ب أ" and "(د ب ا)" are one.
AGENCIES: dict[str, tuple[str, ...]] = {
    # Gulf
    "واس": ("واس", "وكالة الأنباء السعودية", "SPA", "Saudi Press Agency"),
    "قنا": ("قنا", "وكالة الأنباء القطرية", "QNA"),
    "وام": ("وام", "وكالة أنباء الإمارات", "وكالة انباء الامارات", "WAM"),
    "بنا": ("بنا", "وكالة أنباء البحرين", "BNA"),
    "كونا": ("كونا", "وكالة الأنباء الكويتية", "KUNA"),
    "العمانية": ("العمانية", "وكالة الأنباء العمانية", "ONA"),
    # Levant, Iraq, Yemen
    "سانا": ("سانا", "الوكالة العربية السورية للأنباء", "SANA", "سانا - SANA"),
    "بترا": ("بترا", "وكالة الأنباء الأردنية", "Petra"),
    "الوكالة الوطنية للإعلام": ("الوكالة الوطنية للإعلام", "الوكالة الوطنية", "NNA"),
    "وفا": ("وفا", "وكالة الأنباء والمعلومات الفلسطينية", "وكالة وفا", "WAFA"),
    "معا": ("معا", "وكالة معا", "وكالة معا الإخبارية", "Maan"),
    "قدس برس": ("قدس برس", "Quds Press"),
    "واع": ("واع", "وكالة الأنباء العراقية", "INA"),
    "سبأ": ("سبأ", "سبأ نت", "سبأنت", "وكالة سبأ", "وكالة الأنباء اليمنية", "Saba", "sabanew"),
    # Egypt, Sudan, Maghreb
    "أ ش أ": ("أ ش أ", "أ.ش.أ", "وكالة أنباء الشرق الأوسط", "MENA"),
    "سونا": ("سونا", "وكالة السودان للأنباء", "SUNA"),
    "وال": ("وال", "وكالة الأنباء الليبية", "LANA"),
    "واج": ("واج", "وأج", "وكالة الأنباء الجزائرية", "APS"),
    "وات": ("وات", "وكالة تونس أفريقيا للأنباء", "وكالة تونس إفريقيا للأنباء", "TAP"),
    "لاماب": ("لاماب", "و م ع", "وكالة المغرب العربي للأنباء", "MAP"),
    "الوكالة الموريتانية للأنباء": ("الوكالة الموريتانية للأنباء", "AMI"),
    # World
    "رويترز": ("رويترز", "رويتر", "وكالة رويترز", "Reuters"),
    "فرانس برس": ("فرانس برس", "فرانس پرس", "أ ف ب", "أ.ف.ب", "ا ف ب", "وكالة فرانس برس",
                  "وكالة الصحافة الفرنسية", "AFP", "Agence France-Presse"),
    "أسوشيتد برس": ("أسوشيتد برس", "أسوشيتدبرس", "أسوشيتيد برس", "اسوشيتد برس", "AP",
                    "Associated Press"),
    "د ب أ": ("د ب أ", "د.ب.أ", "وكالة الأنباء الألمانية", "dpa"),
    "يو بي آي": ("يو بي آي", "يونايتد برس", "UPI"),
    "الأناضول": ("الأناضول", "وكالة الأناضول", "الأناضول للأنباء", "Anadolu", "AA"),
    "شينخوا": ("شينخوا", "وكالة شينخوا", "وكالة أنباء الصين الجديدة", "Xinhua"),
    "تاس": ("تاس", "إيتار تاس", "وكالة تاس", "TASS"),
    "نوفوستي": ("نوفوستي", "ريا نوفوستي", "RIA Novosti"),
    "سبوتنيك": ("سبوتنيك", "سبوتنيك عربي", "Sputnik", "Sputnik Arabic"),
    "إرنا": ("إرنا", "وكالة الجمهورية الإسلامية للأنباء", "IRNA"),
    "فارس": ("وكالة فارس", "Fars"),
    "تسنيم": ("تسنيم", "وكالة تسنيم", "Tasnim"),
    "يونهاب": ("يونهاب", "Yonhap"),
    "كيودو": ("كيودو", "Kyodo"),
    "أنسا": ("أنسا", "ANSA"),
    "إفي": ("إفي", "EFE"),
    "بلومبرغ": ("بلومبرغ", "بلومبيرغ", "Bloomberg"),
    "وكالات": ("وكالات", "وكالات الأنباء", "وكالات أنباء"),
}
# Broadcasters and papers whose names pages print as credits, like agencies.
OUTLETS: dict[str, tuple[str, ...]] = {
    "الجزيرة": ("الجزيرة", "الجزيرة نت", "Al Jazeera"),
    "بي بي سي": ("بي بي سي", "بي بي سي عربي", "BBC", "BBC Arabic"),
    "سي إن إن": ("سي إن إن", "سي ان ان", "CNN"),
    "سكاي نيوز عربية": ("سكاي نيوز عربية", "سكاي نيوز", "Sky News Arabia"),
    "فرانس 24": ("فرانس 24", "فرانس24", "France 24"),
    "روسيا اليوم": ("روسيا اليوم", "آر تي", "RT", "RT Arabic"),
    "دويتشه فيله": ("دويتشه فيله", "دويتشه فيلله", "DW", "DW عربية"),
    "يورونيوز": ("يورونيوز", "euronews"),
    "الميادين": ("الميادين",),
    "العربي الجديد": ("العربي الجديد",),
    "القدس العربي": ("القدس العربي",),
    "الأهرام": ("الأهرام", "بوابة الأهرام"),
}
# Credits that name an agency only inside brackets at the end of a caption or paragraph:
# as a bare word they mean something else ("الفرنسية" is also the French language).
_BRACKET_ONLY: dict[str, tuple[str, ...]] = {
    "فرانس برس": ("الفرنسية",),
    "الأوروبية": ("الأوروبية", "EPA"),
    "الألمانية": ("الألمانية",),
    "غيتي": ("غيتي", "Getty", "Getty Images"),
    "أسوشيتد برس": ("أ ب", "ا ب"),
    # as bare words: a language, a region, an adjective
    "العربية": ("العربية", "Al Arabiya"),
    "الشرق الأوسط": ("الشرق الأوسط",),
    "الحرة": ("الحرة",),
}

# Cities, regions and countries that open datelines (general knowledge).
PLACES: tuple[str, ...] = (
    # Egypt
    "القاهرة", "الإسكندرية", "الجيزة", "أسوان", "الأقصر", "بورسعيد", "السويس", "المنصورة", "طنطا",
    "شرم الشيخ", "العريش", "أسيوط", "سوهاج", "مصر",
    # Gulf
    "الرياض", "جدة", "مكة المكرمة", "مكة", "المدينة المنورة", "الدمام", "الطائف", "أبها", "تبوك",
    "جازان", "نجران", "القصيم", "حائل", "السعودية", "الدوحة", "قطر", "أبوظبي", "أبو ظبي", "دبي",
    "الشارقة", "عجمان", "رأس الخيمة", "الفجيرة", "العين", "الإمارات", "المنامة", "البحرين",
    "الكويت", "مسقط", "صلالة", "عمان", "سلطنة عمان",
    # Yemen, Iraq
    "صنعاء", "عدن", "تعز", "الحديدة", "المكلا", "مأرب", "حضرموت", "اليمن", "بغداد", "البصرة",
    "الموصل", "أربيل", "النجف", "كربلاء", "كركوك", "السليمانية", "نينوى", "الأنبار", "ديالى",
    "بابل", "العراق",
    # Levant, Palestine
    "دمشق", "ريف دمشق", "حلب", "حمص", "حماة", "اللاذقية", "طرطوس", "إدلب", "دير الزور", "الرقة",
    "درعا", "السويداء", "القامشلي", "الحسكة", "سوريا", "سورية", "بيروت", "طرابلس", "صيدا", "صور",
    "بعلبك", "زحلة", "جبيل", "لبنان", "الزرقاء", "إربد", "العقبة", "الأردن", "القدس",
    "القدس المحتلة", "رام الله", "غزة", "قطاع غزة", "الضفة الغربية", "نابلس", "الخليل", "جنين",
    "بيت لحم", "طولكرم", "قلقيلية", "أريحا", "خان يونس", "رفح", "فلسطين", "الناصرة", "حيفا",
    "يافا", "تل أبيب", "إسرائيل",
    # Sudan, Libya, Maghreb
    "الخرطوم", "أم درمان", "بورتسودان", "الفاشر", "نيالا", "كسلا", "ود مدني", "السودان",
    "جوبا", "بنغازي", "مصراتة", "سبها", "الزاوية", "سرت", "درنة", "ليبيا", "تونس", "صفاقس",
    "سوسة", "القيروان", "بنزرت", "جندوبة", "قابس", "الجزائر", "وهران", "قسنطينة", "عنابة",
    "البليدة", "سطيف", "تلمسان", "الرباط", "الدار البيضاء", "مراكش", "فاس", "طنجة", "أكادير",
    "مكناس", "وجدة", "العيون", "المغرب", "نواكشوط", "نواذيبو", "موريتانيا", "مقديشو",
    "الصومال", "جيبوتي", "موروني",
    # World
    "واشنطن", "نيويورك", "الأمم المتحدة", "لندن", "باريس", "برلين", "موسكو", "بكين", "طوكيو",
    "سيول", "أنقرة", "إسطنبول", "اسطنبول", "طهران", "مدريد", "روما", "بروكسل", "جنيف", "فيينا",
    "كييف", "وارسو", "أثينا", "لشبونة", "أمستردام", "ستوكهولم", "أوسلو", "نيودلهي", "إسلام آباد",
    "كابول", "كراتشي", "جاكرتا", "كوالالمبور", "بانكوك", "سنغافورة", "هونغ كونغ", "شنغهاي",
    "أديس أبابا", "نيروبي", "لاغوس", "أبوجا", "داكار", "باماكو", "نيامي", "نجامينا", "جوهانسبرغ",
    "برازيليا", "بوينس آيرس", "مكسيكو", "أوتاوا", "تورونتو", "سيدني", "كانبيرا",
    "الولايات المتحدة", "أمريكا", "روسيا", "الصين", "تركيا", "إيران", "فرنسا", "ألمانيا",
    "بريطانيا", "إيطاليا", "إسبانيا", "الهند", "باكستان", "أفغانستان", "أوكرانيا", "اليابان",
)

# Words that make a name an outlet's ("… نيوز", "بوابة …", "… 24", "… نت").
_OUTLET_WORDS = {fold(w) for w in (
    "نيوز", "نت", "أونلاين", "الإخباري", "الإخبارية", "الاخباري", "الإخبارية", "وكالة", "الوكالة",
    "صحيفة", "جريدة", "مجلة", "موقع", "بوابة", "شبكة", "قناة", "تلفزيون", "تليفزيون", "راديو",
    "إذاعة", "برس", "بريس", "تايمز", "بوست", "انفو", "أنفو", "ميديا", "للأنباء", "للأخبار",
    "للإعلام", "الإعلامية", "news", "net", "online", "press", "post", "times", "tv", "fm", "info",
    "media", "agency",
)}
# Two-word outlet marks: "… تي في", "… إف إم" (one word alone is a preposition or a letter).
_OUTLET_PHRASES = re.compile(r"(?<!\w)(?:تي في|اف ام|اف ايم|ام بي سي)(?!\w)")
# Words that make an outlet's name only after a place: "مصر اليوم", "روسيا الآن", "سبوتنيك
# عربي"; "الطقس اليوم" is no outlet.
_WEAK_OUTLET_WORDS = {fold(w) for w in ("اليوم", "الآن", "عربي", "عربية", "today", "arabic")}
# "الساحل 24", "نبأ21": a name ending in a short number (a date, a count or a code does not).
_OUTLET_DIGITS = re.compile(r"[\u0620-\u064a]\s?\d{1,3}$")
# Labels that sit where a dateline sits but name no one: a kicker, a section, a format.
_LABELS = {fold(w) for w in (
    "عاجل", "خاص", "حصري", "حصريا", "فيديو", "بالفيديو", "صور", "بالصور", "شاهد", "انفوجراف",
    "إنفوجراف", "تقرير", "مقال", "رأي", "تحليل", "حوار", "تحقيق", "متابعة", "متابعات", "خبر",
    "أخبار", "الأخبار", "مباشر", "بث مباشر", "تحديث", "جديد", "هام", "مهم", "تنويه", "إعلان",
    "breaking", "urgent", "exclusive", "video", "update", "live", "photos", "opinion",
)}
# Function words and common verbs of news prose: a head containing one is a clause, not a
# name ("وقال الوزير:", "في هذا السياق -"). Compared with a lighter key than fold: the
# preposition على and the name علي must stay apart.
_LIGHT = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ـ": None,
                        **{chr(c): None for c in range(0x064B, 0x0653)}})


def _light(text: str) -> str:
    return text.translate(_LIGHT).lower()


_CLAUSE_WORDS = {_light(w) for w in (
    "في", "من", "على", "إلى", "عن", "مع", "أن", "إن", "أنه", "إنه", "لا", "لم", "لن", "ما", "قد",
    "هذا", "هذه", "ذلك", "تلك", "هؤلاء", "التي", "الذي", "الذين", "اللذين", "هو", "هي", "هم",
    "نحن", "أنا", "كان", "كانت", "يكون", "تكون", "ليس", "ليست", "بعد", "قبل", "حتى", "منذ", "عند",
    "بين", "كل", "أو", "ثم", "لكن", "لكنه", "بل", "إذا", "لو", "كما", "حيث", "أي", "أيضا", "وقد",
    "وفي", "ومن", "وعلى", "وإلى", "وأن", "وهو", "وهي", "فقد", "لقد", "عندما", "بينما", "خلال",
    "قال", "قالت", "وقال", "وقالت", "أكد", "أكدت", "وأكد", "أعلن", "أعلنت", "وأعلن", "أضاف",
    "أضافت", "وأضاف", "أوضح", "أوضحت", "أشار", "أشارت", "كشف", "كشفت", "ذكر", "ذكرت", "نقل",
    "نقلت", "أفاد", "أفادت", "صرح", "صرحت", "يقول", "تقول", "يرى", "ترى", "أصبح", "أصبحت",
    "يجب", "يمكن", "هناك", "هنا", "جدا", "فقط", "لدى", "لدي", "أمس", "غدا", "الآن", "سوف",
    "the", "and", "of", "to", "in", "is", "was", "for", "on", "that", "with",
)}
_CAPTION_WORDS = {fold(w) for w in (
    "أرشيفية", "ارشيفية", "أرشيف", "صورة أرشيفية", "صورة تعبيرية", "تعبيرية",
    "أرشيف الصورة", "صورة من الأرشيف", "archive", "file", "file photo", "illustration",
)}

_DASH_CHARS = "-–—‐‑−"
_DASH_CLASS = re.escape(_DASH_CHARS)  # for use inside a regex [...] (a bare "-" makes a range)
# A dash between a credit and what follows: hyphens and dashes with or without spaces, or a
# tatweel standing alone between spaces ("نبض المدينة ـ"), never a tatweel inside a word.
_DASH = rf"(?:\s*[{_DASH_CLASS}]+\s*|\s+ـ+(?:\s+|$))"
_OPEN = "(\\[{"
_CLOSE = ")\\]}"
_QUOTES = "«»\"“”'‘’<>"
_STRIP = f" \t{_QUOTES}{_DASH_CHARS}ـ:：.,،;؛/|•·*"


def _compact(text: str) -> str:
    """The lexicon key of a name: folded, without dots, spaces, hyphens, quotes and brackets."""
    return re.sub(rf"[\s.·{_DASH_CLASS}ـ_()\[\]{{}}«»\"“”'‘’]+", "", fold(text))


_AGENCY_BY_KEY = {_compact(v): name for names in (OUTLETS, AGENCIES) for name, variants in names.items()
                  for v in (name, *variants)}
_BRACKET_AGENCY_BY_KEY = {_compact(v): name for name, variants in _BRACKET_ONLY.items() for v in variants}
_PLACE_KEYS = {fold(p) for p in PLACES}


def agency_name(text: str, *, in_brackets: bool = False) -> str | None:
    """The lexicon name of the agency or well-known outlet `text` names ("د.ب.أ" → "د ب أ",
    "AFP" → "فرانس برس", "BBC" → "بي بي سي"), or None. `in_brackets` also accepts the caption credits that only brackets make names
    ("(الفرنسية)", "(أ ب)")."""
    key = _compact(text)
    if not key:
        return None
    found = _AGENCY_BY_KEY.get(key)
    if found is None and in_brackets:
        found = _BRACKET_AGENCY_BY_KEY.get(key)
    return found


def is_place(text: str) -> bool:
    """True when `text` is a city, region or country that opens datelines (PLACES)."""
    key = fold(text.strip(_STRIP))
    return key in _PLACE_KEYS or key.removeprefix("ال") in _PLACE_KEYS


def _places(text: str) -> bool:
    """True for a known place, or places joined by commas or slashes ("دبي، الإمارات")."""
    parts = [p.strip() for p in re.split(r"[،,/]", text)]
    return all(p and is_place(p) for p in parts)


def _place_prefix(text: str) -> str | None:
    """The known place `text` starts with (one to three words), as printed, or None."""
    words = text.split()
    for n in (3, 2, 1):
        if len(words) >= n and is_place(" ".join(words[:n])):
            return " ".join(words[:n])
    return None


def _words(text: str) -> list[str]:
    return fold(text).split()


def _is_clause(text: str) -> bool:
    return any(w in _CLAUSE_WORDS for w in _light(text).split())


def _name_like(text: str, max_words: int = 4) -> bool:
    """A short run of words that can be a name: at most `max_words` words and 50 characters,
    a letter in it, no sentence punctuation, no function word or verb, not a label."""
    text = text.strip()
    words = text.split()
    if not 1 <= len(words) <= max_words or len(text) > 50:
        return False
    if not (ARABIC_LETTER.search(text) or re.search(r"[A-Za-z]", text)):
        return False
    if re.search(r"[!?؟،,;؛:：]", text) or re.search(r"\.\s", text + " ") and not _abbreviation(text):
        return False
    return not _is_clause(text) and fold(text) not in _LABELS


def _head_like(text: str) -> bool:
    """A dateline's head (place or outlet): name-like, and not opened by the conjunction و or
    ف that starts a sentence ("وتمتلك الوكالة …") unless it is a known place or agency."""
    if not _name_like(text, 4):
        return False
    first = _light(text.split()[0])
    return (not (first[:1] in ("و", "ف") and len(first) > 3) or is_place(text) or bool(agency_name(text))
            or first in ("وكاله", "وكالة"))


def _abbreviation(text: str) -> bool:
    """True for dotted abbreviations ("د.ب.أ", "أ.د. فلان"): dots between single letters."""
    return bool(re.search(r"(?:^|\s)\w\.(?:\s?\w\.)*", text))


def _outlet_like(text: str) -> bool:
    """A name that reads as an outlet's: a lexicon agency or outlet, an outlet word ("نيوز",
    "بوابة", "… تي في"), a place and "اليوم"/"الآن", or digits ("… 24")."""
    if agency_name(text) or _OUTLET_PHRASES.search(fold(text)):
        return True
    words = _words(text)
    if any(w in _OUTLET_WORDS or w.removeprefix("ال") in _OUTLET_WORDS for w in words):
        return True
    if len(words) >= 2 and words[-1] in _WEAK_OUTLET_WORDS:
        head = " ".join(text.split()[:-1])
        return is_place(head) or bool(agency_name(head))
    return bool(_OUTLET_DIGITS.search(ascii_digits(text.strip())))


def is_outlet_name(name: str) -> bool:
    """A short name (at most six words, no clause) that reads as an outlet's or agency's."""
    text = name.strip().strip(_STRIP + _OPEN + _CLOSE)
    return bool(text) and len(text.split()) <= 6 and (bool(agency_name(text, in_brackets=True))
                                                      or not _is_clause(text) and _outlet_like(text))


# Outlet marks that no ordinary phrase carries ("نيوز", "نت", "برس", "… 24").
_SURE_OUTLET_WORDS = {fold(w) for w in ("نيوز", "نت", "أونلاين", "برس", "بريس", "news", "net", "online",
                                        "press", "tv", "fm", "للأنباء", "للأخبار", "الإخباري",
                                        "الإخبارية", "الاخباري", "الاخبارية", "وكالة")}


def _surely_outlet(text: str) -> bool:
    words = _words(text)
    if agency_name(text) or _OUTLET_PHRASES.search(fold(text)) or _OUTLET_DIGITS.search(ascii_digits(text.strip())):
        return True
    if any(w in _SURE_OUTLET_WORDS for w in words):
        return True
    return len(words) >= 2 and words[-1] in _WEAK_OUTLET_WORDS and _outlet_like(text)


def _clean_name(text: str) -> str:
    """A name as printed, without the brackets, quotes, dashes and stops around it."""
    text = text.strip().strip(_STRIP + _OPEN + _CLOSE).strip()
    return re.sub(r"\s+", " ", text)


def _source_name(text: str) -> str:
    name = _clean_name(text)
    return agency_name(name, in_brackets=True) or name


def _strip_stamp(text: str) -> str:
    """`text` without the first date printed in it: the words before the date ("القاهرة" in
    "القاهرة 3 مايو"), or those after it when nothing comes before; a "في" or comma that only
    led to the date goes with it."""
    span = find_stamp(text)
    if span is None:
        return text
    head = re.sub(r"(?:^|\s)(?:في|،|,)$", "", text[:span[0]].rstrip()).rstrip()
    if ARABIC_LETTER.search(head) or re.search(r"[A-Za-z]", head):
        return head
    return text[span[1]:].strip()


def _lead_like(text: str) -> bool:
    """The rest of a line after a dateline reads as the start of a lead: some words, and not
    the continuation of a clause (a relative pronoun or conjunction first)."""
    words = _words(text)
    if not words or not ARABIC_LETTER.search(text):
        return False
    return words[0] not in {fold(w) for w in ("التي", "الذي", "الذين", "أو", "ثم", "بل", "لكن",
                                                "and", "or", "which", "who")}


def _leading_quote_marks(text: str) -> str:
    """Scrapers keep mail-style quote markers and bullets before a dateline: "> صنعاء …"."""
    return re.sub(r"^(?:[>•·▪●*]\s*)+", "", text.strip())


def _dateline(source: str | None, author: str | None, place: str | None, rest: str,
              certain: bool = True) -> Credit:
    return Credit(source, author, place, rest.strip(), "dateline", certain=certain)


def _place_or_source(name: str) -> tuple[str | None, str | None]:
    """(source, place) for a dateline's single name: a known place is a place."""
    if is_place(name):
        return None, _clean_name(name)
    return _source_name(name), None


# --- Leading credits -----------------------------------------------------------------------
_SOURCE_LABEL = re.compile(r"^\s*(?:(?:المصدر|مصدر الخبر|المصدر الأصلي|source)\s*[:：]|(?:نقلا|نقلاً|نقلًا) عن)"
                           r"\s*(?P<name>.+)$", re.IGNORECASE)
_BRACES = re.compile(r"^\{\s*(?P<place>[^{}:：]{1,40}?)\s*[:：]\s*(?P<src>[^{}]{1,50}?)\s*\}\s*(?P<rest>.*)$",
                     re.DOTALL)
# "مدريد (د ب أ) - …", "نابلس-( د ب أ )", "بغداد 3 مايو (رويترز) –", "(أ ف ب) -"
_BRACKETED = re.compile(
    rf"^(?P<head>[^()\[\]{{}}«»]{{0,70}}?){_DASH}?[(\[]\s*(?P<src>[^()\[\]]{{1,50}}?)\s*[)\]]"
    rf"(?P<sep>{_DASH}|\s*[:：]\s*|\s+|$)(?P<rest>.*)$", re.DOTALL)
# "«صحيفة» (مدينة)", "مدينة «صحيفة» خاص:", "«صحيفة» - …"
_GUILLEMETS = re.compile(
    r"^(?P<head>[^«»()]{0,30}?)\s*«\s*(?P<src>[^«»]{1,40}?)\s*»\s*(?:\(\s*(?P<place>[^()]{1,30}?)\s*\))?"
    rf"\s*(?P<how>خاص|متابعات|متابعة|وكالات)?(?P<sep>{_DASH}|\s*[:：]\s*|$)(?P<rest>.*)$", re.DOTALL)
# "أبوظبي في 1 مايو/ وام/ قال …", "10 يونيو 2014 / صحيفة … / …"
_SLASHED = re.compile(r"^(?P<head>[^/]{0,60}?)\s*/\s*(?P<src>[^/]{1,50}?)\s*/\s*(?P<rest>.+)$", re.DOTALL)
# "أنقرة/ الأناضول", "أنقرة/ مراسل/ الأناضول - …": place, perhaps a reporter, a known agency
_PLACE_SLASH = re.compile(
    rf"^(?P<head>[^/]{{1,40}}?)\s*/\s*(?:(?P<who>[^/]{{1,40}}?)\s*/\s*)?(?P<src>[^/{_DASH_CLASS}:：]{{1,40}}?)"
    rf"\s*(?:$|{_DASH}|[:：]\s*)(?P<rest>.*)$", re.DOTALL)
# "X/متابعة", "X - متابعات", "X – خاص"
_GATHERED = re.compile(
    rf"^(?P<src>[^/{_DASH_CLASS}]{{2,50}}?)\s*(?:/|{_DASH})\s*(?P<how>متابعة|متابعات|وكالات|خاص|مراسلنا)"
    rf"(?!\w)\s*[:：.]?(?:{_DASH})?\s*(?P<rest>.*)$", re.DOTALL)
_DASHED = re.compile(rf"^(?P<a>[^{_DASH_CLASS}:：]{{1,50}}?){_DASH}(?P<rest>.*)$", re.DOTALL)
_COLON = re.compile(r"^(?P<head>[^:：]{1,40}?)\s*[:：]\s*(?P<rest>.*)$", re.DOTALL)


def leading_credit(text: str) -> Credit | None:
    """A dateline or source at the start of `text` (glued to a lead or alone on the line):
    `مدريد (د ب أ) - …`, `بغداد 3 مايو (رويترز) –`, `{مدينة:وكالة}`, `«صحيفة» (مدينة)`,
    `مدينة «صحيفة» خاص:`, `موقع - مراسل - …`, `موقع- …`, `مدينة - موقع`, `X/متابعة`,
    `أبوظبي في … / وام / …`, `موقع: …` (only for a known agency, place or outlet-like name),
    `المصدر: X`. Kind "dateline" (or "source_line" for `المصدر: X`); None for anything else,
    ordinary sentences with a dash or colon included."""
    line = _leading_quote_marks(text)
    if not line:
        return None
    for form in (_from_source_label, _from_braces, _from_bracketed, _from_guillemets, _from_place_slash,
                 _from_slashed, _from_outlet_slash, _from_gathered, _from_dashed, _from_colon):
        credit = form(line)
        if credit is not None:
            return credit
    return None


def _from_source_label(line: str) -> Credit | None:
    m = _SOURCE_LABEL.match(line)
    if not m:
        return None
    name = _clean_name(m.group("name"))
    if not name or len(name.split()) > 8:
        return None
    return Credit(_source_name(name), None, None, "", "source_line")


def _from_braces(line: str) -> Credit | None:
    m = _BRACES.match(line)
    if not m or not _name_like(m.group("place"), 3) or not _name_like(m.group("src"), 5):
        return None
    return _dateline(_source_name(m.group("src")), None, _clean_name(m.group("place")), m.group("rest"))


def _from_bracketed(line: str) -> Credit | None:
    m = _BRACKETED.match(line)
    if not m:
        return None
    src, rest = m.group("src"), m.group("rest")
    head = _strip_stamp(m.group("head")).strip(_STRIP)
    known = agency_name(src, in_brackets=True)
    if head and not (_places(head) or _head_like(head) and len(head.split()) <= 2):
        return None  # Reuters style: the head is a place ("وتمتلك الوكالة (سبأ)" is a sentence)
    if not head and not known:
        return None  # "(مصدر) -" at the start with no place is a credit only for a known agency
    if not known and not (_outlet_like(src) or is_place(head)) or not _name_like(src, 5):
        return None
    if m.group("sep").strip() == "" and m.group("sep") and not known:
        return None  # "مدينة (اسم) قال" without a dash: only a known agency makes it a dateline
    if rest and not _lead_like(rest):
        return None
    return _dateline(_source_name(src), None, _clean_name(head) or None, rest)


def _from_guillemets(line: str) -> Credit | None:
    m = _GUILLEMETS.match(line)
    if not m:
        return None
    head, src, place = m.group("head").strip(_STRIP), m.group("src"), m.group("place")
    if not _name_like(src, 4):
        return None
    if head and not (is_place(head) or _head_like(head) and len(head.split()) <= 2):
        return None
    if not (head or place or m.group("how") or m.group("sep").strip()):
        return None
    if head and place:
        return None
    rest = m.group("rest")
    if rest and not _lead_like(rest):
        return None
    return _dateline(_source_name(src), None, _clean_name(place or head) or None, rest)


def _from_slashed(line: str) -> Credit | None:
    m = _SLASHED.match(line)
    if not m:
        return None
    src = m.group("src")
    if not (agency_name(src) or (_outlet_like(src) and _name_like(src, 6))):
        return None
    head = _strip_stamp(m.group("head")).strip(_STRIP)
    if head and agency_name(src) and not is_place(head):
        # "أبوظبي في الأول من الشهر/ وام/": a known agency after a place and a spelled-out day
        place = _place_prefix(head)
        if place and re.match(r"\s*(?:في|،|,)\s", head[len(place):] + " "):
            head = place
    if head and not (is_place(head) or _head_like(head) and len(head.split()) <= 3):
        return None
    if not head and m.group("head").strip(_STRIP) == "" and not agency_name(src):
        return None
    return _dateline(_source_name(src), None, _clean_name(head) or None, m.group("rest"))


_OUTLET_SLASH = re.compile(r"^(?P<src>[^/]{2,50}?)\s+/\s+(?P<rest>.+)$", re.DOTALL)


def _from_outlet_slash(line: str) -> Credit | None:
    """"صحيفة … / بدأت …": an outlet's name, a spaced slash, the lead (a date before it is
    the caller's to cut)."""
    m = _OUTLET_SLASH.match(line)
    if not m:
        return None
    src, rest = m.group("src").strip(_STRIP), m.group("rest").strip()
    if not (_name_like(src, 6) and _outlet_like(src)) or is_place(src) or len(rest.split()) < 6 \
            or not _lead_like(rest):
        return None
    return _dateline(_source_name(src), None, None, rest, certain=_surely_outlet(src))


def _from_place_slash(line: str) -> Credit | None:
    m = _PLACE_SLASH.match(line)
    if not m or not agency_name(m.group("src")) or not _places(m.group("head").strip(_STRIP)):
        return None
    who = m.group("who")
    if who is not None and not _person_like(who.strip()):
        return None
    rest = m.group("rest")
    if rest and not _lead_like(rest):
        return None
    return _dateline(agency_name(m.group("src")), _clean_name(who) if who else None,
                     _clean_name(m.group("head")), rest)


def _from_gathered(line: str) -> Credit | None:
    m = _GATHERED.match(line)
    if not m or not _name_like(m.group("src"), 5):
        return None
    source, place = _place_or_source(m.group("src"))
    if fold(m.group("how")) == fold("وكالات") and source is None:
        source = "وكالات"
    rest = m.group("rest")
    return Credit(source, None, place, rest.strip(), "dateline" if rest.strip() or place else "source_line")


def _from_dashed(line: str) -> Credit | None:
    m = _DASHED.match(line)
    if not m:
        return None
    first, rest = m.group("a").strip(), m.group("rest").strip()
    first = _strip_stamp(first).strip(_STRIP)
    if first and not _head_like(first) and _outlet_like(first) and _outlet_like(rest) \
            and len(first.split()) <= 4 and len(rest.split()) <= 5 and not re.search(r"[.!؟?،,:؛]", first + rest):
        # "موقع كل ساعة - جريدة النهار": two outlets (the site and the paper it copies), each
        # with an outlet word; a function word inside a name ("كل") does not make either a
        # clause then. The first signs.
        return Credit(_source_name(first), None, None, "", "source_line")
    if not first or not _head_like(first):
        return None
    # "موقع - مراسل - أكد …": outlet (or place), a person or place, then the lead.
    second = _DASHED.match(rest)
    if second:
        middle, lead = second.group("a").strip(), second.group("rest").strip()
        if _name_like(middle, 4) and lead and _lead_like(lead) and len(lead.split()) >= 3:
            return _three_part(first, middle, lead)
    # "مدينة - موقع" or "موقع - مدينة" alone on a line; "مدينة- فلان وفلان:" before the lead;
    # "وكالة … – بنغازي.", where the stop closes the dateline.
    closing = rest.rstrip(". ") if rest.endswith(".") and len(rest.split()) <= 3 else rest
    if closing and _name_like(closing.rstrip(":：").strip(), 5) and len(closing.split()) <= 5:
        return _two_names(first, closing)
    if not rest:
        # "نبض المدينة ـ": a name and a dash, alone: an outlet signing the story.
        source, place = _place_or_source(first)
        return Credit(source, None, place, "", "source_line" if source else "dateline")
    if not _lead_like(rest) or len(rest.split()) < 3:
        return None
    if re.search(rf"\s[{_DASH_CLASS}]\s", " ".join(rest.split()[:8])) and not (
            is_place(first) or _outlet_like(first)):
        return None  # "الحكومة - ومعها الوزارات - قررت": a parenthesis, not a dateline
    known = is_place(first) or _outlet_like(first)
    if not known:
        # An unknown name: accepted only before a real lead, never before another credit
        # ("صورة - وكالة, 2025": an image's alt text).
        if len(first.split()) > 2 or len(rest.split()) < 5 or any(
                agency_name(w) for w in rest.split()[:3]) or _outlet_like(" ".join(rest.split()[:2])):
            return None
    source, place = _place_or_source(first)
    if place and not source:
        glued = _GLUED_LEAD.match(rest)
        if glued:
            # "مدينة - موقعأكدت …": the scraper lost the line break between outlet and lead.
            return _dateline(_source_name(glued.group("name")), None, place, rest[glued.end("name"):])
    return _dateline(source, None, place, rest, certain=known)


# A lead verb glued to the outlet's name before it (at least three letters of name first).
_GLUED_LEAD = re.compile(
    r"^(?P<name>(?:\S+\s){0,2}\S{3,}?)(?=(?:أكد|أكدت|أعلن|أعلنت|أفاد|أفادت|أوضح|أوضحت|أشار|أشارت|أصدر|أصدرت"
    r"|أطلق|أطلقت|أجرى|أجرت)(?:\s|$))")


def _three_part(first: str, middle: str, lead: str) -> Credit:
    if is_place(first):
        return _dateline(_source_name(middle), None, _clean_name(first), lead)
    if is_place(middle):
        return _dateline(_source_name(first), None, _clean_name(middle), lead)
    return _dateline(_source_name(first), _clean_name(middle), None, lead, certain=_outlet_like(first))


def _two_names(first: str, second: str) -> Credit:
    """`A - B` alone: which side is the place, the outlet or (before a colon) the writers."""
    authors = second.rstrip().endswith((":", "："))
    second = second.rstrip(":： ")
    if authors:
        source, place = _place_or_source(first)
        return Credit(source, _clean_name(second), place, "", "dateline")
    if is_place(first) and not is_place(second):
        return _dateline(_source_name(second), None, _clean_name(first), "")
    if is_place(second) and not is_place(first):
        return _dateline(_source_name(first), None, _clean_name(second), "")
    if _outlet_like(second) and not _outlet_like(first):
        return _dateline(_source_name(second), None, _clean_name(first), "")
    # "موقع - مدينة" is the commoner order when neither side is known.
    return _dateline(_source_name(first), None, _clean_name(second), "", certain=_outlet_like(first))


def _from_colon(line: str) -> Credit | None:
    m = _COLON.match(line)
    if not m:
        return None
    head, rest = m.group("head").strip(), m.group("rest").strip()
    if re.search(r"\d$", head) and re.match(r"\d", rest):
        return None  # "الساعة 07:20": a clock, not a colon after a name
    if rest[:1] in _QUOTES:
        return None  # "مجلة …: «…»": a headline quoting an outlet, not a dateline
    head = _strip_stamp(head).strip(_STRIP)
    if not head or not _head_like(head):
        return None
    # Only names that cannot be the subject of a quoted sentence: "وزير الخارجية: …" is speech.
    if not (agency_name(head) or is_place(head) or _outlet_like(head)):
        return None
    if rest and (not _lead_like(rest) or len(rest.split()) < 3):
        return None
    source, place = _place_or_source(head)
    # "مصر: ارتفاع الأسعار" is also how a headline names its country: a place alone before a
    # colon is a dateline only in a lead, which the caller knows and this line does not.
    return _dateline(source, None, place, rest, certain=source is not None)


# --- Source lines --------------------------------------------------------------------------
_SOURCE_ONLY_LABELS = {fold(w) for w in (
    "المصدر", "المصدر الأصلي", "مصدر الخبر", "رابط المصدر", "المصدر:", "source", "source link",
    "original source", "الرابط الأصلي",
)}
_NAMED_AGENCY = re.compile(r"^(?:وكالة|الوكالة)\s.+|.+\s(?:للأنباء|للانباء|للأخبار|للاخبار|للإعلام|للاعلام)$")


def source_line(text: str) -> Credit | None:
    """A line that is only a credit: `المصدر: X`, a bare agency (`سانا`, `سبأ نت`,
    `(أ ف ب)`), `وكالة … للأنباء`, `X - متابعة`, `(موقع)`, `X ـ`, or the bare label
    `المصدر الأصلي` (kind "source_label", source None: the name was a link the scraper lost).
    Kind "source_line"; None for any other line."""
    line = _leading_quote_marks(text).strip()
    if not line or len(line) > 80:
        return None
    if fold(line.strip(_STRIP)) in _SOURCE_ONLY_LABELS:
        return Credit(None, None, None, "", "source_label")
    labelled = _from_source_label(line)
    if labelled is not None:
        return labelled
    bare = line.strip(_STRIP)
    bracketed = bool(re.fullmatch(r"\s*[(\[{]\s*[^()\[\]{}]+\s*[)\]}]\s*\.?", line))
    inner = bare.strip(_OPEN + _CLOSE + " ")
    # "سانا - SANA": one agency printed in two scripts.
    halves = [h for h in re.split(_DASH, inner) if h.strip()]
    names = {agency_name(h, in_brackets=bracketed) for h in halves}
    if len(names) == 1 and None not in names:
        return Credit(names.pop(), None, None, "", "source_line")
    known = agency_name(inner, in_brackets=bracketed)
    if known:
        return Credit(known, None, None, "", "source_line")
    if len(halves) == 2 and _name_like(halves[0], 6) and _name_like(halves[1], 4):
        # "وكالة … – بنغازي.": an outlet and the place it writes from
        first, second = (h.strip(_STRIP) for h in halves)
        if is_place(second) and (_outlet_like(first) or _NAMED_AGENCY.match(first)):
            return Credit(_source_name(first), None, _clean_name(second), "", "source_line")
        if is_place(first) and (_outlet_like(second) or _NAMED_AGENCY.match(second)):
            return Credit(_source_name(second), None, _clean_name(first), "", "source_line")
    if _NAMED_AGENCY.match(inner) and _name_like(inner, 7):
        return Credit(_clean_name(inner), None, None, "", "source_line")
    gathered = _from_gathered(line)
    if gathered is not None and not gathered.rest and gathered.source:
        return Credit(gathered.source, None, gathered.place, "", "source_line")
    if (bracketed and _name_like(inner, 4) and ARABIC_LETTER.search(inner) and "_" not in inner
            and not is_place(inner) and fold(inner) not in _CAPTION_WORDS):
        return Credit(_clean_name(inner), None, None, "", "source_line")
    if _name_like(inner, 4) and _outlet_like(inner) and not is_place(inner) and not re.search(r"[.!؟?]$", inner):
        # A bare outlet name ("الرافدين نيوز", "مدينة اليوم"); "موقع الحادث" has the same
        # shape, so only the unmistakable outlet marks make it certain.
        return Credit(_clean_name(inner), None, None, "", "source_line", certain=_surely_outlet(inner))
    trailing_dash = re.fullmatch(rf"(?P<name>[^{_DASH_CLASS}ـ]+?){_DASH}", line)
    if trailing_dash and _name_like(trailing_dash.group("name"), 4) and not is_place(trailing_dash.group("name")):
        name = trailing_dash.group("name")
        return Credit(_source_name(name), None, None, "", "source_line", certain=_outlet_like(name))
    return None


# --- Bylines ---------------------------------------------------------------------------------
_BYLINE = re.compile(
    r"^(?P<label>كتب|كتبت|بقلم|بقلم الكاتب|الكاتب|الكاتبة|كاتب المقال|تقرير|إعداد|اعداد|حوار|ترجمة"
    r"|تحرير|تحقيق|متابعة|إشراف|بواسطة|المحرر|by|par|written by|reporting by)"
    rf"(?!\w)\s*(?:[:：/]|{_DASH})?\s*(?P<name>.*)$", re.IGNORECASE | re.DOTALL)
_PHOTO = re.compile(
    r"^(?P<label>تصوير|عدسة|تصوير وتحرير|photo|photos|photo by|photography)"
    rf"(?!\w)\s*(?:[:：/]|{_DASH})?\s*(?P<name>.*)$", re.IGNORECASE | re.DOTALL)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_REUTERS_BY = re.compile(r"^(?:من|بقلم)\s+(?P<name>[^:：.،,]+)$")
_TITLES = re.compile(r"^(?:(?:أ\.?\s?د|د|م|أ)\.\s*)+")


def byline(text: str) -> Credit | None:
    """A byline: `كتب - فلان`, `كتب: فلان`, `بقلم فلان`, `تقرير: فلان`, `إعداد:`, `حوار:`,
    `من فلان` (a short line) → kind "byline" with `author`; `تصوير: فلان`, `عدسة: فلان` →
    kind "photo_credit" with `photographer` (a photographer is not the author). A label
    alone (`تصوير :`, `كتب:`) gives a credit whose name is None: it is on the next line."""
    line = _leading_quote_marks(text).strip()
    if not line or len(line) > 90:
        return None
    email = _EMAIL.search(line)
    if email:
        # "فلان - name@site.org": a writer signs with the address readers write to.
        bare = _clean_name(f"{line[:email.start()]} {line[email.end():]}")
        named = byline(bare) if bare else None
        if named is not None:
            return named
        if bare and _person_like(bare) and not _outlet_like(bare):
            return Credit(None, bare, None, "", "byline")
        return None
    m = _PHOTO.match(line)
    if m:
        name = _clean_name(m.group("name"))
        if not name:
            return Credit(None, None, None, "", "photo_credit")
        if _name_like(_TITLES.sub("", name), 6) or agency_name(name):
            source = agency_name(name)
            return Credit(source, None, None, "", "photo_credit", None if source else name)
        return None
    m = _BYLINE.match(line)
    if m:
        name = _clean_name(m.group("name"))
        if not name:
            return Credit(None, None, None, "", "byline")
        if _person_like(name):
            return Credit(None, name, None, "", "byline")
        return None
    m = _REUTERS_BY.match(line)
    if m:
        name = _clean_name(m.group("name"))
        if 2 <= len(name.split()) <= 5 and _person_like(name) and not is_place(name):
            return Credit(None, name, None, "", "byline")
    return None


def _person_like(name: str) -> bool:
    """One to six words, or names joined by و: letters, no clause word, no outlet word."""
    bare = _TITLES.sub("", name).strip()
    return bool(bare) and _name_like(bare, 6) and not agency_name(bare)


# --- Trailing credits ---------------------------------------------------------------------
_TAIL = 160
_END_MARKER = re.compile(
    rf"(?:^|(?<=[.!؟?»\"”'’)\]])|\s)\s*[(/{_DASH_CLASS}ـ]*\s*(?:انتهى|إنتهى|انتهي)(?:\s*[/{_DASH_CLASS}ـ]?\s*"
    r"(?:\d{1,4}|[\w.]{1,10}))?\s*[)/" + _DASH_CLASS + r"ـ]*\s*$")
_TRAILING_BRACKET = re.compile(r"\s*[(\[]\s*(?P<name>[^()\[\]]{1,60}?)\s*[)\]]\s*\.?\s*$")
_TRAILING_DASH = re.compile(rf"(?:\s+[{_DASH_CLASS}ـ]+\s*|\s*[{_DASH_CLASS}]+\s+)(?P<name>[^{_DASH_CLASS}ـ.!؟?]{{1,40}}?)\s*\.?\s*$")
_COPYRIGHT = re.compile(r"\s*(?:©|\(c\)|copyright)\s*(?P<name>[^©]{1,60})$", re.IGNORECASE)
# Words just before "(abbreviation)" that show it glosses a name in the sentence.
_GLOSS_WORDS = {fold(w) for w in ("وكالة", "الوكالة", "لوكالة", "بوكالة", "للأنباء", "الأنباء", "أنباء",
                                  "الرسمية", "agency")}
_RIGHTS_WORDS = {fold(w) for w in ("حقوق", "الحقوق", "محفوظة", "محفوظه", "rights", "reserved", "all")}
# An Algerian caption credit: ح.م (حقوق محفوظة, "rights reserved").
_RIGHTS = re.compile(r"\s+ح\s?\.\s?م\s?\.?\s*$")


def trailing_credit(text: str) -> Credit | None:
    """A credit closing a paragraph or caption, with `rest` the text before it:
    `(أ ف ب)`, `(رويترز)`, `(الوكالة الوطنية للإعلام)`, `(وكالات)`, `- موقع21` → kind
    "trailing_credit"; `© Agency`, `© Agency . Name`, `ح.م` → kind "photo_credit" (a
    © notice naming no one → "copyright");
    `انتهى`, `انتهى 31` (an agency's end-of-story mark) → kind "end_marker", source None;
    `(أرشيفية)`, `- صورة أرشيفية` → kind "photo_note" (the line is a caption). None when the
    text ends otherwise, e.g. with an ordinary parenthesis or a dash clause."""
    line = text.rstrip()
    if not line:
        return None
    # A credit is short: only the line's tail is searched, so a long paragraph costs no more.
    offset = max(0, len(line) - _TAIL)
    tail = line[offset:]
    m = _END_MARKER.search(tail)
    start = offset + m.start() if m else 0
    if m and (start == 0 or re.search(r"[.!؟?»\"”'’)\]]\s*$", line[:start]) or not line[:start].strip()):
        return Credit(None, None, None, line[:start].rstrip(), "end_marker")
    m = _COPYRIGHT.search(tail)
    if m:
        return _photo_credit(m.group("name"), line[:offset + m.start()].rstrip())
    m = _RIGHTS.search(tail)
    if m:
        return Credit(None, None, None, line[:offset + m.start()].rstrip(), "photo_credit")
    m = _TRAILING_BRACKET.search(tail)
    if m:
        name = m.group("name").strip()
        rest = line[:offset + m.start()].rstrip()
        if fold(name) in _CAPTION_WORDS:
            return Credit(None, None, None, rest, "photo_note")
        known = agency_name(name, in_brackets=True)
        if is_place(rest.strip(_STRIP)):
            return None  # "نابلس-(د ب أ)": a dateline, read by leading_credit
        if any(w in _GLOSS_WORDS for w in _words(rest)[-4:]):
            return None  # "… وكالة الأنباء الرسمية (سبأ)": the agency's name, glossed, in a sentence
        if known or (_NAMED_AGENCY.match(name) and _name_like(name, 7)):
            return Credit(known or _clean_name(name), None, None, rest, "trailing_credit")
        if rest and _name_like(name, 4) and not is_place(name) and (_outlet_like(name) or is_date_line(rest)):
            # An unknown name in brackets credits only when it reads as an outlet, or closes
            # a date stamp ("3 مايو 2024 11:40 مساء (صوت المدينة)").
            return Credit(_clean_name(name), None, None, rest, "trailing_credit")
        return None
    m = _TRAILING_DASH.search(tail)
    if m:
        name = m.group("name").strip()
        rest = line[:offset + m.start()].rstrip()
        if not rest:
            return None
        if fold(name) in _CAPTION_WORDS:
            return Credit(None, None, None, rest, "photo_note")
        if _name_like(name, 3) and (agency_name(name) or _outlet_like(name)) and not is_place(name):
            return Credit(_source_name(name), None, None, rest, "trailing_credit")
    return None


def _photo_credit(credit: str, rest: str) -> Credit:
    """`© Agency`, `© Agency . Name`, `© Agency / Name`: agency as source, name as photographer.
    A Latin credit followed by an Arabic caption ("© Agency . Name Caption", with or without
    the space) gives the caption back in `rest`. A notice naming neither ("© جميع الحقوق
    محفوظة") is kind "copyright"."""
    arabic = re.search(r"[\u0600-\u06ff]", credit)
    if arabic and re.search(r"[A-Za-z]", credit[:arabic.start()]):
        tail = credit[arabic.start():].strip()
        credit = credit[:arabic.start()]
        rest = f"{rest} {tail}".strip()
    parts = [p.strip() for p in re.split(r"\s+[./|]\s+|\s*/\s*", credit.strip()) if p.strip(_STRIP)]
    source = photographer = None
    for part in parts:
        known = agency_name(part, in_brackets=True)
        if known and source is None:
            source = known
        elif photographer is None and _name_like(part, 5) and not _RIGHTS_WORDS & set(_words(part)):
            photographer = _clean_name(part)
    if source is None and photographer is not None and len(parts) == 1 and _outlet_like(photographer):
        source, photographer = photographer, None
    kind = "photo_credit" if source or photographer else "copyright"
    return Credit(source, None, None, rest, kind, photographer)
