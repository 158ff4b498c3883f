"""A small deterministic zip writer that deflates big entries on every core.

zipfile deflates on one core. Deflate streams can be cut into pieces that are
compressed apart and concatenated (each piece primed with the 32 KB before it
and ended with a sync flush, only the last one finished), which is what pigz
does; the compressor releases the GIL while it works, so threads are enough. The
compressor is ISA-L's (the ``isal`` package: standard deflate, three to five times
faster than zlib at the same size), or zlib's where isal cannot be imported.
Entries get a fixed time (1980-01-01) and mode 0644, so the same input gives the
same bytes. No ZIP64: entries must stay under 4 GB.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from collections import deque
from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING

from ankidigest.errors import OutputError

if TYPE_CHECKING:
    from concurrent.futures import Future

CHUNK = 1 << 22  # 4 MB pieces
WINDOW = 1 << 15  # deflate's history
_DOS_TIME, _DOS_DATE = 0, (1 << 5) | 1  # 1980-01-01 00:00:00
_LIMIT = 0xFFFFFFFF


def write_zip(path: str, entries: list[tuple[str, str | bytes]], level: int) -> dict[str, str]:
    """Write ``entries`` (name, source file path or bytes) to a new zip at ``path``.

    Returns each entry's SHA-256 (hex) of its uncompressed bytes."""
    central: list[bytes] = []
    digests: dict[str, str] = {}
    with open(path, "wb") as out:
        for name, source in entries:
            offset = out.tell()
            encoded = name.encode("utf-8")
            header = _local_header(encoded, 0, 0, 0)
            out.write(header)
            crc = size = csize = 0
            sha = hashlib.sha256()
            for raw, packed in _deflate(source, level):
                crc = zlib.crc32(raw, crc)
                sha.update(raw)
                size += len(raw)
                csize += len(packed)
                out.write(packed)
            if max(size, csize, out.tell()) >= _LIMIT:
                raise OutputError(f"{path}: {name} is too big for a zip without ZIP64")
            end = out.tell()
            out.seek(offset)
            out.write(_local_header(encoded, crc, csize, size))
            out.seek(end)
            central.append(_central_header(encoded, crc, csize, size, offset))
            digests[name] = sha.hexdigest()
        start = out.tell()
        for record in central:
            out.write(record)
        directory = out.tell() - start
        out.write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), directory, start, 0
            )
        )
    return digests


def _local_header(name: bytes, crc: int, csize: int, size: int) -> bytes:
    fixed = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, _DOS_TIME, _DOS_DATE, crc, csize, size, len(name), 0
    )
    return fixed + name


def _central_header(name: bytes, crc: int, csize: int, size: int, offset: int) -> bytes:
    fixed = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        (3 << 8) | 20,  # made on Unix, zip 2.0
        20,
        0,
        8,
        _DOS_TIME,
        _DOS_DATE,
        crc,
        csize,
        size,
        len(name),
        0,
        0,
        0,
        0,
        0o100644 << 16,
        offset,
    )
    return fixed + name


def _pieces(source: str | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes):
        for at in range(0, len(source), CHUNK):
            yield source[at : at + CHUNK]
        if not source:
            yield b""
        return
    with open(source, "rb") as fh:
        first = True
        while (piece := fh.read(CHUNK)) or first:
            first = False
            yield piece


def deflater() -> ModuleType:
    """isal's zlib-compatible module, else zlib itself."""
    try:
        from isal import isal_zlib
    except ImportError:  # no wheel for this platform
        return zlib
    return isal_zlib


def _compress(piece: bytes, history: bytes, level: int, last: bool) -> bytes:
    lib = deflater()
    if history:
        comp = lib.compressobj(level, lib.DEFLATED, -15, zdict=history)
    else:
        comp = lib.compressobj(level, lib.DEFLATED, -15)
    flush: int = lib.Z_FINISH if last else lib.Z_SYNC_FLUSH
    packed: bytes = comp.compress(piece) + comp.flush(flush)
    return packed


def _deflate(source: str | bytes, level: int) -> Iterator[tuple[bytes, bytes]]:
    """(raw piece, its deflated bytes) in order; pieces compress in parallel threads."""
    from concurrent.futures import ThreadPoolExecutor

    workers = min(4, os.cpu_count() or 1)
    pending: deque[tuple[bytes, Future[bytes]]] = deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        history = b""
        pieces = _pieces(source)
        piece = next(pieces)
        while True:
            following = next(pieces, None)
            last = following is None
            pending.append((piece, pool.submit(_compress, piece, history, level, last)))
            history = piece[-WINDOW:]
            if len(pending) > workers:
                raw, future = pending.popleft()
                yield raw, future.result()
            if following is None:
                break
            piece = following
        while pending:
            raw, future = pending.popleft()
            yield raw, future.result()


def read_entry(
    path: str, name: str, piece: int = 1 << 23, limit: int | None = None
) -> Iterator[bytes]:
    """The bytes of entry ``name`` of the zip at ``path``, in pieces of about ``piece``
    bytes; a deflated entry is inflated by ``deflater()`` (isal's is twice as
    fast as zlib's) and its CRC and size checked, anything else is read by zipfile.
    Raises KeyError for a missing entry and zipfile.BadZipFile for a damaged one, or
    one larger than ``limit`` bytes. Never holds more than about ``piece`` inflated
    bytes, and stops as soon as the entry gives more than the zip says it holds (a
    "zip bomb" that hides its size), so an entry can cost neither memory nor disk."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
        if limit is not None and info.file_size > limit:
            raise zipfile.BadZipFile(f"{name} is larger than {limit >> 20} MB")
        lib = deflater()
        if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 1 or lib is zlib:
            with archive.open(info) as src:  # zipfile stops at the size the zip says
                while data := src.read(piece):
                    yield data
            return
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{name}: bad local header")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        fh.seek(info.header_offset + 30 + name_length + extra_length)
        inflate = lib.decompressobj(-15)
        left = info.compress_size
        crc = size = 0
        packed = b""
        while left or packed:
            if not packed:
                packed = fh.read(min(piece, left))
                if not packed:
                    raise zipfile.BadZipFile(f"{name}: truncated")
                left -= len(packed)
            data = inflate.decompress(packed, piece)
            packed = inflate.unconsumed_tail
            crc = zlib.crc32(data, crc)
            size += len(data)
            if size > info.file_size:
                raise zipfile.BadZipFile(f"{name}: more bytes than the zip says it holds")
            if data:
                yield data
            elif packed and inflate.eof:
                break  # bytes after the end of the stream
        data = inflate.flush()
        crc = zlib.crc32(data, crc)
        size += len(data)
        if data:
            yield data
        if crc != info.CRC or size != info.file_size:
            raise zipfile.BadZipFile(f"{name}: CRC or size does not match")
