"""Detect stages over loose messages in JSONL, without a database: the use case behind ``tgintel detect``.

Input lines: ``{"id": str|int, "text": str}`` plus optional ``channel``, ``date``, ``sender``. Output: one
line per input line in the same order (ARCHITECTURE.md contract). Streaming in batches, so memory stays flat.

Cluster ids: a near-duplicate cluster can be renamed when a later text bridges two clusters. For a file we
therefore read twice: the first pass validates every line and feeds the
:class:`~tgintel.detect.duplicates.NearDuplicateIndex` (keeping only one node number per line), the second
classifies and writes with the final cluster ids, so messages of one cluster always share the id. From stdin
(``-``) there is one pass and an id already written is not revised.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from tgintel.detect.duplicates import NearDuplicateIndex
from tgintel.detect.normalize import normalize
from tgintel.detect.pipeline import Pipeline, detection_record
from tgintel.errors import UserError

__all__ = ["detect_file", "iter_jsonl"]

BATCH = 2000


def _parse(path: str, n: int, line: bytes) -> tuple[Any, str]:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise UserError(f"{path}: line {n}: not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise UserError(f"{path}: line {n}: expected a JSON object")
    if "id" not in obj:
        raise UserError(f'{path}: line {n}: missing "id"')
    key = obj["id"]
    if not isinstance(key, str | int) or isinstance(key, bool):
        raise UserError(f'{path}: line {n}: "id" must be a string or integer')
    text = obj.get("text", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise UserError(f'{path}: line {n}: "text" must be a string')
    return key, text


def iter_jsonl(
    stream: IO[bytes], path: str, *, skip_bad: bool = False, on_bad: Callable[[str], Any] | None = None
) -> Iterator[tuple[int, Any, str]]:
    """``(line number, id, text)`` per non-blank line; bad lines raise :class:`UserError` or are skipped."""
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            key, text = _parse(path, n, line)
        except UserError as exc:
            if not skip_bad:
                raise
            if on_bad:
                on_bad(str(exc))
            continue
        yield n, key, text


def detect_file(
    src: str,
    out: IO[bytes],
    *,
    pipeline: Pipeline | None = None,
    skip_bad: bool = False,
    on_bad: Callable[[str], Any] | None = None,
    progress: Callable[[int], Any] | None = None,
    region: str | None = None,
) -> dict[str, int]:
    """Run the stages over ``src`` (a path, or ``-`` for stdin) and write JSONL to ``out``. ``region``: the
    country whose phone numbers may be written without a country code (``tgintel detect --region NL``)."""
    pipeline = pipeline or Pipeline()
    index = NearDuplicateIndex()
    nodes: array[int] | None = None
    if src != "-":
        path = Path(src)
        if not path.is_file():
            raise UserError(f"{src}: no such file")
        nodes = array("q")
        with path.open("rb") as f:
            buf: list[tuple[str, str]] = []
            for n, _key, text in iter_jsonl(f, src, skip_bad=skip_bad):
                buf.append((str(n), normalize(text)))
                if len(buf) >= BATCH:
                    nodes.extend(index.add_normalised(buf))
                    buf = []
            if buf:
                nodes.extend(index.add_normalised(buf))
    counts = {"messages": 0, "offers": 0, "skipped": 0}

    def bad(msg: str) -> None:
        counts["skipped"] += 1
        if on_bad:
            on_bad(msg)

    stream = sys.stdin.buffer if src == "-" else open(src, "rb")  # noqa: SIM115
    try:
        batch: list[tuple[int, Any, str]] = []
        for item in iter_jsonl(stream, src, skip_bad=skip_bad, on_bad=bad):
            batch.append(item)
            if len(batch) >= BATCH:
                _flush(batch, pipeline, index, nodes, out, counts, region)
                batch = []
                if progress:
                    progress(counts["messages"])
        if batch:
            _flush(batch, pipeline, index, nodes, out, counts, region)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    out.flush()
    return counts


def _flush(
    batch: list[tuple[int, Any, str]],
    pipeline: Pipeline,
    index: NearDuplicateIndex,
    nodes: array[int] | None,
    out: IO[bytes],
    counts: dict[str, int],
    region: str | None = None,
) -> None:
    texts = [t for _, _, t in batch]
    detections = pipeline.run(texts, regions=[region] * len(texts) if region else None)
    if nodes is None:
        clusters = index.add_many([(str(n), t) for n, _, t in batch])
    else:
        start = counts["messages"]
        clusters = [
            index.cluster_of_node(nodes[start + i]) if nodes[start + i] >= 0 else ""
            for i in range(len(batch))
        ]
    lines = []
    for (_n, key, _t), d, cluster in zip(batch, detections, clusters, strict=True):
        lines.append(orjson.dumps(detection_record(key, d, cluster)))
        counts["offers"] += d.offer
    out.write(b"\n".join(lines) + b"\n")
    counts["messages"] += len(batch)
