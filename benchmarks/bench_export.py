"""How fast, how big and how hungry is an export of a whole blog?

    python benchmarks/bench_export.py                 # 100,000 terms, growth at 25k/50k/100k
    python benchmarks/bench_export.py --terms 20000 --sizes 5000,10000,20000 --rounds 1

It writes a synthetic blog (benchmarks/corpus.py, fixed --seed) and, in one run,
alternating the commands round after round (medians are reported):

  genanki      genanki alone writing the same notes: Note(model=our note type,
               fields=, guid=, tags=) and Package.write_to_file; timed inside its
               process from the first Note to the written file (no start-up, no
               reading), so it is the strictest baseline
  export       `python -m ankidigest POSTS -o out.apkg -q` in a fresh process with
               an empty cache and no prior package: wall time of the whole process
  no cache     the same with --no-cache: every post parsed, nothing cached
  prior        the same command again: the prior package and the cache are there
  no enrich    `export` with --no-enrich (and its own empty cache); "prior no enr."
               is it again: the enrichment's cost on a first export and a re-export
  one changed  one post edited (a word added to a sentence), then the same command
  shared       the same, on the blog with one article (its URL) in two posts: a
               re-export with one post edited, the prior package and cache warm
  english      `export` (and "english no enr." with --no-enrich) of a blog of the same
               shape written in English words (corpus.py words="english"), at the main
               size only: the made-up words of the others are a miss for the dictionary,
               these are all looked up and their senses ranked, as a learner's blog is

Peak RSS is the largest single process (the parent or a parsing worker, from
wait4) and, sampled every 20 ms from /proc, all of them together. The corpus and
genanki's inputs are made in a child process, so that this process stays small:
Linux passes a parent's peak RSS on to the children it starts.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import corpus

HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Run:
    seconds: float
    rss_max: int  # bytes, the largest process
    rss_sum: int  # bytes, all processes of the run together (sampled)
    cpu: float = 0.0  # user + system seconds of the process and its workers


def _tree_rss(pid: int) -> int:
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def run(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to the end; its wall time and peak memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode()}{out.decode()}")
    rss_max = usage.ru_maxrss * 1024
    return Run(seconds, rss_max, max(peak, rss_max), usage.ru_utime + usage.ru_stime)


def genanki_child(notes_file: str, out: str) -> None:
    """In a child process: time genanki writing the notes in ``notes_file``."""
    import genanki

    from ankidigest.notes.notetype import genanki_model
    from ankidigest.write.apkg import deck_id

    with open(notes_file, "rb") as fh:
        rows = pickle.load(fh)
    start = time.perf_counter()
    cpu = time.process_time()
    model = genanki_model()
    decks: dict[str, genanki.Deck] = {}
    for fields, guid, tags, deck in rows:
        if deck not in decks:
            decks[deck] = genanki.Deck(deck_id(deck), deck)
        decks[deck].add_note(genanki.Note(model=model, fields=fields, guid=guid, tags=tags))
    genanki.Package(list(decks.values())).write_to_file(out)
    print(time.perf_counter() - start, time.process_time() - cpu)


def prepare_notes(posts: str, notes_file: str) -> None:
    """The notes ankidigest makes from ``posts``, as genanki's inputs."""
    from ankidigest import build_notes, read_posts

    notes = build_notes(read_posts([posts]))
    rows = [(list(n.fields), n.guid, list(n.tags), n.deck) for n in notes]
    with open(notes_file, "wb") as fh:
        pickle.dump(rows, fh, protocol=pickle.HIGHEST_PROTOCOL)


def prepare_child(posts: str, terms: str, seed: str, notes_file: str) -> None:
    """In a child process: write the corpus and genanki's inputs; pickle the corpus info.

    A child, because Linux hands a process's peak RSS on to the children it starts
    (ru_maxrss survives fork and exec): a benchmark process that had built 100,000
    notes itself would make every command it times look that big.
    """
    info = corpus.generate(posts, int(terms), int(seed))
    prepare_notes(posts, notes_file)
    with open(notes_file + ".info", "wb") as fh:
        pickle.dump(info, fh)


class Bench:
    def __init__(self, work: str, terms: int, seed: int, english: bool = False) -> None:
        self.work = work
        self.english: str | None = None
        if english:
            self.english = os.path.join(work, f"english-{terms}")
            cmd = [sys.executable, __file__, "--english-child", self.english, str(terms)]
            subprocess.run([*cmd, str(seed)], check=True)
        self.posts = os.path.join(work, f"posts-{terms}")
        self.notes_file = os.path.join(work, f"notes-{terms}.pickle")
        cmd = [sys.executable, __file__, "--prepare-child", self.posts, str(terms), str(seed)]
        subprocess.run([*cmd, self.notes_file], check=True)
        with open(self.notes_file + ".info", "rb") as fh:
            self.info: corpus.Corpus = pickle.load(fh)
        self.out = os.path.join(work, f"out-{terms}.apkg")
        self.genanki_out = os.path.join(work, f"genanki-{terms}.apkg")
        self.edits = 0

    def genanki(self) -> Run:
        cmd = [sys.executable, __file__, "--genanki-child", self.notes_file, self.genanki_out]
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
        wall, cpu = (float(x) for x in proc.stdout.split())
        return Run(wall, 0, 0, cpu)

    def export(self, cache: str | None, *extra: str) -> Run:
        env = dict(os.environ)
        if cache is not None:
            env["ANKIDIGEST_CACHE_DIR"] = cache
        cmd = [sys.executable, "-m", "ankidigest", self.posts, "-o", self.out, "-q", *extra]
        return run(cmd, env)

    def shared(self, cache: str) -> Run:
        """One changed post, when two other posts share an article URL (their occurrence
        numbers run on from one into the other): the posts are restored afterwards."""
        files = self.info.files
        pair = [files[0], files[1]]
        saved = []
        article = (
            "\n#### [2024-01-01 Shared story](https://example.com/shared/story)\n\n"
            "Both posts quote the **shared** story here.\n"
        )
        for path in pair:
            with open(path, encoding="utf-8") as fh:
                saved.append((fh.read(), os.stat(path).st_mtime))
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(article)
        self.export(cache)  # the prior package now holds the shared article
        self.edits += 1
        corpus.edit_one(files[2 + (self.edits * 7919) % (len(files) - 2)], int(time.time()))
        result = self.export(cache)
        for path, (text, mtime) in zip(pair, saved, strict=True):
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.utime(path, (mtime, mtime))
        self.export(cache)
        return result

    def round(self) -> dict[str, Run]:
        results = {"genanki": self.genanki()}
        cache = tempfile.mkdtemp(prefix="cache-", dir=self.work)
        if os.path.exists(self.out):
            os.unlink(self.out)
        results["export"] = self.export(cache)
        results["prior"] = self.export(cache)
        os.unlink(self.out)
        off = tempfile.mkdtemp(prefix="cache-", dir=self.work)
        results["no enrich"] = self.export(off, "--no-enrich")
        results["prior no enr."] = self.export(off, "--no-enrich")
        shutil.rmtree(off)
        os.unlink(self.out)
        self.export(cache)  # the enriched package again, for the commands below
        os.unlink(self.out)
        results["no cache"] = self.export(None, "--no-cache")
        self.export(cache)  # the prior package and a warm cache again
        self.edits += 1
        files = self.info.files
        corpus.edit_one(files[(self.edits * 7919) % len(files)], int(time.time()))
        results["one changed"] = self.export(cache)
        results["shared"] = self.shared(cache)
        shutil.rmtree(cache)
        if self.english is not None:
            out = os.path.join(self.work, "english.apkg")
            for name, extra in (("english", ()), ("english no enr.", ("--no-enrich",))):
                cache = tempfile.mkdtemp(prefix="cache-", dir=self.work)
                env = dict(os.environ, ANKIDIGEST_CACHE_DIR=cache)
                cmd = [sys.executable, "-m", "ankidigest", self.english, "-o", out, "-q"]
                results[name] = run([*cmd, *extra], env)
                shutil.rmtree(cache)
                os.unlink(out)
        return results


def median_runs(rounds: list[dict[str, Run]]) -> dict[str, Run]:
    out = {}
    for name in rounds[0]:
        runs = [r[name] for r in rounds]
        out[name] = Run(
            statistics.median(r.seconds for r in runs),
            max(r.rss_max for r in runs),
            max(r.rss_sum for r in runs),
            statistics.median(r.cpu for r in runs),
        )
    return out


def help_time(rounds: int) -> float:
    times = []
    for _ in range(max(rounds, 5)):
        times.append(run([sys.executable, "-m", "ankidigest", "--help"]).seconds)
    return statistics.median(times)


def mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--terms", type=int, default=100_000, help="terms in the main run")
    parser.add_argument(
        "--sizes", default="25000,50000,100000", help="term counts for the growth table"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every command")
    parser.add_argument("--work", help="folder for the corpus and outputs (default: a temp dir)")
    parser.add_argument("--genanki-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--prepare-child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--english-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.genanki_child:
        genanki_child(*args.genanki_child)
        return 0
    if args.prepare_child:
        prepare_child(*args.prepare_child)
        return 0
    if args.english_child:
        folder, terms, seed = args.english_child
        corpus.generate(folder, int(terms), int(seed), words="english")
        return 0

    work = args.work or tempfile.mkdtemp(prefix="ankidigest-bench-")
    os.makedirs(work, exist_ok=True)
    from ankidigest.version import __version__

    print(
        f"ankidigest {__version__}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores, seed {args.seed}, {args.rounds} rounds (medians), "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    sizes = sorted({int(s) for s in args.sizes.split(",") if s} | {args.terms})
    growth: dict[int, tuple[corpus.Corpus, dict[str, Run]]] = {}
    for size in sizes:
        bench = Bench(work, size, args.seed, english=size == args.terms)
        rounds = [bench.round() for _ in range(args.rounds)]
        growth[size] = (bench.info, median_runs(rounds))
        if size == args.terms:
            main_bench = bench

    info, res = growth[args.terms]
    base = res["genanki"].seconds
    posts = len(info.files)
    print(f"\ncorpus: {posts} posts, {info.terms:,} terms, {info.bytes / 1e6:.1f} MB of markdown\n")
    print(
        f"{'command':<14} {'time':>8} {'x genanki':>10} {'x export':>9} {'peak RSS':>9} "
        f"{'all procs':>10}"
    )
    export_s = res["export"].seconds
    for name in (
        "genanki", "export", "no enrich", "no cache", "prior", "prior no enr.", "one changed",
        "shared", "english", "english no enr.",
    ):  # fmt: skip
        r = res[name]
        rss = f"{mb(r.rss_max):>9} {mb(r.rss_sum):>10}" if r.rss_max else f"{'-':>9} {'-':>10}"
        rss += f" {r.cpu:>6.2f}s" if r.cpu else f" {'-':>7}"
        print(
            f"{name:<14} {r.seconds:>7.2f}s {r.seconds / base:>9.2f}x "
            f"{r.seconds / export_s:>8.2f}x {rss}"
        )
    ours = os.path.getsize(main_bench.out)
    theirs = os.path.getsize(main_bench.genanki_out)
    print(
        f"\n.apkg size: ankidigest {ours / 1e6:.1f} MB, genanki {theirs / 1e6:.1f} MB "
        f"(stored): {ours / theirs:.3f} of it"
    )
    print(f"ankidigest --help: {help_time(args.rounds):.3f}s")
    on, off = res["export"].seconds, res["no enrich"].seconds
    again, again_off = res["prior"].seconds, res["prior no enr."].seconds
    print(
        f"enrichment: first export {on:.2f}s on, {off:.2f}s off ({100 * (on / off - 1):+.1f}%); "
        f"re-export {again:.2f}s on, {again_off:.2f}s off ({100 * (again / again_off - 1):+.1f}%)"
    )
    cpu_on, cpu_off = res["export"].cpu, res["no enrich"].cpu
    print(
        f"enrichment cost on a first export: {100 * (on / off - 1):+.1f}% "
        f"(CPU {cpu_on:.2f}s vs {cpu_off:.2f}s: {100 * (cpu_on / cpu_off - 1):+.1f}%; "
        "target: at most +10%)"
    )
    on, off = res["english"].seconds, res["english no enr."].seconds
    cpu_on, cpu_off = res["english"].cpu, res["english no enr."].cpu
    print(
        f"enrichment cost on a first export of the English blog: {100 * (on / off - 1):+.1f}% "
        f"({on:.2f}s vs {off:.2f}s; CPU {cpu_on:.2f}s vs {cpu_off:.2f}s: "
        f"{100 * (cpu_on / cpu_off - 1):+.1f}%)"
    )

    print("\ngrowth (export: cold cache, no prior package)")
    print(
        f"{'terms':>8} {'posts':>6} {'genanki':>8} {'export':>8} {'us/term':>8} "
        f"{'peak RSS':>9} {'all procs':>10} {'one changed':>12}"
    )
    for size in sizes:
        info, r = growth[size]
        e = r["export"]
        print(
            f"{info.terms:>8,} {len(info.files):>6} {r['genanki'].seconds:>7.2f}s "
            f"{e.seconds:>7.2f}s {e.seconds / info.terms * 1e6:>8.1f} {mb(e.rss_max):>9} "
            f"{mb(e.rss_sum):>10} {r['one changed'].seconds:>11.2f}s"
        )
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (other processes share the cores)")
    if not args.work:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
