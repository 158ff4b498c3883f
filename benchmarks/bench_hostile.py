"""Hostile inputs of about 1 MB (and a few of 2 MB): each must finish in a few seconds.

Runs the whole library pipeline (walk -> build -> .apkg) on each generated post and
prints the time per step, the notes made and the skips reported. Exits 1 if any
input takes longer than the budget, so it can guard a release:

    python benchmarks/bench_hostile.py            # all inputs, 5 s budget each
    python benchmarks/bench_hostile.py --budget 3 --only nested
    python benchmarks/bench_hostile.py --scale 0.25   # quicker, smaller inputs

Times are wall-clock on one core; the first run also pays for imports.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable

MB = 1_000_000


def _fill(unit: str, size: int, tail: str = "") -> str:
    return unit * max(1, (size - len(tail)) // len(unit)) + tail


def inputs(scale: float) -> dict[str, Callable[[], str]]:
    size = int(MB * scale)
    return {
        "prose, a bold per sentence": lambda: _fill(
            "The minister was **adamant** that the talks would go on. Others disagreed.\n\n",
            size,
        ),
        "2 MB line, no full stop": lambda: _fill("word ", 2 * size, "**x** y.\n"),
        "2 MB line of short sentences": lambda: _fill("A **b** c. ", 2 * size, "\n"),
        "30,000 bolds, one sentence": lambda: (
            " ".join(f"**w{i}**" for i in range(int(30_000 * scale))) + "\n"
        ),
        "30,000 bolds, one paragraph": lambda: " ".join(
            f"The **w{i}** is." for i in range(int(30_000 * scale))
        ),
        "nested emphasis *a **a ...": lambda: _fill(
            "*a **a " * 300 + "b" + " a** a*" * 300 + "\n\n", size
        ),
        "nested emphasis, small blocks": lambda: _fill(
            "*a **a " * 30 + "**b**. " + " a** a*" * 30 + "\n\n", size
        ),
        "unclosed links [a](<b": lambda: _fill("[a](<b", size, " **x**.\n"),
        "unmatched closers a**": lambda: _fill("a**", size, "\n"),
        "nested brackets [[[": lambda: "[" * (size // 2) + "**x**" + "]" * (size // 2),
        "deep quotes >>>": lambda: ">" * size + " **x** y.\n",
        "deep list nesting": lambda: "".join(
            "  " * i + "- a\n" for i in range(int(800 * scale**0.5))
        ),
        "control and invisible chars": lambda: _fill(
            "A \x1f**wo\u200brd**\u202e here\x00.\n", size
        ),
        "emoji, CJK, RTL, combining": lambda: _fill(
            "我们**坚决**反对。 هذا **كتاب** جميل. I **❤️** cafe\u0301 **naïve**.\n\n", size
        ),
        "raw HTML and entities": lambda: _fill(
            "<b onclick=x>Hi</b> <script>x</script> &lt;i&gt; the **term** {{c1::x}}.\n\n",
            size,
        ),
    }


def run_one(text: str, folder: str) -> tuple[float, float, float, int, int]:
    from ankidigest.notes.build import build_notes
    from ankidigest.read.walker import walk
    from ankidigest.write.apkg import write_apkg

    t0 = time.perf_counter()
    doc = walk(text, "bench.md")
    t1 = time.perf_counter()
    notes = build_notes([doc])
    t2 = time.perf_counter()
    write_apkg(notes, os.path.join(folder, "bench.apkg"))
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, len(notes), len(doc.skips)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=5.0, help="seconds allowed per input")
    parser.add_argument("--scale", type=float, default=1.0, help="input size factor")
    parser.add_argument("--only", help="run the inputs whose name contains this")
    args = parser.parse_args(argv)
    for module in ("ankidigest.write.apkg", "ankidigest.notes.build", "ankidigest.read.walker"):
        importlib.import_module(module)  # imports are not part of any input's time

    print(
        f"{'input':32} {'MB':>5} {'walk':>6} {'build':>6} {'write':>6} "
        f"{'total':>6} {'notes':>7} {'skips':>6}"
    )
    slow = []
    with tempfile.TemporaryDirectory() as folder:
        for name, make in inputs(args.scale).items():
            if args.only and args.only not in name:
                continue
            text = make()
            walk_s, build_s, write_s, notes, skips = run_one(text, folder)
            total = walk_s + build_s + write_s
            mark = "" if total <= args.budget else "  SLOW"
            if mark:
                slow.append(name)
            size = len(text.encode("utf-8")) / MB
            print(
                f"{name:32} {size:5.2f} {walk_s:6.2f} {build_s:6.2f} {write_s:6.2f} "
                f"{total:6.2f} {notes:7} {skips:6}{mark}",
                flush=True,
            )
    if slow:
        print(f"over the {args.budget:g} s budget: {', '.join(slow)}")
        return 1
    print(f"all inputs within {args.budget:g} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
