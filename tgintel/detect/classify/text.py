"""The text the classifier sees: normalised (look-alike letters and obfuscation folded) and tokenised.

Rules and model both read the output of :func:`tgintel.detect.normalize.normalize`, and rule terms are run
through the same function when a pack is compiled, so a term and a disguised spelling of it meet on the same
string whatever the normaliser folds.
"""

from __future__ import annotations

import re

from tgintel.detect.normalize import normalize

__all__ = ["normalize", "tokens"]

_TOKEN = re.compile(r"\w+")
# ASCII text: every character outside [A-Za-z0-9_] (what \w is in ASCII) becomes a space, and str.split()
# cuts the rest into the same runs the regex finds, at about half the cost.
_ASCII_NON_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c == "_")})


def tokens(norm: str) -> list[str]:
    """Word tokens of normalised text (letters, digits and underscore runs)."""
    if norm.isascii():
        return norm.translate(_ASCII_NON_WORD).split()
    return _TOKEN.findall(norm)
