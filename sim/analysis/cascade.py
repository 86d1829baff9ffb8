"""The observational cascade analysis of Fowler & Christakis (2010, PNAS 107:5334).

Because groups are re-matched every period, who met whom forms a time-ordered network. For a
subject i deciding in period t of a treatment block:

- one degree: the mean contribution in t-1 of her group-mates in t-1;
- two degrees: the mean contribution in t-2 of the people her t-1 group-mates met in t-2 —
  the contributions those group-mates saw just before they met her;
- three degrees: the mean contribution in t-3 of the people *those* people met in t-3.

At two and three degrees, i herself and anyone she shares a group with in any period of the
treatment block are left out, so these are people she never met in that treatment (F&C analyse
each treatment's network on its own; ``exclude="session"`` also leaves out everyone she meets
in the other treatment, which in a 24-subject session leaves almost no one). Each degree's
regressor enters its own linear model,

    contribution(i, t) ~ 1 + exposure_d(i, t) + contribution(i, t-1) + period dummies,

with errors clustered by session (or by subject, as the paper's GEE does), fitted separately
for each treatment. Lags never cross from one treatment block into the next.

``spec="mean"`` uses the mean of the degree-d contacts (one row per subject and period);
``spec="dyadic"`` uses one row per subject, period and contact, the ego-alter form of Christakis
& Fowler's network studies, whose coefficient is the effect of one contact's MU.

Everything works on any long table with columns ``session, period, subject, group,
contribution`` (plus ``treatment`` if there are several): real laboratory data as well as ours.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.regression import Fit, ols_clustered
from sim.lab.panel import Panel

REQUIRED = ("session", "period", "subject", "group", "contribution")
SPECS = ("mean", "dyadic")
CLUSTERS = ("session", "subject")


def panel_from_table(table, treatment_column: str = "treatment") -> Panel:
    """Arrange a long table (a pandas DataFrame) as a :class:`Panel`.

    Periods are ordered by their value within each session; a treatment block is a run of
    consecutive periods with the same treatment. Without a treatment column every period
    belongs to one treatment called ``all``.

    Raises:
        ValueError: a required column is missing, a subject appears twice in one period, a
            contribution is not a finite number, or a period has two treatments.
    """
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"the table lacks column(s) {', '.join(missing)}; "
                         f"required: {', '.join(REQUIRED)}")
    df = table.loc[:, [c for c in (*REQUIRED, treatment_column) if c in table.columns]].copy()
    if treatment_column not in df.columns:
        df[treatment_column] = "all"
    df[treatment_column] = df[treatment_column].astype(str)
    values = np.asarray(df["contribution"], dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError("every contribution must be a finite number")
    if df.duplicated(["session", "period", "subject"]).any():
        raise ValueError("a subject appears more than once in a session and period")
    sessions = list(dict.fromkeys(df["session"].sort_values().tolist()))
    per_session = {s: d for s, d in df.groupby("session", sort=False)}
    n_periods = max(d["period"].nunique() for d in per_session.values())
    n_subjects = max(d["subject"].nunique() for d in per_session.values())
    count = len(sessions)
    panel = Panel(
        x=np.full((count, n_periods, n_subjects), np.nan),
        group=np.full((count, n_periods, n_subjects), -1, np.int64),
        block=np.full((count, n_periods), -1, np.int64),
        treatment=np.full((count, n_periods), "", dtype=object),
        treatment_period=np.zeros((count, n_periods), np.int64),
        sessions=np.asarray(sessions, dtype=object),
        subjects=np.full((count, n_subjects), None, dtype=object),
    )
    for s, label in enumerate(sessions):
        d = per_session[label]
        periods = np.sort(d["period"].unique())
        subjects = np.sort(d["subject"].unique())
        t_index = np.searchsorted(periods, d["period"].to_numpy())
        i_index = np.searchsorted(subjects, d["subject"].to_numpy())
        panel.subjects[s, : len(subjects)] = subjects
        panel.x[s, t_index, i_index] = d["contribution"].to_numpy(np.float64)
        _, codes = np.unique(d["group"].astype(str).to_numpy(), return_inverse=True)
        panel.group[s, t_index, i_index] = codes
        labels = d.groupby(t_index)[treatment_column].agg(lambda v: set(v))
        block, previous, within = -1, None, 0
        for t in range(len(periods)):
            names = labels.get(t, {""})
            if len(names) != 1:
                raise ValueError(f"session {label!r}, period {periods[t]!r} has several "
                                 f"treatments: {sorted(names)}")
            name = next(iter(names))
            if name != previous:
                block, previous, within = block + 1, name, 0
            within += 1
            panel.block[s, t] = block
            panel.treatment[s, t] = name
            panel.treatment_period[s, t] = within
    return panel


def _met(group: np.ndarray) -> np.ndarray:
    """(..., n, n) bool: i and j (i != j) share a group (absent subjects share none)."""
    same = (group[..., :, None] == group[..., None, :]) & (group[..., :, None] >= 0)
    n = group.shape[-1]
    return same & ~np.eye(n, dtype=bool)


EXCLUDE = ("block", "session")


def contacts(panel: Panel, degree: int, exclude: str = "block") -> np.ndarray:
    """(S, P, n, n) bool: ``[s, t, i, l]`` is True when l is a degree-``degree`` contact of
    subject i deciding in period t (the definitions in the module docstring). False where the
    chain would reach back before the start of t's treatment block. ``exclude`` says where
    "never met" is judged: in the treatment block of t, or in the whole session."""
    if degree < 1:
        raise ValueError("degree must be at least 1")
    if exclude not in EXCLUDE:
        raise ValueError(f"exclude must be one of {', '.join(EXCLUDE)} (got {exclude!r})")
    s, p, n = panel.x.shape
    met = _met(panel.group)  # (S, P, n, n)
    if exclude == "session":
        ever_session = met.any(axis=1)
    eye = np.eye(n, dtype=bool)
    out = np.zeros((s, p, n, n), dtype=bool)
    for t in range(degree, p):
        ok = (panel.block[:, t] >= 0) & (panel.block[:, t - degree] == panel.block[:, t])
        if not ok.any():
            continue
        reach = met[:, t - 1]
        for step in range(2, degree + 1):
            reach = np.matmul(reach.astype(np.int64), met[:, t - step].astype(np.int64)) > 0
            reach &= ~eye  # a chain never passes back through i
        if degree >= 2:
            if exclude == "session":
                ever = ever_session
            else:
                in_block = panel.block == panel.block[:, t : t + 1]  # (S, P)
                ever = (met & in_block[:, :, None, None]).any(axis=1)
            reach = reach & ~ever & ~eye
        reach &= (panel.group[:, t] >= 0)[:, :, None]  # only subjects who decide in t
        out[ok, t] = reach[ok]
    return out


@dataclass
class Exposure:
    """Regression rows for one degree: outcome, controls and the degree's exposure."""

    degree: int
    spec: str
    session: np.ndarray
    subject: np.ndarray
    treatment: np.ndarray
    treatment_period: np.ndarray
    contribution: np.ndarray
    own_lag: np.ndarray
    exposure: np.ndarray
    contacts: np.ndarray  # how many contacts the exposure averages (1 per row for dyadic)
    # ``subject`` is a code unique to the subject within the panel (session index * n + slot)

    def frame(self):
        import pandas as pd

        return pd.DataFrame({k: getattr(self, k) for k in (
            "session", "subject", "treatment", "treatment_period", "contribution", "own_lag",
            "exposure", "contacts")})


def exposure_rows(panel: Panel, degree: int, spec: str = "mean",
                  exclude: str = "block") -> Exposure:
    """Rows (subject i, period t) — or (i, t, contact) for ``dyadic`` — with the degree's
    exposure, i's contribution in t and in t-1."""
    if spec not in SPECS:
        raise ValueError(f"spec must be one of {', '.join(SPECS)} (got {spec!r})")
    reach = contacts(panel, degree, exclude)
    x = panel.x
    s_, p, n = x.shape
    lagged = np.full_like(x, np.nan)
    lagged[:, degree:] = x[:, :-degree]
    # the contact's contribution at t - degree must exist
    reach &= ~np.isnan(lagged)[:, :, None, :]
    own_lag = np.full_like(x, np.nan)
    own_lag[:, 1:] = x[:, :-1]
    same_block = np.zeros((s_, p), bool)
    same_block[:, 1:] = panel.block[:, 1:] == panel.block[:, :-1]
    own_lag[~same_block] = np.nan
    valid = ~np.isnan(x) & ~np.isnan(own_lag)
    session = np.broadcast_to(np.arange(s_)[:, None, None], x.shape)
    subject = np.broadcast_to(np.arange(n)[None, None, :], x.shape)
    period = np.broadcast_to(np.arange(p)[None, :, None], x.shape)
    if spec == "mean":
        count = reach.sum(axis=3)
        total = np.einsum("stil,stl->sti", reach, np.nan_to_num(lagged))
        keep = valid & (count > 0)
        exposure = total[keep] / count[keep]
        counts = count[keep]
        idx = (session[keep], subject[keep], period[keep])
    else:
        hits = reach & valid[..., None]
        si, ti, ii, li = np.nonzero(hits)
        exposure = lagged[si, ti, li]
        counts = np.ones(len(si), np.int64)
        idx = (si, ii, ti)
    s_idx, i_idx, t_idx = idx
    return Exposure(
        degree=degree,
        spec=spec,
        session=panel.sessions[s_idx],
        subject=s_idx * n + i_idx,
        treatment=panel.treatment[s_idx, t_idx],
        treatment_period=panel.treatment_period[s_idx, t_idx],
        contribution=x[s_idx, t_idx, i_idx],
        own_lag=own_lag[s_idx, t_idx, i_idx],
        exposure=exposure,
        contacts=counts,
    )


@dataclass
class Influence:
    """The estimated influence of one degree in one treatment."""

    treatment: str
    degree: int
    estimate: float
    se: float
    ci: tuple[float, float]
    n_obs: int
    n_clusters: int
    spec: str
    cluster: str
    fit: Fit | None = field(repr=False)
    note: str = ""  # why there is no estimate (NaN), if there is none

    def as_json(self) -> dict[str, Any]:
        return {"estimate": self.estimate, "ci": [self.ci[0], self.ci[1]], "se": self.se,
                "n": self.n_obs, "clusters": self.n_clusters}


def fit_influence(rows: Exposure, treatment: str, cluster: str = "session",
                  level: float = 0.95) -> Influence:
    """Fit ``contribution ~ 1 + exposure + own_lag + period dummies`` for one treatment."""
    if cluster not in CLUSTERS:
        raise ValueError(f"cluster must be one of {', '.join(CLUSTERS)} (got {cluster!r})")
    sel = rows.treatment == treatment
    if not sel.any():
        raise ValueError(f"no rows for treatment {treatment!r} at degree {rows.degree}")
    periods = rows.treatment_period[sel]
    levels = np.unique(periods)
    columns = [np.ones(sel.sum()), rows.exposure[sel], rows.own_lag[sel]]
    names = ["const", "exposure", "own_lag"]
    for value in levels[1:]:
        columns.append((periods == value).astype(np.float64))
        names.append(f"period_{value}")
    labels = rows.session[sel] if cluster == "session" else rows.subject[sel]
    labels = np.array([str(v) for v in labels])
    fit = ols_clustered(rows.contribution[sel], np.column_stack(columns), labels, tuple(names))
    return Influence(
        treatment=treatment,
        degree=rows.degree,
        estimate=fit.estimate("exposure"),
        se=fit.se("exposure"),
        ci=fit.ci("exposure", level),
        n_obs=fit.n_obs,
        n_clusters=fit.n_clusters,
        spec=rows.spec,
        cluster=cluster,
        fit=fit,
    )


def influence(data, degrees=(1, 2, 3), spec: str = "mean", cluster: str = "session",
              level: float = 0.95, exclude: str = "block") -> dict[str, dict[int, Influence]]:
    """The cascade regressions for every treatment and degree.

    Args:
        data: a long table (DataFrame) or a :class:`Panel`.
        degrees: which degrees to estimate.
        spec: ``mean`` or ``dyadic`` exposure (module docstring).
        cluster: ``session`` or ``subject``.
        level: confidence level of the intervals.
        exclude: ``block`` or ``session``: where "never met" is judged (see :func:`contacts`).

    Returns:
        ``result[treatment][degree]`` -> :class:`Influence`; where a model cannot be fitted
        (too few rows, or an exposure without variation) its estimate is NaN and ``note``
        says why.
    """
    if cluster not in CLUSTERS:
        raise ValueError(f"cluster must be one of {', '.join(CLUSTERS)} (got {cluster!r})")
    panel = data if isinstance(data, Panel) else panel_from_table(data)
    out: dict[str, dict[int, Influence]] = {name: {} for name in panel.treatments}
    for d in degrees:
        rows = exposure_rows(panel, int(d), spec, exclude)
        for name in panel.treatments:
            try:
                out[name][int(d)] = fit_influence(rows, name, cluster, level)
            except ValueError as err:  # too few rows, or no variation to estimate from
                out[name][int(d)] = Influence(name, int(d), np.nan, np.nan, (np.nan, np.nan),
                                              int((rows.treatment == name).sum()), 0, spec,
                                              cluster, None, note=str(err))
    return out


def _main(argv: list[str] | None = None) -> int:
    """``python -m sim.analysis.cascade TABLE``: the cascade regressions of a long table (CSV or
    Parquet with columns session, period, subject, group, contribution[, treatment])."""
    parser = argparse.ArgumentParser(prog="python -m sim.analysis.cascade",
                                     description=_main.__doc__)
    parser.add_argument("table", help="a .csv or .parquet file")
    parser.add_argument("--spec", choices=SPECS, default="mean")
    parser.add_argument("--cluster", choices=CLUSTERS, default="session")
    parser.add_argument("--exclude", choices=EXCLUDE, default="block")
    parser.add_argument("--degrees", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    import pandas as pd

    if args.table.endswith(".parquet"):
        table = pd.read_parquet(args.table)
    else:
        table = pd.read_csv(args.table)
    try:
        result = influence(table, args.degrees, args.spec, args.cluster, exclude=args.exclude)
    except ValueError as err:
        parser.error(str(err))
    print(f"{'treatment':<24} {'degree':>6} {'estimate':>9} {'95% CI':>20} {'rows':>7} "
          f"{'clusters':>8}")
    for name, fits in result.items():
        for d, fit in fits.items():
            print(f"{name:<24} {d:>6} {fit.estimate:>9.3f} "
                  f"{f'[{fit.ci[0]:.3f}, {fit.ci[1]:.3f}]':>20} {fit.n_obs:>7} "
                  f"{fit.n_clusters:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
