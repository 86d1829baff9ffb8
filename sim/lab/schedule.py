"""Perfect-strangers matching for the laboratory: no two subjects meet twice in a treatment block.

Laboratories plan their matching in advance; so does this module. A *design* is a
``(rounds, n)`` array of subjects by slot (slot // k is the group) in which no pair shares a
group twice. Designs are found by a tabu search over swaps of two subjects within a round
(the social-golfer local search of Dotú & Van Hentenryck 2005, CPAIOR), which for the
Fehr & Gächter (2002) case, 24 subjects in groups of 4 for 6 periods, finds repeat-free designs
where the engine's annealing (:class:`sim.groups.PerfectStrangers`) stalls a few repeats short.

Searching takes about a second per 24/4/6 design, so a library of such designs ships in
``strangers.toml`` (regenerate it with ``python -m sim.lab.schedule``; every design is checked
when loaded). A session's block takes one design from the library at random and relabels it:
a random permutation of subjects, of periods and of groups. Subjects are exchangeable, so this
is a draw from the same distribution a lab's matching table gives. Other sizes are searched for
on first use (best found kept, its repeats reported).
"""

from __future__ import annotations

import argparse
import functools
import tomllib
from pathlib import Path

import numba as nb
import numpy as np

from sim.lab.kernels import STREAM_PLAN_PICK, STREAM_PLAN_TENURE
from sim.rng import uniform

LIBRARY_FILE = Path(__file__).with_name("strangers.toml")
LIBRARY_SEED = 2002  # master seed of the shipped library and of on-the-fly searches
LIBRARY_SIZE = 8  # designs per (n, k, rounds) in the library
ITERATIONS = 6000  # tabu iterations per restart
RESTARTS = 40  # restarts per design before settling for the fewest repeats found


def repeats(design: np.ndarray, k: int) -> int:
    """Number of repeat meetings: a pair that shares a group m > 1 times counts m - 1."""
    design = np.asarray(design)
    n = design.shape[1]
    met = np.zeros((n, n), dtype=np.int64)
    for row in design:
        groups = row.reshape(-1, k)
        a = np.repeat(groups, k, axis=1).ravel()
        b = np.tile(groups, (1, k)).ravel()
        np.add.at(met, (a, b), 1)
    np.fill_diagonal(met, 0)
    return int(np.maximum(met - 1, 0).sum() // 2)


@nb.njit(cache=True)
def tabu_search(start, k, key, max_iters, tenure_min, tenure_span):
    """Tabu search for a schedule with no repeat meetings, from ``start`` ((rounds, n) slots).

    Each iteration looks at every swap, within one round, of a subject who meets someone for
    a second time with any subject of another group, and makes the best swap that is not tabu
    (a tabu swap is allowed if it gives a new best). Ties are broken at random (counter-based
    draws keyed by ``key``); a swapped pair stays tabu in that round for ``tenure_min`` plus a
    random number below ``tenure_span`` iterations. Returns the best schedule and its number
    of repeat meetings.
    """
    rounds, n = start.shape
    sched = start.copy()
    met = np.zeros((n, n), dtype=np.int64)
    for r in range(rounds):
        for g in range(n // k):
            for a in range(k):
                for b in range(k):
                    if a != b:
                        met[sched[r, g * k + a], sched[r, g * k + b]] += 1
    cost = 0
    for i in range(n):
        for j in range(i + 1, n):
            if met[i, j] > 1:
                cost += met[i, j] - 1
    best = sched.copy()
    best_cost = cost
    tabu_until = np.zeros((rounds, n, n), dtype=np.int64)
    for it in range(max_iters):
        if best_cost == 0:
            break
        move_delta = 1 << 30
        move_r = -1
        move_s1 = -1
        move_s2 = -1
        ties = 0
        for r in range(rounds):
            for s1 in range(n):
                g1 = s1 // k
                a = sched[r, s1]
                clash = False
                for q in range(k):
                    m = sched[r, g1 * k + q]
                    if m != a and met[a, m] >= 2:
                        clash = True
                if not clash:
                    continue
                for s2 in range(n):
                    g2 = s2 // k
                    if g2 == g1:
                        continue
                    b = sched[r, s2]
                    delta = 0
                    for q in range(k):
                        m = sched[r, g1 * k + q]
                        if m != a:
                            delta += (1 if met[b, m] >= 1 else 0) - (1 if met[a, m] >= 2 else 0)
                        m = sched[r, g2 * k + q]
                        if m != b:
                            delta += (1 if met[a, m] >= 1 else 0) - (1 if met[b, m] >= 2 else 0)
                    if tabu_until[r, a, b] > it and cost + delta >= best_cost:
                        continue
                    if delta < move_delta:
                        move_delta, move_r, move_s1, move_s2, ties = delta, r, s1, s2, 1
                    elif delta == move_delta:
                        ties += 1
                        if uniform(key, it, ties, STREAM_PLAN_PICK) * ties < 1.0:
                            move_r, move_s1, move_s2 = r, s1, s2
        if move_r < 0:
            continue
        r, s1, s2 = move_r, move_s1, move_s2
        g1 = s1 // k
        g2 = s2 // k
        a = sched[r, s1]
        b = sched[r, s2]
        for q in range(k):
            m = sched[r, g1 * k + q]
            if m != a:
                met[a, m] -= 1
                met[m, a] -= 1
                met[b, m] += 1
                met[m, b] += 1
            m = sched[r, g2 * k + q]
            if m != b:
                met[b, m] -= 1
                met[m, b] -= 1
                met[a, m] += 1
                met[m, a] += 1
        sched[r, s1] = b
        sched[r, s2] = a
        cost += move_delta
        tenure = tenure_min + int(uniform(key, it, 0, STREAM_PLAN_TENURE) * tenure_span)
        tabu_until[r, a, b] = it + tenure
        tabu_until[r, b, a] = it + tenure
        if cost < best_cost:
            best_cost = cost
            best[:, :] = sched
    return best, best_cost


def search_design(
    n: int,
    k: int,
    rounds: int,
    rng: np.random.Generator,
    iterations: int = ITERATIONS,
    restarts: int = RESTARTS,
) -> tuple[np.ndarray, int]:
    """A ``(rounds, n)`` design with as few repeat meetings as the search finds (0 if it can).

    Each restart starts from independent random partitions drawn from ``rng``.
    """
    best, best_cost = None, None
    for _ in range(max(1, restarts)):
        start = np.stack([rng.permutation(n) for _ in range(rounds)]).astype(np.int64)
        key = np.uint64(rng.integers(0, 2**64, dtype=np.uint64))
        design, cost = tabu_search(start, k, key, iterations, 8, 20)
        if best_cost is None or cost < best_cost:
            best, best_cost = design, int(cost)
        if best_cost == 0:
            break
    return best, best_cost


def _load_shipped() -> dict[tuple[int, int, int], list[np.ndarray]]:
    if not LIBRARY_FILE.exists():
        return {}
    data = tomllib.loads(LIBRARY_FILE.read_text(encoding="utf-8"))
    out: dict[tuple[int, int, int], list[np.ndarray]] = {}
    for entry in data.get("design", []):
        n, k, rounds = int(entry["n"]), int(entry["group_size"]), int(entry["rounds"])
        design = np.asarray(entry["schedule"], dtype=np.int64)
        if design.shape != (rounds, n) or any(sorted(r) != list(range(n)) for r in design):
            raise ValueError(f"{LIBRARY_FILE.name}: a {n}/{k}/{rounds} design is malformed")
        if repeats(design, k) != 0:
            raise ValueError(f"{LIBRARY_FILE.name}: a {n}/{k}/{rounds} design has repeats")
        out.setdefault((n, k, rounds), []).append(design)
    return out


@functools.cache
def library(n: int, k: int, rounds: int) -> tuple[tuple[np.ndarray, ...], int]:
    """The designs for ``n`` subjects in groups of ``k`` for ``rounds`` periods, and their
    largest number of repeat meetings (0 when all are perfect strangers).

    Shipped designs are used when there are any; otherwise ``LIBRARY_SIZE`` are searched for
    (seeded by ``LIBRARY_SEED``, so every run gets the same library).
    """
    shipped = _load_shipped().get((n, k, rounds))
    if shipped:
        return tuple(shipped), 0
    rng = np.random.default_rng([LIBRARY_SEED, n, k, rounds])
    found = [search_design(n, k, rounds, rng) for _ in range(LIBRARY_SIZE)]
    # keep the designs with the fewest repeats
    fewest = min(cost for _, cost in found)
    return tuple(d for d, cost in found if cost == fewest), fewest


def relabelled(design: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """A random copy of ``design``: subjects, periods and groups in random order."""
    rounds, n = design.shape
    names = rng.permutation(n)
    out = names[design[rng.permutation(rounds)]]
    groups = out.reshape(rounds, n // k, k)
    for r in range(rounds):
        groups[r] = groups[r, rng.permutation(n // k)]
    return groups.reshape(rounds, n)


def block_schedule(n: int, k: int, rounds: int, rng: np.random.Generator) -> np.ndarray:
    """One treatment block's matching: a random relabelling of a random library design."""
    designs, _ = library(n, k, rounds)
    return relabelled(designs[int(rng.integers(len(designs)))], k, rng)


# --------------------------------------------------------------------------- library file


def write_library(path: Path = LIBRARY_FILE, n: int = 24, k: int = 4, rounds: int = 6,
                  size: int = LIBRARY_SIZE, seed: int = LIBRARY_SEED) -> int:
    """Search for ``size`` repeat-free designs and write them to ``path``; return how many."""
    rng = np.random.default_rng([seed, n, k, rounds])
    lines = [
        "# Perfect-strangers matching designs for the Fehr & Gächter (2002) laboratory.",
        "# Each schedule lists, for every period, the subjects by slot (slot // group_size is",
        "# the group); no two subjects share a group twice. Generated by",
        f"# 'python -m sim.lab.schedule' (tabu search, seed {seed}); checked when loaded.",
        "",
    ]
    count = 0
    attempts = 0
    while count < size and attempts < 20 * size:
        attempts += 1
        design, cost = search_design(n, k, rounds, rng)
        if cost:
            continue
        count += 1
        rows = ",\n".join("    [" + ", ".join(str(int(v)) for v in row) + "]" for row in design)
        lines += ["[[design]]", f"n = {n}", f"group_size = {k}", f"rounds = {rounds}",
                  f"seed = {seed}", f"schedule = [\n{rows},\n]", ""]
    Path(path).write_text("\n".join(lines), encoding="utf-8")
    return count


def _main() -> None:
    parser = argparse.ArgumentParser(description="Regenerate the shipped matching designs.")
    parser.add_argument("--size", type=int, default=LIBRARY_SIZE)
    parser.add_argument("--seed", type=int, default=LIBRARY_SEED)
    parser.add_argument("--out", type=Path, default=LIBRARY_FILE)
    args = parser.parse_args()
    count = write_library(args.out, size=args.size, seed=args.seed)
    print(f"wrote {count} repeat-free 24/4/6 designs to {args.out}")


if __name__ == "__main__":
    _main()
