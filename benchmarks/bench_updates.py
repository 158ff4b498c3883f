"""Re-export against a prior package: how long reading the prior and reconciling take.

    python benchmarks/bench_updates.py [SENTENCES] [EDITED]

Writes a post of SENTENCES sentences with two bolds each, all in ONE section with
no article (one scope: the worst case for --group sentence matching), exports it,
edits EDITED sentences (a typo fix and a bold added), then times the re-export
with the first package as prior state, in both --group modes. Prints the numbers.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from ankidigest import export
from ankidigest.notes.build import BuildOptions

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()


def sentence(i: int, edited: bool) -> str:
    a, b, c = (WORDS[(i + k) % len(WORDS)] for k in (0, 3, 7))
    fix = "the" if edited else "teh"
    extra = f"**{c}{i}**" if edited else f"{c}{i}"
    return f"In {fix} report {i} the **{a}{i}** and the **{b}{i}** met {extra} again."


def post(n: int, edited: int) -> str:
    body = "\n\n".join(
        sentence(i, i % max(1, n // max(1, edited)) == 0 and edited > 0) for i in range(n)
    )
    return f"---\ntitle: Bench\n---\n\n## One section\n\n{body}\n"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    edited = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bench.md"
        for group in ("term", "sentence"):
            src.write_text(post(n, 0), encoding="utf-8")
            os.utime(src, (1_700_000_000, 1_700_000_000))
            out = str(Path(tmp) / f"{group}.apkg")
            options = BuildOptions(group=group)
            start = time.perf_counter()
            first = export([str(src)], out, options)
            plain = time.perf_counter() - start
            src.write_text(post(n, edited), encoding="utf-8")
            os.utime(src, (1_700_086_400, 1_700_086_400))
            start = time.perf_counter()
            again = export([str(src)], out, options)
            update = time.perf_counter() - start
            r = again.report
            print(
                f"--group {group}: {len(first.notes)} notes, first export {plain:.2f} s; "
                f"re-export with prior {update:.2f} s ({r.counts()})"
            )


if __name__ == "__main__":
    main()
