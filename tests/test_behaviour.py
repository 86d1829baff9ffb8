"""The human-like behaviour (sim/behaviour/): every kernel against its plain-Python twin in
``tests/reference_behaviour.py`` over many random inputs and the edge cases, properties the
model needs (docs/science.md section 3), and the parameters: defaults equal to the calibration
file, each with a source and a range that is enforced."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
import reference as ref
import reference_behaviour as rb

from cli.main import main
from sim import SimulationConfig
from sim import rng as krandom
from sim.behaviour import kernels as bk
from sim.behaviour.parameters import (
    BEHAVIOUR_PARAMETERS,
    CALIBRATED,
    HUMAN_LIKE,
    RESTART,
    SANCTIONS,
    Behaviour,
)
from sim.lab import kernels as lk
from sim.params import ConfigError

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT / "experiments" / "calibration.toml"
TRIALS = 2000
#: libm's tanh/exp may differ by an ulp between Numba and Python; results of the learning
#: steps lie in [-1, 1] or [0, 1], so a few ulps of 1 is "to the last bit" up to that
UNIT_ULPS = 4 * 2.0**-52


def random_key(rng: np.random.Generator) -> np.uint64:
    return np.uint64(int(rng.integers(0, 2**64, dtype=np.uint64)))


def same(got: float, want: float) -> None:
    """Bit for bit, NaN included."""
    assert (math.isnan(got) and math.isnan(want)) or got == want, (got, want)


def within_ulps(got: float, want: float, scale: float = 1.0) -> None:
    assert abs(got - want) <= UNIT_ULPS * max(1.0, abs(scale)), (got, want)


def pick(rng: np.random.Generator, low: float, high: float, *edges: float) -> float:
    """A uniform draw in [low, high) or one of the ``edges``, each as likely."""
    k = int(rng.integers(len(edges) + 1))
    return float(edges[k]) if k < len(edges) else float(rng.uniform(low, high))


def endowment(rng):
    return pick(rng, 0.5, 50.0, 1.0, 10.0, 20.0)


def share(rng):
    return pick(rng, 0.0, 1.0, 0.0, 1.0)


# ----------------------------------------------------------------------------- constants


def test_type_codes_names_and_streams_match_the_twin():
    for name in ("CONDITIONAL_COOPERATOR", "FREE_RIDER", "HUMP_SHAPED", "OTHER",
                 "COOPERATION_THRESHOLD", "STREAM_PUNISH", "STREAM_REWARD"):
        assert getattr(bk, name) == getattr(rb, name), name
    assert bk.TYPE_NAMES == rb.TYPE_NAMES
    assert sorted(bk.TYPE_NAMES) == [0, 1, 2, 3]
    assert len(set(bk.TYPE_NAMES.values())) == 4
    # the peer stages' streams are their own: not the engine's, not the laboratory's others
    engine = {getattr(krandom, n) for n in dir(krandom) if n.startswith("STREAM_")}
    lab = {getattr(lk, n) for n in dir(lk) if n.startswith("STREAM_")}
    assert bk.STREAM_PUNISH != bk.STREAM_REWARD
    assert not {bk.STREAM_PUNISH, bk.STREAM_REWARD} & (engine | lab)


# -------------------------------------------------------------------------- the kernels


def test_updated_belief_matches_twin(rng):
    for _ in range(TRIALS):
        e = endowment(rng)
        belief = pick(rng, 0, e, 0.0, e)
        observed = pick(rng, 0, e, math.nan, 0.0, e)
        weight = share(rng)
        got = bk.updated_belief(belief, observed, weight)
        same(got, rb.updated_belief(belief, observed, weight))
        if math.isnan(observed):  # no co-players: unchanged
            assert got == belief
        else:  # between the old belief and what was seen
            assert min(belief, observed) - 1e-12 * e <= got <= max(belief, observed) + 1e-12 * e
    assert bk.updated_belief(4.0, 10.0, 1.0) == 10.0
    assert bk.updated_belief(4.0, 10.0, 0.0) == 4.0
    assert bk.updated_belief(4.0, 10.0, 0.25) == 5.5


def test_social_target_matches_twin(rng):
    for _ in range(TRIALS):
        e = endowment(rng)
        kind = int(rng.integers(0, 4))
        slope = pick(rng, 0, 2, 0.0, 1.0)
        base = pick(rng, 0, e, 0.0, e)
        belief = pick(rng, 0, e, 0.0, e / 2, e)
        got = bk.social_target(kind, slope, base, belief, e)
        same(got, rb.social_target(kind, slope, base, belief, e))
    e = 20.0
    assert bk.social_target(bk.CONDITIONAL_COOPERATOR, 0.8, 3.0, 10.0, e) == 8.0
    assert bk.social_target(bk.FREE_RIDER, 0.8, 3.0, 10.0, e) == 0.0
    assert bk.social_target(bk.OTHER, 0.8, 3.0, 10.0, e) == 3.0
    # hump-shaped: rises to E/2, then falls symmetrically
    hump = [bk.social_target(bk.HUMP_SHAPED, 1.0, 0.0, b, e) for b in (0.0, 5.0, 10.0, 15.0, 20.0)]
    assert hump == [0.0, 5.0, 10.0, 5.0, 0.0]
    # conditional cooperators give more the more they expect
    values = [bk.social_target(bk.CONDITIONAL_COOPERATOR, 0.7, 0.0, b, e) for b in range(21)]
    assert values == sorted(values)


def test_stimulus_matches_twin(rng):
    for _ in range(TRIALS):
        advantage = pick(rng, -3, 3, 0.0, -1.0, 1.0)
        aspiration = pick(rng, -1, 1, 0.0, advantage)
        sensitivity = pick(rng, 0, 50, 0.0, 5.0, 50.0)
        got = bk.stimulus(advantage, aspiration, sensitivity)
        within_ulps(got, rb.stimulus(advantage, aspiration, sensitivity))
        assert -1.0 <= got <= 1.0
        # satisfied above the aspiration, dissatisfied below, indifferent at it
        gap = advantage - aspiration
        if sensitivity == 0.0 or gap == 0.0:
            assert got == 0.0
        else:
            assert np.sign(got) == np.sign(gap)
    assert bk.stimulus(0.5, 0.0, 1.0) == pytest.approx(math.tanh(0.5), abs=1e-16)


def test_reinforce_matches_twin(rng):
    cases = [(p, s, c) for p in (0.0, 1.0, 0.5) for s in (0.0, -0.0, 1.0, -1.0, 0.3, -0.3)
             for c in (False, True)]
    for _ in range(TRIALS):
        cases.append((share(rng), pick(rng, -1, 1, 0.0),
                      bool(rng.integers(2))))
    for p, s, cooperated in cases:
        got = bk.reinforce(p, s, cooperated)
        same(got, rb.reinforce(p, s, cooperated))
        # a propensity stays a probability
        assert 0.0 <= got <= 1.0, (p, s, cooperated)
        if s == 0.0:  # indifference teaches nothing
            assert got == p
        elif (s > 0.0) == cooperated:  # satisfied cooperator / dissatisfied defector
            assert got >= p and (got > p or p == 1.0)
        else:  # dissatisfied cooperator / satisfied defector
            assert got <= p and (got < p or p == 0.0)
    # the share s of the distance left (Bush-Mosteller)
    assert bk.reinforce(0.5, 0.5, True) == 0.75
    assert bk.reinforce(0.5, -0.5, True) == 0.25
    assert bk.reinforce(0.5, 0.5, False) == 0.25
    assert bk.reinforce(0.5, -0.5, False) == 0.75
    assert bk.reinforce(0.2, 1.0, True) == 1.0 and bk.reinforce(0.2, 1.0, False) == 0.0


def test_intention_matches_twin(rng):
    for _ in range(TRIALS):
        e = endowment(rng)
        social = pick(rng, 0, e, 0.0, e)
        propensity = share(rng)
        weight = share(rng)
        got = bk.intention(social, propensity, weight, e)
        same(got, rb.intention(social, propensity, weight, e))
        assert min(social, propensity * e) - 1e-12 * e <= got
        assert got <= max(social, propensity * e) + 1e-12 * e
        # weight 0: others' giving only, exactly the social target; weight 1: own payoffs only
        assert bk.intention(social, propensity, 0.0, e) == social
        assert bk.intention(social, propensity, 1.0, e) == propensity * e


def test_anticipate_matches_twin(rng):
    for _ in range(TRIALS):
        e = endowment(rng)
        x = pick(rng, 0, e, 0.0, e)
        belief = pick(rng, 0, e, 0.0, e, x)
        pressure = share(rng)
        margin = pick(rng, 0, e, 0.0)
        got = bk.anticipate(x, belief, pressure, margin)
        same(got, rb.anticipate(x, belief, pressure, margin))
        # fear of sanctions never lowers a contribution, nor overshoots the norm
        assert got >= x
        assert got <= max(x, belief + margin) + 1e-12 * e
        if pressure == 0.0:
            assert got == x
    assert bk.anticipate(4.0, 10.0, 1.0, 2.0) == 12.0  # pressure 1: all the way to the norm
    assert bk.anticipate(4.0, 10.0, 0.5, 2.0) == 8.0
    assert bk.anticipate(15.0, 10.0, 0.5, 2.0) == 15.0  # above the norm: unchanged


def test_pressure_after_matches_twin(rng):
    for _ in range(TRIALS):
        pressure = share(rng)
        start = share(rng)
        received = pick(rng, 0, 30, 0.0, 1.0, float(rng.integers(0, 31)))
        learning = pick(rng, 0, 2, 0.0, 10.0)
        got = bk.pressure_after(pressure, received, learning, start)
        within_ulps(got, rb.pressure_after(pressure, received, learning, start))
        assert 0.0 <= got <= 1.0
        if learning == 0.0:  # nothing is learnt
            assert got == pressure
        elif received > 0.0:  # points raise it towards 1, the more the more points
            assert pressure <= got
            assert bk.pressure_after(pressure, received + 1.0, learning, start) >= got
        else:  # a round without points: back towards where it started, without overshooting
            assert min(pressure, start) <= got <= max(pressure, start)
    assert bk.pressure_after(0.5, 1.0, 1.0, 0.2) == pytest.approx(
        0.5 + 0.5 * (1 - math.exp(-1.0)))
    assert bk.pressure_after(0.5, 0.0, 1.0, 0.2) == pytest.approx(
        0.5 - 0.3 * (1 - math.exp(-1.0)))
    assert bk.pressure_after(0.2, 0.0, 1.0, 0.2) == 0.2  # at rest without sanctions


def test_clip_matches_twin(rng):
    for _ in range(TRIALS):
        e = endowment(rng)
        x = pick(rng, -e, 2 * e, 0.0, e, -1e-300, -e, 2 * e)
        got = bk.clip(x, e)
        same(got, rb.clip(x, e))
        assert 0.0 <= got <= e
        if 0.0 <= x <= e:
            assert got == x
    assert bk.clip(-3.0, 20.0) == 0.0 and bk.clip(23.0, 20.0) == 20.0


def test_learnt_propensity_matches_twin(rng):
    for _ in range(TRIALS):
        e = endowment(rng)
        propensity = share(rng)
        earned = pick(rng, -3 * e, 3 * e, 0.0)
        peers = pick(rng, -3 * e, 3 * e, math.nan, earned)
        # cooperating is giving at least E/2: the threshold itself both ways
        last_x = pick(rng, 0, e, 0.0, e, e / 2, np.nextafter(e / 2, 0.0))
        aspiration = pick(rng, -1, 1, 0.0)
        sensitivity = pick(rng, 0, 50, 0.0, 5.0)
        args = (propensity, earned, peers, last_x, aspiration, sensitivity, e)
        got = bk.learnt_propensity(*args)
        want = rb.learnt_propensity(*args)
        within_ulps(got, want)
        assert 0.0 <= got <= 1.0
        if math.isnan(peers):  # no co-players: nothing is learnt
            assert got == propensity
        # the steps, composed
        if not math.isnan(peers):
            s = bk.stimulus((earned - peers) / e, aspiration, sensitivity)
            assert got == bk.reinforce(propensity, s, last_x >= e / 2)
    # a cooperator who earned more than her co-players by more than her aspiration cooperates
    # more; one who earned less, less; a defector the other way round
    e = 20.0
    up = bk.learnt_propensity(0.5, 30.0, 20.0, 10.0, 0.1, 5.0, e)
    down = bk.learnt_propensity(0.5, 20.0, 30.0, 10.0, 0.1, 5.0, e)
    assert up > 0.5 > down
    assert bk.learnt_propensity(0.5, 30.0, 20.0, np.nextafter(10.0, 0.0), 0.1, 5.0, e) < 0.5
    # earning only as much as the aspiration asks teaches nothing
    assert bk.learnt_propensity(0.5, 22.0, 20.0, 20.0, 0.1, 5.0, e) == 0.5


def _points(x, ids, n, rate, cap, key, t, reward=False):
    out = np.full((len(x), len(x)), -1.0)
    x, ids = np.asarray(x, float), np.asarray(ids, np.int64)
    if reward:
        bk.peer_points(x, ids, n, rate, cap, key, t, True, out)
    else:
        bk.punish_group(x, ids, n, rate, cap, key, t, out)
    return out


@pytest.mark.parametrize("reward", [False, True], ids=["punishment", "reward"])
@pytest.mark.parametrize("seed", range(3))
def test_peer_points_match_twin(seed, reward):
    rng = np.random.default_rng(200 + seed)
    for _ in range(400):
        k = int(rng.integers(2, 6))
        n = k * int(rng.integers(1, 5))
        e = float(rng.choice([10.0, 20.0]))
        rate = float(rng.choice([0.0, rng.uniform(0, 1), 50.0]))
        cap = float(rng.choice([0, 3, 10]))
        kind = rng.integers(4)
        if kind == 0:
            x = rng.uniform(0, e, k)
        elif kind == 1:
            x = np.full(k, rng.uniform(0, e))  # everyone equal: no points
        elif kind == 2:
            x = rng.integers(0, 3, k).astype(float) * e / 2  # ties
        else:
            x = np.where(rng.random(k) < 0.3, 0.0, e)  # free riders among full givers
        ids = rng.choice(n, k, replace=False)
        key, t = random_key(rng), int(rng.integers(12))
        got = _points(x, ids, n, rate, cap, key, t, reward)
        want = np.array(rb.peer_points(x, ids, n, rate, cap, int(key), t, reward))
        np.testing.assert_array_equal(got, want)
        if not reward:
            np.testing.assert_array_equal(
                want, np.array(rb.punish_group(x, ids, n, rate, cap, int(key), t)))
        assert (np.diag(got) == 0).all() and (got >= 0).all()
        assert (got <= cap).all() and (got == np.floor(got)).all()
        if kind == 1 or rate == 0.0:
            assert got.sum() == 0
        # punishment: only those who gave less than the punisher and less than their
        # group-mates' mean; rewards: more than the giver and more than that mean
        others = (x.sum() - x) / (k - 1)
        for a in range(k):
            for b in range(k):
                if got[a, b] > 0 and reward:
                    assert x[b] > x[a] and x[b] > others[b]
                elif got[a, b] > 0:
                    assert x[b] < x[a] and x[b] < others[b]


def test_rewards_mirror_punishment_on_their_own_stream():
    """Rewards by hand: b is rewarded by a who gave less, floor(rate * excess + U) points for
    her excess over her group-mates' mean, U from the reward stream (not the punishment's)."""
    rng = np.random.default_rng(5)
    for _ in range(200):
        x = rng.uniform(0, 20, 4)
        key, t = random_key(rng), int(rng.integers(12))
        reward = _points(x, np.arange(4), 4, 0.3, 10.0, key, t, reward=True)
        for a in range(4):
            for b in range(4):
                if a == b or not x[b] > x[a]:
                    assert reward[a, b] == 0
                    continue
                gap = x[b] - (x.sum() - x[b]) / 3
                u = ref.uniform(int(key), t, a * 4 + b, rb.STREAM_REWARD)
                assert reward[a, b] == (min(math.floor(0.3 * gap + u), 10) if gap > 0 else 0)


def test_punish_group_draws_by_unbiased_rounding():
    """Expected points are rate x shortfall: 0.2 x 50/3 MU = 10/3 per punisher, on average."""
    x = np.array([0.0, 20.0, 20.0, 10.0])
    totals = []
    for t in range(3000):
        points = _points(x, np.arange(4), 4, 0.2, 10.0, np.uint64(99), t)
        totals.append(points[1, 0])
        assert points[1, 0] in (3.0, 4.0)  # floor(10/3 + U)
    assert np.mean(totals) == pytest.approx(10 / 3, abs=4 * 0.47 / math.sqrt(3000))


def test_first_decisions_matches_twin(rng):
    for _ in range(60):
        n = int(rng.integers(1, 50))
        e = endowment(rng)
        kind = rng.integers(0, 4, n).astype(np.int8)
        slope = rng.uniform(0, 2, n)
        base = rng.uniform(0, e, n)
        belief = rng.uniform(0, e, n)
        propensity = np.where(rng.random(n) < 0.3, rng.integers(0, 2, n).astype(float),
                              rng.random(n))
        weight, noise = share(rng), pick(rng, 0, 1, 0.0, 0.1)
        z = rng.standard_normal(n) * float(rng.choice([1.0, 10.0]))  # large draws clip at 0 and E
        out = np.full(n, -1.0)
        bk.first_decisions(kind, slope, base, belief, propensity, weight, noise, e, z, out)
        want = rb.first_decisions(kind, slope, base, belief, propensity, weight, noise, e, z)
        np.testing.assert_array_equal(out, want)
        assert np.all((out >= 0.0) & (out <= e))
        if noise == 0.0:  # no noise: the intention for the first belief and propensity
            for i in range(n):
                social = bk.social_target(kind[i], slope[i], base[i], belief[i], e)
                assert out[i] == bk.clip(bk.intention(social, propensity[i], weight, e), e)


def test_anticipate_all_and_pressure_all_match_twins(rng):
    for _ in range(60):
        n = int(rng.integers(1, 50))
        e = endowment(rng)
        x = np.where(rng.random(n) < 0.2, e, rng.uniform(0, e, n))
        belief = rng.uniform(0, e, n)
        pressure = np.where(rng.random(n) < 0.2, rng.integers(0, 2, n).astype(float),
                            rng.random(n))
        margin = pick(rng, 0, e, 0.0, e)  # margin E: clipped at E
        got = x.copy()
        bk.anticipate_all(got, belief, pressure, margin, e)
        np.testing.assert_array_equal(got, rb.anticipate_all(x, belief, pressure, margin, e))
        assert np.all(got >= x) and np.all(got <= e)
        received = np.where(rng.random(n) < 0.3, 0.0, rng.integers(0, 20, n).astype(float))
        games = rng.integers(0, 4, n).astype(float)  # some in no game
        learning = pick(rng, 0, 2, 0.0)
        start = share(rng)
        grown = pressure.copy()
        bk.pressure_all(grown, received, games, learning, start)
        want = rb.pressure_all(pressure, received, games, learning, start)
        np.testing.assert_allclose(grown, want, rtol=0, atol=UNIT_ULPS)
        assert np.all((grown >= 0.0) & (grown <= 1.0))
        np.testing.assert_array_equal(grown[games == 0], pressure[games == 0])
        punished = (games > 0) & (received > 0)
        assert np.all(grown[punished] >= pressure[punished])


def test_twins_share_the_engine_generator():
    """The behaviour twins draw from tests/reference.py's generator, as the kernels draw from
    sim.rng: the punishment draw for pair (a, b) is uniform(key, t, a n + b, 18)."""
    x = np.array([0.0, 20.0])
    u = ref.uniform(5, 3, 1 * 2 + 0, rb.STREAM_PUNISH)
    points = _points(x, np.arange(2), 2, 0.1, 10.0, np.uint64(5), 3)
    assert points[1, 0] == math.floor(0.1 * 20.0 + u)


# ---------------------------------------------------------------------------- parameters


def calibration() -> dict:
    with CALIBRATION.open("rb") as handle:
        return tomllib.load(handle)


def test_defaults_are_the_calibrated_values():
    table = calibration()
    calibrated = table.get("calibrated", {})
    names = {p.name for p in BEHAVIOUR_PARAMETERS}
    defaults = Behaviour()
    for key, value in calibrated.items():
        assert key in names, f"[calibrated] {key} is not a behaviour parameter"
        assert getattr(defaults, key) == value, key
    # the fixed values the calibration assumed are the defaults too
    for key, value in table.get("fixed", {}).items():
        assert key in names, f"[fixed] {key} is not a behaviour parameter"
        assert getattr(defaults, key) == value, key


def test_calibrated_parameters_are_the_searched_ones_within_their_ranges():
    table = calibration()
    by_name = {p.name: p for p in BEHAVIOUR_PARAMETERS}
    assert set(table["ranges"]) == {p.name for p in CALIBRATED}
    # nothing is both fixed and fitted
    assert not set(table["ranges"]) & set(table.get("fixed", {}))
    for key, (low, high) in table["ranges"].items():
        param = by_name[key]
        assert param.low <= low <= high <= param.high, key
    for key, value in table.get("calibrated", {}).items():
        low, high = table["ranges"][key]
        assert low <= value <= high, key


def test_every_parameter_has_a_source_a_range_and_checks_it():
    assert {p.name for p in BEHAVIOUR_PARAMETERS} == {
        f.name for f in Behaviour.__dataclass_fields__.values()}
    # the engine's human-like settings and sanctions are among them, each once
    assert set(HUMAN_LIKE) | set(SANCTIONS) | {RESTART} <= set(BEHAVIOUR_PARAMETERS)
    assert len(set(BEHAVIOUR_PARAMETERS)) == len(BEHAVIOUR_PARAMETERS)
    for param in BEHAVIOUR_PARAMETERS:
        assert param.source.strip(), param.name
        assert param.source.split(":")[0].split(";")[0] in ("calibrated", "literature",
                                                             "assumption"), param.name
        assert param.low is not None and param.high is not None, param.name
        assert param.low <= param.default <= param.high, param.name
        assert param.help and "\n" not in param.help, param.name
        for bad in (param.low - 0.5, param.high + 0.5, math.nan):
            with pytest.raises(ConfigError) as info:
                Behaviour(**{param.name: bad})
            message = str(info.value)
            assert param.option in message and "\n" not in message, message
            if param is not RESTART:  # the run's settings check the same range
                with pytest.raises(ConfigError, match=param.option):
                    SimulationConfig(**{param.name: bad}).validate()
        # the edges of the range are allowed (the shares together at most 1)
        for good in (param.low, param.high):
            values = {param.name: good}
            if param.name.startswith("share_") and good == 1.0:
                values.update({p: 0.0 for p in ("share_conditional", "share_free_rider",
                                                "share_hump") if p != param.name})
            assert getattr(Behaviour(**values), param.name) == good


def test_one_default_everywhere():
    """The run's settings and the laboratory's subjects start from the same values."""
    assert Behaviour.from_config(SimulationConfig()) == Behaviour()
    for param in BEHAVIOUR_PARAMETERS:
        if param is not RESTART:
            assert getattr(SimulationConfig(), param.name) == param.default, param.name


def test_out_of_range_option_on_the_command_line_is_one_line(capsys):
    status = main(["run", "--n", "20", "--rounds", "1", "--payoff-weight", "2"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "--payoff-weight" in lines[0] and "Traceback" not in captured.err
