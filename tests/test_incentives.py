"""The out-of-sample incentive checks of the human-like people (experiments/
validation_incentives.py): the conditions differ where they should, and the claims are judged
from the intervals."""

from __future__ import annotations

import pytest

from experiments import validation_incentives as inc
from sim.config import ConfigError

WORLD = dict(n=80, network="small-world", groups="partition", group_size=4, rounds=20,
             mpcr=0.4, policy_budget=2.0)


def serial(function, tasks):
    return [function(task) for task in tasks]


def test_claims_run_and_respond_to_incentives():
    rows = {r["claim"]: r for r in inc.run_claims(WORLD, 4, 1, 10, serial)}
    assert set(rows) == set(inc.CLAIMS)
    for row in rows.values():
        lo, hi = row["ci"]
        assert lo <= row["difference"] <= hi
        assert row["met"] == inc.judge(row["direction"], row["ci"])
    # people who learn from their earnings give more when contributions are matched, and
    # less over the rounds without any institution (the learning's two faces)
    assert rows["matching"]["met"] and rows["matching"]["difference"] > 0
    assert rows["rand2009_decline"]["met"]
    # the same worlds and seeds: reproducible to the bit
    again = {r["claim"]: r for r in inc.run_claims(WORLD, 4, 1, 10, serial)}
    assert again["matching"]["difference"] == rows["matching"]["difference"]


def test_judge_directions():
    assert inc.judge("above", (0.1, 0.2)) and not inc.judge("above", (-0.1, 0.2))
    assert inc.judge("below", (-0.2, -0.1)) and not inc.judge("below", (-0.2, 0.1))
    assert inc.judge("not above", (-0.1, 0.2)) and not inc.judge("not above", (0.1, 0.2))
    assert inc.judge("not below", (-0.1, 0.2)) and not inc.judge("not below", (-0.3, -0.2))


def test_bad_world_is_one_line():
    with pytest.raises(ConfigError, match="--group-size"):
        inc.configs(dict(WORLD, group_size=0))
