"""The data file's stored table (format 2, ``ankidigest/enrich/datafile.py``) against the
table computed from its rows (``datafile.block_ends``, the reference path), and a wrong
table never giving a wrong row."""

from __future__ import annotations

import importlib.util
import mmap
import os
import random
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from ankidigest.enrich import datafile
from ankidigest.enrich.dictionary import EmbeddedDictionary, embedded
from ankidigest.enrich.entry import from_fields

REPO = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    path = REPO / "scripts" / "build_dictionary.py"
    spec = importlib.util.spec_from_file_location("build_dictionary", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _script()


def _layout(raw: bytes) -> tuple[int, int, int, list[int]]:
    """keys offset, block, first row, the stored table."""
    keys_at, stored = datafile._header(raw)
    assert stored is not None
    block, start, ends = stored
    return keys_at, block, start, list(ends)


def _rows(seed: int, count: int) -> list[list[str]]:
    """Rows as the build writes them: sorted by key, the lower-case word first; some keys
    twice (``word`` then ``Word``: the first wins), rows of every length."""
    rng = random.Random(seed)
    words = {"".join(rng.choices("abcé-", k=rng.randint(1, 7))) for _ in range(count)}
    rows = []
    for word in sorted(words):
        rows.append([word, "/x/", "d" * rng.randint(0, 40), f"n. 乙{word}", *[""] * 6])
        if rng.random() < 0.3:
            rows.append([word.capitalize(), "", "", f"n. 甲{word}", *[""] * 6])
    return rows


def _agree(data: datafile.Buffer) -> datafile.Index:
    """Every key (and a few misses) gives the reference's row; returns the index."""
    reference = datafile.reference(data)
    index = datafile.Index(data)
    assert set(index) == set(reference)
    for key, row in reference.items():
        assert index.get(key) == row, key
    assert index.get("zzzz") is None
    return index


def test_the_shipped_table_is_the_computed_one(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = embedded()._blob()[:]  # bytes (the load maps the file)
    keys_at, block, start, ends = _layout(raw)
    assert block == datafile.BLOCK
    assert raw.find(b"\n\n", keys_at) == start - 2  # the header's offset of the rows
    end = len(raw) - 1
    assert raw[end:] == b"\n" and raw[end - 1] != ord("\n")
    assert ends == datafile.block_ends(raw, start, end, block)
    # every row's word is its key (what the check of a hit relies on)
    words = raw[keys_at : start - 2].decode("utf-8").split("\n")
    assert [datafile._key_of(row) for row in raw[start:end].split(b"\n")] == words
    # and the load takes it: no counting
    monkeypatch.setattr(datafile, "block_ends", None)
    index = datafile.Index(raw)
    assert index._table[2] and index.get("peace") == datafile.reference(raw)["peace"]


def test_the_shipped_file_is_what_the_build_writes_of_its_rows() -> None:
    raw = embedded()._blob()[:]
    _, _, start, _ = _layout(raw)
    rows = [line.decode("utf-8").split("\t") for line in raw[start:-1].split(b"\n")]
    assert build.data_file(rows) == raw


@pytest.mark.parametrize("block", [1, 2, 7, 64, datafile.BLOCK])
@pytest.mark.parametrize("count", [1, 2, 17, 300])
def test_the_build_writes_the_computed_table(block: int, count: int) -> None:
    data = build.data_file(_rows(count, count), block)
    _, stored_block, start, ends = _layout(data)
    assert stored_block == block
    assert ends == datafile.block_ends(data, start, len(data) - 1, block)
    index = _agree(data)
    assert index._table[2]  # still the stored one: nothing found wrong


def _with_table(data: bytes, ends: list[int], header: bytes | None = None) -> bytes:
    line = data.index(b"\n")
    table_end = data.index(b"\n", line + 1)
    table = " ".join(f"{n:08x}" for n in ends).encode()
    return (header or data[: line + 1]) + table + data[table_end:]


@pytest.mark.parametrize("seed", range(6))
def test_every_wrong_entry_of_the_table_is_caught(seed: int) -> None:
    # each entry off by one or two in turn (most still in order and summing right): every
    # key still gets its own row, and a table giving a wrong row is replaced
    data = build.data_file(_rows(seed, 40), 5 + seed)
    _, _, _, ends = _layout(data)
    caught = 0
    for k in range(1, len(ends)):
        for delta in (-2, -1, 1, 2):
            wrong = ends.copy()
            wrong[k] += delta
            if wrong[k] < 0:
                continue
            index = _agree(_with_table(data, wrong))
            caught += not index._table[2]
    assert caught > 0


def test_a_wrong_row_of_a_key_of_two_rows_is_caught() -> None:
    # "ad" then "Ad": a table one short before a block walks one row too far, and from
    # "ad" that is "Ad", a row of the same key; the row before it (also "ad") tells
    words = ["aa", "ab", "ad", "Ad", "ae", "af"]
    rows = [[w, "", "", f"n. {n}", *[""] * 6] for n, w in enumerate(words)]
    data = build.data_file(rows, 8)
    _, _, _, ends = _layout(data)
    tried = 0
    for k in range(1, len(ends)):
        wrong = ends.copy()
        wrong[k] -= 1
        index = datafile.Index(_with_table(data, wrong))
        if not index._table[2]:
            continue  # out of order (or negative): computed at the load
        span = index._span(2, index._table)
        if span is None or not data[span[0] : span[1]].startswith(b"Ad\t"):
            continue
        tried += 1
        assert index.get("ad") == b"ad\t\t\tn. 2" + b"\t" * 6
        assert not index._table[2]  # found wrong at that hit
    assert tried


@pytest.mark.parametrize(
    "header",
    [
        b"ankidigest-ecdict\t3\t5\t%010d\n",  # another format
        b"ankidigest-ecdict\t2\t6\t%010d\n",  # another block size
        b"ankidigest-ecdict\t2\t0\t%010d\n",
        b"ankidigest-ecdict\t2\t5\tx%09d\n",
        b"ankidigest-ecdict\t2\t5\t%010d\textra\n",
    ],
)
def test_a_header_that_does_not_fit_gets_the_table_computed(header: bytes) -> None:
    data = build.data_file(_rows(3, 60), 5)
    _, _, start, ends = _layout(data)
    index = _agree(_with_table(data, ends, header.replace(b"%010d", b"%010d" % start)))
    assert not index._table[2]


@pytest.mark.parametrize("shift", [-3, -1, 1, 2, 10**6])
def test_a_wrong_offset_of_the_rows_gets_the_table_computed(shift: int) -> None:
    data = build.data_file(_rows(4, 60), 5)
    _, _, start, ends = _layout(data)
    header = b"ankidigest-ecdict\t2\t5\t%010d\n" % (start + shift)
    assert not _agree(_with_table(data, ends, header))._table[2]


@pytest.mark.parametrize(
    "table",
    [b"", b"0000000", b"zz", b"00000000 ", "é".encode(), b"00000000 00000001 0000"],
)
def test_a_table_that_does_not_parse_or_fit_gets_computed(table: bytes) -> None:
    data = build.data_file(_rows(5, 60), 5)
    line = data.index(b"\n")
    bad = data[: line + 1] + table + data[data.index(b"\n", line + 1) :]
    assert not _agree(bad)._table[2]


def test_a_table_out_of_order_or_of_another_total_gets_computed() -> None:
    data = build.data_file(_rows(6, 60), 5)
    _, _, _, ends = _layout(data)
    k = next(k for k in range(1, len(ends) - 1) if ends[k] < ends[k + 1])
    for wrong in (
        [*ends[:k], ends[k + 1], ends[k], *ends[k + 2 :]],  # out of order
        [*ends[:-1], ends[-1] + 1],  # one row more than the keys
        [1, *ends[1:]],
        ends[:-1],
        [*ends, ends[-1]],
    ):
        assert not _agree(_with_table(data, wrong))._table[2]


def test_a_header_without_its_table_line_is_refused() -> None:
    with pytest.raises(ValueError):
        EmbeddedDictionary(b"ankidigest-ecdict\t2\t5\t0000000030").load()


def test_a_stored_table_on_keys_that_do_not_match_their_rows_is_the_computed_answer() -> None:
    # not what the build writes: the hit check finds the first row's word is not its key,
    # takes the computed table, and answers what the reference does
    data = build.data_file(_rows(7, 30), 5)
    keys_at, _, start, _ = _layout(data)
    keys = data[keys_at : start - 2].split(b"\n")
    renamed = b"\n".join([b"!" + keys[0], *keys[1:]])  # still sorted
    bad = data[:keys_at] + renamed + data[start - 2 :]
    bad = bad.replace(b"\t%010d\n" % start, b"\t%010d\n" % (start + 1), 1)
    index = _agree(bad)
    assert not index._table[2]
    entry = EmbeddedDictionary(bad).get("!" + keys[0].decode())
    assert entry == from_fields(data[start : data.index(b"\n", start)].decode().split("\t"))


def test_the_file_is_mapped_where_it_is_a_file_else_read(tmp_path: Path) -> None:
    path = build.write_data(_rows(9, 50), tmp_path)
    mapped = datafile.read(path)
    assert isinstance(mapped, mmap.mmap) == (os.name == "posix")
    with zipfile.ZipFile(tmp_path / "pkg.zip", "w") as zf:  # a package imported from a zip
        zf.write(path, "data/ecdict.tsv")
    with zipfile.ZipFile(tmp_path / "pkg.zip") as zf:
        zipped = datafile.read(zipfile.Path(zf, "data/ecdict.tsv"))
    assert isinstance(zipped, bytes) and zipped == mapped[:] == path.read_bytes()
    index = _agree(mapped)  # the same answers from the mapping as from the bytes
    assert index._table[2]
    from_bytes = datafile.Index(zipped)
    for key in datafile.reference(zipped):
        assert index.get(key) == from_bytes.get(key)
    (tmp_path / "empty").write_bytes(b"")
    assert datafile.read(tmp_path / "empty") == b""  # no mapping of an empty file


def test_the_build_leaves_no_gzip_file_of_before(tmp_path: Path) -> None:
    for stale in build.STALE:
        (tmp_path / stale).write_bytes(b"old")
    path = build.write_data(_rows(8, 20), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ecdict.tsv", "ecdict.tsv.sha256"]
    assert datafile.Index(path.read_bytes())._table[2]
