"""The embedded dictionary's index (bisect over sorted keys, chunk offsets) against the
reference: a dict of every row, the first row of a key winning."""

from __future__ import annotations

import random

import pytest

from ankidigest.enrich import datafile
from ankidigest.enrich.dictionary import EmbeddedDictionary, embedded
from ankidigest.enrich.entry import from_fields


def _blob(rows: list[str], keys: list[str] | None = None, tail: str = "\n") -> bytes:
    keys = [r.split("\t")[0].lower() for r in rows] if keys is None else keys
    text = "\n".join(keys) + "\n\n" + "\n".join(rows) + tail
    return text.encode("utf-8")  # format 1: no header, the table computed


def _agree(data: EmbeddedDictionary, probes: list[str]) -> None:
    reference = data.reference_index()
    index = data.load()
    assert len(index) == len(data) == len(reference)
    assert set(index) == set(reference)
    for key in probes:
        assert index.get(key) == reference.get(key), key
        assert (key in data) == (key.lower() in reference), key
        row = reference.get(key.lower())
        expected = None if row is None else from_fields(row.decode("utf-8").split("\t"))
        assert data.get(key) == expected, key


def test_the_embedded_index_agrees_with_the_reference() -> None:
    data = embedded()
    reference = data.reference_index()
    index = data.load()
    assert len(index) == len(reference) > 200_000
    assert set(index) == set(reference)
    for key, row in reference.items():
        assert index.get(key) == row, key
    assert index.get("sortrurto") is None and index.get("") == reference.get("")


@pytest.mark.parametrize("count", [1, 2, 3, 15, 16, 17, 100, 307])
@pytest.mark.parametrize("tail", ["", "\n", "\n\n\n"])
@pytest.mark.parametrize("block", [1, 2, 7, 16, 64, datafile.BLOCK])
def test_block_boundaries_and_trailing_newlines(
    count: int, tail: str, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datafile, "BLOCK", block)  # rows longer and shorter than a block
    rng = random.Random(count)
    words = sorted({"".join(rng.choices("abcdé", k=rng.randint(1, 6))) for _ in range(count)})
    rows = []
    for word in words:  # some keys twice: "Word" first, then "word" (the first wins)
        if rng.random() < 0.2:
            rows.append(f"{word.capitalize()}\t\t\tn. 甲{word}")
        rows.append(f"{word}\t/x/\tdef {word}\tn. 乙{word}")
    data = EmbeddedDictionary(_blob(rows, tail=tail))
    _agree(data, [*words, *(w.upper() for w in words), "zzz", "a", ""])


def test_keys_out_of_order_fall_back_to_the_reference() -> None:
    rows = ["pear\t\t\tn. 梨", "apple\t\t\tn. 苹果", "Pear\t\t\tn. 梨2", "fig\t\t\tn. 无花果"]
    data = EmbeddedDictionary(_blob(rows))
    _agree(data, ["pear", "apple", "fig", "plum"])
    entry = data.get("PEAR")
    assert entry is not None and entry.word == "pear"


@pytest.mark.parametrize("keys", [["a"], ["a", "b", "c"]])
def test_a_key_block_not_matching_the_rows_is_refused(keys: list[str]) -> None:
    with pytest.raises(ValueError):
        EmbeddedDictionary(_blob(["a\t\t\tn. x", "b\t\t\tn. y"], keys=keys)).load()
