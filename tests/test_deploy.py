"""`sitegen deploy`: to a local bare git repository and to a folder, dry-run, and a second
deploy that changes only what changed. Every git repository lives in tmp_path."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sitegen.cli import main

SITE = {
    "index.html": "<!DOCTYPE html><html lang=ar dir=rtl><title>موجز الأخبار</title><p>الرئيسية</p></html>\n",
    "articles/عنوان-المقال/index.html": "<!DOCTYPE html><html lang=ar dir=rtl><title>عنوان المقال</title></html>\n",
    "articles/ترامب-تروث-سوشيال/index.html": "<!DOCTYPE html><html lang=ar><p>تروث سوشيال</p></html>\n",
    "tags/تروث-سوشيال/index.html": "<!DOCTYPE html><html lang=ar><p>وسم</p></html>\n",
    "style.3f2a.css": "body { direction: rtl; }\n",
    "feed.xml": '<?xml version="1.0" encoding="utf-8"?><feed><title>موجز</title></feed>\n',
    "img/شعار.png": b"\x89PNG\r\n\x1a\n\x00\xff binary",
}


@pytest.fixture(autouse=True)
def git_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No git identity and no global or system config, as on a fresh CI machine."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
                 "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)
    return dict(os.environ)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def bare(path: Path) -> Path:
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "--bare", "-q", str(path)], check=True)
    return path


def make_project(tmp_path: Path, config: str = "") -> Path:
    root = tmp_path / "site"
    out = root / "public"
    for rel, content in SITE.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (root / "config.toml").write_text(f'base_url = "https://example.org/"\n{config}', encoding="utf-8")
    return root


def deploy(root: Path, *args: str) -> int:
    return main(["deploy", "-q", "-C", str(root / "config.toml"), *args])


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file's bytes, modification time and inode (a rewrite gives a new inode)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def listed(out: str) -> dict[str, set[str]]:
    signs = {"+": "added", "~": "changed", "-": "removed"}
    found: dict[str, set[str]] = {"added": set(), "changed": set(), "removed": set()}
    for line in out.splitlines():
        if line.startswith("  ") and line[2] in signs:
            found[signs[line[2]]].add(line[4:])
    return found


# --- before anything: the output must exist ---------------------------------------------------
@pytest.mark.parametrize("target", ["git", "dir"])
def test_missing_output_says_to_build_first(tmp_path: Path, capsys, target: str) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "config.toml").write_text('base_url = "https://example.org/"\n', encoding="utf-8")
    assert deploy(root, "--target", target, "--dest", str(tmp_path / "dest")) == 1
    err = capsys.readouterr().err
    assert "public: deploy: no built site here" in err and "sitegen build" in err
    assert not (tmp_path / "dest").exists()


# --- dir target -------------------------------------------------------------------------------
def test_dir_first_deploy_copies_the_site(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    dest = tmp_path / "www"
    assert deploy(root, "--target", "dir", "--dest", str(dest)) == 0
    assert listed(capsys.readouterr().out)["added"] == set(SITE)
    for rel, content in SITE.items():
        data = content if isinstance(content, bytes) else content.encode()
        assert (dest / rel).read_bytes() == data
    assert (dest / ".sitegen-deploy").is_file()


def test_dir_second_deploy_rewrites_only_what_changed(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path, 'deploy_target = "dir"\ndeploy_dest = "../www"\n')
    dest = tmp_path / "www"  # deploy_dest is relative to the project root
    assert deploy(root) == 0
    before = snapshot(dest)
    capsys.readouterr()

    (root / "public/articles/عنوان-المقال/index.html").write_text("<p>نص معدّل</p>\n", encoding="utf-8")
    (root / "public/tags/تروث-سوشيال/index.html").unlink()
    (root / "public/tags/تروث-سوشيال").rmdir()
    (root / "public/tags/ترامب/index.html").parent.mkdir(parents=True)
    (root / "public/tags/ترامب/index.html").write_text("<p>ترامب</p>\n", encoding="utf-8")
    # Touching a file without changing its bytes is not a change.
    os.utime(root / "public/index.html", (1, 1))

    assert deploy(root) == 0
    assert listed(capsys.readouterr().out) == {
        "added": {"tags/ترامب/index.html"},
        "changed": {"articles/عنوان-المقال/index.html"},
        "removed": {"tags/تروث-سوشيال/index.html"},
    }
    after = snapshot(dest)
    assert after["articles/عنوان-المقال/index.html"][0] == "<p>نص معدّل</p>\n".encode()
    assert after["articles/عنوان-المقال/index.html"][1:] != before["articles/عنوان-المقال/index.html"][1:]
    assert "tags/تروث-سوشيال/index.html" not in after
    assert not (dest / "tags/تروث-سوشيال").exists()  # emptied folders go too
    unchanged = set(before) - {"articles/عنوان-المقال/index.html", "tags/تروث-سوشيال/index.html"}
    assert {rel: after[rel] for rel in unchanged} == {rel: before[rel] for rel in unchanged}

    # A third deploy with nothing changed writes nothing at all.
    assert deploy(root) == 0
    assert "already up to date" in capsys.readouterr().out
    assert snapshot(dest) == after


def test_dir_file_and_folder_swap_places(tmp_path: Path, capsys) -> None:
    """A page that becomes a folder (and a folder that becomes a page) deploys cleanly."""
    root = make_project(tmp_path)
    dest = tmp_path / "www"
    (root / "public/archive").write_text("أرشيف قديم\n", encoding="utf-8")
    assert deploy(root, "--target", "dir", "--dest", str(dest)) == 0
    (root / "public/archive").unlink()
    (root / "public/archive").mkdir()
    (root / "public/archive/index.html").write_text("<p>الأرشيف</p>\n", encoding="utf-8")
    (root / "public/feed.xml").unlink()
    (root / "public/feed.xml").mkdir()
    (root / "public/feed.xml/index.html").write_text("<p>خلاصة</p>\n", encoding="utf-8")
    capsys.readouterr()
    assert deploy(root, "--target", "dir", "--dest", str(dest)) == 0
    assert listed(capsys.readouterr().out) == {
        "added": {"archive/index.html", "feed.xml/index.html"}, "changed": set(),
        "removed": {"archive", "feed.xml"}}
    assert (dest / "archive/index.html").read_text(encoding="utf-8") == "<p>الأرشيف</p>\n"
    assert (dest / "feed.xml/index.html").read_text(encoding="utf-8") == "<p>خلاصة</p>\n"


def test_dir_dry_run_lists_and_touches_nothing(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    dest = tmp_path / "www"
    assert deploy(root, "--target", "dir", "--dest", str(dest), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would add 7, change 0, remove 0" in out
    assert listed(out)["added"] == set(SITE)
    assert not dest.exists()

    assert deploy(root, "--target", "dir", "--dest", str(dest)) == 0
    before = snapshot(dest)
    (root / "public/feed.xml").write_text("<feed>جديد</feed>\n", encoding="utf-8")
    (root / "public/img/شعار.png").unlink()
    capsys.readouterr()
    assert deploy(root, "--target", "dir", "--dest", str(dest), "--dry-run") == 0
    assert listed(capsys.readouterr().out) == {"added": set(), "changed": {"feed.xml"},
                                               "removed": {"img/شعار.png"}}
    assert snapshot(dest) == before


def test_dir_refuses_a_folder_it_did_not_make(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    dest = tmp_path / "documents"
    dest.mkdir()
    (dest / "رسالة.txt").write_text("لا تحذفني\n", encoding="utf-8")
    assert deploy(root, "--target", "dir", "--dest", str(dest)) == 1
    assert "did not put there" in capsys.readouterr().err
    assert [p.name for p in dest.iterdir()] == ["رسالة.txt"]


@pytest.mark.parametrize("dest", [".", "public", "public/sub", ".."])
def test_dir_refuses_to_sync_over_the_project_or_output(tmp_path: Path, capsys, dest: str) -> None:
    root = make_project(tmp_path)
    before = snapshot(tmp_path / "site")
    assert deploy(root, "--target", "dir", "--dest", dest) == 1
    assert "deploy: " in capsys.readouterr().err
    assert snapshot(tmp_path / "site") == before


def test_dir_target_needs_a_destination(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    assert deploy(root, "--target", "dir") == 1
    assert "--dest PATH or deploy_dest" in capsys.readouterr().err


# --- git target -------------------------------------------------------------------------------
def test_git_deploy_to_a_bare_repository(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    remote = bare(tmp_path / "remote.git")
    assert deploy(root, "--target", "git", "--dest", str(remote)) == 0
    out = capsys.readouterr().out
    assert listed(out)["added"] == set(SITE) | {".nojekyll"}
    files = git(remote, "-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert sorted(files) == sorted(set(SITE) | {".nojekyll"})
    assert git(remote, "show", "gh-pages:articles/عنوان-المقال/index.html") == SITE["articles/عنوان-المقال/index.html"]
    assert git(remote, "cat-file", "-s", "gh-pages:.nojekyll").strip() == "0"
    assert subprocess.run(["git", "--git-dir", str(remote), "show", "gh-pages:img/شعار.png"],
                          capture_output=True, check=True).stdout == SITE["img/شعار.png"]
    log = git(remote, "log", "--format=%an <%ae>|%s", "gh-pages").splitlines()
    assert log == ["sitegen <sitegen@localhost>|Deploy site: 8 added, 0 changed, 0 removed"]
    # Nothing outside the cache and the remote was touched: the project is not a repository.
    assert not (root / ".git").exists()


def test_git_second_deploy_commits_only_the_change(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path, "deploy_dest = \"../remote.git\"\ndeploy_branch = \"صفحات\"\n")
    remote = bare(tmp_path / "remote.git")
    assert deploy(root) == 0  # target git and the branch from config.toml
    first = git(remote, "rev-parse", "صفحات").strip()
    (root / "public/style.3f2a.css").write_text("body { direction: rtl; color: #222; }\n", encoding="utf-8")
    os.utime(root / "public/index.html", (1, 1))
    capsys.readouterr()

    assert deploy(root) == 0
    assert listed(capsys.readouterr().out) == {"added": set(), "changed": {"style.3f2a.css"}, "removed": set()}
    second = git(remote, "rev-parse", "صفحات").strip()
    assert git(remote, "rev-parse", f"{second}^").strip() == first  # a fast-forward on top
    assert git(remote, "diff-tree", "-r", "--name-only", "--no-commit-id", first, second).split() == ["style.3f2a.css"]

    # Nothing changed: no new commit.
    assert deploy(root) == 0
    assert "already up to date" in capsys.readouterr().out
    assert git(remote, "rev-parse", "صفحات").strip() == second


def test_git_removed_file_leaves_the_branch(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    remote = bare(tmp_path / "remote.git")
    assert deploy(root, "--target", "git", "--dest", str(remote)) == 0
    (root / "public/tags/تروث-سوشيال/index.html").unlink()
    capsys.readouterr()
    assert deploy(root, "--target", "git", "--dest", str(remote)) == 0
    assert listed(capsys.readouterr().out)["removed"] == {"tags/تروث-سوشيال/index.html"}
    names = git(remote, "-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", "gh-pages")
    assert "tags/" not in names and "feed.xml" in names


def test_git_dry_run_lists_and_pushes_nothing(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    remote = bare(tmp_path / "remote.git")
    assert deploy(root, "--target", "git", "--dest", str(remote), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would add 8" in out and listed(out)["added"] == set(SITE) | {".nojekyll"}
    assert git(remote, "for-each-ref").strip() == ""  # the remote has no branch yet

    assert deploy(root, "--target", "git", "--dest", str(remote)) == 0
    tip = git(remote, "rev-parse", "gh-pages").strip()
    (root / "public/index.html").write_text("<p>الصفحة الرئيسية الجديدة</p>\n", encoding="utf-8")
    capsys.readouterr()
    assert deploy(root, "--target", "git", "--dest", str(remote), "--dry-run") == 0
    assert listed(capsys.readouterr().out) == {"added": set(), "changed": {"index.html"}, "removed": set()}
    assert git(remote, "rev-parse", "gh-pages").strip() == tip


def test_git_deploy_is_deterministic_with_source_date_epoch(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763683200")
    commits = []
    for name in ("a", "b"):
        root = make_project(tmp_path / name)
        remote = bare(tmp_path / name / "remote.git")
        assert deploy(root, "--target", "git", "--dest", str(remote)) == 0
        commits.append(git(remote, "rev-parse", "gh-pages").strip())
        assert git(remote, "log", "-1", "--format=%at %ct", "gh-pages").split() == ["1763683200"] * 2
    assert commits[0] == commits[1]


def test_git_deploy_uses_the_configured_identity(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GIT_AUTHOR_NAME", "محرر الموجز")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "editor@example.org")
    root = make_project(tmp_path)
    remote = bare(tmp_path / "remote.git")
    assert deploy(root, "--target", "git", "--dest", str(remote)) == 0
    assert git(remote, "log", "-1", "--format=%an <%ae>", "gh-pages").strip() == "محرر الموجز <editor@example.org>"


def test_git_defaults_to_the_projects_origin(tmp_path: Path, monkeypatch) -> None:
    root = make_project(tmp_path)
    remote = bare(tmp_path / "remote.git")
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(root)], check=True)
    # A relative origin, as `git remote add origin ../remote.git` leaves it; run from elsewhere.
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin", "../remote.git"], check=True)
    (tmp_path / "elsewhere" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "elsewhere" / "deep")
    assert deploy(root) == 0
    assert git(remote, "rev-parse", "--verify", "-q", "gh-pages").strip()
    # The project's own repository got no commit, branch or index.
    assert subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
                          capture_output=True).returncode != 0
    assert git(root / ".git", "for-each-ref").strip() == ""
    assert not (root / ".git" / "index").exists()


def test_git_without_a_remote_is_a_clear_error(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    assert deploy(root, "--target", "git") == 1
    assert "needs a remote" in capsys.readouterr().err


def test_git_unreachable_remote_is_a_clear_error(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    assert deploy(root, "--target", "git", "--dest", str(tmp_path / "no-such.git")) == 1
    assert "deploy: git ls-remote failed" in capsys.readouterr().err


def test_git_push_rejected_when_the_branch_moved(tmp_path: Path, capsys, monkeypatch) -> None:
    """Another deploy landing between our read and our push is reported, never overwritten."""
    import sitegen.deploy as deploy_module

    root = make_project(tmp_path)
    remote = bare(tmp_path / "remote.git")
    assert deploy(root, "--target", "git", "--dest", str(remote)) == 0
    (root / "public/index.html").write_text("<p>تغيير</p>\n", encoding="utf-8")
    other = make_project(tmp_path / "other")
    (other / "public/feed.xml").write_text("<feed>آخر</feed>\n", encoding="utf-8")
    real_tip = deploy_module._remote_tip

    def tip_then_race(remote_url: str, ref: str, env: dict[str, str]) -> str | None:
        found = real_tip(remote_url, ref, env)
        monkeypatch.setattr(deploy_module, "_remote_tip", real_tip)
        assert deploy(other, "--target", "git", "--dest", str(remote)) == 0
        return found

    monkeypatch.setattr(deploy_module, "_remote_tip", tip_then_race)
    moved = git(remote, "rev-parse", "gh-pages")
    capsys.readouterr()
    assert deploy(root, "--target", "git", "--dest", str(remote)) == 1
    assert "branch moved" in capsys.readouterr().err
    assert git(remote, "rev-parse", "gh-pages") != moved  # the other deploy's commit stays
    assert "آخر" in git(remote, "show", "gh-pages:feed.xml")


# --- hostile values ---------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["--dest", "config", "--dest --dry-run", "config --dry-run"])
def test_git_remote_that_is_an_option_is_refused_and_runs_nothing(tmp_path: Path, capsys, where: str) -> None:
    """A remote such as `--upload-pack=CMD` would make git run CMD: refused before any git call."""
    proof = tmp_path / "ran"
    hostile = f"--upload-pack=touch {proof}"
    root = make_project(tmp_path, f'deploy_dest = "{hostile}"\n' if where.startswith("config") else "")
    args = ["--target", "git"] + (["--dest", hostile] if where.startswith("--dest") else [])
    args += ["--dry-run"] if where.endswith("--dry-run") else []
    assert deploy(root, *args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {hostile!r}: deploy: a git remote cannot start with '-'"]
    assert not proof.exists()
    assert not (root / ".sitegen-cache").exists()  # not even the deploy repository was made


def test_git_push_refused_by_a_server_hook_reports_the_hooks_message(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path)
    remote = bare(tmp_path / "remote.git")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'النشر موقوف: deploys are frozen until Monday' >&2\nexit 1\n",
                    encoding="utf-8")
    hook.chmod(0o755)
    assert deploy(root, "--target", "git", "--dest", str(remote)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "النشر موقوف: deploys are frozen until Monday" in err[0]
    assert "branch moved" not in err[0] and "deploy again" not in err[0]
    assert git(remote, "for-each-ref") == ""  # nothing was published


# --- the real site ----------------------------------------------------------------------------
def test_seeds_site_deploys_and_a_rebuild_changes_nothing(seeds_site: Path, tmp_path: Path, capsys) -> None:
    """Build, deploy to both targets, build again from the same content: nothing to deploy."""
    import shutil

    root = shutil.copytree(seeds_site, tmp_path / "site")
    remote = bare(tmp_path / "remote.git")
    www = tmp_path / "www"
    # The build's marker (.sitegen-build) says public/ is sitegen's; it is not deployed.
    pages = sorted(p.relative_to(root / "public").as_posix() for p in (root / "public").rglob("*")
                   if p.is_file() and p.name != ".sitegen-build")
    assert (root / "public" / ".sitegen-build").is_file()
    assert any(p.startswith("articles/") and not p.isascii() for p in pages)
    assert deploy(root, "--target", "git", "--dest", str(remote)) == 0
    assert deploy(root, "--target", "dir", "--dest", str(www)) == 0
    tree = git(remote, "-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", "gh-pages").split("\n")
    assert sorted(filter(None, tree)) == sorted([*pages, ".nojekyll"])
    assert sorted(p.relative_to(www).as_posix() for p in www.rglob("*") if p.is_file()) == \
        sorted([*pages, ".sitegen-deploy"])
    tip, files = git(remote, "rev-parse", "gh-pages"), snapshot(www)

    assert main(["build", "-q", "-C", str(root / "config.toml")]) == 0
    capsys.readouterr()
    assert deploy(root, "--target", "git", "--dest", str(remote)) == 0
    assert deploy(root, "--target", "dir", "--dest", str(www)) == 0
    assert capsys.readouterr().out.count("already up to date") == 2
    assert git(remote, "rev-parse", "gh-pages") == tip and snapshot(www) == files
