"""``cascade bench``: the benchmark suite (``benchmarks/suite.py``) from the command line.

The suite lives beside the plain Mesa baseline it compares with, in the source tree's
``benchmarks/`` folder, so this command runs from a source checkout.
"""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Sequence
from pathlib import Path

from cli.base import HelpFormatter, OutputError

SUITE = Path(__file__).resolve().parents[1] / "benchmarks" / "suite.py"


def add_parser(subparsers: argparse._SubParsersAction,
               argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "bench",
        help="measure agent-rounds per second, peak memory and start-up time",
        description="Benchmark the engine (n = 10^3 ... 10^7, degree 4 and 10, neighbourhood "
        "and partition groups, Fermi and conditional rules, synchronous and asynchronous), the "
        "Mesa model's step and the plain Mesa baseline in one run; each engine row runs in a "
        "fresh process, which also gives its peak memory per agent. The full run takes many "
        "minutes; --quick takes well under one.",
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--json", action="store_true", help="print one JSON row per line")
    parser.add_argument("--quick", action="store_true", help="small sizes only (n = 1000)")
    parser.set_defaults(handler=handle)
    return parser


def load_suite():
    """``benchmarks/suite.py`` as a module (it is not an installed package)."""
    if not SUITE.is_file():
        raise OutputError(f"benchmark suite not found at {SUITE}; run from a source checkout")
    spec = importlib.util.spec_from_file_location("benchmark_suite", SUITE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def handle(args: argparse.Namespace) -> int:
    suite = load_suite()
    try:
        return suite.report(quick=args.quick, as_json=args.json)
    except RuntimeError as err:  # a measuring child failed; its message says which
        raise OutputError(str(err)) from err
