"""Arabic → readable ASCII for `slug_style = "translit"`: one simple, consistent scheme.

Unvocalised Arabic does not write short vowels, so no table can give back «yughayyir» from
«يغير»; what a table can do is keep every letter recognisable and pronounceable:

- the definite article is `al-` (no sun-letter assimilation), with a leading و/ف/ب/ك as
  `wa-`/`fa-`/`bi-`/`ka-` and لل as `lil-`;
- letters with no Latin twin are digraphs: ث th, خ kh, ذ dh, ش sh, غ gh;
  emphatics fold into their plain twins (ص s, ض d, ط t, ظ z, ح h); ق is q;
- ا and ى are `a`; و and ي are `w`/`y` where they are consonants (at a word's start,
  before ا ى ة or a vowel mark, after a vowel other than a hamza's) and the long vowels
  `u`/`i` elsewhere (رئيس rais); a word-initial اي, او or إي is one long vowel (ايران iran);
- ة is `a` at the end of a word, `t` inside one; hamza is dropped (ء, and apostrophes are
  never written): أ a, إ i, آ a, ؤ u, ئ a after a consonant and i after a vowel;
  a word-initial bare ا (hamzat al-wasl: استثمار, انتخابات) is `i`;
- ع is `a` at a word's start and between two consonants, and silent next to a vowel;
- written vowel marks are used: fatha a, damma u, kasra i, fathatan an, shadda doubles the
  letter; sukun and the other tanween are dropped;
- a vowel repeated (a mark then its long letter) is written once; digits become ASCII.

Anything that is not an Arabic letter passes through for slugify (Latin, digits, spaces).
"""

from __future__ import annotations

import re
import unicodedata

_CONSONANTS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    # Persian and Kurdish letters that turn up in names.
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ڤ": "v", "ک": "k", "ھ": "h",
}
_FATHA, _DAMMA, _KASRA = "\u064e", "\u064f", "\u0650"
_FATHATAN, _SHADDA = "\u064b", "\u0651"
_VOWEL_MARKS = {_FATHA: "a", _DAMMA: "u", _KASRA: "i", _FATHATAN: "an"}
# Marks read (above) or dropped: tanween, sukun, superscript alef, Quranic signs.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_TATWEEL = "\u0640"
# One Arabic word: letters and the marks on them.
_WORD = re.compile("[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u064b-\u065f\u0670"
                   "\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]+")
_LONG_LETTERS = frozenset("اىةآ")  # a و/ي before these is a consonant (حياة, دولة)
_VOWELS = frozenset("aiu")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Hamza is never written: its seat's vowel is (ئ: `a` after a consonant, `i` after a vowel).
_HAMZA = {"ء": "", "أ": "a", "إ": "i", "آ": "a", "ؤ": "u", "ئ": "a"}
_PREFIXES = {"و": "wa-", "ف": "fa-", "ب": "bi-", "ك": "ka-"}
_SILENT = "\x00"
"""A silent ع while spelling: a consonant for the letters after it (الاصطناعي: -i, not -y),
nothing in the result."""
_REPEATED_VOWEL = re.compile(r"([aiu])\1+")


def romanise(text: str) -> str:
    """`text` with every Arabic word written in ASCII letters (see the module docstring);
    the rest unchanged. Deterministic: a table, no dictionary."""
    text = unicodedata.normalize("NFC", text).replace(_TATWEEL, "")
    text = text.replace("ی", "ي").replace("ۀ", "ة").translate(_DIGITS)
    return _WORD.sub(lambda m: _word(m.group()), text)


def _word(word: str) -> str:
    """One Arabic word (letters with their marks) → ASCII."""
    letters: list[tuple[str, str]] = []  # (letter, the marks written on it)
    for ch in word:
        if _MARKS.fullmatch(ch):
            if letters:
                letters[-1] = (letters[-1][0], letters[-1][1] + ch)
        else:
            letters.append((ch, ""))
    bare = "".join(letter for letter, _ in letters)
    if bare in ("الله", "لله"):
        return "allah" if bare == "الله" else "lillah"
    prefix = ""
    if len(letters) > 3 and bare.startswith("لل"):
        prefix, letters = "lil-", letters[2:]
    elif len(letters) > 4 and bare[0] in _PREFIXES and bare[1:3] == "ال":
        prefix, letters = _PREFIXES[bare[0]] + "al-", letters[3:]
    elif len(letters) > 2 and bare.startswith("ال"):
        prefix, letters = "al-", letters[2:]
    return prefix + _REPEATED_VOWEL.sub(r"\1", _spell(letters)).replace(_SILENT, "")


def _spell(letters: list[tuple[str, str]]) -> str:
    """Letters (after any article) → ASCII, one letter at a time, looking one letter ahead
    and at what was written before."""
    out: list[str] = []

    def after_vowel() -> bool:
        last = next((s for s in reversed(out) if s), "")
        return last[-1:] in _VOWELS  # a silent ع is not

    i = 0
    while i < len(letters):
        letter, marks = letters[i]
        following = letters[i + 1][0] if i + 1 < len(letters) else ""
        vowel = "".join(_VOWEL_MARKS.get(m, "") for m in marks)
        double = 2 if _SHADDA in marks else 1
        i += 1
        if letter in "وي":
            after_hamza = i > 1 and letters[i - 2][0] in "ئؤ"  # رئيس, مسؤول: a long vowel
            if (len(out) == 0 or double == 2 or vowel or (after_vowel() and not after_hamza)
                    or (following and following in _LONG_LETTERS)):
                out.append(("w" if letter == "و" else "y") * double + vowel)
            else:
                out.append("u" if letter == "و" else "i")
        elif letter in "اإ" and len(out) == 0 and following in ("و", "ي") and not marks \
                and (letter == "ا" or following == "ي"):
            # A long vowel at a word's start, its hamza dropped or below (اوروبا, إيران).
            out.append("u" if following == "و" else "i")
            i += 1
        elif letter == "ا":
            out.append("i" if len(out) == 0 else "a")  # first: hamzat al-wasl (انتخابات)
        elif letter == "ع":
            next_vowel = bool(following) and (following in _LONG_LETTERS or following in "وي")
            if vowel:
                out.append(vowel)
            elif len(out) > 0 and (after_vowel() or next_vowel):
                out.append(_SILENT)
            else:
                out.append("a")
        elif letter in _HAMZA:
            out.append((_HAMZA[letter] if letter != "ئ" or not after_vowel() else "i") + vowel)
        elif letter == "ى":
            out.append("a")
        elif letter == "ة":
            out.append("t" + vowel if following else "a")
        else:
            out.append(_CONSONANTS.get(letter, "") * double + vowel)
    return "".join(out)
