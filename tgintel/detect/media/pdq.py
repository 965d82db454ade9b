"""PDQ, Meta's open perceptual image hash: 256 bits, compared by Hamming distance.

Computed with the ``pdqhash`` package (bindings to Meta's C++ reference implementation) on the full RGB image,
which reproduces Meta's published reference hashes bit for bit. Quality (0–100) says how much structure the
image has; Meta does not match hashes with quality below 50 (flat or tiny images collide too easily).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from tgintel.detect.media.base import Content, Signal, SignalType, register

#: Meta's recommended match threshold (Hamming distance, inclusive).
PDQ_THRESHOLD = 31
#: Hashes of lower quality are computed and stored but never matched.
PDQ_MIN_QUALITY = 50


def bits_to_hex(bits: np.ndarray | list[int]) -> str:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def hamming_hex(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


@register
class PdqSignal(SignalType):
    name = "pdq"
    hex_len = 64
    default_threshold: ClassVar[int] = PDQ_THRESHOLD
    needs_image = True

    def compute(self, content: Content) -> Signal | None:
        import pdqhash

        try:
            rgb = content.rgb
        except ValueError:
            return None
        bits, quality = pdqhash.compute(rgb)
        return Signal("pdq", bits_to_hex(bits), int(quality))

    def dihedral(self, content: Content) -> list[str]:
        """The hashes of the 8 rotations and flips (original first), for rotation-robust matching."""
        import pdqhash

        hashes, _quality = pdqhash.compute_dihedral(content.rgb)
        return [bits_to_hex(h) for h in hashes]

    def distance(self, a: str, b: str) -> int:
        return hamming_hex(a, b)
