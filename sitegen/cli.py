"""The command line: `sitegen <command> [options]`.

Exit codes scripts can trust: 0 success, 1 any error (bad input, failed build, --strict
warnings), 2 bad usage (argparse), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import logging
import os
import sys
from pathlib import Path
from typing import Callable, Iterator, NoReturn

from sitegen import __version__
from sitegen.config import Config, load_config
from sitegen.errors import MAX_MESSAGE, SitegenError
from sitegen.progress import Progress

log = logging.getLogger("sitegen")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Formatter(logging.Formatter):
    """Plain messages for progress; 'warning:' / 'error:' prefixes so they stand out."""

    def format(self, record: logging.LogRecord) -> str:
        msg = record.getMessage()
        if len(msg) > 2 * MAX_MESSAGE:  # one line of a terminal's scrollback, not megabytes
            msg = msg[:2 * MAX_MESSAGE] + "…"
        if record.levelno >= logging.ERROR:
            return f"error: {msg}"
        if record.levelno >= logging.WARNING:
            return f"warning: {msg}"
        return msg


def _setup_logging(verbosity: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger("sitegen")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG)


# --- import --------------------------------------------------------------------------------
def _add_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("seeds", nargs="*", metavar="SEED",
                   help="seed files to import: text (.txt), saved web pages (.html, .htm), "
                        "a folder of those, RSS or Atom feeds (.xml, .rss, .atom, or an http(s) "
                        "URL) (default: every seeds/*.txt, *.html, *.htm)")
    p.add_argument("--feeds", action="store_true",
                   help="import the feeds listed in config.toml's `feeds` (with any SEED given)")
    p.add_argument("--force", action="store_true",
                   help="overwrite content files even where an editor changed them")
    p.add_argument("--dry-run", action="store_true",
                   help="say what would be written, write nothing")
    p.add_argument("--explain", action="store_true",
                   help="print every line of the SEED files with its label and the reason (and what a "
                        "saved page's metadata decided); write nothing")


def _run_import(args: argparse.Namespace, config: Config) -> int:
    from sitegen.importer import explain_seeds, import_seeds

    seeds: list[Path | str] = [s if s.startswith(("http://", "https://")) else Path(s) for s in args.seeds]
    if args.feeds:
        if not config.feeds:
            log.error("config.toml: --feeds given but no `feeds` listed")
            return EXIT_ERROR
        seeds += [f if f.startswith(("http://", "https://")) else config.root / f for f in config.feeds]
    if args.explain:
        if not seeds:
            log.error("import --explain: name the seed files to explain")
            return EXIT_ERROR
        text, errors = explain_seeds(config, seeds)
        if text:
            print(text)
        for line in errors:
            log.error("%s", line)
        return EXIT_ERROR if errors else EXIT_OK
    report = import_seeds(config, seeds or None, force=args.force, dry_run=args.dry_run)
    return EXIT_ERROR if report.errors or (args.strict and report.warnings) else EXIT_OK


# --- new -----------------------------------------------------------------------------------
def _iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None


def _add_new(p: argparse.ArgumentParser) -> None:
    p.add_argument("title", help="the article's title, e.g. \"عنوان المقال\"")
    p.add_argument("--slug", help="file name and URL segment (default: made from the title)")
    p.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help="article date (default: today)")
    p.add_argument("--draft", action="store_true", help="mark it draft: left out of builds without --drafts")


def _run_new(args: argparse.Namespace, config: Config) -> int:
    from sitegen.new import new_article

    created = new_article(config, args.title, slug=args.slug, date=args.date, draft=args.draft)
    print(created.path)
    return EXIT_OK


# --- build / check ---------------------------------------------------------------------------
def _add_build(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base-url", metavar="URL", help="publish URL, overriding config.toml's base_url")
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: public/)")
    p.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    p.add_argument("--future", action="store_true",
                   help="include articles dated ahead of now (otherwise published by the first build on or after their date)")
    p.add_argument("--verify-incremental", action="store_true",
                   help="after the build, build again from scratch (no cache) into a temporary "
                        "folder and compare every file byte for byte; exit 1 on any difference")


def _with_overrides(args: argparse.Namespace, config: Config) -> Config:
    changes: dict[str, object] = {}
    if getattr(args, "base_url", None):
        changes["base_url"] = args.base_url  # Config adds the closing "/"
    if getattr(args, "out", None):
        changes["output_dir"] = args.out.resolve()
    return config.replace(**changes) if changes else config


def _run_build(args: argparse.Namespace, config: Config) -> int:
    from sitegen.build import BuildOptions, build, summary, verify_incremental

    config = _with_overrides(args, config)
    options = BuildOptions(strict=args.strict, drafts=args.drafts, future=args.future)
    if getattr(args, "verify_incremental", False):
        report, diffs = verify_incremental(config, options)
        log.info("%s", summary(report))
        for line in diffs:
            log.error("verify-incremental: %s", line)
        log.info("verify-incremental: %s", f"{len(diffs):,} difference(s) from a build from scratch"
                 if diffs else "identical to a build from scratch")
        return EXIT_ERROR if diffs else EXIT_OK
    # A status line per stage while it runs, on a terminal only (not with -q).
    with _progress(args) as progress:
        report = build(config, options, progress=progress if progress.enabled else None)
    log.info("%s", summary(report))
    if report.stage_seconds:  # -v
        log.debug("time per stage: %s", ", ".join(
            f"{stage} {seconds:.2f} s" for stage, seconds in
            sorted(report.stage_seconds.items(), key=lambda item: -item[1])))
    return EXIT_OK


@contextlib.contextmanager
def _progress(args: argparse.Namespace) -> Iterator[Progress]:
    """The build's status line on stderr (enabled when stderr is a terminal and not -q),
    erased before every log line and at the end."""
    progress = Progress(sys.stderr)
    progress.enabled = progress.enabled and args.verbose - args.quiet >= 0
    handlers = logging.getLogger("sitegen").handlers
    for handler in handlers:
        handler.addFilter(progress)
    try:
        with progress:
            yield progress
    finally:
        for handler in handlers:
            handler.removeFilter(progress)


def _add_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, metavar="DIR", help="folder to check (default: public/)")
    p.add_argument("--base-url", metavar="URL", help="the URL the folder was built for")


def _run_check(args: argparse.Namespace, config: Config) -> int:
    from sitegen.check import check_site

    report = check_site(_with_overrides(args, config))
    for page, href in report.broken:
        log.error("%s: broken link: %s", page, href)
    for page in report.orphans:
        log.error("%s: orphan: no link reaches it from the home page", page)
    log.info("checked %s pages: %s broken links, %s orphans",
             f"{report.pages:,}", f"{len(report.broken):,}", f"{len(report.orphans):,}")
    return EXIT_ERROR if report.broken or report.orphans else EXIT_OK


# --- serve -----------------------------------------------------------------------------------
def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: write 0 to 65535 (0 picks a free one)")
    return port


def _add_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1; anything else is reachable by others)")
    p.add_argument("--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the site in the default web browser")
    p.add_argument("--poll", action="store_true",
                   help="poll for changes instead of OS events (network and container mounts)")
    p.add_argument("--future", action="store_true", help="include articles dated ahead of now")


def _run_serve(args: argparse.Namespace, config: Config) -> int:
    from sitegen.serve import run

    return run(config, host=args.host, port=args.port, open_browser=args.open, poll=args.poll,
               config_file=args.config, strict=args.strict, future=args.future)


# --- deploy --------------------------------------------------------------------------------
def _add_deploy(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", choices=("git", "dir"), default=None,
                   help="git: commit to a branch and push; dir: sync into a folder (default: deploy_target)")
    p.add_argument("--dest", default=None, metavar="PATH_OR_REMOTE",
                   help="git remote (URL or path) or folder (default: deploy_dest)")
    p.add_argument("--branch", default=None, help="git branch (default: deploy_branch, gh-pages)")
    p.add_argument("--dry-run", action="store_true",
                   help="list the files that would be added, changed and removed; change nothing")


def _run_deploy(args: argparse.Namespace, config: Config) -> int:
    from sitegen.deploy import deploy, format_report

    report = deploy(config, target=args.target, dest=args.dest, branch=args.branch,
                    dry_run=args.dry_run)
    print(format_report(report))
    return EXIT_OK

Command = tuple[str, str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace, Config], int]]

COMMANDS: list[Command] = [
    (
        "import",
        "import seeds/*.txt, saved pages and news feeds into content/*.md",
        "Turn raw scraped article pages (seeds/*.txt), saved web pages (seeds/*.html: the article\n"
        "found by trafilatura, its title, date, author and canonical URL from the page) and RSS or\n"
        "Atom feeds (one article per entry, known by its id; --feeds reads config.toml's `feeds`)\n"
        "into front-mattered Markdown in content/.\n"
        "Finds the title, paragraphs and subheadings, source, keywords, read-also blocks (often a\n"
        "whole second article), similar-article lists and teaser headlines; drops captions and\n"
        "no-break-space lines. Unchanged seeds rewrite nothing; a content file an editor changed is\n"
        "skipped (and said so) unless --force. Bad seeds are reported as file:line and the others\n"
        "still import; the exit code is then 1.",
        _add_import,
        _run_import,
    ),
    (
        "new",
        "create content/<slug>.md for a new article",
        "Create a content file with front matter ready to edit: title, slug (from the title,\n"
        "Arabic kept unless slug_style = \"translit\"; at most 80 characters cut at a word), date\n"
        "(today unless --date), empty tags and summary. Prints the new file's path. An existing\n"
        "file is never overwritten: that is an error (exit 1).",
        _add_new,
        _run_new,
    ),
    (
        "build",
        "build content/ into the static site in public/",
        "Load content/*.md, resolve read-also, related and Markdown links between articles, render\n"
        "every page through the theme (home, articles, tags, sources, archive, 404, Atom feeds,\n"
        "sitemap.xml, robots.txt) and swap the result into public/. A failed build (bad front\n"
        "matter, broken template, or any warning with --strict) exits 1 and leaves public/ exactly\n"
        "as it was. Same inputs give byte-identical output (SOURCE_DATE_EPOCH sets the one build\n"
        "timestamp, used only for undated feeds). Refuses an output folder that holds project\n"
        "files, or a non-empty one without the .sitegen-build file a build leaves; one build at a\n"
        "time per output folder (a second one waits).",
        _add_build,
        _run_build,
    ),
    (
        "check",
        "crawl public/ for broken internal links and orphan pages",
        "Read every HTML page of the built site, follow every internal href/src, and report links\n"
        "to missing files and pages no chain of links from the home page reaches. Exit 1 if any.",
        _add_check,
        _run_check,
    ),
    (
        "serve",
        "build, serve and live-reload the site while you edit",
        "Build the site for a local URL, serve it, and watch content/, seeds/, themes/, templates/,\n"
        "static/ and config.toml. A save rebuilds (a burst of saves is one rebuild; a changed seed is\n"
        "imported first) and the open pages reload, keeping their scroll position; a CSS-only change\n"
        "swaps the stylesheet without reloading. A failed build keeps serving the last good site with\n"
        "the error (file:line) shown over the page. Builds into .sitegen-cache/serve/, never public/.\n"
        "Ctrl-C or SIGTERM stops it (exit 0).",
        _add_serve,
        _run_serve,
    ),
    (
        "deploy",
        "publish the built site to a git branch or a folder",
        "Publish the already-built output folder (run 'sitegen build' first).\n"
        "git target: commit the folder's files (plus .nojekyll) on a branch, default gh-pages, on\n"
        "top of the remote's branch, and push it; no working tree is touched. dir target: sync\n"
        "into a folder, writing only changed files (each atomically) and deleting files the site\n"
        "no longer has; a non-empty folder not made by sitegen deploy is refused. Prints the files\n"
        "added (+), changed (~) and removed (-); --dry-run prints them and changes nothing.",
        _add_deploy,
        _run_deploy,
    ),
]


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree: global options, then one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog="sitegen",
        description="Static site generator for right-to-left (Arabic-first) news digests.",
        epilog="Exit codes: 0 success, 1 error (or warnings with --strict), 2 bad usage. "
        "Run 'sitegen COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-C", "--config", type=Path, default=None, metavar="FILE",
                        help="config file (default: ./config.toml; its folder is the project root)")
    common.add_argument("-q", "--quiet", action="count", default=0, help="only warnings and errors")
    common.add_argument("-v", "--verbose", action="count", default=0, help="say more (per file)")
    common.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, summary, description, add_args, run in COMMANDS:
        p = sub.add_parser(name, parents=[common], help=summary, description=description,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        add_args(p)
        p.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help/--version exit 0, bad usage exits 2
        return int(e.code or 0)
    _setup_logging(args.verbose - args.quiet)
    config: Config | None = None
    try:
        config = load_config(args.config)
        return args.run(args, config)
    except SitegenError as e:
        for line in str(e).splitlines():
            log.error("%s", line)
        return EXIT_ERROR
    except OSError as e:
        # The disk full, a read-only or unwritable output or cache folder: the file and the
        # system's reason, not a traceback. A failed write() names no file: for a build,
        # name the folder it writes.
        where = e.filename if e.filename is not None else (
            _with_overrides(args, config).output_dir if config is not None and args.command == "build"
            else args.command)
        log.error("%s: %s", os.fsdecode(where) if isinstance(where, bytes) else where,
                  e.strerror or e)
        return EXIT_ERROR
    except KeyboardInterrupt:
        log.warning("interrupted")
        return EXIT_INTERRUPTED


def entry() -> NoReturn:
    """The `sitegen` command and `python -m sitegen`: `main`, then exit at once. An exiting
    interpreter frees every object one by one, which took a third of a second after a
    one-article rebuild of 10,000 articles (a fifth of it) and does nothing a user can see.
    Output is flushed first; `main` has already closed what it opened."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say to it
            pass
    os._exit(code)
