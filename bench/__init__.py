"""Benchmarks that print figures, one JSON object per line (not tests).

``python -m bench [all|NAME ...] [--quick]`` runs the registered parts (see
:data:`bench.__main__.PARTS`); each prints ``{name, value, unit, baseline,
ratio}`` lines, the baseline measured in the same run.
"""

from bench.figures import Figure

__all__ = ["Figure"]
