"""Deliver: send notes straight into a running Anki through the AnkiConnect add-on.

``ankiconnect`` is a small client of AnkiConnect's HTTP JSON protocol (version 6), with
one-line errors for every way a connection can fail; ``push`` reads what the collection
already holds of ours and brings it up to date: new notes go in through Anki's own package
importer (so they carry our guids, and a later .apkg import matches them), changed notes
get their fields rewritten and our tags added (the user's tags and review history stay),
nothing is ever deleted. ``api.push`` and ``--push`` use it.
"""

from __future__ import annotations

from ankidigest.deliver.ankiconnect import DEFAULT_URL, AnkiConnect, DeliveryError
from ankidigest.deliver.changes import PushReport
from ankidigest.deliver.push import push_notes

__all__ = ["DEFAULT_URL", "AnkiConnect", "DeliveryError", "PushReport", "push_notes"]
