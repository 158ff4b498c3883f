"""User dictionaries (ECDICT CSV, StarDict) are read and consulted before the embedded one."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest

from ankidigest.enrich import Enricher
from ankidigest.enrich.userdict import DictionaryError, load, load_csv, load_stardict

CSV = (
    "word,phonetic,definition,translation,pos,collins,oxford,tag,bnc,frq,exchange,detail,audio\n"
    'stem,stem,v. stop the flow,"vt. 我的阻止\\nn. 我的茎",,,,cet4,10,20,,,\n'
)


def write_stardict(folder: Path, entries: dict[str, str], dz: bool) -> Path:
    data = b""
    idx = b""
    for word in sorted(entries):
        body = entries[word].encode("utf-8")
        idx += word.encode("utf-8") + b"\0" + struct.pack(">II", len(data), len(body))
        data += body
    ifo = folder / "tiny.ifo"
    ifo.write_text(
        "StarDict's dict ifo file\nversion=2.4.2\nbookname=tiny\n"
        f"wordcount={len(entries)}\nidxfilesize={len(idx)}\nsametypesequence=m\n",
        encoding="utf-8",
    )
    (folder / "tiny.idx").write_bytes(idx)
    if dz:
        (folder / "tiny.dict.dz").write_bytes(gzip.compress(data))
    else:
        (folder / "tiny.dict").write_bytes(data)
    return ifo


def test_csv_user_dict_comes_first(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(CSV, encoding="utf-8")
    assert len(load_csv(path)) == 1
    enricher = Enricher(dicts=[load(path)])
    sentence = "struggling to stem the offensive"
    result = enricher.enrich("stem", sentence, 14, 18)
    assert result is not None
    assert result.gloss.split("\n")[0] == "vt. 我的阻止"
    assert result.levels == ("cet4",) and result.frequency == 20


@pytest.mark.parametrize("dz", [False, True])
def test_stardict(tmp_path: Path, dz: bool) -> None:
    ifo = write_stardict(
        tmp_path, {"zorbify": "/'zɔ:bifai/\nvt. 使变成佐布", "apple": "n. 苹果"}, dz
    )
    dictionary = load_stardict(ifo)
    entry = dictionary.get("zorbify")
    assert entry is not None and entry.phonetic == "ˈzɔːbifai"
    enricher = Enricher(dicts=[dictionary], use_embedded=False)
    result = enricher.enrich("zorbify", "they zorbify it", 5, 12)
    assert result is not None and result.gloss == "vt. 使变成佐布" and result.pos == "verb"


def test_bad_user_dicts(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=r"x\.csv"):
        load(bad)
    with pytest.raises(DictionaryError, match="missing"):
        load_stardict(tmp_path / "none.ifo")
    with pytest.raises(DictionaryError, match="unknown dictionary format"):
        load(tmp_path / "x.txt")
