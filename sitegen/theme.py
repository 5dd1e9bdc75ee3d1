"""Themes: the Jinja2 environment (site templates/ → theme → parent themes), the filters
templates use for dates, digits and bidi, and the static files with fingerprinted names."""

from __future__ import annotations

import hashlib
import logging
import tomllib
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import jinja2

from sitegen import i18n
from sitegen.incremental.sealed import MAGIC, seal, unseal
from sitegen.config import Config
from sitegen.errors import ThemeError
from sitegen.fsutil import atomic_write
from sitegen.model import Output

log = logging.getLogger(__name__)

FINGERPRINTED = (".css", ".js")
"""Static files whose names carry a hash of their bytes, so hosts can cache them for a year."""


@dataclass(frozen=True)
class Theme:
    """A loaded theme: where its templates come from and its static files, in memory."""

    name: str
    """The configured theme's folder name."""
    chain: tuple[Path, ...]
    """Theme folders, the configured theme first, then its parents."""
    template_dirs: tuple[Path, ...]
    """Where templates are looked up, in order: the site's templates/, then each theme's."""
    static: tuple[Output, ...]
    """Static files to publish (site static/ over the theme's over its parents'),
    with their fingerprinted names."""
    assets: dict[str, str]
    """Static file's own name (e.g. `style.css`) → published path (`static/style.1a2b3c4d.css`)."""


def theme_chain(config: Config) -> tuple[Path, ...]:
    """The configured theme's folder and its parents' (`extends` in theme.toml)."""
    chain: list[Path] = []
    name: str | None = config.theme
    while name:
        folder = config.themes_dir / name
        if not folder.is_dir():
            wanted = f"theme {name!r}" + (f" (extended by {chain[-1].name!r})" if chain else "")
            raise ThemeError(f"{folder}: theme: {wanted} not found under {config.themes_dir}")
        if folder in chain:
            names = " → ".join(p.name for p in chain + [folder])
            raise ThemeError(f"{folder / 'theme.toml'}: theme: extends forms a cycle: {names}")
        chain.append(folder)
        toml = folder / "theme.toml"
        meta: dict[str, object] = {}
        if toml.exists():
            try:
                meta = tomllib.loads(toml.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as e:
                raise ThemeError(f"{toml}: theme: {e}") from None
            except UnicodeDecodeError as e:
                raise ThemeError(f"{toml}: theme: not UTF-8 text (byte {e.start})") from None
        parent = meta.get("extends")
        if parent is not None and not isinstance(parent, str):
            raise ThemeError(f"{toml}: theme: extends must be a theme name")
        name = parent
    return tuple(chain)


def load_theme(config: Config) -> Theme:
    """Find the theme, its parents and their static files; read the static files."""
    chain = theme_chain(config)
    dirs = [config.templates_dir] if config.templates_dir.is_dir() else []
    dirs += [t / "templates" for t in chain if (t / "templates").is_dir()]
    files: dict[str, bytes] = {}
    # Parents first, so a child theme's file, then the site's own, replaces the parent's.
    for folder in [t / "static" for t in reversed(chain)] + [config.static_dir]:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    files[path.relative_to(folder).as_posix()] = path.read_bytes()
    assets: dict[str, str] = {}
    static: list[Output] = []
    for rel, data in sorted(files.items()):
        published = rel
        if rel.endswith(FINGERPRINTED):
            stem, dot, ext = rel.rpartition(".")
            published = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{dot}{ext}"
        assets[rel] = f"static/{published}"
        static.append(Output(f"static/{published}", data))
    return Theme(name=config.theme, chain=chain, template_dirs=tuple(dirs),
                 static=tuple(static), assets=assets)


def make_environment(theme: Theme, config: Config) -> jinja2.Environment:
    """The Jinja2 environment for `theme`: autoescape on, undefined names are errors, and the
    filters `date`, `hijri`, `digits`, `bdi`, `iso`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A template is not stat'ed again on every include (~27,000 stats for a 1,000-article
        # site): a build gets a new environment when any template changed (incremental.memo.environment).
        auto_reload=False,
    )
    locale, numerals = config.locale, config.numerals
    env.filters["date"] = lambda d: i18n.format_date(d, locale, numerals) if d else ""
    env.filters["hijri"] = lambda d: i18n.hijri_date(d, numerals) if d else ""
    env.filters["digits"] = lambda v: i18n.localize_digits(str(v), numerals)
    env.filters["bdi"] = lambda text: i18n.isolate_latin(str(text))
    env.filters["iso"] = lambda d: d.isoformat() if d else ""
    return env


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache of compiled templates, each file sealed with a checksum as every
    build cache file is (`incremental.sealed.seal`): Jinja2 checks only its source's, so a byte changed
    in the compiled code would run. A damaged file is a miss (a warning, and a recompile),
    never a failed build or wrong output."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = Path(self._get_cache_filename(bucket))
        try:
            data = path.read_bytes()
        except OSError:  # missing (or unreadable): compile the template
            return
        payload = unseal(data, path)
        if payload is None:
            return
        try:
            bucket.bytecode_from_string(payload)
        except Exception:  # noqa: BLE001 - written by another Python: compile it again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = Path(self._get_cache_filename(bucket))
        try:
            atomic_write(path, seal(bucket.bytecode_to_string()))
        except OSError as e:  # a read-only or full cache folder: the template is compiled
            # again next time; the build cache's own write reports the folder (sitegen.cli)
            log.debug("%s: not written (%s)", path, e)


def bytecode_cache(env: jinja2.Environment, root: Path) -> jinja2.BytecodeCache:
    """A cache of `env`'s compiled templates in a folder under `root`. Jinja2 keys each
    entry by the template's file, its source and the Python version; the folder's name adds
    what else the compiled code depends on: the Jinja2 version and the environment's syntax
    options, filters and tests, and the file format (`MAGIC`: files sealed with a checksum,
    so the unsealed files of an older sitegen are never read, nor warned about)."""
    options = (MAGIC, jinja2.__version__, env.block_start_string, env.block_end_string,
               env.variable_start_string, env.variable_end_string, env.comment_start_string,
               env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
               env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
               sorted(env.extensions), env.optimized, env.autoescape, env.is_async, env.finalize,
               sorted(env.filters), sorted(env.tests))
    folder = root / hashlib.blake2b(repr(options).encode("utf-8"), digest_size=8).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    return _BytecodeCache(str(folder))


def template_error(e: BaseException, stage: str = "render", root: Path | None = None) -> ThemeError:
    """A ThemeError naming the template file (relative to `root` when under it) and line
    where `e` happened."""
    if isinstance(e, jinja2.TemplateSyntaxError):
        where = f"{_short(e.filename, root) if e.filename else e.name}:{e.lineno}"
        return ThemeError(f"{where}: template: {e.message}")
    if isinstance(e, jinja2.TemplateNotFound):
        return ThemeError(f"{e.name}: template: not found in any theme folder")
    where = _template_frame(e.__traceback__)
    if where:
        file, _, line = where.rpartition(":")
        where = f"{_short(file, root)}:{line}"
    return ThemeError(f"{where or 'template'}: {stage}: {type(e).__name__}: {e}")


def _template_frame(tb: TracebackType | None) -> str:
    """`file:line` of the innermost template frame of a traceback (Jinja2 rewrites
    tracebacks so that template code shows as the template's own file and line)."""
    found = ""
    for frame, line in traceback.walk_tb(tb):
        name = frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".txt")):
            found = f"{name}:{line}"
    return found


def _short(filename: str, root: Path | None) -> str:
    if root is not None:
        try:
            return Path(filename).relative_to(root).as_posix()
        except ValueError:
            pass
    return filename
