"""Phonetic strings from ECDICT (and user dictionaries) rewritten as plain IPA.

ECDICT mixes several conventions: a Cyrillic ``ә`` for the schwa, ASCII ``'``/``,``/``:``
for stress and length, ``^`` for ``ɡ``, runs of backslashes for ``ɜ``, a private-use
character for ``ɪ``, slashes around the whole string and "; (?@) ..." alternatives.
"""

from __future__ import annotations

import re

_CHARS = str.maketrans(
    {
        "ә": "ə",  # Cyrillic schwa
        "ɵ": "ə",
        "є": "ɛ",  # Cyrillic ie
        "ε": "ɛ",  # Greek epsilon
        "'": "ˈ",
        "ˊ": "ˈ",
        "´": "ˈ",
        "ʹ": "ˈ",
        "’": "ˈ",
        ",": "ˌ",
        ":": "ː",
        "^": "ɡ",
        "g": "ɡ",
        "c": "k",
        "\ue143": "ɪ",
        "\xa0": " ",
        "/": "",
    }
)
_BACKSLASHES = re.compile(r"\\+")
_SPACES = re.compile(r"\s+")


def to_ipa(raw: str) -> str:
    """Return ``raw`` as IPA: one pronunciation, stress and length marks in IPA form."""
    text = raw.split(";", 1)[0].split("(?", 1)[0]
    text = _BACKSLASHES.sub("ɜ", text)
    # A leading '.' (or one after a space) marks secondary stress in ECDICT.
    text = re.sub(r"(^|\s)\.", r"\1ˌ", text.strip())
    text = text.translate(_CHARS)
    return _SPACES.sub(" ", text).strip()
