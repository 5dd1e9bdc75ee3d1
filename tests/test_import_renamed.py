"""`sitegen import` of a seed whose headline changed, so that its article's slug changes: the
new file takes the old slug as an alias (the old URL redirects), and the old file goes only
when the importer wrote it and nobody changed it since."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import ROOT
from sitegen.cli import main
from sitegen.frontmatter import parse

FIRST = "وزارة النقل تعلن خطة جديدة للطرق السريعة"
SECOND = "وزارة النقل تؤجل خطة الطرق السريعة"
FIRST_SLUG = FIRST.replace(" ", "-")
SECOND_SLUG = SECOND.replace(" ", "-")
BODY = ("أعلنت وزارة النقل اليوم عن خطة لتوسيع شبكة الطرق السريعة خلال ثلاثة أعوام. وقال متحدث باسم "
        "الوزارة إن العمل يبدأ في الربيع.\n\nوتشمل الخطة إنشاء جسور جديدة وصيانة الطرق القديمة في "
        "المحافظات الشمالية.\n\nالمصدر: وكالة الأنباء\n")
CITING = ("مجلس المدينة يناقش ميزانية الصيانة للعام المقبل\n\nناقش مجلس المدينة مساء أمس بنود ميزانية "
          "الصيانة، وطالب أعضاء بزيادة حصة الأحياء الجديدة منها قبل التصويت.\n\nاقرأ أيضا:\n\n{title}\n\n"
          "وينتظر أن يصوت المجلس على الميزانية في جلسته القادمة بعد أسبوعين.\n")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(ROOT / "themes", root / "themes")
    (root / "config.toml").write_text('base_url = "https://example.org/"\n', encoding="utf-8")
    (root / "seeds").mkdir()
    write_seed(root, FIRST)
    return root


def write_seed(root: Path, headline: str) -> None:
    (root / "seeds" / "roads.txt").write_text(f"{headline}\n\n{BODY}", encoding="utf-8")
    (root / "seeds" / "council.txt").write_text(CITING.format(title=headline), encoding="utf-8")


def run(root: Path, *args: str) -> int:
    return main([args[0], "-C", str(root / "config.toml"), *args[1:]])


def meta(root: Path, slug: str) -> dict:
    path = root / "content" / f"{slug}.md"
    return parse(path.read_text(encoding="utf-8"), path).meta


def test_a_renamed_article_redirects_its_old_url_and_the_old_file_goes(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "import", "-q") == 0
    write_seed(site, SECOND)
    assert run(site, "import") == 0
    err = capsys.readouterr().err
    assert f"removed content/{FIRST_SLUG}.md: the article is now content/{SECOND_SLUG}.md" in err
    assert "1 renamed (redirected)" in err and "warning" not in err
    assert not (site / "content" / f"{FIRST_SLUG}.md").exists()
    assert meta(site, SECOND_SLUG)["aliases"] == [FIRST_SLUG]
    # The other seed's «اقرأ أيضا» names the new headline, so the new slug, not the alias.
    citing = next(p for p in (site / "content").glob("*.md") if p.stem.startswith("مجلس"))
    assert parse(citing.read_text(encoding="utf-8"), citing).meta["read_also"] == [SECOND_SLUG]
    manifest = json.loads((site / "content" / ".import-manifest.json").read_text(encoding="utf-8"))["files"]
    assert f"{FIRST_SLUG}.md" not in manifest and f"{SECOND_SLUG}.md" in manifest
    # The old URL is a redirect page to the new one, and the build has nothing to warn about.
    assert run(site, "build", "-q", "--strict") == 0
    old_page = (site / "public" / "articles" / FIRST_SLUG / "index.html").read_text(encoding="utf-8")
    assert f'url=https://example.org/articles/{quote(SECOND_SLUG)}/"' in old_page and "noindex" in old_page
    # Imported again, nothing changes: the alias the importer wrote stays.
    assert run(site, "import") == 0
    assert "0 written, 2 unchanged" in capsys.readouterr().err
    assert meta(site, SECOND_SLUG)["aliases"] == [FIRST_SLUG]
    # The headline changed back: the first slug is the article's again, the second an alias.
    write_seed(site, FIRST)
    assert run(site, "import", "-q") == 0
    assert sorted(p.stem for p in (site / "content").glob("وزارة*.md")) == [FIRST_SLUG]
    assert meta(site, FIRST_SLUG)["aliases"] == [SECOND_SLUG]
    assert run(site, "build", "-q", "--strict") == 0


def test_an_edited_old_file_is_kept_and_named_and_nothing_redirects_over_it(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "import", "-q") == 0
    old = site / "content" / f"{FIRST_SLUG}.md"
    edited = old.read_text(encoding="utf-8").replace("في الربيع", "في مطلع الربيع")
    old.write_text(edited, encoding="utf-8")
    write_seed(site, SECOND)
    assert run(site, "import") == 0
    err = capsys.readouterr().err
    assert (f"warning: content/{FIRST_SLUG}.md: import: seeds/roads.txt (part 1) now gives "
            f"content/{SECOND_SLUG}.md; this older file was changed since it was imported, so it is kept") in err
    assert old.read_text(encoding="utf-8") == edited
    assert "aliases" not in meta(site, SECOND_SLUG)
    # Two articles, each at its own URL: no alias claims the edited one's.
    assert run(site, "build", "-q") == 0
    assert "في مطلع الربيع" in (site / "public" / "articles" / FIRST_SLUG / "index.html").read_text(encoding="utf-8")
    # --force overrides the editor's change here too, as it does for a file it would overwrite.
    assert run(site, "import", "-q", "--force") == 0
    assert not old.exists() and meta(site, SECOND_SLUG)["aliases"] == [FIRST_SLUG]


def test_a_dry_run_says_what_it_would_remove_and_removes_nothing(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "import", "-q") == 0
    before = {p.name: p.read_bytes() for p in (site / "content").iterdir()}
    write_seed(site, SECOND)
    assert run(site, "import", "--dry-run") == 0
    err = capsys.readouterr().err
    assert f"would remove content/{FIRST_SLUG}.md" in err and "1 renamed (to be redirected)" in err
    assert {p.name: p.read_bytes() for p in (site / "content").iterdir()} == before
