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
    if bins == 0:
        return gini_of_sorted(np.sort(values), total)
    acc = 0.0
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


@nb.njit(inline="always", cache=True)
def gini_of_sorted(ordered, total):
    """The exact Gini coefficient of ascending ``ordered`` values summing to ``total`` > 0:
    G = 2 sum_i i v_(i) / (n sum v) - (n + 1) / n."""
    n = len(ordered)
    acc = 0.0
    for k in range(n):
        acc += (k + 1) * ordered[k]
    return 2.0 * acc / (n * total) - (n + 1.0) / n


#: the rows of a recorded round, in :data:`sim.history.METRICS` order
MEAN_CONTRIBUTION, WELFARE, GINI, COOPERATORS = 0, 1, 2, 3


@nb.njit(nogil=True, cache=True)
def record_round(x, payoff, endowment, bins, with_gini, buffer, sums, out, t):
    """Write round ``t``'s metrics of every replicate into ``out[:, t, :]`` (rows: mean
    contribution, welfare (mean payoff), Gini of payoffs, share of cooperators (x >= E/2)).

    ``x`` and ``payoff`` are (agents, replicates); each column is summed agent by agent in
    order, so a replicate's figures are the same bits in an ensemble as in a run alone
    (:mod:`sim.kernels.ensemble`). ``sums`` (3, replicates) is scratch. Without ``with_gini``
    the Gini row is left as it is.

    The exact Gini (``bins == 0``) needs the payoffs sorted, and NumPy sorts them about 2.6x
    faster than Numba (benchmarks/NOTES.md section 6). So this kernel only leaves each
    replicate's payoffs in its row of ``buffer`` (replicates, agents) and their total in the
    Gini row; :func:`finish_exact_gini` sorts and finishes a batch of rounds afterwards. With
    ``bins > 0`` the Gini is computed here from a histogram (``buffer`` is then scratch).
    """
    n, reps = x.shape
    half = 0.5 * endowment
    if reps == 1:  # one run: the same sums in registers (in memory they cost ~5 ms at 10^6)
        given = earned = count = 0.0
        for i in range(n):
            v = x[i, 0]
            given += v
            earned += payoff[i, 0]
            count += 1.0 if v >= half else 0.0
        sums[0, 0] = given
        sums[1, 0] = earned
        sums[2, 0] = count
    else:
        sums[:] = 0.0
        for i in range(n):
            for r in range(reps):
                v = x[i, r]
                sums[0, r] += v
                sums[1, r] += payoff[i, r]
                sums[2, r] += 1.0 if v >= half else 0.0
    for r in range(reps):
        out[MEAN_CONTRIBUTION, t, r] = sums[0, r] / n
        out[WELFARE, t, r] = sums[1, r] / n
        out[COOPERATORS, t, r] = sums[2, r] / n
    if with_gini:
        _transpose(payoff, buffer)
        for r in range(reps):
            if bins > 0:
                out[GINI, t, r] = gini(buffer[r], bins)  # sums in the same order as sums[1]
            else:
                out[GINI, t, r] = sums[1, r]  # the total, until finish_exact_gini


def finish_exact_gini(payoffs: np.ndarray, gini: np.ndarray) -> None:
    """Turn the Gini rows :func:`record_round` left for the exact Gini into the coefficient.

    ``payoffs`` is (rounds, replicates, agents), each row a round's payoffs of one replicate,
    and ``gini`` (rounds, replicates) holds their totals on entry (summed in order). The rows
    are sorted in place by NumPy, then :func:`gini_of_sorted`: the same bits as :func:`gini`
    (a sorted row is the same whatever sorts it), for payoffs without NaN (a NaN payoff,
    which only a user's hook could write, gives a NaN Gini here).
    """
    payoffs.sort(axis=-1)
    _gini_of_sorted_rows(payoffs, gini)


@nb.njit(nogil=True, cache=True)
def _gini_of_sorted_rows(ordered, gini):
    """``gini[t, r]`` = the exact Gini of ascending ``ordered[t, r]`` whose total it holds."""
    rounds, reps, n = ordered.shape
    for t in range(rounds):
        for r in range(reps):
            total = gini[t, r]
            row = ordered[t, r]
            if n == 0 or total <= 0.0 or row[0] == row[n - 1]:
                gini[t, r] = 0.0
            else:
                gini[t, r] = gini_of_sorted(row, total)


#: side of the tiles :func:`_transpose` copies (a tile's rows stay in L1)
TILE = 32


@nb.njit(inline="always", cache=True)
def _transpose(values, out):
    """``out[r, i] = values[i, r]`` tile by tile, so that each replicate's values lie in one
    contiguous row (reading a column of an (agents, replicates) array touches a new cache line
    per agent)."""
    n, reps = values.shape
    for i0 in range(0, n, TILE):
        i1 = min(n, i0 + TILE)
        for r0 in range(0, reps, TILE):
            r1 = min(reps, r0 + TILE)
            for i in range(i0, i1):
                for r in range(r0, r1):
                    out[r, i] = values[i, r]


@nb.njit(cache=True)
def mean_in_order(values):
    """The mean of ``values`` summed one by one in order: the same bits as the means of
    :func:`record_round` (NumPy's ``mean`` sums pairwise, which can differ in the last bit)."""
    total = 0.0
    for v in values:
        total += v
    return total / len(values)


#: NumPy's pairwise summation: blocks of at most this many values are summed with eight
#: accumulators, longer runs are halved (numpy/_core/src/umath/loops_utils.h.src)
PAIRWISE_BLOCK = 128


@nb.njit(cache=True)
def numpy_sum(values):
    """``values.sum()`` as NumPy computes it for a contiguous float64 array, bit for bit:
    pairwise summation (:data:`PAIRWISE_BLOCK`). Kernels that replace NumPy code use it where
    the old sum must keep its last bit (tests check it against ``ndarray.sum`` at many sizes).
    NumPy recurses; this walks the same tree with a stack (Numba's cache cannot load a
    recursive function called from another module)."""
    n = len(values)
    if n <= PAIRWISE_BLOCK:
        return _block_sum(values, 0, n)
    start = np.empty(64, dtype=np.int64)  # depth <= log2(n / 128) + 1
    length = np.empty(64, dtype=np.int64)
    stage = np.zeros(64, dtype=np.int64)  # 0: left half next, 1: right half next, 2: add
    left = np.empty(64)
    top = 0
    start[0] = 0
    length[0] = n
    result = 0.0
    while top >= 0:
        lo = start[top]
        m = length[top]
        if m <= PAIRWISE_BLOCK:
            result = _block_sum(values, lo, m)
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if stage[top] == 0:
            stage[top] = 1
            top += 1
            start[top], length[top], stage[top] = lo, half, 0
        elif stage[top] == 1:
            left[top] = result
            stage[top] = 2
            top += 1
            start[top], length[top], stage[top] = lo + half, m - half, 0
        else:
            result = left[top] + result
            top -= 1
    return result


@nb.njit(inline="always", cache=True)
def _block_sum(a, lo, n):
    """NumPy's sum of ``a[lo:lo + n]``, ``n <= PAIRWISE_BLOCK``: one by one below 8 values,
    else eight accumulators, then the rest one by one."""
    if n < 8:
        total = 0.0
        for i in range(lo, lo + n):
            total += a[i]
        return total
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = lo + 8
    end = lo + n - n % 8
    while i < end:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < lo + n:
        total += a[i]
        i += 1
    return total
