"""Media bytes never reach disk or the database: not while matching local files, not while the live
collector hashes downloaded media. Every file opened for writing is recorded (Python audit hook), temporary
folders are watched, and every byte under the database folder is scanned for image signatures and for a
random slice of the image."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tgintel.jobs.media import hash_and_match, index_dir
from tgintel.store import open_store

from .conftest import PDQ_DATA, expected_pdq

SIGNATURES = {
    "jpeg": [b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"\xff\xd8\xff\xdb", b"\xff\xd8\xff\xee"],
    "png": [b"\x89PNG\r\n\x1a\n"],
    "gif": [b"GIF87a", b"GIF89a"],
    "webp": [b"WEBPVP8"],
}

_writes: list[str] | None = None


def _audit(event: str, args: tuple) -> None:  # type: ignore[type-arg]
    if _writes is None:
        return
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        )
        if writing and not isinstance(path, int):
            _writes.append(os.fsdecode(path))
    elif event in ("os.mkdir", "os.rename", "shutil.copyfile"):
        _writes.append(os.fsdecode(args[0]) if event == "os.mkdir" else os.fsdecode(args[1]))
    elif event.startswith("tempfile."):
        _writes.append(f"{event} {args}")  # never under the index folder: flagged


sys.addaudithook(_audit)


@contextlib.contextmanager
def record_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], Path]]:
    """Record every file opened for writing; point temporary files at an empty folder that must stay empty."""
    global _writes
    scratch = tmp_path / "scratch-tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    _writes = []
    try:
        yield _writes, scratch
    finally:
        _writes = None


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_no_media(files: dict[str, bytes], image: bytes) -> None:
    rng = random.Random(7)
    slices = [image[i : i + 32] for i in (rng.randrange(100, len(image) - 32) for _ in range(4))]
    for name, data in files.items():
        for kind, sigs in SIGNATURES.items():
            for sig in sigs:
                assert sig not in data, f"{kind} signature in {name}"
        for s in slices:
            assert s not in data, f"image bytes in {name}"


def test_matching_local_files_writes_only_hashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tgintel.cli import app

    dbdir = tmp_path / "db"
    dbdir.mkdir()
    db = str(dbdir / "t.sqlite")
    monkeypatch.setenv("TGINTEL_HASHINDEX_DIR", str(dbdir / "index"))
    store = open_store(db)
    store.import_hashes(
        "l", "pdq", [(expected_pdq()["bridge-aaa-orig.jpg"], None)], category="csam_indicator"
    )
    store.close()
    image_path = PDQ_DATA / "bridge-sharpen-a-little.jpg"
    image = image_path.read_bytes()
    before = snapshot(dbdir)
    with record_writes(tmp_path, monkeypatch) as (writes, scratch):
        with contextlib.suppress(SystemExit):
            app(["media", "match", str(image_path), "--db", db, "--json"], standalone_mode=False)
        store = open_store(db)
        pk = _message(store)
        result = hash_and_match(store, image, message_pk=pk)
        assert [m.list_name for m in result.matches] == ["l"]
        store.close()
    assert list(scratch.iterdir()) == []
    outside = [w for w in writes if not w.startswith(str(dbdir / "index"))]
    assert outside == [], outside  # the index files are the only files Python wrote
    after = snapshot(dbdir)
    assert set(after) - set(before) <= {
        n for n in after if n.startswith("index/") or n.startswith("t.sqlite")
    }
    assert_no_media(after, image)


def _message(store) -> int:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from tgintel.model import Channel, Media, Message

    store.upsert_channels([Channel(id=9, title="c")])
    store.upsert_messages([Message(channel_id=9, id=1, date=datetime.now(UTC), media=Media(kind="photo"))])
    return store.get_message(9, 1)[0]


def test_collector_hash_media_path_keeps_no_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "collect"))
    fakes = pytest.importorskip("telegram_fakes")
    from tgintel.jobs.collect import CollectOptions, collect

    dbdir = tmp_path / "db"
    dbdir.mkdir()
    monkeypatch.setenv("TGINTEL_HASHINDEX_DIR", str(dbdir / "index"))
    store = open_store(str(dbdir / "c.sqlite"))
    store.import_hashes(
        "l", "pdq", [(expected_pdq()["bridge-aaa-orig.jpg"], None)], category="csam_indicator"
    )
    image = (PDQ_DATA / "bridge-blur-a-little.jpg").read_bytes()
    tg = fakes.FakeTelegram()
    chan = fakes.channel(4242, "zqx_market", "Z")
    posts = [fakes.message(chan, 1, "zqxplaceholder1", media=fakes.jpeg_photo(77, len(image))),
             fakes.message(chan, 2, "text only")]  # fmt: skip
    tg.add(chan, posts)
    tg.media[1] = image
    store.watch_add(["@zqx_market"])
    with record_writes(tmp_path, monkeypatch) as (writes, scratch):
        report, *_ = asyncio.run(collect(store, tg, CollectOptions(hash_media=True), clock=fakes.FakeClock()))
    assert report.media_hashed == 1
    assert report.media_matched == 1  # the collector matched the hashes against the lists after storing
    assert list(scratch.iterdir()) == []
    assert [w for w in writes if not w.startswith(str(dbdir / "index"))] == []
    assert index_dir(store).parent == dbdir / "index"
    pk = store.get_message(chan.id, 1)[0]
    assert store.matches_for([pk])[pk][0].distance == 2
    assert store.findings_for([pk])[pk][0].evidence == ["hash list l: pdq distance 2"]
    store.close()
    assert_no_media(snapshot(dbdir), image)
