"""What a sweep can vary: models named by a string, as in a sweep's ``[sweep] model = "run"``.

A sweep model is a function from one parameter set and one seed to a few summary metrics::

    def run(params: dict[str, Any], seed: numpy.random.SeedSequence) -> dict[str, float]

wrapped in a :class:`SweepModel` that also says which parameters it knows and how to check and
complete a parameter set, so that a malformed sweep fails before any run starts. The built-in
model ``run`` plays one :class:`sim.Simulation` per run: its parameters are the fields of
:class:`sim.SimulationConfig` (the options of ``cascade run``), its metrics those of
``History.summary()``.

Where models come from, in the order :func:`get_model` looks:

1. :data:`MODELS`: the built-in ``run`` and anything added with :func:`register`;
2. every experiment of ``experiments.EXPERIMENTS``, by its command name (``model =
   "policies"``): :func:`experiment_model` builds its model from the experiment's runtime
   object (:class:`experiments.runtime.Experiment`). Its parameters are the experiment's
   options (``replicates``, ``n``, ...) and every scalar entry of its parameter file as
   ``table.key`` (``world.mpcr``, ``policies.parameters.policy_budget``); a run plays the
   whole experiment in one worker process with the run's seed as the master seed
   (``Experiment.sweep_run``), and its metrics are the experiment's headline metrics;
3. ``"package.module:attribute"``, a :class:`SweepModel` in any importable module (it must be
   importable on the Dask workers too).

Rules for a model's ``run`` so that sweeps stay reproducible: draw every random number from
``seed`` (spawn children from it; never from global state or the clock), return the same
metrics (names and types) for every run, and return plain numbers (``int``, ``float``,
``bool``) or strings. The sweep sends workers the model's *name*, not the function, so a model
must be found by the same name in every worker process.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments import EXPERIMENTS
from experiments import load as load_registered
from experiments.runtime import Experiment
from sim.config import ConfigError, SimulationConfig
from sim.ensemble import Ensemble
from sim.simulation import Simulation

Params = dict[str, Any]
Metrics = Mapping[str, Any]
#: ``run(params, seed) -> metrics``
RunFunction = Callable[[Params, np.random.SeedSequence], Metrics]
#: ``run_rounds(params, seed) -> (metrics, per-round table)``; the table is a pandas DataFrame
#: or a mapping of column name to equal-length sequences, one row per round
RoundsFunction = Callable[[Params, np.random.SeedSequence], tuple[Metrics, Any]]


@dataclass(frozen=True)
class SweepModel:
    """A model that ``cascade sweep`` can run over a parameter design.

    Attributes:
        name: the name a sweep's TOML gives in ``[sweep] model``.
        run: ``run(params, seed) -> metrics``: one run with one complete parameter set (as
            returned by ``resolve``) and its own ``SeedSequence``; returns summary metrics,
            one value each.
        summary: one line for listings.
        parameters: the parameter names the model accepts; a sweep naming any other is
            refused before it starts. ``None`` accepts any name (then ``resolve`` should check).
        resolve: ``resolve(params) -> params``: check one parameter set and complete it with
            defaults (the result is what ``run`` gets and what the results table records).
            Raises :class:`sim.ConfigError` with one line that names the offending parameter;
            the sweep adds where in the TOML it came from. Default: no check, no defaults.
        run_rounds: like ``run`` but also returns a per-round table (``[sweep] per_round =
            true``); ``None`` if the model has none.
        warm_up: called once in each worker process before the sweep starts (e.g. to load
            compiled kernels), so that start-up cost does not land on the first runs.
        default_metric: the metric ``cascade plot`` shows when none is named.
        run_replicates: ``run_replicates(params, seeds, per_round) -> [(metrics, table or
            None), ...]``: several runs of one parameter set played together (an ensemble),
            each giving what ``run`` (or ``run_rounds``) gives for its seed; ``None`` if the
            model has none (the runs are then played one by one).
    """

    name: str
    run: RunFunction
    summary: str = ""
    parameters: Sequence[str] | None = None
    resolve: Callable[[Params], Params] | None = None
    run_rounds: RoundsFunction | None = None
    warm_up: Callable[[], None] | None = None
    default_metric: str | None = None
    run_replicates: Callable[[Params, list[np.random.SeedSequence], bool], list] | None = None

    def complete(self, params: Params) -> Params:
        """Check ``params`` (names, then ``resolve``) and return the complete parameter set."""
        if self.parameters is not None:
            known = set(self.parameters)
            for key in params:
                if key not in known:
                    raise ConfigError(
                        f"unknown parameter '{key}' for model '{self.name}'; "
                        f"allowed: {', '.join(self.parameters)}"
                    )
        if self.resolve is None:
            return dict(params)
        return dict(self.resolve(dict(params)))


#: built-in and registered models by name
MODELS: dict[str, SweepModel] = {}


def register(model: SweepModel) -> SweepModel:
    """Add ``model`` to :data:`MODELS` under ``model.name`` (replacing any of that name)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", model.name):
        raise ValueError(f"a sweep model's name must be a plain word, not {model.name!r}")
    MODELS[model.name] = model
    get_model.cache_clear()
    return model


def experiment_models() -> dict[str, str]:
    """Every registered experiment that loads: name -> summary.

    Experiments that fail to load are left out here (the error shows when one is named).
    """
    out: dict[str, str] = {}
    for name in EXPERIMENTS:
        try:
            out[name] = load_experiment(name).summary
        except Exception:  # noqa: BLE001 - a broken experiment must not break the listing
            continue
    return out


def available() -> list[str]:
    """Every model name a sweep can give: registered ones, then the experiments."""
    names = list(MODELS)
    names += [name for name in experiment_models() if name not in MODELS]
    return names


@functools.cache
def get_model(name: str) -> SweepModel:
    """The model called ``name`` (see the module docstring for where it is looked up).

    Raises:
        ConfigError: no such model, or the experiment of that name cannot be loaded.
    """
    if name in MODELS:
        return MODELS[name]
    if name in EXPERIMENTS:
        return experiment_model(name)
    if ":" in name:
        module_name, _, attribute = name.partition(":")
        try:
            model = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as err:
            raise ConfigError(f"cannot load model '{name}': {err}") from None
        if not isinstance(model, SweepModel):
            raise ConfigError(f"'{name}' is not a sweeps.SweepModel")
        return model
    raise ConfigError(f"unknown model '{name}'; allowed: {', '.join(available())}")


# ------------------------------------------------------------------- every experiment
def load_experiment(name: str) -> Experiment:
    """The runtime object of experiment ``name``.

    Raises:
        ConfigError: its module cannot be imported or declares no ``EXPERIMENT``.
    """
    try:
        experiment = load_registered(name)
    except (ImportError, AttributeError) as err:
        message = " ".join(str(err).split())
        raise ConfigError(f"experiment '{name}' cannot be swept: {message}") from None
    if not isinstance(experiment, Experiment):
        raise ConfigError(f"experiment '{name}' cannot be swept: its EXPERIMENT is not an "
                          "experiments.runtime.Experiment")
    return experiment


def experiment_model(name: str) -> SweepModel:
    """The sweep model of experiment ``name``: its options and ``table.key`` entries of its
    parameter file as parameters, ``Experiment.sweep_run`` as the run.

    Metrics are named as the experiment's ``metrics`` names them (``human-like:baseline:
    welfare``); any text is a valid Parquet column name, so they are kept as they are.
    ``default_metric`` is left unset: ``cascade plot`` then shows the first metric column,
    which is the experiment's first metric.
    """
    experiment = load_experiment(name)
    parameters = tuple(experiment.sweep_parameters())
    return SweepModel(
        name=name,
        run=experiment.sweep_run,
        summary=f"experiment '{name}': {experiment.summary}",
        parameters=parameters,
        resolve=functools.partial(_resolve_experiment, experiment, parameters),
        warm_up=_warm_up_run,
        default_metric=None,
    )


def _resolve_experiment(experiment: Experiment, order: Sequence[str], params: Params) -> Params:
    """Check one parameter set against the experiment (its settings are built and dropped).

    The point is the parameters given, in the model's order (the parameter file supplies the
    rest when the run starts)."""
    experiment.sweep_settings(params)
    return {name: params[name] for name in order if name in params}


# ------------------------------------------------------------------------ built-in: run
def _config_types() -> dict[str, type]:
    """Field name -> the Python type of a ``SimulationConfig`` field (``float | None`` -> float)."""
    hints = typing.get_type_hints(SimulationConfig)
    out: dict[str, type] = {}
    for field in dataclasses.fields(SimulationConfig):
        hint = hints[field.name]
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        out[field.name] = args[0] if args else hint
    return out


def _resolve_run(params: Params) -> Params:
    types = _config_types()
    values = dict(params)
    for key, value in values.items():
        # TOML writes 1 for 1.0: keep float fields float, so that result columns have one type
        if types.get(key) is float and isinstance(value, int) and not isinstance(value, bool):
            values[key] = float(value)
    return SimulationConfig.from_dict(values).to_dict()


def _summary(history: Any) -> dict[str, Any]:
    """``History.summary()`` less ``rounds``, which is the parameter of the same name."""
    out = history.summary()
    out.pop("rounds", None)
    return out


def _run(params: Params, seed: np.random.SeedSequence) -> dict[str, Any]:
    return _summary(Simulation(SimulationConfig(**params), seed).run())


def _run_rounds(params: Params, seed: np.random.SeedSequence) -> tuple[dict[str, Any], Any]:
    history = Simulation(SimulationConfig(**params), seed).run()
    return _summary(history), history.to_frame()


def _run_replicates(params: Params, seeds: list[np.random.SeedSequence],
                    per_round: bool) -> list[tuple[dict[str, Any], Any]]:
    """The runs of one design point as one :class:`sim.ensemble.Ensemble` (one network per
    run, on one thread: the sweep's workers are the parallelism): the same results as
    :func:`_run` and :func:`_run_rounds` run by run."""
    played = Ensemble(SimulationConfig(**params), seeds=seeds, threads=1).run()
    out = []
    for r in range(played.replicates):
        history = played.replicate(r)
        out.append((_summary(history), history.to_frame() if per_round else None))
    return out


def _warm_up_run() -> None:
    """Load (or compile) the engine's kernels: one tiny run per update scheme."""
    for update in ("synchronous", "asynchronous"):
        Simulation(SimulationConfig(n=16, degree=4, rounds=2, update=update), seed=0).run()


register(
    SweepModel(
        name="run",
        run=_run,
        summary="one simulation per run (the settings of 'cascade run'); metrics: "
        "History.summary()",
        parameters=SimulationConfig.field_names(),
        resolve=_resolve_run,
        run_rounds=_run_rounds,
        warm_up=_warm_up_run,
        default_metric="final_mean_contribution",
        run_replicates=_run_replicates,
    )
)
