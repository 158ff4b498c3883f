"""Many posts at once: worker processes and the post cache give exactly the serial output."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from ankidigest import InputError, build_notes, export, read_posts
from ankidigest.cli import main
from ankidigest.notes.build import BuildOptions
from ankidigest.run import cache as cache_mod
from ankidigest.run import parallel
from ankidigest.write.apkg import write_apkg

from conftest import Anki, read_apkg_guids, touch

SHARED_URL = "https://news.example.org/world/2025/jan/01/shared-story"


def _post(index: int, shared: bool = False) -> str:
    lines = [
        "---",
        f'title: "Post number {index}"',
        f"date: 2025-01-{index % 28 + 1:02d}",
        f"tags: [english, t{index}]",
        "---",
        "",
        f"### Section {index}",
        "",
    ]
    for article in range(3):
        url = f"https://news.example.org/world/2025/jan/{index:02d}/story-{article}"
        lines += [f"#### [2025-01-{index % 28 + 1:02d} Story {article}]({url})", ""]
        for k in range(4):
            lines += [
                f"The **word{k}** of post {index} is **common** here. "
                f"A second sentence has **extra{article}** and =={index}marked== in it.",
                "",
            ]
    lines += ["### No article", "", "A sentence outside any article holds **loose**.", ""]
    if shared:  # the same article in two posts: occurrences run on across posts
        lines += [f"#### [Shared story]({SHARED_URL})", "", "It is **common** again.", ""]
    return "\n".join(lines)


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    for i in range(12):
        path = folder / f"2025-01-{i + 1:02d}-post-{i}.md"
        path.write_text(_post(i, shared=i in (3, 8)), encoding="utf-8")
        touch(path, 1_700_000_000 + i)
    return folder


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use worker processes even for a handful of small posts."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 2)


def _reference(inputs: list[str], out: Path, options: BuildOptions | None = None) -> bytes:
    """The plain serial pipeline: read each post, build them all together, write."""
    write_apkg(build_notes(read_posts(inputs, jobs=1), options), str(out))
    return out.read_bytes()


def test_parallel_and_cached_exports_are_byte_identical(
    posts: Path, tmp_path: Path, always_parallel: None
) -> None:
    want = _reference([str(posts)], tmp_path / "ref.apkg")
    cache = str(tmp_path / "cache")
    runs = {
        "serial": {"jobs": 1},
        "parallel": {"jobs": 2},
        "parallel, cold cache": {"jobs": 2, "cache_dir": cache},
        "parallel, warm cache": {"jobs": 2, "cache_dir": cache},
        "serial, warm cache": {"jobs": 1, "cache_dir": cache},
    }
    for name, kwargs in runs.items():
        out = tmp_path / "out.apkg"
        export([str(posts)], str(out), **kwargs)  # type: ignore[arg-type]
        assert out.read_bytes() == want, name
    # One entry per post, and one ledger: since issue 14 an export whose posts share an
    # article records one too (the posts that share are read again, the rest copied).
    assert len(list(Path(cache).rglob("*.pickle"))) == 12 + 1


def test_highlight_terms_go_through_workers_and_cache(
    posts: Path, tmp_path: Path, always_parallel: None
) -> None:
    out = tmp_path / "ref.apkg"
    reference = build_notes(read_posts([str(posts)], terms="bold+highlight", jobs=1))
    write_apkg(reference, str(out))
    want = out.read_bytes()
    assert any(n.terms == ("0marked",) for n in reference)
    assert read_posts([str(posts)], terms="bold+highlight", jobs=2) == read_posts(
        [str(posts)], terms="bold+highlight", jobs=1
    )
    cache = str(tmp_path / "cache")
    plain = export([str(posts)], str(tmp_path / "plain.json"), cache_dir=cache, jobs=2).notes
    assert not any("marked" in t for n in plain for t in n.terms)
    for _ in range(2):  # cold, then warm: the same cache must not serve the "bold" walk
        got = tmp_path / "got.apkg"
        export([str(posts)], str(got), terms="bold+highlight", cache_dir=cache, jobs=2)
        assert got.read_bytes() == want


def test_shared_article_numbers_occurrences_across_posts(
    posts: Path, tmp_path: Path, always_parallel: None
) -> None:
    result = export([str(posts)], str(tmp_path / "out.json"), jobs=2)
    keys = [n.key for n in result.notes if n.key.startswith("news.example.org/world/2025/jan/01/")]
    shared = [k for k in keys if "shared-story" in k]
    # "common" in the shared article: once in post 3, once in post 8, numbered on.
    assert shared == [
        "news.example.org/world/2025/jan/01/shared-story#common#1",
        "news.example.org/world/2025/jan/01/shared-story#common#2",
    ]


def test_parallel_read_posts_keeps_file_order(posts: Path, always_parallel: None) -> None:
    serial = read_posts([str(posts)], jobs=1)
    parallel = read_posts([str(posts)], jobs=2)
    assert parallel == serial
    assert [d.post.path for d in parallel] == sorted(str(p) for p in posts.glob("*.md"))


def test_several_posts_give_the_notes_each_gives_alone(posts: Path, tmp_path: Path) -> None:
    files = sorted(str(p) for p in posts.glob("*.md"))[:3]  # no shared article among them
    together = export(files, str(tmp_path / "all.json"), jobs=2).notes
    alone = [n for f in files for n in export([f], str(tmp_path / "one.json")).notes]
    assert [n.deck for n in together] == [f"ankidigest::{n.deck}" for n in alone]
    strip = [(n.guid, n.key, n.fields, n.tags, n.mod) for n in together]
    assert strip == [(n.guid, n.key, n.fields, n.tags, n.mod) for n in alone]
    flat = BuildOptions(deck="English")
    together = export(files, str(tmp_path / "all.json"), flat).notes
    alone = [n for f in files for n in export([f], str(tmp_path / "one.json"), flat).notes]
    assert together == tuple(alone)


def test_edited_post_is_never_served_from_cache(posts: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    out = str(tmp_path / "out.json")
    post = posts / "2025-01-05-post-4.md"
    first = export([str(posts)], out, cache_dir=cache)
    assert any("word0" in n.sentence and n.path == str(post) for n in first.notes)
    stat = post.stat()
    # Same size, same modification time: only the content tells the change.
    post.write_text(post.read_text(encoding="utf-8").replace("word0", "WORD9"), encoding="utf-8")
    os.utime(post, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert post.stat().st_size == stat.st_size
    second = export([str(posts)], out, cache_dir=cache)
    mine = [n for n in second.notes if n.path == str(post)]
    assert mine and not any("word0" in n.sentence for n in mine)
    assert any("WORD9" in n.sentence for n in mine)
    assert second.notes == tuple(build_notes(read_posts([str(posts)], jobs=1)))


def test_cache_key_covers_code_options_and_file(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache_mod.entry_key("text", "a.md", 1, ("opts",))
    assert key == cache_mod.entry_key("text", "a.md", 1, ("opts",))
    assert key != cache_mod.entry_key("text!", "a.md", 1, ("opts",))
    assert key != cache_mod.entry_key("text", "b.md", 1, ("opts",))
    assert key != cache_mod.entry_key("text", "a.md", 2, ("opts",))
    assert key != cache_mod.entry_key("text", "a.md", 1, ("other",))
    monkeypatch.setattr(cache_mod, "_code_digest", "another release")
    assert key != cache_mod.entry_key("text", "a.md", 1, ("opts",))


def test_options_and_post_count_are_part_of_the_key(posts: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    one = str(posts / "2025-01-01-post-0.md")
    export([one], str(tmp_path / "a.json"), cache_dir=cache)
    alone = export([one], str(tmp_path / "a.json"), cache_dir=cache).notes
    assert {n.deck for n in alone} == {"Post number 0"}
    both = [one, str(posts / "2025-01-02-post-1.md")]
    together = export(both, str(tmp_path / "b.json"), cache_dir=cache).notes
    assert {n.deck for n in together} == {"ankidigest::Post number 0", "ankidigest::Post number 1"}
    tagged = export([one], str(tmp_path / "c.json"), BuildOptions(tags=("x",)), cache_dir=cache)
    assert all("x" in n.tags for n in tagged.notes)


def test_broken_cache_entries_are_misses(posts: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    want = export([str(posts)], str(tmp_path / "a.json"), cache_dir=str(cache)).notes
    entries = sorted(cache.rglob("*.pickle"))
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(pickle.dumps(("some other key", "junk")))
    entries[2].write_bytes(pickle.dumps((entries[2].stem, ("not", "a", "result"))))
    got = export([str(posts)], str(tmp_path / "b.json"), cache_dir=str(cache)).notes
    assert got == want
    assert len(list(cache.rglob("*.pickle"))) == 12


def test_unwritable_cache_still_exports(posts: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    got = export([str(posts)], str(tmp_path / "a.json"), cache_dir=str(blocker / "cache")).notes
    assert got == tuple(build_notes(read_posts([str(posts)])))


def test_prune_removes_only_old_entries(tmp_path: Path) -> None:
    cache = cache_mod.PostCache(str(tmp_path))
    cache.store("aa" + "0" * 62, cache_mod.pack("aa" + "0" * 62, 1))
    cache.store("bb" + "0" * 62, cache_mod.pack("bb" + "0" * 62, 2))
    old = tmp_path / "aa" / ("aa" + "0" * 62 + ".pickle")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    assert cache.prune() == 1
    assert not old.exists()
    assert cache.load("bb" + "0" * 62) == 2


def test_worker_errors_name_the_file_and_write_nothing(
    posts: Path, tmp_path: Path, always_parallel: None, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = posts / "2025-01-06-post-5.md"
    bad.write_bytes(b"---\ntitle: x\n---\n\nline two\n\xff broken\n")
    out = tmp_path / "out.apkg"
    with pytest.raises(InputError) as err:
        export([str(posts)], str(out), jobs=2)
    assert err.value.path == str(bad) and err.value.line == 6
    assert main([str(posts), "-o", str(out), "-j", "2", "--no-cache"]) == 1
    message = capsys.readouterr().err
    assert message.startswith(f"ankidigest: error: {bad}:6: ") and "Traceback" not in message
    assert not out.exists()


def test_cli_jobs_must_be_positive(capsys: pytest.CaptureFixture[str], posts: Path) -> None:
    assert main([str(posts), "-o", "-", "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_progress_reports_every_post_then_the_write(posts: Path, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    export([str(posts)], str(tmp_path / "a.apkg"), progress=lambda *a: calls.append(a))
    reads = [c for c in calls if c[0] == "read"]
    assert reads[-1] == ("read", 12, 12)
    assert [d for _, d, _ in reads] == sorted(d for _, d, _ in reads)
    notes = len(read_apkg_guids(str(tmp_path / "a.apkg")))
    assert calls[-3:] == [("compare", 0, notes), ("write", 0, notes), ("write", notes, notes)]


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    posts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(posts), "-o", str(tmp_path / "a.apkg")]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "[" not in err and err.startswith("ankidigest: 12 posts")


@pytest.mark.anki
def test_many_posts_import_into_one_deck_per_post(posts: Path, tmp_path: Path, anki: Anki) -> None:
    out = tmp_path / "blog.apkg"
    result = export([str(posts)], str(out), jobs=2)
    log = anki.import_apkg(out)
    assert (log.new, log.updated, log.conflicting) == (len(result.notes), 0, 0)
    decks = {d.name for d in anki.col.decks.all_names_and_ids()}
    want = {f"ankidigest::Post number {i}" for i in range(12)}
    assert want <= decks
    for i in (0, 11):
        cids = anki.col.find_cards(f'"deck:ankidigest::Post number {i}"')
        assert len(cids) == sum(1 for n in result.notes if n.deck.endswith(f" {i}"))
    again = anki.import_apkg(out)
    assert (again.new, again.updated, again.duplicate) == (0, 0, len(result.notes))


def test_progress_bar_draws_one_line_and_erases_it() -> None:
    import io

    from ankidigest.run.progress import ProgressBar, render

    assert render("read", 97, 388) == "reading posts [#######-----------------------]  97/388"
    assert render("write", 0, 5000) == "writing notes: 5000 notes…"
    stream = io.StringIO()
    bar = ProgressBar(stream, delay=0, interval=0)
    bar("read", 1, 2)
    bar("read", 2, 2)
    bar.close()
    text = stream.getvalue()
    assert text.count("\r") == 3 and "\n" not in text and text.endswith("\r\x1b[K")
    quiet = io.StringIO()
    short = ProgressBar(quiet, delay=60)
    short("read", 1, 2)
    short.close()
    assert quiet.getvalue() == ""


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 25_000])
@pytest.mark.parametrize("library", ["isal", "zlib"])
def test_zip_pieces_deflated_apart_read_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, library: str
) -> None:
    import random
    import zipfile
    import zlib

    from ankidigest.write import zipout

    if library == "zlib":  # where isal cannot be imported
        monkeypatch.setattr(zipout, "deflater", lambda: zlib)
    else:
        assert zipout.deflater().__name__ == "isal.isal_zlib"  # a dependency: installed
    monkeypatch.setattr(zipout, "CHUNK", 1000)  # many pieces, each primed by the last
    rng = random.Random(size)
    words = [bytes(rng.choice(b"abcdefgh") for _ in range(5)) for _ in range(40)]
    data = b" ".join(rng.choice(words) for _ in range(size))[:size]
    source = tmp_path / "data.bin"
    source.write_bytes(data)
    out = tmp_path / "out.zip"
    zipout.write_zip(str(out), [("from-file", str(source)), ("from-bytes", data)], 1)
    first = out.read_bytes()
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        assert archive.read("from-file") == data == archive.read("from-bytes")
        info = archive.getinfo("from-file")
        assert info.date_time == (1980, 1, 1, 0, 0, 0) and info.external_attr >> 16 == 0o100644
    zipout.write_zip(str(out), [("from-file", str(source)), ("from-bytes", data)], 1)
    assert out.read_bytes() == first


def _latin_share_by_loop(text: str) -> float:
    latin = other = 0
    for ch in text:
        if ch.isalpha():
            if ord(ch) < 0x250:
                latin += 1
            elif ord(ch) >= 0x370:
                other += 1
    return latin / (latin + other) if latin + other else 1.0


def _glued_by_loop(line: str) -> int:
    from ankidigest.terms import translation

    for i, ch in enumerate(line):
        if not (ch in translation._OPENERS or (ch.isalpha() and ord(ch) >= 0x370)):
            continue
        if ch in '("“' and (i + 1 >= len(line) or not translation.is_foreign(line[i + 1 : i + 2])):
            continue
        head, tail = line[:i], line[i:]
        if len(translation._LATIN_WORD.findall(head)) >= 2 and translation.is_foreign(tail):
            return i
    return len(line)


_MIXED = 'abcXYZ éñßĳ ɐʃˈ ̃ αβΩ жЯ 中文字。！？ （【「『《("“”）」 12_-–.,;:!?\n'


@pytest.mark.parametrize("seed", range(300))
def test_translation_fast_paths_equal_the_character_loops(seed: int) -> None:
    import random

    from ankidigest.terms import translation

    rng = random.Random(seed)
    pool = _MIXED if seed % 3 else "abcdefg hij, “quoted” – klm. "  # mostly Latin too
    text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 60)))
    if seed % 5 == 0:
        text = "The English words here " + text  # glued translations need 2 Latin words
    assert translation.latin_share(text) == _latin_share_by_loop(text)
    for line in text.split("\n"):
        assert translation._glued_translation(line) == _glued_by_loop(line)


def test_prior_fields_share_the_new_notes_strings(posts: Path, tmp_path: Path) -> None:
    from ankidigest.update.prior import load_prior, read_prior

    out = tmp_path / "out.apkg"
    notes = export([str(posts)], str(out)).notes
    path, shared, _ = load_prior(str(out), None, notes)
    assert path == str(out) and shared == read_prior(str(out))
    held = {id(value) for note in notes for value in note.fields}
    for note in notes:
        before = shared[note.guid]
        assert before.fields == note.fields
        assert all(id(value) in held for value in before.fields)  # not a second copy


def test_encoding_goes_through_workers_and_cache(
    posts: Path, tmp_path: Path, always_parallel: None
) -> None:
    for path in posts.glob("*.md"):
        text = path.read_text(encoding="utf-8").replace("word0", "café0")
        path.write_bytes(text.encode("cp1252"))
    want = build_notes(read_posts([str(posts)], encoding="cp1252", jobs=1))
    assert any(n.terms == ("café0",) for n in want)
    assert read_posts([str(posts)], encoding="cp1252", jobs=2) == read_posts(
        [str(posts)], encoding="cp1252", jobs=1
    )
    cache = str(tmp_path / "cache")
    for _ in range(2):  # cold, then warm
        got = export([str(posts)], str(tmp_path / "a.json"), encoding="cp1252", cache_dir=cache)
        assert got.notes == tuple(want)
    with pytest.raises(InputError):  # not UTF-8: the cache must not hide that
        export([str(posts)], str(tmp_path / "b.json"), cache_dir=cache, jobs=2)


@pytest.mark.parametrize("library", ["isal", "zlib"])
def test_read_entry_inflates_checks_and_reads_stored_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    import zipfile
    import zlib

    from ankidigest.write import zipout

    if library == "zlib":
        monkeypatch.setattr(zipout, "deflater", lambda: zlib)
    data = b"".join(b"line %d of a collection\n" % i for i in range(50_000))
    out = tmp_path / "out.zip"
    zipout.write_zip(str(out), [("big", data), ("empty", b"")], 1)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("stored", data)
    for name, want in (("big", data), ("empty", b""), ("stored", data)):
        assert b"".join(zipout.read_entry(str(out), name, 4096)) == want
    with pytest.raises(KeyError):
        list(zipout.read_entry(str(out), "missing"))
    # One byte changed inside the deflated data: the CRC (or the inflater) notices.
    with zipfile.ZipFile(out) as archive:
        info = archive.getinfo("big")
    raw = bytearray(out.read_bytes())
    raw[info.header_offset + 30 + len("big") + info.compress_size // 2] ^= 0x55
    out.write_bytes(bytes(raw))
    with pytest.raises((zipfile.BadZipFile, zlib.error)):
        list(zipout.read_entry(str(out), "big", 4096))
