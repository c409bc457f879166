"""One measured figure, printed as ``{name, value, unit, baseline, ratio}``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None  # the same quantity for the reference, measured in the same run

    def to_json(self) -> dict[str, object]:
        ratio = round(self.value / self.baseline, 3) if self.baseline else None
        return {
            "name": self.name,
            "value": round(self.value, 3),
            "unit": self.unit,
            "baseline": round(self.baseline, 3) if self.baseline is not None else None,
            "ratio": ratio,
        }
