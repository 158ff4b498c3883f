"""Re-exports that copy unchanged posts from the previous package (reuse.py) give exactly
what reading everything gives: the same package bytes, notes, report and Documents."""

from __future__ import annotations

import dataclasses
import random
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from ankidigest import InputError, UsageError, export
from ankidigest.api import ExportResult
from ankidigest.model import NoteSpec
from ankidigest.notes.build import BuildOptions
from ankidigest.run import jobs as stage_mod
from ankidigest.run.cache import PostCache, pack, unpack
from ankidigest.run.reuse import LazyNotes, Ledger, PostRun, Reuse, load_ledger, store_ledger
from ankidigest.update.prior import PriorPackage
from ankidigest.write.apkg import Copied

from conftest import FUZZ, Anki, touch


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[None]:
    """Changed notes carry the export time: the same for both paths (and every run).
    Its own MonkeyPatch, as the tests undo theirs between steps."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1760000000")
        yield


WORDS = "river stone market harbour ladder window garden pocket candle mirror".split()


def _sentence(rng: random.Random, post: int, k: int) -> str:
    a, b = rng.sample(WORDS, 2)
    if rng.random() < 0.3:
        return f"In post {post} the **{a}** met the **{b}** number {k}."
    return f"Line {k} of post {post} names a **{a}** by the {b}."


def _post(rng: random.Random, post: int) -> str:
    lines = ["---", f'title: "Post {post}"', f"date: 2025-03-{post % 28 + 1:02d}", "---", ""]
    for article in range(rng.randint(1, 3)):
        url = f"https://news.example.org/p{post}/a{article}"
        lines += [f"#### [2025-03-01 Story {article}]({url})", ""]
        lines += [_sentence(rng, post, k) + "\n" for k in range(rng.randint(1, 4))]
    return "\n".join(lines)


def _edit(rng: random.Random, folder: Path, counter: list[int]) -> str:
    """One random change to the blog; returns what it was (for failure messages)."""
    files = sorted(folder.glob("*.md"))
    kinds = ["word", "unbold", "bold", "add", "delete", "touch", "none", "shuffle", "url"]
    kind = rng.choice(kinds)
    target = rng.choice(files)
    text = target.read_text(encoding="utf-8")
    if kind == "word":
        target.write_text(text.replace(" names a ", " calls a ", 1), encoding="utf-8")
    elif kind == "unbold" and "**" in text:
        start = text.index("**")
        end = text.index("**", start + 2)
        target.write_text(text[:start] + text[start + 2 : end] + text[end + 2 :], "utf-8")
    elif kind == "url":  # an article's URL corrected: its notes move (issue 14)
        target.write_text(text.replace("/a0)", "/a0-fixed)", 1), encoding="utf-8")
    elif kind == "bold":
        target.write_text(text.replace(" the ", " the **very** ", 1), encoding="utf-8")
    elif kind == "add":
        counter[0] += 1
        (folder / f"post-{counter[0]:03d}.md").write_text(_post(rng, counter[0]), "utf-8")
    elif kind == "delete" and len(files) > 2:
        target.unlink()
    elif kind == "touch":
        touch(target, 1_750_000_000 + rng.randint(0, 10_000))
    elif kind == "shuffle":  # rewrite a post from scratch: most of its notes change
        target.write_text(_post(rng, counter[0] + 100), encoding="utf-8")
    return f"{kind} {target.name}"


def _blog(tmp_path: Path, rng: random.Random, posts: int) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    for i in range(posts):
        path = folder / f"post-{i:03d}.md"
        path.write_text(_post(rng, i), encoding="utf-8")
        touch(path, 1_700_000_000 + i)
    return folder


def _drop_post_entries(cache: Path) -> None:
    """Delete the posts' cache entries, keeping the ledgers."""
    for entry in cache.rglob("*.pickle"):
        value = unpack(entry.read_bytes())
        if not (isinstance(value, tuple) and len(value) == 4 and value[0] == 1):
            entry.unlink()


class Loads:
    """Counts the posts an export looks up and walks (a job each), or loads when asked
    for (a reused post's notes); a reused post is neither looked up nor walked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        load, walk = stage_mod._load, stage_mod._walk_build

        def counted_load(*args: object) -> object:
            if args[1] is not None:
                self.count += 1
            return load(*args)  # type: ignore[arg-type]

        def counted_walk(*args: object) -> object:
            self.count += 1
            return walk(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(stage_mod, "_load", counted_load)
        monkeypatch.setattr(stage_mod, "_walk_build", counted_walk)


def _plain(notes: Sequence[NoteSpec]) -> list[NoteSpec]:
    # A note gone from the posts names the package it came from: the two runs' differ.
    return [dataclasses.replace(n, path="") if n.line == 0 else n for n in notes]


def _same(reused: ExportResult, full: ExportResult) -> None:
    assert isinstance(full.notes, tuple)
    assert _plain(reused.notes) == _plain(full.notes)
    if not any(n.line == 0 for n in full.notes):
        assert reused.notes == full.notes
    for name in ("new", "changed", "unchanged", "removed", "marked", "kept"):
        assert _plain(getattr(reused.report, name)) == _plain(getattr(full.report, name)), name
    assert list(reused.documents) == list(full.documents)
    counts = (reused.articles, reused.terms, reused.skipped)
    assert counts == (full.articles, full.terms, full.skipped)


def _both(
    folder: Path,
    tmp_path: Path,
    prior: bytes | None,
    options: BuildOptions | None = None,
    mark_removed: bool = False,
    force: bool = False,
) -> tuple[bytes, ExportResult, ExportResult]:
    """Export with the cache (reusing what it can) and without, from the same prior."""
    cached, plain = tmp_path / "cached.apkg", tmp_path / "plain.apkg"
    for out in (cached, plain):
        out.unlink(missing_ok=True)
        if prior is not None:
            out.write_bytes(prior)
    cache = str(tmp_path / "c")
    reused = export(
        [str(folder)],
        str(cached),
        options,
        mark_removed=mark_removed,
        jobs=1,
        cache_dir=cache,
        force=force,
    )
    full = export(
        [str(folder)], str(plain), options, mark_removed=mark_removed, jobs=1, force=force
    )
    assert cached.read_bytes() == plain.read_bytes()
    return cached.read_bytes(), reused, full


@pytest.mark.parametrize("seed", range(FUZZ or 8))  # ANKIDIGEST_FUZZ=N: N random blogs
def test_reusing_exports_equal_full_exports_through_random_edits(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed + 1000 * FUZZ)
    folder = _blog(tmp_path, rng, 6)
    counter = [50]
    package, _, _ = _both(folder, tmp_path, None)
    reused_any = False
    for step in range(8):
        what = _edit(rng, folder, counter)
        loads = Loads(monkeypatch)
        mark = rng.random() < 0.3
        package, reused, full = _both(folder, tmp_path, package, mark_removed=mark)
        posts = len(list(folder.glob("*.md")))
        # The full export (no cache) walks every post; the cached one looks up (and
        # walks if missing) every post it does not reuse (and all of them again when two
        # posts now share a scope, to build them all together).
        reused_any = reused_any or loads.count < 2 * posts
        assert loads.count <= 4 * posts, (step, what)
        _same(reused, full)
        monkeypatch.undo()
    assert reused_any


def test_notes_that_kept_a_prior_key_are_copied_as_the_full_path_writes_them(
    tmp_path: Path,
) -> None:
    """A note matched to a prior note of another key (the first of two occurrences
    unbolded, an article URL corrected) is recorded with the key it was built under; a
    later export that copies its post gives the same package and notes as the full one."""
    folder = tmp_path / "posts"
    folder.mkdir()
    one = folder / "a.md"
    one.write_text(
        "---\ntitle: A\n---\n\n#### [S](https://example.org/s)\n\n"
        "The **river** rose at dawn.\n\nThe **river** fell at dusk.\n",
        encoding="utf-8",
    )
    two = folder / "b.md"
    two.write_text("---\ntitle: B\n---\n\nA **stone** here.\n", encoding="utf-8")
    package, _, _ = _both(folder, tmp_path, None)
    one.write_text(
        one.read_text(encoding="utf-8")
        .replace("**river** rose", "river rose")
        .replace("example.org/s)", "example.org/s-fixed)"),
        encoding="utf-8",
    )
    package, reused, full = _both(folder, tmp_path, package)
    _same(reused, full)
    assert [n.built for n in full.report.moved] == ["example.org/s-fixed#river#1"]
    assert full.report.moved[0].key == "example.org/s#river#2"
    two.write_text(two.read_text(encoding="utf-8") + "One **ladder** more.\n", "utf-8")
    package, reused, full = _both(folder, tmp_path, package)
    assert isinstance(reused.notes, LazyNotes)  # a.md was copied
    _same(reused, full)
    assert [n.key for n in full.notes if n.path == str(one)] == ["example.org/s#river#2"]


def test_one_changed_post_is_the_only_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _blog(tmp_path, random.Random(1), 8)
    cache = str(tmp_path / "c")
    out = tmp_path / "out.apkg"
    export([str(folder)], str(out), cache_dir=cache, jobs=1)
    post = folder / "post-003.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more **ladder** here.\n", "utf-8")
    loads = Loads(monkeypatch)
    result = export([str(folder)], str(out), cache_dir=cache, jobs=1)
    assert loads.count == 1  # only post-003 was looked up (a miss) and walked
    assert isinstance(result.notes, LazyNotes)
    assert [n.path for n in result.report.new] == [str(post)]
    loads.count = 0
    assert len(list(result.notes)) == len(result.notes) > 8  # the others load when asked
    assert loads.count == 7


def test_an_altered_previous_package_is_read_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _blog(tmp_path, random.Random(2), 5)
    package, _, _ = _both(folder, tmp_path, None)
    # Someone edits a field in the package: its digest no longer matches any ledger.
    altered = tmp_path / "altered.apkg"
    work = tmp_path / "work"
    with zipfile.ZipFile(tmp_path / "cached.apkg") as archive:
        archive.extractall(work)
    conn = sqlite3.connect(work / "collection.anki2")
    conn.execute("UPDATE notes SET flds = replace(flds, 'Post 1', 'Post one')")
    conn.commit()
    conn.close()
    with zipfile.ZipFile(altered, "w") as archive:
        for name in ("collection.anki2", "media"):
            archive.write(work / name, name)
    loads = Loads(monkeypatch)
    _, reused, full = _both(folder, tmp_path, altered.read_bytes())
    assert loads.count == 2 * 5  # nothing reused
    _same(reused, full)
    assert reused.report.changed  # the altered notes are sent again
    assert package != altered.read_bytes()


def test_reused_notes_load_by_walking_when_the_cache_entries_are_gone(
    tmp_path: Path,
) -> None:
    folder = _blog(tmp_path, random.Random(3), 5)
    package, _, _ = _both(folder, tmp_path, None)
    post = folder / "post-001.md"
    post.write_text(post.read_text(encoding="utf-8").replace(" by the ", " near the "), "utf-8")
    _drop_post_entries(tmp_path / "c")
    _, reused, full = _both(folder, tmp_path, package)
    assert isinstance(reused.notes, LazyNotes)
    _same(reused, full)


def test_a_reused_post_changed_before_its_notes_are_asked_for(tmp_path: Path) -> None:
    folder = _blog(tmp_path, random.Random(4), 4)
    cache = tmp_path / "c"
    out = tmp_path / "out.apkg"
    export([str(folder)], str(out), cache_dir=str(cache), jobs=1)
    touch(folder / "post-000.md", 1_760_000_000)  # post-000 is read again, the rest reused
    result = export([str(folder)], str(out), cache_dir=str(cache), jobs=1)
    _drop_post_entries(cache)
    (folder / "post-002.md").write_text("Now **different** text.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"post-002\.md: changed while it was being exported"):
        list(result.notes)


def test_shared_scopes_read_the_posts_sharing_and_sentence_groups_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 changed this: posts sharing an article are built together, and the
    others are still copied (it read every post)."""
    folder = _blog(tmp_path, random.Random(5), 4)
    package, _, _ = _both(folder, tmp_path, None)
    # post-002 now holds an article of post-000: occurrences run across posts.
    shared = (folder / "post-000.md").read_text(encoding="utf-8").split("####", 2)[1]
    extra = "\n####" + shared
    (folder / "post-002.md").write_text(
        (folder / "post-002.md").read_text(encoding="utf-8") + extra, encoding="utf-8"
    )
    loads = Loads(monkeypatch)
    package, reused, full = _both(folder, tmp_path, package)
    # The full export walks the 4 posts; the reusing one walks post-002 (changed) and
    # loads post-000 (it shares an article with post-002 now), and copies the others.
    assert loads.count == 4 + 2
    _same(reused, full)
    monkeypatch.undo()
    for _ in range(2):  # both were built together: read again, the others copied
        (folder / "post-003.md").write_text(
            (folder / "post-003.md").read_text(encoding="utf-8") + "\nA **window** more.\n",
            encoding="utf-8",
        )
        loads = Loads(monkeypatch)
        package, reused, full = _both(folder, tmp_path, package)
        assert loads.count == 4 + 3
        _same(reused, full)
        monkeypatch.undo()
    sentence = BuildOptions(group="sentence")
    # Switching --group on an existing output needs force (issue 14).
    with pytest.raises(UsageError, match="exported with --group term"):
        _both(folder, tmp_path, package, sentence)
    package, _, _ = _both(folder, tmp_path, package, sentence, force=True)
    loads = Loads(monkeypatch)
    _, reused, full = _both(folder, tmp_path, package, sentence)
    assert loads.count == 2 * 4  # looked up and found in the cache, every post
    _same(reused, full)


def test_ledger_round_trip_and_junk(tmp_path: Path) -> None:
    cache = PostCache(str(tmp_path / "c"))
    ledger = Ledger(5000, 3, (PostRun("k", 3, 4, ("d",), frozenset({"s"}), (1, 3, 0)),))
    store_ledger(cache, "abc", ledger)
    assert load_ledger(cache, "abc") == ledger
    assert load_ledger(cache, "abd") is None
    assert ledger.runs() == {"k": Copied(5000, 3, 5003, 4, 1, ("d",))}
    (entry,) = (tmp_path / "c").rglob("*.pickle")
    row = ("k", 3, 4, ("d",), frozenset(), (1, 3, 0))
    for junk in (
        "text",
        (1, 2),
        (2, 5000, 3, (row,)),  # another version
        (1, 5000, 3, ((*row[:1], -1, *row[2:]),)),  # a negative count
        (1, 5000, 2, (row,)),  # more notes in the runs than in the package
        (1, "5000", 3, (row,)),
    ):
        entry.write_bytes(pack(entry.stem, junk))
        assert load_ledger(cache, "abc") is None, junk


def test_clashes_finds_a_guid_of_a_copied_run(tmp_path: Path) -> None:
    folder = _blog(tmp_path, random.Random(6), 3)
    out = tmp_path / "out.apkg"
    export([str(folder)], str(out), jobs=1)
    with zipfile.ZipFile(out) as archive:
        db = tmp_path / "col.anki2"
        db.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, guid FROM notes ORDER BY id").fetchall()
    conn.close()
    first, last = rows[0], rows[-1]
    with PriorPackage(str(out)) as package:
        reuse = Reuse(PostCache(str(tmp_path / "c")), package)
        reuse.db, _ = package.collection()
        run = Copied(first[0], 1, 0, 0, 1, ())
        assert reuse.clashes([first[1]], [run])
        assert not reuse.clashes([last[1]], [run])
        assert not reuse.clashes([], [run])
    shutil.rmtree(tmp_path / "c", ignore_errors=True)


def test_a_reusing_re_export_updates_real_anki_and_keeps_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anki: Anki
) -> None:
    folder = _blog(tmp_path, random.Random(7), 6)
    cache = str(tmp_path / "c")
    out = tmp_path / "blog.apkg"
    first = export([str(folder)], str(out), cache_dir=cache, jobs=1)
    assert anki.import_apkg(out).new == len(first.notes)
    anki.col.decks.select(anki.col.decks.id("ankidigest"))  # every post's deck is under it
    studied = set()
    for _ in range(8):  # Anki answers only the card at the top of its queue
        card = anki.col.sched.get_queued_cards().cards[0].card
        anki.answer(anki.col.get_card(card.id))
        studied.add(card.id)
    post = folder / "post-002.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace(" names a ", " calls a ", 1), encoding="utf-8")
    touch(post, 1_800_000_000)
    loads = Loads(monkeypatch)
    second = export([str(folder)], str(out), cache_dir=cache, jobs=1)
    assert loads.count == 1  # only the edited post was read
    changed = len(second.report.changed)
    assert changed >= 1 and not second.report.new and not second.report.removed
    log = anki.import_apkg(out)
    assert (log.new, log.updated, log.conflicting) == (0, changed, 0)
    assert log.duplicate == len(second.notes) - changed
    assert len(anki.notes()) == len(first.notes)  # updated in place, none duplicated
    for note in second.report.changed:
        assert "calls a" in anki.note_by_guid(note.guid)["Text"]
    for card in anki.cards():  # the studied cards keep their review, the others stay new
        assert card.reps == (1 if card.id in studied else 0), card.id


def test_a_temporary_folder_with_uri_characters_in_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The previous collection is unzipped to a temporary folder and opened through a
    # sqlite URI: a '?' or '#' in the folder's name must not be read as part of it.
    folder = _blog(tmp_path, random.Random(8), 4)
    package, _, _ = _both(folder, tmp_path, None)
    post = folder / "post-001.md"
    post.write_text(post.read_text(encoding="utf-8").replace(" by the ", " near the "), "utf-8")
    odd = tmp_path / "tmp #1?x=y"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    loads = Loads(monkeypatch)
    _, reused, full = _both(folder, tmp_path, package)
    assert loads.count < 2 * 4  # reused through the attached collection
    _same(reused, full)
