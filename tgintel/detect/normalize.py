"""Text normalisation for matching: the form in which two copies of one advert look the same.

Vendors dodge filters by re-posting the same offer with fullwidth or "bold" letters, Cyrillic look-alikes
inside Latin words (``сосаinе``), zero-width joiners, different emoji and a new price or contact line. The
functions here map all of those to one canonical string, used only for hashing and similarity; the original
text is never changed (it is what analysts see and what evidence quotes).

Steps, in order (each chosen so the whole function is idempotent and cheap):

1. invisible characters removed: zero-width space/joiners, BOM, soft hyphen, variation selectors, tag
   characters, bidi controls and other control characters;
2. Unicode NFKC: fullwidth, mathematical bold/italic/script, circled and super/subscript letters fold to
   plain ones; then case folding, and the Latin small-capital "fonts" folded to plain letters;
3. mixed-script look-alikes folded *per word*: a word that mixes Latin with Cyrillic or Greek letters is
   rewritten in the script its script-specific letters point to (``сocaine`` → ``cocaine``, ``пpивeт`` →
   ``привет``). Words written in one script are left alone, so Russian text still matches Russian text and
   stays readable for the classifier;
4. combining marks left after composition (strike-through, "zalgo") removed;
5. runs of emoji, symbols and decoration (``🔥🔥✅``, ``★★★``, box drawing) collapse to one space, and a
   punctuation character repeated (``!!!!``, ``-----``) to one;
6. whitespace collapsed to single spaces, trimmed.

With ``placeholders=True`` links, @handles, e-mail addresses and phone numbers become ``<contact>`` and
numbers (prices, quantities) become ``<num>``, so a re-post with a new price or contact line still matches,
and every look-alike letter of either script is mapped to one Latin skeleton (``пpивeт`` and ``привет`` both
become ``npubet``). That form is for matching only: the duplicate engine shingles it, nobody reads it.

Speed: every message passes through here, so the work is a handful of ``str.translate`` tables and
precompiled regular expressions, with an ASCII fast path that skips the Unicode steps.
"""

from __future__ import annotations

import re
import sys
import unicodedata

__all__ = ["contacts", "normalize", "normalize_pair", "placeholder_form", "products"]

# -- 1. invisible characters ------------------------------------------------------------------------

_INVISIBLE = [
    *range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),  # C0/C1 controls (not \t \n \r)
    0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E, 0x180F,
    *range(0x200B, 0x2010),  # zero-width space, ZWNJ, ZWJ, LRM, RLM
    *range(0x202A, 0x202F),  # bidi embeddings and overrides
    *range(0x2060, 0x2070),  # word joiner, invisible operators, bidi isolates
    0x3164, 0xFFA0, 0xFEFF,
    *range(0xFE00, 0xFE10),  # variation selectors
    *range(0xE0000, 0xE0080),  # tag characters (emoji flags of regions, hidden text)
    *range(0xE0100, 0xE01F0),  # variation selectors supplement
]  # fmt: skip


def _char_class(codepoints: list[int]) -> str:
    """A compact regex character class (ranges) for these code points."""
    cps = sorted(set(codepoints))
    parts: list[str] = []
    start = prev = cps[0]
    for cp in [*cps[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(f"\\U{start:08x}" if start == prev else f"\\U{start:08x}-\\U{prev:08x}")
        start = prev = cp
    return "[" + "".join(parts) + "]"


# A regex rather than str.translate: translate with a dict costs ~5 µs per short non-ASCII message, a regex
# that finds nothing costs < 1 µs.
_INVISIBLE_RE = re.compile(_char_class(_INVISIBLE) + "+")

# -- 3. confusable letters --------------------------------------------------------------------------
# Lower-case pairs (folding runs after case folding, so both passes of an idempotent normalise see the same
# input) of letters that render (nearly) identically in common Telegram fonts, including those whose capitals
# are the look-alikes (в/B, н/H, м/M, т/T). Deliberately small: letters used to dodge filters, not every shape
# in Unicode's confusables list.
_TO_LATIN = str.maketrans(
    dict(zip("аеёѕіїјкорсухүһԁԛԝӏвнмтαορνικυχϲβτμ", "aeësiïjkopcyxyhdqwlbhmtaopvikuxcbtm", strict=True))
)
_TO_CYRILLIC = str.maketrans(dict(zip("aeopcyxkunhmtbiαορκτχϲ", "аеорсухкипнмтвіаорктхс", strict=True)))
# "Strong" letters exist in one script only, so they tell which script a mixed word is really written in.
_STRONG_LATIN = frozenset("dfgjlqrsvwz")
_STRONG_CYRILLIC = frozenset("бгджзийлфцчшщъыьэюяєґў")
_LATIN_RE = re.compile(r"[a-z\u00df-\u024f]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u052f]")
_GREEK_RE = re.compile(r"[\u0370-\u03ff]")
_STRONG_LATIN_RE = re.compile("[" + "".join(sorted(_STRONG_LATIN)) + "]")
_STRONG_CYRILLIC_RE = re.compile("[" + "".join(sorted(_STRONG_CYRILLIC)) + "]")
_L = "a-z\u00df-\u024f"
_G = "\u0370-\u03ff"
_Y = "\u0400-\u052f"
# Only words that really mix scripts reach the Python-level fold: a run of one script followed by a letter of
# another. Possessive quantifiers keep the scan linear.
_MIXED_WORD = re.compile(
    f"(?<![{_L}{_G}{_Y}])(?:[{_L}]++[{_G}{_Y}]|[{_Y}]++[{_L}{_G}]|[{_G}]++[{_L}{_Y}])[{_L}{_G}{_Y}]*+"
)


def _has_mixed_scripts(s: str) -> bool:
    return bool(_GREEK_RE.search(s) or (_CYRILLIC_RE.search(s) and _LATIN_RE.search(s)))


def _unaccent_latin(word: str) -> str:
    return "".join(unicodedata.normalize("NFD", c)[0] if 0xDF <= ord(c) < 0x250 else c for c in word)


def _fold_mixed(s: str) -> str:
    """Rewrite each mixed-script word (case-folded) in the script its strong letters say (Latin or
    Cyrillic; Greek letters in this domain only ever imitate one of those). A tie goes to the script with more
    strong letters in the whole text. Strong letters are never rewritten, so the decision is the same when the
    output is normalised again (idempotence)."""
    prefer: list[bool] = []

    def fold(m: re.Match[str]) -> str:
        word = m.group()
        lat = sum(c in _STRONG_LATIN for c in word)
        cyr = sum(c in _STRONG_CYRILLIC for c in word)
        if lat == cyr:
            if not prefer:
                prefer.append(len(_STRONG_CYRILLIC_RE.findall(s)) > len(_STRONG_LATIN_RE.findall(s)))
            to_cyrillic = prefer[0]
        else:
            to_cyrillic = cyr > lat
        if not to_cyrillic:
            return word.translate(_TO_LATIN)
        return _unaccent_latin(word).translate(_TO_CYRILLIC)

    return _MIXED_WORD.sub(fold, s)


# -- 4. small capitals used as a "font" -------------------------------------------------------------
_SMALL_CAPS_FROM = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢɑɡ"
_SMALL_CAPS = str.maketrans(dict(zip(_SMALL_CAPS_FROM, "abcdefghijklmnoprstuvwyzag", strict=True)))
_SMALL_CAPS_RE = re.compile("[" + _SMALL_CAPS_FROM + "]")

# -- 5. combining marks left after composition ------------------------------------------------------
_COMBINING = [*range(0x0300, 0x0370), *range(0x1AB0, 0x1B00), *range(0x1DC0, 0x1E00), *range(0x20D0, 0x2100),
              *range(0xFE20, 0xFE30)]  # fmt: skip
_COMBINING_RE = re.compile(_char_class(_COMBINING) + "+")


# -- 6. decoration ----------------------------------------------------------------------------------
_BULLETS = (0x00B7, 0x2022, 0x2023, 0x2043)


def _decoration_class() -> str:
    """A regex character class of emoji, pictographs, dingbats, box drawing and other symbol characters.

    Built from the BMP's symbol categories (So, Sk, Co, Me) plus the astral emoji blocks, so it follows the
    installed Unicode database without scanning all 1.1M code points at import."""
    ranges: list[tuple[int, int]] = []
    start = prev = -1
    for cp in range(0x80, 0x10000):
        if unicodedata.category(chr(cp)) in ("So", "Sk", "Co", "Me") or cp in _BULLETS:
            if cp == prev + 1:
                prev = cp
                continue
            if start >= 0:
                ranges.append((start, prev))
            start = prev = cp
    if start >= 0:
        ranges.append((start, prev))
    ranges += [(0x1F000, 0x1FBFF), (0xF0000, 0x10FFFF)]
    parts = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return "[" + parts + "]"


_DECORATION = re.compile("(?:" + _decoration_class() + r"\s*)+")
_REPEATED_PUNCT = re.compile(r"([!?.,*=_~#+\-])\1+")

# -- placeholders -----------------------------------------------------------------------------------
# Each pattern only runs when its trigger character is present: most messages have no link or handle, and
# one combined verbose pattern tried at every position cost ~20 µs a message.
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b(?:t|telegram)\.(?:me|dog)/\S+")
_EMAIL_OR_HANDLE = re.compile(r"[\w.+-]*@\w[\w.-]*")
_DOMAIN = re.compile(
    r"\b[\w-]+(?:\.[\w-]+)*\.(?:onion|com|net|org|io|ru|me|cc|to|su|biz|info|shop|store|xyz|top|site|online"
    r"|link|ly|co|gg|app|pro|ltd|fr|de|nl|uk|us)\b(?:/\S*)?"
)
# Eight digits or more, at most two separator characters between digits: ``+7 (912) 345-67-89`` is a phone,
# ``box of 50 - 150`` (a quantity and a price) is not.
_PHONE = re.compile(r"\+?\d(?:[ ()-]{0,2}\d){7,}")
# On case-folded text (normalize lowercases), so base58 addresses are matched in lower case: bitcoin,
# Ethereum, Tron, Monero (standard and integrated).
_WALLET = re.compile(
    r"\b(?:bc1[a-z0-9]{25,62}|[13][a-z1-9]{25,34}|0x[0-9a-f]{40}|t[1-9a-z]{33}"
    r"|[48][0-9a-z]{94}(?:[0-9a-z]{11})?)\b"
)
_NUMBER = re.compile(r"\d+(?:[.,' ]\d{3})*(?:[.,]\d+)?")
_PLACEHOLDER_RUN = re.compile(r"(<(?:num|contact)>)(?:\s*\1)+")


# The matching skeleton: every look-alike letter of either script to Latin, applied to the whole text (not
# word by word), so a Russian advert re-typed with Latin look-alikes, or a Latin word in Cyrillic letters,
# matches its original. Used only for duplicate matching, never shown; the word-wise fold above keeps
# :func:`normalize` readable. ``и``/``п`` are added so that Cyrillic-folded ``u``/``n`` map back. ``ё``/``ї``
# go to plain ``e``/``i``, not ``ë``/``ï``: next to a letter that exists only in Cyrillic (``єї``) an accented
# Latin letter makes a mixed word, whose fold drops the accent, so normalising the output again changed it.
_SKELETON = str.maketrans(
    dict(zip("аеёѕіїјкорсухүһԁԛԝӏвнмтαορνικυχϲβτμип", "aeesiijkopcyxyhdqwlbhmtaopvikuxcbtmun", strict=True))
)


def placeholder_form(s: str) -> str:
    """The matching form of an already normalised text: placeholders for contacts and numbers, then the
    look-alike skeleton (see :func:`normalize` with ``placeholders=True``)."""
    if "/" in s or "www." in s:
        s = _LINK.sub("<contact>", s)
    if "@" in s:
        s = _EMAIL_OR_HANDLE.sub("<contact>", s)
    if "." in s:
        s = _DOMAIN.sub("<contact>", s)
    if _DIGIT.search(s):
        s = _WALLET.sub("<contact>", s)
        s = _PHONE.sub("<contact>", s)
        s = _NUMBER.sub("<num>", s)
    s = _PLACEHOLDER_RUN.sub(r"\1", s)
    return s if s.isascii() else s.translate(_SKELETON)


_DIGIT = re.compile(r"\d")
_CONTACT_PATTERNS = (_LINK, _EMAIL_OR_HANDLE, _DOMAIN, _WALLET, _PHONE)
_CONTACT_EDGES = ".,:;!?()[]'\""


def contacts(s: str) -> list[str]:
    """The contact strings (links, handles, e-mail, domains, wallets, phones) of an already normalised text,
    as :func:`placeholder_form` replaces them: who to write to is what tells two sellers' copies of one
    template apart."""
    found: list[str] = []
    for pattern in _CONTACT_PATTERNS:
        for m in pattern.finditer(s):
            found.append(m.group().strip(_CONTACT_EDGES))
        if found:
            s = pattern.sub(" ", s)
    return found


# -- priced products in the matching form ---------------------------------------------------------------
# A price is a number placeholder with a currency next to it (symbol or code, before or after). Codes are
# also listed in their look-alike skeleton (``руб`` becomes ``pyб`` in the matching form).
_CURRENCY = r"(?:[$€£₽¥₴]|(?:usdt|usdc|usd|eur|euro|gbp|rub|руб|pyб|uah|грн|btc|xmr|eth|ltc|ton|chf|pln)\b)"
_PRICE = re.compile(rf"(?:[$€£₽¥₴]\s?<num>|<num>\s?{_CURRENCY})")
_PRODUCT_WORD = re.compile(r"[^\W_]+")
# A product is named by the (at most) three words before its price: item names are short, and the window
# keeps the header, the shop line or a line added on top out of the first item's name.
_PRODUCT_WORDS = 3


def products(matching: str) -> list[str]:
    """The products a matching-form text (:func:`placeholder_form`) puts a price on: for each price, the
    last three words before it (since the price before), numbers left out: ``new stock! mdma pills x<num> -
    $<num> cocaine <num>g - $<num>`` gives ``mdma pills x`` and ``cocaine g``. Punctuation, bullets and
    separators are dropped, so a re-post with other bullets, line breaks, the items on one line or a line
    added on top names the same products.

    Why: a seller's different offers share the whole frame (header, contact and payment lines, wallets),
    so their texts are as similar as two re-posts of one offer; what tells them apart is *what* is sold.
    A text with fewer than two prices gives what it has (the verification only uses lists of two or more)."""
    if "<num>" not in matching:
        return []
    out: list[str] = []
    start = 0
    for m in _PRICE.finditer(matching):
        # A product is named after the last contact before its price, never before (``btc: <contact> 5 usdt``)
        words = _PRODUCT_WORD.findall(matching[start : m.start()].rpartition("<contact>")[2])
        start = m.end()
        # Quantities are not part of the name: a number run may swallow the line break between a price and
        # the next item's quantity (``£<num> 9mm`` collapses to ``£<num>mm``), which must not rename the item.
        words = [w for w in words if w != "num"][-_PRODUCT_WORDS:]
        if words:
            out.append(" ".join(words))
    return out


def normalize(text: str, *, placeholders: bool = False) -> str:
    """The matching form of ``text`` (see the module docstring); ``text`` itself is never modified."""
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub("", text)
    if text.isascii():
        s = text.lower()
    else:
        s = unicodedata.normalize("NFKC", text).casefold()
        if _SMALL_CAPS_RE.search(s):
            s = s.translate(_SMALL_CAPS)
        if not unicodedata.is_normalized("NFKC", s):
            s = unicodedata.normalize("NFKC", s)
        if _has_mixed_scripts(s):
            s = _fold_mixed(s)
        s = _COMBINING_RE.sub("", s)
        s = _DECORATION.sub(" ", s)
    s = _REPEATED_PUNCT.sub(r"\1", s)
    s = " ".join(s.split())
    if placeholders:
        s = placeholder_form(s)
    return s


def normalize_pair(text: str) -> tuple[str, str]:
    """Both forms at once (plain, with placeholders): the duplicate engine needs the pair for every
    message and this saves running the shared steps twice."""
    s = normalize(text)
    return s, placeholder_form(s)


if __name__ == "__main__":  # pragma: no cover - manual check: echo text | python -m tgintel.detect.normalize
    for line in sys.stdin:
        print(normalize(line, placeholders="-p" in sys.argv))
