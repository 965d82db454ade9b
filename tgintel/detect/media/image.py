"""Decoding untrusted image bytes in memory into the RGB array that PDQ expects.

Why each step: PDQ is defined on RGB luminance, so palette, CMYK, greyscale+alpha and 16-bit images must be
converted first (hashing their raw planes gives wrong hashes); a phone photo stored sideways with an EXIF
orientation tag is the same picture as the upright one, so the tag is applied. Images are hashed at their
full size up to :data:`MAX_SIDE` pixels: Meta's reference hashes (tests/data/pdq/expected-pdq.csv) are
computed on the full image, and shrinking to 512 px first changes up to 10 of the 256 bits on the reference
set, so only images larger than any Telegram photo (2560 px) are shrunk, with a Lanczos filter. Decoding
never touches disk: PIL reads from a BytesIO, and decompression bombs are refused.
"""

from __future__ import annotations

import io
import warnings

import numpy as np

#: Longest side hashed as-is; Telegram sends photos up to 2560 px, so those are hashed bit-exactly.
MAX_SIDE = 2560
#: Refuse images that would decode to more pixels than this (decompression bombs).
MAX_PIXELS = 80_000_000


def decode_rgb(data: bytes) -> np.ndarray:
    """H×W×3 uint8 RGB array of the image in ``data``; ValueError when it is not a readable image."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            if im.width * im.height > MAX_PIXELS:
                raise ValueError(f"image too large to hash safely ({im.width}x{im.height} pixels)")
            if max(im.size) > MAX_SIDE and im.format == "JPEG":
                # decode JPEG at a reduced scale directly: far less memory for huge photos
                im.draft("RGB", (MAX_SIDE, MAX_SIDE))
            im.load()
            im = ImageOps.exif_transpose(im)
            im = _to_rgb(im)
            if max(im.size) > MAX_SIDE:
                im.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            return np.asarray(im, dtype=np.uint8)
    except ValueError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise ValueError(f"not a readable image: {exc}") from None


def _to_rgb(im):  # type: ignore[no-untyped-def]
    """Convert any PIL mode to RGB the way a viewer would show it (alpha composited on white)."""
    from PIL import Image

    if im.mode == "RGB":
        return im
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit greyscale: keep the top 8 bits instead of clipping (PIL's convert("L") clips at 255)
        arr = np.asarray(im, dtype=np.float64)
        if arr.max() > 255:
            arr = arr / 257.0
        im = Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "L")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return im.convert("RGB")
