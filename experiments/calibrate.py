"""Calibrate the project's one human-like behaviour (sim/behaviour) in the simulated laboratory.

Usage::

    .venv/bin/python experiments/calibrate.py [--candidates N] [--refine N] [--sessions N]
        [--pairs N] [--seed N] [--jsonl FILE] [--write] [--check]

Reads ``experiments/calibration.toml``: the laboratory (``[design]``, Fehr & Gächter 2002),
the values not fitted (``[fixed]``), the free parameters and their ranges (``[ranges]``) and
the targets with their sources (``[targets]``). Each candidate plays ``sessions`` laboratory
sessions (the trajectories and the Fowler & Christakis 2010 cascade regressions, per-contact
exposure by default) and ``pairs`` paired runs with common random numbers (the causal
multiplier, reported beside the regressions' arithmetic, not fitted), all with the same seeds,
so candidates differ by their parameters and not by their luck.

Score: the sum over targets of the squared distance outside each target's range, in units of
the range's width, plus a small pull towards the middle of the ranges. Search: random over the
ranges, then Gaussian steps of shrinking size around the best.

It prints every target with its source, range, fitted value and whether it is met; the causal
multiplier with its 95% CI beside the arithmetic; for every target the best fit misses, the
best candidate that meets it and what that one misses instead (the measured trade-off); and the
``[calibrated]`` table (``--write`` puts it into the TOML). The defaults of
sim/behaviour/parameters.py are then set to those values by hand (a test checks they agree).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.analysis.cascade import influence  # noqa: E402
from sim.analysis.causal import causal_cascade  # noqa: E402
from sim.behaviour.parameters import Behaviour  # noqa: E402
from sim.lab.counterfactual import paired_runs  # noqa: E402
from sim.lab.design import LabDesign  # noqa: E402
from sim.lab.lab import panel, run_lab  # noqa: E402
from sim.params import ConfigError  # noqa: E402

CALIBRATION = Path(__file__).with_name("calibration.toml")

#: target -> (what is measured, source), in the order the report prints them
TARGETS = {
    "period1_share": ("period 1 without punishment, share of E", "Fehr & Gächter 2002"),
    "decline_ratio_max": ("without punishment: period 6 / period 1", "Fehr & Gächter 2002"),
    "punishment_rise_min": ("with punishment: period 6 - period 1 (MU)", "Fehr & Gächter 2002"),
    "punishment_peak_max": ("with punishment: highest period mean, share of E",
                            "Fehr & Gächter 2002"),
    "influence_1_without": ("one degree, without punishment", "Fowler & Christakis 2010"),
    "influence_1_with": ("one degree, with punishment", "Fowler & Christakis 2010"),
    "influence_2_without": ("two degrees, without punishment", "Fowler & Christakis 2010"),
    "influence_2_with": ("two degrees, with punishment", "Fowler & Christakis 2010"),
    "influence_3_with": ("three degrees, with punishment", "Fowler & Christakis 2010"),
    "arithmetic": ("3 b1 + 9 b2 + 27 b3", "Fowler & Christakis 2010 ('tripled')"),
}


def load(path: Path = CALIBRATION) -> dict[str, Any]:
    """The calibration file; unreadable or lacking a table: one line naming it."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read {path}: {err}") from None
    for table in ("design", "fixed", "search", "ranges", "targets", "calibrated"):
        if table not in data:
            raise ConfigError(f"{path}: the table [{table}] is missing")
    return data


def calibrated_behaviour(path: Path = CALIBRATION) -> Behaviour:
    """The behaviour the calibration file describes: ``[fixed]`` with ``[calibrated]``."""
    data = load(path)
    return Behaviour.from_dict({**data["fixed"], **data["calibrated"]})


def measure(design: LabDesign, behaviour: Behaviour, sessions: int, pairs: int, seed: int,
            spec: str = "dyadic") -> dict[str, float]:
    """The figures the targets are about (and the causal multiplier) for one behaviour."""
    lab = run_lab(design.replace(sessions=sessions), behaviour, seed=seed)
    without = lab.trajectory("without_punishment")
    with_ = lab.trajectory("with_punishment")
    fits = influence(panel(lab), spec=spec)
    e = design.endowment
    out = {
        "period1_share": float(without[0] / e),
        "decline_ratio": float(without[-1] / without[0]) if without[0] > 0 else float("inf"),
        "punishment_rise": float(with_[-1] - with_[0]),
        "punishment_peak": float(with_.max() / e),
    }
    for name, short in (("without_punishment", "w"), ("with_punishment", "p")):
        for d in (1, 2, 3):
            out[f"b{d}{short}"] = fits[name][d].estimate
    b1 = (out["b1w"] + out["b1p"]) / 2
    b2 = (out["b2w"] + out["b2p"]) / 2
    out["arithmetic"] = 3 * b1 + 9 * b2 + 27 * out["b3p"]
    if pairs:
        cascade = causal_cascade(paired_runs(design, behaviour, seed=seed + 1, pairs=pairs))
        out["multiplier"] = cascade.estimate
        out["multiplier_low"], out["multiplier_high"] = cascade.ci
    return out


def _outside(value: float, lo: float, hi: float) -> float:
    """Distance of ``value`` outside [lo, hi] in units of the width (0 inside)."""
    width = hi - lo
    if value < lo:
        return (lo - value) / width
    if value > hi:
        return (value - hi) / width
    return 0.0


def misses(m: dict[str, float], t: dict[str, Any]) -> dict[str, float]:
    """Each target's normalised miss (0: met)."""
    return {
        "period1_share": _outside(m["period1_share"], *t["period1_share"]),
        "decline_ratio_max": max(0.0, m["decline_ratio"] - t["decline_ratio_max"]) / 0.1,
        "punishment_rise_min": max(0.0, t["punishment_rise_min"] - m["punishment_rise"]) / 1.0,
        "punishment_peak_max": max(0.0, m["punishment_peak"] - t["punishment_peak_max"]) / 0.05,
        "influence_1_without": _outside(m["b1w"], *t["influence_1"]),
        "influence_1_with": _outside(m["b1p"], *t["influence_1"]),
        "influence_2_without": _outside(m["b2w"], *t["influence_2"]),
        "influence_2_with": _outside(m["b2p"], *t["influence_2"]),
        "influence_3_with": _outside(m["b3p"], *t["influence_3"]),
        "arithmetic": _outside(m["arithmetic"], *t["arithmetic"]),
    }


def score(m: dict[str, float], t: dict[str, Any]) -> tuple[float, dict[str, bool]]:
    """Sum of squared misses plus a small pull to the middle of the ranges; which are met."""
    miss = misses(m, t)
    centre = sum(
        ((m[key] - (lo + hi) / 2) / (hi - lo)) ** 2
        for key, (lo, hi) in (
            ("b1w", t["influence_1"]), ("b1p", t["influence_1"]), ("b2w", t["influence_2"]),
            ("b2p", t["influence_2"]), ("b3p", t["influence_3"]),
            ("arithmetic", t["arithmetic"]), ("period1_share", t["period1_share"]),
        )
    )
    return sum(v * v for v in miss.values()) + 0.01 * centre, {k: v == 0 for k, v in miss.items()}


def measured_value(name: str, m: dict[str, float]) -> float:
    """The measured figure a target is about."""
    keys = {"decline_ratio_max": "decline_ratio", "punishment_rise_min": "punishment_rise",
            "punishment_peak_max": "punishment_peak", "influence_1_without": "b1w",
            "influence_1_with": "b1p", "influence_2_without": "b2w", "influence_2_with": "b2p",
            "influence_3_with": "b3p"}
    return m[keys.get(name, name)]


def target_range(name: str, t: dict[str, Any]) -> str:
    if name.startswith("influence"):
        lo, hi = t["_".join(name.split("_")[:2])]
        return f"[{lo:g}, {hi:g}]"
    if name.endswith("_max"):
        return f"<= {t[name]:g}"
    if name.endswith("_min"):
        return f"> {t[name]:g}"
    lo, hi = t[name]
    return f"[{lo:g}, {hi:g}]"


def write_calibrated(path: Path, values: dict[str, float], provenance: str) -> None:
    """Replace the ``[calibrated]`` table (the file's last) with ``values``."""
    text = path.read_text()
    head = re.split(r"^\[calibrated\]\s*$", text, flags=re.M)[0]
    body = "\n".join(f"{k} = {v:.3f}" for k, v in values.items())
    path.write_text(f"{head}[calibrated]\n# {provenance}\n{body}\n")


def report(best: tuple, results: list[tuple], t: dict[str, Any]) -> None:
    """The fit target by target, the multiplier beside the arithmetic, the trade-offs."""
    s, values, m, met = best
    print(f"\n{'target':<22} {'measured':<44} {'range':>12} {'fit':>8}  met  source")
    for name, (what, source) in TARGETS.items():
        print(f"{name:<22} {what:<44} {target_range(name, t):>12} "
              f"{measured_value(name, m):8.3f}  {'yes' if met[name] else 'NO '}  {source}")
    if "multiplier" in m:
        print(f"\ncausal multiplier (paired runs, not fitted): {m['multiplier']:.2f} "
              f"[{m['multiplier_low']:.2f}, {m['multiplier_high']:.2f}] against the "
              f"regressions' arithmetic {m['arithmetic']:.2f}")
    missed = [k for k, ok in met.items() if not ok]
    for name in missed if results else ():
        meeting = [r for r in results if r[3].get(name)]
        if not meeting:
            print(f"trade-off: no candidate met {name}")
            continue
        alt = min(meeting, key=lambda r: r[0])
        lost = [k for k, ok in alt[3].items() if not ok] or ["nothing"]
        print(f"trade-off: the best candidate meeting {name} (score {alt[0]:.3f}) misses "
              + ", ".join(lost))


def main(argv: list[str] | None = None) -> int:
    try:
        config = load()
    except ConfigError as err:
        print(f"calibrate: {err}", file=sys.stderr)
        return 2
    search = config["search"]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=search["candidates"])
    parser.add_argument("--refine", type=int, default=search["refine"])
    parser.add_argument("--sessions", type=int, default=search["sessions"])
    parser.add_argument("--pairs", type=int, default=search["pairs"])
    parser.add_argument("--seed", type=int, default=search["seed"])
    parser.add_argument("--jsonl", type=Path, help="also write every candidate to this file")
    parser.add_argument("--write", action="store_true",
                        help="write the best fit into the [calibrated] table of the TOML")
    parser.add_argument("--check", action="store_true",
                        help="no search: measure the TOML's [calibrated] values and print "
                        "the fit")
    args = parser.parse_args(argv)
    for name in ("candidates", "refine", "sessions", "pairs"):
        if getattr(args, name) < (1 if name == "sessions" else 0):
            print(f"calibrate: --{name} must be a non-negative integer (sessions: at least 1)",
                  file=sys.stderr)
            return 2

    design = LabDesign(**config["design"])
    fixed = dict(config["fixed"])
    ranges = {k: tuple(v) for k, v in config["ranges"].items()}
    targets = config["targets"]
    spec = search["spec"]
    rng = np.random.default_rng(args.seed)
    log = open(args.jsonl, "w") if args.jsonl else None
    results: list[tuple[float, dict, dict, dict]] = []

    def evaluate(values: dict[str, float]) -> None:
        behaviour = Behaviour.from_dict({**fixed, **values})
        m = measure(design, behaviour, args.sessions, 0, args.seed, spec)
        if all(np.isfinite(v) for v in m.values()):
            s, met = score(m, targets)
        else:  # a degenerate candidate (e.g. nobody's contribution varies): no estimate
            s, met = float("inf"), {}
        results.append((s, values, m, met))
        if log:
            log.write(json.dumps({"score": s, **values, **m}, allow_nan=True) + "\n")
            log.flush()

    start = time.perf_counter()
    if args.check:
        values = dict(config["calibrated"])
        m = measure(design, Behaviour.from_dict({**fixed, **values}), args.sessions,
                    args.pairs, args.seed, spec)
        s, met = score(m, targets)
        print(f"the [calibrated] values, measured in {time.perf_counter() - start:.0f} s "
              f"({args.sessions} sessions, {args.pairs} pairs, {spec} exposure, seed "
              f"{args.seed}): score {s:.4f}, {sum(met.values())} of {len(met)} targets met")
        report((s, values, m, met), [], targets)
        return 0
    names = list(ranges)
    lo = np.array([ranges[k][0] for k in names])
    hi = np.array([ranges[k][1] for k in names])
    for _ in range(args.candidates):
        evaluate(dict(zip(names, map(float, rng.uniform(lo, hi)), strict=True)))
    step = 0.15
    for i in range(args.refine):
        best = min(results, key=lambda r: r[0])
        centre = np.array([best[1][k] for k in names])
        trial = np.clip(centre + rng.normal(0.0, step, len(names)) * (hi - lo), lo, hi)
        evaluate(dict(zip(names, map(float, trial), strict=True)))
        if (i + 1) % 50 == 0:
            step *= 0.6
    s, values, _, met = min(results, key=lambda r: r[0])
    # the winner again, with the paired runs for the causal multiplier
    m = measure(design, Behaviour.from_dict({**fixed, **values}), args.sessions, args.pairs,
                args.seed, spec)
    elapsed = time.perf_counter() - start
    print(f"{len(results)} candidates in {elapsed:.0f} s ({args.sessions} sessions each, "
          f"{spec} exposure, seed {args.seed}); best score {s:.4f}, "
          f"{sum(met.values())} of {len(met)} targets met")
    report((s, values, m, met), results, targets)
    provenance = (f"experiments/calibrate.py --candidates {args.candidates} --refine "
                  f"{args.refine} --sessions {args.sessions} --seed {args.seed}: score {s:.4f}, "
                  f"{sum(met.values())} of {len(met)} targets met")
    print(f"\n[calibrated]\n# {provenance}")
    for k, v in values.items():
        print(f"{k} = {v:.3f}")
    if args.write:
        write_calibrated(CALIBRATION, values, provenance)
        print(f"written to {CALIBRATION}")
    if log:
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
