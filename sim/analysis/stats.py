"""Statistics helpers shared by the analyses and the experiments: one copy of each.

- :func:`mean_ci` is the mean and its Student-t confidence interval (95% by default);
- :func:`t_quantile` is the Student-t quantile those intervals (and the regressions') use;
- :func:`finite` drops missing and non-finite values before such a summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from scipy.special import stdtrit


def mean_ci(values: np.ndarray, level: float = 0.95, axis: int = 0):
    """Mean and t confidence interval along ``axis``: ``(mean, low, high)``.

    With fewer than two values along ``axis`` the interval collapses to the mean.
    """
    values = np.asarray(values, dtype=np.float64)
    m = values.shape[axis]
    mean = values.mean(axis=axis)
    if m < 2:
        return mean, mean, mean
    se = values.std(axis=axis, ddof=1) / np.sqrt(m)
    q = t_quantile(level, m - 1)
    return mean, mean - q * se, mean + q * se


def t_quantile(level: float, dof: float) -> float:
    """The two-sided ``level`` quantile of Student's t with ``dof`` degrees of freedom."""
    return float(stdtrit(dof, 0.5 + level / 2))  # what scipy.stats.t.ppf computes


def finite(values: Iterable[float | None] | np.ndarray) -> np.ndarray:
    """The finite values, flattened to a float array: ``None``, NaN and infinities left out."""
    if isinstance(values, np.ndarray):
        arr = values.astype(np.float64, copy=False).ravel()
    else:
        arr = np.asarray([np.nan if v is None else v for v in values], dtype=np.float64).ravel()
    return arr[np.isfinite(arr)]


def bootstrap_ci(values: np.ndarray | Iterable[float], statistic: Callable[[np.ndarray], np.ndarray]
                 | None = None, draws: int = 2000, method: str = "linear",
                 seed: int = 0) -> tuple[float, float] | None:
    """95% percentile bootstrap interval of ``statistic`` (default: the mean) over resamples
    of ``values`` (Efron & Tibshirani 1993, An Introduction to the Bootstrap, ch. 13).

    ``statistic`` maps a ``(draws, n)`` array of resamples to ``draws`` values; the resampling
    generator is seeded (``seed``), so the interval is reproducible. Unlike mean +- t SE it
    stays inside the range of the data. ``method`` is NumPy's quantile method
    (``"inverted_cdf"`` keeps infinite values, e.g. censored times, usable). None for fewer
    than two values.
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 2:
        return None
    rng = np.random.default_rng(seed)
    resamples = values[rng.integers(0, len(values), size=(draws, len(values)))]
    samples = resamples.mean(axis=1) if statistic is None else statistic(resamples)
    lo, hi = np.quantile(samples, [0.025, 0.975], method=method)
    return float(lo), float(hi)
