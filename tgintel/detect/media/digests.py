"""Cryptographic digests of the exact bytes (MD5, SHA-256): what most shared hash lists (e.g. NCMEC-style
MD5 lists) carry. They match only byte-identical files, so re-encoded copies need PDQ."""

from __future__ import annotations

import hashlib

from tgintel.detect.media.base import Content, Signal, SignalType, register


@register
class Md5Signal(SignalType):
    name = "md5"
    hex_len = 32

    def compute(self, content: Content) -> Signal | None:
        return Signal("md5", hashlib.md5(content.data, usedforsecurity=False).hexdigest())


@register
class Sha256Signal(SignalType):
    name = "sha256"
    hex_len = 64

    def compute(self, content: Content) -> Signal | None:
        return Signal("sha256", hashlib.sha256(content.data).hexdigest())
