"""The experiment runtime: how every experiment is run, on a laptop or on a Dask cluster.

An experiment declares its science and nothing else (:class:`Experiment`): its parameter file,
its own options, how to turn them into validated settings, the tasks to run (``cells`` and
``run_cell``, or a ``run`` that maps several kinds of task), how to summarise the results, and
how to report and draw them. The runtime owns the rest, the same way for every experiment:

- the common options ``--seed``, ``--params``, ``--workers``, ``--scheduler``, ``--out``,
  ``--json``;
- parallel execution on Dask (:class:`Runner`): in this process with one worker, on a
  ``LocalCluster`` of single-thread processes with more, or on an external scheduler
  (``--scheduler tcp://host:port``, started with ``dask scheduler`` / ``dask worker``). A worker
  that dies mid-task loses only that task: the scheduler gives it to another worker;
- seeds: every task's seed is split from the master seed by :mod:`sim.seeds` before dispatch,
  so results depend on neither the number of workers nor the order they finish in;
- the progress bar (on a terminal) and the all-or-nothing ``--out`` directory;
- sweeps: :meth:`Experiment.sweep_run` plays the experiment in one process for one parameter
  set, so ``cascade sweep`` can vary any option or parameter-file entry of any experiment.

Bad input raises :class:`sim.config.ConfigError` with one line naming the option, before any
task runs and before anything is written.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np
from distributed import as_completed

from experiments.cluster import available_cores, local_cluster, remote_client
from experiments.options import Option, OptionError, integer_at_least
from experiments.output import OutputDir, check_out_dir, write_json
from experiments.progress import Progress
from sim.config import ConfigError

Params = dict[str, Any]


# ------------------------------------------------------------------------------- running
class Runner:
    """Maps a function over tasks, in task order: here, on a local cluster, or remotely.

    The cluster is started on the first :meth:`map` with more than one task and kept for the
    experiment's later maps; :meth:`close` (or the ``with`` block) shuts it down.
    """

    def __init__(self, workers: int = 1, scheduler: str | None = None, progress: bool = False,
                 kernel_threads: bool = False):
        self.workers = max(int(workers), 1)
        self.kernel_threads = kernel_threads
        self.scheduler = scheduler
        self.progress = progress
        self._stack = contextlib.ExitStack()
        self._client: Any = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()
        self._client = None

    @property
    def parallel(self) -> bool:
        return self.scheduler is not None or self.workers > 1

    def client(self) -> Any:
        if self._client is None:
            if self.scheduler is not None:
                self._client = self._stack.enter_context(remote_client(self.scheduler))
            else:
                self._client = self._stack.enter_context(
                    local_cluster(self.workers, dashboard=None))
        return self._client

    def map(self, function: Callable[[Any], Any], tasks: Sequence[Any],
            label: str = "tasks") -> list[Any]:
        """``[function(task) for task in tasks]``, run on the workers when there are several."""
        tasks = list(tasks)
        progress = Progress(len(tasks), enabled=self.progress and bool(tasks),
                            label=label)
        try:
            if not self.parallel or (len(tasks) <= 1 and self.scheduler is None):
                with contextlib.nullcontext() if self.kernel_threads else single_threaded():
                    out = []
                    for task in tasks:
                        out.append(function(task))
                        progress.update()
                    return out
            return self._map_dask(function, tasks, progress)
        finally:
            progress.close()

    def _map_dask(self, function, tasks: list, progress: Progress) -> list[Any]:
        client = self.client()
        futures = client.map(_in_worker, [function] * len(tasks), tasks, pure=False)
        for _ in as_completed(futures):
            progress.update()
        return client.gather(futures)


def _in_worker(function: Callable[[Any], Any], task: Any) -> Any:
    """A task on a Dask worker: one Numba thread per worker thread (results do not depend on
    it; the runs are small, and the worker processes already share the cores)."""
    numba.set_num_threads(1)
    return function(task)


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """Numba kernels on one thread for the duration: small runs are faster so."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(threads)


# ---------------------------------------------------------------------------- experiment
@dataclass(frozen=True)
class Experiment:
    """What an experiment declares; :func:`main` and :meth:`sweep_run` do the rest.

    Attributes:
        name: the command name (``cascade experiment NAME``).
        summary: one line for ``cascade experiment --help``.
        description: the long help (usually the module's docstring).
        parameters: the default parameter file (TOML), or None.
        sections: tables the parameter file must have.
        seed: the default master seed: an int, or the ``table.key`` entry of the parameter
            file that holds it (a sweep then leaves that entry out of its parameters).
        options: the experiment's own options.
        settings: ``settings(params, options) -> settings``: checks everything (raising
            ``ConfigError`` with one line) and returns what the run needs; ``options`` is a
            dict of every option's value (defaults filled in), plus ``seed`` and ``workers``.
        cells: ``cells(settings, seed) -> tasks`` and ``run_cell(task) -> result``: the tasks,
            each with its seed already split from the master seed, and the function a worker
            runs; ``summarise(settings, tasks, results) -> run`` turns the results into the
            experiment's run (plain data, the ``--json`` output).
        run: instead of ``cells``/``run_cell``/``summarise``, ``run(settings, seed, runner)``
            for an experiment of several stages (``runner.map`` for each).
        table: ``table(run) -> str``, what the terminal shows.
        write: ``write(run, directory)``: the report and figures for ``--out`` (the runtime
            writes ``results.json`` itself). ``table`` and ``write`` may be given by name,
            ``"package.module:function"``, so that the module (and its plotting library) is
            loaded only to show or write a finished run, never by the workers.
        metrics: ``metrics(run) -> {name: number}``, the headline numbers a sweep records.
        workers_default: the default of ``--workers``, a function of the parameters and the
            other options (0: one per core), or None for one per core.
        kernel_threads: run in this process (one worker), the tasks keep the Numba kernels'
            own threads: for experiments of a few large tasks whose kernels are parallel.
            Otherwise (the default) each task runs its kernels on one thread, which is faster
            for many small runs.
    """

    name: str
    summary: str
    description: str
    table: Callable[[Params], str] | str
    write: Callable[[Params, Path], None] | str
    metrics: Callable[[Params], dict[str, Any]]
    settings: Callable[[Params, dict[str, Any]], Any]
    parameters: Path | None = None
    sections: tuple[str, ...] = ()
    seed: int | str = 0
    options: tuple[Option, ...] = ()
    cells: Callable[[Any, Any], list] | None = None
    run_cell: Callable[[Any], Any] | None = None
    summarise: Callable[[Any, list, list], Params] | None = None
    run: Callable[[Any, Any, Runner], Params] | None = None
    workers_default: Callable[[Params, dict[str, Any]], int] | None = None
    kernel_threads: bool = False

    # ------------------------------------------------------------------ parameters
    def read_parameters(self, path: Path | None = None) -> Params:
        """The parameter file; an unreadable one or a missing table is one ``--params`` line."""
        path = path or self.parameters
        return {} if path is None else read_parameter_file(path, self.sections)

    def default_seed(self, params: Params) -> int:
        """The master seed when ``--seed`` is not given: :attr:`seed`, or the parameter-file
        entry it names (an integer >= 0, else one ``--params`` line)."""
        if not isinstance(self.seed, str):
            return int(self.seed)
        *tables, entry = self.seed.split(".")
        table: Any = params
        for name in tables:
            table = table.get(name) if isinstance(table, dict) else None
        value = table.get(entry) if isinstance(table, dict) else None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"--params: [{'.'.join(tables)}] {entry} must be an integer >= 0 "
                              f"(got {value!r})")
        return value

    def default_workers(self, params: Params, options: dict[str, Any] | None = None) -> int:
        if self.workers_default is not None:
            value = int(self.workers_default(params, options or {}))
            if value > 0:
                return value
        return available_cores()

    # --------------------------------------------------------------------- running
    def execute(self, settings: Any, seed: Any, runner: Runner) -> Params:
        """Run the experiment: its ``run``, or its cells on the runner then ``summarise``."""
        started = time.perf_counter()
        if self.run is not None:
            run = self.run(settings, seed, runner)
        else:
            assert self.cells and self.run_cell and self.summarise, self.name
            tasks = self.cells(settings, seed)
            results = runner.map(self.run_cell, tasks, label=self.name)
            run = self.summarise(settings, tasks, results)
        run.setdefault("seconds", {})
        if isinstance(run["seconds"], dict):
            run["seconds"]["total"] = time.perf_counter() - started
        return run

    def resolve(self, params_file: Path | None, values: dict[str, Any]) -> tuple[Params, dict]:
        """The parameter file and every option's value (defaults filled in)."""
        params = self.read_parameters(params_file)
        return params, self.fill(params, values)

    def play(self, params: Params | None = None, *, seed: Any = None, workers: int = 1,
             scheduler: str | None = None, **values: Any) -> Params:
        """Run the experiment from Python (a notebook, a script): ``params`` as
        :meth:`read_parameters` gives them (edited if you like; default: the file), the
        options by name (``replicates=3``); the same checks and the same run as the command
        with the same settings and seed, private entries (``_`` keys) included."""
        params = self.read_parameters() if params is None else params
        options = self.fill(params, {**values, "seed": seed, "workers": workers})
        settings = self.settings(params, options)
        with Runner(options["workers"], scheduler,
                    kernel_threads=self.kernel_threads) as runner:
            return finished(self.execute(settings, options["seed"], runner))

    def fill(self, params: Params, values: dict[str, Any]) -> dict[str, Any]:
        """Every option's value: ``values`` where given (not None), else its default."""
        options = {}
        for option in self.options:
            value = values.get(option.dest)
            options[option.dest] = option.default_for(params) if value is None else value
        seed = values.get("seed")
        options["seed"] = self.default_seed(params) if seed is None else seed
        workers = values.get("workers")  # None: the experiment's default; 0: every core
        if workers is None:
            options["workers"] = self.default_workers(params, options)
        else:
            options["workers"] = int(workers) or available_cores()
        return options

    # ----------------------------------------------------------------------- sweeps
    def sweep_parameters(self) -> list[str]:
        """What a sweep may vary: the options (by name, e.g. ``replicates``), then, as
        ``table.key`` (``table.subtable.key`` in nested tables) in file order, every scalar
        entry of the default parameter file except the master seed, which a sweep replaces
        with each run's own seed."""
        params = self.read_parameters()
        names = [option.dest for option in self.options]
        seed = _seed_entry(self, params)
        return names + [name for name in _dotted(params) if name != seed]

    def sweep_run(self, values: Params, seed: Any) -> dict[str, Any]:
        """One play of the experiment for a sweep, in this process: options and ``table.key``
        overrides of the parameter file from ``values``, ``seed`` (the run's
        ``numpy.random.SeedSequence``, or an int) as the master seed. Returns :attr:`metrics`
        of the run as ``--json`` prints it, each a number (None becomes NaN) or a string."""
        settings = self.sweep_settings(values)
        with Runner(workers=1) as runner:
            run = finished(self.execute(settings, seed, runner))
        return {name: _number(name, value) for name, value in self.metrics(run).items()}

    def sweep_settings(self, values: Params) -> Any:
        """Check one sweep parameter set and return the experiment's settings for it.

        An option's value goes through the option's own parser (a string or a number for a
        valued option, true/false for a switch); a parameter-file entry must have the kind of
        the file's value (a number, a string, true/false; an integer for an integer entry).
        Raises :class:`sim.config.ConfigError` with one line naming the parameter.
        """
        params = self.read_parameters()
        entries = _dotted(params)
        seed_entry = _seed_entry(self, params)
        known = {option.dest: option for option in self.options}
        given: dict[str, Any] = {}
        for key, raw in values.items():
            if key in known:
                given[key] = _option_value(known[key], key, raw)
            elif key in entries and key != seed_entry:
                *tables, entry = entries[key]
                target = params
                for table in tables:
                    target = target[table]
                target[entry] = _entry_value(key, raw, target[entry])
            elif key == seed_entry:
                raise ConfigError(f"'{key}' is the master seed of experiment '{self.name}'; a "
                                  "sweep seeds every run from its own [sweep] seed")
            else:
                raise ConfigError(f"unknown parameter '{key}' for experiment '{self.name}'; "
                                  f"allowed: {', '.join(self.sweep_parameters())}")
        options: dict[str, Any] = {}
        for option in self.options:
            value = given.get(option.dest)
            if value is None:
                value = option.default_for(params)
                if value is None and option.flag_only:
                    value = False  # as argparse gives a switch that is not set
            options[option.dest] = value
        options["seed"] = self.default_seed(params)  # the run's own seed goes to execute()
        options["workers"] = 1
        return self.settings(params, options)


def entry(function: Callable | str) -> Callable:
    """A function, or the one named ``"package.module:function"`` (imported now)."""
    if not isinstance(function, str):
        return function
    module, _, name = function.partition(":")
    return getattr(importlib.import_module(module), name)


def read_parameter_file(path: Path, sections: Sequence[str] = ()) -> Params:
    """A TOML parameter file that must have ``sections``; one ``--params`` line otherwise."""
    try:
        with open(path, "rb") as handle:
            params = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"--params '{path}': {err}") from None
    missing = [name for name in sections if name not in params]
    if missing:
        raise ConfigError(f"--params '{path}' lacks section(s) "
                          + ", ".join(f"[{name}]" for name in missing))
    return params


def _dotted(params: Params, path: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Every scalar entry (number, string, true/false) of the tables of a parameter file, by
    its ``table.key`` name (``table.subtable.key`` in nested tables), with its path of keys;
    in file order. Top-level entries and lists are left out."""
    out: dict[str, tuple[str, ...]] = {}
    for key, value in params.items():
        here = (*path, str(key))
        if isinstance(value, dict):
            for name, inner in _dotted(value, here).items():
                out.setdefault(name, inner)
        elif path and isinstance(value, bool | int | float | str):
            out.setdefault(".".join(here), here)
    return out


def _seed_entry(experiment: Experiment, params: Params) -> str | None:
    """The ``table.key`` entry the experiment's default master seed comes from, if any."""
    return experiment.seed if isinstance(experiment.seed, str) else None


def _option_value(option: Option, name: str, raw: Any) -> Any:
    """A sweep's value for an experiment option, parsed as the command line would."""
    if option.flag_only:
        if not isinstance(raw, bool):
            raise ConfigError(f"{name} must be true or false (got {raw!r})")
        return raw
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ConfigError(f"{name} must be a number or a string (got {raw!r})")
    if option.type is None and not isinstance(raw, str):
        raise ConfigError(f"{name} must be a string (got {raw!r})")
    try:
        value = option.parse(raw)
    except (OptionError, ValueError) as err:
        message = " ".join(str(err).split())
        if option.flag in message:
            message = message.replace(option.flag, name)
        else:
            message = f"{name}: {message}"
        raise ConfigError(message) from None
    if option.choices is not None and value not in option.choices:
        raise ConfigError(f"{name} must be one of {', '.join(map(str, option.choices))} "
                          f"(got {raw!r})")
    return value


def _entry_value(name: str, raw: Any, current: Any) -> Any:
    """A sweep's value for a parameter-file entry, of the kind of the file's ``current``."""
    if isinstance(current, bool):
        if isinstance(raw, bool):
            return raw
        kind = "true or false"
    elif isinstance(current, int):
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        kind = "an integer"
    elif isinstance(current, float):
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        kind = "a number"
    else:
        if isinstance(raw, str):
            return raw
        kind = "a string"
    raise ConfigError(f"{name} must be {kind}, as in the parameter file ({current!r}); "
                      f"got {raw!r}")


def _number(name: str, value: Any) -> Any:
    """A metric for a sweep's results: a number, a string or true/false (None: NaN)."""
    if value is None:
        return math.nan
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, bool | int | float | str):
        raise TypeError(f"metric '{name}' must be a number or a string, not "
                        f"{type(value).__name__}")
    return value


# -------------------------------------------------------------------------- the command
def add_arguments(parser: argparse.ArgumentParser, experiment: Experiment) -> None:
    """The experiment's options, then the runtime's own."""
    try:
        params = experiment.read_parameters()
    except ConfigError:
        params = None
    for option in experiment.options:
        option.add_to(parser, params)
    seed = experiment.default_seed(params) if params is not None else None
    parser.add_argument("--seed", type=integer_at_least("--seed", 0), default=None,
                        metavar="N", help=f"master seed; every task's seed is split from it "
                        f"(default {seed})")
    if experiment.parameters is not None:
        parser.add_argument("--params", type=Path, default=experiment.parameters,
                            metavar="FILE", help="parameter file (default experiments/"
                            f"{experiment.parameters.name})")
    parser.add_argument("--workers", type=integer_at_least("--workers", 0), default=None,
                        metavar="N", help="worker processes on this machine (0: one per core; "
                        f"default {experiment.default_workers(params or {})} here); the results "
                        "do not depend on it")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run the tasks on an existing Dask scheduler (tcp://host:port, or "
                        "a scheduler file) instead of on this machine")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write results.json, the report and the figures into DIR, "
                        "all or nothing")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")


def main(args: argparse.Namespace, experiment: Experiment) -> int:
    """Check everything, run, write ``--out`` atomically, print the table or the JSON."""
    values = vars(args)
    params, options = experiment.resolve(values.get("params"), values)
    settings = experiment.settings(params, options)
    if args.out is not None:
        check_out_dir(args.out)
    progress = not args.json and sys.stderr.isatty()
    with Runner(options["workers"], args.scheduler, progress=progress,
                kernel_threads=experiment.kernel_threads) as runner:
        run = finished(experiment.execute(settings, options["seed"], runner))
    results = public(run)
    if args.out is not None:
        with OutputDir(args.out) as staging:
            write_json(staging / "results.json", results)
            entry(experiment.write)(run, staging)
    if args.json:
        print(json.dumps(results, allow_nan=False))
    else:
        print(entry(experiment.table)(run))
        if args.out is not None:
            print(f"\nreport written to {args.out}/")
    sys.stdout.flush()
    return 0


def finished(raw: Params) -> Params:
    """A run as the report sees it: its public entries as plain JSON data (:func:`as_json`),
    its private ones (``_`` keys) as they are."""
    run = as_json(public(raw))
    run.update({key: value for key, value in raw.items() if key.startswith("_")})
    return run


def public(run: Params) -> Params:
    """The run less its private entries (keys starting with ``_``: objects the report draws
    from, e.g. per-run records, passed to ``table`` and ``write`` as they are): what ``--json``
    prints and ``results.json`` holds."""
    return {key: value for key, value in run.items() if not key.startswith("_")}


def as_json(run: Params) -> Params:
    """Plain JSON data: NumPy values become Python numbers, NaN and infinities become null."""
    return json.loads(json.dumps(run, allow_nan=True, default=_json_default),
                      parse_constant=lambda _: None)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
