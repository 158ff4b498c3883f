"""Read: a post file -> text. UTF-8 (BOM allowed) or a named encoding, any line ends,
and a clear InputError naming the file (and line) for anything else.
"""

from __future__ import annotations

import codecs
import os
import re
import stat

from ankidigest import sanitize
from ankidigest.errors import InputError, UsageError

_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_UTF16_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
MAX_POST_BYTES = 64 * 1024 * 1024


def read_text(path: str, encoding: str | None = None) -> str:
    """Read a post as text: UTF-8 (BOM allowed) unless ``encoding`` is given, any line
    ends; otherwise a clear InputError (or UsageError for an unknown encoding)."""
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(f"--encoding: unknown encoding {encoding!r}") from None
        try:
            b"a".decode(encoding)  # LookupError for codecs of bytes, not text (base64, rot13)
        except LookupError:
            raise UsageError(f"--encoding: {encoding!r} is not a text encoding") from None
        except UnicodeError:
            pass  # a text codec that fails on everything ('undefined'): reported per file
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(path, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, "is not a regular file (a device, pipe or socket?)")
        if info.st_size > MAX_POST_BYTES:
            raise InputError(path, f"is larger than {MAX_POST_BYTES >> 20} MB; not a post?")
        with open(path, "rb") as fh:
            data = fh.read(MAX_POST_BYTES + 1)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if encoding is None:
        data = _check_utf8_bytes(path, data)
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        name = encoding or "UTF-8"
        if not 0 <= exc.start < len(data):
            msg = f"is not {name} text; name its encoding with --encoding"
            raise InputError(path, msg) from None
        raise InputError(
            path,
            f"is not {name} text (byte 0x{data[exc.start]:02x}); save it as UTF-8 "
            "or name its encoding with --encoding",
            line,
        ) from None
    except (UnicodeError, ValueError, TypeError) as exc:  # codecs that raise otherwise (idna)
        raise InputError(path, f"cannot be read as {encoding} text ({exc})") from None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _check_utf8_bytes(path: str, data: bytes) -> bytes:
    if data.startswith(_UTF16_BOMS):
        raise InputError(path, "is UTF-16/32 text; save it as UTF-8 or use --encoding utf-16")
    if b"\x00" in data:
        raise InputError(
            path,
            "looks binary (contains NUL bytes); if it is UTF-16 text without a byte "
            "order mark, use --encoding utf-16-le or utf-16-be",
        )
    return data


def title_from_name(path: str) -> str:
    stem = os.path.splitext(os.path.basename(path))[0]
    m = _JEKYLL_NAME.match(stem)
    title = (m.group(4) if m else stem).replace("-", " ").replace("_", " ")
    return " ".join(sanitize.clean_field(title).split()) or "untitled"


def date_from_name(path: str) -> str | None:
    m = _JEKYLL_NAME.match(os.path.splitext(os.path.basename(path))[0])
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


_HEADING_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*[:：\-–—|]?\s*(.*)$", re.S)


def dated_title(label: str) -> tuple[str | None, str]:
    """An article heading's (date, title): "2024-10-16 Title" -> ("2024-10-16", "Title");
    (None, label) when it does not open with a date."""
    m = _HEADING_DATE.match(label)
    if not m:
        return None, label
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}", m.group(4).strip() or label


def mtime_of(path: str) -> int:
    """The file's modification time in whole seconds; 0 when it cannot be read."""
    try:
        return int(os.stat(path).st_mtime)
    except OSError:
        return 0
