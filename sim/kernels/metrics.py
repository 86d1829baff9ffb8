"""Per-round summaries computed in one pass (no sort for large n)."""

from __future__ import annotations

import numba as nb
import numpy as np

#: above this many agents, the Gini coefficient is computed from a 2**16-bin histogram
GINI_EXACT_MAX = 1 << 16
GINI_BINS = 1 << 16


@nb.njit(cache=True)
def gini(values, bins):
    """Gini coefficient of non-negative ``values`` (0 equal, towards 1 unequal).

    ``bins == 0`` sorts and is exact: G = 2 sum_i i v_(i) / (n sum v) - (n + 1) / n.
    ``bins > 0`` treats values within each of ``bins`` equal-width bins between the minimum and
    the maximum as equal, which changes G by at most (max - min) / (bins * mean); it needs no
    sort, so it stays linear in n.
    """
    n = len(values)
    if n == 0:
        return 0.0
    total = 0.0
    lo = values[0]
    hi = values[0]
    for v in values:
        total += v
        lo = min(lo, v)
        hi = max(hi, v)
    return gini_from_stats(values, total, lo, hi, bins)


@nb.njit(cache=True)
def gini_from_stats(values, total, lo, hi, bins):
    """:func:`gini` given the values' sum, minimum and maximum (from a pass already made)."""
    n = len(values)
    if n == 0 or total <= 0.0 or hi == lo:
        return 0.0
    acc = 0.0
    if bins == 0:
        ordered = np.sort(values)
        for k in range(n):
            acc += (k + 1) * ordered[k]
    else:
        counts = np.zeros(bins, dtype=np.int64)
        sums = np.zeros(bins)
        scale = bins / (hi - lo)
        for v in values:
            b = min(int((v - lo) * scale), bins - 1)
            counts[b] += 1
            sums[b] += v
        before = 0
        for b in range(bins):
            acc += sums[b] * (before + (counts[b] + 1) / 2.0)
            before += counts[b]
    return 2.0 * acc / (n * total) - (n + 1.0) / n
