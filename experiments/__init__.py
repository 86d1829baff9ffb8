"""Experiments: one module per scientific question, with its parameters in a TOML file beside it.

Each experiment module declares ``EXPERIMENT``, an :class:`experiments.runtime.Experiment`: its
options, settings, tasks, summary and report. The runtime (:mod:`experiments.runtime`) runs
every experiment the same way (``--seed``, ``--workers``, ``--scheduler``, ``--out``,
``--json``; parallel on Dask) and makes each one a sweep model. Tables, reports and figures
live in :mod:`experiments.reports`. ``docs/extending.md`` says how to add one.

Register a new experiment by adding its command name and module to :data:`EXPERIMENTS`.
"""

from __future__ import annotations

import importlib
from typing import Any

#: command name -> module under ``experiments``
EXPERIMENTS: dict[str, str] = {
    "fowler-christakis": "fowler_christakis",
    "policies": "policies",
    "validation": "validation",
    "ties": "ties",
    "organisations": "organisations",
}


def load(name: str) -> Any:
    """The :class:`~experiments.runtime.Experiment` of experiment ``name``."""
    return importlib.import_module(f"experiments.{EXPERIMENTS[name]}").EXPERIMENT

