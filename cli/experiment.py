"""``cascade experiment NAME``: run one of the registered experiments (``experiments/``).

Every experiment runs through :mod:`experiments.runtime`, which gives each the same options
(``--seed``, ``--params``, ``--workers``, ``--scheduler``, ``--out``, ``--json``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from cli.base import HelpFormatter, UsageError
from experiments import EXPERIMENTS, load, runtime


def add_parser(subparsers: argparse._SubParsersAction,
               argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The ``experiment`` command: every experiment by name; when ``argv`` names one (``cascade
    experiment NAME ...``), only that one is imported and given its options, so a run does
    not pay for loading the others."""
    parser = subparsers.add_parser(
        "experiment",
        help="run a scientific experiment (see 'cascade experiment --help' for the list)",
        description="Run one of the experiments in experiments/; each writes its report with "
        "--out DIR and prints one JSON object with --json.",
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    names = parser.add_subparsers(dest="experiment", metavar="NAME", title="experiments")
    words = [word for word in argv if not word.startswith("-")]
    chosen = words[1] if words[:1] == ["experiment"] and len(words) > 1 else None
    for name in EXPERIMENTS:
        if chosen in EXPERIMENTS and name != chosen:
            names.add_parser(name)  # not run now: its name only
            continue
        experiment = load(name)
        sub = names.add_parser(
            name,
            help=experiment.summary,
            description=experiment.description,
            formatter_class=HelpFormatter,
            allow_abbrev=False,
        )
        runtime.add_arguments(sub, experiment)
        sub.set_defaults(handler=_handler(experiment))
    parser.set_defaults(handler=_no_experiment(list(EXPERIMENTS)))
    return parser


def _handler(experiment: runtime.Experiment):
    def handler(args: argparse.Namespace) -> int:
        return runtime.main(args, experiment)

    return handler


def _no_experiment(names: list[str]):
    def handler(args: argparse.Namespace) -> int:
        listed = ", ".join(names) if names else "none registered yet"
        raise UsageError(f"choose an experiment: {listed} (see 'cascade experiment --help')")

    return handler
