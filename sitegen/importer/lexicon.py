"""General knowledge the line labeller matches against: page-widget labels, counters and
calls to follow or subscribe, read-also wordings, section words, function words, photo-credit
words (Arabic, English, French). Agencies, outlets and places are credits.py's; dates and
months are dates.py's.

Nothing here belongs to one outlet: these are the words any Arabic news page may print.
Every entry is stored folded (sitegen.arabic.fold), like the lines it is matched against.
"""

from __future__ import annotations

import re

from sitegen.arabic import fold


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(w.strip()) for w in words.split("|") if w.strip())


# Lines that are a widget, a button or a site label when they stand alone (matched whole,
# trailing colon and punctuation ignored).
CHROME_LINES = _folded(
    "شارك|شارك الخبر|شارك المقال|شارك هذا الخبر|شارك هذا المقال|شاركها|مشاركة|مشاركه الخبر|"
    "تابعنا|تابعونا|طباعة|اطبع|طباعه|ارسل لصديق|حفظ|نسخ الرابط|نسخ|إعلان|اعلانات|إعلانات|"
    "مساحة إعلانية|مساحه اعلانيه|اعلان ممول|محتوى ممول|الأكثر مشاهدة|الأكثر قراءة|الأكثر تداولا|"
    "آخر الأخبار|أخر الأخبار|اخر الاخبار|أهم الأخبار|اهم الاخبار|عاجل|بث مباشر|على المباشر|مباشر|"
    "اضغط للاستماع|استمع|استمع للخبر|استمع إلى المقال|تعليقات فيسبوك|التعليقات|تعليقات|اترك تعليقا|"
    "اترك تعليقاً|أضف تعليق|اضف تعليقك|زر الذهاب إلى الأعلى|العودة للأعلى|الذهاب للأعلى|اختر لغتك|"
    "جميع الحقوق محفوظة|حقوق النشر محفوظة|الرئيسية|التصويت|تقرأ الآن|"
    "كلمات مفتاح|كلمات مفتاحية|الكلمات المفتاحية|كلمات دلالية|الوسوم|وسوم|المزيد|اقرأ المزيد|"
    "شاهد الفيديو|فيديو|صور|القائمة|بحث|ابحث|النشرة البريدية|اشترك|اشترك الآن|سجل الدخول|"
    "تسجيل الدخول|إنشاء حساب|حجم الخط|تكبير الخط|تصغير الخط|أخبار ذات صلة|موضوعات ذات صلة|"
    "share|share this|share this content|share this article|tweet|print|email|advertisement|ad|ads|"
    "sponsored|logo|continue reading|read more|source link|back to top|"
    "create account|log in|login|sign in|sign up|register|"
    "subscribe|comments|leave a reply|leave a comment|home|menu|search|"
    "follow us|newsletter|most read|most viewed|latest news|breaking news|live|english|français|"
    "francais|العربية|partager|publicité|accueil|se connecter|s'abonner|commentaires|en direct|"
    "imprimer|à la une|facebook|twitter|whatsapp|telegram|instagram|youtube|linkedin|news|sports|"
    "politics|business|opinion|video|videos|photos|contact us|about us|privacy policy|terms of use|"
    "اتصل بنا|من نحن|سياسة الخصوصية|شروط الاستخدام|خريطة الموقع|الأرشيف|أرشيف|النسخة الورقية|"
    "pdf|rss|الطقس|أسعار العملات|مواقيت الصلاة|نسخة للطباعة|أرسل لصديق|حفظ المقال|"
    # Share buttons as Arabic pages name them.
    "فيسبوك|فيس بوك|تويتر|إكس|واتساب|واتس اب|واتس آب|تلغرام|تيليجرام|تليجرام|إنستغرام|انستغرام|"
    "إنستجرام|يوتيوب|لينكد إن|لينكدإن|سناب شات|تيك توك|ماسنجر|البريد الإلكتروني|نسخ الرابط"
)

# Widgets that sit inside an article's text (an ad slot, a listen button): the text goes on
# after them, unlike after share, comment or subscribe boxes, which close it.
MID_TEXT_WIDGETS = _folded(
    "إعلان|اعلان|إعلانات|ad|ads|advertisement|sponsored|مساحة إعلانية|اعلان ممول|محتوى ممول|publicité|"
    "اضغط للاستماع|استمع|استمع للخبر|استمع إلى المقال|listen"
)

# Share buttons: a label to share the story, or a platform's name alone.
SHARE_OPENINGS = _folded("شارك|شاركها|مشاركة|مشاركه|انشر|share|partager|partagez")
PLATFORMS = _folded(
    "فيسبوك|فيس بوك|تويتر|إكس|واتساب|واتس اب|واتس آب|تلغرام|تيليجرام|تليجرام|إنستغرام|انستغرام|"
    "لينكد إن|لينكدإن|ماسنجر|facebook|twitter|whatsapp|telegram|linkedin|messenger"
)

# Line openings that mark a widget whatever follows (subscribe boxes, comment forms, notices).
CHROME_OPENINGS = tuple(sorted(_folded(
    "اشترك في|اشترك للحصول|اشترك الآن|اشترك ليصلك|اشترك بالنشرة|لن يتم نشر عنوان بريدك|"
    "اكتشاف المزيد من|حمل تطبيق|حمّل تطبيق|تابعنا على|تابعونا على|تابعوا آخر|انضم إلى قناتنا|"
    "جميع الحقوق محفوظة|حقوق النشر|الحقول الإلزامية|يرجى تفعيل|هذا الموقع يستخدم|"
    "يستخدم هذا الموقع|يستخدم موقعنا|ملفات تعريف الارتباط|نستخدم ملفات|we use cookies|"
    "this site uses cookies|ce site utilise des cookies|"
    "شارك على|شارك عبر|رابط مختصر|الرابط المختصر|عدد المشاهدات|عدد القراءات|قراءة :|"
    "all rights reserved|copyright|share on|follow us on|subscribe to|sign up for|back to top|"
    "log in |sign in to|redirecting|"
    "the post |this article was originally|click here|tous droits réservés|suivez-nous|"
    "رئيس التحرير|رئيس مجلس الإدارة|مدير التحرير|المدير العام|نائب رئيس التحرير"
), key=len, reverse=True))

_TIGHT_OPENINGS = tuple(re.sub(r"\s+([:：])", r"\1", o) for o in CHROME_OPENINGS)

# Wordings that introduce other stories (a read-also or related block). Matched anywhere in a
# short line, so "للخبر بقية.. ومن أخبارنا أيضا:" is one too.
READ_ALSO_PHRASES = tuple(sorted(_folded(
    "اقرأ أيضا|اقرأ ايضا|إقرأ أيضاً|اقرا ايضا|اقرأ كذلك|طالع أيضا|طالع ايضا|شاهد أيضا|شاهد ايضا|"
    "انظر أيضا|إقرأ المزيد|ذات صلة|أخبار ذات صلة|مواضيع ذات صلة|مقالات ذات صلة|أخبار متعلقة|"
    "مواضيع متعلقة|مقالات مشابهة|أخبار مشابهة|مواضيع مشابهة|قد يهمك|قد يعجبك|يهمك أيضا|"
    "من أخبارنا|ومن أخبارنا|للخبر بقية|المزيد من الأخبار|أخبار أخرى|اقرأ في|تابع أيضا|اخترنا لك|"
    "قد تهمك|مواضيع قد تهمك|أخبار مقترحة|موضوعات مرتبطة|أخبار مرتبطة|ننصحك بقراءة|يهمك أيضا|"
    "read also|see also|related|related articles|related news|you may also like|more stories|"
    "lire aussi|à lire aussi|voir aussi|sur le même sujet"
), key=len, reverse=True))

# Words that are a site's section label when they stand alone or open a headline.
SECTION_WORDS = _folded(
    "خبر|أخبار|الأخبار|اخبار|سياسة|السياسة|اقتصاد|الاقتصاد|رياضة|الرياضة|محليات|دوليات|عربي|"
    "دولي|عربي ودولي|عربى و دولى|ثقافة|فن|فنون|منوعات|تكنولوجيا|صحة|مقالات|رأي|الرأي|تقارير|"
    "حوادث|مجتمع|علوم|سياحة|عاجل|مصر|العالم|وطنية|جهات|news|world|politics|sport|économie"
)

# Arabic function words: prose has many, furniture and headlines few (jusText's stopwords).
FUNCTION_WORDS = _folded(
    "في|من|على|إلى|الى|عن|أن|إن|ان|أو|او|ثم|هذا|هذه|ذلك|تلك|التي|الذي|الذين|قد|لقد|مع|كل|بعد|"
    "قبل|حتى|لا|لم|لن|ما|هل|بين|عند|منذ|أي|غير|هو|هي|هم|نحن|كان|كانت|يكون|وقد|وقال|وأضاف|"
    "حيث|كما|إذ|إذا|لكن|بل|وفي|ومن|وعلى|وأن|فيما|خلال|عبر|أمام|نحو|لدى|إنه|أنه|أنها|بأن|"
    "وذلك|وهو|وهي|التى|الذى|الى|علي|عليه|عليها|فيه|فيها|منه|منها|له|لها|به|بها"
)

# Words after which a clause cannot stop: relative pronouns, prepositions, conjunctions.
OPEN_ENDED = frozenset(fold(w) for w in (
    "التي", "الذي", "الذين", "اللذين", "اللتين", "اللواتي", "التى", "الذى", "في", "من", "على",
    "إلى", "الى", "عن", "مع", "أن", "إن", "ان", "بأن", "و", "أو", "او", "ثم", "حتى", "بين", "عند",
    "منذ", "خلال", "بعد", "قبل", "لدى", "نحو", "عبر", "حول", "ضد", "بسبب", "رغم"))
# A line that goes on a clause: it opens with one of these (a preposition or conjunction).
CONTINUING = frozenset(fold(w) for w in (
    "في", "من", "على", "إلى", "الى", "عن", "مع", "حتى", "بين", "عند", "منذ", "خلال", "طوال",
    "عبر", "نحو", "لدى", "حول", "ضد", "بسبب", "رغم", "التي", "الذي", "الذين"))

PHOTO_CREDIT_ENDINGS = tuple(_folded(
    "صورة أرشيفية|أرشيفية|ارشيفيه|صورة ارشيف|أرشيف|صور أرشيفية|ح.م|ح م|(أ ف ب)|(ا ف ب)|(رويترز)|"
    "(afp)|(reuters)|(ap)|getty images|getty|afp|reuters|(الأناضول)|(د ب أ)|(وكالات)|صورة|"
    # A picture's own credit: the outlet's photographer, an archive, social media.
    "(خاص)|(أرشيف)|(أرشيفية)|(صورة أرشيفية)|(إنترنت)|(الإنترنت)|(مواقع التواصل)|(متداولة)"
))

PHOTO_CREDIT_OPENINGS = tuple(_folded("©|تصوير|عدسة|الصورة:|صورة:|photo:|photo|crédit|credit"))

# Latin field labels of a feed record or a meta line ("Title …", "…:Source").
FEED_FIELDS = ("title", "short title", "headline", "teaser", "summary", "date", "id", "item",
               "author", "source", "category", "tags", "link", "url", "guid", "description")

SHARE_GLUE = re.compile(r"(?:facebook|twitter|whatsapp|telegram|linkedin|copylink|email|pinterest)"
                        r"(?:facebook|twitter|whatsapp|telegram|linkedin|copylink|email|pinterest)",
                        re.IGNORECASE)


def stripped_key(text: str) -> str:
    """`text` folded, with surrounding punctuation, quotes and bullets dropped."""
    return fold(text).strip(" .:;,!?؟،؛…-–—|()[]{}<>«»\"'“”‘’•*#>_ـ")


# What a counter under or after an article counts (comments, views, reads, likes, shares).
COUNTED = _folded(
    "تعليق|تعليقات|التعليقات|تعليقا|مشاهدة|مشاهدات|المشاهدات|قراءة|قراءات|القراءات|زيارة|زيارات|"
    "الزيارات|إعجاب|اعجاب|إعجابات|مشاركة|مشاركات|المشاركات|views|view|comments|comment|reads|likes|"
    "shares|vues|commentaires|lectures"
)
_COUNTER = re.compile(r"^(?:(?P<n1>[\d.,٬٫]+)\s*(?P<w1>\D+?)|(?P<w2>\D+?)\s*[:：(]?\s*(?P<n2>[\d.,٬٫]+)\s*\)?)$")

# A call to the reader: an imperative (follow, subscribe, register, download, join) with a
# channel that is the site's own ("قناتنا", "نشرتنا", "بريدك") or, after a plural imperative
# that no news sentence opens with ("تابعوا", "اشتركوا"), any platform. Widgets under
# articles on any outlet are worded this way; "انضم اللاعب إلى قناة …" is news, not a call.
READER_CALLS = _folded(
    "تابع|تابعوا|تابعونا|تابعنا|تابعي|اشترك|اشتركوا|اشتركي|سجل|سجلوا|حمل|حملوا|نزل|انضم|انضموا|"
    "اضغط|اضغطوا|انقر|ادخل|لا تنس|لا تنسوا|كن أول|كن اول|"
    "follow|subscribe|join|download|sign up|suivez|abonnez-vous|inscrivez-vous"
)
# Longest first: a call is read whole before a shorter call it begins with.
_READER_CALLS_LONGEST_FIRST = tuple(sorted(READER_CALLS, key=len, reverse=True))
PLURAL_CALLS = _folded("تابعوا|تابعونا|اشتركوا|سجلوا|حملوا|انضموا|اضغطوا|لا تنسوا|follow|subscribe|suivez")
OWN_CHANNELS = _folded(
    "قناتنا|صفحتنا|صفحاتنا|حساباتنا|حسابنا|نشرتنا|النشرة البريدية|النشرة الإخبارية|بريدك|"
    "بريدك الإلكتروني|البريد الإلكتروني|أخبارنا|تطبيقنا|موقعنا|منصاتنا|our|notre|nos"
)
CHANNELS = _folded(
    "فيسبوك|فيس بوك|تويتر|إكس|واتساب|واتس اب|تلغرام|تيليجرام|تليجرام|تيليغرام|إنستغرام|انستغرام|"
    "إنستجرام|انستجرام|يوتيوب|لينكد إن|تيك توك|سناب شات|جوجل نيوز|غوغل نيوز|مواقع التواصل|"
    "facebook|twitter|telegram|whatsapp|instagram|youtube|tiktok|newsletter|google news"
)


_CALL_GOES_ON = _folded("إلى|الى|على|علي|عبر|في|الآن|قناة|صفحة|حساب|آخر|أحدث|جديد|كل|us|our|now|to|on")


def _names_any(key: str, names: frozenset[str]) -> bool:
    padded = f" {key} "
    return any(f" {n} " in padded or f" ل{n} " in padded or f" و{n} " in padded or f" ب{n} " in padded
               for n in names)


def is_reader_call(text: str) -> bool:
    """A short call to follow, subscribe, register or download (see READER_CALLS)."""
    key = re.sub(r"[.,،:؛!]", " ", stripped_key(text))
    words = key.split()
    if not words or len(words) > 16:
        return False
    if any(w in ("لتصلك", "ليصلك", "لتصلكم", "ليصلكم") for w in words):
        return True
    first = next((c for c in _READER_CALLS_LONGEST_FIRST
                  if key == c or key.startswith(c + " ")), None)
    if first is None:
        return False
    if _names_any(key, OWN_CHANNELS) or first in PLURAL_CALLS and _names_any(key, CHANNELS):
        return True
    # "انضم إلى قناة … على واتساب": the call goes straight on to where ("إلى", "على", a channel)
    # and names a platform after على/عبر. News of someone doing it names the someone first
    # ("تابع الوزير كلمته على فيسبوك", "انضم الوزير إلى تيك توك").
    after = key[len(first):].split()[:1]
    if not after or after[0] not in _CALL_GOES_ON:
        return False
    return any(re.search(rf"(?:^|\s)(?:على|علي|عبر|via|on|sur)\s+{re.escape(c)}(?:$|\s)", key) for c in CHANNELS)


def is_counter_line(text: str) -> bool:
    """A counter standing alone: "5 تعليقات", "التعليقات (3)", "عدد المشاهدات: 1520"."""
    key = stripped_key(text).replace("عدد ", "", 1)
    m = _COUNTER.match(key)
    if not m:
        return False
    word = (m.group("w1") or m.group("w2") or "").strip(" :：()")
    return word in COUNTED


def is_share_line(text: str) -> bool:
    """A share button or label standing alone ("شارك هذا المقال", "Share", "واتساب")."""
    key = stripped_key(text)
    words = key.split()
    return bool(words) and len(words) <= 5 and (words[0] in SHARE_OPENINGS or key in PLATFORMS)


def is_chrome_line(text: str) -> bool:
    """A widget, button or site label standing alone."""
    key = stripped_key(text)
    if not key:
        return True
    if key in CHROME_LINES:
        return True
    tight = re.sub(r"\s+([:：])", r"\1", key)
    if any(tight.startswith(o) for o in _TIGHT_OPENINGS):
        return True
    return is_counter_line(text) or is_reader_call(text)


def read_also_phrase(text: str) -> str | None:
    """The read-also wording a short line holds, if any."""
    key = stripped_key(text)
    if len(key.split()) > 12:
        return None
    if re.fullmatch(r"(?:المزيد من|more from|plus de)\s+\S+(?:\s+\S+){0,2}", key):
        return "المزيد من"  # "المزيد من محليات": more of a section's stories
    for phrase in READ_ALSO_PHRASES:
        if re.search(rf"(?:^|[\s.:،,])\s*و?{re.escape(phrase)}(?:$|[\s.:،,!])", key):
            return phrase
    return None
