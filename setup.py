"""Builds tgintel's optional C accelerators; everything else is declared in pyproject.toml.

Each ``tgintel/**/_c_*.c`` file becomes the extension module of the same dotted name. They exist only where a
measured hot loop stayed above its target in pure Python (docs/benchmarks.md names each). Every one is
optional: a machine without a C compiler still installs, and the pure-Python code it mirrors runs instead
(each module's tests compare both paths on the same inputs).
"""

from pathlib import Path

from setuptools import Extension, setup

ROOT = Path(__file__).parent


def _extensions() -> list[Extension]:
    exts = []
    for source in sorted(ROOT.glob("tgintel/**/_c_*.c")):
        rel = source.relative_to(ROOT)
        name = ".".join(rel.with_suffix("").parts)
        exts.append(
            Extension(
                name,
                [str(rel)],
                optional=True,
                extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wno-unused-function"],
            )
        )
    return exts


setup(ext_modules=_extensions())
