"""Validation against published theory: the engine beside four classic results.

Each study runs the engine (or, where the engine cannot express the published model, the engine
plus one small documented piece) and sets the measured figures beside the published ones, or,
where no published number could be read, tests the published claim as a direction:

  santos2008     Santos, Santos & Pacheco 2008 (Nature 454:213): fraction of cooperators
                 against eta = r/(z+1), public-goods games on random regular and scale-free
                 networks (N = 1000, z = 4), cost per game and per individual, proportional
                 imitation, synchronous updates; payoffs net of the kept endowment as in the
                 paper (sim.validation.net_payoff), plus the engine's own for comparison. No
                 value of the paper's figures is used: the two claims of its abstract are
                 tested as directions at equal eta, each a row with status met / not met:
                 (a) heterogeneous (scale-free) graphs are more cooperative than homogeneous
                 (regular) ones, (b) on scale-free graphs a fixed contribution per individual,
                 split over her games, is more cooperative than a contribution per game.
  ohtsuki2006    Ohtsuki et al. 2006 (Nature 441:502): under death-birth updating and weak
                 selection a single cooperator fixes with probability above 1/N when b/c > k
                 (edges groups, r = 2(b/c)/(1+b/c), E = b + c; sim.analysis.fixation runs
                 each to absorption on random regular graphs, k = 3, 4, 6).
  nowak_may1992  Nowak & May 1992 (Nature 359:826): spatial prisoner's dilemma, imitation of
                 the best on the Moore lattice; for 1.8 < b < 2 cooperators settle around
                 12 ln 2 - 8 = 0.318 (sim.validation.nowak_may).
  szolnoki2009   Szolnoki, Perc & Szabo 2009 (Phys. Rev. E 80:056109): the spatial public-goods
                 game on the periodic square lattice, groups of G = 5 (each player and its four
                 von Neumann neighbours; everyone plays 5 games), cost per game, binary
                 strategies, Fermi imitation with noise K = 0.5, random sequential updates.
                 Cooperators die out below r = 3.74 and defectors above r = 5.49; a coarse scan
                 over r locates both thresholds (the engine alone, no extra piece).

Parameters (grids, runs, published values with citations, the claims): experiments/
validation.toml. --quick runs a small version of every study (seconds; the full one takes
minutes). Every run's seed is split from --seed by study and position: the numbers depend on
neither --workers nor the other studies chosen.

Output: a side-by-side table; --json prints one object whose "results" are rows
{study, condition, x, simulated, published, ci, n, note, status} (status: "met" / "not met"
for a row that tests a claim, else null); --out DIR writes report.md, results.json and one
PNG per study, all or nothing (experiments/reports/validation.py).

A new study is one entry of :data:`REGISTRY` (a :class:`Study`: its spawn key, what its
parameter table needs, its checks and its runner), one table in validation.toml, and one
section and figure in the report (``SECTION`` and ``FIGURES`` there).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numba
import numpy as np

from experiments import validation_incentives as incentives
from experiments.options import Option
from experiments.reports import validation as report
from experiments.runtime import Experiment, Runner
from experiments.runtime import as_json as plain_json
from sim.analysis.fixation import (
    crossing_point,
    fixation_probability,
    regular_threshold,
    wilson_interval,
)
from sim.analysis.stats import bootstrap_ci, finite
from sim.config import ConfigError, SimulationConfig
from sim.networks import build_network
from sim.seeds import child_seed, describe_seed, seed_sequence
from sim.simulation import Simulation
from sim.validation.net_payoff import NetPayoffSimulation
from sim.validation.nowak_may import run_nowak_may

PARAMETERS = Path(__file__).with_name("validation.toml")
#: a claim row's status
MET, NOT_MET = "met", "not met"


# -------------------------------------------------------------------------------- results
@dataclass
class Row:
    """One compared figure: what was simulated at ``x`` and what was published there (a row
    of the --json "results"). A row that tests a claim has a ``status`` (:data:`MET` or
    :data:`NOT_MET`); ``x`` is None for a row that sums up a whole grid."""

    study: str
    condition: str
    x: float | None
    simulated: float
    published: float | None = None
    ci: tuple[float, float] | None = None
    n: int | None = None
    note: str = ""
    status: str | None = None


@dataclass
class StudyResult:
    """A study's rows plus what the report needs to draw it (``plot``, not in --json)."""

    name: str
    rows: list[Row]
    settings: dict[str, Any]
    plot: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- parameters
def overlay(raw: dict[str, Any], quick: bool) -> dict[str, dict[str, Any]]:
    """Each study's settings: its shared table overlaid with ``full`` or ``quick``; checked
    (counts, then the study's own checks), one ``--params`` line for the first mistake."""
    out = {}
    for study in REGISTRY:
        name = study.name
        if not isinstance(raw.get(name), dict):
            raise ConfigError(f"--params: the file lacks the [{name}] table")
        table = dict(raw[name])
        for size in ("quick", "full"):
            if not isinstance(table.get(size), dict):
                raise ConfigError(f"--params: [{name}] needs a [{name}.{size}] table")
        size = table.pop("quick" if quick else "full")
        table.pop("full" if quick else "quick")
        table.update(size)
        entries, counts = study.entries.split(), study.counts.split()
        missing = [key for key in entries + counts if key not in table]
        if missing:
            raise ConfigError(f"--params: [{name}] lacks {', '.join(missing)}")
        for key in counts:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"--params: [{name}] {key} must be an integer >= 1 "
                                  f"(got {value!r})")
        if study.check is not None:
            study.check(table)
        out[name] = table
    return out


def _number(table: dict[str, Any], study: str, key: str, low: float | None = None,
            high: float | None = None, low_open: bool = False,
            high_open: bool = False) -> float:
    """``table[key]`` as a number within the bounds, else one ``--params`` line."""
    value = table[key]
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (low is None or (value > low if low_open else value >= low))
    ok = ok and (high is None or (value < high if high_open else value <= high))
    if not ok:
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            bounds.append(f"{'<' if high_open else '<='} {high:g}")
        raise ConfigError(f"--params: [{study}] {key} must be a number "
                          f"{' and '.join(bounds)} (got {value!r})")
    return float(value)


def _grid(table: dict[str, Any], study: str, key: str) -> list[float]:
    """``table[key]`` as a non-empty, strictly increasing list of numbers > 0."""
    values = table[key]
    ok = isinstance(values, list) and len(values) > 0 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0
        for v in values)
    if not ok or any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise ConfigError(f"--params: [{study}] {key} must be a non-empty, increasing list of "
                          f"numbers > 0 (got {values!r})")
    return [float(v) for v in values]


def _text(table: dict[str, Any], study: str, key: str) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"--params: [{study}] {key} must be a non-empty string "
                          f"(got {value!r})")
    return value


def _flag(table: dict[str, Any], study: str, key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"--params: [{study}] {key} must be true or false (got {value!r})")
    return value


def _mean_ci(values: list[float]) -> tuple[float, tuple[float, float] | None]:
    """Mean over runs and its 95% bootstrap interval (4000 resamples), which stays inside
    [0, 1] for shares."""
    return float(np.mean(values)), bootstrap_ci(values, draws=4000)


# ----------------------------------------------------------- runs to a stationary share
def stationary_cooperators(config, seed, average: int, net_payoff: bool) -> tuple[float, int]:
    """Share of cooperators averaged over the last ``average`` of ``config.rounds`` rounds.

    Without mutation all-C and all-D are absorbing: a run that reaches one stops there and
    reports it. Returns (share, rounds played).
    """
    sim = (NetPayoffSimulation if net_payoff else Simulation)(config, seed=seed)
    tail: list[float] = []
    for t in range(config.rounds):
        sim.step()
        share = sim.latest()["cooperators"]
        if share <= 0.0 or share >= 1.0:
            return share, t + 1
        if t >= config.rounds - average:
            tail.append(share)
    return float(np.mean(tail)), config.rounds


def _stationary_task(task: tuple) -> tuple[float, int]:
    config, seed, average, net = task
    return stationary_cooperators(config, seed, average, net)


# ------------------------------------------------------------------- Santos et al. 2008
@dataclass(frozen=True)
class Direction:
    """A claim "condition A is more cooperative than condition B", tested over a grid.

    ``estimate`` is the mean over the grid of mean_A(x) - mean_B(x) (shares of cooperators),
    ``ci`` its 95% percentile bootstrap interval over runs; ``at`` and ``at_ci`` the same at
    each grid point. Paired runs (same networks and starts under both conditions) are
    resampled together.
    """

    estimate: float
    ci: tuple[float, float]
    at: list[float]
    at_ci: list[tuple[float, float]]
    paired: bool

    @property
    def reversed_at(self) -> list[int]:
        """Grid points where B is more cooperative than A (the whole interval below 0)."""
        return [i for i, (_, hi) in enumerate(self.at_ci) if hi < 0.0]

    @property
    def met(self) -> bool:
        """A above B over the grid (interval above 0), and nowhere B above A."""
        return self.ci[0] > 0.0 and not self.reversed_at


def direction(higher: np.ndarray, lower: np.ndarray, paired: bool, draws: int = 4000,
              seed: int = 0) -> Direction:
    """Test that ``higher`` (shares, one row per grid point, one column per run) exceeds
    ``lower``; percentile bootstrap over runs (Efron & Tibshirani 1993, An Introduction to the
    Bootstrap, ch. 13), seeded so that the interval is reproducible."""
    higher = np.asarray(higher, dtype=np.float64)
    lower = np.asarray(lower, dtype=np.float64)
    rng = np.random.default_rng(seed)
    points = np.arange(higher.shape[0])[None, :, None]
    pick_h = rng.integers(0, higher.shape[1], size=(draws, *higher.shape))
    pick_l = pick_h if paired else rng.integers(0, lower.shape[1], size=(draws, *lower.shape))
    diff = higher[points, pick_h].mean(axis=2) - lower[points, pick_l].mean(axis=2)
    at = higher.mean(axis=1) - lower.mean(axis=1)
    lo, hi = np.quantile(diff.mean(axis=1), [0.025, 0.975])
    at_lo, at_hi = np.quantile(diff, [0.025, 0.975], axis=0)
    return Direction(float(at.mean()), (float(lo), float(hi)), at.tolist(),
                     list(zip(at_lo.tolist(), at_hi.tolist(), strict=True)), paired)


def santos_configs(p: dict[str, Any]) -> list[list[SimulationConfig]]:
    """The engine settings of every (condition, eta), validated."""
    z = p["degree"]
    configs = []
    for cond in p["conditions"]:
        try:
            configs.append([SimulationConfig(
                n=p["n"], network=cond["network"], degree=z, groups="neighbourhood",
                cost=cond["cost"], r=eta * (z + 1), strategies="binary",
                initial_cooperation=p["initial_cooperation"], rule="proportional",
                update=p["update"], mutation=0.0, endowment=p["endowment"], rounds=p["rounds"],
            ).validate() for eta in p["eta"]])
        except (ConfigError, KeyError, TypeError) as err:
            raise ConfigError(f"--params: [santos2008] condition {cond.get('name')!r}: "
                              f"{err}") from None
    return configs


def _check_santos(p: dict[str, Any]) -> None:
    """The eta grid, the conditions (engine settings), and the claims, which must name two
    different conditions each."""
    _grid(p, "santos2008", "eta")
    conditions = p["conditions"]
    if not isinstance(conditions, list) or not conditions or not all(
            isinstance(c, dict) and isinstance(c.get("name"), str) for c in conditions):
        raise ConfigError("--params: [santos2008] conditions must be a non-empty list of tables "
                          "with a name each")
    names = [c["name"] for c in conditions]
    if len(set(names)) != len(names):
        raise ConfigError("--params: [santos2008] conditions must have different names")
    for cond in conditions:
        if cond.get("payoff") not in ("net", "engine"):
            raise ConfigError(f"--params: [santos2008] condition {cond['name']!r}: payoff must "
                              f"be 'net' or 'engine' (got {cond.get('payoff')!r})")
    santos_configs(p)
    claims = p["claims"]
    if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
        raise ConfigError("--params: [santos2008] claims must be a list of tables "
                          "([[santos2008.claims]])")
    for claim in claims:
        for key in ("name", "higher", "lower", "abstract"):
            if not isinstance(claim.get(key), str) or not claim[key].strip():
                raise ConfigError(f"--params: [santos2008] every claim needs a non-empty "
                                  f"string '{key}' (claim {claim.get('name')!r})")
        for key in ("higher", "lower"):
            if claim[key] not in names:
                raise ConfigError(f"--params: [santos2008] claim {claim['name']!r}: {key} "
                                  f"'{claim[key]}' is not a condition; allowed: "
                                  f"{', '.join(names)}")
        if claim["higher"] == claim["lower"]:
            raise ConfigError(f"--params: [santos2008] claim {claim['name']!r}: higher and "
                              "lower must be different conditions")


def run_santos(p: dict[str, Any], seed: Any, runner: Runner) -> StudyResult:
    """Fraction of cooperators against eta on each network / cost condition, and the claims
    of the abstract as directions between conditions."""
    # runs are seeded by (network kind, eta, run), not by condition: every condition on the
    # same kind of network plays on the same networks from the same starts (common random
    # numbers), so differences between conditions on one kind of network are paired
    kinds = sorted({cond["network"] for cond in p["conditions"]})
    study = STUDY_KEYS["santos2008"]
    tasks = [
        (config, child_seed(seed, study, kinds.index(cond["network"]), ei, r), p["average"],
         cond["payoff"] == "net")
        for cond, configs in zip(p["conditions"], santos_configs(p), strict=True)
        for ei, config in enumerate(configs)
        for r in range(p["runs"])
    ]
    values = iter(runner.map(_stationary_task, tasks, "santos2008"))
    rows: list[Row] = []
    curves: list[dict[str, Any]] = []
    shares: dict[str, np.ndarray] = {}
    for cond in p["conditions"]:
        runs = np.array([[next(values)[0] for _ in range(p["runs"])] for _ in p["eta"]])
        shares[cond["name"]] = runs
        means, cis = [], []
        for eta, at in zip(p["eta"], runs, strict=True):
            mean, interval = _mean_ci(at.tolist())
            means.append(mean)
            cis.append(interval)
            rows.append(Row("santos2008", cond["name"], eta, mean, None, interval, p["runs"],
                            _santos_note(cond)))
        curves.append({"name": cond["name"], "eta": list(p["eta"]), "mean": means, "ci": cis,
                       "payoff": cond["payoff"]})
    by_name = {cond["name"]: cond for cond in p["conditions"]}
    claims = []
    for claim in p["claims"]:
        paired = by_name[claim["higher"]]["network"] == by_name[claim["lower"]]["network"]
        test = direction(shares[claim["higher"]], shares[claim["lower"]], paired)
        rows.append(Row("santos2008", f"claim: {claim['name']}", None, test.estimate, None,
                        test.ci, p["runs"] * len(p["eta"]), _claim_note(claim, test, p["eta"]),
                        MET if test.met else NOT_MET))
        claims.append({**claim, "eta": list(p["eta"]), "at": test.at, "at_ci": test.at_ci,
                       "estimate": test.estimate, "ci": test.ci, "paired": paired,
                       "met": test.met})
    settings = {k: p[k] for k in ("n", "degree", "eta", "runs", "rounds", "average", "update",
                                  "initial_cooperation")}
    settings["claims"] = [{k: c[k] for k in ("name", "higher", "lower")} for c in p["claims"]]
    return StudyResult("santos2008", rows, settings,
                       {"curves": curves, "claims": claims, "citation": p.get("citation", "")})


def _santos_note(cond: dict[str, Any]) -> str:
    if cond["payoff"] == "engine":
        return "engine payoffs (each agent keeps E in each of its k+1 games)"
    return ""


def _claim_note(claim: dict[str, Any], test: Direction, eta: list[float]) -> str:
    note = (f"share of cooperators under '{claim['higher']}' minus under '{claim['lower']}', "
            f"mean over eta = {', '.join(f'{e:g}' for e in eta)}; 95% bootstrap interval over "
            f"runs ({'paired: same networks and starts' if test.paired else 'unpaired'}); met "
            "if the interval is above 0 and at no eta is the difference's interval below 0")
    if not test.met:
        if test.reversed_at:
            where = ", ".join(f"{eta[i]:g}" for i in test.reversed_at)
            note += f"; reversed at eta = {where}"
        if test.ci[1] < 0.0:
            note += "; reversed over the grid"
        elif test.ci[0] <= 0.0:
            note += "; the interval includes 0"
    return note

# ------------------------------------------------------------------ Ohtsuki et al. 2006
def _fixation_task(task: tuple):
    return fixation_probability(*task)


def run_ohtsuki(p: dict[str, Any], seed: Any, runner: Runner) -> StudyResult:
    """Fixation probability of one cooperator against b/c, and where N rho crosses 1."""
    n, w, c, count = p["n"], p["selection"], p["cost"], p["graphs"]
    study = STUDY_KEYS["ohtsuki2006"]
    graphs = {k: [build_network(SimulationConfig(n=n, network=p["network"], degree=k),
                                np.random.default_rng(child_seed(seed, study, k, 0, g)))
                  for g in range(count)]
              for k in p["degrees"]}
    ratios = {k: [k + off for off in p["offsets"]] for k in p["degrees"]}
    # one task per (k, b/c, graph), each run keyed by its index in the counter-based generator
    tasks = [(graph, bc * c, c, w, p["runs"] // count + (g < p["runs"] % count),
              child_seed(seed, study, k, 1 + oi, g).generate_state(1, np.uint64)[0])
             for k in p["degrees"] for oi, bc in enumerate(ratios[k])
             for g, graph in enumerate(graphs[k])]
    estimates = iter(runner.map(_fixation_task, tasks, "ohtsuki2006"))
    rows: list[Row] = []
    panels = []
    for k in p["degrees"]:
        ratio = ratios[k]
        y, se, lo, hi, stuck = [], [], [], [], 0
        for bc in ratio:
            fixed = runs = 0
            for est in (next(estimates) for _ in range(count)):
                fixed += est.fixed
                runs += est.runs
                stuck += est.not_absorbed
            rho = fixed / runs
            ci = wilson_interval(fixed, runs)
            y.append(n * rho)
            se.append(n * math.sqrt(max(rho * (1 - rho), 1.0 / runs) / runs))
            lo.append(n * ci[0])
            hi.append(n * ci[1])
            rows.append(Row(
                "ohtsuki2006", f"k={k}, N={n}: N*rho_C", bc, n * rho, None,
                (n * ci[0], n * ci[1]), runs,
                "N*rho_C > 1 means cooperation is favoured (rho_C > 1/N); 95% Wilson interval",
            ))
        crossing = crossing_point(ratio, np.asarray(y) - 1.0, se, seed=seed)
        threshold = regular_threshold(n, k)
        ci = crossing.ci if finite(crossing.ci).size == 2 else None
        rows.append(Row("ohtsuki2006", f"k={k}, N={n}: crossing b/c* vs the rule b/c = k",
                        float(k), crossing.estimate, float(k), ci, p["runs"] * len(ratio),
                        crossing.method))
        rows.append(Row("ohtsuki2006", f"k={k}, N={n}: crossing b/c* vs (N-2)/(N/k-2)",
                        float(k), crossing.estimate, threshold, ci, p["runs"] * len(ratio),
                        "finite-N weak-selection threshold for k-regular graphs"))
        panels.append({"k": k, "ratio": ratio, "y": y, "lo": lo, "hi": hi,
                       "crossing": crossing.estimate, "crossing_ci": crossing.ci,
                       "finite": threshold, "not_absorbed": stuck})
    settings = {k: p[k] for k in ("n", "network", "selection", "cost", "graphs", "runs",
                                  "degrees", "offsets")}
    return StudyResult("ohtsuki2006", rows, settings,
                       {"panels": panels, "n": n})


# ---------------------------------------------------------------------- Nowak & May 1992
def _nowak_may_task(task: tuple):
    return run_nowak_may(*task)


def run_nowak_may_study(p: dict[str, Any], seed: Any,
                        runner: Runner) -> StudyResult:
    """Share of cooperators in the chaotic regime, averaged over late generations."""
    study = STUDY_KEYS["nowak_may1992"]
    tasks = [(p["side"], float(b), p["generations"], p["initial_defectors"],
              child_seed(seed, study, bi, s))
             for bi, b in enumerate(p["b"]) for s in range(p["seeds"])]
    results = iter(runner.map(_nowak_may_task, tasks, "nowak_may1992"))
    rows, runs = [], []
    for b in p["b"]:
        shares = []
        for s in range(p["seeds"]):
            result = next(results)
            shares.append(result.mean_share(p["average"]))
            if s == 0:
                runs.append({"b": b, "result": result})
        mean, interval = _mean_ci(shares)
        note = (f"{p['side']}x{p['side']} periodic Moore lattice, {p['initial_defectors']:g} "
                f"defectors at the start, mean of generations {p['generations'] - p['average'] + 1}"
                f"-{p['generations']} over {p['seeds']} starts (95% bootstrap interval over "
                "starts)")
        if not p.get("verified", False):
            note += "; published value from secondary sources, not checked in print"
        rows.append(Row("nowak_may1992", "share of cooperators, chaotic regime", float(b), mean,
                        float(p["published"]), interval, p["seeds"], note))
    settings = {k: p[k] for k in ("side", "generations", "average", "seeds", "b",
                                  "initial_defectors")}
    return StudyResult("nowak_may1992", rows, settings,
                       {"runs": runs, "published": p["published"]})


def _check_ohtsuki(p: dict[str, Any]) -> None:
    if p["runs"] < p["graphs"]:
        raise ConfigError("--params: [ohtsuki2006] runs must be at least graphs")


# ---------------------------------------------------------- Szolnoki, Perc & Szabo 2009
#: the phases of the spatial public-goods game, by what survives
ONLY_D, MIXED, ONLY_C = "D", "C+D", "C"


def szolnoki_configs(p: dict[str, Any]) -> list[SimulationConfig]:
    """The engine settings at every r of the scan, validated.

    Szolnoki, Perc & Szabo 2009 (Phys. Rev. E 80:056109): every site of an L x L periodic
    square lattice centres one group of G = 5 (itself and its von Neumann neighbours), so
    everyone plays 5 games; a cooperator pays 1 into each, each pot is multiplied by r and
    shared by its 5 members; a random player x copies a random neighbour y with probability
    1/(1 + exp((P_x - P_y)/K)), one Monte Carlo step being L^2 such updates. In the engine:
    ``square-lattice`` of degree 4, ``neighbourhood`` groups, ``cost="per-game"``, binary
    strategies with E = 1, ``rule="fermi"``, ``update="asynchronous"`` (one round = one Monte
    Carlo step, payoffs kept current after every change) and no mutation. The engine also
    pays everyone the endowment kept in each of its 5 games, 5(E - x_i) in all, which makes
    a payoff 5E higher than the paper's whatever the strategy: the same for everyone, so the
    Fermi rule, which sees only P_x - P_y, is unchanged.
    """
    configs = []
    for r in p["r"]:
        try:
            configs.append(SimulationConfig(
                n=p["side"] ** 2, network="square-lattice", degree=4, groups="neighbourhood",
                cost="per-game", r=r, strategies="binary",
                initial_cooperation=p["initial_cooperation"], rule="fermi",
                temperature=p["temperature"], update="asynchronous", mutation=0.0,
                endowment=p["endowment"], rounds=p["steps"] + 1,
            ).validate())
        except (ConfigError, TypeError) as err:
            raise ConfigError(f"--params: [szolnoki2009] r = {r!r}: {err}") from None
    return configs


def _check_szolnoki(p: dict[str, Any]) -> None:
    name = "szolnoki2009"
    if p["side"] < 3:
        raise ConfigError(f"--params: [{name}] side must be an integer >= 3 (got {p['side']!r})")
    if p["average"] > p["steps"]:
        raise ConfigError(f"--params: [{name}] average must be at most steps "
                          f"(got {p['average']} > {p['steps']})")
    _grid(p, name, "r")
    _number(p, name, "temperature", 0.0, None, low_open=True)
    _number(p, name, "endowment", 0.0, None, low_open=True)
    _number(p, name, "initial_cooperation", 0.0, 1.0, low_open=True, high_open=True)
    _number(p, name, "tolerance", 0.0, 0.5, low_open=True, high_open=True)
    _number(p, name, "threshold_tolerance", 0.0, None)
    lower = _number(p, name, "lower_threshold", 0.0, None, low_open=True)
    upper = _number(p, name, "upper_threshold", 0.0, None, low_open=True)
    if upper <= lower:
        raise ConfigError(f"--params: [{name}] upper_threshold must be above lower_threshold "
                          f"(got {upper:g} <= {lower:g})")
    _text(p, name, "citation")
    _flag(p, name, "verified")
    szolnoki_configs(p)


def expected_phase(r: float, lower: float, upper: float) -> str:
    """What survives at r by the published thresholds: D below ``lower``, C above ``upper``."""
    return ONLY_D if r < lower else ONLY_C if r > upper else MIXED


def phase_of(share: float, tolerance: float) -> str:
    """The phase a stationary share of cooperators shows: D if it is at most ``tolerance``,
    C if it is at least 1 - ``tolerance``, both otherwise."""
    return ONLY_D if share <= tolerance else ONLY_C if share >= 1.0 - tolerance else MIXED


def threshold_brackets(r: list[float], phases: list[str]) -> dict[str, tuple[float, float]]:
    """Where the scan changes phase: ``lower`` is (the largest r where only defectors were
    left, the next r of the grid), ``upper`` is (the r before the first r above it where only
    cooperators were left, that r). A side the scan does not reach is +-inf."""
    dead = [i for i, phase in enumerate(phases) if phase == ONLY_D]
    last_dead = dead[-1] if dead else -1
    lower = (r[last_dead] if dead else -math.inf,
             r[last_dead + 1] if last_dead + 1 < len(r) else math.inf)
    full = [i for i, phase in enumerate(phases) if phase == ONLY_C and i > last_dead]
    if full:
        first = full[0]
        upper = (r[first - 1] if first > 0 else -math.inf, r[first])
    else:
        upper = (r[-1], math.inf)
    return {"lower": lower, "upper": upper}


def run_szolnoki(p: dict[str, Any], seed: Any, runner: Runner) -> StudyResult:
    """Stationary share of cooperators over a scan of r, each point's phase against the one
    the published thresholds give, and the two thresholds located by the scan."""
    study = STUDY_KEYS["szolnoki2009"]
    configs = szolnoki_configs(p)
    tasks = [(config, child_seed(seed, study, ri, s), p["average"], False)
             for ri, config in enumerate(configs) for s in range(p["seeds"])]
    results = iter(runner.map(_stationary_task, tasks, "szolnoki2009"))
    lower, upper, tol = p["lower_threshold"], p["upper_threshold"], p["tolerance"]
    side, steps = p["side"], p["steps"]
    method = (f"{side}x{side} lattice, up to {steps} Monte Carlo steps, mean of the last "
              f"{p['average']}, {p['seeds']} runs")
    rows: list[Row] = []
    points = []
    for r in p["r"]:
        outcomes = [next(results) for _ in range(p["seeds"])]
        shares = [share for share, _ in outcomes]
        mean, interval = _mean_ci(shares)
        expected, found = expected_phase(r, lower, upper), phase_of(mean, tol)
        all_d = sum(share <= 0.0 for share in shares)
        all_c = sum(share >= 1.0 for share in shares)
        note = (f"expected {_PHASE_TEXT[expected]} (published thresholds {lower:g}, "
                f"{upper:g}); {_PHASE_TEXT[found]} here (tolerance {tol:g}); runs ended all-D: "
                f"{all_d}, all-C: {all_c}; 95% bootstrap interval over runs")
        rows.append(Row("szolnoki2009", "share of cooperators", r, mean, None, interval,
                        p["seeds"], f"{note}; {method}", MET if found == expected else NOT_MET))
        points.append({"r": r, "mean": mean, "ci": interval, "shares": shares,
                       "rounds": [rounds for _, rounds in outcomes], "phase": found,
                       "expected": expected})
    brackets = threshold_brackets(list(p["r"]), [point["phase"] for point in points])
    verified = "" if p.get("verified", False) else (
        "; published value not read in the paper here (see validation.toml)")
    for which, published, what in (("lower", lower, "cooperators die out below"),
                                   ("upper", upper, "defectors die out above")):
        lo, hi = brackets[which]
        estimate = (lo + hi) / 2 if math.isfinite(lo) and math.isfinite(hi) else math.nan
        slack = p["threshold_tolerance"]
        met = math.isfinite(estimate) and lo - slack <= published <= hi + slack
        rows.append(Row(
            "szolnoki2009", f"{which} threshold r ({what}), K = {p['temperature']:g}", None,
            estimate, published, None, p["seeds"] * len(p["r"]),
            f"coarse scan: the phase changes between r = {lo:g} and r = {hi:g} (simulated = "
            f"midpoint); met if the published value lies in that bracket +- {slack:g} (finite "
            f"lattice and run length); {method}{verified}",
            MET if met else NOT_MET))
    settings = {k: p[k] for k in ("side", "steps", "average", "seeds", "r", "temperature",
                                  "initial_cooperation", "tolerance", "threshold_tolerance")}
    return StudyResult("szolnoki2009", rows, settings,
                       {"points": points, "lower": lower, "upper": upper,
                        "brackets": {k: list(v) for k, v in brackets.items()},
                        "tolerance": tol, "temperature": p["temperature"], "side": side,
                        "citation": p["citation"], "verified": p.get("verified", False)})


_PHASE_TEXT = {ONLY_D: "only defectors left", MIXED: "cooperators and defectors",
               ONLY_C: "only cooperators left"}


# ------------------------------------------------------------------ incentives (out of sample)
def run_incentives(p: dict[str, Any], seed: Any, runner: Runner) -> StudyResult:
    """How the calibrated human-like people respond to incentives, against laboratory
    findings not used in the calibration (experiments/validation_incentives.py)."""
    world = incentives.world_of(p)
    claims = incentives.run_claims(world, p["worlds"], seed, STUDY_KEYS["incentives"],
                                   lambda f, tasks: runner.map(f, tasks, "incentives"))
    rows = [Row("incentives", f"{c['source']}: {c['statement']} ({c['conditions']}, "
                f"{c['measure']}, {c['direction']} 0)", None, c["difference"], None,
                c["ci"], c["worlds"], "direction from the source's abstract; no published "
                "number used", MET if c["met"] else NOT_MET) for c in claims]
    return StudyResult("incentives", rows, dict(world, worlds=p["worlds"]))


def _check_incentives(p: dict[str, Any]) -> None:
    try:
        incentives.configs(incentives.world_of(p))
    except ConfigError as err:
        raise ConfigError(f"--params: [incentives] {err}") from None


# ---------------------------------------------------------------------- the registry
@dataclass(frozen=True)
class Study:
    """One validation study, as :func:`overlay` checks it and :func:`run_studies` runs it.

    Attributes:
        name: the study's name (``--study``, its table in validation.toml, its rows).
        key: its spawn-key prefix: every seed of the study is split from ``(seed, key, ...)``.
            Never change or reuse one, so that adding, removing or reordering studies changes
            no other study's numbers.
        entries: the keys its table needs once ``quick`` or ``full`` is applied (spaces).
        counts: further keys that must be integers >= 1 (spaces).
        run: ``run(table, seed, runner) -> StudyResult``.
        check: further checks of the table, raising ``ConfigError`` with one line; or None.
    """

    name: str
    key: int
    entries: str
    counts: str
    run: Callable[[dict[str, Any], Any, Runner], StudyResult]
    check: Callable[[dict[str, Any]], None] | None = None


#: every study, in the order they run and print
REGISTRY: tuple[Study, ...] = (
    Study("santos2008", 0, "n degree eta conditions claims initial_cooperation update "
          "endowment", "runs rounds average", run_santos, _check_santos),
    Study("ohtsuki2006", 1, "network selection cost degrees offsets", "n graphs runs",
          run_ohtsuki, _check_ohtsuki),
    Study("nowak_may1992", 2, "b initial_defectors published",
          "side generations average seeds", run_nowak_may_study),
    Study("szolnoki2009", 3, "r temperature initial_cooperation endowment tolerance "
          "threshold_tolerance lower_threshold upper_threshold citation",
          "side steps average seeds", run_szolnoki, _check_szolnoki),
    Study("incentives", 10, " ".join(incentives.WORLD_KEYS), "worlds",
          run_incentives, _check_incentives),
)
STUDIES = tuple(study.name for study in REGISTRY)
#: the spawn-key prefix of each study, so a study's numbers do not depend on which others run
STUDY_KEYS = {study.name: study.key for study in REGISTRY}
#: what each study's table needs once its quick or full overlay is applied; the counts
#: (second string) must be integers >= 1
REQUIRED = {study.name: (study.entries, study.counts) for study in REGISTRY}
RUNNERS = {study.name: study.run for study in REGISTRY}


# --------------------------------------------------------------------------- the studies
def run_studies(params: dict[str, dict[str, Any]], quick: bool, seed: Any, runner: Runner,
                studies: list[str] | None = None) -> dict[str, Any]:
    """Run the chosen studies (default: all): {"results": [StudyResult], "meta": {...}}."""
    load_before = os.getloadavg()
    begin = time.perf_counter()
    results, seconds = [], {}
    for name in studies or STUDIES:
        results.append(RUNNERS[name](params[name], seed, runner))
        seconds[name] = time.perf_counter() - begin - sum(seconds.values())
    meta = {
        "quick": quick,
        "seed": describe_seed(seed_sequence(seed)),
        "seconds": time.perf_counter() - begin,
        "study_seconds": seconds,
        "load_before": list(load_before),
        "load_after": list(os.getloadavg()),
        "cpus": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
    }
    return {"results": results, "meta": meta}


def as_json(run: dict[str, Any]) -> dict[str, Any]:
    """The --json document of a :func:`run_studies` result (non-finite numbers become None)."""
    return plain_json({
        "experiment": "validation",
        "quick": run["meta"]["quick"],
        "seed": run["meta"]["seed"],
        "results": [asdict(row) for result in run["results"] for row in result.rows],
        "settings": {r.name: r.settings for r in run["results"]},
        "timing": {k: v for k, v in run["meta"].items() if k not in ("quick", "seed")},
    })


# -------------------------------------------------------------------- the runtime's view
@dataclass(frozen=True)
class Settings:
    quick: bool
    studies: list[str]
    params: dict[str, dict[str, Any]]


def chosen_studies(value: Any) -> list[str]:
    """The studies of ``--study`` (None: all), in their fixed order; unknown ones refused."""
    if value is None:
        return list(STUDIES)
    names = [name.strip() for item in ([value] if isinstance(value, str) else value)
             for name in str(item).split(",") if name.strip()]
    for name in names or [""]:
        if name not in STUDIES:
            raise ConfigError(f"--study '{name}' is unknown; allowed: {', '.join(STUDIES)}")
    return [name for name in STUDIES if name in names]


def settings(params: dict[str, Any], options: dict[str, Any]) -> Settings:
    """Check --study and the parameter file (with every engine setting of every study) up
    front."""
    studies = chosen_studies(options["study"])
    tables = overlay(params, bool(options["quick"]))
    return Settings(bool(options["quick"]), studies, tables)


def run(settings: Settings, seed: Any, runner: Runner) -> dict[str, Any]:
    """Every chosen study on ``runner``: the --json document, plus the figures' data as the
    private entry ``_plots`` (``{study: plot}``, for the report only)."""
    studies = run_studies(settings.params, settings.quick, seed, runner, settings.studies)
    return {**as_json(studies), "_plots": {result.name: result.plot
                                           for result in studies["results"]}}


EXPERIMENT = Experiment(
    name="validation",
    summary="the engine beside Santos et al. 2008 (claims), Ohtsuki et al. 2006, Nowak & May "
    "1992 and Szolnoki et al. 2009 (published figures)",
    description=__doc__,
    parameters=PARAMETERS,
    sections=STUDIES,
    seed=0,
    options=(
        Option("--quick", "a small version of every study (seconds instead of minutes)",
               flag_only=True),
        Option("--study", "run only this study (repeatable, or a comma list): "
                   + ", ".join(STUDIES), type=str, metavar="NAME", append=True),
    ),
    settings=settings,
    # the quick studies are seconds of work: starting a cluster would cost more
    workers_default=lambda params, options: 1 if options.get("quick") else 0,
    run=run,
    table=report.table_text,
    write=report.write,
    metrics=report.headline,
)
