"""User dictionaries (``--dict FILE``): an ECDICT-format CSV or a StarDict dictionary.

Both load into a ``MemoryDictionary`` that the ``Enricher`` consults before the embedded
data. StarDict: give the ``.ifo`` file (or any of its three files); the ``.idx`` and the
``.dict`` or ``.dict.dz`` beside it are read. Only plain-text entry types are supported
(``sametypesequence`` m, t, y, x or h; markup is stripped).
"""

from __future__ import annotations

import csv
import gzip
import re
import struct
from pathlib import Path

from ..errors import AnkidigestError
from .dictionary import MemoryDictionary, normalised
from .entry import Entry, from_fields

_COLUMNS = ("word", "phonetic", "definition", "translation", "tag", "bnc", "frq", "exchange")
_TAGS = re.compile(r"<[^>]+>")


class DictionaryError(AnkidigestError):
    """A user dictionary cannot be read."""

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(f"{path}: {message}")


def load_csv(path: str | Path) -> MemoryDictionary:
    """An ECDICT-format CSV with a header row naming at least ``word`` and ``translation``."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            if "word" not in header or "translation" not in header:
                raise DictionaryError(path, "not an ECDICT CSV: needs 'word' and 'translation'")
            entries = []
            for row in reader:
                fields = [(row.get(c) or "").replace("\n", "\\n") for c in _COLUMNS]
                fields += [row.get("collins") or "", row.get("oxford") or ""]
                if fields[0].strip():
                    entries.append(normalised(from_fields(fields)))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DictionaryError(path, f"cannot read: {exc}") from exc
    return MemoryDictionary(entries)


def _stardict_files(path: Path) -> tuple[Path, Path, Path]:
    name = path.name
    for suffix in (".ifo", ".idx", ".dict.dz", ".dict"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    base = path.with_name(name)
    ifo, idx = base.with_name(name + ".ifo"), base.with_name(name + ".idx")
    data = base.with_name(name + ".dict.dz")
    if not data.exists():
        data = base.with_name(name + ".dict")
    for needed in (ifo, idx, data):
        if not needed.exists():
            raise DictionaryError(path, f"StarDict file missing: {needed.name}")
    return ifo, idx, data


def load_stardict(path: str | Path) -> MemoryDictionary:
    """A StarDict dictionary: ``.ifo`` + ``.idx`` + ``.dict`` (or dictzip'd ``.dict.dz``)."""
    ifo, idx, data_path = _stardict_files(Path(path))
    try:
        info = dict(
            line.split("=", 1)
            for line in ifo.read_text(encoding="utf-8").splitlines()
            if "=" in line
        )
        index = idx.read_bytes()
        raw = data_path.read_bytes()
        data = gzip.decompress(raw) if data_path.suffix == ".dz" else raw
    except (OSError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise DictionaryError(path, f"cannot read: {exc}") from exc
    types = info.get("sametypesequence", "m")
    if not set(types) <= set("mtyxh"):
        raise DictionaryError(path, f"unsupported StarDict entry types {types!r}")
    wide = info.get("idxoffsetbits") == "64"
    fmt, width = (">QI", 12) if wide else (">II", 8)
    entries: list[Entry] = []
    pos = 0
    while pos < len(index):
        end = index.index(b"\0", pos)
        word = index[pos:end].decode("utf-8")
        offset, size = struct.unpack_from(fmt, index, end + 1)
        pos = end + 1 + width
        text = _TAGS.sub("", data[offset : offset + size].decode("utf-8", "replace"))
        phonetic = ""
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if lines and lines[0].startswith(("/", "[")) and lines[0].endswith(("/", "]")):
            phonetic = lines.pop(0).strip("/[]")
        fields = [word, phonetic, "", "\\n".join(lines)]
        entries.append(normalised(from_fields(fields)))
    return MemoryDictionary(entries)


def load(path: str | Path) -> MemoryDictionary:
    """Load a user dictionary by its file name: ``.csv`` or a StarDict file."""
    name = str(path).lower()
    if name.endswith(".csv"):
        return load_csv(path)
    if name.endswith((".ifo", ".idx", ".dict", ".dict.dz")):
        return load_stardict(path)
    raise DictionaryError(path, "unknown dictionary format: give a .csv or a StarDict .ifo")
