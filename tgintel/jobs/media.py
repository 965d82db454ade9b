"""Media use cases: import hash lists, keep the PDQ index in step with them, hash and match media bytes.

Safety model (docs/media.md): media bytes are only ever held in memory by the caller, passed to
:func:`hash_and_match` or :func:`hash_file`, hashed, and dropped. Nothing here writes bytes, paths of
temporary files, thumbnails or previews anywhere; what is stored is hashes, match results and metadata.

The PDQ index lives in memory-mapped ``.npy`` files beside the database (``<db>.hashindex/`` for SQLite; a
cache folder keyed by the database URL for PostgreSQL, or ``$TGINTEL_HASHINDEX_DIR``). It is derived data:
deleting it is always safe, it is rebuilt from the ``hashes`` table.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import uuid
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import orjson

from tgintel.detect.hashindex import PdqIndex, hex_to_array
from tgintel.detect.media import (
    PDQ_MIN_QUALITY,
    PDQ_THRESHOLD,
    MediaHashes,
    get_signal_type,
    hash_image_bytes,
)
from tgintel.detect.media.listfile import ParseStats, parse_hash_lines
from tgintel.errors import UserError
from tgintel.model import Finding, Message
from tgintel.store.hashes import HashList, HashMatch
from tgintel.store.interface import Store

INDEX_FORMAT = 1


class MediaResult(msgspec.Struct, kw_only=True):
    """What hashing one piece of media gave: its hashes, the list hashes it matched, the findings made.

    ``skipped`` says why PDQ was not matched (not an image, quality below the minimum), else None.
    """

    hashes: MediaHashes
    matches: list[HashMatch] = []
    findings: list[Finding] = []
    skipped: str | None = None


# -- the PDQ index on disk ------------------------------------------------------------------------------
def index_dir(store: Store) -> Path:
    """Where this database's PDQ index files live."""
    env = os.environ.get("TGINTEL_HASHINDEX_DIR")
    url = store.url
    if url.startswith("sqlite:///") and not env:
        return Path(url[len("sqlite:///") :] + ".hashindex")
    digest = hashlib.blake2b(getattr(store, "display_url", url).encode(), digest_size=8).hexdigest()
    if env:
        return Path(env) / digest
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tgintel" / "hashindex" / digest


def _load_files(folder: Path) -> tuple[PdqIndex, dict[int, int]] | None:
    try:
        meta = orjson.loads((folder / "meta.json").read_bytes())
        if meta.get("format") != INDEX_FORMAT:
            return None
        base = folder / meta["base"]
        arrays = {p.stem: np.load(p, mmap_mode="r") for p in base.glob("*.npy")}
        with np.load(folder / meta["delta"]) as d:
            arrays.update({k: d[k] for k in d.files})
        return PdqIndex.from_arrays(arrays), {int(k): int(v) for k, v in meta["lists"].items()}
    except (OSError, ValueError, KeyError, orjson.JSONDecodeError):
        return None


def _save_files(folder: Path, index: PdqIndex, lists: dict[int, int], *, rebuilt: bool) -> None:
    """Write the index; the big arrays only after a (re)build. meta.json is replaced last, atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    old_meta: dict[str, Any] = {}
    if (folder / "meta.json").exists():
        try:
            old_meta = orjson.loads((folder / "meta.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            old_meta = {}
    arrays = index.arrays()
    small = ("delta_hashes", "delta_ids", "delta_lists", "deleted")
    base_name = old_meta.get("base") if not rebuilt and old_meta.get("format") == INDEX_FORMAT else None
    if base_name is None or not (folder / base_name).is_dir():
        base_name = f"base-{uuid.uuid4().hex[:12]}"
        tmp = folder / (base_name + ".tmp")
        tmp.mkdir()
        for k, v in arrays.items():
            if k not in small:
                np.save(tmp / f"{k}.npy", np.ascontiguousarray(v))
        tmp.rename(folder / base_name)
    delta_name = f"delta-{uuid.uuid4().hex[:12]}.npz"
    with open(folder / delta_name, "wb") as f:
        np.savez(f, **{k: np.ascontiguousarray(arrays[k]) for k in small})
    meta = {"format": INDEX_FORMAT, "base": base_name, "delta": delta_name,
            "lists": {str(k): v for k, v in lists.items()}}  # fmt: skip
    (folder / "meta.json.tmp").write_bytes(orjson.dumps(meta))
    os.replace(folder / "meta.json.tmp", folder / "meta.json")
    for p in folder.iterdir():  # leftovers of earlier generations
        if p.name not in (base_name, delta_name, "meta.json"):
            shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)


def _read_rows(
    store: Store, lists: Iterable[HashList], after: dict[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashes, row keys and list ids of the lists' rows after ``after[list id]``, as compact arrays
    (batch by batch: 10M hashes never exist as 10M Python strings at once)."""
    hashes: list[np.ndarray] = [np.zeros((0, 32), np.uint8)]
    ids: list[np.ndarray] = [np.zeros(0, np.int64)]
    list_ids: list[np.ndarray] = [np.zeros(0, np.int32)]
    for hl in lists:
        for batch in store.iter_list_hashes(hl.id, after_pk=after.get(hl.id, 0)):
            hashes.append(hex_to_array([v for _, v in batch]))
            ids.append(np.fromiter((pk for pk, _ in batch), np.int64, len(batch)))
            list_ids.append(np.full(len(batch), hl.id, np.int32))
    return np.concatenate(hashes), np.concatenate(ids), np.concatenate(list_ids)


def sync_pdq_index(store: Store, *, folder: Path | None = None, save: bool = True) -> PdqIndex:
    """The PDQ index of every PDQ list in the store, loaded from disk and brought up to date incrementally.

    New lists and hashes added to lists since the files were written are added; removed lists are masked;
    when the changes grow large the index is rebuilt. With no files (or unreadable ones) it is built from
    the ``hashes`` table. Saving failures (read-only folder) leave a working in-memory index.
    """
    folder = folder or index_dir(store)
    current = {hl.id: hl for hl in store.list_hashlists(type="pdq")}
    loaded = _load_files(folder) if folder.exists() else None
    rebuilt = loaded is None
    if loaded is None:
        index = PdqIndex.build(*_read_rows(store, current.values(), {}))
        known: dict[int, int] = {}
        changed = bool(current) or folder.exists()
    else:
        index, known = loaded
        removed = [i for i in known if i not in current]
        grown = [hl for hl in current.values() if hl.max_pk > known.get(hl.id, 0)]
        changed = bool(removed or grown)
        if removed:
            index.remove_lists(removed)
        if grown:
            index.add(*_read_rows(store, grown, known))
        if index.needs_compaction():
            index, rebuilt = index.compacted(), True
    state = {i: hl.max_pk for i, hl in current.items()}
    if save and changed:
        try:
            _save_files(folder, index, state, rebuilt=rebuilt)
        except OSError as exc:
            print(f"tgintel: warning: cannot save hash index in {folder}: {exc}", file=sys.stderr)
    return index


# -- matching -------------------------------------------------------------------------------------------
class Matcher:
    """Hash lists of one store, ready to match: the PDQ index plus list metadata, refreshed when lists change.

    Keep one per process (the collector does); :func:`hash_and_match` keeps one per store for you.
    """

    def __init__(
        self, store: Store, *, radius: int = PDQ_THRESHOLD, min_quality: int = PDQ_MIN_QUALITY
    ) -> None:
        self.store = store
        self.radius = radius
        self.min_quality = min_quality
        self._version: tuple[int, int, int] | None = None
        self.index: PdqIndex | None = None
        self.lists: dict[int, HashList] = {}

    def refresh(self) -> None:
        version = self.store.hashlists_version()
        if version == self._version and self.index is not None:
            return
        self.lists = {hl.id: hl for hl in self.store.list_hashlists()}
        self.index = sync_pdq_index(self.store)
        self._version = version

    def match(self, hashes: MediaHashes) -> tuple[list[HashMatch], str | None]:
        """All list hashes this media matches, closest first, and why PDQ was skipped (or None)."""
        return self.match_many([hashes])[0]

    def match_many(self, items: Sequence[MediaHashes]) -> list[tuple[list[HashMatch], str | None]]:
        """:meth:`match` for many media at once: one index search and a few SQL lookups in all."""
        self.refresh()
        assert self.index is not None
        exact: dict[tuple[str, str], list[HashMatch]] = {}
        for kind in ("md5", "sha256"):
            values = sorted({getattr(h, kind) for h in items})
            for m in self.store.lookup_exact(kind, values):
                exact.setdefault((kind, m.value), []).append(m)
        out: list[tuple[list[HashMatch], str | None]] = []
        queries: list[str] = []
        owner: list[int] = []
        for i, h in enumerate(items):
            found = exact.get(("md5", h.md5), []) + exact.get(("sha256", h.sha256), [])
            skipped = None
            if h.pdq is None:
                skipped = "not an image: PDQ not computed"
            elif (h.quality or 0) < self.min_quality:
                skipped = f"PDQ quality {h.quality} below {self.min_quality}: not matched"
            else:
                for q in h.dihedral or [h.pdq]:
                    queries.append(q)
                    owner.append(i)
            out.append((found, skipped))
        if queries and len(self.index):
            hits = self.index.search(hex_to_array(queries), self.radius)
            best: dict[tuple[int, int, int], tuple[int, str]] = {}  # (item, hash row, list) -> closest
            for qi, hid, lid, d, h in zip(hits.query.tolist(), hits.id.tolist(), hits.list.tolist(),
                                          hits.distance.tolist(), hits.hash, strict=True):  # fmt: skip
                key = (owner[qi], hid, lid)
                if key not in best or d < best[key][0]:
                    best[key] = (d, h.tobytes().hex())
            for (item, _hid, lid), (d, value) in best.items():
                hl = self.lists.get(lid)
                if hl is not None:
                    out[item][0].append(HashMatch(list_id=lid, list_name=hl.name, category=hl.category,
                                                  type="pdq", value=value, distance=d))  # fmt: skip
        for found, _ in out:
            found.sort(key=lambda m: (m.distance, m.list_name, m.value))
        return out


def findings_from(found: Sequence[HashMatch]) -> list[Finding]:
    """One ``hash`` finding per list category, from the closest match; PDQ score falls from 1.0 at distance
    0 to just above 0.5 at 31 (1 - d/64), exact digests score 1.0."""
    best: dict[str, Finding] = {}
    for m in found:  # closest first
        if not m.category:
            continue
        what = f"{m.type} distance {m.distance}" if m.type == "pdq" else f"{m.type} exact match"
        ev = f"hash list {m.list_name}: {what}"
        if m.category in best:
            if ev not in best[m.category].evidence:
                best[m.category].evidence.append(ev)
            continue
        score = 1.0 if m.type != "pdq" else max(0.0, round(1.0 - m.distance / 64.0, 3))
        best[m.category] = Finding(category=m.category, score=score, evidence=[ev], source="hash")
    return list(best.values())


_matchers: weakref.WeakKeyDictionary[Any, Matcher] = weakref.WeakKeyDictionary()


def _matcher(store_or_matcher: Store | Matcher) -> Matcher:
    if isinstance(store_or_matcher, Matcher):
        return store_or_matcher
    matcher = _matchers.get(store_or_matcher)
    if matcher is None:
        matcher = _matchers[store_or_matcher] = Matcher(store_or_matcher)
    return matcher


def match_and_record(
    store_or_matcher: Store | Matcher, hashes: MediaHashes, *, message_pk: int | None = None
) -> MediaResult:
    """Match already computed hashes against every list; for a stored message, record hashes, matches and
    ``hash`` findings (replacing an earlier result for it)."""
    matcher = _matcher(store_or_matcher)
    found, skipped = matcher.match(hashes)
    findings = findings_from(found)
    if message_pk is not None:
        matcher.store.save_media_result(
            message_pk, pdq=hashes.pdq, quality=hashes.quality, md5=hashes.md5, sha256=hashes.sha256,
            found=found, findings=findings,
        )  # fmt: skip
    return MediaResult(hashes=hashes, matches=found, findings=findings, skipped=skipped)


def hash_and_match(
    store_or_matcher: Store | Matcher,
    data: bytes,
    *,
    message_pk: int | None = None,
    dihedral: bool = False,
) -> MediaResult:
    """Hash media bytes in memory, match them against every hash list, and (for a stored message) record
    the hashes, matches and ``hash`` findings. The bytes are neither kept nor written; the caller should
    drop its own reference too."""
    hashes = hash_image_bytes(data, dihedral=dihedral)
    del data
    result = match_and_record(store_or_matcher, hashes, message_pk=message_pk)
    hashes.dihedral = []
    return result


def _collected_hashes(m: Message) -> MediaHashes | None:
    h = ((m.media.extra or {}) if m.media is not None else {}).get("hashes")
    if not isinstance(h, dict) or not h.get("md5") or not h.get("sha256"):
        return None
    return MediaHashes(md5=h["md5"], sha256=h["sha256"], pdq=h.get("pdq"), quality=h.get("quality"))


def match_stored_media(store_or_matcher: Store | Matcher, batch: Sequence[tuple[int, Message]]) -> int:
    """Match the media hashes the live collector put in ``media.extra["hashes"]`` of stored messages
    (``(pk, message)`` pairs) and record the results. Returns how many matched a list.

    This is how collected media meets the hash lists without the bytes: the collector hashed them in
    memory and dropped them; here only the hashes travel. Safe to repeat (results are replaced)."""
    matcher = _matcher(store_or_matcher)
    todo = [(pk, h) for pk, m in batch if (h := _collected_hashes(m)) is not None]
    if not todo:
        return 0
    matched = 0
    for (pk, h), (found, _skipped) in zip(todo, matcher.match_many([h for _, h in todo]), strict=True):
        findings = findings_from(found)
        matcher.store.save_media_result(pk, pdq=h.pdq, quality=h.quality, md5=h.md5, sha256=h.sha256,
                                        found=found, findings=findings)  # fmt: skip
        matched += bool(found)
    return matched


def match_message_media(store_or_matcher: Store | Matcher, messages: Sequence[Message]) -> int:
    """:func:`match_stored_media` for messages just stored by the collector (row keys looked up)."""
    matcher = _matcher(store_or_matcher)
    batch = []
    for m in messages:
        if _collected_hashes(m) is None:
            continue
        stored = matcher.store.get_message(m.channel_id, m.id)
        if stored is not None:
            batch.append((stored[0], stored[1]))
    return match_stored_media(matcher, batch)


def rematch_all(store: Store) -> dict[str, int]:
    """Match every stored message's collected media hashes against the current lists, e.g. after a new
    list was loaded. Only hashes are read; returns counts."""
    matcher = Matcher(store)
    seen = matched = 0
    for batch in store.iter_messages(batch_size=2000):
        with_hashes = [(pk, m) for pk, m in batch if _collected_hashes(m) is not None]
        seen += len(with_hashes)
        matched += match_stored_media(matcher, with_hashes)
    return {"media": seen, "matched": matched}


# -- files the user owns --------------------------------------------------------------------------------
def read_media_file(path: str | Path) -> bytes:
    p = Path(path)
    try:
        return p.read_bytes()
    except IsADirectoryError:
        raise UserError(f"{p}: is a folder, not a media file") from None
    except OSError as exc:
        raise UserError(f"{p}: cannot read: {exc.strerror or exc}") from None


def hash_file(path: str | Path, *, dihedral: bool = False) -> dict[str, Any]:
    """The ARCHITECTURE contract row for one file: ``{"file", "pdq", "quality", "md5", "sha256"}``."""
    h = hash_image_bytes(read_media_file(path), dihedral=dihedral)
    row: dict[str, Any] = {"file": str(path), "pdq": h.pdq, "quality": h.quality, "md5": h.md5,
                           "sha256": h.sha256}  # fmt: skip
    if dihedral:
        row["dihedral"] = h.dihedral
    return row


def match_file(matcher: Matcher, path: str | Path, *, dihedral: bool = False) -> dict[str, Any]:
    result = hash_and_match(matcher, read_media_file(path), dihedral=dihedral)
    h = result.hashes
    return {
        "file": str(path), "pdq": h.pdq, "quality": h.quality, "md5": h.md5, "sha256": h.sha256,
        "skipped": result.skipped,
        "matches": [{"list": m.list_name, "category": m.category, "type": m.type, "value": m.value,
                     "distance": m.distance} for m in result.matches],
    }  # fmt: skip


# -- hash lists -----------------------------------------------------------------------------------------
def import_hashlist(
    store: Store,
    path: str | Path,
    *,
    name: str,
    type: str,
    category: str | None = None,
    source: str | None = None,
    format: str = "auto",
    strict: bool = False,
) -> dict[str, Any]:
    """Import one list file; returns counts and the first bad lines. Nothing is stored when the file has
    no usable hash, or (``strict``) any bad line."""
    try:
        signal = get_signal_type(type)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    p = Path(path)
    stats = ParseStats()

    def bad_lines() -> list[str]:
        return [f"line {b.line}: {b.reason}" for b in stats.bad[:5]]

    def checked(lines: Iterable[str]) -> Iterator[tuple[str, str | None]]:
        # Streams into the store's import transaction; raising here rolls the whole import back.
        for row in parse_hash_lines(lines, signal, format=format, stats=stats):
            if strict and stats.bad_count:
                break
            yield row
        if strict and stats.bad_count:
            raise UserError(f"{p}: {bad_lines()[0]} (nothing imported: --strict)")
        if stats.good == 0:
            detail = f" (first: {bad_lines()[0]})" if stats.bad else ""
            raise UserError(f"{p}: no {type} hash found in {stats.lines} data lines{detail}")

    try:
        with open(p, encoding="utf-8-sig", errors="strict", newline="") as f:
            result = store.import_hashes(
                name, type, checked(f), category=category, source=source, file=p.name
            )
    except UnicodeDecodeError as exc:
        raise UserError(f"{p}: byte {exc.start}: not UTF-8 text; nothing imported") from None
    except OSError as exc:
        raise UserError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except UserError:
        raise
    except ValueError as exc:
        raise UserError(f"{p}: {exc}" if "hash list" not in str(exc) else str(exc)) from None
    first_bad = bad_lines()
    return {
        "list": name, "type": type, "category": category, "format": stats.format, "lines": stats.lines,
        "added": result.added, "duplicates": result.duplicates, "other_type": stats.other_type,
        "bad": stats.bad_count, "first_bad": first_bad, "created": result.created,
    }  # fmt: skip
