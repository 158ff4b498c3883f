"""Golden cases: tests/cases/NAME.md is walked; NAME.json says what must come out.

NAME.json is an object:
  "terms": a list, one entry per card-worthy bold in document order; each entry has
           "term" and "sentence" (both exact), and may pin any of "url", "title",
           "date", "section" (list), "occurrence", "line", "translation", "context".
  "skips": (optional) a list of {"text": ..., "reason": substring of the reason}.
  "post":  (optional) fields of the Post to pin: "title", "date", "tags", "categories".
  "options": (optional) walker options, e.g. {"terms": "bold+highlight"}.
A new edge case is a new pair of files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ankidigest.model import Document
from ankidigest.read.walker import read_post

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.stem for p in CASES.glob("*.md"))


def _extract(doc: Document) -> list[dict[str, Any]]:
    out = []
    for s in doc.sentences:
        for t in s.terms:
            out.append(
                {
                    "term": t.text,
                    "sentence": s.text,
                    "url": s.article.url if s.article else None,
                    "title": s.article.title if s.article else None,
                    "date": s.article.date if s.article else None,
                    "section": list(s.section),
                    "occurrence": t.occurrence,
                    "line": t.line,
                    "translation": s.translation,
                    "context": s.paragraph.text,
                }
            )
    return out


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str) -> None:
    expected = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    options = expected.get("options", {})
    doc = read_post(str(CASES / f"{name}.md"), **options)
    got = _extract(doc)
    want = expected["terms"]
    assert [(g["term"], g["sentence"]) for g in got] == [(w["term"], w["sentence"]) for w in want]
    for g, w in zip(got, want, strict=True):
        for key, value in w.items():
            assert g[key] == value, f"{name}: {w['term']!r}: {key}"
    if "skips" in expected:
        skips = [(s.text, s.reason) for s in doc.skips]
        assert len(skips) == len(expected["skips"]), skips
        for (text, reason), w in zip(skips, expected["skips"], strict=True):
            assert text == w["text"] and w["reason"] in reason, (text, reason)
    for key, value in expected.get("post", {}).items():
        got_value = getattr(doc.post, key)
        assert (list(got_value) if isinstance(got_value, tuple) else got_value) == value, key


def test_every_case_has_expectations() -> None:
    assert NAMES, "no golden cases found"
    for name in NAMES:
        assert (CASES / f"{name}.json").exists(), f"{name}.md has no {name}.json"
