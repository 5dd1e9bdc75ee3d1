"""`sitegen import` end to end: the seeds' golden files, safety on re-import, bad input.

Golden files live in tests/golden/; `SITEGEN_UPDATE_GOLDEN=1 pytest tests/test_import.py`
rewrites them (then read every line of the diff before committing).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.frontmatter import parse
from conftest import ROOT, copy_project

GOLDEN = Path(__file__).parent / "golden"
SEED_000 = "000_3dfc1943ed00edcc.txt"
SEED_001 = "001_e4b8d03deb455af5.txt"
TITLE_000 = "خطة ترامب للانتقام من شركات التكنولوجيا الكبيرة ومنصات التواصل الاجتماعي"
TITLE_EMBEDDED = "نواب ديموقراطيون يتهمون الجمهوريين بحماية استثمارات إيلون ماسك في الصين"


def run(root: Path, *args: str) -> int:
    return main(["import", "-C", str(root / "config.toml"), *args])


def articles(root: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted((root / "content").glob("*.md"))}


def meta_of(path: Path) -> dict:
    return parse(path.read_text(encoding="utf-8"), path).meta


def by_title(root: Path) -> dict[str, tuple[dict, str]]:
    out = {}
    for p in articles(root).values():
        fm = parse(p.read_text(encoding="utf-8"), p)
        out[fm.meta["title"]] = (fm.meta, fm.body)
    return out


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "site")


# --- the seeds ----------------------------------------------------------------------------------
def test_seeds_import_byte_for_byte_as_the_golden_files(site: Path) -> None:
    assert run(site, "-q") == 0
    made = articles(site)
    if os.environ.get("SITEGEN_UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        GOLDEN.mkdir()
        for name, path in made.items():
            shutil.copy(path, GOLDEN / name)
    golden = {p.name: p for p in sorted(GOLDEN.glob("*.md"))}
    assert sorted(made) == sorted(golden)
    for name, path in made.items():
        assert path.read_bytes() == golden[name].read_bytes(), f"{name} differs from tests/golden/{name}"


def test_seed_000_is_one_article_without_its_captions(site: Path) -> None:
    assert run(site, "-q", str(site / "seeds" / SEED_000)) == 0
    [(title, (meta, body))] = by_title(site).items()
    assert title == TITLE_000 and "title_inferred" not in meta
    assert "دونالد ترامب" not in body.split("\n")
    assert body.startswith("بعد ما يقرب من عام") and "رامبل، التي أعلنت" in body and "دولار." in body
    assert "رامبل ،" not in body and " ." not in body


def test_seed_001_gives_the_truth_social_article_and_the_embedded_one(site: Path) -> None:
    assert run(site, "-q", str(site / "seeds" / SEED_001)) == 0
    found = by_title(site)
    assert len(found) == 2
    embedded_meta, embedded_body = found.pop(TITLE_EMBEDDED)
    [(title, (meta, body))] = found.items()

    assert meta["title_inferred"] is True and len(title) <= 120 and not body.startswith(title + "\n")
    assert meta["source"] == "صدى البلد"
    for tag in ("تروث سوشيال", "إيلون ماسك", "دونالد ترامب", "تويتر"):
        assert meta["tags"].count(tag) == 1
    assert not any(c in tag for tag in meta["tags"] for c in "یک")
    assert "إذا كان" not in meta["tags"]
    assert [line for line in body.split("\n") if line.startswith("## ")] == [
        "## ما هي منصة تروث سوشيال Truth Social؟", "## ما علاقة تروث سوشيال بـ إيلون ماسك؟"]
    assert "صداقة بطعم العداوة" not in body and "مقالات مشابهة" not in body and "المصدر" not in body
    assert [r["title"] for r in meta["related"]] == [
        "صداقة بطعم العداوة.. ترامب وتيك توك قصة خلاف طويلة لن تنتهي",
        "صور ترامب ومناصريه.. الذكاء الاصطناعي سلاح يهدد مصير الانتخابات الأمريكية",
    ]
    assert meta["read_also"] == [embedded_meta["slug"]]
    assert TITLE_EMBEDDED not in body and "في خضم السجال" not in body

    assert embedded_meta["source"] == "الاقتصاد نيوز"
    assert len(embedded_meta["related"]) == 9
    assert TITLE_EMBEDDED not in [r["title"] for r in embedded_meta["related"]]
    assert embedded_meta["seed"]["part"] == 2 and meta["seed"]["part"] == 1
    assert embedded_body.startswith("في خضم السجال") and embedded_body.endswith("وفق وول ستريت جورنال.\n")


def test_import_summary_line_and_second_run_rewrites_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site) == 0
    assert "imported 2 seeds: 3 articles, 3 written, 0 unchanged, 0 skipped (edited)" in capsys.readouterr().err
    files = [*articles(site).values(), site / "content" / ".import-manifest.json"]
    for f in files:
        os.utime(f, ns=(1_000_000_000, 1_000_000_000))  # an old mtime: any rewrite would change it
    before = {f: f.read_bytes() for f in files}
    assert run(site) == 0
    assert "imported 2 seeds: 3 articles, 0 written, 3 unchanged, 0 skipped (edited)" in capsys.readouterr().err
    for f in files:
        assert f.read_bytes() == before[f] and f.stat().st_mtime_ns == 1_000_000_000


def test_dry_run_writes_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "--dry-run") == 0
    assert not (site / "content").exists() or not any((site / "content").iterdir())
    assert "would import 2 seeds: 3 articles, 3 to be written" in capsys.readouterr().err


def test_a_content_file_with_an_impossible_date_does_not_stop_the_import(site: Path) -> None:
    """A hand-written article dated 2026-13-01 is the build's to report (file:line); the
    import still indexes the other files and imports every seed."""
    (site / "content").mkdir(exist_ok=True)
    (site / "content/bad.md").write_text("---\ntitle: خبر\ndate: 2026-13-01\n---\nنص\n", encoding="utf-8")
    assert run(site, "-q") == 0
    assert len(articles(site)) == 4  # the three imported and the bad one, untouched


# --- an editor's changes ------------------------------------------------------------------------
def test_edited_file_is_skipped_with_a_message_and_force_overwrites(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "-q") == 0
    path = next(p for p in articles(site).values() if meta_of(p)["title"] == TITLE_000)
    original = path.read_bytes()
    edited = original.decode().replace("بعد ما يقرب", "بعد نحو").encode()
    path.write_bytes(edited)
    capsys.readouterr()
    assert run(site) == 0
    err = capsys.readouterr().err
    assert f"warning: content/{path.name}: import: changed since it was imported; kept as it is (use --force to overwrite)" in err
    assert "0 written, 2 unchanged, 1 skipped (edited)" in err
    assert path.read_bytes() == edited
    assert run(site, "-q", "--strict") == 1  # a skipped file is a warning
    assert path.read_bytes() == edited
    assert run(site, "-q", "--force") == 0
    assert path.read_bytes() == original


def test_deleted_file_is_not_recreated_unless_forced(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "-q") == 0
    path = next(p for p in articles(site).values() if meta_of(p)["title"] == TITLE_000)
    path.unlink()
    capsys.readouterr()
    assert run(site) == 0
    err = capsys.readouterr().err
    assert f"warning: content/{path.name}: import: deleted since it was imported; not re-created" in err
    assert not path.exists()
    assert run(site, "-q", "--strict") == 1
    assert run(site, "-q", "--force") == 0
    assert path.exists()


def test_changed_seed_rewrites_the_files_the_importer_wrote(site: Path) -> None:
    assert run(site, "-q") == 0
    seed = site / "seeds" / SEED_000
    seed.write_text(seed.read_text(encoding="utf-8").replace("بيتر ثيل.", "بيتر ثيل وآخرون."), encoding="utf-8")
    assert run(site, "-q", "--strict") == 0
    [(meta, body)] = [v for t, v in by_title(site).items() if t == TITLE_000]
    assert "بيتر ثيل وآخرون." in body


def test_a_failed_write_leaves_the_old_file_whole(site: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "-q") == 0
    seed = site / "seeds" / SEED_000
    seed.write_text(seed.read_text(encoding="utf-8").replace("بيتر ثيل.", "بيتر ثيل وآخرون."), encoding="utf-8")
    before = {p: p.read_bytes() for p in (site / "content").iterdir()}

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    assert run(site, "-q") == 1
    assert "import: cannot write: No space left on device" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in (site / "content").iterdir()} == before  # no temp files either


# --- cross-references -----------------------------------------------------------------------------
def test_related_titles_resolve_to_articles_already_in_content(site: Path) -> None:
    (site / "content").mkdir()
    (site / "content" / "friends.md").write_text(
        "---\ntitle: صداقة بطعم العداوة.. ترامب وتيك توك قصة خلاف طويلة لن تنتهي\nslug: friends\n---\n\nنص.\n",
        encoding="utf-8")
    assert run(site, "-q") == 0
    meta = next(m for t, (m, _) in by_title(site).items() if m.get("title_inferred"))
    assert meta["related"][0] == {"title": "صداقة بطعم العداوة.. ترامب وتيك توك قصة خلاف طويلة لن تنتهي",
                                  "slug": "friends"}
    assert meta["related"][1]["slug"] is None
    assert (site / "content" / "friends.md").read_text(encoding="utf-8").endswith("نص.\n")


def test_translit_slugs_are_ascii(site: Path) -> None:
    text = (site / "config.toml").read_text(encoding="utf-8").replace('slug_style = "unicode"', 'slug_style = "translit"')
    (site / "config.toml").write_text(text, encoding="utf-8")
    assert run(site, "-q") == 0
    names = list(articles(site))
    assert len(names) == 3 and all(n.isascii() for n in names)
    assert all(meta_of(p)["slug"] + ".md" == n for n, p in articles(site).items())


def test_different_titles_with_one_slug_get_a_numbered_slug(site: Path) -> None:
    shutil.rmtree(site / "seeds")
    (site / "seeds").mkdir()
    stem = "ترامب يعلن خطة جديدة للانتقام من شركات التكنولوجيا الكبيرة ومنصات التواصل الاجتماعي في أمريكا"
    (site / "seeds" / "a.txt").write_text(f"{stem} الأولى\n\nفقرة أولى عن خطة ترامب.\n", encoding="utf-8")
    (site / "seeds" / "b.txt").write_text(f"{stem} الثانية\n\nفقرة ثانية عن خطة ترامب.\n", encoding="utf-8")
    assert run(site, "-q") == 0
    slugs = sorted(meta_of(p)["slug"] for p in articles(site).values())
    assert len(slugs) == 2 and slugs[1] == slugs[0] + "-2" and len(slugs[0]) <= 80
    assert run(site, "-q", "--strict") == 0  # stable: the second run agrees with the first
    assert sorted(meta_of(p)["slug"] for p in articles(site).values()) == slugs


# --- bad input --------------------------------------------------------------------------------
BAD_SEEDS = {
    "empty": (b"", "seeds/bad.txt: import: empty file"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "seeds/bad.txt: byte 8: import: binary file"),
    "not utf-8": (b"Caf\xe9 au lait, tr\xe8s bien. Une phrase en fran\xe7ais \x81.",
                  "seeds/bad.txt: byte 3: import: not valid UTF-8"),
    "boilerplate only": ("شارك على فيسبوك\n\nدونالد ترامب\n\nالمصدر: صدى البلد\n\nجميع الحقوق محفوظة\n".encode(),
                         "seeds/bad.txt: import: no article found (mostly navigation and widgets)"),
}


@pytest.mark.parametrize("case", sorted(BAD_SEEDS))
def test_a_bad_seed_is_one_error_line_and_the_others_still_import(
        site: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    data, message = BAD_SEEDS[case]
    (site / "seeds" / "bad.txt").write_bytes(data)
    assert run(site) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {message}"), err
    assert len(articles(site)) == 3
    assert "imported 3 seeds: 3 articles, 3 written" in err


def test_two_seeds_giving_the_same_title_is_an_error_naming_both(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(site / "seeds" / SEED_000, site / "seeds" / "002_copy.txt")
    assert run(site) == 1
    err = capsys.readouterr().err
    assert (f"error: seeds/002_copy.txt:1: import: title {TITLE_000!r} is already imported from "
            f"seeds/{SEED_000}") in err
    assert len(articles(site)) == 3
    assert run(site, "-q", str(site / "seeds" / "002_copy.txt")) == 1  # also against content/


def test_windows_1256_seed_imports_with_a_warning(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(site / "seeds")
    (site / "seeds").mkdir()
    (site / "seeds" / "old.txt").write_bytes("نص قديم بترميز ويندوز\n\nفقرة مكتوبة بترميز ويندوز.\n".encode("cp1256"))
    assert run(site) == 0
    assert "warning: seeds/old.txt: byte 0: import: not valid UTF-8 (byte 0xe4); read as Windows-1256" \
        in capsys.readouterr().err
    [(title, (_meta, body))] = by_title(site).items()
    assert (title, body) == ("نص قديم بترميز ويندوز", "فقرة مكتوبة بترميز ويندوز.\n")


def test_bom_and_crlf_import_silently_and_like_the_plain_seed(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "-q", str(site / "seeds" / SEED_000)) == 0
    [(title, (meta, body))] = by_title(site).items()
    shutil.rmtree(site / "content")
    seed = site / "seeds" / SEED_000
    seed.write_bytes(b"\xef\xbb\xbf" + seed.read_bytes().replace(b"\n", b"\r\n"))
    capsys.readouterr()
    assert run(site, str(seed)) == 0
    assert "warning" not in capsys.readouterr().err
    [(title2, (meta2, body2))] = by_title(site).items()
    assert (title2, body2, meta2["tags"], meta2["summary"]) == (title, body, meta["tags"], meta["summary"])


def test_a_50_mb_seed_is_refused_with_its_size(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(site / "seeds" / "huge.txt", "wb") as f:
        line = ("فقرة طويلة من نص الخبر تتكرر كثيرا لتملأ الملف. " * 20 + "\n\n").encode()
        while f.tell() < 50 * 1024 * 1024:
            f.write(line)
    assert run(site) == 1
    err = capsys.readouterr().err
    assert "error: seeds/huge.txt: import: file is 50.0 MiB, over max_seed_mb = 20" in err
    assert len(articles(site)) == 3


def test_a_large_seed_under_the_limit_imports(site: Path) -> None:
    shutil.rmtree(site / "seeds")
    (site / "seeds").mkdir()
    paragraphs = [line for line in (ROOT / "seeds" / SEED_001)
                  .read_text(encoding="utf-8").split("\n") if line.endswith(".")]
    with open(site / "seeds" / "big.txt", "w", encoding="utf-8") as f:
        f.write("ترامب ومنصات التواصل في خبر طويل جدا\n\n")
        while f.tell() < 4 * 1024 * 1024:
            f.write("\n\n".join(paragraphs) + "\n\nدونالد ترامب\n\n")
    assert run(site, "-q") == 0
    [(title, (_meta, body))] = by_title(site).items()
    assert title == "ترامب ومنصات التواصل في خبر طويل جدا" and body.count(paragraphs[0]) == 1
    # Exact repeats collapse to one; every distinct paragraph is kept.
    assert body.count("\n\n") + 1 == len(set(paragraphs))


def test_missing_manifest_means_existing_different_files_count_as_edited(site: Path) -> None:
    assert run(site, "-q") == 0
    (site / "content" / ".import-manifest.json").unlink()
    seed = site / "seeds" / SEED_000
    seed.write_text(seed.read_text(encoding="utf-8").replace("بيتر ثيل.", "بيتر ثيل وآخرون."), encoding="utf-8")
    assert run(site, "-q") == 0
    [(meta, body)] = [v for t, v in by_title(site).items() if t == TITLE_000]
    assert "وآخرون" not in body
    manifest = json.loads((site / "content" / ".import-manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == 2  # the two unchanged files are recorded again


def test_an_editor_file_holding_the_slug_under_its_file_name_is_never_overwritten(site: Path) -> None:
    (site / "content").mkdir()
    mine = site / "content" / "خطة-ترامب-للانتقام-من-شركات-التكنولوجيا-الكبيرة-ومنصات-التواصل-الاجتماعي.md"
    mine.write_text("---\ntitle: مقال كتبه محرر\nslug: editor-piece\n---\n\nنص المحرر.\n", encoding="utf-8")
    assert run(site, "-q", "--force") == 0
    assert mine.read_text(encoding="utf-8").endswith("نص المحرر.\n")
    assert (site / "content" / f"{mine.stem}-2.md").exists()


def test_front_matter_keys_in_the_documented_order(site: Path) -> None:
    shutil.rmtree(site / "seeds")
    (site / "seeds").mkdir()
    (site / "seeds" / "dated.txt").write_text(
        "الأحد ٢١ تشرين الثاني ٢٠٢٦\n\nوقالت وزارة الخزانة إنها ستحد من الاستثمارات، وفق رويترز. ثم أضافت.\n\n"
        "المصدر: رويترز\n\nكلمات دلالية: وزارة الخزانة الاستثمارات\n\nمقالات مشابهة\n\n• خبر قريب\n",
        encoding="utf-8")
    assert run(site, "-q", "--strict") == 0
    [path] = articles(site).values()
    meta = meta_of(path)
    assert list(meta) == ["title", "title_inferred", "slug", "date", "source", "tags", "read_also",
                          "related", "summary", "seed"]
    assert (meta["title"], meta["date"], meta["source"]) == ("وقالت وزارة الخزانة إنها ستحد من الاستثمارات، وفق رويترز", "2026-11-21", "رويترز")
    assert meta["tags"] == ["وزارة الخزانة", "الاستثمارات"]
    assert meta["related"] == [{"title": "خبر قريب", "slug": None}]
    assert meta["seed"] == {"file": "seeds/dated.txt", "part": 1,
                            "sha256": hashlib.sha256((site / "seeds" / "dated.txt").read_bytes()).hexdigest()}


# --- reading seeds safely ---------------------------------------------------------------------------
def test_seeds_that_are_no_regular_files_are_one_line_each_and_the_others_import(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = site / "seeds"
    os.mkfifo(seeds / "pipe.txt")  # reading it would block the import forever
    (seeds / "folder.txt").mkdir()
    (seeds / "zero.txt").symlink_to("/dev/zero")  # endless bytes
    assert run(site) == 1
    err = capsys.readouterr().err
    errors = sorted(line for line in err.splitlines() if line.startswith("error:"))
    assert [e.split(":")[1].strip() for e in errors] == ["seeds/folder.txt", "seeds/pipe.txt", "seeds/zero.txt"]
    assert len(articles(site)) == 3 and "imported 5 seeds: 3 articles, 3 written" in err


def test_a_seeds_folder_that_cannot_be_listed_is_an_error_not_zero_seeds(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(site / "seeds")
    (site / "seeds").write_text("not a folder\n", encoding="utf-8")
    assert run(site) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: seeds: import: cannot list the seeds folder: ") and "imported 0" not in err
    assert not (site / "content").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists any folder")
def test_an_unreadable_seeds_folder_is_an_error(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "seeds").chmod(0)
    try:
        assert run(site) == 1
    finally:
        (site / "seeds").chmod(0o755)
    assert "error: seeds: import: cannot list the seeds folder" in capsys.readouterr().err


# --- what the labelled importer writes ------------------------------------------------------------
PAGE = """ثقافة

افتتاح مكتبة عامة جديدة في الحي الشرقي

بقلم: سامي العلي

الأحد 3 مارس 2024 - 10:15

القاهرة (رويترز) - افتتحت بلدية المدينة اليوم مكتبة عامة جديدة في الحي الشرقي تضم أكثر من عشرين ألف كتاب.

وقال رئيس البلدية إن المكتبة ستفتح أبوابها يوميا من الصباح حتى المساء، وإن الدخول إليها مجاني للطلاب.

شارك هذا الخبر
"""


def test_source_author_and_date_reach_the_front_matter_and_the_build(site: Path) -> None:
    shutil.rmtree(site / "seeds")
    (site / "seeds").mkdir()
    (site / "seeds" / "page.txt").write_text(PAGE, encoding="utf-8")
    assert run(site, "-q") == 0
    [(title, (meta, body))] = by_title(site).items()
    assert (title, meta["source"], meta["author"], meta["date"]) == (
        "افتتاح مكتبة عامة جديدة في الحي الشرقي", "رويترز", "سامي العلي", "2024-03-03T10:15")
    assert body.startswith("افتتحت بلدية") and "ثقافة" not in body and "شارك" not in body
    assert main(["build", "-q", "-C", str(site / "config.toml")]) == 0
    from sitegen.load import parse_article  # what the build reads from that front matter

    [path] = articles(site).values()
    article = parse_article(path.read_text(encoding="utf-8"), str(path))
    assert (article.author, article.date.isoformat(), article.source) == ("سامي العلي", "2024-03-03", "رويترز")


def test_explain_prints_every_line_with_its_label_and_writes_nothing(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = site / "seeds" / "page.txt"
    seed.write_text(PAGE, encoding="utf-8")
    assert run(site, "--explain", str(seed)) == 0
    out = capsys.readouterr().out
    labels = [line.split()[1] for line in out.splitlines() if line[:4].strip().isdigit()]
    assert labels == ["chrome", "headline", "byline", "date", "paragraph", "paragraph", "chrome"]
    assert "-> article 1: 'افتتاح مكتبة عامة جديدة في الحي الشرقي' (source: رويترز, author: سامي العلي" in out
    assert not (site / "content").exists()


def test_explain_of_a_refused_page_says_why(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = site / "seeds" / "menu.txt"
    seed.write_text("الرئيسية\nسياسة\nاقتصاد\nEnglish\n\nجميع الحقوق محفوظة\n", encoding="utf-8")
    assert run(site, "--explain", str(seed)) == 0
    assert "refused: no article found (mostly navigation and widgets)" in capsys.readouterr().out


RULES = """
[[import.rules]]
match_text = "نشرة المساء"
noise = ["مع تحيات فريق التحرير"]
source = "صوت المدينة"
"""


def test_import_rules_in_config_toml_apply_to_the_pages_they_match(site: Path) -> None:
    with open(site / "config.toml", "a", encoding="utf-8") as f:
        f.write(RULES)
    shutil.rmtree(site / "seeds")
    (site / "seeds").mkdir()
    text = PAGE.replace("ثقافة", "نشرة المساء").replace("شارك هذا الخبر", "مع تحيات فريق التحرير")
    (site / "seeds" / "page.txt").write_text(text, encoding="utf-8")
    assert run(site, "-q") == 0
    [(_title, (meta, body))] = by_title(site).items()
    assert meta["source"] == "صوت المدينة" and "تحيات" not in body


@pytest.mark.parametrize("rule, message", [
    ('[[import.rules]]\nnoise = ["x"]\n', "import.rules #1: needs match_source or match_text"),
    ('[[import.rules]]\nmatch_text = "("\n', "import.rules #1: match_text is not a regular expression"),
    ('[[import.rules]]\nmatch_text = "x"\ncolour = "red"\n', "import.rules #1: unknown key 'colour'"),
    ('[[import.rules]]\nmatch_text = "x"\nnoise = "one line"\n', "import.rules #1: noise must be a list of strings"),
])
def test_a_bad_import_rule_is_one_config_error(site: Path, capsys: pytest.CaptureFixture[str],
                                               rule: str, message: str) -> None:
    with open(site / "config.toml", "a", encoding="utf-8") as f:
        f.write("\n" + rule)
    assert run(site) != 0
    assert f"config.toml: {message}" in capsys.readouterr().err
