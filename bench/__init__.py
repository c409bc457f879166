"""Benchmarks that print figures, one JSON object per line (not tests).

``python -m bench [all|NAME] [--quick]`` runs the registered parts; each
prints ``{name, value, unit, baseline, ratio}`` lines. Add a part by
writing a module with a ``run(quick: bool) -> Iterator[Figure]`` function
and listing it in :data:`bench.__main__.PARTS`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass


@dataclass
class Figure:
    """One measured figure; ``ratio`` is value / baseline when there is one."""

    name: str
    value: float
    unit: str
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        return round(self.value / self.baseline, 3) if self.baseline else None

    def emit(self) -> None:
        line = {**asdict(self), "ratio": self.ratio}
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
