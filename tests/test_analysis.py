"""The cascade analysis (sim/analysis/cascade.py, regression.py, causal.py): clustered least
squares, the degree-d contact sets against a plain-Python twin, and recovery of an influence
set by hand in synthetic data that does not come from the simulator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student

from sim.analysis.cascade import (
    contacts,
    exposure_rows,
    influence,
    panel_from_table,
)
from sim.analysis.regression import ols_clustered
from sim.analysis.stats import mean_ci

# ------------------------------------------------------------------------ regression


def test_ols_matches_lstsq_and_hc1_with_singleton_clusters(rng):
    n, k = 200, 3
    x = np.column_stack([np.ones(n), rng.normal(size=(n, k - 1))])
    y = x @ np.array([1.0, 2.0, -0.5]) + rng.normal(size=n) * (1 + np.abs(x[:, 1]))
    fit = ols_clustered(y, x, np.arange(n), ("const", "a", "b"))
    np.testing.assert_allclose(fit.coef, np.linalg.lstsq(x, y, rcond=None)[0], rtol=1e-10)
    e = y - x @ fit.coef
    bread = np.linalg.inv(x.T @ x)
    hc1 = n / (n - k) * bread @ (x.T * e**2) @ x @ bread
    np.testing.assert_allclose(fit.cov, hc1, rtol=1e-10)
    lo, hi = fit.ci("a")
    q = student.ppf(0.975, n - 1)
    assert hi - lo == pytest.approx(2 * q * fit.se("a"))


def test_clustered_errors_sum_scores_within_clusters(rng):
    n, g = 120, 8
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = 1 + x[:, 1] + rng.normal(size=n)
    labels = rng.integers(0, g, n)
    fit = ols_clustered(y, x, labels.astype(str))
    e = y - x @ fit.coef
    meat = sum(np.outer(x[labels == c].T @ e[labels == c], x[labels == c].T @ e[labels == c])
               for c in range(g))
    bread = np.linalg.inv(x.T @ x)
    factor = g / (g - 1) * (n - 1) / (n - 2)
    np.testing.assert_allclose(fit.cov, factor * bread @ meat @ bread, rtol=1e-10)
    assert fit.n_clusters == g and fit.dof == g - 1


def test_ols_rejects_bad_input():
    with pytest.raises(ValueError):
        ols_clustered(np.ones(3), np.ones((3, 3)), np.arange(3))
    with pytest.raises(ValueError):
        ols_clustered(np.ones(10), np.ones((10, 2)), np.arange(10))  # collinear


def test_mean_ci():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    mean, lo, hi = mean_ci(values)
    assert mean == 2.5
    half = student.ppf(0.975, 3) * values.std(ddof=1) / 2
    assert (lo, hi) == pytest.approx((2.5 - half, 2.5 + half))


# ---------------------------------------------------------------- synthetic laboratories


def synthetic_table(rng, sessions, n=24, k=4, periods=6, blocks=("a", "b"), drop=0.0,
                    generate=None):
    """A long table with random groups every period; contributions from ``generate``
    (a function of the table so far) or uniform. Some rows may be dropped afterwards."""
    rows = []
    for s in range(sessions):
        labels = [f"S{s}-{i}" for i in range(n)]
        t_all = 0
        for b in blocks:
            for _ in range(periods):
                t_all += 1
                order = rng.permutation(n)
                for slot, i in enumerate(order):
                    rows.append({"session": f"sess{s}", "period": 10 * t_all,
                                 "subject": labels[i], "group": f"g{slot // k}",
                                 "treatment": b})
    table = pd.DataFrame(rows)
    table["contribution"] = rng.uniform(0, 20, len(table))
    if generate is not None:
        generate(table, rng)
    if drop:
        table = table.drop(index=rng.choice(len(table), int(drop * len(table)), replace=False))
    return table.sample(frac=1.0, random_state=1)  # row order must not matter


def twin_contacts(table, degree):
    """Plain-Python twin of ``contacts``: {(session, period, subject): set of contacts}."""
    out = {}
    for session, d in table.groupby("session"):
        periods = sorted(d.period.unique())
        group = {(r.period, r.subject): r.group for r in d.itertuples()}
        treat = {p: d[d.period == p].treatment.iloc[0] for p in periods}
        block_of, block = {}, -1
        for idx, p in enumerate(periods):
            if idx == 0 or treat[p] != treat[periods[idx - 1]]:
                block += 1
            block_of[p] = block
        subjects = sorted(d.subject.unique())

        def mates(p, i, group=group, subjects=subjects):
            if (p, i) not in group:
                return set()
            return {j for j in subjects if j != i and group.get((p, j)) == group[(p, i)]}

        for idx, p in enumerate(periods):
            if idx < degree or block_of[periods[idx - degree]] != block_of[p]:
                continue
            for i in subjects:
                if (p, i) not in group:
                    continue
                frontier = mates(periods[idx - 1], i)
                for step in range(2, degree + 1):
                    nxt = set()
                    for j in frontier:
                        nxt |= mates(periods[idx - step], j)
                    frontier = nxt - {i}
                if degree >= 2:
                    met = set()
                    for q in periods:
                        if block_of[q] == block_of[p]:
                            met |= mates(q, i)
                    frontier -= met | {i}
                out[(session, p, i)] = frontier
    return out


@pytest.mark.parametrize("degree", [1, 2, 3])
def test_contacts_match_twin(degree):
    rng = np.random.default_rng(50 + degree)
    table = synthetic_table(rng, sessions=3, n=12, k=3, periods=4, drop=0.05)
    panel = panel_from_table(table)
    got = contacts(panel, degree)
    want = twin_contacts(table, degree)
    for s, session in enumerate(panel.sessions):
        for t in range(panel.x.shape[1]):
            for i, subject in enumerate(panel.subjects[s]):
                if subject is None:
                    continue
                period = 10 * (t + 1)
                found = {panel.subjects[s, j] for j in np.flatnonzero(got[s, t, i])}
                assert found == want.get((session, period, subject), set()), (s, t, subject)


def generate_influence(degree, beta, gamma=0.4, sigma=2.0):
    """x(i,t) = 3 + beta * exposure_degree(i,t) + gamma * x(i,t-1) + noise, period by period,
    where exposure_degree is the mean contribution at t - degree of the twin's contacts."""

    def generate(table, rng):
        reach = twin_contacts(table, degree)
        value: dict[tuple, float] = {}
        for period in sorted(table.period.unique()):
            rows = table.index[table.period == period]
            for row in rows:
                session, subject = table.at[row, "session"], table.at[row, "subject"]
                people = reach.get((session, period, subject), set())
                past = [value[(session, period - 10 * degree, j)] for j in people
                        if (session, period - 10 * degree, j) in value]
                exposure = np.mean(past) if past else 10.0
                lag = value.get((session, period - 10, subject), 10.0)
                x = 3 + beta * exposure + gamma * lag + rng.normal(0, sigma)
                value[(session, period, subject)] = x
                table.at[row, "contribution"] = x

    return generate


@pytest.mark.parametrize("degree,beta", [(1, 0.3), (1, 0.0), (2, 0.25), (3, 0.2)])
def test_regression_recovers_a_known_influence(degree, beta):
    rng = np.random.default_rng(7 + degree)
    sessions = {1: 12, 2: 20, 3: 30}[degree]
    table = synthetic_table(rng, sessions=sessions, n=12, k=3, periods=5, blocks=("only",),
                            generate=generate_influence(degree, beta))
    fit = influence(table, degrees=(degree,), spec="mean", cluster="session")["only"][degree]
    assert fit.ci[0] < beta < fit.ci[1]
    assert abs(fit.estimate - beta) < 0.1
    assert fit.fit.estimate("own_lag") == pytest.approx(0.4, abs=0.1)
    by_subject = influence(table, degrees=(degree,), cluster="subject")["only"][degree]
    assert by_subject.estimate == fit.estimate and by_subject.n_clusters > fit.n_clusters


def test_recovery_needs_the_right_degree():
    # an effect planted at one degree is not mistaken for a direct effect of the same size
    rng = np.random.default_rng(3)
    table = synthetic_table(rng, sessions=20, n=12, k=3, periods=5, blocks=("only",),
                            generate=generate_influence(1, 0.0))
    fit = influence(table, degrees=(1, 2))["only"]
    for d in (1, 2):
        assert fit[d].ci[0] < 0 < fit[d].ci[1]


def test_dyadic_rows_are_one_per_contact():
    rng = np.random.default_rng(4)
    table = synthetic_table(rng, sessions=2, n=12, k=3, periods=4)
    panel = panel_from_table(table)
    mean_rows = exposure_rows(panel, 1, "mean")
    dyadic = exposure_rows(panel, 1, "dyadic")
    assert len(dyadic.exposure) == mean_rows.contacts.sum()
    assert (mean_rows.contacts == 2).all()  # two group-mates in groups of three
    # the mean of a subject's dyadic exposures is her mean exposure
    frame = dyadic.frame().groupby(["subject", "treatment", "treatment_period", "own_lag"])
    got = np.sort(frame.exposure.mean().to_numpy())
    np.testing.assert_allclose(got, np.sort(mean_rows.exposure))


def test_lags_do_not_cross_treatment_blocks():
    rng = np.random.default_rng(5)
    table = synthetic_table(rng, sessions=2, n=8, k=4, periods=3, blocks=("x", "y", "x"))
    panel = panel_from_table(table)
    assert panel.block[0].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert panel.treatment_period[0].tolist() == [1, 2, 3] * 3
    rows = exposure_rows(panel, 1)
    assert set(rows.treatment_period) == {2, 3}
    assert len(rows.exposure) == 2 * 8 * 2 * 3
    assert set(panel.treatments) == {"x", "y"}


def test_table_without_treatment_and_with_bad_input():
    rng = np.random.default_rng(6)
    table = synthetic_table(rng, sessions=2, n=8, k=4, periods=3, blocks=("only",))
    result = influence(table.drop(columns="treatment"), degrees=(1,))
    assert list(result) == ["all"]
    with pytest.raises(ValueError, match="group"):
        panel_from_table(table.drop(columns="group"))
    bad = table.copy()
    bad.loc[bad.index[0], "contribution"] = np.nan
    with pytest.raises(ValueError, match="finite"):
        panel_from_table(bad)
    with pytest.raises(ValueError, match="more than once"):
        panel_from_table(pd.concat([table, table.iloc[:1]]))
    mixed = table.copy()
    mixed.loc[mixed.index[0], "treatment"] = "other"
    with pytest.raises(ValueError, match="several treatments"):
        panel_from_table(mixed)
    with pytest.raises(ValueError, match="spec"):
        influence(table, spec="sum")
    with pytest.raises(ValueError, match="cluster"):
        influence(table, cluster="group")


def test_lab_table_and_direct_panel_agree():
    from sim.behaviour.parameters import Behaviour
    from sim.lab.design import LabDesign
    from sim.lab.lab import panel, run_lab

    lab = run_lab(LabDesign(sessions=4), Behaviour(), seed=2)
    via_table = influence(lab.to_frame())
    direct = influence(panel(lab))
    for name in direct:
        for d in direct[name]:
            assert via_table[name][d].estimate == pytest.approx(direct[name][d].estimate,
                                                                rel=1e-10)
            assert via_table[name][d].ci == pytest.approx(direct[name][d].ci, rel=1e-10)


def test_command_line_on_a_csv(tmp_path, capsys):
    from sim.analysis.cascade import _main

    rng = np.random.default_rng(8)
    path = tmp_path / "lab.csv"
    synthetic_table(rng, sessions=3, n=8, k=4, periods=4).to_csv(path, index=False)
    assert _main([str(path), "--degrees", "1", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["treatment", "degree", "estimate"]
    assert len(out) == 1 + 2 * 2  # two treatments x two degrees
    with pytest.raises(SystemExit):
        _main([str(path), "--spec", "sum"])


def test_a_model_without_variation_gives_nan_and_a_note():
    rng = np.random.default_rng(9)
    table = synthetic_table(rng, sessions=2, n=8, k=4, periods=3, blocks=("only",))
    table["contribution"] = 20.0  # everybody gives everything: nothing to estimate from
    fit = influence(table, degrees=(1,))["only"][1]
    assert np.isnan(fit.estimate) and "collinear" in fit.note
