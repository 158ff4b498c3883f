"""Precision and recall of the walker on labelled notebooks (golden-case format).

Usage: python benchmarks/shapes_accuracy.py [FOLDER...]
(default: tests/cases, then each benchmarks/heldout/setN, then the held-out total)

The held-out sets are notebooks written after the code, in shapes the golden
cases do not show; each set was scored once before any change it prompted.

A card is right when its (term, sentence) pair is one the case's JSON expects;
precision = right cards / cards made, recall = right cards / cards expected.
Cases whose JSON expects no terms must give no card at all.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from ankidigest.read.walker import read_post

ROOT = Path(__file__).resolve().parent.parent


def score(folder: Path) -> tuple[int, int, int, list[str]]:
    made = expected = right = 0
    notes: list[str] = []
    for md in sorted(folder.glob("*.md")):
        want_data = json.loads(md.with_suffix(".json").read_text(encoding="utf-8"))
        doc = read_post(str(md), **want_data.get("options", {}))
        got = Counter((t.text, s.text) for s in doc.sentences for t in s.terms)
        want = Counter((w["term"], w["sentence"]) for w in want_data["terms"])
        hit = sum((got & want).values())
        made += sum(got.values())
        expected += sum(want.values())
        right += hit
        for pair in (got - want).elements():
            notes.append(f"{md.name}: wrong card {pair}")
        for pair in (want - got).elements():
            notes.append(f"{md.name}: missed {pair}")
        if not want and got:
            notes.append(f"{md.name}: label-only notebook gave {sum(got.values())} cards")
    return made, expected, right, notes


def main(argv: list[str]) -> int:
    heldout = sorted((ROOT / "benchmarks" / "heldout").glob("set*"))
    folders = [Path(a) for a in argv] or [ROOT / "tests" / "cases", *heldout]
    total = [0, 0, 0]
    for folder in folders:
        made, expected, right, notes = score(folder)
        if folder in heldout:
            total = [total[0] + made, total[1] + expected, total[2] + right]
        cases = len(list(folder.glob("*.md")))
        precision = right / made if made else 1.0
        recall = right / expected if expected else 1.0
        print(f"{folder}: {cases} notebooks, {made} cards made, {expected} expected, {right} right")
        print(
            f"  precision {precision:.1%} ({right}/{made}), "
            f"recall {recall:.1%} ({right}/{expected})"
        )
        for note in notes:
            print("  " + note)
    if not argv:
        made, expected, right = total
        print(
            f"held-out total: precision {right / made:.1%} ({right}/{made}), "
            f"recall {right / expected:.1%} ({right}/{expected})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
