"""Calibrate the free behavioural parameters of the Fowler & Christakis experiment.

Usage::

    .venv/bin/python experiments/calibrate_fowler_christakis.py [--spec mean|dyadic]
        [--multiplier-weight W] [--candidates N] [--refine N] [--sessions N] [--pairs N]
        [--seed N] [--jsonl FILE]

Reads ``experiments/fowler_christakis.toml``: the fixed parameters (``[design]``,
``[behaviour]``), the free ones and their ranges (``[calibration.ranges]``) and the targets
(``[targets]``). The regression targets are in the units of the chosen exposure (``--spec``),
so each spec gets its own calibration (``[calibrated.mean]``, ``[calibrated.dyadic]``).

Each candidate is simulated (``sessions`` laboratory sessions for the trajectories and the
cascade regressions, ``pairs`` paired runs for the causal multiplier), with the same seeds for
every candidate (common random numbers, so candidates differ by their parameters, not their
luck), and scored: the sum over targets of the squared distance outside the target interval, in
units of the interval's width (the multiplier's weighted by ``--multiplier-weight``), plus a
small pull towards the middle of the intervals (so the chosen values stay inside them under
another seed's sampling noise).

The search is a random search over the ranges followed by a local refinement around the best
candidate (Gaussian steps of shrinking size). It prints the best candidates, which targets each
meets, and the ``[calibrated.<spec>]`` lines to paste into the TOML with the run's provenance.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from experiments.fowler_christakis import PARAMETERS, load_parameters  # noqa: E402
from sim.analysis.cascade import influence  # noqa: E402
from sim.analysis.causal import causal_cascade  # noqa: E402
from sim.lab.counterfactual import paired_runs  # noqa: E402
from sim.lab.design import Behaviour, LabDesign  # noqa: E402
from sim.lab.lab import panel, run_lab  # noqa: E402


def load(path: Path = PARAMETERS) -> dict[str, Any]:
    """The experiment's parameter file (the experiment's reader: one ``--params`` line if it
    is unreadable or lacks a table)."""
    return load_parameters(path)


def measure(design: LabDesign, behaviour: Behaviour, sessions: int, pairs: int, seed: int,
            spec: str = "mean") -> dict[str, float]:
    """The figures the targets are about, for one parameter set."""
    lab = run_lab(design.replace(sessions=sessions), behaviour, seed=seed)
    without = lab.trajectory("without_punishment")
    with_ = lab.trajectory("with_punishment")
    fits = influence(panel(lab), spec=spec)
    cascade = causal_cascade(paired_runs(design, behaviour, seed=seed + 1, pairs=pairs))
    out = {
        "period1": float(without[0]),
        "decline_ratio": float(without[-1] / without[0]) if without[0] > 0 else float("inf"),
        "punishment_rise": float(with_[-1] - with_[0]),
        "punishment_ratio": float(with_[-1] / without[-1]) if without[-1] > 0 else float("inf"),
        "multiplier": cascade.estimate,
    }
    for name, short in (("without_punishment", "w"), ("with_punishment", "p")):
        for d in (1, 2, 3):
            out[f"b{d}{short}"] = fits[name][d].estimate
    return out


def _outside(value: float, lo: float, hi: float) -> float:
    width = hi - lo
    if value < lo:
        return (lo - value) / width
    if value > hi:
        return (value - hi) / width
    return 0.0


def score(m: dict[str, float], targets: dict[str, Any], endowment: float,
          multiplier_weight: float = 1.0, inset: float = 0.0) -> tuple[float, dict]:
    """Sum of squared normalised misses, and which targets are met.

    ``multiplier_weight`` scales the causal multiplier's miss: below 1, the search meets the
    observational targets first and takes the multiplier that follows from them. ``inset``
    (a share of each interval's width) scores against intervals narrowed on both sides, so the
    chosen values keep a safety margin from the edges; ``met`` uses the true intervals.
    """

    def misses(pad: float) -> dict[str, float]:
        def out(value: float, interval) -> float:
            lo, hi = interval
            width = hi - lo
            return _outside(value, lo + pad * width, hi - pad * width) * (1 - 2 * pad)

        return {
            "decline": max(0.0, m["decline_ratio"] - targets["decline_ratio_max"] + pad * 0.1)
            / 0.1,
            "punishment_does_not_fall": max(0.0, -m["punishment_rise"]) / 1.0,
            "punishment_twice": max(0.0, targets["punishment_over_no_punishment"]
                                    - m["punishment_ratio"]) / 0.5,
            "influence_1_without": out(m["b1w"], targets["influence_1"]),
            "influence_1_with": out(m["b1p"], targets["influence_1"]),
            "influence_2_without": out(m["b2w"], targets["influence_2"]),
            "influence_2_with": out(m["b2p"], targets["influence_2"]),
            "influence_3_with": out(m["b3p"], targets["influence_3"]),
            "multiplier": out(m["multiplier"], targets["multiplier"]),
        }

    soft = _outside(m["period1"] / endowment, *targets["period1_share"])
    # a small pull towards the middle of each interval: 0.05 at an interval's edge
    centre = sum(
        weight * ((m[key] - (lo + hi) / 2) / (hi - lo)) ** 2
        for key, (lo, hi), weight in (
            ("b1w", targets["influence_1"], 1.0), ("b1p", targets["influence_1"], 1.0),
            ("b2w", targets["influence_2"], 1.0), ("b2p", targets["influence_2"], 1.0),
            ("b3p", targets["influence_3"], 1.0),
            ("multiplier", targets["multiplier"], multiplier_weight),
        )
    )
    weights = {"multiplier": multiplier_weight}
    total = (sum(weights.get(k, 1.0) * v * v for k, v in misses(inset).items())
             + 0.25 * soft * soft + 0.2 * centre / 6)
    return total, {k: v == 0.0 for k, v in misses(0.0).items()}


def main(argv: list[str] | None = None) -> int:
    config = load()
    cal = config["calibration"]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=cal["candidates"])
    parser.add_argument("--refine", type=int, default=cal["refine"])
    parser.add_argument("--sessions", type=int, default=cal["sessions"])
    parser.add_argument("--pairs", type=int, default=cal["pairs"])
    parser.add_argument("--seed", type=int, default=cal["seed"])
    parser.add_argument("--spec", choices=("mean", "dyadic"), default="mean")
    parser.add_argument("--multiplier-weight", type=float, default=1.0,
                        help="weight of the multiplier's miss in the score (default 1)")
    parser.add_argument("--inset", type=float, default=0.1,
                        help="score against intervals narrowed by this share of their width "
                        "on each side (default 0.1)")
    parser.add_argument("--jsonl", type=Path, help="also write every candidate to this file")
    args = parser.parse_args(argv)

    design = LabDesign(**config["design"])
    fixed = dict(config["behaviour"])
    ranges = {k: tuple(v) for k, v in cal["ranges"].items()}
    targets = config["targets"]
    rng = np.random.default_rng(args.seed)
    log = open(args.jsonl, "w") if args.jsonl else None
    results: list[tuple[float, dict, dict, dict]] = []

    def evaluate(values: dict[str, float]) -> tuple[float, dict, dict]:
        behaviour = Behaviour(**{**fixed, **values})
        m = measure(design, behaviour, args.sessions, args.pairs, args.seed, args.spec)
        if all(np.isfinite(v) for v in m.values()):
            s, met = score(m, targets, design.endowment, args.multiplier_weight, args.inset)
        else:  # a degenerate candidate (e.g. everybody at the endowment): no estimate
            s, met = float("inf"), {}
        results.append((s, values, m, met))
        if log:
            log.write(json.dumps({"score": s, **values, **m}, allow_nan=True) + "\n")
            log.flush()
        return s, m, met

    start = time.perf_counter()
    names = list(ranges)
    lo = np.array([ranges[k][0] for k in names])
    hi = np.array([ranges[k][1] for k in names])
    for _ in range(args.candidates):
        evaluate(dict(zip(names, map(float, rng.uniform(lo, hi)), strict=True)))
    best = min(results, key=lambda r: r[0])
    step = 0.15
    for i in range(args.refine):
        centre = np.array([best[1][k] for k in names])
        trial = np.clip(centre + rng.normal(0.0, step, len(names)) * (hi - lo), lo, hi)
        evaluate(dict(zip(names, map(float, trial), strict=True)))
        best = min(results, key=lambda r: r[0])
        if (i + 1) % 50 == 0:
            step *= 0.6
    elapsed = time.perf_counter() - start

    ranked = sorted(results, key=lambda r: r[0])
    print(f"{len(results)} candidates in {elapsed:.0f} s "
          f"({args.sessions} sessions and {args.pairs} pairs each, seed {args.seed})")
    for s, values, m, met in ranked[:5]:
        print(f"\nscore {s:.4f}; targets met: {sum(met.values())}/{len(met)}; missed: "
              + (", ".join(k for k, ok in met.items() if not ok) or "none"))
        print("  " + ", ".join(f"{k}={v:.3f}" for k, v in values.items()))
        print("  " + ", ".join(f"{k}={v:.3f}" for k, v in m.items()))
    s, values, m, met = ranked[0]
    print(f"\n[calibrated.{args.spec}]  # experiments/calibrate_fowler_christakis.py "
          f"--spec {args.spec} --multiplier-weight {args.multiplier_weight:g} --inset "
          f"{args.inset:g} --candidates "
          f"{args.candidates} --refine {args.refine}; seed "
          f"{args.seed}; score {s:.4f}; {sum(met.values())}/{len(met)} targets met")
    for k, v in values.items():
        print(f"{k} = {v:.3f}")
    if log:
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
