"""The build benchmark: cold build, no-op rebuild, one-article edit, one-template edit, peak
memory and time per stage, for generated digests of N articles. Medians of several runs.

    python bench/run.py --sizes 1000,10000 --runs 5      # what `make bench` runs

Every build runs as its own process (`python -m sitegen build`), as a user would run it, so the
figures include interpreter start-up and imports. Work happens in /dev/shm (tmpfs): these
machines' disks slow down under repeated mass file creation, which would measure the disk.
"""

from __future__ import annotations

import argparse
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

from corpus import generate  # noqa: E402

# The child prints the BuildReport's stage timings as JSON on its last line.
_CHILD = """
import json, sys
from pathlib import Path
from sitegen.config import load_config
from sitegen.build import build
report = build(load_config(Path(sys.argv[1])))
print(json.dumps({"pages": report.pages, "written": report.written,
                  "stages": report.stage_seconds, "seconds": report.seconds}))
"""


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (a process pool counts whole)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_build(site: Path) -> dict:
    """One `sitegen build` in a child process: wall seconds, peak tree RSS, stage timings."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1700000000"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(site / "config.toml")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kib(proc.pid))
        time.sleep(0.01)
    wall = time.perf_counter() - start
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"build failed in {site}:\n{err}")
    result = json.loads(out.strip().splitlines()[-1])
    return {"wall": wall, "peak_mib": peak / 1024, **result}


def _edit_article(site: Path, run: int) -> None:
    path = site / "content" / "article-00001.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nفقرة أضيفت في التعديل رقم {run}.\n", encoding="utf-8")


def _edit_template(site: Path, run: int) -> None:
    path = site / "themes" / "digest" / "templates" / "article.html"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{{# edit {run} #}}\n", encoding="utf-8")


def bench_size(n: int, runs: int, workdir: Path) -> dict[str, list[dict]]:
    """All scenarios for one corpus size, `runs` times each."""
    site = workdir / f"digest-{n}"
    if site.exists():
        shutil.rmtree(site)
    generate(site, n)
    results: dict[str, list[dict]] = {k: [] for k in ("cold", "noop", "article", "template")}
    for run in range(runs):
        for leftover in ("public", ".sitegen-cache"):
            shutil.rmtree(site / leftover, ignore_errors=True)
        results["cold"].append(run_build(site))
        results["noop"].append(run_build(site))
        _edit_article(site, run)
        results["article"].append(run_build(site))
        _edit_template(site, run)
        results["template"].append(run_build(site))
        print(f"  N={n:,} run {run + 1}/{runs}: cold {results['cold'][-1]['wall']:.2f} s, "
              f"no-op {results['noop'][-1]['wall']:.2f} s, article {results['article'][-1]['wall']:.2f} s, "
              f"template {results['template'][-1]['wall']:.2f} s", file=sys.stderr)
    return results


def _median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def report(all_results: dict[int, dict[str, list[dict]]], runs: int) -> str:
    """The README table (Markdown)."""
    lines = [
        f"Medians of {runs} runs, wall-clock seconds of `sitegen build` (process start to exit).",
        "",
        "| articles | pages | cold build | no-op rebuild | one article edited | one template edited | peak memory (cold) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, res in all_results.items():
        lines.append(
            f"| {n:,} | {res['cold'][0]['pages']:,} | {_median(res['cold'], 'wall'):.2f} s "
            f"| {_median(res['noop'], 'wall'):.2f} s | {_median(res['article'], 'wall'):.2f} s "
            f"| {_median(res['template'], 'wall'):.2f} s | {_median(res['cold'], 'peak_mib'):.0f} MiB |"
        )
    stages = sorted({s for res in all_results.values() for r in res["cold"] for s in r["stages"]},
                    key=lambda s: next(iter(all_results.values()))["cold"][0]["stages"].get(s, 0) * -1)
    lines += ["", "Time per stage of the cold build (median seconds):", "",
              "| articles | " + " | ".join(stages) + " |", "|---:|" + "---:|" * len(stages)]
    for n, res in all_results.items():
        cells = [f"{statistics.median(r['stages'].get(s, 0.0) for r in res['cold']):.2f}" for s in stages]
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="sitegen build benchmark (medians of several runs)")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/dev/shm/sitegen-bench"))
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = {n: bench_size(n, args.runs, args.workdir) for n in sizes}
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in results.items()}, indent=1))
    print(report(results, args.runs))


if __name__ == "__main__":
    main()
