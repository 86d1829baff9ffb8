"""The fused fast path (sim/fused.py, sim/kernels/fused.py) against the ordinary path."""

from __future__ import annotations

import numpy as np
import pytest

from sim import Simulation
from sim import fused as fast_path
from sim.kernels import fused, games, metrics

TIGHT = dict(rtol=1e-12, atol=1e-12)

CASES = [
    dict(rule="fermi", groups="neighbourhood", network="random-regular", degree=4),
    dict(rule="fermi", groups="partition", network="random-regular", degree=4, group_size=5),
    dict(rule="conditional", groups="neighbourhood", network="small-world", degree=4),
    dict(rule="proportional", groups="edges", network="erdos-renyi", degree=3),
    dict(rule="imitate-best", groups="neighbourhood", network="ring", degree=2,
         cost="per-individual"),
    dict(rule="death-birth", groups="neighbourhood", network="scale-free", degree=4,
         strategies="binary"),
]


@pytest.mark.parametrize("settings", CASES, ids=lambda s: f"{s['rule']}-{s['groups']}")
def test_fused_rounds_equal_ordinary_rounds(settings):
    fast = Simulation(n=300, rounds=12, seed=5, record_agents=True, **settings)
    slow = Simulation(n=300, rounds=12, seed=5, record_agents=True, **settings)
    slow.use_fused = False
    assert fast_path.applies(fast)
    for _ in range(12):
        fast.step()
        slow.step()
        np.testing.assert_array_equal(fast.contribution, slow.contribution)
        np.testing.assert_array_equal(fast.payoff, slow.payoff)
        np.testing.assert_array_equal(fast.belief, slow.belief)
    a, b = fast.history(), slow.history()
    for m in ("mean_contribution", "welfare", "gini", "cooperators"):
        np.testing.assert_allclose(getattr(a, m), getattr(b, m), **TIGHT, err_msg=m)
    np.testing.assert_array_equal(a.contributions, b.contributions)


def test_fused_path_is_skipped_with_hooks_and_asynchronous_updating():
    assert not fast_path.applies(Simulation(n=50, update="asynchronous", rule="fermi", seed=1))
    assert not fast_path.applies(Simulation(n=50, groups="rematch", group_size=5, seed=1))
    s = Simulation(n=50, rule="fermi", seed=1)
    assert fast_path.applies(s)
    s.hooks.append(object())
    assert not fast_path.applies(s)


@pytest.mark.parametrize("n", [1, 7, fused.BLOCK - 1, fused.BLOCK, 2 * fused.BLOCK + 3])
def test_payoffs_with_sums_matches_payoffs_and_plain_sums(n):
    rng = np.random.default_rng(n)
    x = rng.uniform(0.0, 20.0, n)
    x[rng.random(n) < 0.3] = 10.0  # exactly at the cooperation threshold
    groups = 1 + n // 3
    sizes = rng.integers(0, 5, groups)  # empty groups too
    group_ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    members = rng.integers(0, n, group_ptr[-1]).astype(np.int32)
    from sim.groups import Groups

    g = Groups.from_members(n, group_ptr, members)
    payout = rng.uniform(0.0, 30.0, g.n_groups)
    own = np.diff(g.agent_ptr).astype(np.float64)
    want = np.empty(n)
    games.payoffs(x, own, 20.0, payout, g.agent_ptr, g.agent_groups, want)
    got = np.empty(n)
    sums = np.full((fused.block_count(n), fused.N_SUMS), np.nan)
    fused.payoffs_with_sums(x, own, 20.0, payout, g.agent_ptr, g.agent_groups, 10.0, got, sums)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(sums[:, fused.SUM_X].sum(), x.sum(), **TIGHT)
    np.testing.assert_allclose(sums[:, fused.SUM_PAYOFF].sum(), want.sum(), **TIGHT)
    assert sums[:, fused.COOPERATORS].sum() == np.count_nonzero(x >= 10.0)
    assert sums[:, fused.PAYOFF_MIN].min() == want.min()
    assert sums[:, fused.PAYOFF_MAX].max() == want.max()


@pytest.mark.parametrize("bins", [0, 64])
def test_gini_from_stats_equals_gini(bins):
    v = np.random.default_rng(3).exponential(size=500)
    assert metrics.gini_from_stats(v, v.sum(), v.min(), v.max(), bins) == pytest.approx(
        metrics.gini(v, bins), rel=1e-12)
    assert metrics.gini_from_stats(np.full(4, 2.0), 8.0, 2.0, 2.0, bins) == 0.0


def test_fused_metrics_do_not_depend_on_thread_count():
    import numba

    runs = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        numba.set_num_threads(threads)
        try:
            runs.append(Simulation(n=3 * fused.BLOCK, rounds=4, rule="fermi", seed=2).run())
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for m in ("mean_contribution", "welfare", "gini", "cooperators"):
        np.testing.assert_array_equal(getattr(runs[0], m), getattr(runs[1], m))
