"""Images (sitegen.images): the stage's functions on their own, then built sites: the WebP
sizes published, the HTML that shows them, the warnings an editor gets, og:image and JSON-LD
under a sub-path, and the cache of encoded sizes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image, ImageDraw

from sitegen import images
from sitegen.build import BuildOptions, build
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.errors import ConfigError
from sitegen.model import Output

from conftest import article


def make_image(width: int, height: int, fmt: str = "JPEG", color: tuple[int, int, int] = (30, 90, 160),
               **save: object) -> bytes:
    """An image of our own making: a coloured field with a disc, as `fmt` bytes."""
    im = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(im).ellipse((width // 8, height // 8, width * 5 // 8, height * 7 // 8), fill=(230, 180, 40))
    out = io.BytesIO()
    im.save(out, fmt, **save)
    return out.getvalue()


# --- The stage's functions ---------------------------------------------------------------
@pytest.mark.parametrize(("width", "widths"), [
    (2000, (480, 960, 1440)), (1440, (480, 960, 1440)), (1000, (480, 960, 1000)),
    (960, (480, 960)), (481, (480, 481)), (300, (300,)),
])
def test_widths_are_never_wider_than_the_image(width: int, widths: tuple[int, ...]) -> None:
    assert images.widths_for(width) == widths


@pytest.mark.parametrize(("ref", "path"), [
    ("/static/images/a.jpg", "images/a.jpg"), ("static/images/a.jpg", "images/a.jpg"),
    ("images/a.jpg", "images/a.jpg"), ("images/%D8%B5.png", "images/ص.png"),
    ("https://example.org/images/a.jpg", None), ("//cdn.example/a.jpg", None),
    ("data:image/png;base64,AAAA", None), ("/static/logo.png", None), ("images/../../etc/passwd", None),
])
def test_a_reference_names_a_file_of_static_images_or_none(ref: str, path: str | None) -> None:
    assert images.static_path(ref) == path


def test_a_picture_is_measured_and_its_sizes_keep_its_ratio() -> None:
    pic = images.picture("images/a.jpg", make_image(1600, 900))
    assert (pic.width, pic.height) == (1600, 900)
    assert [(v.path, v.width, v.height) for v in pic.variants] == [
        ("static/images/a.jpg.480.webp", 480, 270), ("static/images/a.jpg.960.webp", 960, 540),
        ("static/images/a.jpg.1440.webp", 1440, 810)]


def test_a_photo_turned_by_its_exif_orientation_is_measured_as_shown() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned a quarter: 1200 wide on disk, 1200 high on screen
    data = make_image(1200, 800, exif=exif.tobytes())
    pic = images.picture("images/turned.jpg", data)
    assert (pic.width, pic.height) == (800, 1200)
    with Image.open(io.BytesIO(images.encode(data, 480))) as im:
        assert im.size == (480, 720)


def test_encoding_gives_the_same_webp_bytes_every_time_and_no_metadata() -> None:
    exif = Image.Exif()
    exif[0x010F] = "A camera maker"
    data = make_image(1000, 700, exif=exif.tobytes(), icc_profile=b"not really a profile")
    first = images.encode(data, 480)
    assert first == images.encode(data, 480)
    with Image.open(io.BytesIO(first)) as im:
        assert im.format == "WEBP" and im.size == (480, 336)
        assert "exif" not in im.info and "icc_profile" not in im.info and "xmp" not in im.info
    assert b"EXIF" not in first and b"ICCP" not in first


def test_a_transparent_png_stays_transparent() -> None:
    im = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((100, 100, 300, 300), fill=(200, 30, 30, 255))
    out = io.BytesIO()
    im.save(out, "PNG")
    with Image.open(io.BytesIO(images.encode(out.getvalue(), 480))) as webp:
        assert webp.mode == "RGBA"
        assert webp.getpixel((0, 0))[3] == 0


def test_the_stage_measures_static_images_and_names_the_broken_ones() -> None:
    files = [Output("static/images/a.png", make_image(500, 250, "PNG")),
             Output("static/images/bad.jpg", b"not an image at all"),
             Output("static/style.css", b"body{}"), Output("static/logo.png", make_image(64, 64, "PNG")),
             Output("static/images/drawing.svg", b"<svg/>")]
    result = images.pictures(files)
    assert sorted(result.found) == ["images/a.png"]
    assert list(result.broken) == ["images/bad.jpg"]


# --- Built sites ---------------------------------------------------------------------------
SUB = 'base_url = "https://example.org/digest/"\n'


@pytest.fixture
def image_site(make_site: Callable[[dict[str, str]], Path]) -> Callable[..., Path]:
    """image_site(files, images={"lead.jpg": bytes}) → a site with those files of static/images/."""

    def make(files: dict[str, str], pictures: dict[str, bytes] | None = None) -> Path:
        root = make_site({"config.toml": SUB, **files})
        for name, data in (pictures if pictures is not None else {"lead.jpg": make_image(1600, 900)}).items():
            path = root / "static" / "images" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return root

    return make


def page(root: Path, slug: str) -> str:
    return (root / "public" / "articles" / slug / "index.html").read_text(encoding="utf-8")


def img_tags(html: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall(r"<img\b[^>]*>", html)]


def test_a_lead_image_is_published_in_webp_sizes_and_shown_with_its_box(image_site: Callable[..., Path]) -> None:
    root = image_site({"content/a.md": article("مقال بصورة", slug="a", image="images/lead.jpg",
                                               image_alt="دائرة صفراء على أزرق", image_caption="رسم من صنعنا")})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    out = root / "public" / "static" / "images"
    assert sorted(p.name for p in out.iterdir()) == [
        "lead.jpg", "lead.jpg.1440.webp", "lead.jpg.480.webp", "lead.jpg.960.webp"]
    with Image.open(out / "lead.jpg.960.webp") as im:
        assert (im.format, im.size) == ("WEBP", (960, 540))
    html = page(root, "a")
    [lead] = img_tags(html)
    assert lead["alt"] == "دائرة صفراء على أزرق"
    assert (lead["width"], lead["height"]) == ("1440", "810")
    assert lead["src"] == "/digest/static/images/lead.jpg.1440.webp"
    assert lead["srcset"] == ("/digest/static/images/lead.jpg.480.webp 480w, "
                              "/digest/static/images/lead.jpg.960.webp 960w, "
                              "/digest/static/images/lead.jpg.1440.webp 1440w")
    # Above the fold: fetched at once, never lazily.
    assert "loading" not in lead
    assert re.search(r'<figure class="lead-image">.*<figcaption[^>]*>رسم من صنعنا</figcaption>', html, re.S)


def test_og_twitter_and_json_ld_name_the_image_by_its_absolute_url_under_the_sub_path(
        image_site: Callable[..., Path]) -> None:
    root = image_site({"content/a.md": article("مقال بصورة", slug="a", image="/static/images/lead.jpg",
                                               image_alt="دائرة")})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    html = page(root, "a")
    wanted = "https://example.org/digest/static/images/lead.jpg.1440.webp"
    assert f'<meta property="og:image" content="{wanted}">' in html
    assert '<meta property="og:image:width" content="1440">' in html
    assert '<meta property="og:image:alt" content="دائرة">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["image"] == {"@type": "ImageObject", "url": wanted, "width": 1440, "height": 810}


def test_the_default_image_is_what_pages_without_one_are_shared_with(image_site: Callable[..., Path]) -> None:
    root = image_site({"config.toml": SUB + 'default_image = "images/logo.png"\n',
                       "content/a.md": article("بلا صورة", slug="a"),
                       "content/b.md": article("بصورة", slug="b", image="images/lead.jpg", image_alt="دائرة")},
                      {"lead.jpg": make_image(1600, 900), "logo.png": make_image(400, 400, "PNG")})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    logo = "https://example.org/digest/static/images/logo.png.400.webp"
    for html in (page(root, "a"), (root / "public" / "index.html").read_text(encoding="utf-8")):
        assert f'<meta property="og:image" content="{logo}">' in html
        assert '<figure class="lead-image">' not in html  # shared with it, not shown
    assert "lead.jpg.1440.webp" in page(root, "b") and logo not in page(root, "b")
    assert json.loads(re.search(r'ld\+json">(.*?)</script>', page(root, "a")).group(1))["image"]["url"] == logo


def test_pages_without_any_image_have_no_og_image(image_site: Callable[..., Path]) -> None:
    root = image_site({"content/a.md": article("بلا صورة", slug="a")})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    html = page(root, "a")
    assert "og:image" not in html and "twitter:card" not in html and '"image"' not in html


@pytest.mark.parametrize(("value", "message"), [
    ('"images/none.png"', "default_image: static/images/none.png not found"),
    ('"logo.svg"', "default_image must be a .jpg, .jpeg, .png or .webp file of static/images/"),
])
def test_a_default_image_that_is_not_one_is_a_config_error(image_site: Callable[..., Path], value: str,
                                                             message: str) -> None:
    root = image_site({"config.toml": SUB + f"default_image = {value}\n", "content/a.md": article("أ")})
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(root / "config.toml")


def test_markdown_images_get_sizes_lazy_loading_and_a_figure(image_site: Callable[..., Path]) -> None:
    body = ("فقرة أولى.\n\n![خريطة المنطقة](/static/images/lead.jpg \"الخريطة كما رسمناها\")\n\n"
            "نص فيه ![رمز صغير](images/icon.png) داخل السطر.\n")
    root = image_site({"content/a.md": article("أ", body, slug="a")},
                      {"lead.jpg": make_image(1600, 900), "icon.png": make_image(200, 100, "PNG")})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    html = page(root, "a")
    big, icon = img_tags(html)
    assert big["alt"] == "خريطة المنطقة" and big["loading"] == "lazy"
    assert (big["width"], big["height"]) == ("1440", "810")
    assert big["src"] == "/digest/static/images/lead.jpg.1440.webp"
    assert re.search(r"<figure><img [^>]*><figcaption[^>]*>الخريطة كما رسمناها</figcaption>\s*</figure>", html)
    # Inside a line of text: sized and lazy, not a figure.
    assert icon["src"] == "/digest/static/images/icon.png.200.webp" and icon["loading"] == "lazy"
    assert (icon["width"], icon["height"]) == ("200", "100")
    assert re.search(r"<p>نص فيه <img [^>]*> داخل السطر.</p>", html)


def test_image_problems_are_warnings_with_file_and_line_and_the_build_goes_on(
        image_site: Callable[..., Path], caplog: pytest.LogCaptureFixture) -> None:
    text = ("---\ntitle: أ\nslug: a\nimage: images/gone.jpg\n---\n\n"
            "فقرة.\n\n![](/static/images/lead.jpg)\n\n![صورة مفقودة](images/missing.png)\n\n"
            "![صورة تالفة](images/bad.jpg)\n")
    root = image_site({"content/a.md": text, "content/b.md": article("ب", slug="b")},
                      {"lead.jpg": make_image(800, 600), "bad.jpg": b"these bytes are no picture"})
    config = load_config(root / "config.toml")
    report = build(config, BuildOptions(log_warnings=False))
    unreadable = [w for w in report.warnings if w.startswith("static/images/bad.jpg: image: cannot be read (")]
    assert len(unreadable) == 1
    assert sorted(set(report.warnings) - set(unreadable)) == sorted([
        "content/a.md:4: image: static/images/gone.jpg not found",
        "content/a.md:4: image without alt text (add image_alt)",
        "content/a.md:9: image without alt text (/static/images/lead.jpg)",
        "content/a.md:11: image: static/images/missing.png is missing or unreadable",
        "content/a.md:13: image: static/images/bad.jpg is missing or unreadable",
    ])
    # The other pages and the good image are built all the same.
    assert (root / "public" / "articles" / "b" / "index.html").exists()
    assert (root / "public" / "static" / "images" / "lead.jpg.800.webp").exists()
    # No unknown-key warning for image.
    assert not any("unknown key" in w for w in report.warnings)
    # --strict: the same warnings fail the build, and the output is left as it was.
    assert main(["build", "-q", "--strict", "-C", str(root / "config.toml")]) != 0


@pytest.mark.parametrize("value", ["https://example.org/a.jpg", "images/drawing.svg", "/static/logo.png"])
def test_a_lead_image_that_cannot_be_one_is_named_in_a_warning(image_site: Callable[..., Path], value: str) -> None:
    root = image_site({"content/a.md": article("أ", slug="a", image=value, image_alt="رسم")},
                      {"drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>'})
    report = build(load_config(root / "config.toml"), BuildOptions(log_warnings=False))
    assert report.warnings == [f"content/a.md:4: image: {value!r} is not a .jpg, .jpeg, .png or .webp "
                               "file of static/images/"]
    assert "og:image" not in page(root, "a") and "lead-image" not in page(root, "a")


def test_a_truncated_image_fails_the_build_in_one_line_naming_it(
        image_site: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    whole = make_image(1200, 800, color=(120, 40, 90))
    root = image_site({"content/a.md": article("أ", slug="a", image="images/cut.jpg", image_alt="رسم")},
                      {"cut.jpg": make_image(1200, 800)})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    before = (root / "public/articles/a/index.html").read_bytes()
    # Cut short: its header (and size) reads, its pixels do not.
    (root / "static/images/cut.jpg").write_bytes(whole[:len(whole) // 2])
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: static/images/cut.jpg: image: cannot be decoded (")
    assert "Traceback" not in "\n".join(err)
    assert (root / "public/articles/a/index.html").read_bytes() == before


def kept_files(root: Path) -> dict[str, tuple[int, int]]:
    """The encoded sizes the build cache keeps: name → (inode, mtime_ns)."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (root / ".sitegen-cache" / "images").iterdir()}


def test_an_unchanged_image_is_not_encoded_again_and_a_damaged_kept_size_is(
        image_site: Callable[..., Path]) -> None:
    root = image_site({"content/a.md": article("أ", slug="a", image="images/lead.jpg", image_alt="دائرة")})
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    first = (root / "public/static/images/lead.jpg.960.webp").read_bytes()
    kept = kept_files(root)
    assert len(kept) == 3
    # A content edit rebuilds the page, not the image: no kept size is written again.
    (root / "content/a.md").write_text(article("أ معدّل", slug="a", image="images/lead.jpg", image_alt="دائرة"),
                                       encoding="utf-8")
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    assert kept_files(root) == kept
    # A kept size damaged in the cache is encoded again, never published damaged.
    for name in kept:
        path = root / ".sitegen-cache" / "images" / name
        path.write_bytes(path.read_bytes()[:-7] + b"garbage")
    (root / "public/static/images/lead.jpg.960.webp").unlink()
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    assert (root / "public/static/images/lead.jpg.960.webp").read_bytes() == first
    assert sorted(kept_files(root)) == sorted(kept) and kept_files(root) != kept
    # Another image of other bytes: its sizes are encoded, the old ones' kept files pruned.
    (root / "static/images/lead.jpg").write_bytes(make_image(1000, 1000, color=(10, 120, 40)))
    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    assert len(kept_files(root)) == 3 and not set(kept_files(root)) & set(kept)
    [lead] = img_tags(page(root, "a"))
    assert (lead["width"], lead["height"]) == ("1000", "1000")
