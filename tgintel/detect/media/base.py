"""The one interface every hash ("signal") type implements, in the manner of Meta's HMA ``SignalType``.

A signal type knows three things: how to compute its hash from content held in memory, how to read and
normalise a hash written in a list someone gave us, and how far apart two hashes are. Adding a hash type is
one module that subclasses :class:`SignalType` and decorates it with :func:`register`; the CLI, the hash-list
importer and the matcher find it through :data:`SIGNAL_TYPES`.
"""

from __future__ import annotations

import abc
from functools import cached_property
from typing import ClassVar

import msgspec
import numpy as np

__all__ = ["SIGNAL_TYPES", "Content", "Signal", "SignalType", "register"]


class Signal(msgspec.Struct, frozen=True):
    """One computed hash: its type, normalised value (lower-case hex) and quality where the type has one."""

    type: str
    value: str
    quality: int | None = None


class Content:
    """Media bytes held in memory for the time it takes to hash them, decoded at most once.

    Nothing here writes anywhere: the decoded image lives in this object only and goes with it. Callers drop
    the object (and their own reference to the bytes) as soon as the signals are computed.
    """

    __slots__ = ("__dict__", "data")

    def __init__(self, data: bytes) -> None:
        self.data = data

    @cached_property
    def rgb(self) -> np.ndarray:
        """The image as an H×W×3 uint8 array (EXIF orientation applied); raises ValueError if not an image."""
        from tgintel.detect.media.image import decode_rgb

        return decode_rgb(self.data)


class SignalType(abc.ABC):
    """A kind of hash. Subclasses are stateless; one instance of each lives in :data:`SIGNAL_TYPES`."""

    name: ClassVar[str]
    #: hex digits in a normalised value
    hex_len: ClassVar[int]
    #: largest distance that still counts as a match by default (0: exact types)
    default_threshold: ClassVar[int] = 0
    #: whether computing needs a decoded image (False: the raw bytes are enough)
    needs_image: ClassVar[bool] = False

    @abc.abstractmethod
    def compute(self, content: Content) -> Signal | None:
        """The hash of this content, or None when the type does not apply (e.g. PDQ of a non-image)."""

    def normalize(self, value: str) -> str:
        """A hash as written in a list, in canonical form (lower-case hex); ValueError says what is wrong."""
        v = value.strip().lower()
        if v.startswith("0x"):
            v = v[2:]
        if len(v) != self.hex_len:
            raise ValueError(f"expected {self.hex_len} hex digits for {self.name}, got {len(v)}")
        try:
            int(v, 16)
        except ValueError:
            raise ValueError(f"not hexadecimal: {value.strip()[:80]!r}") from None
        return v

    def distance(self, a: str, b: str) -> int:
        """0 when equal; exact types have no notion of "near" so anything else is 1."""
        return 0 if a == b else 1


SIGNAL_TYPES: dict[str, SignalType] = {}


def register(cls: type[SignalType]) -> type[SignalType]:
    """Class decorator: make a signal type known by its ``name``."""
    SIGNAL_TYPES[cls.name] = cls()
    return cls
