"""``cascade experiment NAME``: run one of the registered experiments (``experiments/``)."""

from __future__ import annotations

import argparse

from cli.base import HelpFormatter


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from experiments import EXPERIMENTS, load

    parser = subparsers.add_parser(
        "experiment",
        help="run a scientific experiment (see 'cascade experiment --help' for the list)",
        description="Run one of the experiments in experiments/; each writes its report with "
        "--out DIR and prints one JSON object with --json.",
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    names = parser.add_subparsers(dest="experiment", metavar="NAME", title="experiments")
    for name in EXPERIMENTS:
        module = load(name)
        sub = names.add_parser(
            name,
            help=module.SUMMARY,
            description=module.__doc__,
            formatter_class=HelpFormatter,
            allow_abbrev=False,
        )
        module.add_arguments(sub)
        sub.set_defaults(handler=module.main)
    parser.set_defaults(handler=_no_experiment(parser, list(EXPERIMENTS)))
    return parser


def _no_experiment(parser: argparse.ArgumentParser, names: list[str]):
    def handler(args: argparse.Namespace) -> int:
        from cli.base import UsageError

        listed = ", ".join(names) if names else "none registered yet"
        raise UsageError(f"choose an experiment: {listed} (see 'cascade experiment --help')")

    return handler
