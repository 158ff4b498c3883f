"""Accuracy and speed of ankidigest.enrich on the bold terms of a post, against hand labels.

    python benchmarks/enrich_accuracy.py [/work/shared/corpus/war-news.md] [--lemminflect]

Labels (benchmarks/enrich_labels.json), one per bold span in reading order: ``term``, the
accepted ``lemmas`` (a participle adjective may accept both ``poise`` and ``poised``) and
``fits``: the first Chinese gloss judged by hand against the sentence (true/false), for the
engine output recorded when labelling (``gloss1``). A label whose ``gloss1`` no longer matches
the engine's first gloss is reported as unjudged, not counted as right.
Blind labels (benchmarks/enrich_senses_blind.json) are scored on all terms and on two halves
split by a hash of the term (``half``: crc32 of the lower-cased term, even = "tune", odd =
"held out"); rules were tuned looking only at the "tune" half's misses (``--misses tune``
prints only those; ``--misses all`` prints every miss).
The ceiling printed is the share of terms for which any line of the dictionary's entries
(of the form as written and of the lemma) holds an accepted sense: no ordering of the
items can do better.
``--lemminflect`` also scores lemminflect (verb first for -ed/-ing, noun first for -s,
the particle of a phrasal verb kept, phrases left alone) on the same terms.
"""

from __future__ import annotations

import json
import re
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ankidigest import read_posts  # noqa: E402
from ankidigest.enrich import Enricher  # noqa: E402
from ankidigest.enrich.lemma import PARTICLES, lemmatise  # noqa: E402

LABELS = Path(__file__).with_name("enrich_labels.json")
BLIND = Path(__file__).with_name("enrich_senses_blind.json")
_LABEL = re.compile(r"^[a-z]{1,5}\.\s*")


def first_items(gloss: str) -> tuple[str, str]:
    """The first gloss shown (first item of the first line, POS label dropped) and the
    first line (POS label dropped)."""
    line = _LABEL.sub("", gloss.split("\n")[0]) if gloss else ""
    return re.split(r"\s*[,，;；]\s*", line)[0], line


def half(term: str) -> str:
    """The half a term falls in: "tune" (looked at while tuning) or "held out"."""
    return "tune" if zlib.crc32(term.lower().encode("utf-8")) % 2 == 0 else "held out"


def fits(shown: str, accept: list[str]) -> bool:
    """A gloss fits when it holds one of the accepted senses."""
    return bool(shown) and any(a in shown for a in accept)


def spans(post: str) -> list[tuple[str, str, int, int]]:
    out = []
    for doc in read_posts([post], jobs=1):
        for sentence in doc.sentences:
            for term in sentence.terms:
                out.append((term.text, sentence.text, term.start, term.end))
    return out


def lemminflect_lemma(term: str) -> str:
    from lemminflect import getAllLemmas

    words = term.lower().split()
    if len(words) > 1 and not all(w in PARTICLES for w in words[1:]):
        return term.lower()
    word = words[0]
    found = getAllLemmas(word)
    if word.endswith(("ed", "ing")):
        order = ("VERB", "ADJ", "NOUN")
    elif word.endswith("s"):
        order = ("NOUN", "VERB", "ADJ")
    else:
        order = ("NOUN", "VERB", "ADJ", "ADV")
    lem = next((found[p][0] for p in order if p in found), word)
    return " ".join([lem, *words[1:]])


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    post = args[0] if args else "/work/shared/corpus/war-news.md"
    items = spans(post)
    t0 = time.perf_counter()
    enricher = Enricher()
    enricher.lookup.raw("a")
    load = time.perf_counter() - t0
    results = [enricher.enrich(*item) for item in items]
    labels = json.loads(LABELS.read_text(encoding="utf-8")) if LABELS.exists() else []
    if "--dump" in sys.argv:
        dump = []
        for (term, sent, _s, _e), r in zip(items, results, strict=True):
            dump.append(
                {
                    "term": term,
                    "lemma": r.lemma if r else None,
                    "gloss1": r.gloss.split("\n")[0] if r else None,
                    "sentence": sent,
                }
            )
        print(json.dumps(dump, ensure_ascii=False, indent=1))
        return 0
    n = len(items)
    lemma_ok = gloss = ipa = fit = judged = 0
    li_ok = 0
    misses = []
    for (term, _sent, _s, _e), r, lab in zip(items, results, labels, strict=False):
        assert lab["term"] == term, (lab["term"], term)
        if r is not None and r.lemma in lab["lemmas"]:
            lemma_ok += 1
        else:
            misses.append(f"lemma {term!r}: {r.lemma if r else None} not in {lab['lemmas']}")
        if "--lemminflect" in sys.argv and lemminflect_lemma(term) in lab["lemmas"]:
            li_ok += 1
        if r is not None and r.gloss:
            gloss += 1
        if r is not None and r.phonetic:
            ipa += 1
        first = r.gloss.split("\n")[0] if r else None
        if first == lab["gloss1"]:
            judged += 1
            fit += bool(lab["fits"])
            if not lab["fits"]:
                misses.append(f"gloss {term!r}: {first}")
        else:
            misses.append(f"unjudged {term!r}: {first} (labelled {lab['gloss1']})")
    blind = json.loads(BLIND.read_text(encoding="utf-8"))["labels"]
    item_fits = line_fits = shown_fits = in_entry = 0
    by_half: dict[str, list[int]] = {"tune": [0, 0, 0], "held out": [0, 0, 0]}
    show = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--misses=")), "tune")
    for (term, _sent, _s, _e), r, lab in zip(items, results, blind, strict=True):
        assert lab["term"] == term, (lab["term"], term)
        item, line = first_items(r.gloss if r else "")
        ok = fits(item, lab["accept"])
        item_fits += ok
        line_fits += fits(line, lab["accept"])
        shown_fits += fits(r.gloss if r else "", lab["accept"])
        lem = lemmatise(term, enricher.lookup)
        entries = [e for e in (lem.form_entry, lem.entry) if e is not None]
        in_entry += fits(" ".join(t.text for e in entries for t in e.translations), lab["accept"])
        counts = by_half[half(term)]
        counts[0] += 1
        counts[1] += ok
        counts[2] += fits(line, lab["accept"])
        if not ok and show in ("all", half(term)):
            misses.append(f"blind {term!r}: {r.gloss.splitlines()[0] if r else None}")
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        fresh = Enricher()  # no per-term cache: the cost of a first sight of each term
        fresh.lookup = enricher.lookup
        for item in items:
            fresh.enrich(*item)
    cold = (time.perf_counter() - t0) / (reps * n) * 1e6
    t0 = time.perf_counter()
    for _ in range(reps):
        for item in items:
            enricher.enrich(*item)
    warm = (time.perf_counter() - t0) / (reps * n) * 1e6
    data = ROOT / "ankidigest" / "enrich" / "data" / "ecdict.tsv"
    for line in misses:
        print("  " + line)
    print(f"terms {n}, labelled {len(labels)}")
    print(f"lemma right      {100 * lemma_ok / n:.1f}%")
    if "--lemminflect" in sys.argv:
        print(f"lemminflect      {100 * li_ok / n:.1f}%")
    print(f"Chinese gloss    {100 * gloss / n:.1f}%")
    print(f"IPA              {100 * ipa / n:.1f}%")
    print(f"first gloss fits {100 * fit / n:.1f}%  ({judged} judged; old labels, not blind)")
    print(
        f"blind: first gloss fits {100 * item_fits / n:.1f}%, first line {100 * line_fits / n:.1f}%"
    )
    print(
        f"  anywhere in the gloss shown {100 * shown_fits / n:.1f}%; the ceiling, an accepted"
        f" sense anywhere in the entries of the form and lemma: {100 * in_entry / n:.1f}%"
    )
    for name, (m, ok1, okl) in by_half.items():
        first, whole = 100 * ok1 / m, 100 * okl / m
        print(f"  {name:8} ({m} terms): first gloss {first:.1f}%, first line {whole:.1f}%")
    print(f"load {load * 1e3:.0f} ms; data {data.stat().st_size / 1e6:.2f} MB")
    print(f"per term: {cold:.1f} us first sight, {warm:.1f} us repeated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
