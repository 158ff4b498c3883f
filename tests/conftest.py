"""Shared test helpers: paths, the user's corpus (when present) and a real Anki collection."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests: a bounded, derandomised run by default (CI); for a longer fuzz run
#     ANKIDIGEST_FUZZ=5000 python -m pytest tests/test_properties.py
FUZZ = int(os.environ.get("ANKIDIGEST_FUZZ", "0"))


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings: ``examples`` fixed examples, or ANKIDIGEST_FUZZ random ones."""
    return settings(
        max_examples=FUZZ or examples,
        deadline=None,
        derandomize=not FUZZ,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "2025-03-02-science-news.md"
CORPUS = REPO.parent / "shared" / "corpus" / "war-news.md"


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI caches walked posts; keep each test's cache away from the user's."""
    monkeypatch.setenv("ANKIDIGEST_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def corpus() -> Path:
    """The user's real post; only in the developers' checkout, so skip elsewhere."""
    if not CORPUS.exists():
        pytest.skip("../shared/corpus/war-news.md is not here (a user's clone)")
    return CORPUS


@dataclass
class ImportLog:
    new: int
    updated: int
    duplicate: int
    conflicting: int


def import_request(apkg: Path | str):  # anki.collection.ImportAnkiPackageRequest
    """File > Import of an .apkg with the options a new Anki profile pre-selects."""
    from anki import import_export_pb2 as ie
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    return ImportAnkiPackageRequest(
        package_path=str(apkg),
        options=ImportAnkiPackageOptions(
            merge_notetypes=False,
            update_notes=ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            update_notetypes=ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            with_scheduling=False,
            with_deck_configs=False,
        ),
    )


@pytest.fixture
def server(tmp_path: Path):  # Iterator[ankiconnect_server.AnkiConnectServer]
    """AnkiConnect on a loopback port, in front of a fresh real collection."""
    from ankiconnect_server import AnkiConnectServer

    (tmp_path / "anki").mkdir()
    srv = AnkiConnectServer(tmp_path / "anki" / "collection.anki2")
    try:
        yield srv
    finally:
        srv.close()


class Anki:
    """A fresh, real Anki collection (the `anki` package), imported into as Anki does."""

    def __init__(self, path: Path) -> None:
        from anki.collection import Collection

        self.col = Collection(str(path))

    def import_apkg(self, apkg: Path | str) -> ImportLog:
        response = self.col.import_anki_package(import_request(apkg))
        self.col.models._clear_cache()
        log = response.log
        return ImportLog(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting))

    def notes(self) -> list:  # list[anki.notes.Note]
        return [self.col.get_note(nid) for nid in self.col.find_notes("")]

    def cards(self) -> list:  # list[anki.cards.Card]
        return [self.col.get_card(cid) for cid in self.col.find_cards("")]

    def note_by_guid(self, guid: str):  # anki.notes.Note
        nids = self.col.db.list("select id from notes where guid = ?", guid)
        assert len(nids) == 1, f"{len(nids)} notes with guid {guid!r}"
        return self.col.get_note(nids[0])

    def answer(self, card, ease: int = 3) -> None:
        """Study a card once (gives it review history)."""
        self.col.sched.get_queued_cards()  # make sure the queue is built
        card.start_timer()
        self.col.sched.answerCard(card, ease)

    def close(self) -> None:
        self.col.close()


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[Anki]:
    (tmp_path / "anki").mkdir()
    collection = Anki(tmp_path / "anki" / "collection.anki2")
    try:
        yield collection
    finally:
        collection.close()


def touch(path: Path, mtime: int) -> None:
    """Set a file's modification time (notes take their `mod` from it)."""
    os.utime(path, (mtime, mtime))


def read_apkg_guids(path: str) -> dict[str, tuple[int, str]]:
    """guid -> (mod, raw fields) of every note in a package, read with plain sqlite.

    Deliberately not ``prior.read_prior``: tests check what was written, byte for
    byte, including notes that the library's own reader would refuse.
    """
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as work:
        archive.extract("collection.anki2", work)
        conn = sqlite3.connect(os.path.join(work, "collection.anki2"))
        try:
            rows = conn.execute("SELECT guid, mod, flds FROM notes").fetchall()
        finally:
            conn.close()
    return {guid: (mod, flds) for guid, mod, flds in rows}
