"""Each way a push can fail gives its own one-line error, over real HTTP."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from ankiconnect_server import AnkiConnectServer
from test_push import POST, TYPO, V1_MTIME, V2_MTIME, edit, notes_of, rows, write_post

from ankidigest.deliver import AnkiConnect, push_notes
from ankidigest.deliver.ankiconnect import (
    AnkiUnreachable,
    ApiKeyRefused,
    MissingAction,
    NotAnkiConnect,
    PermissionRefused,
    ReplyLost,
)
from ankidigest.deliver.push import NotesNotUpdated, NoteTypeChanged
from ankidigest.errors import AnkidigestError

pytestmark = pytest.mark.anki


@pytest.fixture
def post(tmp_path: Path) -> Path:
    return write_post(tmp_path / "notes.md", POST, V1_MTIME)


def one_line(error: pytest.ExceptionInfo[AnkidigestError]) -> str:
    message = str(error.value)
    assert isinstance(error.value, AnkidigestError)
    assert message and "\n" not in message and "Traceback" not in message
    return message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_anki_not_running(post: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # closed again: connection refused
    with pytest.raises(AnkiUnreachable) as error:
        push_notes(notes_of(post), url=url)
    message = one_line(error)
    assert url in message and "connection refused" in message and "start Anki" in message


@pytest.mark.parametrize("status", [200, 404])
def test_something_else_listens(post: Path, status: int) -> None:
    class Page(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b"<html><body>Hello</body></html>"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        with pytest.raises(NotAnkiConnect) as error:
            push_notes(notes_of(post), url=url)
        assert "not AnkiConnect" in one_line(error)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_wrong_and_missing_api_key(tmp_path: Path, post: Path) -> None:
    srv = AnkiConnectServer(tmp_path / "keyed.anki2", api_key="s3cret")
    try:
        with pytest.raises(ApiKeyRefused) as error:
            push_notes(notes_of(post), url=srv.url, key="wrong")
        assert "refused the API key" in one_line(error)
        with pytest.raises(ApiKeyRefused) as error:
            push_notes(notes_of(post), url=srv.url)
        assert "requires an API key" in one_line(error)
        assert rows(srv) == {}
        # The right key works, for every action inside multi too.
        report = push_notes(notes_of(post), url=srv.url, key="s3cret")
        assert len(report.new) == len(notes_of(post))
        edit(post, TYPO, mtime=V2_MTIME)
        assert len(push_notes(notes_of(post), url=srv.url, key="s3cret").changed) == 1
    finally:
        srv.close()


def test_permission_refused(server: AnkiConnectServer, post: Path) -> None:
    server.deny_permission = True
    with pytest.raises(PermissionRefused) as error:
        push_notes(notes_of(post), url=server.url)
    assert "refused permission" in one_line(error)


@pytest.mark.parametrize("action", ["importPackage", "modelNamesAndIds", "multi"])
def test_missing_action(server: AnkiConnectServer, post: Path, action: str) -> None:
    server.disabled = {action}
    with pytest.raises(MissingAction) as error:
        push_notes(notes_of(post), url=server.url)
    message = one_line(error)
    assert repr(action) in message and "update" in message
    assert error.value.action == action
    assert rows(server) == {}


def test_missing_update_action(server: AnkiConnectServer, post: Path) -> None:
    push_notes(notes_of(post), url=server.url)
    before = rows(server)
    server.disabled = {"updateNoteFields"}
    edit(post, TYPO, mtime=V2_MTIME)
    with pytest.raises(MissingAction) as error:
        push_notes(notes_of(post), url=server.url)
    assert "'updateNoteFields'" in one_line(error)
    assert rows(server) == before


@pytest.mark.parametrize("how", ["rename", "add", "reorder"])
def test_note_type_changed_by_user(server: AnkiConnectServer, post: Path, how: str) -> None:
    push_notes(notes_of(post), url=server.url)
    with server.collection() as col:
        model = col.models.by_name("ankidigest cloze")
        assert model is not None
        if how == "rename":
            col.models.rename_field(model, model["flds"][3], "Meaning")
        elif how == "add":
            col.models.add_field(model, col.models.new_field("Notes"))
        else:
            col.models.reposition_field(model, model["flds"][1], 0)
        col.models.update_dict(model)
    before = rows(server)
    edit(post, TYPO, mtime=V2_MTIME)
    with pytest.raises(NoteTypeChanged) as error:
        push_notes(notes_of(post), url=server.url)
    message = one_line(error)
    assert "was changed in Anki" in message and "Manage Note Types" in message
    assert rows(server) == before


def test_renamed_note_type_is_still_ours(server: AnkiConnectServer, post: Path) -> None:
    push_notes(notes_of(post), url=server.url)
    with server.collection() as col:
        model = col.models.by_name("ankidigest cloze")
        assert model is not None
        model["name"] = "My vocabulary"
        col.models.update_dict(model)
    edit(post, TYPO, mtime=V2_MTIME)
    report = push_notes(notes_of(post), url=server.url)
    assert len(report.changed) == 1 and not report.new
    assert len(rows(server)) == len(notes_of(post))


def test_note_open_in_browser(server: AnkiConnectServer, post: Path) -> None:
    push_notes(notes_of(post), url=server.url)
    with server.collection() as col:
        (brink,) = col.find_notes('"Term:brink"')
    server.open_in_browser = {int(brink)}
    edit(post, TYPO, ("Observers remained", "**Observers** remained"), mtime=V2_MTIME)
    with pytest.raises(NotesNotUpdated) as error:
        push_notes(notes_of(post), url=server.url)
    message = one_line(error)
    assert "'brink'" in message and "Browser" in message and str(brink) in message
    # Everything else was done: the new note is there.
    assert len(error.value.report.new) == 1
    assert len(rows(server)) == len(notes_of(post))
    server.open_in_browser = set()  # the user closes the Browser and pushes again
    report = push_notes(notes_of(post), url=server.url)
    assert [c.note.terms for c in report.changed] == [("brink",)] and not report.new
    assert "with a typo" in rows(server)[brink].flds


def test_lost_reply_to_an_update_is_reported(server: AnkiConnectServer, post: Path) -> None:
    push_notes(notes_of(post), url=server.url)
    edit(post, TYPO, mtime=V2_MTIME)
    server.lose_reply = {"multi"}
    with pytest.raises(ReplyLost) as error:
        push_notes(notes_of(post), url=server.url)
    assert "no reply" in one_line(error)
    report = push_notes(notes_of(post), url=server.url)  # pushing again is safe
    assert len(rows(server)) == len(notes_of(post))
    assert len(report.changed) + len(report.unchanged) == len(notes_of(post))


def test_timeout_is_a_lost_reply(server: AnkiConnectServer) -> None:
    original = server._actions["deckNames"]
    gate = threading.Event()

    def slow() -> list[str]:
        gate.wait(5)
        return list(original())

    server._actions["deckNames"] = slow
    client = AnkiConnect(server.url, timeout=0.3)
    try:
        with pytest.raises(ReplyLost) as error:
            client.call("deckNames")
        assert "timed out" in one_line(error)
    finally:
        gate.set()
        client.close()
