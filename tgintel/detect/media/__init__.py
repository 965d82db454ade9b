"""Media hashing from bytes held in memory: PDQ (perceptual, with quality), MD5 and SHA-256.

This stage is pure: it takes bytes and returns hashes, never writing, logging or showing the media. Each
hash type is a :class:`SignalType` in its own module, registered in :data:`SIGNAL_TYPES`; a new type is one
module imported here.
"""

from __future__ import annotations

import msgspec

from tgintel.detect.media import digests, pdq  # noqa: F401  (registers the built-in signal types)
from tgintel.detect.media.base import SIGNAL_TYPES, Content, Signal, SignalType, register
from tgintel.detect.media.pdq import PDQ_MIN_QUALITY, PDQ_THRESHOLD, hamming_hex

__all__ = [
    "PDQ_MIN_QUALITY",
    "PDQ_THRESHOLD",
    "SIGNAL_TYPES",
    "Content",
    "MediaHashes",
    "Signal",
    "SignalType",
    "get_signal_type",
    "hamming_hex",
    "hash_content",
    "hash_image_bytes",
    "register",
]


class MediaHashes(msgspec.Struct, kw_only=True):
    """The hashes of one piece of media; ``pdq``/``quality`` are None when the bytes are not an image.

    ``dihedral`` holds the 8 rotation/flip PDQ hashes when asked for (original first), else is empty.
    """

    md5: str
    sha256: str
    pdq: str | None = None
    quality: int | None = None
    dihedral: list[str] = []

    def signals(self) -> dict[str, str]:
        """type name → value for every hash present."""
        out = {"md5": self.md5, "sha256": self.sha256}
        if self.pdq is not None:
            out["pdq"] = self.pdq
        return out


def get_signal_type(name: str) -> SignalType:
    try:
        return SIGNAL_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown hash type {name!r} (known: {', '.join(sorted(SIGNAL_TYPES))})") from None


def hash_content(data: bytes) -> dict[str, Signal]:
    """Every registered signal type's hash of ``data`` (types that do not apply are absent)."""
    content = Content(data)
    out: dict[str, Signal] = {}
    for name, st in SIGNAL_TYPES.items():
        sig = st.compute(content)
        if sig is not None:
            out[name] = sig
    return out


def hash_image_bytes(data: bytes, *, dihedral: bool = False) -> MediaHashes:
    """MD5, SHA-256 and (for images) PDQ with quality of media bytes, computed in memory only.

    Non-image bytes still get MD5/SHA-256 (lists of videos and archives carry those) with ``pdq`` None.
    """
    content = Content(data)
    md5 = SIGNAL_TYPES["md5"].compute(content)
    sha = SIGNAL_TYPES["sha256"].compute(content)
    assert md5 is not None and sha is not None
    p = SIGNAL_TYPES["pdq"].compute(content)
    result = MediaHashes(md5=md5.value, sha256=sha.value)
    if p is not None:
        result.pdq, result.quality = p.value, p.quality
        if dihedral:
            result.dihedral = pdq.PdqSignal().dihedral(content)
    return result
