"""Accuracy floor on the user's real post (skipped when /work/shared is absent)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

POST = Path("/work/shared/corpus/war-news.md")
LABELS = Path(__file__).resolve().parent.parent / "benchmarks" / "enrich_labels.json"


@pytest.mark.skipif(not POST.exists(), reason="shared corpus not present")
def test_lemma_and_gloss_coverage_on_the_post() -> None:
    sys.path.insert(0, str(LABELS.parent))
    from enrich_accuracy import spans

    from ankidigest.enrich import Enricher

    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    items = spans(str(POST))
    assert [lab["term"] for lab in labels] == [t for t, *_ in items]
    enricher = Enricher()
    results = [enricher.enrich(*item) for item in items]
    lemma_ok = sum(
        r is not None and r.lemma in lab["lemmas"] for r, lab in zip(results, labels, strict=True)
    )
    glossed = sum(r is not None and bool(r.gloss) for r in results)
    assert lemma_ok / len(items) >= 0.98
    assert glossed / len(items) >= 0.95
