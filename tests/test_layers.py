"""The import contract of pyproject.toml ([tool.importlinter]): layers that point one way and
no import cycle anywhere, function-level imports included.

The contract is checked on this tree, and on copies of it with one deliberate violation, to
show that it fails when it should: an upward import (core importing the experiments) breaks the
layers, and an import between two core modules that closes a loop breaks the acyclic contract.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "models", "experiments", "cli", "sweeps")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")



def test_import_linter_is_installed():
    # the contract below must run, never be skipped: import-linter is a dev dependency
    assert LINT_IMPORTS.exists(), "import-linter is missing: pip install -e '.[dev]'"


def lint(tree: Path, *contracts: str) -> subprocess.CompletedProcess:
    """``lint-imports`` with this repository's pyproject.toml, on the packages under ``tree``."""
    args = [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")]
    for contract in contracts:
        args += ["--contract", contract]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, timeout=300)


def copy_tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    return tmp_path


def add_import(path: Path, statement: str) -> None:
    """Append a function-level import: the contract counts those too."""
    path.write_text(path.read_text() + f"\n\ndef _deliberate():\n    {statement}  # noqa\n")


def test_layers_are_kept():
    result = lint(ROOT, "layers")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_no_import_cycles():
    result = lint(ROOT, "acyclic")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_layers(tmp_path):
    tree = copy_tree(tmp_path)
    assert lint(tree, "layers").returncode == 0  # the copy keeps the contract
    add_import(tree / "sim" / "graph.py", "import experiments")
    result = lint(tree, "layers")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "sim.graph -> experiments" in result.stdout


def test_a_loop_inside_one_layer_breaks_the_acyclic_contract(tmp_path):
    tree = copy_tree(tmp_path)
    # sim.networks imports sim.graph; the core layer allows both directions, a cycle it does not
    add_import(tree / "sim" / "graph.py", "import sim.networks")
    assert lint(tree, "layers").returncode == 0
    result = lint(tree, "acyclic")
    assert result.returncode != 0
    assert "No cycles are allowed in sim" in result.stdout
