"""Numbers as the experiments' tables, reports and readings print them: one copy of each helper."""

from __future__ import annotations

import math
from typing import Any


def number(value: Any, digits: int = 2) -> str:
    """``value`` to ``digits`` decimals; ``-`` for a missing or non-finite value."""
    if value is None:
        return "-"
    value = float(value)
    return f"{value:.{digits}f}" if math.isfinite(value) else "-"


def interval(ci: Any, digits: int = 2) -> str:
    """``[lo, hi]``; ``-`` when there is no interval (None, empty, or both ends missing)."""
    if not ci or all(v is None for v in ci):
        return "-"
    return f"[{number(ci[0], digits)}, {number(ci[1], digits)}]"


def estimate(metric: dict[str, Any], digits: int = 2) -> str:
    """``estimate [lo, hi]`` of a ``{"estimate": x, "ci": [lo, hi]}`` summary."""
    lo, hi = metric["ci"]
    return f"{number(metric['estimate'], digits)} [{number(lo, digits)}, {number(hi, digits)}]"
