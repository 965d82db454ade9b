"""Reach the analysis modules other areas provide, without making the workspace depend on their presence.

A page section whose module is missing (an older or partial install) renders "not available" instead of
failing the whole page; the lookup is repeated per call so a module that appears later is picked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def optional(module: str, attr: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None
