"""``--hash-media`` keeps media bytes in memory only: hashed, then dropped; nothing reaches a file or DB."""

from __future__ import annotations

import asyncio
import builtins
import hashlib
import io
import logging
import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from telegram_fakes import FakeClock, FakeTelegram, channel, jpeg_photo, message

from tgintel.jobs.collect import CollectOptions, collect
from tgintel.jobs.media import import_hashlist

MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"RIFF")


def jpeg_bytes(seed: int, side: int = 256) -> bytes:
    """A benign synthetic picture (smooth gradients plus noise), made here."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side] % 256
    img = np.stack([x, y, (x + y) // 2], axis=-1).astype(np.uint8) ^ rng.integers(
        0, 40, (side, side, 3), np.uint8
    )
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                p = os.path.join(dirpath, f)
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                out[p] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def no_file_writes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Fail any Python-level attempt to open a file for writing, and point TMPDIR at a read-only folder."""
    ro = tmp_path / "readonly-tmp"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setenv("TMPDIR", str(ro))
    monkeypatch.setattr(tempfile, "tempdir", str(ro))
    writes: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file, mode="r", *a, **kw):  # type: ignore[no-untyped-def]
        if any(c in str(mode) for c in "wax+"):
            writes.append(f"open({file!r}, {mode!r})")
        return real_open(file, mode, *a, **kw)

    def guarded_os_open(path, flags, *a, **kw):  # type: ignore[no-untyped-def]
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            writes.append(f"os.open({path!r})")
        return real_os_open(path, flags, *a, **kw)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    yield writes
    ro.chmod(stat.S_IRWXU)


def test_hash_media_never_writes_media_bytes(
    tmp_path: Path, sqlite_store, caplog, no_file_writes, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    shop = channel(1201, "pics_shop", "Pics")
    photos = {1: jpeg_bytes(1), 2: jpeg_bytes(2)}
    big = jpeg_bytes(3, side=512)
    tg = FakeTelegram()
    tg.add(shop, [
        message(shop, 1, "one", media=jpeg_photo(501, len(photos[1]))),
        message(shop, 2, "two", media=jpeg_photo(502, len(photos[2]))),
        message(shop, 3, "declared too big", media=jpeg_photo(503, 10_000_000)),
        message(shop, 4, "lies about its size", media=jpeg_photo(504, 1000)),
        message(shop, 5, "text only"),
    ])  # fmt: skip
    tg.media.update({1: photos[1], 2: photos[2], 3: big, 4: big})
    sqlite_store.watch_add(["@pics_shop"])
    # A hash list holding photo 1's MD5 (a benign picture made above; neutral placeholder category).
    listfile = tmp_path / "lists" / "known.txt"
    listfile.parent.mkdir()
    listfile.write_text(hashlib.md5(photos[1]).hexdigest() + "\n")
    import_hashlist(sqlite_store, listfile, name="known", type="md5", category="stolen_data")
    index = tmp_path / "hashindex"  # the derived hash index may be written; it is scanned below too
    monkeypatch.setenv("TGINTEL_HASHINDEX_DIR", str(index))
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # relative paths would land here
    watched = [tmp_path, Path(tempfile.gettempdir())]
    before = snapshot(*watched)
    cap = max(map(len, photos.values())) + 10
    assert len(big) > cap
    (report,) = asyncio.run(
        collect(sqlite_store, tg, CollectOptions(hash_media=True, max_media_bytes=cap), clock=FakeClock())
    )
    after = snapshot(*watched)
    db_files = {p for p in after if Path(p).name.startswith("t.sqlite") or p.startswith(str(index))}
    changed = {p for p in after if before.get(p) != after[p]} - db_files
    assert not changed, f"files written during collection: {sorted(changed)}"
    assert [w for w in no_file_writes if str(index) not in w and str(listfile) not in w] == []
    assert (report.media_hashed, report.media_skipped, report.media_matched) == (2, 2, 1)
    pk1 = sqlite_store.get_message(1201, 1)[0]
    (finding,) = sqlite_store.findings_for([pk1])[pk1]
    assert (finding.source, finding.category) == ("hash", "stolen_data")
    assert tg.calls[("download", 3)] == 0  # declared size over the cap: not even requested
    # The hashes are kept, the bytes are not: no image signature and no slice of any image in the DB files.
    for mid, data in photos.items():
        _, m = sqlite_store.get_message(1201, mid)
        hashes = m.media.extra["hashes"]
        assert hashes["md5"] == hashlib.md5(data).hexdigest() and len(hashes["pdq"]) == 64
    blobs = b"".join(Path(p).read_bytes() for p in db_files)
    for data in [*photos.values(), big]:
        for sig in (data[:16], data[len(data) // 2 : len(data) // 2 + 32], data[-32:]):
            assert sig not in blobs
        assert data[:16] not in caplog.text.encode("latin-1", "replace")
    assert not any(magic in blobs for magic in MAGIC[:2])


def test_media_is_not_downloaded_without_hash_media(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    shop = channel(1202, "meta_only", "M")
    tg = FakeTelegram()
    tg.add(shop, [message(shop, 1, "pic", media=jpeg_photo(601, 5000))])
    sqlite_store.watch_add(["@meta_only"])
    asyncio.run(collect(sqlite_store, tg, CollectOptions(), clock=FakeClock()))
    assert not [k for k in tg.calls if k[0] == "download"]
    _, m = sqlite_store.get_message(1202, 1)
    assert (m.media.kind, m.media.size, m.media.width, m.media.extra) == ("photo", 5000, 640, None)
