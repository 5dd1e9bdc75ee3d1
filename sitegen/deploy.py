"""`sitegen deploy`: publish the already-built output folder to a git branch or a folder.

Two targets, one contract: compare the output folder with what the target holds, report the
files added, changed and removed, and (unless dry-run) make the target match.

- git: the output folder's files become one commit on a branch (default `gh-pages`) whose
  parent is the remote branch's tip, pushed as a fast-forward. Built with git plumbing in a
  bare repository under the cache folder and a temporary index (hash-object, update-index,
  write-tree, commit-tree): no working tree is touched, not even the project's own. With
  SOURCE_DATE_EPOCH set, the same output and the same remote give the same commit id.
- dir: sync into a local folder like `rsync --delete`: only changed files are written, each
  through a temporary file and os.replace (so a reader never sees half a file), then files
  the build no longer has are deleted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from sitegen import __version__
from sitegen.config import Config
from sitegen.errors import SitegenError
from sitegen.fsutil import atomic_write, scan
from sitegen.schedule import source_date_epoch
from sitegen.write import MARKER as BUILD_MARKER

log = logging.getLogger(__name__)

NOJEKYLL = ".nojekyll"
"""Empty file added to the git branch so GitHub Pages serves the files as they are."""
MARKER = ".sitegen-deploy"
"""File the dir target keeps in its folder: only a folder holding it is ever pruned."""
_MARKER_TEXT = b"This folder is published by `sitegen deploy`: files not in the built site are deleted here.\n"


@dataclass(frozen=True)
class Changes:
    """How the target differs from the output folder, as sorted '/'-separated paths."""

    added: tuple[str, ...] = ()
    """Files in the output that the target does not have."""
    changed: tuple[str, ...] = ()
    """Files whose bytes differ between the output and the target."""
    removed: tuple[str, ...] = ()
    """Files the target has that the output no longer has."""

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class DeployReport:
    """What `deploy` did, or with dry_run would do."""

    target: str
    """'git' or 'dir'."""
    dest: str
    """The remote or folder deployed to, as shown to the user."""
    changes: Changes
    """Files added, changed and removed at the target."""
    dry_run: bool
    """True when nothing was written."""
    branch: str | None = None
    """git: the branch deployed to."""
    commit: str | None = None
    """git: the commit pushed; None for a dry run or when the branch already held the site."""


def deploy(
    config: Config,
    *,
    target: str | None = None,
    dest: str | None = None,
    branch: str | None = None,
    dry_run: bool = False,
) -> DeployReport:
    """Deploy `config.output_dir` to `target` ('git' or 'dir', default config
    `deploy_target`) at `dest` (default config `deploy_dest`).

    Raises SitegenError when the output folder is missing or empty, the destination is
    missing or unsafe, or git fails.
    """
    target = target or config.deploy_target
    dest = dest if dest is not None else config.deploy_dest
    files = _output_files(config)
    if target == "git":
        return _deploy_git(config, files, dest, branch or config.deploy_branch, dry_run)
    if target == "dir":
        return _deploy_dir(config, files, dest, dry_run)
    raise SitegenError(f"deploy: unknown target {target!r} (known: git, dir)")


def format_report(report: DeployReport) -> str:
    """The report as the command line prints it: a summary line, then one line per file
    (`+` added, `~` changed, `-` removed)."""
    c = report.changes
    where = f"{report.dest} (branch {report.branch})" if report.branch else report.dest
    if report.dry_run:
        head = f"deploy --dry-run to {where}: would add {len(c.added)}, change {len(c.changed)}, remove {len(c.removed)}"
    elif not c:
        head = f"deploy to {where}: already up to date"
    else:
        head = f"deploy to {where}: added {len(c.added)}, changed {len(c.changed)}, removed {len(c.removed)}"
        if report.commit:
            head += f" (commit {report.commit[:12]})"
    lines = [head]
    lines += [f"  + {p}" for p in c.added]
    lines += [f"  ~ {p}" for p in c.changed]
    lines += [f"  - {p}" for p in c.removed]
    return "\n".join(lines)


# --- the output folder -------------------------------------------------------------------------
def _output_files(config: Config) -> dict[str, Path]:
    """Every file of the built site, by '/'-separated path relative to the output folder."""
    out = config.output_dir
    shown = _shown(out, config)
    if not out.is_dir():
        raise SitegenError(f"{shown}: deploy: no built site here; run `sitegen build` first")
    # The build's own marker says the folder is sitegen's; it is not part of the site.
    files = {rel: out / rel for rel in sorted(scan(out)) if rel != BUILD_MARKER}
    if not files:
        raise SitegenError(f"{shown}: deploy: the folder is empty; run `sitegen build` first")
    return files


def _shown(path: Path, config: Config) -> str:
    """`path` relative to the project root when inside it, for messages."""
    try:
        return str(path.relative_to(config.root)) or "."
    except ValueError:
        return str(path)


# --- dir target -------------------------------------------------------------------------------
def _deploy_dir(config: Config, files: dict[str, Path], dest: str, dry_run: bool) -> DeployReport:
    if not dest:
        raise SitegenError("deploy: the dir target needs a folder: --dest PATH or deploy_dest in config.toml")
    folder = Path(dest).expanduser()
    folder = (config.root / folder).resolve() if not folder.is_absolute() else folder.resolve()
    _check_dir_dest(config, folder)
    have = _dest_files(folder)
    changes = _compare({rel: lambda p=path: p.read_bytes() for rel, path in files.items()},
                       {rel: lambda p=path: p.read_bytes() for rel, path in have.items()},
                       same_size=lambda rel: files[rel].stat().st_size == have[rel].stat().st_size)
    report = DeployReport(target="dir", dest=str(folder), changes=changes, dry_run=dry_run)
    if dry_run or not changes:
        return report
    # The marker goes first: a deploy cut short still leaves a folder a later deploy may prune.
    atomic_write(folder / MARKER, _MARKER_TEXT)
    for rel in changes.added + changes.changed:
        target = folder / rel
        # A folder where a file now goes (or a file where a folder now goes) must go first.
        for parent in reversed(Path(rel).parents[:-1]):
            if (folder / parent).is_file():
                (folder / parent).unlink()
        if target.is_dir():
            shutil.rmtree(target)
        atomic_write(target, files[rel].read_bytes())
        log.debug("deploy: wrote %s", rel)
    for rel in changes.removed:
        gone = folder / rel
        if gone.is_file() or gone.is_symlink():  # not if a new folder took its name above
            gone.unlink()
        log.debug("deploy: removed %s", rel)
        _remove_empty_parents(folder, folder / rel)
    log.debug("deploy: %s: %d added, %d changed, %d removed", folder,
             len(changes.added), len(changes.changed), len(changes.removed))
    return report


def _check_dir_dest(config: Config, folder: Path) -> None:
    """Refuse folders whose pruning would delete something that is not a deployed site."""
    out = config.output_dir.resolve()
    root = config.root.resolve()
    if folder == out or out.is_relative_to(folder) or folder.is_relative_to(out):
        raise SitegenError(f"{folder}: deploy: the destination overlaps the output folder {out}")
    if root.is_relative_to(folder):
        raise SitegenError(f"{folder}: deploy: refusing to sync into the project folder or one above it")
    if folder.exists() and not folder.is_dir():
        raise SitegenError(f"{folder}: deploy: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise SitegenError(
            f"{folder}: deploy: refusing to sync into a folder that holds files sitegen did not "
            f"put there (no {MARKER} file): syncing deletes files the site does not have; "
            "empty the folder or choose another")


def _dest_files(folder: Path) -> dict[str, Path]:
    """Files already in the destination folder, except the marker."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).as_posix() != MARKER}


def _remove_empty_parents(folder: Path, path: Path) -> None:
    """Remove the folders above `path` that are now empty, up to (not including) `folder`."""
    for parent in path.parents:
        if parent == folder or not parent.is_relative_to(folder):
            return
        try:
            parent.rmdir()
        except OSError:  # not empty (or already gone): stop climbing
            return


def _compare(ours: Mapping[str, Callable[[], bytes] | str], theirs: Mapping[str, Callable[[], bytes] | str],
             *, same_size: Callable[[str], bool] | None = None) -> Changes:
    """Changes from `theirs` to `ours`; each value is a callable giving the file's bytes or
    a precomputed id (compared as is). `same_size(rel)` can rule out equality cheaply."""
    added = tuple(sorted(set(ours) - set(theirs)))
    removed = tuple(sorted(set(theirs) - set(ours)))
    changed = []
    for rel in sorted(set(ours) & set(theirs)):
        a, b = ours[rel], theirs[rel]
        if callable(a) and callable(b):
            if same_size is not None and not same_size(rel):
                changed.append(rel)
                continue
            a, b = a(), b()
        if a != b:
            changed.append(rel)
    return Changes(added=added, changed=tuple(changed), removed=removed)


# --- git target -------------------------------------------------------------------------------
def _deploy_git(config: Config, files: dict[str, Path], dest: str, branch: str,
                dry_run: bool) -> DeployReport:
    if NOJEKYLL not in files:
        files = {**files, NOJEKYLL: None}  # type: ignore[dict-item]  # None: an empty blob
    if any("\n" in rel for rel in files):
        bad = next(rel for rel in files if "\n" in rel)
        raise SitegenError(f"{_shown(config.output_dir, config)}/{bad!r}: deploy: a file name with a "
                           "line break cannot be committed by the git target")
    remote = _remote(config, dest)
    if remote.startswith("-"):
        # git would read it as an option (`--upload-pack=…` runs a command), whatever the
        # `--` below: no remote name, URL or path starts with one.
        raise SitegenError(f"{remote!r}: deploy: a git remote cannot start with '-'")
    repo = config.cache_dir / "deploy.git"
    env = _git_env(repo)
    if not (repo / "HEAD").is_file():
        repo.parent.mkdir(parents=True, exist_ok=True)
        _git(["init", "--bare", "--quiet", str(repo)], env)
    ref = f"refs/heads/{branch}"
    _git(["check-ref-format", ref], env)
    tip = _remote_tip(remote, ref, env)
    theirs: dict[str, str] = {}
    if tip:
        _git(["fetch", "--quiet", "--no-tags", "--", remote, f"+{ref}:refs/sitegen/deployed"], env)
        theirs = _tree_blobs(tip, env)
    ours = {rel: _blob_id(path) for rel, path in files.items()}
    changes = _compare(ours, theirs)
    report = DeployReport(target="git", dest=remote, changes=changes, dry_run=dry_run, branch=branch)
    if dry_run or (tip and not changes):
        return report
    tree = _write_tree(repo, files, ours, env)
    message = (f"Deploy site: {len(changes.added)} added, {len(changes.changed)} changed, "
               f"{len(changes.removed)} removed\n\nsitegen {__version__}\n")
    parents = ["-p", tip] if tip else []
    commit = _git(["commit-tree", "--no-gpg-sign", tree, *parents], env,
                  stdin=message.encode()).decode().strip()
    _git(["update-ref", ref, commit], env)
    push = _run_git(["push", "--quiet", "--", remote, f"{commit}:{ref}"], env)
    if push.returncode:
        raise SitegenError(f"{remote}: deploy: git push to {branch} failed"
                           f"{_push_failure(push.stderr.decode(errors='replace'), push.returncode)}")
    log.debug("deploy: pushed %s to %s %s", commit[:12], remote, branch)
    return DeployReport(target="git", dest=remote, changes=changes, dry_run=False,
                        branch=branch, commit=commit)


def _push_failure(stderr: str, code: int) -> str:
    """Why a push failed, for the end of the error line: the server hook's own words when
    a hook refused it (`! [remote rejected]`, its lines prefixed `remote:`); a hint to
    deploy again when the branch moved (`! [rejected]`, not a fast-forward); else git's
    last line."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    said = [line[len("remote:"):].strip() for line in lines if line.startswith("remote:")]
    said = [line for line in said if line]
    if any("[remote rejected]" in line for line in lines):
        why = "; ".join(said) or next(line for line in lines if "[remote rejected]" in line)
        return f": the remote refused it: {why}"
    if any("[rejected]" in line for line in lines):
        return f" (the branch moved since it was read: deploy again): {lines[-1]}"
    return f": {lines[-1] if lines else 'exit ' + str(code)}"


def _remote(config: Config, dest: str) -> str:
    """The remote to push to: `dest` (a local path is made absolute against the project
    root, since git runs elsewhere), or the project repository's `origin` when empty."""
    if not dest:
        found = _run_git(["-C", str(config.root), "remote", "get-url", "origin"], _clean_env())
        if found.returncode:
            raise SitegenError("deploy: the git target needs a remote: --dest URL_OR_PATH, "
                               "deploy_dest in config.toml, or an `origin` remote in the project repository")
        # A relative origin path is relative to the project folder, as git itself reads it.
        dest = found.stdout.decode().strip()
    local = Path(dest).expanduser()
    local = local if local.is_absolute() else config.root / local
    return str(local.resolve()) if local.exists() else dest


def _clean_env() -> dict[str, str]:
    """The environment without variables that point git at another repository or index."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_COMMON_DIR",
                        "GIT_PREFIX"}}
    env["LC_ALL"] = "C"  # git's messages are parsed ("rejected"), so keep them in English
    return env


def _git_env(repo: Path) -> dict[str, str]:
    """Environment for git commands on the deploy repository, with an identity that works on
    a machine where none is configured, and SOURCE_DATE_EPOCH as the commit date when set."""
    env = _clean_env()
    env["GIT_DIR"] = str(repo)
    for role in ("AUTHOR", "COMMITTER"):
        if not env.get(f"GIT_{role}_NAME"):
            env[f"GIT_{role}_NAME"] = _config_value("user.name", env) or "sitegen"
        if not env.get(f"GIT_{role}_EMAIL"):
            env[f"GIT_{role}_EMAIL"] = _config_value("user.email", env) or "sitegen@localhost"
    epoch = source_date_epoch(env)
    if epoch is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{epoch} +0000"
    return env


def _config_value(key: str, env: dict[str, str]) -> str:
    found = _run_git(["config", "--get", key], env)
    return found.stdout.decode().strip() if found.returncode == 0 else ""


def _run_git(args: list[str], env: dict[str, str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], input=stdin, capture_output=True, env=env,
                              check=False, stdin=None if stdin is not None else subprocess.DEVNULL)
    except FileNotFoundError:
        raise SitegenError("deploy: the git target needs git, which is not installed") from None


def _git(args: list[str], env: dict[str, str], stdin: bytes | None = None) -> bytes:
    """Run git; its stdout, or SitegenError carrying git's last error line."""
    done = _run_git(args, env, stdin)
    if done.returncode:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        raise SitegenError(f"deploy: git {args[0]} failed: {lines[-1] if lines else 'exit ' + str(done.returncode)}")
    return done.stdout


def _remote_tip(remote: str, ref: str, env: dict[str, str]) -> str | None:
    """The commit `ref` points to on `remote`, or None when the remote has no such branch."""
    out = _git(["ls-remote", "--refs", "--", remote, ref], env).decode()
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        if name == ref:
            return sha
    return None


def _tree_blobs(commit: str, env: dict[str, str]) -> dict[str, str]:
    """Path → blob id of every file in `commit`'s tree."""
    out = _git(["ls-tree", "-r", "-z", "--full-tree", commit], env)
    blobs: dict[str, str] = {}
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        _mode, kind, sha = meta.decode().split(" ")
        if kind == "blob":
            blobs[path.decode("utf-8", errors="surrogateescape")] = sha
    return blobs


def _blob_id(path: Path | None) -> str:
    """The id git gives a blob holding the file's bytes (None: an empty file), computed here
    so that unchanged files are found without running git once per file."""
    size = path.stat().st_size if path else 0
    digest = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
    if path:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _write_tree(repo: Path, files: dict[str, Path | None], ids: dict[str, str],
                env: dict[str, str]) -> str:
    """Store every blob and write the tree of exactly these files, through a temporary index."""
    with tempfile.TemporaryDirectory(dir=repo, prefix="deploy-") as tmp:
        empty = Path(tmp) / "empty"
        empty.write_bytes(b"")
        paths = [str(files[rel] or empty) for rel in sorted(ids)]
        # One git process stores every blob; objects it already has are not written again.
        stored = _git(["hash-object", "-w", "--no-filters", "--stdin-paths"], env,
                      stdin="".join(p + "\n" for p in paths).encode("utf-8", "surrogateescape"))
        if stored.decode().split() != [ids[rel] for rel in sorted(ids)]:
            raise SitegenError("deploy: git stored the files under unexpected ids (changed while deploying?)")
        index_env = {**env, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        entries = b"".join(f"100644 {ids[rel]}\t".encode() + rel.encode("utf-8", "surrogateescape") + b"\0"
                           for rel in sorted(ids))
        _git(["update-index", "-z", "--add", "--index-info"], index_env, stdin=entries)
        return _git(["write-tree"], index_env).decode().strip()
