"""Study reports: self-contained HTML with inline SVG charts, and its PDF (``tgintel report``)."""

from __future__ import annotations

__all__ = ["build_report"]


def build_report(*args, **kwargs):
    """See :func:`tgintel.share.report.build.build_report`; imported lazily to keep CLI start-up fast."""
    from tgintel.share.report.build import build_report as _build

    return _build(*args, **kwargs)
