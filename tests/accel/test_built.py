"""Every C accelerator in the tree must be built and current, or its speed claims mean nothing.

setup.py marks the extensions optional so a machine without a compiler still installs; on a machine with one
(every CI machine), a missing or stale module is a build failure that would otherwise pass silently.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import sysconfig
from pathlib import Path

import pytest

from tgintel import accel

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "tgintel").glob("**/_c_*.c"))


def _module_name(source: Path) -> str:
    return ".".join(source.relative_to(ROOT).with_suffix("").parts)


def _have_compiler() -> bool:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc) is not None


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_each_accelerator_is_built_and_current(source: Path) -> None:
    if not _have_compiler():
        pytest.skip("no C compiler on this machine: the pure-Python paths run")
    name = _module_name(source)
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin, f"{name} was not built (run `pip install -e .`)"
    built = Path(spec.origin)
    assert built.stat().st_mtime >= source.stat().st_mtime, f"{built.name} is older than {source.name}"
    importlib.import_module(name)


def test_pure_python_switch_hides_every_accelerator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGINTEL_PURE_PYTHON", "1")
    for source in SOURCES:
        assert accel.load(_module_name(source)) is None
    assert accel.load("json") is None
    monkeypatch.setenv("TGINTEL_PURE_PYTHON", "0")
    assert accel.load("json") is not None
    assert accel.load("tgintel.no_such_module") is None
