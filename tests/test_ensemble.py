"""Ensembles (sim/ensemble.py) and the whole run in compiled code (Simulation.run).

A replicate of an ensemble must be the same history, bit for bit, as the same replicate played
alone, for every rule, group structure and update mode, with hooks on, whatever the pack width
and the number of threads; and a run played in one compiled call must equal the same run played
round by round.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from cli.main import main
from sim import ConfigError, Simulation, SimulationConfig
from sim.ensemble import Ensemble
from sim.history import METRICS
from sim.hooks import RoundHook
from sim.memory import estimate_ensemble_bytes
from sim.rules import RULES as RULE_REGISTRY
from sim.seeds import child_seed

RULES = list(RULE_REGISTRY)  # every registered rule, so a new one is checked too
SMALL = dict(n=60, rounds=6, network="small-world", degree=4)


class Watcher(RoundHook):
    """A hook that changes nothing: it sends a run down the round-by-round path."""


def same_history(a, b) -> bool:
    return all(np.array_equal(getattr(a, m), getattr(b, m), equal_nan=True) for m in METRICS)


@pytest.mark.parametrize("rule, update", list(itertools.product(
    RULES, ["synchronous", "asynchronous"])))
def test_compiled_run_equals_round_by_round(rule, update):
    config = SimulationConfig(**SMALL, rule=rule, update=update, strategies="binary")
    fast = Simulation(config, seed=4, record_agents=True)
    slow = Simulation(config, seed=4, record_agents=True, hooks=[Watcher()])
    assert fast.compiled and not slow.compiled
    a, b = fast.run(), slow.run()
    assert same_history(a, b)
    assert np.array_equal(a.contributions, b.contributions)
    for name in ("contribution", "payoff", "belief", "propensity"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    # and it goes on from where it stopped
    fast.config = slow.config = config.replace(rounds=9)
    assert same_history(fast.run(), slow.run())


@pytest.mark.parametrize("rule, update, groups, cost", [
    (rule, update, groups, cost)
    for rule, update in itertools.product(RULES, ["synchronous", "asynchronous"])
    for groups, cost in [("neighbourhood", "per-game"), ("partition", "per-individual"),
                         ("edges", "per-individual"), ("rematch", "per-game")]
])
def test_replicate_equals_run_alone(rule, update, groups, cost):
    config = SimulationConfig(**SMALL, rule=rule, update=update, groups=groups, cost=cost)
    ensemble = Ensemble(config, seed=9, replicates=6, networks=2, pack_width=2,
                        record_agents=True)
    played = ensemble.run()
    state = ensemble.contributions()
    for r in (0, 4, 5):
        alone = Simulation(config, seed=ensemble.replicate_seed(r), graph=ensemble.graph(r),
                           record_agents=True)
        history = alone.run()
        assert same_history(played.replicate(r), history), r
        assert np.array_equal(played.replicate(r).contributions, history.contributions)
        assert np.array_equal(state[:, r], alone.contribution)


def test_one_network_per_replicate_is_a_plain_run_of_its_seed():
    config = SimulationConfig(**SMALL)
    played = Ensemble(config, seed=3, replicates=4).run()
    for r in range(4):
        alone = Simulation(config, seed=child_seed(3, r)).run()
        assert same_history(played.replicate(r), alone)


def test_pack_width_and_threads_change_nothing():
    config = SimulationConfig(**{**SMALL, "rounds": 10}, rule="human")
    runs = [Ensemble(config, seed=1, replicates=8, networks=1, threads=threads,
                     pack_width=width).run()
            for threads, width in [(1, 8), (2, 1), (2, 3), (1, None)]]
    for other in runs[1:]:
        assert all(np.array_equal(getattr(runs[0], m), getattr(other, m)) for m in METRICS)


@pytest.mark.parametrize("changes", [
    dict(policy="punishment"), dict(policy="cooperation"),
    dict(campaign_size=5, contagion="complex", threshold=1), dict(weaving=0.1),
])
def test_hooks_play_each_replicate_alone(changes):
    config = SimulationConfig(**{**SMALL, **changes})
    ensemble = Ensemble(config, seed=2, replicates=3, networks=1)
    assert not ensemble.compiled
    played = ensemble.run()
    for r in range(3):
        alone = Simulation(config, seed=ensemble.replicate_seed(r), graph=ensemble.graph(r))
        assert same_history(played.replicate(r), alone.run())


def test_ensemble_runs_on_in_pieces_and_frames():
    config = SimulationConfig(**{**SMALL, "rounds": 8})
    whole = Ensemble(config, seed=5, replicates=3).run()
    pieces = Ensemble(config, seed=5, replicates=3)
    pieces.run(3)
    assert all(np.array_equal(getattr(whole, m), getattr(pieces.run(), m)) for m in METRICS)
    frame = whole.to_frame()
    assert list(frame.columns) == ["replicate", "round", *METRICS]
    assert len(frame) == 3 * 8
    pd.testing.assert_series_equal(
        frame[frame.replicate == 2]["welfare"].reset_index(drop=True),
        pd.Series(whole.welfare[:, 2], name="welfare"))


def test_exact_gini_in_batches_of_rounds_changes_nothing(monkeypatch):
    """The exact Gini's payoffs wait for NumPy's sort in batches of rounds
    (sim.simulation.GINI_BATCH_VALUES); any batch size gives the same history, and the Gini is
    the one sim.kernels.metrics.gini gives for the final payoffs."""
    import sim.simulation as simulation
    from sim.kernels import metrics

    config = SimulationConfig(**{**SMALL, "rounds": 7})
    whole = Ensemble(config, seed=3, replicates=3, pack_width=3).run()
    alone = Simulation(config, seed=11)
    alone_history = alone.run()
    assert alone_history.gini[-1] == metrics.gini(alone.payoff, 0)
    monkeypatch.setattr(simulation, "GINI_BATCH_VALUES", 2 * SMALL["n"] * 3)  # 2 rounds
    assert same_history(whole, Ensemble(config, seed=3, replicates=3, pack_width=3).run())
    assert same_history(alone_history, Simulation(config, seed=11).run())


def test_playing_no_rounds_records_nothing():
    from sim.simulation import PackState, play_compiled

    sim = Simulation(SimulationConfig(**SMALL), seed=2)
    column = sim.contribution.reshape(-1, 1)
    before = column.copy()
    state = PackState(*([np.array([sim.key])] + [column] * 16))  # not played: no kernel call
    out, agents = play_compiled(sim, state, 0, 0, True, True)
    assert out.shape == (len(METRICS), 0, 1) and agents.shape == (0, SMALL["n"], 1)
    assert np.array_equal(column, before)


def test_without_gini_the_rest_is_unchanged():
    config = SimulationConfig(**SMALL)
    a = Ensemble(config, seed=5, replicates=4, networks=2).run()
    b = Ensemble(config, seed=5, replicates=4, networks=2, with_gini=False).run()
    assert np.isnan(b.gini).all() and np.isfinite(a.gini).all()
    for m in ("mean_contribution", "welfare", "cooperators"):
        assert np.array_equal(getattr(a, m), getattr(b, m))


def test_explicit_seeds():
    config = SimulationConfig(**SMALL)
    seeds = [child_seed(11, 7), child_seed(11, 8)]
    played = Ensemble(config, seeds=seeds).run()
    assert played.replicates == 2
    assert same_history(played.replicate(1), Simulation(config, seed=seeds[1]).run())


@pytest.mark.parametrize("kwargs, message", [
    (dict(replicates=0), "--replicates must be an integer >= 1"),
    (dict(replicates=6, networks=4), "--networks must divide --replicates"),
])
def test_bad_counts_are_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Ensemble(SimulationConfig(**SMALL), **kwargs)


def test_an_ensemble_that_would_not_fit_is_refused_before_it_allocates():
    config = SimulationConfig(n=1_000_000, rounds=2)
    need = estimate_ensemble_bytes(1_000_000, 4, 10_000, 1)
    assert need > 1e12
    with pytest.raises(ConfigError, match="--replicates 10000 needs about"):
        Ensemble(config, replicates=10_000, networks=1)


def test_cli_replicates(capsys, tmp_path):
    out = tmp_path / "ens"
    status = main(["run", "--n", "80", "--rounds", "5", "--replicates", "4", "--networks", "2",
                   "--json", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    data = json.loads(captured.out)
    assert data["replicates"] == 4 and data["networks"] == 2
    assert len(data["per_replicate"]["mean_contribution"]) == 4
    frame = pd.read_parquet(out / "history.parquet")
    assert sorted(frame.replicate.unique()) == [0, 1, 2, 3]
    expected = Ensemble(SimulationConfig(n=80, rounds=5), seed=0, replicates=4,
                        networks=2).run().mean_contribution[:, 3]
    assert np.array_equal(frame[frame.replicate == 3]["mean_contribution"].to_numpy(),
                          expected)


@pytest.mark.parametrize("argv, mentions", [
    (["--replicates", "4", "--networks", "3"], "--networks must divide --replicates (4)"),
    (["--replicates", "0"], "--replicates"),
    (["--networks", "2"], "--networks needs --replicates"),
    (["--replicates", "2", "--agents", "--out", "x"], "--agents is for one run"),
])
def test_cli_bad_counts_are_one_line(capsys, argv, mentions):
    status = main(["run", "--n", "80", *argv])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cascade: error: ") and mentions in lines[0]
