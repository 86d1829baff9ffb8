"""Scenarios played side by side over replicates: the numbers behind the browser app.

A :class:`Study` holds a few scenarios (A, B, ...), each a complete engine configuration, and
how many replicates to play. Replicate k of every scenario is played with the same seed
(common random numbers): where two scenarios share their organisation settings they play on
the same network with the same people, so their difference comes from what differs between
them and not from luck in who sits where. The seeds are split from the study's seed by
:func:`sim.seeds.child_seed`, one per replicate.

:func:`play` runs every replicate with :class:`sim.Simulation` and returns :class:`Results`:
each scenario's mean trajectory with a 95% band, each scenario's run average with its 95%
interval, and :meth:`Results.sentence`, the plain comparison the app prints under its charts.
Intervals are Student-t intervals of the mean over replicates (:func:`sim.analysis.stats.
mean_ci`); the contribution band is clipped to [0, E], the range a mean contribution can take.
Results are cached by study (:func:`results_for`), so the page, a reset and a second browser
session asking for the same study share one computation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import pandas as pd

from sim.analysis.stats import mean_ci
from sim.config import SimulationConfig
from sim.history import METRICS
from sim.seeds import child_seed
from sim.simulation import Simulation

#: scenario labels, in order
LABELS = ("A", "B", "C", "D")
#: the metrics the comparison reads: name -> (plain name in a sentence, unit)
COMPARED = {
    "mean_contribution": ("cooperation", "MU a person gives per round"),
    "welfare": ("welfare", "MU a person earns per round"),
}
#: the two-level game's metrics: name -> (where the giving goes, in a sentence; unit)
LEVELS = {
    "local_given": ("to their organisation", "MU a person gives to their organisation's pool "
                    "per round"),
    "system_given": ("to the system", "MU a person gives to the system's pool per round"),
}
LEVEL = 0.95
_CACHE_SIZE = 8


class Cancelled(Exception):
    """The caller asked :func:`play` to stop (new settings were applied meanwhile)."""


@dataclass(frozen=True)
class Scenario:
    """One scenario: its label (A, B, ...) and its validated engine configuration."""

    label: str
    config: SimulationConfig

    def key(self) -> tuple:
        return (self.label, tuple(sorted(self.config.to_dict().items())))


@dataclass(frozen=True)
class Study:
    """Scenarios played over the same replicate seeds.

    Attributes:
        scenarios: the scenarios, in order (labels A, B, ...).
        replicates: independent worlds per scenario.
        seed: the study's seed; replicate k plays :meth:`replicate_seed` ``(k)``.
    """

    scenarios: tuple[Scenario, ...]
    replicates: int
    seed: int

    def key(self) -> tuple:
        return (tuple(s.key() for s in self.scenarios), self.replicates, self.seed)

    def replicate_seed(self, k: int) -> int:
        """The int seed of replicate ``k`` (from 0), the same in every scenario."""
        state = child_seed(self.seed, k).generate_state(1, dtype=np.uint64)[0]
        return int(state >> np.uint64(1))  # 63 bits: a non-negative Python int

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.scenarios]

    def differing(self) -> list[str]:
        """Engine fields whose value is not the same in every scenario."""
        dicts = [s.config.to_dict() for s in self.scenarios]
        return [name for name in dicts[0] if len({repr(d[name]) for d in dicts}) > 1]


@dataclass(frozen=True)
class Estimate:
    """A mean over replicates with its 95% interval (``low`` = ``high`` = mean for one)."""

    mean: float
    low: float
    high: float

    def separates_from(self, other: Estimate) -> bool:
        """Whether the two intervals do not overlap."""
        return self.high < other.low or other.high < self.low


@dataclass
class Results:
    """Every replicate of every scenario of a study, and the statistics read from them.

    Attributes:
        study: the study played.
        series: scenario label -> metric -> array (replicates, rounds), one row per replicate;
            the two-level game's scenarios also have :data:`LEVELS`.
    """

    study: Study
    series: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    @property
    def replicates(self) -> int:
        return self.study.replicates

    @property
    def rounds(self) -> int:
        return self.study.scenarios[0].config.rounds

    def endowment(self, label: str) -> float:
        return float(self._scenario(label).config.endowment)

    def _scenario(self, label: str) -> Scenario:
        return next(s for s in self.study.scenarios if s.label == label)

    # ------------------------------------------------------------------ statistics
    def band(self, label: str, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(mean, low, high)`` per round over replicates: the 95% t interval of the mean.

        The band of the mean contribution (and of either level's) is clipped to [0, E], the
        range the mean can take.
        """
        mean, low, high = mean_ci(self.series[label][metric], LEVEL, axis=0)
        if metric == "mean_contribution" or metric in LEVELS:
            top = self.endowment(label)
            low, high = np.clip(low, 0.0, top), np.clip(high, 0.0, top)
        return np.asarray(mean), np.asarray(low), np.asarray(high)

    def run_means(self, label: str, metric: str) -> np.ndarray:
        """Each replicate's average of ``metric`` over the rounds played."""
        return self.series[label][metric].mean(axis=1)

    def estimate(self, label: str, metric: str) -> Estimate:
        """The mean over replicates of the run average, with its 95% interval."""
        mean, low, high = mean_ci(self.run_means(label, metric), LEVEL)
        return Estimate(float(mean), float(low), float(high))

    def difference(self, label: str, reference: str, metric: str) -> Estimate:
        """``label`` minus ``reference``, paired by replicate (they share each seed)."""
        diff = self.run_means(label, metric) - self.run_means(reference, metric)
        mean, low, high = mean_ci(diff, LEVEL)
        return Estimate(float(mean), float(low), float(high))

    def identical(self, label: str, reference: str, metric: str) -> bool:
        """Whether ``metric`` is exactly the same in every replicate and round."""
        return bool(np.array_equal(self.series[label][metric], self.series[reference][metric]))

    def two_level(self, label: str) -> bool:
        """Whether a scenario played the two-level game (its series have :data:`LEVELS`)."""
        return all(m in self.series[label] for m in LEVELS)

    @property
    def two_level_labels(self) -> list[str]:
        return [label for label in self.study.labels if self.two_level(label)]

    # ---------------------------------------------------------------------- words
    def levels_sentence(self, names: Mapping[str, str]) -> str:
        """The two-level comparison in plain words: which scenario gives more to the system,
        by how much, what each gives to its organisation, and whether the 95% intervals of
        system giving separate (each two-level scenario against the first)."""
        labels = self.two_level_labels
        if not labels:
            return ""
        if len(labels) < 2:
            name = names.get(labels[0], labels[0])
            est = self.estimate(labels[0], "system_given")
            local = self.estimate(labels[0], "local_given")
            return (f"Only {name} plays the game between organisations: people give "
                    f"{_fmt(est.mean, 2)} MU to the system and {_fmt(local.mean, 2)} MU to "
                    "their organisation per round; add a second scenario to compare.")
        parts = [self._compare_levels(label, labels[0], names) for label in labels[1:]]
        tail = (f" Averages over all {self.rounds} rounds and {self.replicates} replicates, "
                "in MU per person per round; replicate k of every scenario uses the same seed.")
        if self.replicates < 2:
            tail = (" One replicate only: there is no interval, so chance cannot be told "
                    f"apart; use at least 10 replicates. Averages over all {self.rounds} "
                    "rounds, in MU per person per round.")
        return " ".join(parts) + tail

    def _compare_levels(self, label: str, ref: str, names: Mapping[str, str]) -> str:
        if all(self.identical(label, ref, m) for m in LEVELS):
            return (f"{names.get(label, label)} and {names.get(ref, ref)} give exactly the same "
                    "to the system and to their organisations in every replicate.")
        system = {x: self.estimate(x, "system_given") for x in (label, ref)}
        local = {x: self.estimate(x, "local_given") for x in (label, ref)}
        more, less = ((label, ref) if system[label].mean >= system[ref].mean else (ref, label))
        delta = system[more].mean - system[less].mean
        digits = max(2, _digits(delta))
        relative = (f", {_signed(100 * delta / system[less].mean, 0)}%"
                    if system[less].mean > 0 else "")
        local_digits = max(2, _digits(local[more].mean - local[less].mean))
        text = (f"{names.get(more, more)} gives more to the system than {names.get(less, less)}"
                f": {_fmt(system[more].mean, digits)} against {_fmt(system[less].mean, digits)}"
                f" MU ({_signed(delta, digits)}{relative}), while to their organisations people "
                f"give {_fmt(local[more].mean, local_digits)} against "
                f"{_fmt(local[less].mean, local_digits)} MU")
        if delta == 0:
            text = (f"{names.get(label, label)} and {names.get(ref, ref)} give the same to the "
                    f"system on average ({_fmt(system[label].mean, 2)} MU), and "
                    f"{_fmt(local[label].mean, 2)} against {_fmt(local[ref].mean, 2)} MU to "
                    "their organisations")
        if self.replicates < 2:
            return text + "."
        if system[more].separates_from(system[less]):
            verdict = ("the 95% intervals of giving to the system do not overlap, so the "
                       "difference is more than chance")
        else:
            verdict = ("the 95% intervals of giving to the system overlap, so the difference "
                       "could be chance")
        return f"{text}; {verdict}."

    def sentence(self, names: Mapping[str, str], differs: str = "") -> str:
        """The comparison in plain words: each scenario against the first (A).

        Args:
            names: scenario label -> how to name it (e.g. "B (cooperation)").
            differs: what differs between the scenarios, in the page's words (used when
                they give identical results).
        """
        labels = self.study.labels
        if len(labels) < 2:
            return ("Only one scenario: add a second one to compare (the band around its line "
                    f"is the 95% interval over {self.replicates} replicates).")
        parts = [self._compare(label, labels[0], names, differs) for label in labels[1:]]
        tail = (f" Averages over all {self.rounds} rounds and {self.replicates} replicates; "
                "replicate k of every scenario uses the same seed.")
        if self.replicates < 2:
            tail = (f" One replicate only: there is no interval, so chance cannot be told "
                    f"apart; use at least 10 replicates. Averages over all {self.rounds} rounds.")
        return " ".join(parts) + tail

    def _compare(self, label: str, ref: str, names: Mapping[str, str], differs: str) -> str:
        name, ref_name = names.get(label, label), names.get(ref, ref)
        if all(self.identical(label, ref, m) for m in COMPARED):
            what = f" ({differs})" if differs else ""
            return (f"{name} and {ref_name} give exactly the same cooperation and welfare in "
                    f"every replicate: what differs between them{what} does not change what "
                    "people give or earn under these settings.")
        clauses, separated, overlapping = [], [], []
        for metric, (plain, unit) in COMPARED.items():
            est, ref_est = self.estimate(label, metric), self.estimate(ref, metric)
            than = "" if clauses else f" than {ref_name}"
            if self.identical(label, ref, metric):
                same = "" if clauses else f" as {ref_name}"
                clauses.append(f"the same {plain}{same}: {_fmt(est.mean)} {unit}")
                continue
            delta = est.mean - ref_est.mean
            digits = _digits(delta)
            word = "more" if delta > 0 else "less"
            relative = f", {_signed(100 * delta / ref_est.mean, 0)}%" if ref_est.mean > 0 else ""
            clauses.append(f"{word} {plain}{than}: {_fmt(est.mean, digits)} against "
                           f"{_fmt(ref_est.mean, digits)} {unit} ({_signed(delta, digits)}"
                           f"{relative})")
            if self.replicates >= 2:
                (separated if est.separates_from(ref_est) else overlapping).append(plain)
        text = f"{name} gives {', and '.join(clauses)}"
        if self.replicates < 2:
            return text + "."
        if separated and not overlapping:
            verdict = ("the 95% intervals do not overlap, so the difference is more than chance"
                       if len(separated) == 1 else
                       "the 95% intervals do not overlap for either, so both differences are "
                       "more than chance")
        elif overlapping and not separated:
            verdict = ("the 95% intervals overlap, so the difference could be chance"
                       if len(overlapping) == 1 else
                       "the 95% intervals overlap for both, so the differences could be chance")
        else:
            verdict = (f"the 95% intervals separate for {separated[0]} but overlap for "
                       f"{overlapping[0]}, so only the difference in {separated[0]} is more than "
                       "chance")
        return f"{text}; {verdict}."

    # ---------------------------------------------------------------------- tables
    def summary_frame(self) -> pd.DataFrame:
        """One row per scenario and round: each compared metric's mean and 95% band."""
        frames = []
        for label in self.study.labels:
            data: dict[str, Any] = {"scenario": label,
                                    "round": np.arange(1, self.rounds + 1)}
            metrics = [*COMPARED, *(LEVELS if self.two_level_labels else ())]
            for metric in metrics:
                if metric not in self.series[label]:
                    data[metric] = data[f"{metric}_low"] = data[f"{metric}_high"] = np.nan
                    continue
                mean, low, high = self.band(label, metric)
                data[metric] = mean
                data[f"{metric}_low"] = low
                data[f"{metric}_high"] = high
            frames.append(pd.DataFrame(data))
        return pd.concat(frames, ignore_index=True)

    def replicate_frame(self) -> pd.DataFrame:
        """One row per scenario, replicate and round: every metric the engine records."""
        frames = []
        for label in self.study.labels:
            arrays = self.series[label]
            reps, rounds = arrays[METRICS[0]].shape
            data: dict[str, Any] = {
                "scenario": label,
                "replicate": np.repeat(np.arange(1, reps + 1), rounds),
                "seed": np.repeat([self.study.replicate_seed(k) for k in range(reps)], rounds),
                "round": np.tile(np.arange(1, rounds + 1), reps),
            }
            data.update({m: arrays[m].ravel() for m in METRICS})
            if self.two_level_labels:
                data.update({m: arrays[m].ravel() if m in arrays else np.nan for m in LEVELS})
            frames.append(pd.DataFrame(data))
        return pd.concat(frames, ignore_index=True)

    def estimates_frame(self) -> pd.DataFrame:
        """One row per scenario: each compared metric's run average and 95% interval."""
        rows = []
        for label in self.study.labels:
            row: dict[str, Any] = {"scenario": label}
            for metric in COMPARED:
                est = self.estimate(label, metric)
                row.update({metric: est.mean, f"{metric}_low": est.low,
                            f"{metric}_high": est.high})
            rows.append(row)
        return pd.DataFrame(rows)


def _digits(delta: float) -> int:
    """Decimals that show a difference of ``delta``: 1, or 2 or 3 for small ones."""
    size = abs(delta)
    return 1 if size >= 0.1 or size == 0 else 2 if size >= 0.01 else 3


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def _signed(value: float, digits: int = 1) -> str:
    return f"{value:+.{digits}f}".replace("-", "−")


# --------------------------------------------------------------------------- playing
def play(study: Study, progress: Callable[[int, int], None] | None = None,
         cancelled: Callable[[], bool] | None = None) -> Results:
    """Play every replicate of every scenario; return the :class:`Results`.

    Args:
        study: what to play.
        progress: called with (runs done, runs in all) after each run.
        cancelled: asked before each run; when it returns True, :class:`Cancelled` is raised.

    Kernels run on one Numba thread in the calling thread: at the app's sizes one run is
    too short for parallel regions to pay, and the results do not depend on the thread count.
    """
    total = len(study.scenarios) * study.replicates
    results = Results(study)
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        done = 0
        for scenario in study.scenarios:
            two_level = scenario.config.two_level
            names = (*METRICS, *LEVELS) if two_level else METRICS
            rows: dict[str, list[np.ndarray]] = {m: [] for m in names}
            for k in range(study.replicates):
                if cancelled is not None and cancelled():
                    raise Cancelled
                sim = Simulation(scenario.config, seed=study.replicate_seed(k))
                history = sim.run()
                for m in METRICS:
                    rows[m].append(np.asarray(getattr(history, m), dtype=np.float64))
                if two_level:
                    levels = sim.levels()
                    rows["local_given"].append(np.asarray(levels["local"], dtype=np.float64))
                    rows["system_given"].append(np.asarray(levels["system"], dtype=np.float64))
                done += 1
                if progress is not None:
                    progress(done, total)
            results.series[scenario.label] = {m: np.vstack(rows[m]) for m in names}
    finally:
        numba.set_num_threads(previous)
    return results


_cache: OrderedDict[tuple, Results] = OrderedDict()
_cache_lock = threading.Lock()


def cached(study: Study) -> Results | None:
    """The results of ``study`` if they were computed already (this process)."""
    with _cache_lock:
        found = _cache.get(study.key())
        if found is not None:
            _cache.move_to_end(study.key())
        return found


def results_for(study: Study, progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> Results:
    """:func:`play`, computed once per study and kept for the next few studies asked for."""
    found = cached(study)
    if found is not None:
        if progress is not None:
            total = len(study.scenarios) * study.replicates
            progress(total, total)
        return found
    results = play(study, progress, cancelled)
    with _cache_lock:
        _cache[study.key()] = results
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return results


def scenario_labels(count: int) -> Sequence[str]:
    """The first ``count`` labels (A, B, ...)."""
    if not 1 <= count <= len(LABELS):
        raise ValueError(f"from 1 to {len(LABELS)} scenarios (got {count})")
    return LABELS[:count]
