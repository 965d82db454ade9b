"""Independent checks of the identifiers the simulator writes: decoders, not the simulator's encoders.

Each function takes the surface form as written in a message and says whether a real validator would accept
it, so a bug in the simulator's encoders cannot hide behind the same bug in the check.
"""

from __future__ import annotations

import base64
import hashlib

import phonenumbers
from Crypto.Hash import keccak

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _b58decode(s: str) -> bytes:
    n = 0
    for c in s:
        n = n * 58 + B58.index(c)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + body


def base58check(s: str) -> bytes | None:
    raw = _b58decode(s)
    payload, check = raw[:-4], raw[-4:]
    return payload if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == check else None


def bech32_ok(s: str) -> bool:
    s = s.lower()
    hrp, _, data = s.rpartition("1")
    values = [BECH32.index(c) for c in data]
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp] + values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return hrp == "bc" and chk == 1 and values[0] == 0


def btc_ok(s: str) -> bool:
    if s.lower().startswith("bc1"):
        return bech32_ok(s)
    payload = base58check(s)
    return payload is not None and payload[:1] in (b"\x00", b"\x05") and len(payload) == 21


def tron_ok(s: str) -> bool:
    payload = base58check(s)
    return payload is not None and payload[:1] == b"\x41" and len(payload) == 21


def eth_ok(surface: str) -> bool:
    h = surface[2:]
    if len(h) != 40 or not surface.startswith("0x"):
        return False
    if h == h.lower():
        return True
    digest = keccak.new(digest_bits=256, data=h.lower().encode()).hexdigest()
    return all(c == (c.upper() if int(digest[i], 16) >= 8 else c.lower()) for i, c in enumerate(h))


def xmr_ok(s: str) -> bool:
    sizes = {0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}
    out = b""
    for i in range(0, len(s), 11):
        block = s[i : i + 11]
        n = 0
        for c in block:
            n = n * 58 + B58.index(c)
        out += n.to_bytes(sizes[len(block)], "big")
    payload, check = out[:-4], out[-4:]
    return (
        len(s) == 95 and payload[0] == 18 and keccak.new(digest_bits=256, data=payload).digest()[:4] == check
    )


def onion_ok(s: str) -> bool:
    host = s.removesuffix(".onion")
    raw = base64.b32decode(host.upper())
    pub, check, version = raw[:32], raw[32:34], raw[34:]
    return version == b"\x03" and hashlib.sha3_256(b".onion checksum" + pub + version).digest()[:2] == check


def iban_ok(value: str) -> bool:
    moved = value[4:] + value[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def phone_ok(surface: str, value: str) -> bool:
    num = phonenumbers.parse(surface)
    return (
        phonenumbers.is_valid_number(num)
        and phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) == value
    )
