"""Time one command on two checkouts of the project, side by side in one sitting.

For refactorings that must not cost speed: the command runs alternately on this tree and on
another checkout (e.g. ``git worktree add /tmp/before HEAD~3``), ``--repeats`` times each, so
that the machine's load falls on both alike; it prints every time, the medians and their
ratio, and the load average before and after.

    python benchmarks/compare_trees.py /tmp/before -- cascade experiment policies --json
    python benchmarks/compare_trees.py /tmp/before --repeats 3 -- cascade run --n 100000

The command's first word ``cascade`` runs ``python -m cli`` with the checkout first on
``PYTHONPATH``; anything else runs as it is, from the checkout's directory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def timed(tree: Path, command: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree))
    if command[0] == "cascade":
        command = [sys.executable, "-m", "cli", *command[1:]]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{tree}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout")
    parser.add_argument("--repeats", type=int, default=3)
    argv = sys.argv[1:]
    if "--" not in argv:
        parser.error("give the command after --")
    split = argv.index("--")
    args, command = parser.parse_args(argv[:split]), argv[split + 1:]
    if not command:
        parser.error("give the command after --")
    trees = {"this tree": HERE, "other": args.other.resolve()}
    times: dict[str, list[float]] = {name: [] for name in trees}
    print(f"load before: {os.getloadavg()[0]:.2f}; command: {' '.join(command)}")
    for i in range(args.repeats):
        order = list(trees) if i % 2 == 0 else list(reversed(trees))
        for name in order:
            times[name].append(timed(trees[name], command))
            print(f"  {name:<10} run {i + 1}: {times[name][-1]:.2f} s")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:<10} median {value:.2f} s ({trees[name]})")
    print(f"this tree / other: {medians['this tree'] / medians['other']:.3f}; "
          f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
