"""The two-ended scheduler (parallel.run_both_ends) and what a helper sends back.

Each job is done exactly once and the outcomes come back in job order, whether a
reply travels down the pipe or through a spooled file, and a helper that fails
or dies only costs time: the parent does its jobs again.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ankidigest.notes.build import BuildOptions
from ankidigest.run import parallel
from ankidigest.run.cache import PostCache, entry_key, pack
from ankidigest.run.jobs import Job, Result, _decode, _here, _in_worker, from_entry, read_and_build
from ankidigest.run.parallel import Reply, run_both_ends

from conftest import touch

# A reply of this many bytes goes through a spooled file, a shorter one down the pipe.
_BIG = parallel._SPOOL_MIN_BYTES


def _payload(job: int) -> bytes:
    return f"{job}:".encode() + b"x" * (_BIG if job % 3 == 0 else 1)


def _here_job(job: int) -> tuple[str, int, bytes]:
    time.sleep(0.01)  # long enough for the helper to start and take its share
    return "here", job, _payload(job)


def _there_job(job: int) -> Reply:
    time.sleep(0.01)
    if job == 7:
        return "input", ("post.md", "a reason", job)  # an error travels as data
    return "ok", _payload(job)


def _decode_job(reply: Reply) -> tuple[str, int, bytes]:
    kind, value = reply
    if kind == "input":
        return "error", value[2], _payload(value[2])
    return "there", int(value.split(b":")[0]), value


def _there_fails(job: int) -> Reply:
    raise RuntimeError(f"a bug in job {job}")


def _there_dies(job: int) -> Reply:
    if job >= 3:
        os._exit(3)  # killed, say: no reply, no end of the loop
    return _there_job(job)


def _run(there: Callable[[int], Reply], jobs: int = 2) -> list[tuple[str, int, bytes]]:
    ticks = []
    work = list(range(40))
    out = run_both_ends(work, _here_job, there, _decode_job, jobs, lambda: ticks.append(1))
    assert len(ticks) == len(work)
    assert [(job, payload) for _, job, payload in out] == [(j, _payload(j)) for j in work]
    return out


@pytest.fixture(autouse=True)
def _private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def _spools(tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.iterdir() if p.name.startswith("ankidigest-")]


@pytest.mark.parametrize("jobs", [2, 3])
def test_every_job_once_in_order_and_no_spool_left(tmp_path: Path, jobs: int) -> None:
    out = _run(_there_job, jobs)
    kinds = {kind for kind, _, _ in out}
    assert kinds == {"here", "there", "error"}
    assert out[7][0] == "error"
    # helpers take from the front, this process from the back
    assert out[0][0] == "there" and out[-1][0] == "here"
    assert _spools(tmp_path) == []


def test_a_helper_that_fails_leaves_its_jobs_to_the_parent(tmp_path: Path) -> None:
    out = _run(_there_fails)
    assert {kind for kind, _, _ in out} == {"here"}
    assert _spools(tmp_path) == []


def test_a_helper_that_dies_leaves_its_jobs_to_the_parent(tmp_path: Path) -> None:
    out = _run(_there_dies)
    assert {kind for kind, _, _ in out[3:]} == {"here"}
    assert _spools(tmp_path) == []


POST = """---
title: "Helper and cache"
date: 2025-02-01
---

#### [Story](https://news.example.org/a/story)

The **first** word and the **second** word share a sentence. The **first** again.
"""


def test_a_helper_reply_and_a_cache_entry_give_the_notes_built_here(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_text(POST, encoding="utf-8")
    touch(path, 1_700_000_000)
    settings = ("options", "bold", "None")
    folder = str(tmp_path / "cache")
    job: Job = (str(path), "bold", None, BuildOptions(), settings, folder)
    key = entry_key(POST, str(path), 1_700_000_000, settings)
    built, error, built_key = _here(job)  # in this process; stores the entry
    assert error is None and built is not None and built_key == key
    cached = from_entry(PostCache(folder).load(key))
    hit, error, hit_key = _here(job)  # now a cache hit, decoded here
    assert error is None and hit_key == key
    replied, error, replied_key = _decode(_in_worker(job))  # a hit, sent as stored
    assert error is None and replied_key == key
    plain, error, plain_key = _decode(_in_worker((*job[:5], None)))  # no cache: built
    assert error is None and plain_key is None
    for other in (cached, hit, replied, plain):
        assert isinstance(other, Result)
        assert other.notes == built.notes
        assert other.counts == built.counts and other.scopes == built.scopes
        assert other.safe == built.safe
        assert isinstance(other.document, bytes)


def _no_file(*args: object, **kwargs: object) -> str:
    raise OSError("no room")


@pytest.mark.parametrize("where", ["no spool folder", "no spool file written"])
def test_replies_go_down_the_pipe_when_they_cannot_be_spooled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "no spool folder":
        monkeypatch.setattr(tempfile, "mkdtemp", _no_file)
    else:
        monkeypatch.setattr(parallel, "_spool", lambda path, data: False)
    out = _run(_there_job)
    assert {"there", "here"} <= {kind for kind, _, _ in out}
    assert _spools(tmp_path) == []


def test_a_spooled_reply_that_cannot_be_read_is_done_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "_take", _no_file)
    out = _run(_there_job)
    big = [kind for kind, job, _ in out if job % 3 == 0]
    assert set(big) == {"here"}  # every big reply was spooled, lost and redone here
    assert _spools(tmp_path) == []


def test_a_helper_hit_that_does_not_decode_is_built_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 2)
    files = []
    for i in range(6):
        path = tmp_path / f"post-{i}.md"
        path.write_text(POST.replace("/a/story", f"/a/story-{i}"), encoding="utf-8")
        files.append(str(path))
    cache = PostCache(str(tmp_path / "cache"))
    options = BuildOptions()
    want = read_and_build(files, options, jobs=2, cache=cache).notes
    entries = sorted((tmp_path / "cache").rglob("*.pickle"))
    assert len(entries) == 6
    for entry in entries:  # the right key, a value that is no entry
        entry.write_bytes(pack(entry.stem, ("not", "an", "entry")))
    job: Job = (files[0], "bold", None, options, ("x",), cache.folder)
    key = _here(job)[2]
    assert key is not None
    cache.store(key, pack(key, ("junk",)))
    assert _decode(_in_worker(job)) == (None, None, key)  # a helper passes it on as is
    got = read_and_build(files, options, jobs=2, cache=cache)
    assert got.notes == want and len(want) >= 6
    assert sorted(p.key or "" for p in got.posts) == [e.stem for e in entries]
