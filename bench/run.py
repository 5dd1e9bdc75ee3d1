"""The build benchmark: cold build, no-op rebuild, one-article edit, one-template edit, peak
memory and time per stage, for generated digests of N articles, with search on (the
default configuration) and off. Medians of several runs.

    python bench/run.py --sizes 1000,10000 --runs 5      # what `make bench` runs
    python bench/run.py --sizes 1000 --runs 3 --against /work/main --search on

With `hugo` installed (`apt-get install hugo`), each run also builds the same corpus cold
with Hugo (bench/hugo_site.py's site and theme), followed, with search on, by Pagefind's
own command line over Hugo's output (what a Hugo user does for search): the peer, measured
in the same runs, alternating with sitegen's builds. Without `hugo`, one line says so.

Every build runs as its own process (`python -m sitegen build`), as a user would run it, so the
figures include interpreter start-up and imports. Work happens in /dev/shm (tmpfs): these
machines' disks slow down under repeated mass file creation, which would measure the disk.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from corpus import VOCABULARY, generate  # noqa: E402
from hugo_site import make_site  # noqa: E402

# The child prints the BuildReport's stage timings as JSON on its last line.
_CHILD = """
import json, sys
from pathlib import Path
import sitegen
assert sitegen.__file__.startswith(sys.argv[2]), f"benchmarking {sitegen.__file__}, not {sys.argv[2]}"
from sitegen.config import load_config
from sitegen.build import build
report = build(load_config(Path(sys.argv[1])))
print(json.dumps({"pages": report.pages, "written": report.written,
                  "stages": report.stage_seconds, "seconds": report.seconds}), flush=True)
# End as this version's `sitegen` command ends (since cli.entry: without freeing every object).
import os, sitegen.cli
if hasattr(sitegen.cli, "entry"):
    os._exit(0)
"""


def _tree_rss_kib(pid: int) -> int:
    """Memory of a process and all its descendants (a process pool counts whole), as the
    sum of their proportional set sizes: pages a forked worker shares with its parent count
    once, split between them, not once per process as summed RSS would.

    A child between vfork and exec (how Python starts Pagefind) runs in its parent's address
    space, and /proc shows it that whole space: such a child (the parent's program, and its
    Rss and Pss at least nine tenths of the parent's, where a forked worker's shared pages
    split its Pss) is not counted again: counted, it would add the parent's whole size for a
    few milliseconds per Pagefind start (a 10,000-article build with search would seem to
    peak at 620–822 MiB instead of ~500)."""
    total, todo = 0, [(pid, None)]
    while todo:
        p, parent = todo.pop()
        try:
            # The program first: a child that execs between the two reads shows its own
            # memory, small, and is counted.
            exe = os.readlink(f"/proc/{p}/exe")
            with open(f"/proc/{p}/smaps_rollup") as f:
                sizes = {k: int(v.split()[0]) for k, _, v in (line.partition(":") for line in f)
                         if k in ("Rss", "Pss")}
            sizes["exe"] = exe
            if not (parent and sizes["exe"] == parent["exe"]
                    and all(sizes.get(k, 0) >= 0.9 * parent.get(k, 0) for k in ("Rss", "Pss"))):
                total += sizes.get("Pss", 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend((int(c), sizes) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


CODE = ROOT
"""Where the children import sitegen from: `main` points it at a snapshot of the package."""
CHECKOUT = ROOT
"""The checkout under measurement (`--code`): its package is snapshot, its themes used."""
AGAINST = ROOT
"""The checkout to compare with (`--against`), measured alternately in the same runs."""


def snapshot_code(workdir: Path, source: Path = ROOT) -> Path:
    """A copy of the sitegen package (of `source`, a checkout) to benchmark: the build
    cache's key covers sitegen's own source files, so an edit to the checkout during a run
    (someone else's) would turn a no-op rebuild into a cold one and measure that instead."""
    dest = workdir / "code"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source / "sitegen", dest / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    # Compiled now, as an installed package is (pip compiles at install; a checkout's first
    # run writes __pycache__): with PYTHONDONTWRITEBYTECODE set, as on these machines, every
    # build would otherwise compile sitegen's modules again (~40 ms).
    compileall.compile_dir(dest, quiet=1)
    return dest


def run_build(site: Path, profile: Path | None = None, memory: bool = False,
              code: Path | None = None) -> dict:
    """One `sitegen build` in a child process: wall and CPU seconds, stage timings, and with
    `memory`, the peak memory of its process tree. With `profile`, the child runs under
    pyinstrument and its text report goes there.

    Memory is sampled only when asked, in a run whose time is not reported: reading
    /proc/<pid>/smaps_rollup every 10 ms walks the page tables of the build and its workers
    under their memory lock, and slowed a 10,000-article cold build by a quarter."""
    code = code or CODE
    # "Now" for the build (sitegen.schedule): after the corpus's last date (2026-11), so that
    # every article is published, as on the day a newsroom builds.
    env = {**os.environ, "PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": "1800000000"}
    wrap = ["-m", "pyinstrument", "-r", "text", "-o", str(profile), "-c"] if profile else ["-c"]
    # -P and a working directory outside the checkout: `python -c` would otherwise put the
    # current directory first on sys.path, and the checkout's sitegen/ (run from it, as
    # `make bench` does) would shadow the snapshot on PYTHONPATH.
    figures, out = _measure([sys.executable, "-P", *wrap, _CHILD, str(site / "config.toml"), str(code)],
                            site, env, memory)
    return {**figures, **json.loads(out.strip().splitlines()[-1])}


def _measure(command: list[str], cwd: Path, env: dict[str, str], memory: bool) -> tuple[dict, str]:
    """Run `command` to its end: its wall and CPU seconds and, with `memory`, the peak PSS
    of its process tree (MiB; else None), and its standard output. SystemExit if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=cwd)
    peak = 0
    # Reap the child ourselves (os.wait4) for its CPU time: user + system seconds of the
    # build and of every worker it waited for. On a shared machine, wall time grows with
    # other people's load; CPU time much less so. (The child's output is small: the pipes
    # cannot fill while it runs.)
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG if memory else 0)
        if pid:
            break
        peak = max(peak, _tree_rss_kib(proc.pid))
        time.sleep(0.01)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{command[0]} failed in {cwd}:\n{err}")
    return {"wall": wall, "cpu": rusage.ru_utime + rusage.ru_stime,
            "peak_mib": peak / 1024 if memory else None}, out


def run_peer(site: Path, search: bool, memory: bool = False) -> dict:
    """A cold build of the Hugo site `site` (bench/hugo_site.py), with `search` followed by
    Pagefind's command line over Hugo's output (the binary sitegen runs): wall and CPU
    seconds of both, and with `memory` the peak PSS of either (they run one after the other)."""
    for leftover in ("public", "resources", "hugo-cache"):
        shutil.rmtree(site / leftover, ignore_errors=True)
    hugo, _ = _measure(["hugo", "--quiet", "--buildFuture", "--cacheDir", str(site / "hugo-cache")],
                       site, dict(os.environ), memory)
    if not search:
        return {**hugo, "hugo": hugo["wall"]}
    from sitegen.search import pagefind_binary

    pagefind, _ = _measure([str(pagefind_binary()), "--site", "public", "--force-language", "ar", "--silent"],
                           site, dict(os.environ), memory)
    return {"wall": hugo["wall"] + pagefind["wall"], "cpu": hugo["cpu"] + pagefind["cpu"],
            "peak_mib": max(hugo["peak_mib"], pagefind["peak_mib"]) if memory else None,
            "hugo": hugo["wall"], "pagefind": pagefind["wall"]}


def _edit_article(site: Path, run: int) -> None:
    path = site / "content" / "article-00001.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nفقرة أضيفت في التعديل رقم {run}.\n", encoding="utf-8")


def _edit_template(site: Path, run: int) -> None:
    path = site / "themes" / "digest" / "templates" / "article.html"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{{# edit {run} #}}\n", encoding="utf-8")


KINDS = ("cold", "noop", "article", "template")


def _remove_build(site: Path) -> None:
    """Remove what a build of `site` leaves (the site, its spare tree, its cache), so that
    the next build is cold."""
    for leftover in ("public", ".public.spare", ".sitegen-cache"):
        shutil.rmtree(site / leftover, ignore_errors=True)


def bench_size(n: int, runs: int, workdir: Path, profile: Path | None = None,
               search: bool = True, against: Path | None = None, vocabulary: str = "seeds",
               peer: bool = False, peer_runs: int | None = None) -> dict[str, list[dict]]:
    """All scenarios for one corpus size, `runs` times each (the first run profiled, into
    `profile`/N-scenario.txt, when given), with config `search` as given. With `against`
    (another package snapshot, see `main`), each run measures it too, on its own copy of the
    corpus, the two alternating (which goes first alternates too): its results come back
    under "before-<kind>". With `peer`, each run also builds the corpus cold with Hugo
    (and Pagefind's command line after it when `search`), before sitegen's builds on even
    runs and after them on odd ones: under "peer-cold" and "peer-memory". With `peer_runs`,
    only the first `peer_runs` runs build the peer, and its memory is sampled in the last of
    them (whose time is then that of a sampled build) instead of in one more build."""
    peer_runs = runs if peer_runs is None else min(peer_runs, runs)
    site = workdir / f"digest-{n}"
    if site.exists():
        shutil.rmtree(site)
    generate(site, n, vocabulary=vocabulary)
    if not search:
        with (site / "config.toml").open("a", encoding="utf-8") as f:
            f.write("search = false\n")
    # The themes of the checkout under measurement: templates and code go together.
    variants = [("", site, CODE, CHECKOUT)]
    if against is not None:
        old_site = workdir / f"digest-{n}-before"
        shutil.rmtree(old_site, ignore_errors=True)
        shutil.copytree(site, old_site)
        variants.append(("before-", old_site, against, AGAINST))
    for _prefix, folder, _code, checkout in variants:
        shutil.rmtree(folder / "themes")
        shutil.copytree(checkout / "themes", folder / "themes")
    # Files modified less than 2 s before a build are "racy" for its cache (hashed, and read
    # again by the next build): wait that out, as an editor's files would be.
    time.sleep(2.1)
    results: dict[str, list[dict]] = {prefix + k: [] for prefix, *_ in variants for k in KINDS}
    hugo_site = make_site(site, workdir / f"hugo-{n}") if peer else None

    def one_peer(run: int) -> None:
        assert hugo_site is not None
        if run >= peer_runs:
            return
        sampled = peer_runs < runs and run == peer_runs - 1
        results.setdefault("peer-cold", []).append(run_peer(hugo_site, search, memory=sampled))
        if sampled:
            results["peer-memory"] = results["peer-cold"][-1:]
        print(f"  N={n:,} run {run + 1}/{runs}: Hugo{'+Pagefind' if search else ''} cold "
              f"{results['peer-cold'][-1]['wall']:.2f} s", file=sys.stderr)

    for run in range(runs):
        if peer and run % 2 == 0:
            one_peer(run)
        for prefix, folder, code, _checkout in (variants if run % 2 == 0 else variants[::-1]):
            def one(kind: str) -> None:
                out = (profile / f"{n}-{'search' if search else 'nosearch'}-{prefix}{kind}.txt"
                       if profile and run == 0 else None)
                results[prefix + kind].append(run_build(folder, out, code=code))

            _remove_build(folder)
            one("cold")
            one("noop")
            _edit_article(folder, run)
            one("article")
            _edit_template(folder, run)
            one("template")
            print(f"  N={n:,} search {'on' if search else 'off'} run {run + 1}/{runs}"
                  f"{' (' + prefix.rstrip('-') + ')' if prefix else ''}: "
                  f"cold {results[prefix + 'cold'][-1]['wall']:.2f} s, "
                  f"no-op {results[prefix + 'noop'][-1]['wall']:.2f} s, "
                  f"article {results[prefix + 'article'][-1]['wall']:.2f} s, "
                  f"template {results[prefix + 'template'][-1]['wall']:.2f} s", file=sys.stderr)
        if peer and run % 2 == 1:
            one_peer(run)
    if hugo_site is not None and "peer-memory" not in results:
        results["peer-memory"] = [run_peer(hugo_site, search, memory=True)]
        print(f"  N={n:,} Hugo{'+Pagefind' if search else ''} cold build sampled for memory: "
              f"{results['peer-memory'][0]['peak_mib']:.0f} MiB", file=sys.stderr)
    for prefix, folder, code, _checkout in variants:
        _remove_build(folder)
        results[prefix + "memory"] = [run_build(folder, memory=True, code=code)]
        print(f"  N={n:,} cold build{' (' + prefix.rstrip('-') + ')' if prefix else ''} sampled for "
              f"memory: {results[prefix + 'memory'][0]['peak_mib']:.0f} MiB", file=sys.stderr)
    return results


def _median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def report(all_results: dict[int, dict[str, list[dict]]], runs: int, search: bool = True) -> str:
    """The README table (Markdown)."""
    lines = [
        f"Search {'on' if search else 'off'}. Medians of {runs} runs, wall-clock seconds of "
        "`sitegen build` (process start to exit); in brackets, CPU seconds (user + system, the "
        "build, its workers and Pagefind).",
        "",
        "| articles | pages | cold build | no-op rebuild | one article edited | one template edited | peak memory (cold, PSS) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, res in all_results.items():
        cells = [f"{_median(res[k], 'wall'):.2f} s ({_median(res[k], 'cpu'):.2f})"
                 for k in ("cold", "noop", "article", "template")]
        lines.append(f"| {n:,} | {res['cold'][0]['pages']:,} | " + " | ".join(cells)
                     + f" | {_median(res['memory'], 'peak_mib'):.0f} MiB |")
    peer = "Hugo + Pagefind's CLI" if search else "Hugo"
    if any("peer-cold" in res for res in all_results.values()):
        fewer = {n: len(res["peer-cold"]) for n, res in all_results.items()
                 if 0 < len(res.get("peer-cold", ())) < len(res["cold"])}
        note = "".join(f" At {n:,} articles the peer ran {k} time{'s' if k > 1 else ''}, sampled for memory "
                       "in the last." for n, k in fewer.items())
        lines += ["", f"Cold build against the peer, {peer} over the same corpus (bench/hugo_site.py), "
                  f"in the same runs, alternating; wall seconds (CPU seconds).{note}", "",
                  f"| articles | sitegen | {peer} | ratio, wall (CPU) | peak memory, sitegen / peer |",
                  "|---:|---:|---:|---:|---:|"]
        for n, res in all_results.items():
            if "peer-cold" not in res:
                continue
            ours, theirs = res["cold"], res["peer-cold"]
            lines.append(
                f"| {n:,} | {_median(ours, 'wall'):.2f} s ({_median(ours, 'cpu'):.2f}) "
                f"| {_median(theirs, 'wall'):.2f} s ({_median(theirs, 'cpu'):.2f}) "
                f"| {_median(ours, 'wall') / _median(theirs, 'wall'):.2f}× "
                f"({_median(ours, 'cpu') / _median(theirs, 'cpu'):.2f}×) "
                f"| {_median(res['memory'], 'peak_mib'):.0f} / {_median(res['peer-memory'], 'peak_mib'):.0f} MiB |")
    stages = sorted({s for res in all_results.values() for r in res["cold"] for s in r["stages"]},
                    key=lambda s: next(iter(all_results.values()))["cold"][0]["stages"].get(s, 0) * -1)
    lines += ["", "Time per stage inside `build()` (median seconds; the rest of the wall time is "
              "interpreter start-up and imports):", "",
              "| build | articles | " + " | ".join(stages) + " |", "|---|---:|" + "---:|" * len(stages)]
    for kind in ("cold", "noop", "article", "template"):
        for n, res in all_results.items():
            cells = [f"{statistics.median(r['stages'].get(s, 0.0) for r in res[kind]):.2f}" for s in stages]
            lines.append(f"| {kind} | {n:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bench_links(n: int, seed: int = 20261121) -> dict[str, float]:
    """Cross-reference resolution and related-by-tags ranking (the link stage) over `n`
    synthetic articles built in memory (no files): titles, 3–6 Zipf-distributed tags of
    ~200, read-also slugs and related headlines, as bench/corpus.py makes them."""
    import datetime
    import random

    from corpus import make_titles, seed_sentences, tag_vocabulary

    from sitegen.config import Config
    from sitegen.links import link_site
    from sitegen.load import sort_key
    from sitegen.model import Article, RelatedRef, Site

    rng = random.Random(seed)
    sentences = seed_sentences(ROOT / "seeds")
    tags = tag_vocabulary(sentences)
    weights = [1 / (rank + 1) for rank in range(len(tags))]
    titles = make_titles(rng, sentences, n)
    slugs = [f"article-{i + 1:06d}" for i in range(n)]
    first = datetime.date(2019, 1, 1).toordinal()
    articles = []
    for i in range(n):
        others = [j for j in rng.sample(range(n), 8) if j != i]
        related = [RelatedRef(titles[j], slugs[j] if rng.random() < 0.5 else None) for j in others[2:5]]
        articles.append(Article(
            path=f"content/{slugs[i]}.md", slug=slugs[i], title=titles[i], body="", body_line=1,
            date=datetime.date.fromordinal(first + rng.randrange(2800)),
            tags=tuple(dict.fromkeys(rng.choices(tags, weights=weights, k=rng.randint(3, 6)))),
            read_also=tuple(slugs[j] for j in others[:2]), related=tuple(related)))
    articles.sort(key=sort_key)
    site = Site(config=Config(root=ROOT), articles=tuple(articles), by_slug={a.slug: a for a in articles})
    start = time.perf_counter()
    links = link_site(site)
    return {"articles": n, "seconds": time.perf_counter() - start, "warnings": len(links.warnings)}


def main() -> None:
    parser = argparse.ArgumentParser(description="sitegen build benchmark (medians of several runs)")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/dev/shm/sitegen-bench"))
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="profile each scenario's first run with pyinstrument (pip install "
                             "pyinstrument), one text report per scenario in DIR")
    parser.add_argument("--search", choices=("both", "on", "off"), default="both",
                        help="config `search` in the corpus: on (the default configuration), off, or "
                             "both, each measured and reported (default: both)")
    parser.add_argument("--vocabulary", choices=VOCABULARY, default="seeds",
                        help="the corpus's words: the seeds' ~1,150 only, or a realistic vocabulary "
                             "(see bench/corpus.py)")
    parser.add_argument("--code", type=Path, default=ROOT, metavar="CHECKOUT",
                        help="benchmark the sitegen package of another checkout (e.g. a `git worktree` "
                             "of an older commit), with this harness and corpus: compare in one run")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="also measure another checkout's package and themes (e.g. a `git worktree` "
                             "of an older commit) in the same runs, alternating with this one: a before "
                             "and after that share the machine's moods (its figures: the `before` table)")
    parser.add_argument("--no-peer", action="store_true",
                        help="do not build the corpus with Hugo (+ Pagefind's CLI) as well")
    parser.add_argument("--peer-runs", type=int, metavar="N",
                        help="build the peer in the first N runs only (Hugo + Pagefind's CLI takes ~10 "
                             "minutes at 10,000 articles), its memory sampled in the last of them")
    parser.add_argument("--links", type=int, default=0, metavar="N",
                        help="also time the link stage alone on N in-memory articles (e.g. 100000)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    global CODE, CHECKOUT, AGAINST
    CHECKOUT = args.code
    CODE = snapshot_code(args.workdir, args.code)
    against = None
    if args.against is not None:
        AGAINST = args.against
        against = snapshot_code(args.workdir / "before", args.against)
    modes = {"both": (True, False), "on": (True,), "off": (False,)}[args.search]
    peer = not args.no_peer and shutil.which("hugo") is not None
    if not args.no_peer and not peer:
        print("peer: `hugo` is not installed (apt-get install hugo): Hugo (+ Pagefind) not measured",
              file=sys.stderr)
    every = {search: {n: bench_size(n, args.runs, args.workdir, args.profile, search, against, args.vocabulary,
                                    peer, args.peer_runs)
                      for n in sizes} for search in modes}
    if args.json:
        args.json.write_text(json.dumps({("search" if search else "nosearch") + f"-{k}": v
                                         for search, results in every.items() for k, v in results.items()},
                                        indent=1))
    for search, results in every.items():
        if not results:
            continue
        print(report(results, args.runs, search) + "\n")
        if against is not None:
            print("The same runs, " + str(args.against) + " (before):\n")
            print(report({n: {k.removeprefix("before-"): v for k, v in res.items() if k.startswith("before-")}
                          for n, res in results.items()}, args.runs, search) + "\n")
    if args.links:
        # The package under measurement, not the checkout's that bench/corpus.py imported.
        for name in [m for m in sys.modules if m == "sitegen" or m.startswith("sitegen.")]:
            del sys.modules[name]
        sys.path.insert(0, str(CODE))
        figure = bench_links(args.links)
        print(f"\nLink stage (cross-references + related-by-tags) on {figure['articles']:,} "
              f"in-memory articles: {figure['seconds']:.2f} s ({figure['warnings']:,} unresolved)")


if __name__ == "__main__":
    main()
