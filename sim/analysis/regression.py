"""Least squares with cluster-robust standard errors.

Fowler & Christakis (2010, PNAS 107:5334) fit linear models by generalised estimating equations
with an independence working correlation and robust (sandwich) standard errors, which for a
linear model is ordinary least squares with standard errors clustered on the repeated unit. This
module does exactly that: the Liang–Zeger sandwich with the usual small-sample factor
G/(G-1) * (N-1)/(N-K) (Stata's CR1), and confidence intervals from Student's t with G-1 degrees
of freedom (Cameron & Miller 2015, J. Human Resources 50:317).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.analysis.stats import t_quantile


@dataclass(frozen=True)
class Fit:
    """A fitted linear model.

    Attributes:
        names: the regressors' names, in column order.
        coef: the estimates.
        cov: their cluster-robust covariance.
        n_obs, n_clusters: rows and clusters used.
        dof: degrees of freedom of the t intervals (clusters - 1).
    """

    names: tuple[str, ...]
    coef: np.ndarray
    cov: np.ndarray
    n_obs: int
    n_clusters: int
    dof: int

    def index(self, name: str) -> int:
        return self.names.index(name)

    def estimate(self, name: str) -> float:
        return float(self.coef[self.index(name)])

    def se(self, name: str) -> float:
        i = self.index(name)
        return float(np.sqrt(self.cov[i, i]))

    def ci(self, name: str, level: float = 0.95) -> tuple[float, float]:
        q = t_quantile(level, max(self.dof, 1))
        b, s = self.estimate(name), self.se(name)
        return b - q * s, b + q * s


def ols_clustered(y: np.ndarray, x: np.ndarray, clusters: np.ndarray,
                  names: tuple[str, ...] | None = None) -> Fit:
    """Least squares of ``y`` on the columns of ``x`` with errors clustered by ``clusters``.

    Args:
        y: (N,) outcomes.
        x: (N, K) regressors (include a constant column yourself).
        clusters: (N,) labels; rows with the same label may be correlated.
        names: the columns' names (default x0, x1, ...).

    Raises:
        ValueError: shapes disagree, fewer rows than columns, or the columns are collinear.
    """
    y = np.asarray(y, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    n, k = x.shape
    if y.shape != (n,) or len(clusters) != n:
        raise ValueError("y, x and clusters must have the same number of rows")
    if n <= k:
        raise ValueError(f"need more rows than regressors (got {n} rows, {k} regressors)")
    names = tuple(names) if names is not None else tuple(f"x{i}" for i in range(k))
    xtx = x.T @ x
    if np.linalg.matrix_rank(xtx) < k:
        raise ValueError("the regressors are collinear")
    bread = np.linalg.inv(xtx)
    coef = bread @ (x.T @ y)
    resid = y - x @ coef
    _, codes = np.unique(np.asarray(clusters), return_inverse=True)
    g = int(codes.max()) + 1
    scores = np.zeros((g, k))
    np.add.at(scores, codes, x * resid[:, None])
    meat = scores.T @ scores
    factor = (g / (g - 1) if g > 1 else 1.0) * (n - 1) / (n - k)
    cov = factor * bread @ meat @ bread
    return Fit(names, coef, cov, n, g, g - 1)
