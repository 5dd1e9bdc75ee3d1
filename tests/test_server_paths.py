"""Path safety and Content-Type of the dev server, as pure functions (sitegen/serve/paths.py)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.serve.paths import content_type, normalise_base_path, resolve, url_path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder with a secret next to it (what a traversal would try to read)."""
    root = tmp_path / "public"
    (root / "أخبار" / "مقال-تجريبي").mkdir(parents=True)
    (root / "أخبار" / "مقال-تجريبي" / "index.html").write_text("<p>مقال</p>", encoding="utf-8")
    (root / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (root / "style.css").write_text("body{}", encoding="utf-8")
    (root / "empty").mkdir()
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/أخبار/../../secret.txt",
        "/a/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/secret.txt%00.html",
    ],
)
def test_traversal_is_refused(out: Path, target: str) -> None:
    found = resolve(out, target)
    assert found.status == 403
    assert found.file is None


def test_absolute_paths_stay_inside(out: Path) -> None:
    # '//etc/passwd' and an encoded absolute path both name files *under* the output folder.
    for target in ("//etc/passwd", "/%2Fetc%2Fpasswd", "/" + quote(str(out.parent / "secret.txt"), safe="")):
        found = resolve(out, target)
        assert found.status == 404, target


def test_symlink_pointing_out_is_refused(out: Path) -> None:
    os.symlink(out.parent / "secret.txt", out / "link.txt")
    os.symlink(out.parent, out / "up")
    assert resolve(out, "/link.txt").status == 403
    assert resolve(out, "/up/secret.txt").status == 403


def test_symlink_inside_is_served(out: Path) -> None:
    os.symlink(out / "style.css", out / "alias.css")
    found = resolve(out, "/alias.css")
    assert found.status == 200 and found.file == (out / "style.css").resolve()


def test_percent_encoded_arabic_path_is_served(out: Path) -> None:
    target = "/" + quote("أخبار/مقال-تجريبي/", safe="/")
    found = resolve(out, target)
    assert found.status == 200
    assert found.file is not None and found.file.read_text(encoding="utf-8") == "<p>مقال</p>"


def test_invalid_utf8_is_refused(out: Path) -> None:
    assert resolve(out, "/%ff%fe.html").status == 403


def test_directory_gets_index_and_trailing_slash(out: Path) -> None:
    assert resolve(out, "/").file == (out / "index.html").resolve()
    target = "/" + quote("أخبار/مقال-تجريبي")
    redirect = resolve(out, target + "?x=1")
    assert redirect.status == 301 and redirect.location == target + "/?x=1"


def test_no_directory_listing(out: Path) -> None:
    assert resolve(out, "/empty/").status == 404


def test_missing_file_is_404(out: Path) -> None:
    assert resolve(out, "/nope.html").status == 404
    assert resolve(out, "/style.css/inside").status == 404


def test_missing_output_folder_is_404(tmp_path: Path) -> None:
    assert resolve(tmp_path / "never-built", "/").status == 404


def test_base_path(out: Path) -> None:
    assert url_path("/digest/a/b.html", "/digest/") == "a/b.html"
    assert url_path("/digest", "/digest/") == ""
    assert url_path("/other/x", "/digest/") is None
    assert resolve(out, "/digest/style.css", "/digest/").file == (out / "style.css").resolve()
    assert resolve(out, "/", "/digest/").location == "/digest/"
    assert normalise_base_path("digest") == "/digest/"
    assert normalise_base_path("/") == "/"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("style.0a1b2c3d.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("search.json", "application/json; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("photo.JPG", "image/jpeg"),
        ("font.woff2", "font/woff2"),
        ("blob.unknownext", "application/octet-stream"),
    ],
)
def test_content_type(name: str, expected: str) -> None:
    assert content_type(name) == expected



_SEGMENTS = st.sampled_from(
    ["..", ".", "", "%2e%2e", "%2E%2e", "%2f", "%2F", "%5c", "%00", "أخبار", "مقال-تجريبي", "index.html",
     "secret.txt", "style.css", "empty", "%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1", "~", "%252e%252e", "/", "//"]
)


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder with a symlink out to a secret beside it."""
    base = tmp_path_factory.mktemp("fuzz")
    root = base / "public"
    (root / "أخبار" / "مقال-تجريبي").mkdir(parents=True)
    (root / "أخبار" / "مقال-تجريبي" / "index.html").write_text("<p>مقال</p>", encoding="utf-8")
    (root / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (root / "empty").mkdir()
    (base / "secret.txt").write_text("secret", encoding="utf-8")
    os.symlink(base / "secret.txt", root / "أخبار" / "secret.txt")
    return root


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_SEGMENTS, max_size=8))
def test_no_request_path_leaves_the_output_folder(fuzz_root: Path, parts: list[str]) -> None:
    found = resolve(fuzz_root, "/" + "/".join(parts))
    if found.file is not None:
        assert found.file.is_relative_to(fuzz_root.resolve())
        assert found.file.read_text(encoding="utf-8") != "secret"
