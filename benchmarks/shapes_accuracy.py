"""Precision and recall of the walker on labelled notebooks (golden-case format).

Usage: python benchmarks/shapes_accuracy.py [FOLDER...]
(default: tests/cases, then each benchmarks/heldout/setN, then the held-out total)
       python benchmarks/shapes_accuracy.py benchmarks/real
(the real-notebook corpus: also per shape, source links and error families)

The held-out sets are notebooks written after the code, in shapes the golden
cases do not show; each set was scored once before any change it prompted.

A card is right when its (term, sentence) pair is one the case's JSON expects;
precision = right cards / cards made, recall = right cards / cards expected.
Cases whose JSON expects no terms must give no card at all.

Optional keys (benchmarks/real uses them; the older folders do not):
- "dont_care": bold spans (term, line) that are neither right nor wrong: a card
  made for one is left out of the cards made;
- "not_cards": bold spans (term, line, family) that must not be cards; a wrong
  card made for one is reported under its family;
- a term's "family" names the shape a miss of it belongs to, and its "source"
  the article URL its card should carry (null for none);
- a folder's manifest.json (rows with "id" and "shape") gives per-shape totals.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from ankidigest.read.walker import read_post

ROOT = Path(__file__).resolve().parent.parent


def _loose(term: str) -> str:
    """A term as the don't-care and not-card lists match it: letters and digits
    only, case folded (the walker trims some punctuation a label keeps)."""
    return re.sub(r"[\W_]+", "", term.casefold())


def score(folder: Path, detail: dict | None = None) -> tuple[int, int, int, list[str]]:
    """Score every notebook in ``folder``; ``detail`` (when given) collects, per
    notebook, the counts, the source checks and the errors with their families."""
    made = expected = right = 0
    notes: list[str] = []
    for md in sorted(folder.glob("*.md")):
        json_path = md.with_suffix(".json")
        if not json_path.exists():
            continue  # e.g. a README.md beside the notebooks
        want_data = json.loads(json_path.read_text(encoding="utf-8"))
        doc = read_post(str(md), **want_data.get("options", {}))
        dont = {(_loose(d["term"]), d.get("line")) for d in want_data.get("dont_care", [])}
        made_terms = [
            (t, s)
            for s in doc.sentences
            for t in s.terms
            if (_loose(t.text), t.line) not in dont and (_loose(t.text), None) not in dont
        ]
        ignored = sum(len(s.terms) for s in doc.sentences) - len(made_terms)
        got = Counter((t.text, s.text) for t, s in made_terms)
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
        if detail is not None:
            detail[md.stem] = _details(md, want_data, made_terms, got, want, hit, ignored)
    return made, expected, right, notes


def _details(md, want_data, made_terms, got, want, hit, ignored) -> dict:
    """Errors of one notebook with their families, and the source checks."""
    not_cards = {
        (_loose(n["term"]), n["line"]): n.get("family", "other")
        for n in want_data.get("not_cards", [])
    }
    families = {(w["term"], w["sentence"]): w.get("family") for w in want_data["terms"]}
    sources = {
        (w["term"], w["sentence"]): w.get("source") for w in want_data["terms"] if "source" in w
    }
    wrong = got - want
    missed = want - got
    errors = []
    missed_terms = Counter(term for term, _ in missed.elements())
    for t, s in made_terms:
        pair = (t.text, s.text)
        if wrong[pair] <= 0:
            continue
        wrong[pair] -= 1
        if missed_terms[t.text] > 0:
            missed_terms[t.text] -= 1
            expected_sentence = next(w for w, c in missed.items() if w[0] == t.text and c > 0)
            missed[expected_sentence] -= 1
            errors.append(
                ("sentence_mismatch", md.name, t.line, t.text, expected_sentence[1], s.text)
            )
            continue
        family = not_cards.get((_loose(t.text), t.line), "unlabelled_bold")
        errors.append((f"wrong:{family}", md.name, t.line, t.text, "not a card", s.text))
    lines = {(w["term"], w["sentence"]): w.get("line") for w in want_data["terms"]}
    for pair in missed.elements():
        family = families.get(pair) or "plain"
        errors.append((f"missed:{family}", md.name, lines.get(pair), pair[0], pair[1], "no card"))
    src_checked = src_right = 0
    src_errors = []
    for t, s in made_terms:
        pair = (t.text, s.text)
        if pair in sources and pair in want:
            src_checked += 1
            got_url = s.article.url if s.article else None
            if got_url == sources[pair]:
                src_right += 1
            else:
                src_errors.append((md.name, t.line, t.text, sources[pair], got_url))
    return {
        "made": sum(got.values()),
        "expected": sum(want.values()),
        "right": hit,
        "ignored": ignored,
        "errors": errors,
        "src_checked": src_checked,
        "src_right": src_right,
        "src_errors": src_errors,
    }


def _ratio(right: int, total: int) -> str:
    return f"{right / total:.1%} ({right}/{total})" if total else "n/a (0/0)"


def report_real(folder: Path) -> None:
    """The real-notebook corpus: totals, per shape, sources and error families."""
    detail: dict = {}
    made, expected, right, _ = score(folder, detail)
    manifest_path = folder / "manifest.json"
    rows = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else []
    shape_of = {r["id"]: r["shape"] for r in rows}
    owners = {r["owner"] for r in rows if r["id"] in detail}
    ignored = sum(d["ignored"] for d in detail.values())
    print(
        f"{folder}: {len(detail)} notebooks by {len(owners)} owners, {made} cards made "
        f"(+{ignored} on don't-care spans, not counted), {expected} expected, {right} right"
    )
    print(f"  precision {_ratio(right, made)}, recall {_ratio(right, expected)}")
    checked = sum(d["src_checked"] for d in detail.values())
    src_ok = sum(d["src_right"] for d in detail.values())
    print(f"  source of right cards: {_ratio(src_ok, checked)} as labelled")
    print("per shape:")
    shapes: dict[str, list[int]] = {}
    for ident, d in detail.items():
        tally = shapes.setdefault(shape_of.get(ident, "?"), [0, 0, 0, 0])
        tally[0] += 1
        tally[1] += d["made"]
        tally[2] += d["expected"]
        tally[3] += d["right"]
    for shape, (n, m, e, r) in sorted(shapes.items()):
        print(
            f"  {shape:24} {n:2} files  made {m:3}  expected {e:3}  right {r:3}  "
            f"P {_ratio(r, m):18} R {_ratio(r, e)}"
        )
    families: dict[str, list] = {}
    for d in detail.values():
        for err in d["errors"]:
            families.setdefault(err[0], []).append(err[1:])
    print("errors by family:")
    for family, errs in sorted(families.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"  {family}: {len(errs)}")
        for name, line, term, expected_s, got_s in errs:
            print(f"    {name}:{line} {term!r}: expected {expected_s!r}; got {got_s!r}")
    src_errors = [e for d in detail.values() for e in d["src_errors"]]
    if src_errors:
        print("source errors:")
        for name, line, term, want_url, got_url in src_errors:
            print(f"    {name}:{line} {term!r}: expected {want_url}; got {got_url}")


def main(argv: list[str]) -> int:
    heldout = sorted((ROOT / "benchmarks" / "heldout").glob("set*"))
    if argv and all((Path(a) / "manifest.json").exists() for a in argv):
        for a in argv:
            report_real(Path(a))
        return 0
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
