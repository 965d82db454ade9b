"""Writes the simulated stream as Telegram Desktop exports and the ground truth as JSON Lines.

Most messages repeat a text seen before, so each unique text's JSON (Desktop ``text``/``text_entities``
and its truth fields) is encoded once with orjson and the per-message JSON is assembled from bytes; this is
what lets the default study (≈668k messages) be written in seconds rather than minutes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import BinaryIO

import orjson

from tgintel.sources.simulate.stream import CHANNEL_ACTOR, PHOTO, STICKER, VIDEO, ChannelStream
from tgintel.sources.simulate.text import desktop_text
from tgintel.sources.simulate.world import ALBUM_PART, MEDIA_ONLY, SERVICE, SERVICE_ACTIONS, World

NOT_INCLUDED = b'"(File not included. Change data exporting settings to download.)"'
CONTENT_OF_KIND = {ALBUM_PART: b"album_part", MEDIA_ONLY: b"media", SERVICE: b"service"}


def _media_bytes(kind: int, n: int) -> bytes:
    """Metadata of an attachment as Desktop writes it when files were not exported (sizes vary by id)."""
    if kind == PHOTO:
        w, h = (1280, 960) if n % 3 else (960, 1280)
        return b',"photo":%s,"photo_file_size":%d,"width":%d,"height":%d' % (
            NOT_INCLUDED,
            40_000 + n * 37 % 200_000,
            w,
            h,
        )
    if kind == VIDEO:
        return (
            b',"file":%s,"file_name":"video_%d.mp4","file_size":%d,"thumbnail":%s,"thumbnail_file_size":%d,'
            b'"media_type":"video_file","mime_type":"video/mp4","duration_seconds":%d,"width":720,"height":1280'
            % (NOT_INCLUDED, n, 1_000_000 + n * 7919 % 9_000_000, NOT_INCLUDED, 9000 + n % 5000, 5 + n % 55)
        )
    if kind == STICKER:
        return (
            b',"file":%s,"file_name":"sticker.webp","file_size":%d,"thumbnail":%s,"media_type":"sticker",'
            b'"sticker_emoji":"\xf0\x9f\x98\x82","width":512,"height":512'
            % (NOT_INCLUDED, 20_000 + n % 9000, NOT_INCLUDED)
        )
    return b""


def _iso(ts: int) -> bytes:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)).encode()


class Writer:
    def __init__(self, w: World, start_ts: int) -> None:
        self.w = w
        self.start = start_ts
        dumps = orjson.dumps
        # per unique text: Desktop fields and truth fields, encoded once
        self.export_text = []
        self.truth_text = []
        for i, t in enumerate(w.texts):
            r = t.rendered
            self.export_text.append(
                b',"text":%s,"text_entities":%s' % (dumps(desktop_text(r.tg)), dumps(r.tg))
            )
            self.truth_text.append(
                b',"text":%s,"lang":"%s","offer":%s,"categories":%s,"campaign":%s,"cluster":%s,"entities":%s,'
                b'"content":"%s",'
                b'"variant":%d'
                % (
                    dumps(r.text),
                    t.lang.encode(),
                    b"true" if t.offer else b"false",
                    dumps(t.categories),
                    dumps(t.campaign),
                    dumps(t.cluster),
                    dumps(r.entities),
                    t.content.encode(),
                    i,
                )
            )
        self.user_key = [b"user%d" % u.uid for u in w.users]
        self.user_name = [dumps(u.name) for u in w.users]
        self.fwd_name = [dumps(x) for x in w.fwd_names]

    def channel(self, ci: int, s: ChannelStream, out: BinaryIO, truth: BinaryIO) -> int:
        """Write one channel's messages (as the body of its ``messages`` array) and their truth lines."""
        c = self.w.channels[ci]
        chan_key = b"channel%d" % c.id
        chan_name = orjson.dumps(c.title)
        start = self.start
        ex_text, tr_text, ukey, uname, fname = (
            self.export_text,
            self.truth_text,
            self.user_key,
            self.user_name,
            self.fwd_name,
        )
        chunk: list[bytes] = []
        tchunk: list[bytes] = []
        ts_l, kind_l, ref_l, actor_l = s.ts.tolist(), s.kind.tolist(), s.ref.tolist(), s.actor.tolist()
        fwd_l, media_l, album_l, reply_l, edited_l = (
            s.fwd.tolist(),
            s.media.tolist(),
            s.album.tolist(),
            s.reply.tolist(),
            s.edited.tolist(),
        )
        cid = c.id
        for i in range(len(ts_l)):
            mid = i + 1
            ts = start + ts_l[i]
            date = _iso(ts)
            a = actor_l[i]
            key, name = (chan_key, chan_name) if a == CHANNEL_ACTOR else (ukey[a], uname[a])
            kind = kind_l[i]
            if kind == SERVICE:
                action = SERVICE_ACTIONS[ref_l[i]]
                extra = b""
                if action == "pin_message":
                    extra = b',"message_id":%d' % max(1, mid - 1 - (mid * 7) % 10)
                elif action == "join_group_by_link":
                    extra = b',"inviter":"Group"'
                else:
                    extra = b',"members":[%s]' % uname[(a + mid) % len(uname)]
                chunk.append(
                    b'{"id":%d,"type":"service","date":"%s","date_unixtime":"%d","actor":%s,"actor_id":"%s",'
                    b'"action":"%s"%s,"text":"","text_entities":[]}'
                    % (mid, date, ts, name, key, action.encode(), extra)
                )
                tchunk.append(
                    b'{"channel_id":%d,"id":%d,"kind":"service","date":"%s+00:00","actor":"%s",'
                    b'"forwarded":false,"media":null,"album":null,"text":"","lang":"und","offer":false,'
                    b'"categories":[],"campaign":null,"cluster":null,"entities":[],"content":"service","variant":null}\n'
                    % (cid, mid, date, key)
                )
                continue
            parts = [b'{"id":%d,"type":"message","date":"%s","date_unixtime":"%d"' % (mid, date, ts)]
            if edited_l[i]:
                e = min(ts + edited_l[i], start + self.w.period - 1)
                parts.append(b',"edited":"%s","edited_unixtime":"%d"' % (_iso(e), e))
            parts.append(b',"from":%s,"from_id":"%s"' % (name, key))
            f = fwd_l[i]
            if f >= 0:
                parts.append(b',"forwarded_from":%s' % fname[f])
            if reply_l[i]:
                parts.append(b',"reply_to_message_id":%d' % reply_l[i])
            m = media_l[i]
            if m:
                parts.append(_media_bytes(m, mid))
            ref = ref_l[i]
            parts.append(ex_text[ref] if ref >= 0 else b',"text":"","text_entities":[]')
            parts.append(b"}")
            chunk.append(b"".join(parts))
            media_name = (b'"photo"', b'"photo"', b'"video"', b'"sticker"')[m] if m else b"null"
            album = b"%d" % album_l[i] if album_l[i] >= 0 else b"null"
            head = (
                b'{"channel_id":%d,"id":%d,"kind":"message","date":"%s+00:00","actor":"%s","forwarded":%s,'
                b'"media":%s,"album":%s'
                % (cid, mid, date, key, b"true" if f >= 0 else b"false", media_name, album)
            )
            if ref >= 0:
                tchunk.append(head + tr_text[ref] + b"}\n")
            else:
                tchunk.append(
                    head
                    + b',"text":"","lang":"und","offer":false,"categories":[],"campaign":null,"cluster":null,'
                    b'"entities":[],"content":"%s","variant":null}\n' % CONTENT_OF_KIND[kind]
                )
            if len(chunk) >= 20000:
                out.write(b",\n".join(chunk) + b",\n")
                truth.write(b"".join(tchunk))
                chunk, tchunk = [], []
        out.write(b",\n".join(chunk))
        truth.write(b"".join(tchunk))
        return len(ts_l)

    def chat_head(self, ci: int) -> bytes:
        c = self.w.channels[ci]
        kind = b"public_channel" if c.broadcast else b"public_supergroup"
        return b'{"name":%s,"type":"%s","id":%d,"messages":[\n' % (orjson.dumps(c.title), kind, c.id)


def write_all(
    w: World, streams: list[ChannelStream], out_dir: Path, start_ts: int, full_account: bool
) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = Writer(w, start_ts)
    files = []
    total = 0
    with open(out_dir / "truth.jsonl", "wb") as truth:
        if full_account:
            path = out_dir / "result.json"
            files.append(path)
            with open(path, "wb") as out:
                out.write(
                    b'{"about":"Here is the data you requested. Remember: Telegram is ad free, it doesn\'t '
                    b'use your data for ad targeting and doesn\'t sell it to others.",\n"chats":{"about":'
                    b'"This page lists all chats from this export.","list":[\n'
                )
                for ci, s in enumerate(streams):
                    out.write((b",\n" if ci else b"") + writer.chat_head(ci))
                    total += writer.channel(ci, s, out, truth)
                    out.write(b"\n]}")
                out.write(b"\n]}}\n")
        else:
            for ci, s in enumerate(streams):
                d = out_dir / w.channels[ci].username
                d.mkdir(parents=True, exist_ok=True)
                path = d / "result.json"
                files.append(path)
                with open(path, "wb") as out:
                    out.write(writer.chat_head(ci))
                    total += writer.channel(ci, s, out, truth)
                    out.write(b"\n]}\n")
    return {"files": [str(p) for p in files], "messages": total}
