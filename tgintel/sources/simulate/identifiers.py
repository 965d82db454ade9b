"""Valid-by-construction identifiers for the simulator: wallets, IBANs, onion v3 addresses, phone numbers.

Every value here passes the checksum a real extractor applies (Base58Check, bech32, EIP-55, Monero's
Keccak checksum, IBAN mod-97, the onion v3 SHA3 checksum, libphonenumber's validity rules), so a simulated
corpus exercises validation rather than being rejected by it. The surface forms vary the way people write
them (spaces in IBANs, national phone formatting, mixed-case EIP-55) while ``value`` is the normalised form
of the entity contract in docs/simulator.md.

The encoders are written here on purpose rather than shared with ``tgintel.detect.entities.checksums``: a
corpus that measures the extractor must not share its checksum code, or one bug would hide the other.
"""

from __future__ import annotations

import base64
import hashlib
import random

import phonenumbers
from Crypto.Hash import keccak

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def _b58check(payload: bytes) -> str:
    check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return _b58encode(payload + check)


def _bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (b >> i) & 1 else 0
    return chk


def _convertbits(data: bytes, frombits: int, tobits: int) -> list[int]:
    acc = bits = 0
    ret = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if bits:
        ret.append((acc << (tobits - bits)) & maxv)
    return ret


def _bech32_encode(hrp: str, data: list[int]) -> str:
    expanded = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]
    polymod = _bech32_polymod(expanded + data + [0] * 6) ^ 1  # bech32 (BIP 173), witness v0
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


def btc_address(rng: random.Random) -> str:
    """P2PKH (1…), P2SH (3…) or native SegWit v0 (bc1q…) mainnet address."""
    body = rng.randbytes(20)
    kind = rng.random()
    if kind < 0.4:
        return _bech32_encode("bc", [0, *_convertbits(body, 8, 5)])
    return _b58check((b"\x00" if kind < 0.8 else b"\x05") + body)


def _keccak(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def eth_address(rng: random.Random) -> tuple[str, str]:
    """(surface, value): EIP-55 mixed-case surface half the time, lowercase value always."""
    hexaddr = rng.randbytes(20).hex()
    if rng.random() < 0.5:
        return "0x" + hexaddr, "0x" + hexaddr
    digest = _keccak(hexaddr.encode()).hex()
    mixed = "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hexaddr)
    )
    return "0x" + mixed, "0x" + hexaddr


def tron_address(rng: random.Random) -> str:
    return _b58check(b"\x41" + rng.randbytes(20))


_XMR_BLOCK = [0, 2, 3, 5, 6, 7, 9, 10, 11]


def _xmr_b58(data: bytes) -> str:
    out = []
    for i in range(0, len(data), 8):
        block = data[i : i + 8]
        enc = _b58encode(block).lstrip("1") if block.strip(b"\0") else ""
        out.append(enc.rjust(_XMR_BLOCK[len(block)], "1"))
    return "".join(out)


def xmr_address(rng: random.Random) -> str:
    """Standard Monero mainnet address (network byte 18, 95 characters, Keccak checksum)."""
    payload = b"\x12" + rng.randbytes(64)
    return _xmr_b58(payload + _keccak(payload)[:4])


def onion_v3(rng: random.Random) -> str:
    """A v3 onion host (56 base32 characters + '.onion') with a correct SHA3-256 checksum."""
    pub = rng.randbytes(32)
    check = hashlib.sha3_256(b".onion checksum" + pub + b"\x03").digest()[:2]
    return base64.b32encode(pub + check + b"\x03").decode().lower() + ".onion"


# Country -> (bank codes, digits after the bank code); lengths follow the IBAN registry.
_IBAN_FORMATS = {
    "NL": (["ABNA", "INGB", "RABO", "TRIO", "BUNQ", "KNAB", "SNSB"], 10),
    "DE": ([""], 18),
    "FI": ([""], 14),
    "GB": (["BARC", "HBUK", "LOYD", "NWBK", "MIDL"], 14),
    "LT": ([""], 16),
    "EE": ([""], 16),
}


def iban(rng: random.Random, country: str) -> tuple[str, str]:
    """(surface, value): surface grouped in fours most of the time, value uppercase without spaces."""
    banks, digits = _IBAN_FORMATS[country]
    bban = rng.choice(banks) + "".join(rng.choice("0123456789") for _ in range(digits))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    value = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    if rng.random() < 0.7:
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4)), value
    return value, value


# Country -> (calling code, national mobile prefixes, national significant length).
_MOBILE = {
    "NL": ("31", ["6"], 9),
    "DE": ("49", ["151", "152", "157", "160", "170", "171", "176"], 11),
    "RU": ("7", ["91", "92", "95", "96", "98"], 10),
    "FI": ("358", ["40", "44", "45", "50"], 9),
    "GB": ("44", ["74", "75", "77", "78", "79"], 10),
    "UA": ("380", ["50", "63", "67", "93"], 9),
}


def phone(rng: random.Random, country: str) -> tuple[str, str]:
    """(surface, E.164 value) of a number libphonenumber accepts as valid mobile."""
    code, prefixes, length = _MOBILE[country]
    while True:
        pre = rng.choice(prefixes)
        nsn = pre + "".join(rng.choice("0123456789") for _ in range(length - len(pre)))
        num = phonenumbers.parse("+" + code + nsn)
        if phonenumbers.is_valid_number(num):
            break
    value = "+" + code + nsn
    style = rng.random()
    if style < 0.4:
        surface = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    elif style < 0.7:
        surface = value
    else:
        surface = "+" + code + " " + nsn
    return surface, value


def invite_hash(rng: random.Random) -> str:
    """The 16-character hash of a t.me/+… invite link (URL-safe base64 alphabet, as Telegram issues)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "".join(rng.choice(alphabet) for _ in range(16))
