"""Python lists of numbers into numpy arrays through ``struct``.

Why not ``np.array(list)`` or ``np.fromiter``: on the classifier's per-chunk lists of feature ids, term ids
and exponentials, packing the list with ``struct`` and viewing the bytes costs ~110 instructions an item
against ~180 for ``np.fromiter`` (callgrind, docs/benchmarks.md "Classification speed, chunk path")."""

from __future__ import annotations

import struct

import numpy as np

__all__ = ["packed_array"]

_DTYPES = {"i": np.int32, "q": np.int64, "d": np.float64}


def packed_array(values: list[int] | list[float], code: str) -> np.ndarray:
    """A writable array of ``values``: ``code`` ``"i"`` int32, ``"q"`` int64, ``"d"`` float64."""
    return np.frombuffer(bytearray(struct.pack(f"{len(values)}{code}", *values)), dtype=_DTYPES[code])
