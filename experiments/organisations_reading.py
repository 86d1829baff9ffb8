"""The written reading of ``cascade experiment organisations``, generated from the numbers.

Plain text (no plotting library), so that the workers that summarise a run never load one. A
claim is made only where the paired 95% interval of a policy's difference from ``none``
excludes 0; everything else is reported as no clear difference.
"""

from __future__ import annotations

from typing import Any

#: the policy every other one is compared with
BASELINE = "none"
#: differences within this of 0 are rounding, not effects (MU)
TOLERANCE = 1e-9


def _sign(metric: dict[str, Any]) -> int:
    """+1 if the interval lies above 0, -1 if below, 0 if it contains 0 (or differs from it
    by rounding only: identical runs give an interval of width ~1e-15)."""
    lo, hi = metric["ci"]
    if lo is None or hi is None:
        return 0
    return 1 if lo > TOLERANCE else -1 if hi < -TOLERANCE else 0


def _cells(where: list[tuple[str, str]], total: int) -> str:
    if where and len(where) == total:
        return "all"
    return ", ".join(f"{structure} at ratio {ratio}" for structure, ratio in where) or "none"


def reading(run: dict[str, Any]) -> list[str]:
    """One paragraph per policy: where it raises effort inside organisations (local giving),
    where it lowers effort across them (system giving), and where net welfare is above or
    below ``none``, with the structures where the sign of welfare flips with the ratio."""
    sentences = []
    for policy, by_structure in run["differences"].items():
        inside_up, inside_down, across_up, across_down, gain, loss = ([] for _ in range(6))
        flips = []
        for structure, by_ratio in by_structure.items():
            signs = {}
            for ratio, diff in by_ratio.items():
                cell = (structure, ratio)
                {1: inside_up, -1: inside_down}.get(_sign(diff["local"]), []).append(cell)
                {1: across_up, -1: across_down}.get(_sign(diff["system"]), []).append(cell)
                s = _sign(diff["welfare"])
                {1: gain, -1: loss}.get(s, []).append(cell)
                signs[ratio] = s
            if 1 in signs.values() and -1 in signs.values():
                up = [r for r, s in signs.items() if s > 0]
                down = [r for r, s in signs.items() if s < 0]
                flips.append(f"{structure} (gain at ratio {', '.join(up)}, loss at "
                             f"{', '.join(down)})")
        total = sum(len(v) for v in by_structure.values())

        def _cells_of(where, total=total):
            return _cells(where, total)

        text = (f"{policy}: raises effort inside organisations in {len(inside_up)} of {total} "
                f"cells ({_cells_of(inside_up)}) and lowers it in {len(inside_down)}; lowers "
                f"effort across organisations in {len(across_down)} ({_cells_of(across_down)}) "
                f"and raises it in {len(across_up)} ({_cells_of(across_up)}); net welfare above "
                f"no policy in {len(gain)} ({_cells_of(gain)}) and below it in {len(loss)} "
                f"({_cells_of(loss)}).")
        if flips:
            text += " The sign of the net welfare change flips with the ratio on " + \
                "; ".join(flips) + "."
        sentences.append(text)
    return sentences
