"""config.toml → a frozen Config, passed explicitly to every stage (no global settings).

Every key is optional; the defaults below are what a missing key means. The README documents
each key; `config.toml` at the project root shows them all.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import re
import tomllib
import typing
from typing import Any
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.errors import ConfigError


@dataclass(frozen=True)
class Config:
    """The site's settings. Paths are absolute, resolved against the project root."""

    root: Path = field(default_factory=Path.cwd, metadata={"key": False})
    """The project folder: the one holding config.toml."""

    title: str = "موجز الأخبار"
    """Site title, shown in the masthead, feeds and <title>."""
    description: str = "موجز يومي لأخبار التكنولوجيا والسياسة"
    """Site description for the home page meta description and feeds."""
    base_url: str = "http://127.0.0.1:8000/"
    """Absolute URL the site is served from, sub-path allowed; always ends with '/'."""
    language: str = "ar"
    """BCP 47 language of the site (<html lang>); an article may set its own `lang`."""
    direction: str = "rtl"
    """Text direction of the site, 'rtl' or 'ltr'; an article may set its own `dir`."""
    locale: str = "ar_EG"
    """Babel locale for dates: ar_EG gives نوفمبر, ar_IQ / ar_SY give تشرين الثاني."""
    numerals: str = "latn"
    """'latn' for 0-9 or 'arab' for Arabic-Indic digits (٠-٩) in displayed text."""
    hijri: bool = False
    """Show the Hijri (Umm al-Qura) date beside the Gregorian one."""
    theme: str = "digest"
    """Theme folder name under themes/."""
    page_size: int = 10
    """Articles per page of every list: the home page, and each tag, source and month."""
    related_min: int = 4
    """Articles with fewer explicit references get related-by-tags ones up to this count."""
    feed_limit: int = 50
    """Entries in each Atom feed (the site's and each tag's): the newest this many."""
    slug_style: str = "unicode"
    """'unicode' keeps Arabic letters in slugs; 'translit' gives ASCII slugs."""
    max_seed_mb: int = 20
    """A seed larger than this many MiB is refused with a size message instead of imported
    (saved pages and feeds too, files or URLs)."""
    import_rules: tuple[Any, ...] = field(default=(), metadata={"key": False})
    """Per-outlet corrections for `sitegen import`, from [[import.rules]] (importer.labels.Rule)."""
    feeds: tuple[str, ...] = ()
    """News feeds (RSS or Atom; file paths or http(s) URLs) read by `sitegen import --feeds`."""
    feed_timeout: int = 20
    """Seconds a feed URL may take to connect and to send each part before it is given up."""
    feed_full_content: bool = False
    """Atom entries carry each article's whole body (`<content type="html">`), not only its summary."""
    minify: bool = False
    """Minify built HTML and CSS (minify-html); what a page shows never changes."""
    compress: bool = False
    """Write precompressed .gz and .br files next to built HTML, CSS, JS, XML, JSON, SVG and text."""
    search: bool = True
    """Build the Pagefind search index, the search page and the masthead search box."""
    deploy_target: str = "git"
    """`sitegen deploy` target: 'git' (commit to a branch and push) or 'dir' (sync into a folder)."""
    deploy_dest: str = ""
    """Where to deploy: a git remote (URL or path; '' = the project's `origin`) or a folder."""
    deploy_branch: str = "gh-pages"
    """Branch the git target commits the built site to."""
    content_dir: Path = Path("content")
    """Front-mattered Markdown articles (written by `sitegen import`, edited by people)."""
    seeds_dir: Path = Path("seeds")
    """Raw scraped article pages, *.txt."""
    output_dir: Path = Path("public")
    """Build output."""
    themes_dir: Path = Path("themes")
    """Themes, one folder each."""
    templates_dir: Path = Path("templates")
    """The site's own templates, looked up before the theme's."""
    static_dir: Path = Path("static")
    """The site's own static files, copied over the theme's."""
    cache_dir: Path = Path(".sitegen-cache")
    """Build cache (not committed)."""
    default_image: str = ""
    """The image of a page that names none (og:image, twitter:card, JSON-LD): a file of
    static/images/ (`images/logo.png`); '' for none."""

    def __post_init__(self) -> None:
        _check_base_url(self.base_url)
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Path) and f.name != "root" and not value.is_absolute():
                object.__setattr__(self, f.name, self.root / value)
        _choice("direction", self.direction, ("rtl", "ltr"))
        _choice("numerals", self.numerals, ("latn", "arab"))
        _choice("slug_style", self.slug_style, ("unicode", "translit"))
        _choice("deploy_target", self.deploy_target, ("git", "dir"))
        _check_locale(self.locale)
        if self.feed_limit < 1:
            raise ConfigError(f"config.toml: feed_limit must be at least 1, not {self.feed_limit}")
        if self.feed_timeout < 1:
            raise ConfigError(f"config.toml: feed_timeout must be at least 1, not {self.feed_timeout}")
        if self.page_size < 1:
            raise ConfigError(f"config.toml: page_size must be at least 1, not {self.page_size}")
        if self.default_image:
            _check_default_image(self.default_image, self.static_dir)

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. '/digest/' for 'https://example.org/digest/'."""
        rest = self.base_url.split("://", 1)[-1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"

    def replace(self, **changes: typing.Any) -> "Config":
        """A copy with some keys changed (e.g. --base-url, --out from the command line)."""
        return dataclasses.replace(self, **changes)


_URL_SCHEME = re.compile(r"https?://[^/?#\s@]+(?:/|$)", re.IGNORECASE)
"""An absolute http(s) URL's start: scheme, host (and port), then the path's first '/'."""


def _check_base_url(url: str) -> None:
    """base_url must be an absolute http(s) URL: a scheme-less or `javascript:` one yields
    protocol-relative or broken links in every page, feed and sitemap."""
    if not _URL_SCHEME.match(url) or any(c.isspace() or ord(c) < 0x20 for c in url):
        raise ConfigError(f"config.toml: base_url must be an absolute http:// or https:// URL "
                          f"such as 'https://example.org/digest/', not {url[:200]!r}")


@functools.lru_cache(maxsize=16)  # Config is made again by every replace()
def _check_locale(name: str) -> None:
    """The locale must be one Babel knows, checked now rather than at the first dated
    article. A locale with its own data file is known without importing Babel (which the
    no-op build never imports); any other name (an alias, 'ar-EG') is asked of Babel."""
    spec = importlib.util.find_spec("babel")
    folder = Path(spec.origin).parent / "locale-data" if spec and spec.origin else None
    plain = name.replace("-", "_")
    if folder is not None and re.fullmatch(r"[A-Za-z0-9_]+", plain) and (folder / f"{plain}.dat").is_file():
        return
    from sitegen.i18n import check_locale

    check_locale(name)


def _check_default_image(value: str, static_dir: Path) -> None:
    """default_image must name an image file of static/images/ (sitegen.images)."""
    from sitegen.images import RASTER, static_path

    path = static_path(value)
    if path is None or not path.lower().endswith(RASTER):
        raise ConfigError(f"config.toml: default_image must be a .jpg, .jpeg, .png or .webp file of "
                          f"static/images/ such as 'images/logo.png', not {value!r}")
    if not (static_dir / path).is_file():
        raise ConfigError(f"config.toml: default_image: static/{path} not found")


def _choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"config.toml: {key} must be one of {', '.join(allowed)}, not {value!r}")


def _check_type(name: str, value: object, annotation: object) -> object:
    """Check a TOML value against the field's annotation; Paths come in as strings."""
    if str(annotation) == "tuple[str, ...]":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"config.toml: {name} must be a list of strings, not {value!r}")
        return tuple(v.strip() for v in value)
    kind = {"str": str, "int": int, "bool": bool, "Path": Path}.get(str(annotation))
    if kind is Path:
        if not isinstance(value, str):
            raise ConfigError(f"config.toml: {name} must be a path string")
        return Path(value)
    if kind is int and isinstance(value, bool) or kind is not None and not isinstance(value, kind):
        raise ConfigError(f"config.toml: {name} must be {kind.__name__ if kind else annotation}, not {value!r}")
    return value


def load_config(path: Path | None = None, root: Path | None = None) -> Config:
    """Read config.toml (default: ./config.toml). A missing file means all defaults."""
    root = (root or (path.parent if path else Path.cwd())).resolve()
    path = path or root / "config.toml"
    values: dict[str, object] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            # tomllib's message already ends with "(at line N, column M)".
            raise ConfigError(f"{path.name}: {e}") from None
        except UnicodeDecodeError as e:
            raise ConfigError(f"{path.name}: not UTF-8 at byte {e.start}") from None
        fields = {f.name: f for f in dataclasses.fields(Config) if f.metadata.get("key", True)}
        if "import" in data:
            values["import_rules"] = _import_rules(path.name, data.pop("import"))
        for name, value in data.items():
            if name not in fields:
                raise ConfigError(f"{path.name}: unknown key {name!r} (known: {', '.join(sorted(fields))})")
            values[name] = _check_type(name, value, fields[name].type)
    return Config(root=root, **values)  # type: ignore[arg-type]


_RULE_KEYS = {"match_source": str, "match_text": str, "noise": list, "title": str, "source": str}


def _import_rules(file: str, table: object) -> tuple[Any, ...]:
    """[[import.rules]] → importer Rule records; every key checked, every pattern compiled."""
    from sitegen.importer.labels import Rule

    if not isinstance(table, dict) or set(table) - {"rules"}:
        raise ConfigError(f"{file}: [import] holds only [[import.rules]] tables")
    rules = table.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ConfigError(f"{file}: import.rules must be a list of [[import.rules]] tables")
    out = []
    for n, rule in enumerate(rules, start=1):
        where = f"{file}: import.rules #{n}"
        for key, value in rule.items():
            kind = _RULE_KEYS.get(key)
            if kind is None:
                raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(_RULE_KEYS))})")
            if not isinstance(value, kind) or kind is list and not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: {key} must be {'a list of strings' if kind is list else 'a string'}")
        if not rule.get("match_source") and not rule.get("match_text"):
            raise ConfigError(f"{where}: needs match_source or match_text (which pages it applies to)")
        for key in ("match_text", "title"):
            try:
                re.compile(rule.get(key, ""))
            except re.error as e:
                raise ConfigError(f"{where}: {key} is not a regular expression: {e}") from None
        out.append(Rule(match_source=rule.get("match_source", ""), match_text=rule.get("match_text", ""),
                        noise=tuple(rule.get("noise", ())), title=rule.get("title", ""),
                        source=rule.get("source", "")))
    return tuple(out)
