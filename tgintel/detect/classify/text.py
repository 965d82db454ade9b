"""The text the classifier sees: normalised (look-alike letters and obfuscation folded) and tokenised.

Rules and model both read the output of :func:`tgintel.detect.normalize.normalize`, and rule terms are run
through the same function when a pack is compiled, so a term and a disguised spelling of it meet on the same
string whatever the normaliser folds.
"""

from __future__ import annotations

import re
from itertools import filterfalse

from tgintel.accel import load
from tgintel.detect.normalize import normalize

__all__ = ["normalize", "tokens", "tokens_python"]

# The C twin of tokens_python (``_c_terms.c``): ~15,000 instead of ~35,000 instructions a bench post, most
# of them now CPython making the word strings.
_C = load("tgintel.detect.classify._c_terms")

_TOKEN = re.compile(r"\w+")
_findall = _TOKEN.findall
# Bytes of UTF-8 text: every ASCII byte outside [A-Za-z0-9_] (what \w is in ASCII) becomes a space; bytes of
# multi-byte characters (all >= 0x80) stay as they are, so the text decodes back unchanged otherwise.
_ASCII_NON_WORD = bytes(b if b >= 0x80 or chr(b).isalnum() or b == 0x5F else 0x20 for b in range(256))
_isalnum = str.isalnum


def tokens_python(norm: str) -> list[str]:
    """Word tokens of normalised text (letters, digits and underscore runs): exactly ``\\w+`` runs.

    Why not the regex alone: ``re.findall`` costs ~74,000 instructions on the bench's non-ASCII posts (255
    characters on average: a Unicode-database test per character and a match attempt per position), the
    byte path below ~52,000, and ~13,000 instead of ~30,000 on an ASCII post (callgrind). Replacing
    non-word characters by spaces keeps every ``\\w`` run as it is (the runs are cut at non-word characters
    either way) and no whitespace character is a word character, so ``split()`` yields the runs; a piece
    left with another non-ASCII non-word character (``€``, an emoji) is cut by the regex, piece by piece."""
    if norm.isascii():
        return norm.encode().translate(_ASCII_NON_WORD).decode().split()
    try:
        pieces = norm.encode().translate(_ASCII_NON_WORD).decode().split()
    except UnicodeEncodeError:  # a lone surrogate
        return _findall(norm)
    bad = next(filterfalse(_isalnum, pieces), None)
    if bad is None:
        return pieces
    at = pieces.index(bad)  # the pieces before the first one with a non-alphanumeric character are words
    out = pieces[:at]
    for piece in pieces[at:]:
        if _isalnum(piece):
            out.append(piece)
        else:  # a non-ASCII non-word character (or an underscore) inside
            out += _findall(piece)
    return out


# ``tokens``: the compiled twin when built (the same lists: tests/classify/test_c_terms.py), else the above.
tokens = _C.tokens if _C is not None else tokens_python
