"""Policies (sim/policies/): every registered policy, the money they move, their kernels, and
the ``cascade experiment policies`` command end to end."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import reference_policies as refp

from cli.main import main
from sim import ConfigError, Simulation, SimulationConfig
from sim.groups import Groups
from sim.networks import build_network
from sim.policies import POLICIES, policy_classes, policy_names
from sim.policies.kernels import (
    competition_round,
    cooperation_round,
    punishment_round,
    rank_pay,
    rewards,
    sanctions,
    set_pots,
    share_equally,
)

SMALL = {"n": 60, "rounds": 6, "cost": "per-individual"}
SETTINGS = list(POLICIES) + ["cooperation+punishment", "competition+punishment+envelope"]


def run(policy: str, seed: int, rule: str = "conditional", **changes):
    sim = Simulation(SimulationConfig(**{**SMALL, **changes}, policy=policy, rule=rule),
                     seed=seed)
    return sim, sim.run()


# ------------------------------------------------------------------- every policy
@pytest.mark.parametrize("rule", ["conditional", "fermi"])
@pytest.mark.parametrize("policy", SETTINGS)
def test_same_seed_same_run_different_seed_different_run(policy, rule):
    sim_a, a = run(policy, 3, rule)
    sim_b, b = run(policy, 3, rule)
    _, c = run(policy, 4, rule)
    for metric in ("mean_contribution", "welfare", "gini"):
        np.testing.assert_array_equal(getattr(a, metric), getattr(b, metric))
    assert [h.ledger for h in sim_a.hooks] == [h.ledger for h in sim_b.hooks]
    assert not np.array_equal(a.welfare, c.welfare)


def test_every_policy_has_its_metadata_and_documented_parameters():
    doc = SimulationConfig.__doc__
    for name, entry in POLICIES.items():
        assert entry.name == entry.entry.name == name
        assert entry.summary and "\n" not in entry.summary
        assert entry.source
        assert entry.parameters == entry.entry.parameters
        for param in entry.parameters:
            assert param.name in SimulationConfig.field_names()
            assert getattr(SimulationConfig(), param.name) == param.default
            assert param.help and "\n" not in param.help
            assert f"{param.name}:" in doc


def test_policy_hooks_follow_the_setting():
    assert policy_names("baseline") == []
    # fines act before the budget's prizes, whatever the order written
    assert policy_names("cooperation+punishment") == ["punishment", "cooperation"]
    sim = Simulation(SimulationConfig(n=30, policy="envelope+punishment"), seed=0)
    assert [h.name for h in sim.hooks] == ["envelope", "punishment"]


@pytest.mark.parametrize(("changes", "mentions"), [
    ({"policy_budget": -1.0}, "--policy-budget"),
    ({"competition_top_share": 1.5}, "--competition-top-share"),
    ({"competition_top_share": -0.1}, "--competition-top-share"),
    ({"policy": "lottery"}, "unknown --policy 'lottery'"),
    ({"policy": "competition+cooperation"}, "makes no sense"),
    ({"policy": "growing-resources+envelope"}, "makes no sense"),
    ({"policy": "baseline+punishment"}, "combines with nothing"),
    ({"policy": "punishment+punishment"}, "twice"),
    ({"policy_scope": "teams"}, "--policy-scope teams needs"),
    ({"policy_scope": "wards"}, "--policy-scope"),
    ({"competition_rank": "luck"}, "--competition-rank"),
    ({"cooperation_reward": "gift"}, "--cooperation-reward"),
    ({"punishment_compliance": 2.0}, "--punishment-compliance"),
    ({"envelope_budget": -5.0}, "--envelope-budget"),
    ({"envelope_match": float("nan")}, "--envelope-match"),
    ({"growth_rate": -1.0}, "--growth-rate"),
])
def test_bad_policy_settings_fail_with_one_line(changes, mentions):
    with pytest.raises(ConfigError, match=mentions.replace("+", r"\+")) as info:
        SimulationConfig(**changes).validate()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("argv", [["--policy-budget", "-1"], ["--competition-top-share", "2"],
                                  ["--policy", "nope"]])
def test_bad_policy_options_exit_2_from_cascade_run(capsys, argv):
    assert main(["run", "--n", "30", "--rounds", "2", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1 and "error" in captured.err


def test_cascade_run_and_mesa_model_take_a_policy(capsys):
    argv = ["run", "--n", "60", "--rounds", "3", "--seed", "1", "--json"]

    def both(rule):
        assert main([*argv, "--rule", rule, "--policy", "competition",
                     "--policy-budget", "2.5"]) == 0
        competition = json.loads(capsys.readouterr().out)
        assert main([*argv, "--rule", rule]) == 0
        return competition, json.loads(capsys.readouterr().out)

    competition, baseline = both("conditional")
    assert competition["config"]["policy"] == "competition"
    # the conditional rule reads what others gave, not what they earned: the same
    # contributions, and 2.5 MU per agent per round more welfare
    np.testing.assert_allclose(competition["mean_contribution"], baseline["mean_contribution"],
                               rtol=1e-12)
    np.testing.assert_allclose(np.subtract(competition["welfare"], baseline["welfare"]), 2.5)
    # the human rule (the default) also learns from what it earned, prizes included: the same
    # first round, then other contributions
    competition, baseline = both("human")
    assert competition["config"]["rule"] == "human"
    assert competition["mean_contribution"][0] == baseline["mean_contribution"][0]
    assert competition["mean_contribution"][1:] != baseline["mean_contribution"][1:]
    from models.public_goods.model import PublicGoodsModel

    model = PublicGoodsModel(rng=5, n=40, rounds=3, policy="cooperation+punishment")
    plain = PublicGoodsModel(rng=5, n=40, rounds=3)
    model.step()
    plain.step()
    assert [h.name for h in model.engine.hooks] == ["punishment", "cooperation"]
    engine = Simulation(SimulationConfig(n=40, rounds=3, policy="cooperation+punishment"),
                        seed=model.engine_seed)
    engine.step()
    assert model.engine.latest() == engine.latest()
    assert model.engine.latest()["welfare"] != plain.engine.latest()["welfare"]


# -------------------------------------------------------------------------- money
def _first_round(policy: str, **changes) -> Simulation:
    sim = Simulation(SimulationConfig(**{**SMALL, **changes}, policy=policy), seed=9)
    sim.step()
    return sim


@pytest.mark.parametrize("changes", [
    {},
    {"competition_top_share": 0.0, "cooperation_reward": "match"},
    {"competition_rank": "contribution", "groups": "partition", "group_size": 4},
    {"network": "silos", "team_size": 10, "policy_scope": "teams"},
    {"rule": "fermi", "policy_budget": 3.5},
])
def test_competition_and_cooperation_pay_the_same_money(changes):
    budget = changes.get("policy_budget", 1.0)
    config = SimulationConfig(**{**SMALL, **changes})
    base = _first_round("baseline", **changes)
    for policy in ("competition", "cooperation"):
        sim = Simulation(config.replace(policy=policy), seed=11)
        sim.run()
        assert sim.hooks[0].ledger == pytest.approx([budget * sim.n] * config.rounds)
        # the money actually reaching the agents in round 1 (same contributions as baseline)
        first = _first_round(policy, **changes)
        np.testing.assert_array_equal(first.contribution, base.contribution)
        assert (first.payoff - base.payoff).sum() == pytest.approx(budget * sim.n)
        assert np.all(first.payoff - base.payoff >= -1e-12)


def test_competition_pays_the_best_and_cooperation_the_givers():
    config = SimulationConfig(n=8, groups="partition", group_size=4, rounds=1,
                              competition_top_share=0.0, competition_rank="contribution")
    contribution = np.array([0, 5, 10, 20, 20, 20, 20, 20], dtype=float)
    won, got = [], []
    for policy, out in (("competition", won), ("cooperation", got)):
        base = Simulation(config, seed=0)
        sim = Simulation(config.replace(policy=policy), seed=0)
        base.step(next_contributions=contribution)
        sim.step(next_contributions=contribution)
        out.append(sim.payoff - base.payoff)
    won, got = won[0], got[0]
    assert won.sum() == pytest.approx(8.0) and got.sum() == pytest.approx(8.0)
    # winner-take-all: each group's pot (4 MU) goes to its top contributor (or splits a tie)
    groups = Simulation(config, seed=0).groups
    for g in range(groups.n_groups):
        members = groups.members_of(g)
        best = contribution[members] == contribution[members].max()
        assert won[members][best] == pytest.approx(4.0 / best.sum())
        assert np.all(won[members][~best] == 0)
    # group reward: in proportion to the groups' totals, equal inside a group
    totals = np.array([contribution[groups.members_of(g)].sum() for g in range(2)])
    for g in range(2):
        np.testing.assert_allclose(got[groups.members_of(g)], 8.0 * totals[g] / totals.sum() / 4)


def test_envelope_spends_exactly_its_budget_then_stops():
    config = SimulationConfig(**{**SMALL, "rounds": 12}, policy="envelope", envelope_budget=15.0,
                              envelope_match=1.0, initial_cooperation=0.8)
    sim = Simulation(config, seed=2)
    plain = Simulation(config.replace(policy="baseline"), seed=2)
    share = sim.share.copy()
    sim.step()
    plain.step()
    # the first round's extra payoffs are exactly what the ledger says it spent
    assert (sim.payoff - plain.payoff).sum() == pytest.approx(sim.hooks[0].ledger[0])
    sim.run()
    ledger = np.array(sim.hooks[0].ledger)
    assert ledger.sum() == pytest.approx(15.0 * sim.n)
    assert sim.hooks[0].remaining == 0.0
    spent_out = np.flatnonzero(ledger == 0)
    assert len(spent_out) > 0 and np.all(ledger[spent_out[0]:] == 0)
    assert np.all(ledger[:spent_out[0]] > 0)
    np.testing.assert_array_equal(sim.share, share)  # the return is the plain one again


def test_growing_resources_raise_the_return_after_high_participation():
    common = {**SMALL, "rule": "fermi", "mutation": 0.0, "policy": "growing-resources",
              "growth_rate": 1.5}
    high = Simulation(SimulationConfig(**common, initial_cooperation=1.0), seed=1)
    low = Simulation(SimulationConfig(**common, initial_cooperation=0.0), seed=1)
    for sim in (high, low):
        sim.step()
        sim.step()
    # everyone gave E in round 1: the return of round 2 is 1 + 1.5 * 1 times the plain one
    assert high.hooks[0].factor == pytest.approx(2.5)
    assert high.hooks[0].ledger[1] > 0
    assert low.hooks[0].factor == pytest.approx(1.0)
    plain = Simulation(SimulationConfig(**{**common, "policy": "baseline"},
                                        initial_cooperation=1.0), seed=1)
    plain.step()
    plain.step()
    assert high.latest()["welfare"] > plain.latest()["welfare"]
    assert high.latest()["welfare"] - plain.latest()["welfare"] == pytest.approx(
        high.hooks[0].ledger[1] / high.n)


def test_punishment_fines_fall_on_the_free_rider_at_one_to_three():
    config = SimulationConfig(n=4, degree=2, groups="partition", group_size=4, rounds=1,
                              policy="punishment", rule="fermi", punishment_rate=0.2)
    base = Simulation(config.replace(policy="baseline"), seed=0)
    sim = Simulation(config, seed=0)
    x = np.array([0.0, 20.0, 20.0, 20.0])
    base.step(next_contributions=x)
    sim.step(next_contributions=x)
    # shortfall 20 MU: 0.2 * 20 = 4 points from each of the three (stochastic rounding of
    # an integer is exact); 12 points cost the free rider 36 MU, each punisher 4 MU
    np.testing.assert_allclose(base.payoff - sim.payoff, [36.0, 4.0, 4.0, 4.0])
    assert sim.hooks[0].ledger == [-48.0]


def test_sanction_fear_raises_human_like_contributions_only():
    human = {**SMALL, "rule": "conditional"}
    plain, _ = run("baseline", 1, **human)
    punished, _ = run("punishment", 1, **human)
    assert punished.history().mean_contribution[0] > plain.history().mean_contribution[0]
    learners = {**SMALL, "rule": "fermi"}
    a = Simulation(SimulationConfig(**learners), seed=1)
    b = Simulation(SimulationConfig(**learners, policy="punishment"), seed=1)
    a.step()
    b.step()
    np.testing.assert_array_equal(a.contribution, b.contribution)


# ------------------------------------------------------------------- kernels vs twins
def _random_groups(rng: np.random.Generator, kind: str) -> Groups:
    n = int(rng.integers(1, 40))
    if kind == "large sets":  # beyond the kernels' insertion sorts (INSERTION_SORT_MAX)
        n = int(rng.integers(1, 200))
        return Groups.from_order(rng.permutation(n), int(rng.integers(20, 80)))
    if kind == "partition":
        return Groups.from_order(rng.permutation(n), int(rng.integers(1, 6)))
    config = SimulationConfig(n=max(n, 8), network="erdos-renyi", degree=3)
    graph = build_network(config, rng)  # isolated nodes give groups of one
    ptr = np.concatenate([[0], np.cumsum(graph.degree + 1)])
    members = np.concatenate([np.concatenate([[i], graph.neighbours(i)])
                              for i in range(graph.n)]).astype(np.int32)
    return Groups.from_members(graph.n, ptr, members)


def _random_values(rng: np.random.Generator, n: int) -> np.ndarray:
    if rng.random() < 0.5:  # many ties
        return rng.integers(0, 4, size=n).astype(float) * 5.0
    return rng.uniform(0, 20, size=n)


@pytest.mark.parametrize("kind", ["partition", "neighbourhood", "large sets"])
def test_rank_pay_matches_its_twin(rng, kind):
    for _ in range(60):
        groups = _random_groups(rng, kind)
        n = len(groups.agent_ptr) - 1
        score = _random_values(rng, n)
        pot = rng.uniform(0, 10, size=groups.n_groups)
        share = float(rng.choice([0.0, 0.25, 0.3, 0.5, 1.0, rng.random()]))
        out = np.empty(n)
        rank_pay(score, groups.group_ptr, groups.members, pot, share, out)
        np.testing.assert_allclose(out, refp.rank_pay(score, groups.group_ptr, groups.members,
                                                      pot, share), rtol=1e-12, atol=1e-12)
        assert out.sum() == pytest.approx(pot.sum())


@pytest.mark.parametrize("kind", ["partition", "neighbourhood", "large sets"])
def test_share_equally_matches_its_twin(rng, kind):
    for _ in range(30):
        groups = _random_groups(rng, kind)
        n = len(groups.agent_ptr) - 1
        per_set = rng.uniform(0, 10, size=groups.n_groups)
        out = np.full(n, np.nan)
        share_equally(per_set, groups.group_ptr, groups.members, out)
        np.testing.assert_array_equal(out, refp.share_equally(per_set, groups.group_ptr,
                                                              groups.members, n))


@pytest.mark.parametrize("kind", ["partition", "neighbourhood", "large sets"])
def test_policy_rounds_match_their_twins(rng, kind):
    """A round of each policy's money (what the hooks call): pots, payments and fines added
    to the payoffs, and the MU moved, against the twins."""
    for trial in range(30):
        groups = _random_groups(rng, kind)
        ptr, members = groups.group_ptr, groups.members
        n = len(groups.agent_ptr) - 1
        x = _random_values(rng, n) if trial % 5 else np.zeros(n)  # nobody gave, sometimes
        payoff = rng.uniform(-5, 30, size=n)
        budget = float(rng.uniform(0, 3)) * n
        pot = np.empty(groups.n_groups)
        set_pots(ptr, budget, pot)
        np.testing.assert_allclose(pot, refp.set_pots(ptr, budget), rtol=1e-12)
        scratch = np.empty(groups.n_groups), np.empty(n)
        results = {}
        got = payoff.copy()
        total = competition_round(x, ptr, members, budget, 0.25, *scratch, got)
        results["competition"] = (got, total, refp.competition_round(
            x, ptr, members, budget, 0.25, payoff))
        got = payoff.copy()
        total = punishment_round(x, ptr, members, 0.6, 10.0, np.uint64(trial), 3, 1.0, 3.0,
                                 np.empty(n), np.empty(n), np.empty(n), got)
        results["punishment"] = (got, total, refp.punishment_round(
            x, ptr, members, 0.6, 10.0, trial, 3, 1.0, 3.0, payoff))
        for match in (False, True):
            got = payoff.copy()
            total = cooperation_round(x, ptr, members, budget, match, *scratch, got)
            results[f"cooperation, match {match}"] = (got, total, refp.cooperation_round(
                x, ptr, members, budget, match, payoff))
        for name, (got, total, (want_payoff, want_total)) in results.items():
            np.testing.assert_allclose(got, want_payoff, rtol=1e-12, atol=1e-9, err_msg=name)
            assert total == pytest.approx(want_total, rel=1e-12, abs=1e-9), name


def test_rank_pay_by_hand():
    ptr, members = np.array([0, 4]), np.array([0, 1, 2, 3], dtype=np.int32)
    score = np.array([1.0, 5.0, 3.0, 5.0])
    out = np.empty(4)
    for share, expected in ((0.0, [0, 4, 0, 4]), (0.5, [0, 4, 0, 4]),
                            (0.75, [0, 8 / 3, 8 / 3, 8 / 3]), (1.0, [2, 2, 2, 2])):
        rank_pay(score, ptr, members, np.array([8.0]), share, out)
        np.testing.assert_allclose(out, expected)


@pytest.mark.parametrize("stage", ["sanctions", "rewards"])
@pytest.mark.parametrize("kind", ["partition", "neighbourhood", "large sets"])
def test_sanctions_match_their_twin(rng, kind, stage):
    kernel, twin = {"sanctions": (sanctions, refp.sanctions),
                    "rewards": (rewards, refp.rewards)}[stage]
    for trial in range(40):
        groups = _random_groups(rng, kind)
        n = len(groups.agent_ptr) - 1
        x = _random_values(rng, n)
        rate = float(rng.uniform(0, 1.5))
        cap = float(rng.integers(0, 11))
        key = np.uint64(rng.integers(0, 2**63)) * np.uint64(2) + np.uint64(trial % 2)
        given, received = np.full(n, -1.0), np.full(n, -1.0)
        kernel(x, groups.group_ptr, groups.members, n, rate, cap, key, trial, given, received)
        twin_given, twin_received = twin(x, groups.group_ptr, groups.members, n, rate, cap,
                                         int(key), trial)
        np.testing.assert_array_equal(given, twin_given)
        np.testing.assert_array_equal(received, twin_received)
        assert given.sum() == received.sum()


def test_sanctions_edge_cases():
    given, received = np.empty(3), np.empty(3)
    # groups of one and an all-equal group: nobody punishes
    sanctions(np.array([0.0, 7.0, 7.0]), np.array([0, 1, 1, 3]),
              np.array([0, 1, 2], dtype=np.int32), 3, 1.0, 10.0, np.uint64(5), 0, given,
              received)
    assert given.sum() == 0 and received.sum() == 0
    # a cap of 0 or a rate of 0: nobody is punished, however large the shortfall
    x = np.array([0.0, 20.0, 20.0])
    ptr, members = np.array([0, 3]), np.array([0, 1, 2], dtype=np.int32)
    for rate, cap in ((1.0, 0.0), (0.0, 10.0)):
        sanctions(x, ptr, members, 3, rate, cap, np.uint64(5), 0, given, received)
        assert given.sum() == 0 and received.sum() == 0
    # an integer expected number of points is exact: 0.5 * 20 = 10 from each, at most the cap
    sanctions(x, ptr, members, 3, 0.5, 10.0, np.uint64(5), 0, given, received)
    np.testing.assert_array_equal(given, [0.0, 10.0, 10.0])
    np.testing.assert_array_equal(received, [20.0, 0.0, 0.0])
    sanctions(x, ptr, members, 3, 0.5, 4.0, np.uint64(5), 0, given, received)
    np.testing.assert_array_equal(received, [8.0, 0.0, 0.0])
    # rewards are the mirror image: those who gave more than their group-mates' mean are
    # rewarded by those who gave less than them (0.5 points per MU of that excess)
    rewards(np.array([20.0, 20.0, 0.0]), ptr, members, 3, 0.5, 10.0, np.uint64(5), 0, given,
            received)
    np.testing.assert_array_equal(given, [0.0, 0.0, 10.0])  # not between the equal two
    np.testing.assert_array_equal(received, [5.0, 5.0, 0.0])
    rewards(np.array([20.0, 0.0, 0.0]), ptr, members, 3, 0.5, 10.0, np.uint64(5), 0, given,
            received)
    np.testing.assert_array_equal(given, [0.0, 10.0, 10.0])
    np.testing.assert_array_equal(received, [20.0, 0.0, 0.0])


def test_policy_parameters_are_checked_where_they_are_declared():
    with pytest.raises(ConfigError, match="--policy-budget must be a number >= 0"):
        SimulationConfig(policy_budget=-2.0).validate()
    with pytest.raises(ConfigError, match="--competition-top-share must be a number >= 0 and"):
        SimulationConfig(competition_top_share=1.5).validate()
    with pytest.raises(ConfigError, match="unknown --cooperation-reward 'x'; allowed: group, "
                       "match"):
        SimulationConfig(cooperation_reward="x").validate()


def test_a_new_policy_is_one_file(tmp_path):
    """Policies are found in the package's modules: a new module is enough to register one."""
    package = tmp_path / "extra_policies"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "lottery.py").write_text(
        "from sim.params import Param\n"
        "from sim.policies.base import Policy\n\n"
        "PRIZE = Param('lottery_prize', 5.0, 'MU one random agent wins each round', low=0.0)\n\n"
        "class Lottery(Policy):\n"
        "    name = 'lottery'\n"
        "    summary = 'one random agent wins a prize every round'\n"
        "    source = 'an example'\n"
        "    parameters = (PRIZE,)\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        (found,) = policy_classes("extra_policies", [str(package)])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("extra_policies.lottery", None)
        sys.modules.pop("extra_policies", None)
    assert found.name == "lottery" and found.parameters[0].name == "lottery_prize"


# ------------------------------------------------------------------- the experiment
TINY = ["experiment", "policies", "--replicates", "3", "--n", "40", "--rounds", "4",
        "--networks", "small-world,random", "--policies", "baseline,competition,cooperation"]


def test_experiment_json_end_to_end_and_workers_do_not_matter(capsys):
    assert main([*TINY, "--json", "--workers", "1", "--seed", "5"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert main([*TINY, "--json", "--workers", "2", "--seed", "5"]) == 0
    two = json.loads(capsys.readouterr().out)
    for key in ("policies", "payoff_learning"):
        assert set(one[key]) == {"baseline", "competition", "cooperation"}
        for policy in one[key].values():
            assert set(policy) == {"small-world", "random"}
            for cell in policy.values():
                for metric in ("final_mean_contribution", "welfare", "gini", "multiplier"):
                    lo, hi = cell[metric]["ci"]
                    assert lo <= cell[metric]["estimate"] <= hi
        assert one[key] == two[key]
    assert one["trajectories"] == two["trajectories"]
    money = one["money"]["payoff-learning"]
    assert money["competition"]["random"] == pytest.approx(2.0)
    assert money["cooperation"]["random"] == pytest.approx(2.0)
    assert one["reading"] and one["ranking"]


def test_experiment_tasks_do_not_change_the_results(capsys, monkeypatch):
    """Every policy of a chunk of worlds in one task, each world's network built once: the
    same results whatever the chunk, and each cell the same as its worlds played alone."""
    from experiments import policies as experiment

    runs = []
    for chunk in (1, 2, 5):
        monkeypatch.setattr(experiment, "WORLDS_PER_TASK", chunk)
        assert main([*TINY, "--json", "--workers", "1", "--seed", "5"]) == 0
        run = json.loads(capsys.readouterr().out)
        run.pop("seconds")
        runs.append(run)
    assert runs[0] == runs[1] == runs[2]
    params = experiment.EXPERIMENT.read_parameters()
    options = experiment.EXPERIMENT.fill(params, {"replicates": 3, "n": 40, "rounds": 4,
                                                  "policies": "competition,cooperation",
                                                  "networks": "random", "seed": 5})
    settings = experiment.settings(params, options)
    task = experiment.cells(settings, 5)[0]
    task_cells, seeds, extra = task
    for cell, result in zip(task_cells, experiment.run_cell(task), strict=True):
        alone = [experiment.paired_replicate(cell.config, world, choice, extra)
                 for world, choice in seeds]
        for key in ("welfare", "gini", "multiplier", "money"):
            np.testing.assert_array_equal(result[key], [r[key] for r in alone])
        np.testing.assert_array_equal(result["trajectory"], [r["trajectory"] for r in alone])


def test_experiment_out_writes_report_and_figures(capsys, tmp_path):
    out = tmp_path / "report"
    assert main([*TINY, "--replicates", "2", "--workers", "1", "--out", str(out)]) == 0
    assert "Reading:" in capsys.readouterr().out
    assert {p.name for p in out.iterdir()} == {"report.md", "results.json",
                                               "trajectories.png", "metrics.png"}
    assert "## Reading" in (out / "report.md").read_text()


@pytest.mark.parametrize(("extra", "mentions"), [
    (["--policies", "baseline,lottery"], "unknown --policies 'lottery'"),
    (["--networks", "lattice"], "unknown --networks 'lattice'"),
    (["--replicates", "0"], "--replicates"),
])
def test_experiment_bad_input_exit_2(capsys, tmp_path, extra, mentions):
    out = tmp_path / "never"
    assert main(["experiment", "policies", "--n", "40", "--rounds", "3", "--out", str(out),
                 *extra]) == 2
    captured = capsys.readouterr()
    assert mentions in captured.err and len(captured.err.splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(("entry", "mentions"), [
    ("replicates = 'x'", "[experiment] replicates must be an integer >= 1"),
    ("extra = 'x'", "[experiment] extra must be a number > 0"),
])
def test_experiment_bad_parameter_file_entry_is_one_line(capsys, tmp_path, entry, mentions):
    source = Path(__file__).resolve().parents[1] / "experiments" / "policies.toml"
    text = source.read_text(encoding="utf-8")
    key = entry.split(" = ")[0]
    lines = [entry if line.startswith(f"{key} ") else line for line in text.splitlines()]
    params = tmp_path / "p.toml"
    params.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "never"
    assert main(["experiment", "policies", "--params", str(params), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert mentions in captured.err and len(captured.err.splitlines()) == 1
    assert not out.exists()


# ------------------------------------------------------------ policies in compiled code
COMPILED_CASES = [
    ({}, "competition"), ({}, "cooperation"), ({}, "punishment"), ({}, "growing-resources"),
    ({"envelope_budget": 2.0}, "envelope"), ({}, "cooperation+punishment"),
    ({"competition_rank": "contribution", "competition_top_share": 0.0},
     "competition+punishment+envelope"),
    ({"cooperation_reward": "match", "strategies": "binary"}, "cooperation"),
    ({"policy_scope": "teams", "network": "silos", "team_size": 12}, "competition"),
    ({"update": "asynchronous"}, "punishment+growing-resources"),
]


def _hook_state(sim: Simulation) -> list:
    state = []
    for hook in sim.hooks:
        if not hasattr(hook, "ledger"):  # the do-nothing hook
            continue
        state.append(list(hook.ledger))
        for name in ("pressure", "given", "received", "fines", "_prize", "_reward"):
            if hasattr(hook, name):
                state.append(getattr(hook, name).tolist())
        for name in ("participation", "factor", "remaining"):
            if hasattr(hook, name):
                state.append(getattr(hook, name))
    return state


def _same_runs(a: Simulation, b: Simulation) -> None:
    ha, hb = a.history(), b.history()
    for metric in ("mean_contribution", "welfare", "gini", "cooperators"):
        np.testing.assert_array_equal(getattr(ha, metric), getattr(hb, metric), err_msg=metric)
    np.testing.assert_array_equal(a.contribution, b.contribution)
    np.testing.assert_array_equal(a.payoff, b.payoff)
    np.testing.assert_array_equal(a.belief, b.belief)
    assert _hook_state(a) == _hook_state(b)


@pytest.mark.parametrize("rule", ["human", "fermi", "proportional"])
@pytest.mark.parametrize(("changes", "policy"), COMPILED_CASES)
def test_compiled_policies_play_what_the_hooks_play(rule, changes, policy):
    """The policies written as kernels play a whole run, or each step, in one compiled call:
    the same histories, payoffs, ledgers and institution states, bit for bit, as the same
    policies played through their Python hooks (a do-nothing hook keeps a run there)."""
    from sim.hooks import RoundHook

    config = SimulationConfig(**{**SMALL, "rounds": 8, **changes}, policy=policy, rule=rule)
    python = Simulation(config, seed=21, hooks=[RoundHook()], record_agents=True)
    assert not python.compiled
    python.run()
    whole = Simulation(config, seed=21, record_agents=True)
    assert whole.compiled and whole._policies is not None
    whole.run()
    stepped = Simulation(config, seed=21)
    stepped.step()
    stepped.step(next_contributions=stepped.contribution)  # a round without the rule
    for _ in range(3):
        stepped.step()
    stepped.run()
    python_stepped = Simulation(config, seed=21, hooks=[RoundHook()])
    python_stepped.step()
    python_stepped.step(next_contributions=python_stepped.contribution)
    python_stepped.run()
    _same_runs(whole, python)
    np.testing.assert_array_equal(whole.history().contributions,
                                  python.history().contributions)
    _same_runs(stepped, python_stepped)


def test_trace_is_every_round_of_every_agent():
    """``trace()`` plays the rounds as ``run()`` does and returns what each step would show:
    compiled (with or without policies) and round by round alike."""
    from sim.hooks import RoundHook

    for policy in ("baseline", "punishment"):
        config = SimulationConfig(**SMALL, policy=policy, rule="human")
        traced = Simulation(config, seed=4)
        traced.step()
        given, earned = traced.trace()
        slow = Simulation(config, seed=4, hooks=[RoundHook()])
        slow.step()
        slow_given, slow_earned = slow.trace()
        stepped = Simulation(config, seed=4, hooks=[RoundHook()])
        stepped.step()
        for t in range(config.rounds - 1):
            stepped.step()
            np.testing.assert_array_equal(given[t], stepped.contribution)
            np.testing.assert_array_equal(earned[t], stepped.payoff)
        np.testing.assert_array_equal(given, slow_given)
        np.testing.assert_array_equal(earned, slow_earned)
        _same_runs(traced, stepped)
        assert given.shape == (config.rounds - 1, traced.n)


def test_a_policy_subclass_goes_through_its_python_hook():
    from sim.policies.money import Competition

    class Loud(Competition):
        def after_play(self, sim):
            super().after_play(sim)
            sim.payoff += 1.0

    config = SimulationConfig(**SMALL, policy="baseline")
    sim = Simulation(config, seed=3, hooks=[Loud(config.replace(policy="competition"))])
    assert sim._policies is None and not sim.compiled
    base = Simulation(config, seed=3).run()
    assert sim.run().welfare[0] > base.welfare[0]
