"""A client of the AnkiConnect add-on: HTTP JSON on 127.0.0.1:8765, protocol version 6.

Every request is ``{"action", "version": 6, "params", "key"}`` and every reply
``{"result", "error"}``. The add-on serves one request at a time on Anki's main thread,
so requests are sent one after another, never in parallel; many small actions go in one
``multi`` request instead. Each request has a timeout.

Every failure is a ``DeliveryError`` (an ``AnkidigestError``) whose message is one line
saying what is wrong and what to do. A request that was sent but got no reply raises
``ReplyLost``: the add-on may have done it, so a caller must look again before it
repeats anything that adds. Only reading actions are repeated here, once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import requests

from ankidigest.errors import AnkidigestError

DEFAULT_URL = "http://127.0.0.1:8765"
API_VERSION = 6
# How long one ordinary request may take, and an import (Anki imports 100,000 notes
# in seconds; a slow disk or a busy Anki can take much longer).
TIMEOUT = 30.0
IMPORT_TIMEOUT = 600.0
# Actions per multi request: big enough that thousands of notes take a few requests,
# small enough that one reply stays a few megabytes.
MULTI_BATCH = 500
# Actions that only read: safe to send again when a reply is lost.
READ_ONLY = frozenset(
    {
        "version",
        "requestPermission",
        "deckNames",
        "modelNames",
        "modelNamesAndIds",
        "modelFieldNames",
        "findNotes",
        "notesInfo",
    }
)
_KEY_ERROR = "valid api key must be provided"
_UNSUPPORTED = "unsupported action"
_ADDON = "the AnkiConnect add-on (code 2055492159)"


class DeliveryError(AnkidigestError):
    """Notes could not be delivered to Anki; the message says why, on one line."""


class AnkiUnreachable(DeliveryError):
    """Nothing answers at the address: Anki is not running, or AnkiConnect is not installed."""


class NotAnkiConnect(DeliveryError):
    """Something answers at the address, but not as AnkiConnect (or a too old one)."""


class PermissionRefused(DeliveryError):
    """AnkiConnect refused this client (requestPermission was denied)."""


class ApiKeyRefused(DeliveryError):
    """AnkiConnect wants an API key and the one given (or none) is not it."""


class MissingAction(DeliveryError):
    """The installed AnkiConnect does not have an action ankidigest needs."""

    def __init__(self, url: str, action: str) -> None:
        self.action = action
        super().__init__(
            f"{url}: AnkiConnect has no action {action!r}; update {_ADDON} "
            "(Tools > Add-ons > Check for Updates) and restart Anki"
        )


class ActionFailed(DeliveryError):
    """AnkiConnect ran the action and answered with an error."""

    def __init__(self, url: str, action: str, error: str) -> None:
        self.action = action
        self.error = error
        super().__init__(f"{url}: AnkiConnect could not {action}: {_one_line(error)}")


class ReplyLost(DeliveryError):
    """The request was sent but no reply came back (timeout or connection dropped):
    the add-on may or may not have done it."""

    def __init__(self, url: str, action: str, why: str) -> None:
        self.action = action
        super().__init__(
            f"{url}: no reply from AnkiConnect to {action} ({why}); Anki may be busy "
            "or showing a dialog: check Anki and try again"
        )


class AnkiConnect:
    """One AnkiConnect endpoint. ``key``: the API key set in the add-on's config, if any
    (sent only when given: the add-on compares it with its own setting, None when unset).
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        key: str | None = None,
        *,
        timeout: float = TIMEOUT,
        import_timeout: float = IMPORT_TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/") or DEFAULT_URL
        self.key = key
        self.timeout = timeout
        self.import_timeout = import_timeout
        self._session = session or requests.Session()
        self.requests = 0  # HTTP requests sent, for reports and tests

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> AnkiConnect:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The protocol

    def _payload(self, action: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
        payload: dict[str, Any] = {"action": action, "version": API_VERSION}
        if params:
            payload["params"] = dict(params)
        if self.key is not None:
            payload["key"] = self.key
        return payload

    def call(
        self, action: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """The result of one action; a DeliveryError when it fails."""
        reply = self._post(action, self._payload(action, params), timeout)
        return self._result(action, reply)

    def multi(self, calls: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Any]:
        """The results of many actions, sent ``MULTI_BATCH`` at a time in ``multi``
        requests, in order. The first failed action raises (those before it are done)."""
        results: list[Any] = []
        for start in range(0, len(calls), MULTI_BATCH):
            batch = calls[start : start + MULTI_BATCH]
            # Each action in a multi is checked on its own by the add-on: each needs the key.
            actions = [self._payload(action, params) for action, params in batch]
            replies = self.call("multi", {"actions": actions})
            if not isinstance(replies, list) or len(replies) != len(batch):
                raise NotAnkiConnect(f"{self.url}: AnkiConnect answered multi with {replies!r:.80}")
            for (action, _), reply in zip(batch, replies, strict=True):
                results.append(self._result(action, reply))
        return results

    def check(self) -> int:
        """Make sure AnkiConnect answers, lets us in and takes our key; its version."""
        granted = self.call("requestPermission")
        if not isinstance(granted, Mapping) or granted.get("permission") != "granted":
            raise PermissionRefused(
                f"{self.url}: AnkiConnect refused permission; allow it in Anki's "
                "dialog, or add this client to the add-on's webCorsOriginList"
            )
        if granted.get("requireApikey") and self.key is None:
            raise ApiKeyRefused(
                f"{self.url}: AnkiConnect requires an API key; pass the apiKey "
                "from the add-on's config (--anki-key)"
            )
        version = self.call("version")
        if not isinstance(version, int) or version < API_VERSION:
            raise NotAnkiConnect(
                f"{self.url}: AnkiConnect speaks version {version!r}, ankidigest needs "
                f"{API_VERSION} or later; update {_ADDON}"
            )
        return version

    # HTTP

    def _post(self, action: str, payload: dict[str, Any], timeout: float | None) -> Any:
        if timeout is None:
            timeout = self.import_timeout if action == "importPackage" else self.timeout
        # A read whose reply was lost is asked once more; anything else is the caller's call.
        attempts = 2 if action in READ_ONLY else 1
        for attempt in range(attempts):
            try:
                self.requests += 1
                response = self._session.post(self.url, json=payload, timeout=timeout)
            except requests.exceptions.InvalidURL as exc:
                raise DeliveryError(f"{self.url}: not a usable address ({exc})") from None
            except requests.exceptions.MissingSchema:
                raise DeliveryError(
                    f"{self.url}: not an address; write it as {DEFAULT_URL}"
                ) from None
            except requests.exceptions.RequestException as exc:
                if _never_sent(exc):
                    raise AnkiUnreachable(
                        f"{self.url}: cannot connect to Anki ({_reason(exc)}); start Anki "
                        f"with {_ADDON} installed, or pass its address (--anki-url)"
                    ) from None
                if attempt + 1 < attempts:
                    continue
                why = "timed out" if isinstance(exc, requests.Timeout) else _reason(exc)
                raise ReplyLost(self.url, action, why) from None
            return self._decode(action, response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _decode(self, action: str, response: requests.Response) -> Any:
        what = "something that is not AnkiConnect answers here"
        if response.status_code != 200:
            raise NotAnkiConnect(
                f"{self.url}: {what} (HTTP {response.status_code} to {action}); "
                "check the address (--anki-url)"
            )
        try:
            reply = response.json()
        except ValueError:
            raise NotAnkiConnect(
                f"{self.url}: {what} (the reply to {action} is not JSON); "
                "check the address (--anki-url)"
            ) from None
        if not isinstance(reply, dict) or set(reply) != {"result", "error"}:
            raise NotAnkiConnect(
                f"{self.url}: {what} (the reply to {action} has no result and error); "
                f"check the address (--anki-url) and that {_ADDON} is current"
            )
        return reply

    def _result(self, action: str, reply: Any) -> Any:
        if not isinstance(reply, dict) or "error" not in reply:
            raise NotAnkiConnect(f"{self.url}: AnkiConnect answered {action} with {reply!r:.80}")
        error = reply.get("error")
        if error is None:
            return reply.get("result")
        message = str(error)
        if message == _KEY_ERROR:
            raise ApiKeyRefused(
                f"{self.url}: AnkiConnect refused the API key; pass the apiKey from "
                "the add-on's config (--anki-key)"
                if self.key is not None
                else f"{self.url}: AnkiConnect requires an API key; pass the apiKey "
                "from the add-on's config (--anki-key)"
            )
        if message == _UNSUPPORTED:
            raise MissingAction(self.url, action)
        raise ActionFailed(self.url, action, message)


def _causes(exc: BaseException) -> Iterator[object]:
    """``exc`` and what it wraps (requests wraps urllib3's errors in its own args)."""
    seen: list[object] = []
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if any(item is s for s in seen):
            continue
        seen.append(item)
        yield item
        if isinstance(item, BaseException):
            todo.extend(item.args)
            todo.extend(c for c in (item.__cause__, item.__context__) if c is not None)
        reason = getattr(item, "reason", None)
        if reason is not None:
            todo.append(reason)


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether the request never reached a server (no connection was made), so that it
    certainly was not done."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    import urllib3.exceptions

    return any(
        isinstance(c, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError))
        for c in _causes(exc)
    )


def _reason(exc: BaseException) -> str:
    """A short, one-line reason from a requests error."""
    for cause in _causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.strerror:
            return str(cause.strerror).lower()
    return _one_line(type(exc).__name__)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]
