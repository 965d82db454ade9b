"""The message array of a pretty-printed single-chat export, parsed a block of messages at a time by orjson.

Why our own splitter: ijson (yajl2_c) builds every message from per-token events and was the largest single
cost of an import after the store itself. Telegram Desktop always writes its exports pretty-printed, one
member per line, and raw newlines cannot occur inside JSON strings, so the line that separates two
messages — ``},`` then a newline, then the array's indentation and ``{`` — is found with ``bytes.rfind``;
about 128 KB of whole messages is then handed to ``orjson.loads`` as one array. Measured on the
200,000-message bench export (shared 2-core machine, CPU seconds): ijson items 1.73–2.17 s, this reader
0.80–0.84 s (with 1 MB blocks).

It is a fast path, never the authority. It stops with :class:`Unexpected` on anything it does not
recognise — minified or odd layouts, keys after ``messages``, an empty array, text orjson rejects (syntax,
encoding, lone surrogates), integers longer than 18 digits (outside 64 bits orjson reads a float where ijson
keeps the integer) — and the caller re-reads the file with ijson, skipping the messages already handed out,
so every error is reported exactly as the general parser reports it. Correctness of a split does not rest
on indentation: each block starts at a message's ``{`` and must parse as a sequence of complete JSON values,
so a separator-looking line inside a message (odd indentation) makes the parse fail, never mis-split.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import orjson

from tgintel import accel

# Bytes read per block. The messages of a block are parsed, turned into rows and freed while they are still
# in the CPU's caches: 128 KB blocks measured 20-25 % less CPU for parse + rows than 1 MB blocks
# (docs/benchmarks.md, "Ingest, fourth pass"). The first read is larger: it must hold the chat header.
BLOCK = 128 << 10
FIRST = 1 << 20
# A block that finds no separator in this many bytes is one enormous message or an odd layout: leave it to
# the streaming parser, whose memory does not depend on it.
MAX_PENDING = 32 << 20

# "messages": [ and a line end, after the opening brace or a comma (each may end a line of its own)
_HEAD = re.compile(rb'[{,][ \t\r\n]*"messages"[ \t]*:[ \t]*\[[ \t]*(\r?\n)')
_WS = b" \t\r\n"
_DIGITS = bytes.maketrans(b"0123456789", b"\0" * 10)
_LONG_NUMBER = b"\0" * 19  # int64 has 19 digits: from 19 on, yajl and orjson may disagree
# From this file size on the digit-run check marks digits with numpy instead of ``bytes.translate``: 0.4
# against 1.3 ns a byte (128 KB blocks of the bench export), ~0.8 µs a message, while importing numpy costs
# ~0.1 s once: a loss for small exports, ~3 % of a 1,000,000-message import (docs/benchmarks.md, "Ingest,
# fifth pass").
NUMPY_FROM = 128 << 20
_MISSING = object()
# The C scan for long digit runs (tgintel/sources/_c_export.c): it reads one byte in 19 where a block holds
# no digits, where marking every byte cost ~7.8k instructions a message (``bytes.translate``; numpy ~2.4k).
# The marks below stay the fallback and the reference (tests/ingest/test_ingest_fast_paths.py).
_C = accel.load("tgintel.sources._c_export")


class Unexpected(Exception):
    """Not a layout this reader handles; use the general parser."""


class Where:
    """Where the reader is: bytes read so far, and the block whose messages are being handed out."""

    __slots__ = ("base", "block", "read", "sep")

    def __init__(self) -> None:
        self.read = self.base = 0
        self.block = self.sep = b""

    def offset_of(self, k: int) -> int:
        """File offset of the ``k``-th message of the current block (computed on demand: errors only).
        Messages are told apart by the line break after a top-level comma: it is followed by the array's
        indentation and then the next value, where a line inside a message is indented deeper (so a value
        that is not an object, which no ``},⏎{`` separator precedes, is found too)."""
        gap = self.sep[1:-1]  # ",", the line break, the array's indentation
        pos = 0
        for _ in range(k):
            j = self.block.find(gap, pos)
            while j >= 0 and self.block[j + len(gap) : j + len(gap) + 1] in (b" ", b"\t"):
                j = self.block.find(gap, j + 1)
            if j < 0:
                return self.base  # not the layout expected: the block start will do
            pos = j + len(gap)
        return self.base + pos


def message_blocks(f: BinaryIO, skip: int, header: dict[str, Any], where: Where) -> Iterator[list[Any]]:
    """Lists of message values, in file order. ``header`` holds the chat fields the structure scan read
    before ``messages`` (they must parse to the same values here, proving the array was found where the
    scan found it). ``where`` follows the reader."""
    f.seek(skip)
    data = f.read(FIRST)
    m = _HEAD.search(data)
    if m is None:
        raise Unexpected
    try:
        top = orjson.loads(data[: m.start() + 1] + b'"messages": []}')
    except orjson.JSONDecodeError:
        raise Unexpected from None
    if type(top) is not dict or any(top.get(k, _MISSING) != v for k, v in header.items()):
        raise Unexpected
    p = q = m.end()
    while q < len(data) and data[q] in b" \t":
        q += 1
    if data[q : q + 1] != b"{":
        raise Unexpected  # an empty array, or not one member per line
    where.sep = sep = b"}," + m.group(1) + data[p:q] + b"{"
    buf, base, read = data[q:], skip + q, skip + len(data)
    loads = orjson.loads
    check = number_check(_size_of(f))
    while True:
        # ``buf`` holds no separator (the rest of a message): a message longer than a block makes the reads
        # grow with it, so that copying and searching it stays linear in its size
        more = f.read(max(BLOCK, len(buf)))
        if more:
            seam = max(0, len(buf) - len(sep) + 1)
            buf += more
            read += len(more)
            j = buf.rfind(sep, seam)
            if j < 0:
                if len(buf) > MAX_PENDING:
                    raise Unexpected
                continue
            block, cut = buf[: j + 1], j + len(sep) - 1
        else:
            block, cut = _last_block(buf), len(buf)
        check(block)
        try:
            items = loads(b"[" + block + b"]")
        except orjson.JSONDecodeError:
            raise Unexpected from None
        where.base, where.block, where.read = base, block, read
        yield items
        if not more:
            return
        base += cut
        buf = buf[cut:]


def _last_block(buf: bytes) -> bytes:
    """The messages before the array's ``]``, which must be followed by the end of the top object only."""
    r = buf.rstrip(_WS)
    if not r.endswith(b"}"):
        raise Unexpected
    r = r[:-1].rstrip(_WS)
    if not r.endswith(b"]"):
        raise Unexpected
    return r[:-1].rstrip(_WS)


def _size_of(f: BinaryIO) -> int:
    try:
        return os.fstat(f.fileno()).st_size
    except (AttributeError, OSError, ValueError):  # not a file (io.BytesIO raises UnsupportedOperation)
        return 0


def _translate_marks(block: bytes) -> bytes:
    return block.translate(_DIGITS)


def digit_marker(size: int) -> Callable[[bytes], bytes]:
    """What marks the digits of a block for :func:`_check_numbers`, for a file of ``size`` bytes: the
    result has NUL where ``block`` has an ASCII digit (and wherever the two functions differ, at a NUL byte
    of ``block``, orjson refuses the block anyway: no valid JSON holds one). numpy only for big files."""
    if size < NUMPY_FROM:
        return _translate_marks
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency; the translation gives the same answers
        return _translate_marks
    frombuffer, u8 = np.frombuffer, np.uint8

    def numpy_marks(block: bytes) -> bytes:
        # uint8 arithmetic wraps: every byte below "0" lands above 9 too
        return ((frombuffer(block, u8) - 48) >= 10).tobytes()  # type: ignore[no-any-return]

    return numpy_marks


def number_check(size: int) -> Callable[[bytes], None]:
    """What refuses a block with a digit run outside int64 in a file of ``size`` bytes: the C scan where it
    is built, else :func:`_check_numbers` with the marks :func:`digit_marker` picks."""
    if _C is not None:
        return _check_numbers_c
    marks = digit_marker(size)
    return lambda block: _check_numbers(block, marks)


def _check_numbers(block: bytes, marks: Callable[[bytes], bytes] = _translate_marks) -> None:
    """Refuse a block with a digit run outside int64: as an integer token beyond 64 bits orjson reads it as
    a float where ijson keeps the integer. Runs inside strings are refused too (rare; the general parser then
    decides)."""
    digits = marks(block)
    i = digits.find(_LONG_NUMBER)
    while i >= 0:
        j = i + len(_LONG_NUMBER)
        while j < len(digits) and digits[j] == 0:
            j += 1
        _check_run(block, i, j)
        i = digits.find(_LONG_NUMBER, j)


def _check_numbers_c(block: bytes) -> None:
    """:func:`_check_numbers` with the translation's marks, the runs found by the C scan."""
    find = _C.long_digit_run  # type: ignore[union-attr]
    run = find(block, 0)
    while run is not None:
        _check_run(block, *run)
        run = find(block, run[1])


def _check_run(block: bytes, i: int, j: int) -> None:
    """Refuse the digit run ``block[i:j]`` (with a sign before it) unless it is an int64 other than -2**63."""
    try:
        value = int(block[i - (block[i - 1 : i] == b"-") : j])
    except ValueError:  # NUL bytes, which no valid JSON holds
        raise Unexpected from None
    if not -(2**63) < value < 2**63:  # yajl refuses -2**63 too ("integer overflow")
        raise Unexpected
