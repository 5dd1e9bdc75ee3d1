"""Dev-server benchmark: save → browser reloaded, on a generated 1,000-article digest.

    python bench/serve_latency.py --articles 1000 --runs 7     # what `make bench-serve` runs

Starts `sitegen serve` as its own process (as an editor would), opens an article in headless
Chromium, then, run after run, appends a sentence to that article's Markdown and measures
from just before the write to the reloaded page's load event (the browser's clock and ours
are the same machine clock). Reports the median, the server's own rebuild times and the
server process's CPU time from the save to the reload (steadier than wall time on a shared
machine). With search on, each run then also measures from the save until the sentence's
made-up word is found from the search page (a second tab loading `search/?q=<word>` again and
again until a result shows; so within one search's time). Works in /dev/shm. A benchmark, not a test: it
asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from corpus import generate  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# The reloaded page's load event, as milliseconds since the epoch.
_LOADED_AT = ("(() => { const n = performance.getEntriesByType('navigation')[0];"
              " return performance.timeOrigin + n.loadEventStart; })()")


def start_server(site: Path) -> tuple[subprocess.Popen[str], str, list[str], list[float], threading.Thread]:
    """`sitegen serve --port 0` in a child process; returns it, its URL, its log lines (still
    growing), when each of them came (epoch seconds) and the thread reading them."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--port", "0", "-C", str(site / "config.toml")],
        stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    lines: list[str] = []
    stamps: list[float] = []
    for line in proc.stderr:
        lines.append(line.rstrip("\n"))
        stamps.append(time.time())
        found = re.match(r"serving (http://\S+)", line)
        if found:
            break
    else:
        raise SystemExit("the server did not start:\n" + "\n".join(lines))
    # Keep draining stderr so the server never blocks on a full pipe.
    def read() -> None:
        for line in proc.stderr:  # type: ignore[union-attr]
            stamps.append(time.time())
            lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return proc, found.group(1), lines, stamps, reader


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far (Linux: /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _made_up_word(run: int) -> str:
    """A word no article holds, and no other run's word matches (Pagefind matches prefixes,
    and stems Arabic words: their affix letters are left out): the run's number spelled in
    letters no affix has, between fixed ones."""
    letters = "ثجحخدذرزشص"
    a, b, c = (letters[int(d)] for d in f"{run:03d}")
    return f"ظ{a}غ{b}ض{c}ط"


def _until_found(page, url: str, word: str, since_ms: float, timeout: float = 300.0) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Load the search page for `word` again and again until it shows a result: seconds
    from `since_ms` (epoch milliseconds) to that result, and how many searches it took."""
    from playwright.sync_api import Error as PlaywrightError

    tries = 0
    while True:
        tries += 1
        try:
            page.goto(url + "search/?q=" + quote(word))
            page.wait_for_function("['done', 'error'].includes(document.querySelector('#search').dataset.state)",
                                   timeout=60_000)
        except PlaywrightError as e:
            # The server published the new index meanwhile: a page running a search reloads
            # then (sitegen.serve.reload), which aborts this navigation. Search again.
            if "ERR_ABORTED" not in str(e) and "navigat" not in str(e).lower():
                raise
            continue
        if page.locator(".search-result").count():
            return time.time() - since_ms / 1000, tries
        if time.time() - since_ms / 1000 > timeout:
            raise SystemExit(f"{word}: not findable {timeout:.0f} s after the save")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/sitegen-bench-serve"))
    parser.add_argument("--no-search", action="store_true",
                        help="config `search = false`: the server's first build skips Pagefind (minutes "
                             "on 10,000 articles); saves do not wait for it either way")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    if args.work.exists():
        shutil.rmtree(args.work)
    site = args.work / "site"
    files = generate(site, args.articles)
    if args.no_search:
        with (site / "config.toml").open("a", encoding="utf-8") as f:
            f.write("search = false\n")
    article = files[len(files) // 2]
    slug = re.search(r"^slug: (.+)$", article.read_text(encoding="utf-8"), re.M)
    assert slug
    start = time.perf_counter()
    proc, url, log_lines, stamps, reader = start_server(site)
    print(f"{args.articles:,} articles; server up (first build) in {time.perf_counter() - start:.2f} s at {url}")
    latencies: list[float] = []
    cpu: list[float] = []
    findable: list[float] = []
    searches: list[int] = []
    published: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url + quote(f"articles/{slug.group(1).strip()}/"))
            page.wait_for_load_state("load")
            finder = browser.new_page() if not args.no_search else None
            text = article.read_text(encoding="utf-8")
            for run in range(args.runs + 1):  # run 0 warms up (caches, first reload)
                word = _made_up_word(run)
                marker = f"جملة القياس رقم {run} {word}."
                text += f"\n{marker}\n"
                before = time.time() * 1000
                used = cpu_seconds(proc.pid)
                article.write_text(text, encoding="utf-8")
                page.wait_for_function(f"document.body.innerText.includes({marker!r})"
                                       " && document.readyState === 'complete'", timeout=60_000)
                used = cpu_seconds(proc.pid) - used
                seconds = (page.evaluate(_LOADED_AT) - before) / 1000
                if run:
                    latencies.append(seconds)
                    cpu.append(used)
                found = ""
                if finder is not None:
                    after, tries = _until_found(finder, url, word, before)
                    if run:
                        findable.append(after)
                        searches.append(tries)
                        # When the server said the new index was out (its first such line
                        # since the save).
                        out = [t for t, l in zip(list(stamps), list(log_lines))
                               if t * 1000 >= before and "search index published" in l]
                        if out:
                            published.append(out[0] - before / 1000)
                    found = f"; findable in search after {after:.2f} s ({tries} searches)"
                print(f"  run {run}{' (warm-up)' if not run else ''}: reloaded after {seconds:.3f} s "
                      f"(server CPU {used:.2f} s){found}")
                time.sleep(0.5)
            browser.close()
    finally:
        proc.terminate()  # as Ctrl-C; SIGINT is ignored when this runs in the background
        proc.wait(timeout=60)
        reader.join(timeout=10)
    # One "changed → … in X s" line per save, in order; the first is the warm-up's.
    rebuilds = [float(m.group(1)) for l in log_lines if (m := re.search(r"changed → .* in ([\d.]+) s", l))][1:]
    print(f"save → browser reloaded: median {statistics.median(latencies):.3f} s "
          f"(min {min(latencies):.3f}, max {max(latencies):.3f}, {len(latencies)} runs)")
    print(f"  the server's CPU time from the save to the reload (its rebuild, the cache's save, serving "
          f"the page; the measure to compare on a busy machine): median {statistics.median(cpu):.2f} s "
          f"(min {min(cpu):.2f}, max {max(cpu):.2f})")
    if findable:
        print(f"save → new text findable in search: median {statistics.median(findable):.2f} s "
              f"(min {min(findable):.2f}, max {max(findable):.2f}; each within one search of "
              f"{statistics.median(searches)} made, median)")
    remade = [float(m.group(1)) for l in log_lines if (m := re.search(r"search index remade in ([\d.]+) s", l))][1:]
    if findable and remade and len(published) == len(findable):
        print(f"  of which: the shard's re-index (the server's deferred job) median {statistics.median(remade):.2f} s; "
              f"save → the new index published median {statistics.median(published):.2f} s; published → found "
              f"(the search page's own searches) median "
              f"{statistics.median(f - p for f, p in zip(findable, published)):.2f} s")
    if len(rebuilds) == len(latencies):
        around = [total - build for total, build in zip(latencies, rebuilds)]
        print(f"  the rebuild, until its pages are published: median {statistics.median(rebuilds):.3f} s; everything "
              f"else (event, debounce, SSE, reload, page load): median {statistics.median(around):.3f} s")
    else:
        print(f"  (saw {len(rebuilds)} rebuild lines for {len(latencies)} saves: a save was split or merged)")
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
