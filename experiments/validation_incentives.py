"""Out-of-sample checks of the human-like people: how they respond to incentives.

None of these laboratory findings was used to calibrate the behaviour (experiments/
calibration.toml fits Fehr & Gächter 2002 and Fowler & Christakis 2010 only). Each is tested
as the direction its source states, on the engine with the default (calibrated) ``human``
rule: fixed groups of four (the partner design) unless the table says otherwise, every
condition played on the same worlds and seeds, the difference between two conditions taken
world by world, with a 95% t interval over the worlds. A claim is met when its interval lies
on the stated side of 0 ("no significant change": when it contains 0).

The claims and where they are read (the abstracts; no figure of the papers is used):

- Rand, Dreber, Ellingsen, Fudenberg & Nowak 2009 (Science 325:1272, abstract): "reward is
  as effective as punishment for maintaining public cooperation and leads to higher total
  earnings". Tested: mean contribution over the rounds under reward not below punishment's;
  mean earnings under reward above punishment's; without either, contributions fall from the
  first round to the last. The peer-reward stage is a modelling choice (sim/policies/reward.py).
- Intergroup competition raises contributions inside groups (Puurtinen & Mappes 2009, Proc R
  Soc B 276:355; Burton-Chellew, Ross-Gillespie & West 2010, Evol Hum Behav 31:104; Reuben &
  Tyran 2010, Eur J Polit Econ 26:25): ``group-contest`` against no policy.
- Rank-order prizes inside a team do not raise contributions (Irlenbusch & Ruchala 2008,
  Labour Economics 15:141): a winner-take-all prize for the highest contributor of each group
  against no policy; met when the difference is not significantly above 0.
- Subsidies that match contributions raise them (Falkinger, Fehr, Gächter & Winter-Ebmer 2000,
  AER 90:247): the budget paid in proportion to one's own contribution against no policy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.stats import mean_ci
from sim.config import SimulationConfig
from sim.seeds import child_seed
from sim.simulation import Simulation

#: claim -> (source, condition A, condition B, measure, direction, what is claimed)
#: directions: "above" (A - B > 0), "not below" (A - B >= 0 within the CI), "not above",
#: "none" (the CI contains 0)
CLAIMS: dict[str, tuple[str, str, str, str, str, str]] = {
    "rand2009_decline": (
        "Rand et al. 2009", "baseline", "baseline", "last_minus_first", "below",
        "without reward or punishment, contributions fall from the first round to the last"),
    "rand2009_reward_vs_punishment": (
        "Rand et al. 2009", "reward", "punishment", "mean_contribution", "not below",
        "reward is as effective as punishment for maintaining cooperation"),
    "rand2009_earnings": (
        "Rand et al. 2009", "reward", "punishment", "mean_welfare", "above",
        "reward leads to higher total earnings than punishment"),
    "intergroup_competition": (
        "Puurtinen & Mappes 2009; Burton-Chellew et al. 2010; Reuben & Tyran 2010",
        "group-contest", "baseline", "mean_contribution", "above",
        "competition between groups raises contributions inside them"),
    "rank_prize": (
        "Irlenbusch & Ruchala 2008", "rank-prize", "baseline", "mean_contribution",
        "not above", "a rank-order prize inside the team does not raise contributions"),
    "matching": (
        "Falkinger et al. 2000", "matching", "baseline", "mean_contribution", "above",
        "subsidising contributions in proportion to them raises them"),
}

#: the world's settings a parameter table gives (``[incentives]`` of validation.toml)
WORLD_KEYS = ("n", "network", "groups", "group_size", "rounds", "mpcr", "policy_budget")

#: condition -> engine settings beyond the world's
CONDITIONS: dict[str, dict[str, Any]] = {
    "baseline": {"policy": "baseline"},
    "reward": {"policy": "reward"},
    "punishment": {"policy": "punishment"},
    "group-contest": {"policy": "group-contest"},
    "rank-prize": {"policy": "competition", "competition_rank": "contribution",
                   "competition_top_share": 0.0},
    "matching": {"policy": "cooperation", "cooperation_reward": "match"},
}


def world_of(table: dict[str, Any]) -> dict[str, Any]:
    """The world's settings (:data:`WORLD_KEYS`) out of a parameter table."""
    return {key: table[key] for key in WORLD_KEYS}


def configs(world: dict[str, Any]) -> dict[str, SimulationConfig]:
    """Every condition's validated settings (a bad world is one ``ConfigError`` line)."""
    return {name: SimulationConfig.from_dict({**world, **extra})
            for name, extra in CONDITIONS.items()}


def play(task: tuple[SimulationConfig, Any]) -> dict[str, float]:
    """One world under one condition: the measures the claims compare."""
    config, seed = task
    h = Simulation(config, seed).run()
    return {"mean_contribution": float(h.mean_contribution.mean()),
            "mean_welfare": float(h.welfare.mean()),
            "last_minus_first": float(h.mean_contribution[-1] - h.mean_contribution[0])}


def judge(direction: str, ci: tuple[float, float]) -> bool:
    """Whether a difference's 95% interval supports the claimed direction."""
    lo, hi = ci
    return {"above": lo > 0, "below": hi < 0, "not below": hi >= 0, "not above": lo <= 0,
            "none": lo <= 0 <= hi}[direction]


def run_claims(world: dict[str, Any], worlds: int, seed: Any, key: int,
               mapper) -> list[dict[str, Any]]:
    """Play every condition on ``worlds`` shared worlds and test every claim.

    ``mapper(function, tasks)`` runs the tasks (serially or on workers); world w of every
    condition has the seed ``child_seed(seed, key, w)``. Returns one dict per claim: claim,
    source, statement, the two conditions, the mean difference, its 95% CI and whether met.
    """
    cells = configs(world)
    names = list(cells)
    tasks = [(cells[c], child_seed(seed, key, w)) for c in names for w in range(worlds)]
    results = iter(mapper(play, tasks))
    measured = {c: [next(results) for _ in range(worlds)] for c in names}
    rows = []
    for claim, (source, a, b, measure, direction, statement) in CLAIMS.items():
        if a == b:
            diffs = np.array([r[measure] for r in measured[a]])
        else:
            diffs = np.array([ra[measure] - rb[measure]
                              for ra, rb in zip(measured[a], measured[b], strict=True)])
        estimate, lo, hi = mean_ci(diffs)
        ci = (float(lo), float(hi))
        rows.append({"claim": claim, "source": source, "statement": statement,
                     "conditions": f"{a} - {b}" if a != b else a, "measure": measure,
                     "direction": direction, "difference": float(estimate), "ci": ci,
                     "worlds": worlds, "met": judge(direction, ci)})
    return rows
