"""Wallet, onion and IBAN validation against the vectors published with each standard."""

from __future__ import annotations

import pytest

from tgintel.detect.entities import checksums, extract_entities

# BIP-173 / BIP-350 valid mainnet segwit addresses (witness v0 bech32; v1+ bech32m).
BECH32_VALID = [
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
    "BC1SW50QGDZ25J",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",  # taproot
]
# BIP-350 invalid: v1+ with a bech32 (not bech32m) checksum, v0 with bech32m, mixed case, bad checksum.
BECH32_INVALID = [
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
    "bc1QW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    "bc1gmk9yu",
]
# EIP-55's own examples (mixed-case checksummed), and all-caps / all-lower forms that carry no checksum.
EIP55 = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0xde709f2102306220921060314715629080e2fb77",
]
# Examples from the SWIFT IBAN registry.
IBANS = [
    "GB29NWBK60161331926819", "DE89370400440532013000", "NL91ABNA0417164300", "FI2112345600000785",
    "FR1420041010050500013M02606", "BE68539007547034", "ES9121000418450200051332", "NO9386011117947",
    "CH9300762011623852957", "MT84MALT011000012345MTLCAST001S",
]  # fmt: skip
# Tor rend-spec-v3 example and well-known public v3 services.
ONIONS_V3 = [
    "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd",
    "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad",
    "facebookwkhpilnemxj7asaniu7vnjjbiltxjqhye3mhbshg7kx5tfyd",
]
XMR_GENERAL_FUND = (
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
)


def _flip(s: str, i: int, alphabet: str) -> str:
    c = s[i]
    repl = next(a for a in alphabet if a != c and a.lower() != c.lower())
    return s[:i] + repl + s[i + 1 :]


@pytest.mark.parametrize("addr", BECH32_VALID)
def test_bech32_valid(addr: str) -> None:
    assert checksums.btc_bech32(addr) == addr.lower()


@pytest.mark.parametrize("addr", BECH32_INVALID)
def test_bech32_invalid(addr: str) -> None:
    assert checksums.btc_bech32(addr) is None


@pytest.mark.parametrize("addr", ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"])
def test_base58check_btc(addr: str) -> None:
    assert checksums.btc_base58(addr) == addr
    for i in (5, len(addr) - 1):
        assert checksums.btc_base58(_flip(addr, i, checksums.B58_ALPHABET)) is None


def test_tron_needs_version_0x41() -> None:
    assert checksums.tron("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t") == "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    assert checksums.tron("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u") is None
    assert checksums.tron("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa") is None  # valid base58check, wrong version


@pytest.mark.parametrize("addr", EIP55)
def test_eip55_valid(addr: str) -> None:
    assert checksums.eth(addr) == addr.lower()


def test_eip55_one_case_flip_is_invalid() -> None:
    addr = EIP55[0]
    i = next(i for i, c in enumerate(addr) if i > 2 and c.isalpha())
    flipped = addr[:i] + addr[i].swapcase() + addr[i + 1 :]
    assert checksums.eth(flipped) is None


@pytest.mark.parametrize("iban", IBANS)
def test_iban_registry_examples(iban: str) -> None:
    assert checksums.iban(iban) == iban
    assert checksums.iban(iban[:-1] + ("0" if iban[-1] != "0" else "1")) is None


def test_iban_length_is_checked_per_country() -> None:
    assert checksums.iban("NL91ABNA04171643001") is None
    assert checksums.iban("XX91ABNA0417164300") is None


@pytest.mark.parametrize("label", ONIONS_V3)
def test_onion_v3_checksum(label: str) -> None:
    assert checksums.onion(label) == label + ".onion"
    assert checksums.onion(label[:-2] + ("a" if label[-2] != "a" else "b") + label[-1]) is None


def test_onion_v3_version_byte_must_be_3() -> None:
    label = ONIONS_V3[0]
    assert checksums.onion(label[:-1] + "a") is None


def test_monero_keccak_checksum() -> None:
    assert checksums.xmr(XMR_GENERAL_FUND) == XMR_GENERAL_FUND
    assert checksums.xmr(_flip(XMR_GENERAL_FUND, 40, checksums.B58_ALPHABET)) is None
    assert checksums.xmr(XMR_GENERAL_FUND[:-1]) is None


def test_extraction_rejects_what_fails_checksums() -> None:
    text = (
        "btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD "
        "iban GB29NWBK60161331926818 onion duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczae.onion "
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5 TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"
    )
    assert [e.type for e in extract_entities(text)] == []
