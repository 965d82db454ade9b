"""Checksum validators for the identifiers criminals publish: wallets, onion addresses and IBANs.

A string that merely looks like an address is not evidence; one whose checksum holds almost certainly is
(a random 32-bit checksum passes once in four billion tries). Each validator takes the surface string and
returns the normalised value, or None when the checksum or structure fails.

Base58 and bech32 are written here (each a dozen lines, following BIP-173/BIP-350 and the Monero block
encoding) because the libraries that offer them pull whole wallet stacks in; Keccak-256 comes from
pycryptodome and SHA3-256/SHA-256 from hashlib.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from Crypto.Hash import keccak

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}


def keccak256(data: bytes) -> bytes:
    return keccak.new(data=data, digest_bits=256).digest()


def _sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def b58decode(s: str) -> bytes | None:
    """Bitcoin-style base58 (big integer, leading '1's are zero bytes)."""
    n = 0
    for c in s:
        i = _B58_INDEX.get(c)
        if i is None:
            return None
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(s) - len(s.lstrip("1"))
    return b"\x00" * pad + body


def b58check_payload(s: str) -> bytes | None:
    """Payload (version byte included) of a base58check string, or None if the checksum fails."""
    raw = b58decode(s)
    if raw is None or len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    return payload if _sha256d(payload)[:4] == check else None


@lru_cache(maxsize=4096)
def btc_base58(s: str) -> str | None:
    """P2PKH ('1…', version 0x00) or P2SH ('3…', version 0x05) mainnet address."""
    payload = b58check_payload(s)
    if payload is None or len(payload) != 21 or payload[0] not in (0x00, 0x05):
        return None
    return s


@lru_cache(maxsize=4096)
def tron(s: str) -> str | None:
    """TRON mainnet address: base58check over 0x41 + 20-byte account id ('T…', 34 characters)."""
    payload = b58check_payload(s)
    if payload is None or len(payload) != 21 or payload[0] != 0x41:
        return None
    return s


# --- bech32 / bech32m (BIP-173, BIP-350) -------------------------------------------------------------------
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32_CHARSET)}
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _gen_xor(top: int) -> int:
    x = 0
    for i in range(5):
        if (top >> i) & 1:
            x ^= _BECH32_GEN[i]
    return x


# BIP-173's inner loop xors in gen[i] for each set bit i of the 5 top bits: the xor for each of the 32
# values of those bits, precomputed (the same number, one look-up instead of five tests).
_BECH32_GEN_XOR = tuple(_gen_xor(top) for top in range(32))


def _bech32_polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        chk = (chk & 0x1FFFFFF) << 5 ^ v ^ _BECH32_GEN_XOR[chk >> 25]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convertbits(data: list[int], frombits: int, tobits: int) -> list[int] | None:
    acc = bits = 0
    ret: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return ret


@lru_cache(maxsize=4096)
def btc_bech32(s: str) -> str | None:
    """Native SegWit mainnet address (``bc1…``): v0 with bech32, v1+ (taproot) with bech32m."""
    if s.lower() != s and s.upper() != s:
        return None  # BIP-173: mixed case is invalid
    s = s.lower()
    if len(s) > 90 or not s.startswith("bc1"):
        return None
    data = [_BECH32_INDEX.get(c, -1) for c in s[3:]]
    if len(data) < 6 or -1 in data:
        return None
    const = _bech32_polymod([*_hrp_expand("bc"), *data])
    if const not in (_BECH32_CONST, _BECH32M_CONST):
        return None
    values = data[:-6]
    if not values:
        return None
    version = values[0]
    prog = _convertbits(values[1:], 5, 8)
    if version > 16 or prog is None or not 2 <= len(prog) <= 40:
        return None
    if version == 0 and (len(prog) not in (20, 32) or const != _BECH32_CONST):
        return None
    if version > 0 and const != _BECH32M_CONST:
        return None
    return s


# --- Ethereum (EIP-55) -------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def eth(s: str) -> str | None:
    """``0x`` + 40 hex digits; mixed case must carry a valid EIP-55 checksum. Value is lowercased."""
    body = s[2:]
    if len(body) != 40:
        return None
    lower = body.lower()
    if body == lower or body == body.upper():
        return "0x" + lower
    digest = keccak256(lower.encode("ascii")).hex()
    for c, h in zip(body, digest[:40], strict=True):
        if c.isalpha() and (c.isupper() != (int(h, 16) >= 8)):
            return None
    return "0x" + lower


# --- Monero ------------------------------------------------------------------------------------------------
_XMR_FULL_BLOCK = 11
_XMR_BLOCK_SIZES = {0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}  # chars -> bytes
# Mainnet network bytes: standard (4…), integrated (4…, with payment id), subaddress (8…).
_XMR_PREFIXES = {18: 69, 19: 77, 42: 69}


def xmr_b58decode(s: str) -> bytes | None:
    """Monero's base58: 8-byte blocks encoded as 11 characters each, the last block shorter."""
    out = bytearray()
    for i in range(0, len(s), _XMR_FULL_BLOCK):
        block = s[i : i + _XMR_FULL_BLOCK]
        size = _XMR_BLOCK_SIZES.get(len(block))
        if size is None:
            return None
        n = 0
        for c in block:
            d = _B58_INDEX.get(c)
            if d is None:
                return None
            n = n * 58 + d
        if n >> (8 * size):
            return None
        out += n.to_bytes(size, "big")
    return bytes(out)


@lru_cache(maxsize=4096)
def xmr(s: str) -> str | None:
    """Monero mainnet standard, integrated or subaddress: network byte + keys (+ id) + Keccak checksum."""
    raw = xmr_b58decode(s)
    if raw is None or not raw or _XMR_PREFIXES.get(raw[0]) != len(raw):
        return None
    return s if keccak256(raw[:-4])[:4] == raw[-4:] else None


# --- Tor onion services ------------------------------------------------------------------------------------
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_INDEX = {c: i for i, c in enumerate(_B32)}


@lru_cache(maxsize=4096)
def onion(label: str) -> str | None:
    """v3 (56 chars: pubkey | SHA3-256(".onion checksum" | pubkey | 0x03)[:2] | 0x03) or v2 (16 chars,
    no checksum exists). Value is ``<label>.onion`` lowercased."""
    label = label.lower()
    if len(label) == 16:
        return label + ".onion" if all(c in _B32_INDEX for c in label) else None
    if len(label) != 56:
        return None
    n = 0
    for c in label:
        d = _B32_INDEX.get(c)
        if d is None:
            return None
        n = (n << 5) | d
    raw = n.to_bytes(35, "big")
    pubkey, checksum, version = raw[:32], raw[32:34], raw[34]
    if version != 3:
        return None
    if hashlib.sha3_256(b".onion checksum" + pubkey + b"\x03").digest()[:2] != checksum:
        return None
    return label + ".onion"


# --- IBAN (ISO 13616, lengths from the SWIFT IBAN registry) -------------------------------------------------
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


@lru_cache(maxsize=4096)
def iban(s: str) -> str | None:
    """Uppercase IBAN without spaces if its country length and mod-97 check hold."""
    v = s.replace(" ", "").upper()
    if IBAN_LENGTHS.get(v[:2]) != len(v) or not v[2:4].isdigit() or not v.isalnum() or not v.isascii():
        return None
    rearranged = v[4:] + v[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return v if int(digits) % 97 == 1 else None
