"""Experiments: one script per scientific question, with its parameters in a TOML file beside it.

Each experiment is a thin composition of the engine (:mod:`sim`), its analysis and plotting;
none re-implements the model. ``cascade experiment NAME`` runs one. An experiment module
defines:

- ``SUMMARY``: one line for ``cascade experiment --help``;
- ``add_arguments(parser)``: its options (``--seed``, ``--out``, ``--json``, ...);
- ``main(args) -> int``: runs it and returns the exit status. Bad input raises
  ``sim.ConfigError`` (or ``cli.base.UsageError``) with a one-line message, before anything
  is written.

Register a new experiment by adding its command name and module to :data:`EXPERIMENTS`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: command name -> module under ``experiments``
EXPERIMENTS: dict[str, str] = {
    "fowler-christakis": "fowler_christakis",
    "policies": "policies",
    "validation": "validation",
    "ties": "ties",
}


def load(name: str) -> ModuleType:
    """Import the module of experiment ``name``."""
    return importlib.import_module(f"experiments.{EXPERIMENTS[name]}")
