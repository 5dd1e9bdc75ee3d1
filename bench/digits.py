"""The render stage's per-page text passes with `numerals = "arab"`: `localize_digits_html`
over each page a build renders (article pages and the others apart) and the standfirst rule
(`render._opens_body`) over each article, in microseconds per page, medians of several runs.
Not a test.

A generated digest (`bench/corpus.py`, in /dev/shm) is built once per checkout with the two
functions recording their arguments; each checkout's functions are then timed on what its
build recorded, in child processes that alternate between checkouts run after run (the
way to compare two versions on a shared machine).

    python bench/digits.py --articles 1000 --runs 5 --against /work/main
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from corpus import generate  # noqa: E402
from run import snapshot_code  # noqa: E402

# The child builds the site (first run only) with the two functions recording their
# arguments, then times them on those arguments and prints medians as JSON.
_CHILD = """
import json, pickle, statistics, sys, time
from pathlib import Path
import sitegen
assert sitegen.__file__.startswith(sys.argv[2]), f"benchmarking {sitegen.__file__}, not {sys.argv[2]}"
from sitegen import render
from sitegen.i18n import localize_digits_html
site, recorded, repeats = Path(sys.argv[1]), Path(sys.argv[3]), int(sys.argv[4])
if not recorded.exists():
    from sitegen.build import build
    from sitegen.config import load_config
    pages, openings = [], []
    render.localize_digits_html = lambda html, numerals: pages.append(html) or localize_digits_html(html, numerals)
    opens_body = render._opens_body
    render._opens_body = lambda summary, body: openings.append((summary, body)) or opens_body(summary, body)
    build(load_config(site / "config.toml"))
    render.localize_digits_html, render._opens_body = localize_digits_html, opens_body
    recorded.write_bytes(pickle.dumps((pages, openings)))
pages, openings = pickle.loads(recorded.read_bytes())
articles = [p for p in pages if '<meta property="og:type" content="article">' in p]
others = [p for p in pages if '<meta property="og:type" content="article">' not in p]

def per_item(fn, items):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for item in items:
            fn(*item)
        times.append((time.perf_counter() - start) / max(1, len(items)) * 1e6)
    return statistics.median(times)

print(json.dumps({
    "article pages": per_item(localize_digits_html, [(p, "arab") for p in articles]),
    "other pages": per_item(localize_digits_html, [(p, "arab") for p in others]),
    "standfirst rule": per_item(render._opens_body, openings),
    "counts": [len(articles), len(others), len(openings)],
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="child processes per checkout")
    parser.add_argument("--repeats", type=int, default=5, help="timings per child (its median is kept)")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT", help="another checkout, alternated")
    parser.add_argument("--workdir", type=Path, default=Path("/dev/shm/sitegen-bench-digits"))
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    checkouts = {"this": ROOT, **({"against": args.against} if args.against else {})}
    variants = {}
    for name, checkout in checkouts.items():
        site = args.workdir / name / "site"
        generate(site, args.articles)  # the same corpus for each: fixed seed
        with (site / "config.toml").open("a", encoding="utf-8") as f:
            f.write('numerals = "arab"\nsearch = false\n')
        variants[name] = (site, snapshot_code(args.workdir / name, checkout), args.workdir / name / "recorded.pickle")
    results: dict[str, list[dict]] = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, (site, code, recorded) in variants.items():
            out = subprocess.run([sys.executable, "-P", "-c", _CHILD, str(site), str(code), str(recorded),
                                  str(args.repeats)], cwd=code, check=True, capture_output=True, text=True,
                                 env={"SOURCE_DATE_EPOCH": "1800000000", "PYTHONPATH": str(code),
                                      "PATH": "/usr/bin:/bin"})
            results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for name, runs in results.items():
        counts = runs[0]["counts"]
        print(f"{checkouts[name]}: {counts[0]} article pages, {counts[1]} other pages, {counts[2]} articles")
        for key in ("article pages", "other pages", "standfirst rule"):
            print(f"  {key}: {statistics.median(r[key] for r in runs):.1f} µs each (median of {len(runs)})")


if __name__ == "__main__":
    main()
