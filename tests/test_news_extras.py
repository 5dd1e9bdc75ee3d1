"""Authors, scheduled and expiring articles, and the redirects of renamed slugs, as a reader
and a crawler see them."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import pytest

from sitegen import schedule
from sitegen.build import BuildOptions, build, verify_incremental
from sitegen.check import check_site
from sitegen.cli import main
from sitegen.config import load_config

from conftest import article

MakeSite = Callable[[dict[str, str]], Path]
CONFIG = 'base_url = "https://example.org/"\npage_size = 1\n'
EPOCH_2026_12_01 = "1796083200"


def _site(make_site: MakeSite, files: dict[str, str]) -> Path:
    return make_site({**files, "config.toml": CONFIG})


def _read(root: Path, rel: str) -> str:
    return (root / "public" / rel).read_text(encoding="utf-8")


def test_author_byline_pages_index_and_json_ld(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_12_01)
    root = _site(make_site, {
        "content/a.md": article("خبر أول", slug="a", date="2026-11-20", author="سارة المحررة",
                                updated="2026-11-22T09:15"),
        "content/b.md": article("خبر ثان", slug="b", date="2026-11-21", author="سارة  المحررة"),
        "content/c.md": article("خبر ثالث", slug="c", date="2026-11-19"),
    })
    build(load_config(root / "config.toml"))
    html = _read(root, "articles/a/index.html")
    author_url = "/authors/" + quote("سارة-المحررة") + "/"
    assert f'<p class="byline">بقلم: <a rel="author" href="{author_url}">سارة المحررة</a></p>' in html
    assert '<p class="updated">حُدّث في <time datetime="2026-11-22">' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["author"] == {"@type": "Person", "name": "سارة المحررة", "url": "https://example.org" + author_url}
    assert ld["dateModified"] == "2026-11-22T09:15"
    assert "byline" not in _read(root, "articles/c/index.html")
    # The author's pages list both articles, newest first, one a page with a pager.
    first, second = _read(root, "authors/سارة-المحررة/index.html"), _read(root, "authors/سارة-المحررة/page/2/index.html")
    assert "خبر ثان" in first and "خبر أول" not in first and "خبر أول" in second
    assert 'rel="next"' in first
    index = _read(root, "authors/index.html")
    assert author_url in index and f'href="/authors/"' in _read(root, "index.html")
    assert "https://example.org" + author_url in _read(root, "sitemap.xml")


def test_no_author_no_authors_index_nor_link(make_site: MakeSite) -> None:
    root = _site(make_site, {"content/a.md": article("خبر", slug="a", date="2026-11-20")})
    build(load_config(root / "config.toml"))
    assert not (root / "public/authors").exists()
    assert "/authors/" not in _read(root, "index.html")


def test_unknown_key_warning_still_fires_but_not_for_the_new_keys(make_site: MakeSite) -> None:
    root = _site(make_site, {"content/a.md": article("خبر", slug="a", updated="2026-01-02",
                                                     expires="2099-01-01", aliases="[x]", autor="y")})
    report = build(load_config(root / "config.toml"))
    assert [w.split(": ", 1)[1] for w in report.warnings] == [
        "front matter: unknown key 'autor' ignored (did you mean 'author'?)"]


def _published(root: Path) -> dict[str, bool]:
    """Where the scheduled article `s` shows: its page, home, tag page, feeds, sitemaps, search."""
    public = root / "public"
    return {
        "page": (public / "articles/s/index.html").exists(),
        "home": "/articles/s/" in _read(root, "index.html") + _read(root, "page/2/index.html")
                if (public / "page/2/index.html").exists() else "/articles/s/" in _read(root, "index.html"),
        "tag": (public / "tags/وسم").exists() and "/articles/s/" in "".join(
            p.read_text(encoding="utf-8") for p in (public / "tags/وسم").rglob("*.html")),
        "feed": "/articles/s/" in _read(root, "feed.xml"),
        "sitemap": "/articles/s/" in _read(root, "sitemap.xml"),
    }


def test_a_future_article_waits_for_its_date_unless_future(make_site: MakeSite,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_12_01)
    root = _site(make_site, {
        "content/a.md": article("خبر منشور", slug="a", date="2026-11-20", tags="[وسم]"),
        "content/s.md": article("خبر مجدول", slug="s", date="2026-12-02T06:00", tags="[وسم]"),
    })
    config = load_config(root / "config.toml")
    build(config)
    assert not any(_published(root).values())
    build(config, BuildOptions(future=True))
    assert all(_published(root).values())
    # Published from its moment on (2026-12-02 06:00 UTC), not before.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime.datetime(
        2026, 12, 2, 5, 59, tzinfo=datetime.timezone.utc).timestamp())))
    build(config)
    assert not any(_published(root).values())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime.datetime(
        2026, 12, 2, 6, 0, tzinfo=datetime.timezone.utc).timestamp())))
    build(config)
    assert all(_published(root).values())


def test_an_expired_article_is_dropped_page_and_all(make_site: MakeSite,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_12_01)
    root = _site(make_site, {
        "content/a.md": article("خبر باق", slug="a", date="2026-11-20", tags="[وسم]"),
        "content/s.md": article("خبر منته", slug="s", date="2026-11-10", tags="[وسم]", expires="2026-11-30"),
    })
    build(load_config(root / "config.toml"))
    assert not any(_published(root).values())
    assert (root / "public/articles/a/index.html").exists()


def test_a_later_build_publishes_with_no_file_changed_and_a_plain_no_op_stays_one(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    clock = [datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.timezone.utc)]
    monkeypatch.setattr(schedule, "now", lambda: clock[0])
    root = _site(make_site, {
        "content/a.md": article("خبر منشور", slug="a", date="2026-11-20", tags="[وسم]"),
        "content/s.md": article("خبر مجدول", slug="s", date="2026-12-02", tags="[وسم]"),
        "content/e.md": article("خبر ينتهي", slug="e", date="2026-11-01", expires="2026-12-03T12:00"),
    })
    config = load_config(root / "config.toml")
    build(config)
    assert not _published(root)["page"] and (root / "public/articles/e/index.html").exists()
    assert build(config).noop  # the same day: nothing to do
    clock[0] = datetime.datetime(2026, 12, 2, 0, 1, tzinfo=datetime.timezone.utc)
    report = build(config)
    assert not report.noop and all(_published(root).values())
    assert build(config).noop
    # The expiry, then: the page is removed, and the result is what a build from scratch gives.
    clock[0] = datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.timezone.utc)
    assert not build(config).noop
    assert not (root / "public/articles/e").exists() and "/articles/e/" not in _read(root, "sitemap.xml")
    assert verify_incremental(config)[1] == []
    clock[0] = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    assert build(config).noop  # nothing scheduled or expiring any more


def test_aliases_redirect_and_are_listed_nowhere(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_12_01)
    root = _site(make_site, {"content/a.md": article(
        "عنوان جديد", slug="new", date="2026-11-20", aliases="[old-title, /news/2021/old.html, /أخبار/قديم/]")})
    build(load_config(root / "config.toml"))
    target = "https://example.org/articles/new/"
    for rel in ("articles/old-title/index.html", "news/2021/old.html", "أخبار/قديم/index.html"):
        html = _read(root, rel)
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in html
        assert f'<link rel="canonical" href="{target}">' in html
        assert '<meta name="robots" content="noindex">' in html
    listed = _read(root, "sitemap.xml") + _read(root, "feed.xml") + _read(root, "index.html")
    assert "old-title" not in listed and "old.html" not in listed and quote("قديم") not in listed
    # `sitegen check` takes them for what they are: no orphan, no broken link.
    report = check_site(load_config(root / "config.toml"))
    assert report.orphans == [] and report.broken == [] and report.pages > 3


def test_an_alias_naming_a_page_is_an_error_naming_both_files(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_12_01)
    root = _site(make_site, {
        "content/a.md": article("أ", slug="a", date="2026-11-20"),
        "content/b.md": article("ب", slug="b", date="2026-11-21", aliases="[a]"),
    })
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 1
    err = capsys.readouterr().err
    assert "content/b.md: aliases: 'a' is the URL of content/a.md's page" in err
    assert not (root / "public/articles/b").exists()


def test_the_dev_server_shows_scheduled_articles_with_future(make_site: MakeSite,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.serve.server import make_rebuild

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_12_01)
    root = _site(make_site, {"content/s.md": article("خبر مجدول", slug="s", date="2026-12-25")})
    config = load_config(root / "config.toml")
    for future, shown in ((False, False), (True, True)):
        out = root / f"serve-{future}"
        rebuilt = make_rebuild(config.replace(output_dir=out), future=future)(frozenset())
        if rebuilt.after is not None:
            rebuilt.after()
        assert (out / "articles/s/index.html").exists() is shown


def test_the_sitemap_dates_a_revised_article_by_its_revision(make_site: MakeSite,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_12_01)
    root = _site(make_site, {"content/a.md": article("خبر", slug="a", date="2026-11-20", updated="2026-11-25T08:00")})
    build(load_config(root / "config.toml"))
    assert ("<loc>https://example.org/articles/a/</loc><lastmod>2026-11-25</lastmod>"
            in _read(root, "sitemap.xml"))


@pytest.mark.parametrize(("line", "message"), [
    ("expires: soon", "content/a.md:4: load: expires: 'soon' is not a date (write YYYY-MM-DD)"),
    ("updated: [2026]", "content/a.md:4: load: updated: [2026] is not a date (write YYYY-MM-DD)"),
    ("aliases: [../../etc]", "content/a.md:4: load: aliases: '../../etc' is not a slug or a path inside the site"),
    ("aliases: {a: b}", "content/a.md:4: load: aliases: must be a list of old slugs or paths"),
])
def test_a_bad_new_key_is_one_line_naming_file_and_line(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                         line: str, message: str) -> None:
    root = _site(make_site, {"content/a.md": f"---\ntitle: خبر\nslug: a\n{line}\n---\n\nنص.\n",
                             "content/b.md": article("خبر آخر", slug="b")})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err


def test_a_byline_of_tatweel_only_is_shown_without_a_page(make_site: MakeSite) -> None:
    root = _site(make_site, {"content/a.md": article("خبر", slug="a", author='"ـــ"')})
    build(load_config(root / "config.toml"))
    html = _read(root, "articles/a/index.html")
    assert '<p class="byline">بقلم: ـــ</p>' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["author"] == {"@type": "Person", "name": "ـــ"}
    assert not (root / "public/authors").exists()


def test_the_build_says_which_articles_it_left_out_and_how_to_build_them(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """An article whose time lies ahead (an imported local time read as UTC, say) is not
    silently missing: the build names the count, the next moment and --future."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_12_01)
    root = _site(make_site, {
        "content/a.md": article("خبر منشور", slug="a", date="2026-11-20"),
        "content/s.md": article("خبر مجدول", slug="s", date="2026-12-02T06:00"),
        "content/e.md": article("خبر منته", slug="e", date="2026-11-10", expires="2026-11-30"),
    })
    capsys.readouterr()
    assert main(["build", "-C", str(root / "config.toml")]) == 0
    err = capsys.readouterr().err
    assert "left out: 1 scheduled (the next at 2026-12-02 06:00 UTC; --future builds them), 1 expired" in err
