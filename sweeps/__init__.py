"""Parameter sweeps on Dask: resumable, reproducible, from one laptop to a cluster.

A sweep is a TOML file (:mod:`sweeps.spec`): fixed parameters, axes to vary (lists, ranges,
random or Latin-hypercube samples), replicates and one master seed, for a model named by a
string (:mod:`sweeps.models`; ``run`` plays ``sim.Simulation``, and every experiment is one).
:func:`expand` turns it into runs whose seeds are fixed before dispatch
(:mod:`sweeps.design`); :func:`run_sweep` computes the missing ones on a Dask cluster
(:mod:`sweeps.execute`) and writes each finished run atomically into the sweep directory
(:mod:`sweeps.store`), which :func:`load_results` reads back. ``docs/sweeps.md`` has the whole
story; ``cascade sweep`` and ``cascade plot`` are the command-line doors.

    from sweeps import run_sweep, load_results
    report = run_sweep("experiments/sweep_example.toml", "out/sweeps/example", workers=2)
    frame = load_results("out/sweeps/example")
"""

from __future__ import annotations

from sweeps.design import Design, expand, run_seed
from sweeps.models import MODELS, SweepModel, available, get_model, register
from sweeps.runner import SweepReport, run_sweep
from sweeps.spec import SweepConfigError, SweepSpec, load, parse
from sweeps.store import SweepDirError, load_manifest, load_results, load_rounds, replay

__all__ = [
    "MODELS",
    "Design",
    "SweepConfigError",
    "SweepDirError",
    "SweepModel",
    "SweepReport",
    "SweepSpec",
    "available",
    "expand",
    "get_model",
    "load",
    "load_manifest",
    "load_results",
    "load_rounds",
    "parse",
    "register",
    "replay",
    "run_seed",
    "run_sweep",
]
