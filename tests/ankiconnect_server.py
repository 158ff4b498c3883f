"""A loopback AnkiConnect for tests: real HTTP on 127.0.0.1, a real Anki collection behind.

It speaks the add-on's protocol (version 6) for the actions ankidigest uses, each done
the way the add-on does it in Anki (searches by ``col.find_notes``, imports by
``anki.importing.AnkiPackageImporter`` as the add-on's ``importPackage`` calls it,
``updateNoteFields`` by ``col.update_note``, tags by ``col.tags.bulk_add``), so what a
push does to the collection is what it would do to a user's. It serves one request at
a time, as the add-on does on Anki's main thread.

Test switches, like states a real Anki can be in:
- ``api_key``: every action but requestPermission (also each one inside multi) must carry it;
- ``deny_permission``: requestPermission answers "denied";
- ``disabled``: actions answered "unsupported action" (an older add-on);
- ``open_in_browser``: note ids whose updateNoteFields silently changes nothing (the
  add-on's documented limitation while the note is open in the Browser's editor);
- ``lose_reply``: actions done and then answered with a dropped connection, once each.

Use ``with server.collection() as col:`` to look at or change the collection between
requests (it holds the lock the request handler holds).
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from anki.collection import Collection
from anki.errors import NotFoundError

API_VERSION = 6


class AnkiConnectServer:
    def __init__(self, collection_path: Path | str, *, api_key: str | None = None) -> None:
        self.col = Collection(str(collection_path))
        self.api_key = api_key
        self.deny_permission = False
        self.disabled: set[str] = set()
        self.open_in_browser: set[int] = set()
        self.lose_reply: set[str] = set()
        self.served: list[str] = []  # every action done, also those inside multi
        self.http_requests = 0
        self.lock = threading.Lock()
        self._actions: dict[str, Callable[..., Any]] = {
            "version": self._version,
            "requestPermission": self._request_permission,
            "multi": self._multi,
            "deckNames": self._deck_names,
            "createDeck": self._create_deck,
            "modelNames": self._model_names,
            "modelNamesAndIds": self._model_names_and_ids,
            "modelFieldNames": self._model_field_names,
            "findNotes": self._find_notes,
            "notesInfo": self._notes_info,
            "updateNoteFields": self._update_note_fields,
            "addTags": self._add_tags,
            "removeTags": self._remove_tags,
            "importPackage": self._import_package,
            "storeMediaFile": self._store_media_file,
            "cardsInfo": self._cards_info,
        }
        self.httpd = _Quiet(("127.0.0.1", 0), _handler_for(self))
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @contextlib.contextmanager
    def collection(self) -> Iterator[Collection]:
        with self.lock:
            yield self.col

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
        with self.lock:
            self.col.close()

    # The add-on's request handler

    def handle(self, request: Any) -> dict[str, Any]:
        """One request (also one inside multi) -> its reply, as the add-on's handler."""
        if not isinstance(request, dict):
            return {"result": None, "error": "request is not an object"}
        name = request.get("action", "")
        params = request.get("params", {})
        try:
            if request.get("key") != self.api_key and name != "requestPermission":
                raise Exception("valid api key must be provided")
            method = self._actions.get(name)
            if method is None or name in self.disabled:
                raise Exception("unsupported action")
            self.served.append(name)
            result = method(**params)
        except Exception as exc:  # the add-on turns every exception into an error reply
            return {"result": None, "error": str(exc)}
        return {"result": result, "error": None}

    def _version(self) -> int:
        return API_VERSION

    def _request_permission(self, origin: str = "", allowed: bool = True) -> dict[str, Any]:
        if self.deny_permission or not allowed:
            return {"permission": "denied"}
        return {
            "permission": "granted",
            "requireApikey": bool(self.api_key),
            "version": API_VERSION,
        }

    def _multi(self, actions: list[Any]) -> list[dict[str, Any]]:
        return [self.handle(action) for action in actions]

    def _deck_names(self) -> list[str]:
        return [d.name for d in self.col.decks.all_names_and_ids()]

    def _create_deck(self, deck: str) -> int:
        did = self.col.decks.id(deck)
        assert did is not None
        return int(did)

    def _model_names(self) -> list[str]:
        return [m.name for m in self.col.models.all_names_and_ids()]

    def _model_names_and_ids(self) -> dict[str, int]:
        return {m.name: int(m.id) for m in self.col.models.all_names_and_ids()}

    def _model_field_names(self, modelName: str) -> list[str]:
        model = self.col.models.by_name(modelName)
        if model is None:
            raise Exception(f"model was not found: {modelName}")
        return [field["name"] for field in model["flds"]]

    def _find_notes(self, query: str | None = None) -> list[int]:
        if query is None:
            return []
        return [int(nid) for nid in self.col.find_notes(query)]

    def _notes_info(self, notes: list[int]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        for nid in notes:
            try:
                note = self.col.get_note(nid)  # type: ignore[arg-type]
            except NotFoundError:
                result.append({})
                continue
            model = note.note_type()
            assert model is not None
            fields = {
                f["name"]: {"value": note.fields[f["ord"]], "order": f["ord"]}
                for f in model["flds"]
            }
            cards = self.col.db.list("select id from cards where nid = ? order by ord", note.id)
            result.append(
                {
                    "noteId": note.id,
                    "profile": "User 1",
                    "modelName": model["name"],
                    "tags": list(note.tags),
                    "fields": fields,
                    "mod": note.mod,
                    "cards": cards,
                }
            )
        return result

    def _update_note_fields(self, note: dict[str, Any]) -> None:
        try:
            anki_note = self.col.get_note(note["id"])
        except NotFoundError:
            raise Exception(f"Note was not found: {note['id']}") from None
        if anki_note.id in self.open_in_browser:
            return  # the Browser's editor keeps its own copy: nothing changes, no error
        for name, value in note["fields"].items():
            if name in anki_note:
                anki_note[name] = value
        self.col.update_note(anki_note, skip_undo_entry=True)

    def _add_tags(self, notes: list[int], tags: str, add: bool = True) -> None:
        if add:
            self.col.tags.bulk_add(notes, tags)  # type: ignore[arg-type]
        else:
            self.col.tags.bulk_remove(notes, tags)  # type: ignore[arg-type]

    def _remove_tags(self, notes: list[int], tags: str) -> None:
        self._add_tags(notes, tags, False)

    def _cards_info(self, cards: list[int]) -> list[dict[str, Any]]:
        """As the add-on: one entry per card id (an empty one for a missing card), with
        the fields ankidigest reads (cardId, note, ord) and a few others."""
        out: list[dict[str, Any]] = []
        for cid in cards:
            try:
                card = self.col.get_card(cid)
            except NotFoundError:
                out.append({})
                continue
            out.append(
                {
                    "cardId": card.id,
                    "note": card.nid,
                    "ord": card.ord,
                    "deckName": self.col.decks.name(card.did),
                    "interval": card.ivl,
                    "reps": card.reps,
                }
            )
        return out

    def _store_media_file(
        self,
        filename: str,
        data: str | None = None,
        path: str | None = None,
        url: str | None = None,
        skipHash: str | None = None,
        deleteExisting: bool = True,
    ) -> str:
        """As the add-on: the bytes from ``data`` (base64) or ``path``, the old file of that
        name trashed first unless ``deleteExisting`` is false; Anki's media manager writes
        them and answers the name it used (another one when a different file has it)."""
        if data:
            raw = base64.b64decode(data)
        elif path:
            raw = Path(path).read_bytes()
        else:
            raise Exception('You must provide a "data", "path", or "url" field.')
        if deleteExisting:
            self.col.media.trash_files([filename])
        return self.col.media.write_data(filename, raw)

    def _import_package(self, path: str) -> bool:
        # What the add-on's importPackage runs (anki prints a deprecation notice for the
        # name; it is the shim over col.import_anki_package Anki keeps for add-ons).
        from anki.importing import AnkiPackageImporter

        AnkiPackageImporter(self.col, path).run()
        self.col.models._clear_cache()
        return True


class _Quiet(HTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up
            super().handle_error(request, client_address)


def _handler_for(server: AnkiConnectServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            try:
                request = json.loads(body.decode("utf-8"))
            except ValueError:
                request = None
            action = request.get("action") if isinstance(request, dict) else None
            with server.lock:
                server.http_requests += 1
                reply = server.handle(request)
                lose = action in server.lose_reply
                if lose:
                    server.lose_reply.discard(str(action))
            if lose:
                self.close_connection = True  # done, but the client never hears of it
                return
            data = json.dumps(reply).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

    return Handler
