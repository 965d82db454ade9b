"""Finds tgintel's optional C accelerators (the ``_c_*`` modules that setup.py builds).

Each accelerator mirrors one pure-Python hot loop exactly; the Python code stays the reference and the
fallback. ``TGINTEL_PURE_PYTHON=1`` in the environment makes every caller take the Python path, which is how
the tests compare both paths and how a user rules the C code out when reporting a bug.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def pure_python() -> bool:
    """True when the environment asks for the pure-Python paths only."""
    return os.environ.get("TGINTEL_PURE_PYTHON", "") not in ("", "0")


def load(name: str) -> ModuleType | None:
    """The compiled module ``name`` (dotted), or None when it was not built or pure Python is asked for."""
    if pure_python():
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
