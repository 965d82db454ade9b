from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

PDQ_DATA = Path(__file__).resolve().parent.parent / "data" / "pdq"


def expected_pdq() -> dict[str, str]:
    with open(PDQ_DATA / "expected-pdq.csv", newline="") as f:
        return {row["file"]: row["pdq_hex"] for row in csv.DictReader(f)}


def encode(img, fmt: str, **kw) -> bytes:  # type: ignore[no-untyped-def]
    """Encode a PIL image into bytes in memory (tests never write images to disk either)."""
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.fixture(scope="session")
def bridge_bytes() -> bytes:
    return (PDQ_DATA / "bridge-aaa-orig.jpg").read_bytes()
