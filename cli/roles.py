"""``cascade roles EDGELIST``: each node's network roles (brokers and connectors) as CSV.

Reads an edge list in the ``edgelist`` network's format (``u v`` per line, any labels, ``#``
comments), computes :func:`sim.ties.roles.network_roles` and writes one row per node: the
node's label, its team (the communities found by Louvain, seeded with ``--seed``), degree,
betweenness, Burt's constraint, clustering within the team, the broker and connector scores
and the role. ``--out FILE`` writes atomically (a temporary file renamed into place);
otherwise the CSV goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cli.base import HelpFormatter, OutputError, UsageError, integer_at_least
from sim.networks import read_edgelist
from sim.params import ConfigError
from sim.ties.roles import network_roles


def add_parser(subparsers: argparse._SubParsersAction,
               argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "roles",
        help="brokers and connectors of a network: read an edge list, write roles as CSV",
        description=__doc__,
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("edgelist", type=Path, metavar="EDGELIST",
                        help="edge list file: 'u v' per line, any labels, '#' comments")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="write the CSV to FILE (atomically) instead of stdout")
    parser.add_argument("--seed", type=integer_at_least("--seed", 0), default=0, metavar="INT",
                        help="seed of the community detection and of sampled betweenness "
                        "(networks above 2000 nodes) (default: 0)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if not args.edgelist.is_file():
        raise UsageError(f"EDGELIST '{args.edgelist}' does not exist or is not a file")
    if args.out is not None:
        if args.out.is_dir():
            raise UsageError(f"--out '{args.out}' is a directory; give a file name")
        parent = args.out.absolute().parent
        if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
            raise UsageError(f"--out '{args.out}': '{parent}' is not a writable directory")
    try:
        graph, labels = read_edgelist(args.edgelist)
    except ConfigError as err:
        raise UsageError(str(err).replace("--network-file", "EDGELIST", 1)) from None
    frame = network_roles(graph, seed=args.seed)
    frame.insert(1, "label", labels)
    if args.out is None:
        frame.to_csv(sys.stdout, index=False)
        return 0
    fd, tmp = tempfile.mkstemp(dir=args.out.absolute().parent, prefix=f".{args.out.name}.",
                               suffix=".tmp")
    os.close(fd)
    try:
        frame.to_csv(tmp, index=False)
        os.replace(tmp, args.out)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"could not write --out '{args.out}': {err}") from None
    counts = frame["role"].value_counts()
    print(f"wrote {len(frame)} nodes to {args.out}: " + ", ".join(
        f"{counts.get(role, 0)} {role}s" for role in ("broker", "connector", "other")))
    return 0
