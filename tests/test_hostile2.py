"""Hostile input and faults, second round (issue 16): killed runs, standard output,
hangs and the cache. Every case asserts its outcome; subprocesses run with a timeout
so that a hang fails the test instead of stalling CI.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ankidigest.run.cache import PostCache, key_of, pack, unpack
from ankidigest.write import scratch

from conftest import EXAMPLE, REPO

TIMEOUT = 60


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = str(REPO)
    out["TMPDIR"] = str(tmp_path / "tmp")
    out["ANKIDIGEST_CACHE_DIR"] = str(tmp_path / "cache")
    out.update(extra)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return out


def run(tmp_path: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "ankidigest", *args],
        env=env(tmp_path),
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT,
        **kwargs,  # type: ignore[call-overload]
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr + (proc.stdout or "")
    assert "Exception ignored" not in proc.stderr


def leftovers(tmp_path: Path, out: Path) -> list[str]:
    temp = [p.name for p in (tmp_path / "tmp").iterdir() if p.name.startswith("ankidigest-")]
    beside = [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")]
    return sorted(temp + beside)


# -- killed runs -------------------------------------------------------------

# Runs the CLI with the zip writer paused after writing the temporary package, so a
# signal arrives in the middle of a write: the temporary .apkg, the scratch folder of
# the collection and the unzipped previous package all exist then.
SLOW_WRITE = """
import os, sys, time
import ankidigest.write.apkg as apkg
real = apkg.write_zip
def slow(*args, **kwargs):
    out = real(*args, **kwargs)
    open(os.environ["READY"], "w").close()
    time.sleep(120)
    return out
apkg.write_zip = slow
from ankidigest.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start_slow(
    tmp_path: Path, out: Path, name: str = "ready"
) -> tuple[subprocess.Popen[str], Path]:
    ready = tmp_path / name
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, str(EXAMPLE), "-o", str(out)],
        env=env(tmp_path, READY=str(ready)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + TIMEOUT
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the export never reached its write"
        time.sleep(0.05)
    return proc, ready


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, bytes]:
    out = tmp_path / "out" / "war.apkg"
    out.parent.mkdir()
    proc = run(tmp_path, str(EXAMPLE), "-o", str(out), "-q", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return out, out.read_bytes()


@pytest.mark.slow
def test_sigkill_leftovers_are_cleaned_by_the_next_run(
    tmp_path: Path, exported: tuple[Path, bytes]
) -> None:
    out, before = exported
    proc, _ = start_slow(tmp_path, out)
    proc.kill()
    proc.communicate(timeout=TIMEOUT)
    left = leftovers(tmp_path, out)
    # What a SIGKILL leaves (nothing can stop that): the package as it was, and
    # temporary files named by the dead process.
    assert out.read_bytes() == before
    assert any(n.startswith(".war.apkg.") for n in left)
    assert any(n.startswith("ankidigest-prior-") for n in left)
    assert all(f"{proc.pid}-" in n for n in left)
    again = run(tmp_path, str(EXAMPLE), "-o", str(out), "-q")
    no_traceback(again)
    assert again.returncode == 0
    assert leftovers(tmp_path, out) == []


@pytest.mark.slow
def test_sigterm_cleans_up_like_ctrl_c(tmp_path: Path, exported: tuple[Path, bytes]) -> None:
    out, before = exported
    proc, _ = start_slow(tmp_path, out)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 143
    assert err.strip() == "ankidigest: terminated; nothing was written"
    assert out.read_bytes() == before
    assert leftovers(tmp_path, out) == []


@pytest.mark.slow
def test_a_live_runs_files_are_never_cleaned(tmp_path: Path, exported: tuple[Path, bytes]) -> None:
    out, _ = exported
    proc, _ = start_slow(tmp_path, out)
    try:
        live = leftovers(tmp_path, out)
        assert live
        other = tmp_path / "out" / "other.json"
        done = run(tmp_path, str(EXAMPLE), "-o", str(out.parent / "war.json"), "-q")
        assert done.returncode == 0
        done = run(tmp_path, str(EXAMPLE), "-o", str(other), "-q")
        assert done.returncode == 0
        # a second export beside the same target while the first one writes
        done = run(tmp_path, str(EXAMPLE), "-o", str(out), "-q", "--no-cache")
        assert done.returncode == 0
        assert set(live) <= set(leftovers(tmp_path, out))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 143
    assert leftovers(tmp_path, out) == []


def test_old_leftovers_without_a_pid_go_after_a_day(tmp_path: Path) -> None:
    target = tmp_path / "war.apkg"
    old = tmp_path / ".war.apkg.k3j_x9a2.tmp"
    fresh = tmp_path / ".war.apkg.q8d7_ab1c.tmp"
    other = tmp_path / ".other.apkg.k3j_x9a2.tmp"
    temp = tmp_path / "tmp"
    temp.mkdir()
    old_dir = temp / "ankidigest-prior-k3j_x9a2"
    fresh_dir = temp / "ankidigest-q8d7_ab1c"
    unrelated = temp / "ankidigest-notes"
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    for path in (old_dir, fresh_dir, unrelated):
        path.mkdir()
        (path / "collection.anki2").write_bytes(b"x")
    day_ago = time.time() - scratch.STALE_SECONDS - 60
    for path in (old, other, old_dir, unrelated):
        os.utime(path, (day_ago, day_ago))
    assert scratch.clean_beside(str(target)) == 1
    assert scratch.clean_temp_dirs(str(temp)) == 1
    assert not old.exists() and fresh.exists() and other.exists()
    assert not old_dir.exists() and fresh_dir.exists() and unrelated.exists()


def test_leftovers_of_a_dead_pid_go_at_once_of_a_live_one_never(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = scratch._host()
        temp = tmp_path / "tmp"
        temp.mkdir()
        names = {}
        for who, pid in (("dead", dead.pid), ("alive", alive.pid), ("me", os.getpid())):
            beside = tmp_path / f".war.apkg.{pid}-{host}-abcd1234.tmp"
            beside.write_bytes(b"x")
            folder = temp / f"ankidigest-prior-{pid}-{host}-abcd1234"
            folder.mkdir()
            names[who] = (beside, folder)
        elsewhere = temp / f"ankidigest-{dead.pid}-000000-abcd1234"  # another host's
        elsewhere.mkdir()
        scratch.clean_beside(str(tmp_path / "war.apkg"))
        scratch.clean_temp_dirs(str(temp))
        assert not any(p.exists() for p in names["dead"])
        assert all(p.exists() for p in names["alive"] + names["me"])
        assert elsewhere.exists()
    finally:
        alive.kill()
        alive.wait()


# -- standard output -----------------------------------------------------------


def skips(tmp_path: Path) -> Path:
    """A post --check has much to say about (a skipped label per line), and with many
    notes to export (a term in a sentence per line)."""
    path = tmp_path / "labels.md"
    path.write_text(
        "".join(f"**Label {i}:** a word.\n\nThe **word** is here {i}.\n\n" for i in range(3000))
    )
    return path


@pytest.mark.slow
@pytest.mark.parametrize("check", [False, True], ids=["-o -", "--check"])
def test_stdout_full_is_one_line_and_exit_1(tmp_path: Path, check: bool) -> None:
    args = ("--check",) if check else ("-o", "-")
    with open("/dev/full", "w") as full:
        proc = run(tmp_path, str(skips(tmp_path)), *args, stdout=full)
    no_traceback(proc)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == "ankidigest: error: standard output: cannot write: No space left on device"
    assert len(lines) == 1


@pytest.mark.slow
@pytest.mark.parametrize("check", [False, True], ids=["-o -", "--check"])
def test_stdout_closed_pipe_is_silent(tmp_path: Path, check: bool) -> None:
    args = ("--check",) if check else ("-o", "-")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ankidigest", str(skips(tmp_path)), *args],
        env=env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # as `| head -0` does
    _, err = proc.communicate(timeout=TIMEOUT)
    assert err == ""
    assert proc.returncode == 141


# -- hangs ---------------------------------------------------------------------


def test_previous_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "old.apkg"
    os.mkfifo(fifo)
    proc = run(tmp_path, str(EXAMPLE), "-o", str(tmp_path / "new.apkg"), "--previous", str(fifo))
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"ankidigest: error: {fifo}: is not a regular file (a device, pipe or socket?)"
    )
    assert not (tmp_path / "new.apkg").exists()


def test_previous_device_is_refused(tmp_path: Path) -> None:
    proc = run(tmp_path, str(EXAMPLE), "-o", str(tmp_path / "new.apkg"), "--previous", "/dev/zero")
    no_traceback(proc)
    assert proc.returncode == 1
    assert "/dev/zero: is not a regular file" in proc.stderr


@pytest.mark.slow
def test_fifos_in_the_cache_folder_are_misses(tmp_path: Path) -> None:
    out = tmp_path / "war.apkg"
    first = run(tmp_path, str(EXAMPLE), "-o", str(out), "-q")
    assert first.returncode == 0
    expected = out.read_bytes()
    out.unlink()
    cache = tmp_path / "cache"
    entries = [p for p in cache.rglob("*.pickle")]
    assert entries
    for path in entries:
        path.unlink()
        os.mkfifo(path)
    stamp = cache / "last-pruned"
    stamp.unlink()
    os.mkfifo(stamp)
    old = time.time() - 2 * 86400
    os.utime(stamp, (old, old))
    again = run(tmp_path, str(EXAMPLE), "-o", str(out), "-q")
    no_traceback(again)
    assert again.returncode == 0
    assert out.read_bytes() == expected


# -- the cache -----------------------------------------------------------------


def cached_export(tmp_path: Path, *extra: str) -> tuple[Path, bytes, list[Path]]:
    """An export of the example with the cache on, written twice (the second from the
    cache, with a ledger); the package's bytes and the cache's entries."""
    out = tmp_path / "war.apkg"
    for _ in range(2):
        proc = run(tmp_path, str(EXAMPLE), "-o", str(out), "-q", *extra)
        assert proc.returncode == 0, proc.stderr
    return out, out.read_bytes(), sorted((tmp_path / "cache").rglob("*.pickle"))


@pytest.mark.slow
@pytest.mark.parametrize("cut", [3, 40, 0.5, -1], ids=["length", "key", "half", "last-byte"])
def test_a_truncated_entry_is_a_miss_and_is_replaced(tmp_path: Path, cut: float) -> None:
    out, expected, entries = cached_export(tmp_path)
    sizes = {}
    for path in entries:
        data = path.read_bytes()
        sizes[path] = len(data)
        at = int(len(data) * cut) if isinstance(cut, float) else cut
        path.write_bytes(data[:at])
    for _ in range(2):  # and every later export
        out.unlink()
        proc = run(tmp_path, str(EXAMPLE), "-o", str(out), "-v")
        no_traceback(proc)
        assert proc.returncode == 0
        assert out.read_bytes() == expected
    post_entries = [p for p in entries if p.exists() and sizes[p] > 10_000]
    assert post_entries and all(p.stat().st_size == sizes[p] for p in post_entries)


class _Plant:
    """Pickles as a call of os.system: what a planted entry would run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.marker}",)


@pytest.mark.slow
@pytest.mark.parametrize("where", ["value", "document", "key"])
def test_a_planted_entry_runs_no_code(tmp_path: Path, where: str) -> None:
    out, expected, entries = cached_export(tmp_path)
    marker = tmp_path / "pwned"
    for path in entries:
        data = path.read_bytes()
        key = key_of(data)
        if where == "key":
            path.write_bytes(pack(_Plant(marker), None))  # type: ignore[arg-type]
            continue
        value = unpack(data)
        if where == "document" and isinstance(value, tuple) and len(value) == 5:
            value = (pickle.dumps(_Plant(marker)), *value[1:])
        elif where == "value":
            value = [_Plant(marker)]
        path.write_bytes(pack(key, value))
    out.unlink()
    proc = run(tmp_path, str(EXAMPLE), "-o", str(out), "-v")
    no_traceback(proc)
    assert proc.returncode == 0
    assert not marker.exists()
    assert out.read_bytes() == expected
    # the library refuses the class outright
    with pytest.raises(pickle.UnpicklingError):
        unpack(pack("k", _Plant(marker)))
    assert not marker.exists()


def test_the_cache_folder_is_made_private(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o777)
    os.chmod(cache, 0o777)
    proc = run(tmp_path, str(EXAMPLE), "-o", str(tmp_path / "war.json"), "-q")
    assert proc.returncode == 0
    assert cache.stat().st_mode & 0o777 == 0o700
    for sub in cache.iterdir():
        if sub.is_dir():
            assert sub.stat().st_mode & 0o077 == 0


def test_entries_others_could_have_written_are_misses(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = PostCache(str(folder))
    key = "ab" + "0" * 62
    blob = pack(key, ("value",))
    cache.store(key, blob)
    assert PostCache(str(folder)).read(key) == blob
    sub = folder / "ab"
    os.chmod(sub, 0o777)  # anyone could have put or swapped the entry
    assert PostCache(str(folder)).read(key) is None
    os.chmod(sub, 0o700)
    entry = sub / (key + ".pickle")
    link = sub / ("cd" + "0" * 62 + ".pickle")
    os.symlink(entry, link)  # an entry is never read through a link
    assert PostCache(str(folder)).read("cd" + "0" * 62) is None
    if os.geteuid() == 0:  # only root can give a file away
        os.chown(entry, 65534, 65534)
        assert PostCache(str(folder)).read(key) is None
        os.chown(entry, 0, 0)
        os.chown(folder, 65534, 65534)  # a cache folder of another user: not used
        assert PostCache(str(folder)).read(key) is None
