"""PDQ/MD5/SHA-256 hashing conforms to Meta's reference hashes and survives image-format differences."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from PIL import Image

from tgintel.detect.media import SIGNAL_TYPES, hamming_hex, hash_image_bytes

from .conftest import PDQ_DATA, encode, expected_pdq


def test_cli_media_hash_reproduces_every_reference_hash_bit_for_bit(run_cli) -> None:
    expected = expected_pdq()
    files = [str(PDQ_DATA / name) for name in expected]
    proc = run_cli("media", "hash", *files, "--json", check=True)
    rows = json.loads(proc.stdout)
    assert [r["file"] for r in rows] == files
    assert set(rows[0]) == {"file", "pdq", "quality", "md5", "sha256"}
    got = {r["file"].rsplit("/", 1)[1]: r["pdq"] for r in rows}
    assert got == expected
    for r in rows:
        data = (PDQ_DATA / r["file"].rsplit("/", 1)[1]).read_bytes()
        assert r["md5"] == hashlib.md5(data).hexdigest()
        assert r["sha256"] == hashlib.sha256(data).hexdigest()
        assert 0 <= r["quality"] <= 100


def test_bridge_edits_are_within_meta_threshold_and_unrelated_images_are_not() -> None:
    expected = expected_pdq()
    orig = expected["bridge-aaa-orig.jpg"]
    edits = [n for n in expected if n.startswith("bridge-")]
    assert len(edits) == 12
    for name in edits:
        assert hamming_hex(expected[name], orig) <= 31, name
    for path in sorted(PDQ_DATA.glob("labelme-*.jpg")):
        h = hash_image_bytes(path.read_bytes())
        assert h.pdq is not None
        assert hamming_hex(h.pdq, orig) > 31, path.name


def test_quality_is_low_for_flat_and_tiny_images() -> None:
    grey = hash_image_bytes(encode(Image.new("RGB", (300, 200), (128, 128, 128)), "PNG"))
    assert grey.pdq is not None and grey.quality is not None and grey.quality < 50
    small = hash_image_bytes((PDQ_DATA / "small.jpg").read_bytes())
    assert small.quality == 0
    assert hash_image_bytes((PDQ_DATA / "bridge-aaa-orig.jpg").read_bytes()).quality == 100


@pytest.fixture(scope="module")
def reference() -> Image.Image:
    im = Image.open(PDQ_DATA / "bridge-square-256x256.jpg")
    im.load()
    return im.convert("RGB")


def _pdq(data: bytes) -> str:
    h = hash_image_bytes(data)
    assert h.pdq is not None
    return h.pdq


# lossless re-encodings must give exactly the RGB original's hash
@pytest.mark.parametrize(
    "variant",
    ["cmyk_tiff", "rgba_png", "la_png", "l_png", "i16_png", "rgb_bmp"],
)
def test_lossless_mode_variants_hash_exactly_like_rgb(reference: Image.Image, variant: str) -> None:
    grey = reference.convert("L")
    base = {"la_png": grey, "l_png": grey, "i16_png": grey}.get(variant, reference)
    want = _pdq(encode(base, "PNG"))
    if variant == "cmyk_tiff":
        data = encode(reference.convert("CMYK"), "TIFF")
    elif variant == "rgba_png":
        data = encode(reference.convert("RGBA"), "PNG")
    elif variant == "la_png":
        data = encode(grey.convert("LA"), "PNG")
    elif variant == "l_png":
        data = encode(grey, "PNG")
    elif variant == "i16_png":
        wide = Image.fromarray(np.asarray(grey).astype(np.uint16) * 257)
        assert wide.mode == "I;16"
        data = encode(wide, "PNG")
    else:
        data = encode(reference, "BMP")
    assert _pdq(data) == want


def test_cmyk_needs_conversion(reference: Image.Image) -> None:
    """Hashing a CMYK image's raw planes as if they were RGB gives a far-off hash; ours does not."""
    import pdqhash

    cmyk = reference.convert("CMYK")
    want = _pdq(encode(reference, "PNG"))
    naive_bits, _ = pdqhash.compute(np.ascontiguousarray(np.asarray(cmyk)[:, :, :3]))
    naive = np.packbits(naive_bits.astype(np.uint8)).tobytes().hex()
    assert hamming_hex(naive, want) > 31
    assert hamming_hex(_pdq(encode(cmyk, "JPEG", quality=95)), want) <= 8  # JPEG loss only


def test_palette_image_is_within_quantisation_noise(reference: Image.Image) -> None:
    want = _pdq(encode(reference, "PNG"))
    pal = reference.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
    assert hamming_hex(_pdq(encode(pal, "PNG")), want) <= 8
    # a GIF with transparency is composited on white, like a viewer shows it
    assert _pdq(encode(pal, "GIF")) == _pdq(encode(pal.convert("RGB"), "PNG"))


@pytest.mark.parametrize(
    ("orientation", "stored"),
    [
        (3, Image.Transpose.ROTATE_180),
        (6, Image.Transpose.ROTATE_90),
        (8, Image.Transpose.ROTATE_270),
        (2, Image.Transpose.FLIP_LEFT_RIGHT),
    ],
)
def test_exif_orientation_is_applied(reference: Image.Image, orientation: int, stored) -> None:  # type: ignore[no-untyped-def]
    want = _pdq(encode(reference, "PNG"))
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(reference.transpose(stored), "PNG", exif=exif.tobytes())
    assert _pdq(data) == want
    # without the tag the sideways picture is a different picture to PDQ
    assert hamming_hex(_pdq(encode(reference.transpose(stored), "PNG")), want) > 31


def test_dihedral_variants_find_a_rotated_copy(reference: Image.Image) -> None:
    orig = _pdq(encode(reference, "PNG"))
    rotated = hash_image_bytes(encode(reference.transpose(Image.Transpose.ROTATE_90), "PNG"), dihedral=True)
    assert len(rotated.dihedral) == 8 and rotated.dihedral[0] == rotated.pdq
    assert hamming_hex(rotated.pdq or "", orig) > 31
    assert min(hamming_hex(h, orig) for h in rotated.dihedral) <= 31  # matched at the default threshold


def test_non_images_get_digests_only() -> None:
    h = hash_image_bytes(b"%PDF-1.4 not an image")
    assert h.pdq is None and h.quality is None
    assert h.md5 == hashlib.md5(b"%PDF-1.4 not an image").hexdigest()
    truncated = (PDQ_DATA / "wee.jpg").read_bytes()[:200]
    assert hash_image_bytes(truncated).pdq is None


def test_huge_images_are_shrunk_and_still_match(reference: Image.Image) -> None:
    big = reference.resize((3000, 3000), Image.Resampling.BICUBIC)
    h = hash_image_bytes(encode(big, "BMP"))
    assert hamming_hex(h.pdq or "", _pdq(encode(reference, "PNG"))) <= 16


def test_signal_types_normalise_and_reject() -> None:
    md5 = SIGNAL_TYPES["md5"]
    assert md5.normalize(" D41D8CD98F00B204E9800998ECF8427E ") == "d41d8cd98f00b204e9800998ecf8427e"
    with pytest.raises(ValueError, match="32 hex digits"):
        md5.normalize("abc")
    with pytest.raises(ValueError, match="not hexadecimal"):
        SIGNAL_TYPES["pdq"].normalize("g" * 64)
    assert SIGNAL_TYPES["pdq"].distance("0" * 64, "0" * 63 + "3") == 2
