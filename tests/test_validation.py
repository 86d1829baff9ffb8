"""Validation against published theory: kernels against their twins, the dedicated
death–birth kernel against the exact Markov chain and against the engine's own rule, and the
quick versions of the three studies against the published figures.

Tolerances, and why:

- Kernel against twin: identical outcomes and event counts (same draws, same arithmetic).
- Monte Carlo against an exact probability: |estimate - exact| < 4.5 binomial standard errors
  (a false alarm has probability about 7e-6 per comparison).
- Nowak & May, quick (80x80, 300 generations, 2 starts): within 0.02 of 0.318. Over seeds the
  time-averaged share varied by about +-0.004 at this size (0.313 to 0.320 at 50x50 to
  200x200), and the lattice here wraps around while Nowak & May's did not always, so 0.02 is
  several times the noise yet far tighter than the gap to any other regime (b < 1.8 gives
  shares above 0.5 under the same start).
- Ohtsuki et al., quick (N = 50, k = 3, 40,000 runs per point, w = 0.01): N rho_C must be
  below 1 with its whole 95% interval at b/c = k - 1 and above 1 at b/c = k + 2, and the
  estimated crossing within 0.5 of the finite-N threshold (N-2)/(N/k-2) = 3.27; the quick
  crossing's 95% interval is about +-0.25 wide, so 0.5 is two half-widths.
- Santos et al., quick (N = 400, 4 runs): no published value is used (none could be read in
  the paper, see validation.toml); the claims of the abstract are rows with a status. The
  test requires the two claims with large effects to be met in the quick run (cost per
  individual: scale-free above regular by about 0.36 of the population, interval about
  +-0.04; on scale-free graphs cost per individual above cost per game by about 0.3), and the
  curves' qualitative shape with wide margins: cooperation dies on regular graphs at
  eta = 0.3, wins most of the population at eta = 1, and the scale-free graph with cost per
  individual is far more cooperative than the regular graph at eta = 0.6. The claim "scale-free
  above regular under cost per game" is a small effect at N = 400 with 4 runs (its interval
  includes 0 there), so the quick test does not require it; the direction test itself is
  checked on constructed data.
- Szolnoki et al., quick (30x30 lattice, 400 Monte Carlo steps, 2 runs, r = 2.5, 4.5, 7):
  far from the thresholds the phases are unambiguous: at r = 2.5 every run ends all-D, at
  r = 7 all-C (within 1% of the population), and at r = 4.5 both strategies are present
  (about 0.75 cooperators, far from both ends). Each threshold's coarse bracket must hold the
  published value.
"""

from __future__ import annotations

import json
import math

import networkx as nx
import numba
import numpy as np
import pytest
import reference_validation as refv

from experiments.runtime import Runner
from sim import Simulation, SimulationConfig
from sim.analysis import fixation as fx
from sim.graph import CSRGraph
from sim.groups import edge_groups
from sim.kernels import games
from sim.networks import from_networkx
from sim.validation import kernels as vk
from sim.validation import nowak_may as nm

TOL_SIGMA = 4.5


def graph_of(g: nx.Graph) -> CSRGraph:
    return from_networkx(nx.convert_node_labels_to_integers(g))


SMALL_GRAPHS = {
    "ring6": nx.cycle_graph(6),
    "cube": nx.hypercube_graph(3),
    "star5": nx.star_graph(4),
    "path4": nx.path_graph(4),
    "k4": nx.complete_graph(4),
    "lollipop": nx.lollipop_graph(4, 2),
}


# ------------------------------------------------------------------ kernel against twin
@pytest.mark.parametrize("name", sorted(SMALL_GRAPHS))
@pytest.mark.parametrize(("b", "c", "w"), [(3.0, 1.0, 0.2), (1.0, 5.0, 1.0), (2.0, 1.0, 0.0),
                                           (6.0, 1.0, 0.9)])
def test_db_kernel_matches_twin(name, b, c, w):
    graph = graph_of(SMALL_GRAPHS[name])
    runs, key, max_events = 60, np.uint64(0x5EED_0F_F1C5), 5000
    outcome = np.empty(runs, np.int8)
    events = np.empty(runs, np.int64)
    vk.db_fixation_runs(key, graph.indptr, graph.indices, b, c, w, max_events, 3, outcome, events)
    for r in range(runs):
        expected = refv.db_fixation_run(3 + r, key, graph.indptr, graph.indices, b, c, w,
                                        max_events)
        assert (int(outcome[r]), int(events[r])) == expected


def test_db_kernel_reports_runs_that_do_not_absorb():
    graph = graph_of(nx.cycle_graph(8))
    outcome = np.empty(20, np.int8)
    events = np.empty(20, np.int64)
    vk.db_fixation_runs(np.uint64(1), graph.indptr, graph.indices, 2.0, 1.0, 0.0, 1, 0,
                        outcome, events)
    # after one event the lone cooperator is either still there with a C neighbour, or
    # replaced (extinct): never fixed on 8 nodes
    assert np.all(events == 1) and set(outcome.tolist()) <= {vk.NOT_ABSORBED, vk.EXTINCT}
    stuck = int(np.count_nonzero(outcome == vk.NOT_ABSORBED))
    assert stuck > 0
    est = fx.fixation_probability(graph, 2.0, 1.0, 0.0, 20, 1, max_events=1)
    assert est.not_absorbed == stuck and est.fixed == 0


def test_db_runs_independent_of_threads_and_batches():
    graph = graph_of(nx.random_regular_graph(3, 30, seed=4))
    args = (np.uint64(77), graph.indptr, graph.indices, 4.0, 1.0, 0.05, 10**7)

    def play(first, runs, threads):
        before = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            outcome = np.empty(runs, np.int8)
            events = np.empty(runs, np.int64)
            vk.db_fixation_runs(*args, first, outcome, events)
        finally:
            numba.set_num_threads(before)
        return outcome, events

    whole = play(0, 3000, numba.config.NUMBA_NUM_THREADS)
    single = play(0, 3000, 1)
    halves = [play(0, 1234, 1), play(1234, 3000 - 1234, numba.config.NUMBA_NUM_THREADS)]
    for i in range(2):
        assert np.array_equal(whole[i], single[i])
        assert np.array_equal(whole[i], np.concatenate([h[i] for h in halves]))


@pytest.mark.parametrize("self_interaction", [True, False])
def test_matrix_game_payoffs_match_twin(self_interaction, rng):
    for n in (1, 2, 9, 40):
        graph = CSRGraph.from_edges(n, rng.integers(0, n, size=(2 * n, 2)))
        s = rng.integers(0, 2, size=n).astype(np.int8)
        game = rng.normal(size=(2, 2))
        out = np.empty(n)
        vk.matrix_game_payoffs(s, graph.indptr, graph.indices, game, self_interaction, out)
        expected = refv.matrix_game_payoffs(s, graph.indptr, graph.indices, game,
                                            self_interaction)
        assert out.tolist() == expected


# ------------------------------------------------------------ against the exact chain
@pytest.mark.parametrize(("name", "b", "w"), [("ring6", 6.0, 0.1), ("cube", 6.0, 0.1),
                                              ("ring6", 1.5, 0.2), ("star5", 3.0, 0.2),
                                              ("lollipop", 4.0, 0.1)])
def test_fixation_estimate_matches_exact_chain(name, b, w):
    graph = graph_of(SMALL_GRAPHS[name])
    exact = fx.exact_fixation_probability(graph, b, 1.0, w)
    est = fx.fixation_probability(graph, b, 1.0, w, 60_000, 2024)
    assert est.not_absorbed == 0
    assert abs(est.rho - exact) < TOL_SIGMA * math.sqrt(exact * (1 - exact) / est.runs)
    lo, hi = est.ci
    assert lo <= est.rho <= hi


@pytest.mark.parametrize("name", ["ring6", "cube", "k4"])
def test_exact_chain_is_neutral_without_selection(name):
    # on a regular graph a neutral mutant fixes with probability 1/N
    graph = graph_of(SMALL_GRAPHS[name])
    assert fx.exact_fixation_probability(graph, 5.0, 1.0, 0.0) == pytest.approx(1 / graph.n)


def test_exact_chain_refuses_large_graphs():
    with pytest.raises(fx.ConfigError):
        fx.exact_fixation_probability(graph_of(nx.cycle_graph(fx.EXACT_MAX_N + 1)), 2, 1, 0.1)


# ---------------------------------------------------- the mapping onto the engine itself
def test_edge_game_is_donation_game_plus_kept_endowment(rng):
    # docs/science.md section 1: payoff_j = k_j E + b nc_j - c k_j s_j with b = rE/2, c = E(1 - r/2)
    r, e = 1.6, 5.0
    b, c = fx.donation_game(r, e)
    graph = graph_of(nx.random_regular_graph(3, 12, seed=1))
    groups = edge_groups(graph)
    s = rng.integers(0, 2, size=graph.n)
    x = s * e
    payout = np.empty(groups.n_groups)
    games.group_payouts(x, np.ones(graph.n), np.full(groups.n_groups, r / 2), groups.group_ptr,
                        groups.members, np.empty(graph.n), payout, np.empty(0))
    payoff = np.empty(graph.n)
    games.payoffs(x, groups.games_per_agent.astype(float), e, payout, groups.agent_ptr,
                  groups.agent_groups, payoff)
    k = graph.degree
    nc = np.array([s[graph.neighbours(j)].sum() for j in range(graph.n)])
    np.testing.assert_allclose(payoff, k * e + b * nc - c * k * s, rtol=1e-12)
    assert fx.public_goods_for_donation(b, c) == pytest.approx((r, e))


def test_engine_selection_makes_fitnesses_proportional():
    w, k, e = 0.03, 4, 2.0
    we = fx.engine_selection(w, k, e)
    pi = np.linspace(-8, 20, 15)
    ratio = (1 - we + we * (k * e + pi)) / (1 - w + w * pi)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)
    with pytest.raises(fx.ConfigError):
        fx.engine_selection(0.5, 4, 1.0)


@pytest.mark.parametrize("r", [1.0, 1.9])
def test_engine_death_birth_matches_exact_chain(r):
    """The engine's asynchronous death–birth rule on edges/binary play is Ohtsuki's process."""
    e, runs = 10.0, 1500
    config = SimulationConfig(
        n=6, network="ring", degree=2, groups="edges", strategies="binary", rule="death-birth",
        update="asynchronous", mutation=0.0, selection=1.0, r=r, endowment=e,
        initial_cooperation=0.0, rounds=10**6,
    )
    b, c = fx.donation_game(r, e)
    w = 1.0 / (1.0 + 1.0 * 2 * e)  # engine selection 1 on a 2-regular graph
    assert fx.engine_selection(w, 2, e) == pytest.approx(1.0)
    graph = Simulation(config, seed=0).graph
    exact = fx.exact_fixation_probability(graph, b, c, w)
    before = numba.get_num_threads()
    numba.set_num_threads(1)  # six agents: thread hand-offs would cost more than the work
    try:
        fixed = _engine_fixations(config, e, runs)
    finally:
        numba.set_num_threads(before)
    assert abs(fixed / runs - exact) < TOL_SIGMA * math.sqrt(exact * (1 - exact) / runs)
    assert abs(exact - 1 / 6) > 0.03  # the check has power: selection matters here


def _engine_fixations(config, e, runs):
    fixed = 0
    for m, child in enumerate(np.random.SeedSequence(99).spawn(runs)):
        sim = Simulation(config, seed=child)
        start = np.zeros(6)
        start[m % 6] = e
        sim.step(next_contributions=start)
        while 0 < np.count_nonzero(sim.contribution) < 6:
            sim.step()
        fixed += np.count_nonzero(sim.contribution) == 6
    return fixed


# ------------------------------------------------------------------- small analysis tools
def test_regular_threshold():
    assert fx.regular_threshold(100, 3) == pytest.approx(98 / (100 / 3 - 2))
    assert fx.regular_threshold(10**7, 4) == pytest.approx(4.0, rel=1e-5)
    assert math.isinf(fx.regular_threshold(8, 4))


def test_wilson_interval():
    assert fx.wilson_interval(0, 10) == pytest.approx((0.0, 3.8414588 / 13.8414588), rel=1e-6)
    lo, hi = fx.wilson_interval(500, 1000)
    assert lo < 0.5 < hi and hi - 0.5 == pytest.approx(0.5 - lo)


def test_crossing_point_recovers_a_known_root():
    x = np.array([2.0, 2.5, 3.0, 3.5, 4.0, 4.5])
    y = 0.4 * (x - 3.3) + 0.05 * (x - 3.3) ** 2
    c = fx.crossing_point(x, y, np.full(len(x), 0.01), draws=500)
    assert c.estimate == pytest.approx(3.3, abs=1e-9)
    assert c.ci[0] < 3.3 < c.ci[1] and c.ci[1] - c.ci[0] < 0.2
    flat = fx.crossing_point(x, np.ones(len(x)), np.full(len(x), 0.01), draws=200)
    assert math.isnan(flat.estimate)


# ------------------------------------------------------------------------- Nowak & May
def test_nowak_may_single_defector_takes_its_neighbourhood():
    # b = 1.85: a lone D earns 8b = 14.8, more than any C can (at most 9, self included), so
    # its 8 neighbours copy it; sites two steps away do not see it and stay C: a 3x3 D block
    side = 9
    graph = nm.moore_lattice(side)
    state = np.ones(side * side, np.int8)
    state[4 * side + 4] = 0
    new = nm.step(state, graph, nm.prisoners_dilemma(1.85), True, np.empty(graph.n),
                  nm.imitate_best_scratch(graph.n))
    expected = np.ones((side, side), np.int8)
    expected[3:6, 3:6] = 0
    assert np.array_equal(new.reshape(side, side), expected)


def test_nowak_may_rejects_bad_settings():
    with pytest.raises(nm.ConfigError):
        nm.moore_lattice(2)
    with pytest.raises(nm.ConfigError):
        nm.run_nowak_may(10, 1.85, 0)


# ------------------------------------------------------------ the quick studies, end to end
@pytest.fixture(scope="module")
def quick():
    from experiments import validation
    from experiments.runtime import Runner

    params = validation.overlay(validation.EXPERIMENT.read_parameters(), quick=True)
    with Runner(workers=1) as runner:
        return validation.run_studies(params, True, 0, runner=runner)


def rows_of(run, study):
    return [row for result in run["results"] if result.name == study for row in result.rows]


def test_quick_nowak_may_near_published(quick):
    (row,) = rows_of(quick, "nowak_may1992")
    assert row.published == pytest.approx(12 * math.log(2) - 8, abs=1e-4)
    assert abs(row.simulated - row.published) < 0.02


def test_quick_ohtsuki_crosses_near_the_rule(quick):
    rows = rows_of(quick, "ohtsuki2006")
    points = [r for r in rows if r.condition.endswith("N*rho_C")]
    k = 3
    below = next(r for r in points if r.x == k - 1)
    above = next(r for r in points if r.x == k + 2)
    assert below.ci[1] < 1.0 < above.ci[0]
    finite = next(r for r in rows if "(N-2)" in r.condition)
    assert finite.published == pytest.approx(fx.regular_threshold(50, k))
    assert abs(finite.simulated - finite.published) < 0.5
    rule = next(r for r in rows if "rule b/c = k" in r.condition)
    assert rule.published == k and rule.simulated == finite.simulated


def test_quick_santos_qualitative_claims(quick):
    rows = rows_of(quick, "santos2008")
    assert all(r.published is None for r in rows)  # no remembered curve is a published value

    def at(condition, eta):
        return next(r.simulated for r in rows if r.condition == condition and r.x == eta)

    assert at("regular, cost per game", 0.3) <= 0.05
    assert at("regular, cost per game", 1.0) >= 0.5
    assert at("scale-free, cost per individual", 0.6) >= at("regular, cost per game", 0.6) + 0.5
    # on regular graphs the two costs are the same game up to a factor, and both conditions
    # play on the same networks from the same starts: the same dynamics (up to rounding)
    for eta in (0.3, 0.6, 1.0):
        assert at("regular, cost per individual", eta) == pytest.approx(
            at("regular, cost per game", eta), abs=0.02)
    for row in rows:
        if row.ci is not None and row.x is not None:  # shares (claims are differences)
            assert 0.0 <= row.ci[0] <= row.simulated <= row.ci[1] <= 1.0


def test_quick_santos_claims_of_the_abstract(quick):
    from experiments import validation

    rows = [r for r in rows_of(quick, "santos2008") if r.condition.startswith("claim: ")]
    claims = validation.overlay(validation.EXPERIMENT.read_parameters(), True)["santos2008"][
        "claims"]
    assert [r.condition for r in rows] == [f"claim: {c['name']}" for c in claims]
    for row in rows:
        assert row.x is None and row.published is None and row.status in ("met", "not met")
        assert row.ci[0] <= row.simulated <= row.ci[1]
    by_name = {r.condition: r for r in rows}
    for name in ("claim: (a) scale-free above regular, cost per individual",
                 "claim: (b) scale-free: cost per individual above cost per game"):
        assert by_name[name].status == "met" and by_name[name].ci[0] > 0.1


def test_direction_test_on_constructed_shares():
    from experiments.validation import direction

    rng = np.random.default_rng(3)
    low = rng.uniform(0.0, 0.2, size=(4, 10))
    higher = direction(low + 0.3, low, paired=True)
    assert higher.met and higher.estimate == pytest.approx(0.3)
    assert higher.ci == pytest.approx((0.3, 0.3))  # paired: the same runs cancel exactly
    same = direction(low, low[:, ::-1], paired=False)
    assert not same.met and same.ci[0] < 0.0 < same.ci[1]
    # above on average, but clearly below at one point: "at equal eta" fails
    mixed = low + np.array([[0.6], [0.6], [0.6], [-0.3]])
    test = direction(mixed, low, paired=True)
    assert test.ci[0] > 0 and test.reversed_at == [3] and not test.met
    assert not direction(low, low + 0.3, paired=False).met


def test_quick_szolnoki_phases_and_thresholds(quick):
    rows = rows_of(quick, "szolnoki2009")
    points = {r.x: r for r in rows if r.x is not None}
    assert sorted(points) == [2.5, 4.5, 7.0]
    assert points[2.5].simulated <= 0.01  # below r = 3.74: cooperators die out
    assert points[7.0].simulated >= 0.99  # above r = 5.49: defectors die out
    assert 0.2 < points[4.5].simulated < 0.95  # in between: both survive
    assert all(r.status == "met" for r in points.values())
    lower, upper = (r for r in rows if r.x is None)
    assert lower.published == 3.74 and upper.published == 5.49
    assert lower.simulated == pytest.approx(3.5) and upper.simulated == pytest.approx(5.75)
    assert lower.status == upper.status == "met"


def test_szolnoki_phase_helpers():
    from experiments import validation as v

    assert [v.expected_phase(r, 3.74, 5.49) for r in (3.7, 4.0, 5.49, 5.5)] == [
        v.ONLY_D, v.MIXED, v.MIXED, v.ONLY_C]
    assert [v.phase_of(s, 0.01) for s in (0.0, 0.01, 0.5, 0.99, 1.0)] == [
        v.ONLY_D, v.ONLY_D, v.MIXED, v.ONLY_C, v.ONLY_C]
    r = [3.6, 3.7, 3.8, 5.4, 5.5, 5.6]
    phases = [v.ONLY_D, v.ONLY_D, v.MIXED, v.MIXED, v.ONLY_C, v.ONLY_C]
    assert v.threshold_brackets(r, phases) == {"lower": (3.7, 3.8), "upper": (5.4, 5.5)}
    # a scan that never leaves the mixed phase brackets nothing on either side
    none = v.threshold_brackets(r, [v.MIXED] * 6)
    assert none["lower"] == (-math.inf, 3.6) and none["upper"] == (5.6, math.inf)


def test_szolnoki_engine_settings_are_the_papers():
    from experiments import validation as v

    p = v.overlay(v.EXPERIMENT.read_parameters(), True)["szolnoki2009"]
    (config, *_) = v.szolnoki_configs(p)
    sim = Simulation(config, seed=0)
    # every player plays 5 games of 5 (itself and its von Neumann neighbours)
    assert np.all(sim.own_games == 5) and np.all(sim.groups.sizes == 5)
    assert (config.rule, config.update, config.cost, config.strategies) == (
        "fermi", "asynchronous", "per-game", "binary")
    assert config.temperature == 0.5 and config.mutation == 0.0 and config.r == 2.5


def test_quick_rows_have_the_documented_keys(quick):
    from experiments import validation

    document = validation.as_json(quick)
    assert document["results"]
    for row in document["results"]:
        assert {"study", "condition", "x", "simulated", "published", "status"} <= set(row)
    assert {r["study"] for r in document["results"]} == set(validation.STUDIES)
    json.dumps(document, allow_nan=False)


def test_quick_is_reproducible_and_seeded():
    from experiments import validation

    params = validation.overlay(validation.EXPERIMENT.read_parameters(), True)["ohtsuki2006"]
    params.update(runs=4000, graphs=4)
    with Runner(workers=1) as runner:
        runs = [validation.run_ohtsuki(params, seed, runner) for seed in (5, 5, 6)]
    values = [[r.simulated for r in run.rows] for run in runs]
    assert values[0] == values[1] and values[0] != values[2]


def test_santos_worker_processes_give_the_same_numbers():
    from experiments import validation

    params = validation.overlay(validation.EXPERIMENT.read_parameters(), True)["santos2008"]
    params.update(eta=[0.6], runs=2, rounds=50, average=20, n=100)
    params["conditions"] = params["conditions"][2:4]
    names = {cond["name"] for cond in params["conditions"]}
    params["claims"] = [c for c in params["claims"] if {c["higher"], c["lower"]} <= names]
    assert params["claims"]  # claim (b): both conditions on scale-free graphs
    with Runner(workers=1) as one, Runner(workers=2) as two:
        inline = validation.run_santos(params, 3, one)
        pooled = validation.run_santos(params, 3, two)
    assert [r.simulated for r in inline.rows] == [r.simulated for r in pooled.rows]


# ------------------------------------------------------------------------------- the CLI
def cascade(argv, capsys):
    from cli.main import main

    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_json_rows(capsys):
    status, out, err = cascade(["experiment", "validation", "--quick", "--json", "--study",
                                "nowak_may1992", "--seed", "3", "--workers", "1"], capsys)
    assert status == 0, err
    document = json.loads(out)
    assert document["seed"] == 3 and document["quick"] is True
    assert set(document) >= {"experiment", "results", "settings", "timing"}
    assert not [key for key in document if key.startswith("_")]  # figure data stays private
    (row,) = document["results"]
    assert set(row) >= {"study", "condition", "x", "simulated", "published", "ci"}
    # the same numbers on two worker processes (each run has its own seed)
    status, out, err = cascade(["experiment", "validation", "--quick", "--json", "--study",
                                "nowak_may1992", "--seed", "3", "--workers", "2"], capsys)
    assert status == 0, err
    assert json.loads(out)["results"] == document["results"]


def test_cli_out_writes_report(tmp_path, capsys):
    out_dir = tmp_path / "report"
    status, out, err = cascade(["experiment", "validation", "--quick", "--out", str(out_dir),
                                "--study", "nowak_may1992", "--study", "ohtsuki2006",
                                "--workers", "1"], capsys)
    assert status == 0, err
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["nowak_may1992.png", "ohtsuki2006.png", "report.md", "results.json"]
    assert (out_dir / "nowak_may1992.png").read_bytes()[:4] == b"\x89PNG"
    text = (out_dir / "report.md").read_text()
    assert "Nowak & May" in text and "Ohtsuki" in text
    assert "ohtsuki2006" in out or "nowak_may1992" in out
    results = json.loads((out_dir / "results.json").read_text())
    assert [r["study"] for r in results["results"]][:1] == ["ohtsuki2006"]


def test_study_option_is_repeatable_and_takes_comma_lists():
    import argparse

    from experiments import runtime, validation

    parser = argparse.ArgumentParser()
    runtime.add_arguments(parser, validation.EXPERIMENT)
    args = parser.parse_args(["--study", "nowak_may1992,ohtsuki2006", "--study", "santos2008"])
    assert validation.chosen_studies(args.study) == ["santos2008", "ohtsuki2006",
                                                      "nowak_may1992"]
    # always in the fixed order, whatever the order given
    assert validation.chosen_studies(["nowak_may1992", "ohtsuki2006"]) == [
        "ohtsuki2006", "nowak_may1992"]
    assert validation.chosen_studies(None) == list(validation.STUDIES)


def test_sweep_run_records_the_headline_numbers():
    from experiments import validation

    metrics = validation.EXPERIMENT.sweep_run({"quick": True, "study": "nowak_may1992"},
                                              np.random.SeedSequence(1))
    assert list(metrics) == ["nowak_may1992:cooperators:b=1.85"]
    assert abs(metrics["nowak_may1992:cooperators:b=1.85"] - 0.318) < 0.02


@pytest.mark.parametrize("argv", [["--seed", "abc"], ["--seed", "-1"], ["--study", "nope"],
                                  ["--study", "nowak_may1992,nope"], ["--workers", "-1"]])
def test_cli_bad_input_one_line_exit_2(argv, tmp_path, capsys):
    out_dir = tmp_path / "never"
    status, out, err = cascade(["experiment", "validation", "--quick", "--out", str(out_dir),
                                *argv], capsys)
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("cascade: error:")
    assert not out_dir.exists() and list(tmp_path.iterdir()) == []


def test_cli_bad_parameter_file_one_line_exit_2(tmp_path, capsys):
    from experiments import validation

    text = validation.PARAMETERS.read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace("[nowak_may1992.quick]", "[nowak_may1992.small]"),
                      encoding="utf-8")
    status, out, err = cascade(["experiment", "validation", "--quick", "--params", str(broken),
                                "--json"], capsys)
    assert status == 2 and out == ""
    assert err.strip() == ("cascade: error: --params: [nowak_may1992] needs a "
                           "[nowak_may1992.quick] table")


@pytest.mark.parametrize(("old", "new", "message"), [
    ("tolerance = 0.01 ", "tolerance = 0.7 ",
     "[szolnoki2009] tolerance must be a number > 0 and < 0.5 (got 0.7)"),
    ("temperature = 0.5 ", "temperature = 0 ",
     "[szolnoki2009] temperature must be a number > 0 (got 0)"),
    ("initial_cooperation = 0.5  #", "initial_cooperation = 1.0  #",
     "[szolnoki2009] initial_cooperation must be a number > 0 and < 1 (got 1.0)"),
    ("threshold_tolerance = 0.1 ", "threshold_tolerance = -0.1 ",
     "[szolnoki2009] threshold_tolerance must be a number >= 0 (got -0.1)"),
    ("lower_threshold = 3.74 ", "lower_threshold = 6.0 ",
     "[szolnoki2009] upper_threshold must be above lower_threshold (got 5.49 <= 6)"),
    ("side = 30\n", "side = 2\n", "[szolnoki2009] side must be an integer >= 3 (got 2)"),
    ("r = [2.5, 4.5, 7.0]", "r = [4.5, 2.5]",
     "[szolnoki2009] r must be a non-empty, increasing list of numbers > 0 (got [4.5, 2.5])"),
    ("steps = 400\naverage = 100", "steps = 400\naverage = 401",
     "[szolnoki2009] average must be at most steps (got 401 > 400)"),
    ("steps = 400\n", "steps = 0\n", "[szolnoki2009] steps must be an integer >= 1 (got 0)"),
    ('lower = "regular, cost per game"', 'lower = "nope"',
     "[santos2008] claim '(a) scale-free above regular, cost per game': lower 'nope' is not a "
     "condition"),
])
def test_cli_bad_study_values_one_line_exit_2(old, new, message, tmp_path, capsys):
    from experiments import validation

    text = validation.PARAMETERS.read_text(encoding="utf-8")
    assert text.count(old) == 1
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    status, out, err = cascade(["experiment", "validation", "--quick", "--params", str(broken),
                                "--json"], capsys)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"cascade: error: --params: {message}")


def test_cli_out_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("keep")
    status, out, err = cascade(["experiment", "validation", "--quick", "--out", str(target),
                                "--study", "nowak_may1992"], capsys)
    assert status == 2 and target.read_text() == "keep"
