"""`sitegen import` of saved web pages (seeds/*.html, *.htm): the article found by
trafilatura, its metadata winning over the text labelling where they disagree.

Every page below is written for these tests, in our own words, with the furniture real Arabic
news pages have: a cookie banner, navigation, a section label, `<h1>`, a byline, `<time>`, a
share bar, a photo with `<figcaption>`, a read-also box, a related list, a footer, scripts.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Callable

import pytest

from sitegen.cli import main
from sitegen.errors import SourceError
from sitegen.frontmatter import parse
from sitegen.importer.articles import parse_seed
from sitegen.importer.htmlpage import apply_metadata, parse_saved_page

MakeSite = Callable[[dict[str, str]], Path]

NEWS_PAGE = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>محطة لتحلية المياه تدخل الخدمة في الميناء | صحيفة المرسى</title>
<meta property="og:title" content="محطة لتحلية المياه تدخل الخدمة في الميناء">
<meta property="og:site_name" content="صحيفة المرسى">
<meta property="og:image" content="https://marsa.example/media/tahliya.jpg">
<meta property="article:published_time" content="2026-04-02T21:40:00+03:00">
<meta name="author" content="هدى السالم">
<link rel="canonical" href="https://marsa.example/local/2026/04/tahliya">
<script>window.dataLayer = [{"page": "خبر"}];</script>
<style>.share a { color: blue }</style>
</head><body>
<div id="cookies" class="cookie-banner"><p>يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربة التصفح. بمتابعتك التصفح فأنت توافق على ذلك.</p><button>موافق</button></div>
<header><a class="logo" href="/">صحيفة المرسى</a>
<nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/local">محليات</a></li><li><a href="/economy">اقتصاد</a></li><li><a href="/sport">رياضة</a></li></ul></nav></header>
<main>
<article class="post">
<a class="section-label" href="/local">محليات</a>
<h1 class="post-title">محطة لتحلية المياه تدخل الخدمة في الميناء</h1>
<div class="byline">كتبت: <span class="author">هدى السالم</span></div>
<time class="published" datetime="2026-04-02T21:40:00+03:00">الخميس 2 أبريل 2026 - 09:40 م</time>
<div class="share-bar"><span>شارك الخبر</span><a href="https://facebook.com/sharer">فيسبوك</a><a href="https://x.com/intent">إكس</a><a href="whatsapp://send">واتساب</a></div>
<figure class="lead-image"><img src="/media/tahliya.jpg" alt="المحطة"><figcaption>خزانات المحطة الجديدة على طرف الرصيف الغربي (صحيفة المرسى)</figcaption></figure>
<div class="post-body">
<p>دخلت محطة تحلية المياه الجديدة في الميناء الخدمة مساء الخميس، لتوفر نحو عشرين ألف متر مكعب من المياه العذبة يومياً لأحياء المدينة القديمة.</p>
<p>وقال مدير المشروع إن المحطة تعمل بالطاقة الشمسية خلال النهار، وإن كلفة المتر المكعب ستنخفض إلى النصف مقارنة بالمحطة السابقة التي أغلقت قبل عامين.</p>
<div class="read-also"><span>اقرأ أيضاً:</span> <a href="/local/2026/03/sayyadoun">الصيادون يطالبون بتوسيع الرصيف الشرقي قبل الموسم</a></div>
<h2>ماذا ينتظر السكان؟</h2>
<p>وسيبدأ ضخ المياه إلى الخزانات العالية الأسبوع المقبل، على أن تصل إلى البيوت تدريجياً خلال شهر، بحسب جدول نشرته البلدية على لوحات الإعلانات.</p>
<p>ويأمل السكان أن تنتهي بذلك انقطاعات الصيف الطويلة التي كانت تدفعهم إلى شراء المياه من الصهاريج بأسعار مرتفعة.</p>
<script>document.write("إعلان داخل المقال يجب ألا يظهر");</script>
</div>
<ul class="tags"><li><a href="/tag/water">مياه</a></li><li><a href="/tag/port">الميناء</a></li></ul>
</article>
<aside class="related"><h3>أخبار ذات صلة</h3><ul>
<li><a href="/a">البلدية تعلن مواعيد جديدة لجمع النفايات في الأحياء الساحلية</a></li>
<li><a href="/b">افتتاح سوق للأسماك الطازجة قرب المرفأ الصغير</a></li>
<li><a href="/c">مدرسة الميناء تحتفل بتخريج أول دفعة من قسم الملاحة</a></li></ul></aside>
</main>
<div class="newsletter">اشترك في نشرتنا البريدية اليومية</div>
<footer><p>جميع الحقوق محفوظة © صحيفة المرسى 2026</p><a href="/privacy">سياسة الخصوصية</a></footer>
<script src="/js/app.js"></script><script>trackPage("tahliya")</script>
</body></html>
"""

# No og: tags: the headline is the <h1> after a section label; the date only in <time>.
PLAIN_PAGE = """<html lang="ar"><head><meta charset="utf-8"><title>موقع الوادي الإخباري</title></head><body>
<nav><a href="/">الرئيسية</a> | <a href="/culture">ثقافة</a></nav>
<article>
<div class="kicker">ثقافة</div>
<h1>معرض للخط العربي يجمع خطاطين من خمس مدن</h1>
<p class="author">بقلم: سامر العلي</p>
<time datetime="2026-05-09">9 مايو 2026</time>
<p>افتتح في قاعة البلدية مساء السبت معرض للخط العربي يضم أكثر من مئة لوحة لخطاطين جاؤوا من خمس مدن، وتستمر أيامه حتى نهاية الشهر.</p>
<p>وقال أحد المنظمين إن المعرض يخصص ركناً للأطفال يتعلمون فيه كتابة أسمائهم بخط الرقعة، ويختار كل يوم لوحة يعلقها في المدخل.</p>
<p>وتعرض في الجناح الأخير <a href="javascript:void(0)">مخطوطات قديمة</a> أعارتها عائلات من المدينة للمرة الأولى، وسط إقبال لافت من الزوار.</p>
<script>alert("نافذة منبثقة")</script>
</article>
<footer>© موقع الوادي</footer>
</body></html>
"""

# Navigation, a poll, a newsletter box and scripts: no article.
NO_ARTICLE = """<html><head><meta charset="utf-8"><title>الرئيسية - بوابة الصباح</title></head><body>
<nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/p">سياسة</a></li><li><a href="/s">رياضة</a></li><li><a href="/t">تقنية</a></li></ul></nav>
<div class="poll"><h3>استطلاع الرأي</h3><p>هل تؤيد تغيير موعد الدوام؟</p><label><input type="radio"> نعم</label><label><input type="radio"> لا</label><button>صوّت</button></div>
<div class="newsletter"><p>اشترك في النشرة</p><input type="email"><button>اشترك</button></div>
<script>for (var i = 0; i < 10; i++) { console.log("لا شيء هنا"); }</script>
<footer>جميع الحقوق محفوظة</footer>
</body></html>
"""


def run(root: Path, *args: str) -> int:
    return main(["import", "-C", str(root / "config.toml"), *args])


def imported(root: Path) -> dict[str, tuple[dict, str]]:
    out = {}
    for p in sorted((root / "content").glob("*.md")):
        fm = parse(p.read_text(encoding="utf-8"), p)
        out[fm.meta["title"]] = (fm.meta, fm.body)
    return out


def test_a_news_page_gives_its_article_and_metadata(make_site: MakeSite) -> None:
    root = make_site({"seeds/tahliya.html": NEWS_PAGE})
    assert run(root, "-q") == 0
    [(title, (meta, body))] = imported(root).items()
    assert title == "محطة لتحلية المياه تدخل الخدمة في الميناء"
    assert "title_inferred" not in meta
    assert meta["date"] == "2026-04-02"
    assert meta["author"] == "هدى السالم"
    assert meta["source"] == "صحيفة المرسى"
    assert meta["source_url"] == "https://marsa.example/local/2026/04/tahliya"
    assert "image" not in meta  # the outlet's picture is not ours to show
    assert meta["seed"]["file"] == "seeds/tahliya.html"
    assert body.startswith("دخلت محطة تحلية المياه الجديدة في الميناء الخدمة مساء الخميس")
    for sentence in ("وقال مدير المشروع إن المحطة تعمل بالطاقة الشمسية",
                     "وسيبدأ ضخ المياه إلى الخزانات العالية", "ويأمل السكان أن تنتهي بذلك"):
        assert sentence in body
    # Page furniture never reaches the article.
    for noise in ("ملفات تعريف الارتباط", "موافق", "شارك الخبر", "فيسبوك", "واتساب", "الرئيسية",
                  "إعلان داخل المقال", "dataLayer", "trackPage", "جميع الحقوق", "اشترك في نشرتنا",
                  "البلدية تعلن مواعيد جديدة", "سوق للأسماك الطازجة", "خزانات المحطة الجديدة",
                  "كتبت", "محطة لتحلية المياه تدخل الخدمة"):
        assert noise not in body, noise
    # The read-also box is a reference, not text.
    refs = [r["title"] for r in meta["related"]]
    assert "الصيادون يطالبون بتوسيع الرصيف الشرقي قبل الموسم" in refs
    assert "الصيادون يطالبون" not in body
    # The <h2> after the read-also box is the text's subheading, not a title of the box.
    assert "\n\n## ماذا ينتظر السكان؟\n\n" in body and "ماذا ينتظر السكان؟" not in refs


def test_metadata_wins_over_the_labelling_and_says_why() -> None:
    page = parse_saved_page(PLAIN_PAGE.encode("utf-8"), "seeds/khatt.html")
    # The text keeps the page's blocks in order, the headline its own line.
    lines = page.text.split("\n\n")
    assert "معرض للخط العربي يجمع خطاطين من خمس مدن" in lines
    assert page.meta.title == "معرض للخط العربي يجمع خطاطين من خمس مدن"
    assert page.meta.date == "2026-05-09"
    assert page.meta.author == "سامر العلي"  # without the byline's «بقلم:»
    news = parse_saved_page(NEWS_PAGE.encode("utf-8"), "seeds/tahliya.html").meta
    assert (news.image, news.site_name, news.url) == (
        "https://marsa.example/media/tahliya.jpg", "صحيفة المرسى", "https://marsa.example/local/2026/04/tahliya")
    assert "نافذة منبثقة" not in page.text and "javascript" not in page.text
    # With the <h1> in the text, the labelling finds the headline itself: no title decision.
    [draft], _ = parse_seed(page.text, "seeds/khatt.html")
    assert draft.title == page.meta.title
    assert "title" not in [o.field for o in apply_metadata(draft, page.meta)[1]]
    # The same page with its headline only in og:title: the labelling infers a title from the
    # lead, finds no date line (the <time> is not in the text) and takes the section label
    # «ثقافة» for a name line; the metadata corrects all three and records why (--explain).
    bare = parse_saved_page(PLAIN_PAGE.replace("<h1>معرض للخط العربي يجمع خطاطين من خمس مدن</h1>", "").replace(
        "<title>", '<meta property="og:title" content="معرض للخط العربي يجمع خطاطين من خمس مدن"><title>'
    ).encode("utf-8"), "seeds/khatt.html")
    [draft], _ = parse_seed(bare.text, "seeds/khatt.html")
    assert draft.title_inferred and draft.title != page.meta.title and draft.date is None
    fixed, overrides = apply_metadata(draft, bare.meta)
    assert fixed.title == page.meta.title and fixed.date == "2026-05-09" and not fixed.title_inferred
    assert fixed.author == "سامر العلي"
    reasons = {o.field: o for o in overrides}
    assert reasons["title"].from_text == draft.title and reasons["title"].chosen == page.meta.title
    assert "headline" in reasons["title"].reason and "inferred" in reasons["title"].reason
    assert reasons["date"].from_text is None and "no date line" in reasons["date"].reason
    assert reasons["author"].from_text == draft.author and reasons["author"].chosen == "سامر العلي"
    # Agreeing metadata changes nothing and says nothing.
    again, none = apply_metadata(fixed, bare.meta)
    assert again == fixed and none == []
    # A date line with the time, on the metadata's day, agrees: the time is kept.
    timed = replace(fixed, date="2026-05-09T18:30")
    assert apply_metadata(timed, bare.meta) == (timed, [])


def test_headings_and_lists_are_lines_of_their_own() -> None:
    page = parse_saved_page(NEWS_PAGE.replace(
        "<h2>ماذا ينتظر السكان؟</h2>",
        "<h2>ماذا ينتظر السكان؟</h2><ul><li>ضخ المياه إلى الخزانات<ul><li>العالية أولاً</li></ul></li>"
        "<li>وصلها إلى البيوت</li></ul>"
    ).encode("utf-8"), "x.html")
    lines = page.text.split("\n\n")
    assert "ماذا ينتظر السكان؟" in lines
    assert "- ضخ المياه إلى الخزانات" in lines and "- وصلها إلى البيوت" in lines
    assert "- العالية أولاً" in lines  # a nested item: its own line, not glued to its parent's
    roles = dict(page.roles)
    text_lines = page.text.split("\n")
    assert roles[text_lines.index("ماذا ينتظر السكان؟") + 1] == "heading"
    assert roles[text_lines.index("- وصلها إلى البيوت") + 1] == "list_item"


def test_a_line_break_inside_a_paragraph_keeps_the_words_apart() -> None:
    page = parse_saved_page(PLAIN_PAGE.replace("ركناً للأطفال", "ركناً<br>للأطفال").encode("utf-8"), "x.html")
    assert "يخصص ركناً للأطفال يتعلمون" in page.text


def test_bad_pages_are_one_line_each_and_the_others_import(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"seeds/a-news.html": NEWS_PAGE, "seeds/b-home.html": NO_ARTICLE,
                      "seeds/c-empty.htm": "   \n", "seeds/d-khatt.htm": PLAIN_PAGE})
    # A 50 MB page (sparse: it costs nothing to make) is refused before it is read.
    with open(root / "seeds/e-huge.html", "wb") as f:
        f.write(b"<html><body><p>")
        f.truncate(50 * 1024 * 1024)
    assert run(root) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: seeds/b-home.html: import: no article found (only navigation, widgets or scripts)",
        "error: seeds/c-empty.htm: import: empty file: no page to import",
        "error: seeds/e-huge.html: import: file is 50.0 MiB, over max_seed_mb = 20 (raise it in "
        "config.toml to import this page)",
    ]
    assert "Traceback" not in err
    assert sorted(imported(root)) == ["محطة لتحلية المياه تدخل الخدمة في الميناء",
                                      "معرض للخط العربي يجمع خطاطين من خمس مدن"]
    # Nothing else was written: no temporary file left, no file for a refused page.
    assert len(list((root / "content").iterdir())) == 3  # the two articles and the manifest


def test_a_folder_of_saved_pages_is_imported_with_the_folder_named(make_site: MakeSite) -> None:
    root = make_site({"saved/2026-04-02/tahliya.html": NEWS_PAGE, "saved/2026-04-02/khatt.htm": PLAIN_PAGE,
                      "saved/2026-04-02/notes.md": "ملاحظات المحرر، لا تستورد.\n"})
    assert run(root, "-q", str(root / "saved/2026-04-02")) == 0
    found = imported(root)
    assert sorted(found) == ["محطة لتحلية المياه تدخل الخدمة في الميناء",
                             "معرض للخط العربي يجمع خطاطين من خمس مدن"]
    assert {m["seed"]["file"] for m, _ in found.values()} == {
        "saved/2026-04-02/tahliya.html", "saved/2026-04-02/khatt.htm"}


def test_a_windows_1256_page_is_read_by_its_declared_charset(make_site: MakeSite) -> None:
    page = PLAIN_PAGE.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" '
                              'content="text/html; charset=windows-1256">')
    root = make_site({})
    (root / "seeds").mkdir()
    (root / "seeds/khatt.html").write_bytes(page.encode("cp1256"))
    assert run(root, "-q") == 0
    [(title, (_meta, body))] = imported(root).items()
    assert title == "معرض للخط العربي يجمع خطاطين من خمس مدن"
    assert "مخطوطات قديمة" in body


def test_reimport_leaves_unchanged_and_edited_pages_alone(make_site: MakeSite,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"seeds/tahliya.html": NEWS_PAGE})
    assert run(root, "-q") == 0
    [path] = (root / "content").glob("*.md")
    before = path.read_bytes()
    assert run(root) == 0
    assert path.read_bytes() == before and "1 unchanged" in capsys.readouterr().err
    edited = before.decode("utf-8").replace("نحو عشرين ألف", "قرابة عشرين ألف")
    path.write_text(edited, encoding="utf-8")
    assert run(root) == 0
    assert "changed since it was imported; kept as it is" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == edited


def test_the_article_page_links_to_the_original(make_site: MakeSite) -> None:
    root = make_site({"seeds/tahliya.html": NEWS_PAGE})
    assert run(root, "-q") == 0
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    [page] = (root / "public/articles").glob("*/index.html")
    html = page.read_text(encoding="utf-8")
    assert ('<a class="original" href="https://marsa.example/local/2026/04/tahliya" rel="external">'
            "المصدر الأصلي</a>") in html
    assert '"isBasedOn": "https://marsa.example/local/2026/04/tahliya"' in html


def test_a_source_url_that_is_not_http_is_a_front_matter_error(make_site: MakeSite,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/a.md": "---\ntitle: خبر\nsource_url: javascript:alert(1)\n---\n\nنص.\n"})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 1
    assert "content/a.md:3: load: source_url: 'javascript:alert(1)' is not an http(s) URL" in capsys.readouterr().err


def test_no_article_is_a_source_error_naming_the_file() -> None:
    with pytest.raises(SourceError, match=r"^seeds/home\.html: import: no article found"):
        parse_saved_page(NO_ARTICLE.encode("utf-8"), "seeds/home.html")


# A heading that reads like a sentence: by its shape alone the labelling would keep it a paragraph.
SENTENCE_HEADING = "المحطة تعمل بالطاقة الشمسية نهاراً وبالكهرباء العامة ليلاً، بحسب المهندسين المشرفين على تشغيلها."


def test_an_h2_in_the_article_is_a_subheading(make_site: MakeSite) -> None:
    root = make_site({"seeds/tahliya.html": NEWS_PAGE.replace(
        "<h2>ماذا ينتظر السكان؟</h2>", f"<h2>{SENTENCE_HEADING}</h2>")})
    assert run(root, "-q") == 0
    [(_title, (_meta, body))] = imported(root).items()
    assert f"\n\n## {SENTENCE_HEADING}\n\n" in body
    assert body.startswith("دخلت محطة تحلية المياه")


def test_explain_shows_a_saved_pages_lines_and_what_its_metadata_decided(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    headline = "معرض للخط العربي يجمع خطاطين من خمس مدن"
    root = make_site({"seeds/khatt.html": PLAIN_PAGE.replace(f"<h1>{headline}</h1>", "").replace(
        "<title>", f'<meta property="og:title" content="{headline}"><title>')})
    assert run(root, "--explain", str(root / "seeds/khatt.html")) == 0
    out = capsys.readouterr().out
    assert out.startswith("== seeds/khatt.html")
    assert "paragraph" in out and "| افتتح في قاعة البلدية" in out
    [title_line] = [line for line in out.splitlines() if line.startswith("metadata: title ")]
    assert title_line.endswith(f"→ '{headline}': the page's own headline (og:title / <h1>) wins: "
                               "the labelling inferred the title from the first paragraph")
    assert any(line.startswith("metadata: date None → '2026-05-09'") for line in out.splitlines())
    assert f"-> article 1: '{headline}' (author: سامر العلي, date: 2026-05-09)" in out
    assert not (root / "content").exists()


def test_saved_pages_that_are_no_regular_files_are_one_line_each(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"seeds/a-news.html": NEWS_PAGE})
    os.mkfifo(root / "seeds/pipe.html")  # reading it would block the import forever
    (root / "seeds/folder.htm").mkdir()
    assert run(root) == 1
    errors = sorted(line for line in capsys.readouterr().err.splitlines() if line.startswith("error:"))
    assert errors == ["error: seeds/folder.htm: import: cannot read: a directory, not a regular file",
                      "error: seeds/pipe.html: import: cannot read: a FIFO (named pipe), not a regular file"]
    assert sorted(imported(root)) == ["محطة لتحلية المياه تدخل الخدمة في الميناء"]
