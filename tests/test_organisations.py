"""The two-level game (docs/science.md section 8): the one-level reductions bit for bit, the
kernels against their plain-Python twins, the engine replayed with the twins, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import reference_nested as rn

from cli.main import main
from sim import Simulation, SimulationConfig
from sim.behaviour import split as ks
from sim.groups import Groups
from sim.kernels import games, nested
from sim.params import ConfigError

TIGHT = dict(rtol=1e-12, atol=1e-12)
WORLD = dict(n=60, rounds=6, network="silos", team_size=12, degree=5, bridging=0.3)


def two_level(**changes) -> SimulationConfig:
    return SimulationConfig(**{**WORLD, "mpcr_local": 0.4, "mpcr_system": 0.3, **changes})


# ------------------------------------------------------------------- one level, bit for bit
def _one_level_on_organisations(config: SimulationConfig, seed: int) -> Simulation:
    """Today's one-level engine with the organisations as its groups (fixed groups of the
    silos teams; the game is played by the same kernels as every one-level run)."""
    one = Simulation(config, seed=seed)
    one.groups = Groups.from_members(one.n, *nested.organisation_lists(one.graph.team))
    one._set_group_arrays()
    return one


@pytest.mark.parametrize("rule", ["human", "conditional"])
@pytest.mark.parametrize("policy", ["baseline", "punishment", "competition"])
def test_system_level_off_is_the_one_level_game_bit_for_bit(rule, policy):
    config = two_level(mpcr_system=0.0, rule=rule, policy=policy, policy_scope="teams")
    two = Simulation(config, seed=11)
    one = _one_level_on_organisations(
        config.replace(mpcr_local=None, mpcr_system=None, mpcr=0.4), seed=11)
    for _ in range(config.rounds):
        two.step()
        one.step()
        assert np.array_equal(two.contribution, one.contribution)
        assert np.array_equal(two.payoff, one.payoff)
        assert np.array_equal(two.belief, one.belief)
        assert np.array_equal(two.propensity, one.propensity)
        assert not two.system_given.any()
    a, b = two.history(), one.history()
    for metric in ("mean_contribution", "welfare", "gini", "cooperators"):
        assert np.array_equal(getattr(a, metric), getattr(b, metric)), metric
    assert np.array_equal(two.levels()["local"], a.mean_contribution)


def test_local_level_off_with_one_pool_is_the_one_group_game_bit_for_bit(rng):
    """With every MU in one system pool for everyone, the nested payoff is the one-level
    payoff of a single group of everyone (same kernels' arithmetic, in the same order)."""
    n, e, m = 30, 20.0, 0.05
    x = rng.uniform(0, e, n)
    team = np.repeat(np.arange(3), 10)
    ptr, members = nested.organisation_lists(team)
    local, system = np.empty(n), np.empty(n)
    nested.split_given(x, np.ones(n), local, system)
    org = Groups.from_members(n, ptr, members)
    payout = np.empty(org.n_groups)
    games.group_payouts(local, np.empty(0), np.zeros(org.n_groups), org.group_ptr, org.members,
                        np.empty(n), payout, np.empty(0))
    payoff = np.empty(n)
    games.payoffs(x, np.ones(n), e, payout, org.agent_ptr, org.agent_groups, payoff)
    sums, paid = np.empty(n), np.empty(n)
    nested.system_sums(system, nested.EVERYONE, np.zeros(1, np.int64), np.zeros(0, np.int64),
                       sums)
    nested.add_system_returns(payoff, m, sums, paid)
    everyone = Groups.from_order(np.arange(n), n)
    one_payout, one_payoff = np.empty(1), np.empty(n)
    games.group_payouts(x, np.empty(0), np.array([m]), everyone.group_ptr, everyone.members,
                        np.empty(n), one_payout, np.empty(0))
    games.payoffs(x, np.ones(n), e, one_payout, everyone.agent_ptr, everyone.agent_groups,
                  one_payoff)
    assert np.array_equal(payoff, one_payoff)


# ------------------------------------------------------------------------ kernels and twins
def test_structures_match_their_twins(rng):
    sim = Simulation(two_level(), seed=3)
    team = sim.graph.team
    ptr, members = nested.organisation_lists(team)
    assert (ptr.tolist(), members.tolist()) == rn.organisation_lists(team)
    cptr, cidx = nested.cross_contacts(sim.graph.indptr, sim.graph.indices, team)
    assert (cptr.tolist(), cidx.tolist()) == rn.cross_contacts(sim.graph.indptr,
                                                              sim.graph.indices, team)
    assert len(cidx) > 0 and all(team[j] != team[i] for i in range(sim.n)
                                 for j in cidx[cptr[i]:cptr[i + 1]])


@pytest.mark.parametrize(("pool", "between"), [("contacts", "none"), ("everyone", "none"),
                                               ("contacts", "pooled-budgets")])
def test_engine_replayed_with_twins(pool, between):
    config = two_level(system_pool=pool, mpcr_system=0.1 if pool == "everyone" else 0.3,
                       rounds=5, organisation_policy=between)
    s = Simulation(config, seed=5)
    mode = nested.EVERYONE if pool == "everyone" else nested.CONTACTS
    org_ptr, org_members = rn.organisation_lists(s.graph.team)
    cptr, cidx = rn.cross_contacts(s.graph.indptr, s.graph.indices, s.graph.team)
    c = config
    for t in range(config.rounds):
        before = None
        if t > 0:
            before = [a.copy() for a in (s.system_share, s.split_propensity, s.belief_local,
                                         s.belief_system, s.local_given, s.system_given,
                                         s.system_sum, s.system_paid, s.payout,
                                         s.credit_local, s.credit_system)]
        s.step()
        payoff, payout, sums, paid = rn.two_level_payoffs(
            s.contribution, s.system_share, c.endowment, c.mpcr_local, c.mpcr_system, org_ptr,
            org_members, mode, cptr, cidx)
        paid = [h._reward for h in s.hooks if h.name == between]
        np.testing.assert_allclose(s.payoff, np.add(payoff, paid[0]) if paid else payoff,
                                   **TIGHT)
        np.testing.assert_allclose(s.system_sum, sums, **TIGHT)
        local, system = rn.split_given(s.contribution, s.system_share)
        np.testing.assert_allclose(s.local_given, local, **TIGHT)
        np.testing.assert_allclose(s.system_given, system, **TIGHT)
        assert np.all(s.local_given >= 0) and np.all(s.system_given >= 0)
        np.testing.assert_allclose(s.local_given + s.system_given, s.contribution, **TIGHT)
        if before is None:
            continue
        share, q, bl, bg, lg, sg, ssum, spaid, pay, cl, cs = before
        local_raw = [sum(lg[m] for m in org_members[org_ptr[k]:org_ptr[k + 1]])
                     for k in range(len(org_ptr) - 1)]
        seen_l = [(local_raw[s.organisation[i]] - lg[i]) / (org_ptr[s.organisation[i] + 1]
                                                             - org_ptr[s.organisation[i]] - 1)
                  for i in range(s.n)]
        seen_g = rn.system_partners_means(sg, ssum, mode, cptr)
        net_l, net_g = rn.account_nets(lg, sg, pay, s.organisation, spaid, cl, cs)
        for i in range(s.n):
            want = rn.split_decision(share[i], q[i], bl[i], bg[i], seen_l[i], seen_g[i],
                                     net_l[i], net_g[i], c.belief_weight, c.payoff_weight,
                                     c.split_sensitivity, c.endowment, True, True)
            got = (s.system_share[i], s.split_propensity[i], s.belief_local[i],
                   s.belief_system[i])
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert s.levels()["system"][-1] > 0


def test_split_kernel_edge_cases_match_twin():
    args = (0.3, 0.6, 5.0, 0.0, np.nan, np.nan, 2.0, 7.0, 0.3, 0.7, 4.0, 20.0)
    for local_on, system_on in ((True, True), (True, False), (False, True)):
        got = ks.split_decision(*args, local_on, system_on)
        want = rn.split_decision(*args, local_on, system_on)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert ks.split_decision(*args, True, False)[0] == 0.0
    assert ks.split_decision(*args, False, True)[0] == 1.0
    # nothing believed given at either level: the split stays social-free (its own share)
    both_zero = (0.3, 0.6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.0, 4.0, 20.0)
    assert ks.split_decision(*both_zero, True, True)[0] == pytest.approx(0.3)
    # no system partner to see: the system's pool is not offered; no team-mate: the local one
    alone = (0.3, 0.6, 5.0, 5.0, 2.0, np.nan, 0.0, 0.0, 0.3, 0.0, 4.0, 20.0)
    assert ks.split_decision(*alone, True, True)[0] == 0.0 == rn.split_decision(*alone, True,
                                                                                True)[0]
    no_team = (0.3, 0.6, 5.0, 5.0, np.nan, 2.0, 0.0, 0.0, 0.3, 0.0, 4.0, 20.0)
    assert ks.split_decision(*no_team, True, True)[0] == 1.0 == rn.split_decision(
        *no_team, True, True)[0]


def test_isolated_organisations_give_nothing_to_a_system_they_cannot_reach():
    """Silos without bridges under system_pool contacts: nobody has a system partner, so the
    system's pool is never offered and every MU given goes to the organisation's pool."""
    s = Simulation(two_level(bridging=0.0, rounds=6, system_pool="contacts"), seed=4)
    s.run()
    assert s.levels()["system"].sum() == 0.0
    assert s.levels()["local"].sum() > 0.0


def test_a_richer_system_account_draws_more_giving_to_it():
    """Learning from what each account paid: a higher system return moves the split."""
    low = Simulation(two_level(mpcr_system=0.1, rounds=15, split_sensitivity=4.0), seed=2)
    high = Simulation(two_level(mpcr_system=0.6, rounds=15, split_sensitivity=4.0), seed=2)
    low.run(), high.run()
    assert high.levels()["system"][-5:].mean() > low.levels()["system"][-5:].mean()


def test_a_one_level_run_has_no_levels():
    with pytest.raises(ValueError, match="no levels"):
        Simulation(SimulationConfig(n=20, rounds=2), seed=1).levels()


# ------------------------------------------------------------------------------ bad input
BAD = [
    (["--mpcr-local", "0.4"], "--mpcr-local needs --mpcr-system"),
    (["--system-pool", "everyone"], "--system-pool needs --mpcr-system"),
    (["--system-pool", "world"], "--system-pool"),
    (["--mpcr-system", "1.5"], "--mpcr-system"),
    (["--mpcr-system", "-0.1"], "--mpcr-system"),
    (["--mpcr-system", "0.2", "--mpcr", "0.3"], "drop --mpcr"),
    (["--mpcr-system", "0", "--mpcr-local", "0"], "cannot both be 0"),
    (["--mpcr-system", "0.2", "--network", "random-regular"], "network with teams"),
    (["--mpcr-system", "0.2", "--groups", "partition"], "--groups partition"),
    (["--mpcr-system", "0.2", "--rule", "fermi"], "--rule fermi"),
    (["--mpcr-system", "0.2", "--update", "asynchronous"], "--update"),
    (["--mpcr-system", "0.2", "--weaving", "0.1"], "--weaving"),
    (["--mpcr-system", "0.2", "--policy", "envelope"], "--policy envelope"),
    (["--mpcr-system", "0.2", "--system-share", "2"], "--system-share"),
    (["--mpcr-system", "0.2", "--split-sensitivity", "-1"], "--split-sensitivity"),
]


@pytest.mark.parametrize(("argv", "mentions"), BAD)
def test_bad_two_level_input_is_one_line_and_status_2(capsys, argv, mentions):
    base = ["--n", "40", "--rounds", "2", "--network", "silos", "--team-size", "10"]
    if "--network" in argv:
        base = ["--n", "40", "--rounds", "2"]
    status = main(["run", *base, *argv])
    captured = capsys.readouterr()
    assert status == 2, captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cascade: error: "), captured.err
    assert mentions in lines[0]


def test_a_file_network_without_teams_is_refused_once_read(tmp_path):
    path = tmp_path / "net.txt"
    path.write_text("0 1\n1 2\n2 3\n")
    config = SimulationConfig(network="edgelist", network_file=str(path), mpcr_system=0.2,
                              rounds=2)
    with pytest.raises(ConfigError, match="no team labels"):
        Simulation(config, seed=1)


# ------------------------------------------------------------ policies between organisations
ORG_POLICIES = ["league-table", "payment-by-results", "system-reward", "pooled-budgets"]


@pytest.mark.parametrize("name", ORG_POLICIES)
def test_each_policy_pays_the_same_budget_and_replays(name):
    config = two_level(organisation_policy=name, policy_budget=2.0, rounds=4)
    a, b = Simulation(config, seed=9), Simulation(config, seed=9)
    ha, hb = a.run(), b.run()
    assert np.array_equal(ha.welfare, hb.welfare)
    (hook,) = [h for h in a.hooks if h.name == name]
    np.testing.assert_allclose(hook.ledger, 2.0 * a.n, rtol=1e-12)
    assert hook.total == pytest.approx(2.0 * a.n * 4)


def _one_round(name: str, **changes) -> tuple[Simulation, np.ndarray]:
    """Play one round with and without the policy (same seed): what the policy paid each."""
    config = two_level(organisation_policy=name, rounds=1, **changes)
    paid = Simulation(config, seed=4)
    plain = Simulation(config.replace(organisation_policy="none"), seed=4)
    paid.step(), plain.step()
    return paid, paid.payoff - plain.payoff


def test_league_table_pays_the_best_organisations_by_output_per_member():
    sim, reward = _one_round("league-table", league_top_share=0.4)
    out = sim.payout  # m_L * local giving: the output per member of each organisation
    k = sim.groups.n_groups
    winners = np.argsort(-out, kind="stable")[: int(round(0.4 * k))]
    per_org = np.array([reward[sim.organisation == g].mean() for g in range(k)])
    assert np.all(per_org[winners] > 0)
    assert np.all(per_org[np.setdiff1d(np.arange(k), winners)] == 0)
    np.testing.assert_allclose(reward.sum(), sim.config.policy_budget * sim.n)


def test_payment_by_results_pays_in_proportion_to_each_pool_output():
    sim, reward = _one_round("payment-by-results")
    out = sim.payout * sim.groups.sizes
    paid = np.bincount(sim.organisation, weights=reward)
    np.testing.assert_allclose(paid / paid.sum(), out / out.sum(), rtol=1e-9)


def test_system_reward_pays_for_what_system_giving_produced():
    sim, reward = _one_round("system-reward")
    produced = np.bincount(sim.organisation, weights=sim.mpcr_system * sim.system_reach
                           * sim.system_given)
    paid = np.bincount(sim.organisation, weights=reward)
    np.testing.assert_allclose(paid / paid.sum(), produced / produced.sum(), rtol=1e-9)


def test_pooled_budgets_pay_partners_the_same_per_member():
    sim, reward = _one_round("pooled-budgets")
    k = sim.groups.n_groups
    per_org = np.array([reward[sim.organisation == g].mean() for g in range(k)])
    for m in range(0, k - 1, 2):
        assert per_org[m] == pytest.approx(per_org[m + 1])
    np.testing.assert_allclose(reward.sum(), sim.config.policy_budget * sim.n)


def test_an_organisation_policy_combines_with_punishment():
    config = two_level(organisation_policy="league-table", policy="punishment",
                       policy_scope="teams", rounds=3)
    sim = Simulation(config, seed=1)
    sim.run()
    assert [h.name for h in sim.hooks] == ["punishment", "league-table"]


@pytest.mark.parametrize(("argv", "mentions"), [
    (["--organisation-policy", "league-table"], "needs the two-level game"),
    (["--organisation-policy", "market"], "--organisation-policy"),
    (["--mpcr-system", "0.2", "--organisation-policy", "system-reward", "--policy",
      "competition"], "spend the same budget two ways"),
    (["--mpcr-system", "0.2", "--organisation-policy", "pooled-budgets", "--policy",
      "cooperation+punishment"], "spend the same budget two ways"),
    (["--mpcr-system", "0.2", "--league-top-share", "1.5"], "--league-top-share"),
])
def test_bad_organisation_policies_are_one_line(capsys, argv, mentions):
    status = main(["run", "--n", "40", "--rounds", "2", "--network", "silos", "--team-size",
                   "10", *argv])
    captured = capsys.readouterr()
    assert status == 2, captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1 and mentions in lines[0], captured.err


@pytest.mark.parametrize(("name", "account"), [("league-table", "local"),
                                               ("payment-by-results", "local"),
                                               ("system-reward", "system")])
def test_policy_money_is_credited_to_the_account_whose_output_it_pays(name, account):
    sim, reward = _one_round(name)
    credited = sim.credit_local if account == "local" else sim.credit_system
    other = sim.credit_system if account == "local" else sim.credit_local
    np.testing.assert_allclose(credited, reward, atol=1e-9)
    assert not other.any()


def test_pooled_budgets_credit_both_accounts_by_what_each_produced():
    sim, reward = _one_round("pooled-budgets")
    np.testing.assert_allclose(sim.credit_local + sim.credit_system, reward, atol=1e-9)
    assert sim.credit_local.sum() > 0 and sim.credit_system.sum() > 0


# ---------------------------------------------------------------- calibration and experiment
def test_the_split_default_is_the_stored_calibration():
    from experiments import calibrate_split
    from sim.behaviour.split import SPLIT_SENSITIVITY

    stored = calibrate_split.stored()["calibrated"]["split_sensitivity"]
    assert SPLIT_SENSITIVITY.default == stored
    assert SPLIT_SENSITIVITY.source.startswith("calibrated")


def test_calibration_reports_targets_side_by_side_with_sources():
    from experiments import calibrate_split

    result = {"results": {"0": calibrate_split.evaluate(0.0, sessions=3)}, "best": 0.0}
    text = calibrate_split.side_by_side(result)
    for key, source, _, _ in calibrate_split.ROWS:
        assert key in text and source in text
    assert set(result["results"]["0"]["met"]) == {k for k, *_ in calibrate_split.ROWS}


def _tiny_params():
    from experiments.organisations import EXPERIMENT

    params = EXPERIMENT.read_parameters()
    params["world"].update(n=40, rounds=4, team_size=10, degree=4)
    params["grid"]["policies"] = ["none", "league-table", "system-reward+punishment"]
    params["grid"]["ratios"] = [0.5, 2.0]
    params["structures"] = {"silos-bridged": {"graph": "silos", "bridging": 0.2},
                            "scale-free": {"graph": "scale-free", "bridging": 0.2}}
    return EXPERIMENT, params


def test_organisations_experiment_end_to_end(tmp_path):
    experiment, params = _tiny_params()
    run = experiment.play(params, seed=3, replicates=2)
    cell = run["cells"]["league-table"]["scale-free"]["2"]
    assert set(cell) == {"local", "system", "system_share", "welfare", "gini_between",
                         "gini_within"}
    for metric in cell.values():
        lo, hi = metric["ci"]
        assert lo <= metric["estimate"] <= hi
    assert set(run["differences"]) == {"league-table", "system-reward+punishment"}
    assert len(run["reading"]) == 2 and all("welfare" in line for line in run["reading"])
    again = experiment.play(params, seed=3, replicates=2)
    assert again["cells"] == run["cells"]
    from experiments.reports import organisations as report

    assert "league-table" in report.table_text(run)
    report.write(run, tmp_path)
    assert (tmp_path / "system_share.png").stat().st_size > 0
    assert "| policy |" in (tmp_path / "report.md").read_text()


def test_organisation_graphs_keep_their_organisations():
    import numpy as np

    from experiments.organisations import organisation_graph

    for kind in ("small-world", "scale-free"):
        g = organisation_graph(kind, 100, 10, 6, 0.2, np.random.default_rng(1))
        assert g.n == 100 and g.team.max() == 9
        rows = np.repeat(np.arange(g.n), np.diff(g.indptr))
        cross = g.team[rows] != g.team[g.indices]
        assert 0.05 < cross.mean() < 0.4


@pytest.mark.parametrize(("change", "mentions"), [
    (lambda p: p["grid"].update(policies=["league-table"]), "must include 'none'"),
    (lambda p: p["grid"].update(ratios=[-1]), "ratios"),
    (lambda p: p["structures"].update(bad={"graph": "ring", "bridging": 0.1}), "[structures]"),
    (lambda p: p["structures"].update(bad={"graph": "silos", "bridging": 2}), "bridging"),
    (lambda p: p["grid"].update(policies=["none", "market"]), "market"),
])
def test_organisations_experiment_refuses_bad_parameters(change, mentions):
    experiment, params = _tiny_params()
    change(params)
    with pytest.raises(ConfigError, match=None) as info:
        experiment.play(params, seed=1, replicates=1)
    assert mentions in str(info.value) and "\n" not in str(info.value)


def test_organisations_experiment_bad_option_is_status_2(capsys):
    assert main(["experiment", "organisations", "--replicates", "0"]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
