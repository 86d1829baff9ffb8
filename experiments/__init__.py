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
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

#: command name -> module under ``experiments``
EXPERIMENTS: dict[str, str] = {
    "fowler-christakis": "fowler_christakis",
    "policies": "policies",
    "validation": "validation",
    "ties": "ties",
}


def read_parameters(path: Path, sections: tuple[str, ...] = ()) -> dict[str, Any]:
    """An experiment's TOML file; an unreadable file or a missing section is one ``--params``
    line (``cli.base.UsageError``, exit status 2)."""
    from cli.base import UsageError

    try:
        with open(path, "rb") as handle:
            params = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise UsageError(f"--params '{path}': {err}") from None
    missing = [name for name in sections if name not in params]
    if missing:
        raise UsageError(f"--params '{path}' lacks section(s) "
                         + ", ".join(f"[{name}]" for name in missing))
    return params


def load(name: str) -> ModuleType:
    """Import the module of experiment ``name``."""
    return importlib.import_module(f"experiments.{EXPERIMENTS[name]}")
