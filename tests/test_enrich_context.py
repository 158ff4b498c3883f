"""``sense._prev_next`` (reads a window before the term) against its reference (reads all)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ankidigest.enrich import sense
from ankidigest.enrich.sense import _prev_next, _prev_next_reference

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "war-news.md"

# Pieces that make the cases the window must get right: skippable words (-ly adverbs,
# "also", "only" which is not one), capitals, apostrophes and hyphens inside words, a
# curly apostrophe, punctuation and digits between words, long words cut by the window.
_PIECES = (
    "also", "quickly", "only", "early", "not", "Kremlin", "the", "Russia's", "well-known",
    "o’clock", "-", "'", "’", ",", ";", "(", ")", "—", "2024", "a", "I", "x", "soldiers",
    "counter-offensive", "notwithstanding", "extraordinarily", "never", "still", "to",
)  # fmt: skip


def _sentences(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        parts = [rng.choice(_PIECES) for _ in range(rng.randint(0, 30))]
        joiners = [rng.choice((" ", " ", " ", "", "  ")) for _ in parts]
        out.append("".join(p + j for p, j in zip(parts, joiners, strict=True)))
    return out


def _check(text: str) -> int:
    checked = 0
    for start in range(len(text) + 1):
        for end in (start, min(len(text), start + 1), min(len(text), start + 5)):
            assert _prev_next(text, start, end) == _prev_next_reference(text, start, end), (
                text,
                start,
                end,
            )
            checked += 1
    return checked


def test_the_window_gives_the_references_words_on_generated_sentences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(7)
    for window in (1, 3, 8, sense._WINDOW):  # small windows: every case of a cut word
        monkeypatch.setattr(sense, "_WINDOW", window)
        assert sum(_check(text) for text in _sentences(rng, 150)) > 10_000


def test_a_word_cut_by_the_window_is_not_taken_for_the_word_before() -> None:
    text = "They had " + "x" * 60 + "notwithstanding **stem** it"
    start = text.index("**stem**")
    assert _prev_next(text, start, start + 8)[0] == ["had", "x" * 60 + "notwithstanding"]
    assert _prev_next(text, start, start + 8) == _prev_next_reference(text, start, start + 8)


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/corpus")
def test_the_window_gives_the_references_words_on_the_users_post() -> None:
    lines = [line for line in SHARED.read_text(encoding="utf-8").splitlines() if "**" in line]
    assert sum(_check(line) for line in lines) > 10_000


def test_the_kept_sentence_words_are_those_of_the_sentence_asked_for() -> None:
    from ankidigest.enrich.rerank import sentence_words, sentence_words_reference

    rng = random.Random(3)
    texts = _sentences(rng, 40)
    asked = [rng.choice(texts) for _ in range(400)]
    asked += ["".join(list(t)) for t in asked[:50]]  # equal, not the same object
    for text in asked:
        assert sentence_words(text) == sentence_words_reference(text)
    assert sentence_words("The stem of a rose") != sentence_words("The stem of a tulip")
