"""Time the walker on large notebooks in each shape (no timed unit tests: run this).

Usage: python benchmarks/bench_shapes.py [N]   (N lines or items per shape, default 4000)

Each shape must stay roughly linear: doubling N should about double the time.
The one known quadratic case is a single paragraph of many sentences with
abbreviation checks in sentences.py (not in the shape code).
"""

from __future__ import annotations

import sys
import time

from ankidigest.read.walker import walk


def shapes(n: int) -> dict[str, str]:
    return {
        "hard breaks": "".join(f"Line {i} has a **word{i}** in it.  \n" for i in range(n)),
        "one per line": "".join(f"Line {i} has a **word{i}** in it\n" for i in range(n)),
        "list": "".join(f"- Item {i} has a **word{i}** in it.\n" for i in range(n)),
        "translations": "".join(f"The **word{i}** is here.\n中文翻译{i}。\n" for i in range(n)),
        "source links": "".join(
            f"The **word{i}** is here. [src](https://e.com/{i})\n" for i in range(n)
        ),
        "labels": "".join(f"**Label{i}:** value {i}\n" for i in range(n)),
        "admonition": "!!! note\n" + "".join(f"    The **w{i}** is here.\n\n" for i in range(n)),
        "bold on one line": " ".join(f"**w{i}**" for i in range(n)),
    }


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 4000
    for name, text in shapes(n).items():
        start = time.perf_counter()
        doc = walk(text)
        took = time.perf_counter() - start
        print(f"{name:18} {n:>7} lines  {doc.term_count:>7} terms  {took:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
