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
2. an experiment (``experiments.EXPERIMENTS``) whose module defines ``SWEEP_MODEL``, a
   :class:`SweepModel`; the sweep names it by the experiment's command name. This is how the
   lab design, policies and ties experiments become sweepable without touching this package;
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config import ConfigError

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
    """

    name: str
    run: RunFunction
    summary: str = ""
    parameters: Sequence[str] | None = None
    resolve: Callable[[Params], Params] | None = None
    run_rounds: RoundsFunction | None = None
    warm_up: Callable[[], None] | None = None
    default_metric: str | None = None

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
    """Registered experiments that define ``SWEEP_MODEL``: name -> summary.

    Experiments that fail to import are left out here (the error shows when one is named).
    """
    from experiments import EXPERIMENTS, load

    out: dict[str, str] = {}
    for name in EXPERIMENTS:
        try:
            model = getattr(load(name), "SWEEP_MODEL", None)
        except Exception:  # noqa: BLE001 - a broken experiment must not break the listing
            continue
        if isinstance(model, SweepModel):
            out[name] = model.summary
    return out


def available() -> list[str]:
    """Every model name a sweep can give: registered ones, then sweepable experiments."""
    names = list(MODELS)
    names += [name for name in experiment_models() if name not in MODELS]
    return names


@functools.cache
def get_model(name: str) -> SweepModel:
    """The model called ``name`` (see the module docstring for where it is looked up).

    Raises:
        ConfigError: no such model, or the experiment of that name cannot be swept.
    """
    if name in MODELS:
        return MODELS[name]
    from experiments import EXPERIMENTS, load

    if name in EXPERIMENTS:
        model = getattr(load(name), "SWEEP_MODEL", None)
        if not isinstance(model, SweepModel):
            raise ConfigError(
                f"experiment '{name}' cannot be swept (its module defines no SWEEP_MODEL); "
                f"sweepable: {', '.join(available())}"
            )
        return model
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


# ------------------------------------------------------------------------ built-in: run
def _config_types() -> dict[str, type]:
    """Field name -> the Python type of a ``SimulationConfig`` field (``float | None`` -> float)."""
    import typing

    from sim.config import SimulationConfig

    hints = typing.get_type_hints(SimulationConfig)
    out: dict[str, type] = {}
    for field in dataclasses.fields(SimulationConfig):
        hint = hints[field.name]
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        out[field.name] = args[0] if args else hint
    return out


def _resolve_run(params: Params) -> Params:
    from sim.config import SimulationConfig

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
    from sim.config import SimulationConfig
    from sim.simulation import Simulation

    return _summary(Simulation(SimulationConfig(**params), seed).run())


def _run_rounds(params: Params, seed: np.random.SeedSequence) -> tuple[dict[str, Any], Any]:
    from sim.config import SimulationConfig
    from sim.simulation import Simulation

    history = Simulation(SimulationConfig(**params), seed).run()
    return _summary(history), history.to_frame()


def _warm_up_run() -> None:
    """Load (or compile) the engine's kernels: one tiny run per update scheme."""
    from sim.config import SimulationConfig
    from sim.simulation import Simulation

    for update in ("synchronous", "asynchronous"):
        Simulation(SimulationConfig(n=16, degree=4, rounds=2, update=update), seed=0).run()


def _run_parameters() -> list[str]:
    from sim.config import SimulationConfig

    return SimulationConfig.field_names()


register(
    SweepModel(
        name="run",
        run=_run,
        summary="one simulation per run (the settings of 'cascade run'); metrics: "
        "History.summary()",
        parameters=_run_parameters(),
        resolve=_resolve_run,
        run_rounds=_run_rounds,
        warm_up=_warm_up_run,
        default_metric="final_mean_contribution",
    )
)
